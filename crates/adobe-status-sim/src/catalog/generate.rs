//! Generation of the base registry from the static tables, deterministic for a fixed seed.

use super::data::{
    service_pool, BARE_PRODUCTS, CLOUDS, ENVIRONMENTS, OFFERING_SUFFIXES, PRODUCTS, REGIONS,
};
use super::{Catalog, Cloud, Environment, Offering, Product, Service};
use crate::prng::SplitMix64;

/// The registry's own seed: independent of the scenario seed on purpose (see the `catalog`
/// module docs).
const CATALOG_SEED: u64 = 0x00AD_0BE5_0000_5747;

impl Catalog {
    /// Builds the base registry (deterministic, see the `catalog` module docs).
    pub(crate) fn base() -> Self {
        let mut rng = SplitMix64::new(CATALOG_SEED);
        let mut next_service = 510_001u32;
        let mut next_offering = 520_001u32;
        let mut next_env = 530_001u32;
        let mut products = Vec::with_capacity(PRODUCTS.len());
        for (id, name, cloud, explicit) in PRODUCTS {
            if BARE_PRODUCTS.contains(id) {
                products.push(Product {
                    id: (*id).to_owned(),
                    name: (*name).to_owned(),
                    cloud_id: (*cloud).to_owned(),
                    services: None,
                    offerings: Vec::new(),
                    environments: None,
                    region_ids: None,
                });
                continue;
            }
            let env_count = rng.range(2, 5) as usize;
            let environments: Vec<Environment> = rng
                .sample(ENVIRONMENTS, env_count)
                .into_iter()
                .map(|(env_name, regions)| {
                    let env = Environment {
                        id: next_env.to_string(),
                        name: env_name.to_owned(),
                        region_ids: regions.iter().map(|r| (*r).to_owned()).collect(),
                    };
                    next_env += 1;
                    env
                })
                .collect();
            let names: Vec<&str> = if explicit.is_empty() {
                let pool = service_pool(cloud);
                let n = rng.range(3, 8) as usize;
                rng.sample(pool, n)
            } else {
                explicit.to_vec()
            };
            let env_ids: Vec<String> = environments.iter().map(|e| e.id.clone()).collect();
            let services: Vec<Service> = names
                .into_iter()
                .map(|service_name| {
                    // Most services run everywhere the product runs; some skip one environment.
                    let keep = if env_ids.len() > 1 && rng.chance(30) {
                        env_ids.len() - 1
                    } else {
                        env_ids.len()
                    };
                    let service = Service {
                        id: next_service.to_string(),
                        name: service_name.to_owned(),
                        env_ids: rng.sample(&env_ids, keep),
                    };
                    next_service += 1;
                    service
                })
                .collect();
            let all_service_ids: Vec<String> = services.iter().map(|s| s.id.clone()).collect();
            let mut offerings = vec![Offering {
                id: next_offering.to_string(),
                name: (*name).to_owned(),
                service_ids: all_service_ids.clone(),
            }];
            next_offering += 1;
            if rng.chance(50) {
                let suffix = rng.pick(&OFFERING_SUFFIXES).copied().unwrap_or("Prime");
                let k = (all_service_ids.len() / 2).max(1);
                offerings.push(Offering {
                    id: next_offering.to_string(),
                    name: format!("{name} {suffix}"),
                    service_ids: rng.sample(&all_service_ids, k),
                });
                next_offering += 1;
            }
            let region_ids = regions_of(&environments);
            products.push(Product {
                id: (*id).to_owned(),
                name: (*name).to_owned(),
                cloud_id: (*cloud).to_owned(),
                services: Some(services),
                offerings,
                environments: Some(environments),
                region_ids: Some(region_ids),
            });
        }
        Self {
            clouds: CLOUDS
                .iter()
                .map(|(id, name)| Cloud {
                    id: (*id).to_owned(),
                    name: (*name).to_owned(),
                })
                .collect(),
            products,
        }
    }
}

/// Region ids covered by some environments, in the canonical region order.
fn regions_of(envs: &[Environment]) -> Vec<String> {
    REGIONS
        .iter()
        .filter(|(rid, _)| envs.iter().any(|e| e.region_ids.iter().any(|r| r == rid)))
        .map(|(rid, _)| (*rid).to_owned())
        .collect()
}
