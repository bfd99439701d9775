//! The vendor registry: one descriptor per vendor, in [`VENDORS`]. The rest of the CLI iterates
//! the list and calls the descriptors; it never names a vendor.
//!
//! Adding a vendor: one file `vendors/<id>.rs` (a unit struct implementing [`Vendor`], its
//! connection flags, client, simulator and demo scenario) and one line in [`VENDORS`]. The CI
//! check `.ci/no-vendor-match` fails when a vendor name appears in a `match` outside its own
//! file.

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;

use clap::ArgMatches;
use serde_json::Value;
use watchpost::core::operation::Operation;
use watchpost::Error;

use crate::demo::Outcome;
use crate::error::{CliError, CliResult};
use crate::interrupt::Interrupt;
use crate::profile::Profile;

#[cfg(feature = "akuvox")]
mod akuvox;
#[cfg(feature = "ezviz")]
mod ezviz;
#[cfg(feature = "gizwits")]
mod gizwits;
#[cfg(feature = "hikgw")]
mod hikgw;
#[cfg(feature = "hpp")]
mod hpp;

/// Every vendor the CLI knows, in the order of the demo and of `--help`.
pub static VENDORS: &[&dyn Vendor] = &[
    #[cfg(feature = "ezviz")]
    &ezviz::Ezviz,
    #[cfg(feature = "hikgw")]
    &hikgw::HikGw,
    #[cfg(feature = "gizwits")]
    &gizwits::Gizwits,
    #[cfg(feature = "hpp")]
    &hpp::Hpp,
    #[cfg(feature = "akuvox")]
    &akuvox::Akuvox,
];

/// The vendor whose id (`hikgw`) is `id`.
pub fn find(id: &str) -> Option<&'static dyn Vendor> {
    VENDORS.iter().copied().find(|v| v.id() == id)
}

/// The clap parser of a vendor id (`watchpost demo <VENDOR>`, `watchpost sim <VENDOR>`).
pub fn id_parser() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(VENDORS.iter().map(|v| clap::builder::PossibleValue::new(v.id())))
}

/// A boxed future of a vendor operation (the registry holds trait objects).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// One vendor of the CLI: what it is called, its operations, how its command runs, how its
/// simulator starts, how its error codes read and its demo scenario.
pub trait Vendor: Sync {
    /// The short name of the command and the environment variables (`hikgw`).
    fn id(&self) -> &'static str;

    /// The name people know (`Device Gateway`).
    fn title(&self) -> &'static str;

    /// The vendor's operation table.
    fn operations(&self) -> &'static [&'static Operation];

    /// Where the credentials come from (flags and environment variables), for hints.
    fn credential_help(&self) -> &'static str;

    /// The vendor crate's description of the vendor code of `e`, when it has one.
    fn code_meaning(&self, e: &Error) -> Option<String>;

    /// Why the generic call cannot run `op_id` and what to use instead, for the operations the
    /// CLI does not run with `--param`. Default: every operation is callable.
    fn not_callable(&self, _op_id: &str) -> Option<&'static str> {
        None
    }

    /// A line printed under `--list` about what else the vendor command does. Default: none.
    fn list_note(&self) -> Option<&'static str> {
        None
    }

    /// `e`, a parameter error of `--param`, with a vendor-specific hint. Default: unchanged.
    fn param_hint(&self, e: CliError) -> CliError {
        e
    }

    /// The vendor's subcommand: `clap::Command::new(id)` with its flags.
    fn command(&self) -> clap::Command;

    /// Runs the vendor's subcommand with its parsed `matches` and the selected connection
    /// profile. A one-shot call is abandoned on the first Ctrl-C; long-running ones (a stream, a
    /// download) watch `interrupt` themselves.
    fn run<'a>(
        &'static self,
        matches: &'a ArgMatches,
        profile: Option<&'a Profile>,
        interrupt: Interrupt,
    ) -> BoxFuture<'a, CliResult<()>>;

    /// The plain profile keys of this vendor (`username`), beside the common ones.
    fn profile_keys(&self) -> &'static [&'static str];

    /// The secret profile keys (`password`): each also as `<key>_env` and `<key>_file`.
    fn profile_secrets(&self) -> &'static [&'static str];

    /// Starts the vendor's simulator listening on `listen` (port 0: a free port) and handing out
    /// `advertise` as its base URL (default `http://<bound address>`).
    fn start_sim(
        &'static self,
        listen: SocketAddr,
        advertise: Option<String>,
    ) -> BoxFuture<'static, CliResult<Box<dyn RunningSim>>>;

    /// The parameter defaults a simulator of this vendor supplies (see
    /// [`Connection::defaults`]), known before it starts.
    fn sim_defaults(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// The vendor's alarms as a source of `watchpost alarms`, connected with the vendor's
    /// settings from `profile` and the environment, `base_url` winning over both; `None` for a
    /// vendor without an alarm source. Nothing is sent until the source is polled.
    fn alarm_source(
        &'static self,
        _profile: Option<&Profile>,
        _base_url: Option<&str>,
    ) -> Option<CliResult<AlarmFeed>> {
        None
    }

    /// The vendor's demo scenario, run against its own simulator; `None` for a vendor without
    /// one (it is then left out of `watchpost demo`).
    fn demo(&'static self) -> Option<BoxFuture<'static, CliResult<Outcome>>>;

    /// The operation `id`, if the vendor has it.
    fn operation(&self, id: &str) -> Option<&'static Operation> {
        self.operations().iter().copied().find(|op| op.id == id)
    }

    /// The environment variable `WATCHPOST_<VENDOR>_<suffix>`.
    fn env(&self, suffix: &str) -> String {
        format!("WATCHPOST_{}_{suffix}", self.id().to_ascii_uppercase())
    }
}

