//! The request forms of a function and how a spec request becomes one of them.
//!
//! Every operation of `spec/akuvox.toml` is declared in its POST form (path
//! `/api/<target>/<action>`, the `json` params as the members of `data`). Before sending, the
//! client turns the generated request into the form the device profile asks for:
//!
//! - POST: the body becomes the envelope `{"target", "action", "data"}` (no `data` when there
//!   are no parameters), sent to `/api/<target>/<action>` or, with [`PostPath::Root`], to
//!   `/api/` (the only POST URL the seed shows, L194);
//! - GET: the `data` members become the query (`/api/relay/trig?mode=1&num=1`); text as is,
//!   numbers in decimal, a list or object as JSON text. `calllog.clear` sends `type`, not
//!   `Type` (L3387);
//! - uploads (`multipart/form-data`) go as they are.
//!
//! The seed allows GET and POST for most functions, POST only for every set/add/del/import,
//! `firmware.upload` and `user.scan`, and GET only for `pcap.export` ([`allowed`]). A device
//! profile may force one form ([`RequestForm`]); a function that does not allow it is then an
//! [`Error::Unsupported`] and nothing is sent.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use http::Method;
use serde_json::{Map, Value};
use watchpost_core::operation::{Body, Operation, Request};
use watchpost_core::{Error, Result};

/// Which request form the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequestForm {
    /// POST where the function allows it (every function but `pcap.export`), else GET. Default.
    #[default]
    Auto,
    /// GET for every function (firmware that accepts only GET); a POST-only function fails
    /// with [`Error::Unsupported`].
    Get,
    /// POST for every function; a GET-only function fails with [`Error::Unsupported`].
    Post,
}

/// Where a POST goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PostPath {
    /// `/api/<target>/<action>`. Default.
    #[default]
    Function,
    /// `/api/`, the function named by the envelope only (L194).
    Root,
}

/// How the call log target is spelt on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CallLogSpelling {
    /// `calllog`, as in the release notes and every example. Default.
    #[default]
    CallLog,
    /// `callog`, as in the contents and the function table (L105-109, L391-394).
    Callog,
}

/// What a device accepts: the request form, the POST path and the call log spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeviceProfile {
    /// The request form.
    pub form: RequestForm,
    /// Where a POST goes.
    pub post_path: PostPath,
    /// The call log target's spelling.
    pub calllog: CallLogSpelling,
}

/// The forms a function allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forms {
    /// GET with a query.
    pub get: bool,
    /// POST of the envelope (or of a multipart upload).
    pub post: bool,
}

/// The forms the seed allows for `op` (the function table, L327-413, and each section).
pub fn allowed(op: &Operation) -> Forms {
    let (_, action) = target_action(op);
    if op.id == "pcap.export" {
        return Forms { get: true, post: false };
    }
    let post_only = matches!(action, "set" | "add" | "del" | "import" | "upload" | "scan");
    Forms { get: !post_only, post: true }
}

/// The target and action of a spec operation (`/api/relay/trig` → `relay`, `trig`).
pub fn target_action(op: &Operation) -> (&'static str, &'static str) {
    let rest = op.path.strip_prefix("/api/").unwrap_or(op.path);
    let rest = rest.split('?').next().unwrap_or(rest);
    rest.split_once('/').unwrap_or((rest, ""))
}

/// The form `profile` picks for `op`.
///
/// # Errors
/// [`Error::Unsupported`] when the profile forces a form the function does not allow.
pub fn pick(op: &Operation, profile: &DeviceProfile) -> Result<Method> {
    let forms = allowed(op);
    let unsupported = |form: &str| Error::Unsupported {
        op: op.id.to_owned(),
        status: None,
        code: None,
        message: Some(format!("{} does not allow the {form} form the device profile forces", op.id)),
    };
    match profile.form {
        RequestForm::Auto if forms.post => Ok(Method::POST),
        RequestForm::Auto => Ok(Method::GET),
        RequestForm::Get if forms.get => Ok(Method::GET),
        RequestForm::Get => Err(unsupported("GET")),
        RequestForm::Post if forms.post => Ok(Method::POST),
        RequestForm::Post => Err(unsupported("POST")),
    }
}

