package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
)

// readSymbolFile reads the instruments of --file (name; "-" is stdin):
// separated by newlines, commas or tabs, "#" starting a comment to the end
// of the line. Spaces are not separators: index symbols contain them
// (NSE:NIFTY 50). quote, stream, watch and record all read their lists
// here, so a file that works for one works for all.
func readSymbolFile(stdin io.Reader, name string) ([]string, error) {
	r := stdin
	if name != "-" {
		file, err := os.Open(name)
		if err != nil {
			return nil, exitcode.Invalidf("reading --file: %v", err)
		}
		defer file.Close()
		r = file
	}
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		for _, sym := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == '\t' }) {
			if sym = strings.TrimSpace(sym); sym != "" {
				out = append(out, sym)
			}
		}
	}
	if err := sc.Err(); errors.Is(err, context.Canceled) {
		return nil, err // a signal while waiting for stdin
	} else if err != nil {
		return nil, exitcode.Invalidf("reading --file %s: %v", name, err)
	}
	return out, nil
}

// symbolFileUsage is the help of every --file that lists instruments.
const symbolFileUsage = "read instruments from FILE (- for stdin): one per line, or separated by commas or tabs; # starts a comment"

// defaultExchange is where a symbol written without one trades: Kite's
// equities are on NSE, and most of them on BSE too, under the same name.
const defaultExchange = "NSE"

// qualifySymbols writes the exchange into symbols that have none (INFY
// becomes NSE:INFY; instrument tokens stay as they are) and says so on
// errOut in one line, so that a script learns to write the exchange and
// nobody wonders which INFY was meant.
func qualifySymbols(symbols []string, errOut io.Writer) []string {
	var bare, meant []string
	seen := map[string]bool{}
	out := make([]string, len(symbols))
	for i, s := range symbols {
		out[i] = s
		t := strings.TrimSpace(s)
		if t == "" || strings.Contains(t, ":") {
			continue
		}
		if _, err := strconv.ParseUint(t, 10, 32); err == nil {
			continue // an instrument token
		}
		out[i] = defaultExchange + ":" + strings.ToUpper(t)
		if !seen[t] {
			seen[t] = true
			bare, meant = append(bare, t), append(meant, out[i])
		}
	}
	if len(bare) == 0 {
		return out
	}
	const shown = 3
	verb := "means"
	if len(bare) > 1 {
		verb = "mean"
	}
	if len(bare) > shown {
		fmt.Fprintf(errOut, "kite: %s and %d more %s %s, …; write the exchange to silence this\n",
			strings.Join(bare[:shown], ", "), len(bare)-shown, verb, strings.Join(meant[:shown], ", "))
	} else {
		fmt.Fprintf(errOut, "kite: %s %s %s; write the exchange to silence this\n",
			strings.Join(bare, ", "), verb, strings.Join(meant, ", "))
	}
	return out
}
