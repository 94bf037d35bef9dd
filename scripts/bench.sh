#!/usr/bin/env bash
# Reproduces the "Tick codec" figures of docs/benchmarks.md:
#   1. pkg/ticks micro-benchmarks (decode, decode+AppendJSON, encode, Reader);
#   2. kite's codec vs gokiteconnect's parser + encoding/json, same messages,
#      same run, and the ratio per packet kind;
#   3. `kite ticks decode` over a ~1 GB capture made with `kite ticks encode`:
#      MB/s and peak RSS (GNU time);
#   4. `kite version` wall time (hyperfine if installed, else a loop).
# Figures are the best of COUNT runs (default 5): the machine may be shared.
# Usage: scripts/bench.sh [micro|ratio|decode|version]...   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=-buildvcs=false
COUNT=${COUNT:-5}
SIZE=${SIZE:-1000000000} # capture size in bytes (rounded up to whole seeds)
work=${TMPDIR:-/tmp}/kite-bench
mkdir -p "$work"
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(micro ratio decode version)

# best NAME-PATTERN: the lowest ns/packet per benchmark name across -count runs.
best() {
  awk '/ns\/packet/ { for (i = 1; i <= NF; i++) if ($(i+1) == "ns/packet") v = $i;
         n = $1; sub(/-[0-9]+$/, "", n); if (!(n in m) || v < m[n]) m[n] = v }
       END { for (n in m) printf "%s %s\n", n, m[n] }' | sort
}

micro() {
  echo "== pkg/ticks benchmarks (best of $COUNT, ns/packet)"
  go test ./pkg/ticks -run '^$' -bench . -benchmem -count "$COUNT" >"$work/micro.txt"
  best <"$work/micro.txt"
  echo "allocs/op per benchmark (max):"
  awk '/allocs\/op/ { n = $1; sub(/-[0-9]+$/, "", n); a = $(NF-1); if (a > m[n]) m[n] = a; seen[n] = 1 }
       END { for (n in seen) printf "  %s %d\n", n, m[n] }' "$work/micro.txt" | sort
}

ratio() {
  echo "== kite codec vs gokiteconnect parser + encoding/json (best of $COUNT, ns/packet)"
  echo "   memory: json.Marshal into a reused buffer vs decode + AppendJSON into a reused buffer"
  echo "   printed: fmt.Println(string(json)) per tick vs AppendJSON into a 64 KiB bufio.Writer (both to /dev/null)"
  (cd bench && go test -run '^$' -bench 'Ticks(Baseline|BaselinePrintln|Kite|KiteFile)/' -benchmem -count "$COUNT") >"$work/ratio.txt"
  best <"$work/ratio.txt" | awk '
    { split($1, p, "/"); kind = p[2]; v[p[1], kind] = $2; kinds[kind] = 1 }
    END { printf "%-12s %10s %8s %6s   %10s %8s %6s\n", "kind", "memory:", "kite", "ratio", "printed:", "kite", "ratio";
          for (k in kinds) printf "%-12s %10.0f %8.1f %5.0fx   %10.0f %8.1f %5.0fx\n", k,
            v["BenchmarkTicksBaseline", k], v["BenchmarkTicksKite", k], v["BenchmarkTicksBaseline", k] / v["BenchmarkTicksKite", k],
            v["BenchmarkTicksBaselinePrintln", k], v["BenchmarkTicksKiteFile", k], v["BenchmarkTicksBaselinePrintln", k] / v["BenchmarkTicksKiteFile", k] }'
}

