# shellcheck shell=bash
# Local RabbitMQ cluster: three nodes of the machine's RabbitMQ installation, clustered, for fault tests.
# They never touch the system node rabbit@localhost (5672/15672, /var/lib/rabbitmq, /etc/rabbitmq):
# own node names mqctl-cluster-N@localhost, AMQP 127.0.0.1:568N (5681..5683), management 1568N
# (15681..15683), distribution 2568N, data/logs/config/pid in $MQCTL_HOME/run/rabbitmq-cluster-N/, one
# Erlang cookie in $MQCTL_HOME/run/rabbitmq-cluster/.erlang.cookie (HOME of these nodes and their CLI).
# The shared epmd (127.0.0.1:4369) registers them next to the system node.

RABBITMQ_CLUSTER_NODES=(1 2 3)
RABBITMQ_CLUSTER_WAIT_S="${MQCTL_RABBITMQ_CLUSTER_WAIT_S:-180}"
RABBITMQ_SBIN="$(dirname "$(readlink -f /usr/lib/rabbitmq/bin/rabbitmq-server 2>/dev/null || echo /usr/lib/rabbitmq/bin/rabbitmq-server)")"

rc_kind() { printf 'rabbitmq-cluster-%s' "$1"; }
rc_node() { printf 'mqctl-cluster-%s@localhost' "$1"; }
rc_port() { printf '%s' $(( 5680 + $1 )); }
rc_http_port() { printf '%s' $(( 15680 + $1 )); }
rc_home() { run_dir rabbitmq-cluster; }
rc_check_node() { [[ "$1" =~ ^[123]$ ]] || die "rabbitmq-cluster: node '$1' does not exist (expected 1, 2 or 3, or leader:QUEUE)"; }

# rc_env N CMD...: run a RabbitMQ script (server or CLI) as node N, with this cluster's cookie and files,
# never reading /etc/rabbitmq (whose env file names the system node).
rc_env() {
  local n="$1" dir; shift
  dir="$(run_dir "$(rc_kind "$n")")"
  (
    export HOME; HOME="$(rc_home)"
    export RABBITMQ_CONF_ENV_FILE="$HOME/rabbitmq-env.conf"
    export RABBITMQ_NODENAME; RABBITMQ_NODENAME="$(rc_node "$n")"
    export RABBITMQ_NODE_IP_ADDRESS="$MQCTL_HOST"
    export RABBITMQ_NODE_PORT; RABBITMQ_NODE_PORT="$(rc_port "$n")"
    export RABBITMQ_DIST_PORT=$(( 25680 + n ))
    # RABBITMQ_CONFIG_FILES too: the system's /etc/rabbitmq/conf.d/*.conf would bind the system's ports.
    export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_CONFIG_FILES="$dir/conf.d"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
    export RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$dir/beam.pid"
    export ERL_EPMD_ADDRESS="$MQCTL_HOST" ERL_FLAGS="-kernel inet_dist_use_interface {127,0,0,1}"
    "$@"
  )
}
rc_ctl() { local n="$1"; shift; rc_env "$n" timeout 60 "$RABBITMQ_SBIN/rabbitmqctl" -n "$(rc_node "$n")" -q "$@"; }

