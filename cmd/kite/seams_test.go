package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/auth"
	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/internal/kitehome"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/sandboxtest"
	"github.com/spf13/cobra"
)

// Unit tests of the command seam (seams.go): newXCmd(f, runF) maps flags
// and arguments to the options struct without running anything, and
// runX(ctx, opts) runs against a sandbox with no Factory and no process.
// The end-to-end tests (the built binary) stay the contract; these are
// the fast checks beside them.

// parseOnly executes cmd with args, which parses flags and arguments and
// calls its runF; the error is the command's (a usage error before runF).
func parseOnly(t *testing.T, cmd *cobra.Command, args ...string) error {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.ExecuteContext(context.Background())
}

func testFactory() *Factory {
	io, _, _, _ := iostreams.Test()
	return newFactory(io, func(string) string { return "" })
}

func TestSeamProfileFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		full bool
	}{{nil, false}, {[]string{"--full"}, true}} {
		var got *profileOptions
		cmd := newProfileCmd(testFactory(), func(o *profileOptions) error { got = o; return nil })
		if err := parseOnly(t, cmd, tc.args...); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if got == nil || got.Full != tc.full {
			t.Fatalf("%v: options %+v, want Full=%v", tc.args, got, tc.full)
		}
	}
	called := false
	cmd := newProfileCmd(testFactory(), func(*profileOptions) error { called = true; return nil })
	if err := parseOnly(t, cmd, "SB0001"); err == nil || called {
		t.Fatalf("an argument to profile: err %v, run called %v; want a usage error before the run", err, called)
	}
}

func TestSeamMFSIPsArgument(t *testing.T) {
	var got *mfSIPsOptions
	cmd := newMFSIPsCmd(testFactory(), func(o *mfSIPsOptions) error { got = o; return nil })
	if err := parseOnly(t, cmd, "800000000000102"); err != nil {
		t.Fatal(err)
	}
	if got.ID != "800000000000102" {
		t.Fatalf("ID %q, want 800000000000102", got.ID)
	}
}

func TestSeamInstrumentsFlags(t *testing.T) {
	var got *InstrumentsOptions
	cmd := newInstrumentsCmd(testFactory(), func(o *InstrumentsOptions) error { got = o; return nil })
	if err := parseOnly(t, cmd, "--exchange", "NFO", "--retry-attempts", "2", "--retry-base", "50ms"); err != nil {
		t.Fatal(err)
	}
	if got.Exchange != "NFO" || got.Retry.Attempts != 2 || got.Retry.Base != 50*time.Millisecond {
		t.Fatalf("options %+v, want exchange NFO, 2 attempts from 50ms", got)
	}
	// A bad exchange is refused by the flag layer: the run never starts.
	called := false
	cmd = newInstrumentsCmd(testFactory(), func(*InstrumentsOptions) error { called = true; return nil })
	err := parseOnly(t, cmd, "--exchange", "N$E")
	if exitcode.Code(err) != exitcode.Usage || called {
		t.Fatalf("--exchange N$E: %v (exit %d), run called %v; want exit 2 before the run", err, exitcode.Code(err), called)
	}
}

func TestSeamLoginFlags(t *testing.T) {
	var got *loginOptions
	cmd := newLoginCmd(testFactory(), func(o *loginOptions) error { got = o; return nil })
	if err := parseOnly(t, cmd, "--web", "--user-id", "AB1234", "--twofa", "123456", "--timeout", "30s"); err != nil {
		t.Fatal(err)
	}
	if !got.Web || got.UserID != "AB1234" || got.TwoFA != "123456" || got.Timeout != 30*time.Second || got.CallbackPort != 5050 {
		t.Fatalf("options %+v", got)
	}
	// Contradictory flags are refused before the run: nothing is read or sent.
	for _, args := range [][]string{
		{"--web", "--api-key", "x"},
		{"--manual", "--request-token", "t"},
		{"--callback-port", "70000"},
		{"--web", "--user-id", "AB1234", "--twofa", "12ab56"},
	} {
		called := false
		cmd := newLoginCmd(testFactory(), func(*loginOptions) error { called = true; return nil })
		if err := parseOnly(t, cmd, args...); exitcode.Code(err) != exitcode.Usage || called {
			t.Fatalf("%v: %v (exit %d), run called %v; want exit 2 before the run", args, err, exitcode.Code(err), called)
		}
	}
	// A --sandbox run has its own session: login is refused before the run.
	f := testFactory()
	f.Global.Sandbox = true
	called := false
	cmd = newLoginCmd(f, func(*loginOptions) error { called = true; return nil })
	if err := parseOnly(t, cmd); exitcode.Code(err) != exitcode.Usage || called || !strings.Contains(err.Error(), "--sandbox runs have their own session") {
		t.Fatalf("login with --sandbox: %v, run called %v; want exit 2 before the run", err, called)
	}
}

