//! A byte progress bar for file transfers, on stderr and only when stderr is a terminal; a
//! one-line summary on stderr when the transfer ends. Never writes to stdout.

use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// One transfer: a bar while it runs (terminal only), a summary line at the end.
#[derive(Debug, Clone)]
pub struct Transfer {
    bar: Option<ProgressBar>,
    what: String,
    started: Instant,
}

impl Transfer {
    /// Starts showing `what` (`uploading firmware.rom`) of `total` bytes (unknown: a spinner).
    pub fn start(what: impl Into<String>, total: Option<u64>) -> Self {
        let what = what.into();
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = match total {
                Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            };
            let template = if total.is_some() {
                "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})"
            } else {
                "{spinner} {msg} {bytes} ({bytes_per_sec}, {elapsed})"
            };
            bar.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()));
            bar.set_message(what.clone());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Transfer { bar, what, started: Instant::now() }
    }

    /// The bytes transferred so far.
    pub fn set(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(bytes);
        }
    }

    /// Clears the bar and prints the summary line: `<what>: <bytes> bytes in <secs> s`.
    pub fn finish(&self, bytes: u64, detail: &str) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let secs = self.started.elapsed().as_secs_f64();
        tell!("{}: {bytes} bytes in {secs:.1} s{detail}", self.what);
    }

    /// Leaves the bar where it stopped (an error or an interrupt follows).
    pub fn abandon(&self) {
        if let Some(bar) = &self.bar {
            bar.abandon();
        }
    }
}
