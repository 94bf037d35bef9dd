package kite

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/kitecli/kite/pkg/retry"
)

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
			return &NetworkError{Err: fmt.Errorf("ticker connection %d: %w", s.id, &retry.ExhaustedError{Attempts: failures, Err: err})}
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
