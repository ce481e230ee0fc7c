# shellcheck shell=bash
# Local Kafka 4.x: one KRaft node (broker + controller) from Maven Central jars.
# Ports: 9092 PLAINTEXT, 9093 controller, 9094 SASL_PLAINTEXT (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512),
# 9095 SSL with client certificates required (certificates from scripts/lib/tls.sh).

KAFKA_MAIN=kafka.Kafka
KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
KAFKA_SASL_PORT=9094
KAFKA_SSL_PORT=9095
KAFKA_SASL_USER=mqctl
KAFKA_SASL_PASSWORD=mqctl-secret
KAFKA_WAIT_S="${MQCTL_KAFKA_WAIT_S:-120}"
KAFKA_HEAP_OPTS="${MQCTL_KAFKA_HEAP_OPTS:--Xms1g -Xmx1g}"
# Same GC settings as Kafka's bin/kafka-run-class.sh.
KAFKA_JVM_OPTS="-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true"

kafka_pid() {
  local pid; pid="$(read_pid "$(pid_file kafka)")"
  if pid_alive "$pid" "$KAFKA_MAIN"; then printf '%s' "$pid"; fi
}

kafka_jars() { ensure_jars kafka; }

# kafka_check MODE ARGS...: run scripts/check/KafkaCheck.java with the broker's jars (kafka-clients
# inside). Compiled once per source version into $MQCTL_HOME/classes/ (about 1 s per run instead of 4).
kafka_check() {
  local jars="$MQCTL_JARS/kafka" src="$MQCTL_SCRIPTS_DIR/check/KafkaCheck.java" classes
  classes="$MQCTL_HOME/classes/kafka-check-$(cat "$src" "$MQCTL_JARS/kafka/.mqctl-complete" | sha256sum | cut -c1-16)"
  if [[ ! -f "$classes/KafkaCheck.class" ]]; then
    require_cmd javac openjdk-17-jdk-headless
    mkdir -p "$classes.tmp"
    timeout 120 javac -nowarn -cp "$jars/*" -d "$classes.tmp" "$src" >&2 || die "kafka: compiling $src failed"
    rm -rf "$classes"; mv "$classes.tmp" "$classes"
  fi
  timeout 90 java -Xmx256m -XX:TieredStopAtLevel=1 -Xshare:auto \
    -Dlog4j2.configurationFile="$MQCTL_SCRIPTS_DIR/conf/tools/log4j2.properties" \
    -cp "$classes:$jars/*" KafkaCheck "$@"
}

kafka_ready() { kafka_check ready "$MQCTL_HOST:$KAFKA_PORT" >/dev/null 2>&1; }

