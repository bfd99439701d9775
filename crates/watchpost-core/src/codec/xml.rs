//! XML codec (in progress).
use serde::de::DeserializeOwned;

use crate::error::DecodeError;

/// Decodes XML, matching element names by local name whatever the namespace.
///
/// # Errors
/// [`DecodeError::Xml`] when the document does not fit `T`.
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    let text = std::str::from_utf8(body).map_err(|e| DecodeError::Utf8 { source: e })?;
    quick_xml::de::from_str(text).map_err(|e| DecodeError::Xml { message: e.to_string() })
}
