//! A rejected login carries every lock-out member the gateway sent (attempts left, lock time,
//! lock state), before the account is locked as well as after: against the simulator (which
//! sends them on every rejection) and against the seed's literal 9.24 example body.

use std::time::Duration;

use hik_gateway::sim::{SimConfig, Simulator};
use hik_gateway::{Client, GatewayInfoRequest};
use watchpost_core::sim::{http_response, ScriptedServer};
use watchpost_core::{Error, ErrorKind, LockoutInfo};

fn client(base_url: &str, password: &str) -> Client {
    Client::builder().base_url(base_url).credentials("admin", password).build().unwrap()
}

const LOCK: Duration = Duration::from_secs(30 * 60);

#[tokio::test(start_paused = true)]
async fn every_rejection_carries_attempts_lock_time_and_lock_state() {
    let sim = Simulator::start_with(SimConfig::default().lock_duration(LOCK)).await.unwrap();
    let c = client(&sim.base_url(), "wrong-password");
    // JSON_UserCheck (9.33): retryLoginTime, unlockTime, lockStatus.
    let e = c.login_check().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e:?}");
    assert_eq!(
        e.lockout(),
        Some(&LockoutInfo { retries_left: Some(5), lock_time: Some(LOCK), locked: Some(false) }),
        "{e}"
    );
    assert!(e.to_string().contains("not locked, 5 attempts left, lock time 1800s"), "{e}");
    // JSON_ResponseStatus_AuthenticationFailed (9.24): retryTimes, resLockTime, lockStatus.
    // One client remembers its rejection and sends nothing more, so each further attempt is
    // another client (another process) with the same wrong password.
    let fresh = || client(&sim.base_url(), "wrong-password");
    for left in (0..5).rev() {
        let e = fresh().gateway_info(&GatewayInfoRequest::new()).await.unwrap_err();
        assert_eq!(
            e.lockout(),
            Some(&LockoutInfo { retries_left: Some(left), lock_time: Some(LOCK), locked: Some(false) }),
            "{e}"
        );
    }
    // The next rejection locks: every member again, now saying locked.
    let e = fresh().gateway_info(&GatewayInfoRequest::new()).await.unwrap_err();
    assert!(matches!(e, Error::AuthLocked { .. }), "{e:?}");
    assert_eq!(e.lockout(), Some(&LockoutInfo { retries_left: Some(0), lock_time: Some(LOCK), locked: Some(true) }));
    tokio::time::advance(Duration::from_secs(60)).await;
    let e = fresh().login_check().await.unwrap_err();
    assert_eq!(
        e.lockout(),
        Some(&LockoutInfo {
            retries_left: Some(0),
            lock_time: Some(LOCK - Duration::from_secs(60)),
            locked: Some(true)
        }),
        "{e:?}"
    );
    sim.shutdown().await;
}

/// 9.24's example, verbatim (the hex literal `errorCode` included).
const SEED_EXAMPLE: &str = r#"{
  "requestURL": "/ISAPI/Streaming/channels/1",
  "statusCode": 4,
  "statusString": "Invalid Operation",
  "subStatusCode": "badAuthorization",
  "errorCode": 0x40000003,
  "errorMsg": "authentication failed",
  "lockStatus":"unlock",
  "retryTimes":5,
  "resLockTime":30
}"#;

#[tokio::test(start_paused = true)]
async fn the_seed_example_rejection_carries_every_member() {
    let rejection = http_response(
        "401 Unauthorized",
        &[
            ("WWW-Authenticate", r#"Digest realm="DS-GWAS0101(6419)", qop="auth", nonce="6e6f6e6365", algorithm=MD5"#),
            ("Content-Type", "application/json"),
        ],
        SEED_EXAMPLE.as_bytes(),
    );
    let hostile = ScriptedServer::start([rejection.clone(), rejection]).await.unwrap();
    let e = client(&hostile.base_url(), "wrong").gateway_info(&GatewayInfoRequest::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e:?}");
    assert_eq!(
        e.lockout(),
        Some(&LockoutInfo { retries_left: Some(5), lock_time: Some(Duration::from_secs(30)), locked: Some(false) })
    );
    assert_eq!(hostile.requests().len(), 2, "the challenge, then one answer: never repeated");
}
