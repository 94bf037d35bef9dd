package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/kitehome"
	"github.com/kitecli/kite/internal/mcpserver"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"
)

// mcpAuditFile is the audit log of kite mcp's writes, under KITE_HOME's
// config directory.
const mcpAuditFile = "mcp-audit.jsonl"

// MCPOptions are the options of kite mcp.
type MCPOptions struct {
	AllowOrders bool
	MaxOrders   int
	CallTimeout time.Duration
	Safety      writeSafety // MaxValue only
}

// newMCPCmd builds kite mcp; runF, when not nil, replaces the run
// function (the seam unit tests use).
func newMCPCmd(f *Factory, runF func(*MCPOptions) error) *cobra.Command {
	opts := &MCPOptions{}
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve Kite to AI agents over the Model Context Protocol (stdio)",
		Long: `Serve the Model Context Protocol over stdin and stdout, for AI agents and
their clients (Claude Desktop, Claude Code, Cursor, VS Code…), on kite's own
session: the session cache of --profile (log in first with kite login), or
the in-process sandbox with --sandbox. stdout carries the protocol only; logs
go to stderr.

Tools: profile, margins, holdings, positions, orders, order_history,
trades, quote (any number of symbols, batched and paced at Kite's limits),
history (chunked; at most max_rows candles with a summary of the whole
range), instruments_search, option_chain, gtts, alerts and order_margins
(Kite's margin and charge calculators for an order). Each has input and
output JSON schemas; prices are rupees as Kite sent them, times RFC 3339
in IST.

Read-only by default. With --allow-orders the server adds place_order,
modify_order, cancel_order, gtt_create, gtt_delete, alert_create (simple
alerts) and alert_delete, which only preview: each validates the write as kite orders and kite gtt do (lot and
tick size, market protection -1 on MARKET and SL-M, a tag, Kite's GTT
rules), values it against --max-value (KITE_MAX_ORDER_VALUE, default
₹5,00,000), gives a place's margin and charges from Kite's calculators,
and returns a confirmation id; confirm_order with that id sends
it, once. An id cannot be used twice and expires after 5 minutes. At most
--max-orders writes are sent per session. Every preview and write is logged
to stderr and appended to the audit file mcp-audit.jsonl in kite's config
directory (KITE_HOME). A write that fails after being sent is reconciled by
its tag, as kite orders place does; if that cannot settle it, the tool error
says the outcome is unknown and gives the tag.

Every tool call has a deadline (--call-timeout; a confirm_order gets the
reconcile window, KITE_RECONCILE_WINDOW, on top). A failure is a tool
error carrying Kite's message and the next step, such as "session expired
or invalid: … run kite login", never a crash of the server.`,
		Example: `  # Claude Code: add the server (read-only) for the default profile
  claude mcp add kite -- kite mcp

  # try it against the sandbox (paper trading), orders allowed
  kite --sandbox mcp --allow-orders
  claude mcp add kite-sandbox -- kite --sandbox mcp --allow-orders

  # any client with an mcpServers map (Claude Desktop, Cursor):
  #   {"mcpServers": {"kite": {"command": "kite", "args": ["mcp"]}}}

  # a second account, orders up to ₹50,000 and 3 per session
  kite --profile family mcp --allow-orders --max-value 50000 --max-orders 3`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.Safety.resolveMaxValue(cmd.Flags(), f.Getenv); err != nil {
				return err
			}
			if opts.MaxOrders < 0 {
				return exitcode.Usagef("--max-orders must be 0 (no cap) or positive, got %d", opts.MaxOrders)
			}
			if opts.CallTimeout <= 0 {
				return exitcode.Usagef("--call-timeout must be positive, such as 30s")
			}
			if runF != nil {
				return runF(opts)
			}
			return runMCP(cmd.Context(), f, opts, &mcp.StdioTransport{})
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.AllowOrders, "allow-orders", false, "offer order tools (place, modify, cancel, each previewed and confirmed); without it the server is read-only")
	fl.Float64Var(&opts.Safety.MaxValue, "max-value", 0, fmt.Sprintf("refuse orders worth more than this many rupees, 0 for no cap (env KITE_MAX_ORDER_VALUE; default %d)", defaultMaxOrderValue))
	fl.IntVar(&opts.MaxOrders, "max-orders", 10, "writes (place, modify, cancel) one session may send; 0 for no cap")
	fl.DurationVar(&opts.CallTimeout, "call-timeout", 30*time.Second, "deadline of every tool call")
	return cmd
}

// newMCPServer builds the server on the Factory's session; close releases
// the audit file.
func newMCPServer(f *Factory, opts *MCPOptions) (srv *mcpserver.Server, closeFn func(), err error) {
	window, err := reconcileWindow(f.Getenv)
	if err != nil {
		return nil, nil, err
	}
	var audit io.Writer = io.Discard
	closeFn = func() {}
	if opts.AllowOrders {
		file, err := openMCPAudit(f)
		if err != nil {
			return nil, nil, err
		}
		audit, closeFn = file, func() { file.Close() }
	}
	b := &mcpBackend{f: f, window: window, now: time.Now}
	log := slog.New(slog.NewTextHandler(f.IO.ErrOut, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv = mcpserver.New(b, mcpserver.Options{
		Version:       version,
		AllowOrders:   opts.AllowOrders,
		MaxOrderValue: opts.Safety.MaxValue,
		MaxOrders:     opts.MaxOrders,
		CallTimeout:   opts.CallTimeout,
		WriteTimeout:  opts.CallTimeout + window,
		Log:           log,
		Audit:         audit,
	})
	return srv, closeFn, nil
}

func runMCP(ctx context.Context, f *Factory, opts *MCPOptions, t mcp.Transport) error {
	srv, closeFn, err := newMCPServer(f, opts)
	if err != nil {
		return err
	}
	defer closeFn()
	mode := "read-only"
	if opts.AllowOrders {
		mode = fmt.Sprintf("orders allowed (max value %s, max %d writes)", rupees(opts.Safety.MaxValue), opts.MaxOrders)
	}
	fmt.Fprintf(f.IO.ErrOut, "kite mcp: serving on stdio, profile %q, %s\n", f.Global.Profile, mode)
	err = srv.Run(ctx, t)
	if ctx.Err() != nil {
		return ctx.Err() // a signal: the exit code says which
	}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, mcp.ErrConnectionClosed) {
		return fmt.Errorf("mcp session ended: %w", err)
	}
	return nil
}

// openMCPAudit opens the audit file for appending, private to the user,
// never following a symbolic link.
func openMCPAudit(f *Factory) (*os.File, error) {
	dirs, err := kitehome.Resolve(f.Getenv)
	if err != nil {
		return nil, err
	}
	if err := kitehome.MkdirPrivate(dirs.Config); err != nil {
		return nil, fmt.Errorf("creating %s for the mcp audit file: %w", dirs.Config, err)
	}
	path := filepath.Join(dirs.Config, mcpAuditFile)
	file, err := kitehome.OpenRegular(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the mcp audit file: %w", err)
	}
	if err := kitehome.CheckPrivate(path); err != nil {
		file.Close()
		return nil, fmt.Errorf("%w: fix it with chmod 600 %s", err, path)
	}
	return file, nil
}
