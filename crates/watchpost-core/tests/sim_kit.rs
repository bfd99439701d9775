//! The simulator kit over real loopback HTTP, driven by a plain hyper-util client.
#![cfg(feature = "sim")]

use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use tokio::time::{timeout, Instant};
use watchpost_core::operation::Operation;
use watchpost_core::sim::{
    challenge_response, DigestConfig, DigestOutcome, DigestServer, Quota, QuotaDecision, Router, SimRequest,
    SimResponse, SimServer, StreamHub, FALLBACK_ROUTE,
};

type HttpClient = Client<HttpConnector, Full<Bytes>>;

fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// A response read in full.
struct Got {
    status: StatusCode,
    headers: http::HeaderMap,
    body: Bytes,
}

impl Got {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

async fn send(
    client: &HttpClient,
    method: Method,
    url: &str,
    auth: Option<&str>,
    body: &str,
) -> http::Response<Incoming> {
    let mut req = Request::builder().method(method).uri(url);
    if let Some(auth) = auth {
        req = req.header("Authorization", auth);
    }
    let req = req.body(Full::new(Bytes::from(body.to_owned()))).unwrap();
    client.request(req).await.unwrap()
}

async fn call(client: &HttpClient, method: Method, url: &str, auth: Option<&str>, body: &str) -> Got {
    let resp = send(client, method, url, auth, body).await;
    let (parts, body) = resp.into_parts();
    Got { status: parts.status, headers: parts.headers, body: body.collect().await.unwrap().to_bytes() }
}

async fn get(client: &HttpClient, url: &str) -> Got {
    call(client, Method::GET, url, None, "").await
}

/// Answers a Digest challenge the way a client would, with the `digest_auth` crate.
fn digest_answer(www_authenticate: &str, user: &str, password: &str, method: &str, uri: &str, body: &str) -> String {
    let mut prompt = digest_auth::parse(www_authenticate).unwrap();
    let ctx = digest_auth::AuthContext::new_with_method(
        user,
        password,
        uri,
        Some(body.as_bytes().to_vec()),
        digest_auth::HttpMethod::from(method.to_owned()),
    );
    prompt.respond(&ctx).unwrap().to_string()
}

/// The client saw the connection end in the middle of a body.
fn assert_cut(error: &hyper::Error) {
    let io = std::error::Error::source(error).and_then(|s| s.downcast_ref::<std::io::Error>());
    assert_eq!(io.map(std::io::Error::kind), Some(std::io::ErrorKind::UnexpectedEof), "{error:?}");
}

#[tokio::test]
async fn routes_with_params_and_readable_404() {
    const LIST: Operation = Operation::adhoc("test", "device.list", Method::GET, "/v1/products/{product_key}/devices");
    let router = Router::new()
        .operation(&LIST, |req| async move {
            let body = json!({ "product": req.param("product_key"), "limit": req.query_param("limit") });
            SimResponse::json(200, &body)
        })
        .post("/v1/form", "form.post", |req| async move { SimResponse::json(200, &req.form()) })
        .get("/files/{*rest}", "files", |req| async move { SimResponse::text(200, req.param("rest").unwrap_or("")) });
    let server = SimServer::start(router).await.unwrap();
    let base = server.base_url();
    let c = client();

    let got = get(&c, &format!("{base}/v1/products/p%201/devices?limit=5")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json(), json!({ "product": "p 1", "limit": "5" }));
    assert_eq!(got.header("content-type"), "application/json;charset=UTF-8");

    let got = call(&c, Method::POST, &format!("{base}/v1/form"), None, "a=1&b=x+y").await;
    assert_eq!(got.json(), json!([["a", "1"], ["b", "x y"]]));
    assert_eq!(get(&c, &format!("{base}/files/a/b.jpg")).await.body, "a/b.jpg");

    let got = call(&c, Method::DELETE, &format!("{base}/nope/x?y=1"), None, "").await;
    assert_eq!(got.status, StatusCode::NOT_FOUND);
    assert_eq!(got.body, "simulator: no route for DELETE /nope/x");
    let got = call(&c, Method::PUT, &format!("{base}/v1/form"), None, "").await;
    assert_eq!((got.status, got.header("allow")), (StatusCode::METHOD_NOT_ALLOWED, "POST"));

    assert_eq!(server.requests_total(), 5);
    assert_eq!(server.hits("device.list"), 1);
    assert_eq!(server.hits(FALLBACK_ROUTE), 2);
    assert!(server.unhit_routes().is_empty());
    assert_eq!(server.connections_total(), 1, "the client reuses its pooled connection");
    server.shutdown().await;
}

/// A Hikvision-like device: Digest on every route, the vendor's JSON failure document on 401.
fn digest_router(digest: DigestServer) -> Router {
    Router::new()
        .get("/ISAPI/System/deviceInfo", "device.info", |req| async move {
            let user = req.extensions.get::<String>().cloned().unwrap_or_default();
            SimResponse::json(200, &json!({ "user": user }))
        })
        .put("/ISAPI/System/time", "time.set", |req| async move { SimResponse::text(200, req.text().unwrap_or("")) })
        .layer(move |req| match digest.check(req) {
            DigestOutcome::Authorized { user } => {
                req.extensions.insert(user);
                None
            }
            DigestOutcome::Rejected { retries_left, www_authenticate, .. } => Some(challenge_response(
                &www_authenticate,
                SimResponse::json(401, &json!({ "statusCode": 4, "retriesLeft": retries_left })),
            )),
            DigestOutcome::Locked { unlock_in, www_authenticate, .. } => Some(challenge_response(
                &www_authenticate,
                SimResponse::json(401, &json!({ "statusCode": 4, "lockSeconds": unlock_in.as_secs() })),
            )),
            challenge @ DigestOutcome::Challenge { .. } => challenge
                .into_response(SimResponse::json(401, &json!({ "statusCode": 4, "subStatusCode": "unauthorized" }))),
        })
}

#[tokio::test]
async fn digest_challenge_then_authorized() {
    let digest = DigestServer::new(
        DigestConfig::new("IP Camera(C1)")
            .user("admin", "12345")
            .opaque(true)
            .qop([watchpost_core::sim::Qop::Auth, watchpost_core::sim::Qop::AuthInt]),
    );
    let server = SimServer::start(digest_router(digest.clone())).await.unwrap();
    let c = client();
    let uri = "/ISAPI/System/deviceInfo?format=json";
    let url = format!("{}{uri}", server.base_url());

    let first = get(&c, &url).await;
    assert_eq!(first.status, StatusCode::UNAUTHORIZED);
    assert_eq!(first.json()["subStatusCode"], "unauthorized");
    let www = first.header("www-authenticate").to_owned();
    assert!(www.starts_with("Digest realm=\"IP Camera(C1)\""), "{www}");

    let auth = digest_answer(&www, "admin", "12345", "GET", uri, "");
    let ok = call(&c, Method::GET, &url, Some(&auth), "").await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.json(), json!({ "user": "admin" }));

