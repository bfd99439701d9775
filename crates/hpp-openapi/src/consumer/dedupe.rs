//! The dedupe window: which alarm contents were handled recently.
//!
//! A message carries no id, so a redelivered message is recognised by its content: the device
//! serial and the alarm data text, hashed to 128 bits (two SipHash-1-3 hashes with independent
//! random keys; the chance of any collision, which would suppress a genuine alarm, is about
//! 10^-27 for a window of a million entries).

use std::collections::hash_map::RandomState;
use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasher, Hash, Hasher};
use std::time::Duration;

use tokio::time::Instant;

/// How long, and how many, handled alarm contents are remembered to suppress redeliveries.
///
/// An entry leaves the window when it is older than `max_age` (when set) or when more than
/// `max_entries` newer ones were added. `max_entries == 0` turns deduplication off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DedupeWindow {
    /// The most contents remembered. Default 100,000.
    pub max_entries: usize,
    /// How long a content is remembered. Default 3 h: longer than the platform's two-hour cache,
    /// so every redelivery the platform can make falls inside it.
    pub max_age: Option<Duration>,
}

impl Default for DedupeWindow {
    fn default() -> Self {
        DedupeWindow { max_entries: 100_000, max_age: Some(Duration::from_secs(3 * 3600)) }
    }
}

impl DedupeWindow {
    /// No deduplication: every redelivered message reaches the handler again.
    pub fn off() -> Self {
        DedupeWindow { max_entries: 0, max_age: None }
    }
}

/// The content key of one message.
pub(crate) type Key = u128;

/// The remembered contents of one window.
#[derive(Debug)]
pub(crate) struct Seen {
    window: DedupeWindow,
    order: VecDeque<(Key, Instant)>,
    set: HashSet<Key>,
    hashers: (RandomState, RandomState),
}

impl Seen {
    /// An empty window.
    pub(crate) fn new(window: DedupeWindow) -> Self {
        Seen { window, order: VecDeque::new(), set: HashSet::new(), hashers: (RandomState::new(), RandomState::new()) }
    }

    /// The key of a message's content.
    pub(crate) fn key(&self, device_serial: &str, alarm_text: &str) -> Key {
        let half = |state: &RandomState| {
            let mut h = state.build_hasher();
            device_serial.hash(&mut h);
            alarm_text.hash(&mut h);
            h.finish()
        };
        (u128::from(half(&self.hashers.0)) << 64) | u128::from(half(&self.hashers.1))
    }

    /// Whether `key` is in the window at `now`.
    pub(crate) fn contains(&mut self, key: Key, now: Instant) -> bool {
        self.evict(now);
        self.set.contains(&key)
    }

    /// Remembers `key` from `now` (a key already in the window keeps its first time).
    pub(crate) fn insert(&mut self, key: Key, now: Instant) {
        if self.window.max_entries == 0 {
            return;
        }
        self.evict(now);
        if self.set.insert(key) {
            self.order.push_back((key, now));
        }
        while self.order.len() > self.window.max_entries {
            self.pop();
        }
    }

    /// How many contents are remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }

    fn evict(&mut self, now: Instant) {
        let Some(age) = self.window.max_age else { return };
        while self.order.front().is_some_and(|(_, at)| now.saturating_duration_since(*at) >= age) {
            self.pop();
        }
    }

    fn pop(&mut self) {
        if let Some((key, _)) = self.order.pop_front() {
            self.set.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn contents_leave_the_window_by_count_and_by_age() {
        let mut seen = Seen::new(DedupeWindow { max_entries: 2, max_age: Some(Duration::from_secs(10)) });
        let t0 = Instant::now();
        let (a, b, c) = (seen.key("D1", "x"), seen.key("D1", "y"), seen.key("D2", "x"));
        assert!(a != b && a != c && b != c);
        assert_eq!(a, seen.key("D1", "x"), "the key is the content's");
        assert_ne!(seen.key("D1x", ""), seen.key("D1", "x"), "serial and text stay apart");
        seen.insert(a, t0);
        seen.insert(b, t0);
        seen.insert(a, t0);
        assert!(seen.contains(a, t0) && seen.contains(b, t0));
        seen.insert(c, t0);
        assert!(!seen.contains(a, t0), "the oldest left by count");
        assert!(seen.contains(c, t0 + Duration::from_secs(9)));
        assert!(!seen.contains(c, t0 + Duration::from_secs(10)), "left by age");
        assert_eq!(seen.len(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_window_of_zero_entries_remembers_nothing() {
        let mut seen = Seen::new(DedupeWindow::off());
        let k = seen.key("D", "x");
        seen.insert(k, Instant::now());
        assert!(!seen.contains(k, Instant::now()));
    }
}
