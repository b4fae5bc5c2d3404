#!/usr/bin/env bash
# Builds the libFuzzer configuration (clang, ASan + UBSan) and fuzzes each target for a while.
#   tests/fuzz/run.sh [BUILD_DIR] [SECONDS] [TARGET...]
# BUILD_DIR defaults to build-fuzz in the repository, SECONDS to 60 per target, TARGET to all
# (every tests/fuzz/fuzz_<name>.cpp). Environment: CC/CXX (default clang,
# clang++), FUZZ_JOBS (targets fuzzed at once, default 1), BUILD_JOBS (default 2).
# New inputs go to BUILD_DIR/fuzz-corpus/<target>, never into the seed corpus; crashes, leaks
# and timeouts to BUILD_DIR/fuzz-artifacts/<target>/. Exits 1 if any target found something.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$src/build-fuzz}
seconds=${2:-60}
shift $(( $# > 2 ? 2 : $# ))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then  # every fuzz_<name>.cpp
  for f in "$src"/tests/fuzz/fuzz_*.cpp; do n=$(basename "$f" .cpp); targets+=("${n#fuzz_}"); done
fi
fuzz_jobs=${FUZZ_JOBS:-1}

cmake -S "$src" -B "$build" -G Ninja \
  -DCMAKE_C_COMPILER="${CC:-clang}" -DCMAKE_CXX_COMPILER="${CXX:-clang++}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPKILAB_BUILD_FUZZ=ON -DPKILAB_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "${BUILD_JOBS:-2}" --target "${targets[@]/#/fuzz_}"

# Leaks are findings; UBSan reports abort (the build uses -fno-sanitize-recover).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

fuzz_one() {
  local name=$1
  local bin="$build/tests/fuzz/fuzz_$name"
  local work="$build/fuzz-corpus/$name" artifacts="$build/fuzz-artifacts/$name/"
  local dict=() log="$build/fuzz-$name.log"
  # Findings of an earlier run were reproduced (or fixed) then: this run reports its own only.
  rm -rf "$artifacts"
  mkdir -p "$work" "$artifacts"
  [ -f "$src/tests/fuzz/dict/$name.dict" ] && dict=(-dict="$src/tests/fuzz/dict/$name.dict")
  local rc=0
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts" "${dict[@]}" "$work" "$src/tests/fuzz/corpus/$name" >"$log" 2>&1 || rc=$?
  echo "$rc" >"$build/fuzz-$name.rc"
}

running=0
for name in "${targets[@]}"; do
  echo "fuzzing $name for ${seconds}s ..."
  fuzz_one "$name" &
  running=$((running + 1))
  if [ "$running" -ge "$fuzz_jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait

status=0
printf '\n%-14s %-8s %12s %8s %8s  %s\n' target result execs cov corpus artifacts
for name in "${targets[@]}"; do
  log="$build/fuzz-$name.log"
  rc=$(cat "$build/fuzz-$name.rc")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  corpus=$(find "$build/fuzz-corpus/$name" -type f | wc -l)
  found=$(find "$build/fuzz-artifacts/$name" -type f | wc -l)
  result=ok
  if [ "$rc" != 0 ] || [ "$found" != 0 ]; then result=FAILED; status=1; fi
  printf '%-14s %-8s %12s %8s %8s  %s\n' "$name" "$result" "${execs:-?}" "${cov:-?}" "$corpus" "$found"
done
if [ "$status" != 0 ]; then
  echo
  echo "Findings: see $build/fuzz-<target>.log and $build/fuzz-artifacts/. Reproduce with"
  echo "  $build/tests/fuzz/fuzz_<target> <artifact file>"
fi
exit "$status"
