//! Decrypting alarm picture files (L496-514).
//!
//! An encrypted picture: `hikencodepicture` (bytes 0..16) ‖ 16 bytes (device mode:
//! MD5(MD5(device key))) ‖ 16 bytes (unknown) ‖ AES-128-CBC ciphertext with PKCS#7 padding
//! (bytes 48..). A multi-picture file is pictures each preceded by its 4-byte length, each
//! picture a whole file of its own (plain JPEG or encrypted).
//!
//! [`decrypt()`] recognises the layout from the bytes (a JPEG, an encrypted picture, or a
//! multi-picture file), tries the key readings of [`super::key`] and the framings of
//! [`super::frame`] in their documented order, and accepts a result only when every
//! picture decrypts with valid padding to a JPEG whose markers hold up to the start of scan.
//! Anything else is a [`DecryptError`], never bytes.
//!
//! What it cannot see: AES-CBC carries no checksum, so a byte flipped in the middle of the
//! ciphertext garbles 17 bytes of the picture's compressed data and still decrypts. Damage to
//! the header, the check bytes, the first block (the JPEG start) or the last block (the padding)
//! is detected.

use std::fmt;

use super::cipher::{self, BLOCK};
use super::frame::{self, Framing, SplitError, MULTI_READINGS};
use super::jpeg;
use super::key::{self, Key, KeyReading, KeySource, DEVICE_CHECKS, PLATFORM_READINGS};

/// The fixed header of an encrypted picture (bytes 0..16).
pub const HEADER: &[u8; 16] = b"hikencodepicture";

/// Where the device check bytes start (16..32).
pub(crate) const CHECK_AT: usize = 16;

/// Where the ciphertext starts.
pub const CIPHERTEXT_AT: usize = 48;

/// The most pictures one multi-picture file may hold.
pub const MAX_PICTURES: usize = 256;

/// Which reading of the format decrypted a file: what an operator looks at to learn how the
/// platform actually encrypts (see `docs/hpp.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reading {
    /// The key derivation (or plain).
    pub key: KeyReading,
    /// The layout of the file.
    pub framing: Framing,
}

impl Reading {
    /// Whether the first reading tried did it (no fallback was needed).
    pub fn is_primary(&self) -> bool {
        self.key.is_primary() && self.framing.is_primary()
    }
}

impl fmt::Display for Reading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}", self.key, self.framing)
    }
}

/// The pictures of a file and the reading that decrypted them.
#[derive(Clone, PartialEq, Eq)]
pub struct Decrypted {
    /// The JPEG pictures, in file order (one for a single-picture file).
    pub pictures: Vec<Vec<u8>>,
    /// How the file was read.
    pub reading: Reading,
}

impl fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sizes: Vec<usize> = self.pictures.iter().map(Vec::len).collect();
        f.debug_struct("Decrypted").field("picture_sizes", &sizes).field("reading", &self.reading).finish()
    }
}

/// Why a picture file was refused. Never carries key material or picture bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecryptError {
    /// Not a picture: neither a JPEG, nor an encrypted picture (`hikencodepicture` header), nor
    /// a multi-picture file of either (an error body, a damaged header).
    NotAPicture,
    /// The picture is encrypted and no key was given.
    KeyNeeded,
    /// The key does not decrypt the picture: a device key whose double MD5 differs from the
    /// file's check bytes, or platform key material from which no key reading decrypts the first
    /// block to a JPEG start.
    WrongKey,
    /// The file ends early: shorter than a header and one block, a ciphertext that is not a
    /// whole number of blocks, or a multi-picture length past the end.
    Truncated,
    /// The key matched but the picture is damaged (the reason says where).
    Corrupt {
        /// What is wrong.
        reason: &'static str,
    },
    /// A multi-picture file with more than [`MAX_PICTURES`] pictures.
    TooManyPictures,
}

impl fmt::Display for DecryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAPicture => {
                f.write_str("not a picture: neither a JPEG nor an encrypted (hikencodepicture) picture file")
            }
            Self::KeyNeeded => f.write_str("the picture is encrypted and no key was given"),
            Self::WrongKey => f.write_str("the key does not decrypt the picture"),
            Self::Truncated => f.write_str("the picture file is truncated"),
            Self::Corrupt { reason } => write!(f, "the picture file is damaged: {reason}"),
            Self::TooManyPictures => write!(f, "the picture file holds more than {MAX_PICTURES} pictures"),
        }
    }
}

