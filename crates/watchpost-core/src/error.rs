//! The one error type of watchpost and its retry classification.
//!
//! Every fallible call in watchpost returns [`Error`]. An error carries the id of the
//! operation that failed, the HTTP status and the vendor's own code and message where the
//! service sent them, and [`Error::class`] tells a caller (and the retry loop) what can be done
//! about it. Secrets never appear in an error: body excerpts are cut short and scrubbed of
//! anything that looks like a credential (see [`excerpt`]).

use std::fmt;
use std::time::{Duration, SystemTime};

use snafu::Snafu;

/// A boxed error source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `Result` with watchpost's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can be done about an error: the input of every retry and re-auth decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// A transient failure (network, 5xx, vendor "busy"): repeating the same request may succeed.
    /// Retried only for idempotent operations or when the vendor declares the code safe.
    Retryable,
    /// The service throttled the caller: wait (for `retry_after` when known) and repeat.
    RateLimited,
    /// The token or session expired: refresh credentials once and replay.
    AuthExpired,
    /// The credentials were rejected: never repeated, because devices lock accounts.
    AuthRejected,
    /// The request itself is wrong or the resource is in a state that will not change by retrying.
    Permanent,
    /// The device or service does not support the operation or capability.
    Unsupported,
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Retryable => "retryable",
            Self::RateLimited => "rate limited",
            Self::AuthExpired => "auth expired",
            Self::AuthRejected => "auth rejected",
            Self::Permanent => "permanent",
            Self::Unsupported => "unsupported",
        })
    }
}

/// The kind of an [`Error`], without its data: handy for matching and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`Error::Transport`].
    Transport,
    /// See [`Error::Timeout`].
    Timeout,
    /// See [`Error::Auth`].
    Auth,
    /// See [`Error::AuthLocked`].
    AuthLocked,
    /// See [`Error::RateLimited`].
    RateLimited,
    /// See [`Error::Api`].
    Api,
    /// See [`Error::Decode`].
    Decode,
    /// See [`Error::Unsupported`].
    Unsupported,
    /// See [`Error::InvalidInput`].
    InvalidInput,
    /// See [`Error::Stream`].
    Stream,
    /// See [`Error::Redirect`].
    Redirect,
    /// See [`Error::UnsupportedChallenge`].
    UnsupportedChallenge,
}

/// Which deadline a [`Error::Timeout`] hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Establishing the TCP (and TLS) connection.
    Connect,
    /// One attempt: sending the request and reading the whole response.
    Attempt,
    /// The whole operation, all attempts and back-off sleeps included.
    Operation,
    /// A long-lived stream received nothing (not even a heartbeat) for its idle limit.
    Idle,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connect",
            Self::Attempt => "attempt",
            Self::Operation => "operation",
            Self::Idle => "idle",
        })
    }
}

/// Why a response body could not be decoded.
#[derive(Debug, Snafu)]
#[snafu(visibility(pub))]
#[non_exhaustive]
pub enum DecodeError {
    /// The body is not the JSON the model expects.
    #[snafu(display("invalid JSON{}", PathSuffix(path.as_deref())))]
    Json {
        /// The parser's error.
        source: serde_json::Error,
        /// Where in the document decoding failed (`data.items[3].status`), when known.
        path: Option<String>,
    },
    /// The body is not the XML the model expects.
    #[snafu(display("invalid XML{}: {message}", PathSuffix(path.as_deref())))]
    Xml {
        /// The parser's message.
        message: String,
        /// Where in the document decoding failed (`ZoneList.Zone[1].id`), when known.
        path: Option<String>,
    },
    /// The body is not valid `application/x-www-form-urlencoded` data.
    #[snafu(display("invalid form data"))]
    Form {
        /// The parser's error.
        source: serde_urlencoded::de::Error,
    },
    /// The body is not UTF-8 text.
    #[snafu(display("body is not UTF-8"))]
    Utf8 {
        /// The conversion error.
        source: std::str::Utf8Error,
    },
    /// The document nests elements deeper than the decoder allows (see
    /// `codec::xml::MAX_DEPTH`); it was refused before any recursive decoding started.
    #[snafu(display("document nested deeper than the limit of {limit} levels"))]
    TooDeep {
        /// The nesting limit in levels.
        limit: usize,
    },
    /// The body was larger than the configured limit; reading stopped there.
    #[snafu(display("body larger than the limit of {limit} bytes"))]
    TooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The body was empty where content was expected.
    #[snafu(display("empty body"))]
    Empty,
    /// The vendor envelope is missing a required member or has the wrong shape.
    #[snafu(display("bad envelope: {message}"))]
    Envelope {
        /// What is wrong with it.
        message: String,
    },
    /// The response has a content type the operation cannot decode.
    #[snafu(display("unexpected content type {content_type:?}"))]
    ContentType {
        /// The content type the service sent.
        content_type: String,
    },
    /// The body is not the binary content the operation expects (an alarm picture that does not
    /// decrypt, say): `source` says why and downcasts to the vendor crate's own error type.
    #[snafu(display("the content was refused"))]
    Content {
        /// Why the content was refused.
        source: BoxError,
    },
}

impl DecodeError {
    /// A [`DecodeError::Json`] without a known path.
    pub fn json(source: serde_json::Error) -> Self {
        DecodeError::Json { source, path: None }
    }

    /// A [`DecodeError::Xml`] without a known path.
    pub fn xml(message: impl Into<String>) -> Self {
        DecodeError::Xml { message: message.into(), path: None }
    }

    /// Where in the document decoding failed (`data.items[3].status`), when known.
    pub fn path(&self) -> Option<&str> {
        match self {
            DecodeError::Json { path, .. } | DecodeError::Xml { path, .. } => path.as_deref(),
            _ => None,
        }
    }

