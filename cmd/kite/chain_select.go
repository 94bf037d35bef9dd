package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/options"
)

// defaultRiskFreeRate is the 91-day Treasury bill's cut-off yield at the
// RBI auction of 4 February 2026, 5.3447% (cut-off price 98.6850; the
// latest figure found when this was written), converted from the bill's
// simple annualised yield to continuous compounding:
// r = (365/91)·ln(100/98.6850) = 0.05309.
const defaultRiskFreeRate = 0.0531

// riskFreeRate is KITE_RISK_FREE_RATE, else kite chain's default.
func riskFreeRate(getenv func(string) string) (float64, error) {
	env := strings.TrimSpace(getenv("KITE_RISK_FREE_RATE"))
	if env == "" {
		return defaultRiskFreeRate, nil
	}
	r, err := strconv.ParseFloat(env, 64)
	if err != nil || math.IsNaN(r) || r <= -1 || r >= 1 {
		return 0, exitcode.Usagef("KITE_RISK_FREE_RATE=%q is not a rate: use a continuously compounded fraction such as 0.0531", env)
	}
	return r, nil
}

// indexDerivativeName maps Kite's index tradingsymbols to the name their
// derivatives carry in the instrument dump.
var indexDerivativeName = map[string]string{
	"NIFTY 50":          "NIFTY",
	"NIFTY BANK":        "BANKNIFTY",
	"NIFTY FIN SERVICE": "FINNIFTY",
	"NIFTY MID SELECT":  "MIDCPNIFTY",
	"NIFTY NEXT 50":     "NIFTYNXT50",
	"SENSEX":            "SENSEX",
	"BANKEX":            "BANKEX",
}

// indexSpot is the index an index derivative name is written on.
func indexSpot(exchange, name string) (string, bool) {
	for sym, n := range indexDerivativeName {
		if n == name {
			if exchange == "BFO" {
				return "BSE:" + sym, true
			}
			return "NSE:" + sym, true
		}
	}
	return "", false
}

// chainUnderlying is what `kite chain ARG` asked for: a derivative name and
// the exchanges whose dumps may list its options.
type chainUnderlying struct {
	Name      string
	Exchanges []string // derivative exchanges to look in, in order
}

// parseChainUnderlying reads NIFTY, NSE:RELIANCE, MCX:CRUDEOIL, NFO:NIFTY or
// "NSE:NIFTY 50" (an index by its own symbol).
func parseChainUnderlying(arg string) (chainUnderlying, error) {
	arg = strings.ToUpper(strings.TrimSpace(arg))
	exch, name, ok := strings.Cut(arg, ":")
	if !ok {
		exch, name = "", arg
	}
	name = strings.TrimSpace(name)
	if n, ok := indexDerivativeName[name]; ok {
		name = n
	}
	if name == "" {
		return chainUnderlying{}, exitcode.Usagef("chain needs an underlying, e.g. NIFTY, NSE:RELIANCE or MCX:CRUDEOIL")
	}
	var exchanges []string
	switch exch {
	case "":
		exchanges = []string{"NFO", "BFO", "MCX", "CDS"}
	case "NSE", "NFO":
		exchanges = []string{"NFO"}
	case "BSE", "BFO":
		exchanges = []string{"BFO"}
	case "MCX", "CDS", "BCD":
		exchanges = []string{exch}
	default:
		return chainUnderlying{}, exitcode.Usagef("unknown exchange %q in %q: options trade on NFO (NSE), BFO (BSE), MCX, CDS and BCD", exch, arg)
	}
	return chainUnderlying{Name: name, Exchanges: exchanges}, nil
}

// expiryTime is when a contract expiring on day (YYYY-MM-DD) stops trading:
// 15:30 IST for NSE and BSE equity derivatives, 12:30 for currency
// derivatives (CDS, BCD), 23:30 for MCX commodity options.
func expiryTime(exchange, day string) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, day, kite.IST)
	if err != nil {
		return time.Time{}, fmt.Errorf("expiry %q is not a date", day)
	}
	switch exchange {
	case "CDS", "BCD":
		return d.Add(12*time.Hour + 30*time.Minute), nil
	case "MCX":
		return d.Add(23*time.Hour + 30*time.Minute), nil
	}
	return d.Add(15*time.Hour + 30*time.Minute), nil
}

// yearsTo is the time from now to t in years: ACT/365 on seconds (calendar
// time, weekends and holidays included, as theta is per calendar day).
func yearsTo(now, t time.Time) float64 {
	return t.Sub(now).Seconds() / (365 * 86400)
}

// chainContracts are one expiry's options and what they are priced on.
type chainContracts struct {
	Name     string
	Exchange string
	Expiry   string // YYYY-MM-DD
	Expires  time.Time
	Options  []kite.Instrument // CE and PE of the expiry, by strike
	Model    options.Model
	// Underlying is the future of the same expiry (Black-76) or the spot
	// (Black-Scholes), as EXCHANGE:TRADINGSYMBOL.
	Underlying string
	Strikes    []float64 // ascending, distinct
}

// optionExpiries lists the expiries of name's options in insts that have
// not expired at now, ascending.
func optionExpiries(insts []kite.Instrument, name, exchange string, now time.Time) []string {
	seen := map[string]bool{}
	var out []string
	for _, in := range insts {
		if in.Name != name || in.Exchange != exchange || (in.InstrumentType != "CE" && in.InstrumentType != "PE") || seen[in.Expiry] {
			continue
		}
		seen[in.Expiry] = true
		if t, err := expiryTime(exchange, in.Expiry); err == nil && t.After(now) {
			out = append(out, in.Expiry)
		}
	}
	slices.Sort(out)
	return out
}

