//! The registry (clouds, products, regions, environments, locales, messages) as lookup tables
//! for the derivation.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::model::{Cloud, Locale, Messages, NamedRef, Product, Text};

/// Parsed taxonomy calls; `None` for a call not (or not yet successfully) fetched.
#[derive(Debug, Clone, Default)]
pub struct RegistryParts {
    pub clouds: Option<Vec<Cloud>>,
    pub products: Option<Vec<Product>>,
    pub regions: Option<Vec<NamedRef>>,
    pub locales: Option<Vec<Locale>>,
    /// `/messages/{locale}` of `--adobe.locale`.
    pub messages: Option<Vec<Messages>>,
    /// The language `messages` was asked in: its catalogue is preferred when a body holds
    /// several. `None`: English first, as Adobe's own pages do.
    pub messages_language: Option<String>,
    /// `/messages/{english}`, for the texts the chosen locale has no translation of; fetched
    /// only when the locale is not English.
    pub fallback_messages: Option<Vec<Messages>>,
}

/// Lookup tables derived from [`RegistryParts`], one table per part, each shared: a refresh
/// that replaces one part rebuilds only that part's table, and the parsed parts themselves need
/// not be kept (at 100× the catalogue they would be a second copy of the registry).
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub products: Arc<BTreeMap<Text, RegistryProduct>>,
    clouds: Arc<CloudIndex>,
    regions: Arc<HashMap<Text, Text>>,
    /// Environment id → name, from `/products` (names are not unique; ids are).
    environments: Arc<HashMap<Text, Text>>,
    locales: Arc<Vec<LocaleEntry>>,
    titles: Arc<Titles>,
    fallback_titles: Arc<Titles>,
}

/// One language Adobe serves messages in (`/locales`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocaleEntry {
    pub code: String,
    pub language: String,
}

#[derive(Debug, Clone, Default)]
pub struct RegistryProduct {
    pub name: Text,
    /// Service id and name, sorted by id; empty when the registry lists none for this product.
    /// Shared with every snapshot rather than copied into it.
    pub services: Arc<[(Text, Text)]>,
}

impl RegistryProduct {
    pub fn service_name(&self, id: &str) -> Option<&Text> {
        self.services
            .binary_search_by(|(sid, _)| sid.as_str().cmp(id))
            .ok()
            .map(|at| &self.services[at].1)
    }
}

/// From `/clouds`: cloud names, and the cloud each product belongs to.
#[derive(Debug, Default)]
struct CloudIndex {
    names: HashMap<Text, Text>,
    product_cloud: HashMap<Text, Text>,
}

/// From `/messages`: incident and maintenance titles by token.
#[derive(Debug, Default)]
pub(super) struct Titles {
    pub(super) incident: HashMap<Text, Text>,
    pub(super) maintenance: HashMap<Text, Text>,
}

impl Registry {
    pub fn build(parts: &RegistryParts) -> Registry {
        Registry::default().updated(parts)
    }

    /// This registry with every part present in `parts` rebuilt from it; the other parts are
    /// shared with `self`, unchanged.
    pub fn updated(&self, parts: &RegistryParts) -> Registry {
        let language = parts.messages_language.as_deref();
        Registry {
            products: rebuilt(&parts.products, &self.products, product_table),
            clouds: rebuilt(&parts.clouds, &self.clouds, cloud_index),
            regions: rebuilt(&parts.regions, &self.regions, region_table),
            environments: rebuilt(&parts.products, &self.environments, environment_table),
            locales: rebuilt(&parts.locales, &self.locales, locale_table),
            titles: rebuilt(&parts.messages, &self.titles, |m| titles(m, language)),
            fallback_titles: rebuilt(&parts.fallback_messages, &self.fallback_titles, |m| {
                titles(m, None)
            }),
        }
    }

    /// The text of a title token in the chosen locale, else in English.
    pub(super) fn title(&self, token: &str, maintenance: bool) -> Option<&Text> {
        fn pick<'t>(titles: &'t Titles, token: &str, maintenance: bool) -> Option<&'t Text> {
            if maintenance {
                titles.maintenance.get(token)
            } else {
                titles.incident.get(token)
            }
        }
        pick(&self.titles, token, maintenance)
            .or_else(|| pick(&self.fallback_titles, token, maintenance))
    }

    /// The languages Adobe listed in `/locales` (empty until it answered).
    pub fn locales(&self) -> &[LocaleEntry] {
        &self.locales
    }

    /// Region ids and names, sorted by id.
    pub fn regions(&self) -> Vec<(&str, &str)> {
        let mut all: Vec<(&str, &str)> = self
            .regions
            .iter()
            .map(|(id, name)| (id.as_str(), name.as_str()))
            .collect();
        all.sort_unstable();
        all
    }

    pub fn has_regions(&self) -> bool {
        !self.regions.is_empty()
    }

    /// Environment ids and names (unordered).
    pub fn environments(&self) -> impl Iterator<Item = (&str, &str)> {
        self.environments
            .iter()
            .map(|(id, name)| (id.as_str(), name.as_str()))
    }

    pub fn has_environments(&self) -> bool {
        !self.environments.is_empty()
    }

    pub(super) fn environment_name(&self, id: &str) -> Option<&str> {
        self.environments.get(id).map(Text::as_str)
    }

    pub(super) fn cloud_of(&self, product_id: &str) -> (Text, Text) {
        match self.clouds.product_cloud.get(product_id) {
            Some(cloud_id) => (
                cloud_id.clone(),
                self.clouds.names.get(cloud_id).cloned().unwrap_or_default(),
            ),
            None => (Text::default(), Text::default()),
        }
    }

    pub(super) fn knows_title(&self, token: &str, maintenance: bool) -> bool {
        self.title(token, maintenance).is_some()
    }

    pub(super) fn region_name(&self, id: &str) -> Option<&str> {
        self.regions.get(id).map(Text::as_str)
    }
}

