#!/usr/bin/env python3
"""Validate real /metrics bodies, in both formats, with the ecosystem's own parsers.

Starts the exporter in demo mode, makes the simulator serve a product whose name holds
quotes, a backslash, non-ASCII and a newline, with a Major incident on it, and checks that:
  - scraped the way Prometheus does, the Content-Type is OpenMetrics 1.0.0 and the whole body
    parses with prometheus_client's strict OpenMetrics parser (`# EOF` required),
  - every fixed family has the expected type,
  - the tricky product name and incident title round-trip exactly,
  - scraped without an Accept header (curl, promtool, older agents), the Content-Type is the
    text format 0.0.4, `promtool check metrics` accepts the body (parser and linter), and
    prometheus_client's text parser reads the same Adobe samples as from the OpenMetrics body,
  - SIGTERM stops the exporter with exit status 0.

Usage: check_openmetrics.py path/to/adobe_status_exporter
"""
import shutil
import subprocess
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families
from prometheus_client.parser import text_string_to_metric_families as text_format_families

from testlib import (OPENMETRICS_CONTENT_TYPE, SCRAPE_ACCEPT, CheckFailed, demo_command, free_port, request,
                     stop_process, wait_for, wait_until)

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


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def scrape(port, accept=SCRAPE_ACCEPT):
    headers = {"X-Prometheus-Scrape-Timeout-Seconds": "10"}
    if accept:
        headers["Accept"] = accept
    status, headers, body = request(f"http://127.0.0.1:{port}/metrics", headers=headers, timeout=15)
    return status, headers, body.decode("utf-8")


def adobe_samples(families):
    """(name, sorted labels, value) of every sample about a product: the data series."""
    return sorted(
        (s.name, tuple(sorted(s.labels.items())), s.value)
        for f in families
        for s in f.samples
        if "product_id" in s.labels
    )


def check_text_format(port):
    """The text format's checks; returns the number of Adobe samples both formats carry."""
    for _ in range(3):
        status, headers, openmetrics_body = scrape(port)
        if status != 200:
            fail(f"/metrics answered {status}")
        status, headers, body = scrape(port, accept=None)
        check_text_body(status, headers, body)
        text = adobe_samples(text_format_families(body))
        openmetrics = adobe_samples(text_string_to_metric_families(openmetrics_body))
        # A refresh between the two scrapes may change the data (the live scenario moves).
        if len(text) >= 100 and text == openmetrics:
            return len(text)
    fail(f"text format has {len(text)} Adobe samples, OpenMetrics {len(openmetrics)}; they differ")


def check_text_body(status, headers, body):
    if status != 200:
        fail(f"/metrics without Accept answered {status}")
    if headers.get("Content-Type") != TEXT_CONTENT_TYPE:
        fail(f"Content-Type without Accept is {headers.get('Content-Type')!r}")
    promtool = shutil.which("promtool")
    if promtool is None:
        fail("promtool is not installed (scripts/test-monitoring installs it)")
    checked = subprocess.run([promtool, "check", "metrics"], input=body.encode(), capture_output=True)
    if checked.returncode != 0:
        fail(f"promtool check metrics: {(checked.stdout + checked.stderr).decode().strip()}")


def main():
    exe = sys.argv[1]
    port, sim = free_port(), free_port()
    proc = subprocess.Popen(
        demo_command(exe, sim, port, "--status.min-interval=1s", "--status.registry-interval=1s", "--log.level=warn")
    )
    try:
        try:
            wait_for(f"http://127.0.0.1:{port}/-/ready", "exporter", proc, timeout=60)
        except CheckFailed as e:
            fail(f"exporter not ready: {e}")

        sim_url = f"http://127.0.0.1:{sim}/__sim"
        request(
            f"{sim_url}/products",
            {"id": PRODUCT_ID, "name": TRICKY_NAME, "cloud_id": "503461", "services": [["svc-1", 'Service "one" \\ \u00e9']]},
        )
        request(
            f"{sim_url}/incidents",
            {"product_ids": [PRODUCT_ID], "severity": "Major", "title": TRICKY_TITLE, "regions": ["EMEA"], "service_ids": ["svc-1"]},
        )

        def incident_exported():
            status, headers, body = scrape(port)
            if status != 200:
                fail(f"/metrics answered {status}")
            if headers.get("Content-Type") != OPENMETRICS_CONTENT_TYPE:
                fail(f"Content-Type is {headers.get('Content-Type')!r}")
            if f'product_id="{PRODUCT_ID}"' in body and "adobe_status_incident_info" in body:
                families = {f.name: f for f in text_string_to_metric_families(body)}
                if any(s.labels.get("product_id") == PRODUCT_ID for s in families["adobe_status_incident"].samples):
                    return families, body
            return None

        try:
            families, _ = wait_until(
                "the simulated incident in /metrics", incident_exported, timeout=30, interval=1.2)
        except CheckFailed as e:
            fail(f"the simulated product never appeared in /metrics: {e}")

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
        same = check_text_format(port)
        print(f"OK: {sum(len(f.samples) for f in families.values())} samples in {len(families)} families parsed; "
              f"{products} products; tricky labels round-trip; text format: promtool accepts it and "
              f"{same} Adobe samples equal the OpenMetrics ones")
    finally:
        if not stop_process(proc, timeout=20):
            fail("exporter did not stop within 20 s of SIGTERM")
    if proc.returncode != 0:
        fail(f"exporter exited with {proc.returncode} after SIGTERM")


if __name__ == "__main__":
    main()
