//! Decoding an ISAPI-like `DeviceInfo` document (~1 KB, with a nested list) as JSON and as XML.
//!
//! `xml/*` go through `codec::xml::from_slice` (local-name matching); `xml/quick_xml_direct` is
//! plain `quick_xml::de::from_str` on the default-namespace document, the floor the namespace
//! handling is measured against.
//!
//! `json/codec_json` is `codec::json::from_slice`, which names the failing path in its errors:
//! the path is found by a second, tracking pass only when the first fails, so a good document
//! costs what `json/serde_json` does. The `*_error/*` benches time that failing path: a wrong
//! type in the last channel, plain and with the path found.
//!
//! `cargo bench -p watchpost-core --features xml --bench codec`
use criterion::{black_box, criterion_main, Criterion, Throughput};
use serde::Deserialize;
use watchpost_core::codec::xml::{self, NS_ISAPI_V20};

#[derive(Debug, Deserialize, PartialEq)]
#[allow(dead_code)]
struct Channel {
    id: u32,
    name: String,
    enabled: bool,
    #[serde(rename = "videoFormat", default)]
    video_format: Option<String>,
    #[serde(rename = "resolutionWidth")]
    width: u32,
    #[serde(rename = "resolutionHeight")]
    height: u32,
}

#[derive(Debug, Deserialize, PartialEq)]
struct ChannelList {
    #[serde(rename = "Channel", default)]
    channels: Vec<Channel>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[allow(dead_code)]
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
    #[serde(rename = "ChannelList")]
    channel_list: ChannelList,
}

const CHANNELS: u32 = 5;

fn xml_doc(p: &str, root_attrs: &str) -> String {
    let mut doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{p}DeviceInfo{root_attrs}>\n\
         <{p}deviceName>Front gate</{p}deviceName>\n\
         <{p}deviceID>48443937-3632-3134-3038-240f9b1f7d2a</{p}deviceID>\n\
         <{p}model>DS-PWA96-M-WE</{p}model>\n\
         <{p}serialNumber>Q12345678</{p}serialNumber>\n\
         <{p}macAddress>24:0f:9b:1f:7d:2a</{p}macAddress>\n\
         <{p}firmwareVersion>V1.2.8</{p}firmwareVersion>\n\
         <{p}firmwareReleasedDate>build 230411</{p}firmwareReleasedDate>\n\
         <{p}deviceType>AxPro</{p}deviceType>\n<{p}ChannelList>\n"
    );
    for i in 1..=CHANNELS {
        doc.push_str(&format!(
            "<{p}Channel><{p}id>{i}</{p}id><{p}name>Camera {i}</{p}name><{p}enabled>true</{p}enabled>\
             <{p}videoFormat>PAL</{p}videoFormat><{p}resolutionWidth>1920</{p}resolutionWidth>\
             <{p}resolutionHeight>1080</{p}resolutionHeight></{p}Channel>\n"
        ));
    }
    doc.push_str(&format!("</{p}ChannelList>\n</{p}DeviceInfo>\n"));
    doc
}

fn json_doc() -> String {
    let channels: Vec<String> = (1..=CHANNELS)
        .map(|i| {
            format!(
                "{{\"id\":{i},\"name\":\"Camera {i}\",\"enabled\":true,\"videoFormat\":\"PAL\",\
                 \"resolutionWidth\":1920,\"resolutionHeight\":1080}}"
            )
        })
        .collect();
    format!(
        "{{\"deviceName\":\"Front gate\",\"deviceID\":\"48443937-3632-3134-3038-240f9b1f7d2a\",\
         \"model\":\"DS-PWA96-M-WE\",\"serialNumber\":\"Q12345678\",\"macAddress\":\"24:0f:9b:1f:7d:2a\",\
         \"firmwareVersion\":\"V1.2.8\",\"firmwareReleasedDate\":\"build 230411\",\"deviceType\":\"AxPro\",\
         \"ChannelList\":{{\"Channel\":[{}]}}}}",
        channels.join(",")
    )
}

