package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kitecli/kite/internal/complete"
	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/pkg/sandbox"
)

// completeRun runs `kite __complete ARGS…`, cobra's hidden command that
// every shell's completion script calls, and returns the candidates
// (descriptions cut off) and the directive line.
func completeRun(t *testing.T, env map[string]string, args ...string) (cands []string, directive string) {
	t.Helper()
	r := runKite(t, kiteRun{Env: env}, append([]string{"__complete"}, args...)...)
	if r.Code != 0 {
		t.Fatalf("__complete %q: exit %d\n%s%s", args, r.Code, r.Stdout, r.Stderr)
	}
	for _, line := range strings.Split(strings.TrimRight(r.Stdout, "\n"), "\n") {
		if strings.HasPrefix(line, ":") {
			directive = line
			continue
		}
		c, _, _ := strings.Cut(line, "\t")
		cands = append(cands, c)
	}
	return cands, directive
}

func TestE2ECompleteFlagValues(t *testing.T) {
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"history", "NSE:INFY", "--interval", ""}, []string{"minute", "5minute", "day", "5m", "1h", "1d"}},
		{[]string{"history", "NSE:INFY", "-i", "5"}, []string{"5minute"}}, // the shell narrows to the prefix
		{[]string{"quote", "--mode", ""}, []string{"full", "ohlc", "ltp"}},
		{[]string{"stream", "NSE:INFY", "--mode", ""}, []string{"ltp", "quote", "full"}},
		{[]string{"holdings", "-o", ""}, []string{"table", "json", "ndjson", "csv"}},
		{[]string{"holdings", "--color", ""}, []string{"never", "auto", "always"}},
		{[]string{"orders", "place", "--type", ""}, []string{"MARKET", "LIMIT", "SL", "SL-M"}},
		{[]string{"orders", "place", "--product", ""}, []string{"CNC", "MIS", "NRML", "MTF"}},
		{[]string{"orders", "place", "--exchange", ""}, []string{"NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX"}},
		{[]string{"orders", "place", "--variety", ""}, []string{"regular", "amo", "co", "iceberg", "auction"}},
		{[]string{"orders", "place", "--validity", ""}, []string{"DAY", "IOC", "TTL"}},
		{[]string{"instruments", "search", "NIFTY", "--type", ""}, []string{"EQ", "FUT", "CE", "PE"}},
		{[]string{"watch", "--sort", ""}, []string{"symbol", "price", "change", "volume", "oi"}},
		{[]string{"margins", ""}, []string{"equity", "commodity"}},
	}
	for _, c := range cases {
		got, dir := completeRun(t, nil, c.args...)
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("kite %s<TAB>: %q lacks %q", strings.Join(c.args, " "), got, w)
			}
		}
		if dir != ":4" { // ShellCompDirectiveNoFileComp: no file names offered
			t.Errorf("kite %s<TAB>: directive %s, want :4 (no files)", strings.Join(c.args, " "), dir)
		}
	}
	// quote's --mode has no "quote" mode; a number flag offers no files.
	if got, _ := completeRun(t, nil, "quote", "--mode", ""); slices.Contains(got, "quote") {
		t.Errorf("kite quote --mode offers %q", got)
	}
	if got, dir := completeRun(t, nil, "orders", "place", "--qty", ""); len(got) != 0 || dir != ":4" {
		t.Errorf("--qty: %q %s, want nothing and no files", got, dir)
	}
}

func TestE2ECompleteSymbols(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	env["KITE_HOME"] = t.TempDir()
	// The exchange first, without a space after it.
	got, dir := completeRun(t, env, "quote", "N")
	if !slices.Equal(got, []string{"NSE:", "NFO:"}) || dir != ":6" {
		t.Errorf("quote N<TAB>: %q %s, want NSE: NFO: with no space (:6)", got, dir)
	}
	// No cache yet: nothing, and no download.
	if got, _ := completeRun(t, env, "quote", "NSE:INF"); len(got) != 0 {
		t.Errorf("before any dump was cached: %q", got)
	}
	if r := runKite(t, kiteRun{Env: env}, "quote", "NSE:INFY"); r.Code != 0 {
		t.Fatalf("quote: %d %s", r.Code, r.Stderr)
	}
	got, _ = completeRun(t, env, "quote", "NSE:INF")
	if !slices.Contains(got, "NSE:INFY") {
		t.Errorf("quote NSE:INF<TAB> after a cached dump: %q", got)
	}
	for _, c := range got {
		if !strings.HasPrefix(c, "NSE:INF") {
			t.Errorf("candidate %q does not start with NSE:INF", c)
		}
	}
	// Several symbols, and the --symbol flag.
	if got, _ := completeRun(t, env, "stream", "NSE:INFY", "NSE:RELI"); !slices.Equal(got, []string{"NSE:RELIANCE"}) {
		t.Errorf("stream NSE:INFY NSE:RELI<TAB>: %q", got)
	}
	if got, _ := completeRun(t, env, "orders", "place", "--symbol", "nse:sbi"); !slices.Contains(got, "NSE:SBIN") {
		t.Errorf("orders place --symbol nse:sbi<TAB>: %q", got)
	}
	// One symbol only: history's second argument offers nothing.
	if got, _ := completeRun(t, env, "history", "NSE:INFY", "NSE:"); len(got) != 0 {
		t.Errorf("history's second argument: %q", got)
	}
	// --sandbox: the in-process sandbox's universe, no cache needed.
	got, _ = completeRun(t, nil, "--sandbox", "chain", "NSE:RELI")
	if !slices.Equal(got, []string{"NSE:RELIANCE"}) {
		t.Errorf("--sandbox chain NSE:RELI<TAB>: %q", got)
	}
}

