//! Typed replies and entities of the Akuvox HTTP API (serde; lenient where the seed is loose):
//! strings on the wire are typed on our side with the raw text kept ([`wire`]), every entity
//! keeps the members the seed does not document.

mod config;
mod device;
mod entities;
pub mod wire;

pub use config::{keys, ConfigMap, InputTrigger, RelayOpenType};
pub use device::{
    CallStatus, FirmwareStatus, InputStatus, Lan, LinkStatus, PcapStart, PcapStatus, PcapStop, Registration,
    RelayStatus, ScanResult, SipAccountStatus, SipStatus, SystemInfo, SystemStatus, UserExport, UserInfo,
};
pub use entities::{
    CallLogEntry, CallType, Contact, ContactSelector, DialReplace, DoorLogEntry, Group, IdSelector, ItemList,
    ItemOutcome, KeySelector, PrivateKey, RfKey, User,
};
pub use wire::{Door, Doors, Flag, TimeOfDay, Weekdays};
