//! ISAPI pass-through (section 3.23 and Appendix A.4): the raw request and answer, their
//! classification, and a typed call for every method+URI pair of Appendix A.4 over the shared
//! ISAPI models of `watchpost-isapi` ([`a4`]).
//!
//! `{areaDomain}/api/hpcgw/v1/device/transparent` + the ISAPI URI verbatim carries the device's
//! own ISAPI document both ways, never wrapped in the platform's envelope. The device is named
//! by `X-Devserial`; `X-Username`/`X-Password`/`X-Userlevel` act as a device user (AX Pro).
//! Failures come as the platform's envelope (token, device offline), as the `X-ErrorCode` /
//! `X-EZO-Code` / `X-DeviceCode` headers, or as an ISAPI `ResponseStatus` whose `statusCode` is
//! not 1 (or 7): each is a typed [`Error`], never a success.

use std::fmt;
use std::marker::PhantomData;

use bytes::Bytes;
use http::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Serialize;
use watchpost_core::error::DecodeError;
use watchpost_core::{Error, ErrorClass, RawResponse, Result};
use watchpost_isapi::models::{ResponseStatus, XmlResponseStatus};

/// The shared ISAPI models (`watchpost_isapi::models`) the typed calls read and write.
pub use watchpost_isapi::models as shared;

/// The path of the pass-through; the ISAPI URI follows it.
pub const TRANSPARENT_PATH: &str = "/api/hpcgw/v1/device/transparent";

/// Longest ISAPI URI accepted (checked before sending).
pub const MAX_URI_LEN: usize = 1024;

/// The user type on AX Pro devices (`X-Userlevel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserLevel {
    /// 0: installer (the platform's default).
    Installer,
    /// 1: administrator or operator.
    Admin,
}

impl UserLevel {
    /// The header value (`0` or `1`).
    pub fn as_header(self) -> &'static str {
        match self {
            UserLevel::Installer => "0",
            UserLevel::Admin => "1",
        }
    }
}

/// A device user to act as (`X-Username`, `X-Password`, `X-Userlevel`). The password is a
/// secret: never in `Debug`, logs or errors; sent as a sensitive header.
#[derive(Clone)]
pub struct DeviceUser {
    /// `X-Username`.
    pub username: String,
    /// `X-Password`.
    pub password: SecretString,
    /// `X-Userlevel`, when given.
    pub level: Option<UserLevel>,
}

impl DeviceUser {
    /// A user with a password and no level (the device's default, installer).
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        DeviceUser { username: username.into(), password: SecretString::from(password.into()), level: None }
    }

    /// The same user with a level.
    #[must_use]
    pub fn level(mut self, level: UserLevel) -> Self {
        self.level = Some(level);
        self
    }

    /// The password, for the request header only.
    pub(crate) fn password_text(&self) -> &str {
        self.password.expose_secret()
    }
}

impl fmt::Debug for DeviceUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceUser")
            .field("username", &self.username)
            .field("password", &"***")
            .field("level", &self.level)
            .finish()
    }
}

/// The body of a pass-through request: raw ISAPI XML or JSON, sent as is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum IsapiBody {
    /// No body (the `Content-Type` follows the URI: JSON with `format=json`, else XML).
    #[default]
    Empty,
    /// An XML document (`application/xml`).
    Xml(String),
    /// A JSON document (`application/json`).
    Json(String),
}

impl IsapiBody {
    /// The `Content-Type` for this body on `uri` (required by the platform even without a body).
    pub fn content_type(&self, uri: &str) -> &'static str {
        match self {
            IsapiBody::Xml(_) => "application/xml",
            IsapiBody::Json(_) => "application/json",
            IsapiBody::Empty if is_json_uri(uri) => "application/json",
            IsapiBody::Empty => "application/xml",
        }
    }
}

/// Whether an ISAPI URI asks for JSON (`format=json` in its query).
pub fn is_json_uri(uri: &str) -> bool {
    uri.split_once('?').is_some_and(|(_, q)| q.split('&').any(|p| p.trim() == "format=json"))
}

