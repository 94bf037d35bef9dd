package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
)

func ist(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestExpiryIsNext0600IST(t *testing.T) {
	cases := []struct{ login, want string }{
		{"2026-11-21T05:59:59+05:30", "2026-11-21T06:00:00+05:30"},
		{"2026-11-21T06:00:00+05:30", "2026-11-22T06:00:00+05:30"}, // at 06:00 the day's session is already dead
		{"2026-11-21T06:00:01+05:30", "2026-11-22T06:00:00+05:30"},
		{"2026-11-21T23:59:59+05:30", "2026-11-22T06:00:00+05:30"},
		{"2026-11-21T00:00:00+05:30", "2026-11-21T06:00:00+05:30"},
		{"2026-12-31T09:15:00+05:30", "2027-01-01T06:00:00+05:30"},
		{"2028-02-28T12:00:00+05:30", "2028-02-29T06:00:00+05:30"},
		// Logins expressed in other zones: 00:29 UTC is 05:59 IST, 00:30 UTC is 06:00 IST.
		{"2026-11-21T00:29:00Z", "2026-11-21T06:00:00+05:30"},
		{"2026-11-21T00:30:00Z", "2026-11-22T06:00:00+05:30"},
		// 20:00 in New York on the 20th is 06:30 IST on the 21st.
		{"2026-11-20T20:00:00-05:00", "2026-11-22T06:00:00+05:30"},
	}
	for _, c := range cases {
		got := Expiry(ist(c.login))
		if !got.Equal(ist(c.want)) {
			t.Errorf("Expiry(%s) = %s, want %s", c.login, got.In(kite.IST).Format(time.RFC3339), c.want)
		}
	}
}

func newStore(t *testing.T, now time.Time) *Store {
	t.Helper()
	return &Store{Profile: "p", Dir: filepath.Join(t.TempDir(), "profiles", "p"), Now: func() time.Time { return now }}
}

func connectSession(token string, login time.Time) Session {
	return Session{Kind: kite.Connect, APIKey: "key1", UserID: "AB1234", Token: token, LoginTime: login, Expiry: Expiry(login)}
}

// NewStore takes plain values: the session file lives in the directory
// given, whatever layout the caller keeps its profiles in.
func TestNewStoreKeepsToItsDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "anywhere", "desk")
	s := NewStore(dir, "desk")
	login := time.Now()
	if err := s.Save(connectSession("tok1234567", login)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "session.json")); err != nil || s.Path() != filepath.Join(dir, "session.json") || s.Profile != "desk" {
		t.Fatalf("session file not at %s/session.json (Path %s, profile %q): %v", dir, s.Path(), s.Profile, err)
	}
	got, err := NewStore(dir, "desk").Load()
	if err != nil || got.Token != "tok1234567" {
		t.Fatalf("Load = %+v, %v", got, err)
	}
}

func TestSaveLoadIsPrivate(t *testing.T) {
	login := ist("2026-11-21T09:00:00+05:30")
	s := newStore(t, login.Add(time.Hour))
	want := connectSession("tok123", login)
	if err := s.Save(want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got.Token != "tok123" || got.APIKey != "key1" || got.UserID != "AB1234" || got.Kind != kite.Connect ||
		!got.LoginTime.Equal(login) || !got.Expiry.Equal(ist("2026-11-22T06:00:00+05:30")) {
		t.Fatalf("round trip: %+v", got)
	}
	fi, err := os.Stat(s.Path())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v, %v", fi.Mode(), err)
	}
	di, err := os.Stat(s.Dir)
	if err != nil || di.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v, %v", di.Mode(), err)
	}
	// A profile directory someone opened up is closed again by the next save.
	if err := os.Chmod(s.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(want); err != nil {
		t.Fatal(err)
	}
	if di, err := os.Stat(s.Dir); err != nil || di.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode after re-save %v, %v", di.Mode(), err)
	}
	if strings.Contains(got.String(), "tok123") {
		t.Fatalf("String() shows the token: %s", got)
	}
	c := got.Credentials()
	if c.Authorization() != "token key1:tok123" {
		t.Fatalf("credentials %q", c.Authorization())
	}
	web := Session{Kind: kite.Web, UserID: "AB1234", Token: "enc/x+y==", Expiry: Expiry(login)}
	if web.Credentials().Authorization() != "enctoken enc/x+y==" {
		t.Fatalf("web credentials %q", web.Credentials().Authorization())
	}
}

func TestLoadMissing(t *testing.T) {
	s := newStore(t, time.Now())
	if _, err := s.Load(); !errors.Is(err, ErrNoSession) {
		t.Fatalf("got %v, want ErrNoSession", err)
	}
	existed, err := s.Remove()
	if err != nil || existed {
		t.Fatalf("Remove on nothing: %v %v", existed, err)
	}
}

