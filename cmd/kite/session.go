package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/kitecli/kite/internal/auth"
	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/kitehome"
	"github.com/kitecli/kite/pkg/kite"
)

// Where the session of a run came from.
const (
	sourceSandbox = "sandbox"
	sourceEnv     = "env"
	sourceCache   = "cache"
)

// Credentials resolves the session of the current profile: the in-process
// sandbox's session (--sandbox), then the environment (KITE_ACCESS_TOKEN +
// KITE_API_KEY, or KITE_ENCTOKEN), then the profile's cached session from
// kite login.
func (f *Factory) Credentials(ctx context.Context) (kite.Credentials, error) {
	c, _, _, err := f.session(ctx)
	return c, err
}

// session is Credentials plus where they came from and, for the cache, the
// cached session itself (for its expiry and server). A cached session made
// on another server than --base-url names is refused.
func (f *Factory) session(_ context.Context) (kite.Credentials, string, *auth.Session, error) {
	if f.sandboxSession != nil {
		return *f.sandboxSession, sourceSandbox, nil, nil
	}
	if tok := f.Getenv("KITE_ACCESS_TOKEN"); tok != "" {
		key := f.Getenv("KITE_API_KEY")
		if key == "" {
			return kite.Credentials{}, "", nil, exitcode.Usagef("KITE_ACCESS_TOKEN is set but KITE_API_KEY is not: export both")
		}
		return kite.Credentials{Kind: kite.Connect, APIKey: key, AccessToken: tok, UserID: f.Getenv("KITE_USER_ID")}, sourceEnv, nil, nil
	}
	if enc := f.Getenv("KITE_ENCTOKEN"); enc != "" {
		return kite.Credentials{Kind: kite.Web, EncToken: enc, UserID: f.Getenv("KITE_USER_ID")}, sourceEnv, nil, nil
	}
	store, err := f.sessionStore()
	if err != nil {
		return kite.Credentials{}, "", nil, err
	}
	sess, err := store.Load()
	if errors.Is(err, auth.ErrNoSession) {
		return kite.Credentials{}, "", nil, exitcode.With(exitcode.Auth, fmt.Errorf("no session for profile %q: run kite login (or try kite without an account: add --sandbox)", f.Global.Profile))
	}
	if err != nil {
		return kite.Credentials{}, "", nil, err
	}
	// Refused before any request: a token sent to a server that did not
	// issue it is at best useless (35 s of retries, then exit 6) and at
	// worst a leak.
	if err := sess.CheckServer(f.Global.Profile, f.Global.BaseURL); err != nil {
		return kite.Credentials{}, "", nil, err
	}
	f.cachedToken = sess.Token
	f.cachedSession = &sess
	return sess.Credentials(), sourceCache, &sess, nil
}

// checkTickerServer is the ticker's half of the check session makes: a
// cached session goes only to the ticker URL it was made with.
func (f *Factory) checkTickerServer() error {
	if f.cachedSession == nil {
		return nil
	}
	return f.cachedSession.CheckTicker(f.Global.Profile, f.Global.WSURL)
}

// profileName is what a profile may be called: it becomes a directory name.
var profileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// sessionStore is the session cache of the current profile.
func (f *Factory) sessionStore() (*auth.Store, error) {
	if !profileName.MatchString(f.Global.Profile) {
		return nil, exitcode.Usagef("invalid profile name %q: use letters, digits, '.', '_' and '-' (e.g. --profile work)", f.Global.Profile)
	}
	dirs, err := kitehome.Resolve(f.Getenv)
	if err != nil {
		return nil, err
	}
	return auth.NewStore(dirs.ProfileDir(f.Global.Profile), f.Global.Profile), nil
}

// forgetSessionOn is run on every command's error: when Kite answered 403
// TokenException to a request made with the cached session, the session is
// dead (expired, logged out elsewhere, revoked), so the cache is removed and
// the error says to log in again. Sessions from the environment or
// --sandbox are never the cache's to remove.
func (f *Factory) forgetSessionOn(err error) error {
	var loginErr *auth.LoginError
	if !kite.IsTokenError(err) || errors.As(err, &loginErr) {
		// A login Kite refused says nothing about the session in use.
		return err
	}
	if f.cachedToken == "" {
		for _, env := range []string{"KITE_ACCESS_TOKEN", "KITE_ENCTOKEN"} {
			if f.sandboxSession == nil && f.Getenv(env) != "" {
				return exitcode.With(exitcode.Auth, fmt.Errorf("%w: the session in %s is no longer valid: export a fresh one, or unset it and run kite login", err, env))
			}
		}
		return err
	}
	store, serr := f.sessionStore()
	if serr == nil {
		serr = store.RemoveIf(f.cachedToken)
	}
	if serr != nil {
		f.Logger.Warn("could not remove the dead session", "profile", f.Global.Profile, "err", serr)
	}
	return exitcode.With(exitcode.Auth, fmt.Errorf("%w: session expired or revoked (profile %q; its cache was removed): run kite login", err, f.Global.Profile))
}
