package sandbox

import (
	"net/http"

	"github.com/kitecli/kite/pkg/sandbox/alerts"
)

// alertRoutes serves Kite's alerts API (/alerts) from the world's book.
func (s *Server) alertRoutes(api func(pattern string, c endpointClass, h apiHandler)) {
	api("GET /alerts", classOther, s.handleAlerts)
	api("POST /alerts", classOther, s.handleAlertCreate)
	api("DELETE /alerts", classOther, s.handleAlertDelete)
	api("GET /alerts/{uuid}", classOther, s.handleAlert)
	api("PUT /alerts/{uuid}", classOther, s.handleAlertModify)
	api("GET /alerts/{uuid}/history", classOther, s.handleAlertHistory)
}

func (s *Server) handleAlerts(w http.ResponseWriter, r *http.Request, _ session) {
	list, err := s.world.alerts.List(r.URL.Query().Get("status"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeData(w, list)
}

func (s *Server) handleAlertCreate(w http.ResponseWriter, r *http.Request, _ session) {
	p, err := alerts.ParseForm(r.PostForm)
	if err != nil {
		writeErr(w, err)
		return
	}
	a, err := s.world.alerts.Create(p)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeData(w, a)
}

func (s *Server) handleAlert(w http.ResponseWriter, r *http.Request, _ session) {
	a, err := s.world.alerts.Get(r.PathValue("uuid"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeData(w, a)
}

func (s *Server) handleAlertModify(w http.ResponseWriter, r *http.Request, _ session) {
	p, err := alerts.ParseForm(r.PostForm)
	if err != nil {
		writeErr(w, err)
		return
	}
	a, err := s.world.alerts.Modify(r.PathValue("uuid"), p)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeData(w, a)
}

func (s *Server) handleAlertDelete(w http.ResponseWriter, r *http.Request, _ session) {
	if err := s.world.alerts.Delete(r.URL.Query()["uuid"]); err != nil {
		writeErr(w, err)
		return
	}
	writeData(w, nil)
}

func (s *Server) handleAlertHistory(w http.ResponseWriter, r *http.Request, _ session) {
	h, err := s.world.alerts.History(r.PathValue("uuid"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeData(w, list(h))
}
