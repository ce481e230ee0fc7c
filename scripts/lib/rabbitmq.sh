# shellcheck shell=bash
# RabbitMQ: the machine's own server (Debian package, node rabbit@localhost, AMQP on 127.0.0.1:5672,
# guest/guest). RabbitMQ is Erlang, not on Maven Central, so this script does not install its own:
# `up` starts the system server if it is not running and enables the management plugin (HTTP API on
# 127.0.0.1:15672); `down` leaves it running, because it is shared with everything else on the machine.

RABBITMQ_PORT=5672
RABBITMQ_HTTP_PORT=15672
RABBITMQ_USER=guest
RABBITMQ_PASSWORD=guest
RABBITMQ_WAIT_S="${MQCTL_RABBITMQ_WAIT_S:-90}"
RABBITMQ_URL="http://$MQCTL_HOST:$RABBITMQ_HTTP_PORT"
RABBITMQ_CONF_D=/etc/rabbitmq/conf.d
RABBITMQ_MGMT_CONF="$RABBITMQ_CONF_D/90-mqctl-management.conf"
# TLS: AMQPS on 5671 and HTTPS management on 15671, with the certificates of scripts/lib/tls.sh copied where
# the rabbitmq user can read them. RabbitMQ reads its configuration at boot: a node running without them is
# restarted once by `up` (root only), which says so.
RABBITMQ_TLS_PORT=5671
RABBITMQ_HTTPS_PORT=15671
RABBITMQ_TLS_CONF="$RABBITMQ_CONF_D/91-mqctl-tls.conf"
RABBITMQ_TLS_DIR=/etc/rabbitmq/mqctl-tls

rabbitmq_log_path() {
  local f
  f="$(ls -t /var/log/rabbitmq/rabbit@*.log 2>/dev/null | grep -v _upgrade | head -n1)"
  printf '%s' "${f:-/var/log/rabbitmq/rabbit@localhost.log}"
}

rabbitmq_pid() { port_owner "$RABBITMQ_PORT" | cut -d/ -f1; }

