//! The pipeline reads Unix time from its injected clock, never from a time anchored at start: a
//! `ManualClock` stepped forward and back (an NTP correction) decides token freshness and the
//! wait for an `X-RateLimit-Reset`, while tokio's (paused) clock does not move.
#![cfg(feature = "sim")]

use std::sync::Arc;
use std::time::Duration;

use http::Method;
use tokio::time::Instant;
use watchpost_core::auth::{Auth, Token, TokenAuth, TokenProvider};
use watchpost_core::clock::ManualClock;
use watchpost_core::pipeline::Pipeline;
use watchpost_core::ratelimit::RateLimiter;
use watchpost_core::retry::FixedJitter;
use watchpost_core::sim::{http_response, ScriptedServer};
use watchpost_core::{Operation, Request};

static GET: Operation = Operation::adhoc("test", "test.read", Method::GET, "/read").idempotent(true);

/// Some Unix time (2023-11-14).
const T0: u64 = 1_700_000_000;
const HOUR: Duration = Duration::from_secs(3600);

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[tokio::test(start_paused = true)]
async fn token_expiry_is_judged_by_the_injected_clock_across_ntp_steps() {
    let server = ScriptedServer::start([http_response("200 OK", &[], b"{}")]).await.unwrap();
    let clock = Arc::new(ManualClock::at_secs(T0));
    let fetch_clock = clock.clone();
    let provider = TokenProvider::new(move || {
        let clock = fetch_clock.clone();
        async move { Ok(Token::new("t0k3n").expires_in(HOUR, &*clock)) }
    });
    let pipeline = Pipeline::builder("test", server.base_url())
        .clock(clock.clone())
        .auth(Auth::Token(TokenAuth::header(provider.clone(), "authorization", "Bearer ")))
        .build()
        .unwrap();
    let call = || pipeline.execute(Request::new(&GET));

    call().await.unwrap();
    assert_eq!(provider.fetch_count(), 1, "first token, valid until T0 + 1 h");

    // NTP steps the clock two hours forward (tokio's clock does not move): the token has
    // expired by the client's clock and is refreshed before the call.
    clock.set(secs(T0 + 7200));
    call().await.unwrap();
    assert_eq!(provider.fetch_count(), 2, "expired by the jumped clock: refreshed");

    // Stepped back two hours: the new token (valid until T0 + 3 h) has not expired.
    clock.set(secs(T0));
    call().await.unwrap();
    assert_eq!(provider.fetch_count(), 2, "not expired by the clock stepped back: kept");

    // Just outside the 60 s refresh skew: kept; just inside: refreshed.
    clock.set(secs(T0 + 3 * 3600 - 61));
    call().await.unwrap();
    assert_eq!(provider.fetch_count(), 2);
    clock.set(secs(T0 + 3 * 3600 - 59));
    call().await.unwrap();
    assert_eq!(provider.fetch_count(), 3);
    assert_eq!(pipeline.clock().unix_now(), secs(T0 + 3 * 3600 - 59), "the pipeline's clock is the injected one");
}

#[tokio::test(start_paused = true)]
async fn a_rate_limit_reset_read_under_a_jumped_clock_waits_the_right_time() {
    for with_limiter in [false, true] {
        for stream in [false, true] {
            // The clock was wrong at start and NTP stepped it 1000 s forward since; the server's
            // reset is 30 s ahead of the corrected time.
            let clock = Arc::new(ManualClock::at_secs(T0));
            clock.set(secs(T0 + 1000));
            let reset = (T0 + 1000 + 30).to_string();
            let throttled = http_response(
                "429 Too Many Requests",
                &[("X-RateLimit-Limit", "100"), ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", &reset)],
                b"",
            );
            let server = ScriptedServer::start([throttled, http_response("200 OK", &[], b"{}")]).await.unwrap();
            let mut builder =
                Pipeline::builder("test", server.base_url()).clock(clock.clone()).jitter(Arc::new(FixedJitter(1.0)));
            if with_limiter {
                builder = builder.rate_limiter(Arc::new(RateLimiter::with_clock(None, clock.clone())));
            }
            let pipeline = builder.build().unwrap();
            let began = Instant::now();
            if stream {
                pipeline.open_stream(Request::new(&GET)).await.unwrap();
            } else {
                pipeline.execute(Request::new(&GET)).await.unwrap();
            }
            let waited = began.elapsed();
            let what = format!("limiter: {with_limiter}, stream: {stream}");
            assert_eq!(server.requests().len(), 2, "{what}");
            assert!(waited >= secs(30) && waited < secs(31), "{what}: waited {waited:?}, the reset was 30 s away");
        }
    }
}
