package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/kitecli/kite/internal/auth"
	"github.com/kitecli/kite/internal/kitehome"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
)

type authStatusOptions struct{ cmdDeps }

// profileStatus is one profile's cached session as kite auth status shows
// it. It has no token field, so no output format can leak one.
type profileStatus struct {
	Profile string           `json:"profile"`
	Current bool             `json:"current"` // the profile this run would use (--profile, KITE_PROFILE)
	Kind    kite.SessionKind `json:"kind,omitempty"`
	UserID  string           `json:"user_id,omitempty"`
	BaseURL string           `json:"base_url,omitempty"`
	WSURL   string           `json:"ws_url,omitempty"`
	Login   string           `json:"login_time,omitempty"`
	Expiry  string           `json:"expiry,omitempty"`
	// Status is valid, expired, none (a profile directory without a
	// session: logged out) or unreadable (Problem says why and what to do).
	Status  string `json:"status"`
	Problem string `json:"problem,omitempty"`
}

func newAuthCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth",
		Short: "Inspect the cached sessions",
		Long: `Inspect the sessions kite login cached, one per profile (--profile,
KITE_PROFILE), under $KITE_HOME. kite login, kite logout and kite whoami
act on one profile; kite auth status lists them all.`,
		Example: `  kite auth status`,
		Args:    noArgs,
	}
	cmd.AddCommand(newAuthStatusCmd(f, "status", nil))
	return cmd
}

// newProfilesCmd is kite profiles, the same list at the top level.
func newProfilesCmd(f *Factory) *cobra.Command {
	cmd := newAuthStatusCmd(f, "profiles", nil)
	cmd.Short = "List the profiles and their sessions (as kite auth status)"
	cmd.Example = `  kite profiles
  kite profiles --jq '.[] | select(.status == "valid") | .profile'`
	return cmd
}

func newAuthStatusCmd(f *Factory, use string, runF func(*authStatusOptions) error) *cobra.Command {
	opts := &authStatusOptions{cmdDeps: f.deps()}
	return &cobra.Command{
		Use:   use,
		Short: "List the profiles and their sessions",
		Long: `List every profile with a cached session: its kind (connect for Kite
Connect, web for a Kite web login), user, the server it was made on (and
is only ever sent to), when it was made, when it expires, and its status
(valid, expired, none after kite logout, or unreadable, with the fix).
The profile this run would use is marked current. Nothing is sent to Kite
and nothing is changed: an expired session is listed, not removed. Tokens
are never shown.

kite --sandbox keeps no cached session; a session in KITE_ACCESS_TOKEN or
KITE_ENCTOKEN is not listed either (kite whoami shows the one in use).`,
		Example: `  kite auth status
  kite auth status -o json --jq '.[] | select(.current) | .expiry'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runAuthStatus(opts)
		},
	}
}

func runAuthStatus(opts *authStatusOptions) error {
	dirs, err := kitehome.Resolve(opts.Getenv)
	if err != nil {
		return err
	}
	rows, err := profileStatuses(dirs, opts.Global.Profile, opts.Now())
	if err != nil {
		return err
	}
	if len(rows) == 0 && opts.IO.StderrTTY {
		fmt.Fprintln(opts.IO.ErrOut, "No cached sessions: log in with kite login (or try kite --sandbox).")
	}
	return opts.Printer().Print(rows, output.Columns("profile", "current", "kind", "user_id", "base_url", "expiry", "status", "problem"))
}

// profileStatuses reads every profile's session under dirs, sorted by
// profile name, without changing any.
func profileStatuses(dirs kitehome.Dirs, current string, now time.Time) ([]profileStatus, error) {
	entries, err := os.ReadDir(filepath.Join(dirs.Config, "profiles"))
	if errors.Is(err, os.ErrNotExist) {
		return []profileStatus{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing the profiles: %w", err)
	}
	rows := []profileStatus{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		st := auth.NewStore(dirs.ProfileDir(e.Name()), e.Name())
		row := profileStatus{Profile: e.Name(), Current: e.Name() == current}
		sess, err := st.Peek()
		switch {
		case errors.Is(err, auth.ErrNoSession):
			row.Status = "none"
		case err != nil:
			row.Status, row.Problem = "unreadable", err.Error()
		default:
			ep := sess.Endpoints()
			row.Kind, row.UserID, row.BaseURL, row.WSURL = sess.Kind, sess.UserID, ep.BaseURL, ep.WSURL
			row.Login = sess.LoginTime.In(kite.IST).Format(time.RFC3339)
			row.Expiry = sess.Expiry.In(kite.IST).Format(time.RFC3339)
			row.Status = "valid"
			if !now.Before(sess.Expiry) {
				row.Status = "expired"
			}
		}
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(a, b profileStatus) int {
		switch {
		case a.Profile < b.Profile:
			return -1
		case a.Profile > b.Profile:
			return 1
		}
		return 0
	})
	return rows, nil
}
