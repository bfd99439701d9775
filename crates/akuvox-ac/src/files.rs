//! Files both ways: the exports (a file, or a JSON negative reply where a file was expected),
//! the multipart imports, and the firmware flow (prepare, upload, upgrade with MD5).
//!
//! Downloads are read into memory within the client's body limit
//! ([`ClientBuilder::max_body_size`](crate::ClientBuilder::max_body_size)) by [`Client::download`]
//! and the per-function methods, or streamed chunk by chunk to any writer, with progress, by
//! [`Client::download_to`]. Uploads are built in memory (the core's request bodies are
//! in-memory); their progress is per step ([`UpgradeStep`]). A file over the client's upload
//! limit ([`ClientBuilder::max_upload_size`](crate::ClientBuilder::max_upload_size); the seed
//! documents none) is refused before anything is sent. A "Wrong MD5" refusal carries both
//! hashes ([`AkuvoxErrorExt::wrong_md5`](crate::AkuvoxErrorExt::wrong_md5)).

use bytes::{Bytes, BytesMut};
use md5::{Digest as _, Md5};
use watchpost_core::error::DecodeError;
use watchpost_core::operation::{RawResponse, ToRequest};
use watchpost_core::{Error, Result};

use crate::generated as api;
use crate::reply::Reply;
use crate::Client;

/// The boundary of the multipart uploads (the spec's `content_type` of every import).
pub const BOUNDARY: &str = "watchpost-akuvox-part";

/// A downloaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// The file name of `Content-Disposition` (`PrivateKey.xml`), when sent.
    pub filename: Option<String>,
    /// The `Content-Type` the device sent.
    pub content_type: Option<String>,
    /// The file.
    pub bytes: Bytes,
}

/// The file of a download response: a JSON reply where a file was expected is its error when
/// negative ("Export Failed.", L2455-2460) and a decode error when positive; an empty body is
/// a decode error (never an empty file reported as success).
///
/// # Errors
/// As above.
pub fn file_of(raw: RawResponse) -> Result<Download> {
    let is_json = raw.content_type().is_some_and(|c| c.to_ascii_lowercase().contains("json"));
    if let Some(reply) = Reply::parse(&raw.body) {
        if !reply.is_success() {
            return Err(reply.error(raw.op, raw.status.as_u16()));
        }
        if is_json {
            return Err(
                raw.decode_error(DecodeError::Envelope { message: "a JSON reply where a file was expected".into() })
            );
        }
    }
    if raw.body.is_empty() {
        return Err(raw.decode_error(DecodeError::Empty));
    }
    let filename =
        raw.headers.get(http::header::CONTENT_DISPOSITION).and_then(|v| v.to_str().ok()).and_then(disposition_filename);
    Ok(Download { filename, content_type: raw.content_type().map(str::to_owned), bytes: raw.body })
}

/// A failed write of a streamed download.
fn write_error(op: &str, e: std::io::Error) -> Error {
    Error::Transport { op: op.to_owned(), source: watchpost_core::error::TransportError::body(e) }
}

/// The `filename` of a `Content-Disposition` value (`attachment;filename=PrivateKey.xml`).
fn disposition_filename(value: &str) -> Option<String> {
    value.split(';').find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        k.trim().eq_ignore_ascii_case("filename").then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// A `multipart/form-data` body with one file part `field` named `filename`, delimited by
/// [`BOUNDARY`].
///
/// # Errors
/// [`Error::InvalidInput`] when the file contains the boundary line or a name a quote or newline.
pub fn multipart(op: &str, field: &str, filename: &str, file: &[u8]) -> Result<Bytes> {
    let delimiter = format!("--{BOUNDARY}");
    if file.windows(delimiter.len()).any(|w| w == delimiter.as_bytes()) {
        return Err(Error::invalid_input(op, "the file contains the multipart boundary"));
    }
    if [field, filename].iter().any(|s| s.contains(['"', '\r', '\n'])) {
        return Err(Error::invalid_input(op, "a field or file name with a quote or line break"));
    }
    let mut body = BytesMut::with_capacity(file.len() + 256);
    body.extend_from_slice(
        format!(
            "{delimiter}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n{delimiter}--\r\n").as_bytes());
    Ok(body.freeze())
}

/// The hex MD5 of a firmware image, as `firmware.upgrade` takes it.
pub fn md5_hex(image: &[u8]) -> String {
    hex::encode(Md5::digest(image))
}

/// The most of a JSON reply read where a file was expected (a negative reply is small).
const MAX_REPLY: usize = 64 * 1024;

/// What [`Client::download_to`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Streamed {
    /// The file name of `Content-Disposition`, when sent.
    pub filename: Option<String>,
    /// The `Content-Type` the device sent.
    pub content_type: Option<String>,
    /// Bytes written.
    pub bytes: u64,
}

