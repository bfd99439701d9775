//! Typed `EventNotificationAlert` messages (9.10-9.14, A.1).

use serde::{Deserialize, Serialize};
use watchpost_core::codec::lenient;

use crate::cid::CidCode;
use crate::models::DevStatus;
use crate::time::{IsoDateTime, LocalDateTime};

watchpost_core::open_str_enum! {
    /// `eventState` (9.10): durative events repeat with `active` until one is `inactive`.
    EventState {
        /// `active`.
        Active = "active",
        /// `inactive`.
        Inactive = "inactive",
    }
}

watchpost_core::open_int_enum! {
    /// `CIDType` (9.11, 9.14): the kind of CID alarm.
    CidType {
        /// 1: zone alarm.
        Zone = 1,
        /// 2: video alarm.
        Video = 2,
        /// 3: virtual zone alarm.
        VirtualZone = 3,
        /// 4: duress alarm.
        Duress = 4,
        /// 5: exception alarm.
        Exception = 5,
        /// 6: operation alarm.
        Operation = 6,
    }
}

watchpost_core::open_int_enum! {
    /// `userType` of `CIDParam` (9.11 remarks).
    CidUserType {
        /// 1: keyboard user.
        Keyboard = 1,
        /// 2: network user.
        Network = 2,
    }
}

/// The members every `EventNotificationAlert` carries (9.10, 9.13).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertHeader {
    /// `channelID`.
    #[serde(rename = "channelID", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub channel_id: Option<String>,
    /// `dateTime` (also read from the seed's `dataTime` misspelling).
    #[serde(rename = "dateTime", alias = "dataTime", default, skip_serializing_if = "Option::is_none")]
    pub date_time: Option<IsoDateTime>,
    /// `activePostCount`: how many times the event was posted (for heartbeats, × the interval
    /// gives the arming duration).
    #[serde(rename = "activePostCount", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub active_post_count: Option<u64>,
    /// `eventType`, as sent (the seed's heartbeat example has a trailing space).
    #[serde(rename = "eventType", default, with = "lenient::string")]
    pub event_type: String,
    /// `eventState`.
    #[serde(rename = "eventState", default, skip_serializing_if = "Option::is_none")]
    pub event_state: Option<EventState>,
    /// `eventDescription`.
    #[serde(
        rename = "eventDescription",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_string"
    )]
    pub event_description: Option<String>,
    /// `devIndex`: the device behind the gateway.
    #[serde(rename = "devIndex", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub dev_index: Option<String>,
    /// `channelName`.
    #[serde(rename = "channelName", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub channel_name: Option<String>,
    /// `deviceID` (9.11, 9.14).
    #[serde(rename = "deviceID", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub device_id: Option<String>,
}

/// The eight comma-separated members of `CIDParam` (9.11 remarks); `-1` (invalid) reads as `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CidParam {
    /// `userType`.
    pub user_type: Option<CidUserType>,
    /// `userNo`.
    pub user_no: Option<i32>,
    /// `zoneNo`.
    pub zone_no: Option<i32>,
    /// `keyboardNo`.
    pub keyboard_no: Option<i32>,
    /// `videoChanNo`.
    pub video_chan_no: Option<i32>,
    /// `dskNo`: HDD number.
    pub dsk_no: Option<i32>,
    /// `moduleAddr`.
    pub module_addr: Option<i32>,
    /// `userName` (up to 31 bytes; `NONE` reads as `None`).
    pub user_name: Option<String>,
}

impl CidParam {
    /// Reads `"userType,userNo,zoneNo,keyboardNo,videoChanNo,dskNo,moduleAddr,userName"`.
    /// Missing or non-numeric members read as `None`; the user name may contain commas.
    pub fn parse(text: &str) -> Self {
        let mut it = text.splitn(8, ',');
        let mut num = || it.next().and_then(|s| s.trim().parse::<i32>().ok()).filter(|v| *v != -1);
        let user_type = num().map(|v| CidUserType::from_value(i64::from(v)));
        let user_no = num();
        let zone_no = num();
        let keyboard_no = num();
        let video_chan_no = num();
        let dsk_no = num();
        let module_addr = num();
        let user_name =
            it.next().map(str::trim).filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("NONE")).map(str::to_owned);
        CidParam { user_type, user_no, zone_no, keyboard_no, video_chan_no, dsk_no, module_addr, user_name }
    }
}

