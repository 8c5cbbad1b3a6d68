//! The page's markup. `maud` escapes every `(expression)` it interpolates, so names, titles,
//! regions and services from Adobe can never become markup. The only unescaped text is this
//! file's own: the document's frame, around the parts, and the stylesheet.

use std::cmp::{Ordering, Reverse};

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::time::{day, relative, span, utc};
use super::{Health, LastRefresh, Links, Summary};
use crate::snapshot::{
    CustomerImpact, DayStrip, History, IncidentSeries, MaintenanceState, OperationsImpact,
    ResolvedIncident, Severity, Snapshot, ALL_REGIONS,
};
use crate::timestamp::format_rfc3339;

const STYLE: &str = include_str!("style.css");

/// Where the README explains the dashboards and alerts.
const DASHBOARDS_AND_ALERTS: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "#dashboards-and-alerts");

/// One ongoing (incident, product) as the page lists it.
pub(super) struct IncidentView<'a> {
    pub(super) series: &'a IncidentSeries,
    product: &'a str,
    cloud: &'a str,
}

/// Ongoing incidents, worst severity first, then newest first (unknown start last).
pub(super) fn ordered_incidents(snapshot: &Snapshot) -> Vec<IncidentView<'_>> {
    let mut views: Vec<IncidentView> = snapshot
        .incidents
        .iter()
        .map(|series| {
            let product = snapshot.products.get(series.product_id.as_str());
            IncidentView {
                series,
                product: product.map_or(series.product_id.as_str(), |p| p.name.as_str()),
                cloud: product.map_or("", |p| p.cloud_name.as_str()),
            }
        })
        .collect();
    views.sort_by(|a, b| {
        let key = |v: &IncidentView| (Reverse(v.series.severity.rank()), v.series.severity);
        key(a)
            .cmp(&key(b))
            .then_with(|| newest_first(a.series.started, b.series.started))
            .then_with(|| a.product.cmp(b.product))
            .then_with(|| a.series.incident_id.cmp(&b.series.incident_id))
    });
    views
}

/// Later times first; unknown times after every known one.
fn newest_first(a: Option<f64>, b: Option<f64>) -> Ordering {
    known_first(a, b, |a, b| b.total_cmp(&a))
}

/// Earlier times first; unknown times after every known one.
fn soonest_first(a: Option<f64>, b: Option<f64>) -> Ordering {
    known_first(a, b, |a, b| a.total_cmp(&b))
}

fn known_first(a: Option<f64>, b: Option<f64>, order: impl Fn(f64, f64) -> Ordering) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => order(a, b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// One maintenance with every watched product it covers (the snapshot has a series per
/// product; a page lists the maintenance once).
pub(super) struct MaintenanceGroup<'a> {
    pub(super) state: MaintenanceState,
    maintenance_type: &'static str,
    title: &'a str,
    start: Option<f64>,
    end: Option<f64>,
    products: Vec<&'a str>,
}

/// In progress first (soonest end first), then scheduled (soonest start first).
pub(super) fn grouped_maintenances(snapshot: &Snapshot) -> Vec<MaintenanceGroup<'_>> {
    let mut groups: Vec<(&str, MaintenanceGroup)> = Vec::new();
    for series in &snapshot.maintenances {
        let product = snapshot
            .products
            .get(series.product_id.as_str())
            .map_or(series.product_id.as_str(), |p| p.name.as_str());
        // The snapshot is sorted by maintenance id: a maintenance's series are adjacent.
        match groups.last_mut() {
            Some((id, group))
                if *id == series.maintenance_id
                    && group.state == series.state
                    && group.title == series.title =>
            {
                group.products.push(product);
            }
            _ => groups.push((
                &series.maintenance_id,
                MaintenanceGroup {
                    state: series.state,
                    maintenance_type: series.maintenance_type,
                    title: &series.title,
                    start: series.start,
                    end: series.end,
                    products: vec![product],
                },
            )),
        }
    }
    let mut groups: Vec<MaintenanceGroup> = groups.into_iter().map(|(_, g)| g).collect();
    for group in &mut groups {
        group.products.sort_unstable();
    }
    groups.sort_by(|a, b| {
        let when = |g: &MaintenanceGroup| match g.state {
            MaintenanceState::InProgress => g.end,
            MaintenanceState::Scheduled => g.start,
        };
        a.state
            .cmp(&b.state)
            .then_with(|| soonest_first(when(a), when(b)))
            .then_with(|| a.title.cmp(b.title))
    });
    groups
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Major => "Major",
        Severity::Minor => "Minor",
        Severity::Potential => "Potential",
        Severity::Trivial => "Trivial",
        Severity::None => "None",
        Severity::Unknown => "Unknown",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn time_element(unix_seconds: f64) -> Markup {
    html! { time datetime=(format_rfc3339(unix_seconds)) { (utc(unix_seconds)) } }
}

