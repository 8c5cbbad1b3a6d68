//! `--check`: one token request and one refresh, summarised for a human.

use std::fmt::Write as _;
use std::time::Duration;

use crate::refresh::Refresher;
use crate::snapshot::{Severity, Snapshot};
use crate::timestamp::{format_rfc3339, unix_now};

/// Run the check; returns the text to print and whether everything worked.
pub async fn run(refresher: &Refresher, status_url: &str, ims_url: &str) -> (String, bool) {
    let mut out = String::new();
    let _ = writeln!(out, "Adobe Status API check");
    let _ = writeln!(out, "  IMS:        {ims_url}");
    let _ = writeln!(out, "  Status API: {status_url}");
    let tokens = refresher.client().tokens();
    if let Err(err) = tokens.get().await {
        let _ = writeln!(out, "FAIL token: {err}");
        return (out, false);
    }
    match tokens.expiry_unix().await {
        Some(expiry) => {
            let left = Duration::from_secs_f64((expiry - unix_now()).max(0.0));
            let _ = writeln!(
                out,
                "OK   token: valid until {} (in {})",
                format_rfc3339(expiry),
                humantime::format_duration(Duration::from_secs(left.as_secs()))
            );
        }
        None => {
            let _ = writeln!(out, "OK   token: obtained");
        }
    }
    match refresher.refresh_events().await {
        Ok(report) => {
            if report.registry_errors.is_empty() {
                let _ = writeln!(out, "OK   registry: {} products", report.registry_products);
            } else {
                for error in &report.registry_errors {
                    let _ = writeln!(out, "WARN registry: {error}");
                }
            }
            summarise(&mut out, &report.snapshot);
            (out, true)
        }
        Err(err) => {
            let _ = writeln!(out, "FAIL events: {err}");
            (out, false)
        }
    }
}

fn summarise(out: &mut String, snapshot: &Snapshot) {
    let products = snapshot.products.len();
    let affected = snapshot
        .products
        .values()
        .filter(|p| p.ongoing_incidents() > 0)
        .count();
    let by_severity: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|sev| {
            let n: u32 = snapshot.products.values().map(|p| p.incidents(*sev)).sum();
            (n > 0).then(|| format!("{n} {}", sev.label()))
        })
        .collect();
    // One incident may hit several products: count incidents by id, severities per product.
    let incidents = snapshot
        .incidents
        .iter()
        .map(|i| i.incident_id.as_str())
        .collect::<std::collections::HashSet<_>>()
        .len();
    let _ = writeln!(
        out,
        "OK   events: {products} products watched, {incidents} ongoing incident(s) affecting {affected} product(s){}",
        if by_severity.is_empty() {
            String::new()
        } else {
            format!(" (per product: {})", by_severity.join(", "))
        }
    );
    let in_progress: u32 = snapshot
        .products
        .values()
        .map(|p| p.maintenances_in_progress)
        .sum();
    let scheduled: u32 = snapshot
        .products
        .values()
        .map(|p| p.maintenances_scheduled)
        .sum();
    let _ = writeln!(
        out,
        "OK   maintenances: {in_progress} in progress, {scheduled} scheduled (per product)"
    );
    for incident in snapshot.incidents.iter().take(10) {
        let name = snapshot
            .products
            .get(incident.product_id.as_str())
            .map_or(incident.product_id.as_str(), |p| p.name.as_str());
        let _ = writeln!(
            out,
            "     - {} {} on {}: {}",
            incident.incident_id,
            incident.severity.label(),
            name,
            if incident.title.is_empty() {
                "(no title)"
            } else {
                &incident.title
            }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_object;
    use crate::snapshot::{derive, Registry, Watch};

    #[test]
    fn incidents_are_counted_once_however_many_products_they_hit() {
        let events = parse_object(
            "events",
            br#"{"incidents":[
              {"id":"i1","products":[
                 {"id":"p1","severity":"Major","status":"Opened"},
                 {"id":"p2","severity":"Minor","status":"Opened"}]},
              {"id":"i2","products":[{"id":"p3","severity":"Minor","status":"Opened"}]}]}"#,
        )
        .unwrap();
        let snapshot = derive(
            &Registry::default(),
            &events,
            &[],
            &Watch::all(),
            1_800_000_000.0,
        );
        let mut out = String::new();
        summarise(&mut out, &snapshot);
        assert!(
            out.contains(
                "2 ongoing incident(s) affecting 3 product(s) (per product: 1 major, 2 minor)"
            ),
            "{out}"
        );
    }
}