kafka_format_if_needed() {
  local dir jars conf data
  dir="$(run_dir kafka)"; jars="$MQCTL_JARS/kafka"; conf="$dir/conf/server.properties"; data="$dir/data"
  [[ -f "$data/meta.properties" ]] && return 0
  local id
  if [[ -s "$dir/cluster-id" ]]; then
    id="$(<"$dir/cluster-id")"
  else
    id="$(java -cp "$jars/*" -Dlog4j2.configurationFile="$MQCTL_SCRIPTS_DIR/conf/tools/log4j2.properties" \
          kafka.tools.StorageTool random-uuid 2>>"$(log_file kafka)")" || fail_start kafka "could not generate a cluster id"
    printf '%s\n' "$id" >"$dir/cluster-id"
  fi
  say "kafka: formatting $data (cluster id $id, SCRAM users for $KAFKA_SASL_USER)"
  # --standalone: a one-voter dynamic quorum, matching controller.quorum.bootstrap.servers.
  if ! java -cp "$jars/*" -Dlog4j2.configurationFile="$MQCTL_SCRIPTS_DIR/conf/tools/log4j2.properties" \
      kafka.tools.StorageTool format --standalone --cluster-id "$id" --config "$conf" \
      --add-scram "SCRAM-SHA-256=[name=$KAFKA_SASL_USER,password=$KAFKA_SASL_PASSWORD]" \
      --add-scram "SCRAM-SHA-512=[name=$KAFKA_SASL_USER,password=$KAFKA_SASL_PASSWORD]" \
      >>"$(log_file kafka)" 2>&1; then
    fail_start kafka "kafka-storage format failed"
  fi
}

# kafka_ports_free_or_die: fail fast when another process (not ours) holds one of our ports.
kafka_ports_free_or_die() {
  local port owner
  [[ -n "$(kafka_pid)" ]] && return 0
  for port in $KAFKA_PORT $KAFKA_CONTROLLER_PORT $KAFKA_SASL_PORT $KAFKA_SSL_PORT; do
    if port_open "$port"; then
      owner="$(port_owner "$port")"
      die "kafka: port $MQCTL_HOST:$port is already taken by ${owner:-another process} that this script did not start; stop it (or 'docker compose down') and retry"
    fi
  done
}

kafka_up() {
  require_java
  kafka_ports_free_or_die
  kafka_jars >/dev/null || exit 1
  with_lock kafka
  local dir pid t0
  dir="$(run_dir kafka)"; t0=$(now_s)
  pid="$(kafka_pid)"
  if [[ -n "$pid" ]]; then
    if kafka_ready; then
      say "kafka: already up (pid $pid) on $MQCTL_HOST:$KAFKA_PORT"
      port_open "$KAFKA_SSL_PORT" ||
        say "kafka: note: started with an older configuration (no SSL listener on :$KAFKA_SSL_PORT); 'bash scripts/brokers.sh down kafka && bash scripts/brokers.sh up kafka' applies the current one"
      release_lock; return 0
    fi
    say "kafka: pid $pid is running but not serving yet; waiting"
  else
    mkdir -p "$dir/conf" "$dir/data"
    tls_ensure >/dev/null
    render "$MQCTL_SCRIPTS_DIR/conf/kafka/server.properties" "$dir/conf/server.properties" \
      "DATA_DIR=$dir/data" "SASL_USER=$KAFKA_SASL_USER" "SASL_PASSWORD=$KAFKA_SASL_PASSWORD" \
      "TLS_DIR=$MQCTL_TLS" "STORE_PASSWORD=$MQCTL_STORE_PASSWORD"
    cp "$MQCTL_SCRIPTS_DIR/conf/kafka/log4j2.properties" "$dir/conf/log4j2.properties"
    rotate_log kafka
    kafka_format_if_needed
    say "kafka: starting (log: $(log_file kafka))"
    # shellcheck disable=SC2086
    (cd "$dir" && start_detached kafka java $KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS \
      -Dlog4j2.configurationFile="$dir/conf/log4j2.properties" -Dkafka.logs.dir="$dir" \
      -cp "$MQCTL_JARS/kafka/*" "$KAFKA_MAIN" "$dir/conf/server.properties")
    pid="$(read_pid "$(pid_file kafka)")"
  fi

  local deadline=$(( t0 + KAFKA_WAIT_S ))
  while :; do
    pid_alive "$pid" "$KAFKA_MAIN" || fail_start kafka "the broker process exited during start-up"
    if port_open "$KAFKA_PORT" && port_open "$KAFKA_SASL_PORT" && port_open "$KAFKA_SSL_PORT" && kafka_ready; then
      break
    fi
    (( $(now_s) >= deadline )) &&
      fail_start kafka "not serving metadata on $MQCTL_HOST:$KAFKA_PORT after ${KAFKA_WAIT_S}s; pid $pid left running ('bash scripts/brokers.sh down kafka' stops it)"
    sleep 1
  done
  say "kafka: up (pid $pid) on $MQCTL_HOST:$KAFKA_PORT, SASL $MQCTL_HOST:$KAFKA_SASL_PORT, SSL $MQCTL_HOST:$KAFKA_SSL_PORT, in $(( $(now_s) - t0 ))s; RSS $(rss_mib "$pid") MiB"
  release_lock
}

kafka_down() {
  with_lock kafka
  local pid; pid="$(kafka_pid)"
  if [[ -z "$pid" ]]; then
    say "kafka: already down"
  else
    say "kafka: stopping pid $pid"
    stop_pid kafka "$pid" "$KAFKA_MAIN" 120
    say "kafka: down"
  fi
  rm -f "$(pid_file kafka)"
  release_lock
}

kafka_status() {
  local pid state
  pid="$(kafka_pid)"
  if [[ -z "$pid" ]]; then state=down
  elif port_open "$KAFKA_PORT"; then state=up
  else state=starting
  fi
  status_line kafka "$state" "$MQCTL_HOST:$KAFKA_PORT (sasl :$KAFKA_SASL_PORT, ssl :$KAFKA_SSL_PORT, controller :$KAFKA_CONTROLLER_PORT)" "${pid:--}" "$(log_file kafka)"
}

# kafka_reset: wipe data and cluster id; the next `up` formats a new cluster.
kafka_reset() {
  local was_up=; [[ -n "$(kafka_pid)" ]] && was_up=1
  kafka_down
  rm -rf "$(run_dir kafka)/data" "$(run_dir kafka)/cluster-id"
  say "kafka: data wiped ($(run_dir kafka)/data)"
  if [[ -n "$was_up" ]]; then kafka_up; fi
}

kafka_verify() {
  [[ -n "$(kafka_pid)" ]] || die "kafka: not running (bash scripts/brokers.sh up kafka)"
  kafka_check verify "$MQCTL_HOST:$KAFKA_PORT" "$MQCTL_HOST:$KAFKA_SASL_PORT" "$KAFKA_SASL_USER" "$KAFKA_SASL_PASSWORD" ||
    die "kafka: verify failed"
}
