package natsfeed

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// ConnOptions are the connection settings natscli and nats.go use:
// a URL (several, comma-separated, for a cluster; user:password@ in it),
// a credentials file, an nkey seed file and TLS files.
type ConnOptions struct {
	URL     string
	Creds   string // --creds: a .creds file (JWT and nkey seed)
	NKey    string // --nkey: a file holding a user nkey seed
	TLSCert string
	TLSKey  string
	TLSCA   string
	Name    string // the client name the server shows
	// ReconnectBuffer is how many bytes nats.go holds while reconnecting.
	// 0 means none: a publish fails at once while disconnected, and the
	// Publisher, which holds every message until it is acked, resends
	// them in order on reconnect. (nats.go's buffer would replay newer
	// messages before the Publisher could resend older ones lost in
	// flight, out of order.)
	ReconnectBuffer int
	// OnConn is told of disconnects and reconnects (nil: not told).
	OnConn func(event string, err error)
}

// Connect dials NATS. It reconnects for ever: an outage is bridged by the
// Publisher's buffer, and counted when that overflows.
func Connect(o ConnOptions) (*nats.Conn, error) {
	if err := CheckURL(o.URL); err != nil {
		return nil, err
	}
	opts := []nats.Option{
		nats.Name(o.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.RetryOnFailedConnect(false),
	}
	if o.ReconnectBuffer > 0 {
		opts = append(opts, nats.ReconnectBufSize(o.ReconnectBuffer))
	} else {
		opts = append(opts, nats.ReconnectBufSize(-1))
	}
	if o.Creds != "" {
		opts = append(opts, nats.UserCredentials(o.Creds))
	}
	if o.NKey != "" {
		opt, err := nats.NkeyOptionFromSeed(o.NKey)
		if err != nil {
			return nil, fmt.Errorf("reading --nkey %s: %w", o.NKey, err)
		}
		opts = append(opts, opt)
	}
	if o.TLSCert != "" || o.TLSKey != "" {
		opts = append(opts, nats.ClientCert(o.TLSCert, o.TLSKey))
	}
	if o.TLSCA != "" {
		opts = append(opts, nats.RootCAs(o.TLSCA))
	}
	if o.OnConn != nil {
		opts = append(opts,
			nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { o.OnConn("nats_disconnected", err) }),
			nats.ReconnectHandler(func(*nats.Conn) { o.OnConn("nats_reconnected", nil) }),
		)
	}
	nc, err := nats.Connect(o.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to NATS at %s: %w", Redact(o.URL), err)
	}
	return nc, nil
}

// CheckURL refuses a URL that would send a password in clear to a host
// that is not loopback: use tls:// (or --tlsca) for that.
func CheckURL(urls string) error {
	for _, s := range strings.Split(urls, ",") {
		s = strings.TrimSpace(s)
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return fmt.Errorf("%q is not a NATS URL such as nats://127.0.0.1:4222", Redact(s))
		}
		switch u.Scheme {
		case "nats", "tls", "ws", "wss":
		default:
			return fmt.Errorf("%q is not a NATS URL: use nats://HOST:PORT or tls://HOST:PORT", Redact(s))
		}
		if _, hasPass := u.User.Password(); hasPass && (u.Scheme == "nats" || u.Scheme == "ws") && !loopback(u.Hostname()) {
			return fmt.Errorf("%s carries a password in clear to a remote host: use tls://%s (or a --creds file)", Redact(s), u.Host)
		}
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Redact hides the password (and a lone token) of a NATS URL list.
func Redact(urls string) string {
	parts := strings.Split(urls, ",")
	for i, s := range parts {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil {
			parts[i] = "(a URL that does not parse)"
			continue
		}
		if u.User != nil {
			if _, ok := u.User.Password(); ok {
				u.User = url.UserPassword(u.User.Username(), "xxxxx")
			} else {
				u.User = url.User("xxxxx")
			}
		}
		parts[i] = u.String()
	}
	return strings.Join(parts, ",")
}
