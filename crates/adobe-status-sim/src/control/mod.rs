//! In-process control of a running simulator: request statistics, fault injection, token
//! revocation, and events and products added on top of the scenario.
//!
//! [`Control`] is a cheap clonable handle around one `std::sync::Mutex`; the lock is only ever
//! held for short synchronous sections, never across an `.await`. The HTTP control API under
//! `/__sim/` calls the same methods.
//!
//! Layout: this module holds the handle, its state, request statistics, faults and tokens;
//! `events` adds, changes and closes events and products; `specs` has the public descriptions
//! of test events.

mod events;
mod specs;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::catalog::Catalog;
use super::faults::{Fault, FaultTable};
use super::model::{Incident, Maintenance};
use super::prng::mix;

pub use specs::{IncidentChange, IncidentSpec, MaintenanceSpec};

/// At most this many requests are kept for [`Control::requests`]; a demo that runs for days
/// must not grow without bound. Counters are never truncated.
const MAX_RECORDED: usize = 10_000;
/// The rate limit's sliding window.
const RATE_WINDOW: Duration = Duration::from_secs(5);

/// One request as the simulator received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The api key the request was counted under (`"events"`, `"token"`, … or `"unknown"`).
    pub api: String,
    pub method: String,
    pub path: String,
    /// The raw query string, `""` when there is none.
    pub query: String,
    /// Header names and values as received (values decoded lossily as UTF-8).
    pub headers: Vec<(String, String)>,
    /// Token endpoint only: the names of the form fields in the body. Values, the secret in
    /// particular, are never stored.
    pub form_fields: Vec<String>,
}

impl RecordedRequest {
    /// Whether the token request carried `client_secret` in its form body.
    pub fn had_client_secret_in_body(&self) -> bool {
        self.form_fields.iter().any(|f| f == "client_secret")
    }
}

#[derive(Debug)]
struct TokenRecord {
    expires: Instant,
}

#[derive(Debug)]
struct State {
    counts: BTreeMap<String, u64>,
    total: u64,
    requests: VecDeque<RecordedRequest>,
    faults: FaultTable,
    tokens: HashMap<String, TokenRecord>,
    tokens_issued: u64,
    /// The client secrets IMS accepts: the configured one, then those added and not deleted
    /// (the Developer Console rotates by adding a new secret, then deleting the old).
    client_secrets: Vec<String>,
    rate: HashMap<String, VecDeque<Instant>>,
    registry: Arc<Catalog>,
    registry_available: bool,
    incidents: Vec<Incident>,
    maintenances: Vec<Maintenance>,
    incident_titles: BTreeMap<String, String>,
    /// Control-API titles in other locales: token → locale → text.
    incident_translations: BTreeMap<String, BTreeMap<String, String>>,
    maintenance_titles: BTreeMap<String, String>,
    /// The code `/locales` gives English (`en`, or `en-US` as some deployments answer).
    english_locale: String,
    next_event: u64,
}

/// What a request renders from, copied out of the lock.
#[derive(Debug, Clone)]
pub(crate) struct View {
    pub(crate) registry: Arc<Catalog>,
    pub(crate) incidents: Vec<Incident>,
    pub(crate) maintenances: Vec<Maintenance>,
    pub(crate) incident_titles: BTreeMap<String, String>,
    pub(crate) incident_translations: BTreeMap<String, BTreeMap<String, String>>,
    pub(crate) maintenance_titles: BTreeMap<String, String>,
    pub(crate) english_locale: String,
}

/// Outcome of checking a bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenCheck {
    Valid,
    Invalid,
    Throttled,
}

/// Control handle of one simulator (see module docs).
#[derive(Clone)]
pub struct Control {
    inner: Arc<Mutex<State>>,
    seed: u64,
}

/// Deliberately terse: the state holds live bearer tokens, which must not end up in logs.
impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("total_requests", &self.total_requests())
            .finish_non_exhaustive()
    }
}

