// The README's example runs against the simulator, so it is the crate doc (and a doc test) when
// the `sim` feature is on, as on docs.rs; without it, a short summary stands in.
#![cfg_attr(feature = "sim", doc = include_str!("../README.md"))]
#![cfg_attr(
    not(feature = "sim"),
    doc = "# ezviz-lapp\n\nA typed client for the EZVIZ open platform \"lapp\" device API, with token \
           handling, typed result codes and (feature `sim`) a simulator. Build the docs with `--features sim` \
           for the full guide and its example."
)]
//!
//! ## Modules
//! - [`Client`] / [`ClientBuilder`] ([`client`]): configuration, tokens and the area domain, one
//!   async method per operation (generated from `spec/ezviz.toml`).
//! - [`requests`]: the request builders, one per operation (`SetDefenceRequest::new(...)`).
//! - [`ops`] and [`OPERATIONS`]: the operation table (ids, paths, seed sections, parameters).
//! - [`models`]: response models and typed request values.
//! - [`error`]: [`EzvizCode`], every documented result code with its retry class, and
//!   [`EzvizErrorExt`] on [`watchpost_core::Error`].
//! - [`envelope`]: the `{code, msg, data}` envelope.
//! - [`profile`]: how the pipeline classifies EZVIZ answers.
//! - `sim` (feature `sim`): the simulator.
//!
//! ## Feature flags
//! - `sim`: the in-process EZVIZ simulator (`sim::Simulator`) built on the watchpost-core
//!   simulator kit.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod client;
pub mod envelope;
pub mod error;
mod generated;
pub mod models;
pub mod profile;
#[cfg(feature = "sim")]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod sim;

pub use client::{Client, ClientBuilder, Region, DEFAULT_TOKEN_HOST};
pub use error::{EzvizCode, EzvizErrorExt};
pub use generated::{dispatch, ops, requests, OPERATIONS};
pub use models::SetOutcome;
pub use requests::*;
pub use watchpost_core::{Error, ErrorClass, Result};
