//! The Akuvox scenario of `watchpost demo`.

use watchpost::akuvox;

use crate::demo::{start_failed, Outcome, Scenario, Stopped};
use crate::error::{CliError, CliResult};
use crate::vendors::Vendor;

/// Akuvox: a Digest-protected door phone: probe, open a door, enrol a card, the door log.
pub async fn scenario(vendor: &'static dyn Vendor) -> CliResult<Outcome> {
    use akuvox::models::{Door, RfKey};
    use akuvox::sim::{SimAuth, Simulator};
    use akuvox::{DoorlogGetRequest, RelayStatusRequest, RelayTrigRequest, RfkeyAddRequest};

    let sim = Simulator::builder().auth(SimAuth::digest()).start().await.map_err(|e| start_failed(vendor, &e))?;
    let mut sc = Scenario::new(vendor, 4, &format!("door phone simulator at {} (Digest)", sim.base_url()));
    let client = sim.client_builder().build().map_err(|e| CliError::vendor(vendor, &e))?;

    let walk = async {
        sc.step("probe", async {
            let caps = client.probe().await?;
            let version = caps.api_version().map_or_else(|| "unknown".to_owned(), |v| format!("{v:?}"));
            Ok((
                (),
                format!(
                    "{} firmware {}, API {version}, Digest MD5 with qop auth/auth-int",
                    caps.model.as_deref().unwrap_or("?"),
                    caps.firmware.as_deref().unwrap_or("?")
                ),
            ))
        })
        .await?;
        sc.step("open door B", async {
            client.relay_trig(&RelayTrigRequest::new(0, 2).delay(5)).await?;
            let status = client.relay_status(&RelayStatusRequest::new()).await?;
            if status.get(Door::B) != Some(1) {
                return Err("relay B did not open".into());
            }
            Ok(((), "relay B open for 5 s (POST envelope {target, action, data})".to_owned()))
        })
        .await?;
        sc.step("enrol a card", async {
            let card = RfKey::new("Night guard", "0AB1C2D3", &[Door::A]);
            let out = client.rfkey_add(&RfkeyAddRequest::new(vec![card])).await?;
            let id = out.item.first().and_then(|o| o.id.clone()).ok_or("no ID assigned")?;
            if out.failures().count() > 0 {
                return Err("the device refused the card".into());
            }
            let opened = sim.swipe_card("0AB1C2D3");
            Ok((
                (),
                format!(
                    "card 0AB1C2D3 enrolled as ID {id} for door A; swiped at the reader: {}",
                    if opened { "opened" } else { "refused" }
                ),
            ))
        })
        .await?;
        sc.step("door log", async {
            let log = client.doorlog_get(&DoorlogGetRequest::new()).await?;
            let cards = log.item.iter().filter(|e| e.open_type.as_deref() == Some("Card")).count();
            Ok(((), format!("{} entries, {cards} by card, the relay trigger included", log.item.len())))
        })
        .await?;
        Ok::<(), Stopped>(())
    };
    let _ = walk.await;
    sim.shutdown().await;
    Ok(sc.finish())
}
