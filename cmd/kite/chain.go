package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

// ChainOptions are the options of kite chain.
type ChainOptions struct {
	Underlying string
	Expiry     string
	Strikes    int
	Price      string
	Rate       float64
	RateSet    bool
	Live       bool
	// LiveFormat is -o for --live, resolved by chainLiveFormats: a table
	// or NDJSON.
	LiveFormat output.Format
	Conn       tickerFlags
	Now        func() time.Time // nil = time.Now
}

// chainLiveFormats: chain --live prints a table on a terminal and NDJSON
// records elsewhere, whatever the default; -o table or ndjson chooses.
func chainLiveFormats() output.RecordFormats {
	return output.RecordFormats{
		Writes:         map[string]output.Format{"": output.NDJSON, "ndjson": output.NDJSON, "table": output.Table},
		TerminalWrites: map[string]output.Format{"": output.Table},
		Refusal:        "--live prints a table on a terminal or NDJSON records (-o ndjson), not -o %s",
	}
}

// newChainCmd builds kite chain; runF, when not nil, replaces the run
// function (the seam unit tests use).
func newChainCmd(f *Factory, runF func(*ChainOptions) error) *cobra.Command {
	opts := &ChainOptions{}
	cmd := &cobra.Command{
		Use:   "chain UNDERLYING",
		Short: "Option chain with implied volatility and greeks",
		Long: `Print the option chain of an underlying for one expiry: each strike's call
and put with their quotes, implied volatility and greeks, computed by kite
(Kite's feed carries none).

UNDERLYING is a derivative name (NIFTY, BANKNIFTY, RELIANCE, CRUDEOIL), an
index or stock by its symbol (NSE:NIFTY 50, NSE:RELIANCE) or a name on an
exchange (NFO:NIFTY, BFO:SENSEX, MCX:CRUDEOIL, CDS:USDINR).

--expiry is a date (2026-12-29), next (the nearest, the default) or monthly
(the nearest expiry that is the last of its month). --strikes N keeps N
strikes either side of the ATM strike (the strike nearest the underlying's
price); 0 keeps all.

Model. Index, commodity and currency options are priced with Black-76 on
the future of the same expiry: the future's price is the market's forward,
so no dividend yield or carry has to be guessed ("model":"black76"). MCX,
CDS and BCD options settle into a future, and use the nearest one expiring
on or after them. Stock options, and index options with no future of their
expiry (weeklies), use Black-Scholes on the spot price without dividends
("model":"black-scholes").

Numbers. iv is annualised, a fraction, solved from the option's price:
the last traded price (--price last, the default) or the middle of the best
bid and ask (--price mid); each record says which. iv and the greeks are
null when no volatility fits: no price, a price at or below the discounted
intrinsic value or above the option's upper bound, or an expired contract.
delta and gamma are per unit of the underlying's price (the future for
black76, the spot for black-scholes), theta per calendar day (annual ÷ 365),
vega per volatility point (annual ÷ 100). time_to_expiry is in years, ACT/365
counted in seconds from now to the contract's expiry time: 15:30 IST on the
expiry day for NFO and BFO, 12:30 for CDS and BCD, 23:30 for MCX.
oi_change is null: Kite's quote carries no previous-day open interest.

rate is the continuously compounded risk-free rate: --rate, else the
KITE_RISK_FREE_RATE environment variable, else 0.0531, the 91-day Treasury
bill's cut-off yield at the RBI auction of 4 February 2026 (5.3447%)
converted to continuous compounding: (365/91)·ln(100/98.6850).

Each record (one strike; -o json prints a list, -o ndjson one per line,
-o csv flattens call_* and put_* columns):

  {"underlying":"NFO:NIFTY26DECFUT","underlying_price":26110.5,
   "expiry":"2026-12-29","time_to_expiry":0.0958,"rate":0.0531,
   "model":"black76","price":"last","strike":26000,
   "call":{"symbol":"NFO:NIFTY26DEC26000CE","instrument_token":…,
           "last_price":…,"bid":…,"ask":…,"volume":…,"oi":…,"oi_change":null,
           "iv":0.1432,"delta":…,"gamma":…,"theta":…,"vega":…},
   "put":{…the same…}}

A summary line (underlying and its price, ATM IV, days to expiry, PCR by
open interest and max pain, both over all strikes of the expiry) is printed
above the table, or on stderr with -o json, ndjson or csv.

--live keeps the chain current over the ticker (full mode: the options and
the underlying), like kite watch: the table is redrawn in place, the ATM
strike following the underlying; q or Ctrl-C quits and restores the
terminal. With -o ndjson (the default off a terminal) it prints every
record once, then a record for each strike a tick changed; a move of the
underlying changes every strike's greeks, so it reprints them all.`,
		Example: `  kite chain NIFTY --strikes 10
  kite chain NSE:RELIANCE --expiry monthly --price mid -o json
  kite chain MCX:CRUDEOIL -o csv > crude.csv
  kite chain NIFTY --strikes 8 --live
  kite chain BANKNIFTY --live -o ndjson --jq 'select(.strike == 59000) | .call.iv'
  kite chain NIFTY -o json --jq '.[] | select(.call.iv != null) | [.strike, .call.iv] | @tsv'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Underlying = args[0]
			opts.RateSet = cmd.Flags().Changed("rate")
			if err := opts.validate(f); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runChain(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Expiry, "expiry", "next", "expiry: a date (YYYY-MM-DD), next or monthly")
	fl.IntVar(&opts.Strikes, "strikes", 0, "strikes either side of the ATM strike (0 = all)")
	fl.StringVar(&opts.Price, "price", "last", "price to solve iv from: last or mid (of the best bid and ask)")
	fl.Float64Var(&opts.Rate, "rate", defaultRiskFreeRate, "continuously compounded risk-free rate (env KITE_RISK_FREE_RATE)")
	fl.BoolVar(&opts.Live, "live", false, "keep the chain current from the ticker: a table (q quits) or, with -o ndjson, a record per changed strike")
	opts.Conn.register(cmd)
	return cmd
}

// validate checks the flags and fills the rate from the environment.
func (o *ChainOptions) validate(f *Factory) error {
	if o.Price != "last" && o.Price != "mid" {
		return exitcode.Usagef("invalid --price %q: use last or mid", o.Price)
	}
	if o.Strikes < 0 {
		return exitcode.Usagef("invalid --strikes %d: use a number of strikes either side of the ATM strike, or 0 for all", o.Strikes)
	}
	if !o.RateSet {
		r, err := riskFreeRate(f.Getenv)
		if err != nil {
			return err
		}
		o.Rate = r
	}
	if math.IsNaN(o.Rate) || o.Rate <= -1 || o.Rate >= 1 {
		return exitcode.Usagef("invalid rate %v: use a continuously compounded fraction such as 0.0531 (5.31%%)", o.Rate)
	}
	if !o.Live {
		return nil
	}
	var err error
	if o.LiveFormat, err = f.recordFormat(chainLiveFormats()); err != nil {
		return err
	}
	switch {
	case o.LiveFormat == output.Table && !f.IO.StdoutTTY:
		return exitcode.Usagef("the --live table needs a terminal and stdout is not one: use -o ndjson for a record per changed strike")
	case o.LiveFormat == output.Table && f.JQ() != nil:
		return exitcode.Usagef("--jq works on JSON records: add -o ndjson")
	}
	return nil
}

func (o *ChainOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// chainState is a loaded chain: its contracts and the latest market of
// each instrument, by token.
type chainState struct {
	Contracts chainContracts
	UnderTok  uint32
	Quotes    map[uint32]marketQuote
}

// loadChain finds the contracts and fetches their quotes.
func loadChain(ctx context.Context, f *Factory, opts *ChainOptions) (*chainState, error) {
	u, err := parseChainUnderlying(opts.Underlying)
	if err != nil {
		return nil, err
	}
	now := opts.now()
	var contracts chainContracts
	var all []kite.Instrument
	found := false
	for _, exch := range u.Exchanges {
		insts, err := f.instruments(ctx, exch)
		if err != nil {
			return nil, err
		}
		expiries := optionExpiries(insts, u.Name, exch, now)
		if len(expiries) == 0 {
			continue
		}
		expiry, err := pickExpiry(expiries, opts.Expiry)
		if err != nil {
			return nil, err
		}
		if contracts, err = selectChain(insts, u.Name, exch, expiry); err != nil {
			return nil, err
		}
		all, found = insts, true
		break
	}
	if !found {
		return nil, exitcode.Invalidf("no unexpired %s options on %s; find the name with: kite instruments search %s --type CE",
			u.Name, strings.Join(u.Exchanges, ", "), strings.ToLower(u.Name))
	}
	st := &chainState{Contracts: contracts, Quotes: map[uint32]marketQuote{}}
	keys := []string{contracts.Underlying}
	tokens := map[string]uint32{}
	for _, in := range contracts.Options {
		keys = append(keys, in.Symbol())
		tokens[in.Symbol()] = in.InstrumentToken
	}
	for _, in := range all {
		if in.Symbol() == contracts.Underlying {
			st.UnderTok = in.InstrumentToken
		}
	}
	client, err := f.Client(ctx)
	if err != nil {
		return nil, err
	}
	for start := 0; start < len(keys); start += kite.QuoteFull.BatchSize() {
		batch := keys[start:min(start+kite.QuoteFull.BatchSize(), len(keys))]
		quotes, err := client.Quote(ctx, kite.QuoteFull, batch)
		if err != nil {
			return nil, err
		}
		for k, raw := range quotes {
			q, tok, err := parseMarketQuote(raw)
			if err != nil {
				return nil, fmt.Errorf("quote for %s: %w", k, err)
			}
			if k == contracts.Underlying {
				if st.UnderTok == 0 {
					st.UnderTok = tok
				}
				st.Quotes[st.UnderTok] = q
				continue
			}
			if t, ok := tokens[k]; ok {
				st.Quotes[t] = q
			}
		}
	}
	if st.Quotes[st.UnderTok].LastPrice <= 0 {
		return nil, fmt.Errorf("no price for %s, the options' underlying; try again when it trades, or check with: kite quote %q", contracts.Underlying, contracts.Underlying)
	}
	return st, nil
}

// parseMarketQuote reads the fields a chain needs from one of Kite's full
// quote objects.
func parseMarketQuote(raw json.RawMessage) (marketQuote, uint32, error) {
	var q struct {
		Token     uint32  `json:"instrument_token"`
		LastPrice float64 `json:"last_price"`
		Volume    float64 `json:"volume"`
		OI        float64 `json:"oi"`
		Depth     struct {
			Buy  []struct{ Price float64 } `json:"buy"`
			Sell []struct{ Price float64 } `json:"sell"`
		} `json:"depth"`
	}
	if err := json.Unmarshal(raw, &q); err != nil {
		return marketQuote{}, 0, errors.New("the quote from Kite could not be read; retry, or report it with the output of: kite api GET \"/quote?i=SYMBOL\"")
	}
	m := marketQuote{LastPrice: q.LastPrice, Volume: int64(q.Volume), OI: int64(q.OI)}
	if len(q.Depth.Buy) > 0 {
		m.Bid = q.Depth.Buy[0].Price
	}
	if len(q.Depth.Sell) > 0 {
		m.Ask = q.Depth.Sell[0].Price
	}
	return m, q.Token, nil
}

// view is the chain as printed now: the records of the selected strikes
// and the summary over all strikes.
func (st *chainState) view(opts *ChainOptions, now time.Time) ([]chainRecord, chainSummary) {
	p := &chainPricing{Contracts: st.Contracts, UnderPrice: st.Quotes[st.UnderTok].LastPrice, Now: now, Rate: opts.Rate, PriceMode: opts.Price}
	all := p.records(st.Contracts.Strikes, st.Quotes)
	atm := atmIndex(st.Contracts.Strikes, p.UnderPrice)
	sum := summarise(all, atm, p)
	lo := 0
	if opts.Strikes > 0 {
		lo = max(atm-opts.Strikes, 0)
	}
	window := strikeWindow(st.Contracts.Strikes, atm, opts.Strikes)
	return all[lo : lo+len(window)], sum
}

func runChain(ctx context.Context, f *Factory, opts *ChainOptions) error {
	st, err := loadChain(ctx, f, opts)
	if err != nil {
		return err
	}
	if opts.Live {
		return runChainLive(ctx, f, opts, st)
	}
	recs, sum := st.view(opts, opts.now())
	return f.printChain(recs, sum)
}
