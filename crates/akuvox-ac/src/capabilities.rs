//! What a device supports: a capability table by model, firmware band and API version, and a
//! probe that asks the device.
//!
//! The seed documents two API versions (release notes, L136-140): V1.0 (2018) with every module
//! but `user`, and V2.0 (2022) adding the `user` module, and says the API is "Applicable to
//! A01/A02/A03/A05" (L134). It gives no firmware band for either version and no function that
//! one model has and another lacks, so the [default table](CapabilityTable::seed) holds exactly
//! that and nothing more: the four models may call every function, and a V1.0 device has no
//! `user` module. A model the seed does not name (its own `system.info` example says `R29S`,
//! L418) matches no model row, so the table neither allows nor denies it anything beyond the V1/V2
//! split; the device's own answer decides.
//!
//! [`Client::probe`] learns the model and firmware from `system.info`, and whether the device
//! knows each read-only probe function (a device answers a function it does not know with
//! "unsupport action"), which gives the API version. Add or override rows with
//! [`Capabilities::with_rule`] (or load a table from TOML or JSON, [`CapabilityTable`] is
//! `Deserialize`), then [`Client::with_capabilities`]: a denied function fails with a typed
//! [`Error::Unsupported`] naming the model, the firmware and the rule, before anything is sent.
//!
//! A firmware version is compared as dotted numbers (`29.1.1.250`; a missing part counts as 0,
//! so `29.1` = `29.1.0`). A version that does not parse (`V29.1-beta`) is kept raw and matches no
//! firmware band: only rows without a band apply to it.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use watchpost_core::operation::Operation;
use watchpost_core::{Error, Result};

use crate::error::AkuvoxErrorExt as _;
use crate::forms::target_action;
use crate::generated as api;
use crate::Client;

/// A documented version of the HTTP API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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

/// A firmware version as the device reports it (`FirmwareVersion`, L420): the raw text, and
/// its dotted numbers when it parses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirmwareVersion {
    raw: String,
    parts: Option<Vec<u64>>,
}

impl FirmwareVersion {
    /// Parses `raw` (`29.1.1.250`). Never fails: text that is not dotted numbers is kept raw.
    pub fn parse(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let parts = raw.trim().split('.').map(|p| p.parse::<u64>().ok()).collect::<Option<Vec<_>>>();
        FirmwareVersion { raw, parts }
    }

    /// The text the device sent.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The dotted numbers, `None` when the text did not parse.
    pub fn parts(&self) -> Option<&[u64]> {
        self.parts.as_deref()
    }
}

impl fmt::Display for FirmwareVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Compares dotted numbers, a missing part counting as 0.
fn compare(a: &[u64], b: &[u64]) -> Ordering {
    let n = a.len().max(b.len());
    (0..n)
        .map(|i| a.get(i).copied().unwrap_or(0).cmp(&b.get(i).copied().unwrap_or(0)))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// A bound of a firmware band: dotted numbers (`29.1`), checked when the table is built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VersionBound(Vec<u64>);

impl VersionBound {
    /// Parses a bound.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `text` is not dotted numbers.
    pub fn parse(text: &str) -> Result<Self> {
        FirmwareVersion::parse(text).parts.map(VersionBound).ok_or_else(|| {
            Error::invalid_input("akuvox.capabilities", format!("`{text}` is not a dotted firmware version"))
        })
    }
}

impl TryFrom<String> for VersionBound {
    type Error = String;

    fn try_from(text: String) -> std::result::Result<Self, String> {
        VersionBound::parse(&text).map_err(|_| format!("`{text}` is not a dotted firmware version"))
    }
}

impl From<VersionBound> for String {
    fn from(b: VersionBound) -> String {
        b.to_string()
    }
}

impl fmt::Display for VersionBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u64::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

/// One row of a [`CapabilityTable`]: which devices it is about (model pattern, firmware band
/// `[firmware_from, firmware_to)`, API version) and the functions it allows and denies.
///
/// A function is named by its id (`user.add`), its module (`user`) or `*` (all). Within a row,
/// `deny` wins over `allow`; across rows, the last row that names the function wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The name error messages quote (`seed L134: A01/A02/A03/A05`).
    pub name: String,
    /// The model: `*` (any, the default), a name (`A05`, case-insensitive), a prefix with `*`
    /// (`A0*`), or alternatives joined by `|` (`A01|A02`). A device whose model is unknown
    /// matches only `*`.
    #[serde(default = "any_model")]
    pub model: String,
    /// The first firmware version of the band (inclusive); unset: no lower bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware_from: Option<VersionBound>,
    /// The first firmware version after the band (exclusive); unset: no upper bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware_to: Option<VersionBound>,
    /// The API version the row is about; unset: any (known or not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<ApiVersion>,
    /// The functions allowed.
    #[serde(default)]
    pub allow: Vec<String>,
    /// The functions denied.
    #[serde(default)]
    pub deny: Vec<String>,
}

