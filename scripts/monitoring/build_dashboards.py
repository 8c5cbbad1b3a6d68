#!/usr/bin/env python3
"""Generates the Grafana dashboards in dashboards/ with Grafana's own SDK, grafana-foundation-sdk
(its typed builders for the Grafana 11.6 dashboard schema, the Grafana of deploy/compose).

The JSON files are committed; this script is their source. Edit it, then run

    scripts/python-venv                                                  # once: target/py with the SDK
    target/py/bin/python scripts/monitoring/build_dashboards.py          # rewrite dashboards/*.json
    target/py/bin/python scripts/monitoring/build_dashboards.py --check  # fail if they are out of date

and `scripts/generate_kubernetes.py` for the ConfigMap copy. Conventions (docs/monitoring.md):
a `datasource` variable and every panel and query on `${datasource}`, `job` and `instance`
variables used by every query, `$__rate_interval` in every rate/increase, a unit, title and
description on every panel, fixed uids, tags. Names are joined from the *_info series.
"""

import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # scripts/, for testlib
from testlib import ROOT, write_generated  # noqa: E402

try:
    from grafana_foundation_sdk.builders import common, dashboard, prometheus, stat, statetimeline, table, timeseries
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    from grafana_foundation_sdk.models import common as cm
    from grafana_foundation_sdk.models import dashboard as dm
    from grafana_foundation_sdk.models import prometheus as pm
except ImportError:
    sys.exit("build_dashboards.py needs grafana-foundation-sdk (scripts/requirements-test.txt): "
             "run scripts/python-venv, then use target/py/bin/python")

OUT = ROOT / "dashboards"

DS = dm.DataSourceRef(type_val="prometheus", uid="${datasource}")
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

INC_LABELS = "incident_id, product_id, incident_severity, title, customer_impact, operations_impact"
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
        f"{expr}\n* on (incident_id, product_id) group_left (incident_severity, title, customer_impact, "
        f"operations_impact, product_name, cloud_name)\n"
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


def value_names(*names):
    """value_names(("Down", "red"), ("Up", "green")): 0 → Down in red, 1 → Up in green, …"""
    return [dm.ValueMap(options={str(i): dm.ValueMappingResult(text=t, color=c, index=i)
                                 for i, (t, c) in enumerate(names)})]


def thresholds(*steps):
    """thresholds(("green", None), ("red", 1))"""
    return dashboard.ThresholdsConfig().mode(dm.ThresholdsMode.ABSOLUTE).steps(
        [dm.Threshold(value=v, color=c) for c, v in steps])


BY_THRESHOLDS = dashboard.FieldColor().mode(dm.FieldColorModeId.THRESHOLDS)
SEVERITY_NAMES = value_names(("Healthy", "green"), ("Trivial", "blue"), ("Potential", "yellow"),
                             ("Minor", "orange"), ("Major", "red"))
SEVERITY_STEPS = (("green", None), ("blue", 1), ("yellow", 2), ("orange", 3), ("red", 4))
SEVERITY_COLORS = {
    "major": "red",
    "minor": "orange",
    "potential": "yellow",
    "unknown": "purple",
    "trivial": "blue",
    "none": "text",
}


def coloured(panel, *steps, names=None):
    """Colour the panel's values by threshold steps, naming them with `names` if given."""
    if names:
        panel.mappings(names)
    return panel.thresholds(thresholds(*steps)).color_scheme(BY_THRESHOLDS)


def severity(panel):
    """Severity ranks 0-4 shown as Healthy … Major in their colours."""
    return coloured(panel, *SEVERITY_STEPS, names=SEVERITY_NAMES)


def prop(id_val, value):
    return dm.DynamicConfigValue(id_val=id_val, value=value)


SEVERITY_CELL = [
    prop("mappings", SEVERITY_NAMES),
    prop("thresholds", thresholds(*SEVERITY_STEPS).build()),
    prop("color", BY_THRESHOLDS.build()),
    prop("custom.cellOptions", cm.TableColoredBackgroundCellOptions(mode=cm.TableCellBackgroundDisplayMode.BASIC)),
    prop("custom.width", 100),
]


