//! Files both ways: the exports (a file, or a JSON negative reply where a file was expected),
//! the multipart imports, and the firmware flow (prepare, upload, upgrade with MD5).
//!
//! Downloads are read into memory within the client's body limit
//! ([`ClientBuilder::max_body_size`](crate::ClientBuilder::max_body_size)) by [`Client::download`]
//! and the per-function methods, or streamed chunk by chunk to any writer, with progress, by
//! [`Client::download_to`], which holds the device's turn while it streams. Uploads (every
//! import and the firmware) are streamed from a re-openable source ([`Upload`]: a file path, a
//! factory of readers, or bytes in memory) with a `Content-Length`, and report progress per
//! chunk; before sending, the file is read once to check it does not contain the multipart
//! boundary (and, for an upgrade, to compute its MD5), and Digest `auth-int` reads it once more
//! for `H(body)` (see [`watchpost_core::transport::upload`]). A file over the client's upload
//! limit ([`ClientBuilder::max_upload_size`](crate::ClientBuilder::max_upload_size); the seed
//! documents none) is refused before anything is sent. A "Wrong MD5" refusal carries both
//! hashes ([`AkuvoxErrorExt::wrong_md5`](crate::AkuvoxErrorExt::wrong_md5)).

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use md5::{Digest as _, Md5};
use watchpost_core::error::DecodeError;
use watchpost_core::operation::{Body, RawResponse, ToRequest};
use watchpost_core::transport::upload::{BodySource, FileSource, StreamedBody};
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
    /// The download holds the device's turn (per-device serialisation) until the file is
    /// written: the device's other calls wait for it.
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
        self.check_capability(req.operation())?;
        let request = crate::forms::shape(req.to_request()?.options(self.call_options()), self.device_profile())?
            .device_key(Some(self.device_key().to_owned()));
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

    /// Streams the export `op_id` (`contact.export`, any export but `user.export`, whose file
    /// is fetched by [`user_export_file`](Self::user_export_file)) with its parameters as JSON
    /// (`{"type": "xml"}`) to `out`, as [`download_to`](Self::download_to) does: for a command
    /// line or a script naming the function.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a function that is not such an export or bad parameters;
    /// otherwise as [`download_to`](Self::download_to).
    pub async fn export_to<W>(
        &self,
        op_id: &str,
        params: serde_json::Value,
        out: &mut W,
        progress: impl FnMut(u64),
    ) -> Result<Streamed>
    where
        W: tokio::io::AsyncWrite + Unpin,
    {
        use watchpost_core::codec::param::from_params;
        match op_id {
            "config.export" => {
                self.download_to(&from_params::<api::ConfigExportRequest>(op_id, params)?, out, progress).await
            }
            "privatekey.export" => {
                self.download_to(&from_params::<api::PrivatekeyExportRequest>(op_id, params)?, out, progress).await
            }
            "rfkey.export" => {
                self.download_to(&from_params::<api::RfkeyExportRequest>(op_id, params)?, out, progress).await
            }
            "contact.export" => {
                self.download_to(&from_params::<api::ContactExportRequest>(op_id, params)?, out, progress).await
            }
            "dialreplace.export" => {
                self.download_to(&from_params::<api::DialreplaceExportRequest>(op_id, params)?, out, progress).await
            }
            "log.export" => {
                self.download_to(&from_params::<api::LogExportRequest>(op_id, params)?, out, progress).await
            }
            "calllog.export" => {
                self.download_to(&from_params::<api::CalllogExportRequest>(op_id, params)?, out, progress).await
            }
            "doorlog.export" => {
                self.download_to(&from_params::<api::DoorlogExportRequest>(op_id, params)?, out, progress).await
            }
            "pcap.export" => {
                self.download_to(&from_params::<api::PcapExportRequest>(op_id, params)?, out, progress).await
            }
            other => {
                Err(Error::invalid_input(other, "not a file export (the exports end in `.export`, but `user.export`)"))
            }
        }
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

    /// Refuses a file larger than [`max_upload_size`](Self::max_upload_size).
    fn check_upload_size(&self, op: &str, len: u64) -> Result<()> {
        let max = self.max_upload_size();
        if len > max as u64 {
            return Err(Error::invalid_input(
                op,
                format!("the file is {len} bytes, over the upload limit of {max} bytes"),
            ));
        }
        Ok(())
    }

    /// Sends one multipart upload of `file` as field `field` named `filename`, streamed from its
    /// source: checks the size (nothing sent when over), reads the file once to check it does
    /// not contain the multipart boundary (and to hash it when `md5` is asked), then sends
    /// `req` with the streamed body. Returns the file's MD5 when asked.
    async fn send_upload<R: ToRequest>(
        &self,
        req: R,
        field: &str,
        filename: &str,
        file: &Upload,
        md5: bool,
        progress: impl Fn(u64, u64) + Send + Sync + 'static,
    ) -> Result<Option<String>> {
        let op = req.operation();
        self.check_upload_size(op.id, file.len)?;
        self.check_capability(op)?;
        let (head, tail) = multipart_frame(op.id, field, filename)?;
        let hash = scan(op.id, file, md5).await?;
        let mut request = req.to_request()?;
        let content_type = request.body.content_type().unwrap_or("multipart/form-data").to_owned();
        let file_len = file.len;
        let head_len = head.len() as u64;
        let body = StreamedBody::new(content_type)
            .bytes(head)
            .shared_source(file.source.clone(), file.len)
            .bytes(tail)
            .progress(move |sent, _| progress(sent.saturating_sub(head_len).min(file_len), file_len));
        request.body = Body::Stream(body);
        // A large image on a slow link: the call may take as long as one transfer attempt
        // (`customize()` still overrides this).
        let transport = self.pipeline().transport().config();
        if transport.operation_timeout.is_some_and(|limit| limit < transport.transfer_timeout) {
            request = request.operation_timeout(transport.transfer_timeout);
        }
        let raw = self.execute(request).await?;
        crate::reply::data::<serde::de::IgnoredAny>(&raw)?;
        Ok(hash)
    }

    /// Imports `file` as `kind` (multipart, streamed from its source), calling
    /// `progress(sent, total)` with the file's bytes handed to the connection so far.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a file over [`max_upload_size`](Self::max_upload_size)
    /// (nothing is sent) or containing the multipart boundary; [`Error::Transport`] when the
    /// source cannot be read or changed length; the call's error, or the device's negative reply.
    pub async fn import(
        &self,
        kind: Import,
        file: &Upload,
        progress: impl Fn(u64, u64) + Send + Sync + 'static,
    ) -> Result<()> {
        let (field, filename) = kind.part();
        let body = Bytes::new();
        match kind {
            Import::Config => {
                self.send_upload(api::ConfigImportRequest::new(body), field, filename, file, false, progress).await
            }
            Import::PrivateKey => {
                self.send_upload(api::PrivatekeyImportRequest::new(body), field, filename, file, false, progress).await
            }
            Import::RfKey => {
                self.send_upload(api::RfkeyImportRequest::new(body), field, filename, file, false, progress).await
            }
            Import::Contact => {
                self.send_upload(api::ContactImportRequest::new(body), field, filename, file, false, progress).await
            }
            Import::DialReplace => {
                self.send_upload(api::DialreplaceImportRequest::new(body), field, filename, file, false, progress).await
            }
            Import::User => {
                self.send_upload(api::UserImportRequest::new(body), field, filename, file, false, progress).await
            }
        }
        .map(|_| ())
    }

    /// `config.import`: a configuration tgz (the device reboots).
    ///
    /// # Errors
    /// As [`import`](Self::import).
    pub async fn config_import(&self, tgz: &[u8]) -> Result<()> {
        self.import(Import::Config, &Upload::bytes(Bytes::copy_from_slice(tgz)), |_, _| {}).await
    }

    /// `privatekey.import`: a `PrivateKey.xml`.
    ///
    /// # Errors
    /// As [`import`](Self::import).
    pub async fn privatekey_import(&self, xml: &[u8]) -> Result<()> {
        self.import(Import::PrivateKey, &Upload::bytes(Bytes::copy_from_slice(xml)), |_, _| {}).await
    }

    /// `rfkey.import`: an `ICKey.xml`.
    ///
    /// # Errors
    /// As [`import`](Self::import).
    pub async fn rfkey_import(&self, xml: &[u8]) -> Result<()> {
        self.import(Import::RfKey, &Upload::bytes(Bytes::copy_from_slice(xml)), |_, _| {}).await
    }

    /// `contact.import`: a `Contacts.csv`.
    ///
    /// # Errors
    /// As [`import`](Self::import).
    pub async fn contact_import(&self, csv: &[u8]) -> Result<()> {
        self.import(Import::Contact, &Upload::bytes(Bytes::copy_from_slice(csv)), |_, _| {}).await
    }

    /// `dialreplace.import`: a `DialReplace.xml`.
    ///
    /// # Errors
    /// As [`import`](Self::import).
    pub async fn dialreplace_import(&self, xml: &[u8]) -> Result<()> {
        self.import(Import::DialReplace, &Upload::bytes(Bytes::copy_from_slice(xml)), |_, _| {}).await
    }

    /// `user.import`: a `UserData.tgz` (from another device's [`user_export_file`](Self::user_export_file)).
    ///
    /// # Errors
    /// As [`import`](Self::import).
    pub async fn user_import(&self, tgz: &[u8]) -> Result<()> {
        self.import(Import::User, &Upload::bytes(Bytes::copy_from_slice(tgz)), |_, _| {}).await
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
        let req = watchpost_core::Request::new(&FETCH)
            .verbatim_target(path)?
            .options(self.call_options())
            .device_key(Some(self.device_key().to_owned()));
        let raw = self.pipeline().execute(req).await?;
        file_of(raw)
    }

    /// `firmware.upload`: uploads an image (after [`firmware_prepare`](Self::firmware_prepare)).
    ///
    /// # Errors
    /// As [`import`](Self::import).
    pub async fn firmware_upload(&self, image: &[u8], silent: bool) -> Result<()> {
        self.firmware_upload_from(&Upload::bytes(Bytes::copy_from_slice(image)), silent, |_, _| {}).await
    }

    /// `firmware.upload` of an image streamed from its source (a 200 MB image never sits in
    /// memory), calling `progress(sent, total)` per chunk.
    ///
    /// # Errors
    /// As [`import`](Self::import).
    pub async fn firmware_upload_from(
        &self,
        image: &Upload,
        silent: bool,
        progress: impl Fn(u64, u64) + Send + Sync + 'static,
    ) -> Result<()> {
        let req = api::FirmwareUploadRequest::new(Bytes::new()).silent(silent);
        self.send_upload(req, "file", "firmware.rom", image, false, progress).await.map(|_| ())
    }

    /// The whole upgrade of an in-memory image; see [`upgrade_firmware_from`](Self::upgrade_firmware_from).
    ///
    /// # Errors
    /// As [`upgrade_firmware_from`](Self::upgrade_firmware_from).
    pub async fn upgrade_firmware(&self, image: &[u8], silent: bool, progress: impl FnMut(UpgradeStep)) -> Result<()> {
        self.upgrade_firmware_from(&Upload::bytes(Bytes::copy_from_slice(image)), silent, progress).await
    }

    /// The whole upgrade: prepare, upload (streamed from the image's source), then upgrade with
    /// the image's MD5, so that a corrupted upload is refused by the device ("Wrong MD5",
    /// [`AkuvoxErrorExt::is_wrong_md5`](crate::AkuvoxErrorExt::is_wrong_md5)) instead of
    /// flashed. The MD5 is computed by one read pass of the source before anything is sent
    /// (with the boundary check). `progress` is told each step, and
    /// [`UpgradeStep::Uploading`] per chunk of the upload.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an image over [`max_upload_size`](Self::max_upload_size),
    /// before the device is put into upgrade mode (nothing is sent); otherwise the first
    /// failing step's error.
    pub async fn upgrade_firmware_from(
        &self,
        image: &Upload,
        silent: bool,
        mut progress: impl FnMut(UpgradeStep),
    ) -> Result<()> {
        let op = &api::ops::FIRMWARE_UPLOAD;
        self.check_upload_size(op.id, image.len)?;
        self.check_capability(op)?;
        let md5 = scan(op.id, image, true).await?.unwrap_or_default();
        self.firmware_prepare(&api::FirmwarePrepareRequest::new()).await?;
        progress(UpgradeStep::Prepared);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let req = api::FirmwareUploadRequest::new(Bytes::new()).silent(silent);
        let upload = self.send_upload(req, "file", "firmware.rom", image, false, move |sent, total| {
            // The receiver outlives the upload; a send error cannot happen while it runs.
            let _ = tx.send((sent, total));
        });
        tokio::pin!(upload);
        let uploaded = loop {
            tokio::select! {
                result = &mut upload => break result,
                Some((sent, total)) = rx.recv() => progress(UpgradeStep::Uploading { sent, total }),
            }
        };
        while let Ok((sent, total)) = rx.try_recv() {
            progress(UpgradeStep::Uploading { sent, total });
        }
        uploaded?;
        progress(UpgradeStep::Uploaded { bytes: image.len });
        self.firmware_upgrade(&api::FirmwareUpgradeRequest::new().md5(md5)).await?;
        progress(UpgradeStep::Upgrading);
        Ok(())
    }
}

