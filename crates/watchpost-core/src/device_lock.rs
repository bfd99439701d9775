//! [`DeviceLocks`]: one async lock per device key, so that a pipeline with per-device
//! serialisation on sends one call per device at a time (some devices answer "too many
//! operations" when asked several things at once). An entry lives only while someone holds or
//! waits for it, so the map never grows past the devices in use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// One async mutex per device key, removed again when nobody holds or waits for it.
#[derive(Debug, Default)]
pub struct DeviceLocks {
    map: Arc<LockMap>,
}

/// The locks of the devices in use, by key.
type LockMap = Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>;

/// Drops `guard`, then removes `key`'s entry when nobody else holds or waits for it.
fn release(map: &LockMap, key: &str, guard: Option<tokio::sync::OwnedMutexGuard<()>>) {
    drop(guard);
    let mut map = map.lock().unwrap_or_else(PoisonError::into_inner);
    // Only the map holds it (waiters clone it under this same lock): nobody needs it now.
    if map.get(key).is_some_and(|m| Arc::strong_count(m) == 1) {
        map.remove(key);
    }
}

impl DeviceLocks {
    /// Waits for the turn of device `key`; the turn lasts until the returned guard is dropped.
    /// Waiters are served in order (tokio's mutex is fair).
    pub async fn acquire(&self, key: String) -> DeviceTurn<'_> {
        let lock = {
            let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
            map.entry(key.clone()).or_default().clone()
        };
        // Declared before the wait: should this future be dropped while waiting, the wait (and
        // its clone of the lock) goes first, then `turn` cleans up as a finished turn would.
        let mut turn = DeviceTurn { locks: self, key, guard: None };
        turn.guard = Some(lock.lock_owned().await);
        turn
    }

    /// As [`acquire`](Self::acquire), but the turn does not borrow `self`: it can travel with a
    /// value that outlives the call that took it (a streamed response body holds its device's
    /// turn until it is dropped).
    pub async fn acquire_owned(&self, key: String) -> OwnedDeviceTurn {
        let lock = {
            let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
            map.entry(key.clone()).or_default().clone()
        };
        let mut turn = OwnedDeviceTurn { map: self.map.clone(), key, guard: None };
        turn.guard = Some(lock.lock_owned().await);
        turn
    }

    /// How many devices have a call in flight or waiting.
    pub fn in_use(&self) -> usize {
        self.map.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

/// The right to talk to one device; dropping it lets the next call go.
#[derive(Debug)]
pub struct DeviceTurn<'a> {
    locks: &'a DeviceLocks,
    key: String,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for DeviceTurn<'_> {
    fn drop(&mut self) {
        release(&self.locks.map, &self.key, self.guard.take());
    }
}

/// A [`DeviceTurn`] that owns its share of the locks ([`DeviceLocks::acquire_owned`]).
#[derive(Debug)]
pub struct OwnedDeviceTurn {
    map: Arc<LockMap>,
    key: String,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for OwnedDeviceTurn {
    fn drop(&mut self) {
        release(&self.map, &self.key, self.guard.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn turns_are_exclusive_per_key_and_cleaned_up() {
        let locks = DeviceLocks::default();
        let a = locks.acquire("A".into()).await;
        let b = locks.acquire("B".into()).await;
        let second_a = tokio::time::timeout(Duration::from_millis(20), locks.acquire("A".into())).await;
        assert!(second_a.is_err(), "A is taken");
        assert_eq!(locks.in_use(), 2);
        drop(a);
        drop(b);
        assert_eq!(locks.in_use(), 0, "a cancelled waiter leaves no entry behind");
        let _again = locks.acquire("A".into()).await;
        assert_eq!(locks.in_use(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn an_owned_turn_excludes_borrowed_ones_until_dropped() {
        let locks = DeviceLocks::default();
        let owned = locks.acquire_owned("A".into()).await;
        let waiting = tokio::time::timeout(Duration::from_millis(20), locks.acquire("A".into())).await;
        assert!(waiting.is_err(), "A is held by the owned turn");
        drop(owned);
        assert_eq!(locks.in_use(), 0);
        let _again = locks.acquire("A".into()).await;
        assert_eq!(locks.in_use(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiter_cancelled_after_the_holder_left_leaves_no_entry() {
        let locks = DeviceLocks::default();
        let a = locks.acquire("A".into()).await;
        let mut waiter = Box::pin(locks.acquire("A".into()));
        assert!(futures_util::FutureExt::now_or_never(&mut waiter).is_none());
        drop(a);
        assert_eq!(locks.in_use(), 1, "the waiter still needs the entry");
        // Cancelled before it was polled again: nobody will ever take this turn.
        drop(waiter);
        assert_eq!(locks.in_use(), 0);
    }
}
