package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/auth"
	"github.com/kitecli/kite/pkg/sandbox"
)

// mdDirectCandles asks the sandbox for one range with a plain HTTP request,
// independently of kite's chunking, and returns CSV rows as kite writes
// them (time with +05:30, values as sent).
func mdDirectCandles(t *testing.T, env map[string]string, token, interval, from, to string) []string {
	t.Helper()
	q := url.Values{"from": {from}, "to": {to}}
	req, _ := http.NewRequest(http.MethodGet, env["KITE_BASE_URL"]+"/instruments/historical/"+token+"/"+interval+"?"+q.Encode(), nil)
	req.Header.Set("X-Kite-Version", "3")
	req.Header.Set("Authorization", "token "+env["KITE_API_KEY"]+":"+env["KITE_ACCESS_TOKEN"])
	var body struct {
		Data struct {
			Candles [][]json.RawMessage `json:"candles"`
		} `json:"data"`
	}
	for attempt := 0; ; attempt++ { // share the sandbox's 3/s with kite
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests && attempt < 5 {
			time.Sleep(time.Second)
			continue
		}
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("direct GET: %d %v", resp.StatusCode, err)
		}
		break
	}
	var rows []string
	for _, c := range body.Data.Candles {
		var ts string
		if err := json.Unmarshal(c[0], &ts); err != nil {
			t.Fatal(err)
		}
		tm, err := time.Parse("2006-01-02T15:04:05-0700", ts)
		if err != nil {
			t.Fatal(err)
		}
		cells := []string{tm.Format(time.RFC3339)}
		for _, v := range c[1:] {
			cells = append(cells, string(v))
		}
		rows = append(rows, strings.Join(cells, ","))
	}
	return rows
}

func TestE2EHistorySeamsMatchDirectRequests(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	// 2026-05-01 .. 2026-09-30 at minute: seams (IST midnights 60 days
	// apart from 2026-05-01) on 2026-06-30 and 2026-08-29.
	r := runKite(t, kiteRun{Env: env}, "history", "NSE:INFY", "--interval", "minute", "--from", "2026-05-01", "--to", "2026-09-30", "-o", "csv")
	mdExpect(t, r, 0)
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	if lines[0] != "date,open,high,low,close,volume" {
		t.Fatalf("header %q", lines[0])
	}
	rows := lines[1:]
	var prev time.Time
	for i, row := range rows {
		tm, err := time.Parse(time.RFC3339, strings.SplitN(row, ",", 2)[0])
		if err != nil || !tm.After(prev) {
			t.Fatalf("row %d %q: not strictly after %v (%v)", i, row, prev, err)
		}
		prev = tm
	}
	if first, last := rows[0][:10], rows[len(rows)-1][:10]; first < "2026-05-01" || last > "2026-09-30" {
		t.Fatalf("rows span %s..%s", first, last)
	}
	// Around each seam, kite's rows are exactly what one direct request for
	// the neighbourhood answers: nothing missing, nothing repeated.
	for _, seam := range []string{"2026-06-30", "2026-08-29"} {
		st, _ := time.ParseInLocation(time.DateOnly, seam, time.FixedZone("IST", 19800))
		from, to := st.AddDate(0, 0, -4), st.AddDate(0, 0, 4)
		want := mdDirectCandles(t, env, "408065", "minute", from.Format(time.DateTime), to.Format(time.DateTime))
		if len(want) < 375 {
			t.Fatalf("direct request around %s: only %d candles", seam, len(want))
		}
		var got []string
		for _, row := range rows {
			tm, _ := time.Parse(time.RFC3339, strings.SplitN(row, ",", 2)[0])
			if !tm.Before(from) && !tm.After(to) {
				got = append(got, row)
			}
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("around seam %s: kite has %d rows, a direct request %d", seam, len(got), len(want))
		}
	}
}

