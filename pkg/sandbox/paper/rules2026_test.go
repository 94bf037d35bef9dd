package paper_test

import (
	"testing"

	"github.com/kitecli/kite/pkg/sandbox/paper"
)

// TestNeedsMarketProtection: the sandbox's own copy of Kite's rule of
// April 2026 (docs/orders-2026.md): MARKET and SL-M orders need market
// protection, LIMIT and SL orders do not.
func TestNeedsMarketProtection(t *testing.T) {
	for orderType, want := range map[string]bool{"MARKET": true, "SL-M": true, "LIMIT": false, "SL": false, "": false} {
		if got := paper.NeedsMarketProtection(orderType); got != want {
			t.Errorf("NeedsMarketProtection(%q) = %v, want %v", orderType, got, want)
		}
	}
}
