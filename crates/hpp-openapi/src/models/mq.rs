//! The alarm message queue (3.33-3.35) and alarm pictures (3.36).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use watchpost_core::codec::lenient;
use watchpost_core::codec::param::ToParam;

/// `subType` of `mq/subscribe`: subscribe (1) or unsubscribe (0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubType {
    /// 0: stop the alarm messages.
    Unsubscribe,
    /// 1: receive the alarm messages.
    Subscribe,
}

impl SubType {
    /// The wire value.
    pub fn value(self) -> u8 {
        match self {
            SubType::Unsubscribe => 0,
            SubType::Subscribe => 1,
        }
    }
}

impl Serialize for SubType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.value())
    }
}

impl<'de> Deserialize<'de> for SubType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v: u8 = lenient::int::deserialize(d)?;
        match v {
            0 => Ok(SubType::Unsubscribe),
            1 => Ok(SubType::Subscribe),
            other => Err(serde::de::Error::custom(format!("subType {other} is neither 0 nor 1"))),
        }
    }
}

impl ToParam for SubType {
    fn to_param(&self) -> String {
        self.value().to_string()
    }
}

/// `subMode` of `mq/subscribe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubMode {
    /// `"all"`: every device, devices added later included.
    All,
    /// `"list"`: the devices of `deviceSerialList`.
    List,
}

impl ToParam for SubMode {
    fn to_param(&self) -> String {
        match self {
            SubMode::All => "all",
            SubMode::List => "list",
        }
        .to_owned()
    }
}

/// The `data` of `mq/messages`: one batch of alarm messages, to confirm with `mq/offset`.
///
/// An idle poll's shape is undocumented: a missing or `null` `batchId` and a missing `list` are
/// read as "no batch".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageBatch {
    /// The batch to confirm with `mq/offset`; unconfirmed batches are sent again later.
    #[serde(default, with = "lenient::opt_string")]
    pub batch_id: Option<String>,
    /// The messages of the batch.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub list: Vec<AlarmMessage>,
}

impl MessageBatch {
    /// Whether the poll returned no messages.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

fn null_as_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// The format of an alarm message's `alarmData`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FormatType {
    /// `alarmData` is ISAPI XML text.
    #[serde(rename = "XML")]
    Xml,
    /// `alarmData` is JSON (text or an embedded object).
    #[serde(rename = "JSON")]
    Json,
    /// Any other value, kept as sent.
    #[serde(untagged)]
    Other(String),
}

/// One alarm message of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlarmMessage {
    /// The format of `alarm_data`: XML or JSON.
    pub format_type: FormatType,
    /// The device serial number.
    #[serde(default, with = "lenient::string")]
    pub device_serial: String,
    /// The alarm data: a string (XML or JSON text) as documented, or a JSON value as in the
    /// seed's example (L3319); both are kept as sent.
    #[serde(default)]
    pub alarm_data: Value,
}

impl AlarmMessage {
    /// The alarm data as text: the string itself, or the embedded JSON value written out.
    pub fn alarm_text(&self) -> String {
        match &self.alarm_data {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }

    /// The alarm data as JSON, for JSON messages: the embedded value, or the string parsed.
    /// `None` for XML messages and for text that is not JSON.
    pub fn alarm_json(&self) -> Option<Value> {
        if self.format_type != FormatType::Json {
            return None;
        }
        match &self.alarm_data {
            Value::String(s) => serde_json::from_str(s).ok(),
            Value::Null => None,
            other => Some(other.clone()),
        }
    }
}

/// The `data` of `alarm/pictureurl`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PictureUrl {
    /// The URL to download the picture from, valid for two hours.
    #[serde(default, with = "lenient::string")]
    pub picture_url: String,
    /// Whether the picture is encrypted.
    #[serde(default, with = "lenient::bool_any")]
    pub encrypt: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_reads_text_and_embedded_alarm_data() {
        let b: MessageBatch = serde_json::from_str(
            r#"{"batchId":"xxxxxx","list":[{"formatType":"XML","deviceSerial":"DS2323","alarmData":"xxx"},
            {"formatType":"JSON","deviceSerial":"DS2323","alarmData":{"deviceSerial":"xxx","eventType":"VMD"}}]}"#,
        )
        .unwrap();
        assert_eq!(b.batch_id.as_deref(), Some("xxxxxx"));
        assert_eq!(b.list[0].format_type, FormatType::Xml);
        assert_eq!(b.list[0].alarm_text(), "xxx");
        assert_eq!(
            b.list[1].alarm_json().and_then(|v| v["eventType"].as_str().map(str::to_owned)).as_deref(),
            Some("VMD")
        );
        let idle: MessageBatch = serde_json::from_str(r#"{"batchId":null,"list":null}"#).unwrap();
        assert!(idle.is_empty() && idle.batch_id.is_none());
    }

    #[test]
    fn sub_type_is_a_number_on_the_wire() {
        assert_eq!(serde_json::to_string(&SubType::Subscribe).unwrap(), "1");
        assert_eq!(serde_json::from_str::<SubType>("\"0\"").unwrap(), SubType::Unsubscribe);
        assert!(serde_json::from_str::<SubType>("2").is_err());
        assert_eq!(serde_json::to_string(&SubMode::List).unwrap(), "\"list\"");
    }
}

#[cfg(test)]
mod seed_examples {
    use super::*;
    use crate::envelope::Envelope;

    fn data<T: serde::de::DeserializeOwned>(fixture: &str) -> T {
        let env = Envelope::parse(fixture.as_bytes()).unwrap();
        assert!(env.is_success());
        env.data_as().unwrap()
    }

    #[test]
    fn the_examples_of_3_33_to_3_36_decode() {
        data::<()>(include_str!("../../fixtures/seed/3.33.json"));
        data::<()>(include_str!("../../fixtures/seed/3.35.json"));
        let batch: MessageBatch = data(include_str!("../../fixtures/seed/3.34.json"));
        assert_eq!(batch.batch_id.as_deref(), Some("xxxxxx"));
        assert_eq!(batch.list.len(), 2);
        assert_eq!(batch.list[0].device_serial, "DS2323");
        assert_eq!(batch.list[1].format_type, FormatType::Json);
        let pic: PictureUrl = data(include_str!("../../fixtures/seed/3.36.json"));
        assert_eq!(pic, PictureUrl { picture_url: String::new(), encrypt: true });
    }
}
