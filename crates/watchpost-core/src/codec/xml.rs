//! XML bodies (feature `xml`): quick-xml's serde support, matching element names by local name
//! whatever the namespace.
//!
//! Hikvision ISAPI devices send the same document under different namespaces
//! ([`NS_HIK_V20`], [`NS_ISAPI_V20`], [`NS_HIK_V10`], or none at all), and some firmware writes
//! prefixed names (`<hik:DeviceInfo xmlns:hik="...">`). Models are therefore plain serde structs
//! named by local name (`#[serde(rename = "deviceName")]`), and [`from_slice`] hands the
//! deserializer a document in which:
//! - element and attribute prefixes are stripped (`hik:deviceName` reads as `deviceName`);
//! - namespace declarations (`xmlns`, `xmlns:*`) and `version` attributes are dropped, so a model
//!   with `#[serde(deny_unknown_fields)]` still accepts an ISAPI document;
//! - a UTF-8 byte order mark and the XML declaration are skipped.
//!
//! The usual ISAPI document declares its namespace and version on the root element only: then
//! the root tag alone is rewritten after a quick scan of the rest, which costs about 6% over
//! plain quick-xml on a 1.4 KB `DeviceInfo` (see `benches/codec.rs`). Other documents (prefixes,
//! `xmlns` or `version` below the root) take one pass of quick-xml's borrowing reader that
//! copies untouched spans verbatim and re-emits only the tags that need it. A document that
//! needs no change is not copied at all.
//!
//! Decoding refuses a document whose elements nest deeper than [`MAX_DEPTH`] levels with
//! [`DecodeError::TooDeep`], before any recursive decoding starts: serde deserializers (quick-xml's
//! included) recurse once per level, and a 15 KB part of 5,000 nested elements would otherwise
//! overflow a 2 MiB tokio worker stack and abort the process. The check is one pass of
//! quick-xml's borrowing reader that only counts start and end tags, so it reads the document
//! exactly as the deserializer will; it adds about 1.4 µs (13%) to the decoding of the ~1 KB
//! `DeviceInfo` of `benches/codec.rs`.
//!
//! An empty element (`<zoneName/>`) decodes as `Some("")` into an `Option<String>`, and quick-xml
//! writes `None` as an empty element: mark optional request fields with
//! `#[serde(skip_serializing_if = "Option::is_none")]` so they are left out instead.
//!
//! ```
//! use serde::Deserialize;
//! use watchpost_core::codec::xml;
//!
//! #[derive(Debug, Deserialize, PartialEq)]
//! struct DeviceInfo {
//!     #[serde(rename = "deviceName")]
//!     device_name: String,
//! }
//!
//! let a: DeviceInfo = xml::from_slice(
//!     br#"<DeviceInfo version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema"><deviceName>Gate</deviceName></DeviceInfo>"#,
//! )?;
//! let b: DeviceInfo = xml::from_slice(
//!     br#"<hik:DeviceInfo xmlns:hik="http://www.hikvision.com/ver20/XMLSchema"><hik:deviceName>Gate</hik:deviceName></hik:DeviceInfo>"#,
//! )?;
//! assert_eq!(a, b);
//!
//! let isapi = xml::XmlOptions::new().root_attrs(&[("version", "2.0"), ("xmlns", xml::NS_ISAPI_V20)]);
//! let body = xml::to_string(&a_request(), "IOPortData", &isapi)?;
//! assert!(body.contains(r#"<IOPortData version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">"#));
//! # fn a_request() -> std::collections::BTreeMap<&'static str, &'static str> {
//! #     [("outputState", "high")].into_iter().collect()
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;
use quick_xml::Reader;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::DecodeError;
use crate::operation::Body;

/// The namespace of Hikvision's ISAPI 2.0 documents: `http://www.hikvision.com/ver20/XMLSchema`.
pub const NS_HIK_V20: &str = "http://www.hikvision.com/ver20/XMLSchema";

/// The namespace of ISAPI 2.0 documents on newer firmware: `http://www.isapi.org/ver20/XMLSchema`.
pub const NS_ISAPI_V20: &str = "http://www.isapi.org/ver20/XMLSchema";

/// The namespace of Hikvision's older ISAPI 1.0 documents: `http://www.hikvision.com/ver10/XMLSchema`.
pub const NS_HIK_V10: &str = "http://www.hikvision.com/ver10/XMLSchema";

/// The namespaces ISAPI devices are known to use; the fourth form is no namespace at all.
/// Decoding accepts every one of them (and any other).
pub const ISAPI_NAMESPACES: [&str; 3] = [NS_HIK_V20, NS_ISAPI_V20, NS_HIK_V10];

