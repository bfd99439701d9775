//! ISAPI XML resources of a device (Hik-Partner Pro Appendix A.4): device information, time,
//! NTP server, IO output ports, PTZ movement and presets, digital channels (`InputProxy`).
//!
//! The seed names these documents (`XML_DeviceInfo`, `XML_PTZPresetList`...) without their
//! members: the members below are the common ISAPI ones, each optional, unknown members ignored.
//! Each document is written with [`crate::xml::to_string`] under its root element
//! ([`XmlDocument::ROOT`]) and read with the core XML decoder (any namespace).

use serde::{Deserialize, Serialize};

/// An ISAPI XML document: the name of its root element.
pub trait XmlDocument {
    /// The root element (`DeviceInfo`).
    const ROOT: &'static str;
}

macro_rules! xml_root {
    ($($ty:ty => $root:literal),* $(,)?) => {
        $(impl XmlDocument for $ty {
            const ROOT: &'static str = $root;
        })*
    };
}

xml_root! {
    DeviceInfo => "DeviceInfo",
    TimeData => "Time",
    NtpServer => "NTPServer",
    IoOutputPortXml => "IOOutputPort",
    IoOutputPortListXml => "IOOutputPortList",
    IoPortStatus => "IOPortStatus",
    IoPortDataXml => "IOPortData",
    PtzData => "PTZData",
    PtzPreset => "PTZPreset",
    PtzPresetList => "PTZPresetList",
    InputProxyChannel => "InputProxyChannel",
    InputProxyChannelList => "InputProxyChannelList",
    InputProxyChannelStatusList => "InputProxyChannelStatusList",
    XmlResponseStatus => "ResponseStatus",
}

/// `XML_DeviceInfo` (A.4.19): the device's identity and versions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceInfo {
    /// `deviceName`: the name shown to users (the only member usually written back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    /// `deviceID`: the device's UUID.
    #[serde(rename = "deviceID", default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// `model`: the model name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// `serialNumber`: the full serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// `macAddress`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    /// `firmwareVersion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware_version: Option<String>,
    /// `firmwareReleasedDate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware_released_date: Option<String>,
    /// `deviceType`: `IPCamera`, `DVR`, `AxPro`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_type: Option<String>,
}

/// `XML_Time` (A.4.23): the device's time mode, local time and time zone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeData {
    /// `timeMode`: `NTP`, `manual`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_mode: Option<String>,
    /// `localTime`: ISO 8601 local time (`2019-02-28T10:50:44+08:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_time: Option<String>,
    /// `timeZone`: a POSIX time zone (`CST-8:00:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// `XML_NTPServer`: one NTP server (the seed's pass-through example, 3.23).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NtpServer {
    /// `id`: the server number (from 1).
    pub id: u32,
    /// `addressingFormatType`: `ipaddress` or `hostname`.
    pub addressing_format_type: String,
    /// `hostName`, when addressed by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_name: Option<String>,
    /// `ipAddress`, when addressed by IPv4 address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// `portNo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_no: Option<u16>,
    /// `synchronizeInterval`: minutes between synchronisations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synchronize_interval: Option<u32>,
}

/// One `IOOutputPort` of `XML_IOOutputPortList` (A.4.20).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IoOutputPortXml {
    /// `id`: the output number (from 1).
    pub id: u32,
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `PowerOnState/defaultState` flattened: `high` or `low`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_state: Option<String>,
}

/// `XML_IOOutputPortList` (A.4.20): every IO output port.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IoOutputPortListXml {
    /// `IOOutputPort` elements.
    #[serde(rename = "IOOutputPort", default)]
    pub ports: Vec<IoOutputPortXml>,
}

/// `XML_IOPortStatus` (A.4.21): the state of one IO port.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IoPortStatus {
    /// `ioPortID`.
    #[serde(rename = "ioPortID")]
    pub io_port_id: u32,
    /// `ioPortType`: `input` or `output`.
    #[serde(rename = "ioPortType", default, skip_serializing_if = "Option::is_none")]
    pub io_port_type: Option<String>,
    /// `ioState`: `active` or `inactive`.
    #[serde(rename = "ioState", default, skip_serializing_if = "Option::is_none")]
    pub io_state: Option<String>,
}

/// `XML_IOPortData` (A.4.22): the level to set an output to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IoPortDataXml {
    /// `outputState`: `high` or `low`.
    #[serde(rename = "outputState")]
    pub output_state: String,
}

/// `XML_Absolute_PTZData` (A.4.6): continuous pan/tilt/zoom speeds (-100..=100, 0 stops).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PtzData {
    /// `pan`: negative left, positive right.
    #[serde(default)]
    pub pan: i32,
    /// `tilt`: negative down, positive up.
    #[serde(default)]
    pub tilt: i32,
    /// `zoom`: negative out, positive in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoom: Option<i32>,
}

/// `XML_PTZPreset` / `XML_Set_PTZPreset` (A.4.8): one preset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PtzPreset {
    /// `id`: the preset number (from 1).
    pub id: u32,
    /// `presetName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset_name: Option<String>,
    /// `enabled`: whether the preset is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// `XML_PTZPresetList` (A.4.7): every preset of a channel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PtzPresetList {
    /// `PTZPreset` elements.
    #[serde(rename = "PTZPreset", default)]
    pub presets: Vec<PtzPreset>,
}

