//! What the exporter watches: which products (`--adobe.product-id`), which of their incidents
//! and maintenances (`--adobe.region`, `--adobe.environment`) and over which past window
//! (`--status.history`).
//!
//! The region and environment rule is applied here, locally, rather than through Adobe's
//! `regionIds`/`environmentIds` filters: an event that names no region (or no environment)
//! concerns everyone, and a server-side filter may drop exactly those (README "Scope").

use std::collections::{BTreeSet, HashSet};

use super::registry::{non_empty, Registry};
use crate::model::{HistoryEntry, NamedRef, Text};

/// Adobe's `/events` covers the last 40 days: a longer history would only look complete.
pub const MAX_HISTORY_SECONDS: u64 = 40 * 86_400;
/// `--status.history`'s default.
pub const DEFAULT_HISTORY_SECONDS: u64 = 30 * 86_400;

/// Known names listed in a warning about an unknown environment, at most.
const LISTED_ENVIRONMENTS: usize = 20;

/// Which products, regions and environments to export, and the history window.
#[derive(Debug, Clone)]
pub struct Watch {
    products: Option<BTreeSet<String>>,
    regions: Vec<String>,
    environments: Vec<String>,
    /// Lower-cased `regions` and `environments`, for matching.
    region_keys: Vec<String>,
    environment_keys: Vec<String>,
    history_seconds: u64,
}

impl Default for Watch {
    fn default() -> Self {
        Watch::all()
    }
}

/// The regions or environments an event names: ids, with the event's own names where given.
#[derive(Debug, Default)]
pub(super) struct Places<'a> {
    pub(super) ids: Vec<&'a str>,
    names: Vec<(&'a str, &'a str)>,
}

impl<'a> Places<'a> {
    /// From the newest history entry that names any (`ids_of`), else from the event's list.
    pub(super) fn of(
        history: &'a [HistoryEntry],
        ids_of: impl Fn(&'a HistoryEntry) -> &'a [Text],
        event_list: &'a [NamedRef],
    ) -> Places<'a> {
        let names: Vec<(&str, &str)> = event_list
            .iter()
            .filter_map(|r| Some((non_empty(&r.id)?, non_empty(&r.name)?)))
            .collect();
        let from_history = newest_first(history).find_map(|h| {
            let ids: Vec<&str> = ids_of(h)
                .iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .collect();
            (!ids.is_empty()).then_some(ids)
        });
        let mut ids = from_history
            .unwrap_or_else(|| event_list.iter().filter_map(|r| non_empty(&r.id)).collect());
        let mut seen = HashSet::new();
        ids.retain(|id| seen.insert(*id));
        Places { ids, names }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The event's own name for `id`.
    pub(super) fn event_name(&self, id: &str) -> Option<&'a str> {
        self.names.iter().find(|(i, _)| *i == id).map(|(_, n)| *n)
    }

    /// Each place's name, sorted and once: the registry's (`registry_name`), else the event's,
    /// else its id.
    pub(super) fn names<'r>(&self, registry_name: impl Fn(&str) -> Option<&'r str>) -> Vec<String> {
        let names: BTreeSet<String> = self
            .ids
            .iter()
            .map(|id| {
                registry_name(id)
                    .or(self.event_name(id))
                    .unwrap_or(id)
                    .to_owned()
            })
            .collect();
        names.into_iter().collect()
    }
}

/// History entries, newest first (by `messageTime`, then later in the array first).
pub(super) fn newest_first(history: &[HistoryEntry]) -> impl Iterator<Item = &HistoryEntry> {
    let mut entries: Vec<(usize, &HistoryEntry)> = history.iter().enumerate().collect();
    entries.sort_by(|(ia, a), (ib, b)| {
        let ta = a.message_time.unwrap_or(f64::NEG_INFINITY);
        let tb = b.message_time.unwrap_or(f64::NEG_INFINITY);
        tb.total_cmp(&ta).then(ib.cmp(ia))
    });
    entries.into_iter().map(|(_, h)| h)
}

