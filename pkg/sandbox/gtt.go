package sandbox

import (
	"net/http"
	"strconv"

	"github.com/kitecli/kite/pkg/sandbox/gtt"
)

// gttRoutes serves Kite's GTT API (/gtt/triggers) from the world's book.
func (s *Server) gttRoutes(api func(pattern string, c endpointClass, h apiHandler)) {
	api("GET /gtt/triggers", classOther, s.handleGTTs)
	api("POST /gtt/triggers", classOther, s.handleGTTCreate)
	api("GET /gtt/triggers/{id}", classOther, s.handleGTT)
	api("PUT /gtt/triggers/{id}", classOther, s.handleGTTModify)
	api("DELETE /gtt/triggers/{id}", classOther, s.handleGTTDelete)
}

type triggerIDJSON struct {
	TriggerID int `json:"trigger_id"`
}

func (s *Server) handleGTTs(w http.ResponseWriter, r *http.Request, _ session) {
	writeData(w, s.world.gtt.List())
}

func (s *Server) handleGTTCreate(w http.ResponseWriter, r *http.Request, _ session) {
	p, err := gtt.ParseForm(r.PostForm)
	if err != nil {
		writeErr(w, err)
		return
	}
	id, err := s.world.gtt.Create(p)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeData(w, triggerIDJSON{id})
}

// gttID reads the {id} path value; a malformed one is answered as an
// unknown trigger, as it names none.
func gttID(w http.ResponseWriter, r *http.Request) (int, bool) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id <= 0 {
		inputError(w, gtt.MsgNotFound)
		return 0, false
	}
	return id, true
}

func (s *Server) handleGTT(w http.ResponseWriter, r *http.Request, _ session) {
	id, ok := gttID(w, r)
	if !ok {
		return
	}
	t, err := s.world.gtt.Get(id)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeData(w, t)
}

func (s *Server) handleGTTModify(w http.ResponseWriter, r *http.Request, _ session) {
	id, ok := gttID(w, r)
	if !ok {
		return
	}
	p, err := gtt.ParseForm(r.PostForm)
	if err != nil {
		writeErr(w, err)
		return
	}
	if _, err := s.world.gtt.Modify(id, p); err != nil {
		writeErr(w, err)
		return
	}
	writeData(w, triggerIDJSON{id})
}

func (s *Server) handleGTTDelete(w http.ResponseWriter, r *http.Request, _ session) {
	id, ok := gttID(w, r)
	if !ok {
		return
	}
	if _, err := s.world.gtt.Delete(id); err != nil {
		writeErr(w, err)
		return
	}
	writeData(w, triggerIDJSON{id})
}
