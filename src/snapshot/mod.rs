//! Pure derivation: upstream registry + events → [`Snapshot`] (docs/adobe-status-api.md §7).
//!
//! No I/O and no clock here: `now` is passed in, so every rule (ongoing vs closed, severity
//! fallback to history, maintenance de-duplication, service and region attribution) is
//! unit-tested on plain data.

mod classify;
mod history;
mod registry;
mod scope;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::model::{self, Events, HistoryEntry, Maintenance, Text};

use classify::*;
pub use classify::{clean_title, CustomerImpact, MaintenanceState, OperationsImpact, Severity};
use history::Occurrence;
pub use history::{DayStrip, History, ResolvedIncident, MAX_RESOLVED, MAX_STRIPS};
use registry::non_empty;
pub use registry::{
    primary_language, resolve_locale, same_language_tag, LocaleEntry, Registry, RegistryParts,
    RegistryProduct,
};
use scope::{environments_of, regions_of, root_cause_url};
pub use scope::{Watch, DEFAULT_HISTORY_SECONDS, MAX_HISTORY_SECONDS};

/// Titles longer than this are cut (they end up in label values of pages).
pub const MAX_TITLE_CHARS: usize = 160;

/// Region label value when an event names no region: "not region-specific", not "none".
pub const ALL_REGIONS: &str = "all";

// === Snapshot ===

