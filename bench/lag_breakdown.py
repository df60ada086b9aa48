#!/usr/bin/env python3
"""lag_breakdown.py - where the single-write lag goes: repl_lag.py's probe, split into its parts.

    bench/lag_breakdown.py PRIMARY_PORT REPLICA_PORT [REPLICA_PORT ...] [--probes 1000]

For each replica, PROBES times: SET a fresh key on the primary, then GET it on the replica until it shows
(bounded: 10 s per probe). Prints per replica the total (what repl_lag.py reports: SET sent -> value seen),
the SET's round trip, one GET's round trip, and how often the first GET already saw the write (when it
did not, the probe pays a second GET round trip). repl_lag.py's own probe and Conn are reused, so the
figures are comparable with it. Works against any RESP server: run it on Redis and on Tandem alike.
"""
import argparse
import os
import statistics
import sys
import time

PEERS = os.environ.get("PEERS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "peers"))
sys.path.insert(0, PEERS)
from repl_lag import Conn, pct  # noqa: E402  (the peers' tool, found through PEERS)

PROBE_LIMIT_S = 10


def probe(primary, replica_port, probes):
    replica = Conn(replica_port)
    set_rtt, get_rtt, total, gets = [], [], [], []
    for i in range(probes):
        key = "lag-breakdown:%d:%d:%d" % (replica_port, i, time.time_ns())
        start = time.perf_counter()
        primary.cmd("SET", key, "1")
        acknowledged = time.perf_counter()
        tries = 0
        while True:
            before = time.perf_counter()
            value = replica.cmd("GET", key)
            get_rtt.append(time.perf_counter() - before)
            tries += 1
            if value is not None or time.perf_counter() - start > PROBE_LIMIT_S:
                break
        total.append((time.perf_counter() - start) * 1e6)
        set_rtt.append((acknowledged - start) * 1e6)
        gets.append(tries)
    first = sum(1 for t in gets if t == 1) / len(gets)
    print("replica %d: n=%d total median %.0f p99 %.0f us | SET rtt median %.0f p99 %.0f us | GET rtt median %.0f us"
          " | first GET sees the write %.1f%%, mean GETs %.2f" % (
              replica_port, probes, statistics.median(total), pct(total, .99), statistics.median(set_rtt),
              pct(set_rtt, .99), statistics.median(get_rtt) * 1e6, first * 100, sum(gets) / len(gets)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("primary", type=int)
    ap.add_argument("replicas", type=int, nargs="+")
    ap.add_argument("--probes", type=int, default=1000)
    a = ap.parse_args()
    if not 1 <= a.probes <= 1_000_000:
        ap.error("--probes must be between 1 and 1000000")
    primary = Conn(a.primary)
    for port in a.replicas:
        probe(primary, port, a.probes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
