//! The inverse of [`decrypt`](super::decrypt()): picture files built as this crate reads the
//! format, for the simulator, tests and benchmarks (and for checking a reading against files a
//! real platform produced).

use std::fmt;

use super::cipher;
use super::decrypt::{CHECK_AT, CIPHERTEXT_AT, HEADER};
use super::frame::{self, Framing};
use super::key::{self, KeyReading, KeySource};

/// Why a file could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SealError {
    /// The key reading does not belong to the key's mode (a platform reading with a device key).
    ReadingMismatch,
    /// No pictures, or a single framing with more than one.
    PictureCount,
    /// A picture too long for a 4-byte length.
    TooLong,
}

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ReadingMismatch => "the key reading does not belong to the key's mode",
            Self::PictureCount => "a file holds one picture, or at least one when multi-picture",
            Self::TooLong => "a picture is too long for a 4-byte length",
        })
    }
}

impl std::error::Error for SealError {}

/// One encrypted picture: `hikencodepicture` ‖ check bytes (device mode; zeros otherwise) ‖
/// 16 zero bytes ‖ ciphertext; a plain reading returns the picture as it is.
///
/// # Errors
/// [`SealError::ReadingMismatch`] when `reading` does not belong to `key`'s mode.
pub fn seal_one(picture: &[u8], key: &KeySource, reading: KeyReading) -> Result<Vec<u8>, SealError> {
    let (aes_key, check) = match (key, reading) {
        (_, KeyReading::Plain) => return Ok(picture.to_vec()),
        (KeySource::Device(secret), KeyReading::Device { check }) => {
            (key::device_key(secret), key::device_check(secret, check))
        }
        (KeySource::Platform { checksum, timestamp }, r) => {
            (key::platform_key(checksum, timestamp, r).ok_or(SealError::ReadingMismatch)?, [0u8; 16])
        }
        _ => return Err(SealError::ReadingMismatch),
    };
    let ciphertext = cipher::encrypt(&aes_key, picture);
    let mut file = Vec::with_capacity(CIPHERTEXT_AT + ciphertext.len());
    file.extend_from_slice(HEADER);
    file.resize(CHECK_AT, 0);
    file.extend_from_slice(&check);
    file.resize(CIPHERTEXT_AT, 0);
    file.extend_from_slice(&ciphertext);
    Ok(file)
}

/// A file of `pictures`, each sealed with `key` by `reading`, laid out by `framing`.
///
/// # Errors
/// [`SealError`] for a reading of another mode, a picture count the framing cannot hold, or a
/// picture too long for a length prefix.
pub fn seal(
    pictures: &[Vec<u8>],
    key: &KeySource,
    reading: KeyReading,
    framing: Framing,
) -> Result<Vec<u8>, SealError> {
    if pictures.is_empty() || (framing == Framing::Single && pictures.len() > 1) {
        return Err(SealError::PictureCount);
    }
    let sealed = pictures.iter().map(|p| seal_one(p, key, reading)).collect::<Result<Vec<_>, _>>()?;
    frame::join(&sealed, framing).ok_or(SealError::TooLong)
}