/// Everything one scrape exports about Adobe, keyed and sorted by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub products: BTreeMap<Text, ProductStatus>,
    /// One per ongoing (incident, product), sorted by incident id then product id.
    pub incidents: Vec<IncidentSeries>,
    /// One per in-progress or scheduled (maintenance, product).
    pub maintenances: Vec<MaintenanceSeries>,
    /// Ongoing incidents of watched products that the region/environment scope hides.
    pub out_of_scope_incidents: usize,
    /// The scope in words (empty without one), for the status page.
    pub scope: String,
    /// The past window, for the status page.
    pub history: History,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProductStatus {
    pub name: Text,
    pub cloud_id: Text,
    pub cloud_name: Text,
    /// Ongoing incidents per [`Severity`], indexed like [`Severity::ALL`].
    incidents: [u32; 6],
    pub maintenances_in_progress: u32,
    pub maintenances_scheduled: u32,
    pub services: Services,
    /// Incidents that started within the history window, per severity (indexed like
    /// [`Severity::ALL`]).
    recent_incidents: [u32; 6],
    /// Whole seconds of the window with at least one incident of that severity open.
    recent_impact_seconds: [f64; 6],
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

    pub fn recent_incidents(&self, severity: Severity) -> u32 {
        self.recent_incidents[severity.index()]
    }

    pub fn recent_impact_seconds(&self, severity: Severity) -> f64 {
        self.recent_impact_seconds[severity.index()]
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceStatus {
    pub name: Text,
    pub worst_severity: u8,
}

/// A product's services: those the registry lists, shared with it rather than copied (at 100×
/// the catalogue, 40,000 of them in every snapshot), and those ongoing incidents hit, with the
/// worst severity of those incidents.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Services {
    /// Id and name, sorted by id: the registry's list.
    listed: Arc<[(Text, Text)]>,
    /// By id: the services ongoing incidents hit, listed or not.
    hit: BTreeMap<Text, ServiceStatus>,
}

impl Services {
    /// The services hit by an incident of `severity`: worst severity so far, its name if new.
    fn hit(&mut self, id: Text, name: Text, severity: Severity) {
        let service = self.hit.entry(id).or_insert(ServiceStatus {
            name,
            worst_severity: 0,
        });
        service.worst_severity = service.worst_severity.max(severity.rank());
    }

    /// One service by id: its name and worst severity.
    pub fn get(&self, id: &str) -> Option<ServiceStatus> {
        self.iter()
            .find(|(sid, _, _)| *sid == id)
            .map(|(_, name, worst_severity)| ServiceStatus {
                name: name.into(),
                worst_severity,
            })
    }

    pub fn len(&self) -> usize {
        self.iter().count()
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty() && self.hit.is_empty()
    }

    /// Every service once, ordered by id, as (id, name, worst severity): the listed ones
    /// (healthy unless hit) and those only incidents name. A listed service keeps the
    /// registry's name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, u8)> + '_ {
        let mut listed = self.listed.iter().peekable();
        let mut hit = self.hit.iter().peekable();
        std::iter::from_fn(move || {
            let next_listed = listed.peek().map(|(id, _)| id);
            let next_hit = hit.peek().map(|(id, _)| *id);
            let take_listed = match (next_listed, next_hit) {
                (Some(a), Some(b)) => a <= b,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => return None,
            };
            if take_listed {
                let (id, name) = listed.next()?;
                let worst_severity = match hit.peek() {
                    Some((hit_id, status)) if *hit_id == id => {
                        let worst = status.worst_severity;
                        hit.next();
                        worst
                    }
                    _ => 0,
                };
                Some((id.as_str(), name.as_str(), worst_severity))
            } else {
                let (id, status) = hit.next()?;
                Some((id.as_str(), status.name.as_str(), status.worst_severity))
            }
        })
    }
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
    /// Names of the product's services it hits (ids when unnamed); empty when Adobe names none.
    pub services: Vec<String>,
    /// Environment names (ids when unnamed); empty when Adobe names none.
    pub environments: Vec<String>,
    pub customer_impact: CustomerImpact,
    pub operations_impact: OperationsImpact,
    /// The root-cause statement's address; empty until Adobe publishes one.
    pub root_cause_url: String,
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
        occurrences: Vec::new(),
        out_of_scope: BTreeSet::new(),
    };
    builder.seed_products();
    for incident in &events.incidents {
        builder.add_incident(incident, now);
    }
    for maintenance in merge_maintenances(&events.maintenances, scheduled) {
        builder.add_maintenance(maintenance, now);
    }
    let mut snapshot = builder.snapshot;
    snapshot.history = history::summarize(
        &builder.occurrences,
        &mut snapshot.products,
        watch.history_seconds(),
        now,
        |history| title_from_history(history, |t| registry.title(t, false), None),
    );
    snapshot.out_of_scope_incidents = builder.out_of_scope.len();
    snapshot.scope = watch.describe_scope();
    snapshot
        .incidents
        .sort_by(|a, b| (&a.incident_id, &a.product_id).cmp(&(&b.incident_id, &b.product_id)));
    snapshot.maintenances.sort_by(|a, b| {
        (&a.maintenance_id, &a.product_id).cmp(&(&b.maintenance_id, &b.product_id))
    });
    snapshot
}

struct Builder<'a, 'e> {
    registry: &'a Registry,
    watch: &'a Watch,
    snapshot: Snapshot,
    /// Every (incident, product) in scope with a start, open or closed, for the history.
    occurrences: Vec<Occurrence<'e>>,
    /// Ids of ongoing incidents of watched products that the scope hides.
    out_of_scope: BTreeSet<String>,
}

/// A product's status before any event: its name (the id when it has none) and its cloud.
fn new_product(registry: &Registry, id: &str, name: Option<&str>) -> ProductStatus {
    let (cloud_id, cloud_name) = registry.cloud_of(id);
    ProductStatus {
        name: name.unwrap_or(id).into(),
        cloud_id,
        cloud_name,
        ..ProductStatus::default()
    }
}

