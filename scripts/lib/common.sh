# shellcheck shell=bash
# Shared helpers for scripts/brokers.sh and scripts/reftools.sh. Sourced, never executed.
#
# Folders (all outside the repository):
#   $MQCTL_HOME/jars/<tool>/   jars copied from Maven Central (see scripts/lib/jars.sh)
#   $MQCTL_HOME/run/<kind>/    data, generated config, <kind>.pid and <kind>.log of a local broker
# MQCTL_HOME defaults to ~/.cache/mqctl.

MQCTL_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MQCTL_HOME="${MQCTL_HOME:-$HOME/.cache/mqctl}"
MQCTL_JARS="$MQCTL_HOME/jars"
MQCTL_RUN="$MQCTL_HOME/run"

# Only loopback: every broker binds and advertises this address.
MQCTL_HOST=127.0.0.1

say()  { printf '%s\n' "$*" >&2; }
# die prints one clear line on stderr and exits non-zero.
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

run_dir()  { printf '%s/%s' "$MQCTL_RUN" "$1"; }
log_file() { printf '%s/%s/%s.log' "$MQCTL_RUN" "$1" "$1"; }
pid_file() { printf '%s/%s/%s.pid' "$MQCTL_RUN" "$1" "$1"; }

now_s() { date +%s; }

# require_java: Kafka 4.x and Pulsar 4.x both need Java 17 or newer.
require_java() {
  command -v java >/dev/null 2>&1 ||
    die "java not found: install a JDK 17+ (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless)"
  local v major
  v="$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  major="${v%%.*}"
  [[ "$major" == 1 ]] && major="$(cut -d. -f2 <<<"$v")"
  [[ "$major" =~ ^[0-9]+$ && "$major" -ge 17 ]] ||
    die "java $v is too old: Kafka 4.x and Pulsar 4.x need Java 17+ (apt-get install openjdk-17-jdk-headless)"
}

require_mvn() {
  command -v mvn >/dev/null 2>&1 ||
    die "mvn not found: install Apache Maven 3.8+ to fetch the broker jars (Debian/Ubuntu: apt-get install maven)"
}

require_cmd() { # require_cmd NAME PACKAGE
  command -v "$1" >/dev/null 2>&1 || die "$1 not found: install it (Debian/Ubuntu: apt-get install $2)"
}

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$MQCTL_HOST/$1" 2>/dev/null
}

# port_owner PORT: "pid/name" of the process listening on PORT, if ss can tell.
port_owner() {
  ss -ltnpH "sport = :$1" 2>/dev/null |
    sed -nE 's/.*users:\(\("([^"]+)",pid=([0-9]+).*/\2\/\1/p' | head -n1
}

# pid_alive PID PATTERN: PID exists and its command line contains PATTERN (guards against pid reuse).
pid_alive() {
  local pid="$1" pattern="$2"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

read_pid() { if [[ -f "$1" ]]; then tr -dc '0-9' <"$1"; fi; }

# tail_log KIND [N]: the last N (40) lines of a broker log, on stderr.
tail_log() {
  local f n="${2:-40}"
  f="$(log_file "$1")"
  [[ "$1" == rabbitmq ]] && f="$(rabbitmq_log_path)"
  if [[ -f "$f" ]]; then
    say "----- last $n lines of $f -----"
    tail -n "$n" "$f" >&2
    say "-----"
  else
    say "(no log file at $f)"
  fi
}

# start_detached KIND PATTERN CMD...: start CMD in its own session (so Ctrl-C or the end of the
# calling shell does not stop it), stdout+stderr appended to the kind's log, pid in the kind's pid file.
start_detached() {
  local kind="$1"; shift
  local log pidf
  log="$(log_file "$kind")"; pidf="$(pid_file "$kind")"
  rm -f "$pidf"
  # The inner shell writes its own pid and then execs the JVM, so the pid is the JVM's.
  # The broker must not inherit the kind's lock descriptor, or the lock would live as long as the broker.
  if [[ -n "${MQCTL_LOCK_FD:-}" ]]; then
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidf" "$@" </dev/null >>"$log" 2>&1 {MQCTL_LOCK_FD}>&- &
  else
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidf" "$@" </dev/null >>"$log" 2>&1 &
  fi
  local i
  for i in $(seq 1 50); do [[ -s "$pidf" ]] && return 0; sleep 0.1; done
  die "$kind: the process did not start (no pid file $pidf)"
}

# rotate_log KIND: keep one previous log as <kind>.log.1.
rotate_log() {
  local f; f="$(log_file "$1")"
  if [[ -f "$f" ]]; then mv -f "$f" "$f.1"; fi
  : >"$f"
}

# stop_pid KIND PID PATTERN SECONDS: SIGTERM, wait up to SECONDS, then SIGKILL.
stop_pid() {
  local kind="$1" pid="$2" pattern="$3" grace="$4" deadline
  pid_alive "$pid" "$pattern" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$(( $(now_s) + grace ))
  while pid_alive "$pid" "$pattern"; do
    if (( $(now_s) >= deadline )); then
      say "$kind: still running after ${grace}s, sending SIGKILL to pid $pid"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.5
  done
}

# with_lock KIND: serialise up/down/reset of one kind (parallel npm scripts, two terminals).
with_lock() {
  local kind="$1"
  mkdir -p "$(run_dir "$kind")"
  exec {MQCTL_LOCK_FD}>"$(run_dir "$kind")/.lock"
  flock -w 300 "$MQCTL_LOCK_FD" || die "$kind: another brokers.sh is busy with $kind for 300s (lock $(run_dir "$kind")/.lock)"
}
release_lock() {
  if [[ -n "${MQCTL_LOCK_FD:-}" ]]; then exec {MQCTL_LOCK_FD}>&-; fi
  MQCTL_LOCK_FD=
}

# fail_start KIND WHAT: print the log tail and exit with one clear line.
fail_start() {
  tail_log "$1" 40
  die "$1: $2 (full log: $( [[ "$1" == rabbitmq ]] && rabbitmq_log_path || log_file "$1"))"
}

# render TEMPLATE OUT KEY=VALUE...: copy TEMPLATE to OUT replacing @KEY@ with VALUE.
render() {
  local tpl="$1" out="$2"; shift 2
  local content kv
  content="$(<"$tpl")"
  for kv in "$@"; do
    content="${content//@${kv%%=*}@/${kv#*=}}"
  done
  printf '%s\n' "$content" >"$out"
}

# rss_mib PID: resident set size in MiB.
rss_mib() {
  awk '/^VmRSS:/ {printf "%d", $2/1024}' "/proc/$1/status" 2>/dev/null
}

# status_line KIND STATE ADDRESS PID LOG: the one line per broker that `brokers.sh status` prints.
status_line() {
  printf '%-9s %-11s %-58s pid %-8s log %s\n' "$1" "$2" "$3" "$4" "$5"
}
