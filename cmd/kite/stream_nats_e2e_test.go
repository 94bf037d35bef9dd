package main

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/natstest"
	"github.com/kitecli/kite/pkg/sandbox"
)

func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// --publish alone prints nothing; --tee prints what kite stream prints;
// --from prints the same bytes for the same ticks.
func TestStreamNATSFromIsByteIdentical(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 5 * time.Millisecond})
	ns := natstest.Start(t)

	r := runKite(t, kiteRun{Env: env}, "stream", symINFY, "--publish", ns.URL(), "--count", "5", "--subject-prefix", "quiet")
	if r.Code != 0 || r.Stdout != "" {
		t.Fatalf("--publish alone: exit %d, stdout %q; stderr:\n%s", r.Code, r.Stdout, r.Stderr)
	}
	if !strings.Contains(r.Stderr, "created JetStream stream QUIET") {
		t.Errorf("stderr does not tell of the stream it created:\n%s", r.Stderr)
	}

	const n = 40
	pub := runKite(t, kiteRun{Env: env}, "stream", symINFY, symRELIANCE, "--mode", "full", "--publish", ns.URL(), "--tee", "--count", strconv.Itoa(n))
	if pub.Code != 0 {
		t.Fatalf("publisher: exit %d; stderr:\n%s", pub.Code, pub.Stderr)
	}
	if got := len(lines(pub.Stdout)); got != n {
		t.Fatalf("--tee printed %d lines, want %d", got, n)
	}
	parseLines(t, pub.Stdout)
	if strings.Contains(pub.Stderr, "missing") {
		t.Fatalf("the publisher could not store everything (a loaded machine?); stderr:\n%s", pub.Stderr)
	}
	want := firstOccurrences(pub.Stdout)
	stored := storedMessages(t, ns.URL(), "KITE", "kite.ticks.>")
	if stored != len(lines(want)) {
		t.Fatalf("stream KITE holds %d ticks; --tee printed %d distinct ticks:\n%s", stored, len(lines(want)), pub.Stdout)
	}
	con := runKite(t, kiteRun{Env: env, Timeout: 90 * time.Second}, "stream", "--from", ns.URL(), "--since", "1h", "--count", strconv.Itoa(stored))
	if con.Code != 0 {
		t.Fatalf("consumer: exit %d; stderr:\n%s", con.Code, con.Stderr)
	}
	if con.Stdout != want {
		t.Fatalf("--from output differs from kite stream's:\n--- stream\n%s\n--- from\n%s", want, con.Stdout)
	}
	// The same, through the JSON payload and by instrument.
	pubJSON := runKite(t, kiteRun{Env: env}, "stream", symINFY, "--mode", "full", "--publish", ns.URL(), "--tee", "--publish-format", "json", "--subject-prefix", "js", "--count", "10")
	if pubJSON.Code != 0 {
		t.Fatalf("json publisher: exit %d; stderr:\n%s", pubJSON.Code, pubJSON.Stderr)
	}
	wantJSON := firstOccurrences(pubJSON.Stdout)
	storedJSON := storedMessages(t, ns.URL(), "JS", "js.ticks.>")
	if storedJSON != len(lines(wantJSON)) {
		t.Fatalf("stream JS holds %d ticks; --tee printed %d distinct ticks:\n%s", storedJSON, len(lines(wantJSON)), pubJSON.Stdout)
	}
	conJSON := runKite(t, kiteRun{Env: env, Timeout: 90 * time.Second}, "stream", symINFY, "--from", ns.URL(), "--subject-prefix", "js", "--since", "1h", "--count", strconv.Itoa(storedJSON))
	if conJSON.Code != 0 || conJSON.Stdout != wantJSON {
		t.Fatalf("--from with json payloads: exit %d, stderr %s\n--- stream\n%s\n--- from\n%s", conJSON.Code, conJSON.Stderr, wantJSON, conJSON.Stdout)
	}
}

func TestStreamNATSUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"stream", "NSE:INFY", "--publish", "nats://127.0.0.1:1", "--from", "nats://127.0.0.1:1"}, "cannot be combined"},
		{[]string{"stream", "NSE:INFY", "--publish", "nats://127.0.0.1:1", "--publish-format", "xml"}, "unknown --publish-format"},
		{[]string{"stream", "NSE:INFY", "--tee"}, "--tee works with --publish"},
		{[]string{"stream", "--from", "nats://127.0.0.1:1", "--since", "yesterday"}, "--since \"yesterday\" is not a duration"},
		{[]string{"stream", "--from", "nats://127.0.0.1:1", "--since", "1h", "--last"}, "cannot be combined"},
		{[]string{"stream", "NSE:INFY", "--publish", "nats://u:hunter2@nats.example.com:4222"}, "in clear"},
		{[]string{"stream", "NSE:INFY", "--publish", ""}, "NATS_URL"},
	} {
		r := runKite(t, kiteRun{Timeout: 20 * time.Second}, c.args...)
		if r.Code != 2 || !strings.Contains(r.Stderr, c.want) || strings.Contains(r.Stderr, "hunter2") {
			t.Errorf("kite %v: exit %d, stderr %q; want exit 2 and %q", c.args, r.Code, r.Stderr, c.want)
		}
	}
	// Nothing listening: a network error (6) that says what to do.
	r := runKite(t, kiteRun{Timeout: 20 * time.Second}, "stream", "--from", "nats://127.0.0.1:1")
	if r.Code != 6 || !strings.Contains(r.Stderr, "nats-server -js") {
		t.Errorf("no server: exit %d, stderr %q; want exit 6 naming nats-server -js", r.Code, r.Stderr)
	}
}

// A server without the stream: a usage error (2) that says how to get one.
func TestStreamNATSMissingStream(t *testing.T) {
	ns := natstest.Start(t)
	r := runKite(t, kiteRun{Timeout: 30 * time.Second}, "stream", "--from", ns.URL(), "--stream", "NOPE")
	const want = "kite: no JetStream stream NOPE: start a publisher (kite stream ... --publish URL) or name the stream with --stream: nats: "
	if r.Code != 2 || !strings.HasPrefix(r.Stderr, want) || !strings.Contains(r.Stderr, "stream not found") || !strings.HasSuffix(r.Stderr, "\nRun 'kite stream --help' for usage.\n") {
		t.Errorf("stream --from a server without the stream: exit %d, stderr %q; want exit 2 and %q", r.Code, r.Stderr, want)
	}
}

// Two publishers on one sandbox feed: the stream holds each tick once,
// and holds every tick either printed.
func TestStreamNATSTwoPublishersStoreOnce(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 5 * time.Millisecond})
	ns := natstest.Start(t)
	var wg sync.WaitGroup
	var pubs [2]result
	for i := range pubs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pubs[i] = runKite(t, kiteRun{Env: env}, "stream", symINFY, symRELIANCE, "--mode", "full", "--publish", ns.URL(), "--tee", "--duration", "2s")
		}()
	}
	wg.Wait()
	union := map[string]bool{}
	for i, p := range pubs {
		if p.Code != 0 || len(lines(p.Stdout)) == 0 {
			t.Fatalf("publisher %d: exit %d, %d lines; stderr:\n%s", i, p.Code, len(lines(p.Stdout)), p.Stderr)
		}
		for _, l := range lines(p.Stdout) {
			union[l] = true
		}
	}
	// The sandbox sends both connections the same ticks: without the
	// Nats-Msg-Id, the shared ones would be stored twice.
	if shared := len(lines(pubs[0].Stdout)) + len(lines(pubs[1].Stdout)) - len(union); shared == 0 {
		t.Fatalf("the publishers printed no tick in common; nothing to deduplicate")
	}
	con := runKite(t, kiteRun{Env: env, Timeout: 90 * time.Second}, "stream", "--from", ns.URL(), "--since", "1h", "--duration", "2s")
	got := map[string]bool{}
	for _, l := range lines(con.Stdout) {
		if got[l] {
			t.Errorf("stored twice: %s", l)
		}
		got[l] = true
	}
	for l := range union {
		if !got[l] {
			t.Errorf("printed by a publisher but not stored: %s", l)
		}
	}
	if len(got) != len(union) {
		t.Errorf("stream holds %d ticks, publishers printed %d distinct ones", len(got), len(union))
	}
}

var missingRE = regexp.MustCompile(`(\d+) of \d+ messages may be missing`)

// The NATS server stops and comes back mid-stream: every tick the
// publisher printed is stored, but for those it reported missing.
func TestStreamNATSServerRestart(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 5 * time.Millisecond})
	ns := natstest.Start(t)
	done := make(chan result, 1)
	go func() {
		done <- runKite(t, kiteRun{Env: env}, "stream", symINFY, symRELIANCE, "--mode", "full", "--publish", ns.URL(), "--tee", "--duration", "4s")
	}()
	time.Sleep(time.Second)
	ns.Stop()
	time.Sleep(time.Second)
	ns.Restart()
	pub := <-done
	if pub.Code != 0 {
		t.Fatalf("publisher: exit %d; stderr:\n%s", pub.Code, pub.Stderr)
	}
	if !strings.Contains(pub.Stderr, "NATS: disconnected") || !strings.Contains(pub.Stderr, "NATS: reconnected") {
		t.Errorf("stderr does not tell of the outage:\n%s", pub.Stderr)
	}
	missing := 0
	if m := missingRE.FindStringSubmatch(pub.Stderr); m != nil {
		missing, _ = strconv.Atoi(m[1])
	}
	con := runKite(t, kiteRun{Env: env, Timeout: 90 * time.Second}, "stream", "--from", ns.URL(), "--since", "1h", "--duration", "2s")
	stored := map[string]bool{}
	for _, l := range lines(con.Stdout) {
		stored[l] = true
	}
	lost := 0
	for _, l := range lines(pub.Stdout) {
		if !stored[l] {
			lost++
		}
	}
	t.Logf("printed %d, stored %d, lost %d, reported missing %d", len(lines(pub.Stdout)), len(stored), lost, missing)
	if lost > missing {
		t.Errorf("%d ticks printed but not stored, only %d reported missing; stderr:\n%s", lost, missing, pub.Stderr)
	}
}

