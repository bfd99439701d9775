//! Robustness of everything that reads bytes from the wire: the error envelope, the response
//! classifier, the body decoder of every response model and the accessors that interpret decoded
//! values. Any bytes (seed examples mutated at random, with huge numbers, wrong shapes, deep
//! nesting and truncation spliced in) give a value or a typed error, never a panic.

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use watchpost_core::operation::RawResponse;
use watchpost_core::ErrorKind;

use crate::client::decode;
use crate::error::ErrorEnvelope;
use crate::models::*;
use crate::profile::classify;

/// Bodies in the shapes of the seed's examples (and error bodies), the starting points of the
/// mutations.
const SEEDS: &[&str] = &[
    r#"{"token":"89d753a234ef42cd90f75da7489e78a4","expired_at":1517897923}"#,
    r#"{"token":"x","expire_at":"1517897923"}"#,
    r#"{"error_code":"5001","error_message":"body json invalid","detail":""}"#,
    r#"{"error_code":5013,"error_message":"API call rate limit execeed quota","detail_message":{"a":1}}"#,
    r#"{"meta":{"previous":null,"skip":0,"total":3,"limit":20,"next":null},"objects":[{"city":"Guangzhou","did":"kYkSE2xspYjocBhaUHdM5k","mac":"virtual:site","longitude":113.280637,"latitude":"23.125178","is_online":1,"is_alert":false,"created_at":1505789918,"online_latest":"1517296665"}]}"#,
    r#"{"meta":{"total":5,"limit":20},"objects":[{"timestamp":1517384124.229,"type":"dev_online","payload":{"keep_alive":130}},{"timestamp":"1517298056.201","type":"dev_offline","payload":{"duration":1391,"heartbeat":{"count":21,"max":60,"min":60},"reason":"no_heartbeat"}}]}"#,
    r#"{"meta":{"total":6},"objects":[{"timestamp":1517384252.294,"type":"app2dev","payload":"0000000309000090010101000010"},{"timestamp":1,"type":"dev2app","payload":"AAECAw=="}]}"#,
    r#"{"meta":{"total":3},"objects":[{"ts":1517384243,"attrs":{"mode":"制冷","switch":1,"room_temp":-10,"binary":"1234"}}]}"#,
    r#"{"name":"x","product_key":"pk","entities":[{"id":0,"name":"entity0","attrs":[{"name":"switch","data_type":"bool","type":"status_writable"},{"name":"mode","data_type":"enum","enum":["a","b"],"type":"status_writable"},{"name":"set_temp","data_type":"uint8","type":"status_writable","uint_spec":{"min":0,"max":14,"ratio":1,"addition":16}},{"name":"binary","data_type":"binary","type":"status_writable","position":{"len":5,"unit":"byte"}}]}]}"#,
    r#"{"c8e4b5634b047dc495be4a05a39d02a3":{"a":"","b":{"c":""}}}"#,
    r#"{"gid":"g"}"#,
    r#"{"macs":["virtual:site"]}"#,
    r#"{"failed":[],"success":["jaUHdkYkSocBhE2xspYM5k"]}"#,
    r#"{"gid":null,"total":4,"location":{"China":{"count":3,"Guangdong":{"count":3,"Guangzhou":3}}}}"#,
    r#"{"active":{"7_day":0,"yesterday":0},"new":{"7_day":0,"30_day":0,"yesterday":0,"today":0},"total":3,"online":0}"#,
    r#"{"start":"2017-12","gid":null,"end":"2017-12","data":[{"count":2,"month":"2017-12","location":{"China":{"count":1}}}],"cycle":"month"}"#,
    r#"{"count":{"faulty":0,"activated":4},"gid":null,"location":{"China":{"count":{"activated":2},"Guangdong":{"count":{"faulty":1}}}}}"#,
    r#"{"gid":"g","count":{"total":5,"resolved":2,"unresolved":3},"detail":{"fault_roomtemp":{"total":2}},"location":{"China":{"count":{"total":1},"detail":{"fault_roomtemp":{"total":1}}}}}"#,
    r#"{"data":[{"date":"2017-12-13","count":3}]}"#,
    r#"{"China":{"count":2,"Guangdong":{"count":2,"Guangzhou":{"count":2}}}}"#,
    r#"{"gid":null,"total":31}"#,
    r#"{"meta":{"total":1},"objects":[{"uid":"u","username":"lin","is_anonymous":1,"created_at":"1517384243","is_owner":true}]}"#,
    r#"{"did":"cBYkSjoE2xspYMhaUHdk5k","passcode":"123456","is_online":"true","type":"normal"}"#,
    "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>",
    "",
];