def by_name_colour(name, color):
    """Override: the series called `name` in a fixed colour."""
    fixed = dashboard.FieldColor().mode(dm.FieldColorModeId.FIXED).fixed_color(color).build()
    return (dashboard.DashboardFieldConfigSourceOverrides()
            .matcher(dm.MatcherConfig(id_val="byName", options=name)).properties([prop("color", fixed)]))


# ---------------------------------------------------------------------------------------------
# Queries and panels. Each helper sets what all panels of its kind share and returns the SDK
# builder, for the caller to chain the rest (mappings, thresholds, overrides, …). The SDK lays
# the panels out left to right, row by row, from their width and height.


def query(expr, ref="A", legend="__auto", instant=False, table_format=False):
    q = (prometheus.Dataquery().datasource(DS).editor_mode(pm.QueryEditorMode.CODE)
         .expr(expr).legend_format(legend).ref_id(ref))
    q = q.instant() if instant else q.range()
    return q.format(pm.PromQueryFormat.TABLE) if table_format else q


def sized(panel, title, description, queries, w, h, unit):
    return (panel.title(title).description(description).datasource(DS).targets(queries)
            .span(w).height(h).unit(unit))


def stat_panel(title, description, queries, w, h, unit="none",
               color_mode=cm.BigValueColorMode.BACKGROUND, text_mode=cm.BigValueTextMode.AUTO):
    reduce = common.ReduceDataOptions().calcs(["lastNotNull"]).fields("").values(False)
    return (sized(stat.Panel(), title, description, queries, w, h, unit)
            .reduce_options(reduce).color_mode(color_mode).graph_mode(cm.BigValueGraphMode.NONE)
            .justify_mode(cm.BigValueJustifyMode.AUTO).orientation(cm.VizOrientation.AUTO)
            .text_mode(text_mode).wide_layout(True).show_percent_change(False))


def timeseries_panel(title, description, queries, w, h, unit, legend_calcs=(), stack=False, bars=False):
    legend = (common.VizLegendOptions().show_legend(True).placement(cm.LegendPlacement.BOTTOM)
              .display_mode(cm.LegendDisplayMode.TABLE if legend_calcs else cm.LegendDisplayMode.LIST)
              .calcs(list(legend_calcs)))
    stacking = common.StackingConfig().mode(cm.StackingMode.NORMAL if stack else cm.StackingMode.NONE).group("A")
    return (sized(timeseries.Panel(), title, description, queries, w, h, unit)
            .legend(legend)
            .tooltip(common.VizTooltipOptions().mode(cm.TooltipDisplayMode.MULTI).sort(cm.SortOrder.DESCENDING))
            .draw_style(cm.GraphDrawStyle.BARS if bars else cm.GraphDrawStyle.LINE).line_width(1)
            .fill_opacity(20 if stack or bars else 10).show_points(cm.VisibilityMode.NEVER)
            .span_nulls(False).stacking(stacking)
            .color_scheme(dashboard.FieldColor().mode(dm.FieldColorModeId.PALETTE_CLASSIC)).min(0))


def timeline_panel(title, description, queries, w, h):
    legend = (common.VizLegendOptions().show_legend(False).display_mode(cm.LegendDisplayMode.LIST)
              .placement(cm.LegendPlacement.BOTTOM))
    return (sized(statetimeline.Panel(), title, description, queries, w, h, "none")
            .merge_values(True).show_value(cm.VisibilityMode.NEVER)
            .align_value(cm.TimelineValueAlignment.LEFT).row_height(0.8).legend(legend)
            .tooltip(common.VizTooltipOptions().mode(cm.TooltipDisplayMode.SINGLE).sort(cm.SortOrder.NONE))
            .fill_opacity(80).line_width(0))


def table_panel(title, description, queries, w, h, sort_by=None):
    panel = (sized(table.Panel(), title, description, queries, w, h, "none")
             .show_header(True).cell_height(cm.TableCellHeight.SM)
             .footer(common.TableFooterOptions().show(False).reducer(["sum"])))
    if sort_by:
        panel.sort_by([common.TableSortByFieldState().display_name(sort_by).desc(True)])
    return panel


def transformation(id_val, options):
    return dm.DataTransformerConfig(id_val=id_val, options=options)