rabbitmq_api_ok() {
  [[ "$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" \
        "$RABBITMQ_URL/api/overview" 2>/dev/null)" == 200 ]]
}

rabbitmq_node_ok() { timeout 30 rabbitmq-diagnostics -q ping >/dev/null 2>&1; }

rabbitmq_require() {
  command -v rabbitmq-server >/dev/null 2>&1 && command -v rabbitmqctl >/dev/null 2>&1 ||
    die "rabbitmq-server not found: install it (Debian/Ubuntu: apt-get install rabbitmq-server), or use 'docker compose up rabbitmq'"
  require_cmd curl curl
}

# The management listener binds every interface unless told otherwise. Bind it to loopback both for
# the running node (application env, set before the plugin starts) and for later restarts (conf.d).
rabbitmq_bind_management_to_loopback() {
  if [[ -d /etc/rabbitmq && -w /etc/rabbitmq && ! -f "$RABBITMQ_MGMT_CONF" ]]; then
    mkdir -p "$RABBITMQ_CONF_D"
    printf '%s\n' "# written by mqctl scripts/brokers.sh: management HTTP API on loopback only" \
      "management.tcp.ip = $MQCTL_HOST" "management.tcp.port = $RABBITMQ_HTTP_PORT" >"$RABBITMQ_MGMT_CONF"
    chmod 644 "$RABBITMQ_MGMT_CONF"
  fi
  timeout 30 rabbitmqctl -q eval \
    "application:set_env(rabbitmq_management, tcp_config, [{ip, \"$MQCTL_HOST\"}, {port, $RABBITMQ_HTTP_PORT}])." >/dev/null 2>&1 || true
}

# rabbitmq_configure_tls: certificates and conf.d file in place (root only); true when they changed.
rabbitmq_configure_tls() {
  [[ -d /etc/rabbitmq && -w /etc/rabbitmq ]] || return 1
  tls_ensure >/dev/null
  local changed=1 f
  mkdir -p "$RABBITMQ_TLS_DIR"
  for f in ca.pem server.pem server.key; do
    if ! cmp -s "$MQCTL_TLS/$f" "$RABBITMQ_TLS_DIR/$f"; then cp "$MQCTL_TLS/$f" "$RABBITMQ_TLS_DIR/$f"; changed=0; fi
  done
  chown -R rabbitmq:rabbitmq "$RABBITMQ_TLS_DIR" 2>/dev/null || true
  chmod 750 "$RABBITMQ_TLS_DIR"; chmod 640 "$RABBITMQ_TLS_DIR"/*
  local conf
  conf="$(printf '%s\n' "# written by mqctl scripts/brokers.sh: AMQPS and HTTPS management on loopback (test certificates)" \
    "listeners.ssl.default = $MQCTL_HOST:$RABBITMQ_TLS_PORT" \
    "ssl_options.cacertfile = $RABBITMQ_TLS_DIR/ca.pem" \
    "ssl_options.certfile = $RABBITMQ_TLS_DIR/server.pem" \
    "ssl_options.keyfile = $RABBITMQ_TLS_DIR/server.key" \
    "ssl_options.verify = verify_peer" \
    "ssl_options.fail_if_no_peer_cert = false" \
    "management.ssl.ip = $MQCTL_HOST" \
    "management.ssl.port = $RABBITMQ_HTTPS_PORT" \
    "management.ssl.cacertfile = $RABBITMQ_TLS_DIR/ca.pem" \
    "management.ssl.certfile = $RABBITMQ_TLS_DIR/server.pem" \
    "management.ssl.keyfile = $RABBITMQ_TLS_DIR/server.key")"
  if [[ "$(cat "$RABBITMQ_TLS_CONF" 2>/dev/null)" != "$conf" ]]; then
    mkdir -p "$RABBITMQ_CONF_D"
    printf '%s\n' "$conf" >"$RABBITMQ_TLS_CONF"
    chmod 644 "$RABBITMQ_TLS_CONF"
    changed=0
  fi
  return "$changed"
}

rabbitmq_up() {
  rabbitmq_require
  with_lock rabbitmq
  local t0 deadline; t0=$(now_s)
  if [[ "$(id -u)" == 0 ]] && { rabbitmq_configure_tls || ! port_open "$RABBITMQ_TLS_PORT"; } && rabbitmq_node_ok; then
    say "rabbitmq: restarting the node once to load its TLS listeners ($RABBITMQ_TLS_CONF)"
    timeout 120 rabbitmqctl -q stop >/dev/null 2>&1 || true
  fi
  if rabbitmq_api_ok; then
    say "rabbitmq: already up (pid $(rabbitmq_pid)) on amqp://$MQCTL_HOST:$RABBITMQ_PORT, management $RABBITMQ_URL"
    release_lock; return 0
  fi
  if ! rabbitmq_node_ok; then
    [[ "$(id -u)" == 0 ]] ||
      die "rabbitmq: the system RabbitMQ is not running and starting it needs root (sudo rabbitmq-server -detached)"
    say "rabbitmq: starting the system server (rabbitmq-server -detached)"
    # Closing our lock descriptor: the daemon must not inherit (and hold) it.
    rabbitmq-server -detached >/dev/null 2>&1 {MQCTL_LOCK_FD}>&- || true
    deadline=$(( t0 + RABBITMQ_WAIT_S ))
    until rabbitmq_node_ok; do
      (( $(now_s) >= deadline )) && fail_start rabbitmq "the node did not answer ping after ${RABBITMQ_WAIT_S}s"
      sleep 2
    done
    timeout 60 rabbitmqctl -q await_startup >/dev/null 2>&1 || true
  fi
  if ! timeout 30 rabbitmq-plugins -q list -e -m 2>/dev/null | grep -qx rabbitmq_management; then
    rabbitmq_bind_management_to_loopback
    say "rabbitmq: enabling the management plugin (HTTP API on $MQCTL_HOST:$RABBITMQ_HTTP_PORT)"
    timeout 120 rabbitmq-plugins enable rabbitmq_management >/dev/null 2>&1 ||
      fail_start rabbitmq "rabbitmq-plugins enable rabbitmq_management failed"
  fi
  deadline=$(( $(now_s) + RABBITMQ_WAIT_S ))
  until rabbitmq_api_ok; do
    (( $(now_s) >= deadline )) && fail_start rabbitmq "management API $RABBITMQ_URL/api/overview did not return 200 after ${RABBITMQ_WAIT_S}s"
    sleep 1
  done
  port_open "$RABBITMQ_PORT" || fail_start rabbitmq "nothing listens on AMQP $MQCTL_HOST:$RABBITMQ_PORT"
  if [[ -f "$RABBITMQ_TLS_CONF" ]]; then
    deadline=$(( $(now_s) + 30 ))
    until port_open "$RABBITMQ_TLS_PORT" && port_open "$RABBITMQ_HTTPS_PORT"; do
      (( $(now_s) >= deadline )) && fail_start rabbitmq "no TLS listener on $MQCTL_HOST:$RABBITMQ_TLS_PORT / $RABBITMQ_HTTPS_PORT ($RABBITMQ_TLS_CONF; rabbitmq-diagnostics listeners)"
      sleep 1
    done
  fi
  say "rabbitmq: up (pid $(rabbitmq_pid)) on amqp://$MQCTL_HOST:$RABBITMQ_PORT, management $RABBITMQ_URL, amqps :$RABBITMQ_TLS_PORT, https management :$RABBITMQ_HTTPS_PORT, in $(( $(now_s) - t0 ))s"
  release_lock
}

rabbitmq_down() {
  say "rabbitmq: left running: it is the machine's own RabbitMQ (Debian package), shared with other users; stop it yourself with 'rabbitmqctl stop' if you really mean to"
}

rabbitmq_status() {
  local state pid
  pid="$(rabbitmq_pid)"
  if rabbitmq_api_ok; then state=up
  elif port_open "$RABBITMQ_PORT"; then state=up-no-mgmt
  else state=down
  fi
  status_line rabbitmq "$state" "amqp://$MQCTL_HOST:$RABBITMQ_PORT $RABBITMQ_URL" "${pid:--}" "$(rabbitmq_log_path)"
}

# rabbitmq_reset: `rabbitmqctl reset` wipes every queue, exchange, vhost and user of the node; the
# default guest user and vhost / come back when the app starts again.
rabbitmq_reset() {
  rabbitmq_require
  rabbitmq_node_ok || die "rabbitmq: not running (bash scripts/brokers.sh up rabbitmq)"
  with_lock rabbitmq
  say "rabbitmq: wiping all queues, exchanges, vhosts and users (rabbitmqctl stop_app; reset; start_app)"
  timeout 60 rabbitmqctl -q stop_app >/dev/null && timeout 60 rabbitmqctl -q reset >/dev/null &&
    timeout 60 rabbitmqctl -q start_app >/dev/null || fail_start rabbitmq "rabbitmqctl reset failed"
  release_lock
  rabbitmq_up
}

# rabbitmq_verify: declare a queue, publish, get and delete it through the management HTTP API.
rabbitmq_verify() {
  rabbitmq_api_ok || die "rabbitmq: management API not answering at $RABBITMQ_URL (bash scripts/brokers.sh up rabbitmq)"
  local q=mqctl-selftest api="$RABBITMQ_URL/api" auth="$RABBITMQ_USER:$RABBITMQ_PASSWORD" out
  curl -fsS --max-time 10 -u "$auth" -X PUT -H 'content-type: application/json' \
    -d '{"durable":false,"auto_delete":false}' "$api/queues/%2F/$q" >/dev/null || die "rabbitmq: declaring $q failed"
  out="$(curl -fsS --max-time 10 -u "$auth" -X POST -H 'content-type: application/json' \
    -d "{\"properties\":{},\"routing_key\":\"$q\",\"payload\":\"hello\",\"payload_encoding\":\"string\"}" \
    "$api/exchanges/%2F/amq.default/publish")" || die "rabbitmq: publish failed"
  [[ "$out" == *'"routed":true'* ]] || die "rabbitmq: publish not routed: $out"
  out="$(curl -fsS --max-time 10 -u "$auth" -X POST -H 'content-type: application/json' \
    -d '{"count":1,"ackmode":"ack_requeue_false","encoding":"auto"}' "$api/queues/%2F/$q/get")" || die "rabbitmq: get failed"
  [[ "$out" == *'"payload":"hello"'* ]] || die "rabbitmq: get returned $out"
  curl -fsS --max-time 10 -u "$auth" -X DELETE "$api/queues/%2F/$q" >/dev/null || true
  echo "management API $RABBITMQ_URL: declare, publish (routed), get and delete of queue $q ok"
  port_open "$RABBITMQ_PORT" && echo "amqp $MQCTL_HOST:$RABBITMQ_PORT: accepting connections"
}
