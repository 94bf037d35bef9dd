package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/kitecli/kite/internal/auth"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
)

type whoamiOptions struct {
	cmdDeps
	// Session is the current session's credentials, where they came from
	// (cache, env or sandbox) and, from the cache, the session itself.
	Session func(context.Context) (kite.Credentials, string, *auth.Session, error)
}

// whoami is who the current session belongs to and what the session is.
type whoami struct {
	UserID    string           `json:"user_id"`
	UserName  string           `json:"user_name"`
	Email     string           `json:"email"`
	Broker    string           `json:"broker"`
	Profile   string           `json:"profile"`
	Session   kite.SessionKind `json:"session"`
	Source    string           `json:"source"` // cache, env or sandbox
	APIKey    string           `json:"api_key,omitempty"`
	LoginTime string           `json:"login_time,omitempty"`
	Expiry    string           `json:"expiry,omitempty"`
	// BaseURL and WSURL are the server: for a cached session the one it
	// was made on (and the only one it is sent to), else the one in use.
	BaseURL string `json:"base_url"`
	WSURL   string `json:"ws_url"`
}

func newWhoamiCmd(f *Factory, runF func(*whoamiOptions) error) *cobra.Command {
	opts := &whoamiOptions{cmdDeps: f.deps(), Session: f.session}
	return &cobra.Command{
		Use:   "whoami",
		Short: "Show who the current session belongs to",
		Long: `Ask Kite for the profile of the current session (GET /user/profile) and show it
with the session's kind (connect or web), where it came from (cache, env or
sandbox), the server (base_url, ws_url) and, for a cached session, when it
expires. A cached session is used only on the server it was made on (see
kite login); one made elsewhere is refused with exit 3 before any request.

Exits 3 when there is no session or Kite rejects it: run kite login.`,
		Example: `  kite whoami
  kite whoami --jq .user_id
  kite whoami --profile work -o json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runWhoami(cmd.Context(), opts)
		},
	}
}

func runWhoami(ctx context.Context, opts *whoamiOptions) error {
	creds, source, sess, err := opts.Session(ctx)
	if err != nil {
		return err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	p, err := c.Profile(ctx)
	if err != nil {
		return err
	}
	w := whoami{
		UserID: p.UserID, UserName: p.UserName, Email: p.Email, Broker: p.Broker,
		Profile: opts.Global.Profile, Session: creds.Kind, Source: source, APIKey: creds.APIKey,
	}
	server := auth.Endpoints{BaseURL: opts.Global.BaseURL, WSURL: opts.Global.WSURL}.Resolve(creds.Kind)
	if sess != nil {
		server = sess.Endpoints()
	}
	w.BaseURL, w.WSURL = server.BaseURL, server.WSURL
	if sess != nil {
		w.LoginTime = sess.LoginTime.In(kite.IST).Format(time.RFC3339)
		w.Expiry = sess.Expiry.In(kite.IST).Format(time.RFC3339)
	}
	return opts.Printer().Print(w, output.Columns("user_id", "user_name", "email", "broker", "profile", "session", "source", "base_url", "expiry"))
}
