# shellcheck shell=bash
# bench/lib.sh - what the bench/ scripts share: the servers they start (each stopped by PID on exit), free
# ports, readiness checks, and redis-benchmark output turned into one result line.
#
# Source it from a script that has `set -euo pipefail`. It sets ROOT (the checkout), WORK (a fresh
# mktemp -d, removed on exit), RES (the result lines the SUMMARY is made of), JAVA_HOME, TANDEM_JAR and
# JVM_OPTS (bin/jvm-options: the options bin/tandem gives every node), and traps EXIT to stop every
# process started through start_redis / start_tandem. A script with its own EXIT work calls
# lib_cleanup from its trap.
#
# Tandem nodes run as `java <JVM_OPTS> -jar tandem.jar node ...`, not through bin/tandem: bin/tandem
# builds with `mvn install` when sources changed, which writes the shared ~/.m2. ensure_jar builds with
# `mvn package` into this checkout only.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
RES="$WORK/results.txt"
: > "$RES"
JAVA_HOME="$("$ROOT/bin/find-java")"
export JAVA_HOME
TANDEM_JAR="${TANDEM_JAR:-$ROOT/tandem-cli/target/tandem.jar}" # another build: TANDEM_JAR=/path/to/tandem.jar
# shellcheck source=../bin/jvm-options
source "$ROOT/bin/jvm-options"
PIDS=()
LAST_PID=""
# Optional CPU pinning of the servers (taskset -c LIST), e.g. SERVER_CPUS=0 to keep them off the
# load generator's core; empty = the scheduler decides.
SERVER_CPUS="${SERVER_CPUS:-}"

