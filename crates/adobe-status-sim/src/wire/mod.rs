//! Rendering of the simulator's model into the Status API's JSON wire format.
//!
//! Field names, nesting and types follow docs/adobe-status-api.md (§4–§6) exactly: camelCase names, string
//! timestamps except the integer `messageTime` of maintenance history, `cloudProducts` as
//! objects in the registry but as id strings in events, the singular-named arrays
//! (`offering`, `region`, `environment`), `regionId` (an array) in the registry versus
//! `serviceRegions` in events, and `cfsURL`. Products without services omit the keys entirely.
//!
//! Layout: `registry` renders the registry endpoints (clouds, products, regions, event types,
//! locales, messages), `events` the event feeds, whose DTOs are in `event_dto`.

mod event_dto;
mod events;
mod registry;

pub(crate) use events::{events, EventFilter, Feed};
pub(crate) use registry::{
    clouds, event_types, locales, messages, products, regions, RegistryFilter,
};