    /// The same error with `prefix` put in front of its path: decoding a member (`data`) on its
    /// own knows only the path inside it. A path-less JSON or XML error gets `prefix` as its path.
    #[must_use]
    pub fn under(mut self, prefix: &str) -> Self {
        if let DecodeError::Json { path, .. } | DecodeError::Xml { path, .. } = &mut self {
            *path = Some(join_path(prefix, path.as_deref()));
        }
        self
    }
}

/// `prefix` followed by `inner` (`data` + `items[3]` = `data.items[3]`, `data` + `[0]` = `data[0]`).
fn join_path(prefix: &str, inner: Option<&str>) -> String {
    match inner {
        None | Some("" | ".") => prefix.to_owned(),
        Some(p) if p.starts_with('[') => format!("{prefix}{p}"),
        Some(p) => format!("{prefix}.{p}"),
    }
}

/// Formats `" at `data.items[3].status`"` when a path is known.
struct PathSuffix<'a>(Option<&'a str>);

impl fmt::Display for PathSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(path) => write!(f, " at `{path}`"),
            None => Ok(()),
        }
    }
}

/// Why the transport failed; opaque, with predicates (in the style of hyper-util's error).
#[derive(Debug)]
pub struct TransportError {
    kind: TransportKind,
    source: Option<BoxError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TransportKind {
    Connect,
    Request,
    Body,
    Tls,
    Config,
    /// The server's certificate failed verification; the reason is a short, secret-free phrase.
    Certificate(&'static str),
}

/// What a user can do about a certificate the client does not trust.
const CERTIFICATE_HINT: &str = "pass the device's CA with --ca-cert FILE or pin it with --pin-sha256 HASH";

impl TransportError {
    /// The connection could not be established (DNS, refused, TLS handshake): the request was
    /// never written, so repeating it is safe even for a non-idempotent operation.
    pub fn connect(source: impl Into<BoxError>) -> Self {
        Self { kind: TransportKind::Connect, source: Some(source.into()) }
    }
    /// The request failed after the connection was established.
    pub fn request(source: impl Into<BoxError>) -> Self {
        Self { kind: TransportKind::Request, source: Some(source.into()) }
    }
    /// Reading the response body failed (reset, truncated).
    pub fn body(source: impl Into<BoxError>) -> Self {
        Self { kind: TransportKind::Body, source: Some(source.into()) }
    }
    /// TLS configuration could not be built (bad root certificate, bad pin).
    pub fn tls(source: impl Into<BoxError>) -> Self {
        Self { kind: TransportKind::Tls, source: Some(source.into()) }
    }
    /// The server's certificate failed verification (unknown issuer, self-signed, expired,
    /// wrong name, pin mismatch). `reason` says which, in a few words.
    pub fn certificate(reason: &'static str, source: impl Into<BoxError>) -> Self {
        Self { kind: TransportKind::Certificate(reason), source: Some(source.into()) }
    }
    /// The request could not be built (bad URL, bad header value).
    pub fn config(source: impl Into<BoxError>) -> Self {
        Self { kind: TransportKind::Config, source: Some(source.into()) }
    }
    /// Whether the connection could not be established (the request was never sent).
    pub fn is_connect(&self) -> bool {
        self.kind == TransportKind::Connect
    }
    /// Whether reading the response body failed.
    pub fn is_body(&self) -> bool {
        self.kind == TransportKind::Body
    }
    /// Whether the client configuration or the request itself was invalid.
    pub fn is_config(&self) -> bool {
        matches!(self.kind, TransportKind::Config | TransportKind::Tls)
    }
    /// Whether the server's certificate is not trusted (retrying will not change that; trusting
    /// its CA or pinning it will).
    pub fn is_certificate(&self) -> bool {
        matches!(self.kind, TransportKind::Certificate(_))
    }
    /// What the user can do about this error, when there is a known remedy.
    pub fn hint(&self) -> Option<&'static str> {
        self.is_certificate().then_some(CERTIFICATE_HINT)
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TransportKind::Connect => f.write_str("could not connect"),
            TransportKind::Request => f.write_str("request failed"),
            TransportKind::Body => f.write_str("reading the response body failed"),
            TransportKind::Tls => f.write_str("invalid TLS configuration"),
            TransportKind::Config => f.write_str("invalid request"),
            TransportKind::Certificate(reason) => write!(f, "server certificate not trusted: {reason}"),
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// What a service said about its login lock-out when it rejected credentials.
///
/// Every field is what the service sent, `None` where it sent nothing: a Hikvision gateway
/// reports the attempts left, a lock time and the lock state on *every* rejection, before the
/// account is locked as well as after.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct LockoutInfo {
    /// Login attempts the service still allows before it locks the account.
    pub retries_left: Option<u32>,
    /// The lock time the service reported: while locked, the time until it unlocks; before,
    /// the lock it announces (Hikvision `resLockTime` / `unlockTime`).
    pub lock_time: Option<Duration>,
    /// The lock state the service reported: `Some(true)` locked, `Some(false)` not locked yet.
    pub locked: Option<bool>,
}

impl LockoutInfo {
    /// Whether the service said nothing about its lock-out.
    pub fn is_empty(&self) -> bool {
        self.retries_left.is_none() && self.lock_time.is_none() && self.locked.is_none()
    }
}

impl fmt::Display for LockoutInfo {
    /// `"locked, 0 attempts left, lock time 30s"`: the parts that are present, or nothing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if let Some(locked) = self.locked {
            f.write_str(if locked { "locked" } else { "not locked" })?;
            sep = ", ";
        }
        if let Some(n) = self.retries_left {
            write!(f, "{sep}{n} attempts left")?;
            sep = ", ";
        }
        if let Some(t) = self.lock_time {
            write!(f, "{sep}lock time {}s", t.as_secs())?;
        }
        Ok(())
    }
}

