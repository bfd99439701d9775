//! Auth modes, the disabled API, file round trips, the firmware MD5 check and malformed replies,
//! against the simulator or a hostile server over loopback.

use std::net::{IpAddr, Ipv4Addr};

use akuvox_ac::models::{ConfigMap, Door, PrivateKey};
use akuvox_ac::sim::{SimAuth, Simulator};
use akuvox_ac::*;
use watchpost_core::sim::scripted::{http_response, ScriptedServer};
use watchpost_core::sim::Qop;
use watchpost_core::ErrorKind;

/// The `Authorization` headers the simulator saw (the journal shows only that one was sent).
fn authorization(sim: &Simulator) -> Vec<String> {
    sim.journal().entries().iter().filter_map(|e| e.headers.get("authorization").map(|_| "sent".to_owned())).collect()
}

#[tokio::test(start_paused = true)]
async fn digest_with_qop_auth_and_auth_int() {
    for (qop, expect) in [(vec![Qop::Auth], "auth"), (vec![Qop::AuthInt], "auth-int")] {
        let auth = SimAuth::Digest { user: "admin".into(), password: "httpapi".into(), qop };
        let sim = Simulator::builder().auth(auth).start().await.unwrap();
        let client = sim.client_builder().build().unwrap();
        // A GET (no body) and a POST envelope (auth-int hashes the body as sent).
        let trig = RelayTrigRequest::new(0, 1).delay(3);
        client.relay_trig(&trig).await.unwrap();
        let get = sim.client_builder().request_form(RequestForm::Get).build().unwrap();
        get.relay_trig(&trig).await.unwrap();
        // The device offered only `expect`: both calls passed, so the client answered with it.
        assert_eq!(sim.door_log().len(), 2, "{expect}");
    }
}

#[tokio::test]
async fn the_digest_answer_on_the_wire() {
    let challenge = r#"Digest realm="HTTPAPI",qop="auth-int",nonce="n0nce", opaque="0paque""#;
    let server = ScriptedServer::start([
        http_response("401 Unauthorized", &[("WWW-Authenticate", challenge)], b""),
        http_response(
            "200 OK",
            &[("Content-Type", "application/json")],
            br#"{"retcode":0,"action":"trig","message":"OK"}"#,
        ),
    ])
    .await
    .unwrap();
    let client = Client::builder()
        .base_url(server.base_url())
        .credentials("admin", "httpapi")
        .auth_mode(AuthMode::Digest)
        .build()
        .unwrap();
    client.relay_trig(&RelayTrigRequest::new(0, 1)).await.unwrap();
    let sent = server.requests();
    let answer = sent[1].header("authorization").unwrap();
    for part in [
        "Digest ",
        "username=\"admin\"",
        "realm=\"HTTPAPI\"",
        "qop=auth-int",
        "opaque=\"0paque\"",
        "nc=00000001",
        "cnonce=",
    ] {
        assert!(answer.contains(part), "{part} in {answer}");
    }
    assert!(!answer.contains("httpapi"), "no password on the wire");
    assert!(sent[0].header("authorization").is_none(), "Digest is never sent before the challenge");
}

