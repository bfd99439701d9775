//! Devices (3.21), their channels (3.22) and recorded files (3.52).

use serde::{Deserialize, Deserializer, Serialize};
use watchpost_core::codec::lenient;

watchpost_core::open_int_enum! {
    /// Device type (`deviceCategory` of 3.21).
    DeviceCategory {
        /// 1: network camera.
        Ipc = 1,
        /// 2: network video recorder.
        Nvr = 2,
        /// 3: security control panel (alarm host).
        AlarmHost = 3,
        /// 4: video intercom.
        Intercom = 4,
        /// 5: access control.
        AccessControl = 5,
        /// 7: IP speed dome.
        IpDome = 7,
        /// 8: doorbell.
        Doorbell = 8,
        /// 9: storage box.
        StorageBox = 9,
        /// 10: thermal camera.
        ThermalCamera = 10,
        /// 11: switch.
        Switch = 11,
        /// 99: all devices (a filter value).
        All = 99,
    }
}

watchpost_core::open_int_enum! {
    /// Device sub type (`deviceSubCategory` of 3.21).
    DeviceSubCategory {
        /// 0: unknown.
        Unknown = 0,
        /// 1: NVR.
        Nvr = 1,
        /// 2: DVR.
        Dvr = 2,
        /// 3: AX2.
        Ax2 = 3,
        /// 4: AX Hub.
        AxHub = 4,
        /// 5: AX Hybrid.
        AxHybrid = 5,
        /// 6: panic alarm station.
        PanicAlarmStation = 6,
        /// 7: box panic alarm station.
        BoxPanicAlarmStation = 7,
        /// 8: pole panic alarm station.
        PolePanicAlarmStation = 8,
        /// 9: MinMoe.
        MinMoe = 9,
        /// 10: AX Hybrid Pro.
        AxHybridPro = 10,
        /// 11: solar camera.
        SolarCamera = 11,
        /// 12: door station.
        DoorStation = 12,
        /// 13: fall detection radar.
        FallDetectionRadar = 13,
    }
}

watchpost_core::open_int_enum! {
    /// Whether a device is online (`deviceOnlineStatus` of 3.21).
    OnlineStatus {
        /// 0: offline.
        Offline = 0,
        /// 1: online.
        Online = 1,
        /// 2: unknown.
        Unknown = 2,
    }
}

/// Reads text and trims it (the seed's examples carry values like `" Q01728482"`).
fn trimmed<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(lenient::opt_string::deserialize(d)?.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()))
}

/// One device of device/list (3.21).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// Device ID (what device/delete and device/update take).
    #[serde(default, with = "lenient::string")]
    pub id: String,
    /// Device name.
    #[serde(default)]
    pub device_name: Option<String>,
    /// Online status.
    #[serde(default)]
    pub device_online_status: Option<OnlineStatus>,
    /// Device serial number (trimmed).
    #[serde(default, deserialize_with = "trimmed")]
    pub device_serial: Option<String>,
    /// Firmware version, such as `V2.0.0 build 200224` (trimmed).
    #[serde(default, deserialize_with = "trimmed")]
    pub device_version: Option<String>,
    /// Device model, such as `DS-PWA96-M-WE`.
    #[serde(default)]
    pub device_type: Option<String>,
    /// Device type.
    #[serde(default)]
    pub device_category: Option<DeviceCategory>,
    /// Device sub type.
    #[serde(default)]
    pub device_sub_category: Option<DeviceSubCategory>,
    /// Whether the device's events are subscribed to (a Boolean in the table, `1` in the example).
    #[serde(default, with = "lenient::opt_bool_any")]
    pub is_subscribed: Option<bool>,
    /// When the device was added (ISO 8601, such as `2021-03-25T06:26:01.927Z`).
    #[serde(default)]
    pub device_add_time: Option<String>,
    /// Time zone, an ID of the seed's time zone list (text, such as `"182"`).
    #[serde(default, with = "lenient::opt_string")]
    pub time_zone: Option<String>,
    /// Extended information added for the device.
    #[serde(default)]
    pub ext_info: Option<String>,
    /// Site ID (`siteID` on the wire).
    #[serde(default, rename = "siteID", alias = "siteId", with = "lenient::opt_string")]
    pub site_id: Option<String>,
    /// Site name.
    #[serde(default)]
    pub site_name: Option<String>,
    /// Whether it is a shared device.
    #[serde(default, with = "lenient::opt_bool_any")]
    pub device_share_flag: Option<bool>,
    /// Linked ARC ID (`arcId`; the example's OCR `arcld` is read too).
    #[serde(default, alias = "arcld")]
    pub arc_id: Option<String>,
    /// Linked ARC company name.
    #[serde(default)]
    pub arc_company_name: Option<String>,
}