# rc_alive PID N: PID is node N's Erlang VM (the node name is not on its command line, but in its environment).
rc_alive() {
  [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null && tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -qx "RABBITMQ_NODENAME=$(rc_node "$2")"
}

# rc_pid N: the node's Erlang VM (beam.smp), from the pid file the node writes.
rc_pid() {
  local pid; pid="$(read_pid "$(run_dir "$(rc_kind "$1")")/beam.pid")"
  if rc_alive "$pid" "$1"; then printf '%s' "$pid"; fi
}

rc_api() { # rc_api N PATH: GET on node N's management API
  curl -fsS --max-time 5 -u guest:guest "http://$MQCTL_HOST:$(rc_http_port "$1")/api/$2"
}

rc_prepare() {
  local home; home="$(rc_home)"
  mkdir -p "$home"
  if [[ ! -s "$home/.erlang.cookie" ]]; then
    head -c 30 /dev/urandom | base64 | tr -dc 'A-Z' | head -c 20 >"$home/.erlang.cookie"
    chmod 400 "$home/.erlang.cookie"
  fi
  : >"$home/rabbitmq-env.conf"
  local n dir
  for n in "${RABBITMQ_CLUSTER_NODES[@]}"; do
    dir="$(run_dir "$(rc_kind "$n")")"
    mkdir -p "$dir/mnesia" "$dir/log" "$dir/conf.d"
    printf '%s\n' "# written by mqctl scripts/lib/rabbitmq-cluster.sh: node $(rc_node "$n")" \
      "listeners.tcp.local = $MQCTL_HOST:$(rc_port "$n")" \
      "management.tcp.ip = $MQCTL_HOST" "management.tcp.port = $(rc_http_port "$n")" \
      "cluster_partition_handling = pause_minority" \
      "vm_memory_high_watermark.absolute = 1GB" \
      "log.file.level = info" >"$dir/rabbitmq.conf"
    printf '[rabbitmq_management].\n' >"$dir/enabled_plugins"
  done
}

# rc_start_node N: start node N in the foreground of its own session (no wait).
rc_start_node() {
  local n="$1" kind port
  kind="$(rc_kind "$n")"
  [[ -n "$(rc_pid "$n")" ]] && return 0
  for port in "$(rc_port "$n")" "$(rc_http_port "$n")" $(( 25680 + n )); do
    if port_open "$port"; then die "rabbitmq-cluster: port $MQCTL_HOST:$port is taken by $(port_owner "$port" || echo another process) that this script did not start"; fi
  done
  rotate_log "$kind"
  rm -f "$(run_dir "$kind")/beam.pid"
  rc_env "$n" start_detached "$kind" "$RABBITMQ_SBIN/rabbitmq-server"
}

# rc_node_serving N: the management API of node N answers (the app and its plugins are up).
rc_node_serving() { rc_api "$1" overview >/dev/null 2>&1; }

rc_wait_node() {
  local n="$1" deadline="$2" kind
  kind="$(rc_kind "$n")"
  until rc_node_serving "$n"; do
    pid_alive "$(read_pid "$(pid_file "$kind")")" rabbitmq-server || [[ -n "$(rc_pid "$n")" ]] ||
      fail_start "$kind" "node $(rc_node "$n") exited during start-up (node log: $(run_dir "$kind")/log/)"
    (( $(now_s) >= deadline )) && fail_start "$kind" "node $(rc_node "$n") not serving on $MQCTL_HOST:$(rc_http_port "$n") after ${RABBITMQ_CLUSTER_WAIT_S}s"
    sleep 1
  done
}

# rc_running_nodes: how many nodes node 1 sees running in its cluster.
rc_running_nodes() {
  rc_api 1 nodes 2>/dev/null | jq '[.[] | select(.running)] | length' 2>/dev/null || echo 0
}

rabbitmq-cluster_up() {
  rabbitmq_require
  require_cmd jq jq
  with_lock rabbitmq-cluster
  local t0 n deadline rss=0
  t0=$(now_s)
  rc_prepare
  for n in "${RABBITMQ_CLUSTER_NODES[@]}"; do rc_start_node "$n"; done
  deadline=$(( t0 + RABBITMQ_CLUSTER_WAIT_S ))
  for n in "${RABBITMQ_CLUSTER_NODES[@]}"; do rc_wait_node "$n" "$deadline"; done
  # First start: nodes 2 and 3 join node 1 (their fresh state is reset). Later starts find the cluster
  # in their data and form it again by themselves.
  for n in 2 3; do
    if ! rc_api "$n" nodes 2>/dev/null | jq -e --arg m "$(rc_node 1)" 'any(.[]; .name == $m)' >/dev/null; then
      say "rabbitmq-cluster: $(rc_node "$n") joins $(rc_node 1)"
      rc_ctl "$n" stop_app >/dev/null && rc_ctl "$n" reset >/dev/null &&
        rc_ctl "$n" join_cluster "$(rc_node 1)" >/dev/null && rc_ctl "$n" start_app >/dev/null ||
        fail_start "$(rc_kind "$n")" "$(rc_node "$n") could not join $(rc_node 1)"
    fi
  done
  until [[ "$(rc_running_nodes)" == 3 ]]; do
    (( $(now_s) >= deadline )) && fail_start "$(rc_kind 1)" "the cluster does not show three running nodes after ${RABBITMQ_CLUSTER_WAIT_S}s"
    sleep 1
  done
  for n in "${RABBITMQ_CLUSTER_NODES[@]}"; do rss=$(( rss + $(rss_mib "$(rc_pid "$n")") )); done
  say "rabbitmq-cluster: up, 3 nodes clustered, amqp://$MQCTL_HOST:5681,5682,5683 (management :15681..15683) in $(( $(now_s) - t0 ))s; RSS $rss MiB in total"
  release_lock
}

rabbitmq-cluster_down() {
  with_lock rabbitmq-cluster
  local n i pids=()
  for n in "${RABBITMQ_CLUSTER_NODES[@]}"; do pids[n]="$(rc_pid "$n")"; done
  # A paused node cannot stop: resume it first. Then SIGTERM (the VM stops the node cleanly), all
  # three at once; the pids are read first because a stopping node removes its pid file.
  for n in "${RABBITMQ_CLUSTER_NODES[@]}"; do [[ -n "${pids[n]}" ]] && kill -CONT "${pids[n]}" 2>/dev/null; done
  for n in "${RABBITMQ_CLUSTER_NODES[@]}"; do [[ -n "${pids[n]}" ]] && kill -TERM "${pids[n]}" 2>/dev/null; done
  for n in "${RABBITMQ_CLUSTER_NODES[@]}"; do
    [[ -n "${pids[n]}" ]] || continue
    for i in $(seq 1 120); do rc_alive "${pids[n]}" "$n" || break; sleep 0.5; done
    if rc_alive "${pids[n]}" "$n"; then say "rabbitmq-cluster: node $n still running after 60s, SIGKILL"; kill -KILL "${pids[n]}"; fi
    rm -f "$(pid_file "$(rc_kind "$n")")"
  done
  say "rabbitmq-cluster: down"
  release_lock
}

rabbitmq-cluster_status() {
  local n pid state
  for n in "${RABBITMQ_CLUSTER_NODES[@]}"; do
    pid="$(rc_pid "$n")"
    if [[ -z "$pid" ]]; then state=down
    elif [[ "$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null)" == T ]]; then state=paused
    elif rc_node_serving "$n"; then state=up
    elif port_open "$(rc_port "$n")"; then state=up-no-mgmt
    else state=starting
    fi
    status_line "rabbit-c$n" "$state" "$(rc_node "$n") amqp :$(rc_port "$n") http :$(rc_http_port "$n")" "${pid:--}" "$(run_dir "$(rc_kind "$n")")/log/"
  done
}

rabbitmq-cluster_reset() {
  local n
  rabbitmq-cluster_down
  for n in "${RABBITMQ_CLUSTER_NODES[@]}"; do rm -rf "$(run_dir "$(rc_kind "$n")")/mnesia"; done
  say "rabbitmq-cluster: data wiped"
}

rabbitmq-cluster_verify() {
  local n
  for n in "${RABBITMQ_CLUSTER_NODES[@]}"; do
    echo "node $(rc_node "$n"): $(rc_api "$n" nodes | jq -r '[.[] | "\(.name)=\(if .running then "running" else "down" end)"] | join(" ")')"
  done
}

# rabbitmq-cluster_resolve TARGET: "1".."3" or "leader:QUEUE" (vhost /; the quorum queue's or stream's leader).
rabbitmq-cluster_resolve() {
  local target="$1" q leader n
  case "$target" in
    leader:*)
      q="${target#leader:}"
      [[ -n "$q" ]] || die "rabbitmq-cluster: target '$target': expected leader:QUEUE"
      for n in "${RABBITMQ_CLUSTER_NODES[@]}"; do
        leader="$(rc_api "$n" "queues/%2F/$(jq -rn --arg q "$q" '$q|@uri')" 2>/dev/null | jq -r '.leader // .node // empty' 2>/dev/null)" && [[ -n "$leader" ]] && break
      done
      [[ "$leader" =~ ^mqctl-cluster-([123])@ ]] || die "rabbitmq-cluster: could not find the leader of queue '$q' (got '${leader:-nothing}')"
      printf '%s' "${BASH_REMATCH[1]}"
      ;;
    *) rc_check_node "$target"; printf '%s' "$target" ;;
  esac
}

