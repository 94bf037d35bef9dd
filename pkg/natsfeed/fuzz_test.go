package natsfeed

import "testing"

func TestParseSubject(t *testing.T) {
	for _, c := range []struct {
		subj  string
		kind  Kind
		token uint32
		ok    bool
	}{
		{"kite.ticks.NSE.408065", KindTick, 408065, true},
		{"kite.ticks.NSE.0", 0, 0, false},
		{"kite.ticks.NSE.x", 0, 0, false},
		{"kite.ticks.408065", 0, 0, false},
		{"kite.orders.AB1234", KindOrder, 0, true},
		{"kite.orders.", 0, 0, false},
		{"kite.events", KindEvent, 0, true},
		{"other.events", 0, 0, false},
	} {
		kind, tok, ok := ParseSubject("kite", c.subj)
		if kind != c.kind || tok != c.token || ok != c.ok {
			t.Errorf("ParseSubject(%q) = %v %v %v, want %v %v %v", c.subj, kind, tok, ok, c.kind, c.token, c.ok)
		}
	}
}

// Subjects come from the NATS server, which any client may publish to.
func FuzzParseSubject(f *testing.F) {
	for _, s := range []string{"kite.ticks.NSE.408065", "kite.orders.AB1234", "kite.events", "kite.ticks.NSE.99999999999", "kite..", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, subj string) {
		kind, tok, ok := ParseSubject("kite", subj)
		if ok && kind == KindTick && TickSubject("kite", tok)[len("kite.ticks."):] == "" {
			t.Fatalf("empty subject for %q", subj)
		}
		if !ok && (kind != 0 || tok != 0) {
			t.Fatalf("not ok but kind %v token %d", kind, tok)
		}
	})
}
