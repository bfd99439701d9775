//! Persons, access-control privileges and person synchronisation (sections 3.43 to 3.51).
//!
//! Persons live on the platform (`person/add|update|delete`) and reach access control devices
//! only through `acs/privilege/config`, which runs asynchronously: `acs/privilege/status` answers
//! one row per person and device, each its own outcome ([`DeviceApplyState::outcome`]). A
//! synchronisation task copies persons from a device to the platform; its detail rows carry their
//! own `errorCode` ([`SyncDetail::outcome`]).
//!
//! The documented limits (the `MAX_*` constants) are checked before anything is sent, as
//! [`Error::InvalidInput`](watchpost_core::Error::InvalidInput).

use serde::{Deserialize, Deserializer, Serialize};
use watchpost_core::codec::lenient;

use super::common::{ItemFailure, ItemOutcome};

mod validate;

pub(crate) use validate::check;
pub use validate::{
    MAX_CARD_NO, MAX_EMAIL, MAX_EMPLOYEE_NO, MAX_FACE_PICTURE_BYTES, MAX_NAME, MAX_PAGE_SIZE, MAX_PHONE,
    MAX_SYNC_TASK_ID,
};

watchpost_core::open_int_enum! {
    /// A person's type (`type`).
    PersonType {
        /// 0: an employee.
        Employee = 0,
        /// 1: a temporary employee.
        TemporaryEmployee = 1,
        /// 2: a visitor.
        Visitor = 2,
    }
}

watchpost_core::open_int_enum! {
    /// Which rows `person/synchronize/details` answers (`queryType`).
    SyncQueryType {
        /// 0: the persons that failed to synchronise.
        Failed = 0,
        /// 1: the persons that synchronised.
        Succeeded = 1,
    }
}

watchpost_core::open_int_enum! {
    /// The applying status of one person on one device (`status` of 3.47).
    ApplyStatus {
        /// 0: still applying.
        Applying = 0,
        /// 1: applied.
        Succeeded = 1,
        /// 2: applying failed.
        Failed = 2,
    }
}

watchpost_core::open_int_enum! {
    /// The state of a person synchronisation task (`taskStates` of 3.50).
    SyncTaskState {
        /// 0: the task failed.
        Failed = 0,
        /// 1: the task finished.
        Succeeded = 1,
        /// 2: the task is running.
        InProgress = 2,
    }
}

/// The `data` of `person/add`: the new person's ID.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddedPerson {
    /// The person ID, for `person/update`, `person/delete` and the privilege operations.
    #[serde(default, with = "lenient::string")]
    pub person_id: String,
}

/// One device and the persons to apply to it (or remove from it), for `acs/privilege/config`
/// and `acs/privilege/delete`. The permitted time range is all day.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceAuthority {
    /// The access control device's serial number.
    pub device_serial: String,
    /// The person IDs.
    #[serde(default)]
    pub person_id_list: Vec<String>,
}

impl DeviceAuthority {
    /// The persons `person_ids` on the device `device_serial`.
    pub fn new(device_serial: impl Into<String>, person_ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        DeviceAuthority {
            device_serial: device_serial.into(),
            person_id_list: person_ids.into_iter().map(Into::into).collect(),
        }
    }
}

/// The `data` of `acs/privilege/status`: per person, the applying state on each device.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivilegeStatus {
    /// One entry per person asked about.
    #[serde(default)]
    pub person_authorities: Vec<PersonAuthority>,
}

/// One person's applying state on each of its devices.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonAuthority {
    /// The person ID.
    #[serde(default, with = "lenient::string")]
    pub person_id: String,
    /// The devices the person is applied to.
    #[serde(default)]
    pub device_lists: Vec<DeviceApplyState>,
}

