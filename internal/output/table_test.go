package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kitecli/kite/internal/exitcode"
)

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		num  string
		dec  int
		want string
	}{
		{"1412.7863636363636", 2, "1412.79"},
		{"-1.3246753246753304", 2, "-1.32"},
		{"-0.001", 2, "0.00"}, // never -0.00
		{"-0", 2, "0.00"},
		{"1540", 2, "1540.00"},
		{"83.1234", 4, "83.1234"},
		{"72345.5", 0, "72346"},
		{"1e3", 2, "1000.00"},
	}
	for _, tt := range tests {
		if got := formatNumber(tt.num, tt.dec); got != tt.want {
			t.Errorf("formatNumber(%s, %d) = %s, want %s", tt.num, tt.dec, got, tt.want)
		}
	}
	for tick, want := range map[string]int{"0.05": 2, "0.0025": 4, "1": 0, "0.01": 2, "0.10": 1} {
		if got, ok := decimalsOf(tick); !ok || got != want {
			t.Errorf("decimalsOf(%s) = %d, want %d", tick, got, want)
		}
	}
}

func TestShortTime(t *testing.T) {
	now := time.Date(2026, 11, 26, 6, 0, 0, 0, ist)
	tests := []struct{ in, want string }{
		{"2026-11-26 09:15:03", "09:15:03"},       // Kite's IST, today
		{"2026-11-26T03:45:03Z", "09:15:03"},      // UTC, shown in IST
		{"2026-11-20 15:29:59", "20 Nov 15:29"},   // this year
		{"2025-03-31 10:00:00", "31 Mar 2025"},    // before
		{"2026-11-26T09:15:03+05:30", "09:15:03"}, // RFC 3339
		{"2026-11-25T20:00:00Z", "01:30:00"},      // 01:30 IST on the 26th: today
	}
	for _, tt := range tests {
		if got, ok := shortTime(tt.in, now); !ok || got != tt.want {
			t.Errorf("shortTime(%s) = %q %v, want %q", tt.in, got, ok, tt.want)
		}
	}
	for _, s := range []string{"2026-12-01", "NIFTY", "09:15", ""} {
		if got, ok := shortTime(s, now); ok {
			t.Errorf("shortTime(%q) = %q, want it left alone", s, got)
		}
	}
}

func TestHeaderText(t *testing.T) {
	for key, want := range map[string]string{
		"tradingsymbol": "SYMBOL", "average_price": "AVG PRICE", "day_change_percentage": "DAY CHANGE %",
		"change_%": "CHANGE %", "auction_number": "AUCTION NUMBER", "pnl": "P&L",
	} {
		if got := headerText(key); got != want {
			t.Errorf("headerText(%s) = %s, want %s", key, got, want)
		}
	}
}

type pos struct {
	Symbol   string  `json:"tradingsymbol"`
	Exchange string  `json:"exchange"`
	Token    int     `json:"instrument_token"`
	Product  string  `json:"product"`
	Qty      int     `json:"quantity"`
	Avg      float64 `json:"average_price"`
	Last     float64 `json:"last_price"`
	PnL      float64 `json:"pnl"`
	Change   float64 `json:"day_change_percentage"`
	Updated  string  `json:"updated_at"`
}

var positions = []pos{
	{"INFY", "NSE", 408065, "CNC", 11, 1412.7863636363636, 1519.6, 1172.5, -1.3246753246753304, "2026-11-26 09:15:03"},
	{"USDINR26DECFUT", "CDS", 412675, "NRML", 1, 83.12345, 83.2, -0.0001, 0.0004, "2026-11-20 15:29:59"},
}

func printTable(t *testing.T, style TableStyle, v any, opts ...Option) (string, error) {
	t.Helper()
	var out bytes.Buffer
	p := New(&out, Table, nil)
	if style.Now == nil {
		style.Now = func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, ist) }
	}
	p.SetTableStyle(style)
	err := p.Print(v, opts...)
	return out.String(), err
}

// Numbers for people: prices to the row's tick decimals (CDS: 4), money and
// percentages to 2, no -0.00; times short in IST; headers in words.
func TestTableForPeople(t *testing.T) {
	got, err := printTable(t, TableStyle{}, positions)
	if err != nil {
		t.Fatal(err)
	}
	want := "SYMBOL          EXCHANGE   TOKEN  PRODUCT  QTY  AVG PRICE     LAST      P&L  DAY CHANGE %  UPDATED AT\n" +
		"INFY            NSE       408065  CNC       11    1412.79  1519.60  1172.50         -1.32  09:15:03\n" +
		"USDINR26DECFUT  CDS       412675  NRML       1    83.1235  83.2000     0.00          0.00  20 Nov 15:29\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// JSON keeps every digit.
	var out bytes.Buffer
	if err := New(&out, JSON, nil).Print(positions); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1412.7863636363636") || !strings.Contains(out.String(), "-1.3246753246753304") {
		t.Errorf("JSON lost digits:\n%s", out.String())
	}
}

