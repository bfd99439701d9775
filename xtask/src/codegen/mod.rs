//! `cargo xtask codegen [--check]`: turns each operation spec into Rust code (the coverage tables
//! are `cargo xtask coverage`'s, from the tests' records).
//!
//! Specs are found at `crates/*/spec/*.toml` (vendor crates) and `tests/spec/*.toml` (the spec that
//! proves the generator). Each is parsed ([`spec`]), validated ([`validate`]), rendered
//! ([`render`], [`coverage`]) and formatted with `rustfmt`; then the outputs are written, or with
//! `--check` compared with the committed files.

pub mod coverage;
pub mod errors;
pub mod model;
pub mod names;
pub mod pagination;
pub mod render;
pub mod render_sim;
pub mod spec;
pub mod validate;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use validate::SpecPlace;

/// Options of `cargo xtask codegen`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Compare the generated files with those on disk instead of writing them; exit 1 listing the
    /// stale ones.
    #[arg(long)]
    pub check: bool,
    /// Repository root to work in (default: the parent directory of `xtask/`).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// One file the generator produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Path relative to the repository root, `/`-separated.
    pub path: String,
    /// Full contents.
    pub contents: String,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Outputs written (paths that changed) or, with `--check`, all up to date.
    Done {
        /// Files written because their contents changed.
        written: Vec<String>,
        /// Number of outputs generated.
        total: usize,
    },
    /// `--check` found outputs that differ from the committed files.
    Stale(Vec<String>),
}

