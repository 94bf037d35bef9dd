package main

import (
	"context"
	"fmt"
	"io"

	"github.com/kitecli/kite/pkg/kite"
)

// dryRunCosts asks Kite's margin calculator what the order would block and
// cost, for orders place --dry-run. A dry run is a preview, so a
// calculator that cannot answer (no permission, an outage) costs a note on
// stderr, not the preview.
func dryRunCosts(ctx context.Context, errOut io.Writer, c *kite.Client, variety string, p kite.OrderParams) (margin, charges *float64) {
	ms, err := c.OrderMargins(ctx, []kite.MarginOrder{marginOrderOf(p, variety)})
	if err != nil || len(ms) != 1 {
		if err == nil {
			err = fmt.Errorf("%d answers for one order", len(ms))
		}
		fmt.Fprintf(errOut, "kite: the order's margin and charges are not shown: %v\n", err)
		return nil, nil
	}
	return &ms[0].Total, &ms[0].Charges.Total
}
