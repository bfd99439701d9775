//! The simulated device's state: the configuration map, relays and inputs, every entity list,
//! the call and door logs, the call, the packet capture and the firmware upgrade.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;

use crate::models::{
    CallLogEntry, Contact, DialReplace, Door, DoorLogEntry, Flag, Group, PrivateKey, RfKey, TimeOfDay, User, Weekdays,
};

/// The firmware version the simulated device starts with (the seed's, L485).
pub const FIRMWARE_VERSION: &str = "29.31.101.624";

/// The model the simulated device reports (the seed's, L486).
pub const MODEL: &str = "R29S";

/// The MAC address of the simulated device (the seed's, L485).
pub const MAC: &str = "0C:11:05:07:8B:71";

/// One relay.
#[derive(Debug, Clone, Default)]
pub(crate) struct Relay {
    /// 1 while open.
    pub(crate) closed_at: Option<Duration>,
    /// Open with no automatic close (mode 1).
    pub(crate) held: bool,
}

/// The packet capture.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pcap {
    pub(crate) running: bool,
    pub(crate) started_at: Duration,
    pub(crate) settings: BTreeMap<String, String>,
    pub(crate) file: Option<Bytes>,
}

/// The firmware upgrade.
#[derive(Debug, Clone, Default)]
pub(crate) struct Firmware {
    pub(crate) version: String,
    pub(crate) prepared: bool,
    pub(crate) image: Option<Bytes>,
    pub(crate) upgrades: u32,
}

/// The whole device.
#[derive(Debug, Clone)]
pub(crate) struct Device {
    pub(crate) config: BTreeMap<String, String>,
    pub(crate) relays: [Relay; 3],
    pub(crate) inputs: [i64; 3],
    pub(crate) private_keys: Vec<PrivateKey>,
    pub(crate) rf_keys: Vec<RfKey>,
    pub(crate) contacts: Vec<Contact>,
    pub(crate) groups: Vec<Group>,
    pub(crate) dial_replace: Vec<DialReplace>,
    pub(crate) users: Vec<User>,
    pub(crate) call_log: Vec<CallLogEntry>,
    pub(crate) door_log: Vec<DoorLogEntry>,
    pub(crate) next_id: u64,
    pub(crate) call: String,
    pub(crate) card_at_reader: Option<String>,
    pub(crate) pcap: Pcap,
    pub(crate) firmware: Firmware,
    /// The model `system.info` reports.
    pub(crate) model: String,
    pub(crate) booted_at: Duration,
    pub(crate) reboots: u32,
}

impl Device {
    /// The seed's examples as a device's first state.
    pub(crate) fn seeded(now: Duration) -> Device {
        let mut config = BTreeMap::new();
        for (k, v) in DEFAULT_CONFIG {
            config.insert((*k).to_owned(), (*v).to_owned());
        }
        let key = |id: &str, name: &str, code: &str| PrivateKey {
            id: Some(id.into()),
            name: Some(name.into()),
            code: Some(code.into()),
            door_num: Some("1".into()),
            days: Weekdays::every_day(),
            time_start: TimeOfDay::new(0, 0),
            time_end: TimeOfDay::new(0, 0),
            extra: BTreeMap::new(),
        };
        let mut card = RfKey::new("Card1", "00B4161D", &[Door::A]);
        card.id = Some("1".into());
        let contact = |id: &str, name: &str, phone: &str| Contact {
            id: Some(id.into()),
            name: Some(name.into()),
            phone: Some(phone.into()),
            dial_type: Some("0".into()),
            group: Some("Default".into()),
            ..Contact::default()
        };
        Device {
            config,
            relays: Default::default(),
            inputs: [1, 1, 1],
            private_keys: vec![key("1", "123456", "12345678"), key("2", "5555", "78965412")],
            rf_keys: vec![card],
            contacts: vec![contact("1", "Alex", "123"), contact("2", "Bob", "112")],
            groups: vec![Group { id: Some("12".into()), name: Some("Default".into()), ..Group::default() }],
            dial_replace: vec![DialReplace {
                id: Some("1".into()),
                prefix: Some("1".into()),
                line: Some("0".into()),
                replace1: Some("192.168.1.100".into()),
                ..DialReplace::default()
            }],
            users: vec![User {
                id: Some("2".into()),
                user_id: Some("2".into()),
                name: Some("1111".into()),
                card_code: Some("2222".into()),
                private_pin: Some("2222".into()),
                face_url: Some(String::new()),
                lift_floor_num: Some("1;2".into()),
                schedule_relay: Some("1001-1".into()),
                user_type: Some("0".into()),
                web_relay: Some("1".into()),
                source_type: Some("1".into()),
                ..User::default()
            }],
            call_log: vec![CallLogEntry {
                id: Some("23".into()),
                call_type: Some("Received".into()),
                date: Some("2018-12-13".into()),
                time: Some("05:55:59".into()),
                local_identity: Some("192.168.1.98@192.168.1.98".into()),
                name: Some("192.168.1.48".into()),
                num: Some("192.168.1.48".into()),
                ..CallLogEntry::default()
            }],
            door_log: Vec::new(),
            next_id: 100,
            call: "READY".into(),
            card_at_reader: None,
            pcap: Pcap::default(),
            firmware: Firmware { version: FIRMWARE_VERSION.into(), ..Firmware::default() },
            model: MODEL.into(),
            booted_at: now,
            reboots: 0,
        }
    }

