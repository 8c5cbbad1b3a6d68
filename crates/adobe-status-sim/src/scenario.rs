//! The Live scenario: incidents and maintenances as a pure function of (seed, simulated time).
//!
//! Nothing is stored or stepped: every incident and maintenance is a *plan* generated from a
//! keyed PRNG (seed, stream, index), and the state at simulated second `t` is whatever part of
//! each plan has happened by `t`. This makes the scenario deterministic per seed, lets tests
//! jump to any instant, and keeps memory flat however long the demo runs.
//!
//! Simulated time is seconds relative to the simulator's start (negative = before start).
//! [`Clock`] maps it to wall-clock time: the past before start is real time (closed incidents
//! "from the last days" really are days old), the future after start is compressed by `speed`,
//! so timestamps always agree with the real clock (an event that has happened has a timestamp in
//! the real past; a scheduled maintenance starts at the real time it will flip to `Started`).
//!
//! What it contains:
//! - at start: a 2-product incident that is Major on one product and Minor on the other, a
//!   Potential incident under investigation and an older Minor one, all ongoing; six incidents
//!   closed during the last five days (one dismissed); one maintenance in progress (also still
//!   listed as scheduled for its first 15 minutes), several scheduled in the next days, and two
//!   completed in the last two days;
//! - then a new incident every ~6 simulated minutes (Discovery → Opened, escalating or
//!   de-escalating, sometimes dismissed, sometimes on 2 products where one closes first) that
//!   closes 5–20 minutes later, and a short maintenance every ~35 minutes that is announced,
//!   starts and completes within half an hour, besides the long ones announced 3 days ahead
//!   (about one in ten long ones gets cancelled).

use std::time::Duration;

use serde_json::Value;

use super::catalog::{Registry, REPLICA_ID_STRIDE};
use super::messages::{
    INCIDENT_TITLES, INC_MSG_CLOSED, INC_MSG_DISCOVERY, INC_MSG_DISMISSED, INC_MSG_ESCALATED,
    INC_MSG_MITIGATED, INC_MSG_OPENED, MAINTENANCE_TITLES, MAINT_MSG_CANCELLED,
    MAINT_MSG_COMPLETED, MAINT_MSG_SCHEDULED, MAINT_MSG_STARTED, MAINT_MSG_UPDATED,
    MAINT_TITLE_URGENT,
};
use super::model::{
    date_digits, format_time, impacts_for, Incident, IncidentProduct, IncidentUpdate, Maintenance,
    MaintenanceUpdate, TimeForm,
};
use super::prng::{mix, SplitMix64};

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// Rolling incidents: one per interval, starting at most `ROLL_JITTER` after its slot.
const ROLL_START: i64 = 2 * MINUTE;
const ROLL_INTERVAL: i64 = 6 * MINUTE;
const ROLL_JITTER: i64 = 5 * MINUTE;
const ROLL_MIN_DURATION: i64 = 5 * MINUTE;
const ROLL_MAX_DURATION: i64 = 20 * MINUTE;
/// Closed rolling incidents stay listed this long. The real API keeps 40 days; a demo running
/// for weeks would otherwise grow its `/events` body without bound.
const ROLL_RETENTION: i64 = 6 * HOUR;
/// Seeded (pre-start) incidents keep the real 40-day history window.
const SEEDED_RETENTION: i64 = 40 * DAY;

/// Long maintenances: one per interval, announced 3 days ahead.
const LONG_INTERVAL: i64 = 18 * HOUR;
const LONG_ANNOUNCE: i64 = 3 * DAY;
const LONG_MAX_DURATION: i64 = 4 * HOUR;
const LONG_RETENTION: i64 = 2 * DAY;
/// Short maintenances: the part of the demo where a maintenance visibly goes
/// Scheduled → Started → Completed within minutes.
const SHORT_START: i64 = 12 * MINUTE;
const SHORT_INTERVAL: i64 = 35 * MINUTE;
const SHORT_JITTER: i64 = 5 * MINUTE;
const SHORT_ANNOUNCE: i64 = 20 * MINUTE;
const SHORT_MAX_DURATION: i64 = 15 * MINUTE;
const SHORT_RETENTION: i64 = HOUR;
/// A started maintenance is still returned by `/events/scheduled` this long (backend lag).
const SCHEDULED_LAG: i64 = 15 * MINUTE;

