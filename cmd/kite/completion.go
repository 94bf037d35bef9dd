package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/complete"
	"github.com/kitecli/kite/internal/kitehome"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Shell completion is registered here, once the whole tree is built, by
// flag name and by the arguments each command's Use line names: the values
// a flag takes are the same in every command, so no command file needs to
// know about completion.

// flagValues are the values of the flags that take a word from a list.
func flagValues() map[string][]string {
	intervals := append(kite.Intervals(), kite.IntervalAliases()...)
	return map[string][]string{
		"output":    {"table", "json", "ndjson", "csv"},
		"color":     {"never", "auto", "always"},
		"log-level": {"debug", "info", "warn", "error"},
		"interval":  intervals,
		"mode":      {"ltp", "quote", "full"},
		"type":      kite.OrderTypes(),
		"product":   kite.Products(),
		"exchange":  kite.OrderExchanges(),
		"variety":   kite.Varieties(),
		"validity":  kite.Validities(),
		"side":      {"BUY", "SELL"},
		"operator":  kite.AlertOperators(),
		"sort":      watchSorts,
		"profile":   nil, // names are the user's; never files
	}
}

// commandFlagValues override flagValues where one command's flag means
// something else ("kite quote --mode" has no "quote" mode).
func commandFlagValues() map[string][]string {
	return map[string][]string{
		"kite quote mode":                {"full", "ohlc", "ltp"},
		"kite instruments search type":   {"EQ", "FUT", "CE", "PE"},
		"kite holdings authorise type":   {"equity", "mf"},
		"kite gtt create type":           {kite.OrderTypeLimit},
		"kite gtt modify type":           {kite.OrderTypeLimit},
		"kite ticks convert to":          {"parquet"},
		"kite positions convert to":      kite.Products(),
		"kite positions convert from":    kite.Products(),
		"kite chain price":               {"last", "mid"},
		"kite chain expiry":              {"next", "monthly"},
		"kite alerts status":             {"enabled", "disabled", "deleted"},
		"kite margins basket exchange":   kite.OrderExchanges(),
		"kite instruments exchange":      kite.OrderExchanges(),
		"kite instruments search expiry": nil,
	}
}

// argKinds reads what a command's first argument is from its Use line.
var (
	symbolArg  = regexp.MustCompile(`^\[?(EXCHANGE:TRADINGSYMBOL|SYMBOL|UNDERLYING)(\]|\||…|\.\.\.|$)`)
	orderIDArg = regexp.MustCompile(`^\[?ORDER_ID(\]|$)`)
)

// registerCompletions walks the tree and registers every completion.
func registerCompletions(f *Factory, root *cobra.Command) {
	values, overrides := flagValues(), commandFlagValues()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(fl *pflag.Flag) {
			if _, done := c.GetFlagCompletionFunc(fl.Name); done {
				return
			}
			words, ok := overrides[c.CommandPath()+" "+fl.Name]
			if !ok {
				words, ok = values[fl.Name]
			}
			switch {
			case fl.Name == "symbol":
				_ = c.RegisterFlagCompletionFunc(fl.Name, func(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
					return f.completeSymbols(prefix)
				})
			case ok:
				_ = c.RegisterFlagCompletionFunc(fl.Name, cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp))
			case isNumberFlag(fl):
				_ = c.RegisterFlagCompletionFunc(fl.Name, cobra.NoFileCompletions)
			}
		})
		if c.ValidArgsFunction == nil && len(c.ValidArgs) == 0 {
			c.ValidArgsFunction = f.argCompletion(c)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if m, _, err := root.Find([]string{"margins"}); err == nil && m != root {
		m.ValidArgsFunction = nil
		m.ValidArgs = []string{"equity", "commodity"}
	}
}

func isNumberFlag(fl *pflag.Flag) bool {
	switch fl.Value.Type() {
	case "int", "int64", "uint", "uint32", "uint64", "float64", "duration":
		return true
	}
	return false
}

