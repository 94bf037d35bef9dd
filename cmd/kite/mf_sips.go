package main

import (
	"context"

	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

func newMFSIPsCmd(f *Factory) *cobra.Command {
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
			id := ""
			if len(args) == 1 {
				id = args[0]
			}
			return runMFSIPs(cmd.Context(), f, id)
		},
	}
}

func runMFSIPs(ctx context.Context, f *Factory, id string) error {
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	cols := output.Columns("sip_id", "fund", "status", "frequency", "instalment_amount", "completed_instalments",
		"pending_instalments", "next_instalment")
	if id != "" {
		s, err := c.MFSIP(ctx, id)
		if err != nil {
			return err
		}
		return f.Printer().Print(s, cols)
	}
	ss, err := c.MFSIPs(ctx)
	if err != nil {
		return err
	}
	return f.Printer().Print(ss, cols)
}
