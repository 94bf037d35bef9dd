package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/recording"
)

// recordFiles is kite record's end of the queue: it writes frames to the
// current file of DIR, starts a new one on a new IST day or past
// --max-size, and counts. The queue's drain goroutine writes; a timer
// goroutine flushes; a SIGUSR1 reads the counters. Files are only ever
// created new (O_EXCL), never appended to.
type recordFiles struct {
	dir     string
	mode    string
	orders  bool // keep order updates
	maxSize int64
	insts   []recording.Instrument
	version string
	onEvent func(rec any) // --events printer; nil without --events

	mu      sync.Mutex
	f       *os.File
	w       *recording.Writer
	path    string
	day     string // IST date of the current file
	part    int    // the file's number within its day, this run
	hdrSize int64  // bytes of the current file's header
	err     error  // sticky: the first write error

	c recordCounters
}

// recordCounters are read by SIGUSR1 while the drain writes.
type recordCounters struct {
	ticks, messages, texts, events, reconnects atomic.Uint64
	droppedMsgs, droppedTicks                  atomic.Uint64
	bytes                                      atomic.Int64 // over all files
	files                                      atomic.Int64
}

// recordFileName is the file a recording started at t gets: its IST date
// and time to the millisecond, fixed width, so ls lists files in time
// order.
func recordFileName(t time.Time) string {
	return "kite-" + t.In(kite.IST).Format("20060102-150405.000") + ".krec"
}

// open starts a new file for frames received at t. It never opens an
// existing file: a name taken (two runs in one millisecond) moves on by a
// millisecond.
func (r *recordFiles) open(t time.Time) error {
	day := t.In(kite.IST).Format(time.DateOnly)
	if day != r.day {
		r.part = 0
	}
	r.part++
	var f *os.File
	var path string
	for i := range 1000 {
		path = filepath.Join(r.dir, recordFileName(t.Add(time.Duration(i)*time.Millisecond)))
		var err error
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) {
			return r.fail(path, err)
		}
	}
	if f == nil {
		return fmt.Errorf("cannot find a free file name in %s", r.dir)
	}
	hdr := recording.Header{
		Created: t,
		Meta: []recording.KV{
			{Key: "writer", Value: "kite " + r.version},
			{Key: "mode", Value: r.mode},
			{Key: "day", Value: day},
			{Key: "part", Value: fmt.Sprint(r.part)},
		},
		Instruments: r.insts,
	}
	w, err := recording.NewWriter(countingWriter{f, &r.c.bytes}, hdr)
	if err != nil {
		f.Close()
		return r.fail(path, err)
	}
	r.f, r.w, r.path, r.day, r.hdrSize = f, w, path, day, w.Written()
	r.c.files.Add(1)
	if r.onEvent != nil {
		r.onEvent(struct {
			Type  string `json:"type"`
			Event string `json:"event"`
			Time  string `json:"time"`
			Path  string `json:"path"`
		}{"event", "file", t.In(kite.IST).Format(time.RFC3339), path})
	}
	return nil
}

// countingWriter counts bytes written across files for the counters.
type countingWriter struct {
	f *os.File
	n *atomic.Int64
}

func (c countingWriter) Write(b []byte) (int, error) {
	n, err := c.f.Write(b)
	c.n.Add(int64(n))
	return n, err
}

// write adds one frame, first starting a new file when the IST day has
// turned or the file would pass --max-size.
func (r *recordFiles) write(kind recording.Kind, conn int, recv int64, data []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	t := time.Unix(0, recv)
	switch {
	case r.w == nil:
		if err := r.open(t); err != nil {
			return err
		}
	case t.In(kite.IST).Format(time.DateOnly) != r.day,
		r.maxSize > 0 && r.size() > r.hdrSize && r.size()+int64(len(data)) > r.maxSize:
		if err := r.rotate(t); err != nil {
			return err
		}
	}
	if err := r.w.Write(recording.Frame{Recv: recv, Conn: uint8(conn), Kind: kind, Data: data}); err != nil {
		return r.fail(r.path, err)
	}
	return nil
}

// size is the current file's size once its pending frames are written
// (compressed, they take less).
func (r *recordFiles) size() int64 { return r.w.Written() + int64(r.w.Pending()) }

// rotate ends the current file with a rotated event naming the next one,
// and opens that.
func (r *recordFiles) rotate(t time.Time) error {
	next := filepath.Join(r.dir, recordFileName(t))
	ev, _ := json.Marshal(recording.Event{Event: "rotated", Next: filepath.Base(next)})
	if err := r.w.Write(recording.Frame{Recv: t.UnixNano(), Kind: recording.KindEvent, Data: ev}); err != nil {
		return r.fail(r.path, err)
	}
	if err := r.closeFile(); err != nil {
		return err
	}
	return r.open(t)
}

// closeFile flushes, syncs and closes the current file. The caller holds mu.
func (r *recordFiles) closeFile() error {
	if r.w == nil {
		return nil
	}
	err := r.w.Close()
	if err == nil {
		err = r.f.Sync()
	}
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	r.w, r.f = nil, nil
	if err != nil {
		return r.fail(r.path, err)
	}
	return nil
}

// flush writes the pending frames as a block and syncs it to the disk, so
// a power cut loses at most what arrived since. The timer calls it.
func (r *recordFiles) flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil || r.w == nil || r.w.Pending() == 0 {
		return r.err
	}
	if err := r.w.Flush(); err != nil {
		return r.fail(r.path, err)
	}
	// fdatasync under the lock: the drain waits, the socket reader does
	// not (the queue is between them).
	if err := r.f.Sync(); err != nil {
		return r.fail(r.path, err)
	}
	return nil
}

