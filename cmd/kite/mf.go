package main

import "github.com/spf13/cobra"

func newMFCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mf",
		Short: "Mutual funds: holdings, orders, SIPs and the fund list (read-only)",
		Long: `Read the account's mutual funds: holdings, orders, SIPs and the list of
funds Kite offers.

Why no orders or SIPs here: Kite Connect's mutual fund endpoints are
read-only for apps. Zerodha says so on the Kite Connect forum ("our Mutual
Fund endpoints are limited to the GET method, so PUT and POST requests aren't
currently supported"), and Kite answers a placed order or SIP with an
"insufficient permission" error. Place them on Coin (coin.zerodha.com). If
Kite opens them again, kite api sends one as it is, e.g.
  kite api POST /mf/orders -f tradingsymbol=INF… -f transaction_type=BUY -f amount=5000`,
		Example: `  kite mf holdings
  kite mf orders --from 2026-11-01 --to 2026-11-25
  kite mf sips
  kite mf instruments --jq '.[] | select(.scheme_type == "equity") | .name'`,
	}
	cmd.AddCommand(newMFHoldingsCmd(f, nil), newMFOrdersCmd(f, nil), newMFSIPsCmd(f, nil), newMFInstrumentsCmd(f, nil))
	return cmd
}
