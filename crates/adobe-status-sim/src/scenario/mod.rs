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
//!   Potential incident under investigation and an older Minor one, all ongoing; 44 incidents
//!   closed during the last 40 days (see [`plans`]'s `historic_plans` for their script: all
//!   severities, several on two products, some overlapping on one product, some dismissed,
//!   impacts that do not follow the severity, environments, regions only, no scope, APAC-only
//!   and EMEA-only, and root-cause statements published hours to days after closure); one
//!   maintenance in progress (also still
//!   listed as scheduled for its first 15 minutes), several scheduled in the next days, and two
//!   completed in the last two days;
//! - then a new incident every ~6 simulated minutes (Discovery → Opened, escalating or
//!   de-escalating, sometimes dismissed, sometimes on 2 products where one closes first) that
//!   closes 5–20 minutes later, and a short maintenance every ~35 minutes that is announced,
//!   starts and completes within half an hour, besides the long ones announced 3 days ahead
//!   (about one in ten long ones gets cancelled).
//!
//! Layout: `plans` says what will happen (plans drawn from the PRNG), `materialize` turns
//! the part of a plan that has happened by `t` into model events.

mod materialize;
mod plans;
#[cfg(test)]
mod tests;

use std::time::Duration;

use super::catalog::{Catalog, REPLICA_ID_STRIDE};
use super::model::{Incident, Maintenance};
use super::prng::SplitMix64;

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
const STREAM_HISTORIC_TIMING: u64 = 7;
const STREAM_HISTORIC_PRODUCT: u64 = 8;

/// Closed incidents of the 40 days before start (the API's history window): one every
/// `HISTORIC_SPACING` or so, the newest closed a few hours before start.
const HISTORIC_COUNT: i64 = 44;
const HISTORIC_SPACING: i64 = 21 * HOUR;

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

/// The Live scenario for one seed.
#[derive(Debug, Clone)]
pub(crate) struct LiveScenario {
    seed: u64,
    candidates: Vec<Candidate>,
    /// Indices of prominent Experience Cloud products, used for the start-up Major incident.
    prominent: Vec<usize>,
}

impl LiveScenario {
    pub(crate) fn new(seed: u64, registry: &Catalog) -> Self {
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
        let prominent = ["503467", "503470", "503491", "503476", "503475"]
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

    /// A candidate serving `region` (any candidate when none does), drawn from `rng`.
    fn candidate_in_region(&self, rng: &mut SplitMix64, region: &str) -> usize {
        let serving: Vec<usize> = (0..self.candidates.len())
            .filter(|c| {
                self.candidates
                    .get(*c)
                    .is_some_and(|c| c.region_ids.iter().any(|r| r == region))
            })
            .collect();
        match rng.pick(&serving) {
            Some(c) => *c,
            None => self.other_candidate(rng, &[]),
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
}