    // auth-int over a body, with the uri given as the path alone
    let put_uri = "/ISAPI/System/time";
    let put_url = format!("{}{put_uri}", server.base_url());
    let challenge = call(&c, Method::PUT, &put_url, None, "<Time/>").await;
    let auth = digest_answer(challenge.header("www-authenticate"), "admin", "12345", "PUT", put_uri, "<Time/>");
    assert!(auth.contains("qop=auth-int"), "{auth}");
    let ok = call(&c, Method::PUT, &put_url, Some(&auth), "<Time/>").await;
    assert_eq!((ok.status, ok.body.as_ref()), (StatusCode::OK, b"<Time/>".as_ref()));

    assert_eq!((digest.challenges_sent(), digest.authorized(), digest.failures()), (2, 2, 0));
}

#[tokio::test(start_paused = true)]
async fn digest_stale_nonce_under_paused_clock() {
    let digest = DigestServer::new(DigestConfig::new("r").user("admin", "pw").nonce_ttl(Duration::from_secs(60)));
    let server = SimServer::start(digest_router(digest.clone())).await.unwrap();
    let c = client();
    let uri = "/ISAPI/System/deviceInfo";
    let url = format!("{}{uri}", server.base_url());

    let www = get(&c, &url).await.header("www-authenticate").to_owned();
    let mut prompt = digest_auth::parse(&www).unwrap();
    let ctx = digest_auth::AuthContext::new("admin", "pw", uri);
    let auth = prompt.respond(&ctx).unwrap().to_string();
    assert_eq!(call(&c, Method::GET, &url, Some(&auth), "").await.status, StatusCode::OK);

    tokio::time::advance(Duration::from_secs(61)).await;
    let auth = prompt.respond(&ctx).unwrap().to_string();
    let stale = call(&c, Method::GET, &url, Some(&auth), "").await;
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED);
    let www = stale.header("www-authenticate").to_owned();
    assert!(www.contains("stale=TRUE"), "{www}");
    assert!(digest_auth::parse(&www).unwrap().stale);

    let auth = digest_answer(&www, "admin", "pw", "GET", uri, "");
    assert_eq!(call(&c, Method::GET, &url, Some(&auth), "").await.status, StatusCode::OK);
    assert_eq!((digest.stale_challenges(), digest.failures()), (1, 0));
}

