#!/usr/bin/env bash
# Issue 13's end-to-end figures (docs/benchmarks.md, "NATS JetStream"):
# sandbox -> kite stream --publish -> nats-server (its own process, file
# storage) -> kite stream --from -> stdout, at about 20,000 full ticks/s.
# Latency is from the publisher's receive time (Kite-Recv-Time, printed
# with --recv-time) to the line's arrival on the consumer's stdout pipe.
set -euo pipefail
cd "$(dirname "$0")/.."
RATE_INSTRUMENTS=${RATE_INSTRUMENTS:-400}   # x 50 ticks/s (20 ms) = 20,000 ticks/s
SECS=${SECS:-20}
W=$(mktemp -d); trap 'kill $SB $NS 2>/dev/null || true; rm -rf "$W"' EXIT
go build -o "$W/kite" ./cmd/kite
go build -o "$W/nats-server" github.com/nats-io/nats-server/v2
K="$W/kite"
cat > "$W/lat.go" <<'GO'
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"
)

// Reads kite stream --recv-time NDJSON and prints the percentiles of
// now - recv_time, taken as each line arrives.
func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	key := []byte(`"recv_time":`)
	var lat []time.Duration
	for sc.Scan() {
		now := time.Now().UnixNano()
		l := sc.Bytes()
		i := bytes.Index(l, key)
		if i < 0 {
			continue
		}
		j := i + len(key)
		k := j
		for k < len(l) && l[k] >= '0' && l[k] <= '9' {
			k++
		}
		r, err := strconv.ParseInt(string(l[j:k]), 10, 64)
		if err == nil {
			lat = append(lat, time.Duration(now-r))
		}
	}
	if len(lat) == 0 {
		fmt.Println("no ticks")
		return
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[int(float64(len(lat)-1)*p)] }
	fmt.Printf("ticks %d  p50 %v  p90 %v  p99 %v  max %v\n", len(lat), q(.5), q(.9), q(.99), lat[len(lat)-1])
}
GO
go build -o "$W/lat" "$W/lat.go"

PORT=${NATS_PORT:-14333}
"$W/nats-server" -js -a 127.0.0.1 -p "$PORT" -sd "$W/js" -l "$W/ns.log" & NS=$!
"$K" sandbox --load-instruments "$RATE_INSTRUMENTS" --tick-interval 20ms > "$W/sb.env" 2>/dev/null & SB=$!
sleep 2; set -a; . "$W/sb.env"; set +a
URL=nats://127.0.0.1:$PORT
"$K" instruments --exchange NSE --jq '.[] | select(.tradingsymbol | startswith("LOAD")) | .instrument_token' > "$W/tokens"
echo "nats-server $URL, $(wc -l < "$W/tokens") instruments every 20 ms, $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"

# The stream (one tick creates it), the consumer (new ticks only), then
# the publisher.
"$K" stream --file "$W/tokens" --publish "$URL" --count 1 2> /dev/null
"$K" stream --from "$URL" --recv-time --duration "$((SECS + 3))s" | "$W/lat" > "$W/lat.out" & CONS=$!
sleep 1
/usr/bin/time -f "%U %S" -o "$W/pub.time" "$K" stream --file "$W/tokens" --mode full --publish "$URL" --duration "${SECS}s" 2> "$W/pub.err" || true
wait $CONS || true
grep -v '^kite: created' "$W/pub.err" || true
read -r U S < "$W/pub.time"
N=$(awk '{print $2}' "$W/lat.out")
echo "end to end: $(cat "$W/lat.out")"
echo "publisher CPU: ${U}s user + ${S}s sys for $N ticks = $(awk "BEGIN{printf \"%.2f\", ($U+$S)*1e6/$N}") µs/tick ($(awk "BEGIN{printf \"%.0f\", $N/$SECS}") ticks/s)"
awk '{print "nats-server CPU: " ($14+$15)/100 " s total"}' /proc/$NS/stat
