package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

// GlobalOptions are the flags every command accepts.
type GlobalOptions struct {
	Profile  string
	Sandbox  bool
	BaseURL  string
	WSURL    string
	Output   string
	JQ       string
	Columns  []string
	Color    string
	LogLevel string
	Debug    bool
	// InsecureCleartext allows plain http:// and ws:// to hosts that are
	// not loopback (see checkEndpoints).
	InsecureCleartext bool
	// SandboxSeed seeds --sandbox's market and picks its saved paper
	// account (env KITE_SANDBOX_SEED); sandboxSeedSet: the flag was given.
	SandboxSeed    int64
	sandboxSeedSet bool
}

// run builds the command tree, executes args and returns the exit code. It
// is main without the process: tests call it with buffers.
func run(ctx context.Context, io *iostreams.IOStreams, args []string, getenv func(string) string) int {
	f := newFactory(io, getenv)
	defer f.Close()
	root := newRootCmd(f)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitcode.OK
	}
	err = f.forgetSessionOn(err) // a 403 TokenException kills the cached session
	err = explain(err)
	if output.ClosedPipe(err) {
		// stdout was closed by its reader (| head): it has all it wanted.
		return exitcode.OK
	}
	if isCobraUsageError(err) {
		err = &exitcode.UsageError{Err: err}
	}
	code := exitcode.Code(err)
	var sig *exitcode.Signaled
	if errors.As(context.Cause(ctx), &sig) && !exitcode.TellsOutcome(code) {
		// Whatever failed on the way out failed because of the signal.
		fmt.Fprintf(io.ErrOut, "kite: %s\n", sig)
		return sig.ExitCode()
	}
	if code == exitcode.Interrupted {
		fmt.Fprintln(io.ErrOut, "kite: interrupted")
		return code
	}
	fmt.Fprintf(io.ErrOut, "kite: %s\n", err)
	if code == exitcode.Usage && isUsageMistake(err) {
		cmd, _, ferr := root.Find(args)
		if ferr != nil || cmd == nil {
			cmd = root
		}
		fmt.Fprintf(io.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return code
}

// isUsageMistake reports whether err is about how kite was invoked (a flag,
// an argument, a command), which the command's --help answers; invalid
// input (exitcode.InputError) exits 2 too, without the pointer.
func isUsageMistake(err error) bool {
	var ue *exitcode.UsageError
	return errors.As(err, &ue)
}

// isCobraUsageError recognises the argument errors cobra itself returns
// (unknown commands and subcommands), which are not typed.
func isCobraUsageError(err error) bool {
	var ue *exitcode.UsageError
	if errors.As(err, &ue) {
		return false
	}
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") ||
		strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "unknown shorthand flag") ||
		strings.Contains(msg, "arg(s)")
}

