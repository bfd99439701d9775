//! Device Gateway events as vendor-neutral [`Alarm`]s, and the alarm view of the stream.
//!
//! - [`Event::to_alarm`]: one event to an [`Alarm`] (`None` for a heartbeat). CID alarms are
//!   categorised by their CID code ([`cid_category`]: the Contact ID groups, with Hikvision's own
//!   table A.3 winning where it disagrees), video reviews are
//!   [`Category::VideoVerification`] with their clip as [`Media::Video`], status changes are
//!   [`Category::DeviceOnline`]/[`Category::DeviceOffline`], any other event type is kept as
//!   [`Category::Other`] with its raw part (never dropped).
//! - [`resync_alarms`]: the standing alarms a resync found (zones and partitions in alarm, zones
//!   with a fault), as alarms marked with the code prefix [`RESYNC_CODE`]: an alarm raised while
//!   the stream was down is not lost silently.
//! - [`EventStream::alarms`]: the stream as [`AlarmItem`]s: [`Delivery<Alarm>`] with a no-op
//!   acknowledgement (a pushed stream has nothing to confirm), resync boundaries and error
//!   items; the connection state is on [`AlarmStream::state`].
//!
//! Times: a CID `triggerTime` has no zone; with a `timeZoneIdx` whose offset the seed gives
//! ([`time_zone_offset`](super::time_zone_offset)) it becomes [`EventTime::Offset`], otherwise it
//! stays [`EventTime::Naive`]. An event without `triggerTime` uses its `dateTime` (ISO 8601
//! with a zone).

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::SystemTime;

use ::time::{Date, Month, PrimitiveDateTime, Time, UtcOffset};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use serde_json::{json, Map, Value};
use tokio::sync::watch;
use watchpost_core::alarm::{Alarm, AlarmSource, Category, Delivery, EventTime, Media, RawEvent};
use watchpost_core::supervise::ConnectionState;
use watchpost_core::Result;

use super::model::{AlertHeader, CidParam, Event};
use super::resync::{ResyncReport, ResyncSummary};
use super::stream::{EventStream, Notification};
use crate::cid::CidCode;
use crate::models::DevStatus;
use crate::time::{DateTimeParts, IsoDateTime, LocalDateTime};

/// [`AlarmSource::vendor`] of Device Gateway alarms.
pub const ALARM_VENDOR: &str = "hik-gateway";

/// The code prefix of alarms found by a resync (`resync.zone_in_alarm`,
/// `resync.partition_in_alarm`, `resync.zone_fault`): the panel shows the condition now; its
/// event may have been missed while the stream was down.
pub const RESYNC_CODE: &str = "resync";

/// The category of a Hikvision CID code, and what a restore restores.
///
/// The Contact ID event groups ([`contact_id_category`](watchpost_core::alarm::contact_id_category)) decide, except where Hikvision's table
/// A.3 gives a code another meaning: `1401` Disarming / `3401` Arming (a `3` that is not a
/// restore), instant alarm `1103` and 24 h shock `1125` (intrusion, not medical or duress), BUS open/short circuit (`141`/`142`: wiring faults), expander, repeater and siren
/// tamper (`341`, `343`, `344`), zone pre-alarm (`207`), the virtual zones (`810`-`847`), the
/// Hikvision-only `9xx` codes (communication faults, video motion and tamper, disk, detector
/// enrolment), bypass, programming and output codes (neither an alarm nor a restore). Unknown
/// codes that are not Contact ID are [`Category::Other`].
///
/// ```
/// use hik_gateway::events::cid_category;
/// use hik_gateway::CidCode;
/// use watchpost_core::alarm::Category;
/// assert_eq!(cid_category(&CidCode::InstantAlarm), (Category::Intrusion, None));
/// assert_eq!(cid_category(&CidCode::Arming), (Category::Arming, None));
/// assert_eq!(cid_category(&CidCode::VideoSignalRestored), (Category::Restore, Some(Category::Fault)));
/// ```
pub fn cid_category(code: &CidCode) -> (Category, Option<Category>) {
    watchpost_isapi::cid::category(code.code())
}

