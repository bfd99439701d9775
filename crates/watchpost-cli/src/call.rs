//! `watchpost <vendor> <operation> --param KEY=VALUE ...` and `watchpost <vendor> --list`.

use serde_json::Value;
use watchpost::core::operation::Operation;

use crate::cli::CallArgs;
use crate::error::{CliError, CliResult};
use crate::output;
use crate::params;
use crate::vendors::{Connection, RunningSim, Vendor};

/// Prints the vendor's operations (id, method, path, summary), or one operation's parameters.
///
/// # Errors
/// A usage error for an unknown operation.
pub fn list(vendor: &dyn Vendor, operation: Option<&str>, json: bool) -> CliResult<()> {
    match operation {
        None => {
            let ops = vendor.operations();
            if json {
                let items: Vec<Value> = ops.iter().map(|op| op_json(vendor, op)).collect();
                output::print_json(&Value::Array(items));
                return Ok(());
            }
            let idw = ops.iter().map(|op| op.id.len()).max().unwrap_or(0);
            let mw = ops.iter().map(|op| op.method.as_str().len()).max().unwrap_or(0);
            let pw = ops.iter().map(|op| short_path(op.path).len()).max().unwrap_or(0).min(64);
            for op in ops {
                let mark = if vendor.not_callable(op.id).is_some() { " (*)" } else { "" };
                say!(
                    "{:<idw$}  {:<mw$}  {:<pw$}  {}{mark}",
                    op.id,
                    op.method.as_str(),
                    short_path(op.path),
                    one_line(op.summary)
                );
            }
            say!();
            say!("{} operations. Parameters: `watchpost {} <OPERATION> --list`.", ops.len(), vendor.id());
            if ops.iter().any(|op| vendor.not_callable(op.id).is_some()) {
                say!("(*) not called with --param: see `watchpost {} <OPERATION> --list`.", vendor.id());
            }
            if let Some(note) = vendor.list_note() {
                say!("{note}");
            }
            Ok(())
        }
        Some(id) => {
            let op = find(vendor, id)?;
            if json {
                output::print_json(&op_json(vendor, op));
                return Ok(());
            }
            say!("{}  {} {}", op.id, op.method.as_str(), op.path);
            say!("{}", one_line(op.summary));
            if !op.section.is_empty() {
                say!("Documented in section {}.", op.section);
            }
            if let Some(why) = vendor.not_callable(op.id) {
                say!("Not called with --param: {why}.");
            }
            if op.params.is_empty() {
                say!();
                say!("No parameters.");
                return Ok(());
            }
            say!();
            let ww = op.params.iter().map(|p| p.wire.len()).max().unwrap_or(0);
            let tw = op.params.iter().map(|p| p.ty.len()).max().unwrap_or(0);
            for p in op.params {
                let req = if p.required { "required" } else { "optional" };
                say!("  {:<ww$}  {:<tw$}  {req}  {}", p.wire, p.ty, one_line(p.doc));
            }
            Ok(())
        }
    }
}

fn op_json(vendor: &dyn Vendor, op: &Operation) -> Value {
    let params: Vec<Value> = op
        .params
        .iter()
        .map(|p| {
            serde_json::json!({"wire": p.wire, "name": p.name, "type": p.ty, "required": p.required,
                               "location": format!("{:?}", p.location).to_lowercase(), "doc": p.doc})
        })
        .collect();
    serde_json::json!({
        "id": op.id, "method": op.method.as_str(), "path": op.path, "summary": op.summary,
        "section": op.section, "idempotent": op.idempotent,
        "callable": vendor.not_callable(op.id).is_none(), "params": params,
    })
}

/// The path without `?format=json` and other fixed query text, for the list.
fn short_path(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

/// The first line (or sentence) of a summary.
fn one_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    let mut out: String = line.chars().take(100).collect();
    if line.chars().count() > 100 {
        out.push('…');
    }
    out
}