/// The UTC offset in seconds of a `timeZoneIdx` (9.11), for the indices the seed spells out:
/// 1 = GMT-12:00, 2 = GMT-11:00, 3 = GMT-10:00, 14 = GMT-01:00, 15 = GMT, 16 = GMT+01:00,
/// 34 = GMT+13:00 (the seed misprints it GMT-13:00), 35 = GMT+14:00. The seed elides the others
/// ("…"), and 14 indices for 12 hours (and 20 for 14) mean some are half-hour zones, so they
/// give `None`, as does the example's `0`; the raw index is always kept.
pub fn time_zone_offset(idx: i32) -> Option<i32> {
    const H: i32 = 3600;
    match idx {
        1 => Some(-12 * H),
        2 => Some(-11 * H),
        3 => Some(-10 * H),
        14 => Some(-H),
        15 => Some(0),
        16 => Some(H),
        34 => Some(13 * H),
        35 => Some(14 * H),
        _ => None,
    }
}

/// `CIDAlarm` of `JSON_EventNotificationAlert_CidAlarmMsg` (9.11).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CidAlarm {
    /// `subSys`: partition (0-32; 0 = zone alarm).
    #[serde(rename = "subSys", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub sub_sys: Option<u32>,
    /// `zoneNo`.
    #[serde(
        rename = "zoneNo",
        alias = "ZoneNo",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_int"
    )]
    pub zone_no: Option<u32>,
    /// `CIDCode`: the typed code of table A.3 (unknown codes kept).
    #[serde(rename = "CIDCode", default, skip_serializing_if = "Option::is_none")]
    pub code: Option<CidCode>,
    /// `CIDType`.
    #[serde(rename = "CIDType", default, skip_serializing_if = "Option::is_none")]
    pub cid_type: Option<CidType>,
    /// `CIDDescribe`: the device's description of the code (up to 127 bytes).
    #[serde(rename = "CIDDescribe", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub describe: Option<String>,
    /// `timeZoneIdx` (see [`time_zone_offset`]).
    #[serde(rename = "timeZoneIdx", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub time_zone_idx: Option<i32>,
    /// `triggerTime` (no zone).
    #[serde(rename = "triggerTime", default, skip_serializing_if = "Option::is_none")]
    pub trigger_time: Option<LocalDateTime>,
    /// `uploadTime` (no zone).
    #[serde(rename = "uploadTime", default, skip_serializing_if = "Option::is_none")]
    pub upload_time: Option<LocalDateTime>,
    /// `CIDParam`, as sent (see [`CidAlarm::param`]).
    #[serde(rename = "CIDParam", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub param: Option<String>,
    /// `UUID`: the alarm ID.
    #[serde(rename = "UUID", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub uuid: Option<String>,
}

impl CidAlarm {
    /// `CIDParam` split into its members.
    pub fn params(&self) -> Option<CidParam> {
        self.param.as_deref().map(CidParam::parse)
    }

    /// The UTC offset of `timeZoneIdx`, when known.
    pub fn time_zone_offset(&self) -> Option<i32> {
        self.time_zone_idx.and_then(time_zone_offset)
    }
}

/// `HikCIDParams` of a video verification alarm (9.14).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HikCidParams {
    /// `CIDCode`.
    #[serde(rename = "CIDCode", default, skip_serializing_if = "Option::is_none")]
    pub code: Option<CidCode>,
    /// `CIDDescribe`.
    #[serde(rename = "CIDDescribe", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub describe: Option<String>,
    /// `CIDParam`, as sent.
    #[serde(rename = "CIDParam", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub param: Option<String>,
    /// `CIDType`.
    #[serde(rename = "CIDType", default, skip_serializing_if = "Option::is_none")]
    pub cid_type: Option<CidType>,
    /// `UUID`.
    #[serde(rename = "UUID", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub uuid: Option<String>,
    /// `ZoneNo` (capital Z here; `zoneNo` accepted).
    #[serde(
        rename = "ZoneNo",
        alias = "zoneNo",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_int"
    )]
    pub zone_no: Option<u32>,
    /// `subSys`.
    #[serde(rename = "subSys", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub sub_sys: Option<u32>,
    /// `timeZoneIdx`.
    #[serde(rename = "timeZoneIdx", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub time_zone_idx: Option<i32>,
    /// `triggerTime`.
    #[serde(rename = "triggerTime", default, skip_serializing_if = "Option::is_none")]
    pub trigger_time: Option<LocalDateTime>,
    /// `uploadTime`.
    #[serde(rename = "uploadTime", default, skip_serializing_if = "Option::is_none")]
    pub upload_time: Option<LocalDateTime>,
    /// `videoURL` (also spelled `videoUrl`/`videoURI` by the seed): pass it to
    /// [`Client::download_video`](crate::Client::download_video).
    #[serde(
        rename = "videoURL",
        alias = "videoUrl",
        alias = "videoURI",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_string"
    )]
    pub video_url: Option<String>,
}