fn any_model() -> String {
    "*".to_owned()
}

impl Rule {
    /// A row about every device (model `*`, no band, any API version) that allows and denies
    /// nothing yet.
    pub fn new(name: impl Into<String>) -> Self {
        Rule {
            name: name.into(),
            model: any_model(),
            firmware_from: None,
            firmware_to: None,
            api: None,
            allow: Vec::new(),
            deny: Vec::new(),
        }
    }

    /// Only devices whose model matches `pattern` (see [`Rule::model`]).
    #[must_use]
    pub fn model(mut self, pattern: impl Into<String>) -> Self {
        self.model = pattern.into();
        self
    }

    /// Only firmware in `[from, to)` (either bound may be `None`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when a bound is not dotted numbers.
    pub fn firmware(mut self, from: Option<&str>, to: Option<&str>) -> Result<Self> {
        self.firmware_from = from.map(VersionBound::parse).transpose()?;
        self.firmware_to = to.map(VersionBound::parse).transpose()?;
        Ok(self)
    }

    /// Only devices speaking `version`.
    #[must_use]
    pub fn api(mut self, version: ApiVersion) -> Self {
        self.api = Some(version);
        self
    }

    /// Allows `function` (an id, a module or `*`).
    #[must_use]
    pub fn allow(mut self, function: impl Into<String>) -> Self {
        self.allow.push(function.into());
        self
    }

    /// Denies `function` (an id, a module or `*`).
    #[must_use]
    pub fn deny(mut self, function: impl Into<String>) -> Self {
        self.deny.push(function.into());
        self
    }

    /// Whether the row is about a device of this model, firmware and API version.
    pub fn applies_to(&self, model: Option<&str>, firmware: Option<&FirmwareVersion>, api: Option<ApiVersion>) -> bool {
        let model_ok = self.model.split('|').map(str::trim).any(|p| match (p, model) {
            ("*", _) => true,
            (_, None) => false,
            (p, Some(m)) => match p.strip_suffix('*') {
                Some(prefix) => {
                    m.len() >= prefix.len() && m.get(..prefix.len()).is_some_and(|h| h.eq_ignore_ascii_case(prefix))
                }
                None => m.trim().eq_ignore_ascii_case(p),
            },
        });
        let banded = self.firmware_from.is_some() || self.firmware_to.is_some();
        let firmware_ok = !banded
            || firmware.and_then(FirmwareVersion::parts).is_some_and(|v| {
                self.firmware_from.as_ref().is_none_or(|f| compare(v, &f.0).is_ge())
                    && self.firmware_to.as_ref().is_none_or(|t| compare(v, &t.0).is_lt())
            });
        let api_ok = self.api.is_none() || self.api == api;
        model_ok && firmware_ok && api_ok
    }

    /// This row's verdict on `op`: `Some(false)` denied, `Some(true)` allowed, `None` not named.
    pub fn verdict(&self, op: &Operation) -> Option<bool> {
        let module = target_action(op).0;
        let names = |list: &[String]| list.iter().any(|f| f == "*" || f == op.id || f == module);
        if names(&self.deny) {
            Some(false)
        } else if names(&self.allow) {
            Some(true)
        } else {
            None
        }
    }
}

/// Rows of [`Rule`]s; see the [module docs](self). `Deserialize` from `{"rule": [...]}` (in TOML,
/// `[[rule]]` tables).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilityTable {
    /// The rows, in order: a later row overrides an earlier one.
    #[serde(default, rename = "rule")]
    pub rules: Vec<Rule>,
}

impl Default for CapabilityTable {
    fn default() -> Self {
        CapabilityTable::seed()
    }
}

/// The name of the seed's model row.
pub const SEED_MODELS_RULE: &str = "seed L134: HTTP API applicable to A01/A02/A03/A05";

/// The name of the seed's API version row.
pub const SEED_V1_RULE: &str = "seed L136-140: the user module came with API V2.0";

impl CapabilityTable {
    /// What the seed documents, nothing more: the four models may call every function
    /// ([`SEED_MODELS_RULE`]), and a V1.0 device has no `user` module ([`SEED_V1_RULE`]).
    /// No firmware band: the seed gives none.
    pub fn seed() -> Self {
        CapabilityTable {
            rules: vec![
                Rule::new(SEED_MODELS_RULE).model("A01|A02|A03|A05").allow("*"),
                Rule::new(SEED_V1_RULE).api(ApiVersion::V1).deny("user"),
            ],
        }
    }

