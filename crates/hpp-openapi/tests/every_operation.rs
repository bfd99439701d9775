//! Every operation of this crate's part (the token endpoint and the MQ chapter, 3.33-3.36) is
//! called against the simulator over loopback with its typed result checked; the chapters'
//! operations are proven by their own test files (`sites.rs`, `devices.rs`, `isapi.rs`, ...).

use hpp_openapi::models::mq::{FormatType, SubMode, SubType};
use hpp_openapi::requests::{AlarmPictureUrlRequest, MqMessagesRequest, MqOffsetRequest, MqSubscribeRequest};
use hpp_openapi::sim::Simulator;
use serde_json::json;

/// The operations this file proves.
const BASE_OPERATIONS: &[&str] = &["token.get", "mq.subscribe", "mq.messages", "mq.offset", "alarm.pictureurl"];

#[tokio::test]
async fn every_base_operation_is_called_with_its_typed_result_checked() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    client.mq_subscribe(&MqSubscribeRequest::new(SubType::Subscribe, SubMode::All)).await.unwrap();
    assert!(sim.push_alarm("Q01728482", FormatType::Json, json!({"eventType": "cidEvent"})));
    let batch = client.mq_messages(&MqMessagesRequest::new()).await.unwrap();
    assert_eq!(batch.list.len(), 1);
    let id = batch.batch_id.unwrap();
    client.mq_offset(&MqOffsetRequest::new(id)).await.unwrap();
    let pic = client.alarm_picture_url(&AlarmPictureUrlRequest::new("ISAPI_FILES/x/y")).await.unwrap();
    assert!(!pic.encrypt && !pic.picture_url.is_empty());
    assert_eq!(client.token_fetches(), 1);

    let unhit = sim.unhit_operations();
    for op in BASE_OPERATIONS {
        assert!(hpp_openapi::OPERATIONS.iter().any(|o| o.id == *op), "{op} is not in the spec");
        assert!(!unhit.contains(op), "{op} was not called");
    }
    sim.shutdown().await;
}
