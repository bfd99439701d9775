//! Hikvision CID (Contact ID) codes: every code of the seed's table A.3, with its description.
//!
//! A CID code is four digits. The **first** digit is the qualifier (`1` new event / trigger,
//! `3` restore) and the last three are the event code, as in `1103` / `3103` (the seed's prose
//! says the opposite; its examples and table A.3 put the qualifier first). The table does not
//! follow the rule everywhere (`1401` Disarming / `3401` Arming, `3602` Device Heartbeat Event,
//! `3441`/`3442` with no `1xxx`), so codes are looked up by their full four digits. Unknown codes
//! are kept as [`CidCode::Unknown`].
//!
//! ```
//! use hik_gateway::{CidCode, CidQualifier};
//! let c = CidCode::from_code("1103");
//! assert_eq!(c, CidCode::InstantAlarm);
//! assert_eq!(c.description(), Some("Instant Alarm"));
//! assert_eq!(c.qualifier(), Some(CidQualifier::Trigger));
//! assert_eq!(c.event_code(), Some(103));
//! assert_eq!(CidCode::from_code("1999"), CidCode::Unknown("1999".into()));
//! assert_eq!(CidCode::KNOWN.len(), 170);
//! ```

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The first digit of a CID code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CidQualifier {
    /// `1`: an event is triggered (new event, opening).
    Trigger,
    /// `3`: an event is restored (closing).
    Restore,
}

macro_rules! cid_codes {
    ($($variant:ident = $code:literal, $desc:literal;)+) => {
        /// A CID code of table A.3 (all 170 codes), or an unknown one kept as sent.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum CidCode {
            $(
                #[doc = concat!("`", $code, "`: ", $desc, ".")]
                $variant,
            )+
            /// A code the seed does not list, kept as sent.
            Unknown(String),
        }

        impl CidCode {
            /// Every code of table A.3, in table order.
            pub const KNOWN: &'static [CidCode] = &[$(CidCode::$variant),+];

            /// The code for its four-digit text (surrounding whitespace ignored).
            pub fn from_code(code: &str) -> Self {
                match code.trim() {
                    $($code => CidCode::$variant,)+
                    _ => CidCode::Unknown(code.to_owned()),
                }
            }

            /// The four-digit text.
            pub fn code(&self) -> &str {
                match self {
                    $(CidCode::$variant => $code,)+
                    CidCode::Unknown(c) => c,
                }
            }

            /// The description of table A.3 (`None` for an unknown code).
            pub fn description(&self) -> Option<&'static str> {
                match self {
                    $(CidCode::$variant => Some($desc),)+
                    CidCode::Unknown(_) => None,
                }
            }
        }
    };
}

