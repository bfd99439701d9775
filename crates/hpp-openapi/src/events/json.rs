//! The JSON events of A.3 (A.3.1 to A.3.9).
//!
//! Every field is optional on reading (a device that leaves one out still raises its alarm); the
//! seed's loose types are read leniently: numbers as numbers or numeric text, `""` as absent,
//! `longitude`/`latitude` typed float but sent as `""`. Fields the seed documents but no alarm
//! routing needs (ACSEvent's health, thermometry and lane-controller details, for instance) are
//! not typed: the whole event stays in [`Alarm::raw`](watchpost_core::alarm::Alarm::raw).

use serde::Deserialize;
use watchpost_core::codec::lenient;

use super::times::{from_epoch_millis, null_as_empty, opt_float, opt_time, DeviceTime};
use watchpost_core::alarm::EventTime;

/// A.3.1 `cidEvent`: a Contact ID report of an alarm panel.
///
/// The seed's example leaves `eventType` empty; a JSON event with a `CIDEvent` member is read as a
/// `cidEvent` whatever its `eventType` says.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CidEvent {
    /// The device serial number.
    #[serde(default, with = "lenient::string")]
    pub device_serial: String,
    /// When the alarm was triggered, device local (`yyyy-MM-ddTHH:mm:ss`, no zone).
    #[serde(default, deserialize_with = "opt_time")]
    pub trigger_time: Option<DeviceTime>,
    /// The event description, `"CID event"`.
    #[serde(default, with = "lenient::opt_string")]
    pub event_description: Option<String>,
    /// The file type: 0 no video (a picture may exist), 1 AVI, 2 MP4.
    #[serde(default, with = "lenient::opt_int")]
    pub is_video: Option<u8>,
    /// Ties this report to its video verification (`Linkage`) event.
    #[serde(default, with = "lenient::opt_string")]
    pub relation_id: Option<String>,
    /// The Contact ID block.
    #[serde(rename = "CIDEvent", default)]
    pub cid: CidBlock,
}

/// The `CIDEvent` member of a [`CidEvent`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CidBlock {
    /// The CID event code: four digits with the qualifier (`1103`), or three without.
    #[serde(default, with = "lenient::opt_int")]
    pub code: Option<u32>,
    /// The CID event type's text.
    #[serde(default, with = "lenient::opt_string")]
    pub description: Option<String>,
    /// The partition (the first one when several are concerned; see [`Self::partitions`]).
    #[serde(default, with = "lenient::opt_int")]
    pub system: Option<u32>,
    /// The partition's name.
    #[serde(default, with = "lenient::opt_string")]
    pub system_name: Option<String>,
    /// The zone index as the device counts (from 0; the ISAPI zone numbering, seed L6317).
    #[serde(default, with = "lenient::opt_int")]
    pub zone: Option<u32>,
    /// `zone + 1`: the zone number the panel shows and Contact ID reports (from 1).
    #[serde(rename = "zoneV30", default, with = "lenient::opt_int")]
    pub zone_v30: Option<u32>,
    /// The user number.
    #[serde(default, with = "lenient::opt_int")]
    pub user_no: Option<u32>,
    /// The user name.
    #[serde(default, with = "lenient::opt_string")]
    pub user_name: Option<String>,
    /// The panel channel linked to the network camera.
    #[serde(default, with = "lenient::opt_int")]
    pub ipc_channel: Option<u32>,
    /// The channel's serial number.
    #[serde(default, with = "lenient::opt_string")]
    pub channel_serial: Option<String>,
    /// The zone's name.
    #[serde(default, with = "lenient::opt_string")]
    pub zone_name: Option<String>,
    /// The partitions as a bit mask in text (`"43"`, `"21,2"`); see [`Self::partitions`].
    #[serde(default, with = "lenient::opt_string")]
    pub partition_no: Option<String>,
    /// The peripheral number.
    #[serde(rename = "ModNo", default, with = "lenient::opt_int")]
    pub mod_no: Option<u32>,
    /// The device number.
    #[serde(default, with = "lenient::opt_int")]
    pub device_no: Option<u32>,
    /// The temperature, reported on high/low temperature events.
    #[serde(default, with = "lenient::opt_int")]
    pub temp: Option<i32>,
    /// The longitude (the seed's example sends `""`, read as absent).
    #[serde(default, deserialize_with = "opt_float")]
    pub longitude: Option<f64>,
    /// The latitude (the seed's example sends `""`, read as absent).
    #[serde(default, deserialize_with = "opt_float")]
    pub latitude: Option<f64>,
    /// 11 alarm, 12 exception, 13 operation, 31 alarm restore, 32 exception restore, 33
    /// operation over.
    #[serde(default, with = "lenient::opt_string")]
    pub evttype: Option<String>,
    /// 1 when in two-way audio.
    #[serde(default, with = "lenient::opt_int")]
    pub is_talk: Option<u8>,
    /// 3: double video verification.
    #[serde(default, with = "lenient::opt_int")]
    pub media: Option<u8>,
}

