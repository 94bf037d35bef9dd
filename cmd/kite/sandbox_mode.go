package main

import (
	"context"
	"fmt"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/sandbox"
)

// startSandbox serves --sandbox: it starts the sandbox in-process on a free
// loopback port, points this run's REST and WebSocket roots at it and gives
// the run an in-memory session with a fresh access token, under the
// "sandbox" profile. The session never touches the user's session cache:
// Credentials returns f.sandboxSession before looking anywhere else.
func (f *Factory) startSandbox(ctx context.Context) error {
	srv, err := sandbox.Start(ctx, sandbox.Options{Logger: f.Logger})
	if err != nil {
		return fmt.Errorf("starting the sandbox: %w", err)
	}
	f.closers = append(f.closers, func() { _ = srv.Close() })
	f.Global.BaseURL = srv.URL()
	f.Global.WSURL = srv.WSURL()
	f.Global.Profile = "sandbox"
	f.sandboxSession = &kite.Credentials{
		Kind:        kite.Connect,
		APIKey:      sandbox.APIKey,
		AccessToken: srv.AccessToken(),
		UserID:      sandbox.UserID,
	}
	return nil
}