/// The applying state of one person on one device: a per-item outcome inside a successful
/// answer ([`outcome`](Self::outcome)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceApplyState {
    /// The device's serial number.
    #[serde(default, with = "lenient::string")]
    pub device_serial: String,
    /// Applying, applied or failed.
    pub status: ApplyStatus,
    /// Which credentials were applied (see [`Credentials`]).
    #[serde(default)]
    pub sub_status: Option<Credentials>,
    /// The error code of a failed applying, as sent (an A.1 code, or one of the device's).
    #[serde(default, with = "lenient::opt_string")]
    pub error: Option<String>,
}

/// What became of one person on one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyOutcome {
    /// Still applying: ask again later.
    Applying,
    /// Applied; `unsupported` names the credentials the device does not support (the bits of
    /// `subStatus` that are 0), empty when everything was applied.
    Applied {
        /// The credentials the device did not take.
        unsupported: Vec<Credential>,
    },
    /// Applying failed, with the device's code and the credentials that did go through.
    Failed {
        /// The code and text of the failure.
        failure: ItemFailure,
        /// The credentials applied in spite of the failure (bits of `subStatus` that are 1).
        applied: Vec<Credential>,
    },
    /// A `status` the seed does not document, kept as sent: not reported as success.
    Unknown(i64),
}

impl DeviceApplyState {
    /// The outcome of this row: applying, applied (with the credentials the device does not
    /// support) or failed with its code (`error`).
    pub fn outcome(&self) -> ApplyOutcome {
        let bits = self.sub_status.unwrap_or(Credentials::ALL);
        match self.status {
            ApplyStatus::Applying => ApplyOutcome::Applying,
            ApplyStatus::Succeeded => ApplyOutcome::Applied { unsupported: bits.missing() },
            ApplyStatus::Failed => ApplyOutcome::Failed {
                failure: ItemFailure::from_text(self.error.clone().unwrap_or_else(|| "applying failed".to_owned())),
                applied: self.sub_status.map(Credentials::present).unwrap_or_default(),
            },
            ApplyStatus::Other(v) => ApplyOutcome::Unknown(v),
        }
    }
}

/// One credential of a person on a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Credential {
    /// The basic person information.
    Person,
    /// The card.
    Card,
    /// The face picture.
    Face,
    /// The fingerprint.
    Fingerprint,
}

impl Credential {
    /// Every credential, in the seed's order.
    pub const ALL: [Credential; 4] = [Credential::Person, Credential::Card, Credential::Face, Credential::Fingerprint];

    /// The bit of this credential in `subStatus`.
    ///
    /// The seed contradicts itself (L3923-3926, L4079): "from the high figure to the low figure:
    /// person, card, face, fingerprint", but its example reads 7 (`0111b`) as "the first 3 items
    /// succeeded while the last failed", and goes on to say that this fingerprint bit is the one
    /// a device may not support. The example and its explanation agree, so the bits are read
    /// from the lowest: person 1, card 2, face 4, fingerprint 8.
    pub fn bit(self) -> u8 {
        match self {
            Credential::Person => 1,
            Credential::Card => 2,
            Credential::Face => 4,
            Credential::Fingerprint => 8,
        }
    }
}

/// The `subStatus` bit set: which credentials were applied or synchronised (1) and which were
/// not (0). See [`Credential::bit`] for the bit order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Credentials(#[serde(with = "lenient::int")] pub u8);

impl Credentials {
    /// Every credential applied (`0b1111`).
    pub const ALL: Credentials = Credentials(0b1111);

    /// Whether `credential` is set.
    pub fn has(self, credential: Credential) -> bool {
        self.0 & credential.bit() != 0
    }

    /// The credentials that are set.
    pub fn present(self) -> Vec<Credential> {
        Credential::ALL.into_iter().filter(|c| self.has(*c)).collect()
    }

    /// The credentials that are not set.
    pub fn missing(self) -> Vec<Credential> {
        Credential::ALL.into_iter().filter(|c| !self.has(*c)).collect()
    }
}

/// The `data` of `person/synchronize`: the new task.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SyncTask {
    /// The task ID, for the progress and the details.
    #[serde(rename = "syncTaskID", alias = "syncTaskId", default, with = "lenient::string")]
    pub sync_task_id: String,
}

