//! `watchpost demo`: every vendor's simulator started in-process and a realistic scenario walked
//! against each, with a line per step and a summary table.

use std::future::Future;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use watchpost::core::auth::Auth;
use watchpost::{ezviz, gizwits, hikgw};

use crate::error::{CliError, CliResult};
use crate::vendor::Vendor;

/// The gateway simulator's heartbeat interval in the demo (the real default is 10 s).
const DEMO_HEARTBEAT: Duration = Duration::from_millis(500);

/// The longest the demo waits for one event of the alarm stream.
const EVENT_WAIT: Duration = Duration::from_secs(5);

/// Why a step failed (already formatted for the step's line).
struct StepError(String);

impl From<watchpost::Error> for StepError {
    fn from(e: watchpost::Error) -> Self {
        StepError(e.report().to_string())
    }
}

impl From<std::io::Error> for StepError {
    fn from(e: std::io::Error) -> Self {
        StepError(e.to_string())
    }
}

impl From<String> for StepError {
    fn from(s: String) -> Self {
        StepError(s)
    }
}

impl From<&str> for StepError {
    fn from(s: &str) -> Self {
        StepError(s.to_owned())
    }
}

type Step<T> = Result<(T, String), StepError>;

/// A scenario stopped at a failed step (the step already printed why).
struct Stopped;

/// The progress of one vendor's scenario.
struct Scenario {
    vendor: Vendor,
    started: Instant,
    steps: usize,
    ok: usize,
    failure: Option<String>,
}

/// One line of the summary table.
struct Outcome {
    vendor: Vendor,
    steps: usize,
    ok: usize,
    duration: Duration,
    failure: Option<String>,
}

impl Scenario {
    fn new(vendor: Vendor, steps: usize, what: &str) -> Self {
        say!("{} ({what})", vendor.title());
        Scenario { vendor, started: Instant::now(), steps, ok: 0, failure: None }
    }

    /// Runs one step, printing `[ok] label  detail (time)` or `[FAIL] label  error`.
    async fn step<T>(&mut self, label: &str, fut: impl Future<Output = Step<T>>) -> Result<T, Stopped> {
        let t = Instant::now();
        match fut.await {
            Ok((value, detail)) => {
                self.ok += 1;
                say!("  [ok]   {label:<13} {detail} ({})", ms(t.elapsed()));
                Ok(value)
            }
            Err(StepError(e)) => {
                say!("  [FAIL] {label:<13} {e}");
                self.failure = Some(format!("{label}: {e}"));
                Err(Stopped)
            }
        }
    }

    fn finish(self) -> Outcome {
        let duration = self.started.elapsed();
        let result = if self.failure.is_none() && self.ok == self.steps { "ok" } else { "FAILED" };
        say!("  {}: {}/{} steps {result} in {}", self.vendor.title(), self.ok, self.steps, secs(duration));
        say!();
        Outcome { vendor: self.vendor, steps: self.steps, ok: self.ok, duration, failure: self.failure }
    }
}

fn ms(d: Duration) -> String {
    format!("{} ms", d.as_millis())
}

