package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/recording"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/ticks"
)

// recFile is a recording read back with pkg/recording.
type recFile struct {
	hdr    *recording.Header
	frames []recording.Frame
	err    error // nil (a clean end), or why reading stopped
}

func readRecording(t *testing.T, path string) recFile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := recording.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := recFile{hdr: r.Header()}
	for {
		f, err := r.Next()
		if err != nil {
			if err != io.EOF {
				out.err = err
			}
			return out
		}
		f.Data = slices.Clone(f.Data)
		out.frames = append(out.frames, f)
	}
}

func (rf recFile) events() []recording.Event {
	var out []recording.Event
	for _, f := range rf.frames {
		if f.Kind == recording.KindEvent {
			var ev recording.Event
			if err := json.Unmarshal(f.Data, &ev); err == nil {
				out = append(out, ev)
			}
		}
	}
	return out
}

func recordings(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "kite-*.krec"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(m)
	return m
}

func startRecord(t *testing.T, env map[string]string, args ...string) (*exec.Cmd, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(kiteBin, append([]string{"record"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "KITE_HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, stderr
}

// waitFor polls cond every 50ms until it holds or 30s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// countBinary reads path as far as it goes and counts binary frames.
func countBinary(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	r, err := recording.NewReader(bytes.NewReader(b))
	if err != nil {
		return 0
	}
	n := 0
	for {
		f, err := r.Next()
		if err != nil {
			return n
		}
		if f.Kind == recording.KindBinary {
			n++
		}
	}
}

// A recorder killed with SIGKILL leaves a file that reads up to its last
// complete block: the header maps the tokens, the frames are whole Kite
// messages in the mode asked, in receive order. SIGUSR1 prints counters
// first. The next run starts a new file and leaves the old one as it was.
func TestRecordSurvivesSIGKILL(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: 20 * time.Millisecond})
	infy, rel := sandboxToken(t, srv, symINFY), sandboxToken(t, srv, symRELIANCE)
	dir := t.TempDir()
	cmd, stderr := startRecord(t, env, symINFY, fmt.Sprint(rel), "--mode", "full", "--dir", dir)
	waitFor(t, "a file with 20 binary messages", func() bool {
		files := recordings(t, dir)
		return len(files) == 1 && countBinary(files[0]) >= 20
	})
	if err := cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the SIGUSR1 counters", func() bool { return strings.Contains(stderr.String(), "kite: recorded ") })
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	files := recordings(t, dir)
	if len(files) != 1 {
		t.Fatalf("files %v, want one", files)
	}
	rf := readRecording(t, files[0])
	if rf.err != nil && !errors.Is(rf.err, recording.ErrTruncated) {
		t.Fatalf("reading the killed recorder's file: %v", rf.err)
	}
	var gotINFY bool
	for _, in := range rf.hdr.Instruments {
		if in.Token == infy {
			gotINFY = in.Exchange == "NSE" && in.Tradingsymbol == "INFY" && in.InstrumentType == "EQ" && in.LotSize == 1 && in.TickSize > 0
		}
	}
	if !gotINFY || len(rf.hdr.Instruments) != 2 || rf.hdr.Get("mode") != "full" {
		t.Errorf("header %+v: want INFY and RELIANCE mapped, mode full", rf.hdr)
	}
	if evs := rf.events(); len(evs) == 0 || evs[0].Event != "started" || evs[0].Instruments != 2 {
		t.Errorf("first event %+v, want started with 2 instruments", evs)
	}
	var prev int64
	full, all := 0, 0
	for _, f := range rf.frames {
		if f.Recv < prev {
			t.Fatalf("receive times go back: %d after %d", f.Recv, prev)
		}
		prev = f.Recv
		if f.Kind != recording.KindBinary {
			continue
		}
		it := ticks.NewIter(f.Data)
		var tk ticks.Tick
		for it.Next(&tk) {
			if tk.InstrumentToken != infy && tk.InstrumentToken != rel {
				t.Fatalf("tick for token %d", tk.InstrumentToken)
			}
			all++
			if tk.Mode == ticks.ModeFull {
				full++
			}
		}
		if it.Err() != nil {
			t.Fatalf("a recorded message does not decode: %v", it.Err())
		}
	}
	if full < 20 {
		t.Errorf("%d full ticks read back, want at least 20", full)
	}
	// kite ticks decode reads it as far: every tick, with its symbol and
	// receive time.
	d := runKite(t, kiteRun{}, "ticks", "decode", files[0], "--jq", `select(.symbol and .recv_time > 0) | .instrument_token`)
	if d.Code != 0 || strings.Count(d.Stdout, "\n") != all {
		t.Fatalf("kite ticks decode: exit %d, %d records, want %d; stderr:\n%s", d.Code, strings.Count(d.Stdout, "\n"), all, d.Stderr)
	}
	before, _ := os.ReadFile(files[0])

	// The next run: a new file, the old one untouched; --events prints the
	// file, the connection and the counters at the end.
	r := runKite(t, kiteRun{Env: env}, "record", symINFY, "--dir", dir, "--duration", "1500ms", "--events")
	if r.Code != 0 {
		t.Fatalf("second run: exit %d; stderr:\n%s", r.Code, r.Stderr)
	}
	after, _ := os.ReadFile(files[0])
	if !bytes.Equal(before, after) {
		t.Error("the second run changed the first file")
	}
	files2 := recordings(t, dir)
	if len(files2) != 2 || files2[0] != files[0] {
		t.Fatalf("files after the second run %v, want the first and a later one", files2)
	}
	rf2 := readRecording(t, files2[1])
	evs := rf2.events()
	if rf2.err != nil || len(evs) == 0 || evs[len(evs)-1].Event != "stopped" {
		t.Errorf("second file: error %v, events %+v; want a clean end with stopped", rf2.err, evs)
	}
	var kinds []string
	for _, line := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
		var rec struct {
			Type, Event, Path string
			Ticks             int
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("--events line %q: %v", line, err)
		}
		kinds = append(kinds, rec.Event)
		if rec.Event == "file" && rec.Path != files2[1] {
			t.Errorf("file event %q, want %q", rec.Path, files2[1])
		}
		if rec.Event == "counters" && rec.Ticks == 0 {
			t.Errorf("counters with no ticks: %s", line)
		}
	}
	if len(kinds) < 3 || kinds[0] != "file" || !slices.Contains(kinds, "connected") || kinds[len(kinds)-1] != "counters" {
		t.Errorf("--events records %v, want file, connected, ..., counters", kinds)
	}
}

