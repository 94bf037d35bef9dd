package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

// QuoteOptions are the options of kite quote.
type QuoteOptions struct {
	cmdDeps

	Symbols []string
	Mode    string
	File    string // "-" = stdin
	Retry   retryFlags
}

func newQuoteCmd(f *Factory, runF func(*QuoteOptions) error) *cobra.Command {
	opts := &QuoteOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "quote SYMBOL…",
		Short: "Market quotes for any number of instruments",
		Long: `Print market quotes. Instruments are EXCHANGE:TRADINGSYMBOL (any case) or
instrument tokens, as arguments or from --file (- for stdin; one per line, or
separated by commas or tabs; # starts a comment). A symbol without an exchange
(INFY) means NSE (NSE:INFY), with a one-line notice on stderr.

--mode full (the default) is Kite's /quote: OHLC, volume, OI, circuit limits
and market depth; ohlc and ltp are lighter. Any number of instruments may be
asked for: they are sent in batches of Kite's limits (500 for full, 1000 for
ohlc and ltp) at Kite's quote rate limit (1 request a second), which kite
processes sharing a cache directory (and API key) also keep between them,
through a time stamp in the cache: no stamp makes a request wait more than
a second, one that cannot be a time (damaged, or from a clock set back) is
ignored with a warning, and a cache that cannot be written only warns.

The JSON output is a list of Kite's quote objects in the order asked, each
with "symbol" (EXCHANGE:TRADINGSYMBOL) first, "change" (percent against the
previous close) added and timestamps in RFC 3339 (IST): a list keeps that order and works record by record
with -o ndjson, -o csv and --jq '.[]', where Kite's object keyed by symbol
would not. Unknown instruments are reported on stderr, the rest are still
printed, and the exit code is 1.

Environment: KITE_RATE_QUOTE overrides the client-side limit (e.g. 1/s, 2/s,
or off; KITE_RATE_HISTORICAL, KITE_RATE_ORDER and KITE_RATE_DEFAULT likewise
for the other endpoint classes); KITE_RETRY_BASE, KITE_RETRY_MAX and
KITE_RETRY_ATTEMPTS the retry policy (default 3s, 30s, 5), and the --retry-*
flags win over them.`,
		Example: `  kite quote NSE:INFY NSE:RELIANCE
  kite quote nse:infy 408065 --mode ltp -o json --jq '.[] | "\(.symbol) \(.last_price)"'
  kite instruments --exchange NSE --jq '.[] | "NSE:\(.tradingsymbol)"' | kite quote --file - --mode ohlc -o csv`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Symbols = args
			if len(args) == 0 && opts.File == "" {
				return exitcode.Usagef("quote needs at least one SYMBOL (e.g. NSE:INFY) or --file")
			}
			if _, err := kite.ParseQuoteMode(opts.Mode); err != nil {
				return exitcode.Usagef("invalid --mode: %v", err)
			}
			if err := opts.Retry.validate(); err != nil {
				return err
			}
			if opts.File != "" {
				more, err := readSymbolFile(opts.IO.Stdin(cmd.Context()), opts.File)
				if err != nil {
					return err
				}
				opts.Symbols = append(opts.Symbols, more...)
			}
			if len(opts.Symbols) == 0 {
				return exitcode.Invalidf("no symbols in %s", opts.File)
			}
			opts.Symbols = qualifySymbols(opts.Symbols, opts.IO.ErrOut)
			if runF != nil {
				return runF(opts)
			}
			return runQuote(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Mode, "mode", "full", "quote mode: full, ohlc or ltp")
	cmd.Flags().StringVar(&opts.File, "file", "", symbolFileUsage)
	opts.Retry.register(cmd)
	return cmd
}

