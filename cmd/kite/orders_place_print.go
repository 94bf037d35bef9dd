package main

import (
	"context"
	"fmt"

	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/kite/orderflow"
)

// printPlaced prints what a place produced, each order as it stands right
// after placing: the one order, every child of an autosliced order (a
// child Kite refused shows its error), or the orders found by reconciling.
// A rejected order exits 5.
func printPlaced(ctx context.Context, pr *output.Printer, flow *orderflow.Flow, variety, tag string, placed orderflow.Placed) error {
	rows, single, err := flow.SettlePlaced(ctx, variety, tag, placed)
	var perr error
	if single {
		perr = pr.Print(rows[0])
	} else {
		perr = pr.Print(rows)
	}
	if perr != nil {
		return perr
	}
	return explainWrite(err, flow.Client.BaseURL, "")
}

func rulesSummary(p kite.OrderParams) string {
	var s string
	switch {
	case p.MarketProtection == kite.MarketProtectionAuto:
		s += "  market protection auto (-1)"
	case p.MarketProtection > 0:
		s += fmt.Sprintf("  market protection %v%%", p.MarketProtection)
	}
	if p.AlgoID != "" {
		s += "  algo " + p.AlgoID
	}
	if p.Autoslice {
		s += "  autoslice"
	}
	return s
}
