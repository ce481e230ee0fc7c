#!/usr/bin/env bash
# The whole suite: build, lint, local brokers, then unit, integration and e2e tests on node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build
npm run lint
bash scripts/brokers.sh up
dirs=(dist/test/unit dist/test/integration dist/test/e2e)
exec node --test --test-concurrency="${MQCTL_TEST_CONCURRENCY:-2}" --test-timeout=300000 "${dirs[@]}"