// A durable consumer stopped after 5 ticks continues at the 6th.
func TestStreamNATSDurableResumes(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 5 * time.Millisecond})
	ns := natstest.Start(t)
	pub := runKite(t, kiteRun{Env: env}, "stream", symINFY, "--mode", "full", "--publish", ns.URL(), "--tee", "--count", "12")
	if pub.Code != 0 {
		t.Fatalf("publisher: exit %d; stderr:\n%s", pub.Code, pub.Stderr)
	}
	want := firstOccurrences(pub.Stdout)
	stored := storedMessages(t, ns.URL(), "KITE", "kite.ticks.>")
	if stored != len(lines(want)) || stored < 6 {
		t.Fatalf("stream KITE holds %d ticks; --tee printed %d distinct ticks:\n%s", stored, len(lines(want)), pub.Stdout)
	}
	var got string
	for _, n := range []string{"5", strconv.Itoa(stored - 5)} {
		r := runKite(t, kiteRun{Env: env, Timeout: 90 * time.Second}, "stream", "--from", ns.URL(), "--durable", "strategy", "--since", "1h", "--count", n)
		if r.Code != 0 {
			t.Fatalf("durable consumer: exit %d; stderr:\n%s", r.Code, r.Stderr)
		}
		got += r.Stdout
	}
	if got != want {
		t.Fatalf("durable runs of 5 then %d ticks:\n%s\nwant the %d stored:\n%s", stored-5, got, stored, want)
	}

}

// kite watch --from shows the latest published tick of each instrument,
// even once the publisher has stopped.
func TestWatchFromNATSUnderTmux(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 20 * time.Millisecond})
	ns := natstest.Start(t)
	pub := runKite(t, kiteRun{Env: env}, "stream", symINFY, symRELIANCE, "--mode", "full", "--publish", ns.URL(), "--duration", "1s")
	if pub.Code != 0 {
		t.Fatalf("publisher: exit %d; stderr:\n%s", pub.Code, pub.Stderr)
	}
	s := startTmux(t, watchCommand(t, env, symRELIANCE, symINFY, "--from", ns.URL(), "--rate", "10"))
	s.waitFor("both rows with prices", func(scr string) bool { return len(rowRe.FindAllString(scr, -1)) == 2 })
	s.run("send-keys", "q")
	scr := s.waitFor("exit", func(scr string) bool { return strings.Contains(scr, "EXIT=") })
	if !strings.Contains(scr, "EXIT=0") {
		t.Fatalf("q: want exit 0; screen:\n%s", scr)
	}
}

var timeRE = regexp.MustCompile(`"time":"[^"]*"`)

// --events records read back with --from have kite stream's keys in kite
// stream's order (type, event, connection, time, ...), as the publisher
// printed them with --tee.
func TestStreamNATSFromEventsKeyOrder(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 5 * time.Millisecond})
	ns := natstest.Start(t)
	pub := runKite(t, kiteRun{Env: env}, "stream", symINFY, "--mode", "full", "--publish", ns.URL(), "--tee", "--events", "--count", "5")
	if pub.Code != 0 {
		t.Fatalf("publisher: exit %d; stderr:\n%s", pub.Code, pub.Stderr)
	}
	printed := map[string]bool{}
	for _, l := range lines(pub.Stdout) {
		printed[timeRE.ReplaceAllString(l, `"time":"T"`)] = true
	}
	// --count counts ticks, and an unchanged packet is stored once.
	ticksStored := storedMessages(t, ns.URL(), "KITE", "kite.ticks.>")
	con := runKite(t, kiteRun{Env: env, Timeout: 90 * time.Second}, "stream", "--from", ns.URL(), "--since", "1h", "--events", "--count", strconv.Itoa(ticksStored))
	if con.Code != 0 {
		t.Fatalf("consumer: exit %d; stderr:\n%s", con.Code, con.Stderr)
	}
	events := 0
	for _, l := range lines(con.Stdout) {
		if !strings.Contains(l, `"type":"event"`) {
			continue
		}
		events++
		if !printed[timeRE.ReplaceAllString(l, `"time":"T"`)] {
			t.Errorf("--from printed an event record kite stream did not print:\n%s\nkite stream printed:\n%s", l, pub.Stdout)
		}
	}
	first := lines(con.Stdout)[0]
	if want := `{"type":"event","event":"connected","connection":1,"time":"`; !strings.HasPrefix(first, want) {
		t.Errorf("first record %s, want it to start %s", first, want)
	}
	if events == 0 {
		t.Fatalf("--from --events printed no event; stdout:\n%s", con.Stdout)
	}
}

