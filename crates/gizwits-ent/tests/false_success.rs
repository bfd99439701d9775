//! No false success: a redirect answering a command is an error and is never followed (the
//! product token stays with the configured origin); an empty `200` or `{}` answering an
//! operation that documents a response (`bindings.bind`) is a decode error; only the operations
//! the seed documents without a response (`devices.control`) accept an empty `200`.
//! Against a hostile server answering exactly the bytes of each test.

use gizwits_ent::models::{Attrs, ControlCommand};
use gizwits_ent::{BindDevicesRequest, Client, ControlDeviceRequest};
use watchpost_core::sim::{http_response, ScriptedServer};
use watchpost_core::{Error, ErrorKind};

const PRODUCT_KEY: &str = "6f2e214bf2d79649232431b94a25f46a";
const TOKEN: &str = "89d753a234ef42cd90f75da7489e78a4";

/// The product token answer (`POST /v1/products/{pk}/access_token`), valid until 2100.
fn token_answer() -> bytes::Bytes {
    http_response(
        "200 OK",
        &[("Content-Type", "application/json")],
        format!(r#"{{"token":"{TOKEN}","expired_at":4102444800}}"#).as_bytes(),
    )
}

fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .enterprise("ent-id", "ent-secret")
        .product(PRODUCT_KEY, "product-secret")
        .build()
        .unwrap()
}

fn control() -> ControlDeviceRequest {
    ControlDeviceRequest::new(PRODUCT_KEY, "did-1", ControlCommand::attrs(Attrs::new().set("switch", true)))
}

fn bind() -> BindDevicesRequest {
    BindDevicesRequest::new(PRODUCT_KEY, "uid-1", "appid-1", ["did-1"])
}

#[tokio::test(start_paused = true)]
async fn a_redirected_command_is_an_error_and_the_token_stays_home() {
    for (status_line, code) in [("302 Found", 302u16), ("307 Temporary Redirect", 307)] {
        let other = ScriptedServer::start([http_response("200 OK", &[], b"")]).await.unwrap();
        let location = format!("{}/v1/products/{PRODUCT_KEY}/devices/did-1/control", other.base_url());
        let redirect = http_response(status_line, &[("Location", &location)], b"");
        let hostile = ScriptedServer::start([token_answer(), redirect]).await.unwrap();
        let err = client(&hostile.base_url()).control_device(&control()).await.unwrap_err();
        match &err {
            Error::Redirect { status, location: Some(l), .. } => {
                assert_eq!((*status, l.as_str()), (code, location.as_str()))
            }
            other => panic!("{code}: expected Error::Redirect, got {other:?}"),
        }
        let sent = hostile.requests();
        assert_eq!(sent.len(), 2, "{code}: the token, then the command once");
        assert!(sent[1].target().ends_with("/control"), "{:?}", sent[1].head);
        assert_eq!(other.connections(), 0, "{code}: the redirect was followed");
        assert!(!format!("{err} {err:?}").contains(TOKEN));
    }
}

#[tokio::test(start_paused = true)]
async fn an_empty_or_memberless_200_to_a_documented_response_is_a_decode_error() {
    for body in [&b""[..], b"{}", br#"{"unrelated":1}"#] {
        let answer = http_response("200 OK", &[("Content-Type", "application/json")], body);
        let hostile = ScriptedServer::start([token_answer(), answer]).await.unwrap();
        let err = client(&hostile.base_url()).bind_devices(&bind()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{}: {err:?}", String::from_utf8_lossy(body));
    }
    let documented = http_response("200 OK", &[], br#"{"failed":[],"success":["did-1"]}"#);
    let hostile = ScriptedServer::start([token_answer(), documented]).await.unwrap();
    let result = client(&hostile.base_url()).bind_devices(&bind()).await.unwrap();
    assert_eq!(result.success, ["did-1"]);
}

#[tokio::test(start_paused = true)]
async fn control_documents_no_response_so_an_empty_200_is_its_success() {
    let hostile = ScriptedServer::start([token_answer(), http_response("200 OK", &[], b"")]).await.unwrap();
    client(&hostile.base_url()).control_device(&control()).await.unwrap();
    assert_eq!(hostile.requests().len(), 2);
}
