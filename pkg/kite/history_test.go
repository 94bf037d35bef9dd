package kite

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSplitRange(t *testing.T) {
	from := mustTime(t, "2025-11-21T11:24:54+05:30")
	to := mustTime(t, "2026-11-21T11:24:54+05:30")
	for _, c := range []struct {
		interval string
		want     int
	}{{"minute", 7}, {"3minute", 4}, {"15minute", 2}, {"60minute", 1}, {"day", 1}} {
		chunks, err := SplitRange(from, to, c.interval)
		if err != nil {
			t.Fatal(err)
		}
		if len(chunks) != c.want {
			t.Errorf("%s: %d chunks, want %d", c.interval, len(chunks), c.want)
		}
		limit, _ := MaxRange(c.interval)
		if !chunks[0].From.Equal(from) || !chunks[len(chunks)-1].To.Equal(to) {
			t.Errorf("%s: chunks cover %v..%v, want %v..%v", c.interval, chunks[0].From, chunks[len(chunks)-1].To, from, to)
		}
		for i, ch := range chunks {
			if ch.To.Sub(ch.From) > limit || !ch.From.Before(ch.To) {
				t.Errorf("%s chunk %d: %v..%v exceeds %v", c.interval, i, ch.From, ch.To, limit)
			}
			if i > 0 {
				if !ch.From.Equal(chunks[i-1].To) {
					t.Errorf("%s: chunk %d starts %v, previous ends %v: seams must be shared", c.interval, i, ch.From, chunks[i-1].To)
				}
				if h, m, s := ch.From.In(IST).Clock(); h+m+s != 0 {
					t.Errorf("%s: seam %v is not an IST midnight", c.interval, ch.From)
				}
			}
		}
	}
	if _, err := SplitRange(to, from, "day"); err == nil {
		t.Error("reversed range accepted")
	}
	if _, err := SplitRange(from, to, "2minute"); err == nil {
		t.Error("unknown interval accepted")
	}
}

func TestParseCandle(t *testing.T) {
	c, err := ParseCandle(json.RawMessage(`["2019-12-04T09:15:00+0530",12009.9,12019.35,12001.25,12001.5,163275,13667775]`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Date != "2019-12-04T09:15:00+05:30" || c.Open != "12009.9" || c.Close != "12001.5" || c.Volume != "163275" || c.OI != "13667775" {
		t.Fatalf("%+v", c)
	}
	if got := string(c.AppendJSON(nil)); got != `{"date":"2019-12-04T09:15:00+05:30","open":12009.9,"high":12019.35,"low":12001.25,"close":12001.5,"volume":163275,"oi":13667775}` {
		t.Fatalf("AppendJSON = %s", got)
	}
	var viaStdlib map[string]any
	if err := json.Unmarshal(c.AppendJSON(nil), &viaStdlib); err != nil {
		t.Fatalf("AppendJSON is not JSON: %v", err)
	}
	if got := string(c.AppendCSV(nil, true)); got != "2019-12-04T09:15:00+05:30,12009.9,12019.35,12001.25,12001.5,163275,13667775\n" {
		t.Fatalf("AppendCSV = %q", got)
	}
	c, err = ParseCandle(json.RawMessage(`["2024-01-02T00:00:00+05:30",1,2,0.5,1.5,10]`))
	if err != nil || c.OI != "" || !strings.HasSuffix(string(c.AppendCSV(nil, true)), ",10,\n") {
		t.Fatalf("%+v %v", c, err)
	}
	for _, bad := range []string{`{}`, `[]`, `["x",1,2,3,4,5]`, `[1,1,2,3,4,5]`, `["2024-01-02T00:00:00+0530","1",2,3,4,5]`,
		`["2024-01-02T00:00:00+0530",1,2,3,4,5,6,7]`, `["2024-01-02T00:00:00+0530",null,2,3,4,5]`, `["2024-01-02T00:00:00+0530",true,2,3,4,5]`} {
		if _, err := ParseCandle(json.RawMessage(bad)); err == nil {
			t.Errorf("ParseCandle(%s) accepted", bad)
		}
	}
}

func TestHistoryJoinerDropsSeamRepeats(t *testing.T) {
	mk := func(times ...string) []Candle {
		var cs []Candle
		for _, s := range times {
			cs = append(cs, Candle{Date: s, Time: mustTime(t, s)})
		}
		return cs
	}
	var j HistoryJoiner
	a := j.Join(mk("2024-01-01T09:15:00+05:30", "2024-01-01T09:16:00+05:30"))
	b := j.Join(mk("2024-01-01T09:16:00+05:30", "2024-01-01T09:17:00+05:30"))
	c := j.Join(nil)
	d := j.Join(mk("2024-01-01T09:15:00+05:30", "2024-01-01T09:18:00+05:30"))
	if len(a) != 2 || len(b) != 1 || b[0].Date != "2024-01-01T09:17:00+05:30" || len(c) != 0 || len(d) != 1 {
		t.Fatalf("a=%v b=%v c=%v d=%v", a, b, c, d)
	}
}

func TestLastInstrumentRefresh(t *testing.T) {
	for now, want := range map[string]string{
		"2026-11-21T08:29:59+05:30": "2026-11-20T08:30:00+05:30",
		"2026-11-21T08:30:00+05:30": "2026-11-21T08:30:00+05:30",
		"2026-11-21T23:59:00+05:30": "2026-11-21T08:30:00+05:30",
		"2026-11-21T00:30:00Z":      "2026-11-20T08:30:00+05:30", // 06:00 IST
		"2026-11-21T03:00:00Z":      "2026-11-21T08:30:00+05:30", // 08:30 IST
	} {
		if got := LastInstrumentRefresh(mustTime(t, now)); !got.Equal(mustTime(t, want)) {
			t.Errorf("LastInstrumentRefresh(%s) = %v, want %s", now, got, want)
		}
	}
}

// referenceCandles is the straightforward encoding/json parse the
// hand-written scanner must agree with.
func referenceCandles(data []byte) ([]Candle, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, err
	}
	out := []Candle{}
	for _, raw := range list {
		var cells []json.RawMessage
		if err := json.Unmarshal(raw, &cells); err != nil {
			return nil, err
		}
		if len(cells) < 6 || len(cells) > 7 {
			return nil, errors.New("field count")
		}
		var ts string
		if err := json.Unmarshal(cells[0], &ts); err != nil {
			return nil, err
		}
		t, err := time.Parse("2006-01-02T15:04:05-0700", ts)
		if err != nil {
			if t, err = time.Parse(time.RFC3339, ts); err != nil {
				return nil, err
			}
		}
		var nums [6]json.Number
		for i, cell := range cells[1:] {
			cell = bytes.TrimSpace(cell)
			if len(cell) == 0 || cell[0] != '-' && (cell[0] < '0' || cell[0] > '9') {
				return nil, errors.New("not a number")
			}
			if err := json.Unmarshal(cell, &nums[i]); err != nil {
				return nil, err
			}
		}
		t = t.In(IST)
		out = append(out, Candle{Date: t.Format(time.RFC3339), Time: t,
			Open: nums[0], High: nums[1], Low: nums[2], Close: nums[3], Volume: nums[4], OI: nums[5]})
	}
	return out, nil
}

func TestParseCandlesList(t *testing.T) {
	for _, in := range []string{`[]`, ` [ ] `, `[["2024-01-02T09:15:00+0530",1,2,0.5,1.5,10],["2024-01-02T09:16:00+05:30",1.5,2,1,-2e3,11,7]]`} {
		got, err := ParseCandles([]byte(in))
		want, werr := referenceCandles([]byte(in))
		if err != nil || werr != nil || !sameCandles(got, want) {
			t.Errorf("ParseCandles(%s) = %v, %v; want %v", in, got, err, want)
		}
	}
	if got, err := ParseCandles([]byte("null")); err != nil || len(got) != 0 {
		t.Errorf("null: %v %v", got, err)
	}
	for _, bad := range []string{`{}`, `[1]`, `[[]]`, `[["2024-01-02T09:15:00+0530",1,2,3,4,5]] x`, `[["2024-01-02T09:15:00+0530",1,2,3,4,5],]`,
		`[["2024-01-02T09:15:00+0530",1,2,3,4,5,6,7]]`, `[["2024-01-02T09:15:00+0530",1,2,3,4]]`, `[["2024-01-02T09:15:00+0530",01,2,3,4,5]]`,
		`[["2024-01-02T09:15:00+0530",1.,2,3,4,5]]`, `[["2024-01-02T09:15:00+0530",1,2,3,4,"5"]]`} {
		if _, err := ParseCandles([]byte(bad)); err == nil {
			t.Errorf("ParseCandles(%s) accepted", bad)
		}
	}
}

func sameCandles(a, b []Candle) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Date != y.Date || !x.Time.Equal(y.Time) || x.Open != y.Open || x.High != y.High || x.Low != y.Low ||
			x.Close != y.Close || x.Volume != y.Volume || x.OI != y.OI {
			return false
		}
	}
	return true
}

