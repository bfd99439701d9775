//! Readers for the shapes the health report and the sharing answers drift between.

use serde::de::{DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde_json::Value;

/// Reads a list of texts whose items may be text or numbers (`["-1"]`, `[1, 2]`); `null` reads
/// as an empty list. Items that are neither (objects, lists) are skipped.
pub(crate) fn text_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let value = Option::<Value>::deserialize(deserializer)?;
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(one) => vec![one],
    };
    Ok(items
        .into_iter()
        .filter_map(|v| match v {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        })
        .collect())
}

/// Reads a list documented as an array that some answers send as one object (or `null`).
pub(crate) fn one_or_many<'de, D: Deserializer<'de>, T: DeserializeOwned>(deserializer: D) -> Result<Vec<T>, D::Error> {
    let value = Option::<Value>::deserialize(deserializer)?;
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => {
            items.into_iter().map(|v| serde_json::from_value(v).map_err(serde::de::Error::custom)).collect()
        }
        Some(one) => serde_json::from_value(one).map(|t| vec![t]).map_err(serde::de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "text_list")]
        texts: Vec<String>,
        #[serde(default, deserialize_with = "one_or_many")]
        items: Vec<u8>,
    }

    #[test]
    fn text_lists_read_numbers_and_one_value() {
        let p: Probe = serde_json::from_str(r#"{"texts":["-1",2,{"x":1}],"items":3}"#).unwrap();
        assert_eq!(p.texts, ["-1", "2"]);
        assert_eq!(p.items, [3]);
        let p: Probe = serde_json::from_str(r#"{"texts":null,"items":[1,2]}"#).unwrap();
        assert!(p.texts.is_empty());
        assert_eq!(p.items, [1, 2]);
        assert!(serde_json::from_str::<Probe>(r#"{"items":"x"}"#).is_err());
    }
}
