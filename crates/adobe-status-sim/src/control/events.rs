//! Events and products added on top of the scenario: opening, escalating and closing
//! incidents, adding maintenances and moving them through their statuses, registry products.

use std::sync::Arc;
use std::time::SystemTime;

use super::{system_ms, Control, IncidentChange, IncidentSpec, MaintenanceSpec, View};
use crate::catalog::{Catalog, REGIONS};
use crate::messages::{
    INC_MSG_CLOSED, INC_MSG_ESCALATED, INC_MSG_MITIGATED, INC_MSG_OPENED, INC_MSG_ROOT_CAUSE,
    MAINT_MSG_CANCELLED, MAINT_MSG_COMPLETED, MAINT_MSG_SCHEDULED, MAINT_MSG_STARTED,
    MAINT_MSG_UPDATED,
};
use crate::model::{
    date_digits, impacts_for, maintenance_history_status, CfsRecord, Incident, IncidentProduct,
    IncidentUpdate, Maintenance, MaintenanceUpdate, TimeForm,
};

fn now_ms() -> i64 {
    system_ms(SystemTime::now())
}

/// Epoch milliseconds of optional epoch seconds, `now` when absent.
fn at_ms(seconds: Option<i64>) -> i64 {
    seconds.map_or_else(now_ms, |s| s.saturating_mul(1000))
}

/// Regions of some environments, in the canonical region order (for incidents that name
/// environments but no regions).
fn regions_of_environments(registry: &Catalog, env_ids: &[String]) -> Vec<String> {
    REGIONS
        .iter()
        .map(|(r, _)| (*r).to_owned())
        .filter(|r| {
            env_ids
                .iter()
                .filter_map(|e| registry.environment(e))
                .any(|e| e.region_ids.contains(r))
        })
        .collect()
}

