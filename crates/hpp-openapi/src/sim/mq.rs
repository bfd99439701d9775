//! The simulated alarm message queue (3.33-3.36): subscriptions, batches of pushed alarms that
//! stay pending until confirmed with `mq/offset`, and picture URLs.

use std::collections::{BTreeSet, VecDeque};

use serde_json::{json, Value};
use watchpost_core::sim::SimResponse;

use super::handlers::{answer, filled, Answer, HppSim};
use super::Simulator;
use crate::error::HppCode;
use crate::generated as api;
use crate::models::mq::{SubMode, SubType};

/// The most messages one `mq/messages` answer carries.
const BATCH_SIZE: usize = 50;

/// What the queue remembers.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// Subscribed to every device.
    all: bool,
    /// Subscribed devices (mode "list").
    devices: BTreeSet<String>,
    /// Messages not yet handed out.
    queue: VecDeque<Value>,
    /// The batch handed out and not confirmed: sent again by the next poll.
    pending: Option<(String, Vec<Value>)>,
    /// Batches issued so far (for batch ids).
    batches: u64,
    /// Batches confirmed.
    confirmed: u64,
}

impl State {
    fn subscribed(&self, serial: &str) -> bool {
        self.all || self.devices.contains(serial)
    }
}

/// 3.33: subscribe to all devices or a list, or unsubscribe.
pub(crate) fn subscribe(h: &HppSim, req: api::MqSubscribeRequest) -> SimResponse {
    let mut state = h.state();
    let mq = &mut state.mq;
    let mut run = || -> Answer<Option<Value>> {
        match (req.sub_type, req.sub_mode) {
            (SubType::Subscribe, SubMode::All) => mq.all = true,
            (SubType::Unsubscribe, SubMode::All) => {
                mq.all = false;
                mq.devices.clear();
            }
            (sub, SubMode::List) => {
                let list =
                    req.device_serial_list.as_deref().filter(|l| !l.is_empty()).ok_or(HppCode::ParameterError)?;
                for serial in list {
                    let serial = filled(serial)?.to_owned();
                    if sub == SubType::Subscribe {
                        mq.devices.insert(serial);
                    } else {
                        mq.devices.remove(&serial);
                    }
                }
            }
        }
        Ok(None)
    };
    answer(run())
}

/// 3.34: the pending batch again, or the next batch of queued messages (an idle poll answers an
/// empty list without a batch id, at once: the simulator does not hold the 20 s long poll).
pub(crate) fn messages(h: &HppSim, _req: api::MqMessagesRequest) -> SimResponse {
    let mut state = h.state();
    let mq = &mut state.mq;
    if let Some((id, list)) = &mq.pending {
        return answer(Ok(Some(json!({ "batchId": id, "list": list }))));
    }
    if mq.queue.is_empty() {
        return answer(Ok(Some(json!({ "batchId": null, "list": [] }))));
    }
    let n = mq.queue.len().min(BATCH_SIZE);
    let list: Vec<Value> = mq.queue.drain(..n).collect();
    mq.batches += 1;
    let id = format!("batch-{:08}", mq.batches);
    mq.pending = Some((id.clone(), list.clone()));
    answer(Ok(Some(json!({ "batchId": id, "list": list }))))
}

/// 3.35: confirms the pending batch.
pub(crate) fn offset(h: &HppSim, req: api::MqOffsetRequest) -> SimResponse {
    let mut state = h.state();
    let mq = &mut state.mq;
    let mut run = || -> Answer<Option<Value>> {
        let id = filled(&req.batch_id)?;
        match &mq.pending {
            Some((pending, _)) if pending == id => {
                mq.pending = None;
                mq.confirmed += 1;
                Ok(None)
            }
            _ => Err(HppCode::ParameterError),
        }
    };
    answer(run())
}

/// 3.36: a picture URL for a file path of an alarm message (`ISAPI_FILES/...`).
pub(crate) fn picture_url(h: &HppSim, req: api::AlarmPictureUrlRequest) -> SimResponse {
    let run = || -> Answer<Option<Value>> {
        let path = filled(&req.file_path)?;
        if !path.starts_with("ISAPI_FILES") {
            return Err(HppCode::InvalidAlarmPictureUrl);
        }
        if let Some(issued) = super::pictures::picture_url(h, path) {
            return Ok(Some(issued));
        }
        let encrypt = path.contains("$encrypt=2");
        let base = h.area_domain.lock().map(|a| a.clone()).unwrap_or_default();
        let name: String = path.bytes().map(|b| if b.is_ascii_alphanumeric() { b as char } else { '_' }).collect();
        Ok(Some(json!({ "pictureUrl": format!("{base}/pictures/{name}"), "encrypt": encrypt })))
    };
    answer(run())
}

/// Test hooks of the queue.
impl Simulator {
    /// Queues an alarm message for the device when it is subscribed and online (alarms of
    /// devices nobody subscribed to are dropped, as the platform does, and an offline device
    /// sends none); returns whether it was queued.
    /// `alarm_data` is the message's `alarmData` (a string, or a JSON value).
    pub fn push_alarm(&self, device_serial: &str, format: crate::models::mq::FormatType, alarm_data: Value) -> bool {
        if self.sim().check_online(device_serial).is_err() {
            return false;
        }
        let mut state = self.sim().state();
        if !state.mq.subscribed(device_serial) {
            return false;
        }
        state
            .mq
            .queue
            .push_back(json!({ "formatType": format, "deviceSerial": device_serial, "alarmData": alarm_data }));
        true
    }

    /// Messages queued and not yet handed out, plus those of the unconfirmed batch.
    pub fn alarms_unconfirmed(&self) -> usize {
        let state = self.sim().state();
        state.mq.queue.len() + state.mq.pending.as_ref().map_or(0, |(_, l)| l.len())
    }

    /// How many batches were confirmed with `mq/offset`.
    pub fn batches_confirmed(&self) -> u64 {
        self.sim().state().mq.confirmed
    }
}
