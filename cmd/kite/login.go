package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kitecli/kite/internal/auth"
	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/pkg/kite"
)

// defaultCallbackPort matches the redirect URL most Kite Connect apps (and
// the sandbox) register: http://127.0.0.1:5050/callback.
const defaultCallbackPort = 5050

type loginOptions struct {
	cmdDeps
	// SessionStore is the profile's session cache, where the login is saved.
	SessionStore func() (*auth.Store, error)
	// AuthClient talks to Kite's login endpoints.
	AuthClient func() (*auth.Client, error)
	// Browser opens a URL for the user; false when none could be opened
	// (the URL is printed anyway).
	Browser func(url string) bool

	// Kite Connect
	APIKey       string
	RequestToken string
	SecretStdin  bool
	CallbackPort int
	Manual       bool
	// Kite web
	Web           bool
	UserID        string
	PasswordStdin bool
	TwoFA         string

	Timeout time.Duration
}

func newLoginCmd(f *Factory, runF func(*loginOptions) error) *cobra.Command {
	opts := &loginOptions{cmdDeps: f.deps(), SessionStore: f.sessionStore, AuthClient: f.authClient}
	opts.Browser = func(url string) bool { return openBrowser(opts.cmdDeps, url) }
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in to Kite and save the session for every other command",
		Long: `Log in to Kite and save the session in the profile's cache (--profile), where
every other command finds it until Kite expires it at 06:00 IST. The cache is
profiles/<profile>/session.json under $KITE_HOME/config, or else under the OS
config directory (~/.config/kite on Linux, ~/Library/Application Support/kite
on macOS): a 0600 file in a 0700 directory, replaced atomically under a lock,
so concurrent cron jobs never see a torn session.

Kite Connect (an app's API key and secret):
  --request-token T   exchange a request token (or the whole redirect URL) for a
                      session; the secret signs the exchange and is never sent.
  (no token)          listen on http://127.0.0.1:PORT (--callback-port, default
                      5050: register http://127.0.0.1:5050/callback as the app's
                      redirect URL), print the login URL (and open a browser where
                      one is available), and wait for Kite's redirect. The URL
                      carries a random state (Kite's redirect_params) and a
                      redirect without it is ignored, so no other web page can
                      complete or abort the login.
  --manual            for headless machines: print the login URL, then paste the
                      URL the browser was redirected to on stdin.

Kite web (--web, a user's own password and 2FA) returns an enctoken session.

Secrets are never flags (argv is visible to every user in ps):
  API secret   KITE_API_SECRET, --secret-stdin, or a no-echo prompt
  password     KITE_PASSWORD, --password-stdin, or a no-echo prompt
  2FA          --twofa CODE (a one-time code), KITE_TOTP_SECRET (the base32
               secret behind the authenticator QR code; codes are generated,
               for unattended cron logins), or a prompt
--api-key defaults to KITE_API_KEY and --user-id to KITE_USER_ID.

The login page is https://kite.zerodha.com/connect/login; with --base-url (or
KITE_BASE_URL) it is <base-url>/connect/login, and the session exchange and
web login go to <base-url> as well, which is how kite logs in to a sandbox
started with kite sandbox.

The session records the server it was made on (base_url and ws_url, shown by
kite whoami), and is only ever sent there: with another --base-url or
--ws-url, commands refuse it with exit 3 before any request. Keep one profile
per server (kite login --profile sandbox --base-url ...). A plain http:// or
ws:// URL is refused (exit 2) unless its host is loopback (127.0.0.0/8, ::1,
localhost), where a sandbox runs: elsewhere it would send the password or
token unencrypted (--insecure-send-token-in-clear overrides, with a warning).

The files under the profile directory are never followed if they are
symbolic links, and anything there that is not a regular file (a FIFO, a
directory) is refused with the command to remove it. A corrupt session file
is no session (exit 3): kite login replaces it.

Nothing is printed on stdout; a confirmation (user, server, profile, expiry)
goes to stderr. Sessions from KITE_ACCESS_TOKEN or KITE_ENCTOKEN need no login.`,
		Example: `  # Kite Connect, browser on this machine
  export KITE_API_KEY=xxxx KITE_API_SECRET=yyyy
  kite login

  # Kite Connect with a request token (or paste the whole redirect URL)
  kite login --api-key xxxx --request-token 'http://127.0.0.1:5050/callback?status=success&request_token=zzzz'

  # On a server without a browser
  kite login --api-key xxxx --manual

  # Kite web from cron: password and TOTP secret from the environment
  KITE_PASSWORD=... KITE_TOTP_SECRET=... kite login --web --user-id AB1234

  # Kite web with a code from the authenticator app
  pass show kite | kite login --web --user-id AB1234 --password-stdin --twofa 123456`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Global.Sandbox {
				return exitcode.Usagef("--sandbox runs have their own session and never log in: drop --sandbox, or run kite sandbox and log in with --base-url")
			}
			if err := opts.validate(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runLogin(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.APIKey, "api-key", "", "Kite Connect app's API key (env KITE_API_KEY)")
	fl.StringVar(&opts.RequestToken, "request-token", "", "request token, or the whole redirect URL, to exchange for a session")
	fl.BoolVar(&opts.SecretStdin, "secret-stdin", false, "read the API secret from the first line of stdin")
	fl.IntVar(&opts.CallbackPort, "callback-port", defaultCallbackPort, "port on 127.0.0.1 that the app's redirect URL points to")
	fl.BoolVar(&opts.Manual, "manual", false, "print the login URL and read the redirect URL from stdin (no listener, no browser)")
	fl.BoolVar(&opts.Web, "web", false, "log in to Kite web with user id, password and 2FA instead of Kite Connect")
	fl.StringVar(&opts.UserID, "user-id", "", "Kite user id for --web (env KITE_USER_ID)")
	fl.BoolVar(&opts.PasswordStdin, "password-stdin", false, "read the password from the first line of stdin (--web)")
	fl.StringVar(&opts.TwoFA, "twofa", "", "one-time 2FA code for --web (instead of KITE_TOTP_SECRET or a prompt)")
	fl.DurationVar(&opts.Timeout, "timeout", 3*time.Minute, "how long to wait for the login to complete")
	return cmd
}

func runLogin(ctx context.Context, opts *loginOptions) error {
	store, err := opts.SessionStore()
	if err != nil {
		return err
	}
	ac, err := opts.AuthClient()
	if err != nil {
		return err
	}
	in := &stdinReader{io: opts.IO}

	var sess auth.Session
	if opts.Web {
		sess, err = loginWeb(ctx, ac, in, opts)
	} else {
		sess, err = loginConnect(ctx, ac, in, opts)
	}
	if err != nil {
		return err
	}
	// The session is good only on this server: recorded, so it is never
	// sent to another one (Factory.session checks).
	made := auth.Endpoints{BaseURL: opts.Global.BaseURL, WSURL: opts.Global.WSURL}.Resolve(sess.Kind)
	sess.BaseURL, sess.WSURL = made.BaseURL, made.WSURL
	if err := store.Save(sess); err != nil {
		return fmt.Errorf("logged in, but could not save the session: %w", err)
	}
	kind := "Kite Connect"
	if sess.Kind == kite.Web {
		kind = "Kite web"
	}
	fmt.Fprintf(opts.IO.ErrOut, "Logged in to %s as %s at %s (profile %q); the session expires %s.\n",
		kind, sess.UserID, sess.BaseURL, opts.Global.Profile, sess.Expiry.In(kite.IST).Format(time.RFC3339))
	for _, env := range []string{"KITE_ACCESS_TOKEN", "KITE_ENCTOKEN"} {
		if opts.Getenv(env) != "" {
			fmt.Fprintf(opts.IO.ErrOut, "Note: %s is set and takes precedence over the saved session: unset it to use this one.\n", env)
			break
		}
	}
	return nil
}

// validate rejects contradictory flags before anything is read or sent.
func (o *loginOptions) validate(cmd *cobra.Command) error {
	changed := cmd.Flags().Changed
	if o.Web {
		for _, name := range []string{"api-key", "request-token", "secret-stdin", "callback-port", "manual"} {
			if changed(name) {
				return exitcode.Usagef("--%s is for Kite Connect logins and cannot be used with --web", name)
			}
		}
	} else {
		for _, name := range []string{"user-id", "password-stdin", "twofa"} {
			if changed(name) {
				return exitcode.Usagef("--%s is for Kite web logins: add --web", name)
			}
		}
	}
	switch {
	case o.Manual && changed("request-token"):
		return exitcode.Usagef("--manual and --request-token are alternatives: pass one")
	case o.Manual && o.SecretStdin:
		return exitcode.Usagef("--manual reads the redirect URL from stdin, so the secret cannot come from --secret-stdin: set KITE_API_SECRET")
	case changed("request-token") && o.RequestToken == "":
		return exitcode.Usagef("--request-token is empty: pass the request_token or the whole redirect URL")
	case changed("callback-port") && (o.Manual || changed("request-token")):
		return exitcode.Usagef("--callback-port is only used when waiting for the redirect (no --request-token, no --manual)")
	case o.CallbackPort < 1 || o.CallbackPort > 65535:
		return exitcode.Usagef("--callback-port %d is not a port: use 1-65535, the port of the app's redirect URL", o.CallbackPort)
	case o.Timeout <= 0:
		return exitcode.Usagef("--timeout must be positive, e.g. --timeout 5m")
	}
	if o.TwoFA != "" && !isDigits(o.TwoFA) {
		return exitcode.Usagef("--twofa takes the 6-digit code from the authenticator or Kite app (for generated codes set KITE_TOTP_SECRET)")
	}
	return nil
}

func isDigits(s string) bool {
	if len(s) < 4 || len(s) > 10 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func loginConnect(ctx context.Context, ac *auth.Client, in *stdinReader, opts *loginOptions) (auth.Session, error) {
	apiKey := opts.APIKey
	if apiKey == "" {
		apiKey = opts.Getenv("KITE_API_KEY")
	}
	if apiKey == "" {
		return auth.Session{}, exitcode.Usagef("no API key: pass --api-key or set KITE_API_KEY (for a Kite web login use --web)")
	}
	var reqToken string
	if opts.RequestToken != "" {
		t, err := auth.RequestToken(opts.RequestToken)
		if err != nil {
			return auth.Session{}, fmt.Errorf("--request-token: %w", err)
		}
		reqToken = t
	}
	// Take the port before asking for the secret: a port in use is known
	// before anyone types anything.
	var cb *auth.Callback
	if reqToken == "" && !opts.Manual {
		var err error
		if cb, err = auth.ListenCallback(opts.CallbackPort); err != nil {
			return auth.Session{}, err
		}
		defer cb.Close()
	}
	secret, err := opts.secret(ctx, in, secretSource{
		what: "API secret", stdinFlag: "--secret-stdin", fromStdin: opts.SecretStdin, env: "KITE_API_SECRET",
	})
	if err != nil {
		return auth.Session{}, err
	}

	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	if reqToken == "" {
		if cb == nil {
			reqToken, err = pasteRedirect(ctx, opts.cmdDeps, in, ac.LoginURL(apiKey, ""))
		} else {
			reqToken, err = awaitRedirect(ctx, opts, cb, ac.LoginURL(apiKey, cb.State()))
		}
		if err != nil {
			return auth.Session{}, timeoutHint(ctx, err, opts.Timeout)
		}
	}
	sess, err := ac.GenerateSession(ctx, apiKey, reqToken, secret)
	return sess, timeoutHint(ctx, err, opts.Timeout)
}

// awaitRedirect waits for Kite's redirect on the loopback listener, after
// printing the URL to open.
func awaitRedirect(ctx context.Context, opts *loginOptions, cb *auth.Callback, loginURL string) (string, error) {
	fmt.Fprintf(opts.IO.ErrOut, "Open this URL in a browser and log in:\n\n  %s\n\nWaiting for Kite's redirect to http://127.0.0.1:%d/ (Ctrl-C to stop)...\n", loginURL, cb.Port())
	if opts.Browser(loginURL) {
		fmt.Fprintln(opts.IO.ErrOut, "(opened in your browser)")
	}
	return cb.Wait(ctx, func() {
		fmt.Fprintln(opts.IO.ErrOut, "kite: ignored a request to the callback that did not come from the login URL above (no matching state); still waiting. If it was Kite's own redirect, finish with: kite login --request-token 'THE_REDIRECT_URL'")
	})
}

// pasteRedirect is the headless flow: the user opens the URL anywhere and
// pastes back where the browser landed.
func pasteRedirect(ctx context.Context, d cmdDeps, in *stdinReader, loginURL string) (string, error) {
	fmt.Fprintf(d.IO.ErrOut, "Open this URL in a browser and log in:\n\n  %s\n\nThen paste the URL the browser was redirected to (it contains request_token=):\n", loginURL)
	line, err := in.line(ctx)
	if err != nil {
		return "", err
	}
	if line == "" {
		return "", exitcode.Usagef("nothing was pasted on stdin: paste the redirect URL (or run kite login --request-token URL)")
	}
	return auth.RequestToken(line)
}

func timeoutHint(ctx context.Context, err error, d time.Duration) error {
	if err == nil || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return err
	}
	return exitcode.With(exitcode.Auth, fmt.Errorf("login timed out after %v: run kite login again (--timeout to wait longer; --manual where no browser can reach this machine): %w", d, err))
}

func loginWeb(ctx context.Context, ac *auth.Client, in *stdinReader, opts *loginOptions) (auth.Session, error) {
	userID := opts.UserID
	if userID == "" {
		userID = opts.Getenv("KITE_USER_ID")
	}
	if userID == "" {
		return auth.Session{}, exitcode.Usagef("no user id: pass --user-id or set KITE_USER_ID")
	}
	// Decide where the 2FA code comes from before sending the password, so
	// a missing source is a usage error, not a half-done login.
	var twofa auth.TwoFA
	switch totpSecret := opts.Getenv("KITE_TOTP_SECRET"); {
	case opts.TwoFA != "":
		code := opts.TwoFA
		twofa = func(_ context.Context, want string, kinds []string) (string, string, error) {
			return want, code, nil
		}
	case totpSecret != "":
		if _, err := auth.TOTP(totpSecret, opts.Now()); err != nil {
			return auth.Session{}, err
		}
		twofa = auth.TOTPFromSecret(totpSecret, nil)
	case opts.IO.StdinTTY && !opts.PasswordStdin:
		twofa = func(ctx context.Context, want string, kinds []string) (string, string, error) {
			label := "TOTP code from the authenticator app"
			if want == auth.TwoFAAppCode {
				label = "code from the Kite app"
			}
			code, err := in.prompt(ctx, label+": ")
			return want, strings.TrimSpace(code), err
		}
	default:
		return auth.Session{}, exitcode.Usagef("no 2FA code and no terminal to ask on: pass --twofa CODE or set KITE_TOTP_SECRET")
	}
	password, err := opts.secret(ctx, in, secretSource{
		what: "password", stdinFlag: "--password-stdin", fromStdin: opts.PasswordStdin, env: "KITE_PASSWORD",
	})
	if err != nil {
		return auth.Session{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	sess, err := ac.WebLogin(ctx, userID, password, twofa)
	return sess, timeoutHint(ctx, err, opts.Timeout)
}

// secretSource says where one secret may come from, in order: the stdin
// flag, the environment variable, a no-echo prompt on a terminal.
type secretSource struct {
	what      string
	stdinFlag string
	fromStdin bool
	env       string
}

func (d cmdDeps) secret(ctx context.Context, in *stdinReader, s secretSource) (string, error) {
	if s.fromStdin {
		line, err := in.line(ctx)
		if err != nil {
			return "", fmt.Errorf("reading the %s from stdin: %w", s.what, err)
		}
		if line == "" {
			return "", exitcode.Usagef("%s got an empty line: pipe the %s into it", s.stdinFlag, s.what)
		}
		return line, nil
	}
	if v := d.Getenv(s.env); v != "" {
		return v, nil
	}
	if !d.IO.StdinTTY {
		return "", exitcode.Usagef("no %s and no terminal to ask on: set %s or pipe it into %s", s.what, s.env, s.stdinFlag)
	}
	v, err := in.promptSecret(ctx, strings.ToUpper(s.what[:1])+s.what[1:]+": ")
	if err != nil {
		return "", err
	}
	if v == "" {
		return "", exitcode.Usagef("empty %s: set %s or pipe it into %s", s.what, s.env, s.stdinFlag)
	}
	return v, nil
}

// stdinReader is how login reads stdin: lines (--secret-stdin, a pasted
// redirect, the 2FA code) and no-echo secrets, every read given up at once
// when ctx ends (Ctrl-C at a prompt exits 130, and what is typed after it
// is never taken as an answer). All of them share stdin's one buffer.
type stdinReader struct {
	io *iostreams.IOStreams
}

// line reads one line without its end of line; at EOF it returns what
// there was, possibly "".
func (r *stdinReader) line(ctx context.Context) (string, error) {
	return r.io.ReadLine(ctx)
}

func (r *stdinReader) prompt(ctx context.Context, label string) (string, error) {
	return r.io.Prompt(ctx, label)
}

// promptSecret reads without echo from the terminal on stdin.
func (r *stdinReader) promptSecret(ctx context.Context, label string) (string, error) {
	return r.io.PromptPassword(ctx, label)
}

// openBrowser opens url when a person is watching (stderr is a terminal)
// and a browser can be started: a macOS session, or a Linux/BSD desktop
// with xdg-open. Tests and cron never qualify.
func openBrowser(d cmdDeps, url string) bool {
	if !d.IO.StderrTTY {
		return false
	}
	var name string
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		return false
	default:
		if d.Getenv("DISPLAY") == "" && d.Getenv("WAYLAND_DISPLAY") == "" {
			return false
		}
		name = "xdg-open"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return false
	}
	c := exec.Command(path, url)
	c.Stdout, c.Stderr = nil, nil
	if err := c.Start(); err != nil {
		return false
	}
	go c.Wait() // reaps the opener; whether it failed changes nothing: the URL is printed
	return true
}