/// Environments listed on a card, at most (an incident can name hundreds).
const LISTED_ENVIRONMENTS: usize = 12;

/// `Most customers, availability`; what Adobe stated of an incident's impact, in words.
fn impact_words(customer: CustomerImpact, operations: OperationsImpact) -> String {
    let who = match customer {
        CustomerImpact::Most => Some("most customers"),
        CustomerImpact::Some => Some("some customers"),
        CustomerImpact::None => Some("no customers"),
        CustomerImpact::Unknown => None,
    };
    let what = match operations {
        OperationsImpact::Availability => Some("availability"),
        OperationsImpact::Performance => Some("performance"),
        OperationsImpact::None => Some("neither availability nor performance"),
        OperationsImpact::Unknown => None,
    };
    let sentence = match (what, who) {
        (Some(what), Some(who)) => format!("{what}, for {who}"),
        (Some(what), None) => format!("{what}, customers not stated"),
        (None, Some(who)) => format!("{who}, kind not stated"),
        (None, None) => return "not stated by Adobe".to_owned(),
    };
    let mut chars = sentence.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn root_cause_link(url: &str) -> Markup {
    html! { a.root-cause href=(url) rel="noopener noreferrer" { "Root-cause statement" } }
}

/// What the region/environment scope hides, when there is one.
fn scope_note(snapshot: &Snapshot) -> Markup {
    html! {
        @if !snapshot.scope.is_empty() {
            p.scope {
                "Scope: " (snapshot.scope) ". "
                @match snapshot.out_of_scope_incidents {
                    0 => "No ongoing incident of the watched products is outside it.",
                    n => { (plural(n, "incident", "incidents")) " outside your scope." }
                }
            }
        }
    }
}

/// The incidents, maintenances and history sections: rendered once per refresh.
pub(super) fn adobe_sections(
    snapshot: &Snapshot,
    incidents: &[IncidentView],
    maintenances: &[MaintenanceGroup],
    now: f64,
) -> String {
    let as_of = html! {
        p.as-of { "As of the refresh at " (time_element(now)) "; relative times are from then." }
    };
    html! {
        section #incidents aria-labelledby="incidents-title" {
            h2 #incidents-title { "Ongoing incidents " span.count { "(" (incidents.len()) ")" } }
            (as_of)
            (scope_note(snapshot))
            @if incidents.is_empty() {
                p.empty { "None: no watched product has an ongoing incident." }
            } @else {
                ul.cards {
                    @for incident in incidents { (incident_card(incident, now)) }
                }
            }
        }
        section #maintenances aria-labelledby="maintenances-title" {
            h2 #maintenances-title {
                "Maintenances " span.count { "(" (maintenances.len()) ")" }
            }
            (as_of)
            @if maintenances.is_empty() {
                p.empty { "None in progress or scheduled for the watched products." }
            } @else {
                ul.cards {
                    @for maintenance in maintenances { (maintenance_card(maintenance, now)) }
                }
            }
        }
        (history_section(snapshot, now))
    }
    .into_string()
}

/// The window in words: `30 days`, `36 hours`.
fn window_words(seconds: u64) -> String {
    if seconds % 86_400 == 0 {
        plural((seconds / 86_400) as usize, "day", "days")
    } else {
        span(seconds as f64)
    }
}

fn product_name<'a>(snapshot: &'a Snapshot, id: &'a str) -> &'a str {
    snapshot.products.get(id).map_or(id, |p| {
        if p.name.is_empty() {
            id
        } else {
            p.name.as_str()
        }
    })
}

