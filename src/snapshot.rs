//! Pure derivation: upstream registry + events → [`Snapshot`] (docs/adobe-status-api.md §7).
//!
//! No I/O and no clock here: `now` is passed in, so every rule (ongoing vs closed, severity
//! fallback to history, maintenance de-duplication, service and region attribution) is
//! unit-tested on plain data.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::{self, Cloud, Events, HistoryEntry, Maintenance, Messages, NamedRef, Product};

/// Titles longer than this are cut (they end up in label values of pages).
pub const MAX_TITLE_CHARS: usize = 160;

/// Region label value when an event names no region: "not region-specific", not "none".
pub const ALL_REGIONS: &str = "all";

// === Severity ===

/// Incident severity bucket, the `incident_severity` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Major,
    Minor,
    Potential,
    Trivial,
    None,
    Unknown,
}

impl Severity {
    /// Every bucket, in the order series are emitted.
    pub const ALL: [Severity; 6] = [
        Severity::Major,
        Severity::Minor,
        Severity::Potential,
        Severity::Trivial,
        Severity::None,
        Severity::Unknown,
    ];

    /// Classify an upstream value; `None` when it is missing or `Empty` (not set).
    pub fn parse(raw: Option<&str>) -> Option<Severity> {
        let value = raw?.trim();
        Some(match value.to_ascii_lowercase().as_str() {
            "" | "empty" => return None,
            "major" => Severity::Major,
            "minor" => Severity::Minor,
            "potential" => Severity::Potential,
            "trivial" => Severity::Trivial,
            "none" => Severity::None,
            _ => Severity::Unknown,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Major => "major",
            Severity::Minor => "minor",
            Severity::Potential => "potential",
            Severity::Trivial => "trivial",
            Severity::None => "none",
            Severity::Unknown => "unknown",
        }
    }

    /// The `*_worst_severity` scale: 0 healthy … 4 major. A value Adobe added after this
    /// exporter was written ranks as "potential": something is open, its impact unclassified.
    pub fn rank(self) -> u8 {
        match self {
            Severity::None => 0,
            Severity::Trivial => 1,
            Severity::Potential | Severity::Unknown => 2,
            Severity::Minor => 3,
            Severity::Major => 4,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

// === Maintenance state ===

/// The `maintenance_state` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MaintenanceState {
    InProgress,
    Scheduled,
}

impl MaintenanceState {
    pub const ALL: [MaintenanceState; 2] =
        [MaintenanceState::InProgress, MaintenanceState::Scheduled];

    pub fn label(self) -> &'static str {
        match self {
            MaintenanceState::InProgress => "in_progress",
            MaintenanceState::Scheduled => "scheduled",
        }
    }
}

/// Where a maintenance stands, by its own status (never by the endpoint that returned it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Unknown,
    Scheduled,
    Started,
    Finished,
}

impl Phase {
    fn from_status(raw: Option<&str>) -> Phase {
        match raw.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("started") | Some("inprogress") | Some("in_progress") => Phase::Started,
            Some("scheduled") => Phase::Scheduled,
            Some("completed") | Some("canceled") | Some("cancelled") => Phase::Finished,
            _ => Phase::Unknown,
        }
    }
}

fn maintenance_type_label(raw: Option<&str>) -> &'static str {
    match raw.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        Some("normal") => "normal",
        Some("urgent") => "urgent",
        Some("scheduled") => "scheduled",
        None | Some("") | Some("empty") => "unspecified",
        Some(_) => "unknown",
    }
}

// === Registry ===

/// The last good copy of each taxonomy call; `None` until that call first succeeds.
#[derive(Debug, Clone, Default)]
pub struct RegistryParts {
    pub clouds: Option<Vec<Cloud>>,
    pub products: Option<Vec<Product>>,
    pub regions: Option<Vec<NamedRef>>,
    pub messages: Option<Vec<Messages>>,
}

/// Lookup tables derived from [`RegistryParts`].
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub products: BTreeMap<String, RegistryProduct>,
    clouds: HashMap<String, String>,
    product_cloud: HashMap<String, String>,
    regions: HashMap<String, String>,
    incident_titles: HashMap<String, String>,
    maintenance_titles: HashMap<String, String>,
}

