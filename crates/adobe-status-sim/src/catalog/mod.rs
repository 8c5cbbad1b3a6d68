//! The simulated registry: Adobe's 5 clouds and 77 products with their real ids and names,
//! hundreds of services, offerings, the 3 regions and a few environments per product.
//!
//! The registry is generated from a fixed internal seed, not from [`super::SimulatorConfig::seed`],
//! so product and service ids stay the same whichever scenario seed a test uses. Cloud and product
//! ids and names are Adobe's, from a public capture of status.adobe.com's registry (sources in
//! `data.rs` and docs/adobe-status-api.md §9): 503461 Experience Cloud, 503460 Experience
//! Platform, 503467 Analytics, 503470 Experience Manager, 503473 Commerce, 503491 Marketo Engage.
//! The three products the Postman tests exempt (503496, 503507, 503509) lack services,
//! environments and regions.
//!
//! Layout: `data` holds the static tables (clouds, products, service names, environment
//! templates, regions), `generate` builds the base registry from them; this module has the
//! registry types, replicas and lookups.

mod data;
mod generate;

pub(crate) use data::REGIONS;

#[derive(Debug, Clone)]
pub(crate) struct Cloud {
    pub(crate) id: String,
    pub(crate) name: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Service {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) env_ids: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Offering {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) service_ids: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Environment {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) region_ids: Vec<String>,
}

/// One registry product. `None` collections are omitted from the JSON entirely (the real
/// API's registry gaps), which is different from an empty array.
#[derive(Debug, Clone)]
pub(crate) struct Product {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) cloud_id: String,
    pub(crate) services: Option<Vec<Service>>,
    pub(crate) offerings: Vec<Offering>,
    pub(crate) environments: Option<Vec<Environment>>,
    pub(crate) region_ids: Option<Vec<String>>,
}

impl Product {
    pub(crate) fn services(&self) -> &[Service] {
        self.services.as_deref().unwrap_or(&[])
    }

    pub(crate) fn environments(&self) -> &[Environment] {
        self.environments.as_deref().unwrap_or(&[])
    }
}

/// Id offset between catalog replicas (see [`Catalog::replica`]).
pub(crate) const REPLICA_ID_STRIDE: u64 = 10_000_000;

/// The whole registry; products are kept sorted by id.
#[derive(Debug, Clone)]
pub(crate) struct Catalog {
    pub(crate) clouds: Vec<Cloud>,
    pub(crate) products: Vec<Product>,
}

impl Catalog {
    /// One registry of several catalog replicas (see [`Catalog::replica`]); the clouds are
    /// shared, so they are taken from the first.
    pub(crate) fn merge(replicas: Vec<Catalog>) -> Self {
        let mut clouds = None;
        let mut products = Vec::new();
        for replica in replicas {
            clouds.get_or_insert(replica.clouds);
            products.extend(replica.products);
        }
        products.sort_by(|a, b| a.id.cmp(&b.id));
        Self {
            clouds: clouds.unwrap_or_default(),
            products,
        }
    }

    /// Replica `r` of this catalog, for load and footprint measurements at 10× or 100× the
    /// real size (`--demo.scale`); `r = 0` is a copy. Replica `r` shifts every numeric
    /// product, service, offering and environment id by `r × 10⁷` (so ids stay numeric and
    /// never collide) and names its products "<name> #<r+1>".
    pub(crate) fn replica(&self, r: u32) -> Self {
        if r == 0 {
            return self.clone();
        }
        let shift = |id: &str| match id.parse::<u64>() {
            Ok(n) => (n + u64::from(r) * REPLICA_ID_STRIDE).to_string(),
            Err(_) => format!("{id}-{r}"),
        };
        let shift_all = |ids: &[String]| ids.iter().map(|id| shift(id)).collect::<Vec<_>>();
        let products = self
            .products
            .iter()
            .map(|p| Product {
                id: shift(&p.id),
                name: format!("{} #{}", p.name, r + 1),
                cloud_id: p.cloud_id.clone(),
                services: p.services.as_ref().map(|services| {
                    services
                        .iter()
                        .map(|s| Service {
                            id: shift(&s.id),
                            name: s.name.clone(),
                            env_ids: shift_all(&s.env_ids),
                        })
                        .collect()
                }),
                offerings: p
                    .offerings
                    .iter()
                    .map(|o| Offering {
                        id: shift(&o.id),
                        name: o.name.clone(),
                        service_ids: shift_all(&o.service_ids),
                    })
                    .collect(),
                environments: p.environments.as_ref().map(|envs| {
                    envs.iter()
                        .map(|e| Environment {
                            id: shift(&e.id),
                            name: e.name.clone(),
                            region_ids: e.region_ids.clone(),
                        })
                        .collect()
                }),
                region_ids: p.region_ids.clone(),
            })
            .collect();
        Self {
            clouds: self.clouds.clone(),
            products,
        }
    }

