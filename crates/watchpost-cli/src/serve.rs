//! `watchpost sim <vendor> [--listen ADDR] [--advertise URL]`: one simulator served until Ctrl-C.

use std::net::{Ipv4Addr, SocketAddr};

use crate::error::{CliError, CliResult};
use crate::interrupt::Interrupt;
use crate::vendors;

/// Starts the simulator of the vendor `vendor_id` listening on `listen` (default `127.0.0.1:0`)
/// and handing out `advertise` (default `http://<bound address>`), prints how to reach it, and
/// serves until Ctrl-C.
///
/// # Errors
/// A failure when the simulator cannot start (`listen` cannot be bound, among others).
pub async fn run(
    vendor_id: &str,
    listen: Option<SocketAddr>,
    advertise: Option<String>,
    mut interrupt: Interrupt,
) -> CliResult<()> {
    let vendor = vendors::find(vendor_id).ok_or_else(|| CliError::usage(format!("no vendor `{vendor_id}`")))?;
    let listen = listen.unwrap_or_else(|| SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
    let sim = vendor
        .start_sim(listen, advertise)
        .await
        .map_err(|e| e.hint("pick another address or port for --listen, or leave it out (127.0.0.1 on a free port)"))?;
    say!("{} simulator running (Ctrl-C to stop)", vendor.title());
    say!();
    let described = sim.describe();
    let width = described.iter().map(|(k, _)| k.len()).max().unwrap_or(0).max("listening on".len());
    for (label, value) in &described {
        say!("  {label:<width$}  {value}");
    }
    say!("  {:<width$}  {}", "listening on", sim.local_addr());
    say!();
    say!("Point the CLI at it (these are the simulator's own test credentials):");
    for line in sim.env_lines() {
        say!("  {line}");
    }
    say!("  watchpost {} --list", vendor.id());
    interrupt.requested().await;
    say!();
    say!("stopping the {} simulator", vendor.title());
    sim.shutdown().await;
    Ok(())
}
