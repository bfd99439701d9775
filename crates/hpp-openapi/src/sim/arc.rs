//! The simulated ARC service (3.37-3.42): which devices an alarm receiving centre monitors, their
//! event lists and account numbers, and the sites of those devices.
//!
//! A device must be in a site ([`Simulator::add_site_device`]) to be enabled (LAP006009
//! otherwise) and online (EVZ20007 while [`Simulator::set_offline`]); enabling an AX Pro panel
//! ([`Simulator::require_end_user_approval`]) may wait for the end user (`permission` 0).
//! Editing the events of a device without the service answers LAP006009, an event update with
//! neither list LAP000001, an unknown site LAP008001.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};
use watchpost_core::sim::SimResponse;

use super::handlers::{answer, filled, Answer, HppSim};
use super::sites::{manager_json, page, shared_info};
use super::Simulator;
use crate::error::HppCode;
use crate::generated as api;

/// The ARC service of one device.
#[derive(Debug, Clone)]
struct Enabled {
    arc_id: String,
    /// 0 awaiting the end user, 1 applied.
    permission: u8,
    ax2_permissions: Vec<u32>,
    cctv_events: Vec<u32>,
    account_number: Option<String>,
    /// When it was enabled (the n-th enabling, for a stable `deviceAddTime`).
    order: u64,
}

/// What the ARC part remembers.
#[derive(Debug, Default)]
pub(crate) struct State {
    enabled: BTreeMap<String, Enabled>,
    /// Devices whose enabling waits for the end user's approval.
    approval: BTreeSet<String>,
    enablings: u64,
}

/// Checks that a device is in a site and online; returns its site's ID.
fn device_site(h: &HppSim, serial: &str) -> Answer<String> {
    let serial = filled(serial)?.trim();
    let site = h.state().sites.site_of_device(serial).map(|s| s.id.clone());
    let site = site.ok_or(HppCode::DeviceNotFoundOrNoPermission)?;
    h.check_online(serial)?;
    Ok(site)
}

/// 3.37: the devices with the service, one page, filtered by site and serials.
pub(crate) fn list_devices(h: &HppSim, req: api::ListArcDevicesRequest) -> SimResponse {
    let st = h.state();
    let wanted: Option<BTreeSet<&str>> =
        req.device_serial_list.as_ref().map(|l| l.as_slice().iter().map(|s| s.as_str()).collect());
    let mut rows = Vec::new();
    for (serial, e) in &st.arc.enabled {
        let Some(site) = st.sites.site_of_device(serial) else { continue };
        if req.site_id.as_ref().is_some_and(|id| id.as_str() != site.id) {
            continue;
        }
        if wanted.as_ref().is_some_and(|w| !w.contains(serial.as_str())) {
            continue;
        }
        let device = site.devices.iter().find(|d| &d.serial == serial);
        let alarm_panel = device.is_some_and(|d| d.alarm_panel);
        let online = h.check_online(serial).is_ok();
        rows.push(json!({
            "id": format!("dev-{serial}"),
            "deviceName": device.map(|d| d.name.clone()),
            "deviceOnlineStatus": u8::from(online),
            "deviceSerial": serial,
            "deviceVersion": "V1.2.9 build 240101",
            "deviceType": if alarm_panel { "DS-PWA96-M-WE" } else { "DS-7608NI-K2" },
            "deviceCategory": if alarm_panel { 3 } else { 2 },
            "deviceSubCategory": if alarm_panel { 3 } else { 1 },
            "isSubscribed": 1,
            "deviceAddTime": format!("2026-01-01T00:00:{:02}.000Z", e.order % 60),
            "timeZone": "182",
            "extInfo": e.account_number,
            "siteID": site.id,
            "siteName": site.name,
        }));
    }
    answer(Ok(Some(page(rows, req.page, req.page_size))))
}

/// 3.38: enables the service (all events subscribed).
pub(crate) fn enable(h: &HppSim, req: api::EnableArcServiceRequest) -> SimResponse {
    let run = || -> Answer<Option<Value>> {
        let serial = req.device_serial.as_str().trim().to_owned();
        device_site(h, &serial)?;
        let arc_id = filled(&req.arc_id)?.to_owned();
        let mut st = h.state();
        let permission = if st.arc.approval.contains(&serial) { 0 } else { 1 };
        st.arc.enablings += 1;
        let order = st.arc.enablings;
        let e = Enabled {
            arc_id,
            permission,
            ax2_permissions: Vec::new(),
            cctv_events: Vec::new(),
            account_number: None,
            order,
        };
        st.arc.enabled.insert(serial, e);
        Ok(Some(json!({ "permission": permission })))
    };
    answer(run())
}

