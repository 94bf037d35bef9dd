package sandbox_test

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/kitecli/kite"

// goList runs `go list` with args in dir and returns its output, one line
// per package.
func goList(t *testing.T, dir string, args ...string) []string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to list the package graph")
	}
	cmd := exec.CommandContext(t.Context(), goTool, append([]string{"list"}, args...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// forbidden reports whether a package the sandbox depends on is the client
// (pkg/kite and anything under it) or the command line.
func forbidden(path string) bool {
	for _, p := range []string{module + "/pkg/kite", module + "/cmd"} {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// TestSandboxIsIndependentOfTheClient: the sandbox is a separate
// implementation of Kite's side of the wire, and that is what makes it a
// test of the client. If it shared the client's code (its error type, its
// rate table, its rules), a mistake there would be made on both sides and
// every test would pass. The facts both must agree on live in
// pkg/kitespec, which imports nothing of ours. The check covers every
// package under pkg/sandbox with its tests, and every dependency of them.
func TestSandboxIsIndependentOfTheClient(t *testing.T) {
	lines := goList(t, ".", "-deps", "-test", "-f", "{{.ImportPath}}\t{{join .Imports \" \"}}", "./...")
	if len(lines) < 5 {
		t.Fatalf("go list listed only %d packages: %q", len(lines), lines)
	}
	seen, reported := 0, map[string]bool{}
	for _, l := range lines {
		pkg, imports, _ := strings.Cut(l, "\t")
		pkg, _, _ = strings.Cut(pkg, " ") // "p [p.test]" is p compiled for its tests
		if strings.HasPrefix(pkg, module+"/pkg/sandbox") {
			seen++
		}
		for _, imp := range strings.Fields(imports) {
			if forbidden(imp) && !reported[pkg+" "+imp] {
				reported[pkg+" "+imp] = true
				t.Errorf("%s imports %s: the sandbox must not use the client or the CLI (put a fact both need in pkg/kitespec)", pkg, imp)
			}
		}
	}
	// The sandbox and its four sub-packages, each with its test variants.
	if seen < 5 {
		t.Errorf("only %d packages under pkg/sandbox listed; is the module path still %s?", seen, module)
	}
}

// TestNothingImportsCmd: cmd/kite is the program, never a library. Every
// package of the module, tests included, is checked.
func TestNothingImportsCmd(t *testing.T) {
	lines := goList(t, "../..", "-test", "-f", "{{.ImportPath}}\t{{join .Imports \" \"}}\t{{join .TestImports \" \"}}\t{{join .XTestImports \" \"}}", "./...")
	if len(lines) < 10 {
		t.Fatalf("go list listed only %d packages: %q", len(lines), lines)
	}
	for _, l := range lines {
		fields := strings.Split(l, "\t")
		pkg, _, _ := strings.Cut(fields[0], " ")
		for _, list := range fields[1:] {
			for _, imp := range strings.Fields(list) {
				if imp == module+"/cmd" || strings.HasPrefix(imp, module+"/cmd/") {
					if !strings.HasPrefix(pkg, imp) { // cmd/kite's own external tests may import it
						t.Errorf("%s imports %s: nothing may import the command line", pkg, imp)
					}
				}
			}
		}
	}
}

// TestKitespecIsALeaf: pkg/kitespec is what the client and the sandbox
// share, so it must bring neither with it, nor anything else of ours.
func TestKitespecIsALeaf(t *testing.T) {
	for _, dep := range goList(t, "../kitespec", "-deps", "-f", "{{.ImportPath}}", ".") {
		if strings.HasPrefix(dep, module+"/") && dep != module+"/pkg/kitespec" {
			t.Errorf("pkg/kitespec depends on %s: it must import nothing of ours", dep)
		}
	}
}