impl HikCidParams {
    /// `CIDParam` split into its members.
    pub fn params(&self) -> Option<CidParam> {
        self.param.as_deref().map(CidParam::parse)
    }
}

/// `VideoReview` of `JSON_EventNotificationAlert_VideoVerificationAlarmMsg` (9.14).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VideoReview {
    /// `protocolType`: `HikCIDProtocol`.
    #[serde(rename = "protocolType", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub protocol_type: Option<String>,
    /// `HikCIDParams`.
    #[serde(rename = "HikCIDParams", default)]
    pub params: HikCidParams,
}

/// A device went online or offline (`devStatusChanged`, 9.12).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DevStatusChanged {
    /// The common members.
    pub header: AlertHeader,
    /// `status`: online or offline (`None` if the device left it out).
    pub status: Option<DevStatus>,
}

/// A CID alarm (`CIDAlarm`, 9.11).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CidAlarmEvent {
    /// The common members.
    pub header: AlertHeader,
    /// `CIDAlarm` (empty if the device left it out).
    pub cid: CidAlarm,
}

/// A video verification alarm (`videoReview`, 9.14).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VideoReviewEvent {
    /// The common members.
    pub header: AlertHeader,
    /// `VideoReview` (empty if the device left it out).
    pub review: VideoReview,
}

/// A heartbeat (`heartBeat`, 9.13), every 10 s by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Heartbeat {
    /// The common members.
    pub header: AlertHeader,
}

/// An event of a type this crate does not model, with the whole part kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnknownEvent {
    /// The common members.
    pub header: AlertHeader,
    /// The part as JSON (an XML part is kept as a JSON string of its text).
    pub raw: serde_json::Value,
}

/// A typed `EventNotificationAlert`.
///
/// The variant is picked by structure first (a `CIDAlarm` member is a CID alarm, a
/// `VideoReview` member a video verification, whatever `eventType` says: the seed's CID example
/// says `videoReview`), then by `eventType` (trimmed, case-insensitive), else [`Event::Unknown`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Event {
    /// `devStatusChanged`.
    DevStatusChanged(DevStatusChanged),
    /// `CIDAlarm`.
    CidAlarm(CidAlarmEvent),
    /// `videoReview`.
    VideoReview(VideoReviewEvent),
    /// `heartBeat`.
    Heartbeat(Heartbeat),
    /// Any other event type.
    Unknown(UnknownEvent),
}

impl Event {
    /// The common members.
    pub fn header(&self) -> &AlertHeader {
        match self {
            Event::DevStatusChanged(e) => &e.header,
            Event::CidAlarm(e) => &e.header,
            Event::VideoReview(e) => &e.header,
            Event::Heartbeat(e) => &e.header,
            Event::Unknown(e) => &e.header,
        }
    }

    /// The device the event is about, if the gateway said.
    pub fn dev_index(&self) -> Option<&str> {
        self.header().dev_index.as_deref()
    }

    /// Whether this is a heartbeat.
    pub fn is_heartbeat(&self) -> bool {
        matches!(self, Event::Heartbeat(_))
    }

    /// The CID code of a CID or video verification alarm.
    pub fn cid_code(&self) -> Option<&CidCode> {
        match self {
            Event::CidAlarm(e) => e.cid.code.as_ref(),
            Event::VideoReview(e) => e.review.params.code.as_ref(),
            _ => None,
        }
    }
}

