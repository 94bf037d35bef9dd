package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/kitehome"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

// Resolver is the symbol↔token resolver over today's full instrument dump,
// cached on disk per REST base URL until Kite's next daily refresh. history,
// quote, stream and orders share it.
func (f *Factory) Resolver(ctx context.Context) (*kite.Resolver, error) {
	insts, err := f.instruments(ctx, "")
	if err != nil {
		return nil, err
	}
	return kite.NewResolver(insts), nil
}

// resolverFor is a resolver that knows at least symbols. When every symbol
// names its exchange (NSE:INFY), only those exchanges' dumps are loaded:
// Kite's full dump is ~100k rows, NSE's alone a tenth of that, and every
// run parses what it loads. A bare instrument token needs the full dump.
func (f *Factory) resolverFor(ctx context.Context, symbols []string) (*kite.Resolver, error) {
	var exchanges []string
	seen := map[string]bool{}
	for _, s := range symbols {
		exch, _, _ := strings.Cut(strings.TrimSpace(s), ":")
		switch exch = strings.ToUpper(exch); exch {
		case "NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX":
		default: // a token, or an exchange Kite may not serve a dump for
			return f.Resolver(ctx)
		}
		if !seen[exch] {
			seen[exch] = true
			exchanges = append(exchanges, exch)
		}
	}
	if len(exchanges) > 3 {
		return f.Resolver(ctx) // one request beats many
	}
	var all []kite.Instrument
	for _, e := range exchanges {
		insts, err := f.instruments(ctx, e)
		if err != nil {
			return nil, err
		}
		all = append(all, insts...)
	}
	return kite.NewResolver(all), nil
}

// instruments is the (cached) dump of one exchange, "" for all.
func (f *Factory) instruments(ctx context.Context, exchange string) ([]kite.Instrument, error) {
	client, err := f.Client(ctx)
	if err != nil {
		return nil, err
	}
	dirs, err := kitehome.Resolve(f.Getenv)
	if err != nil {
		return nil, err
	}
	if client.Credentials.Kind == kite.Web && f.Global.BaseURL == "" {
		// The dump is documented on the Connect API host, where it needs
		// no session; Kite web's /oms is not documented to serve it (the
		// sandbox does, and a --base-url keeps /oms). Same transport,
		// pacing and retries, no credentials sent.
		public := *client
		public.BaseURL, public.Credentials = kite.DefaultAPIBase, kite.Credentials{}
		client = &public
	}
	cache := &kite.InstrumentCache{Dir: filepath.Join(dirs.Cache, "instruments"), Logger: f.Logger}
	return cache.Load(ctx, client, exchange)
}

var (
	exchangeName = regexp.MustCompile(`^[A-Za-z]{2,8}$`)
	expiryPrefix = regexp.MustCompile(`^\d{4}-\d{2}(-\d{2})?$`)
)

// instrumentColumns are what fits on a terminal; -o csv carries all of
// Kite's columns, in Kite's order.
func (d cmdDeps) instrumentColumns() []output.Option {
	if d.Printer().Format() != output.Table {
		return nil
	}
	return []output.Option{output.Columns("instrument_token", "tradingsymbol", "name", "exchange", "segment",
		"instrument_type", "expiry", "strike", "lot_size", "tick_size")}
}

// InstrumentsOptions are the options of kite instruments.
type InstrumentsOptions struct {
	cmdDeps

	Exchange string
	Retry    retryFlags
}

func newInstrumentsCmd(f *Factory, runF func(*InstrumentsOptions) error) *cobra.Command {
	opts := &InstrumentsOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "instruments",
		Short: "List Kite's instruments (the daily dump), or search them",
		Long: `List every instrument Kite trades, from its daily instrument dump (optionally of
one exchange), through the output layer: -o csv gives Kite's own columns.

The dump is cached under the kite cache directory, per server and exchange,
until Kite regenerates it the next morning (about 08:30 IST); the symbol
resolver used by quote, history, stream and orders reads the same cache.
A cache that cannot be written (read-only or full disk) is a warning: the
dump is then downloaded on every run.`,
		Example: `  kite instruments --exchange NSE -o csv > nse.csv
  kite instruments --exchange NFO --jq '[.[] | select(.name == "NIFTY" and .instrument_type == "FUT")] | length'
  kite instruments search infy`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Exchange != "" && !exchangeName.MatchString(opts.Exchange) {
				return exitcode.Usagef("invalid --exchange %q: use an exchange such as NSE, BSE, NFO, BFO, CDS, BCD or MCX", opts.Exchange)
			}
			if err := opts.Retry.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runInstruments(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Exchange, "exchange", "", "only this exchange (NSE, BSE, NFO, BFO, CDS, BCD, MCX)")
	opts.Retry.register(cmd)
	cmd.AddCommand(newInstrumentsSearchCmd(f, nil))
	return cmd
}

func runInstruments(ctx context.Context, opts *InstrumentsOptions) error {
	if _, err := opts.Retry.client(ctx, opts.Client); err != nil {
		return err
	}
	insts, err := opts.Instruments(ctx, strings.ToUpper(opts.Exchange))
	if err != nil {
		return err
	}
	if insts == nil {
		insts = []kite.Instrument{}
	}
	return opts.Printer().Print(insts, opts.instrumentColumns()...)
}