/// The XML declaration [`to_string`] starts every document with.
pub const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Deepest element nesting [`from_slice`] and [`from_str`] accept, in levels (the root element
/// is level 1; an empty element `<a/>` counts as one level).
///
/// Deeper documents are refused with [`DecodeError::TooDeep`]. Real ISAPI documents nest fewer
/// than 10 levels (`SubscribeDeviceMgmtRsp/FailList/Dev/...`); 128 is the limit `serde_json`
/// applies to JSON, so both body formats share one figure. Decoding 128 levels into a generic
/// value (`serde_json::Value`) or a recursive model takes well under a 2 MiB thread stack, a
/// tokio worker's default, even in a debug build.
pub const MAX_DEPTH: usize = 128;

/// Longest error message kept in a [`DecodeError::Xml`], in characters.
const MAX_MESSAGE_CHARS: usize = 160;

/// Decodes XML into `T`, matching element and attribute names by local name whatever the
/// namespace (see the [module documentation](self)).
///
/// # Errors
/// [`DecodeError::Utf8`] when the body is not UTF-8, [`DecodeError::Empty`] when it holds only
/// whitespace, [`DecodeError::TooDeep`] when elements nest deeper than [`MAX_DEPTH`],
/// [`DecodeError::Xml`] when it is not well-formed XML or does not fit `T`.
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    let text = std::str::from_utf8(body).map_err(|source| DecodeError::Utf8 { source })?;
    from_str(text)
}

/// Decodes XML text into `T`, matching names by local name whatever the namespace; see
/// [`from_slice`].
///
/// # Errors
/// [`DecodeError::Empty`] when the text holds only whitespace, [`DecodeError::TooDeep`] when
/// elements nest deeper than [`MAX_DEPTH`], [`DecodeError::Xml`] when it is not well-formed XML
/// or does not fit `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().is_empty() {
        return Err(DecodeError::Empty);
    }
    check_depth(text, MAX_DEPTH)?;
    let doc = normalize(text)?;
    quick_xml::de::from_str(&doc).map_err(|plain| {
        // Decode again, tracking the path, only now that it failed: a good document costs
        // nothing more, and the deterministic second pass fails where the first did.
        let mut de = quick_xml::de::Deserializer::from_str(&doc);
        match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Err(e) => {
                let path = element_path(e.path());
                let err = xml_error(e.into_inner().to_string());
                if path.is_empty() {
                    err
                } else {
                    err.under(&path)
                }
            }
            Ok(_) => xml_error(plain.to_string()),
        }
    })
}

/// The path of elements (`CIDAlarm.zoneNo`, `ZoneList.Zone[1].id`), without quick-xml's
/// internal `$text` and `$value` members; empty at the root.
fn element_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Map { key } if key == "$text" || key == "$value" => {}
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            other => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&other.to_string());
            }
        }
    }
    out
}

/// How [`to_string`] writes a document: the attributes of its root element.
///
/// The default writes none, a plain `<root>`. A vendor passes its own: ISAPI requests carry
/// `version="2.0"` and `xmlns="http://www.isapi.org/ver20/XMLSchema"` (see the hik-gateway crate),
/// other XML APIs nothing, or something else entirely.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XmlOptions<'a> {
    /// `(name, value)` attributes written on the root element, in this order; values are
    /// escaped, names must be XML names.
    pub root_attrs: &'a [(&'a str, &'a str)],
}

impl<'a> XmlOptions<'a> {
    /// No root attributes.
    pub const fn new() -> Self {
        XmlOptions { root_attrs: &[] }
    }

    /// The same options with these root attributes.
    #[must_use]
    pub const fn root_attrs(mut self, root_attrs: &'a [(&'a str, &'a str)]) -> Self {
        self.root_attrs = root_attrs;
        self
    }
}

/// Serializes `value` as an XML document whose root element is `root`.
///
/// The document starts with [`DECLARATION`]; the root element carries the attributes of
/// `options` (none by default):
/// `<IOPortData version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">` with ISAPI's.
///
/// # Errors
/// A message when `root` or an attribute name is not a valid XML name, or `value` cannot be
/// written as XML (a bare sequence or map key that is not a name, for instance).
pub fn to_string<T: Serialize + ?Sized>(value: &T, root: &str, options: &XmlOptions<'_>) -> Result<String, String> {
    if !is_xml_name(root) {
        return Err(format!("cannot encode XML body: {root:?} is not an XML element name"));
    }
    if let Some((name, _)) = options.root_attrs.iter().find(|(name, _)| !is_xml_name(name)) {
        return Err(format!("cannot encode XML body: {name:?} is not an XML attribute name"));
    }
    let body = quick_xml::se::to_string_with_root(root, value).map_err(|e| format!("cannot encode XML body: {e}"))?;
    let attrs_len: usize = options.root_attrs.iter().map(|(n, v)| n.len() + v.len() + 4).sum();
    let mut out = String::with_capacity(DECLARATION.len() + body.len() + attrs_len);
    out.push_str(DECLARATION);
    if options.root_attrs.is_empty() {
        out.push_str(&body);
        return Ok(out);
    }
    // The serializer writes `<root` first; insert the attributes right after the name.
    let rest = body
        .strip_prefix('<')
        .and_then(|b| b.strip_prefix(root))
        .ok_or_else(|| format!("cannot encode XML body: root element is not <{root}>"))?;
    out.push('<');
    out.push_str(root);
    for (name, value) in options.root_attrs {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        out.push_str(&quick_xml::escape::escape(*value));
        out.push('"');
    }
    out.push_str(rest);
    Ok(out)
}

