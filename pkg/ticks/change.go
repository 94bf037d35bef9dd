package ticks

// ChangeE4 is the "change" of a tick record times 10,000: the percentage
// (last − close) × 100 / close, rounded half away from zero to 4 decimal
// places, computed in integers so that every output format agrees; 0 when
// close is 0.
func ChangeE4(last, close int32) int64 {
	if close == 0 {
		return 0
	}
	num := (int64(last) - int64(close)) * 100 * 1e4
	den := int64(close)
	neg := (num < 0) != (den < 0)
	if num < 0 {
		num = -num
	}
	if den < 0 {
		den = -den
	}
	q := (2*num + den) / (2 * den)
	if neg {
		return -q
	}
	return q
}
