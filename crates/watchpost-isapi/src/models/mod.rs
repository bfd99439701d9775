//! ISAPI models (security control panel, time, IO ports, network, response status), JSON as
//! the Device Gateway documents them (`JSON_*`) and as the devices answer `?format=json`.
//!
//! Conventions:
//! - One `…Msg` struct per message holds its root member (`TimeMsg { time }` is
//!   `{"Time": {...}}`); the flat messages (`ResponseStatus`) have none.
//! - Every member has an explicit `#[serde(rename)]`: ISAPI's naming rule (leaves lowerCamel,
//!   others UpperCamel) has exceptions.
//! - Tolerant readers: unknown members are ignored, anything a device may omit is an `Option`,
//!   numbers and booleans are read from strings too, list items are read wrapped
//!   (`[{"Zone": {...}}]`, as documented) or bare, and a single object is read as a one-item list.
//! - Strict writers: requests are written exactly as documented; `None` members are left out.
//! - Documented value sets are enums with an `Other(String)` arm that keeps what a device sent.
//! - The status models are generic over the typed `subStatusCode` ([`crate::SubStatusCode`]):
//!   [`String`] by default, the Device Gateway's generated table in `hik-gateway`.

mod common;
mod device_xml;
mod search;
mod security_cp;
mod system;

pub use common::*;
pub use device_xml::*;
pub use search::*;
pub use security_cp::*;
pub use system::*;

/// Serde helpers shared by the models (and by the vendor crates' own ISAPI models).
pub mod de {
    use serde::de::{DeserializeOwned, Error as _};
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use serde_json::Value;

    /// Reads a list whose items are `{"<key>": item}` (or bare items), accepting `null` as empty
    /// and a single object as a one-item list.
    ///
    /// Read in one streaming pass, not through a `serde_json::Value`, so that a decode error
    /// keeps the path of the failing field (`ZoneList[3].Zone.status`). An object whose first
    /// member is `<key>` is a wrapped item (any member after it is ignored); any other object is
    /// a bare item.
    pub fn keyed_list<'de, D: Deserializer<'de>, T: DeserializeOwned>(
        d: D,
        key: &'static str,
    ) -> Result<Vec<T>, D::Error> {
        d.deserialize_any(keyed::ListVisitor::<T>::new(key))
    }
    /// The visitors of [`keyed_list`].
    mod keyed {
        use std::fmt;
        use std::marker::PhantomData;

        use serde::de::value::{MapAccessDeserializer, StringDeserializer};
        use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
        use serde::Deserializer;

        /// A whole list: `null`, an array of items, or one item.
        pub(super) struct ListVisitor<T> {
            key: &'static str,
            item: PhantomData<fn() -> T>,
        }

        impl<T> ListVisitor<T> {
            pub(super) fn new(key: &'static str) -> Self {
                ListVisitor { key, item: PhantomData }
            }
        }

        impl<'de, T: DeserializeOwned> Visitor<'de> for ListVisitor<T> {
            type Value = Vec<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a list of `{}` items, one item or null", self.key)
            }

            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(Vec::new())
            }

            fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(Vec::new())
            }

            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(256));
                while let Some(item) = seq.next_element_seed(ItemSeed::<T>(self.key, PhantomData))? {
                    items.push(item);
                }
                Ok(items)
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                ItemSeed::<T>(self.key, PhantomData).visit_map(map).map(|item| vec![item])
            }
        }

        /// One item: `{"<key>": item}` or the item itself.
        struct ItemSeed<T>(&'static str, PhantomData<fn() -> T>);

        impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for ItemSeed<T> {
            type Value = T;

            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
                d.deserialize_map(self)
            }
        }

        impl<'de, T: DeserializeOwned> Visitor<'de> for ItemSeed<T> {
            type Value = T;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a `{}` item", self.0)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
                let first: Option<String> = map.next_key()?;
                match first {
                    Some(k) if k == self.0 => {
                        let item = map.next_value()?;
                        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                        Ok(item)
                    }
                    first => T::deserialize(MapAccessDeserializer::new(Replay { first, map })),
                }
            }
        }

        /// A map whose first key was already read: gives it again, then the rest.
        struct Replay<A> {
            first: Option<String>,
            map: A,
        }

        impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<A> {
            type Error = A::Error;

            fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
                match self.first.take() {
                    Some(k) => seed.deserialize(StringDeserializer::<A::Error>::new(k)).map(Some),
                    None => self.map.next_key_seed(seed),
                }
            }

            fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
                self.map.next_value_seed(seed)
            }
        }
    }

    /// Writes a list as `[{"<key>": item}, ...]`.
    pub fn write_keyed_list<S: Serializer, T: Serialize>(
        items: &[T],
        key: &'static str,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        struct Item<'a, T>(&'static str, &'a T);
        impl<T: Serialize> Serialize for Item<'_, T> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry(self.0, self.1)?;
                m.end()
            }
        }
        let mut seq = s.serialize_seq(Some(items.len()))?;
        for item in items {
            seq.serialize_element(&Item(key, item))?;
        }
        seq.end()
    }

    /// Reads a list of plain values, accepting `null` as empty and one value as a one-item list.
    pub fn flexible_list<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(Vec::new()),
            Value::Array(a) => a.into_iter().map(|v| T::deserialize(v).map_err(D::Error::custom)).collect(),
            other => T::deserialize(other).map(|v| vec![v]).map_err(D::Error::custom),
        }
    }

    /// `rebootRequired`: 1 (or `true`, `"1"`, `"true"`) means a reboot is required; any other
    /// value means it is not (9.23).
    pub fn reboot_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        Ok(match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(b),
            Some(Value::Number(n)) => Some(n.as_i64() == Some(1)),
            Some(Value::String(s)) => Some(matches!(s.trim(), "1" | "true" | "TRUE" | "True")),
            Some(_) => Some(false),
        })
    }

    /// Generates a serde `with` module for a keyed list.
    macro_rules! keyed {
        ($module:ident, $key:literal) => {
            #[doc = concat!("A list of `{\"", $key, "\": item}`.")]
            pub mod $module {
                use serde::de::DeserializeOwned;
                use serde::{Deserializer, Serialize, Serializer};

                /// Writes the list.
                pub fn serialize<S: Serializer, T: Serialize>(items: &[T], s: S) -> Result<S::Ok, S::Error> {
                    super::write_keyed_list(items, $key, s)
                }

                /// Reads the list.
                pub fn deserialize<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
                    super::keyed_list(d, $key)
                }
            }
        };
    }

    keyed!(channel, "Channel");
    keyed!(dev, "Dev");
    keyed!(device, "Device");
    keyed!(io_input_port, "IOInputPort");
    keyed!(io_output_port, "IOOutputPort");
    keyed!(network_interface, "NetworkInterface");
    keyed!(v6_address, "v6Address");
    keyed!(output_mod, "OutputMod");
    keyed!(output, "Output");
    keyed!(siren, "Siren");
    keyed!(repeater, "Repeater");
    keyed!(sub_sys, "SubSys");
    keyed!(zone, "Zone");
}
