package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/kitecli/kite/pkg/sandbox/alerts"
	"github.com/kitecli/kite/pkg/sandbox/gtt"
	"github.com/kitecli/kite/pkg/sandbox/paper"
)

// StateVersion is the version of the account state SaveState writes. A
// state of another version is refused (ErrBadState) rather than guessed at.
const StateVersion = 1

// ErrBadState is wrapped by Start when Options.State cannot be read as an
// account state of this version.
var ErrBadState = errors.New("unreadable sandbox account state")

// accountState is the paper account as saved between runs: the market is
// not in it, since it follows from the seed and the clock.
type accountState struct {
	Version int             `json:"version"`
	Seed    int64           `json:"seed"`
	Paper   paper.Snapshot  `json:"paper"`
	GTT     gtt.Snapshot    `json:"gtt"`
	Alerts  alerts.Snapshot `json:"alerts"`
}

// SaveState writes the paper account (orders, trades, positions, holdings,
// GTTs and alerts) as JSON to w, for Options.State of a later Start.
func (s *Server) SaveState(w io.Writer) error {
	st := accountState{
		Version: StateVersion,
		Seed:    s.opts.Seed,
		Paper:   s.world.paper.Snapshot(),
		GTT:     s.world.gtt.Snapshot(),
		Alerts:  s.world.alerts.Snapshot(),
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(st); err != nil {
		return fmt.Errorf("sandbox: saving the account: %w", err)
	}
	return nil
}

// restore loads a state SaveState wrote into a new world. Nothing is
// changed unless the whole state reads.
func (w *world) restore(r io.Reader, seed int64) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var st accountState
	if err := dec.Decode(&st); err != nil {
		return fmt.Errorf("%w: %s", ErrBadState, describeJSONError(err))
	}
	if dec.More() {
		return fmt.Errorf("%w: data after the state", ErrBadState)
	}
	if st.Version != StateVersion {
		return fmt.Errorf("%w: version %d, this kite reads version %d", ErrBadState, st.Version, StateVersion)
	}
	if st.Seed != seed {
		return fmt.Errorf("%w: saved for seed %d, not %d", ErrBadState, st.Seed, seed)
	}
	w.paper.Restore(st.Paper)
	w.gtt.Restore(st.GTT)
	w.alerts.Restore(st.Alerts)
	return nil
}

// describeJSONError says what is wrong with a state in words, without Go's
// type names.
func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the file is empty or cut short"
	case errors.As(err, &syn):
		return fmt.Sprintf("not JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong kind of value", typ.Field)
	default:
		return "not a sandbox account state"
	}
}
