//! The gateway's 401 documents; the schemes, nonces and lock-out are the core's
//! [`HttpAuthServer`](watchpost_core::sim::HttpAuthServer), configured in [`super::SimulatorBuilder::start`].

use std::time::Duration;

use serde_json::json;
use watchpost_core::sim::{AuthOutcome, SimRequest, SimResponse};

use crate::error::SubStatus;
use crate::models::{AuthLockStatus, ResponseStatus};

/// The 401 document of a refusal: `JSON_ResponseStatus_AuthenticationFailed` (9.24), or
/// `JSON_UserCheck` (9.33) for the login check. A rejection carries every lock-out member the
/// seed documents, locked or not: 9.24 `lockStatus`, `retryTimes`, `resLockTime` (as in the
/// seed's example, the lock duration while still unlocked); 9.33 `lockStatus`,
/// `retryLoginTime`, `unlockTime`. A bare challenge (no credentials sent) carries none.
pub(crate) fn refusal(req: &SimRequest, outcome: &AuthOutcome, lock: Duration) -> SimResponse {
    // The core counts failures until the lock; the seed reports attempts left before the *next*
    // failure locks (3.1): one fewer.
    let (retries, locked_for) = match *outcome {
        AuthOutcome::Rejected { retries_left, .. } => {
            (Some(retries_left.saturating_sub(1)), (retries_left == 0).then_some(lock))
        }
        AuthOutcome::Locked { unlock_in, .. } => (Some(0), Some(unlock_in)),
        _ => (None, None),
    };
    let (locked, lock_secs) = (locked_for.is_some(), locked_for.unwrap_or(lock).as_secs());
    let retries = retries.filter(|_| !locked).unwrap_or(0);
    let rejected = matches!(outcome, AuthOutcome::Rejected { .. } | AuthOutcome::Locked { .. });
    if req.route == crate::ops::USER_CHECK.id {
        let mut check = json!({"statusValue": 401, "statusString": "Unauthorized"});
        if rejected {
            check["lockStatus"] = json!(if locked { "locked" } else { "unlocked" });
            (check["unlockTime"], check["retryLoginTime"]) = (json!(lock_secs), json!(retries));
        }
        return SimResponse::json(401, &json!({ "userCheck": check }));
    }
    let mut s = ResponseStatus::failure(req.path_and_query(), SubStatus::BadAuthorization);
    s.error_msg = Some(if rejected { "authentication failed" } else { "authentication required" }.to_owned());
    if rejected {
        s.lock_status = Some(if locked { AuthLockStatus::Lock } else { AuthLockStatus::Unlock });
        (s.retry_times, s.res_lock_time) = (Some(retries), Some(lock_secs));
    }
    // 9.24 writes errorCode as a hex literal; real gateways send a number.
    SimResponse::json(401, &s)
}