def organize(rename, order, exclude):
    return transformation("organize", {
        "excludeByName": {k: True for k in exclude},
        "indexByName": {k: i for i, k in enumerate(order)},
        "renameByName": rename,
    })


def link(title, url):
    return dashboard.DashboardLink(title).url(url)


def query_variable(name, label, query_text, all_value, description):
    return (dashboard.QueryVariable(name).label(label).description(description).datasource(DS)
            .query(query_text).refresh(dm.VariableRefresh.ON_TIME_RANGE_CHANGED)
            .multi(True).include_all(True).all_value(all_value)
            .current(dm.VariableOption(selected=True, text=["All"], value=["$__all"]))
            .options([]).regex("").sort(dm.VariableSort.ALPHABETICAL_ASC).hide(dm.VariableHide.DONT_HIDE))


def variables(extra):
    vs = [
        dashboard.DatasourceVariable("datasource").label("Data source")
        .description("Prometheus that scrapes adobe_status_exporter").type("prometheus")
        .regex("").hide(dm.VariableHide.DONT_HIDE).include_all(False).multi(False),
        query_variable("job", "Job", "label_values(adobe_status_up, job)", ".+",
                       "Prometheus job(s) scraping the exporter"),
        query_variable("instance", "Instance", 'label_values(adobe_status_up{job=~"$job"}, instance)', ".+",
                       "Exporter instance(s)"),
    ]
    for name, label, query_text, description in extra:
        # cloud_name is empty for products Adobe's registry does not place in a cloud: ".*".
        vs.append(query_variable(name, label, query_text, ".*", description))
    return vs


DASH_LINKS = [
    dashboard.DashboardLink("status.adobe.com").type(dm.DashboardLinkType.LINK).url("https://status.adobe.com")
    .tooltip("Adobe's own status page, with Adobe's updates on each incident").target_blank(True)
    .icon("external link").as_dropdown(False).include_vars(False).keep_time(False).tags([]),
    dashboard.DashboardLink("Adobe Status dashboards").type(dm.DashboardLinkType.DASHBOARDS).tags(TAGS)
    .as_dropdown(False).include_vars(True).keep_time(True).target_blank(False).icon("external link")
    .tooltip("").url(""),
]
ANNOTATIONS = (dashboard.AnnotationQuery().name("Annotations & Alerts").built_in(1).type("dashboard")
               .datasource(dm.DataSourceRef(type_val="grafana", uid="-- Grafana --"))
               .enable(True).hide(True).icon_color("rgba(0, 211, 255, 1)"))


def build(uid, title, description, sections, variable_list, refresh, time_from):
    """sections: [(row title, [panel builders])]. Panel ids number rows and panels in order."""
    d = (dashboard.Dashboard(title).uid(uid).description(description)
         .tags(TAGS + [uid.removeprefix("adobe-status-")]).editable()
         .tooltip(dm.DashboardCursorSync.CROSSHAIR).fiscal_year_start_month(0).live_now(False)
         .timezone("browser").refresh(refresh).version(1).week_start("").time(time_from, "now")
         .annotation(ANNOTATIONS).links(DASH_LINKS).variables(variable_list))
    for row_title, panels in sections:
        d.with_row(dashboard.Row(row_title))
        for p in panels:
            d.with_panel(p)
    model = d.build()
    for i, p in enumerate(model.panels, 1):
        p.id_val = i
    return model

# ---------------------------------------------------------------------------------------------
# Adobe Status overview

DRILL_PARAMS = "${__url_time_range}&${datasource:queryparam}&${job:queryparam}&${instance:queryparam}"


