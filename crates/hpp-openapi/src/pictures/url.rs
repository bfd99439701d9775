//! The picture URLs of alarm messages (seed L489-495): `ISAPI_FILES` paths and direct URLs.

use std::fmt;
use std::str::FromStr;

/// The prefix of the file paths that must be resolved through `alarm/pictureurl`.
pub const ISAPI_FILES: &str = "ISAPI_FILES/";

/// The longest picture URL accepted (alarm URLs are a few hundred bytes).
pub const MAX_URL_LEN: usize = 8 * 1024;

/// How a picture is encrypted, as its URL says (`encrypt=` of a path, `isEncrypted=` of a URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encryption {
    /// `0`, or no flag at all: not encrypted.
    None,
    /// `1`: encrypted by the device with its stream encryption key (the user's secret).
    Device,
    /// `2` in an `ISAPI_FILES` path: encrypted by the platform; the key derives from the
    /// `checksum` and `timestamp` of the path itself.
    Platform {
        /// The checksum of the path (hex text, 30 or 32 digits in the seed's examples).
        checksum: String,
        /// The timestamp of the path, as written (`2022-01-07T08:58:43`).
        timestamp: String,
    },
    /// `isEncrypted=2` in a direct URL: encrypted by the platform, and the key derives from the
    /// `checksum` and alarm time of the event message (L500), which the URL does not carry: set
    /// them with [`PictureRef::with_platform_key`] before fetching.
    PlatformFromEvent,
}

/// Where a picture is downloaded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PictureSource {
    /// An `ISAPI_FILES/...` path: `alarm/pictureurl` gives its download URL (valid two hours).
    IsapiFiles {
        /// The whole path as the alarm carried it (what `alarm/pictureurl` takes).
        file_path: String,
    },
    /// An `http(s)` URL downloaded as it is.
    Direct {
        /// The URL.
        url: String,
    },
}

/// A picture URL of an alarm message, parsed (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PictureRef {
    source: PictureSource,
    encryption: Encryption,
    multi: bool,
    device_serial: Option<String>,
    channel: Option<u32>,
}

/// Why a picture URL was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PictureUrlError {
    /// The URL is empty.
    Empty,
    /// The URL is longer than [`MAX_URL_LEN`].
    TooLong,
    /// Neither an `ISAPI_FILES/` path nor an absolute `http(s)` URL.
    UnknownForm,
    /// The encryption flag is not `0`, `1` or `2` (the value, cut to 16 characters).
    BadEncryptFlag(String),
    /// `isDevVideo` is not `0` or `1` (the value, cut to 16 characters).
    BadMultiFlag(String),
    /// A platform-encrypted path without its timestamp or checksum.
    MissingPlatformKey,
}

impl fmt::Display for PictureUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the picture URL is empty"),
            Self::TooLong => write!(f, "the picture URL is longer than {MAX_URL_LEN} bytes"),
            Self::UnknownForm => f.write_str("the picture URL is neither an ISAPI_FILES path nor an http(s) URL"),
            Self::BadEncryptFlag(v) => write!(f, "the picture's encryption flag {v:?} is not 0, 1 or 2"),
            Self::BadMultiFlag(v) => write!(f, "the picture's isDevVideo flag {v:?} is not 0 or 1"),
            Self::MissingPlatformKey => {
                f.write_str("a platform-encrypted picture path lacks its timestamp or checksum")
            }
        }
    }
}

impl std::error::Error for PictureUrlError {}

/// `value` cut to 16 characters (for error messages).
fn short(value: &str) -> String {
    value.chars().take(16).collect()
}

