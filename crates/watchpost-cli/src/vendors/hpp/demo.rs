//! The Hik-Partner Pro scenario of `watchpost demo`.

use watchpost::hpp;

use crate::demo::{start_failed, Outcome, Scenario, Stopped};
use crate::error::CliResult;
use crate::vendors::Vendor;

/// The simulated panel of the scenario (registered in the simulator, verification code below).
const PANEL: &str = "Q01728482";
/// The panel's verification code (the label on the device).
const PANEL_CODE: &str = "ABCDEF";
/// The site the scenario creates.
const SITE: &str = "watchpost demo site";

/// Hik-Partner Pro: token, add a site and the panel to it, then the panel through the ISAPI
/// pass-through (arm, read back, disarm) and an OTAP property.
pub async fn scenario(vendor: &'static dyn Vendor) -> CliResult<Outcome> {
    use hpp::models::devices::{DeviceSerial, NewDevice, NewDevices, ValidateCode};
    use hpp::models::isapi::a4;
    use hpp::models::isapi::shared::{ArmWays, Arming};
    use hpp::models::otap::Address;

    let sim = hpp::sim::Simulator::start().await.map_err(|e| start_failed(vendor, &e))?;
    // The panel's ISAPI and OTAP side (what the device answers once it is on the platform).
    sim.add_isapi_device(PANEL);
    sim.add_otap_device(PANEL);
    let mut sc =
        Scenario::new(vendor, 6, &format!("token host at {}, area host at {}", sim.base_url(), sim.area_domain()));
    let client = sim.client_builder().build().map_err(|e| crate::error::CliError::vendor(vendor, &e))?;

    let walk = async {
        sc.step("token", async {
            let info = client.isapi(PANEL, &a4::device_info()).await?;
            let model = info.model.unwrap_or_default();
            Ok((
                (),
                format!(
                    "{} token fetch(es); panel {PANEL} ({model}) answers through the ISAPI pass-through",
                    client.token_fetches()
                ),
            ))
        })
        .await?;
        let site_id = sc
            .step("site", async {
                client.add_site(&hpp::AddSiteRequest::new(SITE, 182)).await?;
                let page = client.search_sites(&hpp::SearchSitesRequest::new()).await?;
                let site = page.rows.iter().find(|s| s.site_name.as_deref() == Some(SITE));
                let id = site.and_then(|s| s.id.clone()).ok_or("the new site is not in site/search")?;
                Ok((id.clone(), format!("site \"{SITE}\" added (id {id}), found by site/search")))
            })
            .await?;
        sc.step("panel", async {
            let device = NewDevice::new(DeviceSerial::new(PANEL)?, ValidateCode::new(PANEL_CODE)?);
            let added = client.add_devices(&hpp::AddDevicesRequest::new(NewDevices::new([device])?, &site_id)).await?;
            if !added.all_added() {
                return Err(format!("device/add refused the panel: {:?}", added.add_failed_list).into());
            }
            Ok(((), format!("panel {PANEL} added to the site with its verification code (per-device outcome: added)")))
        })
        .await?;
        sc.step("arm", async {
            let status = client.isapi(PANEL, &a4::arm(1, &ArmWays::Away)).await?;
            let parts = client.isapi(PANEL, &a4::sub_systems()).await?;
            let area = parts.sub_sys_list.iter().find(|p| p.id == 1).ok_or("partition 1 is not reported")?;
            if area.arming != Some(Arming::Away) {
                return Err(format!("partition 1 reads {:?} after arming", area.arming).into());
            }
            Ok((
                (),
                format!("partition 1 armed away (statusCode {}), read back from SecurityCP/status", status.status_code),
            ))
        })
        .await?;
        sc.step("otap", async {
            let v = client.otap_prop(PANEL, &Address::global("InfoMgr", "DeviceVersion")).await?;
            let firmware = v["firmwareVersion"].as_str().ok_or("no firmwareVersion in DeviceVersion")?;
            Ok(((), format!("InfoMgr/DeviceVersion from the cloud shadow: firmware {firmware}")))
        })
        .await?;
        sc.step("disarm", async {
            client.isapi(PANEL, &a4::disarm(1)).await?;
            let parts = client.isapi(PANEL, &a4::sub_systems()).await?;
            let disarmed = parts.sub_sys_list.iter().all(|p| p.arming == Some(Arming::Disarm));
            if !disarmed {
                return Err("a partition is still armed".into());
            }
            Ok(((), "every partition disarmed".to_owned()))
        })
        .await?;
        Ok::<(), Stopped>(())
    };
    let _ = walk.await;
    sim.shutdown().await;
    Ok(sc.finish())
}
