//! Paginated lists as an async [`Stream`] of items across pages.
//!
//! The stream advances by `skip += objects.len()` and never follows `meta.next`, which the
//! service leaves `null` even when more pages exist (L546). It stops at an empty page, when
//! `skip` reaches `meta.total`, or (without a total) at a short page. An error is yielded as an
//! item and ends the stream; a new stream can resume from the last position by setting `skip`
//! on the request.

use std::collections::VecDeque;

use futures_util::stream::{self, Stream};
use serde::de::DeserializeOwned;
use watchpost_core::operation::{Request, ToRequest};
use watchpost_core::Result;

use crate::generated::{
    ActivatedDevicesRequest, ActiveDevicesRequest, DeviceCommandsRequest, DeviceDataRequest,
    DeviceOnlineRecordsRequest, SearchBoundUsersRequest, SearchDevicesRequest, SearchUsersRequest,
};
use crate::models::{self, Page};
use crate::Client;

/// A request whose response is a paginated list (`{"meta": ..., "objects": [...]}`).
pub trait Paginated: ToRequest {
    /// The type of the list's items.
    type Item: DeserializeOwned + Send + 'static;
}

impl Paginated for SearchUsersRequest {
    type Item = models::User;
}
impl Paginated for SearchBoundUsersRequest {
    type Item = models::User;
}
impl Paginated for SearchDevicesRequest {
    type Item = models::Device;
}
impl Paginated for DeviceOnlineRecordsRequest {
    type Item = models::OnlineRecord;
}
impl Paginated for DeviceCommandsRequest {
    type Item = models::CommandLog;
}
impl Paginated for DeviceDataRequest {
    type Item = models::DataRecord;
}
impl Paginated for ActivatedDevicesRequest {
    type Item = models::DeviceReportEntry;
}
impl Paginated for ActiveDevicesRequest {
    type Item = models::DeviceReportEntry;
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
        self.paginate_with(req, None)
    }

    /// As [`paginate`](Self::paginate) with an explicit page size (over the request's `limit`).
    pub fn paginate_with<R: Paginated + ?Sized>(
        &self,
        req: &R,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<R::Item>> + Send + 'static {
        let start = req.to_request().map(|base| Cursor::new(base, page_size.unwrap_or(self.page_size())));
        stream::unfold(State::Start { client: self.clone(), start }, step::<R::Item>)
    }
}

/// Where the next page starts.
struct Cursor {
    /// The request without `limit`/`skip`.
    base: Request,
    /// Page size sent as `limit`.
    limit: u32,
    /// Records to skip.
    skip: u64,
}

impl Cursor {
    fn new(mut base: Request, default_limit: u32) -> Self {
        let take = |base: &mut Request, name: &str| {
            let v = base.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
            base.query.retain(|(k, _)| k != name);
            v
        };
        let limit = take(&mut base, "limit").and_then(|v| v.parse().ok()).unwrap_or(default_limit);
        let skip = take(&mut base, "skip").and_then(|v| v.parse().ok()).unwrap_or(0);
        // A limit of 0 would never advance: the request check rejects it with a clear message.
        Cursor { base, limit, skip }
    }

    fn request(&self) -> Request {
        self.base.clone().query("limit", self.limit.to_string()).query("skip", self.skip.to_string())
    }
}

/// The pagination state machine.
enum State<T> {
    /// Not started: the first request, or why it could not be built.
    Start { client: Client, start: Result<Cursor> },
    /// Fetch the page at the cursor.
    Fetch { client: Client, cursor: Cursor },
    /// Hand out the items of a page, then fetch the next one (if any).
    Drain { client: Client, items: VecDeque<T>, next: Option<Cursor> },
    /// Finished (after the last item or an error).
    Done,
}

async fn step<T: DeserializeOwned + Send + 'static>(mut state: State<T>) -> Option<(Result<T>, State<T>)> {
    loop {
        state = match state {
            State::Done => return None,
            State::Start { start: Err(e), .. } => return Some((Err(e), State::Done)),
            State::Start { client, start: Ok(cursor) } => State::Fetch { client, cursor },
            State::Fetch { client, cursor } => {
                let page: Page<T> = match client.call_request(cursor.request()).await {
                    Ok(p) => p,
                    Err(e) => return Some((Err(e), State::Done)),
                };
                let next = next_cursor(cursor, &page);
                State::Drain { client, items: page.objects.into(), next }
            }
            State::Drain { client, mut items, next } => match items.pop_front() {
                Some(item) => return Some((Ok(item), State::Drain { client, items, next })),
                None => match next {
                    Some(cursor) => State::Fetch { client, cursor },
                    None => State::Done,
                },
            },
        };
    }
}

/// The cursor of the page after `page`, or `None` when it was the last.
fn next_cursor<T>(cursor: Cursor, page: &Page<T>) -> Option<Cursor> {
    let n = page.objects.len() as u64;
    if n == 0 {
        return None;
    }
    let skip = cursor.skip.saturating_add(n);
    let more = match page.meta.total {
        Some(total) => skip < total,
        // No total: a short page is the last one (the service may cap the page size).
        None => n >= page.meta.limit.unwrap_or(u64::from(cursor.limit)).max(1),
    };
    more.then_some(Cursor { skip, ..cursor })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::PageMeta;

    fn page(n: usize, total: Option<u64>, limit: Option<u64>) -> Page<u32> {
        Page { meta: PageMeta { total, limit, ..PageMeta::default() }, objects: vec![0; n] }
    }

    fn cursor(skip: u64, limit: u32) -> Cursor {
        Cursor { base: Request::new(&crate::generated::ops::SEARCH_DEVICES), limit, skip }
    }

    #[test]
    fn the_cursor_advances_by_what_came_back() {
        let c = next_cursor(cursor(0, 20), &page(20, Some(30), Some(20))).unwrap();
        assert_eq!(c.skip, 20);
        assert!(next_cursor(cursor(20, 20), &page(10, Some(30), Some(20))).is_none());
        // The service caps the page below the requested size: keep going while below total.
        assert_eq!(next_cursor(cursor(0, 500), &page(100, Some(1000), Some(100))).unwrap().skip, 100);
        assert!(next_cursor(cursor(0, 20), &page(0, Some(30), None)).is_none(), "empty page ends");
        assert!(next_cursor(cursor(0, 20), &page(20, None, None)).is_some());
        assert!(next_cursor(cursor(0, 20), &page(19, None, None)).is_none(), "short page ends");
    }

    #[test]
    fn requests_carry_limit_and_skip_once() {
        let base = Request::new(&crate::generated::ops::SEARCH_DEVICES)
            .path_param("product_key", "pk")
            .query("limit", "50")
            .query("skip", "100")
            .query("gid", "g");
        let c = Cursor::new(base, 20);
        assert_eq!((c.limit, c.skip), (50, 100));
        let q = c.request().path_and_query().unwrap();
        assert_eq!(q, "/v1/products/pk/devices/search?gid=g&limit=50&skip=100");
        let c = Cursor::new(Request::new(&crate::generated::ops::SEARCH_DEVICES), 20);
        assert_eq!((c.limit, c.skip), (20, 0));
    }
}