#[derive(Debug, Clone, Default)]
pub struct RegistryProduct {
    pub name: String,
    /// Service id → name; empty when the registry lists none for this product.
    pub services: BTreeMap<String, String>,
}

impl Registry {
    pub fn build(parts: &RegistryParts) -> Registry {
        let mut registry = Registry::default();
        for cloud in parts.clouds.iter().flatten() {
            let Some(cloud_id) = non_empty(&cloud.id) else {
                continue;
            };
            registry
                .clouds
                .insert(cloud_id.to_owned(), cloud.name.clone().unwrap_or_default());
            for product in &cloud.cloud_products {
                if let Some(product_id) = non_empty(&product.id) {
                    registry
                        .product_cloud
                        .entry(product_id.to_owned())
                        .or_insert_with(|| cloud_id.to_owned());
                }
            }
        }
        for product in parts.products.iter().flatten() {
            let Some(id) = non_empty(&product.id) else {
                continue;
            };
            let services = product
                .product_services
                .iter()
                .filter_map(|s| {
                    let sid = non_empty(&s.id)?;
                    Some((
                        sid.to_owned(),
                        s.name.clone().unwrap_or_else(|| sid.to_owned()),
                    ))
                })
                .collect();
            let name = product.name.clone().unwrap_or_default();
            registry
                .products
                .insert(id.to_owned(), RegistryProduct { name, services });
        }
        for region in parts.regions.iter().flatten() {
            if let Some(id) = non_empty(&region.id) {
                let name = region.name.clone().unwrap_or_else(|| id.to_owned());
                registry.regions.insert(id.to_owned(), name);
            }
        }
        // English first if present, otherwise the first catalogue that has the token.
        let mut catalogues: Vec<&Messages> = parts.messages.iter().flatten().collect();
        catalogues.sort_by_key(|m| {
            let lang = m
                .language_code
                .as_deref()
                .unwrap_or("")
                .to_ascii_lowercase();
            !(lang == "en" || lang.starts_with("en_") || lang.starts_with("en-"))
        });
        for catalogue in catalogues {
            for (token, message) in &catalogue.incident_messages {
                if let Some(text) = &message.text_message {
                    registry
                        .incident_titles
                        .entry(token.clone())
                        .or_insert_with(|| text.clone());
                }
            }
            for (token, message) in &catalogue.maintenance_messages {
                if let Some(text) = &message.text_message {
                    registry
                        .maintenance_titles
                        .entry(token.clone())
                        .or_insert_with(|| text.clone());
                }
            }
        }
        registry
    }

    fn cloud_of(&self, product_id: &str) -> (String, String) {
        match self.product_cloud.get(product_id) {
            Some(cloud_id) => (
                cloud_id.clone(),
                self.clouds.get(cloud_id).cloned().unwrap_or_default(),
            ),
            None => (String::new(), String::new()),
        }
    }

    fn knows_title(&self, token: &str, maintenance: bool) -> bool {
        if maintenance {
            self.maintenance_titles.contains_key(token)
        } else {
            self.incident_titles.contains_key(token)
        }
    }

