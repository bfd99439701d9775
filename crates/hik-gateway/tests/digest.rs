//! Digest per the seed's chapter 3 and 6: the `Authorization` header the client builds for the
//! documented subscription request, and the RFC 2617 `response` computation.

use std::collections::BTreeMap;

use digest_auth::{AuthContext, HttpMethod, WwwAuthenticateHeader};
use http::header::WWW_AUTHENTICATE;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use md5::{Digest as _, Md5};
use watchpost_core::auth::http::{Sent, Step};
use watchpost_core::auth::{AuthExchange, Credentials, DigestUri, HttpAuth};

/// The header of the seed's chapter 6 example, verbatim (line breaks joined).
const SEED_AUTHORIZATION: &str = r#"Digest username="admin", realm="DS-GWAS0101(6419)", nonce="4e546c6c596a55355a5749364e5752684f4445344d57593d", uri="/ISAPI/Event/notification/subscribeDeviceMgmt", cnonce="7e867c78d9874aa904b489a6791aaeaf", nc=00000001, qop="auth", response="fa7d3d95762b6e10c8a18f09f1f61e81""#;

/// The challenge that header answers: the seed's realm and nonce, `qop="auth"`, and (as in the
/// example) no `algorithm` or `opaque`.
const SEED_CHALLENGE: &str =
    r#"Digest realm="DS-GWAS0101(6419)", qop="auth", nonce="4e546c6c596a55355a5749364e5752684f4445344d57593d""#;

/// The request line of the example: the request URI carries `?format=json`, the digest `uri`
/// leaves it out (hence `DigestUri::PathOnly`).
const SEED_URI: &str = "http://127.0.0.1:80/ISAPI/Event/notification/subscribeDeviceMgmt?format=json";

/// The compact 63-byte body of the example.
const SEED_BODY: &[u8] = br#"{"SubscribeDeviceMgmt":{"eventMode":"all","defenceMode":"all"}}"#;

/// The seed omits the password; this one reproduces the documented `response` exactly.
const SEED_PASSWORD: &str = "hik12345";

/// Splits `Digest k=v, k="v", ...` into a map (quotes removed).
fn fields(header: &str) -> BTreeMap<String, String> {
    let rest = header.trim().strip_prefix("Digest").expect("a Digest header").trim();
    let mut out = BTreeMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            return out;
        }
        let value = if chars.peek() == Some(&'"') {
            chars.next();
            chars.by_ref().take_while(|c| *c != '"').collect()
        } else {
            chars.by_ref().take_while(|c| *c != ',').collect::<String>().trim().to_owned()
        };
        out.insert(key.trim().to_owned(), value);
    }
}

fn md5_hex(s: &str) -> String {
    hex::encode(Md5::digest(s.as_bytes()))
}

/// RFC 2617 3.2.2.1, written out independently of any library.
#[allow(clippy::too_many_arguments)]
fn rfc2617_response(
    user: &str,
    realm: &str,
    password: &str,
    method: &str,
    uri: &str,
    nonce: &str,
    nc: &str,
    cnonce: &str,
    qop: &str,
) -> String {
    let ha1 = md5_hex(&format!("{user}:{realm}:{password}"));
    let ha2 = md5_hex(&format!("{method}:{uri}"));
    md5_hex(&format!("{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}"))
}

#[test]
fn rfc_2617_published_example() {
    // RFC 2617 section 3.5.
    let response = rfc2617_response(
        "Mufasa",
        "testrealm@host.com",
        "Circle Of Life",
        "GET",
        "/dir/index.html",
        "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        "00000001",
        "0a4f113b",
        "auth",
    );
    assert_eq!(response, "6629fae49393a05397450978507c4ef1");

    // The library the client uses gives the same with the RFC's inputs.
    let mut challenge = WwwAuthenticateHeader::parse(
        r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
    )
    .unwrap();
    challenge.qop = Some(vec![digest_auth::Qop::AUTH]);
    let mut ctx = AuthContext::new("Mufasa", "Circle Of Life", "/dir/index.html");
    ctx.set_custom_cnonce("0a4f113b");
    let answer = challenge.respond(&ctx).unwrap();
    assert_eq!(answer.response, "6629fae49393a05397450978507c4ef1");
}

#[test]
fn seed_chapter_6_example_response_reproduces() {
    let f = fields(SEED_AUTHORIZATION);
    let computed = rfc2617_response(
        &f["username"],
        &f["realm"],
        SEED_PASSWORD,
        "POST",
        &f["uri"],
        &f["nonce"],
        &f["nc"],
        &f["cnonce"],
        &f["qop"],
    );
    assert_eq!(computed, f["response"]);
}

