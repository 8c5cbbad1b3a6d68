#!/usr/bin/env python3
"""Generates the Grafana dashboards in dashboards/ (Grafana 10/11 JSON model).

The JSON files are committed; this script is their source. Edit it, then run

    scripts/monitoring/build_dashboards.py          # rewrite dashboards/*.json
    scripts/monitoring/build_dashboards.py --check  # fail if they are out of date (CI)

Conventions (docs/monitoring.md): a `datasource` variable and every
panel and target referencing `${datasource}` (never `__inputs`/`${DS_...}`), `job` and `instance`
variables used by every query, `$__rate_interval` in every rate/increase, a unit, title and
description on every panel, fixed uids, tags. Names are joined from the *_info series.

Standard library only.
"""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "dashboards"

SCHEMA_VERSION = 39  # Grafana 10.4 / 11.x
DS = {"type": "prometheus", "uid": "${datasource}"}
TAGS = ["adobe-status"]

# ---------------------------------------------------------------------------------------------
# PromQL building blocks. Every selector carries the job/instance filters; names and the
# cloud/product filters come in through the *_info join. `max by` collapses duplicates when
# several exporters (or jobs) are selected.

SEL = 'job=~"$job",instance=~"$instance"'

# One series per selected product: {product_id, product_name, cloud_name} = 1.
PRODUCTS = (
    "max by (product_id, product_name, cloud_name) "
    f'(adobe_status_product_info{{{SEL},cloud_name=~"$cloud",product_name=~"$product"}})'
)


def on_products(expr, extra="product_name, cloud_name"):
    """Keep only selected products and add their names."""
    return f"{expr}\n* on (product_id) group_left ({extra})\n  {PRODUCTS}"


def filtered(expr):
    """Keep only selected products, adding no labels."""
    return f"{expr}\n* on (product_id) group_left ()\n  {PRODUCTS}"


WORST = f"max by (product_id) (adobe_status_product_worst_severity{{{SEL}}})"
WORST_NAMED = on_products(WORST)

INC_LABELS = "incident_id, product_id, incident_severity, title"
INC_INFO = on_products(f"max by ({INC_LABELS}) (adobe_status_incident_info{{{SEL}}})")
INC_START = f"max by (incident_id, product_id) (adobe_status_incident_start_timestamp_seconds{{{SEL}}})"


def inc_rank():
    """Per (incident, product): severity rank 4 major … 0 none, with names."""
    parts = [
        ("4", 'incident_severity="major"'),
        ("3", 'incident_severity="minor"'),
        ("2", 'incident_severity=~"potential|unknown"'),
        ("1", 'incident_severity="trivial"'),
        ("0", 'incident_severity="none"'),
    ]
    ors = "\n  or ".join(
        f"{k} * max by ({INC_LABELS}) (adobe_status_incident_info{{{SEL},{m}}})" for k, m in parts
    )
    return on_products(f"(\n  {ors}\n)")


def with_incident_labels(expr):
    return (
        f"{expr}\n* on (incident_id, product_id) group_left (incident_severity, title, product_name, cloud_name)\n"
        f"  ({INC_INFO})"
    )


MAINT_LABELS = "maintenance_id, product_id, maintenance_type, title"


def maint_info(state):
    return on_products(
        f"max by ({MAINT_LABELS}) "
        f'(adobe_status_maintenance_info{{{SEL},maintenance_state="{state}"}})'
    )


def with_maint_labels(expr, state):
    return (
        f"{expr}\n* on (maintenance_id, product_id) group_left (maintenance_type, title, product_name, cloud_name)\n"
        f"  ({maint_info(state)})"
    )


def maint_ts(which):
    return f"max by (maintenance_id, product_id) (adobe_status_maintenance_{which}_timestamp_seconds{{{SEL}}})"


# ---------------------------------------------------------------------------------------------
# Value mappings and colours

SEVERITY_MAPPINGS = [
    {
        "type": "value",
        "options": {
            "0": {"text": "Healthy", "color": "green", "index": 0},
            "1": {"text": "Trivial", "color": "blue", "index": 1},
            "2": {"text": "Potential", "color": "yellow", "index": 2},
            "3": {"text": "Minor", "color": "orange", "index": 3},
            "4": {"text": "Major", "color": "red", "index": 4},
        },
    }
]
SEVERITY_THRESHOLDS = {
    "mode": "absolute",
    "steps": [
        {"color": "green", "value": None},
        {"color": "blue", "value": 1},
        {"color": "yellow", "value": 2},
        {"color": "orange", "value": 3},
        {"color": "red", "value": 4},
    ],
}
SEVERITY_COLORS = {
    "major": "red",
    "minor": "orange",
    "potential": "yellow",
    "unknown": "purple",
    "trivial": "blue",
    "none": "text",
}


