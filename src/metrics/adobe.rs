//! The Adobe data families, written from one [`Snapshot`]: products, services, incidents and
//! maintenances. Encoded once per refresh (see [`super::exposition::EncodedSnapshot`]).

use std::fmt;
use std::sync::Arc;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Unit;

use crate::snapshot::{IncidentSeries, MaintenanceState, ProductStatus, Severity, Snapshot};

/// The Adobe data series of one snapshot.
#[derive(Debug)]
pub(super) struct SnapshotCollector(pub(super) Arc<Snapshot>);

impl Collector for SnapshotCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), fmt::Error> {
        encode_snapshot(&mut encoder, &self.0)
    }
}

/// Write one gauge family: a descriptor, then one sample per `(labels, value)`.
fn gauge_family<'a, L, V, I>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    unit: Option<&Unit>,
    samples: I,
) -> Result<(), fmt::Error>
where
    L: EncodeLabelSet + 'a,
    V: prometheus_client::encoding::EncodeGaugeValue,
    I: IntoIterator<Item = (L, V)>,
{
    let mut family = encoder.encode_descriptor(name, help, unit, MetricType::Gauge)?;
    for (labels, value) in samples {
        family.encode_family(&labels)?.encode_gauge(&value)?;
    }
    Ok(())
}

fn info_family<L, I>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    samples: I,
) -> Result<(), fmt::Error>
where
    L: EncodeLabelSet,
    I: IntoIterator<Item = L>,
{
    let mut family = encoder.encode_descriptor(name, help, None, MetricType::Info)?;
    for labels in samples {
        family.encode_info(&labels)?;
    }
    Ok(())
}

/// 1 per ongoing incident and each of its `places` (regions or environments), named by `label`.
fn per_incident_place<'a>(
    s: &'a Snapshot,
    label: &'static str,
    places: impl Fn(&'a IncidentSeries) -> &'a [String] + Copy + 'a,
) -> impl Iterator<Item = ([(&'static str, &'a str); 3], i64)> + 'a {
    s.incidents.iter().flat_map(move |i| {
        places(i).iter().map(move |place| {
            (
                [
                    ("incident_id", i.incident_id.as_str()),
                    ("product_id", i.product_id.as_str()),
                    (label, place.as_str()),
                ],
                1_i64,
            )
        })
    })
}

/// One sample per product × severity, every pair present (0 = none).
fn per_product_and_severity<'a>(
    s: &'a Snapshot,
    value: impl Fn(&ProductStatus, Severity) -> i64 + Copy + 'a,
) -> impl Iterator<Item = ([(&'static str, &'a str); 2], i64)> + 'a {
    s.products.iter().flat_map(move |(id, p)| {
        Severity::ALL.into_iter().map(move |sev| {
            (
                [
                    ("product_id", id.as_str()),
                    ("incident_severity", sev.label()),
                ],
                value(p, sev),
            )
        })
    })
}

