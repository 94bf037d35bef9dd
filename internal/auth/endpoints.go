package auth

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
)

// Endpoints are the server a session lives on: its REST root (what
// --base-url names; Kite web's /oms is added by kite.Credentials.RESTBase)
// and its ticker URL.
type Endpoints struct {
	BaseURL string
	WSURL   string
}

// DefaultEndpoints are the real Kite's, for a session kind.
func DefaultEndpoints(kind kite.SessionKind) Endpoints {
	if kind == kite.Web {
		return Endpoints{BaseURL: kite.DefaultWebBase, WSURL: kite.DefaultWebWS}
	}
	return Endpoints{BaseURL: kite.DefaultAPIBase, WSURL: kite.DefaultWSURL}
}

// Resolve fills what is empty with Kite's defaults for kind and
// normalises both URLs, so that two spellings of one server compare equal.
func (e Endpoints) Resolve(kind kite.SessionKind) Endpoints {
	def := DefaultEndpoints(kind)
	if e.BaseURL == "" {
		e.BaseURL = def.BaseURL
	}
	if e.WSURL == "" {
		e.WSURL = def.WSURL
	}
	return Endpoints{BaseURL: normalURL(e.BaseURL), WSURL: normalURL(e.WSURL)}
}

// normalURL lower-cases the scheme and host, drops a default port and a
// trailing slash. A URL that does not parse is kept as given: it then
// matches only itself.
func normalURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" {
		return s
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Host)
	switch {
	case (u.Scheme == "https" || u.Scheme == "wss") && strings.HasSuffix(host, ":443"),
		(u.Scheme == "http" || u.Scheme == "ws") && strings.HasSuffix(host, ":80"):
		host = host[:strings.LastIndexByte(host, ':')]
	}
	u.Host = host
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String()
}

// Endpoints are the server s was made on. A session saved before kite
// recorded it counts as made on Kite's own servers: the only ones kite
// logged in to by default, and the safer guess, since a token from Kite is
// then never sent to a sandbox or any other server named by --base-url.
func (s Session) Endpoints() Endpoints {
	return Endpoints{BaseURL: s.BaseURL, WSURL: s.WSURL}.Resolve(s.Kind)
}

// Recorded reports whether the file named the server (false for files
// written before kite recorded it).
func (s Session) Recorded() bool { return s.BaseURL != "" }

// ServerMismatchError is a cached session used against a server other than
// the one that issued it. The token is not sent: to another Kite it is
// useless, to anything else it is a leak.
type ServerMismatchError struct {
	Profile   string
	Ticker    bool   // the ticker URL differs (else the REST root)
	Made      string // the server the session was made on
	Using     string // the server this run would send it to
	IsDefault bool   // Made is Kite's own
	Recorded  bool   // false: an old file, assumed made on Kite's own servers
}

func (e *ServerMismatchError) Error() string {
	flag, env := "--base-url", "KITE_BASE_URL"
	if e.Ticker {
		flag, env = "--ws-url", "KITE_WS_URL"
	}
	old := ""
	if !e.Recorded {
		old = " (it was saved before kite recorded servers, so it counts as Kite's own)"
	}
	back := fmt.Sprintf("set %s (or %s) to %s", flag, env, e.Made)
	if e.IsDefault {
		back = fmt.Sprintf("drop %s (and unset %s) to use Kite", flag, env)
	}
	return fmt.Sprintf("the session of profile %q was made for %s%s, not %s, and is not sent to another server: run kite login to make one for %s (it replaces this one), use --profile NAME for a profile logged in there, or %s",
		e.Profile, e.Made, old, e.Using, e.Using, back)
}

// ExitCode is exitcode.Auth: for this server, there is no session.
func (e *ServerMismatchError) ExitCode() int { return exitcode.Auth }

// CheckServer returns a *ServerMismatchError unless baseURL (as given to
// --base-url; "" is Kite's) is the REST root s was made on. profile names
// the session in the error.
func (s Session) CheckServer(profile, baseURL string) error {
	made := s.Endpoints().BaseURL
	using := Endpoints{BaseURL: baseURL}.Resolve(s.Kind).BaseURL
	if made == using {
		return nil
	}
	return &ServerMismatchError{Profile: profile, Made: made, Using: using,
		IsDefault: made == DefaultEndpoints(s.Kind).Resolve(s.Kind).BaseURL, Recorded: s.Recorded()}
}

// CheckTicker is CheckServer for the ticker URL (--ws-url), which only the
// commands that stream use.
func (s Session) CheckTicker(profile, wsURL string) error {
	made := s.Endpoints().WSURL
	using := Endpoints{WSURL: wsURL}.Resolve(s.Kind).WSURL
	if made == using {
		return nil
	}
	return &ServerMismatchError{Profile: profile, Ticker: true, Made: made, Using: using,
		IsDefault: made == DefaultEndpoints(s.Kind).Resolve(s.Kind).WSURL, Recorded: s.Recorded()}
}
