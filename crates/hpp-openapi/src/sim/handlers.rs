//! The simulated operations, on the generated [`Handlers`] trait: the ONE `impl Handlers for
//! HppSim`. Each chapter adds its methods as one block at the end, each a one-line delegation
//! to a function of its own `sim/<part>.rs`. The generated router decodes each request (a
//! request that does not decode is answered LAP000001), so the handlers hold only the platform's
//! checks and state.

use std::sync::{Mutex, MutexGuard};

use serde_json::{json, Map, Value};
use watchpost_core::sim::{SimRequest, SimResponse, TokenStore};

use super::generated::Handlers;
use super::{lock, mq, state, Settings};
use crate::error::HppCode;
use crate::generated as api;

/// The simulator's handlers and everything they share. The chapters' functions take `&HppSim`.
#[derive(Debug)]
pub struct HppSim {
    pub(crate) state: Mutex<state::State>,
    pub(crate) settings: Mutex<Settings>,
    pub(crate) tokens: TokenStore<String>,
    /// The area host's URL, the `areaDomain` of every token.
    pub(crate) area_domain: Mutex<String>,
}

impl HppSim {
    /// The whole simulator state, locked (never held across an `.await`).
    pub(crate) fn state(&self) -> MutexGuard<'_, state::State> {
        lock(&self.state)
    }

    /// EVZ20007 when the device was taken offline with `Simulator::set_offline`.
    pub(crate) fn check_online(&self, device_serial: &str) -> Answer<()> {
        if lock(&self.settings).offline.contains(device_serial.trim()) {
            Err(HppCode::DeviceOffline)
        } else {
            Ok(())
        }
    }
}

/// The API key a valid token belongs to (set by the token middleware).
#[derive(Debug, Clone)]
#[allow(dead_code)] // for the chapters' handlers: which key a request came with
pub(crate) struct AppKey(pub(crate) String);

/// A handler's result: the value, or the HPP code to answer with.
pub(crate) type Answer<T> = Result<T, HppCode>;

/// `{"errorCode":"0"}` with `data` when given.
pub(crate) fn success(data: Option<Value>) -> SimResponse {
    let mut body = Map::new();
    body.insert("errorCode".into(), json!("0"));
    if let Some(d) = data {
        body.insert("data".into(), d);
    }
    SimResponse::json(200, &Value::Object(body))
}

/// An error envelope with the seed's description as `message` (HTTP 200).
pub(crate) fn failure(code: &HppCode) -> SimResponse {
    let message = match code.description() {
        "" => "Unknown error.",
        d => d,
    };
    SimResponse::json(200, &json!({ "errorCode": code.as_str(), "message": message }))
}

/// The response of a handler's result.
pub(crate) fn answer(result: Answer<Option<Value>>) -> SimResponse {
    match result {
        Ok(data) => success(data),
        Err(code) => failure(&code),
    }
}

/// A text parameter that must not be blank (LAP000001 otherwise).
pub(crate) fn filled(text: &str) -> Answer<&str> {
    if text.trim().is_empty() {
        Err(HppCode::ParameterError)
    } else {
        Ok(text)
    }
}

/// Checks the token endpoint's request and issues a token for the key.
fn token_get(h: &HppSim, req: &api::GetTokenRequest) -> SimResponse {
    let run = || -> Answer<Option<Value>> {
        let key = filled(&req.app_key)?;
        let secret = filled(&req.secret_key)?;
        let settings = lock(&h.settings);
        match settings.credentials.get(key) {
            None => return Err(HppCode::AkNotFound),
            Some(expected) if expected != secret => return Err(HppCode::AkSkMismatch),
            Some(_) => {}
        }
        let issued = h.tokens.issue_with(key.to_owned(), settings.token_ttl);
        Ok(Some(json!({
            "accessToken": issued.token,
            "expireTime": issued.expires_at_millis(),
            "areaDomain": *lock(&h.area_domain),
        })))
    };
    answer(run())
}

/// The token check in front of every operation but the token endpoint: `Authorization: Bearer`.
pub(crate) fn check_token(tokens: &TokenStore<String>, req: &mut SimRequest) -> Option<SimResponse> {
    let Some(header) = req.header("authorization").map(str::trim).filter(|h| !h.is_empty()) else {
        return Some(failure(&HppCode::TokenEmpty));
    };
    let Some(token) = header.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty()) else {
        return Some(failure(&HppCode::TokenInvalidFormat));
    };
    match tokens.data(token) {
        Some(key) => {
            req.extensions.insert(AppKey(key));
            None
        }
        None => Some(failure(&HppCode::TokenExpired)),
    }
}

impl Handlers for HppSim {
    async fn get_token(&self, req: api::GetTokenRequest, _ctx: SimRequest) -> SimResponse {
        token_get(self, &req)
    }

    // ---- hpp-base: MQ (3.33-3.36)
    async fn mq_subscribe(&self, req: api::MqSubscribeRequest, _ctx: SimRequest) -> SimResponse {
        mq::subscribe(self, req)
    }

    async fn mq_messages(&self, req: api::MqMessagesRequest, _ctx: SimRequest) -> SimResponse {
        mq::messages(self, req)
    }

    async fn mq_offset(&self, req: api::MqOffsetRequest, _ctx: SimRequest) -> SimResponse {
        mq::offset(self, req)
    }

    async fn alarm_picture_url(&self, req: api::AlarmPictureUrlRequest, _ctx: SimRequest) -> SimResponse {
        mq::picture_url(self, req)
    }
}
