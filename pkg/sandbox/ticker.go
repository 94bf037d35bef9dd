package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/kitecli/kite/pkg/kitespec"
	"github.com/kitecli/kite/pkg/ticks"
)

// Kite's ticker limits.
const (
	maxTokensPerConn  = 3000
	maxConnsPerAPIKey = 3
	heartbeatEvery    = time.Second
	// writeTimeout bounds one message write, so a reader that stopped
	// reading does not pin its connection forever.
	writeTimeout = 30 * time.Second
)

// tickerHub owns the ticker connections: it admits them (auth, limits),
// broadcasts each market step to them and drops them on faults and Close.
type tickerHub struct {
	s      *Server
	mu     sync.Mutex
	conns  map[*tickConn]struct{}
	perKey map[string]int
	step   chan struct{} // closed and replaced on every market step
	wg     sync.WaitGroup
}

func newTickerHub(s *Server) *tickerHub {
	return &tickerHub{s: s, conns: map[*tickConn]struct{}{}, perKey: map[string]int{}, step: make(chan struct{})}
}

// stepped wakes every connection after the market moved.
func (h *tickerHub) stepped() {
	h.mu.Lock()
	close(h.step)
	h.step = make(chan struct{})
	h.mu.Unlock()
}

func (h *tickerHub) stepC() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.step
}

func (h *tickerHub) each(f func(*tickConn)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns {
		f(c)
	}
}

func (h *tickerHub) dropAll()             { h.each(func(c *tickConn) { c.cancel() }) }
func (h *tickerHub) wakeAll()             { h.each(func(c *tickConn) { c.nudge() }) }
func (h *tickerHub) wait()                { h.wg.Wait() }
func (h *tickerHub) dropToken(tok string) { h.each(func(c *tickConn) { dropIf(c, tok) }) }

func dropIf(c *tickConn, tok string) {
	if c.credential == tok {
		c.cancel()
	}
}

// admit registers a connection under its key unless the key already has
// the maximum number of connections.
func (h *tickerHub) admit(c *tickConn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.s.ctx.Err() != nil || h.perKey[c.key] >= maxConnsPerAPIKey {
		return false
	}
	h.perKey[c.key]++
	h.conns[c] = struct{}{}
	h.wg.Add(1)
	return true
}

func (h *tickerHub) leave(c *tickConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.conns, c)
	if h.perKey[c.key]--; h.perKey[c.key] <= 0 {
		delete(h.perKey, c.key)
	}
	h.wg.Done()
}

// serve is the ticker endpoint: authenticate from the query, enforce the
// connection limit, upgrade, then stream until the client or the server
// goes away.
func (h *tickerHub) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var (
		sess session
		ok   bool
		cred string
		key  string
	)
	if tok := q.Get("access_token"); tok != "" {
		sess, ok = h.s.sessions.lookupAccess(q.Get("api_key"), tok)
		cred, key = tok, q.Get("api_key")
	} else if enc := q.Get("enctoken"); enc != "" {
		sess, ok = h.s.sessions.lookupEnc(enc)
		ok = ok && sess.userID == q.Get("user_id")
		cred, key = enc, "web:"+sess.userID
	}
	if !ok {
		writeError(w, http.StatusForbidden, kitespec.TokenException, msgBadAuth)
		return
	}
	c := &tickConn{hub: h, key: key, credential: cred, sess: sess, wake: make(chan struct{}, 1), idx: map[uint32]int{}}
	c.ctx, c.cancel = context.WithCancel(h.s.ctx)
	if !h.admit(c) {
		c.cancel()
		writeError(w, http.StatusTooManyRequests, kitespec.NetworkException,
			fmt.Sprintf("Maximum %d WebSocket connections per API key exceeded.", maxConnsPerAPIKey))
		return
	}
	defer h.leave(c)
	defer c.cancel()
	// Order updates are queued from before the upgrade: a client whose
	// dial has returned must not miss an order it places next.
	defer h.s.world.subscribeOrders(sess.userID, c.queueOrder)()
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		CompressionMode: websocket.CompressionDisabled,
		// Kite's own web app connects from its origin; clients of the
		// sandbox connect from anywhere on this machine.
		InsecureSkipVerify: true,
	})
	if err != nil {
		h.s.log.Debug("ticker upgrade failed", "err", err)
		return
	}
	c.ws = ws
	ws.SetReadLimit(1 << 20)
	h.s.log.Info("ticker connected", "user", sess.userID)
	c.run()
	h.s.log.Info("ticker disconnected", "user", sess.userID)
}

