package main

import (
	"context"

	"github.com/spf13/cobra"
)

type alertsShowOptions struct {
	cmdDeps

	UUID string
}

func newAlertsShowCmd(f *Factory, runF func(*alertsShowOptions) error) *cobra.Command {
	opts := &alertsShowOptions{cmdDeps: f.deps()}
	return &cobra.Command{
		Use:   "show UUID",
		Short: "Show one alert: its condition, status, count and ATO orders",
		Long: `Show one alert. -o json prints Kite's object, with the basket of an ATO
alert; on a terminal, one row with the condition written out.`,
		Example: `  kite alerts show "$(kite alerts --jq '.[0].uuid')"
  kite alerts show "$(kite alerts --jq '.[0].uuid')" --jq .status`,
		Args: exactArgs(1, "an alert UUID (see kite alerts)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.UUID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runAlertsShow(cmd.Context(), opts)
		},
	}
}

func runAlertsShow(ctx context.Context, opts *alertsShowOptions) error {
	if err := checkAlertUUID(opts.UUID); err != nil {
		return err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	a, err := c.Alert(ctx, opts.UUID)
	if err != nil {
		return noSuchAlert(opts.UUID, err)
	}
	return printAlert(opts.cmdDeps, a)
}