/// The regions an (incident, product) or maintenance names.
pub(super) fn regions_of<'a>(history: &'a [HistoryEntry], event: &'a [NamedRef]) -> Places<'a> {
    Places::of(history, |h| &h.location_impact.service_regions, event)
}

/// The environments an (incident, product) or maintenance names.
pub(super) fn environments_of<'a>(
    history: &'a [HistoryEntry],
    event: &'a [NamedRef],
) -> Places<'a> {
    Places::of(history, |h| &h.location_impact.service_environments, event)
}

fn lower(values: &[String]) -> Vec<String> {
    values.iter().map(|v| v.trim().to_lowercase()).collect()
}

impl Watch {
    /// Every product, every region and environment, the default history window.
    pub fn all() -> Watch {
        Watch {
            products: None,
            regions: Vec::new(),
            environments: Vec::new(),
            region_keys: Vec::new(),
            environment_keys: Vec::new(),
            history_seconds: DEFAULT_HISTORY_SECONDS,
        }
    }

    /// Only these products (all when `ids` is empty).
    pub fn only(ids: impl IntoIterator<Item = String>) -> Watch {
        let ids: BTreeSet<String> = ids.into_iter().collect();
        Watch {
            products: (!ids.is_empty()).then_some(ids),
            ..Watch::all()
        }
    }

    /// Only events that impact one of these regions (ids or names) or name none.
    pub fn regions(mut self, regions: Vec<String>) -> Watch {
        self.region_keys = lower(&regions);
        self.regions = regions;
        self
    }

    /// Only events that impact one of these environments (ids or names) or name none.
    pub fn environments(mut self, environments: Vec<String>) -> Watch {
        self.environment_keys = lower(&environments);
        self.environments = environments;
        self
    }

    /// The window of the recent-incident gauges and the status page's history, at most
    /// [`MAX_HISTORY_SECONDS`].
    pub fn history(mut self, seconds: u64) -> Watch {
        self.history_seconds = seconds.clamp(1, MAX_HISTORY_SECONDS);
        self
    }

    pub fn history_seconds(&self) -> u64 {
        self.history_seconds
    }

    pub fn includes(&self, product_id: &str) -> bool {
        self.products
            .as_ref()
            .is_none_or(|ids| ids.contains(product_id))
    }

    pub fn ids(&self) -> impl Iterator<Item = &String> {
        self.products.iter().flatten()
    }

    /// Is any region or environment scope set?
    pub fn is_scoped(&self) -> bool {
        !self.regions.is_empty() || !self.environments.is_empty()
    }

    /// The scope in words, for the status page (`EMEA; environment Prod EU`); empty when
    /// there is none.
    pub fn describe_scope(&self) -> String {
        let mut parts = Vec::new();
        if !self.regions.is_empty() {
            parts.push(format!("region {}", self.regions.join(", ")));
        }
        if !self.environments.is_empty() {
            parts.push(format!("environment {}", self.environments.join(", ")));
        }
        parts.join("; ")
    }

    /// Does an event that names these regions and environments concern this watch? It does
    /// when it impacts a watched region or names none, and likewise for environments.
    pub(super) fn admits(
        &self,
        registry: &Registry,
        regions: &Places,
        environments: &Places,
    ) -> bool {
        let region_name = |id: &str| registry.region_name(id).or(regions.event_name(id));
        let environment_name = |id: &str| {
            registry
                .environment_name(id)
                .or(environments.event_name(id))
        };
        passes(&self.region_keys, regions, region_name)
            && passes(&self.environment_keys, environments, environment_name)
    }

    /// One line per `--adobe.region`/`--adobe.environment` value the registry does not know,
    /// listing the known ones; nothing for a part the registry has not loaded yet.
    pub fn unknown_scope_names(&self, registry: &Registry) -> Vec<String> {
        let mut problems = self.unknown_region_names(registry);
        problems.extend(self.unknown_environment_names(registry));
        problems
    }

