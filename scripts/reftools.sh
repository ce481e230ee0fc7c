#!/usr/bin/env bash
# The reference tools that mqctl's benchmarks compare against, resolved from Maven Central into
# ${MQCTL_HOME:-~/.cache/mqctl}/jars/<tool>/ on first use and run with plain `java`:
#
#   bash scripts/reftools.sh list                         the tools, their main classes and versions
#   bash scripts/reftools.sh fetch [all|kafka|pulsar|rabbitmq]   only resolve the jars
#   bash scripts/reftools.sh classpath TOOL               print the java classpath of TOOL
#   bash scripts/reftools.sh TOOL [ARGS...]               run TOOL (exec; its exit code is returned)
#
# Examples (local brokers from scripts/brokers.sh):
#   bash scripts/reftools.sh kafka-topics --bootstrap-server 127.0.0.1:9092 --list
#   bash scripts/reftools.sh kafka-producer-perf-test --topic t --num-records 1000 --record-size 100 \
#        --throughput -1 --bootstrap-server 127.0.0.1:9092
#   bash scripts/reftools.sh pulsar-perf produce -r 100 -m 1000 persistent://public/default/t
#   bash scripts/reftools.sh rabbitmq-perf-test -h amqp://guest:guest@127.0.0.1:5672 -x 1 -y 1 -z 10
# pulsar-perf: the configuration file that PulsarPerfTestTool wants as its first argument is
# supplied by this script (serviceUrl pulsar://127.0.0.1:6650, webServiceUrl http://127.0.0.1:8080);
# override it with PULSAR_PERF_CONF=/path/to/file. JVM heap: REFTOOLS_HEAP (default -Xmx512m).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
# shellcheck source=lib/jars.sh
source "$here/lib/jars.sh"

# name | jar folder (scripts/maven/<folder>) | main class
TOOLS="
kafka-producer-perf-test|kafka-tools|org.apache.kafka.tools.ProducerPerformance
kafka-consumer-perf-test|kafka-tools|org.apache.kafka.tools.ConsumerPerformance
kafka-share-consumer-perf-test|kafka-tools|org.apache.kafka.tools.ShareConsumerPerformance
kafka-e2e-latency|kafka-tools|org.apache.kafka.tools.EndToEndLatency
kafka-topics|kafka-tools|org.apache.kafka.tools.TopicCommand
kafka-consumer-groups|kafka-tools|org.apache.kafka.tools.consumer.group.ConsumerGroupCommand
kafka-share-groups|kafka-tools|org.apache.kafka.tools.consumer.group.ShareGroupCommand
kafka-broker-api-versions|kafka-tools|org.apache.kafka.tools.BrokerApiVersionsCommand
kafka-get-offsets|kafka-tools|org.apache.kafka.tools.GetOffsetShell
kafka-console-producer|kafka-tools|org.apache.kafka.tools.ConsoleProducer
kafka-console-consumer|kafka-tools|org.apache.kafka.tools.consumer.ConsoleConsumer
kafka-transactions|kafka-tools|org.apache.kafka.tools.TransactionsCommand
kafka-delete-records|kafka-tools|org.apache.kafka.tools.DeleteRecordsCommand
kafka-metadata-quorum|kafka-tools|org.apache.kafka.tools.MetadataQuorumCommand
kafka-acls|kafka-tools|org.apache.kafka.tools.AclCommand
pulsar-perf|pulsar-perf|org.apache.pulsar.testclient.PulsarPerfTestTool
rabbitmq-perf-test|rabbitmq-perf-test|com.rabbitmq.perf.PerfTest
"

REFTOOLS_HEAP="${REFTOOLS_HEAP:--Xmx512m}"

