//! Status, error-list and id-list messages, and batch outcomes.

use serde::{Deserialize, Deserializer, Serialize};
use watchpost_core::codec::lenient;

use serde::de::DeserializeOwned;

use crate::status::{StatusCode, SubStatusCode};

/// `JSON_ResponseStatus` (9.23): the outcome of a call.
///
/// Read flat as 9.23 defines it or wrapped in `{"ResponseStatus": {...}}` as 2.3 shows it.
/// The members of `JSON_ResponseStatus_AuthenticationFailed` (9.24) are read too when present.
/// `statusCode` is required (9.23): a body without it (`{}`) is a decode error, never an OK.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(bound = "S: SubStatusCode")]
pub struct ResponseStatus<S = String> {
    /// `requestURL`: the request URL.
    #[serde(rename = "requestURL", skip_serializing_if = "Option::is_none")]
    pub request_url: Option<String>,
    /// `statusCode`.
    #[serde(rename = "statusCode")]
    pub status_code: StatusCode,
    /// `statusString`: the status description.
    #[serde(rename = "statusString", skip_serializing_if = "Option::is_none")]
    pub status_string: Option<String>,
    /// `subStatusCode`.
    #[serde(rename = "subStatusCode", skip_serializing_if = "Option::is_none")]
    pub sub_status_code: Option<S>,
    /// `errorCode`, read from a number, a hex literal or a string.
    #[serde(rename = "errorCode", skip_serializing_if = "Option::is_none")]
    pub error_code: Option<u64>,
    /// `errorMsg`: the error details.
    #[serde(rename = "errorMsg", skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
    /// `rebootRequired`: `true` when the change takes effect after a reboot.
    #[serde(rename = "rebootRequired", skip_serializing_if = "Option::is_none")]
    pub reboot_required: Option<bool>,
    /// `lockStatus` (9.24, authentication failures only).
    #[serde(rename = "lockStatus", skip_serializing_if = "Option::is_none")]
    pub lock_status: Option<AuthLockStatus>,
    /// `retryTimes` (9.24): authentication attempts left.
    #[serde(rename = "retryTimes", skip_serializing_if = "Option::is_none")]
    pub retry_times: Option<u32>,
    /// `resLockTime` (9.24): seconds of lock left.
    #[serde(rename = "resLockTime", skip_serializing_if = "Option::is_none")]
    pub res_lock_time: Option<u64>,
}

/// The wire form of [`ResponseStatus`], before unwrapping.
#[derive(Deserialize)]
#[serde(bound = "S: DeserializeOwned")]
struct StatusRepr<S> {
    #[serde(rename = "requestURL", alias = "requestUrl", default, with = "lenient::opt_string")]
    request_url: Option<String>,
    #[serde(rename = "statusCode", default)]
    status_code: Option<StatusCode>,
    #[serde(rename = "statusString", default, with = "lenient::opt_string")]
    status_string: Option<String>,
    #[serde(rename = "subStatusCode", default)]
    sub_status_code: Option<S>,
    #[serde(rename = "errorCode", default, with = "lenient::opt_int")]
    error_code: Option<u64>,
    #[serde(rename = "errorMsg", default, with = "lenient::opt_string")]
    error_msg: Option<String>,
    #[serde(rename = "rebootRequired", default, deserialize_with = "super::de::reboot_flag")]
    reboot_required: Option<bool>,
    #[serde(rename = "lockStatus", default)]
    lock_status: Option<AuthLockStatus>,
    #[serde(rename = "retryTimes", default, with = "lenient::opt_int")]
    retry_times: Option<u32>,
    #[serde(rename = "resLockTime", default, with = "lenient::opt_int")]
    res_lock_time: Option<u64>,
    #[serde(rename = "ResponseStatus", default)]
    wrapped: Option<Box<StatusRepr<S>>>,
}

impl<S: SubStatusCode> TryFrom<StatusRepr<S>> for ResponseStatus<S> {
    type Error = &'static str;

