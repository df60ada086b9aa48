#!/usr/bin/env bash
# first-request.sh - a client's first request on a new connection, Tandem against Redis, after the usual warm-up
# (one lone node each, fsync never, no persistence for Redis). Per gap between connections, the medians of
# connecting and of each of six requests (bench/first_request.py).
#
#   bench/first-request.sh                 # CONNECTIONS=100, GAPS="0 0.005 0.02"
#   CHURN=3000 bench/first-request.sh      # also open CHURN connections first (the accept path then compiled)
#
# Ports are picked free; everything started is stopped by PID on exit (bench/lib.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap lib_cleanup EXIT
ensure_jar
read -r TP RP <<< "$(free_ports 2)"
start_tandem "$TP" "$WORK/tandem" --fsync never --admin-port -1 --snapshot-after-log-bytes 0
start_redis "$RP" "$WORK/redis" --save "" --appendonly no
for port in "$TP" "$RP"; do
  redis-benchmark -p "$port" -c 50 -n 200000 -d 100 -t set -q > /dev/null
  if (( ${CHURN:-0} > 0 )); then
    python3 "$ROOT/bench/first_request.py" "$port" "$CHURN" 0 > /dev/null
  fi
done
for gap in ${GAPS:-0 0.005 0.02}; do
  echo "gap ${gap} s, tandem: $(python3 "$ROOT/bench/first_request.py" "$TP" "${CONNECTIONS:-100}" "$gap")"
  echo "gap ${gap} s, redis:  $(python3 "$ROOT/bench/first_request.py" "$RP" "${CONNECTIONS:-100}" "$gap")"
done
