//! The Hik-Partner Pro scenario of `watchpost demo`.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{json, Value};
use watchpost::alarm::{AlarmSource, Category, Media};
use watchpost::core::supervise::ConnectionState;
use watchpost::hpp;
use watchpost::hpp::consumer::{Alarms, Consumer, ConsumerConfig, ALARM_VENDOR};
use watchpost::hpp::models::mq::FormatType;
use watchpost::hpp::pictures::{Encryption, PictureRef};
use watchpost::hpp::sim::{SimEncryption, Simulator};

use crate::demo::{start_failed, Outcome, Scenario, StepError, Stopped};
use crate::error::CliResult;
use crate::vendors::Vendor;

/// The simulated panel of the scenario (registered in the simulator, verification code below).
const PANEL: &str = "Q01728482";
/// The panel's verification code (the label on the device).
const PANEL_CODE: &str = "ABCDEF";
/// The site the scenario creates.
const SITE: &str = "watchpost demo site";
/// How long the alarm steps wait for the queue (the simulator answers in milliseconds).
const QUEUE_BOUND: Duration = Duration::from_secs(15);

/// A 1x1 grey baseline JPEG (159 bytes): the picture of the video verification event.
fn pixel_jpeg() -> Vec<u8> {
    let mut jpeg = vec![0xFF, 0xD8];
    // APP0 JFIF 1.1, no thumbnail.
    jpeg.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
    // One quantisation table of ones.
    jpeg.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x43, 0x00]);
    jpeg.extend_from_slice(&[1; 64]);
    // Baseline frame: 8 bits, 1x1, one component.
    jpeg.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00]);
    // DC and AC Huffman tables with one code each.
    for class in [0x00, 0x10] {
        jpeg.extend_from_slice(&[0xFF, 0xC4, 0x00, 0x14, class, 0x01]);
        jpeg.extend_from_slice(&[0; 15]);
        jpeg.push(0x00);
    }
    // Scan, its data and the end of image.
    jpeg.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x3F, 0xFF, 0xD9]);
    jpeg
}

/// The `Linkage` (video verification) event of the panel, its one picture at `picture_url`.
fn linkage_event(picture_url: &str) -> Value {
    let data = json!({
        "deviceSerial": PANEL,
        "triggerTime": "2024-05-08T12:48:17",
        "eventType": "Linkage",
        "eventDescription": "video verification of the demo alarm",
        "pictureList": [{"id": format!("20240508124817-{PANEL}-0-40002-2-1"), "url": picture_url}],
        "media": 1,
        "relationId": "5c09bee8-0d44-11eb-b416-4308bd0ace10",
    });
    Value::String(data.to_string())
}

/// Waits until the consumer behind `alarms` is connected (subscribed and polling).
async fn connected(alarms: &Alarms) -> Result<(), StepError> {
    let mut state = alarms.handle().state();
    let wait = async { state.wait_for(|s| *s == ConnectionState::Connected).await.map(|_| ()) };
    let waited = tokio::time::timeout(QUEUE_BOUND, wait).await;
    match waited {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err("the consumer stopped before it connected".into()),
        Err(_) => Err(format!("the consumer did not connect within {QUEUE_BOUND:?}").into()),
    }
}