// sandboxDeps are a run function's dependencies pointing at srv: a
// Connect session of the sandbox user, output in format to out.
func sandboxDeps(t *testing.T, srv *sandboxtest.Server, format output.Format) (cmdDeps, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	io, _, out, errOut := iostreams.Test()
	client := &kite.Client{
		BaseURL:     srv.URL(),
		Credentials: kite.Credentials{Kind: kite.Connect, APIKey: sandbox.APIKey, AccessToken: srv.AccessToken()},
		HTTPClient:  &http.Client{Timeout: 30 * time.Second},
	}
	printer := output.New(out, format, nil)
	return cmdDeps{
		IO:      io,
		Getenv:  func(string) string { return "" },
		Global:  &GlobalOptions{Profile: "default"},
		Now:     time.Now,
		Client:  func(context.Context) (*kite.Client, error) { return client, nil },
		Printer: func() *output.Printer { return printer },
		JQ:      func() *output.JQ { return nil },
	}, out, errOut
}

func decodeJSON[T any](t *testing.T, b *bytes.Buffer) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b.Bytes(), &v); err != nil {
		t.Fatalf("output is not the JSON expected: %v\n%s", err, b)
	}
	return v
}

func TestRunProfileAgainstSandbox(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	deps, out, _ := sandboxDeps(t, srv, output.JSON)
	if err := runProfile(context.Background(), &profileOptions{cmdDeps: deps}); err != nil {
		t.Fatal(err)
	}
	p := decodeJSON[map[string]any](t, out)
	// The sandbox user (pkg/sandbox/profile.go), as Kite's JSON.
	want := map[string]any{"user_id": "SB0001", "user_name": "Sandbox User", "user_shortname": "Sandbox",
		"email": "sandbox@example.com", "broker": "ZERODHA", "user_type": "individual"}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("%s = %v, want %v", k, p[k], v)
		}
	}
	if ex, _ := json.Marshal(p["order_types"]); string(ex) != `["MARKET","LIMIT","SL","SL-M"]` {
		t.Errorf("order_types %s", ex)
	}
}

func TestRunMFSIPAgainstSandbox(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	deps, out, _ := sandboxDeps(t, srv, output.JSON)
	if err := runMFSIPs(context.Background(), &mfSIPsOptions{cmdDeps: deps, ID: "800000000000102"}); err != nil {
		t.Fatal(err)
	}
	s := decodeJSON[map[string]any](t, out)
	// The sandbox's second SIP: 36 monthly instalments of ₹1000 on the
	// 5th, 12 done (so 24 pending), paused.
	want := map[string]any{"sip_id": "800000000000102", "tradingsymbol": "INF000S01AF0",
		"fund": "Loopback ELSS Tax Saver Fund - Direct Plan", "status": "PAUSED", "frequency": "monthly",
		"instalment_amount": 1000.0, "instalments": 36.0, "completed_instalments": 12.0, "pending_instalments": 24.0,
		"instalment_day": 5.0, "sip_reg_num": "SB000102"}
	for k, v := range want {
		if s[k] != v {
			t.Errorf("%s = %v, want %v", k, s[k], v)
		}
	}
}

