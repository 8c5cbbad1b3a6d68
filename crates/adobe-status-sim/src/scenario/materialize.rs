//! Materializing plans: the part of an incident or maintenance plan that has happened by
//! simulated second `t`, as model events with wall-clock timestamps.

use serde_json::Value;

use super::plans::{IncidentIdKind, IncidentPlan, MaintenancePlan, Step};
use super::{Candidate, Clock, LiveScenario, SCHEDULED_LAG, STREAM_IDS};
use crate::messages::{
    MAINT_MSG_CANCELLED, MAINT_MSG_COMPLETED, MAINT_MSG_SCHEDULED, MAINT_MSG_STARTED,
    MAINT_MSG_UPDATED,
};
use crate::model::{
    date_digits, format_time, impacts_for, CfsRecord, Incident, IncidentProduct, IncidentUpdate,
    Maintenance, MaintenanceUpdate,
};
use crate::prng::SplitMix64;

impl LiveScenario {
    /// The part of a plan that has happened by `t`, or `None` if nothing has happened yet or
    /// the incident closed longer ago than its retention.
    pub(super) fn materialize_incident(
        &self,
        plan: &IncidentPlan,
        clock: &Clock,
        t: i64,
    ) -> Option<Incident> {
        let first_at = plan
            .products
            .iter()
            .filter_map(|p| p.steps.first().map(|s| s.at))
            .min()?;
        if first_at > t {
            return None;
        }
        let mut products = Vec::new();
        let mut service_ids: Vec<String> = Vec::new();
        let mut env_ids: Vec<String> = Vec::new();
        let mut last_change = first_at;
        let mut all_closed_at: Option<i64> = Some(i64::MIN);
        for (pidx, pp) in plan.products.iter().enumerate() {
            let visible: Vec<&Step> = pp.steps.iter().filter(|s| s.at <= t).collect();
            // A root-cause statement comes after closure and changes neither status nor end.
            let (Some(first), Some(last)) = (
                visible.first(),
                visible.iter().rev().find(|s| !s.root_cause),
            ) else {
                // A product that joins later is not listed yet.
                continue;
            };
            let Some(candidate) = self.candidates.get(pp.candidate) else {
                continue;
            };
            let closed = matches!(last.status, "Closed" | "Dismissed");
            all_closed_at = match (all_closed_at, closed) {
                (Some(prev), true) => Some(prev.max(last.at)),
                _ => None,
            };
            last_change = last_change.max(last.at);
            let offering_ids: Vec<String> = candidate
                .offerings
                .iter()
                .filter(|(_, sids)| sids.iter().any(|s| pp.service_ids.contains(s)))
                .map(|(id, _)| id.clone())
                .collect();
            let history_envs = if plan.show_environment {
                pp.env_ids.clone()
            } else {
                Vec::new()
            };
            let history = visible
                .iter()
                .enumerate()
                .map(|(n, step)| {
                    let mut rng = SplitMix64::keyed(plan.key, STREAM_IDS, (pidx * 64 + n) as i64);
                    let id = format!("{:016x}", rng.next_u64());
                    let (customer_impact, operations_impact) =
                        step.impacts.unwrap_or_else(|| impacts_for(step.severity));
                    let mut extra = Vec::new();
                    if rng.chance(20) {
                        // `statusTime` exists in the map-form schema; here it is an unknown key.
                        extra.push((
                            "statusTime".to_owned(),
                            Value::from(clock.wall_ms(step.at) / 1000),
                        ));
                    }
                    IncidentUpdate {
                        id,
                        status: step.status.to_owned(),
                        severity: step.severity.to_owned(),
                        customer_impact: customer_impact.to_owned(),
                        operations_impact: operations_impact.to_owned(),
                        message_type: if step.root_cause { "CFS" } else { "Canned" }.to_owned(),
                        time_ms: clock.wall_ms(step.at),
                        message_token: step.token.to_owned(),
                        title_token: plan.title_token.to_owned(),
                        show_environment: plan.show_environment,
                        service_ids: pp.service_ids.clone(),
                        offering_ids: offering_ids.clone(),
                        region_ids: plan.region_ids.clone(),
                        env_ids: history_envs.clone(),
                        cfs: step.root_cause.then(|| {
                            // One record per incident: every product links the same statement.
                            CfsRecord::for_id(format!("CFS{:07}", plan.key % 10_000_000))
                        }),
                        extra,
                    }
                })
                .collect();
            let mut extra = Vec::new();
            if plan.extra_previous_severity && visible.len() > 1 {
                if let Some(prev) = visible.get(visible.len() - 2) {
                    extra.push(("previousSeverity".to_owned(), Value::from(prev.severity)));
                }
            }
            for s in &pp.service_ids {
                if !service_ids.contains(s) {
                    service_ids.push(s.clone());
                }
            }
            for e in &pp.env_ids {
                if !env_ids.contains(e) {
                    env_ids.push(e.clone());
                }
            }
            products.push(IncidentProduct {
                product_id: candidate.id.clone(),
                severity: last.severity.to_owned(),
                status: if closed { "Closed" } else { "Opened" }.to_owned(),
                started_ms: clock.wall_ms(first.at),
                ended_ms: closed.then(|| clock.wall_ms(last.at)),
                history,
                extra,
            });
        }
        if products.is_empty() {
            return None;
        }
        if let Some(closed_at) = all_closed_at {
            if t - closed_at > plan.retention {
                return None;
            }
        }
        let first_wall = clock.wall_ms(first_at);
        let id = match plan.id_kind {
            IncidentIdKind::Rolling(k) => {
                format!("{}{:04}", date_digits(first_wall), k.rem_euclid(10_000))
            }
            IncidentIdKind::Seeded(n) => {
                format!("{}{:02}", date_digits(first_wall), n.rem_euclid(100))
            }
        };
        let mut extra = Vec::new();
        if plan.extra_last_updated {
            extra.push((
                "lastUpdatedOn".to_owned(),
                Value::from(format_time(clock.wall_ms(last_change), plan.started_form)),
            ));
        }
        Some(Incident {
            id,
            products,
            service_ids,
            region_ids: plan.region_ids.clone(),
            env_ids,
            started_form: plan.started_form,
            message_time_form: plan.message_time_form,
            extra,
        })
    }

