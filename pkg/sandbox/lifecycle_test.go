package sandbox

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestCloseStopsEverything checks that Close ends the clock, the ticker
// connections and the listener, leaving no goroutine behind.
func TestCloseStopsEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := Start(context.Background(), Options{TickInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c, err := tryDial(s, map[string][]string{"api_key": {APIKey}, "access_token": {s.AccessToken()}})
	if err != nil {
		t.Fatal(err)
	}
	send(t, c, `{"a":"subscribe","v":[408065]}`)
	nextTicks(t, c)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if _, _, err := c.Read(ctx); err != nil {
			break // the server closed the connection
		}
	}
	c.CloseNow()
	if _, err := http.Get(s.URL() + "/user/profile"); err == nil {
		t.Fatal("the listener survived Close")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	var n int
	for range 200 {
		if n = runtime.NumGoroutine(); n <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	if strings.Contains(stacks, "sandbox.(*") {
		t.Fatalf("%d goroutines before Start, %d after Close:\n%s", before, n, stacks)
	}
}

func TestStartContextCancelCloses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	for range 500 {
		resp, err := http.Get(s.URL() + "/user/profile")
		if err != nil {
			return
		}
		resp.Body.Close()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the server outlived its context")
}

func TestStartRejectsBadOptions(t *testing.T) {
	for _, o := range []Options{
		{TickInterval: time.Microsecond},
		{Faults: Faults{ErrorRate: 2}},
		{Faults: Faults{Stall: -time.Second}},
		{LoadInstruments: -1},
		{Addr: "not an address"},
	} {
		if s, err := Start(context.Background(), o); err == nil {
			s.Close()
			t.Errorf("Start(%+v) succeeded", o)
		}
	}
}