// PRNG stream ids, so the different kinds of plans never share random numbers.
const STREAM_ROLLING: u64 = 1;
const STREAM_SEEDED: u64 = 2;
const STREAM_HISTORIC: u64 = 3;
const STREAM_LONG: u64 = 4;
const STREAM_SHORT: u64 = 5;
const STREAM_IDS: u64 = 6;

/// Maps simulated seconds to wall-clock time (see module docs).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    start_wall_ms: i64,
    speed: f64,
}

impl Clock {
    /// `speed` must be finite and ≥ 0 (0 freezes the scenario at its start).
    pub(crate) fn new(start_wall_ms: i64, speed: f64) -> Self {
        let speed = if speed.is_finite() && speed >= 0.0 {
            speed
        } else {
            1.0
        };
        Self {
            // Whole seconds, like the real data.
            start_wall_ms: start_wall_ms - start_wall_ms.rem_euclid(1000),
            speed,
        }
    }

    /// Simulated seconds after `elapsed` real time.
    pub(crate) fn sim_now(&self, elapsed: Duration) -> i64 {
        (elapsed.as_secs_f64() * self.speed).floor() as i64
    }

    /// Wall-clock epoch milliseconds (whole seconds) of simulated second `sim_s`.
    pub(crate) fn wall_ms(&self, sim_s: i64) -> i64 {
        if sim_s <= 0 {
            return self.start_wall_ms + sim_s * 1000;
        }
        // A frozen scenario still needs future dates for its scheduled maintenances.
        let speed = if self.speed > 0.0 { self.speed } else { 1.0 };
        let real_s = (sim_s as f64 / speed).floor() as i64;
        self.start_wall_ms + real_s * 1000
    }
}

/// What the scenario contributes at one instant.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Snapshot {
    pub(crate) incidents: Vec<Incident>,
    pub(crate) maintenances: Vec<Maintenance>,
}

/// A registry product the scenario may put in events.
#[derive(Debug, Clone)]
struct Candidate {
    id: String,
    service_ids: Vec<String>,
    /// (environment id, region ids)
    envs: Vec<(String, Vec<String>)>,
    /// (offering id, service ids)
    offerings: Vec<(String, Vec<String>)>,
    region_ids: Vec<String>,
}

/// One scripted update of one product.
#[derive(Debug, Clone, Copy)]
struct Step {
    at: i64,
    status: &'static str,
    severity: &'static str,
    token: &'static str,
}

#[derive(Debug, Clone)]
struct ProductPlan {
    candidate: usize,
    steps: Vec<Step>,
    service_ids: Vec<String>,
    env_ids: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
enum IncidentIdKind {
    /// `YYYYMMDD` + 4 digits (the MCP docs' 12-digit form).
    Rolling(i64),
    /// `YYYYMMDD` + 2 digits (the FAQ's CSO form).
    Seeded(i64),
}

#[derive(Debug, Clone)]
struct IncidentPlan {
    id_kind: IncidentIdKind,
    key: u64,
    products: Vec<ProductPlan>,
    title_token: &'static str,
    region_ids: Vec<String>,
    show_environment: bool,
    started_form: TimeForm,
    message_time_form: TimeForm,
    /// Update indices (per product) that came from a CFS record.
    cfs_percent: u64,
    extra_last_updated: bool,
    extra_previous_severity: bool,
    retention: i64,
}

#[derive(Debug, Clone, Copy)]
enum Path {
    Blip,
    Escalate,
    Deescalate,
    Dismissed,
    Trivial,
    PotentialToMinor,
}

/// The Live scenario for one seed.
#[derive(Debug, Clone)]
pub(crate) struct LiveScenario {
    seed: u64,
    candidates: Vec<Candidate>,
    /// Indices of prominent Experience Cloud products, used for the start-up Major incident.
    prominent: Vec<usize>,
}

impl LiveScenario {
    pub(crate) fn new(seed: u64, registry: &Registry) -> Self {
        let candidates: Vec<Candidate> = registry
            .products
            .iter()
            .filter(|p| !p.services().is_empty())
            .map(|p| Candidate {
                id: p.id.clone(),
                service_ids: p.services().iter().map(|s| s.id.clone()).collect(),
                envs: p
                    .environments()
                    .iter()
                    .map(|e| (e.id.clone(), e.region_ids.clone()))
                    .collect(),
                offerings: p
                    .offerings
                    .iter()
                    .map(|o| (o.id.clone(), o.service_ids.clone()))
                    .collect(),
                region_ids: p.region_ids.clone().unwrap_or_default(),
            })
            .collect();
        let prominent = ["503462", "503472", "503491", "503463", "503464"]
            .iter()
            .filter_map(|id| {
                // Also in a catalog replica, whose ids are shifted by a multiple of the stride.
                candidates.iter().position(|c| {
                    c.id.parse::<u64>().ok().map(|n| n % REPLICA_ID_STRIDE) == id.parse().ok()
                })
            })
            .collect();
        Self {
            seed,
            candidates,
            prominent,
        }
    }