func TestE2EHistoryFormats(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	direct := mdDirectCandles(t, env, "408065", "day", "2026-10-01 00:00:00", "2026-10-31 23:59:59")
	r := runKite(t, kiteRun{Env: env}, "history", "NSE:INFY", "--interval", "day", "--from", "2026-10-01", "--to", "2026-10-31", "-o", "csv")
	mdExpect(t, r, 0)
	if want := "date,open,high,low,close,volume\n" + strings.Join(direct, "\n") + "\n"; r.Stdout != want {
		t.Fatalf("csv:\n%s\nwant:\n%s", r.Stdout, want)
	}
	r = runKite(t, kiteRun{Env: env}, "history", "408065", "--interval", "day", "--from", "2026-10-01", "--to", "2026-10-31")
	mdExpect(t, r, 0)
	var recs []map[string]any
	dec := json.NewDecoder(strings.NewReader(r.Stdout))
	dec.UseNumber()
	if err := dec.Decode(&recs); err != nil || len(recs) != len(direct) {
		t.Fatalf("json: %d records, %v\n%s", len(recs), err, r.Stdout)
	}
	if cells := strings.Split(direct[0], ","); recs[0]["close"] != json.Number(cells[4]) || recs[0]["date"] != cells[0] {
		t.Fatalf("json close %s, want %s", recs[0]["close"], cells[4])
	}
	r = runKite(t, kiteRun{Env: env}, "history", "NSE:INFY", "--interval", "day", "--from", "2026-10-01", "--to", "2026-10-31", "-o", "ndjson", "--jq", ".date")
	mdExpect(t, r, 0)
	if n := strings.Count(r.Stdout, "\n"); n != len(direct) || !strings.HasPrefix(r.Stdout, strings.SplitN(direct[0], ",", 2)[0]+"\n") {
		t.Fatalf("ndjson --jq .date: %q", r.Stdout)
	}
	// --oi adds the column (futures carry open interest).
	r = runKite(t, kiteRun{Env: env}, "instruments", "search", "NIFTY", "--type", "FUT", "-o", "json", "--jq", `.[0] | "\(.exchange):\(.tradingsymbol)"`)
	mdExpect(t, r, 0)
	fut := strings.TrimSpace(r.Stdout)
	r = runKite(t, kiteRun{Env: env}, "history", fut, "--interval", "60minute", "--from", "3d", "--oi", "-o", "csv")
	mdExpect(t, r, 0)
	if !strings.HasPrefix(r.Stdout, "date,open,high,low,close,volume,oi\n") {
		t.Fatalf("--oi csv:\n%.300s", r.Stdout)
	}
}

func TestE2EHistoryBadInput(t *testing.T) {
	// Usage errors come before any request: a dead base URL would be exit 6.
	dead := map[string]string{"KITE_BASE_URL": "http://127.0.0.1:1", "KITE_API_KEY": "k", "KITE_ACCESS_TOKEN": "t"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"history", "NSE:INFY", "--interval", "2minute", "--from", "7d"}, `unknown --interval "2minute"`},
		{[]string{"history", "NSE:INFY", "--from", "2024-02-01", "--to", "2024-01-01"}, "is not before --to"},
		{[]string{"history", "NSE:INFY", "--from", "yesterday-ish"}, "invalid --from"},
		{[]string{"history", "NSE:INFY", "--from", "2024-02-30"}, "invalid --from"},
		{[]string{"history", "NSE:INFY", "--from", "7d", "--to", "later"}, "invalid --to"},
		{[]string{"history", "NSE:INFY"}, "needs --from"},
		{[]string{"history", "NSE:INFY", "--from", "2099-01-01"}, "is in the future"},
		// A bare symbol means NSE (issue 16): said first, and still no request.
		{[]string{"history", "INFY", "--from", "2099-01-01"}, "kite: INFY means NSE:INFY; write the exchange to silence this\nkite: --from 2099-01-01"},
		{[]string{"history", "--from", "7d"}, "one SYMBOL"},
		{[]string{"history", "NSE:INFY", "--interval", "minute", "--from", "2006-01-01", "--to", "2026-01-01"}, "this range needs 122 requests"},
	} {
		r := runKite(t, kiteRun{Env: dead}, c.args...)
		mdExpect(t, r, 2, c.want)
		if r.Stdout != "" {
			t.Fatalf("%v: stdout %q", c.args, r.Stdout)
		}
	}
	_, env := startTestSandbox(t, sandbox.Options{})
	mdExpect(t, runKite(t, kiteRun{Env: env}, "history", "NSE:NOPE", "--from", "7d"), 2, `unknown instrument "NSE:NOPE"`)
}

