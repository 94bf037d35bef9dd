package alerts

import "github.com/kitecli/kite/pkg/sandbox/market"

// Snapshot is a book's whole state, in a form that survives JSON: the
// sandbox saves one between runs so that alerts outlive its process.
type Snapshot struct {
	Alerts  []AlertState `json:"alerts"`
	ItemSeq int          `json:"item_seq"`
}

// AlertState is one alert as the book keeps it, with its firings.
type AlertState struct {
	Alert   Alert             `json:"alert"`
	LHS     market.Instrument `json:"lhs"`
	RHS     market.Instrument `json:"rhs"`
	History []History         `json:"history"`
}

// Snapshot returns a copy of the book's state.
func (b *Book) Snapshot() Snapshot {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := Snapshot{ItemSeq: b.itemSeq}
	for _, a := range b.list {
		s.Alerts = append(s.Alerts, AlertState{Alert: a.pub.clone(), LHS: a.lhs, RHS: a.rhs, History: append([]History{}, a.history...)})
	}
	return s
}

// Restore replaces the book's state with s (from Snapshot). A zero ItemSeq
// keeps the book's starting item ID.
func (b *Book) Restore(s Snapshot) {
	lookup := func(in market.Instrument) market.Instrument {
		if cur, ok := b.m.ByToken(in.Token); ok && in.Token != 0 {
			return cur
		}
		return in
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.list, b.byUUID = nil, map[string]*alert{}
	for _, st := range s.Alerts {
		a := &alert{pub: st.Alert, lhs: lookup(st.LHS), rhs: lookup(st.RHS), history: append([]History(nil), st.History...)}
		b.list = append(b.list, a)
		b.byUUID[a.pub.UUID] = a
	}
	if s.ItemSeq > 0 {
		b.itemSeq = s.ItemSeq
	}
}
