// Package orderflow sends Kite order writes exactly once and says what
// became of them.
//
// A place is tagged, sent once and never again. When it fails after the
// request left (a timeout, a 5xx, a connection cut), the order may exist:
// the flow looks its tag up in the order book for a while (Kite's book can
// lag a placement by seconds) and reports the orders it finds, or an
// *UnknownOutcomeError naming the tag. It reports "not placed"
// (*NotPlacedError) only when that is known: the request never left, or
// Kite refused the order. After a write, Settle reads the order back so a
// rejection (insufficient margin, RMS) is a *RejectedError rather than a
// silent success.
//
// The package is a library: it knows nothing of flags, prompts, exit
// codes or the commands that settle an unknown outcome. The CLI maps its
// typed errors with errors.As (see docs/design.md, "Order writes").
package orderflow
