//! The simulated registry: 5 clouds, 66 products in the real `5034xx` id range, hundreds of
//! services, offerings, the 3 regions and a few environments per product.
//!
//! The registry is generated from a fixed internal seed, not from [`super::SimulatorConfig::seed`],
//! so product and service ids stay the same whichever scenario seed a test uses. Names follow the
//! real Adobe products (docs/adobe-status-api.md); the anchors that document confirms (503461 Experience
//! Cloud, 503462 Analytics, 503472 Experience Manager, 503491 Marketo Engage) are kept, and the three
//! products the Postman tests exempt (503496, 503507, 503509) lack services, environments and regions.

use super::prng::SplitMix64;

/// The registry's own seed: independent of the scenario seed on purpose (see module docs).
const CATALOG_SEED: u64 = 0x00AD_0BE5_0000_5747;

/// Region ids and display names. The ids are what the Postman tests check; the names differ from
/// the ids so a client that maps id → name is actually exercised.
pub(crate) const REGIONS: [(&str, &str); 3] = [
    ("APAC", "Asia Pacific"),
    ("Americas", "Americas"),
    ("EMEA", "Europe, Middle East and Africa"),
];

pub(crate) const CLOUD_SERVICES: &str = "503457";
pub(crate) const CLOUD_CREATIVE: &str = "503458";
pub(crate) const CLOUD_DOCUMENT: &str = "503459";
pub(crate) const CLOUD_PLATFORM: &str = "503460";
pub(crate) const CLOUD_EXPERIENCE: &str = "503461";

const CLOUDS: [(&str, &str); 5] = [
    (CLOUD_SERVICES, "Adobe Services"),
    (CLOUD_CREATIVE, "Adobe Creative Cloud"),
    (CLOUD_DOCUMENT, "Adobe Document Cloud"),
    (CLOUD_PLATFORM, "Adobe Experience Platform"),
    (CLOUD_EXPERIENCE, "Adobe Experience Cloud"),
];

/// Products whose registry entry lacks `productServices`, `environments` and `regions`, as the
/// Postman collection's tests expect from the live API.
pub(crate) const BARE_PRODUCTS: [&str; 3] = ["503496", "503507", "503509"];

