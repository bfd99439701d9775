//! OTAP (sections 3.24.1 to 3.24.11): shadow and direct properties, actions, product profile,
//! batch operations, table list.
//!
//! Base `{areaDomain}/api/hpcgw/v2/device/transparent/...`. A property or action is addressed by
//! headers (`x-devserial`, `X-LocalIndex`, `X-ResourceCategory`, `X-DomainIdentifier`,
//! `X-PropIdentifier` or `X-ActionIdentifier`; direct and action calls may add `X-Username` and
//! `X-UserType`); the value itself is the raw JSON body. The batch calls take top-level JSON
//! arrays and answer one result per device and property: per-item outcomes, never one error.
//! The answers are the platform's envelope; the values are defined by the (separate) OTAP
//! protocol document, so they stay [`serde_json::Value`].
//!
//! These operations are written by hand (not generated from the spec): their addressing is all
//! headers and their bodies are bare JSON values and arrays.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use watchpost_core::codec::lenient;
use watchpost_core::{Error, Request, Result};

use super::common::{ItemFailure, ItemOutcome};

/// The largest `pageSize` of the table list (3.24.11).
pub const MAX_TABLE_PAGE_SIZE: u32 = 150;

/// The most pages [`Client::otap_table_all`](crate::Client::otap_table_all) reads.
pub const MAX_TABLE_PAGES: u32 = 10_000;

/// Where a property lives: `X-ResourceCategory`, `X-LocalIndex`, `X-DomainIdentifier`,
/// `X-PropIdentifier` (or, for an action, `X-ActionIdentifier`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// Resource category: `global`, `Zone`, `SubSystem`...
    pub resource_category: String,
    /// Resource number (`"0"` for `global`).
    pub local_index: String,
    /// Function field: `InfoMgr`, `ZoneMgr`, `TimeMgr`, `UserMgr`...
    pub domain: String,
    /// The property (or action) identifier: `DeviceVersion`, `SearchZoneStatus`...
    pub identifier: String,
}

impl Address {
    /// A property or action of the device itself (`global`, index `0`).
    pub fn global(domain: impl Into<String>, identifier: impl Into<String>) -> Self {
        Address {
            resource_category: "global".to_owned(),
            local_index: "0".to_owned(),
            domain: domain.into(),
            identifier: identifier.into(),
        }
    }

    /// A property or action of resource `index` of `category` (`Zone`, `SubSystem`).
    pub fn of(
        category: impl Into<String>,
        index: impl Into<String>,
        domain: impl Into<String>,
        identifier: impl Into<String>,
    ) -> Self {
        Address {
            resource_category: category.into(),
            local_index: index.into(),
            domain: domain.into(),
            identifier: identifier.into(),
        }
    }
}

/// `X-UserType` of a device user (strings, unlike ISAPI's integer `X-Userlevel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserType {
    /// `installer` (the default).
    Installer,
    /// `administrator`.
    Administrator,
    /// `operator`.
    Operator,
}

impl UserType {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Installer => "installer",
            UserType::Administrator => "administrator",
            UserType::Operator => "operator",
        }
    }
}

/// A device user to act as on AX Pro (`X-Username`, `X-UserType`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceUser {
    /// `X-Username` (the user's name or email).
    pub username: String,
    /// `X-UserType`, when given.
    pub user_type: Option<UserType>,
}

/// One property of a batch get (3.24.7, 3.24.9); `deviceSerial` only in the shadow form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropRequest {
    /// `deviceSerial` (3.24.7 only; the direct form names the device in `x-devserial`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_serial: Option<String>,
    /// `resourceCategory`.
    pub resource_category: String,
    /// `localIndex`.
    pub local_index: String,
    /// `domainId`.
    pub domain_id: String,
    /// `propId` (optional in 3.24.7: every property of the domain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prop_id: Option<String>,
}

impl PropRequest {
    /// The request for the property at `address` (of `device`, for the shadow form).
    pub fn at(device: Option<&str>, address: &Address) -> Self {
        PropRequest {
            device_serial: device.map(str::to_owned),
            resource_category: address.resource_category.clone(),
            local_index: address.local_index.clone(),
            domain_id: address.domain.clone(),
            prop_id: Some(address.identifier.clone()),
        }
    }
}

