package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

type alertsDeleteOptions struct {
	cmdDeps
	UUIDs  []string
	Safety writeSafety
}

// newAlertsDeleteCmd builds kite alerts delete; runF, when not nil, runs
// instead of runAlertsDelete with the options as parsed and checked
// (tests use it).
func newAlertsDeleteCmd(f *Factory, runF func(*alertsDeleteOptions) error) *cobra.Command {
	opts := &alertsDeleteOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "delete UUID...",
		Short: "Delete one or more alerts",
		Long: `Delete alerts, in one request: Kite deletes all of them or, if one UUID is
unknown, none (exit 1). Deleted alerts are listed only with kite alerts
--status deleted; orders an ATO alert already placed are not touched.

Confirmed on a terminal, refused without one unless --yes, previewed with
--dry-run, sent once and never retried (an unknown outcome exits 8).`,
		Example: `  kite alerts delete "$(kite alerts --jq '.[0].uuid')" --dry-run
  kite alerts delete "$(kite alerts --jq '.[0].uuid')" --yes
  kite alerts --jq '.[].uuid' | xargs kite alerts delete --yes`,
		Args: minArgsAlerts,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.UUIDs = args
			if err := opts.checkUUIDs(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runAlertsDelete(cmd.Context(), opts)
		},
	}
	opts.Safety.addFlags(cmd.Flags(), false)
	return cmd
}

func minArgsAlerts(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return exitcode.Usagef("which alerts? give one or more UUIDs (see kite alerts)")
	}
	return nil
}

// checkUUIDs refuses what cannot be an alert UUID before any request.
func (o *alertsDeleteOptions) checkUUIDs() error {
	for _, u := range o.UUIDs {
		if err := checkAlertUUID(u); err != nil {
			return err
		}
	}
	return nil
}

func runAlertsDelete(ctx context.Context, opts *alertsDeleteOptions) error {
	if err := opts.checkUUIDs(); err != nil {
		return err
	}
	if err := opts.Safety.checkCanWrite(opts.IO, "delete alerts"); err != nil {
		return err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	var found []kite.Alert
	for _, u := range opts.UUIDs {
		a, err := c.Alert(ctx, u)
		if err != nil {
			return noSuchAlert(u, err)
		}
		found = append(found, a)
	}
	if opts.Safety.DryRun {
		return opts.Printer().Print(struct {
			UUIDs  []string `json:"uuids"`
			Delete bool     `json:"delete"`
			DryRun bool     `json:"dry_run"`
		}{opts.UUIDs, true, true})
	}
	lines := []string{fmt.Sprintf("delete %d alert(s):", len(found))}
	for _, a := range found {
		lines = append(lines, fmt.Sprintf("  %s %q %s (%s)", a.UUID, a.Name, alertCondition(a), a.Status))
	}
	if err := opts.Safety.confirm(ctx, opts.IO, strings.Join(lines, "\n"), "Delete?"); err != nil {
		return err
	}
	if err := c.DeleteAlerts(ctx, opts.UUIDs...); err != nil {
		return writeFailureCheck("deleting alerts", "kite alerts --status deleted", err)
	}
	return opts.Printer().Print(struct {
		Deleted []string `json:"deleted"`
	}{opts.UUIDs})
}