/// Fragments spliced into the bodies: numbers no integer holds, wrong types, deep nesting.
const FRAGMENTS: &[&str] = &[
    "18446744073709551616",
    "-9223372036854775809",
    "1e400",
    "-1e308",
    "1.7976931348623157e308",
    "-0.5",
    "NaN",
    "null",
    "true",
    "\"\"",
    "\"9999999999999999999999\"",
    "\"1e999\"",
    "[]",
    "{}",
    "{\"count\":{\"x\":\"y\"}}",
    "\"\\ud800\"",
    "\"\u{7}\"",
    ",",
    ":",
    "}",
    "]",
];

/// A small deterministic generator (xorshift64), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }
}

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut body = seed.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(body.len() + 1);
        match rng.below(5) {
            0 => body.truncate(at),
            1 => {
                if let Some(b) = body.get_mut(at) {
                    *b = u8::try_from(rng.next() & 0xff).unwrap_or(0);
                }
            }
            2 => {
                let end = (at + rng.below(8)).min(body.len());
                body.drain(at..end);
            }
            3 => {
                let deep = "[".repeat(200 + rng.below(300));
                body.splice(at..at, deep.bytes());
            }
            _ => {
                let f = FRAGMENTS[rng.below(FRAGMENTS.len())];
                body.splice(at..at, f.bytes());
            }
        }
    }
    body
}

fn raw(status: u16, body: &[u8]) -> RawResponse {
    RawResponse {
        op: "robustness",
        status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        headers: HeaderMap::new(),
        body: Bytes::copy_from_slice(body),
    }
}

/// Decodes `body` as `T` through the client's decoder: a value or a typed decode error.
fn try_decode<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    match decode::<T>(&raw(200, body)) {
        Ok(v) => Some(v),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
            None
        }
    }
}

