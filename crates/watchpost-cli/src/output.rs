//! Rendering results: a readable table (key/value rows for objects, columns for arrays of
//! objects) or JSON, with secrets masked; and the one place where text is written, escaped.

use std::fmt::Write as _;

/// `println!` through [`out_line`]: escaped, never panics (a closed stdout is ignored). One
/// call is one line: a `\n` in the text comes out as the two characters `\n`.
macro_rules! say {
    () => {{
        let _ = $crate::output::out_line("");
    }};
    ($($arg:tt)*) => {{
        let _ = $crate::output::out_line(&format!($($arg)*));
    }};
}

/// `eprintln!` through [`err_line`]: escaped, never panics. One call is one line.
macro_rules! tell {
    ($($arg:tt)*) => {{
        $crate::output::err_line(&format!($($arg)*));
    }};
}

use std::borrow::Cow;

use serde_json::{Map, Value};

/// Longest cell of a column table, in characters; longer values are cut with `…`.
const MAX_CELL: usize = 48;

/// What a masked secret prints as.
pub const MASK: &str = "***";

/// Whether `c` must not reach a terminal as it is: a C0 control character (newline, carriage
/// return, tab and escape included), DEL, a C1 control character (U+0080 to U+009F), a Unicode
/// bidirectional control (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069: they
/// reorder the rest of a line), or a line or paragraph separator (U+2028, U+2029).
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `text` with every [unsafe character](is_unsafe_char) written visibly: `\n`, `\r`, `\t`,
/// `\x1b` for other C0 characters and DEL, `\u{85}` or `\u{202e}` for the rest. Everything
/// else (backslashes included) is unchanged, so text without unsafe characters is returned as
/// it is, and escaping twice changes nothing more.
///
/// Every line the CLI writes goes through this function ([`out_line`], [`err_line`]): a device
/// cannot erase or rewrite the operator's screen with escape sequences in a name, nor start a
/// fake line with a newline.
pub fn escape_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe_char(c) && u32::from(c) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if is_unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Which stream a line goes to.
#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

/// The one place where the CLI writes text: `line`, [escaped](escape_text), then a newline,
/// flushed. `false` when the stream is closed (the reader went away).
fn emit(stream: Stream, line: &str) -> bool {
    let line = escape_text(line);
    let write = |out: &mut dyn std::io::Write| -> std::io::Result<()> {
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
        out.flush()
    };
    match stream {
        Stream::Stdout => write(&mut std::io::stdout().lock()).is_ok(),
        Stream::Stderr => write(&mut std::io::stderr().lock()).is_ok(),
    }
}

/// Writes one line to stdout, escaped; `false` when stdout is closed (the reader went away).
pub fn out_line(line: &str) -> bool {
    emit(Stream::Stdout, line)
}

/// Writes one line to stderr, escaped.
pub fn err_line(line: &str) {
    emit(Stream::Stderr, line);
}

/// Writes lines to stdout, each escaped; `false` when stdout is closed.
pub fn out_lines<S: AsRef<str>>(lines: &[S]) -> bool {
    lines.iter().all(|l| out_line(l.as_ref()))
}

/// Whether a member named `key` holds a secret (token, secret, password, passcode).
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["token", "secret", "password", "passwd", "passcode", "signature"].iter().any(|s| k.contains(s))
}

/// Replaces the string and number values of secret members with [`MASK`], recursively.
pub fn mask_secrets(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, item) in map.iter_mut() {
                if is_secret_key(k) && matches!(item, Value::String(_) | Value::Number(_)) {
                    *item = Value::String(MASK.to_owned());
                } else {
                    mask_secrets(item);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_secrets),
        _ => {}
    }
}

/// Renders `v` as pretty JSON, [terminal-safe](json_safe).
pub fn json(v: &Value) -> String {
    json_safe(serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string()))
}