    fn region_name(&self, id: &str) -> Option<&str> {
        self.regions.get(id).map(String::as_str)
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

// === Snapshot ===

/// Which products to export: all, or the ids given with `--adobe.product-id`.
#[derive(Debug, Clone, Default)]
pub struct Watch(Option<BTreeSet<String>>);

impl Watch {
    pub fn all() -> Watch {
        Watch(None)
    }

    pub fn only(ids: impl IntoIterator<Item = String>) -> Watch {
        let ids: BTreeSet<String> = ids.into_iter().collect();
        Watch(if ids.is_empty() { None } else { Some(ids) })
    }

    pub fn includes(&self, product_id: &str) -> bool {
        self.0.as_ref().is_none_or(|ids| ids.contains(product_id))
    }

    pub fn ids(&self) -> impl Iterator<Item = &String> {
        self.0.iter().flatten()
    }
}

/// Everything one scrape exports about Adobe, keyed and sorted by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub products: BTreeMap<String, ProductStatus>,
    /// One per ongoing (incident, product), sorted by incident id then product id.
    pub incidents: Vec<IncidentSeries>,
    /// One per in-progress or scheduled (maintenance, product).
    pub maintenances: Vec<MaintenanceSeries>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProductStatus {
    pub name: String,
    pub cloud_id: String,
    pub cloud_name: String,
    /// Ongoing incidents per [`Severity`], indexed like [`Severity::ALL`].
    incidents: [u32; 6],
    pub maintenances_in_progress: u32,
    pub maintenances_scheduled: u32,
    pub services: BTreeMap<String, ServiceStatus>,
}

impl ProductStatus {
    pub fn incidents(&self, severity: Severity) -> u32 {
        self.incidents[severity.index()]
    }

    pub fn maintenances(&self, state: MaintenanceState) -> u32 {
        match state {
            MaintenanceState::InProgress => self.maintenances_in_progress,
            MaintenanceState::Scheduled => self.maintenances_scheduled,
        }
    }

    /// Worst ongoing severity, 0 when healthy.
    pub fn worst_severity(&self) -> u8 {
        Severity::ALL
            .iter()
            .filter(|s| self.incidents(**s) > 0)
            .map(|s| s.rank())
            .max()
            .unwrap_or(0)
    }

    pub fn ongoing_incidents(&self) -> u32 {
        self.incidents.iter().sum()
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceStatus {
    pub name: String,
    pub worst_severity: u8,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IncidentSeries {
    pub incident_id: String,
    pub product_id: String,
    pub severity: Severity,
    pub title: String,
    pub started: Option<f64>,
    /// Region names (or ids when the registry has no name), or [`ALL_REGIONS`].
    pub regions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MaintenanceSeries {
    pub maintenance_id: String,
    pub product_id: String,
    pub state: MaintenanceState,
    pub maintenance_type: &'static str,
    pub title: String,
    pub start: Option<f64>,
    pub end: Option<f64>,
}

/// Build the snapshot. `scheduled` is the body of `/events/scheduled`; maintenances from both
/// calls are merged by id.
pub fn derive(
    registry: &Registry,
    events: &Events,
    scheduled: &[Maintenance],
    watch: &Watch,
    now: f64,
) -> Snapshot {
    let mut builder = Builder {
        registry,
        watch,
        snapshot: Snapshot::default(),
    };
    builder.seed_products();
    for incident in &events.incidents {
        builder.add_incident(incident, now);
    }
    for maintenance in merge_maintenances(&events.maintenances, scheduled) {
        builder.add_maintenance(maintenance, now);
    }
    let mut snapshot = builder.snapshot;
    snapshot
        .incidents
        .sort_by(|a, b| (&a.incident_id, &a.product_id).cmp(&(&b.incident_id, &b.product_id)));
    snapshot.maintenances.sort_by(|a, b| {
        (&a.maintenance_id, &a.product_id).cmp(&(&b.maintenance_id, &b.product_id))
    });
    snapshot
}

struct Builder<'a> {
    registry: &'a Registry,
    watch: &'a Watch,
    snapshot: Snapshot,
}

/// A product's status before any event: its name (the id when it has none) and its cloud.
fn new_product(registry: &Registry, id: &str, name: Option<&str>) -> ProductStatus {
    let (cloud_id, cloud_name) = registry.cloud_of(id);
    ProductStatus {
        name: name.unwrap_or(id).to_owned(),
        cloud_id,
        cloud_name,
        ..ProductStatus::default()
    }
}

impl Builder<'_> {
    /// Every watched product is present, healthy until an event says otherwise, so that
    /// "absent" and "healthy" never look the same.
    fn seed_products(&mut self) {
        let registry = self.registry;
        // Built in one go from the registry's sorted order (a bulk build, no per-key
        // search): at 100× the catalogue this is most of derive's time otherwise.
        self.snapshot.products = registry
            .products
            .iter()
            .filter(|(id, _)| self.watch.includes(id))
            .map(|(id, product)| {
                let name = Some(product.name.as_str()).filter(|n| !n.is_empty());
                let services = product
                    .services
                    .iter()
                    .map(|(sid, name)| {
                        let status = ServiceStatus {
                            name: name.clone(),
                            worst_severity: 0,
                        };
                        (sid.clone(), status)
                    })
                    .collect();
                let status = ProductStatus {
                    services,
                    ..new_product(registry, id, name)
                };
                (id.clone(), status)
            })
            .collect();
        let explicit: Vec<String> = self.watch.ids().cloned().collect();
        for id in explicit {
            self.product(&id, None);
        }
    }

    /// The status entry of a product, created on first sight. Name preference: registry,
    /// then the event's own name, then the id itself.
    fn product(&mut self, id: &str, event_name: Option<&str>) -> &mut ProductStatus {
        let registry = self.registry;
        self.snapshot
            .products
            .entry(id.to_owned())
            .and_modify(|p| {
                if p.name.is_empty() {
                    if let Some(name) = event_name.filter(|n| !n.trim().is_empty()) {
                        p.name = name.to_owned();
                    }
                }
            })
            .or_insert_with(|| {
                let registry_name = registry
                    .products
                    .get(id)
                    .map(|p| p.name.as_str())
                    .filter(|n| !n.is_empty());
                let name = registry_name.or(event_name.filter(|n| !n.trim().is_empty()));
                new_product(registry, id, name)
            })
    }

    fn add_incident(&mut self, incident: &model::Incident, now: f64) {
        let incident_id = non_empty(&incident.id).map(str::to_owned);
        let mut seen = BTreeSet::new();
        for product in &incident.products {
            let Some(product_id) = non_empty(&product.id) else {
                continue;
            };
            if !self.watch.includes(product_id) || !seen.insert(product_id) {
                continue;
            }
            self.product(product_id, product.name.as_deref());
            let latest = model::latest(&product.history);
            if !incident_is_ongoing(product, latest, now) {
                continue;
            }
            let severity = Severity::parse(product.severity.as_deref())
                .or_else(|| latest.and_then(|h| Severity::parse(h.severity.as_deref())))
                .unwrap_or(Severity::Unknown);

            let services = self.incident_services(incident, product_id, latest);
            let registry = self.registry;
            let status = self.product(product_id, None);
            status.incidents[severity.index()] += 1;
            for (sid, name) in services {
                let service = status.services.entry(sid).or_insert_with(|| ServiceStatus {
                    name,
                    worst_severity: 0,
                });
                service.worst_severity = service.worst_severity.max(severity.rank());
            }

            let Some(incident_id) = &incident_id else {
                continue;
            };
            let title = title_from_history(&product.history, &registry.incident_titles, None);
            let started = product.started_on.or_else(|| {
                product
                    .history
                    .iter()
                    .filter_map(|h| h.message_time)
                    .reduce(f64::min)
            });
            self.snapshot.incidents.push(IncidentSeries {
                incident_id: incident_id.clone(),
                product_id: product_id.to_owned(),
                severity,
                title,
                started,
                regions: incident_regions(registry, incident, latest),
            });
        }
    }

    /// Services of `product_id` hit by this incident, with names (docs/adobe-status-api.md §7.3).
    fn incident_services(
        &self,
        incident: &model::Incident,
        product_id: &str,
        latest: Option<&HistoryEntry>,
    ) -> Vec<(String, String)> {
        let known = self.registry.products.get(product_id).map(|p| &p.services);
        let event_name = |sid: &str| {
            incident
                .services
                .iter()
                .find(|s| non_empty(&s.id) == Some(sid))
                .and_then(|s| s.name.clone())
        };
        let name_of = |sid: &str| {
            known
                .and_then(|k| k.get(sid).cloned())
                .or_else(|| event_name(sid))
                .unwrap_or_else(|| sid.to_owned())
        };
        let from_history: Vec<&str> = latest
            .map(|h| {
                h.service_impact
                    .product_services
                    .iter()
                    .map(|s| s.trim())
                    .collect()
            })
            .unwrap_or_default();
        let ids: Vec<&str> = if !from_history.is_empty() {
            from_history
        } else {
            let all = incident.services.iter().filter_map(|s| non_empty(&s.id));
            match known.filter(|k| !k.is_empty()) {
                Some(known) => all.filter(|sid| known.contains_key(*sid)).collect(),
                None => all.collect(),
            }
        };
        let unique: BTreeSet<&str> = ids.into_iter().filter(|s| !s.is_empty()).collect();
        unique
            .into_iter()
            .map(|sid| (sid.to_owned(), name_of(sid)))
            .collect()
    }

    fn add_maintenance(&mut self, maintenance: &Maintenance, now: f64) {
        let Some(state) = maintenance_state(maintenance, now) else {
            return;
        };
        let maintenance_id = non_empty(&maintenance.id).map(str::to_owned);
        let start = maintenance.started_on.or(maintenance.scheduled_date);
        let end = maintenance.completed_on;
        let mut seen = BTreeSet::new();
        for product in &maintenance.products {
            let Some(product_id) = non_empty(&product.id) else {
                continue;
            };
            if !self.watch.includes(product_id) || !seen.insert(product_id) {
                continue;
            }
            let status = self.product(product_id, product.name.as_deref());
            match state {
                MaintenanceState::InProgress => status.maintenances_in_progress += 1,
                MaintenanceState::Scheduled => status.maintenances_scheduled += 1,
            }
            let Some(maintenance_id) = &maintenance_id else {
                continue;
            };
            let title = title_from_history(
                &product.history,
                &self.registry.maintenance_titles,
                Some((start, end)),
            );
            self.snapshot.maintenances.push(MaintenanceSeries {
                maintenance_id: maintenance_id.clone(),
                product_id: product_id.to_owned(),
                state,
                maintenance_type: maintenance_type_label(maintenance.maintenance_type.as_deref()),
                title,
                start,
                end,
            });
        }
    }
}

/// Is this (incident, product) pair still open? (docs/adobe-status-api.md §7.1)
fn incident_is_ongoing(
    product: &model::IncidentProduct,
    latest: Option<&HistoryEntry>,
    now: f64,
) -> bool {
    let ended = product.ended_on.is_some_and(|t| t <= now);
    let status = product
        .status
        .as_deref()
        .map(|s| s.trim().to_ascii_lowercase());
    match status.as_deref() {
        Some("opened") | Some("open") | Some("reopened") => !ended,
        Some("closed") | Some("dismissed") | Some("resolved") => false,
        known_unset => {
            if ended {
                return false;
            }
            let from_history = latest
                .and_then(|h| h.status.as_deref())
                .map(|s| s.trim().to_ascii_lowercase());
            match from_history.as_deref() {
                Some("opened") | Some("discovery") | Some("reopened") => true,
                Some("closed") | Some("dismissed") | Some("resolved") => false,
                // No conclusive history: a status value we do not know yet (and no end
                // time) is still reported, since hiding a real outage is the worse error;
                // a missing or `Empty` status with nothing else is not evidence of one.
                _ => !matches!(known_unset, None | Some("") | Some("empty")),
            }
        }
    }
}

/// Regions of one (incident, product): latest history first, then the event's list.
fn incident_regions(
    registry: &Registry,
    incident: &model::Incident,
    latest: Option<&HistoryEntry>,
) -> Vec<String> {
    let event_name = |id: &str| {
        incident
            .region
            .iter()
            .find(|r| non_empty(&r.id) == Some(id))
            .and_then(|r| non_empty(&r.name).map(str::to_owned))
    };
    let mut ids: Vec<&str> = latest
        .map(|h| {
            h.location_impact
                .service_regions
                .iter()
                .map(|s| s.trim())
                .collect()
        })
        .unwrap_or_default();
    ids.retain(|s| !s.is_empty());
    if ids.is_empty() {
        ids = incident
            .region
            .iter()
            .filter_map(|r| non_empty(&r.id))
            .collect();
    }
    let names: BTreeSet<String> = ids
        .into_iter()
        .map(|id| {
            registry
                .region_name(id)
                .map(str::to_owned)
                .or_else(|| event_name(id))
                .unwrap_or_else(|| id.to_owned())
        })
        .collect();
    if names.is_empty() {
        vec![ALL_REGIONS.to_owned()]
    } else {
        names.into_iter().collect()
    }
}

/// Merge `/events` maintenances with `/events/scheduled` by id. When both carry the same id
/// the one further along (finished > started > scheduled) wins: it is the newer news.
fn merge_maintenances<'a>(
    ongoing: &'a [Maintenance],
    scheduled: &'a [Maintenance],
) -> Vec<&'a Maintenance> {
    let mut by_id: BTreeMap<&str, &Maintenance> = BTreeMap::new();
    let mut without_id = Vec::new();
    for m in ongoing.iter().chain(scheduled) {
        match non_empty(&m.id) {
            Some(id) => {
                by_id
                    .entry(id)
                    .and_modify(|kept| {
                        if Phase::from_status(m.status.as_deref())
                            > Phase::from_status(kept.status.as_deref())
                        {
                            *kept = m;
                        }
                    })
                    .or_insert(m);
            }
            None => without_id.push(m),
        }
    }
    by_id.into_values().chain(without_id).collect()
}

/// Does an ongoing event name a title token the registry's messages lack? (Then the
/// messages are worth fetching again now rather than at the next registry refresh.)
pub fn has_unknown_title_tokens(
    registry: &Registry,
    events: &Events,
    scheduled: &[Maintenance],
    now: f64,
) -> bool {
    let unknown = |history: &[HistoryEntry], maintenance: bool| {
        model::latest(history)
            .and_then(|h| non_empty(&h.title_token))
            .is_some_and(|token| !registry.knows_title(token, maintenance))
    };
    let incidents = events.incidents.iter().flat_map(|i| &i.products).any(|p| {
        incident_is_ongoing(p, model::latest(&p.history), now) && unknown(&p.history, false)
    });
    let maintenances = events
        .maintenances
        .iter()
        .chain(scheduled)
        .filter(|m| maintenance_state(m, now).is_some())
        .flat_map(|m| &m.products)
        .any(|p| unknown(&p.history, true));
    incidents || maintenances
}

/// In progress, scheduled, or not exported (finished or unknown).
fn maintenance_state(m: &Maintenance, now: f64) -> Option<MaintenanceState> {
    let phase = match Phase::from_status(m.status.as_deref()) {
        Phase::Unknown => {
            // `Empty` or a new value: the latest history entry of any product, then the dates.
            let latest = m
                .products
                .iter()
                .filter_map(|p| model::latest(&p.history))
                .max_by(|a, b| {
                    a.message_time
                        .unwrap_or(0.0)
                        .total_cmp(&b.message_time.unwrap_or(0.0))
                });
            match Phase::from_status(latest.and_then(|h| h.status.as_deref())) {
                Phase::Unknown => phase_from_dates(m, now),
                phase => phase,
            }
        }
        phase => phase,
    };
    match phase {
        Phase::Started => Some(MaintenanceState::InProgress),
        Phase::Scheduled => Some(MaintenanceState::Scheduled),
        Phase::Finished | Phase::Unknown => None,
    }
}

fn phase_from_dates(m: &Maintenance, now: f64) -> Phase {
    if m.completed_on.is_some_and(|t| t <= now) {
        Phase::Finished
    } else if m.started_on.is_some_and(|t| t <= now) {
        Phase::Started
    } else if m.scheduled_date.is_some_and(|t| t > now) {
        Phase::Scheduled
    } else {
        Phase::Unknown
    }
}

/// The newest resolvable title of a history, cleaned for a label value: one line, bounded
/// length, maintenance window placeholders filled in. Empty when unknown.
fn title_from_history(
    history: &[HistoryEntry],
    titles: &HashMap<String, String>,
    window: Option<(Option<f64>, Option<f64>)>,
) -> String {
    let mut entries: Vec<(usize, &HistoryEntry)> = history.iter().enumerate().collect();
    entries.sort_by(|(ia, a), (ib, b)| {
        let ta = a.message_time.unwrap_or(f64::NEG_INFINITY);
        let tb = b.message_time.unwrap_or(f64::NEG_INFINITY);
        tb.total_cmp(&ta).then(ib.cmp(ia))
    });
    let text = entries.into_iter().find_map(|(_, h)| {
        let token = non_empty(&h.title_token)?;
        titles.get(token)
    });
    let Some(text) = text else {
        return String::new();
    };
    let mut text = text.clone();
    if let Some((start, end)) = window {
        let fmt = |t: Option<f64>| t.map(crate::timestamp::format_rfc3339).unwrap_or_default();
        text = text
            .replace("{startDateTime}", &fmt(start))
            .replace("{endDateTime}", &fmt(end));
    }
    clean_title(&text)
}

/// Collapse whitespace (newlines included) and cut to [`MAX_TITLE_CHARS`] characters.
pub fn clean_title(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_TITLE_CHARS * 4));
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    match out.char_indices().nth(MAX_TITLE_CHARS) {
        Some((cut, _)) => {
            out.truncate(cut);
            let trimmed = out.trim_end().len();
            out.truncate(trimmed);
            out.push('…');
            out
        }
        None => out,
    }
}

#[cfg(test)]
mod tests;
