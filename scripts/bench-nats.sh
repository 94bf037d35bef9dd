#!/usr/bin/env bash
# Issue 13's end-to-end figures (docs/benchmarks.md, "NATS JetStream"):
# sandbox -> kite stream --publish -> nats-server (its own process, file
# storage) -> kite stream --from -> stdout, at about 20,000 full ticks/s.
# Latency is from the publisher's receive time (Kite-Recv-Time, printed
# with --recv-time) to the line's arrival on the consumer's stdout pipe.
# natsprobe (bench/natsprobe) times the lines. BASELINE=0 leaves out the
# baseline (natsprobe as publisher and consumer, with no kite); PROBE=1
# adds natsprobe reading kite's ticks by core NATS and by nats.go, beside
# kite's consumer, to split the latency by hop.
set -euo pipefail
cd "$(dirname "$0")/.."
RATE_INSTRUMENTS=${RATE_INSTRUMENTS:-400}   # x 50 ticks/s (20 ms) = 20,000 ticks/s
TICK_MS=${TICK_MS:-20}                      # one ticker frame of RATE_INSTRUMENTS ticks every TICK_MS
SECS=${SECS:-20}
W=$(mktemp -d); trap 'kill $SB $NS 2>/dev/null || true; rm -rf "$W"' EXIT
go build -o "$W/kite" ./cmd/kite
go build -o "$W/nats-server" github.com/nats-io/nats-server/v2
K="$W/kite"
(cd bench && go build -o "$W/natsprobe" ./natsprobe)

PORT=${NATS_PORT:-14333}
"$W/nats-server" -js -a 127.0.0.1 -p "$PORT" -sd "$W/js" -l "$W/ns.log" ${NATS_ARGS:-} & NS=$!
"$K" sandbox --load-instruments "$RATE_INSTRUMENTS" --tick-interval "${TICK_MS}ms" > "$W/sb.env" 2>/dev/null & SB=$!
sleep 2; set -a; . "$W/sb.env"; set +a
URL=nats://127.0.0.1:$PORT
"$K" instruments --exchange NSE --jq '.[] | select(.tradingsymbol | startswith("LOAD")) | .instrument_token' > "$W/tokens"
echo "nats-server $URL, $(wc -l < "$W/tokens") instruments every $TICK_MS ms, $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"

# The baseline, on the same server just before: nats.go alone publishes
# the same bursts (RATE_INSTRUMENTS full ticks every TICK_MS, kite's
# headers, acks awaited) to a stream of its own and reads them back with
# its ordered consumer, in one process.
if [ "${BASELINE:-1}" = 1 ]; then
  B0=$(awk '{print $14+$15}' /proc/$NS/stat)
  /usr/bin/time -f "%U %S" -o "$W/base.time" "$W/natsprobe" -url "$URL" -via jetstream -prefix base -publish "$RATE_INSTRUMENTS" -every "${TICK_MS}ms" -duration "$((SECS + 1))s" > "$W/base.out"
  BN=$(awk '{print $2}' "$W/base.out")
  read -r U S < "$W/base.time"
  echo "baseline, nats.go alone: $(cat "$W/base.out")"
  echo "baseline CPU: natsprobe (publisher and consumer) $(awk "BEGIN{printf \"%.2f\", ($U+$S)*1e6/$BN}") µs/tick; $(awk -v n="$BN" -v t0="$B0" '{printf "nats-server %.1f µs/tick", ($14+$15-t0)/100*1e6/n}' /proc/$NS/stat)"
fi

# The stream (one tick creates it), the consumer (new ticks only), then
# the publisher.
"$K" stream --file "$W/tokens" --publish "$URL" --count 1 2> /dev/null
/usr/bin/time -f "%U %S" -o "$W/cons.time" "$K" stream --from "$URL" --recv-time --duration "$((SECS + 3))s" | "$W/natsprobe" -via stdin > "$W/lat.out" & CONS=$!
# The same ticks read without kite's consumer: by core NATS (publisher and
# routing only) and by nats.go's ordered consumer (plus store and delivery).
if [ "${PROBE:-0}" = 1 ]; then
  "$W/natsprobe" -url "$URL" -via core -duration "$((SECS + 3))s" > "$W/core.out" & P1=$!
  "$W/natsprobe" -url "$URL" -via jetstream -duration "$((SECS + 3))s" > "$W/js.out" & P2=$!
fi
sleep 1
NS0=$(awk '{print $14+$15}' /proc/$NS/stat)   # the server's CPU ticks before kite's run
SB0=$(awk '{print $14+$15}' /proc/$SB/stat)
/usr/bin/time -f "%U %S" -o "$W/pub.time" "$K" stream --file "$W/tokens" --mode full --publish "$URL" --duration "${SECS}s" 2> "$W/pub.err" || true
wait $CONS || true
if [ "${PROBE:-0}" = 1 ]; then
  wait $P1 $P2 || true
  echo "core NATS subscriber: $(cat "$W/core.out")"
  echo "nats.go ordered consumer: $(cat "$W/js.out")"
fi
grep -v '^kite: created' "$W/pub.err" || true
read -r U S < "$W/pub.time"
N=$(awk '{print $2}' "$W/lat.out")
echo "end to end: $(cat "$W/lat.out")"
echo "publisher CPU: ${U}s user + ${S}s sys for $N ticks = $(awk "BEGIN{printf \"%.2f\", ($U+$S)*1e6/$N}") µs/tick ($(awk "BEGIN{printf \"%.0f\", $N/$SECS}") ticks/s)"
read -r U S < "$W/cons.time"
echo "consumer CPU: ${U}s user + ${S}s sys = $(awk "BEGIN{printf \"%.2f\", ($U+$S)*1e6/$N}") µs/tick"
awk -v n="$N" -v t0="$NS0" '{printf "nats-server CPU in kite'"'"'s run: %.2f s = %.1f µs/tick\n", ($14+$15-t0)/100, ($14+$15-t0)/100*1e6/n}' /proc/$NS/stat
awk -v n="$N" -v t0="$SB0" '{printf "kite sandbox CPU in kite'"'"'s run (making and sending the ticks): %.2f s = %.1f µs/tick\n", ($14+$15-t0)/100, ($14+$15-t0)/100*1e6/n}' /proc/$SB/stat