#[tokio::test(start_paused = true)]
async fn basic_and_a_wrong_password() {
    let sim = Simulator::builder().auth(SimAuth::basic()).start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    client.system_status(&SystemStatusRequest::new()).await.unwrap();
    let wrong = sim.client_builder().credentials("admin", "nope").build().unwrap();
    let before = sim.requests_total();
    let e = wrong.system_status(&SystemStatusRequest::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert_eq!(sim.requests_total() - before, 1, "a rejected password is not sent again");
}

#[tokio::test(start_paused = true)]
async fn digest_and_a_wrong_password() {
    for qop in [Qop::Auth, Qop::AuthInt] {
        let auth = SimAuth::Digest { user: "admin".into(), password: "httpapi".into(), qop: vec![qop] };
        let sim = Simulator::builder().auth(auth).start().await.unwrap();
        let wrong = sim.client_builder().credentials("admin", "nope").auth_mode(AuthMode::Digest).build().unwrap();
        let e = wrong.relay_trig(&RelayTrigRequest::new(0, 1)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Auth, "{qop:?}: {e:?}");
        // The unauthenticated request that drew the challenge, then one answer, never a second.
        assert_eq!(sim.requests_total(), 2, "{qop:?}");
        assert_eq!(authorization(&sim).len(), 1, "{qop:?}: one authenticated request");
        assert!(sim.door_log().is_empty(), "{qop:?}: nothing opened");
    }
}

#[tokio::test(start_paused = true)]
async fn allow_list_and_no_auth_send_nothing() {
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let sim = Simulator::builder().auth(SimAuth::AllowList(vec![loopback])).start().await.unwrap();
    sim.client_builder().build().unwrap().relay_status(&RelayStatusRequest::new()).await.unwrap();
    assert!(authorization(&sim).is_empty());
    let elsewhere =
        Simulator::builder().auth(SimAuth::AllowList(vec!["10.0.0.9".parse().unwrap()])).start().await.unwrap();
    let e = elsewhere.client_builder().build().unwrap().relay_status(&RelayStatusRequest::new()).await.unwrap_err();
    assert_eq!(e.status(), Some(403));
}

#[tokio::test(start_paused = true)]
async fn a_disabled_api_is_a_typed_error() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    sim.set_api_enabled(false);
    let e = client.system_info(&SystemInfoRequest::new()).await.unwrap_err();
    assert!(e.is_api_disabled(), "{e:?}");
    assert_eq!(sim.requests_total(), 1, "403 is not retried");
    sim.set_api_enabled(true);
    client.system_info(&SystemInfoRequest::new()).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn exports_import_into_another_device() {
    let from = Simulator::start().await.unwrap();
    let to = Simulator::start().await.unwrap();
    let (a, b) = (from.client_builder().build().unwrap(), to.client_builder().build().unwrap());
    a.privatekey_add(&PrivatekeyAddRequest::new(vec![PrivateKey::new("Night", "4711", &[Door::B, Door::C])]))
        .await
        .unwrap();
    a.config_set(&ConfigSetRequest::new(ConfigMap::new().with("Config.DoorSetting.CLOUDSERVER.Server", "x.example")))
        .await
        .unwrap();
    b.privatekey_clear(&PrivatekeyClearRequest::new()).await.unwrap();

    b.privatekey_import(&a.privatekey_export().await.unwrap().bytes).await.unwrap();
    assert_eq!(to.private_keys(), from.private_keys());
    b.rfkey_import(&a.rfkey_export().await.unwrap().bytes).await.unwrap();
    assert_eq!(to.rf_keys(), from.rf_keys());
    b.dialreplace_import(&a.dialreplace_export().await.unwrap().bytes).await.unwrap();
    let rules = DialreplaceGetRequest::new();
    assert_eq!(b.dialreplace_get(&rules).await.unwrap().item, a.dialreplace_get(&rules).await.unwrap().item);
    b.contact_import(&a.contact_export(&ContactExportRequest::new()).await.unwrap().bytes).await.unwrap();
    let contacts = ContactGetRequest::new();
    assert_eq!(b.contact_get(&contacts).await.unwrap().item, a.contact_get(&contacts).await.unwrap().item);
    b.user_import(&a.user_export_file().await.unwrap().bytes).await.unwrap();
    assert_eq!(to.users(), from.users());
    let reboots = to.reboots();
    b.config_import(&a.config_export().await.unwrap().bytes).await.unwrap();
    assert_eq!(to.config(), from.config());
    assert_eq!(to.reboots(), reboots + 1, "a configuration import reboots the device");
    // Something that is not an export of the device is refused, not reported imported.
    let e = b.privatekey_import(b"not xml").await.unwrap_err();
    assert_eq!(e.akuvox_retcode(), Some(-1));
}

#[tokio::test(start_paused = true)]
async fn the_firmware_md5_is_checked() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    client.firmware_prepare(&FirmwarePrepareRequest::new()).await.unwrap();
    client.firmware_upload(b"image that arrived damaged", true).await.unwrap();
    let md5 = akuvox_ac::files::md5_hex(b"image as built");
    let e = client.firmware_upgrade(&FirmwareUpgradeRequest::new().md5(md5.clone())).await.unwrap_err();
    assert!(e.is_wrong_md5(), "{e:?}");
    // Both hashes, as typed data: the one sent and the one the device computed of what it got.
    let sums = e.wrong_md5().unwrap();
    assert_eq!(sums.expected, md5);
    assert_eq!(sums.computed, akuvox_ac::files::md5_hex(b"image that arrived damaged"));
    assert_eq!(sim.firmware_version(), akuvox_ac::sim::FIRMWARE_VERSION, "nothing flashed");
    let before = client.probe().await.unwrap();
    assert_eq!(before.firmware.as_deref(), Some(akuvox_ac::sim::FIRMWARE_VERSION));

    let mut steps = Vec::new();
    client.upgrade_firmware(b"image as built", false, |s| steps.push(s)).await.unwrap();
    let uploading: Vec<_> = steps.iter().filter(|s| matches!(s, UpgradeStep::Uploading { .. })).copied().collect();
    assert_eq!(
        uploading.last(),
        Some(&UpgradeStep::Uploading { sent: 14, total: 14 }),
        "per-chunk progress ends at the size"
    );
    steps.retain(|s| !matches!(s, UpgradeStep::Uploading { .. }));
    assert_eq!(steps, vec![UpgradeStep::Prepared, UpgradeStep::Uploaded { bytes: 14 }, UpgradeStep::Upgrading]);
    assert_ne!(sim.firmware_version(), akuvox_ac::sim::FIRMWARE_VERSION);
    // The probe reports the new version, as the device now does.
    let after = client.probe().await.unwrap();
    assert_eq!(after.firmware, Some(sim.firmware_version()));
    assert_ne!(after.firmware, before.firmware);
}

