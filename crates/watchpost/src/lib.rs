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
//! - [`prelude`]: the vendors' error extension traits, imported `as _`.
//!
//! Each vendor module has a `Client` built with `Client::builder()`, one async method per
//! documented operation, an `OPERATIONS` table and, with the `sim` feature, a `sim::Simulator`.
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
//! use watchpost::ezviz::Client;
//!
//! let sim = Simulator::start().await?;
//! // The token host defaults to https://open.ezvizlife.com; every later call goes to the
//! // token's area domain.
//! let client = Client::builder()
//!     .app_key(sim.app_key())
//!     .app_secret(sim.app_secret())
//!     .token_host(sim.base_url())
//!     .build()?;
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
//! let client = Client::builder(sim.base_url()).credentials(sim.username(), sim.password()).build()?;
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
//! use watchpost::gizwits::{Client, ControlDeviceRequest, SearchDevicesRequest};
//!
//! let sim = Simulator::start().await?;
//! // One token per product key, fetched on first use; one 3600/h quota for the whole client.
//! let client = Client::builder()
//!     .base_url(sim.base_url())
//!     .enterprise(sim.enterprise_id(), sim.enterprise_secret())
//!     .product(fixtures::PRODUCT_KEY, fixtures::PRODUCT_SECRET)
//!     .build()?;
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
//! ## Feature flags
//! No feature is on by default: pick the vendors you use.
//! - `ezviz`: the EZVIZ open platform (`watchpost::ezviz`).
//! - `hikgw`: the Hikvision Device Gateway (`watchpost::hikgw`).
//! - `gizwits`: the Gizwits Enterprise API (`watchpost::gizwits`).
//! - `sim`: the in-process simulator of each enabled vendor (`watchpost::<vendor>::sim`) and the
//!   core simulator kit (`watchpost::core::sim`).
//! - `full`: every vendor.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]

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

/// The extension traits of the enabled vendors, imported `as _` so that their methods (typed
/// vendor codes on [`Error`]) are in scope: `use watchpost::prelude::*;`.
pub mod prelude {
    #[cfg(feature = "ezviz")]
    #[cfg_attr(docsrs, doc(cfg(feature = "ezviz")))]
    pub use ezviz_lapp::EzvizErrorExt as _;
    #[cfg(feature = "gizwits")]
    #[cfg_attr(docsrs, doc(cfg(feature = "gizwits")))]
    pub use gizwits_ent::GizwitsErrorExt as _;
    #[cfg(feature = "hikgw")]
    #[cfg_attr(docsrs, doc(cfg(feature = "hikgw")))]
    pub use hik_gateway::HikErrorExt as _;
    pub use hik_gateway::HikStatusExt as _;
}