/// The head and tail of the multipart body of one file part `field` named `filename`,
/// delimited by [`BOUNDARY`].
///
/// # Errors
/// [`Error::InvalidInput`] for a name with a quote or line break.
fn multipart_frame(op: &str, field: &str, filename: &str) -> Result<(Bytes, Bytes)> {
    if [field, filename].iter().any(|s| s.contains(['"', '\r', '\n'])) {
        return Err(Error::invalid_input(op, "a field or file name with a quote or line break"));
    }
    let head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    );
    Ok((Bytes::from(head), Bytes::from(format!("\r\n--{BOUNDARY}--\r\n"))))
}

/// Reads `file` once: fails when it contains the multipart delimiter, and returns its MD5 when
/// `md5` is asked.
///
/// # Errors
/// [`Error::InvalidInput`] when the file contains the boundary; [`Error::Transport`] when it
/// cannot be read or its length differs from the one declared.
async fn scan(op: &str, file: &Upload, md5: bool) -> Result<Option<String>> {
    let delimiter = format!("--{BOUNDARY}");
    let finder = memchr::memmem::Finder::new(delimiter.as_bytes());
    let keep = delimiter.len().saturating_sub(1);
    let mut carry: Vec<u8> = Vec::with_capacity(keep * 2);
    let mut found = false;
    let mut hasher = md5.then(Md5::new);
    watchpost_core::transport::upload::read_source(&*file.source, file.len, |chunk| {
        if let Some(h) = &mut hasher {
            h.update(chunk);
        }
        if found {
            return;
        }
        // The delimiter may straddle two chunks: search the end of the last one with this one.
        let head = chunk.get(..keep.min(chunk.len())).unwrap_or_default();
        carry.extend_from_slice(head);
        found = finder.find(&carry).is_some() || finder.find(chunk).is_some();
        let tail_from = chunk.len().saturating_sub(keep);
        carry.clear();
        carry.extend_from_slice(chunk.get(tail_from..).unwrap_or_default());
    })
    .await
    .map_err(|e| Error::Transport { op: op.to_owned(), source: watchpost_core::error::TransportError::body(e) })?;
    if found {
        return Err(Error::invalid_input(op, "the file contains the multipart boundary"));
    }
    Ok(hasher.map(|h| hex::encode(h.finalize())))
}

