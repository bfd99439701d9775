//! # watchpost-isapi
//!
//! The Hikvision ISAPI resources that more than one watchpost vendor crate speaks: the Device
//! Gateway (`hik-gateway`) sends them to a device directly, Hik-Partner Pro (`hpp-openapi`)
//! through its cloud pass-through. One set of models, so both crates read and write the same
//! XML and JSON.
//!
//! ## Modules
//! - [`models`]: security control panel (partitions, zones, bypass, relays, peripherals), time,
//!   IO ports, network interfaces, the login check and `ResponseStatus`.
//! - [`status`]: [`StatusCode`] (the outcome class) and [`SubStatusCode`] (what a typed
//!   `subStatusCode` offers the models).
//! - [`time`]: ISAPI's date-time text formats ([`IsoDateTime`], [`LocalDateTime`]).
//! - [`xml`]: ISAPI XML request documents (`version="2.0"` and the ISAPI namespace on the root).

pub mod cid;
pub mod models;
pub mod status;
pub mod time;
pub mod xml;

pub use status::{StatusCode, SubStatusCode};
pub use time::{DateTimeParts, IsoDateTime, LocalDateTime};
