//! The simulated installers, sites, sharing, handover customers and health reports (3.2-3.17).
//!
//! Sites keep their managers, their sharing, the end users they were handed over to (with the
//! devices and permissions shared with each) and the devices placed in them with
//! [`Simulator::add_site_device`], from which the health report is built. The platform's codes
//! for bad input: LAP008001 unknown site, LAP008000 duplicate site name, LAP008030 time zone
//! missing, LAP012013 unknown employee, LAP008081 already shared, LAP008087 not shared,
//! LAP008093 sharing to one's own company, LAP008044 no handover customers, LAP008092 unknown
//! end user, LAP006009 a device that is not in the site, LAP000001 blank or empty parameters.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use watchpost_core::sim::SimResponse;

use super::handlers::{answer, filled, Answer, HppSim};
use super::Simulator;
use crate::error::HppCode;
use crate::generated as api;
use crate::models::sites::{DevicePermission, HcAccount};

/// The email domain of the simulated company (sharing to it is sharing to oneself).
pub const COMPANY_DOMAIN: &str = "sim-installer.example";
/// The ID of the admin employee every simulator starts with.
pub const ADMIN_INSTALLER_ID: &str = "installer-0001";
/// The highest time zone ID of Appendix A.2.
const MAX_TIME_ZONE: u32 = 262;

/// An employee of the simulated company.
#[derive(Debug, Clone)]
struct Installer {
    id: String,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    is_admin: bool,
}

/// A device placed in a site (what the health report and the ARC service see).
#[derive(Debug, Clone)]
pub(crate) struct SiteDevice {
    /// Serial number.
    pub(crate) serial: String,
    /// Name.
    pub(crate) name: String,
    /// Whether it is an alarm panel (category "2") or an encoding device ("1").
    pub(crate) alarm_panel: bool,
}

/// An end user a site was handed over to.
#[derive(Debug, Clone)]
struct Customer {
    account: HcAccount,
    /// "0" rejected, "1" approved, "2" pending, "3" expired, "4" not registered.
    status: &'static str,
    devices: Vec<DevicePermission>,
}

/// A site.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    pub(crate) id: String,
    pub(crate) name: String,
    time_zone: u32,
    time_sync: bool,
    state: Option<String>,
    city: Option<String>,
    street: Option<String>,
    location: Option<String>,
    /// Managers and when their permission expires (-1 permanent).
    managers: Vec<(String, i64)>,
    /// The employee email the site is shared with.
    shared_with: Option<String>,
    customers: Vec<Customer>,
    pub(crate) devices: Vec<SiteDevice>,
}

/// What the sites part remembers.
#[derive(Debug)]
pub(crate) struct State {
    installers: Vec<Installer>,
    pub(crate) sites: BTreeMap<String, Site>,
    next_site: u64,
}

impl Default for State {
    fn default() -> Self {
        State {
            installers: vec![Installer {
                id: ADMIN_INSTALLER_ID.into(),
                first_name: "Ada".into(),
                last_name: "Admin".into(),
                email: format!("admin@{COMPANY_DOMAIN}"),
                phone: "+10000000001".into(),
                is_admin: true,
            }],
            sites: BTreeMap::new(),
            next_site: 0,
        }
    }
}

impl State {
    fn site(&self, id: &str) -> Answer<&Site> {
        self.sites.get(id.trim()).ok_or(HppCode::SiteNotFoundOrNoPermission)
    }

    fn site_mut(&mut self, id: &str) -> Answer<&mut Site> {
        self.sites.get_mut(id.trim()).ok_or(HppCode::SiteNotFoundOrNoPermission)
    }

    fn installer(&self, id: &str) -> Option<&Installer> {
        self.installers.iter().find(|i| i.id == id)
    }

    /// The site a device is in.
    pub(crate) fn site_of_device(&self, serial: &str) -> Option<&Site> {
        self.sites.values().find(|s| s.devices.iter().any(|d| d.serial == serial))
    }
}

