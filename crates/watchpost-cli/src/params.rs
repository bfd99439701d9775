//! `--param KEY=VALUE` to the JSON object a vendor crate's `dispatch` takes: keys resolved to
//! wire names, values coerced with the spec's type of each parameter.

use serde_json::{Map, Number, Value};
use watchpost::core::operation::{Operation, ParamInfo, ParamLocation};

use crate::error::{CliError, CliResult};

/// Finds the parameter `key` of `op`: by wire name, then by Rust field name, then either one
/// ignoring case.
pub fn find_param<'a>(op: &'a Operation, key: &str) -> Option<&'a ParamInfo> {
    op.params
        .iter()
        .find(|p| p.wire == key)
        .or_else(|| op.params.iter().find(|p| p.name == key))
        .or_else(|| op.params.iter().find(|p| p.wire.eq_ignore_ascii_case(key) || p.name.eq_ignore_ascii_case(key)))
}

/// Whether the spec type is a list (`string[]`, `u32[]`, ...).
fn is_list(ty: &str) -> bool {
    ty.ends_with("[]")
}

/// Coerces the text `value` of parameter `p` to JSON by its spec type: integers (`int`, `u32`,
/// `u64`, ...) to numbers (a point in time in Unix seconds, see [`unix_seconds`], also from an
/// ISO-8601 time), `bool`/`bool01` to booleans, `json`/`model:` to parsed JSON, lists to
/// a JSON array (JSON text or a comma list), anything else (`string`, `secret`, `enum:`) to a
/// string (an `enum:` value written as a JSON array or object is parsed).
///
/// # Errors
/// A usage error naming the parameter and its expected type.
pub fn coerce(op: &Operation, p: &ParamInfo, value: &str) -> CliResult<Value> {
    let bad = |what: &str| {
        CliError::usage(format!("{}: parameter `{}` expects {what}, got {value:?}", op.id, p.wire))
            .hint(format!("{} ({})", p.doc, p.ty))
    };
    let ty = p.ty;
    if let Some(elem) = ty.strip_suffix("[]") {
        let trimmed = value.trim();
        if trimmed.starts_with('[') {
            return serde_json::from_str::<Value>(trimmed)
                .ok()
                .filter(Value::is_array)
                .ok_or_else(|| bad("a JSON array or a comma-separated list"));
        }
        if trimmed.is_empty() {
            return Ok(Value::Array(Vec::new()));
        }
        let elem_info = ParamInfo { ty: elem, ..*p };
        return trimmed
            .split(',')
            .map(|item| coerce(op, &elem_info, item.trim()))
            .collect::<CliResult<Vec<_>>>()
            .map(Value::Array);
    }
    match ty {
        "int" | "integer" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" => {
            let t = value.trim();
            let n = if ty.starts_with('u') {
                t.parse::<u64>().ok().map(Number::from)
            } else {
                t.parse::<i64>().ok().map(Number::from)
            };
            if n.is_none() && is_unix_seconds(p) {
                return unix_seconds(t)
                    .map(|secs| Value::Number(Number::from(secs)))
                    .map_err(|why| bad(&format!("Unix seconds or an ISO-8601 time with a zone ({why})")));
            }
            n.map(Value::Number)
                .ok_or_else(|| bad(if ty.starts_with('u') { "a whole number >= 0" } else { "a whole number" }))
        }
        "number" | "float" | "f32" | "f64" => value
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| bad("a number")),
        "bool" | "bool01" => match value.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(Value::Bool(true)),
            "0" | "false" | "no" | "off" => Ok(Value::Bool(false)),
            _ => Err(bad("true or false (or 1/0)")),
        },
        "json" => serde_json::from_str(value.trim()).map_err(|_| bad("JSON")),
        _ if ty.starts_with("model:") => {
            serde_json::from_str(value.trim()).map_err(|e| bad(&format!("a JSON document ({e})")))
        }
        _ if ty.starts_with("enum:")
            && (value.trim_start().starts_with('[') || value.trim_start().starts_with('{')) =>
        {
            serde_json::from_str(value.trim()).map_err(|_| bad("a value or JSON"))
        }
        _ => Ok(Value::String(value.to_owned())),
    }
}

/// Whether `p` is a point in time in Unix seconds: an integer parameter whose spec doc says
/// "Unix seconds" (Gizwits `start_ts`/`end_ts`).
fn is_unix_seconds(p: &ParamInfo) -> bool {
    matches!(p.ty, "int" | "integer" | "i64" | "u64") && p.doc.contains("Unix seconds")
}

