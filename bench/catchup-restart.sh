#!/usr/bin/env bash
# catchup-restart.sh - one restarted follower's catch-up, alone, to compare builds or JVM options quickly
# (the same step as compare-replication.sh's "catch-up: a follower N entries behind", without Redis and the
# other figures).
#
#   bench/catchup-restart.sh                      # REPS=3 fresh replica sets, one catch-up each
#   N3_OPTS="-XX:TieredStopAtLevel=1" bench/catchup-restart.sh   # extra JVM options on the restarted n3
#   N1_OPTS="-XX:+AlwaysPreTouch" bench/catchup-restart.sh          # ... on the leader n1 only
#   TANDEM_JAR=/path/to/other/tandem.jar bench/catchup-restart.sh
#   NODE_FLAGS="--idle-spin-micros 0" bench/catchup-restart.sh      # more `tandem node` flags on every node
#   TANDEM_AOT=0 bench/catchup-restart.sh     # without the AOT cache (ensure_jar records and uses it otherwise)
#   TRACE=1 bench/catchup-restart.sh          # also n3's applied LSN at each poll (stderr)
#   ROUNDS=2 bench/catchup-restart.sh         # then stop n3 again, write N more, restart it on its data
#
# Each rep starts a 3-node replica set (async, fsync never, ack-level applied, failover by hand), stops n3
# at once (SIGTERM), writes N SETs (-P 16 -c 50 -r 1000000 -d 100, 1,000,000 by default) to n1, lets n2
# catch up, restarts n3 and prints one line: the figure of the issue (MB of the leader's log over the seconds
# from n3 answering PING to its applied LSN reaching the leader's), the same from n3's first applied entry,
# n3's CPU seconds over its whole life and the leader's over the catch-up (catchup_wait.py measures the
# times). With ROUNDS=2 or more, each later round stops the same n3 again (SIGTERM), writes N more SETs and
# restarts it: a follower that restarts holding data (it replays its own log first, then catches up on keys
# it mostly holds already), one line per round. Ports are picked free; everything is stopped by PID on exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
N="${N:-1000000}"
REPS="${REPS:-3}"
ROUNDS="${ROUNDS:-1}"
trap lib_cleanup EXIT
ensure_jar
for rep in $(seq 1 "$REPS"); do
  read -r P1 P2 P3 Q1 Q2 Q3 <<< "$(free_ports 6)"
  dir="$WORK/set$rep"
  # shellcheck disable=SC2206  # NODE_FLAGS is a list of flags
  common=(--fsync never --ack-policy async --ack-level applied --admin-port -1 --snapshot-after-log-bytes 0
          --election-timeout-millis 0 ${NODE_FLAGS:-})
  n3_args=(--node-id n3 --peer-port "$Q3" --peers "n1=127.0.0.1:$Q1,n2=127.0.0.1:$Q2" --replica-of n1 "${common[@]}")
  TANDEM_JAVA_OPTS="${N1_OPTS:-}" start_tandem "$P1" "$dir/n1" --node-id n1 --peer-port "$Q1" \
    --peers "n2=127.0.0.1:$Q2,n3=127.0.0.1:$Q3" "${common[@]}"
  n1="$LAST_PID"
  start_tandem "$P2" "$dir/n2" --node-id n2 --peer-port "$Q2" --peers "n1=127.0.0.1:$Q1,n3=127.0.0.1:$Q3" \
    --replica-of n1 "${common[@]}"
  n2="$LAST_PID"
  start_tandem "$P3" "$dir/n3" "${n3_args[@]}"
  wait_replicas "$P1" 2
  n3="$LAST_PID"
  for round in $(seq 1 "$ROUNDS"); do
    stop_pid "$n3"
    from="$(info_field "$P1" replication master_repl_offset)"
    bytes0="$(info_field "$P1" persistence wal_bytes_written)"
    redis-benchmark -p "$P1" -c 50 -n "$N" -d 100 -t set -P 16 -r 1000000 -q | tr '\r' '\n' | grep . | tail -1
    target="$(info_field "$P1" replication master_repl_offset)"
    log_bytes=$(( $(info_field "$P1" persistence wal_bytes_written) - bytes0 ))
    python3 "$ROOT/bench/catchup_wait.py" "$P2" "$target" "$(date +%s.%N)" --timeout 60 >/dev/null
    started="$(date +%s.%N)"; n1_ticks="$(cpu_ticks "$n1")"
    TANDEM_JAVA_OPTS="${N3_OPTS:-}" spawn_tandem "$P3" "$dir/n3" "${n3_args[@]}"
    n3="$LAST_PID"
    line="$(python3 "$ROOT/bench/catchup_wait.py" "$P3" "$target" "$started" --timeout 120 --from-offset "$from" \
      ${TRACE:+--trace})"
    n3_cpu="$(cpu_ticks "$n3")"; n1_cpu=$(( $(cpu_ticks "$n1") - n1_ticks ))
    label="rep $rep"; (( ROUNDS > 1 )) && label+=" round $round"
    awk -v line="$line" -v bytes="$log_bytes" -v cpu="$n3_cpu" -v tck="$(getconf CLK_TCK)" \
        -v n1cpu="$n1_cpu" -v label="$label" 'BEGIN {
      n = split(line, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], p, "="); f[p[1]] = p[2] }
      s = f["caught_up_s"] - f["ready_s"]; s2 = f["caught_up_s"] - f["first_progress_s"]
      printf "%s: %.1f MB of log; from PING %.2f s = %.0f MB/s; from first applied entry %.2f s = %.0f MB/s;" \
        " ready_s=%s; n3 cpu_s=%.2f, n1 (leader) %.2f\n", label, bytes / 1e6, s, bytes / 1e6 / s, s2, bytes / 1e6 / s2,
        f["ready_s"], cpu / tck, n1cpu / tck }'
  done
  for p in "$n3" "$n2" "$n1"; do stop_pid "$p"; done
  rm -rf "$dir"
done