/// Whether `text` contains `needle`, ignoring case.
fn matches(needle: &str, texts: &[&str]) -> bool {
    let needle = needle.trim().to_lowercase();
    needle.is_empty() || texts.iter().any(|t| t.to_lowercase().contains(&needle))
}

/// One page of `rows` as the platform answers it (page 0 = 1, size 0 = 20).
pub(crate) fn page(rows: Vec<Value>, page: Option<u32>, page_size: u32) -> Value {
    let size = if page_size == 0 { 20 } else { page_size } as usize;
    let page = page.filter(|p| *p > 0).unwrap_or(1) as usize;
    let total = rows.len();
    let total_page = total.div_ceil(size);
    let items: Vec<Value> = rows.into_iter().skip((page - 1).saturating_mul(size)).take(size).collect();
    json!({ "page": page, "pageSize": size, "rows": items, "total": total, "totalPage": total_page })
}

fn installer_json(i: &Installer) -> Value {
    json!({
        "id": i.id, "firstName": i.first_name, "lastName": i.last_name, "email": i.email,
        "phone": i.phone, "invitedStatus": true, "isAdmin": i.is_admin, "enableStatus": true,
    })
}

/// `sharedInfo` of a site: shareType 0 (own, not shared) or 3 (shared with an installer).
pub(crate) fn shared_info(site: &Site) -> Value {
    match &site.shared_with {
        None => json!({ "shareType": 0, "shareState": null }),
        Some(email) => json!({
            "shareType": 3,
            "shareState": 1,
            "shareToCompany": { "email": email, "companyName": email.split('@').nth(1).unwrap_or_default() },
        }),
    }
}

fn site_json(st: &State, s: &Site) -> Value {
    let first = s.managers.first().and_then(|(id, _)| st.installer(id));
    json!({
        "id": s.id, "siteName": s.name, "timeZone": s.time_zone.to_string(), "timeSync": s.time_sync,
        "installerId": first.map(|i| i.id.clone()),
        "installerFirstName": first.map(|i| i.first_name.clone()),
        "installerLastName": first.map(|i| i.last_name.clone()),
        "siteState": s.state, "siteCity": s.city, "siteStreet": s.street, "location": s.location,
        "sharedInfo": shared_info(s),
        "siteDeliveryStatus": if s.customers.is_empty() { 0 } else { 2 },
        "cloudEnable": !s.devices.is_empty(),
    })
}

/// The manager fields of a site for arcservice/site/info.
pub(crate) fn manager_json(st: &State, s: &Site) -> Value {
    let first = s.managers.first().and_then(|(id, _)| st.installer(id));
    json!({
        "installerId": first.map(|i| i.id.clone()),
        "installerFirstName": first.map(|i| i.first_name.clone()),
        "installerLastName": first.map(|i| i.last_name.clone()),
        "installerEmail": first.map(|i| i.email.clone()),
        "installerPhone": first.map(|i| i.phone.clone()),
        "siteOwnerEmail": s.customers.first().map(|c| c.account.hc_account.clone()),
        "siteState": s.state, "siteCity": s.city, "siteStreet": s.street, "location": s.location,
        "timeSync": s.time_sync, "timeZone": s.time_zone.to_string(), "siteName": s.name, "id": s.id,
    })
}

/// A site name of 1 to 128 characters (LAP000001 otherwise).
fn site_name(name: &str) -> Answer<String> {
    let name = filled(name)?;
    if name.chars().count() > 128 {
        return Err(HppCode::ParameterError);
    }
    Ok(name.to_owned())
}

/// 3.2: employees matching the search, one page.
pub(crate) fn search_installers(h: &HppSim, req: api::SearchInstallersRequest) -> SimResponse {
    let guard = h.state();
    let st = &guard.sites;
    let needle = req.search.as_deref().unwrap_or("");
    let rows = st
        .installers
        .iter()
        .filter(|i| matches(needle, &[&i.first_name, &i.last_name, &i.email, &i.phone]))
        .map(installer_json)
        .collect();
    answer(Ok(Some(page(rows, req.page, req.page_size))))
}

