//! Forward proxies: `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY` by default, or an explicit proxy with
//! Basic credentials.
//!
//! `https://` destinations go through a `CONNECT` tunnel (the proxy sees only the host and port;
//! TLS is end to end); `http://` destinations are sent in absolute form to the proxy. Proxy
//! credentials travel only to the proxy: in the `CONNECT` request, or as `Proxy-Authorization`
//! on a plain-http request the proxy forwards (and must strip, as RFC 9110 requires). They are
//! never logged and a proxy URL's password is shown as `***` in `Debug`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderValue, Uri};
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use url::Url;

use crate::error::{BoxError, Error};

/// Which proxy, if any, requests go through. Default: [`ProxyConfig::from_env`].
#[derive(Clone, Default)]
pub struct ProxyConfig {
    mode: Mode,
}

#[derive(Clone, Default)]
enum Mode {
    /// Read the process environment when the client is built.
    #[default]
    Env,
    /// Connect directly.
    Off,
    /// Fixed rules.
    Rules(Rules),
}

/// Proxy URLs (credentials included) and the `NO_PROXY` list.
#[derive(Clone, Default)]
struct Rules {
    http: Option<Url>,
    https: Option<Url>,
    no_proxy: String,
}

impl ProxyConfig {
    /// Honours `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` (upper-case first, then lower-case),
    /// read when the client is built. As curl and hyper-util do, the variables are ignored in a
    /// CGI process (`REQUEST_METHOD` set), where `HTTP_PROXY` may come from a request header.
    pub fn from_env() -> Self {
        ProxyConfig { mode: Mode::Env }
    }

    /// Never uses a proxy, whatever the environment says.
    pub fn none() -> Self {
        ProxyConfig { mode: Mode::Off }
    }

    /// The same as [`from_env`](Self::from_env) with the variables read through `lookup`
    /// (tests, or a configuration file standing in for the environment).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the variable (not its value, which may hold a password)
    /// when a proxy URL is not `http://[user:password@]host[:port]`.
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let first = |names: [&str; 2]| {
            names.iter().find_map(|n| lookup(n).filter(|v| !v.trim().is_empty()).map(|v| ((*n).to_owned(), v)))
        };
        if lookup("REQUEST_METHOD").is_some() {
            return Ok(ProxyConfig::none());
        }
        let parse = |found: Option<(String, String)>| -> Result<Option<Url>, Error> {
            match found {
                None => Ok(None),
                Some((name, value)) => parse_proxy_url(&value)
                    .map(Some)
                    .map_err(|why| Error::invalid_input("proxy", format!("{name} is not a usable proxy URL: {why}"))),
            }
        };
        let rules = Rules {
            http: parse(first(["HTTP_PROXY", "http_proxy"]))?,
            https: parse(first(["HTTPS_PROXY", "https_proxy"]))?,
            no_proxy: first(["NO_PROXY", "no_proxy"]).map(|(_, v)| v).unwrap_or_default(),
        };
        Ok(ProxyConfig { mode: Mode::Rules(rules) })
    }

    /// Sends every request (`http://` and `https://`) through the proxy at `url`
    /// (`http://[user:password@]host[:port]`; percent-encode reserved characters in the
    /// credentials, or set them with [`basic_auth`](Self::basic_auth)).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a URL that is not a plain-http proxy URL (the message never
    /// repeats the URL).
    pub fn url(url: &str) -> Result<Self, Error> {
        let url = parse_proxy_url(url)
            .map_err(|why| Error::invalid_input("proxy", format!("not a usable proxy URL: {why}")))?;
        Ok(ProxyConfig {
            mode: Mode::Rules(Rules { http: Some(url.clone()), https: Some(url), no_proxy: String::new() }),
        })
    }

    /// Sets the Basic credentials sent to the proxy (`Proxy-Authorization`), replacing any in
    /// its URL. No effect without a proxy URL.
    #[must_use]
    pub fn basic_auth(mut self, user: &str, password: &secrecy::SecretString) -> Self {
        use secrecy::ExposeSecret as _;
        if let Mode::Rules(rules) = &mut self.mode {
            for url in [&mut rules.http, &mut rules.https].into_iter().flatten() {
                // Both only fail for URLs that cannot have credentials (checked at parse time).
                let _ = url.set_username(user);
                let _ = url.set_password(Some(password.expose_secret()));
            }
        }
        self
    }

    /// Destinations that bypass the proxy, in `NO_PROXY` syntax: comma-separated host names
    /// (matching their subdomains too), IP addresses, CIDR blocks, or `*` for all. Replaces the
    /// list read from the environment. No effect on [`none`](Self::none) or an unread environment.
    #[must_use]
    pub fn no_proxy(mut self, list: &str) -> Self {
        if let Mode::Rules(rules) = &mut self.mode {
            rules.no_proxy = list.to_owned();
        }
        self
    }

    /// Resolves the configuration into the matcher the connector uses (`None`: direct).
    pub(crate) fn matcher(&self) -> Result<Option<Arc<ProxyMatcher>>, Error> {
        let rules = match &self.mode {
            Mode::Off => return Ok(None),
            Mode::Env => match ProxyConfig::from_env_with(|name| std::env::var(name).ok())?.mode {
                Mode::Rules(rules) => rules,
                _ => return Ok(None),
            },
            Mode::Rules(rules) => rules.clone(),
        };
        if rules.http.is_none() && rules.https.is_none() {
            return Ok(None);
        }
        let mut builder = Matcher::builder().no(rules.no_proxy.as_str());
        if let Some(url) = &rules.http {
            builder = builder.http(url.as_str());
        }
        if let Some(url) = &rules.https {
            builder = builder.https(url.as_str());
        }
        Ok(Some(Arc::new(ProxyMatcher(builder.build()))))
    }
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.mode {
            Mode::Env => f.write_str("ProxyConfig::FromEnv"),
            Mode::Off => f.write_str("ProxyConfig::None"),
            Mode::Rules(r) => f
                .debug_struct("ProxyConfig")
                .field("http", &r.http.as_ref().map(redacted))
                .field("https", &r.https.as_ref().map(redacted))
                .field("no_proxy", &r.no_proxy)
                .finish(),
        }
    }
}

