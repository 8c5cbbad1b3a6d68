//! The refresh gate between scrapes and Adobe (docs/architecture.md).
//!
//! - A scrape within `--status.min-interval` of the last refresh attempt is served from cache.
//! - Otherwise one refresh starts in its own task; every scrape that arrives meanwhile waits
//!   for that same refresh (single flight), each only until its own deadline. A slow upstream
//!   therefore never holds a scrape past its timeout: the refresh finishes in the background
//!   and the next scrape gets its result.
//! - A failed refresh keeps the last good snapshot; `up` turns 0.
//! - The registry (clouds, products, regions, messages) is refreshed within the same task when
//!   older than `--status.registry-interval`, each part keeping its last good copy.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use tokio::sync::watch;
use tokio::time::Instant;
use tracing::{debug, info, warn};

use futures_util::future::join_all;

use crate::allocator;
use crate::metrics::{EncodedSnapshot, ExporterMetrics, ScrapeView};
use crate::pipeline::{self, BodyError, Derived, EventFeeds, Events};
use crate::snapshot::{
    self, primary_language, resolve_locale, LocaleEntry, Registry, RegistryParts, Snapshot, Watch,
};
use crate::state::{Deflating, Kept, Restored, StateWriter};
use crate::status_api::{FetchError, StatusClient};
use crate::status_page::AdobePart;
use crate::timestamp::{unix_now, unix_seconds};
use crate::upstream::{Api, FailureReason};

/// Timing knobs of the gate.
#[derive(Debug, Clone, Copy)]
pub struct Intervals {
    pub min_interval: Duration,
    pub registry_interval: Duration,
    /// Bound of one whole refresh (token + registry + events), beyond per-request timeouts.
    pub refresh_timeout: Duration,
}

/// What scrapes read: the last good data and how the last attempt went.
#[derive(Debug, Clone, Default)]
struct Published {
    snapshot: Option<Arc<EncodedSnapshot>>,
    /// The status page's Adobe part, rendered from the same snapshot as `snapshot`.
    page: Option<Arc<AdobePart>>,
    last_success: Option<(Instant, SystemTime)>,
    registry_success: Option<SystemTime>,
    last_attempt_ok: bool,
    /// A refresh from Adobe has succeeded since start (data restored from the state file
    /// alone does not make the exporter ready).
    live: bool,
    /// Why and when the last failed refresh failed.
    last_failure: Option<(FailureReason, SystemTime)>,
}

/// What the status page shows about the data: the last good Adobe part and the refreshes.
#[derive(Debug, Clone)]
pub struct PageView {
    pub page: Option<Arc<AdobePart>>,
    pub up: bool,
    /// Unix seconds of the last successful refresh.
    pub last_success_unix: Option<f64>,
    /// Whether the last finished refresh succeeded.
    pub last_attempt_ok: bool,
    /// Reason and Unix seconds of the last failed refresh.
    pub last_failure: Option<(FailureReason, f64)>,
}

#[derive(Debug, Default)]
struct GateState {
    last_attempt: Option<Instant>,
    in_flight: Option<watch::Receiver<bool>>,
}

/// State only the (single) running refresh touches. The registry is kept in derived form only
/// (one shared table per part): a part's parsed answer is dropped once its table is built.
#[derive(Debug, Default)]
struct RegistryCache {
    derived: Arc<Registry>,
    /// Per registry API: last success and last attempt.
    times: HashMap<Api, PartTimes>,
}

#[derive(Debug, Default, Clone, Copy)]
struct PartTimes {
    fetched_at: Option<Instant>,
    tried_at: Option<Instant>,
}

/// One registry API's answer, parsed into a part of its own (the other parts absent);
/// `language` is the locale a messages body was asked in.
fn parse_part(api: Api, body: &[u8], language: Option<&str>) -> Result<RegistryParts, String> {
    let mut fresh = RegistryParts::default();
    pipeline::parse_registry_part(&mut fresh, api, body).map_err(|e| e.to_string())?;
    if api == Api::Messages {
        fresh.messages_language = language.map(str::to_owned);
    }
    Ok(fresh)
}