impl PictureRef {
    /// Parses a picture URL of an alarm message (surrounding spaces ignored).
    ///
    /// # Errors
    /// [`PictureUrlError`] for an empty, overlong or unknown form, or a bad flag.
    pub fn parse(url: &str) -> Result<Self, PictureUrlError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(PictureUrlError::Empty);
        }
        if url.len() > MAX_URL_LEN {
            return Err(PictureUrlError::TooLong);
        }
        if url.starts_with(ISAPI_FILES) {
            Self::parse_isapi(url)
        } else {
            Self::parse_direct(url)
        }
    }

    /// `ISAPI_FILES/<serial>_<ch>/<file>$encrypt=<0|1|2>,<timestamp>,<checksum>` (L492).
    fn parse_isapi(path: &str) -> Result<Self, PictureUrlError> {
        let rest = path.strip_prefix(ISAPI_FILES).unwrap_or(path);
        let (location, flags) = match rest.split_once("$encrypt=") {
            Some((location, flags)) => (location, Some(flags)),
            None => (rest, None),
        };
        if location.is_empty() {
            return Err(PictureUrlError::UnknownForm);
        }
        let encryption = match flags {
            None => Encryption::None,
            Some(flags) => {
                let mut parts = flags.splitn(3, ',').map(str::trim);
                match parts.next().unwrap_or_default() {
                    "0" => Encryption::None,
                    "1" => Encryption::Device,
                    "2" => {
                        let timestamp = parts.next().filter(|t| !t.is_empty());
                        let checksum = parts.next().filter(|c| !c.is_empty());
                        match (timestamp, checksum) {
                            (Some(t), Some(c)) => {
                                Encryption::Platform { checksum: c.to_owned(), timestamp: t.to_owned() }
                            }
                            _ => return Err(PictureUrlError::MissingPlatformKey),
                        }
                    }
                    other => return Err(PictureUrlError::BadEncryptFlag(short(other))),
                }
            }
        };
        let device = location.split('/').next().unwrap_or_default();
        let (device_serial, channel) = match device.rsplit_once('_') {
            Some((serial, ch)) if !serial.is_empty() => (Some(serial.to_owned()), ch.parse().ok()),
            _ => (None, None),
        };
        Ok(PictureRef {
            source: PictureSource::IsapiFiles { file_path: path.to_owned() },
            encryption,
            multi: false,
            device_serial,
            channel,
        })
    }

    /// `https://...&isEncrypted=<n>&...&isDevVideo=<n>` (L494).
    fn parse_direct(url: &str) -> Result<Self, PictureUrlError> {
        let parsed = ::url::Url::parse(url).map_err(|_| PictureUrlError::UnknownForm)?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
            return Err(PictureUrlError::UnknownForm);
        }
        let (mut encrypted, mut dev_video, mut serial, mut channel) = (None, None, None, None);
        for (name, value) in parsed.query_pairs() {
            match name.as_ref() {
                "isEncrypted" if encrypted.is_none() => encrypted = Some(value.into_owned()),
                "isDevVideo" if dev_video.is_none() => dev_video = Some(value.into_owned()),
                "deviceSerialNo" if serial.is_none() => serial = Some(value.into_owned()),
                "cn" if channel.is_none() => channel = value.parse().ok(),
                _ => {}
            }
        }
        let encryption = match encrypted.as_deref().map(str::trim) {
            None | Some("0") => Encryption::None,
            Some("1") => Encryption::Device,
            Some("2") => Encryption::PlatformFromEvent,
            Some(other) => return Err(PictureUrlError::BadEncryptFlag(short(other))),
        };
        let multi = match dev_video.as_deref().map(str::trim) {
            None | Some("0") => false,
            Some("1") => true,
            Some(other) => return Err(PictureUrlError::BadMultiFlag(short(other))),
        };
        Ok(PictureRef {
            source: PictureSource::Direct { url: url.to_owned() },
            encryption,
            multi,
            device_serial: serial.filter(|s| !s.is_empty()),
            channel,
        })
    }

    /// The same picture with the platform key material of its event message (`checksum` and
    /// the alarm time, L500): what a direct URL with `isEncrypted=2` needs. Other pictures are
    /// returned unchanged.
    #[must_use]
    pub fn with_platform_key(mut self, checksum: impl Into<String>, alarm_time: impl Into<String>) -> Self {
        if self.encryption == Encryption::PlatformFromEvent {
            self.encryption = Encryption::Platform { checksum: checksum.into(), timestamp: alarm_time.into() };
        }
        self
    }

    /// Where the picture is downloaded from.
    pub fn source(&self) -> &PictureSource {
        &self.source
    }

    /// How the picture is encrypted.
    pub fn encryption(&self) -> &Encryption {
        &self.encryption
    }

    /// Whether the URL announces a multi-picture file (`isDevVideo=1`). Decryption reads the
    /// file's own framing either way.
    pub fn is_multi(&self) -> bool {
        self.multi
    }

    /// The device serial the URL names, when it names one.
    pub fn device_serial(&self) -> Option<&str> {
        self.device_serial.as_deref()
    }

    /// The channel the URL names, when it names one.
    pub fn channel(&self) -> Option<u32> {
        self.channel
    }

    /// Whether `alarm/pictureurl` must be called before the download.
    pub fn needs_resolving(&self) -> bool {
        matches!(self.source, PictureSource::IsapiFiles { .. })
    }
}

