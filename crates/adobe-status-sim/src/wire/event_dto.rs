//! The event feeds' DTOs: incidents and maintenances with their products, history entries
//! and the event-level `clouds`, `services`, `offering`, `region` and `environment` arrays.

use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct EventCloud<'a> {
    pub(super) id: &'a str,
    pub(super) name: &'a str,
    pub(super) cloud_products: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct EventService<'a> {
    pub(super) id: &'a str,
    pub(super) name: String,
    pub(super) service_environments: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct EventOffering<'a> {
    pub(super) id: &'a str,
    pub(super) name: &'a str,
    pub(super) product_services: Vec<&'a str>,
}

#[derive(Serialize)]
pub(super) struct EventRegion<'a> {
    pub(super) id: &'a str,
    pub(super) name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct EventEnvironment<'a> {
    pub(super) id: &'a str,
    pub(super) name: &'a str,
    pub(super) service_regions: &'a [String],
}

/// The event-level `services`, `offering`, `region` and `environment` arrays, the same in
/// incidents and maintenances; flattened right after `products`, where the real DTOs have them.
#[derive(Serialize)]
pub(super) struct EventLists<'a> {
    pub(super) services: Vec<EventService<'a>>,
    pub(super) offering: Vec<EventOffering<'a>>,
    pub(super) region: Vec<EventRegion<'a>>,
    pub(super) environment: Vec<EventEnvironment<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct IncidentDto<'a> {
    pub(super) id: &'a str,
    pub(super) clouds: Vec<EventCloud<'a>>,
    pub(super) products: Vec<IncidentProductDto<'a>>,
    #[serde(flatten)]
    pub(super) lists: EventLists<'a>,
    #[serde(flatten)]
    pub(super) extra: Map<String, Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct IncidentProductDto<'a> {
    pub(super) id: &'a str,
    pub(super) name: &'a str,
    pub(super) severity: &'a str,
    pub(super) status: &'a str,
    pub(super) started_on: String,
    pub(super) ended_on: String,
    pub(super) history: Vec<IncidentHistoryDto<'a>>,
    #[serde(flatten)]
    pub(super) extra: Map<String, Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ImpactedServices<'a> {
    pub(super) product_services: &'a [String],
    pub(super) product_offerings: &'a [String],
    pub(super) product_capabilities: [&'a str; 0],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LocationImpact<'a> {
    pub(super) service_regions: &'a [String],
    pub(super) service_environments: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct IncidentHistoryDto<'a> {
    pub(super) id: &'a str,
    pub(super) status: &'a str,
    pub(super) severity: &'a str,
    pub(super) customer_impact: &'a str,
    pub(super) operations_impact: &'a str,
    pub(super) message_type: &'a str,
    pub(super) message_time: String,
    pub(super) message_token: &'a str,
    pub(super) title_token: &'a str,
    pub(super) show_environment: bool,
    pub(super) service_impact: ImpactedServices<'a>,
    pub(super) location_impact: LocationImpact<'a>,
    pub(super) cfs_id: &'a str,
    pub(super) cfs_source: &'a str,
    #[serde(rename = "cfsURL")]
    pub(super) cfs_url: &'a str,
    #[serde(flatten)]
    pub(super) extra: Map<String, Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MaintenanceDto<'a> {
    pub(super) id: &'a str,
    pub(super) status: &'a str,
    pub(super) maintenance_type: &'a str,
    pub(super) scheduled_date: String,
    pub(super) started_on: String,
    pub(super) completed_on: String,
    pub(super) reminder_date: Vec<String>,
    pub(super) clouds: Vec<EventCloud<'a>>,
    pub(super) products: Vec<MaintenanceProductDto<'a>>,
    #[serde(flatten)]
    pub(super) lists: EventLists<'a>,
    #[serde(flatten)]
    pub(super) extra: Map<String, Value>,
}

#[derive(Serialize)]
pub(super) struct MaintenanceProductDto<'a> {
    pub(super) id: &'a str,
    pub(super) name: &'a str,
    pub(super) history: Vec<MaintenanceHistoryDto<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MaintenanceHistoryDto<'a> {
    pub(super) id: String,
    pub(super) status: &'a str,
    pub(super) customer_impact: &'a str,
    pub(super) operations_impact: &'a str,
    pub(super) message_type: &'a str,
    /// Integer epoch seconds: unlike incident history, this one is an int64 on the wire.
    pub(super) message_time: i64,
    pub(super) message_token: &'a str,
    pub(super) title_token: &'a str,
    pub(super) show_environment: bool,
    pub(super) service_impact: ImpactedServices<'a>,
    pub(super) location_impact: LocationImpact<'a>,
}

#[derive(Serialize)]
pub(super) struct EventsDto<'a> {
    pub(super) incidents: Vec<IncidentDto<'a>>,
    pub(super) maintenances: Vec<MaintenanceDto<'a>>,
}