    /// Everything visible at simulated second `t`.
    pub(crate) fn at(&self, clock: &Clock, t: i64) -> Snapshot {
        if self.candidates.is_empty() {
            return Snapshot::default();
        }
        let mut snapshot = Snapshot::default();
        let mut plans = self.seeded_plans();
        plans.extend(self.historic_plans());
        if t >= ROLL_START {
            let k_max = (t - ROLL_START).div_euclid(ROLL_INTERVAL);
            let oldest_end = t - ROLL_RETENTION - ROLL_MAX_DURATION - ROLL_JITTER - ROLL_START;
            let k_min = oldest_end.div_euclid(ROLL_INTERVAL).max(0);
            plans.extend((k_min..=k_max).map(|k| self.rolling_plan(k)));
        }
        snapshot.incidents = plans
            .iter()
            .filter_map(|plan| self.materialize_incident(plan, clock, t))
            .collect();

        let j_min = (t - LONG_RETENTION - LONG_MAX_DURATION - HOUR).div_euclid(LONG_INTERVAL) - 1;
        let j_max = (t + LONG_ANNOUNCE + 2 * HOUR).div_euclid(LONG_INTERVAL) + 1;
        for j in j_min..=j_max {
            if let Some(m) = self.long_maintenance(j, clock, t) {
                snapshot.maintenances.push(m);
            }
        }
        let m_max = (t + SHORT_ANNOUNCE - SHORT_START).div_euclid(SHORT_INTERVAL) + 1;
        let m_min = ((t - SHORT_RETENTION - SHORT_MAX_DURATION - SHORT_JITTER - SHORT_START)
            .div_euclid(SHORT_INTERVAL)
            - 1)
        .max(0);
        for m in m_min..=m_max {
            if let Some(mt) = self.short_maintenance(m, clock, t) {
                snapshot.maintenances.push(mt);
            }
        }
        // Newest first, like a status page.
        snapshot
            .maintenances
            .sort_by(|a, b| b.scheduled_ms.cmp(&a.scheduled_ms).then(a.id.cmp(&b.id)));
        snapshot
    }

    // ---------------------------------------------------------------- incident plans