func TestE2EHistoryWebSession(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{})
	ac := &auth.Client{Root: srv.URL()}
	sess, err := ac.WebLogin(context.Background(), sandbox.UserID, sandbox.Password, auth.TOTPFromSecret(sandbox.TOTPSecret, time.Now))
	if err != nil {
		t.Fatal(err)
	}
	web := map[string]string{"KITE_BASE_URL": env["KITE_BASE_URL"], "KITE_ENCTOKEN": sess.Token, "KITE_USER_ID": sandbox.UserID}
	r := runKite(t, kiteRun{Env: web}, "history", "NSE:INFY", "--interval", "day", "--from", "2026-10-01", "--to", "2026-10-31", "-o", "csv", "--debug")
	mdExpect(t, r, 0, "/oms/instruments/historical/408065/day", "enctoken REDACTED")
	direct := mdDirectCandles(t, env, "408065", "day", "2026-10-01 00:00:00", "2026-10-31 23:59:59")
	if want := "date,open,high,low,close,volume\n" + strings.Join(direct, "\n") + "\n"; r.Stdout != want {
		t.Fatalf("web session csv:\n%s", r.Stdout)
	}
	if strings.Contains(r.Stderr, sess.Token) {
		t.Fatal("enctoken in the debug trace")
	}
}

