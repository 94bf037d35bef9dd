// Package sandbox is a local, simulated Kite: the Kite Connect v3 REST API,
// the Kite web login and /oms API, and the WebSocket ticker, backed by a
// seeded market model (package market) and a paper-trading engine (package
// paper). It exists so that every kite command can be tried, and every test
// of this project can run, against a real server over loopback with no
// account and no network: an official client pointed at URL() and WSURL()
// should not be able to tell it from Kite, apart from the URLs.
//
// It is written apart from the client in pkg/kite and imports nothing of
// it (TestSandboxIsIndependentOfTheClient checks): its own error type
// (package apierr), its own rate limiter, its own checks. Only Kite's
// published figures and messages come from pkg/kitespec, which both sides
// import; docs/design.md says why.
//
// # Credentials
//
// The sandbox has one user and one Kite Connect app with fixed credentials
// (they protect nothing: the server binds to loopback only):
//
//	api_key      kitesandbox                      (APIKey)
//	api_secret   sandbox-api-secret               (APISecret)
//	user_id      SB0001                           (UserID)
//	password     sandbox-password                 (Password)
//	TOTP secret  KITESANDBOXTOTPSECRETJBSWY3DPEHP (TOTPSecret, base32)
//
// # Endpoints
//
// URL() is the REST root. Kite Connect paths are served at the root with
// "Authorization: token api_key:access_token"; the same paths are served
// under /oms with "Authorization: enctoken …" (a Kite web session). Logins:
// GET /connect/login?api_key=…&v=3 redirects to Options.RedirectURL with a
// request_token, exchanged at POST /session/token with the checksum
// sha256(api_key+request_token+api_secret); POST /api/login then
// POST /api/twofa (TOTP) set the enctoken cookie. WSURL() is the ticker; it
// takes api_key+access_token or user_id+enctoken in the query, as Kite does.
// Sessions die at 06:00 IST the next morning, as Kite's do; a request token
// is valid once, for five minutes.
//
// # Market clock
//
// Quotes, the ticker and historical candles read one price model at the
// market clock's time (Options.MarketClock, the wall clock by default), so
// they agree. Options.Hours chooses when it trades: AlwaysOpen, the
// default, round the clock; RealHours, the IST sessions, with regular
// orders refused and AMO orders held outside them (see hours.go).
//
// # Limits and faults
//
// Kite's rate limits are enforced per API key (429 NetworkException past
// them), as are the ticker's (3000 instruments per connection, 3 connections
// per API key). Faults (Options.Faults, SetFaults, ExpireSessions,
// SendMalformed; SessionTTL and MalformedEvery for the last two on a
// schedule) make the server misbehave on purpose so that clients'
// retry, reconnect and error paths can be tested against it.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// The sandbox's fixed credentials.
const (
	APIKey     = "kitesandbox"
	APISecret  = "sandbox-api-secret"
	UserID     = "SB0001"
	Password   = "sandbox-password"
	TOTPSecret = "KITESANDBOXTOTPSECRETJBSWY3DPEHP"
)

// DefaultRedirectURL is the Connect app's registered redirect URL when
// Options.RedirectURL is empty.
const DefaultRedirectURL = "http://127.0.0.1:5050/callback"