/// Renders `v` as JSON on one line, [terminal-safe](json_safe).
pub fn json_line(v: &Value) -> String {
    json_safe(v.to_string())
}

/// Prints `v` as pretty JSON, line by line; `false` when stdout is closed.
pub fn print_json(v: &Value) -> bool {
    out_lines(&json(v).lines().collect::<Vec<_>>())
}

/// `json` (serialized JSON text) with the [unsafe characters](is_unsafe_char) serde_json leaves
/// as they are (DEL, C1 controls, bidirectional controls, line separators: it escapes only C0)
/// written as `\uXXXX` escapes. Outside strings JSON text holds only ASCII structure and
/// white space, so this changes no value: the result parses to the same document.
fn json_safe(json: String) -> String {
    if !json.chars().any(|c| is_unsafe_char(c) && c != '\n') {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_unsafe_char(c) && c != '\n' {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// Renders `v` for a person: `OK` for nothing, key/value rows for an object (nested objects
/// flattened to `a.b` keys, arrays of objects as column tables below), columns for an array of
/// objects, one line per item for other arrays.
pub fn table(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        Value::Null => out.push("OK".to_owned()),
        Value::Object(map) if map.is_empty() => out.push("OK".to_owned()),
        Value::Object(map) => object(&mut out, map),
        Value::Array(items) if items.is_empty() => out.push("(no items)".to_owned()),
        Value::Array(items) if items.iter().all(Value::is_object) => columns(&mut out, items),
        Value::Array(items) => {
            for item in items {
                out.push(scalar(item));
            }
        }
        other => {
            out.push(scalar(other));
        }
    }
    out
}

/// Key/value rows, then a section per array of objects.
fn object(out: &mut Vec<String>, map: &Map<String, Value>) {
    let mut rows = Vec::new();
    let mut sections = Vec::new();
    flatten("", map, &mut rows, &mut sections);
    let width = rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    for (k, v) in &rows {
        out.push(format!("{k:<width$}  {v}"));
    }
    for (name, items) in sections {
        if !out.is_empty() {
            out.push(String::new());
        }
        out.push(format!("{name} ({} item{}):", items.len(), if items.len() == 1 { "" } else { "s" }));
        columns(out, items);
    }
}

fn flatten<'a>(
    prefix: &str,
    map: &'a Map<String, Value>,
    rows: &mut Vec<(String, String)>,
    sections: &mut Vec<(String, &'a Vec<Value>)>,
) {
    for (k, v) in map {
        let k = escape_text(k);
        let key = if prefix.is_empty() { k.into_owned() } else { format!("{prefix}.{k}") };
        match v {
            Value::Object(inner) if !inner.is_empty() => flatten(&key, inner, rows, sections),
            Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
                sections.push((key, items))
            }
            other => rows.push((key, scalar(other))),
        }
    }
}

/// A column table of objects: one column per member (in order of first appearance). Items
/// that are all `{"Device": {...}}` (the gateway's list items) are unwrapped first.
fn columns(out: &mut Vec<String>, items: &[Value]) {
    let root = single_root(items);
    let unwrapped: Vec<Value>;
    let items = match root {
        Some(root) => {
            unwrapped = items.iter().filter_map(|i| i.get(root).cloned()).collect();
            &unwrapped[..]
        }
        None => items,
    };
    let mut heads: Vec<String> = Vec::new();
    let flat: Vec<Vec<(String, String)>> = items
        .iter()
        .map(|item| {
            let mut rows = Vec::new();
            if let Value::Object(map) = item {
                flatten_cells("", map, &mut rows);
            }
            rows
        })
        .collect();
    for row in &flat {
        for (k, _) in row {
            if !heads.contains(k) {
                heads.push(k.clone());
            }
        }
    }
    let cells: Vec<Vec<String>> = flat
        .iter()
        .map(|row| {
            heads.iter().map(|h| row.iter().find(|(k, _)| k == h).map(|(_, v)| cut(v)).unwrap_or_default()).collect()
        })
        .collect();
    let widths: Vec<usize> = heads
        .iter()
        .enumerate()
        .map(|(i, h)| {
            cells
                .iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .chain([h.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cols: &[String]| {
        let mut l = String::new();
        for (i, c) in cols.iter().enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            if i + 1 == cols.len() {
                l.push_str(c);
            } else {
                let _ = write!(l, "{c:<w$}  ");
            }
        }
        l.trim_end().to_owned()
    };
    out.push(line(&heads));
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push(line(&rule));
    for row in &cells {
        out.push(line(row));
    }
}

/// The member name when every item is an object with that one member holding an object.
fn single_root(items: &[Value]) -> Option<&str> {
    let mut root: Option<&str> = None;
    for item in items {
        let Value::Object(map) = item else { return None };
        let mut keys = map.iter();
        let (Some((k, Value::Object(_))), None) = (keys.next(), keys.next()) else { return None };
        match root {
            None => root = Some(k),
            Some(r) if r == k => {}
            Some(_) => return None,
        }
    }
    root
}

/// Cells of one row: nested objects flattened one level into `a.b`, everything else as text.
fn flatten_cells(prefix: &str, map: &Map<String, Value>, rows: &mut Vec<(String, String)>) {
    for (k, v) in map {
        let k = escape_text(k);
        let key = if prefix.is_empty() { k.into_owned() } else { format!("{prefix}.{k}") };
        match v {
            Value::Object(inner) if prefix.is_empty() && !inner.is_empty() => flatten_cells(&key, inner, rows),
            other => rows.push((key, scalar(other))),
        }
    }
}

/// One value as text: strings bare but [escaped](escape_text) (so columns line up with what
/// the terminal shows), `-` for null, arrays of scalars comma-joined, anything else as compact
/// JSON.
fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "-".to_owned(),
        Value::String(s) => escape_text(s).into_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.iter().map(scalar).collect::<Vec<_>>().join(", ")
        }
        other => json_line(other),
    }
}

fn cut(s: &str) -> String {
    if s.chars().count() <= MAX_CELL {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(MAX_CELL - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The table as the terminal shows it.
    fn text(v: &Value) -> String {
        table(v).iter().map(|l| format!("{l}\n")).collect()
    }

    #[test]
    fn objects_become_key_value_rows_and_lists_columns() {
        let v = json!({"meta": {"total": 2, "limit": 20}, "objects": [{"did": "a", "is_online": true}, {"did": "b", "mac": "m"}]});
        let t = text(&v);
        assert!(t.contains("meta.total  2"), "{t}");
        assert!(t.contains("objects (2 items):"), "{t}");
        assert!(t.contains("did  is_online  mac"), "{t}");
        assert!(t.lines().any(|l| l == "b    -          m" || l == "b               m"), "{t}");
    }

    #[test]
    fn wrapped_list_items_are_unwrapped() {
        let t = text(&json!([{"Device": {"devIndex": "a", "online": true}}, {"Device": {"devIndex": "b"}}]));
        assert!(t.starts_with("devIndex  online\n"), "{t}");
    }

    #[test]
    fn nothing_prints_ok_and_scalars_print_bare() {
        assert_eq!(text(&Value::Null), "OK\n");
        assert_eq!(text(&json!(["x", 1])), "x\n1\n");
    }

    #[test]
    fn secrets_are_masked_everywhere() {
        let mut v =
            json!({"accessToken": "at.1", "nested": [{"product_secret": "s", "ok": "v"}], "token_ttl": {"x": 1}});
        mask_secrets(&mut v);
        assert_eq!(
            v,
            json!({"accessToken": "***", "nested": [{"product_secret": "***", "ok": "v"}], "token_ttl": {"x": 1}})
        );
    }
}

#[cfg(test)]
mod escape_tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    /// What a hostile device name looks like: erase the line, go back to its start, print a fake
    /// heartbeat, reverse the rest, ring the bell.
    const HOSTILE: &str = "Front door\x1b[2K\r[   1.00s] heartbeat  #7\n\u{202e}mrala\x07";

    #[test]
    fn control_and_bidi_characters_are_written_visibly() {
        assert_eq!(escape_text(HOSTILE), "Front door\\x1b[2K\\r[   1.00s] heartbeat  #7\\n\\u{202e}mrala\\x07");
        assert_eq!(
            escape_text("\x00\t\x7f\u{85}\u{9f}\u{2066}\u{2069}\u{200f}\u{2028}"),
            "\\x00\\t\\x7f\\u{85}\\u{9f}\\u{2066}\\u{2069}\\u{200f}\\u{2028}"
        );
        assert!(matches!(escape_text("Zone 3 \\x1b é 中 🚨"), Cow::Borrowed(_)));
    }

    #[test]
    fn tables_escape_keys_and_values_and_stay_aligned() {
        let v = json!({"devices": [{"name": HOSTILE, "zone": "1"}, {"name": "ok", "zone": "2"}], "a\rb": "\u{202e}x"});
        let lines = table(&v);
        for line in &lines {
            assert!(!line.chars().any(is_unsafe_char), "{line:?}");
        }
        assert!(lines.iter().any(|l| l == "a\\rb  \\u{202e}x"), "{lines:?}");
        let header = lines.iter().position(|l| l.starts_with("name")).expect("a column header");
        let zone = lines[header].find("zone").expect("the zone column");
        let cell = |row: usize| lines[row].chars().skip(zone).collect::<String>();
        assert_eq!((cell(header + 2), cell(header + 3)), ("1".to_owned(), "2".to_owned()), "{lines:?}");
    }

    #[test]
    fn json_keeps_its_value_but_escapes_bidi_and_c1() {
        let v = json!({"name": "\u{202e}\u{85}\x7f\x1b\u{2028}", "list": ["\u{2067}"]});
        for text in [json(&v), json_line(&v)] {
            assert!(!text.chars().any(|c| is_unsafe_char(c) && c != '\n'), "{text}");
            let back: Value = serde_json::from_str(&text).expect("still JSON");
            assert_eq!(back, v);
        }
        assert!(json_line(&v).contains("\\u202e"), "{}", json_line(&v));
    }

    proptest! {
        #[test]
        fn escaped_text_never_holds_an_unsafe_character(text in any::<String>()) {
            let out = escape_text(&text);
            prop_assert!(!out.chars().any(is_unsafe_char), "{:?}", out);
            let twice = escape_text(&out).into_owned();
            prop_assert_eq!(twice.as_str(), out.as_ref(), "escaping twice changes nothing");
        }

        #[test]
        fn printable_text_is_unchanged(text in any::<String>()) {
            let printable: String = text.chars().filter(|c| !is_unsafe_char(*c)).collect();
            let out = escape_text(&printable).into_owned();
            prop_assert_eq!(out, printable);
        }

        #[test]
        fn unsafe_characters_are_all_caught(c in prop_oneof![
            0u32..0x20, Just(0x7f), 0x80u32..0xa0, 0x202au32..0x202f, 0x2066u32..0x206a,
            Just(0x61c), Just(0x200e), Just(0x200f), Just(0x2028), Just(0x2029)
        ]) {
            let c = char::from_u32(c).expect("a scalar value");
            prop_assert!(is_unsafe_char(c));
            let text = format!("a{c}b");
            prop_assert!(escape_text(&text).starts_with("a\\"));
        }

        #[test]
        fn json_text_parses_back_to_the_same_value(text in any::<String>()) {
            let v = json!({"k": text, "l": [text]});
            let out = json_line(&v);
            prop_assert!(!out.chars().any(is_unsafe_char));
            prop_assert_eq!(serde_json::from_str::<Value>(&out).ok(), Some(v));
        }
    }
}
