//! Arbitrary request parameters for the property tests of the generated simulator decoders:
//! [`params`] builds, from an operation's parameter table, a strategy of JSON objects keyed by
//! wire names, which a vendor's generated `roundtrip(op_id, params)` encodes with the client
//! side and decodes with the simulator side.
//!
//! Plain types (`string`, `int`, `bool01`, `string[]`, ...) are generated from their spec type;
//! `model:` and `enum:` types come from samples the vendor's test gives (valid JSON values of
//! each type). Values stay in the domain the wire can carry: path values are never empty (the
//! client refuses them), comma-joined list items hold no comma, header values are visible ASCII,
//! floats are exact in decimal, and an optional value is never `null` (that is "absent").

use proptest::prelude::*;
use serde_json::{Map, Value};
use watchpost_core::operation::{Operation, ParamInfo, ParamLocation};

/// Samples of the `model:`/`enum:` types of a vendor: given the spec type (`enum:models::Sort`),
/// valid JSON values of it, or an empty list when the test has none.
pub type Samples = fn(&str) -> Vec<Value>;

/// A strategy of parameter objects for `op`: every required parameter, each optional one
/// present or absent.
pub fn params(op: &'static Operation, samples: Samples) -> BoxedStrategy<Value> {
    let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = op
        .params
        .iter()
        .map(|p| {
            let wire = p.wire.to_owned();
            let value = value(p, samples).prop_map(move |v| (wire.clone(), v));
            if p.required {
                value.prop_map(Some).boxed()
            } else {
                proptest::option::of(value).boxed()
            }
        })
        .collect();
    fields.prop_map(|pairs| Value::Object(pairs.into_iter().flatten().collect::<Map<String, Value>>())).boxed()
}

/// Whether a parameter travels as text (path, query, form, header).
fn in_text(p: &ParamInfo) -> bool {
    matches!(p.location, ParamLocation::Path | ParamLocation::Query | ParamLocation::Form | ParamLocation::Header)
}

fn text(p: &ParamInfo) -> BoxedStrategy<String> {
    match p.location {
        ParamLocation::Header => "[!-~]([ -~]{0,14}[!-~])?".boxed(),
        ParamLocation::Path => "\\PC{1,12}".boxed(),
        _ => "\\PC{0,12}".boxed(),
    }
}

fn value(p: &'static ParamInfo, samples: Samples) -> BoxedStrategy<Value> {
    match p.ty {
        "string" | "secret" => text(p).prop_map(Value::String).boxed(),
        "int" => any::<i64>().prop_map(Value::from).boxed(),
        // Small values as often as any, so that declared limits are met and missed.
        "u32" => prop_oneof![0u32..2000, any::<u32>()].prop_map(Value::from).boxed(),
        "u64" => any::<u64>().prop_map(Value::from).boxed(),
        // Quarters are exact in binary and in decimal text.
        "f64" => (-4_000_000i64..4_000_000).prop_map(|q| Value::from(q as f64 / 4.0)).boxed(),
        "bool" | "bool01" => any::<bool>().prop_map(Value::Bool).boxed(),
        "json" => json_leaf().boxed(),
        "bytes" => proptest::collection::vec(any::<u8>(), 0..16).prop_map(Value::from).boxed(),
        "string[]" => {
            // The table does not say a text list's style: items in the domain both carry (a
            // comma-joined list cannot hold a comma or an empty item).
            let item = if in_text(p) { "[^,\\p{C}]{1,6}".boxed() } else { "\\PC{0,6}".boxed() };
            proptest::collection::vec(item, 0..4).prop_map(Value::from).boxed()
        }
        other => {
            let values = samples(other);
            assert!(!values.is_empty(), "no samples of `{other}` for parameter `{}`", p.name);
            proptest::sample::select(values).boxed()
        }
    }
}

/// A JSON value that is not `null`.
fn json_leaf() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z]{1,4}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
