//! Events and products added on top of the scenario: opening, escalating and closing
//! incidents, adding maintenances and moving them through their statuses, registry products.

use std::sync::Arc;
use std::time::SystemTime;

use super::{system_ms, Control, IncidentSpec, MaintenanceSpec, View};
use crate::messages::{
    INC_MSG_CLOSED, INC_MSG_ESCALATED, INC_MSG_MITIGATED, INC_MSG_OPENED, MAINT_MSG_CANCELLED,
    MAINT_MSG_COMPLETED, MAINT_MSG_SCHEDULED, MAINT_MSG_STARTED, MAINT_MSG_UPDATED,
};
use crate::model::{
    date_digits, impacts_for, maintenance_history_status, Incident, IncidentProduct,
    IncidentUpdate, Maintenance, MaintenanceUpdate, TimeForm,
};

fn now_ms() -> i64 {
    system_ms(SystemTime::now())
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
            maintenance_titles: st.maintenance_titles.clone(),
        }
    }

    /// Opens an incident on every product of `spec` (status `Opened`, one history entry) and
    /// returns its id. Its title resolves through `/messages`.
    pub fn open_incident(&self, spec: IncidentSpec) -> String {
        let now = now_ms();
        let mut st = self.state();
        let n = st.next_event;
        st.next_event += 1;
        // 13 digits: never collides with the scenario's 10- and 12-digit ids.
        let id = format!("{}{:05}", date_digits(now), n % 100_000);
        let title_token = format!("message.CI9{n:06}");
        st.incident_titles
            .insert(title_token.clone(), spec.title.clone());
        let registry = Arc::clone(&st.registry);
        let (customer, operations) = impacts_for(&spec.severity);
        let products = spec
            .product_ids
            .iter()
            .enumerate()
            .map(|(i, pid)| {
                let offering_ids = registry
                    .product(pid)
                    .map(|p| {
                        p.offerings
                            .iter()
                            .filter(|o| o.service_ids.iter().any(|s| spec.service_ids.contains(s)))
                            .map(|o| o.id.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                IncidentProduct {
                    product_id: pid.clone(),
                    severity: spec.severity.clone(),
                    status: "Opened".to_owned(),
                    started_ms: now,
                    ended_ms: None,
                    history: vec![IncidentUpdate {
                        id: format!("{id}-{i}-0"),
                        status: "Opened".to_owned(),
                        severity: spec.severity.clone(),
                        customer_impact: customer.to_owned(),
                        operations_impact: operations.to_owned(),
                        message_type: "Custom".to_owned(),
                        time_ms: now,
                        message_token: INC_MSG_OPENED.to_owned(),
                        title_token: title_token.clone(),
                        show_environment: false,
                        service_ids: spec.service_ids.clone(),
                        offering_ids,
                        region_ids: spec.regions.clone(),
                        env_ids: Vec::new(),
                        cfs_id: None,
                        extra: Vec::new(),
                    }],
                    extra: Vec::new(),
                }
            })
            .collect();
        st.incidents.push(Incident {
            id: id.clone(),
            products,
            service_ids: spec.service_ids,
            region_ids: spec.regions,
            env_ids: Vec::new(),
            started_form: TimeForm::Rfc3339Millis,
            message_time_form: TimeForm::Rfc3339Millis,
            extra: Vec::new(),
        });
        id
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
            let token = match (severity_rank(&product.severity), severity_rank(severity)) {
                (Some(old), Some(new)) if new > old => INC_MSG_ESCALATED,
                (Some(old), Some(new)) if new < old => INC_MSG_MITIGATED,
                _ => INC_MSG_OPENED,
            };
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
        let now = now_ms();
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
            let (customer, operations) = impacts_for(&severity);
            push_incident_update(
                product,
                "Closed",
                &severity,
                customer,
                operations,
                INC_MSG_CLOSED,
                now,
            );
            product.status = "Closed".to_owned();
            product.ended_ms = Some(now);
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

fn push_incident_update(
    product: &mut IncidentProduct,
    status: &str,
    severity: &str,
    customer: &str,
    operations: &str,
    token: &str,
    now: i64,
) {
    let Some(template) = product.history.last().cloned() else {
        return;
    };
    let n = product.history.len();
    let base = template
        .id
        .rsplit_once('-')
        .map_or(template.id.as_str(), |(b, _)| b);
    product.history.push(IncidentUpdate {
        id: format!("{base}-{n}"),
        status: status.to_owned(),
        severity: severity.to_owned(),
        customer_impact: customer.to_owned(),
        operations_impact: operations.to_owned(),
        time_ms: now,
        message_token: token.to_owned(),
        ..template
    });
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
