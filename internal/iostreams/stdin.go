package iostreams

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
	"golang.org/x/term"
)

// A read from a pipe or a terminal blocks in the kernel and cannot be
// interrupted, so a Ctrl-C at a prompt (or while `kite api --input -`
// waits for data) used to do nothing until a key was pressed, and then
// the answer typed after the Ctrl-C was taken. Every read of stdin goes
// through stdin instead: the blocking read runs in a goroutine and the
// caller waits for it or for its context, whichever ends first. A read
// abandoned that way is left behind (the process is about to exit); its
// bytes are kept for the next read, so none are lost if one ever comes.
//
// At a terminal, prompts go further (promptMode): Ctrl-C is read as a key
// rather than raised as SIGINT, so it cannot race with the answer typed
// after it.

// stdin is the cancellable standard input shared by every reader of one
// IOStreams: prompts, --input -, --file -.
type stdin struct {
	src     io.Reader
	pending chan chunk // the read under way, if any
	buf     []byte     // what reads read into, reused
	rest    []byte     // bytes of a finished read not yet handed out
	restErr error      // its error, returned once rest is used up
	br      *bufio.Reader
	// ctx is the context of the read under way through br (bufio.Reader
	// has no context of its own).
	ctx context.Context
}

type chunk struct {
	b   []byte
	err error
}

// read is Read bounded by ctx: it returns context.Cause(ctx) as soon as ctx
// ends, even while the underlying read is still blocked.
func (s *stdin) read(ctx context.Context, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if len(s.rest) == 0 && s.restErr == nil {
		if err := ctx.Err(); err != nil {
			return 0, context.Cause(ctx)
		}
		if s.pending == nil {
			ch := make(chan chunk, 1)
			// The buffer is free: rest (a slice of it) is used up and
			// no read owns it.
			if cap(s.buf) < len(p) {
				s.buf = make([]byte, max(len(p), 32<<10))
			}
			buf := s.buf[:cap(s.buf)]
			go func() {
				n, err := s.src.Read(buf)
				ch <- chunk{buf[:n], err}
			}()
			s.pending = ch
		}
		select {
		case c := <-s.pending:
			s.pending = nil
			s.rest, s.restErr = c.b, c.err
		case <-ctx.Done():
			return 0, context.Cause(ctx)
		}
		// An answer that arrived together with the signal is not an
		// answer: the signal wins.
		if ctx.Err() != nil {
			return 0, context.Cause(ctx)
		}
	}
	n := copy(p, s.rest)
	s.rest = s.rest[n:]
	if len(s.rest) == 0 && s.restErr != nil {
		err := s.restErr
		if n > 0 && err == io.EOF {
			return n, nil // the EOF again on the next read
		}
		s.restErr = nil
		return n, err
	}
	return n, nil
}

// Read makes stdin the io.Reader under br, with the context of the call
// under way.
func (s *stdin) Read(p []byte) (int, error) { return s.read(s.ctx, p) }

func (s *IOStreams) stdin() *stdin {
	if s.in == nil || s.in.src != s.In {
		s.in = &stdin{src: s.In, ctx: context.Background()}
		s.in.br = bufio.NewReader(s.in)
	}
	return s.in
}

// ctxReader reads stdin's shared buffer under one context.
type ctxReader struct {
	s   *stdin
	ctx context.Context
}

func (r ctxReader) Read(p []byte) (int, error) {
	r.s.ctx = r.ctx
	defer func() { r.s.ctx = context.Background() }()
	return r.s.br.Read(p)
}

// Stdin returns standard input as a reader whose reads end with
// context.Cause(ctx) when ctx ends: for `--input -` and `--file -`.
// Everything read from stdin, prompts included, shares one buffer.
func (s *IOStreams) Stdin(ctx context.Context) io.Reader {
	return ctxReader{s: s.stdin(), ctx: ctx}
}

// ctrlC is the byte Ctrl-C types when the terminal does not turn it into
// SIGINT (see promptMode).
const ctrlC = 0x03

// ReadLine reads one line from stdin, without its line end, and gives up
// with context.Cause(ctx) when ctx ends. At EOF it returns what there was,
// possibly "", and no error.
func (s *IOStreams) ReadLine(ctx context.Context) (string, error) {
	return s.readAnswer(ctx, "", true)
}

// Prompt writes label on stderr and reads the answer, one line, like
// ReadLine. At a terminal, Ctrl-C ends it at once with an
// *exitcode.Signaled for SIGINT, and what was typed after it is discarded:
// it is never taken as the answer.
func (s *IOStreams) Prompt(ctx context.Context, label string) (string, error) {
	return s.readAnswer(ctx, label, true)
}

// ErrNotTerminal is PromptPassword's answer when stdin is not a terminal.
var ErrNotTerminal = errors.New("stdin is not a terminal")

// PromptPassword is Prompt on the terminal on stdin, without echo. However
// it ends, the terminal echoes again afterwards.
func (s *IOStreams) PromptPassword(ctx context.Context, label string) (string, error) {
	if _, ok := s.stdinTerminal(); !ok {
		return "", ErrNotTerminal
	}
	v, err := s.readAnswer(ctx, label, false)
	fmt.Fprintln(s.ErrOut) // the Enter that was not echoed
	return v, err
}

// stdinTerminal is stdin's file descriptor when it is a terminal.
func (s *IOStreams) stdinTerminal() (int, bool) {
	f, ok := s.In.(interface{ Fd() uintptr })
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return -1, false
	}
	return int(f.Fd()), true
}

// readAnswer reads a line. At a terminal the prompt's mode is set before
// label is shown, so no Ctrl-C typed at the prompt can be a signal racing
// with the answer.
func (s *IOStreams) readAnswer(ctx context.Context, label string, echo bool) (string, error) {
	fd, tty := s.stdinTerminal()
	if tty {
		restore, err := promptMode(fd, echo)
		switch {
		case err == nil:
			defer restore()
		case !echo:
			fmt.Fprint(s.ErrOut, label)
			return readPasswordSignals(ctx, fd)
		default:
			tty = false // Ctrl-C stays a signal, which ends ctx
		}
	}
	fmt.Fprint(s.ErrOut, label)
	in := s.stdin()
	in.ctx = ctx
	defer func() { in.ctx = context.Background() }()
	var line []byte
	for {
		b, err := in.br.ReadByte()
		if ctx.Err() != nil {
			return "", context.Cause(ctx)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("reading from stdin: %w", err)
		}
		if tty && b == ctrlC {
			dropTypeAhead(fd)
			return "", &exitcode.Signaled{Signal: os.Interrupt}
		}
		if b == '\n' {
			break
		}
		line = append(line, b)
	}
	// Only the line end goes: spaces may be part of a password.
	return strings.TrimSuffix(string(line), "\r"), nil
}

// readPasswordSignals is ReadPassword where the terminal's mode cannot be
// set (promptMode is not available): Ctrl-C stays a signal, which ends ctx.
func readPasswordSignals(ctx context.Context, fd int) (string, error) {
	saved, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("reading from the terminal: %w", err)
	}
	ch := make(chan chunk, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		ch <- chunk{b, err}
	}()
	select {
	case c := <-ch:
		if ctx.Err() != nil {
			return "", context.Cause(ctx)
		}
		if c.err != nil {
			return "", fmt.Errorf("reading from the terminal: %w", c.err)
		}
		return strings.TrimRight(string(c.b), "\r\n"), nil
	case <-ctx.Done():
		// term.ReadPassword switched echo off and restores it only when
		// its read returns, which may be never.
		_ = term.Restore(fd, saved)
		return "", context.Cause(ctx)
	}
}
