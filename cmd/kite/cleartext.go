package main

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/kitecli/kite/internal/auth"
	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
)

// insecureFlag is the one way to send a session in clear text to a host
// that is not this machine. It is long on purpose: nobody types it by
// accident, and a script that carries it says what it does.
const (
	insecureFlag = "insecure-send-token-in-clear"
	insecureEnv  = "KITE_INSECURE_SEND_TOKEN_IN_CLEAR"
)

// allowCleartext reports whether the user asked for plain text to any host,
// by flag or environment (the environment, for a sandbox on another host
// of a CI network that exports KITE_BASE_URL too).
func (f *Factory) allowCleartext() (bool, error) {
	if f.Global.InsecureCleartext {
		return true, nil
	}
	v := f.Getenv(insecureEnv)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, exitcode.Usagef("%s=%q: want 1 or 0", insecureEnv, v)
	}
	return b, nil
}

// checkEndpoints refuses, before any request and whatever the command, a
// plain http:// REST root or ws:// ticker URL to a host that is not
// loopback: every request carries the session (a login, the password). It
// runs where every network path starts (the REST client, the login
// client, the ticker), once per run. With --insecure-send-token-in-clear
// it warns instead.
func (f *Factory) checkEndpoints() error {
	if f.endpointsChecked {
		return nil
	}
	allow, err := f.allowCleartext()
	if err != nil {
		return err
	}
	for _, e := range []struct{ url, flag, env, safe string }{
		{f.Global.BaseURL, "--base-url", "KITE_BASE_URL", "https://"},
		{f.Global.WSURL, "--ws-url", "KITE_WS_URL", "wss://"},
	} {
		if e.url == "" || kite.CheckCleartext(e.url) == nil {
			continue
		}
		shown := kite.RedactURL(e.url)
		if !allow {
			return exitcode.Usagef("refusing %s %s (or %s): it would send your session token unencrypted to a host that is not this machine. Use %s, a loopback address (127.0.0.1, ::1, localhost) for a sandbox, or, accepting that anyone on the network path can read and reuse the token, --%s",
				e.flag, shown, e.env, e.safe, insecureFlag)
		}
		fmt.Fprintf(f.IO.ErrOut, "kite: WARNING: --%s: sending the session token UNENCRYPTED to %s; anyone on the network path can read it and trade with it.\n", insecureFlag, shown)
	}
	f.endpointsChecked = true
	return nil
}

// transport is the HTTP transport of every REST and login request: the
// shared tuned transport, behind the clear-text guard (which also catches
// a redirect to plain http://) unless --insecure-send-token-in-clear, and
// traced with --debug (secrets redacted).
func (f *Factory) transport() (http.RoundTripper, error) {
	if err := f.checkEndpoints(); err != nil {
		return nil, err
	}
	var rt http.RoundTripper = kite.NewTransport()
	if allow, _ := f.allowCleartext(); !allow {
		rt = &kite.CleartextGuard{Base: rt}
	}
	if f.Global.Debug {
		rt = &kite.DebugTransport{Base: rt, Logger: f.Logger}
	}
	return rt, nil
}

// authClient is the client of the login flows (login, logout), against
// --base-url or Kite.
func (f *Factory) authClient() (*auth.Client, error) {
	rt, err := f.transport()
	if err != nil {
		return nil, err
	}
	return &auth.Client{HTTP: &http.Client{Transport: rt}, Root: f.Global.BaseURL, UserAgent: userAgent()}, nil
}
