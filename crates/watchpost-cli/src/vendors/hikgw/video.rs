//! `watchpost hikgw video.download --param videoURL=... [-o FILE]`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;
use watchpost::hikgw::sim::Simulator;
use watchpost::hikgw::CidCode;

use super::{HikGw, HikgwConn};
use crate::call::find;
use crate::cli::CallArgs;
use crate::error::{CliError, CliResult};
use crate::interrupt::Interrupt;
use crate::params;
use crate::vendors::Vendor as _;

/// `watchpost hikgw video.download --param videoURL=... [-o FILE]`: streams the video of a
/// `videoReview` alarm to a file with a progress bar.
///
/// # Errors
/// A usage error for a missing URL or an unwritable file; the vendor's error otherwise.
pub(super) async fn download(
    args: &CallArgs,
    conn: HikgwConn,
    out: Option<&Path>,
    mut interrupt: Interrupt,
) -> CliResult<()> {
    let op = find(&HikGw, "video.download")?;
    // With --sim and no URL, the simulator raises a video verification alarm to download.
    let raise = args.sim
        && !args.params.iter().any(|p| p.split('=').next().is_some_and(|k| params::find_param(op, k.trim()).is_some()));
    let mut url = if raise {
        String::new()
    } else {
        let params = params::build(op, &args.params, &[])?;
        params.get("videoURL").and_then(Value::as_str).unwrap_or_default().to_owned()
    };
    let sim = if args.sim {
        let s = Simulator::start().await.map_err(|e| crate::demo::start_failed(&HikGw, &e))?;
        tell!("{} simulator started at {} for this call", HikGw.title(), s.base_url());
        Some(s)
    } else {
        None
    };
    let conn = sim.as_ref().map_or(conn, HikgwConn::of_sim);
    if let (true, Some(s)) = (raise, &sim) {
        let panel = s.device_ids().into_iter().next().unwrap_or_default();
        let (_, raised_url) = s.raise_video_review(&panel, CidCode::BurglaryAlarm, 1);
        tell!("the simulator raised a video verification alarm; its videoURL is {raised_url}");
        url = raised_url;
    }
    let result = write(&conn, &url, out, &mut interrupt).await;
    if let Some(s) = sim {
        s.shutdown().await;
    }
    result
}

/// Downloads `url` to `out` (or the file named in the URL); the partial file is removed on an
/// error or Ctrl-C.
async fn write(conn: &HikgwConn, url: &str, out: Option<&Path>, interrupt: &mut Interrupt) -> CliResult<()> {
    let path: PathBuf = match out {
        Some(p) => p.to_path_buf(),
        None => PathBuf::from(file_name_of(url)),
    };
    let client = conn.client()?;
    let file = tokio::fs::File::create(&path)
        .await
        .map_err(|e| CliError::usage(format!("cannot create {}: {e}", path.display())))?;
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {bytes} ({bytes_per_sec}, {elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(format!("downloading to {}", path.display()));
    bar.enable_steady_tick(Duration::from_millis(120));
    let mut writer = Progress { inner: tokio::io::BufWriter::new(file), bar: bar.clone() };
    let result = tokio::select! {
        r = client.download_video(url, &mut writer) => Some(r),
        () = interrupt.requested() => None,
    };
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
            Err(CliError::vendor(&HikGw, &e))
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
}
