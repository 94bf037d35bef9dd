package main

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

// Unit tests of the seam of the record-streaming commands (stream,
// history, ticks decode): newXCmd(f, runF) maps flags to the options
// struct, -o included (resolved by the command's RecordFormats), and
// calls runF instead of running. The end-to-end tests stay the contract.

// recordsSeamFactory is a Factory with test streams, stdout not a terminal, and
// -o as given.
func recordsSeamFactory(output string) *Factory {
	io, _, _, _ := iostreams.Test()
	f := newFactory(io, func(string) string { return "" })
	f.Global.Output = output
	return f
}

// recordsRunSeam executes cmd with args: flags are parsed and runF is called.
func recordsRunSeam(cmd *cobra.Command, args ...string) error {
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.ExecuteContext(context.Background())
}

func TestHistoryFlagsMapToOptions(t *testing.T) {
	var got *historyOptions
	cmd := newHistoryCmd(recordsSeamFactory("csv"), func(o *historyOptions) error { got = o; return nil })
	err := recordsRunSeam(cmd, "NSE:INFY", "--interval", "5m", "--from", "7d", "--to", "yesterday",
		"--oi", "--continuous", "-y", "--retry-attempts", "2")
	if err != nil || got == nil {
		t.Fatalf("err %v, options %v", err, got)
	}
	if got.Symbol != "NSE:INFY" || got.Interval != "5m" || got.From != "7d" || got.To != "yesterday" ||
		!got.OI || !got.Continuous || !got.Yes || got.Format != output.CSV || got.Retry.Attempts != 2 {
		t.Errorf("options %+v", got)
	}

	// Defaults: a day interval up to now, and JSON in a pipe.
	got = nil
	cmd = newHistoryCmd(recordsSeamFactory(""), func(o *historyOptions) error { got = o; return nil })
	if err := recordsRunSeam(cmd, "256265", "--from", "2024-01-01"); err != nil || got == nil {
		t.Fatalf("err %v, options %v", err, got)
	}
	if got.Interval != "day" || got.To != "now" || got.OI || got.Yes || got.Format != output.JSON {
		t.Errorf("default options %+v", got)
	}
}

func TestStreamFlagsMapToOptions(t *testing.T) {
	var got *streamOptions
	cmd := newStreamCmd(recordsSeamFactory("ndjson"), func(o *streamOptions) error { got = o; return nil })
	err := recordsRunSeam(cmd, "NSE:INFY", "256265", "--mode", "full", "-n", "10", "--duration", "30s",
		"--until", "15:30", "--on-slow", "drop", "--recv-time", "--events", "--orders", "--greeks",
		"--snapshot", "--watchdog", "9s", "--file", "list.txt")
	if err != nil || got == nil {
		t.Fatalf("err %v, options %v", err, got)
	}
	if !slices.Equal(got.Instruments, []string{"NSE:INFY", "256265"}) || got.Mode != "full" || got.Count != 10 ||
		got.Duration != 30*time.Second || got.Until != "15:30" || got.OnSlow != "drop" || !got.RecvTime ||
		!got.Events || !got.Orders || !got.Greeks || !got.Snapshot || got.Raw || got.File != "list.txt" ||
		got.Conn.Watchdog != 9*time.Second || got.Format != output.NDJSON {
		t.Errorf("options %+v", got)
	}

	// One declaration says what -o may be: NDJSON, whatever stdout is.
	got = nil
	cmd = newStreamCmd(recordsSeamFactory(""), func(o *streamOptions) error { got = o; return nil })
	if err := recordsRunSeam(cmd, "NSE:INFY", "--raw"); err != nil || got == nil || !got.Raw || got.Mode != "quote" || got.OnSlow != "block" || got.Format != output.NDJSON {
		t.Fatalf("err %v, options %+v", err, got)
	}
	got = nil
	cmd = newStreamCmd(recordsSeamFactory("csv"), func(o *streamOptions) error { got = o; return nil })
	err = recordsRunSeam(cmd, "NSE:INFY")
	if got != nil {
		t.Fatal("runF ran with -o csv")
	}
	var ue *exitcode.UsageError
	if !errors.As(err, &ue) || err.Error() != "kite stream always prints NDJSON (or --raw bytes): drop -o csv, or use kite watch for a table" {
		t.Errorf("-o csv: %v, want the usage error of streamFormats", err)
	}
}

func TestTicksDecodeFlagsMapToOptions(t *testing.T) {
	for _, tc := range []struct {
		output string
		args   []string
		inputs []string
	}{
		{"", nil, []string{"-"}},
		{"json", []string{"a.bin", "b.krec"}, []string{"a.bin", "b.krec"}},
		{"ndjson", []string{"-"}, []string{"-"}},
	} {
		var got *ticksDecodeOptions
		cmd := newTicksDecodeCmd(recordsSeamFactory(tc.output), func(o *ticksDecodeOptions) error { got = o; return nil })
		if err := recordsRunSeam(cmd, tc.args...); err != nil || got == nil {
			t.Fatalf("-o %q %v: err %v, options %v", tc.output, tc.args, err, got)
		}
		// A record stream is NDJSON, -o json included.
		if !slices.Equal(got.Inputs, tc.inputs) || got.Format != output.NDJSON {
			t.Errorf("-o %q %v: options %+v, want inputs %v and ndjson", tc.output, tc.args, got, tc.inputs)
		}
	}
	ran := false
	cmd := newTicksDecodeCmd(recordsSeamFactory("table"), func(*ticksDecodeOptions) error { ran = true; return nil })
	err := recordsRunSeam(cmd, "a.bin")
	if ran || err == nil || err.Error() != "kite ticks decode always writes NDJSON records: drop -o table (use --jq to reshape them)" ||
		exitcode.Code(err) != exitcode.Usage {
		t.Errorf("-o table: ran %v, err %v (exit %d)", ran, err, exitcode.Code(err))
	}
}
