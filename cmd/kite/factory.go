package main

import (
	"context"
	"log/slog"

	"github.com/kitecli/kite/internal/auth"
	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

// Factory carries what commands share: the streams, the global options, the
// logger and printer built from them, and lazily the authenticated client.
// It is built once per run; nothing here is package-level state.
type Factory struct {
	IO     *iostreams.IOStreams
	Global GlobalOptions
	Getenv func(string) string
	Logger *slog.Logger

	printer *output.Printer
	jq      *output.JQ
	// closers run when the process is done (e.g. an in-process sandbox).
	closers []func()
	// sandboxSession, set by --sandbox, is the in-memory session of the
	// in-process sandbox; it wins over every other credential source so a
	// sandbox run never reads or writes the user's real session cache.
	sandboxSession *kite.Credentials
	// restClient is built once per run by Client, so every command and the
	// resolver share one connection pool and one set of rate limiters.
	restClient *kite.Client
	// endpointsChecked: checkEndpoints ran (it warns once per run).
	endpointsChecked bool
	// cachedSession is the cached session Credentials returned, nil when
	// the session came from --sandbox or the environment.
	cachedSession *auth.Session
	// cachedToken is the token of the cached session Credentials returned
	// (empty when the session came from --sandbox or the environment); a
	// TokenException removes the cache only while it still holds this token.
	cachedToken string
}

func newFactory(io *iostreams.IOStreams, getenv func(string) string) *Factory {
	return &Factory{
		IO:     io,
		Getenv: getenv,
		Logger: slog.New(slog.NewTextHandler(io.ErrOut, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
}

// prepare runs before every command: it validates the global flags (a bad
// -o or --jq is a usage error before any network call) and fills defaults
// from the environment.
func (f *Factory) prepare(ctx context.Context, cmd *cobra.Command) error {
	g := &f.Global
	if g.Profile == "" {
		g.Profile = f.Getenv("KITE_PROFILE")
	}
	if g.Profile == "" {
		g.Profile = "default"
	}
	if g.BaseURL == "" {
		g.BaseURL = f.Getenv("KITE_BASE_URL")
	}
	if g.WSURL == "" {
		g.WSURL = f.Getenv("KITE_WS_URL")
	}
	level, err := parseLevel(g.LogLevel)
	if err != nil {
		return err
	}
	if g.Debug {
		level = slog.LevelDebug
	}
	f.Logger = slog.New(slog.NewTextHandler(f.IO.ErrOut, &slog.HandlerOptions{Level: level}))

	format, err := output.ParseFormat(g.Output, f.IO.StdoutTTY)
	if err != nil {
		return err
	}
	if g.JQ != "" {
		jq, err := output.CompileJQ(g.JQ)
		if err != nil {
			return err
		}
		f.jq = jq.Bind(ctx)
	}
	if err := f.IO.SetColorMode(g.Color); err != nil {
		return exitcode.Usagef("%v", err)
	}
	f.printer = output.New(f.IO.Out, format, f.jq)
	f.printer.SetTableStyle(output.TableStyle{
		Width:   f.IO.Width,
		Color:   f.IO.ColorEnabled(),
		Columns: g.Columns,
		Notice:  f.IO.ErrOut,
	})
	g.sandboxSeedSet = cmd.Flags().Changed("sandbox-seed")
	if g.Sandbox {
		return f.startSandbox(ctx)
	}
	return nil
}

// JQ is the compiled --jq expression, or nil. Streaming commands apply it
// per record themselves.
func (f *Factory) JQ() *output.JQ { return f.jq }

// Close releases what the run started.
func (f *Factory) Close() {
	for i := len(f.closers) - 1; i >= 0; i-- {
		f.closers[i]()
	}
	f.closers = nil
}