rabbitmq-cluster_kill() {
  local n pid i; n="$(rabbitmq-cluster_resolve "$1")"
  pid="$(rc_pid "$n")"; [[ -n "$pid" ]] || die "rabbitmq-cluster: node $n is not running"
  kill -KILL "$pid"
  for i in $(seq 1 100); do rc_alive "$pid" "$n" || break; sleep 0.1; done
  say "rabbitmq-cluster: node $(rc_node "$n") (pid $pid) killed with SIGKILL"
  echo "$n"
}
rabbitmq-cluster_start() {
  local n t0; n="$(rabbitmq-cluster_resolve "$1")"; t0=$(now_s)
  with_lock rabbitmq-cluster
  rc_start_node "$n"
  rc_wait_node "$n" $(( t0 + RABBITMQ_CLUSTER_WAIT_S ))
  release_lock
  say "rabbitmq-cluster: node $(rc_node "$n") (pid $(rc_pid "$n")) serving again in $(( $(now_s) - t0 ))s"
  echo "$n"
}
rabbitmq-cluster_restart() {
  local n; n="$(rabbitmq-cluster_resolve "$1")"
  rabbitmq-cluster_kill "$n" >/dev/null
  rabbitmq-cluster_start "$n"
}
rabbitmq-cluster_pause() {
  local n pid; n="$(rabbitmq-cluster_resolve "$1")"
  pid="$(rc_pid "$n")"; [[ -n "$pid" ]] || die "rabbitmq-cluster: node $n is not running"
  kill -STOP "$pid"; say "rabbitmq-cluster: node $(rc_node "$n") (pid $pid) paused (SIGSTOP)"; echo "$n"
}
rabbitmq-cluster_resume() {
  local n pid; n="$(rabbitmq-cluster_resolve "$1")"
  pid="$(rc_pid "$n")"; [[ -n "$pid" ]] || die "rabbitmq-cluster: node $n is not running"
  kill -CONT "$pid"; say "rabbitmq-cluster: node $(rc_node "$n") (pid $pid) resumed (SIGCONT)"; echo "$n"
}