impl Event {
    /// This event as a vendor-neutral [`Alarm`] from `source`, received at `received_at`;
    /// `None` for a heartbeat (it says the link is alive, nothing about the premises).
    ///
    /// Every other event is an alarm, an event type this crate does not model included
    /// ([`Category::Other`], its raw part kept): nothing is dropped silently.
    pub fn to_alarm(&self, source: &AlarmSource, received_at: SystemTime) -> Option<Alarm> {
        let header = self.header();
        let mut alarm = Alarm {
            source: source.clone(),
            device_id: device_id(header),
            device_name: header.channel_name.clone().filter(|n| !n.trim().is_empty()),
            zone: None,
            partition: None,
            channel: header.channel_id.as_deref().and_then(|c| c.trim().parse().ok()),
            user: None,
            event_time: header.date_time.as_ref().and_then(iso_time),
            received_at,
            category: Category::Other,
            restore_of: None,
            code: header.event_type.trim().to_owned(),
            description: header.event_description.clone().unwrap_or_default(),
            correlation_id: None,
            media: Vec::new(),
            raw: raw_event(self),
        };
        match self {
            Event::Heartbeat(_) => return None,
            Event::CidAlarm(e) => {
                let c = &e.cid;
                let cid = CidFields {
                    code: c.code.as_ref(),
                    describe: c.describe.as_deref(),
                    zone: c.zone_no,
                    partition: c.sub_sys,
                    param: c.params(),
                    time_zone_idx: c.time_zone_idx,
                    trigger_time: c.trigger_time.as_ref(),
                    uuid: c.uuid.as_deref(),
                };
                cid.apply(&mut alarm);
            }
            Event::VideoReview(e) => {
                let p = &e.review.params;
                let cid = CidFields {
                    code: p.code.as_ref(),
                    describe: p.describe.as_deref(),
                    zone: p.zone_no,
                    partition: p.sub_sys,
                    param: p.params(),
                    time_zone_idx: p.time_zone_idx,
                    trigger_time: p.trigger_time.as_ref(),
                    uuid: p.uuid.as_deref(),
                };
                cid.apply(&mut alarm);
                (alarm.category, alarm.restore_of) = (Category::VideoVerification, None);
                if let Some(url) = p.video_url.as_deref().filter(|u| !u.trim().is_empty()) {
                    alarm.media.push(Media::Video { url: url.to_owned() });
                }
            }
            Event::DevStatusChanged(e) => {
                alarm.category = match &e.status {
                    Some(DevStatus::Online) => Category::DeviceOnline,
                    Some(DevStatus::Offline) => Category::DeviceOffline,
                    _ => Category::Other,
                };
            }
            Event::Unknown(_) => {}
        }
        Some(alarm)
    }
}

/// The CID members common to `CIDAlarm` and `HikCIDParams`.
struct CidFields<'a> {
    code: Option<&'a CidCode>,
    describe: Option<&'a str>,
    zone: Option<u32>,
    partition: Option<u32>,
    param: Option<CidParam>,
    time_zone_idx: Option<i32>,
    trigger_time: Option<&'a LocalDateTime>,
    uuid: Option<&'a str>,
}

impl CidFields<'_> {
    fn apply(self, alarm: &mut Alarm) {
        let param = self.param.unwrap_or_default();
        if let Some(code) = self.code {
            (alarm.category, alarm.restore_of) = cid_category(code);
            alarm.code = code.code().trim().to_owned();
        }
        let describe = self.describe.map(str::trim).filter(|d| !d.is_empty());
        if let Some(d) = self.code.and_then(CidCode::description).or(describe) {
            alarm.description = d.to_owned();
        }
        // Zone and partition 0 mean "none" (a partition-wide or panel-wide event).
        let positive = |n: i32| u32::try_from(n).ok().filter(|n| *n > 0);
        alarm.zone = self.zone.filter(|z| *z > 0).or_else(|| param.zone_no.and_then(positive));
        alarm.partition = self.partition.filter(|p| *p > 0);
        if let Some(ch) = param.video_chan_no.and_then(positive) {
            alarm.channel = Some(ch);
        }
        alarm.user = param.user_name.clone().or_else(|| param.user_no.map(|n| n.to_string()));
        if let Some(t) = self.trigger_time.and_then(LocalDateTime::parts).and_then(primitive) {
            let offset = self
                .time_zone_idx
                .and_then(super::model::time_zone_offset)
                .and_then(|s| UtcOffset::from_whole_seconds(s).ok());
            alarm.event_time = Some(match offset {
                Some(o) => EventTime::Offset(t.assume_offset(o)),
                None => EventTime::Naive(t),
            });
        }
        alarm.correlation_id = self.uuid.map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
    }
}

