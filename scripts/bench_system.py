#!/usr/bin/env python3
"""System benchmarks of adobe_status_exporter, side by side in one run (issue 6).

Usage: scripts/bench_system.py BINARY [--duration SECONDS] [--quick] [--out FILE]
         [--only SECTION]... [--baseline OLDER_BINARY] [--also BINARY]...
         [--bodies small,1x,10x] [--conns 1,16,128] [--scales 1,10,100]

Runs, on this machine and in this order:
  warm     wrk at 1/16/128 connections against the exporter (cache fresh), nginx serving the
           very same /metrics bytes (the physical limit) and Debian's prometheus-node-exporter
           (a widely used Go exporter), normalised per exposed series;
  warm-tls the exporter (and --baseline, side by side) over plain HTTP and over HTTPS (a web config
           with the TLS test certificate), keep-alive, at 1/16/128 connections;
  matrix   body sizes (a few products via --adobe.product-id, 1x ~138 KB, 10x ~1.3 MB) x plain/gzip
           x keep-alive/a new connection per request x 1/16/128 connections, each cell against the
           best of four nginx configurations (1 and 2 workers x sendfile on/off, gzip_static with the
           exporter's own gzip bytes), with --baseline (and --also) side by side;
  sweep    one keep-alive connection at 12 catalogue sizes (1 to 66 products), plain and gzip,
           OpenMetrics and text format: no size may stall;
  anchor   the 1x body, plain, keep-alive at 16 and 64 connections: the exporter next to the
           matrix's nginx configurations and tuned ones (ANCHOR_CANDIDATES), to check the
           matrix's anchor is the strongest nginx found;
  cold     scrapes that trigger a refresh, against the upstream's own latency (loopback, and
           with 100 ms injected upstream delay);
  economy  upstream requests per minute under 1, 10 and 1,000 concurrent scrapers;
  footprint  RSS idle and under load at 1x/10x/100x data (--demo.scale), scrapers asking for
           OpenMetrics (as Prometheus) and for the text format, binary size,
           start-up time to first ready.

The upstream is the exporter's own demo simulator, started as a separate process
(`--demo --demo.scale N`), so the exporter under test is measured alone.
Prints Markdown tables (the figures for BENCHMARKS.md) and writes them to --out.
"""

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from testlib import (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, OPENMETRICS_CONTENT_TYPE, SCRAPE_ACCEPT, Processes,
                     demo_command, free_port, request, upstream_flags, wait_for)

# The exporter under test gets the secret the way a deployment gives it.
EXPORTER_ENV = {"ADOBE_CLIENT_SECRET": DEMO_CLIENT_SECRET}


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(hard, 65536) if hard != resource.RLIM_INFINITY else 65536
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def get(url):
    """The body of a GET, asked for the way Prometheus asks (OpenMetrics)."""
    return request(url, headers={"Accept": SCRAPE_ACCEPT}).body


def wait_ok(url, what, process, step=0.002):
    """wait_for with the benchmark's polling: every `step` s, for up to 60 s."""
    wait_for(url, what, process, timeout=60, interval=step)