/// 3.3: a new site, managed by the admin.
pub(crate) fn add_site(h: &HppSim, req: api::AddSiteRequest) -> SimResponse {
    let mut guard = h.state();
    let st = &mut guard.sites;
    let mut run = || -> Answer<Option<Value>> {
        let name = site_name(&req.name)?;
        if req.time_zone == 0 || req.time_zone > MAX_TIME_ZONE {
            return Err(HppCode::SiteTimeZoneRequired);
        }
        if st.sites.values().any(|s| s.name == name) {
            return Err(HppCode::DuplicateSiteName);
        }
        st.next_site += 1;
        let id = format!("site{:012}", st.next_site);
        let text = |t: &Option<String>| t.clone();
        let site = Site {
            id: id.clone(),
            name,
            time_zone: req.time_zone,
            time_sync: req.time_sync.unwrap_or(false),
            state: text(&req.site_state),
            city: text(&req.site_city),
            street: text(&req.site_street),
            location: text(&req.location),
            managers: vec![(ADMIN_INSTALLER_ID.to_owned(), -1)],
            shared_with: None,
            customers: Vec::new(),
            devices: Vec::new(),
        };
        st.sites.insert(id, site);
        Ok(None)
    };
    answer(run())
}

/// 3.4: removes a site and its devices.
pub(crate) fn delete_site(h: &HppSim, req: api::DeleteSiteRequest) -> SimResponse {
    let mut guard = h.state();
    let st = &mut guard.sites;
    let removed = st.sites.remove(req.id.trim());
    answer(removed.map(|_| None).ok_or(HppCode::SiteNotFoundOrNoPermission))
}

/// 3.5: renames or moves a site.
pub(crate) fn update_site(h: &HppSim, req: api::UpdateSiteRequest) -> SimResponse {
    let mut guard = h.state();
    let st = &mut guard.sites;
    let mut run = || -> Answer<Option<Value>> {
        let name = site_name(&req.name)?;
        let id = st.site(&req.id)?.id.clone();
        if st.sites.values().any(|s| s.name == name && s.id != id) {
            return Err(HppCode::DuplicateSiteName);
        }
        let site = st.site_mut(&id)?;
        site.name = name;
        let set = |slot: &mut Option<String>, v: &Option<String>| {
            if let Some(v) = v {
                *slot = Some(v.clone());
            }
        };
        set(&mut site.state, &req.site_state);
        set(&mut site.city, &req.site_city);
        set(&mut site.street, &req.site_street);
        set(&mut site.location, &req.location);
        Ok(None)
    };
    answer(run())
}

/// 3.6: sites matching the search (name, address, installer), one page.
pub(crate) fn search_sites(h: &HppSim, req: api::SearchSitesRequest) -> SimResponse {
    let guard = h.state();
    let st = &guard.sites;
    let needle = req.search.as_deref().unwrap_or("");
    let rows = st
        .sites
        .values()
        .filter(|s| {
            let installer = s.managers.first().and_then(|(id, _)| st.installer(id));
            let names = installer.map(|i| format!("{} {}", i.first_name, i.last_name)).unwrap_or_default();
            let opt = |o: &Option<String>| o.clone().unwrap_or_default();
            matches(needle, &[&s.name, &opt(&s.state), &opt(&s.city), &opt(&s.street), &opt(&s.location), &names])
        })
        .map(|s| site_json(st, s))
        .collect();
    answer(Ok(Some(page(rows, req.page, req.page_size))))
}

/// 3.7: shares a site with another company's employee.
pub(crate) fn share_site(h: &HppSim, req: api::ShareSiteRequest) -> SimResponse {
    let mut guard = h.state();
    let st = &mut guard.sites;
    let mut run = || -> Answer<Option<Value>> {
        let email = filled(&req.email)?.trim().to_owned();
        if !email.contains('@') {
            return Err(HppCode::ParameterError);
        }
        if email.ends_with(&format!("@{COMPANY_DOMAIN}")) {
            return Err(HppCode::SharingToOwnCompany);
        }
        let site = st.site_mut(req.site_id.as_str())?;
        if site.shared_with.is_some() {
            return Err(HppCode::SiteAlreadyShared);
        }
        site.shared_with = Some(email);
        Ok(None)
    };
    answer(run())
}