impl Client {
    /// Sends an export request and streams the file to `out`, calling `progress` with the bytes
    /// written so far after each chunk. A JSON reply instead of a file is read (up to 64 KiB) and
    /// is its error when negative, a decode error otherwise; an empty file is a decode error.
    /// The stream does not take the per-device lock (core streams never wait).
    ///
    /// # Errors
    /// The call's error, a transport error mid-body, a write error of `out`
    /// ([`Error::Transport`]), or as above.
    pub async fn download_to<R, W>(&self, req: &R, out: &mut W, mut progress: impl FnMut(u64)) -> Result<Streamed>
    where
        R: ToRequest + ?Sized,
        W: tokio::io::AsyncWrite + Unpin,
    {
        use futures_util::StreamExt as _;
        use tokio::io::AsyncWriteExt as _;

        let op = req.operation().id;
        let request = crate::forms::shape(req.to_request()?.options(self.call_options()), self.device_profile())?;
        let mut resp = self.pipeline().open_stream(request).await?;
        let content_type = resp.content_type().map(str::to_owned);
        let filename = resp
            .headers
            .get(http::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .and_then(disposition_filename);
        if content_type.as_deref().is_some_and(|c| c.to_ascii_lowercase().contains("json")) {
            let mut body = BytesMut::new();
            while let Some(chunk) = resp.body.next().await {
                body.extend_from_slice(&chunk?);
                if body.len() > MAX_REPLY {
                    break;
                }
            }
            let raw =
                RawResponse { op: req.operation().id, status: resp.status, headers: resp.headers, body: body.freeze() };
            return file_of(raw).map(|d| Streamed { filename: d.filename, content_type: d.content_type, bytes: 0 });
        }
        let mut written = 0u64;
        while let Some(chunk) = resp.body.next().await {
            let chunk = chunk?;
            out.write_all(&chunk).await.map_err(|e| write_error(op, e))?;
            written += chunk.len() as u64;
            progress(written);
        }
        out.flush().await.map_err(|e| write_error(op, e))?;
        if written == 0 {
            let raw =
                RawResponse { op: req.operation().id, status: resp.status, headers: resp.headers, body: Bytes::new() };
            return Err(raw.decode_error(DecodeError::Empty));
        }
        Ok(Streamed { filename, content_type, bytes: written })
    }

    /// Sends an export request and returns the file.
    ///
    /// # Errors
    /// The call's error, or as [`file_of`].
    pub async fn download<R: ToRequest + ?Sized>(&self, req: &R) -> Result<Download> {
        file_of(self.execute(req.to_request()?).await?)
    }

    /// `config.export`: the encrypted configuration (`Config.tgz`).
    ///
    /// # Errors
    /// As [`download`](Self::download).
    pub async fn config_export(&self) -> Result<Download> {
        self.download(&api::ConfigExportRequest::new()).await
    }

    /// `privatekey.export`: `PrivateKey.xml`.
    ///
    /// # Errors
    /// As [`download`](Self::download).
    pub async fn privatekey_export(&self) -> Result<Download> {
        self.download(&api::PrivatekeyExportRequest::new()).await
    }

    /// `rfkey.export`: `ICKey.xml`.
    ///
    /// # Errors
    /// As [`download`](Self::download).
    pub async fn rfkey_export(&self) -> Result<Download> {
        self.download(&api::RfkeyExportRequest::new()).await
    }

    /// `contact.export` (csv, xml or vcf). An empty list answers "Export Failed.": an error.
    ///
    /// # Errors
    /// As [`download`](Self::download).
    pub async fn contact_export(&self, req: &api::ContactExportRequest) -> Result<Download> {
        self.download(req).await
    }

    /// `dialreplace.export`: `DialReplace.xml`.
    ///
    /// # Errors
    /// As [`download`](Self::download).
    pub async fn dialreplace_export(&self) -> Result<Download> {
        self.download(&api::DialreplaceExportRequest::new()).await
    }

    /// `log.export`: `log.txt`, `kmsg.txt` or `log_debug.tar.gz`.
    ///
    /// # Errors
    /// As [`download`](Self::download).
    pub async fn log_export(&self, req: &api::LogExportRequest) -> Result<Download> {
        self.download(req).await
    }

    /// `calllog.export`: `History.csv`.
    ///
    /// # Errors
    /// As [`download`](Self::download).
    pub async fn calllog_export(&self) -> Result<Download> {
        self.download(&api::CalllogExportRequest::new()).await
    }

    /// `doorlog.export`: `DoorLog.xml`.
    ///
    /// # Errors
    /// As [`download`](Self::download).
    pub async fn doorlog_export(&self) -> Result<Download> {
        self.download(&api::DoorlogExportRequest::new()).await
    }

    /// `pcap.export`: `phone.pcap` (GET only).
    ///
    /// # Errors
    /// As [`download`](Self::download).
    pub async fn pcap_export(&self) -> Result<Download> {
        self.download(&api::PcapExportRequest::new()).await
    }

    /// The multipart body of an upload of `file`, once it is within
    /// [`max_upload_size`](Self::max_upload_size).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a larger file (nothing is sent), or as [`multipart`].
    fn upload_body(&self, op: &str, field: &str, filename: &str, file: &[u8]) -> Result<Bytes> {
        self.check_upload_size(op, file)?;
        multipart(op, field, filename, file)
    }

    /// Refuses a file larger than [`max_upload_size`](Self::max_upload_size).
    fn check_upload_size(&self, op: &str, file: &[u8]) -> Result<()> {
        let max = self.max_upload_size();
        if file.len() > max {
            return Err(Error::invalid_input(
                op,
                format!("the file is {} bytes, over the upload limit of {max} bytes", file.len()),
            ));
        }
        Ok(())
    }

    /// Sends an import request (its multipart body built by [`upload_body`](Self::upload_body)).
    async fn upload<R: ToRequest>(&self, req: R) -> Result<()> {
        let raw = self.execute(req.to_request()?).await?;
        crate::reply::data::<serde::de::IgnoredAny>(&raw).map(|_| ())
    }

    /// `config.import`: a configuration tgz (the device reboots).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a file over [`max_upload_size`](Self::max_upload_size)
    /// (nothing is sent); the call's error, or the device's negative reply.
    pub async fn config_import(&self, tgz: &[u8]) -> Result<()> {
        let body = self.upload_body(api::ops::CONFIG_IMPORT.id, "config", "config.tgz", tgz)?;
        self.upload(api::ConfigImportRequest::new(body)).await
    }

    /// `privatekey.import`: a `PrivateKey.xml`.
    ///
    /// # Errors
    /// As [`config_import`](Self::config_import).
    pub async fn privatekey_import(&self, xml: &[u8]) -> Result<()> {
        let body = self.upload_body(api::ops::PRIVATEKEY_IMPORT.id, "config", "PrivateKey.xml", xml)?;
        self.upload(api::PrivatekeyImportRequest::new(body)).await
    }

    /// `rfkey.import`: an `ICKey.xml`.
    ///
    /// # Errors
    /// As [`config_import`](Self::config_import).
    pub async fn rfkey_import(&self, xml: &[u8]) -> Result<()> {
        let body = self.upload_body(api::ops::RFKEY_IMPORT.id, "config", "ICKey.xml", xml)?;
        self.upload(api::RfkeyImportRequest::new(body)).await
    }

    /// `contact.import`: a `Contacts.csv`.
    ///
    /// # Errors
    /// As [`config_import`](Self::config_import).
    pub async fn contact_import(&self, csv: &[u8]) -> Result<()> {
        let body = self.upload_body(api::ops::CONTACT_IMPORT.id, "config", "Contacts.csv", csv)?;
        self.upload(api::ContactImportRequest::new(body)).await
    }

    /// `dialreplace.import`: a `DialReplace.xml`.
    ///
    /// # Errors
    /// As [`config_import`](Self::config_import).
    pub async fn dialreplace_import(&self, xml: &[u8]) -> Result<()> {
        let body = self.upload_body(api::ops::DIALREPLACE_IMPORT.id, "config", "DialReplace.xml", xml)?;
        self.upload(api::DialreplaceImportRequest::new(body)).await
    }

    /// `user.import`: a `UserData.tgz` (from another device's [`user_export_file`](Self::user_export_file)).
    ///
    /// # Errors
    /// As [`config_import`](Self::config_import).
    pub async fn user_import(&self, tgz: &[u8]) -> Result<()> {
        let body = self.upload_body(api::ops::USER_IMPORT.id, "file", "UserData.tgz", tgz)?;
        self.upload(api::UserImportRequest::new(body)).await
    }

    /// `user.export`, then a GET of the address it names: the user data file.
    ///
    /// # Errors
    /// The calls' errors; [`Error::Decode`] when the reply names no absolute path.
    pub async fn user_export_file(&self) -> Result<Download> {
        let export = self.user_export(&api::UserExportRequest::new()).await?;
        let op = &api::ops::USER_EXPORT;
        let path = export.path().ok_or_else(|| Error::Decode {
            op: op.id.to_owned(),
            status: None,
            excerpt: String::new(),
            source: DecodeError::Envelope { message: "user.export named no download path".into() },
        })?;
        static FETCH: watchpost_core::Operation =
            watchpost_core::Operation::adhoc("akuvox", "user.export.fetch", http::Method::GET, "/").idempotent(true);
        let req = watchpost_core::Request::new(&FETCH).verbatim_target(path)?;
        let raw = self.pipeline().execute(req).await?;
        file_of(raw)
    }

    /// `firmware.upload`: uploads an image (after [`firmware_prepare`](Self::firmware_prepare)).
    ///
    /// # Errors
    /// As [`config_import`](Self::config_import).
    pub async fn firmware_upload(&self, image: &[u8], silent: bool) -> Result<()> {
        let body = self.upload_body(api::ops::FIRMWARE_UPLOAD.id, "file", "firmware.rom", image)?;
        self.upload(api::FirmwareUploadRequest::new(body).silent(silent)).await
    }

    /// The whole upgrade: prepare, upload, then upgrade with the image's MD5, so that a
    /// corrupted upload is refused by the device ("Wrong MD5",
    /// [`AkuvoxErrorExt::is_wrong_md5`](crate::AkuvoxErrorExt::is_wrong_md5)) instead of
    /// flashed. `progress` is told each step as it completes.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an image over [`max_upload_size`](Self::max_upload_size),
    /// before the device is put into upgrade mode (nothing is sent); otherwise the first
    /// failing step's error.
    pub async fn upgrade_firmware(
        &self,
        image: &[u8],
        silent: bool,
        mut progress: impl FnMut(UpgradeStep),
    ) -> Result<()> {
        self.check_upload_size(api::ops::FIRMWARE_UPLOAD.id, image)?;
        self.firmware_prepare(&api::FirmwarePrepareRequest::new()).await?;
        progress(UpgradeStep::Prepared);
        self.firmware_upload(image, silent).await?;
        progress(UpgradeStep::Uploaded { bytes: image.len() as u64 });
        self.firmware_upgrade(&api::FirmwareUpgradeRequest::new().md5(md5_hex(image))).await?;
        progress(UpgradeStep::Upgrading);
        Ok(())
    }
}

/// A completed step of [`Client::upgrade_firmware`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpgradeStep {
    /// The device is in upgrade mode.
    Prepared,
    /// The image was uploaded.
    Uploaded {
        /// Its size.
        bytes: u64,
    },
    /// The device accepted the image's MD5 and is upgrading (poll `firmware.status`).
    Upgrading,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_and_multipart() {
        assert_eq!(disposition_filename("attachment;filename=PrivateKey.xml").as_deref(), Some("PrivateKey.xml"));
        assert_eq!(disposition_filename("attachment; filename=\"a b.csv\"").as_deref(), Some("a b.csv"));
        assert_eq!(disposition_filename("inline"), None);
        let body = multipart("x", "config", "a.xml", b"<x/>").unwrap();
        assert!(body.starts_with(b"--watchpost-akuvox-part\r\n"));
        assert!(body.ends_with(b"<x/>\r\n--watchpost-akuvox-part--\r\n"));
        assert!(multipart("x", "config", "a", b"--watchpost-akuvox-part").is_err());
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
    }
}
