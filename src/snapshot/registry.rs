//! The registry (clouds, products, regions, messages) as lookup tables for the derivation.

use std::collections::{BTreeMap, HashMap};

use crate::model::{Cloud, Messages, NamedRef, Product};

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
    pub(super) clouds: HashMap<String, String>,
    pub(super) product_cloud: HashMap<String, String>,
    pub(super) regions: HashMap<String, String>,
    pub(super) incident_titles: HashMap<String, String>,
    pub(super) maintenance_titles: HashMap<String, String>,
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

    pub(super) fn cloud_of(&self, product_id: &str) -> (String, String) {
        match self.product_cloud.get(product_id) {
            Some(cloud_id) => (
                cloud_id.clone(),
                self.clouds.get(cloud_id).cloned().unwrap_or_default(),
            ),
            None => (String::new(), String::new()),
        }
    }

    pub(super) fn knows_title(&self, token: &str, maintenance: bool) -> bool {
        if maintenance {
            self.maintenance_titles.contains_key(token)
        } else {
            self.incident_titles.contains_key(token)
        }
    }

    pub(super) fn region_name(&self, id: &str) -> Option<&str> {
        self.regions.get(id).map(String::as_str)
    }
}

pub(super) fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}
