package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/natsfeed"
	"github.com/kitecli/kite/pkg/ticks"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// natsFlags are kite stream's NATS JetStream options: --publish (and
// --tee, --publish-format) to publish, --from (and --since, --last,
// --durable) to consume; the connection flags follow natscli's names.
type natsFlags struct {
	Publish string
	From    string
	Prefix  string
	Stream  string
	Format  string
	Tee     bool
	Since   string
	Last    bool
	Durable string
	Creds   string
	NKey    string
	TLSCert string
	TLSKey  string
	TLSCA   string

	modeSet bool // --mode was given (--from then keeps only that mode)
}

// natsHelp and natsExamples extend kite stream's help.
const natsHelp = `

NATS JetStream. --publish nats://HOST:PORT publishes every tick (in --mode) to
PREFIX.ticks.EXCHANGE.TOKEN, order updates to PREFIX.orders.USER_ID and
connection events to PREFIX.events (PREFIX: --subject-prefix, default kite),
and prints nothing unless --tee. Payloads are Kite's packet bytes (kite ticks
decode reads them), or with --publish-format json the NDJSON record. Headers:
Kite-Mode, Kite-Symbol, Kite-Recv-Time and Nats-Msg-Id (a hash of the token and
the packet), so publishers on several machines store each tick once. A missing
stream (--stream, default KITE) is created: file storage, subjects PREFIX.>,
24h max age, 2m duplicate window, 100000 messages per instrument. Publishing
never slows the Kite connection: while NATS is slow or away kite holds up to
65536 messages, reconnects, and sends again, in order, whatever JetStream did
not acknowledge (the Nats-Msg-Id keeps it stored once); what it must drop is
counted on stderr and on PREFIX.events. --from nats://HOST:PORT [SYMBOLS...] prints those ticks exactly
as kite stream prints them: new ones by default, --since 30m replays, --last
starts with each instrument's latest; --durable NAME continues where the last
run with that NAME stopped. A consumer host needs no Kite account: without
a session, EXCHANGE:SYMBOL names resolve by the symbols the publishers put
on their ticks. Several URLs, comma-separated, name a cluster;
NATS_URL, --creds, --nkey and --tlscert/--tlskey/--tlsca work as in natscli.`

const natsExamples = `
  kite stream --file nfo.txt --mode full --publish nats://127.0.0.1:4222
  kite stream --from nats://127.0.0.1:4222 NSE:INFY --since 30m
  kite stream --from nats://n1:4222,nats://n2:4222 --durable risk --creds risk.creds`

func (nf *natsFlags) register(cmd *cobra.Command) {
	cmd.Long += natsHelp
	cmd.Example += natsExamples
	fl := cmd.Flags()
	fl.StringVar(&nf.Publish, "publish", "", "publish ticks to NATS JetStream at URL (nats://HOST:PORT; env NATS_URL with --publish \"\") instead of printing them")
	fl.StringVar(&nf.From, "from", "", "read ticks from NATS JetStream at URL instead of Kite (what kite stream --publish published)")
	fl.StringVar(&nf.Prefix, "subject-prefix", natsfeed.DefaultPrefix, "NATS subject prefix: PREFIX.ticks.EXCHANGE.TOKEN, PREFIX.orders.USER_ID, PREFIX.events")
	fl.StringVar(&nf.Stream, "stream", "", "JetStream stream name (default: the prefix upper-cased, KITE); created if missing")
	fl.StringVar(&nf.Format, "publish-format", "raw", "payload of each tick message: raw (Kite's packet bytes) or json (the NDJSON record)")
	fl.BoolVar(&nf.Tee, "tee", false, "with --publish, also print the NDJSON to stdout")
	fl.StringVar(&nf.Since, "since", "", "with --from, replay from this long ago (such as 30m) or this time (RFC 3339, or HH:MM IST today)")
	fl.BoolVar(&nf.Last, "last", false, "with --from, start with the latest tick of each instrument, then live")
	fl.StringVar(&nf.Durable, "durable", "", "with --from, a durable consumer NAME: a restarted consumer continues where it stopped")
	nf.registerConn(fl)
}

// registerConn adds the connection flags, named as natscli names them.
func (nf *natsFlags) registerConn(fl *pflag.FlagSet) {
	fl.StringVar(&nf.Creds, "creds", "", "NATS user credentials file (.creds)")
	fl.StringVar(&nf.NKey, "nkey", "", "NATS user nkey seed file")
	fl.StringVar(&nf.TLSCert, "tlscert", "", "NATS TLS client certificate file")
	fl.StringVar(&nf.TLSKey, "tlskey", "", "NATS TLS client key file")
	fl.StringVar(&nf.TLSCA, "tlsca", "", "NATS TLS CA certificate file")
}

// active reports whether kite stream talks to NATS at all.
func (nf *natsFlags) active() bool { return nf.Publish != "" || nf.From != "" }

