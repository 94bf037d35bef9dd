package main

import (
	"context"
	"fmt"

	"github.com/kitecli/kite/pkg/exitcode"
	"github.com/kitecli/kite/pkg/kite"
)

// Credentials resolves the session of the current profile: environment
// variables first, then the profile's cached session.
func (f *Factory) Credentials(ctx context.Context) (kite.Credentials, error) {
	if f.sandboxSession != nil {
		return *f.sandboxSession, nil
	}
	if tok := f.Getenv("KITE_ACCESS_TOKEN"); tok != "" {
		key := f.Getenv("KITE_API_KEY")
		if key == "" {
			return kite.Credentials{}, exitcode.Usagef("KITE_ACCESS_TOKEN is set but KITE_API_KEY is not: export both")
		}
		return kite.Credentials{Kind: kite.Connect, APIKey: key, AccessToken: tok, UserID: f.Getenv("KITE_USER_ID")}, nil
	}
	if enc := f.Getenv("KITE_ENCTOKEN"); enc != "" {
		return kite.Credentials{Kind: kite.Web, EncToken: enc, UserID: f.Getenv("KITE_USER_ID")}, nil
	}
	return kite.Credentials{}, exitcode.With(exitcode.Auth, fmt.Errorf("no session for profile %q: run kite login", f.Global.Profile))
}
