//! Coverage records: when `WATCHPOST_COVERAGE_DIR` is set, every simulator writes, at shutdown
//! or drop, one small file in that directory naming the operations it simulated and how often
//! their handlers answered. `cargo xtask coverage` reads them all.
//!
//! One file per simulator instance, created with `create_new` under a name made of the vendor,
//! the process id, a per-process counter and the time, so concurrent tests and test processes
//! never write the same file. The format is line-based, tab-separated:
//!
//! ```text
//! watchpost-sim-coverage 1
//! simulated <TAB> <vendor> <TAB> <operation id>
//! answered <TAB> <vendor> <TAB> <operation id> <TAB> <handler answers> <TAB> <"not simulated" answers>
//! ```
//!
//! `simulated` lists every operation the simulator routes to a handler; `answered` every
//! operation whose handler answered at least once (a success or a vendor-level error; answers
//! of `501 Not Implemented` count as "not simulated"). Faults and middleware refusals (auth,
//! quota) do not count as answers.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::server::AnswerCounts;

/// The environment variable naming the directory coverage records go to.
pub const ENV_DIR: &str = "WATCHPOST_COVERAGE_DIR";

/// The first line of every record.
pub const HEADER: &str = "watchpost-sim-coverage 1";

/// What one simulator instance records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The vendor short name.
    pub vendor: &'static str,
    /// The operations routed to a handler.
    pub simulated: Vec<&'static str>,
    /// How each operation's handler answered.
    pub answers: Vec<(&'static str, AnswerCounts)>,
}

impl Record {
    /// The record's text.
    pub fn render(&self) -> String {
        let mut out = format!("{HEADER}\n");
        for id in &self.simulated {
            let _ = writeln!(out, "simulated\t{}\t{id}", self.vendor);
        }
        for (id, c) in &self.answers {
            let _ = writeln!(out, "answered\t{}\t{id}\t{}\t{}", self.vendor, c.handler, c.not_simulated);
        }
        out
    }
}

/// Writes `record` to a new file in `dir` (created if missing); returns its path.
///
/// # Errors
/// When the directory or the file cannot be created or written.
pub fn write(dir: &Path, record: &Record) -> std::io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    std::fs::create_dir_all(dir)?;
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("{}-{}-{n}-{nanos}.cov", record.vendor, std::process::id()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                file.write_all(record.render().as_bytes())?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_render_and_land_in_distinct_files() {
        let record = Record {
            vendor: "x",
            simulated: vec!["a.get", "b.set"],
            answers: vec![("a.get", AnswerCounts { handler: 2, not_simulated: 0 })],
        };
        assert_eq!(
            record.render(),
            "watchpost-sim-coverage 1\nsimulated\tx\ta.get\nsimulated\tx\tb.set\nanswered\tx\ta.get\t2\t0\n"
        );
        let dir = std::env::temp_dir().join(format!("watchpost-cov-test-{}", std::process::id()));
        let a = write(&dir, &record).unwrap();
        let b = write(&dir, &record).unwrap();
        assert_ne!(a, b);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), record.render());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
