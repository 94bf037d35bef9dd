#!/usr/bin/env bash
# Issue 12's figures, measured side by side in one run (docs/benchmarks.md,
# "Recording and parallel decode"). Needs only the kite binary it builds.
set -euo pipefail
cd "$(dirname "$0")/.."
W=$(mktemp -d); trap 'kill $SB1 $SB2 2>/dev/null || true; rm -rf "$W"' EXIT
go build -o "$W/kite" ./cmd/kite
K="$W/kite"
T() { /usr/bin/time -f "%e s wall, %U s user, %S s sys" "$@"; }

# A fast sandbox: 9000 synthetic NSE equities, a tick every 50 ms.
"$K" sandbox --load-instruments 9000 --tick-interval 50ms > "$W/fast.env" 2>/dev/null & SB1=$!
sleep 2; set -a; . "$W/fast.env"; set +a
"$K" instruments --exchange NSE --jq '.[] | select(.tradingsymbol | startswith("LOAD")) | .instrument_token' > "$W/tokens"
head -3000 "$W/tokens" > "$W/tokens3000"

echo "== capture: 250,000 full-mode ticks (kite stream --raw)"
"$K" stream --file "$W/tokens3000" --mode full --raw --count 250000 > "$W/cap.bin"
"$K" ticks decode "$W/cap.bin" > "$W/cap.ndjson"
RAW=$(stat -c %s "$W/cap.bin"); OUT=$(stat -c %s "$W/cap.ndjson")
echo "capture $RAW bytes, NDJSON $OUT bytes"

echo "== decode into a pipe, against head -c of the same bytes through the same pipe"
for i in 1 2 3; do
  echo -n "head -c:          "; T sh -c "head -c $OUT '$W/cap.ndjson' | cat > /dev/null" 2>&1
  echo -n "decode 2 cores:   "; T sh -c "'$K' ticks decode '$W/cap.bin' | cat > /dev/null" 2>&1
  echo -n "decode 1 core:    "; T sh -c "GOMAXPROCS=1 '$K' ticks decode '$W/cap.bin' | cat > /dev/null" 2>&1
done
echo "== decode to /dev/null"
for i in 1 2 3; do
  echo -n "1 core:  "; GOMAXPROCS=1 T "$K" ticks decode "$W/cap.bin" 2>&1 > /dev/null
  echo -n "2 cores: "; T "$K" ticks decode "$W/cap.bin" 2>&1 > /dev/null
done

echo "== a recording of the same feed (3000 instruments, 20 ticks/s each, 5 s)"
mkdir "$W/rec"
"$K" record --file "$W/tokens3000" --mode full --dir "$W/rec" --duration 5s 2> "$W/rec.err"
tail -1 "$W/rec.err"
"$K" ticks decode "$W/rec"/*.krec > "$W/rec.ndjson"
N=$(wc -l < "$W/rec.ndjson"); DISK=$(cat "$W/rec"/*.krec | wc -c)
"$K" replay "$W/rec"/*.krec --speed max --jq 'select(.instrument_token > 0) | 1' | wc -l | sed 's/^/replay ticks: /'
echo "recorded ticks $N; on disk $DISK bytes = $(awk "BEGIN{printf \"%.1f\", $DISK/$N}") B/tick; raw full packet 186 B (+2 per message)"
echo "== recording to NDJSON (2 cores) and to Parquet"
for i in 1 2; do
  echo -n "decode:  "; T "$K" ticks decode "$W/rec"/*.krec 2>&1 > /dev/null
  echo -n "parquet: "; T "$K" ticks convert --to parquet "$W/rec"/*.krec -o "$W/rec.parquet" 2>&1 | grep -v wrote
done
echo "parquet $(stat -c %s "$W/rec.parquet") bytes for $N ticks"
kill $SB1; wait $SB1 2>/dev/null || true

echo "== recorder CPU: 9000 instruments x 1 tick/s, full mode, 60 s"
"$K" sandbox --load-instruments 9000 --tick-interval 1s > "$W/slow.env" 2>/dev/null & SB2=$!
sleep 2; set -a; . "$W/slow.env"; set +a
mkdir "$W/rec9000"
T "$K" record --file "$W/tokens" --mode full --dir "$W/rec9000" --duration 60s 2>&1 | tail -2
kill $SB2; wait $SB2 2>/dev/null || true
