#!/usr/bin/env bash
# bench/cpu-per-set.sh - server CPU microseconds per SET (redis-benchmark -c 50 -d 100 -t set), on a lone
# node and on a leader with two followers under --ack-policy async.
#
# On a 2-core machine shared with other work, ops/s says more about the neighbours than about Tandem;
# CPU time per operation (utime + stime of the server JVM from /proc/PID/stat, before and after a run,
# divided by the requests) does not depend on how long the process waited for a core.
#
# Each set-up is warmed first (WARM runs of N SETs: the JIT compiles the hot path), then measured REPS
# times; one line per run and node. Knobs (environment): MODES ("lone async"), N (200000), WARM (3),
# REPS (3), CONNS (50), FSYNC (never, as compare-replication.sh), ACK_LEVEL (applied),
# JFR=1 records a profile of the lone node / leader during the measured runs into $JFR_DIR
# (default /tmp), JAR another tandem.jar to run, TANDEM_JAVA_OPTS extra JVM options for every node.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# JAR=path runs that jar instead of this checkout's (to compare two builds back to back).
if [[ -n "${JAR:-}" ]]; then TANDEM_JAR="$JAR"; else ensure_jar; fi
MODES="${MODES:-lone async}"; N="${N:-200000}"; WARM="${WARM:-3}"; REPS="${REPS:-3}"; CONNS="${CONNS:-50}"
FSYNC="${FSYNC:-never}"; ACK_LEVEL="${ACK_LEVEL:-applied}"; JFR="${JFR:-0}"; JFR_DIR="${JFR_DIR:-/tmp}"
TCK="$(getconf CLK_TCK)"

# utime and stime (clock ticks) of a process: what it ran itself, and what the kernel ran for it (here mostly
# loopback TCP, which the same syscalls cost Redis too).
ticks_split() { awk '{print $14, $15}' "/proc/$1/stat" 2>/dev/null || echo 0 0; }

run_set() { # port
  timeout 300 redis-benchmark -p "$1" -c "$CONNS" -n "$N" -d 100 -t set -q | tr '\r' '\n' | grep -v '^$' | tail -1
}

measure() { # label port pids...
  local label="$1" port="$2"; shift 2
  local pids=("$@") i r before=() after out
  for ((i = 0; i < WARM; i++)); do run_set "$port" >/dev/null; done
  if [[ "$JFR" == 1 ]]; then
    "$JAVA_HOME/bin/jcmd" "${pids[0]}" JFR.start name=set settings=profile \
      filename="$JFR_DIR/cpu-per-set-$label.jfr" >/dev/null
  fi
  for ((r = 1; r <= REPS; r++)); do
    before=(); for i in "${pids[@]}"; do before+=("$(ticks_split "$i")"); done
    out="$(run_set "$port")"
    local line="$label run=$r $(awk '{print $2}' <<<"$out") ops/s"
    for ((i = 0; i < ${#pids[@]}; i++)); do
      after="$(ticks_split "${pids[i]}")"
      line+="$(awk -v a="$after" -v b="${before[i]}" -v n="$N" -v t="$TCK" -v k="$i" \
        'BEGIN { split(a, x, " "); split(b, y, " "); u = (x[1] - y[1]) * 1e6 / t / n; s = (x[2] - y[2]) * 1e6 / t / n
                 printf "  node%d_us_per_set=%.1f (user %.1f sys %.1f)", k + 1, u + s, u, s }')"
    done
    echo "$line" | tee -a "$RES"
  done
  if [[ "$JFR" == 1 ]]; then "$JAVA_HOME/bin/jcmd" "${pids[0]}" JFR.stop name=set >/dev/null; fi
}

for mode in $MODES; do
  case "$mode" in
    lone)
      p="$(free_port)"
      start_tandem "$p" "$WORK/lone" --admin-port -1 --fsync "$FSYNC"
      measure lone "$p" "$LAST_PID"
      stop_last ;;
    async)
      read -r -a ports <<<"$(free_ports 6)"; TP=("${ports[@]:0:3}"); TQ=("${ports[@]:3:3}"); pids=()
      for i in 0 1 2; do
        peers=(); for j in 0 1 2; do [[ "$j" != "$i" ]] && peers+=("n$((j + 1))=127.0.0.1:${TQ[j]}"); done
        args=(--node-id "n$((i + 1))" --peer-port "${TQ[i]}" --peers "$(IFS=,; echo "${peers[*]}")"
              --fsync "$FSYNC" --ack-policy async --ack-level "$ACK_LEVEL" --admin-port -1
              --snapshot-after-log-bytes 0)
        (( i > 0 )) && args+=(--replica-of n1)
        start_tandem "${TP[i]}" "$WORK/async/n$((i + 1))" "${args[@]}"
        pids+=("$LAST_PID")
      done
      wait_replicas "${TP[0]}" 2
      measure async "${TP[0]}" "${pids[@]}"
      for i in 2 1 0; do stop_pid "${pids[i]}"; done ;;
    *) echo "unknown mode $mode (lone, async)" >&2; exit 2 ;;
  esac
done
echo "== SUMMARY (${JAR:-tandem $(git -C "$ROOT" rev-parse --short HEAD)}, N=$N c=$CONNS, fsync $FSYNC, load $(cut -d' ' -f1-3 /proc/loadavg))"
cat "$RES"
