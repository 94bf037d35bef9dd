package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/ticks"
)

// tickWriter turns ticker messages into records for out, which applies
// --jq and buffers; the tickWriter flushes once per message from Kite,
// never per tick. The Ticker calls it from one goroutine at a time;
// everything it reuses (the Tick, the line buffer, out's buffer) is why
// the tick path does not allocate.
type tickWriter struct {
	out      *output.RecordWriter
	symbols  map[uint32]string
	raw      bool
	mode     ticks.Mode      // NDJSON prints only ticks in this mode; 0 = any
	only     map[uint32]bool // kite replay's instruments; nil = all
	limit    int             // 0 = no limit
	count    int
	recvTime bool
	// holdFlush leaves flushing to the caller, which knows when no more
	// messages are waiting (kite stream --from, where a message is one
	// tick and a flush per message would be a write per tick).
	holdFlush bool
	orders    bool
	events    bool
	greeks    *greeksTracker // nil without --greeks
	errOut    io.Writer
	logger    *slog.Logger

	tick    ticks.Tick
	enc     ticks.JSONEncoder
	rec     tickRecord
	snap    []byte // a --snapshot record (stream_snapshot.go)
	hdr     [2]byte
	textBuf bytes.Buffer
	skipped uint64 // packets the decoder skipped (see checkMessage)
}

func (w *tickWriter) Binary(conn int, msg []byte) error {
	var recv int64
	if w.recvTime {
		recv = time.Now().UnixNano()
	}
	return w.binary(conn, msg, recv)
}

func (w *tickWriter) binary(conn int, msg []byte, recv int64) error {
	if w.raw {
		return w.rawMessage(conn, msg)
	}
	it := ticks.NewIter(msg)
	done := false
	for !done && it.Next(&w.tick) {
		if w.greeks != nil && !w.greeks.observe(&w.tick) {
			continue // an underlying subscribed only to price the options
		}
		if w.mode != 0 && w.tick.Mode != w.mode {
			// Kite sends a new subscription's first ticks in quote mode
			// until the mode command takes effect; a consumer that asked
			// for full expects every record to be full.
			continue
		}
		if w.only != nil && !w.only[w.tick.InstrumentToken] {
			continue
		}
		w.rec = tickRecord{w: w, recv: recv}
		if err := w.out.Write(&w.rec); err != nil {
			return err
		}
		w.count++
		done = w.limit > 0 && w.count >= w.limit
	}
	w.checkMessage(conn, &it)
	if err := w.flush(done); err != nil {
		return err
	}
	if done {
		return errStreamDone
	}
	return nil
}

// flush ends a message: its records go out unless holdFlush leaves
// that to the caller (the last records, end true, always go).
func (w *tickWriter) flush(end bool) error {
	if w.holdFlush && !end {
		return nil
	}
	return w.out.Flush()
}

// tickRecord is the tick in w.tick as an output record, encoded straight
// into the writer's buffer.
type tickRecord struct {
	w    *tickWriter
	recv int64 // the receive time, for --recv-time
}

func (r *tickRecord) AppendJSON(dst []byte) []byte {
	w := r.w
	dst = w.enc.Append(dst, &w.tick, w.symbols[w.tick.InstrumentToken])
	if w.greeks != nil {
		dst = w.greeks.appendGreeks(dst, &w.tick)
	}
	if w.recvTime {
		dst = appendField(dst, `,"recv_time":`, r.recv)
	}
	return dst
}

// rawMessage writes msg as it came, except that a message cut by --count
// or by a malformed packet is rewritten to hold only its good, wanted
// packets: the output stays a valid back-to-back capture.
func (w *tickWriter) rawMessage(conn int, msg []byte) error {
	it := ticks.NewIter(msg)
	n, packets, end := 0, 0, 2
	done := false
	for !done && it.Next(&w.tick) {
		n++
		// The packets up to here, skipped ones included: a cut message
		// keeps them, for kite ticks decode to skip and report in turn.
		end, packets = it.Offset(), it.Packets()
		w.count++
		done = w.limit > 0 && w.count >= w.limit
	}
	w.checkMessage(conn, &it)
	if n == 0 {
		return nil
	}
	if err := it.Err(); err != nil || done {
		w.hdr[0], w.hdr[1] = byte(packets>>8), byte(packets)
		if err := w.out.WriteRaw(w.hdr[:]); err != nil {
			return err
		}
		msg = msg[2:end]
	}
	if err := w.out.WriteRaw(msg); err != nil {
		return err
	}
	if err := w.flush(done); err != nil {
		return err
	}
	if done {
		return errStreamDone
	}
	return nil
}

