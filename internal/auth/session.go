// Package auth logs in to Kite and keeps the one session every command of a
// profile shares.
//
// A session is a secret that cron jobs, shells and scripts on the same
// machine reuse until Kite kills it at 06:00 IST, so the cache is written
// atomically under an advisory lock (two logins at once leave one valid
// file, never a torn one), kept private (0600 in a 0700 directory), and
// refused outright when it is corrupt or readable by others. The login flows
// themselves (Kite Connect's request-token exchange and loopback callback,
// Kite web's password + 2FA) take a context, an HTTP client and a base URL,
// not the CLI, so they run unchanged against the real Kite or the sandbox.
package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/kitehome"
	"github.com/kitecli/kite/pkg/kite"
)

// Session is one logged-in session as cached on disk. Token is the Connect
// access token or the web enctoken, depending on Kind.
type Session struct {
	Kind      kite.SessionKind `json:"kind"`
	APIKey    string           `json:"api_key,omitempty"`
	UserID    string           `json:"user_id"`
	Token     string           `json:"token"`
	LoginTime time.Time        `json:"login_time"`
	Expiry    time.Time        `json:"expiry"`
	// BaseURL and WSURL are the server the session was made on (the REST
	// root given to login, without Kite web's /oms, and the ticker URL),
	// normalised by Endpoints.Resolve. A token is only good on the server
	// that issued it, and sending it anywhere else leaks it, so the CLI
	// refuses a cached session on any other server. Files written before
	// kite recorded them have neither: see Session.Endpoints.
	BaseURL string `json:"base_url,omitempty"`
	WSURL   string `json:"ws_url,omitempty"`
}

// Credentials are the request credentials of s.
func (s Session) Credentials() kite.Credentials {
	c := kite.Credentials{Kind: s.Kind, APIKey: s.APIKey, UserID: s.UserID}
	if s.Kind == kite.Web {
		c.EncToken = s.Token
	} else {
		c.AccessToken = s.Token
	}
	return c
}

// String never shows the token, so a session printed by accident leaks nothing.
func (s Session) String() string {
	return fmt.Sprintf("%s session of %s until %s", s.Kind, s.UserID, s.Expiry.In(kite.IST).Format(time.RFC3339))
}

func (s Session) valid() error {
	switch {
	case s.Kind != kite.Connect && s.Kind != kite.Web:
		return fmt.Errorf("unknown kind %q", s.Kind)
	case s.Token == "":
		return errors.New("no token")
	case s.Kind == kite.Connect && s.APIKey == "":
		return errors.New("connect session without api_key")
	case s.Expiry.IsZero():
		return errors.New("no expiry")
	}
	return nil
}

// Expiry is when a session created at login dies: Kite invalidates every
// session at 06:00 IST, so it is the first 06:00 IST strictly after login.
func Expiry(login time.Time) time.Time {
	t := login.In(kite.IST)
	six := time.Date(t.Year(), t.Month(), t.Day(), 6, 0, 0, 0, kite.IST)
	if !t.Before(six) {
		six = six.AddDate(0, 0, 1)
	}
	return six
}

// ErrNoSession means the profile has no cached session.
var ErrNoSession = errors.New("no cached session")

// ExpiredError is returned (once; the file is removed) for a cached session
// past its expiry.
type ExpiredError struct {
	Profile string
	Expiry  time.Time
}

func (e *ExpiredError) Error() string {
	return fmt.Sprintf("session expired (profile %q, at %s): run kite login", e.Profile, e.Expiry.In(kite.IST).Format(time.RFC3339))
}

// ExitCode is exitcode.Auth: the remedy is a new login.
func (e *ExpiredError) ExitCode() int { return exitcode.Auth }

// Store is the session cache of one profile.
type Store struct {
	Profile string
	Dir     string           // the profile's directory, e.g. kitehome.Dirs.ProfileDir(Profile)
	Now     func() time.Time // nil means time.Now; tests inject a clock
}

// NewStore is the store of profile, kept in dir (the profile's own
// directory: the session file and its lock go there). profile names it in
// messages.
func NewStore(dir, profile string) *Store {
	return &Store{Profile: profile, Dir: dir}
}

// Path is the session file.
func (s *Store) Path() string { return filepath.Join(s.Dir, "session.json") }

func (s *Store) lockPath() string { return filepath.Join(s.Dir, "session.lock") }

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// lock serialises writers of this profile across processes. Readers do not
// need it: writes are atomic renames.
func (s *Store) lock() (func(), error) {
	if err := kitehome.MkdirPrivate(s.Dir); err != nil {
		return nil, err
	}
	// MkdirAll leaves an existing directory's mode alone; the profile's
	// directory holds only kite's secrets, so it is made private.
	if err := os.Chmod(s.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("making %s private: %w", s.Dir, err)
	}
	return kitehome.Lock(s.lockPath())
}