// check refuses flag combinations that cannot work, before any request.
func (nf *natsFlags) check(f *Factory, cmd *cobra.Command) error {
	fl := cmd.Flags()
	nf.modeSet = fl.Changed("mode")
	if fl.Changed("publish") && nf.Publish == "" {
		nf.Publish = f.Getenv("NATS_URL")
		if nf.Publish == "" {
			return exitcode.Usagef("--publish \"\" takes the URL from NATS_URL, which is not set: give --publish nats://HOST:PORT")
		}
	}
	if fl.Changed("from") && nf.From == "" {
		nf.From = f.Getenv("NATS_URL")
		if nf.From == "" {
			return exitcode.Usagef("--from \"\" takes the URL from NATS_URL, which is not set: give --from nats://HOST:PORT")
		}
	}
	switch {
	case nf.Publish != "" && nf.From != "":
		return exitcode.Usagef("--publish and --from cannot be combined: run one kite stream to publish and another to read")
	case nf.Format != "" && nf.Format != "raw" && nf.Format != "json":
		return exitcode.Usagef("unknown --publish-format %q: use raw or json", nf.Format)
	case nf.Prefix == "" || strings.ContainsAny(nf.Prefix, " *>\t") || strings.HasPrefix(nf.Prefix, ".") || strings.HasSuffix(nf.Prefix, "."):
		return exitcode.Usagef("--subject-prefix %q is not a NATS subject prefix such as kite or desk1.kite", nf.Prefix)
	}
	for _, name := range []string{"tee", "publish-format"} {
		if fl.Changed(name) && nf.Publish == "" {
			return exitcode.Usagef("--%s works with --publish URL", name)
		}
	}
	for _, name := range []string{"since", "last", "durable"} {
		if fl.Changed(name) && nf.From == "" {
			return exitcode.Usagef("--%s works with --from URL", name)
		}
	}
	for _, name := range []string{"stream", "subject-prefix", "creds", "nkey", "tlscert", "tlskey", "tlsca"} {
		if fl.Changed(name) && !nf.active() {
			return exitcode.Usagef("--%s works with --publish URL or --from URL", name)
		}
	}
	for _, u := range []string{nf.Publish, nf.From} {
		if u != "" {
			if err := natsfeed.CheckURL(u); err != nil {
				return exitcode.Usagef("%v", err)
			}
		}
	}
	if nf.Since != "" && nf.Last {
		return exitcode.Usagef("--since and --last cannot be combined: pick where to start")
	}
	if nf.Stream == "" {
		nf.Stream = natsfeed.DefaultStreamName(nf.Prefix)
	}
	return nil
}

// connect dials NATS at url with the connection flags; a failure is a
// network error (exit 6) that names the next step.
func (nf *natsFlags) connect(f *Factory, url string, onConn func(string, error)) (*nats.Conn, jetstream.JetStream, error) {
	if err := natsfeed.CheckURL(url); err != nil {
		return nil, nil, exitcode.Usagef("%v", err)
	}
	nc, err := natsfeed.Connect(natsfeed.ConnOptions{
		URL: url, Creds: nf.Creds, NKey: nf.NKey, TLSCert: nf.TLSCert, TLSKey: nf.TLSKey, TLSCA: nf.TLSCA,
		Name: "kite stream", OnConn: onConn,
	})
	if err != nil {
		return nil, nil, exitcode.With(exitcode.Network, fmt.Errorf("%w\nstart one with nats-server -js, or check the URL and --creds", err))
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, js, nil
}

// startPublish connects, ensures the stream and returns the publisher
// handler wrapped around next (the tickWriter, which prints only with
// --tee) and the function that ends publishing.
func startPublish(ctx context.Context, f *Factory, nf *natsFlags, w *tickWriter, next kite.TickerHandler) (*publishHandler, func(), error) {
	var mu sync.Mutex
	closing := false // our own nc.Close: not an outage to tell of
	onConn := func(event string, err error) {
		mu.Lock()
		defer mu.Unlock()
		if closing {
			return
		}
		if err != nil {
			fmt.Fprintf(f.IO.ErrOut, "kite: NATS: %s: %v; buffering while nats.go reconnects\n", strings.TrimPrefix(event, "nats_"), err)
		} else {
			fmt.Fprintf(f.IO.ErrOut, "kite: NATS: %s\n", strings.TrimPrefix(event, "nats_"))
		}
	}
	nc, js, err := nf.connect(f, nf.Publish, onConn)
	if err != nil {
		return nil, nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, created, err := natsfeed.EnsureStream(sctx, js, nf.Stream, nf.Prefix)
	if err != nil {
		nc.Close()
		return nil, nil, exitcode.With(exitcode.Network, fmt.Errorf("%w\nis JetStream on? start the server with nats-server -js", err))
	}
	if created {
		fmt.Fprintf(f.IO.ErrOut, "kite: created JetStream stream %s (subjects %s.>, file storage, max age %s, duplicate window %s, %d messages per instrument)\n",
			nf.Stream, nf.Prefix, natsfeed.DefaultMaxAge, natsfeed.DefaultDuplicates, natsfeed.DefaultMaxPerSubject)
	}
	pub, err := natsfeed.NewPublisher(nc, natsfeed.Options{Prefix: nf.Prefix})
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	h := &publishHandler{next: next, pub: pub, mode: w.mode, symbols: w.symbols, json: nf.Format == "json", tee: nf.Tee}
	stopReport := make(chan struct{})
	reported := make(chan struct{})
	go func() {
		defer close(reported)
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				mu.Lock()
				h.reportDrops(f.IO.ErrOut, true)
				mu.Unlock()
			case <-stopReport:
				return
			}
		}
	}()
	stop := func() {
		close(stopReport)
		<-reported
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		st := pub.Close(cctx)
		mu.Lock()
		closing = true
		mu.Unlock()
		nc.Close()
		if st.Resent > 0 {
			fmt.Fprintf(f.IO.ErrOut, "kite: NATS: %d sends repeated (an ack late or refused, a reconnect); the Nats-Msg-Id keeps each message stored once\n", st.Resent)
		}
		if st.Missing() > 0 {
			fmt.Fprintf(f.IO.ErrOut, "kite: NATS: %d of %d messages may be missing from stream %s (%d dropped: buffer full; %d unacknowledged)\n",
				st.Missing(), st.Queued+st.Dropped, nf.Stream, st.Dropped, st.Failed)
		}
	}
	return h, stop, nil
}

