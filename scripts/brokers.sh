#!/usr/bin/env bash
# Local real brokers for mqctl development and tests, on loopback only.
#
#   bash scripts/brokers.sh up     [kafka|pulsar|rabbitmq ...]   start (no-op when already up) and wait until serving
#   bash scripts/brokers.sh down   [kind ...]                    stop (RabbitMQ: left running, it is the system's)
#   bash scripts/brokers.sh status [kind ...]                    one line per broker: kind state address pid log
#   bash scripts/brokers.sh logs   [-f] [-n N] [kind ...]        last N (100) log lines; -f follows one kind
#   bash scripts/brokers.sh reset  [kind ...]                    stop, wipe data, start again if it was up
#   bash scripts/brokers.sh verify [kind ...]                    deeper self-test (SASL, transactions, WebSocket, ...)
#
# No kind = all three. Folders: jars in ${MQCTL_HOME:-~/.cache/mqctl}/jars/<tool>/, data, config,
# pid and log in ${MQCTL_HOME:-~/.cache/mqctl}/run/<kind>/ (log: run/<kind>/<kind>.log).
# See docs/local-brokers.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
# shellcheck source=lib/jars.sh
source "$here/lib/jars.sh"
# shellcheck source=lib/kafka.sh
source "$here/lib/kafka.sh"
# shellcheck source=lib/pulsar.sh
source "$here/lib/pulsar.sh"
# shellcheck source=lib/rabbitmq.sh
source "$here/lib/rabbitmq.sh"

ALL_KINDS=(kafka pulsar rabbitmq)

usage() {
  sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

cmd="${1:-}"
[[ -n "$cmd" ]] || { usage >&2; exit 2; }
shift

follow=
lines=100
kinds=()
while (($#)); do
  case "$1" in
    kafka|pulsar|rabbitmq) kinds+=("$1") ;;
    -f|--follow) follow=1 ;;
    -n|--lines) shift; [[ "${1:-}" =~ ^[0-9]+$ ]] || die "-n needs a number"; lines="$1" ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown broker kind '$1' (expected kafka, pulsar or rabbitmq)" ;;
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
      f="$(log_file "${kinds[0]}")"
      if [[ "${kinds[0]}" == rabbitmq ]]; then f="$(rabbitmq_log_path)"; fi
      exec tail -n "$lines" -F "$f"
    fi
    for k in "${kinds[@]}"; do
      f="$(log_file "$k")"
      if [[ "$k" == rabbitmq ]]; then f="$(rabbitmq_log_path)"; fi
      echo "==> $k: $f <=="
      if [[ -f "$f" ]]; then tail -n "$lines" "$f"; else echo "(no log yet)"; fi
    done
    ;;
  -h|--help|help) usage ;;
  *) usage >&2; die "unknown command '$cmd' (expected up, down, status, logs, reset or verify)" ;;
esac