/// The URL with its password replaced by `***`.
fn redacted(url: &Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    shown.to_string()
}

/// Parses `[http://][user:password@]host[:port]`; the error never repeats the input.
fn parse_proxy_url(raw: &str) -> Result<Url, &'static str> {
    let raw = raw.trim();
    let with_scheme = if raw.contains("://") { raw.to_owned() } else { format!("http://{raw}") };
    let url = Url::parse(&with_scheme).map_err(|_| "malformed URL")?;
    if url.scheme() != "http" {
        return Err("only http:// proxies are supported (https:// destinations are tunnelled with CONNECT)");
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("no host");
    }
    if url.query().is_some() || !matches!(url.path(), "" | "/") {
        return Err("a proxy URL has no path or query");
    }
    Ok(url)
}

/// The resolved proxy rules.
pub(crate) struct ProxyMatcher(Matcher);

impl ProxyMatcher {
    /// The proxy for `dst`, if it is not exempt.
    pub(crate) fn intercept(&self, dst: &Uri) -> Option<Intercept> {
        self.0.intercept(dst)
    }

    /// The `Proxy-Authorization` value to add to a plain-http request sent to the proxy
    /// (absolute form); `None` for https (the tunnel carries it) or a direct connection.
    pub(crate) fn forward_authorization(&self, dst: &Uri) -> Option<HeaderValue> {
        if dst.scheme_str() != Some("http") {
            return None;
        }
        let mut value = self.intercept(dst)?.basic_auth()?.clone();
        value.set_sensitive(true);
        Some(value)
    }
}

/// Connects directly, through a `CONNECT` tunnel (https destinations) or to the proxy itself
/// (http destinations, marked as proxied so hyper-util sends absolute-form requests).
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    pub(crate) http: HttpConnector,
    pub(crate) proxy: Option<Arc<ProxyMatcher>>,
}