/// The same ids once each, first occurrence first (the spec's `uniqueItems`).
fn unique(ids: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

fn severity_rank(severity: &str) -> Option<u8> {
    match severity {
        "None" => Some(0),
        "Trivial" => Some(1),
        "Potential" => Some(2),
        "Minor" => Some(3),
        "Major" => Some(4),
        _ => None,
    }
}

impl Control {
    // ------------------------------------------------------------- events and registry

    pub(crate) fn view(&self) -> View {
        let st = self.state();
        View {
            registry: Arc::clone(&st.registry),
            incidents: st.incidents.clone(),
            maintenances: st.maintenances.clone(),
            incident_titles: st.incident_titles.clone(),
            incident_translations: st.incident_translations.clone(),
            maintenance_titles: st.maintenance_titles.clone(),
            english_locale: st.english_locale.clone(),
        }
    }

    /// Makes `/locales` name English `code` (e.g. `en-US`) and serve its messages under
    /// `/messages/{code}` only, as a deployment may answer.
    pub fn set_english_locale(&self, code: &str) {
        self.state().english_locale = code.to_owned();
    }

    /// Opens an incident on every product of `spec` (status `Opened`, one history entry) and
    /// returns its id. Its title resolves through `/messages` (see [`IncidentSpec`] for the
    /// optional fields and their defaults).
    pub fn open_incident(&self, spec: IncidentSpec) -> String {
        let started = at_ms(spec.started);
        let mut st = self.state();
        let n = st.next_event;
        st.next_event += 1;
        // 13 digits: never collides with the scenario's 10- and 12-digit ids.
        let id = format!("{}{:05}", date_digits(started), n % 100_000);
        let title_token = format!("message.CI9{n:06}");
        let english = if spec.title.is_empty() {
            spec.titles.get("en").cloned().unwrap_or_default()
        } else {
            spec.title.clone()
        };
        st.incident_titles.insert(title_token.clone(), english);
        let translations: std::collections::BTreeMap<String, String> = spec
            .titles
            .iter()
            .filter(|(locale, _)| locale.as_str() != "en")
            .map(|(l, t)| (l.clone(), t.clone()))
            .collect();
        if !translations.is_empty() {
            st.incident_translations
                .insert(title_token.clone(), translations);
        }
        let registry = Arc::clone(&st.registry);
        let (customer, operations) = impacts_for(&spec.severity);
        let customer = spec.customer_impact.as_deref().unwrap_or(customer);
        let operations = spec.operations_impact.as_deref().unwrap_or(operations);
        let env_ids = unique(spec.environments.clone());
        let region_ids = if spec.regions.is_empty() {
            regions_of_environments(&registry, &env_ids)
        } else {
            unique(spec.regions.clone())
        };
        let service_ids = unique(spec.service_ids.clone());
        let products = unique(spec.product_ids.clone())
            .iter()
            .enumerate()
            .map(|(i, pid)| IncidentProduct {
                product_id: pid.clone(),
                severity: spec.severity.clone(),
                status: "Opened".to_owned(),
                started_ms: started,
                ended_ms: None,
                history: vec![IncidentUpdate {
                    id: format!("{id}-{i}-0"),
                    status: "Opened".to_owned(),
                    severity: spec.severity.clone(),
                    customer_impact: customer.to_owned(),
                    operations_impact: operations.to_owned(),
                    message_type: "Custom".to_owned(),
                    time_ms: started,
                    message_token: INC_MSG_OPENED.to_owned(),
                    title_token: title_token.clone(),
                    show_environment: !env_ids.is_empty(),
                    service_ids: service_ids.clone(),
                    offering_ids: offerings_of(&registry, pid, &service_ids),
                    region_ids: region_ids.clone(),
                    env_ids: env_ids.clone(),
                    cfs: None,
                    extra: Vec::new(),
                }],
                extra: Vec::new(),
            })
            .collect();
        st.incidents.push(Incident {
            id: id.clone(),
            products,
            service_ids,
            region_ids,
            env_ids,
            started_form: TimeForm::Rfc3339Millis,
            message_time_form: TimeForm::Rfc3339Millis,
            extra: Vec::new(),
        });
        id
    }

    /// Changes a control-API incident (see [`IncidentChange`]): every open product gets a
    /// history entry (status `Opened`) with the new values. Returns false if no such incident
    /// was opened through the control API.
    pub fn update_incident(&self, id: &str, change: IncidentChange) -> bool {
        let at = at_ms(change.at);
        let mut st = self.state();
        let registry = Arc::clone(&st.registry);
        let Some(incident) = st.incidents.iter_mut().find(|i| i.id == id) else {
            return false;
        };
        if let Some(envs) = &change.environments {
            incident.env_ids = unique(envs.clone());
        }
        if let Some(regions) = &change.regions {
            incident.region_ids = unique(regions.clone());
        } else if change.environments.is_some() {
            incident.region_ids = regions_of_environments(&registry, &incident.env_ids);
        }
        let (region_ids, env_ids) = (incident.region_ids.clone(), incident.env_ids.clone());
        for product in incident
            .products
            .iter_mut()
            .filter(|p| p.status != "Closed")
        {
            let Some(last) = product.history.last().cloned() else {
                continue;
            };
            let severity = change.severity.clone().unwrap_or(last.severity.clone());
            let (customer, operations) = if change.severity.is_some() {
                impacts_for(&severity)
            } else {
                (
                    last.customer_impact.as_str(),
                    last.operations_impact.as_str(),
                )
            };
            let customer = change.customer_impact.as_deref().unwrap_or(customer);
            let operations = change.operations_impact.as_deref().unwrap_or(operations);
            let token = severity_change_token(&product.severity, &severity);
            let Some(mut entry) = next_update(
                product, "Opened", &severity, customer, operations, token, at,
            ) else {
                continue;
            };
            entry.region_ids = region_ids.clone();
            entry.env_ids = env_ids.clone();
            entry.show_environment = !env_ids.is_empty();
            product.history.push(entry);
            product.severity = severity;
        }
        true
    }

    /// Changes the severity of every open product of a control-API incident (a new history
    /// entry). Returns false if no such incident was opened through the control API.
    pub fn set_incident_severity(&self, id: &str, severity: &str) -> bool {
        let now = now_ms();
        let mut st = self.state();
        let Some(incident) = st.incidents.iter_mut().find(|i| i.id == id) else {
            return false;
        };
        let (customer, operations) = impacts_for(severity);
        for product in incident
            .products
            .iter_mut()
            .filter(|p| p.status != "Closed")
        {
            let token = severity_change_token(&product.severity, severity);
            push_incident_update(
                product, "Opened", severity, customer, operations, token, now,
            );
            product.severity = severity.to_owned();
        }
        true
    }

    /// Closes a control-API incident: every open product gets status `Closed`, `endedOn` and a
    /// `Closed` history entry. The incident stays listed, like the real API's history.
    pub fn close_incident(&self, id: &str) -> bool {
        self.close_incident_at(id, SystemTime::now())
    }

    /// [`Control::close_incident`] at a given time (for incidents that ended in the past).
    pub fn close_incident_at(&self, id: &str, at: SystemTime) -> bool {
        let now = system_ms(at);
        let mut st = self.state();
        let Some(incident) = st.incidents.iter_mut().find(|i| i.id == id) else {
            return false;
        };
        for product in incident
            .products
            .iter_mut()
            .filter(|p| p.status != "Closed")
        {
            let severity = product.severity.clone();
            let (customer, operations) = product.history.last().map_or_else(
                || impacts_for(&severity),
                |h| (h.customer_impact.as_str(), h.operations_impact.as_str()),
            );
            let (customer, operations) = (customer.to_owned(), operations.to_owned());
            push_incident_update(
                product,
                "Closed",
                &severity,
                &customer,
                &operations,
                INC_MSG_CLOSED,
                now,
            );
            product.status = "Closed".to_owned();
            product.ended_ms = Some(now);
        }
        true
    }

    /// Appends the root-cause statement Adobe publishes after an incident: a `Closed` entry of
    /// `messageType` `CFS` with `cfsId`, `cfsSource` (`ServiceNow`) and `cfsURL` = `url`, on
    /// every product, at `at` (default now). Returns false for an unknown incident.
    pub fn add_root_cause(&self, id: &str, url: &str, at: Option<SystemTime>) -> bool {
        let at = at.map_or_else(now_ms, system_ms);
        let mut st = self.state();
        let n = st.next_event;
        st.next_event += 1;
        let Some(incident) = st.incidents.iter_mut().find(|i| i.id == id) else {
            return false;
        };
        let cfs_id = format!("CFS9{:06}", n % 1_000_000);
        for product in &mut incident.products {
            let Some(last) = product.history.last() else {
                continue;
            };
            let (status, severity) = (last.status.clone(), last.severity.clone());
            let (customer, operations) =
                (last.customer_impact.clone(), last.operations_impact.clone());
            let Some(mut entry) = next_update(
                product,
                &status,
                &severity,
                &customer,
                &operations,
                INC_MSG_ROOT_CAUSE,
                at,
            ) else {
                continue;
            };
            entry.message_type = "CFS".to_owned();
            entry.cfs = Some(CfsRecord {
                url: url.to_owned(),
                ..CfsRecord::for_id(cfs_id.clone())
            });
            product.history.push(entry);
        }
        true
    }

    /// Adds a maintenance and returns its id. `Started`/`Completed` ones get `startedOn` =
    /// `spec.start`.
    pub fn add_maintenance(&self, spec: MaintenanceSpec) -> String {
        let now = now_ms();
        let start = system_ms(spec.start);
        let end = system_ms(spec.end);
        let mut st = self.state();
        let n = st.next_event;
        st.next_event += 1;
        let id = format!("CMR9{:06}", n % 1_000_000);
        let title_token = format!("message.CM9{n:06}");
        st.maintenance_titles
            .insert(title_token.clone(), spec.title.clone());
        let mut maintenance = Maintenance {
            id: id.clone(),
            status: "Scheduled".to_owned(),
            maintenance_type: spec.maintenance_type,
            scheduled_ms: start,
            started_ms: None,
            completed_ms: end,
            reminder_ms: vec![start - 3_600_000],
            product_ids: spec.product_ids,
            service_ids: Vec::new(),
            region_ids: Vec::new(),
            env_ids: Vec::new(),
            history: vec![MaintenanceUpdate {
                status: "Scheduled".to_owned(),
                customer_impact: "None".to_owned(),
                operations_impact: "Availability".to_owned(),
                message_type: "Custom".to_owned(),
                time_ms: now.min(start),
                message_token: MAINT_MSG_SCHEDULED.to_owned(),
                title_token,
                show_environment: false,
            }],
            lingers_in_scheduled: false,
            date_form: TimeForm::Rfc3339Millis,
            extra: Vec::new(),
        };
        if !spec.status.eq_ignore_ascii_case("Scheduled") {
            let at = if spec.status.eq_ignore_ascii_case("Completed") {
                end
            } else {
                start
            };
            apply_maintenance_status(&mut maintenance, &spec.status, at, start);
        }
        st.maintenances.push(maintenance);
        id
    }

    /// Moves a control-API maintenance to `status` (a new history entry). Returns false if no
    /// such maintenance was added through the control API.
    pub fn set_maintenance_status(&self, id: &str, status: &str) -> bool {
        let now = now_ms();
        let mut st = self.state();
        let Some(m) = st.maintenances.iter_mut().find(|m| m.id == id) else {
            return false;
        };
        apply_maintenance_status(m, status, now, now);
        true
    }

    /// Adds or replaces a registry product (names may contain any characters).
    pub fn add_product(
        &self,
        id: &str,
        name: &str,
        cloud_id: &str,
        services: Vec<(String, String)>,
    ) {
        let mut st = self.state();
        Arc::make_mut(&mut st.registry).upsert_product(id, name, cloud_id, services);
    }
}

fn severity_change_token(old: &str, new: &str) -> &'static str {
    match (severity_rank(old), severity_rank(new)) {
        (Some(old), Some(new)) if new > old => INC_MSG_ESCALATED,
        (Some(old), Some(new)) if new < old => INC_MSG_MITIGATED,
        _ => INC_MSG_OPENED,
    }
}

