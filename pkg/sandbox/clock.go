package sandbox

import "time"

// FastClock is a market clock (for Options.MarketClock) that starts now
// and runs speed times faster than the wall clock, so a test sees hours of
// the price walk in seconds: a GTT or an alert a few tenths of a percent
// from the price is crossed quickly, without a test reaching into the
// market. The price path still follows the seed.
func FastClock(speed int) func() time.Time {
	start := time.Now()
	return func() time.Time { return start.Add(time.Since(start) * time.Duration(speed)) }
}