impl std::error::Error for DecryptError {}

/// Decrypts a downloaded picture file: one picture per entry, and the reading that verified.
///
/// # Errors
/// A [`DecryptError`] whenever the file does not decrypt to JPEG pictures with `key`.
pub fn decrypt(file: &[u8], key: &KeySource) -> Result<Decrypted, DecryptError> {
    if file.starts_with(HEADER) || jpeg::starts_like_jpeg(file) {
        let (picture, key) = picture(file, key, None)?;
        return Ok(Decrypted { pictures: vec![picture], reading: Reading { key, framing: Framing::Single } });
    }
    let mut refusal = None;
    for framing in MULTI_READINGS {
        let frames = match frame::split(file, framing, MAX_PICTURES) {
            Ok(frames) if frames.iter().all(|f| is_picture_start(f)) => frames,
            Ok(_) => continue,
            Err(e) => {
                refusal = refusal.or(Some(e));
                continue;
            }
        };
        let mut pictures = Vec::with_capacity(frames.len());
        let mut fixed = None;
        for f in frames {
            let (picture, reading) = picture(f, key, fixed)?;
            if reading != KeyReading::Plain {
                fixed = Some(reading);
            }
            pictures.push(picture);
        }
        let reading = Reading { key: fixed.unwrap_or(KeyReading::Plain), framing };
        return Ok(Decrypted { pictures, reading });
    }
    // No framing splits the file. A picture right after a length prefix means a damaged
    // multi-picture file; anything else is not a picture file at all.
    let framed = file.get(frame::PREFIX..).is_some_and(is_picture_start);
    Err(match refusal {
        Some(SplitError::TooMany) if framed => DecryptError::TooManyPictures,
        Some(SplitError::Truncated) if framed => DecryptError::Truncated,
        Some(_) if framed => DecryptError::Corrupt { reason: "the multi-picture lengths do not split the file" },
        _ => DecryptError::NotAPicture,
    })
}

/// Whether `data` starts as a picture of a file does (a JPEG or an encrypted picture).
fn is_picture_start(data: &[u8]) -> bool {
    data.starts_with(HEADER) || jpeg::starts_like_jpeg(data)
}

/// One picture of a file: a plain JPEG as it is, or an encrypted one decrypted with `key`
/// (with the reading `fixed` when an earlier picture of the file settled it).
fn picture(data: &[u8], key: &KeySource, fixed: Option<KeyReading>) -> Result<(Vec<u8>, KeyReading), DecryptError> {
    if !data.starts_with(HEADER) {
        return match jpeg::check(data) {
            Ok(()) => Ok((data.to_vec(), KeyReading::Plain)),
            Err(reason) if jpeg::starts_like_jpeg(data) => Err(DecryptError::Corrupt { reason }),
            Err(_) => Err(DecryptError::NotAPicture),
        };
    }
    let ciphertext = data.get(CIPHERTEXT_AT..).filter(|c| !c.is_empty()).ok_or(DecryptError::Truncated)?;
    if ciphertext.len() % BLOCK != 0 {
        return Err(DecryptError::Truncated);
    }
    let keys = candidates(data, key, fixed)?;
    // A device key whose check bytes matched is the right key: a failure after that is damage.
    let mut damage = matches!(key, KeySource::Device(_)).then_some("the picture does not decrypt to a JPEG start");
    for (reading, k) in &keys {
        if !cipher::first_block(k, ciphertext).is_some_and(|b| jpeg::starts_like_jpeg(&b)) {
            continue;
        }
        let Some(plain) = cipher::decrypt(k, ciphertext) else {
            damage = Some("the padding of the last block is not PKCS#7");
            continue;
        };
        match jpeg::check(&plain) {
            Ok(()) => return Ok((plain, *reading)),
            Err(reason) => damage = Some(reason),
        }
    }
    Err(damage.map_or(DecryptError::WrongKey, |reason| DecryptError::Corrupt { reason }))
}

