package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// mcpProcess runs the built binary as an MCP client would (`kite --sandbox
// mcp ARGS`, speaking over its stdin and stdout) and connects the SDK's
// client to it through the SDK's CommandTransport.
func mcpProcess(t *testing.T, args ...string) (*mcp.ClientSession, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(kiteBin, append([]string{"--sandbox", "mcp"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "KITE_HOME=" + t.TempDir()}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "kite-e2e", Version: "1"}, nil).
		Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connecting to kite --sandbox mcp: %v\nstderr:\n%s", err, stderr)
	}
	t.Cleanup(func() {
		// Closing stdin ends the session; kite exits 0 on its own.
		if err := cs.Close(); err != nil {
			t.Errorf("closing the session: %v\nstderr:\n%s", err, stderr)
		}
		if cmd.ProcessState == nil || !cmd.ProcessState.Success() {
			t.Errorf("kite mcp did not exit 0 after the client left: %v\nstderr:\n%s", cmd.ProcessState, stderr)
		}
	})
	return cs, stderr
}

func TestE2EMCPStdioReadOnly(t *testing.T) {
	cs, stderr := mcpProcess(t)
	if got := listToolNames(t, cs); !slices.Equal(got, mcpReadTools) {
		t.Fatalf("tools of kite --sandbox mcp = %v, want the read tools %v", got, mcpReadTools)
	}
	prof := callOK[struct {
		UserID string `json:"user_id"`
	}](t, cs, "profile", nil)
	if prof.UserID == "" {
		t.Error("profile over stdio has no user_id")
	}
	q := callOK[struct {
		Quotes []struct {
			Symbol string `json:"symbol"`
		} `json:"quotes"`
	}](t, cs, "quote", map[string]any{"symbols": []string{"NSE:INFY", "NSE:SBIN"}, "mode": "ohlc"})
	if len(q.Quotes) != 2 || q.Quotes[1].Symbol != "NSE:SBIN" {
		t.Errorf("quote over stdio = %+v, want INFY and SBIN", q.Quotes)
	}
	if !strings.Contains(stderr.String(), "read-only") {
		t.Errorf("stderr does not say the server is read-only:\n%s", stderr)
	}
}

func TestE2EMCPStdioWriteNeedsConfirmation(t *testing.T) {
	cs, stderr := mcpProcess(t, "--allow-orders", "--max-orders", "5")
	names := listToolNames(t, cs)
	for _, w := range mcpWriteTools {
		if !slices.Contains(names, w) {
			t.Fatalf("tools with --allow-orders = %v, missing %s", names, w)
		}
	}
	pv := callOK[mcpPreview](t, cs, "place_order", map[string]any{"symbol": "NSE:SBIN", "side": "BUY", "quantity": 1, "order_type": "MARKET", "product": "MIS"})
	var order struct {
		MarketProtection float64 `json:"market_protection"`
		Tag              string  `json:"tag"`
	}
	if err := json.Unmarshal(pv.Order, &order); err != nil {
		t.Fatal(err)
	}
	// Kite's 2026 rule: MARKET goes with automatic market protection.
	if order.MarketProtection != -1 || order.Tag == "" || pv.Value <= 0 {
		t.Fatalf("MARKET preview = %s value %v, want market_protection -1, a tag and a value at the last price", pv.Order, pv.Value)
	}
	if book := callOK[mcpOrders](t, cs, "orders", nil); book.Count != 0 {
		t.Fatalf("a preview sent an order: the book has %d", book.Count)
	}
	done := callOK[mcpConfirm](t, cs, "confirm_order", map[string]any{"confirmation_id": pv.ConfirmationID})
	if len(done.Orders) != 1 || done.Orders[0].Tag != order.Tag || done.Orders[0].Status != "COMPLETE" {
		t.Fatalf("confirmed MARKET order = %+v, want one COMPLETE order tagged %s", done, order.Tag)
	}
	callErr(t, cs, "confirm_order", map[string]any{"confirmation_id": pv.ConfirmationID}, "not a pending preview")
	if book := callOK[mcpOrders](t, cs, "orders", nil); book.Count != 1 {
		t.Fatalf("the book has %d orders after one confirmation and one reuse, want 1", book.Count)
	}
	if !strings.Contains(stderr.String(), "mcp: write sent") {
		t.Errorf("stderr does not log the write:\n%s", stderr)
	}
}
