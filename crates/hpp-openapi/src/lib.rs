// The README's example runs against the simulator, so it is the crate doc (and a doc test) when
// the `sim` feature is on, as on docs.rs; without it, a short summary stands in.
#![cfg_attr(feature = "sim", doc = include_str!("../README.md"))]
#![cfg_attr(
    not(feature = "sim"),
    doc = "# hpp-openapi\n\nA typed client for the Hikvision Hik-Partner Pro OpenAPI: token and area domain \
           handling, the `{errorCode, data}` envelope, every operation of the Developer Guide's chapter 3, and \
           (feature `sim`) a simulator. Build the docs with `--features sim` for the full guide and its example."
)]
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
//! - [`events`]: the alarm events of Appendix A.3 typed ([`events::HppEvent`]) and mapped to the
//!   vendor-neutral `watchpost_core::alarm::Alarm` ([`events::to_alarm`]).
//! - [`profile`]: how the pipeline classifies HPP answers.
//! - [`pictures`]: alarm picture URLs, download and decryption (`Client::fetch_alarm_picture`).
//! - `sim` (feature `sim`): the simulator.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod client;
pub mod consumer;
mod download;
pub mod envelope;
pub mod error;
pub mod events;
/// Generated from `spec/hpp.toml` and its parts: operations, request builders, client methods,
/// the error-code table and `dispatch`.
mod generated;
pub mod models;
pub mod pictures;
pub mod profile;
#[cfg(feature = "sim")]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod sim;
mod validate;

pub use client::{Client, ClientBuilder, Region, DEFAULT_PAGE_SIZE, DEFAULT_TOKEN_HOST};
pub use error::{HppCode, HppErrorExt};
pub use generated::{dispatch, ops, requests, OPERATIONS};
pub use models::common::{ItemFailure, ItemOutcome, Page};
pub use requests::*;
pub use watchpost_core::{Error, ErrorClass, Result};

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// Sections 3.1 to 3.61 without 3.24 (a chapter heading), and 3.24.1 to 3.24.11.
    fn documented_sections() -> BTreeSet<String> {
        let mut all: BTreeSet<String> = (1..=61).filter(|n| *n != 24).map(|n| format!("3.{n}")).collect();
        all.extend((1..=11).map(|n| format!("3.24.{n}")));
        all
    }

    #[test]
    fn the_spec_lists_the_71_operations_of_chapter_3_once_each() {
        let ops = crate::OPERATIONS;
        // 3.23 is one section served by one operation per HTTP method; every other section is one operation.
        let sections: Vec<&str> = ops.iter().map(|op| op.section).filter(|s| *s != "3.23").collect();
        let unique: BTreeSet<String> = ops.iter().map(|op| op.section.to_owned()).collect();
        assert_eq!(sections.len() + 1, unique.len(), "a section is listed twice: {sections:?}");
        assert_eq!(unique, documented_sections());
        assert_eq!(crate::OPERATIONS.len(), 74, "3.23 is one operation per method");
        let ids: BTreeSet<&str> = ops.iter().map(|op| op.id).collect();
        assert_eq!(ids.len(), ops.len(), "operation ids are unique");
    }

    #[test]
    fn every_operation_of_the_spec_has_a_documented_section() {
        let documented = documented_sections();
        assert_eq!(documented.len(), 71);
        for op in crate::OPERATIONS {
            assert!(documented.contains(op.section), "{} has section {:?}", op.id, op.section);
        }
    }
}