/// Epoch milliseconds of a `SystemTime` (times before 1970 clamp to 0).
fn system_ms(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Control {
    pub(crate) fn new(
        registry: Catalog,
        seed: u64,
        client_secret: String,
        english_locale: String,
    ) -> Self {
        Self {
            inner: Arc::new(Mutex::new(State {
                counts: BTreeMap::new(),
                total: 0,
                requests: VecDeque::new(),
                faults: FaultTable::default(),
                tokens: HashMap::new(),
                tokens_issued: 0,
                client_secrets: vec![client_secret],
                rate: HashMap::new(),
                registry: Arc::new(registry),
                registry_available: true,
                incidents: Vec::new(),
                maintenances: Vec::new(),
                incident_titles: BTreeMap::new(),
                incident_translations: BTreeMap::new(),
                maintenance_titles: BTreeMap::new(),
                english_locale,
                next_event: 1,
            })),
            seed,
        }
    }

    /// The state; a panic elsewhere while holding the lock must not disable the simulator.
    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    // ------------------------------------------------------------- statistics

    /// Requests received for one api: `"token"`, `"events"`, `"incidents"`, `"maintenance"`,
    /// `"scheduled"`, `"clouds"`, `"products"`, `"regions"`, `"eventTypes"`, `"locales"`,
    /// `"messages"`, or `"unknown"` (paths the simulator answers 404).
    pub fn request_count(&self, api: &str) -> u64 {
        self.state().counts.get(api).copied().unwrap_or(0)
    }

    /// All IMS and Status API requests received (control API calls are not counted).
    pub fn total_requests(&self) -> u64 {
        self.state().total
    }

    /// Request counts per api.
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        self.state().counts.clone()
    }

    /// The most recent requests (up to 10,000), oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.iter().cloned().collect()
    }

    /// Forgets counters and recorded requests.
    pub fn reset_requests(&self) {
        let mut st = self.state();
        st.counts.clear();
        st.total = 0;
        st.requests.clear();
    }

    pub(crate) fn record(&self, request: RecordedRequest) {
        let mut st = self.state();
        *st.counts.entry(request.api.clone()).or_insert(0) += 1;
        st.total += 1;
        if st.requests.len() >= MAX_RECORDED {
            st.requests.pop_front();
        }
        st.requests.push_back(request);
    }

    // ------------------------------------------------------------- faults

    /// Injects `fault` for `api` (see [`Control::request_count`] for the names, or `"*"` for
    /// every Status API endpoint) for the next `times` requests, or until cleared when `None`.
    /// Setting a fault for an api replaces the previous one of that api.
    pub fn set_fault(&self, api: &str, fault: Fault, times: Option<u32>) {
        self.state().faults.set(api, fault, times);
    }

    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }

    pub(crate) fn registry_available(&self) -> bool {
        self.state().registry_available
    }

    pub(crate) fn take_fault(&self, api: &str, is_status_api: bool) -> Option<Fault> {
        self.state().faults.take(api, is_status_api)
    }

    /// Makes the registry endpoints (`clouds`, `products`, `regions`, `eventTypes`, `locales`,
    /// `messages`) answer 503 while `false`; events keep working.
    pub fn set_registry_available(&self, available: bool) {
        self.state().registry_available = available;
    }

    // ------------------------------------------------------------- tokens

    /// Invalidates every token issued so far: the next Status API call with one gets 401.
    pub fn revoke_tokens(&self) {
        let mut st = self.state();
        st.tokens.clear();
        st.rate.clear();
    }

    /// Accept `secret` too, as the Developer Console's "Generate client secret" does.
    pub fn add_client_secret(&self, secret: &str) {
        let mut st = self.state();
        if !st.client_secrets.iter().any(|s| s == secret) {
            st.client_secrets.push(secret.to_owned());
        }
    }

    /// Stop accepting `secret`, and revoke every token issued so far (the strict reading of
    /// deleting a secret in the Developer Console).
    pub fn delete_client_secret(&self, secret: &str) {
        let mut st = self.state();
        st.client_secrets.retain(|s| s != secret);
        st.tokens.clear();
        st.rate.clear();
    }

    /// Whether `given` is one of the accepted client secrets (compared in constant time).
    pub(crate) fn client_secret_ok(&self, given: &str) -> bool {
        self.state().client_secrets.iter().fold(false, |ok, s| {
            constant_time_eq(s.as_bytes(), given.as_bytes()) | ok
        })
    }

    /// Number of tokens the IMS endpoint has issued.
    pub fn tokens_issued(&self) -> u64 {
        self.state().tokens_issued
    }

    pub(crate) fn issue_token(&self, lifetime: Duration) -> String {
        let mut st = self.state();
        let now = Instant::now();
        st.tokens.retain(|_, t| t.expires > now);
        st.tokens_issued += 1;
        let n = st.tokens_issued;
        let salt = system_ms(SystemTime::now()) as u64;
        let parts: Vec<String> = (0..4u64)
            .map(|i| {
                format!(
                    "{:016x}",
                    mix(self.seed ^ mix(n) ^ mix(salt.wrapping_add(i)))
                )
            })
            .collect();
        // Shaped like IMS's JWT access tokens, but opaque: clients must not parse it.
        let token = format!(
            "eyJhbGciOiJSUzI1NiIsIng1dSI6ImltcyJ9.{}{}.{}{}",
            parts.first().map_or("", String::as_str),
            parts.get(1).map_or("", String::as_str),
            parts.get(2).map_or("", String::as_str),
            parts.get(3).map_or("", String::as_str),
        );
        let expires = now
            .checked_add(lifetime)
            .unwrap_or(now + Duration::from_secs(86_400 * 365));
        st.tokens.insert(token.clone(), TokenRecord { expires });
        token
    }

    /// Validates a bearer token and applies the per-token sliding-window rate limit.
    pub(crate) fn check_token(&self, token: &str, rate_limit: u32) -> TokenCheck {
        let mut st = self.state();
        let now = Instant::now();
        match st.tokens.get(token) {
            Some(t) if t.expires > now => {}
            _ => return TokenCheck::Invalid,
        }
        let window = st.rate.entry(token.to_owned()).or_default();
        while window
            .front()
            .is_some_and(|t| now.duration_since(*t) >= RATE_WINDOW)
        {
            window.pop_front();
        }
        if window.len() >= rate_limit as usize {
            return TokenCheck::Throttled;
        }
        window.push_back(now);
        TokenCheck::Valid
    }
}

