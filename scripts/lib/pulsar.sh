# shellcheck shell=bash
# Local Pulsar 4.x standalone (broker + one bookie, RocksDB metadata, no functions worker) from
# Maven Central jars. Ports: 6650 binary protocol, 8080 admin REST + WebSocket API, and with TLS (certificates
# from scripts/lib/tls.sh) 6651 binary protocol, 8443 HTTPS admin + WebSocket. Token authentication is on
# (secret key in $MQCTL_HOME/tls; `brokers.sh token ROLE`), clients without a token are the anonymous
# superuser, so they work as before. The embedded
# bookie (RocksDB-metadata mode) picks a free loopback port of its own: --bookkeeper-port is only
# used by the old ZooKeeper mode.

PULSAR_MAIN=org.apache.pulsar.PulsarStandaloneStarter
PULSAR_PORT="${MQCTL_PULSAR_PORT:-6650}"
PULSAR_HTTP_PORT="${MQCTL_PULSAR_HTTP_PORT:-8080}"
PULSAR_TLS_PORT="${MQCTL_PULSAR_TLS_PORT:-6651}"
PULSAR_HTTPS_PORT="${MQCTL_PULSAR_HTTPS_PORT:-8443}"
PULSAR_WAIT_S="${MQCTL_PULSAR_WAIT_S:-180}"
PULSAR_MEM_OPTS="${MQCTL_PULSAR_MEM_OPTS:--Xms512m -Xmx1g -XX:MaxDirectMemorySize=512m}"
# From the distribution's bin/pulsar and conf/pulsar_env.sh.
PULSAR_JVM_OPTS="-XX:+UseG1GC -XX:MaxGCPauseMillis=10 -XX:+ParallelRefProcEnabled -XX:+DoEscapeAnalysis \
 -XX:+DisableExplicitGC -XX:+PerfDisableSharedMem -Djava.net.preferIPv4Stack=true \
 -Dio.netty.tryReflectionSetAccessible=true -Dio.netty.recycler.maxCapacityPerThread=4096 \
 -Dpulsar.allocator.exit_on_oom=true -Djute.maxbuffer=10485760 -Dlog4j.shutdownHookEnabled=false \
 --add-opens java.base/java.io=ALL-UNNAMED --add-opens java.base/java.util.zip=ALL-UNNAMED \
 --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/jdk.internal.misc=ALL-UNNAMED \
 --add-opens java.base/sun.net=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED \
 --add-opens java.management/sun.management=ALL-UNNAMED \
 -Dbookkeeper.metadata.bookie.drivers=org.apache.pulsar.metadata.bookkeeper.PulsarMetadataBookieDriver \
 -Dbookkeeper.metadata.client.drivers=org.apache.pulsar.metadata.bookkeeper.PulsarMetadataClientDriver"

PULSAR_URL="http://$MQCTL_HOST:$PULSAR_HTTP_PORT"

pulsar_pid() {
  local pid; pid="$(read_pid "$(pid_file pulsar)")"
  if pid_alive "$pid" "$PULSAR_MAIN"; then printf '%s' "$pid"; fi
}

# pulsar_ready: the broker health check passes and the default namespace exists (the starter
# creates public/default only after the broker itself is up).
pulsar_ready() {
  local health ns
  health="$(curl -fsS --max-time 5 "$PULSAR_URL/admin/v2/brokers/health" 2>/dev/null)" || return 1
  [[ "$health" == ok ]] || return 1
  ns="$(curl -fsS --max-time 5 "$PULSAR_URL/admin/v2/namespaces/public" 2>/dev/null)" || return 1
  [[ "$ns" == *'"public/default"'* ]]
}

# pulsar_ports_free_or_die: fail fast when another process (not ours) holds one of our ports.
pulsar_ports_free_or_die() {
  local port owner
  [[ -n "$(pulsar_pid)" ]] && return 0
  for port in $PULSAR_PORT $PULSAR_HTTP_PORT $PULSAR_TLS_PORT $PULSAR_HTTPS_PORT; do
    if port_open "$port"; then
      owner="$(port_owner "$port")"
      die "pulsar: port $MQCTL_HOST:$port is already taken by ${owner:-another process} that this script did not start; stop it (or 'docker compose down') and retry"
    fi
  done
}

