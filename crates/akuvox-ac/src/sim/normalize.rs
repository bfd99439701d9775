//! Turns every request form the device accepts into the one the spec declares, before routing
//! ([`Router::rewrite`](watchpost_core::sim::Router::rewrite)):
//!
//! - `POST /api/` with an envelope: the path becomes `/api/<target>/<action>`;
//! - `callog` is read as `calllog` (both spellings of the seed);
//! - `POST /api/<target>/<action>` with an envelope: the body becomes its `data` (`{}` without);
//!   an envelope naming another function than the path is sent nowhere (the fallback answers
//!   the documented negative reply);
//! - `GET` with a query, for a function that allows GET: the query becomes the JSON `data`,
//!   each value converted by the parameter's spec type (`mode=1` → `1` for `relay.trig`);
//! - a multipart upload goes as it is.
//!
//! The request as sent is kept in the extensions ([`Sent`]) for Digest, which signs it.

use bytes::Bytes;
use http::Method;
use serde_json::{Map, Value};
use watchpost_core::operation::Operation;
use watchpost_core::sim::SimRequest;

use crate::forms;

/// The path that routes nowhere: the fallback answers "unsupport action".
pub(crate) const NOWHERE: &str = "/api/.unsupported";

/// The request as the client sent it (before the rewrite).
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) raw_query: Option<String>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Bytes,
}

impl Sent {
    /// `req` with the method, target and body it was sent with.
    pub(crate) fn restore(&self, req: &SimRequest) -> SimRequest {
        let mut original = req.clone();
        original.method = self.method.clone();
        original.path = self.path.clone();
        original.raw_query = self.raw_query.clone();
        original.query = self.query.clone();
        original.body = self.body.clone();
        original
    }
}

/// The rewrite (see the module docs).
pub(crate) fn rewrite(req: &mut SimRequest) {
    req.extensions.insert(Sent {
        method: req.method.clone(),
        path: req.path.clone(),
        raw_query: req.raw_query.clone(),
        query: req.query.clone(),
        body: req.body.clone(),
    });
    let is_multipart = req.header("content-type").is_some_and(|c| c.to_ascii_lowercase().starts_with("multipart/"));
    let envelope = (req.method == Method::POST && !is_multipart)
        .then(|| serde_json::from_slice::<Value>(&req.body).ok())
        .flatten()
        .and_then(|v| match v {
            Value::Object(m) if m.contains_key("target") || m.contains_key("action") => Some(m),
            _ => None,
        });
    let trimmed = req.path.trim_end_matches('/');
    if trimmed == "/api" {
        req.path = match &envelope {
            Some(env) => format!("/api/{}/{}", text(env.get("target")), text(env.get("action"))),
            None => NOWHERE.to_owned(),
        };
    }
    if let Some(rest) = req.path.strip_prefix("/api/callog/") {
        req.path = format!("/api/calllog/{rest}");
    }
    let Some(op) = crate::OPERATIONS.iter().copied().find(|op| op.path == req.path) else { return };
    if is_multipart {
        return;
    }
    let allowed = forms::allowed(op);
    if req.method == Method::GET {
        if !allowed.get {
            req.path = NOWHERE.to_owned();
        } else if op.method == Method::POST {
            let data = query_data(op, &req.query);
            req.method = Method::POST;
            req.body = Bytes::from(Value::Object(data).to_string());
            req.query.clear();
            req.raw_query = None;
        }
        return;
    }
    if req.method == Method::POST && !allowed.post {
        req.path = NOWHERE.to_owned();
        return;
    }
    if let Some(env) = envelope {
        let (target, action) = forms::target_action(op);
        let named = (text(env.get("target")), text(env.get("action")));
        let target_ok = named.0 == target || (target == "calllog" && named.0 == "callog");
        if !target_ok || named.1 != action {
            req.path = NOWHERE.to_owned();
            return;
        }
        let data = match env.get("data") {
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(d) => d.clone(),
        };
        req.body = Bytes::from(data.to_string());
    }
}

/// The text of an envelope member (`""` when absent or not text).
fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// The query of a GET as the JSON `data` of the POST form.
fn query_data(op: &Operation, query: &[(String, String)]) -> Map<String, Value> {
    let mut data = Map::new();
    for (key, value) in query {
        let param = op
            .params
            .iter()
            .find(|p| p.wire.eq_ignore_ascii_case(key) || forms::get_key(op, p.wire) == Some(key.as_str()));
        let (wire, ty) = match param {
            Some(p) => (p.wire.to_owned(), p.ty),
            None => (key.clone(), "string"),
        };
        data.insert(wire, typed(ty, value));
    }
    data
}

/// A query value as the JSON value of its spec type.
fn typed(ty: &str, value: &str) -> Value {
    let number = || value.trim().parse::<i64>().ok().map(Value::from);
    let json = || serde_json::from_str::<Value>(value).ok();
    match ty {
        "int" | "u32" | "u64" | "bool01" => number().unwrap_or_else(|| Value::String(value.to_owned())),
        "string[]" => json().filter(Value::is_array).unwrap_or_else(|| {
            Value::Array(value.split(',').filter(|s| !s.is_empty()).map(|s| Value::String(s.to_owned())).collect())
        }),
        t if t == "json" || t.starts_with("model:") => json().unwrap_or_else(|| Value::String(value.to_owned())),
        _ => Value::String(value.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(method: Method, target: &str, body: &str) -> SimRequest {
        let mut req = SimRequest::new(method, target).with_body(body.to_owned());
        rewrite(&mut req);
        req
    }

    #[test]
    fn every_form_becomes_the_spec_form() {
        let get = rewritten(Method::GET, "/api/relay/trig?mode=1&num=1&level=1&delay=5", "");
        assert_eq!((get.method.clone(), get.path.as_str()), (Method::POST, "/api/relay/trig"));
        let body: Value = serde_json::from_slice(&get.body).unwrap();
        assert_eq!(body, serde_json::json!({"mode": 1, "num": 1, "level": 1, "delay": 5}));
        let root = rewritten(Method::POST, "/api/", r#"{"target":"callog","action":"clear","data":{"Type":"Missed"}}"#);
        assert_eq!(root.path, "/api/calllog/clear");
        assert_eq!(&root.body[..], br#"{"Type":"Missed"}"#);
        let get = rewritten(Method::GET, "/api/calllog/clear?type=Missed", "");
        assert_eq!(&get.body[..], br#"{"Type":"Missed"}"#);
        assert_eq!(rewritten(Method::GET, "/api/config/set", "").path, NOWHERE);
        assert_eq!(rewritten(Method::POST, "/api/relay/get", r#"{"target":"input","action":"get"}"#).path, NOWHERE);
        let sent = rewritten(Method::POST, "/api/", "{}");
        assert_eq!(sent.path, NOWHERE);
        assert_eq!(sent.extensions.get::<Sent>().map(|s| s.path.as_str()), Some("/api/"));
    }
}
