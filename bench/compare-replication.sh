#!/usr/bin/env bash
# compare-replication.sh - issue 3's figures: a 3-node Tandem replica set side by side with Redis 7
# (primary + 2 replicas), both started by this script on this machine, loopback only, same tools.
#
#   bench/compare-replication.sh            # full run (5-10 min on a quiet machine)
#   QUICK=1 bench/compare-replication.sh    # a few seconds per step: checks the script, not the figures
#
# Figures (Tandem / Redis ratio, target):
#   async       redis-benchmark -c 50 -n $N -d 100 -t set (>= 1.0) and the same with -P 16 (>= 0.5),
#               against the leader / the primary with both replicas attached;
#   semi-sync   Tandem `--ack-policy semi-sync 1`, plain SETs, vs Redis SET + WAIT 1 100 (>= 1.5 at
#               16 connections and at 1): a Tandem SET is acknowledged only once a follower has it, so
#               the client's one round trip does what SET+WAIT does in two. Both sides are driven by the
#               peers' resp_wait_bench (NUMREPLICAS 0 = plain SET, 1 = SET then WAIT 1 100);
#   quorum, all the same load under `--ack-policy quorum` / `all`, next to Redis WAIT 1 / WAIT 2
#               (with 3 nodes, quorum = the leader and 1 follower); ops/s, p50, p99;
#   lag         SET on the leader, GET on a follower until visible (peers' repl_lag.py, single-write
#               probe): median and p99 per follower (Tandem / Redis <= 1.0); Tandem in every mode;
#   catch-up    follower n3 stopped, $CATCHUP_N SETs written to the leader (redis-benchmark -P 16),
#               n3 restarted: seconds from its answering PING until its applied LSN (INFO replication
#               slave_repl_offset) reaches the leader's last LSN; MB/s = log bytes it lacked (the
#               leader's INFO persistence wal_bytes_written over the writes: whole WAL records, headers
#               included) / those seconds (target >= 100 MB/s); also from its launch and from its first
#               applied entry. The same on Redis needs a full resync (its replica restarts empty): its
#               time and the bytes it received are shown for reference.
#   catch-up of a paused follower: a running, warm follower (n3 / replica 2) stopped with SIGSTOP while
#               $CATCHUP_N SETs to new keys go to the leader, then resumed (a stall or a slow link, not
#               a restart): seconds from SIGCONT to caught up, for both, and the ratio of those times
#               (Redis's replica reads the writes from its primary's output buffer). For both catch-ups n3
#               writes a GC log, and the SUMMARY counts its collections (pauses, concurrent cycles,
#               periodic ones): a catch-up that starts on a heap a periodic collection just shrank regrows
#               it through concurrent cycles, the main cause of a slow run (docs/benchmarks.md).
#
# Durability on both sides, by default like the peers' Redis (--save "" --appendonly no): Tandem
# `--fsync never` and `--ack-level applied` (a follower acknowledges once a read there sees the write,
# what a Redis replica's WAIT acknowledgement means). FSYNC=batch ACK_LEVEL=durable runs Tandem with
# its own defaults (then each acknowledged write waits for two fdatasyncs; Redis has no equivalent).
#
# Knobs (environment): QUICK=1; N (redis-benchmark requests, 200000); REPS (runs per figure, best
# kept, 2); WARM_N (warm-up SETs per server, N; QUICK 100000); WARM_PASSES (most warm-up passes, until the
# JIT compilers used at most JIT_QUIET_MS in one: 5 and 30; QUICK 1); WAIT_OPS_C1 / WAIT_OPS_C16
# (resp_wait_bench operations, 20000 / 60000); LAG_PROBES (300); LAG_WARM_PROBES (20000, unrecorded,
# before each lag figure, in LAG_WARM_RUNS runs of one client each, 5); CATCHUP_N (1000000); FSYNC;
# ACK_LEVEL; SERVER_CPUS (taskset -c for every server, e.g. 0; the load
# generator is then left the other core); PEERS (directory of the peers' tools,
# ../shared/peers next to this checkout); KEEP_WORK=1 keeps data and logs. Every server is started on
# ports free at the time (refused if taken meanwhile), stopped by PID on exit, and every step is
# bounded in time. The SUMMARY notes where the CPU time went during each step (/proc/PID/stat of each
# server, the load generator as this script's children, the rest of the machine from /proc/stat).
# Needs redis-server, redis-tools, gcc, python3, and tandem.jar (built with mvn package if stale).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_DIR="$ROOT/bench"
PEERS="${PEERS:-$(cd "$ROOT/.." && pwd)/shared/peers}"
QUICK="${QUICK:-0}"
if [[ "$QUICK" == 1 ]]; then
  N="${N:-30000}"; REPS="${REPS:-1}"; WAIT_OPS_C1="${WAIT_OPS_C1:-2000}"; WAIT_OPS_C16="${WAIT_OPS_C16:-8000}"
  LAG_PROBES="${LAG_PROBES:-50}"; LAG_WARM_PROBES="${LAG_WARM_PROBES:-1000}"; CATCHUP_N="${CATCHUP_N:-100000}"; STEP_S=10
  # A QUICK warm-up as short as its steps left Tandem's leader at 45 us of CPU per SET (the JIT still
  # compiling) against 16-18 once warm: keep it long enough for the figures to be at least plausible.
  WARM_N="${WARM_N:-100000}"
