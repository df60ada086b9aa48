#!/usr/bin/env python3
"""What writing to memory the process has never touched costs on this machine, against memory it has.

Why it matters here: this machine kind is a nested VM with free page reporting (the kernel's command line has
page_reporting.page_reporting_order=11; dmesg says "Free page reporting enabled"), so a page the guest hands
out fresh may have been given back to the host, and its first write then faults in the host as well. A node
pays that on every page its log adds to the page cache and every page its heap grows by (docs/benchmarks.md,
sixth session). Redis without persistence adds no page cache.

Usage: bench/first-touch.py [MB ...]   (default: 512 512 2048); prints microseconds per 4 KiB page.
"""
import mmap
import os
import sys
import time

PAGE = 4096


def touch(region, size, value):
    for offset in range(0, size, PAGE):
        region[offset] = value


def measure(megabytes):
    size = megabytes << 20
    region = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    try:
        pages = size // PAGE
        started, cpu = time.perf_counter(), os.times()
        touch(region, size, 1)
        first, first_cpu = time.perf_counter() - started, os.times()
        started = time.perf_counter()
        touch(region, size, 2)
        second = time.perf_counter() - started
        system = first_cpu.system - cpu.system
        print(f"{megabytes} MB: first write {first / pages * 1e6:.2f} us/page "
              f"(system {system / pages * 1e6:.2f}), second write {second / pages * 1e6:.2f} us/page")
    finally:
        region.close()


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["512", "512", "2048"]:
        measure(int(arg))
