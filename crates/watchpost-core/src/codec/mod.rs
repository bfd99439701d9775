//! Body codecs: JSON, form-urlencoded and query strings, XML (feature `xml`), and lenient
//! serde helpers for the loosely typed values vendors send.
//!
//! JSON decoding is `serde_json` (see [`crate::operation::RawResponse::json`]), through [`json`]
//! so that a decode error names the path of the failing field; the other modules hold what
//! serde_json and serde_urlencoded do not do for us.

pub mod form;
pub mod json;
pub mod lenient;
pub mod param;
#[cfg(feature = "xml")]
pub mod xml;
