//! Tokens against the simulator: expiry across a run, 10002 refresh-and-replay, single-flight
//! refresh under concurrency, fixed sub-account tokens, and the token endpoint's own errors.
//! Time-based tests run on tokio's paused clock; the simulator's token expiry follows it.

use std::time::Duration;

use ezviz_lapp::requests::{GetDeviceInfoRequest, GetLanguageRequest, ListTimezonesRequest};
use ezviz_lapp::sim::{fixtures, Simulator};
use ezviz_lapp::{Client, EzvizCode, EzvizErrorExt as _};
use watchpost_core::{Error, ErrorClass};

const HOUR: Duration = Duration::from_secs(3600);

async fn language(client: &Client) -> Result<(), Error> {
    client.get_language(&GetLanguageRequest::new(fixtures::HUB)).await.map(|_| ())
}

#[tokio::test(start_paused = true)]
async fn a_run_across_token_expiry_refreshes_once_and_never_shows_10002() {
    let sim = Simulator::start().await.unwrap();
    sim.set_token_ttl(HOUR);
    let client = sim.client_builder().build().unwrap();

    // A call every 10 minutes for 90 minutes: the token (1 h) expires on the way.
    for _ in 0..10 {
        language(&client).await.expect("no caller sees 10002");
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
    // The first token and exactly one refresh, fetched ahead of the expiry (the skew), so the
    // service never had to answer 10002.
    assert_eq!(sim.token_calls(), 2);
    assert_eq!(client.token_fetches(), 2);
    assert_eq!(sim.hits("device.language.get"), 10, "no call was replayed");
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_token_that_expires_at_once_by_our_clock_is_not_fetched_for_every_call() {
    let sim = Simulator::start().await.unwrap();
    sim.set_token_ttl(Duration::from_secs(30)); // shorter than the 60 s refresh skew
    let client = sim.client_builder().build().unwrap();
    for _ in 0..5 {
        language(&client).await.unwrap();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    assert_eq!(sim.token_calls(), 1, "no token fetch per call");
    // Once the service expires it, 10002 triggers the refresh.
    tokio::time::advance(Duration::from_secs(30)).await;
    language(&client).await.unwrap();
    assert_eq!(sim.token_calls(), 2);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_token_expired_by_the_service_is_refreshed_once_for_all_concurrent_callers() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    language(&client).await.unwrap();
    assert_eq!(sim.token_calls(), 1);

    // The service drops the token early (revocation, clock skew): every caller meets 10002 once.
    sim.expire_tokens();
    let serials = [fixtures::HUB, fixtures::CAMERA, fixtures::CAMERA_2, fixtures::SSL_CAMERA, fixtures::DOORBELL];
    let calls = serials.iter().flat_map(|s| [*s, *s]).map(|serial| {
        let client = client.clone();
        tokio::spawn(async move { client.get_language(&GetLanguageRequest::new(serial)).await })
    });
    let calls: Vec<_> = calls.collect();
    for call in calls {
        let answer = call.await.unwrap();
        assert!(answer.is_ok(), "a caller saw {answer:?}");
    }
    assert_eq!(sim.token_calls(), 2, "exactly one refresh");
    // 1 before, then each of the 10 calls: at most one 10002 and its replay.
    let hits = sim.hits("device.language.get");
    assert!((11..=21).contains(&hits), "{hits}");
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_10002_is_replayed_once_with_the_new_token() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    language(&client).await.unwrap();
    sim.expire_tokens();
    language(&client).await.unwrap();
    assert_eq!(sim.hits("device.language.get"), 3, "the first call, then 10002 and its replay");
    assert_eq!(sim.token_calls(), 2);

    // A service that keeps answering 10002 gets one refresh and one replay, then the caller sees it.
    sim.fail_next_code(2, Some(&ezviz_lapp::ops::GET_LANGUAGE), "10002");
    let e = language(&client).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::AuthExpired);
    assert_eq!(e.ezviz_code(), Some(EzvizCode::AccessTokenExpired));
    assert_eq!(sim.hits("device.language.get"), 5);
    assert_eq!(sim.token_calls(), 3);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_fixed_sub_account_token_cannot_be_refreshed_and_10002_reaches_the_caller() {
    let sim = Simulator::start().await.unwrap();
    let sub = sim.issue_sub_account_token(HOUR);
    assert!(!format!("{sub:?}").contains(&sub.access_token));
    let client = Client::builder()
        .access_token(sub.access_token.clone())
        .area_domain(sub.area_domain.clone().unwrap_or_default())
        .build()
        .unwrap();
    assert!(!client.can_refresh_token());
    language(&client).await.unwrap();

    tokio::time::advance(HOUR + Duration::from_secs(1)).await;
    let e = language(&client).await.unwrap_err();
    assert!(matches!(e, Error::Auth { expired: true, .. }), "{e:?}");
    assert_eq!(e.class(), ErrorClass::AuthExpired);
    assert_eq!(e.ezviz_code(), Some(EzvizCode::AccessTokenExpired));
    assert_eq!(sim.hits("device.language.get"), 2, "no replay");
    assert_eq!((sim.token_calls(), client.token_fetches()), (0, 0), "nothing to refresh with");
    assert!(!e.to_string().contains(&sub.access_token));
    sim.shutdown().await;
}

#[tokio::test]
async fn every_call_goes_to_the_area_domain_and_the_time_zone_list_needs_no_token() {
    let sim = Simulator::start().await.unwrap();
    assert_ne!(sim.token_host(), sim.area_domain());
    let client = sim.client_builder().build().unwrap();
    let info = client.get_device_info(&GetDeviceInfoRequest::new(fixtures::HUB)).await.unwrap();
    assert_eq!(info.device_serial.as_deref(), Some(fixtures::HUB));
    assert_eq!(client.list_timezones(&ListTimezonesRequest::new()).await.unwrap().len(), 105);

    // A client told to use another area domain than the token's goes there: the token host,
    // which serves nothing but tokens, answers 404.
    let wrong = sim.client_builder().area_domain(sim.token_host()).build().unwrap();
    let e = language(&wrong).await.unwrap_err();
    assert_eq!(e.status(), Some(404));
    sim.shutdown().await;
}

#[tokio::test]
async fn token_endpoint_errors_are_typed() {
    let sim = Simulator::start().await.unwrap();

    let wrong_secret = sim.client_builder().app_secret("not-the-secret").build().unwrap();
    let e = language(&wrong_secret).await.unwrap_err();
    assert_eq!((e.class(), e.ezviz_code()), (ErrorClass::AuthRejected, Some(EzvizCode::AppSecretMismatch)));
    assert!(!e.to_string().contains("not-the-secret"));
    assert_eq!(sim.token_calls(), 1, "rejected credentials are never retried");

    let unknown_key = sim.client_builder().app_key("unknown").build().unwrap();
    let e = language(&unknown_key).await.unwrap_err();
    assert_eq!(e.ezviz_code(), Some(EzvizCode::AppKeyNotFound));

    sim.freeze_app(true);
    let frozen = sim.client_builder().build().unwrap();
    let e = language(&frozen).await.unwrap_err();
    assert_eq!((e.class(), e.ezviz_code()), (ErrorClass::Permanent, Some(EzvizCode::AppKeyFrozen)));
    sim.freeze_app(false);

    // A token answer that does not decode is a decode error whose excerpt hides the token.
    let bad = serde_json::json!({ "code": "200", "data": { "accessToken": "at.leakme", "expireTime": "soon" } });
    sim.faults().on(&ezviz_lapp::ops::GET_TOKEN).fail_next(1, watchpost_core::sim::SimResponse::json(200, &bad));
    let e = language(&sim.client_builder().build().unwrap()).await.unwrap_err();
    assert_eq!(e.kind(), watchpost_core::ErrorKind::Decode);
    assert!(!format!("{e} {e:?}").contains("leakme"), "{e}");

    // A 49999 from the token endpoint is retried once.
    sim.fail_next_code(1, Some(&ezviz_lapp::ops::GET_TOKEN), "49999");
    let client = sim.client_builder().build().unwrap();
    language(&client).await.unwrap();
    assert_eq!(client.token_fetches(), 1);
    sim.shutdown().await;
}
