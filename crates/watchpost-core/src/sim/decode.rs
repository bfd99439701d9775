//! Server-side request decoding: [`FromSimRequest`], the inverse of
//! [`ToRequest`](crate::operation::ToRequest), which `cargo xtask codegen` implements for every
//! generated request struct (into a vendor's `src/sim/generated.rs`).
//!
//! Generated decoders read each parameter where the client put it (path placeholder, query pair,
//! form field, JSON member, header or the whole body) with a [`Decoder`], convert its wire text
//! with the functions of [`text`] or its JSON member with those of [`json`], and answer a
//! [`SimRejection`] naming the operation and the parameter when something is missing or malformed.
//! The simulator turns a rejection into the vendor's documented "bad parameter" answer.
//!
//! Decoding is lenient where a real platform is: unknown fields and pairs are ignored (an auth
//! step adds its own, such as EZVIZ's `accessToken`) and the first of repeated pairs wins. Values
//! are strict where the client is exact: a `bool01` is `0` or `1`, never `true`, so that a
//! simulator catches a client that sends the wrong form.
//!
//! ```
//! use http::Method;
//! use watchpost_core::sim::decode::{text, Decoder};
//! use watchpost_core::sim::SimRequest;
//! # use watchpost_core::operation::{Operation, TimeoutClass};
//! # static OP: Operation = Operation { vendor: "x", id: "thing.get", method: Method::GET,
//! #     path: "/things", idempotent: true, timeout: TimeoutClass::Default, summary: "",
//! #     section: "", params: &[] };
//!
//! let req = SimRequest::new(Method::GET, "/things?limit=10&tags=a,b");
//! let d = Decoder::new(&OP, &req);
//! let limit: u32 = d.need("limit", d.query("limit"), text::parse)?;
//! let tags: Option<Vec<String>> = d.opt("tags", d.query("tags"), text::list)?;
//! let page: Option<u32> = d.opt("page", d.query("page"), text::parse)?;
//! assert_eq!((limit, tags, page), (10, Some(vec!["a".to_owned(), "b".to_owned()]), None));
//! assert!(d.need::<u32, _, _>("page", d.query("page"), text::parse).is_err());
//! # Ok::<(), watchpost_core::sim::SimRejection>(())
//! ```

use std::collections::HashMap;
use std::fmt;

use bytes::Bytes;
use serde_json::{Map, Value};

use super::path::PathTemplate;
use super::request::SimRequest;
use crate::operation::{Operation, Request};

/// A request struct that a simulator can decode from what arrived on the wire: the exact inverse
/// of its [`ToRequest`](crate::operation::ToRequest).
pub trait FromSimRequest: Sized {
    /// Decodes the request; path parameters are read from [`SimRequest::params`] (filled by the
    /// route template).
    ///
    /// # Errors
    /// A [`SimRejection`] naming the first parameter that is missing or malformed.
    fn from_sim_request(req: &SimRequest) -> Result<Self, SimRejection>;
}

/// Why a request did not decode: the operation, the parameter's wire name (empty for the whole
/// body) and what was wrong. It never carries the parameter's value, which may be a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimRejection {
    /// Id of the operation.
    pub op: &'static str,
    /// Wire name of the parameter, or `""` for the body as a whole.
    pub param: &'static str,
    /// What was wrong, without the value.
    pub reason: String,
}

impl SimRejection {
    /// A rejection of `param` of `op`.
    pub fn new(op: &'static str, param: &'static str, reason: impl Into<String>) -> Self {
        SimRejection { op, param, reason: reason.into() }
    }

    /// A vendor-neutral answer: `400` with this rejection as plain text.
    pub fn default_response(&self) -> super::SimResponse {
        super::SimResponse::text(400, self.to_string())
    }
}

impl fmt::Display for SimRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.param.is_empty() {
            write!(f, "{}: body: {}", self.op, self.reason)
        } else {
            write!(f, "{}: parameter `{}`: {}", self.op, self.param, self.reason)
        }
    }
}

impl std::error::Error for SimRejection {}

/// Reads the parameters of one request of one operation, for generated decoders.
#[derive(Debug)]
pub struct Decoder<'a> {
    op: &'static Operation,
    req: &'a SimRequest,
}

/// The form fields of a body, first value of each name winning.
#[derive(Debug, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The first value of the field `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

impl<'a> Decoder<'a> {
    /// A decoder of `req` as a request of `op`.
    pub fn new(op: &'static Operation, req: &'a SimRequest) -> Self {
        Decoder { op, req }
    }

