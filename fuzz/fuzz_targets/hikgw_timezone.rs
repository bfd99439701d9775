//! The POSIX time-zone parser of `/ISAPI/System/time/timeZone` (`PosixTimeZone::parse`).
//!
//! Checks: no panic; a parsed zone round-trips through `Display` (format ∘ parse is the
//! identity on parsed values, and the written form is stable).
#![no_main]

use hik_gateway::PosixTimeZone;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match PosixTimeZone::parse(text) {
        Ok(tz) => {
            let written = tz.to_string();
            let again = PosixTimeZone::parse(&written)
                .unwrap_or_else(|e| panic!("{text:?} parsed, but its form {written:?} does not: {e}"));
            assert_eq!(again, tz, "{text:?} -> {written:?}");
            assert_eq!(again.to_string(), written);
            let _ = tz.utc_offset_seconds();
        }
        Err(e) => {
            assert!(e.position <= text.len(), "{e:?} past the end of {text:?}");
            let _ = e.to_string();
        }
    }
});