/// The most partitions `partitionNo` can name (the seed: "up to 128").
const MAX_PARTITIONS: u32 = 128;

impl CidBlock {
    /// The four-digit Contact ID code (qualifier and event: `"1103"`, `"3401"`).
    ///
    /// A code of four digits is taken as it is; a code of three digits gets its qualifier from
    /// `evttype` (`1x` is a new event `1`, `3x` a restore `3`).
    pub fn contact_id(&self) -> Option<String> {
        let code = self.code?;
        match code {
            1000..=9999 => Some(code.to_string()),
            0..=999 => {
                let qualifier = match self.evttype.as_deref().map(str::trim)? {
                    "11" | "12" | "13" => '1',
                    "31" | "32" | "33" => '3',
                    _ => return None,
                };
                Some(format!("{qualifier}{code:03}"))
            }
            _ => None,
        }
    }

    /// The zone number the panel shows (from 1): `zoneV30`, else `zone + 1`.
    ///
    /// The seed says only `zoneV30 = zone + 1`. ISAPI numbers zones from 0 (seed L6317), the
    /// panel's keypad, app and Contact ID reports from 1, and the manual capture example of A.3.9
    /// names its zone `...1` with `zoneNo=0|zoneV30=1`: `zoneV30` is the panel's number.
    pub fn panel_zone(&self) -> Option<u32> {
        self.zone_v30.or_else(|| self.zone.and_then(|z| z.checked_add(1)))
    }

    /// The partitions of `partitionNo`, from 1, in ascending order; empty when absent or not a
    /// mask.
    ///
    /// The text is comma-separated 32-bit words, the highest first; bit 0 of the last word is
    /// partition 1: `"43"` (101011b) is 1, 2, 4, 6 and `"21,2"` is 2, 33, 35, 37, as the seed's
    /// examples say.
    pub fn partitions(&self) -> Vec<u32> {
        let Some(text) = self.partition_no.as_deref() else { return Vec::new() };
        let words: Vec<&str> = text.split(',').map(str::trim).collect();
        let max_words = (MAX_PARTITIONS / 32) as usize;
        if words.len() > max_words {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (i, word) in words.iter().rev().enumerate() {
            let Ok(bits) = word.parse::<u32>() else { return Vec::new() };
            let base = (i as u32) * 32;
            out.extend((0..32).filter(|b| bits & (1 << b) != 0).map(|b| base + b + 1));
        }
        out
    }
}

/// A.3.2, A.3.4, A.3.5 `devicedeleted`, `deviceoffline`, `deviceonline`: a device's status.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeviceStatusEvent {
    /// The device serial number.
    #[serde(default, with = "lenient::string")]
    pub device_serial: String,
    /// When it happened, with a zone (`yyyy-MM-ddThh:mm:ssZ`).
    #[serde(default, deserialize_with = "opt_time")]
    pub date_time: Option<DeviceTime>,
    /// The event description.
    #[serde(default, with = "lenient::opt_string")]
    pub event_description: Option<String>,
}

