package sandboxtest

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
)

// RequestLog keeps the sandbox's log for a test that counts the requests
// a client sent (a retry sent once, an order placed once): set
// Options.Logger to its Logger before NewServer. The sandbox logs from its
// handlers' goroutines, so it is safe for concurrent use.
type RequestLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Logger logs to l as JSON, at debug level: the level of the sandbox's
// line per request.
func (l *RequestLog) Logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (l *RequestLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is the whole log so far.
func (l *RequestLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Count is how many requests for path the sandbox served with method
// ("" for any method).
func (l *RequestLog) Count(method, path string) int {
	n := 0
	for line := range strings.SplitSeq(l.String(), "\n") {
		var rec struct{ Msg, Method, Path string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "request" && rec.Path == path &&
			(method == "" || rec.Method == method) {
			n++
		}
	}
	return n
}
