#!/usr/bin/python3
"""End-to-end proof of the dashboards and alerts (run by scripts/test-monitoring).

Starts, on loopback ports, the exporter in demo mode (simulated Adobe, empty scenario), a real
Prometheus (Debian 2.42) scraping it every second with the alert rules, a real Alertmanager
(Debian 0.25) with the routing tree of deploy/compose/alertmanager/alertmanager.yml, and a webhook
receiver standing in for the pager, ticket and chat receivers. Then, through the simulator's
/__sim/ control API:

1. opens a Major incident on a watched product (Adobe Analytics) → a page arrives carrying the
   product name and the incident title; a Minor incident on the same product is inhibited;
   a Minor incident on another product → a ticket; a Major incident on a product no route
   watches → a ticket, no page; a maintenance in progress → chat only, nobody is paged;
2. evaluates every panel query of every dashboard (variables substituted) through Prometheus'
   HTTP API: each must succeed and return data (or be listed with the reason it may be empty),
   and checks every metric name of the dashboards and rules against the exporter's output;
3. closes the incidents and ends the maintenance → the page, ticket and chat alerts resolve;
4. stops the exporter → AdobeStatusExporterDown reaches the ticket receiver.

Time is compressed for the test: the rules are copied with every minute in `for:`,
`keep_firing_for:` and range windows turned into a second (10m → 10s, [15m] → [15s]; `for:` at
least 5s, see MIN_FOR_SECONDS), and
Alertmanager's group_wait/group_interval are set to 1s/2s. Everything else (expressions,
labels, annotation templates, routes, inhibitions) is exactly what ships.

Standard library only (with scripts/testlib.py). Data and logs: target/monitoring-e2e/.
"""

import argparse
import http.server as httpserver
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # scripts/, for testlib
from testlib import (ROOT, CheckFailed, Processes, demo_command, free_port, fresh_dir, request,  # noqa: E402
                     wait_until)

WORK = ROOT / "target" / "monitoring-e2e"
RULES = ROOT / "alerts" / "adobe-status-alerts.yml"
AM_CONFIG = ROOT / "deploy" / "compose" / "alertmanager" / "alertmanager.yml"
AM_EXAMPLE_BASE = "http://alert-sink:9095"
DASHBOARDS = sorted((ROOT / "dashboards").glob("*.json"))

WATCHED = "503467"  # Adobe Analytics: in the example's paging route
RUN = str(int(time.time()))[-6:]

# Panels that can legitimately be empty in production, and why (printed with the results).
# The e2e populates all of them, so with every product selected each must return data here.
MAY_BE_EMPTY = {
    "Incident history": "no selected product had an incident in the time range",
    "Ongoing incidents": "no ongoing incident on the selected products",
    "Impacted regions": "no ongoing incident on the selected products",
    "Maintenances in progress": "no maintenance running on the selected products",
    "Upcoming maintenances": "no maintenance announced for the selected products",
    "Impacted services over time": "no service of the selected products was impacted in the time range",
    "Age of the data": "the exporter has not refreshed successfully yet",
    "Data age": "the exporter has not refreshed successfully yet",
    "Data age over time": "the exporter has not refreshed successfully yet",
    "Token expires in": "no IMS token obtained yet",
    "Token lifetime left": "no IMS token obtained yet",
    "Registry age": "the registry has not been fetched completely yet",
}

results = []  # (ok, name, detail)


def record(ok, name, detail=""):
    results.append((ok, name, detail))
    mark = "ok  " if ok else "FAIL"
    print(f"  {mark} {name}" + (f" — {detail}" if detail else ""), flush=True)
    return ok


# ------------------------------------------------------------------------------------------ HTTP


def api(url, body=None, form=None):
    """A GET, or a POST of `body` as JSON or of `form`; the answer parsed when it is JSON."""
    raw = request(url, body, form, timeout=10).body
    return json.loads(raw) if raw[:1] in (b"{", b"[") else raw.decode()


