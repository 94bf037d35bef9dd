package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
)

// explain makes a tool error an agent can act on: what happened, in Kite's
// words where Kite said something, and the next step. The categories are
// kite's exit codes, so the server and the CLI agree on what a failure is.
func (s *Server) explain(ctx context.Context, err error, timeout time.Duration) error {
	err = s.backend.Explain(err)
	if errors.Is(err, context.DeadlineExceeded) || (ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded)) {
		if exitcode.Code(err) == exitcode.Unknown {
			return fmt.Errorf("order outcome unknown (the call's deadline of %v passed): %v", timeout, err)
		}
		return fmt.Errorf("timed out: Kite did not answer within this call's deadline of %v (kite mcp --call-timeout). "+
			"Next: call again; if it keeps timing out, ask for less (fewer symbols, a shorter range) or check Kite's status", timeout)
	}
	if errors.Is(err, context.Canceled) {
		return errors.New("cancelled: the call was cancelled before Kite answered; call again if still needed")
	}
	switch exitcode.Code(err) {
	case exitcode.Auth:
		return fmt.Errorf("session expired or invalid: %v. Next: the user runs `kite login` in a terminal (with the same --profile as this server), then call the tool again", err)
	case exitcode.RateLimited:
		return fmt.Errorf("rate limited by Kite: %v. Next: wait a minute before calling again, and ask for fewer instruments per call", err)
	case exitcode.Network:
		return fmt.Errorf("network failure: %v. Next: check the internet connection (or that the sandbox is running), then call again", err)
	case exitcode.Unknown:
		return fmt.Errorf("order outcome unknown: %v. Do not send it again before checking with orders (the tag is above)", err)
	case exitcode.Usage:
		return fmt.Errorf("invalid input: %v", err)
	case exitcode.Order:
		return fmt.Errorf("order rejected: %v", err)
	case exitcode.Permission:
		return fmt.Errorf("permission denied: %v", err)
	}
	return err
}
