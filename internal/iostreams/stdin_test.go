package iostreams

import (
	"context"
	"errors"
	"io"
	"os"
	"testing"
	"time"
)

// A read of stdin that would block forever gives up when its context
// ends, with the context's cause; the bytes that arrive later are not
// lost to the abandoned read.
func TestStdinReadEndsWithItsContext(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	s := &IOStreams{In: pr, ErrOut: io.Discard}

	stop := errors.New("the signal")
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := s.ReadLine(ctx)
		done <- err
	}()
	cancel(stop)
	select {
	case err := <-done:
		if !errors.Is(err, stop) {
			t.Fatalf("ReadLine returned %v, want the context's cause", err)
		}
	case <-time.After(60 * time.Second): // liveness bound only
		t.Fatal("ReadLine kept waiting after its context ended")
	}

	if _, err := pw.Write([]byte("NSE:INFY\nrest")); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	line, err := s.ReadLine(context.Background())
	if err != nil || line != "NSE:INFY" {
		t.Fatalf("next line %q, %v", line, err)
	}
	rest, err := io.ReadAll(s.Stdin(context.Background()))
	if err != nil || string(rest) != "rest" {
		t.Fatalf("the rest %q, %v", rest, err)
	}
}

// A prompt on something that is not a terminal reads a plain line; a
// password prompt refuses.
func TestPromptWithoutATerminal(t *testing.T) {
	s, in, _, errOut := Test()
	in.WriteString("y\r\nsecond")
	got, err := s.Prompt(context.Background(), "Place this order? [y/N] ")
	if err != nil || got != "y" || errOut.String() != "Place this order? [y/N] " {
		t.Fatalf("Prompt: %q, %v; stderr %q", got, err, errOut)
	}
	if got, err := s.ReadLine(context.Background()); err != nil || got != "second" {
		t.Fatalf("ReadLine at EOF: %q, %v", got, err)
	}
	if _, err := s.PromptPassword(context.Background(), "Password: "); !errors.Is(err, ErrNotTerminal) {
		t.Fatalf("PromptPassword: %v", err)
	}
}