/// Checks an ISAPI URI: `/ISAPI/...`, visible ASCII, no `..` segment, at most [`MAX_URI_LEN`].
///
/// # Errors
/// A message saying what is wrong.
pub fn check_uri(uri: &str) -> std::result::Result<(), String> {
    if !uri.starts_with("/ISAPI/") {
        return Err(format!("an ISAPI URI starts with /ISAPI/: {uri:?}"));
    }
    if uri.len() > MAX_URI_LEN {
        return Err(format!("an ISAPI URI is at most {MAX_URI_LEN} bytes"));
    }
    if !uri.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!("an ISAPI URI is visible ASCII without spaces: {uri:?}"));
    }
    let path = uri.split('?').next().unwrap_or_default();
    if path.split('/').any(|s| s == ".." || s == ".") {
        return Err(format!("an ISAPI URI has no dot segments: {uri:?}"));
    }
    Ok(())
}

/// The answer of a pass-through call that passed classification: the device's raw document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsapiResponse {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, when sent.
    pub content_type: Option<String>,
    /// `X-EZO-Code`, when sent.
    pub ezo_code: Option<String>,
    /// `X-ErrorCode`, when sent.
    pub error_code: Option<String>,
    /// `X-DeviceCode`, when sent.
    pub device_code: Option<String>,
    /// The raw body.
    pub body: Bytes,
}