/// A.3.3 `deviceadded`: the device was authorised to the ARC.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeviceAddedEvent {
    /// The device serial number.
    #[serde(default, with = "lenient::string")]
    pub device_serial: String,
    /// When it happened, with a zone.
    #[serde(default, deserialize_with = "opt_time")]
    pub date_time: Option<DeviceTime>,
    /// The event description.
    #[serde(default, with = "lenient::opt_string")]
    pub event_description: Option<String>,
    /// The device type.
    #[serde(default, with = "lenient::opt_string")]
    pub device_type: Option<String>,
    /// The installer company's name.
    #[serde(default, with = "lenient::opt_string")]
    pub company_name: Option<String>,
    /// The installer company's phone number.
    #[serde(default, with = "lenient::opt_string")]
    pub company_phone: Option<String>,
    /// The installer company's email.
    #[serde(default, with = "lenient::opt_string")]
    pub company_email: Option<String>,
    /// The Hik-Connect account the device was handed over to, if it was.
    #[serde(default, with = "lenient::opt_string")]
    pub hc_account: Option<String>,
}

/// A picture of `pictureList` or `coverUrl`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[non_exhaustive]
pub struct EventPicture {
    /// The picture id (for Linkage, the smaller id is the left camera).
    #[serde(default, with = "lenient::opt_string")]
    pub id: Option<String>,
    /// Where to download it; `isEncrypted=1` in the query means it is encrypted.
    #[serde(default, with = "lenient::string")]
    pub url: String,
}

/// A.3.6 `Linkage`: pictures or clips that verify an alarm (video verification).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LinkageEvent {
    /// The device serial number.
    #[serde(default, with = "lenient::string")]
    pub device_serial: String,
    /// When the alarm was triggered, device local.
    #[serde(default, deserialize_with = "opt_time")]
    pub trigger_time: Option<DeviceTime>,
    /// The event description.
    #[serde(default, with = "lenient::opt_string")]
    pub event_description: Option<String>,
    /// The pictures or clips.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub picture_list: Vec<EventPicture>,
    /// Double video: 1 only the right camera, 2 only the left, 3 both.
    #[serde(default, with = "lenient::opt_int")]
    pub media: Option<u8>,
    /// Ties this event to its `cidEvent`.
    #[serde(default, with = "lenient::opt_string")]
    pub relation_id: Option<String>,
}

/// A.3.7 `ACSEvent`: an access control event (its `eventType` is `"AccessControllerEvent"`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AcsEvent {
    /// The device serial number.
    #[serde(default, with = "lenient::string")]
    pub device_serial: String,
    /// When it happened (documented as UTC).
    #[serde(default, deserialize_with = "opt_time")]
    pub date_time: Option<DeviceTime>,
    /// The device channel that triggered it.
    #[serde(rename = "channelID", default, with = "lenient::opt_string")]
    pub channel_id: Option<String>,
    /// How many times the same alarm was uploaded.
    #[serde(default, with = "lenient::opt_int")]
    pub active_post_count: Option<u32>,
    /// `active` or `inactive`.
    #[serde(default, with = "lenient::opt_string")]
    pub event_state: Option<String>,
    /// The event description.
    #[serde(default, with = "lenient::opt_string")]
    pub event_description: Option<String>,
    /// The device id (PUID) when reached over ISUP.
    #[serde(rename = "deviceID", default, with = "lenient::opt_string")]
    pub device_id: Option<String>,
    /// The device's MAC address.
    #[serde(default, with = "lenient::opt_string")]
    pub mac_address: Option<String>,
    /// How the picture URLs authenticate: `no` or `digest`.
    #[serde(rename = "URLCertificationType", default, with = "lenient::opt_string")]
    pub url_certification_type: Option<String>,
    /// The access controller's details.
    #[serde(rename = "AccessControllerEvent", default)]
    pub access: AccessControllerEvent,
}