pulsar_up() {
  require_java
  require_cmd curl curl
  pulsar_ports_free_or_die
  ensure_jars pulsar >/dev/null || exit 1
  # the generated protocol classes the wire-schema conformance test reads (a 0.7 MB sources jar)
  ensure_jars pulsar-proto >/dev/null || exit 1
  with_lock pulsar
  local dir pid t0
  dir="$(run_dir pulsar)"; t0=$(now_s)
  pid="$(pulsar_pid)"
  if [[ -n "$pid" ]]; then
    if pulsar_ready; then
      say "pulsar: already up (pid $pid) on pulsar://$MQCTL_HOST:$PULSAR_PORT, $PULSAR_URL"
      port_open "$PULSAR_TLS_PORT" ||
        say "pulsar: note: started with an older configuration (no TLS on :$PULSAR_TLS_PORT, no token authentication); 'bash scripts/brokers.sh down pulsar && bash scripts/brokers.sh up pulsar' applies the current one"
      release_lock; return 0
    fi
    say "pulsar: pid $pid is running but not serving yet; waiting"
  else
    mkdir -p "$dir/conf" "$dir/data"
    tls_ensure >/dev/null
    render "$MQCTL_SCRIPTS_DIR/conf/pulsar/standalone.conf" "$dir/conf/standalone.conf" \
      "PORT=$PULSAR_PORT" "PORT_TLS=$PULSAR_TLS_PORT" "HTTP_PORT=$PULSAR_HTTP_PORT" "HTTPS_PORT=$PULSAR_HTTPS_PORT" \
      "TLS_DIR=$MQCTL_TLS" "SUPERUSER=$PULSAR_SUPERUSER"
    cp "$MQCTL_SCRIPTS_DIR/conf/pulsar/log4j2.properties" "$dir/conf/log4j2.properties"
    rotate_log pulsar
    say "pulsar: starting (log: $(log_file pulsar))"
    # cwd = run dir: the starter resolves relative paths (and looks for data/standalone/zookeeper,
    # whose existence would switch it to ZooKeeper mode) against it.
    # shellcheck disable=SC2086
    (cd "$dir" && start_detached pulsar java $PULSAR_MEM_OPTS $PULSAR_JVM_OPTS \
      -Dlog4j2.configurationFile="$dir/conf/log4j2.properties" -Dpulsar.log.dir="$dir" \
      -cp "$MQCTL_JARS/pulsar/*" "$PULSAR_MAIN" \
      --config "$dir/conf/standalone.conf" --no-functions-worker \
      --metadata-dir "$dir/data/metadata" --bookkeeper-dir "$dir/data/bookkeeper" \
      --advertised-address "$MQCTL_HOST")
    pid="$(read_pid "$(pid_file pulsar)")"
  fi

  local deadline=$(( t0 + PULSAR_WAIT_S ))
  while :; do
    pid_alive "$pid" "$PULSAR_MAIN" || fail_start pulsar "the standalone process exited during start-up"
    if pulsar_ready && port_open "$PULSAR_PORT" && port_open "$PULSAR_TLS_PORT" && port_open "$PULSAR_HTTPS_PORT"; then break; fi
    (( $(now_s) >= deadline )) &&
      fail_start pulsar "not healthy at $PULSAR_URL/admin/v2/brokers/health (with public/default) after ${PULSAR_WAIT_S}s; pid $pid left running ('bash scripts/brokers.sh down pulsar' stops it)"
    sleep 2
  done
  say "pulsar: up (pid $pid) on pulsar://$MQCTL_HOST:$PULSAR_PORT, $PULSAR_URL (admin + ws), TLS pulsar+ssl://$MQCTL_HOST:$PULSAR_TLS_PORT https://$MQCTL_HOST:$PULSAR_HTTPS_PORT, in $(( $(now_s) - t0 ))s; RSS $(rss_mib "$pid") MiB"
  release_lock
}

pulsar_down() {
  with_lock pulsar
  local pid; pid="$(pulsar_pid)"
  if [[ -z "$pid" ]]; then
    say "pulsar: already down"
  else
    say "pulsar: stopping pid $pid"
    stop_pid pulsar "$pid" "$PULSAR_MAIN" 60
    say "pulsar: down"
  fi
  rm -f "$(pid_file pulsar)"
  release_lock
}

pulsar_status() {
  local pid state
  pid="$(pulsar_pid)"
  if [[ -z "$pid" ]]; then state=down
  elif curl -fsS --max-time 3 "$PULSAR_URL/admin/v2/brokers/health" >/dev/null 2>&1; then state=up
  else state=starting
  fi
  status_line pulsar "$state" "pulsar://$MQCTL_HOST:$PULSAR_PORT $PULSAR_URL (tls :$PULSAR_TLS_PORT :$PULSAR_HTTPS_PORT)" "${pid:--}" "$(log_file pulsar)"
}

pulsar_reset() {
  local was_up=; [[ -n "$(pulsar_pid)" ]] && was_up=1
  pulsar_down
  rm -rf "$(run_dir pulsar)/data"
  say "pulsar: data wiped ($(run_dir pulsar)/data)"
  if [[ -n "$was_up" ]]; then pulsar_up; fi
}

# pulsar_verify: partitioned topic via the admin REST API, then a WebSocket produce/consume round trip.
pulsar_verify() {
  [[ -n "$(pulsar_pid)" ]] || die "pulsar: not running (bash scripts/brokers.sh up pulsar)"
  require_cmd node nodejs
  local topic="persistent/public/default/mqctl-selftest-partitioned" code body
  code="$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
          --data 3 "$PULSAR_URL/admin/v2/$topic/partitions")" || die "pulsar: admin API unreachable"
  [[ "$code" == 204 || "$code" == 409 ]] || die "pulsar: creating a partitioned topic returned HTTP $code"
  body="$(curl -fsS --max-time 10 "$PULSAR_URL/admin/v2/$topic/partitions")" || die "pulsar: reading partition metadata failed"
  [[ "$body" == *'"partitions":3'* ]] || die "pulsar: unexpected partition metadata: $body"
  echo "partitioned topic: PUT $PULSAR_URL/admin/v2/$topic/partitions (body 3) -> HTTP $code; GET -> $body"
  curl -fsS --max-time 20 -X DELETE "$PULSAR_URL/admin/v2/$topic/partitions?force=true" >/dev/null ||
    say "pulsar: note: could not delete $topic"
  timeout 60 node --experimental-websocket --no-warnings "$MQCTL_SCRIPTS_DIR/check/pulsar-ws-check.mjs" \
    "ws://$MQCTL_HOST:$PULSAR_HTTP_PORT" || die "pulsar: WebSocket round trip failed"
}
