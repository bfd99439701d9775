//! The outcome of a set operation.

use serde::Serialize;

use crate::error::EzvizCode;

/// What a set operation did.
///
/// EZVIZ answers a request for the state a device is already in with a code of its own: 60016
/// (encryption already disabled), 60019 (already enabled) or 60022 (already the current status).
/// The set operations report those as [`SetOutcome::AlreadyInState`] instead of an error, so a
/// caller that wants "make it so" can treat every `Ok` as success, and one that cares can tell:
///
/// ```
/// use ezviz_lapp::models::SetOutcome;
/// use ezviz_lapp::EzvizCode;
///
/// let outcome = SetOutcome::AlreadyInState(EzvizCode::AlreadyCurrentStatus);
/// assert!(!outcome.is_applied());
/// assert_eq!(outcome.already_in_state(), Some(&EzvizCode::AlreadyCurrentStatus));
/// assert_eq!(serde_json::to_string(&outcome).unwrap(), r#"{"already_in_state":"60022"}"#);
/// assert_eq!(serde_json::to_string(&SetOutcome::Applied).unwrap(), r#""applied""#);
/// ```
///
/// It serializes (for the CLI's output) but does not deserialize: it is built from the envelope's
/// code, never from `data`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SetOutcome {
    /// The service applied the change (code 200).
    Applied,
    /// The device was already in the requested state (60016, 60019 or 60022); nothing changed.
    AlreadyInState(EzvizCode),
}

impl SetOutcome {
    /// Whether the service applied the change.
    pub fn is_applied(&self) -> bool {
        matches!(self, SetOutcome::Applied)
    }

    /// The "already in that state" code, if that was the outcome.
    pub fn already_in_state(&self) -> Option<&EzvizCode> {
        match self {
            SetOutcome::Applied => None,
            SetOutcome::AlreadyInState(code) => Some(code),
        }
    }
}

impl crate::envelope::FromEnvelope for SetOutcome {
    fn from_envelope(
        env: &crate::envelope::Envelope,
        resp: &watchpost_core::RawResponse,
    ) -> watchpost_core::Result<Self> {
        match env.ezviz_code() {
            None => Ok(SetOutcome::Applied),
            Some(code) if code.is_already_in_state() => Ok(SetOutcome::AlreadyInState(code)),
            Some(_) => Err(crate::error::to_error(resp.op, Some(resp.status.as_u16()), env.code(), env.message())),
        }
    }
}