    fn try_from(r: StatusRepr<S>) -> Result<Self, Self::Error> {
        if let Some(inner) = r.wrapped {
            return (*inner).try_into();
        }
        // No status is ever defaulted to OK: an empty document says nothing happened.
        let status_code = r.status_code.ok_or("missing field `statusCode`")?;
        Ok(ResponseStatus {
            request_url: r.request_url,
            status_code,
            status_string: r.status_string,
            sub_status_code: r.sub_status_code.filter(|s| !s.name().is_empty()),
            error_code: r.error_code,
            error_msg: r.error_msg,
            reboot_required: r.reboot_required,
            lock_status: r.lock_status,
            retry_times: r.retry_times,
            res_lock_time: r.res_lock_time,
        })
    }
}

impl<'de, S: SubStatusCode> Deserialize<'de> for ResponseStatus<S> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        StatusRepr::<S>::deserialize(d)?.try_into().map_err(serde::de::Error::custom)
    }
}

impl<S: SubStatusCode> ResponseStatus<S> {
    /// A status with `statusCode` 1, `subStatusCode` "ok" (what the simulator answers).
    pub fn ok(request_url: impl Into<String>) -> Self {
        ResponseStatus {
            request_url: Some(request_url.into()),
            status_code: StatusCode::Ok,
            status_string: Some("OK".to_owned()),
            sub_status_code: Some(S::ok()),
            error_code: None,
            error_msg: None,
            reboot_required: None,
            lock_status: None,
            retry_times: None,
            res_lock_time: None,
        }
    }

    /// A failure status for `sub` with the code and description of table A.2.
    pub fn failure(request_url: impl Into<String>, sub: S) -> Self {
        let status_code = sub.status_code().unwrap_or(StatusCode::Other(0));
        ResponseStatus {
            request_url: Some(request_url.into()),
            status_code,
            status_string: Some(status_code.description().to_owned()),
            error_code: sub.error_code(),
            error_msg: sub.known_description().map(str::to_owned),
            sub_status_code: Some(sub),
            reboot_required: None,
            lock_status: None,
            retry_times: None,
            res_lock_time: None,
        }
    }

    /// Whether the call succeeded (statusCode 1, or 7 = succeeded, reboot required).
    pub fn is_success(&self) -> bool {
        self.status_code.is_success()
    }

    /// Whether the change takes effect only after a reboot (`rebootRequired` 1, statusCode 7
    /// or sub-status `rebootRequired`).
    pub fn reboot_required(&self) -> bool {
        self.reboot_required == Some(true)
            || self.status_code == StatusCode::RebootRequired
            || self.sub_status_code == Some(S::reboot_required())
    }

    /// The typed sub-status (resolved from `errorCode` when `subStatusCode` is missing).
    pub fn sub_status(&self) -> S {
        S::resolve(self.sub_status_code.as_ref().map(S::name), self.error_code)
    }
}

watchpost_core::open_str_enum! {
    /// `lockStatus` of `JSON_ResponseStatus_AuthenticationFailed` (9.24).
    AuthLockStatus {
        /// `unlock`: the user is not locked.
        Unlock = "unlock" | "unlocked",
        /// `lock`: the user is locked.
        Lock = "lock" | "locked",
    }
}

/// `JSON_ResponseStatus_AuthenticationFailed` (9.24): the body of a failed authentication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "S: SubStatusCode")]
pub struct AuthenticationFailed<S = String> {
    /// `requestURL`.
    #[serde(rename = "requestURL", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub request_url: Option<String>,
    /// `statusCode` (4).
    #[serde(rename = "statusCode")]
    pub status_code: StatusCode,
    /// `statusString`.
    #[serde(rename = "statusString", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub status_string: Option<String>,
    /// `subStatusCode` (`badAuthorization`).
    #[serde(rename = "subStatusCode", default, skip_serializing_if = "Option::is_none")]
    pub sub_status_code: Option<S>,
    /// `errorCode` (0x40000003).
    #[serde(rename = "errorCode", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub error_code: Option<u64>,
    /// `errorMsg`.
    #[serde(rename = "errorMsg", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub error_msg: Option<String>,
    /// `lockStatus`.
    #[serde(rename = "lockStatus", default, skip_serializing_if = "Option::is_none")]
    pub lock_status: Option<AuthLockStatus>,
    /// `retryTimes`: authentication attempts left.
    #[serde(rename = "retryTimes", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub retry_times: Option<u32>,
    /// `resLockTime`: seconds of lock left.
    #[serde(rename = "resLockTime", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub res_lock_time: Option<u64>,
}

