//! Reading `WWW-Authenticate` challenges and answering one Digest challenge.
//!
//! [`Offers::read`] sorts what a 401 offers (a Digest challenge, parsed or not, Basic, another
//! scheme); [`DigestState`] holds one parsed Digest challenge with its `nc` counter and the cached
//! `HA1` of the fast path, and builds `Authorization` values from it.

use digest_auth::{AuthContext, HttpMethod, WwwAuthenticateHeader};
use http::header::WWW_AUTHENTICATE;
use http::{HeaderMap, HeaderValue, Method};

use super::digest_fast::{cnonce, FastDigest};
use super::http::DigestUri;
use super::Credentials;
use crate::transport::upload::BodyHash;

/// What a 401 offers.
pub(crate) struct Offers {
    /// The first Digest challenge that parses, else why the first one does not.
    pub(crate) digest: Option<Result<ParsedDigest, &'static str>>,
    /// Whether Basic is offered.
    pub(crate) basic: bool,
    /// The name of the first scheme offered (for an error naming what we do not speak).
    pub(crate) first_scheme: Option<String>,
}

/// A Digest challenge that parsed.
pub(crate) struct ParsedDigest {
    header: WwwAuthenticateHeader,
    /// The challenge named its algorithm (echo it; otherwise leave it out, as the Hikvision
    /// documentation's example does).
    explicit_algorithm: bool,
}

impl ParsedDigest {
    /// Whether the server says the nonce answered was stale (the password was right).
    pub(crate) fn stale(&self) -> bool {
        self.header.stale
    }
}

/// Whether `value` starts with the auth scheme `scheme` (case-insensitive, then a space or the end).
fn scheme_is(value: &str, scheme: &str) -> bool {
    let v = value.trim_start();
    v.get(..scheme.len()).is_some_and(|p| p.eq_ignore_ascii_case(scheme))
        && v.as_bytes().get(scheme.len()).is_none_or(|b| b.is_ascii_whitespace())
}

impl Offers {
    /// Sorts the `WWW-Authenticate` values of `headers`.
    pub(crate) fn read(headers: &HeaderMap) -> Self {
        let mut offers = Offers { digest: None, basic: false, first_scheme: None };
        for value in headers.get_all(WWW_AUTHENTICATE).iter() {
            let Ok(text) = value.to_str() else {
                offers.first_scheme.get_or_insert_with(|| "unreadable".to_owned());
                continue;
            };
            let scheme = text.split_whitespace().next().unwrap_or_default();
            if offers.first_scheme.is_none() && !scheme.is_empty() {
                offers.first_scheme = Some(scheme.chars().take(32).collect());
            }
            if scheme_is(text, "digest") {
                let parsed = parse_digest(text);
                match (&offers.digest, parsed) {
                    (Some(Ok(_)), _) => {}
                    (_, Ok(p)) => offers.digest = Some(Ok(p)),
                    (None, Err(reason)) => offers.digest = Some(Err(reason)),
                    (Some(Err(_)), Err(_)) => {}
                }
            } else if scheme_is(text, "basic") {
                offers.basic = true;
            }
        }
        offers
    }
}

/// Parses one `Digest ...` challenge, or says in a few words why it cannot be answered.
fn parse_digest(text: &str) -> Result<ParsedDigest, &'static str> {
    use digest_auth::Error as E;
    let params = text.trim_start().get(6..).unwrap_or_default();
    let explicit_algorithm = params.to_ascii_lowercase().contains("algorithm=");
    match WwwAuthenticateHeader::parse(params) {
        Ok(header) => Ok(ParsedDigest { header, explicit_algorithm }),
        Err(E::UnknownAlgorithm(_)) => Err("unknown Digest algorithm"),
        Err(E::MissingRequired("nonce", _)) => Err("challenge without a nonce"),
        Err(E::MissingRequired("realm", _)) => Err("challenge without a realm"),
        Err(E::BadQop(_) | E::BadQopOptions(_)) => Err("unsupported qop"),
        Err(E::BadCharset(_)) => Err("unsupported charset"),
        Err(_) => Err("unparsable challenge"),
    }
}