else
  N="${N:-200000}"; REPS="${REPS:-2}"; WAIT_OPS_C1="${WAIT_OPS_C1:-20000}"; WAIT_OPS_C16="${WAIT_OPS_C16:-60000}"
  LAG_PROBES="${LAG_PROBES:-300}"; LAG_WARM_PROBES="${LAG_WARM_PROBES:-20000}"; CATCHUP_N="${CATCHUP_N:-1000000}"; STEP_S=120
fi
WARM_N="${WARM_N:-$N}"
WARM_PASSES="${WARM_PASSES:-$([[ "$QUICK" == 1 ]] && echo 1 || echo 5)}"; JIT_QUIET_MS="${JIT_QUIET_MS:-30}"
FSYNC="${FSYNC:-never}"
ACK_LEVEL="${ACK_LEVEL:-applied}"
BENCH_TIMEOUT="$STEP_S"   # lib.sh's bench(): one redis-benchmark run
CLK_TCK="$(getconf CLK_TCK)"

for tool in redis-server redis-benchmark redis-cli gcc python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install -y redis-server redis-tools gcc python3)" >&2; exit 1; }
done
for f in resp_wait_bench.c repl_lag.py; do
  [[ -f "$PEERS/$f" ]] || { echo "needs the peers' $f in $PEERS (set PEERS=...)" >&2; exit 1; }
done
ensure_jar
gcc -O2 -pthread -o "$WORK/resp_wait_bench" "$PEERS/resp_wait_bench.c"

dump_logs() { # the last lines of every server log, when the run failed
  local f
  for f in "$WORK"/*.log "$WORK"/*/*.log "$WORK"/*/*/redis.log; do
    [[ -f "$f" ]] && { echo "--- tail $f" >&2; tail -15 "$f" >&2; }
  done
}
trap 'rc=$?; [[ $rc -ne 0 ]] && dump_logs; lib_cleanup' EXIT

say() { echo "[$(date -u +%H:%M:%S)] $*"; }

