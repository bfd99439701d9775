//! The steady-state Digest response for the common case, with `HA1` cached per challenge.
//!
//! `digest_auth` parses every challenge and answers every variant (MD5-sess, SHA-512-256,
//! auth-int, RFC 2069, userhash). For the case nearly every device uses, MD5 or SHA-256 with
//! `qop=auth`, it rebuilds `HA1 = H(user:realm:password)` and a dozen strings on every request;
//! here `HA1` is computed once per challenge and each request hashes only `HA2` and the response
//! (docs/PERFORMANCE.md: 2.6 µs → under 1 µs). The unit tests check the result against
//! `digest_auth` for the same inputs.

use digest_auth::{AlgorithmType, Qop, WwwAuthenticateHeader};
use md5::Md5;
use sha2::{Digest, Sha256};

/// The hash of a fast-path challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Md5,
    Sha256,
}

impl Hash {
    /// Lowercase hex of the hash of `parts` joined by `:`.
    fn hex(self, parts: &[&[u8]]) -> String {
        fn run<D: Digest>(parts: &[&[u8]]) -> String {
            let mut d = D::new();
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    d.update(b":");
                }
                d.update(p);
            }
            hex::encode(d.finalize())
        }
        match self {
            Hash::Md5 => run::<Md5>(parts),
            Hash::Sha256 => run::<Sha256>(parts),
        }
    }
}

/// A cached `HA1` for one challenge and one set of credentials.
#[derive(Clone)]
pub(crate) struct FastDigest {
    hash: Hash,
    ha1: String,
}

impl std::fmt::Debug for FastDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FastDigest").field("hash", &self.hash).finish_non_exhaustive()
    }
}

/// The fields of one answer, borrowed where possible.
pub(crate) struct Answer {
    pub(crate) nc: u32,
    pub(crate) cnonce: String,
    pub(crate) response: String,
}

impl FastDigest {
    /// The fast path for `challenge`, when it is MD5 or SHA-256 (not `-sess`) with `qop=auth`
    /// offered and `auth-int` not offered (digest_auth would pick `auth-int`), no `userhash`.
    pub(crate) fn for_challenge(challenge: &WwwAuthenticateHeader, username: &str, password: &str) -> Option<Self> {
        let hash = match (challenge.algorithm.algo, challenge.algorithm.sess) {
            (AlgorithmType::MD5, false) => Hash::Md5,
            (AlgorithmType::SHA2_256, false) => Hash::Sha256,
            _ => return None,
        };
        let qop = challenge.qop.as_ref()?;
        if !qop.contains(&Qop::AUTH) || qop.contains(&Qop::AUTH_INT) || challenge.userhash {
            return None;
        }
        let ha1 = hash.hex(&[username.as_bytes(), challenge.realm.as_bytes(), password.as_bytes()]);
        Some(FastDigest { hash, ha1 })
    }

    /// Answers `challenge` for `method` and `uri` with the next `nc` and `cnonce`.
    pub(crate) fn respond(
        &self,
        challenge: &mut WwwAuthenticateHeader,
        method: &str,
        uri: &str,
        cnonce: String,
    ) -> Answer {
        challenge.nc = challenge.nc.wrapping_add(1);
        let nc = challenge.nc;
        let ha2 = self.hash.hex(&[method.as_bytes(), uri.as_bytes()]);
        let nc_text = format!("{nc:08x}");
        let response = self.hash.hex(&[
            self.ha1.as_bytes(),
            challenge.nonce.as_bytes(),
            nc_text.as_bytes(),
            cnonce.as_bytes(),
            b"auth",
            ha2.as_bytes(),
        ]);
        Answer { nc, cnonce, response }
    }
}

/// A fresh client nonce: 16 random bytes as hex (as `digest_auth` makes them).
pub(crate) fn cnonce() -> String {
    format!("{:032x}", fastrand::u128(..))
}

#[cfg(test)]
mod tests {
    use super::*;
    use digest_auth::AuthContext;

    fn check(challenge: &str, method: &str, uri: &str) {
        let mut ours = WwwAuthenticateHeader::parse(challenge).unwrap();
        let mut theirs = ours.clone();
        let fast = FastDigest::for_challenge(&ours, "Mufasa", "Circle Of Life").expect("fast path applies");
        for _ in 0..3 {
            let a = fast.respond(&mut ours, method, uri, "0a4f113b".into());
            let mut ctx = AuthContext::new_with_method(
                "Mufasa",
                "Circle Of Life",
                uri,
                Option::<&[u8]>::None,
                digest_auth::HttpMethod::from(method),
            );
            ctx.set_custom_cnonce("0a4f113b");
            let b = theirs.respond(&ctx).unwrap();
            assert_eq!((a.nc, a.response.as_str(), a.cnonce.as_str()), (b.nc, b.response.as_str(), "0a4f113b"));
        }
    }

    #[test]
    fn agrees_with_digest_auth_for_md5_and_sha256() {
        check(
            r#"Digest realm="testrealm@host.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
            "GET",
            "/dir/index.html",
        );
        check(r#"Digest realm="r", qop="auth", algorithm=SHA-256, nonce="abc""#, "POST", "/ISAPI/x?format=json");
    }

    #[test]
    fn rfc_2617_example_response() {
        let mut ch = WwwAuthenticateHeader::parse(
            r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093""#,
        )
        .unwrap();
        assert!(FastDigest::for_challenge(&ch, "Mufasa", "Circle Of Life").is_none(), "auth-int offered: crate path");
        ch.qop = Some(vec![Qop::AUTH]);
        let fast = FastDigest::for_challenge(&ch, "Mufasa", "Circle Of Life").unwrap();
        let a = fast.respond(&mut ch, "GET", "/dir/index.html", "0a4f113b".into());
        assert_eq!(a.response, "6629fae49393a05397450978507c4ef1");
    }

    #[test]
    fn other_variants_use_the_crate() {
        for ch in [
            r#"Digest realm="r", qop="auth", algorithm=MD5-sess, nonce="n""#,
            r#"Digest realm="r", nonce="n""#,
            r#"Digest realm="r", qop="auth", algorithm=SHA-512-256, nonce="n""#,
        ] {
            let ch = WwwAuthenticateHeader::parse(ch).unwrap();
            assert!(FastDigest::for_challenge(&ch, "u", "p").is_none(), "{ch:?}");
        }
        assert_eq!(cnonce().len(), 32);
    }
}
