#!/usr/bin/env python3
"""Static checks of dashboards/, alerts/, deploy/ and docs/ (run by scripts/test-monitoring).

For the dashboards, only what Grafana's SDK (scripts/monitoring/build_dashboards.py) cannot
guarantee: the grafana/dashboard-linter rules about values the project follows
(template-datasource-rule, template-job-rule, template-instance-rule, target-job-rule,
target-instance-rule, target-rate-interval-rule, target-counter-agg-rule, panel-units-rule,
panel-title-description-rule), referenced variables, uids and panel ids, and metric names (every
name must be in README "Metrics"); plus project rules for the alerts, the runbook and the
provisioning files.

Needs PyYAML (target/py from scripts/python-venv). Prints one line per check and exits 1 if any
failed.
"""

import json
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))  # for project (the repository URL of Cargo.toml)
import project  # noqa: E402

DS_REF = {"type": "prometheus", "uid": "${datasource}"}
RUNBOOK = "docs/runbook.md"
RUNBOOK_BASE = project.load().docs_url(RUNBOOK)
# Series Prometheus makes itself; not in the exporter's output.
PROMETHEUS_SERIES = {"up", "scrape_duration_seconds", "ALERTS", "ALERTS_FOR_STATE"}
SEVERITIES = {"critical", "warning", "info"}

failures = []
passes = 0


def check(ok, what, detail=""):
    global passes
    if ok:
        passes += 1
    else:
        failures.append(f"{what}: {detail}" if detail else what)
    return ok


# ----------------------------------------------------------------------------------- metric names


