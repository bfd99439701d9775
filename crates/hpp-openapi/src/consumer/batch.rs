//! One polled batch: decoding the `data` of `mq/messages` leniently, message by message.

use serde_json::Value;

use super::dedupe::Key;
use crate::models::mq::AlarmMessage;

/// A message of a batch that did not decode as an [`AlarmMessage`], kept as sent.
#[derive(Debug, Clone, PartialEq)]
pub struct MalformedMessage {
    /// The message as received.
    pub raw: Value,
    /// Why it did not decode.
    pub error: String,
}

/// The messages of one batch that were not handled before, handed to the handler of
/// [`Consumer::run`](super::Consumer::run).
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Batch {
    /// The platform's batch id (`None` when the platform sent messages without one: nothing can
    /// be committed for them).
    pub id: Option<String>,
    /// The messages not handled before, in the platform's order (duplicates within the dedupe
    /// window left out and counted).
    pub messages: Vec<AlarmMessage>,
    /// Messages that did not decode; the batch is committed with them once the handler
    /// returned `Ok`, so store them if they matter.
    pub malformed: Vec<MalformedMessage>,
}

/// What a poll answered, decoded.
#[derive(Debug, Default)]
pub(crate) struct Polled {
    pub(crate) id: Option<String>,
    pub(crate) messages: Vec<AlarmMessage>,
    pub(crate) malformed: Vec<MalformedMessage>,
}

impl Polled {
    /// Whether the poll brought nothing (any empty shape).
    pub(crate) fn is_empty(&self) -> bool {
        self.messages.is_empty() && self.malformed.is_empty()
    }
}

/// A batch in hand: what the engine needs to settle it.
#[derive(Debug)]
pub(crate) struct Ticket {
    pub(crate) id: Option<String>,
    pub(crate) keys: Vec<Key>,
}

/// Decodes the `data` of `mq/messages`. Every empty shape is an empty batch: no `data`, `null`,
/// `{}`, a missing or `null` `batchId`, a missing, `null` or empty `list`. A message that does
/// not decode is kept raw; only a `data` that is no batch at all is an error.
pub(crate) fn decode(data: Value) -> Result<Polled, String> {
    let mut map = match data {
        Value::Null => return Ok(Polled::default()),
        Value::Object(map) => map,
        other => return Err(format!("the data of mq/messages is {}, not a batch", kind(&other))),
    };
    let id = match map.remove("batchId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => return Err(format!("batchId is {}, not a string", kind(&other))),
    };
    let list = match map.remove("list") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list,
        Some(other) => return Err(format!("list is {}, not an array", kind(&other))),
    };
    let mut polled = Polled { id, ..Polled::default() };
    for raw in list {
        match serde_json::from_value::<AlarmMessage>(raw.clone()) {
            Ok(m) => polled.messages.push(m),
            Err(e) => polled.malformed.push(MalformedMessage { raw, error: e.to_string() }),
        }
    }
    Ok(polled)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_empty_shape_is_an_empty_batch() {
        for data in [
            json!(null),
            json!({}),
            json!({"batchId": null}),
            json!({"batchId": null, "list": []}),
            json!({"batchId": null, "list": null}),
            json!({"list": []}),
            json!({"batchId": "", "list": []}),
        ] {
            let p = decode(data.clone()).unwrap();
            assert!(p.is_empty() && p.id.is_none(), "{data}");
        }
        let p = decode(json!({"batchId": "b1", "list": []})).unwrap();
        assert!(p.is_empty() && p.id.as_deref() == Some("b1"));
    }

    #[test]
    fn a_bad_message_is_kept_raw_and_a_bad_batch_is_an_error() {
        let p = decode(json!({"batchId": 7, "list": [
            {"formatType": "JSON", "deviceSerial": "D1", "alarmData": {"a": 1}},
            {"deviceSerial": "D2"},
            "text"
        ]}))
        .unwrap();
        assert_eq!(p.id.as_deref(), Some("7"));
        assert_eq!(p.messages.len(), 1);
        assert_eq!(p.malformed.len(), 2);
        assert_eq!(p.malformed[1].raw, json!("text"));
        for bad in [json!("x"), json!([1]), json!({"list": {}}), json!({"batchId": [], "list": []}), json!(true)] {
            assert!(decode(bad.clone()).is_err(), "{bad}");
        }
    }

    /// Any JSON value, nested a few levels, with the batch's member names likely.
    fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
            ".{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            let key = prop_oneof![
                Just("batchId".to_owned()),
                Just("list".to_owned()),
                Just("formatType".to_owned()),
                Just("deviceSerial".to_owned()),
                Just("alarmData".to_owned()),
                ".{0,6}",
            ];
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map(key, inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Whatever a poll answers: no panic, and every element of a batch's list is either a
        /// message or kept raw as malformed (none is dropped).
        #[test]
        fn any_poll_answer_decodes_or_is_an_error_and_no_message_is_dropped(data in any_json()) {
            let listed = data.get("list").and_then(Value::as_array).map_or(0, Vec::len);
            if let Ok(p) = decode(data) {
                proptest::prop_assert_eq!(p.messages.len() + p.malformed.len(), listed);
            }
        }
    }
}
