//! A bridge instance: takes leases on its fair share of the sources and follows those.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use async_nats::jetstream::kv;
use bytes::Bytes;
use futures_util::StreamExt;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, MissedTickBehavior};

use crate::feed::FeedFactory;
use crate::lease::{instance_key, source_key, LeaseSettings};
use crate::publisher::{FeedSummary, Publisher};

/// Where a held source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Followed; the lease is renewed.
    Following,
    /// The follower ended by itself (its feed ended); the lease is still renewed.
    Ended,
    /// Above the fair share: the follower was stopped; the lease is renewed until the follower
    /// ended, then deleted.
    Releasing,
    /// The lease was lost: the follower was stopped; the entry goes when the follower ended
    /// (the source is not taken again before that, so this process never follows it twice).
    Lost,
}

/// One held (or lost and stopping) source.
struct Held {
    revision: u64,
    /// The lease is ours until then unless a renewal succeeds (see `local_validity`).
    valid_until: Instant,
    /// `valid_until`, watched by the follower, which stops by itself when it passes (however
    /// long this instance's requests to NATS hang).
    deadline: watch::Sender<Instant>,
    stop: Option<oneshot::Sender<()>>,
    phase: Phase,
}

impl Held {
    fn stop(&mut self, phase: Phase) {
        self.phase = phase;
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// One bridge instance: follows the sources whose lease it holds, at most its fair share
/// (`ceil(sources / live instances)`), and releases its leases on a clean shutdown.
pub struct Instance {
    id: String,
    kv: kv::Store,
    publisher: Publisher,
    sources: Vec<Arc<dyn FeedFactory>>,
    leases: LeaseSettings,
}

impl std::fmt::Debug for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instance").field("id", &self.id).field("sources", &self.sources.len()).finish()
    }
}

impl Instance {
    /// An instance named `id` (unique among live instances) sharing `sources` through the
    /// lease bucket `kv` (see [`crate::open_lease_bucket`]).
    pub fn new(
        id: impl Into<String>,
        kv: kv::Store,
        publisher: Publisher,
        sources: Vec<Arc<dyn FeedFactory>>,
        leases: LeaseSettings,
    ) -> Self {
        Instance { id: id.into(), kv, publisher, sources, leases }
    }

