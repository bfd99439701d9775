//! Hot spare (3.53-3.60) and the VAS ops pack (3.61) against the simulator over loopback: every
//! operation called with its typed result checked, the host-first and once-per-role rules, time
//! lags by the simulated clock, the multipart upload read from an `AsyncRead`, download URLs
//! served by the simulator, and the limits checked before sending.

use std::time::Duration;

use hpp_openapi::models::hotspare::{DeleteMode, DownloadUrl, OpspackType, SpareRole, MAX_FILE_BYTES};
use hpp_openapi::requests::{
    ActivateOpspackRequest, AddHotSpareRequest, DeleteHotSpareFileRequest, DeleteHotSparesRequest,
    HotSpareFileDownloadUrlRequest, HotSpareFilesRequest, HotSpareHeartbeatRequest, HotSparesRequest,
    UploadHotSpareFileRequest,
};
use hpp_openapi::sim::Simulator;
use hpp_openapi::{HppCode, HppErrorExt as _};
use watchpost_core::operation::{Body, ToRequest as _};
use watchpost_core::sim::scripted::{http_response, ScriptedServer};
use watchpost_core::ErrorKind;

const HOST: &str = "e7c0cee2-74a0-473f-802e-1afbb33d5303";
const SPARE: &str = "5b1d0c7e-0a8f-4c41-9d6a-2f0e8c1a7b90";