type ConnectFuture = Pin<Box<dyn Future<Output = Result<ProxyStream, BoxError>> + Send>>;

impl tower::Service<Uri> for ProxyConnector {
    type Response = ProxyStream;
    type Error = BoxError;
    type Future = ConnectFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> ConnectFuture {
        let mut http = self.http.clone();
        let intercept = self.proxy.as_ref().and_then(|p| p.intercept(&dst));
        Box::pin(async move {
            let stream: Result<ProxyStream, BoxError> = match intercept {
                None => Ok(ProxyStream { io: http.call(dst).await?, forwarding: false }),
                Some(proxy) if dst.scheme_str() == Some("https") => {
                    let io = http.call(proxy.uri().clone()).await?;
                    Ok(ProxyStream { io: connect_tunnel(io, &dst, proxy.basic_auth()).await?, forwarding: false })
                }
                Some(proxy) => Ok(ProxyStream { io: http.call(proxy.uri().clone()).await?, forwarding: true }),
            };
            stream
        })
    }
}

/// Largest proxy answer to `CONNECT` read before giving up.
const MAX_TUNNEL_HEAD: usize = 16 * 1024;

/// Asks the proxy on `io` for a tunnel to `dst` (`CONNECT host:port`, with the proxy's
/// credentials) and returns the connection once the proxy answered 2xx.
async fn connect_tunnel(
    io: TokioIo<TcpStream>,
    dst: &Uri,
    auth: Option<&HeaderValue>,
) -> Result<TokioIo<TcpStream>, BoxError> {
    let mut tcp = io.into_inner();
    let host = dst.host().ok_or("the destination has no host")?;
    let port = dst.port_u16().unwrap_or(443);
    let mut head = format!("CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n").into_bytes();
    if let Some(auth) = auth {
        head.extend_from_slice(b"Proxy-Authorization: ");
        head.extend_from_slice(auth.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    tcp.write_all(&head).await?;
    let mut answer = Vec::with_capacity(256);
    let mut buf = [0u8; 1024];
    let end = loop {
        let n = tcp.read(&mut buf).await?;
        if n == 0 {
            return Err(Box::new(TunnelRefused("the proxy closed the connection during CONNECT")));
        }
        answer.extend_from_slice(buf.get(..n).unwrap_or_default());
        if let Some(end) = answer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        if answer.len() > MAX_TUNNEL_HEAD {
            return Err(Box::new(TunnelRefused("the proxy's answer to CONNECT is too long")));
        }
    };
    match tunnel_status(&answer) {
        Some(200..=299) if end == answer.len() => Ok(TokioIo::new(tcp)),
        Some(200..=299) => Err(Box::new(TunnelRefused("the proxy sent data before the tunnel was used"))),
        // The origin is never reached before the tunnel exists, so a 401 (tinyproxy's answer to
        // a CONNECT with wrong credentials) is about the proxy's credentials too.
        Some(401 | 407) => Err(Box::new(ProxyAuthRequired)),
        Some(_) => Err(Box::new(TunnelRefused("the proxy refused the CONNECT tunnel"))),
        None => Err(Box::new(TunnelRefused("the proxy's answer to CONNECT is not HTTP"))),
    }
}

/// The status code of an `HTTP/1.x NNN ...` answer.
fn tunnel_status(answer: &[u8]) -> Option<u16> {
    let rest = answer.strip_prefix(b"HTTP/1.")?;
    let code = rest.get(2..5)?;
    if rest.get(1) != Some(&b' ') || !code.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(code).ok()?.parse().ok()
}

/// The proxy did not open a tunnel (other than for credentials).
#[derive(Debug)]
pub(crate) struct TunnelRefused(&'static str);

impl fmt::Display for TunnelRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for TunnelRefused {}

/// The proxy answered `CONNECT` with 407 Proxy Authentication Required (or 401).
#[derive(Debug)]
pub(crate) struct ProxyAuthRequired;

impl fmt::Display for ProxyAuthRequired {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the proxy refused the tunnel: it requires credentials or rejected the ones given")
    }
}

impl std::error::Error for ProxyAuthRequired {}

/// A TCP connection, to the destination (possibly tunnelled) or to a forwarding proxy.
pub(crate) struct ProxyStream {
    io: TokioIo<TcpStream>,
    /// Connected to a proxy that forwards plain-http requests (absolute form).
    forwarding: bool,
}

impl Connection for ProxyStream {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.forwarding)
    }
}

