//! `watchpost <vendor> <operation> --param KEY=VALUE ...` and `watchpost <vendor> --list`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;
use watchpost::core::operation::Operation;

use crate::cli::CallArgs;
use crate::error::{CliError, CliResult};
use crate::interrupt::Interrupt;
use crate::output;
use crate::params;
use crate::vendor::{Client, Conn, Sim, Vendor};

/// Prints the vendor's operations (id, method, path, summary), or one operation's parameters.
///
/// # Errors
/// A usage error for an unknown operation.
pub fn list(vendor: Vendor, operation: Option<&str>, json: bool) -> CliResult<()> {
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
            if vendor == Vendor::Hikgw {
                say!("Also: `watchpost hikgw events --follow` prints the alarm stream; `video.download` writes a file (-o FILE).");
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

fn op_json(vendor: Vendor, op: &Operation) -> Value {
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
pub fn find(vendor: Vendor, id: &str) -> CliResult<&'static Operation> {
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
    pub conn: Conn,
    /// The simulator, when `--sim` started one (shut down by [`Target::close`]).
    pub sim: Option<Sim>,
}

impl Target {
    /// Starts the vendor's simulator first when `sim` is set; otherwise keeps `conn`.
    ///
    /// # Errors
    /// A failure when the simulator cannot start.
    pub async fn open(vendor: Vendor, conn: Conn, sim: bool) -> CliResult<Target> {
        if sim {
            let s = Sim::start(vendor).await?;
            tell!("{} simulator started at {} for this call", vendor.title(), s.base_url());
            Ok(Target { conn: s.conn(), sim: Some(s) })
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
pub async fn run(vendor: Vendor, args: &CallArgs, conn: Conn) -> CliResult<()> {
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
    params::build(op, &args.params, &defaults).map_err(|e| match vendor {
        Vendor::Gizwits if e.message.contains("`product_key`") => e.hint(
            "pass --product-key (WATCHPOST_GIZWITS_PRODUCT_KEY) with its --product-secret, or --param product_key=KEY",
        ),
        _ => e,
    })?;
    let target = Target::open(vendor, conn, args.sim).await?;
    let result = call(vendor, op, args, &target.conn).await;
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

async fn call(vendor: Vendor, op: &'static Operation, args: &CallArgs, conn: &Conn) -> CliResult<Value> {
    let mut params = params::build(op, &args.params, &conn.defaults())?;
    if vendor == Vendor::Hikgw {
        params::wrap_body_roots(op, &mut params);
    }
    // The EZVIZ token is fetched with the app key and secret given as its parameters.
    let client = if op.id == "token.get" { conn.with_app_credentials(&params).client()? } else { conn.client()? };
    client.call(op, params).await.map_err(|e| conn.error(&e))
}

/// `watchpost hikgw video.download --param videoURL=... [-o FILE]`: streams the video of a
/// `videoReview` alarm to a file with a progress bar.
///
/// # Errors
/// A usage error for a missing URL or an unwritable file; the vendor's error otherwise.
pub async fn download_video(
    args: &CallArgs,
    conn: Conn,
    out: Option<&Path>,
    mut interrupt: Interrupt,
) -> CliResult<()> {
    let vendor = Vendor::Hikgw;
    let op = find(vendor, "video.download")?;
    // With --sim and no URL, the simulator raises a video verification alarm to download.
    let raise = args.sim
        && !args.params.iter().any(|p| p.split('=').next().is_some_and(|k| params::find_param(op, k.trim()).is_some()));
    let mut url = if raise {
        String::new()
    } else {
        let params = params::build(op, &args.params, &[])?;
        params.get("videoURL").and_then(Value::as_str).unwrap_or_default().to_owned()
    };
    let target = Target::open(vendor, conn, args.sim).await?;
    if let (true, Some(Sim::Hikgw(s))) = (raise, &target.sim) {
        let panel = s.device_ids().into_iter().next().unwrap_or_default();
        let (_, raised_url) = s.raise_video_review(&panel, watchpost::hikgw::CidCode::BurglaryAlarm, 1);
        tell!("the simulator raised a video verification alarm; its videoURL is {raised_url}");
        url = raised_url;
    }
    let path: PathBuf = match out {
        Some(p) => p.to_path_buf(),
        None => PathBuf::from(file_name_of(&url)),
    };
    let client = match target.conn.client() {
        Ok(Client::Hikgw(c)) => c,
        Ok(_) => {
            target.close().await;
            return Err(CliError::failure("internal error: not a gateway client"));
        }
        Err(e) => {
            target.close().await;
            return Err(e);
        }
    };
    let target_conn = target.conn.clone();
    let file = match tokio::fs::File::create(&path).await {
        Ok(f) => f,
        Err(e) => {
            target.close().await;
            return Err(CliError::usage(format!("cannot create {}: {e}", path.display())));
        }
    };
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {bytes} ({bytes_per_sec}, {elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(format!("downloading to {}", path.display()));
    bar.enable_steady_tick(Duration::from_millis(120));
    let mut writer = Progress { inner: tokio::io::BufWriter::new(file), bar: bar.clone() };
    let result = tokio::select! {
        r = client.download_video(&url, &mut writer) => Some(r),
        () = interrupt.requested() => None,
    };
    target.close().await;
    let Some(result) = result else {
        bar.abandon();
        let _ = tokio::fs::remove_file(&path).await;
        return Err(CliError::interrupted());
    };
    match result {
        Ok(n) => {
            bar.finish_and_clear();
            say!("{} bytes written to {}", n, path.display());
            Ok(())
        }
        Err(e) => {
            bar.abandon();
            let _ = tokio::fs::remove_file(&path).await;
            Err(target_conn.error(&e))
        }
    }
}

/// The file name at the end of a video URL (`...CH02_20191009175543.mp4`), or `video.mp4`.
fn file_name_of(url: &str) -> String {
    let last = url.rsplit(['/', '?', '=']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')).collect();
    if clean.is_empty() || clean.starts_with('.') {
        "video.mp4".to_owned()
    } else {
        clean
    }
}

/// An `AsyncWrite` that advances a progress bar by the bytes written.
struct Progress<W> {
    inner: W,
    bar: ProgressBar,
}

impl<W: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for Progress<W> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let this = &mut *self;
        let polled = std::pin::Pin::new(&mut this.inner).poll_write(cx, buf);
        if let std::task::Poll::Ready(Ok(n)) = &polled {
            this.bar.inc(*n as u64);
        }
        polled
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn video_file_names_come_from_the_url() {
        assert_eq!(
            file_name_of("/HikGatewayStorage/pic?F14EEF8DQ00162958_CH02_20191009175543.mp4"),
            "F14EEF8DQ00162958_CH02_20191009175543.mp4"
        );
        assert_eq!(file_name_of(""), "video.mp4");
        assert_eq!(file_name_of("/x/../"), "video.mp4");
    }

    #[test]
    fn unknown_operations_suggest_similar_ones() {
        let e = find(Vendor::Ezviz, "defence").unwrap_err();
        assert_eq!(e.exit, crate::error::EXIT_USAGE);
        assert!(e.hint.as_deref().unwrap_or_default().contains("device.defence.set"), "{e}");
    }
}