def maint_table(title, state, description, rel_title, rel_expr):
    queries = [
        query(maint_info(state), "A", instant=True, table_format=True),
        query(with_maint_labels(f"1000 * {maint_ts('start')}", state), "B", instant=True, table_format=True),
        query(with_maint_labels(f"1000 * {maint_ts('end')}", state), "C", instant=True, table_format=True),
        query(with_maint_labels(rel_expr, state), "D", instant=True, table_format=True),
    ]
    return (table_panel(title, description, queries, 12, 7)
            .override_by_name("Start", [prop("unit", "dateTimeAsIso")])
            .override_by_name("End", [prop("unit", "dateTimeAsIso")])
            .override_by_name(rel_title, [prop("unit", "dtdurations")])
            .override_by_name("Title", [prop("custom.minWidth", 220)])
            .transformations([
                transformation("merge", {}),
                organize(
                    {"product_name": "Product", "title": "Title", "maintenance_type": "Type", "Value #B": "Start",
                     "Value #C": "End", "Value #D": rel_title, "maintenance_id": "Maintenance", "cloud_name": "Cloud"},
                    ["product_name", "title", "maintenance_type", "Value #B", "Value #C", "Value #D",
                     "maintenance_id", "cloud_name"],
                    ["Time", "product_id", "Value #A"],
                ),
                transformation("sortBy", {"fields": {}, "sort": [{"field": rel_title}]}),
            ]))


