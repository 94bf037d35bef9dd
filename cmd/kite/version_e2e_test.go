package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersionFromBuildInfo builds kite the three ways people do and checks
// what `kite --version` and `kite version -o json` say: from a git clone
// (VCS stamped: Go's pseudo-version and HEAD's short revision), with -buildvcs=false
// (as .ci/run builds: commit "unknown", no failure), and with -ldflags -X
// (the given values win). The clone is a fresh repository holding this
// module's files, because Go does not stamp builds in a git worktree.
func TestVersionFromBuildInfo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds kite three times")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	root := moduleRoot(t)
	clone := t.TempDir()
	copyModule(t, root, clone)
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = clone
		cmd.Env = append(os.Environ(), "TZ=UTC")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "snapshot")
	head := git("rev-parse", "--short=12", "HEAD")
	// Go 1.24+ stamps an untagged clone with a pseudo-version built from the
	// commit's UTC time and revision (go.dev/ref/mod#pseudo-versions).
	when := git("-c", "log.showSignature=false", "log", "-1", "--date=format-local:%Y%m%d%H%M%S", "--format=%cd")
	pseudo := "v0.0.0-" + when + "-" + head

	build := func(name string, args ...string) string {
		t.Helper()
		bin := filepath.Join(t.TempDir(), name)
		cmd := exec.Command("go", append(append([]string{"build", "-o", bin}, args...), "./cmd/kite")...)
		cmd.Dir = clone
		// GOFLAGS may carry -buildvcs=false (the CI script's and this
		// machine's go env); each build says what it wants.
		cmd.Env = append(os.Environ(), "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %v: %v\n%s", args, err, out)
		}
		return bin
	}
	check := func(bin, wantVersion, wantCommit string) {
		t.Helper()
		out, err := exec.Command(bin, "--version").Output()
		if err != nil {
			t.Fatalf("%s --version: %v", bin, err)
		}
		want := "kite " + wantVersion + " (commit " + wantCommit + ", "
		if !strings.HasPrefix(string(out), want) {
			t.Errorf("--version = %q, want prefix %q", out, want)
		}
		out, err = exec.Command(bin, "version", "-o", "json").Output()
		if err != nil {
			t.Fatalf("%s version -o json: %v", bin, err)
		}
		var v struct{ Version, Commit string }
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("version -o json: %v\n%s", err, out)
		}
		if v.Version != wantVersion || v.Commit != wantCommit {
			t.Errorf("version -o json = %+v, want %s %s", v, wantVersion, wantCommit)
		}
	}

	check(build("vcs", "-buildvcs=true"), pseudo, head)
	check(build("novcs", "-buildvcs=false"), "(devel)", "unknown")
	check(build("ld", "-buildvcs=true", "-ldflags", "-X main.version=v1.2.3 -X main.commit=abc1234"), "v1.2.3", "abc1234")

	// An uncommitted change marks the revision dirty.
	if err := os.WriteFile(filepath.Join(clone, "README.md"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	check(build("dirty", "-buildvcs=true"), pseudo+"+dirty", head+"+dirty")
}

// moduleRoot is the directory holding go.mod, two levels above cmd/kite.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s: %v", root, err)
	}
	return root
}

// copyModule copies the module's Go sources and go.mod/go.sum (not .git,
// not the bench module) so the copy builds ./cmd/kite as the original does.
func copyModule(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			switch d.Name() {
			case ".git", "testdata", "bench", "docs", "completions":
				if rel != "." {
					return filepath.SkipDir
				}
			}
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		name := d.Name()
		if !strings.HasSuffix(name, ".go") && name != "go.mod" && name != "go.sum" && name != "README.md" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatalf("copying the module: %v", err)
	}
}
