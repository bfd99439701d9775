//! The checks of sections 3.2-3.17 and 3.37-3.42 that a value type cannot carry, run by
//! [`crate::validate::check`] on the wire form of the request before it is sent.

use serde_json::Value;
use watchpost_core::operation::Request;
use watchpost_core::{Error, Result};

/// Whether `op` is one of the operations these rules cover.
pub(crate) fn covers(op: &str) -> bool {
    matches!(
        op,
        "site.delete"
            | "site.update"
            | "site.share.cancel"
            | "arc.site.info"
            | "site.assign"
            | "site.customer.cancel"
            | "arc.event.type.update"
    )
}

/// Checks `req` (its JSON `body` already parsed).
///
/// # Errors
/// [`Error::InvalidInput`] naming the parameter: a blank site ID in the path, no site for
/// site/assign, no account for site/customer/cancle, neither event list for the ARC event update.
pub(crate) fn check(req: &Request, body: &Value) -> Result<()> {
    let op = req.op.id;
    let bad = |m: &str| Err(Error::invalid_input(op, m.to_owned()));
    let non_empty = |name: &str| body.get(name).and_then(Value::as_array).is_some_and(|a| !a.is_empty());
    match op {
        "site.delete" | "site.update" | "site.share.cancel" | "arc.site.info" => {
            let id = req.path_params.iter().find(|(k, _)| *k == "id").map(|(_, v)| v.trim());
            if id.is_none_or(str::is_empty) {
                return bad("the site id must not be empty");
            }
        }
        "site.assign" if !non_empty("siteIds") => return bad("siteIds must name at least one site"),
        "site.customer.cancel" if !non_empty("hcAccounts") => return bad("hcAccounts must name at least one account"),
        "arc.event.type.update" if body.get("ax2PermissionList").is_none() && body.get("CCTVEventList").is_none() => {
            return bad("give ax2PermissionList or CCTVEventList");
        }
        _ => {}
    }
    Ok(())
}