/// One property to set in a batch (3.24.8 `propReqs`, 3.24.10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropPut {
    /// `resourceCategory`.
    pub resource_category: String,
    /// `localIndex`.
    pub local_index: String,
    /// `domainId`.
    pub domain_id: String,
    /// `propId`.
    pub prop_id: String,
    /// `value`: the new content.
    pub value: Value,
}

impl PropPut {
    /// Sets the property at `address` to `value`.
    pub fn at(address: &Address, value: Value) -> Self {
        PropPut {
            resource_category: address.resource_category.clone(),
            local_index: address.local_index.clone(),
            domain_id: address.domain.clone(),
            prop_id: address.identifier.clone(),
            value,
        }
    }
}

/// The properties to set on one device (3.24.8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevicePropPuts {
    /// `deviceSerial`.
    pub device_serial: String,
    /// `propReqs`.
    pub prop_reqs: Vec<PropPut>,
}

/// One property of a batch answer (`propResps`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropResp {
    /// `deviceSerial`.
    #[serde(default)]
    pub device_serial: Option<String>,
    /// `resourceCategory`.
    #[serde(default)]
    pub resource_category: Option<String>,
    /// `localIndex`.
    #[serde(default, with = "lenient::opt_string")]
    pub local_index: Option<String>,
    /// `domainId`.
    #[serde(default)]
    pub domain_id: Option<String>,
    /// `propId`.
    #[serde(default)]
    pub prop_id: Option<String>,
    /// `timestamp`: when the value was read, milliseconds since the epoch.
    #[serde(default, with = "lenient::opt_int")]
    pub timestamp: Option<i64>,
    /// `value`: the property's content.
    #[serde(default)]
    pub value: Option<Value>,
    /// `errorCode`, when this property failed.
    #[serde(default, with = "lenient::opt_string")]
    pub error_code: Option<String>,
    /// `message`.
    #[serde(default)]
    pub message: Option<String>,
}

/// The answer of a batch call for one device (`data[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceResult {
    /// `deviceSerial`.
    #[serde(default)]
    pub device_serial: Option<String>,
    /// `propResps`: one result per property.
    #[serde(default)]
    pub prop_resps: Vec<PropResp>,
    /// `errorCode`: the device's status ("0" or absent = OK).
    #[serde(default, with = "lenient::opt_string")]
    pub error_code: Option<String>,
    /// `message`.
    #[serde(default)]
    pub message: Option<String>,
}

fn failed(code: &Option<String>) -> Option<&str> {
    code.as_deref().map(str::trim).filter(|c| !c.is_empty() && *c != "0")
}

fn failure(code: &str, message: &Option<String>) -> ItemFailure {
    let text = match message {
        Some(m) => format!("{code}: {m}"),
        None => code.to_owned(),
    };
    ItemFailure { code: Some(crate::error::HppCode::from_code(code)), message: text }
}

impl DeviceResult {
    /// The outcome of this device: done, or failed with its code.
    pub fn outcome(&self) -> ItemOutcome<String> {
        let key = self.device_serial.clone().unwrap_or_default();
        match failed(&self.error_code) {
            Some(code) => ItemOutcome::Failed(key, failure(code, &self.message)),
            None => ItemOutcome::Done(key),
        }
    }

    /// The outcome of each property (`domainId/propId` as key); a failed device fails them all.
    pub fn prop_outcomes(&self) -> Vec<ItemOutcome<String>> {
        let device = failed(&self.error_code);
        self.prop_resps
            .iter()
            .map(|p| {
                let key = format!("{}/{}", p.domain_id.as_deref().unwrap_or(""), p.prop_id.as_deref().unwrap_or(""));
                match failed(&p.error_code).or(device) {
                    Some(code) => ItemOutcome::Failed(key, failure(code, &p.message)),
                    None => ItemOutcome::Done(key),
                }
            })
            .collect()
    }
}

