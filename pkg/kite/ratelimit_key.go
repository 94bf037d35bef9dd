package kite

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// RateLimitKey is the key NewSharedRateLimiter names its files by, for a
// server and an account. Kite's limits are per API key (a web session's,
// per user), so every process using the same key on the same server paces
// through the same files. It is a short hash, so neither the key nor the
// user ID appears in a file name.
func RateLimitKey(baseURL string, creds Credentials) string {
	who := creds.APIKey
	if creds.Kind == Web {
		who = "web:" + creds.UserID
	}
	sum := sha256.Sum256([]byte(baseURL + "\x00" + who))
	return hex.EncodeToString(sum[:8])
}

// PruneRateFiles removes the shared limiter's files in dir untouched for
// longer than idle: the pacing files of servers no longer used (every
// sandbox run is a new port). Best effort: errors are ignored.
func PruneRateFiles(dir string, idle time.Duration) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		// A lock file is never written, so it is as idle as the pacing
		// file beside it, which every request rewrites.
		p := filepath.Join(dir, strings.TrimSuffix(e.Name(), ".lock"))
		fi, err := os.Stat(p)
		if err != nil {
			fi, err = e.Info()
		}
		if err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > idle {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