// finish records the stopped event and closes the file.
func (r *recordFiles) finish() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil || r.w == nil {
		return r.err
	}
	ev, _ := json.Marshal(recording.Event{Event: "stopped"})
	if err := r.w.Write(recording.Frame{Recv: time.Now().UnixNano(), Kind: recording.KindEvent, Data: ev}); err != nil {
		return r.fail(r.path, err)
	}
	return r.closeFile()
}

// fail makes err sticky and says what it means for the files.
func (r *recordFiles) fail(path string, err error) error {
	if r.err != nil {
		return r.err
	}
	err = unwrapPathError(err) // the path is said once, below
	switch {
	case errors.Is(err, syscall.ENOSPC):
		err = fmt.Errorf("the disk is full: writing %s: %w\nthe files written so far are intact up to their last complete block (kite ticks decode reads them); free some space and run kite record again: it starts a new file", path, err)
	case errors.Is(err, syscall.EFBIG):
		err = fmt.Errorf("the file size limit (ulimit -f) was reached: writing %s: %w\nthe files written so far are intact up to their last complete block (kite ticks decode reads them); raise the limit or lower --max-size, and run kite record again", path, err)
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EROFS), errors.Is(err, fs.ErrNotExist):
		err = exitcode.Usagef("cannot write to --dir %s: %v", r.dir, unwrapPathError(err))
	default:
		err = fmt.Errorf("writing %s: %w", path, err)
	}
	r.err = err
	return err
}

func (r *recordFiles) current() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.path
}

func (r *recordFiles) binary(conn int, msg []byte, recv int64) error {
	if err := r.write(recording.KindBinary, conn, recv, msg); err != nil {
		return err
	}
	r.c.messages.Add(1)
	if len(msg) >= 2 {
		r.c.ticks.Add(uint64(binary.BigEndian.Uint16(msg)))
	}
	return nil
}

func (r *recordFiles) text(conn int, msg []byte, recv int64) error {
	if typ, _ := kite.ParseTickerText(msg); typ == "order" && !r.orders {
		return nil
	}
	if err := r.write(recording.KindText, conn, recv, msg); err != nil {
		return err
	}
	r.c.texts.Add(1)
	return nil
}

func (r *recordFiles) event(ev kite.TickerEvent, recv int64) error {
	rec := recording.Event{
		Event: string(ev.Kind), Connection: ev.Conn, Instruments: ev.Tokens,
		Attempt: ev.Attempt, WaitMS: ev.Wait.Milliseconds(),
	}
	if ev.Err != nil {
		rec.Error = ev.Err.Error()
	}
	if ev.Kind == kite.EventReconnecting {
		r.c.reconnects.Add(1)
	}
	if r.onEvent != nil {
		r.onEvent(struct {
			Type string `json:"type"`
			Time string `json:"time"`
			recording.Event
		}{"event", time.Unix(0, recv).In(kite.IST).Format(time.RFC3339), rec})
	}
	return r.writeEvent(ev.Conn, recv, rec)
}

func (r *recordFiles) dropped(c dropCounts) error {
	r.c.droppedMsgs.Add(c.messages)
	r.c.droppedTicks.Add(c.ticks)
	return r.writeEvent(0, time.Now().UnixNano(), recording.Event{Event: "dropped", Messages: c.messages, Ticks: c.ticks})
}

func (r *recordFiles) writeEvent(conn int, recv int64, ev recording.Event) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if err := r.write(recording.KindEvent, conn, recv, b); err != nil {
		return err
	}
	r.c.events.Add(1)
	return nil
}

// counters is a snapshot of the counters, as a --events record.
type counterRecord struct {
	Type            string `json:"type"`
	Event           string `json:"event"`
	Time            string `json:"time"`
	Ticks           uint64 `json:"ticks"`
	Messages        uint64 `json:"messages"`
	Texts           uint64 `json:"texts"`
	Reconnects      uint64 `json:"reconnects"`
	DroppedMessages uint64 `json:"dropped_messages"`
	DroppedTicks    uint64 `json:"dropped_ticks"`
	Bytes           int64  `json:"bytes"`
	Files           int64  `json:"files"`
	File            string `json:"file"`
}

func (r *recordFiles) counters() counterRecord {
	return counterRecord{
		Type: "event", Event: "counters", Time: time.Now().In(kite.IST).Format(time.RFC3339),
		Ticks: r.c.ticks.Load(), Messages: r.c.messages.Load(), Texts: r.c.texts.Load(),
		Reconnects: r.c.reconnects.Load(), DroppedMessages: r.c.droppedMsgs.Load(), DroppedTicks: r.c.droppedTicks.Load(),
		Bytes: r.c.bytes.Load(), Files: r.c.files.Load(), File: r.current(),
	}
}

// String is the counters line SIGUSR1 and the end of a run print.
func (c counterRecord) String() string {
	return fmt.Sprintf("recorded %d ticks in %d messages, %d text messages; %d reconnects; dropped %d messages (%d ticks); %d bytes written to %d %s; current file %s",
		c.Ticks, c.Messages, c.Texts, c.Reconnects, c.DroppedMessages, c.DroppedTicks, c.Bytes, c.Files, plural(uint64(c.Files), "file"), c.File)
}