/// Turns a generated request into the form `profile` picks (see the module docs).
///
/// # Errors
/// [`Error::Unsupported`] as [`pick`]; [`Error::InvalidInput`] when the body is not a JSON
/// object.
pub fn shape(mut req: Request, profile: &DeviceProfile) -> Result<Request> {
    let op = req.op;
    let method = pick(op, profile)?;
    let (target, action) = target_action(op);
    let target = match (target, profile.calllog) {
        ("calllog", CallLogSpelling::Callog) => "callog",
        (t, _) => t,
    };
    if matches!(req.body, Body::Bytes { .. } | Body::Stream(_)) {
        // A multipart upload: its own body, to the function's path.
        req.op = variant(op, Method::POST, &format!("/api/{target}/{action}"));
        return Ok(req);
    }
    let data = match &req.body {
        Body::Json(bytes) => serde_json::from_slice::<Value>(bytes)
            .map_err(|e| Error::invalid_input(op.id, format!("request body is not JSON: {e}")))?,
        Body::Empty => Value::Object(Map::new()),
        _ => return Err(Error::invalid_input(op.id, "request body is not a JSON object")),
    };
    let Value::Object(data) = data else {
        return Err(Error::invalid_input(op.id, "request data is not a JSON object"));
    };
    if method == Method::GET {
        // In the order the spec (and the seed's examples) list the parameters.
        let mut members: Vec<(String, Value)> = data.into_iter().collect();
        members.sort_by_key(|(k, _)| op.params.iter().position(|p| p.wire == k.as_str()).unwrap_or(usize::MAX));
        for (key, value) in members {
            let key = get_key(op, &key).map_or(key, str::to_owned);
            match value {
                Value::Null => {}
                Value::String(s) => req.query.push((key, s)),
                v @ (Value::Number(_) | Value::Bool(_) | Value::Array(_) | Value::Object(_)) => {
                    req.query.push((key, v.to_string()));
                }
            }
        }
        req.body = Body::Empty;
        req.op = variant(op, Method::GET, &format!("/api/{target}/{action}"));
        return Ok(req);
    }
    let mut envelope = Map::new();
    envelope.insert("target".into(), Value::String(target.into()));
    envelope.insert("action".into(), Value::String(action.into()));
    if !data.is_empty() {
        envelope.insert("data".into(), Value::Object(data));
    }
    req.body = Body::json(op.id, &Value::Object(envelope))?;
    let path = match profile.post_path {
        PostPath::Function => format!("/api/{target}/{action}"),
        PostPath::Root => "/api/".to_owned(),
    };
    req.op = variant(op, Method::POST, &path);
    Ok(req)
}

/// The query key of a `data` member where the GET form spells it differently.
pub fn get_key(op: &Operation, member: &str) -> Option<&'static str> {
    (op.id == "calllog.clear" && member == "Type").then_some("type")
}

type VariantKey = (&'static str, Method, String);

/// `op` with another method or path: the operation the pipeline sends (its method and path),
/// made once per operation, method and path and kept for the life of the process (at most
/// 85 × 2 × 3).
pub fn variant(op: &'static Operation, method: Method, path: &str) -> &'static Operation {
    if op.method == method && op.path == path {
        return op;
    }
    static VARIANTS: OnceLock<Mutex<HashMap<VariantKey, &'static Operation>>> = OnceLock::new();
    let mut variants = VARIANTS.get_or_init(Default::default).lock().unwrap_or_else(PoisonError::into_inner);
    variants.entry((op.id, method.clone(), path.to_owned())).or_insert_with(|| {
        let path: &'static str = Box::leak(path.to_owned().into_boxed_str());
        Box::leak(Box::new(Operation { method, path, ..op.clone() }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops;

    #[test]
    fn forms_follow_the_function_table() {
        assert_eq!(allowed(&ops::RELAY_TRIG), Forms { get: true, post: true });
        assert_eq!(allowed(&ops::PRIVATEKEY_ADD), Forms { get: false, post: true });
        assert_eq!(allowed(&ops::USER_SCAN), Forms { get: false, post: true });
        assert_eq!(allowed(&ops::PCAP_EXPORT), Forms { get: true, post: false });
        let get = DeviceProfile { form: RequestForm::Get, ..Default::default() };
        assert_eq!(pick(&ops::CONFIG_SET, &get).unwrap_err().kind(), watchpost_core::ErrorKind::Unsupported);
        assert_eq!(pick(&ops::PCAP_EXPORT, &DeviceProfile::default()).unwrap(), Method::GET);
    }

    #[test]
    fn variants_are_made_once() {
        let a = variant(&ops::SYSTEM_INFO, Method::GET, "/api/system/info");
        let b = variant(&ops::SYSTEM_INFO, Method::GET, "/api/system/info");
        assert!(std::ptr::eq(a, b));
        assert_eq!((a.method.clone(), a.id), (Method::GET, "system.info"));
        assert!(std::ptr::eq(variant(&ops::SYSTEM_INFO, Method::POST, "/api/system/info"), &ops::SYSTEM_INFO));
    }
}