/// Waits until the simulator confirmed more than `before` batches.
async fn committed(sim: &Simulator, before: u64) -> Result<u64, StepError> {
    let started = Instant::now();
    while started.elapsed() < QUEUE_BOUND {
        let now = sim.batches_confirmed();
        if now > before {
            return Ok(now);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(format!("the acknowledged batch was not committed (mq/offset) within {QUEUE_BOUND:?}").into())
}

/// Stops the consumer behind `alarms` and lets it finish.
async fn stop(mut alarms: Alarms) {
    alarms.handle().shutdown();
    let drain = async { while alarms.next().await.is_some() {} };
    if tokio::time::timeout(QUEUE_BOUND, drain).await.is_err() {
        tracing::warn!("the demo's consumer did not stop in time");
    }
}

/// Hik-Partner Pro: token, add a site and the panel to it, then the panel through the ISAPI
/// pass-through (arm, read back, disarm) and an OTAP property; then a video verification event
/// through the alarm queue (typed, acknowledged, its batch committed) and its platform-encrypted
/// picture, fetched and decrypted.
pub async fn scenario(vendor: &'static dyn Vendor) -> CliResult<Outcome> {
    use hpp::models::devices::{DeviceSerial, NewDevice, NewDevices, ValidateCode};
    use hpp::models::isapi::a4;
    use hpp::models::isapi::shared::{ArmWays, Arming};
    use hpp::models::otap::Address;

    let sim = Simulator::start().await.map_err(|e| start_failed(vendor, &e))?;
    // The panel's ISAPI and OTAP side (what the device answers once it is on the platform).
    sim.add_isapi_device(PANEL);
    sim.add_otap_device(PANEL);
    let mut sc =
        Scenario::new(vendor, 8, &format!("token host at {}, area host at {}", sim.base_url(), sim.area_domain()));
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
        let jpeg = pixel_jpeg();
        let picture_url = sc
            .step("alarm", async {
                let path = sim.encrypted_picture(PANEL, &jpeg, &SimEncryption::Platform);
                let source = AlarmSource::new(ALARM_VENDOR, hpp::sim::fixtures::APP_KEY);
                let mut alarms = Consumer::new(&client, ConsumerConfig::default()).alarms(source);
                let outcome = async {
                    connected(&alarms).await?;
                    let before = sim.batches_confirmed();
                    if !sim.push_alarm(PANEL, FormatType::Json, linkage_event(&path)) {
                        return Err(StepError::from("the simulator did not queue the Linkage event"));
                    }
                    let delivery = match tokio::time::timeout(QUEUE_BOUND, alarms.next()).await {
                        Ok(Some(Ok(d))) => d,
                        Ok(Some(Err(e))) => return Err(e.into()),
                        Ok(None) => return Err("the alarm stream ended".into()),
                        Err(_) => return Err(format!("no alarm within {QUEUE_BOUND:?}").into()),
                    };
                    let alarm = delivery.ack();
                    if alarm.category != Category::VideoVerification {
                        return Err(format!("the Linkage event was read as {:?}", alarm.category).into());
                    }
                    let url = alarm
                        .media
                        .iter()
                        .find_map(|m| match m {
                            Media::Picture { url } => Some(url.clone()),
                            _ => None,
                        })
                        .ok_or("the video verification alarm carries no picture")?;
                    let batches = committed(&sim, before).await?;
                    let category = serde_json::to_value(alarm.category)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    Ok((
                        url,
                        format!(
                            "Linkage event of {} consumed as a {category} alarm ({} picture); acknowledged, batch committed ({batches} confirmed)",
                            alarm.device_id,
                            alarm.media.len()
                        ),
                    ))
                }
                .await;
                stop(alarms).await;
                outcome
            })
            .await?;
        sc.step("picture", async {
            let picture = PictureRef::parse(&picture_url).map_err(|e| format!("the picture URL does not parse: {e}"))?;
            if !matches!(picture.encryption(), Encryption::Platform { .. }) {
                return Err(format!("the picture is not platform-encrypted: {:?}", picture.encryption()).into());
            }
            let pictures = client.fetch_alarm_picture(&picture, None).await?;
            let [decrypted] = pictures.as_slice() else {
                return Err(format!("{} pictures where one was sent", pictures.len()).into());
            };
            if !decrypted.starts_with(&[0xFF, 0xD8, 0xFF]) {
                return Err("the decrypted picture does not start with the JPEG magic FF D8 FF".into());
            }
            if *decrypted != jpeg {
                return Err("the decrypted picture differs from the one the device sent".into());
            }
            Ok((
                (),
                format!(
                    "platform-encrypted picture resolved through alarm/pictureurl, downloaded and decrypted: a {}-byte JPEG (FF D8 FF), as sent",
                    decrypted.len()
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