impl<'e> Builder<'_, 'e> {
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
                let status = ProductStatus {
                    services: Services {
                        listed: Arc::clone(&product.services),
                        hit: BTreeMap::new(),
                    },
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
            .entry(id.into())
            .and_modify(|p| {
                if p.name.is_empty() {
                    if let Some(name) = event_name.filter(|n| !n.trim().is_empty()) {
                        p.name = name.into();
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

    fn add_incident(&mut self, incident: &'e model::Incident, now: f64) {
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
            let ongoing = incident_is_ongoing(product, latest, now);
            let regions = regions_of(&product.history, &incident.region);
            let environments = environments_of(&product.history, &incident.environment);
            if !self.watch.admits(self.registry, &regions, &environments) {
                if let (true, Some(id)) = (ongoing, &incident_id) {
                    self.out_of_scope.insert(id.clone());
                }
                continue;
            }
            let severity = Severity::parse(product.severity.as_deref())
                .or_else(|| latest.and_then(|h| Severity::parse(h.severity.as_deref())))
                .unwrap_or(Severity::Unknown);
            let registry = self.registry;
            let started = product.started_on.or_else(|| {
                product
                    .history
                    .iter()
                    .filter_map(|h| h.message_time)
                    .reduce(f64::min)
            });
            let (customer_impact, operations_impact) = impacts(&product.history);
            if let (Some(incident_id), Some(start)) = (non_empty(&incident.id), started) {
                let end = if ongoing {
                    None
                } else {
                    Some(
                        incident_end(product)
                            .unwrap_or(start)
                            .clamp(start, now.max(start)),
                    )
                };
                // Titles and root-cause addresses are looked up later, only for the few
                // incidents the status page lists.
                self.occurrences.push(Occurrence {
                    incident_id,
                    product_id,
                    severity,
                    start,
                    end,
                    history: &product.history,
                    customer_impact,
                    operations_impact,
                });
            }
            if !ongoing {
                continue;
            }

            let services = self.incident_services(incident, product_id, latest);
            let service_names = services.iter().map(|(_, name)| name.to_string()).collect();
            let status = self.product(product_id, None);
            status.incidents[severity.index()] += 1;
            for (sid, name) in services {
                status.services.hit(sid, name, severity);
            }

            let Some(incident_id) = &incident_id else {
                continue;
            };
            self.snapshot.incidents.push(IncidentSeries {
                incident_id: incident_id.clone(),
                product_id: product_id.to_owned(),
                severity,
                title: title_from_history(&product.history, |t| registry.title(t, false), None),
                started,
                regions: region_names(registry, &regions),
                services: service_names,
                environments: environment_names(registry, &environments),
                customer_impact,
                operations_impact,
                root_cause_url: root_cause_url(&product.history),
            });
        }
    }

    /// Services of `product_id` hit by this incident, with names (docs/adobe-status-api.md §7.3).
    fn incident_services(
        &self,
        incident: &model::Incident,
        product_id: &str,
        latest: Option<&HistoryEntry>,
    ) -> Vec<(Text, Text)> {
        let known = self.registry.products.get(product_id);
        let event_name = |sid: &str| {
            incident
                .services
                .iter()
                .find(|s| non_empty(&s.id) == Some(sid))
                .and_then(|s| s.name.clone())
        };
        let name_of = |sid: &str| {
            known
                .and_then(|k| k.service_name(sid).cloned())
                .or_else(|| event_name(sid))
                .unwrap_or_else(|| sid.into())
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
            match known.filter(|k| !k.services.is_empty()) {
                Some(known) => all
                    .filter(|sid| known.service_name(sid).is_some())
                    .collect(),
                None => all.collect(),
            }
        };
        let unique: BTreeSet<&str> = ids.into_iter().filter(|s| !s.is_empty()).collect();
        unique
            .into_iter()
            .map(|sid| (sid.into(), name_of(sid)))
            .collect()
    }

    fn add_maintenance(&mut self, maintenance: &Maintenance, now: f64) {
        let Some(state) = maintenance_state(maintenance, now) else {
            return;
        };
        // A maintenance names its regions and environments for the whole event.
        let regions = regions_of(&[], &maintenance.region);
        let environments = environments_of(&[], &maintenance.environment);
        if !self.watch.admits(self.registry, &regions, &environments) {
            return;
        }
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
                |t| self.registry.title(t, true),
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

#[cfg(test)]
mod tests;
