//! The simulated device's file formats: what its exports write and its imports read back.
//!
//! The real formats are not documented (PrivateKey.xml, Contacts.csv, an encrypted Config.tgz):
//! the simulator writes one `<Item .../>` element per entity (attributes are the entity's
//! members), a CSV with a header line for contacts and the call log, and a tagged JSON document
//! for the configuration and the user data, and reads its own output back.

use serde_json::{Map, Value};

/// The first line of a simulated configuration file.
pub(crate) const CONFIG_MAGIC: &str = "AKUVOX-SIM-CONFIG";

/// The first line of a simulated user data file.
pub(crate) const USERS_MAGIC: &str = "AKUVOX-SIM-USERS";

/// One `<Item k="v" .../>` line per object, inside `<root>`.
pub(crate) fn xml_items(root: &str, items: &[Map<String, Value>]) -> String {
    let mut out = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root}>\n");
    for item in items {
        out.push_str("  <Item");
        for (k, v) in item {
            out.push_str(&format!(" {k}=\"{}\"", escape(&text(v))));
        }
        out.push_str("/>\n");
    }
    out.push_str(&format!("</{root}>\n"));
    out
}

/// The objects of [`xml_items`] output; `None` when there is no `<Item` line or one is broken.
pub(crate) fn parse_xml_items(text: &str) -> Option<Vec<Map<String, Value>>> {
    let mut items = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| l.starts_with("<Item")) {
        let mut rest = line.strip_prefix("<Item")?.trim_end_matches("/>").trim();
        let mut item = Map::new();
        while !rest.is_empty() {
            let (key, after) = rest.split_once("=\"")?;
            let (value, after) = after.split_once('"')?;
            item.insert(key.trim().to_owned(), Value::String(unescape(value)));
            rest = after.trim_start();
        }
        items.push(item);
    }
    (!items.is_empty() || text.contains("<?xml")).then_some(items)
}

/// A CSV with the header `columns` and one row per object.
pub(crate) fn csv(columns: &[&str], items: &[Map<String, Value>]) -> String {
    let mut out = columns.join(",");
    out.push('\n');
    for item in items {
        let row: Vec<String> = columns.iter().map(|c| csv_field(&item.get(*c).map(text).unwrap_or_default())).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// The objects of a CSV with a header line; `None` when a row has another number of fields.
pub(crate) fn parse_csv(text: &str) -> Option<Vec<Map<String, Value>>> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = split_csv(lines.next()?)?;
    lines
        .map(|line| {
            let fields = split_csv(line)?;
            (fields.len() == header.len())
                .then(|| header.iter().cloned().zip(fields.into_iter().map(Value::String)).collect())
        })
        .collect()
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn split_csv(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    if quoted {
        return None;
    }
    fields.push(cur);
    Some(fields)
}

/// The file part of a `multipart/form-data` body: its field name and content.
pub(crate) fn multipart_file<'a>(content_type: &str, body: &'a [u8]) -> Option<(String, &'a [u8])> {
    let boundary = content_type.split(';').find_map(|p| p.trim().strip_prefix("boundary="))?.trim_matches('"');
    let delimiter = format!("--{boundary}");
    let start = find(body, delimiter.as_bytes())? + delimiter.len();
    let headers_end = start + find(body.get(start..)?, b"\r\n\r\n")?;
    let headers = std::str::from_utf8(body.get(start..headers_end)?).ok()?;
    let name = headers.split(';').find_map(|p| p.trim().strip_prefix("name=\"")?.split('"').next())?.to_owned();
    let content_start = headers_end + 4;
    let closing = format!("\r\n{delimiter}");
    let len = find(body.get(content_start..)?, closing.as_bytes())?;
    Some((name, body.get(content_start..content_start + len)?))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        v => v.to_string(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;").replace('\n', "&#10;")
}

fn unescape(s: &str) -> String {
    s.replace("&#10;", "\n").replace("&gt;", ">").replace("&lt;", "<").replace("&quot;", "\"").replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn xml_and_csv_read_back() {
        let items = vec![obj(json!({"ID": "1", "Name": "A \"q\" <b> & c"})), obj(json!({"ID": "2"}))];
        assert_eq!(parse_xml_items(&xml_items("Keys", &items)).unwrap(), items);
        let rows = vec![obj(json!({"ID": "1", "Name": "x, \"y\"", "Phone": "1"}))];
        assert_eq!(parse_csv(&csv(&["ID", "Name", "Phone"], &rows)).unwrap(), rows);
        assert!(parse_csv("a,b\n1").is_none());
        assert!(parse_xml_items("garbage").is_none());
    }

    #[test]
    fn multipart_parts() {
        let body = crate::files::multipart("x", "config", "a.xml", b"<x/>").unwrap();
        let ct = "multipart/form-data; boundary=watchpost-akuvox-part";
        assert_eq!(multipart_file(ct, &body), Some(("config".to_owned(), &b"<x/>"[..])));
        assert_eq!(multipart_file(ct, b"nothing"), None);
        assert_eq!(multipart_file("multipart/form-data", &body), None);
    }
}
