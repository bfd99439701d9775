//! The alarm stream: event filtering by `eventMode`/`defenceMode`/`DevEventList`, the events the
//! gateway raises (CID alarms, device status, video reviews) and the parts it sends them in.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use serde_json::{json, Map, Value};
use watchpost_core::sim::subscriptions::multipart_part;

use super::state::{local_time, DeviceState};
use super::{lock, Shared};
use crate::cid::{CidCode, CidQualifier};
use crate::models::{DevEvent, EventKind, UploadMode, ZoneStatus};

/// The multipart boundary of the stream (as in the seed's example).
pub(crate) const BOUNDARY: &str = "boundary";

/// What raising an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raised {
    /// How many live subscriptions (open, not stalled, interested) the event was sent to.
    pub delivered: usize,
    /// The event's `UUID` (the simulator's alarm sequence number), for matching.
    pub uuid: String,
}

/// Which events a subscription receives.
#[derive(Debug, Clone)]
pub(crate) enum Filter {
    /// `eventMode` all: every device; `None` = every event type (`defenceMode` all).
    All(Option<Vec<EventKind>>),
    /// `eventMode` device: these devices, each with its `uploadMode`/`eventList`.
    Devices(BTreeMap<String, DevEvent>),
}

impl Filter {
    fn accepts(&self, dev_index: &str, kind: &EventKind) -> bool {
        // devStatusChanged is a general event: sent whatever the type list says.
        let general = *kind == EventKind::DevStatusChanged;
        match self {
            Filter::All(None) => true,
            Filter::All(Some(kinds)) => general || kinds.contains(kind),
            Filter::Devices(devices) => devices
                .get(dev_index)
                .is_some_and(|dev| general || dev.upload_mode == UploadMode::All || dev.event_list.contains(kind)),
        }
    }
}

/// One multipart part with the headers of the seed's example (content type and length).
pub(crate) fn part(body: &[u8]) -> Bytes {
    multipart_part(BOUNDARY, "application/json; charset=\"UTF-8\"", body)
}

/// The part of a JSON document.
pub(crate) fn json_part(value: &Value) -> Bytes {
    part(value.to_string().as_bytes())
}

/// A heartbeat part (9.13).
pub(crate) fn heartbeat(date_time: &str, count: u64) -> Bytes {
    json_part(&json!({ "EventNotificationAlert": {
        "channelID": "1", "dateTime": date_time, "activePostCount": count,
        "eventType": "heartBeat", "eventState": "active", "eventDescription": "Heart Beat" } }))
}

impl Shared {
    fn next_uuid(&self) -> String {
        (self.seq.fetch_add(1, Ordering::Relaxed) + 1).to_string()
    }

    /// Sends an event of `kind` about `dev` to the interested live subscriptions.
    fn deliver(&self, dev: &str, kind: &EventKind, alert: Map<String, Value>) -> usize {
        let part = json_part(&json!({ "EventNotificationAlert": Value::Object(alert) }));
        lock(&self.subs).send_where(&part, |f| f.accepts(dev, kind))
    }

    /// The members every `EventNotificationAlert` of a device carries.
    fn alert(d: &DeviceState, event_type: &str, description: &str) -> Map<String, Value> {
        let Value::Object(m) = json!({
            "channelID": "1", "dateTime": local_time(d.clock_skew, d.utc_offset).as_str(), "activePostCount": 1,
            "eventType": event_type, "eventState": "active", "eventDescription": description,
            "devIndex": d.dev_index, "channelName": d.info.device_name.clone().unwrap_or_default(),
            "deviceID": d.ehome_id,
        }) else {
            return Map::new();
        };
        m
    }

    fn cid_body(&self, d: &DeviceState, code: &CidCode, partition: u32, zone: u32, cid_type: u32, uuid: &str) -> Value {
        let local = local_time(d.clock_skew, d.utc_offset);
        let t = local.as_str().get(..19).unwrap_or_default().replace('T', " ");
        let zone_param = if zone == 0 { -1 } else { i64::from(zone) };
        json!({
            "subSys": partition, "zoneNo": zone, "CIDCode": code.code(), "CIDType": cid_type,
            "CIDDescribe": code.description().unwrap_or("unknown"), "timeZoneIdx": 0,
            "triggerTime": t, "uploadTime": t, "UUID": uuid,
            "CIDParam": format!("2,1,{zone_param},-1,-1,-1,-1,{}", self.config.http.username),
        })
    }

