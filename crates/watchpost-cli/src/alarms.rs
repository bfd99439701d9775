//! `watchpost alarms --follow [--json]`: the alarms of several sources (Device Gateways,
//! Hik-Partner Pro accounts, ...) merged into one stream ([`watchpost::alarm::AlarmMerge`]).
//!
//! Sources come from repeated `--source VENDOR=PROFILE|URL` flags and from a `--sources FILE`
//! TOML file (format in `docs/cli.md`); each is created through the vendor registry
//! ([`crate::vendors::Vendor::alarm_source`]), so this file names no vendor.
//!
//! With `--from nats://...` (feature `bridge`) the alarms come instead from the JetStream stream a
//! `watchpost bridge` fills ([`crate::alarms_nats`]), printed the same way.
//!
//! Alarms go to stdout (with `--json`, one `Alarm` per line with its stable field names);
//! connection states, resync boundaries and errors go to stderr, so stdout stays alarms only.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use watchpost::alarm::{Alarm, AlarmMerge, Merged, ResyncNotice};
use watchpost::core::supervise::ConnectionState;

use crate::cli::{AlarmsArgs, GlobalArgs};
use crate::error::{CliError, CliResult};
use crate::interrupt::Interrupt;
use crate::output;
use crate::profile::Profile;
use crate::vendors::{self, AlarmFeed, Vendor};

/// One source as the command line or the sources file names it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SourceSpec {
    /// The name its alarms are tagged with.
    name: String,
    /// The vendor id (`hikgw`).
    vendor: String,
    /// A connection profile of the config file.
    profile: Option<String>,
    /// An address, the credentials from the vendor's environment variables.
    base_url: Option<String>,
}

/// Whether `text` is an address rather than a profile name.
fn is_url(text: &str) -> bool {
    text.contains("://")
}

/// `VENDOR=PROFILE` or `VENDOR=URL`.
fn parse_flag(flag: &str) -> CliResult<SourceSpec> {
    let bad = || {
        CliError::usage(format!("--source `{flag}`: expected VENDOR=PROFILE or VENDOR=URL"))
            .hint("e.g. --source hikgw=north (a [profile.north] of the config file) or --source hikgw=http://10.0.0.5")
    };
    let (vendor, target) = flag.split_once('=').ok_or_else(bad)?;
    let (vendor, target) = (vendor.trim(), target.trim());
    if vendor.is_empty() || target.is_empty() {
        return Err(bad());
    }
    let url = is_url(target);
    Ok(SourceSpec {
        name: target.to_owned(),
        vendor: vendor.to_owned(),
        profile: (!url).then(|| target.to_owned()),
        base_url: url.then(|| target.to_owned()),
    })
}

/// The `[[source]]` tables of a sources file.
fn parse_file(text: &str, path: &Path) -> CliResult<Vec<SourceSpec>> {
    let at = |msg: String| CliError::usage(format!("{}: {msg}", path.display()));
    let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| at(format!("not valid TOML: {}", e.message())))?;
    if let Some(key) = doc.keys().find(|k| *k != "source") {
        return Err(at(format!("unknown key `{key}`")).hint("the file holds [[source]] tables (see docs/cli.md)"));
    }
    let Some(list) = doc.get("source") else { return Ok(Vec::new()) };
    let Some(list) = list.as_array() else { return Err(at("`source` must be an array of tables: [[source]]".into())) };
    let mut specs = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let n = i + 1;
        let Some(table) = entry.as_table() else { return Err(at(format!("source {n} is not a table"))) };
        if let Some(key) = table.keys().find(|k| !["name", "vendor", "profile", "base_url"].contains(&k.as_str())) {
            return Err(
                at(format!("source {n}: unknown key `{key}`")).hint("the keys are: name, vendor, profile, base_url")
            );
        }
        let text = |key: &str| -> CliResult<Option<String>> {
            match table.get(key) {
                None => Ok(None),
                Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
                Some(_) => Err(at(format!("source {n}: `{key}` must be a non-empty string"))),
            }
        };
        let vendor = text("vendor")?.ok_or_else(|| at(format!("source {n} names no vendor")))?;
        let (profile, base_url) = (text("profile")?, text("base_url")?);
        let name = match (text("name")?, &profile, &base_url) {
            (Some(name), _, _) => name,
            (None, Some(p), _) => p.clone(),
            (None, None, Some(u)) => u.clone(),
            (None, None, None) => return Err(at(format!("source {n} has neither `profile` nor `base_url`"))),
        };
        specs.push(SourceSpec { name, vendor, profile, base_url });
    }
    Ok(specs)
}

