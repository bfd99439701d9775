//! Macros for the documented value sets of the seed.

/// A string enum with documented wire values, case-insensitive tolerant reading, one strict
/// written form, and an `Other(String)` arm that keeps undocumented values as sent.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
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
                Self::Other(text.to_owned())
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::parse(s))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::parse(s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl watchpost_core::codec::param::ToParam for $name {
            fn to_param(&self) -> String {
                self.as_str().to_owned()
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any($crate::macros::TextVisitor).map(|s| Self::parse(&s))
            }
        }
    };
}

/// An integer enum with documented values and an `Other(i64)` arm.
macro_rules! int_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
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

            /// The enum for a wire value.
            pub fn from_value(v: i64) -> Self {
                match v {
                    $( $value => Self::$variant, )+
                    other => Self::Other(other),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.value())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i64(self.value())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v: i64 = watchpost_core::codec::lenient::int::deserialize(d)?;
                Ok(Self::from_value(v))
            }
        }
    };
}

pub(crate) use {int_enum, string_enum};

/// Reads a string, number or boolean as text (enums accept whatever a device sends).
pub(crate) struct TextVisitor;

impl<'de> serde::de::Visitor<'de> for TextVisitor {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    /// quick-xml hands an element to `deserialize_any` as a map of its attributes (`@name`)
    /// and its text (`$text`): read the text, skip the attributes.
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
        let mut text = String::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "$text" {
                text = map.next_value::<String>()?;
            } else if key.starts_with('@') {
                map.next_value::<serde::de::IgnoredAny>()?;
            } else {
                return Err(serde::de::Error::custom(format_args!("expected text, found element `{key}`")));
            }
        }
        Ok(text)
    }
}
