package sandbox

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/kitecli/kite/pkg/sandbox/market"
)

// maxHistoricalDays is Kite's longest range per request, by interval.
func maxHistoricalDays(interval string) (int, bool) {
	switch interval {
	case "minute":
		return 60, true
	case "3minute", "5minute", "10minute":
		return 100, true
	case "15minute", "30minute":
		return 200, true
	case "60minute":
		return 400, true
	case "day":
		return 2000, true
	}
	return 0, false
}

// parseKiteDate parses the from/to parameters: "2006-01-02 15:04:05" or
// "2006-01-02", in IST.
func parseKiteDate(s string) (time.Time, bool) {
	for _, layout := range []string{kiteTime, "2006-01-02", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, market.IST); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// handleHistorical serves GET /instruments/historical/:token/:interval.
func (s *Server) handleHistorical(w http.ResponseWriter, r *http.Request, _ session) {
	interval := r.PathValue("interval")
	maxDays, ok := maxHistoricalDays(interval)
	if !ok {
		inputError(w, "invalid interval: "+interval)
		return
	}
	tok, err := strconv.ParseUint(r.PathValue("token"), 10, 32)
	if err != nil {
		inputError(w, "invalid token")
		return
	}
	fromS, toS := r.Form.Get("from"), r.Form.Get("to")
	if fromS == "" || toS == "" {
		inputError(w, "Missing `from` or `to` date: pass both, as yyyy-mm-dd hh:mm:ss.")
		return
	}
	from, okFrom := parseKiteDate(fromS)
	to, okTo := parseKiteDate(toS)
	if !okFrom || !okTo {
		inputError(w, "invalid from/to date: use yyyy-mm-dd hh:mm:ss or yyyy-mm-dd")
		return
	}
	if to.Before(from) {
		inputError(w, "invalid date range: `from` is after `to`")
		return
	}
	if to.Sub(from) > time.Duration(maxDays)*24*time.Hour {
		inputError(w, fmt.Sprintf("interval exceeds max limit: %d days", maxDays))
		return
	}
	oi := r.Form.Get("oi") == "1"
	candles, err := s.world.market.Candles(uint32(tok), interval, from, to, oi)
	if err != nil {
		writeErr(w, err)
		return
	}
	in, _ := s.world.market.ByToken(uint32(tok))
	div := in.Divisor()
	// Written by hand: prices go out as exact decimals, and a year of
	// minute candles is large.
	b := make([]byte, 0, 64+len(candles)*96)
	b = append(b, `{"status":"success","data":{"candles":[`...)
	for i, c := range candles {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `["`...)
		b = c.Time.In(market.IST).AppendFormat(b, "2006-01-02T15:04:05-0700")
		b = append(b, '"')
		for _, p := range [...]int64{c.Open, c.High, c.Low, c.Close} {
			b = append(b, ',')
			b = market.AppendPrice(b, p, div)
		}
		b = append(b, ',')
		b = strconv.AppendInt(b, c.Volume, 10)
		if oi {
			b = append(b, ',')
			b = strconv.AppendInt(b, c.OI, 10)
		}
		b = append(b, ']')
	}
	b = append(b, "]}}"...)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}
