//! Body codecs: JSON, form-urlencoded and query strings, XML (feature `xml`), and lenient
//! serde helpers for the loosely typed values vendors send.
//!
//! JSON decoding itself is `serde_json` (see [`crate::operation::RawResponse::json`]); this module
//! holds what serde_json and serde_urlencoded do not do for us.

pub mod form;
pub mod lenient;
pub mod param;
#[cfg(feature = "xml")]
pub mod xml;