/// Formats `"; not locked, 3 attempts left, lock time 30s"` when the service said anything.
struct LockoutSuffix<'a>(&'a LockoutInfo);

impl fmt::Display for LockoutSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return Ok(());
        }
        write!(f, "; {}", self.0)
    }
}

/// The error of every watchpost operation.
///
/// Each variant carries `op`, the id of the operation (`"device.info"`, or a short
/// description for calls outside an operation table), and where known the HTTP `status` and the
/// vendor's `code` and `message`. Use [`Error::class`] to decide what to do.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The network or the HTTP layer failed before a complete response arrived.
    Transport {
        /// Operation id.
        op: String,
        /// What failed.
        source: TransportError,
    },
    /// A deadline passed.
    Timeout {
        /// Operation id.
        op: String,
        /// Which deadline.
        phase: TimeoutPhase,
        /// The configured limit that was reached.
        after: Duration,
    },
    /// The service rejected the credentials, or the token or session expired (`expired`).
    Auth {
        /// Operation id.
        op: String,
        /// HTTP status.
        status: Option<u16>,
        /// Vendor code.
        code: Option<String>,
        /// Vendor message.
        message: Option<String>,
        /// `true` when a token or session expired (refreshing may help), `false` when the
        /// credentials themselves were rejected.
        expired: bool,
        /// Everything the service said about its lock-out (attempts left, lock time, lock
        /// state), whether or not the account is locked yet.
        lockout: LockoutInfo,
    },
    /// The account is locked after too many failed logins.
    AuthLocked {
        /// Operation id.
        op: String,
        /// HTTP status.
        status: Option<u16>,
        /// Vendor code.
        code: Option<String>,
        /// Vendor message.
        message: Option<String>,
        /// Everything the service said about the lock: `lock_time` is the time until the
        /// account unlocks, when it says.
        lockout: LockoutInfo,
    },
    /// The service throttled the caller (quota or frequency limit).
    RateLimited {
        /// Operation id.
        op: String,
        /// HTTP status.
        status: Option<u16>,
        /// Vendor code.
        code: Option<String>,
        /// Vendor message.
        message: Option<String>,
        /// How long the service asked the caller to wait, when it said.
        retry_after: Option<Duration>,
        /// When the service's quota window resets (`X-RateLimit-Reset`, Gizwits 5013), when it
        /// said: no request is sent again before it.
        reset_at: Option<SystemTime>,
    },
    /// The service answered with an error code (HTTP or vendor envelope).
    Api {
        /// Operation id.
        op: String,
        /// HTTP status.
        status: Option<u16>,
        /// Vendor code.
        code: Option<String>,
        /// Vendor message.
        message: Option<String>,
        /// What can be done about it, as the vendor crate classified it.
        class: ErrorClass,
    },
    /// The response could not be decoded into the expected model.
    Decode {
        /// Operation id.
        op: String,
        /// HTTP status.
        status: Option<u16>,
        /// The first bytes of the body, secret-free (see [`excerpt`]).
        excerpt: String,
        /// Why decoding failed.
        source: DecodeError,
    },
    /// The device or service does not support this operation or capability.
    Unsupported {
        /// Operation id.
        op: String,
        /// HTTP status.
        status: Option<u16>,
        /// Vendor code.
        code: Option<String>,
        /// Vendor message.
        message: Option<String>,
    },
    /// The caller passed a value the operation cannot accept; nothing was sent.
    InvalidInput {
        /// Operation id.
        op: String,
        /// What is wrong.
        message: String,
    },
    /// The service answered with a redirect (3xx). Redirects are never followed: the request
    /// did not reach the operation, and following it could send credentials to another origin.
    Redirect {
        /// Operation id.
        op: String,
        /// HTTP status (300-399).
        status: u16,
        /// The `Location` header, scrubbed of credential-like values (see [`Error::redirect`]).
        location: Option<String>,
    },
    /// The server's authentication challenge cannot or may not be answered, so no credentials
    /// were sent: Basic offered over plain `http://` (or to a Digest-only client), an unknown
    /// Digest algorithm, a challenge without a nonce, an unparsable challenge, or no scheme the
    /// client speaks. Not a rejected password: nothing was tried.
    UnsupportedChallenge {
        /// Operation id.
        op: String,
        /// The scheme the server offered (`Basic`, `Digest`, another name, or `none`).
        scheme: String,
        /// Why it was not answered.
        reason: &'static str,
    },
    /// A long-lived stream failed (bad part, idle, cut); the stream itself may continue.
    Stream {
        /// Operation id.
        op: String,
        /// What happened.
        message: String,
        /// The underlying error, if any.
        cause: Option<Box<Error>>,
    },
}

