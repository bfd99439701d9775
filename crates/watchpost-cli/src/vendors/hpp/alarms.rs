//! `watchpost hpp alarms --follow`: the alarm message queue, printed as it arrives and
//! acknowledged once printed (so its batches are committed), with the consumer's state changes.
//!
//! The messages are printed raw (device serial, format, alarm data) for now.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{json, Value};
use watchpost::core::supervise::ConnectionState;
use watchpost::hpp::consumer::{Consumer, ConsumerConfig, Deliveries};
use watchpost::hpp::models::mq::{AlarmMessage, FormatType};
use watchpost::hpp::sim::Simulator;

use super::{Hpp, HppArgs, HppConn, Sim};
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
    let mut stream = Consumer::new(&client, ConsumerConfig::default()).deliveries();
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
                let line = if json {
                    output::json_line(&json!({"type": "state", "state": state_text(&s)}))
                } else {
                    format!("[{:>7.2}s] state      {}", started.elapsed().as_secs_f64(), state_text(&s))
                };
                if !output::out_line(&line) {
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
                    let mut v = message_json(&delivery);
                    if !args.call.show_secrets {
                        output::mask_secrets(&mut v);
                    }
                    output::json_line(&v)
                } else {
                    format!("[{:>7.2}s] {}", at.as_secs_f64(), describe(&delivery))
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
async fn stop(handle: &watchpost::hpp::consumer::ConsumerHandle, mut stream: Deliveries) {
    handle.shutdown();
    let drain = async { while stream.next().await.is_some() {} };
    if tokio::time::timeout(STOP_GRACE * 2, drain).await.is_err() {
        tracing::warn!("the consumer did not stop in time");
    }
}

/// What the simulator queues for `--sim`: a Contact ID alarm, a motion detection (XML) and
/// the alarm's restore, 0.7 s apart.
async fn raise_some(sim: Arc<Simulator>) {
    let step = Duration::from_millis(700);
    let serial = "Q01728482";
    tokio::time::sleep(step).await;
    sim.push_alarm(
        serial,
        FormatType::Json,
        json!({"eventType": "cidEvent", "deviceSerial": serial, "cidEvent": {"code": 1130, "zone": 3}}),
    );
    tokio::time::sleep(step).await;
    sim.push_alarm(
        serial,
        FormatType::Xml,
        json!("<EventNotificationAlert><eventType>VMD</eventType><channelID>1</channelID></EventNotificationAlert>"),
    );
    tokio::time::sleep(step).await;
    sim.push_alarm(
        serial,
        FormatType::Json,
        json!({"eventType": "cidEvent", "deviceSerial": serial, "cidEvent": {"code": 3130, "zone": 3}}),
    );
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

fn format_name(f: &FormatType) -> &str {
    match f {
        FormatType::Json => "JSON",
        FormatType::Xml => "XML",
        FormatType::Other(other) => other,
    }
}

/// One line for a person: the device, the format and the alarm data as sent.
fn describe(m: &AlarmMessage) -> String {
    format!("alarm      {} {} {}", m.device_serial, format_name(&m.format_type), m.alarm_text())
}

/// One JSON line per message, with stable field names.
fn message_json(m: &AlarmMessage) -> Value {
    json!({
        "type": "alarm",
        "deviceSerial": m.device_serial,
        "formatType": format_name(&m.format_type),
        "alarmData": m.alarm_data,
    })
}