# ---- where the CPU time goes -------------------------------------------------------------------------
# SRV_NAMES / SRV_PIDS: the servers running now. measured LABEL cmd... runs cmd and records, in RES,
# each server's CPU (percent of one core), the load generator's (this script's children), and the whole
# machine's busy share (of 100 * nproc), so "other" = work of other users of the machine; and for load
# steps, each server's CPU microseconds per operation.
SRV_NAMES=(); SRV_PIDS=()
# CPU of this shell's finished children, into CHILD_TICKS. `times` must run in this shell itself: in a
# pipe or a $(...) it would report a fresh subshell's children, i.e. none.
children_ticks() {
  times > "$WORK/times.txt"
  CHILD_TICKS="$(awk -v hz="$CLK_TCK" 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/)
    printf "%d\n", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * hz }' "$WORK/times.txt")"
}
measured() { # label command...
  local label="$1"; shift
  local t0 t1 mb0 mt0 mb1 mt1 c0 c1 i before=() line per_op=""
  STEP_OPS=0   # rb and wb set it: operations the step completed
  t0="$(date +%s%N)"; read -r mb0 mt0 <<<"$(machine_ticks)"; children_ticks; c0="$CHILD_TICKS"
  for i in "${!SRV_PIDS[@]}"; do before[i]="$(cpu_ticks "${SRV_PIDS[i]}")"; done
  # A step that fails or hits its time bound is reported and the run goes on (its figure is missing).
  "$@" || echo "  step $label failed (exit $?)" | tee -a "$RES"
  t1="$(date +%s%N)"; read -r mb1 mt1 <<<"$(machine_ticks)"; children_ticks; c1="$CHILD_TICKS"
  local wall_ticks=$(( (t1 - t0) * CLK_TCK / 1000000000 )) srv_sum=0 d
  (( wall_ticks > 0 )) || wall_ticks=1
  line="cpu step=$label wall_s=$(awk -v w="$((t1 - t0))" 'BEGIN {printf "%.1f", w / 1e9}')"
  for i in "${!SRV_PIDS[@]}"; do
    d=$(( $(cpu_ticks "${SRV_PIDS[i]}") - before[i] )); srv_sum=$((srv_sum + d))
    line+=" ${SRV_NAMES[i]}=$((100 * d / wall_ticks))%"
    (( STEP_OPS > 0 )) && per_op+=" ${SRV_NAMES[i]}=$(awk -v d="$d" -v hz="$CLK_TCK" -v n="$STEP_OPS" \
      'BEGIN {printf "%.1f", d / hz * 1e6 / n}')"
  done
  local client=$(( c1 - c0 )) busy=$(( mb1 - mb0 )) total=$(( mt1 - mt0 ))
  (( total > 0 )) || total=1
  local ncpu; ncpu="$(nproc)"
  line+=" client=$((100 * client / wall_ticks))% machine_busy=$((100 * ncpu * busy / total))%/$((100 * ncpu))%"
  line+=" other=$(( 100 * ncpu * busy / total - 100 * (srv_sum + client) / wall_ticks ))%"
  # Server CPU per operation: less sensitive to a busy machine than ops/s (CLK_TCK resolution: 10 ms).
  (( STEP_OPS > 0 )) && line+=" ops=$STEP_OPS cpu_us_per_op:$per_op"
  echo "  $line" ; echo "$line" >> "$RES"
}