impl FromStr for PictureRef {
    type Err = PictureUrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_isapi_paths_parse_with_their_platform_key() {
        // L492 (30-digit checksum) and the 3.36 request example (L3367-3368, joined).
        let p = PictureRef::parse(
            "ISAPI_FILES/E44034229_2/20220107064543310-E44034229-2-10000-5$encrypt=2,2022-01-07T08:58:43,107be007f872b61a720d4c1b075c96",
        )
        .unwrap();
        assert!(p.needs_resolving() && !p.is_multi());
        assert_eq!((p.device_serial(), p.channel()), (Some("E44034229"), Some(2)));
        assert_eq!(
            p.encryption(),
            &Encryption::Platform {
                checksum: "107be007f872b61a720d4c1b075c96".into(),
                timestamp: "2022-01-07T08:58:43".into()
            }
        );
        let p = PictureRef::parse(
            " ISAPI_FILES/C94115305_6/20210809105618274-C94115305-6-10000-2$encrypt=2,2021-08-09T12:54:25,fd9b7f16393203046d40be71da380128",
        )
        .unwrap();
        let PictureSource::IsapiFiles { file_path } = p.source() else { panic!("{p:?}") };
        assert!(file_path.starts_with("ISAPI_FILES/C94115305_6/") && file_path.ends_with("0128"));
        assert!(matches!(p.encryption(), Encryption::Platform { timestamp, .. } if timestamp == "2021-08-09T12:54:25"));
        let device = PictureRef::parse("ISAPI_FILES/Q1_1/x$encrypt=1,2022-01-07T08:58:43,ab").unwrap();
        assert_eq!(device.encryption(), &Encryption::Device);
        assert_eq!(PictureRef::parse("ISAPI_FILES/Q1_1/x$encrypt=0").unwrap().encryption(), &Encryption::None);
        assert_eq!(PictureRef::parse("ISAPI_FILES/Q1_1/x").unwrap().encryption(), &Encryption::None);
    }

    #[test]
    fn the_seed_direct_urls_parse() {
        // L494, the Linkage example (L5017) and the YsCallingEvent cover URL (L5268-5269).
        let p = PictureRef::parse("https://ieu.ezvizlife.com/v3/alarms/pic/get?fileId=20211231074837-E61958062-1-40002-2-1&deviceSerialNo=E61958062&cn=1&isEncrypted=0&isCloudStored=0&ct=5&lc=7&bn=5_alarm.eu&isDevVideo=0").unwrap();
        assert!(!p.needs_resolving() && !p.is_multi());
        assert_eq!((p.encryption(), p.device_serial(), p.channel()), (&Encryption::None, Some("E61958062"), Some(1)));
        let p = PictureRef::parse("https://isgp.ezvizlife.com/v3/alarms/pic/get?fileId=20240508124817-K20924932-1-00000-2-1&deviceSerialNo=K20924932&cn=1&isEncrypted=1&ct=4&lc=90&bn=4_alialarm-sgp").unwrap();
        assert_eq!(p.encryption(), &Encryption::Device);
        let p = PictureRef::parse("https://x.example/p?isEncrypted=2&isDevVideo=1").unwrap();
        assert!(p.is_multi());
        assert_eq!(p.encryption(), &Encryption::PlatformFromEvent);
        let keyed = p.with_platform_key("abc", "2024-05-08T20:48:17");
        assert_eq!(
            keyed.encryption(),
            &Encryption::Platform { checksum: "abc".into(), timestamp: "2024-05-08T20:48:17".into() }
        );
        // Only a platform-from-event picture takes a key from outside.
        let device = PictureRef::parse("https://x.example/p?isEncrypted=1").unwrap().with_platform_key("a", "b");
        assert_eq!(device.encryption(), &Encryption::Device);
    }

    #[test]
    fn unknown_forms_and_flags_are_typed_errors() {
        for (url, err) in [
            ("", PictureUrlError::Empty),
            ("   ", PictureUrlError::Empty),
            ("ftp://x.example/p", PictureUrlError::UnknownForm),
            ("/relative/path.jpg", PictureUrlError::UnknownForm),
            ("ISAPI_FILES/", PictureUrlError::UnknownForm),
            ("ISAPI_FILES/a_1/b$encrypt=3,t,c", PictureUrlError::BadEncryptFlag("3".into())),
            ("ISAPI_FILES/a_1/b$encrypt=2,,c", PictureUrlError::MissingPlatformKey),
            ("ISAPI_FILES/a_1/b$encrypt=2,t", PictureUrlError::MissingPlatformKey),
            ("https://x.example/p?isEncrypted=yes", PictureUrlError::BadEncryptFlag("yes".into())),
            ("https://x.example/p?isDevVideo=2", PictureUrlError::BadMultiFlag("2".into())),
        ] {
            assert_eq!(PictureRef::parse(url), Err(err), "{url:?}");
        }
        assert_eq!(PictureRef::parse(&"h".repeat(MAX_URL_LEN + 1)), Err(PictureUrlError::TooLong));
    }
}
