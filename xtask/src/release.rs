//! `cargo xtask release --dry-run`: checks that every publishable crate is ready to publish.
//!
//! For each workspace package whose `publish` is not `false`, in dependency order:
//! `version`, `license`, `description`, `repository`, a `readme` file that exists, and docs
//! metadata (`documentation` or `[package.metadata.docs.rs]`); that `CHANGELOG.md` has an entry
//! for the version; then `cargo package` for all of them in one invocation (cargo packages
//! workspace members that depend on each other through a temporary local registry).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Arguments of `cargo xtask release`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Check and package without publishing (the only mode for now).
    #[arg(long)]
    pub dry_run: bool,
    /// Also build each packaged crate (`cargo package` without `--no-verify`).
    #[arg(long)]
    pub verify: bool,
    /// Allow uncommitted changes in the working tree.
    #[arg(long)]
    pub allow_dirty: bool,
}

/// A publishable package and what the checks need of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    /// Package name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Problems found (empty when ready).
    pub problems: Vec<String>,
    /// Names of workspace packages it depends on (normal and build dependencies).
    pub deps: Vec<String>,
}

/// Runs the release checks from the repository `root`.
///
/// # Errors
/// A message listing every problem found, or the failure of `cargo metadata`/`cargo package`.
pub fn run(root: &Path, args: &Args) -> Result<Vec<String>, String> {
    if !args.dry_run {
        return Err("only `--dry-run` is supported: publishing is done by a maintainer with `cargo publish`".into());
    }
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let meta: Value = serde_json::from_slice(&out.stdout).map_err(|e| format!("bad cargo metadata output: {e}"))?;
    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap_or_default();
    let packages = check_packages(&meta, &changelog);
    let order = dependency_order(&packages)?;
    let mut report = Vec::new();
    let mut problems = Vec::new();
    for name in &order {
        let Some(p) = packages.iter().find(|p| &p.name == name) else { continue };
        if p.problems.is_empty() {
            report.push(format!("ok    {} {}", p.name, p.version));
        } else {
            for problem in &p.problems {
                problems.push(format!("{} {}: {problem}", p.name, p.version));
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    let mut cmd = Command::new(env!("CARGO"));
    cmd.arg("package").current_dir(root);
    if !args.verify {
        cmd.arg("--no-verify");
    }
    if args.allow_dirty {
        cmd.arg("--allow-dirty");
    }
    for name in &order {
        cmd.args(["-p", name]);
    }
    let status = cmd.status().map_err(|e| format!("cannot run cargo package: {e}"))?;
    if !status.success() {
        return Err(format!("cargo package failed ({status})"));
    }
    report.push(format!("packaged {} crates in dependency order: {}", order.len(), order.join(", ")));
    Ok(report)
}

/// Checks the metadata of every publishable package in `meta` (`cargo metadata` JSON).
pub fn check_packages(meta: &Value, changelog: &str) -> Vec<Package> {
    let members: BTreeSet<&str> = meta["packages"]
        .as_array()
        .map(|ps| ps.iter().filter_map(|p| p["name"].as_str()).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    for p in meta["packages"].as_array().into_iter().flatten() {
        if p["publish"].as_array().is_some_and(Vec::is_empty) {
            continue; // publish = false
        }
        let name = p["name"].as_str().unwrap_or_default().to_owned();
        let version = p["version"].as_str().unwrap_or_default().to_owned();
        let mut problems = Vec::new();
        for field in ["license", "description", "repository"] {
            if p[field].as_str().is_none_or(str::is_empty) {
                problems.push(format!("missing `{field}`"));
            }
        }
        let manifest_dir =
            p["manifest_path"].as_str().map(PathBuf::from).and_then(|m| m.parent().map(Path::to_path_buf));
        match (p["readme"].as_str(), &manifest_dir) {
            (None, _) => problems.push("missing `readme`".into()),
            (Some(readme), Some(dir)) if !dir.join(readme).is_file() && !Path::new(readme).is_file() => {
                problems.push(format!("readme `{readme}` does not exist"));
            }
            _ => {}
        }
        let has_docs = p["documentation"].as_str().is_some() || !p["metadata"]["docs"]["rs"].is_null();
        if !has_docs {
            problems.push("missing docs metadata (`documentation` or `[package.metadata.docs.rs]`)".into());
        }
        if !changelog_has(changelog, &version) {
            problems.push(format!("CHANGELOG.md has no entry for {version}"));
        }
        let deps = p["dependencies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["kind"].is_null() || d["kind"] == "build")
            .filter_map(|d| d["name"].as_str())
            .filter(|d| members.contains(d) && *d != name)
            .map(str::to_owned)
            .collect();
        out.push(Package { name, version, problems, deps });
    }
    out
}

/// Whether the changelog has a heading for `version` (`## 0.1.0`, `## [0.1.0]`, `## v0.1.0 - date`).
pub fn changelog_has(changelog: &str, version: &str) -> bool {
    changelog.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("## ")
            && l[3..]
                .trim_start()
                .trim_start_matches('[')
                .trim_start_matches('v')
                .split(|c: char| c == ']' || c.is_whitespace())
                .next()
                == Some(version)
    })
}

/// Topological order of the publishable packages (dependencies first, names sorted within a level).
///
/// # Errors
/// A message naming the packages in a dependency cycle.
pub fn dependency_order(packages: &[Package]) -> Result<Vec<String>, String> {
    let names: BTreeSet<&str> = packages.iter().map(|p| p.name.as_str()).collect();
    let mut pending: BTreeMap<&str, BTreeSet<&str>> = packages
        .iter()
        .map(|p| (p.name.as_str(), p.deps.iter().map(String::as_str).filter(|d| names.contains(d)).collect()))
        .collect();
    let mut order = Vec::new();
    while !pending.is_empty() {
        let ready: Vec<&str> = pending.iter().filter(|(_, d)| d.is_empty()).map(|(n, _)| *n).collect();
        if ready.is_empty() {
            return Err(format!("dependency cycle among {}", pending.keys().copied().collect::<Vec<_>>().join(", ")));
        }
        for n in &ready {
            pending.remove(n);
            order.push((*n).to_owned());
        }
        for deps in pending.values_mut() {
            for n in &ready {
                deps.remove(n);
            }
        }
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changelog_headings() {
        let log = "# Changelog\n\n## [0.1.0] - 2026-11-23\n- first\n## v0.0.9\n";
        assert!(changelog_has(log, "0.1.0"));
        assert!(changelog_has(log, "0.0.9"));
        assert!(!changelog_has(log, "0.1"));
        assert!(!changelog_has("- 0.1.0", "0.1.0"));
    }

    #[test]
    fn order_puts_dependencies_first_and_finds_cycles() {
        let p = |n: &str, d: &[&str]| Package {
            name: n.into(),
            version: "0.1.0".into(),
            problems: vec![],
            deps: d.iter().map(|s| (*s).to_owned()).collect(),
        };
        let order =
            dependency_order(&[p("watchpost", &["ezviz", "core"]), p("ezviz", &["core"]), p("core", &[])]).unwrap();
        assert_eq!(order, ["core", "ezviz", "watchpost"]);
        assert!(dependency_order(&[p("a", &["b"]), p("b", &["a"])]).unwrap_err().contains("cycle"));
    }

    #[test]
    fn missing_metadata_is_reported_and_unpublishable_crates_skipped() {
        let meta = json!({"packages": [
            {"name": "good", "version": "0.1.0", "license": "MIT", "description": "d", "repository": "r",
             "readme": "Cargo.toml", "manifest_path": concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
             "metadata": {"docs": {"rs": {"all-features": true}}}, "dependencies": [], "publish": null},
            {"name": "bad", "version": "0.2.0", "manifest_path": "/nowhere/Cargo.toml", "dependencies": [],
             "publish": null, "metadata": null},
            {"name": "xtask", "version": "0.1.0", "publish": [], "dependencies": []}
        ]});
        let ps = check_packages(&meta, "## 0.1.0\n");
        assert_eq!(ps.len(), 2);
        assert!(ps[0].problems.is_empty(), "{:?}", ps[0].problems);
        let bad = &ps[1].problems;
        for needle in ["license", "description", "repository", "readme", "docs metadata", "CHANGELOG"] {
            assert!(bad.iter().any(|p| p.contains(needle)), "{needle}: {bad:?}");
        }
    }
}