/// The locale codes to ask `/messages/{locale}` in, from `--adobe.locale` and Adobe's list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MessageLocales {
    /// For [`Api::Messages`].
    chosen: String,
    /// For [`Api::FallbackMessages`]; `None` when the chosen locale is English already.
    english: Option<String>,
    /// `--adobe.locale` is not among the locales Adobe lists (texts are in English then).
    unlisted: bool,
}

impl MessageLocales {
    /// Before `/locales` answered, the flag's own code (and `en`) are asked for as they are.
    fn resolve(wanted: &str, known: &[LocaleEntry]) -> MessageLocales {
        let english = if known.is_empty() {
            "en".to_owned()
        } else {
            resolve_locale("en", known).unwrap_or("en").to_owned()
        };
        let (chosen, unlisted) = if known.is_empty() {
            (wanted.to_owned(), false)
        } else {
            match resolve_locale(wanted, known) {
                Some(code) => (code.to_owned(), false),
                None => (english.clone(), true),
            }
        };
        let is_english = primary_language(&chosen) == "en";
        MessageLocales {
            english: (!is_english).then_some(english),
            chosen,
            unlisted,
        }
    }

    fn for_api(&self, api: Api) -> Option<&str> {
        match api {
            Api::Messages => Some(&self.chosen),
            Api::FallbackMessages => self.english.as_deref(),
            _ => None,
        }
    }
}

/// The line about a `--adobe.locale` that the registry's `/locales` does not list, with the
/// listed ones; `None` when it is listed or the locales are not known yet.
pub fn unlisted_locale(locale: &str, registry: &Registry) -> Option<String> {
    let known = registry.locales();
    if known.is_empty() || !MessageLocales::resolve(locale, known).unlisted {
        return None;
    }
    let list: Vec<String> = known
        .iter()
        .map(|l| format!("{} ({})", l.code, l.language))
        .collect();
    Some(format!(
        "--adobe.locale {locale:?} is not a locale Adobe lists (known: {})",
        list.join(", ")
    ))
}

/// Warnings about the flags that name Adobe's registry (`--adobe.locale`, `--adobe.region`,
/// `--adobe.environment`), each given once: when the part it needs first loads.
#[derive(Debug, Default)]
struct RegistryChecks {
    locale: bool,
    regions: bool,
    environments: bool,
}

/// A registry part that failed is retried after this long (or the registry interval, if
/// shorter), not on every refresh: an endpoint that keeps failing costs a request per
/// 5 minutes, and events are still named from their own payloads meanwhile.
const REGISTRY_RETRY: Duration = Duration::from_secs(300);

#[derive(Debug)]
pub struct Refresher {
    client: StatusClient,
    watch: Watch,
    /// `--adobe.locale`.
    locale: String,
    checks: Mutex<RegistryChecks>,
    intervals: Intervals,
    metrics: Arc<ExporterMetrics>,
    gate: Mutex<GateState>,
    published: RwLock<Published>,
    registry: tokio::sync::Mutex<RegistryCache>,
    /// `--status.state-file`: where good answers go to survive a restart.
    state: OnceLock<StateWriter>,
}

/// Why one refresh published nothing new.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{0}")]
    Parse(#[from] BodyError),
    #[error("deriving or encoding the snapshot failed: {0}")]
    Derive(String),
}

impl RefreshError {
    /// The `reason` label of this failure.
    pub fn reason(&self) -> FailureReason {
        match self {
            RefreshError::Fetch(err) => err.reason(),
            RefreshError::Parse(_) => FailureReason::Parse,
            RefreshError::Derive(_) => FailureReason::Derive,
        }
    }

    /// How long Adobe asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            RefreshError::Fetch(err) => err.retry_after(),
            _ => None,
        }
    }
}

/// Outcome of one refresh, for `--check`.
#[derive(Debug)]
pub struct RefreshReport {
    /// The derived data (the refresher keeps only its encoding).
    pub snapshot: Arc<Snapshot>,
    pub registry_products: usize,
    pub registry_errors: Vec<String>,
}

