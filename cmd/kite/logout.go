package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/kitecli/kite/internal/auth"
	"github.com/kitecli/kite/internal/exitcode"
	"github.com/spf13/cobra"
)

type logoutOptions struct {
	cmdDeps
	// SessionStore is the profile's session cache.
	SessionStore func() (*auth.Store, error)
	// AuthClient talks to Kite's session endpoints (DELETE /session/token).
	AuthClient func() (*auth.Client, error)
}

func newLogoutCmd(f *Factory, runF func(*logoutOptions) error) *cobra.Command {
	opts := &logoutOptions{cmdDeps: f.deps(), SessionStore: f.sessionStore, AuthClient: f.authClient}
	return &cobra.Command{
		Use:   "logout",
		Short: "Invalidate the profile's session at Kite and remove it from the cache",
		Long: `Log the current profile out: a Kite Connect session is invalidated at Kite
(DELETE /session/token), then the cached session is removed. A Kite web session
is only removed from the cache. Running it again, or with no session, is not an
error. An unreadable or corrupt session file is removed too.

Sessions given in the environment (KITE_ACCESS_TOKEN, KITE_ENCTOKEN) are not
cached, so there is nothing to remove: unset the variables.`,
		Example: `  kite logout
  kite logout --profile work`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runLogout(cmd.Context(), opts)
		},
	}
}

func runLogout(ctx context.Context, opts *logoutOptions) error {
	if opts.Global.Sandbox {
		return exitcode.Usagef("--sandbox runs have their own in-memory session: there is nothing to log out of")
	}
	store, err := opts.SessionStore()
	if err != nil {
		return err
	}
	profile := opts.Global.Profile
	sess, err := store.Load()
	var expired *auth.ExpiredError
	switch {
	case errors.Is(err, auth.ErrNoSession):
		fmt.Fprintf(opts.IO.ErrOut, "No session for profile %q; nothing to do.\n", profile)
		for _, env := range []string{"KITE_ACCESS_TOKEN", "KITE_ENCTOKEN"} {
			if opts.Getenv(env) != "" {
				fmt.Fprintf(opts.IO.ErrOut, "The session in %s is not cached: unset it to stop using it.\n", env)
			}
		}
		return nil
	case errors.As(err, &expired):
		fmt.Fprintf(opts.IO.ErrOut, "The session of profile %q had expired; removed it.\n", profile)
		return nil
	case err != nil:
		// Corrupt or not private: unusable either way, and logging out is
		// exactly the request to get rid of it.
		if _, rerr := store.Remove(); rerr != nil {
			return rerr
		}
		fmt.Fprintf(opts.IO.ErrOut, "Removed the unusable session file %s.\n", store.Path())
		return nil
	}
	// Revoking sends the token: only to the server that issued it.
	if err := sess.CheckServer(profile, opts.Global.BaseURL); err != nil {
		return err
	}
	ac, err := opts.AuthClient()
	if err != nil {
		return err
	}
	revokeErr := ac.Logout(ctx, sess)
	if _, err := store.Remove(); err != nil {
		return err
	}
	if revokeErr != nil {
		return fmt.Errorf("removed the cached session of profile %q, but Kite was not told (the token may stay valid until 06:00 IST): %w", profile, revokeErr)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Logged out %s (profile %q).\n", sess.UserID, profile)
	return nil
}
