// The README's example runs against the simulator: include it (and test it) when `sim` is on.
#![cfg_attr(feature = "sim", doc = include_str!("../README.md"))]
#![cfg_attr(
    not(feature = "sim"),
    doc = "# hik-gateway\n\nA client for the Hikvision Device Gateway (ISAPI/JSON) for alarm receiving centres: \
           every documented operation, Digest/Basic auth, security control panels and a supervised alarm \
           stream. Enable the `sim` feature for the README's runnable example against the simulator."
)]
//!
//! ## Modules
//! - [`Client`] / [`ClientBuilder`]: one method per documented operation (generated from
//!   `spec/hikgw.toml`: [`OPERATIONS`], [`ops`], the `…Request` structs), plus
//!   [`Client::login_check`], [`Client::time_zone`], [`Client::devices`] (paged device list as a
//!   `Stream`), [`Client::download_video`] and [`Client::subscribe`].
//! - [`Device`]: typed shortcuts for one device and its security control panel (arm, disarm,
//!   clear alarm, bypass, relays, partition/zone/peripheral status, time, network, IO).
//! - [`events`]: the alarm stream ([`EventStream`], [`Notification`], [`Event`]).
//! - [`models`]: every `JSON_*` message of chapter 9.
//! - [`error`]: [`StatusCode`], [`SubStatus`] (table A.2, generated from the spec),
//!   [`HikErrorExt`] (the sub-status) and [`HikStatusExt`] (the whole status).
//! - [`cid`]: every CID code of table A.3 ([`CidCode`]).
//! - [`PosixTimeZone`], [`IsoDateTime`], [`LocalDateTime`]: the seed's text formats.
//! - [`json`]: the lenient JSON reader for what the gateway really sends.
//! - [`xml`]: ISAPI XML request documents (`version="2.0"` and the ISAPI namespace on the root).
//! - `sim` (feature `sim`): an in-process gateway simulator.
//!
//! ## Feature flags
//! - `sim`: the simulator ([`sim::Simulator`] when enabled).
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod cid;
mod client;
mod device;
pub mod error;
pub mod events;
/// The operation table, request structs and client methods generated from `spec/hikgw.toml`
/// by `cargo xtask codegen` (re-exported at the crate root).
mod generated;
pub mod json;
pub mod models;
mod profile;
#[cfg(feature = "sim")]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod sim;
mod time;
mod timezone;
pub mod xml;

pub use cid::{CidCode, CidQualifier};
pub use client::{Client, ClientBuilder, VENDOR};
pub use device::Device;
pub use error::{HikErrorExt, HikStatus, HikStatusExt, StatusCode, SubStatus};
pub use events::{Event, EventStream, EventStreamConfig, Notification, ResyncReport, ResyncSummary};
pub use generated::{dispatch, ops, requests, OPERATIONS};
pub use profile::HikProfile;
pub use requests::*;
pub use time::{DateTimeParts, IsoDateTime, LocalDateTime};
pub use timezone::{DaylightSaving, PosixTimeZone, TransitionDate, TransitionRule, TzOffset, TzParseError};
pub use watchpost_core::supervise::ConnectionState;
