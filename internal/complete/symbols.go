// Package complete finds shell-completion candidates fast enough to run on
// every TAB: symbols straight from the bytes of Kite's instrument dump,
// without parsing the ~100k rows into structs first.
package complete

import (
	"bytes"
	"slices"
	"strings"
)

// Symbols returns, sorted, the EXCHANGE:TRADINGSYMBOL of every row of an
// instrument dump (Kite's CSV, header first) that starts with prefix,
// ignoring case; at most limit of them (0 = no limit). A dump without
// tradingsymbol and exchange columns has no symbols.
func Symbols(dump []byte, prefix string, limit int) []string {
	prefix = strings.ToUpper(prefix)
	header, rest, _ := bytes.Cut(dump, []byte("\n"))
	tsCol, exCol := -1, -1
	for i, name := range splitCSV(bytes.TrimRight(header, "\r"), nil) {
		switch string(bytes.TrimPrefix(name, []byte("\xef\xbb\xbf"))) { // a BOM is not part of the name
		case "tradingsymbol":
			tsCol = i
		case "exchange":
			exCol = i
		}
	}
	if tsCol < 0 || exCol < 0 {
		return nil
	}
	// Without an exchange in the prefix only the exchange part can match
	// "NS"; with one, only rows of that exchange can.
	wantExch, wantSym, hasColon := strings.Cut(prefix, ":")
	var out []string
	var fields [][]byte
	match := func(line []byte) {
		fields = splitCSV(bytes.TrimRight(line, "\r"), fields[:0])
		if len(fields) <= max(tsCol, exCol) {
			return
		}
		ex, ts := fields[exCol], fields[tsCol]
		if len(ex) == 0 || len(ts) == 0 {
			return
		}
		if hasColon {
			if !bytes.EqualFold(ex, []byte(wantExch)) || !hasPrefixFold(ts, wantSym) {
				return
			}
		} else if !hasPrefixFold(ex, wantExch) {
			return
		}
		out = append(out, strings.ToUpper(string(ex))+":"+string(ts))
	}
	if hasColon && wantSym != "" {
		// Kite's symbols are upper case: look for the symbol's start with
		// a (vectorised) substring search and split only the lines it is
		// on, instead of every one of the ~100k.
		needle := []byte("," + wantSym)
		if tsCol == 0 {
			needle = []byte("\n" + wantSym)
			rest = append([]byte("\n"), rest...)
		}
		for {
			i := bytes.Index(rest, needle)
			if i < 0 {
				break
			}
			start := bytes.LastIndexByte(rest[:i+1], '\n') + 1
			end := bytes.IndexByte(rest[i+1:], '\n')
			if end < 0 {
				end = len(rest)
			} else {
				end += i + 1
			}
			match(rest[start:end])
			rest = rest[min(end+1, len(rest)):]
		}
	} else {
		for len(rest) > 0 {
			var line []byte
			line, rest, _ = bytes.Cut(rest, []byte("\n"))
			match(line)
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

func hasPrefixFold(s []byte, prefix string) bool {
	return len(s) >= len(prefix) && bytes.EqualFold(s[:len(prefix)], []byte(prefix))
}

// splitCSV splits one CSV line into fields, appending to dst. Quoted
// fields lose their quotes (a doubled quote inside stays doubled: names,
// the only quoted column in Kite's dump, are never matched on).
func splitCSV(line []byte, dst [][]byte) [][]byte {
	for {
		if len(line) > 0 && line[0] == '"' {
			end := 1
			for end < len(line) {
				if line[end] == '"' {
					if end+1 < len(line) && line[end+1] == '"' {
						end += 2
						continue
					}
					break
				}
				end++
			}
			dst = append(dst, line[1:min(end, len(line))])
			line = line[min(end+1, len(line)):]
			i := bytes.IndexByte(line, ',')
			if i < 0 {
				return dst
			}
			line = line[i+1:]
			continue
		}
		i := bytes.IndexByte(line, ',')
		if i < 0 {
			return append(dst, line)
		}
		dst = append(dst, line[:i])
		line = line[i+1:]
	}
}
