//! Subjects: `watchpost.alarms.<vendor>.<source>.<device>` and `watchpost.state.<source>`.

use watchpost_core::alarm::Alarm;

/// Escapes `text` into one NATS subject token (also a valid key-value key part).
///
/// ASCII letters, digits, `-` and `_` are kept; every other byte of the UTF-8 text (`.`, `*`,
/// `>`, whitespace, `=`, non-ASCII) becomes `=XX` (upper-case hex). The empty text is `=`. The
/// mapping is injective: two different texts never share a token.
///
/// ```
/// use watchpost_bridge::escape_token;
/// assert_eq!(escape_token("DS-2CD2043"), "DS-2CD2043");
/// assert_eq!(escape_token("10.0.0.1 *>"), "10=2E0=2E0=2E1=20=2A=3E");
/// assert_eq!(escape_token(""), "=");
/// ```
pub fn escape_token(text: &str) -> String {
    if text.is_empty() {
        return "=".to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("={b:02X}"));
        }
    }
    out
}

/// The subject of `alarm` followed from source `source`: `<prefix>.alarms.<vendor>.<source>.<device>`.
pub fn alarm_subject(prefix: &str, source: &str, alarm: &Alarm) -> String {
    format!(
        "{prefix}.alarms.{}.{}.{}",
        escape_token(&alarm.source.vendor),
        escape_token(source),
        escape_token(&alarm.device_id)
    )
}

/// The subject of the connection states of source `source`: `<prefix>.state.<source>`.
pub fn state_subject(prefix: &str, source: &str) -> String {
    format!("{prefix}.state.{}", escape_token(source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_hold_a_separator_wildcard_or_space() {
        for text in ["a.b", "a*b", "a>b", "a b", "a\tb", "a\nb", "é", "=", "=3D"] {
            let t = escape_token(text);
            assert!(!t.is_empty());
            assert!(!t.contains(['.', '*', '>', ' ', '\t', '\n']), "{text:?} -> {t}");
            assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_=".contains(&b)));
        }
    }

    #[test]
    fn escaping_is_injective_on_tricky_pairs() {
        let pairs = [("=", "=3D"), ("", "="), ("a.b", "a=2Eb"), ("a b", "a_b")];
        for (x, y) in pairs {
            assert_ne!(escape_token(x), escape_token(y), "{x:?} vs {y:?}");
        }
    }
}