/// What a Digest `qop=auth-int` answer is given of the request body.
#[derive(Debug, Clone, Copy)]
pub enum AuthBody<'a> {
    /// The body, in memory.
    Bytes(&'a [u8]),
    /// A streamed body's hash, computed beforehand by a read pass
    /// ([`StreamedBody::hash`](crate::transport::upload::StreamedBody::hash)).
    Hashed {
        /// The hash.
        kind: BodyHash,
        /// Its lowercase hex.
        hex: &'a str,
    },
    /// A streamed body whose hash is not known: an `auth-int`-only challenge cannot be answered.
    Unavailable,
}

impl<'a> From<&'a [u8]> for AuthBody<'a> {
    fn from(body: &'a [u8]) -> Self {
        AuthBody::Bytes(body)
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for AuthBody<'a> {
    fn from(body: &'a [u8; N]) -> Self {
        AuthBody::Bytes(body)
    }
}

impl<'a> From<&'a bytes::Bytes> for AuthBody<'a> {
    fn from(body: &'a bytes::Bytes) -> Self {
        AuthBody::Bytes(body)
    }
}

/// The hash `auth-int` uses for `algorithm`.
fn body_hash_of(algorithm: digest_auth::AlgorithmType) -> BodyHash {
    match algorithm {
        digest_auth::AlgorithmType::MD5 => BodyHash::Md5,
        digest_auth::AlgorithmType::SHA2_256 => BodyHash::Sha256,
        digest_auth::AlgorithmType::SHA2_512_256 => BodyHash::Sha512_256,
    }
}

/// One Digest challenge being answered: the parsed challenge (with its `nc` counter) and the
/// cached `HA1` for the common MD5/SHA-256 `qop=auth` case (see `digest_fast`).
pub(crate) struct DigestState {
    challenge: WwwAuthenticateHeader,
    explicit_algorithm: bool,
    fast: Option<FastDigest>,
}

impl std::fmt::Debug for DigestState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DigestState").field("realm", &self.challenge.realm).field("nc", &self.challenge.nc).finish()
    }
}

impl DigestState {
    /// Prepares to answer `parsed` with `creds`.
    pub(crate) fn new(parsed: ParsedDigest, creds: &Credentials) -> Self {
        let fast = FastDigest::for_challenge(&parsed.header, creds.username(), creds.password());
        DigestState { challenge: parsed.header, explicit_algorithm: parsed.explicit_algorithm, fast }
    }

    /// The `Authorization` value for one request, with the next `nc`.
    ///
    /// `uri` is the absolute request URI; `body` is used for `qop=auth-int`.
    pub(crate) fn header(
        &mut self,
        creds: &Credentials,
        uri_form: DigestUri,
        method: &Method,
        uri: &http::Uri,
        body: AuthBody<'_>,
    ) -> Result<HeaderValue, HeaderError> {
        let digest_uri: std::borrow::Cow<'_, str> = match uri_form {
            DigestUri::PathAndQuery => uri.path_and_query().map_or("/", |p| p.as_str()).into(),
            DigestUri::PathOnly => uri.path().into(),
            DigestUri::Absolute => uri.to_string().into(),
        };
        let offers_auth_int = self.challenge.qop.as_ref().is_some_and(|q| q.contains(&digest_auth::Qop::AUTH_INT));
        let body = match body {
            AuthBody::Bytes(b) => b,
            AuthBody::Hashed { kind, hex } if offers_auth_int => {
                if kind != body_hash_of(self.challenge.algorithm.algo) {
                    return Err(HeaderError::Challenge("the body was hashed for another algorithm"));
                }
                return self.auth_int_hashed(creds, &digest_uri, method, hex);
            }
            AuthBody::Unavailable if offers_auth_int => {
                return Err(HeaderError::Challenge("auth-int without the body's hash"));
            }
            // No auth-int: the body is not signed.
            AuthBody::Hashed { .. } | AuthBody::Unavailable => &[],
        };
        let text = if let Some(fast) = &self.fast {
            let answer = fast.respond(&mut self.challenge, method.as_str(), &digest_uri, cnonce());
            let algorithm = self.challenge.algorithm.to_string();
            write_digest(&DigestFields {
                username: creds.username(),
                realm: &self.challenge.realm,
                nonce: &self.challenge.nonce,
                uri: &digest_uri,
                qop: Some(("auth", answer.nc, &answer.cnonce)),
                response: &answer.response,
                opaque: self.challenge.opaque.as_deref(),
                algorithm: (self.explicit_algorithm || algorithm != "MD5").then_some(algorithm.as_str()),
                userhash: false,
            })
        } else {
            let ctx = AuthContext::new_with_method(
                creds.username(),
                creds.password(),
                digest_uri,
                Some(body),
                HttpMethod::from(method.as_str()),
            );
            let answer = self.challenge.respond(&ctx).map_err(|_| HeaderError::Challenge("unsupported qop"))?;
            format_digest(&answer, self.explicit_algorithm)
        };
        HeaderValue::from_str(&text).map_err(|_| HeaderError::Credentials)
    }
}

