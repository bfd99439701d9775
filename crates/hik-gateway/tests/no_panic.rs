//! Untrusted input never panics: any bytes into the part decoder, the lenient JSON reader,
//! the status/event models, the response classifier and the text formats give a value or a
//! typed error.

use bytes::Bytes;
use hik_gateway::events::parse_part;
use hik_gateway::models::{ResponseStatus, SubscribeDeviceMgmtRsp, UserCheck};
use hik_gateway::{HikProfile, IsoDateTime, LocalDateTime, PosixTimeZone};
use proptest::prelude::*;
use watchpost_core::pipeline::VendorProfile;
use watchpost_core::RawResponse;

/// Bytes that look like the gateway's documents often enough to reach the deeper decoders.
fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    let tokens = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"",
        " ",
        "0x",
        "1",
        "-",
        "9999999999999999999999",
        "1e400",
        "null",
        "true",
        "\"EventNotificationAlert\"",
        "\"CIDAlarm\"",
        "\"VideoReview\"",
        "\"HikCIDParams\"",
        "\"eventType\"",
        "\"CIDCode\"",
        "\"CIDParam\"",
        "\"timeZoneIdx\"",
        "\"statusCode\"",
        "\"subStatusCode\"",
        "\"errorCode\"",
        "\"SubscribeDeviceMgmtRsp\"",
        "\"FailList\"",
        "\"id\"",
        "\"dateTime\"",
        "\"2018-01-21T12:50:39+08:00\"",
        "\"heartBeat\"",
        "\"1,2,-1,x\"",
        "/*",
        "*/",
        "//",
        "\n",
        "<",
        ">",
        "</",
        "EventNotificationAlert",
        "ResponseStatus",
        "\\",
        "\u{e9}",
        "\u{ff}",
    ]);
    prop::collection::vec(tokens, 0..40).prop_map(|t| t.concat().into_bytes())
}

fn any_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![prop::collection::vec(any::<u8>(), 0..256), jsonish()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parts_never_panic(body in any_input(), ct in prop::option::of(prop::sample::select(vec![
        "application/json", "application/xml", "text/plain", "",
    ]))) {
        let _ = parse_part(ct, &body);
    }

    #[test]
    fn models_never_panic(body in any_input()) {
        let _ = hik_gateway::json::repair(&body);
        let _ = hik_gateway::json::from_slice::<ResponseStatus>(&body);
        let _ = hik_gateway::json::from_slice::<SubscribeDeviceMgmtRsp>(&body);
        let _ = hik_gateway::json::from_slice::<UserCheck>(&body);
        let _ = hik_gateway::json::from_slice::<serde_json::Value>(&body);
    }

    #[test]
    fn classification_never_panics(body in any_input(), status in 100u16..600) {
        let raw = RawResponse {
            op: "hikgw.proptest",
            status: http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK),
            headers: http::HeaderMap::new(),
            body: Bytes::from(body),
        };
        let _ = HikProfile.classify(&raw);
    }

    #[test]
    fn text_formats_never_panic(text in ".{0,64}", tz in "[A-Z<>+\\-0-9:,./MJ]{0,48}") {
        let _ = PosixTimeZone::parse(&text);
        let _ = PosixTimeZone::parse(&tz).map(|z| z.to_string());
        let t = IsoDateTime::parse(text.clone());
        let _ = (t.parts(), t.offset_seconds(), t.unix_timestamp());
        let _ = LocalDateTime::parse(text).parts();
    }
}
