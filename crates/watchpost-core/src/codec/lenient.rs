//! Serde helpers for the loosely typed values vendors send.
//!
//! The same field arrives as `"code": "200"` from one endpoint and `"code": 200` from another,
//! booleans come as `0`/`1`, `"0"`/`"1"`, `true`/`false` or `"true"`/`"false"`, and Hikvision
//! writes error codes in hex (`"0x40000003"`). Each module here is meant for
//! `#[serde(with = "...")]` on one field and reads every form, while writing one form only
//! (tolerant readers, strict writers):
//!
//! | module | reads | writes |
//! |---|---|---|
//! | [`bool01`] | `0`, `1`, `"0"`, `"1"`, `true`, `false`, `"true"`, `"false"` | `0` / `1` |
//! | [`bool_any`] | the same | `false` / `true` |
//! | [`int`] | a number (`3`, `3.0`) or a numeric string (`"3"`, `" 3 "`, `"3.0"`, `"0x03"`) | a number |
//! | [`string`] | a string, number or bool | a string |
//!
//! The `opt_` variants ([`opt_bool01`], [`opt_bool_any`], [`opt_int`], [`opt_string`]) are for
//! `Option<_>` fields: `null` and `""` read as `None`, and so does a missing field when the
//! field also has `#[serde(default)]` (serde requires it for a field with `with`). `None` is
//! written as `null`, which [`form::to_pairs`](super::form::to_pairs) leaves out.
//!
//! String forms are trimmed and matched case-insensitively; anything else is a serde error that
//! names the offending value. [`LenientCode`] holds an envelope `code` in its text form.
//!
//! The helpers read JSON, form data (`serde_urlencoded`) and XML element text alike: quick-xml
//! hands an element to them as a map of its attributes and its `$text`, so the attributes are
//! skipped and the text is read as a string (an empty element reads as `None`, or `""` for
//! [`string`]).
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use watchpost_core::codec::lenient;
//!
//! #[derive(Debug, Deserialize, Serialize)]
//! struct Switch {
//!     #[serde(with = "lenient::bool01")]
//!     enable: bool,
//!     #[serde(with = "lenient::int")]
//!     channel: u32,
//!     #[serde(default, with = "lenient::opt_string")]
//!     name: Option<String>,
//! }
//!
//! let s: Switch = serde_json::from_str(r#"{"enable":"1","channel":"2","name":""}"#)?;
//! assert!(s.enable);
//! assert_eq!(s.channel, 2);
//! assert_eq!(s.name, None);
//! assert_eq!(serde_json::to_string(&s)?, r#"{"enable":1,"channel":2,"name":null}"#);
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Reads a `bool` from `0`/`1`, `"0"`/`"1"`, `true`/`false` or `"true"`/`"false"`; writes `0`/`1`.
///
/// For vendors that want `enable=1` in a form body (EZVIZ).
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// #[derive(Deserialize, Serialize)]
/// struct Req {
///     #[serde(with = "watchpost_core::codec::lenient::bool01")]
///     enable: bool,
/// }
/// let r: Req = serde_json::from_str(r#"{"enable":" TRUE "}"#)?;
/// assert_eq!(serde_json::to_string(&r)?, r#"{"enable":1}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub mod bool01 {
    use super::*;

    /// Writes `true` as `1` and `false` as `0`.
    ///
    /// # Errors
    /// Whatever the serializer returns.
    pub fn serialize<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(u8::from(*value))
    }

    /// Reads any of the accepted boolean forms.
    ///
    /// # Errors
    /// A serde error naming the value when it is none of the accepted forms.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(BoolVisitor)
    }
}

/// Reads a `bool` from the same forms as [`bool01`]; writes `true`/`false`.
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// #[derive(Deserialize, Serialize)]
/// struct State {
///     #[serde(with = "watchpost_core::codec::lenient::bool_any")]
///     online: bool,
/// }
/// let s: State = serde_json::from_str(r#"{"online":1}"#)?;
/// assert_eq!(serde_json::to_string(&s)?, r#"{"online":true}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub mod bool_any {
    use super::*;

    /// Writes a plain boolean.
    ///
    /// # Errors
    /// Whatever the serializer returns.
    pub fn serialize<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(*value)
    }

    /// Reads any of the accepted boolean forms (see [`super::bool01`]).
    ///
    /// # Errors
    /// A serde error naming the value when it is none of the accepted forms.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(BoolVisitor)
    }
}

