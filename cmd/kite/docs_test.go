package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/iostreams"
	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// TestGeneratedDocs fails when completions/ or docs/man/ no longer match the
// command tree. scripts/gen-docs.sh rewrites them (KITE_UPDATE_DOCS=1).
func TestGeneratedDocs(t *testing.T) {
	io, _, _, _ := iostreams.Test()
	root := newRootCmd(newFactory(io, func(string) string { return "" }))
	root.DisableAutoGenTag = true
	want := generateDocs(t, root)

	repo := filepath.Join("..", "..")
	if os.Getenv("KITE_UPDATE_DOCS") == "1" {
		for _, dir := range []string{"completions", filepath.Join("docs", "man")} {
			if err := os.RemoveAll(filepath.Join(repo, dir)); err != nil {
				t.Fatal(err)
			}
		}
		for name, content := range want {
			path := filepath.Join(repo, name)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	for name, content := range want {
		got, err := os.ReadFile(filepath.Join(repo, name))
		if err != nil || !bytes.Equal(got, content) {
			t.Errorf("%s is stale or missing: run scripts/gen-docs.sh and commit the result", name)
		}
	}
	for _, dir := range []string{"completions", filepath.Join("docs", "man")} {
		entries, _ := os.ReadDir(filepath.Join(repo, dir))
		for _, e := range entries {
			if _, ok := want[filepath.Join(dir, e.Name())]; !ok {
				t.Errorf("%s is not generated any more: run scripts/gen-docs.sh", filepath.Join(dir, e.Name()))
			}
		}
	}
}

func generateDocs(t *testing.T, root *cobra.Command) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	var b bytes.Buffer
	gens := map[string]func() error{
		"completions/kite.bash": func() error { return genBashCompletion(root, &b, true) },
		"completions/kite.zsh":  func() error { return root.GenZshCompletion(&b) },
		"completions/kite.fish": func() error { return root.GenFishCompletion(&b, true) },
		"completions/kite.ps1":  func() error { return root.GenPowerShellCompletionWithDesc(&b) },
	}
	for name, gen := range gens {
		b.Reset()
		if err := gen(); err != nil {
			t.Fatal(err)
		}
		out[name] = append([]byte(nil), b.Bytes()...)
	}
	dir := t.TempDir()
	date := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	header := &doc.GenManHeader{Title: "KITE", Section: "1", Date: &date, Source: "kite", Manual: "kite manual"}
	if err := doc.GenManTree(root, header, dir); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		content, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Join("docs", "man", e.Name())] = content
	}
	return out
}