    /// The three incidents ongoing at start (see module docs for the script).
    fn seeded_plans(&self) -> Vec<IncidentPlan> {
        let mut rng = SplitMix64::keyed(self.seed, STREAM_SEEDED, 0);
        let major = self
            .prominent
            .get(rng.below(self.prominent.len() as u64) as usize)
            .copied()
            .unwrap_or(0);
        let second = self.other_candidate(&mut rng, &[major]);
        let third = self.other_candidate(&mut rng, &[major, second]);
        let fourth = self.other_candidate(&mut rng, &[major, second, third]);
        let step = |at, status, severity, token| Step {
            at,
            status,
            severity,
            token,
        };
        let s1 = vec![
            (
                major,
                vec![
                    step(-40 * MINUTE, "Discovery", "Potential", INC_MSG_DISCOVERY),
                    step(-32 * MINUTE, "Opened", "Minor", INC_MSG_OPENED),
                    step(-18 * MINUTE, "Opened", "Major", INC_MSG_ESCALATED),
                    step(14 * MINUTE, "Opened", "Minor", INC_MSG_MITIGATED),
                    step(20 * MINUTE, "Closed", "Minor", INC_MSG_CLOSED),
                ],
            ),
            (
                second,
                vec![
                    step(-30 * MINUTE, "Opened", "Minor", INC_MSG_OPENED),
                    step(3 * MINUTE, "Closed", "Minor", INC_MSG_CLOSED),
                ],
            ),
        ];
        let s2 = vec![(
            third,
            vec![
                step(-9 * MINUTE, "Discovery", "Potential", INC_MSG_DISCOVERY),
                // The first visible change, half a minute in: a demo shows life at once.
                step(30, "Opened", "Minor", INC_MSG_OPENED),
                step(11 * MINUTE, "Closed", "Minor", INC_MSG_CLOSED),
            ],
        )];
        let s3 = vec![(
            fourth,
            vec![
                step(-95 * MINUTE, "Opened", "Minor", INC_MSG_OPENED),
                step(7 * MINUTE, "Closed", "Minor", INC_MSG_CLOSED),
            ],
        )];
        [s1, s2, s3]
            .into_iter()
            .enumerate()
            .map(|(n, products)| {
                let mut rng = SplitMix64::keyed(self.seed, STREAM_SEEDED, n as i64 + 1);
                // The start-up incidents always use the common timestamp forms, so the very
                // first scrape of a demo looks like typical data.
                let mut plan =
                    self.plan_from(&mut rng, IncidentIdKind::Seeded(n as i64 + 1), products);
                plan.key = mix(self.seed ^ 0x5EED ^ n as u64);
                plan.started_form = TimeForm::Rfc3339Millis;
                plan.message_time_form = TimeForm::Rfc3339Millis;
                plan.retention = SEEDED_RETENTION;
                plan
            })
            .collect()
    }

    /// Six incidents closed during the five days before start.
    fn historic_plans(&self) -> Vec<IncidentPlan> {
        (0..6)
            .map(|n| {
                let mut rng = SplitMix64::keyed(self.seed, STREAM_HISTORIC, n);
                let start = -rng.range(6 * HOUR, 5 * DAY);
                let duration = rng.range(20 * MINUTE, 4 * HOUR);
                // The second one is always dismissed so that value is always present.
                let path = if n == 1 {
                    Path::Dismissed
                } else {
                    random_path(&mut rng)
                };
                let two = n == 3 || rng.chance(30);
                let products = self.path_products(&mut rng, path, start, duration, two);
                let mut plan = self.plan_from(&mut rng, IncidentIdKind::Seeded(n + 10), products);
                plan.key = mix(self.seed ^ 0x0415_7011 ^ n as u64);
                plan.retention = SEEDED_RETENTION;
                plan
            })
            .collect()
    }

    /// The `k`-th incident opening after start.
    fn rolling_plan(&self, k: i64) -> IncidentPlan {
        let mut rng = SplitMix64::keyed(self.seed, STREAM_ROLLING, k);
        let start = ROLL_START + k * ROLL_INTERVAL + rng.range(0, ROLL_JITTER - 1);
        let duration = rng.range(ROLL_MIN_DURATION, ROLL_MAX_DURATION);
        let path = random_path(&mut rng);
        let two = rng.chance(25);
        let products = self.path_products(&mut rng, path, start, duration, two);
        let mut plan = self.plan_from(&mut rng, IncidentIdKind::Rolling(k), products);
        plan.key = mix(self.seed ^ 0x0011_0000 ^ k as u64);
        plan.retention = ROLL_RETENTION;
        plan
    }

    /// Steps for one or two products following `path`. The second product is one severity
    /// lower, joins a minute later and closes at 60 % of the duration, so for a while the
    /// incident is closed on one product and open on the other.
    fn path_products(
        &self,
        rng: &mut SplitMix64,
        path: Path,
        start: i64,
        duration: i64,
        two: bool,
    ) -> Vec<(usize, Vec<Step>)> {
        let first = self.other_candidate(rng, &[]);
        let steps = path_steps(path, start, duration);
        let mut out = vec![(first, steps.clone())];
        if two {
            let second = self.other_candidate(rng, &[first]);
            let close_at = start + duration * 6 / 10;
            let mut second_steps: Vec<Step> = steps
                .iter()
                .filter(|s| s.at < close_at)
                .map(|s| Step {
                    severity: lower_severity(s.severity),
                    ..*s
                })
                .collect();
            if let Some(s) = second_steps.first_mut() {
                s.at = (s.at + MINUTE).min(close_at - 1);
            }
            let dismissed = matches!(path, Path::Dismissed);
            if !dismissed {
                let severity = second_steps.last().map_or("Minor", |s| s.severity);
                second_steps.push(Step {
                    at: close_at,
                    status: "Closed",
                    severity,
                    token: INC_MSG_CLOSED,
                });
            } else if second_steps.iter().all(|s| s.status != "Dismissed") {
                let severity = second_steps.last().map_or("Trivial", |s| s.severity);
                second_steps.push(Step {
                    at: close_at,
                    status: "Dismissed",
                    severity,
                    token: INC_MSG_DISMISSED,
                });
            }
            out.push((second, second_steps));
        }
        out
    }

