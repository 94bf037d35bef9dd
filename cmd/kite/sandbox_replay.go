package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/recording"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/spf13/pflag"
)

// sandboxReplayOptions is kite sandbox --replay FILE...: the first file is
// the flag's value, the rest are the arguments (so a shell glob works).
type sandboxReplayOptions struct {
	First string
	src   *fileReplay
}

func (o *sandboxReplayOptions) addFlags(fl *pflag.FlagSet) {
	fl.StringVar(&o.First, "replay", "", "serve a recorded day: kite sandbox --replay FILE... (recordings of kite record, in order)")
}

// checkArgs allows arguments only as more --replay files.
func (o *sandboxReplayOptions) checkArgs(args []string) error {
	if len(args) > 0 && o.First == "" {
		return exitcode.Usagef("kite sandbox takes no arguments (did you mean --replay %s?)", args[0])
	}
	return nil
}

// apply opens the recordings and reads their headers, so a file that is
// not a recording is a usage error before the sandbox starts.
func (o *sandboxReplayOptions) apply(opts *sandbox.Options, args []string, log *slog.Logger) error {
	if o.First == "" {
		return nil
	}
	paths := append([]string{o.First}, args...)
	if err := checkInputs(paths); err != nil {
		return err
	}
	src := &fileReplay{log: log}
	for _, p := range paths {
		fh, err := os.Open(p)
		if err != nil {
			src.Close()
			return exitcode.Usagef("cannot read %s: %v", p, unwrapPathError(err))
		}
		rr, err := recording.NewReader(bufio.NewReaderSize(fh, 64<<10))
		if err != nil {
			fh.Close()
			src.Close()
			if errors.Is(err, recording.ErrNotRecording) {
				return exitcode.Usagef("--replay %s is not a recording made by kite record", p)
			}
			return fmt.Errorf("%s: %w", p, err)
		}
		src.files = append(src.files, replayFile{path: p, f: fh, r: rr})
	}
	o.src = src
	opts.Replay = src
	return nil
}

func (o *sandboxReplayOptions) close() {
	if o.src != nil {
		o.src.Close()
	}
}

// fileReplay is a sandbox.ReplaySource over recordings read in order.
type fileReplay struct {
	files []replayFile
	log   *slog.Logger
}

type replayFile struct {
	path string
	f    *os.File
	r    *recording.Reader
}

// Instruments is every file's mapping, a later file's entry winning.
func (s *fileReplay) Instruments() []recording.Instrument {
	at := map[uint32]int{}
	var out []recording.Instrument
	for _, f := range s.files {
		for _, in := range f.r.Header().Instruments {
			if i, ok := at[in.Token]; ok {
				out[i] = in
				continue
			}
			at[in.Token] = len(out)
			out = append(out, in)
		}
	}
	return out
}

// Next reads on through the files; a torn tail ends its file with a
// warning, as kite ticks decode reports it.
func (s *fileReplay) Next() (recording.Frame, error) {
	for len(s.files) > 0 {
		fr, err := s.files[0].r.Next()
		if err == nil {
			return fr, nil
		}
		if !errors.Is(err, io.EOF) {
			if !errors.Is(err, recording.ErrTruncated) {
				return recording.Frame{}, fmt.Errorf("%s: %w", s.files[0].path, err)
			}
			s.log.Warn("replay: recording cut short; going on with the next", "file", s.files[0].path, "err", err.Error())
		}
		s.files[0].f.Close()
		s.files = s.files[1:]
	}
	return recording.Frame{}, io.EOF
}

// Close closes the files not yet read to the end.
func (s *fileReplay) Close() {
	for _, f := range s.files {
		f.f.Close()
	}
	s.files = nil
}
