//! The simulated persons, access-control privileges and person synchronisation (3.43-3.51).
//!
//! - Persons live on the platform with generated IDs; unknown IDs answer LAP000003.
//! - Access control devices are the simulator's own (test hook [`Simulator::add_acs_device`]):
//!   a privilege applied to an online device reads "applying" for [`APPLY_TIME`] of simulated
//!   time, then "applied" with the credentials the device supports (a device without fingerprint
//!   support answers subStatus 7); on an offline device it fails with EVZ20007 in its row.
//! - A synchronisation task copies the device's persons to the platform, one person per
//!   [`SYNC_STEP`] of simulated time; one task per device at a time (LAP030069). Persons the
//!   device cannot read ([`Simulator::add_acs_person`] with `readable` false) fail with EVZ20008;
//!   employee numbers asked for that the device lacks fail with LAP000003. The details answer puts
//!   `totalPage` beside `data`, as the seed's examples do.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Map, Value};
use tokio::time::Instant;
use watchpost_core::sim::SimResponse;

use super::handlers::{answer, failure, filled, page, Answer, HppSim};
use super::Simulator;
use crate::error::HppCode;
use crate::generated as api;
use crate::models::people::{ApplyStatus, Credential, PersonType, SyncQueryType, SyncTaskState};

/// How long a privilege reads "applying" on an online device.
pub const APPLY_TIME: Duration = Duration::from_secs(3);
/// How long a synchronisation task takes per person.
pub const SYNC_STEP: Duration = Duration::from_secs(1);

/// A person on the platform.
#[derive(Debug, Clone, Default)]
struct Person {
    employee_no: String,
    person_type: i64,
    family_name: String,
    given_name: String,
    email: Option<String>,
    phone: Option<String>,
    face_picture: Option<String>,
    card_no: Option<String>,
}

/// A person stored on an access control device (what a synchronisation reads).
#[derive(Debug, Clone)]
struct DevicePerson {
    employee_no: String,
    family_name: String,
    given_name: String,
    card_no: String,
    readable: bool,
}

/// A simulated access control device.
#[derive(Debug, Clone)]
struct AcsDevice {
    online: bool,
    fingerprint: bool,
    persons: Vec<DevicePerson>,
}

/// One person applied to one device.
#[derive(Debug, Clone)]
struct Grant {
    since: Instant,
    /// The device was offline when asked: the row failed at once.
    offline: bool,
    fingerprint: bool,
}

/// One row of a synchronisation task, in the order the device hands them out.
#[derive(Debug, Clone)]
struct SyncRow {
    employee_no: String,
    /// `None` when synchronised; the row's code otherwise.
    error: Option<HppCode>,
    person_id: String,
    person: Option<DevicePerson>,
}

/// A synchronisation task.
#[derive(Debug, Clone)]
struct Task {
    device: String,
    started: Instant,
    rows: Vec<SyncRow>,
    /// Rows already copied to the platform's persons.
    copied: usize,
}

impl Task {
    /// Rows processed by now.
    fn processed(&self, now: Instant) -> usize {
        let steps = now.saturating_duration_since(self.started).as_millis() / SYNC_STEP.as_millis().max(1);
        usize::try_from(steps).unwrap_or(usize::MAX).min(self.rows.len())
    }
}

/// The `people` part of the simulator state.
#[derive(Debug, Default)]
pub(crate) struct State {
    persons: BTreeMap<String, Person>,
    next_person: u64,
    devices: BTreeMap<String, AcsDevice>,
    grants: BTreeMap<(String, String), Grant>,
    tasks: BTreeMap<String, Task>,
    next_task: u64,
}

impl State {
    /// Copies the rows processed by now to the platform's persons; frees the device when done.
    fn advance(&mut self, task_id: &str, now: Instant) {
        let Some(task) = self.tasks.get_mut(task_id) else { return };
        let done = task.processed(now);
        let rows: Vec<SyncRow> = task.rows.get(task.copied..done).map(<[SyncRow]>::to_vec).unwrap_or_default();
        task.copied = task.copied.max(done);
        for row in rows {
            if let (None, Some(p)) = (row.error, row.person) {
                let person = Person {
                    employee_no: p.employee_no,
                    family_name: p.family_name,
                    given_name: p.given_name,
                    card_no: Some(p.card_no).filter(|c| !c.is_empty()),
                    ..Person::default()
                };
                self.persons.insert(row.person_id, person);
            }
        }
    }

