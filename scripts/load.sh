#!/usr/bin/env bash
# Load test: bare axum vs the full Crocodile stack vs the peers' stack
# (axum-client-ip + tower-http request-id + hand-rolled per-request Fluent),
# same handler and body (tools/load-server/src/main.rs), on loopback. Alternates
# `wrk -t1 -c32` rounds between the three servers (rotating which goes first)
# and prints, per stack: the median req/s and its ratio to bare, the server's CPU microseconds per request (utime+stime from
# /proc/PID/stat over each round), and RSS (VmRSS, VmHWM) after warm-up,
# after 1 M and after 3 M requests.
#
# Usage: scripts/load.sh            (about 10 minutes after the build)
# Tunables (environment): ROUNDS (min rounds, 5), ROUND_SECONDS (5),
# TARGET (requests per server, 3000000), MAX_ROUNDS (60),
# TIME_LIMIT (seconds of load in all, 900), STRICT=1 (exit 1 on a missed goal),
# STACKS (which to run, "bare full peers"; bare must be among them).
# Goals: full >= 0.92x bare req/s; <= +0.8 us CPU per request; RSS growth
# from 1 M to 3 M requests < 1 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
ROUND_SECONDS=${ROUND_SECONDS:-5}
TARGET=${TARGET:-3000000}
MAX_ROUNDS=${MAX_ROUNDS:-60}
TIME_LIMIT=${TIME_LIMIT:-900}
STRICT=${STRICT:-0}
PORT_BARE=${PORT_BARE:-3101}
PORT_FULL=${PORT_FULL:-3102}
PORT_PEERS=${PORT_PEERS:-3103}
read -r -a STACKS <<<"${STACKS:-bare full peers}"
case " ${STACKS[*]} " in *" bare "*) ;; *) echo "STACKS must include bare" >&2; exit 2 ;; esac

if ! command -v wrk >/dev/null; then
    echo "installing wrk..." >&2
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi

cargo build --release -p crocodile-load-server
BIN=${CARGO_TARGET_DIR:-target}/release/load-server

# Server on core 0, wrk on core 1, when there are two.
SERVER_CPU=() WRK_CPU=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    SERVER_CPU=(taskset -c 0) WRK_CPU=(taskset -c 1)
fi

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

declare -A PID PORT
start() { # stack port: starts it, sets PID[stack] and PORT[stack]
    "${SERVER_CPU[@]}" "$BIN" "$1" "127.0.0.1:$2" >"/tmp/load-server-$1.log" 2>&1 &
    PID[$1]=$!
    PORT[$1]=$2
    PIDS+=("$!")
    for _ in $(seq 50); do
        if grep -q listening "/tmp/load-server-$1.log" 2>/dev/null; then return; fi
        sleep 0.1
    done
    echo "server $1 did not start" >&2; cat "/tmp/load-server-$1.log" >&2; exit 1
}

declare -A PORT_OF=([bare]=$PORT_BARE [full]=$PORT_FULL [peers]=$PORT_PEERS)
for stack in "${STACKS[@]}"; do
    [ -n "${PORT_OF[$stack]:-}" ] || { echo "unknown stack $stack (bare, full or peers)" >&2; exit 2; }
    start "$stack" "${PORT_OF[$stack]}"
done

CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
mem() { awk '/^VmRSS|^VmHWM/ {printf "%s %s kB  ", $1, $2}' "/proc/$1/status"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# One wrk run against a stack; sets REQS and RPS.
HEADERS=(-H 'X-Forwarded-For: 203.0.113.7' -H 'Accept-Language: fr-CA, fr;q=0.9, en;q=0.5')
wrk_run() { # stack seconds
    local out
    out=$("${WRK_CPU[@]}" wrk -t1 -c32 -d"$2"s "${HEADERS[@]}" "http://127.0.0.1:${PORT[$1]}/")
    if grep -q 'Non-2xx' <<<"$out"; then echo "$out" >&2; echo "non-2xx answers from $1" >&2; exit 1; fi
    REQS=$(awk '/requests in/ {print $1}' <<<"$out")
    RPS=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
}

# All answer the same body to the request wrk sends.
for stack in "${STACKS[@]}"; do
    body=$(curl -s --max-time 5 "${HEADERS[@]}" "http://127.0.0.1:${PORT[$stack]}/")
    [ "$body" = "hello, world" ] || { echo "unexpected body from $stack: $body" >&2; exit 1; }
done

declare -A TOTAL RPS_LIST CPU_LIST RSS_WARM RSS_1M RSS_3M KB_1M KB_3M
for stack in "${STACKS[@]}"; do
    wrk_run "$stack" 3
    TOTAL[$stack]=$REQS
    RSS_WARM[$stack]="after ${REQS} warm-up requests: $(mem "${PID[$stack]}")"
    RPS_LIST[$stack]="" CPU_LIST[$stack]=""
done

START=$SECONDS
round=0
while :; do
    round=$((round + 1))
    # Rotate which stack goes first: bare full peers, full peers bare, ...
    n=${#STACKS[@]} order=()
    for i in $(seq 0 $((n - 1))); do order+=("${STACKS[$(((round - 1 + i) % n))]}"); done
    for stack in "${order[@]}"; do
        pid=${PID[$stack]}
        before=$(cpu_ticks "$pid")
        wrk_run "$stack" "$ROUND_SECONDS"
        after=$(cpu_ticks "$pid")
        us=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$REQS" 'BEGIN {printf "%.3f", t / hz * 1e6 / n}')
        RPS_LIST[$stack]+="$RPS "
        CPU_LIST[$stack]+="$us "
        prev=${TOTAL[$stack]}
        TOTAL[$stack]=$((prev + REQS))
        if [ "$prev" -lt 1000000 ] && [ "${TOTAL[$stack]}" -ge 1000000 ]; then
            RSS_1M[$stack]="after ${TOTAL[$stack]}: $(mem "$pid")"; KB_1M[$stack]=$(rss_kb "$pid")
        fi
        if [ "$prev" -lt "$TARGET" ] && [ "${TOTAL[$stack]}" -ge "$TARGET" ]; then
            RSS_3M[$stack]="after ${TOTAL[$stack]}: $(mem "$pid")"; KB_3M[$stack]=$(rss_kb "$pid")
        fi
        printf 'round %2d %-5s %10s req/s %7s us CPU/req  total %9d\n' "$round" "$stack" "$RPS" "$us" "${TOTAL[$stack]}"
    done
    done_all=1
    for stack in "${STACKS[@]}"; do [ "${TOTAL[$stack]}" -ge "$TARGET" ] || done_all=0; done
    if [ "$round" -ge "$ROUNDS" ] && [ "$done_all" -eq 1 ]; then break; fi
    if [ "$round" -ge "$MAX_ROUNDS" ] || [ $((SECONDS - START)) -ge "$TIME_LIMIT" ]; then
        echo "stopped at the round or time limit ($round rounds, $((SECONDS - START)) s)" >&2; break
    fi
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
declare -A MED_RPS MED_CPU RATIO EXTRA
for stack in "${STACKS[@]}"; do
    MED_RPS[$stack]=$(median <<<"${RPS_LIST[$stack]}")
    MED_CPU[$stack]=$(median <<<"${CPU_LIST[$stack]}")
done
for stack in "${STACKS[@]}"; do
    RATIO[$stack]=$(awk -v f="${MED_RPS[$stack]}" -v b="${MED_RPS[bare]}" 'BEGIN {printf "%.3f", f / b}')
    EXTRA[$stack]=$(awk -v f="${MED_CPU[$stack]}" -v b="${MED_CPU[bare]}" 'BEGIN {printf "%+.3f", f - b}')
done

echo
echo "wrk -t1 -c32, $round rounds of ${ROUND_SECONDS}s per stack, alternating; medians; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-5s %12s %7s %14s\n' stack 'req/s' ratio 'CPU us/req'
for stack in "${STACKS[@]}"; do
    if [ "$stack" = bare ]; then
        printf '%-5s %12s %7s %14s\n' bare "${MED_RPS[bare]}" 1.000 "${MED_CPU[bare]}"
    else
        printf '%-5s %12s %7s %14s (%s)\n' "$stack" "${MED_RPS[$stack]}" "${RATIO[$stack]}" "${MED_CPU[$stack]}" "${EXTRA[$stack]}"
    fi
done
for stack in "${STACKS[@]}"; do
    echo "RSS $stack: ${RSS_WARM[$stack]}"
    echo "          ${RSS_1M[$stack]:-never reached 1 M}"
    echo "          ${RSS_3M[$stack]:-never reached $TARGET}"
done

missed=0
check() { if awk "BEGIN {exit !($2)}"; then echo "goal met:    $1"; else echo "goal MISSED: $1"; missed=1; fi; }
if [ -z "${MED_RPS[full]:-}" ]; then
    echo "(full not run: no goals checked)"
    exit 0
fi
check "full >= 0.92x bare req/s (${RATIO[full]})" "${RATIO[full]} >= 0.92"
check "<= +0.8 us CPU/request (${EXTRA[full]})" "${EXTRA[full]} <= 0.8"
if [ -n "${KB_1M[full]:-}" ] && [ -n "${KB_3M[full]:-}" ]; then
    growth=$((KB_3M[full] - KB_1M[full]))
    check "full RSS growth 1 M -> 3 M < 1024 kB (${growth} kB)" "$growth < 1024"
else
    echo "goal MISSED: the full stack did not reach $TARGET requests"; missed=1
fi
[ "$STRICT" = 1 ] && exit "$missed"
exit 0
