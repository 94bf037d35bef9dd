package main

import (
	"context"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

// InstrumentsSearchOptions are the options of kite instruments search.
type InstrumentsSearchOptions struct {
	cmdDeps

	Query    string
	Exchange string
	Type     string
	Expiry   string
	Limit    int
	Retry    retryFlags
}

func newInstrumentsSearchCmd(f *Factory, runF func(*InstrumentsSearchOptions) error) *cobra.Command {
	opts := &InstrumentsSearchOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "search QUERY",
		Short: "Find instruments by trading symbol or name",
		Long: `Find instruments whose trading symbol or name contains QUERY (any case). Exact
symbol matches come first, then symbols starting with QUERY, then the rest;
nearer expiries first. Use the EXCHANGE:TRADINGSYMBOL of a result with quote,
history, stream or orders. When nothing matches, stdout stays empty and the exit
status is 2, as for an unknown symbol in every other command.`,
		Example: `  kite instruments search infy
  kite instruments search bse:reliance
  kite instruments search NIFTY --exchange NFO --type CE --limit 20
  kite instruments search reliance -o json --jq '.[0] | "\(.exchange):\(.tradingsymbol)"'`,
		Args: exactArgs(1, "a QUERY, e.g. kite instruments search INFY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Query = args[0]
			if exch, sym, ok := strings.Cut(opts.Query, ":"); ok && opts.Exchange == "" && exchangeName.MatchString(exch) {
				opts.Exchange, opts.Query = exch, sym // "NSE:INFY" searches NSE for INFY
			}
			if strings.TrimSpace(opts.Query) == "" {
				return exitcode.Usagef("the search QUERY is empty: give part of a symbol or name, e.g. INFY")
			}
			if opts.Exchange != "" && !exchangeName.MatchString(opts.Exchange) {
				return exitcode.Usagef("invalid --exchange %q: use an exchange such as NSE, BSE, NFO, BFO, CDS, BCD or MCX", opts.Exchange)
			}
			if opts.Expiry != "" {
				if !expiryPrefix.MatchString(opts.Expiry) {
					return exitcode.Usagef("invalid --expiry %q: use a date (2026-11-26) or a month (2026-11)", opts.Expiry)
				}
				layout := "2006-01-02"
				if len(opts.Expiry) == 7 {
					layout = "2006-01"
				}
				if _, err := time.Parse(layout, opts.Expiry); err != nil {
					return exitcode.Usagef("invalid --expiry %q: use a date (2026-11-26) or a month (2026-11)", opts.Expiry)
				}
			}
			switch strings.ToUpper(opts.Type) {
			case "", "EQ", "FUT", "CE", "PE":
			default:
				return exitcode.Usagef("unknown --type %q: use EQ, FUT, CE or PE (indices are EQ in segment INDICES)", opts.Type)
			}
			if opts.Limit < 0 {
				return exitcode.Usagef("--limit must be 0 (no limit) or more, got %d", opts.Limit)
			}
			if err := opts.Retry.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runInstrumentsSearch(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Exchange, "exchange", "", "only this exchange (NSE, BSE, NFO, …)")
	cmd.Flags().StringVar(&opts.Type, "type", "", "only this instrument type: EQ, FUT, CE or PE (indices are EQ)")
	cmd.Flags().StringVar(&opts.Expiry, "expiry", "", "only this expiry date (2026-11-26) or month (2026-11)")
	cmd.Flags().IntVar(&opts.Limit, "limit", 50, "at most this many results (0 = all)")
	opts.Retry.register(cmd)
	return cmd
}

func runInstrumentsSearch(ctx context.Context, opts *InstrumentsSearchOptions) error {
	if _, err := opts.Retry.client(ctx, opts.Client); err != nil {
		return err
	}
	insts, err := opts.Instruments(ctx, strings.ToUpper(opts.Exchange))
	if err != nil {
		return err
	}
	hits := kite.NewResolver(insts).Search(opts.Query, kite.SearchOptions{
		Exchange: opts.Exchange, Type: opts.Type, Expiry: opts.Expiry, Limit: opts.Limit,
	})
	if len(hits) == 0 {
		// Nothing found is the unknown-symbol case of every other command
		// (exit 2), and stdout stays empty rather than holding a [].
		return noMatch(opts)
	}
	return opts.Printer().Print(hits, opts.instrumentColumns()...)
}

// noMatch says that the search found nothing, and what to try next.
func noMatch(opts *InstrumentsSearchOptions) error {
	var filters []string
	for _, fl := range []struct{ name, v string }{{"--exchange", opts.Exchange}, {"--type", opts.Type}, {"--expiry", opts.Expiry}} {
		if fl.v != "" {
			filters = append(filters, fl.name+" "+fl.v)
		}
	}
	next := "try a shorter query (a prefix of the trading symbol or of the company name)"
	if len(filters) > 0 {
		next = "try without " + strings.Join(filters, ", ") + " or a shorter query"
	}
	return exitcode.Invalidf("no instrument matches %q: %s", opts.Query, next)
}