/// The keys to try on an encrypted picture, with their readings, in order.
fn candidates(data: &[u8], key: &KeySource, fixed: Option<KeyReading>) -> Result<Vec<(KeyReading, Key)>, DecryptError> {
    let allowed = |r: &KeyReading| fixed.is_none_or(|f| f == *r);
    match key {
        KeySource::None => Err(DecryptError::KeyNeeded),
        KeySource::Device(secret) => {
            let stored = data.get(CHECK_AT..CHECK_AT + 16).ok_or(DecryptError::Truncated)?;
            let check = DEVICE_CHECKS
                .into_iter()
                .filter(|c| allowed(&KeyReading::Device { check: *c }))
                .find(|c| key::device_check(secret, *c) == stored)
                .ok_or(DecryptError::WrongKey)?;
            Ok(vec![(KeyReading::Device { check }, key::device_key(secret))])
        }
        KeySource::Platform { checksum, timestamp } => Ok(PLATFORM_READINGS
            .into_iter()
            .filter(allowed)
            .filter_map(|r| key::platform_key(checksum, timestamp, r).map(|k| (r, k)))
            .collect()),
    }
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;
    use crate::pictures::frame::ByteOrder;
    use crate::pictures::key::DeviceCheck;
    use crate::pictures::seal;

    // Encrypted with openssl in the shell, not with this crate (fixtures/pictures/README.md).
    const PIXEL: &[u8] = include_bytes!("../../fixtures/pictures/pixel.jpg");
    const PLATFORM: &[u8] = include_bytes!("../../fixtures/pictures/platform-3.36.bin");
    const DEVICE: &[u8] = include_bytes!("../../fixtures/pictures/device-ABCDEF.bin");
    const DEVICE_MULTI: &[u8] = include_bytes!("../../fixtures/pictures/device-ABCDEF-multi.bin");

    fn platform() -> KeySource {
        KeySource::Platform {
            checksum: "fd9b7f16393203046d40be71da380128".into(),
            timestamp: "2021-08-09T12:54:25".into(),
        }
    }

    fn device(k: &str) -> KeySource {
        KeySource::Device(SecretString::from(k))
    }

    #[test]
    fn files_encrypted_by_openssl_decrypt_to_the_picture() {
        let d = decrypt(PLATFORM, &platform()).unwrap();
        assert_eq!(d.pictures, vec![PIXEL.to_vec()]);
        assert_eq!(d.reading, Reading { key: KeyReading::PlatformHexLower, framing: Framing::Single });
        assert!(d.reading.is_primary());
        let d = decrypt(DEVICE, &device("ABCDEF")).unwrap();
        assert_eq!(d.pictures, vec![PIXEL.to_vec()]);
        assert_eq!(d.reading.key, KeyReading::Device { check: DeviceCheck::RawInner });
        let d = decrypt(DEVICE_MULTI, &device("ABCDEF")).unwrap();
        assert_eq!(d.pictures, vec![PIXEL.to_vec(), PIXEL.to_vec()]);
        assert_eq!(d.reading.framing, MULTI_READINGS[0]);
        assert_eq!(decrypt(PIXEL, &KeySource::None).unwrap().reading.key, KeyReading::Plain);
    }

    #[test]
    fn every_fallback_reading_is_found_and_reported() {
        let checksum = "107be007f872b61a720d4c1b075c96";
        let key = KeySource::Platform { checksum: checksum.into(), timestamp: "2022-01-07T08:58:43".into() };
        for reading in PLATFORM_READINGS {
            for framing in [Framing::Single].into_iter().chain(MULTI_READINGS) {
                let count = if framing == Framing::Single { 1 } else { 2 };
                let pictures = vec![PIXEL.to_vec(); count];
                let file = seal::seal(&pictures, &key, reading, framing).unwrap();
                let d = decrypt(&file, &key).unwrap();
                assert_eq!(d.pictures.len(), count);
                assert!(d.pictures.iter().all(|p| p == PIXEL));
                assert_eq!(d.reading, Reading { key: reading, framing }, "{reading} / {framing}");
                assert_eq!(d.reading.is_primary(), reading.is_primary() && framing.is_primary());
            }
        }
        let k = device("ABCDEF");
        let file =
            seal::seal(&[PIXEL.to_vec()], &k, KeyReading::Device { check: DeviceCheck::HexInner }, Framing::Single)
                .unwrap();
        assert_eq!(decrypt(&file, &k).unwrap().reading.key, KeyReading::Device { check: DeviceCheck::HexInner });
        let little = Framing::Multi { order: ByteOrder::Little, prefix_counted: true };
        let file = seal::seal(&[PIXEL.to_vec()], &KeySource::None, KeyReading::Plain, little).unwrap();
        assert_eq!(
            decrypt(&file, &KeySource::None).unwrap().reading,
            Reading { key: KeyReading::Plain, framing: little }
        );
    }

    #[test]
    fn wrong_keys_and_missing_keys_are_refused() {
        assert_eq!(decrypt(DEVICE, &device("ABCDEG")), Err(DecryptError::WrongKey));
        assert_eq!(decrypt(DEVICE, &device("")), Err(DecryptError::WrongKey));
        assert_eq!(decrypt(DEVICE, &platform()), Err(DecryptError::WrongKey));
        let wrong = KeySource::Platform {
            checksum: "fd9b7f16393203046d40be71da380129".into(),
            timestamp: "2021-08-09T12:54:25".into(),
        };
        assert_eq!(decrypt(PLATFORM, &wrong), Err(DecryptError::WrongKey));
        assert_eq!(decrypt(PLATFORM, &KeySource::None), Err(DecryptError::KeyNeeded));
        assert_eq!(decrypt(DEVICE_MULTI, &device("nope")), Err(DecryptError::WrongKey));
    }

    #[test]
    fn damaged_files_are_refused() {
        let flip = |file: &[u8], at: usize| {
            let mut f = file.to_vec();
            f[at] ^= 0x01;
            f
        };
        assert_eq!(decrypt(&flip(PLATFORM, 3), &platform()), Err(DecryptError::NotAPicture), "header");
        assert_eq!(decrypt(&flip(DEVICE, 20), &device("ABCDEF")), Err(DecryptError::WrongKey), "check bytes");
        assert!(
            matches!(decrypt(&flip(DEVICE, 50), &device("ABCDEF")), Err(DecryptError::Corrupt { .. })),
            "first block, right key"
        );
        assert_eq!(decrypt(&flip(PLATFORM, 50), &platform()), Err(DecryptError::WrongKey), "first block");
        let last = PLATFORM.len() - 1;
        assert!(matches!(decrypt(&flip(PLATFORM, last), &platform()), Err(DecryptError::Corrupt { .. })), "padding");
        assert_eq!(decrypt(&PLATFORM[..PLATFORM.len() - 5], &platform()), Err(DecryptError::Truncated));
        assert_eq!(decrypt(&PLATFORM[..CIPHERTEXT_AT], &platform()), Err(DecryptError::Truncated));
        assert_eq!(decrypt(&PLATFORM[..20], &platform()), Err(DecryptError::Truncated));
        assert!(matches!(
            decrypt(&PLATFORM[..PLATFORM.len() - 16], &platform()),
            Err(DecryptError::Corrupt { .. } | DecryptError::Truncated)
        ));
        assert_eq!(decrypt(&DEVICE_MULTI[..DEVICE_MULTI.len() - 16], &device("ABCDEF")), Err(DecryptError::Truncated));
        assert_eq!(decrypt(br#"{"errorCode":"LAP035004"}"#, &platform()), Err(DecryptError::NotAPicture));
        assert_eq!(decrypt(b"", &platform()), Err(DecryptError::NotAPicture));
        assert!(matches!(decrypt(&PIXEL[..30], &KeySource::None), Err(DecryptError::Corrupt { .. })));
    }

    #[test]
    fn a_file_of_too_many_pictures_is_refused() {
        let frames = vec![PIXEL.to_vec(); MAX_PICTURES + 1];
        let file = seal::seal(&frames, &KeySource::None, KeyReading::Plain, MULTI_READINGS[0]).unwrap();
        assert_eq!(decrypt(&file, &KeySource::None), Err(DecryptError::TooManyPictures));
        let file = seal::seal(&frames[1..], &KeySource::None, KeyReading::Plain, MULTI_READINGS[0]).unwrap();
        assert_eq!(decrypt(&file, &KeySource::None).unwrap().pictures.len(), MAX_PICTURES);
    }
}
