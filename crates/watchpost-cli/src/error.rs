//! [`CliError`]: what went wrong, what to do about it, and the exit code.

use std::fmt;
use std::process::ExitCode;
use std::time::Duration;

use watchpost::{Error, ErrorClass, ErrorKind};

use crate::vendors::Vendor;

/// Exit code of a bad command line, operation or parameter (clap uses 2 for usage errors too).
pub const EXIT_USAGE: u8 = 2;
/// Exit code of an error of the vendor's service or of the transport.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code after Ctrl-C (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Why the CLI did not send the password to a device that offered only Basic authentication,
/// and how to allow it.
pub const BASIC_REFUSED_HINT: &str = "the device offered only Basic authentication over plain http, where anyone on the network could read the password, so nothing was sent: pass --auth basic to send it anyway, or use https";

/// An error of the command: a message, an optional hint, and its exit code.
#[derive(Debug)]
pub struct CliError {
    /// The exit code: [`EXIT_USAGE`] or [`EXIT_FAILURE`].
    pub exit: u8,
    /// What went wrong (one line; may name the vendor code).
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

/// `Result` with [`CliError`].
pub type CliResult<T> = Result<T, CliError>;

impl CliError {
    /// A usage error (exit code 2).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError { exit: EXIT_USAGE, message: message.into(), hint: None }
    }

    /// A failure (exit code 1).
    pub fn failure(message: impl Into<String>) -> Self {
        CliError { exit: EXIT_FAILURE, message: message.into(), hint: None }
    }

    /// Ctrl-C stopped the command (exit code 130).
    pub fn interrupted() -> Self {
        CliError { exit: EXIT_INTERRUPTED, message: "interrupted".to_owned(), hint: None }
    }

    /// The lines to print: `error: ...`, then `hint: ...` when there is one.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!("error: {}", self.message)];
        lines.extend(self.hint.as_ref().map(|h| format!("hint: {h}")));
        lines
    }

    /// The same error with a hint.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The process exit code.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit)
    }

    /// A watchpost error of `vendor`'s client: the error and its causes (with the vendor's code
    /// and message), the meaning of the vendor code where the crate knows it, and what to do.
    /// [`ErrorKind::InvalidInput`] (nothing was sent) exits with 2, anything else with 1.
    pub fn vendor(vendor: &dyn Vendor, e: &Error) -> Self {
        let mut message = format!("{} {}", vendor.title(), e.report());
        if let Some(meaning) = vendor.code_meaning(e).filter(|d| !d.is_empty()) {
            let plain = meaning.trim_end_matches('.').to_ascii_lowercase();
            if !message.to_ascii_lowercase().contains(&plain) {
                message.push_str(&format!(" [{meaning}]"));
            }
        }
        let exit = if e.kind() == ErrorKind::InvalidInput { EXIT_USAGE } else { EXIT_FAILURE };
        CliError { exit, message, hint: Some(hint(vendor, e)) }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\nhint: {h}")?;
        }
        Ok(())
    }
}

