#!/usr/bin/env python3
"""Validate a real /metrics body with prometheus_client's OpenMetrics parser.

Starts the exporter in demo mode, makes the simulator serve a product whose name holds
quotes, a backslash, non-ASCII and a newline, with a Major incident on it, scrapes the
exporter the way Prometheus does, and checks that:
  - the Content-Type is OpenMetrics 1.0.0,
  - the whole body parses (strict OpenMetrics parser, `# EOF` required),
  - every fixed family has the expected type,
  - the tricky product name and incident title round-trip exactly,
  - SIGTERM stops the exporter with exit status 0.

Usage: check_openmetrics.py path/to/adobe_status_exporter
"""
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from prometheus_client.openmetrics.parser import text_string_to_metric_families

CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8"
TRICKY_NAME = 'Adobe "Quoted" \\ Produkt \u00fc\u65e5\u672c\nsecond line'
TRICKY_TITLE = 'Login "fails" for C:\\Users \u2014 caf\u00e9'
PRODUCT_ID = "999001"

EXPECTED_TYPES = {
    "adobe_status_up": "gauge",
    "adobe_status_last_success_timestamp_seconds": "gauge",
    "adobe_status_token_expiry_timestamp_seconds": "gauge",
    "adobe_status_product": "info",
    "adobe_status_product_incidents": "gauge",
    "adobe_status_product_worst_severity": "gauge",
    "adobe_status_product_maintenances": "gauge",
    "adobe_status_service": "info",
    "adobe_status_service_worst_severity": "gauge",
    "adobe_status_incident": "info",
    "adobe_status_incident_start_timestamp_seconds": "gauge",
    "adobe_status_incident_region_impacted": "gauge",
    "adobe_status_maintenance": "info",
    "adobe_status_maintenance_start_timestamp_seconds": "gauge",
    "adobe_status_maintenance_end_timestamp_seconds": "gauge",
    "adobe_status_upstream_requests": "counter",
    "adobe_status_upstream_request_duration_seconds": "histogram",
    "adobe_status_upstream_throttled": "counter",
    "adobe_status_refresh_failures": "counter",
    "adobe_status_exporter_build": "info",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url, data=None, headers=None, method=None):
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=15) as resp:
        return resp.status, resp.headers, resp.read().decode("utf-8")


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def scrape(port):
    return request(
        f"http://127.0.0.1:{port}/metrics",
        headers={
            "Accept": "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
            "X-Prometheus-Scrape-Timeout-Seconds": "10",
        },
    )


def main():
    exe = sys.argv[1]
    port, sim = free_port(), free_port()
    proc = subprocess.Popen(
        [
            exe,
            "--demo",
            f"--demo.listen-address=127.0.0.1:{sim}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--status.min-interval=1s",
            "--status.registry-interval=1s",
            "--log.level=warn",
        ]
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                if request(f"http://127.0.0.1:{port}/-/ready")[0] == 200:
                    break
            except Exception:
                pass
            if time.time() > deadline:
                fail("exporter not ready within 60 s")
            time.sleep(0.2)

        sim_url = f"http://127.0.0.1:{sim}/__sim"
        request(
            f"{sim_url}/products",
            {"id": PRODUCT_ID, "name": TRICKY_NAME, "cloud_id": "503461", "services": [["svc-1", 'Service "one" \\ \u00e9']]},
        )
        request(
            f"{sim_url}/incidents",
            {"product_ids": [PRODUCT_ID], "severity": "Major", "title": TRICKY_TITLE, "regions": ["EMEA"], "service_ids": ["svc-1"]},
        )

        families = None
        deadline = time.time() + 30
        while time.time() < deadline:
            time.sleep(1.2)
            status, headers, body = scrape(port)
            if status != 200:
                fail(f"/metrics answered {status}")
            if headers.get("Content-Type") != CONTENT_TYPE:
                fail(f"Content-Type is {headers.get('Content-Type')!r}")
            if f'product_id="{PRODUCT_ID}"' in body and "adobe_status_incident_info" in body:
                families = {f.name: f for f in text_string_to_metric_families(body)}
                if any(s.labels.get("product_id") == PRODUCT_ID for s in families["adobe_status_incident"].samples):
                    break
        if families is None:
            fail("the simulated product never appeared in /metrics")

        for name, kind in EXPECTED_TYPES.items():
            if name not in families:
                fail(f"family {name} missing")
            if families[name].type != kind:
                fail(f"family {name} has type {families[name].type}, expected {kind}")

        names = [s.labels["product_name"] for s in families["adobe_status_product"].samples if s.labels["product_id"] == PRODUCT_ID]
        if names != [TRICKY_NAME]:
            fail(f"product name did not round-trip: {names!r}")
        titles = [s.labels["title"] for s in families["adobe_status_incident"].samples if s.labels["product_id"] == PRODUCT_ID]
        if TRICKY_TITLE not in titles:
            fail(f"incident title did not round-trip: {titles!r}")
        services = [s.labels["service_name"] for s in families["adobe_status_service"].samples if s.labels["product_id"] == PRODUCT_ID]
        if 'Service "one" \\ \u00e9' not in services:
            fail(f"service name did not round-trip: {services!r}")
        worst = [s.value for s in families["adobe_status_product_worst_severity"].samples if s.labels["product_id"] == PRODUCT_ID]
        if worst != [4.0]:
            fail(f"worst severity of the Major incident is {worst!r}")
        products = len(families["adobe_status_product"].samples)
        if products < 50:
            fail(f"only {products} products in demo mode")
        print(f"OK: {sum(len(f.samples) for f in families.values())} samples in {len(families)} families parsed; "
              f"{products} products; tricky labels round-trip")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            fail("exporter did not stop within 20 s of SIGTERM")
    if code != 0:
        fail(f"exporter exited with {code} after SIGTERM")


if __name__ == "__main__":
    main()
