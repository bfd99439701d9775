//! Rendering results: a readable table (key/value rows for objects, columns for arrays of
//! objects) or JSON, with secrets masked.

use std::fmt::Write as _;

/// `println!` that never panics: a closed stdout (`watchpost ... | head`) is ignored.
macro_rules! say {
    () => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock());
    }};
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `eprintln!` that never panics.
macro_rules! tell {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// `print!` of a finished text that never panics.
pub fn print_text(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

use serde_json::{Map, Value};

/// Longest cell of a column table, in characters; longer values are cut with `…`.
const MAX_CELL: usize = 48;

/// What a masked secret prints as.
pub const MASK: &str = "***";

/// Writes one line to stdout; `false` when stdout is closed (the reader went away).
pub fn write_line(line: &str) -> bool {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").and_then(|()| out.flush()).is_ok()
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

/// Renders `v` as pretty JSON.
pub fn json(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

/// Renders `v` for a person: `OK` for nothing, key/value rows for an object (nested objects
/// flattened to `a.b` keys, arrays of objects as column tables below), columns for an array of
/// objects, one line per item for other arrays.
pub fn table(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Null => out.push_str("OK\n"),
        Value::Object(map) if map.is_empty() => out.push_str("OK\n"),
        Value::Object(map) => object(&mut out, map),
        Value::Array(items) if items.is_empty() => out.push_str("(no items)\n"),
        Value::Array(items) if items.iter().all(Value::is_object) => columns(&mut out, items),
        Value::Array(items) => {
            for item in items {
                let _ = writeln!(out, "{}", scalar(item));
            }
        }
        other => {
            let _ = writeln!(out, "{}", scalar(other));
        }
    }
    out
}

/// Key/value rows, then a section per array of objects.
fn object(out: &mut String, map: &Map<String, Value>) {
    let mut rows = Vec::new();
    let mut sections = Vec::new();
    flatten("", map, &mut rows, &mut sections);
    let width = rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    for (k, v) in &rows {
        let _ = writeln!(out, "{k:<width$}  {v}");
    }
    for (name, items) in sections {
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(out, "{name} ({} item{}):", items.len(), if items.len() == 1 { "" } else { "s" });
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
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
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
fn columns(out: &mut String, items: &[Value]) {
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
    let _ = writeln!(out, "{}", line(&heads));
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    let _ = writeln!(out, "{}", line(&rule));
    for row in &cells {
        let _ = writeln!(out, "{}", line(row));
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
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            Value::Object(inner) if prefix.is_empty() && !inner.is_empty() => flatten_cells(&key, inner, rows),
            other => rows.push((key, scalar(other))),
        }
    }
}

/// One value as text: strings bare, `-` for null, arrays of scalars comma-joined, anything else
/// as compact JSON.
fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "-".to_owned(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.iter().map(scalar).collect::<Vec<_>>().join(", ")
        }
        other => other.to_string(),
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

    #[test]
    fn objects_become_key_value_rows_and_lists_columns() {
        let v = json!({"meta": {"total": 2, "limit": 20}, "objects": [{"did": "a", "is_online": true}, {"did": "b", "mac": "m"}]});
        let t = table(&v);
        assert!(t.contains("meta.total  2"), "{t}");
        assert!(t.contains("objects (2 items):"), "{t}");
        assert!(t.contains("did  is_online  mac"), "{t}");
        assert!(t.lines().any(|l| l == "b    -          m" || l == "b               m"), "{t}");
    }

    #[test]
    fn wrapped_list_items_are_unwrapped() {
        let t = table(&json!([{"Device": {"devIndex": "a", "online": true}}, {"Device": {"devIndex": "b"}}]));
        assert!(t.starts_with("devIndex  online\n"), "{t}");
    }

    #[test]
    fn nothing_prints_ok_and_scalars_print_bare() {
        assert_eq!(table(&Value::Null), "OK\n");
        assert_eq!(table(&json!(["x", 1])), "x\n1\n");
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
