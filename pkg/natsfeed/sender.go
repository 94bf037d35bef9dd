package natsfeed

import (
	"encoding/hex"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// run sends the ring: the next unacked message while the window has
// room, resending from the oldest unacked one when its ack is late.
func (p *Publisher) run() {
	defer close(p.done)
	check := time.NewTicker(max(p.ackTimeout/4, 10*time.Millisecond))
	defer check.Stop()
	var pause *time.Timer
	for {
		n, s, wait, ok := p.pick()
		if !ok {
			var resume <-chan time.Time
			if wait > 0 {
				if pause == nil {
					pause = time.NewTimer(wait)
				} else {
					pause.Reset(wait)
				}
				resume = pause.C
			}
			select {
			case <-p.kick:
			case <-resume:
			case <-check.C:
				p.checkLate()
			case <-p.closed:
				return
			}
			p.mu.Lock()
			p.idle = false
			p.mu.Unlock()
			// A kick sent while we woke for another reason must not be
			// lost nor block its sender: drain it.
			select {
			case <-p.kick:
			default:
			}
			continue
		}
		// A reconnect that the status callback has not told of yet must
		// not let n overtake the messages lost with the old connection:
		// resend from the oldest unacked one first. (nc's count is read
		// outside p.mu: nats.go holds its own lock while reconnecting.)
		r := p.nc.Stats().Reconnects
		p.mu.Lock()
		if p.resync(r) {
			p.pin = 0
			p.mu.Unlock()
			continue
		}
		p.mu.Unlock()
		err := p.send(n, s)
		p.mu.Lock()
		p.pin = 0
		if err == nil {
			s.sentAt = p.now()
			if n >= p.high {
				p.high = n + 1
			} else {
				p.resent.Add(1)
			}
		} else {
			// Reconnect buffer full, or the connection closed: try this
			// one again after a pause (Close ends the wait).
			p.rewind(n)
			p.retry = time.Now().Add(retryWait)
		}
		p.advance()
		p.mu.Unlock()
	}
}

// pick returns the next message to send, pinned so that a late ack of an
// earlier copy cannot free its slot while it is read. When there is none
// it marks the sender idle and says how long a retry pause still lasts.
func (p *Publisher) pick() (n uint64, s *slot, wait time.Duration, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.retry.IsZero() {
		if wait = time.Until(p.retry); wait > 0 {
			p.idle = true
			return 0, nil, wait, false
		}
		p.retry = time.Time{}
	}
	for p.next < p.head && p.ring[p.next&p.mask].acked {
		p.next++
	}
	window := p.window
	if p.probe {
		window = 1
	}
	if p.stop || p.next >= p.head || p.next-p.tail >= window {
		p.idle = true
		return 0, nil, 0, false
	}
	n = p.next
	p.next++
	p.pin = n + 1
	return n, &p.ring[n&p.mask], 0, true
}

// send publishes message n. Only the sender calls it.
func (p *Publisher) send(n uint64, s *slot) error {
	m := p.msg
	m.Reply = p.inbox + "." + strconv.FormatUint(n, 10)
	m.Data = s.data
	h := m.Header
	if s.kind != KindTick {
		m.Subject = s.subj
		clear(h)
		return p.nc.PublishMsg(m)
	}
	subj, ok := p.subjects[s.token]
	if !ok {
		subj = TickSubject(p.prefix, s.token)
		p.subjects[s.token] = subj
	}
	m.Subject = subj
	hex.Encode(p.hexbuf[:], s.id[:])
	p.vals.id[0] = string(p.hexbuf[:])
	p.vals.mode[0] = s.mode.String()
	p.vals.recv[0] = strconv.FormatInt(s.recv, 10)
	h[jetstream.MsgIDHeader], h[HeaderMode], h[HeaderRecvTime] = p.vals.id, p.vals.mode, p.vals.recv
	if s.symbol != "" {
		p.vals.symbol[0] = s.symbol
		h[HeaderSymbol] = p.vals.symbol
	} else {
		delete(h, HeaderSymbol)
	}
	if s.json {
		h[HeaderFormat] = p.vals.format
	} else {
		delete(h, HeaderFormat)
	}
	return p.nc.PublishMsg(m)
}

// onAck handles JetStream's reply to message N (inbox.N).
func (p *Publisher) onAck(m *nats.Msg) {
	n, err := strconv.ParseUint(m.Subject[len(p.inbox)+1:], 10, 64)
	if err != nil {
		return
	}
	ok, dup := ParseAck(m.Data)
	p.mu.Lock()
	defer p.mu.Unlock()
	if n < p.tail || n >= p.head {
		return // a late ack of a copy already acked
	}
	s := &p.ring[n&p.mask]
	if s.acked {
		return
	}
	if !ok {
		// Refused, or no responder (JetStream restarting): go back and
		// send it, and all unacked after it, again after a pause.
		p.rewind(n)
		p.retry = time.Now().Add(retryWait)
		p.probe = true
		p.wake()
		return
	}
	s.acked = true
	p.probe = false
	p.acked.Add(1)
	if dup {
		p.dups.Add(1)
	}
	p.advance()
	p.wake()
}

// wake kicks the sender if it is idle. p.mu is held.
func (p *Publisher) wake() {
	if p.wakeLocked() {
		p.kickSender()
	}
}

// kickSender never blocks: a kick already pending wakes the sender too.
func (p *Publisher) kickSender() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// onReconnect goes back to the oldest unacked message when the
// connection is back: whatever was in flight when it broke, and its acks,
// are gone. Resending from there keeps the publish order in the stream
// (Connect disables nats.go's reconnect buffer, so nothing newer was
// queued there to overtake them, and the sender checks nc's reconnect
// count before each send, so it cannot send a newer one on the new
// connection before this callback runs), and the copies JetStream had
// stored after all are acked as duplicates, not stored twice.
func (p *Publisher) onReconnect() {
	for range p.status {
		r := p.nc.Stats().Reconnects
		p.mu.Lock()
		if p.resync(r) {
			p.wake()
		}
		p.mu.Unlock()
	}
}

// resync goes back to the oldest unacked message once for each reconnect
// (r is nc's count of them), whichever of the sender and onReconnect
// notices it first. p.mu is held.
func (p *Publisher) resync(r uint64) bool {
	if r == p.reconnects {
		return false
	}
	p.reconnects = r
	p.rewind(p.tail)
	p.retry = time.Time{}
	p.probe = true
	return true
}

// rewind makes n the next message sent (if it is earlier). p.mu is held.
func (p *Publisher) rewind(n uint64) {
	if n < p.next {
		p.next = n
	}
}

// advance moves tail past acked messages, up to a pinned one. p.mu is held.
func (p *Publisher) advance() {
	for p.tail < p.head && p.ring[p.tail&p.mask].acked && p.tail+1 != p.pin {
		p.ring[p.tail&p.mask].symbol = ""
		p.tail++
	}
}

// checkLate rewinds to the oldest message whose ack is overdue.
func (p *Publisher) checkLate() {
	p.mu.Lock()
	defer p.mu.Unlock()
	late := p.now() - int64(p.ackTimeout)
	for n := p.tail; n < p.high && n < p.head; n++ {
		s := &p.ring[n&p.mask]
		if !s.acked && s.sentAt != 0 && s.sentAt < late {
			p.rewind(n)
			p.probe = true
			return
		}
	}
}

func (p *Publisher) now() int64 { return int64(time.Since(p.epoch)) }
