//! Operation descriptions, requests and raw responses: the data that flows through the pipeline.
//!
//! An [`Operation`] is the static description of one documented API call (generated from a
//! vendor's `spec/*.toml` by `cargo xtask codegen`). A [`Request`] is one concrete call of it:
//! path parameters, query, headers and a [`Body`] that is encoded on every attempt, so that an
//! auth step can still add to it (EZVIZ puts `accessToken` in the form body). A
//! [`RawResponse`] is what came back, fully read, ready for a vendor's envelope decoder.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{DecodeError, Error, Result};

/// How long an operation is expected to take, which picks its default timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TimeoutClass {
    /// An ordinary request/response call. Default.
    #[default]
    Default,
    /// A long poll that the server holds open for a while (for example 20 s).
    LongPoll,
    /// An endless event stream: no attempt timeout on the body, an idle watchdog instead.
    Stream,
    /// A file transfer: a generous attempt timeout.
    Transfer,
}

/// Where a parameter of an operation travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamLocation {
    /// Substituted into the path template (`{name}`).
    Path,
    /// A query-string pair.
    Query,
    /// A pair of an `application/x-www-form-urlencoded` body.
    Form,
    /// A member of a JSON body.
    Json,
    /// An XML body element.
    Xml,
    /// An HTTP header.
    Header,
    /// The raw body.
    Body,
}

/// One documented parameter of an operation (for the CLI, the simulator and coverage tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamInfo {
    /// The Rust field name.
    pub name: &'static str,
    /// The name on the wire, exactly as documented.
    pub wire: &'static str,
    /// Where it travels.
    pub location: ParamLocation,
    /// The spec's type name (`string`, `integer`, `bool01`, `json`, ...).
    pub ty: &'static str,
    /// Whether the operation needs it.
    pub required: bool,
    /// One line from the seed document.
    pub doc: &'static str,
}

/// The static description of one documented operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// Vendor short name (`ezviz`, `hikgw`, `gizwits`, ...).
    pub vendor: &'static str,
    /// Stable operation id (`device.info`), used in errors, logs and the CLI.
    pub id: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template with `{name}` placeholders, as documented.
    pub path: &'static str,
    /// Whether repeating the call has no further effect (GET-like). Only idempotent operations
    /// are retried on transient errors, unless the vendor declares an error safe to repeat.
    pub idempotent: bool,
    /// Which default timeouts apply.
    pub timeout: TimeoutClass,
    /// One-line summary from the seed document.
    pub summary: &'static str,
    /// Where the seed document describes it (section number).
    pub section: &'static str,
    /// Its documented parameters.
    pub params: &'static [ParamInfo],
}

impl Operation {
    /// A minimal operation for calls that are not in a spec table (login helpers, tests).
    pub const fn adhoc(vendor: &'static str, id: &'static str, method: Method, path: &'static str) -> Self {
        Operation {
            vendor,
            id,
            method,
            path,
            idempotent: false,
            timeout: TimeoutClass::Default,
            summary: "",
            section: "",
            params: &[],
        }
    }

    /// The same operation with `idempotent` set (usable in `static` initializers).
    #[must_use]
    pub const fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }

    /// The same operation with another timeout class (usable in `static` initializers).
    #[must_use]
    pub const fn timeout(mut self, timeout: TimeoutClass) -> Self {
        self.timeout = timeout;
        self
    }
}

