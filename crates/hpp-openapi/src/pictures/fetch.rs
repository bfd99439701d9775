//! `Client::fetch_alarm_picture`: resolve an `ISAPI_FILES` path, download, decrypt.

use bytes::Bytes;
use secrecy::SecretString;
use watchpost_core::error::DecodeError;
use watchpost_core::{Error, ErrorClass, Result};

use super::decrypt::{decrypt, DecryptError, Decrypted};
use super::key::KeySource;
use super::url::{Encryption, PictureRef, PictureSource};
use crate::envelope::Envelope;
use crate::generated::AlarmPictureUrlRequest;
use crate::Client;

/// The operation id of picture downloads (in errors and logs).
pub const DOWNLOAD_OP: &str = "alarm.picture.download";

impl Client {
    /// Fetches an alarm picture: one JPEG per picture of the file (several for a multi-picture
    /// file). See [`fetch_alarm_picture_decrypted`](Self::fetch_alarm_picture_decrypted).
    ///
    /// # Errors
    /// As [`fetch_alarm_picture_decrypted`](Self::fetch_alarm_picture_decrypted).
    pub async fn fetch_alarm_picture(
        &self,
        picture: &PictureRef,
        device_key: Option<&SecretString>,
    ) -> Result<Vec<Vec<u8>>> {
        Ok(self.fetch_alarm_picture_decrypted(picture, device_key).await?.pictures)
    }

    /// Fetches an alarm picture and reports how it was read.
    ///
    /// An `ISAPI_FILES` path is resolved through `alarm/pictureurl` (3.36) first. The download
    /// goes to the storage host as a plain GET through the client's transport, with no token
    /// or key (the host is not the platform's), one attempt within the transfer timeout, at
    /// most the transport's `max_body_size`. The file is decrypted with the key the picture's
    /// encryption calls for: `device_key` (the device's stream encryption key) for
    /// device-encrypted pictures, the path's checksum and timestamp for platform-encrypted
    /// ones. When the reading that worked is not the first one tried, it is logged at `info`.
    ///
    /// # Errors
    /// - [`Error::InvalidInput`], before anything is sent: a device-encrypted picture without
    ///   `device_key`, or a platform-encrypted direct URL without the event's key material
    ///   ([`PictureRef::with_platform_key`]);
    /// - the errors of `alarm/pictureurl`, and [`Error::Decode`] when it gives no URL;
    /// - [`Error::Redirect`] for a download answered with a redirect (never followed);
    ///   [`Error::Api`] for any other answer but a 2xx, or a JSON error envelope where the
    ///   picture was expected (its code);
    /// - [`Error::Decode`] with [`DecodeError::Content`] whose source downcasts to
    ///   [`DecryptError`] for a file that does not decrypt to pictures (wrong key, damaged);
    /// - [`Error::Timeout`], [`Error::Transport`], and [`DecodeError::TooLarge`].
    pub async fn fetch_alarm_picture_decrypted(
        &self,
        picture: &PictureRef,
        device_key: Option<&SecretString>,
    ) -> Result<Decrypted> {
        let key = key_source(picture, device_key)?;
        let url = match picture.source() {
            PictureSource::Direct { url } => url.clone(),
            PictureSource::IsapiFiles { file_path } => {
                let answer = self.alarm_picture_url(&AlarmPictureUrlRequest::new(file_path.as_str())).await?;
                if answer.picture_url.trim().is_empty() {
                    let message = "alarm/pictureurl answered no pictureUrl".to_owned();
                    return Err(Error::decode(
                        crate::generated::ops::ALARM_PICTURE_URL.id,
                        Some(200),
                        b"",
                        DecodeError::Envelope { message },
                    ));
                }
                answer.picture_url.trim().to_owned()
            }
        };
        let (status, body) = self.download_picture(&url).await?;
        match decrypt(&body, &key) {
            Ok(decrypted) => {
                if decrypted.reading.is_primary() {
                    tracing::debug!(reading = %decrypted.reading, pictures = decrypted.pictures.len(), "alarm picture decrypted");
                } else {
                    tracing::info!(reading = %decrypted.reading, "alarm picture decrypted by a fallback reading of the format");
                }
                Ok(decrypted)
            }
            Err(e) => Err(refusal(status, &body, e)),
        }
    }

    /// GETs `url` with no credentials: the status and the body (a 2xx only; redirects are not
    /// followed).
    async fn download_picture(&self, url: &str) -> Result<(u16, Bytes)> {
        let fetched = self.fetch_plain(DOWNLOAD_OP, "picture download", url).await?;
        if let Some(location) = fetched.location {
            // Never followed: the storage host answers the picture itself.
            return Err(Error::redirect(DOWNLOAD_OP, fetched.status, Some(&location)));
        }
        let (status, body) = (fetched.status, fetched.body);
        if !(200..300).contains(&status) {
            let message = format!("the picture download answered HTTP {status}");
            let class = if status >= 500 { ErrorClass::Retryable } else { ErrorClass::Permanent };
            return Err(Error::api(DOWNLOAD_OP, Some(status), None, Some(message), class));
        }
        Ok((status, body))
    }
}

/// The key `picture` calls for.
fn key_source(picture: &PictureRef, device_key: Option<&SecretString>) -> Result<KeySource> {
    let device = || device_key.map(|k| KeySource::Device(k.clone()));
    Ok(match picture.encryption() {
        // Unflagged: a device key, when given, serves a picture that turns out encrypted.
        Encryption::None => device().unwrap_or(KeySource::None),
        Encryption::Device => device().ok_or_else(|| {
            Error::invalid_input(
                DOWNLOAD_OP,
                "the picture is encrypted by the device: its stream encryption key is needed",
            )
        })?,
        Encryption::Platform { checksum, timestamp } => {
            KeySource::Platform { checksum: checksum.clone(), timestamp: timestamp.clone() }
        }
        Encryption::PlatformFromEvent => {
            return Err(Error::invalid_input(
                DOWNLOAD_OP,
                "the picture is encrypted by the platform: set the event's checksum and alarm time (PictureRef::with_platform_key)",
            ))
        }
    })
}

/// The error of a downloaded body that did not decrypt: the vendor's error when the body is an
/// error envelope, else the decryption error.
fn refusal(status: u16, body: &[u8], e: DecryptError) -> Error {
    if e == DecryptError::NotAPicture {
        if let Ok(env) = Envelope::parse(body) {
            if !env.is_success() {
                return crate::error::to_error(DOWNLOAD_OP, Some(status), env.code(), env.message());
            }
        }
    }
    // The excerpt of a binary body would be noise: only a text one is shown.
    let excerpt: &[u8] = if e == DecryptError::NotAPicture && std::str::from_utf8(body).is_ok() { body } else { b"" };
    Error::decode(DOWNLOAD_OP, Some(status), excerpt, DecodeError::Content { source: Box::new(e) })
}
