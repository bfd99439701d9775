//! [`AlarmMerge`]: one stream over several alarm sources, each with its connection state.

use std::collections::HashSet;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::stream::{BoxStream, FusedStream, SelectAll};
use futures_util::{Stream, StreamExt};
use tokio::sync::watch;
use watchpost_core::alarm::{Alarm, Delivery};
use watchpost_core::supervise::ConnectionState;
use watchpost_core::{Error, Result};

/// The name a source was added under (`"north-gateway"`, `"hpp"`).
pub type SourceName = Arc<str>;

/// A resync boundary of a source: a source that cannot replay missed events reads the standing
/// state after every reconnect and reports what is in alarm as alarms between these two.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResyncNotice {
    /// A resync begins.
    Started,
    /// The resync is over.
    Done {
        /// Devices whose state could not be read: their alarm state is unknown.
        unread: Vec<String>,
        /// Whether every device was read (the device list included).
        complete: bool,
    },
}

/// What a source hands to the merge: an alarm, or a resync boundary.
///
/// A plain `Stream` of `Result<Delivery<Alarm>>` is a source as it is (`From<Delivery<Alarm>>`).
// Nearly every item is an alarm: boxing it would add an allocation per alarm.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum SourceItem {
    /// An alarm with its acknowledgement.
    Alarm(Delivery<Alarm>),
    /// A resync boundary.
    Resync(ResyncNotice),
}

impl From<Delivery<Alarm>> for SourceItem {
    fn from(d: Delivery<Alarm>) -> Self {
        SourceItem::Alarm(d)
    }
}

#[cfg(feature = "hikgw")]
impl From<hik_gateway::events::AlarmItem> for SourceItem {
    fn from(item: hik_gateway::events::AlarmItem) -> Self {
        use hik_gateway::events::AlarmItem;
        match item {
            AlarmItem::Alarm(d) => SourceItem::Alarm(d),
            AlarmItem::ResyncStarted => SourceItem::Resync(ResyncNotice::Started),
            AlarmItem::ResyncDone(summary) => {
                SourceItem::Resync(ResyncNotice::Done { complete: summary.is_complete(), unread: summary.failed })
            }
        }
    }
}

/// An item of [`AlarmMerge`], tagged with its source.
// Nearly every item is an alarm: boxing it would add an allocation per alarm.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum Merged {
    /// An alarm: acknowledge it once handled ([`Delivery::ack`]).
    Alarm {
        /// The source's name.
        source: SourceName,
        /// The alarm and its acknowledgement.
        delivery: Delivery<Alarm>,
    },
    /// The source's connection state changed (the first item of every source is its state when
    /// added). `Connecting` and `Backoff` mean alarms may be missed until the next `Connected`.
    State {
        /// The source's name.
        source: SourceName,
        /// The new state.
        state: ConnectionState,
    },
    /// A resync boundary of the source.
    Resync {
        /// The source's name.
        source: SourceName,
        /// Which boundary.
        notice: ResyncNotice,
    },
    /// An error item of the source (a bad part, a lost connection); the source goes on.
    Error {
        /// The source's name.
        source: SourceName,
        /// What went wrong.
        error: Error,
    },
    /// The source's stream ended (a fatal error before it ever connected, or its end); the
    /// other sources go on.
    Ended {
        /// The source's name.
        source: SourceName,
    },
}

impl Merged {
    /// The name of the source of this item.
    pub fn source(&self) -> &SourceName {
        match self {
            Merged::Alarm { source, .. }
            | Merged::State { source, .. }
            | Merged::Resync { source, .. }
            | Merged::Error { source, .. }
            | Merged::Ended { source } => source,
        }
    }
}

/// A merged stream over several named alarm sources.
///
/// - Every item of every source comes out once, tagged with the source's name; the items of one
///   source keep their order (so the alarms of a device do).
/// - Fair: the sources are polled in turn, so a busy source cannot starve a quiet one.
/// - One failing source never ends the others: its errors are [`Merged::Error`] items, its end
///   a [`Merged::Ended`] item. The merge ends when every source has ended (never, for sources
///   that reconnect forever such as the Device Gateway's).
/// - The connection state of each source (its `watch` channel) comes out as
///   [`Merged::State`] items, the current state first; a burst of changes may be folded into
///   the last one (a watch channel keeps the latest).
///
/// Sources may be added while the merge runs ([`AlarmMerge::add_source`]).
#[derive(Default)]
#[must_use = "a merge does nothing unless polled"]
pub struct AlarmMerge {
    sources: SelectAll<SourceStream>,
    names: HashSet<SourceName>,
}