/// Reads an integer from a number or a numeric string; writes a number.
///
/// Works for every primitive integer type (see [`LenientInt`]). Accepted: integers, floats
/// with a zero fraction (`3.0`), decimal strings (`"42"`, `" -7 "`, `"+7"`, `"3.0"`) and hex
/// strings (`"0x40000003"`, as Hikvision writes error codes). A value that does not fit the
/// type is an error, never truncated.
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// #[derive(Deserialize, Serialize)]
/// struct Status {
///     #[serde(rename = "errorCode", with = "watchpost_core::codec::lenient::int")]
///     error_code: u64,
/// }
/// let s: Status = serde_json::from_str(r#"{"errorCode":"0x40000003"}"#)?;
/// assert_eq!(s.error_code, 0x4000_0003);
/// assert_eq!(serde_json::to_string(&s)?, r#"{"errorCode":1073741827}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub mod int {
    use super::*;

    /// Writes the integer as a number.
    ///
    /// # Errors
    /// Whatever the serializer returns.
    pub fn serialize<T: LenientInt, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    /// Reads an integer from any accepted form.
    ///
    /// # Errors
    /// A serde error naming the value when it is not an integer or does not fit `T`.
    pub fn deserialize<'de, T: LenientInt, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_any(IntVisitor(PhantomData))
    }
}

/// Reads a `String` from a string, a number or a boolean; writes a string.
///
/// For codes that are sometimes numbers: `"code": 200` reads as `"200"`. A float with a zero
/// fraction reads without it (`200.0` as `"200"`).
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// #[derive(Deserialize, Serialize)]
/// struct Envelope {
///     #[serde(with = "watchpost_core::codec::lenient::string")]
///     code: String,
/// }
/// let e: Envelope = serde_json::from_str(r#"{"code":200}"#)?;
/// assert_eq!(serde_json::to_string(&e)?, r#"{"code":"200"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub mod string {
    use super::*;

    /// Writes the string.
    ///
    /// # Errors
    /// Whatever the serializer returns.
    pub fn serialize<S: Serializer>(value: &str, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(value)
    }

    /// Reads a string, number or boolean as text.
    ///
    /// # Errors
    /// A serde error when the value is a map, sequence or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(StringVisitor { unit_is_empty: false })
    }
}

/// [`bool01`] for `Option<bool>`: `null`, `""` and (with `#[serde(default)]`) a missing field
/// read as `None`; `None` is written as `null`.
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// #[derive(Deserialize, Serialize)]
/// struct Req {
///     #[serde(default, with = "watchpost_core::codec::lenient::opt_bool01")]
///     enable: Option<bool>,
/// }
/// let r: Req = serde_json::from_str(r#"{"enable":"0"}"#)?;
/// assert_eq!(r.enable, Some(false));
/// assert_eq!(serde_json::to_string(&r)?, r#"{"enable":0}"#);
/// let r: Req = serde_json::from_str("{}")?;
/// assert_eq!(r.enable, None);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub mod opt_bool01 {
    use super::*;

    /// Writes `Some(true)` as `1`, `Some(false)` as `0` and `None` as `null`.
    ///
    /// # Errors
    /// Whatever the serializer returns.
    pub fn serialize<S: Serializer>(value: &Option<bool>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => serializer.serialize_some(&u8::from(*v)),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `None` from `null` or `""`, otherwise any accepted boolean form.
    ///
    /// # Errors
    /// A serde error naming the value when it is none of the accepted forms.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
        deserializer.deserialize_option(OptVisitor(BoolVisitor))
    }
}

/// [`bool_any`] for `Option<bool>`: `null`, `""` and (with `#[serde(default)]`) a missing field
/// read as `None`; `None` is written as `null`.
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// #[derive(Deserialize, Serialize)]
/// struct State {
///     #[serde(default, with = "watchpost_core::codec::lenient::opt_bool_any")]
///     online: Option<bool>,
/// }
/// let s: State = serde_json::from_str(r#"{"online":"1"}"#)?;
/// assert_eq!(serde_json::to_string(&s)?, r#"{"online":true}"#);
/// let s: State = serde_json::from_str(r#"{"online":null}"#)?;
/// assert_eq!(s.online, None);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub mod opt_bool_any {
    use super::*;

    /// Writes `Some(b)` as a boolean and `None` as `null`.
    ///
    /// # Errors
    /// Whatever the serializer returns.
    pub fn serialize<S: Serializer>(value: &Option<bool>, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    /// Reads `None` from `null` or `""`, otherwise any accepted boolean form.
    ///
    /// # Errors
    /// A serde error naming the value when it is none of the accepted forms.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
        deserializer.deserialize_option(OptVisitor(BoolVisitor))
    }
}