#[tokio::test(start_paused = true)]
async fn digest_wrong_password_counts_down_then_locks() {
    let digest = DigestServer::new(
        DigestConfig::new("r").user("admin", "pw").max_failures(3).lock_duration(Duration::from_secs(1800)),
    );
    let server = SimServer::start(digest_router(digest.clone())).await.unwrap();
    let c = client();
    let uri = "/ISAPI/System/deviceInfo";
    let url = format!("{}{uri}", server.base_url());

    let mut www = get(&c, &url).await.header("www-authenticate").to_owned();
    for expected_left in [2, 1, 0] {
        let auth = digest_answer(&www, "admin", "wrong", "GET", uri, "");
        let got = call(&c, Method::GET, &url, Some(&auth), "").await;
        assert_eq!(got.status, StatusCode::UNAUTHORIZED);
        assert_eq!(got.json()["retriesLeft"], expected_left);
        www = got.header("www-authenticate").to_owned();
    }
    let auth = digest_answer(&www, "admin", "pw", "GET", uri, "");
    let locked = call(&c, Method::GET, &url, Some(&auth), "").await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    assert_eq!(locked.json()["lockSeconds"], 1800);

    tokio::time::advance(Duration::from_secs(1800)).await;
    let www = locked.header("www-authenticate");
    let got = call(&c, Method::GET, &url, Some(&digest_answer(www, "admin", "pw", "GET", uri, "")), "").await;
    // The lock is over, but that nonce went stale meanwhile: one more round trip.
    assert!(got.header("www-authenticate").contains("stale=TRUE"));
    let auth = digest_answer(got.header("www-authenticate"), "admin", "pw", "GET", uri, "");
    assert_eq!(call(&c, Method::GET, &url, Some(&auth), "").await.status, StatusCode::OK);
    assert_eq!(digest.failures(), 3);
}