def status_kib(process, key):
    with open(f"/proc/{process.pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])  # kB
    raise KeyError(key)


def rss_mib(process):
    return status_kib(process, "VmRSS") / 1024


def peak_mib(process):
    return status_kib(process, "VmHWM") / 1024


class Bench:
    def __init__(self, binary, workdir, duration):
        self.binary = binary
        self.workdir = workdir
        self.duration = duration
        self.procs = Processes(workdir)

    def simulator(self, scale):
        """A demo process whose embedded simulator is the upstream of the exporter under test."""
        port = free_port()
        sim = self.procs.start(
            f"simulator-x{scale}",
            demo_command(
                self.binary, port, free_port(), f"--demo.scale={scale}",
                # Its own exporter side fetches once at start, then stays quiet.
                "--status.min-interval=1h", "--status.registry-interval=24h",
            ),
        )
        base = f"http://127.0.0.1:{port}"
        wait_ok(base + "/__sim/stats", "simulator", sim)
        return sim, base

    def exporter_command(self, sim_base, port, *flags):
        """The exporter against the simulator at `sim_base`, with the demo client id (and the secret
        in its environment: EXPORTER_ENV)."""
        return [self.binary, f"--adobe.client-id={DEMO_CLIENT_ID}", *upstream_flags(sim_base),
                f"--web.listen-address=127.0.0.1:{port}", *flags]

    def exporter(self, sim_base, min_interval="1h", extra=(), binary=None, name="exporter"):
        port = free_port()
        command = self.exporter_command(sim_base, port, f"--status.min-interval={min_interval}", *extra)
        if binary:
            command[0] = binary
        proc = self.procs.start(name, command, env={**EXPORTER_ENV, "RUST_LOG": "warn"})
        url = f"http://127.0.0.1:{port}"
        wait_ok(url + "/-/ready", "exporter", proc)
        return proc, url


    def nginx(self, name, body, **config):
        """An nginx process serving `body` at /metrics (`config`: the keywords of nginx()), ready."""
        conf, url = nginx(self.workdir, body, name=name, **config)
        process = self.procs.start(name, ["nginx", "-c", conf, "-e", os.path.join(self.workdir, "nginx-error.log")])
        wait_ok(url, name, process)
        return url

    def catalogue_ids(self, sim_base):
        """The product ids of the catalogue the simulator at `sim_base` serves, in exposition order."""
        _, url = self.exporter(sim_base, name="exporter-probe")
        body = get(url + "/metrics").decode()
        self.procs.stop("exporter-probe")
        return re.findall(r'^adobe_status_product_info\{product_id="([^"]+)"', body, re.M)


UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def parse_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not m:
        raise ValueError(text)
    return float(m.group(1)) * UNIT[m.group(2)]


def wrk(url, connections, duration, headers=()):
    threads = 1 if connections == 1 else 2
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    for h in headers:
        args += ["-H", h]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    transfer = re.search(r"Transfer/sec:\s+(\S+)", out).group(1)
    latency_max = parse_ms(re.search(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)", out, re.M).group(1))
    timeouts = re.search(r"timeout (\d+)", socket_errors.group(1)) if socket_errors else None
    return {
        "max": latency_max,
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
        "rps": rps,
        "p50": parse_ms(lat["50"]),
        "p99": parse_ms(lat["99"]),
        "non2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
        "transfer": transfer,
    }


def count_series(body):
    return sum(1 for line in body.decode().splitlines() if line and not line.startswith("#"))


def nginx(workdir, body, workers=2, sendfile=True, gzipped=None, name="nginx", extra="", listen=""):
    """An nginx config serving `body` at /metrics (and `gzipped`, the same text gzipped, to
    clients that accept gzip: gzip_static, so nothing is compressed per request). `extra`:
    more http-level directives; `listen`: options of the listen directive (the anchor search)."""
    root = os.path.join(workdir, "www")
    os.makedirs(root, exist_ok=True)
    # nginx workers drop privileges: the files must be world-readable.
    os.chmod(workdir, 0o755)
    os.chmod(root, 0o755)
    with open(os.path.join(root, "metrics"), "wb") as f:
        f.write(body)
    if gzipped is not None:
        with open(os.path.join(root, "metrics.gz"), "wb") as f:
            f.write(gzipped)
    port = free_port()
    conf = os.path.join(workdir, f"{name}.conf")
    with open(conf, "w") as f:
        f.write(f"""
worker_processes {workers};
daemon off;
pid {workdir}/{name}.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  sendfile {"on" if sendfile else "off"};
  {"" if "tcp_nopush" in extra else "tcp_nopush on;"}
  gzip_static {"on" if gzipped is not None else "off"};
  keepalive_requests 1000000;
  {extra}
  client_body_temp_path {workdir}/nginx-tmp;
  proxy_temp_path {workdir}/nginx-tmp;
  fastcgi_temp_path {workdir}/nginx-tmp;
  uwsgi_temp_path {workdir}/nginx-tmp;
  scgi_temp_path {workdir}/nginx-tmp;
  server {{
    listen 127.0.0.1:{port} {listen};
    root {root};
    location = /metrics {{ default_type "{OPENMETRICS_CONTENT_TYPE}"; }}
  }}
}}
""")
    return conf, f"http://127.0.0.1:{port}/metrics"


def warm(b, out):
    sim, sim_base = b.simulator(1)
    exporter, url = b.exporter(sim_base)
    body = get(url + "/metrics")
    series = count_series(body)
    nginx_url = b.nginx("nginx", body)
    node_port = free_port()
    node_exporter = b.procs.start("node-exporter", ["prometheus-node-exporter",
                                                    f"--web.listen-address=127.0.0.1:{node_port}"])
    node_url = f"http://127.0.0.1:{node_port}/metrics"
    wait_ok(node_url, "node exporter", node_exporter)
    node_body = get(node_url)
    node_series = count_series(node_body)

    targets = [
        ("nginx, same bytes (physical limit)", nginx_url, series, len(body)),
        ("adobe_status_exporter", url + "/metrics", series, len(body)),
        ("prometheus-node-exporter (Go)", node_url, node_series, len(node_body)),
    ]
    # What Prometheus sends; node exporter then answers in the OpenMetrics format too.
    accept = f"Accept: {SCRAPE_ACCEPT}"
    rows = {}
    for conns in (1, 16, 128):
        for name, target, n_series, size in targets:
            r = wrk(target, conns, b.duration, headers=[accept])
            rows[(name, conns)] = r
    out.append("## Warm scrapes (cache fresh)\n")
    out.append(f"Body: {len(body)} bytes, {series} samples (exporter at 1x); node exporter: "
               f"{len(node_body)} bytes, {node_series} samples. wrk {b.duration}s per cell, "
               "2 threads (1 at 1 connection), on the same 2 cores as the servers.\n")
    out.append("| target | conns | req/s | p50 ms | p99 ms | samples/s | vs nginx req/s | errors |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---|")
    for conns in (1, 16, 128):
        base = rows[(targets[0][0], conns)]["rps"]
        for name, _, n_series, _ in targets:
            r = rows[(name, conns)]
            err = r["non2xx"] or r["socket_errors"] or "0"
            out.append(f"| {name} | {conns} | {r['rps']:.0f} | {r['p50']:.3f} | {r['p99']:.3f} | "
                       f"{r['rps'] * n_series / 1e6:.1f} M | {r['rps'] / base:.0%} | {err} |")
    out.append("")
    exporter_rss = rss_mib(exporter)
    out.append(f"Exporter RSS after the warm runs: {exporter_rss:.1f} MiB.\n")
    b.procs.stop_all()


TLS_FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "exporter-toolkit-web",
                            "tests", "fixtures", "tls")


def warm_tls(b, out, baseline=None, rounds=3):
    """Warm scrapes over plain HTTP and HTTPS (keep-alive: one handshake per connection), the binary
    and the baseline side by side against the same simulator."""
    sim, sim_base = b.simulator(1)
    web_config = os.path.join(b.workdir, "web-tls.yml")
    with open(web_config, "w") as f:
        f.write(f"tls_server_config:\n  cert_file: {TLS_FIXTURES}/server.crt\n  key_file: {TLS_FIXTURES}/server.key\n")
    binaries = [("after", b.binary)] + ([("before", baseline)] if baseline else [])
    targets = []
    for label, binary in binaries:
        _, url = b.exporter(sim_base, binary=binary, name=f"exporter-{label}-plain")
        targets.append((f"{label}, plain", url + "/metrics"))
        port = free_port()
        command = b.exporter_command(sim_base, port, "--status.min-interval=1h", f"--web.config.file={web_config}")
        command[0] = binary
        proc = b.procs.start(f"exporter-{label}-tls", command, env={**EXPORTER_ENV, "RUST_LOG": "warn"})
        # Ready over HTTPS (curl -k: the test CA is not the system's).
        deadline = time.time() + 30
        while subprocess.run(["curl", "-sfk", f"https://127.0.0.1:{port}/-/ready"], capture_output=True).returncode:
            if proc.poll() is not None or time.time() > deadline:
                sys.exit(f"exporter {label} over TLS did not get ready")
            time.sleep(0.05)
        targets.append((f"{label}, TLS", f"https://127.0.0.1:{port}/metrics"))
    accept = f"Accept: {SCRAPE_ACCEPT}"
    runs = {}
    # Rounds of every target in turn, the order rotated each round: on a shared machine the load
    # drifts, and a fixed order favours whoever runs first.
    for conns in (1, 16, 128):
        for round_ in range(rounds):
            turn = targets[round_ % len(targets):] + targets[:round_ % len(targets)]
            for name, url in turn:
                runs.setdefault((name, conns), []).append(wrk(url, conns, b.duration, headers=[accept]))
    out.append("## Warm scrapes, plain and TLS\n")
    out.append(f"Keep-alive, wrk {b.duration}s per cell, 2 threads (1 at 1 connection), the same simulator "
               f"behind every target; TLS: the ECDSA P-256 test certificate, TLS 1.3. Median of {rounds} "
               "rounds (the targets in turn, rotated each round), with the range of req/s.\n")
    out.append("| target | conns | req/s (median) | req/s range | p50 ms (median) | p99 ms (median) | errors |")
    out.append("|---|---:|---:|---|---:|---:|---|")
    for conns in (1, 16, 128):
        for name, _ in targets:
            rs = runs[(name, conns)]
            rps = [r["rps"] for r in rs]
            err = sum(r["non2xx"] for r in rs) or "; ".join(r["socket_errors"] for r in rs if r["socket_errors"]) or "0"
            out.append(f"| {name} | {conns} | {statistics.median(rps):.0f} | {min(rps):.0f}–{max(rps):.0f} | "
                       f"{statistics.median(r['p50'] for r in rs):.3f} | "
                       f"{statistics.median(r['p99'] for r in rs):.3f} | {err} |")
    out.append("")
    b.procs.stop_all()


# The nginx configurations tried in every matrix cell; each cell's anchor is the best of them.
NGINX_CONFIGS = [(workers, sendfile) for workers in (1, 2) for sendfile in (True, False)]
MATRIX_BODIES = ("small", "1x", "10x")
MATRIX_CONNS = (1, 16, 128)
# A cell stalls when a request waits this long (a scrape of a 1.3 MB body takes ~1 ms).
STALL_MS = 1000
SMALL_PRODUCTS = 3


def nginx_name(workers, sendfile):
    return f"nginx {workers}w sendfile {'on' if sendfile else 'off'}"


def scrape_bytes(url, gzip):
    """The raw body the exporter sends to a Prometheus scrape (gzip: still compressed)."""
    headers = {"Accept": SCRAPE_ACCEPT}
    if gzip:
        headers["Accept-Encoding"] = "gzip"
    response = request(url, headers=headers)
    if gzip and response.headers.get("Content-Encoding") != "gzip":
        sys.exit(f"{url} did not answer gzip")
    return response.body


# The anchor search: configurations beyond NGINX_CONFIGS tried on the 1x body, to show none of
# them is stronger (name, workers, sendfile, extra http directives, listen options).
ANCHOR_CANDIDATES = [
    ("1w sendfile on", 1, True, "", ""),
    ("1w sendfile off", 1, False, "", ""),
    ("2w sendfile on", 2, True, "", ""),
    ("2w sendfile off", 2, False, "", ""),
    ("1w sendfile off, output_buffers 1 1m, open_file_cache", 1, False,
     "output_buffers 1 1m; open_file_cache max=16;", ""),
    ("2w sendfile off, output_buffers 1 256k, open_file_cache", 2, False,
     "output_buffers 1 256k; open_file_cache max=16;", ""),
    ("1w sendfile on, open_file_cache, sndbuf 4m", 1, True, "open_file_cache max=16;", "sndbuf=4m"),
    ("1w sendfile on, tcp_nopush off, tcp_nodelay, sendfile_max_chunk 0", 1, True,
     "tcp_nopush off; tcp_nodelay on; sendfile_max_chunk 0; open_file_cache max=16;", ""),
    ("2w sendfile on, open_file_cache, sndbuf 4m", 2, True, "open_file_cache max=16;", "sndbuf=4m"),
]
ANCHOR_CONNS = (16, 64)


def anchor(b, out):
    """Every ANCHOR_CANDIDATES nginx and the exporter on the 1x body, plain, keep-alive."""
    sim, sim_base = b.simulator(1)
    _, url = b.exporter(sim_base)
    plain = scrape_bytes(url + "/metrics", gzip=False)
    urls = {"exporter": url + "/metrics"}
    for i, (label, workers, sendfile, extra, listen) in enumerate(ANCHOR_CANDIDATES):
        urls[f"nginx {label}"] = b.nginx(f"nginx-candidate-{i}", plain, workers=workers, sendfile=sendfile,
                                         extra=extra, listen=listen)
    out.append("## The nginx anchor search (1x body, plain, keep-alive)\n")
    out.append(f"{len(plain)} bytes; wrk {b.duration} s per target and connection count, 2 threads.\n")
    out.append("| server | " + " | ".join(f"{c} conns req/s (p50 ms)" for c in ANCHOR_CONNS) + " |")
    out.append("|---|" + "---:|" * len(ANCHOR_CONNS))
    for name, target in urls.items():
        cells = []
        for conns in ANCHOR_CONNS:
            r = wrk(target, conns, b.duration, [f"Accept: {SCRAPE_ACCEPT}"])
            cells.append(f"{r['rps']:.0f} ({r['p50']:.3f})")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    out.append("")
    b.procs.stop_all()


# The stall sweep: catalogue sizes between the matrix's bodies (a stall like the 44 ms of
# Nagle + delayed ACK shows at some sizes only).
SWEEP_PRODUCTS = (1, 2, 5, 7, 9, 12, 17, 23, 31, 40, 53, 66)
# A median this slow at one connection is a stall (the Nagle one was 44 ms; a healthy scrape of
# these sizes takes well under 1 ms).
SWEEP_STALL_P50_MS = 10


def sweep(b, out):
    """One keep-alive connection against the exporter watching the first N products of the 1x
    catalogue, for every N of SWEEP_PRODUCTS, plain and gzip, OpenMetrics and text format."""
    sim, sim_base = b.simulator(1)
    ids = b.catalogue_ids(sim_base)
    out.append("## Stall sweep (one keep-alive connection, body sizes between the matrix's)\n")
    out.append(f"wrk {b.duration} s per row and column, 1 thread, 1 connection; `--adobe.product-id` with the "
               f"first N products. p50 / p99 in ms. Stall: p50 over {SWEEP_STALL_P50_MS} ms or a wrk timeout.\n")
    kinds = [("plain", "OpenMetrics"), ("plain", "text"), ("gzip", "OpenMetrics"), ("gzip", "text")]
    out.append("| products | plain bytes | gzip bytes | " + " | ".join(f"{e} {f}" for e, f in kinds) + " | stall |")
    out.append("|---:|---:|---:|" + "---:|" * len(kinds) + "---|")
    for n in SWEEP_PRODUCTS:
        _, url = b.exporter(sim_base, extra=[f"--adobe.product-id={','.join(ids[:n])}"], name=f"exporter-{n}")
        url += "/metrics"
        sizes = [len(scrape_bytes(url, gzip)) for gzip in (False, True)]
        cells, stall = [], False
        for encoding, fmt in kinds:
            headers = ([f"Accept: {SCRAPE_ACCEPT}"] if fmt == "OpenMetrics" else []) + \
                (["Accept-Encoding: gzip"] if encoding == "gzip" else [])
            r = wrk(url, 1, b.duration, headers)
            stall |= r["p50"] > SWEEP_STALL_P50_MS or r["timeouts"] > 0
            cells.append(f"{r['p50']:.3f} / {r['p99']:.3f}")
        out.append(f"| {n} | {sizes[0]} | {sizes[1]} | " + " | ".join(cells) + f" | {'yes' if stall else 'none'} |")
        b.procs.stop(f"exporter-{n}")
    out.append("")
    b.procs.stop_all()


def small_flags(b):
    """`--adobe.product-id` for the first few products of the 1x catalogue."""
    sim, sim_base = b.simulator(1)
    ids = b.catalogue_ids(sim_base)
    b.procs.stop_all()
    return [f"--adobe.product-id={','.join(ids[:SMALL_PRODUCTS])}"]


def matrix(b, out, baseline=None, bodies=MATRIX_BODIES, conns_list=MATRIX_CONNS, also=()):
    """Every body size x plain/gzip x keep-alive/new connection x connection count, the exporter
    (and `baseline`, an older binary, and `also`, intermediate ones, side by side) against the
    best of NGINX_CONFIGS."""
    exporters = ([("exporter", b.binary)] + ([("baseline", baseline)] if baseline else [])
                 + [(os.path.basename(path), path) for path in also])
    cells = []
    for body_name in bodies:
        flags = small_flags(b) if body_name == "small" else []
        sim, sim_base = b.simulator(10 if body_name == "10x" else 1)
        urls = {}
        for name, binary in exporters:
            _, url = b.exporter(sim_base, extra=flags, binary=binary, name=name)
            urls[name] = url + "/metrics"
        plain = scrape_bytes(urls["exporter"], gzip=False)
        gzipped = scrape_bytes(urls["exporter"], gzip=True)
        for workers, sendfile in NGINX_CONFIGS:
            name = nginx_name(workers, sendfile)
            urls[name] = b.nginx(name.replace(" ", "-"), plain, workers=workers, sendfile=sendfile, gzipped=gzipped)
        print(f"  {body_name}: {len(plain)} bytes, gzip {len(gzipped)}", file=sys.stderr, flush=True)
        for encoding in ("plain", "gzip"):
            for mode in ("keep-alive", "close"):
                for conns in conns_list:
                    headers = [f"Accept: {SCRAPE_ACCEPT}"]
                    if encoding == "gzip":
                        headers.append("Accept-Encoding: gzip")
                    if mode == "close":
                        headers.append("Connection: close")
                    results = {name: wrk(url, conns, b.duration, headers) for name, url in urls.items()}
                    cells.append({"body": body_name, "bytes": len(plain if encoding == "plain" else gzipped),
                                  "encoding": encoding, "mode": mode, "conns": conns, "results": results})
        b.procs.stop_all()

    out.append("## Body sizes and connection counts (matrix)\n")
    out.append(f"wrk {b.duration} s per target and cell (2 threads, 1 at 1 connection), every target asked like "
               "Prometheus asks (`Accept` of testlib.SCRAPE_ACCEPT, plus `Accept-Encoding: gzip` in gzip cells; "
               "`Connection: close` for a new connection per request). nginx: "
               + ", ".join(nginx_name(w, s) for w, s in NGINX_CONFIGS)
               + ", all with `gzip_static on` serving the exporter's own gzip bytes; best = most req/s. "
               f"Stall: a request over {STALL_MS} ms or a wrk timeout.\n")
    head = "| body | bytes | enc | conn | conns | exporter req/s | p50 ms | best nginx req/s | p50 ms | exporter/nginx |"
    rule = "|---|---:|---|---|---:|---:|---:|---:|---:|---:|"
    if baseline:
        head += " baseline req/s | p50 ms | exporter/baseline |"
        rule += "---:|---:|---:|"
    head += " best nginx config | stall |"
    rule += "---|---|"
    out.append(head)
    out.append(rule)
    for cell in cells:
        r = cell["results"]
        best = max((nginx_name(w, s) for w, s in NGINX_CONFIGS), key=lambda n: r[n]["rps"])
        e, n = r["exporter"], r[best]
        row = (f"| {cell['body']} | {cell['bytes']} | {cell['encoding']} | {cell['mode']} | {cell['conns']} | "
               f"{e['rps']:.0f} | {e['p50']:.3f} | {n['rps']:.0f} | {n['p50']:.3f} | {e['rps'] / n['rps']:.0%} |")
        if baseline:
            base = r["baseline"]
            row += f" {base['rps']:.0f} | {base['p50']:.3f} | {e['rps'] / base['rps']:.2f}x |"
        stalls = [name for name, x in r.items() if x["max"] >= STALL_MS or x["timeouts"]]
        row += f" {best.removeprefix('nginx ')} | {', '.join(stalls) or 'none'} |"
        out.append(row)
    out.append("")
    if also:
        names = [os.path.basename(path) for path in also]
        out.append("Intermediate binaries, req/s (p50 ms):\n")
        out.append("| body | enc | conn | conns | baseline | " + " | ".join(names) + " | exporter |")
        out.append("|---|---|---|---:|---:|" + "---:|" * len(names) + "---:|")
        for cell in cells:
            r = cell["results"]
            out.append(f"| {cell['body']} | {cell['encoding']} | {cell['mode']} | {cell['conns']} | "
                       + " | ".join(f"{r[n]['rps']:.0f} ({r[n]['p50']:.3f})"
                                    for n in ["baseline", *names, "exporter"] if n in r) + " |")
        out.append("")
    out.append("Every nginx configuration, req/s:\n")
    out.append("| body | enc | conn | conns | " + " | ".join(nginx_name(w, s) for w, s in NGINX_CONFIGS) + " |")
    out.append("|---|---|---|---:|" + "---:|" * len(NGINX_CONFIGS))
    for cell in cells:
        r = cell["results"]
        out.append(f"| {cell['body']} | {cell['encoding']} | {cell['mode']} | {cell['conns']} | "
                   + " | ".join(f"{r[nginx_name(w, s)]['rps']:.0f}" for w, s in NGINX_CONFIGS) + " |")
    out.append("")


def histogram_mean(body, api):
    text = body.decode()
    total = float(re.search(rf'^adobe_status_upstream_request_duration_seconds_sum\{{api="{api}"\}} (\S+)', text, re.M).group(1))
    count = float(re.search(rf'^adobe_status_upstream_request_duration_seconds_count\{{api="{api}"\}} (\S+)', text, re.M).group(1))
    return total, count


def cold(b, out, rounds):
    out.append("## Cold scrapes (each scrape triggers a refresh)\n")
    out.append("A scrape after `--status.min-interval` (1 s, `--status.max-requests=50`) waits for the refresh (events and "
               "scheduled in parallel, then derive + encode). Added latency = scrape latency - "
               "the slower upstream request of the refresh, as timed by the exporter's own "
               "histogram.\n")
    out.append("| upstream | scale | scrapes | scrape mean ms | upstream mean ms | added mean ms |")
    out.append("|---|---:|---:|---:|---:|---:|")
    for scale in (1, 10):
        for delay in (0, 100):
            sim, sim_base = b.simulator(scale)
            # A refresh a second is 10 requests per 5 s: the default local budget would make
            # some refreshes wait for its window, which is not what this measures.
            exporter, url = b.exporter(sim_base, min_interval="1s", extra=["--status.max-requests=50"])
            if delay:
                request(sim_base + "/__sim/faults", {"api": "*", "fault": "delay", "ms": delay})
            before = get(url + "/metrics")
            e0 = histogram_mean(before, "events")
            s0 = histogram_mean(before, "scheduled")
            latencies = []
            for _ in range(rounds):
                time.sleep(1.1)
                t0 = time.perf_counter()
                get(url + "/metrics")
                latencies.append((time.perf_counter() - t0) * 1e3)
            after = get(url + "/metrics")
            e1 = histogram_mean(after, "events")
            s1 = histogram_mean(after, "scheduled")
            up_events = (e1[0] - e0[0]) / max(1, e1[1] - e0[1]) * 1e3
            up_sched = (s1[0] - s0[0]) / max(1, s1[1] - s0[1]) * 1e3
            upstream = max(up_events, up_sched)
            mean = statistics.mean(latencies)
            label = "loopback" if not delay else f"+{delay} ms delay"
            out.append(f"| {label} | {scale}x | {rounds} | {mean:.2f} | {upstream:.2f} | {mean - upstream:.2f} |")
            b.procs.stop_all()
    out.append("")


def economy(b, out, duration):
    out.append("## Upstream economy\n")
    out.append(f"`--status.min-interval=2s`; wrk hammers `/metrics` for {duration} s with N "
               "connections; requests counted by the simulator.\n")
    out.append("| scrapers | scrapes | scrapes/s | token requests | events requests/min | scheduled requests/min | all upstream requests/min |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|")
    for conns in (1, 10, 1000):
        sim, sim_base = b.simulator(1)
        exporter, url = b.exporter(sim_base, min_interval="2s")
        stats0 = get(sim_base + "/__sim/stats")
        r = wrk(url + "/metrics", conns, duration)
        stats1 = get(sim_base + "/__sim/stats")
        c0 = json.loads(stats0)["requests"]
        c1 = json.loads(stats1)["requests"]
        delta = {k: c1.get(k, 0) - c0.get(k, 0) for k in c1}
        per_min = lambda n: n * 60 / duration  # noqa: E731
        total = sum(v for k, v in delta.items() if k != "token")
        out.append(f"| {conns} | {r['rps'] * duration:.0f} | {r['rps']:.0f} | {delta.get('token', 0)} | "
                   f"{per_min(delta.get('events', 0)):.0f} | {per_min(delta.get('scheduled', 0)):.0f} | "
                   f"{per_min(total):.0f} |")
        b.procs.stop_all()
    out.append("")


def footprint(b, out, duration, baseline=None, scales=(1, 10, 100), also=(), state_file=False):
    out.append("## Footprint\n")
    size = os.path.getsize(b.binary)
    out.append(f"Release binary (LTO, strip): {size / 1048576:.2f} MiB ({size} bytes).\n")
    if baseline:
        size = os.path.getsize(baseline)
        out.append(f"Baseline binary: {size / 1048576:.2f} MiB ({size} bytes).\n")
    sim, sim_base = b.simulator(1)
    healthy, ready = [], []
    for _ in range(10):
        port = free_port()
        t0 = time.perf_counter()
        proc = b.procs.start("startup", b.exporter_command(sim_base, port), env=EXPORTER_ENV)
        wait_ok(f"http://127.0.0.1:{port}/-/healthy", "startup", proc, step=0.0005)
        healthy.append((time.perf_counter() - t0) * 1e3)
        wait_ok(f"http://127.0.0.1:{port}/-/ready", "startup", proc, step=0.0005)
        ready.append((time.perf_counter() - t0) * 1e3)
        b.procs.stop("startup")
    out.append(f"Start-up (10 runs, median): listening (`/-/healthy`) {statistics.median(healthy):.1f} ms, "
               f"first data (`/-/ready`, token + registry + events from the local simulator) "
               f"{statistics.median(ready):.1f} ms.\n")
    b.procs.stop_all()
    binaries = ([("exporter", b.binary)] + ([("baseline", baseline)] if baseline else [])
                + [(os.path.basename(path), path) for path in also])
    # Prometheus asks for OpenMetrics; curl and older agents get the text format.
    accepts = [("OpenMetrics", [f"Accept: {SCRAPE_ACCEPT}"]), ("text", [])]
    out.append("Scrapers: 16 wrk connections for the whole run, asking for OpenMetrics as Prometheus does, or "
               "with no `Accept` (the text format, as curl); `--status.min-interval=2s`, so the exporter refreshes "
               "every ~2 s under that load. Peak = VmHWM.\n")
    if state_file:
        out.append("The binary under test (`exporter`) runs with `--status.state-file` (a new file per run).\n")
    out.append("| binary | data | scrapers ask | products | samples | /metrics bytes | RSS idle MiB | "
               "RSS peak under load MiB | RSS after load MiB |")
    out.append("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for scale in scales:
        sim, sim_base = b.simulator(scale)
        for accept, headers in accepts:
            for name, binary in binaries:
                # --state-file: the binary under test keeps its state in a new file per run (it
                # deflates each changed answer and writes the file after each refresh).
                extra = ([f"--status.state-file={os.path.join(b.workdir, f'{name}-{scale}x-{accept}.state')}"]
                         if state_file and name == "exporter" else [])
                exporter, url = b.exporter(sim_base, min_interval="2s", extra=extra, binary=binary, name=name)
                time.sleep(2)
                idle = rss_mib(exporter)
                body = request(url + "/metrics", headers=dict(h.split(": ", 1) for h in headers)).body
                products = body.count(b"\nadobe_status_product_info{")
                wrk(url + "/metrics", 16, duration, headers=headers)
                peak = peak_mib(exporter)
                after = rss_mib(exporter)
                out.append(f"| {name} | {scale}x | {accept} | {products} | {count_series(body)} | {len(body)} | "
                           f"{idle:.1f} | {peak:.1f} | {after:.1f} |")
                b.procs.stop(name)
        b.procs.stop_all()
    out.append("")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk cell")
    ap.add_argument("--quick", action="store_true", help="2 s cells, fewer rounds (smoke run)")
    ap.add_argument("--only", choices=["warm", "warm-tls", "matrix", "sweep", "anchor", "cold", "economy", "footprint"], action="append")
    ap.add_argument("--baseline", help="an older binary, measured side by side in the matrix, footprint and warm-tls")
    ap.add_argument("--matrix-duration", type=int, default=3,
                    help="seconds per target and matrix cell (36 cells x 5+ targets)")
    ap.add_argument("--also", action="append", default=[],
                    help="more binaries side by side (matrix, footprint), named by file name")
    ap.add_argument("--bodies", help=f"comma-separated subset of {','.join(MATRIX_BODIES)} (matrix)")
    ap.add_argument("--conns", help=f"comma-separated connection counts (matrix; default {MATRIX_CONNS})")
    ap.add_argument("--scales", help="comma-separated --demo.scale values (footprint; default 1,10,100)")
    ap.add_argument("--state-file", action="store_true",
                    help="footprint: run the binary under test with --status.state-file")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per target and cell (warm-tls)")
    ap.add_argument("--out", default="target/bench/system.md")
    args = ap.parse_args()
    for tool in ("wrk", "nginx", "prometheus-node-exporter"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found (scripts/bench installs it)")
    raise_fd_limit()
    duration = 2 if args.quick else args.duration
    binary = os.path.abspath(args.binary)
    baseline = os.path.abspath(args.baseline) if args.baseline else None
    also = [os.path.abspath(path) for path in args.also]
    out = [f"# System benchmarks ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
           f"{os.cpu_count()} CPUs, {os.uname().release})\n"]
    with tempfile.TemporaryDirectory(prefix="ase-bench-") as workdir:
        b = Bench(binary, workdir, duration)
        sections = args.only or ["warm", "matrix", "sweep", "anchor", "cold", "economy", "footprint"]
        try:
            for section in sections:
                print(f"==> {section}", file=sys.stderr, flush=True)
                if section == "warm":
                    warm(b, out)
                elif section == "warm-tls":
                    warm_tls(b, out, baseline, rounds=1 if args.quick else args.rounds)
                elif section == "matrix":
                    b.duration = 1 if args.quick else args.matrix_duration
                    matrix(b, out, baseline,
                           bodies=args.bodies.split(",") if args.bodies else MATRIX_BODIES,
                           conns_list=[int(c) for c in args.conns.split(",")] if args.conns else MATRIX_CONNS,
                           also=also)
                    b.duration = duration
                elif section == "sweep":
                    sweep(b, out)
                elif section == "anchor":
                    anchor(b, out)
                elif section == "cold":
                    cold(b, out, rounds=3 if args.quick else 15)
                elif section == "economy":
                    economy(b, out, duration=6 if args.quick else 30)
                else:
                    footprint(b, out, duration, baseline,
                              scales=[int(x) for x in args.scales.split(",")] if args.scales else (1, 10, 100),
                              also=also, state_file=args.state_file)
        finally:
            b.procs.stop_all()
    text = "\n".join(out)
    print(text)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
