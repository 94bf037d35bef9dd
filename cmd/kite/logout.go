package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/kitecli/kite/internal/auth"
	"github.com/kitecli/kite/internal/exitcode"
	"github.com/spf13/cobra"
)

type logoutOptions struct{}

func newLogoutCmd(f *Factory) *cobra.Command {
	opts := &logoutOptions{}
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
			return runLogout(cmd.Context(), f, opts)
		},
	}
}

func runLogout(ctx context.Context, f *Factory, _ *logoutOptions) error {
	if f.Global.Sandbox {
		return exitcode.Usagef("--sandbox runs have their own in-memory session: there is nothing to log out of")
	}
	store, err := f.sessionStore()
	if err != nil {
		return err
	}
	profile := f.Global.Profile
	sess, err := store.Load()
	var expired *auth.ExpiredError
	switch {
	case errors.Is(err, auth.ErrNoSession):
		fmt.Fprintf(f.IO.ErrOut, "No session for profile %q; nothing to do.\n", profile)
		for _, env := range []string{"KITE_ACCESS_TOKEN", "KITE_ENCTOKEN"} {
			if f.Getenv(env) != "" {
				fmt.Fprintf(f.IO.ErrOut, "The session in %s is not cached: unset it to stop using it.\n", env)
			}
		}
		return nil
	case errors.As(err, &expired):
		fmt.Fprintf(f.IO.ErrOut, "The session of profile %q had expired; removed it.\n", profile)
		return nil
	case err != nil:
		// Corrupt or not private: unusable either way, and logging out is
		// exactly the request to get rid of it.
		if _, rerr := store.Remove(); rerr != nil {
			return rerr
		}
		fmt.Fprintf(f.IO.ErrOut, "Removed the unusable session file %s.\n", store.Path())
		return nil
	}
	// Revoking sends the token: only to the server that issued it.
	if err := sess.CheckServer(profile, f.Global.BaseURL); err != nil {
		return err
	}
	ac, err := f.authClient()
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
	fmt.Fprintf(f.IO.ErrOut, "Logged out %s (profile %q).\n", sess.UserID, profile)
	return nil
}
