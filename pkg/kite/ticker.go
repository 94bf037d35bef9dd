package kite

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/kitecli/kite/pkg/exitcode"
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
			return "", exitcode.With(exitcode.Auth, errors.New("the ticker needs an API key and access token: run kite login"))
		}
		if base == "" {
			base = DefaultWSURL
		}
		q.Set("api_key", c.APIKey)
		q.Set("access_token", c.AccessToken)
	case Web:
		if c.UserID == "" || c.EncToken == "" {
			return "", exitcode.With(exitcode.Auth, errors.New("the web ticker needs a user ID and enctoken: run kite login --web"))
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
		return "", exitcode.With(exitcode.Auth, errors.New("no session: run kite login"))
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		return "", exitcode.Usagef("ticker URL %q is not a ws:// or wss:// URL", RedactURL(base))
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

// shard is one WebSocket connection and the subscriptions it carries.
type shard struct {
	t  *Ticker
	id int

	mu     sync.Mutex
	wanted map[uint32]ticks.Mode // 0 = reserved by Subscribe, mode not yet set
	conn   *websocket.Conn       // nil while disconnected

	buf   []byte // the read buffer, reused for every message
	epoch time.Time
	// waiting is when (ns since epoch) the reader started waiting for the
	// next message, or 0 while it is handing one to the handler: a slow
	// consumer blocking the reader must not look like a dead server.
	waiting atomic.Int64
}

func newShard(t *Ticker, id int) *shard {
	return &shard{t: t, id: id, wanted: map[uint32]ticks.Mode{}, buf: make([]byte, 64<<10), epoch: time.Now()}
}

func (s *shard) size() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.wanted)
}

func (s *shard) has(tok uint32) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.wanted[tok]
	return ok
}

func (s *shard) reserve(toks []uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, tok := range toks {
		s.wanted[tok] = 0
	}
}

func (s *shard) subscribe(ctx context.Context, mode ticks.Mode, toks []uint32) error {
	s.mu.Lock()
	var added []uint32
	for _, tok := range toks {
		if s.wanted[tok] == 0 {
			added = append(added, tok)
		}
		s.wanted[tok] = mode
	}
	conn := s.conn
	s.mu.Unlock()
	if conn == nil {
		return nil // replayed on connect
	}
	if len(added) > 0 {
		// See replay for why the mode goes first as well.
		if err := s.send(ctx, conn, "mode", mode.String(), added); err != nil {
			return s.liveSendError(ctx, err)
		}
		if err := s.send(ctx, conn, "subscribe", "", added); err != nil {
			return s.liveSendError(ctx, err)
		}
	}
	return s.liveSendError(ctx, s.send(ctx, conn, "mode", mode.String(), toks))
}

// liveSendError judges a command that failed on a live connection: the
// wanted set is already updated and a broken connection is replaced and
// replayed, so only the caller's own cancellation is an error.
func (s *shard) liveSendError(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil {
		return err
	}
	s.t.opts.Logger.Debug("ticker command not sent; it is replayed on reconnect", "conn", s.id, "error", err)
	return nil
}

func (s *shard) unsubscribe(ctx context.Context, toks []uint32) error {
	s.mu.Lock()
	for _, tok := range toks {
		delete(s.wanted, tok)
	}
	conn := s.conn
	s.mu.Unlock()
	if conn == nil {
		return nil
	}
	return s.liveSendError(ctx, s.send(ctx, conn, "unsubscribe", "", toks))
}

