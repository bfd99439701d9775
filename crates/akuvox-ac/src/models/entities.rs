//! The entities the device stores: private keys (PINs), RF cards, contacts, groups, users,
//! dial replace rules, call and door log entries, and the selectors and per-item outcomes of
//! the batch functions. Every member is optional (the seed's examples leave members out freely)
//! and members the seed does not document are kept in `extra`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::wire::{opt_text, Doors, Flag, TimeOfDay, Weekdays};

/// A `{num, item}` list: every list reply, and the replies of the batch functions.
///
/// `num` is the count the device reports (the seed's contact/add reply says 6 and lists 3,
/// L2229-2245): [`ItemList::item`] is what arrived. No list function pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct ItemList<T> {
    /// The count the device reports.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub num: Option<u64>,
    /// The items.
    #[serde(default = "Vec::new")]
    pub item: Vec<T>,
}

impl<T> Default for ItemList<T> {
    fn default() -> Self {
        ItemList { num: None, item: Vec::new() }
    }
}

impl<T> ItemList<T> {
    /// A list of `items` with `num` set to their count.
    pub fn of(item: Vec<T>) -> Self {
        ItemList { num: Some(item.len() as u64), item }
    }

    /// Whether the device reported a count that differs from the items it sent.
    pub fn count_mismatch(&self) -> bool {
        self.num.is_some_and(|n| n != self.item.len() as u64)
    }
}

impl ItemList<ItemOutcome> {
    /// The outcomes the device reported as failed (`Ret` < 0).
    pub fn failures(&self) -> impl Iterator<Item = &ItemOutcome> {
        self.item.iter().filter(|o| o.failed())
    }
}

/// What a batch add/set/del did to one item: `Ret` 0 success, negative failure (rfkey del,
/// L1980); rfkey add answers 1 and 2 (L1854, L1860), undocumented and taken as success. A
/// privatekey add reply has no `Ret` at all (L1451-1460).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ItemOutcome {
    /// The per-item result code.
    #[serde(
        rename = "Ret",
        default,
        with = "watchpost_core::codec::lenient::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub ret: Option<i64>,
    /// The item's ID (assigned by the device for an add with ID `"0"`).
    #[serde(rename = "ID", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its name.
    #[serde(rename = "Name", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its code (PIN, card number).
    #[serde(rename = "Code", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Its phone number (contacts).
    #[serde(rename = "Phone", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Members the seed does not document.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl ItemOutcome {
    /// `Ret` is negative.
    pub fn failed(&self) -> bool {
        self.ret.is_some_and(|r| r < 0)
    }
}

/// Selects keys or cards to delete by any subset of `ID`, `Code`, `Name` (L1559-1573).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KeySelector {
    /// By ID.
    #[serde(rename = "ID", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// By code.
    #[serde(rename = "Code", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// By name.
    #[serde(rename = "Name", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl KeySelector {
    /// The key with this ID.
    pub fn id(id: impl Into<String>) -> Self {
        KeySelector { id: Some(id.into()), ..Self::default() }
    }
}

/// Selects by `ID` only (dial replace rules, users).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IdSelector {
    /// The ID.
    #[serde(rename = "ID", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl IdSelector {
    /// The item with this ID.
    pub fn id(id: impl Into<String>) -> Self {
        IdSelector { id: Some(id.into()) }
    }
}

/// Selects contacts to delete by `ID`, `Name` or `Phone`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ContactSelector {
    /// By ID.
    #[serde(rename = "ID", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// By name.
    #[serde(rename = "Name", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// By phone.
    #[serde(rename = "Phone", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// A private key: a PIN that opens doors on a weekly schedule (L1314-1328). `Debug` hides the PIN.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PrivateKey {
    /// Index (`"0"` or absent on add: the device assigns one).
    #[serde(rename = "ID", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name (in the examples only).
    #[serde(rename = "Name", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The PIN (the table calls it "RF SN", L1318).
    #[serde(rename = "Code", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The doors it opens.
    #[serde(rename = "DoorNum", default, skip_serializing_if = "Option::is_none")]
    pub door_num: Option<Doors>,
    /// The days it works.
    #[serde(flatten)]
    pub days: Weekdays,
    /// Start of the daily window (`"00:00"` to `"00:00"`: always).
    #[serde(rename = "TimeStart", default, skip_serializing_if = "Option::is_none")]
    pub time_start: Option<TimeOfDay>,
    /// End of the daily window.
    #[serde(rename = "TimeEnd", default, skip_serializing_if = "Option::is_none")]
    pub time_end: Option<TimeOfDay>,
    /// Members the seed does not document.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("code", &self.code.as_ref().map(|_| "***"))
            .field("door_num", &self.door_num)
            .field("days", &self.days)
            .field("time_start", &self.time_start)
            .field("time_end", &self.time_end)
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl PrivateKey {
    /// A key `code` named `name` opening `doors` every day at any time (ID assigned by the device).
    pub fn new(name: impl Into<String>, code: impl Into<String>, doors: &[super::Door]) -> Self {
        PrivateKey {
            id: Some("0".into()),
            name: Some(name.into()),
            code: Some(code.into()),
            door_num: Some(Doors::of(doors)),
            days: Weekdays::every_day(),
            time_start: TimeOfDay::new(0, 0),
            time_end: TimeOfDay::new(0, 0),
            extra: BTreeMap::new(),
        }
    }
}

