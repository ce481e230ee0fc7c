#!/usr/bin/env bash
# The README's first command: build mqctl, start a real local Kafka (KRaft, from Maven Central jars) and
# show mqctl doing its jobs against it.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { printf '\n\033[1m$ mqctl %s\033[0m\n' "$*"; ./bin/run.js "$@"; }

npm run build --silent
bash scripts/brokers.sh up kafka

export MQCTL_BROKERS=127.0.0.1:9092
run cluster info
