//! Resync after a subscription: read what is *standing* on the panels the subscription covers
//! (8.4.8 `status/subSystems`, 8.4.9 `status/zones`), so an alarm raised while the stream was
//! down reaches the operator even though the gateway never replays events.
//!
//! In-band order (style pattern 10, `Init`/`InitApply`/`InitDone`): `ResyncStarted`, one
//! `Resync` report or one `Err` item per panel, then `ResyncDone` with what could not be read.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use watchpost_core::error::TimeoutPhase;
use watchpost_core::{Error, Result};

use super::stream::Notification;
use crate::client::Client;
use crate::generated::{ops, PartitionsStatusRequest, ZonesStatusRequest};
use crate::models::{Charge, DevType, EventKind, EventMode, SubSys, SubscribeDeviceMgmt, UploadMode, Zone, ZoneStatus};

/// The standing state of one panel, read right after a subscription took effect.
///
/// It names what is in alarm *now* (the panel holds a zone's alarm until the alarm is cleared
/// or the partition disarmed), not what happened while the stream was down; see the guide's
/// section "What a resync recovers and what it cannot".
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ResyncReport {
    /// The panel's `devIndex`.
    pub dev_index: String,
    /// Zones in alarm: `alarm` true or `status` `trigger`, in the panel's order.
    pub zones_in_alarm: Vec<u32>,
    /// Partitions in alarm (`alarm` true).
    pub partitions_in_alarm: Vec<u32>,
    /// Zones with a fault the status shows: `offline`, `breakDown` or a `lowPower` battery.
    pub zones_with_faults: Vec<u32>,
    /// Every partition as read (`arming` stay/away/disarm and `alarm`).
    pub partitions: Vec<SubSys>,
    /// Every zone as read.
    pub zones: Vec<Zone>,
}

impl ResyncReport {
    /// Builds the report of a panel from its partition and zone lists.
    pub fn new(dev_index: impl Into<String>, partitions: Vec<SubSys>, zones: Vec<Zone>) -> Self {
        let zones_in_alarm = zones
            .iter()
            .filter(|z| z.alarm == Some(true) || z.status == Some(ZoneStatus::Trigger))
            .map(|z| z.id)
            .collect();
        let zones_with_faults = zones
            .iter()
            .filter(|z| {
                matches!(z.status, Some(ZoneStatus::Offline | ZoneStatus::BreakDown))
                    || z.charge == Some(Charge::LowPower)
            })
            .map(|z| z.id)
            .collect();
        let partitions_in_alarm = partitions.iter().filter(|p| p.alarm == Some(true)).map(|p| p.id).collect();
        ResyncReport {
            dev_index: dev_index.into(),
            zones_in_alarm,
            partitions_in_alarm,
            zones_with_faults,
            partitions,
            zones,
        }
    }

    /// Whether anything on the panel is in alarm.
    pub fn in_alarm(&self) -> bool {
        !self.zones_in_alarm.is_empty() || !self.partitions_in_alarm.is_empty()
    }
}

/// The end of a resync: how many panels were reported and which could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResyncSummary {
    /// Panels whose state was reported (`Notification::Resync`).
    pub reported: usize,
    /// Panels whose state could not be read (each also reported as an `Err` item): their alarm
    /// state is unknown.
    pub failed: Vec<String>,
    /// The gateway's device list could not be read (reported as an `Err` item): panels may be
    /// missing from the resync altogether.
    pub device_list_failed: bool,
}

impl ResyncSummary {
    /// Whether every panel the subscription covers was read.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && !self.device_list_failed
    }
}

/// Which panels a subscription covers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    /// The subscription carries no alarm events (only `devStatusChanged`): nothing to read.
    Nothing,
    /// These devices (`eventMode` device).
    Devices(Vec<String>),
    /// Every panel on the gateway (`eventMode` all): list them first.
    Gateway,
}

/// Whether a list of event types can carry alarms.
fn carries_alarms(kinds: &[EventKind]) -> bool {
    kinds.iter().any(|k| matches!(k, EventKind::CidAlarm | EventKind::VideoReview))
}