// checkMessage logs a framing fault that cut the message, and counts the
// packets the Iter skipped (unknown lengths, lengths that do not suit the
// token's segment), describing the first of the stream: a feed that keeps
// sending them would otherwise fill stderr. skipReport tells the total.
func (w *tickWriter) checkMessage(conn int, it *ticks.Iter) {
	if err := it.Err(); err != nil {
		w.logger.Warn("skipping the rest of a malformed ticker message", "conn", conn, "error", err.Error(), "offset", it.Offset())
	}
	if n := it.Skipped(); n > 0 {
		if w.skipped == 0 {
			w.logger.Warn("skipping a ticker packet Kite does not send; the rest of the message is decoded and later ones are counted", "conn", conn, "error", it.SkipErr().Error())
		}
		w.skipped += uint64(n)
	}
}

// skipReport tells errOut how many packets were skipped, if any.
func (w *tickWriter) skipReport() {
	switch {
	case w.skipped == 1:
		fmt.Fprintf(w.errOut, "kite: skipped 1 ticker packet Kite does not send (see the warning above)\n")
	case w.skipped > 1:
		fmt.Fprintf(w.errOut, "kite: skipped %d ticker packets Kite does not send (the first is in the warning above)\n", w.skipped)
	}
}

// appendField adds "name":v to the JSON object line ending buf ("…}\n").
func appendField(buf []byte, name string, v int64) []byte {
	buf = buf[:len(buf)-2]
	buf = append(buf, name...)
	buf = strconv.AppendInt(buf, v, 10)
	return append(buf, '}', '\n')
}

// record writes one JSON record (an order update, an event) and flushes.
func (w *tickWriter) record(doc []byte) error {
	if err := w.out.WriteJSON(doc); err != nil {
		return err
	}
	return w.flush(false)
}

func (w *tickWriter) text(conn int, msg []byte, _ int64) error { return w.Text(conn, msg) }

func (w *tickWriter) event(ev kite.TickerEvent, _ int64) error { return w.Event(ev) }

func (w *tickWriter) Text(conn int, msg []byte) error {
	typ, text := kite.ParseTickerText(msg)
	switch typ {
	case "order":
		if !w.orders {
			return nil
		}
	case "error", "message":
		fmt.Fprintf(w.errOut, "kite: ticker %s: %s\n", typ, text)
		if !w.events {
			return nil
		}
	default:
		if !w.events {
			return nil
		}
	}
	w.textBuf.Reset()
	if err := json.Compact(&w.textBuf, msg); err != nil {
		w.logger.Warn("ignoring a ticker text message that is not JSON", "conn", conn)
		return nil
	}
	return w.record(w.textBuf.Bytes())
}

// dropped writes, with --events, the record of a gap --on-slow drop left:
// {"type":"event","event":"dropped","time":…,"messages":3,"ticks":300}.
func (w *tickWriter) dropped(c dropCounts) error {
	if !w.events {
		return nil
	}
	rec := struct {
		Type     string `json:"type"`
		Event    string `json:"event"`
		Time     string `json:"time"`
		Messages uint64 `json:"messages"`
		Ticks    uint64 `json:"ticks"`
	}{"event", "dropped", time.Now().In(kite.IST).Format(time.RFC3339), c.messages, c.ticks}
	return w.eventRecord(rec)
}

// eventRecord writes rec, a struct of an event record, as one JSON line.
func (w *tickWriter) eventRecord(rec any) error {
	if err := w.out.WriteValue(rec); err != nil {
		return err
	}
	return w.out.Flush()
}

func (w *tickWriter) Event(ev kite.TickerEvent) error {
	if !w.events {
		return nil
	}
	return w.eventRecord(newTickerEventRecord(ev, time.Now()))
}

// tickerEventRecord is the --events record of a ticker event: what kite
// stream prints, and what kite stream --publish publishes on
// PREFIX.events, so that --from prints it with the same keys in the same
// order.
type tickerEventRecord struct {
	Type        string `json:"type"`
	Event       string `json:"event"`
	Connection  int    `json:"connection"`
	Time        string `json:"time"`
	Instruments int    `json:"instruments,omitempty"`
	Attempt     int    `json:"attempt,omitempty"`
	WaitMS      int64  `json:"wait_ms,omitempty"`
	Error       string `json:"error,omitempty"`
}

func newTickerEventRecord(ev kite.TickerEvent, now time.Time) tickerEventRecord {
	rec := tickerEventRecord{
		Type: "event", Event: string(ev.Kind), Connection: ev.Conn,
		Time:        now.In(kite.IST).Format(time.RFC3339),
		Instruments: ev.Tokens, Attempt: ev.Attempt, WaitMS: ev.Wait.Milliseconds(),
	}
	if ev.Err != nil {
		rec.Error = ev.Err.Error()
	}
	return rec
}
