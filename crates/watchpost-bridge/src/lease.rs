//! Leases in a JetStream key-value bucket: which instance follows which source.

use std::time::Duration;

use async_nats::jetstream::{self, kv, stream};
use serde::Deserialize;

use crate::error::BridgeError;
use crate::stream::humantime_serde_compat;
use crate::subject::escape_token;

/// How instances share the sources (`[leases]` of the configuration).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LeaseSettings {
    /// The key-value bucket. Default `watchpost_bridge_leases`.
    pub bucket: String,
    /// How often an instance renews its leases and announces itself. Default 5 s.
    #[serde(with = "humantime_serde_compat")]
    pub renew_every: Duration,
    /// The bucket's `max_age`: a lease (and an instance's announcement) not renewed for this
    /// long disappears and another instance may take the source. Must exceed `renew_every`;
    /// default 15 s.
    #[serde(with = "humantime_serde_compat")]
    pub ttl: Duration,
    /// Replicas of the bucket. Default 1.
    pub replicas: usize,
}

impl Default for LeaseSettings {
    fn default() -> Self {
        LeaseSettings {
            bucket: "watchpost_bridge_leases".into(),
            renew_every: Duration::from_secs(5),
            ttl: Duration::from_secs(15),
            replicas: 1,
        }
    }
}

impl LeaseSettings {
    /// Checks that the TTL leaves room for renewals.
    pub fn validate(&self) -> Result<(), BridgeError> {
        if self.renew_every.is_zero() || self.ttl <= self.renew_every {
            return Err(BridgeError::Config {
                message: format!(
                    "leases: ttl ({:?}) must exceed renew_every ({:?}), which must not be zero",
                    self.ttl, self.renew_every
                ),
            });
        }
        Ok(())
    }

    /// How long after sending a successful renewal an instance still counts the lease as its
    /// own: half-way between the renewal period and the TTL, so it stops following a source
    /// before the server can expire the lease and hand it to another instance.
    pub(crate) fn local_validity(&self) -> Duration {
        self.renew_every + (self.ttl.saturating_sub(self.renew_every)) / 2
    }
}

/// The key of the lease of source `name`: `source.<escaped name>`.
pub(crate) fn source_key(name: &str) -> String {
    format!("source.{}", escape_token(name))
}

/// The key of the announcement of instance `id`: `instance.<escaped id>`.
pub(crate) fn instance_key(id: &str) -> String {
    format!("instance.{}", escape_token(id))
}

/// Opens the lease bucket, creating it when missing (history 1, `max_age` = TTL).
///
/// The bucket's stream (`KV_<bucket>` on `$KV.<bucket>.>`, the key-value conventions) is
/// created here rather than with `create_key_value`, whose account query does not parse the
/// answer of nats-server 2.9.
pub async fn open_lease_bucket(js: &jetstream::Context, settings: &LeaseSettings) -> Result<kv::Store, BridgeError> {
    settings.validate()?;
    let fail =
        |what: &str, e: String| BridgeError::Nats { what: format!("{what} bucket {}", settings.bucket), message: e };
    js.get_or_create_stream(stream::Config {
        name: format!("KV_{}", settings.bucket),
        description: Some("watchpost-bridge source leases".into()),
        subjects: vec![format!("$KV.{}.>", settings.bucket)],
        max_messages_per_subject: 1,
        max_age: settings.ttl,
        storage: stream::StorageType::File,
        num_replicas: settings.replicas.max(1),
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        discard: stream::DiscardPolicy::New,
        ..Default::default()
    })
    .await
    .map_err(|e| fail("create", e.to_string()))?;
    js.get_key_value(settings.bucket.as_str()).await.map_err(|e| fail("open", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_validity_ends_before_the_ttl_and_after_a_renewal() {
        let s = LeaseSettings::default();
        assert!(s.local_validity() > s.renew_every && s.local_validity() < s.ttl);
        let bad = LeaseSettings { ttl: Duration::from_secs(5), ..LeaseSettings::default() };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn keys_are_valid_key_value_keys() {
        for key in [source_key("gw 1.lobby"), instance_key("host-a/42")] {
            assert!(key.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_=.".contains(&b)), "{key}");
        }
    }
}