/// [`int`] for `Option<_>` integers: `null`, `""` and (with `#[serde(default)]`) a missing field
/// read as `None`; `None` is written as `null`.
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// #[derive(Deserialize, Serialize)]
/// struct Page {
///     #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
///     total: Option<u32>,
/// }
/// let p: Page = serde_json::from_str(r#"{"total":"12"}"#)?;
/// assert_eq!(p.total, Some(12));
/// let p: Page = serde_json::from_str(r#"{"total":""}"#)?;
/// assert_eq!(p.total, None);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub mod opt_int {
    use super::*;

    /// Writes `Some(n)` as a number and `None` as `null`.
    ///
    /// # Errors
    /// Whatever the serializer returns.
    pub fn serialize<T: LenientInt, S: Serializer>(value: &Option<T>, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    /// Reads `None` from `null` or `""`, otherwise any accepted integer form.
    ///
    /// # Errors
    /// A serde error naming the value when it is not an integer or does not fit `T`.
    pub fn deserialize<'de, T: LenientInt, D: Deserializer<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
        deserializer.deserialize_option(OptVisitor(IntVisitor(PhantomData)))
    }
}

/// [`string`] for `Option<String>`: `null`, `""` and (with `#[serde(default)]`) a missing field
/// read as `None`; `None` is written as `null`.
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// #[derive(Deserialize, Serialize)]
/// struct Envelope {
///     #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
///     code: Option<String>,
/// }
/// let e: Envelope = serde_json::from_str(r#"{"code":10002}"#)?;
/// assert_eq!(e.code.as_deref(), Some("10002"));
/// let e: Envelope = serde_json::from_str(r#"{"code":"  "}"#)?;
/// assert_eq!(e.code, None);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub mod opt_string {
    use super::*;

    /// Writes `Some(s)` as a string and `None` as `null`.
    ///
    /// # Errors
    /// Whatever the serializer returns.
    pub fn serialize<S: Serializer>(value: &Option<String>, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    /// Reads `None` from `null` or a blank string, otherwise a string, number or boolean as text.
    ///
    /// # Errors
    /// A serde error when the value is a map or sequence.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
        deserializer.deserialize_option(OptVisitor(StringVisitor { unit_is_empty: false }))
    }
}

/// A primitive integer type [`int`] and [`opt_int`] can read: every one of `i8` to `i128`, `u8`
/// to `u128`, `isize` and `usize`.
pub trait LenientInt: Copy + Serialize {
    /// The type's name, for error messages.
    const NAME: &'static str;
    /// The value of `v` in this type, if it fits.
    fn from_i64(v: i64) -> Option<Self>;
    /// The value of `v` in this type, if it fits.
    fn from_u64(v: u64) -> Option<Self>;
}

macro_rules! lenient_int {
    ($($t:ty),*) => {$(
        impl LenientInt for $t {
            const NAME: &'static str = stringify!($t);
            fn from_i64(v: i64) -> Option<Self> {
                <$t>::try_from(v).ok()
            }
            fn from_u64(v: u64) -> Option<Self> {
                <$t>::try_from(v).ok()
            }
        }
    )*};
}

lenient_int!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

/// A vendor code in its text form, read from a string or a number.
///
/// Envelope `code` members are `"200"` in one response and `200` in the next; this keeps the
/// text as sent (numbers in decimal) and compares with either form. It serializes as a string.
///
/// ```
/// use watchpost_core::codec::lenient::LenientCode;
///
/// #[derive(serde::Deserialize)]
/// struct Envelope {
///     code: LenientCode,
/// }
/// let a: Envelope = serde_json::from_str(r#"{"code":"200"}"#)?;
/// let b: Envelope = serde_json::from_str(r#"{"code":200}"#)?;
/// assert_eq!(a.code, b.code);
/// assert!(a.code == "200" && a.code == 200);
/// assert_eq!(b.code.to_string(), "200");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LenientCode(String);