impl fmt::Debug for dyn Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One alarm source of `watchpost alarms`: its alarms and its connection state, as
/// [`AlarmMerge::add_source`](watchpost::alarm::AlarmMerge::add_source) takes them.
pub struct AlarmFeed {
    /// The source's alarms (and resync boundaries) and error items.
    pub stream: futures_util::stream::BoxStream<'static, watchpost::Result<watchpost::alarm::SourceItem>>,
    /// The source's connection state.
    pub state: tokio::sync::watch::Receiver<watchpost::core::supervise::ConnectionState>,
    /// Asks the source to stop gracefully, for a source with something to finish before it ends
    /// (a queue commits the batch whose alarms were all acknowledged); the stream then ends.
    /// `None` when dropping the stream loses nothing (a pushed stream).
    pub stop: Option<Box<dyn FnOnce() + Send>>,
}

/// How to reach one vendor: the connection settings of its command line (or of a simulator).
pub trait Connection {
    /// Parameter defaults taken from the connection (wire name, value), such as a product key.
    fn defaults(&self) -> Vec<(&'static str, String)>;

    /// Builds the client, calls `op` with parameters keyed by wire names and returns the answer
    /// as JSON.
    ///
    /// # Errors
    /// A usage error for missing credentials or an invalid address; the vendor's error
    /// ([`CliError::vendor`]) for a failed call.
    fn call<'a>(&'a self, op: &'static Operation, params: Value) -> BoxFuture<'a, CliResult<Value>>;
}

/// A running simulator of one vendor.
pub trait RunningSim {
    /// The base URL a client is configured with.
    fn base_url(&self) -> String;

    /// The connection settings of a client of this simulator.
    fn connection(&self) -> Box<dyn Connection>;

    /// What a person needs to use the simulator: addresses, credentials (the simulator's own
    /// fixture values, not secrets) and fixture ids, as (label, value).
    fn describe(&self) -> Vec<(&'static str, String)>;

    /// The `export` lines that point the CLI at this simulator.
    fn env_lines(&self) -> Vec<String>;

    /// The address the simulator's (primary) host is bound to.
    fn local_addr(&self) -> SocketAddr;

    /// Stops the simulator.
    fn shutdown(&self) -> BoxFuture<'_, ()>;
}

/// A usage error for missing or inconsistent credentials of `vendor`, with a hint naming them.
pub fn missing(vendor: &dyn Vendor, what: &str) -> CliError {
    CliError::usage(format!("{}: {what}", vendor.title())).hint(format!("give {}", vendor.credential_help()))
}

/// One `export WATCHPOST_<VENDOR>_<SUFFIX>=value` line.
pub fn export(vendor: &dyn Vendor, suffix: &str, value: &str) -> String {
    format!("export {}={value}", vendor.env(suffix))
}

/// The generic vendor command: `--list`, or one operation called with `--param`, abandoned on
/// the first Ctrl-C.
///
/// # Errors
/// Those of [`crate::call::list`] and [`crate::call::run`]; [`CliError::interrupted`].
pub async fn call_command(
    vendor: &'static dyn Vendor,
    args: &crate::cli::CallArgs,
    conn: Box<dyn Connection>,
    mut interrupt: Interrupt,
) -> CliResult<()> {
    if args.list {
        return crate::call::list(vendor, args.operation.as_deref(), args.json);
    }
    tokio::select! {
        result = crate::call::run(vendor, args, conn) => result,
        () = interrupt.requested() => Err(CliError::interrupted()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_lowercase() {
        let mut ids: Vec<&str> = VENDORS.iter().map(|v| v.id()).collect();
        assert!(ids.iter().all(|id| id.chars().all(|c| c.is_ascii_lowercase())), "{ids:?}");
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), VENDORS.len());
    }

    #[test]
    fn every_vendor_is_found_by_its_id() {
        for v in VENDORS {
            assert_eq!(find(v.id()).map(|f| f.id()), Some(v.id()));
            assert!(!v.operations().is_empty(), "{}", v.id());
        }
        assert!(find("nope").is_none());
    }
}
