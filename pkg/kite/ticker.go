package kite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kitecli/kite/pkg/retry"
	"github.com/kitecli/kite/pkg/ticks"
)

// Kite's ticker limits: instruments per connection and connections per API key.
const (
	MaxTokensPerConn = 3000
	MaxTickerConns   = 3
	MaxTickerTokens  = MaxTokensPerConn * MaxTickerConns
)

// DefaultWatchdog is how long a connection may stay silent (no data, no
// heartbeat: Kite sends a heartbeat every second) before it is presumed dead.
const DefaultWatchdog = 5 * time.Second

const (
	// commandBatch is how many tokens go in one subscribe or mode command,
	// so replaying thousands of instruments never makes one huge frame.
	commandBatch = 1000
	// maxMessage bounds one ticker message: a full-mode message for a
	// whole connection is 2 + 3000×(2+184) bytes, about 560 kB.
	maxMessage = 4 << 20
	// dialTimeout bounds one handshake, so a black-holed address costs a
	// retry instead of hanging the stream.
	dialTimeout = 15 * time.Second
)

// ErrTickerFull is returned when a subscription would exceed Kite's
// per-key limit of MaxTickerTokens instruments.
var ErrTickerFull = fmt.Errorf("more than %d instruments: Kite allows %d per connection and %d connections per API key", MaxTickerTokens, MaxTokensPerConn, MaxTickerConns)

// TickerHandler receives what the ticker reads. The Ticker never calls it
// concurrently, even with several connections, so a handler can own one
// buffered writer. The byte slices are reused after the call returns. An
// error returned by a handler stops the Ticker, which returns that error.
type TickerHandler interface {
	// Binary is one data message (heartbeats are not passed on): a uint16
	// packet count followed by (uint16 length, packet) pairs.
	Binary(conn int, msg []byte) error
	// Text is one JSON text message: an order update, error or message.
	Text(conn int, msg []byte) error
	// Event reports the connection's life: connects, drops, retries.
	Event(ev TickerEvent) error
}

// EventKind names a TickerEvent.
type EventKind string

// Connection events.
const (
	EventConnected    EventKind = "connected"
	EventDisconnected EventKind = "disconnected"
	EventReconnecting EventKind = "reconnecting"
)

// TickerEvent is a change in one connection's state.
type TickerEvent struct {
	Kind     EventKind
	Conn     int           // 1-based connection number
	Attempt  int           // reconnecting: the attempt about to be made (2 = first retry)
	Attempts int           // reconnecting: the most attempts the policy allows
	Wait     time.Duration // reconnecting: the backoff before it
	// Err is why (disconnected, reconnecting), secrets redacted:
	// errors.Is(Err, ErrWatchdog) for a connection the watchdog closed.
	Err    error
	Tokens int // connected: instruments subscribed on this connection
}

// TickerOptions configure a Ticker.
type TickerOptions struct {
	// URL is the ticker's base URL; "" means Kite's for the session kind.
	// The session's query parameters are added to it.
	URL         string
	Credentials Credentials
	Reconnect   retry.Policy  // zero value means retry.Reconnect()
	Watchdog    time.Duration // 0 means DefaultWatchdog
	HTTPClient  *http.Client  // nil means one whose connections read in large batches (see bufferedConn)
	Logger      *slog.Logger  // nil discards
	Handler     TickerHandler
	// AllowCleartext lets a ws:// URL reach a host that is not loopback,
	// sending the session's token unencrypted. Off, NewTicker refuses such
	// a URL with a *CleartextError before anything is dialled.
	AllowCleartext bool
}

// Ticker is a self-healing set of ticker connections. It keeps the wanted
// subscriptions with their modes, spreads them over up to three connections
// (Kite's per-key limit) and replays them after every reconnect.
type Ticker struct {
	opts   TickerOptions
	url    string // with credentials: never log it, use redacted
	secret []string

	handlerMu sync.Mutex // serialises handler calls across connections

	mu      sync.Mutex
	shards  []*shard
	running bool
}

