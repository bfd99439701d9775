//! ISAPI XML documents: the core XML codec with ISAPI's root attributes.
//!
//! The core codec (`watchpost_core::codec::xml`) writes no vendor attribute by default. ISAPI
//! request documents carry `version="2.0"` and the ISAPI 2.0 namespace on their root element,
//! as in the seed's literal example (`<NTPServer version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">`):
//! [`to_string`] and [`to_body`] pass exactly those. Reading needs nothing of the kind: the core
//! decoder matches names whatever the namespace.

use serde::Serialize;
use watchpost_core::codec::xml::{self, XmlOptions, NS_ISAPI_V20};
use watchpost_core::Body;

/// The `version` attribute of ISAPI request documents.
pub const ISAPI_VERSION: &str = "2.0";

/// The root attributes of an ISAPI request document, in the order ISAPI writes them.
pub const ISAPI_ROOT_ATTRS: &[(&str, &str)] = &[("version", ISAPI_VERSION), ("xmlns", NS_ISAPI_V20)];

/// The core codec's options for ISAPI request documents.
pub const ISAPI: XmlOptions<'static> = XmlOptions::new().root_attrs(ISAPI_ROOT_ATTRS);

/// Writes `value` as an ISAPI document whose root element is `root`:
/// `<?xml version="1.0" encoding="UTF-8"?>\n<root version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">...`.
///
/// # Errors
/// A message when `root` is not an XML name or `value` cannot be written as XML.
pub fn to_string<T: Serialize + ?Sized>(value: &T, root: &str) -> Result<String, String> {
    xml::to_string(value, root, &ISAPI)
}

/// [`to_string`] as a request body of operation `op`.
///
/// # Errors
/// [`Error::InvalidInput`](watchpost_core::Error::InvalidInput) when the value cannot be written.
pub fn to_body<T: Serialize + ?Sized>(op: &str, value: &T, root: &str) -> watchpost_core::Result<Body> {
    xml::to_body(op, value, root, &ISAPI)
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;

    /// The NTP server document of the seed's ISAPI pass-through example.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct NtpServer {
        id: u32,
        #[serde(rename = "addressingFormatType")]
        addressing_format_type: String,
        #[serde(rename = "ipAddress")]
        ip_address: String,
        #[serde(rename = "portNo")]
        port_no: u16,
        #[serde(rename = "synchronizeInterval")]
        synchronize_interval: u32,
    }

    /// hik-partner-pro-openapi.txt l.2022-2030, the only literal ISAPI XML request of the seeds,
    /// with its scanning defects repaired (`<id>>1</id>\n</d>`, `<synchronizeInterval>1\n</nterval>`,
    /// the missing `</NTPServer>`) and the line breaks between elements left out, as quick-xml
    /// writes none.
    const SEED_NTP_SERVER: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
        <NTPServer version=\"2.0\" xmlns=\"http://www.isapi.org/ver20/XMLSchema\">\
        <id>1</id>\
        <addressingFormatType>ipaddress</addressingFormatType>\
        <ipAddress>10.10.10.10</ipAddress>\
        <portNo>123</portNo>\
        <synchronizeInterval>1</synchronizeInterval>\
        </NTPServer>";

    fn ntp() -> NtpServer {
        NtpServer {
            id: 1,
            addressing_format_type: "ipaddress".into(),
            ip_address: "10.10.10.10".into(),
            port_no: 123,
            synchronize_interval: 1,
        }
    }

    #[test]
    fn isapi_documents_are_written_byte_for_byte_as_the_seed_shows() {
        assert_eq!(to_string(&ntp(), "NTPServer").unwrap(), SEED_NTP_SERVER);
        let body = to_body("isapi.ntp.put", &ntp(), "NTPServer").unwrap();
        assert_eq!(body.content_type(), Some("application/xml"));
        assert_eq!(&body.encode()[..], SEED_NTP_SERVER.as_bytes());
        // And they read back.
        assert_eq!(xml::from_str::<NtpServer>(SEED_NTP_SERVER).unwrap(), ntp());
    }

    #[test]
    fn a_bad_root_is_invalid_input() {
        let e = to_body("isapi.ntp.put", &ntp(), "not a name").unwrap_err();
        assert_eq!((e.kind(), e.op()), (watchpost_core::ErrorKind::InvalidInput, "isapi.ntp.put"));
    }
}