func TestE2ECompleteOrderIDs(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	low := ordersAway(t, env, "NSE:INFY", -0.5)
	_, placed := ordersRun(t, env, 0, "orders", "place", "NSE:INFY", "--buy", "--qty", "2", "--price", low, "--yes")
	id, _ := placed["order_id"].(string)
	if id == "" {
		t.Fatalf("no order_id in %v", placed)
	}
	for _, sub := range []string{"cancel", "modify", "show"} {
		r := runKite(t, kiteRun{Env: env}, "__complete", "orders", sub, "")
		if !strings.Contains(r.Stdout, id+"\tOPEN BUY 2 NSE:INFY") {
			t.Errorf("orders %s <TAB>: want %s with what it is, got\n%s%s", sub, id, r.Stdout, r.Stderr)
		}
	}
	// Without a session: nothing, quietly.
	got, dir := completeRun(t, nil, "orders", "cancel", "")
	if len(got) != 0 || dir != ":4" {
		t.Errorf("without a session: %q %s", got, dir)
	}
}

// TestE2EBashCompletionWithoutPackage sources `kite completion bash` in a
// bash that has no bash-completion package loaded (--norc) and runs the
// completion function as bash would on TAB.
func TestE2EBashCompletionWithoutPackage(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash here")
	}
	dir := t.TempDir()
	if err := os.Symlink(kiteBin, filepath.Join(dir, "kite")); err != nil {
		t.Fatal(err)
	}
	script := `source <(kite completion bash) || exit 9
declare -F _init_completion >/dev/null && { echo "bash-completion is loaded"; exit 9; }
try() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
  COMPREPLY=(); __start_kite 2>/dev/null; echo "${COMPREPLY[*]}"; }
try kite quote --mode ""
try kite --sandbox quote NSE : RELI
try kite --sandbox quote NSE :
try kite history NSE:INFY --interval=5minu
`
	cmd := exec.Command(bash, "--norc", "--noprofile", "-c", script)
	cmd.Env = []string{"PATH=" + dir + ":" + os.Getenv("PATH"), "HOME=" + dir, "KITE_HOME=" + dir}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	want := []string{"full ohlc ltp", "RELIANCE"}
	if len(lines) != 4 || lines[0] != want[0] || lines[1] != want[1] {
		t.Fatalf("completions without bash-completion:\n%s\nwant lines %q", out, want)
	}
	if !strings.Contains(lines[2], "RELIANCE") || !strings.Contains(lines[2], "INFY") {
		t.Errorf("NSE:<TAB> offers %q", lines[2])
	}
	if lines[3] != "5minute" {
		t.Errorf("--interval=5minu<TAB> offers %q", lines[3])
	}
}

// BenchmarkCompleteSymbolsCached is one symbol completion as the binary
// does it: read today's cached full dump (a synthetic one of Kite's size,
// ~100k NSE+NFO rows) and find the prefix's symbols.
func BenchmarkCompleteSymbolsCached(b *testing.B) {
	home := b.TempDir()
	io, _, _, _ := iostreams.Test()
	f := newFactory(io, func(k string) string {
		if k == "KITE_HOME" {
			return home
		}
		return ""
	})
	paths := f.dumpPaths("NFO")
	if err := os.MkdirAll(filepath.Dir(paths[1]), 0o700); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(paths[1], complete.SyntheticDump(), 0o600); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if got, _ := f.completeSymbols("NFO:UND12326DEC10"); len(got) != 4 { // strikes 1000 and 1050, a call and a put each
			b.Fatalf("got %d candidates, want 4: %q", len(got), got)
		}
	}
}