/// The device an event is about: its `devIndex`, else its `deviceID`, else empty (the gateway
/// itself).
fn device_id(header: &AlertHeader) -> String {
    header.dev_index.clone().or_else(|| header.device_id.clone()).unwrap_or_default()
}

fn primitive(p: DateTimeParts) -> Option<PrimitiveDateTime> {
    let month = Month::try_from(p.month).ok()?;
    let date = Date::from_calendar_date(p.year, month, p.day).ok()?;
    // A leap second (60) reads as the last second of the minute.
    let time = Time::from_hms_nano(p.hour, p.minute, p.second.min(59), p.nanos).ok()?;
    Some(PrimitiveDateTime::new(date, time))
}

fn iso_time(t: &IsoDateTime) -> Option<EventTime> {
    let parts = primitive(t.parts()?)?;
    let offset = UtcOffset::from_whole_seconds(t.offset_seconds()?).ok()?;
    Some(EventTime::Offset(parts.assume_offset(offset)))
}

/// The event in its wire shape (`{"EventNotificationAlert": {...}}`); an XML part of an unknown
/// type as its text.
fn raw_event(event: &Event) -> RawEvent {
    fn members(header: &AlertHeader) -> Map<String, Value> {
        match serde_json::to_value(header) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        }
    }
    fn insert(m: &mut Map<String, Value>, key: &str, value: &impl Serialize) {
        if let Ok(v) = serde_json::to_value(value) {
            m.insert(key.to_owned(), v);
        }
    }
    let mut m = members(event.header());
    match event {
        Event::Unknown(e) => {
            return match &e.raw {
                Value::String(xml) => RawEvent::Xml(xml.clone()),
                other => RawEvent::Json(other.clone()),
            }
        }
        Event::CidAlarm(e) => insert(&mut m, "CIDAlarm", &e.cid),
        Event::VideoReview(e) => insert(&mut m, "VideoReview", &e.review),
        Event::DevStatusChanged(e) => {
            if let Some(s) = &e.status {
                insert(&mut m, "status", s);
            }
        }
        Event::Heartbeat(_) => {}
    }
    RawEvent::Json(json!({ "EventNotificationAlert": Value::Object(m) }))
}

/// The standing alarms of a resync report as [`Alarm`]s: one per zone in alarm
/// ([`Category::Intrusion`]: the panel does not say the zone's type; code
/// `resync.zone_in_alarm`), one per partition in alarm (`resync.partition_in_alarm`) and one per
/// zone with a fault ([`Category::Fault`], `resync.zone_fault`). The raw event is the report.
pub fn resync_alarms(report: &ResyncReport, source: &AlarmSource, received_at: SystemTime) -> Vec<Alarm> {
    let raw = RawEvent::Json(json!({ "resync": {
        "devIndex": report.dev_index,
        "zonesInAlarm": report.zones_in_alarm,
        "partitionsInAlarm": report.partitions_in_alarm,
        "zonesWithFaults": report.zones_with_faults,
    }}));
    let zone_name =
        |id: u32| report.zones.iter().find(|z| z.id == id).and_then(|z| z.name.clone()).filter(|n| !n.is_empty());
    let alarm = |category, code: &str, description: String, zone: Option<u32>, partition: Option<u32>| Alarm {
        source: source.clone(),
        device_id: report.dev_index.clone(),
        device_name: None,
        zone,
        partition,
        channel: None,
        user: None,
        event_time: None,
        received_at,
        category,
        restore_of: None,
        code: format!("{RESYNC_CODE}.{code}"),
        description,
        correlation_id: None,
        media: Vec::new(),
        raw: raw.clone(),
    };
    let named = |id: u32| zone_name(id).map(|n| format!(" ({n})")).unwrap_or_default();
    let mut out = Vec::new();
    for &z in &report.zones_in_alarm {
        let text = format!("zone {z}{} in alarm at resync (its event may have been missed)", named(z));
        out.push(alarm(Category::Intrusion, "zone_in_alarm", text, Some(z), None));
    }
    for &p in &report.partitions_in_alarm {
        let text = format!("partition {p} in alarm at resync (its event may have been missed)");
        out.push(alarm(Category::Intrusion, "partition_in_alarm", text, None, Some(p)));
    }
    for &z in &report.zones_with_faults {
        let text = format!("zone {z}{} has a fault at resync (offline, broken down or low battery)", named(z));
        out.push(alarm(Category::Fault, "zone_fault", text, Some(z), None));
    }
    out
}

