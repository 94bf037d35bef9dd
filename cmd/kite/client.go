package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/kitehome"
	"github.com/kitecli/kite/pkg/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/retry"
)

// Client returns the REST client for the current session, built once per
// run: one tuned transport (connections reused across batched and chunked
// requests), the retry policy (KITE_RETRY_BASE, KITE_RETRY_MAX,
// KITE_RETRY_ATTEMPTS), client-side rate limits (KITE_RATE_QUOTE,
// KITE_RATE_HISTORICAL, KITE_RATE_ORDER, KITE_RATE_DEFAULT) and, with
// --debug, an HTTP trace on stderr with every secret redacted.
func (f *Factory) Client(ctx context.Context) (*kite.Client, error) {
	if f.restClient != nil {
		return f.restClient, nil
	}
	// Configuration errors first: they are usage errors, whatever the session.
	policy, err := retry.REST().FromEnv("KITE_RETRY", f.Getenv)
	if err != nil {
		return nil, exitcode.Usagef("%v", err)
	}
	limits, err := kite.DefaultRateTable().FromEnv(f.Getenv)
	if err != nil {
		return nil, exitcode.Usagef("%v", err)
	}
	if b := f.Global.BaseURL; b != "" {
		if u, err := url.Parse(b); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, exitcode.Usagef("invalid base URL %q (--base-url or KITE_BASE_URL): want http(s)://host[:port], e.g. http://127.0.0.1:8080", b)
		}
	}
	creds, err := f.Credentials(ctx)
	if err != nil {
		return nil, err
	}
	var transport http.RoundTripper = kite.NewTransport()
	if f.Global.Debug {
		transport = &kite.DebugTransport{Base: transport, Logger: f.Logger}
	}
	base := creds.RESTBase(f.Global.BaseURL)
	f.restClient = &kite.Client{
		BaseURL:     base,
		Credentials: creds,
		HTTPClient:  &http.Client{Transport: transport},
		UserAgent:   userAgent(),
		Retry:       policy,
		Limits:      f.rateLimiter(limits, base, creds),
		Logger:      f.Logger,
	}
	return f.restClient, nil
}

// rateLimiter shares the one-request-a-second classes (quote) with every
// kite process of the same server and API key (Kite's limits are per key)
// through files in the cache directory, so a shell loop of kite quote does
// not earn 429s; without a cache directory, pacing is per process.
func (f *Factory) rateLimiter(t kite.RateTable, base string, creds kite.Credentials) *kite.RateLimiter {
	dirs, err := kitehome.Resolve(f.Getenv)
	if err != nil {
		return kite.NewRateLimiter(t)
	}
	who := creds.APIKey
	if creds.Kind == kite.Web {
		who = "web:" + creds.UserID
	}
	sum := sha256.Sum256([]byte(base + "\x00" + who))
	dir := filepath.Join(dirs.Cache, "ratelimit")
	pruneIdle(dir, 24*time.Hour)
	return kite.NewSharedRateLimiter(t, dir, hex.EncodeToString(sum[:8]))
}

// pruneIdle removes files untouched for longer than idle: pacing files of
// servers no longer used (every kite --sandbox run is a new port). Best
// effort.
func pruneIdle(dir string, idle time.Duration) {
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

func userAgent() string {
	return fmt.Sprintf("kite-cli/%s (%s; %s/%s)", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
