package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestReadSymbolFile(t *testing.T) {
	in := "NSE:INFY\r\nNSE:NIFTY 50, BSE:SENSEX\t408065 # the rest is a comment, NSE:TCS\n\n  ,, \n# all comment\nnse:reliance"
	got, err := readSymbolFile(strings.NewReader(in), "-")
	want := []string{"NSE:INFY", "NSE:NIFTY 50", "BSE:SENSEX", "408065", "nse:reliance"}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("readSymbolFile = %q, %v; want %q", got, err, want)
	}
	if _, err := readSymbolFile(nil, "/nonexistent/list.txt"); err == nil || !strings.HasPrefix(err.Error(), "reading --file: open /nonexistent/list.txt") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestQualifySymbols(t *testing.T) {
	for _, c := range []struct {
		in     []string
		want   []string
		notice string
	}{
		{[]string{"NSE:INFY", "408065", "BSE:TCS"}, []string{"NSE:INFY", "408065", "BSE:TCS"}, ""},
		{[]string{"INFY"}, []string{"NSE:INFY"}, "kite: INFY means NSE:INFY; write the exchange to silence this\n"},
		{[]string{"infy", "NIFTY 50"}, []string{"NSE:INFY", "NSE:NIFTY 50"}, "kite: infy, NIFTY 50 mean NSE:INFY, NSE:NIFTY 50; write the exchange to silence this\n"},
		{[]string{"A", "B", "A", "C", "D", "E"}, []string{"NSE:A", "NSE:B", "NSE:A", "NSE:C", "NSE:D", "NSE:E"},
			"kite: A, B, C and 2 more mean NSE:A, NSE:B, NSE:C, …; write the exchange to silence this\n"},
		// Not bare: a colon, even a malformed one, is for the resolver to judge.
		{[]string{"NSE:", ":INFY"}, []string{"NSE:", ":INFY"}, ""},
	} {
		var errOut bytes.Buffer
		got := qualifySymbols(c.in, &errOut)
		if !slices.Equal(got, c.want) || errOut.String() != c.notice {
			t.Errorf("qualifySymbols(%q) = %q, notice %q; want %q, %q", c.in, got, errOut.String(), c.want, c.notice)
		}
	}
}

// The --file list is read from whatever a pipe brings: it never fails on
// bytes, yields no empty names and no separators inside a name.
func FuzzReadSymbolFile(f *testing.F) {
	for _, s := range []string{"NSE:INFY\n", "a,b\tc # d\n", "NSE:NIFTY 50\r\n", "\xff\xfe,#", strings.Repeat("x", 70000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := readSymbolFile(strings.NewReader(in), "-")
		if err != nil {
			if !strings.Contains(err.Error(), "reading --file -") {
				t.Fatalf("error %v", err)
			}
			return
		}
		for _, s := range got {
			if s == "" || strings.ContainsAny(s, ",\t\n#") || s != strings.TrimSpace(s) {
				t.Fatalf("name %q from %q", s, in)
			}
		}
	})
}