func TestTableColour(t *testing.T) {
	got, _ := printTable(t, TableStyle{Color: true}, positions)
	if !strings.Contains(got, ansiGreen+"1172.50"+ansiReset) || !strings.Contains(got, ansiRed+"-1.32"+ansiReset) {
		t.Errorf("no green gain or red loss:\n%q", got)
	}
	if strings.Contains(got, ansiRed+"0.00") || strings.Contains(got, ansiGreen+"0.00") {
		t.Errorf("0.00 coloured:\n%q", got)
	}
	plain, _ := printTable(t, TableStyle{}, positions)
	if strings.Contains(plain, "\x1b[") {
		t.Errorf("colour without Color:\n%q", plain)
	}
}

// A narrow terminal loses low-value columns first (token, product, …),
// says which on the notice writer, and no line is wider than the terminal.
func TestTableFitsWidth(t *testing.T) {
	var notice bytes.Buffer
	got, err := printTable(t, TableStyle{Width: 60, Notice: &notice}, positions)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if n := utf8.RuneCountInString(line); n > 60 {
			t.Errorf("line of %d columns on a 60-column terminal: %q", n, line)
		}
	}
	header, _, _ := strings.Cut(got, "\n")
	if strings.Contains(header, "TOKEN") || !strings.Contains(header, "SYMBOL") || !strings.Contains(header, "P&L") {
		t.Errorf("header %q: want the token gone and symbol and P&L kept", header)
	}
	if !strings.Contains(notice.String(), "columns hidden to fit the terminal (instrument_token,") ||
		!strings.Contains(notice.String(), "--columns") {
		t.Errorf("notice: %q", notice.String())
	}
	// Wide enough: nothing hidden, nothing said.
	notice.Reset()
	if _, err := printTable(t, TableStyle{Width: 200, Notice: &notice}, positions); err != nil || notice.Len() != 0 {
		t.Errorf("200 columns: %v %q", err, notice.String())
	}
}

func TestTableUserColumns(t *testing.T) {
	got, err := printTable(t, TableStyle{Columns: []string{"pnl", "tradingsymbol"}, Width: 10}, positions)
	if err != nil {
		t.Fatal(err)
	}
	// The user's columns all stay, however narrow; symbols are never cut.
	want := "    P&L  SYMBOL\n1172.50  INFY\n   0.00  USDINR26DECFUT\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	_, err = printTable(t, TableStyle{Columns: []string{"pnl", "nope"}}, positions)
	if err == nil || exitcode.Code(err) != exitcode.Usage || !strings.Contains(err.Error(), `unknown column "nope"`) ||
		!strings.Contains(err.Error(), "tradingsymbol,exchange") {
		t.Errorf("unknown column: %v", err)
	}
	// CSV takes --columns too, with exact numbers.
	var out bytes.Buffer
	p := New(&out, CSV, nil)
	p.SetTableStyle(TableStyle{Columns: []string{"tradingsymbol", "average_price"}})
	if err := p.Print(positions); err != nil {
		t.Fatal(err)
	}
	if out.String() != "tradingsymbol,average_price\nINFY,1412.7863636363636\nUSDINR26DECFUT,83.12345\n" {
		t.Errorf("csv:\n%s", out.String())
	}
}

// A long header cannot be cut: fitting gives up on that column instead of
// looping.
func TestTableFitWideHeader(t *testing.T) {
	rows := []map[string]any{{"a_very_long_header_name_indeed": "x", "name": "a long long long name of something"}}
	got, err := printTable(t, TableStyle{Width: 20, Columns: []string{"a_very_long_header_name_indeed", "name"}}, rows)
	if err != nil || !strings.Contains(got, "A VERY LONG HEADER NAME INDEED") || !strings.Contains(got, "…") {
		t.Errorf("got %q, %v", got, err)
	}
}

// Any JSON document prints as a table of any width without panicking or
// looping, and no line is wider than the terminal unless a single
// unshortenable cell or header forces it.
func FuzzTable(f *testing.F) {
	f.Add([]byte(`[{"tradingsymbol":"INFY","average_price":1412.7863636363636,"pnl":-0.001,"order_timestamp":"2026-11-26 09:15:03"}]`), 40)
	f.Add([]byte(`{"a":1,"b":"2026-11-26T09:15:03Z"}`), 10)
	f.Add([]byte(`[1,"x",null,{"tick_size":"0.0025","last_price":83.1}]`), 0)
	f.Fuzz(func(t *testing.T, doc []byte, width int) {
		if !json.Valid(doc) {
			return
		}
		var out bytes.Buffer
		p := New(&out, Table, nil)
		p.SetTableStyle(TableStyle{Width: width % 300, Color: width%2 == 0})
		_ = p.Print(json.RawMessage(doc))
	})
}