#[tokio::test(start_paused = true)]
async fn host_first_then_spares_once_each_with_heartbeats_by_the_clock() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();

    let early = client.add_hot_spare(&AddHotSpareRequest::new(SPARE, SpareRole::Spare1)).await.unwrap_err();
    assert_eq!(early.hpp_code(), Some(HppCode::HotSpareHostNotAdded));
    client.add_hot_spare(&AddHotSpareRequest::new(HOST, SpareRole::Host)).await.unwrap();
    client.add_hot_spare(&AddHotSpareRequest::new(SPARE, SpareRole::Spare1)).await.unwrap();
    let twice = client.add_hot_spare(&AddHotSpareRequest::new("other", SpareRole::Spare1)).await.unwrap_err();
    assert_eq!(twice.hpp_code(), Some(HppCode::SpareNoAlreadyExists));
    client.add_hot_spare(&AddHotSpareRequest::new("spare-3", SpareRole::Spare3)).await.unwrap();

    let list = client.hot_spares(&HotSparesRequest::new()).await.unwrap();
    let roles: Vec<_> = list.list.iter().map(|d| (d.uuid.as_str(), d.role)).collect();
    assert_eq!(roles, [(HOST, SpareRole::Host), (SPARE, SpareRole::Spare1), ("spare-3", SpareRole::Spare3)]);
    assert_eq!(list.host().map(|h| h.uuid.as_str()), Some(HOST));

    // The host beats, the spare beats 90 s later and sees how long the host has been silent.
    client.hot_spare_heartbeat(&HotSpareHeartbeatRequest::new(HOST)).await.unwrap();
    tokio::time::sleep(Duration::from_secs(90)).await;
    let beats = client.hot_spare_heartbeat(&HotSpareHeartbeatRequest::new(SPARE)).await.unwrap();
    let host = beats.host().unwrap();
    assert_eq!((host.uuid.as_str(), host.time_lag), (HOST, 90_000));
    let spare = beats.list.iter().find(|b| b.uuid == SPARE).unwrap();
    assert_eq!(spare.time_lag, 0);
    let unknown = client.hot_spare_heartbeat(&HotSpareHeartbeatRequest::new("nobody")).await.unwrap_err();
    assert_eq!(unknown.hpp_code(), Some(HppCode::NoResourceFound));

    client.delete_hot_spares(&DeleteHotSparesRequest::new(DeleteMode::List, ["spare-3"])).await.unwrap();
    assert_eq!(client.hot_spares(&HotSparesRequest::new()).await.unwrap().list.len(), 2);
    client.delete_hot_spares(&DeleteHotSparesRequest::new(DeleteMode::All, Vec::<String>::new())).await.unwrap();
    assert!(client.hot_spares(&HotSparesRequest::new()).await.unwrap().list.is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn the_host_file_is_uploaded_listed_downloaded_and_deleted() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let file: Vec<u8> = (0..=255u8).cycle().take(MAX_FILE_BYTES).collect();

    let no_host = client.upload_hot_spare_file("arc.cfg", &file[..]).await.unwrap_err();
    assert_eq!(no_host.hpp_code(), Some(HppCode::HotSpareHostNotAdded));
    client.add_hot_spare(&AddHotSpareRequest::new(HOST, SpareRole::Host)).await.unwrap();

    // Exactly 2 MB, read from an AsyncRead.
    let uploaded = client.upload_hot_spare_file("arc.cfg", &file[..]).await.unwrap();
    assert_eq!(uploaded.key, "hotspare/arc.cfg");
    assert_eq!(sim.hot_spare_file(&uploaded.key).as_deref(), Some(&file[..]));

    let files = client.hot_spare_files(&HotSpareFilesRequest::new()).await.unwrap();
    let newest = files.newest().unwrap();
    assert_eq!(newest.key, uploaded.key);
    assert!(newest.last_modified_time > 0);

    let url = client.hot_spare_file_download_url(&HotSpareFileDownloadUrlRequest::new(&uploaded.key)).await.unwrap();
    assert!(url.url.starts_with(&sim.area_domain()), "{}", url.url);
    let downloaded = client.download_hot_spare_file(&url).await.unwrap();
    assert_eq!(&downloaded[..], &file[..]);

    // A new upload of the same name replaces the file.
    client.upload_hot_spare_file("arc.cfg", &b"v2"[..]).await.unwrap();
    assert_eq!(&client.download_hot_spare_file(&url).await.unwrap()[..], b"v2");

    client.delete_hot_spare_file(&DeleteHotSpareFileRequest::new(&uploaded.key)).await.unwrap();
    assert!(client.hot_spare_files(&HotSpareFilesRequest::new()).await.unwrap().list.is_empty());
    let gone = client.download_hot_spare_file(&url).await.unwrap_err();
    assert_eq!((gone.kind(), gone.status()), (ErrorKind::Api, Some(404)));
    let e = client.hot_spare_file_download_url(&HotSpareFileDownloadUrlRequest::new(&uploaded.key)).await.unwrap_err();
    assert_eq!(e.hpp_code(), Some(HppCode::NoResourceFound));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_file_over_2_mb_is_refused_before_sending_and_by_the_simulator() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    client.add_hot_spare(&AddHotSpareRequest::new(HOST, SpareRole::Host)).await.unwrap();
    let big = vec![7u8; MAX_FILE_BYTES + 1];

    let before = sim.hits("hotspare.file.upload");
    let e = client.upload_hot_spare_file("big.cfg", &big[..]).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    assert_eq!(sim.hits("hotspare.file.upload"), before, "nothing sent");

    // Sent anyway (past the client's check), the simulator answers LAP026341.
    let boundary = "xyzzy";
    let mut body =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.cfg\"\r\n\r\n")
            .into_bytes();
    body.extend_from_slice(&big);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut request = UploadHotSpareFileRequest::new(body).to_request().unwrap();
    request.body = Body::Bytes {
        content_type: format!("multipart/form-data; boundary={boundary}"),
        data: match request.body {
            Body::Bytes { data, .. } => data,
            other => panic!("{other:?}"),
        },
    };
    let e = client.execute(request).await.unwrap_err();
    assert_eq!(e.hpp_code(), Some(HppCode::HotSpareFileTooLarge));

    // The seed's table form (JSON content type) carries no file: a parameter error.
    let mut request = UploadHotSpareFileRequest::new(&b"{}"[..]).to_request().unwrap();
    request.body = Body::Json(bytes::Bytes::from_static(b"{\"file\":\"AAAA\"}"));
    let e = client.execute(request).await.unwrap_err();
    assert_eq!(e.hpp_code(), Some(HppCode::ParameterError));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_download_that_redirects_or_is_not_http_is_not_a_success() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let other = ScriptedServer::start([http_response("200 OK", &[], b"stolen")]).await.unwrap();
    let location = format!("{}/elsewhere", other.base_url());
    let server = ScriptedServer::start([http_response("302 Found", &[("Location", &location)], b"")]).await.unwrap();
    let url = DownloadUrl { url: format!("{}/file", server.base_url()) };
    let e = client.download_hot_spare_file(&url).await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Api, Some(302)));
    assert_eq!(other.connections(), 0, "the redirect is not followed");
    let sent = server.requests();
    assert!(sent.iter().all(|r| r.header("authorization").is_none()), "no token to a download host");

    let e = client.download_hot_spare_file(&DownloadUrl { url: "ftp://x/y".into() }).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    sim.shutdown().await;
}

