//! What decrypts a picture ([`KeySource`]) and the key derivations of both modes (L498-506).
//!
//! - Platform: SHA-256 of `checksum ‖ timestamp` (ASCII), "sorted by big endian", "the first 16
//!   characters": the first 16 characters of the lowercase hex digest, used as 16 ASCII bytes
//!   ([`KeyReading::PlatformHexLower`]); then the uppercase hex ([`KeyReading::PlatformHexUpper`]);
//!   then the first 16 raw digest bytes ([`KeyReading::PlatformRawDigest`]).
//! - Device: the device key's bytes, the first 16, zero-padded to 16 (a device verification
//!   code is usually 6 letters). The file's bytes 16..32 must equal MD5(MD5(key)): the inner
//!   digest as raw bytes ([`DeviceCheck::RawInner`]), else as lowercase hex text
//!   ([`DeviceCheck::HexInner`]).

use std::fmt;

use md5::{Digest, Md5};
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// An AES-128 key, wiped when dropped.
pub(crate) type Key = Zeroizing<[u8; 16]>;

/// What decrypts a picture.
pub enum KeySource {
    /// No key: the picture is expected to be plain.
    None,
    /// The device's stream encryption key (set by its user; a secret, never shown).
    Device(SecretString),
    /// The platform's key material: the checksum and timestamp of an `ISAPI_FILES` path, or
    /// the checksum and alarm time of the event message.
    Platform {
        /// The checksum, as written.
        checksum: String,
        /// The timestamp, as written.
        timestamp: String,
    },
}

impl fmt::Debug for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Device(_) => f.write_str("Device([REDACTED])"),
            Self::Platform { checksum, timestamp } => {
                f.debug_struct("Platform").field("checksum", checksum).field("timestamp", timestamp).finish()
            }
        }
    }
}

/// How the 16..32 bytes of a device-encrypted file were matched against the device key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceCheck {
    /// MD5 of the raw 16-byte MD5 of the key (the reading of the notes).
    RawInner,
    /// MD5 of the lowercase hex text of the MD5 of the key (fallback).
    HexInner,
}

/// Which key derivation decrypted a picture (or that it was plain).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyReading {
    /// Not encrypted: a JPEG as downloaded.
    Plain,
    /// Platform key: the first 16 characters of the lowercase hex SHA-256 (the notes' reading).
    PlatformHexLower,
    /// Platform key: the first 16 characters of the uppercase hex SHA-256 (fallback 1).
    PlatformHexUpper,
    /// Platform key: the first 16 bytes of the raw SHA-256 digest (fallback 2).
    PlatformRawDigest,
    /// Device key, zero-padded to 16 bytes, the file checked as `check` says.
    Device {
        /// How bytes 16..32 matched.
        check: DeviceCheck,
    },
}

impl KeyReading {
    /// Whether this is the first reading tried for its mode (no fallback was needed).
    pub fn is_primary(self) -> bool {
        matches!(self, Self::Plain | Self::PlatformHexLower | Self::Device { check: DeviceCheck::RawInner })
    }
}

impl fmt::Display for KeyReading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Plain => "plain",
            Self::PlatformHexLower => "platform key: lowercase hex SHA-256, first 16 characters",
            Self::PlatformHexUpper => "platform key: uppercase hex SHA-256, first 16 characters",
            Self::PlatformRawDigest => "platform key: raw SHA-256, first 16 bytes",
            Self::Device { check: DeviceCheck::RawInner } => "device key: check MD5(raw MD5(key))",
            Self::Device { check: DeviceCheck::HexInner } => "device key: check MD5(hex MD5(key))",
        })
    }
}

/// The platform readings, in the order they are tried.
pub const PLATFORM_READINGS: [KeyReading; 3] =
    [KeyReading::PlatformHexLower, KeyReading::PlatformHexUpper, KeyReading::PlatformRawDigest];

/// The device checks, in the order they are tried.
pub const DEVICE_CHECKS: [DeviceCheck; 2] = [DeviceCheck::RawInner, DeviceCheck::HexInner];