// replay sends the whole wanted set on a fresh connection: the mode
// commands, subscribe, then the mode commands again. Kite starts a new
// subscription in quote mode, so between subscribe and mode a tick can come
// in the wrong mode; a server that takes a mode command as a subscription
// (the sandbox does) gets the right mode from the first tick, and one that
// ignores a mode for tokens not yet subscribed gets it from the second.
func (s *shard) replay(ctx context.Context, conn *websocket.Conn) (int, error) {
	s.mu.Lock()
	s.conn = conn
	all := make([]uint32, 0, len(s.wanted))
	byMode := map[ticks.Mode][]uint32{}
	for tok, m := range s.wanted {
		if m == 0 {
			continue
		}
		all = append(all, tok)
		byMode[m] = append(byMode[m], tok)
	}
	s.mu.Unlock()
	slices.Sort(all)
	modes := func() error {
		for _, m := range []ticks.Mode{ticks.ModeLTP, ticks.ModeQuote, ticks.ModeFull} {
			toks := byMode[m]
			slices.Sort(toks)
			if err := s.send(ctx, conn, "mode", m.String(), toks); err != nil {
				return err
			}
		}
		return nil
	}
	if err := modes(); err != nil {
		return 0, err
	}
	if err := s.send(ctx, conn, "subscribe", "", all); err != nil {
		return 0, err
	}
	if err := modes(); err != nil {
		return 0, err
	}
	return len(all), nil
}

// send sends {"a":action,"v":[…]} (or, for mode, {"a":"mode","v":[mode,[…]]})
// in batches of commandBatch tokens. With --debug each command is traced.
func (s *shard) send(ctx context.Context, conn *websocket.Conn, action, mode string, toks []uint32) error {
	for len(toks) > 0 {
		n := min(len(toks), commandBatch)
		cmd := command(action, mode, toks[:n])
		s.t.opts.Logger.Debug("ticker send", "conn", s.id, "command", string(cmd))
		if err := conn.Write(ctx, websocket.MessageText, cmd); err != nil {
			return fmt.Errorf("sending %s: %w", action, err)
		}
		toks = toks[n:]
	}
	return nil
}

func command(action, mode string, toks []uint32) []byte {
	b := make([]byte, 0, 32+11*len(toks))
	b = append(b, `{"a":"`...)
	b = append(b, action...)
	b = append(b, `","v":`...)
	if mode != "" {
		b = append(b, `["`...)
		b = append(b, mode...)
		b = append(b, `",`...)
	}
	b = append(b, '[')
	for i, tok := range toks {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(tok), 10)
	}
	b = append(b, ']')
	if mode != "" {
		b = append(b, ']')
	}
	return append(b, '}')
}

// run keeps one connection alive: connect, read until it fails, back off,
// reconnect. The attempt count restarts after a connection that delivered
// messages, so a long session survives any number of isolated drops while a
// dead server still exhausts the budget.
func (s *shard) run(ctx context.Context) error {
	p := s.t.opts.Reconnect
	attempts := max(p.Attempts, 1)
	failures := 0
	for {
		healthy, err := s.session(ctx)
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		var fatal *fatalTickerError
		if errors.As(err, &fatal) {
			return fatal.err
		}
		if derr := s.t.deliver(func(h TickerHandler) error {
			return h.Event(TickerEvent{Kind: EventDisconnected, Conn: s.id, Err: err})
		}); derr != nil {
			return derr
		}
		if healthy {
			failures = 0
		}
		failures++
		if failures >= attempts {
			return exitcode.With(exitcode.Network, fmt.Errorf("ticker connection %d: %w", s.id, &retry.ExhaustedError{Attempts: failures, Err: err}))
		}
		wait := p.Backoff(failures - 1)
		// The handler's EventReconnecting is where a user hears of this
		// (kite stream prints it); the library only traces it.
		s.t.opts.Logger.Debug("ticker connection lost; reconnecting", "conn", s.id, "error", err, "attempt", failures+1, "wait", wait)
		if derr := s.t.deliver(func(h TickerHandler) error {
			return h.Event(TickerEvent{Kind: EventReconnecting, Conn: s.id, Attempt: failures + 1, Attempts: attempts, Wait: wait, Err: err})
		}); derr != nil {
			return derr
		}
		if err := retry.Sleep(ctx, wait); err != nil {
			return context.Cause(ctx)
		}
	}
}

// fatalTickerError ends Run instead of reconnecting: a refused session or
// a handler's error.
type fatalTickerError struct{ err error }

func (e *fatalTickerError) Error() string { return e.err.Error() }

// ErrWatchdog is why a silent connection was closed: nothing, not even a
// heartbeat, arrived within TickerOptions.Watchdog.
var ErrWatchdog = errors.New("watchdog: no data or heartbeat")