/// An item of [`AlarmStream`].
// Nearly every item is an alarm: boxing it would add an allocation per alarm to save space only
// in the rare resync boundaries.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum AlarmItem {
    /// An alarm, with a no-op acknowledgement (the gateway pushes; nothing to confirm). Alarms
    /// from a resync have a code starting with [`RESYNC_CODE`].
    Alarm(Delivery<Alarm>),
    /// A resync begins: the standing alarms of the panels follow (as `Alarm` items).
    ResyncStarted,
    /// The resync is over; panels whose state could not be read are named (their alarm state
    /// is unknown; each was also an error item).
    ResyncDone(ResyncSummary),
}

/// The alarm view of an [`EventStream`] ([`EventStream::alarms`]): a `Stream` of
/// `Result<AlarmItem>` that, like the event stream, never ends on its own once subscribed.
///
/// Heartbeats and subscription parts are left out; the connection state is on
/// [`AlarmStream::state`] (a watch channel, as for the event stream), not in-band.
pub struct AlarmStream {
    inner: EventStream,
    source: AlarmSource,
    /// Alarms of a resync report not yet handed out.
    pending: std::collections::VecDeque<Alarm>,
}

impl std::fmt::Debug for AlarmStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlarmStream").field("source", &self.source).field("inner", &self.inner).finish()
    }
}

impl AlarmStream {
    /// A receiver of the connection state.
    pub fn state(&self) -> watch::Receiver<ConnectionState> {
        self.inner.state()
    }

    /// Where the alarms come from.
    pub fn source(&self) -> &AlarmSource {
        &self.source
    }

    /// The event stream underneath (for its subscription operations).
    pub fn events(&self) -> &EventStream {
        &self.inner
    }

    /// The event stream underneath, to unsubscribe.
    pub fn into_events(self) -> EventStream {
        self.inner
    }
}

impl Stream for AlarmStream {
    type Item = Result<AlarmItem>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(alarm) = self.pending.pop_front() {
                return Poll::Ready(Some(Ok(AlarmItem::Alarm(Delivery::unacknowledged(alarm)))));
            }
            let item = match self.inner.poll_next_unpin(cx) {
                Poll::Ready(Some(item)) => item,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            };
            let n = match item {
                Ok(n) => n,
                Err(e) => return Poll::Ready(Some(Err(e))),
            };
            let now = SystemTime::now();
            match n {
                Notification::Event(e) => {
                    if let Some(alarm) = e.to_alarm(&self.source, now) {
                        return Poll::Ready(Some(Ok(AlarmItem::Alarm(Delivery::unacknowledged(alarm)))));
                    }
                }
                Notification::Resync(report) => {
                    let alarms = resync_alarms(&report, &self.source, now);
                    self.pending.extend(alarms);
                }
                Notification::ResyncStarted => return Poll::Ready(Some(Ok(AlarmItem::ResyncStarted))),
                Notification::ResyncDone(summary) => return Poll::Ready(Some(Ok(AlarmItem::ResyncDone(summary)))),
                // State changes are on the watch channel; the subscription ID is the stream's.
                Notification::State(_) | Notification::Subscribed(_) => {}
            }
        }
    }
}

impl EventStream {
    /// This stream as vendor-neutral alarms from `source` (see [`AlarmStream`]); for the
    /// gateway's own account use [`EventStream::gateway_alarms`].
    pub fn alarms(self, source: AlarmSource) -> AlarmStream {
        AlarmStream { inner: self, source, pending: std::collections::VecDeque::new() }
    }

