package iostreams

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

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

// stdin is the cancellable standard input shared by every reader of one
// IOStreams: prompts, --input -, --file -.
type stdin struct {
	src     io.Reader
	pending chan chunk // the read under way, if any
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
			buf := make([]byte, max(len(p), 4096))
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

// ReadLine reads one line from stdin, without its line end, and gives up
// with context.Cause(ctx) when ctx ends (a Ctrl-C at a prompt). At EOF it
// returns what there was, possibly "", and no error.
func (s *IOStreams) ReadLine(ctx context.Context) (string, error) {
	in := s.stdin()
	in.ctx = ctx
	defer func() { in.ctx = context.Background() }()
	line, err := in.br.ReadString('\n')
	if ctx.Err() != nil {
		return "", context.Cause(ctx)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// ErrNotTerminal is ReadPassword's answer when stdin is not a terminal.
var ErrNotTerminal = errors.New("stdin is not a terminal")

// ReadPassword reads one line from the terminal on stdin without echoing
// it. When ctx ends first it gives up at once with context.Cause(ctx) and
// puts the terminal back as it was, so the shell the user returns to
// echoes again.
func (s *IOStreams) ReadPassword(ctx context.Context) (string, error) {
	f, ok := s.In.(interface{ Fd() uintptr })
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", ErrNotTerminal
	}
	fd := int(f.Fd())
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
		// Only the line end goes: spaces may be part of a password.
		return strings.TrimRight(string(c.b), "\r\n"), nil
	case <-ctx.Done():
		// term.ReadPassword switched echo off and restores it only when
		// its read returns, which may be never.
		_ = term.Restore(fd, saved)
		return "", context.Cause(ctx)
	}
}