// argCompletion completes a command's arguments by what its Use line says
// they are: symbols, order IDs, or (for anything else) cobra's default.
func (f *Factory) argCompletion(c *cobra.Command) cobra.CompletionFunc {
	_, rest, _ := strings.Cut(c.Use, " ")
	first, _, _ := strings.Cut(rest, " ")
	many := strings.Contains(first, "...") || strings.Contains(first, "…")
	switch {
	case strings.Contains(first, "="):
		return nil
	case symbolArg.MatchString(first):
		return func(cmd *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 && !many {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return f.completeSymbols(prefix)
		}
	case orderIDArg.MatchString(first):
		return func(cmd *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return f.completeOrderIDs(cmd, prefix), cobra.ShellCompDirectiveNoFileComp
		}
	case c.Args != nil && first == "" && !c.HasSubCommands():
		return cobra.NoFileCompletions
	}
	return nil
}

// completeLimit caps a completion list: a shell cannot show 90,000 NFO
// contracts usefully, and the user narrows with a few more letters.
const completeLimit = 1000

// completeSymbols completes EXCHANGE:TRADINGSYMBOL: first the exchange,
// then the symbol from the instrument cache (or the sandbox's universe
// with --sandbox). It never downloads: completion must answer at once,
// and the cache fills on the first command that resolves a symbol.
func (f *Factory) completeSymbols(prefix string) ([]string, cobra.ShellCompDirective) {
	exch, _, hasColon := strings.Cut(strings.ToUpper(prefix), ":")
	if !hasColon {
		var out []string
		for _, e := range kite.OrderExchanges() {
			if strings.HasPrefix(e, strings.ToUpper(prefix)) {
				out = append(out, e+":")
			}
		}
		return out, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
	}
	if f.Global.Sandbox {
		return sandboxSymbols(prefix), cobra.ShellCompDirectiveNoFileComp
	}
	for _, path := range f.dumpPaths(exch) {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		if out := complete.Symbols(data, prefix, completeLimit); out != nil {
			return out, cobra.ShellCompDirectiveNoFileComp
		}
	}
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// dumpPaths are the cached dumps that may hold exch's symbols: its own,
// then the full one, for the server this run would talk to.
func (f *Factory) dumpPaths(exch string) []string {
	dirs, err := kitehome.Resolve(f.Getenv)
	if err != nil {
		return nil
	}
	cache := &kite.InstrumentCache{Dir: filepath.Join(dirs.Cache, "instruments")}
	root := f.Global.BaseURL
	if root == "" {
		root = f.Getenv("KITE_BASE_URL")
	}
	// The dump is cached under the REST base a command used: Kite
	// Connect's (also for web sessions without --base-url), or the given
	// root, with /oms for a web session.
	var bases []string
	if root == "" {
		bases = []string{kite.DefaultAPIBase}
	} else {
		root = strings.TrimRight(root, "/")
		bases = []string{root, root + "/oms"}
	}
	var paths []string
	for _, b := range bases {
		paths = append(paths, cache.Path(b, exch), cache.Path(b, ""))
	}
	return paths
}

// sandboxSymbols are the --sandbox universe's symbols, as the in-process
// sandbox lists them today.
func sandboxSymbols(prefix string) []string {
	prefix = strings.ToUpper(prefix)
	var out []string
	for _, in := range market.Universe(time.Now()) {
		s := in.Exchange + ":" + in.Tradingsymbol
		if strings.HasPrefix(s, prefix) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// completeOrderIDs lists today's orders, newest first, each with what it
// is, when a session exists; without one it offers nothing, silently.
func (f *Factory) completeOrderIDs(cmd *cobra.Command, prefix string) []string {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := f.prepare(ctx, cmd); err != nil {
		return nil
	}
	client, err := f.Client(ctx)
	if err != nil {
		return nil
	}
	orders, err := client.Orders(ctx)
	if err != nil {
		return nil
	}
	var out []string
	for i := len(orders) - 1; i >= 0; i-- {
		o := orders[i]
		if !strings.HasPrefix(o.OrderID, prefix) {
			continue
		}
		out = append(out, fmt.Sprintf("%s\t%s %s %d %s:%s", o.OrderID, o.Status, o.TransactionType, o.Quantity, o.Exchange, o.Tradingsymbol))
	}
	return out
}
