//! The simulator's in-memory gateway: devices, panels, time, network, and video files.

use std::collections::BTreeMap;

use bytes::Bytes;
use md5::{Digest as _, Md5};

use crate::models::{
    AddressingType, Arming, Charge, DevType, DeviceInfo, DeviceType, HostAddress, IoLevel, IpAddress, IpVersion,
    Linkage, ProtocolType, ZoneStatus,
};
use crate::time::IsoDateTime;

/// The local time of a clock skewed by `skew` seconds at `offset`.
pub(crate) fn local_time(skew: i64, offset: i32) -> IsoDateTime {
    let now = i64::try_from(watchpost_core::clock::unix_now().as_secs()).unwrap_or(0);
    IsoDateTime::from_unix(now + skew, offset)
}

/// One partition of a simulated panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionState {
    /// Partition number (from 1).
    pub id: u32,
    /// Arming status.
    pub arming: Arming,
    /// Whether the partition is in alarm.
    pub alarm: bool,
}

/// One zone of a simulated panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneState {
    /// Zone number (from 1).
    pub id: u32,
    /// The partition the zone belongs to.
    pub partition: u32,
    /// Zone name.
    pub name: String,
    /// Zone status.
    pub status: ZoneStatus,
    /// Whether the zone is bypassed.
    pub bypassed: bool,
    /// Whether the zone is in alarm.
    pub alarm: bool,
    /// Battery state.
    pub charge: Charge,
}

/// One relay of a simulated panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayState {
    /// Relay number (from 1).
    pub id: u32,
    /// Whether the relay is open (`on`).
    pub on: bool,
    /// What drives the relay.
    pub linkage: Linkage,
}

/// The security-control part of a simulated device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelState {
    /// Partitions.
    pub partitions: Vec<PartitionState>,
    /// Zones.
    pub zones: Vec<ZoneState>,
    /// Relays.
    pub relays: Vec<RelayState>,
    /// Sirens: (id, on).
    pub sirens: Vec<(u32, bool)>,
    /// Repeaters: (id, online).
    pub repeaters: Vec<(u32, bool)>,
}

impl PanelState {
    fn new(partitions: u32, zones_per_partition: u32, relays: u32) -> Self {
        let mut zones = Vec::new();
        for p in 1..=partitions {
            for z in 0..zones_per_partition {
                let id = (p - 1) * zones_per_partition + z + 1;
                zones.push(ZoneState {
                    id,
                    partition: p,
                    name: format!("Zone {id}"),
                    status: ZoneStatus::Online,
                    bypassed: false,
                    alarm: false,
                    charge: Charge::Normal,
                });
            }
        }
        PanelState {
            partitions: (1..=partitions)
                .map(|id| PartitionState { id, arming: Arming::Disarm, alarm: false })
                .collect(),
            zones,
            relays: (1..=relays).map(|id| RelayState { id, on: false, linkage: Linkage::ManualCtrl }).collect(),
            sirens: vec![(1, false)],
            repeaters: vec![(1, true)],
        }
    }
}

/// A network interface of a simulated device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NicState {
    /// Interface ID.
    pub id: String,
    /// Its address.
    pub address: IpAddress,
}

/// A device added to the simulated gateway.
#[derive(Debug, Clone)]
pub struct DeviceState {
    /// The gateway's ID for it.
    pub dev_index: String,
    /// Its ISUP ID.
    pub ehome_id: String,
    /// Protocol.
    pub protocol_type: ProtocolType,
    /// Device type.
    pub dev_type: DevType,
    /// Online or offline.
    pub online: bool,
    /// Visual verification enabled.
    pub visual_verification: bool,
    /// Device information.
    pub info: DeviceInfo,
    /// Time zone text (POSIX).
    pub time_zone: String,
    /// Local time offset from the simulator's clock, and the UTC offset of `localTime`.
    pub clock_skew: i64,
    /// UTC offset of the device's local time in seconds.
    pub utc_offset: i32,
    /// Network interfaces.
    pub nics: Vec<NicState>,
    /// Alarm inputs (id, enabled, name).
    pub inputs: Vec<(u32, bool, String)>,
    /// Alarm outputs (id, level).
    pub outputs: Vec<(u32, IoLevel)>,
    /// The panel, for security control panels.
    pub panel: Option<PanelState>,
}

/// Deterministic hyphenated UUID text from a seed string.
pub(crate) fn uuid_from(seed: &str) -> String {
    let h = hex::encode(Md5::digest(seed.as_bytes()));
    format!("{}-{}-4{}-8{}-{}", &h[0..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32])
}

fn nic(id: &str, n: u32) -> NicState {
    NicState {
        id: id.to_owned(),
        address: IpAddress {
            ip_version: Some(IpVersion::V4),
            addressing_type: Some(AddressingType::Static),
            ip_address: Some(format!("10.20.{}.{}", n / 250, n % 250 + 2)),
            subnet_mask: Some("255.255.0.0".to_owned()),
            ipv6_address: None,
            bit_mask: None,
            default_gateway: Some(HostAddress { ip_address: Some("10.20.0.1".to_owned()), ipv6_address: None }),
            primary_dns: Some(HostAddress { ip_address: Some("10.20.0.1".to_owned()), ipv6_address: None }),
            secondary_dns: None,
            ipv6_mode: None,
        },
    }
}