def thresholds(*steps):
    """thresholds(("green", None), ("red", 1))"""
    return {"mode": "absolute", "steps": [{"color": c, "value": v} for c, v in steps]}


# ---------------------------------------------------------------------------------------------
# Panels


class Layout:
    """Hands out panel ids and grid positions row by row."""

    def __init__(self):
        self.next_id = 1
        self.x = 0
        self.y = 0
        self.row_h = 0

    def pos(self, w, h):
        if self.x + w > 24:
            self.newline()
        p = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.x += w
        self.row_h = max(self.row_h, h)
        return p

    def newline(self):
        self.y += self.row_h
        self.x = 0
        self.row_h = 0

    def id(self):
        i = self.next_id
        self.next_id += 1
        return i


def target(expr, ref="A", legend="__auto", instant=False, fmt="time_series"):
    t = {
        "datasource": DS,
        "editorMode": "code",
        "expr": expr,
        "legendFormat": legend,
        "refId": ref,
        "range": not instant,
        "instant": instant,
    }
    if fmt != "time_series":
        t["format"] = fmt
    return t


def panel(L, kind, title, description, targets, w, h, unit, options=None, defaults=None,
          overrides=None, transformations=None, links=None):
    fd = {"unit": unit}
    fd.update(defaults or {})
    p = {
        "id": L.id(),
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DS,
        "gridPos": L.pos(w, h),
        "targets": targets,
        "fieldConfig": {"defaults": fd, "overrides": overrides or []},
        "options": options or {},
    }
    if transformations:
        p["transformations"] = transformations
    if links:
        p["links"] = links
    return p


def row(L, title):
    L.newline()
    p = {
        "id": L.id(),
        "type": "row",
        "title": title,
        "collapsed": False,
        "gridPos": {"h": 1, "w": 24, "x": 0, "y": L.y},
        "panels": [],
    }
    L.y += 1
    return p


def stat_options(color_mode="value", text_mode="auto", graph_mode="none", calcs=("lastNotNull",)):
    return {
        "reduceOptions": {"calcs": list(calcs), "fields": "", "values": False},
        "colorMode": color_mode,
        "graphMode": graph_mode,
        "justifyMode": "auto",
        "orientation": "auto",
        "textMode": text_mode,
        "wideLayout": True,
        "showPercentChange": False,
    }


def ts_options(legend_calcs=(), stacking=False):
    return {
        "legend": {"displayMode": "table" if legend_calcs else "list", "placement": "bottom",
                   "showLegend": True, "calcs": list(legend_calcs)},
        "tooltip": {"mode": "multi", "sort": "desc"},
    }


def ts_defaults(stack=False, draw="line", min0=True):
    d = {
        "custom": {
            "drawStyle": draw,
            "lineWidth": 1,
            "fillOpacity": 20 if stack or draw == "bars" else 10,
            "showPoints": "never",
            "spanNulls": False,
            "stacking": {"mode": "normal" if stack else "none", "group": "A"},
        },
        "color": {"mode": "palette-classic"},
    }
    if min0:
        d["min"] = 0
    return d


def by_name_color(name, color):
    return {
        "matcher": {"id": "byName", "options": name},
        "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": color}}],
    }


def table_options(sort_by=None):
    o = {"showHeader": True, "cellHeight": "sm", "footer": {"show": False, "reducer": ["sum"], "fields": ""}}
    if sort_by:
        o["sortBy"] = [{"displayName": sort_by, "desc": True}]
    return o


def field_override(name, props):
    return {"matcher": {"id": "byName", "options": name}, "properties": props}


SEVERITY_CELL = [
    {"id": "mappings", "value": SEVERITY_MAPPINGS},
    {"id": "thresholds", "value": SEVERITY_THRESHOLDS},
    {"id": "color", "value": {"mode": "thresholds"}},
    {"id": "custom.cellOptions", "value": {"type": "color-background", "mode": "basic"}},
    {"id": "custom.width", "value": 100},
]


