package kite

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
)

// headerAttr is a redacted header as a log group, one attribute per field
// in name order (header.User-Agent="kite-cli/…"), rather than Go's
// printing of the map (header="map[User-Agent:[…]]").
func headerAttr(h http.Header) slog.Attr {
	h = RedactHeader(h)
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	attrs := make([]any, 0, len(names))
	for _, k := range names {
		attrs = append(attrs, slog.String(k, strings.Join(h.Values(k), ", ")))
	}
	return slog.Group("header", attrs...)
}
