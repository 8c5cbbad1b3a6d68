//! Rendering of the simulator's model into the Status API's JSON wire format.
//!
//! Field names, nesting and types follow docs/adobe-status-api.md (§4–§6) exactly: camelCase names, string
//! timestamps except the integer `messageTime` of maintenance history, `cloudProducts` as
//! objects in the registry but as id strings in events, the singular-named arrays
//! (`offering`, `region`, `environment`), `regionId` (an array) in the registry versus
//! `serviceRegions` in events, and `cfsURL`. Products without services omit the keys entirely.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::catalog::{region_name, Registry, REGIONS};
use super::control::View;
use super::messages::{
    html, known_locale, localized, Row, INCIDENT_BODIES, INCIDENT_TITLES, LOCALES,
    MAINTENANCE_BODIES, MAINTENANCE_TITLES,
};
use super::model::{format_time, Extra, Incident, Maintenance, TimeForm};

fn extra_map(extra: &Extra) -> Map<String, Value> {
    extra.iter().cloned().collect()
}

// ------------------------------------------------------------------ registry DTOs

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CloudDto<'a> {
    id: &'a str,
    name: &'a str,
    cloud_products: Vec<IdName<'a>>,
}

#[derive(Serialize)]
struct IdName<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProductDto<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    product_services: Option<Vec<ServiceDto<'a>>>,
    product_offerings: Vec<OfferingDto<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    regions: Option<Vec<IdName<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environments: Option<Vec<EnvironmentDto<'a>>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServiceDto<'a> {
    id: &'a str,
    name: &'a str,
    service_environments: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OfferingDto<'a> {
    id: &'a str,
    name: &'a str,
    product_services: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EnvironmentDto<'a> {
    id: &'a str,
    name: &'a str,
    region_id: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LocaleDto {
    locale_code: &'static str,
    language_name: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MessagesDto {
    language_code: &'static str,
    incident_messages: BTreeMap<String, MessageDto>,
    maintenance_messages: BTreeMap<String, MessageDto>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MessageDto {
    token: String,
    text_message: String,
    html_message: String,
}

// ------------------------------------------------------------------ event DTOs

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventCloud<'a> {
    id: &'a str,
    name: &'a str,
    cloud_products: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventService<'a> {
    id: &'a str,
    name: String,
    service_environments: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventOffering<'a> {
    id: &'a str,
    name: &'a str,
    product_services: Vec<&'a str>,
}

#[derive(Serialize)]
struct EventRegion<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventEnvironment<'a> {
    id: &'a str,
    name: &'a str,
    service_regions: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IncidentDto<'a> {
    id: &'a str,
    clouds: Vec<EventCloud<'a>>,
    products: Vec<IncidentProductDto<'a>>,
    services: Vec<EventService<'a>>,
    offering: Vec<EventOffering<'a>>,
    region: Vec<EventRegion<'a>>,
    environment: Vec<EventEnvironment<'a>>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IncidentProductDto<'a> {
    id: &'a str,
    name: &'a str,
    severity: &'a str,
    status: &'a str,
    started_on: String,
    ended_on: String,
    history: Vec<IncidentHistoryDto<'a>>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ImpactedServices<'a> {
    product_services: &'a [String],
    product_offerings: &'a [String],
    product_capabilities: [&'a str; 0],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LocationImpact<'a> {
    service_regions: &'a [String],
    service_environments: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IncidentHistoryDto<'a> {
    id: &'a str,
    status: &'a str,
    severity: &'a str,
    customer_impact: &'a str,
    operations_impact: &'a str,
    message_type: &'a str,
    message_time: String,
    message_token: &'a str,
    title_token: &'a str,
    show_environment: bool,
    service_impact: ImpactedServices<'a>,
    location_impact: LocationImpact<'a>,
    cfs_id: &'a str,
    cfs_source: &'a str,
    #[serde(rename = "cfsURL")]
    cfs_url: String,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MaintenanceDto<'a> {
    id: &'a str,
    status: &'a str,
    maintenance_type: &'a str,
    scheduled_date: String,
    started_on: String,
    completed_on: String,
    reminder_date: Vec<String>,
    clouds: Vec<EventCloud<'a>>,
    products: Vec<MaintenanceProductDto<'a>>,
    services: Vec<EventService<'a>>,
    offering: Vec<EventOffering<'a>>,
    region: Vec<EventRegion<'a>>,
    environment: Vec<EventEnvironment<'a>>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Serialize)]
struct MaintenanceProductDto<'a> {
    id: &'a str,
    name: &'a str,
    history: Vec<MaintenanceHistoryDto<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MaintenanceHistoryDto<'a> {
    id: String,
    status: &'a str,
    customer_impact: &'a str,
    operations_impact: &'a str,
    message_type: &'a str,
    /// Integer epoch seconds: unlike incident history, this one is an int64 on the wire.
    message_time: i64,
    message_token: &'a str,
    title_token: &'a str,
    show_environment: bool,
    service_impact: ImpactedServices<'a>,
    location_impact: LocationImpact<'a>,
}

#[derive(Serialize)]
struct EventsDto<'a> {
    incidents: Vec<IncidentDto<'a>>,
    maintenances: Vec<MaintenanceDto<'a>>,
}

// ------------------------------------------------------------------ filters

/// Query filters of the registry endpoints (singular names: `cloudId`, `productId`).
#[derive(Debug, Default, Clone)]
pub(crate) struct RegistryFilter {
    pub(crate) cloud_ids: Vec<String>,
    pub(crate) product_ids: Vec<String>,
    pub(crate) name: Option<String>,
}

/// Query filters of the event endpoints (plural names: `productIds`, `cloudIds`, `regionIds`).
#[derive(Debug, Default, Clone)]
pub(crate) struct EventFilter {
    pub(crate) product_ids: Vec<String>,
    pub(crate) cloud_ids: Vec<String>,
    pub(crate) region_ids: Vec<String>,
}

impl EventFilter {
    fn matches(&self, registry: &Registry, product_ids: &[&str], region_ids: &[String]) -> bool {
        let product_ok = self.product_ids.is_empty()
            || product_ids
                .iter()
                .any(|p| self.product_ids.iter().any(|f| f == p));
        let cloud_ok = self.cloud_ids.is_empty()
            || product_ids.iter().any(|p| {
                registry
                    .product(p)
                    .is_some_and(|prod| self.cloud_ids.contains(&prod.cloud_id))
            });
        // An event naming no region concerns every region.
        let region_ok = self.region_ids.is_empty()
            || region_ids.is_empty()
            || region_ids.iter().any(|r| self.region_ids.contains(r));
        product_ok && cloud_ok && region_ok
    }
}

fn name_matches(name: &str, filter: &Option<String>) -> bool {
    filter
        .as_ref()
        .is_none_or(|f| name.to_lowercase().contains(&f.to_lowercase()))
}

// ------------------------------------------------------------------ registry rendering

pub(crate) fn clouds(registry: &Registry, filter: &RegistryFilter) -> serde_json::Result<Vec<u8>> {
    let dtos: Vec<CloudDto> = registry
        .clouds
        .iter()
        .filter(|c| filter.cloud_ids.is_empty() || filter.cloud_ids.contains(&c.id))
        .filter(|c| name_matches(&c.name, &filter.name))
        .map(|c| CloudDto {
            id: &c.id,
            name: &c.name,
            cloud_products: registry
                .products_of_cloud(&c.id)
                .map(|p| IdName {
                    id: &p.id,
                    name: &p.name,
                })
                .collect(),
        })
        .collect();
    serde_json::to_vec(&dtos)
}

pub(crate) fn products(
    registry: &Registry,
    filter: &RegistryFilter,
) -> serde_json::Result<Vec<u8>> {
    let dtos: Vec<ProductDto> = registry
        .products
        .iter()
        .filter(|p| filter.product_ids.is_empty() || filter.product_ids.contains(&p.id))
        .filter(|p| filter.cloud_ids.is_empty() || filter.cloud_ids.contains(&p.cloud_id))
        .filter(|p| name_matches(&p.name, &filter.name))
        .map(|p| ProductDto {
            id: &p.id,
            name: &p.name,
            product_services: p.services.as_ref().map(|services| {
                services
                    .iter()
                    .map(|s| ServiceDto {
                        id: &s.id,
                        name: &s.name,
                        service_environments: &s.env_ids,
                    })
                    .collect()
            }),
            product_offerings: p
                .offerings
                .iter()
                .map(|o| OfferingDto {
                    id: &o.id,
                    name: &o.name,
                    product_services: &o.service_ids,
                })
                .collect(),
            regions: p.region_ids.as_ref().map(|ids| {
                ids.iter()
                    .map(|id| IdName {
                        id,
                        name: region_name(id).unwrap_or(id),
                    })
                    .collect()
            }),
            environments: p.environments.as_ref().map(|envs| {
                envs.iter()
                    .map(|e| EnvironmentDto {
                        id: &e.id,
                        name: &e.name,
                        region_id: &e.region_ids,
                    })
                    .collect()
            }),
        })
        .collect();
    serde_json::to_vec(&dtos)
}

pub(crate) fn regions() -> serde_json::Result<Vec<u8>> {
    let dtos: Vec<IdName> = REGIONS
        .iter()
        .map(|(id, name)| IdName { id, name })
        .collect();
    serde_json::to_vec(&dtos)
}

/// Exactly keys "1", "2", "4" in that order, as the Postman tests check.
pub(crate) fn event_types() -> Vec<u8> {
    br#"{"1":"MAJOR","2":"MINOR","4":"MAINTENANCE"}"#.to_vec()
}

pub(crate) fn locales() -> serde_json::Result<Vec<u8>> {
    let dtos: Vec<LocaleDto> = LOCALES
        .iter()
        .map(|(locale_code, language_name)| LocaleDto {
            locale_code,
            language_name,
        })
        .collect();
    serde_json::to_vec(&dtos)
}

/// `/messages` (every locale) or `/messages/{locale}`; `None` for an unknown locale.
pub(crate) fn messages(
    view: &View,
    locale: Option<&str>,
    token: Option<&str>,
) -> Option<serde_json::Result<Vec<u8>>> {
    let locales: Vec<&'static str> = match locale {
        Some(l) => vec![known_locale(l)?],
        None => LOCALES.iter().map(|(c, _)| *c).collect(),
    };
    let keep = |t: &str| token.is_none_or(|want| want == t);
    let build = |rows: &[&[Row]], dynamic: &BTreeMap<String, String>, loc: &str| {
        let mut map = BTreeMap::new();
        for row in rows.iter().flat_map(|r| r.iter()) {
            if keep(row.0) {
                map.insert(row.0.to_owned(), message(row.0, localized(row, loc)));
            }
        }
        // Titles given through the control API exist in one language only.
        for (tok, text) in dynamic {
            if keep(tok) {
                map.insert(tok.clone(), message(tok, text));
            }
        }
        map
    };
    let dtos: Vec<MessagesDto> = locales
        .into_iter()
        .map(|loc| MessagesDto {
            language_code: loc,
            incident_messages: build(
                &[INCIDENT_TITLES, INCIDENT_BODIES],
                &view.incident_titles,
                loc,
            ),
            maintenance_messages: build(
                &[MAINTENANCE_TITLES, MAINTENANCE_BODIES],
                &view.maintenance_titles,
                loc,
            ),
        })
        .collect();
    Some(serde_json::to_vec(&dtos))
}

fn message(token: &str, text: &str) -> MessageDto {
    MessageDto {
        token: token.to_owned(),
        text_message: text.to_owned(),
        html_message: html(text),
    }
}

// ------------------------------------------------------------------ event rendering

/// Which events a response lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Feed {
    /// `/events`: `{incidents, maintenances}` with ongoing and finished maintenances.
    All,
    /// `/events/incidents`.
    Incidents,
    /// `/events/maintenance`: started maintenances.
    Maintenance,
    /// `/events/scheduled`: upcoming ones, plus started ones the backend still lists.
    Scheduled,
}

pub(crate) fn events(
    registry: &Registry,
    incidents: &[Incident],
    maintenances: &[Maintenance],
    feed: Feed,
    filter: &EventFilter,
) -> serde_json::Result<Vec<u8>> {
    let incident_dtos = || -> Vec<IncidentDto> {
        incidents
            .iter()
            .filter(|i| {
                let pids: Vec<&str> = i.products.iter().map(|p| p.product_id.as_str()).collect();
                filter.matches(registry, &pids, &i.region_ids)
            })
            .map(|i| incident_dto(registry, i))
            .collect()
    };
    let maintenance_dtos = |keep: &dyn Fn(&Maintenance) -> bool| -> Vec<MaintenanceDto> {
        maintenances
            .iter()
            .filter(|m| keep(m))
            .filter(|m| {
                let pids: Vec<&str> = m.product_ids.iter().map(String::as_str).collect();
                filter.matches(registry, &pids, &m.region_ids)
            })
            .map(|m| maintenance_dto(registry, m))
            .collect()
    };
    match feed {
        Feed::All => serde_json::to_vec(&EventsDto {
            incidents: incident_dtos(),
            maintenances: maintenance_dtos(&Maintenance::in_events_feed),
        }),
        Feed::Incidents => serde_json::to_vec(&incident_dtos()),
        Feed::Maintenance => serde_json::to_vec(&maintenance_dtos(&Maintenance::is_started)),
        Feed::Scheduled => serde_json::to_vec(&maintenance_dtos(&Maintenance::in_scheduled_feed)),
    }
}

/// Display name of a product in an event: the registry's, else a stand-in (events may name
/// products the registry does not know).
fn product_name<'a>(registry: &'a Registry, id: &str) -> &'a str {
    registry
        .product(id)
        .map_or("Unknown product", |p| p.name.as_str())
}

