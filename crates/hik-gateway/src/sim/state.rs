//! The simulator's in-memory gateway: devices, panels, time, network, and video files.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use bytes::Bytes;
use md5::{Digest as _, Md5};
use serde::Deserialize;

use crate::models::{
    Arming, DevType, DeviceInfo, ExDevStatus, IoInputPort, IoLevel, IoOutputPort, IoPortList, NetworkInterface, Output,
    ProtocolType, SubSys, Zone,
};
use crate::time::IsoDateTime;

/// The local time of a clock skewed by `skew` seconds at `offset`.
pub(crate) fn local_time(skew: i64, offset: i32) -> IsoDateTime {
    let now = i64::try_from(watchpost_core::clock::unix_now().as_secs()).unwrap_or(0);
    IsoDateTime::from_unix(now + skew, offset)
}

/// One zone of a simulated panel: the `JSON_ZoneList` item it reports and its partition.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneState {
    /// The partition the zone belongs to.
    pub partition: u32,
    /// The zone as reported (`armed` is filled in from its partition when reported).
    pub zone: Zone,
}

/// The security-control part of a simulated device, held as the panel reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelState {
    /// Partitions (`JSON_SubSysList` items).
    pub partitions: Vec<SubSys>,
    /// Zones.
    pub zones: Vec<ZoneState>,
    /// Output modules, relays, sirens and repeaters (`JSON_ExDevStatus`).
    pub peripherals: ExDevStatus,
}

/// The fixture data of the gateway and its panels, read from `fixtures.json`: the gateway's
/// information, a panel's (without its name, IDs and MAC address), a network interface, and
/// the zone, relay and peripherals of a new panel.
#[derive(Deserialize, Default)]
struct Fixtures {
    gateway: DeviceInfo,
    panel: DeviceInfo,
    nic: NetworkInterface,
    zone: Option<Zone>,
    relay: Option<Output>,
    peripherals: ExDevStatus,
}

static FIXTURES: LazyLock<Fixtures> =
    LazyLock::new(|| serde_json::from_str(include_str!("fixtures.json")).unwrap_or_default());

impl PanelState {
    fn new(partitions: u32, zones_per_partition: u32, relays: u32) -> Self {
        let fx = &*FIXTURES;
        let zone = |id: u32, partition: u32| {
            let zone = fx.zone.clone().map(|z| Zone { id, name: Some(format!("Zone {id}")), ..z });
            zone.map(|zone| ZoneState { partition, zone })
        };
        let relay = |id: u32| fx.relay.clone().map(|r| Output { id, name: Some(format!("Relay {id}")), ..r });
        let zones = (1..=partitions)
            .flat_map(|p| (0..zones_per_partition).map(move |z| (p, (p - 1) * zones_per_partition + z + 1)));
        PanelState {
            partitions: (1..=partitions)
                .map(|id| SubSys { id, arming: Some(Arming::Disarm), alarm: Some(false) })
                .collect(),
            zones: zones.filter_map(|(p, id)| zone(id, p)).collect(),
            peripherals: ExDevStatus { outputs: (1..=relays).filter_map(relay).collect(), ..fx.peripherals.clone() },
        }
    }
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
    pub nics: Vec<NetworkInterface>,
    /// Alarm inputs and outputs, as reported.
    pub io: IoPortList,
    /// The level each alarm output was last driven to.
    pub output_levels: BTreeMap<u32, IoLevel>,
    /// The panel, for security control panels.
    pub panel: Option<PanelState>,
}

/// Deterministic hyphenated UUID text from a seed string.
pub(crate) fn uuid_from(seed: &str) -> String {
    let h = hex::encode(Md5::digest(seed.as_bytes()));
    format!("{}-{}-4{}-8{}-{}", &h[0..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32])
}