/// One item of `JSON_ErrorList` (9.9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "S: SubStatusCode")]
pub struct ErrorItem<S = String> {
    /// `id`: the object the error is about (a relay number for `control/outputs`).
    #[serde(rename = "id", with = "lenient::string")]
    pub id: String,
    /// `statusCode`.
    #[serde(rename = "statusCode", default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<StatusCode>,
    /// `statusString`.
    #[serde(rename = "statusString", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub status_string: Option<String>,
    /// `subStatusCode`.
    #[serde(rename = "subStatusCode", default, skip_serializing_if = "Option::is_none")]
    pub sub_status_code: Option<S>,
    /// `errorCode`.
    #[serde(rename = "errorCode", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub error_code: Option<u64>,
    /// `errorMsg`.
    #[serde(rename = "errorMsg", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub error_msg: Option<String>,
}

impl<S: SubStatusCode> ErrorItem<S> {
    /// Whether this item reports a failure (a status code other than 1/7, or a failing sub-status).
    pub fn is_failure(&self) -> bool {
        match (&self.status_code, &self.sub_status_code) {
            (Some(s), _) => !s.is_success(),
            (None, Some(sub)) => !sub.is_success(),
            (None, None) => self.error_code.is_some_and(|c| c != 1),
        }
    }

    /// The typed sub-status.
    pub fn sub_status(&self) -> S {
        S::resolve(self.sub_status_code.as_ref().map(S::name), self.error_code)
    }
}

/// `JSON_ErrorList` (9.9): per-object errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "S: SubStatusCode")]
pub struct ErrorListMsg<S = String> {
    /// `requestURL`.
    #[serde(rename = "requestURL", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub request_url: Option<String>,
    /// `ErrorList`.
    #[serde(rename = "ErrorList", default, deserialize_with = "super::de::flexible_list")]
    pub error_list: Vec<ErrorItem<S>>,
}

/// An id of `JSON_List` (9.19): a zone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdItem {
    /// `id`.
    #[serde(rename = "id", with = "lenient::int")]
    pub id: u32,
}

/// `JSON_List` (9.19): the zones to bypass or recover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListMsg {
    /// `List`.
    #[serde(rename = "List", default, deserialize_with = "super::de::flexible_list")]
    pub list: Vec<IdItem>,
}

impl ListMsg {
    /// A list of the given zone numbers.
    pub fn of(ids: impl IntoIterator<Item = u32>) -> Self {
        ListMsg { list: ids.into_iter().map(|id| IdItem { id }).collect() }
    }

    /// The numbers in the list.
    pub fn ids(&self) -> Vec<u32> {
        self.list.iter().map(|i| i.id).collect()
    }
}

/// One failed item of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(serialize = "T: Serialize, S: SubStatusCode", deserialize = "T: DeserializeOwned, S: SubStatusCode"))]
pub struct BatchFailure<T, S = String> {
    /// The item as the gateway reported it.
    pub item: T,
    /// Why it failed.
    pub sub_status: S,
}

/// The per-item outcome of a batch call (addDevice, batch delDevice, relay outputs, the
/// subscription's FailList): a partial failure is never a plain error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(serialize = "T: Serialize, S: SubStatusCode", deserialize = "T: DeserializeOwned, S: SubStatusCode"))]
pub struct BatchOutcome<T, S = String> {
    /// The items that succeeded.
    pub succeeded: Vec<T>,
    /// The items that failed, with their sub-status.
    pub failed: Vec<BatchFailure<T, S>>,
    /// The overall status, when the gateway sent one next to the list (all items failed).
    pub status: Option<ResponseStatus<S>>,
}

