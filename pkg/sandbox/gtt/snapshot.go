package gtt

import "github.com/kitecli/kite/pkg/sandbox/market"

// Snapshot is a book's whole state, in a form that survives JSON: the
// sandbox saves one between runs so that GTTs outlive its process.
type Snapshot struct {
	Triggers []TriggerState `json:"triggers"`
	Seq      int            `json:"seq"`
}

// TriggerState is one GTT as the book keeps it.
type TriggerState struct {
	Trigger    Trigger           `json:"trigger"`
	Instrument market.Instrument `json:"instrument"`
	Below      bool              `json:"below"`
}

// Snapshot returns a copy of the book's state.
func (b *Book) Snapshot() Snapshot {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := Snapshot{Seq: b.seq}
	for _, t := range b.list {
		c := t.pub.clone()
		c.Meta = t.pub.Meta
		s.Triggers = append(s.Triggers, TriggerState{Trigger: c, Instrument: t.in, Below: t.below})
	}
	return s
}

// Restore replaces the book's state with s (from Snapshot). A zero Seq
// keeps the book's starting ID.
func (b *Book) Restore(s Snapshot) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.list, b.byID = nil, map[int]*trigger{}
	for _, st := range s.Triggers {
		in := st.Instrument
		if cur, ok := b.m.ByToken(in.Token); ok {
			in = cur
		}
		t := &trigger{pub: st.Trigger, in: in, below: st.Below}
		b.list = append(b.list, t)
		b.byID[t.pub.ID] = t
	}
	if s.Seq > 0 {
		b.seq = s.Seq
	}
}