    /// Whether a task on `device` is still running at `now`.
    fn busy(&self, device: &str, now: Instant) -> bool {
        self.tasks.values().any(|t| t.device == device && t.processed(now) < t.rows.len())
    }
}

impl Simulator {
    /// Adds an online access control device `serial` (with fingerprint support when
    /// `fingerprint`), or resets an existing one's persons.
    pub fn add_acs_device(&self, serial: &str, fingerprint: bool) {
        let mut state = self.sim().state();
        state.people.devices.insert(serial.to_owned(), AcsDevice { online: true, fingerprint, persons: Vec::new() });
    }

    /// Takes the access control device `serial` offline or brings it back; `false` when unknown.
    pub fn set_acs_device_online(&self, serial: &str, online: bool) -> bool {
        let mut state = self.sim().state();
        state.people.devices.get_mut(serial).map(|d| d.online = online).is_some()
    }

    /// Stores a person on the access control device `serial` (what a synchronisation reads); a
    /// person that is not `readable` fails to synchronise with EVZ20008. `false` when the device
    /// is unknown.
    pub fn add_acs_person(
        &self,
        serial: &str,
        employee_no: &str,
        name: (&str, &str),
        card_no: &str,
        readable: bool,
    ) -> bool {
        let mut state = self.sim().state();
        let Some(device) = state.people.devices.get_mut(serial) else { return false };
        device.persons.push(DevicePerson {
            employee_no: employee_no.to_owned(),
            family_name: name.0.to_owned(),
            given_name: name.1.to_owned(),
            card_no: card_no.to_owned(),
            readable,
        });
        true
    }

    /// The number of persons on the platform.
    pub fn person_count(&self) -> usize {
        self.sim().state().people.persons.len()
    }

    /// The person IDs applied to the access control device `serial`.
    pub fn acs_grants(&self, serial: &str) -> Vec<String> {
        let state = self.sim().state();
        state.people.grants.keys().filter(|(_, d)| d == serial).map(|(p, _)| p.clone()).collect()
    }
}

/// 3.43: adds a person.
pub(crate) fn add(h: &HppSim, req: api::AddPersonRequest) -> SimResponse {
    let mut state = h.state();
    let people = &mut state.people;
    let mut run = || -> Answer<Option<Value>> {
        let person = Person {
            employee_no: filled(&req.employee_no)?.to_owned(),
            person_type: person_type(req.person_type)?,
            family_name: filled(&req.family_name)?.to_owned(),
            given_name: filled(&req.given_name)?.to_owned(),
            email: req.email.clone(),
            phone: req.phone.clone(),
            face_picture: req.face_picture.clone(),
            card_no: req.card_no.clone(),
        };
        if people.persons.values().any(|p| p.employee_no == person.employee_no) {
            return Err(HppCode::ParameterError);
        }
        people.next_person += 1;
        let id = format!("{:032x}", 0x8a92_d0e8_0000_u64 + people.next_person);
        people.persons.insert(id.clone(), person);
        Ok(Some(json!({ "personId": id })))
    };
    answer(run())
}

fn person_type(t: PersonType) -> Answer<i64> {
    match t {
        PersonType::Other(_) => Err(HppCode::ParameterError),
        known => Ok(known.value()),
    }
}

/// 3.44: changes the given members of a person.
pub(crate) fn update(h: &HppSim, req: api::UpdatePersonRequest) -> SimResponse {
    let mut state = h.state();
    let people = &mut state.people;
    let mut run = || -> Answer<Option<Value>> {
        let new_type = req.person_type.map(person_type).transpose()?;
        let person = people.persons.get_mut(filled(&req.person_id)?).ok_or(HppCode::NoResourceFound)?;
        if let Some(no) = &req.employee_no {
            person.employee_no = filled(no)?.to_owned();
        }
        if let Some(t) = new_type {
            person.person_type = t;
        }
        if let Some(n) = &req.family_name {
            person.family_name = filled(n)?.to_owned();
        }
        if let Some(n) = &req.given_name {
            person.given_name = filled(n)?.to_owned();
        }
        for (slot, value) in [
            (&mut person.email, &req.email),
            (&mut person.phone, &req.phone),
            (&mut person.face_picture, &req.face_picture),
            (&mut person.card_no, &req.card_no),
        ] {
            if value.is_some() {
                slot.clone_from(value);
            }
        }
        Ok(None)
    };
    answer(run())
}