/// Serializes `value` with [`to_string`] into a [`Body::Xml`] request body.
///
/// # Errors
/// [`Error::InvalidInput`](crate::Error::InvalidInput) for operation `op` when the value cannot be
/// written as XML.
pub fn to_body<T: Serialize + ?Sized>(
    op: &str,
    value: &T,
    root: &str,
    options: &XmlOptions<'_>,
) -> crate::Result<Body> {
    to_string(value, root, options)
        .map(|s| Body::Xml(s.into()))
        .map_err(|message| crate::Error::invalid_input(op, message))
}

/// Refuses `text` when its elements nest deeper than `limit` levels.
///
/// One pass of the borrowing reader, counting start tags up and end tags down; an empty element
/// counts as a level of its own. It stops at the first tag past the limit, so a hostile document
/// costs no more than `limit` levels of reading. End tag names are not matched here (the
/// decoding passes do that); a syntax error the reader meets is reported as it is, since no later
/// pass could read past it either.
fn check_depth(text: &str, limit: usize) -> Result<(), DecodeError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = false;
    let mut depth = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| xml_error(format!("{e} (at byte {})", reader.error_position())))?;
        match event {
            Event::Start(_) => {
                depth += 1;
                if depth > limit {
                    return Err(DecodeError::TooDeep { limit });
                }
            }
            Event::Empty(_) if depth >= limit => return Err(DecodeError::TooDeep { limit }),
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// Whether `name` is an XML name: a letter or `_` first, then also digits, `-`, `.` and `:`
/// (quick-xml's serializer lets an empty name through).
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
}

/// Rewrites `text` so that names are local names and no `xmlns`/`version` attribute is left.
///
/// The common ISAPI document declares its namespace and version on the root element only and
/// uses no prefixes: then only the root tag is rewritten ([`normalize_root`]). Anything else
/// takes the full pass ([`normalize_full`]).
fn normalize(text: &str) -> Result<Cow<'_, str>, DecodeError> {
    match normalize_root(text)? {
        Some(doc) => Ok(doc),
        None => normalize_full(text),
    }
}

/// The fast path of [`normalize`]: when nothing after the root start tag can need a rewrite,
/// rewrites the root tag alone. `None` when the full pass is needed (or the prolog is malformed,
/// which the full pass reports with its position).
///
/// After the root tag it only looks for `xmlns` and `version` anywhere and for a `:` in a tag or
/// attribute name; a false alarm (in text, a comment or CDATA) merely sends the document down
/// the full pass. Well-formedness past the root tag is left to the deserializer, which checks it
/// as well.
fn normalize_root(text: &str) -> Result<Option<Cow<'_, str>>, DecodeError> {
    let mut reader = Reader::from_str(text);
    loop {
        let start = position(&reader);
        let Ok(event) = reader.read_event() else { return Ok(None) };
        match event {
            Event::Start(ref tag) | Event::Empty(ref tag) => {
                let end = position(&reader);
                let Some(rest) = text.get(end..) else { return Ok(None) };
                if rest.contains("xmlns") || rest.contains("version") || has_prefixed_name(rest) {
                    return Ok(None);
                }
                if !needs_rewrite(tag)? {
                    return Ok(Some(Cow::Borrowed(text)));
                }
                let mut buf = String::with_capacity(text.len());
                buf.push_str(span(text, 0, start)?);
                write_start(&mut buf, tag, matches!(event, Event::Empty(_)))?;
                buf.push_str(rest);
                return Ok(Some(Cow::Owned(buf)));
            }
            Event::Eof | Event::End(_) => return Ok(None),
            _ => {}
        }
    }
}

/// Whether some tag in `text` has a `:` in its name or an attribute name. Conservative: a `<` in
/// a comment or CDATA section counts as a tag, and so does an unterminated quote.
fn has_prefixed_name(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    loop {
        // `from` is always at an ASCII byte or the end; should it not be, answer "yes".
        let Some(tail) = text.get(from..) else { return true };
        let Some(found) = tail.find('<') else { return false };
        let mut i = from + found + 1;
        match bytes.get(i) {
            Some(b'/') => i += 1,
            Some(b'!' | b'?') => {
                from = i;
                continue;
            }
            _ => {}
        }
        // Inside the tag: its name and attribute names up to `>`, quoted values skipped.
        while let Some(&b) = bytes.get(i) {
            match b {
                b':' => return true,
                b'>' | b'<' => break,
                b'"' | b'\'' => match bytes.get(i + 1..).and_then(|t| t.iter().position(|&c| c == b)) {
                    Some(len) => i += len + 2,
                    None => return true,
                },
                _ => i += 1,
            }
        }
        from = i;
    }
}