impl LenientCode {
    /// A code from its text.
    pub fn new(code: impl Into<String>) -> Self {
        Self(code.into())
    }

    /// The code as text, as the service sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code as text, by value.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The code as a number, when it is one (decimal or `0x` hex, as [`int`] reads them).
    pub fn as_i64(&self) -> Option<i64> {
        parse_int(&self.0)
    }

    /// The code as an unsigned number, when it is one (decimal or `0x` hex).
    pub fn as_u64(&self) -> Option<u64> {
        parse_int(&self.0)
    }
}

impl fmt::Display for LenientCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for LenientCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for LenientCode {
    fn from(code: &str) -> Self {
        Self(code.to_owned())
    }
}

impl From<String> for LenientCode {
    fn from(code: String) -> Self {
        Self(code)
    }
}

impl From<i64> for LenientCode {
    fn from(code: i64) -> Self {
        Self(code.to_string())
    }
}

impl From<LenientCode> for String {
    fn from(code: LenientCode) -> Self {
        code.0
    }
}

impl PartialEq<str> for LenientCode {
    /// Equal when the texts are equal, ignoring surrounding whitespace.
    fn eq(&self, other: &str) -> bool {
        self.0.trim() == other.trim()
    }
}

impl PartialEq<&str> for LenientCode {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl PartialEq<i64> for LenientCode {
    /// Equal when the code is a number (decimal or hex) equal to `other`.
    fn eq(&self, other: &i64) -> bool {
        self.as_i64() == Some(*other)
    }
}

impl Serialize for LenientCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for LenientCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StringVisitor { unit_is_empty: false }).map(Self)
    }
}

/// Parses a trimmed decimal (`"42"`, `"-7"`, `"3.0"`) or `0x` hex string into `T`.
fn parse_int<T: LenientInt>(text: &str) -> Option<T> {
    let text = text.trim();
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        // `from_str_radix` would accept a sign after the prefix; hex codes have none.
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        return u64::from_str_radix(hex, 16).ok().and_then(T::from_u64);
    }
    let digits = match text.split_once('.') {
        Some((int, frac)) if !frac.is_empty() && frac.bytes().all(|b| b == b'0') => int,
        Some(_) => return None,
        None => text,
    };
    if digits.starts_with('-') {
        digits.parse::<i64>().ok().and_then(T::from_i64)
    } else {
        digits.parse::<u64>().ok().and_then(T::from_u64)
    }
}

struct BoolVisitor;