/// 3.8: ends the sharing of a site.
pub(crate) fn cancel_site_share(h: &HppSim, req: api::CancelSiteShareRequest) -> SimResponse {
    let mut guard = h.state();
    let st = &mut guard.sites;
    let mut run = || -> Answer<Option<Value>> {
        let site = st.site_mut(&req.id)?;
        site.shared_with.take().ok_or(HppCode::SiteNotShared)?;
        Ok(None)
    };
    answer(run())
}

/// 3.9: replaces the managers of sites (the admin, who manages all sites, stays).
pub(crate) fn assign_site_managers(h: &HppSim, req: api::AssignSiteManagersRequest) -> SimResponse {
    let mut guard = h.state();
    let st = &mut guard.sites;
    let mut run = || -> Answer<Option<Value>> {
        if req.site_ids.is_empty() {
            return Err(HppCode::ParameterError);
        }
        for id in &req.site_ids {
            st.site(id)?;
        }
        let pairs = req.installer_permission_times.as_slice();
        if pairs.iter().any(|p| st.installer(p.installer_id.as_str()).is_none()) {
            return Err(HppCode::EmployeeNotFound);
        }
        let mut managers: Vec<(String, i64)> =
            pairs.iter().map(|p| (p.installer_id.as_str().to_owned(), p.expired_duration_time)).collect();
        if !managers.iter().any(|(id, _)| id == ADMIN_INSTALLER_ID) {
            managers.push((ADMIN_INSTALLER_ID.to_owned(), -1));
        }
        for id in &req.site_ids {
            st.site_mut(id)?.managers = managers.clone();
        }
        Ok(None)
    };
    answer(run())
}

/// 3.10: the managers of a site.
pub(crate) fn site_managers(h: &HppSim, req: api::SiteManagersRequest) -> SimResponse {
    let guard = h.state();
    let st = &guard.sites;
    let run = || -> Answer<Option<Value>> {
        let site = st.site(req.site_id.as_str())?;
        let list: Vec<Value> = site
            .managers
            .iter()
            .filter_map(|(id, expire)| {
                st.installer(id).map(|i| {
                    json!({
                        "installerId": i.id, "installerFirstName": i.first_name, "installerLastName": i.last_name,
                        "installerEmail": i.email, "installerPhone": i.phone, "expireDurationTime": expire,
                    })
                })
            })
            .collect();
        Ok(Some(json!({ "installerMangers": list })))
    };
    answer(run())
}

/// Checks that every shared device is in the site (LAP006009 otherwise).
fn check_devices(site: &Site, devices: &[DevicePermission]) -> Answer<()> {
    for d in devices {
        if !site.devices.iter().any(|s| s.serial == d.device_serial.trim()) {
            return Err(HppCode::DeviceNotFoundOrNoPermission);
        }
    }
    Ok(())
}

/// 3.11: hands a site over to end users (pending until they accept: status "2").
pub(crate) fn hand_over_site(h: &HppSim, req: api::HandOverSiteRequest) -> SimResponse {
    let mut guard = h.state();
    let st = &mut guard.sites;
    let mut run = || -> Answer<Option<Value>> {
        let site = st.site_mut(req.site_id.as_str())?;
        let devices = req.user_share_permission.as_slice();
        check_devices(site, devices)?;
        for account in req.batch_hc_account.as_slice() {
            filled(&account.hc_account)?;
            site.customers.retain(|c| c.account.hc_account != account.hc_account);
            site.customers.push(Customer { account: account.clone(), status: "2", devices: devices.to_vec() });
        }
        Ok(None)
    };
    answer(run())
}