def organize(rename, order, exclude):
    return {
        "id": "organize",
        "options": {
            "excludeByName": {k: True for k in exclude},
            "indexByName": {k: i for i, k in enumerate(order)},
            "renameByName": rename,
        },
    }


def variables(extra):
    def query_var(name, label, query, all_value, description):
        return {
            "type": "query",
            "name": name,
            "label": label,
            "description": description,
            "datasource": DS,
            # The plain-string form: every Grafana version from 8 to 11 migrates it.
            "query": query,
            "definition": query,
            "refresh": 2,
            "multi": True,
            "includeAll": True,
            "allValue": all_value,
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
            "options": [],
            "regex": "",
            "sort": 1,
            "hide": 0,
        }

    ds = {
        "type": "datasource",
        "name": "datasource",
        "label": "Data source",
        "description": "Prometheus that scrapes adobe_status_exporter",
        "query": "prometheus",
        "current": {},
        "options": [],
        "refresh": 1,
        "regex": "",
        "hide": 0,
        "includeAll": False,
        "multi": False,
    }
    vs = [
        ds,
        query_var("job", "Job", "label_values(adobe_status_up, job)", ".+",
                  "Prometheus job(s) scraping the exporter"),
        query_var("instance", "Instance", 'label_values(adobe_status_up{job=~"$job"}, instance)', ".+",
                  "Exporter instance(s)"),
    ]
    for name, label, query, description in extra:
        # cloud_name is empty for products Adobe's registry does not place in a cloud: ".*".
        vs.append(query_var(name, label, query, ".*", description))
    return {"list": vs}


def dashboard(uid, title, description, panels, templating, links, refresh="1m", time_from="now-6h"):
    return {
        "id": None,
        "uid": uid,
        "title": title,
        "description": description,
        "tags": TAGS + [uid.removeprefix("adobe-status-")],
        "editable": True,
        "graphTooltip": 1,
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "timezone": "browser",
        "refresh": refresh,
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "weekStart": "",
        "time": {"from": time_from, "to": "now"},
        "timepicker": {},
        "annotations": {
            "list": [
                {
                    "builtIn": 1,
                    "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                    "enable": True,
                    "hide": True,
                    "iconColor": "rgba(0, 211, 255, 1)",
                    "name": "Annotations & Alerts",
                    "type": "dashboard",
                }
            ]
        },
        "links": links,
        "templating": templating,
        "panels": panels,
    }


DASH_LINKS = [
    {
        "title": "status.adobe.com",
        "type": "link",
        "url": "https://status.adobe.com",
        "tooltip": "Adobe's own status page, with Adobe's updates on each incident",
        "targetBlank": True,
        "icon": "external link",
        "asDropdown": False,
        "includeVars": False,
        "keepTime": False,
        "tags": [],
    },
    {
        "title": "Adobe Status dashboards",
        "type": "dashboards",
        "tags": TAGS,
        "asDropdown": False,
        "includeVars": True,
        "keepTime": True,
        "targetBlank": False,
        "icon": "external link",
        "tooltip": "",
        "url": "",
    }
]

# ---------------------------------------------------------------------------------------------
# Adobe Status overview