/// The `AccessControllerEvent` member of an [`AcsEvent`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AccessControllerEvent {
    /// The device name.
    #[serde(default, with = "lenient::opt_string")]
    pub device_name: Option<String>,
    /// The major event type (Access Control Event Types).
    #[serde(default, with = "lenient::opt_int")]
    pub major_event_type: Option<u32>,
    /// The minor event type.
    #[serde(default, with = "lenient::opt_int")]
    pub sub_event_type: Option<u32>,
    /// The user of a network operation.
    #[serde(default, with = "lenient::opt_string")]
    pub net_user: Option<String>,
    /// The remote host address.
    #[serde(default, with = "lenient::opt_string")]
    pub remote_host_addr: Option<String>,
    /// The card number.
    #[serde(default, with = "lenient::opt_string")]
    pub card_no: Option<String>,
    /// 1 normal, 2 disabled, 3 blocklist, 4 patrol, 5 duress, 6 super, 7 visitor, 8 dismiss.
    #[serde(default, with = "lenient::opt_int")]
    pub card_type: Option<u8>,
    /// The person's name.
    #[serde(default, with = "lenient::opt_string")]
    pub name: Option<String>,
    /// The employee (person) id (documented integer, sent as text).
    #[serde(default, with = "lenient::opt_string")]
    pub employee_no_string: Option<String>,
    /// The door or floor number.
    #[serde(default, with = "lenient::opt_int")]
    pub door_no: Option<u32>,
    /// The card reader (authentication unit) number.
    #[serde(default, with = "lenient::opt_int")]
    pub card_reader_no: Option<u32>,
    /// The alarm input number.
    #[serde(default, with = "lenient::opt_int")]
    pub alarm_in_no: Option<u32>,
    /// The alarm output number.
    #[serde(default, with = "lenient::opt_int")]
    pub alarm_out_no: Option<u32>,
    /// The event's serial number (gaps reveal lost events).
    #[serde(default, with = "lenient::opt_int")]
    pub serial_no: Option<u64>,
    /// `normal`, `visitor`, `blacklist`, `administrators`.
    #[serde(default, with = "lenient::opt_string")]
    pub user_type: Option<String>,
    /// The authentication mode (`card`, `face`, `fpAndPw`, ...).
    #[serde(default, with = "lenient::opt_string")]
    pub current_verify_mode: Option<String>,
    /// The attendance status (`checkIn`, `checkOut`, ...).
    #[serde(default, with = "lenient::opt_string")]
    pub attendance_status: Option<String>,
    /// Whether a picture comes with the event.
    #[serde(default, with = "lenient::opt_bool_any")]
    pub pic_enable: Option<bool>,
    /// The picture URL.
    #[serde(rename = "pictureURL", default, with = "lenient::opt_string")]
    pub picture_url: Option<String>,
    /// The visible light picture URL.
    #[serde(default, with = "lenient::opt_string")]
    pub visible_light_pic_url: Option<String>,
    /// The thermal picture URL.
    #[serde(default, with = "lenient::opt_string")]
    pub thermal_pic_url: Option<String>,
    /// The face temperature.
    #[serde(default, deserialize_with = "opt_float")]
    pub curr_temperature: Option<f64>,
    /// Whether the face temperature is abnormal (the seed spells it `isAbnomalTemperature`).
    #[serde(rename = "isAbnomalTemperature", alias = "isAbnormalTemperature", default, with = "lenient::opt_bool_any")]
    pub is_abnormal_temperature: Option<bool>,
    /// Whether the person wears a mask: `unknown`, `yes`, `no`.
    #[serde(default, with = "lenient::opt_string")]
    pub mask: Option<String>,
}