/// Runs every reader over one body, using the accessors on whatever decodes.
fn exercise(body: &[u8], datapoints: &ProductDatapoints) {
    let _ = ErrorEnvelope::parse(body).map(|e| (e.code().class_for_status(Some(400)), e.message()));
    for status in [200, 400, 403, 404, 500, 502] {
        if let Err(e) = classify(&raw(status, body), &watchpost_core::clock::TokioClock) {
            let _ = (e.class(), e.retry_after(), e.to_string());
        }
    }
    if let Some(t) = try_decode::<AccessToken>(body) {
        let _ = (t.expires_at(), t.expired_at.as_secs(), t.expired_at.as_millis(), t.expired_at.to_system_time());
    }
    if let Some(d) = try_decode::<ProductDatapoints>(body) {
        for p in d.datapoints() {
            let _ = (p.uint_spec.and_then(|s| s.value_range()), p.position.as_ref().and_then(Position::byte_len));
            for v in [Value::from(1), Value::from("1234567"), Value::from(-3.5), Value::Null] {
                let _ = (
                    p.check_value(&v, None),
                    p.check_value(&v, Some(&BinaryCoding::Base64)),
                    p.typed_value(&v),
                    p.encode_value(&v, None),
                    p.encode_value(&v, Some(&BinaryCoding::Base64)),
                );
            }
        }
    }
    if let Some(p) = try_decode::<Page<Device>>(body) {
        for d in &p.objects {
            let _ = d.created_at.map(|t| (t.as_secs(), t.to_system_time()));
        }
    }
    if let Some(p) = try_decode::<Page<OnlineRecord>>(body) {
        for r in &p.objects {
            let _ = (
                r.timestamp.as_millis(),
                r.payload.as_ref().and_then(RecordPayload::details).map(|d| d.heartbeat_stats()),
            );
        }
    }
    if let Some(p) = try_decode::<Page<CommandLog>>(body) {
        for c in &p.objects {
            let _ = c.payload.as_ref().and_then(RecordPayload::bytes);
        }
    }
    if let Some(p) = try_decode::<Page<DataRecord>>(body) {
        for r in &p.objects {
            for name in r.attrs.keys() {
                let _ = (r.value(name, Some(datapoints)), r.value(name, None));
            }
        }
    }
    if let Some(t) = try_decode::<GroupTree>(body) {
        let _ = (t.gids(), t.root());
    }
    if let Some(r) = try_decode::<LocationReport>(body) {
        let _ = r.location.find(&["China", "Guangdong"]).map(|n| (n.total(), n.get("activated")));
    }
    if let Some(t) = try_decode::<LocationTree>(body) {
        let _ = t.find(&["China"]).map(LocationNode::total);
    }
    let _ = try_decode::<Page<User>>(body);
    let _ = try_decode::<Page<DeviceReportEntry>>(body);
    let _ = try_decode::<DeviceDid>(body);
    let _ = try_decode::<DeviceDetail>(body);
    let _ = try_decode::<CreatedGroup>(body);
    let _ = try_decode::<GroupMacs>(body);
    let _ = try_decode::<BatchResult>(body).map(|b| b.all_succeeded());
    let _ = try_decode::<DeviceSummary>(body);
    let _ = try_decode::<CycleReport>(body);
    let _ = try_decode::<StatusReport>(body);
    let _ = try_decode::<IssueDeviceReport>(body);
    let _ = try_decode::<IssueEventReport>(body);
    let _ = try_decode::<ActiveUsers>(body);
    let _ = try_decode::<UserTotal>(body);
    let _ = try_decode::<()>(body);
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        let _ = ControlCommand::from_json(&v);
    }
}

#[test]
fn any_bytes_give_a_value_or_a_typed_error_never_a_panic() {
    let datapoints: ProductDatapoints = serde_json::from_str(SEEDS[8]).unwrap_or_else(|e| panic!("seed 8: {e}"));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut decoded = 0usize;
    for seed in SEEDS {
        exercise(seed.as_bytes(), &datapoints);
        for _ in 0..300 {
            let body = mutate(&mut rng, seed.as_bytes());
            decoded += usize::from(serde_json::from_slice::<Value>(&body).is_ok());
            exercise(&body, &datapoints);
        }
    }
    // Pure noise, too.
    for _ in 0..300 {
        let n = rng.below(64);
        let body: Vec<u8> = (0..n).map(|_| u8::try_from(rng.next() & 0xff).unwrap_or(0)).collect();
        exercise(&body, &datapoints);
    }
    assert!(decoded > 100, "the mutations kept enough bodies valid JSON to reach the models: {decoded}");
}

#[test]
fn huge_and_misshapen_numbers_are_typed_errors_or_saturate() {
    // A count beyond u64 and an exponent beyond f64 are rejected, not wrapped.
    assert!(try_decode::<UserTotal>(br#"{"total":18446744073709551616}"#).is_none());
    assert!(try_decode::<Page<Device>>(br#"{"meta":{"total":1e400},"objects":[]}"#).is_none());
    // A timestamp far beyond any date still reads, and its conversions do not overflow.
    let t = try_decode::<AccessToken>(br#"{"token":"t","expired_at":1e300}"#).map(|t| t.expired_at);
    assert!(t.is_some_and(|t| t.as_secs() == i64::MAX && t.to_system_time().is_none()), "{t:?}");
    // Wrong shapes are decode errors.
    assert!(try_decode::<Page<Device>>(br#"{"meta":{},"objects":{"did":"x"}}"#).is_none());
    assert!(try_decode::<GroupMacs>(br#"{"macs":"virtual:site"}"#).is_none());
    let deep = format!("{}{}", "{\"a\":".repeat(5000), "\"\"");
    assert!(try_decode::<GroupTree>(deep.as_bytes()).is_none(), "deep nesting is refused, not a stack overflow");
}
