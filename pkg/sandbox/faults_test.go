package sandbox

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestFaultSessionTTL: under the SessionTTL fault a fresh session works,
// then dies: REST answers 403 TokenException and the ticker connection it
// opened is closed. SetFaults(SessionTTL: 0) gives Kite's lifetime back.
func TestFaultSessionTTL(t *testing.T) {
	s := start(t, Options{TickInterval: 10 * time.Millisecond, Faults: Faults{SessionTTL: 300 * time.Millisecond}})
	tok := s.AccessToken()
	auth := "token " + APIKey + ":" + tok
	c := dialTicker(t, s, tok)
	wantData(t, call(t, http.MethodGet, s.URL()+"/user/profile", auth, nil), nil)

	// The ticker connection ends by itself.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if _, _, err := c.Read(ctx); err != nil {
			if ctx.Err() != nil {
				t.Fatal("the ticker connection of an expired session stayed open")
			}
			break
		}
	}
	wantError(t, call(t, http.MethodGet, s.URL()+"/user/profile", auth, nil), http.StatusForbidden, "TokenException")
	if _, err := tryDial(s, map[string][]string{"api_key": {APIKey}, "access_token": {tok}}); err == nil {
		t.Fatal("the ticker accepted an expired session")
	}

	s.SetFaults(Faults{})
	wantData(t, call(t, http.MethodGet, s.URL()+"/user/profile", tokenAuth(s), nil), nil)
}

// TestFaultMalformedEvery: every connection gets malformed messages (a
// packet overrunning the message) again and again, between good ones.
func TestFaultMalformedEvery(t *testing.T) {
	s := start(t, Options{TickInterval: 10 * time.Millisecond, Faults: Faults{MalformedEvery: 100 * time.Millisecond}})
	c := dialTicker(t, s, s.AccessToken())
	send(t, c, `{"a":"subscribe","v":[408065]}`)
	bad, good := 0, 0
	readUntil(t, c, 20*time.Second, func(typ websocket.MessageType, msg []byte) bool {
		if typ != websocket.MessageBinary || len(msg) < 4 {
			return false
		}
		// Packet 1's length against what the message holds.
		if int(msg[2])<<8|int(msg[3]) > len(msg)-4 {
			bad++
		} else {
			good++
		}
		return bad >= 3 && good >= 3
	})
}