/// What [`Client::import`] imports: the function and its file part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Import {
    /// `config.import`: a configuration tgz (field `config`; the device reboots).
    Config,
    /// `privatekey.import`: `PrivateKey.xml` (field `config`).
    PrivateKey,
    /// `rfkey.import`: `ICKey.xml` (field `config`).
    RfKey,
    /// `contact.import`: `Contacts.csv` (field `config`).
    Contact,
    /// `dialreplace.import`: `DialReplace.xml` (field `config`).
    DialReplace,
    /// `user.import`: `UserData.tgz` (field `file`).
    User,
}

impl Import {
    /// The import of function `op_id` (`contact.import`).
    pub fn of_function(op_id: &str) -> Option<Import> {
        Import::ALL.into_iter().find(|i| i.operation().id == op_id)
    }

    /// The multipart field and file name.
    fn part(self) -> (&'static str, &'static str) {
        match self {
            Import::Config => ("config", "config.tgz"),
            Import::PrivateKey => ("config", "PrivateKey.xml"),
            Import::RfKey => ("config", "ICKey.xml"),
            Import::Contact => ("config", "Contacts.csv"),
            Import::DialReplace => ("config", "DialReplace.xml"),
            Import::User => ("file", "UserData.tgz"),
        }
    }

    /// The function.
    pub fn operation(self) -> &'static watchpost_core::Operation {
        match self {
            Import::Config => &api::ops::CONFIG_IMPORT,
            Import::PrivateKey => &api::ops::PRIVATEKEY_IMPORT,
            Import::RfKey => &api::ops::RFKEY_IMPORT,
            Import::Contact => &api::ops::CONTACT_IMPORT,
            Import::DialReplace => &api::ops::DIALREPLACE_IMPORT,
            Import::User => &api::ops::USER_IMPORT,
        }
    }

    /// Every import, for a command line naming them by target (`contact`).
    pub const ALL: [Import; 6] =
        [Import::Config, Import::PrivateKey, Import::RfKey, Import::Contact, Import::DialReplace, Import::User];
}

