package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Two-factor types Kite web reports in twofa_type.
const (
	TwoFATOTP    = "totp"     // an authenticator app's 6-digit code
	TwoFAAppCode = "app_code" // the code shown in the Kite mobile app
)

// TwoFA supplies the second factor once Kite has said which type it wants.
// kinds is Kite's twofa_types list (the types it would accept), want its
// preferred twofa_type; the function returns the type it answers with and
// the code.
type TwoFA func(ctx context.Context, want string, kinds []string) (kind, code string, err error)

// loginData is the data of POST /api/login.
type loginData struct {
	UserID     string   `json:"user_id"`
	RequestID  string   `json:"request_id"`
	TwoFAType  string   `json:"twofa_type"`
	TwoFATypes []string `json:"twofa_types"`
}

// WebLogin logs in to Kite web: POST /api/login with the password, then
// POST /api/twofa with the second factor; the session is the enctoken
// cookie Kite sets. Both calls go to Root (default https://kite.zerodha.com).
func (c *Client) WebLogin(ctx context.Context, userID, password string, twofa TwoFA) (Session, error) {
	jar, _ := cookiejar.New(nil)
	base := c.http()
	hc := &http.Client{Transport: base.Transport, Timeout: base.Timeout, Jar: jar}
	root := c.root(kite.DefaultWebBase)

	var ld loginData
	if _, err := c.postForm(ctx, hc, root+"/api/login", url.Values{"user_id": {userID}, "password": {password}}, &ld); err != nil {
		return Session{}, &LoginError{Step: "with the user id and password", Hint: "check --user-id and the password (KITE_PASSWORD)", Err: err}
	}
	if ld.RequestID == "" {
		return Session{}, &LoginError{Step: "with the user id and password", Err: errors.New("no request_id in Kite's answer")}
	}
	want := ld.TwoFAType
	if want == "" {
		want = TwoFATOTP
	}
	kind, code, err := twofa(ctx, want, ld.TwoFATypes)
	if err != nil {
		return Session{}, err
	}
	form := url.Values{"user_id": {userID}, "request_id": {ld.RequestID}, "twofa_value": {code}, "twofa_type": {kind}, "skip_totp": {"true"}}
	resp, err := c.postForm(ctx, hc, root+"/api/twofa", form, nil)
	if err != nil {
		return Session{}, &LoginError{Step: "at the two-factor step", Hint: "check the code (--twofa) or KITE_TOTP_SECRET, and the machine's clock", Err: err}
	}
	var enc string
	for _, ck := range resp.Cookies() {
		if ck.Name == "enctoken" && ck.Value != "" {
			enc = ck.Value
		}
	}
	if enc == "" {
		return Session{}, &LoginError{Step: "at the two-factor step", Err: errors.New("no enctoken cookie in Kite's answer")}
	}
	if ld.UserID != "" {
		userID = ld.UserID
	}
	now := c.now()
	return Session{Kind: kite.Web, UserID: userID, Token: enc, LoginTime: now, Expiry: Expiry(now)}, nil
}

// postForm posts a form and decodes Kite's envelope; the response is
// returned for its cookies.
func (c *Client) postForm(ctx context.Context, hc *http.Client, u string, form url.Values, out any) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Kite-Version", kite.APIVersion)
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	resp, err := hc.Do(req)
	if err != nil {
		// The URL carries no secret (the form is in the body), so the
		// transport's error may be shown as is.
		return nil, exitcode.With(exitcode.Network, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, exitcode.With(exitcode.Network, fmt.Errorf("reading %s: %w", req.URL.Path, err))
	}
	var env struct {
		Status    string          `json:"status"`
		Data      json.RawMessage `json:"data"`
		Message   string          `json:"message"`
		ErrorType string          `json:"error_type"`
	}
	jerr := json.Unmarshal(raw, &env)
	if resp.StatusCode >= 400 || env.Status == "error" {
		e := &kite.Error{Status: resp.StatusCode, ErrorType: env.ErrorType, Message: env.Message}
		if e.ErrorType == "" {
			e.ErrorType = kite.GeneralException
		}
		if e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
		return nil, e
	}
	if jerr != nil {
		return nil, fmt.Errorf("decoding Kite's answer to %s: %w", req.URL.Path, jerr)
	}
	if out != nil && len(env.Data) > 0 {
		if err := json.Unmarshal(env.Data, out); err != nil {
			return nil, fmt.Errorf("decoding Kite's answer to %s: %w", req.URL.Path, err)
		}
	}
	return resp, nil
}

// TOTPFromSecret answers Kite's 2FA with a code generated from a base32
// TOTP secret (the one behind the authenticator app's QR code), for
// unattended logins. It answers with type totp whenever Kite accepts it.
func TOTPFromSecret(secret string, now func() time.Time) TwoFA {
	return func(ctx context.Context, want string, kinds []string) (string, string, error) {
		if want != TwoFATOTP && !slices.Contains(kinds, TwoFATOTP) {
			return "", "", exitcode.Usagef("Kite asks for a %s, which a TOTP secret cannot produce: pass --twofa CODE", want)
		}
		if now == nil {
			now = time.Now
		}
		code, err := TOTP(secret, now())
		return TwoFATOTP, code, err
	}
}

// TOTP is the RFC 6238 code (6 digits, 30 s, SHA-1, as Kite uses) of a base32
// secret at t. Spaces and lower case, as authenticator apps display
// secrets, are accepted.
func TOTP(secret string, t time.Time) (string, error) {
	s := strings.ToUpper(strings.Join(strings.Fields(secret), ""))
	code, err := totp.GenerateCodeCustom(s, t, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		// Never echo the secret itself.
		return "", exitcode.Usagef("the TOTP secret (KITE_TOTP_SECRET) is not valid base32: copy it again from Kite's 2FA setup")
	}
	return code, nil
}
