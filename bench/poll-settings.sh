#!/usr/bin/env bash
# bench/poll-settings.sh - one 3-node replica set under a policy, driven by the peers' resp_wait_bench (plain
# SETs from CONNS connections), once per idle-spin-micros setting (leader/followers, set with CONFIG SET on
# the running nodes), the settings alternating round by round. Per run: ops/s and p50, how busy the whole
# machine was (the share of both cores from /proc/stat: all processes, the client's included), and each
# node's CPU microseconds per SET (from /proc/PID/stat, its polling included).
#
# What it answers: is a figure bound by CPU (the machine busy throughout, whatever the nodes poll) or by the
# chain of hops between processes (cores idle while a write waits for a wake-up)? See docs/benchmarks.md,
# seventh session.
#
# Knobs (environment): POLICY ("semi-sync 1"), VARIANTS ("300/300 300/0 300/50": leader/followers µs),
# ROUNDS (4), CONNS (16), OPS (100000 per run), WARM (3 passes of -c 50 and CONNS connections first),
# FSYNC (never), ACK_LEVEL (applied), PEERS (../shared/peers).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
POLICY="${POLICY:-semi-sync 1}"; VARIANTS="${VARIANTS:-300/300 300/0 300/50}"; ROUNDS="${ROUNDS:-4}"
CONNS="${CONNS:-16}"; OPS="${OPS:-100000}"; WARM="${WARM:-3}"; FSYNC="${FSYNC:-never}"
CLK_TCK="$(getconf CLK_TCK)"
ACK_LEVEL="${ACK_LEVEL:-applied}"; PEERS="${PEERS:-$(cd "$ROOT/.." && pwd)/shared/peers}"
for tool in redis-benchmark redis-cli gcc; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install -y redis-tools gcc)" >&2; exit 1; }
done
if [[ ! -f "$PEERS/resp_wait_bench.c" ]]; then
  echo "needs the peers' resp_wait_bench.c in $PEERS (set PEERS=...)" >&2
  exit 1
fi
ensure_jar
gcc -O2 -pthread -o "$WORK/resp_wait_bench" "$PEERS/resp_wait_bench.c"

read -r -a ports <<<"$(free_ports 6)"
nodes=()
for i in 0 1 2; do
  peers=()
  for j in 0 1 2; do [[ "$j" != "$i" ]] && peers+=("n$((j + 1))=127.0.0.1:${ports[j + 3]}"); done
  args=(--node-id "n$((i + 1))" --peer-port "${ports[i + 3]}" --peers "$(IFS=,; echo "${peers[*]}")"
        --fsync "$FSYNC" --ack-policy "$POLICY" --ack-level "$ACK_LEVEL" --admin-port -1
        --snapshot-after-log-bytes 0 --election-timeout-millis 0)
  (( i > 0 )) && args+=(--replica-of n1)
  start_tandem "${ports[i]}" "$WORK/n$((i + 1))" "${args[@]}"
  nodes+=("$LAST_PID")
done
wait_replicas "${ports[0]}" 2
echo "warming up ($WARM passes)..."
for ((w = 0; w < WARM; w++)); do
  redis-benchmark -p "${ports[0]}" -c 50 -n 200000 -d 100 -t set -q >/dev/null
  "$WORK/resp_wait_bench" 127.0.0.1 "${ports[0]}" "$CONNS" 60000 0 100 30 >/dev/null
done

for ((round = 1; round <= ROUNDS; round++)); do
  for variant in $VARIANTS; do
    redis-cli -p "${ports[0]}" config set idle-spin-micros "${variant%/*}" >/dev/null
    redis-cli -p "${ports[1]}" config set idle-spin-micros "${variant#*/}" >/dev/null
    redis-cli -p "${ports[2]}" config set idle-spin-micros "${variant#*/}" >/dev/null
    read -r busy0 total0 <<<"$(machine_ticks)"
    before=(); for pid in "${nodes[@]}"; do before+=("$(cpu_ticks "$pid")"); done
    out="$("$WORK/resp_wait_bench" 127.0.0.1 "${ports[0]}" "$CONNS" "$OPS" 0 100 60 \
      | grep -oE 'ops_per_s=[0-9.]+ p50_us=[0-9.]+' || true)"
    read -r busy1 total1 <<<"$(machine_ticks)"
    total=$(( total1 - total0 > 0 ? total1 - total0 : 1 ))
    line="round=$round spin=$variant ${out:-resp_wait_bench failed} busy=$(( 100 * (busy1 - busy0) / total ))%"
    for k in 0 1 2; do
      ticks=$(( $(cpu_ticks "${nodes[k]}") - before[k] ))
      per_set="$(awk -v t="$ticks" -v hz="$CLK_TCK" -v n="$OPS" 'BEGIN {printf "%.1f", t * 1e6 / hz / n}')"
      line+="  n$((k + 1))=${per_set}us/set"
    done
    echo "$line"
  done
done