fn offerings_of(registry: &Catalog, product_id: &str, service_ids: &[String]) -> Vec<String> {
    registry
        .product(product_id)
        .map(|p| {
            p.offerings
                .iter()
                .filter(|o| o.service_ids.iter().any(|s| service_ids.contains(s)))
                .map(|o| o.id.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// The next history entry of `product`: a copy of the last one with a new id, status,
/// severity, impacts, message and time, not a root-cause entry (callers push it). `None` when
/// the product has no history to continue.
fn next_update(
    product: &IncidentProduct,
    status: &str,
    severity: &str,
    customer: &str,
    operations: &str,
    token: &str,
    now: i64,
) -> Option<IncidentUpdate> {
    let template = product.history.last()?.clone();
    let base = template
        .id
        .rsplit_once('-')
        .map_or(template.id.as_str(), |(b, _)| b);
    Some(IncidentUpdate {
        id: format!("{base}-{}", product.history.len()),
        status: status.to_owned(),
        severity: severity.to_owned(),
        customer_impact: customer.to_owned(),
        operations_impact: operations.to_owned(),
        message_type: "Custom".to_owned(),
        time_ms: now,
        message_token: token.to_owned(),
        cfs: None,
        ..template
    })
}

fn push_incident_update(
    product: &mut IncidentProduct,
    status: &str,
    severity: &str,
    customer: &str,
    operations: &str,
    token: &str,
    now: i64,
) {
    if let Some(entry) = next_update(product, status, severity, customer, operations, token, now) {
        product.history.push(entry);
    }
}

fn apply_maintenance_status(m: &mut Maintenance, status: &str, at: i64, started_at: i64) {
    let token = match status.to_ascii_lowercase().as_str() {
        "started" => MAINT_MSG_STARTED,
        "completed" => MAINT_MSG_COMPLETED,
        "canceled" | "cancelled" => MAINT_MSG_CANCELLED,
        "scheduled" => MAINT_MSG_SCHEDULED,
        _ => MAINT_MSG_UPDATED,
    };
    let title_token = m
        .history
        .first()
        .map(|h| h.title_token.clone())
        .unwrap_or_default();
    let started_like =
        status.eq_ignore_ascii_case("Started") || status.eq_ignore_ascii_case("Completed");
    if started_like && m.started_ms.is_none() {
        m.started_ms = Some(started_at);
        if status.eq_ignore_ascii_case("Completed") {
            // Completed straight away: record the start too, as a real history would.
            m.history.push(MaintenanceUpdate {
                status: "Started".to_owned(),
                customer_impact: "None".to_owned(),
                operations_impact: "Availability".to_owned(),
                message_type: "Custom".to_owned(),
                time_ms: started_at,
                message_token: MAINT_MSG_STARTED.to_owned(),
                title_token: title_token.clone(),
                show_environment: false,
            });
        }
    }
    // The DTO spells it "Canceled", the history "Cancelled"; accept either from callers.
    m.status = if status.eq_ignore_ascii_case("Cancelled") {
        "Canceled".to_owned()
    } else {
        status.to_owned()
    };
    m.history.push(MaintenanceUpdate {
        status: maintenance_history_status(&m.status),
        customer_impact: "None".to_owned(),
        operations_impact: "Availability".to_owned(),
        message_type: "Custom".to_owned(),
        time_ms: at,
        message_token: token.to_owned(),
        title_token,
        show_environment: false,
    });
}
