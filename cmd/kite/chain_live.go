package main

import (
	"context"

	"github.com/kitecli/kite/pkg/exitcode"
)

func runChainLive(ctx context.Context, f *Factory, opts *ChainOptions, st *chainState) error {
	return exitcode.Usagef("--live is not available yet")
}
