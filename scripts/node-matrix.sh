#!/usr/bin/env bash
# Runs the unit tests and one CLI e2e file per broker (test/e2e/topics-{kafka,pulsar,rabbitmq}.test.js: the
# topic commands through bin/run.js) on other Node.js release lines than the machine's own, against the already built
# dist/. Used by .ci/run after `npm test` (which runs everything on the machine's Node).
#
# The Node binaries come from the npm registry: `npm pack node-linux-<arch>@<version>` is the package that
# the registry's `node` package installs (an official nodejs.org build, no install script). They are cached
# in $MQCTL_HOME/node/<version>/ (default ~/.cache/mqctl/node).
#
# Versions: MQCTL_NODE_VERSIONS (default below: the newest 22 and 24 at the time of writing; 20 is the
# machine's own; the test runner flags used here need Node >= 20.10). Prints, per version, the wall time it added, and ends with
# "tests: N passed, N failed, N skipped" over all versions.
set -uo pipefail
cd "$(dirname "$0")/.."
MQCTL_HOME="${MQCTL_HOME:-$HOME/.cache/mqctl}"
versions=(${MQCTL_NODE_VERSIONS:-22.23.5 24.22.3})
files=(dist/test/unit/*.test.js dist/test/e2e/topics-{kafka,pulsar,rabbitmq}.test.js)
[[ -f dist/test/e2e/topics-kafka.test.js ]] || { echo "error: dist/ is not built: run npm run build" >&2; exit 1; }

node_bin() {
  local version=$1 arch dir tarball
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
  dir="$MQCTL_HOME/node/$version"
  if [[ ! -x "$dir/bin/node" ]]; then
    mkdir -p "$dir" || return 1
    tarball=$(cd "$dir" && npm pack --silent "node-linux-$arch@$version" 2>/dev/null | tail -1) || return 1
    [[ -n "$tarball" && -f "$dir/$tarball" ]] || { echo "error: npm pack node-linux-$arch@$version failed" >&2; return 1; }
    tar -xzf "$dir/$tarball" -C "$dir" --strip-components=1 && rm -f "$dir/$tarball" || return 1
  fi
  printf '%s' "$dir/bin/node"
}

log_dir=$(mktemp -d)
rc=0
for version in "${versions[@]}"; do
  started=$(date +%s)
  node=$(node_bin "$version") || { echo "error: no Node $version binary" >&2; rc=1; continue; }
  echo "== node matrix: $("$node" --version), ${#files[@]} files"
  # The tests spawn bin/run.js with process.execPath, so the CLI runs on this Node too.
  "$node" --test --test-reporter=tap --test-concurrency="${MQCTL_TEST_CONCURRENCY:-2}" --test-timeout=600000 "${files[@]}" \
    >"$log_dir/$version.tap" 2>&1 || rc=1
  grep -E '^# (tests|pass|fail|cancelled|skipped|duration_ms) ' "$log_dir/$version.tap"
  grep -E '^ *not ok |^ +error: ' "$log_dir/$version.tap" | head -40
  echo "== node $version added $(($(date +%s) - started)) s"
done

count() { cat "$log_dir"/*.tap | awk -v key="$1" '$1=="#" && $2==key {n+=$3} END {print n+0}'; }
echo "tests: $(count pass) passed, $(($(count fail) + $(count cancelled))) failed, $(count skipped) skipped"
exit "$rc"
