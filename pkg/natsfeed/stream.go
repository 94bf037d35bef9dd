package natsfeed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Defaults of a stream EnsureStream creates.
const (
	// DefaultMaxAge keeps a trading day and the night after it, so a
	// consumer can replay today's session with --since.
	DefaultMaxAge = 24 * time.Hour
	// DefaultDuplicates is the window in which JetStream drops a second
	// message with the same Nats-Msg-Id: long enough for two publishers
	// minutes apart, or one resending after a reconnect.
	DefaultDuplicates = 2 * time.Minute
	// DefaultMaxPerSubject keeps this many messages per subject (per
	// instrument); old ones go first. With --last a consumer gets the
	// latest tick of each instrument.
	DefaultMaxPerSubject = 100_000
)

// DefaultStreamName is the stream for a prefix when none is named: the
// prefix upper-cased ("kite" → "KITE"), dots and other characters stream
// names cannot hold replaced by "_".
func DefaultStreamName(prefix string) string {
	b := []byte(prefix)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			b[i] = '_'
		}
	}
	return string(b)
}

// StreamConfig is what EnsureStream creates for prefix: file storage,
// subjects PREFIX.>, DefaultMaxAge, DefaultDuplicates and
// DefaultMaxPerSubject.
func StreamConfig(name, prefix string) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:              name,
		Description:       "Kite ticks, order updates and events published by kite stream --publish",
		Subjects:          []string{prefix + ".>"},
		Storage:           jetstream.FileStorage,
		Retention:         jetstream.LimitsPolicy,
		Discard:           jetstream.DiscardOld,
		MaxAge:            DefaultMaxAge,
		Duplicates:        DefaultDuplicates,
		MaxMsgsPerSubject: DefaultMaxPerSubject,
	}
}

// EnsureStream returns the stream name, creating it with StreamConfig if
// it does not exist. An existing stream is used as it is. created tells
// which.
func EnsureStream(ctx context.Context, js jetstream.JetStream, name, prefix string) (s jetstream.Stream, created bool, err error) {
	s, err = js.Stream(ctx, name)
	if err == nil {
		return s, false, nil
	}
	if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, false, fmt.Errorf("looking up JetStream stream %s: %w", name, err)
	}
	s, err = js.CreateStream(ctx, StreamConfig(name, prefix))
	if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
		// Another publisher created it in between.
		s, err = js.Stream(ctx, name)
		return s, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("creating JetStream stream %s: %w", name, err)
	}
	return s, true, nil
}
