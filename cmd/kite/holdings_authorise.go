package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

type holdingsAuthoriseOptions struct {
	cmdDeps
	Holdings     []string // SYMBOL or ISIN, optionally =QTY
	Type         string
	TransferType string
	ExecDate     string
	Safety       writeSafety
	// Browser opens the TPIN page; false when none could be opened.
	Browser func(url string) bool
}

// newHoldingsAuthoriseCmd builds kite holdings authorise; runF, when not
// nil, runs instead of runHoldingsAuthorise with the options as parsed and
// checked (tests use it).
func newHoldingsAuthoriseCmd(f *Factory, runF func(*holdingsAuthoriseOptions) error) *cobra.Command {
	opts := &holdingsAuthoriseOptions{cmdDeps: f.deps()}
	opts.Browser = func(url string) bool { return openBrowser(opts.cmdDeps, url) }
	cmd := &cobra.Command{
		Use:   "authorise [SYMBOL[=QTY]|ISIN[=QTY]]...",
		Short: "Authorise holdings for sale with CDSL (TPIN/eDIS)",
		Long: `Start a CDSL authorisation, which selling holdings needs when the demat
account has no POA: Kite answers a request ID and the page where the TPIN is
entered. On a terminal kite offers to open the page in a browser (the
confirmation asks; with --yes it asks on its own); otherwise it prints the
URL.

Name the holdings by trading symbol or ISIN, each with =QTY for part of it
(default: all of it); with none, the page offers every holding. --type mf
authorises mutual fund units; --transfer-type is pre (the default: before
selling), post, off or gift (off and gift need --exec-date).

It is a write: --dry-run shows the request and sends nothing; on a terminal
it is confirmed; without one it needs --yes.`,
		Example: `  kite holdings authorise INFY=5 --dry-run
  kite holdings authorise INFY ITC --yes
  kite holdings authorise --yes --jq .url`,
		Aliases: []string{"authorize"},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Holdings = args
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runHoldingsAuthorise(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Type, "type", "equity", "what to authorise: equity or mf")
	fl.StringVar(&opts.TransferType, "transfer-type", "pre", "pre, post, off or gift")
	fl.StringVar(&opts.ExecDate, "exec-date", "", "execution date YYYY-MM-DD (off and gift transfers)")
	opts.Safety.addFlags(fl, false)
	return cmd
}

// authoriseResult is what the command prints.
type authoriseResult struct {
	RequestID string               `json:"request_id,omitempty"`
	URL       string               `json:"url,omitempty"`
	Type      string               `json:"type"`
	Transfer  string               `json:"transfer_type"`
	Holdings  []kite.AuthoriseISIN `json:"holdings"`
	DryRun    bool                 `json:"dry_run,omitempty"`
}

// check checks the flags: the command runs it before runF, the run again.
func (o *holdingsAuthoriseOptions) check() error {
	switch o.Type {
	case "equity", "mf":
	default:
		return exitcode.Usagef("--type %q: use equity or mf", o.Type)
	}
	switch o.TransferType {
	case "pre", "post":
	case "off", "gift":
		if o.ExecDate == "" {
			return exitcode.Usagef("a %s transfer needs --exec-date YYYY-MM-DD", o.TransferType)
		}
	default:
		return exitcode.Usagef("--transfer-type %q: use pre, post, off or gift", o.TransferType)
	}
	return nil
}

func runHoldingsAuthorise(ctx context.Context, opts *holdingsAuthoriseOptions) error {
	if err := opts.check(); err != nil {
		return err
	}
	if err := opts.Safety.checkCanWrite(opts.IO, "authorise holdings"); err != nil {
		return err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	p := kite.AuthoriseParams{Type: opts.Type, TransferType: opts.TransferType, ExecDate: opts.ExecDate}
	if len(opts.Holdings) > 0 {
		hs, err := c.Holdings(ctx)
		if err != nil {
			return err
		}
		for _, arg := range opts.Holdings {
			isin, err := resolveAuthorisation(hs, arg)
			if err != nil {
				return err
			}
			p.ISINs = append(p.ISINs, isin)
		}
	}
	res := authoriseResult{Type: p.Type, Transfer: p.TransferType, Holdings: p.ISINs}
	if res.Holdings == nil {
		res.Holdings = []kite.AuthoriseISIN{}
	}
	if opts.Safety.DryRun {
		res.DryRun = true
		return opts.Printer().Print(res)
	}
	what := "every holding (chosen on the page)"
	if len(p.ISINs) > 0 {
		var parts []string
		for _, i := range p.ISINs {
			parts = append(parts, fmt.Sprintf("%s × %d", i.ISIN, i.Quantity))
		}
		what = strings.Join(parts, ", ")
	}
	// On a terminal one question covers both the request and opening its
	// page (a second prompt could not see answers typed ahead with the
	// first); with --yes on a terminal, opening is asked on its own.
	if err := opts.Safety.confirm(ctx, opts.IO, fmt.Sprintf("CDSL %s authorisation (%s) of %s", p.Type, p.TransferType, what),
		"Request it, and open the page to enter the TPIN?"); err != nil {
		return err
	}
	id, err := c.AuthoriseHoldings(ctx, p)
	if err != nil {
		return err
	}
	// The client carries the session's credentials: its API key names the app.
	res.RequestID, res.URL = id, kite.AuthorisationURL(opts.Global.BaseURL, c.Credentials.APIKey, id)
	if err := opts.Printer().Print(res); err != nil {
		return err
	}
	if !interactive(opts.IO) {
		return nil
	}
	open := !opts.Safety.Yes // confirmed above
	if opts.Safety.Yes {
		line, err := opts.IO.Prompt(ctx, fmt.Sprintf("Open %s to enter the TPIN? [Y/n] ", res.URL))
		if err != nil {
			return err
		}
		a := strings.ToLower(strings.TrimSpace(line))
		open = a == "" || a == "y" || a == "yes"
	}
	if open {
		if opts.Browser(res.URL) {
			fmt.Fprintln(opts.IO.ErrOut, "(opened in your browser)")
		} else {
			fmt.Fprintln(opts.IO.ErrOut, "kite: could not open a browser here: open the URL above to enter the TPIN")
		}
	}
	return nil
}

// resolveAuthorisation turns SYMBOL[=QTY] or ISIN[=QTY] into the holding's
// ISIN and a quantity (default: all of it).
func resolveAuthorisation(hs []kite.Holding, arg string) (kite.AuthoriseISIN, error) {
	name, qtyS, hasQty := strings.Cut(strings.ToUpper(strings.TrimSpace(arg)), "=")
	if _, sym, ok := strings.Cut(name, ":"); ok {
		name = sym // NSE:INFY means INFY
	}
	for _, h := range hs {
		if h.Tradingsymbol != name && h.ISIN != name {
			continue
		}
		qty := h.Quantity
		if hasQty {
			n, err := strconv.Atoi(qtyS)
			if err != nil || n <= 0 {
				return kite.AuthoriseISIN{}, exitcode.Usagef("%s: %q is not a quantity: write %s=5, say", arg, qtyS, name)
			}
			if n > h.Quantity {
				return kite.AuthoriseISIN{}, exitcode.Usagef("%s: only %d %s are held", arg, h.Quantity, h.Tradingsymbol)
			}
			qty = n
		}
		if qty <= 0 {
			return kite.AuthoriseISIN{}, exitcode.Usagef("%s: none of it is settled yet (T1 holdings need no authorisation)", arg)
		}
		return kite.AuthoriseISIN{ISIN: h.ISIN, Quantity: qty}, nil
	}
	return kite.AuthoriseISIN{}, exitcode.Usagef("%s is not in the holdings: see kite holdings", name)
}