func newRootCmd(f *Factory) *cobra.Command {
	g := &f.Global
	root := &cobra.Command{
		Use:   "kite",
		Short: "A fast, scriptable command line for Zerodha's Kite",
		Long: `kite logs in to Zerodha's Kite (Kite Connect or Kite web), places and manages
orders, fetches quotes and historical candles, and streams live ticks as NDJSON
or raw bytes, built to be piped into jq, awk, cron jobs and other programs.

Sessions and logins travel only over https:// and wss://, or plain http://
and ws:// to loopback (a sandbox); anything else is refused before any
request unless --insecure-send-token-in-clear is given.

Data goes to stdout, everything else to stderr. Output is a table on a
terminal and JSON in a pipe; choose with -o table|json|ndjson|csv and filter
with --jq. Tables fit the terminal (--columns picks the columns) and show
gains green and losses red (--color, NO_COLOR); JSON keeps exact numbers.
Every command also runs against a built-in local sandbox with --sandbox,
with no account needed.

Exit codes: 0 ok, 1 error, 2 usage, 3 no session (run kite login),
4 permission, 5 order rejected, 6 network, 7 rate limited, 8 order outcome
unknown (run kite orders reconcile TAG), 130 interrupted (Ctrl-C),
143 terminated (SIGTERM).`,
		Example: `  kite --sandbox quote NSE:INFY NSE:RELIANCE
  kite login --web --user-id AB1234
  kite holdings -o csv > holdings.csv
  kite holdings --columns tradingsymbol,quantity,pnl
  kite positions --jq '.net[] | select(.pnl < 0) | .tradingsymbol'
  kite stream NSE:INFY --mode full | jq -c '{s: .symbol, p: .last_price}'`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return f.prepare(cmd.Context(), cmd)
		},
	}
	// --version without cobra's -v shorthand, which reads as "verbose".
	root.Version = currentVersion().String()
	root.SetVersionTemplate("{{.Version}}\n")
	root.Flags().Bool("version", false, "Print kite's version (as kite version does)")
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetIn(f.IO.In)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return flagError(err)
	})

	pf := root.PersistentFlags()
	pf.StringVar(&g.Profile, "profile", "", "session profile to use (env KITE_PROFILE; default \"default\")")
	pf.BoolVar(&g.Sandbox, "sandbox", false, "run against a built-in local sandbox instead of Kite (its paper account carries on between commands until kite sandbox reset)")
	pf.Int64Var(&g.SandboxSeed, "sandbox-seed", 0, "seed of --sandbox's market; each seed keeps its own paper account (env KITE_SANDBOX_SEED)")
	pf.StringVar(&g.BaseURL, "base-url", "", "REST root URL (env KITE_BASE_URL; default Kite's)")
	pf.StringVar(&g.WSURL, "ws-url", "", "ticker WebSocket URL (env KITE_WS_URL; default Kite's)")
	pf.StringVarP(&g.Output, "output", "o", "", "output format: table|json|ndjson|csv (default table on a terminal, json otherwise)")
	pf.StringVar(&g.JQ, "jq", "", "filter JSON output with a jq expression")
	pf.StringSliceVar(&g.Columns, "columns", nil, "table and CSV columns to show, in order (e.g. --columns tradingsymbol,quantity,pnl)")
	pf.StringVar(&g.Color, "color", "auto", "colour tables: never|auto|always (auto: on a terminal, unless NO_COLOR is set)")
	pf.StringVar(&g.LogLevel, "log-level", "warn", "log level on stderr: debug|info|warn|error")
	pf.BoolVar(&g.Debug, "debug", false, "trace HTTP and WebSocket traffic on stderr (secrets redacted)")
	pf.BoolVar(&g.InsecureCleartext, insecureFlag, false, "allow plain http:// and ws:// --base-url/--ws-url to hosts that are not loopback, sending the token unencrypted (env "+insecureEnv+"=1)")

	// One line per top-level command, each defined in its own file.
	root.AddCommand(
		newVersionCmd(f, nil),
		newSandboxCmd(f, nil),
		newLoginCmd(f, nil), newLogoutCmd(f, nil), newWhoamiCmd(f, nil), newAuthCmd(f), newProfilesCmd(f),
		newProfileCmd(f, nil), newMarginsCmd(f, nil), newChargesCmd(f, nil), newHoldingsCmd(f, nil), newAuctionsCmd(f, nil), newMFCmd(f), newPositionsCmd(f, nil), newTradesCmd(f, nil), newOrdersCmd(f, nil), newAPICmd(f, nil),
		newGTTCmd(f, nil), newAlertsCmd(f, nil),
		newQuoteCmd(f, nil), newHistoryCmd(f, nil), newInstrumentsCmd(f, nil),
		newStreamCmd(f, nil), newWatchCmd(f, nil), newChainCmd(f, nil), newRecordCmd(f, nil), newReplayCmd(f, nil),
		newTicksCmd(f),
		newMCPCmd(f, nil),
	)
	strictHelp(root)
	bashCompletionCmd(root)
	registerCompletions(f, root)
	return root
}

// strictHelp makes `kite help nosuch` a usage error (exit 2): cobra's own
// help command prints "Unknown help topic" and exits 0, which a script
// cannot tell from success.
func strictHelp(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() != "help" {
			continue
		}
		c.Run = nil
		c.RunE = func(c *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if cmd == nil || err != nil || len(rest) > 0 {
				return exitcode.Invalidf("unknown help topic %q: run kite --help for the list of commands", strings.Join(args, " "))
			}
			return cmd.Help()
		}
	}
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, exitcode.Usagef("unknown --log-level %q: use debug, info, warn or error", s)
	}
	return l, nil
}

// Printer is the output layer every command prints its results through:
// the format of -o (or the terminal's default) and the --jq filter.
func (f *Factory) Printer() *output.Printer { return f.printer }
