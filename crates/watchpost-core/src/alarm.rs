//! The vendor-neutral alarm: one shape for the events of every vendor, and a delivery that
//! carries its acknowledgement.
//!
//! An alarm receiving centre takes alarms pushed by Device Gateways (a multipart stream, nothing
//! to confirm) and pulled from Hik-Partner Pro's message queue (a batch's offset is committed
//! once the batch is handled). Each vendor crate maps its own events to [`Alarm`] and hands them
//! out as [`Delivery<Alarm>`]: the consumer handles the alarm, then calls [`Delivery::ack`]. For
//! a pushed source the acknowledgement does nothing; for a queue it lets the batch's offset be
//! committed once every alarm of the batch is acknowledged ([`AckGroup`]). One consumer loop
//! therefore serves every source, and an alarm whose delivery is dropped without an
//! acknowledgement is delivered again (at least once).
//!
//! ```
//! use watchpost_core::alarm::{Ack, AckGroup};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let (group, acks) = AckGroup::new(2);
//! let mut acks = acks.into_iter();
//! acks.next().unwrap().ack();
//! acks.next().unwrap().ack();
//! let outcome = group.settled().await;
//! assert!(outcome.all_acked());
//! Ack::noop().ack(); // a pushed source: nothing to confirm
//! # }
//! ```

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};
use tokio::sync::watch;

/// What an alarm is about, across vendors.
///
/// A vendor's own code is kept beside it ([`Alarm::code`]); the category is the part an
/// operator's screen and routing rules can rely on for every vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Burglary, intrusion, perimeter, motion and line/field detection.
    Intrusion,
    /// Fire, smoke, heat.
    Fire,
    /// Panic (hold-up) button.
    Panic,
    /// Duress code: a user forced to disarm.
    Duress,
    /// Medical emergency.
    Medical,
    /// Gas, water, temperature and other environmental sensors.
    Environmental,
    /// Tamper of a device, detector, cover or camera (video tamper, masking).
    Tamper,
    /// Trouble: power, battery, communication, disk, video loss, recording failure.
    Fault,
    /// The end of an earlier condition; [`Alarm::restore_of`] says which, when known.
    Restore,
    /// Arming, disarming and other open/close reports.
    Arming,
    /// Pictures or clips sent to verify an alarm.
    VideoVerification,
    /// Access control: a door, card, face or PIN event.
    Access,
    /// An intercom call or manual capture from a door station.
    Intercom,
    /// Test reports (periodic or manual).
    Test,
    /// The device came online.
    DeviceOnline,
    /// The device went offline.
    DeviceOffline,
    /// The device was added to (authorised for) the account.
    DeviceAdded,
    /// The device was removed from the account.
    DeviceRemoved,
    /// Anything the vendor mapping does not recognise; the vendor code says more.
    Other,
}

/// The category of a four-digit Contact ID code (qualifier digit, then the event code: `"1103"`,
/// `"3401"`), by the Contact ID event groups (SIA DC-05), with what it restores for a restore.
///
/// Returns `(category, restore_of)`: a `3xxx` code of an alarm, trouble or tamper group is
/// [`Category::Restore`] of its group's category; in the open/close group (`4xx`) both qualifiers
/// are [`Category::Arming`] (`1` opening = disarm, `3` closing = arm). `None` for text that is not
/// a qualifier `1`, `3` or `6` and three digits.
///
/// ```
/// use watchpost_core::alarm::{contact_id_category, Category};
/// assert_eq!(contact_id_category("1130"), Some((Category::Intrusion, None)));
/// assert_eq!(contact_id_category("3130"), Some((Category::Restore, Some(Category::Intrusion))));
/// assert_eq!(contact_id_category("1121"), Some((Category::Duress, None)));
/// assert_eq!(contact_id_category("3401"), Some((Category::Arming, None)));
/// assert_eq!(contact_id_category("13x0"), None);
/// ```
pub fn contact_id_category(code: &str) -> Option<(Category, Option<Category>)> {
    let bytes = code.trim().as_bytes();
    let [q, a, b, c] = *bytes else { return None };
    if ![a, b, c].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let restore = match q {
        b'1' | b'6' => false,
        b'3' => true,
        _ => return None,
    };
    let event = u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0');
    let category = match event {
        100..=109 => Category::Medical,
        110..=119 => Category::Fire,
        121 => Category::Duress,
        120 | 122..=129 => Category::Panic,
        137 | 144 | 145 | 383 | 388 => Category::Tamper,
        130..=143 | 146..=149 => Category::Intrusion,
        150..=199 => Category::Environmental,
        200..=399 => Category::Fault,
        400..=499 => return Some((Category::Arming, None)),
        600..=699 => return Some((Category::Test, None)),
        _ => Category::Other,
    };
    Some(if restore { (Category::Restore, Some(category)) } else { (category, None) })
}