impl<'de> Visitor<'de> for BoolVisitor {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a boolean as 0, 1, "0", "1", true, false, "true" or "false""#)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        match v {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(E::invalid_value(Unexpected::Signed(v), &self)),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        match v {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(E::invalid_value(Unexpected::Unsigned(v), &self)),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        let t = v.trim();
        if t == "1" || t.eq_ignore_ascii_case("true") {
            Ok(true)
        } else if t == "0" || t.eq_ignore_ascii_case("false") {
            Ok(false)
        } else {
            Err(E::invalid_value(Unexpected::Str(v), &self))
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<bool, A::Error> {
        element_text(map, self)?.map_err(|v| de::Error::invalid_type(Unexpected::Map, &v))
    }
}

struct IntVisitor<T>(PhantomData<T>);

impl<'de, T: LenientInt> Visitor<'de> for IntVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an integer (a number or a numeric string) that fits {}", T::NAME)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::from_i64(v).ok_or_else(|| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::from_u64(v).ok_or_else(|| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<T, E> {
        if let Ok(n) = i64::try_from(v) {
            return self.visit_i64(n);
        }
        u64::try_from(v)
            .ok()
            .and_then(T::from_u64)
            .ok_or_else(|| E::invalid_value(Unexpected::Other("a 128-bit integer"), &self))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<T, E> {
        u64::try_from(v)
            .ok()
            .and_then(T::from_u64)
            .ok_or_else(|| E::invalid_value(Unexpected::Other("a 128-bit integer"), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        // 2^64 and -2^63 are exact in f64; a finite whole value inside them converts exactly.
        const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;
        const MINUS_TWO_POW_63: f64 = -9_223_372_036_854_775_808.0;
        let whole = v.is_finite() && v.fract() == 0.0;
        let value = if whole && (0.0..TWO_POW_64).contains(&v) {
            T::from_u64(v as u64)
        } else if whole && (MINUS_TWO_POW_63..0.0).contains(&v) {
            T::from_i64(v as i64)
        } else {
            None
        };
        value.ok_or_else(|| E::invalid_value(Unexpected::Float(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        parse_int(v).ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        element_text(map, self)?.map_err(|v| de::Error::invalid_type(Unexpected::Map, &v))
    }
}

struct StringVisitor {
    /// Whether a unit value (an empty element) reads as `""` rather than an error.
    unit_is_empty: bool,
}

impl<'de> Visitor<'de> for StringVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number or boolean")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    /// An empty XML element (no `$text`) reads as an empty string.
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<String, A::Error> {
        Ok(element_text(map, self)?.unwrap_or_default())
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        if self.unit_is_empty {
            Ok(String::new())
        } else {
            Err(de::Error::invalid_type(de::Unexpected::Unit, &self))
        }
    }
}

/// Reads whatever a device sends where text is expected: a string, number or boolean as text,
/// an XML element's text, and a unit value (an empty element) as `""`. Used by the open enums
/// ([`open_str_enum!`](crate::open_str_enum)) and vendor types that parse text.
///
/// # Errors
/// A serde error for a sequence, or a map that is not an XML element.
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    deserializer.deserialize_any(StringVisitor { unit_is_empty: true })
}

/// Wraps a visitor for `Option<_>`: `null`, unit and blank strings are `None`.
struct OptVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for OptVisitor<V> {
    type Value = Option<V::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)?;
        f.write_str(", null or an empty string")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.0.visit_bool(v).map(Some)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.0.visit_i64(v).map(Some)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.0.visit_u64(v).map(Some)
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        self.0.visit_i128(v).map(Some)
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        self.0.visit_u128(v).map(Some)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.0.visit_f64(v).map(Some)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            return Ok(None);
        }
        self.0.visit_str(v).map(Some)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            return Ok(None);
        }
        self.0.visit_string(v).map(Some)
    }

    /// An empty XML element (no `$text`) reads as `None`.
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Ok(element_text(map, self)?.unwrap_or(None))
    }
}

/// Reads the text of an XML element with `visitor`.
///
/// quick-xml hands an element to `deserialize_any` as a map of its attributes (`@name`) and its
/// text (`$text`). The attributes are skipped; any other member is an error. Gives the visitor
/// back when there is no text (an empty element).
fn element_text<'de, V: Visitor<'de>, A: MapAccess<'de>>(
    mut map: A,
    visitor: V,
) -> Result<Result<V::Value, V>, A::Error> {
    let mut slot = Err(visitor);
    while let Some(key) = map.next_key::<String>()? {
        if key == "$text" {
            slot = match slot {
                Err(visitor) => Ok(map.next_value_seed(AnySeed(visitor))?),
                Ok(_) => return Err(de::Error::duplicate_field("$text")),
            };
        } else if key.starts_with('@') {
            map.next_value::<de::IgnoredAny>()?;
        } else {
            return Err(match slot {
                Err(visitor) => de::Error::invalid_type(Unexpected::Map, &visitor),
                Ok(_) => de::Error::custom(format_args!("unexpected member `{key}` after the text")),
            });
        }
    }
    Ok(slot)
}

