#!/usr/bin/env bash
# compare-redis.sh - Tandem side by side with a real Redis 7 on this machine, loopback only.
#
#   bench/compare-redis.sh [quick]
#
# Starts each server itself in a fresh mktemp dir on free ports, stops them by PID, and prints a
# SUMMARY with the ratios docs/benchmarks.md reports:
#   1. fsync before ack:  Tandem --fsync batch   vs Redis appendonly yes, appendfsync always
#   2. no persistence:    Tandem --fsync never   vs Redis --save "" --appendonly no
#   each with redis-benchmark -c 50 -n 200000 -d 100 -t set,get,incr,hset, plain and -P 16,
#   after one warm-up pass per server (the JVM compiles its hot paths during the first seconds);
#   3. memory: 10^6 keys with 100-byte values loaded through redis-cli --pipe; Tandem RSS vs Redis
#      used_memory_rss;
#   4. recovery: Tandem restarted on its 10^6-entry log; entries/s from its recovery log line.
# Needs redis-server, redis-tools, python3. "quick" runs each figure once with fewer requests.
# Servers are started and stopped through bench/lib.sh (shared with compare-replication.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
N="${N:-200000}"
REPS="${REPS:-2}"
if [[ "${1:-}" == quick ]]; then N=50000; REPS=1; fi
ensure_jar

warm() { redis-benchmark -p "$1" -c 50 -n "$N" -d 100 -t set,get,incr,hset -q >/dev/null 2>&1; redis-benchmark -p "$1" -c 50 -n "$N" -d 100 -t set,get -P 16 -q >/dev/null 2>&1; }

pair() { # title tandem_fsync redis_args...
  local title="$1" fsync="$2" rp tp; shift 2
  echo "== $title"
  rp="$(free_port)"; start_redis "$rp" "$WORK/redis-$fsync" "$@"; warm "$rp"
  for r in $(seq 1 "$REPS"); do bench "redis [$title] run$r" "$rp"; bench "redis [$title] -P16 run$r" "$rp" -P 16; done
  stop_last
  tp="$(free_port)"; start_tandem "$tp" "$WORK/tandem-$fsync" --admin-port -1 --fsync "$fsync"; warm "$tp"
  for r in $(seq 1 "$REPS"); do bench "tandem [$title] run$r" "$tp"; bench "tandem [$title] -P16 run$r" "$tp" -P 16; done
  stop_last
}

pair "fsync-before-ack" batch --appendonly yes --appendfsync always --save ""
pair "no-persistence" never --save "" --appendonly no

echo "== memory: 10^6 keys, 100-byte values"
python3 - "$WORK/load.resp" <<'PY'
import sys
value = b"x" * 100
with open(sys.argv[1], "wb") as f:
    for i in range(1_000_000):
        key = b"key:%012d" % i
        f.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$100\r\n%s\r\n" % (len(key), key, value))
PY
rp="$(free_port)"; start_redis "$rp" "$WORK/redis-mem" --save '' --appendonly no
redis-cli -p "$rp" --pipe < "$WORK/load.resp" >/dev/null
sleep 10   # the same idle time as Tandem gets below
redis_rss="$(redis-cli -p "$rp" INFO memory | tr -d '\r' | awk -F: '/^used_memory_rss:/ {print $2}')"
redis_keys="$(redis-cli -p "$rp" DBSIZE)"
stop_last
tp="$(free_port)"; start_tandem "$tp" "$WORK/tandem-mem" --admin-port -1 --fsync never
redis-cli -p "$tp" --pipe < "$WORK/load.resp" >/dev/null
tandem_keys="$(redis-cli -p "$tp" DBSIZE)"
tandem_peak="$(redis-cli -p "$tp" INFO memory | tr -d '\r' | awk -F: '/^used_memory_rss:/ {print $2}')"
sleep 10   # idle: the JVM's periodic GC returns the load's garbage headroom to the OS
tandem_rss="$(redis-cli -p "$tp" INFO memory | tr -d '\r' | awk -F: '/^used_memory_rss:/ {print $2}')"
printf "memory redis keys=%s used_memory_rss=%s  tandem keys=%s rss_right_after_load=%s rss_idle_10s=%s  ratio_idle=%.2f ratio_right_after_load=%.2f\n" \
  "$redis_keys" "$redis_rss" "$tandem_keys" "$tandem_peak" "$tandem_rss" \
  "$(python3 -c "print($tandem_rss/$redis_rss)")" "$(python3 -c "print($tandem_peak/$redis_rss)")" | tee -a "$RES"
stop_last

echo "== recovery: restart on the 10^6-entry log"
: > "$WORK/tandem-mem.log"   # only this start's lines
start_tandem "$tp" "$WORK/tandem-mem" --admin-port -1 --fsync never
grep -h "replayed" "$WORK/tandem-mem.log" | tail -2 | sed 's/^/recovery /' | tee -a "$RES"
stop_last

echo
echo "== SUMMARY (compare-redis.sh, $(redis-server --version | awk '{print $3}'), $(nproc) cpus, N=$N)"
cat "$RES"
python3 - "$RES" <<'PY'
import re, sys, collections
best = collections.defaultdict(float)
for line in open(sys.argv[1]):
    m = re.match(r"(redis|tandem) \[(\S+)\]( -P16)? run\d+\s+(\S+)\s+ops/s=\s*([\d.]+)", line)
    if m:
        key = (m.group(1), m.group(2), bool(m.group(3)), m.group(4))
        best[key] = max(best[key], float(m.group(5)))
print("\nratios (best run of each; tandem / redis):")
for (srv, title, p16, test), v in sorted(best.items()):
    if srv != "tandem":
        continue
    r = best.get(("redis", title, p16, test))
    if r:
        print(f"  {title:18} {'-P16' if p16 else 'c50 ':5} {test:5} tandem={v:>10.0f} redis={r:>10.0f} ratio={v/r:.2f}")
PY
