//! Authentication flows: none, HTTP Basic/Digest, and tokens.
//!
//! [`Auth`] is what a [`Pipeline`](crate::pipeline::Pipeline) is configured with. HTTP auth
//! works at the header level (challenge, pre-emptive header); token auth works at the request
//! level (the vendor's rule attaches the token as a header, a query pair or a form field) and
//! can redirect requests to the base URL the token is bound to.

mod challenge;
mod credentials;
mod digest_fast;
mod exchange;
pub mod http;
mod rejection;
pub mod token;

pub use self::http::{AuthExchange, DigestUri, HttpAuth, HttpAuthMode, DEFAULT_REJECTION_COOLDOWN};
pub use challenge::AuthBody;
pub use credentials::Credentials;
pub use token::{Token, TokenAuth, TokenProvider};

/// How a pipeline authenticates its requests.
#[derive(Debug, Clone, Default)]
pub enum Auth {
    /// No authentication.
    #[default]
    None,
    /// HTTP Basic or Digest.
    Http(HttpAuth),
    /// A token from a [`TokenProvider`], attached by the vendor's rule.
    Token(TokenAuth),
}

impl Auth {
    /// Basic/Digest auth negotiated from the server's challenge.
    pub fn http(username: impl Into<String>, password: impl Into<String>) -> Self {
        Auth::Http(HttpAuth::new(Credentials::new(username, password)))
    }
}
