//! `watchpost sim <vendor> [--listen ADDR]`: one simulator served until Ctrl-C.

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};

use crate::error::{CliError, CliResult};
use crate::interrupt::Interrupt;
use crate::vendors;

/// Starts the simulator of the vendor `vendor_id`, prints how to reach it, and serves until Ctrl-C.
///
/// The simulators bind a free loopback port of their own; `--listen ADDR` also accepts
/// connections on ADDR and forwards each one to the simulator's port.
///
/// # Errors
/// A failure when the simulator cannot start or ADDR cannot be bound.
pub async fn run(vendor_id: &str, listen: Option<SocketAddr>, mut interrupt: Interrupt) -> CliResult<()> {
    let vendor = vendors::find(vendor_id).ok_or_else(|| CliError::usage(format!("no vendor `{vendor_id}`")))?;
    let sim = vendor.start_sim().await?;
    let listener = match listen {
        Some(addr) => match TcpListener::bind(addr).await {
            Ok(l) => Some(l),
            Err(e) => {
                sim.shutdown().await;
                return Err(CliError::failure(format!("cannot listen on {addr}: {e}"))
                    .hint("pick another address or port, or leave out --listen"));
            }
        },
        None => None,
    };
    let target = sim.base_url();
    let shown = match &listener {
        Some(l) => l.local_addr().map(|a| format!("http://{a}")).unwrap_or_else(|_| target.clone()),
        None => target.clone(),
    };
    say!("{} simulator running (Ctrl-C to stop)", vendor.title());
    say!();
    let described = sim.describe();
    let width = described.iter().map(|(k, _)| k.len()).max().unwrap_or(0).max("base URL".len());
    for (label, value) in &described {
        let value = if *value == target { shown.clone() } else { value.clone() };
        say!("  {label:<width$}  {value}");
    }
    if listener.is_some() {
        say!("  {:<width$}  {target}", "forwards to");
    }
    say!();
    say!("Point the CLI at it (these are the simulator's own test credentials):");
    for line in sim.env_lines() {
        say!("  {}", line.replace(&target, &shown));
    }
    say!("  watchpost {} --list", vendor.id());
    if let (Some(note), true) = (sim.forward_note(), listener.is_some()) {
        say!();
        say!("Note: {note}");
    }
    let forward = async {
        let Some(listener) = listener else { return std::future::pending::<()>().await };
        loop {
            match listener.accept().await {
                Ok((inbound, _)) => {
                    let target = target.trim_start_matches("http://").to_owned();
                    tokio::spawn(async move {
                        if let Err(e) = pipe(inbound, &target).await {
                            tracing::debug!(error = %e, "forwarded connection ended");
                        }
                    });
                }
                Err(e) => tracing::warn!(error = %e, "accept failed"),
            }
        }
    };
    tokio::select! {
        () = interrupt.requested() => {}
        () = forward => {}
    }
    say!();
    say!("stopping the {} simulator", vendor.title());
    sim.shutdown().await;
    Ok(())
}

/// Copies bytes both ways between `inbound` and the simulator at `target` (`host:port`).
async fn pipe(mut inbound: TcpStream, target: &str) -> std::io::Result<()> {
    let mut outbound = TcpStream::connect(target).await?;
    tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await?;
    Ok(())
}