// pickExpiry chooses from ascending expiries: "" or "next" is the nearest;
// "monthly" the nearest that is its month's last listed expiry; a date
// must be listed.
func pickExpiry(expiries []string, want string) (string, error) {
	if len(expiries) == 0 {
		return "", fmt.Errorf("no unexpired options")
	}
	switch w := strings.ToLower(strings.TrimSpace(want)); w {
	case "", "next":
		return expiries[0], nil
	case "monthly":
		for i, e := range expiries {
			if i == len(expiries)-1 || expiries[i+1][:7] != e[:7] {
				return e, nil
			}
		}
	default:
		if _, err := time.Parse(time.DateOnly, w); err != nil {
			return "", exitcode.Usagef("invalid --expiry %q: use a date (YYYY-MM-DD), next or monthly", want)
		}
		if slices.Contains(expiries, w) {
			return w, nil
		}
	}
	return "", exitcode.Usagef("no options expire on %s; expiries: %s", want, strings.Join(expiries, ", "))
}

// selectChain finds the options of name on exchange expiring on expiry
// and the instrument to price them on. Index, commodity and currency
// options are priced with Black-76 on the future of their expiry (for MCX,
// CDS and BCD the nearest future expiring on or after it, the contract the
// option settles into); stock options, and index options without a future
// of their expiry (weeklies), with Black-Scholes on the spot.
func selectChain(insts []kite.Instrument, name, exchange, expiry string) (chainContracts, error) {
	c := chainContracts{Name: name, Exchange: exchange, Expiry: expiry}
	var err error
	if c.Expires, err = expiryTime(exchange, expiry); err != nil {
		return c, err
	}
	var futures []kite.Instrument
	strikes := map[float64]bool{}
	for _, in := range insts {
		if in.Name != name || in.Exchange != exchange {
			continue
		}
		switch in.InstrumentType {
		case "CE", "PE":
			if in.Expiry == expiry {
				c.Options = append(c.Options, in)
				strikes[in.Strike] = true
			}
		case "FUT":
			if in.Expiry >= expiry {
				futures = append(futures, in)
			}
		}
	}
	if len(c.Options) == 0 {
		return c, exitcode.Usagef("no %s options on %s expire on %s", name, exchange, expiry)
	}
	for k := range strikes {
		c.Strikes = append(c.Strikes, k)
	}
	slices.Sort(c.Strikes)
	slices.SortFunc(futures, func(a, b kite.Instrument) int { return strings.Compare(a.Expiry, b.Expiry) })
	spot, isIndex := indexSpot(exchange, name)
	commodity := exchange == "MCX" || exchange == "CDS" || exchange == "BCD"
	switch {
	case !isIndex && !commodity:
		// A stock's future carries its own basis (dividends, funding), and
		// Kite's stock options are on the share, not the future.
		c.Model, c.Underlying = options.BlackScholes, map[string]string{"NFO": "NSE:", "BFO": "BSE:"}[exchange]+name
	case len(futures) > 0 && (futures[0].Expiry == expiry || commodity):
		c.Model, c.Underlying = options.Black76, futures[0].Symbol()
	case commodity:
		return c, fmt.Errorf("no %s future on %s expiring on or after %s to price the options on", name, exchange, expiry)
	default:
		c.Model, c.Underlying = options.BlackScholes, spot
	}
	return c, nil
}

// atmIndex is the index of the strike nearest price (the lower on a tie).
func atmIndex(strikes []float64, price float64) int {
	best := 0
	for i, k := range strikes {
		if math.Abs(k-price) < math.Abs(strikes[best]-price) {
			best = i
		}
	}
	return best
}

// strikeWindow is the strikes n either side of the ATM one (all for n ≤ 0).
func strikeWindow(strikes []float64, atm, n int) []float64 {
	if n <= 0 {
		return strikes
	}
	return strikes[max(atm-n, 0):min(atm+n+1, len(strikes))]
}

// putCallRatio is total put OI over total call OI; ok is false when no
// call has open interest.
func putCallRatio(callOI, putOI []int64) (float64, bool) {
	var c, p int64
	for _, v := range callOI {
		c += v
	}
	for _, v := range putOI {
		p += v
	}
	if c == 0 {
		return 0, false
	}
	return float64(p) / float64(c), true
}

// maxPain is the strike at which option writers pay least at expiry: the
// K minimising Σ callOI_i·max(K−K_i, 0) + putOI_i·max(K_i−K, 0) over the
// listed strikes (the lowest such K on a tie). ok is false without OI.
func maxPain(strikes []float64, callOI, putOI []int64) (float64, bool) {
	best, bestPay, any := 0.0, math.Inf(1), false
	for _, v := range append(slices.Clone(callOI), putOI...) {
		any = any || v > 0
	}
	if !any {
		return 0, false
	}
	for _, settle := range strikes {
		pay := 0.0
		for i, k := range strikes {
			pay += float64(callOI[i])*math.Max(settle-k, 0) + float64(putOI[i])*math.Max(k-settle, 0)
		}
		if pay < bestPay {
			best, bestPay = settle, pay
		}
	}
	return best, true
}
