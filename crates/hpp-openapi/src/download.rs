//! Credential-free GETs of the URLs the platform hands out (hot spare files, alarm pictures):
//! they may point at a storage host other than the platform's, so nothing of the client's auth
//! is sent, redirects are never followed, and one attempt runs within the transfer timeout.
//! Each caller decides what a status means.

use bytes::Bytes;
use watchpost_core::error::TimeoutPhase;
use watchpost_core::operation::TimeoutClass;
use watchpost_core::{Error, Result};

use crate::Client;

/// What a plain GET answered.
pub(crate) struct Fetched {
    /// The HTTP status.
    pub(crate) status: u16,
    /// The `Location` of a redirect (3xx), which is never followed; `None` otherwise.
    pub(crate) location: Option<String>,
    /// The body (empty for a redirect: it is not read), within the transport's size limit.
    pub(crate) body: Bytes,
}

impl Client {
    /// GETs `url` (an absolute `http`/`https` URL) with no credentials, in errors named `op`;
    /// `what` names the URL in input errors ("download", "picture download").
    pub(crate) async fn fetch_plain(&self, op: &'static str, what: &str, url: &str) -> Result<Fetched> {
        let uri: http::Uri =
            url.parse().map_err(|e| Error::invalid_input(op, format!("the {what} URL is invalid: {e}")))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
            return Err(Error::invalid_input(op, format!("the {what} URL must be an absolute http(s) URL")));
        }
        let request = http::Request::get(uri)
            .body(watchpost_core::transport::RequestBody::empty())
            .map_err(|e| Error::invalid_input(op, format!("the {what} request is invalid: {e}")))?;
        let transport = self.pipeline().transport();
        let fetch = async {
            let resp = transport.send(op, request).await?;
            let status = resp.status().as_u16();
            if (300..400).contains(&status) {
                let location = resp.headers().get(http::header::LOCATION).and_then(|l| l.to_str().ok());
                return Ok(Fetched { status, location: location.map(str::to_owned), body: Bytes::new() });
            }
            let body = transport.read_body(op, status, resp.into_body()).await?;
            Ok::<_, Error>(Fetched { status, location: None, body })
        };
        match transport.config().attempt_limit(TimeoutClass::Transfer) {
            Some(after) => tokio::time::timeout(after, fetch).await.map_err(|_| Error::Timeout {
                op: op.to_owned(),
                phase: TimeoutPhase::Attempt,
                after,
            })?,
            None => fetch.await,
        }
    }
}