impl Scope {
    /// The panels `request` covers, without those the gateway could not arm (`unarmed`).
    fn of(request: &SubscribeDeviceMgmt, unarmed: &[String]) -> Scope {
        match request.event_mode {
            EventMode::Device => Scope::Devices(
                request
                    .dev_event_list
                    .iter()
                    .filter(|d| d.upload_mode != UploadMode::Part || carries_alarms(&d.event_list))
                    .filter(|d| !unarmed.contains(&d.dev_index))
                    .map(|d| d.dev_index.clone())
                    .collect(),
            ),
            _ if request.defence_mode == Some(UploadMode::Part) && !carries_alarms(&request.event_list) => {
                Scope::Nothing
            }
            _ => Scope::Gateway,
        }
    }
}

/// How a resync runs.
#[derive(Debug, Clone, Copy)]
pub(super) struct ResyncLimits {
    /// Panels read at the same time (at least 1).
    pub(super) concurrency: usize,
    /// The most one step (the device list, or one panel's two reads) may take: half the idle
    /// timeout, so the stream's idle watchdog never fires during a resync.
    pub(super) budget: Duration,
}

/// The resync items of one subscription: `ResyncStarted`, a report or an error per panel, and
/// `ResyncDone`. Nothing is requested until the stream is polled.
pub(super) fn resync(
    client: Client,
    request: &SubscribeDeviceMgmt,
    unarmed: &[String],
    limits: ResyncLimits,
) -> BoxStream<'static, Result<Notification>> {
    let scope = Scope::of(request, unarmed);
    let summary: Arc<Mutex<ResyncSummary>> = Arc::default();
    let started = futures_util::stream::once(std::future::ready(Ok(Notification::ResyncStarted)));
    let list_summary = summary.clone();
    let panel_summary = summary.clone();
    let panels = futures_util::stream::once(panels_of(client.clone(), scope, limits.budget)).flat_map(
        move |(panels, list_error)| {
            if list_error.is_some() {
                lock(&list_summary).device_list_failed = true;
            }
            let client = client.clone();
            let summary = panel_summary.clone();
            let reads = futures_util::stream::iter(panels)
                .map(move |dev| read_panel(client.clone(), dev, limits.budget))
                .buffered(limits.concurrency.max(1))
                .map(move |read| {
                    let mut s = lock(&summary);
                    match read {
                        Ok(report) => {
                            s.reported += 1;
                            Ok(Notification::Resync(report))
                        }
                        Err((dev, e)) => {
                            s.failed.push(dev);
                            Err(e)
                        }
                    }
                });
            futures_util::stream::iter(list_error.map(Err)).chain(reads)
        },
    );
    let done = futures_util::stream::once(async move {
        let s = std::mem::take(&mut *lock(&summary));
        tracing::info!(target: "hik_gateway::events", reported = s.reported, failed = s.failed.len(),
            device_list_failed = s.device_list_failed, "resync done");
        Ok(Notification::ResyncDone(s))
    });
    started.chain(panels).chain(done).boxed()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The panels to read, and the error of the device list if it could not be read.
async fn panels_of(client: Client, scope: Scope, budget: Duration) -> (Vec<String>, Option<Error>) {
    match scope {
        Scope::Nothing => (Vec::new(), None),
        Scope::Devices(list) => (list, None),
        Scope::Gateway => {
            let op = ops::SEARCH_DEVICES.id;
            let list = async {
                let mut panels = Vec::new();
                let mut devices = client.devices(None);
                while let Some(device) = devices.next().await {
                    let device = device?;
                    // A device of unknown type is read too: an error item is better than a
                    // panel missing from the resync.
                    if device.dev_type.as_ref().is_none_or(|t| *t == DevType::SecurityCp) {
                        panels.push(device.dev_index);
                    }
                }
                Ok::<_, Error>(panels)
            };
            let failed = |cause: Error| Error::Stream {
                op: op.to_owned(),
                message:
                    "resync: the gateway's device list could not be read; the alarm state of its panels is unknown"
                        .to_owned(),
                cause: Some(Box::new(cause)),
            };
            match tokio::time::timeout(budget, list).await {
                Ok(Ok(panels)) => (panels, None),
                Ok(Err(e)) => (Vec::new(), Some(failed(e))),
                Err(_) => {
                    let e = Error::Timeout { op: op.to_owned(), phase: TimeoutPhase::Operation, after: budget };
                    (Vec::new(), Some(failed(e)))
                }
            }
        }
    }
}