/// 3.45: deletes persons from the platform (all of them known, or none deleted).
pub(crate) fn delete(h: &HppSim, req: api::DeletePersonsRequest) -> SimResponse {
    let mut state = h.state();
    let people = &mut state.people;
    if req.person_ids.is_empty() || req.person_ids.iter().any(|id| !people.persons.contains_key(id)) {
        return failure(&HppCode::NoResourceFound);
    }
    for id in &req.person_ids {
        people.persons.remove(id);
    }
    answer(Ok(None))
}

/// 3.46: applies persons to devices (asynchronously).
pub(crate) fn config(h: &HppSim, req: api::ConfigAcsPrivilegeRequest) -> SimResponse {
    let mut state = h.state();
    let people = &mut state.people;
    let now = Instant::now();
    let mut run = || -> Answer<Option<Value>> {
        let mut grants = Vec::new();
        for auth in &req.device_authorities {
            let device = people.devices.get(filled(&auth.device_serial)?).ok_or(HppCode::DeviceNotFound)?;
            if auth.person_id_list.is_empty() {
                return Err(HppCode::ParameterError);
            }
            for person in &auth.person_id_list {
                if !people.persons.contains_key(person) {
                    return Err(HppCode::NoResourceFound);
                }
                let grant = Grant { since: now, offline: !device.online, fingerprint: device.fingerprint };
                grants.push(((person.clone(), auth.device_serial.clone()), grant));
            }
        }
        people.grants.extend(grants);
        Ok(None)
    };
    answer(run())
}

/// 3.47: per person, the applying state on each device.
pub(crate) fn status(h: &HppSim, req: api::AcsPrivilegeStatusRequest) -> SimResponse {
    let state = h.state();
    let people = &state.people;
    let now = Instant::now();
    let mut out = Vec::new();
    for person in &req.person_id_list {
        if !people.persons.contains_key(person) && !people.grants.keys().any(|(p, _)| p == person) {
            return failure(&HppCode::NoResourceFound);
        }
        let rows: Vec<Value> = people
            .grants
            .iter()
            .filter(|((p, _), _)| p == person)
            .map(|((_, device), g)| grant_row(device, g, now))
            .collect();
        out.push(json!({ "personId": person, "deviceLists": rows }));
    }
    answer(Ok(Some(json!({ "personAuthorities": out }))))
}

fn grant_row(device: &str, g: &Grant, now: Instant) -> Value {
    let bits = |creds: &[Credential]| creds.iter().fold(0u8, |b, c| b | c.bit());
    let supported = if g.fingerprint { bits(&Credential::ALL) } else { bits(&Credential::ALL[..3]) };
    let (status, sub, error) = if g.offline {
        (ApplyStatus::Failed, 0, HppCode::DeviceOffline.as_str().to_owned())
    } else if now.saturating_duration_since(g.since) < APPLY_TIME {
        (ApplyStatus::Applying, 0, String::new())
    } else {
        (ApplyStatus::Succeeded, supported, String::new())
    };
    json!({ "deviceSerial": device, "status": status.value(), "subStatus": sub, "error": error })
}

/// 3.48: removes persons from devices.
pub(crate) fn delete_privilege(h: &HppSim, req: api::DeleteAcsPrivilegeRequest) -> SimResponse {
    let mut state = h.state();
    let people = &mut state.people;
    for auth in &req.device_authorities {
        if !people.devices.contains_key(&auth.device_serial) {
            return failure(&HppCode::DeviceNotFound);
        }
    }
    for auth in &req.device_authorities {
        for person in &auth.person_id_list {
            people.grants.remove(&(person.clone(), auth.device_serial.clone()));
        }
    }
    answer(Ok(None))
}