    /// Fills in the parts of a plan that do not depend on the path.
    fn plan_from(
        &self,
        rng: &mut SplitMix64,
        id_kind: IncidentIdKind,
        products: Vec<(usize, Vec<Step>)>,
    ) -> IncidentPlan {
        let title_token = rng
            .pick(INCIDENT_TITLES)
            .map_or("message.CI0001002", |row| row.0);
        // Regions: about one incident in five names none ("not region-specific").
        let region_pool: Vec<String> = products
            .first()
            .and_then(|(c, _)| self.candidates.get(*c))
            .map(|c| c.region_ids.clone())
            .unwrap_or_default();
        let region_ids = if rng.chance(20) {
            Vec::new()
        } else {
            let n = rng.range(1, 2) as usize;
            rng.sample(&region_pool, n)
        };
        let show_environment = !region_ids.is_empty() && rng.chance(50);
        let products = products
            .into_iter()
            .map(|(candidate, steps)| {
                let (service_ids, env_ids) = match self.candidates.get(candidate) {
                    Some(c) => {
                        let n = rng.range(1, 3) as usize;
                        let services = rng.sample(&c.service_ids, n);
                        let envs: Vec<String> = c
                            .envs
                            .iter()
                            .filter(|(_, regions)| regions.iter().any(|r| region_ids.contains(r)))
                            .map(|(id, _)| id.clone())
                            .take(2)
                            .collect();
                        (services, envs)
                    }
                    None => (Vec::new(), Vec::new()),
                };
                ProductPlan {
                    candidate,
                    steps,
                    service_ids,
                    env_ids,
                }
            })
            .collect();
        IncidentPlan {
            id_kind,
            key: 0,
            products,
            title_token,
            region_ids,
            show_environment,
            started_form: if rng.chance(20) {
                TimeForm::NaiveIso
            } else {
                TimeForm::Rfc3339Millis
            },
            message_time_form: if rng.chance(20) {
                TimeForm::EpochMillisString
            } else {
                TimeForm::Rfc3339Millis
            },
            cfs_percent: if rng.chance(20) { 60 } else { 0 },
            extra_last_updated: rng.chance(30),
            extra_previous_severity: rng.chance(25),
            retention: ROLL_RETENTION,
        }
    }

    /// A candidate not in `taken` (any candidate if all are taken).
    fn other_candidate(&self, rng: &mut SplitMix64, taken: &[usize]) -> usize {
        let n = self.candidates.len() as u64;
        for _ in 0..16 {
            let c = rng.below(n) as usize;
            if !taken.contains(&c) {
                return c;
            }
        }
        (0..self.candidates.len())
            .find(|c| !taken.contains(c))
            .unwrap_or(0)
    }