/// When the event happened, as the device said it.
///
/// Devices report either a time with its UTC offset or a naive local time of the device's own
/// (unknown) zone; the two are kept apart so nobody mistakes a device-local time for UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventTime {
    /// A time with its offset (or UTC).
    Offset(OffsetDateTime),
    /// A device-local time without a zone.
    Naive(PrimitiveDateTime),
}

impl EventTime {
    /// The instant, when the device gave an offset.
    pub fn instant(&self) -> Option<OffsetDateTime> {
        match self {
            EventTime::Offset(t) => Some(*t),
            EventTime::Naive(_) => None,
        }
    }

    /// Whether the time carries no zone (device-local).
    pub fn is_naive(&self) -> bool {
        matches!(self, EventTime::Naive(_))
    }
}

impl fmt::Display for EventTime {
    /// RFC 3339 for a time with an offset; `YYYY-MM-DDTHH:MM:SS[.f]` (no zone) for a naive one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventTime::Offset(t) => match t.format(&Rfc3339) {
                Ok(s) => f.write_str(&s),
                Err(_) => write!(f, "{t}"),
            },
            EventTime::Naive(t) => {
                let (d, tm) = (t.date(), t.time());
                write!(
                    f,
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                    d.year(),
                    u8::from(d.month()),
                    d.day(),
                    tm.hour(),
                    tm.minute(),
                    tm.second()
                )?;
                if tm.nanosecond() != 0 {
                    write!(f, ".{:09}", tm.nanosecond())?;
                }
                Ok(())
            }
        }
    }
}

impl Serialize for EventTime {
    /// `{"kind": "offset" | "naive", "value": "<time>"}`: the kind is never implicit.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut st = s.serialize_struct("EventTime", 2)?;
        st.serialize_field("kind", if self.is_naive() { "naive" } else { "offset" })?;
        st.serialize_field("value", &self.to_string())?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for EventTime {
    /// The serialised form back: `{"kind": "offset", "value": "<RFC 3339>"}` or
    /// `{"kind": "naive", "value": "YYYY-MM-DDTHH:MM:SS[.f]"}`.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Kind {
            Offset,
            Naive,
        }
        #[derive(Deserialize)]
        struct Wire {
            kind: Kind,
            value: String,
        }
        let wire = Wire::deserialize(d)?;
        match wire.kind {
            Kind::Offset => {
                OffsetDateTime::parse(&wire.value, &Rfc3339).map(EventTime::Offset).map_err(serde::de::Error::custom)
            }
            Kind::Naive => PrimitiveDateTime::parse(
                &wire.value,
                format_description!("[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"),
            )
            .map(EventTime::Naive)
            .map_err(serde::de::Error::custom),
        }
    }
}

/// A picture or clip attached to an alarm.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Media {
    /// A picture; the URL may need resolving or decrypting by the vendor crate.
    Picture {
        /// Where the vendor says the picture is.
        url: String,
    },
    /// A video clip.
    Video {
        /// Where the vendor says the clip is.
        url: String,
    },
}

/// Where an alarm came from: the vendor and the account or endpoint it was received through.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AlarmSource {
    /// The vendor crate's id: `"hik-gateway"`, `"hpp"`, ...
    pub vendor: String,
    /// The account or endpoint: a gateway's base URL, a Hik-Partner Pro app key (an identifier,
    /// never a secret).
    pub account: String,
}

impl AlarmSource {
    /// A source of `vendor` through `account`.
    pub fn new(vendor: impl Into<String>, account: impl Into<String>) -> Self {
        AlarmSource { vendor: vendor.into(), account: account.into() }
    }
}

impl fmt::Display for AlarmSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.vendor, self.account)
    }
}

/// The vendor's event as received, kept beside the neutral view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "format", content = "body", rename_all = "snake_case")]
pub enum RawEvent {
    /// A JSON event.
    Json(Value),
    /// An XML event, as text.
    Xml(String),
}