fn bench(c: &mut Criterion) {
    let json = json_doc();
    let namespaced = xml_doc("", &format!(" version=\"2.0\" xmlns=\"{NS_ISAPI_V20}\""));
    let prefixed = xml_doc("hik:", &format!(" version=\"2.0\" xmlns:hik=\"{NS_ISAPI_V20}\""));
    let plain = xml_doc("", "");

    // All four must decode to the same model, or the comparison means nothing.
    let want: DeviceInfo = serde_json::from_str(&json).unwrap();
    assert_eq!(want.channel_list.channels.len(), CHANNELS as usize);
    for doc in [&namespaced, &prefixed, &plain] {
        assert_eq!(xml::from_slice::<DeviceInfo>(doc.as_bytes()).unwrap(), want);
    }
    assert_eq!(quick_xml::de::from_str::<DeviceInfo>(&namespaced).unwrap(), want);

    let mut g = c.benchmark_group("decode_device_info");
    g.throughput(Throughput::Bytes(json.len() as u64));
    g.bench_function("json/serde_json", |b| {
        b.iter(|| serde_json::from_slice::<DeviceInfo>(black_box(json.as_bytes())))
    });
    for (name, doc) in [("xml/namespaced", &namespaced), ("xml/prefixed", &prefixed), ("xml/no_namespace", &plain)] {
        g.throughput(Throughput::Bytes(doc.len() as u64));
        g.bench_function(name, |b| b.iter(|| xml::from_slice::<DeviceInfo>(black_box(doc.as_bytes()))));
    }
    g.throughput(Throughput::Bytes(namespaced.len() as u64));
    g.bench_function("xml/quick_xml_direct", |b| {
        b.iter(|| quick_xml::de::from_str::<DeviceInfo>(black_box(&namespaced)))
    });
    g.throughput(Throughput::Bytes(json.len() as u64));
    g.bench_function("json/codec_json", |b| {
        b.iter(|| watchpost_core::codec::json::from_slice::<DeviceInfo>(black_box(json.as_bytes())))
    });
    g.finish();

    // A wrong type in the last channel's `enabled`: the error path, plain and with the path.
    let bad_json = replace_last(&json, "\"enabled\":true", "\"enabled\":{}");
    let bad_xml = replace_last(&namespaced, "<enabled>true</enabled>", "<enabled>maybe</enabled>");
    let e = watchpost_core::codec::json::from_slice::<DeviceInfo>(bad_json.as_bytes()).unwrap_err();
    assert!(e.path().is_some_and(|p| p.ends_with("enabled")), "{e}");
    let e = xml::from_slice::<DeviceInfo>(bad_xml.as_bytes()).unwrap_err();
    assert!(e.path().is_some_and(|p| p.ends_with("enabled")), "{e}");
    let mut g = c.benchmark_group("decode_device_info_error");
    g.bench_function("json/serde_json", |b| {
        b.iter(|| serde_json::from_slice::<DeviceInfo>(black_box(bad_json.as_bytes())))
    });
    g.bench_function("json/codec_json_with_path", |b| {
        b.iter(|| watchpost_core::codec::json::from_slice::<DeviceInfo>(black_box(bad_json.as_bytes())))
    });
    g.bench_function("xml/quick_xml_direct", |b| b.iter(|| quick_xml::de::from_str::<DeviceInfo>(black_box(&bad_xml))));
    g.bench_function("xml/codec_xml_with_path", |b| {
        b.iter(|| xml::from_slice::<DeviceInfo>(black_box(bad_xml.as_bytes())))
    });
    g.finish();
    eprintln!(
        "document sizes: json {} B, xml namespaced {} B, prefixed {} B, no namespace {} B",
        json.len(),
        namespaced.len(),
        prefixed.len(),
        plain.len()
    );
}

/// `text` with the last occurrence of `from` replaced by `to`.
fn replace_last(text: &str, from: &str, to: &str) -> String {
    let at = text.rfind(from).expect("the pattern is in the document");
    format!("{}{to}{}", &text[..at], &text[at + from.len()..])
}

/// Criterion's entry point; a private module keeps the generated `pub fn` out of `missing_docs`.
mod entry {
    criterion::criterion_group!(benches, super::bench);
}
criterion_main!(entry::benches);