/// 3.39: disables the service.
pub(crate) fn disable(h: &HppSim, req: api::DisableArcServiceRequest) -> SimResponse {
    let run = || -> Answer<Option<Value>> {
        let serial = req.device_serial.as_str().trim();
        device_site(h, serial)?;
        h.state().arc.enabled.remove(serial).ok_or(HppCode::DeviceNotFoundOrNoPermission)?;
        Ok(None)
    };
    answer(run())
}

/// 3.40: replaces the event list of a device.
pub(crate) fn update_event_types(h: &HppSim, req: api::UpdateArcEventTypesRequest) -> SimResponse {
    let run = || -> Answer<Option<Value>> {
        let serial = req.device_serial.as_str().trim();
        if req.ax2_permission_list.is_none() && req.cctv_event_list.is_none() {
            return Err(HppCode::ParameterError);
        }
        device_site(h, serial)?;
        let mut st = h.state();
        let e = st.arc.enabled.get_mut(serial).ok_or(HppCode::DeviceNotFoundOrNoPermission)?;
        if let Some(list) = &req.ax2_permission_list {
            e.ax2_permissions.clone_from(list);
        }
        if let Some(list) = &req.cctv_event_list {
            // [0] cancels every event set before.
            e.cctv_events = if list.as_slice() == [0] { Vec::new() } else { list.clone() };
        }
        Ok(Some(json!({ "permission": e.permission })))
    };
    answer(run())
}

/// 3.41: sets the account number of a device.
pub(crate) fn update_account_number(h: &HppSim, req: api::UpdateArcAccountNumberRequest) -> SimResponse {
    let run = || -> Answer<Option<Value>> {
        let serial = req.device_serial.as_str().trim();
        let number = filled(&req.account_number)?.to_owned();
        device_site(h, serial)?;
        let mut st = h.state();
        let e = st.arc.enabled.get_mut(serial).ok_or(HppCode::DeviceNotFoundOrNoPermission)?;
        e.account_number = Some(number);
        Ok(None)
    };
    answer(run())
}

/// 3.42: the site of devices with the service.
pub(crate) fn site_info(h: &HppSim, req: api::ArcSiteInfoRequest) -> SimResponse {
    let st = h.state();
    let run = || -> Answer<Option<Value>> {
        let site = st.sites.sites.get(req.id.trim()).ok_or(HppCode::SiteNotFoundOrNoPermission)?;
        if !site.devices.iter().any(|d| st.arc.enabled.contains_key(&d.serial)) {
            return Err(HppCode::SiteNotFoundOrNoPermission);
        }
        let mut v = manager_json(&st.sites, site);
        v["sharedInfo"] = shared_info(site);
        Ok(Some(v))
    };
    answer(run())
}

/// Test hooks of the ARC part.
impl Simulator {
    /// Enabling the ARC service of `serial` waits for the end user's approval (`permission` 0)
    /// until [`approve_arc`](Simulator::approve_arc).
    pub fn require_end_user_approval(&self, serial: &str) {
        self.sim().state().arc.approval.insert(serial.to_owned());
    }

    /// The end user approves the ARC service of `serial` (`permission` 1 from now on).
    pub fn approve_arc(&self, serial: &str) {
        let mut st = self.sim().state();
        st.arc.approval.remove(serial);
        if let Some(e) = st.arc.enabled.get_mut(serial) {
            e.permission = 1;
        }
    }

    /// What the simulator holds for a device with the ARC service (`None` without it).
    pub fn arc_service(&self, serial: &str) -> Option<ArcService> {
        let st = self.sim().state();
        st.arc.enabled.get(serial).map(|e| ArcService {
            arc_id: e.arc_id.clone(),
            ax2_permissions: e.ax2_permissions.clone(),
            cctv_events: e.cctv_events.clone(),
            account_number: e.account_number.clone(),
        })
    }
}

/// The ARC service of one simulated device, as [`Simulator::arc_service`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArcService {
    /// The ARC it reports to.
    pub arc_id: String,
    /// The AX Pro event permissions last set.
    pub ax2_permissions: Vec<u32>,
    /// The CCTV events last set.
    pub cctv_events: Vec<u32>,
    /// The account number, once set.
    pub account_number: Option<String>,
}
