# shellcheck shell=bash
# Local Kafka cluster: three KRaft nodes (broker + controller each) from the same Maven Central jars
# as the single node, for fault tests (`mqctl verify`, failover). Node N (1..3):
#   client 127.0.0.1:1909(1+N) (19092, 19093, 19094), controller 127.0.0.1:1919(1+N) (19192..19194),
#   data, config, pid and log in $MQCTL_HOME/run/kafka-cluster-N/.
# The single node (scripts/lib/kafka.sh) and this cluster are independent and can run side by side.

KAFKA_CLUSTER_NODES=(1 2 3)
KAFKA_CLUSTER_WAIT_S="${MQCTL_KAFKA_CLUSTER_WAIT_S:-300}"
KAFKA_CLUSTER_HEAP_OPTS="${MQCTL_KAFKA_CLUSTER_HEAP_OPTS:--Xms512m -Xmx512m}"
KAFKA_CLUSTER_BOOTSTRAP="127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094"

kc_kind() { printf 'kafka-cluster-%s' "$1"; }
kc_port() { printf '%s' $(( 19091 + $1 )); }
kc_controller_port() { printf '%s' $(( 19191 + $1 )); }
kc_conf() { printf '%s/conf/server.properties' "$(run_dir "$(kc_kind "$1")")"; }

# kc_pid N: the JVM of node N, if running (matched on its own config path, not on the single node's).
kc_pid() {
  local pid; pid="$(read_pid "$(pid_file "$(kc_kind "$1")")")"
  if pid_alive "$pid" "$(kc_conf "$1")"; then printf '%s' "$pid"; fi
}

kc_voters() {
  local n out=
  for n in "${KAFKA_CLUSTER_NODES[@]}"; do out+="${out:+,}$n@$MQCTL_HOST:$(kc_controller_port "$n")"; done
  printf '%s' "$out"
}

kc_check_node() { [[ "$1" =~ ^[123]$ ]] || die "kafka-cluster: node '$1' does not exist (expected 1, 2 or 3, or leader:TOPIC[:PARTITION])"; }

# kc_render_and_format N: config from the template; storage formatted once with the cluster's id.
kc_render_and_format() {
  local n="$1" kind dir id
  kind="$(kc_kind "$n")"; dir="$(run_dir "$kind")"
  mkdir -p "$dir/conf" "$dir/data"
  render "$MQCTL_SCRIPTS_DIR/conf/kafka-cluster/server.properties" "$dir/conf/server.properties" \
    "NODE_ID=$n" "VOTERS=$(kc_voters)" "PORT=$(kc_port "$n")" "CONTROLLER_PORT=$(kc_controller_port "$n")" \
    "DATA_DIR=$dir/data"
  cp "$MQCTL_SCRIPTS_DIR/conf/kafka/log4j2.properties" "$dir/conf/log4j2.properties"
  [[ -f "$dir/data/meta.properties" ]] && return 0
  id="$(<"$(run_dir kafka-cluster)/cluster-id")"
  java -cp "$MQCTL_JARS/kafka/*" -Dlog4j2.configurationFile="$MQCTL_SCRIPTS_DIR/conf/tools/log4j2.properties" \
    kafka.tools.StorageTool format --cluster-id "$id" --config "$dir/conf/server.properties" \
    >>"$(log_file "$kind")" 2>&1 || fail_start "$kind" "kafka-storage format failed"
}

kc_cluster_id() {
  local f; f="$(run_dir kafka-cluster)/cluster-id"
  [[ -s "$f" ]] && return 0
  java -cp "$MQCTL_JARS/kafka/*" -Dlog4j2.configurationFile="$MQCTL_SCRIPTS_DIR/conf/tools/log4j2.properties" \
    kafka.tools.StorageTool random-uuid >"$f.tmp" 2>/dev/null || die "kafka-cluster: could not generate a cluster id"
  mv "$f.tmp" "$f"
}

