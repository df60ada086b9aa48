#!/usr/bin/env bash
# bench/cpu-per-set.sh - server CPU microseconds per SET (redis-benchmark -c 50 -d 100 -t set), on a lone
# node and on a leader with two followers under --ack-policy async.
#
# On a 2-core machine shared with other work, ops/s says more about the neighbours than about Tandem;
# CPU time per operation (utime + stime of each server JVM from /proc/PID/stat, before and after a run,
# divided by the requests) does not depend on how long the process waited for a core. It still moves
# with the neighbours' load (caches, wake-ups: mostly the sys part), so to compare two builds give both:
# JARS="a.jar b.jar" starts one set-up per jar, warms each, then alternates their measured runs
# (a, b, a, b, ...), so both see the same load.
#
# Each set-up is warmed first (WARM runs of N SETs: the JIT compiles the hot path), then measured REPS
# times; one line per run, with each node's CPU per SET (user and sys apart). Knobs (environment):
# MODES ("lone async"; also semi-sync (semi-sync 1), quorum, all: the replica set under that policy;
# redis: a Redis primary with two replicas, no persistence, measured the same way for reference),
# N (200000), WARM (3), REPS (3), CONNS (50), FSYNC (never, as compare-replication.sh), ACK_LEVEL
# (applied), JARS (default: this checkout's tandem.jar, built if stale), JFR=1 records a profile of the
# lone node / leader during the measured runs into $JFR_DIR (default /tmp; JFR_NODES="1 2" profiles the
# leader and the first follower, one file per node), ELECTION_TIMEOUT (0: failover by hand),
# TANDEM_JAVA_OPTS extra JVM options.
# STRACE=1 adds one more run per set-up with `strace -c -f` attached to every node, and prints each node's
# system calls per SET by name (strace slows the nodes down: that run's ops/s and CPU mean nothing).
# PERF=1 adds one more run with `perf record` on every node and prints each node's top symbols (kernel
# symbols by name; JIT-compiled Java shows as unresolved addresses, which JFR=1 breaks down instead).
# PERF_ARGS adds options to `perf record` (`-g` for call graphs: the report then shows each symbol's callers).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [[ -z "${JARS:-}" ]]; then ensure_jar; JARS="$TANDEM_JAR"; fi
read -r -a JAR_LIST <<<"$JARS"
MODES="${MODES:-lone async}"; N="${N:-200000}"; WARM="${WARM:-3}"; REPS="${REPS:-3}"; CONNS="${CONNS:-50}"
FSYNC="${FSYNC:-never}"; ACK_LEVEL="${ACK_LEVEL:-applied}"; JFR="${JFR:-0}"; JFR_DIR="${JFR_DIR:-/tmp}"
JFR_NODES="${JFR_NODES:-1}"
# Elections off by default: with six JVMs on two busy cores a leader that misses heartbeats loses its
# term, and the run fails on READONLY; a CPU figure needs the leader to stay put.
ELECTION_TIMEOUT="${ELECTION_TIMEOUT:-0}"
TCK="$(getconf CLK_TCK)"

# utime and stime (clock ticks) of a process: what it ran itself, and what the kernel ran for it (here mostly
# loopback TCP, which the same syscalls cost Redis too).
ticks_split() { awk '{print $14, $15}' "/proc/$1/stat" 2>/dev/null || echo 0 0; }

run_set() { # port
  timeout 300 redis-benchmark -p "$1" -c "$CONNS" -n "$N" -d 100 -t set -q | tr '\r' '\n' | grep -v '^$' | tail -1
}

# Stops tools attached to the nodes (strace, perf record) with SIGINT, so that they write their reports.
interrupt_all() { # pids...
  local t
  for t in "$@"; do kill -INT "$t" 2>/dev/null || true; done
  for t in "$@"; do wait "$t" 2>/dev/null || true; done
}

