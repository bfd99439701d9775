//! A captured log of a full run (Digest with right and wrong passwords, token fetch, expiry and
//! refresh) holds no password, secret or token. In a test binary of its own: a thread-scoped
//! tracing subscriber must not race with other tests over callsite interest.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use watchpost_core::sim::{DigestConfig, DigestServer, SimServer};
use watchpost_core::Request;

/// A `MakeWriter` collecting everything logged into a shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn captured_logs_hold_no_password_secret_or_token() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only test in this binary");

    let digest = DigestServer::new(DigestConfig::new("r").user("admin", PASSWORD));
    let server = SimServer::start(digest_router(digest)).await.unwrap();
    http_pipeline(&server.base_url(), "admin", PASSWORD).execute(Request::new(&OP_DIGEST_GET)).await.unwrap();
    let _ = http_pipeline(&server.base_url(), "admin", "Wr0ng-Pa55").execute(Request::new(&OP_DIGEST_GET)).await;
    let sim = token_sim().await;
    let (p, _) = token_pipeline(&sim.server.base_url());
    p.execute(Request::new(&OP_ITEMS)).await.unwrap();
    sim.store.expire_all();
    p.execute(Request::new(&OP_ITEMS)).await.unwrap();
    let debug = format!("{p:?}");

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap() + &debug;
    assert!(logs.contains("watchpost.op"), "the run was logged: {logs}");
    assert!(logs.contains("refreshing once"), "the re-auth decision was logged");
    let tokens = sim.issued.lock().unwrap().clone();
    assert_eq!(tokens.len(), 2);
    for secret in [PASSWORD, "Wr0ng-Pa55", "app-s3cret-value"].iter().copied().chain(tokens.iter().map(String::as_str))
    {
        assert!(!logs.contains(secret), "secret {secret:?} leaked into the logs");
    }
}