# kc_start_node N: start node N's JVM in its own session unless it runs (no wait).
kc_start_node() {
  local n="$1" kind dir
  kind="$(kc_kind "$n")"; dir="$(run_dir "$kind")"
  [[ -n "$(kc_pid "$n")" ]] && return 0
  local port
  for port in "$(kc_port "$n")" "$(kc_controller_port "$n")"; do
    if port_open "$port"; then die "kafka-cluster: port $MQCTL_HOST:$port is taken by $(port_owner "$port" || echo another process) that this script did not start"; fi
  done
  mkdir -p "$dir"
  rotate_log "$kind"
  kc_render_and_format "$n"
  # shellcheck disable=SC2086
  (cd "$dir" && start_detached "$kind" java $KAFKA_CLUSTER_HEAP_OPTS $KAFKA_JVM_OPTS \
    -Dlog4j2.configurationFile="$dir/conf/log4j2.properties" -Dkafka.logs.dir="$dir" \
    -cp "$MQCTL_JARS/kafka/*" "$KAFKA_MAIN" "$dir/conf/server.properties")
}

# kc_node_serving N: node N answers Metadata and sees three brokers.
kc_node_serving() {
  local out; out="$(kafka_check ready "$MQCTL_HOST:$(kc_port "$1")" 2>/dev/null)" || return 1
  [[ "$out" == *" nodes=3 "* ]]
}

# kc_wait_node N DEADLINE: until node N serves and sees three brokers, or fail with its log.
kc_wait_node() {
  local n="$1" deadline="$2" kind pid
  kind="$(kc_kind "$n")"
  until kc_node_serving "$n"; do
    pid="$(kc_pid "$n")"
    [[ -n "$pid" ]] || fail_start "$kind" "node $n exited during start-up"
    (( $(now_s) >= deadline )) && fail_start "$kind" "node $n not serving a three-node cluster on $MQCTL_HOST:$(kc_port "$n") after ${KAFKA_CLUSTER_WAIT_S}s; left running ('bash scripts/brokers.sh down kafka-cluster' stops it)"
    sleep 1
  done
}

kafka-cluster_up() {
  require_java
  kafka_jars >/dev/null || exit 1
  with_lock kafka-cluster
  local t0 n deadline rss=0 pid
  t0=$(now_s)
  kc_cluster_id
  # Already up: three JVMs and one Metadata answer naming three brokers (one JVM check, not three).
  if [[ -n "$(kc_pid 1)" && -n "$(kc_pid 2)" && -n "$(kc_pid 3)" ]] &&
    [[ "$(kafka_check ready "$KAFKA_CLUSTER_BOOTSTRAP" 2>/dev/null)" == *" nodes=3 "* ]]; then
    say "kafka-cluster: already up on $KAFKA_CLUSTER_BOOTSTRAP"
    release_lock; return 0
  fi
  for n in "${KAFKA_CLUSTER_NODES[@]}"; do kc_start_node "$n"; done
  deadline=$(( t0 + KAFKA_CLUSTER_WAIT_S ))
  for n in "${KAFKA_CLUSTER_NODES[@]}"; do kc_wait_node "$n" "$deadline"; done
  for n in "${KAFKA_CLUSTER_NODES[@]}"; do pid="$(kc_pid "$n")"; rss=$(( rss + $(rss_mib "$pid") )); done
  say "kafka-cluster: up on $KAFKA_CLUSTER_BOOTSTRAP (3 KRaft nodes) in $(( $(now_s) - t0 ))s; RSS $rss MiB in total"
  release_lock
}

