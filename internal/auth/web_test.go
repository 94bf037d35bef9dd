package auth

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The sandbox only ever asks for a TOTP; Kite may ask for the Kite app's
// code instead. No real server can be made to do that, so this one stands
// in for Kite's two login endpoints and records what the client sent.
func TestWebLoginAnswersTheTwoFATypeKiteAsksFor(t *testing.T) {
	var got http.Header
	var form map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		switch r.URL.Path {
		case "/api/login":
			http.SetCookie(w, &http.Cookie{Name: "kf_session", Value: "s1", Path: "/"})
			fmt.Fprint(w, `{"status":"success","data":{"user_id":"AB1234","request_id":"rq1","twofa_type":"app_code","twofa_types":["app_code"]}}`)
		case "/api/twofa":
			got = r.Header.Clone()
			form = map[string]string{}
			for k := range r.PostForm {
				form[k] = r.PostForm.Get(k)
			}
			http.SetCookie(w, &http.Cookie{Name: "enctoken", Value: "enc+/=", Path: "/"})
			fmt.Fprint(w, `{"status":"success","data":{"profile":{}}}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	ac := &Client{Root: srv.URL}
	var asked string
	s, err := ac.WebLogin(context.Background(), "ab1234", "pw", func(_ context.Context, want string, kinds []string) (string, string, error) {
		asked = want
		return want, "424242", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if asked != TwoFAAppCode || form["twofa_type"] != "app_code" || form["twofa_value"] != "424242" || form["request_id"] != "rq1" || form["user_id"] != "ab1234" {
		t.Fatalf("asked %q, sent %v", asked, form)
	}
	// Kite ties the two steps together with its session cookie.
	if c, err := (&http.Request{Header: got}).Cookie("kf_session"); err != nil || c.Value != "s1" {
		t.Fatalf("the login cookie was not sent back: %v", err)
	}
	if s.Token != "enc+/=" || s.UserID != "AB1234" {
		t.Fatalf("session %+v", s)
	}
	// A TOTP secret cannot answer an app_code-only login.
	_, err = ac.WebLogin(context.Background(), "ab1234", "pw", TOTPFromSecret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", nil))
	if err == nil {
		t.Fatal("a TOTP secret answered an app_code login")
	}
}