class Webhook(httpserver.ThreadingHTTPServer):
    """Records every Alertmanager notification: (receiver path, payload)."""

    daemon_threads = True

    def __init__(self, port):
        self.lock = threading.Lock()
        self.notifications = []
        self.log = open(WORK / "webhook.jsonl", "w")
        outer = self

        class Handler(httpserver.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                payload = json.loads(self.rfile.read(n) or b"{}")
                receiver = self.path.rsplit("/", 1)[-1]
                with outer.lock:
                    outer.notifications.append((receiver, payload))
                    outer.log.write(json.dumps({"receiver": receiver, "payload": payload}) + "\n")
                    outer.log.flush()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", port), Handler)

    def alerts(self, receiver=None):
        """Every alert of every notification, with the receiver it went to."""
        with self.lock:
            return [(r, a) for r, p in self.notifications for a in p.get("alerts", [])
                    if receiver is None or r == receiver]

    def find(self, receiver, status, **labels):
        return [a for _, a in self.alerts(receiver)
                if a.get("status") == status and all(a["labels"].get(k) == v for k, v in labels.items())]


# -------------------------------------------------------------------------------------- configs


# Floor of the compressed `for:` durations. The exporter re-reads Adobe's messages (incident and
# maintenance titles) with the registry, which with --status.registry-interval=1s happens every
# other refresh, i.e. up to ~2 s after a new event appears; a shorter `for:` could page before the
# title is known. (In production the registry interval is 1 h: see docs/monitoring.md.)
MIN_FOR_SECONDS = 5


def compress_time(text):
    """Minutes become seconds in `for:`, `keep_firing_for:` and range windows."""
    text = re.sub(r"^(\s*for:\s*)(\d+)m\s*$", lambda m: f"{m.group(1)}{max(int(m.group(2)), MIN_FOR_SECONDS)}s",
                  text, flags=re.M)
    text = re.sub(r"^(\s*keep_firing_for:\s*)(\d+)m\s*$", r"\g<1>\2s", text, flags=re.M)
    return re.sub(r"\[(\d+)m\]", r"[\1s]", text)


def write_configs(ports):
    (WORK / "rules").mkdir(parents=True, exist_ok=True)
    rules = WORK / "rules" / "adobe-status-alerts.yml"
    rules.write_text(compress_time(RULES.read_text(encoding="utf-8")), encoding="utf-8")
    prom = WORK / "prometheus.yml"
    prom.write_text(f"""# generated by scripts/monitoring/e2e.py
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: [{rules}]
alerting:
  alertmanagers:
    - static_configs: [{{targets: ["127.0.0.1:{ports['am']}"]}}]
scrape_configs:
  - job_name: adobe_status
    static_configs: [{{targets: ["127.0.0.1:{ports['exporter']}"]}}]
""")
    am = AM_CONFIG.read_text(encoding="utf-8").replace(AM_EXAMPLE_BASE, f"http://127.0.0.1:{ports['webhook']}")
    am = re.sub(r"group_wait: \S+", "group_wait: 1s", am)
    am = re.sub(r"group_interval: \S+", "group_interval: 2s", am)
    am_path = WORK / "alertmanager.yml"
    am_path.write_text(am, encoding="utf-8")
    for argv in (["promtool", "check", "rules", str(rules)], ["promtool", "check", "config", str(prom)],
                 ["amtool", "check-config", str(am_path)]):
        r = subprocess.run(argv, capture_output=True, text=True)
        if r.returncode:
            raise CheckFailed(f"{' '.join(argv)}: {r.stdout}{r.stderr}")
    return rules, prom, am_path


# ------------------------------------------------------------------------------------ PromQL


class Prom:
    def __init__(self, base):
        self.base = base

    def query(self, expr):
        r = api(f"{self.base}/api/v1/query", form={"query": expr})
        if r.get("status") != "success":
            raise CheckFailed(f"query failed: {r}")
        return r["data"]["result"]

    def firing(self, alertname, **labels):
        sel = ",".join([f'alertname="{alertname}"', 'alertstate="firing"']
                       + [f'{k}="{v}"' for k, v in labels.items()])
        return self.query(f"ALERTS{{{sel}}}")


def substitute(expr, values):
    for var in sorted(values, key=len, reverse=True):
        expr = expr.replace(var, values[var])
    return expr


def regex_escape(value):
    """As Grafana's Prometheus data source escapes a selected value for =~."""
    return re.sub(r"([\\^$*+?.()|{}\[\]])", r"\\\\\1", value)


def panels_of(dash):
    for p in dash.get("panels", []):
        yield p
        yield from p.get("panels", [])


def check_dashboards(prom, analytics_name):
    base_vars = {"$__rate_interval": "10s", "$__range": "5m", "$__interval": "2s",
                 "$job": ".+", "$instance": ".+", "$cloud": ".*", "$product": ".*"}
    passes = [("all products", base_vars, False)]
    one = dict(base_vars, **{"$product": regex_escape(analytics_name)})
    passes.append((f"product {analytics_name!r}", one, True))
    total = 0
    for path in DASHBOARDS:
        dash = json.loads(path.read_text(encoding="utf-8"))
        has_product = any(v["name"] == "product" for v in dash["templating"]["list"])
        # Variables: label_values(selector, label) must find values.
        for v in dash["templating"]["list"]:
            if v.get("type") != "query":
                continue
            q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
            m = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", q.strip())
            if not m:
                record(False, f"{path.name} variable {v['name']}", f"unsupported query {q}")
                continue
            expr = f"count by ({m.group(2)}) ({substitute(m.group(1), base_vars)})"
            res = prom.query(expr)
            values = sorted(r["metric"].get(m.group(2), "") for r in res)
            record(bool(res), f"{path.name} variable ${v['name']}", f"{len(values)} values")
        for label, values, drill in passes:
            if drill and not has_product:
                continue
            empty_allowed = []
            for p in panels_of(dash):
                if p.get("type") == "row":
                    continue
                for t in p.get("targets", []):
                    total += 1
                    expr = substitute(t["expr"], values)
                    name = f"{path.name} [{label}] {p['title']!r} {t['refId']}"
                    try:
                        res = prom.query(expr)
                    except (CheckFailed, urllib.error.HTTPError) as e:
                        body = e.read().decode() if isinstance(e, urllib.error.HTTPError) else str(e)
                        record(False, name, f"query error: {body[:300]}")
                        continue
                    if res:
                        results.append((True, name, f"{len(res)} series"))
                    elif drill and p["title"] in MAY_BE_EMPTY:
                        if p["title"] not in empty_allowed:
                            empty_allowed.append(p["title"])
                    else:
                        record(False, name, "no data" + (f" (may be empty in production: {MAY_BE_EMPTY[p['title']]})"
                                                          if p["title"] in MAY_BE_EMPTY else ""))
            n_ok = sum(1 for ok, n, _ in results if ok and n.startswith(f"{path.name} [{label}]"))
            record(True, f"{path.name} [{label}]: {n_ok} panel queries returned data"
                   + ("; empty as expected: " + ", ".join(f"{t!r} ({MAY_BE_EMPTY[t]})" for t in empty_allowed)
                      if empty_allowed else ""))
    print("  panels that may be empty in production, and why:")
    for title, why in MAY_BE_EMPTY.items():
        print(f"    - {title}: {why}")
    return total


def check_metric_names(exporter_url):
    body = api(f"{exporter_url}/metrics")
    exported = {re.split(r"[{ ]", line, 1)[0] for line in body.splitlines() if line and not line.startswith("#")}
    used = {}

    def use(text, where):
        for name in set(re.findall(r"\badobe_status_[a-z0-9_]+", text)) - {"adobe_status_exporter"}:
            used.setdefault(name, set()).add(where)

    for path in DASHBOARDS:
        dash = json.loads(path.read_text(encoding="utf-8"))
        for v in dash["templating"]["list"]:
            use(json.dumps(v.get("query", "")), path.name)
        for p in panels_of(dash):
            for t in p.get("targets", []):
                use(t.get("expr", ""), path.name)
    # Rules: expressions and the queries inside annotation templates (not comments, not URLs).
    rules = "\n".join(line for line in RULES.read_text(encoding="utf-8").splitlines()
                      if not line.lstrip().startswith("#") and "runbook_url:" not in line)
    use(rules, RULES.name)
    missing = {n: f for n, f in used.items() if n not in exported}
    record(not missing, f"every metric name used in dashboards and rules ({len(used)}) is in the exporter's output",
           "; ".join(f"{n} ({', '.join(sorted(f))})" for n, f in sorted(missing.items())))


# ---------------------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exporter", default=str(ROOT / "target" / "debug" / "adobe_status_exporter"))
    ap.add_argument("--prometheus", default=shutil.which("prometheus") or "/usr/bin/prometheus")
    ap.add_argument("--alertmanager", default=shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager")
    args = ap.parse_args()
    args.exporter = str(pathlib.Path(args.exporter).resolve())
    if not os.access(args.exporter, os.X_OK):
        print(f"e2e: exporter binary {args.exporter} not found (cargo build first)", file=sys.stderr)
        return 1

    fresh_dir(WORK)
    ports = {k: free_port() for k in ("exporter", "sim", "prom", "am", "webhook")}
    procs = Processes(WORK)
    hook = Webhook(ports["webhook"])
    threading.Thread(target=hook.serve_forever, daemon=True).start()

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    try:
        run(args, ports, procs, hook)
    except CheckFailed as e:
        record(False, "e2e aborted", str(e))
    except Exception as e:  # noqa: BLE001 - report, clean up, fail
        record(False, "e2e crashed", f"{type(e).__name__}: {e}")
    finally:
        procs.stop_all()
        hook.shutdown()
    failed = [r for r in results if not r[0]]
    if failed:
        for name in ("exporter", "prometheus", "alertmanager"):
            log = WORK / f"{name}.log"
            if log.exists():
                print(f"\n--- last lines of {log.relative_to(ROOT)} ---")
                print("\n".join(log.read_text(errors="replace").splitlines()[-15:]))
    print(f"e2e: {sum(1 for r in results if r[0])} passed, {len(failed)} failed "
          f"({time.monotonic() - started:.0f}s)")
    return 1 if failed else 0


def run(args, ports, procs, hook):
    rules, prom_cfg, am_cfg = write_configs(ports)
    alive = procs.check_alive  # every wait ends early when a process has died
    exporter_url = f"http://127.0.0.1:{ports['exporter']}"
    sim = f"http://127.0.0.1:{ports['sim']}/__sim"
    procs.start("exporter", demo_command(
        args.exporter, ports["sim"], ports["exporter"], "--demo.scenario=empty",
        # One refresh per second, registry (and so incident titles) included; 6 requests a
        # refresh stay within the 50 per 5 s budget.
        "--status.min-interval=1s", "--status.registry-interval=1s", "--status.max-requests=50",
        "--log.level=warn",
    ))
    procs.start("prometheus", [
        args.prometheus, f"--config.file={prom_cfg}", f"--storage.tsdb.path={WORK / 'prometheus-data'}",
        f"--web.listen-address=127.0.0.1:{ports['prom']}", "--rules.alert.resend-delay=1s",
        "--log.level=warn",
    ])
    procs.start("alertmanager", [
        args.alertmanager, f"--config.file={am_cfg}", f"--storage.path={WORK / 'alertmanager-data'}",
        f"--web.listen-address=127.0.0.1:{ports['am']}", "--cluster.listen-address=",
        "--log.level=warn",
    ])
    prom = Prom(f"http://127.0.0.1:{ports['prom']}")
    am = f"http://127.0.0.1:{ports['am']}"

    print("start-up", flush=True)
    wait_until("exporter ready", lambda: api(f"{exporter_url}/-/ready"), alive)
    wait_until("Prometheus ready", lambda: api(f"{prom.base}/-/ready"), alive)
    wait_until("Alertmanager ready", lambda: api(f"{am}/-/ready"), alive)
    wait_until("Prometheus scraping the exporter with fresh Adobe data",
               lambda: prom.query('up{job="adobe_status"} == 1 and on (instance) adobe_status_up == 1'), alive)
    record(True, "exporter (demo, empty scenario), Prometheus and Alertmanager up; target scraped")

    rules_state = wait_until("rules evaluated", lambda: api(f"{prom.base}/api/v1/rules"), alive)
    bad = [r["name"] for g in rules_state["data"]["groups"] for r in g["rules"] if r.get("health") != "ok"
           and r.get("lastError")]
    n_rules = sum(len(g["rules"]) for g in rules_state["data"]["groups"])
    record(not bad and n_rules >= 9, f"Prometheus loaded {n_rules} rules, all healthy", ", ".join(bad))

    # ---------------------------------------------------------------- the scenario
    print("incidents and maintenances", flush=True)
    info = prom.query(f'adobe_status_product_info{{product_id="{WATCHED}"}}')
    if not info:
        raise CheckFailed(f"product {WATCHED} not exported")
    analytics = info[0]["metric"]["product_name"]
    cloud_id = info[0]["metric"]["cloud_id"]
    services = [r["metric"]["service_id"] for r in
                prom.query(f'adobe_status_service_info{{product_id="{WATCHED}"}}')][:2]

    ticket_p = ("990101", 'E2E Checkout "Beta" Ünïcode')
    unwatched_p = ("990102", "E2E Unwatched Product")
    maint_p = ("990103", "E2E Maintenance Only Product")
    for pid, name in (ticket_p, unwatched_p, maint_p):
        api(f"{sim}/products", {"id": pid, "name": name, "cloud_id": cloud_id,
                                "services": [[f"{pid}1", "Checkout API"], [f"{pid}2", "Web UI"]]})
    wait_until("the added products exported",
               lambda: len(prom.query('adobe_status_product_info{product_id=~"99010[123]"}')) == 3, alive)

    def incident(pids, severity, title, services=(), regions=(), environments=()):
        return api(f"{sim}/incidents", {"product_ids": list(pids), "severity": severity, "title": title,
                                        "regions": list(regions), "service_ids": list(services),
                                        "environments": list(environments)})["id"]

    # One of the watched product's EMEA environments, from the simulated Adobe's registry (read
    # as the exporter does: a token, then /products).
    adobe = sim.removesuffix("/__sim")
    token = api(f"{adobe}/ims/token/v3", form={"grant_type": "client_credentials", "client_id": "demo-client",
                                               "client_secret": "demo-secret", "scope": "openid"})["access_token"]
    products = json.loads(urllib.request.urlopen(urllib.request.Request(
        f"{adobe}/api/v1/products?api_key=StatusAdobeIOClient",
        headers={"Authorization": f"Bearer {token}"}), timeout=10).read())
    environment = next(e for p in products if p["id"] == WATCHED for e in p.get("environments", [])
                       if "EMEA" in e.get("regionId", []))

    t_major = f"E2E {RUN}: reports fail to load"
    t_minor_same = f"E2E {RUN}: slow exports"
    t_ticket = f"E2E {RUN}: checkout \"payments\" degraded"
    t_unwatched = f"E2E {RUN}: unwatched outage"
    t_maint = f"E2E {RUN}: database failover"
    major = incident([WATCHED], "Major", t_major, services, ["EMEA"], [environment["id"]])
    minor_same = incident([WATCHED], "Minor", t_minor_same)
    minor_ticket = incident([ticket_p[0]], "Minor", t_ticket, [f"{ticket_p[0]}1"])
    major_unwatched = incident([unwatched_p[0]], "Major", t_unwatched)
    now = int(time.time())
    maint = api(f"{sim}/maintenances", {
        "product_ids": [maint_p[0]], "status": "Started", "maintenance_type": "Urgent", "title": t_maint,
        "start": now - 60, "end": now + 1800})["id"]
    upcoming = api(f"{sim}/maintenances", {
        "product_ids": [maint_p[0]], "status": "Scheduled", "maintenance_type": "Normal",
        "title": f"E2E {RUN}: planned upgrade", "start": now + 3600, "end": now + 7200})["id"]
    print(f"  opened incidents {major} (Major, {analytics}), {minor_same} (Minor, {analytics}), "
          f"{minor_ticket} (Minor, {ticket_p[1]}), {major_unwatched} (Major, {unwatched_p[1]}); "
          f"maintenances {maint} (in progress), {upcoming} (scheduled)", flush=True)

    # The page: Major incident on a watched product.
    page = wait_until("the page for the Major incident",
                      lambda: hook.find("pager", "firing", incident_id=major), alive)[0]
    lab, ann = page["labels"], page["annotations"]
    record(lab.get("alertname") == "AdobeStatusProductMajorIncident" and lab.get("severity") == "critical",
           "Major incident on a watched product pages (pager receiver, severity critical)")
    record(lab.get("product_name") == analytics and analytics in ann.get("summary", "")
           and t_major in ann.get("summary", "") and t_major in ann.get("description", ""),
           "the page names the product and the incident title", ann.get("summary", ""))
    record("Europe, Middle East and Africa" in ann.get("description", "")
           and ann.get("runbook_url", "").endswith("docs/runbook.md#adobestatusproductmajorincident"),
           "the page carries the impacted region and the runbook link", ann.get("description", "")[:160])
    record(f"Environments: {environment['name']}." in ann.get("description", "")
           and "Impact: availability, most customers." in ann.get("description", "")
           and lab.get("customer_impact") == "most" and lab.get("operations_impact") == "availability"
           and ann.get("adobe_url") == "https://status.adobe.com",
           "the page says Adobe's impact (labels and description), the environment and the link to read more",
           f"{lab} {ann.get('description', '')[:400]} {ann.get('adobe_url')}")

    # Tickets: Minor incident elsewhere; Major incident on a product no paging route watches.
    t = wait_until("the ticket for the Minor incident",
                   lambda: hook.find("ticket", "firing", incident_id=minor_ticket), alive)[0]
    record(t["labels"].get("alertname") == "AdobeStatusProductMinorIncident"
           and t["labels"].get("product_name") == ticket_p[1] and t_ticket in t["annotations"].get("summary", ""),
           "Minor incident opens a ticket naming the product and title", t["annotations"].get("summary", ""))
    wait_until("the ticket for the Major incident on an unwatched product",
               lambda: hook.find("ticket", "firing", incident_id=major_unwatched), alive)
    record(True, "Major incident on a product no route watches opens a ticket")

    # Chat: the maintenance.
    c = wait_until("the chat message for the maintenance",
                   lambda: hook.find("chat", "firing", maintenance_id=maint), alive)[0]
    record(c["labels"].get("alertname") == "AdobeStatusMaintenanceInProgress"
           and maint_p[1] in c["annotations"].get("summary", "") and t_maint in c["annotations"].get("summary", ""),
           "maintenance in progress goes to chat (informational) naming product and title",
           c["annotations"].get("summary", ""))

    # Inhibition: the Minor incident on the product that already paged is firing, but muted.
    wait_until("the Minor incident on the paged product firing in Prometheus",
               lambda: prom.firing("AdobeStatusProductMinorIncident", incident_id=minor_same), alive)

    def inhibited():
        q = urllib.parse.quote(f'incident_id="{minor_same}"')
        alerts = api(f"{am}/api/v2/alerts?filter={q}")
        return [a for a in alerts if a["status"].get("inhibitedBy")]

    wait_until("Alertmanager inhibiting it", inhibited, alive, timeout=30)
    record(True, "Minor incident on a product with a Major incident is inhibited in Alertmanager")

    # ---------------------------------------------------------------- dashboards, metric names
    print("dashboards", flush=True)
    wait_until("the scheduled maintenance exported",
               lambda: prom.query(f'adobe_status_maintenance_info{{maintenance_id="{upcoming}"}}'), alive)
    n = check_dashboards(prom, analytics)
    record(True, f"{n} panel queries evaluated through Prometheus' HTTP API")
    check_metric_names(exporter_url)

    # Nothing about the maintenance or the unwatched/ticket products ever paged; the inhibited
    # Minor incident never became a ticket.
    time.sleep(3)
    pages = hook.alerts("pager")
    bad_pages = [a["labels"] for _, a in pages if a["labels"].get("product_id") != WATCHED
                 or a["labels"].get("alertname") != "AdobeStatusProductMajorIncident"]
    record(not bad_pages and all(a["labels"].get("incident_id") == major for _, a in pages),
           "only the Major incident on the watched product paged (maintenance pages nobody)",
           json.dumps(bad_pages)[:300])
    record(not [a for _, a in hook.alerts() if a["labels"].get("product_id") == maint_p[0]
                and a["labels"].get("alertname") != "AdobeStatusMaintenanceInProgress"],
           "the maintenance-only product raised nothing but the informational alert")
    record(not hook.find("ticket", "firing", incident_id=minor_same),
           "the inhibited Minor incident opened no ticket")

    # ---------------------------------------------------------------- resolution
    print("closing", flush=True)
    for i in (major, minor_same, minor_ticket, major_unwatched):
        api(f"{sim}/incidents/{i}/close", {})
    api(f"{sim}/maintenances/{maint}/status", {"status": "Completed"})
    wait_until("the page to resolve", lambda: hook.find("pager", "resolved", incident_id=major), alive)
    record(True, "closed Major incident → the page resolves")
    wait_until("the ticket to resolve", lambda: hook.find("ticket", "resolved", incident_id=minor_ticket), alive)
    record(True, "closed Minor incident → the ticket resolves")
    wait_until("the maintenance alert to resolve", lambda: hook.find("chat", "resolved", maintenance_id=maint), alive)
    record(True, "completed maintenance → the informational alert resolves")
    record(not [a for _, a in hook.alerts("pager") if a["labels"].get("incident_id") != major],
           "still no other page")

    # ---------------------------------------------------------------- broken exporter
    print("exporter down", flush=True)
    procs.stop("exporter")
    down = wait_until("AdobeStatusExporterDown delivered",
                      lambda: hook.find("ticket", "firing", alertname="AdobeStatusExporterDown"), alive)[0]
    record(down["labels"].get("instance") == f"127.0.0.1:{ports['exporter']}"
           and down["labels"].get("severity") == "warning",
           "a broken exporter is noticed: AdobeStatusExporterDown reaches the ticket receiver")


if __name__ == "__main__":
    sys.exit(main())
