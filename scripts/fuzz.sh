#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a bounded time, one after another,
# and prints the executions and crashes of each.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60)
#
# Environment:
#   FUZZ_TARGETS    space-separated targets to run (default: all of `cargo fuzz list`)
#   FUZZ_SANITIZER  cargo-fuzz sanitizer (default `none`: every crocodile crate is
#                   `forbid(unsafe_code)`, so AddressSanitizer only watches
#                   dependencies and costs ~2x the executions; use `address` for that)
#   FUZZ_NICE       niceness of the fuzzer (default 10; other builds share the machine)
#
# Needs the nightly toolchain (`rustup toolchain install nightly`); installs
# cargo-fuzz when missing. Exits non-zero if any target crashed (the input is in
# fuzz/artifacts/<target>/; turn it into a regression test in the owning crate).
# Not run by CI: it takes SECONDS_PER_TARGET x 6 plus a build.
set -euo pipefail

secs="${1:-60}"
sanitizer="${FUZZ_SANITIZER:-none}"
niceness="${FUZZ_NICE:-10}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/fuzz"

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz"
    cargo install cargo-fuzz
fi

if [[ -n "${FUZZ_TARGETS:-}" ]]; then
    read -r -a targets <<<"$FUZZ_TARGETS"
else
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

mkdir -p target/logs
echo "building the fuzz targets (sanitizer: $sanitizer)"
if ! nice -n "$niceness" cargo +nightly fuzz build -s "$sanitizer" >target/logs/build.log 2>&1; then
    cat target/logs/build.log
    exit 2
fi

failed=0
printf '%-18s %14s %8s\n' target executions crashes
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "artifacts/$target"
    log="target/logs/$target.log"
    before=$(find "artifacts/$target" -type f | wc -l)
    status=0
    nice -n "$niceness" cargo +nightly fuzz run -s "$sanitizer" "$target" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 || status=$?
    after=$(find "artifacts/$target" -type f | wc -l)
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -n 1 | awk '{print $2}')
    crashes=$((after - before))
    if [[ $status -ne 0 && $crashes -eq 0 ]]; then
        crashes=1 # the fuzzer failed without writing an input; see the log
    fi
    printf '%-18s %14s %8s\n' "$target" "${execs:-?}" "$crashes"
    if [[ $crashes -ne 0 ]]; then
        failed=1
        echo "  $target failed (exit $status); log: fuzz/$log"
        grep -m 3 -E 'panicked at|Test unit written to|ERROR: libFuzzer' "$log" | sed 's/^/  /' || true
    fi
done
exit "$failed"
