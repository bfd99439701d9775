//! Values the device sends as JSON strings, typed on our side with the raw text kept: a flag
//! (`"0"`/`"1"`), a set of doors (`"123"`), a time of day (`"08:30"`). Each also accepts a JSON
//! number where the seed drifts (`Status` 2 against `"2"`), and keeps whatever else a device
//! sends so that it can be written back unchanged.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Reads a JSON string or number as its text (`"1"`, `1` → `"1"`); `null` as `""`.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    watchpost_core::codec::lenient::text(d)
}

/// A `"0"`/`"1"` switch (a weekday of a key, an enable flag).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Flag {
    /// `"0"`.
    #[default]
    Off,
    /// `"1"`.
    On,
    /// Anything else the device sent, kept as sent.
    Other(String),
}

impl Flag {
    /// `On` for `true`, `Off` for `false`.
    pub fn from_bool(on: bool) -> Self {
        if on {
            Flag::On
        } else {
            Flag::Off
        }
    }

    /// `Some(true)` for `"1"`, `Some(false)` for `"0"`, `None` for anything else.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Flag::Off => Some(false),
            Flag::On => Some(true),
            Flag::Other(_) => None,
        }
    }

    /// The wire text.
    pub fn as_str(&self) -> &str {
        match self {
            Flag::Off => "0",
            Flag::On => "1",
            Flag::Other(s) => s,
        }
    }

    fn parse(s: String) -> Self {
        match s.trim() {
            "0" => Flag::Off,
            "1" => Flag::On,
            _ => Flag::Other(s),
        }
    }
}

impl Serialize for Flag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        text(d).map(Flag::parse)
    }
}

/// One of the device's three doors (relays / inputs A, B, C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Door {
    /// Door (relay, input) A: `1` on the wire.
    A,
    /// Door B: `2`.
    B,
    /// Door C: `3`.
    C,
}

impl Door {
    /// Every door, A first.
    pub const ALL: [Door; 3] = [Door::A, Door::B, Door::C];

    /// The wire number (`1`, `2`, `3`).
    pub fn number(self) -> u32 {
        match self {
            Door::A => 1,
            Door::B => 2,
            Door::C => 3,
        }
    }

    /// The door of a wire number.
    pub fn from_number(n: u32) -> Option<Door> {
        match n {
            1 => Some(Door::A),
            2 => Some(Door::B),
            3 => Some(Door::C),
            _ => None,
        }
    }

    /// The letter of config keys (`RELAY.TypeA`).
    pub fn letter(self) -> char {
        match self {
            Door::A => 'A',
            Door::B => 'B',
            Door::C => 'C',
        }
    }
}

/// The doors a key opens: the `DoorNum` text, a digit per door (`"1"`, `"123"`), kept as sent.
/// `"0"` (in the seed's examples, L1486, undocumented) is kept and opens no door we know of.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Doors(String);

impl Doors {
    /// The text for these doors (`[A, C]` → `"13"`).
    pub fn of(doors: &[Door]) -> Self {
        let mut ds = doors.to_vec();
        ds.sort();
        ds.dedup();
        Doors(ds.iter().map(|d| char::from(b'0' + d.number() as u8)).collect())
    }

    /// The raw text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The doors named, ignoring characters that are not 1-3.
    pub fn doors(&self) -> Vec<Door> {
        let mut out: Vec<Door> = self.0.chars().filter_map(|c| c.to_digit(10).and_then(Door::from_number)).collect();
        out.sort();
        out.dedup();
        out
    }

    /// Whether `door` is named.
    pub fn contains(&self, door: Door) -> bool {
        self.doors().contains(&door)
    }
}

impl From<&str> for Doors {
    fn from(s: &str) -> Self {
        Doors(s.to_owned())
    }
}

impl Serialize for Doors {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Doors {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        text(d).map(Doors)
    }
}

/// A time of day `"HH:MM"` (a key's `TimeStart`/`TimeEnd`), kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TimeOfDay(String);

impl TimeOfDay {
    /// `HH:MM` from an hour (0-23) and a minute (0-59); `None` out of range.
    pub fn new(hour: u8, minute: u8) -> Option<Self> {
        (hour < 24 && minute < 60).then(|| TimeOfDay(format!("{hour:02}:{minute:02}")))
    }

