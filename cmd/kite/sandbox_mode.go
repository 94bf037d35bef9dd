package main

import (
	"context"
	"errors"
)

// startSandbox starts the in-process sandbox for --sandbox and points this
// run at it. Until pkg/sandbox lands, it says so.
func (f *Factory) startSandbox(ctx context.Context) error {
	return errors.New("--sandbox is not available yet in this build")
}
