//! The alarm stream: created when missing, with configurable retention, replicas and
//! duplicate window.

use std::time::Duration;

use async_nats::jetstream::{self, stream};
use serde::Deserialize;

use crate::error::BridgeError;

/// What the stream keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Retention {
    /// Keep messages within the limits (`max_age`), whoever read them. The default.
    #[default]
    Limits,
    /// Keep a message while a consumer is interested in it.
    Interest,
    /// Keep a message until one consumer acknowledges it.
    WorkQueue,
}

/// Where the stream keeps its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Storage {
    /// On disk: survives a server restart. The default.
    #[default]
    File,
    /// In memory.
    Memory,
}

/// The JetStream stream the bridge publishes to (`[stream]` of the configuration).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StreamSettings {
    /// The stream's name. Default `WATCHPOST_ALARMS`.
    pub name: String,
    /// The first token of every subject. Default `watchpost`.
    pub subject_prefix: String,
    /// Retention policy. Default [`Retention::Limits`].
    pub retention: Retention,
    /// Replicas (1 for a single server, 3 or 5 in a cluster). Default 1.
    pub replicas: usize,
    /// How long messages are kept (zero: for ever). Default 30 days.
    #[serde(with = "humantime_serde_compat")]
    pub max_age: Duration,
    /// JetStream's duplicate window: a message whose `Nats-Msg-Id` was stored less than this
    /// long ago is dropped as a duplicate. Default 2 minutes.
    #[serde(with = "humantime_serde_compat")]
    pub duplicate_window: Duration,
    /// Storage. Default [`Storage::File`].
    pub storage: Storage,
}

impl Default for StreamSettings {
    fn default() -> Self {
        StreamSettings {
            name: "WATCHPOST_ALARMS".into(),
            subject_prefix: "watchpost".into(),
            retention: Retention::Limits,
            replicas: 1,
            max_age: Duration::from_secs(30 * 24 * 3600),
            duplicate_window: Duration::from_secs(120),
            storage: Storage::File,
        }
    }
}

impl StreamSettings {
    /// The JetStream configuration: subjects `<prefix>.alarms.>` and `<prefix>.state.>`.
    pub fn to_config(&self) -> stream::Config {
        stream::Config {
            name: self.name.clone(),
            subjects: vec![format!("{}.alarms.>", self.subject_prefix), format!("{}.state.>", self.subject_prefix)],
            retention: match self.retention {
                Retention::Limits => stream::RetentionPolicy::Limits,
                Retention::Interest => stream::RetentionPolicy::Interest,
                Retention::WorkQueue => stream::RetentionPolicy::WorkQueue,
            },
            storage: match self.storage {
                Storage::File => stream::StorageType::File,
                Storage::Memory => stream::StorageType::Memory,
            },
            num_replicas: self.replicas.max(1),
            max_age: self.max_age,
            duplicate_window: self.duplicate_window,
            ..Default::default()
        }
    }
}

/// Opens the stream, creating it from `settings` when it is missing (an existing stream is
/// used as it is: its settings are the operator's).
pub async fn ensure_stream(js: &jetstream::Context, settings: &StreamSettings) -> Result<stream::Stream, BridgeError> {
    js.get_or_create_stream(settings.to_config())
        .await
        .map_err(|e| BridgeError::Nats { what: format!("create stream {}", settings.name), message: e.to_string() })
}

/// `"30s"`, `"2m"`, `"30days"` durations in the TOML configuration.
pub(crate) mod humantime_serde_compat {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    /// Parses a humantime duration.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text).map_err(serde::de::Error::custom)
    }

    /// An optional humantime duration (the key may be left out).
    pub mod option {
        use std::time::Duration;

        use serde::Deserializer;

        /// Parses a humantime duration that is present.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
            super::deserialize(d).map(Some)
        }
    }
}
