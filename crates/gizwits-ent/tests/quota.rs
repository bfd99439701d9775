//! The hourly quota and token lifetimes on tokio's paused clock.

use std::sync::Arc;
use std::time::Duration;

use gizwits_ent::sim::fixtures::{DEVICE_MAC, PRODUCT_KEY, SECOND_PRODUCT_KEY};
use gizwits_ent::sim::Simulator;
use gizwits_ent::{Client, DeviceDetailRequest, Result, SearchDevicesRequest};
use tokio::time::Instant;
use watchpost_core::clock::unix_now;

/// Runs `calls` device-detail calls from `tasks` concurrent tasks; every result must be `Ok`.
async fn run_calls(client: &Client, tasks: usize, calls: usize) -> Result<()> {
    let per_task = calls / tasks;
    let extra = calls % tasks;
    let mut handles = Vec::with_capacity(tasks);
    for t in 0..tasks {
        let client = client.clone();
        let n = per_task + usize::from(t < extra);
        handles.push(tokio::spawn(async move {
            let req = DeviceDetailRequest::new(PRODUCT_KEY, DEVICE_MAC);
            for _ in 0..n {
                client.device_detail(&req).await?;
            }
            Ok::<_, gizwits_ent::Error>(())
        }));
    }
    for h in handles {
        h.await.expect("task panicked")?;
    }
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn seven_thousand_three_hundred_calls_stay_within_the_hourly_quota() -> Result<()> {
    let sim = Simulator::start().await.expect("simulator");
    let client = sim.client_builder().build()?;
    let start = Instant::now();
    run_calls(&client, 20, 7300).await?;
    let elapsed = start.elapsed();

    assert_eq!(sim.quota().rejected_count(), 0, "the simulator never answered 5013");
    assert_eq!(sim.hits("devices.detail"), 7300);
    // Every request counts against the quota, the token request included.
    let requests = sim.requests_total();
    assert_eq!(requests, 7301);
    // With 3600 requests per hour the last of 7301 cannot go before two whole windows passed.
    let minimum = Duration::from_secs(3600 * ((requests - 1) / 3600));
    let ratio = elapsed.as_secs_f64() / minimum.as_secs_f64();
    println!(
        "quota: {requests} requests from 20 tasks at 3600/h took {:.1} s of virtual time; minimum {} s; ratio {ratio:.5}",
        elapsed.as_secs_f64(),
        minimum.as_secs()
    );
    assert!((1.0..1.001).contains(&ratio), "elapsed {elapsed:?} for a minimum of {minimum:?} (ratio {ratio})");
    Ok(())
}

/// Two independent clients (two processes: separate limiters, tokens and connection pools) of
/// one enterprise share the simulator's quota of 3600 per hour and make 7300 calls together.
/// They see each other only through `X-RateLimit-Remaining`.
#[tokio::test(start_paused = true)]
async fn two_processes_sharing_one_quota_make_7300_calls_and_wait_out_every_5013() -> Result<()> {
    const CALLS: usize = 7300;
    const TASKS_EACH: usize = 10;
    let sim = Simulator::start().await.expect("simulator");
    let a = sim.client_builder().build()?;
    let b = sim.client_builder().build()?;
    let start = Instant::now();
    let (ra, rb) = tokio::join!(run_calls(&a, TASKS_EACH, CALLS / 2), run_calls(&b, TASKS_EACH, CALLS / 2));
    ra?;
    rb?;
    let elapsed = start.elapsed();

    let journal = sim.quota().journal();
    let rejected = sim.quota().rejected_count();
    let allowed = journal.iter().filter(|e| e.allowed).count() as u64;
    // Every call succeeded (run_calls checks each result); one token per client.
    assert_eq!(allowed, CALLS as u64 + 2, "7300 calls and two token requests got through");
    assert_eq!(sim.requests_total(), allowed + rejected);
    // After a 5013, its caller sends nothing before the reset the 5013 carried. Only requests
    // already in flight (at most one per task, at the same virtual instant: the simulator
    // answers without latency) may arrive after it.
    for (i, e) in journal.iter().enumerate().filter(|(_, e)| !e.allowed) {
        let reset = Duration::from_secs(e.reset_unix);
        let early: Vec<_> = journal[i + 1..].iter().filter(|l| l.caller == e.caller && l.at < reset).collect();
        assert!(early.iter().all(|l| l.at == e.at), "sent after the 5013 {e:?} and before its reset: {early:?}");
        assert!(early.len() < TASKS_EACH, "more than the requests in flight followed the 5013 {e:?}: {early:?}");
    }
    // The simulator's windows: the first starts with the first request and holds 3600; each
    // next one starts with the first request after the previous one ended (an hour later at
    // the earliest). 7302 requests fill two windows and put 102 in a third, which cannot start
    // before two hours have passed: that is the minimum the quota allows.
    let windows = (allowed as f64 / 3600.0).ceil() as u64;
    let minimum = Duration::from_secs(3600 * (windows - 1));
    let ratio = elapsed.as_secs_f64() / minimum.as_secs_f64();
    println!(
        "shared quota: 2 clients x {TASKS_EACH} tasks, {allowed} requests at 3600/h in {:.1} s of virtual time; \
         minimum {} s; ratio {ratio:.5}; 5013 answers: {rejected}",
        elapsed.as_secs_f64(),
        minimum.as_secs()
    );
    assert!(ratio >= 1.0, "faster than the quota allows: the simulator is wrong ({elapsed:?})");
    assert!(ratio <= 1.05, "elapsed {elapsed:?} for a minimum of {minimum:?} (ratio {ratio})");
    assert!(rejected <= 2, "the shared quota was run into {rejected} times");
    let snapshot = a.rate_limiter().quota().expect("the server's quota was observed");
    assert_eq!(snapshot.limit, Some(3600));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn a_bare_5013_holds_every_caller_for_the_hour_even_when_the_call_gives_up() -> Result<()> {
    // A 5013 without any X-RateLimit header (undocumented either way): the document's "after
    // one hour" applies. The call may not wait that long (max_retry_after 60 s) and returns the
    // error; the client still sends nothing for that hour.
    let sim = Simulator::start().await.expect("simulator");
    let retry =
        watchpost_core::retry::RetryConfig { max_retry_after: Duration::from_secs(60), ..gizwits_ent::default_retry() };
    let client = sim.client_builder().retry(retry).build()?;
    let req = DeviceDetailRequest::new(PRODUCT_KEY, DEVICE_MAC);
    client.device_detail(&req).await?;
    let bare = watchpost_core::sim::SimResponse::json(403, &serde_json::json!({"error_code": "5013"}));
    sim.faults().on(&gizwits_ent::ops::DEVICE_DETAIL).fail_next(1, bare);
    let e = client.device_detail(&req).await.unwrap_err();
    assert_eq!((e.retry_after(), e.reset_at()), (Some(Duration::from_secs(3600)), None), "{e}");
    let sent = sim.requests_total();
    let start = Instant::now();
    client.device_detail(&req).await?;
    assert_eq!(start.elapsed(), Duration::from_secs(3600), "the next call waited for the hour");
    assert_eq!(sim.requests_total(), sent + 1);
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn a_quota_lowered_behind_the_clients_back_is_waited_out() -> Result<()> {
    let sim = Simulator::start().await.expect("simulator");
    let client = sim.client_builder().build()?;
    let start = Instant::now();
    let window_start = unix_now();
    run_calls(&client, 4, 40).await?;
    // The service now allows fewer requests than were already made in this window: the next
    // calls meet 5013 (HTTP 403) although the client's own count says there is room.
    sim.quota().set_limit(30);
    run_calls(&client, 5, 10).await?;
    let elapsed = start.elapsed();
    let rejected = sim.quota().rejected_count();
    assert!((1..=5).contains(&rejected), "each caller in flight met 5013 at most once: {rejected}");
    // Retried after the reset, not sooner: the window ends one hour after its first request,
    // and the reset header rounds it up to a whole second.
    let reset = Duration::from_secs((window_start + Duration::from_secs(3600)).as_secs_f64().ceil() as u64);
    let waited_until = window_start + elapsed;
    assert!(waited_until >= reset, "the retry came {:?} before the reset", reset - waited_until);
    assert!(elapsed < Duration::from_secs(3602), "{elapsed:?}");
    assert_eq!(
        client.rate_limiter().local_quota().map(|q| q.permits),
        Some(30),
        "the client adopted X-RateLimit-Limit"
    );
    println!("quota lowered: {rejected} call(s) met 5013 and were retried after {:.1} s", elapsed.as_secs_f64());
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn an_expired_token_is_refreshed_once_and_no_caller_sees_5011() -> Result<()> {
    let sim = Simulator::start().await.expect("simulator");
    let client = sim.client_builder().build()?;
    let runner = client.clone();
    let run = tokio::spawn(async move { run_calls(&runner, 20, 1000).await });
    // Mid-run: let a few hundred calls through, then expire every token.
    while sim.hits("devices.detail") < 300 {
        // Not a sleep: on the paused clock a timer fires only once every task is idle.
        tokio::task::yield_now().await;
    }
    assert!(!run.is_finished());
    sim.expire_tokens();
    run.await.expect("run panicked")?;
    assert_eq!(client.token_fetches(PRODUCT_KEY), Some(2), "one refresh for all 20 callers");
    assert_eq!(sim.tokens_issued(), 2);
    let replays = sim.hits("devices.detail") - 1000;
    assert!((1..=20).contains(&replays), "calls in flight met 5011 once and were replayed: {replays}");
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn tokens_are_renewed_before_they_expire() -> Result<()> {
    let sim = Simulator::builder().token_ttl(Duration::from_secs(3600)).start().await.expect("simulator");
    let client = sim.client_builder().token_refresh_skew(Duration::from_secs(300)).build()?;
    let detail = DeviceDetailRequest::new(PRODUCT_KEY, DEVICE_MAC);
    let search = SearchDevicesRequest::new(SECOND_PRODUCT_KEY);
    for _ in 0..6 {
        client.device_detail(&detail).await?;
        client.search_devices(&search).await?;
        tokio::time::advance(Duration::from_secs(20 * 60)).await;
    }
    // Calls at 0, 20, ..., 100 minutes with 60-minute tokens renewed 5 minutes early: the token
    // of minute 0 is renewed by the call at minute 60, whose token lasts past minute 100.
    let fetches = client.token_fetches(PRODUCT_KEY).unwrap_or(0);
    assert_eq!(fetches, 2, "renewed once, at the first call after 55 minutes");
    assert_eq!(client.token_fetches(SECOND_PRODUCT_KEY), Some(2));
    assert_eq!(sim.requests_total(), 12 + 4, "no call was answered 5011 and replayed");
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn clients_of_one_enterprise_can_share_the_quota() -> Result<()> {
    let sim = Simulator::builder().quota(10).start().await.expect("simulator");
    let limiter =
        Arc::new(watchpost_core::ratelimit::RateLimiter::new(Some(watchpost_core::ratelimit::Quota::per_hour(10))));
    let a = sim.client_builder().rate_limiter(limiter.clone()).build()?;
    let b = sim.client_builder().rate_limiter(limiter).build()?;
    let start = Instant::now();
    for _ in 0..5 {
        a.device_detail(&DeviceDetailRequest::new(PRODUCT_KEY, DEVICE_MAC)).await?;
        b.device_detail(&DeviceDetailRequest::new(PRODUCT_KEY, DEVICE_MAC)).await?;
    }
    assert_eq!(sim.quota().rejected_count(), 0);
    assert!(start.elapsed() >= Duration::from_secs(3600), "12 requests at 10 per hour: the second hour was waited for");
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn the_servers_headers_alone_hold_calls_until_the_reset() -> Result<()> {
    // The service allows 10 requests per hour; the client is left at the documented 3600/h and
    // learns the real quota only from X-RateLimit-*. At Remaining 0 it must wait for Reset
    // instead of spending a request on a 5013.
    let sim = Simulator::builder().quota(10).start().await.expect("simulator");
    let client = sim.client_builder().build()?;
    let window_start = unix_now();
    let start = Instant::now();
    let req = DeviceDetailRequest::new(PRODUCT_KEY, DEVICE_MAC);
    for _ in 0..24 {
        client.device_detail(&req).await?;
    }
    let elapsed = start.elapsed();
    // 25 requests (the token's included) at 10 per window: the third window was reached, and
    // not before its reset (the window's end, rounded up to a whole second by the header).
    assert_eq!(sim.requests_total(), 25);
    assert_eq!(sim.quota().rejected_count(), 0, "Remaining 0 was waited out, never answered 5013");
    let second_reset = (window_start + Duration::from_secs(2 * 3600)).as_secs_f64().floor() as u64;
    assert!((window_start + elapsed).as_secs() >= second_reset, "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2 * 3600 + 5), "{elapsed:?}");
    assert_eq!(
        client.rate_limiter().local_quota().map(|q| q.permits),
        Some(10),
        "the client adopted X-RateLimit-Limit"
    );
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn a_token_renewal_waiting_for_the_quota_does_not_time_the_call_out() -> Result<()> {
    // Tokens live an hour and are renewed 5 minutes early; the quota is 10 per hour. The call at
    // minute 57 must renew the token, but the quota is spent until minute 60: the renewal waits
    // three minutes for its permit, far longer than the call's 5 s attempt and 60 s operation
    // limits, and the call still succeeds (waits for the quota count against neither limit).
    let sim = Simulator::builder().quota(10).token_ttl(Duration::from_secs(3600)).start().await.expect("simulator");
    let transport = watchpost_core::transport::TransportConfig {
        attempt_timeout: Duration::from_secs(5),
        operation_timeout: Some(Duration::from_secs(60)),
        ..Default::default()
    };
    // A process alone on its quota: no tail is kept back, the quota is spent at once.
    let client = sim
        .client_builder()
        .transport(transport)
        .token_refresh_skew(Duration::from_secs(300))
        .quota_tail_percent(0)
        .build()?;
    let req = DeviceDetailRequest::new(PRODUCT_KEY, DEVICE_MAC);
    for _ in 0..9 {
        client.device_detail(&req).await?;
    }
    assert_eq!(sim.requests_total(), 10, "the quota is spent");
    tokio::time::advance(Duration::from_secs(57 * 60)).await;
    let start = Instant::now();
    client.device_detail(&req).await?;
    assert!(start.elapsed() >= Duration::from_secs(170), "the renewal waited for the reset: {:?}", start.elapsed());
    assert_eq!(client.token_fetches(PRODUCT_KEY), Some(2));
    assert_eq!((sim.requests_total(), sim.quota().rejected_count()), (12, 0));
    Ok(())
}
