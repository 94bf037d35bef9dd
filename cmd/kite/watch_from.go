package main

import (
	"context"
	"errors"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/natsfeed"
	"github.com/kitecli/kite/pkg/ticks"
	"github.com/spf13/cobra"
)

// registerFrom adds to a command (kite watch) only the flags that read
// from NATS: --from and the connection and naming flags.
func (nf *natsFlags) registerFrom(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&nf.From, "from", "", "show ticks from NATS JetStream at URL (published by kite stream --publish), starting with each instrument's latest")
	fl.StringVar(&nf.Prefix, "subject-prefix", natsfeed.DefaultPrefix, "NATS subject prefix, as given to kite stream --publish")
	fl.StringVar(&nf.Stream, "stream", "", "JetStream stream name (default: the prefix upper-cased, KITE)")
	nf.registerConn(fl)
	cmd.Example += "\n  kite watch --from nats://127.0.0.1:4222 NSE:INFY NSE:RELIANCE"
}

// watchFrom feeds the board from JetStream: each instrument's latest tick,
// then live ones, as one-packet Kite messages.
func watchFrom(ctx context.Context, f *Factory, opts *watchOptions) (*watchBoard, func(context.Context) error, error) {
	names, err := instrumentArgs(opts.Instruments, opts.File, f.IO.In, f.IO.ErrOut)
	if err != nil {
		return nil, nil, err
	}
	nf := &opts.NATS
	nc, js, err := nf.connect(f, nf.From, nil)
	if err != nil {
		return nil, nil, err
	}
	insts, err := resolveFromNATS(ctx, f, js, nf, names)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	board := newWatchBoard(insts, opts.Sort, opts.Reverse)
	tokens := make([]uint32, len(insts))
	for i, in := range insts {
		tokens[i] = in.token
	}
	run := func(ctx context.Context) error {
		defer nc.Close()
		_ = board.Event(kite.TickerEvent{Kind: kite.EventConnected, Conn: 1, Tokens: len(tokens)})
		var msg []byte
		err := natsfeed.Consume(ctx, js, natsfeed.ConsumeOptions{Prefix: nf.Prefix, Stream: nf.Stream, Tokens: tokens, Last: true},
			func(m natsfeed.Msg) error {
				if m.Kind != natsfeed.KindTick {
					return nil
				}
				pkt := m.Data
				if m.JSON {
					t, _, err := ticks.ParseJSON(m.Data)
					if err != nil {
						return nil // not a tick record: nothing to show
					}
					pkt = ticks.AppendPacket(nil, &t)[2:]
				}
				msg = append(msg[:0], 0, 1, byte(len(pkt)>>8), byte(len(pkt)))
				msg = append(msg, pkt...)
				return board.Binary(0, msg)
			})
		switch {
		case ctx.Err() != nil:
			return context.Cause(ctx) // q (errWatchQuit) or Ctrl-C, as the ticker reports them
		case err != nil && !errors.Is(err, context.Canceled):
			return exitcode.With(exitcode.Network, noStream(err))
		}
		return err
	}
	return board, run, nil
}