#[tokio::test(start_paused = true)]
async fn quota_headers_count_down_then_exceeded_then_reset() {
    let quota = Quota::new(3, Duration::from_secs(3600));
    let q = quota.clone();
    let router = Router::new()
        .get("/app/devices", "devices", |_| async { SimResponse::json(200, &json!([])) })
        .get("/health", "health", |_| async { SimResponse::empty(204) })
        .wrap(move |req, next| {
            let q = q.clone();
            async move {
                if req.route == "health" {
                    return next.run(req).await;
                }
                match q.try_acquire() {
                    QuotaDecision::Allowed { headers } => headers.apply(next.run(req).await),
                    QuotaDecision::Exceeded { headers, .. } => {
                        headers.apply(SimResponse::json(403, &json!({ "error_code": 5013 })))
                    }
                }
            }
        });
    let server = SimServer::start(router).await.unwrap();
    let c = client();
    let url = format!("{}/app/devices", server.base_url());

    let mut reset = 0;
    for remaining in ["2", "1", "0"] {
        let got = get(&c, &url).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!((got.header("x-ratelimit-limit"), got.header("x-ratelimit-remaining")), ("3", remaining));
        reset = got.header("x-ratelimit-reset").parse::<u64>().unwrap();
    }
    let over = get(&c, &url).await;
    assert_eq!((over.status, over.json()["error_code"].as_i64()), (StatusCode::FORBIDDEN, Some(5013)));
    assert_eq!(over.header("x-ratelimit-reset"), reset.to_string());
    assert_eq!(get(&c, &format!("{}/health", server.base_url())).await.status, StatusCode::NO_CONTENT);

    let now = watchpost_core::clock::unix_now().as_secs();
    tokio::time::advance(Duration::from_secs(reset - now)).await;
    let got = get(&c, &url).await;
    assert_eq!((got.status, got.header("x-ratelimit-remaining")), (StatusCode::OK, "2"));
    assert!(got.header("x-ratelimit-reset").parse::<u64>().unwrap() >= reset + 3600);
    assert_eq!(quota.rejected_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn faults_for_the_next_calls_then_normal() {
    static PING: Operation = Operation::adhoc("test", "ping", Method::GET, "/ping");
    let router = Router::new().operation(&PING, |_| async { SimResponse::text(200, "pong") }).get(
        "/other",
        "other",
        |_| async { SimResponse::text(200, "other") },
    );
    let faults = router.faults();
    let server = SimServer::start(router).await.unwrap();
    let c = client();
    let ping = format!("{}/ping", server.base_url());
    let other = format!("{}/other", server.base_url());

    faults.on(&PING).fail_next(2, SimResponse::json(200, &json!({ "code": "10002", "msg": "busy" })));
    assert_eq!(get(&c, &other).await.body, "other", "the filter spares other routes");
    assert_eq!(get(&c, &ping).await.json()["code"], "10002");
    assert_eq!(get(&c, &ping).await.json()["code"], "10002");
    assert_eq!(get(&c, &ping).await.body, "pong");

    server.faults().latency_next(1, Duration::from_secs(30));
    let started = Instant::now();
    assert_eq!(get(&c, &ping).await.body, "pong");
    assert!(started.elapsed() >= Duration::from_secs(30));
    assert_eq!((faults.injected(), faults.pending()), (3, 0));
    assert_eq!(server.hits("ping"), 4);
}

#[tokio::test]
async fn stream_delivers_chunks_then_is_cut_mid_part() {
    let hub = StreamHub::new();
    let h = hub.clone();
    let router = Router::new().get("/alertStream", "alerts", move |_| {
        let rx = h.subscribe_with(["--b\r\nContent-Type: text/plain\r\n\r\nsubscribed\r\n"]);
        async move { SimResponse::stream(200, "multipart/mixed; boundary=b", rx) }
    });
    let server = SimServer::start(router).await.unwrap();
    let c = client();
    let resp = send(&c, Method::GET, &format!("{}/alertStream", server.base_url()), None, "").await;
    assert_eq!(resp.headers()["content-type"], "multipart/mixed; boundary=b");
    let mut body = resp.into_body();
    let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
    assert!(first.ends_with(b"subscribed\r\n"));
    assert_eq!(hub.open_streams(), 1);

    assert_eq!(hub.send("--b\r\n\r\nevent-1\r\n"), 1);
    let event = body.frame().await.unwrap().unwrap().into_data().unwrap();
    assert_eq!(event, "--b\r\n\r\nevent-1\r\n");

    hub.send("--b\r\nContent-Len");
    assert_eq!(hub.cut_all(), 1);
    let mut rest = Vec::new();
    let error = loop {
        match timeout(Duration::from_secs(10), body.frame()).await.expect("the cut must not hang") {
            Some(Ok(frame)) => rest.extend_from_slice(&frame.into_data().unwrap()),
            Some(Err(e)) => break e,
            None => panic!("the stream ended cleanly instead of being cut"),
        }
    };
    assert_eq!(rest, b"--b\r\nContent-Len");
    assert_cut(&error);
    assert_eq!(hub.open_streams(), 0);
}

#[tokio::test(start_paused = true)]
async fn stream_stalls_for_a_virtual_minute_then_resumes() {
    let hub = StreamHub::new();
    let h = hub.clone();
    let router = Router::new().get("/alertStream", "alerts", move |_| {
        let rx = h.subscribe();
        async move {
            SimResponse::stream(200, "multipart/mixed; boundary=b", rx)
                .heartbeat(Duration::from_secs(10), || Bytes::from_static(b"--b\r\n\r\nheartBeat\r\n"))
        }
    });
    let server = SimServer::start(router).await.unwrap();
    let c = client();
    let resp = send(&c, Method::GET, &format!("{}/alertStream", server.base_url()), None, "").await;
    let mut body = resp.into_body();

    let started = Instant::now();
    let beat = body.frame().await.unwrap().unwrap().into_data().unwrap();
    assert_eq!(beat, "--b\r\n\r\nheartBeat\r\n");
    assert_eq!(started.elapsed(), Duration::from_secs(10), "heartbeat after 10 idle seconds");

    hub.stall_all();
    hub.send("--b\r\n\r\nheld\r\n");
    assert!(
        timeout(Duration::from_secs(60), body.frame()).await.is_err(),
        "no bytes (not even heartbeats) while stalled"
    );
    assert_eq!(hub.open_streams(), 1, "the connection stays open");

    hub.resume_all();
    let held = timeout(Duration::from_secs(1), body.frame()).await.unwrap().unwrap().unwrap().into_data().unwrap();
    assert_eq!(held, "--b\r\n\r\nheld\r\n");

    // Shutdown ends open streams cleanly.
    server.shutdown().await;
    loop {
        match timeout(Duration::from_secs(10), body.frame()).await.unwrap() {
            Some(Ok(_)) => continue,
            Some(Err(e)) => panic!("stream should end cleanly on shutdown: {e}"),
            None => break,
        }
    }
}

#[tokio::test]
async fn truncated_bodies_fail_on_the_client() {
    static DOC: Operation = Operation::adhoc("test", "doc", Method::GET, "/doc");
    let router = Router::new()
        .get("/short", "short", |_| async { SimResponse::truncated(200, "application/json", vec![b'x'; 100], 10) })
        .operation(&DOC, |_| async { SimResponse::json(200, &json!({ "result": { "code": "200" } })) });
    let faults = router.faults();
    let server = SimServer::start(router).await.unwrap();
    let c = client();

    let resp = send(&c, Method::GET, &format!("{}/short", server.base_url()), None, "").await;
    assert_eq!(resp.headers()["content-length"], "100");
    let mut body = resp.into_body();
    let mut received = 0;
    let error = loop {
        match body.frame().await {
            Some(Ok(frame)) => received += frame.into_data().map(|d| d.len()).unwrap_or(0),
            Some(Err(e)) => break e,
            None => panic!("a truncated body must not end cleanly"),
        }
    };
    assert_eq!(received, 10, "the first bytes arrive before the abort");
    assert_cut(&error);

    faults.on(&DOC).truncate_next(1, 5);
    let doc = format!("{}/doc", server.base_url());
    let resp = send(&c, Method::GET, &doc, None, "").await;
    assert!(resp.into_body().collect().await.is_err());
    assert_eq!(get(&c, &doc).await.json()["result"]["code"], "200");
}

#[tokio::test]
async fn reset_gives_an_error_not_a_hang() {
    static OK: Operation = Operation::adhoc("test", "ok", Method::GET, "/ok");
    let router = Router::new()
        .get("/reset", "reset", |_| async { SimResponse::reset() })
        .operation(&OK, |_| async { SimResponse::text(200, "fine") });
    let faults = router.faults();
    let server = SimServer::start(router).await.unwrap();
    let c = client();

    let req = |path: &str| Request::get(format!("{}{path}", server.base_url())).body(Full::new(Bytes::new())).unwrap();
    let result = timeout(Duration::from_secs(10), c.request(req("/reset"))).await.expect("a reset must not hang");
    assert!(result.is_err());

    faults.on(&OK).reset_next(1);
    let result = timeout(Duration::from_secs(10), c.request(req("/ok"))).await.unwrap();
    assert!(result.is_err());
    assert_eq!(get(&c, &format!("{}/ok", server.base_url())).await.body, "fine");
    assert_eq!(server.hits("ok"), 2);
}

#[tokio::test]
async fn a_panicking_handler_answers_500_and_shutdown_stops_the_listener() {
    let router = Router::new().get("/boom", "boom", |_req: SimRequest| async move {
        if true {
            panic!("state went missing");
        }
        SimResponse::empty(200)
    });
    let server = SimServer::start(router).await.unwrap();
    let c = client();
    let got = get(&c, &format!("{}/boom", server.base_url())).await;
    assert_eq!(got.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(got.body, "simulator handler for route boom panicked: state went missing");

    let addr = server.addr();
    server.shutdown().await;
    server.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn a_kit_journals_every_request_of_its_hosts_and_knows_who_answered() {
    use watchpost_core::sim::{Answer, AnswerCounts, SimKit, SimSettings};
    static READ: Operation = Operation::adhoc("kit", "thing.read", Method::GET, "/thing");
    static WRITE: Operation = Operation::adhoc("kit", "thing.write", Method::POST, "/thing");
    static LATER: Operation = Operation::adhoc("kit", "thing.later", Method::GET, "/later");
    static UNROUTED: Operation = Operation::adhoc("kit", "thing.unrouted", Method::GET, "/nowhere");
    static OPS: &[&Operation] = &[&READ, &WRITE, &LATER, &UNROUTED];

    let main = Router::new()
        .operation(&READ, |_| async { SimResponse::text(200, "thing") })
        .operation(&LATER, |_| async { SimResponse::text(501, "not simulated") })
        .layer(|req| req.header("x-deny").map(|_| SimResponse::text(401, "denied")));
    let other = Router::new().operation(&WRITE, |req| async move { SimResponse::text(201, req.text().unwrap_or("")) });
    let settings = SimSettings { advertise: Some("http://sim.example:9/".into()), ..SimSettings::default() };
    let mut kit = SimKit::new("kit", OPS, settings);
    let other_url = kit.serve_extra(other, "127.0.0.1:0".parse().unwrap(), None).await.unwrap();
    assert_eq!(kit.serve(main).await.unwrap(), "http://sim.example:9");
    assert_eq!(kit.base_url(), "http://sim.example:9", "the advertised URL, without its slash");
    let main_url = format!("http://{}", kit.local_addr().unwrap());

    let c = client();
    let thing = format!("{main_url}/thing?x=1");
    assert_eq!(get(&c, &thing).await.body, "thing");
    let denied = Request::get(&thing).header("x-deny", "1").body(Full::new(Bytes::new())).unwrap();
    assert_eq!(c.request(denied).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    kit.faults().on(&WRITE).fail_next(1, SimResponse::text(503, "busy"));
    let write = format!("{other_url}/thing");
    assert_eq!(call(&c, Method::POST, &write, Some("Digest response=\"secret\""), "a=1").await.status, 503);
    assert_eq!(call(&c, Method::POST, &write, Some("Digest response=\"secret\""), "a=2").await.status, 201);
    assert_eq!(get(&c, &format!("{main_url}/later")).await.status, StatusCode::NOT_IMPLEMENTED);
    assert_eq!(get(&c, &format!("{main_url}/missing")).await.status, StatusCode::NOT_FOUND);

    let entries = kit.journal().entries();
    let seen: Vec<_> = entries.iter().map(|e| (e.operation, e.status, e.answer)).collect();
    assert_eq!(
        seen,
        [
            (Some(READ.id), 200, Answer::Handler),
            (Some(READ.id), 401, Answer::Middleware),
            (Some(WRITE.id), 503, Answer::Fault),
            (Some(WRITE.id), 201, Answer::Handler),
            (Some(LATER.id), 501, Answer::NotSimulated),
            (None, 404, Answer::Unrouted),
        ]
    );
    assert_eq!(entries[0].path_and_query, "/thing?x=1");
    let written = kit.journal().last_of(WRITE.id).unwrap();
    assert_eq!((written.body_text().as_str(), written.header("authorization")), ("a=2", Some("<redacted>")));
    assert_eq!((kit.hits(READ.id), kit.hits(WRITE.id), kit.requests_total()), (2, 2, 6));
    assert_eq!(kit.simulated_operations(), [READ.id, WRITE.id, LATER.id]);
    assert!(kit.unhit_operations().is_empty());

    let record = kit.coverage_record();
    assert_eq!(record.simulated, [READ.id, WRITE.id, LATER.id]);
    assert_eq!(
        record.answers,
        [
            (LATER.id, AnswerCounts { handler: 0, not_simulated: 1 }),
            (READ.id, AnswerCounts { handler: 1, not_simulated: 0 }),
            (WRITE.id, AnswerCounts { handler: 1, not_simulated: 0 }),
        ]
    );
    kit.shutdown().await;
}

#[tokio::test]
async fn the_area_host_is_advertised_on_the_primarys_host_with_its_own_port() {
    use watchpost_core::sim::{SimKit, SimSettings};
    static AREA: Operation = Operation::adhoc("kit", "area.read", Method::GET, "/area");
    let area = || Router::new().operation(&AREA, |_| async { SimResponse::text(200, "area") });
    let settings = SimSettings { advertise: Some("http://sim.example:9/".into()), ..SimSettings::default() };
    let mut kit = SimKit::new("kit", &[], settings);
    let url = kit.serve_area(area()).await.unwrap();
    let port: u16 = url.strip_prefix("http://sim.example:").expect("the advertised host").parse().unwrap();
    assert_eq!(kit.area_url(), url);
    assert_eq!(get(&client(), &format!("http://127.0.0.1:{port}/area")).await.body, "area");
    kit.shutdown().await;

    let settings = SimSettings { area_advertise: Some("http://area.example/".into()), ..SimSettings::default() };
    let mut kit = SimKit::new("kit", &[], settings);
    assert_eq!(kit.serve_area(area()).await.unwrap(), "http://area.example", "the advertised area URL, no slash");
    assert_eq!(kit.area_url(), "http://area.example");
    kit.shutdown().await;
}
