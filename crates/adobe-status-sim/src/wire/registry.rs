//! The registry endpoints' DTOs and rendering: `/clouds`, `/products`, `/regions`,
//! `/eventTypes`, `/locales` and `/messages`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::{region_name, Catalog, REGIONS};
use crate::control::View;
use crate::messages::{
    html, known_locale, localized, Row, INCIDENT_BODIES, INCIDENT_TITLES, LOCALES,
    MAINTENANCE_BODIES, MAINTENANCE_TITLES,
};

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
struct LocaleDto<'a> {
    locale_code: &'a str,
    language_name: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MessagesDto<'a> {
    language_code: &'a str,
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

/// Query filters of the registry endpoints (singular names: `cloudId`, `productId`).
#[derive(Debug, Default, Clone)]
pub(crate) struct RegistryFilter {
    pub(crate) cloud_ids: Vec<String>,
    pub(crate) product_ids: Vec<String>,
    pub(crate) name: Option<String>,
}

fn name_matches(name: &str, filter: &Option<String>) -> bool {
    filter
        .as_ref()
        .is_none_or(|f| name.to_lowercase().contains(&f.to_lowercase()))
}

// ------------------------------------------------------------------ registry rendering

pub(crate) fn clouds(registry: &Catalog, filter: &RegistryFilter) -> serde_json::Result<Vec<u8>> {
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

pub(crate) fn products(registry: &Catalog, filter: &RegistryFilter) -> serde_json::Result<Vec<u8>> {
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

/// The 19 locales; English is named `english` (`en`, or `en-US` when the control API says so).
pub(crate) fn locales(english: &str) -> serde_json::Result<Vec<u8>> {
    let dtos: Vec<LocaleDto> = LOCALES
        .iter()
        .map(|(code, language_name)| LocaleDto {
            locale_code: if *code == "en" { english } else { code },
            language_name,
        })
        .collect();
    serde_json::to_vec(&dtos)
}

/// `/messages` (every locale) or `/messages/{locale}`; `None` for an unknown locale. English
/// answers only under `view.english_locale`.
pub(crate) fn messages(
    view: &View,
    locale: Option<&str>,
    token: Option<&str>,
) -> Option<serde_json::Result<Vec<u8>>> {
    let english = view.english_locale.as_str();
    // (code on the wire, catalogue locale)
    let locales: Vec<(&str, &'static str)> = match locale {
        Some(l) if l.eq_ignore_ascii_case(english) => vec![(english, "en")],
        Some(l) => {
            let known = known_locale(l).filter(|k| *k != "en")?;
            vec![(known, known)]
        }
        None => LOCALES
            .iter()
            .map(|(c, _)| {
                if *c == "en" {
                    (english, "en")
                } else {
                    (*c, *c)
                }
            })
            .collect(),
    };
    let keep = |t: &str| token.is_none_or(|want| want == t);
    let no_translations = BTreeMap::new();
    let build = |rows: &[&[Row]],
                 english_titles: &BTreeMap<String, String>,
                 translations: &BTreeMap<String, BTreeMap<String, String>>,
                 loc: &str| {
        let mut map = BTreeMap::new();
        for row in rows.iter().flat_map(|r| r.iter()) {
            if keep(row.0) {
                map.insert(row.0.to_owned(), message(row.0, localized(row, loc)));
            }
        }
        // Titles given through the control API: English, plus the locales given for them; a
        // locale without one lacks the token (clients fall back to English themselves).
        for (tok, text) in english_titles {
            let text = if loc == "en" {
                Some(text)
            } else {
                translations.get(tok).and_then(|t| t.get(loc))
            };
            if let Some(text) = text.filter(|_| keep(tok)) {
                map.insert(tok.clone(), message(tok, text));
            }
        }
        map
    };
    let dtos: Vec<MessagesDto> = locales
        .into_iter()
        .map(|(code, loc)| MessagesDto {
            language_code: code,
            incident_messages: build(
                &[INCIDENT_TITLES, INCIDENT_BODIES],
                &view.incident_titles,
                &view.incident_translations,
                loc,
            ),
            maintenance_messages: build(
                &[MAINTENANCE_TITLES, MAINTENANCE_BODIES],
                &view.maintenance_titles,
                &no_translations,
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
