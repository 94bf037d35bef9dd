package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox"
)

func TestE2EInstruments(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	env = mdEnv(env, "KITE_HOME", t.TempDir())
	r := runKite(t, kiteRun{Env: env}, "instruments", "-o", "csv")
	mdExpect(t, r, 0)
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if lines[0] != "instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange" || len(lines) < 20 {
		t.Fatalf("csv header/rows:\n%.500s", r.Stdout)
	}
	files, _ := filepath.Glob(filepath.Join(env["KITE_HOME"], "cache", "instruments", "*-ALL.csv"))
	if len(files) != 1 {
		t.Fatalf("cache files %v", files)
	}
	if fi, err := os.Stat(files[0]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("cache file mode: %v %v", fi, err)
	}

	r = runKite(t, kiteRun{Env: env}, "instruments", "--exchange", "nfo", "-o", "json")
	mdExpect(t, r, 0)
	var nfo []map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &nfo); err != nil || len(nfo) == 0 {
		t.Fatalf("NFO json: %v", err)
	}
	for _, in := range nfo {
		if in["exchange"] != "NFO" {
			t.Fatalf("NFO dump has %v", in)
		}
	}

	r = runKite(t, kiteRun{Env: env}, "instruments", "search", "infy", "-o", "json", "--jq", `.[0] | "\(.exchange):\(.tradingsymbol)"`)
	mdExpect(t, r, 0)
	if strings.TrimSpace(r.Stdout) != "NSE:INFY" {
		t.Fatalf("search infy first hit: %q", r.Stdout)
	}
	r = runKite(t, kiteRun{Env: env}, "instruments", "search", "bse:infy", "-o", "ndjson", "--jq", `"\(.exchange):\(.tradingsymbol)"`)
	mdExpect(t, r, 0)
	if strings.TrimSpace(r.Stdout) != "BSE:INFY" {
		t.Fatalf("search bse:infy: %q", r.Stdout)
	}
	r = runKite(t, kiteRun{Env: env}, "instruments", "search", "nifty", "--exchange", "NFO", "--type", "FUT", "-o", "ndjson", "--jq", ".instrument_type")
	mdExpect(t, r, 0)
	if r.Stdout == "" || strings.Trim(strings.ReplaceAll(r.Stdout, "FUT\n", ""), "\n") != "" {
		t.Fatalf("--type FUT: %q", r.Stdout)
	}
}

func TestE2EInstrumentsUsageErrors(t *testing.T) {
	env := map[string]string{"KITE_BASE_URL": "http://127.0.0.1:1", "KITE_API_KEY": "k", "KITE_ACCESS_TOKEN": "t"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"instruments", "--exchange", "N$E"}, "invalid --exchange"},
		{[]string{"instruments", "search"}, "needs a QUERY"},
		{[]string{"instruments", "search", "x", "--expiry", "26-11"}, "invalid --expiry"},
		{[]string{"instruments", "search", "x", "--expiry", "2026-13"}, "invalid --expiry"},
		{[]string{"instruments", "search", "x", "--limit", "-1"}, "--limit"},
		{[]string{"instruments", "search", "x", "--type", "INDEX"}, "unknown --type"},
	} {
		mdExpect(t, runKite(t, kiteRun{Env: env}, c.args...), 2, c.want)
	}
}