# ---- load generators ---------------------------------------------------------------------------------
# redis-benchmark SET through lib.sh's bench(): one line "server=.. mode=.. test=.. run=.. SET ops/s=..".
rb() { # server mode test run port [redis-benchmark args]
  local label="server=$1 mode=$2 test=$3 run=$4" port="$5"; shift 5
  BENCH_TESTS=set bench "$label" "$port" "$@"
  STEP_OPS="$N"
}
# resp_wait_bench (the peers' tool): NREP 0 = plain SET, else SET then WAIT NREP 100; one line each.
wb() { # server mode test run port conns ops nrep
  local out
  out="$(timeout $((STEP_S + 10)) "$WORK/resp_wait_bench" 127.0.0.1 "$5" "$6" "$7" "$8" 100 "$STEP_S" || true)"
  [[ -n "$out" ]] || out="resp_wait_bench failed"
  echo "server=$1 mode=$2 test=$3 run=$4 $out" | tee -a "$RES"
  STEP_OPS="$(grep -oE ' ops=[0-9]+' <<<"$out" | cut -d= -f2 || true)"; STEP_OPS="${STEP_OPS:-0}"
}
# Single-write visibility (the peers' repl_lag.py, no burst): one line per replica.
# First an unrecorded pass of LAG_WARM_PROBES on both servers: the throughput warm-up never runs a
# follower's GET path, and a JVM compiles it during the first few thousand probes (measured: 20-100 probes
# in 2,000 took over 1 ms during the first 8,000, 1-3 after), which made the figure the JIT's, not the
# replication's. Redis gets the same pass. The pass is split into LAG_WARM_RUNS clients, one after another:
# the first time a client goes away, the JVM meets paths its compiled code never took (Netty's epoll loop
# seeing a hang-up) and deoptimizes the hot loop with the core's methods inlined into it, then compiles them
# again over the next second or two. With one warm-up client that happened during the measured probes: its
# p99 was 1.4-2.9 ms; after three clients 0.3-0.5 ms, recompilation then rare (2026-11-24, 2,000-probe
# windows, the follower's C2 thread's CPU per window). A server in service has seen many clients come and go.
lag() { # server mode primary replica...
  local server="$1" mode="$2"; shift 2
  local runs="${LAG_WARM_RUNS:-5}" r
  for r in $(seq 1 "$runs"); do
    timeout $((STEP_S + 60)) python3 "$PEERS/repl_lag.py" "$@" --bursts 0 --probes $((LAG_WARM_PROBES / runs)) \
      >/dev/null || true
  done
  timeout $((STEP_S + 60)) python3 "$PEERS/repl_lag.py" "$@" --bursts 0 --probes "$LAG_PROBES" \
    | sed "s/^/server=$server mode=$mode test=lag /" | tee -a "$RES" || echo "server=$server mode=$mode test=lag failed" | tee -a "$RES"
}
# "TASK TICKS" for every JIT compiler thread of the running servers (Redis has none): the CPU each has used so
# far. A thread's stat line is "TID (C2 CompilerThre) S ...": its name holds a space, so fields are counted
# after the ")" (utime and stime are the 12th and 13th there). Threads come and go (the JVM adds compiler
# threads under load and ends idle ones), so a stat file may be gone by the time it is read.
compiler_ticks() {
  local pid stat line fields
  for pid in "${SRV_PIDS[@]}"; do
    for stat in /proc/"$pid"/task/*/stat; do
      line="$(cat "$stat" 2>/dev/null)" || continue
      [[ "$line" == *"Compiler"* ]] || continue
      read -r -a fields <<<"${line##*) }"
      echo "$stat $(( fields[11] + fields[12] ))"
    done
  done
}
# Milliseconds the compilers used since an earlier compiler_ticks: thread by thread, a thread new since then
# counted whole, one ended meanwhile not at all (it ended because it had nothing left to compile).
compiler_ms_since() { # earlier compiler_ticks output
  awk -v hz="$CLK_TCK" 'NR == FNR { before[$1] = $2; next } { d = $2 - before[$1]; if (d > 0) sum += d }
                        END { printf "%d\n", sum * 1000 / hz }' <(echo "$1") <(compiler_ticks)
}
# The JVM compiles its hot paths in the first seconds of load, and a figure taken while it still does measures
# the warm-up, not the server (a replica set's first two c50 runs after one pass: the leader's compilers took
# 260 and 100 ms of CPU during them, the followers' 50-100, at 76-79k ops/s; from the third, none, at 88-91k).
# So passes repeat until one leaves the compilers of every running server nearly idle (JIT_QUIET_MS, 30), at
# most WARM_PASSES (5; QUICK 1). Redis has nothing to compile: one pass, as before.
warm() { # port
  local pass before spent
  for ((pass = 1; pass <= WARM_PASSES; pass++)); do
    before="$(compiler_ticks)"
    timeout $((STEP_S * 3)) redis-benchmark -p "$1" -c 50 -n "$WARM_N" -d 100 -t set -q >/dev/null 2>&1 || true
    timeout "$STEP_S" redis-benchmark -p "$1" -c 50 -n "$WARM_N" -d 100 -t set -P 16 -q >/dev/null 2>&1 || true
    timeout "$STEP_S" "$WORK/resp_wait_bench" 127.0.0.1 "$1" 16 "$WAIT_OPS_C1" 0 100 "$STEP_S" >/dev/null || true
    spent="$(compiler_ms_since "$before")"
    say "  warm-up pass $pass: the servers' JIT compilers used $spent ms"
    if (( spent <= JIT_QUIET_MS )); then break; fi
  done
  return 0 # still compiling after the last pass is worth a line above, not a failed step
}

# ---- servers -----------------------------------------------------------------------------------------
RP=()   # Redis: primary, replica 1, replica 2
start_redis_set() {
  read -r -a RP <<<"$(free_ports 3)"
  local args=(--save "" --appendonly no)
  # No 5 s pause before a full resync (Redis's default waits for more replicas to join it): only the
  # catch-up reference below does one.
  start_redis "${RP[0]}" "$WORK/redis/p" "${args[@]}" --repl-diskless-sync-delay 0
  SRV_PIDS=("$LAST_PID"); SRV_NAMES=(primary)
  start_redis "${RP[1]}" "$WORK/redis/r1" "${args[@]}" --replicaof 127.0.0.1 "${RP[0]}"
  SRV_PIDS+=("$LAST_PID"); SRV_NAMES+=(replica1)
  start_redis "${RP[2]}" "$WORK/redis/r2" "${args[@]}" --replicaof 127.0.0.1 "${RP[0]}"
  SRV_PIDS+=("$LAST_PID"); SRV_NAMES+=(replica2)
  wait_replicas "${RP[0]}" 2
}
redis_on() { SRV_PIDS=("${REDIS_PIDS[@]}"); SRV_NAMES=(primary replica1 replica2); }

TP=(); TQ=(); TPIDS=()   # Tandem: client ports, peer ports, PIDs of n1 n2 n3
tandem_node_args() { # index(0-2) policy
  local i="$1" peers=() j
  for j in 0 1 2; do [[ "$j" != "$i" ]] && peers+=("n$((j + 1))=127.0.0.1:${TQ[j]}"); done
  local args=(--node-id "n$((i + 1))" --peer-port "${TQ[i]}" --peers "$(IFS=,; echo "${peers[*]}")"
              --fsync "$FSYNC" --ack-policy "$2" --ack-level "$ACK_LEVEL" --admin-port -1
              --snapshot-after-log-bytes 0 --election-timeout-millis 0)
  # Failover by hand: with elections any node may lead after start-up (or after a stall on two busy cores),
  # and every figure here needs n1 to lead throughout, as Redis's primary does.
  (( i > 0 )) && args+=(--replica-of n1)
  printf '%s\n' "${args[@]}"
}
start_tandem_set() { # dir policy
  local dir="$1" policy="$2" ports i args
  TSET_DIR="$dir"
  ports="$(free_ports 6)"; read -r -a TP <<<"$(cut -d' ' -f1-3 <<<"$ports")"; read -r -a TQ <<<"$(cut -d' ' -f4-6 <<<"$ports")"
  require_free "${TP[@]}" "${TQ[@]}"
  TPIDS=(); SRV_PIDS=(); SRV_NAMES=(leader follower2 follower3)
  for i in 0 1 2; do
    mapfile -t args < <(tandem_node_args "$i" "$policy")
    # N3_JAVA_OPTS: more JVM options for n3 alone (the catch-up steps give it a GC log).
    TANDEM_JAVA_OPTS="${TANDEM_JAVA_OPTS:-}$( ((i == 2)) && echo " ${N3_JAVA_OPTS:-}" || true)" \
      start_tandem "${TP[i]}" "$dir/n$((i + 1))" "${args[@]}"
    TPIDS+=("$LAST_PID"); SRV_PIDS+=("$LAST_PID")
  done
  wait_replicas "${TP[0]}" 2
  say "tandem ($policy, fsync $FSYNC, ack-level $ACK_LEVEL): n1 leads on ${TP[0]}, n2 ${TP[1]}, n3 ${TP[2]}; pids ${TPIDS[*]}"
}
# Stops the set and deletes its data (unless KEEP_WORK=1): with --fsync never its WALs sit in the page cache
# as dirty pages, and left there they slowed a later step that writes: with 2.4 GB of them, the paused
# follower's catch-up took 2.35 s against 1.43 s on a clean cache (the kernel writing them back meanwhile).
# Deleting the files drops their dirty pages without writing them. Redis, without persistence, writes none.
stop_tandem_set() {
  local p
  for p in "${TPIDS[@]}"; do stop_pid "$p"; done
  TPIDS=(); SRV_PIDS=(); SRV_NAMES=()
  [[ "${KEEP_WORK:-0}" == 1 || -z "${TSET_DIR:-}" ]] || rm -rf "$TSET_DIR"
}
# n3's collections in its GC log (-Xlog:gc) after line FROM: pauses, their sum, concurrent cycles (remarks),
# and periodic ones. A catch-up that regrows a heap a periodic collection had just shrunk shows many cycles.
gc_summary() { # file from_line
  tail -n +"$(( $2 + 1 ))" "$1" 2>/dev/null | awk '/Pause/ { n++; v = $NF; gsub("ms", "", v); ms += v }
    /Pause Remark/ { r++ } /Periodic/ { p++ }
    END { printf "n3_gc_pauses=%d n3_gc_pause_ms=%.0f n3_gc_cycles=%d n3_gc_periodic=%d", n, ms, r, p }'
}
gc_lines() { local n; n="$(grep -c . "$1" 2>/dev/null)" || true; echo "${n:-0}"; } # 0 for a missing or empty file

# ---- the run -----------------------------------------------------------------------------------------
say "compare-replication: QUICK=$QUICK N=$N WARM_N=$WARM_N REPS=$REPS wait ops c1/c16=$WAIT_OPS_C1/$WAIT_OPS_C16 lag probes=$LAG_PROBES catch-up=$CATCHUP_N; $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg); SERVER_CPUS=${SERVER_CPUS:-unpinned}"
# The nodes' AOT cache (bin/jvm-options; ensure_jar records it, TANDEM_AOT=0 runs without): what they start with.
say "tandem JVM: ${JVM_OPTS[*]}"
say "redis: primary + 2 replicas (--save \"\" --appendonly no)"
start_redis_set
REDIS_PIDS=("${SRV_PIDS[@]}")
say "redis on ${RP[*]}; pids ${REDIS_PIDS[*]}"

say "== async"
measured redis-warm warm "${RP[0]}"
for r in $(seq 1 "$REPS"); do
  measured redis-async-c50 rb redis async c50 "$r" "${RP[0]}"
  measured redis-async-P16 rb redis async P16 "$r" "${RP[0]}" -P 16
done
measured redis-async-c1 wb redis async plain-c1 1 "${RP[0]}" 1 "$WAIT_OPS_C1" 0
measured redis-lag lag redis async "${RP[0]}" "${RP[1]}" "${RP[2]}"

start_tandem_set "$WORK/tandem-async" async
measured tandem-warm warm "${TP[0]}"
for r in $(seq 1 "$REPS"); do
  measured tandem-async-c50 rb tandem async c50 "$r" "${TP[0]}"
  measured tandem-async-P16 rb tandem async P16 "$r" "${TP[0]}" -P 16
done
measured tandem-async-c1 wb tandem async plain-c1 1 "${TP[0]}" 1 "$WAIT_OPS_C1" 0
measured tandem-async-wait1-c16 wb tandem async wait1-c16 1 "${TP[0]}" 16 "$WAIT_OPS_C16" 1
measured tandem-async-wait1-c1 wb tandem async wait1-c1 1 "${TP[0]}" 1 "$WAIT_OPS_C1" 1
measured tandem-lag lag tandem async "${TP[0]}" "${TP[1]}" "${TP[2]}"
stop_tandem_set

say "== semi-sync 1 (Redis: SET + WAIT 1 100)"
redis_on
for r in $(seq 1 "$REPS"); do
  measured redis-wait1-c16 wb redis semi-sync wait1-c16 "$r" "${RP[0]}" 16 "$WAIT_OPS_C16" 1
  measured redis-wait1-c1 wb redis semi-sync wait1-c1 "$r" "${RP[0]}" 1 "$WAIT_OPS_C1" 1
done
for policy in "semi-sync 1" quorum; do
  mode="${policy// /-}"
  [[ "$mode" == quorum ]] && say "== quorum (with 3 nodes: the leader and 1 follower; Redis: WAIT 1)"
  start_tandem_set "$WORK/tandem-$mode" "$policy"
  measured "tandem-$mode-warm" warm "${TP[0]}"
  for r in $(seq 1 "$REPS"); do
    measured "tandem-$mode-c16" wb tandem "$mode" set-c16 "$r" "${TP[0]}" 16 "$WAIT_OPS_C16" 0
    measured "tandem-$mode-c1" wb tandem "$mode" set-c1 "$r" "${TP[0]}" 1 "$WAIT_OPS_C1" 0
  done
  measured "tandem-$mode-c50" rb tandem "$mode" c50 1 "${TP[0]}"
  measured "tandem-$mode-lag" lag tandem "$mode" "${TP[0]}" "${TP[1]}" "${TP[2]}"
  stop_tandem_set
done

say "== all (Redis: SET + WAIT 2 100)"
redis_on
for r in $(seq 1 "$REPS"); do
  measured redis-wait2-c16 wb redis all wait2-c16 "$r" "${RP[0]}" 16 "$WAIT_OPS_C16" 2
  measured redis-wait2-c1 wb redis all wait2-c1 "$r" "${RP[0]}" 1 "$WAIT_OPS_C1" 2
done
start_tandem_set "$WORK/tandem-all" all
measured tandem-all-warm warm "${TP[0]}"
for r in $(seq 1 "$REPS"); do
  measured tandem-all-c16 wb tandem all set-c16 "$r" "${TP[0]}" 16 "$WAIT_OPS_C16" 0
  measured tandem-all-c1 wb tandem all set-c1 "$r" "${TP[0]}" 1 "$WAIT_OPS_C1" 0
done
measured tandem-all-c50 rb tandem all c50 1 "${TP[0]}"
measured tandem-all-lag lag tandem all "${TP[0]}" "${TP[1]}" "${TP[2]}"
stop_tandem_set

say "== catch-up: a follower $CATCHUP_N entries behind"
start_tandem_set "$WORK/tandem-catchup" async
n3_dir="$WORK/tandem-catchup/n3"
stop_pid "${TPIDS[2]}"; SRV_PIDS=("${TPIDS[0]}" "${TPIDS[1]}"); SRV_NAMES=(leader follower2)
n3_applied_before="$(info_field "${TP[0]}" replication master_repl_offset)"
bytes0="$(info_field "${TP[0]}" persistence wal_bytes_written)"
say "n3 stopped at LSN $n3_applied_before; writing $CATCHUP_N SETs to the leader (-P 16, random keys)"
measured tandem-catchup-writes timeout $((STEP_S * 3)) redis-benchmark -p "${TP[0]}" -c 50 -n "$CATCHUP_N" -d 100 \
  -t set -P 16 -r 1000000 -q
target="$(info_field "${TP[0]}" replication master_repl_offset)"
bytes1="$(info_field "${TP[0]}" persistence wal_bytes_written)"
log_bytes=$((bytes1 - bytes0))
# n2 finishes its own share first, so that it does not compete with n3's catch-up for the CPU.
timeout "$STEP_S" python3 "$BENCH_DIR/catchup_wait.py" "${TP[1]}" "$target" "$(date +%s.%N)" --timeout "$STEP_S" >/dev/null
say "leader at LSN $target, $log_bytes log bytes for n3 to fetch; restarting n3"
mapfile -t n3_args < <(tandem_node_args 2 async)
start_epoch="$(date +%s.%N)"
TANDEM_JAVA_OPTS="${TANDEM_JAVA_OPTS:-} -Xlog:gc:file=$WORK/n3-restarted-gc.log" \
  spawn_tandem "${TP[2]}" "$n3_dir" "${n3_args[@]}"
TPIDS[2]="$LAST_PID"; SRV_PIDS+=("$LAST_PID"); SRV_NAMES+=(follower3)
line="$(measured tandem-catchup timeout $((STEP_S * 3)) python3 "$BENCH_DIR/catchup_wait.py" "${TP[2]}" "$target" \
  "$start_epoch" --timeout $((STEP_S * 3)) --from-offset "$n3_applied_before" || true)"
echo "$line"
catchup="$(grep '^catchup' <<<"$line" || echo "catchup failed")"
n3_bytes="$(info_field "${TP[2]}" persistence wal_bytes_written)"
echo "server=tandem mode=catchup entries=$((target - n3_applied_before)) leader_log_bytes=$log_bytes follower_log_bytes_written=${n3_bytes:-?} $catchup" \
  "$(gc_summary "$WORK/n3-restarted-gc.log" 0)" | tee -a "$RES"
stop_tandem_set

# A running follower that fell behind (a stall, a slow link) rather than a restarted one: n3 warm, then
# stopped (SIGSTOP) while the writes go to the leader, then resumed. Fresh set: every write is a new key.
say "== catch-up of a paused follower: n3 stopped (SIGSTOP) for $CATCHUP_N SETs, then resumed"
N3_JAVA_OPTS="-Xlog:gc:file=$WORK/n3-paused-gc.log" start_tandem_set "$WORK/tandem-paused" async
warm "${TP[0]}"
target="$(info_field "${TP[0]}" replication master_repl_offset)"
timeout "$STEP_S" python3 "$BENCH_DIR/catchup_wait.py" "${TP[2]}" "$target" "$(date +%s.%N)" --timeout "$STEP_S" >/dev/null
paused_from="$target"
bytes0="$(info_field "${TP[0]}" persistence wal_bytes_written)"
kill -STOP "${TPIDS[2]}"
measured tandem-paused-writes timeout $((STEP_S * 3)) redis-benchmark -p "${TP[0]}" -c 50 -n "$CATCHUP_N" -d 100 \
  -t set -P 16 -r 1000000 -q
target="$(info_field "${TP[0]}" replication master_repl_offset)"
log_bytes=$(( $(info_field "${TP[0]}" persistence wal_bytes_written) - bytes0 ))
timeout "$STEP_S" python3 "$BENCH_DIR/catchup_wait.py" "${TP[1]}" "$target" "$(date +%s.%N)" --timeout "$STEP_S" >/dev/null
gc_before="$(gc_lines "$WORK/n3-paused-gc.log")"
start_epoch="$(date +%s.%N)"
kill -CONT "${TPIDS[2]}"
line="$(measured tandem-paused-catchup timeout $((STEP_S * 3)) python3 "$BENCH_DIR/catchup_wait.py" "${TP[2]}" \
  "$target" "$start_epoch" --timeout $((STEP_S * 3)) --from-offset "$paused_from" || true)"
echo "$line"
echo "server=tandem mode=catchup-paused entries=$((target - paused_from)) log_bytes=$log_bytes" \
  "$(grep '^catchup' <<<"$line" || echo "catchup failed")" "$(gc_summary "$WORK/n3-paused-gc.log" "$gc_before")" \
  | tee -a "$RES"
stop_tandem_set

say "redis: replica 2 restarted after $CATCHUP_N SETs (it restarts empty: a full resync, for reference)"
redis_on
stop_pid "${REDIS_PIDS[2]}"
roff0="$(info_field "${RP[0]}" replication master_repl_offset)"
timeout $((STEP_S * 3)) redis-benchmark -p "${RP[0]}" -c 50 -n "$CATCHUP_N" -d 100 -t set -P 16 -r 1000000 -q >/dev/null
rtarget="$(info_field "${RP[0]}" replication master_repl_offset)"
start_epoch="$(date +%s.%N)"
spawn_redis "${RP[2]}" "$WORK/redis/r2" --save "" --appendonly no --replicaof 127.0.0.1 "${RP[0]}"
REDIS_PIDS[2]="$LAST_PID"
rline="$(timeout $((STEP_S * 3)) python3 "$BENCH_DIR/catchup_wait.py" "${RP[2]}" "$rtarget" "$start_epoch" \
  --timeout $((STEP_S * 3)) || true)"
# What the replica received over its link: the (diskless) RDB plus the stream after it.
repl_bytes="$(info_field "${RP[2]}" stats total_net_repl_input_bytes)"
echo "server=redis mode=catchup stream_bytes=$((rtarget - roff0)) repl_input_bytes=${repl_bytes:-?} $rline" | tee -a "$RES"

say "redis: replica 2 stopped (SIGSTOP) for $CATCHUP_N SETs to an emptied keyspace, then resumed"
redis_on
redis-cli -p "${RP[0]}" flushall >/dev/null
warm "${RP[0]}"
roff0="$(info_field "${RP[0]}" replication master_repl_offset)"
timeout "$STEP_S" python3 "$BENCH_DIR/catchup_wait.py" "${RP[2]}" "$roff0" "$(date +%s.%N)" --timeout "$STEP_S" >/dev/null
kill -STOP "${REDIS_PIDS[2]}"
timeout $((STEP_S * 3)) redis-benchmark -p "${RP[0]}" -c 50 -n "$CATCHUP_N" -d 100 -t set -P 16 -r 1000000 -q >/dev/null
rtarget="$(info_field "${RP[0]}" replication master_repl_offset)"
start_epoch="$(date +%s.%N)"
kill -CONT "${REDIS_PIDS[2]}"
rline="$(measured redis-paused-catchup timeout $((STEP_S * 3)) python3 "$BENCH_DIR/catchup_wait.py" "${RP[2]}" \
  "$rtarget" "$start_epoch" --timeout $((STEP_S * 3)) --from-offset "$roff0" || true)"
echo "$rline"
# Its primary kept the stream in the replica's output buffer (within client-output-buffer-limit): no resync.
echo "server=redis mode=catchup-paused stream_bytes=$((rtarget - roff0)) sync_full=$(info_field "${RP[0]}" stats sync_full)" \
  "$(grep '^catchup' <<<"$rline" || echo "catchup failed")" | tee -a "$RES"

echo
echo "== SUMMARY (compare-replication.sh, Redis $(redis-server --version | awk '{print $3}' | cut -d= -f2)," \
  "tandem $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cpus, QUICK=$QUICK N=$N REPS=$REPS," \
  "Tandem fsync=$FSYNC ack-level=$ACK_LEVEL, servers ${SERVER_CPUS:+pinned to cpus $SERVER_CPUS}${SERVER_CPUS:-unpinned})"
cat "$RES"
python3 "$BENCH_DIR/replication_summary.py" "$RES"
