//! The documented limits of sections 3.2-3.17 and 3.37-3.42 on scalar parameters, checked by
//! [`crate::validate::check`] on the wire form of every request before it is sent (typed calls
//! and the CLI's `--param name=value` alike); structured values are checked types of
//! [`input`](super::input).

use serde_json::Value;
use watchpost_core::operation::Request;
use watchpost_core::{Error, Result};

use super::input::{AddressText, DeviceSerial, SiteId, SiteName};

/// Whether `op` is one of the operations these rules cover.
pub(crate) fn covers(op: &str) -> bool {
    op == "installers.search" || op.starts_with("site.") || op.starts_with("arc.")
}

/// Checks that the text member `name`, when present (or when `required`), has `min..=max`
/// characters.
fn length(op: &str, body: &Value, name: &str, required: bool, (min, max): (usize, usize)) -> Result<()> {
    let n = match body.get(name) {
        None | Some(Value::Null) if !required => return Ok(()),
        Some(Value::String(s)) if s.trim().is_empty() => 0,
        Some(Value::String(s)) => s.chars().count(),
        _ => 0,
    };
    if n < min || n > max {
        return Err(Error::invalid_input(op, format!("{name} must have {min} to {max} characters, got {n}")));
    }
    Ok(())
}

/// Checks `req` (its JSON `body` already parsed).
///
/// # Errors
/// [`Error::InvalidInput`] naming the parameter: a site name, address field, site ID or serial out
/// of its documented length, a blank site ID in the path, no site for site/assign, no account for
/// site/customer/cancle, neither event list for the ARC event update.
pub(crate) fn check(req: &Request, body: &Value) -> Result<()> {
    let op = req.op.id;
    let bad = |m: &str| Err(Error::invalid_input(op, m.to_owned()));
    let non_empty = |name: &str| body.get(name).and_then(Value::as_array).is_some_and(|a| !a.is_empty());
    let name_len = (SiteName::MIN_CHARS, SiteName::MAX_CHARS);
    let address_len = (AddressText::MIN_CHARS, AddressText::MAX_CHARS);
    let site_len = (SiteId::MIN_CHARS, SiteId::MAX_CHARS);
    let serial_len = (DeviceSerial::MIN_CHARS, DeviceSerial::MAX_CHARS);
    if req.path_params.iter().any(|(k, v)| *k == "id" && v.trim().is_empty()) {
        return bad("the site id must not be empty");
    }
    if matches!(op, "site.add" | "site.update") {
        length(op, body, "name", true, name_len)?;
        for field in ["siteState", "siteCity", "siteStreet", "location"] {
            length(op, body, field, false, address_len)?;
        }
    }
    let site_id_required = matches!(
        op,
        "site.share"
            | "site.managers"
            | "site.handover.share"
            | "site.customer.list"
            | "site.customer.detail"
            | "site.customer.account.update"
            | "site.customer.devices.update"
            | "site.customer.cancel"
            | "site.health.report"
    );
    if site_id_required || op == "arc.device.list" {
        length(op, body, "siteId", site_id_required, site_len)?;
    }
    if matches!(op, "arc.device.enable" | "arc.device.disable" | "arc.event.type.update" | "arc.account.number.update")
    {
        length(op, body, "deviceSerial", true, serial_len)?;
    }
    match op {
        "site.assign" if !non_empty("siteIds") => bad("siteIds must name at least one site"),
        "site.customer.cancel" if !non_empty("hcAccounts") => bad("hcAccounts must name at least one account"),
        "arc.event.type.update" if body.get("ax2PermissionList").is_none() && body.get("CCTVEventList").is_none() => {
            bad("give ax2PermissionList or CCTVEventList")
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lengths_are_counted_in_characters_and_blank_is_empty() {
        let body = json!({"name": "é".repeat(128), "siteCity": "x".repeat(129), "blank": "  "});
        assert!(length("op", &body, "name", true, (1, 128)).is_ok());
        assert!(length("op", &body, "siteCity", false, (0, 128)).is_err());
        assert!(length("op", &body, "blank", true, (1, 48)).is_err());
        assert!(length("op", &body, "missing", false, (1, 48)).is_ok());
        assert!(length("op", &body, "missing", true, (1, 48)).is_err());
    }
}