/// An RF card (L1701-1718): a private key's members plus its access tags.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RfKey {
    /// Index (`"0"` on add: the device assigns one).
    #[serde(rename = "ID", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name.
    #[serde(rename = "Name", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The card number (hex, `"00B4161D"`).
    #[serde(rename = "Code", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The doors it opens.
    #[serde(rename = "DoorNum", default, skip_serializing_if = "Option::is_none")]
    pub door_num: Option<Doors>,
    /// The days it works.
    #[serde(flatten)]
    pub days: Weekdays,
    /// Start of the daily window.
    #[serde(rename = "TimeStart", default, skip_serializing_if = "Option::is_none")]
    pub time_start: Option<TimeOfDay>,
    /// End of the daily window.
    #[serde(rename = "TimeEnd", default, skip_serializing_if = "Option::is_none")]
    pub time_end: Option<TimeOfDay>,
    /// 0 allowed, 1 frequency, 2 forbidden, 3 schedule (L1716).
    #[serde(rename = "Tags", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// How often the card may be used (0-65535), with `Tags` 1.
    #[serde(rename = "Frequency", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub frequency: Option<String>,
    /// Reserved (L1718).
    #[serde(rename = "DoorWebRelay", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub door_web_relay: Option<String>,
    /// Members the seed does not document.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl RfKey {
    /// A card `code` named `name` opening `doors` every day at any time.
    pub fn new(name: impl Into<String>, code: impl Into<String>, doors: &[super::Door]) -> Self {
        RfKey {
            id: Some("0".into()),
            name: Some(name.into()),
            code: Some(code.into()),
            door_num: Some(Doors::of(doors)),
            days: Weekdays::every_day(),
            time_start: TimeOfDay::new(0, 0),
            time_end: TimeOfDay::new(0, 0),
            tags: Some("0".into()),
            ..Self::default()
        }
    }
}

/// A contact (L2078-2085).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Contact {
    /// Index (`"0"` on add: the device assigns one).
    #[serde(rename = "ID", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name.
    #[serde(rename = "Name", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Phone number, SIP account or IP address.
    #[serde(rename = "Phone", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// 0 auto (IP direct, else a registered account), 1 account 1, 2 account 2.
    #[serde(rename = "DialType", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub dial_type: Option<String>,
    /// The group's name (not its ID).
    #[serde(rename = "Group", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Members the seed does not document.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A contact group (L2471-2475).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Group {
    /// Index.
    #[serde(rename = "ID", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name.
    #[serde(rename = "Name", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Members the seed does not document.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A dial replace rule (L2913-2923): a dialled `Prefix` replaced by up to five numbers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DialReplace {
    /// Index.
    #[serde(rename = "ID", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The dialled prefix (the table says number; the examples send strings).
    #[serde(rename = "Prefix", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// 0 auto, 1 account 1, 2 account 2.
    #[serde(rename = "Line", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
    /// Replacement 1.
    #[serde(rename = "Replace1", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub replace1: Option<String>,
    /// Replacement 2.
    #[serde(rename = "Replace2", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub replace2: Option<String>,
    /// Replacement 3.
    #[serde(rename = "Replace3", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub replace3: Option<String>,
    /// Replacement 4.
    #[serde(rename = "Replace4", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub replace4: Option<String>,
    /// Replacement 5.
    #[serde(rename = "Replace5", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub replace5: Option<String>,
    /// Members the seed does not document.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A user (V2.0, L3722-3936; the seed has no field table). `Debug` hides the PIN.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct User {
    /// Index.
    #[serde(rename = "ID", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The user's own ID.
    #[serde(rename = "UserID", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Name.
    #[serde(rename = "Name", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Card number.
    #[serde(rename = "CardCode", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub card_code: Option<String>,
    /// PIN.
    #[serde(rename = "PrivatePIN", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub private_pin: Option<String>,
    /// Face picture URL.
    #[serde(rename = "FaceUrl", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub face_url: Option<String>,
    /// Lift floors, `;`-separated (`"1;2"`).
    #[serde(rename = "LiftFloorNum", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub lift_floor_num: Option<String>,
    /// Schedule and relay (`"1001-1"`, format undocumented).
    #[serde(rename = "ScheduleRelay", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub schedule_relay: Option<String>,
    /// Type (`"0"`).
    #[serde(rename = "Type", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    /// Web relay (`"1"`).
    #[serde(rename = "WebRelay", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub web_relay: Option<String>,
    /// Source (`"1"` in replies).
    #[serde(rename = "SourceType", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// Members the seed does not document.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("name", &self.name)
            .field("card_code", &self.card_code)
            .field("private_pin", &self.private_pin.as_ref().map(|_| "***"))
            .field("face_url", &self.face_url)
            .field("lift_floor_num", &self.lift_floor_num)
            .field("schedule_relay", &self.schedule_relay)
            .field("user_type", &self.user_type)
            .field("web_relay", &self.web_relay)
            .field("source_type", &self.source_type)
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl User {
    /// The lift floors (`"1;2"` → `[1, 2]`), skipping what is not a number.
    pub fn lift_floors(&self) -> Vec<u32> {
        self.lift_floor_num.as_deref().unwrap_or("").split(';').filter_map(|f| f.trim().parse().ok()).collect()
    }
}