/// Every source of the command line: the file's first, then the flags'.
fn specs(args: &AlarmsArgs) -> CliResult<Vec<SourceSpec>> {
    let mut specs = Vec::new();
    if let Some(path) = &args.sources_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::usage(format!("cannot read the sources file {}: {e}", path.display())))?;
        specs.extend(parse_file(&text, path)?);
    }
    for flag in &args.sources {
        specs.push(parse_flag(flag)?);
    }
    if specs.is_empty() {
        return Err(CliError::usage("alarms: no source")
            .hint("give --source VENDOR=PROFILE|URL (repeatable) or --sources FILE"));
    }
    Ok(specs)
}

/// The vendor's alarm feed of `spec`.
fn feed(spec: &SourceSpec, config: Option<&PathBuf>) -> CliResult<AlarmFeed> {
    let vendor: &'static dyn Vendor = vendors::find(&spec.vendor).ok_or_else(|| {
        let ids: Vec<&str> = vendors::VENDORS.iter().map(|v| v.id()).collect();
        CliError::usage(format!("source `{}`: unknown vendor `{}`", spec.name, spec.vendor))
            .hint(format!("the vendors are: {}", ids.join(", ")))
    })?;
    let profile = match &spec.profile {
        Some(name) => {
            let p = Profile::load(config.map(PathBuf::as_path), name)?;
            p.check(vendor)?;
            Some(p)
        }
        None => None,
    };
    vendor.alarm_source(profile.as_ref(), spec.base_url.as_deref()).unwrap_or_else(|| {
        Err(CliError::usage(format!("source `{}`: {} has no alarm source in the CLI", spec.name, vendor.title())))
    })
}

/// Runs `watchpost alarms`: until Ctrl-C (exit 130), `--max-alarms` alarms (exit 0) or the end
/// of every source (exit 1).
///
/// # Errors
/// Usage errors for the sources; a failure when every source ended.
pub async fn run(args: &AlarmsArgs, global: &GlobalArgs, mut interrupt: Interrupt) -> CliResult<()> {
    if !args.follow && args.max_alarms.is_none() {
        return Err(CliError::usage("alarms: give --follow (until Ctrl-C) or --max-alarms N")
            .hint("watchpost alarms --follow --source hikgw=http://10.0.0.5"));
    }
    #[cfg(feature = "bridge")]
    if let Some(url) = &args.from {
        return crate::alarms_nats::run(url, args, interrupt).await;
    }
    let mut merge = AlarmMerge::new();
    let mut stops = Vec::new();
    for spec in specs(args)? {
        let AlarmFeed { stream, state, stop } = feed(&spec, global.config.as_ref())?;
        stops.extend(stop.map(|stop| (spec.name.clone(), stop)));
        merge.add_source(spec.name.clone(), state, stream).map_err(|_| {
            CliError::usage(format!("two sources are named `{}`", spec.name)).hint("give each a `name`")
        })?;
    }
    let result = follow(args, &mut merge, &mut interrupt).await;
    stop_sources(&mut merge, stops).await;
    result
}

