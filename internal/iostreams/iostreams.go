// Package iostreams bundles a command's standard streams with what it needs
// to know about them: whether each is a terminal and whether colour is wanted.
// Commands take an *IOStreams instead of touching os.Stdout, so tests run
// them against buffers and the terminal-dependent defaults stay testable.
package iostreams

import (
	"bytes"
	"fmt"
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
	// ForceColor is --color always: colour even in a pipe or with NO_COLOR.
	ForceColor bool
	// Width is the terminal's width in columns when stdout is a terminal,
	// else 0: tables are fitted to it.
	Width int

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
	// no-color.org: NO_COLOR set to anything but the empty string.
	s.NoColor = os.Getenv("NO_COLOR") != "" || !s.StdoutTTY
	if s.StdoutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			s.Width = w
		}
	}
	return s
}

// Test returns streams backed by buffers, none of them a terminal.
func Test() (s *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, NoColor: true}, in, out, errOut
}

// ColorEnabled reports whether output may carry ANSI colour.
func (s *IOStreams) ColorEnabled() bool { return s.ForceColor || (!s.NoColor && s.StdoutTTY) }

// SetColorMode applies --color: "auto" (the default) colours a terminal
// unless NO_COLOR is set, "always" colours even a pipe, "never" never.
func (s *IOStreams) SetColorMode(mode string) error {
	switch mode {
	case "", "auto":
	case "always":
		s.ForceColor, s.NoColor = true, false
	case "never":
		s.ForceColor, s.NoColor = false, true
	default:
		return fmt.Errorf("unknown --color %q: use never, auto or always", mode)
	}
	return nil
}
