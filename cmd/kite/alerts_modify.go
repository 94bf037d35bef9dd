package main

import (
	"context"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

type alertsModifyOptions struct {
	cmdDeps
	UUID string
	alertFlags
}

// newAlertsModifyCmd builds kite alerts modify; runF, when not nil, runs
// instead of runAlertsModify with the options as parsed and checked
// (tests use it).
func newAlertsModifyCmd(f *Factory, runF func(*alertsModifyOptions) error) *cobra.Command {
	opts := &alertsModifyOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "modify UUID",
		Short: "Change an alert (and re-arm it if it fired)",
		Long: `Change an alert. It is fetched first and what is not given stays as it is
(Kite's advice: fetch the alert, change it, send it whole). A fired, disabled
alert is enabled again. --symbol changes the instrument watched; the ATO
flags change its order (or make a simple alert an ATO one).

The same checks and safety as kite alerts create: confirmed on a terminal,
refused without one unless --yes, previewed with --dry-run, sent once and
never retried (an unknown outcome exits 8). Prints the alert as modified.`,
		Example: `  kite alerts modify "$(kite alerts --jq '.[0].uuid')" --value 1650 --yes
  kite alerts modify "$(kite alerts --jq '.[0].uuid')" --operator '<=' --value 1400 --yes
  kite alerts modify "$(kite alerts --jq '[.[] | select(.type == "ato")][0].uuid')" --qty 2 --dry-run`,
		Args: exactArgs(1, "the UUID of the alert to modify (see kite alerts)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.UUID = args[0]
			opts.set = cmd.Flags().Changed
			if err := opts.Safety.resolveMaxValue(cmd.Flags(), f.Getenv); err != nil {
				return err
			}
			if err := checkAlertUUID(opts.UUID); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runAlertsModify(cmd.Context(), opts)
		},
	}
	opts.addFlags(cmd.Flags())
	cmd.Flags().StringVar(&opts.Symbol, "symbol", "", "watch another instrument, EXCHANGE:TRADINGSYMBOL")
	return cmd
}

func runAlertsModify(ctx context.Context, opts *alertsModifyOptions) error {
	if err := checkAlertUUID(opts.UUID); err != nil {
		return err
	}
	if err := opts.Safety.checkCanWrite(opts.IO, "modify an alert"); err != nil {
		return err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	cur, err := c.Alert(ctx, opts.UUID)
	if err != nil {
		return noSuchAlert(opts.UUID, err)
	}
	p := kite.AlertParamsOf(cur)
	if err := opts.apply(&p); err != nil {
		return err
	}
	pv, err := checkAlert(ctx, opts.cmdDeps, c, &opts.alertFlags, p)
	if err != nil {
		return err
	}
	pv.UUID = opts.UUID
	if opts.Safety.DryRun {
		pv.DryRun = true
		return opts.Printer().Print(pv)
	}
	if err := opts.Safety.confirm(ctx, opts.IO, pv.summary("modify "+opts.UUID+" into a"), "Modify this alert?"); err != nil {
		return err
	}
	a, err := c.ModifyAlert(ctx, opts.UUID, p)
	if err != nil {
		return writeFailureCheck("modifying alert "+opts.UUID, "kite alerts show "+opts.UUID, err)
	}
	return printAlert(opts.cmdDeps, a)
}
