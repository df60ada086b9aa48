#!/usr/bin/env python3
"""replication_summary.py RESULTS - the SUMMARY table of compare-replication.sh.

Reads the result lines the script wrote (key=value tokens; see compare-replication.sh) and prints, per
mode, Tandem's figure next to Redis's, their ratio and issue 3's target. Throughput: the best run of
each (its p50/p99 beside it); ratio = Tandem / Redis ops/s. Latencies (lag): ratio = Tandem / Redis,
lower is better.
"""
import re
import sys
from collections import defaultdict


def tokens(line):
    line = re.sub(r"=\s+", "=", line)
    return dict(re.findall(r"([\w/]+)=(\S+)", line))


def main(path):
    runs = defaultdict(list)     # (server, mode, test) -> [ {ops, p50_us, p99_us} ]
    lags = defaultdict(list)     # (server, mode) -> [ {median_us, p99_us, replica} ]
    catchup = {}
    cpu = []
    for line in open(path):
        line = line.rstrip("\n")
        t = tokens(line)
        if line.startswith("cpu "):
            cpu.append(line[4:])
            continue
        server, mode, test = t.get("server"), t.get("mode"), t.get("test")
        if not server:
            continue
        if mode in ("catchup", "catchup-paused"):
            catchup[(server, mode)] = t
        elif test == "lag":
            m = re.search(r"replica:(\d+)", line)
            if "median_us" in t:
                lags[(server, mode)].append({"replica": m.group(1) if m else "?",
                                             "median": float(t["median_us"]), "p99": float(t["p99_us"])})
        elif "ops/s" in t:  # redis-benchmark, latencies in ms
            runs[(server, mode, test)].append({"ops": float(t["ops/s"]), "p50": float(t["p50_ms"]) * 1e3,
                                               "p99": float(t["p99_ms"]) * 1e3})
        elif "ops_per_s" in t:  # resp_wait_bench, latencies in us
            runs[(server, mode, test)].append({"ops": float(t["ops_per_s"]), "p50": float(t["p50_us"]),
                                               "p99": float(t["p99_us"]), "errors": int(t.get("errors", 0)),
                                               "short": int(t.get("short_acks", 0))})

    def best(key):
        r = runs.get(key)
        return max(r, key=lambda x: x["ops"]) if r else None

    def fmt(b):
        if not b:
            return "-"
        s = f"{b['ops']:,.0f} ({b['p50']:.0f} / {b['p99']:.0f} us)"
        if b.get("errors") or b.get("short"):
            s += f" [errors {b.get('errors', 0)}, short acks {b.get('short', 0)}]"
        return s

    rows = []

    def row(mode, figure, tkey, rkey, target=""):
        t, r = best(tkey), best(rkey) if rkey else None
        ratio = f"{t['ops'] / r['ops']:.2f}" if t and r and r["ops"] else "-"
        verdict = ""
        if target and ratio != "-":
            verdict = " ok" if float(ratio) >= float(target.split()[-1]) else " MISSED"
        rows.append((mode, figure, fmt(t), fmt(r), ratio, target + verdict))

    row("async", "redis-benchmark -c 50 -d 100 SET", ("tandem", "async", "c50"), ("redis", "async", "c50"), ">= 1.0")
    row("async", "same, -P 16", ("tandem", "async", "P16"), ("redis", "async", "P16"), ">= 0.5")
    row("async", "plain SET, 1 conn", ("tandem", "async", "plain-c1"), ("redis", "async", "plain-c1"))
    row("async", "SET + WAIT 1 100, 16 conns", ("tandem", "async", "wait1-c16"), ("redis", "semi-sync", "wait1-c16"))
    row("async", "SET + WAIT 1 100, 1 conn", ("tandem", "async", "wait1-c1"), ("redis", "semi-sync", "wait1-c1"))
    for mode, label, redis_mode, wait in (("semi-sync-1", "semi-sync 1", "semi-sync", "wait1"),
                                          ("quorum", "quorum", "semi-sync", "wait1"),
                                          ("all", "all", "all", "wait2")):
        target = ">= 1.5" if mode == "semi-sync-1" else ""
        n = wait[-1]
        row(label, f"16 conns: Tandem SET vs Redis SET+WAIT {n} 100", ("tandem", mode, "set-c16"),
            ("redis", redis_mode, f"{wait}-c16"), target)
        row(label, f"1 conn: Tandem SET vs Redis SET+WAIT {n} 100", ("tandem", mode, "set-c1"),
            ("redis", redis_mode, f"{wait}-c1"), target)
        row(label, "redis-benchmark -c 50 -d 100 SET", ("tandem", mode, "c50"), None)

    redis_lag = lags.get(("redis", "async"), [])
    for mode, label in (("async", "async"), ("semi-sync-1", "semi-sync 1"), ("quorum", "quorum"), ("all", "all")):
        for i, t in enumerate(lags.get(("tandem", mode), [])):
            r = redis_lag[i] if mode == "async" and i < len(redis_lag) else None
            for stat in ("median", "p99"):
                ratio = f"{t[stat] / r[stat]:.2f}" if r else "-"
                target = ""
                if r:
                    target = "<= 1.0" + (" ok" if t[stat] <= r[stat] else " MISSED")
                rows.append((label, f"lag SET->visible on follower {i + 1}, {stat}", f"{t[stat]:.0f} us",
                             f"{r[stat]:.0f} us" if r else "-", ratio, target))

    t = catchup.get(("tandem", "catchup"))
    if t and "caught_up_s" in t:
        nbytes = int(t["leader_log_bytes"])
        whole = float(t["caught_up_s"])
        shipping = whole - float(t["ready_s"])
        mbps = nbytes / 1e6 / shipping if shipping > 0 else 0
        rows.append(("catch-up", f"{int(t['entries']):,} entries, {nbytes / 1e6:.1f} MB of log: MB/s from the"
                     f" follower answering PING to caught up ({shipping:.2f} s)", f"{mbps:.0f} MB/s", "-", "-",
                     ">= 100 MB/s" + (" ok" if mbps >= 100 else " MISSED")))
        rows.append(("catch-up", "same, from the follower's launch (JVM start and its own recovery included)",
                     f"{nbytes / 1e6 / whole:.0f} MB/s ({whole:.2f} s)", "-", "-", ""))
        first = float(t.get("first_progress_s", -1))
        if first > 0 and whole > first:
            rows.append(("catch-up", "same, from its first applied entry (the first batch's JIT-cold start"
                         " excluded)", f"{nbytes / 1e6 / (whole - first):.0f} MB/s ({whole - first:.2f} s)", "-",
                         "-", ""))
    elif t:
        rows.append(("catch-up", "tandem follower", "did not catch up: " + " ".join(f"{k}={v}" for k, v in t.items()),
                     "-", "-", ">= 100 MB/s MISSED"))
    r = catchup.get(("redis", "catchup"))
    if r and "caught_up_s" in r:
        got = r.get("repl_input_bytes", "?")
        got_mb = f"{int(got) / 1e6:.1f} MB received (RDB + stream)" if got.isdigit() else "bytes received unknown"
        rows.append(("catch-up", "Redis replica restarted (full resync: it restarts empty), launch to caught up",
                     "-", f"{float(r['caught_up_s']):.2f} s ({got_mb}; the writes were {int(r['stream_bytes']) / 1e6:.1f}"
                     " MB of command stream)", "-", "reference"))

    t, r = catchup.get(("tandem", "catchup-paused")), catchup.get(("redis", "catchup-paused"))
    if t or r:
        done_t = t is not None and "caught_up_s" in t
        done_r = r is not None and "caught_up_s" in r
        tandem = "did not catch up"
        if done_t:
            mbps = int(t["log_bytes"]) / 1e6 / float(t["caught_up_s"])
            tandem = f"{mbps:.0f} MB/s of log ({float(t['caught_up_s']):.2f} s)"
        redis = "did not catch up"
        if done_r:
            redis = (f"{int(r['stream_bytes']) / 1e6 / float(r['caught_up_s']):.0f} MB/s of stream"
                     f" ({float(r['caught_up_s']):.2f} s)")
        ratio = f"{float(r['caught_up_s']) / float(t['caught_up_s']):.2f}" if done_t and done_r else "-"
        entries = f"{int(t['entries']):,} " if t else ""
        rows.append(("catch-up", f"a paused (SIGSTOP) warm follower, {entries}writes to new keys: resumed to"
                     " caught up (ratio: Redis's time / Tandem's)", tandem, redis, ratio,
                     ">= 100 MB/s" + (" ok" if done_t and mbps >= 100 else " MISSED")))

    # n3's collections (compare-replication.sh's gc_summary): many concurrent cycles mean it regrew a heap that a
    # periodic collection had shrunk, which is what slows a catch-up most.
    for mode, when in (("catchup", "since its launch"), ("catchup-paused", "from SIGCONT")):
        t = catchup.get(("tandem", mode))
        if t and "n3_gc_pauses" in t:
            rows.append(("catch-up", f"{'restarted' if mode == 'catchup' else 'paused'} follower's collections,"
                         f" {when}", f"{t['n3_gc_pauses']} pauses, {t['n3_gc_pause_ms']} ms; {t['n3_gc_cycles']}"
                         f" concurrent cycles, {t['n3_gc_periodic']} periodic", "-", "-", ""))

    head = ("mode", "figure", "Tandem ops/s (p50 / p99)", "Redis ops/s (p50 / p99)", "ratio", "target")
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for rw in rows:
        print("| " + " | ".join(rw) + " |")
    if cpu:
        print("\nwhere the CPU went (percent of one core over each step; machine_busy of all cores,"
              " other = processes not ours):")
        for c in cpu:
            print("  " + c.split(" ops=")[0])
        per_op = [c for c in cpu if "cpu_us_per_op:" in c]
        if per_op:
            print("\nserver CPU per operation, microseconds (all servers of the set, then each; 10 ms tick"
                  " resolution, so short QUICK steps are coarse):")
            for c in per_op:
                step = c.split()[0].split("=", 1)[1]
                ops = c.split(" ops=")[1].split()[0]
                each = dict(re.findall(r"(\w+)=([\d.]+)", c.split("cpu_us_per_op:")[1]))
                total = sum(float(v) for v in each.values())
                print(f"  {step:26} ops={ops:>8} total={total:7.1f}  " + " ".join(f"{k}={v}" for k, v in each.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