// Load returns the cached session. It fails with ErrNoSession when there is
// none, an *ExpiredError (after removing the file) when it has expired, and
// an error naming the file and the fix when the file is corrupt or not
// private.
func (s *Store) Load() (Session, error) {
	sess, err := s.read()
	if err != nil {
		return Session{}, err
	}
	if !s.now().Before(sess.Expiry) {
		if err := s.RemoveIf(sess.Token); err != nil {
			return Session{}, err
		}
		return Session{}, &ExpiredError{Profile: s.Profile, Expiry: sess.Expiry}
	}
	return sess, nil
}

// Peek returns the cached session as it is on disk, expired or not, and
// changes nothing: for listing sessions (kite auth status). Its errors are
// Load's, bar the expiry.
func (s *Store) Peek() (Session, error) { return s.read() }

func (s *Store) read() (Session, error) {
	path := s.Path()
	// One open file for the permission check and the read, so a concurrent
	// rename cannot make them look at two different files. It is never a
	// link (which would read a file of someone else's choosing) nor a FIFO
	// (which would block forever).
	f, err := kitehome.OpenRegular(path, os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return Session{}, ErrNoSession
	}
	var nr *kitehome.NotRegularError
	if errors.As(err, &nr) {
		return Session{}, exitcode.With(exitcode.Auth, fmt.Errorf("refusing the session of profile %q: %w", s.Profile, err))
	}
	if err != nil {
		return Session{}, fmt.Errorf("reading session %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Session{}, fmt.Errorf("reading session %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return Session{}, fmt.Errorf("refusing to use the session file %s: it has permissions %v, want 0600 (another user may have read it): fix with chmod 600 %s, or remove it and run kite login", path, fi.Mode().Perm(), path)
	}
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return Session{}, fmt.Errorf("reading session %s: %w", path, err)
	}
	sess, err := decodeSession(data)
	if err != nil {
		return Session{}, &CorruptError{Path: path, Err: err}
	}
	return sess, nil
}

// decodeSession parses a session file strictly: unknown fields, trailing
// data or a session that could not authenticate anything are errors.
func decodeSession(data []byte) (Session, error) {
	var sess Session
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sess); err != nil {
		return Session{}, decodeProblem(err)
	}
	if dec.More() {
		return Session{}, errors.New("trailing data after the session")
	}
	if err := sess.valid(); err != nil {
		return Session{}, err
	}
	return sess, nil
}

// decodeProblem says in a user's words what is wrong with a session file
// encoding/json refused; its own messages name Go types.
func decodeProblem(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tim *time.ParseError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &syn):
		return errors.New("not valid JSON")
	case errors.As(err, &typ):
		return fmt.Errorf("field %q has the wrong type", typ.Field)
	case errors.As(err, &tim):
		return fmt.Errorf("the time %q is not in RFC 3339 form", tim.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	return errors.New("not a session")
}

// CorruptError is a session file kite cannot read. It means there is no
// session: exit 3, and a login replaces the file.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("session file %s is corrupt (%v): run kite login to replace it (kite logout removes it)", e.Path, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// ExitCode is exitcode.Auth: a corrupt session is no session.
func (e *CorruptError) ExitCode() int { return exitcode.Auth }

// Save writes sess as the profile's session, atomically and under the lock.
func (s *Store) Save(sess Session) error {
	if err := sess.valid(); err != nil {
		return fmt.Errorf("not saving an invalid session: %w", err)
	}
	data, err := json.MarshalIndent(sess, "", "  ")
	if err != nil {
		return err
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return kitehome.WriteFileAtomic(s.Path(), append(data, '\n'), 0o600)
}

// Remove deletes the cached session, if any. It reports whether there was
// one, and succeeds when there was none.
func (s *Store) Remove() (bool, error) {
	unlock, err := s.lock()
	if err != nil {
		return false, err
	}
	defer unlock()
	return s.remove()
}

func (s *Store) remove() (bool, error) {
	err := os.Remove(s.Path())
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("removing session %s: %w", s.Path(), err)
	}
	return true, nil
}

// RemoveIf deletes the cached session only if it still holds token. A
// process whose token Kite rejected calls it, so a fresh session written
// meanwhile by another process's login survives.
func (s *Store) RemoveIf(token string) error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	cur, err := s.read()
	if errors.Is(err, ErrNoSession) {
		return nil
	}
	if err == nil && cur.Token != token {
		return nil
	}
	// A corrupt or unreadable file goes too: it was ours and is useless.
	_, err = s.remove()
	return err
}