/// The request of the product profile (3.24.6); every member optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileRequest {
    /// `needSchema`: include the schemas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need_schema: Option<bool>,
    /// `checkMD5`: answer `changed` against `md5`.
    #[serde(rename = "checkMD5", default, skip_serializing_if = "Option::is_none")]
    pub check_md5: Option<bool>,
    /// `needGzip`: the profile as a gzip package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need_gzip: Option<bool>,
    /// `md5`: the MD5 of the profile the caller keeps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    /// `identifier`: one function only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
}

/// A property definition of a profile domain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropDef {
    /// `identifier`.
    #[serde(default)]
    pub identifier: Option<String>,
    /// `version`.
    #[serde(default)]
    pub version: Option<String>,
    /// `access`: `r`, `w` or `rw`.
    #[serde(default)]
    pub access: Option<String>,
    /// `title`.
    #[serde(default)]
    pub title: Option<String>,
    /// `sid`: short identifier.
    #[serde(default, with = "lenient::opt_int")]
    pub sid: Option<i64>,
    /// `schema`.
    #[serde(default)]
    pub schema: Option<Value>,
}

/// An action definition of a profile domain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionDef {
    /// `identifier`.
    #[serde(default)]
    pub identifier: Option<String>,
    /// `sid`.
    #[serde(default, with = "lenient::opt_int")]
    pub sid: Option<i64>,
    /// `version`.
    #[serde(default)]
    pub version: Option<String>,
    /// `direction`: `Plt2Dev`...
    #[serde(default)]
    pub direction: Option<String>,
    /// `title`.
    #[serde(default)]
    pub title: Option<String>,
    /// `input`: the request schema.
    #[serde(default)]
    pub input: Option<Value>,
    /// `output`: the answer schema.
    #[serde(default)]
    pub output: Option<Value>,
}

/// An event definition of a profile domain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventDef {
    /// `identifier`.
    #[serde(default)]
    pub identifier: Option<String>,
    /// `sid`.
    #[serde(default, with = "lenient::opt_int")]
    pub sid: Option<i64>,
    /// `version`.
    #[serde(default)]
    pub version: Option<String>,
    /// `title`.
    #[serde(default)]
    pub title: Option<String>,
    /// `eventType`: `notification`...
    #[serde(default)]
    pub event_type: Vec<String>,
    /// `input`: the event's schema.
    #[serde(default)]
    pub input: Option<Value>,
}

/// A function domain of a profile resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Domain {
    /// `identifier`: `DoorMagnetic`, `InfoMgr`...
    #[serde(default)]
    pub identifier: Option<String>,
    /// `sid`.
    #[serde(default, with = "lenient::opt_int")]
    pub sid: Option<i64>,
    /// `title`.
    #[serde(default)]
    pub title: Option<String>,
    /// `props`.
    #[serde(default)]
    pub props: Vec<PropDef>,
    /// `actions`.
    #[serde(default)]
    pub actions: Vec<ActionDef>,
    /// `events`.
    #[serde(default)]
    pub events: Vec<EventDef>,
}

/// A resource of a profile: a category of resources and its domains.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// `identifier`.
    #[serde(default)]
    pub identifier: Option<String>,
    /// `title`.
    #[serde(default)]
    pub title: Option<String>,
    /// `sid`.
    #[serde(default, with = "lenient::opt_int")]
    pub sid: Option<i64>,
    /// `resourceCategory`: `global`, `Zone`...
    #[serde(default)]
    pub resource_category: Option<String>,
    /// `localIndex`: the resource numbers.
    #[serde(default)]
    pub local_index: Vec<String>,
    /// `localIndexRule`.
    #[serde(default)]
    pub local_index_rule: Option<Value>,
    /// `dynamic`.
    #[serde(default)]
    pub dynamic: Option<bool>,
    /// `global`.
    #[serde(default)]
    pub global: Option<bool>,
    /// `domains`.
    #[serde(default)]
    pub domains: Vec<Domain>,
}

/// The object model (`profile`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// `version`.
    #[serde(default)]
    pub version: Option<String>,
    /// `capacities`: the capability set.
    #[serde(default)]
    pub capacities: Option<Value>,
    /// `resources`.
    #[serde(default)]
    pub resources: Vec<Resource>,
}

