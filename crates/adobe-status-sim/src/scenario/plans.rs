//! Incident and maintenance plans: the whole future of each event, drawn from a keyed PRNG
//! per (seed, stream, index), before any of it is materialized at an instant.

use super::{
    Clock, LiveScenario, DAY, HISTORIC_COUNT, HISTORIC_SPACING, HOUR, LONG_ANNOUNCE, LONG_INTERVAL,
    LONG_MAX_DURATION, LONG_RETENTION, MINUTE, ROLL_INTERVAL, ROLL_JITTER, ROLL_MAX_DURATION,
    ROLL_MIN_DURATION, ROLL_RETENTION, ROLL_START, SEEDED_RETENTION, SHORT_ANNOUNCE,
    SHORT_INTERVAL, SHORT_JITTER, SHORT_MAX_DURATION, SHORT_RETENTION, SHORT_START,
    STREAM_HISTORIC, STREAM_HISTORIC_PRODUCT, STREAM_HISTORIC_TIMING, STREAM_LONG, STREAM_ROLLING,
    STREAM_SEEDED, STREAM_SHORT,
};
use crate::messages::{
    INCIDENT_TITLES, INC_MSG_CLOSED, INC_MSG_DISCOVERY, INC_MSG_DISMISSED, INC_MSG_ESCALATED,
    INC_MSG_MITIGATED, INC_MSG_OPENED, INC_MSG_ROOT_CAUSE, MAINTENANCE_TITLES, MAINT_TITLE_URGENT,
};
use crate::model::{Maintenance, TimeForm};
use crate::prng::{mix, SplitMix64};

/// One scripted update of one product.
#[derive(Debug, Clone, Copy)]
pub(super) struct Step {
    pub(super) at: i64,
    pub(super) status: &'static str,
    pub(super) severity: &'static str,
    pub(super) token: &'static str,
    /// `(customerImpact, operationsImpact)` when they do not follow the severity.
    pub(super) impacts: Option<(&'static str, &'static str)>,
    /// A root-cause statement (`messageType` `CFS`) published after closure: it changes
    /// neither the status nor the end.
    pub(super) root_cause: bool,
}

impl Step {
    const fn new(
        at: i64,
        status: &'static str,
        severity: &'static str,
        token: &'static str,
    ) -> Self {
        Self {
            at,
            status,
            severity,
            token,
            impacts: None,
            root_cause: false,
        }
    }
}

/// Where a historic incident is said to hit (`historic_plans` cycles through these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// One region and the product's environments there (`showEnvironment` true).
    Environments,
    /// One or two regions, no environment.
    RegionsOnly,
    /// Neither regions nor environments: not region-specific.
    Global,
    /// APAC only (with its environments every other time).
    Apac,
    /// EMEA only (with its environments every other time).
    Emea,
}

#[derive(Debug, Clone)]
pub(super) struct ProductPlan {
    pub(super) candidate: usize,
    pub(super) steps: Vec<Step>,
    pub(super) service_ids: Vec<String>,
    pub(super) env_ids: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum IncidentIdKind {
    /// `YYYYMMDD` + 4 digits (the MCP docs' 12-digit form).
    Rolling(i64),
    /// `YYYYMMDD` + 2 digits (the FAQ's CSO form).
    Seeded(i64),
}

#[derive(Debug, Clone)]
pub(super) struct IncidentPlan {
    pub(super) id_kind: IncidentIdKind,
    pub(super) key: u64,
    pub(super) products: Vec<ProductPlan>,
    pub(super) title_token: &'static str,
    pub(super) region_ids: Vec<String>,
    pub(super) show_environment: bool,
    pub(super) started_form: TimeForm,
    pub(super) message_time_form: TimeForm,
    pub(super) extra_last_updated: bool,
    pub(super) extra_previous_severity: bool,
    pub(super) retention: i64,
}

#[derive(Debug, Clone, Copy)]
enum Path {
    /// Severity `None` throughout: an informational incident.
    Informational,
    Blip,
    Escalate,
    Deescalate,
    Dismissed,
    Trivial,
    PotentialToMinor,
}

pub(super) struct MaintenancePlan {
    pub(super) id: String,
    pub(super) announce: i64,
    pub(super) start: i64,
    pub(super) end: i64,
    pub(super) cancel_at: Option<i64>,
    pub(super) reminders: Vec<i64>,
    pub(super) maintenance_type: &'static str,
    pub(super) title: &'static str,
    pub(super) retention: i64,
    pub(super) date_form: TimeForm,
}

impl LiveScenario {
    // ---------------------------------------------------------------- incident plans