/// Each variant says what failed at its own layer, never repeating its [`source`]: print the
/// whole chain with [`Error::report`].
///
/// [`source`]: std::error::Error::source
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Transport { op, .. } => write!(f, "{op}: transport error"),
            Error::Timeout { op, phase, after } => write!(f, "{op}: {phase} timeout after {after:?}"),
            Error::Auth { op, status, code, message, expired, lockout } => write!(
                f,
                "{op}: {}{}{}",
                if *expired { "credentials expired" } else { "credentials rejected" },
                VendorSuffix(*status, code.as_deref(), message.as_deref()),
                LockoutSuffix(lockout)
            ),
            Error::AuthLocked { op, status, code, message, lockout } => write!(
                f,
                "{op}: account locked{}{}",
                lockout.lock_time.map(|d| format!(" for {}s", d.as_secs())).unwrap_or_default(),
                VendorSuffix(*status, code.as_deref(), message.as_deref())
            ),
            Error::RateLimited { op, status, code, message, retry_after, .. } => write!(
                f,
                "{op}: rate limited{}{}",
                retry_after.map(|d| format!(", retry after {}ms", d.as_millis())).unwrap_or_default(),
                VendorSuffix(*status, code.as_deref(), message.as_deref())
            ),
            Error::Api { op, status, code, message, class } => {
                write!(f, "{op}: service error ({class}){}", VendorSuffix(*status, code.as_deref(), message.as_deref()))
            }
            Error::Decode { op, status, excerpt, .. } => write!(
                f,
                "{op}: cannot decode response{}; body starts {excerpt:?}",
                status.map(|s| format!(" (HTTP {s})")).unwrap_or_default()
            ),
            Error::Unsupported { op, status, code, message } => {
                write!(f, "{op}: not supported{}", VendorSuffix(*status, code.as_deref(), message.as_deref()))
            }
            Error::InvalidInput { op, message } => write!(f, "{op}: invalid input: {message}"),
            Error::Redirect { op, status, location } => write!(
                f,
                "{op}: the service answered HTTP {status} (a redirect, not followed){}",
                location.as_deref().map(|l| format!(" to {l}")).unwrap_or_else(|| " without a Location".to_owned())
            ),
            Error::UnsupportedChallenge { op, scheme, reason } => {
                write!(f, "{op}: {scheme} challenge not answered, no credentials sent: {reason}")
            }
            Error::Stream { op, message, .. } => write!(f, "{op}: stream error: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            Error::Decode { source, .. } => Some(source),
            Error::Stream { cause, .. } => cause.as_deref().map(|c| c as &(dyn std::error::Error + 'static)),
            Error::Timeout { .. }
            | Error::Auth { .. }
            | Error::AuthLocked { .. }
            | Error::RateLimited { .. }
            | Error::Api { .. }
            | Error::Unsupported { .. }
            | Error::InvalidInput { .. }
            | Error::Redirect { .. }
            | Error::UnsupportedChallenge { .. } => None,
        }
    }
}

