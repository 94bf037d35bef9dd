package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

type gttOptions struct{ cmdDeps }

func newGTTCmd(f *Factory, runF func(*gttOptions) error) *cobra.Command {
	opts := &gttOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "gtt",
		Short: "List GTT (good-till-triggered) orders; create, modify and delete them",
		Long: `Without a subcommand, list the account's GTTs: active ones, and those that
triggered, expired or were cancelled. A GTT watches an instrument's last
price and places a LIMIT order when it reaches a trigger: single (one
trigger, one order) or two-leg, one-cancels-other (a stop-loss below the
price and a target above it; whichever is reached first is placed and the
other is cancelled). A GTT is valid for a year.

On a terminal the table has one row per leg. -o json prints Kite's objects.

GTT writes (create, modify, delete) are sent once, never retried, shown and
confirmed on a terminal, refused without one unless --yes, previewed with
--dry-run.`,
		Example: `  kite gtt
  kite gtt --jq '.[] | select(.status == "active") | .id'
  kite gtt create NSE:INFY --sell --qty 1 --trigger 1400,1700 --price 1395,1700 --dry-run
  kite gtt show "$(kite gtt --jq '.[0].id')"`,
		Args: noSubcommand("show, create, modify or delete"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runGTT(cmd.Context(), opts)
		},
	}
	cmd.AddCommand(newGTTShowCmd(f, nil), newGTTCreateCmd(f, nil), newGTTModifyCmd(f, nil), newGTTDeleteCmd(f, nil))
	return cmd
}

func runGTT(ctx context.Context, opts *gttOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	list, err := c.GTTs(ctx)
	if err != nil {
		return err
	}
	return printGTTs(opts.cmdDeps, list)
}

// gttRow is one leg of a GTT, flat, for a table.
type gttRow struct {
	ID            int       `json:"id"`
	Type          string    `json:"type"`
	Status        string    `json:"status"`
	Instrument    string    `json:"instrument"`
	LastPrice     float64   `json:"last_price"`
	Trigger       float64   `json:"trigger"`
	Side          string    `json:"side"`
	Quantity      int       `json:"quantity"`
	Price         float64   `json:"price"`
	Product       string    `json:"product"`
	OrderID       string    `json:"order_id"`
	Result        string    `json:"result"`
	ExpiresAt     kite.Time `json:"expires_at"`
	RejectionNote string    `json:"rejection_reason,omitempty"`
}

func gttRows(list []kite.GTT) []gttRow {
	rows := []gttRow{}
	for _, g := range list {
		for i, o := range g.Orders {
			r := gttRow{
				ID: g.ID, Type: g.Type, Status: g.Status,
				Instrument: g.Condition.Exchange + ":" + g.Condition.Tradingsymbol,
				LastPrice:  g.Condition.LastPrice, Side: o.TransactionType, Quantity: o.Quantity,
				Price: o.Price, Product: o.Product, ExpiresAt: g.ExpiresAt,
			}
			if i < len(g.Condition.TriggerValues) {
				r.Trigger = g.Condition.TriggerValues[i]
			}
			if o.Result != nil {
				r.OrderID, r.Result = o.Result.OrderResult.OrderID, o.Result.OrderResult.Status
				r.RejectionNote = o.Result.OrderResult.RejectionReason
			}
			rows = append(rows, r)
		}
	}
	return rows
}

// printGTTs prints Kite's objects, or a row per leg in a table.
func printGTTs(d cmdDeps, list []kite.GTT) error {
	p := d.Printer()
	if p.Format() == output.Table {
		return p.Print(gttRows(list), output.Columns("id", "type", "status", "instrument", "trigger", "side",
			"quantity", "price", "product", "last_price", "order_id", "result", "expires_at"))
	}
	return p.Print(list)
}

// parseGTTID checks a GTT ID before any request: Kite's are positive
// numbers.
func parseGTTID(s string) (int, error) {
	id, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || id <= 0 {
		return 0, exitcode.Usagef("%q is not a GTT ID (a positive number): list them with kite gtt", s)
	}
	return id, nil
}

// noSuchGTT turns Kite's answer to an ID it does not know into a plain
// error with the next command.
func noSuchGTT(id int, err error) error {
	var ke *kite.Error
	if errors.As(err, &ke) && (ke.ErrorType == kite.InputException || ke.Status == http.StatusNotFound) {
		return exitcode.With(exitcode.Error, fmt.Errorf("no GTT %d: list them with kite gtt (Kite said: %w)", id, err))
	}
	return err
}

// gttWriteFailure explains a failed GTT write.
func gttWriteFailure(what string, err error) error { return writeFailureCheck(what, "kite gtt", err) }