def readme_metric_names():
    """Metric names from the README "Metrics" tables (first column, backticked)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Metrics", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        m = re.match(r"\|\s*`(adobe_status_[a-z0-9_]+)`", line)
        if m:
            names.add(m.group(1))
    return names


def sample_names(metric_names):
    """Sample names a metric family can produce (histograms get _bucket/_count/_sum)."""
    out = set()
    for n in metric_names:
        out.add(n)
        out.update({n + "_bucket", n + "_count", n + "_sum"})
    return out


METRIC_RE = re.compile(r"\b(adobe_status_[a-z0-9_]+)")


def referenced_metrics(text):
    # "adobe_status_exporter" alone is the program's name (in prose and URLs), not a metric.
    return set(METRIC_RE.findall(text)) - {"adobe_status_exporter"}


# ------------------------------------------------------------------------------------ dashboards


def panels_of(dash):
    for p in dash.get("panels", []):
        yield p
        for q in p.get("panels", []):  # collapsed rows
            yield q


SELECTOR_RE = re.compile(r"\b(adobe_status_[a-z0-9_]+|up|scrape_duration_seconds)\b(\s*\{([^}]*)\})?")


def strip_strings(expr):
    """Blank out string literals so label values cannot look like metric names."""
    return re.sub(r'"(?:[^"\\]|\\.)*"', lambda m: '"' + "x" * (len(m.group(0)) - 2) + '"', expr)


def enclosing_function(plain, pos):
    """Name of the innermost function call whose parentheses enclose position `pos`."""
    depth = 0
    for i in range(pos - 1, -1, -1):
        c = plain[i]
        if c == ")":
            depth += 1
        elif c == "(":
            if depth == 0:
                m = re.search(r"([a-z_]+)\s*$", plain[:i])
                return m.group(1) if m else ""
            depth -= 1
    return ""


RATE_FUNCTIONS = {"rate", "irate", "increase"}


def lint_expr(where, expr):
    plain = strip_strings(expr)
    for m in SELECTOR_RE.finditer(plain):
        name = m.group(1)
        matchers = expr[m.start(3): m.end(3)] if m.group(3) is not None else ""
        check('job=~"$job"' in matchers, f"{where}: target-job-rule", f"{name} has no job=~\"$job\"")
        check('instance=~"$instance"' in matchers, f"{where}: target-instance-rule",
              f"{name} has no instance=~\"$instance\"")
        if name.endswith(("_total", "_bucket")):
            check(enclosing_function(plain, m.start()) in RATE_FUNCTIONS,
                  f"{where}: target-counter-agg-rule", f"{name} is not inside rate()/increase()")
    for m in re.finditer(r"\[([^\]]*)\]", plain):
        window = m.group(1)
        if enclosing_function(plain, m.start()) in RATE_FUNCTIONS:
            check(window == "$__rate_interval", f"{where}: target-rate-interval-rule",
                  f"rate/increase window [{window}]")
        else:
            check(window.startswith("$__"), f"{where}: no hard-coded range", f"[{window}]")


def walk_datasources(obj, path, out):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "datasource":
                out.append((path, v))
            walk_datasources(v, f"{path}.{k}", out)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            walk_datasources(v, f"{path}[{i}]", out)


VARIABLE_REF_RE = re.compile(r"\$\{?(?!__)([A-Za-z_]\w*)")  # $name, ${name}, ${name:format}; not $__builtin


def lint_dashboard(path, known_samples):
    """The conventions no library checks. What the SDK's typed builders guarantee (the JSON
    shape, field types, data source reference objects, no __inputs, schemaVersion, layout without
    overlaps) is not checked again here."""
    name = path.name
    text = path.read_text(encoding="utf-8")
    dash = json.loads(text)
    check(dash.get("uid") == path.stem, f"{name}: fixed uid equal to the file name", repr(dash.get("uid")))
    check(bool(dash.get("title")) and bool(dash.get("description")), f"{name}: title and description")
    check("adobe-status" in dash.get("tags", []), f"{name}: tagged adobe-status")
    check(bool(dash.get("time")) and bool(dash.get("refresh")), f"{name}: time range and refresh set")

    # Data sources: only ${datasource} (and Grafana's built-in annotation source).
    refs = []
    walk_datasources(dash, name, refs)
    for where, ref in refs:
        check(ref in (DS_REF, {"type": "grafana", "uid": "-- Grafana --"}), f"{where}: no hard-coded datasource",
              json.dumps(ref))

    # Variables.
    tvars = {v["name"]: v for v in dash["templating"]["list"]}
    for ref in sorted(set(VARIABLE_REF_RE.findall(text))):
        check(ref in tvars, f"{name}: referenced variable ${ref} exists")
    check(tvars.get("datasource", {}).get("query") == "prometheus", f"{name}: template-datasource-rule",
          "needs a `datasource` variable of Prometheus data sources")
    for var in ("job", "instance"):
        v = tvars.get(var, {})
        check(v.get("multi") and v.get("includeAll") and v.get("allValue") == ".+", f"{name}: template-{var}-rule",
              f"`{var}`: multi, includeAll, allValue .+")
    for v in tvars.values():
        if v["type"] == "query":
            check(v.get("datasource") == DS_REF, f"{name}: variable {v['name']} uses ${{datasource}}")
            check(bool(v.get("label")), f"{name}: variable {v['name']} has a label")
            for metric in referenced_metrics(v["query"]):
                check(metric in known_samples, f"{name}: variable {v['name']} metric exists", metric)

    # Panels.
    titles = [p["title"] for p in panels_of(dash) if p["type"] != "row"]
    dups = sorted({t for t in titles if titles.count(t) > 1})
    check(not dups, f"{name}: panel titles are unique", ", ".join(dups))
    ids = [p.get("id") for p in panels_of(dash)]
    check(len(set(ids)) == len(ids) and None not in ids, f"{name}: every panel has its own id", str(ids))
    for p in panels_of(dash):
        where = f"{name} panel {p.get('id')} {p['title']!r}"
        gp = p["gridPos"]
        check(gp["x"] + gp["w"] <= 24, f"{where}: fits the 24-column grid", str(gp))
        if p["type"] == "row":
            continue
        check(bool(p.get("description")), f"{where}: panel-title-description-rule")
        check(p.get("datasource") == DS_REF, f"{where}: panel datasource is ${{datasource}}")
        check(bool(p["fieldConfig"]["defaults"].get("unit")), f"{where}: panel-units-rule", "no unit")
        targets = p.get("targets", [])
        check(bool(targets) and all(t["expr"].strip() for t in targets), f"{where}: has queries")
        exprs = []
        for t in targets:
            check(t.get("datasource") == DS_REF, f"{where} target {t['refId']}: datasource is ${{datasource}}")
            lint_expr(f"{where} target {t['refId']}", t["expr"])
            for metric in referenced_metrics(strip_strings(t["expr"])):
                check(metric in known_samples, f"{where}: metric exists (README Metrics)", metric)
            exprs.append(t["expr"])
        # Panels that show severity ranks (not counts of them) map them to names and colours.
        if any("_worst_severity" in e and not e.startswith("count(") for e in exprs) \
                and p["type"] in ("stat", "state-timeline", "table"):
            mapped = bool(p["fieldConfig"]["defaults"].get("mappings")) or any(
                prop["id"] == "mappings" for o in p["fieldConfig"].get("overrides", [])
                for prop in o["properties"])
            check(mapped, f"{where}: severity values are mapped to names")
    return dash


# ---------------------------------------------------------------------------------------- alerts


def duration_seconds(d):
    total = 0
    for num, unit in re.findall(r"(\d+)(ms|s|m|h|d|w|y)", d or "0s"):
        total += int(num) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}[unit]
    return total


def github_anchors(md_text):
    anchors = set()
    for line in md_text.splitlines():
        m = re.match(r"#{1,6}\s+(.*)", line)
        if m:
            slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
            anchors.add(slug)
    return anchors


def lint_alerts(known_samples):
    rules_path = ROOT / "alerts/adobe-status-alerts.yml"
    tests_path = ROOT / "alerts/adobe-status-alerts.test.yml"
    rules = yaml.safe_load(rules_path.read_text(encoding="utf-8"))
    tests = yaml.safe_load(tests_path.read_text(encoding="utf-8"))
    anchors = github_anchors((ROOT / RUNBOOK).read_text(encoding="utf-8"))
    alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
    names = [a["alert"] for a in alerts]
    check(len(names) == len(set(names)), "alerts: unique names")
    for a in alerts:
        n = a["alert"]
        w = f"alert {n}"
        check(re.fullmatch(r"AdobeStatus[A-Z][A-Za-z0-9]+", n) is not None, f"{w}: CamelCase with prefix AdobeStatus")
        sev = a.get("labels", {}).get("severity")
        check(sev in SEVERITIES, f"{w}: severity label critical|warning|info", repr(sev))
        check(re.search(r"\bseverity\b", strip_strings(a["expr"])) is None,
              f"{w}: expr carries no data label named severity")
        ann = a.get("annotations", {})
        for k in ("summary", "description", "runbook_url"):
            check(bool(str(ann.get(k, "")).strip()), f"{w}: annotation {k}")
        url = ann.get("runbook_url", "")
        base, _, anchor = url.partition("#")
        check(base == RUNBOOK_BASE, f"{w}: runbook_url points at {RUNBOOK}", url)
        check(anchor == n.lower() and anchor in anchors, f"{w}: runbook anchor #{n.lower()} exists in {RUNBOOK}", url)
        f = duration_seconds(a.get("for"))
        check(f >= 60, f"{w}: for >= 1m (no alert on one failed scrape)", str(a.get("for")))
        if "up{" in a["expr"]:
            check(f >= 300, f"{w}: target alerts wait >= 5m", str(a.get("for")))
        if "adobe_status_product_info" in a["expr"]:
            for k in ("summary", "description"):
                text = ann.get(k, "")
                check("$labels.product_name" in text, f"{w}: {k} names the product")
                check('label "title"' in text, f"{w}: {k} carries the incident/maintenance title")
        for metric in referenced_metrics(a["expr"] + json.dumps(ann)):
            check(metric in known_samples, f"{w}: metric exists (README Metrics)", metric)

    # Every alert has a firing and a silent unit test.
    firing, silent = set(), set()
    for t in tests.get("tests", []):
        for case in t.get("alert_rule_test", []) or []:
            (firing if case.get("exp_alerts") else silent).add(case["alertname"])
    for n in names:
        check(n in firing, f"alert {n}: has a firing unit test")
        check(n in silent, f"alert {n}: has a silent unit test")
    return alerts


# ------------------------------------------------------------------------------------ deploy/docs


def lint_alertmanager(alert_names):
    am = yaml.safe_load((ROOT / "deploy/compose/alertmanager/alertmanager.yml").read_text(encoding="utf-8"))
    text = json.dumps(am)
    for ref in set(re.findall(r"AdobeStatus[A-Za-z]+", text)):
        check(ref in alert_names, "alertmanager.yml: referenced alert exists", ref)
    groups = am["route"].get("group_by", [])
    check("product_id" in groups, "alertmanager.yml: groups by product", str(groups))
    check(bool(am.get("inhibit_rules")), "alertmanager.yml: has inhibit rules")


def lint_provisioning():
    ds = yaml.safe_load((ROOT / "deploy/compose/grafana/provisioning/datasources/adobe-status.yml").read_text())
    d = ds["datasources"][0]
    check(d.get("type") == "prometheus", "grafana datasource provisioning: prometheus")
    check(bool(d.get("jsonData", {}).get("timeInterval")), "grafana datasource provisioning: timeInterval set",
          "needed for a correct $__rate_interval")
    prov = yaml.safe_load((ROOT / "deploy/compose/grafana/provisioning/dashboards/adobe-status.yml").read_text())
    p = prov["providers"][0]
    check(p.get("type") == "file" and bool(p.get("options", {}).get("path")),
          "grafana dashboard provisioning: file provider with a path")


def lint_doc_links():
    for md in sorted((ROOT / "docs").glob("*.md")):
        text = md.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if re.match(r"[a-z]+://", target) or target.startswith("mailto:"):
                continue
            check((md.parent / target).resolve().exists(), f"{md.relative_to(ROOT)}: link target exists", target)


def main():
    known = sample_names(readme_metric_names()) | PROMETHEUS_SERIES
    check(len(known) > 20, "README Metrics tables parsed", str(len(known)))
    for path in sorted((ROOT / "dashboards").glob("*.json")):
        lint_dashboard(path, known)
    alerts = lint_alerts(known)
    lint_alertmanager({a["alert"] for a in alerts})
    lint_provisioning()
    lint_doc_links()
    for f in failures:
        print(f"  FAIL {f}")
    print(f"lint: {passes} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