#[tokio::test(start_paused = true)]
async fn an_upload_over_the_limit_is_refused_before_sending() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().max_upload_size(16).build().unwrap();
    assert_eq!(client.max_upload_size(), 16);
    assert_eq!(sim.client_builder().build().unwrap().max_upload_size(), DEFAULT_MAX_UPLOAD_SIZE);
    let image = [0x5a_u8; 17];
    let mut steps = Vec::new();
    let errors = [
        client.upgrade_firmware(&image, true, |s| steps.push(s)).await.unwrap_err(),
        client.firmware_upload(&image, true).await.unwrap_err(),
        client.config_import(&image).await.unwrap_err(),
        client.privatekey_import(&image).await.unwrap_err(),
        client.rfkey_import(&image).await.unwrap_err(),
        client.contact_import(&image).await.unwrap_err(),
        client.dialreplace_import(&image).await.unwrap_err(),
        client.user_import(&image).await.unwrap_err(),
    ];
    for e in &errors {
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e:?}");
        assert!(e.to_string().contains("17 bytes"), "{e}");
    }
    assert_eq!(sim.requests_total(), 0, "nothing on the wire, not even the prepare");
    assert!(steps.is_empty());
    // At the limit, it goes.
    client.upgrade_firmware(&image[..16], true, |_| {}).await.unwrap();
    assert_ne!(sim.firmware_version(), akuvox_ac::sim::FIRMWARE_VERSION);
}

/// A reply the client must turn into a typed error, never a panic or a success.
async fn hostile(body: &[u8], content_type: &str) -> watchpost_core::Error {
    let server =
        ScriptedServer::start([http_response("200 OK", &[("Content-Type", content_type)], body)]).await.unwrap();
    let client = Client::builder()
        .base_url(server.base_url())
        .retry(watchpost_core::retry::RetryConfig { max_attempts: 1, ..Default::default() })
        .build()
        .unwrap();
    match client.privatekey_get(&PrivatekeyGetRequest::new()).await {
        Ok(list) => panic!("{:?} decoded as {list:?}", String::from_utf8_lossy(body)),
        Err(e) => e,
    }
}

#[tokio::test]
async fn malformed_replies_are_typed_errors() {
    let deep = "[".repeat(100_000);
    let cases: Vec<(&[u8], ErrorKind)> = vec![
        (b"", ErrorKind::Decode),
        (b"not json", ErrorKind::Decode),
        (b"{\"retcode\":0,\"data\":{", ErrorKind::Decode),
        (b"{\"message\":\"OK\"}", ErrorKind::Decode),
        (b"{\"retcode\":\"abc\"}", ErrorKind::Decode),
        (b"{\"retcode\":0,\"data\":{\"num\":1,\"item\":\"x\"}}", ErrorKind::Decode),
        (b"{\"retcode\":0,\"data\":[1,2]}", ErrorKind::Decode),
        (deep.as_bytes(), ErrorKind::Decode),
        (b"{\"retcode\":-5,\"action\":7,\"message\":null}", ErrorKind::Api),
    ];
    for (body, kind) in cases {
        let e = hostile(body, "application/json").await;
        assert_eq!(e.kind(), kind, "{:?}: {e:?}", String::from_utf8_lossy(&body[..body.len().min(40)]));
    }
}

