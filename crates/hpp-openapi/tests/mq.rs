//! The alarm queue (3.33-3.36) against the simulator over loopback: subscribe, poll, confirm,
//! redelivery of an unconfirmed batch, picture URLs, and the client-side checks.

use hpp_openapi::models::mq::{FormatType, SubMode, SubType};
use hpp_openapi::requests::{AlarmPictureUrlRequest, MqMessagesRequest, MqOffsetRequest, MqSubscribeRequest};
use hpp_openapi::sim::Simulator;
use hpp_openapi::{HppCode, HppErrorExt as _};
use serde_json::json;
use watchpost_core::ErrorKind;

#[tokio::test]
async fn subscribed_alarms_arrive_in_a_batch_that_stays_until_confirmed() {
    let sim = Simulator::start().await.unwrap();
    sim.set_redelivery_delay(std::time::Duration::ZERO);
    let client = sim.client_builder().build().unwrap();

    // Nothing subscribed: alarms are dropped, a poll is empty.
    assert!(!sim.push_alarm("Q01728482", FormatType::Json, json!({"eventType": "cidEvent"})));
    let idle = client.mq_messages(&MqMessagesRequest::new()).await.unwrap();
    assert!(idle.is_empty() && idle.batch_id.is_none());

    client
        .mq_subscribe(&MqSubscribeRequest::new(SubType::Subscribe, SubMode::List).device_serial_list(["Q01728482"]))
        .await
        .unwrap();
    assert!(sim.push_alarm("Q01728482", FormatType::Json, json!({"eventType": "cidEvent", "cid": 1130})));
    assert!(sim.push_alarm("Q01728482", FormatType::Xml, json!("<EventNotificationAlert/>")));
    assert!(!sim.push_alarm("OTHER0001", FormatType::Json, json!({})), "not in the list");
    sim.set_offline("Q01728482", true);
    assert!(!sim.push_alarm("Q01728482", FormatType::Json, json!({})), "an offline device sends nothing");
    sim.set_offline("Q01728482", false);

    let batch = client.mq_messages(&MqMessagesRequest::new()).await.unwrap();
    assert_eq!(batch.list.len(), 2);
    assert_eq!(batch.list[0].device_serial, "Q01728482");
    assert_eq!(batch.list[0].alarm_json().unwrap()["cid"], 1130);
    assert_eq!(batch.list[1].format_type, FormatType::Xml);
    assert_eq!(batch.list[1].alarm_text(), "<EventNotificationAlert/>");
    let id = batch.batch_id.clone().unwrap();

    // Not confirmed: the same batch comes again.
    let again = client.mq_messages(&MqMessagesRequest::new()).await.unwrap();
    assert_eq!(again, batch);
    assert_eq!(sim.alarms_unconfirmed(), 2);

    client.mq_offset(&MqOffsetRequest::new(id.clone())).await.unwrap();
    assert_eq!(sim.batches_confirmed(), 1);
    assert_eq!(sim.alarms_unconfirmed(), 0);
    assert!(client.mq_messages(&MqMessagesRequest::new()).await.unwrap().is_empty());
    // Confirming it twice is an error, not a silent success.
    let err = client.mq_offset(&MqOffsetRequest::new(id)).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::ParameterError));

    // Subscribing to all devices takes any device; unsubscribing stops them.
    client.mq_subscribe(&MqSubscribeRequest::new(SubType::Subscribe, SubMode::All)).await.unwrap();
    assert!(sim.push_alarm("OTHER0001", FormatType::Json, json!({})));
    client.mq_subscribe(&MqSubscribeRequest::new(SubType::Unsubscribe, SubMode::All)).await.unwrap();
    assert!(!sim.push_alarm("OTHER0001", FormatType::Json, json!({})));
    sim.shutdown().await;
}

