//! `watchpost hpp alarms --follow`: the alarm message queue as typed alarms, printed as they
//! arrive and acknowledged once printed (so their batches are committed), with the consumer's
//! state changes; and the account's queue as a source of `watchpost alarms`.
//!
//! With `--json` stdout carries only alarms, one [`Alarm`] serialisation per line (as
//! `watchpost alarms --json` prints them); states and errors then go to stderr as JSON lines.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::json;
use watchpost::alarm::{Alarm, AlarmSource, Media, SourceItem};
use watchpost::core::supervise::ConnectionState;
use watchpost::hpp::consumer::{Alarms, Consumer, ConsumerConfig, ConsumerHandle, ALARM_VENDOR};
use watchpost::hpp::sim::Simulator;

use super::{AlarmFeed, Hpp, HppArgs, HppConn, Sim};
use crate::error::{CliError, CliResult};
use crate::interrupt::Interrupt;
use crate::output;

/// How long the consumer may take to settle its last batch once asked to stop.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Follows the alarm queue until Ctrl-C, `--max-events` or a fatal error (a rejected key
/// before the first poll). Each message is acknowledged once its line is written, so a batch is
/// committed only when every message of it was printed; messages not printed (stdout closed,
/// stopped mid-batch) come again on the next run.
///
/// With `--sim` a simulator is started and a few alarms are queued once the consumer polls.
///
/// # Errors
/// A usage error without `--follow`/`--max-events`; the vendor's error (exit 1) when the consumer
/// cannot start; exit 130 on Ctrl-C.
pub(super) async fn follow(args: &HppArgs, conn: HppConn, interrupt: Interrupt) -> CliResult<()> {
    if !args.follow && args.max_events.is_none() {
        return Err(CliError::usage("alarms: give --follow (until Ctrl-C) or --max-events N")
            .hint("watchpost hpp alarms --follow"));
    }
    let sim = if args.call.sim {
        let s = Simulator::start()
            .await
            .map_err(|e| CliError::failure(format!("cannot start the Hik-Partner Pro simulator: {e}")))?;
        tell!("Hik-Partner Pro simulator started at {}", s.base_url());
        Some(Arc::new(s))
    } else {
        None
    };
    let conn = match &sim {
        Some(s) => Sim::conn_of(s),
        None => conn,
    };
    let result = consume(args, &conn, sim.clone(), interrupt).await;
    if let Some(s) = sim {
        s.shutdown().await;
    }
    result
}

