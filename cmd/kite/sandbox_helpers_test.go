package main

import (
	"context"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox"
)

// startTestSandbox starts a sandbox for one test and returns it with the
// environment that points the kite binary at it (for runKite's Env):
// KITE_BASE_URL, KITE_WS_URL, KITE_API_KEY and a fresh KITE_ACCESS_TOKEN.
// The sandbox is closed when the test ends.
func startTestSandbox(t *testing.T, opts sandbox.Options) (*sandbox.Server, map[string]string) {
	t.Helper()
	srv, err := sandbox.Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("starting the sandbox: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("closing the sandbox: %v", err)
		}
	})
	return srv, map[string]string{
		"KITE_BASE_URL":     srv.URL(),
		"KITE_WS_URL":       srv.WSURL(),
		"KITE_API_KEY":      sandbox.APIKey,
		"KITE_ACCESS_TOKEN": srv.AccessToken(),
	}
}
