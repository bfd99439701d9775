//! watchpost's build tasks, run as `cargo xtask <task>` (an alias in `.cargo/config.toml`).
//!
//! - `cargo xtask codegen [--check]`: generate each vendor crate's `src/generated.rs` from its
//!   `spec/<vendor>.toml` (see `docs/spec-format.md`); `--check` fails when the committed files
//!   are stale.
//! - `cargo xtask coverage [--check] [--dir DIR]`: write `docs/coverage/<vendor>.md` and the
//!   README's summary from the records the simulators left in `$WATCHPOST_COVERAGE_DIR` while
//!   the tests ran; `--check` fails when the committed tables are stale.
//! - `cargo xtask release --dry-run`: check every publishable crate's metadata and changelog
//!   entry, then `cargo package` them in dependency order.

mod codegen;
mod coverage;
mod release;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// watchpost's build tasks.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", version, about)]
struct Cli {
    /// The task to run.
    #[command(subcommand)]
    command: Task,
}

/// The tasks.
#[derive(Debug, Subcommand)]
enum Task {
    /// Generate Rust code from the operation specs.
    Codegen(codegen::Args),
    /// Write the coverage tables from the simulators' records of a test run.
    Coverage(coverage::Args),
    /// Check that every publishable crate is ready to publish, and package them.
    Release(release::Args),
}

/// The repository root: the parent of this crate's directory.
fn repo_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map_or(manifest.clone(), PathBuf::from)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Task::Codegen(args) => match codegen::run(&args.root.clone().unwrap_or_else(repo_root), &args) {
            Ok(codegen::Outcome::Done { written, total }) => {
                if args.check {
                    println!("codegen: {total} generated files are up to date");
                } else {
                    for path in &written {
                        println!("wrote {path}");
                    }
                    println!("codegen: {} of {total} generated files changed", written.len());
                }
                ExitCode::SUCCESS
            }
            Ok(codegen::Outcome::Stale(paths)) => {
                eprintln!("codegen: these generated files are stale; run `cargo xtask codegen` and commit them:");
                for path in &paths {
                    eprintln!("  {path}");
                }
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("codegen: {e}");
                ExitCode::FAILURE
            }
        },
        Task::Coverage(args) => match coverage::run(&args.root.clone().unwrap_or_else(repo_root), &args) {
            Ok(coverage::Outcome::Done { written, records }) => {
                for path in &written {
                    println!("wrote {path}");
                }
                let verb = if args.check { "are up to date" } else { "written" };
                println!("coverage: tables {verb} ({records} simulator records)");
                ExitCode::SUCCESS
            }
            Ok(coverage::Outcome::Stale(paths)) => {
                eprintln!("coverage: these tables are stale; run the tests with WATCHPOST_COVERAGE_DIR set, then `cargo xtask coverage`, and commit them:");
                for path in &paths {
                    eprintln!("  {path}");
                }
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("coverage: {e}");
                ExitCode::FAILURE
            }
        },
        Task::Release(args) => match release::run(&repo_root(), &args) {
            Ok(report) => {
                for line in report {
                    println!("{line}");
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("release: {e}");
                ExitCode::FAILURE
            }
        },
    }
}
