//! # hpp-openapi
//!
//! A typed client for the Hikvision Hik-Partner Pro OpenAPI (`/api/hpcgw/...`): token and area
//! domain handling, the `{errorCode, data}` envelope, every operation of the Developer Guide's
//! chapter 3 (generated from `spec/hpp.toml` and its parts in `spec/hpp.d/`), ISAPI pass-through,
//! OTAP, and (feature `sim`) a simulator.
//!
//! ## Modules
//! - [`Client`] / [`ClientBuilder`] ([`client`]): configuration, tokens and the area domain, one
//!   async method per operation.
//! - [`requests`]: the request builders, one per operation.
//! - [`ops`] and [`OPERATIONS`]: the operation table (ids, paths, seed sections, parameters).
//! - [`models`]: response models (the `data` of each operation) and typed request values.
//! - [`error`]: [`HppCode`], every code of Appendix A.1 with its retry class, [`HppErrorExt`] on
//!   [`watchpost_core::Error`], and [`error::code_in`] for codes inside per-item texts.
//! - [`envelope`]: the `{errorCode, data, message}` envelope.
//! - [`profile`]: how the pipeline classifies HPP answers.
//! - `sim` (feature `sim`): the simulator.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod client;
pub mod envelope;
pub mod error;
/// Generated from `spec/hpp.toml` and its parts: operations, request builders, client methods,
/// the error-code table and `dispatch`.
mod generated;
pub mod models;
pub mod profile;
#[cfg(feature = "sim")]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod sim;

pub use client::{Client, ClientBuilder, Region, DEFAULT_TOKEN_HOST};
pub use error::{HppCode, HppErrorExt};
pub use generated::{dispatch, ops, requests, OPERATIONS};
pub use models::common::{ItemFailure, ItemOutcome, Page};
pub use requests::*;
pub use watchpost_core::{Error, ErrorClass, Result};
