//! One paginator for every vendor's list operations: a lazy [`Stream`] of items that fetches
//! page after page.
//!
//! A vendor crate (normally its generated `<fn>_stream` method) gives a [`Paginator`] the style
//! of the list ([`PageStyle`]), where the first page starts ([`Position`]) and a `fetch`
//! function that sends one page's request and reads the answer into a [`Page`]. The stream then
//!
//! - fetches the next page only when the caller has taken every item of the current one;
//! - stops on the documented end condition: an empty page, `has_more == false`, the offset
//!   reaching the total, no next cursor, or (with neither a total nor a has-more flag) a short
//!   page;
//! - never loops forever: a page equal to the one before it, a cursor that does not move, or
//!   more than [`Paginator::max_pages`] pages end the stream with a typed
//!   [`Error::Decode`] (`DecodeError::Envelope`);
//! - yields a failed page's error as its last item.
//!
//! ```
//! use futures_util::TryStreamExt as _;
//! use watchpost_core::paginate::{Page, PageStyle, Paginator, Position};
//!
//! # async fn run() -> watchpost_core::Result<()> {
//! let data: Vec<u32> = (0..25).collect();
//! let items: Vec<u32> = Paginator::new("demo.list", PageStyle::Offset, Position::first(10))
//!     .stream(move |pos| {
//!         let data = data.clone();
//!         async move {
//!             let from = usize::try_from(pos.offset).unwrap_or(usize::MAX).min(data.len());
//!             let to = from.saturating_add(10).min(data.len());
//!             Ok(Page::new(data[from..to].to_vec()).total(25))
//!         }
//!     })
//!     .try_collect()
//!     .await?;
//! assert_eq!(items.len(), 25);
//! # Ok(())
//! # }
//! ```

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;

use futures_util::stream::{self, Stream};

use crate::error::DecodeError;
use crate::{Error, Result};

/// The default of [`Paginator::max_pages`]: far above any real list, low enough that a server
/// that never says "last page" cannot keep a caller busy forever.
pub const DEFAULT_MAX_PAGES: u64 = 100_000;

/// How a list addresses its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStyle {
    /// A page number (`page=2`); [`Position::page`] counts up by one.
    Page,
    /// An item offset (`skip=40`, `position=40`); [`Position::offset`] advances by the items
    /// received.
    Offset,
    /// An opaque cursor the previous page returned ([`Page::next_cursor`]).
    Cursor,
}

/// Where one page starts: what the `fetch` function writes into the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// Items before this page (advanced by what came back, whatever the style).
    pub offset: u64,
    /// The page number, counted from the start position's number.
    pub page: u64,
    /// The cursor of this page (cursor style); `None` for the first page.
    pub cursor: Option<String>,
    /// The page size to ask for.
    pub limit: u64,
}

impl Position {
    /// The first page (offset 0, page 0, no cursor) with `limit` items per page.
    pub fn first(limit: u64) -> Self {
        Position { offset: 0, page: 0, cursor: None, limit }
    }
}

/// One page as the `fetch` function read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page, in order.
    pub items: Vec<T>,
    /// The total number of items of the list, when the service says.
    pub total: Option<u64>,
    /// Whether more pages follow, when the service says.
    pub has_more: Option<bool>,
    /// The cursor of the next page (cursor style).
    pub next_cursor: Option<String>,
    /// The page size the service says it used (it may cap the requested one).
    pub page_size: Option<u64>,
}

impl<T> Page<T> {
    /// A page of `items` with nothing else known.
    pub fn new(items: Vec<T>) -> Self {
        Page { items, total: None, has_more: None, next_cursor: None, page_size: None }
    }

    /// Sets the list's total.
    #[must_use]
    pub fn total(mut self, total: impl Into<Option<u64>>) -> Self {
        self.total = total.into();
        self
    }

    /// Sets whether more pages follow.
    #[must_use]
    pub fn has_more(mut self, has_more: impl Into<Option<bool>>) -> Self {
        self.has_more = has_more.into();
        self
    }

    /// Sets the next page's cursor (an empty cursor counts as none).
    #[must_use]
    pub fn next_cursor(mut self, cursor: Option<String>) -> Self {
        self.next_cursor = cursor.filter(|c| !c.is_empty());
        self
    }

    /// Sets the page size the service reports.
    #[must_use]
    pub fn page_size(mut self, size: impl Into<Option<u64>>) -> Self {
        self.page_size = size.into();
        self
    }
}