    /// A fresh ID.
    pub(crate) fn new_id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }

    /// The state of a relay now: 1 open, 0 closed.
    pub(crate) fn relay_state(&self, door: Door, now: Duration) -> i64 {
        let r = &self.relays[door_index(door)];
        i64::from(r.held || r.closed_at.is_some_and(|t| now < t))
    }

    /// Appends a door log entry.
    pub(crate) fn log_door(&mut self, open_type: &str, name: &str, code: &str, ok: bool, now: Duration) {
        let id = self.new_id();
        let (date, time) = date_time(now);
        self.door_log.push(DoorLogEntry {
            id: Some(id),
            open_type: Some(open_type.into()),
            name: Some(name.into()),
            status: Some(Flag::from_bool(!ok)),
            code: Some(code.into()),
            date: Some(date),
            time: Some(time),
            ..DoorLogEntry::default()
        });
    }

    /// Appends a call log entry.
    pub(crate) fn log_call(&mut self, call_type: &str, name: &str, num: &str, now: Duration) {
        let id = self.new_id();
        let (date, time) = date_time(now);
        let account = self.config.get("Config.Account1.GENERAL.UserName").cloned().unwrap_or_default();
        self.call_log.push(CallLogEntry {
            id: Some(id),
            call_type: Some(call_type.into()),
            date: Some(date),
            time: Some(time),
            local_identity: Some(account),
            name: Some(name.into()),
            num: Some(num.into()),
            ..CallLogEntry::default()
        });
    }

    /// Opens a relay: for `seconds` (mode 0), or until the next trigger (mode 1).
    pub(crate) fn open_relay(&mut self, door: Door, manual: bool, seconds: u64, now: Duration) {
        let r = &mut self.relays[door_index(door)];
        if manual {
            r.held = !r.held;
        } else {
            r.held = false;
            r.closed_at = Some(now + Duration::from_secs(seconds));
        }
    }

    /// The hold delay of a relay's config (default 5 s).
    pub(crate) fn hold_delay(&self, door: Door) -> u64 {
        let key = crate::models::ConfigMap::door_key(crate::models::keys::RELAY, "HoldDelay", door);
        self.config.get(&key).and_then(|v| v.trim().parse().ok()).unwrap_or(5)
    }
}

/// Index of a door in the relay and input arrays.
pub(crate) fn door_index(door: Door) -> usize {
    match door {
        Door::A => 0,
        Door::B => 1,
        Door::C => 2,
    }
}

/// `YYYY-MM-DD` and `HH:MM:SS` of a Unix time (UTC).
pub(crate) fn date_time(unix: Duration) -> (String, String) {
    let secs = unix.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mo <= 2);
    (format!("{y:04}-{mo:02}-{d:02}"), format!("{h:02}:{m:02}:{s:02}"))
}

