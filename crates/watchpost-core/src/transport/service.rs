//! The transport seam: the object-safe [`HttpService`] every request goes through, the boxed
//! [`ResponseBody`] it answers with, and the adapters between it and [`tower`].
//!
//! The pipeline hands the seam fully built requests (URI, `User-Agent`, `Authorization`, body)
//! once per send: a Digest challenge round trip is two calls, a token fetch is a call of its own.
//! A layer added with [`TransportConfig::layer`](super::TransportConfig::layer) therefore sees
//! every request a client sends.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty, Full};

use crate::error::BoxError;

/// The request type of the seam: a complete request whose body is in memory or streamed
/// ([`RequestBody`]).
pub type HttpRequest = http::Request<RequestBody>;

/// A request body: bytes in memory, or a stream of a known length
/// ([`StreamedBody`](super::upload::StreamedBody)) read as it is sent.
pub struct RequestBody {
    inner: RequestInner,
}

enum RequestInner {
    Full(Full<Bytes>),
    Stream { body: http_body_util::combinators::UnsyncBoxBody<Bytes, BoxError>, len: u64 },
}

impl RequestBody {
    /// A body holding `bytes`.
    pub fn full(bytes: impl Into<Bytes>) -> Self {
        RequestBody { inner: RequestInner::Full(Full::new(bytes.into())) }
    }

    /// An empty body.
    pub fn empty() -> Self {
        RequestBody::full(Bytes::new())
    }

    /// A streamed body of exactly `len` bytes.
    pub fn streamed(body: http_body_util::combinators::UnsyncBoxBody<Bytes, BoxError>, len: u64) -> Self {
        RequestBody { inner: RequestInner::Stream { body, len } }
    }

    /// Whether the body is streamed (not in memory).
    pub fn is_streamed(&self) -> bool {
        matches!(self.inner, RequestInner::Stream { .. })
    }
}

impl Default for RequestBody {
    fn default() -> Self {
        RequestBody::empty()
    }
}

impl From<Full<Bytes>> for RequestBody {
    fn from(full: Full<Bytes>) -> Self {
        RequestBody { inner: RequestInner::Full(full) }
    }
}

impl From<Bytes> for RequestBody {
    fn from(bytes: Bytes) -> Self {
        RequestBody::full(bytes)
    }
}

impl fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            RequestInner::Full(b) => f.debug_struct("RequestBody").field("size_hint", &b.size_hint()).finish(),
            RequestInner::Stream { len, .. } => f.debug_struct("RequestBody").field("streamed", len).finish(),
        }
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match &mut self.inner {
            RequestInner::Full(b) => Pin::new(b).poll_frame(cx).map_err(|never| match never {}),
            RequestInner::Stream { body, .. } => Pin::new(body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.inner {
            RequestInner::Full(b) => b.is_end_stream(),
            RequestInner::Stream { body, .. } => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.inner {
            RequestInner::Full(b) => b.size_hint(),
            RequestInner::Stream { len, .. } => SizeHint::with_exact(*len),
        }
    }
}

/// The response type of the seam.
pub type HttpResponse = http::Response<ResponseBody>;

/// The future an [`HttpService`] returns.
pub type ServiceFuture = Pin<Box<dyn Future<Output = Result<HttpResponse, BoxError>> + Send + 'static>>;

/// Sends one HTTP request and returns the response head with its unread body.
///
/// Object safe (clients hold an `Arc<dyn HttpService>`). The default is a pooled hyper-util
/// client over rustls with the configured proxy; replace it with
/// [`TransportConfig::service`](super::TransportConfig::service) or wrap it with
/// [`TransportConfig::layer`](super::TransportConfig::layer). Errors are reported as they are:
/// the transport recognizes a [`crate::Error`] or [`crate::error::TransportError`] returned by a
/// service, and hyper-util's connect, certificate and timeout errors anywhere in the source chain.
pub trait HttpService: Send + Sync + 'static {
    /// Sends `request`.
    fn call(&self, request: HttpRequest) -> ServiceFuture;
}

impl<S: HttpService + ?Sized> HttpService for Arc<S> {
    fn call(&self, request: HttpRequest) -> ServiceFuture {
        (**self).call(request)
    }
}

/// A response body of any origin (hyper, a recording, a test), boxed.
pub struct ResponseBody {
    inner: BoxBody<Bytes, BoxError>,
}

impl ResponseBody {
    /// Boxes `body` (a `ResponseBody` is passed through without boxing it again).
    pub fn new<B>(body: B) -> Self
    where
        B: Body<Data = Bytes> + Send + Sync + 'static,
        B::Error: Into<BoxError>,
    {
        let mut slot = Some(body);
        if let Some(already) = (&mut slot as &mut dyn Any).downcast_mut::<Option<ResponseBody>>() {
            if let Some(body) = already.take() {
                return body;
            }
        }
        match slot {
            Some(body) => ResponseBody { inner: body.map_err(Into::into).boxed() },
            None => ResponseBody::empty(),
        }
    }

