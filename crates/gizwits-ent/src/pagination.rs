//! Paginated lists as an async [`Stream`] of items across pages: thin wrappers over the
//! generated `<fn>_stream` methods, which run [`watchpost_core::paginate`].
//!
//! The stream advances by `skip += objects.len()` and never follows `meta.next`, which the
//! service leaves `null` even when more pages exist (L546). It stops at an empty page, when
//! `skip` reaches `meta.total`, or (without a total) at a short page; a page that repeats the
//! one before it ends it with a decode error. An error is yielded as an item and ends the
//! stream; a new stream can resume from the last position by setting `skip` on the request.

use futures_util::stream::Stream;
use serde::de::DeserializeOwned;
use watchpost_core::operation::ToRequest;
use watchpost_core::paginate::ItemStream;
use watchpost_core::Result;

use crate::Client;

/// A request whose response is a paginated list (`{"meta": ..., "objects": [...]}`), implemented
/// by the generator for every operation with `[operation.pagination]` in `spec/gizwits.toml`.
pub trait Paginated: ToRequest {
    /// The type of the list's items.
    type Item: DeserializeOwned + Send + 'static;

    /// The list as a stream: the generated `<fn>_stream` of the operation, with `limit` set to
    /// `page_size` when given.
    fn stream(&self, client: &Client, page_size: Option<u32>) -> ItemStream<Self::Item>;
}

impl Client {
    /// Every item of a paginated list, page after page, as a stream.
    ///
    /// The page size is the request's `limit` when set, else the client's
    /// [`page_size`](crate::ClientBuilder::page_size); the first page starts at the request's
    /// `skip` (default 0). Each page is one call (one unit of quota).
    ///
    /// ```no_run
    /// # async fn run(client: gizwits_ent::Client) -> watchpost_core::Result<()> {
    /// use futures_util::TryStreamExt as _;
    ///
    /// let req = gizwits_ent::SearchDevicesRequest::new("product-key").is_online(true);
    /// let online: Vec<_> = client.paginate(&req).try_collect().await?;
    /// println!("{} devices online", online.len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn paginate<R: Paginated + ?Sized>(&self, req: &R) -> impl Stream<Item = Result<R::Item>> + Send + 'static {
        req.stream(self, None)
    }

    /// As [`paginate`](Self::paginate) with an explicit page size (over the request's `limit`).
    pub fn paginate_with<R: Paginated + ?Sized>(
        &self,
        req: &R,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<R::Item>> + Send + 'static {
        req.stream(self, page_size)
    }
}
