//! The rules of [`HttpAuth`] and [`AuthExchange`], driven with hand-written 401s.

use std::time::Duration;

use digest_auth::{AuthContext, WwwAuthenticateHeader};
use http::header::WWW_AUTHENTICATE;
use http::{HeaderMap, HeaderValue, Method, StatusCode};

use super::*;
use crate::{Error, ErrorClass, ErrorKind};

const URI: &str = "http://h/dir/index.html";

fn uri() -> http::Uri {
    URI.parse().unwrap()
}

fn headers(values: &[&str]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for v in values {
        h.append(WWW_AUTHENTICATE, HeaderValue::from_str(v).unwrap());
    }
    h
}

fn challenge(extra: &str) -> HeaderMap {
    headers(&[&format!(
        r#"Digest realm="testrealm@host.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"{extra}"#
    )])
}

fn fresh(nonce: &str, extra: &str) -> HeaderMap {
    headers(&[&format!(r#"Digest realm="r", qop="auth", nonce="{nonce}"{extra}"#)])
}

fn header_text(ex: &mut AuthExchange) -> Option<String> {
    ex.authorization("op", &Method::GET, &uri(), b"").unwrap().map(|h| h.to_str().unwrap().to_owned())
}

fn rejected_error() -> Error {
    Error::Auth {
        op: "op".into(),
        status: Some(401),
        code: Some("badAuthorization".into()),
        message: None,
        expired: false,
        lockout: crate::error::LockoutInfo { retries_left: Some(4), ..Default::default() },
    }
}

/// First contact and the answer to its challenge, then a success: the credentials are proven.
async fn proven(auth: &HttpAuth) {
    let mut ex = auth.begin("op", &uri()).await.unwrap();
    assert!(ex.is_single_flight());
    assert_eq!(header_text(&mut ex), None);
    assert_eq!(ex.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n1", "")).unwrap(), Step::Retry);
    assert!(header_text(&mut ex).unwrap().contains(r#"nonce="n1""#));
    assert_eq!(ex.on_response("op", StatusCode::OK, &HeaderMap::new()).unwrap(), Step::Done);
    ex.settle(None);
    assert!(auth.is_proven());
}

#[tokio::test]
async fn first_challenge_then_preemptive_with_increasing_nc() {
    let auth = HttpAuth::new(Credentials::new("Mufasa", "Circle Of Life"));
    let mut ex = auth.begin("op", &uri()).await.unwrap();
    assert_eq!(header_text(&mut ex), None);
    assert_eq!(ex.sent(), Sent::Nothing);
    assert_eq!(ex.on_response("op", StatusCode::UNAUTHORIZED, &challenge("")).unwrap(), Step::Retry);
    let h1 = header_text(&mut ex).unwrap();
    assert_eq!(ex.sent(), Sent::Digest { proven: false });
    assert!(h1.contains("nc=00000001") && h1.contains(r#"uri="/dir/index.html""#), "{h1}");
    assert!(h1.contains(r#"opaque="5ccc069c403ebaf9f0171e9517f40e41""#));
    ex.on_response("op", StatusCode::OK, &HeaderMap::new()).unwrap();
    ex.settle(None);
    // Proven: the next request is pre-emptive, not single-flight, and continues the nc.
    let mut ex = auth.begin("op", &uri()).await.unwrap();
    assert!(!ex.is_single_flight());
    let h2 = header_text(&mut ex).unwrap();
    assert!(h2.contains("nc=00000002"), "{h2}");
    assert_eq!(ex.sent(), Sent::Digest { proven: true });
}

#[tokio::test(start_paused = true)]
async fn a_rejection_is_remembered_until_the_credentials_are_replaced() {
    let auth = HttpAuth::new(Credentials::new("u", "wrong"));
    let mut ex = auth.begin("op", &uri()).await.unwrap();
    header_text(&mut ex);
    ex.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n1", "")).unwrap();
    header_text(&mut ex);
    assert_eq!(ex.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n2", "")).unwrap(), Step::Rejected);
    ex.settle(Some(&rejected_error()));
    assert!(auth.is_rejected() && !auth.is_proven());
    // Every later call fails fast with the same error, whatever the operation.
    let again = auth.begin("other", &uri()).await.unwrap_err();
    assert!(matches!(&again, Error::Auth { op, .. } if op == "other") && again.retries_left() == Some(4), "{again:?}");
    assert_eq!(again.class(), ErrorClass::AuthRejected);
    // A clone (another call of the same client) too.
    assert!(auth.clone().begin("op", &uri()).await.is_err());
    // New credentials: a fresh start, single-flight, from first contact.
    auth.replace_credentials(Credentials::new("u", "right"));
    assert!(!auth.is_rejected());
    let mut ex = auth.begin("op", &uri()).await.unwrap();
    assert!(ex.is_single_flight());
    assert_eq!(header_text(&mut ex), None);
}

#[tokio::test(start_paused = true)]
async fn a_rejection_is_forgotten_after_the_cooldown() {
    let auth = HttpAuth::new(Credentials::new("u", "wrong")).rejection_cooldown(Duration::from_secs(600));
    let mut ex = auth.begin("op", &uri()).await.unwrap();
    header_text(&mut ex);
    ex.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n1", "")).unwrap();
    header_text(&mut ex);
    ex.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n2", "")).unwrap();
    ex.settle(Some(&rejected_error()));
    tokio::time::advance(Duration::from_secs(599)).await;
    assert!(auth.begin("op", &uri()).await.is_err());
    tokio::time::advance(Duration::from_secs(1)).await;
    let ex = auth.begin("op", &uri()).await.unwrap();
    assert!(ex.is_single_flight(), "one attempt after the cool-down, the others wait for it");
}

#[tokio::test]
async fn stale_is_answered_once_and_a_second_stale_in_a_row_is_a_rejection() {
    let auth = HttpAuth::new(Credentials::new("u", "p"));
    let mut ex = auth.begin("op", &uri()).await.unwrap();
    header_text(&mut ex);
    ex.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n1", "")).unwrap();
    header_text(&mut ex);
    assert_eq!(ex.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n2", ", stale=true")).unwrap(), Step::Retry);
    assert!(header_text(&mut ex).unwrap().contains(r#"nonce="n2""#));
    assert_eq!(ex.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n3", ", stale=true")).unwrap(), Step::Rejected);
}

#[tokio::test]
async fn a_second_stale_in_a_row_across_calls_is_a_rejection() {
    let auth = HttpAuth::new(Credentials::new("u", "p"));
    let mut ex = auth.begin("op", &uri()).await.unwrap();
    header_text(&mut ex);
    ex.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n1", "")).unwrap();
    header_text(&mut ex);
    assert_eq!(ex.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n2", ", stale=true")).unwrap(), Step::Retry);
    // The call ends there (a timeout, a dropped future): nothing remembered but the streak.
    drop(ex);
    let mut ex = auth.begin("op", &uri()).await.unwrap();
    header_text(&mut ex);
    ex.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n3", "")).unwrap();
    header_text(&mut ex);
    assert_eq!(ex.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n4", ", stale=true")).unwrap(), Step::Rejected);
}

#[tokio::test]
async fn a_401_to_a_proven_header_answers_its_own_fresh_nonce_and_stays_proven() {
    let auth = HttpAuth::new(Credentials::new("u", "p"));
    proven(&auth).await;
    let mut ex = auth.begin("op", &uri()).await.unwrap();
    assert!(header_text(&mut ex).unwrap().contains(r#"nonce="n1", uri="/dir/index.html", qop=auth, nc=00000002"#));
    // nc out of the window (not stale): not a rejection; answer this 401's nonce with nc=1.
    assert_eq!(ex.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n9", "")).unwrap(), Step::Retry);
    assert!(auth.is_proven(), "the shared state stays proven");
    // Meanwhile another request still goes pre-emptively with the shared nonce.
    let mut other = auth.begin("op", &uri()).await.unwrap();
    assert!(!other.is_single_flight());
    assert!(header_text(&mut other).unwrap().contains(r#"nonce="n1""#));
    let answer = header_text(&mut ex).unwrap();
    assert!(answer.contains(r#"nonce="n9""#) && answer.contains("nc=00000001"), "{answer}");
    assert_eq!(ex.sent(), Sent::Digest { proven: false });
    ex.on_response("op", StatusCode::OK, &HeaderMap::new()).unwrap();
    // The nonce that just worked is now the shared one, its nc continuing.
    let mut next = auth.begin("op", &uri()).await.unwrap();
    assert!(header_text(&mut next).unwrap().contains(r#"nonce="n9", uri="/dir/index.html", qop=auth, nc=00000002"#));
}

#[tokio::test]
async fn only_a_refused_answer_to_a_fresh_nonce_is_a_rejection_after_proven() {
    let auth = HttpAuth::new(Credentials::new("u", "p"));
    proven(&auth).await;
    let mut ex = auth.begin("op", &uri()).await.unwrap();
    header_text(&mut ex);
    assert_eq!(ex.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n2", ", stale=true")).unwrap(), Step::Retry);
    header_text(&mut ex);
    // A stale answer to the fresh nonce is believed once (not counted across proven calls).
    assert_eq!(ex.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n3", ", stale=true")).unwrap(), Step::Retry);
    header_text(&mut ex);
    // The answer to a nonce just received is refused: the password changed on the device.
    assert_eq!(ex.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n4", "")).unwrap(), Step::Rejected);
    ex.settle(Some(&rejected_error()));
    assert!(auth.is_rejected());
    assert!(!auth.is_proven(), "after a real rejection the next attempt is single-flight again");
}

#[tokio::test]
async fn basic_is_never_sent_in_clear_unless_the_caller_chose_it() {
    let basic = headers(&[r#"Basic realm="x""#]);
    let http_uri = uri();
    let https_uri: http::Uri = "https://h/".parse().unwrap();

    // Auto over http: refused, typed, nothing sent.
    let auth = HttpAuth::new(Credentials::new("u", "p"));
    let mut ex = auth.begin("op", &http_uri).await.unwrap();
    assert_eq!(header_text(&mut ex), None);
    let err = ex.on_response("op", StatusCode::UNAUTHORIZED, &basic).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedChallenge);
    assert_ne!(err.class(), ErrorClass::AuthRejected);
    assert!(err.to_string().contains("refused to send the password in clear; set auth mode Basic to allow"), "{err}");
    drop(ex);

    // Auto over https: answered with Basic.
    let mut ex = auth.begin("op", &https_uri).await.unwrap();
    ex.authorization("op", &Method::GET, &https_uri, b"").unwrap();
    assert_eq!(ex.on_response("op", StatusCode::UNAUTHORIZED, &basic).unwrap(), Step::Retry);
    let h = ex.authorization("op", &Method::GET, &https_uri, b"").unwrap().unwrap();
    assert_eq!(h.to_str().unwrap(), "Basic dTpw");
    assert!(h.is_sensitive());
    assert_eq!(ex.sent(), Sent::Basic { proven: false });

    // Digest mode: refused even over https.
    let strict = HttpAuth::new(Credentials::new("u", "p")).mode(HttpAuthMode::Digest);
    let mut ex = strict.begin("op", &https_uri).await.unwrap();
    ex.authorization("op", &Method::GET, &https_uri, b"").unwrap();
    let err = ex.on_response("op", StatusCode::UNAUTHORIZED, &basic).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedChallenge);

    // Basic mode: the caller's explicit choice, pre-emptive over http.
    let chosen = HttpAuth::new(Credentials::new("u", "p")).mode(HttpAuthMode::Basic);
    let mut ex = chosen.begin("op", &http_uri).await.unwrap();
    assert_eq!(header_text(&mut ex).as_deref(), Some("Basic dTpw"));
}

#[tokio::test]
async fn challenges_that_cannot_be_answered_are_typed_and_send_nothing() {
    let cases: [(&[&str], &str, &str); 5] = [
        (&[r#"Digest realm="r", nonce="n", algorithm=MD4"#], "Digest", "unknown Digest algorithm"),
        (&[r#"Digest realm="r", qop="auth""#], "Digest", "challenge without a nonce"),
        (&[r#"Digest realm="r", nonce="n"#], "Digest", "unparsable challenge"),
        (&[r#"Bearer realm="r""#], "Bearer", "no challenge in a scheme the client speaks"),
        (&[], "none", "no challenge in a scheme the client speaks"),
    ];
    for (values, want_scheme, want_reason) in cases {
        let auth = HttpAuth::new(Credentials::new("u", "p"));
        let mut ex = auth.begin("op", &uri()).await.unwrap();
        assert_eq!(header_text(&mut ex), None);
        match ex.on_response("op", StatusCode::UNAUTHORIZED, &headers(values)) {
            Err(Error::UnsupportedChallenge { scheme, reason, .. }) => {
                assert_eq!((scheme.as_str(), reason), (want_scheme, want_reason), "{values:?}");
            }
            other => panic!("{values:?}: {other:?}"),
        }
        drop(ex);
        assert!(!auth.is_rejected(), "nothing was tried, nothing is remembered");
    }
}

#[tokio::test(start_paused = true)]
async fn concurrent_first_calls_share_one_challenge_and_one_answer() {
    let auth = HttpAuth::new(Credentials::new("u", "p"));
    let mut first = auth.begin("op", &uri()).await.unwrap();
    assert!(first.is_single_flight());
    let waiter = tokio::spawn({
        let auth = auth.clone();
        async move { auth.begin("op", &uri()).await.map(|ex| ex.is_single_flight()) }
    });
    tokio::task::yield_now().await;
    assert!(!waiter.is_finished(), "the second caller waits for the first one's outcome");
    header_text(&mut first);
    first.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n1", "")).unwrap();
    header_text(&mut first);
    first.on_response("op", StatusCode::OK, &HeaderMap::new()).unwrap();
    assert!(!waiter.await.unwrap().unwrap(), "proven meanwhile: pre-emptive, not single-flight");

    // And when the first one is rejected, the waiters fail fast.
    let auth = HttpAuth::new(Credentials::new("u", "wrong"));
    let mut first = auth.begin("op", &uri()).await.unwrap();
    let waiter = tokio::spawn({
        let auth = auth.clone();
        async move { auth.begin("op", &uri()).await.map(|_| ()) }
    });
    tokio::task::yield_now().await;
    header_text(&mut first);
    first.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n1", "")).unwrap();
    header_text(&mut first);
    assert_eq!(first.on_response("op", StatusCode::UNAUTHORIZED, &fresh("n2", "")).unwrap(), Step::Rejected);
    first.settle(Some(&rejected_error()));
    let err = waiter.await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Auth { .. }) && err.retries_left() == Some(4), "{err:?}");
}

#[test]
fn formatted_header_matches_the_crate_and_escapes_quotes() {
    let mut ch = WwwAuthenticateHeader::parse(
        r#"Digest realm="testrealm@host.com", qop="auth", algorithm=MD5, nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
    )
    .unwrap();
    let mut ctx = AuthContext::new("Mufasa", "Circle Of Life", "/dir/index.html");
    ctx.set_custom_cnonce("0a4f113b");
    let answer = ch.respond(&ctx).unwrap();
    assert_eq!(format_digest(&answer, true), answer.to_header_string());
    assert!(format_digest(&answer, true).contains(r#"response="6629fae49393a05397450978507c4ef1""#));
    assert!(!format_digest(&answer, false).contains("algorithm"));
    let mut quoted = answer.clone();
    quoted.username = r#"a"b\c"#.into();
    assert!(format_digest(&quoted, false).contains(r#"username="a\"b\\c""#));
}

#[tokio::test]
async fn uri_forms() {
    let uri: http::Uri = "http://h:8/a/b?c=1".parse().unwrap();
    for (form, want) in [
        (DigestUri::PathAndQuery, r#"uri="/a/b?c=1""#),
        (DigestUri::PathOnly, r#"uri="/a/b""#),
        (DigestUri::Absolute, r#"uri="http://h:8/a/b?c=1""#),
    ] {
        let auth = HttpAuth::new(Credentials::new("u", "p")).digest_uri(form);
        let mut ex = auth.begin("op", &uri).await.unwrap();
        ex.authorization("op", &Method::GET, &uri, b"").unwrap();
        ex.on_response("op", StatusCode::UNAUTHORIZED, &challenge("")).unwrap();
        let v = ex.authorization("op", &Method::GET, &uri, b"").unwrap().unwrap();
        assert!(v.to_str().unwrap().contains(want), "{form:?}: {v:?}");
    }
}

#[test]
fn debug_hides_the_password() {
    let auth = HttpAuth::new(Credentials::new("admin", "hunter2"));
    let s = format!("{auth:?}");
    assert!(s.contains("admin") && !s.contains("hunter2"), "{s}");
}

#[tokio::test(start_paused = true)]
async fn unchallenged_requests_run_concurrently_and_only_answers_wait() {
    let auth = HttpAuth::new(Credentials::new("u", "p"));
    let mut open = auth.begin("op", &uri()).await.unwrap();
    header_text(&mut open);
    open.on_response("op", StatusCode::OK, &HeaderMap::new()).unwrap();
    // The server let a request through without credentials: first requests do not queue.
    let mut a = auth.begin("op", &uri()).await.unwrap();
    let mut b = auth.begin("op", &uri()).await.unwrap();
    assert!(!a.is_single_flight() && !b.is_single_flight());
    header_text(&mut a);
    header_text(&mut b);
    assert_eq!(a.on_response("op", StatusCode::UNAUTHORIZED, &fresh("na", "")).unwrap(), Step::Retry);
    assert_eq!(b.on_response("op", StatusCode::UNAUTHORIZED, &fresh("nb", "")).unwrap(), Step::Retry);
    // Answering a challenge is single-flight: a answers, b waits for its outcome.
    a.ready("op").await.unwrap();
    assert!(a.is_single_flight());
    let waiter = tokio::spawn(async move {
        b.ready("op").await.unwrap();
        let h = header_text(&mut b).unwrap();
        (b.is_single_flight(), h)
    });
    tokio::task::yield_now().await;
    assert!(!waiter.is_finished());
    assert!(header_text(&mut a).unwrap().contains(r#"nonce="na""#));
    a.on_response("op", StatusCode::OK, &HeaderMap::new()).unwrap();
    let (single, h) = waiter.await.unwrap();
    assert!(!single);
    assert!(h.contains(r#"nonce="na""#) && h.contains("nc=00000002"), "b goes pre-emptive with the proven nonce: {h}");
}