// publishHandler publishes each tick, order update and event, then hands
// the message on to the tickWriter (which prints with --tee, and counts
// for --count either way).
type publishHandler struct {
	next    kite.TickerHandler
	pub     *natsfeed.Publisher
	mode    ticks.Mode
	symbols map[uint32]string
	json    bool
	tee     bool

	tick     ticks.Tick
	enc      ticks.JSONEncoder
	buf      []byte
	lastMiss uint64 // drops already reported
}

func (h *publishHandler) Binary(conn int, msg []byte) error {
	recv := time.Now().UnixNano()
	if len(msg) >= 2 {
		n := int(binary.BigEndian.Uint16(msg))
		off := 2
		for i := 0; i < n && off+2 <= len(msg); i++ {
			l := int(binary.BigEndian.Uint16(msg[off:]))
			if off+2+l > len(msg) {
				break
			}
			pkt := msg[off+2 : off+2+l]
			off += 2 + l
			if ticks.DecodePacket(pkt, &h.tick) != nil || (h.mode != 0 && h.tick.Mode != h.mode) {
				continue // as kite stream prints: only ticks in --mode
			}
			payload := pkt
			if h.json {
				h.buf = h.enc.Append(h.buf[:0], &h.tick, h.symbols[h.tick.InstrumentToken])
				payload = h.buf
			}
			h.pub.Tick(h.tick.InstrumentToken, h.tick.Mode, h.symbols[h.tick.InstrumentToken], recv, pkt, payload, h.json)
		}
	}
	return h.next.Binary(conn, msg)
}

func (h *publishHandler) Text(conn int, msg []byte) error {
	typ, _ := kite.ParseTickerText(msg)
	var doc struct {
		Data struct {
			UserID string `json:"user_id"`
		} `json:"data"`
	}
	switch typ {
	case "order":
		_ = json.Unmarshal(msg, &doc)
		h.pub.Order(doc.Data.UserID, msg)
	default:
		h.pub.Event(msg)
	}
	return h.next.Text(conn, msg)
}

func (h *publishHandler) Event(ev kite.TickerEvent) error {
	if b, err := marshalRecord(newTickerEventRecord(ev, time.Now())); err == nil {
		h.pub.Event(b)
	}
	return h.next.Event(ev)
}

// natsDroppedRecord is the event published when messages go missing,
// keyed in the order of kite stream's other event records.
type natsDroppedRecord struct {
	Type    string `json:"type"`
	Event   string `json:"event"`
	Time    string `json:"time"`
	Dropped uint64 `json:"dropped"`
	Unacked uint64 `json:"unacked"`
}

// marshalRecord is rec as kite stream writes event records: keys in the
// struct's order, no HTML escaping, no newline.
func marshalRecord(rec any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// reportDrops tells errOut, and PREFIX.events, of messages newly missing.
func (h *publishHandler) reportDrops(errOut io.Writer, publish bool) {
	st := h.pub.Stats()
	if st.Missing() == h.lastMiss {
		return
	}
	h.lastMiss = st.Missing()
	fmt.Fprintf(errOut, "kite: NATS: %d messages not published so far (%d dropped: buffer full while NATS was slow or away; %d unacknowledged)\n", st.Missing(), st.Dropped, st.Failed)
	if !publish {
		return
	}
	b, err := marshalRecord(natsDroppedRecord{"event", "nats_dropped", time.Now().In(kite.IST).Format(time.RFC3339), st.Dropped, st.Failed})
	if err == nil {
		h.pub.Event(b)
	}
}
