package complete

import (
	"fmt"
	"strings"
)

// SyntheticDump is a dump of Kite's size for NSE and NFO together: ~9k NSE
// rows and ~90k NFO options and futures (Kite's own dump had 92,403 NFO
// rows in November 2025), for benchmarks
// and tests of completion on a realistic size: 99,180 rows, 7.5 MB.
func SyntheticDump() []byte {
	var b strings.Builder
	b.WriteString("instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange\n")
	tok := 100000
	for i := range 9000 {
		tok++
		fmt.Fprintf(&b, "%d,%d,SYM%04d,\"COMPANY %d, LTD\",0,,0,0.05,1,EQ,NSE,NSE\n", tok, tok/256, i, i)
	}
	for u := range 180 {
		for e, exp := range []string{"26NOV", "26DEC", "27JAN"} {
			fmt.Fprintf(&b, "%d,%d,UND%03d%sFUT,UND%03d,0,2026-12-%02d,0,0.05,75,FUT,NFO-FUT,NFO\n", tok, tok/256, u, exp, u, e+1)
			tok++
			for s := range 83 {
				strike := 1000 + 50*s
				for _, t := range []string{"CE", "PE"} {
					tok++
					fmt.Fprintf(&b, "%d,%d,UND%03d%s%d%s,UND%03d,0,2026-12-%02d,%d,0.05,75,%s,NFO-OPT,NFO\n",
						tok, tok/256, u, exp, strike, t, u, e+1, strike, t)
				}
			}
		}
	}
	return []byte(b.String())
}