    /// A rejection of `param` of this operation.
    pub fn reject(&self, param: &'static str, reason: impl Into<String>) -> SimRejection {
        SimRejection::new(self.op.id, param, reason)
    }

    /// The decoded path parameter filling `{placeholder}`.
    pub fn path(&self, placeholder: &str) -> Option<&'a str> {
        self.req.param(placeholder)
    }

    /// The first value of the query parameter `wire`.
    pub fn query(&self, wire: &str) -> Option<&'a str> {
        self.req.query_param(wire)
    }

    /// The header `wire`.
    ///
    /// # Errors
    /// When the header is present but not visible ASCII text.
    pub fn header(&self, wire: &'static str) -> Result<Option<&'a str>, SimRejection> {
        match self.req.headers.get(wire) {
            None => Ok(None),
            Some(v) => v.to_str().map(Some).map_err(|_| self.reject(wire, "header value is not visible ASCII")),
        }
    }

    /// The body's form fields.
    pub fn form(&self) -> Fields {
        Fields(self.req.form())
    }

    /// The body as a JSON object (an empty body counts as `{}`).
    ///
    /// # Errors
    /// When the body is not a JSON object.
    pub fn json_object(&self) -> Result<Map<String, Value>, SimRejection> {
        if self.req.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Map::new());
        }
        match serde_json::from_slice::<Value>(&self.req.body) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(self.reject("", "the body is not a JSON object")),
            Err(e) => Err(self.reject("", format!("the body is not JSON: {}", kind(&e)))),
        }
    }

    /// The whole body, even empty (for a required whole-body parameter).
    pub fn body(&self) -> Option<&'a Bytes> {
        Some(&self.req.body)
    }

    /// The whole body, or `None` when it is empty (for an optional whole-body parameter, which
    /// the client leaves out when unset).
    pub fn optional_body(&self) -> Option<&'a Bytes> {
        (!self.req.body.is_empty()).then_some(&self.req.body)
    }

    /// Converts a parameter that must be present.
    ///
    /// # Errors
    /// When it is absent or `convert` refuses it.
    pub fn need<T, V: ?Sized, F>(&self, wire: &'static str, value: Option<&V>, convert: F) -> Result<T, SimRejection>
    where
        F: FnOnce(&V) -> Result<T, String>,
    {
        match value {
            Some(v) => convert(v).map_err(|reason| self.reject(wire, reason)),
            None => Err(self.reject(wire, "missing")),
        }
    }

    /// Converts an optional parameter (`None` when absent; a JSON `null` member is absent too).
    ///
    /// # Errors
    /// When `convert` refuses it.
    pub fn opt<T, V: ?Sized, F>(
        &self,
        wire: &'static str,
        value: Option<&V>,
        convert: F,
    ) -> Result<Option<T>, SimRejection>
    where
        F: FnOnce(&V) -> Result<T, String>,
    {
        value.map(|v| convert(v).map_err(|reason| self.reject(wire, reason))).transpose()
    }
}

/// A JSON member that is present and not `null`.
pub fn member<'m>(map: &'m Map<String, Value>, wire: &str) -> Option<&'m Value> {
    map.get(wire).filter(|v| !v.is_null())
}

/// Conversions of wire text (path segment, query pair, form field, header value).
pub mod text {
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    /// The text itself (`string` and `secret` parameters).
    ///
    /// # Errors
    /// Never.
    pub fn string(s: &str) -> Result<String, String> {
        Ok(s.to_owned())
    }

    /// A number (`int`, `u32`, `u64`, `f64`), surrounding blanks ignored.
    ///
    /// # Errors
    /// When the text is not a number of that type.
    pub fn parse<T: std::str::FromStr>(s: &str) -> Result<T, String> {
        s.trim().parse().map_err(|_| format!("not a valid {}", short_type::<T>()))
    }

