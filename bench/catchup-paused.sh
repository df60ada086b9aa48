#!/usr/bin/env bash
# catchup-paused.sh - one paused follower's catch-up, alone, to compare JVM options or builds quickly (the
# same step as compare-replication.sh's "catch-up of a paused follower", without Redis and the other figures).
#
#   bench/catchup-paused.sh
#   ALL_OPTS="-XX:MaxTenuringThreshold=15" bench/catchup-paused.sh   # extra JVM options on every node
#   N3_OPTS="-XX:+AlwaysPreTouch" bench/catchup-paused.sh             # ... on the paused follower only
#   TANDEM_JAR=/path/to/other/tandem.jar bench/catchup-paused.sh      # another build
#   TRACE=1 bench/catchup-paused.sh   # also n3's applied LSN at each poll (stderr): where the time went
#   WARM_PASSES=5 bench/catchup-paused.sh   # warmed as long as compare-replication.sh warms (at most 5 passes)
#
# A 3-node replica set (async, fsync never, ack-level applied, failover by hand) is warmed with WARM_PASSES
# (1) passes of 2 x 200,000 SETs to one key; n3 is stopped (SIGSTOP) while N SETs to new keys (-P 16 -r
# 1000000, 1,000,000 by default) go to n1, n2 is let catch up, then n3 is resumed. Prints catchup_wait.py's
# line (caught_up_s: seconds from SIGCONT until n3's applied LSN reaches the leader's), n3's CPU seconds over
# the catch-up, the number and sum of its GC pauses (from its GC log), and the leader's CPU seconds over the
# catch-up. Ports are picked free; everything is stopped by PID on exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
N="${N:-1000000}"
WARM_PASSES="${WARM_PASSES:-1}"
trap lib_cleanup EXIT
ensure_jar
read -r P1 P2 P3 Q1 Q2 Q3 <<< "$(free_ports 6)"
common=(--fsync never --ack-policy async --ack-level applied --admin-port -1 --snapshot-after-log-bytes 0
        --election-timeout-millis 0)
TANDEM_JAVA_OPTS="${ALL_OPTS:-}" start_tandem "$P1" "$WORK/n1" --node-id n1 --peer-port "$Q1" \
  --peers "n2=127.0.0.1:$Q2,n3=127.0.0.1:$Q3" "${common[@]}"
n1="$LAST_PID"
TANDEM_JAVA_OPTS="${ALL_OPTS:-}" start_tandem "$P2" "$WORK/n2" --node-id n2 --peer-port "$Q2" \
  --peers "n1=127.0.0.1:$Q1,n3=127.0.0.1:$Q3" --replica-of n1 "${common[@]}"
TANDEM_JAVA_OPTS="${ALL_OPTS:-} ${N3_OPTS:-} -Xlog:gc:file=$WORK/n3-gc.log" start_tandem "$P3" "$WORK/n3" \
  --node-id n3 --peer-port "$Q3" --peers "n1=127.0.0.1:$Q1,n2=127.0.0.1:$Q2" --replica-of n1 "${common[@]}"
n3="$LAST_PID"
wait_replicas "$P1" 2
for ((pass = 1; pass <= WARM_PASSES; pass++)); do
  redis-benchmark -p "$P1" -c 50 -n 200000 -d 100 -t set -q >/dev/null 2>&1
  redis-benchmark -p "$P1" -c 50 -n 200000 -d 100 -t set -P 16 -q >/dev/null 2>&1
done
target="$(info_field "$P1" replication master_repl_offset)"
python3 "$ROOT/bench/catchup_wait.py" "$P3" "$target" "$(date +%s.%N)" --timeout 60 >/dev/null
from="$target"
kill -STOP "$n3"
redis-benchmark -p "$P1" -c 50 -n "$N" -d 100 -t set -P 16 -r 1000000 -q | tr '\r' '\n' | grep . | tail -1
target="$(info_field "$P1" replication master_repl_offset)"
python3 "$ROOT/bench/catchup_wait.py" "$P2" "$target" "$(date +%s.%N)" --timeout 60 >/dev/null
pauses_before="$(grep -c Pause "$WORK/n3-gc.log" || true)"
ticks_before="$(cpu_ticks "$n3")"; n1_ticks_before="$(cpu_ticks "$n1")"
started="$(date +%s.%N)"; [[ -n "${TRACE:-}" ]] && echo "resumed at $(date -u -d @"$started" +%H:%M:%S.%N)" >&2
kill -CONT "$n3"
python3 "$ROOT/bench/catchup_wait.py" "$P3" "$target" "$started" --timeout 120 --from-offset "$from" ${TRACE:+--trace}
ticks_after="$(cpu_ticks "$n3")"; n1_ticks_after="$(cpu_ticks "$n1")"
tail -n +"$((pauses_before + 1))" "$WORK/n3-gc.log" | grep Pause | awk -v cpu="$(( ticks_after - ticks_before ))" \
  -v n1cpu="$(( n1_ticks_after - n1_ticks_before ))" -v tck="$(getconf CLK_TCK)" \
  '{ gsub("ms", "", $NF); ms += $NF; n++ }
  END { printf "n3 cpu_s=%.2f gc_pauses=%d gc_pause_ms=%.0f; n1 (leader) cpu_s=%.2f\n", cpu / tck, n, ms, n1cpu / tck }'
