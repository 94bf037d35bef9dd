package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/kitecli/kite/pkg/sandbox/market"
)

func TestConnectLoginFlow(t *testing.T) {
	s := start(t, Options{RedirectURL: "http://127.0.0.1:9/cb?app=1"})

	r := call(t, http.MethodGet, s.URL()+"/connect/login", "", url.Values{"api_key": {"nope"}, "v": {"3"}})
	wantError(t, r, http.StatusBadRequest, "InputException")

	r = call(t, http.MethodGet, s.URL()+"/connect/login", "", url.Values{"api_key": {APIKey}, "v": {"3"}, "redirect_params": {"state=xyz"}})
	if r.Status != http.StatusFound {
		t.Fatalf("login page: %d %s", r.Status, r.Body)
	}
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	q := loc.Query()
	if loc.Host != "127.0.0.1:9" || loc.Path != "/cb" || q.Get("app") != "1" || q.Get("status") != "success" ||
		q.Get("action") != "login" || q.Get("state") != "xyz" || len(q.Get("request_token")) < 20 {
		t.Fatalf("redirect: %s", loc)
	}
	reqTok := q.Get("request_token")

	// A wrong checksum is a TokenException, and does not burn the token.
	sum := sha256.Sum256([]byte(APIKey + reqTok + "wrong-secret"))
	r = call(t, http.MethodPost, s.URL()+"/session/token", "", url.Values{"api_key": {APIKey}, "request_token": {reqTok}, "checksum": {hex.EncodeToString(sum[:])}})
	wantError(t, r, http.StatusForbidden, "TokenException")
	r = call(t, http.MethodPost, s.URL()+"/session/token", "", url.Values{"api_key": {APIKey}, "request_token": {reqTok}})
	wantError(t, r, http.StatusBadRequest, "InputException")

	sum = sha256.Sum256([]byte(APIKey + reqTok + APISecret))
	form := url.Values{"api_key": {APIKey}, "request_token": {reqTok}, "checksum": {hex.EncodeToString(sum[:])}}
	var sess struct {
		UserID      string   `json:"user_id"`
		APIKey      string   `json:"api_key"`
		AccessToken string   `json:"access_token"`
		Exchanges   []string `json:"exchanges"`
		LoginTime   string   `json:"login_time"`
	}
	wantData(t, call(t, http.MethodPost, s.URL()+"/session/token", "", form), &sess)
	if sess.UserID != UserID || sess.APIKey != APIKey || sess.AccessToken == "" || len(sess.Exchanges) == 0 {
		t.Fatalf("session: %+v", sess)
	}
	if _, err := time.Parse("2006-01-02 15:04:05", sess.LoginTime); err != nil {
		t.Fatalf("login_time %q: %v", sess.LoginTime, err)
	}
	// A request token is single-use.
	wantError(t, call(t, http.MethodPost, s.URL()+"/session/token", "", form), http.StatusForbidden, "TokenException")

	auth := "token " + APIKey + ":" + sess.AccessToken
	var prof struct {
		UserID string `json:"user_id"`
		Broker string `json:"broker"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/user/profile", auth, nil), &prof)
	if prof.UserID != UserID || prof.Broker != "ZERODHA" {
		t.Fatalf("profile: %+v", prof)
	}

	// Logout kills the token.
	var ok bool
	wantData(t, call(t, http.MethodDelete, s.URL()+"/session/token", "", url.Values{"api_key": {APIKey}, "access_token": {sess.AccessToken}}), &ok)
	if !ok {
		t.Fatal("logout answered false")
	}
	r = call(t, http.MethodGet, s.URL()+"/user/profile", auth, nil)
	wantError(t, r, http.StatusForbidden, "TokenException")
	if r.Env.Message != "Incorrect `api_key` or `access_token`." {
		t.Fatalf("message: %q", r.Env.Message)
	}
}

func TestWebLoginTOTP(t *testing.T) {
	s := start(t, Options{})
	wantError(t, call(t, http.MethodPost, s.URL()+"/api/login", "", url.Values{"user_id": {UserID}, "password": {"wrong"}}), http.StatusForbidden, "InputException")

	var login struct {
		UserID     string   `json:"user_id"`
		RequestID  string   `json:"request_id"`
		TwofaType  string   `json:"twofa_type"`
		TwofaTypes []string `json:"twofa_types"`
	}
	wantData(t, call(t, http.MethodPost, s.URL()+"/api/login", "", url.Values{"user_id": {UserID}, "password": {Password}}), &login)
	if login.UserID != UserID || login.RequestID == "" || login.TwofaType != "totp" || len(login.TwofaTypes) != 1 {
		t.Fatalf("login: %+v", login)
	}
	form := url.Values{"user_id": {UserID}, "request_id": {login.RequestID}, "twofa_type": {"totp"}, "twofa_value": {"000000"}}
	r := call(t, http.MethodPost, s.URL()+"/api/twofa", "", form)
	if r.Status != http.StatusForbidden || r.Env.ErrorType != "TwoFAException" {
		// 000000 is the right code once in a million; then the next
		// assertion is what is tested.
		if r.Status != http.StatusOK {
			t.Fatalf("wrong TOTP: %d %s", r.Status, r.Body)
		}
	}
	code, err := totp.GenerateCode(TOTPSecret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	form.Set("twofa_value", code)
	r = call(t, http.MethodPost, s.URL()+"/api/twofa", "", form)
	wantData(t, r, nil)
	var enc string
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "enctoken" {
			enc = c.Value
		}
	}
	if enc == "" {
		t.Fatalf("no enctoken cookie: %v", r.Header)
	}
	// The request_id was consumed.
	wantError(t, call(t, http.MethodPost, s.URL()+"/api/twofa", "", form), http.StatusForbidden, "TokenException")

	var prof struct {
		UserID string `json:"user_id"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/oms/user/profile", "enctoken "+enc, nil), &prof)
	if prof.UserID != UserID {
		t.Fatalf("profile: %+v", prof)
	}
	// An enctoken is not a Connect token, and vice versa.
	wantError(t, call(t, http.MethodGet, s.URL()+"/user/profile", "enctoken "+enc, nil), http.StatusForbidden, "TokenException")
	wantError(t, call(t, http.MethodGet, s.URL()+"/oms/user/profile", tokenAuth(s), nil), http.StatusForbidden, "TokenException")

	// The web ticker takes user_id + enctoken.
	c, err := tryDial(s, url.Values{"api_key": {"kitefront"}, "user_id": {UserID}, "enctoken": {enc}})
	if err != nil {
		t.Fatalf("web ticker: %v", err)
	}
	c.CloseNow()
	if _, err := tryDial(s, url.Values{"api_key": {"kitefront"}, "user_id": {"XX0000"}, "enctoken": {enc}}); err == nil {
		t.Fatal("web ticker accepted another user's id")
	}
}

func TestChecksum(t *testing.T) {
	// Kite's documented example: sha256("xxx" + "yyy" + "zzz").
	sum := sha256.Sum256([]byte("xxxyyyzzz"))
	if got := checksum("xxx", "yyy", "zzz"); got != hex.EncodeToString(sum[:]) || len(got) != 64 {
		t.Fatalf("checksum = %s", got)
	}
}

func TestSessionExpiry(t *testing.T) {
	for _, c := range []struct{ at, want string }{
		{"2026-11-20 15:30:00", "2026-11-21 06:00:00"},
		{"2026-11-21 05:59:59", "2026-11-21 06:00:00"},
		{"2026-11-21 06:00:00", "2026-11-22 06:00:00"},
		{"2026-12-31 23:00:00", "2027-01-01 06:00:00"},
	} {
		at, _ := time.ParseInLocation("2006-01-02 15:04:05", c.at, market.IST)
		if got := sessionExpiry(at).Format("2006-01-02 15:04:05"); got != c.want {
			t.Errorf("issued %s: expires %s, want %s", c.at, got, c.want)
		}
	}
}
