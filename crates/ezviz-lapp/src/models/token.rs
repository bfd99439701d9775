//! The answer of the token endpoint (documented outside the seed).

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use watchpost_core::codec::lenient;

/// The `data` of `POST /api/lapp/token/get`. Its `Debug` output hides the token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessToken {
    /// The token (`at.` + lowercase alphanumerics, treated as opaque). Never log it.
    pub access_token: String,
    /// When the token expires, in Unix epoch **milliseconds** (EZVIZ issues tokens for 7 days).
    #[serde(with = "lenient::int")]
    pub expire_time: u64,
    /// The base URL of the region the token belongs to, scheme included
    /// (`https://iusopen.ezvizlife.com`); every later call goes there.
    #[serde(default, with = "lenient::opt_string")]
    pub area_domain: Option<String>,
}

impl AccessToken {
    /// The expiry as a duration since the Unix epoch.
    pub fn expires_at(&self) -> Duration {
        Duration::from_millis(self.expire_time)
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("access_token", &"***")
            .field("expire_time", &self.expire_time)
            .field("area_domain", &self.area_domain)
            .finish()
    }
}
