//! The same ISAPI document decodes to the same model whatever namespace form the device uses,
//! and no input makes the XML decoder panic.
#![cfg(feature = "xml")]

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use watchpost_core::codec::xml::{self, NS_HIK_V10, NS_HIK_V20, NS_ISAPI_V20};
use watchpost_core::error::DecodeError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Channel {
    id: u32,
    name: String,
    enabled: bool,
    #[serde(rename = "videoFormat", default, skip_serializing_if = "Option::is_none")]
    video_format: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ChannelList {
    #[serde(rename = "Channel", default)]
    channels: Vec<Channel>,
}

/// Deliberately strict: the namespace declarations and `version` must not reach it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceInfo {
    #[serde(rename = "deviceName")]
    device_name: String,
    #[serde(rename = "deviceID")]
    device_id: String,
    model: String,
    #[serde(rename = "serialNumber")]
    serial_number: String,
    #[serde(rename = "macAddress")]
    mac_address: String,
    #[serde(rename = "firmwareVersion")]
    firmware_version: String,
    #[serde(rename = "firmwareReleasedDate")]
    firmware_released_date: String,
    #[serde(rename = "deviceType")]
    device_type: String,
    #[serde(rename = "telecontrolID", default, skip_serializing_if = "Option::is_none")]
    telecontrol_id: Option<u32>,
    #[serde(rename = "ChannelList")]
    channel_list: ChannelList,
}

/// Tolerant, as vendor models are: unknown elements are skipped.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct DeviceSummary {
    #[serde(rename = "deviceName")]
    device_name: String,
    #[serde(rename = "ChannelList")]
    channel_list: ChannelList,
}

fn expected() -> DeviceInfo {
    DeviceInfo {
        device_name: "Front gate & lobby".into(),
        device_id: "48443937-3632-3134-3038-240f9b1f7d2a".into(),
        model: "DS-PWA96-M-WE".into(),
        serial_number: "Q12345678".into(),
        mac_address: "24:0f:9b:1f:7d:2a".into(),
        firmware_version: "V1.2.8".into(),
        firmware_released_date: "build 230411".into(),
        device_type: "AxPro".into(),
        telecontrol_id: Some(88),
        channel_list: ChannelList {
            channels: vec![
                Channel { id: 1, name: "Lobby".into(), enabled: true, video_format: Some("PAL".into()) },
                Channel { id: 2, name: "Gate <north>".into(), enabled: false, video_format: None },
            ],
        },
    }
}

/// The body of the document, every element written `<{p}name>` so a prefix can be put in.
fn body(p: &str) -> String {
    format!(
        "\n  <{p}deviceName>Front gate &amp; lobby</{p}deviceName>\
         \n  <{p}deviceID>48443937-3632-3134-3038-240f9b1f7d2a</{p}deviceID>\
         \n  <{p}model>DS-PWA96-M-WE</{p}model>\
         \n  <{p}serialNumber>Q12345678</{p}serialNumber>\
         \n  <{p}macAddress>24:0f:9b:1f:7d:2a</{p}macAddress>\
         \n  <{p}firmwareVersion>V1.2.8</{p}firmwareVersion>\
         \n  <{p}firmwareReleasedDate>build 230411</{p}firmwareReleasedDate>\
         \n  <{p}deviceType>AxPro</{p}deviceType>\
         \n  <{p}telecontrolID>88</{p}telecontrolID>\
         \n  <{p}ChannelList version=\"2.0\">\
         \n    <{p}Channel><{p}id>1</{p}id><{p}name>Lobby</{p}name><{p}enabled>true</{p}enabled><{p}videoFormat>PAL</{p}videoFormat></{p}Channel>\
         \n    <{p}Channel><{p}id>2</{p}id><{p}name>Gate &lt;north&gt;</{p}name><{p}enabled>false</{p}enabled></{p}Channel>\
         \n  </{p}ChannelList>\n"
    )
}

const DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// The document under each namespace form a device may use, with a label for failures.
fn forms() -> Vec<(&'static str, String)> {
    let b = body("");
    let with_ns = |ns: &str| format!("{DECL}<DeviceInfo version=\"2.0\" xmlns=\"{ns}\">{b}</DeviceInfo>");
    vec![
        ("hikvision ver20", with_ns(NS_HIK_V20)),
        ("isapi ver20", with_ns(NS_ISAPI_V20)),
        ("hikvision ver10", with_ns(NS_HIK_V10)),
        ("no namespace", format!("{DECL}<DeviceInfo>{b}</DeviceInfo>")),
        (
            "prefixed",
            format!(
                "{DECL}<hik:DeviceInfo version=\"2.0\" xmlns:hik=\"{NS_HIK_V20}\">{}</hik:DeviceInfo>",
                body("hik:")
            ),
        ),
        (
            "prefixed with default namespace and xsi",
            format!(
                "\u{feff}{DECL}<isapi:DeviceInfo xmlns=\"{NS_ISAPI_V20}\" xmlns:isapi=\"{NS_ISAPI_V20}\" \
                 xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" version='2.0'>{}</isapi:DeviceInfo>",
                body("isapi:")
            ),
        ),
    ]
}

#[test]
fn every_namespace_form_decodes_to_the_same_model() {
    for (label, doc) in forms() {
        let strict: DeviceInfo = xml::from_slice(doc.as_bytes()).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(strict, expected(), "{label}");
        let tolerant: DeviceSummary = xml::from_str(&doc).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(tolerant.device_name, expected().device_name, "{label}");
        assert_eq!(tolerant.channel_list, expected().channel_list, "{label}");
    }
}

#[test]
fn documents_written_by_to_string_read_back_under_every_namespace() {
    for ns in [None, Some(NS_HIK_V20), Some(NS_ISAPI_V20), Some(NS_HIK_V10)] {
        let attrs = ns.map(|ns| [("version", "2.0"), ("xmlns", ns)]);
        let options = xml::XmlOptions::new().root_attrs(attrs.as_ref().map_or(&[][..], |a| &a[..]));
        let doc = xml::to_string(&expected(), "DeviceInfo", &options).unwrap();
        assert!(doc.starts_with(DECL), "{doc}");
        if let Some(ns) = ns {
            assert!(doc.contains(&format!("<DeviceInfo version=\"2.0\" xmlns=\"{ns}\">")), "{doc}");
        }
        assert_eq!(xml::from_slice::<DeviceInfo>(doc.as_bytes()).unwrap(), expected(), "{doc}");
    }
}

#[test]
fn a_document_that_does_not_fit_is_an_xml_error() {
    let doc = format!("<DeviceInfo xmlns=\"{NS_ISAPI_V20}\"><deviceName>x</deviceName></DeviceInfo>");
    match xml::from_slice::<DeviceInfo>(doc.as_bytes()) {
        Err(DecodeError::Xml { message, .. }) => assert!(message.contains("missing field"), "{message}"),
        other => panic!("{other:?}"),
    }
    let (_, doc) = &forms()[4];
    let cut = &doc[..doc.len() / 2];
    assert!(matches!(xml::from_slice::<DeviceInfo>(cut.as_bytes()), Err(DecodeError::Xml { .. })));
}

/// Whether a decode failed the documented way (rather than, say, with a JSON error).
fn is_documented<T>(result: &Result<T, DecodeError>) -> bool {
    matches!(
        result,
        Ok(_)
            | Err(DecodeError::Xml { .. }
                | DecodeError::Utf8 { .. }
                | DecodeError::Empty
                | DecodeError::TooDeep { .. })
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(is_documented(&xml::from_slice::<DeviceInfo>(&bytes)));
        prop_assert!(is_documented(&xml::from_slice::<DeviceSummary>(&bytes)));
    }

    #[test]
    fn xml_like_text_never_panics(text in "[<>/?!=:\"' a-zA-Z0-9&;#\\-\\[\\]\u{feff}]{0,200}") {
        prop_assert!(is_documented(&xml::from_str::<DeviceInfo>(&text)));
        prop_assert!(is_documented(&xml::from_str::<ChannelList>(&text)));
    }

    #[test]
    fn spliced_documents_never_panic(
        form in 0usize..6,
        at in any::<prop::sample::Index>(),
        len in 0usize..40,
        junk in proptest::collection::vec(any::<u8>(), 0..16),
    ) {
        let docs = forms();
        let doc = docs[form].1.as_bytes();
        let start = at.index(doc.len());
        let end = (start + len).min(doc.len());
        let mut mutated = doc[..start].to_vec();
        mutated.extend_from_slice(&junk);
        mutated.extend_from_slice(&doc[end..]);
        let decoded = xml::from_slice::<DeviceInfo>(&mutated);
        prop_assert!(is_documented(&decoded));
        if mutated == doc {
            prop_assert_eq!(decoded.ok(), Some(expected()));
        }
        prop_assert!(is_documented(&xml::from_slice::<DeviceSummary>(&doc[..start])));
    }
}
