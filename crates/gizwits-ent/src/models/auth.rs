//! The access token of one product key.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::common::Timestamp;

/// The answer of `POST /v1/products/{product_key}/access_token`: `{"token", "expired_at"}`.
///
/// The table calls the expiry `expire_at`, the example `expired_at` (L144 vs L147): both are
/// read, `expired_at` winning when a body has both. It is Unix seconds; a token lives 7 days.
/// `Debug` never shows the token.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawAccessToken")]
pub struct AccessToken {
    /// The token, sent as `Authorization: token <token>`.
    pub token: String,
    /// Expiry, Unix seconds.
    pub expired_at: Timestamp,
}

impl AccessToken {
    /// The expiry as time since the Unix epoch (`None` for a nonsensical value).
    pub fn expires_at(&self) -> Option<Duration> {
        self.expired_at.since_epoch()
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken").field("token", &"***").field("expired_at", &self.expired_at).finish()
    }
}

#[derive(Deserialize)]
struct RawAccessToken {
    #[serde(default, with = "watchpost_core::codec::lenient::string")]
    token: String,
    #[serde(default, with = "super::common::opt_timestamp")]
    expired_at: Option<Timestamp>,
    #[serde(default, with = "super::common::opt_timestamp")]
    expire_at: Option<Timestamp>,
}

impl From<RawAccessToken> for AccessToken {
    fn from(raw: RawAccessToken) -> Self {
        AccessToken { token: raw.token, expired_at: raw.expired_at.or(raw.expire_at).unwrap_or_default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_example_and_the_table_spelling_decode() {
        // L147
        let t: AccessToken =
            serde_json::from_str(r#"{ "token": "89d753a234ef42cd90f75da7489e78a4", "expired_at": 1517897923 }"#)
                .unwrap();
        assert_eq!(t.expired_at.as_secs(), 1_517_897_923);
        assert!(!format!("{t:?}").contains("89d753"));
        // L144
        let t: AccessToken = serde_json::from_str(r#"{"token":"x","expire_at":"1517897923"}"#).unwrap();
        assert_eq!(t.expires_at(), Some(Duration::from_secs(1_517_897_923)));
        let both: AccessToken = serde_json::from_str(r#"{"token":"x","expire_at":1,"expired_at":2}"#).unwrap();
        assert_eq!(both.expired_at.as_secs(), 2);
    }
}