// session is one connection's life. healthy reports whether it delivered
// at least one message.
func (s *shard) session(ctx context.Context) (healthy bool, err error) {
	conn, err := s.dial(ctx)
	if err != nil {
		return false, err
	}
	conn.SetReadLimit(maxMessage)
	defer func() {
		s.mu.Lock()
		s.conn = nil
		s.mu.Unlock()
	}()

	// The reader passes context.Background to coder/websocket because a
	// cancellable context costs an allocation per read; this goroutine
	// enforces ctx and the watchdog by closing the connection instead.
	done := make(chan struct{})
	var watchdogFired atomic.Bool
	var closers sync.WaitGroup
	closers.Go(func() { s.guard(ctx, conn, done, &watchdogFired) })
	defer func() {
		close(done)
		closers.Wait()
	}()

	n, err := s.replay(ctx, conn)
	if err != nil {
		conn.CloseNow()
		return false, s.readError(ctx, err, &watchdogFired)
	}
	if err := s.t.deliver(func(h TickerHandler) error {
		return h.Event(TickerEvent{Kind: EventConnected, Conn: s.id, Tokens: n})
	}); err != nil {
		conn.CloseNow()
		return false, &fatalTickerError{err}
	}
	s.t.opts.Logger.Info("ticker connected", "conn", s.id, "url", RedactURL(s.t.url), "instruments", n)

	for {
		typ, data, err := s.read(conn)
		if err != nil {
			return healthy, s.readError(ctx, err, &watchdogFired)
		}
		healthy = true
		if typ == websocket.MessageBinary {
			if len(data) <= 1 {
				continue // heartbeat
			}
			// No closure here: this runs for every message and must not allocate.
			s.t.handlerMu.Lock()
			err = s.t.opts.Handler.Binary(s.id, data)
			s.t.handlerMu.Unlock()
		} else {
			if tokenError(data) {
				conn.CloseNow()
				return healthy, &fatalTickerError{&Error{Status: http.StatusForbidden, ErrorType: TokenException, Message: "the ticker rejected the session: " + serverText(data)}}
			}
			err = s.t.deliver(func(h TickerHandler) error { return h.Text(s.id, data) })
		}
		if err != nil {
			closePolitely(conn)
			return healthy, &fatalTickerError{err}
		}
	}
}

// guard closes the connection when ctx ends (politely) or when the reader
// has waited longer than the watchdog allows.
func (s *shard) guard(ctx context.Context, conn *websocket.Conn, done <-chan struct{}, fired *atomic.Bool) {
	wd := s.t.opts.Watchdog
	tick := time.NewTicker(max(wd/5, time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			closePolitely(conn)
			return
		case <-tick.C:
			since := s.waiting.Load()
			if since != 0 && time.Duration(int64(time.Since(s.epoch))-since) > wd {
				fired.Store(true)
				conn.CloseNow()
				return
			}
		}
	}
}

// closeGrace bounds the close handshake: a polite close must not delay
// an exit (Ctrl-C, --count, | head) noticeably, whatever the server does.
const closeGrace = 500 * time.Millisecond