/// Unix seconds of an ISO-8601 time with its zone: `2026-12-05T10:00:00Z`,
/// `2026-12-05T10:00:00+08:00` (RFC 3339), or the basic form `20261205T100000+0800`; fractions of
/// a second are dropped (rounded down). A date alone or a time without a zone is refused, since
/// a centre's local midnight and UTC midnight differ by hours: the message says how to write it.
///
/// # Errors
/// Why the text is not such a time.
pub fn unix_seconds(text: &str) -> Result<i64, String> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    use time::{Date, OffsetDateTime, PrimitiveDateTime};
    let t = text.trim();
    if let Ok(at) = OffsetDateTime::parse(t, &Rfc3339).or_else(|_| OffsetDateTime::parse(t, &Iso8601::DEFAULT)) {
        return Ok(at.unix_timestamp());
    }
    if PrimitiveDateTime::parse(t, &Iso8601::DEFAULT).is_ok() {
        return Err(format!("{t} has no zone: add Z for UTC or an offset such as +08:00"));
    }
    if Date::parse(t, &Iso8601::DEFAULT).is_ok() {
        return Err(format!("{t} is a date without a time and zone: write {t}T00:00:00Z or {t}T00:00:00+08:00"));
    }
    Err("e.g. 1796464800 or 2026-12-05T10:00:00Z".to_owned())
}

/// Reads `@FILE` values; other values are returned as given.
fn read_value(op: &Operation, key: &str, value: &str) -> CliResult<String> {
    match value.strip_prefix('@') {
        Some(path) if !path.is_empty() => std::fs::read_to_string(path)
            .map(|s| s.trim_end_matches(['\n', '\r']).to_owned())
            .map_err(|e| CliError::usage(format!("{}: cannot read the value of `{key}` from {path}: {e}", op.id))),
        _ => Ok(value.to_owned()),
    }
}

/// Builds the parameters of `op` from `KEY=VALUE` pairs; `defaults` (wire name, value) fill
/// parameters the pairs leave out (a Gizwits product key given with `--product-key`).
///
/// # Errors
/// A usage error (exit code 2) for a malformed pair, an unknown or repeated key, a value of the
/// wrong type, or a missing required parameter.
pub fn build(op: &Operation, pairs: &[String], defaults: &[(&str, String)]) -> CliResult<Value> {
    let mut out = Map::new();
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(CliError::usage(format!("{}: expected KEY=VALUE, got {pair:?}", op.id))
                .hint(format!("pass parameters as --param KEY=VALUE; {}", param_names(op))));
        };
        let key = key.trim();
        let Some(p) = find_param(op, key) else {
            return Err(CliError::usage(format!("{}: unknown parameter `{key}`", op.id)).hint(param_names(op)));
        };
        let value = read_value(op, key, value)?;
        let v = coerce(op, p, &value)?;
        match out.get_mut(p.wire) {
            None => {
                out.insert(p.wire.to_owned(), v);
            }
            Some(Value::Array(items)) if is_list(p.ty) => match v {
                Value::Array(more) => items.extend(more),
                other => items.push(other),
            },
            Some(_) => return Err(CliError::usage(format!("{}: parameter `{}` given twice", op.id, p.wire))),
        }
    }
    for (wire, value) in defaults {
        if let Some(p) = op.params.iter().find(|p| p.wire == *wire) {
            if !out.contains_key(p.wire) {
                out.insert(p.wire.to_owned(), coerce(op, p, value)?);
            }
        }
    }
    let missing: Vec<&ParamInfo> = op.params.iter().filter(|p| p.required && !out.contains_key(p.wire)).collect();
    if let Some(first) = missing.first() {
        let names: Vec<String> = missing.iter().map(|p| format!("`{}`", p.wire)).collect();
        return Err(CliError::usage(format!(
            "{}: missing required parameter{} {}",
            op.id,
            plural(names.len()),
            names.join(", ")
        ))
        .hint(format!("pass --param {}=VALUE ({}: {})", first.wire, first.ty, first.doc)));
    }
    Ok(Value::Object(out))
}

