// Package natstest runs a real NATS server with JetStream in the test
// process, on loopback, with its store in a temporary directory: the way
// the NATS projects test themselves. Only tests import it, so the kite
// binary does not link nats-server.
package natstest

import (
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Server is one in-process NATS server that can be stopped and started
// again on the same port and store (an outage).
type Server struct {
	t    testing.TB
	opts server.Options
	srv  *server.Server
}

// Start runs a JetStream server on 127.0.0.1 (a free port) storing in a
// temporary directory; it is shut down when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, opts: server.Options{
		Host:      "127.0.0.1",
		Port:      server.RANDOM_PORT,
		JetStream: true,
		StoreDir:  t.TempDir(),
		NoLog:     true,
		NoSigs:    true,
	}}
	s.Restart()
	// A restart must come back where clients reconnect to.
	s.opts.Port = s.srv.Addr().(*net.TCPAddr).Port
	t.Cleanup(s.Stop)
	return s
}

// URL is nats://127.0.0.1:PORT.
func (s *Server) URL() string { return s.srv.ClientURL() }

// Stop shuts the server down (its store stays).
func (s *Server) Stop() {
	if s.srv != nil {
		s.srv.Shutdown()
		s.srv.WaitForShutdown()
	}
}

// Restart starts the server (again), on the same port and store.
func (s *Server) Restart() {
	s.t.Helper()
	o := s.opts
	srv, err := server.NewServer(&o)
	if err != nil {
		s.t.Fatalf("nats-server: %v", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		s.t.Fatalf("nats-server did not start within 10s")
	}
	s.srv = srv
}