/// Per product that had an incident, a strip of days; then the incidents resolved within
/// the window, newest first.
fn history_section(snapshot: &Snapshot, now: f64) -> Markup {
    let history = &snapshot.history;
    let window = window_words(history.window_seconds);
    html! {
        section #history aria-labelledby="history-title" {
            h2 #history-title { "Last " (window) }
            @if history.strips.is_empty() {
                p.empty { "No incident on the watched products in the last " (window) "." }
            } @else {
                p.as-of {
                    "One cell per day (UTC), oldest first, coloured by the worst severity open that day; "
                    "hover a cell for its day and severity."
                }
                table.strips {
                    tbody {
                        @for strip in &history.strips { (strip_row(snapshot, history, strip)) }
                    }
                }
                @if history.strips_omitted > 0 {
                    p.as-of {
                        (plural(history.strips_omitted, "more product", "more products"))
                        " had incidents (the worst are shown)."
                    }
                }
            }
            h3 #resolved-title {
                "Resolved in the last " (window) " " span.count { "(" (history.resolved_total) ")" }
            }
            @if history.resolved.is_empty() {
                p.empty { "None." }
            } @else {
                ol.resolved {
                    @for incident in &history.resolved { (resolved_item(snapshot, incident, now)) }
                }
                @if history.resolved_total > history.resolved.len() {
                    p.as-of {
                        "The newest " (history.resolved.len()) " of " (history.resolved_total) " are listed."
                    }
                }
            }
        }
    }
}

fn strip_row(snapshot: &Snapshot, history: &History, strip: &DayStrip) -> Markup {
    html! {
        tr {
            th scope="row" { (product_name(snapshot, &strip.product_id)) }
            td {
                span.strip role="list" {
                    @for (i, cell) in strip.cells.iter().enumerate() {
                        @let date = day(history.first_day + i as f64 * 86_400.0);
                        @match cell {
                            Some(severity) => {
                                span role="listitem" class={ "day sev-" (severity.label()) }
                                    title={ (date) ": " (severity_word(*severity)) } {}
                            }
                            None => {
                                span role="listitem" class="day quiet" title={ (date) ": no incident" } {}
                            }
                        }
                    }
                }
            }
        }
    }
}

fn resolved_item(snapshot: &Snapshot, incident: &ResolvedIncident, now: f64) -> Markup {
    html! {
        li class={ "resolved-item sev-" (incident.severity.label()) } {
            span.badge { (severity_word(incident.severity)) }
            " "
            strong.product { (product_name(snapshot, &incident.product_id)) }
            ": "
            @if incident.title.is_empty() { em { "Adobe gave no title" } } @else { (incident.title) }
            br;
            span.when {
                (time_element(incident.start)) " – " (time_element(incident.end))
                " (" (span(incident.end - incident.start)) ", ended " (relative(incident.end, now)) ")"
                ". " (impact_words(incident.customer_impact, incident.operations_impact)) "."
            }
            @if !incident.root_cause_url.is_empty() { " " (root_cause_link(&incident.root_cause_url)) }
        }
    }
}

fn incident_card(incident: &IncidentView, now: f64) -> Markup {
    let series = incident.series;
    let regions: Vec<&str> = series
        .regions
        .iter()
        .map(|r| {
            if r == ALL_REGIONS {
                "All regions"
            } else {
                r.as_str()
            }
        })
        .collect();
    html! {
        li class={ "card incident sev-" (series.severity.label()) } {
            p.card-head {
                span.badge { (severity_word(series.severity)) }
                " "
                strong.product { (incident.product) }
                @if !incident.cloud.is_empty() { " " span.cloud { "(" (incident.cloud) ")" } }
            }
            p.title {
                @if series.title.is_empty() { em { "Adobe gave no title" } } @else { (series.title) }
            }
            dl.facts {
                dt { "Impact" }
                dd { (impact_words(series.customer_impact, series.operations_impact)) }
                dt { "Regions" } dd { (regions.join(", ")) }
                @if !series.environments.is_empty() {
                    dt { "Environments" }
                    dd {
                        (series.environments.iter().take(LISTED_ENVIRONMENTS).map(String::as_str).collect::<Vec<_>>().join(", "))
                        @if series.environments.len() > LISTED_ENVIRONMENTS {
                            " and " (series.environments.len() - LISTED_ENVIRONMENTS) " more"
                        }
                    }
                }
                dt { "Services" }
                dd {
                    @if series.services.is_empty() { "not named by Adobe" }
                    @else { (series.services.join(", ")) }
                }
                dt { "Started" }
                dd {
                    @match series.started {
                        Some(started) => {
                            (time_element(started)) ", for " (span(now - started))
                        }
                        None => "not given by Adobe",
                    }
                }
                @if !series.root_cause_url.is_empty() {
                    dt { "Root cause" } dd { (root_cause_link(&series.root_cause_url)) }
                }
            }
        }
    }
}