/// For the Device Gateway, whose JSON bodies are documents with one root member named like the
/// parameter (`DeviceInList` holds `{"DeviceInList": [...]}`): wraps a body value given without
/// that root, so `--param 'DeviceInList=[{...}]'` works as well as the whole document.
pub fn wrap_body_roots(op: &Operation, params: &mut Value) {
    let Value::Object(map) = params else { return };
    for p in op.params.iter().filter(|p| p.location == ParamLocation::Body && p.ty.starts_with("model:")) {
        if let Some(v) = map.get_mut(p.wire) {
            let has_root = matches!(v, Value::Object(m) if m.contains_key(p.wire));
            if !has_root {
                let inner = std::mem::take(v);
                let mut root = Map::new();
                root.insert(p.wire.to_owned(), inner);
                *v = Value::Object(root);
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// "parameters of OP: a, b, c" for hints.
fn param_names(op: &Operation) -> String {
    if op.params.is_empty() {
        return format!("{} takes no parameters", op.id);
    }
    let names: Vec<&str> = op.params.iter().map(|p| p.wire).collect();
    format!("parameters of {}: {} (`--list` with the operation shows their types)", op.id, names.join(", "))
}

#[cfg(test)]
mod tests {
    use watchpost::core::__private::Method;
    use watchpost::core::operation::TimeoutClass;

    use super::*;

    const fn p(name: &'static str, wire: &'static str, ty: &'static str, required: bool) -> ParamInfo {
        ParamInfo { name, wire, location: ParamLocation::Form, ty, required, doc: "doc" }
    }

    static OP: Operation = Operation {
        params: &[
            p("device_serial", "deviceSerial", "string", true),
            p("channel_no", "channelNo", "u32", false),
            p("enable", "enable", "bool01", false),
            p("body", "Body", "model:models::X", false),
            p("ids", "ids", "string[]", false),
            p("mode", "mode", "enum:models::Mode", false),
            p("offset", "offset", "int", false),
        ],
        ..OP_BASE
    };

    const OP_BASE: Operation = Operation {
        vendor: "t",
        id: "t.op",
        method: Method::POST,
        path: "/x",
        idempotent: false,
        timeout: TimeoutClass::Default,
        summary: "",
        section: "",
        params: &[],
    };

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn values_follow_the_spec_types() {
        let v = build(
            &OP,
            &args(&[
                "deviceSerial=0123",
                "channel_no=2",
                "enable=on",
                "Body={\"a\":[1]}",
                "ids=a, b",
                "ids=c",
                "mode=16",
                "offset=-3",
            ]),
            &[],
        )
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"deviceSerial": "0123", "channelNo": 2, "enable": true, "Body": {"a": [1]},
                               "ids": ["a", "b", "c"], "mode": "16", "offset": -3})
        );
    }

    #[test]
    fn bad_values_and_keys_are_usage_errors() {
        for bad in [
            &["deviceSerial=1", "channelNo=two"][..],
            &["deviceSerial=1", "channelNo=-1"],
            &["deviceSerial=1", "enable=maybe"],
            &["deviceSerial=1", "Body={"],
            &["deviceSerial=1", "nope=1"],
            &["deviceSerial"],
            &["deviceSerial=1", "deviceSerial=2"],
            &["channelNo=1"],
        ] {
            let e = build(&OP, &args(bad), &[]).unwrap_err();
            assert_eq!(e.exit, crate::error::EXIT_USAGE, "{bad:?}");
            assert!(e.message.contains("t.op"), "{}", e.message);
        }
        let e = build(&OP, &[], &[]).unwrap_err();
        assert!(e.message.contains("missing required parameter `deviceSerial`"), "{}", e.message);
    }

    #[test]
    fn time_parameters_take_unix_seconds_or_iso_8601() {
        static TIMES: Operation = Operation {
            params: &[
                ParamInfo { doc: "Start timestamp (Unix seconds)", ..p("start_ts", "start_ts", "int", false) },
                p("count", "count", "int", false),
            ],
            ..OP_BASE
        };
        let one = |v: &str| build(&TIMES, &args(&[&format!("start_ts={v}")]), &[]).map(|o| o["start_ts"].clone());
        // 2026-12-05T10:00:00Z is 20,792 days and 10 hours after the epoch.
        let utc10 = 20_792 * 86_400 + 10 * 3600;
        assert_eq!(one("1796464800").unwrap(), serde_json::json!(1_796_464_800));
        assert_eq!(utc10, 1_796_464_800);
        assert_eq!(one("2026-12-05T10:00:00Z").unwrap(), serde_json::json!(utc10));
        assert_eq!(one("2026-12-05T18:00:00+08:00").unwrap(), serde_json::json!(utc10));
        assert_eq!(one("2026-12-05T10:00:00.999Z").unwrap(), serde_json::json!(utc10), "fractions round down");
        assert_eq!(one("20261205T180000+0800").unwrap(), serde_json::json!(utc10), "ISO-8601 basic form");
        let e = one("2026-12-05").unwrap_err();
        assert!(e.message.contains("2026-12-05T00:00:00Z"), "{}", e.message);
        let e = one("2026-12-05T10:00:00").unwrap_err();
        assert!(e.message.contains("no zone"), "{}", e.message);
        let e = one("yesterday").unwrap_err();
        assert!(e.message.contains("ISO-8601"), "{}", e.message);
        // Other integers stay integers.
        let e = build(&TIMES, &args(&["count=2026-12-05T10:00:00Z"]), &[]).unwrap_err();
        assert!(e.message.contains("a whole number"), "{}", e.message);
    }

    #[test]
    fn gateway_bodies_get_their_root_member() {
        static BODY: Operation = Operation {
            params: &[ParamInfo {
                name: "body",
                wire: "DeviceInList",
                location: ParamLocation::Body,
                ty: "model:models::DeviceInListMsg",
                required: true,
                doc: "",
            }],
            ..OP_BASE
        };
        let mut bare = build(&BODY, &args(&["DeviceInList=[{\"a\":1}]"]), &[]).unwrap();
        wrap_body_roots(&BODY, &mut bare);
        let mut whole = build(&BODY, &args(&["DeviceInList={\"DeviceInList\":[{\"a\":1}]}"]), &[]).unwrap();
        wrap_body_roots(&BODY, &mut whole);
        assert_eq!(bare, whole);
        assert_eq!(bare, serde_json::json!({"DeviceInList": {"DeviceInList": [{"a": 1}]}}));
    }

    #[test]
    fn defaults_fill_missing_parameters_only() {
        let v =
            build(&OP, &args(&["deviceSerial=x"]), &[("deviceSerial", "y".into()), ("channelNo", "3".into())]).unwrap();
        assert_eq!(v, serde_json::json!({"deviceSerial": "x", "channelNo": 3}));
    }
}