/// The event-level `clouds`, `services`, `offering`, `region` and `environment` arrays.
#[allow(clippy::type_complexity)]
fn event_lists<'a>(
    registry: &'a Registry,
    product_ids: &[&'a str],
    service_ids: &'a [String],
    region_ids: &'a [String],
    env_ids: &'a [String],
) -> (
    Vec<EventCloud<'a>>,
    Vec<EventService<'a>>,
    Vec<EventOffering<'a>>,
    Vec<EventRegion<'a>>,
    Vec<EventEnvironment<'a>>,
) {
    let mut clouds: Vec<EventCloud> = Vec::new();
    for pid in product_ids {
        let Some(cloud) = registry
            .product(pid)
            .and_then(|p| registry.cloud(&p.cloud_id))
        else {
            continue;
        };
        match clouds.iter_mut().find(|c| c.id == cloud.id) {
            Some(c) => c.cloud_products.push(pid),
            None => clouds.push(EventCloud {
                id: &cloud.id,
                name: &cloud.name,
                cloud_products: vec![pid],
            }),
        }
    }
    let owned_pids: Vec<String> = product_ids.iter().map(|p| (*p).to_owned()).collect();
    let services = service_ids
        .iter()
        .map(|sid| {
            let known = registry.service(&owned_pids, sid);
            EventService {
                id: sid,
                name: known.map_or_else(|| format!("Service {sid}"), |s| s.name.clone()),
                service_environments: known
                    .map(|s| {
                        s.env_ids
                            .iter()
                            .filter(|e| env_ids.contains(e))
                            .map(String::as_str)
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    let offering = product_ids
        .iter()
        .filter_map(|pid| registry.product(pid))
        .flat_map(|p| p.offerings.iter())
        .filter_map(|o| {
            let hit: Vec<&str> = o
                .service_ids
                .iter()
                .filter(|s| service_ids.contains(s))
                .map(String::as_str)
                .collect();
            (!hit.is_empty()).then_some(EventOffering {
                id: &o.id,
                name: &o.name,
                product_services: hit,
            })
        })
        .collect();
    let region = region_ids
        .iter()
        .map(|id| EventRegion {
            id,
            name: region_name(id).unwrap_or(id),
        })
        .collect();
    let environment = env_ids
        .iter()
        .filter_map(|id| registry.environment(id))
        .map(|e| EventEnvironment {
            id: &e.id,
            name: &e.name,
            service_regions: &e.region_ids,
        })
        .collect();
    (clouds, services, offering, region, environment)
}

fn incident_dto<'a>(registry: &'a Registry, incident: &'a Incident) -> IncidentDto<'a> {
    let pids: Vec<&str> = incident
        .products
        .iter()
        .map(|p| p.product_id.as_str())
        .collect();
    let (clouds, services, offering, region, environment) = event_lists(
        registry,
        &pids,
        &incident.service_ids,
        &incident.region_ids,
        &incident.env_ids,
    );
    let products = incident
        .products
        .iter()
        .map(|p| IncidentProductDto {
            id: &p.product_id,
            name: product_name(registry, &p.product_id),
            severity: &p.severity,
            status: &p.status,
            started_on: format_time(p.started_ms, incident.started_form),
            // "" while ongoing: what the exporter must treat as "not set".
            ended_on: p
                .ended_ms
                .map(|t| format_time(t, incident.started_form))
                .unwrap_or_default(),
            history: p
                .history
                .iter()
                .map(|h| IncidentHistoryDto {
                    id: &h.id,
                    status: &h.status,
                    severity: &h.severity,
                    customer_impact: &h.customer_impact,
                    operations_impact: &h.operations_impact,
                    message_type: &h.message_type,
                    message_time: format_time(h.time_ms, incident.message_time_form),
                    message_token: &h.message_token,
                    title_token: &h.title_token,
                    show_environment: h.show_environment,
                    service_impact: ImpactedServices {
                        product_services: &h.service_ids,
                        product_offerings: &h.offering_ids,
                        product_capabilities: [],
                    },
                    location_impact: LocationImpact {
                        service_regions: &h.region_ids,
                        service_environments: &h.env_ids,
                    },
                    cfs_id: h.cfs_id.as_deref().unwrap_or(""),
                    cfs_source: if h.cfs_id.is_some() { "ServiceNow" } else { "" },
                    cfs_url: h
                        .cfs_id
                        .as_ref()
                        .map(|id| format!("https://status.adobe.com/cfs/{id}"))
                        .unwrap_or_default(),
                    extra: extra_map(&h.extra),
                })
                .collect(),
            extra: extra_map(&p.extra),
        })
        .collect();
    IncidentDto {
        id: &incident.id,
        clouds,
        products,
        services,
        offering,
        region,
        environment,
        extra: extra_map(&incident.extra),
    }
}

fn maintenance_dto<'a>(registry: &'a Registry, m: &'a Maintenance) -> MaintenanceDto<'a> {
    let pids: Vec<&str> = m.product_ids.iter().map(String::as_str).collect();
    let (clouds, services, offering, region, environment) =
        event_lists(registry, &pids, &m.service_ids, &m.region_ids, &m.env_ids);
    let products = m
        .product_ids
        .iter()
        .map(|pid| MaintenanceProductDto {
            id: pid,
            name: product_name(registry, pid),
            history: m
                .history
                .iter()
                .enumerate()
                .map(|(n, h)| MaintenanceHistoryDto {
                    id: format!("{}-{pid}-{n}", m.id),
                    status: &h.status,
                    customer_impact: &h.customer_impact,
                    operations_impact: &h.operations_impact,
                    message_type: &h.message_type,
                    message_time: h.time_ms.div_euclid(1000),
                    message_token: &h.message_token,
                    title_token: &h.title_token,
                    show_environment: h.show_environment,
                    service_impact: ImpactedServices {
                        product_services: &m.service_ids,
                        product_offerings: &[],
                        product_capabilities: [],
                    },
                    location_impact: LocationImpact {
                        service_regions: &m.region_ids,
                        service_environments: &m.env_ids,
                    },
                })
                .collect(),
        })
        .collect();
    MaintenanceDto {
        id: &m.id,
        status: &m.status,
        maintenance_type: &m.maintenance_type,
        scheduled_date: format_time(m.scheduled_ms, m.date_form),
        started_on: m
            .started_ms
            .map(|t| format_time(t, m.date_form))
            .unwrap_or_default(),
        completed_on: format_time(m.completed_ms, m.date_form),
        reminder_date: m
            .reminder_ms
            .iter()
            .map(|t| format_time(*t, TimeForm::Rfc3339Offset))
            .collect(),
        clouds,
        products,
        services,
        offering,
        region,
        environment,
        extra: extra_map(&m.extra),
    }
}
