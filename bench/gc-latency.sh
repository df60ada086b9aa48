#!/usr/bin/env bash
# gc-latency.sh - write latency and memory of one Tandem node under a random-key SET load, with a BGSAVE.
#
#   bench/gc-latency.sh ["extra JVM options"]     e.g. bench/gc-latency.sh "-XX:+UseShenandoahGC"
#
# Loads 10^6 keys with 100-byte values (redis-cli --pipe), reports RSS right after the load and after
# 10 s idle, then runs redis-benchmark -c 50 -n 300000 -d 100 -t set -r 1000000 twice (the second with
# a BGSAVE one second in) and prints the longest GC pauses from the JVM's GC log. The JVM options go to
# bin/tandem through TANDEM_JAVA_OPTS (added after bin/tandem's own). Needs redis-tools and python3.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
PID=""
trap '[[ -n "$PID" ]] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
"$ROOT/bin/tandem" --version >/dev/null
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
python3 - "$WORK/load.resp" <<'PY'
import sys
value = b"x" * 100
with open(sys.argv[1], "wb") as f:
    for i in range(1_000_000):
        key = b"key:%012d" % i
        f.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$100\r\n%s\r\n" % (len(key), key, value))
PY
TANDEM_JAVA_OPTS="${1:-} -Xlog:gc:file=$WORK/gc.log" "$ROOT/bin/tandem" node --port "$PORT" --admin-port -1 \
  --data-dir "$WORK/data" --fsync batch > "$WORK/node.log" 2>&1 &
PID=$!
for _ in $(seq 1 300); do redis-cli -p "$PORT" PING 2>/dev/null | grep -q PONG && break; sleep 0.1; done
rss() { awk '/VmRSS/ {printf "%d MB", $2/1024}' "/proc/$PID/status"; }
redis-cli -p "$PORT" --pipe < "$WORK/load.resp" > /dev/null
echo "RSS right after loading 10^6 keys: $(rss)"
sleep 10
echo "RSS after 10 s idle: $(rss)"
redis-cli -p "$PORT" CONFIG SET snapshot-after-log-bytes 0 > /dev/null
echo "SET, random keys: $(redis-benchmark -p "$PORT" -c 50 -n 300000 -d 100 -t set -r 1000000 --csv | tail -1)"
(sleep 1; redis-cli -p "$PORT" BGSAVE > /dev/null) & BG=$!
echo "SET with a BGSAVE: $(redis-benchmark -p "$PORT" -c 50 -n 300000 -d 100 -t set -r 1000000 --csv | tail -1)"
wait "$BG"
echo "  (csv: test, ops/s, avg, min, p50, p95, p99, max ms)"
echo "RSS after the writes: $(rss)"
redis-cli -p "$PORT" INFO persistence | tr -d '\r' | grep -E '^snapshot_(last_pause_us|last_duration_ms)'
echo "longest GC pauses: $(grep Pause "$WORK/gc.log" | grep -oE '[0-9.]+ms$' | sort -n -r | head -5 | tr '\n' ' ')"