    /// A body holding `bytes`.
    pub fn full(bytes: impl Into<Bytes>) -> Self {
        ResponseBody { inner: Full::new(bytes.into()).map_err(|never| match never {}).boxed() }
    }

    /// Reads the whole body (for a layer that records responses; it then hands a
    /// [`ResponseBody::full`] of the bytes on). Unbounded: the transport's `max_body_size`
    /// applies only after the layers.
    ///
    /// # Errors
    /// The body's read error.
    pub async fn collect_bytes(self) -> Result<Bytes, BoxError> {
        Ok(self.collect().await?.to_bytes())
    }

    /// An empty body.
    pub fn empty() -> Self {
        ResponseBody { inner: Empty::new().map_err(|never| match never {}).boxed() }
    }
}

impl Default for ResponseBody {
    fn default() -> Self {
        ResponseBody::empty()
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseBody").field("size_hint", &self.inner.size_hint()).finish_non_exhaustive()
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A shared [`HttpService`] as a cloneable [`tower::Service`]: what a tower layer wraps.
#[derive(Clone)]
pub struct SharedService(Arc<dyn HttpService>);

impl SharedService {
    /// Shares `service`.
    pub fn new(service: impl HttpService) -> Self {
        SharedService(Arc::new(service))
    }

    /// Wraps a tower service (for example a layered one).
    pub fn from_tower<S, B>(service: S) -> Self
    where
        S: tower::Service<HttpRequest, Response = http::Response<B>> + Clone + Send + Sync + 'static,
        S::Error: Into<BoxError>,
        S::Future: Send + 'static,
        B: Body<Data = Bytes> + Send + Sync + 'static,
        B::Error: Into<BoxError>,
    {
        SharedService::new(TowerService::new(service))
    }
}

impl fmt::Debug for SharedService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedService")
    }
}

impl HttpService for SharedService {
    fn call(&self, request: HttpRequest) -> ServiceFuture {
        self.0.call(request)
    }
}

impl tower::Service<HttpRequest> for SharedService {
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = ServiceFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequest) -> ServiceFuture {
        self.0.call(request)
    }
}

/// Adapts any cloneable [`tower::Service`] to [`HttpService`]: each call clones the service,
/// waits until it is ready and calls it.
#[derive(Clone, Debug)]
pub struct TowerService<S> {
    inner: S,
}

impl<S> TowerService<S> {
    /// Adapts `inner`.
    pub fn new(inner: S) -> Self {
        TowerService { inner }
    }
}

impl<S, B> HttpService for TowerService<S>
where
    S: tower::Service<HttpRequest, Response = http::Response<B>> + Clone + Send + Sync + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    B: Body<Data = Bytes> + Send + Sync + 'static,
    B::Error: Into<BoxError>,
{
    fn call(&self, request: HttpRequest) -> ServiceFuture {
        let mut service = self.inner.clone();
        Box::pin(async move {
            std::future::poll_fn(|cx| service.poll_ready(cx)).await.map_err(Into::into)?;
            let response = service.call(request).await.map_err(Into::into)?;
            Ok(response.map(ResponseBody::new))
        })
    }
}

/// Turns the service below into the service above: the boxed form of a tower layer.
pub(crate) type LayerFn = Arc<dyn Fn(SharedService) -> SharedService + Send + Sync>;

/// Boxes a tower layer.
pub(crate) fn layer_fn<L, B>(layer: L) -> LayerFn
where
    L: tower::Layer<SharedService> + Send + Sync + 'static,
    L::Service: tower::Service<HttpRequest, Response = http::Response<B>> + Clone + Send + Sync + 'static,
    <L::Service as tower::Service<HttpRequest>>::Error: Into<BoxError>,
    <L::Service as tower::Service<HttpRequest>>::Future: Send + 'static,
    B: Body<Data = Bytes> + Send + Sync + 'static,
    B::Error: Into<BoxError>,
{
    Arc::new(move |inner| SharedService::from_tower(layer.layer(inner)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_response_body_is_not_boxed_twice_and_reads_back() {
        let body = ResponseBody::new(ResponseBody::full("abc"));
        assert_eq!(body.size_hint().exact(), Some(3));
        assert_eq!(body.collect().await.unwrap().to_bytes(), "abc");
        assert!(ResponseBody::empty().is_end_stream());
    }

    #[tokio::test]
    async fn a_tower_service_serves_through_the_seam() {
        let svc = tower::service_fn(|req: HttpRequest| async move {
            Ok::<_, std::convert::Infallible>(http::Response::new(Full::new(Bytes::from(req.uri().path().to_owned()))))
        });
        let shared = SharedService::from_tower(svc);
        let resp = HttpService::call(&shared, http::Request::new(RequestBody::empty())).await.unwrap();
        assert_eq!(resp.into_body().collect().await.unwrap().to_bytes(), "/");
    }
}