    /// A table without rows (allows and denies nothing).
    pub fn empty() -> Self {
        CapabilityTable { rules: Vec::new() }
    }

    /// Adds a row after the others (it overrides them).
    #[must_use]
    pub fn with_rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Adds the rows of `other` after these.
    #[must_use]
    pub fn extend(mut self, other: CapabilityTable) -> Self {
        self.rules.extend(other.rules);
        self
    }

    /// The last row about this device that names `op`, with its verdict.
    pub fn decide(
        &self,
        op: &Operation,
        model: Option<&str>,
        firmware: Option<&FirmwareVersion>,
        api: Option<ApiVersion>,
    ) -> Option<(bool, &Rule)> {
        self.rules
            .iter()
            .rev()
            .filter(|r| r.applies_to(model, firmware, api))
            .find_map(|r| r.verdict(op).map(|v| (v, r)))
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

/// What is known about a device: its model and firmware, the probe functions it answered or
/// refused ([`Client::probe`]), and the [`CapabilityTable`] that decides the rest.
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
    /// The table (default [`CapabilityTable::seed`]).
    pub table: CapabilityTable,
}

impl Capabilities {
    /// A device known only by its model and firmware (no probe), judged by the seed's table.
    pub fn of_device(model: Option<&str>, firmware: Option<&str>) -> Self {
        Capabilities { model: model.map(str::to_owned), firmware: firmware.map(str::to_owned), ..Default::default() }
    }

    /// The same with `rule` after the table's rows (it overrides them).
    #[must_use]
    pub fn with_rule(mut self, rule: Rule) -> Self {
        self.table.rules.push(rule);
        self
    }

    /// The same with `table` instead of the current one.
    #[must_use]
    pub fn with_table(mut self, table: CapabilityTable) -> Self {
        self.table = table;
        self
    }

    /// The parsed firmware version.
    pub fn firmware_version(&self) -> Option<FirmwareVersion> {
        self.firmware.as_deref().map(FirmwareVersion::parse)
    }

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

    /// The table's verdict on `op` for this device, with the deciding row.
    pub fn decide(&self, op: &Operation) -> Option<(bool, &Rule)> {
        self.table.decide(op, self.model.as_deref(), self.firmware_version().as_ref(), self.api_version())
    }

    /// Whether the device supports `op`: `Some(false)` when the table denies it or the device
    /// refused `op` or the probe of `op`'s module; `Some(true)` when the table allows it or the
    /// device answered `op` or its module's probe; `None` when unknown.
    pub fn supports(&self, op: &Operation) -> Option<bool> {
        let module = target_action(op).0;
        let probed = |set: &BTreeSet<&'static str>| {
            set.contains(op.id) || PROBES.iter().any(|p| set.contains(p.id) && target_action(p).0 == module)
        };
        let table = self.decide(op).map(|(v, _)| v);
        if table == Some(false) || probed(&self.unsupported) {
            Some(false)
        } else if table == Some(true) || probed(&self.supported) {
            Some(true)
        } else {
            None
        }
    }

    /// `Ok` unless the device is known not to support `op`.
    ///
    /// # Errors
    /// [`Error::Unsupported`] naming the device's model, its firmware and why: the table row
    /// that denied `op`, or the device's own refusal during the probe.
    pub fn require(&self, op: &Operation) -> Result<()> {
        if self.supports(op) != Some(false) {
            return Ok(());
        }
        let why = match self.decide(op) {
            Some((false, rule)) => format!("denied by the capability rule `{}`", rule.name),
            _ => "the device answered \"unsupport action\" to the probe".to_owned(),
        };
        Err(Error::Unsupported {
            op: op.id.to_owned(),
            status: None,
            code: None,
            message: Some(format!(
                "{} (firmware {}) does not support {}: {why}",
                self.model.as_deref().unwrap_or("the device"),
                self.firmware.as_deref().unwrap_or("unknown"),
                op.id
            )),
        })
    }
}

