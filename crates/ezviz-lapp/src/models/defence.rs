//! Arming and disarming (1.1, `defence` of 1.20) and the arming schedule (1.10, 1.11).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use watchpost_core::codec::lenient;
use watchpost_core::codec::param::ToParam;

/// The arming state to set (`isDefence` of 1.1).
///
/// An A1 hub takes 0 Sleep, 8 Home, 16 Away; every other device takes 0 Disarm, 1 Arm. `Sleep`
/// and `Disarm` are both sent as `0`: the service reads it by device type.
///
/// Serialized by name (`"home"`); read from a name or a wire number (`0` reads as `Disarm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DefenceMode {
    /// A1 hub: 0, sleep.
    Sleep,
    /// A1 hub: 8, at home.
    Home,
    /// A1 hub: 16, away (outing).
    Away,
    /// Other devices: 0, disarmed.
    Disarm,
    /// Other devices: 1, armed.
    Arm,
}

impl DefenceMode {
    /// The wire value.
    pub fn value(self) -> u32 {
        match self {
            DefenceMode::Sleep | DefenceMode::Disarm => 0,
            DefenceMode::Arm => 1,
            DefenceMode::Home => 8,
            DefenceMode::Away => 16,
        }
    }

    /// Whether this is a mode of an A1 hub (Sleep, Home, Away).
    pub fn is_hub_mode(self) -> bool {
        matches!(self, DefenceMode::Sleep | DefenceMode::Home | DefenceMode::Away)
    }
}

impl ToParam for DefenceMode {
    fn to_param(&self) -> String {
        self.value().to_string()
    }
}

impl<'de> Deserialize<'de> for DefenceMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = lenient::string::deserialize(d)?;
        Ok(match text.trim().to_ascii_lowercase().as_str() {
            "sleep" => DefenceMode::Sleep,
            "home" | "8" => DefenceMode::Home,
            "away" | "outing" | "16" => DefenceMode::Away,
            "disarm" | "0" => DefenceMode::Disarm,
            "arm" | "1" => DefenceMode::Arm,
            other => {
                return Err(serde::de::Error::custom(format!(
                    "unknown defence mode {other:?} (sleep, home, away, disarm, arm, or 0, 1, 8, 16)"
                )))
            }
        })
    }
}

/// The arming state a device reports (`defence` of 1.20), kept raw because its meaning depends on
/// the device: on an A1 hub 0 is Sleep, 8 Home, 16 Away; on a camera 0 is disarmed, 1 armed.
///
/// ```
/// use ezviz_lapp::models::{DefenceMode, DefenceValue};
/// assert_eq!(DefenceValue(8).as_hub(), Some(DefenceMode::Home));
/// assert_eq!(DefenceValue(8).as_camera(), None);
/// assert_eq!(DefenceValue(0).as_camera(), Some(DefenceMode::Disarm));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DefenceValue(#[serde(with = "lenient::int")] pub u32);

impl DefenceValue {
    /// The value read as an A1 hub's mode (0 Sleep, 8 Home, 16 Away).
    pub fn as_hub(self) -> Option<DefenceMode> {
        match self.0 {
            0 => Some(DefenceMode::Sleep),
            8 => Some(DefenceMode::Home),
            16 => Some(DefenceMode::Away),
            _ => None,
        }
    }

    /// The value read as a camera's state (0 disarmed, 1 armed).
    pub fn as_camera(self) -> Option<DefenceMode> {
        match self.0 {
            0 => Some(DefenceMode::Disarm),
            1 => Some(DefenceMode::Arm),
            _ => None,
        }
    }
}

/// A time of day in an arming schedule: `H:MM` or `HH:MM`, with the prefix `n` for the next day
/// (`n00:00` is midnight at the end of the day).
///
/// ```
/// use ezviz_lapp::models::ScheduleTime;
/// let t: ScheduleTime = "6:00".parse().unwrap();
/// assert_eq!((t.hour(), t.minute(), t.is_next_day()), (6, 0, false));
/// assert_eq!(t.to_string(), "06:00");
/// assert_eq!("n00:00".parse::<ScheduleTime>().unwrap(), ScheduleTime::next_day_at(0, 0).unwrap());
/// assert!("24:00".parse::<ScheduleTime>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScheduleTime {
    next_day: bool,
    hour: u8,
    minute: u8,
}

