//! Open enums for the documented value sets of vendor APIs: the documented values as variants,
//! plus an `Other` variant that keeps an undocumented value as sent, so a new firmware value is
//! never a decode error. Tolerant readers, strict writers: read case-insensitively (text) or
//! from a number or numeric string (integers); written in the documented form.

/// Declares an open text enum: variants with their documented wire text (and `| "alias"`
/// spellings also read), plus `Other(String)`.
///
/// Provides `DOCUMENTED`, `as_str`, `parse` (trimmed, case-insensitive), `Display`, `FromStr`,
/// `From<&str>`, [`ToParam`](crate::codec::param::ToParam), and serde (written as the text; read
/// from text, a number, a boolean or an XML element via [`lenient::text`](crate::codec::lenient::text)).
///
/// ```
/// watchpost_core::open_str_enum! {
///     /// Arming mode.
///     Mode {
///         /// Away.
///         Away = "away" | "awayArm",
///         /// Stay.
///         Stay = "stay",
///     }
/// }
/// assert_eq!(Mode::parse(" AWAYARM "), Mode::Away);
/// assert_eq!(Mode::parse("night"), Mode::Other("night".into()));
/// assert_eq!(serde_json::to_string(&Mode::Stay)?, r#""stay""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[macro_export]
macro_rules! open_str_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value the seed does not document, kept as sent.
            Other(String),
        }

        impl $name {
            /// Every documented value.
            pub const DOCUMENTED: &'static [$name] = &[$($name::$variant),+];

            /// The wire text.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(s) => s,
                }
            }

            /// Reads the wire text: trimmed, case-insensitive; unknown text is kept in `Other`.
            pub fn parse(text: &str) -> Self {
                let t = text.trim();
                $(
                    if t.eq_ignore_ascii_case($wire) $(|| t.eq_ignore_ascii_case($alias))* {
                        return Self::$variant;
                    }
                )+
                Self::Other(t.to_owned())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::parse(s))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::parse(s)
            }
        }

        impl $crate::codec::param::ToParam for $name {
            fn to_param(&self) -> String {
                self.as_str().to_owned()
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                $crate::codec::lenient::text(d).map(|s| Self::parse(&s))
            }
        }
    };
}

/// Declares an open integer enum: variants with their documented values, plus `Other(i64)`.
///
/// Provides `value`, `from_value`, `Display` (the number),
/// [`ToParam`](crate::codec::param::ToParam) (decimal text) and serde (written as the number;
/// read from a number or a numeric string via [`lenient::int`](crate::codec::lenient::int)).
///
/// ```
/// watchpost_core::open_int_enum! {
///     /// Chime type.
///     Chime {
///         /// Mechanical.
///         Mechanical = 1,
///         /// Electronic.
///         Electronic = 2,
///     }
/// }
/// assert_eq!(serde_json::from_str::<Chime>(r#""2""#)?, Chime::Electronic);
/// assert_eq!(Chime::from_value(9), Chime::Other(9));
/// assert_eq!(serde_json::to_string(&Chime::Mechanical)?, "1");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[macro_export]
macro_rules! open_int_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value the seed does not document, kept as sent.
            Other(i64),
        }

        impl $name {
            /// The wire value.
            pub fn value(self) -> i64 {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Other(v) => v,
                }
            }

            /// The variant for a wire value.
            pub fn from_value(v: i64) -> Self {
                match v {
                    $( $value => Self::$variant, )+
                    other => Self::Other(other),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}", self.value())
            }
        }

        impl $crate::codec::param::ToParam for $name {
            fn to_param(&self) -> String {
                self.value().to_string()
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_i64(self.value())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                $crate::codec::lenient::int::deserialize::<i64, D>(d).map(Self::from_value)
            }
        }
    };
}