/// A request body, encoded on each attempt.
///
/// `Debug` shows form keys with the values of credential-like keys replaced by `***`, and only
/// the size of other bodies: a body may carry a token or a secret.
#[derive(Clone, Default)]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// `application/x-www-form-urlencoded` pairs (kept as pairs so auth can add to them).
    Form(Vec<(String, String)>),
    /// A pre-encoded JSON document.
    Json(Bytes),
    /// A pre-encoded XML document.
    Xml(Bytes),
    /// Plain text.
    Text(String),
    /// Raw bytes with their content type.
    Bytes {
        /// The `Content-Type` header value.
        content_type: String,
        /// The payload.
        data: Bytes,
    },
    /// A body streamed from re-openable sources, never held in memory (a firmware image); see
    /// [`crate::transport::upload`].
    Stream(crate::transport::upload::StreamedBody),
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Form(pairs) => f.debug_tuple("Form").field(&RedactedPairs(pairs)).finish(),
            Body::Json(b) => write!(f, "Json({} bytes)", b.len()),
            Body::Xml(b) => write!(f, "Xml({} bytes)", b.len()),
            Body::Text(t) => write!(f, "Text({} bytes)", t.len()),
            Body::Bytes { content_type, data } => write!(f, "Bytes({content_type:?}, {} bytes)", data.len()),
            Body::Stream(s) => write!(f, "Stream({:?}, {} bytes)", s.content_type(), s.len()),
        }
    }
}

/// Name/value pairs printed with credential-like values hidden.
struct RedactedPairs<'a>(&'a [(String, String)]);

impl std::fmt::Debug for RedactedPairs<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| (k, if crate::error::is_secret_key(k) { "***" } else { v.as_str() })))
            .finish()
    }
}

impl Body {
    /// Serializes `value` as a JSON body.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the value cannot be serialized.
    pub fn json<T: Serialize + ?Sized>(op: &str, value: &T) -> Result<Self> {
        serde_json::to_vec(value)
            .map(|v| Body::Json(v.into()))
            .map_err(|e| Error::invalid_input(op, format!("cannot encode JSON body: {e}")))
    }

    /// Serializes `value` (a struct of scalar fields) as form pairs.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the value is not a flat map of scalars.
    pub fn form<T: Serialize + ?Sized>(op: &str, value: &T) -> Result<Self> {
        Ok(Body::Form(crate::codec::form::to_pairs(value).map_err(|m| Error::invalid_input(op, m))?))
    }

    /// The content type this body is sent with, if any.
    pub fn content_type(&self) -> Option<&str> {
        match self {
            Body::Empty => None,
            Body::Form(_) => Some("application/x-www-form-urlencoded"),
            Body::Json(_) => Some("application/json"),
            Body::Xml(_) => Some("application/xml"),
            Body::Text(_) => Some("text/plain"),
            Body::Bytes { content_type, .. } => Some(content_type),
            Body::Stream(s) => Some(s.content_type()),
        }
    }

    /// The bytes on the wire; empty for a [`Body::Stream`] (its bytes are read as it is sent).
    pub fn encode(&self) -> Bytes {
        match self {
            Body::Empty => Bytes::new(),
            Body::Form(pairs) => Bytes::from(crate::codec::form::encode_pairs(pairs)),
            Body::Json(b) | Body::Xml(b) => b.clone(),
            Body::Text(t) => Bytes::from(t.clone()),
            Body::Bytes { data, .. } => data.clone(),
            Body::Stream(_) => Bytes::new(),
        }
    }
}

/// Per-request timeout overrides; unset fields fall back to the client's configuration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeoutOverride {
    /// Limit for one attempt (send and read the whole response).
    pub attempt: Option<Duration>,
    /// Limit for the whole operation (all attempts and back-off).
    pub operation: Option<Duration>,
}

/// Per-call overrides a vendor client applies to every request of one call (aws-sdk
/// `customize()` style, see the vendor clients' `customize`): timeouts, extra headers, and
/// retries off. Unset fields keep the client's configuration.
///
/// `Debug` shows header names only: an extra header may carry a credential.
#[derive(Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct CallOptions {
    timeouts: TimeoutOverride,
    headers: HeaderMap,
    no_retry: bool,
}

impl std::fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallOptions")
            .field("timeouts", &self.timeouts)
            .field("headers", &self.headers.keys().map(HeaderName::as_str).collect::<Vec<_>>())
            .field("no_retry", &self.no_retry)
            .finish()
    }
}