def overview():
    L = Layout()
    P = []
    P.append(row(L, "Is Adobe OK for us right now?"))
    P.append(panel(
        L, "stat", "Worst status of the selected products",
        "Worst ongoing incident severity over the products selected above "
        "(0 Healthy, 1 Trivial, 2 Potential, 3 Minor, 4 Major).",
        [target(f"max(\n{WORST_NAMED}\n)", instant=True)], 6, 4, "none",
        options=stat_options(color_mode="background"),
        defaults={"mappings": SEVERITY_MAPPINGS, "thresholds": SEVERITY_THRESHOLDS,
                  "color": {"mode": "thresholds"}},
    ))
    for sev, rank, color in (("Major", 4, "red"), ("Minor", 3, "orange")):
        P.append(panel(
            L, "stat", f"Products with a {sev} incident",
            f"Selected products whose worst ongoing incident is {sev}. "
            f"{'Pages the on-call (alert AdobeStatusProductMajorIncident) for watched products.' if rank == 4 else 'Opens a ticket (alert AdobeStatusProductMinorIncident).'}",
            [target(f"count(\n({WORST} == {rank})\n* on (product_id) group_left ()\n  {PRODUCTS}\n) or vector(0)",
                    instant=True)], 4, 4, "none",
            options=stat_options(color_mode="background"),
            defaults={"thresholds": thresholds(("green", None), (color, 1)), "color": {"mode": "thresholds"}},
        ))
    P.append(panel(
        L, "stat", "Incidents (ongoing)",
        "Distinct ongoing Adobe incidents (of any severity) on the selected products.",
        [target(f"count(count by (incident_id) (\n{INC_INFO}\n)) or vector(0)", instant=True)],
        3, 4, "none", options=stat_options(),
        defaults={"thresholds": thresholds(("green", None), ("yellow", 1)), "color": {"mode": "thresholds"}},
    ))
    P.append(panel(
        L, "stat", "Maintenances (in progress)",
        "Distinct Adobe maintenances in progress on the selected products (informational, never paged).",
        [target(f"count(count by (maintenance_id) (\n{maint_info('in_progress')}\n)) or vector(0)", instant=True)],
        3, 4, "none", options=stat_options(),
        defaults={"thresholds": thresholds(("green", None), ("blue", 1)), "color": {"mode": "thresholds"}},
    ))
    P.append(panel(
        L, "stat", "Age of the data",
        "Time since the exporter last refreshed successfully from Adobe. More than a few scrape "
        "intervals means what you see here is old: open the exporter health dashboard.",
        [target(f"max(time() - adobe_status_last_success_timestamp_seconds{{{SEL}}})", instant=True)],
        4, 4, "s", options=stat_options(color_mode="background"),
        defaults={"thresholds": thresholds(("green", None), ("orange", 600), ("red", 3600)),
                  "color": {"mode": "thresholds"}, "noValue": "never refreshed"},
        links=[{"title": "Exporter health", "url": "/d/adobe-status-exporter/adobe-status-exporter-health?${__url_time_range}&${datasource:queryparam}&${job:queryparam}&${instance:queryparam}"}],
    ))

    P.append(panel(
        L, "stat", "Current status per product",
        "Worst ongoing incident severity of every selected product, worst first. Click a product "
        "to select it and drill down into its services below.",
        [target(f"sort_desc(\n{WORST_NAMED}\n)", legend="{{product_name}}", instant=True)],
        24, 9, "none",
        options=stat_options(color_mode="background", text_mode="value_and_name"),
        defaults={
            "mappings": SEVERITY_MAPPINGS, "thresholds": SEVERITY_THRESHOLDS, "color": {"mode": "thresholds"},
            "links": [{
                "title": "Drill down into ${__field.labels.product_name}",
                "url": "/d/adobe-status-overview/adobe-status-overview?${__url_time_range}&${datasource:queryparam}&${job:queryparam}&${instance:queryparam}&var-product=${__field.labels.product_name:percentencode}",
            }],
        },
    ))

    P.append(row(L, "What is going on?"))
    P.append(panel(
        L, "state-timeline", "Incident history",
        "Worst severity over time of the selected products that had an ongoing incident; products "
        "appear only while they are impacted.",
        [target(on_products(f"({WORST} > 0)"), legend="{{product_name}}")],
        24, 8, "none",
        options={"mergeValues": True, "showValue": "never", "alignValue": "left", "rowHeight": 0.8,
                 "legend": {"showLegend": False, "displayMode": "list", "placement": "bottom"},
                 "tooltip": {"mode": "single", "sort": "none"}},
        defaults={"mappings": SEVERITY_MAPPINGS, "thresholds": SEVERITY_THRESHOLDS,
                  "color": {"mode": "thresholds"}, "custom": {"fillOpacity": 80, "lineWidth": 0}},
    ))
    P.append(panel(
        L, "table", "Ongoing incidents",
        "Every ongoing (incident, product) pair on the selected products: severity for that product, "
        "Adobe's title, when it started and how long it has lasted. Titles come from Adobe's "
        "messages and can be empty for a short while after an incident opens.",
        [
            target(inc_rank(), "A", instant=True, fmt="table"),
            target(with_incident_labels(f"1000 * {INC_START}"), "B", instant=True, fmt="table"),
            target(with_incident_labels(f"(time() - {INC_START})"), "C", instant=True, fmt="table"),
        ],
        16, 9, "none",
        options=table_options(sort_by="Severity"),
        overrides=[
            field_override("Severity", SEVERITY_CELL),
            field_override("Started", [{"id": "unit", "value": "dateTimeAsIso"}, {"id": "custom.width", "value": 170}]),
            field_override("Duration", [{"id": "unit", "value": "dtdurations"}, {"id": "custom.width", "value": 150}]),
            field_override("Title", [{"id": "custom.minWidth", "value": 300}]),
        ],
        transformations=[
            {"id": "merge", "options": {}},
            organize(
                {"Value #A": "Severity", "product_name": "Product", "title": "Title", "Value #B": "Started",
                 "Value #C": "Duration", "cloud_name": "Cloud", "incident_id": "Incident"},
                ["Value #A", "product_name", "title", "Value #B", "Value #C", "cloud_name", "incident_id"],
                ["Time", "product_id", "incident_severity"],
            ),
        ],
    ))
    P.append(panel(
        L, "table", "Impacted regions",
        "Regions named by each ongoing incident on the selected products (\"all\" when Adobe names none).",
        [target(
            f"max by (incident_id, product_id, region_name) (adobe_status_incident_region_impacted{{{SEL}}})\n"
            f"* on (incident_id, product_id) group_left (title, product_name)\n  ({INC_INFO})",
            instant=True, fmt="table")],
        8, 9, "none",
        options=table_options(),
        transformations=[organize(
            {"product_name": "Product", "region_name": "Region", "title": "Title", "incident_id": "Incident"},
            ["product_name", "region_name", "title", "incident_id"],
            ["Time", "product_id", "Value"],
        )],
    ))

    def maint_table(title, state, description, rel_title, rel_expr):
        return panel(
            L, "table", title, description,
            [
                target(maint_info(state), "A", instant=True, fmt="table"),
                target(with_maint_labels(f"1000 * {maint_ts('start')}", state), "B", instant=True, fmt="table"),
                target(with_maint_labels(f"1000 * {maint_ts('end')}", state), "C", instant=True, fmt="table"),
                target(with_maint_labels(rel_expr, state), "D", instant=True, fmt="table"),
            ],
            12, 7, "none",
            options=table_options(),
            overrides=[
                field_override("Start", [{"id": "unit", "value": "dateTimeAsIso"}]),
                field_override("End", [{"id": "unit", "value": "dateTimeAsIso"}]),
                field_override(rel_title, [{"id": "unit", "value": "dtdurations"}]),
                field_override("Title", [{"id": "custom.minWidth", "value": 220}]),
            ],
            transformations=[
                {"id": "merge", "options": {}},
                organize(
                    {"product_name": "Product", "title": "Title", "maintenance_type": "Type", "Value #B": "Start",
                     "Value #C": "End", "Value #D": rel_title, "maintenance_id": "Maintenance", "cloud_name": "Cloud"},
                    ["product_name", "title", "maintenance_type", "Value #B", "Value #C", "Value #D",
                     "maintenance_id", "cloud_name"],
                    ["Time", "product_id", "Value #A"],
                ),
                {"id": "sortBy", "options": {"fields": {}, "sort": [{"field": rel_title}]}},
            ],
        )

    P.append(maint_table(
        "Maintenances in progress", "in_progress",
        "Adobe maintenances running now on the selected products, with their planned window.",
        "Ends in", f"({maint_ts('end')} - time())"))
    P.append(maint_table(
        "Upcoming maintenances", "scheduled",
        "Adobe maintenances announced for the selected products, soonest first.",
        "Starts in", f"({maint_ts('start')} - time())"))

    P.append(panel(
        L, "timeseries", "Ongoing incidents by severity",
        "Ongoing incidents per severity, summed over the selected products (an incident on two "
        "products counts twice).",
        [target(
            "sum by (incident_severity) (\n"
            + filtered(f"max by (product_id, incident_severity) (adobe_status_product_incidents{{{SEL}}})")
            + "\n)", legend="{{incident_severity}}")],
        12, 8, "short",
        options=ts_options(), defaults=ts_defaults(stack=True, draw="bars") | {"decimals": 0},
        overrides=[by_name_color(k, v) for k, v in SEVERITY_COLORS.items()],
    ))
    P.append(panel(
        L, "timeseries", "Maintenances by state",
        "Adobe maintenances in progress and scheduled, summed over the selected products.",
        [target(
            "sum by (maintenance_state) (\n"
            + filtered(f"max by (product_id, maintenance_state) (adobe_status_product_maintenances{{{SEL}}})")
            + "\n)", legend="{{maintenance_state}}")],
        12, 8, "short",
        options=ts_options(), defaults=ts_defaults(stack=False) | {"decimals": 0},
        overrides=[by_name_color("in_progress", "blue"), by_name_color("scheduled", "text")],
    ))

    P.append(row(L, "Services of the selected products"))
    svc = (
        f"max by (product_id, service_id) (adobe_status_service_worst_severity{{{SEL}}})\n"
        "* on (product_id, service_id) group_left (service_name)\n"
        f"  max by (product_id, service_id, service_name) (adobe_status_service_info{{{SEL}}})"
    )
    P.append(panel(
        L, "table", "Services and their status",
        "Every service of the selected products with its worst ongoing severity, worst first. "
        "Select one product above (or click it in the status grid) to drill down.",
        [target(on_products(f"(\n{svc}\n)", "product_name"), instant=True, fmt="table")],
        10, 10, "none",
        options=table_options(sort_by="Status"),
        overrides=[field_override("Status", SEVERITY_CELL)],
        transformations=[organize(
            {"Value": "Status", "product_name": "Product", "service_name": "Service", "service_id": "Service id"},
            ["Value", "product_name", "service_name", "service_id"],
            ["Time", "product_id"],
        )],
    ))
    svc_impacted = (
        f"(max by (product_id, service_id) (adobe_status_service_worst_severity{{{SEL}}}) > 0)\n"
        "* on (product_id, service_id) group_left (service_name)\n"
        f"  max by (product_id, service_id, service_name) (adobe_status_service_info{{{SEL}}})"
    )
    P.append(panel(
        L, "state-timeline", "Impacted services over time",
        "Services of the selected products while an incident impacts them, coloured by severity.",
        [target(on_products(f"(\n{svc_impacted}\n)", "product_name"),
                legend="{{product_name}} / {{service_name}}")],
        14, 10, "none",
        options={"mergeValues": True, "showValue": "never", "alignValue": "left", "rowHeight": 0.8,
                 "legend": {"showLegend": False, "displayMode": "list", "placement": "bottom"},
                 "tooltip": {"mode": "single", "sort": "none"}},
        defaults={"mappings": SEVERITY_MAPPINGS, "thresholds": SEVERITY_THRESHOLDS,
                  "color": {"mode": "thresholds"}, "custom": {"fillOpacity": 80, "lineWidth": 0}},
    ))

    templating = variables([
        ("cloud", "Cloud", 'label_values(adobe_status_product_info{job=~"$job",instance=~"$instance"}, cloud_name)',
         "Adobe cloud (Experience Cloud, Creative Cloud, …)"),
        ("product", "Product",
         'label_values(adobe_status_product_info{job=~"$job",instance=~"$instance",cloud_name=~"$cloud"}, product_name)',
         "Adobe product(s); select one to drill down into its services"),
    ])
    return dashboard(
        "adobe-status-overview", "Adobe Status overview",
        "Is Adobe OK for us right now, and what is going on: incidents, maintenances and services "
        "of the Adobe products exported by adobe_status_exporter.",
        P, templating, DASH_LINKS, refresh="1m", time_from="now-6h",
    )


