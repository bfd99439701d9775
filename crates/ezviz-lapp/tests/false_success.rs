//! No false success: a redirect, an empty `200` or a `{}` answer to a command (`set_defence`)
//! is an error; a redirect is never followed, so neither the token nor the app secret reaches
//! the redirect's origin. Against a hostile server answering exactly the bytes of each test.

use ezviz_lapp::models::DefenceMode;
use ezviz_lapp::requests::SetDefenceRequest;
use ezviz_lapp::Client;
use watchpost_core::error::DecodeError;
use watchpost_core::sim::{http_response, ScriptedServer};
use watchpost_core::{Error, ErrorKind};

const TOKEN: &str = "at.t0ken-never-elsewhere";
const SECRET: &str = "app-s3cr3t";

fn fixed_token_client(area: &str) -> Client {
    Client::builder().access_token(TOKEN).area_domain(area).build().unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_redirected_command_is_an_error_and_the_token_stays_home() {
    for (status_line, code) in [("302 Found", 302u16), ("307 Temporary Redirect", 307)] {
        let other = ScriptedServer::start([http_response("200 OK", &[], br#"{"code":"200"}"#)]).await.unwrap();
        let location = format!("{}/api/lapp/device/defence/set", other.base_url());
        let hostile =
            ScriptedServer::start([http_response(status_line, &[("Location", &location)], br#"{"code":"200"}"#)])
                .await
                .unwrap();
        let client = fixed_token_client(&hostile.base_url());
        let err = client.set_defence(&SetDefenceRequest::new("Q00737272", DefenceMode::Away)).await.unwrap_err();
        match &err {
            Error::Redirect { status, location: Some(l), .. } => {
                assert_eq!((*status, l.as_str()), (code, location.as_str()))
            }
            other => panic!("{code}: expected Error::Redirect, got {other:?}"),
        }
        assert_eq!(hostile.requests().len(), 1, "{code}: one request, no retry");
        assert_eq!(other.connections(), 0, "{code}: the redirect was followed");
        assert!(!format!("{err} {err:?}").contains(TOKEN));
    }
}

#[tokio::test(start_paused = true)]
async fn a_redirected_token_request_never_carries_the_secret_elsewhere() {
    let other = ScriptedServer::start([http_response("200 OK", &[], b"{}")]).await.unwrap();
    let location = format!("{}/api/lapp/token/get", other.base_url());
    let hostile = ScriptedServer::start([http_response("307 Temporary Redirect", &[("Location", &location)], b"")])
        .await
        .unwrap();
    let client = Client::builder().app_key("key").app_secret(SECRET).token_host(hostile.base_url()).build().unwrap();
    let err = client.set_defence(&SetDefenceRequest::new("Q00737272", DefenceMode::Arm)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Redirect, "{err:?}");
    assert_eq!(hostile.requests().len(), 1, "only the token request, once");
    assert_eq!(other.connections(), 0, "the app secret went to the redirect's origin");
    assert!(!format!("{err} {err:?}").contains(SECRET));
}

#[tokio::test(start_paused = true)]
async fn an_empty_or_envelope_less_200_is_a_decode_error() {
    for (body, empty) in [(&b""[..], true), (b"{}", false), (br#"{"msg":"ok"}"#, false)] {
        let hostile = ScriptedServer::start([http_response("200 OK", &[], body)]).await.unwrap();
        let client = fixed_token_client(&hostile.base_url());
        let err = client.set_defence(&SetDefenceRequest::new("Q00737272", DefenceMode::Away)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{}: {err:?}", String::from_utf8_lossy(body));
        assert_eq!(matches!(err, Error::Decode { source: DecodeError::Empty, .. }), empty, "{err:?}");
    }
}
