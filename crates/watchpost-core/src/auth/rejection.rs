//! The memory of a rejected password: the typed error as the device sent it, and when.
//!
//! Devices lock an account after a few wrong passwords (Hikvision: 30 minutes). A client that
//! forgets a rejection spends one more attempt on every later call and locks the account within
//! seconds; [`Rejection`] lets every later call fail fast with the same error until the
//! credentials are replaced or a cool-down passes.

use std::time::Duration;

use tokio::time::Instant;

use crate::error::{Error, LockoutInfo};

/// A rejection as received: enough to rebuild the same typed error for another operation.
#[derive(Debug, Clone)]
pub(crate) struct Rejection {
    at: Instant,
    locked: bool,
    status: Option<u16>,
    code: Option<String>,
    message: Option<String>,
    /// What the device said about its lock-out (for a locked account, `lock_time` is the time
    /// until it unlocks, counted from `at`).
    lockout: LockoutInfo,
}

impl Rejection {
    /// Remembers `err`, the classified answer to a rejected password. An error of another kind
    /// (a profile that did not recognise the 401) is remembered as a plain rejection with its status.
    pub(crate) fn new(err: Option<&Error>, now: Instant) -> Self {
        let mut r = Rejection {
            at: now,
            locked: false,
            status: Some(401),
            code: None,
            message: None,
            lockout: LockoutInfo::default(),
        };
        match err {
            Some(Error::Auth { status, code, message, lockout, .. }) => {
                (r.status, r.code, r.message, r.lockout) = (*status, code.clone(), message.clone(), *lockout);
            }
            Some(Error::AuthLocked { status, code, message, lockout, .. }) => {
                r.locked = true;
                (r.status, r.code, r.message, r.lockout) = (*status, code.clone(), message.clone(), *lockout);
            }
            Some(other) => r.status = other.status().or(Some(401)),
            None => {}
        }
        r
    }

    /// Whether the rejection still holds at `now`: for `cooldown`, or while the device said the
    /// account stays locked if that is longer (an attempt before it unlocks is wasted).
    pub(crate) fn holds(&self, now: Instant, cooldown: Duration) -> bool {
        let unlock_in = if self.locked { self.lockout.lock_time.unwrap_or_default() } else { Duration::ZERO };
        let wait = cooldown.max(unlock_in);
        now.saturating_duration_since(self.at) < wait
    }

    /// The error for a call of `op` at `now`: the one received, with the lock time counted down.
    pub(crate) fn error(&self, op: &str, now: Instant) -> Error {
        if self.locked {
            let elapsed = now.saturating_duration_since(self.at);
            Error::AuthLocked {
                op: op.to_owned(),
                status: self.status,
                code: self.code.clone(),
                message: self.message.clone(),
                lockout: LockoutInfo {
                    lock_time: self.lockout.lock_time.map(|d| d.saturating_sub(elapsed)),
                    ..self.lockout
                },
            }
        } else {
            Error::Auth {
                op: op.to_owned(),
                status: self.status,
                code: self.code.clone(),
                message: self.message.clone(),
                expired: false,
                lockout: self.lockout,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[tokio::test(start_paused = true)]
    async fn replays_the_error_received_until_the_cooldown_or_the_lock_ends() {
        let now = Instant::now();
        let received = Error::Auth {
            op: "a".into(),
            status: Some(401),
            code: Some("badAuthorization".into()),
            message: Some("authentication failed".into()),
            expired: false,
            lockout: LockoutInfo { retries_left: Some(4), ..LockoutInfo::default() },
        };
        let r = Rejection::new(Some(&received), now);
        let again = r.error("b", now);
        assert!(
            matches!(&again, Error::Auth { op, code: Some(c), .. } if op == "b" && c == "badAuthorization")
                && again.retries_left() == Some(4)
        );
        assert_eq!(again.to_string(), received.with_op("b").to_string());
        let cool = Duration::from_secs(60);
        assert!(r.holds(now + Duration::from_secs(59), cool));
        assert!(!r.holds(now + cool, cool));

        let locked = Error::AuthLocked {
            op: "a".into(),
            status: Some(401),
            code: None,
            message: None,
            lockout: LockoutInfo {
                lock_time: Some(Duration::from_secs(1800)),
                locked: Some(true),
                ..LockoutInfo::default()
            },
        };
        let r = Rejection::new(Some(&locked), now);
        assert!(r.holds(now + Duration::from_secs(1799), cool), "the lock outlasts the cool-down");
        assert!(!r.holds(now + Duration::from_secs(1800), cool));
        let e = r.error("b", now + Duration::from_secs(800));
        assert_eq!(e.kind(), ErrorKind::AuthLocked);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(1000)));

        let plain = Rejection::new(None, now).error("c", now);
        assert!(matches!(plain, Error::Auth { status: Some(401), .. }) && plain.retries_left().is_none());
    }
}
