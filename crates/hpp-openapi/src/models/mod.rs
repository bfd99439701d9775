//! Response models (the `data` of each operation's envelope) and typed request values, one
//! module per chapter of the Developer Guide.

pub mod arc;
pub mod common;
pub mod devices;
pub mod hotspare;
pub mod isapi;
pub mod mq;
pub mod otap;
pub mod people;
pub mod sites;
pub mod token;

/// The seed's response examples (`fixtures/seed/<section>.json`), read for the unit tests of every
/// chapter through the crate's own envelope parser, as the client reads an answer.
#[cfg(test)]
pub(crate) mod seed {
    use crate::envelope::Envelope;

    /// The envelope of the example of `section`, which must say success.
    pub(crate) fn envelope(section: &str) -> Envelope {
        let path = format!("{}/fixtures/seed/{section}.json", env!("CARGO_MANIFEST_DIR"));
        let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let envelope = Envelope::parse(&body).unwrap_or_else(|e| panic!("{section}: {e}"));
        assert!(envelope.is_success(), "{section}: {}", envelope.code());
        envelope
    }

    /// The `data` of the example of `section` as `T`.
    pub(crate) fn data<T: serde::de::DeserializeOwned>(section: &str) -> T {
        envelope(section).data_as().unwrap_or_else(|e| panic!("{section}: {e}"))
    }
}
