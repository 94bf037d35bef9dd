package kite_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/sandboxtest"
)

// One /quote/ltp round trip over loopback through the whole client
// (limiter off, sandbox limits off): what connection reuse saves.
func benchmarkLTP(b *testing.B, keepAlive bool) {
	srv := sandboxtest.NewServer(b, sandbox.Options{RateLimits: sandbox.NoRateLimits()})
	tr := kite.NewTransport()
	tr.DisableKeepAlives = !keepAlive
	c := &kite.Client{
		BaseURL:     srv.URL(),
		Credentials: kite.Credentials{Kind: kite.Connect, APIKey: sandbox.APIKey, AccessToken: srv.AccessToken()},
		HTTPClient:  &http.Client{Transport: tr},
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Quote(ctx, kite.QuoteLTP, []string{"NSE:INFY"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClientLTPKeepAlive(b *testing.B)   { benchmarkLTP(b, true) }
func BenchmarkClientLTPNewConnEach(b *testing.B) { benchmarkLTP(b, false) }
