//! The hand-written hot spare file transfer: the upload (3.57), which the generated client
//! cannot send (a `multipart/form-data` body read from an [`AsyncRead`]), and the download of the
//! URL `hotspare/file/downloadurl` (3.58) hands out.
//!
//! Why multipart: the seed's table gives the upload `Content-Type: application/json` and a body
//! parameter `file` of type Binary (L4339-4341). A JSON body cannot carry binary data without an
//! encoding the seed would have named, while a binary parameter named `file` is exactly a form
//! upload's file part, the way Hikvision's other cloud APIs take files. The client therefore sends
//! `multipart/form-data` with one part `file` (`Content-Type: application/octet-stream`).

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};
use watchpost_core::error::DecodeError;
use watchpost_core::operation::{Body, ToRequest};
use watchpost_core::{Error, ErrorClass, Result};

use super::{DownloadUrl, UploadedFile, MAX_FILE_BYTES};
use crate::generated::{ops, UploadHotSpareFileRequest};
use crate::Client;

/// The operation id errors of a download name.
const DOWNLOAD_OP: &str = "hotspare.file.download";

impl Client {
    /// Uploads the host's hot spare file (3.57), replacing the stored one of the same name.
    ///
    /// The file is read from `file` up to 2 MB and one byte: a larger file is refused before
    /// anything is sent. `file_name` names the file in the form part (quotes, backslashes and
    /// control characters are dropped).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the file is larger than 2 MB or cannot be read; otherwise the
    /// classified error of the call (LAP026341 when the platform finds it too large, LAP026338
    /// before a host is configured).
    pub async fn upload_hot_spare_file<R: AsyncRead + Unpin>(&self, file_name: &str, file: R) -> Result<UploadedFile> {
        let op = ops::UPLOAD_HOT_SPARE_FILE.id;
        let limit = u64::try_from(MAX_FILE_BYTES).unwrap_or(u64::MAX).saturating_add(1);
        let mut data = Vec::new();
        file.take(limit)
            .read_to_end(&mut data)
            .await
            .map_err(|e| Error::invalid_input(op, format!("cannot read the file: {e}")))?;
        if data.len() > MAX_FILE_BYTES {
            return Err(Error::invalid_input(
                op,
                format!("the hot spare file is larger than {MAX_FILE_BYTES} bytes (2 MB), the most the platform takes"),
            ));
        }
        let (content_type, body) = form_data(file_name, &data);
        let mut request = UploadHotSpareFileRequest::new(body).to_request()?;
        request.body = Body::Bytes { content_type, data: request_body(&request.body) };
        let resp = self.execute(request).await?;
        crate::profile::envelope(&resp)?.into_result(&resp)
    }

    /// Downloads a hot spare file from a URL `hotspare/file/downloadurl` gave (at most 2 MB).
    ///
    /// The URL is fetched as it is, with no token: it may point to a storage host other than the
    /// platform's. One attempt, within the client's transfer timeout.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a URL that is not `http`/`https`; [`Error::Api`] for an answer
    /// that is not a 2xx (a redirect included); [`Error::Decode`] for a body over 2 MB;
    /// [`Error::Timeout`] or [`Error::Transport`] as the transport reports them.
    pub async fn download_hot_spare_file(&self, url: &DownloadUrl) -> Result<Bytes> {
        let crate::download::Fetched { status, body, .. } = self.fetch_plain(DOWNLOAD_OP, "download", &url.url).await?;
        if !(200..300).contains(&status) {
            let message = format!("the download answered HTTP {status}");
            return Err(Error::api(DOWNLOAD_OP, Some(status), None, Some(message), ErrorClass::Permanent));
        }
        if body.len() > MAX_FILE_BYTES {
            return Err(Error::decode(DOWNLOAD_OP, Some(status), b"", DecodeError::TooLarge { limit: MAX_FILE_BYTES }));
        }
        Ok(body)
    }
}

/// The bytes of a request body built from a `bytes` parameter.
fn request_body(body: &Body) -> Bytes {
    match body {
        Body::Bytes { data, .. } => data.clone(),
        _ => Bytes::new(),
    }
}

/// A `multipart/form-data` body with `data` in the part `file`: its content type (with the
/// boundary) and its bytes. The boundary is chosen so that it does not occur in the data.
pub(crate) fn form_data(file_name: &str, data: &[u8]) -> (String, Bytes) {
    let name: String =
        file_name.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '\\')).collect::<String>().trim().to_owned();
    let name = if name.is_empty() { "hotspare.dat".to_owned() } else { name };
    let mut n: u64 = u64::try_from(data.len()).unwrap_or(0) ^ 0x5750_6870_7053_7061;
    let boundary = loop {
        let candidate = format!("watchpost-hotspare-{n:016x}");
        if !contains(data, candidate.as_bytes()) {
            break candidate;
        }
        n = n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
    };
    let mut body = BytesMut::with_capacity(data.len() + 256);
    body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    body.extend_from_slice(
        format!("Content-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n").as_bytes(),
    );
    body.extend_from_slice(b"Content-Type: application/octet-stream\r\n\r\n");
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body.freeze())
}

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_part_is_named_file_and_the_boundary_avoids_the_data() {
        let (ct, body) = form_data("conf\"ig\r\n.bin", b"abc");
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.contains("Content-Disposition: form-data; name=\"file\"; filename=\"config.bin\"\r\n"));
        assert!(text.ends_with(&format!("\r\n\r\nabc\r\n--{boundary}--\r\n")));
        // Data holding the boundary a body of its length would get gets another one.
        let (ct1, _) = form_data("x", &[0u8; 64]);
        let first = ct1.strip_prefix("multipart/form-data; boundary=").unwrap().as_bytes().to_vec();
        let mut data = first.clone();
        data.resize(64, 0);
        let (ct2, body2) = form_data("x", &data);
        assert_ne!(ct1, ct2, "a boundary inside the data must not be used");
        let second = ct2.strip_prefix("multipart/form-data; boundary=").unwrap();
        assert!(!contains(&data, second.as_bytes()));
        assert!(contains(&body2, &first));
    }
}
