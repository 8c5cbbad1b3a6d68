#!/usr/bin/env python3
"""Checks the monitoring mixin mixin/ (run by scripts/test) with Debian's jsonnet and jsonnetfmt.

  format      `jsonnetfmt --test` on every .libsonnet file
  up to date  mixin/alerts.json is what scripts/generate_kubernetes.py writes from alerts/
  alerts      `prometheusAlerts` with the default _config equals alerts/adobe-status-alerts.yml, and
              passes `promtool check rules`; with another selector and severities, the rules carry
              those and nothing of the defaults, and still pass promtool
  dashboards  `grafanaDashboards` is dashboards/*.json, one entry per file
Usage: check_mixin.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from testlib import ROOT, Checks

MIXIN = ROOT / "mixin"
check = Checks()


def jsonnet(expression: str) -> object:
    r = subprocess.run(["jsonnet", "-J", MIXIN, "-e", expression], capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        raise SystemExit(f"jsonnet -e {expression!r} failed: {r.stderr}")
    return json.loads(r.stdout)


def promtool(rules: object, what: str) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".yml") as f:
        yaml.safe_dump(rules, f)
        f.flush()
        r = subprocess.run(["promtool", "check", "rules", f.name], capture_output=True, text=True)
    check(r.returncode == 0, f"{what} pass promtool check rules", r.stdout + r.stderr)


def main() -> int:
    files = sorted(MIXIN.glob("*.libsonnet"))
    r = subprocess.run(["jsonnetfmt", "--test", *files], capture_output=True, text=True)
    check(r.returncode == 0, f"jsonnetfmt --test: {len(files)} files formatted", r.stdout + r.stderr)

    r = subprocess.run([sys.executable, ROOT / "scripts/generate_kubernetes.py", "--check"], capture_output=True, text=True)
    check(r.returncode == 0, "mixin/alerts.json (and the other generated copies) up to date", r.stderr.strip())

    source = yaml.safe_load((ROOT / "alerts/adobe-status-alerts.yml").read_text(encoding="utf-8"))
    alerts = jsonnet('(import "mixin.libsonnet").prometheusAlerts')
    check(alerts == source, "prometheusAlerts with the default _config equals alerts/adobe-status-alerts.yml")
    promtool(alerts, "prometheusAlerts")

    selector = 'job="kube-prometheus/adobe-status", namespace="monitoring"'
    custom = jsonnet("((import \"mixin.libsonnet\") + { _config+:: { selector: '%s', "
                     "severities+: { critical: 'page', warning: 'ticket' } } }).prometheusAlerts" % selector)
    text = json.dumps(custom)
    rules = [rule for group in custom["groups"] for rule in group["rules"]]
    with_selector = [rule["alert"] for rule in rules if json.dumps(selector)[1:-1] in json.dumps(rule["expr"])]
    expected = [rule["alert"] for group in source["groups"] for rule in group["rules"] if 'job="adobe_status"' in rule["expr"]]
    check(with_selector == expected and 'job=\\"adobe_status\\"' not in text,
          f"_config.selector replaces the job selector in {expected}", str(with_selector))
    severities = {rule["labels"]["severity"] for rule in rules}
    check(severities == {"page", "ticket", "info"}, "_config.severities maps the severity labels", str(severities))
    promtool(custom, "prometheusAlerts with another selector and severities")

    dashboards = jsonnet('(import "mixin.libsonnet").grafanaDashboards')
    expected_dashboards = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "dashboards").glob("*.json"))}
    check(dashboards == expected_dashboards, "grafanaDashboards is dashboards/*.json", str(sorted(dashboards)))

    return check.summary("mixin")


if __name__ == "__main__":
    sys.exit(main())