kafka-cluster_down() {
  with_lock kafka-cluster
  local n pid
  for n in "${KAFKA_CLUSTER_NODES[@]}"; do
    pid="$(kc_pid "$n")"
    # A paused node cannot stop: resume it first.
    [[ -n "$pid" ]] && kill -CONT "$pid" 2>/dev/null
  done
  # Stopped together: a lone last controller would wait for a quorum that is gone.
  for n in "${KAFKA_CLUSTER_NODES[@]}"; do
    pid="$(kc_pid "$n")"
    [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null
  done
  for n in "${KAFKA_CLUSTER_NODES[@]}"; do
    pid="$(kc_pid "$n")"
    if [[ -n "$pid" ]]; then stop_pid "$(kc_kind "$n")" "$pid" "$(kc_conf "$n")" 60; fi
    rm -f "$(pid_file "$(kc_kind "$n")")"
  done
  say "kafka-cluster: down"
  release_lock
}

kafka-cluster_status() {
  local n pid state
  for n in "${KAFKA_CLUSTER_NODES[@]}"; do
    pid="$(kc_pid "$n")"
    if [[ -z "$pid" ]]; then state=down
    elif [[ "$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null)" == T ]]; then state=paused
    elif port_open "$(kc_port "$n")"; then state=up
    else state=starting
    fi
    status_line "kafka-c$n" "$state" "$MQCTL_HOST:$(kc_port "$n") (controller :$(kc_controller_port "$n"), node.id $n)" "${pid:--}" "$(log_file "$(kc_kind "$n")")"
  done
}

kafka-cluster_reset() {
  local n
  kafka-cluster_down
  for n in "${KAFKA_CLUSTER_NODES[@]}"; do rm -rf "$(run_dir "$(kc_kind "$n")")/data"; done
  rm -f "$(run_dir kafka-cluster)/cluster-id"
  say "kafka-cluster: data wiped"
}

kafka-cluster_verify() {
  local n
  for n in "${KAFKA_CLUSTER_NODES[@]}"; do
    echo "node $n $MQCTL_HOST:$(kc_port "$n"): $(kafka_check ready "$MQCTL_HOST:$(kc_port "$n")")"
  done
}

# kafka-cluster_resolve TARGET: node number for "1".."3" or "leader:TOPIC[:PARTITION]" (partition 0 by default).
kafka-cluster_resolve() {
  local target="$1" rest topic partition out
  case "$target" in
    leader:*)
      rest="${target#leader:}"; topic="${rest%%:*}"; partition=0
      [[ "$rest" == *:* ]] && partition="${rest##*:}"
      [[ -n "$topic" && "$partition" =~ ^[0-9]+$ ]] || die "kafka-cluster: target '$target': expected leader:TOPIC[:PARTITION]"
      out="$(kafka_check leader "$KAFKA_CLUSTER_BOOTSTRAP" "$topic" "$partition")" ||
        die "kafka-cluster: could not find the leader of $topic/$partition"
      printf '%s' "${out%% *}"
      ;;
    *) kc_check_node "$target"; printf '%s' "$target" ;;
  esac
}

# Fault helpers. Each prints the node number it acted on, on stdout.
kafka-cluster_kill() {
  local n pid; n="$(kafka-cluster_resolve "$1")"
  pid="$(kc_pid "$n")"; [[ -n "$pid" ]] || die "kafka-cluster: node $n is not running"
  kill -KILL "$pid"
  local i; for i in $(seq 1 100); do pid_alive "$pid" "$(kc_conf "$n")" || break; sleep 0.1; done
  say "kafka-cluster: node $n (pid $pid) killed with SIGKILL"
  echo "$n"
}
kafka-cluster_start() {
  local n t0; n="$(kafka-cluster_resolve "$1")"; t0=$(now_s)
  with_lock kafka-cluster
  kc_start_node "$n"
  kc_wait_node "$n" $(( t0 + KAFKA_CLUSTER_WAIT_S ))
  release_lock
  say "kafka-cluster: node $n (pid $(kc_pid "$n")) serving again in $(( $(now_s) - t0 ))s"
  echo "$n"
}
kafka-cluster_restart() {
  local n; n="$(kafka-cluster_resolve "$1")"
  kafka-cluster_kill "$n" >/dev/null
  kafka-cluster_start "$n"
}
kafka-cluster_pause() {
  local n pid; n="$(kafka-cluster_resolve "$1")"
  pid="$(kc_pid "$n")"; [[ -n "$pid" ]] || die "kafka-cluster: node $n is not running"
  kill -STOP "$pid"; say "kafka-cluster: node $n (pid $pid) paused (SIGSTOP)"; echo "$n"
}
kafka-cluster_resume() {
  local n pid; n="$(kafka-cluster_resolve "$1")"
  pid="$(kc_pid "$n")"; [[ -n "$pid" ]] || die "kafka-cluster: node $n is not running"
  kill -CONT "$pid"; say "kafka-cluster: node $n (pid $pid) resumed (SIGCONT)"; echo "$n"
}