    /// Raises a CID event (also used by the panel operations); a zone alarm's trigger code puts
    /// the zone and its partition in alarm, its restore code brings the zone back online.
    pub(crate) fn emit_cid(&self, dev: &str, code: CidCode, partition: u32, zone: u32, cid_type: u32) -> Raised {
        let uuid = self.next_uuid();
        let alert = {
            let mut s = lock(&self.state);
            let Some(d) = s.devices.get_mut(dev).filter(|d| d.online) else { return Raised { delivered: 0, uuid } };
            let zones = d.panel.as_mut().filter(|_| zone > 0 && cid_type == 1);
            if let Some((p, z)) = zones.and_then(|p| p.zones.iter().position(|z| z.zone.id == zone).map(|i| (p, i))) {
                match code.qualifier() {
                    Some(CidQualifier::Trigger) => {
                        (p.zones[z].zone.alarm, p.zones[z].zone.status) = (Some(true), Some(ZoneStatus::Trigger));
                        let pid = p.zones[z].partition;
                        p.partitions.iter_mut().filter(|x| x.id == pid).for_each(|x| x.alarm = Some(true));
                    }
                    Some(CidQualifier::Restore) => p.zones[z].zone.status = Some(ZoneStatus::Online),
                    None => {}
                }
            }
            let mut m = Self::alert(d, "CIDAlarm", "CID event");
            m.insert("CIDAlarm".into(), self.cid_body(d, &code, partition, zone, cid_type, &uuid));
            m
        };
        Raised { delivered: self.deliver(dev, &EventKind::CidAlarm, alert), uuid }
    }
}

impl super::Simulator {
    /// Takes a device online or offline and raises `devStatusChanged` (sent even for offline:
    /// the gateway reports it).
    pub fn raise_dev_status(&self, dev: &str, online: bool) -> Raised {
        let sh = &self.shared;
        let uuid = sh.next_uuid();
        let alert = {
            let mut s = lock(&sh.state);
            let Some(d) = s.devices.get_mut(dev) else { return Raised { delivered: 0, uuid } };
            d.online = online;
            let mut m = Shared::alert(d, "devStatusChanged", "device status about online or offline changed");
            m.insert("status".into(), json!(if online { "online" } else { "offline" }));
            m
        };
        Raised { delivered: sh.deliver(dev, &EventKind::DevStatusChanged, alert), uuid }
    }

    /// Raises a video verification alarm (`videoReview`) and stores its video file; returns
    /// what happened and the `videoURL`.
    pub fn raise_video_review(&self, dev: &str, code: CidCode, zone: u32) -> (Raised, String) {
        let sh = &self.shared;
        let uuid = sh.next_uuid();
        let Some(d) = lock(&sh.state).devices.get(dev).cloned() else {
            return (Raised { delivered: 0, uuid }, String::new());
        };
        let local = local_time(d.clock_skew, d.utc_offset);
        let stamp: String = local.as_str().chars().filter(char::is_ascii_digit).take(14).collect();
        let hash = hex::encode(<md5::Md5 as md5::Digest>::digest(format!("{dev}/{uuid}").as_bytes())).to_uppercase();
        let url = format!("/HikGatewayStorage/pic?{hash}Q{:08}_CH02_{stamp}.mp4", uuid.parse::<u64>().unwrap_or(0));
        let video: Vec<u8> =
            (0..sh.config.video_size).map(|i| (i as u64).wrapping_mul(2_654_435_761).to_le_bytes()[1]).collect();
        lock(&sh.state).videos.insert(url.clone(), Bytes::from(video));
        let partition =
            d.panel.as_ref().and_then(|p| p.zones.iter().find(|z| z.zone.id == zone).map(|z| z.partition)).unwrap_or(0);
        let mut params = sh.cid_body(&d, &code, partition, zone, 2, &uuid);
        if let Value::Object(m) = &mut params {
            // 9.14 spells the zone `ZoneNo` here.
            if let Some(z) = m.remove("zoneNo") {
                m.insert("ZoneNo".into(), z);
            }
            m.insert("videoURL".into(), json!(url));
        }
        let mut m = Shared::alert(&d, "videoReview", "video review");
        m.insert("VideoReview".into(), json!({"HikCIDParams": params, "protocolType": "HikCIDProtocol"}));
        let delivered = if d.online { sh.deliver(dev, &EventKind::VideoReview, m) } else { 0 };
        (Raised { delivered, uuid }, url)
    }
}