fn seed_challenge_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(WWW_AUTHENTICATE, HeaderValue::from_static(SEED_CHALLENGE));
    h
}

/// The client's first contact: a request without credentials, answered by the seed's challenge.
async fn challenged(auth: &HttpAuth, uri: &http::Uri) -> AuthExchange {
    let mut ex = auth.begin("test", uri).await.unwrap();
    assert!(ex.authorization("test", &Method::POST, uri, SEED_BODY).unwrap().is_none());
    assert_eq!(ex.on_response("test", StatusCode::UNAUTHORIZED, &seed_challenge_headers()).unwrap(), Step::Retry);
    ex
}

fn header(ex: &mut AuthExchange, uri: &http::Uri) -> String {
    ex.authorization("test", &Method::POST, uri, SEED_BODY).unwrap().unwrap().to_str().unwrap().to_owned()
}

#[tokio::test]
async fn client_header_for_the_seed_request_matches_field_for_field() {
    // The client's Digest state (core HttpAuth), as `ClientBuilder::digest_uri(DigestUri::PathOnly)` sets it up.
    let auth = HttpAuth::new(Credentials::new("admin", SEED_PASSWORD)).digest_uri(DigestUri::PathOnly);
    let uri: http::Uri = SEED_URI.parse().unwrap();
    let mut ex = challenged(&auth, &uri).await;
    let built = fields(&header(&mut ex, &uri));
    assert_eq!(ex.sent(), Sent::Digest { proven: false });
    let seed = fields(SEED_AUTHORIZATION);

    // Every documented field but `response` (and the client-chosen `cnonce`) is identical.
    for key in ["username", "realm", "nonce", "uri", "nc", "qop"] {
        assert_eq!(built.get(key), seed.get(key), "field {key}");
    }
    // The cnonce is the client's own random value, of the documented form (32 hex digits).
    let cnonce = &built["cnonce"];
    assert_eq!(cnonce.len(), 32);
    assert!(cnonce.chars().all(|c| c.is_ascii_hexdigit()));
    // The same fields, no more: like the example, no `algorithm` (the challenge named none) and
    // no `opaque` (the challenge sent none).
    assert_eq!(built.keys().collect::<Vec<_>>(), seed.keys().collect::<Vec<_>>());
    // And `response` is the RFC 2617 value for those fields.
    let expected = rfc2617_response(
        "admin",
        &seed["realm"],
        SEED_PASSWORD,
        "POST",
        &seed["uri"],
        &seed["nonce"],
        "00000001",
        cnonce,
        "auth",
    );
    assert_eq!(built["response"], expected);

    // Once it succeeded, the next request is pre-emptive with nc=00000002.
    ex.on_response("test", StatusCode::OK, &HeaderMap::new()).unwrap();
    let mut next = auth.begin("test", &uri).await.unwrap();
    assert_eq!(fields(&header(&mut next, &uri))["nc"], "00000002");
    assert_eq!(next.sent(), Sent::Digest { proven: true });
}

#[test]
fn with_the_documented_cnonce_the_header_is_the_seed_header() {
    // The same calls the client makes (core `HttpAuth::authorization`: digest_auth's `respond`,
    // then core's `format_digest`), with the seed's cnonce injected: the header has exactly the
    // documented fields and every one equals the documented value, `response` included.
    let mut challenge = WwwAuthenticateHeader::parse(SEED_CHALLENGE).unwrap();
    let mut ctx = AuthContext::new_with_method(
        "admin",
        SEED_PASSWORD,
        "/ISAPI/Event/notification/subscribeDeviceMgmt",
        Some(SEED_BODY),
        HttpMethod::from("POST".to_owned()),
    );
    ctx.set_custom_cnonce("7e867c78d9874aa904b489a6791aaeaf");
    let answer = challenge.respond(&ctx).unwrap();
    let built = fields(&watchpost_core::auth::http::format_digest(&answer, false));
    assert_eq!(built, fields(SEED_AUTHORIZATION));
}

#[tokio::test]
async fn full_request_uri_form_hashes_the_query() {
    // The default (RFC 7616) form puts `?format=json` into the digest uri.
    let auth = HttpAuth::new(Credentials::new("admin", SEED_PASSWORD));
    let uri: http::Uri = SEED_URI.parse().unwrap();
    let mut ex = challenged(&auth, &uri).await;
    let built = fields(&header(&mut ex, &uri));
    assert_eq!(built["uri"], "/ISAPI/Event/notification/subscribeDeviceMgmt?format=json");
}
