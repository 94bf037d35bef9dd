package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/natsfeed"
)

// A NATS connection that went down gets the next step, and keeps the
// network exit code its command gave it.
func TestExplainNATSConnectionDown(t *testing.T) {
	err := exitcode.With(exitcode.Network, fmt.Errorf("creating a consumer on stream KITE: %w", natsfeed.ErrConnectionDown))
	got := explain(err)
	want := "creating a consumer on stream KITE: the connection to the NATS server is down: is nats-server running? start it (nats-server -js) or check the URL, then run this again"
	if got.Error() != want {
		t.Errorf("explain: %q\nwant %q", got, want)
	}
	if c := exitcode.Code(got); c != exitcode.Network || !errors.Is(got, natsfeed.ErrConnectionDown) {
		t.Errorf("exit code %d, errors.Is %v; want %d and true", c, errors.Is(got, natsfeed.ErrConnectionDown), exitcode.Network)
	}
}