func runQuote(ctx context.Context, opts *QuoteOptions) error {
	mode, _ := kite.ParseQuoteMode(opts.Mode)
	client, err := opts.Retry.client(ctx, opts.Client)
	if err != nil {
		return err
	}
	records, unknown, noQuote, fetchErr := fetchQuotes(ctx, opts.cmdDeps, client, mode, opts.Symbols)
	for _, sym := range slices.Concat(unknown, noQuote) {
		fmt.Fprintf(opts.IO.ErrOut, "kite: %v\n", explain(&kite.UnknownSymbolError{Symbol: sym}))
	}
	var rerr *quoteRecordError
	if errors.As(fetchErr, &rerr) {
		return fetchErr
	}
	if fetchErr != nil && len(records) == 0 {
		return fetchErr // nothing fetched: no empty document on stdout
	}
	if err := opts.printQuotes(mode, records); err != nil {
		return err
	}
	if fetchErr != nil {
		return fetchErr
	}
	if n := len(unknown) + len(noQuote); n > 0 {
		code := exitcode.Error
		if len(unknown) > 0 {
			code = exitcode.Usage
		}
		rest := "the rest were printed"
		if len(records) == 0 {
			rest = "no quote was printed"
		}
		return exitcode.With(code, fmt.Errorf("%d of %d instruments unknown (reported above); %s", n, len(opts.Symbols), rest))
	}
	return nil
}

// quoteRecordError is a quote Kite sent that could not be read: nothing is
// printed then, as before any batch.
type quoteRecordError struct{ err error }

func (e *quoteRecordError) Error() string { return e.err.Error() }
func (e *quoteRecordError) Unwrap() error { return e.err }

// fetchQuotes resolves symbols and fetches their quotes in batches of Kite's
// limits, paced by the client: one record per symbol asked, in the order
// asked (a symbol asked twice comes twice). Symbols not in the instrument
// dump (unknown: invalid input) cost no request; those in it that Kite sent
// no quote for are noQuote. A fetch error stops the batches and is returned
// with the records already fetched. kite quote and kite mcp share it.
func fetchQuotes(ctx context.Context, d cmdDeps, client *kite.Client, mode kite.QuoteMode, symbols []string) (records []json.RawMessage, unknown, noQuote []string, err error) {
	res, err := d.Resolver(ctx, symbols)
	if err != nil {
		return nil, nil, nil, err
	}
	// Resolve first: tokens and any-case symbols become Kite's keys, and an
	// unknown instrument costs no request.
	var keys []string
	for _, s := range symbols {
		inst, err := res.Resolve(s)
		if err != nil {
			unknown = append(unknown, s)
			continue
		}
		keys = append(keys, inst.Symbol())
	}
	records = make([]json.RawMessage, 0, len(keys))
	for start := 0; start < len(keys); start += mode.BatchSize() {
		batch := keys[start:min(start+mode.BatchSize(), len(keys))]
		quotes, err := client.Quote(ctx, mode, distinct(batch))
		if err != nil {
			return records, unknown, noQuote, err
		}
		for _, k := range batch {
			q, ok := quotes[k]
			if !ok {
				noQuote = append(noQuote, k) // in the dump, but Kite has no quote for it
				continue
			}
			rec, err := quoteRecord(k, q)
			if err != nil {
				return nil, unknown, noQuote, &quoteRecordError{fmt.Errorf("quote for %s: %w", k, err)}
			}
			records = append(records, rec)
		}
	}
	return records, unknown, noQuote, nil
}

