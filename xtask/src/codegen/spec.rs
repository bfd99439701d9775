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
    /// The `[errors]` table: how the `[[error_code]]` table is generated.
    pub errors: Option<RawErrors>,
    /// The `[[error_code]]` tables, in file order.
    #[serde(default, rename = "error_code")]
    pub error_codes: Vec<RawErrorCode>,
}

/// The `[errors]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawErrors {
    /// Name of the generated code enum (`EzvizCode`).
    #[serde(rename = "enum")]
    pub enum_name: String,
    /// First line of the enum's doc comment.
    pub doc: String,
    /// `string` or `int`: how the vendor writes its codes.
    pub code_type: CodeType,
    /// Class of a code the table does not list. Default `permanent`.
    pub unknown_class: Option<String>,
    /// `description()` of a code the table does not list. Default empty.
    #[serde(default)]
    pub unknown_description: String,
    /// How `Display` writes a code: `code` (default, `5001`) or `code_description`
    /// (`5001 (body json invalid)`).
    #[serde(default)]
    pub display: CodeDisplay,
    /// Whether `from_code` also matches a code that differs only in ASCII case.
    #[serde(default)]
    pub case_insensitive: bool,
    /// Name of the generated extension trait on `watchpost_core::Error` (`EzvizErrorExt`).
    pub ext: String,
    /// Its method returning the typed code (`ezviz_code`).
    pub ext_method: String,
    /// Type of the `group` of each code (a `Copy` enum of the crate), when codes have one.
    pub group_type: Option<String>,
    /// Name of the method returning the group. Default `group`.
    pub group_fn: Option<String>,
    /// Name of the group type's method giving the class of a whole group (`fn(self) ->
    /// ErrorClass`): generates `class_under`, the class of an unknown code under its group.
    pub group_class: Option<String>,
}

/// How the generated `Display` writes a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CodeDisplay {
    /// The code as sent.
    #[default]
    Code,
    /// The code, then its description in parentheses.
    CodeDescription,
}

/// How a vendor writes its error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeType {
    /// Text (`"20007"`, `"badParameters"`).
    String,
    /// A number (`5001`), read from text or a number.
    Int,
}

/// One `[[error_code]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawErrorCode {
    /// The code as the vendor sends it: a string or an integer.
    pub code: toml::Value,
    /// Rust variant name.
    pub variant: String,
    /// `retryable`, `rate_limited`, `auth_expired`, `auth_rejected`, `permanent` or `unsupported`.
    pub class: String,
    /// Whether the seed says a request that failed with it had no effect (repeat even when not
    /// idempotent).
    #[serde(default)]
    pub safe_to_retry: bool,
    /// The most attempts the seed allows for it, the first included.
    pub max_attempts: Option<u32>,
    /// The seed's description.
    pub description: String,
    /// Doc comment of the variant; default "`<code>: <description>`".
    pub doc: Option<String>,
    /// HTTP status the seed documents with it.
    pub http_status: Option<u16>,
    /// A numeric error code the seed gives next to it.
    pub error_code: Option<u64>,
    /// Variant of `[errors] group_type` the code belongs to.
    pub group: Option<String>,
    /// Predicates (`device_offline` → `is_device_offline()`) true for this code.
    #[serde(default)]
    pub is: Vec<String>,
    /// The code reports success (a status body carrying it is not an error): `is_success()`.
    #[serde(default)]
    pub success: bool,
    /// Other numeric codes the service is known to send for it (`from_error_code` accepts them).
    #[serde(default)]
    pub error_code_aliases: Vec<u64>,
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
    /// Output file of the server side (request decoders, handler trait), relative to the crate
    /// directory; none when absent.
    pub sim_output: Option<String>,
    /// The simulator's failure type: when set, every generated `Handlers` method returns
    /// `Result<SimResponse, ThisType>` and the router answers an `Err` with the vendor's
    /// `Handlers::fail` envelope (no per-crate wrapper around each handler).
    pub sim_error: Option<String>,
    /// The simulator's state type (needs `sim_error`): when set, the generated `Handlers`
    /// methods are synchronous, take `&mut State` locked by the router around each call, and a
    /// `fn state(&self) -> &Mutex<State>` is required.
    pub sim_state: Option<String>,
    /// Type the generated client methods are added to.
    pub client: String,
    /// Error type of the generated client methods.
    #[serde(default = "default_error")]
    pub error: String,
    /// A trait the generator implements for every paginated request (`type Item` and
    /// `fn stream(&self, &Client, Option<u32>) -> ItemStream<Item>`); none when absent.
    pub paginated: Option<String>,
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
    /// How the list answer pages, for a paginated operation.
    pub pagination: Option<RawPagination>,
}

/// How a paginated list addresses its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageStyle {
    /// A page number.
    Page,
    /// An item offset.
    Offset,
    /// An opaque cursor from the previous page.
    Cursor,
}

impl PageStyle {
    /// The `watchpost_core::paginate::PageStyle` variant name.
    pub fn variant(self) -> &'static str {
        match self {
            PageStyle::Page => "Page",
            PageStyle::Offset => "Offset",
            PageStyle::Cursor => "Cursor",
        }
    }
}

/// One `[operation.pagination]` table. Request members are Rust field paths of the request
/// struct (`skip`, `body.search_description.position`), response members field paths of the
/// response type (`meta.total`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPagination {
    /// `page`, `offset` or `cursor`.
    pub style: PageStyle,
    /// Request member of the page number (style `page`).
    pub page: Option<String>,
    /// Number of the first page (style `page`). Default 1.
    pub first_page: Option<u64>,
    /// Request member of the item offset (style `offset`).
    pub offset: Option<String>,
    /// Request member of the cursor (style `cursor`).
    pub cursor: Option<String>,
    /// Request member of the page size.
    pub limit: String,
    /// Response member holding the items.
    pub items: String,
    /// Item type.
    pub item: String,
    /// Response member with the list's total.
    pub total: Option<String>,
    /// Response member saying whether more pages follow.
    pub has_more: Option<String>,
    /// Response member with the next page's cursor (style `cursor`).
    pub next_cursor: Option<String>,
    /// Response member with the page size the service used.
    pub page_size: Option<String>,
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
    /// The documented default of a required param: it is then not an argument of `new()`.
    pub default: Option<toml::Value>,
    /// Smallest value of an integer param (checked by the client and the simulator's decoder).
    pub min: Option<i64>,
    /// Largest value of an integer param.
    pub max: Option<i64>,
    /// Fewest characters of a string, or items of a `string[]`.
    pub min_len: Option<u32>,
    /// Most characters of a string, or items of a `string[]`.
    pub max_len: Option<u32>,
    /// An enum param must be one of its documented values (its `Other(_)` variant is refused).
    #[serde(default)]
    pub closed: bool,
}
