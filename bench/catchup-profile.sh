#!/usr/bin/env bash
# catchup-profile.sh - where a follower's catch-up time goes: a 3-node Tandem replica set (async, fsync
# never) takes N SETs of 100 bytes to N distinct keys while n3 is down; n3 then starts on an empty data
# directory with a JFR recording, and the script reports how long it took to catch up, the CPU each of its
# threads took, its GC pauses, and the top frames of its agent thread.
#
#   bench/catchup-profile.sh            # N=1000000 (about a minute)
#   N=200000 bench/catchup-profile.sh
#   N3_JAVA_OPTS="-XX:G1NewSizePercent=30" bench/catchup-profile.sh   # try other JVM options on n3
#   LEADER_JFR=1 bench/catchup-profile.sh   # also profile the leader n1 while it ships (n1.jfr)
#
# Ports are picked free; everything started is stopped by PID on exit (bench/lib.sh). KEEP_WORK=1 keeps
# the data, the logs and n3.jfr.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
N="${N:-1000000}"
trap lib_cleanup EXIT
ensure_jar
read -r P1 P2 P3 Q1 Q2 Q3 <<< "$(free_ports 6)"
# Failover by hand (--election-timeout-millis 0): with elections any node may lead after start-up, and the
# script writes to n1 and restarts n3.
common=(--fsync never --ack-policy async --admin-port -1 --election-timeout-millis 0)
start_tandem "$P1" "$WORK/n1" --node-id n1 --peer-port "$Q1" --peers "n2=127.0.0.1:$Q2,n3=127.0.0.1:$Q3" \
  "${common[@]}"
n1_pid="$LAST_PID"
start_tandem "$P2" "$WORK/n2" --node-id n2 --peer-port "$Q2" --peers "n1=127.0.0.1:$Q1,n3=127.0.0.1:$Q3" \
  --replica-of n1 "${common[@]}"
echo "writing $N SETs to n1 while n3 is down..."
redis-benchmark -p "$P1" -t set -n "$N" -r "$N" -d 100 -P 16 -c 50 -q | tr '\r' '\n' | grep . | tail -1
last="$(info_field "$P1" replication master_repl_offset)"
bytes="$(info_field "$P1" persistence wal_bytes_written)"
if [[ "${LEADER_JFR:-0}" == 1 ]]; then
  "$JAVA_HOME/bin/jcmd" "$n1_pid" JFR.start name=catchup settings=profile filename="$WORK/n1.jfr" >/dev/null
fi
started="$(date +%s%N)"
TANDEM_JAVA_OPTS="-XX:StartFlightRecording=filename=$WORK/n3.jfr,settings=profile,dumponexit=true ${N3_JAVA_OPTS:-}" \
  spawn_tandem "$P3" "$WORK/n3" --node-id n3 --peer-port "$Q3" --peers "n1=127.0.0.1:$Q1,n2=127.0.0.1:$Q2" \
  --replica-of n1 "${common[@]}"
n3_pid="$LAST_PID"
wait_ping "$P3" 60
deadline=$((SECONDS + 120))
until [[ "$(info_field "$P3" replication slave_repl_offset 2>/dev/null || echo 0)" -ge "$last" ]]; do
  if ((SECONDS > deadline)); then echo "n3 did not catch up within 120 s" >&2; exit 1; fi
  sleep 0.05
done
millis=$(( ($(date +%s%N) - started) / 1000000 ))
echo "n3 caught up with LSN $last ($bytes bytes of log) in $millis ms from its launch:" \
  "$(( bytes / 1000 / (millis > 0 ? millis : 1) )) MB/s"
# Each thread of n3's JVM (spawn_tandem execs java, so n3_pid is the JVM's), from its schedstat: how long
# it ran and how long it waited for a core since the JVM started, so which threads took the time.
echo "n3 threads (ran / waited for a core, ms), top 8 by time run:"
for t in /proc/"$n3_pid"/task/*; do
  read -r run wait _ < "$t/schedstat"
  printf "%8d %8d  %s\n" $((run / 1000000)) $((wait / 1000000)) "$(cat "$t/comm")"
done | sort -rn | awk '{run += $1; wait += $2; if (NR <= 8) print} END {printf "%8d %8d  all threads\n", run, wait}'
stop_pid "$n3_pid"
[[ "${LEADER_JFR:-0}" == 1 ]] && "$JAVA_HOME/bin/jcmd" "$n1_pid" JFR.stop name=catchup >/dev/null
JFR="$JAVA_HOME/bin/jfr"
"$JFR" print --events jdk.GCPhasePause "$WORK/n3.jfr" | awk '/duration/ {gsub("ms","",$3); s+=$3; n++}
  END {printf "n3 GC pauses: %d, %.0f ms in all\n", n, s}'
top_frames() { # recording.jfr: the agent thread's most sampled top frames
  "$JFR" print --events jdk.ExecutionSample "$1" \
    | awk '/sampledThread = "tandem-agent"/ {a=1} /stackTrace = \[/ {if (a) {getline; sub(/\(.*/, "", $1); print $1}; a=0}' \
    | sort | uniq -c | sort -rn | head -12
}
echo "n3 agent thread, top frames of its execution samples:"
top_frames "$WORK/n3.jfr"
if [[ "${LEADER_JFR:-0}" == 1 ]]; then
  echo "n1 (leader) agent thread, top frames of its execution samples:"
  top_frames "$WORK/n1.jfr"
fi