impl IsapiResponse {
    /// From the pipeline's raw response.
    pub fn from_raw(resp: &RawResponse) -> Self {
        IsapiResponse {
            status: resp.status.as_u16(),
            content_type: header(resp, "content-type"),
            ezo_code: header(resp, "x-ezo-code"),
            error_code: header(resp, "x-errorcode"),
            device_code: header(resp, "x-devicecode"),
            body: resp.body.clone(),
        }
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The JSON document of the answer: the body, or the first JSON part of a multipart answer
    /// (`AcsEvent` with pictures, A.4.1).
    pub fn json_document(&self) -> &[u8] {
        match self.content_type.as_deref().and_then(boundary) {
            Some(b) => first_json_part(&self.body, &b).unwrap_or(&self.body),
            None => &self.body,
        }
    }
}

fn header(resp: &RawResponse, name: &str) -> Option<String> {
    resp.headers.get(name).and_then(|v| v.to_str().ok()).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The boundary of a `multipart/...; boundary=...` content type.
fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().to_ascii_lowercase().starts_with("multipart/") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("boundary")).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// The body of the first part whose headers say JSON.
fn first_json_part<'a>(body: &'a [u8], boundary: &str) -> Option<&'a [u8]> {
    let delimiter = format!("--{boundary}");
    let text = body;
    let mut rest = text;
    while let Some(at) = find(rest, delimiter.as_bytes()) {
        rest = rest.get(at + delimiter.len()..)?;
        let head_end = find(rest, b"\r\n\r\n").map(|i| (i, 4)).or_else(|| find(rest, b"\n\n").map(|i| (i, 2)))?;
        let head = String::from_utf8_lossy(rest.get(..head_end.0)?).to_ascii_lowercase();
        let content = rest.get(head_end.0 + head_end.1..)?;
        let end = find(content, delimiter.as_bytes()).unwrap_or(content.len());
        if head.contains("application/json") {
            return content.get(..end);
        }
        rest = content.get(end..)?;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Classifies a pass-through answer (the [`crate::profile::HppProfile`] for `isapi.*`
/// operations): a redirect, a platform envelope with an error code, an error header, an ISAPI
/// `ResponseStatus` that is not OK, or a non-2xx status is an error; anything else is the
/// device's document.
///
/// # Errors
/// The typed error of the answer.
pub fn classify(resp: &RawResponse) -> Result<()> {
    watchpost_core::pipeline::classify_redirect(resp)?;
    let op = resp.op;
    let status = resp.status.as_u16();
    // The platform's own errors (token expired, device offline...) come as its envelope.
    if let Ok(env) = crate::envelope::Envelope::parse(&resp.body) {
        if !env.is_success() {
            return Err(crate::error::to_error(op, Some(status), env.code(), env.message()));
        }
    }
    let reply = IsapiResponse::from_raw(resp);
    for (name, value) in [("X-ErrorCode", &reply.error_code), ("X-EZO-Code", &reply.ezo_code)] {
        if let Some(code) = value.as_deref().filter(|c| !matches!(*c, "0" | "200")) {
            let message = match &reply.device_code {
                Some(d) => format!("{name} {code}, device code {d}"),
                None => format!("{name} {code}"),
            };
            return Err(Error::api(op, Some(status), Some(code.to_owned()), Some(message), ErrorClass::Permanent));
        }
    }
    if let Some(s) = response_status(&reply) {
        if !s.is_success() {
            let code = s.sub_status_code.clone().unwrap_or_else(|| format!("statusCode {}", s.status_code.value()));
            let message = s.error_msg.clone().or(s.status_string.clone());
            return Err(Error::api(op, Some(status), Some(code), message, s.status_code.class()));
        }
    }
    watchpost_core::pipeline::classify_http_status(resp)
}

/// The ISAPI `ResponseStatus` of an answer, JSON or XML, when the body is one.
pub fn response_status(reply: &IsapiResponse) -> Option<ResponseStatus> {
    let body = reply.body.as_ref();
    let first = body.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first == b'<' {
        let text = std::str::from_utf8(body).ok()?;
        if !text.contains("ResponseStatus") {
            return None;
        }
        watchpost_core::codec::xml::from_str::<XmlResponseStatus>(text).ok().map(|s| s.to_status())
    } else {
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        let obj = value.as_object()?;
        if !obj.contains_key("statusCode") && !obj.contains_key("ResponseStatus") {
            return None;
        }
        serde_json::from_value(value).ok()
    }
}

/// The format of a typed call's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A JSON document.
    Json,
    /// An XML document.
    Xml,
}

/// One typed pass-through call: method, URI, body, and the model of the answer. Run it with
/// [`Client::isapi`](crate::Client::isapi).
pub struct IsapiCall<T> {
    /// The HTTP method.
    pub method: Method,
    /// The ISAPI URI (`/ISAPI/...`).
    pub uri: String,
    /// The request document.
    pub body: IsapiBody,
    /// The format of the answer.
    pub format: Format,
    /// Why the request document could not be written, if it could not (the call then fails
    /// before sending instead of sending a wrong document).
    encode_error: Option<String>,
    answer: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for IsapiCall<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IsapiCall").field("method", &self.method).field("uri", &self.uri).finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned> IsapiCall<T> {
    /// A call of `method` on `uri` with `body`, whose answer is read as `format`.
    pub fn new(method: Method, uri: impl Into<String>, body: IsapiBody, format: Format) -> Self {
        IsapiCall { method, uri: uri.into(), body, format, encode_error: None, answer: PhantomData }
    }

    /// A call whose request document `encoded` failed to be written.
    fn with_body(
        method: Method,
        uri: impl Into<String>,
        encoded: std::result::Result<IsapiBody, String>,
        format: Format,
    ) -> Self {
        match encoded {
            Ok(body) => Self::new(method, uri, body, format),
            Err(e) => IsapiCall { encode_error: Some(e), ..Self::new(method, uri, IsapiBody::Empty, format) },
        }
    }

    /// Reads the answer: an empty body is a decode error, never a default value.
    ///
    /// # Errors
    /// [`Error::Decode`] when the body is empty or does not fit `T`.
    pub fn decode(&self, op: &str, reply: &IsapiResponse) -> Result<T> {
        let status = Some(reply.status);
        let doc = match self.format {
            Format::Json => reply.json_document(),
            Format::Xml => &reply.body,
        };
        if doc.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::decode(op, status, doc, DecodeError::json(empty_json_error())));
        }
        let decoded = match self.format {
            Format::Json => serde_json::from_slice(doc).map_err(DecodeError::json),
            Format::Xml => watchpost_core::codec::xml::from_slice(doc),
        };
        decoded.map_err(|e| Error::decode(op, status, doc, e))
    }
}

fn empty_json_error() -> serde_json::Error {
    match serde_json::from_slice::<serde_json::Value>(b"") {
        Err(e) => e,
        Ok(_) => serde::de::Error::custom("empty body"),
    }
}

/// The typed calls of Appendix A.4 and the NTP example of section 3.23: each
/// returns an [`IsapiCall`] over the shared models.
pub mod a4 {
    use http::Method;
    use watchpost_isapi::models::*;

    use super::{Format, IsapiBody, IsapiCall};

    type Encoded = Result<IsapiBody, String>;

    fn json<T: serde::Serialize>(value: &T) -> Encoded {
        serde_json::to_string(value).map(IsapiBody::Json).map_err(|e| e.to_string())
    }