# ---------------------------------------------------------------------------------------------
# Exporter health


def exporter():
    L = Layout()
    P = []
    P.append(row(L, "Status"))
    up_map = [{"type": "value", "options": {"0": {"text": "Down", "color": "red", "index": 0},
                                            "1": {"text": "Up", "color": "green", "index": 1}}}]
    ok_map = [{"type": "value", "options": {"0": {"text": "Failing", "color": "red", "index": 0},
                                            "1": {"text": "OK", "color": "green", "index": 1}}}]
    P.append(panel(
        L, "stat", "Exporter scraped",
        "Prometheus' own `up` for the exporter target: Down means Prometheus cannot scrape it "
        "(alert AdobeStatusExporterDown).",
        [target(f"up{{{SEL}}}", legend="{{instance}}", instant=True)], 4, 4, "none",
        options=stat_options(color_mode="background"),
        defaults={"mappings": up_map, "thresholds": thresholds(("red", None), ("green", 1)),
                  "color": {"mode": "thresholds"}},
    ))
    P.append(panel(
        L, "stat", "Adobe refresh",
        "adobe_status_up: OK when the last refresh from Adobe succeeded and its data is recent "
        "(alert AdobeStatusUpstreamFailing).",
        [target(f"adobe_status_up{{{SEL}}}", legend="{{instance}}", instant=True)], 4, 4, "none",
        options=stat_options(color_mode="background"),
        defaults={"mappings": ok_map, "thresholds": thresholds(("red", None), ("green", 1)),
                  "color": {"mode": "thresholds"}},
    ))
    P.append(panel(
        L, "stat", "Data age",
        "Time since the last successful events refresh from Adobe (alert AdobeStatusDataStale "
        "after an hour).",
        [target(f"time() - adobe_status_last_success_timestamp_seconds{{{SEL}}}", legend="{{instance}}",
                instant=True)], 4, 4, "s",
        options=stat_options(color_mode="background"),
        defaults={"thresholds": thresholds(("green", None), ("orange", 600), ("red", 3600)),
                  "color": {"mode": "thresholds"}, "noValue": "never refreshed"},
    ))
    P.append(panel(
        L, "stat", "Registry age",
        "Time since products, clouds, regions and messages were last fully refreshed "
        "(--status.registry-interval, 1h by default).",
        [target(f"time() - adobe_status_registry_last_success_timestamp_seconds{{{SEL}}}",
                legend="{{instance}}", instant=True)], 4, 4, "s",
        options=stat_options(),
        defaults={"thresholds": thresholds(("green", None), ("orange", 3 * 3600), ("red", 24 * 3600)),
                  "color": {"mode": "thresholds"}, "noValue": "never refreshed"},
    ))
    P.append(panel(
        L, "stat", "Token expires in",
        "Lifetime left of the cached Adobe IMS token. It is renewed well before it expires; a low "
        "value means renewal fails (alert AdobeStatusTokenRefreshFailing).",
        [target(f"adobe_status_token_expiry_timestamp_seconds{{{SEL}}} - time()", legend="{{instance}}",
                instant=True)], 4, 4, "s",
        options=stat_options(color_mode="background"),
        defaults={"thresholds": thresholds(("red", None), ("orange", 600), ("green", 3600)),
                  "color": {"mode": "thresholds"}, "noValue": "no token"},
    ))
    P.append(panel(
        L, "stat", "Version",
        "adobe_status_exporter_build_info of the selected instances.",
        [target(f"adobe_status_exporter_build_info{{{SEL}}}", legend="{{version}} ({{revision}})",
                instant=True)], 4, 4, "none",
        options=stat_options(text_mode="name"),
        defaults={"color": {"mode": "fixed", "fixedColor": "text"}},
    ))

    P.append(row(L, "Refreshes"))
    P.append(panel(
        L, "state-timeline", "Adobe refresh over time",
        "adobe_status_up per instance over time: red stretches are periods without fresh data.",
        [target(f"adobe_status_up{{{SEL}}}", legend="{{instance}}")], 12, 5, "none",
        options={"mergeValues": True, "showValue": "never", "alignValue": "left", "rowHeight": 0.8,
                 "legend": {"showLegend": False, "displayMode": "list", "placement": "bottom"},
                 "tooltip": {"mode": "single", "sort": "none"}},
        defaults={"mappings": ok_map, "thresholds": thresholds(("red", None), ("green", 1)),
                  "color": {"mode": "thresholds"}, "custom": {"fillOpacity": 80, "lineWidth": 0}},
    ))
    P.append(panel(
        L, "timeseries", "Data age over time",
        "Seconds since the last successful refresh; a saw-tooth up to the scrape interval is normal.",
        [target(f"time() - adobe_status_last_success_timestamp_seconds{{{SEL}}}", legend="{{instance}}")],
        12, 5, "s", options=ts_options(("max", "lastNotNull")), defaults=ts_defaults(),
    ))
    P.append(panel(
        L, "timeseries", "Refresh failures by reason",
        "Failed events refreshes per interval, by reason (auth, throttled, timeout, http, parse, "
        "network). Each one keeps the last good data and sets adobe_status_up to 0.",
        [target(f"sum by (reason) (increase(adobe_status_refresh_failures_total{{{SEL}}}[$__rate_interval]))",
                legend="{{reason}}")],
        12, 8, "short", options=ts_options(("sum",)), defaults=ts_defaults(stack=True, draw="bars"),
    ))
    P.append(panel(
        L, "timeseries", "Scrape duration",
        "How long Prometheus' scrapes of the exporter take; a scrape that triggers a refresh waits "
        "for Adobe (up to its scrape timeout).",
        [target(f"scrape_duration_seconds{{{SEL}}}", legend="{{instance}}")],
        12, 8, "s", options=ts_options(("max", "mean")), defaults=ts_defaults(),
    ))

    P.append(row(L, "Upstream (Adobe IMS and Status API)"))
    P.append(panel(
        L, "timeseries", "Upstream requests by API and code",
        "Requests to Adobe per second, by API (token, events, scheduled, clouds, products, "
        "regions, messages) and HTTP status (`error` = no response).",
        [target(
            f"sum by (api, code) (rate(adobe_status_upstream_requests_total{{{SEL}}}[$__rate_interval]))",
            legend="{{api}} {{code}}")],
        12, 8, "reqps", options=ts_options(("mean", "max")), defaults=ts_defaults(stack=True),
    ))
    P.append(panel(
        L, "timeseries", "Upstream error ratio by API",
        "Share of requests per API that did not get a 2xx answer.",
        [target(
            f"(\n  sum by (api) (rate(adobe_status_upstream_requests_total{{{SEL},code!~\"2..\"}}[$__rate_interval]))\n"
            f"  or\n  0 * sum by (api) (rate(adobe_status_upstream_requests_total{{{SEL}}}[$__rate_interval]))\n)\n"
            f"/\nsum by (api) (rate(adobe_status_upstream_requests_total{{{SEL}}}[$__rate_interval]))",
            legend="{{api}}")],
        12, 8, "percentunit", options=ts_options(("mean", "max")), defaults=ts_defaults() | {"max": 1},
    ))
    P.append(panel(
        L, "timeseries", "Upstream request latency",
        "p50, p90 and p99 duration of requests to Adobe per API, from the "
        "adobe_status_upstream_request_duration_seconds histogram.",
        [
            target(
                "histogram_quantile(" + q + ", sum by (le, api) ("
                f"rate(adobe_status_upstream_request_duration_seconds_bucket{{{SEL}}}[$__rate_interval])))",
                ref, legend=f"p{q[2:].ljust(2, '0')} {{{{api}}}}")
            for ref, q in (("A", "0.5"), ("B", "0.9"), ("C", "0.99"))
        ],
        12, 8, "s", options=ts_options(("mean", "max")), defaults=ts_defaults(),
    ))
    P.append(panel(
        L, "timeseries", "Throttling (HTTP 429)",
        "429 answers from Adobe per second. After one, the exporter sends nothing to the Status API "
        "until Retry-After has passed (alert AdobeStatusThrottled when it persists).",
        [target(
            f"sum by (instance) (rate(adobe_status_upstream_throttled_total{{{SEL}}}[$__rate_interval]))",
            legend="{{instance}}")],
        12, 8, "reqps", options=ts_options(("max",)), defaults=ts_defaults(),
    ))
    P.append(panel(
        L, "timeseries", "Token lifetime left",
        "Time until the cached IMS token expires; it jumps up at each renewal.",
        [target(f"adobe_status_token_expiry_timestamp_seconds{{{SEL}}} - time()", legend="{{instance}}")],
        12, 8, "s", options=ts_options(("min", "lastNotNull")), defaults=ts_defaults(),
    ))
    templating = variables([])
    return dashboard(
        "adobe-status-exporter", "Adobe Status exporter health",
        "Is adobe_status_exporter healthy: scrapes, refreshes from Adobe, upstream requests, "
        "latency, throttling, failures and the IMS token.",
        P, templating, DASH_LINKS, refresh="30s", time_from="now-3h",
    )


DASHBOARDS = {
    "adobe-status-overview.json": overview,
    "adobe-status-exporter.json": exporter,
}


def render(fn):
    return json.dumps(fn(), indent=2, ensure_ascii=False) + "\n"


def main(argv):
    check = "--check" in argv
    stale = []
    for name, fn in DASHBOARDS.items():
        path = OUT / name
        text = render(fn)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            OUT.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print("out of date (run scripts/monitoring/build_dashboards.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