#[tokio::test]
async fn opspacks_are_activated_with_their_documented_limits() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    client
        .activate_opspack(&ActivateOpspackRequest::new("Q01728482").opspack_type(OpspackType::AllDevicesYearly).num(2))
        .await
        .unwrap();
    sim.set_premium_service("PREMIUM01");
    client.activate_opspack(&ActivateOpspackRequest::new("PREMIUM01")).await.unwrap();
    assert_eq!(
        sim.opspack_activations(),
        [("Q01728482".to_owned(), Some(1), Some(2)), ("PREMIUM01".to_owned(), None, None)]
    );
    let e = client.activate_opspack(&ActivateOpspackRequest::new("Q01728482")).await.unwrap_err();
    assert_eq!(e.hpp_code(), Some(HppCode::ParameterError), "no premium service: type and number needed");

    let before = sim.requests_total();
    let limits = [
        client.activate_opspack(&ActivateOpspackRequest::new("Q01728482").num(11)).await.unwrap_err(),
        client.activate_opspack(&ActivateOpspackRequest::new("Q01728482").num(0)).await.unwrap_err(),
        client.add_hot_spare(&AddHotSpareRequest::new("u".repeat(129), SpareRole::Host)).await.unwrap_err(),
        client.add_hot_spare(&AddHotSpareRequest::new("u", SpareRole::Other(4))).await.unwrap_err(),
        client
            .delete_hot_spares(&DeleteHotSparesRequest::new(DeleteMode::List, Vec::<String>::new()))
            .await
            .unwrap_err(),
        client.delete_hot_spare_file(&DeleteHotSpareFileRequest::new("")).await.unwrap_err(),
    ];
    for e in &limits {
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    }
    assert_eq!(sim.requests_total(), before, "nothing reached the simulator");
    sim.shutdown().await;
}

/// The operations this file proves.
const HOT_SPARE_OPERATIONS: &[&str] = &[
    "hotspare.add",
    "hotspare.get",
    "hotspare.delete",
    "hotspare.heartbeat",
    "hotspare.file.upload",
    "hotspare.file.downloadurl",
    "hotspare.file.get",
    "hotspare.file.delete",
    "vas.opspack.active",
];

#[tokio::test]
async fn every_hot_spare_operation_is_in_the_spec_and_called() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    client.add_hot_spare(&AddHotSpareRequest::new(HOST, SpareRole::Host)).await.unwrap();
    assert_eq!(client.hot_spares(&HotSparesRequest::new()).await.unwrap().list.len(), 1);
    assert_eq!(client.hot_spare_heartbeat(&HotSpareHeartbeatRequest::new(HOST)).await.unwrap().list.len(), 1);
    let key = client.upload_hot_spare_file("a.cfg", &b"config"[..]).await.unwrap().key;
    assert_eq!(client.hot_spare_files(&HotSpareFilesRequest::new()).await.unwrap().list.len(), 1);
    let url = client.hot_spare_file_download_url(&HotSpareFileDownloadUrlRequest::new(&key)).await.unwrap();
    assert_eq!(&client.download_hot_spare_file(&url).await.unwrap()[..], b"config");
    client.delete_hot_spare_file(&DeleteHotSpareFileRequest::new(&key)).await.unwrap();
    client.delete_hot_spares(&DeleteHotSparesRequest::new(DeleteMode::List, [HOST])).await.unwrap();
    let pack = ActivateOpspackRequest::new("Q01728482").opspack_type(OpspackType::CamerasYearly).num(1);
    client.activate_opspack(&pack).await.unwrap();

    let unhit = sim.unhit_operations();
    for op in HOT_SPARE_OPERATIONS {
        assert!(hpp_openapi::OPERATIONS.iter().any(|o| o.id == *op), "{op} is not in the spec");
        assert!(!unhit.contains(op), "{op} was not called");
    }
    sim.shutdown().await;
}