fn maintenance_card(maintenance: &MaintenanceGroup, now: f64) -> Markup {
    let (class, word) = match maintenance.state {
        MaintenanceState::InProgress => ("card maint maint-in-progress", "In progress"),
        MaintenanceState::Scheduled => ("card maint maint-scheduled", "Scheduled"),
    };
    let when = match (maintenance.state, maintenance.start, maintenance.end) {
        (MaintenanceState::InProgress, start, Some(end)) if end >= now => {
            let started = start.map(|s| format!("started {}, ", relative(s, now)));
            format!("{}ends {}", started.unwrap_or_default(), relative(end, now))
        }
        (MaintenanceState::InProgress, _, Some(end)) => {
            format!("planned to end {}", relative(end, now))
        }
        (MaintenanceState::InProgress, Some(start), None) => {
            format!("started {}, no end given", relative(start, now))
        }
        (MaintenanceState::Scheduled, Some(start), end) => {
            let lasts = end
                .filter(|end| *end > start)
                .map(|end| format!(", lasts {}", span(end - start)));
            format!(
                "starts {}{}",
                relative(start, now),
                lasts.unwrap_or_default()
            )
        }
        _ => "no times given".to_owned(),
    };
    html! {
        li class=(class) {
            p.card-head {
                span.badge { (word) }
                // Adobe's other types (normal, scheduled) say nothing the state does not.
                @if maintenance.maintenance_type == "urgent" { " " span.kind { "Urgent" } }
            }
            p.title {
                @if maintenance.title.is_empty() { em { "Adobe gave no title" } }
                @else { (maintenance.title) }
            }
            dl.facts {
                dt { (if maintenance.products.len() == 1 { "Product" } else { "Products" }) }
                dd { (maintenance.products.join(", ")) }
                dt { "Window" }
                dd {
                    @match maintenance.start {
                        Some(start) => (time_element(start)),
                        None => "?",
                    }
                    " – "
                    @match maintenance.end {
                        Some(end) => (time_element(end)),
                        None => "?",
                    }
                }
                dt { "When" } dd { (when) }
            }
        }
    }
}

/// The headline's state: a class for the colour, a word that says the same, and a sentence.
fn headline(summary: Option<&Summary>) -> (String, &'static str, String) {
    match summary {
        None => (
            "state-nodata".to_owned(),
            "No data",
            "No data yet: no refresh from Adobe has succeeded so far".to_owned(),
        ),
        Some(s) => match s.worst {
            None => (
                "sev-ok".to_owned(),
                "All clear",
                format!(
                    "No ongoing incidents on the {}",
                    plural(s.products, "watched product", "watched products")
                ),
            ),
            Some(worst) => (
                format!("sev-{}", worst.label()),
                severity_word(worst),
                format!(
                    "{} on {} of {}",
                    plural(s.incidents, "ongoing incident", "ongoing incidents"),
                    s.affected_products,
                    plural(s.products, "watched product", "watched products"),
                ),
            ),
        },
    }
}

