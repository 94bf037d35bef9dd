// Package kitespec is Kite Connect's published facts that both sides of
// the wire must agree on: the error_type names of Kite's error envelope,
// its rate limits, its GTT limits, and the 2026 market-protection value
// and message. Each fact cites where Zerodha publishes it.
//
// The client (pkg/kite) and the sandbox (pkg/sandbox, Kite's side written
// again so that it can test the client) both import this package, and it
// imports nothing of ours, so the sandbox shares no code with the client
// it tests. When Zerodha revises a figure, it changes here once.
//
// It holds data, never logic. Every rule that uses these facts is written
// separately on each side: which order types need market protection, how
// far a GTT trigger must be from the last price, which endpoints count
// against which limit, how an error envelope is written and read. That is
// deliberate duplication: a slip in one side's rule shows up in the
// end-to-end suite as the two disagreeing, where a shared function would
// be wrong on both sides and every test would pass. A wrong fact here is
// shared by both; the guards against that are the sources cited and
// bench/conformance_test.go, where Zerodha's own Go client, with its own
// constants, runs against the sandbox.
//
// docs/design.md describes how the packages fit together.
package kitespec

// Kite's error_type values, the exceptions of its error envelope
// {"status":"error","message":…,"error_type":…}. Source:
// https://kite.trade/docs/connect/v3/exceptions/
const (
	TokenException      = "TokenException"
	PermissionException = "PermissionException"
	UserException       = "UserException"
	TwoFAException      = "TwoFAException"
	InputException      = "InputException"
	OrderException      = "OrderException"
	MarginException     = "MarginException"
	HoldingException    = "HoldingException"
	NetworkException    = "NetworkException"
	DataException       = "DataException"
	GeneralException    = "GeneralException"
)

// Kite's rate limits, per API key, as of 2026. Orders: 10 per second (a
// strict, exchange-mandated limit since 1 April 2026), 400 per minute (up
// from 200) and 5,000 per day per user across all apps; the per-second
// limit counts every order write, the minute and day limits count
// placements. Sources: Zerodha's staff answer at
// https://kite.trade/forum/discussion/comment/52882/ and the announcement
// https://kite.trade/forum/discussion/15912/ (see docs/orders-2026.md).
// Quote 1/s, historical 3/s and everything else 10/s are unchanged
// (https://kite.trade/docs/connect/v3/exceptions/#api-rate-limit).
const (
	QuotePerSecond      = 1  // /quote, /quote/ohlc, /quote/ltp
	HistoricalPerSecond = 3  // /instruments/historical/…
	OrdersPerSecond     = 10 // order writes: place, modify, cancel
	OrdersPerMinute     = 400
	OrdersPerDay        = 5000
	OtherPerSecond      = 10 // every other endpoint
)

// Kite's GTT limits. Zerodha support, "Why was my buy GTT order rejected in
// Kite?": "If the stock price is greater than Rs.50, the GTT trigger should
// be 0.25% away from the current market price … If the stock price is
// lesser than Rs.50, then the GTT trigger should be at least 9 paisa away".
// "Why are GTTs disabled, cancelled, expired, or rejected?": valid "for one
// year from the placement date"; "a maximum of 250 active GTTs".
const (
	// GTTMinDistanceAbove is the last price (₹) above which a trigger's
	// least distance from it is GTTMinDistanceFraction of the price; at
	// or below it, GTTMinDistanceFloor rupees.
	GTTMinDistanceAbove    = 50.0
	GTTMinDistanceFraction = 0.0025 // 0.25%
	GTTMinDistanceFloor    = 0.09   // ₹ (9 paise)

	GTTMaxActive = 250

	// GTTMaxLimitDistance bounds how far (a fraction of the trigger) a
	// leg's limit price may be from its trigger. Kite does not publish
	// its bound: this is the project's convention, one figure that the
	// client and the sandbox both hold to (see docs/design.md).
	GTTMaxLimitDistance = 0.10
)

// Market protection, required since 1 April 2026 on MARKET and SL-M orders
// placed or modified through the API (docs/orders-2026.md has the rule and
// its sources).
const (
	// MarketProtectionAuto asks Kite to choose the market protection
	// itself: https://kite.trade/forum/discussion/comment/52940/
	MarketProtectionAuto = -1

	// MsgNoMarketProtection is Kite's InputException, word for word, for
	// a MARKET or SL-M order without market protection:
	// https://kite.trade/forum/discussion/comment/52991/
	MsgNoMarketProtection = "Market orders without market protection are not allowed via API. Please set market protection or use a Limit order."
)