/// `sourceInputPortDescriptor` of a digital channel: where its video comes from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceInputPortDescriptor {
    /// `proxyProtocol`: `HIKVISION`, `ONVIF`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_protocol: Option<String>,
    /// `addressingFormatType`: `ipaddress` or `hostname`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addressing_format_type: Option<String>,
    /// `ipAddress`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// `managePortNo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manage_port_no: Option<u16>,
    /// `srcInputPort`: the source's channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src_input_port: Option<u32>,
    /// `userName` on the source (its password is never read back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
}

/// `XML_InputProxyChannel` (A.4.3): one digital channel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputProxyChannel {
    /// `id`: the channel number.
    pub id: u32,
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `sourceInputPortDescriptor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_input_port_descriptor: Option<SourceInputPortDescriptor>,
}

/// `XML_InputProxyChannelList` (A.4.3): every digital channel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InputProxyChannelList {
    /// `InputProxyChannel` elements.
    #[serde(rename = "InputProxyChannel", default)]
    pub channels: Vec<InputProxyChannel>,
}

/// One `InputProxyChannelStatus` of `XML_InputProxyChannelStatusList` (A.4.4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputProxyChannelStatus {
    /// `id`: the channel number.
    pub id: u32,
    /// `online`: whether the source is reachable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online: Option<bool>,
    /// `chanDetectResult`: `connect`, `offline`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chan_detect_result: Option<String>,
}

/// `XML_InputProxyChannelStatusList` (A.4.4): the status of every digital channel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InputProxyChannelStatusList {
    /// `InputProxyChannelStatus` elements.
    #[serde(rename = "InputProxyChannelStatus", default)]
    pub channels: Vec<InputProxyChannelStatus>,
}

/// `XML_ResponseStatus`: the outcome of an XML ISAPI call (`statusCode` 1 = OK; the JSON
/// form is [`super::ResponseStatus`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct XmlResponseStatus {
    /// `requestURL`.
    #[serde(rename = "requestURL", default, skip_serializing_if = "Option::is_none")]
    pub request_url: Option<String>,
    /// `statusCode` (required: a document without it is a decode error, never an OK).
    pub status_code: crate::StatusCode,
    /// `statusString`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_string: Option<String>,
    /// `subStatusCode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_status_code: Option<String>,
}

impl XmlResponseStatus {
    /// An OK status for `request_url`.
    pub fn ok(request_url: impl Into<String>) -> Self {
        XmlResponseStatus {
            request_url: Some(request_url.into()),
            status_code: crate::StatusCode::Ok,
            status_string: Some("OK".to_owned()),
            sub_status_code: Some("ok".to_owned()),
        }
    }

    /// As the JSON model (statusCode, statusString, subStatusCode; the rest `None`).
    pub fn to_status(&self) -> super::ResponseStatus {
        super::ResponseStatus {
            request_url: self.request_url.clone(),
            status_code: self.status_code,
            status_string: self.status_string.clone(),
            sub_status_code: self.sub_status_code.clone(),
            error_code: None,
            error_msg: None,
            reboot_required: None,
            lock_status: None,
            retry_times: None,
            res_lock_time: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use watchpost_core::codec::xml;

    use super::*;

    #[test]
    fn xml_documents_round_trip_under_their_root() {
        let list = PtzPresetList {
            presets: vec![
                PtzPreset { id: 1, preset_name: Some("Gate".into()), enabled: Some(true) },
                PtzPreset { id: 2, preset_name: None, enabled: Some(false) },
            ],
        };
        let text = crate::xml::to_string(&list, PtzPresetList::ROOT).unwrap();
        assert!(text.contains("<PTZPresetList version=\"2.0\""), "{text}");
        assert_eq!(xml::from_str::<PtzPresetList>(&text).unwrap(), list);
        let info: DeviceInfo = xml::from_str(
            "<DeviceInfo xmlns=\"http://www.hikvision.com/ver20/XMLSchema\"><deviceName>Panel</deviceName>\
             <deviceID>x</deviceID><model>DS-PWA96</model><serialNumber>Q123</serialNumber><extra>1</extra></DeviceInfo>",
        )
        .unwrap();
        assert_eq!((info.device_name.as_deref(), info.model.as_deref()), (Some("Panel"), Some("DS-PWA96")));
    }

    #[test]
    fn an_xml_status_without_a_code_is_not_ok() {
        assert!(xml::from_str::<XmlResponseStatus>("<ResponseStatus><statusString>OK</statusString></ResponseStatus>")
            .is_err());
        let s: XmlResponseStatus = xml::from_str(
            "<ResponseStatus><statusCode>4</statusCode><subStatusCode>notSupport</subStatusCode></ResponseStatus>",
        )
        .unwrap();
        assert!(!s.to_status().is_success());
        assert_eq!(s.to_status().sub_status(), "notSupport");
    }
}