impl std::fmt::Debug for AlarmMerge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlarmMerge").field("sources", &self.names).finish()
    }
}

impl AlarmMerge {
    /// An empty merge.
    pub fn new() -> Self {
        AlarmMerge::default()
    }

    /// Adds the source `name`: its `stream` of alarms (or of [`SourceItem`]s) and error items,
    /// and its connection `state`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when a source of that name is already in the merge (its items
    /// could not be told apart); nothing is added.
    pub fn add_source<S, T>(
        &mut self,
        name: impl Into<String>,
        state: watch::Receiver<ConnectionState>,
        stream: S,
    ) -> Result<&mut Self>
    where
        S: Stream<Item = Result<T>> + Send + 'static,
        T: Into<SourceItem>,
    {
        let name: SourceName = Arc::from(name.into());
        if self.names.contains(&name) {
            return Err(Error::invalid_input(
                "alarm.merge",
                format!("a source named `{name}` is already in the merge"),
            ));
        }
        self.names.insert(name.clone());
        let items = stream.map(|r| r.map(Into::into)).boxed();
        self.sources.push(SourceStream {
            name,
            items,
            states: state_changes(state.clone()).fuse(),
            state,
            last_state: None,
            ended: false,
        });
        Ok(self)
    }

    /// The names of the sources added so far.
    pub fn source_names(&self) -> impl Iterator<Item = &SourceName> {
        self.names.iter()
    }

    /// Sources whose stream has not ended.
    pub fn live_sources(&self) -> usize {
        self.sources.len()
    }
}

impl Stream for AlarmMerge {
    type Item = Merged;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Merged>> {
        self.sources.poll_next_unpin(cx)
    }
}

/// The state, then every change of it, until the sender is dropped.
fn state_changes(rx: watch::Receiver<ConnectionState>) -> BoxStream<'static, ConnectionState> {
    futures_util::stream::unfold((rx, true), |(mut rx, first)| async move {
        if !first && rx.changed().await.is_err() {
            return None;
        }
        let s = rx.borrow_and_update().clone();
        Some((s, (rx, false)))
    })
    .boxed()
}

/// One source: its state changes and items, tagged; a state change is reported before the
/// items polled after it.
struct SourceStream {
    name: SourceName,
    items: BoxStream<'static, Result<SourceItem>>,
    states: futures_util::stream::Fuse<BoxStream<'static, ConnectionState>>,
    /// For the last state when the items end.
    state: watch::Receiver<ConnectionState>,
    last_state: Option<ConnectionState>,
    ended: bool,
}

impl SourceStream {
    /// A state item, unless `s` is the state reported last.
    fn state_item(&mut self, s: ConnectionState) -> Option<Merged> {
        if self.last_state.as_ref() == Some(&s) {
            return None;
        }
        self.last_state = Some(s.clone());
        Some(Merged::State { source: self.name.clone(), state: s })
    }
}