    pub(crate) fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }

    pub(crate) fn cloud(&self, id: &str) -> Option<&Cloud> {
        self.clouds.iter().find(|c| c.id == id)
    }

    /// Products of one cloud, in id order (the registry's `cloudProducts`).
    pub(crate) fn products_of_cloud<'a>(
        &'a self,
        cloud_id: &'a str,
    ) -> impl Iterator<Item = &'a Product> + 'a {
        self.products.iter().filter(move |p| p.cloud_id == cloud_id)
    }

    /// A service by id, preferring the given products (ids are globally unique here, but an
    /// event names its products, so look there first).
    pub(crate) fn service(&self, product_ids: &[String], service_id: &str) -> Option<&Service> {
        let preferred = product_ids
            .iter()
            .filter_map(|pid| self.product(pid))
            .flat_map(|p| p.services().iter())
            .find(|s| s.id == service_id);
        preferred.or_else(|| {
            self.products
                .iter()
                .flat_map(|p| p.services().iter())
                .find(|s| s.id == service_id)
        })
    }

    pub(crate) fn environment(&self, env_id: &str) -> Option<&Environment> {
        self.products
            .iter()
            .flat_map(|p| p.environments().iter())
            .find(|e| e.id == env_id)
    }

    /// Adds or replaces a product (control API). Test products get one offering with all their
    /// services, no environments and presence in every region.
    pub(crate) fn upsert_product(
        &mut self,
        id: &str,
        name: &str,
        cloud_id: &str,
        services: Vec<(String, String)>,
    ) {
        let service_ids: Vec<String> = services.iter().map(|(sid, _)| sid.clone()).collect();
        let product = Product {
            id: id.to_owned(),
            name: name.to_owned(),
            cloud_id: cloud_id.to_owned(),
            services: Some(
                services
                    .into_iter()
                    .map(|(sid, sname)| Service {
                        id: sid,
                        name: sname,
                        env_ids: Vec::new(),
                    })
                    .collect(),
            ),
            offerings: vec![Offering {
                id: format!("{id}-offering"),
                name: name.to_owned(),
                service_ids,
            }],
            environments: Some(Vec::new()),
            region_ids: Some(REGIONS.iter().map(|(r, _)| (*r).to_owned()).collect()),
        };
        match self.products.iter_mut().find(|p| p.id == id) {
            Some(existing) => *existing = product,
            None => {
                self.products.push(product);
                self.products.sort_by(|a, b| a.id.cmp(&b.id));
            }
        }
    }
}

pub(crate) fn region_name(id: &str) -> Option<&'static str> {
    REGIONS.iter().find(|(rid, _)| *rid == id).map(|(_, n)| *n)
}

#[cfg(test)]
mod tests {
    use super::data::{BARE_PRODUCTS, CLOUD_CREATIVE, CLOUD_SERVICES};
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn registry_has_realistic_size_and_anchors() {
        let r = Catalog::base();
        assert_eq!(r.clouds.len(), 5);
        assert_eq!(r.products.len(), 77);
        // Adobe's real ids (public capture of the registry; see data.rs).
        for (cloud, name) in [
            ("503457", "Adobe Document Cloud"),
            ("503458", "Adobe Services"),
            ("503459", "Adobe Creative Cloud"),
            ("503460", "Adobe Experience Platform"),
            ("503461", "Adobe Experience Cloud"),
        ] {
            assert_eq!(r.cloud(cloud).map(|c| c.name.as_str()), Some(name));
        }
        for (product, name, cloud) in [
            ("503467", "Adobe Analytics", "503461"),
            ("503470", "Adobe Experience Manager", "503461"),
            ("503473", "Adobe Commerce", "503461"),
            ("503487", "Adobe Lightroom", "503459"),
            ("503491", "Adobe Marketo Engage", "503461"),
            ("503494", "Adobe Acrobat Sign", "503457"),
            ("503482", "Adobe Query Service", "503460"),
        ] {
            let p = r.product(product).expect("real product id present");
            assert_eq!((p.name.as_str(), p.cloud_id.as_str()), (name, cloud));
        }
        // Ids the public capture does not show are not invented.
        assert!(r.product("503472").is_none());
        for bare in BARE_PRODUCTS {
            let p = r.product(bare).expect("bare product exists");
            assert!(p.services.is_none() && p.environments.is_none() && p.region_ids.is_none());
        }
        let services: usize = r.products.iter().map(|p| p.services().len()).sum();
        assert!(services >= 200, "only {services} services");
        for p in r.products.iter().filter(|p| p.services.is_some()) {
            assert!((3..=8).contains(&p.services().len()), "{}", p.id);
            assert!(!p.environments().is_empty());
            assert!(r.cloud(&p.cloud_id).is_some());
        }
        // Ids are unique across the whole registry.
        let mut ids = HashSet::new();
        for p in &r.products {
            assert!(ids.insert(p.id.clone()));
            for s in p.services() {
                assert!(ids.insert(s.id.clone()));
            }
            for e in p.environments() {
                assert!(ids.insert(e.id.clone()));
            }
        }
    }

    #[test]
    fn registry_is_stable() {
        let a = Catalog::base();
        let b = Catalog::base();
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }

    #[test]
    fn upsert_replaces_and_inserts() {
        let mut r = Catalog::base();
        let before = r.products.len();
        r.upsert_product("503467", "Renamed \"x\"", CLOUD_SERVICES, vec![]);
        assert_eq!(r.products.len(), before);
        assert_eq!(
            r.product("503467").map(|p| p.cloud_id.as_str()),
            Some(CLOUD_SERVICES)
        );
        r.upsert_product(
            "999999",
            "New",
            CLOUD_CREATIVE,
            vec![("s1".into(), "Svc".into())],
        );
        assert_eq!(r.products.len(), before + 1);
        assert_eq!(r.products.last().map(|p| p.id.as_str()), Some("999999"));
    }
}