/// (id, name, cloud, explicit service names; empty = generated from the cloud's pool).
const PRODUCTS: &[(&str, &str, &str, &[&str])] = &[
    (
        "503462",
        "Adobe Analytics",
        CLOUD_EXPERIENCE,
        &[
            "Reporting",
            "Data Collection",
            "Analysis Workspace",
            "Data Feeds",
            "Data Warehouse",
            "Report Builder",
            "APIs",
            "Administration",
        ],
    ),
    (
        "503463",
        "Adobe Target",
        CLOUD_EXPERIENCE,
        &[
            "Activities",
            "Personalization",
            "Recommendations",
            "Reporting",
            "Delivery APIs",
            "Visual Experience Composer",
        ],
    ),
    ("503464", "Adobe Campaign", CLOUD_EXPERIENCE, &[]),
    ("503465", "Adobe Audience Manager", CLOUD_EXPERIENCE, &[]),
    ("503466", "Adobe Advertising", CLOUD_EXPERIENCE, &[]),
    (
        "503467",
        "Adobe Real-Time Customer Data Platform",
        CLOUD_PLATFORM,
        &[],
    ),
    ("503468", "Adobe Journey Optimizer", CLOUD_PLATFORM, &[]),
    ("503469", "Customer Journey Analytics", CLOUD_PLATFORM, &[]),
    (
        "503470",
        "Adobe Experience Platform Data Collection",
        CLOUD_PLATFORM,
        &[],
    ),
    ("503471", "Adobe Experience Platform", CLOUD_PLATFORM, &[]),
    (
        "503472",
        "Adobe Experience Manager",
        CLOUD_EXPERIENCE,
        &[
            "Author",
            "Publish",
            "Assets",
            "Sites",
            "Forms",
            "Dispatcher",
            "Cloud Manager",
        ],
    ),
    (
        "503473",
        "Adobe Experience Manager as a Cloud Service",
        CLOUD_EXPERIENCE,
        &[],
    ),
    ("503474", "Adobe Commerce", CLOUD_EXPERIENCE, &[]),
    (
        "503475",
        "Adobe Workfront",
        CLOUD_EXPERIENCE,
        &[
            "Projects",
            "Proofing",
            "Fusion",
            "Reporting",
            "Login",
            "Notifications",
        ],
    ),
    (
        "503476",
        "Adobe Experience Platform Query Service",
        CLOUD_PLATFORM,
        &[],
    ),
    ("503477", "Adobe Mix Modeler", CLOUD_PLATFORM, &[]),
    (
        "503478",
        "Adobe GenStudio for Performance Marketing",
        CLOUD_EXPERIENCE,
        &[],
    ),
    (
        "503479",
        "Adobe Photoshop",
        CLOUD_CREATIVE,
        &[
            "Desktop App",
            "Photoshop on the Web",
            "Generative Fill",
            "Cloud Documents",
            "Neural Filters",
        ],
    ),
    ("503480", "Adobe Illustrator", CLOUD_CREATIVE, &[]),
    ("503481", "Adobe Lightroom", CLOUD_CREATIVE, &[]),
    ("503482", "Adobe Express", CLOUD_CREATIVE, &[]),
    ("503483", "Adobe Fonts", CLOUD_CREATIVE, &[]),
    ("503484", "Adobe Stock", CLOUD_CREATIVE, &[]),
    ("503485", "Behance", CLOUD_CREATIVE, &[]),
    ("503486", "Creative Cloud Storage", CLOUD_CREATIVE, &[]),
    ("503487", "Creative Cloud Libraries", CLOUD_CREATIVE, &[]),
    ("503488", "Adobe Premiere Pro", CLOUD_CREATIVE, &[]),
    ("503489", "Adobe After Effects", CLOUD_CREATIVE, &[]),
    ("503490", "Adobe InDesign", CLOUD_CREATIVE, &[]),
    (
        "503491",
        "Adobe Marketo Engage",
        CLOUD_EXPERIENCE,
        &[
            "Email Delivery",
            "Landing Pages",
            "Smart Campaigns",
            "Lead Management",
            "REST API",
            "Munchkin Tracking",
            "Reporting & Analytics",
        ],
    ),
    ("503492", "Adobe Firefly", CLOUD_CREATIVE, &[]),
    ("503493", "Frame.io", CLOUD_CREATIVE, &[]),
    ("503494", "Adobe Acrobat", CLOUD_DOCUMENT, &[]),
    (
        "503495",
        "Adobe Acrobat Sign",
        CLOUD_DOCUMENT,
        &[
            "Send for Signature",
            "E-Signatures",
            "Web Forms",
            "Integrations",
            "REST API",
            "Reports",
        ],
    ),
    ("503496", "PDF Services API", CLOUD_DOCUMENT, &[]),
    ("503497", "Adobe Scan", CLOUD_DOCUMENT, &[]),
    ("503498", "Adobe Acrobat Reader", CLOUD_DOCUMENT, &[]),
    (
        "503499",
        "Adobe Connect",
        CLOUD_SERVICES,
        &[
            "Meetings",
            "Webinars",
            "Recordings",
            "Virtual Classrooms",
            "Administration",
        ],
    ),
    (
        "503500",
        "Admin Console",
        CLOUD_SERVICES,
        &[
            "User Management",
            "Product Profiles",
            "Directory Sync",
            "Reports",
        ],
    ),
    (
        "503501",
        "Sign In",
        CLOUD_SERVICES,
        &[
            "Login",
            "Single Sign-On",
            "Account Creation",
            "Password Reset",
        ],
    ),
    ("503502", "Experience League", CLOUD_SERVICES, &[]),
    ("503503", "Adobe Developer Console", CLOUD_SERVICES, &[]),
    ("503504", "Adobe Account", CLOUD_SERVICES, &[]),
    ("503505", "Creative Cloud Desktop App", CLOUD_CREATIVE, &[]),
    ("503506", "Adobe XD", CLOUD_CREATIVE, &[]),
    ("503507", "PDF Embed API", CLOUD_DOCUMENT, &[]),
    ("503508", "Adobe Learning Manager", CLOUD_EXPERIENCE, &[]),
    ("503509", "PDF Extract API", CLOUD_DOCUMENT, &[]),
    ("503510", "Adobe Dreamweaver", CLOUD_CREATIVE, &[]),
    ("503511", "Adobe Animate", CLOUD_CREATIVE, &[]),
    ("503512", "Adobe Audition", CLOUD_CREATIVE, &[]),
    ("503513", "Adobe Substance 3D", CLOUD_CREATIVE, &[]),
    ("503514", "Adobe Substance 3D Assets", CLOUD_CREATIVE, &[]),
    ("503515", "Adobe Portfolio", CLOUD_CREATIVE, &[]),
    ("503516", "Adobe Color", CLOUD_CREATIVE, &[]),
    (
        "503517",
        "Adobe Experience Manager Assets",
        CLOUD_EXPERIENCE,
        &[],
    ),
    (
        "503518",
        "Adobe Experience Manager Forms",
        CLOUD_EXPERIENCE,
        &[],
    ),
    (
        "503519",
        "Adobe Journey Optimizer B2B Edition",
        CLOUD_PLATFORM,
        &[],
    ),
    ("503520", "Real-Time CDP Collaboration", CLOUD_PLATFORM, &[]),
    (
        "503521",
        "Adobe Experience Platform Identity Service",
        CLOUD_PLATFORM,
        &[],
    ),
    ("503522", "Adobe Pass", CLOUD_EXPERIENCE, &[]),
    ("503523", "Adobe Dynamic Media", CLOUD_EXPERIENCE, &[]),
    ("503524", "Adobe Support Portal", CLOUD_SERVICES, &[]),
    ("503525", "Adobe I/O Events", CLOUD_SERVICES, &[]),
    ("503526", "Adobe App Builder", CLOUD_SERVICES, &[]),
    ("503527", "Adobe Status", CLOUD_SERVICES, &[]),
];

