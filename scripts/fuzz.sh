#!/usr/bin/env bash
# Run every fuzz target of fuzz/ (cargo-fuzz, libFuzzer; see docs/FUZZING.md) for SECONDS
# seconds each, from the seed corpus in fuzz/corpus/<target>/; new inputs go to
# fuzz/work/<target>/ (not committed), crashes to fuzz/artifacts/<target>/.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      default: 5 seconds, every target
#
# Needs a nightly toolchain (`cargo +nightly`) and a C++ compiler (libFuzzer is C++); without
# them it says so and exits 0. Installs cargo-fuzz from crates.io when it is missing. Exits 1
# if any target crashed, ran out of memory (-rss_limit_mb) or hung (-timeout), after running
# all of them.
# FUZZ_JOBS=2 runs two targets at a time (each on one core). FUZZ_BUILD=quick builds without
# optimisation, debug info or AddressSanitizer (panics and overflow checks still fire): a few
# minutes from clean instead of a quarter of an hour on 2 cores, for CI's short runs; the
# default, FUZZ_BUILD=full, is cargo-fuzz's optimised AddressSanitizer build, for long runs.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-5}"
shift || true
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz: skipped, no nightly toolchain (rustup toolchain install nightly)"
  exit 0
fi
if ! command -v c++ >/dev/null; then
  echo "fuzz: skipped, no C++ compiler for libFuzzer (apt-get install g++)"
  exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
fi
# A build kept beside the main one, so that CI reuses it between runs.
target_dir="${CARGO_TARGET_DIR:-$PWD/fuzz/target}"
[ -n "${CARGO_TARGET_DIR:-}" ] && target_dir="$CARGO_TARGET_DIR/fuzz"
# No other build flags: RUSTFLAGS meant for the main build would change the fuzz build's.
unset RUSTFLAGS
build=(--fuzz-dir fuzz --target-dir "$target_dir")
case "${FUZZ_BUILD:-full}" in
  full) ;;
  quick) build+=(--dev --sanitizer none); export CARGO_PROFILE_DEV_DEBUG=0 ;;
  *) echo "fuzz: FUZZ_BUILD must be full or quick, not ${FUZZ_BUILD}" >&2; exit 2 ;;
esac

start=$(date +%s)
cargo +nightly fuzz build "${build[@]}"
echo "fuzz: built ${#targets[@]} targets in $(( $(date +%s) - start )) s"

run_one() {
  local t="$1" log="fuzz/work/$1.log"
  mkdir -p "fuzz/work/$t"
  if cargo +nightly fuzz run "${build[@]}" "$t" "fuzz/work/$t" "fuzz/corpus/$t" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
    local execs rate
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    echo "fuzz: $t: ${seconds} s, ${execs:-?} executions (${rate:-?}/s), no crash"
  else
    echo "fuzz: $t FAILED; the end of $log:" >&2
    tail -40 "$log" >&2
    return 1
  fi
}

failed=0
jobs="${FUZZ_JOBS:-1}"
for ((i = 0; i < ${#targets[@]}; i += jobs)); do
  pids=()
  for t in "${targets[@]:i:jobs}"; do
    run_one "$t" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || failed=1
  done
done
echo "fuzz: ${#targets[@]} targets in $(( $(date +%s) - start )) s"
if [ "$failed" -ne 0 ]; then
  echo "fuzz: a target failed; reproduce with: cargo +nightly fuzz run --fuzz-dir fuzz <target> fuzz/artifacts/<target>/<file>" >&2
  exit 1
fi