impl CallOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Limit for the whole call (all attempts and back-off) instead of the client's.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.operation = Some(timeout);
        self
    }

    /// Limit for each attempt instead of the client's (for a stream: for opening it).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.attempt = Some(timeout);
        self
    }

    /// Adds a header to every request of the call (replacing one of the same name the request
    /// already has; the client's `Authorization` is set after and wins).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Makes at most one attempt: no retry after a transient error, throttling or timeout. A
    /// token rejected as expired is still refreshed and the call replayed once (the service
    /// did not act on it).
    pub fn disable_retry(mut self) -> Self {
        self.no_retry = true;
        self
    }

    /// The timeout overrides.
    pub fn timeouts(&self) -> TimeoutOverride {
        self.timeouts
    }

    /// The extra headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Whether retries are off.
    pub fn retry_disabled(&self) -> bool {
        self.no_retry
    }

    /// Whether nothing is overridden.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Applies the options to `req`: set timeouts replace the request's, headers are added,
    /// retries are turned off if asked.
    pub fn apply(&self, mut req: Request) -> Request {
        if let Some(d) = self.timeouts.operation {
            req.timeouts.operation = Some(d);
        }
        if let Some(d) = self.timeouts.attempt {
            req.timeouts.attempt = Some(d);
        }
        for (name, value) in &self.headers {
            req.headers.insert(name.clone(), value.clone());
        }
        if self.no_retry {
            req.no_retry = true;
        }
        req
    }
}

/// One concrete call of an [`Operation`].
///
/// `Debug` hides credential-like query values, every header value and the body's content
/// (see [`Body`]): a request may carry a token or a secret.
#[derive(Clone)]
pub struct Request {
    /// The operation being called.
    pub op: &'static Operation,
    /// Values for the `{name}` placeholders of the path template.
    pub path_params: Vec<(&'static str, String)>,
    /// Query-string pairs, in order.
    pub query: Vec<(String, String)>,
    /// Extra headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Body,
    /// Timeout overrides for this call.
    pub timeouts: TimeoutOverride,
    /// The device the call addresses: a pipeline built with per-device serialisation on sends
    /// one call per device key at a time. `None` (default) for calls that address no device.
    pub device_key: Option<String>,
    /// Whether the pipeline makes at most one attempt (see [`CallOptions::disable_retry`]).
    pub no_retry: bool,
    /// A path and query sent byte for byte instead of the rendered template (see
    /// [`verbatim_target`](Self::verbatim_target)).
    verbatim: Option<String>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("op", &self.op.id)
            .field("path_params", &self.path_params)
            .field("query", &RedactedPairs(&self.query))
            .field("headers", &self.headers.keys().map(http::HeaderName::as_str).collect::<Vec<_>>())
            .field("body", &self.body)
            .field("timeouts", &self.timeouts)
            .field("device_key", &self.device_key)
            .field("no_retry", &self.no_retry)
            .field("verbatim", &self.verbatim)
            .finish()
    }
}

impl Request {
    /// A request for `op` with no parameters.
    pub fn new(op: &'static Operation) -> Self {
        Request {
            op,
            path_params: Vec::new(),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: Body::Empty,
            timeouts: TimeoutOverride::default(),
            device_key: None,
            no_retry: false,
            verbatim: None,
        }
    }

    /// Sends `path_and_query` exactly as given instead of rendering the operation's path
    /// template (for URLs a device handed out, such as a Hikvision alarm video URL, whose
    /// `/` and `?` must not be percent-encoded). Path parameters and query pairs are then ignored.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when it does not start with `/` or is not a valid request target.
    pub fn verbatim_target(mut self, path_and_query: impl Into<String>) -> Result<Self> {
        let target = path_and_query.into();
        if !target.starts_with('/') || target.parse::<http::uri::PathAndQuery>().is_err() {
            return Err(Error::invalid_input(self.op.id, format!("{target:?} is not a request target")));
        }
        self.verbatim = Some(target);
        Ok(self)
    }

    /// Sets a path parameter.
    #[must_use]
    pub fn path_param(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.path_params.push((name, value.into()));
        self
    }