/// The answer of the product profile (3.24.6).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductProfile {
    /// `gzipProfile`: the profile as a gzip package, when asked for.
    #[serde(default)]
    pub gzip_profile: Option<Value>,
    /// `productId`: the object model number.
    #[serde(default)]
    pub product_id: Option<String>,
    /// `version`: the object model protocol version.
    #[serde(default)]
    pub version: Option<String>,
    /// `md5`: the digest of the profile.
    #[serde(default)]
    pub md5: Option<String>,
    /// `changed`: whether the profile differs from the caller's `md5`.
    #[serde(default)]
    pub changed: Option<bool>,
    /// `profile`.
    #[serde(default)]
    pub profile: Option<Profile>,
}

/// One page of the table list (3.24.11). The seed's example writes the member names with
/// spaces (`" pageIndex"`): both spellings are read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TablePage {
    /// `pageIndex`: the page number, from 1.
    #[serde(default, alias = " pageIndex", with = "lenient::int")]
    pub page_index: u32,
    /// `pageSize`.
    #[serde(default, alias = " pageSize", with = "lenient::int")]
    pub page_size: u32,
    /// `records`: each a JSON document as text.
    #[serde(default, alias = " records ", alias = " records")]
    pub records: Vec<String>,
    /// `totalPages`.
    #[serde(default, alias = " totalPages", with = "lenient::int")]
    pub total_pages: u32,
    /// `totalElements`.
    #[serde(default, alias = " totalElements", with = "lenient::int")]
    pub total_elements: u64,
}

/// The OTAP operations (sections 3.24.1 to 3.24.11): the spec's (`spec/hpp.d/30-isapi-otap.toml`)
/// under the names the typed calls use.
pub mod ops {
    use watchpost_core::operation::Operation;

    pub use crate::ops::{
        GET_OTAP_DIRECT as DIRECT_GET, GET_OTAP_PRODUCT_PROFILE as PROFILE, GET_OTAP_PROP as PROP_GET,
        GET_OTAP_PROPS as MULTI_GET, GET_OTAP_PROPS_BY_SHADOW as MULTI_GET_SHADOW, LIST_OTAP_TABLE as TABLE_LIST,
        PUT_OTAP_DIRECT as DIRECT_PUT, PUT_OTAP_PROP as PROP_PUT, PUT_OTAP_PROPS as MULTI_PUT,
        PUT_OTAP_PROPS_BY_SHADOW as MULTI_PUT_SHADOW, RUN_OTAP_ACTION as ACTION,
    };

    /// The base of every OTAP path.
    pub const BASE: &str = "/api/hpcgw/v2/device/transparent";

    /// Every OTAP operation.
    pub static ALL: [&Operation; 11] = [
        &PROP_GET,
        &PROP_PUT,
        &DIRECT_GET,
        &DIRECT_PUT,
        &ACTION,
        &PROFILE,
        &MULTI_GET_SHADOW,
        &MULTI_PUT_SHADOW,
        &MULTI_GET,
        &MULTI_PUT,
        &TABLE_LIST,
    ];
}

fn serial_ok(op: &str, serial: &str) -> Result<()> {
    if serial.is_empty() || !serial.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::invalid_input(op, "a device serial is letters and digits"));
    }
    Ok(())
}

fn base(op: &'static watchpost_core::Operation, serial: Option<&str>) -> Result<Request> {
    // GET calls are documented with a form content type, the examples send JSON: JSON always.
    let mut r = Request::new(op).header("Content-Type", "application/json")?;
    if let Some(s) = serial {
        serial_ok(op.id, s)?;
        r = r.header("x-devserial", s)?;
    }
    Ok(r)
}

fn addressed(
    op: &'static watchpost_core::Operation,
    serial: &str,
    a: &Address,
    id_header: &'static str,
) -> Result<Request> {
    for (name, v) in [
        ("resource category", &a.resource_category),
        ("local index", &a.local_index),
        ("domain", &a.domain),
        ("identifier", &a.identifier),
    ] {
        if v.trim().is_empty() {
            return Err(Error::invalid_input(op.id, format!("the {name} is required")));
        }
    }
    base(op, Some(serial))?
        .header("X-LocalIndex", &a.local_index)?
        .header("X-ResourceCategory", &a.resource_category)?
        .header("X-DomainIdentifier", &a.domain)?
        .header(id_header, &a.identifier)
}

