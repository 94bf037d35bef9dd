package output

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Tables are for people, so their cells are formatted as a person reads
// them; JSON, NDJSON and CSV keep Kite's exact digits and timestamps.

// ist is India Standard Time, the exchanges' clock. A fixed zone: India
// has no daylight saving and the tzdata may be missing.
var ist = time.FixedZone("IST", 5*3600+1800)

// cellKind says how a column's numbers are printed in a table.
type cellKind int

const (
	kindPlain   cellKind = iota
	kindPrice            // the instrument's tick-size decimals
	kindMoney            // rupees: 2 decimals
	kindPercent          // 2 decimals
)

// kindOf classifies a column by its (Kite) field name. Names are Kite's
// own, shared by every command, so one list here serves all of them.
func kindOf(key string) cellKind {
	k := strings.ToLower(key)
	switch {
	case strings.HasSuffix(k, "_percentage"), strings.HasSuffix(k, "%"), strings.HasSuffix(k, "_pct"):
		return kindPercent
	case k == "price", strings.HasSuffix(k, "_price"), k == "open", k == "high", k == "low", k == "close",
		k == "last", k == "bid", k == "ask", k == "trigger", k == "average", k == "ltp":
		return kindPrice
	case strings.Contains(k, "pnl"), strings.HasPrefix(k, "m2m"), strings.HasSuffix(k, "realised"),
		k == "day_change", k == "change", k == "net", k == "cash", k == "value", strings.HasSuffix(k, "_value"),
		strings.HasSuffix(k, "_balance"), k == "collateral", k == "debits", k == "span", k == "exposure",
		k == "option_premium", strings.HasSuffix(k, "amount"), k == "charges", k == "total":
		return kindMoney
	}
	return kindPlain
}

// signed reports whether a column's sign is a gain or a loss, which a
// colour terminal shows green or red.
func signed(key string) bool {
	k := strings.ToLower(key)
	return strings.Contains(k, "pnl") || strings.Contains(k, "change") || strings.HasPrefix(k, "m2m") ||
		strings.HasSuffix(k, "realised")
}

// priceDecimals is the number of decimals of a row's prices: its tick
// size's when the row has one, else its exchange's usual (currency
// derivatives tick in 0.0025 rupees, everything else in 0.05 or 0.01).
func priceDecimals(row map[string]json.RawMessage) int {
	if ts, ok := row["tick_size"]; ok {
		if d, ok := decimalsOf(string(ts)); ok {
			return d
		}
	}
	exch := ""
	if e, ok := row["exchange"]; ok {
		_ = json.Unmarshal(e, &exch)
	}
	for _, k := range []string{"symbol", "instrument"} {
		if exch != "" {
			break
		}
		if s, ok := row[k]; ok {
			var v string
			if json.Unmarshal(s, &v) == nil {
				exch, _, _ = strings.Cut(v, ":")
			}
		}
	}
	switch strings.ToUpper(exch) {
	case "CDS", "BCD":
		return 4
	}
	return 2
}

// decimalsOf is the number of digits after the point of a tick size as
// written ("0.05" → 2, "0.0025" → 4, "1" → 0).
func decimalsOf(num string) (int, bool) {
	num = strings.TrimSpace(num)
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f <= 0 || strings.ContainsAny(num, "eE") {
		return 0, false
	}
	_, frac, ok := strings.Cut(num, ".")
	if !ok {
		return 0, true
	}
	return len(strings.TrimRight(frac, "0")), true
}

// formatNumber prints a JSON number with dec decimals, never "-0.00".
func formatNumber(num string, dec int) string {
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return num
	}
	s := strconv.FormatFloat(f, 'f', dec, 64)
	if strings.HasPrefix(s, "-") && strings.Trim(s[1:], "0.") == "" {
		s = s[1:]
	}
	return s
}

// timeLayouts are the timestamps Kite and kite print: Kite's own (IST,
// no zone) and RFC 3339.
var timeLayouts = []string{"2006-01-02 15:04:05", time.RFC3339Nano, "2006-01-02T15:04:05"}

// shortTime shortens a timestamp to IST as a person reads it: the time
// alone today, the day and minute this year, the date before that.
func shortTime(s string, now time.Time) (string, bool) {
	if len(s) < len("2006-01-02 15:04") || s[4] != '-' {
		return "", false
	}
	for _, l := range timeLayouts {
		t, err := time.ParseInLocation(l, s, ist)
		if err != nil {
			continue
		}
		t, n := t.In(ist), now.In(ist)
		switch {
		case t.Year() == n.Year() && t.YearDay() == n.YearDay():
			return t.Format("15:04:05"), true
		case t.Year() == n.Year():
			return t.Format("02 Jan 15:04"), true
		}
		return t.Format("02 Jan 2006"), true
	}
	return "", false
}

// headerWords are the headers that read better than their field names.
var headerWords = map[string]string{
	"tradingsymbol":         "SYMBOL",
	"instrument_token":      "TOKEN",
	"exchange_token":        "EXCH TOKEN",
	"average_price":         "AVG PRICE",
	"last_price":            "LAST",
	"close_price":           "PREV CLOSE",
	"day_change_percentage": "DAY CHANGE %",
	"quantity":              "QTY",
	"t1_quantity":           "T1 QTY",
	"filled_quantity":       "FILLED",
	"pending_quantity":      "PENDING",
	"transaction_type":      "SIDE",
	"instrument_type":       "TYPE",
	"order_timestamp":       "TIME",
	"fill_timestamp":        "TIME",
	"exchange_timestamp":    "EXCH TIME",
	"opening_balance":       "OPENING",
	"live_balance":          "LIVE",
	"pnl":                   "P&L",
	"oi":                    "OI",
}

// headerText is a field name as a header: words, upper case.
func headerText(key string) string {
	if h, ok := headerWords[strings.ToLower(key)]; ok {
		return h
	}
	h := strings.ReplaceAll(key, "_", " ")
	h = strings.ReplaceAll(h, "percentage", "%")
	return strings.ToUpper(h)
}

// lowValue are the columns a narrow terminal loses first, in this order:
// identifiers a person rarely reads and facts the symbol already says.
var lowValue = []string{"instrument_token", "exchange_token", "segment", "t1_quantity", "tag", "validity",
	"variety", "placed_by", "exchange_order_id", "parent_order_id", "guid", "exchange_timestamp",
	"exchange_update_timestamp", "disclosed_quantity", "folio", "last_price_date", "trigger_price",
	"lot_size", "tick_size", "expires_at", "updated_at", "alert_count", "name", "exchange", "product"}