/// "valid N days" (rounded: a token of 7 days is a few seconds younger when it is shown).
fn valid_for(d: Duration) -> String {
    format!("valid {} days", (d.as_secs() + 43_200) / 86_400)
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// Runs the scenarios of `vendors` (every vendor when empty) and prints the summary.
///
/// # Errors
/// A failure (exit code 1) when a simulator cannot start or a step fails.
pub async fn run(vendors: &[Vendor]) -> CliResult<()> {
    let vendors: Vec<Vendor> = if vendors.is_empty() { Vendor::ALL.to_vec() } else { vendors.to_vec() };
    let started = Instant::now();
    say!("watchpost demo: each vendor's API simulated in-process on 127.0.0.1, driven through the watchpost clients");
    say!();
    let mut outcomes = Vec::new();
    for vendor in vendors {
        let outcome = match vendor {
            Vendor::Ezviz => ezviz_scenario().await?,
            Vendor::Hikgw => hikgw_scenario().await?,
            Vendor::Gizwits => gizwits_scenario().await?,
        };
        outcomes.push(outcome);
    }
    say!("Summary");
    say!("{:<16}  {:<6}  {:<6}  {}", "vendor", "steps", "result", "duration");
    for o in &outcomes {
        let result = if o.failure.is_none() && o.ok == o.steps { "ok" } else { "FAILED" };
        say!("{:<16}  {:<6}  {:<6}  {}", o.vendor.title(), format!("{}/{}", o.ok, o.steps), result, secs(o.duration));
    }
    let failed: Vec<String> =
        outcomes.iter().filter_map(|o| o.failure.as_ref().map(|f| format!("{} {f}", o.vendor.title()))).collect();
    if failed.is_empty() {
        say!();
        say!("All {} scenarios passed in {}.", outcomes.len(), secs(started.elapsed()));
        Ok(())
    } else {
        Err(CliError::failure(format!("the demo failed: {}", failed.join("; ")))
            .hint("run with -v to see the requests; please report it if it persists"))
    }
}

fn start_failed(vendor: Vendor, e: std::io::Error) -> CliError {
    CliError::failure(format!("cannot start the {} simulator: {e}", vendor.title()))
}

/// EZVIZ: token, device information, arm and disarm a hub, an arming schedule.
async fn ezviz_scenario() -> CliResult<Outcome> {
    use ezviz::models::{DefenceMode, ScheduleTime, Weekday, Weekdays};
    use ezviz::requests::{GetDefencePlanRequest, GetDeviceInfoRequest, SetDefencePlanRequest, SetDefenceRequest};
    use ezviz::sim::{fixtures, Simulator};

    let sim = Simulator::start().await.map_err(|e| start_failed(Vendor::Ezviz, e))?;
    let mut sc = Scenario::new(Vendor::Ezviz, 5, &format!("open platform simulator, token host {}", sim.base_url()));
    let client = ezviz::Client::builder()
        .app_key(sim.app_key())
        .app_secret(sim.app_secret())
        .token_host(sim.base_url())
        .build()
        .map_err(|e| CliError::vendor(Vendor::Ezviz, &e))?;
    let hub = fixtures::HUB;
    let info = |serial: &'static str| {
        let client = client.clone();
        async move { client.get_device_info(&GetDeviceInfoRequest::new(serial, Default::default())).await }
    };

    let walk = async {
        sc.step("token", async {
            let Auth::Token(auth) = client.pipeline().auth() else {
                return Err("the client has no token provider".into());
            };
            let (token, _) = auth.provider.get().await?;
            let valid = token
                .expires_at
                .and_then(|at| at.checked_sub(watchpost::core::clock::unix_now()))
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

/// Device Gateway: authenticate, add a panel, subscribe, receive a CID alarm and a heartbeat,
/// clear the alarm and arm a partition, unsubscribe.
async fn hikgw_scenario() -> CliResult<Outcome> {
    use hikgw::models::{ArmWays, Arming, DeviceIn, DeviceInListMsg, SubscribeDeviceMgmtMsg};
    use hikgw::sim::{SimConfig, Simulator};
    use hikgw::{AddDevicesRequest, CidCode, Event, Notification};

    let sim = Simulator::start_with(SimConfig::default().heartbeat_interval(DEMO_HEARTBEAT))
        .await
        .map_err(|e| start_failed(Vendor::Hikgw, e))?;
    let mut sc = Scenario::new(Vendor::Hikgw, 8, &format!("ISAPI gateway simulator at {}", sim.base_url()));
    let client = hikgw::Client::builder(sim.base_url())
        .credentials(sim.username(), sim.password())
        .build()
        .map_err(|e| CliError::vendor(Vendor::Hikgw, &e))?;
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

/// Gizwits: token, device list, data, control within the quota.
async fn gizwits_scenario() -> CliResult<Outcome> {
    use gizwits::models::{Attrs, ControlCommand};
    use gizwits::sim::{fixtures, Simulator};
    use gizwits::{
        AccessTokenRequest, ControlDeviceRequest, DeviceDataRequest, ProductDatapointsRequest, SearchDevicesRequest,
    };

    let sim = Simulator::start().await.map_err(|e| start_failed(Vendor::Gizwits, e))?;
    let mut sc = Scenario::new(Vendor::Gizwits, 4, &format!("Enterprise API simulator at {}", sim.base_url()));
    let pk = fixtures::PRODUCT_KEY;
    let did = fixtures::DEVICE_DID;
    let client = gizwits::Client::builder()
        .base_url(sim.base_url())
        .enterprise(sim.enterprise_id(), sim.enterprise_secret())
        .product(pk, fixtures::PRODUCT_SECRET)
        .build()
        .map_err(|e| CliError::vendor(Vendor::Gizwits, &e))?;

    let walk = async {
        sc.step("token", async {
            let req =
                AccessTokenRequest::new(pk, sim.enterprise_id(), sim.enterprise_secret(), fixtures::PRODUCT_SECRET);
            let token = client.access_token(&req).await?;
            let days = token
                .expires_at()
                .and_then(|at| at.checked_sub(watchpost::core::clock::unix_now()))
                .map_or_else(|| "no expiry given".to_owned(), valid_for);
            Ok(((), format!("product token issued for {pk} ({days}); the client keeps one per product")))
        })
        .await?;
        sc.step("list devices", async {
            let page = client.search_devices(&SearchDevicesRequest::new(pk)).await?;
            let online = page.objects.iter().filter(|d| d.is_online == Some(true)).count();
            let total = page.meta.total.unwrap_or(page.objects.len() as u64);
            if !page.objects.iter().any(|d| d.did == did) {
                return Err(format!("device {did} is not listed").into());
            }
            Ok(((), format!("{total} devices of product {pk}, {online} online, including {did}")))
        })
        .await?;
        sc.step("read data", async {
            let points = client.product_datapoints(&ProductDatapointsRequest::new(pk)).await?;
            let page = client.device_data(&DeviceDataRequest::new(pk, did)).await?;
            let latest = page.objects.iter().max_by_key(|r| r.ts.since_epoch()).ok_or("no data reported")?;
            let wanted = ["switch", "mode", "set_temp", "room_temp"];
            let mut keys: Vec<&String> = latest.attrs.keys().filter(|k| wanted.contains(&k.as_str())).collect();
            if keys.is_empty() {
                keys = latest.attrs.keys().take(4).collect();
            }
            let values: Vec<String> = keys
                .into_iter()
                .filter_map(|k| latest.value(k, Some(&points)).map(|v| format!("{k}={}", attr_text(&v))))
                .collect();
            Ok(((), format!("{} records of {did}; latest: {}", page.objects.len(), values.join(", "))))
        })
        .await?;
        sc.step("control", async {
            let cmd = ControlCommand::attrs(Attrs::new().set("switch", true).set("set_temp", 24));
            client.control_device(&ControlDeviceRequest::new(pk, did, cmd)).await?;
            let quota = sim.quota();
            Ok((
                (),
                format!(
                    "{did} switched on at 24 °C (attrs checked against the data points first); quota used {} of 3600 this hour",
                    quota.used()
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

fn attr_text(v: &gizwits::models::AttrValue) -> String {
    use gizwits::models::AttrValue;
    match v {
        AttrValue::Bool(b) => b.to_string(),
        AttrValue::Int(i) => i.to_string(),
        AttrValue::Float(f) => f.to_string(),
        AttrValue::Text(s) => s.clone(),
        AttrValue::Binary(b) => format!("{} bytes", b.len()),
        AttrValue::Json(j) => j.to_string(),
    }
}