fn secs(d: Duration) -> String {
    if d.as_secs() >= 1 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// What to do about `e`.
fn hint(vendor: &dyn Vendor, e: &Error) -> String {
    match e {
        Error::UnsupportedChallenge { scheme, .. } if scheme.eq_ignore_ascii_case("basic") => {
            BASIC_REFUSED_HINT.to_owned()
        }
        Error::UnsupportedChallenge { .. } => {
            "the device asked for an authentication this client cannot answer safely; no password was sent (this is not a wrong password)".to_owned()
        }
        Error::InvalidInput { op, .. } => {
            if vendor.operation(op).is_some() {
                format!("check the parameters: `watchpost {} {op} --list` lists them with their types", vendor.id())
            } else {
                format!("check the command line: `watchpost {} --help` shows the options", vendor.id())
            }
        }
        Error::Transport { source, .. } if source.is_connect() => format!(
            "the service could not be reached: check --base-url (or {}) and the network",
            vendor.env("BASE_URL")
        ),
        Error::Transport { .. } if e.is_certificate() => {
            e.hint().unwrap_or("pass the device's CA with --ca-cert FILE or pin it with --pin-sha256 HASH").to_owned()
        }
        Error::Transport { .. } => "the connection failed mid-request: try again".to_owned(),
        Error::Timeout { .. } => "the service did not answer in time: check the address and try again".to_owned(),
        Error::AuthLocked { lockout, .. } => format!(
            "the account is locked after failed logins{}: do not retry until then, and check {}",
            lockout.lock_time.map(|d| format!("; it unlocks in {}", secs(d))).unwrap_or_default(),
            vendor.credential_help()
        ),
        Error::Auth { expired: true, .. } => {
            format!("the token or session expired: run the command again, or check {}", vendor.credential_help())
        }
        Error::Auth { lockout, .. } => format!(
            "the credentials were rejected: check {}{}",
            vendor.credential_help(),
            lockout.retries_left.map(|n| format!(" ({n} attempts left before the account locks)")).unwrap_or_default()
        ),
        Error::Redirect { .. } => format!(
            "nothing was done: the address answered with a redirect, which is never followed (credentials stay with the configured origin); point --base-url (or {}) at the service itself",
            vendor.env("BASE_URL")
        ),
        Error::RateLimited { retry_after, .. } => format!(
            "the service throttled the call: wait{} and try again",
            retry_after.map(|d| format!(" {}", secs(d))).unwrap_or_default()
        ),
        Error::Decode { .. } => {
            "the answer could not be read: the service may not be the one the address names (check --base-url), or it answered in an unexpected shape".to_owned()
        }
        Error::Unsupported { .. } => "the device or service does not support this operation".to_owned(),
        Error::Stream { .. } => "the stream failed: it reconnects by itself; check the network if it persists".to_owned(),
        _ => match e.class() {
            ErrorClass::Retryable => "a transient error: try again in a moment".to_owned(),
            ErrorClass::RateLimited => "the service throttled the call: wait and try again".to_owned(),
            ErrorClass::AuthExpired => "the token expired: run the command again".to_owned(),
            ErrorClass::AuthRejected => format!("the credentials were rejected: check {}", vendor.credential_help()),
            ErrorClass::Unsupported => "the device or service does not support this".to_owned(),
            _ => format!(
                "the service refused the request: check the parameters (`watchpost {} {} --list`) and the device's state",
                vendor.id(),
                e.op()
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_input_is_a_usage_error() {
        let vendor = crate::vendors::VENDORS.first().expect("at least one vendor feature is on");
        let e = Error::invalid_input("device.info", "bad parameters: missing field `deviceSerial`");
        let c = CliError::vendor(*vendor, &e);
        assert_eq!(c.exit, EXIT_USAGE);
        assert!(c.to_string().contains("missing field `deviceSerial`"), "{c}");
        assert!(c.to_string().contains("hint:"), "{c}");
    }

    #[test]
    #[cfg(feature = "hikgw")]
    fn the_message_gives_every_cause_once() {
        let decode = Error::decode(
            "event.subscribe",
            None,
            br#"{"EventNotificationAlert":{"CIDAlarm":{"zoneNo":"twelve"}}}"#,
            watchpost::core::error::DecodeError::Xml {
                message: "invalid digit found in string".into(),
                path: Some("CIDAlarm.zoneNo".into()),
            },
        );
        let e = Error::Stream {
            op: "event.subscribe".into(),
            message: "an alarm stream part could not be decoded; the stream continues".into(),
            cause: Some(Box::new(decode)),
        };
        let text =
            CliError::vendor(crate::vendors::find("hikgw").expect("the hikgw vendor is registered"), &e).to_string();
        for part in ["stream error", "cannot decode response", "invalid XML at `CIDAlarm.zoneNo`", "invalid digit"] {
            assert_eq!(text.matches(part).count(), 1, "{part:?} once in:\n{text}");
        }
    }

    #[test]
    #[cfg(feature = "ezviz")]
    fn rejected_credentials_name_the_code_and_the_flags() {
        let e = Error::Auth {
            op: "token.get".into(),
            status: Some(200),
            code: Some("10030".into()),
            message: Some("appKey and appSecret mismatched".into()),
            expired: false,
            lockout: Default::default(),
        };
        let vendor = crate::vendors::find("ezviz").expect("the ezviz feature is on");
        let c = CliError::vendor(vendor, &e);
        assert_eq!(c.exit, EXIT_FAILURE);
        let text = c.to_string();
        assert!(text.contains("10030") && text.contains("WATCHPOST_EZVIZ_APP_SECRET"), "{text}");
    }
}