/// Runs a visitor through `deserialize_any`.
struct AnySeed<V>(V);

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for AnySeed<V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        deserializer.deserialize_any(self.0)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use serde_json::json;

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Flags {
        #[serde(with = "bool01")]
        enable: bool,
        #[serde(with = "bool_any")]
        online: bool,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Opts {
        #[serde(default, with = "opt_bool01", skip_serializing_if = "Option::is_none")]
        enable: Option<bool>,
        #[serde(default, with = "opt_bool_any", skip_serializing_if = "Option::is_none")]
        online: Option<bool>,
        #[serde(default, with = "opt_int", skip_serializing_if = "Option::is_none")]
        total: Option<u16>,
        #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
        code: Option<String>,
    }

    fn bool_of(value: serde_json::Value) -> Result<bool, String> {
        #[derive(Deserialize)]
        struct B(#[serde(with = "bool01")] bool);
        serde_json::from_value::<B>(value).map(|b| b.0).map_err(|e| e.to_string())
    }

    fn int_of<T: LenientInt>(value: serde_json::Value) -> Result<T, String> {
        int::deserialize(value).map_err(|e| e.to_string())
    }

    fn string_of(value: serde_json::Value) -> Result<String, String> {
        string::deserialize(value).map_err(|e| e.to_string())
    }

    #[test]
    fn bool_accepts_every_documented_form() {
        for (v, want) in [
            (json!(true), true),
            (json!(false), false),
            (json!(1), true),
            (json!(0), false),
            (json!("1"), true),
            (json!("0"), false),
            (json!("true"), true),
            (json!("false"), false),
            (json!("TRUE"), true),
            (json!(" False "), false),
            (json!(" 1\n"), true),
        ] {
            assert_eq!(bool_of(v.clone()), Ok(want), "{v}");
        }
    }

    #[test]
    fn bool_rejects_other_values_naming_them() {
        for (v, named) in [
            (json!(2), "integer `2`"),
            (json!(-1), "integer `-1`"),
            (json!("yes"), "string \"yes\""),
            (json!(""), "string \"\""),
            (json!("10"), "string \"10\""),
            (json!(1.0), "floating point `1.0`"),
            (json!(null), "null"),
            (json!([1]), "sequence"),
        ] {
            let err = bool_of(v.clone()).unwrap_err();
            assert!(err.contains(named), "{v}: {err}");
        }
    }

    #[test]
    fn bool01_writes_integers_and_bool_any_writes_booleans() {
        let f = Flags { enable: true, online: false };
        assert_eq!(serde_json::to_value(&f).unwrap(), json!({"enable": 1, "online": false}));
        let back: Flags = serde_json::from_value(json!({"enable": "1", "online": 0})).unwrap();
        assert_eq!(back, f);
        assert_eq!(serde_urlencoded::to_string(&f).unwrap(), "enable=1&online=false");
    }

    #[test]
    fn bool01_is_sent_as_1_in_form_pairs() {
        let pairs = crate::codec::form::to_pairs(&Flags { enable: true, online: true }).unwrap();
        assert_eq!(pairs, [("enable".to_owned(), "1".to_owned()), ("online".to_owned(), "true".to_owned())]);
        let pairs =
            crate::codec::form::to_pairs(&Opts { enable: Some(false), online: None, total: None, code: None }).unwrap();
        assert_eq!(pairs, [("enable".to_owned(), "0".to_owned())]);
    }

    #[test]
    fn forms_decode_through_serde_urlencoded() {
        let f: Flags = serde_urlencoded::from_str("enable=1&online=TRUE").unwrap();
        assert_eq!(f, Flags { enable: true, online: true });
        let f: Flags = serde_urlencoded::from_str("enable=false&online=0").unwrap();
        assert_eq!(f, Flags { enable: false, online: false });
        let err = serde_urlencoded::from_str::<Flags>("enable=on&online=0").unwrap_err().to_string();
        assert!(err.contains("\"on\""), "{err}");

        let o: Opts = serde_urlencoded::from_str("enable=1&online=&total=0x10&code=+200+").unwrap();
        assert_eq!(o, Opts { enable: Some(true), online: None, total: Some(16), code: Some(" 200 ".into()) });
        let o: Opts = serde_urlencoded::from_str("").unwrap();
        assert_eq!(o, Opts { enable: None, online: None, total: None, code: None });
        assert!(serde_urlencoded::from_str::<Opts>("total=70000").is_err());
        assert_eq!(serde_urlencoded::to_string(&o).unwrap(), "");
    }

    #[test]
    fn int_accepts_numbers_numeric_strings_whole_floats_and_hex() {
        assert_eq!(int_of::<i64>(json!(-42)), Ok(-42));
        assert_eq!(int_of::<i64>(json!("-42")), Ok(-42));
        assert_eq!(int_of::<i64>(json!(" +42 ")), Ok(42));
        assert_eq!(int_of::<u64>(json!(u64::MAX)), Ok(u64::MAX));
        assert_eq!(int_of::<u64>(json!(u64::MAX.to_string())), Ok(u64::MAX));
        assert_eq!(int_of::<u64>(json!("0x40000003")), Ok(0x4000_0003));
        assert_eq!(int_of::<u64>(json!("0XFFFFFFFFFFFFFFFF")), Ok(u64::MAX));
        assert_eq!(int_of::<u32>(json!("0x40000003")), Ok(0x4000_0003));
        assert_eq!(int_of::<i32>(json!(3.0)), Ok(3));
        assert_eq!(int_of::<i32>(json!(-3.0)), Ok(-3));
        assert_eq!(int_of::<i32>(json!("3.00")), Ok(3));
        assert_eq!(int_of::<u32>(json!("200")), Ok(200));
        assert_eq!(int_of::<u16>(json!(65535)), Ok(65535));
        assert_eq!(int_of::<u8>(json!("255")), Ok(255));
        assert_eq!(int_of::<i8>(json!("-128")), Ok(-128));
        assert_eq!(int_of::<i128>(json!(i64::MIN)), Ok(i128::from(i64::MIN)));
        assert_eq!(int_of::<usize>(json!("7")), Ok(7));
    }

    #[test]
    fn int_rejects_non_integers_and_out_of_range_values_naming_them() {
        for (v, named) in [
            (json!(256), "integer `256`"),
            (json!("256"), "string \"256\""),
            (json!(-1), "integer `-1`"),
            (json!("-1"), "string \"-1\""),
            (json!(3.5), "floating point `3.5`"),
            (json!(1e300), "floating point"),
            (json!("3.5"), "string \"3.5\""),
            (json!("3."), "string \"3.\""),
            (json!("abc"), "string \"abc\""),
            (json!(""), "string \"\""),
            (json!("0x"), "string \"0x\""),
            (json!("0x+1"), "string \"0x+1\""),
            (json!("0x1FF"), "string \"0x1FF\""),
            (json!("1e3"), "string \"1e3\""),
            (json!(true), "boolean `true`"),
            (json!(null), "null"),
        ] {
            let err = int_of::<u8>(v.clone()).unwrap_err();
            assert!(err.contains(named), "{v}: {err}");
            assert!(err.contains("fits u8"), "{v}: {err}");
        }
        assert!(int_of::<u64>(json!("18446744073709551616")).is_err());
        assert!(int_of::<u64>(json!(1.8446744073709552e19)).is_err());
        assert!(int_of::<i64>(json!("9223372036854775808")).is_err());
        assert!(int_of::<i64>(json!(-9.3e18)).is_err());
    }

    #[test]
    fn int_writes_a_number() {
        #[derive(Serialize, Deserialize)]
        struct N {
            #[serde(with = "int")]
            n: u64,
        }
        let n: N = serde_json::from_value(json!({"n": "0x10"})).unwrap();
        assert_eq!(serde_json::to_value(&n).unwrap(), json!({"n": 16}));
        assert_eq!(serde_urlencoded::to_string(&n).unwrap(), "n=16");
    }

    #[test]
    fn string_accepts_strings_numbers_and_booleans() {
        assert_eq!(string_of(json!("200")), Ok("200".to_owned()));
        assert_eq!(string_of(json!(200)), Ok("200".to_owned()));
        assert_eq!(string_of(json!(-5)), Ok("-5".to_owned()));
        assert_eq!(string_of(json!(200.0)), Ok("200".to_owned()));
        assert_eq!(string_of(json!(0.5)), Ok("0.5".to_owned()));
        assert_eq!(string_of(json!(true)), Ok("true".to_owned()));
        assert_eq!(string_of(json!("")), Ok(String::new()));
        for (v, named) in [(json!(null), "null"), (json!({"a": 1}), "map"), (json!([]), "sequence")] {
            let err = string_of(v.clone()).unwrap_err();
            assert!(err.contains(named) && err.contains("string, number or boolean"), "{v}: {err}");
        }
        #[derive(Serialize)]
        struct S {
            #[serde(with = "string")]
            code: String,
        }
        assert_eq!(serde_json::to_value(S { code: "7".into() }).unwrap(), json!({"code": "7"}));
    }

    #[test]
    fn opt_variants_treat_null_missing_and_empty_as_none() {
        let none = Opts { enable: None, online: None, total: None, code: None };
        assert_eq!(serde_json::from_value::<Opts>(json!({})).unwrap(), none);
        assert_eq!(
            serde_json::from_value::<Opts>(json!({"enable": null, "online": null, "total": null, "code": null}))
                .unwrap(),
            none
        );
        assert_eq!(
            serde_json::from_value::<Opts>(json!({"enable": "", "online": " ", "total": "", "code": ""})).unwrap(),
            none
        );
        let some = serde_json::from_value::<Opts>(json!({"enable": 0, "online": "True", "total": 7.0, "code": 10002}))
            .unwrap();
        assert_eq!(some, Opts { enable: Some(false), online: Some(true), total: Some(7), code: Some("10002".into()) });
        assert_eq!(
            serde_json::to_value(&some).unwrap(),
            json!({"enable": 0, "online": true, "total": 7, "code": "10002"})
        );
        for bad in [json!({"enable": 2}), json!({"online": "yes"}), json!({"total": -1}), json!({"code": [1]})] {
            assert!(serde_json::from_value::<Opts>(bad.clone()).is_err(), "{bad}");
        }
        let err = serde_json::from_value::<Opts>(json!({"total": "x"})).unwrap_err().to_string();
        assert!(err.contains("string \"x\""), "{err}");
    }

    #[test]
    fn opt_variants_write_null_for_none() {
        #[derive(Serialize)]
        struct W {
            #[serde(with = "opt_bool01")]
            a: Option<bool>,
            #[serde(with = "opt_int")]
            b: Option<i32>,
            #[serde(with = "opt_string")]
            c: Option<String>,
            #[serde(with = "opt_bool_any")]
            d: Option<bool>,
        }
        let w = W { a: None, b: None, c: None, d: None };
        assert_eq!(serde_json::to_value(&w).unwrap(), json!({"a": null, "b": null, "c": null, "d": null}));
        assert!(crate::codec::form::to_pairs(&w).unwrap().is_empty());
        let w = W { a: Some(true), b: Some(-2), c: Some("x".into()), d: Some(false) };
        assert_eq!(serde_json::to_value(&w).unwrap(), json!({"a": 1, "b": -2, "c": "x", "d": false}));
    }

    #[test]
    fn lenient_code_reads_strings_and_numbers_and_compares_both_ways() {
        #[derive(Deserialize, Serialize)]
        struct Envelope {
            code: LenientCode,
        }
        let a: Envelope = serde_json::from_value(json!({"code": "200"})).unwrap();
        let b: Envelope = serde_json::from_value(json!({"code": 200})).unwrap();
        assert_eq!(a.code, b.code);
        assert!(a.code == "200" && a.code == 200 && a.code != 201 && a.code != "20");
        assert_eq!(b.code.to_string(), "200");
        assert_eq!(serde_json::to_value(&b).unwrap(), json!({"code": "200"}));
        let hex = LenientCode::from("0x40000003");
        assert_eq!(hex.as_u64(), Some(0x4000_0003));
        assert!(hex == 0x4000_0003);
        assert_eq!(LenientCode::new("LAP068001").as_i64(), None);
        assert_eq!(LenientCode::from(-1).as_str(), "-1");
        assert_eq!(String::from(LenientCode::from("ok".to_owned())), "ok");
        assert!(serde_json::from_value::<Envelope>(json!({"code": null})).is_err());
    }

    #[cfg(feature = "xml")]
    #[test]
    fn helpers_work_on_xml_text() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Status {
            #[serde(rename = "enabled", with = "bool_any")]
            enabled: bool,
            #[serde(rename = "errorCode", with = "int")]
            error_code: u32,
            #[serde(rename = "statusCode", with = "string")]
            status_code: String,
            #[serde(rename = "channel", default, with = "opt_int")]
            channel: Option<u8>,
            #[serde(rename = "remark", default, with = "opt_string")]
            remark: Option<String>,
            #[serde(rename = "online", default, with = "opt_bool01")]
            online: Option<bool>,
            #[serde(rename = "note", with = "string")]
            note: String,
        }
        let s: Status = crate::codec::xml::from_str(
            "<ResponseStatus xmlns=\"x\"><enabled>1</enabled><errorCode>0x40000003</errorCode>\
             <statusCode opt=\"1,4\">4</statusCode><remark/><online> 0 </online><note></note></ResponseStatus>",
        )
        .unwrap();
        assert_eq!(
            s,
            Status {
                enabled: true,
                error_code: 0x4000_0003,
                status_code: "4".into(),
                channel: None,
                remark: None,
                online: Some(false),
                note: String::new(),
            }
        );
        for bad in [
            "<S><enabled/><errorCode>1</errorCode><statusCode/><note/></S>",
            "<S><enabled>1</enabled><errorCode>0x1FFFFFFFF</errorCode><statusCode/><note/></S>",
            "<S><enabled>1</enabled><errorCode>1</errorCode><statusCode><x>1</x></statusCode><note/></S>",
        ] {
            assert!(crate::codec::xml::from_str::<Status>(bad).is_err(), "{bad}");
        }
    }
}