impl ScheduleTime {
    /// 00:00 of the same day, the service's default start time.
    pub const MIDNIGHT: ScheduleTime = ScheduleTime { next_day: false, hour: 0, minute: 0 };

    /// `hour:minute` of the same day; `None` unless `hour < 24` and `minute < 60`.
    pub fn at(hour: u8, minute: u8) -> Option<Self> {
        (hour < 24 && minute < 60).then_some(ScheduleTime { next_day: false, hour, minute })
    }

    /// `hour:minute` of the next day (`n` prefix); `None` unless `hour < 24` and `minute < 60`.
    pub fn next_day_at(hour: u8, minute: u8) -> Option<Self> {
        Self::at(hour, minute).map(|t| ScheduleTime { next_day: true, ..t })
    }

    /// The hour, 0 to 23.
    pub fn hour(self) -> u8 {
        self.hour
    }

    /// The minute, 0 to 59.
    pub fn minute(self) -> u8 {
        self.minute
    }

    /// Whether the time is on the next day (`n` prefix).
    pub fn is_next_day(self) -> bool {
        self.next_day
    }

    /// Minutes since the start of the schedule's day (the next day counts from 1440).
    pub fn minutes(self) -> u32 {
        u32::from(self.next_day) * 1440 + u32::from(self.hour) * 60 + u32::from(self.minute)
    }
}

impl fmt::Display for ScheduleTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.next_day {
            f.write_str("n")?;
        }
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

impl FromStr for ScheduleTime {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let (next_day, rest) = match text.strip_prefix(['n', 'N']) {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let bad = || format!("invalid schedule time {text:?} (expected H:MM, HH:MM or nHH:MM)");
        let (h, m) = rest.split_once(':').ok_or_else(bad)?;
        let digits = |p: &str, max_len: usize| {
            (!p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse::<u8>().ok())
                .flatten()
        };
        let (Some(hour), Some(minute)) = (digits(h, 2), digits(m, 2).filter(|_| m.len() == 2)) else {
            return Err(bad());
        };
        let t = if next_day { Self::next_day_at(hour, minute) } else { Self::at(hour, minute) };
        t.ok_or_else(bad)
    }
}

impl Serialize for ScheduleTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ScheduleTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

impl ToParam for ScheduleTime {
    fn to_param(&self) -> String {
        self.to_string()
    }
}

/// A day of the week as the schedule numbers it: **0 is Monday**, 6 is Sunday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Weekday {
    /// 0.
    Monday,
    /// 1.
    Tuesday,
    /// 2.
    Wednesday,
    /// 3.
    Thursday,
    /// 4.
    Friday,
    /// 5.
    Saturday,
    /// 6.
    Sunday,
}

impl Weekday {
    /// Monday to Sunday.
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    /// The schedule's number of the day (Monday 0).
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The day for a schedule number (0 Monday to 6 Sunday).
    pub fn from_number(n: u8) -> Option<Self> {
        Self::ALL.get(usize::from(n)).copied()
    }
}

/// A set of days (`period` of 1.10/1.11), written as the comma-separated numbers `0,1,6`.
///
/// ```
/// use ezviz_lapp::models::{Weekday, Weekdays};
/// let days: Weekdays = "0,1,6".parse().unwrap();
/// assert!(days.contains(Weekday::Monday) && days.contains(Weekday::Sunday));
/// assert_eq!(days, Weekdays::from_iter([Weekday::Sunday, Weekday::Monday, Weekday::Tuesday]));
/// assert_eq!(days.to_string(), "0,1,6");
/// assert_eq!(Weekdays::every_day().to_string(), "0,1,2,3,4,5,6");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Weekdays(u8);

impl Weekdays {
    /// No day.
    pub fn none() -> Self {
        Weekdays(0)
    }

    /// Every day of the week.
    pub fn every_day() -> Self {
        Weekdays(0x7f)
    }

    /// This set with `day` added.
    #[must_use]
    pub fn with(self, day: Weekday) -> Self {
        Weekdays(self.0 | 1 << day.number())
    }

