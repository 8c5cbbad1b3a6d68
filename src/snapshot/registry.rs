//! The registry (clouds, products, regions, messages) as lookup tables for the derivation.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::model::{Cloud, Messages, NamedRef, Product};

/// Parsed taxonomy calls; `None` for a call not (or not yet successfully) fetched.
#[derive(Debug, Clone, Default)]
pub struct RegistryParts {
    pub clouds: Option<Vec<Cloud>>,
    pub products: Option<Vec<Product>>,
    pub regions: Option<Vec<NamedRef>>,
    pub messages: Option<Vec<Messages>>,
}

/// Lookup tables derived from [`RegistryParts`], one table per part, each shared: a refresh
/// that replaces one part rebuilds only that part's table, and the parsed parts themselves need
/// not be kept (at 100× the catalogue they would be a second copy of the registry).
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub products: Arc<BTreeMap<String, RegistryProduct>>,
    clouds: Arc<CloudIndex>,
    regions: Arc<HashMap<String, String>>,
    titles: Arc<Titles>,
}

#[derive(Debug, Clone, Default)]
pub struct RegistryProduct {
    pub name: String,
    /// Service id → name; empty when the registry lists none for this product.
    pub services: BTreeMap<String, String>,
}

/// From `/clouds`: cloud names, and the cloud each product belongs to.
#[derive(Debug, Default)]
struct CloudIndex {
    names: HashMap<String, String>,
    product_cloud: HashMap<String, String>,
}

/// From `/messages`: incident and maintenance titles by token.
#[derive(Debug, Default)]
pub(super) struct Titles {
    pub(super) incident: HashMap<String, String>,
    pub(super) maintenance: HashMap<String, String>,
}

impl Registry {
    pub fn build(parts: &RegistryParts) -> Registry {
        Registry::default().updated(parts)
    }

    /// This registry with every part present in `parts` rebuilt from it; the other parts are
    /// shared with `self`, unchanged.
    pub fn updated(&self, parts: &RegistryParts) -> Registry {
        Registry {
            products: rebuilt(&parts.products, &self.products, product_table),
            clouds: rebuilt(&parts.clouds, &self.clouds, cloud_index),
            regions: rebuilt(&parts.regions, &self.regions, region_table),
            titles: rebuilt(&parts.messages, &self.titles, titles),
        }
    }

    pub(super) fn titles(&self) -> &Titles {
        &self.titles
    }

    pub(super) fn cloud_of(&self, product_id: &str) -> (String, String) {
        match self.clouds.product_cloud.get(product_id) {
            Some(cloud_id) => (
                cloud_id.clone(),
                self.clouds.names.get(cloud_id).cloned().unwrap_or_default(),
            ),
            None => (String::new(), String::new()),
        }
    }

    pub(super) fn knows_title(&self, token: &str, maintenance: bool) -> bool {
        if maintenance {
            self.titles.maintenance.contains_key(token)
        } else {
            self.titles.incident.contains_key(token)
        }
    }

    pub(super) fn region_name(&self, id: &str) -> Option<&str> {
        self.regions.get(id).map(String::as_str)
    }
}

/// The table built from `part` if it was fetched, else `current`, shared.
fn rebuilt<P, T>(part: &Option<Vec<P>>, current: &Arc<T>, build: fn(&[P]) -> T) -> Arc<T> {
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
            .insert(cloud_id.to_owned(), cloud.name.clone().unwrap_or_default());
        for product in &cloud.cloud_products {
            if let Some(product_id) = non_empty(&product.id) {
                index
                    .product_cloud
                    .entry(product_id.to_owned())
                    .or_insert_with(|| cloud_id.to_owned());
            }
        }
    }
    index
}

fn product_table(products: &[Product]) -> BTreeMap<String, RegistryProduct> {
    let mut table = BTreeMap::new();
    for product in products {
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
        table.insert(id.to_owned(), RegistryProduct { name, services });
    }
    table
}

fn region_table(regions: &[NamedRef]) -> HashMap<String, String> {
    regions
        .iter()
        .filter_map(|region| {
            let id = non_empty(&region.id)?;
            Some((
                id.to_owned(),
                region.name.clone().unwrap_or_else(|| id.to_owned()),
            ))
        })
        .collect()
}

/// English first if present, otherwise the first catalogue that has the token.
fn titles(messages: &[Messages]) -> Titles {
    let mut titles = Titles::default();
    let mut catalogues: Vec<&Messages> = messages.iter().collect();
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
                titles
                    .incident
                    .entry(token.clone())
                    .or_insert_with(|| text.clone());
            }
        }
        for (token, message) in &catalogue.maintenance_messages {
            if let Some(text) = &message.text_message {
                titles
                    .maintenance
                    .entry(token.clone())
                    .or_insert_with(|| text.clone());
            }
        }
    }
    titles
}

pub(super) fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}