/// 3.49: starts a synchronisation task on a device.
pub(crate) fn synchronize(h: &HppSim, req: api::SynchronizePersonsRequest) -> SimResponse {
    let mut state = h.state();
    let people = &mut state.people;
    let now = Instant::now();
    let mut run = || -> Answer<Option<Value>> {
        let serial = filled(&req.device_serial)?;
        let device = people.devices.get(serial).ok_or(HppCode::DeviceNotFound)?;
        if !device.online {
            return Err(HppCode::DeviceOffline);
        }
        if people.busy(serial, now) {
            return Err(HppCode::PersonSyncInProgress);
        }
        people.next_task += 1;
        let task_no = people.next_task;
        let wanted: Vec<String> = match &req.employee_no_list {
            Some(list) if !list.is_empty() => list.clone(),
            _ => device.persons.iter().map(|p| p.employee_no.clone()).collect(),
        };
        let rows = wanted
            .into_iter()
            .enumerate()
            .map(|(i, no)| {
                let found = device.persons.iter().find(|p| p.employee_no == no).cloned();
                let error = match &found {
                    None => Some(HppCode::NoResourceFound),
                    Some(p) if !p.readable => Some(HppCode::DeviceTimeout),
                    Some(_) => None,
                };
                let person_id = format!("{:016x}{:016x}", 0x8a92_d0e8_7617_e071_u64 + task_no, i);
                SyncRow { employee_no: no, error, person_id, person: found }
            })
            .collect();
        let id = format!("sync-{task_no}");
        people.tasks.insert(id.clone(), Task { device: serial.to_owned(), started: now, rows, copied: 0 });
        Ok(Some(json!({ "syncTaskID": id })))
    };
    answer(run())
}

/// 3.50: the task's progress by the simulator clock.
pub(crate) fn progress(h: &HppSim, req: api::SyncProgressRequest) -> SimResponse {
    let mut state = h.state();
    let people = &mut state.people;
    let now = Instant::now();
    people.advance(&req.sync_task_id, now);
    let Some(task) = people.tasks.get(&req.sync_task_id) else {
        return failure(&HppCode::NoResourceFound);
    };
    let done = task.processed(now);
    let processed = task.rows.get(..done).unwrap_or_default();
    let failed = processed.iter().filter(|r| r.error.is_some()).count();
    let state = if done < task.rows.len() { SyncTaskState::InProgress } else { SyncTaskState::Succeeded };
    answer(Ok(Some(json!({
        "totalNum": task.rows.len(),
        "taskStates": state.value(),
        "syncSucceedNum": done - failed,
        "syncFailedNum": failed,
    }))))
}

/// 3.51: one page of the failed or succeeded rows processed so far, `totalPage` beside `data`.
pub(crate) fn details(h: &HppSim, req: api::SyncDetailsRequest) -> SimResponse {
    let mut state = h.state();
    let people = &mut state.people;
    let now = Instant::now();
    people.advance(&req.sync_task_id, now);
    let Some(task) = people.tasks.get(&req.sync_task_id) else {
        return failure(&HppCode::NoResourceFound);
    };
    let want_failed = match req.query_type {
        SyncQueryType::Failed => true,
        SyncQueryType::Succeeded => false,
        SyncQueryType::Other(_) => return failure(&HppCode::ParameterError),
    };
    if req.page == 0 || !(1..=200).contains(&req.page_size) {
        return failure(&HppCode::ParameterError);
    }
    let rows: Vec<Value> = task
        .rows
        .get(..task.processed(now))
        .unwrap_or_default()
        .iter()
        .filter(|r| r.error.is_some() == want_failed)
        .map(detail_row)
        .collect();
    let mut data = page(&rows, Some(i64::from(req.page)), Some(i64::from(req.page_size)));
    // As in both of the seed's examples (L4098, L4150): `totalPage` beside `data`.
    let total_page = data.as_object_mut().and_then(|d| d.remove("totalPage")).unwrap_or(Value::Null);
    let mut body = Map::new();
    body.insert("data".into(), data);
    body.insert("totalPage".into(), total_page);
    body.insert("errorCode".into(), json!("0"));
    SimResponse::json(200, &Value::Object(body))
}

fn detail_row(row: &SyncRow) -> Value {
    match (&row.error, &row.person) {
        (Some(code), _) => json!({ "employeeNo": row.employee_no, "errorCode": code.as_str(), "subStatus": 0 }),
        (None, Some(p)) => json!({
            "personId": row.person_id,
            "employeeNo": p.employee_no,
            "familyName": p.family_name,
            "givenName": p.given_name,
            "cardNo": p.card_no,
            "type": 0,
        }),
        (None, None) => json!({ "employeeNo": row.employee_no }),
    }
}
