package kite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// IST is India Standard Time: the zone of every Kite timestamp and of its
// market days. It is a fixed +05:30 offset (India has no daylight saving),
// so no time zone database is needed on the machine.
var IST = time.FixedZone("IST", 5*3600+30*60)

// Time is a Kite timestamp. Kite sends "2021-05-31 09:18:57" (IST, no
// offset) or a bare date; Time prints RFC 3339 with the IST offset
// ("2021-05-31T09:18:57+05:30") as the output contract asks, and null when
// Kite sent null or nothing.
type Time struct {
	time.Time
}

// layouts Kite uses, tried in order; the zoneless ones are in IST.
var timeLayouts = []string{
	"2006-01-02 15:04:05",
	time.RFC3339Nano,
	"2006-01-02T15:04:05-0700",
	"2006-01-02",
}

// UnmarshalJSON accepts Kite's formats and RFC 3339.
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("kite timestamp %s: not a string", b)
	}
	pt, err := ParseTime(s)
	if err != nil {
		return err
	}
	t.Time = pt
	return nil
}

// MarshalJSON writes RFC 3339 in IST, or null for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.In(IST).Format(time.RFC3339) + `"`), nil
}

// ParseTime parses a timestamp as Kite writes it; "" is the zero time.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, IST); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("kite timestamp %q: unknown format", s)
}
