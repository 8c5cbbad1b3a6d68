#!/usr/bin/env python3
"""Chaos soak of adobe_status_exporter: a seeded schedule of upstream faults while scrapers
hit every endpoint, with the exporter's footprint, its upstream traffic and its recoveries
recorded and judged (issue "Reliability over time", parts 2 and 3).

Usage: scripts/soak.py [--short] [--seed N] [--duration S] [--out DIR] [--binary PATH]
  (scripts/soak builds the release binary, then runs this with the given options)
  --short      ~60 s, one window from each of five groups of faults (the test command runs it)
  --seed N     the schedule's seed (default: a random one, printed; the same N replays the
               same faults, parameters and order)
  --duration S length of the run after start-up (default 600, or 60 with --short); the first
               round of windows always runs in full, further rounds only while they fit
  --out DIR    where soak.md, soak.svg, samples.csv, windows.json and the logs go
               (default target/soak)
  --binary P   the binary for both processes (default target/release/adobe_status_exporter)

Two processes of the same binary:
  adobe     `--demo`: its embedded simulator plays Adobe IMS and the Status API on SIMPORT and
            takes faults through its /__sim/ control API (its own exporter is never scraped);
  exporter  the exporter under test, in live mode against it, the client secret in a file:
            --status.min-interval=2s --status.timeout=5s --status.max-requests=10.

Fault windows (seeded order and parameters; every kind the simulator knows, see KINDS): the
fault is set with POST /__sim/faults (Status API faults on api "*", IMS faults on "token" together
with POST /__sim/revoke so that the exporter must ask IMS), held for a few to ~20 s, then cleared
with DELETE /__sim/faults. Token revocation and secret rotation are instant events. After each
window the soak waits for the recovery (or its bound plus a grace period), then a gap.

Meanwhile SCRAPERS threads cycle through /metrics (text and OpenMetrics, each plain and
gzipped; one thread keeps its connection alive like Prometheus), /, /-/healthy and /-/ready;
a poller reads GET /__sim/stats every 0.1 s (upstream requests per API, with their time to
within one poll), and a sampler records every few seconds the exporter's RSS (VmRSS), open
file descriptors (/proc/PID/fd), threads (/proc/PID/status; tokio tasks are not exposed by
the process, so they are not counted), scrape latency p50/p99 and status codes of the interval,
and adobe_status_up.

Verdict (PASS: exit 0, FAIL: exit 1):
  (a) every request answered 200 with a well-formed body (/metrics: the negotiated
      Content-Type and encoding, `# EOF` for OpenMetrics, an adobe_status_up sample);
  (b) every window recovered: a /metrics scrape shows adobe_status_up 1 from a refresh that
      succeeded after the fault cleared (adobe_status_last_success_timestamp_seconds >= the
      clearing time C), by C + H + min-interval + REFRESH_ALLOWANCE, where H is what the fault
      itself still imposes after C (see hold_off); it stays 1 up to that bound and until the
      next window; the instant events (token revoked, secret rotated) cost at most one failed
      refresh;
  (c) RSS and open fds flat: the median of the last third of the samples exceeds that of the
      first third by at most max(2 MiB, 10 %) (RSS) and 4 (fds);
  (d) upstream budget: no 5 s window held more Status API requests than --status.max-requests
      (the lower bound from the polls' timing), and the upper bound stays within Adobe's 50;
  (e) the exporter stayed alive and logged no panic;
  (f) restarts during outages (after the windows, scrapers stopped; 2 with --short, else 5): the
      Status API set to answer 503, the exporter (which runs with --status.state-file) killed
      with SIGKILL and started again; the first /metrics of the new process serves every
      incident the old one served before the kill, with adobe_status_up 0; then the fault is
      cleared and adobe_status_up returns to 1.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import gzip
import http.client
import json
import math
import os
import random
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from testlib import (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, OPENMETRICS_CONTENT_TYPE, ROOT, SCRAPE_ACCEPT,
                     CheckFailed, Processes, demo_command, free_port, fresh_dir, request, upstream_flags,
                     wait_for)

# --------------------------------------------------------------------------- configuration

MIN_INTERVAL = 2.0  # --status.min-interval of the exporter under test
TIMEOUT = 5.0  # --status.timeout
MAX_REQUESTS = 10  # --status.max-requests (the exporter's default), per 5 s
BUDGET_RULE = MAX_REQUESTS  # what (d) holds the measured maximum to
ADOBE_LIMIT = 50  # Adobe's throttling limit per 5 s
BUDGET_WINDOW = 5.0

# The refresh time allowed on top of min-interval: a refresh against the loopback simulator takes
# ~10 ms; the rest covers the debug binary, two CPU cores shared with the scrapers, and the time
# until the next scrape shows the result.
REFRESH_ALLOWANCE = 2.0
IMS_BACKOFF_START, IMS_BACKOFF_MAX = 5.0, 300.0  # src/ims.rs
DEFAULT_RETRY_AFTER = 15.0  # src/rate_limit.rs: a 429 without Retry-After
HUNG_MS = int(TIMEOUT * 1000) + 3000
OVERSIZE_BYTES = 40 * 1024 * 1024  # over the default --status.max-response-size of 32 MiB

RSS_GROWTH_KIB, RSS_GROWTH_RATIO, FD_GROWTH = 2048, 0.10, 4

SCRAPERS = 4
SCRAPE_PAUSE = 0.1  # per scraper, between two requests
SCRAPE_CLIENT_TIMEOUT = 20.0
STATS_POLL = 0.1
TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

KINDS = {
    "http_500": "Status API answers 500 (Adobe's JSON error body)",
    "http_5xx_proxy": "Status API answers 502/503/504 with a proxy's HTML page",
    "retry_after_seconds": "429 with Retry-After: <seconds>",
    "retry_after_date": "429 with Retry-After: <HTTP date>",
    "retry_after_none": "429 without Retry-After (the exporter then waits 15 s)",
    "hung": f"Status API answers after {HUNG_MS / 1000:g} s, past --status.timeout",
    "truncated": "200 with the JSON body cut in half",
    "malformed": "200 with garbage that starts like an events body",
    "oversize": f"200 with a {OVERSIZE_BYTES >> 20} MiB body (over the 32 MiB --status.max-response-size)",
    "reset": "headers, half the body, then a TCP reset",
    "unauthorized": "401 on every Status API call (a fresh token does not help)",
    "token_500": "tokens revoked and the IMS token endpoint answers 500",
    "token_invalid_client": "tokens revoked and IMS answers 400 invalid_client",
    "token_revoked": "every issued token revoked (instant)",
    "secret_rotated": "secret rotated: new one added, written to the file, old one deleted (instant)",
    "secret_rotated_late": "secret rotated, file updated late: new added, old deleted, file written `lag` s later",
}
INSTANT = {"token_revoked", "secret_rotated"}
TOKEN_DOWN = {"token_500", "token_invalid_client"}
# --short: one kind drawn from each group.
SHORT_GROUPS = [
    ["http_500", "http_5xx_proxy", "truncated", "malformed", "oversize", "reset", "unauthorized"],
    ["retry_after_seconds", "retry_after_date"],
    ["hung"],
    ["token_500", "token_invalid_client"],
    ["token_revoked", "secret_rotated", "secret_rotated_late"],
]

# (name, path, headers); Prometheus sends its Accept header, gzip and its scrape timeout.
PROMETHEUS = {"Accept": SCRAPE_ACCEPT, "X-Prometheus-Scrape-Timeout-Seconds": "10"}
VARIANTS = [
    ("metrics text", "/metrics", {}),
    ("metrics openmetrics gzip", "/metrics", {**PROMETHEUS, "Accept-Encoding": "gzip"}),
    ("metrics text gzip", "/metrics", {"Accept-Encoding": "gzip"}),
    ("metrics openmetrics", "/metrics", PROMETHEUS),
    ("status page", "/", {}),
    ("healthy", "/-/healthy", {}),
    ("ready", "/-/ready", {}),
]


def ims_backoff(failures: int) -> float:
    """The IMS back-off after `failures` consecutive failed token requests (src/ims.rs)."""
    return min(IMS_BACKOFF_START * 2 ** max(failures - 1, 0), IMS_BACKOFF_MAX) if failures else 0.0


# ---------------------------------------------------------------------------------- schedule


@dataclass
class Window:
    kind: str
    hold: float  # how long the fault is held (secret_rotated_late: the file's lag)
    gap: float  # calm after the recovery
    params: dict = field(default_factory=dict)
    mandatory: bool = True
    # Filled in while it runs (seconds since the soak's start) and by the analysis.
    start: float | None = None
    cleared: float | None = None  # C
    cleared_wall: float | None = None
    set_wall: float | None = None
    hold_off: float | None = None  # H
    bound: float | None = None  # C + H + min-interval + allowance
    recovered: float | None = None
    settled: float | None = None  # when the soak moved on
    failed_refreshes: int | None = None
    first_scrape: int = 0  # index of the first scrape recorded after the start
    relapse: bool = False
    ok: bool | None = None
    problem: str = ""

    def describe(self) -> str:
        p = self.params
        if "code" in p:
            return f"HTTP {p['code']}"
        if "seconds" in p:
            return f"{p['seconds']} s"
        if "lag" in p:
            return f"file {p['lag']} s late"
        return ""


def make_window(rng: random.Random, kind: str, short: bool, mandatory: bool) -> Window:
    hold = 0.0 if kind in INSTANT else round(rng.uniform(3, 5) if short else rng.uniform(4, 20), 1)
    gap = round(rng.uniform(2, 3) if short else rng.uniform(4, 10), 1)
    params: dict = {}
    if kind == "http_500":
        params["code"] = 500
    elif kind == "http_5xx_proxy":
        params["code"] = rng.choice([502, 503, 504])
    elif kind.startswith("retry_after_") and kind != "retry_after_none":
        params["seconds"] = rng.randint(2, 3) if short else rng.randint(2, 10)
    elif kind == "secret_rotated_late":
        hold = float(rng.randint(2, 3) if short else rng.randint(3, 10))
        params["lag"] = hold
    return Window(kind, hold, gap, params, mandatory)


def schedule(seed: int, short: bool):
    """The windows in order: a first (mandatory) round, then further rounds for as long as the
    caller takes them."""
    rng = random.Random(seed)
    first = [rng.choice(group) for group in SHORT_GROUPS] if short else list(KINDS)
    rng.shuffle(first)
    for kind in first:
        yield make_window(rng, kind, short, True)
    while True:
        kinds = list(KINDS)
        rng.shuffle(kinds)
        for kind in kinds:
            yield make_window(rng, kind, short, False)


# ----------------------------------------------------------------------------------- records


@dataclass
class Scrape:
    t0: float
    t1: float
    variant: str
    status: int  # 0: no answer
    error: str | None
    up: float | None = None
    last_success: float | None = None  # Unix seconds
    failures: float | None = None  # sum of adobe_status_refresh_failures_total
    is_metrics: bool = False


def sample_value(text: str, name: str) -> float | None:
    m = re.search(rf"^{name} (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def check_metrics(headers: dict, response_headers, body: bytes, scrape: Scrape) -> None:
    """Checks a /metrics answer as the variant asked for it; fills in the health samples."""
    if "gzip" in headers.get("Accept-Encoding", ""):
        if response_headers.get("Content-Encoding") != "gzip":
            scrape.error = "asked for gzip, got no Content-Encoding: gzip"
            return
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError) as e:
            scrape.error = f"bad gzip: {e}"
            return
    openmetrics = "Accept" in headers
    want = OPENMETRICS_CONTENT_TYPE if openmetrics else TEXT_CONTENT_TYPE
    if response_headers.get("Content-Type") != want:
        scrape.error = f"Content-Type {response_headers.get('Content-Type')!r}, expected {want!r}"
        return
    text = body.decode("utf-8", "replace")
    if openmetrics and not text.endswith("# EOF\n"):
        scrape.error = "OpenMetrics body without a final # EOF"
        return
    scrape.up = sample_value(text, "adobe_status_up")
    if scrape.up is None:
        scrape.error = "no adobe_status_up sample"
        return
    scrape.last_success = sample_value(text, "adobe_status_last_success_timestamp_seconds")
    scrape.failures = sum(float(v) for v in re.findall(
        r"^adobe_status_refresh_failures_total\{[^}]*\} (\S+)$", text, re.M))


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def proc_status(pid: int) -> tuple[int, int, int]:
    """(RSS KiB, open fds, threads) of a running process."""
    rss = threads = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss, len(os.listdir(f"/proc/{pid}/fd")), threads


# -------------------------------------------------------------------------------------- soak


class Soak:
    def __init__(self, binary: Path, out: Path, seed: int, duration: float, short: bool):
        self.binary, self.out, self.seed, self.duration, self.short = binary, out, seed, duration, short
        self.sample_every = 2.0 if short else 5.0
        self.lead_in = 4.0 if short else 10.0
        self.grace = 10.0 if short else 30.0
        self.procs = Processes(out)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.local = threading.local()
        self.reconnects = 0  # keep-alive connections found closed and opened again
        self.scrapes: list[Scrape] = []
        self.polls: list[tuple[float, float, dict]] = []  # (sent, received, counts per api)
        self.samples: list[dict] = []
        self.windows: list[Window] = []
        self.current: Window | None = None
        self.fatal: str | None = None
        self.secret = DEMO_CLIENT_SECRET
        self.secret_file = out / "client_secret"
        self.t0 = 0.0
        self.wall0 = 0.0
        self.end = 0.0
        self.restarts: list[dict] = []
        self.restart_problem: str | None = None

    def now(self) -> float:
        return time.monotonic() - self.t0

    # ---------------------------------------------------------------- processes and control

    def start(self) -> None:
        sim_port, sim_web, web = free_port(), free_port(), free_port()
        self.sim = f"http://127.0.0.1:{sim_port}"
        self.base = f"http://127.0.0.1:{web}"
        adobe = self.procs.start("adobe", demo_command(self.binary, sim_port, sim_web))
        wait_for(self.sim + "/__sim/stats", "the simulator (adobe)", adobe)
        self.write_secret(self.secret)
        self.exporter_argv = [
            str(self.binary), f"--web.listen-address=127.0.0.1:{web}", f"--adobe.client-id={DEMO_CLIENT_ID}",
            f"--adobe.client-secret-file={self.secret_file}", *upstream_flags(self.sim),
            f"--status.min-interval={MIN_INTERVAL:g}s", f"--status.timeout={TIMEOUT:g}s",
            f"--status.max-requests={MAX_REQUESTS}", f"--status.state-file={self.out / 'exporter.state'}"]
        self.exporter = self.procs.start("exporter", self.exporter_argv)
        wait_for(self.base + "/-/ready", "the exporter under test", self.exporter)

    def write_secret(self, secret: str) -> None:
        """Replace the secret file atomically, as the kubelet updates a mounted Secret."""
        tmp = self.secret_file.with_suffix(".new")
        tmp.write_text(secret + "\n")
        tmp.chmod(0o600)
        tmp.replace(self.secret_file)

    def control(self, path: str, data=None, method: str | None = None) -> None:
        body = json.dumps(data).encode() if data is not None else None
        req = urllib.request.Request(self.sim + "/__sim/" + path, data=body, method=method or "POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            r.read()

    def alive(self) -> None:
        """CheckFailed when a process has exited."""
        self.procs.check_alive()

    def sleep_until(self, t: float) -> None:
        while self.now() < t:
            self.alive()
            self.stop.wait(min(0.2, max(0.0, t - self.now())))

    # ---------------------------------------------------------------------------- threads

    def keepalive_get(self, path: str, headers: dict):
        """A GET on this thread's persistent connection. As Go's client (Prometheus) does, a
        request whose reused connection turns out closed before any answer is sent again once on
        a new connection."""
        local = self.local
        for attempt in (1, 2):
            reused = getattr(local, "conn", None) is not None
            if not reused:
                host, port = self.base.removeprefix("http://").split(":")
                local.conn = http.client.HTTPConnection(host, int(port), timeout=SCRAPE_CLIENT_TIMEOUT)
            try:
                local.conn.request("GET", path, headers=headers)
                r = local.conn.getresponse()
                answer = r.status, r.headers, r.read()
                if r.will_close:
                    local.conn.close()
                    local.conn = None
                return answer
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                local.conn.close()
                local.conn = None
                if not reused or attempt == 2:
                    raise
                self.reconnects += 1
            except (OSError, http.client.HTTPException):
                local.conn.close()
                local.conn = None
                raise
        raise AssertionError("unreachable")

    def scraper(self, index: int) -> None:
        keepalive = index == 0  # like Prometheus, which keeps its connection
        i = index * 2
        while not self.stop.is_set():
            name, path, headers = VARIANTS[i % len(VARIANTS)]
            i += 1
            scrape = Scrape(self.now(), 0.0, name, 0, None, is_metrics=path == "/metrics")
            try:
                if keepalive:
                    status, response_headers, body = self.keepalive_get(path, headers)
                else:
                    r = request(self.base + path, headers=headers, timeout=SCRAPE_CLIENT_TIMEOUT)
                    status, response_headers, body = r.status, r.headers, r.body
                scrape.status = status
                if status != 200:
                    scrape.error = f"HTTP {status}"
                elif scrape.is_metrics:
                    check_metrics(headers, response_headers, body, scrape)
            except urllib.error.HTTPError as e:
                scrape.status, scrape.error = e.code, f"HTTP {e.code}"
            except (OSError, http.client.HTTPException) as e:
                scrape.error = f"no answer: {type(e).__name__}: {e}"
            scrape.t1 = self.now()
            with self.lock:
                self.scrapes.append(scrape)
            self.stop.wait(SCRAPE_PAUSE)
        if getattr(self.local, "conn", None) is not None:
            self.local.conn.close()

    def poller(self) -> None:
        while not self.stop.is_set():
            sent = self.now()
            try:
                counts = json.loads(request(self.sim + "/__sim/stats", timeout=5).body)["requests"]
                with self.lock:
                    self.polls.append((sent, self.now(), counts))
            except (OSError, http.client.HTTPException, ValueError, KeyError):
                pass
            self.stop.wait(STATS_POLL)

    def sampler(self) -> None:
        taken = 0
        next_at = self.sample_every
        while not self.stop.wait(max(0.0, next_at - self.now())):
            self.take_sample(taken, next_at)
            taken = len(self.scrapes)
            next_at += self.sample_every

    def take_sample(self, since: int, t: float) -> None:
        with self.lock:
            recent = self.scrapes[since:]
            counts = dict(self.polls[-1][2]) if self.polls else {}
        metrics = [s for s in recent if s.is_metrics]
        latencies = [(s.t1 - s.t0) * 1000 for s in metrics if s.error is None]
        codes: dict[int, int] = {}
        for s in recent:
            codes[s.status] = codes.get(s.status, 0) + 1
        try:
            rss, fds, threads = proc_status(self.exporter.pid)
        except OSError:
            rss = fds = threads = None
        ups = [s.up for s in metrics if s.up is not None]
        self.samples.append({
            "t": round(t, 2), "rss_kib": rss, "fds": fds, "threads": threads,
            "requests": len(recent), "metrics_scrapes": len(metrics),
            "p50_ms": percentile(latencies, 0.50), "p99_ms": percentile(latencies, 0.99),
            "codes": codes, "up": ups[-1] if ups else None,
            "upstream": counts, "window": self.current.kind if self.current else "",
        })

    # --------------------------------------------------------------------------- windows

    def inject(self, w: Window) -> None:
        k, p = w.kind, w.params
        w.set_wall = time.time()
        if k in ("http_500", "http_5xx_proxy"):
            self.control("faults", {"api": "*", "fault": "status", "code": p["code"]})
        elif k in ("retry_after_seconds", "retry_after_date"):
            self.control("faults", {"api": "*", "fault": k, "seconds": p["seconds"]})
        elif k == "hung":
            self.control("faults", {"api": "*", "fault": "delay", "ms": HUNG_MS})
        elif k == "oversize":
            self.control("faults", {"api": "*", "fault": "oversize", "bytes": OVERSIZE_BYTES})
        elif k in ("retry_after_none", "truncated", "malformed", "reset", "unauthorized"):
            self.control("faults", {"api": "*", "fault": k})
        elif k in TOKEN_DOWN:
            fault = {"fault": "status", "code": 500} if k == "token_500" else {"fault": "invalid_client"}
            self.control("faults", {"api": "token", **fault})
            self.control("revoke")
        elif k == "token_revoked":
            self.control("revoke")
        elif k in ("secret_rotated", "secret_rotated_late"):
            new = f"soak-secret-{len(self.windows) + 1}-{self.seed}"
            old, self.secret = self.secret, new
            self.control("client-secrets", {"add": new})
            if k == "secret_rotated":
                self.write_secret(new)
                self.control("client-secrets", {"delete": old})
            else:  # the Console deletes the old secret before the file is updated
                self.control("client-secrets", {"delete": old})
        else:
            raise ValueError(k)

    def clear(self, w: Window) -> None:
        if w.kind == "secret_rotated_late":
            self.write_secret(self.secret)
        elif w.kind not in INSTANT:
            self.control("faults", method="DELETE")

    def estimate(self, w: Window) -> float:
        """Rough length of a window with its recovery and gap, to see whether it still fits."""
        extra = {"hung": TIMEOUT, "retry_after_none": DEFAULT_RETRY_AFTER}.get(w.kind, 0.0)
        extra = max(extra, w.params.get("seconds", 0), w.hold if w.kind in TOKEN_DOWN else 0)
        return w.hold + extra + MIN_INTERVAL + REFRESH_ALLOWANCE + w.gap + 1

    def run_window(self, w: Window) -> None:
        w.start = self.now()
        w.first_scrape = len(self.scrapes)
        self.current = w
        self.inject(w)
        self.sleep_until(w.start + w.hold)
        self.clear(w)
        w.cleared, w.cleared_wall = self.now(), time.time()
        # Wait for the recovery, at least up to its bound (to see that it lasts), at most the
        # bound plus a grace period (to see how late it is).
        self.stop.wait(2 * STATS_POLL + 0.1)  # the polls that straddle C
        bound = w.cleared + self.hold_off(w) + MIN_INTERVAL + REFRESH_ALLOWANCE
        while True:
            self.alive()
            t = self.now()
            recovered = self.recovery(w)
            if (recovered is not None and t >= bound) or t >= bound + self.grace:
                break
            self.stop.wait(0.2)
        w.settled = self.now()
        self.current = None
        self.sleep_until(w.settled + w.gap)

    def hold_off(self, w: Window) -> float:
        """H: how long after C the fault still keeps the exporter from succeeding.

        hung: a refresh sent just before C waits out --status.timeout. 429: the exporter obeys
        Retry-After from its last 429, which came before C (seconds: S; HTTP date: until the
        date, fixed when the fault was set; none: its 15 s default). IMS down: the back-off after
        the n-th failed token request of the window (5 s doubling, at most 300 s), from the last
        one (upper bound of its time from the polls). Everything else answers at once: H = 0.
        """
        k = w.kind
        if k == "hung":
            return TIMEOUT
        if k == "retry_after_seconds":
            return float(w.params["seconds"])
        if k == "retry_after_date":
            return max(0.0, w.set_wall + w.params["seconds"] - w.cleared_wall)
        if k == "retry_after_none":
            return DEFAULT_RETRY_AFTER
        if k in TOKEN_DOWN:
            failures, last = self.token_requests(w.start, w.cleared)
            return max(0.0, last + ims_backoff(failures) - w.cleared) if failures else 0.0
        return 0.0

    def token_requests(self, start: float, end: float) -> tuple[int, float]:
        """IMS requests that may have been sent in (start, end], and the latest time the last of
        them may have been sent."""
        with self.lock:
            polls = list(self.polls)
        n, last = 0, start
        for (a, _, before), (_, b, after) in zip(polls, polls[1:]):
            new = after.get("token", 0) - before.get("token", 0)
            if new and b > start and a < end:
                n += new
                last = max(last, min(b, end))
        return n, last

    def recovery(self, w: Window) -> float | None:
        """When a /metrics scrape first showed adobe_status_up 1 from a refresh that succeeded
        after C."""
        with self.lock:
            scrapes = self.scrapes[w.first_scrape:]
        done = [s.t1 for s in scrapes if s.is_metrics and s.t1 >= w.cleared and s.up == 1
                and s.last_success is not None and s.last_success >= w.cleared_wall]
        return min(done) if done else None

    # ------------------------------------------------------------------------------- run

    def run(self) -> None:
        self.start()
        self.t0, self.wall0 = time.monotonic(), time.time()
        self.end = self.duration
        threads = [threading.Thread(target=self.scraper, args=(i,), daemon=True) for i in range(SCRAPERS)]
        threads += [threading.Thread(target=self.poller, daemon=True),
                    threading.Thread(target=self.sampler, daemon=True)]
        for t in threads:
            t.start()
        try:
            self.sleep_until(self.lead_in)
            for w in schedule(self.seed, self.short):
                if not w.mandatory and self.now() + self.estimate(w) > self.end:
                    break
                self.windows.append(w)
                print(f"  {self.now():6.1f} s  {w.kind} {w.describe()}".rstrip(), flush=True)
                self.run_window(w)
            self.sleep_until(self.end)
        except CheckFailed as e:
            self.fatal = str(e)
        except (OSError, http.client.HTTPException) as e:
            self.fatal = f"control API call failed: {e}"
            try:
                self.alive()
            except CheckFailed as dead:
                self.fatal = str(dead)
        finally:
            self.stop.set()
            for t in threads:
                t.join(timeout=SCRAPE_CLIENT_TIMEOUT + 5)
            self.exit_codes = {name: proc.poll() for name, (proc, _) in self.procs.procs.items()}
            if self.fatal is None:
                try:
                    self.restart_drill(2 if self.short else 5)
                except (CheckFailed, OSError, http.client.HTTPException, ValueError) as e:
                    self.restart_problem = f"{type(e).__name__}: {e}"
            self.procs.stop_all()

    # ------------------------------------------------------------------ restarts in outages

    def incidents(self) -> tuple[set[tuple[str, str]], float | None]:
        """The (incident_id, product_id) pairs and adobe_status_up of one /metrics scrape."""
        text = request(self.base + "/metrics", timeout=SCRAPE_CLIENT_TIMEOUT).body.decode()
        pairs = set(re.findall(r'^adobe_status_incident_info\{[^}]*incident_id="([^"]*)",product_id="([^"]*)"',
                               text, re.M))
        return pairs, sample_value(text, "adobe_status_up")

    def restart_drill(self, rounds: int) -> None:
        """(f): kill -9 and start again while the Status API answers 503, `rounds` times."""
        name = "exporter"
        for i in range(1, rounds + 1):
            self.control("faults", {"api": "*", "fault": "status", "code": 503})
            time.sleep(MIN_INTERVAL + 0.5)  # a refresh fails; a write of the last success is done
            before, _ = self.incidents()
            process, log = self.procs.procs.pop(name)
            process.kill()
            process.wait()
            log.close()
            name = f"exporter-restart-{i}"
            started = time.monotonic()
            process = self.procs.start(name, self.exporter_argv)
            wait_for(self.base + "/-/healthy", f"restart {i}", process, interval=0.02)
            listening = time.monotonic() - started
            after, up = self.incidents()
            self.control("faults", method="DELETE")
            deadline = time.monotonic() + MIN_INTERVAL + TIMEOUT + REFRESH_ALLOWANCE + 5
            while self.incidents()[1] != 1.0:
                if time.monotonic() > deadline:
                    raise CheckFailed(f"restart {i}: adobe_status_up did not return to 1")
                time.sleep(0.2)
            self.restarts.append({"before": len(before), "after": len(after), "lost": sorted(before - after),
                                  "up": up, "listening_ms": round(listening * 1000)})
            print(f"  restart {i}: {len(before)} incidents before the kill, {len(after)} after "
                  f"(up {up:g}), listening after {listening * 1000:.0f} ms", flush=True)


# ---------------------------------------------------------------------------------- analysis


def budget_bounds(polls: list[tuple[float, float, dict]]) -> tuple[int, int]:
    """(lower, upper) bound of the most Status API requests in any 5 s window.

    The requests counted new at poll j were received in (sent[j-1], received[j]]. Lower bound:
    requests whose whole intervals fit in 5 s together. Upper bound: requests whose intervals
    meet one 5 s window."""
    status_api = [sum(v for k, v in counts.items() if k not in ("token", "unknown"))
                  for _, _, counts in polls]
    spans = [(polls[j - 1][0], polls[j][1], status_api[j] - status_api[j - 1]) for j in range(1, len(polls))]
    spans = [s for s in spans if s[2] > 0]
    lower = upper = 0
    for i, (a, _, _) in enumerate(spans):
        # Every span that starts at or after a and ends within a + 5 s.
        lower = max(lower, sum(n for _, bb, n in spans[i:] if bb - a <= BUDGET_WINDOW))
        # A window [a - 5 s, a] (just after): every span that ends after its start and starts by its end.
        upper = max(upper, sum(n for aa, bb, n in spans if bb > a - BUDGET_WINDOW and aa <= a))
    return lower, upper


def median_of(samples: list[dict], key: str) -> float | None:
    values = [s[key] for s in samples if s[key] is not None]
    return statistics.median(values) if values else None


class Report:
    def __init__(self, soak: Soak):
        self.s = soak
        self.lines: list[str] = []
        self.checks: list[tuple[str, bool, str]] = []

    def judge_windows(self) -> None:
        s = self.s
        scrapes = sorted((x for x in s.scrapes if x.is_metrics), key=lambda x: x.t1)
        ends = [x.t1 for x in scrapes]

        def failures_at(t: float) -> float | None:
            i = bisect.bisect_right(ends, t) - 1
            while i >= 0 and scrapes[i].failures is None:
                i -= 1
            return scrapes[i].failures if i >= 0 else None

        for n, w in enumerate(s.windows):
            if w.cleared is None:
                w.ok, w.problem = False, "interrupted"
                continue
            w.hold_off = s.hold_off(w)
            w.bound = w.cleared + w.hold_off + MIN_INTERVAL + REFRESH_ALLOWANCE
            w.recovered = s.recovery(w)
            following = s.windows[n + 1].start if n + 1 < len(s.windows) and s.windows[n + 1].start else None
            calm_end = following if following is not None else s.end
            before, after = failures_at(w.start), failures_at(max(w.bound, w.recovered or 0))
            if before is not None and after is not None:
                w.failed_refreshes = int(after - before)
            if w.recovered is not None:
                w.relapse = any(x.up == 0 for x in scrapes if x.t0 > w.recovered and x.t1 < calm_end)
            if w.recovered is None:
                w.ok, w.problem = False, "never recovered"
            elif w.recovered > w.bound:
                w.ok, w.problem = False, f"recovered {w.recovered - w.bound:.1f} s after the bound"
            elif w.relapse:
                w.ok, w.problem = False, "adobe_status_up 0 again before the next window"
            elif w.kind in INSTANT and (w.failed_refreshes is None or w.failed_refreshes > 1):
                w.ok, w.problem = False, f"{w.failed_refreshes} failed refreshes (at most 1)"
            else:
                w.ok = True

    def build(self) -> bool:
        s = self.s
        self.judge_windows()
        metrics = [x for x in s.scrapes if x.is_metrics]
        failed = [x for x in s.scrapes if x.error is not None]
        codes: dict[int, int] = {}
        for x in s.scrapes:
            codes[x.status] = codes.get(x.status, 0) + 1
        latencies = [(x.t1 - x.t0) * 1000 for x in metrics if x.error is None]
        by_variant = {name: sum(1 for x in s.scrapes if x.variant == name) for name, _, _ in VARIANTS}

        # (a) scrapes
        self.check("a", not failed and bool(metrics),
                   f"{len(s.scrapes)} requests ({len(metrics)} /metrics), {len(failed)} failed"
                   + (f"; first: {failed[0].variant} at {failed[0].t0:.1f} s: {failed[0].error}" if failed else ""))

        # (b) recoveries
        bad = [w for w in s.windows if not w.ok]
        calm_down = self.calm_down(metrics)
        self.check("b", not bad and not calm_down and bool(s.windows),
                   f"{len(s.windows) - len(bad)}/{len(s.windows)} windows recovered within their bound"
                   + "".join(f"; #{s.windows.index(w) + 1} {w.kind}: {w.problem}" for w in bad)
                   + (f"; adobe_status_up 0 in {calm_down} scrapes outside the windows" if calm_down else ""))

        # (c) footprint
        usable = [x for x in s.samples if x["rss_kib"] is not None]
        third = len(usable) // 3
        first, last = usable[:third], usable[-third:] if third else []
        rss0, rss1 = median_of(first, "rss_kib"), median_of(last, "rss_kib")
        fd0, fd1 = median_of(first, "fds"), median_of(last, "fds")
        if third >= 2 and None not in (rss0, rss1, fd0, fd1):
            rss_allowed = max(RSS_GROWTH_KIB, RSS_GROWTH_RATIO * rss0)
            flat = rss1 - rss0 <= rss_allowed and fd1 - fd0 <= FD_GROWTH
            self.check("c", flat, f"RSS {rss0 / 1024:.1f} → {rss1 / 1024:.1f} MiB "
                                  f"({(rss1 - rss0) / 1024:+.2f}, at most +{rss_allowed / 1024:.1f}); "
                                  f"fds {fd0:g} → {fd1:g} ({fd1 - fd0:+g}, at most +{FD_GROWTH})")
        else:
            self.check("c", False, f"too few samples ({len(usable)})")

        # (d) budget
        lower, upper = budget_bounds(s.polls)
        self.check("d", lower <= BUDGET_RULE and upper <= ADOBE_LIMIT and len(s.polls) > 10,
                   f"at most {lower}–{upper} Status API requests in any 5 s (rule: ≤ {BUDGET_RULE}, "
                   f"--status.max-requests={MAX_REQUESTS}; Adobe's limit {ADOBE_LIMIT})")

        # (e) alive, no panic
        log = (s.out / "exporter.log").read_text(errors="replace") if (s.out / "exporter.log").exists() else ""
        panics = log.count("panicked")
        levels = {lvl: len(re.findall(rf"\blevel={lvl}\b", log)) for lvl in ("error", "warn")}
        self.check("e", s.fatal is None and panics == 0,
                   (s.fatal or "both processes ran to the end") + f"; exporter log: {panics} panics, "
                   f"{levels['error']} error and {levels['warn']} warn lines")

        # (f) restarts during outages
        r = s.restarts
        lost = [x for x in r if x["lost"] or x["up"] != 0.0]
        self.check("f", s.restart_problem is None and bool(r) and not lost and all(x["before"] for x in r),
                   f"{len(r)} restarts with the Status API answering 503: "
                   + ", ".join(f"{x['before']}→{x['after']} incidents (up {x['up']:g})" for x in r)
                   + (f"; lost: {lost[0]['lost']}" if lost else "")
                   + (f"; {s.restart_problem}" if s.restart_problem else ""))

        self.figures = self.figures_table(metrics, codes, latencies, by_variant, usable, first, last,
                                          lower, upper)
        return all(ok for _, ok, _ in self.checks)

    def calm_down(self, metrics: list[Scrape]) -> int:
        """Scrapes with adobe_status_up 0 outside every window (start to recovery or bound)."""
        spans = [(w.start, max(w.recovered or 0, w.bound or 0, w.settled or 0) if w.cleared else self.s.end)
                 for w in self.s.windows]
        return sum(1 for x in metrics if x.up == 0 and not any(a <= x.t1 and x.t0 <= b for a, b in spans))

    def check(self, letter: str, ok: bool, text: str) -> None:
        self.checks.append((letter, ok, text))

    def figures_table(self, metrics, codes, latencies, by_variant, usable, first, last, lower, upper):
        s = self.s
        rows = []
        run = s.samples[-1]["t"] if s.samples else 0
        rows.append(("run", f"{run:.0f} s after start-up, seed {s.seed}, {len(s.windows)} fault windows "
                            f"({len({w.kind for w in s.windows})} kinds)"))
        rows.append(("requests", f"{len(s.scrapes)} by {SCRAPERS} scrapers (one on a keep-alive connection, "
                                 f"{s.reconnects} reconnects): " + ", ".join(f"{k} {v}" for k, v in by_variant.items())))
        rows.append(("status codes", ", ".join(f"{k or 'no answer'}: {v}" for k, v in sorted(codes.items()))))
        worst = max((x["p99_ms"] for x in s.samples if x["p99_ms"] is not None), default=None)
        rows.append(("/metrics latency", f"p50 {fmt_ms(percentile(latencies, 0.5))}, p99 "
                                         f"{fmt_ms(percentile(latencies, 0.99))}, max {fmt_ms(max(latencies, default=None))}; "
                                         f"worst interval p99 {fmt_ms(worst)}"))
        calm = [x for x in s.samples if not x["window"] and x["p99_ms"] is not None]
        if calm:
            rows.append(("/metrics p99 between windows", f"median {fmt_ms(median_of(calm, 'p99_ms'))} "
                                                         f"over {len(calm)} intervals"))
        rss = [x["rss_kib"] for x in usable]
        if rss:
            rows.append(("RSS", f"first third median {median_of(first, 'rss_kib') / 1024:.1f} MiB, last third "
                                f"{median_of(last, 'rss_kib') / 1024:.1f} MiB, min {min(rss) / 1024:.1f}, "
                                f"max {max(rss) / 1024:.1f}"))
            fds = [x["fds"] for x in usable]
            rows.append(("open fds", f"first third median {median_of(first, 'fds'):g}, last third "
                                     f"{median_of(last, 'fds'):g}, min {min(fds)}, max {max(fds)}"))
            threads = [x["threads"] for x in usable]
            rows.append(("threads", f"{min(threads)}–{max(threads)} (tokio tasks are not exposed by the "
                                    f"process, not counted)"))
        if len(s.polls) > 1:
            first_counts, last_counts = s.polls[0][2], s.polls[-1][2]
            minutes = (s.polls[-1][1] - s.polls[0][0]) / 60
            deltas = {k: last_counts.get(k, 0) - first_counts.get(k, 0) for k in last_counts}
            rows.append(("upstream requests", ", ".join(f"{k} {v} ({v / minutes:.1f}/min)"
                                                        for k, v in sorted(deltas.items()) if v)))
        rows.append(("max Status API requests in 5 s", f"{lower} (upper bound {upper} at the 0.1 s poll "
                                                       f"resolution); budget {MAX_REQUESTS}, Adobe {ADOBE_LIMIT}"))
        last_metrics = next((x for x in reversed(metrics) if x.failures is not None), None)
        if last_metrics is not None:
            rows.append(("failed refreshes", f"{last_metrics.failures:g} (adobe_status_refresh_failures_total)"))
        recoveries = [w.recovered - w.cleared for w in s.windows if w.recovered is not None and w.cleared]
        if recoveries:
            rows.append(("recovery after the fault cleared", f"median {statistics.median(recoveries):.1f} s, "
                                                            f"max {max(recoveries):.1f} s"))
        return rows

    def markdown(self, verdict: bool, command: str) -> str:
        s = self.s
        out = [f"# Soak: {'PASS' if verdict else 'FAIL'}", "",
               f"`{command}` — seed {s.seed}, {s.duration:g} s, binary `{s.binary}`, "
               f"--status.min-interval={MIN_INTERVAL:g}s --status.timeout={TIMEOUT:g}s "
               f"--status.max-requests={MAX_REQUESTS}.", "",
               "| figure | value |", "|---|---|"]
        out += [f"| {k} | {v} |" for k, v in self.figures]
        out += ["", "Fault windows (times in s since start-up; bound = cleared + H + "
                    f"{MIN_INTERVAL:g} s min-interval + {REFRESH_ALLOWANCE:g} s refresh allowance):", "",
                "| # | fault | parameter | start | held | H | bound after clear | recovered after clear "
                "| failed refreshes | |", "|---|---|---|---|---|---|---|---|---|---|"]
        for n, w in enumerate(s.windows, 1):
            rec = f"{w.recovered - w.cleared:.1f}" if w.recovered is not None and w.cleared else "—"
            bound = f"{w.bound - w.cleared:.1f}" if w.bound is not None else "—"
            held = f"{w.cleared - w.start:.1f}" if w.cleared is not None else "—"
            h = f"{w.hold_off:.1f}" if w.hold_off is not None else "—"
            out.append(f"| {n} | {w.kind} | {w.describe()} | {w.start:.1f} | {held} | {h} | {bound} | {rec} | "
                       f"{w.failed_refreshes if w.failed_refreshes is not None else '—'} | "
                       f"{'ok' if w.ok else 'FAIL: ' + w.problem} |")
        out += ["", "Verdict:", ""]
        names = {"a": "scrapes", "b": "recovery", "c": "footprint flat", "d": "upstream budget",
                 "e": "alive, no panic", "f": "restarts during outages"}
        out += [f"- ({k}) {names[k]}: **{'PASS' if ok else 'FAIL'}** — {text}" for k, ok, text in self.checks]
        out += ["", f"**{'PASS' if verdict else 'FAIL'}**", ""]
        return "\n".join(out)


def fmt_ms(ms: float | None) -> str:
    if ms is None:
        return "—"
    return f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.1f} ms"


# -------------------------------------------------------------------------------------- plot


def svg_plot(soak: Soak) -> str:
    """RSS, open fds and /metrics p99 per sample interval, adobe_status_up per scrape, with the
    fault windows shaded (held: red; until recovered: orange). Plain SVG, no dependencies."""
    samples = soak.samples
    width, left, right, labels = 1000, 70, 20, 30
    top = labels + 110  # window labels above the panels
    panels = [("RSS (MiB)", [(x["t"], x["rss_kib"] / 1024) for x in samples if x["rss_kib"] is not None], False),
              ("open fds", [(x["t"], x["fds"]) for x in samples if x["fds"] is not None], False),
              ("/metrics p99 (ms, log)", [(x["t"], max(x["p99_ms"], 0.1)) for x in samples
                                          if x["p99_ms"] is not None], True)]
    ups = [(x.t1, x.up) for x in sorted(soak.scrapes, key=lambda x: x.t1) if x.is_metrics and x.up is not None]
    height_panel, gap, up_height = 150, 34, 40
    bottom = top + len(panels) * (height_panel + gap) + up_height
    height = bottom + 45
    t_end = max([soak.end] + [x["t"] for x in samples] + [t for t, _ in ups])
    plot_w = width - left - right

    def xs(t):
        return left + plot_w * t / t_end if t_end else left

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="{left}" y="18" font-size="13">adobe_status_exporter soak: seed {soak.seed}, '
             f'{len(soak.windows)} fault windows (red: fault held, orange: until adobe_status_up 1)</text>']
    for w in soak.windows:
        if w.start is None:
            continue
        cleared = w.cleared if w.cleared is not None else t_end
        x0, x1 = xs(w.start), xs(cleared)
        parts.append(f'<line x1="{x0:.1f}" x2="{x0:.1f}" y1="{labels}" y2="{top}" stroke="#e53935" '
                     f'stroke-opacity="0.4"/>')
        parts.append(f'<rect x="{x0:.1f}" y="{top}" width="{max(x1 - x0, 1.5):.1f}" height="{bottom - top}" '
                     f'fill="#e53935" fill-opacity="0.18"/>')
        if w.cleared is not None:
            rec = w.recovered if w.recovered is not None else (w.bound or cleared)
            parts.append(f'<rect x="{x1:.1f}" y="{top}" width="{max(xs(rec) - x1, 0):.1f}" '
                         f'height="{bottom - top}" fill="#fb8c00" fill-opacity="0.18"/>')
        parts.append(f'<text transform="translate({x0 + 3:.1f},{labels + 2}) rotate(90)" font-size="9" '
                     f'fill="#b71c1c">{w.kind}</text>')
    y = top
    for title, points, log in panels:
        parts += panel(points, title, log, left, y, plot_w, height_panel, xs)
        y += height_panel + gap
    # adobe_status_up as a step line.
    parts.append(f'<text x="{left}" y="{y - 5}" font-weight="bold">adobe_status_up (per /metrics scrape; '
                 f'none while every scrape waits on a hung refresh)</text>')
    parts.append(f'<rect x="{left}" y="{y}" width="{plot_w}" height="{up_height}" fill="none" stroke="#999"/>')
    if ups:
        level = lambda up: y + (4 if up >= 1 else up_height - 4)  # noqa: E731
        pts = [f"{xs(ups[0][0]):.1f},{level(ups[0][1])}"]
        for (_, before), (t, up) in zip(ups, ups[1:]):
            if up != before:  # a step: only the changes are drawn
                pts += [f"{xs(t):.1f},{level(before)}", f"{xs(t):.1f},{level(up)}"]
        pts.append(f"{xs(ups[-1][0]):.1f},{level(ups[-1][1])}")
        parts.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="#2e7d32" stroke-width="1"/>')
    parts.append(f'<text x="{left - 6}" y="{y + 8}" text-anchor="end" font-size="9">1</text>')
    parts.append(f'<text x="{left - 6}" y="{y + up_height}" text-anchor="end" font-size="9">0</text>')
    # Time axis.
    step = nice_step(t_end / 10)
    t = 0.0
    while t <= t_end + 1e-9:
        parts.append(f'<text x="{xs(t):.1f}" y="{bottom + 16}" text-anchor="middle">{t:g}</text>')
        parts.append(f'<line x1="{xs(t):.1f}" x2="{xs(t):.1f}" y1="{bottom}" y2="{bottom + 4}" stroke="#333"/>')
        t += step
    parts.append(f'<text x="{left + plot_w / 2}" y="{bottom + 32}" text-anchor="middle">seconds since start-up</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def nice_step(raw: float) -> float:
    if raw <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(raw))
    return next(m * exp for m in (1, 2, 5, 10) if m * exp >= raw)


def panel(points, title, log, left, top, width, height, xs) -> list[str]:
    parts = [f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="none" stroke="#999"/>',
             f'<text x="{left}" y="{top - 5}" font-weight="bold">{title}</text>']
    if not points:
        return parts
    values = [v for _, v in points]
    if log:
        lo = 10 ** math.floor(math.log10(min(values)))
        hi = 10 ** math.ceil(math.log10(max(values) * 1.0001))
        f = (lambda v: (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)))
        ticks = [lo * 10 ** i for i in range(int(round(math.log10(hi / lo))) + 1)]
    else:
        lo, hi = min(values), max(values)
        pad = max((hi - lo) * 0.15, abs(hi) * 0.02, 1.0)
        lo, hi = max(0.0, lo - pad), hi + pad
        f = (lambda v: (v - lo) / (hi - lo))
        step = nice_step((hi - lo) / 4)
        ticks = [math.ceil(lo / step) * step + i * step for i in range(6)]
        ticks = [t for t in ticks if t <= hi]

    def ys(v):
        return top + height - height * f(v)

    for t in ticks:
        parts.append(f'<line x1="{left}" x2="{left + width}" y1="{ys(t):.1f}" y2="{ys(t):.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{left - 6}" y="{ys(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
    pts = " ".join(f"{xs(t):.1f},{ys(v):.1f}" for t, v in points)
    parts.append(f'<polyline points="{pts}" fill="none" stroke="#1565c0" stroke-width="1.5"/>')
    return parts


# -------------------------------------------------------------------------------------- main


def write_outputs(soak: Soak, report: Report, verdict: bool, command: str) -> str:
    md = report.markdown(verdict, command)
    (soak.out / "soak.md").write_text(md)
    (soak.out / "soak.svg").write_text(svg_plot(soak))
    with open(soak.out / "samples.csv", "w", newline="") as f:
        writer = csv.writer(f)
        apis = sorted({k for x in soak.samples for k in x["upstream"]})
        writer.writerow(["t", "rss_kib", "fds", "threads", "requests", "metrics_scrapes", "p50_ms", "p99_ms",
                         "non_200", "up", "window", *[f"upstream_{a}" for a in apis]])
        for x in soak.samples:
            non_200 = sum(v for k, v in x["codes"].items() if k != 200)
            writer.writerow([x["t"], x["rss_kib"], x["fds"], x["threads"], x["requests"], x["metrics_scrapes"],
                             x["p50_ms"], x["p99_ms"], non_200, x["up"], x["window"],
                             *[x["upstream"].get(a, 0) for a in apis]])
    (soak.out / "windows.json").write_text(json.dumps([asdict(w) for w in soak.windows], indent=1) + "\n")
    return md


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--short", action="store_true", help="~60 s with fewer faults (the test command)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the fault schedule (default: random)")
    parser.add_argument("--duration", type=float, default=None, help="seconds after start-up (600, --short 60)")
    parser.add_argument("--out", type=Path, default=ROOT / "target" / "soak")
    parser.add_argument("--binary", type=Path, default=ROOT / "target" / "release" / "adobe_status_exporter")
    args = parser.parse_args()
    if not args.binary.is_file():
        print(f"no binary at {args.binary} (build it: cargo build --release --locked)", file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 1_000_000)
    duration = args.duration if args.duration is not None else (60.0 if args.short else 600.0)
    out = fresh_dir(args.out.resolve())
    command = "scripts/soak" + (" --short" if args.short else "") + f" --seed {seed}" + \
        (f" --duration {duration:g}" if args.duration is not None else "")
    print(f"soak: seed {seed}, {duration:g} s, binary {args.binary}, output {out} (replay: {command})", flush=True)
    soak = Soak(args.binary.resolve(), out, seed, duration, args.short)
    started = time.monotonic()
    try:
        soak.run()
    except CheckFailed as e:  # start-up
        print(f"FAIL: {e}", file=sys.stderr)
        soak.procs.stop_all()
        return 1
    report = Report(soak)
    verdict = report.build()
    md = write_outputs(soak, report, verdict, command)
    print()
    print(md)
    print(f"soak: {time.monotonic() - started:.0f} s in all; {out / 'soak.md'}, {out / 'soak.svg'}")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