    /// Appends a query pair.
    #[must_use]
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Sets a header.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `value` is not a valid header value.
    pub fn header(mut self, name: &'static str, value: &str) -> Result<Self> {
        let v = HeaderValue::from_str(value)
            .map_err(|_| Error::invalid_input(self.op.id, format!("header {name} has an invalid value")))?;
        self.headers.insert(name, v);
        Ok(self)
    }

    /// Sets the body.
    #[must_use]
    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// Sets the attempt timeout for this call only.
    #[must_use]
    pub fn attempt_timeout(mut self, d: Duration) -> Self {
        self.timeouts.attempt = Some(d);
        self
    }

    /// Sets the whole-operation timeout for this call only.
    #[must_use]
    pub fn operation_timeout(mut self, d: Duration) -> Self {
        self.timeouts.operation = Some(d);
        self
    }

    /// Names the device the call addresses (see [`device_key`](Self#structfield.device_key)).
    #[must_use]
    pub fn device_key(mut self, key: Option<String>) -> Self {
        self.device_key = key;
        self
    }

    /// Applies per-call options (see [`CallOptions::apply`]).
    #[must_use]
    pub fn options(self, options: &CallOptions) -> Self {
        options.apply(self)
    }

    /// Whether the request target is verbatim (see [`verbatim_target`](Self::verbatim_target)):
    /// it is then sent to the base URL's origin, without the base URL's own path.
    pub fn is_verbatim(&self) -> bool {
        self.verbatim.is_some()
    }

    /// The path with placeholders substituted (values percent-encoded) and the query appended.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when a placeholder has no value.
    pub fn path_and_query(&self) -> Result<String> {
        if let Some(target) = &self.verbatim {
            return Ok(target.clone());
        }
        let mut out = String::with_capacity(self.op.path.len() + 16);
        let mut rest = self.op.path;
        while let Some(open) = rest.find('{') {
            let close = rest[open..]
                .find('}')
                .map(|c| open + c)
                .ok_or_else(|| Error::invalid_input(self.op.id, "unterminated placeholder in path template"))?;
            out.push_str(&rest[..open]);
            let name = &rest[open + 1..close];
            let value = self
                .path_params
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v)
                .ok_or_else(|| Error::invalid_input(self.op.id, format!("missing path parameter `{name}`")))?;
            if value.is_empty() {
                return Err(Error::invalid_input(self.op.id, format!("path parameter `{name}` is empty")));
            }
            out.push_str(&crate::codec::form::encode_path_segment(value));
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        if !self.query.is_empty() {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(&crate::codec::form::encode_pairs(&self.query));
        }
        Ok(out)
    }
}

/// A complete response, read into memory (bounded by the client's body limit).
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The id of the operation that produced it.
    pub op: &'static str,
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl RawResponse {
    /// The `Content-Type` header, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    /// A [`Error::Decode`] for this response.
    pub fn decode_error(&self, source: DecodeError) -> Error {
        Error::decode(self.op, Some(self.status.as_u16()), &self.body, source)
    }

    /// Decodes the body as JSON.
    ///
    /// # Errors
    /// [`Error::Decode`] on an empty body or JSON that does not fit `T`; its source, a
    /// [`DecodeError::Json`], names the path of the failing field.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(self.decode_error(DecodeError::Empty));
        }
        crate::codec::json::from_slice(&self.body).map_err(|e| self.decode_error(e))
    }

    /// The body as UTF-8 text.
    ///
    /// # Errors
    /// [`Error::Decode`] when the body is not UTF-8.
    pub fn text(&self) -> Result<&str> {
        std::str::from_utf8(&self.body).map_err(|e| self.decode_error(DecodeError::Utf8 { source: e }))
    }

    /// Decodes the body as XML, matching element names by local name whatever the namespace.
    ///
    /// # Errors
    /// [`Error::Decode`] on an empty body or XML that does not fit `T`.
    #[cfg(feature = "xml")]
    pub fn xml<T: DeserializeOwned>(&self) -> Result<T> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(self.decode_error(DecodeError::Empty));
        }
        crate::codec::xml::from_slice(&self.body).map_err(|e| self.decode_error(e))
    }
}

