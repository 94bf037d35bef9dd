// Package iostreams bundles a command's standard streams with what it needs
// to know about them: whether each is a terminal and whether colour is wanted.
// Commands take an *IOStreams instead of touching os.Stdout, so tests run
// them against buffers and the terminal-dependent defaults stay testable.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the three standard streams and their terminal facts.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	StdinTTY  bool
	StdoutTTY bool
	StderrTTY bool
	// NoColor is set by NO_COLOR or a non-terminal stdout.
	NoColor bool

	// in is In made cancellable (stdin.go), built on first use.
	in *stdin
}

// System returns the process's real streams.
func System() *IOStreams {
	s := &IOStreams{
		In:        os.Stdin,
		Out:       os.Stdout,
		ErrOut:    os.Stderr,
		StdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		StdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		StderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
	_, noColor := os.LookupEnv("NO_COLOR")
	s.NoColor = noColor || !s.StdoutTTY
	return s
}

// Test returns streams backed by buffers, none of them a terminal.
func Test() (s *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, NoColor: true}, in, out, errOut
}

// ColorEnabled reports whether output may carry ANSI colour.
func (s *IOStreams) ColorEnabled() bool { return !s.NoColor && s.StdoutTTY }