impl Read for ProxyStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: ReadBufCursor<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl Write for ProxyStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn tunnel_answers_are_parsed_without_trusting_them() {
        assert_eq!(tunnel_status(b"HTTP/1.1 200 Connection established\r\n\r\n"), Some(200));
        assert_eq!(tunnel_status(b"HTTP/1.0 407 Proxy Authentication Required\r\n\r\n"), Some(407));
        assert_eq!(tunnel_status(b"HTTP/1.1 2"), None);
        assert_eq!(tunnel_status(b"SSH-2.0-OpenSSH\r\n\r\n"), None);
        assert_eq!(tunnel_status(b"HTTP/1.1 +20 x"), None);
    }

    #[test]
    fn environment_variables_select_the_proxy_and_no_proxy_exempts() {
        let config = ProxyConfig::from_env_with(env(&[
            ("http_proxy", "http://proxy.lan:3128"),
            ("HTTPS_PROXY", "proxy.lan:8080"),
            ("NO_PROXY", "10.0.0.0/8,.internal"),
        ]))
        .unwrap();
        let m = config.matcher().unwrap().unwrap();
        let via = |u: &str| m.intercept(&u.parse().unwrap()).map(|i| i.uri().to_string());
        assert_eq!(via("http://api.example/x").as_deref(), Some("http://proxy.lan:3128/"));
        assert_eq!(via("https://api.example/x").as_deref(), Some("http://proxy.lan:8080/"));
        assert_eq!(via("https://10.1.2.3/x"), None);
        assert_eq!(via("http://gw.internal/x"), None);
    }

    #[test]
    fn no_variables_or_a_cgi_process_mean_direct() {
        assert!(ProxyConfig::from_env_with(env(&[])).unwrap().matcher().unwrap().is_none());
        let cgi = env(&[("HTTP_PROXY", "http://evil:1"), ("REQUEST_METHOD", "GET")]);
        assert!(ProxyConfig::from_env_with(cgi).unwrap().matcher().unwrap().is_none());
        assert!(ProxyConfig::none().matcher().unwrap().is_none());
    }

    #[test]
    fn a_bad_proxy_url_is_refused_without_echoing_it() {
        let err = ProxyConfig::from_env_with(env(&[("HTTPS_PROXY", "https://u:hunter2@proxy:1")])).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("HTTPS_PROXY") && !text.contains("hunter2"), "{text}");
        assert!(ProxyConfig::url("socks5://proxy:1080").is_err());
        assert!(ProxyConfig::url("http://proxy:1/path").is_err());
    }

    #[test]
    fn credentials_become_basic_auth_for_plain_http_only_and_are_redacted() {
        let config =
            ProxyConfig::url("http://proxy:3128").unwrap().basic_auth("alice", &SecretString::from("p@ss:word"));
        let shown = format!("{config:?}");
        assert!(!shown.contains("p@ss") && !shown.contains("word") && shown.contains("***"), "{shown}");
        let m = config.matcher().unwrap().unwrap();
        let auth = m.forward_authorization(&"http://device/x".parse().unwrap()).unwrap();
        assert!(auth.is_sensitive());
        // base64("alice:p@ss:word")
        assert_eq!(auth, "Basic YWxpY2U6cEBzczp3b3Jk");
        assert!(m.forward_authorization(&"https://device/x".parse().unwrap()).is_none());
        let direct = config.no_proxy("device").matcher().unwrap().unwrap();
        assert!(direct.forward_authorization(&"http://device/x".parse().unwrap()).is_none());
    }
}