func TestLoadRefusesLoosePermissions(t *testing.T) {
	login := ist("2026-11-21T09:00:00+05:30")
	s := newStore(t, login)
	if err := s.Save(connectSession("tok", login)); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(s.Path(), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := s.Load()
	if err == nil || !strings.Contains(err.Error(), s.Path()) || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("loose file: %v", err)
	}
	if strings.Contains(err.Error(), "tok") {
		t.Fatalf("error shows the token: %v", err)
	}
	if _, serr := os.Stat(s.Path()); serr != nil {
		t.Fatal("the loose file was removed; it must be left for the user to inspect")
	}
}

func TestLoadCorrupt(t *testing.T) {
	for name, content := range map[string]string{
		"garbage":    "{not json",
		"empty":      "",
		"no token":   `{"kind":"connect","api_key":"k","user_id":"u","token":"","expiry":"2099-01-01T06:00:00+05:30"}`,
		"bad kind":   `{"kind":"ftp","user_id":"u","token":"t","expiry":"2099-01-01T06:00:00+05:30"}`,
		"no expiry":  `{"kind":"web","user_id":"u","token":"t"}`,
		"bad time":   `{"kind":"web","user_id":"u","token":"t","expiry":"tomorrow"}`,
		"unknown":    `{"kind":"web","user_id":"u","token":"t","expiry":"2099-01-01T06:00:00+05:30","x":1}`,
		"no api key": `{"kind":"connect","user_id":"u","token":"t","expiry":"2099-01-01T06:00:00+05:30"}`,
	} {
		t.Run(name, func(t *testing.T) {
			s := newStore(t, time.Now())
			if err := os.MkdirAll(s.Dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(s.Path(), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := s.Load()
			// A corrupt session is no session (exit 3), and the message
			// says what to type, in words, not encoding/json's.
			var ce *CorruptError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), s.Path()) || !strings.Contains(err.Error(), "run kite login") ||
				exitcode.Code(err) != exitcode.Auth || strings.Contains(err.Error(), "json:") || strings.Contains(err.Error(), "Go value") {
				t.Fatalf("got %v (exit %d)", err, exitcode.Code(err))
			}
			// logout's way out: Remove clears it.
			if existed, err := s.Remove(); err != nil || !existed {
				t.Fatalf("remove: %v %v", existed, err)
			}
		})
	}
}

func TestLoadExpiredRemovesFile(t *testing.T) {
	login := ist("2026-11-21T09:00:00+05:30")
	cases := []struct {
		now     string
		expired bool
	}{
		{"2026-11-22T05:59:59+05:30", false},
		{"2026-11-22T06:00:00+05:30", true},
		{"2026-11-22T00:30:00Z", true}, // the same instant in UTC
		{"2026-11-22T00:29:59Z", false},
		{"2026-11-25T12:00:00+05:30", true},
	}
	for _, c := range cases {
		s := newStore(t, ist(c.now))
		if err := s.Save(connectSession("tok", login)); err != nil {
			t.Fatal(err)
		}
		_, err := s.Load()
		var ee *ExpiredError
		if got := errors.As(err, &ee); got != c.expired {
			t.Fatalf("now %s: expired=%v (err %v), want %v", c.now, got, err, c.expired)
		}
		_, statErr := os.Stat(s.Path())
		if c.expired {
			if !os.IsNotExist(statErr) {
				t.Fatalf("now %s: expired file still there (%v)", c.now, statErr)
			}
			if exitcode.Code(err) != exitcode.Auth || !strings.Contains(err.Error(), "session expired") || !strings.Contains(err.Error(), "run kite login") {
				t.Fatalf("expired error: %v (code %d)", err, exitcode.Code(err))
			}
			if _, err := s.Load(); !errors.Is(err, ErrNoSession) {
				t.Fatalf("second load: %v", err)
			}
		} else if statErr != nil {
			t.Fatalf("now %s: live file removed", c.now)
		}
	}
}