// closePolitely sends a normal close frame and waits up to closeGrace for
// the server's answer. coder/websocket has no deadline for that wait short
// of 5 s, so the handshake finishes in the background if it takes longer.
func closePolitely(conn *websocket.Conn) {
	done := make(chan struct{})
	go func() {
		_ = conn.Close(websocket.StatusNormalClosure, "")
		close(done)
	}()
	t := time.NewTimer(closeGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// read reads one whole message into the shard's reused buffer.
func (s *shard) read(conn *websocket.Conn) (websocket.MessageType, []byte, error) {
	s.waiting.Store(max(int64(time.Since(s.epoch)), 1))
	defer s.waiting.Store(0)
	typ, r, err := conn.Reader(context.Background())
	if err != nil {
		return 0, nil, err
	}
	n := 0
	for {
		if n == len(s.buf) {
			grown := make([]byte, 2*len(s.buf))
			copy(grown, s.buf)
			s.buf = grown
		}
		m, err := r.Read(s.buf[n:])
		n += m
		if err == io.EOF {
			return typ, s.buf[:n], nil
		}
		if err != nil {
			return 0, nil, err
		}
	}
}

func (s *shard) readError(ctx context.Context, err error, watchdog *atomic.Bool) error {
	switch {
	case watchdog.Load():
		return fmt.Errorf("ticker connection %d: %w for %v", s.id, ErrWatchdog, s.t.opts.Watchdog)
	case ctx.Err() != nil:
		return context.Cause(ctx)
	}
	if st := websocket.CloseStatus(err); st != -1 {
		var ce websocket.CloseError
		errors.As(err, &ce)
		if strings.Contains(ce.Reason, TokenException) {
			return &fatalTickerError{&Error{Status: http.StatusForbidden, ErrorType: TokenException, Message: "the ticker closed the session: " + ce.Reason}}
		}
		return fmt.Errorf("ticker connection %d closed by the server: %s %q", s.id, st, ce.Reason)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		// coder/websocket says "failed to get reader: failed to read frame
		// header: EOF": the same fact in its own words.
		return fmt.Errorf("ticker connection %d: cut without a close frame (server gone or network dropped)", s.id)
	}
	return fmt.Errorf("ticker connection %d: read error: %s", s.id, s.t.scrub(err.Error()))
}

// dial opens the WebSocket. Errors never carry the URL's secrets. A 4xx
// answer to the upgrade (403 TokenException above all) is fatal: retrying a
// refused session only delays the new login the user needs.
func (s *shard) dial(ctx context.Context) (*websocket.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	conn, resp, err := websocket.Dial(dctx, s.t.url, &websocket.DialOptions{HTTPClient: s.t.opts.HTTPClient})
	if err == nil {
		return conn, nil
	}
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	if resp != nil && resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
		var body []byte
		if resp.Body != nil {
			body, _ = io.ReadAll(resp.Body)
		}
		kerr := errorFromResponse(resp.StatusCode, body).(*Error)
		// No advice here: the caller knows where the session came from
		// (a cache to log in again, a variable to refresh) and says which.
		kerr.Message = s.t.scrub(kerr.Message)
		return nil, &fatalTickerError{fmt.Errorf("connecting to the ticker at %s: %w", RedactURL(s.t.url), kerr)}
	}
	// net/http's *url.Error repeats the whole URL; its cause says enough.
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = ue.Err.Error()
	}
	msg = strings.TrimPrefix(msg, "failed to WebSocket dial: ")
	return nil, fmt.Errorf("connecting to the ticker at %s: %s", RedactURL(s.t.url), s.t.scrub(msg))
}

// readBatch is how much one read from the socket may take in. A busy
// ticker sends messages of tens to hundreds of kB back to back; reading
// them a socket-buffer at a time instead of a frame header at a time cuts
// the read system calls (a quarter of the client's CPU at full speed) by
// an order of magnitude.
const readBatch = 256 << 10

// tickerTransport is http.DefaultTransport's configuration with every
// connection wrapped in a bufferedConn. TLS (wss) runs on top of it, so the
// batching applies to encrypted bytes too.
func tickerTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	var d net.Dialer
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &bufferedConn{Conn: c, r: bufio.NewReaderSize(c, readBatch)}, nil
	}
	return tr
}

// bufferedConn reads through a large buffer.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// tickerText is the envelope of Kite's text messages.
type tickerText struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// tokenError reports whether a text message is an error about the session.
func tokenError(msg []byte) bool {
	var m tickerText
	if json.Unmarshal(msg, &m) != nil || m.Type != "error" {
		return false
	}
	return strings.Contains(string(m.Data), TokenException)
}

// serverText is the data string of an error or message text message.
func serverText(msg []byte) string {
	var m tickerText
	if json.Unmarshal(msg, &m) != nil {
		return string(msg)
	}
	var s string
	if json.Unmarshal(m.Data, &s) == nil {
		return s
	}
	return string(m.Data)
}

// ParseTickerText returns the type ("order", "error", "message") and, for
// error and message, the text of a ticker text message.
func ParseTickerText(msg []byte) (typ, text string) {
	var m tickerText
	if json.Unmarshal(msg, &m) != nil {
		return "", ""
	}
	if m.Type == "error" || m.Type == "message" {
		return m.Type, serverText(msg)
	}
	return m.Type, ""
}