    /// This stream as vendor-neutral alarms from [`EventStream::default_alarm_source`] (the
    /// gateway's base URL).
    pub fn gateway_alarms(self) -> AlarmStream {
        let source = self.default_alarm_source();
        self.alarms(source)
    }

    /// `hik-gateway:<base URL>`: the source of this stream's alarms.
    pub fn default_alarm_source(&self) -> AlarmSource {
        AlarmSource::new(ALARM_VENDOR, self.client_base_url())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cid::CidQualifier;
    use crate::events::{parse_part, Part};
    use crate::models::{SubSys, Zone, ZoneStatus};

    fn source() -> AlarmSource {
        AlarmSource::new(ALARM_VENDOR, "http://gw")
    }

    fn event(json: &str) -> Event {
        match parse_part(Some("application/json"), json.as_bytes()) {
            Ok(Part::Event(e)) => e,
            other => panic!("{other:?}"),
        }
    }

    /// The seed's "Sample Message of CID Alarm" (9.11), verbatim.
    const SEED_CID: &str = r#"{
  "EventNotificationAlert": {
    "channelID": "1",
    "dateTime": "2018-01-21T12:50:39+08:00",
    "activePostCount": 1,
    "eventType": "videoReview",
    "eventState": "active",
     "eventDescription": "video review",
    "devIndex":"2cd6716d-767f-4756-ac55-50276a5e3b4a",
    "channelName": "Ipdome",
    "deviceID":"123456",
    "CIDAlarm":{
      "subSys": 0,
      "zoneNo": 1,
      "CIDCode":"1103",
      "CIDType": 1,
      "CIDDescribe": "alarm",
      "timeZoneIdx": 0,
      "triggerTime": "2009-02-24 16:59:00",
      "uploadTime": "2009-02-24 16:59:00",
      "CIDParam":"1,2,1,1,1,1,0,admin",
      "UUID": "0"
    }  
  }
}"#;

    #[test]
    fn the_seed_cid_example_is_an_instant_intrusion_alarm_with_a_naive_time() {
        let a = event(SEED_CID).to_alarm(&source(), SystemTime::UNIX_EPOCH).unwrap();
        assert_eq!(a.category, Category::Intrusion);
        assert_eq!(a.restore_of, None);
        assert_eq!(a.code, "1103");
        assert_eq!(a.description, "Instant Alarm");
        assert_eq!(a.device_id, "2cd6716d-767f-4756-ac55-50276a5e3b4a");
        assert_eq!(a.device_name.as_deref(), Some("Ipdome"));
        assert_eq!((a.zone, a.partition), (Some(1), None));
        assert_eq!(a.channel, Some(1));
        assert_eq!(a.user.as_deref(), Some("admin"));
        assert_eq!(a.correlation_id.as_deref(), Some("0"));
        // timeZoneIdx 0 has no offset in the seed: the trigger time stays device-local.
        assert_eq!(a.event_time, Some(EventTime::Naive(::time::macros::datetime!(2009-02-24 16:59:00))));
        assert!(a.media.is_empty());
        match &a.raw {
            RawEvent::Json(v) => assert_eq!(v["EventNotificationAlert"]["CIDAlarm"]["CIDCode"], "1103"),
            other => panic!("{other:?}"),
        }
        assert_eq!(a.source, source());
    }

    #[test]
    fn a_known_time_zone_index_qualifies_the_trigger_time() {
        let text = SEED_CID.replace("\"timeZoneIdx\": 0", "\"timeZoneIdx\": 16");
        let a = event(&text).to_alarm(&source(), SystemTime::UNIX_EPOCH).unwrap();
        assert_eq!(a.event_time, Some(EventTime::Offset(::time::macros::datetime!(2009-02-24 16:59:00 +01:00))));
    }