cid_codes! {
    MedicalAlarm = "1100", "Medical Alarm";
    MedicalAlarmRestored = "3100", "Medical Alarm Restored";
    InstantAlarm = "1103", "Instant Alarm";
    InstantAlarmRestored = "3103", "Instant Alarm Restored";
    FireAlarm = "1110", "Fire Alarm";
    FireAlarmRestored = "3110", "Fire Alarm Restored";
    Duress = "1121", "Duress";
    H24SilentAlarm = "1122", "24H Silent Alarm";
    H24SilentAlarmRestored = "3122", "24H Silent Alarm Restored";
    H24AudibleAlarm = "1123", "24H Audible Alarm";
    H24AudibleAlarmRestored = "3123", "24H Audible Alarm Restored";
    H24AuxAlarm = "1124", "24H Aux Alarm";
    H24AuxAlarmRestored = "3124", "24H Aux Alarm Restored";
    H24ShockAlarm = "1125", "24H Shock Alarm";
    H24ShockAlarmRestored = "3125", "24H Shock Alarm Restored";
    OvertimeAlarm = "1126", "Overtime Alarm";
    OvertimeAlarmRestored = "3126", "Overtime Alarm Restored";
    PanicAlarm = "1129", "Panic Alarm";
    PanicAlarmRestored = "3129", "Panic Alarm Restored";
    BurglaryAlarm = "1130", "Burglary Alarm";
    BurglaryAlarmRestored = "3130", "Burglary Alarm Restored";
    PerimeterAlarm = "1131", "Perimeter Alarm";
    PerimeterAlarmRestored = "3131", "Perimeter Alarm Restored";
    InteriorAlarm = "1132", "Interior Alarm";
    InteriorAlarmRestored = "3132", "Interior Alarm Restored";
    DelayedAlarm = "1134", "Delayed Alarm";
    DelayedAlarmRestored = "3134", "Delayed Alarm Restored";
    DeviceTampered = "1137", "Device Tampered";
    DeviceTamperRestored = "3137", "Device Tamper Restored";
    BusOpenCircuitAlarm = "1141", "BUS Open-circuit Alarm";
    BusOpenCircuitRestored = "3141", "BUS Open-circuit Restored";
    BusShortCircuitAlarm = "1142", "BUS Short-circuit Alarm";
    BusShortCircuitRestored = "3142", "BUS Short-circuit Restored";
    DeviceMotionAlarm = "1148", "Device Motion Alarm";
    DeviceMotionAlarmRestored = "3148", "Device Motion Alarm Restored";
    GasLeakageAlarm = "1151", "Gas Leakage Alarm";
    GasLeakageAlarmRestored = "3151", "Gas Leakage Alarm Restored";
    ZonePreAlarm = "1207", "Zone Pre-Alarm";
    ZonePreAlarmRestored = "3207", "Zone Pre-Alarm Restored";
    AcPowerDown = "1301", "AC Power Down";
    AcPowerOn = "3301", "AC Power On";
    LowBattery = "1302", "Low Battery";
    NormalBattery = "3302", "Normal Battery";
    ControlPanelReset = "1305", "Control Panel Reset";
    ExpanderException = "1333", "Expander Exception";
    ExpanderRestored = "3333", "Expander Restored";
    PrinterDisconnected = "1336", "Printer Disconnected";
    PrinterConnected = "3336", "Printer Connected";
    ExpanderLowVoltage = "1338", "Expander Low Voltage";
    NormalExpanderVoltage = "3338", "Normal Expander Voltage";
    ExpanderTampered = "1341", "Expander Tampered";
    ExpanderTamperRestored = "3341", "Expander Restored";
    ExpanderAcPowerDown = "1342", "Expander AC Power Down";
    ExpanderAcPowerOn = "3342", "Expander AC Power On";
    WirelessRepeaterTampered = "1343", "Wireless Repeater Tampered";
    WirelessRepeaterRestored = "3343", "Wireless Repeater Restored";
    WirelessSirenTampered = "1344", "Wireless Siren Tampered";
    WirelessSirenRestored = "3344", "Wireless Siren Restored";
    WirelessSirenDisconnected = "1345", "Wireless Siren Disconnected";
    WirelessSirenConnected = "3345", "Wireless Siren Connected";
    TelephoneLineDisconnected = "1354", "Telephone Line Disconnected";
    TelephoneLineConnected = "3354", "Telephone Line Connected";
    BusSupervisionFault = "1382", "BUS Supervision Fault";
    BusSupervisionRestored = "3382", "BUS Supervision Restored";
    DetectorTampered = "1383", "Detector Tampered";
    DetectorTamperRestored = "3383", "Detector Tamper Restored";
    ZoneOpenCircuitAlarm = "1386", "Zone Open-circuit Alarm";
    ZoneShortCircuitAlarm = "1387", "Zone Short-circuit Alarm";
    Disarming = "1401", "Disarming";
    Arming = "3401", "Arming";
    AutoDisarming = "1403", "Auto Disarming";
    AutoArming = "3403", "Auto Arming";
    AlarmClearing = "1406", "Alarm Clearing";
    InstantArming = "3408", "Instant Arming";
    KeyZoneDisarming = "1409", "Key Zone Disarming";
    KeyZoneArming = "3409", "Key Zone Arming";
    StayArming = "3441", "Stay Arming";
    ForcedArming = "3442", "Forced Arming";
    TurnOnOutputBySchedule = "1443", "Turn On Output by Schedule";
    TurnOffOutputBySchedule = "3443", "Turn Off Output by Schedule";
    LateDisarming = "1452", "Late Disarming";
    AutoArmingFailed = "1455", "Auto Arming Failed";
    TurningOnOutputFailed = "1460", "Turning On Output Failed";
    TurningOffOutputFailed = "1461", "Turning Off Output Failed";
    AutoDisarmingFailed = "1462", "Auto Disarming Failed";
    Bypass = "1570", "Bypass";
    BypassRestored = "3570", "Bypass Restored";
    GroupBypass = "1574", "Group Bypass";
    GroupBypassRestored = "3574", "Group Bypass Restored";
    ManualReportTest = "1601", "Manual Report Test";
    PeriodicReportTest = "1602", "Periodic Report Test";
    DeviceHeartbeatEvent = "3602", "Device Heartbeat Event";
    TelephoneConnectionTest = "1617", "Telephone Connection Test";
    EnterProgramming = "1627", "Enter Programming";
    ExitProgramming = "1628", "Exit Programming";
    VirtualZonePanicAlarm = "1810", "Virtual Zone Panic Alarm";
    VirtualZoneFireAlarm = "1811", "Virtual Zone Fire Alarm";
    VirtualZoneBurglaryAlarm = "1812", "Virtual Zone Burglary Alarm";
    VirtualZoneMedicalAlarm = "1847", "Virtual Zone Medical Alarm";
    KeypadLocked = "1862", "Keypad Locked";
    KeypadUnlocked = "3862", "Keypad Unlocked";
    AbsenceAlarm = "1863", "Absence Alarm";
    KeypadDisconnected = "1910", "Keypad Disconnected";
    KeypadConnected = "3910", "Keypad Connected";
    KbusRelayDisconnected = "1911", "KBUS Relay Disconnected";
    KbusRelayConnected = "3911", "KBUS Relay Connected";
    KbusGpKDisconnected = "1912", "KBUS GP/K Disconnected";
    KbusGpKConnected = "3912", "KBUS GP/K Connected";
    KbusMnKDisconnected = "1913", "KBUS MN/K Disconnected";
    KbusMnKConnected = "3913", "KBUS MN/K Connected";
    WirelessDetectorDisconnected = "1914", "Wireless Detector Disconnected";
    WirelessDetectorConnected = "3914", "Wireless Detector Connected";
    WirelessDetectorLowBattery = "1915", "Wireless Detector Low Battery";
    NormalWirelessDetectorBattery = "3915", "Normal Wireless Detector Battery";
    ExpanderDisconnected = "1916", "Expander Disconnected";
    ExpanderConnected = "3916", "Expander Connected";
    WirelessRepeaterDisconnected = "1917", "Wireless Repeater Disconnected";
    WirelessRepeaterConnected = "3917", "Wireless Repeater Connected";
    RadarTransmitterFault = "1918", "Radar Transmitter Fault";
    RadarTransmitterRestored = "3918", "Radar Transmitter Restored";
    WirelessSirenLowBattery = "1919", "Wireless Siren Low Battery";
    NormalWirelessSirenBattery = "3919", "Normal Wireless Siren Battery";
    CellularDataNetworkDisconnected = "1920", "Cellular Data Network Disconnected";
    CellularDataNetworkConnected = "3920", "Cellular Data Network Connected";
    SimCardException = "1921", "SIM Card Exception";
    SimCardRestored = "3921", "SIM Card Restored";
    WiFiCommunicationFault = "1922", "Wi-Fi Communication Fault";
    WiFiConnected = "3922", "Wi-Fi Connected";
    RfSignalException = "1923", "RF Signal Exception";
    NormalRfSignal = "3923", "Normal RF Signal";
    NetworkFlowExceeded = "1924", "Network Flow Exceeded";
    IpAddressConflicted = "1930", "IP Address Conflicted";
    NormalIpAddress = "3930", "Normal IP address";
    WiredNetworkException = "1931", "Wired Network Exception";
    NormalWiredNetwork = "3931", "Normal Wired Network";
    MotionDetectionAlarmStarted = "1940", "Motion Detection Alarm Started";
    MotionDetectionAlarmStopped = "3940", "Motion Detection Alarm Stopped";
    TamperingAlarmStarted = "1941", "Tampering Alarm Started";
    TamperingAlarmStopped = "3941", "Tampering Alarm Stopped";
    VideoSignalLoss = "1942", "Video Signal Loss";
    VideoSignalRestored = "3942", "Video Signal Restored";
    InputOutputFormatUnmatched = "1943", "Input/Output Format Unmatched";
    InputOutputFormatRestored = "3943", "Input/Output Format Restored";
    VideoInputException = "1944", "Video Input Exception";
    VideoInputRestored = "3944", "Video Input Restored";
    FullHdd = "1945", "Full HDD";
    FreeHdd = "3945", "Free HDD";
    HddException = "1946", "HDD Exception";
    HddRestored = "3946", "HDD Restored";
    UploadPictureFailed = "1947", "Upload Picture Failed";
    SendingEmailFailed = "1948", "Sending Email Failed.";
    NetworkCameraDisconnected = "1949", "Network Camera Disconnected.";
    NetworkCameraConnected = "3949", "Network Camera Connected.";
    DutyChecking = "1960", "Duty Checking";
    PostResponse = "1961", "Post Response";
    BusQuery = "1970", "BUS Query";
    BusRegistration = "1971", "BUS Registration";
    SingleZoneDisarming = "1973", "Single-Zone Disarming";
    SingleZoneArming = "3973", "Single-Zone Arming";
    SingleZoneAlarmCleared = "1974", "Single-Zone Alarm Cleared";
    DeleteDetector = "1975", "Delete Detector";
    AddDetector = "3975", "Add Detector";
    BusinessConsulting = "1976", "Business Consulting";
    BusinessConsultingOver = "3976", "Business Consulting Over";
    DeleteExpander = "1977", "Delete Expander";
    AddExpander = "3977", "Add Expander";
    DeleteWirelessRepeater = "1978", "Delete Wireless Repeater";
    AddWirelessRepeater = "3978", "Add Wireless Repeater";
    DeleteWirelessSiren = "1979", "Delete Wireless Siren";
    AddWirelessSiren = "3979", "Add Wireless Siren";
}