/// The table built from `part` if it was fetched, else `current`, shared.
fn rebuilt<P, T>(part: &Option<Vec<P>>, current: &Arc<T>, build: impl FnOnce(&[P]) -> T) -> Arc<T> {
    part.as_deref()
        .map_or_else(|| Arc::clone(current), |part| Arc::new(build(part)))
}

fn cloud_index(clouds: &[Cloud]) -> CloudIndex {
    let mut index = CloudIndex::default();
    for cloud in clouds {
        let Some(cloud_id) = non_empty(&cloud.id) else {
            continue;
        };
        index
            .names
            .insert(cloud_id.into(), cloud.name.clone().unwrap_or_default());
        for product in &cloud.cloud_products {
            if let Some(product_id) = non_empty(&product.id) {
                index
                    .product_cloud
                    .entry(product_id.into())
                    .or_insert_with(|| cloud_id.into());
            }
        }
    }
    index
}

fn product_table(products: &[Product]) -> BTreeMap<Text, RegistryProduct> {
    let mut table = BTreeMap::new();
    for product in products {
        let Some(id) = non_empty(&product.id) else {
            continue;
        };
        // Through a map: sorted by id, the last of a repeated id kept.
        let services: BTreeMap<Text, Text> = product
            .product_services
            .iter()
            .filter_map(|s| {
                let sid = non_empty(&s.id)?;
                Some((sid.into(), s.name.clone().unwrap_or_else(|| sid.into())))
            })
            .collect();
        let services = services.into_iter().collect();
        let name = product.name.clone().unwrap_or_default();
        table.insert(id.into(), RegistryProduct { name, services });
    }
    table
}

fn region_table(regions: &[NamedRef]) -> HashMap<Text, Text> {
    regions
        .iter()
        .filter_map(|region| {
            let id = non_empty(&region.id)?;
            Some((id.into(), region.name.clone().unwrap_or_else(|| id.into())))
        })
        .collect()
}

fn environment_table(products: &[Product]) -> HashMap<Text, Text> {
    products
        .iter()
        .flat_map(|p| &p.environments)
        .filter_map(|env| {
            let id = non_empty(&env.id)?;
            let name = non_empty(&env.name).unwrap_or(id);
            Some((id.into(), name.into()))
        })
        .collect()
}

fn locale_table(locales: &[Locale]) -> Vec<LocaleEntry> {
    locales
        .iter()
        .filter_map(|l| {
            let code = non_empty(&l.locale_code)?;
            Some(LocaleEntry {
                code: code.to_owned(),
                language: non_empty(&l.language_name).unwrap_or(code).to_owned(),
            })
        })
        .collect()
}

/// The code Adobe lists for `wanted` (`--adobe.locale`): the same tag, or for a bare language
/// (`en`) the first listed code of that language (`en-US`), or for a tag with a region
/// (`en-US`) Adobe's bare code of its language (`en`). `None` when Adobe lists none of these.
pub fn resolve_locale<'a>(wanted: &str, known: &'a [LocaleEntry]) -> Option<&'a str> {
    let language = primary_language(wanted);
    let bare = !wanted.trim().contains(['-', '_']);
    known
        .iter()
        .find(|l| same_language_tag(&l.code, wanted))
        .or_else(|| {
            known.iter().find(|l| {
                let listed_bare = !l.code.contains(['-', '_']);
                primary_language(&l.code) == language && (bare || listed_bare)
            })
        })
        .map(|l| l.code.as_str())
}

/// Same language tag, ignoring case and `-`/`_`.
pub fn same_language_tag(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.trim().to_ascii_lowercase().replace('_', "-");
    norm(a) == norm(b)
}

/// The primary language subtag (`en` of `en-US`), lower case.
pub fn primary_language(tag: &str) -> String {
    tag.trim()
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The token's text from the first catalogue that has it: the catalogue in `language` first
/// (exact tag, then same primary language), then English, then the others in body order.
fn titles(messages: &[Messages], language: Option<&str>) -> Titles {
    let mut titles = Titles::default();
    let mut catalogues: Vec<&Messages> = messages.iter().collect();
    catalogues.sort_by_key(|m| {
        let lang = m.language_code.as_deref().unwrap_or("");
        match language {
            Some(wanted) if same_language_tag(lang, wanted) => 0,
            Some(wanted) if primary_language(lang) == primary_language(wanted) => 1,
            _ if primary_language(lang) == "en" => 2,
            _ => 3,
        }
    });
    for catalogue in catalogues {
        for (token, message) in &catalogue.incident_messages {
            if let Some(text) = &message.text_message {
                titles
                    .incident
                    .entry(token.as_str().into())
                    .or_insert_with(|| text.clone());
            }
        }
        for (token, message) in &catalogue.maintenance_messages {
            if let Some(text) = &message.text_message {
                titles
                    .maintenance
                    .entry(token.as_str().into())
                    .or_insert_with(|| text.clone());
            }
        }
    }
    titles
}

pub(super) fn non_empty(value: &Option<Text>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}
