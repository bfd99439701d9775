//! JSON bodies: `serde_json`, with the path of the field that failed in the error.
//!
//! A body is decoded once with plain `serde_json`. Only when that fails is it decoded a second
//! time through [`serde_path_to_error`], which records where the deserializer was (`data.items[3].status`)
//! and puts it in [`DecodeError::Json`]'s `path`. Decoding is deterministic, so the second pass
//! fails at the same place with the same error; a body that decodes costs nothing more.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::DecodeError;

/// Decodes a JSON body into `T`.
///
/// # Errors
/// [`DecodeError::Json`] with the path of the failing field when the body is not JSON or does
/// not fit `T`.
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    serde_json::from_slice(body).map_err(|plain| {
        let mut de = serde_json::Deserializer::from_slice(body);
        match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Err(e) => with_path(e),
            // Unreachable in practice (the first pass failed); keep the first pass's error.
            Ok(_) => DecodeError::json(plain),
        }
    })
}

/// Decodes an already parsed JSON value into `T` (a member of a vendor envelope, say).
///
/// # Errors
/// [`DecodeError::Json`] with the path of the failing field, relative to `value`, when it does
/// not fit `T`; see [`DecodeError::under`] to prefix it with the member's name.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, DecodeError> {
    serde_path_to_error::deserialize(value).map_err(with_path)
}

/// A [`DecodeError::Json`] from a path-tracking error; the root path (`.`) is no path.
fn with_path(e: serde_path_to_error::Error<serde_json::Error>) -> DecodeError {
    let path = e.path().to_string();
    let path = (path != ".").then_some(path);
    DecodeError::Json { source: e.into_inner(), path }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        status: u8,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Page {
        items: Vec<Item>,
    }

    #[test]
    fn a_wrong_type_deep_inside_names_its_path() {
        let body = br#"{"items":[{"status":1},{"status":2},{"status":3},{"status":"on"}]}"#;
        let e = from_slice::<Page>(body).unwrap_err();
        assert_eq!(e.path(), Some("items[3].status"));
        assert_eq!(e.to_string(), "invalid JSON at `items[3].status`");
        let v: Value = serde_json::from_slice(body).unwrap();
        let e = from_value::<Page>(v).unwrap_err().under("data");
        assert_eq!(e.path(), Some("data.items[3].status"));
    }

    #[test]
    fn a_body_that_is_not_json_has_no_path_and_good_bodies_decode() {
        let e = from_slice::<Page>(b"<html>").unwrap_err();
        assert_eq!(e.path(), None, "{e}");
        assert_eq!(from_slice::<Page>(br#"{"items":[{"status":7}]}"#).unwrap().items[0].status, 7);
        let e = from_value::<Vec<Item>>(serde_json::json!([{"status": 1}, {}])).unwrap_err().under("data");
        assert_eq!(e.path(), Some("data[1]"), "{e}");
    }
}