    /// Whether `day` is in the set.
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.number()) != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The days, Monday first.
    pub fn days(self) -> impl Iterator<Item = Weekday> {
        Weekday::ALL.into_iter().filter(move |d| self.contains(*d))
    }
}

impl FromIterator<Weekday> for Weekdays {
    fn from_iter<I: IntoIterator<Item = Weekday>>(iter: I) -> Self {
        iter.into_iter().fold(Weekdays::none(), Weekdays::with)
    }
}

impl fmt::Display for Weekdays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        for d in self.days() {
            write!(f, "{sep}{}", d.number())?;
            sep = ",";
        }
        Ok(())
    }
}

impl FromStr for Weekdays {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<u8>()
                    .ok()
                    .and_then(Weekday::from_number)
                    .ok_or_else(|| format!("invalid day {p:?} in period {s:?} (expected 0 Monday to 6 Sunday)"))
            })
            .collect()
    }
}

impl Serialize for Weekdays {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Weekdays {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Text(String),
            List(Vec<u8>),
        }
        match Form::deserialize(d)? {
            Form::Text(s) => s.parse().map_err(serde::de::Error::custom),
            Form::List(days) => days
                .into_iter()
                .map(|n| Weekday::from_number(n).ok_or_else(|| serde::de::Error::custom(format!("invalid day {n}"))))
                .collect(),
        }
    }
}

impl ToParam for Weekdays {
    fn to_param(&self) -> String {
        self.to_string()
    }
}

/// An arming (action detection) schedule (1.10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefencePlan {
    /// Start time (the service's default is 00:00).
    #[serde(default, with = "super::opt_text")]
    pub start_time: Option<ScheduleTime>,
    /// End time; `n00:00` is midnight at the end of the day.
    #[serde(default, with = "super::opt_text")]
    pub stop_time: Option<ScheduleTime>,
    /// Days of the week the schedule applies to.
    #[serde(default)]
    pub period: Option<Weekdays>,
    /// Whether the schedule is enabled.
    #[serde(default, with = "lenient::opt_bool01")]
    pub enable: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_times_parse_and_print() {
        for (text, printed) in [("6:00", "06:00"), ("23:20", "23:20"), ("n00:00", "n00:00"), (" 00:00 ", "00:00")] {
            assert_eq!(text.parse::<ScheduleTime>().unwrap().to_string(), printed);
        }
        for bad in ["", "6", "6:0", "6:000", "24:00", "12:60", "x1:00", "n", "-1:00", "1:-1"] {
            assert!(bad.parse::<ScheduleTime>().is_err(), "{bad:?}");
        }
        assert!(ScheduleTime::next_day_at(0, 0).unwrap() > ScheduleTime::at(23, 59).unwrap());
        assert_eq!(ScheduleTime::next_day_at(0, 0).unwrap().minutes(), 1440);
    }

    #[test]
    fn weekdays_start_on_monday() {
        let d: Weekdays = "6, 0".parse().unwrap();
        assert_eq!(d.days().collect::<Vec<_>>(), [Weekday::Monday, Weekday::Sunday]);
        assert_eq!("".parse::<Weekdays>().unwrap(), Weekdays::none());
        assert!("7".parse::<Weekdays>().is_err());
        let d: Weekdays = serde_json::from_str("[0,1,6]").unwrap();
        assert_eq!(d.to_param(), "0,1,6");
    }

    #[test]
    fn defence_modes_send_their_numbers() {
        let sent: Vec<String> =
            [DefenceMode::Sleep, DefenceMode::Home, DefenceMode::Away, DefenceMode::Disarm, DefenceMode::Arm]
                .iter()
                .map(ToParam::to_param)
                .collect();
        assert_eq!(sent, ["0", "8", "16", "0", "1"]);
        let m: DefenceMode = serde_json::from_str(r#""HOME""#).unwrap();
        assert_eq!(m, DefenceMode::Home);
        let m: DefenceMode = serde_json::from_str("16").unwrap();
        assert_eq!(m, DefenceMode::Away);
        assert!(serde_json::from_str::<DefenceMode>("2").is_err());
        assert_eq!(DefenceValue(16).as_hub(), Some(DefenceMode::Away));
        assert_eq!(DefenceValue(1).as_hub(), None);
    }
}
