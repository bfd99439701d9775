//! Shapes shared by many responses: the paginated list, timestamps, lenient numbers.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A paginated list: `{"meta": {...}, "objects": [...]}`.
///
/// The seed's tables list the meta fields flat and type `next`/`previous` as strings, while every
/// example nests them in `meta` and sets them to `null`; `next` is `null` even when more pages
/// exist (L546), so never rely on it: [`Client::paginate`](crate::Client::paginate) advances by
/// `skip += objects.len()` instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// Totals and the position of this page.
    #[serde(default)]
    pub meta: PageMeta,
    /// The items of this page.
    #[serde(default = "Vec::new")]
    pub objects: Vec<T>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page { meta: PageMeta::default(), objects: Vec::new() }
    }
}

/// The `meta` member of a paginated list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageMeta {
    /// The total number of records.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
    pub total: Option<u64>,
    /// The number of records requested for this page.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
    pub limit: Option<u64>,
    /// The number of records skipped before this page.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
    pub skip: Option<u64>,
    /// The address of the next page (often `null`, even when there is one).
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub next: Option<String>,
    /// The address of the previous page.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub previous: Option<String>,
}

/// A Unix timestamp in seconds, possibly fractional.
///
/// Documented as integers, timestamps arrive as integers (`1517384243`), floats
/// (`1517384124.229`, online and command records) or numeric strings; all are read. Written as an
/// integer when whole, else as a float.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Timestamp(pub f64);

impl Timestamp {
    /// A timestamp from whole seconds.
    pub fn from_secs(secs: i64) -> Self {
        // i64 seconds fit f64 exactly up to 2^53, far beyond any real timestamp.
        Timestamp(secs as f64)
    }

    /// Whole seconds since the Unix epoch (fraction dropped).
    pub fn as_secs(&self) -> i64 {
        self.0.trunc() as i64
    }

    /// Milliseconds since the Unix epoch (rounded).
    pub fn as_millis(&self) -> i64 {
        (self.0 * 1000.0).round() as i64
    }

    /// Time since the Unix epoch, `None` before 1970 or when not finite.
    pub fn since_epoch(&self) -> Option<Duration> {
        Duration::try_from_secs_f64(self.0).ok()
    }

    /// As a [`SystemTime`], `None` before 1970 or when not finite.
    pub fn to_system_time(&self) -> Option<SystemTime> {
        self.since_epoch().and_then(|d| UNIX_EPOCH.checked_add(d))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.fract() == 0.0 {
            write!(f, "{}", self.0 as i64)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() < 9.0e15 {
            serializer.serialize_i64(self.0 as i64)
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NumberVisitor("a Unix timestamp in seconds")).map(Timestamp)
    }
}

/// Reads an `f64` from a JSON number or a numeric string.
pub(crate) struct NumberVisitor(pub(crate) &'static str);

impl Visitor<'_> for NumberVisitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        v.trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

/// Serde adapter for `Option<Timestamp>`: `null`, `""` and a missing field read as `None`.
pub(crate) mod opt_timestamp {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(t) => t.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        opt_f64::deserialize(d).map(|v| v.map(Timestamp))
    }
}

/// Serde adapter for `Option<f64>` read from a number or numeric string (`null`/`""` as `None`).
pub(crate) mod opt_f64 {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(n) => s.serialize_f64(*n),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        struct OptVisitor;
        impl<'de> Visitor<'de> for OptVisitor {
            type Value = Option<f64>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, a numeric string or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
                d.deserialize_any(self)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Some(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Some(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Some(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                if v.trim().is_empty() {
                    return Ok(None);
                }
                NumberVisitor("a number").visit_str(v).map(Some)
            }
        }
        d.deserialize_option(OptVisitor)
    }
}

/// Serde adapter for a `u64` count that may be missing, `null`, a number or a numeric string
/// (missing and `null` read as 0).
pub(crate) mod count {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(*v)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let v: Option<u64> = watchpost_core::codec::lenient::opt_int::deserialize(d)?;
        Ok(v.unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_every_form_and_write_integers_when_whole() {
        let t: Timestamp = serde_json::from_str("1517384124.229").unwrap();
        assert_eq!(t.as_secs(), 1_517_384_124);
        assert_eq!(t.as_millis(), 1_517_384_124_229);
        assert_eq!(serde_json::from_str::<Timestamp>("\"1517384243\"").unwrap().as_secs(), 1_517_384_243);
        assert_eq!(serde_json::to_string(&Timestamp::from_secs(1_517_384_243)).unwrap(), "1517384243");
        assert_eq!(serde_json::to_string(&t).unwrap(), "1517384124.229");
        assert!(serde_json::from_str::<Timestamp>("\"soon\"").is_err());
        assert!(Timestamp(-1.0).to_system_time().is_none());
        assert!(Timestamp(1e300).since_epoch().is_none() && Timestamp(f64::NAN).since_epoch().is_none());
        assert_eq!(t.to_string(), "1517384124.229");
    }

    #[test]
    fn pages_tolerate_missing_meta_and_null_links() {
        let p: Page<u32> = serde_json::from_str(r#"{"objects":[1,2]}"#).unwrap();
        assert_eq!(p.objects, [1, 2]);
        assert_eq!(p.meta.total, None);
        let p: Page<u32> = serde_json::from_str(
            r#"{"meta":{"previous":null,"skip":"20","total":30,"limit":20,"next":null},"objects":[]}"#,
        )
        .unwrap();
        assert_eq!((p.meta.total, p.meta.skip, p.meta.next), (Some(30), Some(20), None));
    }
}
