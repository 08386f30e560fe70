#!/usr/bin/env python3
"""A bounded load test of `quadform serve` (docs/serve.md): starts the server on a free loopback
port, sends a fixed number of requests (default 300) from a few concurrent clients, stops the
server, and prints latency percentiles per route and the failures (there should be none).

    python3 bench/serve_load.py [--requests 300] [--clients 8] [--binary .build/debug/quadform]

Only loopback is contacted (the server on 127.0.0.1; each client thread sends from its own
loopback source address 127.0.0.2, 127.0.0.3, …, so the server's per-client limit of 4
computations sees 8 clients, as it would 8 people); the loop is bounded in count and by a 120 s
deadline.
"""

import argparse
import http.client
import itertools
import threading
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

MIX = [
    ("/api/synth", {"expression": "x1^2 + 3*x1*x2 + x2^2 + x3 - 5"}),
    ("/api/synth", {"expression": "x^2 + 2*x*y + y^2 + x - y", "exact": True}),
    ("/api/eval", {"expression": "x*y + 2*x - 1", "at": [3, 4]}),
    ("/api/figures", {"expression": "x^2 + 2*x*y + 3*y^2 + z"}),
    ("/api/synth", {"expression": "x^2 + x^3"}),  # a 400, answered as fast as the others
]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--binary", default=".build/debug/quadform")
    args = parser.parse_args()
    if not (1 <= args.requests <= 2000 and 1 <= args.clients <= 32):
        sys.exit("--requests must be 1…2000 and --clients 1…32")

    server = subprocess.Popen([args.binary, "serve", "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        base = re.search(r"(http://127\.0\.0\.1:\d+)/", server.stdout.readline()).group(1)
        deadline = time.monotonic() + 120

        port = int(base.rsplit(":", 1)[1])
        local = threading.local()
        numbers = itertools.count(2)

        def one(i):
            path, body = MIX[i % len(MIX)]
            if time.monotonic() > deadline:
                return path, None, 0.0
            if not hasattr(local, "source"):
                local.source = f"127.0.0.{next(numbers)}"
            start = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(local.source, 0))
                connection.request("POST", path, body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                status = response.status
                connection.close()
            except OSError:
                status = None
            label = path + (" exact" if body.get("exact") else "") + (" (400)" if status == 400 else "")
            return label, status, time.perf_counter() - start

        wall = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            results = list(pool.map(one, range(args.requests)))
        wall = time.perf_counter() - wall
    finally:
        server.terminate()
        server.wait(timeout=10)

    expected = {"/api/synth": 200, "/api/synth exact": 200, "/api/eval": 200, "/api/figures": 200, "/api/synth (400)": 400}
    failures = [r for r in results if r[1] is None or r[1] != expected.get(r[0], 200)]
    print(f"{len(results)} requests, {args.clients} clients, {wall:.1f} s, {len(results) / wall:.0f} requests/s, "
          f"{len(failures)} failures")
    print(f"{'route':<22} {'n':>4} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for route in sorted({r[0] for r in results}):
        times = [r[2] * 1000 for r in results if r[0] == route and r[1] is not None]
        if times:
            print(f"{route:<22} {len(times):>4} {percentile(times, 50):>8.1f} {percentile(times, 90):>8.1f} "
                  f"{percentile(times, 99):>8.1f} {max(times):>8.1f}")
    all_times = [r[2] * 1000 for r in results if r[1] is not None]
    print(f"{'all':<22} {len(all_times):>4} {percentile(all_times, 50):>8.1f} {percentile(all_times, 90):>8.1f} "
          f"{percentile(all_times, 99):>8.1f} {max(all_times):>8.1f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