impl Stream for SourceStream {
    type Item = Merged;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Merged>> {
        if self.ended {
            return Poll::Ready(None);
        }
        while !self.states.is_terminated() {
            match self.states.poll_next_unpin(cx) {
                Poll::Ready(Some(s)) => {
                    if let Some(item) = self.state_item(s) {
                        return Poll::Ready(Some(item));
                    }
                }
                Poll::Ready(None) | Poll::Pending => break,
            }
        }
        let source = self.name.clone();
        match self.items.poll_next_unpin(cx) {
            Poll::Ready(Some(Ok(SourceItem::Alarm(delivery)))) => Poll::Ready(Some(Merged::Alarm { source, delivery })),
            Poll::Ready(Some(Ok(SourceItem::Resync(notice)))) => Poll::Ready(Some(Merged::Resync { source, notice })),
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Merged::Error { source, error })),
            Poll::Ready(None) => {
                // The final state (`Closed`) may not have been polled yet: report it first.
                let last = self.state.borrow().clone();
                if let Some(item) = self.state_item(last) {
                    return Poll::Ready(Some(item));
                }
                self.ended = true;
                Poll::Ready(Some(Merged::Ended { source }))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;
    use watchpost_core::alarm::{AckGroup, AlarmSource, Category, RawEvent};

    fn alarm(device: &str, n: usize) -> Alarm {
        Alarm {
            source: AlarmSource::new("test", "t"),
            device_id: device.to_owned(),
            device_name: None,
            zone: Some(u32::try_from(n).unwrap_or(u32::MAX)),
            partition: None,
            channel: None,
            user: None,
            event_time: None,
            received_at: SystemTime::UNIX_EPOCH,
            category: Category::Intrusion,
            restore_of: None,
            code: "1130".to_owned(),
            description: String::new(),
            correlation_id: None,
            media: Vec::new(),
            raw: RawEvent::Json(serde_json::Value::Null),
        }
    }

    fn source_of(device: &'static str, n: usize) -> BoxStream<'static, Result<Delivery<Alarm>>> {
        futures_util::stream::iter((0..n).map(move |i| Ok(Delivery::unacknowledged(alarm(device, i))))).boxed()
    }

    #[tokio::test]
    async fn a_busy_source_does_not_starve_a_quiet_one() {
        let (_busy_tx, busy_state) = watch::channel(ConnectionState::Connected);
        let (_quiet_tx, quiet_state) = watch::channel(ConnectionState::Connected);
        let mut merge = AlarmMerge::new();
        merge.add_source("busy", busy_state, source_of("b", 10_000)).unwrap();
        merge.add_source("quiet", quiet_state, source_of("q", 1)).unwrap();
        let mut position = None;
        let mut busy_seen = 0usize;
        let mut i = 0usize;
        while let Some(item) = merge.next().await {
            if let Merged::Alarm { source, delivery } = item {
                let a = delivery.ack();
                if &*source == "quiet" {
                    position = Some(i);
                } else {
                    assert_eq!(a.zone, Some(u32::try_from(busy_seen).unwrap()), "order kept per source");
                    busy_seen += 1;
                }
                i += 1;
            }
        }
        assert_eq!(busy_seen, 10_000);
        // Served in turn: the quiet source's alarm is among the first few, not after 10,000.
        assert!(position.is_some_and(|p| p < 4), "{position:?}");
    }

    #[tokio::test]
    async fn a_failing_source_ends_alone_and_states_and_errors_are_tagged() {
        let (tx, failing_state) = watch::channel(ConnectionState::Connecting);
        let failing = futures_util::stream::iter(vec![
            Err(Error::invalid_input("x", "bad part")),
            Ok(Delivery::unacknowledged(alarm("f", 0))),
        ]);
        let (_ok_tx, ok_state) = watch::channel(ConnectionState::Connected);
        let mut merge = AlarmMerge::new();
        merge.add_source("failing", failing_state, failing).unwrap();
        merge.add_source("ok", ok_state, source_of("o", 3)).unwrap();
        assert!(merge.add_source("ok", watch::channel(ConnectionState::Connected).1, source_of("o", 1)).is_err());
        tx.send_replace(ConnectionState::Closed);
        let items: Vec<Merged> = merge.collect().await;
        let of = |name: &str| items.iter().filter(|m| &**m.source() == name).collect::<Vec<_>>();
        let failing = of("failing");
        assert!(matches!(failing.first(), Some(Merged::State { state: ConnectionState::Closed, .. })), "{failing:?}");
        assert!(matches!(failing.get(1), Some(Merged::Error { .. })), "{failing:?}");
        assert!(matches!(failing.get(2), Some(Merged::Alarm { .. })), "{failing:?}");
        assert!(matches!(failing.last(), Some(Merged::Ended { .. })), "{failing:?}");
        let ok = of("ok");
        assert_eq!(ok.iter().filter(|m| matches!(m, Merged::Alarm { .. })).count(), 3);
        assert!(matches!(ok.first(), Some(Merged::State { state: ConnectionState::Connected, .. })));
        assert!(matches!(ok.last(), Some(Merged::Ended { .. })));
    }

    #[tokio::test]
    async fn acknowledgements_pass_through_the_merge() {
        let (group, acks) = AckGroup::new(2);
        let deliveries: Vec<Result<Delivery<Alarm>>> =
            acks.into_iter().enumerate().map(|(i, ack)| Ok(Delivery::new(alarm("d", i), ack))).collect();
        let (_tx, state) = watch::channel(ConnectionState::Connected);
        let mut merge = AlarmMerge::new();
        merge.add_source("queue", state, futures_util::stream::iter(deliveries)).unwrap();
        while let Some(item) = merge.next().await {
            if let Merged::Alarm { delivery, .. } = item {
                delivery.ack();
            }
        }
        assert!(group.settled().await.all_acked());
    }
}