    /// The three incidents ongoing at start (see the `scenario` module docs for the script).
    pub(super) fn seeded_plans(&self) -> Vec<IncidentPlan> {
        let mut rng = SplitMix64::keyed(self.seed, STREAM_SEEDED, 0);
        let major = self
            .prominent
            .get(rng.below(self.prominent.len() as u64) as usize)
            .copied()
            .unwrap_or(0);
        let second = self.other_candidate(&mut rng, &[major]);
        let third = self.other_candidate(&mut rng, &[major, second]);
        let fourth = self.other_candidate(&mut rng, &[major, second, third]);
        let step = Step::new;
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

    /// Start and duration of the `n`-th historic incident (own stream, so a later incident can
    /// overlap an earlier one without drawing its plan).
    fn historic_timing(&self, n: i64) -> (i64, i64) {
        let mut rng = SplitMix64::keyed(self.seed, STREAM_HISTORIC_TIMING, n);
        let start = -(6 * HOUR + n * HISTORIC_SPACING + rng.range(0, 6 * HOUR));
        (start, rng.range(20 * MINUTE, 6 * HOUR))
    }

    fn historic_scope(n: i64) -> Scope {
        match n.rem_euclid(5) {
            0 => Scope::Environments,
            1 => Scope::RegionsOnly,
            2 => Scope::Global,
            3 => Scope::Apac,
            _ => Scope::Emea,
        }
    }

    /// The first product of the `n`-th historic incident: one that serves its scope's region.
    fn historic_product(&self, n: i64) -> usize {
        let mut rng = SplitMix64::keyed(self.seed, STREAM_HISTORIC_PRODUCT, n);
        match Self::historic_scope(n) {
            Scope::Apac => self.candidate_in_region(&mut rng, "APAC"),
            Scope::Emea => self.candidate_in_region(&mut rng, "EMEA"),
            _ => self.other_candidate(&mut rng, &[]),
        }
    }

    /// 44 incidents closed during the 40 days before start, newest first (`n` = 0 closed a few
    /// hours before start). The script, by index `n`:
    /// - scope by `n % 5`: 0 environments (one region, `showEnvironment`), 1 regions only,
    ///   2 none at all, 3 APAC only, 4 EMEA only (3 and 4 with environments when `n` is even);
    /// - `n % 7 == 1` dismissed; `n % 11 == 6` severity `None` throughout; otherwise a drawn path
    ///   (Minor blip, escalation to Major, de-escalation, Trivial, Potential to Minor);
    /// - `n % 5 == 3`, and about one in four others, on two products;
    /// - `n % 8 == 2` (unless APAC or EMEA only) on the same product as `n - 1`, starting
    ///   during it (overlap);
    /// - impacts that do not follow the severity: `n % 6 == 2` Minor entries say Most /
    ///   Availability, `n % 6 == 5` Major entries say Some / Performance;
    /// - `n % 3 == 0` and not dismissed: a root-cause statement (`CFS` entry with `cfsId`,
    ///   `cfsSource`, `cfsURL`) 2 hours to 3 days after closure on every product.
    pub(super) fn historic_plans(&self) -> Vec<IncidentPlan> {
        (0..HISTORIC_COUNT)
            .map(|n| {
                let mut rng = SplitMix64::keyed(self.seed, STREAM_HISTORIC, n);
                let (mut start, duration) = self.historic_timing(n);
                let mut first = self.historic_product(n);
                let scope = Self::historic_scope(n);
                // An APAC- or EMEA-only incident keeps a product that serves that region.
                if n % 8 == 2 && !matches!(scope, Scope::Apac | Scope::Emea) {
                    let (prev_start, prev_duration) = self.historic_timing(n - 1);
                    start = prev_start + prev_duration / 3;
                    first = self.historic_product(n - 1);
                }
                let path = if n % 7 == 1 {
                    Path::Dismissed
                } else if n % 11 == 6 {
                    Path::Informational
                } else {
                    random_path(&mut rng)
                };
                let two = n % 5 == 3 || rng.chance(25);
                let mut products = self.path_products(&mut rng, first, path, start, duration, two);
                let twist = match n % 6 {
                    2 => Some(("Minor", ("Most", "Availability"))),
                    5 => Some(("Major", ("Some", "Performance"))),
                    _ => None,
                };
                let root_cause_after = (n % 3 == 0 && !matches!(path, Path::Dismissed))
                    .then(|| rng.range(2 * HOUR, 3 * DAY));
                for (_, steps) in &mut products {
                    if let Some((severity, impacts)) = twist {
                        steps
                            .iter_mut()
                            .filter(|s| s.severity == severity)
                            .for_each(|s| s.impacts = Some(impacts));
                    }
                    if let (Some(after), Some(last)) = (root_cause_after, steps.last().copied()) {
                        steps.push(Step {
                            at: last.at + after,
                            token: INC_MSG_ROOT_CAUSE,
                            root_cause: true,
                            ..last
                        });
                    }
                }
                let mut plan = self.plan_from(&mut rng, IncidentIdKind::Seeded(n + 10), products);
                self.apply_scope(&mut plan, scope, n % 2 == 0);
                plan.key = mix(self.seed ^ 0x0415_7011 ^ n as u64);
                plan.retention = SEEDED_RETENTION;
                plan
            })
            .collect()
    }

    /// Sets the regions and environments of a plan for `scope` (see [`Scope`]).
    fn apply_scope(&self, plan: &mut IncidentPlan, scope: Scope, with_envs: bool) {
        let first_regions: Vec<String> = plan
            .products
            .first()
            .and_then(|p| self.candidates.get(p.candidate))
            .map(|c| c.region_ids.clone())
            .unwrap_or_default();
        let (regions, show) = match scope {
            Scope::Environments => (first_regions.into_iter().take(1).collect(), true),
            Scope::RegionsOnly => (first_regions.into_iter().rev().take(2).collect(), false),
            Scope::Global => (Vec::new(), false),
            Scope::Apac => (vec!["APAC".to_owned()], with_envs),
            Scope::Emea => (vec!["EMEA".to_owned()], with_envs),
        };
        for product in &mut plan.products {
            product.env_ids = match (show, self.candidates.get(product.candidate)) {
                (true, Some(c)) => envs_in(c, &regions),
                _ => Vec::new(),
            };
        }
        plan.show_environment = show && plan.products.iter().any(|p| !p.env_ids.is_empty());
        plan.region_ids = regions;
    }

    /// The `k`-th incident opening after start.
    pub(super) fn rolling_plan(&self, k: i64) -> IncidentPlan {
        let mut rng = SplitMix64::keyed(self.seed, STREAM_ROLLING, k);
        let start = ROLL_START + k * ROLL_INTERVAL + rng.range(0, ROLL_JITTER - 1);
        let duration = rng.range(ROLL_MIN_DURATION, ROLL_MAX_DURATION);
        let path = random_path(&mut rng);
        let two = rng.chance(25);
        let first = self.other_candidate(&mut rng, &[]);
        let products = self.path_products(&mut rng, first, path, start, duration, two);
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
        first: usize,
        path: Path,
        start: i64,
        duration: i64,
        two: bool,
    ) -> Vec<(usize, Vec<Step>)> {
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
                second_steps.push(Step::new(close_at, "Closed", severity, INC_MSG_CLOSED));
            } else if second_steps.iter().all(|s| s.status != "Dismissed") {
                let severity = second_steps.last().map_or("Trivial", |s| s.severity);
                second_steps.push(Step::new(
                    close_at,
                    "Dismissed",
                    severity,
                    INC_MSG_DISMISSED,
                ));
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
        // Environments are named only when the incident shows them.
        let products = products
            .into_iter()
            .map(|(candidate, steps)| {
                let (service_ids, env_ids) = match self.candidates.get(candidate) {
                    Some(c) => {
                        let n = rng.range(1, 3) as usize;
                        let services = rng.sample(&c.service_ids, n);
                        let envs = if show_environment {
                            envs_in(c, &region_ids)
                        } else {
                            Vec::new()
                        };
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
            extra_last_updated: rng.chance(30),
            extra_previous_severity: rng.chance(25),
            retention: ROLL_RETENTION,
        }
    }

    // ---------------------------------------------------------------- maintenances

    /// The `j`-th long maintenance (j = 0 is the one in progress at start).
    pub(super) fn long_maintenance(&self, j: i64, clock: &Clock, t: i64) -> Option<Maintenance> {
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
    pub(super) fn short_maintenance(&self, m: i64, clock: &Clock, t: i64) -> Option<Maintenance> {
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

/// Up to two environments of a candidate in any of `regions`.
fn envs_in(candidate: &super::Candidate, regions: &[String]) -> Vec<String> {
    candidate
        .envs
        .iter()
        .filter(|(_, env_regions)| env_regions.iter().any(|r| regions.contains(r)))
        .map(|(id, _)| id.clone())
        .take(2)
        .collect()
}

fn path_steps(path: Path, s: i64, d: i64) -> Vec<Step> {
    let step = Step::new;
    match path {
        Path::Informational => vec![
            step(s, "Opened", "None", INC_MSG_OPENED),
            step(s + d, "Closed", "None", INC_MSG_CLOSED),
        ],
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