/// Everything before the Adobe part, per request: the document head, the headline with the
/// data's age, and the note on a failed refresh.
pub(super) fn head(summary: Option<&Summary>, health: &Health) -> String {
    let (class, word, sentence) = headline(summary);
    let failure = match health.last_refresh {
        LastRefresh::Failed { reason, at } => Some((reason, at)),
        _ => None,
    };
    let document_head = html! {
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
        meta name="color-scheme" content="light dark";
        meta name="referrer" content="no-referrer";
        title { (word) ": " (sentence) " · Adobe Status · adobe_status_exporter" }
        style { (PreEscaped(STYLE)) }
    };
    let header = html! {
        header.top {
            p.app { "adobe_status_exporter · Adobe Status for the watched products" }
            h1 class={ "headline " (class) } {
                span.badge { (word) } " " span.sentence { (sentence) }
            }
            p.meta {
                @if let Some(s) = summary {
                    "Data as of " (time_element(s.refreshed_at))
                    " · age " strong.age { (span(health.now - s.refreshed_at)) }
                    " · " (plural(s.maintenances_in_progress, "maintenance", "maintenances"))
                    " in progress, " (s.maintenances_scheduled) " scheduled"
                } @else {
                    "Data age: no data yet"
                }
                " · " code { "adobe_status_up" } " " strong.up { (u8::from(health.up)) }
            }
            @if let Some((reason, at)) = failure {
                p.warning role="status" {
                    strong { "The last refresh failed" } " (reason " code { (reason) } ", "
                    (relative(at, health.now)) "). "
                    @if let Some(s) = summary {
                        "Showing the last good data, " (span(health.now - s.refreshed_at)) " old."
                    } @else {
                        "The page fills in after the first successful refresh."
                    }
                }
            }
        }
    };
    // The frame is opened here and closed in `tail`, around the shared Adobe part.
    let mut html = String::with_capacity(STYLE.len() + 2048);
    html.push_str(&DOCTYPE.into_string());
    html.push_str("<html lang=\"en\"><head>");
    html.push_str(&document_head.into_string());
    html.push_str("</head><body>");
    html.push_str(&header.into_string());
    html.push_str("<main>");
    if summary.is_none() {
        html.push_str(&no_data().into_string());
    }
    html
}

fn no_data() -> Markup {
    html! {
        section #no-data {
            h2 { "No data yet" }
            p {
                "The exporter has not completed a refresh from Adobe yet. Incidents and "
                "maintenances appear here after the first successful one; the exporter's "
                "health below says how the last attempt went."
            }
        }
    }
}

/// Everything after the Adobe part, per request: the exporter's health and links.
pub(super) fn tail(health: &Health, links: &Links) -> String {
    let last_refresh = match health.last_refresh {
        LastRefresh::NotYet => html! { "none finished yet" },
        LastRefresh::Succeeded { at } => html! {
            span.result-ok { "succeeded" } ", " (relative(at, health.now)) " (" (time_element(at)) ")"
        },
        LastRefresh::Failed { reason, at } => html! {
            span.result-failed { "failed" } ", reason " code { (reason) } ", "
            (relative(at, health.now)) " (" (time_element(at)) ")"
        },
    };
    let revision = option_env!("ADOBE_STATUS_EXPORTER_REVISION").unwrap_or("unknown");
    let section = html! {
        section #health aria-labelledby="health-title" {
            h2 #health-title { "Exporter health" }
            dl.kv {
                dt { code { "adobe_status_up" } }
                dd {
                    strong { (u8::from(health.up)) } " – "
                    (if health.up { "the data comes from a recent successful refresh" }
                     else { "no recent successful refresh" })
                }
                dt { "Last refresh" } dd { (last_refresh) }
                dt { "Token expiry" }
                dd {
                    @match health.token_expiry {
                        Some(t) => { (time_element(t)) " (" (relative(t, health.now)) ")" }
                        None => "no token yet",
                    }
                }
                dt { "Upstream requests" }
                dd {
                    (health.upstream_requests) " since start, "
                    (health.upstream_throttled) " throttled (HTTP 429)"
                }
                dt { "Failed refreshes" } dd { (health.refresh_failures) " since start" }
                dt { "Version" }
                dd { (env!("CARGO_PKG_VERSION")) " (revision " (revision) ")" }
            }
            nav.links aria-label="Exporter endpoints" {
                a href=(links.telemetry_path) { "Metrics (" (links.telemetry_path) ")" }
                a href="/-/healthy" { "Liveness (/-/healthy)" }
                a href="/-/ready" { "Readiness (/-/ready)" }
                a href=(DASHBOARDS_AND_ALERTS) { "Dashboards and alerts (README)" }
            }
        }
    };
    let footer = html! {
        footer {
            p {
                "Rendered by the exporter from the data it exports; Adobe's parts are rendered "
                "once per refresh. No scripts, no external resources."
            }
        }
    };
    let mut html = section.into_string();
    html.push_str("</main>");
    html.push_str(&footer.into_string());
    html.push_str("</body></html>\n");
    html
}