/// 3.12: the end users of a handed-over site.
pub(crate) fn site_customers(h: &HppSim, req: api::SiteCustomersRequest) -> SimResponse {
    let guard = h.state();
    let st = &guard.sites;
    let run = || -> Answer<Option<Value>> {
        let site = st.site(req.site_id.as_str())?;
        let list: Vec<Value> = site
            .customers
            .iter()
            .map(|c| json!({ "hcAccount": c.account.hc_account, "type": c.account.account_type, "status": c.status }))
            .collect();
        Ok(Some(json!({ "customers": list })))
    };
    answer(run())
}

fn customer<'a>(site: &'a mut Site, account: &str) -> Answer<&'a mut Customer> {
    if site.customers.is_empty() {
        return Err(HppCode::SiteNotHandledBySharing);
    }
    site.customers
        .iter_mut()
        .find(|c| c.account.hc_account == account.trim())
        .ok_or(HppCode::SharingCredentialsNotFound)
}

/// 3.13: the devices shared with one end user.
pub(crate) fn site_customer_detail(h: &HppSim, req: api::SiteCustomerDetailRequest) -> SimResponse {
    let mut guard = h.state();
    let st = &mut guard.sites;
    let mut run = || -> Answer<Option<Value>> {
        let site = st.site_mut(req.site_id.as_str())?;
        let c = customer(site, filled(&req.hc_account)?)?;
        Ok(Some(json!({ "shareDevices": c.devices })))
    };
    answer(run())
}

/// 3.14: changes an end user's account.
pub(crate) fn update_site_customer_account(h: &HppSim, req: api::UpdateSiteCustomerAccountRequest) -> SimResponse {
    let mut guard = h.state();
    let st = &mut guard.sites;
    let mut run = || -> Answer<Option<Value>> {
        let new = req.new_share_hc.clone();
        filled(&new.hc_account)?;
        let site = st.site_mut(req.site_id.as_str())?;
        let c = customer(site, &req.old_share_hc.hc_account)?;
        c.account = new;
        c.status = "2";
        Ok(None)
    };
    answer(run())
}

/// 3.15: replaces the devices shared with an end user.
pub(crate) fn update_site_customer_devices(h: &HppSim, req: api::UpdateSiteCustomerDevicesRequest) -> SimResponse {
    let mut guard = h.state();
    let st = &mut guard.sites;
    let mut run = || -> Answer<Option<Value>> {
        let site = st.site_mut(req.site_id.as_str())?;
        let devices = req.shared_hc.share_devices.as_slice().to_vec();
        check_devices(site, &devices)?;
        let c = customer(site, &req.shared_hc.hc_account)?;
        c.devices = devices;
        Ok(None)
    };
    answer(run())
}

/// 3.16: ends the handover sharing for some end users.
pub(crate) fn cancel_site_customers(h: &HppSim, req: api::CancelSiteCustomersRequest) -> SimResponse {
    let mut guard = h.state();
    let st = &mut guard.sites;
    let mut run = || -> Answer<Option<Value>> {
        if req.hc_accounts.is_empty() {
            return Err(HppCode::ParameterError);
        }
        let site = st.site_mut(req.site_id.as_str())?;
        for a in &req.hc_accounts {
            customer(site, a)?;
        }
        site.customers.retain(|c| !req.hc_accounts.iter().any(|a| a.trim() == c.account.hc_account));
        Ok(None)
    };
    answer(run())
}