    /// A `bool` parameter: `true` or `false`, as the client writes it.
    ///
    /// # Errors
    /// Any other text (`1` included: a simulator catches a client sending the wrong form).
    pub fn flag(s: &str) -> Result<bool, String> {
        match s.trim() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err("expected true or false".to_owned()),
        }
    }

    /// A `bool01` parameter: `1` or `0`, as the client writes it.
    ///
    /// # Errors
    /// Any other text (`true` included: a simulator catches a client sending the wrong form).
    pub fn flag01(s: &str) -> Result<bool, String> {
        match s.trim() {
            "1" => Ok(true),
            "0" => Ok(false),
            _ => Err("expected 0 or 1".to_owned()),
        }
    }

    /// A comma-joined list (`string[]`, style `comma`); the empty text is the empty list.
    ///
    /// # Errors
    /// Never.
    pub fn list(s: &str) -> Result<Vec<String>, String> {
        Ok(if s.is_empty() { Vec::new() } else { s.split(',').map(str::to_owned).collect() })
    }

    /// A value sent as JSON text (`json`, `model:` and `string[]` of style `json`).
    ///
    /// # Errors
    /// When the text is not JSON of the expected shape.
    pub fn json<T: DeserializeOwned>(s: &str) -> Result<T, String> {
        serde_json::from_str(s).map_err(|e| format!("not the expected JSON text ({})", super::kind(&e)))
    }

    /// An `enum:` value from its wire text: read as a JSON string, or else as the JSON number or
    /// boolean the text spells (for enums documented as codes).
    ///
    /// # Errors
    /// When neither reading is a value of the enum.
    pub fn enumerated<T: DeserializeOwned>(s: &str) -> Result<T, String> {
        if let Ok(v) = serde_json::from_value(Value::String(s.to_owned())) {
            return Ok(v);
        }
        match serde_json::from_str::<Value>(s.trim()) {
            Ok(scalar @ (Value::Number(_) | Value::Bool(_))) => serde_json::from_value(scalar).ok(),
            _ => None,
        }
        .ok_or_else(|| "not one of the documented values".to_owned())
    }

    fn short_type<T>() -> &'static str {
        let full = std::any::type_name::<T>();
        full.rsplit("::").next().unwrap_or(full)
    }
}

/// Conversions of JSON body members.
pub mod json {
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    /// A member of any deserializable type.
    ///
    /// # Errors
    /// When the member does not have the expected shape.
    pub fn value<T: DeserializeOwned>(v: &Value) -> Result<T, String> {
        T::deserialize(v).map_err(|e| format!("not the expected JSON ({})", super::kind(&e)))
    }

    /// A `bool01` member: the number `0` or `1`, as the client writes it.
    ///
    /// # Errors
    /// Any other value.
    pub fn flag01(v: &Value) -> Result<bool, String> {
        match v.as_u64() {
            Some(1) => Ok(true),
            Some(0) => Ok(false),
            _ => Err("expected 0 or 1".to_owned()),
        }
    }

    /// A `json` member, as it is.
    ///
    /// # Errors
    /// Never.
    pub fn raw(v: &Value) -> Result<Value, String> {
        Ok(v.clone())
    }
}

/// Conversions of a whole body.
pub mod body {
    use bytes::Bytes;
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    /// A JSON body.
    ///
    /// # Errors
    /// When the body is not JSON of the expected shape.
    pub fn json<T: DeserializeOwned>(b: &Bytes) -> Result<T, String> {
        serde_json::from_slice(b).map_err(|e| format!("not the expected JSON ({})", super::kind(&e)))
    }

    /// A text (or XML) body.
    ///
    /// # Errors
    /// When the body is not UTF-8.
    pub fn text(b: &Bytes) -> Result<String, String> {
        std::str::from_utf8(b).map(str::to_owned).map_err(|_| "the body is not UTF-8 text".to_owned())
    }

    /// A raw body.
    ///
    /// # Errors
    /// Never.
    pub fn bytes(b: &Bytes) -> Result<Bytes, String> {
        Ok(b.clone())
    }

    /// A struct sent as a whole form body: each field read as text, or else as the JSON its text
    /// spells (numbers, booleans, nested values).
    ///
    /// # Errors
    /// When the fields do not make the expected struct.
    pub fn form<T: DeserializeOwned>(b: &Bytes) -> Result<T, String> {
        let pairs = crate::codec::form::decode_pairs(b);
        let as_text: serde_json::Map<String, Value> =
            pairs.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        if let Ok(v) = serde_json::from_value(Value::Object(as_text)) {
            return Ok(v);
        }
        let typed: serde_json::Map<String, Value> = pairs
            .into_iter()
            .map(|(k, v)| {
                let value = serde_json::from_str(&v).unwrap_or(Value::String(v));
                (k, value)
            })
            .collect();
        serde_json::from_value(Value::Object(typed)).map_err(|e| format!("not the expected form ({})", super::kind(&e)))
    }
}

/// Names a serde_json error's category without its text (which may quote a secret value).
fn kind(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "wrong shape",
        serde_json::error::Category::Eof => "truncated",
    }
}

