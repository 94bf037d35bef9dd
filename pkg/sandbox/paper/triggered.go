package paper

// What the books of orders placed on a condition (GTTs, ATO alerts) need
// from the engine beyond Place.

// InputError is an InputException with Kite's status, as the engine's own
// validation answers.
func InputError(format string, args ...any) error { return inputErr(format, args...) }

// Rejected reports whether an order the engine accepted was then rejected
// by its risk checks (a price outside the circuit, no margin), with the
// RMS's reason.
func (e *Engine) Rejected(id string) (reason string, rejected bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.byID[id]
	if !ok || o.pub.Status != StatusRejected {
		return "", false
	}
	return deref(o.pub.StatusMessage), true
}