/// The wire form of an `EventNotificationAlert` (JSON member or XML root), before the variant
/// is picked. Flat (no `#[serde(flatten)]`) so that decoding does not buffer the part.
#[derive(Debug, Deserialize)]
pub(crate) struct RawAlert {
    #[serde(rename = "channelID", default, with = "lenient::opt_string")]
    channel_id: Option<String>,
    #[serde(rename = "dateTime", alias = "dataTime", default)]
    date_time: Option<IsoDateTime>,
    #[serde(rename = "activePostCount", default, with = "lenient::opt_int")]
    active_post_count: Option<u64>,
    #[serde(rename = "eventType", default, with = "lenient::string")]
    event_type: String,
    #[serde(rename = "eventState", default)]
    event_state: Option<EventState>,
    #[serde(rename = "eventDescription", default, with = "lenient::opt_string")]
    event_description: Option<String>,
    #[serde(rename = "devIndex", default, with = "lenient::opt_string")]
    dev_index: Option<String>,
    #[serde(rename = "channelName", default, with = "lenient::opt_string")]
    channel_name: Option<String>,
    #[serde(rename = "deviceID", default, with = "lenient::opt_string")]
    device_id: Option<String>,
    #[serde(rename = "status", default)]
    status: Option<DevStatus>,
    #[serde(rename = "CIDAlarm", default)]
    cid: Option<CidAlarm>,
    #[serde(rename = "VideoReview", default)]
    video_review: Option<VideoReview>,
}

impl RawAlert {
    /// Picks the variant (see [`Event`]); `raw` builds the fallback value on demand.
    pub(crate) fn into_event(self, raw: impl FnOnce() -> serde_json::Value) -> Event {
        let RawAlert {
            channel_id,
            date_time,
            active_post_count,
            event_type,
            event_state,
            event_description,
            dev_index,
            channel_name,
            device_id,
            status,
            cid,
            video_review,
        } = self;
        let header = AlertHeader {
            channel_id,
            date_time,
            active_post_count,
            event_type,
            event_state,
            event_description,
            dev_index,
            channel_name,
            device_id,
        };
        if let Some(cid) = cid {
            return Event::CidAlarm(CidAlarmEvent { header, cid });
        }
        if let Some(review) = video_review {
            return Event::VideoReview(VideoReviewEvent { header, review });
        }
        let t = header.event_type.trim();
        if t.eq_ignore_ascii_case("heartBeat") {
            Event::Heartbeat(Heartbeat { header })
        } else if t.eq_ignore_ascii_case("devStatusChanged") {
            Event::DevStatusChanged(DevStatusChanged { header, status })
        } else if t.eq_ignore_ascii_case("CIDAlarm") {
            Event::CidAlarm(CidAlarmEvent { header, cid: CidAlarm::default() })
        } else if t.eq_ignore_ascii_case("videoReview") {
            Event::VideoReview(VideoReviewEvent { header, review: VideoReview::default() })
        } else {
            Event::Unknown(UnknownEvent { header, raw: raw() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cid_param_members() {
        let p = CidParam::parse("1,2,1,1,1,1,0,admin");
        assert_eq!(p.user_type, Some(CidUserType::Keyboard));
        assert_eq!(p.user_no, Some(2));
        assert_eq!(p.module_addr, Some(0));
        assert_eq!(p.user_name.as_deref(), Some("admin"));
        let p = CidParam::parse("-1,-1,5,-1,-1,-1,-1,NONE");
        assert_eq!(p.user_type, None);
        assert_eq!(p.zone_no, Some(5));
        assert_eq!(p.user_name, None);
        let p = CidParam::parse("2,3");
        assert_eq!(p.user_type, Some(CidUserType::Network));
        assert_eq!(p.zone_no, None);
        assert_eq!(CidParam::parse("x,,,,,,,a,b").user_name.as_deref(), Some("a,b"));
    }

    #[test]
    fn time_zone_indices() {
        assert_eq!(time_zone_offset(1), Some(-12 * 3600));
        assert_eq!(time_zone_offset(3), Some(-10 * 3600));
        assert_eq!(time_zone_offset(14), Some(-3600));
        assert_eq!(time_zone_offset(15), Some(0));
        assert_eq!(time_zone_offset(16), Some(3600));
        assert_eq!(time_zone_offset(34), Some(13 * 3600));
        assert_eq!(time_zone_offset(35), Some(14 * 3600));
        assert_eq!(time_zone_offset(0), None);
        assert_eq!(time_zone_offset(20), None);
    }
}
