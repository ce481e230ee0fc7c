#!/usr/bin/env bash
# A private single-node Kafka for fault tests (kill it, restart it): its own ports (BASE, BASE+1 controller,
# BASE+2 SASL, BASE+3 SSL) and its own data directory DIR; only the jars are shared (read-only) with scripts/brokers.sh.
# The shared broker on 9092 is never touched.
#   bash scripts/fault-kafka.sh up DIR BASE     # prints the broker's pid once it serves metadata
#   bash scripts/fault-kafka.sh kill DIR BASE   # SIGKILL (the fault)
#   bash scripts/fault-kafka.sh down DIR BASE   # stop it and delete DIR
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/jars.sh
source "$MQCTL_SCRIPTS_DIR/lib/jars.sh"
# shellcheck source=lib/kafka.sh
source "$MQCTL_SCRIPTS_DIR/lib/kafka.sh"
# shellcheck source=lib/tls.sh
source "$MQCTL_SCRIPTS_DIR/lib/tls.sh"

cmd="${1:?usage: fault-kafka.sh up|kill|down DIR BASE_PORT}"
MQCTL_RUN="${2:?DIR}"
base="${3:?BASE_PORT}"
KAFKA_PORT=$base
KAFKA_CONTROLLER_PORT=$((base + 1))
KAFKA_SASL_PORT=$((base + 2))
KAFKA_SSL_PORT=$((base + 3))
KAFKA_HEAP_OPTS="-Xms256m -Xmx512m"

case "$cmd" in
  up)
    require_java
    kafka_ports_free_or_die
    kafka_jars >/dev/null
    dir="$(run_dir kafka)"
    mkdir -p "$dir/conf" "$dir/data"
    tls_ensure >/dev/null
    render "$MQCTL_SCRIPTS_DIR/conf/kafka/server.properties" "$dir/conf/server.properties" \
      "DATA_DIR=$dir/data" "SASL_USER=$KAFKA_SASL_USER" "SASL_PASSWORD=$KAFKA_SASL_PASSWORD" \
      "TLS_DIR=$MQCTL_TLS" "STORE_PASSWORD=$MQCTL_STORE_PASSWORD"
    sed -i "s/127.0.0.1:9092/127.0.0.1:$KAFKA_PORT/g; s/127.0.0.1:9093/127.0.0.1:$KAFKA_CONTROLLER_PORT/g; s/127.0.0.1:9094/127.0.0.1:$KAFKA_SASL_PORT/g; s/127.0.0.1:9095/127.0.0.1:$KAFKA_SSL_PORT/g" \
      "$dir/conf/server.properties"
    cp "$MQCTL_SCRIPTS_DIR/conf/kafka/log4j2.properties" "$dir/conf/log4j2.properties"
    kafka_format_if_needed
    # shellcheck disable=SC2086
    (cd "$dir" && start_detached kafka java $KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS \
      -Dlog4j2.configurationFile="$dir/conf/log4j2.properties" -Dkafka.logs.dir="$dir" \
      -cp "$MQCTL_JARS/kafka/*" "$KAFKA_MAIN" "$dir/conf/server.properties")
    pid="$(read_pid "$(pid_file kafka)")"
    deadline=$(($(now_s) + KAFKA_WAIT_S))
    until port_open "$KAFKA_PORT" && kafka_ready; do
      pid_alive "$pid" "$KAFKA_MAIN" || die "fault kafka exited during start-up (log: $(log_file kafka))"
      (($(now_s) < deadline)) || die "fault kafka not serving on $KAFKA_PORT after ${KAFKA_WAIT_S}s"
      sleep 1
    done
    printf '%s\n' "$pid"
    ;;
  kill)
    pid="$(kafka_pid)"
    [[ -n "$pid" ]] && kill -9 "$pid"
    ;;
  down)
    pid="$(kafka_pid)"
    if [[ -n "$pid" ]]; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 30); do pid_alive "$pid" "$KAFKA_MAIN" || break; sleep 1; done
      pid_alive "$pid" "$KAFKA_MAIN" && kill -9 "$pid"
    fi
    rm -rf "$MQCTL_RUN"
    ;;
  *) die "unknown command $cmd" ;;
esac