func TestRunVersion(t *testing.T) {
	v := versionInfo{Version: "v1.2.3", Commit: "0123456789ab", Go: "go1.26.8", OS: "linux", Arch: "arm64"}
	for _, tc := range []struct {
		global GlobalOptions
		format output.Format
		want   string
	}{
		{GlobalOptions{}, output.Table, "kite v1.2.3 (commit 0123456789ab, go1.26.8 linux/arm64)\n"},
		{GlobalOptions{Output: "json"}, output.JSON, `{"version":"v1.2.3","commit":"0123456789ab","go":"go1.26.8","os":"linux","arch":"arm64"}`},
	} {
		io, _, out, _ := iostreams.Test()
		printer := output.New(out, tc.format, nil)
		opts := &versionOptions{
			cmdDeps: cmdDeps{IO: io, Global: &tc.global, Printer: func() *output.Printer { return printer }},
			Version: func() versionInfo { return v },
		}
		if err := runVersion(opts); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if tc.format == output.JSON {
			var compact bytes.Buffer
			if err := json.Compact(&compact, out.Bytes()); err != nil {
				t.Fatalf("%q: %v", got, err)
			}
			got = compact.String()
		}
		if got != tc.want {
			t.Errorf("-o %q: got %q, want %q", tc.global.Output, got, tc.want)
		}
	}
}

