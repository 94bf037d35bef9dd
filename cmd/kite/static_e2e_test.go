package main

import (
	"bufio"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestREADMEInstallIsStatic runs the README's install line as written (with
// GOBIN pointed at a temp dir) and checks the binary is statically linked:
// no ELF interpreter and no shared libraries needed. The README promises
// "one static binary"; a default cgo build on a machine with gcc is not.
func TestREADMEInstallIsStatic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds kite")
	}
	if runtime.GOOS != "linux" {
		t.Skip("checks an ELF binary")
	}
	root := moduleRoot(t)
	f, err := os.Open(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var line string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "go install ./cmd/kite") {
			line = sc.Text()
			break
		}
	}
	if line == "" {
		t.Fatal("README has no install line with go install ./cmd/kite")
	}
	if !strings.HasPrefix(line, "CGO_ENABLED=0 ") {
		t.Errorf("README install line %q does not build a static binary (CGO_ENABLED=0)", line)
	}
	gobin := t.TempDir()
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOBIN="+gobin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	bin, err := elf.Open(filepath.Join(gobin, "kite"))
	if err != nil {
		t.Fatal(err)
	}
	defer bin.Close()
	for _, p := range bin.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the installed kite has an ELF interpreter: it is dynamically linked")
		}
	}
	if libs, _ := bin.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the installed kite needs shared libraries %v", libs)
	}
}