impl DeviceState {
    /// A security control panel (AX series, ISUP 5.0) with `n` as its fixture number.
    pub(crate) fn panel(n: u32, ehome_id: &str, name: &str, layout: (u32, u32, u32)) -> Self {
        let dev_index = uuid_from(&format!("hikgw-sim-device-{ehome_id}"));
        let mut nic = FIXTURES.nic.clone();
        nic.ip_address.ip_address = Some(format!("10.20.{}.{}", n / 250, n % 250 + 2));
        let input = |id: u32| IoInputPort {
            id,
            enable: Some(true),
            triggering: Some(IoLevel::High),
            name: Some(format!("Zone {id}")),
        };
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
                serial_number: Some(format!("DS-PWA32-HS20200101AAWR{n:08}")),
                mac_address: Some(format!(
                    "44:19:b6:{:02x}:{:02x}:{:02x}",
                    (n >> 16) & 0xff,
                    (n >> 8) & 0xff,
                    n & 0xff
                )),
                ..FIXTURES.panel.clone()
            },
            time_zone: "CST-8:00:00".to_owned(),
            clock_skew: 0,
            utc_offset: 8 * 3600,
            nics: vec![nic],
            io: IoPortList {
                inputs: (1..=layout.0 * layout.1).map(input).collect(),
                outputs: (1..=layout.2)
                    .map(|id| IoOutputPort { id, enable: Some(true), name: Some(format!("Output {id}")) })
                    .collect(),
            },
            output_levels: (1..=layout.2).map(|id| (id, IoLevel::Low)).collect(),
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
            info: FIXTURES.gateway.clone(),
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

    /// The models the simulator now serialises write the shape of the seed's templates (9.15,
    /// 9.17): keyed list items, integer IDs, boolean flags, text states (what the hand-built
    /// JSON wrote before).
    #[test]
    fn reported_models_write_the_seed_templates() {
        use crate::models::{ExDevStatusMsg, IoPortListMsg};
        use serde_json::json;
        let d = super::DeviceState::panel(1, "AX0001", "Panel 1", (1, 1, 1));
        let p = d.panel.clone().unwrap();
        let item = |id: u32, seq: &str, name: &str, status: &str, charge: &str| json!({"id": id, "seq": seq, "name": name, "status": status, "tamperEvident": false, "charge": charge});
        let want = json!({"ExDevStatus": {
            "OutputModList": [{"OutputMod": {"id": 1, "seq": "Q12345678", "status": "online", "tamperEvident": false,
                "charge": "normal"}}],
            "OutputList": [{"Output": {"id": 1, "name": "Relay 1", "status": "off", "tamperEvident": false,
                "charge": "normal", "linkage": "manualCtrl"}}],
            "SirenList": [{"Siren": item(1, "S00000001", "Siren 1", "off", "normal")}],
            "RepeaterList": [{"Repeater": item(1, "R00000001", "Repeater 1", "online", "lowPower")}]}});
        assert_eq!(serde_json::to_value(ExDevStatusMsg { ex_dev_status: p.peripherals }).unwrap(), want);
        let want = json!({"IOPortList": {
            "IOInputPortList": [{"IOInputPort": {"id": 1, "enable": true, "triggering": "high", "name": "Zone 1"}}],
            "IOOutputPortList": [{"IOOutputPort": {"id": 1, "enable": true, "name": "Output 1"}}]}});
        assert_eq!(serde_json::to_value(IoPortListMsg { io_port_list: d.io }).unwrap(), want);
    }

    #[test]
    fn the_fixtures_parse() {
        let fx: super::Fixtures = serde_json::from_str(include_str!("fixtures.json")).unwrap();
        assert!(fx.zone.is_some() && fx.relay.is_some(), "the zone and relay of a new panel");
        assert_eq!(fx.gateway.model.as_deref(), Some("DS-GWAS0101"));
        assert_eq!(fx.panel.model.as_deref(), Some("DS-PWA32-HS"));
        assert_eq!(fx.nic.ip_address.subnet_mask.as_deref(), Some("255.255.0.0"));
        assert_eq!(
            (fx.peripherals.output_mods.len(), fx.peripherals.sirens.len(), fx.peripherals.repeaters.len()),
            (1, 1, 1)
        );
    }
}