impl Refresher {
    pub fn new(
        client: StatusClient,
        watch: Watch,
        locale: String,
        intervals: Intervals,
        metrics: Arc<ExporterMetrics>,
    ) -> Arc<Refresher> {
        Arc::new(Refresher {
            client,
            watch,
            locale,
            checks: Mutex::new(RegistryChecks::default()),
            intervals,
            metrics,
            gate: Mutex::new(GateState::default()),
            published: RwLock::new(Published::default()),
            registry: tokio::sync::Mutex::new(RegistryCache::default()),
            state: OnceLock::new(),
        })
    }

    pub fn client(&self) -> &StatusClient {
        &self.client
    }

    /// Has a refresh from Adobe succeeded since start? (readiness; data from the state file
    /// is served, but does not count)
    pub fn has_data(&self) -> bool {
        self.read().live
    }

    /// Hand the bodies of every good refresh to `writer` from now on.
    pub fn persist_to(&self, writer: StateWriter) {
        let _ = self.state.set(writer);
    }

    /// Serve data read from the state file until a refresh succeeds: its series and page, its
    /// registry as each part's last good copy, and its true age (`up` stays 0: no refresh
    /// has succeeded yet). Called at start, before the server listens.
    pub fn restore(&self, restored: Restored) {
        let Restored {
            registry,
            derived,
            last_success,
            registry_success,
        } = restored;
        if let Ok(mut cache) = self.registry.try_lock() {
            cache.derived = Arc::new(registry);
        }
        let mut published = self.write();
        if published.live {
            return;
        }
        let age = SystemTime::now()
            .duration_since(last_success)
            .unwrap_or_default();
        let at = Instant::now().checked_sub(age).unwrap_or_else(Instant::now);
        published.snapshot = Some(Arc::new(derived.encoded));
        published.page = Some(Arc::new(derived.page));
        published.last_success = Some((at, last_success));
        published.registry_success = registry_success;
    }

    /// Start a refresh now unless one is running or the last attempt is too recent.
    /// Returns a receiver that turns `true` when the relevant refresh has finished, or
    /// `None` when the cache is fresh.
    pub fn trigger(self: &Arc<Self>) -> Option<watch::Receiver<bool>> {
        let mut gate = self.gate.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(rx) = &gate.in_flight {
            return Some(rx.clone());
        }
        let now = Instant::now();
        if gate
            .last_attempt
            .is_some_and(|t| now.duration_since(t) < self.intervals.min_interval)
        {
            return None;
        }
        gate.last_attempt = Some(now);
        let (tx, rx) = watch::channel(false);
        gate.in_flight = Some(rx.clone());
        drop(gate);

        let this = Arc::clone(self);
        tokio::spawn(async move {
            let outcome =
                tokio::time::timeout(this.intervals.refresh_timeout, this.refresh_events()).await;
            match outcome {
                Ok(Ok(_)) => {}
                Ok(Err(err)) => {
                    this.record_failure(err.reason(), &err.to_string(), err.retry_after());
                }
                Err(_) => this.record_failure(
                    FailureReason::Timeout,
                    &format!(
                        "refresh did not finish within {:?}",
                        this.intervals.refresh_timeout
                    ),
                    None,
                ),
            }
            let mut gate = this.gate.lock().unwrap_or_else(|e| e.into_inner());
            gate.in_flight = None;
            // Send after clearing in_flight so a woken scrape never re-joins a finished refresh.
            let _ = tx.send(true);
        });
        Some(rx)
    }

    /// What a scrape should export: refresh first if due, waiting at most `wait`.
    pub async fn scrape(self: &Arc<Self>, wait: Duration) -> ScrapeView {
        if let Some(mut done) = self.trigger() {
            if tokio::time::timeout(wait, done.wait_for(|finished| *finished))
                .await
                .is_err()
            {
                debug!(
                    wait_ms = wait.as_millis() as u64,
                    "refresh still running at the scrape deadline; serving cached data"
                );
            }
        }
        self.view()
    }

    /// The current data and health, without triggering anything.
    pub fn view(&self) -> ScrapeView {
        let published = self.read();
        ScrapeView {
            snapshot: published.snapshot.clone(),
            up: self.up(&published),
            last_success_unix: published.last_success.map(|(_, t)| unix_seconds(t)),
            registry_last_success_unix: published.registry_success.map(unix_seconds),
        }
    }