// The session dies while a long download runs: kite exits 3 and the
// candles it had are on stdout, complete rows, in order.
func TestE2EHistorySessionExpiresMidway(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{})
	cmd := exec.Command(kiteBin, "history", "NSE:INFY", "--interval", "minute", "--from", "2025-11-01", "--to", "2026-10-31", "-o", "csv")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "KITE_HOME=" + t.TempDir(), "KITE_RATE_HISTORICAL=1/s"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	defer func() {
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
		}
	}()
	br := bufio.NewReader(stdout)
	var out strings.Builder
	// The first chunk (up to 2025-12-31) arrives; then the session dies.
	for {
		line, err := br.ReadString('\n')
		out.WriteString(line)
		if err != nil {
			t.Fatalf("stdout ended before any candle: %v\n%s", err, stderr.String())
		}
		if strings.HasPrefix(line, "2025-11-") {
			break
		}
	}
	srv.ExpireSessions()
	rest, _ := readAllString(br)
	out.WriteString(rest)
	err = cmd.Wait()
	close(done)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("exit %v, want 3\nstderr: %s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "history stopped after") || !strings.Contains(stderr.String(), "TokenException") {
		t.Fatalf("stderr: %s", stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if !strings.HasSuffix(out.String(), "\n") || len(lines) < 1000 {
		t.Fatalf("want whole rows of at least the first chunk, got %d lines ending %q", len(lines), out.String()[max(0, out.Len()-50):])
	}
	last := lines[len(lines)-1]
	if last >= "2026-10" || strings.Count(last, ",") != 5 {
		t.Fatalf("last row %q: the download should have stopped early with whole rows", last)
	}
}

func readAllString(r *bufio.Reader) (string, error) {
	var b strings.Builder
	_, err := r.WriteTo(&b)
	return b.String(), err
}

func TestParseWhen(t *testing.T) {
	ist := time.FixedZone("IST", 19800)
	now := time.Date(2026, 11, 21, 11, 30, 15, 0, ist)
	for _, c := range []struct {
		in   string
		isTo bool
		want string
	}{
		{"now", false, "2026-11-21T11:30:15+05:30"},
		{"today", false, "2026-11-21T00:00:00+05:30"},
		{"today", true, "2026-11-21T11:30:15+05:30"},
		{"yesterday", false, "2026-11-20T00:00:00+05:30"},
		{"yesterday", true, "2026-11-20T23:59:59+05:30"},
		{"7d", false, "2026-11-14T11:30:15+05:30"},
		{"2w", false, "2026-11-07T11:30:15+05:30"},
		{"3mo", false, "2026-08-21T11:30:15+05:30"},
		{"1y", false, "2025-11-21T11:30:15+05:30"},
		{"90min", false, "2026-11-21T10:00:15+05:30"},
		{"6h", false, "2026-11-21T05:30:15+05:30"},
		{"2024-01-31", false, "2024-01-31T00:00:00+05:30"},
		{"2024-01-31", true, "2024-01-31T23:59:59+05:30"},
		{"2024-01-31 09:15", false, "2024-01-31T09:15:00+05:30"},
		{"2024-01-31T09:15:30", true, "2024-01-31T09:15:30+05:30"},
		{"2024-01-31T03:45:00Z", false, "2024-01-31T09:15:00+05:30"},
	} {
		got, err := parseWhen(c.in, now, c.isTo)
		if err != nil || !got.Equal(mustParse(t, c.want)) {
			t.Errorf("parseWhen(%q, to=%v) = %v, %v; want %s", c.in, c.isTo, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "7", "7days", "-7d", "2024-1-1", "31-01-2024", "tomorrow", "1e3d"} {
		if _, err := parseWhen(bad, now, false); err == nil {
			t.Errorf("parseWhen(%q) accepted", bad)
		}
	}
}

func mustParse(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Ctrl-C during a long download: exit 130, and stdout is still a valid
// JSON document holding the candles fetched so far.
func TestE2EHistoryInterruptedKeepsValidJSON(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	cmd := exec.Command(kiteBin, "history", "NSE:INFY", "--interval", "minute", "--from", "2025-11-01", "--to", "2026-10-31", "-o", "json")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "KITE_HOME=" + t.TempDir(), "KITE_RATE_HISTORICAL=1/s"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(stdout)
	var out strings.Builder
	for !strings.Contains(out.String(), `"date"`) {
		line, err := br.ReadString('\n')
		out.WriteString(line)
		if err != nil {
			cmd.Process.Kill()
			t.Fatalf("no candle before EOF: %v\n%s", err, stderr.String())
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	rest, _ := readAllString(br)
	out.WriteString(rest)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130\nstderr: %s", err, stderr.String())
	}
	var recs []map[string]any
	if err := json.Unmarshal([]byte(out.String()), &recs); err != nil || len(recs) == 0 {
		t.Fatalf("stdout is not a JSON array of candles (%v), ends %q", err, out.String()[max(0, out.Len()-80):])
	}
}

// TestE2EHistoryIntervalAliases: --interval 5m and 1d fetch exactly what
// Kite's names 5minute and day fetch from the sandbox; an unknown alias is a
// usage error that lists the aliases.
func TestE2EHistoryIntervalAliases(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	for alias, name := range map[string]string{"5m": "5minute", "1d": "day"} {
		direct := mdDirectCandles(t, env, "408065", name, "2026-10-01 00:00:00", "2026-10-01 23:59:59")
		r := runKite(t, kiteRun{Env: env}, "history", "NSE:INFY", "--interval", alias, "--from", "2026-10-01", "--to", "2026-10-01", "-o", "csv")
		mdExpect(t, r, 0)
		if want := "date,open,high,low,close,volume\n" + strings.Join(direct, "\n") + "\n"; r.Stdout != want {
			t.Fatalf("--interval %s:\n%s\nwant (%s):\n%s", alias, r.Stdout, name, want)
		}
	}
	r := runKite(t, kiteRun{Env: env}, "history", "NSE:INFY", "--interval", "2m", "--from", "1d")
	if r.Code != 2 || !strings.Contains(r.Stderr, `unknown --interval "2m"`) || !strings.Contains(r.Stderr, "1m, 3m, 5m") {
		t.Fatalf("--interval 2m: %+v", r)
	}
}
