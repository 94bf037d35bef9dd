package kite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/kitehome"
)

// LastInstrumentRefresh is the most recent daily regeneration of Kite's
// instrument dump at or before now: Kite rebuilds it every morning around
// 08:30 IST, so a dump fetched before that may list expired contracts and
// miss new ones.
func LastInstrumentRefresh(now time.Time) time.Time {
	n := now.In(IST)
	t := time.Date(n.Year(), n.Month(), n.Day(), 8, 30, 0, 0, IST)
	if n.Before(t) {
		t = t.AddDate(0, 0, -1)
	}
	return t
}

// InstrumentCache keeps the instrument dumps on disk for the day: the full
// dump is several megabytes and every symbol lookup needs it.
type InstrumentCache struct {
	Dir string           // e.g. kitehome Dirs.Cache + "/instruments"
	Now func() time.Time // nil = time.Now
	// Logger hears (at warn level) that the cache could not be read or
	// written; nil discards. Neither is an error: the cache only saves a
	// download.
	Logger *slog.Logger
}

// Path is the cache file of one dump: per REST base URL (the sandbox and
// Kite have different universes) and per exchange ("" = all).
func (c *InstrumentCache) Path(baseURL, exchange string) string {
	sum := sha256.Sum256([]byte(baseURL))
	if exchange == "" {
		exchange = "all"
	}
	return filepath.Join(c.Dir, hex.EncodeToString(sum[:8])+"-"+strings.ToUpper(exchange)+".csv")
}

// Load returns the dump of exchange ("" = every exchange): from the cache
// when it was written after Kite's last daily refresh, otherwise fetched
// with client, parsed, and cached atomically (so concurrent runs never see
// a torn file). A corrupt cache file is fetched again; one that is not a
// regular file (a link, a FIFO) is never read. A cache that cannot be
// written (read-only or full disk) is a warning, not an error.
func (c *InstrumentCache) Load(ctx context.Context, client *Client, exchange string) ([]Instrument, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	path := c.Path(client.BaseURL, exchange)
	refreshed := LastInstrumentRefresh(now())
	if insts, ok := c.read(path, refreshed); ok {
		return insts, nil
	}
	p := "/instruments"
	if exchange != "" {
		p += "/" + strings.ToUpper(exchange)
	}
	data, err := client.DoRaw(ctx, http.MethodGet, p, nil)
	if err != nil {
		return nil, fmt.Errorf("fetching the instrument list: %w", err)
	}
	insts, err := ParseInstrumentsCSV(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", p, err)
	}
	if err := kitehome.WriteFileAtomic(path, data, 0o600); err != nil {
		c.logger().Warn("could not cache the instrument list; going on without the cache (every run downloads it)", "err", err.Error())
		return insts, nil
	}
	c.prune(refreshed, path)
	return insts, nil
}

// read returns the cached dump at path if it was written after refreshed
// and parses. A link or a FIFO there is never followed or read (a FIFO
// would block for ever): the dump is fetched again, and its atomic rename
// replaces whatever was there.
func (c *InstrumentCache) read(path string, refreshed time.Time) ([]Instrument, bool) {
	f, err := kitehome.OpenRegular(path, os.O_RDONLY, 0)
	if err != nil {
		var nr *kitehome.NotRegularError
		if errors.As(err, &nr) {
			c.logger().Warn("not using the cached instrument list", "err", err.Error())
		}
		return nil, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.ModTime().Before(refreshed) {
		return nil, false
	}
	insts, err := ParseInstrumentsCSV(io.LimitReader(f, maxInstrumentDump))
	return insts, err == nil
}

// maxInstrumentDump bounds a cached dump read back: Kite's full dump is
// tens of megabytes; a file far bigger is not one kite wrote.
const maxInstrumentDump = 1 << 30

func (c *InstrumentCache) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

// prune removes dumps older than the last refresh (other base URLs, such as
// earlier sandboxes on other ports, would otherwise pile up). Best effort.
func (c *InstrumentCache) prune(refreshed time.Time, keep string) {
	entries, err := os.ReadDir(c.Dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		p := filepath.Join(c.Dir, e.Name())
		if p == keep || !strings.HasSuffix(e.Name(), ".csv") {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.ModTime().Before(refreshed) {
			os.Remove(p)
		}
	}
}