    /// Runs until `shutdown` completes, then stops every follower, waits for their drain and
    /// deletes its leases and announcement so other instances take the sources at once.
    ///
    /// Every [`LeaseSettings::renew_every`]: announce this instance, renew each held lease
    /// (compare-and-set on its revision; a lease whose revision moved is lost and its follower
    /// stopped), stop following any source whose last successful renewal is older than the
    /// local validity, release leases above the fair share, and take free sources up to it.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let mut held: HashMap<String, Held> = HashMap::new();
        let mut followers: JoinSet<(String, FeedSummary)> = JoinSet::new();
        let mut tick = tokio::time::interval(self.leases.renew_every);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                Some(joined) = followers.join_next(), if !followers.is_empty() => {
                    if let Ok((name, summary)) = joined {
                        self.follower_ended(&mut held, &name, summary).await;
                    }
                }
                _ = tick.tick() => {
                    let (announced, live) = self.round(&mut held, &mut followers).await;
                    let holding = held.values().filter(|h| h.phase != Phase::Lost).count();
                    self.publisher.observer().lease_round(announced && live.is_some(), holding, live);
                }
            }
        }
        for h in held.values_mut() {
            if let Some(stop) = h.stop.take() {
                let _ = stop.send(());
            }
        }
        while followers.join_next().await.is_some() {}
        // Concurrently and bounded by the TTL: with NATS unreachable the leases expire by then
        // anyway, and a stop must not wait one request timeout per source.
        let releases = futures_util::future::join_all(
            held.iter().filter(|(_, h)| h.phase != Phase::Lost).map(|(name, h)| self.delete_lease(name, h.revision)),
        );
        let announcement = async {
            if let Err(e) = self.kv.delete(instance_key(&self.id)).await {
                tracing::warn!(instance = %self.id, error = %e, "could not delete the announcement");
            }
        };
        if tokio::time::timeout(self.leases.ttl, futures_util::future::join(releases, announcement)).await.is_err() {
            tracing::warn!(instance = %self.id, "releasing the leases timed out; they expire after the ttl");
        }
        self.publisher.observer().stopped();
        tracing::info!(instance = %self.id, "stopped; leases released");
    }

    async fn follower_ended(&self, held: &mut HashMap<String, Held>, name: &str, summary: FeedSummary) {
        tracing::info!(instance = %self.id, source = %name, ?summary, "follower ended");
        let Some(h) = held.get_mut(name) else { return };
        match h.phase {
            Phase::Releasing => {
                let revision = h.revision;
                held.remove(name);
                self.delete_lease(name, revision).await;
            }
            Phase::Lost => {
                held.remove(name);
            }
            // The feed ended by itself (its supervisor gave up): the lease is kept so that no
            // instance restarts a source that refused us; see docs/bridge.md.
            Phase::Following | Phase::Ended => h.phase = Phase::Ended,
        }
    }

    async fn delete_lease(&self, name: &str, revision: u64) {
        if let Err(e) = self.kv.delete_expect_revision(source_key(name), Some(revision)).await {
            tracing::info!(instance = %self.id, source = %name, error = %e, "lease not deleted (already gone or taken)");
        }
    }

    /// One lease round; returns whether the announcement was stored and the live instances
    /// counted (`None` when the bucket could not be listed).
    async fn round(
        &self,
        held: &mut HashMap<String, Held>,
        followers: &mut JoinSet<(String, FeedSummary)>,
    ) -> (bool, Option<usize>) {
        let me = Bytes::from(self.id.clone());
        // Every request of a round is bounded, so that a hanging connection neither delays the
        // round past the renewal period nor keeps a stale follower alive (it stops by itself).
        let bound = self.leases.renew_every;
        let announced = match tokio::time::timeout(bound, self.kv.put(instance_key(&self.id), me.clone())).await {
            Ok(Ok(_)) => true,
            Ok(Err(e)) => {
                tracing::warn!(instance = %self.id, error = %e, "announcement failed");
                false
            }
            Err(_) => {
                tracing::warn!(instance = %self.id, "announcement timed out");
                false
            }
        };
        // Renew, concurrently.
        let mut lost = Vec::new();
        let mut contested = Vec::new();
        let due: Vec<(String, u64)> =
            held.iter().filter(|(_, h)| h.phase != Phase::Lost).map(|(n, h)| (n.clone(), h.revision)).collect();
        let sent = Instant::now();
        let renewals = futures_util::future::join_all(
            due.iter().map(|(name, revision)| self.kv.update(source_key(name), me.clone(), *revision)),
        );
        match tokio::time::timeout(bound, renewals).await {
            Ok(results) => {
                for ((name, _), result) in due.iter().zip(results) {
                    let Some(h) = held.get_mut(name) else { continue };
                    match result {
                        Ok(revision) => {
                            h.revision = revision;
                            h.valid_until = sent + self.leases.local_validity();
                            h.deadline.send_replace(h.valid_until);
                        }
                        Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => contested.push(name.clone()),
                        Err(e) => tracing::warn!(instance = %self.id, source = %name, error = %e, "renewal failed"),
                    }
                }
            }
            Err(_) => tracing::warn!(instance = %self.id, leases = due.len(), "renewals timed out"),
        }
        for name in contested {
            match self.reclaim(&name, &me).await {
                Some((revision, sent)) => {
                    tracing::info!(instance = %self.id, source = %name, "lease renewed after a late write of our own");
                    if let Some(h) = held.get_mut(&name) {
                        h.revision = revision;
                        h.valid_until = sent + self.leases.local_validity();
                        h.deadline.send_replace(h.valid_until);
                    }
                }
                None => {
                    tracing::warn!(instance = %self.id, source = %name, "lease lost to another instance");
                    lost.push(name);
                }
            }
        }
        let now = Instant::now();
        for (name, h) in held.iter().filter(|(_, h)| h.phase != Phase::Lost) {
            if now >= h.valid_until && !lost.contains(name) {
                tracing::warn!(instance = %self.id, source = %name, "lease not renewed in time; stopping");
                lost.push(name.clone());
            }
        }
        for name in lost {
            match held.get_mut(&name) {
                // No follower left to wait for.
                Some(h) if h.phase == Phase::Ended => {
                    held.remove(&name);
                }
                Some(h) => h.stop(Phase::Lost),
                None => {}
            }
        }
        // Fair share.
        let Some(live) = self.live_instances().await else { return (announced, None) };
        let fair = self.sources.len().div_ceil(live.max(1));
        let counts = |h: &&Held| matches!(h.phase, Phase::Following | Phase::Ended);
        let active = held.values().filter(counts).count();
        if active > fair {
            let mut names: Vec<(String, Phase)> =
                held.iter().filter(|(_, h)| counts(h)).map(|(n, h)| (n.clone(), h.phase)).collect();
            // Release ended sources first, then by name.
            names.sort_by_key(|(n, p)| (*p != Phase::Ended, n.clone()));
            for (name, phase) in names.into_iter().take(active - fair) {
                tracing::info!(instance = %self.id, source = %name, fair, "releasing above the fair share");
                if phase == Phase::Ended {
                    if let Some(h) = held.remove(&name) {
                        self.delete_lease(&name, h.revision).await;
                    }
                } else if let Some(h) = held.get_mut(&name) {
                    h.stop(Phase::Releasing);
                }
            }
            return (announced, Some(live));
        }
        // Take free sources, starting at an offset of our own so instances do not all race for
        // the same key.
        let n = self.sources.len();
        let offset = usize::try_from(fxhash(&self.id)).unwrap_or(0) % n.max(1);
        let mut active = active;
        for i in 0..n {
            if active >= fair {
                break;
            }
            let Some(factory) = self.sources.get((offset + i) % n) else { continue };
            let name = factory.name().to_owned();
            if held.contains_key(&name) {
                continue;
            }
            let sent = Instant::now();
            let taken = match tokio::time::timeout(bound, self.kv.create(source_key(&name), me.clone())).await {
                Ok(Ok(revision)) => Some((revision, sent)),
                Ok(Err(e)) if e.kind() == kv::CreateErrorKind::AlreadyExists => self.reclaim(&name, &me).await,
                _ => None,
            };
            let Some((revision, sent)) = taken else { continue };
            tracing::info!(instance = %self.id, source = %name, "lease taken; following");
            let valid_until = sent + self.leases.local_validity();
            let (stop_tx, stop_rx) = oneshot::channel::<()>();
            let (deadline, deadline_rx) = watch::channel(valid_until);
            let feed = factory.start();
            let publisher = self.publisher.clone();
            let task_name = name.clone();
            followers.spawn(async move {
                let summary = publisher.run(feed, stopped(stop_rx, deadline_rx)).await;
                (task_name, summary)
            });
            held.insert(name, Held { revision, valid_until, deadline, stop: Some(stop_tx), phase: Phase::Following });
            active += 1;
        }
        (announced, Some(live))
    }

    /// When the lease key of `name` holds this instance's own id although our compare-and-set
    /// failed (a renewal or creation of ours that the server applied after its answer was lost,
    /// as a request buffered through a reconnect is; or a previous run with the same id), sets
    /// it again from the revision found: nobody else holds it. Returns the new revision and when
    /// the update was sent, or `None` when the key is another's, gone, or not readable.
    async fn reclaim(&self, name: &str, me: &Bytes) -> Option<(u64, Instant)> {
        let bound = self.leases.renew_every;
        let entry = tokio::time::timeout(bound, self.kv.entry(source_key(name))).await.ok()?.ok()??;
        if entry.operation != kv::Operation::Put || entry.value != *me {
            return None;
        }
        let sent = Instant::now();
        let update = self.kv.update(source_key(name), me.clone(), entry.revision);
        let revision = tokio::time::timeout(bound, update).await.ok()?.ok()?;
        Some((revision, sent))
    }

    /// The announced instances, or `None` when the bucket could not be listed.
    async fn live_instances(&self) -> Option<usize> {
        let listing = async {
            match self.kv.keys().await {
                Ok(keys) => Ok(keys.collect::<Vec<_>>().await),
                Err(e) => Err(e.to_string()),
            }
        };
        let keys = match tokio::time::timeout(self.leases.renew_every, listing).await {
            Ok(Ok(keys)) => keys,
            Ok(Err(e)) => {
                tracing::warn!(instance = %self.id, error = %e, "cannot list the lease bucket");
                return None;
            }
            Err(_) => {
                tracing::warn!(instance = %self.id, "listing the lease bucket timed out");
                return None;
            }
        };
        let mut live = 0;
        for key in keys {
            match key {
                Ok(key) if key.starts_with("instance.") => live += 1,
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        Some(live)
    }
}

/// Completes when the follower must stop: told to, or its lease's local validity passed
/// without a renewal.
async fn stopped(mut stop: oneshot::Receiver<()>, mut deadline: watch::Receiver<Instant>) {
    loop {
        let until = *deadline.borrow_and_update();
        tokio::select! {
            _ = &mut stop => return,
            () = tokio::time::sleep_until(until) => {
                if *deadline.borrow() <= Instant::now() {
                    tracing::warn!("lease not renewed in time; the follower stops");
                    return;
                }
            }
            changed = deadline.changed() => if changed.is_err() { return },
        }
    }
}

/// A small stable hash of the instance id (FNV-1a), to spread where instances start looking.
fn fxhash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