/// The full pass of [`normalize`]: every tag that needs it is re-emitted.
///
/// Spans that need no change are copied verbatim; when nothing needs a change the input is
/// returned as is. The reader also checks well-formedness (matching end tags, attribute syntax).
fn normalize_full(text: &str) -> Result<Cow<'_, str>, DecodeError> {
    let mut reader = Reader::from_str(text);
    let mut out: Option<String> = None;
    // Bytes of `text` already copied (or replaced) into `out`.
    let mut copied = 0usize;
    loop {
        let start = position(&reader);
        let event = reader.read_event().map_err(|e| xml_error(format!("{e} (at byte {})", reader.error_position())))?;
        match event {
            Event::Start(ref tag) | Event::Empty(ref tag) if needs_rewrite(tag)? => {
                let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
                buf.push_str(span(text, copied, start)?);
                write_start(buf, tag, matches!(event, Event::Empty(_)))?;
                copied = position(&reader);
            }
            Event::End(ref tag) if tag.name().prefix().is_some() => {
                let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
                buf.push_str(span(text, copied, start)?);
                buf.push_str("</");
                buf.push_str(name_str(tag.name().local_name().into_inner())?);
                buf.push('>');
                copied = position(&reader);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match out {
        None => Ok(Cow::Borrowed(text)),
        Some(mut buf) => {
            buf.push_str(span(text, copied, text.len())?);
            Ok(Cow::Owned(buf))
        }
    }
}

/// Whether an attribute is dropped on the way in: `xmlns`, `xmlns:*` and `version`.
fn is_dropped(key: QName<'_>) -> bool {
    key.as_namespace_binding().is_some() || key.as_ref() == b"version"
}

/// Whether a start tag has a prefix, a dropped attribute or a prefixed attribute.
fn needs_rewrite(tag: &BytesStart<'_>) -> Result<bool, DecodeError> {
    if tag.name().prefix().is_some() {
        return Ok(true);
    }
    if tag.attributes_raw().iter().all(u8::is_ascii_whitespace) {
        return Ok(false);
    }
    for attr in tag.attributes() {
        let attr = attr.map_err(|e| xml_error(format!("bad attribute: {e}")))?;
        if is_dropped(attr.key) || attr.key.prefix().is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Writes `<local attr="..."...>` (or `/>`), keeping attributes by local name, dropping
/// namespace declarations and `version`, and keeping the first of attributes whose local names
/// collide once prefixes are gone.
fn write_start(buf: &mut String, tag: &BytesStart<'_>, empty: bool) -> Result<(), DecodeError> {
    buf.push('<');
    buf.push_str(name_str(tag.name().local_name().into_inner())?);
    let mut written: Vec<Vec<u8>> = Vec::new();
    for attr in tag.attributes() {
        let attr = attr.map_err(|e| xml_error(format!("bad attribute: {e}")))?;
        if is_dropped(attr.key) {
            continue;
        }
        let local = attr.key.local_name().into_inner();
        if written.iter().any(|w| w == local) {
            continue;
        }
        written.push(local.to_vec());
        // The raw value is kept escaped as it was; a value that came single-quoted may hold `"`.
        let value = name_str(&attr.value)?;
        let quote = if value.contains('"') { '\'' } else { '"' };
        buf.push(' ');
        buf.push_str(name_str(local)?);
        buf.push('=');
        buf.push(quote);
        buf.push_str(value);
        buf.push(quote);
    }
    buf.push_str(if empty { "/>" } else { ">" });
    Ok(())
}

/// The reader's position as an index into the input.
fn position(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

/// `text[from..to]`, as an error instead of a panic should the reader's positions be off.
fn span(text: &str, from: usize, to: usize) -> Result<&str, DecodeError> {
    text.get(from..to).ok_or_else(|| xml_error(format!("internal: bad span {from}..{to}")))
}

/// Bytes of a name or raw value, which come from a `&str` split at ASCII delimiters.
fn name_str(bytes: &[u8]) -> Result<&str, DecodeError> {
    std::str::from_utf8(bytes).map_err(|_| xml_error("name is not UTF-8".to_owned()))
}

/// A [`DecodeError::Xml`] whose message is cut to [`MAX_MESSAGE_CHARS`].
fn xml_error(mut message: String) -> DecodeError {
    if let Some((cut, _)) = message.char_indices().nth(MAX_MESSAGE_CHARS) {
        message.truncate(cut);
        message.push('…');
    }
    DecodeError::xml(message)
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Zone {
        id: u32,
        #[serde(rename = "zoneName")]
        name: String,
        #[serde(rename = "detectorType", default, skip_serializing_if = "Option::is_none")]
        detector: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct ZoneList {
        #[serde(rename = "Zone", default)]
        zones: Vec<Zone>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Panel {
        #[serde(rename = "deviceName")]
        device_name: String,
        #[serde(rename = "enabled")]
        enabled: bool,
        #[serde(rename = "ZoneList")]
        zone_list: ZoneList,
        #[serde(rename = "remark", default, skip_serializing_if = "Option::is_none")]
        remark: Option<String>,
    }

    fn panel() -> Panel {
        Panel {
            device_name: "Hall <1> & \"2\"".into(),
            enabled: true,
            zone_list: ZoneList {
                zones: vec![
                    Zone { id: 1, name: "Door".into(), detector: Some("magneticContact".into()) },
                    Zone { id: 2, name: "PIR".into(), detector: None },
                ],
            },
            remark: None,
        }
    }

    const BODY: &str = "<deviceName>Hall &lt;1&gt; &amp; \"2\"</deviceName><enabled>true</enabled>\
        <ZoneList><Zone><id>1</id><zoneName>Door</zoneName><detectorType>magneticContact</detectorType></Zone>\
        <Zone><id>2</id><zoneName>PIR</zoneName></Zone></ZoneList>";

    #[test]
    fn default_namespaces_and_no_namespace_decode_alike() {
        for ns in ISAPI_NAMESPACES {
            let doc = format!("<Panel version=\"2.0\" xmlns=\"{ns}\">{BODY}</Panel>");
            assert_eq!(from_str::<Panel>(&doc).unwrap(), panel(), "{ns}");
        }
        let doc = format!("<Panel>{BODY}</Panel>");
        assert_eq!(from_str::<Panel>(&doc).unwrap(), panel());
    }

    #[test]
    fn prefixed_names_decode_by_local_name() {
        let prefixed = BODY.replace("</", "\u{1}").replace('<', "<hik:").replace('\u{1}', "</hik:");
        let doc = format!(
            "<hik:Panel version='2.0' xmlns:hik='{NS_HIK_V20}' xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'>\
             {prefixed}</hik:Panel>"
        );
        assert!(doc.contains("<hik:zoneName>Door</hik:zoneName>"));
        assert_eq!(from_str::<Panel>(&doc).unwrap(), panel());
    }

    #[test]
    fn bom_declaration_comments_and_whitespace_are_skipped() {
        let doc = format!(
            "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- panel -->\n<Panel version=\"2.0\" xmlns=\"{NS_ISAPI_V20}\">\n  {BODY}\n</Panel>\n"
        );
        assert_eq!(from_slice::<Panel>(doc.as_bytes()).unwrap(), panel());
    }

    #[test]
    fn nested_list_decodes_into_vec_and_missing_list_is_empty() {
        let list: ZoneList = from_str(
            "<ZoneList xmlns=\"x\"><Zone><id>7</id><zoneName>a</zoneName></Zone><Zone><id>8</id><zoneName>b</zoneName></Zone></ZoneList>",
        )
        .unwrap();
        assert_eq!(list.zones.iter().map(|z| z.id).collect::<Vec<_>>(), [7, 8]);
        let list: ZoneList = from_str("<ZoneList version=\"2.0\"/>").unwrap();
        assert!(list.zones.is_empty());
    }

    #[test]
    fn missing_optional_elements_are_none() {
        let zone: Zone = from_str("<Zone><id>3</id><zoneName>x</zoneName></Zone>").unwrap();
        assert_eq!(zone.detector, None);
        let zone: Zone =
            from_str("<Zone><id>3</id><zoneName>x</zoneName><detectorType>glass</detectorType><extra/></Zone>")
                .unwrap();
        assert_eq!(zone.detector.as_deref(), Some("glass"));
    }

    #[test]
    fn other_attributes_are_kept_by_local_name() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Cap {
            #[serde(rename = "@min")]
            min: u32,
            #[serde(rename = "@type")]
            kind: String,
            #[serde(rename = "$text")]
            value: String,
        }
        #[derive(Debug, Deserialize, PartialEq)]
        #[serde(deny_unknown_fields)]
        struct Caps {
            #[serde(rename = "deviceName")]
            device_name: Cap,
        }
        let caps: Caps = from_str(
            "<a:Caps xmlns:a=\"u\" version=\"1.0\"><a:deviceName min='1' xsi:type='x\"y'>n</a:deviceName></a:Caps>",
        )
        .unwrap();
        assert_eq!(caps.device_name, Cap { min: 1, kind: "x\"y".into(), value: "n".into() });
    }

    #[test]
    fn malformed_xml_is_a_short_xml_error() {
        let long_value = "v".repeat(10_000);
        let cases = [
            "<Panel><deviceName>x</deviceName>".to_owned(),
            "<Panel><deviceName>x</deviceNam></Panel>".to_owned(),
            "<hik:Panel><hik:deviceName>x</hik:deviceName></hik:Pane>".to_owned(),
            "<Panel a=\"1></Panel>".to_owned(),
            "not xml at all".to_owned(),
            "<Zone><id>abc</id><zoneName>x</zoneName></Zone>".to_owned(),
            format!("<Zone><id>{long_value}</id><zoneName>x</zoneName></Zone>"),
            format!("<Zone x:y='1' x:y='2'><id>1</id><zoneName>{long_value}</zoneName></Zone>"),
        ];
        for doc in &cases {
            match from_str::<Zone>(doc) {
                Err(DecodeError::Xml { message, .. }) => {
                    assert!(message.chars().count() <= MAX_MESSAGE_CHARS + 1, "{message}");
                    assert!(!message.contains(&long_value[..200]), "{message}");
                }
                other => panic!("{doc:.60}: {other:?}"),
            }
        }
        assert!(matches!(from_str::<Zone>(" \n"), Err(DecodeError::Empty)));
        assert!(matches!(from_slice::<Zone>(b"<Zone>\xff</Zone>"), Err(DecodeError::Utf8 { .. })));
    }

    #[test]
    fn missing_required_element_names_it() {
        let Err(DecodeError::Xml { message, .. }) = from_str::<Zone>("<Zone><id>1</id></Zone>") else {
            panic!("expected an XML error");
        };
        assert!(message.contains("zoneName"), "{message}");
    }

    /// ISAPI's root attributes, as the hik-gateway crate passes them.
    fn isapi(ns: &str) -> [(&str, &str); 2] {
        [("version", "2.0"), ("xmlns", ns)]
    }

    #[test]
    fn to_string_writes_declaration_and_only_the_root_attributes_asked_for() {
        let attrs = isapi(NS_ISAPI_V20);
        let s = to_string(&panel(), "Panel", &XmlOptions::new().root_attrs(&attrs)).unwrap();
        assert!(
            s.starts_with(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Panel version=\"2.0\" xmlns=\"http://www.isapi.org/ver20/XMLSchema\"><deviceName>"
            ),
            "{s}"
        );
        assert!(!s.contains("remark"), "{s}");
        // No ISAPI defaults: without options the root is bare.
        let s = to_string(&panel(), "Panel", &XmlOptions::default()).unwrap();
        assert!(s.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Panel><deviceName>"), "{s}");
        assert!(!s.contains("version=\"2.0\"") && !s.contains("xmlns"), "{s}");
        let attrs = isapi("a\"b");
        let s = to_string(&ZoneList { zones: vec![] }, "ZoneList", &XmlOptions::new().root_attrs(&attrs)).unwrap();
        assert!(s.ends_with("<ZoneList version=\"2.0\" xmlns=\"a&quot;b\"/>"), "{s}");
        let s = to_string(&ZoneList { zones: vec![] }, "ZoneList", &XmlOptions::new().root_attrs(&[("lang", "en")]))
            .unwrap();
        assert!(s.ends_with("<ZoneList lang=\"en\"/>"), "{s}");
        let bad = XmlOptions::new().root_attrs(&[("bad name", "x")]);
        assert!(to_string(&panel(), "Panel", &bad).is_err());
    }

    #[test]
    fn a_wrong_value_deep_inside_names_its_element_path() {
        let doc = "<Panel><deviceName>a</deviceName><enabled>true</enabled><ZoneList>\
            <Zone><id>1</id><zoneName>a</zoneName></Zone><Zone><id>two</id><zoneName>b</zoneName></Zone>\
            </ZoneList></Panel>";
        let e = from_str::<Panel>(doc).unwrap_err();
        assert_eq!(e.path(), Some("ZoneList.Zone[1].id"), "{e}");
        assert!(e.to_string().starts_with("invalid XML at `ZoneList.Zone[1].id`: "), "{e}");
        // Not well-formed: no path to speak of beyond where the reader stopped, and no panic.
        assert!(from_str::<Panel>("<Panel><deviceName>").is_err());
    }

    #[test]
    fn round_trip_to_string_from_slice() {
        let s = to_string(&panel(), "Panel", &XmlOptions::default()).unwrap();
        assert_eq!(from_slice::<Panel>(s.as_bytes()).unwrap(), panel(), "{s}");
        for ns in [NS_HIK_V20, NS_ISAPI_V20, NS_HIK_V10] {
            let attrs = isapi(ns);
            let s = to_string(&panel(), "Panel", &XmlOptions::new().root_attrs(&attrs)).unwrap();
            assert_eq!(from_slice::<Panel>(s.as_bytes()).unwrap(), panel(), "{s}");
        }
    }

    #[test]
    fn invalid_root_is_an_error_and_to_body_maps_it() {
        let none = XmlOptions::default();
        for root in ["bad root", "", "1st", "a<b", "-x"] {
            assert!(to_string(&panel(), root, &none).is_err(), "{root:?}");
        }
        assert!(to_string(&panel(), "hik:Panel_2.x-y", &none).is_ok());
        let attrs = isapi(NS_HIK_V20);
        let options = XmlOptions::new().root_attrs(&attrs);
        let err = to_body("isapi.put", &panel(), "", &options).unwrap_err();
        assert_eq!(err.op(), "isapi.put");
        let body = to_body("isapi.put", &panel(), "Panel", &options).unwrap();
        assert_eq!(body.content_type(), Some("application/xml"));
        assert_eq!(from_slice::<Panel>(&body.encode()).unwrap(), panel());
    }

    #[test]
    fn unprefixed_document_is_not_copied() {
        for doc in ["<a><b x=\"1\">t</b></a>", "<?xml version='1.0'?><a>x:y</a>"] {
            assert!(matches!(normalize(doc), Ok(Cow::Borrowed(_))), "{doc}");
            assert!(matches!(normalize_full(doc), Ok(Cow::Borrowed(_))), "{doc}");
        }
    }

    #[test]
    fn root_only_and_full_rewrites() {
        let doc = "<?xml version=\"1.0\"?>\n<r version=\"2.0\" xmlns=\"u\" id='7'><b>12:00</b><c/></r>";
        let want = "<?xml version=\"1.0\"?>\n<r id=\"7\"><b>12:00</b><c/></r>";
        assert_eq!(normalize_root(doc).unwrap().as_deref(), Some(want));
        assert_eq!(normalize_full(doc).unwrap(), want);
        // Anything past the root that may need a rewrite goes down the full pass.
        for doc in [
            "<r xmlns='u'><a:b/></r>",
            "<r xmlns='u'><b xmlns='u'/></r>",
            "<r><b version='1'/></r>",
            "<r><!-- <x:y> --></r>",
            "<a:r><b/></a:r>",
        ] {
            assert_eq!(normalize_root(doc).unwrap(), None, "{doc}");
        }
        assert_eq!(
            normalize("<a:r xmlns:a='u' version='2'><a:b a:x='1'/>t<c/></a:r>").unwrap(),
            "<r><b x=\"1\"/>t<c/></r>"
        );
        assert_eq!(normalize("<r xmlns='u'><!-- <x:y> --></r>").unwrap(), "<r><!-- <x:y> --></r>");
    }

    #[test]
    fn prefix_scan_finds_tag_and_attribute_prefixes() {
        for yes in ["<a:b>", "x</a:b>", "<\u{e9}:b>", "<a b:c='1'>", "<a b='>' c:d='1'>", "<a b='1>", "<!-- <x:y> -->"]
        {
            assert!(has_prefixed_name(yes), "{yes}");
        }
        for no in ["<a b='c:d' e=\"f:g\">12:00</a>", "<?pi a:b?><!DOCTYPE a:b>", "", "<", "a:b", "<a/>"] {
            assert!(!has_prefixed_name(no), "{no}");
        }
    }

    /// A tokio worker thread's default stack: every decoder must fit in it.
    const WORKER_STACK: usize = 2 * 1024 * 1024;

    /// The multipart decoder's default part limit, the largest part an alarm stream hands on.
    const PART_LIMIT: usize = 1024 * 1024;

    /// A recursive model: each `<a>` holds an optional `<a>`.
    #[derive(Debug, Deserialize)]
    struct Nest {
        #[serde(default)]
        #[allow(dead_code)]
        a: Option<Box<Nest>>,
    }

    /// `depth` nested `<a>` elements, closed.
    fn nested(depth: usize) -> String {
        let mut doc = "<a>".repeat(depth);
        doc.push_str(&"</a>".repeat(depth));
        doc
    }

    /// Runs `f` on a thread with a tokio worker's stack. A stack overflow aborts the whole test
    /// process (SIGSEGV / "has overflowed its stack"), which is the failure these tests catch.
    fn on_worker_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .name("worker-stack".into())
            .stack_size(WORKER_STACK)
            .spawn(f)
            .expect("spawn a thread")
            .join()
            .expect("decoding does not panic")
    }

    /// Levels of nested objects in a JSON value, counted without recursion.
    fn value_depth(value: &serde_json::Value) -> usize {
        let mut depth = 0;
        let mut at = value;
        while let Some(inner) = at.as_object().and_then(|m| m.values().next()) {
            depth += 1;
            at = inner;
        }
        depth
    }

    #[test]
    fn deep_documents_are_refused_on_a_worker_stack() {
        #[cfg(feature = "multipart")]
        assert_eq!(PART_LIMIT, crate::multipart::DecoderConfig::default().max_part_size);
        let closed_max = PART_LIMIT / "<a></a>".len();
        let too_deep = DecodeError::TooDeep { limit: MAX_DEPTH }.to_string();
        let results = on_worker_stack(move || {
            let mut docs: Vec<(String, String)> = [10, MAX_DEPTH, MAX_DEPTH + 1, 5_000, closed_max]
                .into_iter()
                .map(|depth| (format!("{depth} levels"), nested(depth)))
                .collect();
            // A whole part of start tags that never close.
            docs.push(("unclosed part".into(), "<a>".repeat(PART_LIMIT / 3)));
            // A typed model that ignores the deep element.
            let deep_extra = format!("<Zone><id>1</id><zoneName>x</zoneName><extra>{}</extra></Zone>", nested(5_000));
            docs.push(("unknown deep element".into(), deep_extra));
            docs.into_iter()
                .map(|(name, doc)| {
                    assert!(doc.len() <= PART_LIMIT, "{name}: {} bytes", doc.len());
                    let value = from_str::<serde_json::Value>(&doc).map(|v| value_depth(&v)).map_err(|e| e.to_string());
                    let nest = from_str::<Nest>(&doc).map(|_| ()).map_err(|e| e.to_string());
                    let zone = from_str::<Zone>(&doc).map(|z| z.id).map_err(|e| e.to_string());
                    (name, value, nest, zone)
                })
                .collect::<Vec<_>>()
        });
        for (name, value, nest, zone) in results {
            match name.as_str() {
                "10 levels" => {
                    assert_eq!(value, Ok(9), "{name}");
                    assert_eq!(nest, Ok(()), "{name}");
                }
                n if n == format!("{MAX_DEPTH} levels") => {
                    assert_eq!(value, Ok(MAX_DEPTH - 1), "{name}");
                    assert_eq!(nest, Ok(()), "{name}");
                }
                "unknown deep element" => {
                    assert_eq!(value.as_ref().err(), Some(&too_deep), "{name}");
                    assert_eq!(zone.as_ref().err(), Some(&too_deep), "{name}");
                }
                _ => {
                    assert_eq!(value.as_ref().err(), Some(&too_deep), "{name}");
                    assert_eq!(nest.as_ref().err(), Some(&too_deep), "{name}");
                    assert_eq!(zone.as_ref().err(), Some(&too_deep), "{name}");
                }
            }
        }
    }

    #[test]
    fn depth_limit_counts_start_and_empty_tags() {
        let at_limit = format!("{}<a/>{}", "<a>".repeat(MAX_DEPTH - 1), "</a>".repeat(MAX_DEPTH - 1));
        assert!(check_depth(&at_limit, MAX_DEPTH).is_ok());
        let past = format!("{}<a/>{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(matches!(check_depth(&past, MAX_DEPTH), Err(DecodeError::TooDeep { limit: MAX_DEPTH })));
        // Siblings do not add up; prefixes, comments, CDATA and `<` in attribute values do not count.
        let wide = format!("<r>{}</r>", "<a><b/></a>".repeat(1_000));
        assert!(check_depth(&wide, 3).is_ok());
        assert!(check_depth("<r><!-- <a><a><a> --><![CDATA[<a><a>]]><x:b c='<a>'/></r>", 2).is_ok());
        assert!(matches!(check_depth("<r><a><b/></a></r>", 2), Err(DecodeError::TooDeep { limit: 2 })));
        // A stray end tag is an error, never an underflow that would hide depth that follows.
        let stray = check_depth("</a></a><a><a><a>", 2);
        assert!(matches!(stray, Err(DecodeError::Xml { ref message, .. }) if message.contains("</a>")), "{stray:?}");
        // Syntax errors are XML errors, as the decoding passes would report them.
        assert!(matches!(check_depth("<a b=\"1></a>", 8), Err(DecodeError::Xml { .. })));
    }

    proptest::proptest! {
        /// The fast path and the full pass agree whenever the full pass accepts the document.
        #[test]
        fn fast_path_agrees_with_full_pass(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "<r>", "</r>", "<a:r>", "</a:r>", "<b/>", "<a:b/>", "<c x='1'>", "</c>", "<c a:x=\"1\">",
                    " xmlns='u'", " version=\"2\"", " xmlns:a='u'", "text", "12:00", "<!-- c:d -->",
                    "<?xml version='1.0'?>", "<![CDATA[<a:z>]]>", "\n", ">", "<",
                ]),
                0..12,
            )
        ) {
            let doc = parts.concat();
            if let Ok(full) = normalize_full(&doc) {
                proptest::prop_assert_eq!(normalize(&doc).ok(), Some(full), "{}", doc);
            }
        }
    }
}
