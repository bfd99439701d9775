//! # watchpost
//!
//! One async SDK for the cloud and device APIs of security and IoT vendors, each vendor behind a
//! feature of its own, with faithful in-process simulators to test against.
//!
//! This crate is a thin facade: every vendor crate is re-exported as a module, and a build with
//! one vendor feature compiles nothing of the others.
//!
//! ## Modules
//! - [`core`]: the vendor-neutral machinery ([`watchpost_core`]): the [`Error`] type and its
//!   [`ErrorClass`], operations, transport, auth, retry, rate limiting, stream supervision.
//! - `ezviz` (feature `ezviz`): the EZVIZ open platform ([`ezviz-lapp`](https://docs.rs/ezviz-lapp)).
//! - `hikgw` (feature `hikgw`): the Hikvision Device Gateway, ISAPI
//!   ([`hik-gateway`](https://docs.rs/hik-gateway)), with its supervised alarm stream.
//! - `gizwits` (feature `gizwits`): the Gizwits Enterprise API
//!   ([`gizwits-ent`](https://docs.rs/gizwits-ent)), quota-aware.
//! - `hpp` (feature `hpp`): the Hik-Partner Pro OpenAPI ([`hpp-openapi`](https://docs.rs/hpp-openapi)):
//!   the token's `areaDomain` is the host of every call, alarms come from a message queue.
//! - [`alarm`]: the vendor-neutral [`Alarm`](alarm::Alarm) of every vendor and
//!   [`AlarmMerge`](alarm::AlarmMerge), one stream over several alarm sources.
//! - [`prelude`]: the vendors' error extension traits, imported `as _`.
//!
//! Each vendor module has a `Client` built with `Client::builder()`, one async method per
//! documented operation, an `OPERATIONS` table and, with the `sim` feature, a `sim::Simulator`.
//!
//! ## Building a client
//! Every vendor's client is built the same way:
//!
//! 1. `Client::builder()`, with no arguments;
//! 2. `.base_url(..)`: where the client connects. For the Device Gateway it is the gateway and
//!    required; for Gizwits it defaults to the documented host; for EZVIZ it is the token host
//!    (default `https://open.ezvizlife.com`, or the host of a `Region`), since every other call
//!    goes to the area domain the token names;
//! 3. the vendor's own settings: credentials (`app_key`/`app_secret` or `access_token` for EZVIZ,
//!    `credentials(user, password)` for the gateway, `enterprise(..)` and `product(..)` for
//!    Gizwits), region, page size, `token_refresh_skew` (EZVIZ and Gizwits);
//! 4. the settings every client shares, with the same names on every builder (one
//!    [`ClientConfig`](core::config::ClientConfig) in the core): `transport`, `connect_timeout`,
//!    `attempt_timeout`, `operation_timeout`, `max_body_size`, `retry`, `jitter`,
//!    `rate_limiter`, `clock`, `user_agent`, `serialize_per_device`, or all at once with
//!    `config(ClientConfig)`;
//! 5. `.build()`, which sends nothing.
//!
//! A built client is cheap to clone. `client.customize(|o| ..)` returns a clone whose every call
//! uses per-call [`CallOptions`](core::operation::CallOptions): an operation or attempt timeout,
//! extra headers, retries off.
//!
//! With `serialize_per_device(true)`, calls naming the same device wait for each other (one
//! request in flight per device, every retry included): on by default for EZVIZ, whose devices
//! answer "too many operations" otherwise, off for the gateway and Gizwits.
//!
//! ```
//! # #[cfg(all(feature = "full", feature = "sim"))]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use watchpost::core::config::ClientConfig;
//! use watchpost::core::retry::RetryConfig;
//! use watchpost::{ezviz, gizwits, hikgw};
//!
//! // One configuration for every client of the centre.
//! let shared = ClientConfig::default()
//!     .attempt_timeout(Duration::from_secs(10))
//!     .retry(RetryConfig { max_attempts: 4, ..RetryConfig::default() })
//!     .user_agent("acme-arc/2.1");
//!
//! let ez_sim = ezviz::sim::Simulator::start().await?;
//! let ez = ez_sim.client_builder().config(shared.clone()).build()?;
//!
//! let gw_sim = hikgw::sim::Simulator::start().await?;
//! let gw = hikgw::Client::builder()
//!     .base_url(gw_sim.base_url())
//!     .credentials(gw_sim.username(), gw_sim.password())
//!     .config(shared.clone())
//!     .build()?;
//!
//! let gz_sim = gizwits::sim::Simulator::start().await?;
//! let gz = gizwits::Client::builder()
//!     .base_url(gz_sim.base_url())
//!     .enterprise(gz_sim.enterprise_id(), gz_sim.enterprise_secret())
//!     .config(shared)
//!     .build()?;
//!
//! // A per-call override on a clone; the client itself keeps its settings.
//! let quick = gw.customize(|o| o.operation_timeout(Duration::from_secs(2)).disable_retry());
//! quick.login_check().await?;
//! assert!(gw.call_options().is_empty());
//! # drop((ez, gz));
//! # ez_sim.shutdown().await;
//! # gw_sim.shutdown().await;
//! # gz_sim.shutdown().await;
//! # Ok(())
//! # }
//! # #[cfg(not(all(feature = "full", feature = "sim")))]
//! # fn main() {}
//! ```
//!
//! ## Examples
//!
//! Each example runs against the vendor's simulator (feature `sim`); against a real service,
//! give the builder the service's address and your credentials instead of the simulator's.
//!
//! ### EZVIZ: arm a hub and read its state
//! ```
//! # #[cfg(all(feature = "ezviz", feature = "sim"))]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use watchpost::ezviz::models::DefenceMode;
//! use watchpost::ezviz::requests::{GetDeviceInfoRequest, SetDefenceRequest};
//! use watchpost::ezviz::sim::{fixtures, Simulator};
//!
//! let sim = Simulator::start().await?;
//! // The simulator's builder: `Client::builder().base_url(<token host>).app_key(..).app_secret(..)`.
//! // Every call after the token goes to the token's area domain.
//! let client = sim.client_builder().build()?;
//! client.set_defence(&SetDefenceRequest::new(fixtures::HUB, DefenceMode::Away)).await?;
//! let info = client.get_device_info(&GetDeviceInfoRequest::new(fixtures::HUB)).await?;
//! assert_eq!(info.defence.and_then(|d| d.as_hub()), Some(DefenceMode::Away));
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! # #[cfg(not(all(feature = "ezviz", feature = "sim")))]
//! # fn main() {}
//! ```
//!
//! ### Device Gateway: arm a partition of a security control panel
//! ```
//! # #[cfg(all(feature = "hikgw", feature = "sim"))]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use watchpost::hikgw::models::{ArmWays, Arming};
//! use watchpost::hikgw::sim::Simulator;
//! use watchpost::hikgw::Client;
//!
//! let sim = Simulator::start().await?;
//! // HTTP Digest (or Basic, as the gateway offers); a rejected password is never sent twice.
//! let client = Client::builder().base_url(sim.base_url()).credentials(sim.username(), sim.password()).build()?;
//! let panel_id = sim.device_ids().into_iter().next().ok_or("the simulator has no panel")?;
//! let panel = client.device(panel_id);
//! panel.arm(1, ArmWays::Away).await?;
//! let partitions = panel.partitions().await?;
//! assert_eq!(partitions.iter().find(|p| p.id == 1).and_then(|p| p.arming.clone()), Some(Arming::Away));
//! // Alarms: `client.subscribe(SubscribeDeviceMgmtMsg::all())` is a supervised stream.
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! # #[cfg(not(all(feature = "hikgw", feature = "sim")))]
//! # fn main() {}
//! ```
//!
//! ### Gizwits: list devices and switch one on, within the hourly quota
//! ```
//! # #[cfg(all(feature = "gizwits", feature = "sim"))]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use watchpost::gizwits::models::{Attrs, ControlCommand};
//! use watchpost::gizwits::sim::{fixtures, Simulator};
//! use watchpost::gizwits::{ControlDeviceRequest, SearchDevicesRequest};
//!
//! let sim = Simulator::start().await?;
//! // One token per product key, fetched on first use; one 3600/h quota for the whole client.
//! // The simulator's builder: its base URL, enterprise and both products' credentials, i.e.
//! // `Client::builder().base_url(..).enterprise(..).product(key, secret)`.
//! let client = sim.client_builder().build()?;
//! let devices = client.search_devices(&SearchDevicesRequest::new(fixtures::PRODUCT_KEY)).await?;
//! assert!(devices.objects.iter().any(|d| d.did == fixtures::DEVICE_DID));
//! let on = ControlCommand::attrs(Attrs::new().set("switch", true));
//! client.control_device(&ControlDeviceRequest::new(fixtures::PRODUCT_KEY, fixtures::DEVICE_DID, on)).await?;
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! # #[cfg(not(all(feature = "gizwits", feature = "sim")))]
//! # fn main() {}
//! ```
//!
//! ### Hik-Partner Pro: subscribe to alarms, poll a batch and confirm it
//! ```
//! # #[cfg(all(feature = "hpp", feature = "sim"))]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use watchpost::hpp::models::mq::{FormatType, SubMode, SubType};
//! use watchpost::hpp::requests::{MqMessagesRequest, MqOffsetRequest, MqSubscribeRequest};
//! use watchpost::hpp::sim::Simulator;
//!
//! let sim = Simulator::start().await?;
//! // The simulator's builder: `Client::builder().base_url(<token host>).app_key(..).secret_key(..)`.
//! // Every call after the token goes to the token's `areaDomain`, with `Authorization: Bearer`.
//! let client = sim.client_builder().build()?;
//! client.mq_subscribe(&MqSubscribeRequest::new(SubType::Subscribe, SubMode::All)).await?;
//! sim.push_alarm("Q01728482", FormatType::Json, serde_json::json!({"eventType": "cidEvent"}));
//! let batch = client.mq_messages(&MqMessagesRequest::new()).await?;
//! assert_eq!(batch.list.len(), 1);
//! // Confirm only once the batch is stored: an unconfirmed batch is delivered again.
//! if let Some(id) = batch.batch_id {
//!     client.mq_offset(&MqOffsetRequest::new(id)).await?;
//! }
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! # #[cfg(not(all(feature = "hpp", feature = "sim")))]
//! # fn main() {}
//! ```
//!
//! ## Feature flags
//! No feature is on by default: pick the vendors you use.
//! - `ezviz`: the EZVIZ open platform (`watchpost::ezviz`).
//! - `hikgw`: the Hikvision Device Gateway (`watchpost::hikgw`).
//! - `gizwits`: the Gizwits Enterprise API (`watchpost::gizwits`).
//! - `hpp`: the Hik-Partner Pro OpenAPI (`watchpost::hpp`).
//! - `akuvox`: the Akuvox access control HTTP API (`watchpost::akuvox`).
//! - `sim`: the in-process simulator of each enabled vendor (`watchpost::<vendor>::sim`) and the
//!   core simulator kit (`watchpost::core::sim`).
//! - `full`: every vendor.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]

