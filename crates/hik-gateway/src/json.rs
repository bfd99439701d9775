//! Lenient JSON: what the gateway (and its documentation) sends that strict JSON refuses.
//!
//! The seed's own examples carry trailing commas (l.496), a hex literal `0x40000003` as a
//! number (l.2436), `/* comments */` and bare `"id": ,` values. Real gateways are known to send
//! the first two. [`from_slice`] parses strictly first (the fast path for well-formed bodies) and
//! only when that fails repairs those four defects and parses again. Anything else stays an error.

use serde::de::DeserializeOwned;
use watchpost_core::error::DecodeError;

/// Parses `body` as JSON, repairing the documented defects if the strict parse fails.
///
/// Returns the value and whether a repair was needed.
///
/// # Errors
/// The strict parser's error when the body cannot be repaired into valid JSON.
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> Result<(T, bool), serde_json::Error> {
    match serde_json::from_slice(body) {
        Ok(v) => Ok((v, false)),
        Err(strict) => match repair(body) {
            Some(fixed) => serde_json::from_slice(&fixed).map(|v| (v, true)).map_err(|_| strict),
            None => Err(strict),
        },
    }
}

/// [`from_slice`] with a [`DecodeError::Json`] that names the path of the failing field
/// (`ZoneList[3].Zone.status`). The path is found by decoding the body once more, strictly and
/// tracking the path, only when decoding failed: a good body costs nothing more.
///
/// # Errors
/// [`DecodeError::Json`] with the strict parser's error and its path.
pub fn decode_with_repair<T: DeserializeOwned>(body: &[u8]) -> Result<(T, bool), DecodeError> {
    from_slice(body).map_err(|strict| match watchpost_core::codec::json::from_slice::<T>(body) {
        Err(with_path) => with_path,
        Ok(_) => DecodeError::json(strict),
    })
}

/// [`decode_with_repair`] without the repair flag.
///
/// # Errors
/// [`DecodeError::Json`] with the strict parser's error and the path of the failing field.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    decode_with_repair(body).map(|(v, _)| v)
}

/// Repairs trailing commas, hex number literals, comments and empty values outside strings.
/// Returns `None` when nothing needed repairing.
pub fn repair(input: &[u8]) -> Option<Vec<u8>> {
    let n = input.len();
    let mut out = Vec::with_capacity(n + 8);
    let mut changed = false;
    let mut i = 0;
    // The last significant (non-whitespace, non-comment) byte written, for value-position checks.
    let mut last_sig: u8 = 0;
    while i < n {
        let b = input[i];
        match b {
            b'"' => {
                // Copy the whole string literal, honouring escapes.
                let start = i;
                i += 1;
                while i < n {
                    match input[i] {
                        b'\\' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                }
                out.extend_from_slice(&input[start..i.min(n)]);
                last_sig = b'"';
            }
            b'/' if input.get(i + 1) == Some(&b'*') => {
                changed = true;
                i += 2;
                while i < n && !(input[i] == b'*' && input.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(n);
            }
            b'/' if input.get(i + 1) == Some(&b'/') => {
                changed = true;
                while i < n && input[i] != b'\n' {
                    i += 1;
                }
            }
            b'0' if matches!(input.get(i + 1), Some(b'x' | b'X')) && matches!(last_sig, b':' | b',' | b'[') => {
                let mut j = i + 2;
                while j < n && input[j].is_ascii_hexdigit() {
                    j += 1;
                }
                let digits = std::str::from_utf8(&input[i + 2..j]).unwrap_or("");
                match u64::from_str_radix(digits, 16) {
                    Ok(v) => out.extend_from_slice(v.to_string().as_bytes()),
                    Err(_) => {
                        out.push(b'"');
                        out.extend_from_slice(&input[i..j]);
                        out.push(b'"');
                    }
                }
                changed = true;
                last_sig = b'0';
                i = j;
            }
            c if c.is_ascii_whitespace() => {
                out.push(c);
                i += 1;
            }
            c => {
                if matches!(c, b',' | b'}' | b']') && last_sig == b':' {
                    // An empty value: `"id": ,` or `"id": }`.
                    out.extend_from_slice(b"null");
                    changed = true;
                    last_sig = b'l';
                }
                if c == b',' && next_significant(input, i + 1).is_none_or(|next| next == b'}' || next == b']') {
                    // A trailing comma.
                    changed = true;
                    i += 1;
                    continue;
                }
                out.push(c);
                last_sig = c;
                i += 1;
            }
        }
    }
    changed.then_some(out)
}

/// The next byte after `from` that is neither whitespace nor inside a comment.
fn next_significant(input: &[u8], mut from: usize) -> Option<u8> {
    let n = input.len();
    while from < n {
        match input[from] {
            c if c.is_ascii_whitespace() => from += 1,
            b'/' if input.get(from + 1) == Some(&b'*') => {
                from += 2;
                while from < n && !(input[from] == b'*' && input.get(from + 1) == Some(&b'/')) {
                    from += 1;
                }
                from += 2;
            }
            b'/' if input.get(from + 1) == Some(&b'/') => {
                while from < n && input[from] != b'\n' {
                    from += 1;
                }
            }
            c => return Some(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn fix(s: &str) -> Value {
        from_slice::<Value>(s.as_bytes()).unwrap().0
    }

    #[test]
    fn strict_json_is_not_touched() {
        let (v, repaired) = from_slice::<Value>(br#"{"a":[1,2],"b":"x,}"}"#).unwrap();
        assert!(!repaired);
        assert_eq!(v, json!({"a":[1,2],"b":"x,}"}));
        assert!(repair(br#"{"a":"0x1, ]"}"#).is_none());
    }

    #[test]
    fn trailing_commas_hex_comments_and_empty_values_are_repaired() {
        assert_eq!(fix("{\"a\":1,\n}"), json!({"a":1}));
        assert_eq!(fix("{\"a\":[1,2,],}"), json!({"a":[1,2]}));
        assert_eq!(fix(r#"{"errorCode": 0x40000003, "x": 1}"#), json!({"errorCode": 1_073_741_827u64, "x": 1}));
        // The 9-digit code of A.2 fits in u64.
        assert_eq!(fix(r#"{"errorCode":0x600000040}"#), json!({"errorCode": 0x6_0000_0040u64}));
        assert_eq!(fix("{\"a\": 1 /* note, with comma */ ,\n // line\n \"b\": 2}"), json!({"a":1,"b":2}));
        assert_eq!(fix(r#"{"id": , "name": "x"}"#), json!({"id": null, "name": "x"}));
        assert_eq!(fix(r#"{"name": "x", "id": }"#), json!({"name": "x", "id": null}));
    }

    #[test]
    fn the_seed_devstatuschanged_example_parses_after_repair() {
        let part = br#"{
  "EventNotificationAlert":{
    "channelID": "1",
    "eventType": "devStatusChanged",
    "status":"online",
  }
}"#;
        let (v, repaired) = from_slice::<Value>(part).unwrap();
        assert!(repaired);
        assert_eq!(v["EventNotificationAlert"]["status"], "online");
    }

    #[test]
    fn garbage_stays_an_error_and_never_panics() {
        for bad in [&b"{"[..], b"{\"a\":", b"\"unterminated", b"0x", b"/*", b"\\", b"\xff\xfe", b"{\"a\":1 2}"] {
            let _ = repair(bad);
            assert!(from_slice::<Value>(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        // Degenerate inputs that the repairs turn into valid JSON: still no panic.
        assert_eq!(fix("{,}"), json!({}));
        assert_eq!(fix(r#"{"a":0x}"#), json!({"a": "0x"}));
    }
}
