// Package options prices European options with Black-76 (on a future or
// forward) and Black-Scholes (on a spot price without dividends), computes
// their greeks, and solves for implied volatility.
//
// Conventions, chosen to match how Indian option chains are read:
//   - rates are continuously compounded, times are in years;
//   - Delta and Gamma are per unit of the model's underlying (the future
//     for Black-76, the spot for Black-Scholes);
//   - Theta is the change in value per calendar day (annual theta / 365);
//   - Vega is the change in value per volatility point (annual vega / 100).
//
// The package does no I/O and knows nothing of Kite or the CLI. Every
// function is safe on any input: bad inputs give ok=false, never NaN or a
// panic.
package options
