//! The answer of the token endpoint (3.1).

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use watchpost_core::codec::lenient;

/// The `data` of `POST /api/hpcgw/v1/token/get`. Its `Debug` output hides the token.
///
/// The keys with a trailing space of the section's own example (`"accessToken "`,
/// `"expireTime "`, L680-686) are read too.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessToken {
    /// The token, sent as `Authorization: Bearer <accessToken>`; opaque. Never log it.
    #[serde(alias = "accessToken ")]
    pub access_token: String,
    /// When the token expires, in Unix epoch **milliseconds** (tokens live 7 days).
    #[serde(alias = "expireTime ", with = "lenient::int")]
    pub expire_time: u64,
    /// The origin every later call goes to, scheme included (`https://ieuapi.hik-partner.com`).
    #[serde(default, alias = "areaDomain ", with = "lenient::opt_string")]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flat_example_of_3_1_with_trailing_spaces_decodes() {
        let env = crate::envelope::Envelope::parse_token(include_bytes!("../../fixtures/seed/3.1.json")).unwrap();
        let t: AccessToken = env.data_as().unwrap();
        assert_eq!(t.access_token, "jmna8qnqg8d3dgnzs87m4v2dme3l");
        assert_eq!(t.expire_time, 1_585_747_008_592);
        assert_eq!(t.area_domain.as_deref(), Some("https://ieuapi.hik-partner.com"));
        assert!(!format!("{t:?}").contains("jmna8"));
    }
}