/// An error and its whole chain of causes, for people: `{}` prints them on one line joined by
/// `": "` (`device.info: transport error: could not connect: Connection refused`), `{:#}` one per
/// line under `Caused by:`. Build it with [`Error::report`] or [`Report::new`] for any error.
///
/// Every watchpost error's `Display` says only what failed at its own layer and leaves its
/// cause to [`source`](std::error::Error::source), so nothing is printed twice.
#[derive(Clone, Copy)]
pub struct Report<'a>(&'a (dyn std::error::Error + 'static));

impl<'a> Report<'a> {
    /// A report of `error` and its sources.
    pub fn new(error: &'a (dyn std::error::Error + 'static)) -> Self {
        Report(error)
    }

    /// The error and each of its sources in turn, outermost first.
    pub fn chain(&self) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
        std::iter::successors(Some(self.0), |e| e.source())
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let causes = self.chain().skip(1);
        if f.alternate() {
            for (i, cause) in causes.enumerate() {
                if i == 0 {
                    f.write_str("\n\nCaused by:")?;
                }
                write!(f, "\n    {i}: {cause}")?;
            }
        } else {
            for cause in causes {
                write!(f, ": {cause}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Formats `" (HTTP 401, code 10002: token expired)"` for the vendor parts that are present.
struct VendorSuffix<'a>(Option<u16>, Option<&'a str>, Option<&'a str>);

impl fmt::Display for VendorSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let VendorSuffix(status, code, message) = *self;
        if status.is_none() && code.is_none() && message.is_none() {
            return Ok(());
        }
        f.write_str(" (")?;
        let mut sep = "";
        if let Some(s) = status {
            write!(f, "HTTP {s}")?;
            sep = ", ";
        }
        if let Some(c) = code {
            write!(f, "{sep}code {c}")?;
            sep = ", ";
        }
        if let Some(m) = message {
            write!(f, "{sep}{m}")?;
        }
        f.write_str(")")
    }
}

impl Error {
    /// This error and its whole chain of causes, for people (see [`Report`]):
    /// `eprintln!("error: {}", err.report())`.
    pub fn report(&self) -> Report<'_> {
        Report(self)
    }

    /// What can be done about this error.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Transport { source, .. } if source.is_config() || source.is_certificate() => ErrorClass::Permanent,
            Error::Transport { .. } | Error::Timeout { .. } => ErrorClass::Retryable,
            Error::Auth { expired: true, .. } => ErrorClass::AuthExpired,
            Error::Auth { .. } | Error::AuthLocked { .. } => ErrorClass::AuthRejected,
            Error::RateLimited { .. } => ErrorClass::RateLimited,
            Error::Api { class, .. } => *class,
            Error::Decode { .. }
            | Error::InvalidInput { .. }
            | Error::Redirect { .. }
            | Error::UnsupportedChallenge { .. } => ErrorClass::Permanent,
            Error::Unsupported { .. } => ErrorClass::Unsupported,
            Error::Stream { cause, .. } => cause.as_ref().map_or(ErrorClass::Retryable, |c| c.class()),
        }
    }

    /// The kind of error, without its data.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Auth { .. } => ErrorKind::Auth,
            Error::AuthLocked { .. } => ErrorKind::AuthLocked,
            Error::RateLimited { .. } => ErrorKind::RateLimited,
            Error::Api { .. } => ErrorKind::Api,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::Unsupported { .. } => ErrorKind::Unsupported,
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::Stream { .. } => ErrorKind::Stream,
            Error::Redirect { .. } => ErrorKind::Redirect,
            Error::UnsupportedChallenge { .. } => ErrorKind::UnsupportedChallenge,
        }
    }

    /// The id of the operation that failed.
    pub fn op(&self) -> &str {
        match self {
            Error::Transport { op, .. }
            | Error::Timeout { op, .. }
            | Error::Auth { op, .. }
            | Error::AuthLocked { op, .. }
            | Error::RateLimited { op, .. }
            | Error::Api { op, .. }
            | Error::Decode { op, .. }
            | Error::Unsupported { op, .. }
            | Error::InvalidInput { op, .. }
            | Error::Redirect { op, .. }
            | Error::Stream { op, .. }
            | Error::UnsupportedChallenge { op, .. } => op,
        }
    }

    /// Replaces the operation id (used when a lower layer did not know it).
    pub fn with_op(mut self, new: impl Into<String>) -> Self {
        let new = new.into();
        match &mut self {
            Error::Transport { op, .. }
            | Error::Timeout { op, .. }
            | Error::Auth { op, .. }
            | Error::AuthLocked { op, .. }
            | Error::RateLimited { op, .. }
            | Error::Api { op, .. }
            | Error::Decode { op, .. }
            | Error::Unsupported { op, .. }
            | Error::InvalidInput { op, .. }
            | Error::Redirect { op, .. }
            | Error::Stream { op, .. }
            | Error::UnsupportedChallenge { op, .. } => *op = new,
        }
        self
    }

    /// The HTTP status of the response, when one arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Auth { status, .. }
            | Error::AuthLocked { status, .. }
            | Error::RateLimited { status, .. }
            | Error::Api { status, .. }
            | Error::Decode { status, .. }
            | Error::Unsupported { status, .. } => *status,
            Error::Redirect { status, .. } => Some(*status),
            Error::Stream { cause: Some(c), .. } => c.status(),
            _ => None,
        }
    }

    /// The vendor's error code, as the service sent it (numbers as decimal text).
    pub fn vendor_code(&self) -> Option<&str> {
        match self {
            Error::Auth { code, .. }
            | Error::AuthLocked { code, .. }
            | Error::RateLimited { code, .. }
            | Error::Api { code, .. }
            | Error::Unsupported { code, .. } => code.as_deref(),
            Error::Stream { cause: Some(c), .. } => c.vendor_code(),
            _ => None,
        }
    }

    /// The vendor's error message, as the service sent it.
    pub fn vendor_message(&self) -> Option<&str> {
        match self {
            Error::Auth { message, .. }
            | Error::AuthLocked { message, .. }
            | Error::RateLimited { message, .. }
            | Error::Api { message, .. }
            | Error::Unsupported { message, .. } => message.as_deref(),
            Error::Stream { cause: Some(c), .. } => c.vendor_message(),
            _ => None,
        }
    }

    /// How long the service asked the caller to wait before repeating, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } => *retry_after,
            Error::AuthLocked { lockout, .. } => lockout.lock_time,
            _ => None,
        }
    }

    /// What the service said about its login lock-out, for a rejected or locked login.
    pub fn lockout(&self) -> Option<&LockoutInfo> {
        match self {
            Error::Auth { lockout, .. } | Error::AuthLocked { lockout, .. } => Some(lockout),
            Error::Stream { cause: Some(c), .. } => c.lockout(),
            _ => None,
        }
    }

    /// When the service's quota resets, for a rate-limit error that said.
    pub fn reset_at(&self) -> Option<SystemTime> {
        match self {
            Error::RateLimited { reset_at, .. } => *reset_at,
            _ => None,
        }
    }

    /// Whether the server's TLS certificate is not trusted (see [`TransportError::is_certificate`]).
    pub fn is_certificate(&self) -> bool {
        match self {
            Error::Transport { source, .. } => source.is_certificate(),
            Error::Stream { cause: Some(c), .. } => c.is_certificate(),
            _ => false,
        }
    }

    /// What the user can do about this error, when there is a known remedy (for a command-line
    /// tool to print under the error): trusting or pinning an untrusted certificate.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Error::Transport { source, .. } => source.hint(),
            Error::Stream { cause: Some(c), .. } => c.hint(),
            _ => None,
        }
    }

    /// Login attempts left before the account locks, when the service said.
    pub fn retries_left(&self) -> Option<u32> {
        self.lockout().and_then(|l| l.retries_left)
    }

    /// Builds an [`Error::Redirect`]; the `Location` is cut short and scrubbed of user info
    /// and credential-like values (see [`scrub_location`]).
    pub fn redirect(op: impl Into<String>, status: u16, location: Option<&str>) -> Self {
        Error::Redirect { op: op.into(), status, location: location.map(scrub_location) }
    }

    /// Builds an [`Error::InvalidInput`].
    pub fn invalid_input(op: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidInput { op: op.into(), message: message.into() }
    }

    /// Builds an [`Error::Decode`] with a secret-free excerpt of `body`.
    pub fn decode(op: impl Into<String>, status: Option<u16>, body: &[u8], source: DecodeError) -> Self {
        Error::Decode { op: op.into(), status, excerpt: excerpt(body), source }
    }

    /// Builds an [`Error::Api`].
    pub fn api(
        op: impl Into<String>,
        status: Option<u16>,
        code: Option<String>,
        message: Option<String>,
        class: ErrorClass,
    ) -> Self {
        Error::Api { op: op.into(), status, code, message, class }
    }

    /// The error for a vendor result code of class `class`: [`Error::Auth`] (with `expired` for
    /// [`ErrorClass::AuthExpired`]) for the auth classes, [`Error::Unsupported`] for
    /// [`ErrorClass::Unsupported`], [`Error::Api`] otherwise; code and message kept as sent.
    pub fn from_code(op: &str, status: Option<u16>, code: &str, message: Option<&str>, class: ErrorClass) -> Self {
        let (op, code, message) = (op.to_owned(), Some(code.to_owned()), message.map(str::to_owned));
        match class {
            ErrorClass::AuthExpired | ErrorClass::AuthRejected => {
                let expired = class == ErrorClass::AuthExpired;
                Error::Auth { op, status, code, message, expired, lockout: Default::default() }
            }
            ErrorClass::Unsupported => Error::Unsupported { op, status, code, message },
            _ => Error::api(op, status, code, message, class),
        }
    }
}