/// The `coverPicture` member of a [`YsCallingEvent`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[non_exhaustive]
pub struct CoverPicture {
    /// 0 not encrypted, 1 user encryption, absent: see `isEncrypted` in the URL.
    #[serde(default, with = "lenient::opt_int")]
    pub crypt: Option<u8>,
    /// The picture's size in bytes.
    #[serde(default, with = "lenient::opt_int")]
    pub length: Option<u64>,
    /// Days the cloud keeps it (7, 30; 0 unknown).
    #[serde(default, with = "lenient::opt_int")]
    pub lifecycle: Option<u32>,
    /// The picture format (`JPEG`).
    #[serde(rename = "type", default, with = "lenient::opt_string")]
    pub format: Option<String>,
}

/// A.3.8 `YsCallingEvent`: an intercom call from a door station.
///
/// The seed names the serial `devSerial` (read as `deviceSerial` too) and sends the type as
/// `"YsCallingEvent "` with a trailing space.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct YsCallingEvent {
    /// The device's (short) serial number.
    #[serde(rename = "devSerial", alias = "deviceSerial", default, with = "lenient::string")]
    pub device_serial: String,
    /// The call's id.
    #[serde(default, with = "lenient::opt_string")]
    pub calling_id: Option<String>,
    /// The call's time in milliseconds since the Unix epoch; see [`Self::calling_time`].
    #[serde(rename = "callingTime", default, with = "lenient::opt_int")]
    pub calling_time_ms: Option<i64>,
    /// The device channel.
    #[serde(default, with = "lenient::opt_int")]
    pub channel: Option<u32>,
    /// The cover picture's properties.
    #[serde(default)]
    pub cover_picture: Option<CoverPicture>,
    /// The cover picture.
    #[serde(default)]
    pub cover_url: Option<EventPicture>,
    /// Custom information: JSON, Base64-encoded.
    #[serde(default, with = "lenient::opt_string")]
    pub custom_info: Option<String>,
    /// The message's time stamp, device local.
    #[serde(default, deserialize_with = "opt_time")]
    pub timestamp: Option<DeviceTime>,
}

impl YsCallingEvent {
    /// `callingTime` as a UTC instant (the seed's 1715201297000 is 2024-05-08T20:48:17Z).
    pub fn calling_time(&self) -> Option<EventTime> {
        self.calling_time_ms.and_then(from_epoch_millis)
    }
}

/// A.3.9 `manualRep`: a manual capture.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ManualRepEvent {
    /// The device serial number.
    #[serde(default, with = "lenient::string")]
    pub device_serial: String,
    /// When it happened, device local (`yyyy-MM-ddTHH:mm:ss`).
    #[serde(default, deserialize_with = "opt_time")]
    pub date_time: Option<DeviceTime>,
    /// The custom type (`zoneNo=0=zoneV30=1=hostAlarmType=10`).
    #[serde(default, with = "lenient::opt_string")]
    pub custom_type: Option<String>,
    /// The custom information, `key=value` pairs separated by `|`; see [`Self::custom_info_value`].
    #[serde(default, with = "lenient::opt_string")]
    pub custom_info: Option<String>,
    /// The event description.
    #[serde(default, with = "lenient::opt_string")]
    pub event_description: Option<String>,
    /// The pictures.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub picture_list: Vec<EventPicture>,
    /// The video channel (text in the seed).
    #[serde(rename = "channelID", default, with = "lenient::opt_int")]
    pub channel_id: Option<u32>,
    /// The device number (text in the seed).
    #[serde(default, with = "lenient::opt_int")]
    pub device_no: Option<u32>,
}

impl ManualRepEvent {
    /// The value of `key` in `customInfo` (`zoneV30`, `user`, `evttype`, `UID`).
    pub fn custom_info_value(&self, key: &str) -> Option<&str> {
        self.custom_info.as_deref()?.split('|').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k.trim() == key).then(|| v.trim())
        })
    }

    /// The zone number the panel shows (from 1): `zoneV30`, else `zoneNo + 1`; see
    /// [`CidBlock::panel_zone`].
    pub fn panel_zone(&self) -> Option<u32> {
        let num = |k| self.custom_info_value(k).and_then(|v| v.parse::<u32>().ok());
        num("zoneV30").or_else(|| num("zoneNo").and_then(|z| z.checked_add(1)))
    }
}
