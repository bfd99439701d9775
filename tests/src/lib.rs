//! Conformance tests of watchpost; see `tests/`.