def overview():
    status = [
        severity(stat_panel(
            "Worst status of the selected products",
            "Worst ongoing incident severity over the products selected above "
            "(0 Healthy, 1 Trivial, 2 Potential, 3 Minor, 4 Major).",
            [query(f"max(\n{WORST_NAMED}\n)", instant=True)], 6, 4)),
    ]
    for sev, rank, color, alert in (
            ("Major", 4, "red", "Pages the on-call (alert AdobeStatusProductMajorIncident) for watched products."),
            ("Minor", 3, "orange", "Opens a ticket (alert AdobeStatusProductMinorIncident).")):
        status.append(coloured(stat_panel(
            f"Products with a {sev} incident",
            f"Selected products whose worst ongoing incident is {sev}. {alert}",
            [query(f"count(\n({WORST} == {rank})\n* on (product_id) group_left ()\n  {PRODUCTS}\n) or vector(0)",
                   instant=True)], 4, 4), ("green", None), (color, 1)))
    status += [
        coloured(stat_panel(
            "Incidents (ongoing)",
            "Distinct ongoing Adobe incidents (of any severity) on the selected products.",
            [query(f"count(count by (incident_id) (\n{INC_INFO}\n)) or vector(0)", instant=True)],
            3, 4, color_mode=cm.BigValueColorMode.VALUE), ("green", None), ("yellow", 1)),
        coloured(stat_panel(
            "Maintenances (in progress)",
            "Distinct Adobe maintenances in progress on the selected products (informational, never paged).",
            [query(f"count(count by (maintenance_id) (\n{maint_info('in_progress')}\n)) or vector(0)",
                   instant=True)],
            3, 4, color_mode=cm.BigValueColorMode.VALUE), ("green", None), ("blue", 1)),
        coloured(stat_panel(
            "Age of the data",
            "Time since the exporter last refreshed successfully from Adobe. More than a few scrape "
            "intervals means what you see here is old: open the exporter health dashboard.",
            [query(f"max(time() - adobe_status_last_success_timestamp_seconds{{{SEL}}})", instant=True)],
            4, 4, "s"), ("green", None), ("orange", 600), ("red", 3600))
        .no_value("never refreshed")
        .links([link("Exporter health", f"/d/adobe-status-exporter/adobe-status-exporter-health?{DRILL_PARAMS}")]),
        severity(stat_panel(
            "Current status per product",
            "Worst ongoing incident severity of every selected product, worst first. Click a product "
            "to select it and drill down into its services below.",
            [query(f"sort_desc(\n{WORST_NAMED}\n)", legend="{{product_name}}", instant=True)],
            24, 9, text_mode=cm.BigValueTextMode.VALUE_AND_NAME))
        .data_links([link(
            "Drill down into ${__field.labels.product_name}",
            f"/d/adobe-status-overview/adobe-status-overview?{DRILL_PARAMS}"
            "&var-product=${__field.labels.product_name:percentencode}")]),
    ]

    going_on = [
        severity(timeline_panel(
            "Incident history",
            "Worst severity over time of the selected products that had an ongoing incident; products "
            "appear only while they are impacted.",
            [query(on_products(f"({WORST} > 0)"), legend="{{product_name}}")], 24, 8)),
        table_panel(
            "Ongoing incidents",
            "Every ongoing (incident, product) pair on the selected products: severity for that product, "
            "Adobe's title, what Adobe says is impacted (availability or performance) and for how many "
            "customers, when it started and how long it has lasted. Titles come from Adobe's "
            "messages and can be empty for a short while after an incident opens.",
            [
                query(inc_rank(), "A", instant=True, table_format=True),
                query(with_incident_labels(f"1000 * {INC_START}"), "B", instant=True, table_format=True),
                query(with_incident_labels(f"(time() - {INC_START})"), "C", instant=True, table_format=True),
            ],
            16, 9, sort_by="Severity")
        .override_by_name("Severity", SEVERITY_CELL)
        .override_by_name("Started", [prop("unit", "dateTimeAsIso"), prop("custom.width", 170)])
        .override_by_name("Duration", [prop("unit", "dtdurations"), prop("custom.width", 150)])
        .override_by_name("Title", [prop("custom.minWidth", 300)])
        .transformations([
            transformation("merge", {}),
            organize(
                {"Value #A": "Severity", "product_name": "Product", "title": "Title", "Value #B": "Started",
                 "Value #C": "Duration", "operations_impact": "Impact", "customer_impact": "Customers",
                 "cloud_name": "Cloud", "incident_id": "Incident"},
                ["Value #A", "product_name", "title", "operations_impact", "customer_impact", "Value #B",
                 "Value #C", "cloud_name", "incident_id"],
                ["Time", "product_id", "incident_severity"],
            ),
        ]),
        table_panel(
            "Impacted regions",
            "Regions named by each ongoing incident on the selected products (\"all\" when Adobe names none).",
            [query(
                f"max by (incident_id, product_id, region_name) (adobe_status_incident_region_impacted{{{SEL}}})\n"
                f"* on (incident_id, product_id) group_left (title, product_name)\n  ({INC_INFO})",
                instant=True, table_format=True)],
            8, 9)
        .with_transformation(organize(
            {"product_name": "Product", "region_name": "Region", "title": "Title", "incident_id": "Incident"},
            ["product_name", "region_name", "title", "incident_id"],
            ["Time", "product_id", "Value"],
        )),
        maint_table(
            "Maintenances in progress", "in_progress",
            "Adobe maintenances running now on the selected products, with their planned window.",
            "Ends in", f"({maint_ts('end')} - time())"),
        maint_table(
            "Upcoming maintenances", "scheduled",
            "Adobe maintenances announced for the selected products, soonest first.",
            "Starts in", f"({maint_ts('start')} - time())"),
        timeseries_panel(
            "Ongoing incidents by severity",
            "Ongoing incidents per severity, summed over the selected products (an incident on two "
            "products counts twice).",
            [query(
                "sum by (incident_severity) (\n"
                + filtered(f"max by (product_id, incident_severity) (adobe_status_product_incidents{{{SEL}}})")
                + "\n)", legend="{{incident_severity}}")],
            12, 8, "short", stack=True, bars=True)
        .decimals(0)
        .overrides([by_name_colour(k, v) for k, v in SEVERITY_COLORS.items()]),
        timeseries_panel(
            "Maintenances by state",
            "Adobe maintenances in progress and scheduled, summed over the selected products.",
            [query(
                "sum by (maintenance_state) (\n"
                + filtered(f"max by (product_id, maintenance_state) (adobe_status_product_maintenances{{{SEL}}})")
                + "\n)", legend="{{maintenance_state}}")],
            12, 8, "short")
        .decimals(0)
        .overrides([by_name_colour("in_progress", "blue"), by_name_colour("scheduled", "text")]),
    ]

    svc = (
        f"max by (product_id, service_id) (adobe_status_service_worst_severity{{{SEL}}})\n"
        "* on (product_id, service_id) group_left (service_name)\n"
        f"  max by (product_id, service_id, service_name) (adobe_status_service_info{{{SEL}}})"
    )
    svc_impacted = (
        f"(max by (product_id, service_id) (adobe_status_service_worst_severity{{{SEL}}}) > 0)\n"
        "* on (product_id, service_id) group_left (service_name)\n"
        f"  max by (product_id, service_id, service_name) (adobe_status_service_info{{{SEL}}})"
    )
    services = [
        table_panel(
            "Services and their status",
            "Every service of the selected products with its worst ongoing severity, worst first. "
            "Select one product above (or click it in the status grid) to drill down.",
            [query(on_products(f"(\n{svc}\n)", "product_name"), instant=True, table_format=True)],
            10, 10, sort_by="Status")
        .override_by_name("Status", SEVERITY_CELL)
        .with_transformation(organize(
            {"Value": "Status", "product_name": "Product", "service_name": "Service", "service_id": "Service id"},
            ["Value", "product_name", "service_name", "service_id"],
            ["Time", "product_id"],
        )),
        severity(timeline_panel(
            "Impacted services over time",
            "Services of the selected products while an incident impacts them, coloured by severity.",
            [query(on_products(f"(\n{svc_impacted}\n)", "product_name"),
                   legend="{{product_name}} / {{service_name}}")],
            14, 10)),
    ]

    def recent(metric, sev):
        return filtered(
            f"max by (product_id) (adobe_status_product_recent_{metric}{{{SEL},incident_severity=\"{sev}\"}})")

    had_any = filtered(
        f"(sum by (product_id) (max by (product_id, incident_severity) "
        f"(adobe_status_product_recent_incidents{{{SEL}}})) > 0)")

    def per_product_with_any(expr):
        return f"(\n{expr}\n) and on (product_id) (\n{had_any}\n)"

    def month_stat(title, description, metric, sev, color, per_hour=False):
        expr = f"sum(\n{recent(metric, sev)}\n)" + (" / 3600" if per_hour else "")
        return coloured(stat_panel(title, description, [query(f"{expr} or vector(0)", instant=True)],
                                   6, 4, "h" if per_hour else "none"), ("green", None), (color, 1))

    month = [
        month_stat("Major incidents (history window)",
                   "Adobe incidents rated Major that started within the exporter's --status.history window "
                   "(30 days by default) on the selected products, closed ones included, from Adobe's own "
                   "40-day record: an incident on two products counts twice.", "incidents", "major", "red"),
        month_stat("Minor incidents (history window)",
                   "Adobe incidents rated Minor that started within the --status.history window on the "
                   "selected products.", "incidents", "minor", "orange"),
        month_stat("Product-hours of Major impact (history window)",
                   "Hours of the --status.history window with a Major incident open, summed over the "
                   "selected products (overlapping incidents on one product count once).",
                   "impact_seconds", "major", "red", per_hour=True),
        month_stat("Product-hours of Minor impact (history window)",
                   "Hours of the --status.history window with a Minor incident open, summed over the "
                   "selected products.", "impact_seconds", "minor", "orange", per_hour=True),
        table_panel(
            "Incidents and impact per product (history window)",
            "For the vendor review: per selected product that had an incident within the "
            "--status.history window, how many Major and Minor incidents started in it and for how "
            "long one was open (overlaps counted once), worst first.",
            [
                query(on_products(per_product_with_any(recent('incidents', 'major')), "product_name"),
                      "A", instant=True, table_format=True),
                query(on_products(per_product_with_any(recent('impact_seconds', 'major')), "product_name"),
                      "B", instant=True, table_format=True),
                query(on_products(per_product_with_any(recent('incidents', 'minor')), "product_name"),
                      "C", instant=True, table_format=True),
                query(on_products(per_product_with_any(recent('impact_seconds', 'minor')), "product_name"),
                      "D", instant=True, table_format=True),
                query(on_products(f"(\n{had_any}\n)", "product_name"), "E", instant=True, table_format=True),
            ],
            24, 9, sort_by="Major hours")
        .override_by_name("Major hours", [prop("unit", "dtdurations")])
        .override_by_name("Minor hours", [prop("unit", "dtdurations")])
        .transformations([
            transformation("merge", {}),
            organize(
                {"product_name": "Product", "Value #A": "Major", "Value #B": "Major hours",
                 "Value #C": "Minor", "Value #D": "Minor hours", "Value #E": "All severities"},
                ["product_name", "Value #A", "Value #B", "Value #C", "Value #D", "Value #E"],
                ["Time", "product_id"],
            ),
        ]),
    ]

    return build(
        "adobe-status-overview", "Adobe Status overview",
        "Is Adobe OK for us right now, and what is going on: incidents, maintenances and services "
        "of the Adobe products exported by adobe_status_exporter.",
        [("Is Adobe OK for us right now?", status), ("What is going on?", going_on),
         ("Last 30 days (the exporter's --status.history window)", month),
         ("Services of the selected products", services)],
        variables([
            ("cloud", "Cloud",
             'label_values(adobe_status_product_info{job=~"$job",instance=~"$instance"}, cloud_name)',
             "Adobe cloud (Experience Cloud, Creative Cloud, …)"),
            ("product", "Product",
             'label_values(adobe_status_product_info{job=~"$job",instance=~"$instance",cloud_name=~"$cloud"}, '
             'product_name)',
             "Adobe product(s); select one to drill down into its services"),
        ]),
        refresh="1m", time_from="now-6h",
    )


