package kite

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/kitecli/kite/pkg/ticks"
)

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
