//! The EZVIZ scenario of `watchpost demo`.

use watchpost::core::auth::Auth;
use watchpost::ezviz;

use crate::demo::{start_failed, valid_for, Outcome, Scenario, Stopped};
use crate::error::{CliError, CliResult};
use crate::vendors::Vendor;

/// EZVIZ: token, device information, arm and disarm a hub, an arming schedule.
pub async fn scenario(vendor: &'static dyn Vendor) -> CliResult<Outcome> {
    use ezviz::models::{DefenceMode, ScheduleTime, Weekday, Weekdays};
    use ezviz::requests::{GetDefencePlanRequest, GetDeviceInfoRequest, SetDefencePlanRequest, SetDefenceRequest};
    use ezviz::sim::{fixtures, Simulator};

    let sim = Simulator::start().await.map_err(|e| start_failed(vendor, &e))?;
    let mut sc = Scenario::new(vendor, 5, &format!("open platform simulator, token host {}", sim.base_url()));
    let client = ezviz::Client::builder()
        .app_key(sim.app_key())
        .app_secret(sim.app_secret())
        .token_host(sim.base_url())
        .build()
        .map_err(|e| CliError::vendor(vendor, &e))?;
    let hub = fixtures::HUB;
    let info = |serial: &'static str| {
        let client = client.clone();
        async move { client.get_device_info(&GetDeviceInfoRequest::new(serial)).await }
    };

    let walk = async {
        sc.step("token", async {
            let Auth::Token(auth) = client.pipeline().auth() else {
                return Err("the client has no token provider".into());
            };
            let (token, _) = auth.provider.get().await?;
            let valid = token
                .expires_at
                .and_then(|at| at.checked_sub(client.pipeline().clock().unix_now()))
                .map_or_else(|| "no expiry given".to_owned(), valid_for);
            let area = token.base_url.clone().unwrap_or_default();
            Ok(((), format!("access token issued by the token host ({valid}); calls go to its area domain {area}")))
        })
        .await?;
        sc.step("device info", async {
            let d = info(hub).await?;
            let online = if d.is_online() { "online" } else { "offline" };
            let defence =
                d.defence.and_then(|v| v.as_hub()).map_or("unknown".to_owned(), |m| format!("{m:?}").to_lowercase());
            Ok((
                (),
                format!(
                    "{hub} \"{}\" ({}), {}, defence {defence}",
                    d.device_name.unwrap_or_default(),
                    d.model.unwrap_or_default(),
                    online
                ),
            ))
        })
        .await?;
        for (label, mode) in [("arm", DefenceMode::Away), ("disarm", DefenceMode::Sleep)] {
            sc.step(label, async {
                let outcome = client.set_defence(&SetDefenceRequest::new(hub, mode)).await?;
                let read = info(hub).await?.defence.and_then(|v| v.as_hub());
                if read != Some(mode) {
                    return Err(format!("the hub reads back {read:?} after setting {mode:?}").into());
                }
                let name = format!("{mode:?}").to_lowercase();
                let how = if outcome.is_applied() { "" } else { " (it already was)" };
                Ok(((), format!("hub {hub} {label}ed: {name}{how}; device info reads back {name}")))
            })
            .await?;
        }
        sc.step("schedule", async {
            let camera = fixtures::CAMERA;
            let (Some(start), Some(stop)) = (ScheduleTime::at(22, 0), ScheduleTime::next_day_at(6, 0)) else {
                return Err("invalid schedule time".into());
            };
            let days = [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday]
                .into_iter()
                .fold(Weekdays::none(), Weekdays::with);
            let req = SetDefencePlanRequest::new(camera).start_time(start).stop_time(stop).period(days).enable(true);
            client.set_defence_plan(&req).await?;
            let plan = client.get_defence_plan(&GetDefencePlanRequest::new(camera)).await?;
            let show = |t: Option<ScheduleTime>| {
                t.map_or("-".to_owned(), |t| {
                    let next = if t.is_next_day() { " next day" } else { "" };
                    format!("{:02}:{:02}{next}", t.hour(), t.minute())
                })
            };
            let days: Vec<String> = plan
                .period
                .map(|p| p.days().map(|d| format!("{d:?}").chars().take(3).collect()).collect())
                .unwrap_or_default();
            Ok((
                (),
                format!(
                    "camera {camera} arms {} to {} on {}, {}",
                    show(plan.start_time),
                    show(plan.stop_time),
                    days.join(" "),
                    if plan.enable == Some(true) { "enabled" } else { "disabled" }
                ),
            ))
        })
        .await?;
        Ok::<(), Stopped>(())
    };
    let _ = walk.await;
    sim.shutdown().await;
    Ok(sc.finish())
}
