#!/usr/bin/env bash
# false-failovers.sh - does saturating load make a healthy cluster fail over by mistake?
#
#   bench/false-failovers.sh [seconds=600]
#
# Starts three Tandem nodes with elections on (election-timeout-millis 500, heartbeat 100 ms: the
# defaults of 'tandem lab failover'), quorum at durable, then runs redis-benchmark against the leader for
# the whole time with -c 50 -P 16 (both cores busy: the three JVMs, their GCs and the load generator share
# them), GET and SET alternately. Every 5 s it reads each node's term and election counters; at the end it
# prints how many elections and check-quorum step-downs happened. On a healthy cluster, every one of them
# is a false failover: the target is 0.
# Needs redis-tools (redis-benchmark, redis-cli). KEEP_WORK=1 keeps the nodes' data and logs;
# TANDEM_JAVA_OPTS=-Xlog:gc puts each node's GC pauses in its log, beside its elections and lease lapses.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SECONDS_TOTAL="${1:-600}"
ensure_jar

ports="$(free_ports 6)"; read -r -a TP <<<"$(cut -d' ' -f1-3 <<<"$ports")"; read -r -a TQ <<<"$(cut -d' ' -f4-6 <<<"$ports")"
require_free "${TP[@]}" "${TQ[@]}"
for i in 0 1 2; do
  peers=()
  for j in 0 1 2; do [[ "$j" != "$i" ]] && peers+=("n$((j + 1))=127.0.0.1:${TQ[j]}"); done
  args=(--node-id "n$((i + 1))" --peer-port "${TQ[i]}" --peers "$(IFS=,; echo "${peers[*]}")" --fsync batch
        --ack-policy quorum --admin-port -1 --heartbeat-interval-millis 100 --election-timeout-millis 500)
  (( i > 0 )) && args+=(--replica-of n1)
  start_tandem "${TP[i]}" "$WORK/n$((i + 1))" "${args[@]}"
done

leader_port() {
  local p
  for p in "${TP[@]}"; do
    [[ "$(info_field "$p" replication role 2>/dev/null)" == master ]] && { echo "$p"; return; }
  done
  echo ""
}
for _ in $(seq 1 100); do [[ -n "$(leader_port)" ]] && break; sleep 0.1; done
LEADER="$(leader_port)"
[[ -n "$LEADER" ]] || { echo "no leader after 10 s" >&2; exit 1; }
wait_replicas "$LEADER" 2
term0="$(info_field "$LEADER" replication tandem_term)"
# Counted from here: a start-up election (n1 starts before the others answer and steps down) is not one.
counters() { # prints: elections_won elections_started quorum_lost lease_lapses, summed over the nodes
  local p e s l a we=0 ws=0 wl=0 wa=0
  for p in "${TP[@]}"; do
    e="$(info_field "$p" replication tandem_elections_won 2>/dev/null || echo 0)"
    s="$(info_field "$p" replication tandem_elections_started 2>/dev/null || echo 0)"
    l="$(info_field "$p" replication tandem_quorum_lost 2>/dev/null || echo 0)"
    a="$(info_field "$p" replication tandem_lease_lapses 2>/dev/null || echo 0)"
    we=$((we + ${e:-0})); ws=$((ws + ${s:-0})); wl=$((wl + ${l:-0})); wa=$((wa + ${a:-0}))
  done
  echo "$we $ws $wl $wa"
}
read -r won0 started0 lost0 lapses0 <<<"$(counters)"
echo "leader on $LEADER in term $term0; load for ${SECONDS_TOTAL} s (redis-benchmark -c 50 -P 16 -d 100 SET/GET)"

end=$((SECONDS + SECONDS_TOTAL))
( while (( SECONDS < end )); do
    redis-benchmark -p "$LEADER" -c 50 -P 16 -d 100 -n 2000000 -t set,get -q >/dev/null 2>&1 || true
  done ) &
LOAD_PID=$!
terms=""
while (( SECONDS < end )); do
  sleep 5
  now=""
  for p in "${TP[@]}"; do now+="$(info_field "$p" replication tandem_term 2>/dev/null || echo '?') "; done
  [[ "$now" != "$terms" ]] && echo "$(date +%T) terms: $now"
  terms="$now"
done
kill "$LOAD_PID" 2>/dev/null || true; wait "$LOAD_PID" 2>/dev/null || true
pkill -f "redis-benchmark -p $LEADER" 2>/dev/null || true

read -r won1 started1 lost1 lapses1 <<<"$(counters)"
elections=$((won1 - won0)); started=$((started1 - started0)); lost=$((lost1 - lost0)); lapses=$((lapses1 - lapses0))
term1="$(info_field "$LEADER" replication tandem_term 2>/dev/null || echo '?')"
echo "SUMMARY seconds=$SECONDS_TOTAL term_start=$term0 term_end=$term1 elections_won=$elections elections_started=$started quorum_lost=$lost lease_lapses=$lapses (false failovers: $elections)"
