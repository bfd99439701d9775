//! Authentication against the simulator: stale nonces, wrong passwords with the attempts left,
//! the lock-out, Basic, and a rejected password on the alarm stream.

use std::time::Duration;

use futures_util::StreamExt;
use hik_gateway::models::SubscribeDeviceMgmtMsg;
use hik_gateway::sim::{SimAuth, SimConfig, Simulator};
use hik_gateway::{Client, ConnectionState, GatewayInfoRequest, HikStatusExt, Notification, SubStatus};
use watchpost_core::auth::HttpAuthMode;
use watchpost_core::{Error, ErrorClass, ErrorKind};

fn client(sim: &Simulator, password: &str) -> Client {
    Client::builder().base_url(sim.base_url()).credentials(sim.username(), password).build().unwrap()
}

fn basic_client(sim: &Simulator, password: &str) -> Client {
    Client::builder()
        .base_url(sim.base_url())
        .credentials(sim.username(), password)
        .auth_mode(HttpAuthMode::Basic)
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_stale_nonce_costs_exactly_one_extra_round_trip() {
    let sim = Simulator::start().await.unwrap();
    let c = client(&sim, sim.password());
    // First contact: the challenge, then the answer.
    c.gateway_info(&GatewayInfoRequest::new()).await.unwrap();
    assert_eq!(sim.requests_total(), 2);
    // Pre-emptive from now on: one request per call.
    c.gateway_info(&GatewayInfoRequest::new()).await.unwrap();
    assert_eq!(sim.requests_total(), 3);
    // The nonce expires (60 s): one 401 stale=true, one answer.
    tokio::time::advance(Duration::from_secs(61)).await;
    c.gateway_info(&GatewayInfoRequest::new()).await.unwrap();
    assert_eq!(sim.requests_total(), 5);
    assert_eq!(sim.digest().stale_challenges(), 1);
    assert_eq!(sim.digest().failures(), 0);
    // And the same through an explicit expiry.
    sim.digest().expire_nonces();
    c.gateway_info(&GatewayInfoRequest::new()).await.unwrap();
    assert_eq!(sim.requests_total(), 7);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_wrong_password_is_a_typed_error_after_one_authenticated_request() {
    let sim = Simulator::start().await.unwrap();
    let c = client(&sim, "wrong-password");
    let err = c.login_check().await.unwrap_err();
    match &err {
        Error::Auth { lockout, expired, status, .. } => {
            assert_eq!(lockout.retries_left, Some(5), "the seed's example count: {err}");
            assert!(!expired);
            assert_eq!(*status, Some(401));
        }
        other => panic!("expected Error::Auth, got {other:?}"),
    }
    assert_eq!(err.class(), ErrorClass::AuthRejected);
    // One unauthenticated request (the challenge) and exactly one with the wrong password.
    assert_eq!(sim.requests_total(), 2);
    assert_eq!(sim.digest().failures(), 1);
    // No secret in the error.
    assert!(!format!("{err:?} {err}").contains("wrong-password"));

    // Every further call of this client fails fast with the same error: nothing is sent.
    for _ in 0..3 {
        let e = c.gateway_info(&GatewayInfoRequest::new()).await.unwrap_err();
        assert!(matches!(e, Error::Auth { .. }) && e.retries_left() == Some(5), "{e:?}");
        assert_eq!(e.sub_status(), err.sub_status());
    }
    assert_eq!(sim.requests_total(), 2);
    assert_eq!(sim.digest().failures(), 1);

    // Other clients (other processes) with the wrong password each spend one attempt,
    // counting down; the last one locks the account.
    for left in (0..5).rev() {
        let e = client(&sim, "wrong-password").gateway_info(&GatewayInfoRequest::new()).await.unwrap_err();
        assert!(matches!(e, Error::Auth { .. }) && e.retries_left() == Some(left), "{e:?}");
        assert_eq!(e.sub_status(), Some(SubStatus::BadAuthorization));
    }
    assert_eq!(sim.digest().failures(), 6);
    let locked = client(&sim, "wrong-password").gateway_info(&GatewayInfoRequest::new()).await.unwrap_err();
    assert_eq!(locked.kind(), ErrorKind::AuthLocked, "{locked:?}");
    assert_eq!(locked.retry_after(), Some(Duration::from_secs(30 * 60)));
    assert_eq!(sim.digest().failures(), 7);

    // While locked, even the right password is refused, typed, and sent once.
    let good = client(&sim, sim.password());
    let before = sim.requests_total();
    let e = good.login_check().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthLocked);
    assert!(e.retry_after().is_some_and(|d| d <= Duration::from_secs(30 * 60)));
    assert_eq!(sim.requests_total() - before, 2, "challenge + one request, no retry");

    // After the lock time the right password works.
    tokio::time::advance(Duration::from_secs(30 * 60 + 1)).await;
    assert!(good.login_check().await.unwrap().is_authenticated());
    sim.shutdown().await;
}

#[tokio::test]
async fn basic_auth_is_sent_over_http_only_when_chosen_and_digest_only_refuses_it() {
    let sim = Simulator::start_with(SimConfig::default().auth(SimAuth::Basic)).await.unwrap();
    // Auto over plain http: the password never goes out in clear.
    let auto = client(&sim, sim.password());
    let e = auto.login_check().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedChallenge, "{e:?}");
    assert!(e.to_string().contains("set auth mode Basic to allow"), "{e}");
    assert_eq!(sim.basic().authorized(), 0);
    assert_eq!(sim.basic().failures(), 0);
    // Basic chosen explicitly: sent, and pre-emptive afterwards.
    let c = basic_client(&sim, sim.password());
    assert!(c.login_check().await.unwrap().is_authenticated());
    assert_eq!(sim.basic().authorized(), 1);
    // Pre-emptive Basic afterwards.
    let before = sim.requests_total();
    c.gateway_info(&GatewayInfoRequest::new()).await.unwrap();
    assert_eq!(sim.requests_total() - before, 1);

    let strict = Client::builder()
        .base_url(sim.base_url())
        .credentials(sim.username(), sim.password())
        .auth_mode(HttpAuthMode::Digest)
        .build()
        .unwrap();
    let e = strict.login_check().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedChallenge);
    assert_eq!(sim.basic().authorized(), 2, "the password never went out in clear text");

    let wrong = basic_client(&sim, "nope");
    let e = wrong.login_check().await.unwrap_err();
    assert!(matches!(e, Error::Auth { .. }), "{e:?}");
    sim.shutdown().await;

    // A gateway that offers both: the client prefers Digest.
    let sim = Simulator::start_with(SimConfig::default().auth(SimAuth::DigestOrBasic)).await.unwrap();
    assert!(client(&sim, sim.password()).login_check().await.unwrap().is_authenticated());
    assert_eq!(sim.basic().authorized(), 0);
    assert_eq!(sim.digest().authorized(), 1);
    let basic = Client::builder()
        .base_url(sim.base_url())
        .credentials(sim.username(), sim.password())
        .auth_mode(HttpAuthMode::Basic)
        .build()
        .unwrap();
    assert!(basic.login_check().await.unwrap().is_authenticated());
    assert_eq!(sim.basic().authorized(), 1);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_rejected_password_ends_the_alarm_stream_without_burning_attempts() {
    let sim = Simulator::start().await.unwrap();
    let c = client(&sim, "wrong-password");
    let mut stream = c.subscribe(SubscribeDeviceMgmtMsg::all());
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item);
    }
    assert!(matches!(items[0], Ok(Notification::State(ConnectionState::Connecting))));
    match &items[1] {
        Err(e @ Error::Auth { .. }) if e.retries_left() == Some(5) => {}
        other => panic!("expected the typed auth error, got {other:?}"),
    }
    assert!(matches!(items[2], Ok(Notification::State(ConnectionState::Closed))));
    assert_eq!(items.len(), 3);
    assert_eq!(sim.digest().failures(), 1, "the supervisor never repeats a rejected login");
    assert_eq!(*stream.state().borrow(), ConnectionState::Closed);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn wrong_password_from_3_sequential_and_8_concurrent_calls_sends_one_authorization_header() {
    let sim = Simulator::start().await.unwrap();
    let c = client(&sim, "wrong-password");
    for _ in 0..3 {
        let e = c.gateway_info(&GatewayInfoRequest::new()).await.unwrap_err();
        assert!(matches!(e, Error::Auth { .. }) && e.retries_left() == Some(5), "{e:?}");
    }
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move { c.gateway_info(&GatewayInfoRequest::new()).await }));
    }
    for t in tasks {
        let e = t.await.unwrap().unwrap_err();
        assert!(matches!(e, Error::Auth { .. }) && e.retries_left() == Some(5), "{e:?}");
    }
    assert_eq!(sim.digest().authorization_headers(), 1, "one Authorization header in total");
    assert_eq!(sim.digest().failures(), 1);
    // The account is not locked: the right password works, on another client and on this one.
    assert!(client(&sim, sim.password()).login_check().await.unwrap().is_authenticated());
    c.set_credentials(sim.username(), sim.password()).unwrap();
    assert!(c.login_check().await.unwrap().is_authenticated());
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn concurrent_first_calls_share_one_challenge_and_one_answer() {
    let sim = Simulator::start().await.unwrap();
    let c = client(&sim, sim.password());
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move { c.gateway_info(&GatewayInfoRequest::new()).await }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(sim.digest().challenges_sent(), 1, "one challenge fetched");
    assert_eq!(sim.requests_total(), 9, "the challenge, its answer, then 7 pre-emptive calls");
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_rejection_is_forgotten_after_the_cooldown() {
    let sim = Simulator::start().await.unwrap();
    let c = Client::builder()
        .base_url(sim.base_url())
        .credentials(sim.username(), "wrong-password")
        .rejection_cooldown(Duration::from_secs(60))
        .build()
        .unwrap();
    assert!(c.login_check().await.is_err());
    assert!(c.login_check().await.is_err());
    assert_eq!(sim.digest().failures(), 1);
    tokio::time::advance(Duration::from_secs(60)).await;
    let e = c.login_check().await.unwrap_err();
    assert!(
        matches!(e, Error::Auth { .. }) && e.retries_left() == Some(4),
        "one more attempt after the cool-down: {e:?}"
    );
    assert_eq!(sim.digest().failures(), 2);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_proven_subscription_refused_for_its_nonce_count_is_re_challenged_and_stays_alive() {
    let sim = Simulator::start().await.unwrap();
    let c = client(&sim, sim.password());
    assert!(c.login_check().await.unwrap().is_authenticated());
    // The gateway refuses the subscription's nc (another request advanced it out of the window).
    sim.digest().refuse_nonce_counts(1);
    let mut stream = c.subscribe(SubscribeDeviceMgmtMsg::all());
    loop {
        match stream.next().await {
            Some(Ok(Notification::State(ConnectionState::Connected))) => break,
            Some(Ok(Notification::State(_))) => {}
            other => panic!("the subscription must come up, got {other:?}"),
        }
    }
    assert_eq!(sim.digest().nc_refusals(), 1);
    assert_eq!(sim.digest().failures(), 0, "not a failed login");
    let watchpost_core::auth::Auth::Http(h) = c.pipeline().auth() else { panic!() };
    assert!(h.is_proven() && !h.is_rejected(), "the shared proven flag stays set");
    // An unrelated call still goes pre-emptively: one request.
    let before = sim.requests_total();
    c.gateway_info(&GatewayInfoRequest::new()).await.unwrap();
    assert_eq!(sim.requests_total() - before, 1);
    // And the stream delivers.
    assert_eq!(sim.live_subscriptions(), 1);
    drop(stream);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn wrong_basic_passwords_count_down_and_lock_the_account_for_digest_too() {
    let sim = Simulator::start_with(SimConfig::default().auth(SimAuth::DigestOrBasic)).await.unwrap();
    // Each client (process) spends one attempt; the count is the account's, whatever the scheme.
    for left in (0..=5).rev() {
        let e = basic_client(&sim, "wrong-password").login_check().await.unwrap_err();
        assert!(matches!(e, Error::Auth { .. }) && e.retries_left() == Some(left), "{e:?}");
    }
    let locked = basic_client(&sim, "wrong-password").gateway_info(&GatewayInfoRequest::new()).await.unwrap_err();
    assert_eq!(locked.kind(), ErrorKind::AuthLocked, "{locked:?}");
    assert_eq!(locked.retry_after(), Some(Duration::from_secs(30 * 60)));
    assert_eq!(sim.basic().failures(), 7);
    // The right password over Digest is refused while the account is locked.
    let e = client(&sim, sim.password()).login_check().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthLocked, "{e:?}");
    assert_eq!(sim.digest().failures(), 0);
    tokio::time::advance(Duration::from_secs(30 * 60 + 1)).await;
    assert!(basic_client(&sim, sim.password()).login_check().await.unwrap().is_authenticated());
    assert!(client(&sim, sim.password()).login_check().await.unwrap().is_authenticated());
    sim.shutdown().await;
}