/// A count read from a response member: an integer or an optional integer, negative values
/// read as unknown.
pub trait Count {
    /// The count, when there is a usable one.
    fn count(&self) -> Option<u64>;
}

macro_rules! count_unsigned {
    ($($t:ty),*) => {$(
        impl Count for $t {
            fn count(&self) -> Option<u64> {
                u64::try_from(*self).ok()
            }
        }
    )*};
}
count_unsigned!(u8, u16, u32, u64, usize, i32, i64);

impl<C: Count> Count for Option<C> {
    fn count(&self) -> Option<u64> {
        self.as_ref().and_then(Count::count)
    }
}

/// A flag read from a response member (`bool` or `Option<bool>`).
pub trait Flag {
    /// The flag, when the service sent one.
    fn flag(&self) -> Option<bool>;
}

impl Flag for bool {
    fn flag(&self) -> Option<bool> {
        Some(*self)
    }
}

impl Flag for Option<bool> {
    fn flag(&self) -> Option<bool> {
        *self
    }
}

/// Converts a position number into the integer type of a request field.
///
/// # Errors
/// [`Error::InvalidInput`] when the number does not fit the field.
pub fn fit<T: TryFrom<u64>>(op: &str, what: &str, value: u64) -> Result<T> {
    T::try_from(value).map_err(|_| Error::invalid_input(op, format!("{what} {value} does not fit the request field")))
}

/// Why the paginator stopped a list that did not end by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stuck {
    /// A non-empty page equal to the page before it.
    RepeatedPage {
        /// The page number (from 1) that repeated.
        page: u64,
    },
    /// The next cursor equals the current one.
    SameCursor,
    /// More pages than the limit.
    TooManyPages {
        /// The limit.
        max_pages: u64,
    },
}

impl Stuck {
    fn message(&self) -> String {
        match self {
            Stuck::RepeatedPage { page } => {
                format!("pagination made no progress: page {page} repeats the page before it")
            }
            Stuck::SameCursor => "pagination made no progress: the next cursor is the current one".to_owned(),
            Stuck::TooManyPages { max_pages } => format!("pagination stopped after {max_pages} pages"),
        }
    }

    /// The typed error of `op` for this.
    pub fn into_error(self, op: &str) -> Error {
        Error::Decode {
            op: op.to_owned(),
            status: None,
            excerpt: String::new(),
            source: DecodeError::Envelope { message: self.message() },
        }
    }
}

/// The position after `page`, fetched at `pos`; `Ok(None)` when `page` was the last.
///
/// # Errors
/// [`Stuck::SameCursor`] for a cursor that does not move.
pub fn next_position<T>(
    style: PageStyle,
    pos: &Position,
    page: &Page<T>,
) -> std::result::Result<Option<Position>, Stuck> {
    let n = page.items.len() as u64;
    if n == 0 || page.has_more == Some(false) {
        return Ok(None);
    }
    let next = Position {
        offset: pos.offset.saturating_add(n),
        page: pos.page.saturating_add(1),
        cursor: page.next_cursor.clone(),
        limit: pos.limit,
    };
    if style == PageStyle::Cursor {
        return match &page.next_cursor {
            None => Ok(None),
            Some(c) if Some(c) == pos.cursor.as_ref() => Err(Stuck::SameCursor),
            Some(_) => Ok(Some(next)),
        };
    }
    let more = match (page.total, page.has_more) {
        (Some(total), _) => next.offset < total,
        (None, Some(more)) => more,
        // Neither: a short page is the last one (the service may cap the page size).
        (None, None) => n >= page.page_size.unwrap_or(pos.limit).max(1),
    };
    Ok(more.then_some(next))
}

/// A paginated list: its style, start and guard (see the module docs).
#[derive(Debug, Clone)]
pub struct Paginator {
    op: &'static str,
    style: PageStyle,
    start: Position,
    max_pages: u64,
}

/// The boxed item stream of a paginated list.
pub type ItemStream<T> = Pin<Box<dyn Stream<Item = Result<T>> + Send>>;

impl Paginator {
    /// A list of the operation `op` (its id, for errors) in `style`, starting at `start`.
    pub fn new(op: &'static str, style: PageStyle, start: Position) -> Self {
        Paginator { op, style, start, max_pages: DEFAULT_MAX_PAGES }
    }

    /// The most pages fetched before the stream ends with an error. Default
    /// [`DEFAULT_MAX_PAGES`]; at least 1.
    #[must_use]
    pub fn max_pages(mut self, max_pages: u64) -> Self {
        self.max_pages = max_pages.max(1);
        self
    }