/// How long the sources that finish something before they end (a queue committing its last
/// acknowledged batch) are given when the command exits.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// Asks the sources that can stop gracefully to stop, and reads the merge until each has ended
/// (at most [`STOP_GRACE`]), so a queue commits the batch whose alarms were all printed instead
/// of sending them again to the next run. Alarms that arrive meanwhile are neither printed nor
/// acknowledged: they come again.
async fn stop_sources(merge: &mut AlarmMerge, stops: Vec<(String, Box<dyn FnOnce() + Send>)>) {
    let mut waiting: std::collections::BTreeSet<String> = stops.iter().map(|(name, _)| name.clone()).collect();
    for (_, stop) in stops {
        stop();
    }
    let deadline = tokio::time::Instant::now() + STOP_GRACE;
    while !waiting.is_empty() {
        match tokio::time::timeout_at(deadline, merge.next()).await {
            Ok(Some(Merged::Ended { source })) => {
                waiting.remove(&*source);
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
}

/// Prints the merged alarms until `--max-alarms`, Ctrl-C, a closed output or the end of every
/// source.
async fn follow(args: &AlarmsArgs, merge: &mut AlarmMerge, interrupt: &mut Interrupt) -> CliResult<()> {
    let started = Instant::now();
    let mut alarms = 0u64;
    let mut last_error: Option<String> = None;
    loop {
        let item = tokio::select! {
            () = interrupt.requested() => return Err(CliError::interrupted()),
            item = merge.next() => item,
        };
        let Some(item) = item else {
            return Err(CliError::failure("every alarm source ended")
                .hint(last_error.unwrap_or_else(|| "run with -v for details".to_owned())));
        };
        let at = started.elapsed().as_secs_f64();
        match item {
            Merged::Alarm { source, delivery } => {
                if !print_alarm(args.json, &source, delivery.item()) {
                    // The reader went away: the alarm was not handed on, so it is not acknowledged.
                    return Ok(());
                }
                delivery.ack();
                alarms += 1;
                if args.max_alarms.is_some_and(|max| alarms >= max) {
                    return Ok(());
                }
            }
            Merged::State { source, state } => tell!("[{at:>7.2}s] {source}: {}", state_text(&state)),
            Merged::Resync { source, notice } => match notice {
                ResyncNotice::Started => tell!("[{at:>7.2}s] {source}: resync: reading the standing alarms"),
                ResyncNotice::Done { unread, .. } if unread.is_empty() => {
                    tell!("[{at:>7.2}s] {source}: resync done")
                }
                ResyncNotice::Done { unread, .. } => {
                    tell!("[{at:>7.2}s] {source}: resync done; the alarm state of {} is unknown", unread.join(", "))
                }
                other => tell!("[{at:>7.2}s] {source}: {other:?}"),
            },
            Merged::Error { source, error } => {
                let text = format!("{source}: {}", error.report());
                tell!("[{at:>7.2}s] error {text}");
                last_error = Some(text);
            }
            Merged::Ended { source } => tell!("[{at:>7.2}s] {source}: ended"),
            other => tell!("[{at:>7.2}s] {other:?}"),
        }
    }
}

/// Prints `alarm` of source `source` to stdout: one line of JSON with `json`, else one line
/// for a person (escaped, as every line). `false` when stdout is closed (the reader went away:
/// the alarm was not handed on, so it must not be acknowledged).
pub(crate) fn print_alarm(json: bool, source: &str, alarm: &Alarm) -> bool {
    let line = if json { alarm_json(alarm) } else { describe(source, alarm) };
    output::out_line(&line)
}

/// The `Alarm` serialisation on one line, secret-looking members of the raw event masked.
fn alarm_json(alarm: &Alarm) -> String {
    let mut v = serde_json::to_value(alarm).unwrap_or_else(|e| serde_json::json!({"error": e.to_string()}));
    output::mask_secrets(&mut v);
    output::json_line(&v)
}

/// One line for a person.
fn describe(source: &str, a: &Alarm) -> String {
    let mut where_ = format!("device {}", if a.device_id.is_empty() { "-" } else { &a.device_id });
    if let Some(name) = &a.device_name {
        where_.push_str(&format!(" \"{name}\""));
    }
    for (label, n) in [("partition", a.partition), ("zone", a.zone), ("channel", a.channel)] {
        if let Some(n) = n {
            where_.push_str(&format!(" {label} {n}"));
        }
    }
    let category =
        serde_json::to_value(a.category).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let restore = a.restore_of.and_then(|r| serde_json::to_value(r).ok()).and_then(|v| v.as_str().map(str::to_owned));
    let time = a.event_time.map(|t| format!(" at {t}{}", if t.is_naive() { " (device time)" } else { "" }));
    format!(
        "{source}: {category}{} {} {} | {where_}{}",
        restore.map(|r| format!(" of {r}")).unwrap_or_default(),
        a.code,
        a.description,
        time.unwrap_or_default()
    )
}

/// A connection state for a person.
pub(crate) fn state_text(s: &ConnectionState) -> String {
    match s {
        ConnectionState::Connecting => "connecting (alarms may have been missed since the last connect)".to_owned(),
        ConnectionState::Connected => "connected".to_owned(),
        ConnectionState::Backoff { attempt, delay } => {
            format!("reconnecting in {} ms (after {attempt} failed attempt(s))", delay.as_millis())
        }
        ConnectionState::Closed => "closed".to_owned(),
        other => format!("{other:?}").to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_name_a_profile_or_an_address() {
        let p = parse_flag("hikgw=north").unwrap();
        assert_eq!((p.vendor.as_str(), p.profile.as_deref(), p.base_url), ("hikgw", Some("north"), None));
        let u = parse_flag("hikgw=http://10.0.0.5:80").unwrap();
        assert_eq!(
            (u.name.as_str(), u.profile, u.base_url.as_deref()),
            ("http://10.0.0.5:80", None, Some("http://10.0.0.5:80"))
        );
        for bad in ["hikgw", "=north", "hikgw=", " = "] {
            assert_eq!(parse_flag(bad).unwrap_err().exit, crate::error::EXIT_USAGE, "{bad}");
        }
    }

    #[test]
    fn the_sources_file_is_checked() {
        let path = Path::new("sources.toml");
        let text = r#"
            [[source]]
            vendor = "hikgw"
            profile = "north"

            [[source]]
            name = "south"
            vendor = "hikgw"
            base_url = "http://10.0.0.6"
        "#;
        let specs = parse_file(text, path).unwrap();
        assert_eq!(specs.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["north", "south"]);
        assert_eq!(specs[1].base_url.as_deref(), Some("http://10.0.0.6"));
        for bad in [
            "[[source]]\nvendor = \"hikgw\"",
            "[[source]]\nprofile = \"x\"",
            "[[source]]\nvendor = \"hikgw\"\nprofile = \"x\"\npassword = \"p\"",
            "source = 1",
            "other = 1",
            "[[source]\n",
        ] {
            assert!(parse_file(bad, path).is_err(), "{bad}");
        }
    }
}
