// Package bench holds comparison benchmarks and the conformance test that
// drive kite's sandbox with Zerodha's official Go client. It is a separate
// module so the main module never depends on gokiteconnect.
package bench