/// The health entry of one device, from what the simulator knows of it (online or not).
fn device_health(h: &HppSim, d: &SiteDevice) -> Value {
    let online = h.check_online(&d.serial).is_ok();
    let mut v = json!({
        "deviceSerial": d.serial, "deviceName": d.name, "deviceId": format!("H{}", d.serial),
        "deviceModel": if d.alarm_panel { "DS-PWA96-M-WE" } else { "DS-7608NI-K2" },
        "deviceIp": "192.0.2.10",
        "category": if d.alarm_panel { "2" } else { "1" },
        "deviceSubCategory": if d.alarm_panel { 3 } else { 1 },
        "onlineStatus": u8::from(online),
        "lastOfflineTime": if online { Value::Null } else { json!("2026-01-01T00:00:00") },
    });
    if d.alarm_panel {
        v["alarmDeviceStatus"] = json!({
            "operRes": "pass", "cloudStatus": if online { "online" } else { "offline" },
            "workStatus": "allDisArm", "networkCable": "ok", "batteryStatus": "ok",
            "arcConnectStatus": "connected[1]",
            "zones": [{ "name": "Zone 1", "zoneId": 1, "deviceId": format!("H{}", d.serial), "tamperStatus": "false",
                        "diagnosticsResult": "PASS", "networkStatus": "ok", "batteryStatus": "ok",
                        "signalStrength": "strong", "peripheralType": "Wireless Zone", "byPassStatus": "No" }],
            "sirenList": [{ "id": 1, "name": "Siren 1", "seq": "Q0000001", "networkStatus": "ok" }],
        });
    } else {
        v["enCodingDeviceStatus"] = json!({
            "loopEnable": 1, "diskUsage": 42.5, "diskStatus": 8, "videoSingle": 1,
            "channels": [{ "name": "Camera 01", "status": u8::from(online), "deviceId": format!("H{}", d.serial),
                           "channelNo": 1, "channelIpaddr": "192.0.2.11" }],
            "hdds": [{ "deviceId": format!("H{}", d.serial), "hddNo": 1, "temperature": 38, "poweronday": 100,
                       "selfevaluatingstatus": 0, "allevaluatingstatus": 0,
                       "hddAttributeDtoList": [{ "hddNo": 1, "status": 0, "attributed": 194 }] }],
        });
    }
    v
}

/// 3.17: the health report of a site's devices.
pub(crate) fn site_health_report(h: &HppSim, req: api::SiteHealthReportRequest) -> SimResponse {
    let site = {
        let guard = h.state();
        let st = &guard.sites;
        st.site(req.site_id.as_str()).cloned()
    };
    answer(site.map(|s| {
        let detail: Vec<Value> = s.devices.iter().map(|d| device_health(h, d)).collect();
        Some(json!({ "siteId": s.id, "reportDetail": detail }))
    }))
}

/// Test hooks of the sites part.
impl Simulator {
    /// Adds an employee to the simulated company; returns its ID.
    pub fn add_installer(&self, first_name: &str, last_name: &str, email: &str, phone: &str) -> String {
        let mut st = self.sim().state();
        let id = format!("installer-{:04}", st.sites.installers.len() + 1);
        st.sites.installers.push(Installer {
            id: id.clone(),
            first_name: first_name.into(),
            last_name: last_name.into(),
            email: email.into(),
            phone: phone.into(),
            is_admin: false,
        });
        id
    }

    /// The ID of the site named `name`, if any.
    pub fn site_id(&self, name: &str) -> Option<String> {
        self.sim().state().sites.sites.values().find(|s| s.name == name).map(|s| s.id.clone())
    }

    /// Places a device in a site (an alarm panel or an encoding device), for the health report,
    /// handover permissions and the ARC service; false when the site does not exist.
    pub fn add_site_device(&self, site_id: &str, serial: &str, name: &str, alarm_panel: bool) -> bool {
        let mut st = self.sim().state();
        match st.sites.sites.get_mut(site_id) {
            Some(site) => {
                site.devices.retain(|d| d.serial != serial);
                site.devices.push(SiteDevice { serial: serial.into(), name: name.into(), alarm_panel });
                true
            }
            None => false,
        }
    }

    /// The end user `account` of a site accepts the handover (status "1", approved).
    pub fn accept_handover(&self, site_id: &str, account: &str) -> bool {
        let mut st = self.sim().state();
        let customer = st
            .sites
            .sites
            .get_mut(site_id)
            .and_then(|s| s.customers.iter_mut().find(|c| c.account.hc_account == account));
        match customer {
            Some(c) => {
                c.status = "1";
                true
            }
            None => false,
        }
    }
}
