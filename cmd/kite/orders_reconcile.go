package main

import (
	"context"
	"fmt"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/kite/orderflow"
	"github.com/spf13/cobra"
)

type ordersReconcileOptions struct {
	cmdDeps
	Tag string
}

// newOrdersReconcileCmd builds kite orders reconcile; runF, when not nil,
// runs instead of runOrdersReconcile with the options as parsed and
// checked (tests use it).
func newOrdersReconcileCmd(f *Factory, runF func(*ordersReconcileOptions) error) *cobra.Command {
	opts := &ordersReconcileOptions{cmdDeps: f.deps()}
	return &cobra.Command{
		Use:   "reconcile TAG",
		Short: "Say whether an order with this tag reached today's order book",
		Long: `Look a tag up in today's order book and print the orders carrying it.

Every order kite places carries a tag (generated, or given with --tag), and
kite orders place prints it. When a place fails ambiguously (a timeout or a
server error after the request was sent), the order may or may not exist;
placing it again could buy twice. This command answers the question: it
exits 0 and prints the order if it is there, and exits 1 if no order carries
the tag. The answer is conclusive for a tag used once a day, as generated tags
are; a tag shared by several orders lists them all.`,
		Example: `  kite orders reconcile k1a2b3c4d5e6f7
  kite orders reconcile nightlyrebal01 --jq '.[0].status'
  kite orders reconcile "$TAG" >/dev/null || kite orders place NSE:INFY --buy --qty 1 --price 1500 --tag "$TAG" --yes`,
		Args: exactArgs(1, "the order tag to look for"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Tag = args[0]
			if err := checkTag(opts.Tag); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runOrdersReconcile(cmd.Context(), opts)
		},
	}
}

// checkTag refuses what cannot be an order tag before any request.
func checkTag(tag string) error {
	if err := kite.ValidateTag(tag); err != nil {
		return exitcode.Usagef("%w", err)
	}
	return nil
}

func runOrdersReconcile(ctx context.Context, opts *ordersReconcileOptions) error {
	if err := checkTag(opts.Tag); err != nil {
		return err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	found, err := (&orderflow.Flow{Client: c}).Tagged(ctx, opts.Tag)
	if err != nil {
		return err
	}
	if len(found) == 0 {
		return exitcode.With(exitcode.Error, fmt.Errorf("no order tagged %q in today's order book: it was not placed, unless it was placed moments ago (Kite's book can lag a placement by a few seconds; run this again to be sure)", opts.Tag))
	}
	return opts.Printer().Print(found, orderColumns())
}