/// One alarm from any vendor.
///
/// Serialises with stable field names (the CLI's `--json` prints one per line) and
/// deserialises from the same JSON (the NATS bridge's payload); members it does not know are
/// ignored, so a newer writer's alarm still reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    /// Where it came from.
    pub source: AlarmSource,
    /// The device's id at its vendor (a serial number, a gateway's device index).
    pub device_id: String,
    /// The device's name, when the event carries one.
    pub device_name: Option<String>,
    /// The zone (detector) number, when known.
    pub zone: Option<u32>,
    /// The partition (area, subsystem) number, when known.
    pub partition: Option<u32>,
    /// The camera channel, when known.
    pub channel: Option<u32>,
    /// The user who caused it (arming, access), when known.
    pub user: Option<String>,
    /// When it happened, as the device said, when it said.
    pub event_time: Option<EventTime>,
    /// When this process received it.
    #[serde(serialize_with = "serialize_system_time", deserialize_with = "deserialize_system_time")]
    pub received_at: SystemTime,
    /// What it is about.
    pub category: Category,
    /// For [`Category::Restore`]: the category of the condition that ended, when known.
    pub restore_of: Option<Category>,
    /// The vendor's own code: a Contact ID code (`"1103"`), an event type (`"VMD"`).
    pub code: String,
    /// The vendor's description of the event.
    pub description: String,
    /// A vendor id that ties related events together (Hik-Partner Pro's `relationId`), when any.
    pub correlation_id: Option<String>,
    /// Attached pictures and clips.
    pub media: Vec<Media>,
    /// The vendor's event as received.
    pub raw: RawEvent,
}

fn serialize_system_time<S: Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    let t = OffsetDateTime::from(*t);
    match t.format(&Rfc3339) {
        Ok(text) => s.serialize_str(&text),
        Err(e) => Err(serde::ser::Error::custom(e)),
    }
}

fn deserialize_system_time<'de, D: Deserializer<'de>>(d: D) -> Result<SystemTime, D::Error> {
    let text = String::deserialize(d)?;
    OffsetDateTime::parse(&text, &Rfc3339).map(SystemTime::from).map_err(serde::de::Error::custom)
}

/// An item handed to a consumer with the acknowledgement it owes.
///
/// Call [`ack`](Self::ack) once the item is handled (stored, displayed, forwarded). Dropping a
/// delivery without acknowledging it counts as a failure: for a queue the batch is not committed
/// and its items come again.
#[derive(Debug)]
#[must_use = "a delivery that is dropped without `ack` is delivered again"]
pub struct Delivery<T> {
    item: T,
    ack: Ack,
}

impl<T> Delivery<T> {
    /// `item` with its acknowledgement.
    pub fn new(item: T, ack: Ack) -> Self {
        Delivery { item, ack }
    }

    /// `item` from a source with nothing to confirm.
    pub fn unacknowledged(item: T) -> Self {
        Delivery { item, ack: Ack::noop() }
    }

    /// The item.
    pub fn item(&self) -> &T {
        &self.item
    }

    /// Acknowledges the item and returns it.
    pub fn ack(self) -> T {
        self.ack.ack();
        self.item
    }

    /// The item and its acknowledgement, to acknowledge later (after an asynchronous store).
    pub fn into_parts(self) -> (T, Ack) {
        (self.item, self.ack)
    }

    /// The same acknowledgement with the item mapped (a vendor event to an [`Alarm`]).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Delivery<U> {
        Delivery { item: f(self.item), ack: self.ack }
    }
}

impl<T> std::ops::Deref for Delivery<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.item
    }
}

/// The acknowledgement of one delivered item.
///
/// [`ack`](Self::ack) confirms it, [`nack`](Self::nack) (or dropping it) reports it not handled.
#[must_use = "an acknowledgement dropped without `ack` reports the item as not handled"]
pub struct Ack {
    settle: Option<Settle>,
}

/// Whom an acknowledgement reports to.
enum Settle {
    /// A member of an [`AckGroup`].
    Group(Arc<GroupState>),
    /// A callback given `true` (acknowledged) or `false` (not handled), once.
    Callback(Box<dyn FnOnce(bool) + Send + Sync>),
}

impl Settle {
    fn settle(self, acked: bool) {
        match self {
            Settle::Group(group) => group.settle(acked),
            Settle::Callback(f) => f(acked),
        }
    }
}

impl fmt::Debug for Ack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ack").field("noop", &self.settle.is_none()).finish()
    }
}

impl Ack {
    /// An acknowledgement that confirms nothing (a pushed source such as a Device Gateway).
    pub fn noop() -> Self {
        Ack { settle: None }
    }

