package paper

import (
	"strconv"

	"github.com/kitecli/kite/pkg/sandbox/market"
)

// AuctionNumber is the exchange auction an equity can be sold in, in the
// sandbox: one per instrument, fixed by its token, so that the auction
// list (GET /portfolio/holdings/auctions) and the orders agree.
func AuctionNumber(token uint32) string { return strconv.Itoa(int(1000 + token%9000)) }

// checkAuction admits an auction-variety order only with the
// instrument's auction number, as a LIMIT sell of holdings (CNC); other
// varieties must not carry an auction number.
func checkAuction(p *PlaceParams, in *market.Instrument) error {
	if p.Variety != "auction" {
		if p.AuctionNumber != "" {
			return inputErr("Invalid `auction_number`: it is only for the auction variety.")
		}
		return nil
	}
	switch {
	case p.AuctionNumber == "" || p.AuctionNumber != AuctionNumber(in.Token):
		return inputErr("Invalid `auction_number`: there is no open auction %q for %s (kite auctions lists them).", p.AuctionNumber, in.Key())
	case p.TransactionType != "SELL" || p.Product != "CNC" || p.OrderType != "LIMIT":
		return inputErr("Auction orders are LIMIT sells of holdings (CNC).")
	}
	return nil
}