/// The configuration a fresh simulated device holds (the seed's examples, L736-2836).
const DEFAULT_CONFIG: &[(&str, &str)] = &[
    ("Config.Account1.ADVANCED.ShowMissedCall", "1"),
    ("Config.Account1.ANONYMOUS_CALL.Enable", "0"),
    ("Config.Account1.AUTO_ANSWER.Enable", "0"),
    ("Config.Account1.GENERAL.Enable", "1"),
    ("Config.Account1.GENERAL.AuthName", "141"),
    ("Config.Account1.GENERAL.UserName", "141"),
    ("Config.Account1.GENERAL.Pwd", "141secret"),
    ("Config.Account1.GENERAL.DisplayName", "Door"),
    ("Config.Account1.GENERAL.Label", "141"),
    ("Config.Account1.SIP.Server", "192.168.1.115"),
    ("Config.Account1.SIP.Port", "5060"),
    ("Config.Account1.SIP.TransType", "0"),
    ("Config.Account2.GENERAL.Enable", "0"),
    ("Config.Account2.GENERAL.UserName", ""),
    ("Config.Account2.SIP.Server", ""),
    ("Config.Account2.SIP.Port", "5060"),
    ("Config.DoorSetting.CLOUDSERVER.Enable", "0"),
    ("Config.DoorSetting.CLOUDSERVER.RpsEnable", "1"),
    ("Config.DoorSetting.CLOUDSERVER.RpsServer", "http://rps.akuvox.com:8080/redirect?mac="),
    ("Config.DoorSetting.CLOUDSERVER.Server", ""),
    ("Config.DoorSetting.RELAY.TypeA", "0"),
    ("Config.DoorSetting.RELAY.TypeB", "0"),
    ("Config.DoorSetting.RELAY.TypeC", "0"),
    ("Config.DoorSetting.RELAY.HoldDelayA", "5"),
    ("Config.DoorSetting.RELAY.HoldDelayB", "5"),
    ("Config.DoorSetting.RELAY.HoldDelayC", "5"),
    ("Config.DoorSetting.RELAY.TriggerDelayA", "0"),
    ("Config.DoorSetting.RELAY.TriggerDelayB", "0"),
    ("Config.DoorSetting.RELAY.TriggerDelayC", "0"),
    ("Config.DoorSetting.RELAY.NameA", "RelayA"),
    ("Config.DoorSetting.RELAY.NameB", "RelayB"),
    ("Config.DoorSetting.RELAY.NameC", "RelayC"),
    ("Config.DoorSetting.DTMF.Enable", "1"),
    ("Config.DoorSetting.DTMF.Option", "0"),
    ("Config.DoorSetting.DTMF.Code1", "0"),
    ("Config.DoorSetting.INPUT.EnableA", "1"),
    ("Config.DoorSetting.INPUT.EnableB", "1"),
    ("Config.DoorSetting.INPUT.EnableC", "1"),
    ("Config.DoorSetting.INPUT.OptionA", "0"),
    ("Config.DoorSetting.INPUT.DelayA", "0"),
    ("Config.DoorSetting.INPUT.RelayIdA", "1"),
    ("Config.DoorSetting.INPUT.RelayIdB", "2"),
    ("Config.DoorSetting.INPUT.RelayIdC", "3"),
    ("Config.DoorSetting.INPUT.ActionUrlA", ""),
    ("Config.DoorSetting.Action.CallNum", ""),
    ("Config.DoorSetting.PASSWORD.PublicKeyEnable", "1"),
    ("Config.DoorSetting.PASSWORD.PublicKey1", "33333333"),
    ("Config.DoorSetting.PASSWORD.PublicKey2", "66666666"),
    ("Config.DoorSetting.PASSWORD.PublicKey3", "88888888"),
    ("Config.DoorSetting.PASSWORD.PublicKeyBitsLimit", "0"),
    ("Config.Settings.LOGLEVEL.Level", "3"),
];

/// The key prefixes each per-module view (`relay.get`, `input.get`, ...) covers.
pub(crate) fn module_prefixes(module: &str) -> &'static [&'static str] {
    match module {
        "relay" => &["Config.DoorSetting.RELAY.", "Config.DoorSetting.DTMF."],
        "input" => &["Config.DoorSetting.INPUT.", "Config.DoorSetting.Action."],
        "publiccode" => &["Config.DoorSetting.PASSWORD."],
        "sip" => &["Config.Account1.", "Config.Account2."],
        "log" => &["Config.Settings.LOGLEVEL."],
        _ => &["Config."],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(date_time(Duration::from_secs(1_544_336_389)), ("2018-12-09".into(), "06:19:49".into()));
        assert_eq!(date_time(Duration::ZERO), ("1970-01-01".into(), "00:00:00".into()));
    }
}