/// Runs the generator over the repository at `root`.
///
/// # Errors
/// Spec parse and validation errors (all of them, with file and operation), a missing or
/// failing `rustfmt`, and I/O errors.
pub fn run(root: &Path, args: &Args) -> Result<Outcome, String> {
    let outputs = generate(root)?;
    let total = outputs.len();
    if args.check {
        let stale = stale(root, &outputs);
        return Ok(if stale.is_empty() { Outcome::Done { written: Vec::new(), total } } else { Outcome::Stale(stale) });
    }
    let mut written = Vec::new();
    for out in &outputs {
        let path = root.join(&out.path);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(out.contents.as_str()) {
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(&path, &out.contents).map_err(|e| format!("cannot write {}: {e}", out.path))?;
        written.push(out.path.clone());
    }
    Ok(Outcome::Done { written, total })
}

/// The outputs whose committed contents differ from `outputs` (or that are missing).
pub fn stale(root: &Path, outputs: &[Output]) -> Vec<String> {
    outputs
        .iter()
        .filter(|o| std::fs::read_to_string(root.join(&o.path)).ok().as_deref() != Some(o.contents.as_str()))
        .map(|o| o.path.clone())
        .collect()
}

/// Generates every output of every spec under `root`, formatted, in memory.
///
/// # Errors
/// See [`run`].
pub fn generate(root: &Path) -> Result<Vec<Output>, String> {
    let places = discover(root)?;
    let mut errors = Vec::new();
    let mut specs = Vec::new();
    for place in &places {
        let text = read_with_parts(root, &place.file)?;
        match load(&text, place) {
            Ok(s) => specs.push(s),
            Err(mut e) => errors.append(&mut e),
        }
    }
    // Two specs must not write the same file.
    let mut owners: BTreeMap<&str, &str> = BTreeMap::new();
    for s in &specs {
        for path in std::iter::once(&s.output).chain(s.coverage.as_ref()).chain(s.sim_output.as_ref().map(|(p, _)| p)) {
            if let Some(other) = owners.insert(path, &s.file) {
                errors.push(format!("{}: writes {path}, which {other} also writes", s.file));
            }
        }
    }
    if !errors.is_empty() {
        return Err(format!("{} problem(s) in the specs:\n  {}", errors.len(), errors.join("\n  ")));
    }
    let config = root.join("rustfmt.toml");
    let config = config.is_file().then_some(config);
    let mut outputs = Vec::new();
    for s in &specs {
        let code = rustfmt(root, config.as_deref(), &render::render(s)).map_err(|e| format!("{}: {e}", s.file))?;
        outputs.push(Output { path: s.output.clone(), contents: code });
        if let Some((path, api)) = &s.sim_output {
            let code = rustfmt(root, config.as_deref(), &render_sim::render(s, api))
                .map_err(|e| format!("{}: {e}", s.file))?;
            outputs.push(Output { path: path.clone(), contents: code });
        }
    }
    // The coverage tables and the README summary need the tests' records: `cargo xtask coverage`.
    Ok(outputs)
}

/// Parses and validates every spec under `root`.
///
/// # Errors
/// Read, parse and validation errors, each naming the file.
pub fn load_all(root: &Path) -> Result<Vec<model::Spec>, String> {
    let mut errors = Vec::new();
    let mut specs = Vec::new();
    for place in &discover(root)? {
        let text = read_with_parts(root, &place.file)?;
        match load(&text, place) {
            Ok(s) => specs.push(s),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(specs)
    } else {
        Err(format!("{} problem(s) in the specs:\n  {}", errors.len(), errors.join("\n  ")))
    }
}

/// Parses and validates one spec.
///
/// # Errors
/// The TOML error or every validation problem, each naming the file.
pub fn load(text: &str, place: &SpecPlace) -> Result<model::Spec, Vec<String>> {
    let raw: spec::RawSpec = toml::from_str(text).map_err(|e| vec![format!("{}: {e}", place.file)])?;
    validate::validate(&raw, place)
}

/// Reads a spec and appends its parts: the `*.toml` files of the directory `<spec>.d/` beside it
/// (e.g. `spec/hpp.d/sites.toml` for `spec/hpp.toml`), in name order. A part holds only
/// `[[operation]]` and `[[error_code]]` tables, so a large spec can be split by chapter and each
/// chapter edited on its own.
///
/// # Errors
/// A file that cannot be read, naming it.
fn read_with_parts(root: &Path, file: &str) -> Result<String, String> {
    let read = |f: &str| std::fs::read_to_string(root.join(f)).map_err(|e| format!("cannot read {f}: {e}"));
    let mut text = read(file)?;
    let parts_dir = format!("{}.d", file.trim_end_matches(".toml"));
    for part in toml_files(&root.join(&parts_dir))? {
        let f = format!("{parts_dir}/{part}");
        text.push_str(&format!("\n# ---- part {f}\n"));
        text.push_str(&read(&f)?);
        text.push('\n');
    }
    Ok(text)
}

/// Finds `crates/*/spec/*.toml` and `tests/spec/*.toml`, sorted (a spec's parts are read with it:
/// [`read_with_parts`]).
fn discover(root: &Path) -> Result<Vec<SpecPlace>, String> {
    let mut places = Vec::new();
    let crates = root.join("crates");
    for krate in sorted_entries(&crates)? {
        let Some(name) = krate.file_name().and_then(|n| n.to_str()).map(str::to_owned) else { continue };
        for file in toml_files(&krate.join("spec"))? {
            places.push(SpecPlace {
                file: format!("crates/{name}/spec/{file}"),
                crate_dir: format!("crates/{name}"),
                vendor_crate: true,
            });
        }
    }
    for file in toml_files(&root.join("tests").join("spec"))? {
        places.push(SpecPlace {
            file: format!("tests/spec/{file}"),
            crate_dir: "tests".to_owned(),
            vendor_crate: false,
        });
    }
    Ok(places)
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, String> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    Ok(entries)
}

fn toml_files(dir: &Path) -> Result<Vec<String>, String> {
    Ok(sorted_entries(dir)?
        .into_iter()
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .filter_map(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_owned))
        .collect())
}

/// Formats Rust source with the toolchain's `rustfmt` and the repository's `rustfmt.toml`.
///
/// # Errors
/// When `rustfmt` is missing or rejects the code.
pub fn rustfmt(root: &Path, config: Option<&Path>, code: &str) -> Result<String, String> {
    let mut cmd = Command::new("rustfmt");
    cmd.args(["--edition", "2021"]);
    if let Some(config) = config {
        cmd.arg("--config-path").arg(config);
    }
    let mut child =
        cmd.current_dir(root).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().map_err(
            |e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    "rustfmt not found: install it with `rustup component add rustfmt` (rust-toolchain.toml lists it)"
                        .to_owned()
                } else {
                    format!("cannot run rustfmt: {e}")
                }
            },
        )?;
    let mut stdin = child.stdin.take().ok_or("rustfmt has no stdin")?;
    let input = code.to_owned();
    // Write from another thread so that a large output cannot fill the pipe and deadlock us.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().map_err(|e| format!("rustfmt failed: {e}"))?;
    let written = writer.join().map_err(|_| "rustfmt writer thread panicked".to_owned())?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt rejected the generated code ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    written.map_err(|e| format!("cannot write to rustfmt: {e}"))?;
    String::from_utf8(output.stdout).map_err(|_| "rustfmt wrote non-UTF-8 output".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch repository under the system temp dir, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("xtask-codegen-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        fn write(&self, rel: &str, text: &str) {
            let p = self.0.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const SPEC: &str = r#"
[vendor]
name = "demo"
title = "Demo cloud"
seed = "demo.txt"
output = "src/generated.rs"
client = "crate::Client"

[[operation]]
id = "thing.get"
fn = "thing_get"
section = "1"
method = "GET"
path = "/things/{id}"
summary = "Get a thing"
response = "models::Thing"
  [[operation.param]]
  name = "id"
  in = "path"
  type = "string"
  required = true
  doc = "Thing id"
"#;

    #[test]
    fn writes_then_checks_clean_then_detects_staleness() {
        let repo = Scratch::new("cycle");
        repo.write("crates/demo/spec/demo.toml", SPEC);
        repo.write("tests/spec/t.toml", &SPEC.replace("name = \"demo\"", "name = \"t\""));
        let args = Args { check: true, root: None };
        let Outcome::Stale(stale) = run(&repo.0, &args).unwrap() else { panic!("nothing written yet") };
        assert_eq!(stale, ["crates/demo/src/generated.rs", "tests/src/generated.rs"]);

        let Outcome::Done { written, total } = run(&repo.0, &Args { check: false, root: None }).unwrap() else {
            panic!()
        };
        assert_eq!((written.len(), total), (2, 2));
        let code = std::fs::read_to_string(repo.0.join("crates/demo/src/generated.rs")).unwrap();
        assert!(code.contains("pub static THING_GET: Operation = Operation {\n        vendor: \"demo\","), "{code}");
        assert_eq!(run(&repo.0, &args).unwrap(), Outcome::Done { written: vec![], total: 2 });
        // A second write changes nothing.
        assert_eq!(
            run(&repo.0, &Args { check: false, root: None }).unwrap(),
            Outcome::Done { written: vec![], total: 2 }
        );

        repo.write("crates/demo/src/generated.rs", &code.replace("Get a thing", "edited"));
        assert_eq!(run(&repo.0, &args).unwrap(), Outcome::Stale(vec!["crates/demo/src/generated.rs".to_owned()]));
    }

    #[test]
    fn spec_errors_name_the_file() {
        let repo = Scratch::new("errors");
        repo.write("crates/demo/spec/demo.toml", &SPEC.replace("path = \"/things/{id}\"", "path = \"/things\""));
        repo.write("crates/other/spec/other.toml", "not toml [");
        let e = run(&repo.0, &Args { check: true, root: None }).unwrap_err();
        assert!(e.contains("crates/demo/spec/demo.toml: operation `thing.get`: path param `id` has no `{id}`"), "{e}");
        assert!(e.contains("crates/other/spec/other.toml: TOML parse error"), "{e}");
    }

    #[test]
    fn a_spec_reads_its_parts_in_name_order() {
        let repo = Scratch::new("parts");
        repo.write("crates/demo/spec/demo.toml", SPEC);
        repo.write("crates/demo/spec/demo.d/b.toml", "# part b\n");
        repo.write("crates/demo/spec/demo.d/a.toml", "# part a\n");
        let text = read_with_parts(&repo.0, "crates/demo/spec/demo.toml").unwrap();
        let (a, b) = (text.find("# part a").unwrap(), text.find("# part b").unwrap());
        assert!(text.starts_with(SPEC) && a < b, "{text}");
        assert_eq!(discover(&repo.0).unwrap().len(), 1, "a part is not a spec of its own");
    }

    #[test]
    fn two_specs_cannot_share_an_output() {
        let repo = Scratch::new("clash");
        repo.write("crates/demo/spec/a.toml", SPEC);
        repo.write("crates/demo/spec/b.toml", SPEC);
        let e = run(&repo.0, &Args { check: true, root: None }).unwrap_err();
        assert!(e.contains("crates/demo/spec/b.toml: writes crates/demo/src/generated.rs, which crates/demo/spec/a.toml also writes"), "{e}");
    }

    #[test]
    fn rustfmt_errors_are_reported() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let e = rustfmt(here, None, "fn (").unwrap_err();
        assert!(e.contains("rustfmt rejected"), "{e}");
        assert_eq!(rustfmt(here, None, "fn  f( ){}").unwrap(), "fn f() {}\n");
    }
}