fn encode_snapshot(encoder: &mut DescriptorEncoder, s: &Snapshot) -> Result<(), fmt::Error> {
    let products = || s.products.iter();
    info_family(
        encoder,
        "product",
        "Watched Adobe product with its name and cloud.",
        products().map(|(id, p)| {
            [
                ("product_id", id.as_str()),
                ("product_name", p.name.as_str()),
                ("cloud_id", p.cloud_id.as_str()),
                ("cloud_name", p.cloud_name.as_str()),
            ]
        }),
    )?;
    gauge_family(
        encoder,
        "product_incidents",
        "Ongoing Adobe incidents per product and incident severity.",
        None,
        per_product_and_severity(s, |p, sev| i64::from(p.incidents(sev))),
    )?;
    gauge_family(
        encoder,
        "product_worst_severity",
        "Worst ongoing incident severity per product: 0 healthy, 1 trivial, 2 potential, 3 minor, 4 major.",
        None,
        products().map(|(id, p)| ([("product_id", id.as_str())], i64::from(p.worst_severity()))),
    )?;
    gauge_family(
        encoder,
        "product_maintenances",
        "Adobe maintenances per product that are in progress or scheduled.",
        None,
        products().flat_map(|(id, p)| {
            MaintenanceState::ALL.into_iter().map(move |state| {
                (
                    [
                        ("product_id", id.as_str()),
                        ("maintenance_state", state.label()),
                    ],
                    i64::from(p.maintenances(state)),
                )
            })
        }),
    )?;
    let services =
        || products().flat_map(|(pid, p)| p.services.iter().map(move |service| (pid, service)));
    info_family(
        encoder,
        "service",
        "Service of a watched Adobe product with its name.",
        services().map(|(pid, (sid, name, _))| {
            [
                ("product_id", pid.as_str()),
                ("service_id", sid),
                ("service_name", name),
            ]
        }),
    )?;
    gauge_family(
        encoder,
        "service_worst_severity",
        "Worst ongoing incident severity per service: 0 healthy, 1 trivial, 2 potential, 3 minor, 4 major.",
        None,
        services().map(|(pid, (sid, _, worst_severity))| {
            (
                [("product_id", pid.as_str()), ("service_id", sid)],
                i64::from(worst_severity),
            )
        }),
    )?;
    gauge_family(
        encoder,
        "product_recent_incidents",
        "Adobe incidents per product and severity that started within --status.history.",
        None,
        per_product_and_severity(s, |p, sev| i64::from(p.recent_incidents(sev))),
    )?;
    gauge_family(
        encoder,
        "product_recent_impact",
        "Seconds of the --status.history window with at least one Adobe incident of that severity open on the product.",
        Some(&Unit::Seconds),
        // Whole seconds: the value is rounded when derived.
        per_product_and_severity(s, |p, sev| p.recent_impact_seconds(sev) as i64),
    )?;
    info_family(
        encoder,
        "incident",
        "Ongoing Adobe incident per product with its severity, title, customer and operations impact, and root-cause statement (empty until published).",
        s.incidents.iter().map(|i| {
            [
                ("incident_id", i.incident_id.as_str()),
                ("product_id", i.product_id.as_str()),
                ("incident_severity", i.severity.label()),
                ("title", i.title.as_str()),
                ("customer_impact", i.customer_impact.label()),
                ("operations_impact", i.operations_impact.label()),
                ("root_cause_url", i.root_cause_url.as_str()),
            ]
        }),
    )?;
    gauge_family(
        encoder,
        "incident_start_timestamp",
        "Unix time at which an ongoing Adobe incident started for a product.",
        Some(&Unit::Seconds),
        s.incidents.iter().filter_map(|i| {
            let started = i.started?;
            Some((
                [
                    ("incident_id", i.incident_id.as_str()),
                    ("product_id", i.product_id.as_str()),
                ],
                started,
            ))
        }),
    )?;
    gauge_family(
        encoder,
        "incident_region_impacted",
        "Region impacted by an ongoing Adobe incident (all when the incident names none).",
        None,
        per_incident_place(s, "region_name", |i| &i.regions),
    )?;
    gauge_family(
        encoder,
        "incident_environment_impacted",
        "Environment impacted by an ongoing Adobe incident, where Adobe names them.",
        None,
        per_incident_place(s, "environment_name", |i| &i.environments),
    )?;
    info_family(
        encoder,
        "maintenance",
        "Adobe maintenance in progress or scheduled per product with its type and title.",
        s.maintenances.iter().map(|m| {
            [
                ("maintenance_id", m.maintenance_id.as_str()),
                ("product_id", m.product_id.as_str()),
                ("maintenance_state", m.state.label()),
                ("maintenance_type", m.maintenance_type),
                ("title", m.title.as_str()),
            ]
        }),
    )?;
    gauge_family(
        encoder,
        "maintenance_start_timestamp",
        "Unix time at which an Adobe maintenance starts or started.",
        Some(&Unit::Seconds),
        s.maintenances.iter().filter_map(|m| {
            Some((
                [
                    ("maintenance_id", m.maintenance_id.as_str()),
                    ("product_id", m.product_id.as_str()),
                ],
                m.start?,
            ))
        }),
    )?;
    gauge_family(
        encoder,
        "maintenance_end_timestamp",
        "Unix time at which an Adobe maintenance ends or is planned to end.",
        Some(&Unit::Seconds),
        s.maintenances.iter().filter_map(|m| {
            Some((
                [
                    ("maintenance_id", m.maintenance_id.as_str()),
                    ("product_id", m.product_id.as_str()),
                ],
                m.end?,
            ))
        }),
    )?;
    Ok(())
}
