package kite

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRateLimitKey(t *testing.T) {
	connect := Credentials{Kind: Connect, APIKey: "abc123", AccessToken: "t1", UserID: "AB1234"}
	k := RateLimitKey("https://api.kite.trade", connect)
	if len(k) != 16 || strings.Contains(k, "abc123") {
		t.Fatalf("key %q: want 16 hex digits, not the API key", k)
	}
	// The limits are per API key: a new token of the same key shares them,
	// another key or server does not.
	renewed := connect
	renewed.AccessToken = "t2"
	if RateLimitKey("https://api.kite.trade", renewed) != k {
		t.Error("a new access token of the same key changed the key")
	}
	other := connect
	other.APIKey = "xyz789"
	if RateLimitKey("https://api.kite.trade", other) == k || RateLimitKey("http://127.0.0.1:8080", connect) == k {
		t.Error("another API key or server shares the key")
	}
	// A web session has no API key: its limits are the user's.
	web1 := Credentials{Kind: Web, UserID: "AB1234"}
	web2 := Credentials{Kind: Web, UserID: "CD5678"}
	if RateLimitKey("https://kite.zerodha.com/oms", web1) == RateLimitKey("https://kite.zerodha.com/oms", web2) {
		t.Error("two web users share the key")
	}
}

func TestPruneRateFiles(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-48 * time.Hour)
	files := map[string]time.Time{
		"aaaa-quote": old, "aaaa-quote.lock": old, // idle server: both go
		"bbbb-quote": time.Now(), "bbbb-quote.lock": old, // lock never written, pacing fresh: both stay
	}
	for name, mtime := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	PruneRateFiles(dir, 24*time.Hour)
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if strings.Join(left, " ") != "bbbb-quote bbbb-quote.lock" {
		t.Fatalf("left %v", left)
	}
}