impl DeviceState {
    /// A security control panel (AX series, ISUP 5.0) with `n` as its fixture number.
    pub(crate) fn panel(n: u32, ehome_id: &str, name: &str, layout: (u32, u32, u32)) -> Self {
        let dev_index = uuid_from(&format!("hikgw-sim-device-{ehome_id}"));
        let serial = format!("DS-PWA32-HS20200101AAWR{n:08}");
        DeviceState {
            dev_index: dev_index.clone(),
            ehome_id: ehome_id.to_owned(),
            protocol_type: ProtocolType::EhomeV5,
            dev_type: DevType::SecurityCp,
            online: true,
            visual_verification: true,
            info: DeviceInfo {
                device_name: Some(name.to_owned()),
                device_id: Some(dev_index),
                device_description: Some("AX PRO".to_owned()),
                system_contact: Some("Hikvision.China".to_owned()),
                model: Some("DS-PWA32-HS".to_owned()),
                serial_number: Some(serial),
                mac_address: Some(format!(
                    "44:19:b6:{:02x}:{:02x}:{:02x}",
                    (n >> 16) & 0xff,
                    (n >> 8) & 0xff,
                    n & 0xff
                )),
                firmware_version: Some("V1.0.4".to_owned()),
                firmware_released_date: Some("build 200110".to_owned()),
                boot_version: Some("V1.0.0".to_owned()),
                boot_released_date: Some("build 190801".to_owned()),
                hardware_version: Some("0x0".to_owned()),
                device_type: Some(DeviceType::SecurityCp),
                telecontrol_id: Some(1),
                dev_type: Some(0x2d),
                ..DeviceInfo::default()
            },
            time_zone: "CST-8:00:00".to_owned(),
            clock_skew: 0,
            utc_offset: 8 * 3600,
            nics: vec![nic("1", n)],
            inputs: (1..=layout.0 * layout.1).map(|i| (i, true, format!("Zone {i}"))).collect(),
            outputs: (1..=layout.2).map(|i| (i, IoLevel::Low)).collect(),
            panel: Some(PanelState::new(layout.0, layout.1, layout.2)),
        }
    }
}

/// The whole simulated gateway.
#[derive(Debug)]
pub struct GatewayState {
    /// The gateway's own information.
    pub info: DeviceInfo,
    /// Skew of the gateway's clock from the simulator's clock, in seconds.
    pub clock_skew: i64,
    /// UTC offset of the gateway's local time.
    pub utc_offset: i32,
    /// Devices by `devIndex`, in insertion order of their keys.
    pub devices: BTreeMap<String, DeviceState>,
    /// Order in which devices were added (for the device list).
    pub order: Vec<String>,
    /// Video files by path and query.
    pub videos: BTreeMap<String, Bytes>,
    /// Fixture counter for new devices.
    pub next_device: u32,
    /// Reboots requested (gateway and devices).
    pub reboots: Vec<Option<String>>,
    /// The largest number of devices the gateway accepts (`monitorNodeOverLimit` beyond).
    pub max_devices: usize,
}

impl GatewayState {
    pub(crate) fn new(devices: u32, layout: (u32, u32, u32), max_devices: usize) -> Self {
        let mut state = GatewayState {
            info: DeviceInfo {
                device_name: Some("Device Gateway".to_owned()),
                device_id: Some(uuid_from("hikgw-sim-gateway")),
                device_description: Some("Hik IP Receiver Device Gateway".to_owned()),
                system_contact: Some("Hikvision.China".to_owned()),
                model: Some("DS-GWAS0101".to_owned()),
                serial_number: Some("DS-GWAS0101-6419".to_owned()),
                mac_address: Some("44:19:b6:00:64:19".to_owned()),
                firmware_version: Some("V1.3.0".to_owned()),
                firmware_released_date: Some("build 200220".to_owned()),
                boot_version: Some("V1.0.0".to_owned()),
                boot_released_date: Some("build 190101".to_owned()),
                hardware_version: Some("0x0".to_owned()),
                software_version: Some("V1.3.0".to_owned()),
                device_type: Some(DeviceType::Gateway),
                operation_system: Some("Linux".to_owned()),
                ..DeviceInfo::default()
            },
            clock_skew: 0,
            utc_offset: 8 * 3600,
            devices: BTreeMap::new(),
            order: Vec::new(),
            videos: BTreeMap::new(),
            next_device: 1,
            reboots: Vec::new(),
            max_devices,
        };
        for _ in 0..devices {
            let n = state.next_device;
            let ehome = format!("AX{n:04}");
            state.insert(DeviceState::panel(n, &ehome, &format!("Panel {n}"), layout));
        }
        state
    }

    pub(crate) fn insert(&mut self, device: DeviceState) {
        self.next_device += 1;
        self.order.push(device.dev_index.clone());
        self.devices.insert(device.dev_index.clone(), device);
    }

    pub(crate) fn remove(&mut self, dev_index: &str) -> Option<DeviceState> {
        self.order.retain(|d| d != dev_index);
        self.devices.remove(dev_index)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixture_uuids_are_hyphenated_and_stable() {
        let a = super::uuid_from("x");
        assert_eq!((a.clone(), a.len(), a.matches('-').count()), (super::uuid_from("x"), 36, 4));
    }
}