// --max-size starts new files: each but the last ends with a rotated event
// naming the next, and ls order is the order they were written in.
func TestRecordRotatesBySize(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 5 * time.Millisecond})
	dir := t.TempDir()
	cmd, stderr := startRecord(t, env, symINFY, symRELIANCE, "--mode", "full", "--dir", dir, "--max-size", "64KB")
	waitFor(t, "three files", func() bool { return len(recordings(t, dir)) >= 3 })
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, 30*time.Second); code != 130 {
		t.Fatalf("exit %d after SIGINT, want 130; stderr:\n%s", code, stderr)
	}
	files := recordings(t, dir)
	var prev int64
	for i, path := range files {
		st, _ := os.Stat(path)
		if st.Size() > 64<<10 {
			t.Errorf("%s is %d bytes, past --max-size", path, st.Size())
		}
		rf := readRecording(t, path)
		if rf.err != nil {
			t.Fatalf("%s: %v", path, rf.err)
		}
		if rf.hdr.Get("part") != fmt.Sprint(i+1) {
			t.Errorf("%s: part %q, want %d", path, rf.hdr.Get("part"), i+1)
		}
		for _, f := range rf.frames {
			if f.Recv < prev {
				t.Fatalf("%s: receive time goes back across files", path)
			}
			prev = f.Recv
		}
		evs := rf.events()
		last := evs[len(evs)-1]
		if i < len(files)-1 && (last.Event != "rotated" || last.Next != filepath.Base(files[i+1])) {
			t.Errorf("%s ends with %+v, want rotated to %s", path, last, filepath.Base(files[i+1]))
		}
	}
}

// A file size limit (as a full disk) ends the run with an error that says
// so, and the file stays readable up to its last complete block.
func TestRecordFileSizeLimit(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 5 * time.Millisecond})
	dir := t.TempDir()
	cmd := exec.Command("sh", "-c", `ulimit -f 100 && exec "$0" "$@"`, kiteBin, "record", symINFY, symRELIANCE, "--mode", "full", "--dir", dir)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "KITE_HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Fatalf("exit %v, want 1; stderr:\n%s", err, &stderr)
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("kite record went on past the file size limit")
	}
	if !strings.Contains(stderr.String(), "file size limit") || !strings.Contains(stderr.String(), "intact") {
		t.Errorf("stderr does not say what happened:\n%s", &stderr)
	}
	files := recordings(t, dir)
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	rf := readRecording(t, files[0])
	if (rf.err != nil && !errors.Is(rf.err, recording.ErrTruncated)) || len(rf.frames) < 10 {
		t.Errorf("the file reads %d frames, then %v", len(rf.frames), rf.err)
	}
}

// Reconnects are recorded as events, in the file, in order.
func TestRecordRecordsReconnects(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 10 * time.Millisecond, Faults: sandbox.Faults{DropEvery: 700 * time.Millisecond}})
	dir := t.TempDir()
	r := runKite(t, kiteRun{Env: fastEnv(env)}, "record", symINFY, "--dir", dir, "--duration", "2500ms")
	if r.Code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.Code, r.Stderr)
	}
	files := recordings(t, dir)
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	count := map[string]int{}
	for _, ev := range readRecording(t, files[0]).events() {
		count[ev.Event]++
	}
	if count["connected"] < 2 || count["disconnected"] < 1 || count["reconnecting"] < 1 {
		t.Errorf("events %v, want reconnects recorded", count)
	}
	if !strings.Contains(r.Stderr, "reconnects") {
		t.Errorf("no counters line on stderr:\n%s", r.Stderr)
	}
}

func TestRecordUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"record", "NSE:INFY"}, "--dir DIR"},
		{[]string{"record", "NSE:INFY", "--dir", filepath.Join(dir, "nope")}, "mkdir -p"},
		{[]string{"record", "NSE:INFY", "--dir", dir, "--max-size", "lots"}, "not a size"},
		{[]string{"record", "NSE:INFY", "--dir", dir, "--max-size", "1KB"}, "too small"},
		{[]string{"record", "NSE:INFY", "--dir", dir, "--mode", "deep"}, "unknown --mode"},
		{[]string{"record", "--dir", dir}, "at least one instrument"},
	} {
		r := runKite(t, kiteRun{}, tc.args...)
		if r.Code != 2 || !strings.Contains(r.Stderr, tc.want) {
			t.Errorf("kite %s: exit %d, stderr %q; want 2 and %q", strings.Join(tc.args, " "), r.Code, r.Stderr, tc.want)
		}
	}
}