    fn xml<T: serde::Serialize + XmlDocument>(value: &T) -> Encoded {
        watchpost_isapi::xml::to_string(value, T::ROOT).map(IsapiBody::Xml)
    }

    /// A-1 `POST /ISAPI/AccessControl/AcsEvent?format=json`: search access control events
    /// (a multipart answer with pictures is read from its JSON part).
    pub fn acs_event_search(cond: &AcsEventCondMsg) -> IsapiCall<AcsEventMsg> {
        IsapiCall::with_body(Method::POST, "/ISAPI/AccessControl/AcsEvent?format=json", json(cond), Format::Json)
    }

    /// A-2 `POST /ISAPI/AccessControl/UserInfo/Search?format=json`: search persons.
    pub fn user_info_search(cond: &UserInfoSearchCondMsg) -> IsapiCall<UserInfoSearchMsg> {
        IsapiCall::with_body(Method::POST, "/ISAPI/AccessControl/UserInfo/Search?format=json", json(cond), Format::Json)
    }

    /// A-3 `GET /ISAPI/ContentMgmt/InputProxy/channels`: every digital channel.
    pub fn input_proxy_channels() -> IsapiCall<InputProxyChannelList> {
        IsapiCall::new(Method::GET, "/ISAPI/ContentMgmt/InputProxy/channels", IsapiBody::Empty, Format::Xml)
    }

    /// A-4 `PUT /ISAPI/ContentMgmt/InputProxy/channels`: set every digital channel.
    pub fn set_input_proxy_channels(list: &InputProxyChannelList) -> IsapiCall<XmlResponseStatus> {
        IsapiCall::with_body(Method::PUT, "/ISAPI/ContentMgmt/InputProxy/channels", xml(list), Format::Xml)
    }

    /// A-5 `POST /ISAPI/ContentMgmt/InputProxy/channels`: add a digital channel.
    pub fn add_input_proxy_channel(channel: &InputProxyChannel) -> IsapiCall<XmlResponseStatus> {
        IsapiCall::with_body(Method::POST, "/ISAPI/ContentMgmt/InputProxy/channels", xml(channel), Format::Xml)
    }

    /// A-6 `GET /ISAPI/ContentMgmt/InputProxy/channels/status`: the status of every digital channel.
    pub fn input_proxy_channels_status() -> IsapiCall<InputProxyChannelStatusList> {
        IsapiCall::new(Method::GET, "/ISAPI/ContentMgmt/InputProxy/channels/status", IsapiBody::Empty, Format::Xml)
    }

    /// A-7 `PUT /ISAPI/ContentMgmt/record/control/manualRefresh/channels/<ID>`: refresh the
    /// video mode of a channel before playback.
    pub fn manual_refresh(channel: u32) -> IsapiCall<XmlResponseStatus> {
        let uri = format!("/ISAPI/ContentMgmt/record/control/manualRefresh/channels/{channel}");
        IsapiCall::new(Method::PUT, uri, IsapiBody::Empty, Format::Xml)
    }

    /// A-8 `PUT /ISAPI/PTZCtrl/channels/<ID>/continuous`: pan, tilt and zoom continuously.
    pub fn ptz_continuous(channel: u32, data: &PtzData) -> IsapiCall<XmlResponseStatus> {
        IsapiCall::with_body(
            Method::PUT,
            format!("/ISAPI/PTZCtrl/channels/{channel}/continuous"),
            xml(data),
            Format::Xml,
        )
    }

    /// A-9 `GET /ISAPI/PTZCtrl/channels/<ID>/presets`: every preset of a channel.
    pub fn ptz_presets(channel: u32) -> IsapiCall<PtzPresetList> {
        IsapiCall::new(Method::GET, format!("/ISAPI/PTZCtrl/channels/{channel}/presets"), IsapiBody::Empty, Format::Xml)
    }

    /// A-10 `POST /ISAPI/PTZCtrl/channels/<ID>/presets`: set a preset (`XML_Set_PTZPreset`).
    pub fn manage_ptz_presets(channel: u32, preset: &PtzPreset) -> IsapiCall<XmlResponseStatus> {
        IsapiCall::with_body(
            Method::POST,
            format!("/ISAPI/PTZCtrl/channels/{channel}/presets"),
            xml(preset),
            Format::Xml,
        )
    }