    pub(super) fn materialize_maintenance(
        &self,
        plan: &MaintenancePlan,
        rng: &mut SplitMix64,
        clock: &Clock,
        t: i64,
    ) -> Option<Maintenance> {
        if t < plan.announce {
            return None;
        }
        // Timeline: (time, history status, message token).
        let mut timeline: Vec<(i64, &'static str, &'static str)> =
            vec![(plan.announce, "Scheduled", MAINT_MSG_SCHEDULED)];
        if let Some(reminder) = plan.reminders.first().copied() {
            if reminder > plan.announce && plan.cancel_at.is_none_or(|c| reminder < c) {
                timeline.push((reminder, "Updated", MAINT_MSG_UPDATED));
            }
        }
        match plan.cancel_at {
            Some(cancel) => timeline.push((
                cancel.max(plan.announce + 1),
                "Cancelled",
                MAINT_MSG_CANCELLED,
            )),
            None => {
                timeline.push((plan.start, "Started", MAINT_MSG_STARTED));
                timeline.push((plan.end, "Completed", MAINT_MSG_COMPLETED));
            }
        }
        let visible: Vec<_> = timeline.iter().filter(|(at, _, _)| *at <= t).collect();
        let (last_at, last_status, _) = **visible.last()?;
        let status = match last_status {
            "Started" => "Started",
            "Completed" => "Completed",
            "Cancelled" => "Canceled",
            _ => "Scheduled",
        };
        if matches!(status, "Completed" | "Canceled") && t - last_at > plan.retention {
            return None;
        }
        let n_products = rng.range(1, 3) as usize;
        let mut chosen: Vec<usize> = Vec::new();
        for _ in 0..n_products {
            let c = self.other_candidate(rng, &chosen);
            if !chosen.contains(&c) {
                chosen.push(c);
            }
        }
        let picked: Vec<&Candidate> = chosen
            .iter()
            .filter_map(|c| self.candidates.get(*c))
            .collect();
        let mut service_ids = Vec::new();
        for c in &picked {
            let n = rng.range(0, 2) as usize;
            service_ids.extend(rng.sample(&c.service_ids, n));
        }
        let region_ids = if rng.chance(50) {
            Vec::new()
        } else {
            let pool: Vec<String> = picked
                .first()
                .map(|c| c.region_ids.clone())
                .unwrap_or_default();
            rng.sample(&pool, 1)
        };
        let history = visible
            .iter()
            .map(|(at, hstatus, token)| MaintenanceUpdate {
                status: (*hstatus).to_owned(),
                customer_impact: if plan.maintenance_type == "Urgent" {
                    "Some"
                } else {
                    "None"
                }
                .to_owned(),
                operations_impact: "Availability".to_owned(),
                message_type: "Canned".to_owned(),
                time_ms: clock.wall_ms(*at),
                message_token: (*token).to_owned(),
                title_token: plan.title.to_owned(),
                show_environment: false,
            })
            .collect();
        let mut extra = Vec::new();
        if rng.chance(30) {
            // `cmrStatus` is a map-form field; in the DTO it is an unknown key.
            extra.push(("cmrStatus".to_owned(), Value::from("Approved")));
        }
        Some(Maintenance {
            id: plan.id.clone(),
            status: status.to_owned(),
            maintenance_type: plan.maintenance_type.to_owned(),
            scheduled_ms: clock.wall_ms(plan.start),
            started_ms: (status != "Scheduled" && status != "Canceled")
                .then(|| clock.wall_ms(plan.start)),
            completed_ms: clock.wall_ms(plan.end),
            reminder_ms: plan.reminders.iter().map(|r| clock.wall_ms(*r)).collect(),
            product_ids: picked.iter().map(|c| c.id.clone()).collect(),
            service_ids,
            region_ids,
            env_ids: Vec::new(),
            history,
            lingers_in_scheduled: status == "Started" && t - plan.start < SCHEDULED_LAG,
            date_form: plan.date_form,
            extra,
        })
    }
}