/// The operation `id` of `vendor`.
///
/// # Errors
/// A usage error naming similar operations.
pub fn find(vendor: &dyn Vendor, id: &str) -> CliResult<&'static Operation> {
    vendor.operation(id).ok_or_else(|| {
        let needle = id.to_ascii_lowercase();
        let similar: Vec<&str> = vendor
            .operations()
            .iter()
            .map(|op| op.id)
            .filter(|op| op.contains(&needle) || needle.split('.').any(|part| !part.is_empty() && op.contains(part)))
            .take(6)
            .collect();
        let hint = if similar.is_empty() {
            format!("`watchpost {} --list` lists the operations", vendor.id())
        } else {
            format!("did you mean {}? `watchpost {} --list` lists them all", similar.join(", "), vendor.id())
        };
        CliError::usage(format!("{} has no operation `{id}`", vendor.title())).hint(hint)
    })
}

/// Where the call goes: `conn`, or a simulator started for it (`--sim`).
pub struct Target {
    /// The connection settings (the simulator's with `--sim`).
    pub conn: Box<dyn Connection>,
    /// The simulator, when `--sim` started one (shut down by [`Target::close`]).
    pub sim: Option<Box<dyn RunningSim>>,
}

impl Target {
    /// Starts the vendor's simulator first when `sim` is set; otherwise keeps `conn`.
    ///
    /// # Errors
    /// A failure when the simulator cannot start.
    pub async fn open(vendor: &'static dyn Vendor, conn: Box<dyn Connection>, sim: bool) -> CliResult<Target> {
        if sim {
            let s = vendor.start_sim(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), None).await?;
            tell!("{} simulator started at {} for this call", vendor.title(), s.base_url());
            Ok(Target { conn: s.connection(), sim: Some(s) })
        } else {
            Ok(Target { conn, sim: None })
        }
    }

    /// Stops the simulator, if any.
    pub async fn close(self) {
        if let Some(s) = self.sim {
            s.shutdown().await;
        }
    }
}

/// Runs one operation and prints its result.
///
/// # Errors
/// A usage error (exit 2) for a bad operation or parameter; a failure (exit 1) for an error of
/// the service or the transport.
pub async fn run(vendor: &'static dyn Vendor, args: &CallArgs, conn: Box<dyn Connection>) -> CliResult<()> {
    let Some(id) = args.operation.as_deref() else {
        return Err(CliError::usage(format!("{}: no OPERATION given", vendor.title()))
            .hint(format!("`watchpost {} --list` lists the operations", vendor.id())));
    };
    let op = find(vendor, id)?;
    if let Some(why) = vendor.not_callable(op.id) {
        return Err(CliError::usage(format!("{}: {} is not called with --param", vendor.title(), op.id)).hint(why));
    }
    // Check the parameters before starting anything (the simulator supplies its own defaults).
    let defaults = if args.sim { vendor.sim_defaults() } else { conn.defaults() };
    params::build(op, &args.params, &defaults).map_err(|e| vendor.param_hint(e))?;
    let target = Target::open(vendor, conn, args.sim).await?;
    let result = call(op, args, target.conn.as_ref()).await;
    target.close().await;
    let mut value = result?;
    if !args.show_secrets {
        output::mask_secrets(&mut value);
    }
    if args.json {
        output::print_json(&value);
    } else {
        output::out_lines(&output::table(&value));
    }
    Ok(())
}

async fn call(op: &'static Operation, args: &CallArgs, conn: &dyn Connection) -> CliResult<Value> {
    let params = params::build(op, &args.params, &conn.defaults())?;
    conn.call(op, params).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "ezviz")]
    fn unknown_operations_suggest_similar_ones() {
        let vendor = crate::vendors::find("ezviz").expect("the ezviz feature is on");
        let e = find(vendor, "defence").unwrap_err();
        assert_eq!(e.exit, crate::error::EXIT_USAGE);
        assert!(e.hint.as_deref().unwrap_or_default().contains("device.defence.set"), "{e}");
    }
}