/// Maximum number of characters of a body kept in a [`Error::Decode`].
pub const EXCERPT_LEN: usize = 120;

/// Names whose values are blanked in excerpts: anything that may carry a credential.
const SECRET_KEYS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "pwd",
    "accesstoken",
    "access_token",
    "appsecret",
    "authorization",
    "key",
];

/// Whether a parameter or field name looks like it carries a credential (`accessToken`,
/// `appSecret`, `password`, `product_secret`, `key`, ...). Case-insensitive.
pub fn is_secret_key(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_KEYS.iter().any(|k| lower.contains(k))
}

/// A short, secret-free excerpt of a body for error messages.
///
/// Takes at most [`EXCERPT_LEN`] characters of the (lossily decoded) body and replaces the
/// value after any key that looks like a credential (`token`, `secret`, `password`, ...) with
/// `***`, whether it appears as JSON (`"accessToken":"..."`), form (`accessToken=...`) or XML.
pub fn excerpt(body: &[u8]) -> String {
    let head = &body[..body.len().min(EXCERPT_LEN * 4)];
    let text = String::from_utf8_lossy(head);
    let cut: String = text.chars().take(EXCERPT_LEN).collect();
    scrub_secrets(&cut)
}

/// Replaces values following credential-like keys with `***`.
pub fn scrub_secrets(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let hit = SECRET_KEYS.iter().find(|k| lower[i..].starts_with(**k) && is_key_start(bytes, i));
        let Some(key) = hit else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8().max(1);
            continue;
        };
        // Copy the key and everything up to the value separator.
        let mut j = i + key.len();
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
            j += 1;
        }
        while j < bytes.len() && matches!(bytes[j], b'"' | b'\'' | b' ' | b':' | b'=' | b'>') {
            j += 1;
        }
        out.push_str(&text[i..j]);
        let start = j;
        while j < bytes.len() && !matches!(bytes[j], b'"' | b'\'' | b'&' | b',' | b'<' | b'}' | b' ' | b'\n') {
            j += 1;
        }
        if j > start {
            out.push_str("***");
        }
        i = j;
    }
    out
}

/// Maximum number of characters of a `Location` kept in an [`Error::Redirect`].
pub const LOCATION_LEN: usize = 200;

/// A redirect target fit for an error message: at most [`LOCATION_LEN`] characters, the user
/// info of an absolute URL (`https://user:pass@host`) replaced by `***`, and the values of
/// credential-like query keys (`?accessToken=...`) replaced by `***` (see [`scrub_secrets`]).
pub fn scrub_location(location: &str) -> String {
    let cut: String = location.trim().chars().take(LOCATION_LEN).collect();
    let without_userinfo = match cut.find("://") {
        Some(i) => {
            let rest = &cut[i + 3..];
            let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            match rest[..authority_end].rfind('@') {
                Some(at) => format!("{}***@{}", &cut[..i + 3], &rest[at + 1..]),
                None => cut.clone(),
            }
        }
        None => cut.clone(),
    };
    scrub_secrets(&without_userinfo)
}