fn with_user(r: Request, user: Option<&DeviceUser>) -> Result<Request> {
    let Some(u) = user else { return Ok(r) };
    let r = r.header("X-Username", &u.username)?;
    match u.user_type {
        Some(t) => r.header("X-UserType", t.as_str()),
        None => Ok(r),
    }
}

fn json_body<T: Serialize + ?Sized>(op: &str, value: &T) -> Result<watchpost_core::Body> {
    serde_json::to_vec(value)
        .map(|v| watchpost_core::Body::Json(v.into()))
        .map_err(|e| Error::invalid_input(op, e.to_string()))
}

fn non_empty<T>(op: &str, items: &[T]) -> Result<()> {
    if items.is_empty() {
        return Err(Error::invalid_input(op, "the list of properties is empty"));
    }
    Ok(())
}

impl crate::Client {
    async fn otap<T: serde::de::DeserializeOwned>(&self, request: Request) -> Result<T> {
        let resp = self.execute(request).await?;
        crate::profile::envelope(&resp)?.into_result(&resp)
    }

    /// The `data` of an answer that must carry one (a missing `data` is a decode error).
    async fn otap_data<T: serde::de::DeserializeOwned>(&self, request: Request) -> Result<T> {
        let op = request.op.id;
        let data: Option<T> = self.otap(request).await?;
        data.ok_or_else(|| {
            Error::decode(
                op,
                Some(200),
                b"",
                watchpost_core::error::DecodeError::json(serde::de::Error::custom("no `data`")),
            )
        })
    }

    /// 3.24.1: a property's value from the cloud shadow.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty address member or a bad serial; the call's error.
    pub async fn otap_prop(&self, serial: &str, address: &Address) -> Result<Value> {
        self.otap_data(addressed(&ops::PROP_GET, serial, address, "X-PropIdentifier")?).await
    }

    /// 3.24.2: sets a property's value in the cloud shadow.
    ///
    /// # Errors
    /// As [`otap_prop`](Self::otap_prop).
    pub async fn otap_set_prop(&self, serial: &str, address: &Address, value: &Value) -> Result<()> {
        let r =
            addressed(&ops::PROP_PUT, serial, address, "X-PropIdentifier")?.body(json_body(ops::PROP_PUT.id, value)?);
        self.otap::<Option<Value>>(r).await.map(|_| ())
    }

    /// 3.24.3: a property's value read from the device itself.
    ///
    /// # Errors
    /// As [`otap_prop`](Self::otap_prop); an offline device is its platform error.
    pub async fn otap_direct(&self, serial: &str, address: &Address, user: Option<&DeviceUser>) -> Result<Value> {
        let r = with_user(addressed(&ops::DIRECT_GET, serial, address, "X-PropIdentifier")?, user)?;
        self.otap_data(r).await
    }

    /// 3.24.4: sets a property on the device itself.
    ///
    /// # Errors
    /// As [`otap_direct`](Self::otap_direct).
    pub async fn otap_set_direct(
        &self,
        serial: &str,
        address: &Address,
        user: Option<&DeviceUser>,
        value: &Value,
    ) -> Result<()> {
        let r = with_user(addressed(&ops::DIRECT_PUT, serial, address, "X-PropIdentifier")?, user)?
            .body(json_body(ops::DIRECT_PUT.id, value)?);
        self.otap::<Option<Value>>(r).await.map(|_| ())
    }

    /// 3.24.5: performs an action (`address.identifier` is the `X-ActionIdentifier`) with
    /// `input`; the answer's `data` (`Null` when there is none).
    ///
    /// # Errors
    /// As [`otap_direct`](Self::otap_direct).
    pub async fn otap_action(
        &self,
        serial: &str,
        address: &Address,
        user: Option<&DeviceUser>,
        input: &Value,
    ) -> Result<Value> {
        let r = with_user(addressed(&ops::ACTION, serial, address, "X-ActionIdentifier")?, user)?
            .body(json_body(ops::ACTION.id, input)?);
        self.otap::<Option<Value>>(r).await.map(Option::unwrap_or_default)
    }

