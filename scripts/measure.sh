#!/usr/bin/env bash
# Whole-server cost of the Crocodile layers, side by side with bare axum and
# the peers' stack (issue 14). Builds the load server (tools/load-server,
# release) and reports, per stack:
#
# 1. callgrind: user-space instructions per request, exact. Each stack is run
#    twice under `valgrind --tool=callgrind`, once serving SMALL and once
#    LARGE keep-alive requests (`load-server client`, one connection, the
#    headers `Accept-Language: fr-CA, fr;q=0.9, en;q=0.5` and
#    `X-Forwarded-For: 203.0.113.7, 127.0.0.1`), then stopped with SIGINT;
#    (total of the LARGE run - total of the SMALL run) / (LARGE - SMALL) is
#    what one request costs, start-up and shutdown cancelled out. The
#    `-message` stacks' handler formats one Fluent message (see
#    tools/load-server/src/main.rs); they are compared with `bare-message`.
# 2. wrk: requests per second and server CPU per request (utime + stime
#    from /proc/PID/stat over each round), `wrk -t1 -c32`, ROUNDS rounds of
#    ROUND_SECONDS per stack, alternating and rotating which goes first;
#    medians, and the spread (min-max) of each; server and wrk pinned to
#    separate cores with taskset.
#
# Usage: scripts/measure.sh          (about 4 minutes after the build)
# Knobs (environment):
#   CALLGRIND_STACKS  stacks for part 1 ("bare noop-headers noop-plumbing
#                     client-ip base-context i18n full peers bare-message
#                     full-message peers-message"; empty skips part 1; also
#                     noop, noop-body, noop-extensions: with noop-headers and
#                     noop-plumbing, the reference stacks without Crocodile
#                     code, see tools/load-server)
#   SMALL, LARGE      requests of the two callgrind runs (2000, 6000)
#   CALLGRIND_WORKERS tokio worker threads under callgrind (1: with more, an
#                     idle worker's wake-ups move the counts by a few hundred
#                     instructions per request from run to run)
#   WRK_STACKS        stacks for part 2 ("bare client-ip base-context i18n
#                     full peers"; empty skips part 2; bare must be first)
#   ROUNDS            wrk rounds per stack (5), ROUND_SECONDS (3), CONNECTIONS (32)
#   SERVER_CPUS, WRK_CPUS  taskset lists (0 and 1; on a bigger machine give
#                     the server several cores to see cross-core contention)
#   TIME_LIMIT        seconds for the whole wrk part (600)
#   BUILD             0 to use the load server already built (1)
#   BIN               the load server to run (target/release/load-server):
#                     another build, to compare two commits
#   OUT               where callgrind files go (target/measure); annotate
#                     one with `callgrind_annotate --inclusive=yes FILE`
set -euo pipefail
cd "$(dirname "$0")/.."

