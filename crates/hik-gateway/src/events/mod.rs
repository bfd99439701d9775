//! Alarm and event subscription (Chapter 6, 8.2): typed `EventNotificationAlert`s, the part
//! decoder, and the supervised [`EventStream`].
//!
//! The gateway answers `POST /ISAPI/Event/notification/subscribeDeviceMgmt` with an endless
//! `multipart/mixed` body: the first part is `SubscribeDeviceMgmtRsp` (the subscription ID and
//! the devices that could not be armed), every later part an `EventNotificationAlert`:
//! `devStatusChanged`, `CIDAlarm`, `videoReview`, and a `heartBeat` every 10 s by default.
//!
//! - [`Event`]: the typed events, with every CID code of table A.3 ([`crate::CidCode`]).
//! - [`parse_part`]: one part (JSON or XML) into a [`Part`]; the seed's own broken examples
//!   (trailing comma, `dataTime`, `"heartBeat "`) are read.
//! - [`EventStream`]: the supervised stream of [`Notification`]s: idle watchdog (30 s), re-subscribe
//!   with back-off, connection state in-band and on a watch channel, bad parts as error items.
//! - [`Event::to_alarm`], [`EventStream::alarms`]: the events as vendor-neutral alarms
//!   ([`watchpost_core::alarm::Alarm`]), resync findings included.
//! - [`ResyncReport`]: after every subscription, the standing alarm state of each panel the
//!   subscription covers, read with the panels' status operations.

mod alarm;
mod model;
mod parse;
mod resync;
mod stream;

pub use alarm::{cid_category, resync_alarms, AlarmItem, AlarmStream, ALARM_VENDOR, RESYNC_CODE};
pub use model::{
    time_zone_offset, AlertHeader, CidAlarm, CidAlarmEvent, CidParam, CidType, CidUserType, DevStatusChanged, Event,
    EventState, Heartbeat, HikCidParams, UnknownEvent, VideoReview, VideoReviewEvent,
};
pub use parse::{parse_part, Part};
pub use resync::{ResyncReport, ResyncSummary};
pub use stream::{EventStream, EventStreamConfig, Finisher, Notification};
