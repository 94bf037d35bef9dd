package sandbox

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"sync"
	"time"

	"github.com/kitecli/kite/pkg/sandbox/market"
)

// Lifetimes of the short-lived login tokens. Kite's request token is valid
// for a few minutes and once; so is the request_id of a web login.
const (
	requestTokenTTL = 5 * time.Minute
	loginRequestTTL = 5 * time.Minute
)

// session is what an access token or enctoken stands for.
type session struct {
	apiKey  string // "" for a web session
	userID  string
	web     bool
	expires time.Time
}

// sessionExpiry is when a session issued at t dies: 06:00 IST the next
// morning (or this morning, if issued before six), as Kite's do.
func sessionExpiry(t time.Time) time.Time {
	t = t.In(market.IST)
	six := time.Date(t.Year(), t.Month(), t.Day(), 6, 0, 0, 0, market.IST)
	if !t.Before(six) {
		six = six.AddDate(0, 0, 1)
	}
	return six
}

// sessions holds every token the sandbox has issued. ExpireSessions empties
// it, which is exactly what a Kite session expiry looks like to a client.
type sessions struct {
	mu            sync.Mutex
	requestTokens map[string]time.Time // request_token → expiry
	access        map[string]session   // access_token → session
	enc           map[string]session   // enctoken → session
	webLogins     map[string]time.Time // request_id of /api/login → expiry
	ttl           time.Duration        // Faults.SessionTTL; 0 = Kite's 06:00 expiry only
}

func newSessions(ttl time.Duration) *sessions {
	return &sessions{
		ttl:           ttl,
		requestTokens: map[string]time.Time{},
		access:        map[string]session{},
		enc:           map[string]session{},
		webLogins:     map[string]time.Time{},
	}
}

// randomToken returns n random alphanumeric characters, the shape of Kite's
// tokens.
func randomToken(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("sandbox: crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func (ss *sessions) setTTL(ttl time.Duration) {
	ss.mu.Lock()
	ss.ttl = ttl
	ss.mu.Unlock()
}

// expiryLocked is when a session issued now dies: Kite's 06:00 IST, or
// sooner under the SessionTTL fault. ss.mu must be held.
func (ss *sessions) expiryLocked(now time.Time) time.Time {
	exp := sessionExpiry(now)
	if ss.ttl > 0 && now.Add(ss.ttl).Before(exp) {
		exp = now.Add(ss.ttl)
	}
	return exp
}

func (ss *sessions) issueRequestToken() string {
	tok := randomToken(32)
	ss.mu.Lock()
	ss.requestTokens[tok] = time.Now().Add(requestTokenTTL)
	ss.mu.Unlock()
	return tok
}

// redeemRequestToken consumes a request token: it is valid once.
func (ss *sessions) redeemRequestToken(tok string) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	exp, ok := ss.requestTokens[tok]
	delete(ss.requestTokens, tok)
	return ok && time.Now().Before(exp)
}

func (ss *sessions) issueAccess(apiKey, userID string) string {
	tok := randomToken(32)
	ss.mu.Lock()
	ss.access[tok] = session{apiKey: apiKey, userID: userID, expires: ss.expiryLocked(time.Now())}
	ss.mu.Unlock()
	return tok
}

func (ss *sessions) issueEnc(userID string) string {
	// Kite's enctokens are longer, base64-looking strings; any opaque
	// token serves.
	tok := randomToken(64)
	ss.mu.Lock()
	ss.enc[tok] = session{userID: userID, web: true, expires: ss.expiryLocked(time.Now())}
	ss.mu.Unlock()
	return tok
}

func (ss *sessions) lookupAccess(apiKey, tok string) (session, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.access[tok]
	if !ok || subtle.ConstantTimeCompare([]byte(s.apiKey), []byte(apiKey)) != 1 || !time.Now().Before(s.expires) {
		return session{}, false
	}
	return s, true
}

func (ss *sessions) lookupEnc(tok string) (session, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.enc[tok]
	if !ok || !time.Now().Before(s.expires) {
		return session{}, false
	}
	return s, true
}

// revokeAccess invalidates one access token (DELETE /session/token).
func (ss *sessions) revokeAccess(apiKey, tok string) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.access[tok]
	if !ok || s.apiKey != apiKey {
		return false
	}
	delete(ss.access, tok)
	return true
}

func (ss *sessions) startWebLogin() string {
	id := randomToken(48)
	ss.mu.Lock()
	ss.webLogins[id] = time.Now().Add(loginRequestTTL)
	ss.mu.Unlock()
	return id
}

// finishWebLogin consumes a web login's request_id.
func (ss *sessions) finishWebLogin(id string) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	exp, ok := ss.webLogins[id]
	delete(ss.webLogins, id)
	return ok && time.Now().Before(exp)
}

func (ss *sessions) expireAll() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	clear(ss.requestTokens)
	clear(ss.access)
	clear(ss.enc)
	clear(ss.webLogins)
}

// checksum is Kite's session checksum: hex sha256(api_key+request_token+api_secret).
func checksum(apiKey, requestToken, apiSecret string) string {
	sum := sha256.Sum256([]byte(apiKey + requestToken + apiSecret))
	return hex.EncodeToString(sum[:])
}
