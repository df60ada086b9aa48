#!/usr/bin/env python3
"""catchup_wait.py - how long a restarted replica takes to catch up with its primary (Tandem or Redis).

    catchup_wait.py REPLICA_PORT TARGET_OFFSET START_EPOCH_S [--timeout 120] [--from-offset N] [--trace]

Started right after the replica's process was launched (START_EPOCH_S = time.time() at the launch).
Polls the replica: first until it answers PING (ready), then INFO replication until its
slave_repl_offset reaches TARGET_OFFSET with master_link_status:up. slave_repl_offset is Redis's
processed replication offset (bytes) and Tandem's applied LSN (entries): both mean "visible to reads
here". Also notes when the offset first moved past --from-offset (the replica's position before it
was stopped), i.e. when shipping had visibly started.

Prints one line: ready_s, first_progress_s, caught_up_s (all since START_EPOCH_S) and the number of
polls. Each poll is one loopback round trip (~50-100 us), so the resolution is well under a
millisecond. Bounded by --timeout; exits 1 if the replica did not catch up in time. --trace also prints
each poll's time and offset to stderr (a stretch at one offset is the replica waiting or paused).
Plain sockets, python3 standard library (the same RESP framing as the peers' repl_lag.py).
"""
import argparse
import socket
import sys
import time


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def command(s, *args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    s.sendall(b"".join(out))
    buf = b""
    while b"\r\n" not in buf:
        d = s.recv(1 << 16)
        if not d:
            raise ConnectionError("closed")
        buf += d
    head, rest = buf.split(b"\r\n", 1)
    if head[:1] in (b"+", b":", b"-"):
        return head.decode()
    if head[:1] == b"$":
        n = int(head[1:])
        while len(rest) < n + 2:
            d = s.recv(1 << 16)
            if not d:
                raise ConnectionError("closed")
            rest += d
        return rest[:n].decode()
    raise RuntimeError("unexpected reply %r" % head)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("target", type=int)
    ap.add_argument("start", type=float)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--from-offset", type=int, default=0)
    ap.add_argument("--trace", action="store_true", help="also print each poll: seconds since START, offset")
    a = ap.parse_args()
    deadline = a.start + a.timeout
    s = None
    while s is None:
        try:
            s = connect(a.port)
            if command(s, "PING") != "+PONG":
                s.close()
                s = None
        except OSError:
            s = None
        if s is None:
            if time.time() > deadline:
                print("catchup port=%d never answered PING within %.0f s" % (a.port, a.timeout))
                return 1
            time.sleep(0.005)
    ready = time.time() - a.start
    first = None
    polls = 0
    offset = -1
    while True:
        info = command(s, "INFO", "replication")
        polls += 1
        fields = dict(ln.split(":", 1) for ln in info.split("\r\n") if ":" in ln)
        offset = int(fields.get("slave_repl_offset", "-1") or -1)
        up = fields.get("master_link_status") == "up"
        now = time.time()
        if a.trace:
            print("trace %.3f %d" % (now - a.start, offset), file=sys.stderr)
        if first is None and offset > a.from_offset:
            first = now - a.start
        if up and offset >= a.target:
            break
        if now > deadline:
            print("catchup port=%d timed_out_after_s=%.1f offset=%d target=%d" % (a.port, a.timeout, offset, a.target))
            return 1
        time.sleep(0.0005)
    print("catchup port=%d ready_s=%.3f first_progress_s=%.3f caught_up_s=%.3f offset=%d target=%d polls=%d" % (
        a.port, ready, first if first is not None else -1, now - a.start, offset, a.target, polls))
    return 0


if __name__ == "__main__":
    sys.exit(main())