pub mod alarm;

/// The vendor-neutral machinery under every vendor crate ([`watchpost_core`]).
pub use watchpost_core as core;

#[doc(inline)]
pub use watchpost_core::{Error, ErrorClass, ErrorKind, LockoutInfo, Result};

/// The EZVIZ open platform ([`ezviz_lapp`]): device configuration, arming, schedules.
#[cfg(feature = "ezviz")]
#[cfg_attr(docsrs, doc(cfg(feature = "ezviz")))]
#[doc(inline)]
pub use ezviz_lapp as ezviz;

/// The Hikvision Device Gateway, ISAPI ([`hik_gateway`]): devices, security control panels and
/// the alarm stream.
#[cfg(feature = "hikgw")]
#[cfg_attr(docsrs, doc(cfg(feature = "hikgw")))]
#[doc(inline)]
pub use hik_gateway as hikgw;

/// The Gizwits Enterprise API ([`gizwits_ent`]): devices, data, control and reports within the
/// hourly quota.
#[cfg(feature = "gizwits")]
#[cfg_attr(docsrs, doc(cfg(feature = "gizwits")))]
#[doc(inline)]
pub use gizwits_ent as gizwits;

/// The Hik-Partner Pro OpenAPI ([`hpp_openapi`]): sites, devices, alarms, ISAPI pass-through,
/// OTAP, people and hot spare, with token and area-domain handling.
#[cfg(feature = "hpp")]
#[cfg_attr(docsrs, doc(cfg(feature = "hpp")))]
#[doc(inline)]
pub use hpp_openapi as hpp;