    /// An acknowledgement that calls `f` exactly once: with `true` on [`ack`](Self::ack), with
    /// `false` on [`nack`](Self::nack) or when dropped unsettled. `f` runs on the caller's
    /// thread and must not block (hand the outcome to a task, e.g. through a channel).
    pub fn from_fn(f: impl FnOnce(bool) + Send + Sync + 'static) -> Self {
        Ack { settle: Some(Settle::Callback(Box::new(f))) }
    }

    /// Whether acknowledging this has no effect.
    pub fn is_noop(&self) -> bool {
        self.settle.is_none()
    }

    /// Confirms the item.
    pub fn ack(mut self) {
        if let Some(settle) = self.settle.take() {
            settle.settle(true);
        }
    }

    /// Reports the item as not handled (as dropping the acknowledgement does).
    pub fn nack(mut self) {
        if let Some(settle) = self.settle.take() {
            settle.settle(false);
        }
    }
}

impl Drop for Ack {
    fn drop(&mut self) {
        if let Some(settle) = self.settle.take() {
            settle.settle(false);
        }
    }
}

/// How a group of acknowledgements ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupOutcome {
    /// Items acknowledged.
    pub acked: usize,
    /// Items reported not handled (nacked or dropped).
    pub failed: usize,
}

impl GroupOutcome {
    /// Whether every item of the group was acknowledged.
    pub fn all_acked(&self) -> bool {
        self.failed == 0
    }
}

#[derive(Debug)]
struct GroupState {
    counts: Mutex<(usize, GroupOutcome)>,
    settled: watch::Sender<Option<GroupOutcome>>,
}

impl GroupState {
    fn settle(&self, acked: bool) {
        let mut guard = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let (remaining, outcome) = &mut *guard;
        if acked {
            outcome.acked += 1;
        } else {
            outcome.failed += 1;
        }
        *remaining = remaining.saturating_sub(1);
        if *remaining == 0 {
            let outcome = *outcome;
            self.settled.send_replace(Some(outcome));
        }
    }
}

/// A set of acknowledgements that settles when every one of them is acknowledged or failed: a
/// queue's batch, committed only when [`GroupOutcome::all_acked`].
#[derive(Debug)]
pub struct AckGroup {
    settled: watch::Receiver<Option<GroupOutcome>>,
}

impl AckGroup {
    /// A group of `n` acknowledgements (an empty group is settled at once).
    pub fn new(n: usize) -> (AckGroup, Vec<Ack>) {
        let (tx, rx) = watch::channel(if n == 0 { Some(GroupOutcome::default()) } else { None });
        let state = Arc::new(GroupState { counts: Mutex::new((n, GroupOutcome::default())), settled: tx });
        let acks = (0..n).map(|_| Ack { settle: Some(Settle::Group(Arc::clone(&state))) }).collect();
        (AckGroup { settled: rx }, acks)
    }

    /// The outcome, if every acknowledgement has settled.
    pub fn outcome(&self) -> Option<GroupOutcome> {
        *self.settled.borrow()
    }