/// Turns a typed request into a [`Request`]; implemented by the request structs that
/// `cargo xtask codegen` generates from a vendor spec.
pub trait ToRequest {
    /// The operation this request calls.
    fn operation(&self) -> &'static Operation;
    /// Builds the wire request (path parameters, query, headers, body).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when a value cannot be encoded.
    fn to_request(&self) -> Result<Request>;

    /// Checks the parameter limits the spec declares (`min`, `max`, `min_len`, `max_len`,
    /// `closed`): the generated `to_request` calls it before encoding and the generated simulator
    /// decoder after decoding, so one declaration binds both sides. None by default.
    ///
    /// # Errors
    /// The wire name of the first parameter outside its limits, and why.
    fn check_limits(&self) -> std::result::Result<(), (&'static str, String)> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static OP: Operation = Operation::adhoc("t", "t.op", Method::GET, "/v1/products/{product_key}/devices/{did}");

    #[test]
    fn path_template_is_filled_and_encoded() {
        let r = Request::new(&OP).path_param("product_key", "pk 1").path_param("did", "d/2").query("limit", "20");
        assert_eq!(r.path_and_query().unwrap(), "/v1/products/pk%201/devices/d%2F2?limit=20");
    }

    #[test]
    fn verbatim_targets_are_sent_as_given_and_validated() {
        let r = Request::new(&OP).verbatim_target("/HikGatewayStorage/pic?F14E_CH02.mp4").unwrap();
        assert_eq!(r.path_and_query().unwrap(), "/HikGatewayStorage/pic?F14E_CH02.mp4");
        assert!(Request::new(&OP).verbatim_target("http://other/x").is_err());
        assert!(Request::new(&OP).verbatim_target("/bad path").is_err());
    }

    #[test]
    fn debug_hides_secrets() {
        let r = Request::new(&OP)
            .query("product_secret", "ps-123")
            .query("limit", "20")
            .header("authorization", "token tk-456")
            .unwrap()
            .body(Body::Form(vec![("accessToken".into(), "at.789".into()), ("deviceSerial".into(), "C1".into())]));
        let s = format!("{r:?}");
        for secret in ["ps-123", "tk-456", "at.789"] {
            assert!(!s.contains(secret), "{secret} in {s}");
        }
        assert!(s.contains("limit") && s.contains("20") && s.contains("C1") && s.contains("authorization"), "{s}");
        assert_eq!(format!("{:?}", Body::Json(bytes::Bytes::from_static(b"{\"password\":\"x\"}"))), "Json(16 bytes)");
    }

    #[test]
    fn call_options_override_timeouts_add_headers_and_turn_retry_off() {
        let base = Request::new(&OP).attempt_timeout(Duration::from_secs(9)).operation_timeout(Duration::from_secs(60));
        assert!(CallOptions::new().is_empty());
        let same = base.clone().options(&CallOptions::new());
        assert_eq!(same.timeouts, base.timeouts);
        assert!(!same.no_retry && same.headers.is_empty());
        let opts = CallOptions::new()
            .operation_timeout(Duration::from_secs(2))
            .header(HeaderName::from_static("x-trace"), HeaderValue::from_static("t1"))
            .disable_retry();
        let r = base.options(&opts);
        assert_eq!(r.timeouts.operation, Some(Duration::from_secs(2)));
        assert_eq!(r.timeouts.attempt, Some(Duration::from_secs(9)));
        assert_eq!(r.headers.get("x-trace").unwrap(), "t1");
        assert!(r.no_retry);
        assert!(!format!("{opts:?}").contains("t1"));
    }

    #[test]
    fn missing_path_param_is_invalid_input() {
        let r = Request::new(&OP).path_param("product_key", "pk");
        let e = r.path_and_query().unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput);
    }
}
