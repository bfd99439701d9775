//! The simulated operations, on the generated [`Handlers`] trait: the ONE `impl Handlers for
//! HppSim`. Each chapter adds its methods as one block at the end, each a one-line delegation
//! to a function of its own `sim/<part>.rs`. The generated router decodes each request (a
//! request that does not decode is answered LAP000001), so the handlers hold only the platform's
//! checks and state.

use std::sync::{Mutex, MutexGuard};

use serde_json::{json, Map, Value};
use watchpost_core::sim::{SimRequest, SimResponse, TokenStore};

use super::generated::Handlers;
use super::{arc, devices, hotspare, lock, mq, otap, people, sites, state, Settings};
use crate::error::HppCode;
use crate::generated as api;

/// The simulator's handlers and everything they share. The chapters' functions take `&HppSim`.
#[derive(Debug)]
pub struct HppSim {
    pub(crate) state: Mutex<state::State>,
    pub(crate) settings: Mutex<Settings>,
    pub(crate) tokens: TokenStore<String>,
    /// The area host's URL, the `areaDomain` of every token.
    pub(crate) area_domain: Mutex<String>,
}

impl HppSim {
    /// The whole simulator state, locked (never held across an `.await`).
    pub(crate) fn state(&self) -> MutexGuard<'_, state::State> {
        lock(&self.state)
    }

    /// EVZ20007 when the device was taken offline with `Simulator::set_offline`.
    pub(crate) fn check_online(&self, device_serial: &str) -> Answer<()> {
        if lock(&self.settings).offline.contains(device_serial.trim()) {
            Err(HppCode::DeviceOffline)
        } else {
            Ok(())
        }
    }
}

/// The API key a valid token belongs to (set by the token middleware).
#[derive(Debug, Clone)]
#[allow(dead_code)] // for the chapters' handlers: which key a request came with
pub(crate) struct AppKey(pub(crate) String);

/// A handler's result: the value, or the HPP code to answer with.
pub(crate) type Answer<T> = Result<T, HppCode>;

/// `{"errorCode":"0"}` with `data` when given.
pub(crate) fn success(data: Option<Value>) -> SimResponse {
    let mut body = Map::new();
    body.insert("errorCode".into(), json!("0"));
    if let Some(d) = data {
        body.insert("data".into(), d);
    }
    SimResponse::json(200, &Value::Object(body))
}

/// An error envelope with the seed's description as `message` (HTTP 200).
pub(crate) fn failure(code: &HppCode) -> SimResponse {
    let message = match code.description() {
        "" => "Unknown error.",
        d => d,
    };
    SimResponse::json(200, &json!({ "errorCode": code.as_str(), "message": message }))
}

/// The response of a handler's result.
pub(crate) fn answer(result: Answer<Option<Value>>) -> SimResponse {
    match result {
        Ok(data) => success(data),
        Err(code) => failure(&code),
    }
}

/// One page of `items` as the platform answers a paged list: `{page, pageSize, rows, total,
/// totalPage}`. `page` counts from 1 and `page_size` defaults to 20 (a missing or 0 value, as
/// the site search example sends, means the default); a page past the last is empty.
#[allow(dead_code)] // for the chapters' paged lists
pub(crate) fn page(items: &[Value], page: Option<i64>, page_size: Option<i64>) -> Value {
    let size = page_size.filter(|s| *s > 0).map_or(20, |s| usize::try_from(s).unwrap_or(usize::MAX));
    let number = page.filter(|p| *p > 0).map_or(1, |p| usize::try_from(p).unwrap_or(usize::MAX));
    let start = number.saturating_sub(1).saturating_mul(size);
    let rows: Vec<Value> = items.iter().skip(start).take(size).cloned().collect();
    let total_page = items.len().div_ceil(size);
    json!({ "page": number, "pageSize": size, "rows": rows, "total": items.len(), "totalPage": total_page })
}

/// A text parameter that must not be blank (LAP000001 otherwise).
pub(crate) fn filled(text: &str) -> Answer<&str> {
    if text.trim().is_empty() {
        Err(HppCode::ParameterError)
    } else {
        Ok(text)
    }
}

/// Checks the token endpoint's request and issues a token for the key.
fn token_get(h: &HppSim, req: &api::GetTokenRequest) -> SimResponse {
    let run = || -> Answer<Option<Value>> {
        let key = filled(&req.app_key)?;
        let secret = filled(&req.secret_key)?;
        let settings = lock(&h.settings);
        match settings.credentials.get(key) {
            None => return Err(HppCode::AkNotFound),
            Some(expected) if expected != secret => return Err(HppCode::AkSkMismatch),
            Some(_) => {}
        }
        let issued = h.tokens.issue_with(key.to_owned(), settings.token_ttl);
        Ok(Some(json!({
            "accessToken": issued.token,
            "expireTime": issued.expires_at_millis(),
            "areaDomain": *lock(&h.area_domain),
        })))
    };
    answer(run())
}