// NewTicker checks the options and builds the connection URL. Nothing is
// dialled until Run.
func NewTicker(opts TickerOptions) (*Ticker, error) {
	if opts.Handler == nil {
		return nil, errors.New("kite: ticker needs a handler")
	}
	if opts.Reconnect == (retry.Policy{}) {
		opts.Reconnect = retry.Reconnect()
	}
	if opts.Watchdog <= 0 {
		opts.Watchdog = DefaultWatchdog
	}
	if opts.HTTPClient == nil {
		var rt http.RoundTripper = tickerTransport()
		if !opts.AllowCleartext {
			rt = &CleartextGuard{Base: rt}
		}
		opts.HTTPClient = &http.Client{Transport: rt}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	u, err := TickerURL(opts.URL, opts.Credentials)
	if err != nil {
		return nil, err
	}
	if !opts.AllowCleartext {
		if err := CheckCleartext(u); err != nil {
			return nil, err
		}
	}
	t := &Ticker{opts: opts, url: u}
	// Kite's tokens are 32 characters and more; a toy token of a letter or
	// two would turn scrubbing into mangling every word that contains it.
	for _, s := range []string{opts.Credentials.AccessToken, opts.Credentials.EncToken} {
		if len(s) >= 8 {
			t.secret = append(t.secret, s, url.QueryEscape(s))
		}
	}
	return t, nil
}

// TickerURL is the WebSocket URL for a session: base (or Kite's default
// for the session kind) with the session's query parameters. The result
// holds secrets; log RedactURL of it instead.
func TickerURL(base string, c Credentials) (string, error) {
	q := url.Values{}
	switch c.Kind {
	case Connect:
		if c.APIKey == "" || c.AccessToken == "" {
			return "", &NoSessionError{Kind: Connect, Need: "an API key and access token"}
		}
		if base == "" {
			base = DefaultWSURL
		}
		q.Set("api_key", c.APIKey)
		q.Set("access_token", c.AccessToken)
	case Web:
		if c.UserID == "" || c.EncToken == "" {
			return "", &NoSessionError{Kind: Web, Need: "a user ID and enctoken"}
		}
		if base == "" {
			base = DefaultWebWS + "/"
		}
		q.Set("api_key", "kitefront")
		q.Set("user_id", c.UserID)
		q.Set("enctoken", c.EncToken)
		q.Set("agent", "kite3-web")
		q.Set("version", "3.0.0")
	default:
		return "", &NoSessionError{Kind: c.Kind}
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		return "", &TickerURLError{URL: RedactURL(base)}
	}
	old := u.Query()
	for k, v := range q {
		old[k] = v
	}
	u.RawQuery = old.Encode()
	return u.String(), nil
}

// Subscribe adds tokens in mode, or changes their mode if already wanted.
// Before Run it may spread them over up to three connections; once running
// it uses the room left on the existing ones.
func (t *Ticker) Subscribe(ctx context.Context, mode ticks.Mode, tokens ...uint32) error {
	if _, ok := ticks.ParseMode(mode.String()); !ok {
		return fmt.Errorf("kite: unknown ticker mode %d", mode)
	}
	t.mu.Lock()
	placed := map[*shard][]uint32{}
	var fresh []uint32
	for _, tok := range tokens {
		if s := t.owner(tok); s != nil {
			placed[s] = append(placed[s], tok)
		} else if !slices.Contains(fresh, tok) {
			fresh = append(fresh, tok)
		}
	}
	for len(fresh) > 0 {
		s := t.roomiest()
		if s == nil || s.size() >= MaxTokensPerConn {
			if t.running || len(t.shards) >= MaxTickerConns {
				t.mu.Unlock()
				return ErrTickerFull
			}
			s = newShard(t, len(t.shards)+1)
			t.shards = append(t.shards, s)
		}
		n := min(MaxTokensPerConn-s.size(), len(fresh))
		s.reserve(fresh[:n])
		placed[s] = append(placed[s], fresh[:n]...)
		fresh = fresh[n:]
	}
	t.mu.Unlock()
	var errs []error
	for s, toks := range placed {
		errs = append(errs, s.subscribe(ctx, mode, toks))
	}
	return errors.Join(errs...)
}

// SetMode changes the mode of already subscribed tokens.
func (t *Ticker) SetMode(ctx context.Context, mode ticks.Mode, tokens ...uint32) error {
	return t.Subscribe(ctx, mode, tokens...)
}

// Unsubscribe drops tokens; unknown ones are ignored.
func (t *Ticker) Unsubscribe(ctx context.Context, tokens ...uint32) error {
	t.mu.Lock()
	placed := map[*shard][]uint32{}
	for _, tok := range tokens {
		if s := t.owner(tok); s != nil {
			placed[s] = append(placed[s], tok)
		}
	}
	t.mu.Unlock()
	var errs []error
	for s, toks := range placed {
		errs = append(errs, s.unsubscribe(ctx, toks))
	}
	return errors.Join(errs...)
}

// Conns is the number of connections Run will open (or has opened).
func (t *Ticker) Conns() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.shards)
}

func (t *Ticker) owner(tok uint32) *shard {
	for _, s := range t.shards {
		if s.has(tok) {
			return s
		}
	}
	return nil
}

func (t *Ticker) roomiest() *shard {
	var best *shard
	for _, s := range t.shards {
		if best == nil || s.size() < best.size() {
			best = s
		}
	}
	return best
}

// Run connects every connection and reads until ctx ends, a handler fails,
// a connection's reconnect budget runs out (exit 6), or Kite refuses the
// session (403 TokenException, exit 3). When ctx ends the connections are
// closed politely and Run returns ctx's error.
func (t *Ticker) Run(ctx context.Context) error {
	t.mu.Lock()
	if t.running {
		t.mu.Unlock()
		return errors.New("kite: ticker is already running")
	}
	if len(t.shards) == 0 {
		t.shards = append(t.shards, newShard(t, 1))
	}
	t.running = true
	shards := slices.Clone(t.shards)
	t.mu.Unlock()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for _, s := range shards {
		wg.Go(func() {
			if err := s.run(ctx); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// deliver calls the handler under the lock that keeps calls serial.
func (t *Ticker) deliver(fn func(TickerHandler) error) error {
	t.handlerMu.Lock()
	defer t.handlerMu.Unlock()
	return fn(t.opts.Handler)
}

// scrub removes the secrets from an error message produced while dialling,
// since net/http quotes the whole URL (query included) in its errors.
func (t *Ticker) scrub(msg string) string {
	msg = strings.ReplaceAll(msg, t.url, RedactURL(t.url))
	for _, s := range t.secret {
		msg = strings.ReplaceAll(msg, s, Redacted)
	}
	return msg
}
