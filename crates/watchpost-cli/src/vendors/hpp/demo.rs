//! The Hik-Partner Pro scenario of `watchpost demo`.

use watchpost::hpp;

use crate::demo::{start_failed, Outcome, Scenario, Stopped};
use crate::error::CliResult;
use crate::vendors::Vendor;

/// The simulated panel of the scenario.
const PANEL: &str = "Q01728482";

/// Hik-Partner Pro: token, the panel through the ISAPI pass-through, arm and disarm it, read an
/// OTAP property.
pub async fn scenario(vendor: &'static dyn Vendor) -> CliResult<Outcome> {
    use hpp::models::isapi::a4;
    use hpp::models::isapi::shared::{ArmWays, Arming};
    use hpp::models::otap::Address;

    let sim = hpp::sim::Simulator::start().await.map_err(|e| start_failed(vendor, &e))?;
    // The panel as the platform knows it once an installer added it to a site.
    sim.add_isapi_device(PANEL);
    sim.add_otap_device(PANEL);
    let mut sc =
        Scenario::new(vendor, 4, &format!("token host at {}, area host at {}", sim.base_url(), sim.area_domain()));
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