/// A file to upload: a re-openable source and its length (known up front, sent as the part's
/// size). Cheap to clone.
#[derive(Clone)]
pub struct Upload {
    source: Arc<dyn BodySource>,
    len: u64,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload").field("len", &self.len).finish_non_exhaustive()
    }
}

impl Upload {
    /// The file at `path`, opened anew for each pass (never read whole into memory).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when it cannot be read or is not a regular file.
    pub async fn file(path: impl AsRef<std::path::Path>) -> Result<Upload> {
        let path = path.as_ref();
        let (source, len) = FileSource::open_len(path)
            .await
            .map_err(|e| Error::invalid_input("akuvox.upload", format!("cannot read {}: {e}", path.display())))?;
        Ok(Upload { source: Arc::new(source), len })
    }

    /// `len` bytes from `source` (for example [`from_fn`](watchpost_core::transport::upload::from_fn)).
    pub fn from_source(source: impl BodySource, len: u64) -> Upload {
        Upload { source: Arc::new(source), len }
    }

    /// Bytes already in memory.
    pub fn bytes(bytes: Bytes) -> Upload {
        let len = bytes.len() as u64;
        let source = watchpost_core::transport::upload::from_fn(move || {
            let bytes = bytes.clone();
            async move { Ok(std::io::Cursor::new(bytes)) }
        });
        Upload { source: Arc::new(source), len }
    }

    /// Its length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A step of [`Client::upgrade_firmware`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpgradeStep {
    /// The device is in upgrade mode.
    Prepared,
    /// Bytes of the image handed to the connection so far, of `total` (per chunk).
    Uploading {
        /// Sent so far.
        sent: u64,
        /// The image's size.
        total: u64,
    },
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
        let (head, tail) = multipart_frame("x", "config", "a.xml").unwrap();
        assert_eq!([&head[..], b"<x/>", &tail[..]].concat(), body.to_vec(), "the streamed frame is the same body");
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
    }
}
