// Package mcpserver is kite's Model Context Protocol server: Kite's account
// and market data as tools an AI agent can call, read-only unless orders
// are allowed, and then every write is previewed, capped, confirmed by a
// second call, logged and audited.
//
// The package knows the Kite client and kite's safety rules, not the CLI:
// what needs the CLI's plumbing (the instrument cache, quote batching, the
// order flow with its reconciliation) comes in through Backend.
package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Backend is what the tools need from the CLI. Every method takes the
// tool call's context, which carries its deadline.
type Backend interface {
	// Client is the REST client of the session (kite's session cache,
	// --profile or --sandbox).
	Client(ctx context.Context) (*kite.Client, error)
	// Quote fetches quotes in batches of Kite's limits, paced: one record
	// per symbol asked, unknown symbols apart.
	Quote(ctx context.Context, mode kite.QuoteMode, symbols []string) (records []json.RawMessage, unknown []string, err error)
	// History fetches candles in chunks of Kite's per-request ranges.
	History(ctx context.Context, q HistoryInput) (symbol string, candles []kite.Candle, err error)
	// Search searches the instrument dump.
	Search(ctx context.Context, q SearchInput) ([]kite.Instrument, error)
	// Chain is the option chain.
	Chain(ctx context.Context, q ChainInput) (ChainOutput, error)
	// OrderMargins asks Kite's margin and charge calculators about an
	// order, sending nothing.
	OrderMargins(ctx context.Context, in PlaceInput) (kite.OrderMargin, error)
	// PreviewPlace, PreviewModify and PreviewCancel validate a write and
	// resolve what it would do, sending nothing; the Send they return sends
	// it exactly once. maxValue is the cap in rupees (0 = none).
	PreviewPlace(ctx context.Context, in PlaceInput, maxValue float64) (Preview, Send, error)
	PreviewModify(ctx context.Context, in ModifyInput, maxValue float64) (Preview, Send, error)
	PreviewCancel(ctx context.Context, in CancelInput) (Preview, Send, error)
	PreviewGTTCreate(ctx context.Context, in GTTCreateInput, maxValue float64) (Preview, Send, error)
	PreviewGTTDelete(ctx context.Context, in GTTDeleteInput) (Preview, Send, error)
	PreviewAlertCreate(ctx context.Context, in AlertCreateInput) (Preview, Send, error)
	PreviewAlertDelete(ctx context.Context, in AlertDeleteInput) (Preview, Send, error)
	// Explain turns an error into the CLI's message for it (a dead cached
	// session is forgotten, and the message says to log in again).
	Explain(err error) error
}

// Send sends a previewed write. It is called at most once.
type Send func(ctx context.Context) (SendResult, error)

// SendResult is what a write left: orders, a GTT or an alert.
type SendResult struct {
	Orders []OrderResult
	GTT    *kite.GTT
	Alert  *kite.Alert
}

// Options configure the server.
type Options struct {
	Version string
	// AllowOrders offers the write tools; without it they do not exist.
	AllowOrders bool
	// MaxOrderValue refuses writes worth more (rupees; 0 = no cap).
	MaxOrderValue float64
	// MaxOrders caps the writes sent in this session (place, modify and
	// cancel each count once sent, whatever the outcome).
	MaxOrders int
	// CallTimeout is every tool call's deadline; writes get WriteTimeout.
	CallTimeout  time.Duration
	WriteTimeout time.Duration
	// ConfirmTTL is how long a preview's confirmation id stays valid.
	ConfirmTTL time.Duration
	// Log gets a line per write (stderr: stdout is the protocol).
	Log *slog.Logger
	// Audit gets a JSON line per preview and per write sent (a file under
	// KITE_HOME opened by the caller).
	Audit io.Writer
	// Now is the clock; nil = time.Now.
	Now func() time.Time
}

// Server is one MCP server over one Backend.
type Server struct {
	mcp     *mcp.Server
	backend Backend
	opts    Options
	writes  *writeGuard
}

// New builds the server and its tools.
func New(b Backend, opts Options) *Server {
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 30 * time.Second
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = opts.CallTimeout
	}
	if opts.ConfirmTTL <= 0 {
		opts.ConfirmTTL = 5 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Audit == nil {
		opts.Audit = io.Discard
	}
	instructions := "Kite (Zerodha) account and market data. Prices and values are in rupees, " +
		"exactly as Kite sends them; quantities in units (shares, or contracts × lot size); " +
		"times are RFC 3339 in IST (+05:30). Instruments are EXCHANGE:TRADINGSYMBOL, e.g. NSE:INFY; " +
		"find one with instruments_search. Read-only"
	if opts.AllowOrders {
		instructions = "Kite (Zerodha) account, market data and orders. Prices and values are in rupees, " +
			"exactly as Kite sends them; quantities in units; times are RFC 3339 in IST (+05:30). " +
			"Order tools only preview: each returns a confirmation_id; show the preview to the user and " +
			"call confirm_order with that id to send it (once)"
	}
	s := &Server{
		mcp: mcp.NewServer(&mcp.Implementation{Name: "kite", Title: "Kite (Zerodha)", Version: opts.Version},
			&mcp.ServerOptions{Instructions: instructions}),
		backend: b,
		opts:    opts,
		writes:  newWriteGuard(opts),
	}
	s.addReadTools()
	if opts.AllowOrders {
		s.addWriteTools()
	}
	return s
}

// MCP is the SDK server, to run over a transport.
func (s *Server) MCP() *mcp.Server { return s.mcp }

// Run serves one session over t until the client leaves or ctx ends.
func (s *Server) Run(ctx context.Context, t mcp.Transport) error {
	return s.mcp.Run(ctx, t)
}

// addTool registers a typed tool whose every call has a deadline, whose
// failures are tool errors with the next step (never a protocol error or
// a crash), and whose output schema is inferred from Out with Kite's
// types described as they marshal.
func addTool[In, Out any](s *Server, t *mcp.Tool, timeout time.Duration, h func(ctx context.Context, in In) (Out, error)) {
	t.OutputSchema = mustSchema[Out]()
	t.InputSchema = mustSchema[In]()
	mcp.AddTool(s.mcp, t, func(ctx context.Context, _ *mcp.CallToolRequest, in In) (res *mcp.CallToolResult, out Out, err error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		defer func() {
			if r := recover(); r != nil {
				var zero Out
				out, err = zero, fmt.Errorf("internal error in %s (%v): please report it at https://github.com/kitecli/kite/issues", t.Name, r)
			}
		}()
		out, err = h(ctx, in)
		if err != nil {
			var zero Out
			return nil, zero, s.explain(ctx, err, timeout)
		}
		return nil, out, nil
	})
}