/// Reads one panel's partitions and zones (one request after the other), within `budget`.
async fn read_panel(
    client: Client,
    dev: String,
    budget: Duration,
) -> std::result::Result<ResyncReport, (String, Error)> {
    let read = async {
        let partitions = client.partitions_status(&PartitionsStatusRequest::new(dev.clone())).await?;
        let zones = client.zones_status(&ZonesStatusRequest::new(dev.clone())).await?;
        Ok::<_, Error>((partitions.sub_sys_list, zones.zone_list))
    };
    let cause = match tokio::time::timeout(budget, read).await {
        Ok(Ok((partitions, zones))) => return Ok(ResyncReport::new(dev, partitions, zones)),
        Ok(Err(e)) => e,
        Err(_) => Error::Timeout { op: ops::ZONES_STATUS.id.to_owned(), phase: TimeoutPhase::Operation, after: budget },
    };
    let e = Error::Stream {
        op: ops::ZONES_STATUS.id.to_owned(),
        message: format!("resync: the state of panel {dev} could not be read; its alarm state is unknown"),
        cause: Some(Box::new(cause)),
    };
    Err((dev, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{DevEvent, SubscribeDeviceMgmtMsg};

    fn zone(id: u32, status: ZoneStatus, alarm: bool, charge: Charge) -> Zone {
        Zone {
            id,
            name: None,
            status: Some(status),
            tamper_evident: None,
            shielded: None,
            bypassed: None,
            armed: None,
            alarm: Some(alarm),
            charge: Some(charge),
        }
    }

    #[test]
    fn a_report_names_zones_in_alarm_and_faults() {
        let zones = vec![
            zone(1, ZoneStatus::Online, false, Charge::Normal),
            zone(2, ZoneStatus::Online, true, Charge::Normal), // alarm held after a restore
            zone(3, ZoneStatus::Trigger, false, Charge::Normal),
            zone(4, ZoneStatus::BreakDown, false, Charge::Normal),
            zone(5, ZoneStatus::Online, false, Charge::LowPower),
        ];
        let partitions =
            vec![SubSys { id: 1, arming: None, alarm: Some(true) }, SubSys { id: 2, arming: None, alarm: Some(false) }];
        let r = ResyncReport::new("d", partitions, zones);
        assert_eq!(r.zones_in_alarm, vec![2, 3]);
        assert_eq!(r.zones_with_faults, vec![4, 5]);
        assert_eq!(r.partitions_in_alarm, vec![1]);
        assert!(r.in_alarm());
        assert!(!ResyncReport::new("d", Vec::new(), Vec::new()).in_alarm());
    }

    #[test]
    fn the_scope_follows_the_subscription() {
        let all = SubscribeDeviceMgmtMsg::all().subscribe_device_mgmt;
        assert_eq!(Scope::of(&all, &[]), Scope::Gateway);
        let status_only = SubscribeDeviceMgmtMsg::all_of([EventKind::DevStatusChanged]).subscribe_device_mgmt;
        assert_eq!(Scope::of(&status_only, &[]), Scope::Nothing);
        let cid = SubscribeDeviceMgmtMsg::all_of([EventKind::CidAlarm]).subscribe_device_mgmt;
        assert_eq!(Scope::of(&cid, &[]), Scope::Gateway);
        let devices = SubscribeDeviceMgmtMsg::devices([DevEvent::all("a"), DevEvent::all("b"), DevEvent::all("c")])
            .subscribe_device_mgmt;
        assert_eq!(Scope::of(&devices, &["b".to_owned()]), Scope::Devices(vec!["a".to_owned(), "c".to_owned()]));
    }
}
