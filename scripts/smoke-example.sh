#!/usr/bin/env bash
# Starts the full-stack example binary on a loopback port, checks the
# `/context` contract, and checks that a bad CROCODILE_* variable stops it
# before it binds with a message naming the variable.
# Usage: scripts/smoke-example.sh [path/to/full-stack]
set -euo pipefail
bin="${1:-target/release/examples/full-stack}"
[ -x "$bin" ] || { echo "no example binary at $bin (build it first)"; exit 1; }
cd "$(dirname "$0")/.."

failures=0
check() { # name, condition-command...
  local name="$1"; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}

# A bad variable: non-zero exit, message names the variable and the item.
out=$(CROCODILE_TRUSTED_PROXIES="10.0.0.0/33" timeout 20 "$bin" 2>&1) && rc=0 || rc=$?
check "bad CROCODILE_TRUSTED_PROXIES exits non-zero" [ "$rc" -ne 0 ]
check "bad CROCODILE_TRUSTED_PROXIES is named" grep -q 'CROCODILE_TRUSTED_PROXIES.*10.0.0.0/33' <<<"$out"
out=$(CROCODILE_CLIENT_IP="bogus" timeout 20 "$bin" 2>&1) && rc=0 || rc=$?
check "bad CROCODILE_CLIENT_IP exits non-zero" [ "$rc" -ne 0 ]
check "bad CROCODILE_CLIENT_IP is named" grep -q 'CROCODILE_CLIENT_IP.*bogus' <<<"$out"
out=$(CROCODILE_CLIENT_IP="rightmost:x-forwarded-for" CROCODILE_PROXY_HEADERS="forwarded" timeout 20 "$bin" 2>&1) && rc=0 || rc=$?
check "a strategy and a family that disagree exit non-zero" [ "$rc" -ne 0 ]
check "the disagreement names both variables" grep -q 'CROCODILE_CLIENT_IP=.*CROCODILE_PROXY_HEADERS=' <<<"$out"
out=$(CROCODILE_X_FORWARDED="proto,hots" timeout 20 "$bin" 2>&1) && rc=0 || rc=$?
check "bad CROCODILE_X_FORWARDED is named" grep -q 'CROCODILE_X_FORWARDED.*hots' <<<"$out"
out=$(CROCODILE_FORWARDED_GRAMMAR="rfc" timeout 20 "$bin" 2>&1) && rc=0 || rc=$?
check "bad CROCODILE_FORWARDED_GRAMMAR is named" grep -q 'CROCODILE_FORWARDED_GRAMMAR.*rfc' <<<"$out"

# A good start.
port=$((20000 + RANDOM % 20000))
log=$(mktemp)
CROCODILE_ADDR="127.0.0.1:$port" "$bin" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/context" >/dev/null 2>&1 && break
  sleep 0.1
done
body=$(curl -fsS --interface 127.0.0.7 "http://127.0.0.1:$port/context" -H 'X-Forwarded-For: 6.6.6.6' || true)
echo "GET /context -> $body"
for key in client_ip client_ip_source client_ip_fallback peer request_id scheme host port origin home_url locale received_at trace_id traceparent alternates retained_requests; do
  check "/context has \"$key\"" grep -q "\"$key\"" <<<"$body"
done
# The default trusts loopback, so a loopback peer's header is believed.
check "trusted loopback peer's X-Forwarded-For is believed" grep -q '"client_ip":"6.6.6.6"' <<<"$body"
check "its source is x-forwarded-for[0]" grep -q '"client_ip_source":"x-forwarded-for\[0\]"' <<<"$body"
check "GET / answers" curl -fsS -o /dev/null "http://127.0.0.1:$port/"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: evil.example' "http://127.0.0.1:$port/context")
check "a disallowed Host gets 400 (got $code)" [ "$code" = 400 ]

kill -TERM "$pid"
wait "$pid" && rc=0 || rc=$?
check "SIGTERM shuts down cleanly" [ "$rc" -eq 0 ]
trap 'rm -f "$log"' EXIT

echo "$failures failed"
[ "$failures" -eq 0 ]