// kite stream --from writes a burst with one write, but never keeps a
// record back while it waits: every stored tick reaches the pipe while
// the consumer is still running, with no --count to end it.
func TestStreamNATSFromFlushesWhileWaiting(t *testing.T) {
	env, ns, tee := publishSandboxTicks(t, 30)
	want := lines(firstOccurrences(tee))
	if stored := storedMessages(t, ns.URL(), "KITE", "kite.ticks.>"); stored != len(want) {
		t.Fatalf("stream KITE holds %d ticks; --tee printed %d distinct ticks", stored, len(want))
	}
	cmd, out, _, stderr := startStream(t, env, "--from", ns.URL(), "--since", "1h")
	got := make(chan string, len(want))
	go func() {
		for {
			l, err := out.ReadString('\n')
			if err != nil {
				close(got)
				return
			}
			got <- strings.TrimSuffix(l, "\n")
		}
	}()
	deadline := time.After(60 * time.Second)
	for i, w := range want {
		select {
		case l, ok := <-got:
			if !ok {
				t.Fatalf("kite stream --from ended after %d of %d lines; stderr:\n%s", i, len(want), stderr)
			}
			if l != w {
				t.Fatalf("line %d: %s\nwant %s", i+1, l, w)
			}
		case <-deadline:
			t.Fatalf("after 60 s, %d of %d stored ticks printed by a consumer still running: records held back", i, len(want))
		}
	}
	if cmd.ProcessState != nil {
		t.Fatalf("the consumer exited (%v): it should wait for more", cmd.ProcessState)
	}
}

// A consumer host with no Kite session resolves names by the symbols the
// publisher put on its ticks: stream --from NSE:INFY works there, a token
// needs nothing, and a name no tick carries is refused with the way out.
func TestStreamNATSFromWithoutSession(t *testing.T) {
	_, ns, tee := publishSandboxTicks(t, 20)
	var want []string
	for _, l := range lines(firstOccurrences(tee)) {
		if strings.Contains(l, `"symbol":"NSE:INFY"`) {
			want = append(want, l)
		}
	}
	if len(want) == 0 {
		t.Fatalf("the publisher printed no INFY tick:\n%s", tee)
	}
	noSession := map[string]string{} // a fresh KITE_HOME, no KITE_* variables
	for _, name := range []string{"nse:infy", "408065"} {
		r := runKite(t, kiteRun{Env: noSession}, "stream", "--from", ns.URL(), name, "--since", "1h", "--count", strconv.Itoa(len(want)))
		if r.Code != 0 || r.Stdout != strings.Join(want, "\n")+"\n" {
			t.Fatalf("stream --from %s without a session: exit %d\n%s\nwant\n%s\nstderr:\n%s", name, r.Code, r.Stdout, strings.Join(want, "\n"), r.Stderr)
		}
	}
	r := runKite(t, kiteRun{Env: noSession}, "stream", "--from", ns.URL(), "NSE:WIPRO", "--since", "1h", "--count", "1")
	if r.Code != 3 || r.Stdout != "" || !strings.Contains(r.Stderr, `stream KITE has no tick marked "NSE:WIPRO"`) || !strings.Contains(r.Stderr, "instrument token") {
		t.Fatalf("an unknown name without a session: exit %d, stdout %q, stderr:\n%s", r.Code, r.Stdout, r.Stderr)
	}
}

// publishSandboxTicks starts a sandbox and a NATS server, and publishes n
// full INFY and RELIANCE ticks with --tee, which it returns.
func publishSandboxTicks(t *testing.T, n int) (env map[string]string, ns *natstest.Server, tee string) {
	t.Helper()
	_, env = startTestSandbox(t, sandbox.Options{TickInterval: 5 * time.Millisecond})
	ns = natstest.Start(t)
	pub := runKite(t, kiteRun{Env: env}, "stream", symINFY, symRELIANCE, "--mode", "full", "--publish", ns.URL(), "--tee", "--count", strconv.Itoa(n))
	if pub.Code != 0 {
		t.Fatalf("publisher: exit %d; stderr:\n%s", pub.Code, pub.Stderr)
	}
	return env, ns, pub.Stdout
}
