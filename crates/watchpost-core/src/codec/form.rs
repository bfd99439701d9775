//! `application/x-www-form-urlencoded` bodies and query strings.
//!
//! Requests are kept as ordered `(name, value)` pairs until they are sent, so an auth step can
//! still add a pair (EZVIZ's `accessToken`). [`to_pairs`] turns a serde struct into pairs the way
//! the vendors document: `None` fields are omitted rather than sent empty, numbers and strings are
//! sent as text, and a nested object or array is sent as its JSON text.

use serde::Serialize;
use serde_json::Value;

/// Serializes a flat struct or map into form pairs, omitting `None` (JSON `null`) fields.
///
/// # Errors
/// A message when the value is not a struct or map.
pub fn to_pairs<T: Serialize + ?Sized>(value: &T) -> Result<Vec<(String, String)>, String> {
    let value = serde_json::to_value(value).map_err(|e| format!("cannot encode form body: {e}"))?;
    let Value::Object(map) = value else {
        return Err("a form body must be a struct or map".to_owned());
    };
    let mut pairs = Vec::with_capacity(map.len());
    for (k, v) in map {
        let text = match v {
            Value::Null => continue,
            Value::String(s) => s,
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            nested @ (Value::Array(_) | Value::Object(_)) => nested.to_string(),
        };
        pairs.push((k, text));
    }
    Ok(pairs)
}

/// Encodes pairs as `a=1&b=x%20y` (form encoding: space as `+`).
pub fn encode_pairs(pairs: &[(String, String)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// Decodes `a=1&b=x+y` into pairs (used by simulators and tests).
pub fn decode_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// Percent-encodes one path segment (everything but unreserved characters).
pub fn encode_path_segment(value: &str) -> String {
    const UNRESERVED: &[u8] = b"-._~";
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || UNRESERVED.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Req {
        device_serial: String,
        channel_no: Option<u32>,
        enable: u8,
        names: Vec<String>,
    }

    #[test]
    fn none_fields_are_omitted_and_nested_values_are_json() {
        let pairs =
            to_pairs(&Req { device_serial: "C1 2".into(), channel_no: None, enable: 1, names: vec!["a".into()] })
                .unwrap();
        assert_eq!(
            pairs,
            vec![
                ("deviceSerial".to_owned(), "C1 2".to_owned()),
                ("enable".to_owned(), "1".to_owned()),
                ("names".to_owned(), "[\"a\"]".to_owned()),
            ]
        );
        assert_eq!(encode_pairs(&pairs), "deviceSerial=C1+2&enable=1&names=%5B%22a%22%5D");
        assert_eq!(decode_pairs(encode_pairs(&pairs).as_bytes()), pairs);
    }

    #[test]
    fn non_struct_is_an_error() {
        assert!(to_pairs(&3).is_err());
    }
}