# Stops every process still in PIDS: SIGTERM, up to 10 s to exit (a node syncs its log), then SIGKILL.
# KEEP_WORK=1 keeps WORK (data directories, server logs) for a look afterwards.
lib_cleanup() {
  local pid
  # SIGCONT too: a process a script stopped (SIGSTOP) acts on SIGTERM only once it runs again.
  for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && { kill "$pid"; kill -CONT "$pid"; } 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [[ -n "$pid" ]] && wait_exit "$pid" 10; done
  PIDS=()
  if [[ "${KEEP_WORK:-0}" == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap lib_cleanup EXIT
trap 'exit 130' INT TERM   # so that Ctrl-C or a kill still runs the EXIT trap

# Waits up to SECONDS for PID to exit, then kills it with SIGKILL; reaps it if it is our child.
wait_exit() { # pid seconds
  local pid="$1" i
  for ((i = 0; i < $2 * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "process $pid did not stop within $2 s; killing it" >&2
    kill -9 "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

forget_pid() { # pid: drop it from PIDS
  local keep=() p
  for p in "${PIDS[@]:-}"; do [[ -n "$p" && "$p" != "$1" ]] && keep+=("$p"); done
  PIDS=("${keep[@]:-}")
}

stop_pid() { # pid [signal]: stops one process we started and forgets it
  kill "-${2:-TERM}" "$1" 2>/dev/null || true
  kill -CONT "$1" 2>/dev/null || true # if it was stopped (SIGSTOP), so that it acts on the signal
  wait_exit "$1" 10
  forget_pid "$1"
}

stop_last() { stop_pid "${PIDS[-1]}"; }

# Builds tandem.jar (mvn package, offline, tests skipped) when it is missing or older than a source file, then
# its AOT cache (ensure_aot).
ensure_jar() {
  if [[ ! -f "$TANDEM_JAR" || -n "$(find "$ROOT" -path "$ROOT/.git" -prune -o \( -name '*.java' -path '*/src/main/*' \
      -o -name pom.xml \) -newer "$TANDEM_JAR" -print -quit)" ]]; then
    echo "building $TANDEM_JAR (mvn -o -DskipTests package)..." >&2
    (cd "$ROOT" && timeout 600 mvn -B -q -o -DskipTests package) >&2
  fi
  ensure_aot
}

# Records the jar's AOT cache (bin/jvm-options, `tandem aot`) if this JDK takes one (25+) and it is missing or
# older than the jar, then adds it to JVM_OPTS, so the nodes run as bin/tandem runs them. TANDEM_AOT=0: without it
# (to measure what it is worth). ensure_jar calls it.
ensure_aot() {
  local option
  [[ "${TANDEM_AOT:-1}" == 0 ]] && return 0
  (( ${jdk_major:-0} >= 25 )) || return 0
  if [[ -z "$(aot_cache_option "$TANDEM_JAR")" ]]; then
    echo "recording the AOT cache $(aot_cache "$TANDEM_JAR") (tandem aot, about 15 s)..." >&2
    timeout 600 "$JAVA_HOME/bin/java" "${JVM_OPTS[@]}" -jar "$TANDEM_JAR" aot --out "$(aot_cache "$TANDEM_JAR")" >&2
  fi
  option="$(aot_cache_option "$TANDEM_JAR")"
  [[ -n "$option" ]] && JVM_OPTS+=("$option")
}

free_port() { free_ports 1; }

# N distinct ports free right now (all bound at once, then released).
free_ports() { # n
  python3 -c '
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
require_free() { # ports...: refuses to go on if one is taken (someone else's server)
  local p
  for p in "$@"; do
    if port_busy "$p"; then echo "port $p is already in use; refusing to start on it" >&2; exit 1; fi
  done
}

wait_ping() { # port [seconds=30]
  local i
  for ((i = 0; i < ${2:-30} * 10; i++)); do
    redis-cli -p "$1" PING 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  echo "no PONG on port $1 within ${2:-30} s" >&2; return 1
}

# One INFO field (e.g. info_field 7000 replication master_repl_offset); empty when absent.
info_field() { # port section field
  timeout 10 redis-cli -p "$1" INFO "$2" 2>/dev/null | tr -d '\r' | awk -F: -v f="$3" '$1 == f {print $2}'
}

# Waits until the primary/leader on PORT lists N replicas as state=online (Redis's field; Tandem uses it too).
wait_replicas() { # port n [seconds=30]
  local i
  for ((i = 0; i < ${3:-30} * 10; i++)); do
    if [[ "$(timeout 10 redis-cli -p "$1" INFO replication 2>/dev/null | tr -d '\r' | grep -c 'state=online')" -ge "$2" ]]; then
      return 0
    fi
    sleep 0.1
  done
  echo "port $1: fewer than $2 replicas online within ${3:-30} s" >&2; return 1
}

pinned() { # command...: runs it under taskset when SERVER_CPUS is set
  if [[ -n "$SERVER_CPUS" ]]; then exec taskset -c "$SERVER_CPUS" "$@"; else exec "$@"; fi
}

# Starts redis-server in the foreground of a background job (so $! is its PID) and returns at once;
# sets LAST_PID.
spawn_redis() { # port dir [redis-server args...]
  local port="$1" dir="$2"; shift 2
  mkdir -p "$dir"
  require_free "$port"
  (pinned redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --logfile "$dir/redis.log" "$@") &
  LAST_PID=$!; PIDS+=("$LAST_PID")
}

start_redis() { # port dir [redis-server args...]: spawn_redis, then wait until it answers PING
  spawn_redis "$@"
  wait_ping "$1"
}

# Starts one Tandem node and returns at once; sets LAST_PID. Its output goes to DIR.log (appended).
# Extra flags: `tandem node --help`. The node is the JVM itself (exec all the way down), so LAST_PID is
# the JVM's PID.
spawn_tandem() { # port dir [tandem node flags...]
  local port="$1" dir="$2"; shift 2
  mkdir -p "$dir"
  require_free "$port"
  # shellcheck disable=SC2086  # TANDEM_JAVA_OPTS is a list of options, as in bin/tandem
  (pinned "$JAVA_HOME/bin/java" "${JVM_OPTS[@]}" ${TANDEM_JAVA_OPTS:-} -jar "$TANDEM_JAR" node --port "$port" \
    --data-dir "$dir" "$@" >> "$dir.log" 2>&1) &
  LAST_PID=$!; PIDS+=("$LAST_PID")
}

start_tandem() { # port dir [tandem node flags...]: spawn_tandem, then wait until it answers PING
  spawn_tandem "$@"
  wait_ping "$1" 60
}

# redis-benchmark, one result line per test in RES: "LABEL TEST ops/s=N p50_ms=X p99_ms=Y".
# BENCH_TESTS (default set,get,incr,hset) and BENCH_CONNS (default 50) change -t and -c.
bench() { # label port [redis-benchmark args, after -c 50 -n $N -d 100 -t set,get,incr,hset --csv]
  local label="$1" port="$2"; shift 2
  timeout "${BENCH_TIMEOUT:-300}" redis-benchmark -p "$port" -c "${BENCH_CONNS:-50}" -n "$N" -d 100 \
    -t "${BENCH_TESTS:-set,get,incr,hset}" --csv "$@" \
    | tail -n +2 | tr -d '"' | while IFS=, read -r t rps _ _ p50 _ p99 _; do
      printf "%-34s %-5s ops/s=%10s p50_ms=%s p99_ms=%s\n" "$label" "$t" "$rps" "$p50" "$p99" | tee -a "$RES"
    done
}

# CPU time (user+system, clock ticks) of a process; 0 once it is gone.
cpu_ticks() { # pid
  awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}

# Busy and total clock ticks of the whole machine (every process, ours and anyone else's).
machine_ticks() {
  awk '/^cpu / {busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6}' /proc/stat
}