// Options configure a sandbox.
type Options struct {
	Addr         string        // "" = 127.0.0.1:0; non-loopback refused unless AllowRemote
	AllowRemote  bool          // allow a non-loopback Addr
	Seed         int64         // seeds the market walk and the ErrorRate fault
	TickInterval time.Duration // market step and ticker batch period; 0 = 1s; down to 1ms
	RedirectURL  string        // Connect app redirect; "" = DefaultRedirectURL
	Logger       *slog.Logger  // nil = discard
	Faults       Faults
	// LoadInstruments adds that many synthetic NSE equities (LOAD00001,
	// LOAD00002, …) to the universe, so load tests can subscribe more
	// instruments than the real-looking universe has.
	LoadInstruments int
	// RateLimits override Kite's limits (DefaultRateLimits); the zero value
	// keeps Kite's.
	RateLimits RateLimits
	// AllowedIPs, when not empty, admits order writes (place, modify,
	// cancel) only from these client addresses, as Kite admits them only
	// from an app's registered static IPs since April 2026; others get a
	// 403 PermissionException (see MsgUnregisteredIP). Reads are not
	// checked, as on Kite.
	AllowedIPs []netip.Addr
	// Hours are the market's trading hours: AlwaysOpen (the zero value)
	// or RealHours (see hours.go).
	Hours Hours
	// MarketClock is the market's clock, read at the start and on every
	// tick; nil = time.Now. Tests inject a fixed one. Sessions, rate
	// limits and faults keep the wall clock.
	MarketClock func() time.Time
	// Replay serves a recorded day (see replay.go): its instruments join
	// the universe, and from the first ticker subscription its binary
	// messages, re-stamped to now and paced as recorded, set their
	// instruments' prices for the ticker, quotes and the paper engine.
	// The ticker then sends ticks only as the recording changes them.
	Replay ReplaySource
	// State, when set, is a paper account saved by SaveState (for the
	// same Seed) to carry on from: its orders, trades, positions,
	// holdings, GTTs and alerts replace the fresh account's. Start fails
	// with an error wrapping ErrBadState if it cannot be read.
	State io.Reader
}

// Faults make the sandbox misbehave on purpose. The zero value is a healthy
// server.
type Faults struct {
	DropEvery time.Duration // close every ticker connection this long after it opened
	Stall     time.Duration // after connecting, send nothing (no data, no heartbeat) for this long
	ErrorRate float64       // fraction of REST requests answered 503/500; which ones follows from Seed and request order
	RateLimit bool          // answer every REST request 429 NetworkException with Retry-After
	// BookLag hides a newly placed order from the order book, its history
	// and its trades for this long, as Kite's book can lag a placement.
	BookLag time.Duration
	// DropPlaceResponse places each order, then closes the connection
	// without answering: the client cannot tell whether it was placed.
	DropPlaceResponse bool
	// SessionTTL, when set, makes every session issued from then on (access
	// tokens, enctokens) expire that long after it was issued, instead of
	// at 06:00 IST: requests with it get 403 TokenException and its ticker
	// connections close, as at a real expiry.
	SessionTTL time.Duration
	// MalformedEvery sends every ticker connection a malformed binary
	// message (a packet length overrunning the message) this often.
	MalformedEvery time.Duration
}

// Server is a running sandbox. Its methods are safe for concurrent use.
type Server struct {
	opts     Options
	log      *slog.Logger
	srv      *http.Server
	url      string
	wsURL    string
	world    *world
	sessions *sessions
	limiter  *limiter
	ticker   *tickerHub
	replay   *replayState // nil unless Options.Replay

	faultMu sync.Mutex
	faults  Faults
	errRand *rand.Rand // guarded by faultMu

	malformed atomic.Uint64 // bumped by SendMalformed

	placed placedAt // when each order was placed, for the BookLag fault

	auth holdingsAuth // CDSL authorisations (portfolio_extra.go)

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // background goroutines
	closed sync.Once
}

// ErrRemoteAddr is returned by Start for a non-loopback Addr without
// AllowRemote.
var ErrRemoteAddr = errors.New("refusing a non-loopback listen address: the sandbox's credentials are public")

// MinTickInterval is the shortest TickInterval accepted.
const MinTickInterval = time.Millisecond

