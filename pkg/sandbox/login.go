package sandbox

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/kitecli/kite/pkg/kitespec"
	"github.com/kitecli/kite/pkg/sandbox/market"
)

// handleConnectLogin is Kite's Connect login page. A browser would show the
// login form; the sandbox's user is always logged in and always approves, so
// it redirects straight to the app's redirect URL with a fresh request
// token, as Kite does after a successful login.
func (s *Server) handleConnectLogin(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("api_key") != APIKey {
		writeError(w, http.StatusBadRequest, kitespec.InputException, "Invalid `api_key`.")
		return
	}
	dest, err := url.Parse(s.opts.RedirectURL)
	if err != nil {
		writeError(w, http.StatusInternalServerError, kitespec.GeneralException, "The app's redirect URL is invalid.")
		return
	}
	out := dest.Query()
	// Kite passes the app's redirect_params back on the redirect.
	if rp := q.Get("redirect_params"); rp != "" {
		if extra, err := url.ParseQuery(rp); err == nil {
			for k, vs := range extra {
				for _, v := range vs {
					out.Add(k, v)
				}
			}
		}
	}
	out.Set("type", "login")
	out.Set("action", "login")
	out.Set("status", "success")
	out.Set("request_token", s.sessions.issueRequestToken())
	dest.RawQuery = out.Encode()
	http.Redirect(w, r, dest.String(), http.StatusFound)
}

// userSession is the data of POST /session/token.
type userSession struct {
	UserType      string   `json:"user_type"`
	Email         string   `json:"email"`
	UserName      string   `json:"user_name"`
	UserShortname string   `json:"user_shortname"`
	Broker        string   `json:"broker"`
	Exchanges     []string `json:"exchanges"`
	Products      []string `json:"products"`
	OrderTypes    []string `json:"order_types"`
	AvatarURL     *string  `json:"avatar_url"`
	UserID        string   `json:"user_id"`
	APIKey        string   `json:"api_key"`
	AccessToken   string   `json:"access_token"`
	PublicToken   string   `json:"public_token"`
	RefreshToken  string   `json:"refresh_token"`
	Enctoken      string   `json:"enctoken"`
	Silo          string   `json:"silo"`
	LoginTime     string   `json:"login_time"`
	Meta          any      `json:"meta"`
}

// handleSessionToken exchanges a request token for an access token.
func (s *Server) handleSessionToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		inputError(w, "Invalid request parameters.")
		return
	}
	apiKey, reqTok, sum := r.PostForm.Get("api_key"), r.PostForm.Get("request_token"), r.PostForm.Get("checksum")
	switch {
	case apiKey == "":
		inputError(w, "Missing `api_key`.")
		return
	case reqTok == "":
		inputError(w, "Missing `request_token`.")
		return
	case sum == "":
		inputError(w, "Missing `checksum`.")
		return
	}
	if apiKey != APIKey {
		writeError(w, http.StatusForbidden, kitespec.TokenException, "Invalid `api_key`.")
		return
	}
	if subtle.ConstantTimeCompare([]byte(sum), []byte(checksum(apiKey, reqTok, APISecret))) != 1 {
		writeError(w, http.StatusForbidden, kitespec.TokenException, "Invalid `checksum`.")
		return
	}
	if !s.sessions.redeemRequestToken(reqTok) {
		writeError(w, http.StatusForbidden, kitespec.TokenException, "Token is invalid or has expired.")
		return
	}
	p := profileData()
	writeData(w, userSession{
		UserType: p.UserType, Email: p.Email, UserName: p.UserName, UserShortname: p.UserShortname,
		Broker: p.Broker, Exchanges: p.Exchanges, Products: p.Products, OrderTypes: p.OrderTypes,
		UserID:      UserID,
		APIKey:      apiKey,
		AccessToken: s.sessions.issueAccess(apiKey, UserID),
		PublicToken: randomToken(32),
		LoginTime:   time.Now().In(market.IST).Format(kiteTime),
		Meta:        p.Meta,
	})
}

// handleSessionDelete logs a Connect session out.
func (s *Server) handleSessionDelete(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		inputError(w, "Invalid request parameters.")
		return
	}
	apiKey, tok := r.Form.Get("api_key"), r.Form.Get("access_token")
	if apiKey == "" || tok == "" {
		inputError(w, "Missing `api_key` or `access_token`.")
		return
	}
	if !s.sessions.revokeAccess(apiKey, tok) {
		writeError(w, http.StatusForbidden, kitespec.TokenException, msgBadAuth)
		return
	}
	s.ticker.dropToken(tok)
	writeData(w, true)
}

// handleWebLogin is the first step of a Kite web login: user id and password.
func (s *Server) handleWebLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		inputError(w, "Invalid request parameters.")
		return
	}
	user, pass := r.PostForm.Get("user_id"), r.PostForm.Get("password")
	if user == "" || pass == "" {
		inputError(w, "Missing `user_id` or `password`.")
		return
	}
	if user != UserID || subtle.ConstantTimeCompare([]byte(pass), []byte(Password)) != 1 {
		writeError(w, http.StatusForbidden, kitespec.InputException, "Invalid `user_id` or `password`.")
		return
	}
	writeData(w, map[string]any{
		"user_id":     UserID,
		"request_id":  s.sessions.startWebLogin(),
		"twofa_type":  "totp",
		"twofa_types": []string{"totp"},
		"profile": map[string]any{
			"user_name":      profileData().UserName,
			"user_shortname": profileData().UserShortname,
			"avatar_url":     nil,
		},
	})
}

// handleTwoFA is the second step: the TOTP code. Success sets the enctoken
// cookie, as Kite does.
func (s *Server) handleTwoFA(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		inputError(w, "Invalid request parameters.")
		return
	}
	f := r.PostForm
	user, reqID, code := f.Get("user_id"), f.Get("request_id"), f.Get("twofa_value")
	switch {
	case user == "" || reqID == "":
		inputError(w, "Missing `user_id` or `request_id`.")
		return
	case code == "":
		inputError(w, "Missing `twofa_value`.")
		return
	case f.Get("twofa_type") != "" && f.Get("twofa_type") != "totp":
		inputError(w, "Invalid `twofa_type`.")
		return
	case user != UserID:
		writeError(w, http.StatusForbidden, kitespec.InputException, "Invalid `user_id`.")
		return
	}
	if !totp.Validate(code, TOTPSecret) {
		// The request_id survives a wrong code, so the user can retry.
		writeError(w, http.StatusForbidden, kitespec.TwoFAException, "Invalid TOTP.")
		return
	}
	if !s.sessions.finishWebLogin(reqID) {
		writeError(w, http.StatusForbidden, kitespec.TokenException, "Invalid or expired login request. Please log in again.")
		return
	}
	enc := s.sessions.issueEnc(UserID)
	http.SetCookie(w, &http.Cookie{Name: "enctoken", Value: enc, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, &http.Cookie{Name: "user_id", Value: UserID, Path: "/"})
	writeData(w, map[string]any{"profile": map[string]any{}})
}
