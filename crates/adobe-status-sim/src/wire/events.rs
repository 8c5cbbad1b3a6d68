//! The event feeds: `/events`, `/events/incidents`, `/events/maintenance` and
//! `/events/scheduled`, filtered and rendered from the model.

use serde_json::{Map, Value};

use super::event_dto::{
    EventCloud, EventEnvironment, EventLists, EventOffering, EventRegion, EventService, EventsDto,
    ImpactedServices, IncidentDto, IncidentHistoryDto, IncidentProductDto, LocationImpact,
    MaintenanceDto, MaintenanceHistoryDto, MaintenanceProductDto,
};
use crate::catalog::{region_name, Catalog};
use crate::model::{format_time, Extra, Incident, Maintenance, TimeForm};

fn extra_map(extra: &Extra) -> Map<String, Value> {
    extra.iter().cloned().collect()
}

/// Query filters of the event endpoints (plural names: `productIds`, `cloudIds`, `regionIds`).
#[derive(Debug, Default, Clone)]
pub(crate) struct EventFilter {
    pub(crate) product_ids: Vec<String>,
    pub(crate) cloud_ids: Vec<String>,
    pub(crate) region_ids: Vec<String>,
}

impl EventFilter {
    fn matches(&self, registry: &Catalog, product_ids: &[&str], region_ids: &[String]) -> bool {
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
    registry: &Catalog,
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
fn product_name<'a>(registry: &'a Catalog, id: &str) -> &'a str {
    registry
        .product(id)
        .map_or("Unknown product", |p| p.name.as_str())
}

/// The event-level `clouds`, `services`, `offering`, `region` and `environment` arrays.
fn event_lists<'a>(
    registry: &'a Catalog,
    product_ids: &[&'a str],
    service_ids: &'a [String],
    region_ids: &'a [String],
    env_ids: &'a [String],
) -> (Vec<EventCloud<'a>>, EventLists<'a>) {
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
    let lists = EventLists {
        services,
        offering,
        region,
        environment,
    };
    (clouds, lists)
}

fn incident_dto<'a>(registry: &'a Catalog, incident: &'a Incident) -> IncidentDto<'a> {
    let pids: Vec<&str> = incident
        .products
        .iter()
        .map(|p| p.product_id.as_str())
        .collect();
    let (clouds, lists) = event_lists(
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
                    cfs_id: h.cfs.as_ref().map_or("", |c| c.id.as_str()),
                    cfs_source: h.cfs.as_ref().map_or("", |c| c.source.as_str()),
                    cfs_url: h.cfs.as_ref().map_or("", |c| c.url.as_str()),
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
        lists,
        extra: extra_map(&incident.extra),
    }
}

fn maintenance_dto<'a>(registry: &'a Catalog, m: &'a Maintenance) -> MaintenanceDto<'a> {
    let pids: Vec<&str> = m.product_ids.iter().map(String::as_str).collect();
    let (clouds, lists) = event_lists(registry, &pids, &m.service_ids, &m.region_ids, &m.env_ids);
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
        lists,
        extra: extra_map(&m.extra),
    }
}
