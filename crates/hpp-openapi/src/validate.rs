//! Client-side checks of the documented limits, run on every request before anything is sent:
//! a request that breaks one fails with [`Error::InvalidInput`] naming the parameter.
//!
//! The rules are keyed by operation id on the request's JSON body ([`check`]); a chapter adds its
//! operations as one arm of the `match` in [`check`], using the helpers below.

use serde_json::Value;
use watchpost_core::operation::{Body, Request};
use watchpost_core::{Error, Result};

/// Checks `req` against the documented limits of its operation.
///
/// # Errors
/// [`Error::InvalidInput`] naming the first parameter out of its limits.
pub(crate) fn check(req: &Request) -> Result<()> {
    let body = json_body(req);
    let op = req.op.id;
    match op {
        "mq.subscribe" => {
            // subMode "list" needs the list (L3265); "all" ignores it.
            if body.get("subMode").and_then(Value::as_str) == Some("list") {
                let list = body.get("deviceSerialList").and_then(Value::as_array).map_or(0, Vec::len);
                if list == 0 {
                    return Err(Error::invalid_input(op, "deviceSerialList is required when subMode is \"list\""));
                }
            }
            Ok(())
        }
        "mq.offset" => not_blank(op, &body, "batchId"),
        "alarm.pictureurl" => not_blank(op, &body, "filePath"),
        _ => Ok(()),
    }
}

/// The JSON body of a request (`Null` when it has none or it is not JSON).
pub(crate) fn json_body(req: &Request) -> Value {
    match &req.body {
        Body::Json(bytes) => serde_json::from_slice(bytes).unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// A string member that, when present, must not be blank.
pub(crate) fn not_blank(op: &str, body: &Value, name: &str) -> Result<()> {
    match body.get(name).and_then(Value::as_str) {
        Some(s) if s.trim().is_empty() => Err(Error::invalid_input(op, format!("{name} must not be empty"))),
        _ => Ok(()),
    }
}

/// A string member of at most `max` characters (when present).
#[allow(dead_code)] // for the chapters' rules
pub(crate) fn max_chars(op: &str, body: &Value, name: &str, max: usize) -> Result<()> {
    match body.get(name).and_then(Value::as_str) {
        Some(s) if s.chars().count() > max => {
            Err(Error::invalid_input(op, format!("{name} is longer than {max} characters")))
        }
        _ => Ok(()),
    }
}

/// An array member of at most `max` items (when present).
#[allow(dead_code)] // for the chapters' rules
pub(crate) fn max_items(op: &str, body: &Value, name: &str, max: usize) -> Result<()> {
    match body.get(name).and_then(Value::as_array) {
        Some(a) if a.len() > max => Err(Error::invalid_input(op, format!("{name} has more than {max} items"))),
        _ => Ok(()),
    }
}

/// An integer member within `min..=max` (when present).
#[allow(dead_code)] // for the chapters' rules
pub(crate) fn in_range(op: &str, body: &Value, name: &str, min: i64, max: i64) -> Result<()> {
    match body.get(name).and_then(Value::as_i64) {
        Some(v) if v < min || v > max => {
            Err(Error::invalid_input(op, format!("{name} must be between {min} and {max}")))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_helpers_name_the_parameter() {
        let body = json!({"a": "", "b": "abcd", "c": [1, 2, 3], "d": 0});
        assert!(not_blank("x", &body, "a").unwrap_err().to_string().contains('a'));
        assert!(not_blank("x", &body, "missing").is_ok());
        assert!(max_chars("x", &body, "b", 3).is_err());
        assert!(max_chars("x", &body, "b", 4).is_ok());
        assert!(max_items("x", &body, "c", 2).is_err());
        assert!(in_range("x", &body, "d", 1, 200).is_err());
        assert!(in_range("x", &body, "d", 0, 200).is_ok());
    }
}
