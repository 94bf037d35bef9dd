#!/usr/bin/env bash
# Whole-command timings of the auth paths against a local sandbox. Runs are
# spaced 150 ms apart (not timed) so the sandbox's 10 req/s limit, which
# it enforces like Kite, never delays a run; the median is reported.
set -u
K=${K:-./kite}   # build first: go build -o kite ./cmd/kite
out=$(mktemp); $K sandbox >"$out" 2>/dev/null & sb=$!
trap 'kill $sb' EXIT
until grep -q ACCESS "$out"; do sleep 0.1; done
export KITE_HOME=$(mktemp -d) KITE_BASE_URL=$(grep BASE "$out" | cut -d= -f2)
tok=$(grep ACCESS "$out" | cut -d= -f2)
t() {
  local n=$1; shift; local ts=()
  for i in $(seq "$n"); do
    local t0=$(date +%s%N); "$@" >/dev/null 2>&1 || echo FAIL; local t1=$(date +%s%N)
    ts+=($(( (t1-t0)/1000 ))); sleep 0.15
  done
  printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {print "median " a[int((NR+1)/2)] " us"}'
}
echo -n "kite login --web (TOTP from env):   "; KITE_PASSWORD=sandbox-password KITE_TOTP_SECRET=KITESANDBOXTOTPSECRETJBSWY3DPEHP t 20 $K login --web --user-id SB0001
echo -n "kite whoami, cached session:         "; t 20 $K whoami
echo -n "kite whoami, env session:            "; KITE_ACCESS_TOKEN=$tok KITE_API_KEY=kitesandbox t 20 $K whoami
echo -n "kite whoami, no session (exit 3):    "; KITE_HOME=$(mktemp -d) t 20 sh -c "$K whoami; [ \$? = 3 ]"
echo -n "kite version (process floor):        "; t 20 $K version