    /// The part of a plan that has happened by `t`, or `None` if nothing has happened yet or
    /// the incident closed longer ago than its retention.
    fn materialize_incident(&self, plan: &IncidentPlan, clock: &Clock, t: i64) -> Option<Incident> {
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
            let (Some(first), Some(last)) = (visible.first(), visible.last()) else {
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
                    let cfs = rng.chance(plan.cfs_percent);
                    let (customer_impact, operations_impact) = impacts_for(step.severity);
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
                        message_type: if cfs { "CFS" } else { "Canned" }.to_owned(),
                        time_ms: clock.wall_ms(step.at),
                        message_token: step.token.to_owned(),
                        title_token: plan.title_token.to_owned(),
                        show_environment: plan.show_environment,
                        service_ids: pp.service_ids.clone(),
                        offering_ids: offering_ids.clone(),
                        region_ids: plan.region_ids.clone(),
                        env_ids: history_envs.clone(),
                        cfs_id: cfs.then(|| format!("CFS{:07}", rng.below(10_000_000))),
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

    // ---------------------------------------------------------------- maintenances

    /// The `j`-th long maintenance (j = 0 is the one in progress at start).
    fn long_maintenance(&self, j: i64, clock: &Clock, t: i64) -> Option<Maintenance> {
        let mut rng = SplitMix64::keyed(self.seed, STREAM_LONG, j);
        let (start, duration) = if j == 0 {
            (-10 * MINUTE, rng.range(2 * HOUR, LONG_MAX_DURATION))
        } else {
            (
                j * LONG_INTERVAL + rng.range(-HOUR, HOUR),
                rng.range(HOUR, LONG_MAX_DURATION),
            )
        };
        let announce = start - LONG_ANNOUNCE - rng.range(0, HOUR);
        let cancel_at = (j != 0 && rng.chance(10)).then_some(start - 6 * HOUR);
        let maintenance_type = if rng.chance(30) {
            "Scheduled"
        } else {
            "Normal"
        };
        let title = rng
            .pick(&MAINTENANCE_TITLES[..MAINTENANCE_TITLES.len() - 1])
            .map_or("message.CM0001001", |r| r.0);
        let date_form = if rng.chance(15) {
            TimeForm::NaiveIso
        } else {
            TimeForm::Rfc3339Millis
        };
        let plan = MaintenancePlan {
            id: format!("CMR{:07}", (4_000_000 + j).rem_euclid(10_000_000)),
            announce,
            start,
            end: start + duration,
            cancel_at,
            reminders: vec![start - DAY, start - HOUR],
            maintenance_type,
            title,
            retention: LONG_RETENTION,
            date_form,
        };
        self.materialize_maintenance(&plan, &mut rng, clock, t)
    }

    /// The `m`-th short maintenance after start.
    fn short_maintenance(&self, m: i64, clock: &Clock, t: i64) -> Option<Maintenance> {
        let mut rng = SplitMix64::keyed(self.seed, STREAM_SHORT, m);
        let start = SHORT_START + m * SHORT_INTERVAL + rng.range(0, SHORT_JITTER);
        let duration = rng.range(8 * MINUTE, SHORT_MAX_DURATION);
        let urgent = rng.chance(40);
        let plan = MaintenancePlan {
            id: format!("CMR{:07}", (7_000_000 + m).rem_euclid(10_000_000)),
            // Urgent maintenances are published only shortly before they start.
            announce: start - if urgent { 5 * MINUTE } else { SHORT_ANNOUNCE },
            start,
            end: start + duration,
            cancel_at: None,
            reminders: vec![start - 10 * MINUTE],
            maintenance_type: if urgent { "Urgent" } else { "Normal" },
            title: if urgent {
                MAINT_TITLE_URGENT
            } else {
                rng.pick(MAINTENANCE_TITLES)
                    .map_or("message.CM0001001", |r| r.0)
            },
            retention: SHORT_RETENTION,
            date_form: TimeForm::Rfc3339Millis,
        };
        self.materialize_maintenance(&plan, &mut rng, clock, t)
    }

    fn materialize_maintenance(
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

struct MaintenancePlan {
    id: String,
    announce: i64,
    start: i64,
    end: i64,
    cancel_at: Option<i64>,
    reminders: Vec<i64>,
    maintenance_type: &'static str,
    title: &'static str,
    retention: i64,
    date_form: TimeForm,
}

fn random_path(rng: &mut SplitMix64) -> Path {
    match rng.below(100) {
        0..=24 => Path::Blip,
        25..=44 => Path::Escalate,
        45..=59 => Path::Deescalate,
        60..=74 => Path::Dismissed,
        75..=84 => Path::Trivial,
        _ => Path::PotentialToMinor,
    }
}

fn path_steps(path: Path, s: i64, d: i64) -> Vec<Step> {
    let step = |at, status, severity, token| Step {
        at,
        status,
        severity,
        token,
    };
    match path {
        Path::Blip => vec![
            step(s, "Opened", "Minor", INC_MSG_OPENED),
            step(s + d, "Closed", "Minor", INC_MSG_CLOSED),
        ],
        Path::Escalate => vec![
            step(s, "Discovery", "Potential", INC_MSG_DISCOVERY),
            step(s + d / 5, "Opened", "Minor", INC_MSG_OPENED),
            step(s + d * 45 / 100, "Opened", "Major", INC_MSG_ESCALATED),
            step(s + d, "Closed", "Major", INC_MSG_CLOSED),
        ],
        Path::Deescalate => vec![
            step(s, "Opened", "Major", INC_MSG_OPENED),
            step(s + d / 2, "Opened", "Minor", INC_MSG_MITIGATED),
            step(s + d, "Closed", "Minor", INC_MSG_CLOSED),
        ],
        Path::Dismissed => vec![
            step(s, "Discovery", "Potential", INC_MSG_DISCOVERY),
            step(s + d * 6 / 10, "Dismissed", "Potential", INC_MSG_DISMISSED),
        ],
        Path::Trivial => vec![
            step(s, "Opened", "Trivial", INC_MSG_OPENED),
            step(s + d, "Closed", "Trivial", INC_MSG_CLOSED),
        ],
        Path::PotentialToMinor => vec![
            step(s, "Discovery", "Potential", INC_MSG_DISCOVERY),
            step(s + d * 3 / 10, "Opened", "Minor", INC_MSG_OPENED),
            step(s + d, "Closed", "Minor", INC_MSG_CLOSED),
        ],
    }
}

fn lower_severity(severity: &'static str) -> &'static str {
    match severity {
        "Major" => "Minor",
        "Minor" => "Potential",
        _ => "Trivial",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const START_MS: i64 = 1_790_000_000_000;

    fn scenario(seed: u64) -> (LiveScenario, Clock) {
        (
            LiveScenario::new(seed, &Registry::base()),
            Clock::new(START_MS, 1.0),
        )
    }

    fn ongoing_with(s: &Snapshot, severity: &str) -> usize {
        s.incidents
            .iter()
            .flat_map(|i| i.products.iter())
            .filter(|p| p.status == "Opened" && p.severity == severity)
            .count()
    }

    #[test]
    fn start_state_matches_the_script() {
        let (sc, clock) = scenario(42);
        let s = sc.at(&clock, 0);
        assert!(ongoing_with(&s, "Major") >= 1);
        assert!(ongoing_with(&s, "Minor") + ongoing_with(&s, "Potential") >= 1);
        let ongoing = s.incidents.iter().filter(|i| i.is_ongoing()).count();
        assert!((2..=4).contains(&ongoing), "{ongoing} ongoing");
        let closed = s.incidents.iter().filter(|i| !i.is_ongoing()).count();
        assert!(closed >= 5, "{closed} closed");
        assert!(s
            .incidents
            .iter()
            .flat_map(|i| &i.products)
            .flat_map(|p| &p.history)
            .any(|h| h.status == "Dismissed"));
        let started = s.maintenances.iter().filter(|m| m.is_started()).count();
        let scheduled = s.maintenances.iter().filter(|m| m.is_scheduled()).count();
        let completed = s
            .maintenances
            .iter()
            .filter(|m| m.status == "Completed")
            .count();
        assert_eq!(started, 1);
        assert!((3..=6).contains(&scheduled), "{scheduled} scheduled");
        assert!(completed >= 1);
        // The started one still lingers in the scheduled feed at start.
        assert!(s
            .maintenances
            .iter()
            .any(|m| m.in_events_feed() && m.in_scheduled_feed()));
        // A 2-product incident with different severities.
        assert!(s
            .incidents
            .iter()
            .any(|i| i.products.len() == 2 && i.products[0].severity != i.products[1].severity));
    }

    /// What a watcher of `/metrics` sees change: ongoing (incident, product, severity) and
    /// maintenance states.
    fn visible(s: &Snapshot) -> Vec<String> {
        let mut v: Vec<String> = s
            .incidents
            .iter()
            .flat_map(|i| i.products.iter().map(move |p| (i, p)))
            .filter(|(_, p)| p.status != "Closed" && p.status != "Dismissed")
            .map(|(i, p)| format!("{} {} {} {}", i.id, p.product_id, p.status, p.severity))
            .chain(
                s.maintenances
                    .iter()
                    .map(|m| format!("{} {}", m.id, m.status)),
            )
            .collect();
        v.sort();
        v
    }

    #[test]
    fn the_demo_changes_within_its_first_minute_and_every_few_minutes_after() {
        for seed in [42, 1, 7, 99, 2024, 31337] {
            let (sc, clock) = scenario(seed);
            assert_ne!(
                visible(&sc.at(&clock, 0)),
                visible(&sc.at(&clock, 60)),
                "seed {seed}: nothing changed in the first minute"
            );
            let mut last_change = 0;
            let mut longest_quiet = 0;
            let mut before = visible(&sc.at(&clock, 0));
            for t in (10..=HOUR).step_by(10) {
                let now = visible(&sc.at(&clock, t));
                if now != before {
                    longest_quiet = longest_quiet.max(t - last_change);
                    last_change = t;
                    before = now;
                }
            }
            assert!(
                longest_quiet <= 10 * MINUTE,
                "seed {seed}: {longest_quiet} s without a change in the first hour"
            );
        }
    }

    #[test]
    fn deterministic_per_seed() {
        let (a, clock) = scenario(7);
        let (b, _) = scenario(7);
        let (c, _) = scenario(8);
        for t in [0, 300, 3600, 86_400] {
            assert_eq!(a.at(&clock, t), b.at(&clock, t));
        }
        assert_ne!(a.at(&clock, 3600), c.at(&clock, 3600));
    }

    #[test]
    fn events_evolve_and_stay_consistent() {
        let (sc, clock) = scenario(42);
        let now_ms = |t: i64| clock.wall_ms(t);
        let mut seen_ids = std::collections::HashSet::new();
        let mut saw_two_state = false;
        let mut statuses = std::collections::HashSet::new();
        let mut t = 0;
        while t <= 4 * HOUR {
            let s = sc.at(&clock, t);
            let mut ids = std::collections::HashSet::new();
            for i in &s.incidents {
                assert!(ids.insert(i.id.clone()), "duplicate id {}", i.id);
                seen_ids.insert(i.id.clone());
                let open: Vec<bool> = i.products.iter().map(|p| p.status == "Opened").collect();
                if open.contains(&true) && open.contains(&false) {
                    saw_two_state = true;
                }
                for p in &i.products {
                    let last = p.history.last().expect("history");
                    assert_eq!(p.severity, last.severity);
                    assert!(p.started_ms <= now_ms(t));
                    assert_eq!(p.status == "Closed", p.ended_ms.is_some());
                    assert!(p.history.windows(2).all(|w| w[0].time_ms <= w[1].time_ms));
                    for h in &p.history {
                        assert!(h.time_ms <= now_ms(t));
                    }
                }
            }
            let mut mids = std::collections::HashSet::new();
            for m in &s.maintenances {
                assert!(mids.insert(m.id.clone()));
                statuses.insert(m.status.clone());
                if m.is_scheduled() {
                    assert!(m.scheduled_ms >= now_ms(t) - 1000);
                }
                if m.is_started() {
                    assert!(m.started_ms.is_some_and(|s| s <= now_ms(t)));
                }
            }
            t += 60;
        }
        assert!(seen_ids.len() >= 40, "only {} incidents", seen_ids.len());
        assert!(saw_two_state);
        for st in ["Scheduled", "Started", "Completed"] {
            assert!(statuses.contains(st), "{st} never seen");
        }
        // After a day, the body stays bounded.
        let s = sc.at(&clock, 3 * DAY);
        assert!(s.incidents.len() < 100, "{} incidents", s.incidents.len());
        assert!(s.maintenances.len() < 20);
    }

    #[test]
    fn clock_compresses_only_the_future() {
        let clock = Clock::new(START_MS + 123, 10.0);
        assert_eq!(clock.wall_ms(0), START_MS);
        assert_eq!(clock.wall_ms(-60), START_MS - 60_000);
        assert_eq!(clock.wall_ms(600), START_MS + 60_000);
        assert_eq!(clock.sim_now(Duration::from_secs(6)), 60);
        let frozen = Clock::new(START_MS, 0.0);
        assert_eq!(frozen.sim_now(Duration::from_secs(100)), 0);
        assert_eq!(frozen.wall_ms(60), START_MS + 60_000);
        let bad = Clock::new(START_MS, f64::NAN);
        assert_eq!(bad.sim_now(Duration::from_secs(5)), 5);
    }
}
