package sandbox

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/kitecli/kite/pkg/kitespec"
	"github.com/kitecli/kite/pkg/sandbox/paper"
)

// MsgUnregisteredIP is the sandbox's refusal of an order write from an
// address outside Options.AllowedIPs, with the address it saw. Kite's
// exact wording is not published; this one says what Kite's does (the
// order was refused because the IP is not registered) and what to do.
const MsgUnregisteredIP = "Order requests are not allowed from IP %s: it is not registered as a static IP for this app. Add it under IP Whitelist in the Kite Connect developer console."

// staticIP wraps an order-write handler with the static-IP check.
func (s *Server) staticIP(h apiHandler) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, sess session) {
		if len(s.opts.AllowedIPs) > 0 {
			ip := clientIP(r)
			if !ip.IsValid() || !slices.Contains(s.opts.AllowedIPs, ip) {
				shown := "unknown"
				if ip.IsValid() {
					shown = ip.String()
				}
				writeError(w, http.StatusForbidden, kitespec.PermissionException, fmt.Sprintf(MsgUnregisteredIP, shown))
				return
			}
		}
		h(w, r, sess)
	}
}

// clientIP is the address the request came from.
func clientIP(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return ip.Unmap()
}

// placedAt records when orders were placed, so the BookLag fault can hide
// them until the lag has passed.
type placedAt struct {
	mu sync.Mutex
	at map[string]time.Time
}

func (p *placedAt) add(ids ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.at == nil {
		p.at = map[string]time.Time{}
	}
	now := time.Now()
	for _, id := range ids {
		p.at[id] = now
	}
}

// hidden reports whether order id is still behind the book's lag.
func (p *placedAt) hidden(id string, lag time.Duration) bool {
	if lag <= 0 {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.at[id]
	return ok && time.Since(t) < lag
}

// visibleOrders is the order book without the orders still behind the
// BookLag fault.
func (s *Server) visibleOrders() []paper.Order {
	book := s.world.paper.Orders()
	lag := s.currentFaults().BookLag
	if lag <= 0 {
		return book
	}
	return slices.DeleteFunc(book, func(o paper.Order) bool { return s.placed.hidden(o.OrderID, lag) })
}

// orderHidden reports whether an order must look missing because of the
// BookLag fault.
func (s *Server) orderHidden(id string) bool {
	return s.placed.hidden(id, s.currentFaults().BookLag)
}

func (s *Server) handlePlaceOrder(w http.ResponseWriter, r *http.Request, _ session) {
	p, err := paper.ParsePlaceForm(r.PathValue("variety"), r.PostForm)
	if err != nil {
		writeErr(w, err)
		return
	}
	if !s.checkMarketHours(w, p.Variety, p.Exchange, p.Tradingsymbol) { // hours.go
		return
	}
	var data any
	if p.Autoslice {
		res, err := s.world.paper.PlaceAutoslice(p)
		if err != nil {
			writeErr(w, err)
			return
		}
		for _, c := range res.Children {
			if c.OrderID != "" {
				s.placed.add(c.OrderID)
			}
		}
		data = res
	} else {
		id, err := s.world.paper.Place(p)
		if err != nil {
			writeErr(w, err)
			return
		}
		s.placed.add(id)
		data = orderIDJSON{id}
	}
	if s.currentFaults().DropPlaceResponse {
		dropConnection(w)
		return
	}
	writeData(w, data)
}

// dropConnection closes the client's connection without a response.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // net/http closes the connection
}
