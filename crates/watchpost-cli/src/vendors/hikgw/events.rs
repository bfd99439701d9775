//! `watchpost hikgw events --follow`: the gateway's alarm stream, printed as it arrives, with
//! the connection state changes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{json, Value};
use watchpost::alarm::SourceItem;
use watchpost::core::supervise::ConnectionState;
use watchpost::hikgw::models::SubscribeDeviceMgmtMsg;
use watchpost::hikgw::sim::{SimConfig, Simulator};
use watchpost::hikgw::{CidCode, Event, Notification};

use super::{AlarmFeed, HikGw, HikgwArgs, HikgwConn};
use crate::error::{CliError, CliResult};
use crate::interrupt::Interrupt;
use crate::output;

/// How long the unsubscribe on exit may take by default: a hung gateway must not hold the CLI
/// (the client's own limit for an ordinary call is 30 s per attempt, retries included 120 s).
pub const UNSUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Follows the alarm stream until Ctrl-C, `--max-events` or a fatal error. On the first Ctrl-C
/// it unsubscribes (for at most `--unsubscribe-timeout`) and exits with 130; a second Ctrl-C
/// exits at once ([`Interrupt`]).
///
/// With `--sim` a simulator is started (heartbeat every `--heartbeat` seconds) and raises a few
/// events once the subscription is open, so the command shows something at once.
///
/// # Errors
/// A usage error without `--follow`/`--max-events` or with bad credentials flags; the vendor's
/// error (exit 1) when the stream ends on a fatal error (rejected credentials, unreachable).
pub(super) async fn follow(args: &HikgwArgs, conn: HikgwConn, interrupt: Interrupt) -> CliResult<()> {
    if !args.follow && args.max_events.is_none() {
        return Err(CliError::usage("events: give --follow (until Ctrl-C) or --max-events N")
            .hint("watchpost hikgw events --follow"));
    }
    let sim = if args.call.sim {
        let interval = Duration::from_secs(args.heartbeat.unwrap_or(10).max(1));
        let s = Simulator::start_with(SimConfig::default().heartbeat_interval(interval))
            .await
            .map_err(|e| CliError::failure(format!("cannot start the Device Gateway simulator: {e}")))?;
        tell!("Device Gateway simulator started at {} (heartbeat every {} s)", s.base_url(), interval.as_secs());
        Some(Arc::new(s))
    } else {
        None
    };
    let conn = match &sim {
        Some(s) => HikgwConn::of_sim(s),
        None => conn,
    };
    let result = stream(args, &conn, sim.clone(), interrupt).await;
    if let Some(s) = sim {
        s.shutdown().await;
    }
    result
}

async fn stream(
    args: &HikgwArgs,
    conn: &HikgwConn,
    sim: Option<Arc<Simulator>>,
    mut interrupt: Interrupt,
) -> CliResult<()> {
    let json = args.call.json;
    let client = conn.client()?;
    let started = Instant::now();
    let mut alarms = client.subscribe(SubscribeDeviceMgmtMsg::all());
    let mut events = 0u64;
    let mut last_error: Option<watchpost::Error> = None;
    let mut raiser: Option<tokio::task::JoinHandle<()>> = None;
    let mut interrupted = false;
    if !json {
        say!("Following the alarm stream of {} (Ctrl-C to stop)", client.base_url());
    }
    loop {
        let item = tokio::select! {
            () = interrupt.requested() => {
                interrupted = true;
                break;
            }
            item = alarms.next() => item,
        };
        let Some(item) = item else { break };
        let at = started.elapsed();
        match item {
            Ok(n) => {
                if let (Notification::Subscribed(_), Some(s), None) = (&n, &sim, &raiser) {
                    raiser = Some(tokio::spawn(raise_some(s.clone())));
                }
                if matches!(n, Notification::Event(_)) {
                    events += 1;
                }
                if matches!(n, Notification::State(ConnectionState::Connected)) {
                    last_error = None;
                }
                let line = if json {
                    let mut v = notification_json(&n);
                    if !args.call.show_secrets {
                        output::mask_secrets(&mut v);
                    }
                    output::json_line(&v)
                } else {
                    format!("[{:>7.2}s] {}", at.as_secs_f64(), describe(&n))
                };
                if !output::out_line(&line) {
                    break;
                }
                if args.max_events.is_some_and(|max| events >= max) {
                    break;
                }
            }
            Err(e) => {
                if json {
                    say!("{}", output::json_line(&json!({"type": "error", "error": e.report().to_string()})));
                } else {
                    tell!("[{:>7.2}s] error      {}", at.as_secs_f64(), e.report());
                }
                last_error = Some(e);
            }
        }
    }
    if let Some(r) = raiser {
        r.abort();
    }
    let deadline = args.unsubscribe_timeout.unwrap_or(UNSUBSCRIBE_TIMEOUT);
    if interrupted {
        tell!("stopping: unsubscribing (at most {} ms; Ctrl-C again to quit at once)", deadline.as_millis());
    }
    match tokio::time::timeout(deadline, alarms.unsubscribe()).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "the unsubscribe failed"),
        Err(_) => tell!(
            "the gateway did not confirm the unsubscribe within {} ms; it ends the subscription itself when the connection closes",
            deadline.as_millis()
        ),
    }
    if interrupted {
        return Err(CliError::interrupted());
    }
    match last_error {
        // The stream ended on a fatal error (rejected credentials, refused subscription...).
        Some(e) if args.max_events.is_none_or(|max| events < max) => Err(CliError::vendor(&HikGw, &e)),
        _ => Ok(()),
    }
}