/// Comparison whose time does not depend on where the inputs differ (habit for secrets).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::INC_MSG_ESCALATED;

    fn control() -> Control {
        Control::new(
            Catalog::base(),
            1,
            "demo-secret".to_owned(),
            "en".to_owned(),
        )
    }

    #[test]
    fn incident_lifecycle() {
        let c = control();
        let id = c.open_incident(IncidentSpec {
            product_ids: vec!["503467".into(), "503470".into()],
            severity: "Minor".into(),
            title: "Login \"broken\"".into(),
            regions: vec!["EMEA".into()],
            ..IncidentSpec::default()
        });
        assert_eq!(id.len(), 13);
        assert!(c.set_incident_severity(&id, "Major"));
        assert!(c.close_incident(&id));
        assert!(!c.close_incident("nope"));
        let v = c.view();
        let inc = &v.incidents[0];
        for p in &inc.products {
            assert_eq!(p.status, "Closed");
            assert!(p.ended_ms.is_some());
            let st: Vec<&str> = p.history.iter().map(|h| h.status.as_str()).collect();
            assert_eq!(st, ["Opened", "Opened", "Closed"]);
            assert_eq!(p.history[1].message_token, INC_MSG_ESCALATED);
            let ids: std::collections::HashSet<_> = p.history.iter().map(|h| &h.id).collect();
            assert_eq!(ids.len(), 3);
        }
        assert_eq!(
            v.incident_titles
                .get(&inc.products[0].history[0].title_token),
            Some(&"Login \"broken\"".to_owned())
        );
    }

    #[test]
    fn maintenance_lifecycle() {
        let c = control();
        let start = SystemTime::now() + Duration::from_secs(3600);
        let id = c.add_maintenance(MaintenanceSpec {
            product_ids: vec!["503467".into()],
            status: "Scheduled".into(),
            maintenance_type: "Normal".into(),
            title: "DB".into(),
            start,
            end: start + Duration::from_secs(3600),
        });
        assert!(c.view().maintenances[0].is_scheduled());
        assert!(c.set_maintenance_status(&id, "Started"));
        let m = &c.view().maintenances[0];
        assert!(m.is_started() && m.started_ms.is_some());
        assert!(c.set_maintenance_status(&id, "Cancelled"));
        let m = &c.view().maintenances[0];
        assert_eq!(m.status, "Canceled");
        assert_eq!(
            m.history.last().map(|h| h.status.as_str()),
            Some("Cancelled")
        );
        assert!(!c.set_maintenance_status("CMR0", "Started"));
    }

    #[test]
    fn tokens_and_rate_limit() {
        let c = control();
        let t = c.issue_token(Duration::from_secs(60));
        assert_eq!(c.check_token(&t, 2), TokenCheck::Valid);
        assert_eq!(c.check_token(&t, 2), TokenCheck::Valid);
        assert_eq!(c.check_token(&t, 2), TokenCheck::Throttled);
        assert_eq!(c.check_token("other", 2), TokenCheck::Invalid);
        let t2 = c.issue_token(Duration::from_secs(60));
        assert_ne!(t, t2);
        c.revoke_tokens();
        assert_eq!(c.check_token(&t2, 2), TokenCheck::Invalid);
        let short = c.issue_token(Duration::ZERO);
        assert_eq!(c.check_token(&short, 2), TokenCheck::Invalid);
    }

    #[test]
    fn recorded_requests_are_bounded() {
        let c = control();
        for i in 0..(MAX_RECORDED + 5) {
            c.record(RecordedRequest {
                api: "events".into(),
                method: "GET".into(),
                path: format!("/{i}"),
                query: String::new(),
                headers: vec![],
                form_fields: vec![],
            });
        }
        assert_eq!(c.requests().len(), MAX_RECORDED);
        assert_eq!(c.request_count("events"), (MAX_RECORDED + 5) as u64);
        assert_eq!(c.total_requests(), (MAX_RECORDED + 5) as u64);
        c.reset_requests();
        assert_eq!(c.total_requests(), 0);
    }
}
