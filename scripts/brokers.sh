#!/usr/bin/env bash
# Local real brokers for mqctl development and tests, on loopback only.
#
#   bash scripts/brokers.sh up     [kafka|pulsar|rabbitmq ...]   start (no-op when already up) and wait until serving
#   bash scripts/brokers.sh down   [kind ...]                    stop (RabbitMQ: left running, it is the system's)
#   bash scripts/brokers.sh status [kind ...]                    one line per broker: kind state address pid log
#   bash scripts/brokers.sh logs   [-f] [-n N] [kind ...]        last N (100) log lines; -f follows one kind
#   bash scripts/brokers.sh reset  [kind ...]                    stop, wipe data, start again if it was up
#   bash scripts/brokers.sh verify [kind ...]                    deeper self-test (SASL, transactions, WebSocket, ...)
#   bash scripts/brokers.sh token  ROLE                          print a Pulsar token for ROLE (signed with the local secret key)
#   bash scripts/brokers.sh tls                                  create the test CA, certificates and token key (up does it too); print the folder
#
# Local three-node clusters for fault tests (never started by default), kinds kafka-cluster and
# rabbitmq-cluster: up, down, status, logs, reset and verify as above, plus fault helpers:
#   bash scripts/brokers.sh kill    CLUSTER NODE    SIGKILL one node
#   bash scripts/brokers.sh start   CLUSTER NODE    start a stopped node again and wait until it serves
#   bash scripts/brokers.sh restart CLUSTER NODE    kill, then start
#   bash scripts/brokers.sh pause   CLUSTER NODE    SIGSTOP (a hung node); resume sends SIGCONT
#   bash scripts/brokers.sh leader  CLUSTER NODE    print the node number only
# NODE: 1, 2, 3, or by role: leader:TOPIC[:PARTITION] (kafka-cluster, partition leader) or
# leader:QUEUE (rabbitmq-cluster, quorum queue or stream leader, vhost /). Each prints the node number.
#
# No kind = all three single-node brokers. Folders: jars in ${MQCTL_HOME:-~/.cache/mqctl}/jars/<tool>/, data, config,
# pid and log in ${MQCTL_HOME:-~/.cache/mqctl}/run/<kind>/ (log: run/<kind>/<kind>.log).
# Opt-in kind schema-registry (never started by default): a Confluent-compatible schema registry (Apicurio
# Registry, /apis/ccompat/v7 on 127.0.0.1:18081, in-memory) for `mqctl schema` on Kafka: up, down, status, logs,
# reset and verify as above.
# See docs/local-brokers.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
# shellcheck source=lib/tls.sh
source "$here/lib/tls.sh"
# shellcheck source=lib/jars.sh
source "$here/lib/jars.sh"
# shellcheck source=lib/kafka.sh
source "$here/lib/kafka.sh"
# shellcheck source=lib/pulsar.sh
source "$here/lib/pulsar.sh"
# shellcheck source=lib/rabbitmq.sh
source "$here/lib/rabbitmq.sh"
# shellcheck source=lib/kafka-cluster.sh
source "$here/lib/kafka-cluster.sh"
# shellcheck source=lib/rabbitmq-cluster.sh
source "$here/lib/rabbitmq-cluster.sh"
# shellcheck source=lib/schema-registry.sh
source "$here/lib/schema-registry.sh"

ALL_KINDS=(kafka pulsar rabbitmq)

usage() {
  # The header comment of this file, without the '# '.
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

cmd="${1:-}"
[[ -n "$cmd" ]] || { usage >&2; exit 2; }
shift

case "$cmd" in
  token)
    (($# == 1)) && [[ "$1" =~ ^[A-Za-z0-9._@-]+$ ]] || die "usage: brokers.sh token ROLE (letters, digits, . _ @ -)"
    pulsar_token "$1"
    exit 0
    ;;
  tls)
    tls_ensure
    exit 0
    ;;
  kill|start|restart|pause|resume|leader)
    (($# == 2)) || die "usage: brokers.sh $cmd kafka-cluster|rabbitmq-cluster NODE (1, 2, 3 or leader:...)"
    case "$1" in kafka-cluster|rabbitmq-cluster) ;; *) die "$cmd works on kafka-cluster or rabbitmq-cluster, not '$1'" ;; esac
    mkdir -p "$MQCTL_RUN"
    if [[ "$cmd" == leader ]]; then "$1_resolve" "$2"; echo; else "$1_$cmd" "$2"; fi
    exit 0
    ;;
esac

follow=
lines=100
kinds=()
while (($#)); do
  case "$1" in
    kafka|pulsar|rabbitmq|kafka-cluster|rabbitmq-cluster|schema-registry) kinds+=("$1") ;;
    -f|--follow) follow=1 ;;
    -n|--lines) shift; [[ "${1:-}" =~ ^[0-9]+$ ]] || die "-n needs a number"; lines="$1" ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown broker kind '$1' (expected kafka, pulsar, rabbitmq, kafka-cluster, rabbitmq-cluster or schema-registry)" ;;
  esac
  shift
done
((${#kinds[@]})) || kinds=("${ALL_KINDS[@]}")

mkdir -p "$MQCTL_RUN"

case "$cmd" in
  up)
    t0=$(now_s)
    for k in "${kinds[@]}"; do "${k}_up"; done
    if ((${#kinds[@]} > 1)); then say "all up in $(( $(now_s) - t0 ))s"; fi
    ;;
  down)
    for k in "${kinds[@]}"; do "${k}_down"; done
    ;;
  status)
    for k in "${kinds[@]}"; do "${k}_status"; done
    ;;
  reset)
    for k in "${kinds[@]}"; do "${k}_reset"; done
    ;;
  verify)
    for k in "${kinds[@]}"; do
      echo "== $k"
      "${k}_verify"
    done
    ;;
  logs)
    if [[ -n "$follow" ]]; then
      ((${#kinds[@]} == 1)) || die "logs -f follows one kind: name it (kafka, pulsar or rabbitmq)"
      [[ "${kinds[0]}" == *-cluster ]] && die "logs -f follows one node: tail -F \$MQCTL_HOME/run/${kinds[0]}-N/${kinds[0]}-N.log"
      f="$(log_file "${kinds[0]}")"
      if [[ "${kinds[0]}" == rabbitmq ]]; then f="$(rabbitmq_log_path)"; fi
      exec tail -n "$lines" -F "$f"
    fi
    for k in "${kinds[@]}"; do
      files=("$(log_file "$k")")
      if [[ "$k" == rabbitmq ]]; then files=("$(rabbitmq_log_path)"); fi
      if [[ "$k" == kafka-cluster ]]; then files=(); for n in 1 2 3; do files+=("$(log_file "kafka-cluster-$n")"); done; fi
      if [[ "$k" == rabbitmq-cluster ]]; then files=(); for n in 1 2 3; do files+=("$(run_dir "rabbitmq-cluster-$n")/log/mqctl-cluster-$n@localhost.log"); done; fi
      for f in "${files[@]}"; do
        echo "==> $k: $f <=="
        if [[ -f "$f" ]]; then tail -n "$lines" "$f"; else echo "(no log yet)"; fi
      done
    done
    ;;
  -h|--help|help) usage ;;
  *) usage >&2; die "unknown command '$cmd' (expected up, down, status, logs, reset, verify, token, tls, kill, start, restart, pause, resume or leader)" ;;
esac
