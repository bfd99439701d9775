//! A redirect is never success and never followed: the pipeline against a hostile server
//! (`sim::ScriptedServer`) answering 3xx with a `Location` on a second origin, which must
//! receive nothing.
#![cfg(feature = "sim")]

use http::Method;
use watchpost_core::error::DecodeError;
use watchpost_core::pipeline::Pipeline;
use watchpost_core::sim::{http_response, ScriptedServer};
use watchpost_core::{Error, ErrorClass, ErrorKind, Operation, Request};

static PUT: Operation = Operation::adhoc("test", "test.command", Method::PUT, "/command");
static GET: Operation = Operation::adhoc("test", "test.read", Method::GET, "/read");

fn status_line(code: u16) -> &'static str {
    match code {
        301 => "301 Moved Permanently",
        302 => "302 Found",
        303 => "303 See Other",
        307 => "307 Temporary Redirect",
        _ => "308 Permanent Redirect",
    }
}

#[tokio::test(start_paused = true)]
async fn redirects_are_typed_errors_and_never_followed() {
    for code in [301, 302, 303, 307, 308] {
        for op in [&PUT, &GET] {
            let other = ScriptedServer::start([http_response("200 OK", &[], br#"{"ok":true}"#)]).await.unwrap();
            let location = format!("{}/elsewhere?token=s3cr3t&x=1", other.base_url());
            let hostile = ScriptedServer::start([http_response(status_line(code), &[("Location", &location)], b"")])
                .await
                .unwrap();
            let pipeline = Pipeline::builder("test", hostile.base_url()).build().unwrap();
            let err = pipeline.execute(Request::new(op)).await.unwrap_err();
            match &err {
                Error::Redirect { status, location: Some(l), .. } => {
                    assert_eq!(*status, code);
                    assert!(l.starts_with(&format!("{}/elsewhere", other.base_url())), "{l}");
                }
                other => panic!("{code}: expected Error::Redirect, got {other:?}"),
            }
            assert_eq!(err.class(), ErrorClass::Permanent);
            let text = err.to_string();
            assert!(text.contains(&other.base_url()) && !text.contains("s3cr3t"), "{text}");
            assert_eq!(hostile.requests().len(), 1, "{code} {}: one request, no retry", op.id);
            assert_eq!(other.connections(), 0, "{code} {}: the redirect was followed", op.id);
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_streaming_request_is_not_redirected_either() {
    let other = ScriptedServer::start([http_response("200 OK", &[], b"stream")]).await.unwrap();
    let location = format!("{}/video.mp4", other.base_url());
    let hostile =
        ScriptedServer::start([http_response("302 Found", &[("Location", &location)], b"moved")]).await.unwrap();
    let pipeline = Pipeline::builder("test", hostile.base_url()).build().unwrap();
    let err = pipeline.open_stream(Request::new(&GET)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Redirect, "{err:?}");
    assert_eq!(hostile.requests().len(), 1);
    assert_eq!(other.connections(), 0);
}

#[tokio::test(start_paused = true)]
async fn an_empty_200_reaches_the_decoder_as_empty() {
    let hostile = ScriptedServer::start([http_response("200 OK", &[], b"")]).await.unwrap();
    let pipeline = Pipeline::builder("test", hostile.base_url()).build().unwrap();
    let raw = pipeline.execute(Request::new(&PUT)).await.unwrap();
    let err = raw.json::<serde_json::Value>().unwrap_err();
    assert!(matches!(err, Error::Decode { source: DecodeError::Empty, .. }), "{err:?}");
}