/// A call log entry (L3293-3302).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CallLogEntry {
    /// Index.
    #[serde(rename = "ID", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The type by name (the reply uses names, the table codes 0-5).
    #[serde(rename = "Type", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub call_type: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(rename = "Date", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// `HH:MM:SS`.
    #[serde(rename = "Time", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// The local SIP identity (the table's "Local Identity").
    #[serde(rename = "LocalIdentity", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub local_identity: Option<String>,
    /// The remote display name.
    #[serde(rename = "Name", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The remote number (the table's "Number").
    #[serde(rename = "Num", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub num: Option<String>,
    /// Members the seed does not document.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_pins() {
        let key = PrivateKey::new("Lucy", "88885555", &[super::super::Door::A]);
        let user = User { private_pin: Some("4711".into()), ..User::default() };
        assert!(!format!("{key:?}").contains("88885555"));
        assert!(!format!("{user:?}").contains("4711"));
    }
}

impl CallLogEntry {
    /// The type, from its name or its code 0-5.
    pub fn kind(&self) -> Option<CallType> {
        self.call_type.as_deref().and_then(CallType::parse)
    }
}

/// The type of a call log entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallType {
    /// 0 "All" (a filter, not an entry type).
    All,
    /// 1 "Dialed".
    Dialed,
    /// 2 "Received".
    Received,
    /// 3 "Missed".
    Missed,
    /// 4 "Forwarded".
    Forwarded,
    /// 5 "Unknow" (sic).
    Unknown,
}

impl CallType {
    /// The wire name (`"Unknow"` as the seed spells it).
    pub fn as_str(self) -> &'static str {
        match self {
            CallType::All => "All",
            CallType::Dialed => "Dialed",
            CallType::Received => "Received",
            CallType::Missed => "Missed",
            CallType::Forwarded => "Forwarded",
            CallType::Unknown => "Unknow",
        }
    }

    /// From a name (case-insensitive, `Unknown` too) or a code `0`-`5`.
    pub fn parse(s: &str) -> Option<CallType> {
        let all = [
            CallType::All,
            CallType::Dialed,
            CallType::Received,
            CallType::Missed,
            CallType::Forwarded,
            CallType::Unknown,
        ];
        let s = s.trim();
        if let Ok(n) = s.parse::<usize>() {
            return all.get(n).copied();
        }
        if s.eq_ignore_ascii_case("unknown") {
            return Some(CallType::Unknown);
        }
        all.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(s))
    }
}

/// A door log entry (L3435-3444; the get reply is undocumented and read like the call log's).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DoorLogEntry {
    /// Index.
    #[serde(rename = "ID", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// 0 Unknow, 1 Card, 2 Password, 3 Public, 4 Face (by name or code).
    #[serde(rename = "Type", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub open_type: Option<String>,
    /// Name of the key or user.
    #[serde(rename = "Name", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 0 success, 1 failed.
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Flag>,
    /// The code used (PIN, card).
    #[serde(rename = "Code", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(rename = "Date", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// `HH:MM:SS`.
    #[serde(rename = "Time", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Members the seed does not document.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl DoorLogEntry {
    /// Whether the door opened (`Status` 0), when the device said so in a known way.
    pub fn succeeded(&self) -> Option<bool> {
        self.status.as_ref().and_then(Flag::as_bool).map(|failed| !failed)
    }
}