#[tokio::test]
async fn a_json_reply_where_a_file_was_expected() {
    let server = ScriptedServer::start([
        http_response(
            "200 OK",
            &[("Content-Type", "application/json")],
            br#"{"retcode":0,"action":"export","message":"OK"}"#,
        ),
        http_response("200 OK", &[("Content-Type", "application/octet-stream")], b""),
        http_response(
            "200 OK",
            &[("Content-Type", "application/json")],
            br#"{"retcode":-1,"action":"export","message":"Export Failed."}"#,
        ),
    ])
    .await
    .unwrap();
    let client = Client::builder().base_url(server.base_url()).build().unwrap();
    assert_eq!(client.privatekey_export().await.unwrap_err().kind(), ErrorKind::Decode);
    assert_eq!(client.privatekey_export().await.unwrap_err().kind(), ErrorKind::Decode, "an empty file is no success");
    let e = client.contact_export(&ContactExportRequest::new()).await.unwrap_err();
    assert_eq!((e.akuvox_retcode(), e.vendor_message()), (Some(-1), Some("Export Failed.")));
}

#[tokio::test]
async fn what_goes_on_the_wire() {
    let ok = || {
        http_response(
            "200 OK",
            &[("Content-Type", "application/json")],
            br#"{"retcode":0,"action":"trig","message":"OK"}"#,
        )
    };
    let server = ScriptedServer::start([ok(), ok(), ok()]).await.unwrap();
    let trig = RelayTrigRequest::new(1, 1).level(1).delay(5);
    let post = Client::builder().base_url(server.base_url()).build().unwrap();
    post.relay_trig(&trig).await.unwrap();
    let get = Client::builder().base_url(server.base_url()).request_form(RequestForm::Get).build().unwrap();
    get.relay_trig(&trig).await.unwrap();
    let root = Client::builder().base_url(server.base_url()).post_path(PostPath::Root).build().unwrap();
    root.relay_trig(&trig).await.unwrap();
    let sent = server.requests();
    assert_eq!((sent[0].method(), sent[0].target()), ("POST", "/api/relay/trig"));
    let body: serde_json::Value = serde_json::from_slice(&sent[0].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"target": "relay", "action": "trig", "data": {"mode": 1, "num": 1, "level": 1, "delay": 5}})
    );
    // The seed's GET example, byte for byte (L1065).
    assert_eq!((sent[1].method(), sent[1].target()), ("GET", "/api/relay/trig?mode=1&num=1&level=1&delay=5"));
    assert_eq!((sent[2].method(), sent[2].target()), ("POST", "/api/"));
}

#[tokio::test(start_paused = true)]
async fn the_probe_learns_the_api_version() {
    let v2 = Simulator::start().await.unwrap();
    let caps = v2.client_builder().build().unwrap().probe().await.unwrap();
    assert_eq!((caps.model.as_deref(), caps.api_version()), (Some("R29S"), Some(ApiVersion::V2)));
    assert_eq!(caps.supports(&ops::USER_ADD), Some(true));
    assert_eq!(caps.supports(&ops::PRIVATEKEY_GET), None, "no probe of that module");

    let v1 = Simulator::builder().api_version(ApiVersion::V1).start().await.unwrap();
    let client = v1.client_builder().build().unwrap();
    let caps = client.probe().await.unwrap();
    assert_eq!(caps.api_version(), Some(ApiVersion::V1));
    assert_eq!(caps.supports(&ops::RELAY_TRIG), Some(true));
    let e = caps.require(&ops::USER_ADD).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.vendor_message().unwrap().contains("R29S"), "{e:?}");
    // Without the probe, the device's own answer is the same typed error.
    let e = client.user_get(&UserGetRequest::new()).await.unwrap_err();
    assert!(e.is_unsupported_action(), "{e:?}");
}

#[tokio::test(start_paused = true)]
async fn lan_defaults_one_call_per_device() {
    let client = Client::builder().base_url("http://192.0.2.7").build().unwrap();
    assert!(client.pipeline().serializes_per_device());
    let t = client.pipeline().transport().config();
    assert_eq!((t.connect_timeout, t.attempt_timeout), (DEFAULT_CONNECT_TIMEOUT, DEFAULT_ATTEMPT_TIMEOUT));
    let off =
        Client::builder().base_url("http://192.0.2.7").serialize_per_device(false).keep_alive(false).build().unwrap();
    assert!(!off.pipeline().serializes_per_device());
    assert_eq!(off.pipeline().transport().config().pool_max_idle_per_host, 0);
}