# seed writes N varied tick records: per 10 ticks, 6 full (NSE), 2 quote,
# 1 ltp and 1 index full, as a full-mode `kite stream` of a few symbols gives.
seed() {
  local i p c lp bids offers
  for ((i = 0; i < $1; i++)); do
    p=$((150000 + (i * 7919) % 20000)); c=155500
    printf -v lp '%d.%02d' $((p / 100)) $((p % 100))
    case $((i % 10)) in
    6 | 7) printf '{"mode":"quote","instrument_token":408065,"last_price":%s,"last_traded_quantity":%d,"average_traded_price":1568.12,"volume_traded":%d,"total_buy_quantity":120034,"total_sell_quantity":98001,"ohlc":{"open":1550,"high":1580,"low":1545.1,"close":1555}}\n' "$lp" $((i % 500 + 1)) $((4000000 + i)) ;;
    8) printf '{"mode":"ltp","instrument_token":738561,"last_price":%s}\n' "$lp" ;;
    9) printf '{"mode":"full","instrument_token":256265,"last_price":%s,"ohlc":{"open":24450,"high":24600,"low":24400.5,"close":24500},"exchange_timestamp":"2021-07-05T10:48:%02d+05:30"}\n' "$lp" $((i % 60)) ;;
    *)
      bids='{"quantity":100,"price":1573.65,"orders":1},{"quantity":2200,"price":1573.6,"orders":12},{"quantity":35,"price":1573.55,"orders":3},{"quantity":400,"price":1573.5,"orders":4},{"quantity":5125,"price":1573.45,"orders":51}'
      offers='{"quantity":75,"price":1573.75,"orders":2},{"quantity":1310,"price":1573.8,"orders":9},{"quantity":12,"price":1573.85,"orders":1},{"quantity":980,"price":1573.9,"orders":7},{"quantity":40250,"price":1574,"orders":133}'
      printf '{"mode":"full","instrument_token":408065,"last_price":%s,"last_traded_quantity":%d,"average_traded_price":1568.12,"volume_traded":%d,"total_buy_quantity":120034,"total_sell_quantity":98001,"ohlc":{"open":1550,"high":1580,"low":1545.1,"close":%d.%02d},"last_trade_time":"2021-07-05T10:48:%02d+05:30","oi":0,"oi_day_high":0,"oi_day_low":0,"exchange_timestamp":"2021-07-05T10:48:%02d+05:30","depth":{"buy":[%s],"sell":[%s]}}\n' \
        "$lp" $((i % 500 + 1)) $((4000000 + i)) $((c / 100)) $((c % 100)) $((i % 60)) $((i % 60)) "$bids" "$offers" ;;
    esac
  done
}

decode() {
  go build -o "$work/kite" ./cmd/kite
  local kite=$work/kite cap=$work/capture.bin
  if [ ! -f "$cap" ] || [ "$(stat -c %s "$cap")" -lt "$SIZE" ]; then
    seed 10000 >"$work/seed.ndjson"
    "$kite" ticks encode --batch 10 "$work/seed.ndjson" >"$work/seed.bin"
    local n=$(( (SIZE + $(stat -c %s "$work/seed.bin") - 1) / $(stat -c %s "$work/seed.bin") ))
    for ((i = 0; i < n; i++)); do cat "$work/seed.bin"; done >"$cap"
  fi
  local bytes; bytes=$(stat -c %s "$cap")
  echo "== kite ticks decode $cap ($bytes bytes) > /dev/null (best of $COUNT)"
  local best_s=999999 best_rss=0 ticks
  ticks=$("$kite" ticks decode "$work/seed.bin" | wc -l)
  for ((i = 0; i < COUNT; i++)); do
    /usr/bin/time -v "$kite" ticks decode "$cap" >/dev/null 2>"$work/time.txt"
    local s rss
    s=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (j = 1; j <= n; j++) s = s * 60 + t[j]; print s }' "$work/time.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
    echo "  run $((i + 1)): ${s}s, max RSS ${rss} KB"
    if awk -v a="$s" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then best_s=$s; fi
    [ "$rss" -gt "$best_rss" ] && best_rss=$rss
  done
  awk -v b="$bytes" -v s="$best_s" -v r="$best_rss" -v t="$ticks" -v seed="$(stat -c %s "$work/seed.bin")" 'BEGIN {
    printf "best: %.2fs = %.0f MB/s (%.1f M ticks/s); peak RSS over all runs %.1f MB\n", s, b / s / 1e6, b / seed * t / s / 1e6, r / 1024 }'
}

version() {
  go build -o "$work/kite" ./cmd/kite
  echo "== kite version wall time"
  if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 20 --runs 300 "$work/kite version" --export-json "$work/version.json" | sed -n '1,4p'
    awk '/"median"/ { gsub(/[ ,]/, ""); split($0, a, ":"); printf "median: %.2f ms\n", a[2] * 1000 }' "$work/version.json"
  else
    for ((i = 0; i < 300; i++)); do
      s=$(date +%s%N); "$work/kite" version >/dev/null; e=$(date +%s%N); echo $(((e - s) / 1000))
    done | sort -n | awk '{ v[NR] = $1 } END { printf "median: %.2f ms (300 runs, shell loop)\n", v[int((NR + 1) / 2)] / 1000 }'
  fi
}

for s in "${steps[@]}"; do "$s"; done
