#!/usr/bin/env bash
# Short soak for CI: the release full-stack example under 200,000 keep-alive
# requests (wrk -t1 -c16, /context with a forwarded chain and Accept-Language),
# asserting that its resident memory does not grow: VmRSS after 200 k minus
# VmRSS after a 20 k warm-up must stay under SOAK_RSS_LIMIT_KB (1024 kB; a
# leak of 8 bytes per request would already exceed it). The exact heap
# proofs are tests/leak_heap*.rs; this is the same claim for the real binary.
# Then the example's retention guard (CROCODILE_RETENTION_AGE=0s: any request
# alive after its response counts) must report `retained_requests: 0` in
# /context: nothing kept any of those requests.
#
# Usage: scripts/soak-ci.sh   (under a minute after the release build)
set -euo pipefail
cd "$(dirname "$0")/.."

REQUESTS=${SOAK_REQUESTS:-200000}
WARM_UP=${SOAK_WARM_UP:-20000}
LIMIT_KB=${SOAK_RSS_LIMIT_KB:-1024}
TIME_LIMIT=${SOAK_TIME_LIMIT:-90}

if ! command -v wrk >/dev/null; then
    echo "installing wrk..." >&2
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
cargo build --release --example full-stack

LOG=$(mktemp)
RUST_LOG=warn CROCODILE_ADDR=127.0.0.1:0 CROCODILE_RETENTION_AGE=0s target/release/examples/full-stack >"$LOG" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -f "$LOG"' EXIT
URL=
for _ in $(seq 100); do
    URL=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$LOG")
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || { echo "the example did not start:" >&2; cat "$LOG" >&2; exit 1; }

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }
TOTAL=0
# Runs wrk in one-second slices until $1 requests in all (bounded in time).
load_until() {
    local start=$SECONDS out n
    while [ "$TOTAL" -lt "$1" ]; do
        [ $((SECONDS - start)) -lt "$TIME_LIMIT" ] || { echo "time limit reached at $TOTAL requests" >&2; exit 1; }
        out=$(wrk -t1 -c16 -d1s -H 'Host: localhost' \
            -H 'X-Forwarded-For: 203.0.113.7' \
            -H 'Accept-Language: fr-CA, fr;q=0.9, en;q=0.5' "$URL/context")
        if grep -q 'Non-2xx' <<<"$out"; then echo "$out" >&2; exit 1; fi
        n=$(awk '/requests in/ {print $1}' <<<"$out")
        [ "${n:-0}" -gt 0 ] || { echo "$out" >&2; exit 1; }
        TOTAL=$((TOTAL + n))
    done
}

load_until "$WARM_UP"
WARM_RSS=$(rss_kb)
WARM_TOTAL=$TOTAL
load_until "$REQUESTS"
END_RSS=$(rss_kb)
GROWTH=$((END_RSS - WARM_RSS))
HWM=$(awk '/^VmHWM/ {print $2}' "/proc/$PID/status")
echo "soak: VmRSS ${WARM_RSS} kB after ${WARM_TOTAL} requests, ${END_RSS} kB after ${TOTAL} (growth ${GROWTH} kB, limit ${LIMIT_KB} kB); VmHWM ${HWM} kB"
if [ "$GROWTH" -ge "$LIMIT_KB" ]; then
    echo "soak: FAILED: resident memory grew ${GROWTH} kB over $((TOTAL - WARM_TOTAL)) requests" >&2
    exit 1
fi
RETAINED=$(curl -fsS -H 'Host: localhost' "$URL/context" | python3 -c 'import json, sys; print(json.load(sys.stdin)["retained_requests"])')
echo "soak: the retention guard counts ${RETAINED} requests kept after their response"
if [ "$RETAINED" != 0 ]; then
    echo "soak: FAILED: ${RETAINED} requests were still alive after their responses" >&2
    exit 1
fi
echo "soak: ok"
