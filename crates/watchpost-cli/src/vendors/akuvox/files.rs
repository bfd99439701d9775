//! `watchpost akuvox <target>.export --output FILE`, `<target>.import --file FILE` and
//! `firmware.upload --file IMAGE [--upgrade]`: file transfers with a progress bar on stderr
//! (a terminal only) and a one-line summary on stderr; stdout stays empty.

use std::path::Path;

use serde_json::Value;
use watchpost::akuvox::{self, Import, UpgradeStep, Upload};

use super::{Akuvox, AkuvoxArgs, AkuvoxConn};
use crate::call::find;
use crate::error::{CliError, CliResult};
use crate::interrupt::Interrupt;
use crate::params;
use crate::progress::Transfer;
use crate::vendors::Vendor as _;

/// Whether `id` is a function this module runs (a file export, an import, `firmware.upload`).
pub(super) fn is_file_function(id: &str) -> bool {
    (id.ends_with(".export") && id != "user.export") || Import::of_function(id).is_some() || id == "firmware.upload"
}

/// Runs the file function `args` names, on the device of `conn` or a simulator (`--sim`).
///
/// # Errors
/// A usage error for a missing `--output`/`--file`; the vendor's error otherwise.
pub(super) async fn run(args: &AkuvoxArgs, conn: AkuvoxConn, mut interrupt: Interrupt) -> CliResult<()> {
    let id = args.call.operation.as_deref().unwrap_or_default();
    let op = find(&Akuvox, id)?;
    // The file part is `--file`'s, not a parameter.
    let file_default = [("file", String::new())];
    let defaults: &[(&str, String)] = if op.params.iter().any(|p| p.wire == "file") { &file_default } else { &[] };
    let params = params::build(op, &args.call.params, defaults)?;
    let sim = if args.call.sim {
        let s = akuvox::sim::Simulator::builder()
            .auth(akuvox::sim::SimAuth::digest())
            .start()
            .await
            .map_err(|e| crate::demo::start_failed(&Akuvox, &e))?;
        tell!("{} simulator started at {} for this call", Akuvox.title(), s.base_url());
        Some(s)
    } else {
        None
    };
    let conn = match &sim {
        Some(s) => AkuvoxConn { capabilities: conn.capabilities.clone(), ..super::sim_conn(s) },
        None => conn,
    };
    let result = tokio::select! {
        r = transfer(args, &conn, id, params) => r,
        () = interrupt.requested() => {
            // An export cut short leaves no partial file behind.
            if let (true, Some(path)) = (Import::of_function(id).is_none() && id != "firmware.upload", &args.output) {
                let _ = tokio::fs::remove_file(path).await;
            }
            Err(CliError::interrupted())
        }
    };
    if let Some(s) = sim {
        s.shutdown().await;
    }
    result
}

/// The transfer itself.
async fn transfer(args: &AkuvoxArgs, conn: &AkuvoxConn, id: &str, params: Value) -> CliResult<()> {
    let client = conn.guarded_client().await?;
    if let Some(kind) = Import::of_function(id) {
        let path = needs(args.file.as_deref(), "--file FILE: the file to import")?;
        let upload = open(path).await?;
        let bar = Transfer::start(format!("{id} of {}", path.display()), Some(upload.len()));
        let shown = bar.clone();
        let result = client.import(kind, &upload, move |sent, _| shown.set(sent)).await;
        return finish(&bar, result, upload.len(), "");
    }
    if id == "firmware.upload" {
        let path = needs(args.file.as_deref(), "--file IMAGE: the firmware image")?;
        let silent = params.get("silent").is_some_and(|v| {
            v.as_bool().unwrap_or(false)
                || v.as_i64() == Some(1)
                || v.as_str().is_some_and(|s| matches!(s, "1" | "true"))
        });
        let upload = open(path).await?;
        let bar = Transfer::start(format!("{id} of {}", path.display()), Some(upload.len()));
        if args.upgrade {
            let result = client
                .upgrade_firmware_from(&upload, silent, |step| {
                    if let UpgradeStep::Uploading { sent, .. } = step {
                        bar.set(sent);
                    }
                })
                .await;
            return finish(&bar, result, upload.len(), ", MD5 accepted, upgrading (poll firmware.status)");
        }
        let shown = bar.clone();
        let result = client.firmware_upload_from(&upload, silent, move |sent, _| shown.set(sent)).await;
        return finish(&bar, result, upload.len(), "");
    }
    let path = needs(args.output.as_deref(), "--output FILE: where to write the export")?;
    let file = tokio::fs::File::create(path)
        .await
        .map_err(|e| CliError::usage(format!("cannot create {}: {e}", path.display())))?;
    let mut writer = tokio::io::BufWriter::new(file);
    let bar = Transfer::start(format!("{id} to {}", path.display()), None);
    match client.export_to(id, params, &mut writer, |n| bar.set(n)).await {
        Ok(streamed) => {
            let name = streamed.filename.map(|f| format!(" (the device named it {f})")).unwrap_or_default();
            bar.finish(streamed.bytes, &name);
            Ok(())
        }
        Err(e) => {
            bar.abandon();
            drop(writer);
            let _ = tokio::fs::remove_file(path).await;
            Err(CliError::vendor(&Akuvox, &e))
        }
    }
}

/// The file a flag names, or a usage error saying which flag is missing.
fn needs<'a>(path: Option<&'a Path>, what: &str) -> CliResult<&'a Path> {
    path.ok_or_else(|| CliError::usage(format!("this function transfers a file: give {what}")))
}

/// The upload of the file at `path`.
async fn open(path: &Path) -> CliResult<Upload> {
    Upload::file(path).await.map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))
}

/// The summary line, or the error.
fn finish(bar: &Transfer, result: watchpost::Result<()>, bytes: u64, detail: &str) -> CliResult<()> {
    match result {
        Ok(()) => {
            bar.finish(bytes, detail);
            Ok(())
        }
        Err(e) => {
            bar.abandon();
            Err(CliError::vendor(&Akuvox, &e))
        }
    }
}