// Start starts a sandbox listening on opts.Addr. It serves until Close or
// until ctx is done.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.TickInterval == 0 {
		opts.TickInterval = time.Second
	}
	if opts.TickInterval < MinTickInterval {
		return nil, fmt.Errorf("sandbox: tick interval %v is below the minimum %v", opts.TickInterval, MinTickInterval)
	}
	if opts.RedirectURL == "" {
		opts.RedirectURL = DefaultRedirectURL
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := checkFaults(opts.Faults); err != nil {
		return nil, err
	}
	if !opts.AllowRemote {
		if err := checkLoopback(opts.Addr); err != nil {
			return nil, err
		}
	}
	if opts.MarketClock == nil {
		opts.MarketClock = time.Now
	}
	w, err := newWorld(opts.Seed, opts.MarketClock(), opts.LoadInstruments, opts.Hours, replayInstruments(opts.Replay))
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if opts.State != nil {
		if err := w.restore(opts.State, opts.Seed); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	s := &Server{
		opts:     opts,
		log:      opts.Logger,
		world:    w,
		sessions: newSessions(opts.Faults.SessionTTL),
		limiter:  newLimiter(opts.RateLimits),
		faults:   opts.Faults,
		errRand:  rand.New(rand.NewPCG(uint64(opts.Seed), 0x6b697465)),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.ticker = newTickerHub(s)
	if opts.Replay != nil {
		s.replay = &replayState{started: make(chan struct{})}
	}
	host := ln.Addr().String()
	s.url = "http://" + host
	s.wsURL = "ws://" + host + "/ws"
	s.srv = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return s.ctx },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("sandbox server stopped", "err", err)
		}
	}()
	go func() {
		defer s.wg.Done()
		s.runClock()
	}()
	if opts.Replay != nil {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.runReplay()
		}()
	}
	if ctx != nil && ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { s.Close() })
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			<-s.ctx.Done()
			stop()
		}()
	}
	s.log.Info("sandbox listening", "url", s.url, "ws", s.wsURL, "tick_interval", opts.TickInterval, "seed", opts.Seed)
	return s, nil
}

func checkFaults(f Faults) error {
	if f.ErrorRate < 0 || f.ErrorRate > 1 {
		return fmt.Errorf("sandbox: error rate %v is not between 0 and 1", f.ErrorRate)
	}
	if f.DropEvery < 0 || f.Stall < 0 || f.BookLag < 0 || f.SessionTTL < 0 || f.MalformedEvery < 0 {
		return errors.New("sandbox: fault durations must not be negative")
	}
	return nil
}

// checkLoopback refuses listen addresses that are not loopback: the sandbox
// has fixed, published credentials.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("sandbox: bad listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("sandbox: %q: %w; use 127.0.0.1 or allow remote access explicitly", addr, ErrRemoteAddr)
	}
	return nil
}

// URL is the REST root, "http://127.0.0.1:PORT".
func (s *Server) URL() string { return s.url }

// WSURL is the ticker URL, "ws://127.0.0.1:PORT/ws".
func (s *Server) WSURL() string { return s.wsURL }

// AccessToken issues a new, valid Kite Connect access token for APIKey, as
// if the user had logged in.
func (s *Server) AccessToken() string {
	return s.sessions.issueAccess(APIKey, UserID)
}

// SetFaults replaces the active faults. Invalid ones (a rate outside
// [0, 1], a negative duration) are ignored, leaving the faults as they were.
func (s *Server) SetFaults(f Faults) {
	if checkFaults(f) != nil {
		return
	}
	s.faultMu.Lock()
	s.faults = f
	s.faultMu.Unlock()
	s.sessions.setTTL(f.SessionTTL)
}

func (s *Server) currentFaults() Faults {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	return s.faults
}

// failNow decides, from the seeded fault generator, whether this request is
// one of the ErrorRate fraction answered with a server error.
func (s *Server) failNow() (bool, int) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	if s.faults.ErrorRate <= 0 {
		return false, 0
	}
	if s.errRand.Float64() >= s.faults.ErrorRate {
		return false, 0
	}
	if s.errRand.IntN(2) == 0 {
		return true, http.StatusServiceUnavailable
	}
	return true, http.StatusInternalServerError
}

// ExpireSessions invalidates every access token, enctoken, request token
// and pending web login: later requests with them get 403 TokenException,
// and their ticker connections are closed.
func (s *Server) ExpireSessions() {
	s.sessions.expireAll()
	s.ticker.dropAll()
}

// SendMalformed makes the next binary message on every open ticker
// connection malformed (a packet length overrunning the message).
func (s *Server) SendMalformed() {
	s.malformed.Add(1)
	s.ticker.wakeAll()
}

// Close stops the server, its ticker connections and its market clock, and
// waits for them.
func (s *Server) Close() error {
	var err error
	s.closed.Do(func() {
		s.cancel()
		s.ticker.dropAll()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = s.srv.Shutdown(ctx)
		if err != nil {
			err = s.srv.Close()
		}
		s.ticker.wait()
		s.wg.Wait()
	})
	return err
}