    /// [`Watch::unknown_scope_names`] for `--adobe.region` alone.
    pub fn unknown_region_names(&self, registry: &Registry) -> Vec<String> {
        let mut problems = Vec::new();
        if registry.has_regions() {
            let known = registry.regions();
            for (raw, key) in self.regions.iter().zip(&self.region_keys) {
                let matches = known
                    .iter()
                    .any(|(id, name)| id.to_lowercase() == *key || name.to_lowercase() == *key);
                if !matches {
                    let list: Vec<String> = known
                        .iter()
                        .map(|(id, name)| {
                            if id == name {
                                (*id).to_owned()
                            } else {
                                format!("{id} ({name})")
                            }
                        })
                        .collect();
                    problems.push(format!(
                        "--adobe.region {raw:?} is not a region Adobe lists (known: {})",
                        list.join(", ")
                    ));
                }
            }
        }
        problems
    }

    /// [`Watch::unknown_scope_names`] for `--adobe.environment` alone.
    pub fn unknown_environment_names(&self, registry: &Registry) -> Vec<String> {
        let mut problems = Vec::new();
        if registry.has_environments() {
            let unknown: Vec<(&String, &String)> = self
                .environments
                .iter()
                .zip(&self.environment_keys)
                .filter(|(_, key)| {
                    !registry.environments().any(|(id, name)| {
                        id.to_lowercase() == **key || name.to_lowercase() == **key
                    })
                })
                .collect();
            if !unknown.is_empty() {
                let names: BTreeSet<&str> = registry.environments().map(|(_, n)| n).collect();
                let mut list: Vec<&str> = names.iter().copied().take(LISTED_ENVIRONMENTS).collect();
                let more = names.len().saturating_sub(list.len());
                let more = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                list.dedup();
                for (raw, _) in unknown {
                    problems.push(format!(
                        "--adobe.environment {raw:?} is not an environment Adobe lists (known: {}{more})",
                        list.join(", ")
                    ));
                }
            }
        }
        problems
    }
}

/// An empty watch list or an event that names nothing passes; otherwise one of the event's
/// ids (or their names) must be watched.
fn passes<'a>(
    keys: &[String],
    places: &Places<'a>,
    name_of: impl Fn(&str) -> Option<&'a str>,
) -> bool {
    if keys.is_empty() || places.is_empty() {
        return true;
    }
    places.ids.iter().any(|id| {
        let id_key = id.to_lowercase();
        let name_key = name_of(id).map(str::to_lowercase);
        keys.iter()
            .any(|k| *k == id_key || name_key.as_deref() == Some(k.as_str()))
    })
}

/// The newest history entry that states `field`, for impacts: Adobe restates them only when
/// they change, and a root-cause statement may state none.
pub(super) fn newest_stated<'a>(
    history: &'a [HistoryEntry],
    field: impl Fn(&'a HistoryEntry) -> Option<&'a str>,
) -> Option<&'a str> {
    newest_first(history).find_map(|h| {
        field(h)
            .map(str::trim)
            .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("empty"))
    })
}

/// The root-cause statement's address, when Adobe published one: the newest `cfsURL` that is
/// an http(s) URL of sane length (anything else never reaches a link).
pub(super) fn root_cause_url(history: &[HistoryEntry]) -> String {
    newest_first(history)
        .find_map(|h| {
            let url = non_empty(&h.cfs_url)?;
            let lower = url.to_ascii_lowercase();
            let sane = (lower.starts_with("https://") || lower.starts_with("http://"))
                && url.len() <= 512
                && !url.chars().any(|c| c.is_whitespace() || c.is_control())
                && !url.contains(['"', '<', '>', '\\']);
            sane.then(|| url.to_owned())
        })
        .unwrap_or_default()
}