func TestRunWhoamiAgainstSandbox(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	deps, out, _ := sandboxDeps(t, srv, output.JSON)
	deps.Global = &GlobalOptions{Profile: "work", BaseURL: srv.URL(), WSURL: srv.WSURL()}
	creds, _ := deps.Client(context.Background())
	opts := &whoamiOptions{cmdDeps: deps, Session: func(context.Context) (kite.Credentials, string, *auth.Session, error) {
		return creds.Credentials, sourceEnv, nil, nil
	}}
	if err := runWhoami(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	got := decodeJSON[map[string]any](t, out)
	want := map[string]any{"user_id": "SB0001", "user_name": "Sandbox User", "email": "sandbox@example.com",
		"broker": "ZERODHA", "profile": "work", "session": "connect", "source": "env", "api_key": "kitesandbox",
		"base_url": srv.URL(), "ws_url": srv.WSURL()}
	if len(got) != len(want) {
		t.Errorf("fields %v, want %v (no login_time or expiry for an env session)", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

// loginDeps are login's and logout's dependencies: a private KITE_HOME's
// session store for profile "default", and the auth client on srv.
func loginDeps(t *testing.T, srv *sandboxtest.Server, env map[string]string) (cmdDeps, *bytes.Buffer, func() (*auth.Store, error), func() (*auth.Client, error)) {
	t.Helper()
	deps, _, errOut := sandboxDeps(t, srv, output.JSON)
	deps.Getenv = func(k string) string { return env[k] }
	deps.Global = &GlobalOptions{Profile: "default", BaseURL: srv.URL(), WSURL: srv.WSURL()}
	dirs, err := kitehome.Resolve(deps.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	store := func() (*auth.Store, error) { return auth.NewStore(dirs.ProfileDir("default"), "default"), nil }
	ac := func() (*auth.Client, error) { return &auth.Client{Root: srv.URL()}, nil }
	return deps, errOut, store, ac
}

// runLogin with a request token saves the session for the server it was
// made on; runLogout revokes it at the sandbox and removes it.
func TestRunLoginLogoutAgainstSandbox(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	env := map[string]string{"KITE_HOME": t.TempDir(), "KITE_API_SECRET": sandbox.APISecret}
	deps, errOut, store, ac := loginDeps(t, srv, env)
	browsed := false
	login := &loginOptions{cmdDeps: deps, SessionStore: store, AuthClient: ac,
		Browser:      func(string) bool { browsed = true; return true },
		APIKey:       sandbox.APIKey,
		RequestToken: srv.LoginRedirect(t),
		CallbackPort: defaultCallbackPort,
		Timeout:      time.Minute,
	}
	if err := runLogin(context.Background(), login); err != nil {
		t.Fatalf("login: %v\n%s", err, errOut)
	}
	if browsed {
		t.Error("a login with a request token opened a browser")
	}
	st, _ := store()
	sess, err := st.Load()
	if err != nil {
		t.Fatalf("no session saved: %v", err)
	}
	if sess.Kind != kite.Connect || sess.UserID != "SB0001" || sess.APIKey != "kitesandbox" ||
		sess.BaseURL != srv.URL() || sess.WSURL != srv.WSURL() || sess.Token == "" {
		t.Fatalf("saved session %+v", sess)
	}
	if !strings.HasPrefix(errOut.String(), `Logged in to Kite Connect as SB0001 at `+srv.URL()+` (profile "default"); the session expires `) {
		t.Fatalf("stderr %q", errOut)
	}
	if strings.Contains(errOut.String(), sess.Token) || strings.Contains(errOut.String(), sandbox.APISecret) {
		t.Fatal("a secret reached stderr")
	}

	errOut.Reset()
	if err := runLogout(context.Background(), &logoutOptions{cmdDeps: deps, SessionStore: store, AuthClient: ac}); err != nil {
		t.Fatalf("logout: %v", err)
	}
	if got := errOut.String(); got != "Logged out SB0001 (profile \"default\").\n" {
		t.Fatalf("stderr %q", got)
	}
	if _, err := st.Load(); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("the session is still cached: %v", err)
	}
	if _, err := os.Stat(st.Path()); !os.IsNotExist(err) {
		t.Fatalf("session file %s: %v", st.Path(), err)
	}
	// Revoked at the sandbox: the token no longer works.
	c := &kite.Client{BaseURL: srv.URL(), Credentials: sess.Credentials(), HTTPClient: http.DefaultClient}
	if _, err := c.Profile(context.Background()); exitcode.Code(err) != exitcode.Auth {
		t.Fatalf("the logged-out token: %v (exit %d), want exit 3", err, exitcode.Code(err))
	}
}

func TestSeamQuoteAndAPIArguments(t *testing.T) {
	var q *QuoteOptions
	cmd := newQuoteCmd(testFactory(), func(o *QuoteOptions) error { q = o; return nil })
	if err := parseOnly(t, cmd, "nse:infy", "408065", "--mode", "ltp", "--retry-attempts", "1"); err != nil {
		t.Fatal(err)
	}
	if strings.Join(q.Symbols, " ") != "nse:infy 408065" || q.Mode != "ltp" || q.Retry.Attempts != 1 {
		t.Fatalf("options %+v", q)
	}
	for _, args := range [][]string{{}, {"NSE:INFY", "--mode", "depth"}, {"NSE:INFY", "--retry-base", "-1s"}} {
		called := false
		cmd := newQuoteCmd(testFactory(), func(*QuoteOptions) error { called = true; return nil })
		if err := parseOnly(t, cmd, args...); exitcode.Code(err) != exitcode.Usage || called {
			t.Fatalf("quote %v: %v (exit %d), run called %v; want exit 2 before the run", args, err, exitcode.Code(err), called)
		}
	}

	var a *apiOptions
	cmd = newAPICmd(testFactory(), func(o *apiOptions) error { a = o; return nil })
	if err := parseOnly(t, cmd, "GET", "user/profile", "-f", "a=b", "-f", "c=d"); err != nil {
		t.Fatal(err)
	}
	if a.Method != "GET" || a.Path != "user/profile" || strings.Join(a.Fields, "&") != "a=b&c=d" {
		t.Fatalf("options %+v", a)
	}
}

func TestRunHoldingsCompactAgainstSandbox(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	deps, out, _ := sandboxDeps(t, srv, output.CSV)
	if err := runHoldings(context.Background(), &holdingsOptions{cmdDeps: deps, Compact: true}); err != nil {
		t.Fatal(err)
	}
	// The sandbox account's holdings (pkg/sandbox/account.go); tokens are
	// Kite's: exchange token << 8 | segment (NSE 1, BSE 4): INFY 1594,
	// ITC 1660, SBIN's BSE scrip code 500112.
	want := "exchange,tradingsymbol,instrument_token,t1_quantity,quantity\n" +
		"NSE,INFY,408065,0,10\n" +
		"NSE,ITC,424961,0,100\n" +
		"BSE,SBIN,128028676,0,16\n"
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
}

func TestRunAPIAgainstSandbox(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	deps, out, _ := sandboxDeps(t, srv, output.JSON)
	if err := runAPI(context.Background(), &apiOptions{cmdDeps: deps, Method: "GET", Path: "/user/profile"}); err != nil {
		t.Fatal(err)
	}
	// kite api prints the envelope's data.
	if p := decodeJSON[map[string]any](t, out); p["user_id"] != "SB0001" || p["email"] != "sandbox@example.com" {
		t.Fatalf("data %v", p)
	}
}