impl<T, S> BatchOutcome<T, S> {
    /// Whether every item succeeded.
    pub fn all_succeeded(&self) -> bool {
        self.failed.is_empty()
    }
}

/// The status members that may accompany a batch list in one body ("JSON_ResponseStatus and
/// JSON_DeviceOutList", 8.1.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "S: SubStatusCode")]
pub struct BatchStatus<S = String> {
    /// `statusCode`, when present.
    #[serde(rename = "statusCode", default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<StatusCode>,
    /// `statusString`.
    #[serde(rename = "statusString", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub status_string: Option<String>,
    /// `subStatusCode`.
    #[serde(rename = "subStatusCode", default, skip_serializing_if = "Option::is_none")]
    pub sub_status_code: Option<S>,
    /// `errorCode`.
    #[serde(rename = "errorCode", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub error_code: Option<u64>,
    /// `errorMsg`.
    #[serde(rename = "errorMsg", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub error_msg: Option<String>,
}

impl<S> Default for BatchStatus<S> {
    fn default() -> Self {
        BatchStatus { status_code: None, status_string: None, sub_status_code: None, error_code: None, error_msg: None }
    }
}

impl<S: SubStatusCode> BatchStatus<S> {
    /// The status as a [`ResponseStatus`], when a status code was sent.
    pub fn to_status(&self) -> Option<ResponseStatus<S>> {
        let status_code = self.status_code?;
        Some(ResponseStatus {
            request_url: None,
            status_code,
            status_string: self.status_string.clone(),
            sub_status_code: self.sub_status_code.clone(),
            error_code: self.error_code,
            error_msg: self.error_msg.clone(),
            reboot_required: None,
            lock_status: None,
            retry_times: None,
            res_lock_time: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_status_flat_wrapped_and_bare() {
        let flat: ResponseStatus = serde_json::from_str(
            r#"{"requestURL":"/x","statusCode":7,"statusString":"Reboot Required","subStatusCode":"rebootRequired","errorCode":1879048193,"rebootRequired":1}"#,
        )
        .unwrap();
        assert!(flat.is_success() && flat.reboot_required());
        let wrapped: ResponseStatus =
            serde_json::from_str(r#"{"ResponseStatus":{"statusCode":"1","statusString":"OK","subStatusCode":"ok"}}"#)
                .unwrap();
        assert_eq!(wrapped.status_code, StatusCode::Ok);
        assert_eq!(wrapped.sub_status(), "ok");
        // No status is defaulted to OK.
        for bare in ["{}", r#"{"statusString":"OK"}"#, r#"{"ResponseStatus":{}}"#, r#"{"statusCode":null}"#] {
            let e = serde_json::from_str::<ResponseStatus>(bare).unwrap_err();
            assert!(e.to_string().contains("statusCode"), "{bare}: {e}");
        }
        let odd: ResponseStatus = serde_json::from_str(r#"{"statusCode":1,"rebootRequired":"2"}"#).unwrap();
        assert_eq!(odd.reboot_required, Some(false));
    }

    #[test]
    fn error_list_items() {
        let l: ErrorListMsg = serde_json::from_str(
            r#"{"requestURL":"","ErrorList":[{"id":"2","statusCode":6,"statusString":"Invalid Content","subStatusCode":"badParameters","errorCode":1610612737,"errorMsg":"bad"},{"id":3,"errorMsg":"ok"}]}"#,
        )
        .unwrap();
        assert_eq!(l.error_list.len(), 2);
        assert!(l.error_list[0].is_failure());
        assert_eq!(l.error_list[0].sub_status(), "badParameters");
        assert_eq!(l.error_list[1].id, "3");
        assert!(!l.error_list[1].is_failure());
    }

    #[test]
    fn list_writes_as_documented() {
        assert_eq!(serde_json::to_string(&ListMsg::of([1, 3])).unwrap(), r#"{"List":[{"id":1},{"id":3}]}"#);
        let l: ListMsg = serde_json::from_str(r#"{"List":{"id":"4"}}"#).unwrap();
        assert_eq!(l.ids(), vec![4]);
    }
}
