//! [`SimRequest`]: one fully read request as a simulator handler sees it.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{Extensions, HeaderMap, Method};
use serde::de::DeserializeOwned;

use super::router::FALLBACK_ROUTE;

/// One request, with its body read in full, the matched route and its path parameters.
///
/// Middleware may annotate a request through [`extensions`](Self::extensions) (for example the
/// user a Digest check authorized) before the handler sees it.
#[derive(Debug, Clone)]
pub struct SimRequest {
    /// The request method.
    pub method: Method,
    /// The path exactly as sent (still percent-encoded), without the query.
    pub path: String,
    /// The query string exactly as sent (without `?`), if there was one.
    pub raw_query: Option<String>,
    /// The decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// The request headers.
    pub headers: HeaderMap,
    /// The request body.
    pub body: Bytes,
    /// Path parameters captured by the route template (`{name}` and `{*rest}`), percent-decoded.
    pub params: HashMap<String, String>,
    /// The name of the matched route, or [`FALLBACK_ROUTE`] when no route matched.
    pub route: &'static str,
    /// The client's address.
    pub peer: SocketAddr,
    /// Typed data attached by middleware for later middleware and the handler.
    pub extensions: Extensions,
}

impl SimRequest {
    /// A request for unit tests of handlers and checks: `path_and_query` is split at `?`, the
    /// body is empty, the route is [`FALLBACK_ROUTE`] and the peer is `127.0.0.1:0`.
    pub fn new(method: Method, path_and_query: &str) -> Self {
        let (path, raw_query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (path_and_query.to_owned(), None),
        };
        let query = raw_query.as_deref().map(|q| crate::codec::form::decode_pairs(q.as_bytes())).unwrap_or_default();
        SimRequest {
            method,
            path,
            raw_query,
            query,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            params: HashMap::new(),
            route: FALLBACK_ROUTE,
            peer: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            extensions: Extensions::new(),
        }
    }

    /// Adds a header (for unit tests); an invalid name or value is ignored.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            self.headers.append(n, v);
        }
        self
    }

    /// Replaces the body (for unit tests).
    #[must_use]
    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// The path with the query, as it appeared in the request line (`/a/b?x=1`).
    pub fn path_and_query(&self) -> String {
        match &self.raw_query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }

    /// A path parameter captured by the route template.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// The first value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The first value of a header, if it is visible ASCII text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body decoded as `application/x-www-form-urlencoded` pairs (lenient: never fails).
    pub fn form(&self) -> Vec<(String, String)> {
        crate::codec::form::decode_pairs(&self.body)
    }

    /// The first value of a form-body field.
    pub fn form_value(&self, name: &str) -> Option<String> {
        self.form().into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The body decoded as JSON.
    ///
    /// # Errors
    /// The parser's error when the body is not the expected JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The body as UTF-8 text.
    ///
    /// # Errors
    /// When the body is not UTF-8.
    pub fn text(&self) -> Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(&self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_read_query_headers_and_bodies() {
        let req = SimRequest::new(Method::POST, "/a/b?x=1&y=two+words&x=2")
            .with_header("Content-Type", "application/x-www-form-urlencoded")
            .with_header("bad header", "ignored")
            .with_body("accessToken=at.1&n=%7B%7D");
        assert_eq!(req.path, "/a/b");
        assert_eq!(req.path_and_query(), "/a/b?x=1&y=two+words&x=2");
        assert_eq!(req.query_param("x"), Some("1"));
        assert_eq!(req.query_param("y"), Some("two words"));
        assert_eq!(req.header("content-type"), Some("application/x-www-form-urlencoded"));
        assert_eq!(req.headers.len(), 1);
        assert_eq!(req.form_value("accessToken").as_deref(), Some("at.1"));
        assert_eq!(req.form_value("n").as_deref(), Some("{}"));
        assert_eq!(req.route, FALLBACK_ROUTE);
        assert!(req.json::<serde_json::Value>().is_err());
        let json = SimRequest::new(Method::PUT, "/j").with_body(r#"{"a":1}"#);
        assert_eq!(json.json::<serde_json::Value>().unwrap()["a"], 1);
        assert_eq!(json.text().unwrap(), r#"{"a":1}"#);
    }
}