# ---------------------------------------------------------------------------------------------
# Exporter health


def per_instance(expr, instant=False):
    return [query(expr, legend="{{instance}}", instant=instant)]


def instance_stat(title, description, expr, unit, steps, names=None, no_value=None,
                  color_mode=cm.BigValueColorMode.BACKGROUND):
    """A 4×4 stat of `expr` per selected instance, coloured by threshold `steps`."""
    panel = coloured(stat_panel(title, description, per_instance(expr, instant=True), 4, 4, unit, color_mode),
                     *steps, names=names)
    return panel.no_value(no_value) if no_value else panel


def exporter():
    up_names = value_names(("Down", "red"), ("Up", "green"))
    ok_names = value_names(("Failing", "red"), ("OK", "green"))
    red_green = (("red", None), ("green", 1))
    status = [
        instance_stat(
            "Exporter scraped",
            "Prometheus' own `up` for the exporter target: Down means Prometheus cannot scrape it "
            "(alert AdobeStatusExporterDown).",
            f"up{{{SEL}}}", "none", red_green, names=up_names),
        instance_stat(
            "Adobe refresh",
            "adobe_status_up: OK when the last refresh from Adobe succeeded and its data is recent "
            "(alert AdobeStatusUpstreamFailing).",
            f"adobe_status_up{{{SEL}}}", "none", red_green, names=ok_names),
        instance_stat(
            "Data age",
            "Time since the last successful events refresh from Adobe (alert AdobeStatusDataStale "
            "after an hour).",
            f"time() - adobe_status_last_success_timestamp_seconds{{{SEL}}}", "s",
            (("green", None), ("orange", 600), ("red", 3600)), no_value="never refreshed"),
        instance_stat(
            "Registry age",
            "Time since products, clouds, regions and messages were last fully refreshed "
            "(--status.registry-interval, 1h by default).",
            f"time() - adobe_status_registry_last_success_timestamp_seconds{{{SEL}}}", "s",
            (("green", None), ("orange", 3 * 3600), ("red", 24 * 3600)), no_value="never refreshed",
            color_mode=cm.BigValueColorMode.VALUE),
        instance_stat(
            "Token expires in",
            "Lifetime left of the cached Adobe IMS token. It is renewed well before it expires; a low "
            "value means renewal fails (alert AdobeStatusTokenRefreshFailing).",
            f"adobe_status_token_expiry_timestamp_seconds{{{SEL}}} - time()", "s",
            (("red", None), ("orange", 600), ("green", 3600)), no_value="no token"),
        stat_panel(
            "Version",
            "adobe_status_exporter_build_info of the selected instances.",
            [query(f"adobe_status_exporter_build_info{{{SEL}}}", legend="{{version}} ({{revision}})",
                   instant=True)],
            4, 4, color_mode=cm.BigValueColorMode.VALUE, text_mode=cm.BigValueTextMode.NAME)
        .color_scheme(dashboard.FieldColor().mode(dm.FieldColorModeId.FIXED).fixed_color("text")),
    ]

    refreshes = [
        coloured(timeline_panel(
            "Adobe refresh over time",
            "adobe_status_up per instance over time: red stretches are periods without fresh data.",
            per_instance(f"adobe_status_up{{{SEL}}}"), 12, 5), *red_green, names=ok_names),
        timeseries_panel(
            "Data age over time",
            "Seconds since the last successful refresh; a saw-tooth up to the scrape interval is normal.",
            per_instance(f"time() - adobe_status_last_success_timestamp_seconds{{{SEL}}}"),
            12, 5, "s", ("max", "lastNotNull")),
        timeseries_panel(
            "Refresh failures by reason",
            "Failed events refreshes per interval, by reason (auth, throttled, timeout, http, parse, "
            "network). Each one keeps the last good data and sets adobe_status_up to 0.",
            [query(f"sum by (reason) (increase(adobe_status_refresh_failures_total{{{SEL}}}[$__rate_interval]))",
                   legend="{{reason}}")],
            12, 8, "short", ("sum",), stack=True, bars=True),
        timeseries_panel(
            "Scrape duration",
            "How long Prometheus' scrapes of the exporter take; a scrape that triggers a refresh waits "
            "for Adobe (up to its scrape timeout).",
            per_instance(f"scrape_duration_seconds{{{SEL}}}"), 12, 8, "s", ("max", "mean")),
    ]

    requests = f"adobe_status_upstream_requests_total{{{SEL}}}"
    upstream = [
        timeseries_panel(
            "Upstream requests by API and code",
            "Requests to Adobe per second, by API (token, events, scheduled, clouds, products, "
            "regions, messages) and HTTP status (`error` = no response).",
            [query(f"sum by (api, code) (rate({requests}[$__rate_interval]))", legend="{{api}} {{code}}")],
            12, 8, "reqps", ("mean", "max"), stack=True),
        timeseries_panel(
            "Upstream error ratio by API",
            "Share of requests per API that did not get a 2xx answer.",
            [query(
                f"(\n  sum by (api) (rate(adobe_status_upstream_requests_total{{{SEL},code!~\"2..\"}}[$__rate_interval]))\n"
                f"  or\n  0 * sum by (api) (rate({requests}[$__rate_interval]))\n)\n"
                f"/\nsum by (api) (rate({requests}[$__rate_interval]))",
                legend="{{api}}")],
            12, 8, "percentunit", ("mean", "max"))
        .max(1),
        timeseries_panel(
            "Upstream request latency",
            "p50, p90 and p99 duration of requests to Adobe per API, from the "
            "adobe_status_upstream_request_duration_seconds histogram.",
            [
                query(
                    "histogram_quantile(" + q + ", sum by (le, api) ("
                    f"rate(adobe_status_upstream_request_duration_seconds_bucket{{{SEL}}}[$__rate_interval])))",
                    ref, legend=f"p{q[2:].ljust(2, '0')} {{{{api}}}}")
                for ref, q in (("A", "0.5"), ("B", "0.9"), ("C", "0.99"))
            ],
            12, 8, "s", ("mean", "max")),
        timeseries_panel(
            "Throttling (HTTP 429)",
            "429 answers from Adobe per second. After one, the exporter sends nothing to the Status API "
            "until Retry-After has passed (alert AdobeStatusThrottled when it persists).",
            [query(f"sum by (instance) (rate(adobe_status_upstream_throttled_total{{{SEL}}}[$__rate_interval]))",
                   legend="{{instance}}")],
            12, 8, "reqps", ("max",)),
        timeseries_panel(
            "Token lifetime left",
            "Time until the cached IMS token expires; it jumps up at each renewal.",
            per_instance(f"adobe_status_token_expiry_timestamp_seconds{{{SEL}}} - time()"),
            12, 8, "s", ("min", "lastNotNull")),
    ]
    return build(
        "adobe-status-exporter", "Adobe Status exporter health",
        "Is adobe_status_exporter healthy: scrapes, refreshes from Adobe, upstream requests, "
        "latency, throttling, failures and the IMS token.",
        [("Status", status), ("Refreshes", refreshes), ("Upstream (Adobe IMS and Status API)", upstream)],
        variables([]), refresh="30s", time_from="now-3h",
    )


DASHBOARDS = {
    "adobe-status-overview.json": overview,
    "adobe-status-exporter.json": exporter,
}


def render(make):
    return json.dumps(make(), cls=JSONEncoder, indent=2, ensure_ascii=False) + "\n"


def main(argv):
    files = {OUT / name: render(make) for name, make in DASHBOARDS.items()}
    return write_generated(files, "--check" in argv,
                           "out of date (run target/py/bin/python scripts/monitoring/build_dashboards.py)")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