    /// A-11 `DELETE /ISAPI/PTZCtrl/channels/<ID>/presets`: delete every preset.
    pub fn delete_ptz_presets(channel: u32) -> IsapiCall<XmlResponseStatus> {
        let uri = format!("/ISAPI/PTZCtrl/channels/{channel}/presets");
        IsapiCall::new(Method::DELETE, uri, IsapiBody::Empty, Format::Xml)
    }

    /// A-12 `GET /ISAPI/PTZCtrl/channels/<ID>/presets/<ID>`: one preset.
    pub fn ptz_preset(channel: u32, preset: u32) -> IsapiCall<PtzPreset> {
        let uri = format!("/ISAPI/PTZCtrl/channels/{channel}/presets/{preset}");
        IsapiCall::new(Method::GET, uri, IsapiBody::Empty, Format::Xml)
    }

    /// A-13 `PUT /ISAPI/PTZCtrl/channels/<ID>/presets/<ID>`: add (set) a preset.
    pub fn set_ptz_preset(channel: u32, preset: &PtzPreset) -> IsapiCall<XmlResponseStatus> {
        let uri = format!("/ISAPI/PTZCtrl/channels/{channel}/presets/{}", preset.id);
        IsapiCall::with_body(Method::PUT, uri, xml(preset), Format::Xml)
    }

    /// A-14 `DELETE /ISAPI/PTZCtrl/channels/<ID>/presets/<ID>`: delete a preset.
    pub fn delete_ptz_preset(channel: u32, preset: u32) -> IsapiCall<XmlResponseStatus> {
        let uri = format!("/ISAPI/PTZCtrl/channels/{channel}/presets/{preset}");
        IsapiCall::new(Method::DELETE, uri, IsapiBody::Empty, Format::Xml)
    }

    /// A-15 `PUT /ISAPI/PTZCtrl/channels/<ID>/presets/<ID>/goto`: move to a preset.
    pub fn goto_ptz_preset(channel: u32, preset: u32) -> IsapiCall<XmlResponseStatus> {
        let uri = format!("/ISAPI/PTZCtrl/channels/{channel}/presets/{preset}/goto");
        IsapiCall::new(Method::PUT, uri, IsapiBody::Empty, Format::Xml)
    }

    /// A-16 `PUT /ISAPI/SecurityCP/control/arm/<ID>?ways=<string>&format=json`: arm a
    /// partition (`0xffffffff` = every partition) stay or away.
    pub fn arm(partition: u32, ways: &ArmWays) -> IsapiCall<ResponseStatus> {
        let uri = format!("/ISAPI/SecurityCP/control/arm/{partition}?ways={}&format=json", ways.as_str());
        IsapiCall::new(Method::PUT, uri, IsapiBody::Empty, Format::Json)
    }

    /// A-17 `PUT /ISAPI/SecurityCP/control/bypass?format=json`: bypass zones.
    pub fn bypass(zones: impl IntoIterator<Item = u32>) -> IsapiCall<ResponseStatus> {
        IsapiCall::with_body(
            Method::PUT,
            "/ISAPI/SecurityCP/control/bypass?format=json",
            json(&ListMsg::of(zones)),
            Format::Json,
        )
    }

    /// A-18 `PUT /ISAPI/SecurityCP/control/bypassRecover?format=json`: recover bypassed zones.
    pub fn bypass_recover(zones: impl IntoIterator<Item = u32>) -> IsapiCall<ResponseStatus> {
        let body = json(&ListMsg::of(zones));
        IsapiCall::with_body(Method::PUT, "/ISAPI/SecurityCP/control/bypassRecover?format=json", body, Format::Json)
    }

    /// A-19 `PUT /ISAPI/SecurityCP/control/clearAlarm/<ID>?format=json`: clear a partition's alarms.
    pub fn clear_alarm(partition: u32) -> IsapiCall<ResponseStatus> {
        let uri = format!("/ISAPI/SecurityCP/control/clearAlarm/{partition}?format=json");
        IsapiCall::new(Method::PUT, uri, IsapiBody::Empty, Format::Json)
    }

    /// A-20 `PUT /ISAPI/SecurityCP/control/disarm/<ID>?format=json`: disarm a partition.
    pub fn disarm(partition: u32) -> IsapiCall<ResponseStatus> {
        let uri = format!("/ISAPI/SecurityCP/control/disarm/{partition}?format=json");
        IsapiCall::new(Method::PUT, uri, IsapiBody::Empty, Format::Json)
    }

