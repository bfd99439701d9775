//! `cargo xtask coverage [--check] [--dir DIR]`: writes the coverage tables
//! (`docs/coverage/<vendor>.md`) and the README's summary from what the simulators recorded
//! while the tests ran.
//!
//! Run the tests with `WATCHPOST_COVERAGE_DIR` set to an empty directory: every simulator then
//! leaves one record there at shutdown or drop (`watchpost_core::sim::coverage`). This task reads
//! them all:
//!
//! - **Simulated**: some simulator routes the operation to a handler, and that handler never
//!   answered only "not simulated" (`501 Not Implemented`).
//! - **Tested**: some request reached the operation's handler and was answered by it (a
//!   success or a vendor-level error), not by an injected fault or an auth or quota refusal.
//!
//! The other columns come from the spec. `--check` fails when a committed table differs.

use std::path::{Path, PathBuf};

use crate::codegen::coverage::{readme_summary, render, splice_readme, Measured};
use crate::codegen::{load_all, stale, Output};

/// The environment variable the simulators write their records under.
pub const ENV_DIR: &str = "WATCHPOST_COVERAGE_DIR";

/// The first line of a record.
const HEADER: &str = "watchpost-sim-coverage 1";

/// Options of `cargo xtask coverage`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Compare the tables with those on disk instead of writing them; exit 1 listing the stale
    /// ones.
    #[arg(long)]
    pub check: bool,
    /// The directory of the simulators' records (default: `$WATCHPOST_COVERAGE_DIR`).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Repository root to work in (default: the parent directory of `xtask/`).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Tables written (paths that changed), or with `--check` all up to date; `records` read.
    Done {
        /// Files written because their contents changed.
        written: Vec<String>,
        /// Records read.
        records: usize,
    },
    /// `--check` found tables that differ from the committed files.
    Stale(Vec<String>),
}

/// Runs the task over the repository at `root`.
///
/// # Errors
/// No record directory, an unreadable or malformed record, spec errors, I/O errors.
pub fn run(root: &Path, args: &Args) -> Result<Outcome, String> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::var_os(ENV_DIR)
            .map(PathBuf::from)
            .ok_or_else(|| format!("no record directory: pass --dir or set {ENV_DIR}"))?,
    };
    let (measured, records) = read_dir(&dir)?;
    if records == 0 {
        return Err(format!("no simulator records in {}: run the tests with {ENV_DIR} set first", dir.display()));
    }
    let outputs = outputs(root, &measured)?;
    if args.check {
        let stale = stale(root, &outputs);
        return Ok(if stale.is_empty() {
            Outcome::Done { written: Vec::new(), records }
        } else {
            Outcome::Stale(stale)
        });
    }
    let mut written = Vec::new();
    for out in &outputs {
        let path = root.join(&out.path);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(out.contents.as_str()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, &out.contents).map_err(|e| format!("cannot write {}: {e}", out.path))?;
        written.push(out.path.clone());
    }
    Ok(Outcome::Done { written, records })
}

/// The coverage tables of every vendor spec and the README with its summary.
fn outputs(root: &Path, measured: &Measured) -> Result<Vec<Output>, String> {
    let specs = load_all(root)?;
    let vendors: Vec<_> = specs.iter().filter(|s| s.coverage.is_some()).collect();
    let mut outputs = Vec::new();
    for s in &vendors {
        if let Some(path) = &s.coverage {
            outputs.push(Output { path: path.clone(), contents: render(s, measured) });
        }
    }
    if let Ok(readme) = std::fs::read_to_string(root.join("README.md")) {
        if let Some(contents) = splice_readme(&readme, &readme_summary(&vendors, measured)) {
            outputs.push(Output { path: "README.md".into(), contents });
        }
    }
    Ok(outputs)
}

/// Reads every `*.cov` record of `dir`; returns what they measured and how many were read.
///
/// # Errors
/// An unreadable directory or record, or a record that is not one.
pub fn read_dir(dir: &Path) -> Result<(Measured, usize), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "cov"))
        .collect();
    paths.sort();
    let mut measured = Measured::default();
    let mut not_simulated_only = std::collections::BTreeSet::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        parse(&text, &mut measured, &mut not_simulated_only).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    // A handler that only ever answered "not simulated" does not make its operation simulated.
    for key in not_simulated_only {
        if !measured.tested.contains(&key) {
            measured.simulated.remove(&key);
        }
    }
    Ok((measured, paths.len()))
}

/// Adds one record to `measured`.
fn parse(
    text: &str,
    measured: &mut Measured,
    not_simulated: &mut std::collections::BTreeSet<(String, String)>,
) -> Result<(), String> {
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return Err(format!("not a simulator coverage record (first line is not `{HEADER}`)"));
    }
    for (n, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["simulated", vendor, id] => {
                measured.simulated.insert(((*vendor).to_owned(), (*id).to_owned()));
            }
            ["answered", vendor, id, handler, not_sim] => {
                let count = |s: &str| s.parse::<u64>().map_err(|_| format!("line {}: bad count `{s}`", n + 2));
                let key = ((*vendor).to_owned(), (*id).to_owned());
                if count(handler)? > 0 {
                    measured.tested.insert(key.clone());
                }
                if count(not_sim)? > 0 {
                    not_simulated.insert(key);
                }
            }
            [] | [""] => {}
            _ => return Err(format!("line {}: unknown record line `{line}`", n + 2)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(v: &str, id: &str) -> (String, String) {
        (v.to_owned(), id.to_owned())
    }

    #[test]
    fn records_merge_across_instances() {
        let dir = std::env::temp_dir().join(format!("xtask-coverage-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("x-1.cov"),
            "watchpost-sim-coverage 1\nsimulated\tx\ta.get\nsimulated\tx\tb.set\nsimulated\tx\tc.del\nanswered\tx\ta.get\t0\t0\nanswered\tx\tc.del\t0\t2\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("x-2.cov"),
            "watchpost-sim-coverage 1\nsimulated\tx\ta.get\nanswered\tx\ta.get\t3\t0\n",
        )
        .unwrap();
        std::fs::write(dir.join("ignored.txt"), "not a record").unwrap();
        let (m, n) = read_dir(&dir).unwrap();
        assert_eq!(n, 2);
        assert!(m.simulated.contains(&key("x", "a.get")) && m.simulated.contains(&key("x", "b.set")));
        assert!(!m.simulated.contains(&key("x", "c.del")), "only ever answered \"not simulated\"");
        assert_eq!(m.tested.iter().cloned().collect::<Vec<_>>(), [key("x", "a.get")]);

        std::fs::write(dir.join("bad.cov"), "something else\n").unwrap();
        assert!(read_dir(&dir).unwrap_err().contains("bad.cov"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
