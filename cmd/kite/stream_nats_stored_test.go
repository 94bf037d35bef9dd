package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// storedMessages is how many messages JetStream stream name holds on
// subjects matching filter (e.g. "kite.ticks.>").
//
// A consumer test cannot wait for as many ticks as the publisher printed
// with --tee: the Nats-Msg-Id of a tick is a hash of its packet (see
// pkg/natsfeed), so an unchanged packet sent again within the duplicate
// window is stored once, by design. On a loaded machine the sandbox's
// market can give two identical packets 5 ms apart, and a consumer told to
// wait for one message more than the stream holds would wait for ever.
func storedMessages(t *testing.T, url, name, filter string) int {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatalf("connecting to %s: %v", url, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatalf("jetstream: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, name)
	if err != nil {
		t.Fatalf("stream %s: %v", name, err)
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(filter))
	if err != nil {
		t.Fatalf("stream %s info: %v", name, err)
	}
	n := 0
	for _, c := range info.State.Subjects {
		n += int(c)
	}
	return n
}

// firstOccurrences is out's lines with every repeat of an earlier line
// removed: what the stream stores of a --tee output, since an identical
// line is an identical packet and so the same Nats-Msg-Id.
func firstOccurrences(out string) string {
	seen := map[string]bool{}
	var b strings.Builder
	for _, l := range lines(out) {
		if !seen[l] {
			seen[l] = true
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// TestFirstOccurrences pins the helper the NATS tests lean on.
func TestFirstOccurrences(t *testing.T) {
	if got, want := firstOccurrences("a\nb\na\nc\nb\n"), "a\nb\nc\n"; got != want {
		t.Fatalf("firstOccurrences = %q, want %q", got, want)
	}
	if got := firstOccurrences(""); got != "" {
		t.Fatalf("firstOccurrences of nothing = %q", got)
	}
}
