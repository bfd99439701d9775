//! Conformance tests of watchpost (see `tests/`), and the example vendor that proves the code
//! generator end to end ([`example`]).

pub mod example;
pub mod roundtrip;
