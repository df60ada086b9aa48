#!/usr/bin/env python3
"""How long a client's first requests on a new connection take, against the later ones.

Usage: bench/first_request.py PORT CONNECTIONS [GAP_SECONDS]
Opens CONNECTIONS connections one after another, GAP_SECONDS apart (default 0.02: a client that connects now
and then); on each sends six SETs one at a time, then closes it. Prints the medians and maxima of connecting
and of each of the six round trips. The first request of a connection pays for the server accepting it (the
client sends it as soon as connect() returns, before the server has taken the connection); repl_lag.py's lag
figure opens fresh connections for its measured pass, so its first probes pay it too (docs/benchmarks.md).
"""
import socket
import statistics
import sys
import time

REQUESTS = 6


def main():
    port, connections = int(sys.argv[1]), int(sys.argv[2])
    gap = float(sys.argv[3]) if len(sys.argv) > 3 else 0.02
    connect_us = []
    request_us = [[] for _ in range(REQUESTS)]
    for c in range(connections):
        started = time.perf_counter()
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connect_us.append((time.perf_counter() - started) * 1e6)
        for i in range(REQUESTS):
            key = b"first-request:%d:%d" % (c, i)
            started = time.perf_counter()
            s.sendall(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\n1\r\n" % (len(key), key))
            reply = b""
            while not reply.endswith(b"\r\n"):
                chunk = s.recv(64)
                if not chunk:
                    raise ConnectionError("closed")
                reply += chunk
            request_us[i].append((time.perf_counter() - started) * 1e6)
        s.close()
        if gap > 0:
            time.sleep(gap)
    print("connect median %.0f us; " % statistics.median(connect_us) + "; ".join(
        "request %d median %.0f max %.0f us" % (i + 1, statistics.median(r), max(r)) for i, r in enumerate(request_us)))


if __name__ == "__main__":
    main()