read -r -a CG_STACKS <<<"${CALLGRIND_STACKS-bare noop-headers noop-plumbing client-ip base-context i18n full peers bare-message full-message peers-message}"
read -r -a WRK_LIST <<<"${WRK_STACKS-bare client-ip base-context i18n full peers}"
SMALL=${SMALL:-2000}
CALLGRIND_WORKERS=${CALLGRIND_WORKERS:-1}
LARGE=${LARGE:-6000}
ROUNDS=${ROUNDS:-5}
ROUND_SECONDS=${ROUND_SECONDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
SERVER_CPUS=${SERVER_CPUS:-0}
WRK_CPUS=${WRK_CPUS:-1}
TIME_LIMIT=${TIME_LIMIT:-600}
PORT=${PORT:-3201}
OUT=${OUT:-target/measure}
[ "$LARGE" -gt "$SMALL" ] || { echo "LARGE must exceed SMALL" >&2; exit 2; }
if [ ${#WRK_LIST[@]} -gt 0 ] && [ "${WRK_LIST[0]}" != bare ]; then
    echo "WRK_STACKS must start with bare" >&2; exit 2
fi

need() { # command package
    command -v "$1" >/dev/null && return
    echo "installing $2..." >&2
    apt-get install -y "$2" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "$2" >/dev/null; }
}
[ ${#CG_STACKS[@]} -eq 0 ] || need valgrind valgrind
[ ${#WRK_LIST[@]} -eq 0 ] || need wrk wrk

[ "${BUILD:-1}" = 0 ] || cargo build --release -p crocodile-load-server
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/load-server}
mkdir -p "$OUT"
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git status --porcelain --untracked-files=no 2>/dev/null | head -c1)
echo "commit $COMMIT${DIRTY:+ (with uncommitted changes)}, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

SERVER_PID=
stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill -INT "$SERVER_PID" 2>/dev/null || true
        # A clean stop writes callgrind's counts; give it 60 s, then kill.
        for _ in $(seq 600); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}
trap stop_server EXIT

start_server() { # log command...: starts it, waits up to 60 s for "listening"
    local log=$1; shift
    "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 600); do
        grep -q listening "$log" 2>/dev/null && return
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "server did not start: $*" >&2; cat "$log" >&2; exit 1
}

# Part 1: callgrind.
declare -A PER_REQUEST
callgrind_total() { # stack requests: runs it, prints the total instructions
    local file="$OUT/$1-$2.cg" log="$OUT/$1-$2.log"
    rm -f "$file"
    start_server "$log" env LOAD_SERVER_WORKERS="$CALLGRIND_WORKERS" \
        valgrind --tool=callgrind --callgrind-out-file="$file" "$BIN" "$1" "127.0.0.1:$PORT"
    timeout 600 "$BIN" client "127.0.0.1:$PORT" "$2" || { echo "client failed against $1" >&2; exit 1; }
    stop_server
    awk '/^(summary|totals):/ {print $2; exit}' "$file"
}
if [ ${#CG_STACKS[@]} -gt 0 ]; then
    echo
    echo "callgrind, user-space instructions per request: (run of $LARGE - run of $SMALL) / $((LARGE - SMALL))"
    for stack in "${CG_STACKS[@]}"; do
        small=$(callgrind_total "$stack" "$SMALL")
        large=$(callgrind_total "$stack" "$LARGE")
        PER_REQUEST[$stack]=$(( (large - small) / (LARGE - SMALL) ))
    done
    printf '%-22s %14s %12s\n' stack 'instr/request' 'over base'
    for stack in "${CG_STACKS[@]}"; do
        case $stack in *-message) base=bare-message ;; *) base=bare ;; esac
        over=
        if [ -n "${PER_REQUEST[$base]:-}" ] && [ "$stack" != "$base" ]; then
            over=$(printf '%+d' $((PER_REQUEST[$stack] - PER_REQUEST[$base])))
        fi
        printf '%-22s %14s %12s\n' "$stack" "${PER_REQUEST[$stack]}" "$over"
    done
    for pair in "full peers bare" "full-message peers-message bare-message"; do
        read -r ours theirs base <<<"$pair"
        if [ -n "${PER_REQUEST[$ours]:-}" ] && [ -n "${PER_REQUEST[$theirs]:-}" ] && [ -n "${PER_REQUEST[$base]:-}" ]; then
            awk -v o=$((PER_REQUEST[$ours] - PER_REQUEST[$base])) -v t=$((PER_REQUEST[$theirs] - PER_REQUEST[$base])) \
                -v name="$ours" 'BEGIN {printf "%s adds %.2fx what %s adds (goal: at most 4,000 and under 0.25x)\n", name, o / t, "peers"}'
        fi
    done
    if [ -n "${PER_REQUEST[noop-plumbing]:-}" ] && [ -n "${PER_REQUEST[full]:-}" ] && [ -n "${PER_REQUEST[bare]:-}" ]; then
        echo "of full's $(printf '%+d' $((PER_REQUEST[full] - PER_REQUEST[bare]))), the plumbing without Crocodile code (noop-plumbing: one Router::layer, a wrapped body, three extensions, three static response headers) is $(printf '%+d' $((PER_REQUEST[noop-plumbing] - PER_REQUEST[bare]))), the layers' own work $(printf '%+d' $((PER_REQUEST[full] - PER_REQUEST[noop-plumbing])))"
    fi
    echo "(files in $OUT; callgrind_annotate --inclusive=yes $OUT/full-$LARGE.cg)"
fi

# Part 2: wrk.
[ ${#WRK_LIST[@]} -gt 0 ] || exit 0
HEADERS=(-H 'X-Forwarded-For: 203.0.113.7, 127.0.0.1' -H 'Accept-Language: fr-CA, fr;q=0.9, en;q=0.5')
CLK_TCK=$(getconf CLK_TCK)
SERVER_CPU=() WRK_CPU=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    SERVER_CPU=(taskset -c "$SERVER_CPUS") WRK_CPU=(taskset -c "$WRK_CPUS")
else
    echo "(one core or no taskset: server and wrk share the CPU)"
fi
declare -A PIDS PORTS RPS_LIST CPU_LIST
port=$PORT
for stack in "${WRK_LIST[@]}"; do
    port=$((port + 1))
    start_server "$OUT/wrk-$stack.log" "${SERVER_CPU[@]}" "$BIN" "$stack" "127.0.0.1:$port"
    PIDS[$stack]=$SERVER_PID PORTS[$stack]=$port RPS_LIST[$stack]="" CPU_LIST[$stack]=""
    SERVER_PID=
done
stop_all() { for stack in "${!PIDS[@]}"; do kill -INT "${PIDS[$stack]}" 2>/dev/null || true; done; }
trap stop_all EXIT

wrk_run() { # stack seconds: sets REQS and RPS
    local out
    out=$(timeout $(( $2 + 30 )) "${WRK_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"$2"s "${HEADERS[@]}" "http://127.0.0.1:${PORTS[$1]}/")
    if grep -q 'Non-2xx' <<<"$out"; then echo "$out" >&2; echo "non-2xx answers from $1" >&2; exit 1; fi
    REQS=$(awk '/requests in/ {print $1}' <<<"$out")
    RPS=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
}
for stack in "${WRK_LIST[@]}"; do wrk_run "$stack" 1; done # warm-up

START=$SECONDS
n=${#WRK_LIST[@]}
round=0
while [ "$round" -lt "$ROUNDS" ]; do
    round=$((round + 1))
    for i in $(seq 0 $((n - 1))); do
        stack=${WRK_LIST[$(((round - 1 + i) % n))]}
        pid=${PIDS[$stack]}
        before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
        wrk_run "$stack" "$ROUND_SECONDS"
        after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
        RPS_LIST[$stack]+="$RPS "
        CPU_LIST[$stack]+=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$REQS" 'BEGIN {printf "%.3f ", t / hz * 1e6 / n}')
    done
    if [ $((SECONDS - START)) -ge "$TIME_LIMIT" ]; then
        echo "stopped at the time limit after $round rounds" >&2; break
    fi
done

stats() { # prints "median min max"
    tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {
        m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        printf "%.3f %.3f %.3f\n", m, a[1], a[NR]}'
}
echo
echo "wrk -t1 -c$CONNECTIONS, $round alternating rounds of ${ROUND_SECONDS}s per stack; server on CPU $SERVER_CPUS, wrk on $WRK_CPUS; medians (min-max); load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-14s %10s %17s %7s %10s %15s\n' stack 'req/s' '(spread)' ratio 'CPU us/req' '(spread)'
read -r bare_rps _ _ <<<"$(stats <<<"${RPS_LIST[bare]}")"
read -r bare_cpu _ _ <<<"$(stats <<<"${CPU_LIST[bare]}")"
for stack in "${WRK_LIST[@]}"; do
    read -r rps rmin rmax <<<"$(stats <<<"${RPS_LIST[$stack]}")"
    read -r cpu cmin cmax <<<"$(stats <<<"${CPU_LIST[$stack]}")"
    awk -v s="$stack" -v r="$rps" -v a="$rmin" -v b="$rmax" -v br="$bare_rps" -v c="$cpu" -v d="$cmin" -v e="$cmax" -v bc="$bare_cpu" \
        'BEGIN {printf "%-14s %10.0f %17s %7.3f %10.2f %15s %+.2f\n", s, r, sprintf("(%.0f-%.0f)", a, b), r / br, c, sprintf("(%.2f-%.2f)", d, e), c - bc}'
done
