//! Shared pieces of the core conformance tests: a test vendor profile, Digest and token
//! simulators built on the simulator kit, and pipelines configured for them.
#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use watchpost_core::auth::{Auth, Credentials, HttpAuth, Token, TokenAuth, TokenProvider};
use watchpost_core::operation::{Operation, TimeoutClass};
use watchpost_core::pipeline::{classify_http_status, Pipeline, VendorProfile};
use watchpost_core::retry::FixedJitter;
use watchpost_core::sim::{DigestServer, Router, SimResponse, SimServer, TokenCheck, TokenStore};
use watchpost_core::{RawResponse, Request};

pub const GET: http::Method = http::Method::GET;
pub const POST: http::Method = http::Method::POST;

pub static OP_DIGEST_GET: Operation = Operation::adhoc("test", "digest.get", GET, "/digest").idempotent(true);
pub static OP_DIGEST_POST: Operation = Operation::adhoc("test", "digest.post", POST, "/digest");
pub static OP_ITEMS: Operation = Operation::adhoc("test", "items.list", GET, "/items").idempotent(true);
pub static OP_FLAKY_GET: Operation = Operation::adhoc("test", "flaky.get", GET, "/flaky").idempotent(true);
pub static OP_FLAKY_POST: Operation = Operation::adhoc("test", "flaky.post", POST, "/flaky");
pub static OP_QUOTA: Operation = Operation::adhoc("test", "quota.get", GET, "/quota").idempotent(true);
pub static OP_SLOW: Operation = Operation::adhoc("test", "slow.get", GET, "/flaky").timeout(TimeoutClass::Default);

pub const PASSWORD: &str = "Pa55-w0rd!xyz";

/// The test vendor: a 401 with `{"code":"token_expired"}` is an expired token.
pub struct TestProfile;

impl VendorProfile for TestProfile {
    fn classify(&self, resp: &RawResponse) -> watchpost_core::Result<()> {
        if resp.status == 401 && resp.body.as_ref() == br#"{"code":"token_expired"}"# {
            return Err(watchpost_core::Error::Auth {
                op: resp.op.into(),
                status: Some(401),
                code: Some("token_expired".into()),
                message: None,
                expired: true,
                lockout: Default::default(),
            });
        }
        classify_http_status(resp)
    }
}

pub fn digest_router(digest: DigestServer) -> Router {
    let d = digest.clone();
    Router::new()
        .get("/digest", "digest.get", |_req| async { SimResponse::json(200, &json!({"ok": true})) })
        .post("/digest", "digest.post", |req| async move { SimResponse::json(200, &json!({"len": req.body.len()})) })
        .layer(move |req| d.check(req).into_response(SimResponse::json(401, &json!({"error": "unauthorized"}))))
}

pub fn http_pipeline(base: &str, user: &str, password: &str) -> Pipeline {
    Pipeline::builder("test", base)
        .auth(Auth::Http(HttpAuth::new(Credentials::new(user, password))))
        .jitter(Arc::new(FixedJitter(1.0)))
        .build()
        .unwrap()
}

/// A token server: `POST /token` issues, `GET /items` checks `Authorization: Bearer <t>`.
pub struct TokenSim {
    pub server: SimServer,
    pub store: TokenStore,
    pub issued: Arc<Mutex<Vec<String>>>,
}

pub async fn token_sim() -> TokenSim {
    let store = TokenStore::with_prefix("at.");
    let issued = Arc::new(Mutex::new(Vec::new()));
    let (s1, s2, log) = (store.clone(), store.clone(), issued.clone());
    let router = Router::new()
        .post("/token", "token", move |req| {
            let (store, log) = (s1.clone(), log.clone());
            async move {
                if req.form_value("appSecret").as_deref() != Some("app-s3cret-value") {
                    return SimResponse::json(401, &json!({"code": "bad_secret"}));
                }
                let t = store.issue(Duration::from_secs(7 * 86400));
                log.lock().unwrap().push(t.token.clone());
                SimResponse::json(200, &json!({"token": t.token, "expires": t.expires_at_secs()}))
            }
        })
        .get("/items", "items.list", move |req| {
            let store = s2.clone();
            async move {
                let token = req.header("authorization").and_then(|h| h.strip_prefix("Bearer ")).unwrap_or("");
                match store.validate(token) {
                    TokenCheck::Valid => SimResponse::json(200, &json!({"items": [1, 2, 3]})),
                    _ => SimResponse::json(401, &json!({"code": "token_expired"})),
                }
            }
        });
    TokenSim { server: SimServer::start(router).await.unwrap(), store, issued }
}

pub fn token_pipeline(base: &str) -> (Pipeline, TokenProvider) {
    let token_url = format!("{base}/token");
    let provider = TokenProvider::new(move || {
        let url = token_url.clone();
        async move { fetch_token(&url).await }
    });
    let p = Pipeline::builder("test", base)
        .profile(TestProfile)
        .auth(Auth::Token(TokenAuth::header(provider.clone(), "authorization", "Bearer ")))
        .build()
        .unwrap();
    (p, provider)
}

pub static OP_TOKEN: Operation = Operation::adhoc("test", "token", POST, "/token");

pub async fn fetch_token(url: &str) -> watchpost_core::Result<Token> {
    let base = url.trim_end_matches("/token");
    let p = Pipeline::builder("test", base).build()?;
    let req = Request::new(&OP_TOKEN).body(watchpost_core::Body::Form(vec![
        ("appKey".into(), "app-key".into()),
        ("appSecret".into(), "app-s3cret-value".into()),
    ]));
    let v: serde_json::Value = p.execute(req).await?.json()?;
    let token = v["token"].as_str().unwrap_or_default().to_owned();
    let expires = v["expires"].as_u64().unwrap_or_default();
    Ok(Token::new(token).expires_at(Duration::from_secs(expires)))
}