    /// What the status page needs, without triggering anything.
    pub fn page_view(&self) -> PageView {
        let published = self.read();
        PageView {
            page: published.page.clone(),
            up: self.up(&published),
            last_success_unix: published.last_success.map(|(_, t)| unix_seconds(t)),
            last_attempt_ok: published.last_attempt_ok,
            last_failure: published
                .last_failure
                .map(|(reason, at)| (reason, unix_seconds(at))),
        }
    }

    /// `adobe_status_up`: the last attempt succeeded and its data is no older than twice the
    /// minimum interval.
    fn up(&self, published: &Published) -> bool {
        let fresh_limit = self.intervals.min_interval * 2;
        published.last_attempt_ok
            && published
                .last_success
                .is_some_and(|(at, _)| at.elapsed() <= fresh_limit)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Published> {
        self.published.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Published> {
        self.published.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The one log line of a failed refresh: why, which call (the error starts with it), and
    /// what scrapes get meanwhile.
    fn record_failure(&self, reason: FailureReason, message: &str, retry_after: Option<Duration>) {
        self.metrics.refresh_failed(reason);
        let data_age = {
            let mut published = self.write();
            published.last_attempt_ok = false;
            published.last_failure = Some((reason, SystemTime::now()));
            published.last_success.map(|(at, _)| at.elapsed().as_secs())
        };
        warn!(
            reason = reason.label(),
            error = message,
            retry_after_seconds = retry_after.map(|d| d.as_secs()),
            serving = if data_age.is_some() {
                "the last good data, adobe_status_up 0"
            } else {
                "no data yet, adobe_status_up 0"
            },
            data_age_seconds = data_age,
            "refresh of Adobe status failed"
        );
    }

    /// One refresh: registry parts that are due, then both event calls, then derive.
    /// Public for `--check`, which runs it once without the gate.
    pub async fn refresh_events(&self) -> Result<RefreshReport, RefreshError> {
        let started = Instant::now();
        let writer = self.state.get().cloned();
        let (registry, events, scheduled) = tokio::join!(
            self.refresh_registry(false),
            self.fetch_events(writer.clone()),
            self.client.fetch(Api::Scheduled),
        );
        let (mut registry, mut registry_errors) = registry;
        let ((events, events_kept), scheduled) = match (events, scheduled.map_err(Into::into)) {
            (Ok(events), Ok(scheduled)) => (events, scheduled),
            (Err(err), _) | (_, Err(err)) => {
                // The caller logs the failure once; registry parts usually failed the same way.
                for error in &registry_errors {
                    debug!(error = error.as_str(), "registry refresh failed too");
                }
                return Err(err);
            }
        };
        let (scheduled, scheduled_kept) =
            parse_whole(writer, Api::Scheduled, scheduled, pipeline::parse_scheduled).await?;
        let feeds = EventFeeds { events, scheduled };
        let kept = events_kept.zip(scheduled_kept);
        let now = unix_now();
        if snapshot::has_unknown_title_tokens(&registry, &feeds.events, &feeds.scheduled, now) {
            let (refreshed, errors) = self.refresh_registry(true).await;
            registry = refreshed;
            registry_errors.extend(errors);
        }
        // Derive and encode off the async workers: at 100× the real catalogue this is tens of
        // milliseconds of CPU that must not hold up scrapes served from the cache meanwhile.
        let watch = self.watch.clone();
        let registry_products = registry.products.len();
        // The series still served: the new ones share its bytes wherever they are the same.
        let previous = self.read().snapshot.clone();
        let derived = tokio::task::spawn_blocking(move || {
            let snapshot = pipeline::derive(&registry, feeds, &watch, now);
            // The parsed feeds were freed: their pages go back before the series are encoded.
            allocator::release_freed();
            pipeline::encode_derived(snapshot, now, previous.as_deref())
        })
        .await
        .map_err(|err| RefreshError::Derive(err.to_string()))?
        .map_err(|err| RefreshError::Derive(err.to_string()))?;
        let Derived {
            snapshot,
            encoded,
            page,
        } = derived;
        if !registry_errors.is_empty() {
            warn!(
                errors = registry_errors.join("; "),
                "registry refresh failed; keeping the last good copy of the failed parts"
            );
        }
        let summary = encoded.summary();
        let (series_bytes, series_new_bytes, series_pieces) =
            (encoded.encoded_len(), encoded.new_bytes(), encoded.pieces());
        let page_bytes = page.len();
        let succeeded_at = SystemTime::now();
        let recovered = {
            let mut published = self.write();
            let recovered = !published.last_attempt_ok;
            published.snapshot = Some(Arc::new(encoded));
            published.page = Some(Arc::new(page));
            published.last_success = Some((Instant::now(), succeeded_at));
            published.last_attempt_ok = true;
            published.live = true;
            recovered
        };
        if let (Some(writer), Some((events, scheduled))) = (self.state.get(), kept) {
            writer.published(events, scheduled, succeeded_at);
        }
        // Info on the first success and on recovery; routine refreshes only at debug.
        let duration_ms = started.elapsed().as_millis() as u64;
        macro_rules! refreshed {
            ($level:ident) => {
                $level!(
                    products = summary.products,
                    ongoing_incidents = summary.ongoing_incidents,
                    maintenances = summary.maintenance_series,
                    series_bytes,
                    series_new_bytes,
                    series_pieces,
                    status_page_bytes = page_bytes,
                    duration_ms,
                    "refreshed Adobe status"
                )
            };
        }
        if recovered {
            refreshed!(info);
        } else {
            refreshed!(debug);
        }
        Ok(RefreshReport {
            snapshot,
            registry_products,
            registry_errors,
        })
    }

    /// `/events`, parsed on a blocking thread as the body arrives, so that it is never held
    /// whole (at 100× the catalogue it is megabytes); with a state file, deflated on the way
    /// as the file will store it.
    async fn fetch_events(
        &self,
        writer: Option<StateWriter>,
    ) -> Result<(Events, Option<Kept>), RefreshError> {
        let (body, pump) = self.client.open(Api::Events).await?.stream();
        let copy = writer.is_some().then(Deflating::default);
        let parse = tokio::task::spawn_blocking(move || {
            let mut body = Copying { body, copy };
            let events = pipeline::read_event_list(&mut body);
            // A parser that stopped early drops the rest: the pump then stops reading.
            let kept = match (writer, body.copy) {
                (Some(writer), Some(copy)) if events.is_ok() => {
                    Some(writer.deflated_for(Api::Events, copy.finish()))
                }
                _ => None,
            };
            events.map(|events| (events, kept))
        });
        let (pumped, parsed) = tokio::join!(pump, parse);
        // A body cut short is the failure, whatever the parser made of what it got.
        pumped?;
        match parsed.map_err(|err| RefreshError::Derive(err.to_string()))? {
            Ok(parsed) => Ok(parsed),
            Err(err) if err.error.needs_whole_body() => {
                // Valid JSON with a repeated key: the whole body normalises it (one more
                // request, for a body Adobe has not been seen to send).
                debug!(error = %err, "events: repeated key, reading the whole body");
                let body = self.client.fetch(Api::Events).await?;
                let writer = self.state.get().cloned();
                parse_whole(writer, Api::Events, body, pipeline::parse_event_list).await
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Refresh the registry parts that are due; return the derived registry (last good copy
    /// of each part) and the errors of the parts that failed.
    ///
    /// With `messages_now`, the messages part is due whenever it was not tried within the
    /// minimum interval: events name a title token the cached catalogue lacks, and a page
    /// without its title is far less useful than one more small request.
    async fn refresh_registry(&self, messages_now: bool) -> (Arc<Registry>, Vec<String>) {
        let mut cache = self.registry.lock().await;
        let now = Instant::now();
        let retry = REGISTRY_RETRY.min(self.intervals.registry_interval);
        let since = |t: Option<Instant>, interval: Duration| {
            t.is_none_or(|t| now.duration_since(t) >= interval)
        };
        let english_only = primary_language(&self.locale) == "en";
        let due: Vec<Api> = Api::REGISTRY
            .into_iter()
            .filter(|api| !(english_only && *api == Api::FallbackMessages))
            .filter(|api| {
                let times = cache.times.get(api).copied().unwrap_or_default();
                if messages_now {
                    return matches!(api, Api::Messages | Api::FallbackMessages)
                        && since(times.tried_at, self.intervals.min_interval);
                }
                since(times.fetched_at, self.intervals.registry_interval)
                    && since(times.tried_at, retry)
            })
            .collect();
        if due.is_empty() {
            return (Arc::clone(&cache.derived), Vec::new());
        }
        let mut errors = Vec::new();
        let mut products_fresh = false;
        // The locale list first: it says which code to ask the messages in (`en` may be
        // listed as `en-US`).
        let (first, rest): (Vec<Api>, Vec<Api>) =
            due.into_iter().partition(|api| *api == Api::Locales);
        for batch in [first, rest] {
            let locales = MessageLocales::resolve(&self.locale, cache.derived.locales());
            let answers = join_all(
                batch
                    .iter()
                    .map(|api| self.client.fetch_in(*api, locales.for_api(*api))),
            )
            .await;
            for (api, answer) in batch.into_iter().zip(answers) {
                cache.times.entry(api).or_default().tried_at = Some(now);
                // A part is replaced only when its answer parses; the others keep their last
                // good copy.
                match answer.map_err(|e| e.to_string()).and_then(|body| {
                    let fresh = parse_part(api, &body, locales.for_api(api))?;
                    if let Some(writer) = self.state.get() {
                        writer.keep_part(api, &body, SystemTime::now());
                    }
                    Ok(fresh)
                }) {
                    Ok(fresh) => {
                        cache.derived = Arc::new(cache.derived.updated(&fresh));
                        cache.times.entry(api).or_default().fetched_at = Some(Instant::now());
                        products_fresh |= api == Api::Products;
                    }
                    Err(error) => errors.push(error),
                }
            }
        }
        self.check_registry_flags(&cache.derived);
        // The product list is what names and services come from.
        if products_fresh {
            self.write().registry_success = Some(SystemTime::now());
        }
        (Arc::clone(&cache.derived), errors)
    }

    /// Warn once about a `--adobe.locale`, `--adobe.region` or `--adobe.environment` value
    /// Adobe does not list, as soon as the part that lists them has loaded.
    fn check_registry_flags(&self, registry: &Registry) {
        let mut checks = self.checks.lock().unwrap_or_else(|e| e.into_inner());
        if !checks.locale && !registry.locales().is_empty() {
            checks.locale = true;
            if let Some(problem) = unlisted_locale(&self.locale, registry) {
                warn!("{problem}; showing Adobe's texts in English");
            }
        }
        let mut problems = Vec::new();
        if !checks.regions && registry.has_regions() {
            checks.regions = true;
            problems.extend(self.watch.unknown_region_names(registry));
        }
        if !checks.environments && registry.has_environments() {
            checks.environments = true;
            problems.extend(self.watch.unknown_environment_names(registry));
        }
        for problem in problems {
            warn!("{problem}; only events that name none pass it");
        }
    }
}

/// A whole body parsed off the async workers (megabytes of JSON at 100×), and with a state
/// file kept as the file will store it; the body is dropped as soon as it is parsed, before
/// anything is derived.
async fn parse_whole<T: Send + 'static>(
    writer: Option<StateWriter>,
    api: Api,
    body: Bytes,
    parse: fn(&[u8]) -> Result<T, BodyError>,
) -> Result<(T, Option<Kept>), RefreshError> {
    tokio::task::spawn_blocking(move || {
        let kept = writer.map(|writer| writer.body_for(api, &body));
        Ok((parse(&body)?, kept))
    })
    .await
    .map_err(|err| RefreshError::Derive(err.to_string()))?
}

/// A body read by the parser, copied on the way into the state file's form of it.
struct Copying<R> {
    body: R,
    copy: Option<Deflating>,
}

impl<R: Read> Read for Copying<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.body.read(buf)?;
        if let Some(copy) = &mut self.copy {
            copy.write(&buf[..n]);
        }
        Ok(n)
    }
}
