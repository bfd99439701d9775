//! The bridge's errors.

use snafu::Snafu;

/// What went wrong in the bridge. Messages never carry a secret (a server URL's password, a
/// source's credentials).
#[derive(Debug, Snafu)]
#[snafu(visibility(pub(crate)))]
pub enum BridgeError {
    /// A NATS or JetStream request failed.
    #[snafu(display("NATS {what}: {message}"))]
    Nats {
        /// The operation: `connect`, `create stream WATCHPOST_ALARMS`, ...
        what: String,
        /// The client's error.
        message: String,
    },
    /// The configuration is invalid.
    #[snafu(display("bridge configuration: {message}"))]
    Config {
        /// What is wrong.
        message: String,
    },
    /// A secret reference could not be resolved (the secret itself is never shown).
    #[snafu(display("secret {reference}: {message}"))]
    Secret {
        /// The reference (`env:NAME`, `file:PATH`), never the value.
        reference: String,
        /// Why it could not be read.
        message: String,
    },
    /// A message of the stream is neither an alarm's JSON nor a state (it was terminated:
    /// JetStream does not deliver it again; it stays in the stream under its sequence).
    #[snafu(display("undecodable message {stream_sequence} on {subject}: {message}"))]
    Decode {
        /// The message's subject.
        subject: String,
        /// Its sequence in the stream.
        stream_sequence: u64,
        /// Why it does not decode.
        message: String,
    },
}