func TestRemoveIfKeepsNewerSession(t *testing.T) {
	login := ist("2026-11-21T09:00:00+05:30")
	s := newStore(t, login)
	if err := s.Save(connectSession("new", login)); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveIf("old"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load(); err != nil || got.Token != "new" {
		t.Fatalf("newer session lost: %+v %v", got, err)
	}
	if err := s.RemoveIf("new"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after RemoveIf: %v", err)
	}
	if err := s.RemoveIf("new"); err != nil {
		t.Fatalf("RemoveIf on nothing: %v", err)
	}
}

// TestConcurrentWritersGoroutines hammers one profile from goroutines, each
// Save taking the real flock on its own descriptor.
func TestConcurrentWritersGoroutines(t *testing.T) {
	login := ist("2026-11-21T09:00:00+05:30")
	s := newStore(t, login)
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				if err := s.Save(connectSession(fmt.Sprintf("w%dx%d", w, i), login)); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Load(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	checkOneValidSession(t, s)
}

// TestConcurrentWritersProcesses runs real processes (this test binary
// re-executed) writing the same profile while this process reads it.
func TestConcurrentWritersProcesses(t *testing.T) {
	login := ist("2026-11-21T09:00:00+05:30")
	s := newStore(t, login)
	var cmds []*exec.Cmd
	for w := range 4 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$", "-test.count=1")
		cmd.Env = append(os.Environ(), "KITE_AUTH_TEST_WRITER="+s.Dir, "KITE_AUTH_TEST_ID="+strconv.Itoa(w))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	done := make(chan error, len(cmds))
	for _, c := range cmds {
		go func() { done <- c.Wait() }()
	}
	finished := 0
	for finished < len(cmds) {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("writer process: %v", err)
			}
			finished++
		default:
			if _, err := s.Load(); err != nil && !errors.Is(err, ErrNoSession) {
				t.Fatalf("reader saw a broken session while writers ran: %v", err)
			}
		}
	}
	checkOneValidSession(t, s)
}

// TestHelperWriter is the child of TestConcurrentWritersProcesses.
func TestHelperWriter(t *testing.T) {
	dir := os.Getenv("KITE_AUTH_TEST_WRITER")
	if dir == "" {
		t.Skip("only run as a child process")
	}
	login := ist("2026-11-21T09:00:00+05:30")
	s := &Store{Profile: "p", Dir: dir, Now: func() time.Time { return login }}
	id := os.Getenv("KITE_AUTH_TEST_ID")
	for i := range 40 {
		if err := s.Save(connectSession("p"+id+"x"+strconv.Itoa(i), login)); err != nil {
			t.Fatal(err)
		}
		if i%10 == 9 {
			if err := s.RemoveIf("p" + id + "x" + strconv.Itoa(i)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func checkOneValidSession(t *testing.T, s *Store) {
	t.Helper()
	got, err := s.Load()
	if err != nil && !errors.Is(err, ErrNoSession) {
		t.Fatalf("final session: %v", err)
	}
	if err == nil && (got.Token == "" || got.APIKey != "key1") {
		t.Fatalf("final session: %+v", got)
	}
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "session.json" && e.Name() != "session.lock" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func FuzzDecodeSession(f *testing.F) {
	login := ist("2026-11-21T09:00:00+05:30")
	good, _ := json.Marshal(connectSession("tok", login))
	f.Add(good)
	f.Add([]byte(`{"kind":"web","user_id":"u","token":"t","expiry":"2099-01-01T06:00:00+05:30"}`))
	f.Add([]byte(`{"kind":"web","user_id":"u","token":"t","expiry":"2099-01-01T06:00:00+05:30"} {}`))
	f.Add([]byte(`{"kind":"connect"`))
	f.Add([]byte(``))
	f.Add([]byte(`{"kind":"connect","api_key":"k","user_id":"u","token":"t","expiry":"2099-01-01T06:00:00+05:30","base_url":"http://127.0.0.1:7777","ws_url":"ws://127.0.0.1:7777/ws"}`))
	f.Add([]byte(`{"kind":"web","user_id":5,"token":"t","expiry":"tomorrow"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := decodeSession(data)
		if err != nil {
			// The reason reaches the user: in words, never encoding/json's.
			if msg := err.Error(); strings.Contains(msg, "json:") || strings.Contains(msg, "Go value") || strings.Contains(msg, "Go struct") {
				t.Fatalf("Go internals in the error: %q", msg)
			}
			return
		}
		if s.valid() != nil {
			t.Fatalf("accepted an invalid session: %+v", s)
		}
		// What was accepted survives a save and a load unchanged.
		st := &Store{Profile: "p", Dir: t.TempDir(), Now: func() time.Time { return s.Expiry.Add(-time.Second) }}
		if err := st.Save(s); err != nil {
			t.Fatal(err)
		}
		got, err := st.Load()
		if err != nil || got.Token != s.Token || got.Kind != s.Kind || !got.Expiry.Equal(s.Expiry) || got.BaseURL != s.BaseURL || got.WSURL != s.WSURL {
			t.Fatalf("round trip: %+v %v, want %+v", got, err, s)
		}
	})
}