usage() { sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

tool_row() { # tool_row NAME -> "name|folder|class" or nothing
  grep -E "^$1\|" <<<"$TOOLS" || true
}

folder_version() { # the artifact version a folder was resolved for, read from its POM
  sed -nE 's/.*<(kafka\.tools|pulsar\.testclient|perf-test)\.version>([^<]+)<.*/\2/p' \
    "$MQCTL_SCRIPTS_DIR/maven/$1/pom.xml" | head -n1
}

list_tools() {
  local name folder class
  printf '%-31s %-8s %s\n' TOOL VERSION MAIN-CLASS
  while IFS='|' read -r name folder class; do
    [[ -n "$name" ]] || continue
    printf '%-31s %-8s %s\n' "$name" "$(folder_version "$folder")" "$class"
  done <<<"$TOOLS"
}

pulsar_perf_conf() {
  if [[ -n "${PULSAR_PERF_CONF:-}" ]]; then
    [[ -f "$PULSAR_PERF_CONF" ]] || die "PULSAR_PERF_CONF=$PULSAR_PERF_CONF does not exist"
    printf '%s' "$PULSAR_PERF_CONF"; return
  fi
  local f="$MQCTL_HOME/reftools/pulsar-perf.conf"
  mkdir -p "$(dirname "$f")"
  printf '%s\n' "# written by scripts/reftools.sh: defaults for pulsar-perf (PulsarPerfTestTool)" \
    "brokerServiceUrl=pulsar://$MQCTL_HOST:6650" "serviceUrl=pulsar://$MQCTL_HOST:6650" \
    "webServiceUrl=http://$MQCTL_HOST:8080" >"$f"
  printf '%s' "$f"
}

cmd="${1:-}"
case "$cmd" in
  ""|-h|--help|help) usage; exit 0 ;;
  list) list_tools; exit 0 ;;
  fetch)
    require_java
    case "${2:-all}" in
      all) for f in kafka-tools pulsar-perf rabbitmq-perf-test; do ensure_jars "$f" >/dev/null || exit 1; done ;;
      kafka) ensure_jars kafka-tools >/dev/null ;;
      pulsar) ensure_jars pulsar-perf >/dev/null ;;
      rabbitmq) ensure_jars rabbitmq-perf-test >/dev/null ;;
      *) die "fetch: expected all, kafka, pulsar or rabbitmq" ;;
    esac
    exit 0 ;;
  classpath)
    row="$(tool_row "${2:-}")"; [[ -n "$row" ]] || die "unknown tool '${2:-}' (bash scripts/reftools.sh list)"
    IFS='|' read -r _ folder _ <<<"$row"
    dir="$(ensure_jars "$folder")" || exit 1
    printf '%s/*\n' "$dir"; exit 0 ;;
esac

row="$(tool_row "$cmd")"
[[ -n "$row" ]] || { list_tools >&2; die "unknown tool '$cmd'"; }
IFS='|' read -r name folder class <<<"$row"
shift
require_java
dir="$(ensure_jars "$folder")" || exit 1

log4j="-Dlog4j2.configurationFile=$MQCTL_SCRIPTS_DIR/conf/tools/log4j2.properties"
case "$name" in
  kafka-*)
    # Same as Kafka's bin/kafka-run-class.sh, minus JMX.
    # shellcheck disable=SC2086
    exec java $REFTOOLS_HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true "$log4j" \
      -cp "$dir/*" "$class" "$@" ;;
  pulsar-perf)
    conf="$(pulsar_perf_conf)"
    log4j="-Dlog4j2.configurationFile=$MQCTL_SCRIPTS_DIR/conf/tools/log4j2-pulsar-perf.properties"
    # JVM flags of the distribution's bin/pulsar-perf.
    # shellcheck disable=SC2086
    exec java $REFTOOLS_HEAP -Djava.net.preferIPv4Stack=true -Dio.netty.tryReflectionSetAccessible=true \
      -Dorg.apache.pulsar.shade.io.netty.tryReflectionSetAccessible=true \
      --add-opens java.base/sun.net=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED \
      --add-opens java.base/java.util.zip=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED \
      --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -XX:+ExitOnOutOfMemoryError \
      -Dpulsar.allocator.exit_on_oom=true -Dio.netty.recycler.maxCapacityPerThread=4096 \
      -Dio.netty.allocator.maxOrder=10 "$log4j" \
      -cp "$dir/*" "$class" "$conf" "$@" ;;
  rabbitmq-perf-test)
    # PerfTest logs through logback (its own dependency); its defaults print to the console.
    # shellcheck disable=SC2086
    exec java $REFTOOLS_HEAP -cp "$dir/*" "$class" "$@" ;;
esac