#[tokio::test(start_paused = true)]
async fn downloads_stream_to_a_writer() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let mut out = Vec::new();
    let mut seen = Vec::new();
    let streamed = client.download_to(&PrivatekeyExportRequest::new(), &mut out, |n| seen.push(n)).await.unwrap();
    assert_eq!(streamed.filename.as_deref(), Some("PrivateKey.xml"));
    assert_eq!(streamed.bytes, out.len() as u64);
    assert_eq!(seen.last().copied(), Some(streamed.bytes));
    assert_eq!(out, client.privatekey_export().await.unwrap().bytes.to_vec());
    // A negative JSON reply where the file was expected: its error, nothing written.
    client.contact_clear(&ContactClearRequest::new()).await.unwrap();
    let mut out = Vec::new();
    let e = client.download_to(&ContactExportRequest::new(), &mut out, |_| {}).await.unwrap_err();
    assert_eq!((e.akuvox_retcode(), out.len()), (Some(-1), 0));
}

/// A writer that accepts nothing until `open` fires: the download stays in flight.
struct Gate {
    open: Option<tokio::sync::oneshot::Receiver<()>>,
    got: Vec<u8>,
}

impl tokio::io::AsyncWrite for Gate {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        use std::future::Future as _;
        if let Some(open) = &mut self.open {
            if std::pin::Pin::new(open).poll(cx).is_pending() {
                return std::task::Poll::Pending;
            }
            self.open = None;
        }
        self.got.extend_from_slice(buf);
        std::task::Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

#[tokio::test(start_paused = true)]
async fn a_streamed_download_holds_the_device_turn() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let (open, gate) = tokio::sync::oneshot::channel();
    let download = {
        let client = client.clone();
        tokio::spawn(async move {
            let mut out = Gate { open: Some(gate), got: Vec::new() };
            let streamed = client.download_to(&PrivatekeyExportRequest::new(), &mut out, |_| {}).await;
            (streamed, out.got)
        })
    };
    // The export's head arrived and its body waits on the writer.
    while sim.requests_total() < 1 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let other = tokio::spawn({
        let client = client.clone();
        async move { client.relay_status(&RelayStatusRequest::new()).await }
    });
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert!(!other.is_finished(), "the second call waits for the download");
    assert_eq!(sim.requests_total(), 1, "nothing else reached the device while the export streams");
    assert_eq!(client.pipeline().devices_in_use(), 1);
    open.send(()).unwrap();
    let (streamed, got) = download.await.unwrap();
    assert_eq!(streamed.unwrap().bytes, got.len() as u64);
    other.await.unwrap().unwrap();
    assert_eq!(sim.requests_total(), 2);
    assert_eq!(client.pipeline().devices_in_use(), 0, "the turn is released with the body");
}