/// The gateway's alarm stream (every device, every event type) as a source of
/// `watchpost alarms`: the connection from the `WATCHPOST_HIKGW_*` environment, filled from
/// `profile`, with `base_url` winning.
///
/// # Errors
/// A usage error for a bad environment or profile value, missing credentials or address.
pub(super) fn alarm_feed(profile: Option<&crate::profile::Profile>, base_url: Option<&str>) -> CliResult<AlarmFeed> {
    use clap::{Args as _, FromArgMatches as _};
    let cmd = HikgwConn::augment_args(clap::Command::new("hikgw"));
    let matches = cmd
        .try_get_matches_from(["hikgw"])
        .map_err(|e| CliError::usage(format!("Device Gateway: bad WATCHPOST_HIKGW_* environment: {e}")))?;
    let mut conn = HikgwConn::from_arg_matches(&matches)
        .map_err(|e| CliError::usage(format!("Device Gateway: bad WATCHPOST_HIKGW_* environment: {e}")))?;
    if let Some(url) = base_url {
        conn.base_url = Some(url.to_owned());
    }
    if let Some(p) = profile {
        let auth_given = matches.value_source("auth").is_some_and(|s| s != clap::parser::ValueSource::DefaultValue);
        conn.fill_from(p, auth_given)?;
    }
    let client = conn.client()?;
    let alarms = client.subscribe(SubscribeDeviceMgmtMsg::all()).gateway_alarms();
    let state = alarms.state();
    let stream = alarms.map(|item| item.map(SourceItem::from)).boxed();
    Ok(AlarmFeed { stream, state, stop: None })
}

/// What the simulator raises for `--sim`: a panel alarm, its restore, a video verification
/// alarm and a status change, a second apart.
async fn raise_some(sim: Arc<Simulator>) {
    let Some(panel) = sim.device_ids().into_iter().next() else { return };
    let step = Duration::from_millis(700);
    tokio::time::sleep(step).await;
    sim.raise_cid(&panel, CidCode::BurglaryAlarm, 1);
    tokio::time::sleep(step).await;
    sim.raise_cid(&panel, CidCode::BurglaryAlarmRestored, 1);
    tokio::time::sleep(step).await;
    sim.raise_video_review(&panel, CidCode::BurglaryAlarm, 2);
    tokio::time::sleep(step).await;
    sim.raise_dev_status(&panel, false);
    tokio::time::sleep(step).await;
    sim.raise_dev_status(&panel, true);
}

fn state_text(s: &ConnectionState) -> String {
    match s {
        ConnectionState::Connecting => "connecting (alarms may have been missed since the last connect)".to_owned(),
        ConnectionState::Connected => "connected".to_owned(),
        ConnectionState::Backoff { attempt, delay } => {
            format!(
                "reconnecting in {} ms (after {attempt} failed attempt{})",
                delay.as_millis(),
                if *attempt == 1 { "" } else { "s" }
            )
        }
        ConnectionState::Closed => "closed".to_owned(),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// One line for a person.
fn describe(n: &Notification) -> String {
    match n {
        Notification::State(s) => format!("state      {}", state_text(s)),
        Notification::Subscribed(rsp) => {
            let failed = rsp.fail_list.len();
            format!(
                "subscribed id {}{}",
                rsp.id.as_deref().unwrap_or("-"),
                if failed == 0 { String::new() } else { format!(", {failed} device(s) could not be armed") }
            )
        }
        Notification::Event(e) => {
            let h = e.header();
            let dev = match h.channel_name.as_deref().filter(|n| !n.is_empty()) {
                Some(name) => format!("{} \"{name}\"", e.dev_index().unwrap_or("-")),
                None => e.dev_index().unwrap_or("-").to_owned(),
            };
            match e {
                Event::CidAlarm(a) => format!(
                    "CID alarm  {} | device {dev} partition {} zone {}{}",
                    a.cid.code.as_ref().map_or_else(|| "no code".to_owned(), ToString::to_string),
                    a.cid.sub_sys.unwrap_or(0),
                    a.cid.zone_no.unwrap_or(0),
                    a.cid.uuid.as_deref().map(|u| format!(" (alarm {u})")).unwrap_or_default()
                ),
                Event::VideoReview(v) => format!(
                    "video      {} | device {dev} zone {} | videoURL {}",
                    v.review.params.code.as_ref().map_or_else(|| "no code".to_owned(), ToString::to_string),
                    v.review.params.zone_no.unwrap_or(0),
                    v.review.params.video_url.as_deref().unwrap_or("-")
                ),
                Event::DevStatusChanged(s) => format!(
                    "status     device {dev} is {}",
                    s.status.as_ref().map_or_else(|| "unknown".to_owned(), ToString::to_string)
                ),
                Event::Heartbeat(h) => {
                    format!(
                        "heartbeat  #{}",
                        h.header.active_post_count.map_or_else(|| "-".to_owned(), |c| c.to_string())
                    )
                }
                other => format!("event      {} | device {dev}", other.header().event_type.trim()),
            }
        }
        other => format!("{other:?}"),
    }
}

/// One JSON line per notification.
fn notification_json(n: &Notification) -> Value {
    match n {
        Notification::State(s) => json!({"type": "state", "state": state_text(s)}),
        Notification::Subscribed(rsp) => json!({"type": "subscribed", "subscription": rsp}),
        Notification::Event(e) => json!({"type": "event", "event": e}),
        other => json!({"type": "other", "debug": format!("{other:?}")}),
    }
}
