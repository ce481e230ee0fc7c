#!/usr/bin/env bash
# The README's first command (after npm ci): build mqctl, start a real local Kafka (KRaft, from Maven
# Central jars) and show mqctl's jobs against it: cluster info, a topic, an exact-rate load test with
# honest latency and CI gates, a consumer group that falls behind, and its lag report.
set -euo pipefail
cd "$(dirname "$0")/.."
run() {
  printf '\n\033[1m$ mqctl %s\033[0m\n' "$*"
  ./bin/run.js "$@"
}

npm run build --silent
bash scripts/brokers.sh up kafka

export MQCTL_BROKERS=127.0.0.1:9092
topic=mqctl-demo-events
group=mqctl-demo-billing

run cluster info
run topic create "$topic" --partitions 1 --if-not-exists
run perf produce --topic "$topic" --rate 2000 --duration 5s --warmup 1s --record-size 200 \
  --gate 'errors==0' --gate 'throughput>=1500' --allow-invalid
run perf consume --topic "$topic" --group "$group" --duration 8s
# the consumer has stopped; new traffic arrives and the group falls behind
run perf produce --topic "$topic" --rate 1000 --num-records 3000 --record-size 200 --allow-invalid --output json >/dev/null
run topic describe "$topic"
run lag --group "$group"
run lag --group "$group" --max-lag 1 || echo "(exit $? — the threshold breached, as a CI step would see it)"
printf '\nNext: mqctl --help, README.md, and `npm test` for the whole suite on Kafka, Pulsar and RabbitMQ.\n'
