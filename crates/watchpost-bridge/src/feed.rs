//! The source abstraction: a feed of alarms and connection states, started by a factory.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use futures_util::Stream;
use watchpost_core::alarm::{Alarm, Delivery};
use watchpost_core::supervise::ConnectionState;

/// One item of a source: an alarm to publish (then acknowledge), or a connection-state change.
#[derive(Debug)]
// Alarms are nearly every item: boxing them would allocate once more per alarm for nothing.
#[allow(clippy::large_enum_variant)]
pub enum FeedItem {
    /// An alarm with the acknowledgement its source is owed once it is stored.
    Alarm(Delivery<Alarm>),
    /// The source's connection changed state (published on `watchpost.state.<source>`).
    State(ConnectionState),
}

/// A followed source: its name (the `<source>` of the subjects) and its items.
///
/// Dropping the feed stops following the source (closes its connection). A push source, which
/// does not send again what it pushed into a closed connection, gives a finisher
/// ([`with_finisher`](Self::with_finisher)): a stopped feed is then finished and read to its end
/// instead of being dropped.
pub struct AlarmFeed {
    name: String,
    items: BoxStream<'static, FeedItem>,
    finisher: Option<FeedFinisher>,
}

/// Asks a source to stop sending (e.g. ends its subscription) while its feed is still read; the
/// feed then ends by itself once the source closed. The future answers whether the source
/// agreed (`false`: it could not be asked, and the feed is dropped at once).
pub type FeedFinisher = Box<dyn FnOnce() -> BoxFuture<'static, bool> + Send>;

impl AlarmFeed {
    /// A feed named `name` yielding `items`.
    pub fn new(name: impl Into<String>, items: BoxStream<'static, FeedItem>) -> Self {
        AlarmFeed { name: name.into(), items, finisher: None }
    }

    /// The feed with `finisher`: when the feed is stopped, the publisher runs it and keeps
    /// reading (and storing) the feed until it ends, within the drain time, so nothing the
    /// source sent before it closed is lost.
    #[must_use]
    pub fn with_finisher(mut self, finisher: FeedFinisher) -> Self {
        self.finisher = Some(finisher);
        self
    }

    /// Takes the finisher, if the feed has one.
    pub(crate) fn take_finisher(&mut self) -> Option<FeedFinisher> {
        self.finisher.take()
    }

    /// The source's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Debug for AlarmFeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AlarmFeed").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Stream for AlarmFeed {
    type Item = FeedItem;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<FeedItem>> {
        self.items.as_mut().poll_next(cx)
    }
}

/// Starts following one source: a lease holder calls [`start`](Self::start) when it takes the
/// source's lease and drops the feed when it loses or releases it.
pub trait FeedFactory: Send + Sync {
    /// The source's name, unique in a bridge deployment (the lease key and `<source>` token).
    fn name(&self) -> &str;
    /// Starts following the source.
    fn start(&self) -> AlarmFeed;
}