#[tokio::test(start_paused = true)]
async fn the_capability_table_fails_fast_by_model_and_firmware_band() {
    use akuvox_ac::capabilities::{SEED_MODELS_RULE, SEED_V1_RULE};
    let sim = Simulator::builder().model("A05").firmware_version("29.1.1.250").start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let caps = client.probe().await.unwrap();
    assert_eq!((caps.model.as_deref(), caps.firmware.as_deref()), (Some("A05"), Some("29.1.1.250")));
    assert_eq!(caps.decide(&ops::PCAP_START).map(|(v, r)| (v, r.name.clone())), Some((true, SEED_MODELS_RULE.into())));
    // A band of the user's own: no packet capture on A05 firmware before 29.2.
    let rule =
        Rule::new("site: A05 before 29.2 has no pcap").model("A05").firmware(None, Some("29.2")).unwrap().deny("pcap");
    let guarded = client.with_capabilities(caps.clone().with_rule(rule.clone()));
    let before = sim.requests_total();
    let e = guarded.pcap_start(&PcapStartRequest::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    let message = e.vendor_message().unwrap_or_default();
    for part in ["A05", "29.1.1.250", "pcap.start", "site: A05 before 29.2 has no pcap"] {
        assert!(message.contains(part), "{part} in {message}");
    }
    let mut out = Vec::new();
    let e = guarded.download_to(&PcapExportRequest::new(), &mut out, |_| {}).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert_eq!(sim.requests_total(), before, "nothing was sent");
    // Other functions go through; the same rule on a later firmware does not apply.
    guarded.relay_status(&RelayStatusRequest::new()).await.unwrap();
    let later = Simulator::builder().model("A05").firmware_version("29.2.0.1").start().await.unwrap();
    let client = later.client_builder().build().unwrap();
    let caps = client.probe().await.unwrap().with_rule(rule);
    client.with_capabilities(caps).pcap_start(&PcapStartRequest::new()).await.unwrap();

    // The seed's V1/V2 split on a V1.0 A01: the user module is denied before sending.
    let v1 = Simulator::builder().model("A01").api_version(ApiVersion::V1).start().await.unwrap();
    let client = v1.client_builder().build().unwrap();
    let client = client.with_capabilities(client.probe().await.unwrap());
    let before = v1.requests_total();
    let e = client.user_get(&UserGetRequest::new()).await.unwrap_err();
    assert!(e.vendor_message().unwrap_or_default().contains(SEED_V1_RULE), "{e:?}");
    assert_eq!(v1.requests_total(), before);
}

#[tokio::test(start_paused = true)]
async fn a_firmware_image_streams_from_a_file_under_digest_auth_int() {
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    use std::sync::Arc;
    // An image of several chunks (64 KiB each), on disk.
    let image: Vec<u8> = (0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let mut file = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut file, &image).unwrap();
    let upload = Upload::file(file.path()).await.unwrap();
    assert_eq!(upload.len(), image.len() as u64);

    // auth-int only: the client must sign H(body) of the streamed multipart body.
    let auth = SimAuth::Digest { user: "admin".into(), password: "httpapi".into(), qop: vec![Qop::AuthInt] };
    let sim = Simulator::builder().auth(auth).start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let mut steps = Vec::new();
    client.upgrade_firmware_from(&upload, true, |s| steps.push(s)).await.unwrap();
    let sent: Vec<u64> = steps
        .iter()
        .filter_map(|s| if let UpgradeStep::Uploading { sent, .. } = s { Some(*sent) } else { None })
        .collect();
    assert!(sent.len() >= 5, "progress per chunk, got {sent:?}");
    assert!(sent.windows(2).all(|w| w[0] <= w[1]), "{sent:?}");
    assert_eq!(sent.last().copied(), Some(image.len() as u64));
    assert_eq!(steps.last(), Some(&UpgradeStep::Upgrading), "the device took the image with its MD5");
    assert_ne!(sim.firmware_version(), akuvox_ac::sim::FIRMWARE_VERSION);

    // A factory source: opened for the boundary check, the auth-int hash and each send (the
    // first contact is challenged and sent again), never read into one buffer.
    let opens = Arc::new(AtomicUsize::new(0));
    let bytes = bytes::Bytes::from(image.clone());
    let source = {
        let opens = opens.clone();
        watchpost_core::transport::upload::from_fn(move || {
            opens.fetch_add(1, Ordering::SeqCst);
            let bytes = bytes.clone();
            async move { Ok(std::io::Cursor::new(bytes)) }
        })
    };
    let fresh = sim.client_builder().build().unwrap();
    let last = Arc::new(AtomicU64::new(0));
    let seen = last.clone();
    fresh.firmware_prepare(&FirmwarePrepareRequest::new()).await.unwrap();
    fresh
        .firmware_upload_from(&Upload::from_source(source, image.len() as u64), true, move |n, total| {
            assert_eq!(total, 300_000);
            seen.store(n, Ordering::SeqCst);
        })
        .await
        .unwrap();
    assert_eq!(last.load(Ordering::SeqCst), 300_000);
    assert!(opens.load(Ordering::SeqCst) >= 3, "check, hash, send: {}", opens.load(Ordering::SeqCst));
    let md5 = akuvox_ac::files::md5_hex(&image);
    fresh.firmware_upgrade(&FirmwareUpgradeRequest::new().md5(md5)).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_source_shorter_than_declared_is_an_error_not_an_upload() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let source = watchpost_core::transport::upload::from_fn(|| async { Ok(std::io::Cursor::new(vec![1u8; 10])) });
    let e = client.import(Import::Contact, &Upload::from_source(source, 20), |_, _| {}).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
    assert!(e.report().to_string().contains("fewer bytes"), "{}", e.report());
    assert_eq!(sim.requests_total(), 0, "the check pass found it before anything was sent");
    // A file holding the multipart boundary is refused before sending too.
    let e = client
        .import(
            Import::Contact,
            &Upload::bytes(bytes::Bytes::from_static(b"a,b\n--watchpost-akuvox-part\n")),
            |_, _| {},
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(sim.requests_total(), 0);
}
