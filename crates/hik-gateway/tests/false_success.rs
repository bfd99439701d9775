//! No false success: a redirect, an empty `200` or a `{}` answer to `security_cp.arm` or
//! `gateway.reboot` is an error, never `{"statusCode": 1}`. Against a hostile server that
//! answers exactly the bytes of each test, with a second listener as the redirect's target.

use hik_gateway::models::{ArmWays, ResponseStatus};
use hik_gateway::Client;
use hik_gateway::{ArmRequest, RebootGatewayRequest};
use watchpost_core::error::DecodeError;
use watchpost_core::sim::{http_response, ScriptedServer};
use watchpost_core::{Error, ErrorKind, Result};

const PASSWORD: &str = "hik-s3cr3t";

/// The two commands of the issue, by their real method names.
#[derive(Clone, Copy, Debug)]
enum Command {
    Arm,
    RebootGateway,
}

impl Command {
    async fn run(self, client: &Client) -> Result<ResponseStatus> {
        match self {
            Command::Arm => client.arm(&ArmRequest::new("1", ArmWays::Away, "dev-1")).await,
            Command::RebootGateway => client.reboot_gateway(&RebootGatewayRequest::new()).await,
        }
    }
}

fn client(base_url: &str) -> Client {
    Client::builder().base_url(base_url).credentials("admin", PASSWORD).build().unwrap()
}

/// A Digest challenge, so that the client answers with credentials before the redirect.
fn challenge() -> bytes::Bytes {
    http_response(
        "401 Unauthorized",
        &[("WWW-Authenticate", r#"Digest realm="gw", qop="auth", nonce="6e6f6e6365", algorithm=MD5"#)],
        b"",
    )
}

#[tokio::test(start_paused = true)]
async fn redirects_to_another_origin_are_errors_naming_the_location_and_never_followed() {
    for command in [Command::Arm, Command::RebootGateway] {
        for (status_line, code) in [("302 Found", 302u16), ("307 Temporary Redirect", 307)] {
            for challenge_first in [false, true] {
                let other =
                    ScriptedServer::start([http_response("200 OK", &[], br#"{"statusCode":1}"#)]).await.unwrap();
                let location = format!("{}/ISAPI/elsewhere?format=json", other.base_url());
                let redirect = http_response(status_line, &[("Location", &location)], b"");
                let script = if challenge_first { vec![challenge(), redirect] } else { vec![redirect] };
                let expect_requests = script.len();
                let hostile = ScriptedServer::start(script).await.unwrap();
                let err = command.run(&client(&hostile.base_url())).await.unwrap_err();
                let case = format!("{command:?} {code} challenge_first={challenge_first}");
                match &err {
                    Error::Redirect { status, location: Some(l), .. } => {
                        assert_eq!(*status, code, "{case}");
                        assert_eq!(*l, location, "{case}");
                    }
                    other => panic!("{case}: expected Error::Redirect, got {other:?}"),
                }
                assert!(err.to_string().contains(&location), "{case}: {err}");
                assert_eq!(hostile.requests().len(), expect_requests, "{case}: exactly one command request");
                assert_eq!(other.connections(), 0, "{case}: nothing, and no credentials, to the other origin");
                if challenge_first {
                    let sent = hostile.requests();
                    assert!(sent.last().and_then(|r| r.header("authorization")).is_some(), "{case}: answered");
                }
                assert!(!format!("{err} {err:?}").contains(PASSWORD));
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn an_empty_200_is_a_decode_error() {
    for command in [Command::Arm, Command::RebootGateway] {
        for body in [&b""[..], b"  \r\n"] {
            let hostile =
                ScriptedServer::start([http_response("200 OK", &[("Content-Type", "application/json")], body)])
                    .await
                    .unwrap();
            let err = command.run(&client(&hostile.base_url())).await.unwrap_err();
            assert!(matches!(err, Error::Decode { source: DecodeError::Empty, .. }), "{command:?}: {err:?}");
            assert_eq!(hostile.requests().len(), 1);
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_body_without_status_code_is_a_decode_error() {
    for command in [Command::Arm, Command::RebootGateway] {
        for body in [&br#"{}"#[..], br#"{"ResponseStatus":{}}"#, br#"{"statusString":"OK","subStatusCode":"ok"}"#] {
            let hostile =
                ScriptedServer::start([http_response("200 OK", &[("Content-Type", "application/json")], body)])
                    .await
                    .unwrap();
            let err = command.run(&client(&hostile.base_url())).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Decode, "{command:?} {}: {err:?}", String::from_utf8_lossy(body));
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_documented_status_still_succeeds() {
    for command in [Command::Arm, Command::RebootGateway] {
        let body = br#"{"requestURL":"/ISAPI/x","statusCode":1,"statusString":"OK","subStatusCode":"ok"}"#;
        let hostile = ScriptedServer::start([http_response("200 OK", &[], body)]).await.unwrap();
        let status = command.run(&client(&hostile.base_url())).await.unwrap();
        assert!(status.is_success(), "{command:?}");
    }
}
