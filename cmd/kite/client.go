package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/kitehome"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/retry"
	"github.com/spf13/cobra"
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
	transport, err := f.transport()
	if err != nil {
		return nil, err
	}
	creds, err := f.Credentials(ctx)
	if err != nil {
		return nil, err
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
		OnRetry:     restRetryNotice(f.IO.ErrOut, f.Logger),
	}
	return f.restClient, nil
}

// rateLimiter shares the one-request-a-second classes (quote) with every
// kite process of the same server and API key through files in the cache
// directory (kite.RateLimitKey names them), so a shell loop of kite quote
// does not earn 429s; without a cache directory, pacing is per process.
func (f *Factory) rateLimiter(t kite.RateTable, base string, creds kite.Credentials) *kite.RateLimiter {
	dirs, err := kitehome.Resolve(f.Getenv)
	if err != nil {
		return kite.NewRateLimiter(t)
	}
	dir := filepath.Join(dirs.Cache, "ratelimit")
	kite.PruneRateFiles(dir, 24*time.Hour)
	return kite.NewSharedRateLimiter(t, dir, kite.RateLimitKey(base, creds), f.Logger)
}

func userAgent() string {
	return fmt.Sprintf("kite-cli/%s (%s; %s/%s)", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// retryFlags are the REST retry knobs of the commands that read market
// data; they win over KITE_RETRY_BASE, KITE_RETRY_MAX and
// KITE_RETRY_ATTEMPTS (0 keeps those, or the defaults 3s, 30s, 5).
type retryFlags struct {
	Base     time.Duration
	Max      time.Duration
	Attempts int
}

func (rf *retryFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.DurationVar(&rf.Base, "retry-base", 0, "first retry backoff for network errors, 5xx and 429 (env KITE_RETRY_BASE; default 3s)")
	fl.DurationVar(&rf.Max, "retry-max", 0, "longest retry backoff (env KITE_RETRY_MAX; default 30s)")
	fl.IntVar(&rf.Attempts, "retry-attempts", 0, "tries per request before giving up with exit 6 (7 when rate limited) (env KITE_RETRY_ATTEMPTS; default 5)")
}

// validate runs before any request.
func (rf *retryFlags) validate() error {
	if rf.Base < 0 || rf.Max < 0 {
		return exitcode.Usagef("--retry-base and --retry-max must not be negative")
	}
	if rf.Attempts < 0 {
		return exitcode.Usagef("--retry-attempts must be at least 1")
	}
	return nil
}

// client is the client get returns (the Factory's) with the flags applied to its retry policy. The
// client is shared by the run, so this comes before any request of the
// command (the instrument dump included).
func (rf *retryFlags) client(ctx context.Context, get func(context.Context) (*kite.Client, error)) (*kite.Client, error) {
	c, err := get(ctx)
	if err != nil {
		return nil, err
	}
	if rf.Base > 0 {
		c.Retry.Base = rf.Base
	}
	if rf.Max > 0 {
		c.Retry.Max = rf.Max
	}
	if rf.Attempts > 0 {
		c.Retry.Attempts = rf.Attempts
	}
	return c, nil
}
