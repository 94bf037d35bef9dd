package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/internal/mangen"
	"github.com/kitecli/kite/internal/reference"
	"github.com/spf13/cobra"
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
	header := mangen.Header{Section: "1", Date: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Source: "kite", Manual: "kite manual"}
	for name, content := range mangen.Tree(root, header, manReferenceSections()) {
		out[filepath.Join("docs", "man", name)] = content
	}
	return out
}

// manReferenceSections are kite(1)'s ENVIRONMENT, EXIT STATUS and FILES,
// from the rows the README's tables are made of.
func manReferenceSections() []mangen.Section {
	return []mangen.Section{
		{Name: "ENVIRONMENT", Body: reference.Roff(reference.Environment())},
		{Name: "EXIT STATUS", Body: reference.Roff(reference.ExitCodes())},
		{Name: "FILES", Body: reference.Roff(reference.Files())},
	}
}

// TestReadmeReferenceTables: the README's exit-code, environment and files
// tables are exactly the rows the man page's sections are made from.
func TestReadmeReferenceTables(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		heading, key, meaning string
		rows                  []reference.Row
	}{
		{"## Exit codes", "code", "meaning", reference.ExitCodes()},
		{"## Environment", "variable", "meaning", reference.Environment()},
		{"## Files", "path", "what", reference.Files()},
	} {
		want := c.heading + "\n\n" + reference.Markdown(c.key, c.meaning, c.rows)
		if !bytes.Contains(readme, []byte(want)) {
			t.Errorf("README.md's %q table differs from internal/reference; it should read:\n%s", c.heading, want)
		}
	}
}

// TestManPagesKeepText: what cobra/doc's Markdown pass lost is kept: text
// in angle brackets, and indented lines one per line.
func TestManPagesKeepText(t *testing.T) {
	io, _, _, _ := iostreams.Test()
	root := newRootCmd(newFactory(io, func(string) string { return "" }))
	pages := generateDocs(t, root)
	login := string(pages[filepath.Join("docs", "man", "kite-login.1")])
	sb := string(pages[filepath.Join("docs", "man", "kite-sandbox.1")])
	for _, want := range []string{
		"profiles/<profile>/session.json",
		".nf\n  \\-\\-request\\-token T   exchange a request token",
	} {
		if !strings.Contains(login, want) {
			t.Errorf("kite-login.1 lacks %q", want)
		}
	}
	for _, want := range []string{
		"export KITE_ACCESS_TOKEN=<a fresh access token>\n",
		"  api_key      kitesandbox\n  api_secret   sandbox\\-api\\-secret\n",
		".SH EXAMPLES\n",
	} {
		if !strings.Contains(sb, want) {
			t.Errorf("kite-sandbox.1 lacks %q", want)
		}
	}
	kite := string(pages[filepath.Join("docs", "man", "kite.1")])
	for _, want := range []string{".SH ENVIRONMENT\n.TP\n\\fBKITE_HOME\\fR", ".SH EXIT STATUS\n.TP\n0\n", ".SH FILES\n", "\\fBKITE_SANDBOX_SEED\\fR"} {
		if !strings.Contains(kite, want) {
			t.Errorf("kite.1 lacks %q", want)
		}
	}
}
