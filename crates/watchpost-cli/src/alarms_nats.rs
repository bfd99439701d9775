//! `watchpost alarms --from nats://HOST:PORT`: the alarms a `watchpost bridge` stored in NATS
//! JetStream, followed through a durable consumer ([`watchpost_bridge::AlarmSubscriber`]) and
//! printed as [`crate::alarms`] prints direct sources; each alarm is acknowledged once printed.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use watchpost_bridge::async_nats::jetstream;
use watchpost_bridge::{AlarmSubscriber, BridgeError, ConsumeSettings, Consumed, DeliverFrom, SecretRef};

use crate::alarms::{print_alarm, state_text};
use crate::cli::{AlarmsArgs, DeliverArg};
use crate::error::{CliError, CliResult};
use crate::interrupt::Interrupt;

/// The environment variable of the NATS token (when `--nats-token-file` is not given).
const TOKEN_ENV: &str = "WATCHPOST_NATS_TOKEN";

/// How long the acknowledgements of the printed alarms are given to reach the server on exit.
const ACK_GRACE: Duration = Duration::from_secs(10);

/// Follows the stream until Ctrl-C (exit 130), `--max-alarms` alarms (exit 0) or a closed
/// stdout (exit 0).
///
/// # Errors
/// A usage error for a bad URL or token source; a failure when the server, the stream or the
/// consumer cannot be reached.
pub async fn run(url: &str, args: &AlarmsArgs, mut interrupt: Interrupt) -> CliResult<()> {
    if url.contains('@') {
        return Err(CliError::usage("--from: credentials in the URL are refused (they would show in logs)")
            .hint(format!("give a token with --nats-token-file FILE or {TOKEN_ENV}")));
    }
    let token_ref = match &args.nats_token_file {
        Some(path) => Some(SecretRef::File(path.clone())),
        None => std::env::var_os(TOKEN_ENV).map(|_| SecretRef::Env(TOKEN_ENV.into())),
    };
    let token = token_ref.map(|r| r.resolve()).transpose().map_err(|e| CliError::usage(e.to_string()))?;
    let client = tokio::select! {
        () = interrupt.requested() => return Err(CliError::interrupted()),
        client = watchpost_bridge::connect_with_token(url, token.as_ref()) => client,
    }
    .map_err(|e| nats_failure(url, &e))?;
    let defaults = ConsumeSettings::default();
    let settings = ConsumeSettings {
        stream: args.stream.clone().unwrap_or(defaults.stream.clone()),
        durable: args.durable.clone().unwrap_or(defaults.durable.clone()),
        filter_subject: args.filter.clone(),
        deliver_from: match args.deliver {
            Some(DeliverArg::New) => DeliverFrom::New,
            Some(DeliverArg::All) | None => DeliverFrom::All,
        },
        // One message pulled at a time: when the command stops, nothing it did not print is
        // left pulled ahead (those would come to the next run only after `ack_wait`).
        batch: 1,
        // A pull that stalls (a client-side accounting race of one-message pulls, seen under
        // load) is noticed after two missed heartbeats and reopened: keep that short.
        heartbeat: Duration::from_secs(1),
        ..defaults
    };
    let following = format!(
        "following stream {} on {url} as durable consumer {} (subjects {}); Ctrl-C to stop",
        settings.stream,
        settings.durable,
        settings.effective_filter()
    );
    let subscriber = tokio::select! {
        () = interrupt.requested() => return Err(CliError::interrupted()),
        sub = AlarmSubscriber::connect(jetstream::new(client), settings) => sub,
    }
    .map_err(|e| nats_failure(url, &e))?;
    tell!("{following}");
    let mut subscriber = subscriber;
    let result = follow(args, &mut subscriber, &mut interrupt).await;
    // The alarms printed were acknowledged: make sure the server has heard it before exiting.
    subscriber.close(ACK_GRACE).await;
    result
}

fn nats_failure(url: &str, e: &BridgeError) -> CliError {
    let hint = match e {
        BridgeError::Config { .. } => "choose another --durable name, or delete that consumer".to_owned(),
        _ => format!("is a NATS server with JetStream at {url}, and has a `watchpost bridge` created the stream?"),
    };
    CliError::failure(e.to_string()).hint(hint)
}

/// Prints the stream's alarms (stdout) and states and errors (stderr) until `--max-alarms`,
/// Ctrl-C or a closed stdout.
async fn follow(args: &AlarmsArgs, subscriber: &mut AlarmSubscriber, interrupt: &mut Interrupt) -> CliResult<()> {
    let started = Instant::now();
    let mut alarms = 0u64;
    loop {
        let item = tokio::select! {
            () = interrupt.requested() => return Err(CliError::interrupted()),
            item = subscriber.next() => item,
        };
        let Some(item) = item else {
            // The subscriber never ends by itself; a closed stream is a failure, not a success.
            return Err(CliError::failure("the NATS subscription ended"));
        };
        let at = started.elapsed().as_secs_f64();
        match item {
            Ok(Consumed::Alarm(delivery)) => {
                let stored = delivery.item();
                if !print_alarm(args.json, &stored.source, &stored.alarm) {
                    // The reader went away: not handed on, so not acknowledged (delivered again).
                    return Ok(());
                }
                delivery.ack();
                alarms += 1;
                if args.max_alarms.is_some_and(|max| alarms >= max) {
                    return Ok(());
                }
            }
            Ok(Consumed::State(delivery)) => {
                let stored = delivery.item();
                let text = stored.state.as_ref().map_or_else(|| stored.name.clone(), state_text);
                tell!("[{at:>7.2}s] {}: {text}", stored.source);
                delivery.ack();
            }
            Err(e) => tell!("[{at:>7.2}s] error {e}"),
        }
    }
}
