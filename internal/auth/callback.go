package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
)

// Callback is the loopback HTTP listener that Kite's post-login redirect
// lands on. It binds 127.0.0.1 only: the request token must never be
// reachable from the network. Any page in the user's browser can still
// send a request to 127.0.0.1, so a redirect counts only if it carries the
// callback's random state (see Client.LoginURL): without it, a page could
// log the CLI in to an account of its choosing, or abort the login.
type Callback struct {
	ln      net.Listener
	srv     *http.Server
	port    int
	state   string
	once    sync.Once
	result  chan callbackResult
	refused chan struct{} // buffered 1: a redirect without the state came
}

// StateParam is the query parameter that carries a login's state on the
// redirect.
const StateParam = "kite_state"

type callbackResult struct {
	token string
	err   error
}

// ListenCallback starts listening on 127.0.0.1:port (0 picks a free port).
// A port in use is a usage error saying what to do.
func ListenCallback(port int) (*Callback, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, exitcode.Usagef("cannot listen for Kite's redirect: port %d on 127.0.0.1 is in use: free it, pass --callback-port with your app's redirect port, or use --manual", port)
		}
		return nil, fmt.Errorf("cannot listen for Kite's redirect on 127.0.0.1:%d: %w", port, err)
	}
	cb := &Callback{ln: ln, port: ln.Addr().(*net.TCPAddr).Port, state: rand.Text(),
		result: make(chan callbackResult, 1), refused: make(chan struct{}, 1)}
	cb.srv = &http.Server{Handler: cb, ReadHeaderTimeout: 10 * time.Second}
	go cb.srv.Serve(ln) // returns ErrServerClosed on Close; nothing to report
	return cb, nil
}

// Port is the port the callback listens on.
func (cb *Callback) Port() int { return cb.port }

// State is the random value the login URL must carry for the redirect to
// be accepted; pass it to Client.LoginURL.
func (cb *Callback) State() string { return cb.state }

// ServeHTTP takes the first redirect that carries a result (any path: the
// app's registered redirect path is the user's choice) and tells the
// browser the tab can be closed.
func (cb *Callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.Host)
	if host != "127.0.0.1" && host != "localhost" {
		// A page on another origin resolving to us (DNS rebinding) gets nothing.
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	q := r.URL.Query()
	if q.Get("status") == "" && q.Get("request_token") == "" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if subtle.ConstantTimeCompare([]byte(q.Get(StateParam)), []byte(cb.state)) != 1 {
		select {
		case cb.refused <- struct{}{}:
		default:
		}
		page(w, http.StatusForbidden, "kite login", "This redirect does not belong to the login kite is waiting for, so it was ignored. Return to the terminal for details.")
		return
	}
	tok, err := tokenFromQuery(q)
	delivered := false
	cb.once.Do(func() {
		cb.result <- callbackResult{token: tok, err: err}
		delivered = true
	})
	switch {
	case !delivered:
		page(w, http.StatusConflict, "kite login", "This login was already handled. You can close this tab.")
	case err != nil:
		page(w, http.StatusBadRequest, "kite login failed", "Kite did not complete the login. Return to the terminal for details. You can close this tab.")
	default:
		page(w, http.StatusOK, "kite login", "Logged in. You can close this tab and return to the terminal.")
	}
}

func page(w http.ResponseWriter, status int, title, msg string) {
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><meta charset=utf-8><title>%s</title><p>%s</p>\n", html.EscapeString(title), html.EscapeString(msg))
}

// Wait returns the request token of the first redirect, or the redirect's
// error (status other than success), or ctx's error. Meanwhile it calls
// refused, if not nil, when a redirect without the login's state has been
// turned away, so the user can be told why nothing happened.
func (cb *Callback) Wait(ctx context.Context, refused func()) (string, error) {
	if refused == nil {
		refused = func() {}
	}
	for {
		select {
		case r := <-cb.result:
			// A refusal answered before this result is still reported.
			select {
			case <-cb.refused:
				refused()
			default:
			}
			return r.token, r.err
		case <-cb.refused:
			refused()
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// Close stops the listener, giving the answer page a moment to be sent.
func (cb *Callback) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return cb.srv.Shutdown(ctx)
}