    #[test]
    fn the_hikvision_table_wins_where_it_departs_from_contact_id() {
        assert_eq!(cid_category(&CidCode::InstantAlarm), (Category::Intrusion, None));
        assert_eq!(cid_category(&CidCode::InstantAlarmRestored), (Category::Restore, Some(Category::Intrusion)));
        assert_eq!(cid_category(&CidCode::H24ShockAlarm), (Category::Intrusion, None));
        assert_eq!(cid_category(&CidCode::Disarming), (Category::Arming, None));
        assert_eq!(cid_category(&CidCode::Arming), (Category::Arming, None));
        assert_eq!(cid_category(&CidCode::StayArming), (Category::Arming, None));
        assert_eq!(cid_category(&CidCode::SingleZoneArming), (Category::Arming, None));
        assert_eq!(cid_category(&CidCode::ExpanderTampered), (Category::Tamper, None));
        assert_eq!(cid_category(&CidCode::ExpanderTamperRestored), (Category::Restore, Some(Category::Tamper)));
        assert_eq!(cid_category(&CidCode::BusOpenCircuitAlarm), (Category::Fault, None));
        assert_eq!(cid_category(&CidCode::VirtualZonePanicAlarm), (Category::Panic, None));
        assert_eq!(cid_category(&CidCode::VirtualZoneFireAlarm), (Category::Fire, None));
        assert_eq!(cid_category(&CidCode::MotionDetectionAlarmStarted), (Category::Intrusion, None));
        assert_eq!(cid_category(&CidCode::MotionDetectionAlarmStopped), (Category::Restore, Some(Category::Intrusion)));
        assert_eq!(cid_category(&CidCode::TamperingAlarmStarted), (Category::Tamper, None));
        assert_eq!(cid_category(&CidCode::FullHdd), (Category::Fault, None));
        assert_eq!(cid_category(&CidCode::AddDetector), (Category::Other, None));
        assert_eq!(cid_category(&CidCode::BypassRestored), (Category::Other, None));
        assert_eq!(cid_category(&CidCode::DeviceHeartbeatEvent), (Category::Test, None));
        // The Contact ID groups where the table agrees.
        assert_eq!(cid_category(&CidCode::FireAlarm), (Category::Fire, None));
        assert_eq!(cid_category(&CidCode::Duress), (Category::Duress, None));
        assert_eq!(cid_category(&CidCode::BurglaryAlarmRestored), (Category::Restore, Some(Category::Intrusion)));
        assert_eq!(cid_category(&CidCode::DetectorTampered), (Category::Tamper, None));
        assert_eq!(cid_category(&CidCode::LowBattery), (Category::Fault, None));
        assert_eq!(cid_category(&CidCode::PeriodicReportTest), (Category::Test, None));
        assert_eq!(cid_category(&CidCode::MedicalAlarm), (Category::Medical, None));
        // Unknown codes: by their Contact ID group, else Other.
        assert_eq!(cid_category(&CidCode::from_code("1120")), (Category::Panic, None));
        assert_eq!(cid_category(&CidCode::from_code("bogus")), (Category::Other, None));
    }

    #[test]
    fn every_code_of_the_table_has_a_category_and_only_restores_restore() {
        for code in CidCode::KNOWN {
            let (category, restore_of) = cid_category(code);
            assert_eq!(restore_of.is_some(), category == Category::Restore, "{code}");
            if code.qualifier() == Some(CidQualifier::Trigger) {
                assert_ne!(category, Category::Restore, "{code}");
            }
        }
    }