impl DigestState {
    /// The hash a `qop=auth-int` answer needs of the body, when the challenge offers auth-int.
    pub(crate) fn auth_int_hash(&self) -> Option<BodyHash> {
        self.challenge
            .qop
            .as_ref()
            .is_some_and(|q| q.contains(&digest_auth::Qop::AUTH_INT))
            .then(|| body_hash_of(self.challenge.algorithm.algo))
    }

    /// A `qop=auth-int` answer from the body's hash `body_hex` (RFC 7616 3.4.3:
    /// `HA2 = H(method:uri:H(body))`), with the next `nc`.
    fn auth_int_hashed(
        &mut self,
        creds: &Credentials,
        digest_uri: &str,
        method: &Method,
        body_hex: &str,
    ) -> Result<HeaderValue, HeaderError> {
        let h = self.challenge.algorithm;
        self.challenge.nc = self.challenge.nc.wrapping_add(1);
        let cnonce = cnonce();
        let a1 = format!("{}:{}:{}", creds.username(), self.challenge.realm, creds.password());
        let a1 = if h.sess { format!("{}:{}:{cnonce}", h.hash(a1.as_bytes()), self.challenge.nonce) } else { a1 };
        let ha1 = h.hash(a1.as_bytes());
        let ha2 = h.hash(format!("{}:{digest_uri}:{body_hex}", method.as_str()).as_bytes());
        let nc = self.challenge.nc;
        let response = h.hash(format!("{ha1}:{}:{nc:08x}:{cnonce}:auth-int:{ha2}", self.challenge.nonce).as_bytes());
        let username = if self.challenge.userhash {
            h.hash(format!("{}:{}", creds.username(), self.challenge.realm).as_bytes())
        } else {
            creds.username().to_owned()
        };
        let answer = digest_auth::AuthorizationHeader {
            realm: self.challenge.realm.clone(),
            nonce: self.challenge.nonce.clone(),
            opaque: self.challenge.opaque.clone(),
            userhash: self.challenge.userhash,
            algorithm: h,
            response,
            username,
            uri: digest_uri.to_owned(),
            qop: Some(digest_auth::Qop::AUTH_INT),
            cnonce: Some(cnonce),
            nc,
        };
        HeaderValue::from_str(&format_digest(&answer, self.explicit_algorithm)).map_err(|_| HeaderError::Credentials)
    }
}

/// Why no `Authorization` value could be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderError {
    /// The challenge cannot be answered (the reason in a few words).
    Challenge(&'static str),
    /// The user name or password has characters a header cannot carry.
    Credentials,
}

/// The `Authorization` value for Basic.
pub(crate) fn basic_header(creds: &Credentials) -> Result<HeaderValue, HeaderError> {
    use base64::Engine as _;
    let raw = format!("{}:{}", creds.username(), creds.password());
    let mut v = HeaderValue::from_str(&format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw)))
        .map_err(|_| HeaderError::Credentials)?;
    v.set_sensitive(true);
    Ok(v)
}