/// The platform key of `reading` (`None` for a reading that is not a platform one).
pub(crate) fn platform_key(checksum: &str, timestamp: &str, reading: KeyReading) -> Option<Key> {
    let digest: Zeroizing<[u8; 32]> =
        Zeroizing::new(Sha256::new().chain_update(checksum).chain_update(timestamp).finalize().into());
    let mut key = Zeroizing::new([0u8; 16]);
    match reading {
        KeyReading::PlatformHexLower | KeyReading::PlatformHexUpper => {
            let hex = Zeroizing::new(if reading == KeyReading::PlatformHexLower {
                hex::encode(digest.as_slice())
            } else {
                hex::encode_upper(digest.as_slice())
            });
            key.copy_from_slice(hex.as_bytes().get(..16)?);
        }
        KeyReading::PlatformRawDigest => key.copy_from_slice(digest.get(..16)?),
        _ => return None,
    }
    Some(key)
}

/// The device key: its first 16 bytes, zero-padded.
pub(crate) fn device_key(secret: &SecretString) -> Key {
    let mut key = Zeroizing::new([0u8; 16]);
    for (k, b) in key.iter_mut().zip(secret.expose_secret().as_bytes()) {
        *k = *b;
    }
    key
}

/// What bytes 16..32 of a file encrypted with `secret` hold, by `check`.
pub(crate) fn device_check(secret: &SecretString, check: DeviceCheck) -> [u8; 16] {
    let inner: Zeroizing<[u8; 16]> = Zeroizing::new(Md5::digest(secret.expose_secret().as_bytes()).into());
    let outer = match check {
        DeviceCheck::RawInner => Md5::digest(inner.as_slice()),
        DeviceCheck::HexInner => Md5::digest(Zeroizing::new(hex::encode(inner.as_slice())).as_bytes()),
    };
    outer.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    // The vectors were computed in the shell, not with this code:
    //   printf '%s' 'fd9b7f16393203046d40be71da3801282021-08-09T12:54:25' | sha256sum
    //   = 0d8694dd912aa7ded71d76e50bc57350bea2400eef66c3d05d8360824e7b5349
    //   printf '%s' 'ABCDEF' | openssl dgst -md5 -binary | openssl dgst -md5   = 5f73e25ac3e08f98d77930d12a92b022
    //   printf '%s' 'ABCDEF' | md5sum = 8827a41122a5028b9808c7bf84b9fcf6
    //   printf '%s' '8827a41122a5028b9808c7bf84b9fcf6' | md5sum = aa37ad52a5a65df39791a95818fb3298
    const CHECKSUM: &str = "fd9b7f16393203046d40be71da380128";
    const TIMESTAMP: &str = "2021-08-09T12:54:25";

    fn hex16(s: &str) -> [u8; 16] {
        let mut out = [0u8; 16];
        hex::decode_to_slice(s, &mut out).unwrap();
        out
    }

    #[test]
    fn the_platform_key_of_the_3_36_example() {
        let key = |r| *platform_key(CHECKSUM, TIMESTAMP, r).unwrap();
        assert_eq!(&key(KeyReading::PlatformHexLower), b"0d8694dd912aa7de");
        assert_eq!(&key(KeyReading::PlatformHexUpper), b"0D8694DD912AA7DE");
        assert_eq!(key(KeyReading::PlatformRawDigest), hex16("0d8694dd912aa7ded71d76e50bc57350"));
        assert!(platform_key(CHECKSUM, TIMESTAMP, KeyReading::Plain).is_none());
    }

    #[test]
    fn the_device_key_is_padded_or_cut_to_16_bytes_and_checked_by_double_md5() {
        let short = SecretString::from("ABCDEF");
        assert_eq!(*device_key(&short), *b"ABCDEF\0\0\0\0\0\0\0\0\0\0");
        assert_eq!(*device_key(&SecretString::from("0123456789abcdefXYZ")), *b"0123456789abcdef");
        assert_eq!(device_check(&short, DeviceCheck::RawInner), hex16("5f73e25ac3e08f98d77930d12a92b022"));
        assert_eq!(device_check(&short, DeviceCheck::HexInner), hex16("aa37ad52a5a65df39791a95818fb3298"));
    }

    #[test]
    fn a_device_key_never_shows_in_debug() {
        let k = KeySource::Device(SecretString::from("s3cr3t-key"));
        assert!(!format!("{k:?}").contains("s3cr3t"));
    }
}
