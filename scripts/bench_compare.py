#!/usr/bin/env python3
"""Side-by-side table of two criterion outputs (`cargo bench --bench pipeline` logs).

Usage: scripts/bench_compare.py BEFORE.txt AFTER.txt
Prints a Markdown table: benchmark, median before, median after, speed-up.
"""
import re
import sys

UNITS = {"ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}
LINE = re.compile(r"(scale_\d+/\w+/\d+)\s+time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]")


def medians(path):
    text = open(path, encoding="utf-8").read()
    return {name: float(value) * UNITS[unit] for name, value, unit in LINE.findall(text)}


def fmt(us):
    return f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.1f} µs"


def main():
    before, after = medians(sys.argv[1]), medians(sys.argv[2])
    print("| benchmark | before | after | speed-up |")
    print("|---|---:|---:|---:|")
    for name, value in after.items():
        old = before.get(name)
        if old is None:
            print(f"| `{name}` | — | {fmt(value)} | new |")
        else:
            print(f"| `{name}` | {fmt(old)} | {fmt(value)} | {old / value:.1f}× |")


if __name__ == "__main__":
    main()
