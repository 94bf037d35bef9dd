package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

type gttDeleteOptions struct {
	cmdDeps
	ID     int
	Safety writeSafety
}

// newGTTDeleteCmd builds kite gtt delete; runF, when not nil, runs instead
// of runGTTDelete with the options as parsed (tests use it).
func newGTTDeleteCmd(f *Factory, runF func(*gttDeleteOptions) error) *cobra.Command {
	opts := &gttDeleteOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "delete ID",
		Short: "Delete a GTT",
		Long: `Delete a GTT: it will not trigger, and kite gtt no longer lists it. An order
it already placed is not touched (cancel it with kite orders cancel).

Confirmed on a terminal, refused without one unless --yes, previewed with
--dry-run, sent once and never retried (an unknown outcome exits 8). An
unknown ID exits 1.`,
		Example: `  kite gtt delete "$(kite gtt --jq '.[0].id')" --dry-run
  kite gtt delete "$(kite gtt --jq '.[0].id')" --yes
  kite gtt --jq '.[] | select(.status == "active") | .id' | xargs -n1 kite gtt delete --yes`,
		Args: exactArgs(1, "the ID of the GTT to delete (see kite gtt)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseGTTID(args[0])
			if err != nil {
				return err
			}
			opts.ID = id
			if runF != nil {
				return runF(opts)
			}
			return runGTTDelete(cmd.Context(), opts)
		},
	}
	opts.Safety.addFlags(cmd.Flags(), false)
	return cmd
}

func runGTTDelete(ctx context.Context, opts *gttDeleteOptions) error {
	if err := opts.Safety.checkCanWrite(opts.IO, "delete a GTT"); err != nil {
		return err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	cur, err := c.GTT(ctx, opts.ID)
	if err != nil {
		return noSuchGTT(opts.ID, err)
	}
	if opts.Safety.DryRun {
		return opts.Printer().Print(struct {
			ID     int    `json:"id"`
			Status string `json:"status"`
			Delete bool   `json:"delete"`
			DryRun bool   `json:"dry_run"`
		}{opts.ID, cur.Status, true, true})
	}
	summary := fmt.Sprintf("delete %s GTT %d on %s:%s, triggers %v (%s)", cur.Type, opts.ID,
		cur.Condition.Exchange, cur.Condition.Tradingsymbol, cur.Condition.TriggerValues, cur.Status)
	if err := opts.Safety.confirm(ctx, opts.IO, summary, "Delete this GTT?"); err != nil {
		return err
	}
	if _, err := c.DeleteGTT(ctx, opts.ID); err != nil {
		return gttWriteFailure(fmt.Sprintf("deleting GTT %d", opts.ID), err)
	}
	return opts.Printer().Print(struct {
		TriggerID int  `json:"trigger_id"`
		Deleted   bool `json:"deleted"`
	}{opts.ID, true})
}
