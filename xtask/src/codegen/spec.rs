//! The spec file format as read from TOML (see `docs/spec-format.md`), before validation.
//!
//! Every table rejects unknown keys, so a typo in a spec is an error rather than a silently
//! ignored setting.

use serde::Deserialize;

/// A whole spec file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpec {
    /// The `[vendor]` table.
    pub vendor: RawVendor,
    /// The `[[operation]]` tables, in file order.
    #[serde(default, rename = "operation")]
    pub operations: Vec<RawOperation>,
}

/// The `[vendor]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVendor {
    /// Short vendor id (`Operation.vendor`, CLI name, coverage file name).
    pub name: String,
    /// Human-readable name for docs.
    pub title: String,
    /// File name of the seed document the sections refer to.
    pub seed: String,
    /// Output file, relative to the crate directory.
    pub output: String,
    /// Type the generated client methods are added to.
    pub client: String,
    /// Error type of the generated client methods.
    #[serde(default = "default_error")]
    pub error: String,
}

fn default_error() -> String {
    "watchpost_core::Error".to_owned()
}

/// Where the body parameters of an operation go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// No body; every parameter says where it goes (path, query or header).
    #[default]
    None,
    /// `application/x-www-form-urlencoded` body.
    Form,
    /// JSON object body.
    Json,
    /// No body; parameters default to the query string.
    Query,
    /// XML body given by one `in = "body"` parameter.
    Xml,
    /// Plain-text body given by one `in = "body"` parameter.
    Text,
    /// Raw bytes body given by one `in = "body"` parameter.
    Bytes,
}

impl Encoding {
    /// The spelling in a spec.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::None => "none",
            Encoding::Form => "form",
            Encoding::Json => "json",
            Encoding::Query => "query",
            Encoding::Xml => "xml",
            Encoding::Text => "text",
            Encoding::Bytes => "bytes",
        }
    }
}

/// The timeout class of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Timeout {
    /// `TimeoutClass::Default`.
    #[default]
    Default,
    /// `TimeoutClass::LongPoll`.
    LongPoll,
    /// `TimeoutClass::Stream`.
    Stream,
    /// `TimeoutClass::Transfer`.
    Transfer,
}

impl Timeout {
    /// The `TimeoutClass` variant name.
    pub fn variant(self) -> &'static str {
        match self {
            Timeout::Default => "Default",
            Timeout::LongPoll => "LongPoll",
            Timeout::Stream => "Stream",
            Timeout::Transfer => "Transfer",
        }
    }
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// A `{placeholder}` of the path.
    Path,
    /// A query-string pair.
    Query,
    /// A form-body pair.
    Form,
    /// A member of the JSON body.
    Json,
    /// An HTTP header.
    Header,
    /// The whole body.
    Body,
}

impl Location {
    /// The spelling in a spec.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Form => "form",
            Location::Json => "json",
            Location::Header => "header",
            Location::Body => "body",
        }
    }

    /// The `ParamLocation` variant name.
    pub fn variant(self) -> &'static str {
        match self {
            Location::Path => "Path",
            Location::Query => "Query",
            Location::Form => "Form",
            Location::Json => "Json",
            Location::Header => "Header",
            Location::Body => "Body",
        }
    }
}

/// How a list is written in a text location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// `a,b,c`.
    #[default]
    Comma,
    /// `["a","b","c"]`.
    Json,
}

/// One `[[operation]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOperation {
    /// Unique dotted id.
    pub id: String,
    /// Rust method name.
    #[serde(rename = "fn")]
    pub fn_name: String,
    /// Seed section.
    pub section: String,
    /// HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Body encoding.
    #[serde(default)]
    pub encoding: Encoding,
    /// Content type of a `bytes` body.
    pub content_type: Option<String>,
    /// Whether repeating the call is safe; default true for GET only.
    pub idempotent: Option<bool>,
    /// Timeout class.
    #[serde(default)]
    pub timeout: Timeout,
    /// One-line summary.
    pub summary: String,
    /// Response type.
    pub response: String,
    /// No client method or dispatch arm when true.
    #[serde(default)]
    pub handwritten: bool,
    /// Deviations from the seed.
    pub notes: Option<String>,
    /// Parameters, in documented order.
    #[serde(default, rename = "param")]
    pub params: Vec<RawParam>,
}

/// One `[[operation.param]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawParam {
    /// Rust field name.
    pub name: String,
    /// Wire name; defaults to `name`.
    pub wire: Option<String>,
    /// Location; defaults from the operation's encoding.
    #[serde(rename = "in")]
    pub location: Option<Location>,
    /// Type name (`string`, `int`, `model:Path`, ...).
    #[serde(rename = "type")]
    pub ty: String,
    /// Whether the parameter must be given.
    #[serde(default)]
    pub required: bool,
    /// List style in text locations.
    pub style: Option<Style>,
    /// One line of documentation.
    pub doc: String,
}