// tickConn is one ticker connection.
type tickConn struct {
	hub        *tickerHub
	ws         *websocket.Conn
	key        string // what the connection limit counts by
	credential string // the access token or enctoken it authenticated with
	sess       session
	ctx        context.Context
	cancel     context.CancelFunc
	wake       chan struct{} // buffered 1: something to send before the next step

	// mu guards what the reader, the paper engine and the writer share:
	// the order updates waiting to be sent, and the subscriptions, in
	// subscription order, as two parallel slices because that is what
	// market.AppendTicks takes.
	mu     sync.Mutex
	orders []orderUpdate
	tokens []uint32
	modes  []ticks.Mode
	idx    map[uint32]int // token → index in tokens
	// fresh are tokens subscribed (or given a new mode) since the last
	// message: they get a tick even while their market is closed, as a
	// new subscriber gets the last tick from Kite after hours.
	fresh map[uint32]bool
	// dirty are recorded instruments a replay changed since the last
	// message (replay.go).
	dirty map[uint32]bool
}

// maxQueuedOrders bounds the order updates waiting for a client that does
// not read; past it the client is dropped, as a broken connection.
const maxQueuedOrders = 10000

// queueOrder is the paper engine's subscriber: it must not block, so it
// queues the update for the writer.
func (c *tickConn) queueOrder(u orderUpdate) {
	c.mu.Lock()
	if len(c.orders) >= maxQueuedOrders {
		c.mu.Unlock()
		c.cancel()
		return
	}
	c.orders = append(c.orders, u)
	c.mu.Unlock()
	c.nudge()
}

func (c *tickConn) takeOrders() []orderUpdate {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.orders
	c.orders = nil
	return out
}

func (c *tickConn) nudge() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *tickConn) run() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.readLoop()
		c.cancel()
	}()
	c.writeLoop()
	c.cancel()
	// Every end is abrupt, as a dropped network or a Kite restart looks to
	// a client: no close handshake to wait for on Close.
	_ = c.ws.CloseNow()
	<-done
}

// readLoop applies the client's commands.
func (c *tickConn) readLoop() {
	for {
		typ, msg, err := c.ws.Read(c.ctx)
		if err != nil {
			return
		}
		if typ != websocket.MessageText {
			continue // Kite ignores binary input
		}
		if err := c.command(msg); err != nil {
			c.sendText("error", err.Error())
		}
	}
}

// command applies {"a":"subscribe"|"unsubscribe"|"mode","v":…}.
func (c *tickConn) command(msg []byte) error {
	var in struct {
		A string          `json:"a"`
		V json.RawMessage `json:"v"`
	}
	if err := json.Unmarshal(msg, &in); err != nil {
		return clientError(fmt.Sprintf("Invalid message: %v", err))
	}
	switch in.A {
	case "subscribe", "unsubscribe":
		toks, err := parseTokens(in.V)
		if err != nil {
			return err
		}
		if in.A == "unsubscribe" {
			c.unsubscribe(toks)
			return nil
		}
		return c.subscribe(toks, ticks.ModeQuote, false)
	case "mode":
		var v []json.RawMessage
		if err := json.Unmarshal(in.V, &v); err != nil || len(v) != 2 {
			return clientError(`Invalid mode message: "v" must be [mode, [tokens]]`)
		}
		var name string
		if err := json.Unmarshal(v[0], &name); err != nil {
			return clientError("Invalid mode: it must be a string: ltp, quote or full")
		}
		mode, ok := ticks.ParseMode(name)
		if !ok {
			return clientError(fmt.Sprintf("Invalid mode %q: use ltp, quote or full", name))
		}
		toks, err := parseTokens(v[1])
		if err != nil {
			return err
		}
		return c.subscribe(toks, mode, true)
	default:
		return clientError(fmt.Sprintf("Invalid message type %q: use subscribe, unsubscribe or mode", in.A))
	}
}

func parseTokens(raw json.RawMessage) ([]uint32, error) {
	var nums []float64
	if err := json.Unmarshal(raw, &nums); err != nil {
		return nil, clientError("Invalid instrument tokens: expected an array of numbers")
	}
	out := make([]uint32, 0, len(nums))
	for _, n := range nums {
		if n < 0 || n > 1<<32-1 || n != float64(uint32(n)) {
			return nil, clientError(fmt.Sprintf("Invalid instrument token %v", n))
		}
		out = append(out, uint32(n))
	}
	return out, nil
}

// clientError is a bad request from a ticker client, sent back to it
// verbatim as {"type":"error","data":…}, worded as Kite words its own.
type clientError string

func (e clientError) Error() string { return string(e) }

