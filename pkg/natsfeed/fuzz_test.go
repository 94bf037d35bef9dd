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

// Acks as nats-server 2.15 writes them (stream.go builds the success
// reply by hand; errors come from encoding/json).
func TestParseAck(t *testing.T) {
	for _, c := range []struct {
		data    string
		ok, dup bool
	}{
		{`{"stream":"KITE","seq":42}`, true, false},
		{`{"stream":"KITE","domain":"hub","seq":42}`, true, false},
		{`{"stream":"KITE","seq":42,"duplicate": true}`, true, true},
		{`{"stream":"KITE","seq":42,"duplicate":true}`, true, true},
		{`{"stream":"KITE","seq":42,"duplicate": false}`, true, false},
		{`{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"}}`, false, false},
		{`{"stream":"error","seq":1}`, true, false},
		{`{"stream":"x\"error\":","seq":1}`, true, false},
		{``, false, false}, // a 503 "no responders" status has no body
		{`{}`, false, false},
		{`{"seq"`, false, false},
	} {
		ok, dup := ParseAck([]byte(c.data))
		if ok != c.ok || dup != c.dup {
			t.Errorf("ParseAck(%s) = %v %v, want %v %v", c.data, ok, dup, c.ok, c.dup)
		}
	}
}

// Acks come from the server, but through a subject any client with the
// inbox's name could publish to.
func FuzzParseAck(f *testing.F) {
	for _, s := range []string{`{"stream":"KITE","seq":42}`, `{"stream":"KITE","seq":42,"duplicate": true}`,
		`{"error":{"code":503}}`, ``, `{"seq" :`, `{"duplicate" : true,"seq":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ok, dup := ParseAck(data)
		if dup && !ok {
			t.Fatalf("duplicate but not ok: %q", data)
		}
		if ok && (len(data) == 0 || data[0] != '{') {
			t.Fatalf("ok for %q", data)
		}
	})
}