/// The token check in front of every operation but the token endpoint: `Authorization: Bearer`.
pub(crate) fn check_token(tokens: &TokenStore<String>, req: &mut SimRequest) -> Option<SimResponse> {
    let Some(header) = req.header("authorization").map(str::trim).filter(|h| !h.is_empty()) else {
        return Some(failure(&HppCode::TokenEmpty));
    };
    let Some(token) = header.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty()) else {
        return Some(failure(&HppCode::TokenInvalidFormat));
    };
    match tokens.data(token) {
        Some(key) => {
            req.extensions.insert(AppKey(key));
            None
        }
        None => Some(failure(&HppCode::TokenExpired)),
    }
}

impl Handlers for HppSim {
    async fn get_token(&self, req: api::GetTokenRequest, _ctx: SimRequest) -> SimResponse {
        token_get(self, &req)
    }

    // ---- hpp-base: MQ (3.33-3.36)
    async fn mq_subscribe(&self, req: api::MqSubscribeRequest, _ctx: SimRequest) -> SimResponse {
        mq::subscribe(self, req)
    }

    async fn mq_messages(&self, req: api::MqMessagesRequest, ctx: SimRequest) -> SimResponse {
        mq::messages(self, req, &ctx).await
    }

    async fn mq_offset(&self, req: api::MqOffsetRequest, ctx: SimRequest) -> SimResponse {
        mq::offset(self, req, &ctx)
    }

    async fn alarm_picture_url(&self, req: api::AlarmPictureUrlRequest, _ctx: SimRequest) -> SimResponse {
        mq::picture_url(self, req)
    }

    // ---- hpp-sites: installers, sites, sharing, customers, health report (3.2-3.17), ARC service (3.37-3.42)
    async fn search_installers(&self, req: api::SearchInstallersRequest, _ctx: SimRequest) -> SimResponse {
        sites::search_installers(self, req)
    }

    async fn add_site(&self, req: api::AddSiteRequest, _ctx: SimRequest) -> SimResponse {
        sites::add_site(self, req)
    }

    async fn delete_site(&self, req: api::DeleteSiteRequest, _ctx: SimRequest) -> SimResponse {
        sites::delete_site(self, req)
    }

    async fn update_site(&self, req: api::UpdateSiteRequest, _ctx: SimRequest) -> SimResponse {
        sites::update_site(self, req)
    }

    async fn search_sites(&self, req: api::SearchSitesRequest, _ctx: SimRequest) -> SimResponse {
        sites::search_sites(self, req)
    }

    async fn share_site(&self, req: api::ShareSiteRequest, _ctx: SimRequest) -> SimResponse {
        sites::share_site(self, req)
    }

    async fn cancel_site_share(&self, req: api::CancelSiteShareRequest, _ctx: SimRequest) -> SimResponse {
        sites::cancel_site_share(self, req)
    }

    async fn assign_site_managers(&self, req: api::AssignSiteManagersRequest, _ctx: SimRequest) -> SimResponse {
        sites::assign_site_managers(self, req)
    }

    async fn site_managers(&self, req: api::SiteManagersRequest, _ctx: SimRequest) -> SimResponse {
        sites::site_managers(self, req)
    }

    async fn hand_over_site(&self, req: api::HandOverSiteRequest, _ctx: SimRequest) -> SimResponse {
        sites::hand_over_site(self, req)
    }

    async fn site_customers(&self, req: api::SiteCustomersRequest, _ctx: SimRequest) -> SimResponse {
        sites::site_customers(self, req)
    }

    async fn site_customer_detail(&self, req: api::SiteCustomerDetailRequest, _ctx: SimRequest) -> SimResponse {
        sites::site_customer_detail(self, req)
    }

    async fn update_site_customer_account(
        &self,
        req: api::UpdateSiteCustomerAccountRequest,
        _ctx: SimRequest,
    ) -> SimResponse {
        sites::update_site_customer_account(self, req)
    }

    async fn update_site_customer_devices(
        &self,
        req: api::UpdateSiteCustomerDevicesRequest,
        _ctx: SimRequest,
    ) -> SimResponse {
        sites::update_site_customer_devices(self, req)
    }

    async fn cancel_site_customers(&self, req: api::CancelSiteCustomersRequest, _ctx: SimRequest) -> SimResponse {
        sites::cancel_site_customers(self, req)
    }

    async fn site_health_report(&self, req: api::SiteHealthReportRequest, _ctx: SimRequest) -> SimResponse {
        sites::site_health_report(self, req)
    }

    async fn list_arc_devices(&self, req: api::ListArcDevicesRequest, _ctx: SimRequest) -> SimResponse {
        arc::list_devices(self, req)
    }

