//! # hpp-openapi
//!
//! A typed client for the Hikvision Hik-Partner Pro OpenAPI (`/api/hpcgw/...`): token and area
//! domain handling, the `{errorCode, data}` envelope, every operation of the Developer Guide's
//! chapter 3 (generated from `spec/hpp.toml` and its parts in `spec/hpp.d/`), ISAPI pass-through,
//! OTAP, and (feature `sim`) a simulator.
//!
//! ## Modules
//! - [`models`]: response models (the `data` of each operation) and typed request values.
//! - `sim` (feature `sim`): the simulator.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod models;
#[cfg(feature = "sim")]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod sim;
