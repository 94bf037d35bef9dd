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

type alertsOptions struct {
	cmdDeps

	Status string
}

func newAlertsCmd(f *Factory, runF func(*alertsOptions) error) *cobra.Command {
	opts := &alertsOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "List price alerts; create, modify and delete them, and see when they fired",
		Long: `Without a subcommand, list the account's alerts (all but deleted ones, or
those with --status). An alert compares an instrument's attribute (the last
price by default) with a number or with another instrument's attribute. A
simple alert notifies; an ATO (alert-triggers-order) alert also places its
orders. Kite disables an alert once it fires; kite alerts history UUID shows
each firing, with the market data then and the orders placed.

Alert writes (create, modify, delete) are sent once, never retried, shown and
confirmed on a terminal, refused without one unless --yes, previewed with
--dry-run. Kite allows 500 active alerts.`,
		Example: `  kite alerts
  kite alerts --status disabled --jq '.[].uuid'
  kite alerts create NSE:INFY --operator '>=' --value 1600 --dry-run
  kite alerts history "$(kite alerts --jq '.[0].uuid')"`,
		Args: noSubcommand("show, create, modify, delete or history"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runAlerts(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Status, "status", "", "only alerts with this status: enabled, disabled or deleted")
	cmd.AddCommand(newAlertsShowCmd(f, nil), newAlertsCreateCmd(f, nil), newAlertsModifyCmd(f, nil), newAlertsDeleteCmd(f, nil), newAlertsHistoryCmd(f, nil))
	return cmd
}

func runAlerts(ctx context.Context, opts *alertsOptions) error {
	status := strings.ToLower(opts.Status)
	switch status {
	case "", "enabled", "disabled", "deleted":
	default:
		return exitcode.Usagef("--status %q: use enabled, disabled or deleted", opts.Status)
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	list, err := c.Alerts(ctx, status)
	if err != nil {
		return err
	}
	return printAlerts(opts.cmdDeps, list)
}

// alertRow is an alert, flat, for a table.
type alertRow struct {
	UUID       string    `json:"uuid"`
	Name       string    `json:"name"`
	Type       string    `json:"type"`
	Status     string    `json:"status"`
	Condition  string    `json:"condition"`
	Orders     int       `json:"orders"`
	AlertCount int       `json:"alert_count"`
	UpdatedAt  kite.Time `json:"updated_at"`
}

// alertCondition writes the condition as Kite's history does:
// LastTradedPrice("NSE:INFY") >= 1600.
func alertCondition(a kite.Alert) string {
	s := fmt.Sprintf("%s(%q) %s ", a.LHSAttribute, a.LHSExchange+":"+a.LHSTradingsymbol, a.Operator)
	if a.RHSType == "instrument" {
		return s + fmt.Sprintf("%s(%q)", a.RHSAttribute, a.RHSExchange+":"+a.RHSTradingsymbol)
	}
	return s + strconv.FormatFloat(a.RHSConstant, 'f', -1, 64)
}

func printAlerts(d cmdDeps, list []kite.Alert) error {
	p := d.Printer()
	if p.Format() != output.Table {
		return p.Print(list)
	}
	rows := []alertRow{}
	for _, a := range list {
		r := alertRow{UUID: a.UUID, Name: a.Name, Type: a.Type, Status: a.Status, Condition: alertCondition(a), AlertCount: a.AlertCount, UpdatedAt: a.UpdatedAt}
		if a.Basket != nil {
			r.Orders = len(a.Basket.Items)
		}
		rows = append(rows, r)
	}
	return p.Print(rows, output.Columns("uuid", "name", "type", "status", "condition", "orders", "alert_count", "updated_at"))
}

// checkAlertUUID rejects what cannot be an alert UUID before any request.
func checkAlertUUID(s string) error {
	ok := len(s) == 36
	for i, r := range s {
		if !ok {
			break
		}
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			ok = r == '-'
		default:
			ok = r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F'
		}
	}
	if !ok {
		return exitcode.Usagef("%q is not an alert UUID (like 550e8400-e29b-41d4-a716-446655440000): list them with kite alerts", s)
	}
	return nil
}

// noSuchAlert turns Kite's answer to a UUID it does not know into a plain
// error with the next command.
func noSuchAlert(uuid string, err error) error {
	var ke *kite.Error
	if errors.As(err, &ke) && (ke.ErrorType == kite.InputException || ke.Status == http.StatusNotFound) {
		return exitcode.With(exitcode.Error, fmt.Errorf("no alert %s: list them with kite alerts (Kite said: %w)", uuid, err))
	}
	return err
}
