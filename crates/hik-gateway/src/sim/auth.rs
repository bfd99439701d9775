//! The auth middleware: Digest and/or Basic, with the lock-out members of the seed's bodies.

use std::time::Duration;

use http::header::WWW_AUTHENTICATE;
use serde_json::json;
use watchpost_core::sim::{BasicOutcome, BasicServer, DigestOutcome, DigestServer, SimRequest, SimResponse};

use super::{SimAuth, SimConfig};
use crate::error::SubStatus;
use crate::models::{AuthLockStatus, ResponseStatus};

/// The 401 document of a failed authentication (9.24), or `JSON_UserCheck` (9.33) for the
/// login check. A rejection (`retries_left` set) carries every lock-out member the seed
/// documents, locked or not: 9.24 `lockStatus`, `retryTimes`, `resLockTime` (as in the seed's
/// example, the lock duration while still unlocked); 9.33 `lockStatus`, `retryLoginTime`,
/// `unlockTime`. A bare challenge (no credentials sent) carries none.
fn failure(req: &SimRequest, retries_left: Option<u32>, locked_for: Option<Duration>, lock: Duration) -> SimResponse {
    let (locked, lock_secs) = (locked_for.is_some(), locked_for.unwrap_or(lock).as_secs());
    let retries = if locked { 0 } else { retries_left.unwrap_or(0) };
    if req.route == crate::ops::USER_CHECK.id {
        let mut check = json!({"statusValue": 401, "statusString": "Unauthorized"});
        if retries_left.is_some() || locked {
            check["lockStatus"] = json!(if locked { "locked" } else { "unlocked" });
            (check["unlockTime"], check["retryLoginTime"]) = (json!(lock_secs), json!(retries));
        }
        return SimResponse::json(401, &json!({ "userCheck": check }));
    }
    let mut s = ResponseStatus::failure(req.path_and_query(), SubStatus::BadAuthorization);
    s.error_msg = Some("authentication required".to_owned());
    if retries_left.is_some() || locked {
        s.error_msg = Some("authentication failed".to_owned());
        s.lock_status = Some(if locked { AuthLockStatus::Lock } else { AuthLockStatus::Unlock });
        (s.retry_times, s.res_lock_time) = (Some(retries), Some(lock_secs));
    }
    // 9.24 writes errorCode as a hex literal; real gateways send a number.
    SimResponse::json(401, &s)
}

/// Checks the request's credentials: `None` lets it through.
pub(crate) fn check(
    config: &SimConfig,
    digest: &DigestServer,
    basic: &BasicServer,
    req: &mut SimRequest,
) -> Option<SimResponse> {
    let lock = config.lock_duration;
    let sent_basic = req
        .header("authorization")
        .is_some_and(|a| a.trim_start().get(..6).is_some_and(|p| p.eq_ignore_ascii_case("basic ")));
    if config.auth == SimAuth::Basic || (config.auth == SimAuth::DigestOrBasic && sent_basic) {
        let (retries, challenge) = match basic.check(req) {
            BasicOutcome::Authorized { .. } => return None,
            BasicOutcome::Challenge { www_authenticate } => (None, www_authenticate),
            BasicOutcome::Rejected { www_authenticate, .. } => {
                (Some(config.max_auth_failures.saturating_sub(1)), www_authenticate)
            }
        };
        return Some(failure(req, retries, None, lock).header(WWW_AUTHENTICATE, challenge));
    }
    let resp = match digest.check(req) {
        DigestOutcome::Authorized { .. } => return None,
        DigestOutcome::Challenge { www_authenticate, .. } => {
            failure(req, None, None, lock).header(WWW_AUTHENTICATE, www_authenticate)
        }
        // The kit counts failures until the lock; the seed reports attempts left before the
        // *next* failure locks (3.1): one fewer.
        DigestOutcome::Rejected { retries_left, www_authenticate, .. } => {
            failure(req, Some(retries_left.saturating_sub(1)), (retries_left == 0).then_some(lock), lock)
                .header(WWW_AUTHENTICATE, www_authenticate)
        }
        DigestOutcome::Locked { unlock_in, www_authenticate, .. } => {
            failure(req, Some(0), Some(unlock_in), lock).header(WWW_AUTHENTICATE, www_authenticate)
        }
    };
    Some(match config.auth {
        SimAuth::DigestOrBasic => resp.header(WWW_AUTHENTICATE, format!("Basic realm=\"{}\"", config.realm)),
        _ => resp,
    })
}