# One measured run on PORT; prints LABEL, ops/s and each node's CPU per SET.
measure_once() { # label run port pids...
  local label="$1" r="$2" port="$3"; shift 3
  local pids=("$@") i before=() after out line
  before=(); for i in "${pids[@]}"; do before+=("$(ticks_split "$i")"); done
  out="$(run_set "$port")"
  line="$label run=$r $(awk '{print $2}' <<<"$out") ops/s"
  for ((i = 0; i < ${#pids[@]}; i++)); do
    after="$(ticks_split "${pids[i]}")"
    line+="$(awk -v a="$after" -v b="${before[i]}" -v n="$N" -v t="$TCK" -v k="$i" \
      'BEGIN { split(a, x, " "); split(b, y, " "); u = (x[1] - y[1]) * 1e6 / t / n; s = (x[2] - y[2]) * 1e6 / t / n
               printf "  node%d_us_per_set=%.1f (user %.1f sys %.1f)", k + 1, u + s, u, s }')"
  done
  echo "$line" | tee -a "$RES"
}

# Starts the MODE set-up with JAR under DIR; sets SETUP_PORT (the lone node's or leader's client port) and
# SETUP_PIDS (that node first).
start_setup() { # mode jar dir
  local mode="$1" dir="$3" i j ports peers args
  TANDEM_JAR="$2"; SETUP_PIDS=()
  case "$mode" in
    lone)
      SETUP_PORT="$(free_port)"
      start_tandem "$SETUP_PORT" "$dir/lone" --admin-port -1 --fsync "$FSYNC"
      SETUP_PIDS=("$LAST_PID") ;;
    async|semi-sync|quorum|all)
      local policy="$mode"; [[ "$mode" == semi-sync ]] && policy="semi-sync 1"
      read -r -a ports <<<"$(free_ports 6)"
      for i in 0 1 2; do
        peers=(); for j in 0 1 2; do [[ "$j" != "$i" ]] && peers+=("n$((j + 1))=127.0.0.1:${ports[j + 3]}"); done
        args=(--node-id "n$((i + 1))" --peer-port "${ports[i + 3]}" --peers "$(IFS=,; echo "${peers[*]}")"
              --fsync "$FSYNC" --ack-policy "$policy" --ack-level "$ACK_LEVEL" --admin-port -1
              --snapshot-after-log-bytes 0 --election-timeout-millis "$ELECTION_TIMEOUT")
        (( i > 0 )) && args+=(--replica-of n1)
        start_tandem "${ports[i]}" "$dir/n$((i + 1))" "${args[@]}"
        SETUP_PIDS+=("$LAST_PID")
      done
      SETUP_PORT="${ports[0]}"
      wait_replicas "$SETUP_PORT" 2 ;;
    redis)
      read -r -a ports <<<"$(free_ports 3)"
      start_redis "${ports[0]}" "$dir/p" --save "" --appendonly no
      SETUP_PIDS=("$LAST_PID")
      for i in 1 2; do
        start_redis "${ports[i]}" "$dir/r$i" --save "" --appendonly no --replicaof 127.0.0.1 "${ports[0]}"
        SETUP_PIDS+=("$LAST_PID")
      done
      SETUP_PORT="${ports[0]}"
      wait_replicas "$SETUP_PORT" 2 ;;
    *) echo "unknown mode $mode (lone, async, semi-sync, quorum, all, redis)" >&2; exit 2 ;;
  esac
}

