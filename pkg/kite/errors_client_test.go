package kite_test

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/kitecli/kite/pkg/kite"
)

// The errors a program branches on are found with errors.Is and errors.As
// through any wrapping, and their messages say what happened in the
// library's words: no exit codes, no commands to type.
func TestClientErrorsAreTyped(t *testing.T) {
	_, noKey := kite.TickerURL("", kite.Credentials{Kind: kite.Connect, APIKey: "k"})
	_, noEnc := kite.TickerURL("", kite.Credentials{Kind: kite.Web, UserID: "AB1234"})
	_, none := kite.TickerURL("", kite.Credentials{})
	for _, c := range []struct {
		err  error
		kind kite.SessionKind
		msg  string
	}{
		{noKey, kite.Connect, "the ticker needs an API key and access token"},
		{noEnc, kite.Web, "the web ticker needs a user ID and enctoken"},
		{none, "", "no session"},
	} {
		wrapped := fmt.Errorf("stream: %w", c.err)
		var ns *kite.NoSessionError
		if !errors.Is(wrapped, kite.ErrNoSession) || !errors.As(wrapped, &ns) || ns.Kind != c.kind || c.err.Error() != c.msg {
			t.Errorf("TickerURL error %v (%#v): want ErrNoSession, a *NoSessionError of kind %q, saying %q", c.err, ns, c.kind, c.msg)
		}
	}

	_, err := kite.TickerURL("http://127.0.0.1:1/ws?access_token=sekret", kite.Credentials{Kind: kite.Connect, APIKey: "k", AccessToken: "t"})
	var bad *kite.TickerURLError
	if !errors.As(fmt.Errorf("x: %w", err), &bad) || strings.Contains(err.Error(), "sekret") ||
		err.Error() != `ticker URL "http://127.0.0.1:1/ws?access_token=`+kite.Redacted+`" is not a ws:// or wss:// URL` {
		t.Errorf("http ticker URL: %v, want a *TickerURLError with the token redacted", err)
	}

	for _, c := range []struct {
		symbol, msg, exch, sym string
		ok                     bool
	}{
		{"NSE:ZZZZ", `unknown instrument "NSE:ZZZZ"`, "NSE", "ZZZZ", true},
		{"nse:zzzz", `unknown instrument "nse:zzzz"`, "NSE", "ZZZZ", true},
		{"ZZZZ", `unknown instrument "ZZZZ": write it as EXCHANGE:TRADINGSYMBOL (e.g. NSE:INFY) or an instrument token`, "", "", false},
		{"NSE:", `unknown instrument "NSE:": write it as EXCHANGE:TRADINGSYMBOL (e.g. NSE:INFY) or an instrument token`, "", "", false},
	} {
		var use *kite.UnknownSymbolError
		err := fmt.Errorf("resolving: %w", &kite.UnknownSymbolError{Symbol: c.symbol})
		if !errors.As(err, &use) || use.Error() != c.msg {
			t.Errorf("%s: %v, want %q", c.symbol, use, c.msg)
			continue
		}
		if exch, sym, ok := use.Split(); exch != c.exch || sym != c.sym || ok != c.ok {
			t.Errorf("%s: Split() = %q, %q, %v; want %q, %q, %v", c.symbol, exch, sym, ok, c.exch, c.sym, c.ok)
		}
	}

	cause := errors.New("connection refused")
	ne := fmt.Errorf("stream: %w", &kite.NetworkError{Err: cause})
	var got *kite.NetworkError
	if !errors.As(ne, &got) || !errors.Is(ne, cause) || got.Error() != "connection refused" {
		t.Errorf("NetworkError %v: want it found with errors.As and unwrapping to its cause", ne)
	}

	rl := &kite.RetryError{Method: "GET", Path: "/quote", Attempts: 3, Err: &kite.Error{Status: 429, ErrorType: kite.NetworkException, Message: "Too many requests"}}
	down := &kite.RetryError{Method: "GET", Path: "/quote", Attempts: 3, Err: &kite.Error{Status: 502, ErrorType: kite.NetworkException, Message: "Bad gateway"}}
	if !rl.RateLimited() || down.RateLimited() {
		t.Errorf("RateLimited: 429 %v, 502 %v; want true, false", rl.RateLimited(), down.RateLimited())
	}
}

// pkg/kite is a library: it must not reach for the CLI's exit codes or
// session cache (issue 17). go list shows what the compiled package pulls
// in, however indirectly.
func TestLibraryImportsNothingOfTheCLI(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/kitecli/kite/pkg/kite").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch dep {
		case "github.com/kitecli/kite/internal/exitcode", "github.com/kitecli/kite/internal/auth", "github.com/kitecli/kite/internal/output":
			t.Errorf("pkg/kite depends on %s", dep)
		}
		if strings.HasPrefix(dep, "github.com/kitecli/kite/cmd/") {
			t.Errorf("pkg/kite depends on %s", dep)
		}
	}
}
