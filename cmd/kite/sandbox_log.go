package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/pflag"
)

// sandboxLogOptions choose where `kite sandbox` logs. It is quiet by
// default: it usually runs in the background of the shell the user types
// in (kite sandbox > sandbox.env &), where request logs would land in the
// middle of their commands. Warnings and errors still reach stderr.
type sandboxLogOptions struct {
	Verbose bool
	LogFile string
}

func (o *sandboxLogOptions) addFlags(fl *pflag.FlagSet) {
	fl.BoolVarP(&o.Verbose, "verbose", "v", false, "log requests, ticker connections and faults to stderr")
	fl.StringVar(&o.LogFile, "log-file", "", "append the log (requests, ticker connections, faults) to this file")
}

// logger returns the sandbox's logger and what closes its file. levelSet:
// the user chose --log-level or --debug, whose level then applies.
func (o *sandboxLogOptions) logger(f *Factory, levelSet bool) (*slog.Logger, func() error, error) {
	var outs []io.Writer
	if o.Verbose {
		outs = append(outs, f.IO.ErrOut)
	}
	closeFile := func() error { return nil }
	if o.LogFile != "" {
		file, err := os.OpenFile(o.LogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, nil, fmt.Errorf("--log-file %s cannot be opened for writing: %w", o.LogFile, err)
		}
		outs = append(outs, file)
		closeFile = file.Close
	}
	if len(outs) == 0 {
		return f.Logger, closeFile, nil // warnings and errors, or the level the user chose
	}
	level := slog.LevelDebug // the request log is at debug
	if levelSet {
		l, err := parseLevel(f.Global.LogLevel)
		if err != nil {
			return nil, nil, err
		}
		if level = l; f.Global.Debug {
			level = slog.LevelDebug
		}
	}
	h := slog.NewTextHandler(io.MultiWriter(outs...), &slog.HandlerOptions{Level: level})
	return slog.New(h), closeFile, nil
}
