package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/kitecli/kite/internal/kitehome"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/sandbox"
)

// startSandbox serves --sandbox: it starts the sandbox in-process on a free
// loopback port, points this run's REST and WebSocket roots at it and gives
// the run an in-memory session with a fresh access token, under the
// "sandbox" profile. The session never touches the user's session cache:
// Credentials returns f.sandboxSession before looking anywhere else.
//
// The paper account carries on from the last --sandbox command of the same
// seed (sandbox_state.go): it is loaded here, under a lock held until the
// run ends, and saved when the run ends, whether the command succeeded,
// failed or was interrupted.
func (f *Factory) startSandbox(ctx context.Context) error {
	seed, err := f.sandboxSeed()
	if err != nil {
		return err
	}
	dirs, err := kitehome.Resolve(f.Getenv)
	if err != nil {
		return err
	}
	acct, saved, err := openSandboxAccount(dirs, seed, f.IO.ErrOut)
	if err != nil {
		return fmt.Errorf("opening the sandbox account: %w", err)
	}
	opts := sandbox.Options{Logger: f.Logger, Seed: seed}
	if saved != nil {
		opts.State = bytes.NewReader(saved)
	}
	srv, err := sandbox.Start(ctx, opts)
	if errors.Is(err, sandbox.ErrBadState) {
		acct.unlock()
		return badSandboxState(acct.path, seed, err)
	}
	if err != nil {
		acct.unlock()
		return fmt.Errorf("starting the sandbox: %w", err)
	}
	f.closers = append(f.closers, func() {
		if err := acct.save(srv.SaveState); err != nil {
			fmt.Fprintf(f.IO.ErrOut, "kite: the sandbox account was not saved: %v\n", err)
		}
		_ = srv.Close()
		acct.unlock()
	})
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