    /// Waits until every acknowledgement is acknowledged or failed.
    pub async fn settled(mut self) -> GroupOutcome {
        loop {
            if let Some(outcome) = *self.settled.borrow_and_update() {
                return outcome;
            }
            // The sender lives in the acks' shared state; it cannot be dropped while an ack is
            // unsettled, and the last one to settle publishes the outcome first.
            if self.settled.changed().await.is_err() {
                return self.settled.borrow().unwrap_or_default();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[tokio::test]
    async fn a_group_settles_when_every_ack_is_in_and_counts_failures() {
        let (group, acks) = AckGroup::new(3);
        let mut acks = acks.into_iter();
        acks.next().unwrap().ack();
        assert_eq!(group.outcome(), None);
        acks.next().unwrap().nack();
        drop(acks.next());
        assert_eq!(group.settled().await, GroupOutcome { acked: 1, failed: 2 });
    }

    #[tokio::test]
    async fn an_empty_group_is_settled_and_a_noop_ack_touches_nothing() {
        let (group, acks) = AckGroup::new(0);
        assert!(acks.is_empty());
        assert!(group.settled().await.all_acked());
        let d = Delivery::unacknowledged(5).map(|n| n * 2);
        assert_eq!(*d, 10);
        assert_eq!(d.ack(), 10);
    }

    #[test]
    fn a_callback_ack_reports_once_ack_nack_or_drop() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let ack = |seen: &Arc<Mutex<Vec<bool>>>| {
            let seen = Arc::clone(seen);
            Ack::from_fn(move |acked| seen.lock().unwrap().push(acked))
        };
        let a = ack(&seen);
        assert!(!a.is_noop());
        a.ack();
        ack(&seen).nack();
        drop(Delivery::new("x", ack(&seen)));
        assert_eq!(Delivery::new(7, ack(&seen)).ack(), 7);
        assert_eq!(*seen.lock().unwrap(), [true, false, false, true]);
    }

    #[tokio::test]
    async fn a_mapped_delivery_keeps_its_acknowledgement() {
        let (group, acks) = AckGroup::new(1);
        let d = Delivery::new("raw", acks.into_iter().next().unwrap()).map(str::len);
        let (n, ack) = d.into_parts();
        assert_eq!(n, 3);
        assert!(!ack.is_noop());
        ack.ack();
        assert!(group.settled().await.all_acked());
    }

    #[test]
    fn event_times_say_their_kind_when_serialised() {
        let naive = EventTime::Naive(datetime!(2024-03-01 08:09:10));
        let offset = EventTime::Offset(datetime!(2024-03-01 08:09:10 +08:00));
        assert_eq!(
            serde_json::to_value(naive).unwrap(),
            serde_json::json!({"kind": "naive", "value": "2024-03-01T08:09:10"})
        );
        assert_eq!(
            serde_json::to_value(offset).unwrap(),
            serde_json::json!({"kind": "offset", "value": "2024-03-01T08:09:10+08:00"})
        );
        assert!(naive.instant().is_none() && offset.instant().is_some());
    }

    #[test]
    fn an_alarm_reads_back_from_its_json() {
        let mut alarm = Alarm {
            source: AlarmSource::new("hpp", "key-1"),
            device_id: "Q123".into(),
            device_name: Some("hall \u{1b}[2J".into()),
            zone: Some(3),
            partition: Some(1),
            channel: None,
            user: Some("op".into()),
            event_time: Some(EventTime::Naive(datetime!(2024-03-01 08:09:10.123456789))),
            received_at: SystemTime::UNIX_EPOCH + std::time::Duration::new(1_709_280_550, 987_654_321),
            category: Category::Restore,
            restore_of: Some(Category::Intrusion),
            code: "3130".into(),
            description: "restore".into(),
            correlation_id: Some("rel-9".into()),
            media: vec![Media::Picture { url: "https://x/p.jpg".into() }, Media::Video { url: "v".into() }],
            raw: RawEvent::Json(serde_json::json!({"a": [1, {"b": null}]})),
        };
        let back: Alarm = serde_json::from_str(&serde_json::to_string(&alarm).unwrap()).unwrap();
        assert_eq!(back, alarm);
        alarm.event_time = Some(EventTime::Offset(datetime!(2024-03-01 08:09:10 +08:00)));
        alarm.raw = RawEvent::Xml("<EventNotificationAlert/>".into());
        alarm.received_at = SystemTime::UNIX_EPOCH;
        let back: Alarm = serde_json::from_str(&serde_json::to_string(&alarm).unwrap()).unwrap();
        assert_eq!(back, alarm);
        // A member a newer writer adds is ignored.
        let mut v = serde_json::to_value(&alarm).unwrap();
        v["added_later"] = serde_json::json!(1);
        assert_eq!(serde_json::from_value::<Alarm>(v).unwrap(), alarm);
    }

    #[test]
    fn a_malformed_alarm_is_an_error_not_a_guess() {
        let good = serde_json::to_value(Alarm {
            source: AlarmSource::new("hpp", "k"),
            device_id: "d".into(),
            device_name: None,
            zone: None,
            partition: None,
            channel: None,
            user: None,
            event_time: None,
            received_at: SystemTime::UNIX_EPOCH,
            category: Category::Other,
            restore_of: None,
            code: String::new(),
            description: String::new(),
            correlation_id: None,
            media: vec![],
            raw: RawEvent::Xml(String::new()),
        })
        .unwrap();
        for (key, bad) in [
            ("received_at", serde_json::json!("yesterday")),
            ("event_time", serde_json::json!({"kind": "naive", "value": "2024-03-01 08:09"})),
            ("event_time", serde_json::json!({"kind": "utc", "value": "2024-03-01T08:09:10Z"})),
            ("category", serde_json::json!("burglary")),
            ("zone", serde_json::json!(-1)),
        ] {
            let mut v = good.clone();
            v[key] = bad;
            assert!(serde_json::from_value::<Alarm>(v).is_err(), "{key}");
        }
    }
}