/// The `data` of `person/synchronize/progress`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    /// Persons to synchronise.
    #[serde(default, with = "lenient::int")]
    pub total_num: u64,
    /// Failed, finished or running.
    pub task_states: SyncTaskState,
    /// Persons synchronised so far.
    #[serde(default, with = "lenient::int")]
    pub sync_succeed_num: u64,
    /// Persons that failed to synchronise so far.
    #[serde(default, with = "lenient::int")]
    pub sync_failed_num: u64,
}

impl SyncProgress {
    /// Whether the task has ended (finished or failed): the details are then complete.
    pub fn is_done(&self) -> bool {
        matches!(self.task_states, SyncTaskState::Succeeded | SyncTaskState::Failed)
    }
}

/// One row of `person/synchronize/details`. Failed rows (query type 0) carry `employeeNo`,
/// `subStatus` and `errorCode`; succeeded rows (query type 1) the person's information.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncDetail {
    /// Employee ID (at most 32 letters and digits).
    #[serde(default, with = "lenient::string")]
    pub employee_no: String,
    /// Which parts of the person were synchronised (see [`Credentials`]).
    #[serde(default)]
    pub sub_status: Option<Credentials>,
    /// The error code of a failed row, as sent (`"EVZ20008"`).
    #[serde(default, with = "lenient::opt_string")]
    pub error_code: Option<String>,
    /// The person ID the synchronisation created (not the one of `person/add`; the seed
    /// recommends this one). Documented as an integer, sent as a hex string; the example's key
    /// has a trailing space (`"personId "`).
    #[serde(default, alias = "personId ", deserialize_with = "trimmed")]
    pub person_id: Option<String>,
    /// Person type (documented as a string, sent as a number).
    #[serde(rename = "type", default)]
    pub person_type: Option<PersonType>,
    /// Family name (at most 32 characters).
    #[serde(default, with = "lenient::opt_string")]
    pub family_name: Option<String>,
    /// Given name (at most 32 characters).
    #[serde(default, with = "lenient::opt_string")]
    pub given_name: Option<String>,
    /// Email address (at most 128 characters).
    #[serde(default, with = "lenient::opt_string")]
    pub email: Option<String>,
    /// Phone number (at most 32 characters).
    #[serde(default, with = "lenient::opt_string")]
    pub phone: Option<String>,
    /// Face picture URL, valid for 10 minutes.
    #[serde(default, with = "lenient::opt_string")]
    pub face_picture: Option<String>,
    /// Card number (at most 20 digits).
    #[serde(default, with = "lenient::opt_string")]
    pub card_no: Option<String>,
    /// The fingerprint model, base64 (the example's value has a leading space, trimmed).
    #[serde(default, deserialize_with = "trimmed")]
    pub fingerprint: Option<String>,
}

impl SyncDetail {
    /// The outcome of this row, keyed by employee number: failed when it came from a query for
    /// the failed rows or carries an error code (other than `"0"`), done otherwise.
    pub fn outcome(&self, query: SyncQueryType) -> ItemOutcome<String> {
        let code = self.error_code.as_deref().map(str::trim).filter(|c| !c.is_empty() && *c != "0");
        match (code, query) {
            (Some(code), _) => ItemOutcome::Failed(self.employee_no.clone(), ItemFailure::from_text(code)),
            (None, SyncQueryType::Succeeded) => ItemOutcome::Done(self.employee_no.clone()),
            (None, _) => ItemOutcome::Failed(
                self.employee_no.clone(),
                ItemFailure { code: None, message: "synchronisation failed (no code given)".to_owned() },
            ),
        }
    }
}

/// An optional text (a string or a number), trimmed; blank reads as `None`.
fn trimmed<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    let text = lenient::opt_string::deserialize(d)?;
    Ok(text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()))
}

#[cfg(test)]
mod tests;