impl Client {
    /// Asks the device what it is (`system.info`) and which of the [`PROBES`] it knows. The
    /// result carries the seed's table ([`CapabilityTable::seed`]).
    ///
    /// # Errors
    /// The error of `system.info`, or of a probe that failed for another reason than an
    /// unknown function (a timeout, a rejected password).
    pub async fn probe(&self) -> Result<Capabilities> {
        // The probe asks the device itself, whatever capabilities the client holds.
        let client = self.without_capabilities();
        let info = client.system_info(&api::SystemInfoRequest::new()).await?;
        let status = info.status.unwrap_or_default();
        let mut caps = Capabilities { model: status.model, firmware: status.firmware_version, ..Default::default() };
        for op in PROBES {
            match client.execute(watchpost_core::Request::new(op)).await.and_then(|raw| crate::reply::envelope(&raw)) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(model: &str, firmware: &str, api: Option<ApiVersion>) -> Capabilities {
        let mut c = Capabilities::of_device(Some(model), Some(firmware));
        match api {
            Some(ApiVersion::V2) => {
                c.supported.insert(api::ops::USER_INFO.id);
            }
            Some(ApiVersion::V1) => {
                c.unsupported.insert(api::ops::USER_INFO.id);
            }
            None => {}
        }
        c
    }

    #[test]
    fn firmware_versions_compare_as_dotted_numbers() {
        let v = FirmwareVersion::parse("29.1.1.250");
        assert_eq!(v.parts(), Some(&[29, 1, 1, 250][..]));
        assert_eq!(compare(&[29, 1], &[29, 1, 0]), Ordering::Equal);
        assert_eq!(compare(&[29, 1, 1, 250], &[29, 10]), Ordering::Less);
        let raw = FirmwareVersion::parse("V29.1-beta");
        assert_eq!((raw.parts(), raw.raw()), (None, "V29.1-beta"));
        assert!(VersionBound::parse("29.x").is_err());
    }

    #[test]
    fn the_seed_table_holds_the_four_models_and_the_v1_split_only() {
        let a05 = caps("A05", "29.1.1.250", Some(ApiVersion::V2));
        assert_eq!(a05.decide(&api::ops::USER_ADD).map(|(v, r)| (v, r.name.as_str())), Some((true, SEED_MODELS_RULE)));
        let a01_v1 = caps("a01", "1.0", Some(ApiVersion::V1));
        assert_eq!(a01_v1.decide(&api::ops::USER_ADD).map(|(v, r)| (v, r.name.as_str())), Some((false, SEED_V1_RULE)));
        assert_eq!(a01_v1.supports(&api::ops::RELAY_TRIG), Some(true));
        // A model the seed does not name: no verdict but the V1 split.
        let r29 = caps("R29S", "29.31.101.624", None);
        assert_eq!(r29.decide(&api::ops::RELAY_TRIG), None);
        assert_eq!(r29.supports(&api::ops::RELAY_TRIG), None);
        assert!(CapabilityTable::seed().rules.iter().all(|r| r.firmware_from.is_none() && r.firmware_to.is_none()));
    }

    #[test]
    fn bands_models_and_overrides() {
        let rule = Rule::new("no pcap before 30")
            .model("A0*")
            .firmware(None, Some("30"))
            .unwrap()
            .deny("pcap")
            .deny("relay.trig");
        let old = caps("A03", "29.9.9", None).with_rule(rule.clone());
        let e = old.require(&api::ops::PCAP_START).unwrap_err();
        let message = e.vendor_message().unwrap_or_default().to_owned();
        assert!(
            message.contains("A03") && message.contains("29.9.9") && message.contains("no pcap before 30"),
            "{message}"
        );
        assert!(old.require(&api::ops::RELAY_STATUS).is_ok());
        assert!(old.require(&api::ops::RELAY_TRIG).is_err());
        // At the upper bound, out of the band: the seed's row allows it again.
        assert!(caps("A03", "30.0", None).with_rule(rule.clone()).require(&api::ops::PCAP_START).is_ok());
        // An unparsed version matches no band.
        assert!(caps("A03", "beta", None).with_rule(rule.clone()).require(&api::ops::PCAP_START).is_ok());
        // Another model, and a later row overriding.
        assert!(caps("B01", "29.0", None).with_rule(rule.clone()).require(&api::ops::PCAP_START).is_ok());
        let back = old.with_rule(Rule::new("pcap is fine").allow("pcap.start"));
        assert!(back.require(&api::ops::PCAP_START).is_ok());
    }

    #[test]
    fn a_table_loads_from_toml() {
        let table: CapabilityTable = toml::from_str(
            "[[rule]]\nname = \"old A05\"\nmodel = \"A05\"\nfirmware_to = \"29.2\"\napi = \"V2\"\ndeny = [\"user.scan\"]\n",
        )
        .unwrap();
        assert_eq!(table.rules.first().map(|r| r.name.as_str()), Some("old A05"));
        assert!(toml::from_str::<CapabilityTable>("[[rule]]\nname = \"x\"\nfirmware_to = \"soon\"\n").is_err());
        assert!(toml::from_str::<CapabilityTable>("[[rule]]\nname = \"x\"\nmodels = \"A05\"\n").is_err());
    }
}