async fn consume(
    args: &HppArgs,
    conn: &HppConn,
    sim: Option<Arc<Simulator>>,
    mut interrupt: Interrupt,
) -> CliResult<()> {
    let json = args.call.json;
    let client = conn.client()?;
    let started = Instant::now();
    let mut stream = Consumer::new(&client, ConsumerConfig::default()).alarms(conn.alarm_source());
    let handle = stream.handle();
    let mut state = handle.state();
    let mut raiser: Option<tokio::task::JoinHandle<()>> = None;
    let mut alarms = 0u64;
    let mut last_error: Option<watchpost::Error> = None;
    let mut interrupted = false;
    if !json {
        say!("Following the Hik-Partner Pro alarm queue (Ctrl-C to stop)");
    }
    loop {
        let item = tokio::select! {
            () = interrupt.requested() => {
                interrupted = true;
                break;
            }
            changed = state.changed() => {
                if changed.is_err() {
                    continue;
                }
                let s = state.borrow_and_update().clone();
                if let (ConnectionState::Connected, Some(sim), None) = (&s, &sim, &raiser) {
                    raiser = Some(tokio::spawn(raise_some(sim.clone())));
                }
                if s == ConnectionState::Connected {
                    last_error = None;
                }
                if json {
                    tell!("{}", output::json_line(&json!({"type": "state", "state": state_text(&s)})));
                } else if !output::out_line(&format!(
                    "[{:>7.2}s] state      {}",
                    started.elapsed().as_secs_f64(),
                    state_text(&s)
                )) {
                    break;
                }
                continue;
            }
            item = stream.next() => item,
        };
        let Some(item) = item else { break };
        let at = started.elapsed();
        match item {
            Ok(delivery) => {
                let line = if json {
                    alarm_json(delivery.item(), args.call.show_secrets)
                } else {
                    format!("[{:>7.2}s] {}", at.as_secs_f64(), describe(delivery.item()))
                };
                if !output::out_line(&line) {
                    // Not printed: not acknowledged, it comes again.
                    break;
                }
                delivery.ack();
                alarms += 1;
                if args.max_events.is_some_and(|max| alarms >= max) {
                    break;
                }
            }
            Err(e) => {
                if json {
                    tell!("{}", output::json_line(&json!({"type": "error", "error": e.report().to_string()})));
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
    if interrupted {
        tell!("stopping: committing what was printed (Ctrl-C again to quit at once)");
    }
    stop(&handle, stream).await;
    if interrupted {
        return Err(CliError::interrupted());
    }
    match last_error {
        // The consumer stopped on a fatal error (rejected key, refused subscription).
        Some(e) if handle.stats().polls == 0 => Err(CliError::vendor(&Hpp, &e)),
        _ => Ok(()),
    }
}

/// Stops the consumer and lets it commit the batch in hand if every message of it was printed;
/// deliveries not printed are dropped (not acknowledged: they come again).
async fn stop(handle: &ConsumerHandle, mut stream: Alarms) {
    handle.shutdown();
    let drain = async { while stream.next().await.is_some() {} };
    if tokio::time::timeout(STOP_GRACE * 2, drain).await.is_err() {
        tracing::warn!("the consumer did not stop in time");
    }
}

/// What the simulator queues for `--sim`: the seed's Contact ID alarm, a motion detection (XML)
/// and a video verification, 0.7 s apart.
async fn raise_some(sim: Arc<Simulator>) {
    let step = Duration::from_millis(700);
    let serial = "Q01728482";
    for kind in ["cidEvent", "VMD", "Linkage"] {
        tokio::time::sleep(step).await;
        if !sim.push_seed_event(kind, serial) {
            tracing::warn!(kind, "the simulator did not queue the event");
        }
    }
}

fn state_text(s: &ConnectionState) -> String {
    match s {
        ConnectionState::Connecting => "connecting".to_owned(),
        ConnectionState::Connected => "connected".to_owned(),
        ConnectionState::Backoff { attempt, delay } => format!(
            "retrying in {} ms (after {attempt} failure{})",
            delay.as_millis(),
            if *attempt == 1 { "" } else { "s" }
        ),
        ConnectionState::Closed => "closed".to_owned(),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// The `Alarm` serialisation on one line, secret-looking members of the raw event masked unless
/// `show_secrets`.
fn alarm_json(alarm: &Alarm, show_secrets: bool) -> String {
    let mut v = serde_json::to_value(alarm).unwrap_or_else(|e| json!({"error": e.to_string()}));
    if !show_secrets {
        output::mask_secrets(&mut v);
    }
    output::json_line(&v)
}

/// The serde name of a category (`intrusion`, `video_verification`, ...).
fn category_name(c: watchpost::alarm::Category) -> String {
    serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_else(|| format!("{c:?}"))
}

/// One line for a person: device, category (and what it restores), code, description, where,
/// and how many pictures or clips come with it.
fn describe(a: &Alarm) -> String {
    let device = if a.device_id.is_empty() { "-" } else { &a.device_id };
    let mut line = format!("alarm      {device} {}", category_name(a.category));
    if let Some(r) = a.restore_of {
        line.push_str(&format!(" of {}", category_name(r)));
    }
    line.push_str(&format!(" {}", a.code));
    if !a.description.is_empty() {
        line.push_str(&format!(" {}", a.description));
    }
    for (label, n) in [("partition", a.partition), ("zone", a.zone), ("channel", a.channel)] {
        if let Some(n) = n {
            line.push_str(&format!(" {label} {n}"));
        }
    }
    let pictures = a.media.iter().filter(|m| matches!(m, Media::Picture { .. })).count();
    let clips = a.media.len() - pictures;
    for (n, what) in [(pictures, "picture"), (clips, "clip")] {
        if n > 0 {
            line.push_str(&format!(" +{n} {what}{}", if n == 1 { "" } else { "s" }));
        }
    }
    line
}

impl HppConn {
    /// The source the alarms of this connection name: the API key (an identifier, never a
    /// secret), or the area domain of a fixed access token.
    fn alarm_source(&self) -> AlarmSource {
        let account =
            self.app_key.clone().or_else(|| self.area_domain.clone()).unwrap_or_else(|| "access-token".to_owned());
        AlarmSource::new(ALARM_VENDOR, account)
    }
}

/// The account's alarm queue as a source of `watchpost alarms`: the connection from the
/// `WATCHPOST_HPP_*` environment, filled from `profile`, with `base_url` (the token host)
/// winning. Each alarm's acknowledgement drives the commit of its batch.
///
/// # Errors
/// A usage error for a bad environment or profile value or missing credentials.
pub(super) fn alarm_feed(profile: Option<&crate::profile::Profile>, base_url: Option<&str>) -> CliResult<AlarmFeed> {
    use clap::{Args as _, FromArgMatches as _};
    let bad_env = |e: clap::Error| CliError::usage(format!("Hik-Partner Pro: bad WATCHPOST_HPP_* environment: {e}"));
    let matches = HppConn::augment_args(clap::Command::new("hpp")).try_get_matches_from(["hpp"]).map_err(bad_env)?;
    let mut conn = HppConn::from_arg_matches(&matches).map_err(bad_env)?;
    if let Some(url) = base_url {
        conn.base_url = Some(url.to_owned());
    }
    if let Some(p) = profile {
        conn.fill_from(p)?;
    }
    let client = conn.client()?;
    let alarms = Consumer::new(&client, ConsumerConfig::default()).alarms(conn.alarm_source());
    let handle = alarms.handle();
    let state = handle.state();
    let stream = alarms.map(|item| item.map(SourceItem::from)).boxed();
    Ok(AlarmFeed { stream, state, stop: Some(Box::new(move || handle.shutdown())) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use watchpost::alarm::{Category, RawEvent};

    fn alarm(category: Category, media: Vec<Media>) -> Alarm {
        Alarm {
            source: AlarmSource::new(ALARM_VENDOR, "key"),
            device_id: "Q01728482".to_owned(),
            device_name: None,
            zone: Some(3),
            partition: None,
            channel: None,
            user: None,
            event_time: None,
            received_at: std::time::SystemTime::UNIX_EPOCH,
            category,
            restore_of: None,
            code: "1130".to_owned(),
            description: "Burglary".to_owned(),
            correlation_id: None,
            media,
            raw: RawEvent::Xml("<x/>".to_owned()),
        }
    }

    #[test]
    fn a_line_names_device_category_code_place_and_media() {
        let pictures = vec![Media::Picture { url: "a".into() }, Media::Picture { url: "b".into() }];
        assert_eq!(
            describe(&alarm(Category::VideoVerification, pictures)),
            "alarm      Q01728482 video_verification 1130 Burglary zone 3 +2 pictures"
        );
        let mut restore = alarm(Category::Restore, vec![Media::Video { url: "v".into() }]);
        restore.restore_of = Some(Category::Intrusion);
        restore.device_id.clear();
        assert_eq!(describe(&restore), "alarm      - restore of intrusion 1130 Burglary zone 3 +1 clip");
    }

    #[test]
    fn the_account_is_the_api_key_never_the_secret() {
        let conn = HppConn {
            app_key: Some("key".into()),
            secret_key: Some(crate::secret::Secret::from("s3cret")),
            ..HppConn::default()
        };
        assert_eq!(conn.alarm_source(), AlarmSource::new("hpp", "key"));
        let token = HppConn {
            access_token: Some(crate::secret::Secret::from("t0ken")),
            area_domain: Some("https://area.example".into()),
            ..HppConn::default()
        };
        assert_eq!(token.alarm_source().account, "https://area.example");
    }
}