impl CidCode {
    /// Whether the code is one of table A.3.
    pub fn is_known(&self) -> bool {
        !matches!(self, CidCode::Unknown(_))
    }

    /// The qualifier digit (`1` trigger, `3` restore), when the code is four digits starting
    /// with one of them. Table A.3 does not always mean "restore" by `3` (`3401` is Arming).
    pub fn qualifier(&self) -> Option<CidQualifier> {
        let c = self.code().trim();
        if c.len() != 4 || !c.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match c.as_bytes().first() {
            Some(b'1') => Some(CidQualifier::Trigger),
            Some(b'3') => Some(CidQualifier::Restore),
            _ => None,
        }
    }

    /// The last three digits (the Contact ID event code), when the code is four digits.
    pub fn event_code(&self) -> Option<u16> {
        let c = self.code().trim();
        if c.len() != 4 {
            return None;
        }
        c.get(1..).and_then(|s| s.parse().ok())
    }
}

impl fmt::Display for CidCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.description() {
            Some(d) => write!(f, "{} {}", self.code(), d),
            None => write!(f, "{} (unknown CID code)", self.code()),
        }
    }
}

impl Serialize for CidCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for CidCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        watchpost_core::codec::lenient::text(d).map(|s| CidCode::from_code(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Table A.3 of the seed, as (code, description) lines, extracted from the seed text.
    const TABLE: &str = include_str!("../tests/data/cid_table.txt");

    #[test]
    fn every_code_of_the_seed_table_is_typed_with_its_description() {
        let mut n = 0;
        for line in TABLE.lines().filter(|l| !l.trim().is_empty()) {
            let (code, desc) = line.split_once('\t').unwrap();
            let c = CidCode::from_code(code);
            assert!(c.is_known(), "{code}");
            assert_eq!(c.code(), code);
            assert_eq!(c.description(), Some(desc), "{code}");
            n += 1;
        }
        assert_eq!(n, 170);
        assert_eq!(CidCode::KNOWN.len(), 170);
        let unique: std::collections::HashSet<_> = CidCode::KNOWN.iter().map(|c| c.code()).collect();
        assert_eq!(unique.len(), 170);
    }

    #[test]
    fn qualifier_and_event_code() {
        assert_eq!(CidCode::BypassRestored.qualifier(), Some(CidQualifier::Restore));
        assert_eq!(CidCode::BypassRestored.event_code(), Some(570));
        assert_eq!(CidCode::Arming.code(), "3401");
        assert_eq!(CidCode::from_code(" 3602 "), CidCode::DeviceHeartbeatEvent);
        assert_eq!(CidCode::from_code("abc").qualifier(), None);
        assert_eq!(CidCode::from_code("").event_code(), None);
    }

    #[test]
    fn serde_reads_text_or_number_and_keeps_unknown_codes() {
        let c: CidCode = serde_json::from_str("1103").unwrap();
        assert_eq!(c, CidCode::InstantAlarm);
        let u: CidCode = serde_json::from_str("\"9999\"").unwrap();
        assert_eq!(u, CidCode::Unknown("9999".into()));
        assert_eq!(serde_json::to_string(&u).unwrap(), "\"9999\"");
        assert_eq!(CidCode::InstantAlarm.to_string(), "1103 Instant Alarm");
    }
}
