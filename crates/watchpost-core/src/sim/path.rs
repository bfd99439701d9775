//! Route path templates: `/v1/products/{product_key}/devices`, a trailing `{*rest}` catch-all,
//! and optional query constraints (`/ISAPI/Event/notification/alertStream?format={format}`).

use std::collections::HashMap;

/// One segment of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Must equal the (decoded) request segment.
    Literal(String),
    /// Captures one segment.
    Param(String),
    /// Captures the rest of the path (zero or more segments), joined with `/`.
    CatchAll(String),
}

/// A parsed route template.
#[derive(Debug, Clone)]
pub(crate) struct PathTemplate {
    source: String,
    segments: Vec<Segment>,
    /// Query pairs the request must carry: a literal value, or a `{param}` capture.
    query: Vec<(String, Segment)>,
}

/// How specific a template is: the most specific matching route wins.
pub(crate) type Specificity = (bool, usize, usize);

fn parse_segment(text: &str) -> Segment {
    match text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        Some(inner) => match inner.strip_prefix('*') {
            Some(name) => Segment::CatchAll(name.to_owned()),
            None => Segment::Param(inner.to_owned()),
        },
        None => Segment::Literal(percent_decode(text)),
    }
}

/// Splits a path into segments, ignoring the leading and a trailing slash.
fn split_path(path: &str) -> impl Iterator<Item = &str> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    trimmed.split('/').filter(move |_| !trimmed.is_empty())
}

impl PathTemplate {
    /// Parses a template.
    ///
    /// # Panics
    /// When a `{*rest}` catch-all is not the last path segment (a bug in the simulator).
    #[track_caller]
    pub(crate) fn parse(template: &str) -> Self {
        let (path, query) = template.split_once('?').unwrap_or((template, ""));
        let segments: Vec<Segment> = split_path(path).map(parse_segment).collect();
        let catch_all_inside = segments.iter().rev().skip(1).any(|s| matches!(s, Segment::CatchAll(_)));
        assert!(!catch_all_inside, "route template {template:?}: a {{*rest}} catch-all must be the last segment");
        let query = url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| {
                let value = match v.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                    Some(name) => Segment::Param(name.to_owned()),
                    None => Segment::Literal(v.into_owned()),
                };
                (k.into_owned(), value)
            })
            .collect();
        PathTemplate { source: template.to_owned(), segments, query }
    }

    /// The template as written.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// Ranks templates: no catch-all, then more literal segments, then more query constraints.
    pub(crate) fn specificity(&self) -> Specificity {
        let catch_all = self.segments.iter().any(|s| matches!(s, Segment::CatchAll(_)));
        let literals = self.segments.iter().filter(|s| matches!(s, Segment::Literal(_))).count();
        (!catch_all, literals, self.query.len())
    }

    /// Matches a raw request path and its decoded query; returns the captured parameters.
    pub(crate) fn matches(&self, path: &str, query: &[(String, String)]) -> Option<HashMap<String, String>> {
        let mut params = HashMap::new();
        let mut request = split_path(path);
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::CatchAll(name) => {
                    let rest: Vec<String> = request.by_ref().map(percent_decode).collect();
                    debug_assert_eq!(i + 1, self.segments.len());
                    params.insert(name.clone(), rest.join("/"));
                    break;
                }
                Segment::Literal(lit) => {
                    if percent_decode(request.next()?) != *lit {
                        return None;
                    }
                }
                Segment::Param(name) => {
                    params.insert(name.clone(), percent_decode(request.next()?));
                }
            }
        }
        if request.next().is_some() {
            return None;
        }
        for (key, want) in &self.query {
            let got = query.iter().find(|(k, _)| k == key).map(|(_, v)| v)?;
            match want {
                Segment::Literal(lit) if lit != got => return None,
                Segment::Param(name) | Segment::CatchAll(name) => {
                    params.insert(name.clone(), got.clone());
                }
                Segment::Literal(_) => {}
            }
        }
        Some(params)
    }
}

/// Decodes `%XX` escapes (malformed escapes are kept as they are; invalid UTF-8 is replaced).
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = match (b, bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&hi), Some(&lo)) => hex_value(hi).zip(hex_value(lo)).map(|(h, l)| h * 16 + l),
            _ => None,
        };
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn params_literals_and_catch_all() {
        let t = PathTemplate::parse("/v1/products/{product_key}/devices");
        let p = t.matches("/v1/products/p%201/devices/", &[]).unwrap();
        assert_eq!(p["product_key"], "p 1");
        assert!(t.matches("/v1/products/p1", &[]).is_none());
        assert!(t.matches("/v1/products/p1/devices/x", &[]).is_none());
        assert!(t.matches("/v1/Products/p1/devices", &[]).is_none());

        let all = PathTemplate::parse("/files/{*rest}");
        assert_eq!(all.matches("/files/a/b%2Fc/d", &[]).unwrap()["rest"], "a/b/c/d");
        assert_eq!(all.matches("/files", &[]).unwrap()["rest"], "");
        assert!(all.specificity() < t.specificity());

        let root = PathTemplate::parse("/");
        assert!(root.matches("/", &[]).is_some());
        assert!(root.matches("/x", &[]).is_none());
    }

    #[test]
    fn query_constraints() {
        let t = PathTemplate::parse("/ISAPI/x?format=json&id={id}");
        assert_eq!(t.source(), "/ISAPI/x?format=json&id={id}");
        assert_eq!(t.matches("/ISAPI/x", &q(&[("id", "7"), ("format", "json")])).unwrap()["id"], "7");
        assert!(t.matches("/ISAPI/x", &q(&[("id", "7"), ("format", "xml")])).is_none());
        assert!(t.matches("/ISAPI/x", &q(&[("format", "json")])).is_none());
    }

    #[test]
    #[should_panic(expected = "catch-all must be the last segment")]
    fn catch_all_must_be_last() {
        let _ = PathTemplate::parse("/a/{*rest}/b");
    }

    #[test]
    fn percent_decoding_is_lenient() {
        assert_eq!(percent_decode("a%20b%zz%4"), "a b%zz%4");
        assert_eq!(percent_decode("%E2%82%AC%FF"), "\u{20ac}\u{fffd}");
    }
}