    /// A-21 `POST /ISAPI/SecurityCP/control/outputs?format=json`: open or close relays; the
    /// answer's [`OutputsCtrlResponse::outcome`] gives the per-relay result.
    pub fn control_outputs(ctrl: &OutputsCtrlMsg) -> IsapiCall<OutputsCtrlResponse> {
        IsapiCall::with_body(Method::POST, "/ISAPI/SecurityCP/control/outputs?format=json", json(ctrl), Format::Json)
    }

    /// A-22 `GET /ISAPI/SecurityCP/status/subSystems?format=json`: every partition's status.
    pub fn sub_systems() -> IsapiCall<SubSysListMsg> {
        IsapiCall::new(Method::GET, "/ISAPI/SecurityCP/status/subSystems?format=json", IsapiBody::Empty, Format::Json)
    }

    /// A-23 `POST /ISAPI/SecurityCP/status/outputStatus?format=json`: search relay status.
    pub fn output_status(cond: &OutputCondMsg) -> IsapiCall<OutputSearchMsg> {
        IsapiCall::with_body(
            Method::POST,
            "/ISAPI/SecurityCP/status/outputStatus?format=json",
            json(cond),
            Format::Json,
        )
    }

    /// A-24 `GET /ISAPI/SecurityCP/status/zones?format=json`: every zone's status.
    pub fn zones() -> IsapiCall<ZoneListMsg> {
        IsapiCall::new(Method::GET, "/ISAPI/SecurityCP/status/zones?format=json", IsapiBody::Empty, Format::Json)
    }

    /// A-25 `POST /ISAPI/SecurityCP/status/zones?format=json`: search zone status.
    pub fn search_zones(cond: &ZoneCondMsg) -> IsapiCall<ZoneSearchMsg> {
        IsapiCall::with_body(Method::POST, "/ISAPI/SecurityCP/status/zones?format=json", json(cond), Format::Json)
    }

    /// A-26 `GET /ISAPI/System/deviceInfo`: the device's identity.
    pub fn device_info() -> IsapiCall<DeviceInfo> {
        IsapiCall::new(Method::GET, "/ISAPI/System/deviceInfo", IsapiBody::Empty, Format::Xml)
    }

    /// A-27 `PUT /ISAPI/System/deviceInfo`: edit the device information (its name).
    pub fn set_device_info(info: &DeviceInfo) -> IsapiCall<XmlResponseStatus> {
        IsapiCall::with_body(Method::PUT, "/ISAPI/System/deviceInfo", xml(info), Format::Xml)
    }

    /// A-28 `GET /ISAPI/System/IO/outputs`: every IO output port.
    pub fn io_outputs() -> IsapiCall<IoOutputPortListXml> {
        IsapiCall::new(Method::GET, "/ISAPI/System/IO/outputs", IsapiBody::Empty, Format::Xml)
    }

    /// A-29 `GET /ISAPI/System/IO/outputs/<ID>/status`: one output's state.
    pub fn io_output_status(output: u32) -> IsapiCall<IoPortStatus> {
        IsapiCall::new(Method::GET, format!("/ISAPI/System/IO/outputs/{output}/status"), IsapiBody::Empty, Format::Xml)
    }

    /// A-30 `PUT /ISAPI/System/IO/outputs/<ID>/trigger`: set an output high or low.
    pub fn trigger_io_output(output: u32, data: &IoPortDataXml) -> IsapiCall<XmlResponseStatus> {
        IsapiCall::with_body(Method::PUT, format!("/ISAPI/System/IO/outputs/{output}/trigger"), xml(data), Format::Xml)
    }

    /// A-31 `GET /ISAPI/System/time`: the device's time and zone.
    pub fn time() -> IsapiCall<TimeData> {
        IsapiCall::new(Method::GET, "/ISAPI/System/time", IsapiBody::Empty, Format::Xml)
    }

    /// A-32 `PUT /ISAPI/System/time`: set the device's time parameters.
    pub fn set_time(time: &TimeData) -> IsapiCall<XmlResponseStatus> {
        IsapiCall::with_body(Method::PUT, "/ISAPI/System/time", xml(time), Format::Xml)
    }