impl SimRequest {
    /// The request exactly as a simulator would receive `req` from a client: method, path and
    /// query as rendered, the headers and the content type, the encoded body, and the path
    /// parameters captured by the operation's template (route name: the operation id).
    /// Lets tests check that a decoder inverts an encoder without a server.
    ///
    /// # Errors
    /// A message when the request has no valid target or does not match its own template.
    pub fn from_client_request(req: &Request) -> Result<SimRequest, String> {
        let target = req.path_and_query().map_err(|e| e.to_string())?;
        let mut sim = SimRequest::new(req.op.method.clone(), &target);
        sim.headers = req.headers.clone();
        if let Some(ct) = req.body.content_type() {
            if let Ok(v) = http::HeaderValue::from_str(ct) {
                sim.headers.insert(http::header::CONTENT_TYPE, v);
            }
        }
        sim.body = req.body.encode();
        let params: HashMap<String, String> = PathTemplate::parse(req.op.path)
            .matches(&sim.path, &sim.query)
            .ok_or_else(|| format!("{target} does not match the template {}", req.op.path))?;
        sim.params = params;
        sim.route = req.op.id;
        Ok(sim)
    }
}

/// Checks that decoding inverts encoding for one request: deserializes `T` from `params` (a JSON
/// object keyed by wire names, as the CLI's `dispatch` takes it), encodes it with its
/// [`ToRequest`](crate::operation::ToRequest), turns that into what a simulator receives
/// ([`SimRequest::from_client_request`]), decodes it with [`FromSimRequest`] and compares. The
/// generated `roundtrip` function of each vendor's simulator calls it per operation; property
/// tests feed it arbitrary parameters.
///
/// # Errors
/// A message when `params` do not make a `T`, the request cannot be encoded, or the decoded
/// request differs from the encoded one.
pub fn roundtrip<T>(op: &str, params: Value) -> Result<(), String>
where
    T: FromSimRequest + crate::operation::ToRequest + serde::de::DeserializeOwned + PartialEq + fmt::Debug,
{
    let sent: T = crate::codec::param::from_params(op, params).map_err(|e| format!("params: {e}"))?;
    if sent.check_limits().is_err() {
        // Outside the spec's limits: the client does not send it (and the decoder refuses it).
        return Ok(());
    }
    let wire = sent.to_request().map_err(|e| format!("encode: {e}"))?;
    let received = SimRequest::from_client_request(&wire)?;
    let decoded = T::from_sim_request(&received).map_err(|e| format!("decode: {e}"))?;
    if decoded == sent {
        Ok(())
    } else {
        Err(format!("{op}: sent {sent:?}, decoded {decoded:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    #[test]
    fn text_conversions() {
        assert_eq!(text::parse::<u32>(" 7 "), Ok(7));
        assert_eq!(text::parse::<u32>("-1"), Err("not a valid u32".to_owned()));
        assert_eq!(text::flag01("1"), Ok(true));
        assert_eq!(text::flag("false"), Ok(false));
        assert!(text::flag("1").is_err());
        assert!(text::flag01("true").is_err());
        assert_eq!(text::list(""), Ok(vec![]));
        assert_eq!(text::list("a,,b"), Ok(vec!["a".to_owned(), String::new(), "b".to_owned()]));
        assert_eq!(text::json::<Vec<u8>>("[1,2]"), Ok(vec![1, 2]));
        assert_eq!(text::enumerated::<u8>("3"), Ok(3));
        assert_eq!(text::enumerated::<String>("x"), Ok("x".to_owned()));
        assert!(text::enumerated::<u8>("x").is_err());
        assert_eq!(json::flag01(&Value::from(1)), Ok(true));
        assert_eq!(json::flag01(&Value::from(0)), Ok(false));
        assert!(json::flag01(&Value::from(2)).is_err());
        assert!(json::flag01(&Value::from(true)).is_err());
    }

    #[test]
    fn rejections_name_the_parameter_and_never_the_value() {
        static OP: Operation = Operation {
            vendor: "x",
            id: "login",
            method: Method::POST,
            path: "/login",
            idempotent: false,
            timeout: crate::operation::TimeoutClass::Default,
            summary: "",
            section: "",
            params: &[],
        };
        let req = SimRequest::new(Method::POST, "/login").with_body("{\"password\": s3cret}");
        let d = Decoder::new(&OP, &req);
        let e = d.json_object().unwrap_err();
        assert_eq!(e.to_string(), "login: body: the body is not JSON: syntax error");
        let form = SimRequest::new(Method::POST, "/login").with_body("pin=s3cret");
        let d = Decoder::new(&OP, &form);
        let e = d.need::<u32, _, _>("pin", d.form().get("pin"), text::parse).unwrap_err();
        assert_eq!(e.to_string(), "login: parameter `pin`: not a valid u32");
        assert!(!format!("{e:?}").contains("s3cret"));
        assert_eq!(e.default_response().status().as_u16(), 400);
    }
}