#[tokio::test]
async fn the_bodiless_poll_sends_an_empty_json_object() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    client.mq_messages(&MqMessagesRequest::new()).await.unwrap();
    let entry = sim.journal().last_of("mq.messages").unwrap();
    assert_eq!(&entry.body[..], b"{}");
    assert!(entry.headers.get("content-type").is_some_and(|v| v.as_bytes().starts_with(b"application/json")));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_picture_url_is_given_for_an_alarm_file_path() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let path = "ISAPI_FILES/C94115305_6/20210809105618274-C94115305-6-10000-2$encrypt=2,2021-08-09T12:54:25,fd9b7f16393203046d40be71da380128";
    let pic = client.alarm_picture_url(&AlarmPictureUrlRequest::new(path)).await.unwrap();
    assert!(pic.encrypt);
    assert!(pic.picture_url.starts_with(&sim.area_domain()), "{}", pic.picture_url);
    let err = client.alarm_picture_url(&AlarmPictureUrlRequest::new("elsewhere/x.jpg")).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::InvalidAlarmPictureUrl));
    sim.shutdown().await;
}

#[tokio::test]
async fn documented_limits_are_checked_before_anything_is_sent() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let err = client.mq_subscribe(&MqSubscribeRequest::new(SubType::Subscribe, SubMode::List)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = client.mq_offset(&MqOffsetRequest::new(" ")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(sim.requests_total(), 0, "nothing was sent, not even a token request");
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_idle_poll_is_held_until_an_alarm_arrives_or_the_long_poll_ends() {
    use std::time::Duration;
    use tokio::time::Instant;
    let sim = std::sync::Arc::new(Simulator::start().await.unwrap());
    sim.set_long_poll(Duration::from_secs(20));
    let client = sim.client_builder().build().unwrap();
    client.mq_subscribe(&MqSubscribeRequest::new(SubType::Subscribe, SubMode::All)).await.unwrap();
    let started = Instant::now();
    assert!(client.mq_messages(&MqMessagesRequest::new()).await.unwrap().is_empty());
    assert_eq!(started.elapsed().as_secs(), 20, "held the whole long poll");

    let pusher = sim.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(5)).await;
        pusher.push_alarm("D1", FormatType::Json, json!({"n": 1}));
    });
    let started = Instant::now();
    let batch = client.mq_messages(&MqMessagesRequest::new()).await.unwrap();
    assert_eq!((batch.list.len(), started.elapsed().as_secs()), (1, 5), "answered when the alarm came");
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_platform_keeps_two_hours_of_alarms_and_one_consumer_per_key() {
    use std::time::Duration;
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    client.mq_subscribe(&MqSubscribeRequest::new(SubType::Subscribe, SubMode::All)).await.unwrap();
    assert!(sim.push_alarm("D1", FormatType::Json, json!({"n": 1})));
    tokio::time::advance(Duration::from_secs(3600)).await;
    assert!(sim.push_alarm("D1", FormatType::Json, json!({"n": 2})));
    tokio::time::advance(Duration::from_secs(3600)).await;
    let batch = client.mq_messages(&MqMessagesRequest::new()).await.unwrap();
    assert_eq!(batch.list.len(), 1, "the first alarm is older than two hours");
    assert_eq!(batch.list[0].alarm_json().unwrap()["n"], 2);
    assert_eq!(sim.alarms_expired(), 1);

    // A second consumer (another token of the same key) is refused while the first holds it.
    let second = sim.client_builder().build().unwrap();
    let err = second.customize(|o| o.disable_retry()).mq_messages(&MqMessagesRequest::new()).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::SearchInProgress));
    assert_eq!(sim.consumer_rejections(), 1);
    tokio::time::advance(hpp_openapi::sim::DEFAULT_CONSUMER_LEASE).await;
    let again = second.mq_messages(&MqMessagesRequest::new()).await.unwrap();
    assert_eq!(again.list.len(), 0, "the unconfirmed batch is not due again yet");
    tokio::time::advance(hpp_openapi::sim::DEFAULT_REDELIVERY_DELAY).await;
    let again = second.mq_messages(&MqMessagesRequest::new()).await.unwrap();
    assert_eq!(again, batch, "the first consumer's unconfirmed batch, same id");
    assert_eq!(sim.batches_redelivered(), 1);
    sim.shutdown().await;
}