for mode in $MODES; do
  PORTS=(); PIDS_OF=()
  for ((k = 0; k < ${#JAR_LIST[@]}; k++)); do
    start_setup "$mode" "${JAR_LIST[k]}" "$WORK/$mode-$k"
    PORTS+=("$SETUP_PORT"); PIDS_OF+=("${SETUP_PIDS[*]}")
  done
  for ((k = 0; k < ${#JAR_LIST[@]}; k++)); do
    for ((i = 0; i < WARM; i++)); do run_set "${PORTS[k]}" >/dev/null; done
  done
  if [[ "$JFR" == 1 ]]; then
    for ((k = 0; k < ${#JAR_LIST[@]}; k++)); do
      read -r -a pids <<<"${PIDS_OF[k]}"
      for n in $JFR_NODES; do
        (( n <= ${#pids[@]} )) || continue
        "$JAVA_HOME/bin/jcmd" "${pids[n - 1]}" JFR.start name=set settings=profile \
          filename="$JFR_DIR/cpu-per-set-$mode-$k-node$n.jfr" >/dev/null
      done
    done
  fi
  for ((r = 1; r <= REPS; r++)); do
    for ((k = 0; k < ${#JAR_LIST[@]}; k++)); do
      read -r -a pids <<<"${PIDS_OF[k]}"
      measure_once "$mode jar$k" "$r" "${PORTS[k]}" "${pids[@]}"
    done
  done
  if [[ "${STRACE:-0}" == 1 ]]; then
    for ((k = 0; k < ${#JAR_LIST[@]}; k++)); do
      read -r -a pids <<<"${PIDS_OF[k]}"
      tracers=()
      for ((i = 0; i < ${#pids[@]}; i++)); do
        strace -c -f -p "${pids[i]}" -o "$WORK/strace-$mode-$k-$i.txt" 2>/dev/null & tracers+=("$!")
      done
      # Wait (at most 10 s) until strace has attached to every thread of every node.
      for ((i = 0; i < ${#pids[@]}; i++)); do
        for ((w = 0; w < 100; w++)); do
          ! grep -qs '^TracerPid:[[:space:]]*0$' /proc/"${pids[i]}"/task/*/status && break
          sleep 0.1
        done
      done
      run_set "${PORTS[k]}" >/dev/null
      interrupt_all "${tracers[@]}"
      for ((i = 0; i < ${#pids[@]}; i++)); do
        awk -v n="$N" -v who="$mode jar$k node$((i + 1))" '
          $4 ~ /^[0-9]+$/ && $NF != "total" { calls[$NF] = $4 }   # % time, seconds, usecs/call, calls, [errors,] syscall
          END { line = who " syscalls per SET:"; for (s in calls) if (calls[s] / n >= 0.01) line = line sprintf(" %s=%.2f", s, calls[s] / n); print line }
        ' "$WORK/strace-$mode-$k-$i.txt" | tee -a "$RES"
      done
    done
  fi
  if [[ "${PERF:-0}" == 1 ]]; then
    for ((k = 0; k < ${#JAR_LIST[@]}; k++)); do
      read -r -a pids <<<"${PIDS_OF[k]}"
      recorders=()
      for ((i = 0; i < ${#pids[@]}; i++)); do
        # shellcheck disable=SC2086  # PERF_ARGS is a list of options
        perf record -q -F 999 ${PERF_ARGS:-} -p "${pids[i]}" -o "$WORK/perf-$mode-$k-$i.data" >/dev/null 2>&1 & recorders+=("$!")
      done
      run_set "${PORTS[k]}" >/dev/null
      interrupt_all "${recorders[@]}"
      for ((i = 0; i < ${#pids[@]}; i++)); do
        echo "$mode jar$k node$((i + 1)) top symbols (perf, % of its samples):" | tee -a "$RES"
        perf report -q -i "$WORK/perf-$mode-$k-$i.data" --no-children --sort dso,sym \
          >"$WORK/perf-$mode-$k-$i.txt" 2>/dev/null || true
        grep -v '^$' "$WORK/perf-$mode-$k-$i.txt" | head -"${PERF_TOP:-25}" | tee -a "$RES" || true
      done
    done
  fi
  for ((k = 0; k < ${#JAR_LIST[@]}; k++)); do
    read -r -a pids <<<"${PIDS_OF[k]}"
    if [[ "$JFR" == 1 ]]; then
      for n in $JFR_NODES; do
        (( n <= ${#pids[@]} )) && "$JAVA_HOME/bin/jcmd" "${pids[n - 1]}" JFR.stop name=set >/dev/null
      done
    fi
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_pid "${pids[i]}"; done
  done
done
for ((k = 0; k < ${#JAR_LIST[@]}; k++)); do echo "jar$k = ${JAR_LIST[k]}"; done
echo "== SUMMARY (tandem $(git -C "$ROOT" rev-parse --short HEAD), N=$N c=$CONNS, fsync $FSYNC, load $(cut -d' ' -f1-3 /proc/loadavg))"
cat "$RES"
