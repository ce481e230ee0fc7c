# shellcheck shell=bash
# Local schema registry for `mqctl schema` on Kafka (opt-in kind schema-registry, never part of the default `up`):
# Apicurio Registry 2.6 from Maven Central, which serves the Confluent Schema Registry REST API at
# /apis/ccompat/v7 (Confluent's own registry is not published on Maven Central). In-memory storage: a restart
# forgets every schema. Port 18081 on loopback.

SCHEMA_REGISTRY_VERSION=2.6.13.Final
SCHEMA_REGISTRY_PORT="${MQCTL_SCHEMA_REGISTRY_PORT:-18081}"
SCHEMA_REGISTRY_MAIN="apicurio-registry-app-$SCHEMA_REGISTRY_VERSION-runner.jar"
SCHEMA_REGISTRY_WAIT_S="${MQCTL_SCHEMA_REGISTRY_WAIT_S:-180}"
SCHEMA_REGISTRY_HEAP_OPTS="${MQCTL_SCHEMA_REGISTRY_HEAP_OPTS:--Xmx384m}"

schema_registry_url() { printf 'http://%s:%s/apis/ccompat/v7' "$MQCTL_HOST" "$SCHEMA_REGISTRY_PORT"; }

schema-registry_pid() {
  local pid; pid="$(read_pid "$(pid_file schema-registry)")"
  if pid_alive "$pid" "$SCHEMA_REGISTRY_MAIN"; then printf '%s' "$pid"; fi
}

schema_registry_ready() {
  [[ "$(curl -s -o /dev/null -m 3 -w '%{http_code}' "$(schema_registry_url)/subjects" 2>/dev/null)" == 200 ]]
}

# schema_registry_app: the unpacked application (one tar.gz from Maven Central, fetched once into the jars cache).
schema_registry_app() {
  local dir="$MQCTL_JARS/schema-registry" marker="$MQCTL_JARS/schema-registry/.mqctl-complete"
  if [[ -f "$marker" && "$(<"$marker")" == "$SCHEMA_REGISTRY_VERSION" ]]; then printf '%s' "$dir/app"; return 0; fi
  require_mvn
  mkdir -p "$MQCTL_JARS"
  local tmp="$MQCTL_JARS/.schema-registry.tmp" log="$MQCTL_JARS/schema-registry.mvn.log" t0
  rm -rf "$tmp"; mkdir -p "$tmp/app"; t0=$(now_s)
  say "schema-registry: fetching Apicurio Registry $SCHEMA_REGISTRY_VERSION from Maven Central into $dir (first time only, ~142 MB; log: $log)"
  if ! timeout 900 mvn -B -ntp -s "$MQCTL_SCRIPTS_DIR/maven/settings.xml" "$MQCTL_DEP_PLUGIN:copy" \
        -Dartifact="io.apicurio:apicurio-registry-app:$SCHEMA_REGISTRY_VERSION:tar.gz:all" \
        -DoutputDirectory="$tmp" >"$log" 2>&1; then
    grep -E '^\[ERROR\]' "$log" | head -n 5 >&2
    die "schema-registry: Maven could not fetch the registry from Maven Central (see $log)"
  fi
  tar xzf "$tmp"/apicurio-registry-app-*-all.tar.gz -C "$tmp/app" || die "schema-registry: cannot unpack the archive"
  rm -f "$tmp"/apicurio-registry-app-*-all.tar.gz
  rm -rf "$dir"; mv "$tmp" "$dir"
  printf '%s' "$SCHEMA_REGISTRY_VERSION" >"$marker"
  say "schema-registry: $(du -sh "$dir" | cut -f1) in $(( $(now_s) - t0 ))s"
  printf '%s' "$dir/app"
}

schema-registry_up() {
  require_java
  local app; app="$(schema_registry_app)" || exit 1
  with_lock schema-registry
  local pid t0; t0=$(now_s)
  pid="$(schema-registry_pid)"
  if [[ -n "$pid" ]] && schema_registry_ready; then
    say "schema-registry: already up (pid $pid) at $(schema_registry_url)"
    release_lock; return 0
  fi
  if [[ -z "$pid" ]]; then
    if port_open "$SCHEMA_REGISTRY_PORT"; then
      release_lock
      die "schema-registry: port $SCHEMA_REGISTRY_PORT is taken by ${MQCTL_PORT_OWNER:-$(port_owner "$SCHEMA_REGISTRY_PORT")} (set MQCTL_SCHEMA_REGISTRY_PORT)"
    fi
    rotate_log schema-registry
    say "schema-registry: starting (log: $(log_file schema-registry))"
    # shellcheck disable=SC2086
    (cd "$(run_dir schema-registry)" && start_detached schema-registry java $SCHEMA_REGISTRY_HEAP_OPTS \
      -Dquarkus.http.host="$MQCTL_HOST" -Dquarkus.http.port="$SCHEMA_REGISTRY_PORT" \
      -Dquarkus.datasource.jdbc.initial-size=1 -Dquarkus.datasource.jdbc.min-size=1 \
      -jar "$app/$SCHEMA_REGISTRY_MAIN")
    pid="$(read_pid "$(pid_file schema-registry)")"
  fi
  local deadline=$(( t0 + SCHEMA_REGISTRY_WAIT_S ))
  until schema_registry_ready; do
    pid_alive "$pid" "$SCHEMA_REGISTRY_MAIN" || fail_start schema-registry "the registry process exited during start-up"
    (( $(now_s) >= deadline )) &&
      fail_start schema-registry "not answering at $(schema_registry_url) after ${SCHEMA_REGISTRY_WAIT_S}s; pid $pid left running"
    sleep 1
  done
  say "schema-registry: up (pid $pid) at $(schema_registry_url), in $(( $(now_s) - t0 ))s; RSS $(rss_mib "$pid") MiB"
  release_lock
}

schema-registry_down() {
  with_lock schema-registry
  local pid; pid="$(schema-registry_pid)"
  if [[ -z "$pid" ]]; then say "schema-registry: already down"
  else
    say "schema-registry: stopping pid $pid"
    stop_pid schema-registry "$pid" "$SCHEMA_REGISTRY_MAIN" 30
    say "schema-registry: down"
  fi
  rm -f "$(pid_file schema-registry)"
  release_lock
}

schema-registry_status() {
  local pid state
  pid="$(schema-registry_pid)"
  if [[ -z "$pid" ]]; then state=down
  elif schema_registry_ready; then state=up
  else state=starting
  fi
  status_line schema-registry "$state" "$(schema_registry_url)" "${pid:--}" "$(log_file schema-registry)"
}

# In-memory storage: a restart is a reset.
schema-registry_reset() {
  local was_up=; [[ -n "$(schema-registry_pid)" ]] && was_up=1
  schema-registry_down
  if [[ -n "$was_up" ]]; then schema-registry_up; fi
}

schema-registry_verify() {
  [[ -n "$(schema-registry_pid)" ]] || die "schema-registry: not running (bash scripts/brokers.sh up schema-registry)"
  schema_registry_ready || die "schema-registry: GET $(schema_registry_url)/subjects did not answer 200"
  echo "schema-registry: $(schema_registry_url) answers"
}
