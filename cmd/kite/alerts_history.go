package main

import (
	"context"
	"encoding/json"

	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

type alertsHistoryOptions struct {
	cmdDeps

	UUID string
}

func newAlertsHistoryCmd(f *Factory, runF func(*alertsHistoryOptions) error) *cobra.Command {
	opts := &alertsHistoryOptions{cmdDeps: f.deps()}
	return &cobra.Command{
		Use:   "history UUID",
		Short: "Show when an alert fired: the condition, the market then, the orders placed",
		Long: `Show every firing of an alert, oldest first: the condition as Kite wrote
it, the quotes of its instruments at that moment (meta) and, for an ATO
alert, the orders it placed (order_meta; see kite orders show ID). On a
terminal, one row per firing with the last price and the order IDs.`,
		Example: `  kite alerts history "$(kite alerts --jq '.[0].uuid')"
  kite alerts history "$(kite alerts --jq '.[0].uuid')" --jq '.[].order_meta[]?.order_id'`,
		Args: exactArgs(1, "an alert UUID (see kite alerts)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.UUID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runAlertsHistory(cmd.Context(), opts)
		},
	}
}

func runAlertsHistory(ctx context.Context, opts *alertsHistoryOptions) error {
	if err := checkAlertUUID(opts.UUID); err != nil {
		return err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	h, err := c.AlertHistory(ctx, opts.UUID)
	if err != nil {
		return noSuchAlert(opts.UUID, err)
	}
	p := opts.Printer()
	if p.Format() != output.Table {
		return p.Print(h)
	}
	type row struct {
		CreatedAt kite.Time `json:"created_at"`
		Condition string    `json:"condition"`
		LastPrice float64   `json:"last_price"`
		Orders    string    `json:"orders"`
	}
	rows := []row{}
	for _, e := range h {
		r := row{CreatedAt: e.CreatedAt, Condition: e.Condition}
		var meta []struct {
			LastPrice float64 `json:"last_price"`
		}
		if json.Unmarshal(e.Meta, &meta) == nil && len(meta) > 0 {
			r.LastPrice = meta[0].LastPrice
		}
		var orders []struct {
			OrderID string `json:"order_id"`
			Status  string `json:"status"`
		}
		if json.Unmarshal(e.OrderMeta, &orders) == nil {
			for i, o := range orders {
				if i > 0 {
					r.Orders += " "
				}
				r.Orders += o.OrderID
				if o.Status != "success" {
					r.Orders += "(" + o.Status + ")"
				}
			}
		}
		rows = append(rows, r)
	}
	return p.Print(rows)
}