    /// 3.24.6: the device's object model definition.
    ///
    /// # Errors
    /// A bad serial; the call's error.
    pub async fn otap_product_profile(&self, serial: &str, request: &ProfileRequest) -> Result<ProductProfile> {
        let r = base(&ops::PROFILE, Some(serial))?.body(json_body(ops::PROFILE.id, request)?);
        self.otap_data(r).await
    }

    /// 3.24.7: properties of several devices from the cloud shadow (each request names its
    /// device); one result per device, each property with its own outcome.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty list or a request without `deviceSerial`.
    pub async fn otap_batch_get_shadow(&self, requests: &[PropRequest]) -> Result<Vec<DeviceResult>> {
        non_empty(ops::MULTI_GET_SHADOW.id, requests)?;
        for r in requests {
            serial_ok(ops::MULTI_GET_SHADOW.id, r.device_serial.as_deref().unwrap_or_default())?;
        }
        let r = base(&ops::MULTI_GET_SHADOW, None)?.body(json_body(ops::MULTI_GET_SHADOW.id, requests)?);
        self.otap_data(r).await
    }

    /// 3.24.8: sets properties of several devices in the cloud shadow; one result per device.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty list or a bad serial.
    pub async fn otap_batch_put_shadow(&self, puts: &[DevicePropPuts]) -> Result<Vec<DeviceResult>> {
        non_empty(ops::MULTI_PUT_SHADOW.id, puts)?;
        for p in puts {
            serial_ok(ops::MULTI_PUT_SHADOW.id, &p.device_serial)?;
            non_empty(ops::MULTI_PUT_SHADOW.id, &p.prop_reqs)?;
        }
        let r = base(&ops::MULTI_PUT_SHADOW, None)?.body(json_body(ops::MULTI_PUT_SHADOW.id, puts)?);
        self.otap_data(r).await
    }

    /// 3.24.9: several properties read from the device itself (`X-Username` optional).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty list or a bad serial; the call's error.
    pub async fn otap_batch_get(
        &self,
        serial: &str,
        username: Option<&str>,
        requests: &[PropRequest],
    ) -> Result<Vec<DeviceResult>> {
        non_empty(ops::MULTI_GET.id, requests)?;
        let mut r = base(&ops::MULTI_GET, Some(serial))?.body(json_body(ops::MULTI_GET.id, requests)?);
        if let Some(u) = username {
            r = r.header("X-Username", u)?;
        }
        self.otap_data(r).await
    }

    /// 3.24.10: sets several properties on the device itself (`X-Username` optional).
    ///
    /// # Errors
    /// As [`otap_batch_get`](Self::otap_batch_get).
    pub async fn otap_batch_put(
        &self,
        serial: &str,
        username: Option<&str>,
        puts: &[PropPut],
    ) -> Result<Vec<DeviceResult>> {
        non_empty(ops::MULTI_PUT.id, puts)?;
        let mut r = base(&ops::MULTI_PUT, Some(serial))?.body(json_body(ops::MULTI_PUT.id, puts)?);
        if let Some(u) = username {
            r = r.header("X-Username", u)?;
        }
        self.otap_data(r).await
    }

    /// 3.24.11: one page of the OTAP list `list` (`x-listIdentifier`) of the property at
    /// `address`. Pages count from 1; the platform clamps a page past the end to the last one.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a page of 0 or a size outside 1..=150; the call's error.
    pub async fn otap_table_page(
        &self,
        serial: &str,
        address: &Address,
        list: &str,
        page_index: u32,
        page_size: u32,
    ) -> Result<TablePage> {
        let op = ops::TABLE_LIST.id;
        if page_index == 0 || !(1..=MAX_TABLE_PAGE_SIZE).contains(&page_size) {
            return Err(Error::invalid_input(
                op,
                format!("pages count from 1 and hold 1 to {MAX_TABLE_PAGE_SIZE} records"),
            ));
        }
        if list.trim().is_empty() {
            return Err(Error::invalid_input(op, "the list identifier is required"));
        }
        let r = addressed(&ops::TABLE_LIST, serial, address, "X-PropIdentifier")?
            .header("x-listIdentifier", list)?
            .query("pageIndex", page_index.to_string())
            .query("pageSize", page_size.to_string());
        self.otap_data(r).await
    }

