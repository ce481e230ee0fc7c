#!/usr/bin/env bash
# The whole suite: build, lint, local brokers, then every unit, integration and e2e test on node's test
# runner. Three phases: everything else two files at a time, then the rate-accuracy perf tests alone, because
# "within ±2 % of the target rate" is a statement about an uncontended machine (2 cores here), then, alone,
# the end-of-suite check (test/zz-leftovers.test.ts) that nothing named with this run's tag (MQCTL_TEST_RUN)
# is left on any broker, and the secret grep (test/zz-secrets.test.ts) over every output of every CLI run of
# the suite (MQCTL_TEST_OUTPUT_DIR). The run also fails when a test left an entry in its temporary directory.
# The last line is the combined count: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
# Two OS tools some tests run: Chromium (the HTML perf report is rendered headless) and promtool (the
# Prometheus rules, dashboards and `lag serve` output are checked by Prometheus' own parser). Installed from
# Debian's packages when missing and allowed (root, or passwordless sudo), else the run stops here with the
# command to run, instead of failing those tests 15 minutes later.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
if ((${#need[@]})); then
  as_root=(); [[ $(id -u) == 0 ]] || as_root=(sudo -n)
  echo "== installing ${need[*]} (Debian packages) for the tests that use them"
  { "${as_root[@]}" apt-get install -y -q "${need[@]}" >/dev/null 2>&1 ||
    { "${as_root[@]}" apt-get update -q >/dev/null 2>&1 && "${as_root[@]}" apt-get install -y -q "${need[@]}" >/dev/null 2>&1; }; } ||
    { echo "error: the tests need ${need[*]}: install with: sudo apt-get install ${need[*]} (Debian/Ubuntu package names), then run npm test again" >&2; exit 1; }
fi
# The local schema registry (an opt-in kind: the Kafka schema tests and docs/schemas.md's examples use it)
# starts in the background while the build and lint run, and is stopped at the end when this run started it.
registry_log=$(mktemp)
registry_was_up=$(bash scripts/brokers.sh status schema-registry 2>/dev/null | awk '$2=="up"{print "yes"}')
bash scripts/brokers.sh up schema-registry >"$registry_log" 2>&1 &
registry_pid=$!
stop_registry() { [[ -n "$registry_was_up" ]] || bash scripts/brokers.sh down schema-registry >/dev/null 2>&1 || true; }
trap stop_registry EXIT
# Build and lint side by side (each is one busy process; lint reads the sources, not dist/): about 30 s saved.
lint_log=$(mktemp)
npm run lint >"$lint_log" 2>&1 &
lint_pid=$!
npm run build || { kill "$lint_pid" 2>/dev/null; exit 1; }
wait "$lint_pid"; lint_rc=$?
cat "$lint_log"; rm -f "$lint_log"
((lint_rc == 0)) || exit 1
bash scripts/brokers.sh up || exit 1
wait "$registry_pid" || { cat "$registry_log" >&2; echo "error: the local schema registry did not start (bash scripts/brokers.sh up schema-registry)" >&2; exit 1; }
tail -1 "$registry_log"
rm -f "$registry_log"

log_dir=$(mktemp -d)
# Every name uniqueName() makes in this run carries the run tag; the last phase fails on any left behind.
MQCTL_TEST_RUN=$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
export MQCTL_TEST_RUN
# Temporary files of this run in a directory of its own, counted and removed at the end.
export TMPDIR="$log_dir/tmp"
mkdir -p "$TMPDIR"
# Every CLI run of this run (stdout, stderr, the files it wrote) is recorded here by test/helpers/cli.ts, for
# the secret grep at the end (test/zz-secrets.test.ts); removed when that grep passed.
export MQCTL_TEST_OUTPUT_DIR="$log_dir/outputs"
mkdir -p "$MQCTL_TEST_OUTPUT_DIR"
mapfile -t quiet < <(find dist/test/integration -name 'perf.test.js' | sort)
mapfile -t rest < <(find dist/test -name '*.test.js' ! -path '*/integration/*/perf.test.js' ! -path 'dist/test/ci/*' ! -name 'zz-leftovers.test.js' ! -name 'zz-secrets.test.js' | sort)

run_phase() {
  local name=$1 concurrency=$2
  shift 2
  echo "== tests: $name ($# files)"
  node --test --test-concurrency="$concurrency" --test-timeout=600000 "$@" 2>&1 | tee "$log_dir/$name.tap"
  return "${PIPESTATUS[0]}"
}

rc=0
run_phase main "${MQCTL_TEST_CONCURRENCY:-2}" "${rest[@]}" || rc=1
# Only the main phase uses the schema registry: its JVM does not share the machine with the rate tests.
stop_registry
# The rate tests need the machine to themselves: right after the main phase the brokers are still deleting
# what it created (in two runs here the next minute's rate tests measured mqctl's event loop 20-27 ms late,
# and passed when run again a minute later). Wait, at most 90 s, until the CPUs are 85 % idle over 3 s.
cpu_idle_pct() {
  local a b
  read -r -a a < <(head -1 /proc/stat); sleep 3; read -r -a b < <(head -1 /proc/stat)
  local total=0 i; for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  echo $(( total > 0 ? 100 * (b[4] - a[4]) / total : 100 ))
}
waited=$SECONDS
until idle=$(cpu_idle_pct); ((idle >= 85 || SECONDS - waited >= 90)); do :; done
echo "== CPUs ${idle} % idle before the rate tests (waited $((SECONDS - waited)) s)"
run_phase perf-rate 1 "${quiet[@]}" || rc=1
# Last and alone: what every test above created must be gone (each kind and name is printed when not).
run_phase leftovers 1 dist/test/zz-leftovers.test.js || rc=1
# Alone too, after every CLI run: no test secret in any output the suite produced (it prints what it scanned).
if run_phase secrets 1 dist/test/zz-secrets.test.js; then
  rm -rf "$MQCTL_TEST_OUTPUT_DIR"
else
  rc=1
  echo "the recorded outputs are kept in $MQCTL_TEST_OUTPUT_DIR" >&2
fi
mapfile -t temp_left < <(find "$TMPDIR" -mindepth 1 -maxdepth 1 | sort)
echo "temporary entries left by tests: ${#temp_left[@]}"
if ((${#temp_left[@]})); then
  printf '  %s\n' "${temp_left[@]}"
  echo "error: tests left ${#temp_left[@]} entries in their temporary directory (each test removes what it creates)" >&2
  rc=1
fi
rm -rf "$TMPDIR"

count() { cat "$log_dir"/*.tap | awk -v key="$1" '$1=="#" && $2==key {n+=$3} END {print n+0}'; }
passed=$(count pass)
failed=$(( $(count fail) + $(count cancelled) ))
echo "tests: ${passed} passed, ${failed} failed, $(count skipped) skipped"
exit "$rc"