/// Plausible service names per cloud, for products without an explicit list.
fn service_pool(cloud: &str) -> &'static [&'static str] {
    match cloud {
        CLOUD_CREATIVE => &[
            "Login",
            "Cloud Sync",
            "Cloud Documents",
            "Libraries",
            "Generative AI Features",
            "Licensing",
            "Desktop App",
            "Mobile App",
            "Web App",
            "Sharing & Collaboration",
            "Publishing",
            "Search",
            "Notifications",
            "Downloads & Updates",
            "Plugins",
        ],
        CLOUD_DOCUMENT => &[
            "Document Cloud Web",
            "Document Storage",
            "PDF Conversion",
            "OCR",
            "APIs",
            "Mobile App",
            "Sharing & Review",
            "Integrations",
            "Notifications",
            "Reports",
        ],
        CLOUD_PLATFORM => &[
            "Data Ingestion",
            "Streaming Ingestion",
            "Batch Ingestion",
            "Identity Service",
            "Profile",
            "Segmentation",
            "Destinations",
            "Query Service",
            "Journeys",
            "Edge Network",
            "Sources",
            "Data Governance",
            "User Interface",
            "APIs",
        ],
        CLOUD_EXPERIENCE => &[
            "Reporting",
            "Data Collection",
            "APIs",
            "Authoring",
            "Publishing",
            "Segmentation",
            "Activation",
            "Email Delivery",
            "Administration",
            "Workflow",
            "Asset Processing",
            "Content Delivery",
            "Personalization",
            "Integrations",
            "Dashboards",
            "Import & Export",
        ],
        _ => &[
            "Login",
            "Web Site",
            "Search",
            "APIs",
            "Notifications",
            "Support Cases",
            "Billing",
            "Administration",
            "Events",
            "Runtime",
        ],
    }
}

/// Environment templates: (name, region ids). Real products have thousands of environments;
/// a handful per product is enough to exercise the `regionId` array and the event links.
const ENVIRONMENTS: &[(&str, &[&str])] = &[
    ("Production - Americas (OR1)", &["Americas"]),
    ("Production - Americas (VA7)", &["Americas"]),
    ("Production - EMEA (IRL1)", &["EMEA"]),
    ("Production - EMEA (AMS1)", &["EMEA"]),
    ("Production - APAC (SGP3)", &["APAC"]),
    ("Production - APAC (JPN2)", &["APAC"]),
    ("Production - AUS (SYD1)", &["APAC"]),
    ("Global Edge", &["APAC", "Americas", "EMEA"]),
    ("Stage - Americas", &["Americas"]),
];

const OFFERING_SUFFIXES: [&str; 4] = ["Prime", "Ultimate", "Select", "for Enterprise"];

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

/// Id offset between catalog replicas (see [`Registry::replica`]).
pub(crate) const REPLICA_ID_STRIDE: u64 = 10_000_000;

/// The whole registry; products are kept sorted by id.
#[derive(Debug, Clone)]
pub(crate) struct Registry {
    pub(crate) clouds: Vec<Cloud>,
    pub(crate) products: Vec<Product>,
}

impl Registry {
    /// Builds the base registry (deterministic, see module docs).
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

    /// One registry of several catalog replicas (see [`Registry::replica`]); the clouds are
    /// shared, so they are taken from the first.
    pub(crate) fn merge(replicas: Vec<Registry>) -> Self {
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

/// Region ids covered by some environments, in the canonical region order.
fn regions_of(envs: &[Environment]) -> Vec<String> {
    REGIONS
        .iter()
        .filter(|(rid, _)| envs.iter().any(|e| e.region_ids.iter().any(|r| r == rid)))
        .map(|(rid, _)| (*rid).to_owned())
        .collect()
}

pub(crate) fn region_name(id: &str) -> Option<&'static str> {
    REGIONS.iter().find(|(rid, _)| *rid == id).map(|(_, n)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn registry_has_realistic_size_and_anchors() {
        let r = Registry::base();
        assert_eq!(r.clouds.len(), 5);
        assert!(r.products.len() >= 60);
        assert_eq!(
            r.cloud("503461").map(|c| c.name.as_str()),
            Some("Adobe Experience Cloud")
        );
        assert_eq!(
            r.product("503462").map(|p| p.name.as_str()),
            Some("Adobe Analytics")
        );
        assert_eq!(
            r.product("503472").map(|p| p.name.as_str()),
            Some("Adobe Experience Manager")
        );
        assert_eq!(
            r.product("503491").map(|p| p.name.as_str()),
            Some("Adobe Marketo Engage")
        );
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
        let a = Registry::base();
        let b = Registry::base();
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }

    #[test]
    fn upsert_replaces_and_inserts() {
        let mut r = Registry::base();
        let before = r.products.len();
        r.upsert_product("503462", "Renamed \"x\"", CLOUD_SERVICES, vec![]);
        assert_eq!(r.products.len(), before);
        assert_eq!(
            r.product("503462").map(|p| p.cloud_id.as_str()),
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