    async fn enable_arc_service(&self, req: api::EnableArcServiceRequest, _ctx: SimRequest) -> SimResponse {
        arc::enable(self, req)
    }

    async fn disable_arc_service(&self, req: api::DisableArcServiceRequest, _ctx: SimRequest) -> SimResponse {
        arc::disable(self, req)
    }

    async fn update_arc_event_types(&self, req: api::UpdateArcEventTypesRequest, _ctx: SimRequest) -> SimResponse {
        arc::update_event_types(self, req)
    }

    async fn update_arc_account_number(
        &self,
        req: api::UpdateArcAccountNumberRequest,
        _ctx: SimRequest,
    ) -> SimResponse {
        arc::update_account_number(self, req)
    }

    async fn arc_site_info(&self, req: api::ArcSiteInfoRequest, _ctx: SimRequest) -> SimResponse {
        arc::site_info(self, req)
    }

    // ---- hpp-devices: devices (3.18-3.22, 3.25-3.32, 3.52)
    async fn add_devices(&self, req: api::AddDevicesRequest, _ctx: SimRequest) -> SimResponse {
        devices::add(self, req)
    }

    async fn delete_device(&self, req: api::DeleteDeviceRequest, _ctx: SimRequest) -> SimResponse {
        devices::delete(self, req)
    }

    async fn update_device(&self, req: api::UpdateDeviceRequest, _ctx: SimRequest) -> SimResponse {
        devices::update(self, req)
    }

    async fn list_devices(&self, req: api::ListDevicesRequest, _ctx: SimRequest) -> SimResponse {
        devices::list(self, req)
    }

    async fn list_cameras(&self, req: api::ListCamerasRequest, _ctx: SimRequest) -> SimResponse {
        devices::cameras(self, req)
    }

    async fn device_upgrade_state(&self, req: api::DeviceUpgradeStateRequest, _ctx: SimRequest) -> SimResponse {
        devices::upgrade_state(self, req)
    }

    async fn set_cloud_enable(&self, req: api::SetCloudEnableRequest, _ctx: SimRequest) -> SimResponse {
        devices::cloud_enable(self, req)
    }

    async fn query_pin_code(&self, req: api::QueryPinCodeRequest, _ctx: SimRequest) -> SimResponse {
        devices::pin(self, req)
    }

    async fn upgrade_device(&self, req: api::UpgradeDeviceRequest, _ctx: SimRequest) -> SimResponse {
        devices::upgrade(self, req)
    }

    async fn device_upgrade_progress(&self, req: api::DeviceUpgradeProgressRequest, _ctx: SimRequest) -> SimResponse {
        devices::upgrade_progress(self, req)
    }

    async fn query_iot_ability(&self, req: api::QueryIotAbilityRequest, _ctx: SimRequest) -> SimResponse {
        devices::iot_ability(self, req)
    }

    async fn iot_add_result(&self, req: api::IotAddResultRequest, _ctx: SimRequest) -> SimResponse {
        devices::iot_add_result(self, req)
    }

    async fn wake_up_camera(&self, req: api::WakeUpCameraRequest, _ctx: SimRequest) -> SimResponse {
        devices::wake_up(self, req)
    }

    async fn videos_by_time(&self, req: api::VideosByTimeRequest, _ctx: SimRequest) -> SimResponse {
        devices::videos(self, req)
    }

    // ---- hpp-people: persons and privileges (3.43-3.51), hot spare and ops pack (3.53-3.61)
    async fn add_person(&self, req: api::AddPersonRequest, _ctx: SimRequest) -> SimResponse {
        people::add(self, req)
    }

    async fn update_person(&self, req: api::UpdatePersonRequest, _ctx: SimRequest) -> SimResponse {
        people::update(self, req)
    }

    async fn delete_persons(&self, req: api::DeletePersonsRequest, _ctx: SimRequest) -> SimResponse {
        people::delete(self, req)
    }

    async fn config_acs_privilege(&self, req: api::ConfigAcsPrivilegeRequest, _ctx: SimRequest) -> SimResponse {
        people::config(self, req)
    }

    async fn acs_privilege_status(&self, req: api::AcsPrivilegeStatusRequest, _ctx: SimRequest) -> SimResponse {
        people::status(self, req)
    }

    async fn delete_acs_privilege(&self, req: api::DeleteAcsPrivilegeRequest, _ctx: SimRequest) -> SimResponse {
        people::delete_privilege(self, req)
    }

    async fn synchronize_persons(&self, req: api::SynchronizePersonsRequest, _ctx: SimRequest) -> SimResponse {
        people::synchronize(self, req)
    }

    async fn sync_progress(&self, req: api::SyncProgressRequest, _ctx: SimRequest) -> SimResponse {
        people::progress(self, req)
    }

