//! Alarm pictures (seed L489-514 and 3.36): the two URL kinds an alarm carries, the download, and
//! the decryption of encrypted pictures in both modes.
//!
//! - [`PictureRef`] ([`url`]): an alarm's picture URL, parsed. `ISAPI_FILES/...$encrypt=n,time,checksum`
//!   paths are resolved through `alarm/pictureurl` first; `https://...&isEncrypted=n&isDevVideo=n`
//!   URLs are downloaded directly. Its [`Encryption`] comes from the URL itself, because the
//!   Boolean `encrypt` of the `alarm/pictureurl` answer cannot tell device from platform.
//! - [`decrypt()`] ([`mod@decrypt`]): `hikencodepicture` files, AES-128-CBC with PKCS#7, in
//!   device mode (the device's stream encryption key) and platform mode (a key derived from the
//!   checksum and timestamp), single or multi-picture. The seed is ambiguous in several places:
//!   every documented reading is tried in a fixed order, each result is verified (JPEG start and
//!   segment structure, padding), and the [`Reading`] that verified is reported. See `docs/hpp.md`.
//! - [`KeySource`] ([`key`]): what decrypts a picture, and the key derivations.
//! - [`seal`]: the inverse of [`decrypt()`], as this crate reads the format (simulator, tests and
//!   benchmarks).
//! - `Client::fetch_alarm_picture` ([`fetch`]): resolve, download (no token sent to the storage
//!   host, size-limited), decrypt.

pub mod decrypt;
pub mod fetch;
pub mod frame;
mod jpeg;
pub mod key;
pub mod seal;
pub mod url;

mod cipher;

pub use decrypt::{decrypt, DecryptError, Decrypted, Reading, HEADER, MAX_PICTURES};
pub use frame::{ByteOrder, Framing};
pub use key::{DeviceCheck, KeyReading, KeySource};
pub use url::{Encryption, PictureRef, PictureSource, PictureUrlError};