fn is_key_start(bytes: &[u8], i: usize) -> bool {
    // Inside a longer identifier ("monkey") only when preceded by a lowercase letter and the
    // key is not camel-cased ("appKey" is still a credential-ish key, "monkey" is not).
    i == 0 || !bytes[i - 1].is_ascii_lowercase() || bytes[i].is_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_codes_become_the_variant_of_their_class() {
        let e = Error::from_code("x", Some(200), "10002", None, ErrorClass::AuthExpired);
        assert!(matches!(e, Error::Auth { expired: true, .. }), "{e:?}");
        assert_eq!(e.class(), ErrorClass::AuthExpired);
        let e = Error::from_code("x", Some(200), "10030", Some("mismatch"), ErrorClass::AuthRejected);
        assert!(matches!(e, Error::Auth { expired: false, .. }), "{e:?}");
        assert_eq!(
            (e.class(), e.vendor_code(), e.vendor_message()),
            (ErrorClass::AuthRejected, Some("10030"), Some("mismatch"))
        );
        let e = Error::from_code("x", None, "60020", None, ErrorClass::Unsupported);
        assert!(matches!(e, Error::Unsupported { .. }), "{e:?}");
        let e = Error::from_code("x", None, "20008", None, ErrorClass::Retryable);
        assert!(matches!(e, Error::Api { class: ErrorClass::Retryable, .. }), "{e:?}");
    }

    #[test]
    fn excerpt_scrubs_json_form_and_xml_secrets() {
        let e = excerpt(br#"{"accessToken":"at.abc123","code":"200"}"#);
        assert!(!e.contains("abc123"), "{e}");
        assert!(e.contains("code"));
        let e = excerpt(b"appKey=k&appSecret=s3cr3t&x=1");
        assert!(!e.contains("s3cr3t"), "{e}");
        let e = excerpt(b"<password>hunter2</password>");
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn excerpt_is_bounded_and_survives_invalid_utf8() {
        let body = vec![0xffu8; 10_000];
        assert!(excerpt(&body).chars().count() <= EXCERPT_LEN);
    }

    proptest::proptest! {
        #[test]
        fn excerpt_never_panics_and_stays_short(body in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let e = excerpt(&body);
            proptest::prop_assert!(e.chars().count() <= EXCERPT_LEN + 3 * SECRET_KEYS.len());
        }

        #[test]
        fn secrets_after_keys_never_survive(secret in "[A-Za-z0-9]{12,20}", key in proptest::sample::select(SECRET_KEYS)) {
            for body in [format!(r#"{{"{key}":"{secret}"}}"#), format!("{key}={secret}&a=1"), format!("<{key}>{secret}</{key}>")] {
                let e = excerpt(body.as_bytes());
                proptest::prop_assert!(!e.contains(&secret), "{} -> {}", body, e);
            }
        }
    }

    #[test]
    fn redirect_locations_lose_credentials() {
        let e = Error::redirect("arm", 307, Some("https://user:pa55@evil.example:8443/cb?accessToken=at.s3cr3t&x=1"));
        let text = e.to_string();
        assert!(!text.contains("s3cr3t") && !text.contains("pa55"), "{text}");
        assert!(text.contains("HTTP 307") && text.contains("evil.example:8443/cb"), "{text}");
        assert_eq!((e.class(), e.kind(), e.status()), (ErrorClass::Permanent, ErrorKind::Redirect, Some(307)));
        assert!(!format!("{e:?}").contains("s3cr3t"));
        let long = format!("/x?{}", "a".repeat(1000));
        assert!(scrub_location(&long).chars().count() <= LOCATION_LEN);
        assert!(Error::redirect("op", 302, None).to_string().contains("without a Location"));
    }

    #[test]
    fn lockout_is_shown_when_the_service_said_anything() {
        let lockout =
            LockoutInfo { retries_left: Some(3), lock_time: Some(Duration::from_secs(30)), locked: Some(false) };
        let e = Error::Auth { op: "x".into(), status: Some(401), code: None, message: None, expired: false, lockout };
        assert_eq!(e.to_string(), "x: credentials rejected (HTTP 401); not locked, 3 attempts left, lock time 30s");
        assert_eq!(e.retries_left(), Some(3));
        assert_eq!(e.lockout(), Some(&lockout));
        let quiet = LockoutInfo::default();
        let e = Error::Auth { op: "x".into(), status: None, code: None, message: None, expired: false, lockout: quiet };
        assert_eq!(e.to_string(), "x: credentials rejected");
    }

    /// Which variant `e` is (with its decode or transport kind): an exhaustive match, so a new
    /// variant does not compile until it has an arm here, and `every_variant_reads_right` then
    /// fails until [`one_of_each`] builds it.
    fn arm(e: &Error) -> &'static str {
        match e {
            Error::Transport { source, .. } => match source.kind {
                TransportKind::Connect => "transport/connect",
                TransportKind::Request => "transport/request",
                TransportKind::Body => "transport/body",
                TransportKind::Tls => "transport/tls",
                TransportKind::Config => "transport/config",
                TransportKind::Certificate(_) => "transport/certificate",
            },
            Error::Timeout { .. } => "timeout",
            Error::Auth { .. } => "auth",
            Error::AuthLocked { .. } => "auth-locked",
            Error::RateLimited { .. } => "rate-limited",
            Error::Api { .. } => "api",
            Error::Decode { source, .. } => match source {
                DecodeError::Json { .. } => "decode/json",
                DecodeError::Xml { .. } => "decode/xml",
                DecodeError::Form { .. } => "decode/form",
                DecodeError::Utf8 { .. } => "decode/utf8",
                DecodeError::TooDeep { .. } => "decode/too-deep",
                DecodeError::TooLarge { .. } => "decode/too-large",
                DecodeError::Empty => "decode/empty",
                DecodeError::Envelope { .. } => "decode/envelope",
                DecodeError::ContentType { .. } => "decode/content-type",
                DecodeError::Content { .. } => "decode/content",
            },
            Error::Unsupported { .. } => "unsupported",
            Error::InvalidInput { .. } => "invalid-input",
            Error::Redirect { .. } => "redirect",
            Error::UnsupportedChallenge { .. } => "unsupported-challenge",
            Error::Stream { cause: Some(_), .. } => "stream/cause",
            Error::Stream { cause: None, .. } => "stream",
        }
    }

    /// Every arm of [`arm`].
    const ARMS: &[&str] = &[
        "transport/connect",
        "transport/request",
        "transport/body",
        "transport/tls",
        "transport/config",
        "transport/certificate",
        "timeout",
        "auth",
        "auth-locked",
        "rate-limited",
        "api",
        "decode/json",
        "decode/xml",
        "decode/form",
        "decode/utf8",
        "decode/too-deep",
        "decode/too-large",
        "decode/empty",
        "decode/envelope",
        "decode/content-type",
        "decode/content",
        "unsupported",
        "invalid-input",
        "redirect",
        "unsupported-challenge",
        "stream/cause",
        "stream",
    ];

    /// One error of every variant, with real sources where the variant has one.
    fn one_of_each() -> Vec<Error> {
        let io = || std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused by 10.0.0.5:80");
        let transport = |source: TransportError| Error::Transport { op: "device.info".into(), source };
        let json_error = serde_json::from_slice::<u8>(br#""on""#).unwrap_err();
        let form_error = serde_urlencoded::from_str::<Vec<(u8, u8)>>("a=b").unwrap_err();
        let invalid = vec![0xffu8];
        let utf8_error = std::str::from_utf8(&invalid).unwrap_err();
        let decode = |source: DecodeError| Error::decode("zones.status", Some(200), br#"{"status":"on"}"#, source);
        let lockout =
            LockoutInfo { retries_left: Some(2), lock_time: Some(Duration::from_secs(30)), locked: Some(false) };
        let vendor = |m: &str| (Some(200), Some("20008".to_owned()), Some(m.to_owned()));
        let (status, code, message) = vendor("device busy");
        vec![
            transport(TransportError::connect(io())),
            transport(TransportError::request(io())),
            transport(TransportError::body(io())),
            transport(TransportError::tls(io())),
            transport(TransportError::config(io())),
            transport(TransportError::certificate("unknown issuer", io())),
            Error::Timeout { op: "x".into(), phase: TimeoutPhase::Attempt, after: Duration::from_secs(5) },
            Error::Auth {
                op: "x".into(),
                status: Some(401),
                code: code.clone(),
                message: message.clone(),
                expired: false,
                lockout,
            },
            Error::AuthLocked { op: "x".into(), status, code: code.clone(), message: message.clone(), lockout },
            Error::RateLimited {
                op: "x".into(),
                status: Some(429),
                code: code.clone(),
                message: message.clone(),
                retry_after: Some(Duration::from_secs(2)),
                reset_at: None,
            },
            Error::api("x", status, code.clone(), message.clone(), ErrorClass::Retryable),
            decode(DecodeError::Json { source: json_error, path: Some("data.items[3].status".into()) }),
            decode(DecodeError::Xml { message: "missing field `id`".into(), path: Some("ZoneList.Zone[1]".into()) }),
            decode(DecodeError::Form { source: form_error }),
            decode(DecodeError::Utf8 { source: utf8_error }),
            decode(DecodeError::TooDeep { limit: 128 }),
            decode(DecodeError::TooLarge { limit: 1024 }),
            decode(DecodeError::Empty),
            decode(DecodeError::Envelope { message: "`code` is missing".into() }),
            decode(DecodeError::ContentType { content_type: "text/html".into() }),
            decode(DecodeError::Content { source: "the picture does not decrypt with the key given".into() }),
            Error::Unsupported { op: "x".into(), status, code, message },
            Error::invalid_input("x", "missing field `deviceSerial`"),
            Error::redirect("x", 302, Some("https://login.example/")),
            Error::UnsupportedChallenge { op: "x".into(), scheme: "Basic".into(), reason: "offered over plain http" },
            Error::Stream {
                op: "subscribe".into(),
                message: "an alarm stream part could not be decoded; the stream continues".into(),
                cause: Some(Box::new(decode(DecodeError::TooDeep { limit: 128 }))),
            },
            Error::Stream { op: "subscribe".into(), message: "multipart part cut off".into(), cause: None },
        ]
    }

    #[test]
    fn every_variant_reads_right() {
        let errors = one_of_each();
        let hit: std::collections::BTreeSet<&str> = errors.iter().map(arm).collect();
        let all: std::collections::BTreeSet<&str> = ARMS.iter().copied().collect();
        assert_eq!(hit, all, "one_of_each must build every arm of `arm`, and ARMS list them all");
        for e in &errors {
            // No error in the chain repeats the text of any error below it.
            let chain: Vec<&(dyn std::error::Error + 'static)> = e.report().chain().collect();
            for (i, outer) in chain.iter().enumerate() {
                let text = outer.to_string();
                for inner in &chain[i + 1..] {
                    let cause = inner.to_string();
                    assert!(
                        !cause.is_empty() && !text.contains(&cause),
                        "{}: {text:?} repeats its source {cause:?}",
                        arm(e)
                    );
                }
            }
            // The report shows every level once, joined by ": ".
            let report = e.report().to_string();
            let joined = chain.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(": ");
            assert_eq!(report, joined, "{}", arm(e));
        }
    }

    #[test]
    fn stream_cause_and_transport_cause_are_sources() {
        let errors = one_of_each();
        let stream = errors.iter().find(|e| arm(e) == "stream/cause").unwrap();
        let source = std::error::Error::source(stream).expect("a stream error's cause is its source");
        assert!(source.to_string().starts_with("zones.status: cannot decode response"), "{source}");
        assert_eq!(
            stream.report().to_string(),
            "subscribe: stream error: an alarm stream part could not be decoded; the stream continues: \
             zones.status: cannot decode response (HTTP 200); body starts \"{\\\"status\\\":\\\"on\\\"}\": \
             document nested deeper than the limit of 128 levels"
        );
        let connect = &errors[0];
        assert_eq!(
            format!("{:#}", connect.report()),
            "device.info: transport error\n\nCaused by:\n    0: could not connect\n    1: connection refused by 10.0.0.5:80"
        );
        let json = errors.iter().find(|e| arm(e) == "decode/json").unwrap();
        assert!(json.report().to_string().contains("invalid JSON at `data.items[3].status`: invalid type: string"));
    }

    #[test]
    fn class_follows_kind() {
        let e = Error::Auth {
            op: "x".into(),
            status: Some(401),
            code: None,
            message: None,
            expired: true,
            lockout: LockoutInfo::default(),
        };
        assert_eq!(e.class(), ErrorClass::AuthExpired);
        let e = Error::api("x", Some(200), Some("20008".into()), Some("busy".into()), ErrorClass::Retryable);
        assert_eq!(e.class(), ErrorClass::Retryable);
        assert_eq!(e.to_string(), "x: service error (retryable) (HTTP 200, code 20008, busy)");
        assert_eq!(e.with_op("y").op(), "y");
    }
}
