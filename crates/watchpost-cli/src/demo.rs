//! `watchpost demo`: every vendor's simulator started in-process and a realistic scenario walked
//! against each, with a line per step and a summary table.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::error::{CliError, CliResult};
use crate::vendors::{self, Vendor};

/// Why a step failed (already formatted for the step's line).
pub struct StepError(pub String);

impl From<watchpost::Error> for StepError {
    fn from(e: watchpost::Error) -> Self {
        StepError(e.report().to_string())
    }
}

impl From<std::io::Error> for StepError {
    fn from(e: std::io::Error) -> Self {
        StepError(e.to_string())
    }
}

impl From<String> for StepError {
    fn from(s: String) -> Self {
        StepError(s)
    }
}

impl From<&str> for StepError {
    fn from(s: &str) -> Self {
        StepError(s.to_owned())
    }
}

/// The outcome of one step: a value for the next steps and the detail shown on its line.
pub type Step<T> = Result<(T, String), StepError>;

/// A scenario stopped at a failed step (the step already printed why).
pub struct Stopped;

/// The progress of one vendor's scenario.
pub struct Scenario {
    vendor: &'static dyn Vendor,
    started: Instant,
    steps: usize,
    ok: usize,
    failure: Option<String>,
}

/// One line of the summary table.
pub struct Outcome {
    vendor: &'static dyn Vendor,
    steps: usize,
    ok: usize,
    duration: Duration,
    failure: Option<String>,
}

impl Scenario {
    /// Starts the scenario of `vendor` with `steps` steps, printing its title and `what`.
    pub fn new(vendor: &'static dyn Vendor, steps: usize, what: &str) -> Self {
        say!("{} ({what})", vendor.title());
        Scenario { vendor, started: Instant::now(), steps, ok: 0, failure: None }
    }

    /// Runs one step, printing `[ok] label  detail (time)` or `[FAIL] label  error`.
    pub async fn step<T>(&mut self, label: &str, fut: impl Future<Output = Step<T>>) -> Result<T, Stopped> {
        let t = Instant::now();
        match fut.await {
            Ok((value, detail)) => {
                self.ok += 1;
                say!("  [ok]   {label:<13} {detail} ({})", ms(t.elapsed()));
                Ok(value)
            }
            Err(StepError(e)) => {
                say!("  [FAIL] {label:<13} {e}");
                self.failure = Some(format!("{label}: {e}"));
                Err(Stopped)
            }
        }
    }

    /// Prints the scenario's result line.
    pub fn finish(self) -> Outcome {
        let duration = self.started.elapsed();
        let result = if self.failure.is_none() && self.ok == self.steps { "ok" } else { "FAILED" };
        say!("  {}: {}/{} steps {result} in {}", self.vendor.title(), self.ok, self.steps, secs(duration));
        say!();
        Outcome { vendor: self.vendor, steps: self.steps, ok: self.ok, duration, failure: self.failure }
    }
}

fn ms(d: Duration) -> String {
    format!("{} ms", d.as_millis())
}

/// "valid N days" (rounded: a token of 7 days is a few seconds younger when it is shown).
pub fn valid_for(d: Duration) -> String {
    format!("valid {} days", (d.as_secs() + 43_200) / 86_400)
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// Runs the scenarios of `vendors` (every vendor when empty) and prints the summary.
///
/// # Errors
/// A failure (exit code 1) when a simulator cannot start or a step fails.
pub async fn run(ids: &[String]) -> CliResult<()> {
    let scenarios: Vec<_> = if ids.is_empty() {
        vendors::VENDORS.iter().filter_map(|v| v.demo()).collect()
    } else {
        ids.iter()
            .map(|id| {
                let vendor = vendors::find(id).ok_or_else(|| CliError::usage(format!("no vendor `{id}`")))?;
                vendor.demo().ok_or_else(|| {
                    CliError::usage(format!("{} has no demo scenario", vendor.title()))
                        .hint(format!("`watchpost sim {id}` starts its simulator"))
                })
            })
            .collect::<CliResult<_>>()?
    };
    let started = Instant::now();
    say!("watchpost demo: each vendor's API simulated in-process on 127.0.0.1, driven through the watchpost clients");
    say!();
    let mut outcomes = Vec::new();
    for scenario in scenarios {
        outcomes.push(scenario.await?);
    }
    say!("Summary");
    say!("{:<16}  {:<6}  {:<6}  {}", "vendor", "steps", "result", "duration");
    for o in &outcomes {
        let result = if o.failure.is_none() && o.ok == o.steps { "ok" } else { "FAILED" };
        say!("{:<16}  {:<6}  {:<6}  {}", o.vendor.title(), format!("{}/{}", o.ok, o.steps), result, secs(o.duration));
    }
    let failed: Vec<String> =
        outcomes.iter().filter_map(|o| o.failure.as_ref().map(|f| format!("{} {f}", o.vendor.title()))).collect();
    if failed.is_empty() {
        say!();
        match outcomes.len() {
            1 => say!("The scenario passed in {}.", secs(started.elapsed())),
            n => say!("All {n} scenarios passed in {}.", secs(started.elapsed())),
        }
        Ok(())
    } else {
        Err(CliError::failure(format!("the demo failed: {}", failed.join("; ")))
            .hint("run with -v to see the requests; please report it if it persists"))
    }
}

/// The failure of a simulator that did not start.
pub fn start_failed(vendor: &dyn Vendor, e: &std::io::Error) -> CliError {
    CliError::failure(format!("cannot start the {} simulator: {e}", vendor.title()))
}