    /// The items of every page, fetching each page with `fetch` only when the previous page's
    /// items are all taken.
    pub fn stream<T, F, Fut>(self, fetch: F) -> ItemStream<T>
    where
        T: Clone + PartialEq + Send + 'static,
        F: FnMut(Position) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Page<T>>> + Send + 'static,
    {
        let next = Some(self.start.clone());
        let state =
            State { list: self, fetch, next, items: VecDeque::new(), pending: None, previous: None, fetched: 0 };
        Box::pin(stream::unfold(state, step))
    }
}

/// The stream's state between items.
struct State<T, F> {
    list: Paginator,
    fetch: F,
    /// The page to fetch once `items` is empty; `None` when the list is done.
    next: Option<Position>,
    /// Items of the current page not yet handed out.
    items: VecDeque<T>,
    /// The error to report once `items` is empty (a cursor that did not move).
    pending: Option<Error>,
    /// The previous page's items, to detect a repeated page.
    previous: Option<Vec<T>>,
    /// Pages fetched so far.
    fetched: u64,
}

async fn step<T, F, Fut>(mut s: State<T, F>) -> Option<(Result<T>, State<T, F>)>
where
    T: Clone + PartialEq + Send + 'static,
    F: FnMut(Position) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    loop {
        if let Some(item) = s.items.pop_front() {
            return Some((Ok(item), s));
        }
        if let Some(err) = s.pending.take() {
            return Some((Err(err), s));
        }
        let pos = s.next.take()?;
        if s.fetched >= s.list.max_pages {
            let err = Stuck::TooManyPages { max_pages: s.list.max_pages }.into_error(s.list.op);
            return Some((Err(err), s));
        }
        s.fetched += 1;
        let page = match (s.fetch)(pos.clone()).await {
            Ok(page) => page,
            Err(e) => return Some((Err(e), s)),
        };
        if !page.items.is_empty() && s.previous.as_ref() == Some(&page.items) {
            let err = Stuck::RepeatedPage { page: s.fetched }.into_error(s.list.op);
            return Some((Err(err), s));
        }
        match next_position(s.list.style, &pos, &page) {
            Ok(next) => s.next = next,
            // This page is new: hand out its items, then report the stuck cursor.
            Err(stuck) => s.pending = Some(stuck.into_error(s.list.op)),
        }
        s.previous = Some(page.items.clone());
        s.items = page.items.into();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt as _;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    fn at(offset: u64, limit: u64) -> Position {
        Position { offset, page: offset / limit.max(1), cursor: None, limit }
    }

    fn page(n: u32) -> Page<u32> {
        Page::new((0..n).collect())
    }

    #[test]
    fn offsets_advance_by_what_came_back_and_stop_at_the_total() {
        let next = next_position(PageStyle::Offset, &at(0, 20), &page(20).total(30)).unwrap().unwrap();
        assert_eq!((next.offset, next.page), (20, 1));
        assert_eq!(next_position(PageStyle::Offset, &at(20, 20), &page(10).total(30)).unwrap(), None);
        // The service caps the page below the requested size: keep going while below the total.
        let capped = next_position(PageStyle::Offset, &at(0, 500), &page(100).total(1000)).unwrap().unwrap();
        assert_eq!(capped.offset, 100);
    }

    #[test]
    fn empty_short_and_last_pages_end_the_list() {
        assert_eq!(next_position(PageStyle::Offset, &at(0, 20), &page(0).total(30)).unwrap(), None, "empty");
        assert!(next_position(PageStyle::Offset, &at(0, 20), &page(20)).unwrap().is_some(), "full, no total");
        assert_eq!(next_position(PageStyle::Offset, &at(0, 20), &page(19)).unwrap(), None, "short");
        assert!(
            next_position(PageStyle::Offset, &at(0, 20), &page(10).page_size(10)).unwrap().is_some(),
            "full by the service's own page size"
        );
        assert_eq!(next_position(PageStyle::Page, &at(0, 20), &page(20).has_more(false)).unwrap(), None);
        assert!(next_position(PageStyle::Page, &at(0, 20), &page(3).has_more(true)).unwrap().is_some());
        // has_more false wins over a total that says otherwise.
        assert_eq!(next_position(PageStyle::Offset, &at(0, 20), &page(20).total(100).has_more(false)).unwrap(), None);
    }

    #[test]
    fn cursors_must_move() {
        let first = next_position(PageStyle::Cursor, &at(0, 2), &page(2).next_cursor(Some("a".into())));
        let first = first.unwrap().unwrap();
        assert_eq!(first.cursor.as_deref(), Some("a"));
        let same = next_position(PageStyle::Cursor, &first, &page(2).next_cursor(Some("a".into())));
        assert_eq!(same, Err(Stuck::SameCursor));
        assert_eq!(next_position(PageStyle::Cursor, &first, &page(2).next_cursor(Some(String::new()))).unwrap(), None);
        assert_eq!(next_position(PageStyle::Cursor, &first, &page(2)).unwrap(), None);
    }

    #[test]
    fn counts_and_fits() {
        assert_eq!(Some(5u32).count(), Some(5));
        assert_eq!((-1i64).count(), None);
        assert_eq!(None::<u64>.count(), None);
        assert_eq!(Some(true).flag(), Some(true));
        assert_eq!(fit::<u32>("op", "offset", 7).unwrap(), 7);
        let e = fit::<u32>("op", "offset", u64::MAX).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
    }

    /// A list of `len` items served `limit` at a time, counting fetches.
    fn serve(
        len: u32,
        fetches: Arc<AtomicU64>,
    ) -> impl FnMut(Position) -> futures_util::future::Ready<Result<Page<u32>>> {
        move |pos| {
            fetches.fetch_add(1, Ordering::SeqCst);
            let from = u32::try_from(pos.offset).unwrap().min(len);
            let to = (from + u32::try_from(pos.limit).unwrap()).min(len);
            futures_util::future::ready(Ok(Page::new((from..to).collect()).total(u64::from(len))))
        }
    }

    #[tokio::test]
    async fn pages_are_fetched_lazily() {
        let fetches = Arc::new(AtomicU64::new(0));
        let mut s = Paginator::new("t", PageStyle::Offset, Position::first(10)).stream(serve(35, fetches.clone()));
        assert_eq!(fetches.load(Ordering::SeqCst), 0, "nothing before the first poll");
        for want in 0..10 {
            assert_eq!(s.next().await.unwrap().unwrap(), want);
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        let rest: Vec<u32> = s.map(|r| r.unwrap()).collect().await;
        assert_eq!(rest, (10..35).collect::<Vec<_>>());
        assert_eq!(fetches.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn a_repeated_page_is_an_error_not_a_loop() {
        // Always the same full page, never a total: without the guard this never ends.
        let s = Paginator::new("t.list", PageStyle::Offset, Position::first(3))
            .stream(|_| futures_util::future::ready(Ok(Page::new(vec![1u32, 2, 3]))));
        let all: Vec<Result<u32>> = s.collect().await;
        assert_eq!(all.len(), 4, "{all:?}");
        let err = all[3].as_ref().unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Decode);
        assert!(err.report().to_string().contains("page 2 repeats"), "{}", err.report());
    }

    #[tokio::test]
    async fn max_pages_bounds_a_list_that_never_ends() {
        let mut n = 0u32;
        let s = Paginator::new("t", PageStyle::Page, Position::first(1)).max_pages(5).stream(move |_| {
            n += 1;
            futures_util::future::ready(Ok(Page::new(vec![n]).has_more(true)))
        });
        let all: Vec<Result<u32>> = s.collect().await;
        assert_eq!(all.len(), 6);
        assert!(all[5].as_ref().unwrap_err().report().to_string().contains("after 5 pages"));
    }

    #[tokio::test]
    async fn a_stuck_cursor_reports_after_the_new_items_and_a_failed_page_ends_the_stream() {
        let s = Paginator::new("t", PageStyle::Cursor, Position::first(2)).stream(|pos: Position| {
            let items = if pos.cursor.is_none() { vec![1u32, 2] } else { vec![3, 4] };
            futures_util::future::ready(Ok(Page::new(items).next_cursor(Some("c".into()))))
        });
        let all: Vec<Result<u32>> = s.collect().await;
        assert_eq!(all.iter().filter_map(|r| r.as_ref().ok().copied()).collect::<Vec<_>>(), [1, 2, 3, 4]);
        assert!(all[4].as_ref().unwrap_err().report().to_string().contains("cursor"));
        assert_eq!(all.len(), 5);

        let s = Paginator::new("t", PageStyle::Offset, Position::first(2)).stream(|pos: Position| {
            futures_util::future::ready(if pos.offset == 0 {
                Ok(Page::new(vec![1u32, 2]))
            } else {
                Err(Error::invalid_input("t", "boom"))
            })
        });
        let all: Vec<Result<u32>> = s.collect().await;
        assert_eq!(all.len(), 3);
        assert!(all[2].is_err());
    }
}