    async fn sync_details(&self, req: api::SyncDetailsRequest, _ctx: SimRequest) -> SimResponse {
        people::details(self, req)
    }

    async fn add_hot_spare(&self, req: api::AddHotSpareRequest, _ctx: SimRequest) -> SimResponse {
        hotspare::add(self, req)
    }

    async fn hot_spares(&self, req: api::HotSparesRequest, _ctx: SimRequest) -> SimResponse {
        hotspare::get(self, req)
    }

    async fn delete_hot_spares(&self, req: api::DeleteHotSparesRequest, _ctx: SimRequest) -> SimResponse {
        hotspare::delete(self, req)
    }

    async fn hot_spare_heartbeat(&self, req: api::HotSpareHeartbeatRequest, _ctx: SimRequest) -> SimResponse {
        hotspare::heartbeat(self, req)
    }

    async fn upload_hot_spare_file(&self, req: api::UploadHotSpareFileRequest, ctx: SimRequest) -> SimResponse {
        hotspare::upload(self, req, &ctx)
    }

    async fn hot_spare_file_download_url(
        &self,
        req: api::HotSpareFileDownloadUrlRequest,
        _ctx: SimRequest,
    ) -> SimResponse {
        hotspare::download_url(self, req)
    }

    async fn hot_spare_files(&self, req: api::HotSpareFilesRequest, _ctx: SimRequest) -> SimResponse {
        hotspare::files(self, req)
    }

    async fn delete_hot_spare_file(&self, req: api::DeleteHotSpareFileRequest, _ctx: SimRequest) -> SimResponse {
        hotspare::delete_file(self, req)
    }

    async fn activate_opspack(&self, req: api::ActivateOpspackRequest, _ctx: SimRequest) -> SimResponse {
        hotspare::activate_opspack(self, req)
    }

    // ---- OTAP (3.24.1-3.24.11): decoded by the generated router, answered from sim/otap.rs
    async fn get_otap_prop(&self, _req: api::GetOtapPropRequest, ctx: SimRequest) -> SimResponse {
        otap::answer(self, ctx.route, &ctx)
    }

    async fn put_otap_prop(&self, _req: api::PutOtapPropRequest, ctx: SimRequest) -> SimResponse {
        otap::answer(self, ctx.route, &ctx)
    }

    async fn get_otap_direct(&self, _req: api::GetOtapDirectRequest, ctx: SimRequest) -> SimResponse {
        otap::answer(self, ctx.route, &ctx)
    }

    async fn put_otap_direct(&self, _req: api::PutOtapDirectRequest, ctx: SimRequest) -> SimResponse {
        otap::answer(self, ctx.route, &ctx)
    }

    async fn run_otap_action(&self, _req: api::RunOtapActionRequest, ctx: SimRequest) -> SimResponse {
        otap::answer(self, ctx.route, &ctx)
    }

    async fn get_otap_product_profile(&self, _req: api::GetOtapProductProfileRequest, ctx: SimRequest) -> SimResponse {
        otap::answer(self, ctx.route, &ctx)
    }

    async fn get_otap_props_by_shadow(&self, _req: api::GetOtapPropsByShadowRequest, ctx: SimRequest) -> SimResponse {
        otap::answer(self, ctx.route, &ctx)
    }

    async fn put_otap_props_by_shadow(&self, _req: api::PutOtapPropsByShadowRequest, ctx: SimRequest) -> SimResponse {
        otap::answer(self, ctx.route, &ctx)
    }

    async fn get_otap_props(&self, _req: api::GetOtapPropsRequest, ctx: SimRequest) -> SimResponse {
        otap::answer(self, ctx.route, &ctx)
    }

    async fn put_otap_props(&self, _req: api::PutOtapPropsRequest, ctx: SimRequest) -> SimResponse {
        otap::answer(self, ctx.route, &ctx)
    }

    async fn list_otap_table(&self, _req: api::ListOtapTableRequest, ctx: SimRequest) -> SimResponse {
        otap::answer(self, ctx.route, &ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_count_from_1_and_default_to_20() {
        let items: Vec<Value> = (0..45).map(|i| json!(i)).collect();
        let p = page(&items, None, None);
        assert_eq!(
            (p["page"].as_u64(), p["rows"].as_array().map(Vec::len), p["totalPage"].as_u64()),
            (Some(1), Some(20), Some(3))
        );
        let p = page(&items, Some(3), Some(20));
        assert_eq!(p["rows"].as_array().map(Vec::len), Some(5));
        assert_eq!(p["rows"][0], 40);
        let p = page(&items, Some(0), Some(0));
        assert_eq!(p["page"], 1);
        let p = page(&items, Some(i64::MAX), Some(i64::MAX));
        assert_eq!(p["rows"].as_array().map(Vec::len), Some(0));
        assert_eq!(page(&[], None, None)["totalPage"], 0);
    }
}