/// Formats a Digest `Authorization` value: `username`, `realm`, `nonce`, `uri`, then `qop`, `nc`,
/// `cnonce` (with a qop), `response`, `opaque` (when challenged with one), `algorithm` (when the
/// challenge named one or it is not MD5) and `userhash`. Quoted values are escaped.
///
/// Written here rather than using `AuthorizationHeader::to_header_string`, which allocates a
/// string per field and escapes character by character: that alone was 2.5 µs of the 4.3 µs a
/// header cost (docs/PERFORMANCE.md).
pub fn format_digest(answer: &digest_auth::AuthorizationHeader, include_algorithm: bool) -> String {
    let algorithm = answer.algorithm.to_string();
    let qop = match (&answer.qop, &answer.cnonce) {
        (Some(digest_auth::Qop::AUTH), Some(c)) => Some(("auth", answer.nc, c.as_str())),
        (Some(digest_auth::Qop::AUTH_INT), Some(c)) => Some(("auth-int", answer.nc, c.as_str())),
        _ => None,
    };
    write_digest(&DigestFields {
        username: &answer.username,
        realm: &answer.realm,
        nonce: &answer.nonce,
        uri: &answer.uri,
        qop,
        response: &answer.response,
        opaque: answer.opaque.as_deref(),
        algorithm: (include_algorithm || algorithm != "MD5").then_some(algorithm.as_str()),
        userhash: answer.userhash,
    })
}

/// The fields of a Digest `Authorization` value.
struct DigestFields<'a> {
    username: &'a str,
    realm: &'a str,
    nonce: &'a str,
    uri: &'a str,
    /// `qop`, `nc`, `cnonce`.
    qop: Option<(&'a str, u32, &'a str)>,
    response: &'a str,
    opaque: Option<&'a str>,
    /// Sent when `Some`.
    algorithm: Option<&'a str>,
    userhash: bool,
}

fn write_digest(d: &DigestFields<'_>) -> String {
    use std::fmt::Write as _;
    fn quoted(out: &mut String, name: &str, value: &str) {
        if !out.ends_with(' ') {
            out.push_str(", ");
        }
        out.push_str(name);
        out.push_str("=\"");
        for c in value.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
    let mut out = String::with_capacity(256);
    out.push_str("Digest ");
    quoted(&mut out, "username", d.username);
    quoted(&mut out, "realm", d.realm);
    quoted(&mut out, "nonce", d.nonce);
    quoted(&mut out, "uri", d.uri);
    if let Some((qop, nc, cnonce)) = d.qop {
        let _ = write!(out, ", qop={qop}, nc={nc:08x}");
        quoted(&mut out, "cnonce", cnonce);
    }
    quoted(&mut out, "response", d.response);
    if let Some(opaque) = d.opaque {
        quoted(&mut out, "opaque", opaque);
    }
    if let Some(algorithm) = d.algorithm {
        let _ = write!(out, ", algorithm={algorithm}");
    }
    if d.userhash {
        out.push_str(", userhash=true");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offers(values: &[&str]) -> Offers {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(WWW_AUTHENTICATE, HeaderValue::from_str(v).unwrap());
        }
        Offers::read(&h)
    }

    #[test]
    fn challenges_that_cannot_be_answered_say_why() {
        let reason = |v: &str| match offers(&[v]).digest {
            Some(Err(r)) => r,
            Some(Ok(_)) => "parsed",
            None => "none",
        };
        assert_eq!(reason(r#"Digest realm="r", nonce="n", algorithm=MD4"#), "unknown Digest algorithm");
        assert_eq!(reason(r#"Digest realm="r", qop="auth""#), "challenge without a nonce");
        assert_eq!(reason(r#"Digest nonce="n""#), "challenge without a realm");
        assert_eq!(reason(r#"Digest realm="r", nonce="n", qop="bogus""#), "unsupported qop");
        assert_eq!(reason(r#"Digest realm="unterminated"#), "unparsable challenge");
        assert_eq!(reason(r#"digest realm="r", nonce="n""#), "parsed", "the scheme is case-insensitive");
        assert_eq!(reason(r#"Digestive realm="r""#), "none");
    }

    #[test]
    fn the_first_answerable_digest_challenge_wins_and_basic_is_noted() {
        let o = offers(&[
            r#"Digest realm="r", nonce="n", algorithm=MD4"#,
            r#"Digest realm="r", nonce="n2""#,
            "Basic realm=\"x\"",
        ]);
        assert!(matches!(o.digest, Some(Ok(_))));
        assert!(o.basic);
        assert_eq!(o.first_scheme.as_deref(), Some("Digest"));
        let o = offers(&["Bearer realm=\"x\""]);
        assert!(o.digest.is_none() && !o.basic);
        assert_eq!(o.first_scheme.as_deref(), Some("Bearer"));
        assert!(offers(&[]).first_scheme.is_none());
    }
}