    #[test]
    fn the_seed_status_example_is_device_online_with_its_offset_time() {
        let e = event(
            r#"{"EventNotificationAlert": {"channelID": "1", "dateTime": "2018-01-21T12:50:39+08:00",
            "activePostCount": 1, "eventType": "devStatusChanged", "eventState": "active",
            "eventDescription": "device status about online or offline changed",
            "devIndex":"2cd6716d-767f-4756-ac55-50276a5e3b4a", "channelName": "Ipdome", "status":"online"}}"#,
        );
        let a = e.to_alarm(&source(), SystemTime::UNIX_EPOCH).unwrap();
        assert_eq!(a.category, Category::DeviceOnline);
        assert_eq!(a.code, "devStatusChanged");
        assert_eq!(a.event_time, Some(EventTime::Offset(::time::macros::datetime!(2018-01-21 12:50:39 +08:00))));
        let off = event(
            r#"{"EventNotificationAlert": {"eventType": "devStatusChanged", "devIndex": "d", "status": "offline"}}"#,
        );
        assert_eq!(off.to_alarm(&source(), SystemTime::UNIX_EPOCH).unwrap().category, Category::DeviceOffline);
    }

    #[test]
    fn the_seed_heartbeat_is_no_alarm_and_unknown_events_are_kept() {
        let hb = event(
            r#"{"EventNotificationAlert": {"channelID":"1", "dateTime":"2017-04-22T15:39:01+08:00",
            "activePostCount":2, "eventType":"heartBeat ", "eventState":"active", "eventDescription":"Heartbeat"}}"#,
        );
        assert!(hb.to_alarm(&source(), SystemTime::UNIX_EPOCH).is_none());
        let odd = event(r#"{"EventNotificationAlert": {"eventType": "doorbell", "devIndex": "d", "extra": 5}}"#);
        let a = odd.to_alarm(&source(), SystemTime::UNIX_EPOCH).unwrap();
        assert_eq!((a.category, a.code.as_str()), (Category::Other, "doorbell"));
        match &a.raw {
            RawEvent::Json(v) => assert_eq!(v["EventNotificationAlert"]["extra"], 5),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_video_review_is_video_verification_with_its_clip() {
        let e = event(
            r#"{"EventNotificationAlert": {"VideoReview": {"HikCIDParams": {"CIDCode": "1130",
            "CIDDescribe": "", "CIDParam": "2,1,3,-1,2,-1,-1,NONE", "CIDType": 2, "UUID": "7", "ZoneNo": 3,
            "subSys": 1, "timeZoneIdx": 15, "triggerTime": "2019-10-09 16:59:00",
            "videoURL": "/HikGatewayStorage/pic?F14EQ00162958_CH02_20191009175543.mp4"},
            "protocolType": "HikCIDProtocol"}, "activePostCount": 1, "channelName": "cam",
            "dateTime": "2019-10-10T10:55:43+08:00", "devIndex": "d", "eventDescription": "video review",
            "eventState": "active", "eventType": "videoReview"}}"#,
        );
        let a = e.to_alarm(&source(), SystemTime::UNIX_EPOCH).unwrap();
        assert_eq!(a.category, Category::VideoVerification);
        assert_eq!(a.code, "1130");
        assert_eq!((a.zone, a.partition, a.channel), (Some(3), Some(1), Some(2)));
        assert_eq!(a.user.as_deref(), Some("1"));
        assert_eq!(a.event_time, Some(EventTime::Offset(::time::macros::datetime!(2019-10-09 16:59:00 UTC))));
        assert_eq!(
            a.media,
            vec![Media::Video { url: "/HikGatewayStorage/pic?F14EQ00162958_CH02_20191009175543.mp4".into() }]
        );
    }

    #[test]
    fn a_resync_report_becomes_marked_alarms() {
        let zone = |id, status, alarm| Zone {
            id,
            name: Some(format!("z{id}")),
            status: Some(status),
            tamper_evident: None,
            shielded: None,
            bypassed: None,
            armed: None,
            alarm: Some(alarm),
            charge: None,
        };
        let report = ResyncReport::new(
            "panel",
            vec![SubSys { id: 2, arming: None, alarm: Some(true) }],
            vec![
                zone(1, ZoneStatus::Online, false),
                zone(5, ZoneStatus::Trigger, true),
                zone(6, ZoneStatus::Offline, false),
            ],
        );
        let alarms = resync_alarms(&report, &source(), SystemTime::UNIX_EPOCH);
        let summary: Vec<_> = alarms.iter().map(|a| (a.code.as_str(), a.zone, a.partition, a.category)).collect();
        assert_eq!(
            summary,
            vec![
                ("resync.zone_in_alarm", Some(5), None, Category::Intrusion),
                ("resync.partition_in_alarm", None, Some(2), Category::Intrusion),
                ("resync.zone_fault", Some(6), None, Category::Fault),
            ]
        );
        assert!(alarms.iter().all(|a| a.device_id == "panel" && a.code.starts_with(RESYNC_CODE)));
        assert!(alarms[0].description.contains("(z5)"), "{}", alarms[0].description);
        let quiet = ResyncReport::new("panel", Vec::new(), vec![zone(1, ZoneStatus::Online, false)]);
        assert!(resync_alarms(&quiet, &source(), SystemTime::UNIX_EPOCH).is_empty());
    }
}