    /// Section 3.23's example: `PUT /ISAPI/System/time/ntpServers/<ID>`, one NTP server.
    pub fn set_ntp_server(server: &NtpServer) -> IsapiCall<XmlResponseStatus> {
        IsapiCall::with_body(
            Method::PUT,
            format!("/ISAPI/System/time/ntpServers/{}", server.id),
            xml(server),
            Format::Xml,
        )
    }
}

/// Serializes a model as a JSON pass-through body.
///
/// # Errors
/// [`Error::InvalidInput`] when the value cannot be written.
pub fn json_body<T: Serialize>(op: &str, value: &T) -> Result<IsapiBody> {
    serde_json::to_string(value).map(IsapiBody::Json).map_err(|e| Error::invalid_input(op, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_example_of_3_23_decodes_into_the_shared_zone_model() {
        let path = format!("{}/fixtures/seed/3.23.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        let msg: watchpost_isapi::models::ZoneConfigMsg = serde_json::from_str(&text).unwrap();
        let z = msg.zone;
        assert_eq!((z.id, z.zone_name.as_deref(), z.zone_type.as_deref()), (1, Some("test"), Some("Instant")));
        assert_eq!((z.delay_time, z.stay_away_enabled, z.chime_enabled), (Some(1), Some(true), Some(true)));
        assert_eq!((z.silent_enabled, z.time_out), (Some(true), Some(true)));
        assert_eq!((z.detector_seq_cfg.as_deref(), z.detector_seq.as_deref()), (Some("mod"), Some("123456789")));
    }

    #[test]
    fn uris_are_checked_before_sending() {
        assert!(check_uri("/ISAPI/System/time").is_ok());
        assert!(check_uri("/ISAPI/SecurityCP/control/arm/1?ways=away&format=json").is_ok());
        for bad in ["/api/x", "/ISAPI/../token", "/ISAPI/a b", "/ISAPI/\r\nX: y", "ISAPI/x"] {
            assert!(check_uri(bad).is_err(), "{bad:?}");
        }
        assert!(check_uri(&format!("/ISAPI/{}", "a".repeat(MAX_URI_LEN))).is_err());
    }

    #[test]
    fn the_content_type_follows_the_body_or_the_uri() {
        assert_eq!(IsapiBody::Empty.content_type("/ISAPI/SecurityCP/status/zones?format=json"), "application/json");
        assert_eq!(IsapiBody::Empty.content_type("/ISAPI/System/time"), "application/xml");
        assert_eq!(IsapiBody::Json("{}".into()).content_type("/ISAPI/System/time"), "application/json");
    }

    #[test]
    fn a_device_password_never_shows_in_debug() {
        let u = DeviceUser::new("installer", "s3cr3t").level(UserLevel::Admin);
        assert!(!format!("{u:?}").contains("s3cr3t"));
        assert_eq!(u.password_text(), "s3cr3t");
    }

    #[test]
    fn the_json_part_of_a_multipart_answer_is_found() {
        let body = b"--MIME_boundary\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"a\":1}\r\n--MIME_boundary\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\r\n--MIME_boundary--";
        let reply = IsapiResponse {
            status: 200,
            content_type: Some("multipart/form-data; boundary=MIME_boundary".into()),
            ezo_code: None,
            error_code: None,
            device_code: None,
            body: Bytes::from_static(body),
        };
        let v: serde_json::Value = serde_json::from_slice(reply.json_document()).unwrap();
        assert_eq!(v["a"], 1);
        // A body with no JSON part is given whole (and fails to decode as a typed error).
        assert!(first_json_part(b"--b\r\n\r\nx", "b").is_none());
    }
}

/// The id prefix of the pass-through operations (classified by [`classify`]).
pub const OP_PREFIX: &str = "isapi.";

/// The pass-through operations, one per HTTP method (section 3.23; the spec's, hand-written).
pub mod ops {
    use http::Method;
    use watchpost_core::operation::Operation;

    pub use crate::ops::{ISAPI_DELETE, ISAPI_GET, ISAPI_POST, ISAPI_PUT};

    /// The four pass-through operations.
    pub static ALL: [&Operation; 4] = [&ISAPI_GET, &ISAPI_PUT, &ISAPI_POST, &ISAPI_DELETE];

    /// The operation of `method` (`None` for a method the pass-through does not carry).
    pub fn for_method(method: &Method) -> Option<&'static Operation> {
        match *method {
            Method::GET => Some(&ISAPI_GET),
            Method::PUT => Some(&ISAPI_PUT),
            Method::POST => Some(&ISAPI_POST),
            Method::DELETE => Some(&ISAPI_DELETE),
            _ => None,
        }
    }
}

/// The recommended timeout of `AcsEvent` searches (A.4.1).
const ACS_EVENT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl crate::Client {
    /// Sends a raw ISAPI request to device `serial` through the pass-through (3.23) and returns
    /// the device's raw answer: the escape hatch for any URI.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a bad serial, URI or method (nothing is sent); otherwise the
    /// classified error of the answer ([`classify`]).
    pub async fn isapi_raw(&self, serial: &str, method: Method, uri: &str, body: IsapiBody) -> Result<IsapiResponse> {
        self.isapi_raw_as(serial, None, method, uri, body).await
    }

    /// [`isapi_raw`](Self::isapi_raw) acting as a device user (`X-Username`, `X-Password`,
    /// `X-Userlevel`; needed for AX Pro).
    ///
    /// # Errors
    /// As [`isapi_raw`](Self::isapi_raw).
    pub async fn isapi_raw_as(
        &self,
        serial: &str,
        user: Option<&DeviceUser>,
        method: Method,
        uri: &str,
        body: IsapiBody,
    ) -> Result<IsapiResponse> {
        let op = ops::for_method(&method).ok_or_else(|| {
            Error::invalid_input("isapi", format!("the pass-through carries GET, PUT, POST and DELETE, not {method}"))
        })?;
        check_uri(uri).map_err(|m| Error::invalid_input(op.id, m))?;
        let serial = serial.trim();
        if serial.is_empty() || !serial.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::invalid_input(op.id, "a device serial is letters and digits"));
        }
        let content_type = body.content_type(uri);
        let mut request = watchpost_core::Request::new(op)
            .verbatim_target(format!("{TRANSPARENT_PATH}{uri}"))?
            .header("X-Devserial", serial)?;
        request = match body {
            IsapiBody::Empty => request.header("Content-Type", content_type)?,
            IsapiBody::Xml(text) => request.body(watchpost_core::Body::Xml(text.into())),
            IsapiBody::Json(text) => request.body(watchpost_core::Body::Json(text.into())),
        };
        if let Some(user) = user {
            request = request.header("X-Username", &user.username)?;
            let mut password = http::HeaderValue::from_str(user.password_text())
                .map_err(|_| Error::invalid_input(op.id, "the device password is not a valid header value"))?;
            password.set_sensitive(true);
            request.headers.insert("x-password", password);
            if let Some(level) = user.level {
                request = request.header("X-Userlevel", level.as_header())?;
            }
        }
        if uri.starts_with("/ISAPI/AccessControl/AcsEvent") {
            request = request.attempt_timeout(ACS_EVENT_TIMEOUT);
        }
        let raw = self.execute(request).await?;
        Ok(IsapiResponse::from_raw(&raw))
    }

    /// Runs a typed pass-through call (see [`a4`]) on device `serial` and reads its answer.
    ///
    /// # Errors
    /// As [`isapi_raw`](Self::isapi_raw), and [`Error::Decode`] when the answer is empty or does
    /// not fit the model.
    pub async fn isapi<T: DeserializeOwned>(&self, serial: &str, call: &IsapiCall<T>) -> Result<T> {
        self.isapi_as(serial, None, call).await
    }

    /// [`isapi`](Self::isapi) acting as a device user.
    ///
    /// # Errors
    /// As [`isapi`](Self::isapi).
    pub async fn isapi_as<T: DeserializeOwned>(
        &self,
        serial: &str,
        user: Option<&DeviceUser>,
        call: &IsapiCall<T>,
    ) -> Result<T> {
        let op = ops::for_method(&call.method).map_or("isapi", |o| o.id);
        if let Some(e) = &call.encode_error {
            return Err(Error::invalid_input(op, format!("the request document cannot be written: {e}")));
        }
        let reply = self.isapi_raw_as(serial, user, call.method.clone(), &call.uri, call.body.clone()).await?;
        call.decode(op, &reply)
    }
}
