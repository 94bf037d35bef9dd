package main

import (
	"context"

	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

type mfSIPsOptions struct {
	cmdDeps
	// ID is one SIP to show; empty lists them all.
	ID string
}

func newMFSIPsCmd(f *Factory, runF func(*mfSIPsOptions) error) *cobra.Command {
	opts := &mfSIPsOptions{cmdDeps: f.deps()}
	return &cobra.Command{
		Use:   "sips [SIP_ID]",
		Short: "List SIPs, or show one",
		Long: `List the systematic investment plans (fund, amount, frequency, status,
instalments done and pending, the next date), or show one by its ID. SIPs are
created and changed on Coin: see kite mf --help.`,
		Example: `  kite mf sips
  kite mf sips --jq '.[] | select(.status == "ACTIVE") | .fund'
  kite mf sips 800000000000101`,
		Args: maxArgs(1, "one SIP ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.ID = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return runMFSIPs(cmd.Context(), opts)
		},
	}
}

func runMFSIPs(ctx context.Context, opts *mfSIPsOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	cols := output.Columns("sip_id", "fund", "status", "frequency", "instalment_amount", "completed_instalments",
		"pending_instalments", "next_instalment")
	if opts.ID != "" {
		s, err := c.MFSIP(ctx, opts.ID)
		if err != nil {
			return err
		}
		return opts.Printer().Print(s, cols)
	}
	ss, err := c.MFSIPs(ctx)
	if err != nil {
		return err
	}
	return opts.Printer().Print(ss, cols)
}
