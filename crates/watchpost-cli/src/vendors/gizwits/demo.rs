//! The Gizwits scenario of `watchpost demo`.

use watchpost::gizwits;

use crate::demo::{start_failed, valid_for, Outcome, Scenario, Stopped};
use crate::error::{CliError, CliResult};
use crate::vendors::Vendor;

/// Gizwits: token, device list, data, control within the quota.
pub async fn scenario(vendor: &'static dyn Vendor) -> CliResult<Outcome> {
    use gizwits::models::{Attrs, ControlCommand};
    use gizwits::sim::{fixtures, Simulator};
    use gizwits::{
        AccessTokenRequest, ControlDeviceRequest, DeviceDataRequest, ProductDatapointsRequest, SearchDevicesRequest,
    };

    let sim = Simulator::start().await.map_err(|e| start_failed(vendor, &e))?;
    let mut sc = Scenario::new(vendor, 4, &format!("Enterprise API simulator at {}", sim.base_url()));
    let pk = fixtures::PRODUCT_KEY;
    let did = fixtures::DEVICE_DID;
    let client = gizwits::Client::builder()
        .base_url(sim.base_url())
        .enterprise(sim.enterprise_id(), sim.enterprise_secret())
        .product(pk, fixtures::PRODUCT_SECRET)
        .build()
        .map_err(|e| CliError::vendor(vendor, &e))?;

    let walk = async {
        sc.step("token", async {
            let req =
                AccessTokenRequest::new(pk, sim.enterprise_id(), sim.enterprise_secret(), fixtures::PRODUCT_SECRET);
            let token = client.access_token(&req).await?;
            let days = token
                .expires_at()
                .and_then(|at| at.checked_sub(client.clock().unix_now()))
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
