//! What a device supports: the functions of each documented API version, and a probe that asks
//! the device.
//!
//! The seed documents two API versions (release notes, L136-140): V1.0 (2018) with every module
//! but `user`, and V2.0 (2022) adding the `user` module. It names the models (A01, A02, A03,
//! A05) but no firmware band per version, so the band is learned by [`Client::probe`]: the
//! device's model and firmware from `system.info`, and whether it knows each read-only probe
//! function (a device answers a function it does not know with "unsupport action").
//! [`Capabilities::require`] then fails a call the device cannot answer with a typed
//! [`Error::Unsupported`] before anything is sent.

use std::collections::BTreeSet;

use watchpost_core::operation::Operation;
use watchpost_core::{Error, Result};

use crate::error::AkuvoxErrorExt as _;
use crate::forms::target_action;
use crate::generated as api;
use crate::Client;

/// A documented version of the HTTP API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ApiVersion {
    /// V1.0 (2018-12-13): system, firmware, config, relay, input, publiccode, privatekey, rfkey,
    /// contact, group, call, sip, dialreplace, log, calllog, doorlog, pcap.
    V1,
    /// V2.0 (2022-02-28): V1.0 and the `user` module.
    V2,
}

impl ApiVersion {
    /// The version that introduced `op`'s module.
    pub fn introducing(op: &Operation) -> ApiVersion {
        match target_action(op).0 {
            "user" => ApiVersion::V2,
            _ => ApiVersion::V1,
        }
    }
}

/// The read-only functions [`Client::probe`] calls, one per module that has one.
pub const PROBES: &[&Operation] = &[
    &api::ops::FIRMWARE_STATUS,
    &api::ops::RELAY_STATUS,
    &api::ops::INPUT_STATUS,
    &api::ops::CALL_STATUS,
    &api::ops::SIP_STATUS,
    &api::ops::PCAP_STATUS,
    &api::ops::USER_INFO,
];

/// What [`Client::probe`] learned about a device.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// The model (`R29S`).
    pub model: Option<String>,
    /// The firmware version.
    pub firmware: Option<String>,
    /// The probe functions the device answered.
    pub supported: BTreeSet<&'static str>,
    /// The probe functions the device answered "unsupport action".
    pub unsupported: BTreeSet<&'static str>,
}

impl Capabilities {
    /// The API version the device speaks: V2 when it answers `user.info`, V1 when it refused it,
    /// `None` when the probe did not ask.
    pub fn api_version(&self) -> Option<ApiVersion> {
        let id = api::ops::USER_INFO.id;
        if self.supported.contains(id) {
            Some(ApiVersion::V2)
        } else if self.unsupported.contains(id) {
            Some(ApiVersion::V1)
        } else {
            None
        }
    }

    /// Whether the device supports `op`: `Some(false)` when it refused `op` or the probe of
    /// `op`'s module, or `op` belongs to a later API version than the device's; `Some(true)`
    /// when it answered `op` or its module's probe; `None` when unknown.
    pub fn supports(&self, op: &Operation) -> Option<bool> {
        let module = target_action(op).0;
        let probed = |set: &BTreeSet<&'static str>| {
            set.contains(op.id) || PROBES.iter().any(|p| set.contains(p.id) && target_action(p).0 == module)
        };
        if probed(&self.unsupported) || self.api_version().is_some_and(|v| ApiVersion::introducing(op) > v) {
            Some(false)
        } else if probed(&self.supported) {
            Some(true)
        } else {
            None
        }
    }

    /// `Ok` unless the device is known not to support `op`.
    ///
    /// # Errors
    /// [`Error::Unsupported`] naming the device's model and firmware.
    pub fn require(&self, op: &Operation) -> Result<()> {
        if self.supports(op) != Some(false) {
            return Ok(());
        }
        Err(Error::Unsupported {
            op: op.id.to_owned(),
            status: None,
            code: None,
            message: Some(format!(
                "{} (firmware {}) does not support {}",
                self.model.as_deref().unwrap_or("the device"),
                self.firmware.as_deref().unwrap_or("unknown"),
                op.id
            )),
        })
    }
}

impl Client {
    /// Asks the device what it is (`system.info`) and which of the [`PROBES`] it knows.
    ///
    /// # Errors
    /// The error of `system.info`, or of a probe that failed for another reason than an
    /// unknown function (a timeout, a rejected password).
    pub async fn probe(&self) -> Result<Capabilities> {
        let info = self.system_info(&api::SystemInfoRequest::new()).await?;
        let status = info.status.unwrap_or_default();
        let mut caps = Capabilities { model: status.model, firmware: status.firmware_version, ..Default::default() };
        for op in PROBES {
            match self.execute(watchpost_core::Request::new(op)).await.and_then(|raw| crate::reply::envelope(&raw)) {
                Ok(_) => {
                    caps.supported.insert(op.id);
                }
                Err(e) if e.is_unsupported_action() => {
                    caps.unsupported.insert(op.id);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(caps)
    }
}