// subscribe adds tokens (in mode) up to the per-connection limit. A mode
// message changes the mode of tokens already subscribed (setMode) and
// subscribes the others in it.
func (c *tickConn) subscribe(toks []uint32, mode ticks.Mode, setMode bool) error {
	if c.hub != nil && c.hub.s.replay != nil && len(toks) > 0 {
		c.hub.s.replay.subscribed()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fresh == nil {
		c.fresh = map[uint32]bool{}
	}
	refused := 0
	for _, t := range toks {
		if i, ok := c.idx[t]; ok {
			if setMode {
				c.modes[i] = mode
				c.fresh[t] = true
			}
			continue
		}
		if len(c.tokens) >= maxTokensPerConn {
			refused++
			continue
		}
		c.idx[t] = len(c.tokens)
		c.tokens = append(c.tokens, t)
		c.modes = append(c.modes, mode)
		c.fresh[t] = true
	}
	if refused > 0 {
		return clientError(fmt.Sprintf("Maximum subscription limit of %d instruments per connection exceeded: %d tokens not subscribed", maxTokensPerConn, refused))
	}
	return nil
}

func (c *tickConn) unsubscribe(toks []uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	drop := map[uint32]bool{}
	for _, t := range toks {
		if _, ok := c.idx[t]; ok {
			drop[t] = true
		}
	}
	if len(drop) == 0 {
		return
	}
	n := 0
	for i, t := range c.tokens {
		if !drop[t] {
			c.tokens[n], c.modes[n] = t, c.modes[i]
			n++
		}
	}
	c.tokens, c.modes = c.tokens[:n], c.modes[:n]
	clear(c.idx)
	for i, t := range c.tokens {
		c.idx[t] = i
	}
}

// sendText sends {"type":typ,"data":data}.
func (c *tickConn) sendText(typ string, data any) {
	msg, err := json.Marshal(struct {
		Type string `json:"type"`
		Data any    `json:"data"`
	}{typ, data})
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, msg); err != nil {
		c.cancel()
	}
}

// writeLoop sends, after every market step, one binary message with a
// packet per subscribed instrument; a heartbeat when there was nothing to
// send for a second; and order updates as they happen. The faults act
// here.
func (c *tickConn) writeLoop() {
	s := c.hub.s
	opened := time.Now()
	lastSent := opened
	heartbeat := time.NewTicker(heartbeatEvery / 4)
	defer heartbeat.Stop()
	malformedSeen := s.malformed.Load()
	lastMalformed := opened
	var (
		tickBuf []ticks.Tick
		msgBuf  []byte
		toks    []uint32
		modes   []ticks.Mode
		fresh   = map[uint32]bool{}
	)
	isFresh := func(t uint32) bool { return fresh[t] }
	for {
		var stepped, woken bool
		select {
		case <-c.ctx.Done():
			return
		case <-c.hub.stepC():
			stepped = true
		case <-heartbeat.C:
		case <-c.wake:
			woken = true
		}
		f := s.currentFaults()
		now := time.Now()
		if f.DropEvery > 0 && now.Sub(opened) >= f.DropEvery {
			s.log.Info("fault: dropping ticker connection", "after", now.Sub(opened))
			return
		}
		if !now.Before(c.sess.expires) {
			// The session behind the connection expired (at 06:00 IST, or
			// under the SessionTTL fault): Kite closes the socket.
			s.log.Info("ticker session expired: closing the connection", "user", c.sess.userID)
			return
		}
		if f.Stall > 0 && now.Sub(opened) < f.Stall {
			continue
		}
		forceMalformed := f.MalformedEvery > 0 && now.Sub(lastMalformed) >= f.MalformedEvery
		if updates := c.takeOrders(); len(updates) > 0 {
			for _, u := range updates {
				c.sendText("order", u)
			}
			lastSent = now
		}
		var msg []byte
		if s.replay != nil {
			// A recorded day: ticks go out as the recording changes them
			// (and a new subscription's first at the next step), not on
			// the clock.
			if stepped || woken {
				tickBuf, toks, modes = c.replayTicks(tickBuf[:0], toks, modes)
				if len(tickBuf) > 0 {
					msgBuf = ticks.AppendMessage(msgBuf[:0], tickBuf...)
					msg = msgBuf
				}
			}
		} else if stepped {
			c.mu.Lock()
			toks = append(toks[:0], c.tokens...)
			modes = append(modes[:0], c.modes...)
			clear(fresh)
			for t := range c.fresh {
				fresh[t] = true
			}
			clear(c.fresh)
			c.mu.Unlock()
			// Outside trading hours the feed is quiet (RealHours).
			tickBuf = s.world.market.AppendOpenTicks(tickBuf[:0], toks, modes, isFresh)
			if len(tickBuf) > 0 {
				msgBuf = ticks.AppendMessage(msgBuf[:0], tickBuf...)
				msg = msgBuf
			}
		}
		pendingMalformed := s.malformed.Load() != malformedSeen
		if msg == nil && (now.Sub(lastSent) >= heartbeatEvery || woken && pendingMalformed || forceMalformed) {
			msg = []byte{0}
		}
		if msg == nil {
			continue
		}
		if m := s.malformed.Load(); m != malformedSeen || forceMalformed {
			malformedSeen = m
			lastMalformed = now
			if forceMalformed {
				s.log.Info("fault: sending a malformed ticker message")
			}
			// One packet whose declared length overruns the message.
			msg = []byte{0, 1, 0, 184, 0, 0, 1, 1}
		}
		ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
		err := c.ws.Write(ctx, websocket.MessageBinary, msg)
		cancel()
		if err != nil {
			return
		}
		lastSent = now
	}
}