// The scanner reads untrusted bytes: on any valid JSON it must agree with
// encoding/json, accepting the same lists with the same values.
func FuzzParseCandles(f *testing.F) {
	f.Add([]byte(`[["2019-12-04T09:15:00+0530",12009.9,12019.35,12001.25,12001.5,163275,13667775]]`))
	f.Add([]byte(`[["2024-01-02T09:15:00+05:30",1,2,0.5,1.5,10],["2024-01-02T09:16:00+0530",1.5e2,2,1,-2,11]]`))
	f.Add([]byte(`[["\u0032024-01-02T09:15:00+0530",1,2,3,4,5]]`))
	f.Add([]byte(`[ [ "2024-01-02T09:15:00+0530" , 0 , -0.0 , 1E+2 , 3 , 4 ] ]`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) || bytes.HasPrefix(bytes.TrimSpace(data), []byte("null")) {
			return // the envelope decode has already rejected invalid JSON
		}
		got, err := ParseCandles(data)
		want, werr := referenceCandles(data)
		if (err == nil) != (werr == nil) {
			t.Fatalf("ParseCandles err=%v, encoding/json err=%v on %q", err, werr, data)
		}
		if err == nil && !sameCandles(got, want) {
			t.Fatalf("ParseCandles = %+v\nencoding/json = %+v", got, want)
		}
	})
}

func TestCanonicalInterval(t *testing.T) {
	for in, want := range map[string]string{
		"1m": "minute", "3m": "3minute", "5m": "5minute", "10m": "10minute",
		"15m": "15minute", "30m": "30minute", "60m": "60minute", "1h": "60minute",
		"1d": "day", "day": "day", "minute": "minute", "60minute": "60minute",
	} {
		if got, ok := CanonicalInterval(in); !ok || got != want {
			t.Errorf("CanonicalInterval(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "2m", "1w", "1M", "hour", "5 m", "5min"} {
		if got, ok := CanonicalInterval(bad); ok {
			t.Errorf("CanonicalInterval(%q) = %q, ok; want not ok", bad, got)
		}
	}
}
