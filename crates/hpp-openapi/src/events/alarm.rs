//! An [`HppEvent`] as the vendor-neutral [`Alarm`] (the mapping table is in the module docs of
//! [`crate::events`]).

use std::time::SystemTime;

use watchpost_core::alarm::{Alarm, AlarmSource, Category, Media, RawEvent};

use super::decode::{from_message_with_raw, raw_event};
use super::json::CidBlock;
use super::{EventError, EventKind, HppEvent};
use crate::models::mq::AlarmMessage;

impl HppEvent {
    /// The alarm category, and for [`Category::Restore`] the category of what ended.
    pub fn category(&self) -> (Category, Option<Category>) {
        use Category as C;
        let Some(kind) = self.kind() else { return (C::Other, None) };
        let plain = |c| (c, None);
        match kind {
            EventKind::CidEvent => match self {
                HppEvent::Cid(e) => cid_category(&e.cid),
                _ => plain(C::Other),
            },
            EventKind::DeviceDeleted => plain(C::DeviceRemoved),
            EventKind::DeviceAdded => plain(C::DeviceAdded),
            EventKind::DeviceOffline => plain(C::DeviceOffline),
            EventKind::DeviceOnline => plain(C::DeviceOnline),
            EventKind::Linkage => plain(C::VideoVerification),
            EventKind::AcsEvent => plain(C::Access),
            EventKind::YsCallingEvent | EventKind::ManualRep => plain(C::Intercom),
            EventKind::DiskError | EventKind::DiskFull | EventKind::RecordException | EventKind::VideoLoss => {
                plain(C::Fault)
            }
            EventKind::DiskRecover => (C::Restore, Some(C::Fault)),
            EventKind::FieldDetection
            | EventKind::LineDetection
            | EventKind::RegionExiting
            | EventKind::RegionEntrance
            | EventKind::Vmd
            | EventKind::Io => plain(C::Intrusion),
            EventKind::ShelterAlarm => plain(C::Tamper),
        }
    }
}

/// A CID event's category: its Hikvision CID code's ([`watchpost_isapi::cid::category`], the
/// same reading as the Device Gateway's), else its `evttype`.
pub(super) fn cid_category(cid: &CidBlock) -> (Category, Option<Category>) {
    if let Some(c) =
        cid.contact_id().as_deref().map(watchpost_isapi::cid::category).filter(|(c, _)| *c != Category::Other)
    {
        return c;
    }
    match cid.evttype.as_deref().map(str::trim) {
        Some("12") => (Category::Fault, None),
        Some("31") => (Category::Restore, None),
        Some("32") => (Category::Restore, Some(Category::Fault)),
        _ => (Category::Other, None),
    }
}

/// The description of an event that names no type and sends no description (an empty
/// `eventType`, or a message kept raw because it did not decode).
const UNTYPED_DESCRIPTION: &str = "Hik-Partner Pro event without a type";

/// The alarm of `event`, read from `msg` through `source`, received at `received`.
///
/// See the [module documentation](crate::events) for the mapping of each event type. The
/// device is the event's serial number (the message's when the event has none); [`Alarm::raw`]
/// is the message's alarm data, JSON or XML text.
pub fn to_alarm(msg: &AlarmMessage, event: &HppEvent, source: &AlarmSource, received: SystemTime) -> Alarm {
    let raw = match event {
        HppEvent::Unknown { raw, .. } => raw.clone(),
        _ => raw_event(msg),
    };
    build_alarm(msg, event, source, received, raw)
}

/// [`HppEvent::from_message`] and [`to_alarm`] in one step, reading the message's JSON once
/// (`to_alarm` alone parses JSON text again for [`Alarm::raw`]): the fast path of a consumer.
///
/// # Errors
/// As [`HppEvent::from_message`].
pub fn decode_alarm(
    msg: &AlarmMessage,
    source: &AlarmSource,
    received: SystemTime,
) -> Result<(HppEvent, Alarm), EventError> {
    let (event, raw) = from_message_with_raw(msg)?;
    let alarm = build_alarm(msg, &event, source, received, raw);
    Ok((event, alarm))
}

fn build_alarm(
    msg: &AlarmMessage,
    event: &HppEvent,
    source: &AlarmSource,
    received: SystemTime,
    raw: RawEvent,
) -> Alarm {
    let (category, restore_of) = event.category();
    let device_id = match event.device_serial() {
        "" => msg.device_serial.clone(),
        s => s.to_owned(),
    };
    let nonblank = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let mut zone = None;
    let mut partition = None;
    let mut channel = event.header().and_then(|h| h.channel());
    let mut user = None;
    let mut device_name = None;
    let mut code = event.event_type().to_owned();
    match event {
        HppEvent::Cid(e) => {
            zone = e.cid.panel_zone();
            partition = e.cid.system;
            channel = e.cid.ipc_channel;
            user = nonblank(&e.cid.user_name).or_else(|| e.cid.user_no.map(|n| n.to_string()));
            if let Some(c) = e.cid.contact_id().or_else(|| e.cid.code.map(|c| c.to_string())) {
                code = c;
            }
        }
        HppEvent::DeviceAdded(e) => user = nonblank(&e.hc_account),
        HppEvent::Acs(e) => {
            channel = e.channel_id.as_deref().and_then(|c| c.trim().parse().ok());
            user = nonblank(&e.access.name)
                .or_else(|| nonblank(&e.access.employee_no_string))
                .or_else(|| nonblank(&e.access.card_no));
            device_name = nonblank(&e.access.device_name);
        }
        HppEvent::YsCalling(e) => channel = e.channel,
        HppEvent::ManualRep(e) => {
            zone = e.panel_zone();
            channel = e.channel_id;
            user = e.custom_info_value("user").filter(|u| !u.is_empty()).map(str::to_owned);
        }
        _ => {}
    }
    let description = match event.description() {
        Some(d) => d.to_owned(),
        None => match (event.kind(), event.event_type()) {
            (Some(k), _) => k.feature().to_owned(),
            (None, "") => UNTYPED_DESCRIPTION.to_owned(),
            (None, t) => t.to_owned(),
        },
    };
    Alarm {
        source: source.clone(),
        device_id,
        device_name,
        zone,
        partition,
        channel,
        user,
        event_time: event.event_time(),
        received_at: received,
        category,
        restore_of,
        code,
        description,
        correlation_id: event.correlation_id().map(str::to_owned),
        media: event.picture_urls().into_iter().map(|url| Media::Picture { url: url.to_owned() }).collect(),
        raw,
    }
}
