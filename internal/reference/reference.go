// Package reference holds kite's reference tables (exit codes, environment
// variables, files) in one place, so that README.md and the man pages are
// made from the same rows and cannot drift apart: a test in cmd/kite checks
// the README's tables against Markdown, and the man generator uses Roff.
//
// Cells are Markdown: `code` spans and \| for a literal bar.
package reference

import "strings"

// Row is one row of a two-column table: a key (a code, a variable, a path)
// and what it means.
type Row struct{ Key, Meaning string }

// ExitCodes are kite's exit statuses (internal/exitcode is their code).
func ExitCodes() []Row {
	return []Row{
		{"0", "ok (also a stream ended by `--count`, `--duration` or `--until`, and any command whose reader closed the pipe: `kite history … \\| head -1`)"},
		{"1", "API or general error, including an `InputException` from Kite (it came back after the request) and a `--jq` program that fails at run time"},
		{"2", "usage or invalid input, caught before any request: a bad flag or argument (followed by `Run 'kite X --help' for usage.`), an unknown symbol in any command, an `instruments search` that matches nothing, an unreadable file or record"},
		{"3", "no session (none, expired, corrupt, or made for another server): run `kite login`"},
		{"4", "permission (e.g. the historical-data add-on is missing)"},
		{"5", "order rejected (OrderException, MarginException)"},
		{"6", "network: retries exhausted, or an order write that could not connect (not placed)"},
		{"7", "rate limited after retries"},
		{"8", "order outcome unknown: a place, modify or cancel failed after it was sent and the order book did not settle it; the message gives the tag and `kite orders reconcile TAG` (or `kite orders show ID`); a GTT or alert write that failed after it was sent, likewise, with `kite gtt` or `kite alerts` to check"},
		{"130", "interrupted: SIGINT (Ctrl-C), 128+2 as a shell reports it"},
		{"143", "terminated: SIGTERM, 128+15"},
	}
}

// Environment are the variables kite reads.
func Environment() []Row {
	return []Row{
		{"`KITE_HOME`", "where sessions and caches live (default: OS config/cache dirs)"},
		{"`KITE_PROFILE`", "session profile (default `default`)"},
		{"`KITE_SANDBOX_SEED`", "seed of `--sandbox` (default 0; `--sandbox-seed` wins): the market, and which saved paper account the command uses"},
		{"`KITE_BASE_URL`, `KITE_WS_URL`", "REST root and ticker URL (default Kite's; `kite sandbox` prints them); plain `http://`/`ws://` only to loopback"},
		{"`KITE_INSECURE_SEND_TOKEN_IN_CLEAR`", "`1`: allow plain `http://`/`ws://` to other hosts, sending the token unencrypted (warns every run)"},
		{"`KITE_API_KEY`, `KITE_ACCESS_TOKEN`", "a Kite Connect session without a cache"},
		{"`KITE_USER_ID`, `KITE_ENCTOKEN`", "a Kite web session without a cache"},
		{"`KITE_API_SECRET`, `KITE_PASSWORD`, `KITE_TOTP_SECRET`", "login secrets"},
		{"`KITE_RETRY_BASE`, `_MAX`, `_ATTEMPTS`", "REST retry backoff (default 3s, 30s, 5)"},
		{"`KITE_RECONNECT_BASE`, `_MAX`, `_ATTEMPTS`", "ticker reconnect backoff (default 2s, 60s, 50)"},
		{"`KITE_WATCHDOG`", "reconnect a ticker connection silent this long (default 5s; `--watchdog` wins)"},
		{"`KITE_RATE_*`", "client-side rate limits per endpoint class (see `kite quote --help`); the quote pacing is shared by processes through `$KITE_HOME/cache/ratelimit`, never waits more than one period, and warns on a stamp it cannot believe"},
		{"`KITE_MAX_ORDER_VALUE`", "refuse orders worth more than this (see `kite orders place --help`; also `kite mcp`'s cap)"},
		{"`KITE_RISK_FREE_RATE`", "continuously compounded rate for `kite chain` IV and greeks (default 0.0531; see `kite chain --help`)"},
		{"`KITE_ALGO_ID`", "default `--algo-id` of `kite orders place`"},
		{"`KITE_RECONCILE_WINDOW`", "how long an ambiguous place is looked for in the order book (default 15s)"},
		{"`NATS_URL`", "NATS server URL(s) for `kite stream --publish \"\"` / `--from \"\"` and `kite watch --from \"\"` (comma-separated for a cluster)"},
		{"`NO_COLOR`", "no colour (set and not empty; `--color always` still colours)"},
	}
}

// Files are what kite keeps under KITE_HOME.
func Files() []Row {
	return []Row{
		{"`$KITE_HOME/config/profiles/NAME/session.json`", "the cached session of profile NAME (0600, written atomically under `session.lock`; `kite logout` removes it)"},
		{"`$KITE_HOME/config/sandbox/account-seed-N.json`", "the paper account of `kite --sandbox` with seed N: orders, trades, positions, holdings, GTTs and alerts (0600; `kite sandbox reset` removes it)"},
		{"`$KITE_HOME/config/mcp-audit.jsonl`", "the audit log of order writes made through `kite mcp` (0600)"},
		{"`$KITE_HOME/cache/instruments/`", "the day's instrument dump per exchange, fetched again when stale"},
		{"`$KITE_HOME/cache/ratelimit/`", "the quote pacing shared by concurrent kite processes"},
	}
}

// Markdown is rows as a Markdown table under the two headings.
func Markdown(key, meaning string, rows []Row) string {
	var b strings.Builder
	b.WriteString("| " + key + " | " + meaning + " |\n| --- | --- |\n")
	for _, r := range rows {
		b.WriteString("| " + r.Key + " | " + r.Meaning + " |\n")
	}
	return b.String()
}

// Roff is rows as a roff tagged-paragraph list (.TP), for a man page: code
// spans become bold, and roff's special characters are escaped.
func Roff(rows []Row) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(".TP\n" + RoffInline(r.Key) + "\n" + RoffInline(r.Meaning) + "\n")
	}
	return b.String()
}

// RoffInline turns one line of Markdown-ish text into roff: `code` in bold,
// \| as |, backslashes and hyphens escaped, and a leading dot or quote
// guarded so roff does not read it as a request.
func RoffInline(s string) string {
	s = strings.ReplaceAll(s, `\|`, "|")
	parts := strings.Split(s, "`")
	var b strings.Builder
	for i, p := range parts {
		p = RoffEscape(p)
		if i%2 == 1 && i < len(parts)-1 {
			p = `\fB` + p + `\fR`
		} else if i%2 == 1 {
			p = "`" + p // an unmatched backtick stays
		}
		b.WriteString(p)
	}
	return GuardLine(b.String())
}

// RoffEscape escapes roff's backslash and hyphen in text.
func RoffEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	return strings.ReplaceAll(s, "-", `\-`)
}

// GuardLine keeps a line that starts with . or ' from being read as a
// roff request.
func GuardLine(s string) string {
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		return `\&` + s
	}
	return s
}