    /// Every record of an OTAP list, page by page: stops after page `totalPages` (or at a page
    /// the platform answers with another number, a clamped page), never loops on the last page.
    ///
    /// # Errors
    /// As [`otap_table_page`](Self::otap_table_page); [`Error::Decode`] when the list claims more
    /// than [`MAX_TABLE_PAGES`] pages.
    pub async fn otap_table_all(
        &self,
        serial: &str,
        address: &Address,
        list: &str,
        page_size: u32,
    ) -> Result<Vec<String>> {
        let mut records = Vec::new();
        let mut index = 1;
        loop {
            let page = self.otap_table_page(serial, address, list, index, page_size).await?;
            let clamped = page.page_index != 0 && page.page_index != index;
            if !clamped {
                records.extend(page.records);
            }
            if clamped || index >= page.total_pages {
                return Ok(records);
            }
            if index >= MAX_TABLE_PAGES {
                let e = watchpost_core::error::DecodeError::json(serde::de::Error::custom("too many pages"));
                return Err(Error::decode(ops::TABLE_LIST.id, Some(200), b"", e));
            }
            index += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(section: &str) -> Value {
        let path = format!("{}/fixtures/seed/{section}.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn data<T: serde::de::DeserializeOwned>(section: &str) -> T {
        serde_json::from_value(fixture(section)["data"].clone()).unwrap()
    }

    #[test]
    fn the_seed_examples_decode() {
        let v: Value = data("3.24.1");
        assert_eq!(v["firmwareVersion"], "V1.0.0");
        assert_eq!(fixture("3.24.2")["errorCode"], "0");
        let v: Value = data("3.24.3");
        assert_eq!(v["serialNumber"], "Q29598581");
        assert_eq!(fixture("3.24.4")["message"], "Ok");
        let v: Value = data("3.24.5");
        assert_eq!(v[0]["armStatus"], "armed");
        let p: ProductProfile = data("3.24.6");
        assert_eq!((p.product_id.as_deref(), p.changed), (Some("CS-T2C-BG"), Some(true)));
        let domain = &p.profile.unwrap().resources[0].domains[0];
        assert_eq!(domain.actions[0].direction.as_deref(), Some("Plt2Dev"));
        assert_eq!(domain.events[0].event_type, vec!["notification".to_owned()]);
        let r: Vec<DeviceResult> = data("3.24.7");
        assert_eq!(r[0].prop_resps[1].value.as_ref().unwrap()["zoneType"], "instant");
        assert!(r[0].prop_outcomes().iter().all(|o| o.failure().is_none()));
        let r: Vec<DeviceResult> = data("3.24.8");
        assert!(r[0].outcome().failure().is_none());
        let r: Vec<DeviceResult> = data("3.24.9");
        assert_eq!(r[0].prop_resps.len(), 2);
        let r: Vec<DeviceResult> = data("3.24.10");
        assert_eq!(r[0].prop_resps[1].timestamp, Some(1_690_251_527_410));
        let t: TablePage = data("3.24.11");
        assert_eq!((t.page_index, t.page_size, t.records.len(), t.total_pages, t.total_elements), (1, 150, 2, 1, 20));
    }

    #[test]
    fn a_failed_device_or_property_is_an_item_outcome() {
        let r: DeviceResult = serde_json::from_str(
            r#"{"deviceSerial":"Q1","errorCode":"0","propResps":[{"domainId":"InfoMgr","propId":"A","errorCode":"EVZ20007","message":"offline"},{"domainId":"InfoMgr","propId":"B"}]}"#,
        )
        .unwrap();
        let o = r.prop_outcomes();
        assert_eq!(o[0].failure().unwrap().code, Some(crate::HppCode::DeviceOffline));
        assert!(o[1].failure().is_none());
        let dead: DeviceResult = serde_json::from_str(r#"{"deviceSerial":"Q2","errorCode":"EVZ20007"}"#).unwrap();
        assert_eq!(dead.outcome().key(), "Q2");
        assert!(dead.outcome().failure().is_some());
    }
}
