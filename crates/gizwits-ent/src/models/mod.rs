//! Typed models of every request body and response of the Gizwits Enterprise API.
//!
//! Tolerant readers, strict writers: unknown fields are ignored, anything a device or report may
//! omit is an `Option` (or a count defaulting to 0), and the seed's inconsistencies are read in
//! every documented form (flags typed integer but sent as booleans, decimal coordinates typed
//! string/integer, fractional timestamps typed integer, payloads typed string but sent as objects,
//! three shapes of location-tree leaves). Every model derives `Debug` (secrets redacted), `Clone`,
//! `PartialEq`, `Serialize` and `Deserialize`.

mod auth;
mod common;
mod control;
mod device;
mod enums;
mod group;
mod product;
mod report;
mod user;

pub use auth::AccessToken;
pub use common::{Page, PageMeta, Timestamp};
pub use control::{AttrValue, Attrs, ControlCommand};
pub use device::{
    CommandLog, DataRecord, Device, DeviceDetail, DeviceDid, HeartbeatStats, OnlineDetails, OnlineRecord, RecordPayload,
};
pub use enums::{
    BinaryCoding, CommandDirection, Cycle, DataType, DatapointKind, DeviceSearchType, GroupAction, OfflineReason,
    OnlineEventType, Sort,
};
pub use group::{BatchResult, CreatedGroup, GroupMacs, GroupNode, GroupTree};
pub use product::{pad_hex, Datapoint, Entity, Position, ProductDatapoints, UintSpec};
pub use report::{
    ActiveSummary, ActiveUsers, CyclePoint, CycleReport, DateCount, DeviceReportEntry, DeviceSummary, IssueCount,
    IssueDeviceReport, IssueEventReport, LocationCount, LocationNode, LocationReport, LocationTree, NewSummary,
    StatusCounts, StatusReport, UserTotal,
};
pub use user::User;
