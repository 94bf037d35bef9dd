package exitcode

import "github.com/kitecli/kite/pkg/kite"

// kiteCode is the exit code of one of pkg/kite's errors (err itself, not
// its chain), and whether err is one. pkg/kite says what happened; which
// code a script sees for it is the CLI's contract, kept here.
func kiteCode(err error) (int, bool) {
	switch e := err.(type) {
	case *kite.Error:
		// An InputException is a general error (1), not a usage error:
		// exit 2 means caught before any request, and this one came back
		// from Kite.
		switch e.ErrorType {
		case kite.TokenException:
			return Auth, true
		case kite.PermissionException:
			return Permission, true
		case kite.OrderException, kite.MarginException:
			return Order, true
		case kite.NetworkException:
			if e.Status == 429 {
				return RateLimited, true
			}
			return Network, true
		}
		return Error, true
	case *kite.RetryError:
		// docs/design.md: network, retries exhausted; 7 when Kite kept
		// rate-limiting the request.
		if e.RateLimited() {
			return RateLimited, true
		}
		return Network, true
	case *kite.NetworkError:
		return Network, true
	case *kite.NoSessionError:
		return Auth, true
	case *kite.TickerURLError, *kite.CleartextError, *kite.UnknownSymbolError, *kite.BadFileError:
		// Wrong input, caught before anything was sent.
		return Usage, true
	}
	if err == kite.ErrNoSession {
		return Auth, true
	}
	return 0, false
}

// find is the code of the first error in err's chain (depth first, as
// errors.As walks it) that has one: an ExitCoder, or an error of pkg/kite.
func find(err error) (int, bool) {
	for err != nil {
		if c, ok := err.(ExitCoder); ok {
			return c.ExitCode(), true
		}
		if code, ok := kiteCode(err); ok {
			return code, true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if code, ok := find(e); ok {
					return code, true
				}
			}
			return 0, false
		default:
			return 0, false
		}
	}
	return 0, false
}