    /// The raw text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Hour and minute, or `None` when the text is not `H:MM`/`HH:MM` in range.
    pub fn hour_minute(&self) -> Option<(u8, u8)> {
        let (h, m) = self.0.trim().split_once(':')?;
        let (h, m) = (h.parse::<u8>().ok()?, m.parse::<u8>().ok()?);
        (h < 24 && m < 60).then_some((h, m))
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        text(d).map(TimeOfDay)
    }
}

/// The seven weekday flags of a key (`Mon` .. `Sun`), each `"1"` when the key works that day.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Weekdays {
    /// Monday.
    #[serde(rename = "Mon", default, skip_serializing_if = "Option::is_none")]
    pub mon: Option<Flag>,
    /// Tuesday.
    #[serde(rename = "Tue", default, skip_serializing_if = "Option::is_none")]
    pub tue: Option<Flag>,
    /// Wednesday.
    #[serde(rename = "Wed", default, skip_serializing_if = "Option::is_none")]
    pub wed: Option<Flag>,
    /// Thursday (`Thur` on the wire).
    #[serde(rename = "Thur", default, skip_serializing_if = "Option::is_none")]
    pub thu: Option<Flag>,
    /// Friday.
    #[serde(rename = "Fri", default, skip_serializing_if = "Option::is_none")]
    pub fri: Option<Flag>,
    /// Saturday.
    #[serde(rename = "Sat", default, skip_serializing_if = "Option::is_none")]
    pub sat: Option<Flag>,
    /// Sunday.
    #[serde(rename = "Sun", default, skip_serializing_if = "Option::is_none")]
    pub sun: Option<Flag>,
}

impl Weekdays {
    /// Every day on.
    pub fn every_day() -> Self {
        let on = || Some(Flag::On);
        Weekdays { mon: on(), tue: on(), wed: on(), thu: on(), fri: on(), sat: on(), sun: on() }
    }

    /// The flags Monday first (`None` where the device sent nothing or something else).
    pub fn as_bools(&self) -> [Option<bool>; 7] {
        let b = |f: &Option<Flag>| f.as_ref().and_then(Flag::as_bool);
        [b(&self.mon), b(&self.tue), b(&self.wed), b(&self.thu), b(&self.fri), b(&self.sat), b(&self.sun)]
    }
}

/// Serde helpers for `Option<String>` members that the device may send as numbers: a string is
/// kept as sent (blank included), a number or boolean becomes its text, `null` is `None`.
pub(crate) mod opt_text {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use serde_json::Value;

    pub(crate) fn serialize<S: Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => Ok(Some(v.to_string())),
            Some(_) => Err(D::Error::custom("expected a string or a number")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_keep_what_they_do_not_know() {
        let f: Vec<Flag> = serde_json::from_str(r#"["0","1",1,"2",null]"#).unwrap();
        assert_eq!(f, vec![Flag::Off, Flag::On, Flag::On, Flag::Other("2".into()), Flag::Other(String::new())]);
        assert_eq!(serde_json::to_string(&Flag::Other("x".into())).unwrap(), r#""x""#);
    }

    #[test]
    fn doors_parse_and_print() {
        let d: Doors = serde_json::from_str(r#""312""#).unwrap();
        assert_eq!(d.doors(), vec![Door::A, Door::B, Door::C]);
        assert_eq!(d.as_str(), "312");
        assert!(Doors::from("0").doors().is_empty());
        assert_eq!(Doors::of(&[Door::C, Door::A, Door::C]).as_str(), "13");
    }

    #[test]
    fn times_of_day() {
        assert_eq!(TimeOfDay::from_wire("08:30").hour_minute(), Some((8, 30)));
        assert_eq!(TimeOfDay::from_wire("24:00").hour_minute(), None);
        assert_eq!(TimeOfDay::from_wire("nonsense").hour_minute(), None);
        assert_eq!(TimeOfDay::new(7, 5).unwrap().as_str(), "07:05");
    }

    impl TimeOfDay {
        fn from_wire(s: &str) -> Self {
            serde_json::from_value(serde_json::Value::String(s.into())).unwrap()
        }
    }
}
