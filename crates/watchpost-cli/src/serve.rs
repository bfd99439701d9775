//! `watchpost sim <vendor> [--listen ADDR] [--advertise URL]`: one simulator served until Ctrl-C.

use crate::error::{CliError, CliResult};
use crate::interrupt::Interrupt;
use crate::vendors::{self, SimAt};

/// Starts the simulator of the vendor `vendor_id` where `at` says, prints how to reach it, and
/// serves until Ctrl-C.
///
/// The simulator itself binds `--listen` (default: a free loopback port) and hands clients the
/// `--advertise` URL (default: `http://<bound address>`), so a client on another host or in a
/// container reaches it, EZVIZ's area domain included; there is no forwarder in between.
///
/// # Errors
/// A failure when the simulator cannot start (the address cannot be bound).
pub async fn run(vendor_id: &str, at: SimAt, mut interrupt: Interrupt) -> CliResult<()> {
    let vendor = vendors::find(vendor_id).ok_or_else(|| CliError::usage(format!("no vendor `{vendor_id}`")))?;
    let unspecified = at.listen.is_some_and(|a| a.ip().is_unspecified()) && at.advertise.is_none();
    let sim = vendor.start_sim(at).await?;
    say!("{} simulator running (Ctrl-C to stop)", vendor.title());
    say!();
    let described = sim.describe();
    let width = described.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (label, value) in &described {
        say!("  {label:<width$}  {value}");
    }
    say!();
    say!("Point the CLI at it (these are the simulator's own test credentials):");
    for line in sim.env_lines() {
        say!("  {line}");
    }
    say!("  watchpost {} --list", vendor.id());
    if unspecified {
        say!();
        say!("Note: it listens on every interface but hands clients the URL above; give --advertise http://<this host>:<port> for clients on other hosts.");
    }
    interrupt.requested().await;
    say!();
    say!("stopping the {} simulator", vendor.title());
    sim.shutdown().await;
    Ok(())
}