watchpost_core::open_int_enum! {
    /// Channel status (`status` of 3.22).
    ChannelStatus {
        /// 0: offline.
        Offline = 0,
        /// 1: online.
        Online = 1,
        /// -1: unknown.
        Unknown = -1,
    }
}

watchpost_core::open_int_enum! {
    /// Channel sharing status (`isShared` of 3.22, text on the wire).
    ChannelShare {
        /// 0: not shared.
        NotShared = 0,
        /// 1: shared with others.
        SharedWithOthers = 1,
        /// 2: shared by others.
        SharedByOthers = 2,
    }
}

watchpost_core::open_int_enum! {
    /// Video resolution (`videoLevel` of 3.22).
    VideoLevel {
        /// 0: fluent.
        Fluent = 0,
        /// 1: balanced.
        Balanced = 1,
        /// 2: HD.
        Hd = 2,
        /// 3: ultra HD.
        UltraHd = 3,
    }
}

/// One channel linked with a device (3.22).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Camera {
    /// Serial number of the device.
    #[serde(default, deserialize_with = "trimmed")]
    pub device_serial: Option<String>,
    /// Serial number of the network camera on this channel.
    #[serde(default, deserialize_with = "trimmed")]
    pub ipc_serial: Option<String>,
    /// Channel number.
    #[serde(default, with = "lenient::opt_int")]
    pub channel_no: Option<u32>,
    /// Device name.
    #[serde(default)]
    pub device_name: Option<String>,
    /// Channel name.
    #[serde(default)]
    pub channel_name: Option<String>,
    /// Channel status.
    #[serde(default)]
    pub status: Option<ChannelStatus>,
    /// Sharing status.
    #[serde(default)]
    pub is_shared: Option<ChannelShare>,
    /// Channel picture URL.
    #[serde(default)]
    pub pic_url: Option<String>,
    /// Whether the stream is encrypted (`0`/`1`).
    #[serde(default, with = "lenient::opt_bool01")]
    pub is_encrypt: Option<bool>,
    /// Video resolution.
    #[serde(default)]
    pub video_level: Option<VideoLevel>,
    /// Whether the channel is linked with the network camera (`relatedIpc`; the example's OCR
    /// `relatedlpc` is read too).
    #[serde(default, alias = "relatedlpc", with = "lenient::opt_bool_any")]
    pub related_ipc: Option<bool>,
}

watchpost_core::open_int_enum! {
    /// Playback source (`recType` of 3.52).
    RecordSource {
        /// 0: chosen by the system (the default of a request).
        Auto = 0,
        /// 1: cloud storage.
        Cloud = 1,
        /// 2: local recording.
        Local = 2,
    }
}

watchpost_core::open_int_enum! {
    /// File type (`localType` of 3.52, text on the wire).
    RecordFileType {
        /// "0": alarm.
        Alarm = 0,
        /// "1": timing (scheduled).
        Timing = 1,
        /// "2": IO.
        Io = 2,
    }
}

/// One recorded file of video/by/time (3.52).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordFile {
    /// Where the file is stored.
    #[serde(default)]
    pub rec_type: Option<RecordSource>,
    /// Start of the file, epoch milliseconds.
    #[serde(default, with = "lenient::opt_int")]
    pub start_time: Option<u64>,
    /// End of the file, epoch milliseconds.
    #[serde(default, with = "lenient::opt_int")]
    pub end_time: Option<u64>,
    /// File type.
    #[serde(default)]
    pub local_type: Option<RecordFileType>,
    /// Whether the file is encrypted (`0`/`1`).
    #[serde(default, with = "lenient::opt_bool01")]
    pub crypt: Option<bool>,
}
