package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox"
)

// TestE2EHelpExamplesRun runs every example in the help of the commands
// issue 11 added, in order, through a shell against one sandbox, from a
// directory holding the files they name (basket.ndjson, spread.ndjson,
// basket.json, trades.ndjson). Each must exit 0: the help shows nothing
// that does not work.
func TestE2EHelpExamplesRun(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 9, RateLimits: sandbox.NoRateLimits()})
	dir := t.TempDir()
	low := ordersInstrument(t, env, "NFO", func(r map[string]string) bool { return r["name"] == "NIFTY" && r["instrument_type"] == "CE" })
	k1, _ := strconv.ParseFloat(low["strike"], 64)
	high := ordersInstrument(t, env, "NFO", func(r map[string]string) bool {
		k, _ := strconv.ParseFloat(r["strike"], 64)
		return r["name"] == "NIFTY" && r["instrument_type"] == "CE" && r["expiry"] == low["expiry"] && k > k1
	})
	files := map[string]string{
		"basket.ndjson": `{"exchange":"NSE","tradingsymbol":"INFY","transaction_type":"BUY","quantity":10,"price":1500}` + "\n" +
			`{"exchange":"NSE","tradingsymbol":"SBIN","transaction_type":"SELL","quantity":5,"product":"MIS","order_type":"MARKET"}` + "\n",
		"spread.ndjson": `{"exchange":"NFO","tradingsymbol":"` + low["tradingsymbol"] + `","transaction_type":"SELL","quantity":` + low["lot_size"] + `,"price":100}` + "\n" +
			`{"exchange":"NFO","tradingsymbol":"` + high["tradingsymbol"] + `","transaction_type":"BUY","quantity":` + low["lot_size"] + `,"price":40}` + "\n",
		"basket.json":   `[{"exchange":"NSE","tradingsymbol":"ITC","transaction_type":"BUY","quantity":100,"price":400}]`,
		"trades.ndjson": `{"exchange":"NSE","tradingsymbol":"INFY","transaction_type":"BUY","quantity":10,"average_price":1500,"product":"MIS"}` + "\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// positions convert's examples convert an intraday buy of 10 INFY.
	ordersRun(t, env, 0, "orders", "place", "NSE:INFY", "--buy", "--qty", "10", "--type", "MARKET", "--product", "MIS", "--yes")

	runHelpExamples(t, env, dir, []string{
		"margins", "margins order", "margins basket", "charges", "positions convert", "holdings", "holdings summary",
		"holdings authorise", "auctions", "profile", "mf", "mf holdings", "mf orders", "mf sips", "mf instruments",
	})
}