/// The Akuvox access control HTTP API ([`akuvox_ac`]): door phones and access controllers,
/// every function in both request forms, typed entities and configuration keys.
#[cfg(feature = "akuvox")]
#[cfg_attr(docsrs, doc(cfg(feature = "akuvox")))]
#[doc(inline)]
pub use akuvox_ac as akuvox;

/// The extension traits of the enabled vendors, imported `as _` so that their methods (typed
/// vendor codes on [`Error`]) are in scope: `use watchpost::prelude::*;`.
pub mod prelude {
    #[cfg(feature = "akuvox")]
    #[cfg_attr(docsrs, doc(cfg(feature = "akuvox")))]
    pub use akuvox_ac::AkuvoxErrorExt as _;
    #[cfg(feature = "ezviz")]
    #[cfg_attr(docsrs, doc(cfg(feature = "ezviz")))]
    pub use ezviz_lapp::EzvizErrorExt as _;
    #[cfg(feature = "gizwits")]
    #[cfg_attr(docsrs, doc(cfg(feature = "gizwits")))]
    pub use gizwits_ent::GizwitsErrorExt as _;
    #[cfg(feature = "hikgw")]
    #[cfg_attr(docsrs, doc(cfg(feature = "hikgw")))]
    pub use hik_gateway::HikErrorExt as _;
    #[cfg(feature = "hikgw")]
    #[cfg_attr(docsrs, doc(cfg(feature = "hikgw")))]
    pub use hik_gateway::HikStatusExt as _;
    #[cfg(feature = "hpp")]
    #[cfg_attr(docsrs, doc(cfg(feature = "hpp")))]
    pub use hpp_openapi::HppErrorExt as _;
}
