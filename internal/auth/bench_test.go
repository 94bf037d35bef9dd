package auth

import (
	"path/filepath"
	"testing"
	"time"
)

// What every command pays to find its session, and what a login pays to
// save one (fsync included).

func BenchmarkStoreLoad(b *testing.B) {
	login := time.Now()
	s := &Store{Profile: "p", Dir: filepath.Join(b.TempDir(), "p")}
	if err := s.Save(connectSession("tok123", login)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStoreSave(b *testing.B) {
	login := time.Now()
	s := &Store{Profile: "p", Dir: filepath.Join(b.TempDir(), "p")}
	sess := connectSession("tok123", login)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Save(sess); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRequestTokenURL(b *testing.B) {
	const u = "http://127.0.0.1:5050/callback?action=login&type=login&status=success&request_token=abcdefABCDEF0123456789abcdefABCD"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RequestToken(u); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTOTP(b *testing.B) {
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := TOTP("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", now); err != nil {
			b.Fatal(err)
		}
	}
}
