//! The Device Gateway scenario of `watchpost demo`.

use std::time::Duration;

use futures_util::StreamExt;
use watchpost::hikgw;

use crate::demo::{start_failed, Outcome, Scenario, StepError, Stopped};
use crate::error::{CliError, CliResult};
use crate::vendors::Vendor;

/// The gateway simulator's heartbeat interval in the demo (the real default is 10 s).
const DEMO_HEARTBEAT: Duration = Duration::from_millis(500);

/// The longest the demo waits for one event of the alarm stream.
const EVENT_WAIT: Duration = Duration::from_secs(5);

/// Device Gateway: authenticate, add a panel, subscribe, receive a CID alarm and a heartbeat,
/// clear the alarm and arm a partition, unsubscribe.
pub async fn scenario(vendor: &'static dyn Vendor) -> CliResult<Outcome> {
    use hikgw::models::{ArmWays, Arming, DeviceIn, DeviceInListMsg, SubscribeDeviceMgmtMsg};
    use hikgw::sim::{SimConfig, Simulator};
    use hikgw::{AddDevicesRequest, CidCode, Event, Notification};

    let sim = Simulator::start_with(SimConfig::default().heartbeat_interval(DEMO_HEARTBEAT))
        .await
        .map_err(|e| start_failed(vendor, &e))?;
    let mut sc = Scenario::new(vendor, 8, &format!("ISAPI gateway simulator at {}", sim.base_url()));
    let client = hikgw::Client::builder()
        .base_url(sim.base_url())
        .credentials(sim.username(), sim.password())
        .build()
        .map_err(|e| CliError::vendor(vendor, &e))?;
    let mut alarms = client.subscribe(SubscribeDeviceMgmtMsg::all());

    let walk = async {
        sc.step("authenticate", async {
            let check = client.login_check().await?;
            if !check.is_authenticated() {
                return Err("the gateway did not confirm the login".into());
            }
            Ok(((), format!("HTTP Digest login as {} confirmed by userCheck", sim.username())))
        })
        .await?;
        let panel = sc
            .step("add a panel", async {
                let dev = DeviceIn::security_panel("ARC-SHOP-0042", "isup-key-0042", "Shop front AX PRO");
                let msg = DeviceInListMsg { device_in_list: vec![dev] };
                let out = client.add_devices(&AddDevicesRequest::new(msg)).await?;
                let added =
                    out.device_out_list.into_iter().find_map(|d| d.dev_index).ok_or("the gateway added no device")?;
                Ok((
                    added.clone(),
                    format!("security control panel \"Shop front AX PRO\" (ISUP 5.0) added as devIndex {added}"),
                ))
            })
            .await?;
        sc.step("subscribe", async {
            let id = wait_for(&mut alarms, |n| match n {
                Notification::Subscribed(rsp) => Some(rsp.id.clone()),
                _ => None,
            })
            .await?;
            Ok((
                (),
                format!("alarm stream open (multipart/mixed), subscription id {}", id.unwrap_or_else(|| "-".into())),
            ))
        })
        .await?;
        sc.step("CID alarm", async {
            let raised = sim.raise_cid(&panel, CidCode::BurglaryAlarm, 1);
            let (code, part, zone) = wait_for(&mut alarms, |n| match n {
                Notification::Event(Event::CidAlarm(a)) if a.cid.uuid.as_deref() == Some(raised.uuid.as_str()) => {
                    Some((a.cid.code.clone(), a.cid.sub_sys, a.cid.zone_no))
                }
                _ => None,
            })
            .await?;
            let code = code.ok_or("the alarm has no CID code")?;
            Ok((
                (),
                format!(
                    "received CID {} {} from partition {} zone {} (alarm {})",
                    code.code(),
                    code.description().unwrap_or("unknown"),
                    part.unwrap_or(0),
                    zone.unwrap_or(0),
                    raised.uuid
                ),
            ))
        })
        .await?;
        sc.step("heartbeat", async {
            let count = wait_for(&mut alarms, |n| match n {
                Notification::Event(e @ Event::Heartbeat(_)) => Some(e.header().active_post_count),
                _ => None,
            })
            .await?;
            Ok((
                (),
                format!(
                    "heartbeat #{} received (every {} ms here; 10 s on a real gateway, 30 s idle watchdog)",
                    count.unwrap_or(1),
                    DEMO_HEARTBEAT.as_millis()
                ),
            ))
        })
        .await?;
        let device = client.device(panel.clone());
        sc.step("clear alarm", async {
            device.clear_alarm(1).await?;
            let code = wait_cid(&mut alarms, &CidCode::AlarmClearing).await?;
            Ok(((), format!("partition 1 alarm cleared; the panel reported CID {code}")))
        })
        .await?;
        sc.step("arm partition", async {
            device.arm(1, ArmWays::Away).await?;
            let code = wait_cid(&mut alarms, &CidCode::Arming).await?;
            let state = device.partitions().await?.into_iter().find(|p| p.id == 1).and_then(|p| p.arming);
            if state != Some(Arming::Away) {
                return Err(format!("partition 1 reads {state:?} after arming away").into());
            }
            Ok(((), format!("partition 1 armed away; the panel reported CID {code}; status reads away")))
        })
        .await?;
        Ok::<(), Stopped>(())
    };
    let walked = walk.await;
    if walked.is_ok() {
        let _ = sc
            .step("unsubscribe", async {
                let status = alarms.unsubscribe().await?;
                let detail = if status.is_some() { "subscription closed on the gateway" } else { "stream closed" };
                Ok(((), detail.to_owned()))
            })
            .await;
    }
    sim.shutdown().await;
    Ok(sc.finish())
}

/// Polls the alarm stream until `pick` accepts a notification, for at most [`EVENT_WAIT`].
async fn wait_for<T>(
    stream: &mut hikgw::EventStream,
    mut pick: impl FnMut(&hikgw::Notification) -> Option<T>,
) -> Result<T, StepError> {
    let deadline = tokio::time::Instant::now() + EVENT_WAIT;
    loop {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Err(_) => return Err(format!("nothing arrived within {} s", EVENT_WAIT.as_secs()).into()),
            Ok(None) => return Err("the alarm stream ended".into()),
            Ok(Some(Err(e))) => tracing::warn!(error = %e, "alarm stream error"),
            Ok(Some(Ok(n))) => {
                if let Some(t) = pick(&n) {
                    return Ok(t);
                }
            }
        }
    }
}

/// Waits for a CID event with `code` and returns "CODE Description".
async fn wait_cid(stream: &mut hikgw::EventStream, code: &hikgw::CidCode) -> Result<String, StepError> {
    wait_for(stream, |n| match n {
        hikgw::Notification::Event(e) if e.cid_code() == Some(code) => {
            Some(format!("{} {}", code.code(), code.description().unwrap_or("")))
        }
        _ => None,
    })
    .await
}
