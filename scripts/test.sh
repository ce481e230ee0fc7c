#!/usr/bin/env bash
# The whole suite: build, lint, local brokers, then every unit, integration and e2e test on node's test
# runner. Two phases: everything else two files at a time, then the rate-accuracy perf tests alone, because
# "within ±2 % of the target rate" is a statement about an uncontended machine (2 cores here).
# The last line is the combined count: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
npm run build || exit 1
npm run lint || exit 1
bash scripts/brokers.sh up || exit 1

log_dir=$(mktemp -d)
mapfile -t quiet < <(find dist/test/integration -name 'perf.test.js' | sort)
mapfile -t rest < <(find dist/test -name '*.test.js' ! -path '*/integration/*/perf.test.js' | sort)

run_phase() {
  local name=$1 concurrency=$2
  shift 2
  echo "== tests: $name ($# files)"
  node --test --test-concurrency="$concurrency" --test-timeout=600000 "$@" 2>&1 | tee "$log_dir/$name.tap"
  return "${PIPESTATUS[0]}"
}

rc=0
run_phase main "${MQCTL_TEST_CONCURRENCY:-2}" "${rest[@]}" || rc=1
run_phase perf-rate 1 "${quiet[@]}" || rc=1

count() { cat "$log_dir"/*.tap | awk -v key="$1" '$1=="#" && $2==key {n+=$3} END {print n+0}'; }
passed=$(count pass)
failed=$(( $(count fail) + $(count cancelled) ))
echo "tests: ${passed} passed, ${failed} failed, $(count skipped) skipped"
exit "$rc"