func distinct(keys []string) []string {
	seen := make(map[string]bool, len(keys))
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// quoteFields are what a record needs for "change" and the table.
type quoteFields struct {
	LastPrice json.Number `json:"last_price"`
	Volume    json.Number `json:"volume"`
	OI        json.Number `json:"oi"`
	OHLC      *struct {
		Open  json.Number `json:"open"`
		High  json.Number `json:"high"`
		Low   json.Number `json:"low"`
		Close json.Number `json:"close"`
	} `json:"ohlc"`
}

// quoteRecord is Kite's quote object with "symbol" first and, when the
// previous close is known, "change" (percent, 2 decimals) last. Kite's own
// fields keep their order and exact digits; its timestamps ("2021-06-08
// 15:45:56", IST without an offset) become RFC 3339 with +05:30, as
// every kite output does.
func quoteRecord(symbol string, q json.RawMessage) (json.RawMessage, error) {
	var qf quoteFields
	if err := json.Unmarshal(q, &qf); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(q))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not an object")
	}
	b, err := appendJSONString([]byte(`{"symbol":`), symbol)
	if err != nil {
		return nil, err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, err
		}
		if key == "timestamp" || key == "last_trade_time" {
			var t kite.Time
			if json.Unmarshal(val, &t) == nil {
				if val, err = t.MarshalJSON(); err != nil {
					return nil, err
				}
			}
		}
		b = append(b, ',')
		b, _ = appendJSONString(b, key)
		b = append(b, ':')
		b = append(b, val...)
	}
	if ch, ok := changePercent(qf); ok {
		b = append(b, `,"change":`...)
		b = append(b, ch...)
	}
	return append(b, '}'), nil
}

// appendJSONString appends s as a JSON string.
func appendJSONString(dst []byte, s string) ([]byte, error) {
	enc, err := json.Marshal(s)
	return append(dst, enc...), err
}

func changePercent(qf quoteFields) (string, bool) {
	if qf.OHLC == nil {
		return "", false
	}
	last, err1 := qf.LastPrice.Float64()
	closePrice, err2 := qf.OHLC.Close.Float64()
	if err1 != nil || err2 != nil || closePrice == 0 {
		return "", false
	}
	ch := math.Round((last-closePrice)/closePrice*10000) / 100
	return strconv.FormatFloat(ch, 'f', -1, 64), true
}

// quoteRow is one line of the terminal table.
type quoteRow struct {
	Symbol    string      `json:"symbol"`
	LastPrice json.Number `json:"last_price"`
	Change    json.Number `json:"change_%,omitempty"`
	Volume    json.Number `json:"volume,omitempty"`
	Open      json.Number `json:"open,omitempty"`
	High      json.Number `json:"high,omitempty"`
	Low       json.Number `json:"low,omitempty"`
	Close     json.Number `json:"close,omitempty"`
	OI        json.Number `json:"oi,omitempty"`
}

// printQuotes prints the records; a terminal table (without --jq, which
// works on the JSON shape) shows the fields people scan for.
func (d cmdDeps) printQuotes(mode kite.QuoteMode, records []json.RawMessage) error {
	if d.Printer().Format() != output.Table || d.JQ() != nil {
		return d.Printer().Print(records)
	}
	rows := make([]quoteRow, 0, len(records))
	for _, rec := range records {
		var qf struct {
			Symbol string `json:"symbol"`
			quoteFields
		}
		if err := json.Unmarshal(rec, &qf); err != nil {
			return err
		}
		row := quoteRow{Symbol: qf.Symbol, LastPrice: qf.LastPrice, Volume: qf.Volume}
		if ch, ok := changePercent(qf.quoteFields); ok {
			row.Change = json.Number(ch)
		}
		if qf.OHLC != nil {
			row.Open, row.High, row.Low, row.Close = qf.OHLC.Open, qf.OHLC.High, qf.OHLC.Low, qf.OHLC.Close
		}
		if qf.OI != "" && qf.OI != "0" {
			row.OI = qf.OI
		}
		rows = append(rows, row)
	}
	cols := []string{"symbol", "last_price"}
	switch mode {
	case kite.QuoteOHLC:
		cols = append(cols, "change_%", "open", "high", "low", "close")
	case kite.QuoteFull:
		cols = append(cols, "change_%", "volume", "open", "high", "low", "close", "oi")
	}
	return d.Printer().Print(rows, output.Columns(cols...))
}
