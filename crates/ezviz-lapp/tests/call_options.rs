//! Per-call options (`Client::customize`) against the simulator over loopback HTTP, on tokio's
//! paused clock: a timeout override takes effect on a typed method, retries can be turned off
//! for one call, and the per-device lock (a core pipeline option) still serialises one serial.

use std::sync::Arc;
use std::time::Duration;

use ezviz_lapp::ops;
use ezviz_lapp::requests::GetDeviceInfoRequest;
use ezviz_lapp::sim::{fixtures, Simulator};
use tokio::time::Instant;
use watchpost_core::error::TimeoutPhase;
use watchpost_core::retry::FixedJitter;
use watchpost_core::sim::SimResponse;
use watchpost_core::Error;

fn info() -> GetDeviceInfoRequest {
    GetDeviceInfoRequest::new(fixtures::HUB)
}

#[tokio::test(start_paused = true)]
async fn a_per_call_timeout_override_takes_effect_on_a_typed_method() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    client.get_device_info(&info()).await.unwrap(); // the token first
    let op = &ops::GET_DEVICE_INFO;

    // The default limits (30 s per attempt, 120 s per call) wait out a 10 s answer.
    sim.faults().on(op).latency_next(1, Duration::from_secs(10));
    let started = Instant::now();
    client.get_device_info(&info()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(10));

    // A 2 s limit for this one call fails at 2 s, with that limit in the error.
    sim.faults().on(op).latency_next(1, Duration::from_secs(10));
    let started = Instant::now();
    let err =
        client.customize(|o| o.operation_timeout(Duration::from_secs(2))).get_device_info(&info()).await.unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(err, Error::Timeout { phase: TimeoutPhase::Operation, after, .. } if after == Duration::from_secs(2)),
        "{err:?}"
    );
    assert!(took >= Duration::from_secs(2) && took < Duration::from_secs(10), "{took:?}");

    // The attempt limit too; the client itself keeps its defaults.
    sim.faults().on(op).latency_next(1, Duration::from_secs(10));
    let quick = client.customize(|o| o.attempt_timeout(Duration::from_secs(3)).disable_retry());
    let err = quick.get_device_info(&info()).await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { phase: TimeoutPhase::Attempt, after, .. } if after == Duration::from_secs(3)),
        "{err:?}"
    );
    assert!(client.call_options().is_empty());
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn retry_off_makes_one_attempt_on_a_retryable_error() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().jitter(Arc::new(FixedJitter(1.0))).build().unwrap();
    client.get_device_info(&info()).await.unwrap(); // the token first
    let op = &ops::GET_DEVICE_INFO;

    let before = sim.requests_total();
    sim.faults().on(op).fail_next(3, SimResponse::empty(503));
    let err = client.customize(|o| o.disable_retry()).get_device_info(&info()).await.unwrap_err();
    assert_eq!(err.class(), watchpost_core::ErrorClass::Retryable, "{err:?}");
    assert_eq!(sim.requests_total() - before, 1, "one attempt only");
    sim.faults().clear();

    // Without the option, the same error is retried up to the client's 3 attempts.
    let before = sim.requests_total();
    sim.faults().on(op).fail_next(3, SimResponse::empty(503));
    let err = client.get_device_info(&info()).await.unwrap_err();
    assert_eq!(err.class(), watchpost_core::ErrorClass::Retryable, "{err:?}");
    assert_eq!(sim.requests_total() - before, 3);
    sim.shutdown().await;
}

/// Two calls at once, each answered after one virtual second: how long both took.
async fn two_at_once(client: &ezviz_lapp::Client, a: &str, b: &str) -> Duration {
    let (ra, rb) = (GetDeviceInfoRequest::new(a), GetDeviceInfoRequest::new(b));
    let started = Instant::now();
    let (x, y) = tokio::join!(client.get_device_info(&ra), client.get_device_info(&rb));
    x.unwrap();
    y.unwrap();
    started.elapsed()
}

#[tokio::test(start_paused = true)]
async fn calls_to_one_device_serial_go_one_at_a_time_through_the_core_lock() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    assert!(client.pipeline().serializes_per_device(), "on by default for EZVIZ");
    client.get_device_info(&info()).await.unwrap(); // the token first
    sim.faults().latency(Duration::from_secs(1));

    let same = two_at_once(&client, fixtures::HUB, fixtures::HUB).await;
    assert!(same >= Duration::from_secs(2), "the second call waited for the first: {same:?}");
    let different = two_at_once(&client, fixtures::HUB, fixtures::CAMERA).await;
    assert!(different < Duration::from_secs(2), "two devices in parallel: {different:?}");
    assert_eq!(client.pipeline().devices_in_use(), 0, "no lock entry outlives its calls");

    let parallel = sim.client_builder().serialize_per_device(false).build().unwrap();
    parallel.get_device_info(&info()).await.unwrap();
    let same = two_at_once(&parallel, fixtures::HUB, fixtures::HUB).await;
    assert!(same < Duration::from_secs(2), "option off: {same:?}");
    sim.shutdown().await;
}
