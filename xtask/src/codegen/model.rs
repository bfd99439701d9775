//! The validated spec that the renderers read: every default applied, every name checked.

pub use super::spec::{CodeDisplay, CodeType, Encoding, Location, PageStyle, Style, Timeout};

/// A validated spec file.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The spec's path relative to the repository root, with `/` separators.
    pub file: String,
    /// The vendor settings.
    pub vendor: Vendor,
    /// Output path of the Rust file, relative to the repository root.
    pub output: String,
    /// Output path of the server-side module (decoders, handler trait), relative to the repository
    /// root, and the Rust path of the client-side module it refers to.
    pub sim_output: Option<(String, String)>,
    /// Output path of the coverage table, relative to the repository root (vendor crates only).
    pub coverage: Option<String>,
    /// The operations, in spec order.
    pub operations: Vec<Op>,
    /// The error code table, when the spec has one.
    pub errors: Option<ErrorTable>,
}

/// The `[errors]` table with its `[[error_code]]` rows, validated.
#[derive(Debug, Clone)]
pub struct ErrorTable {
    /// Code enum name.
    pub enum_name: String,
    /// Its doc comment's first line.
    pub doc: String,
    /// How codes are written.
    pub code_type: CodeType,
    /// `ErrorClass` variant of an unknown code.
    pub unknown_class: String,
    /// `description()` of an unknown code.
    pub unknown_description: String,
    /// How `Display` writes a code.
    pub display: CodeDisplay,
    /// `from_code` ignores ASCII case as a second try.
    pub case_insensitive: bool,
    /// Extension trait name.
    pub ext: String,
    /// Its typed-code method.
    pub ext_method: String,
    /// Resolved group type, when codes have groups.
    pub group_type: Option<String>,
    /// The group method's name.
    pub group_fn: String,
    /// The group type's class method, when the spec names one.
    pub group_class: Option<String>,
    /// The rows, in spec order.
    pub codes: Vec<ErrorCode>,
}

impl ErrorTable {
    /// Every predicate name, in first-use order.
    pub fn predicates(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in &self.codes {
            for p in &c.is {
                if !out.contains(&p.as_str()) {
                    out.push(p);
                }
            }
        }
        out
    }
}

/// One validated `[[error_code]]`.
#[derive(Debug, Clone)]
pub struct ErrorCode {
    /// The code as text (`"20007"`, `"5001"`, `"badParameters"`).
    pub text: String,
    /// Rust variant name.
    pub variant: String,
    /// `ErrorClass` variant name.
    pub class: String,
    /// Safe to repeat.
    pub safe_to_retry: bool,
    /// Attempt cap.
    pub max_attempts: Option<u32>,
    /// The seed's description.
    pub description: String,
    /// Variant doc.
    pub doc: String,
    /// Documented HTTP status.
    pub http_status: Option<u16>,
    /// Numeric error code.
    pub error_code: Option<u64>,
    /// Group variant.
    pub group: Option<String>,
    /// Predicate names.
    pub is: Vec<String>,
    /// Reports success.
    pub success: bool,
    /// Further numeric codes read as this one.
    pub error_code_aliases: Vec<u64>,
}

/// A member of a request struct that pagination writes.
#[derive(Debug, Clone)]
pub struct Member {
    /// Rust field path (`skip`, `body.search_description.position`).
    pub path: String,
    /// Whether the member is an `Option` (a top-level optional param).
    pub optional: bool,
}

/// A validated `[operation.pagination]`.
#[derive(Debug, Clone)]
pub struct Pagination {
    /// The style.
    pub style: PageStyle,
    /// Request member of the page number, offset or cursor (by style).
    pub position: Member,
    /// Number of the first page (style `page`).
    pub first_page: u64,
    /// Request member of the page size.
    pub limit: Member,
    /// Response member with the items.
    pub items: String,
    /// Resolved item type.
    pub item: String,
    /// Response member with the total.
    pub total: Option<String>,
    /// Response member with the has-more flag.
    pub has_more: Option<String>,
    /// Response member with the next cursor.
    pub next_cursor: Option<String>,
    /// Response member with the service's page size.
    pub page_size: Option<String>,
}

/// The `[vendor]` table, resolved.
#[derive(Debug, Clone)]
pub struct Vendor {
    /// Short vendor id.
    pub name: String,
    /// Human-readable name.
    pub title: String,
    /// Seed document file name.
    pub seed: String,
    /// Rust path of the client type.
    pub client: String,
    /// Rust path of the client methods' error type.
    pub error: String,
    /// Rust path of the trait implemented for every paginated request, if any.
    pub paginated: Option<String>,
    /// Rust path of the simulator's failure type (`[vendor] sim_error`), if any.
    pub sim_error: Option<String>,
    /// Rust path of the simulator's state type (`[vendor] sim_state`), if any.
    pub sim_state: Option<String>,
}

/// The response of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// Nothing worth decoding: the method returns `()`.
    Unit,
    /// A deserializable type (resolved Rust path).
    Type(String),
}

/// One validated operation.
#[derive(Debug, Clone)]
pub struct Op {
    /// Dotted id.
    pub id: String,
    /// Rust method name.
    pub fn_name: String,
    /// Seed section.
    pub section: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Body encoding.
    pub encoding: Encoding,
    /// Content type of a `bytes` body.
    pub content_type: String,
    /// Whether repeating the call is safe.
    pub idempotent: bool,
    /// Timeout class.
    pub timeout: Timeout,
    /// One-line summary.
    pub summary: String,
    /// Response type, resolved.
    pub response: Response,
    /// The response as written in the spec (for docs).
    pub response_spec: String,
    /// No client method or dispatch arm.
    pub handwritten: bool,
    /// Deviations from the seed.
    pub notes: Option<String>,
    /// Parameters, in spec order.
    pub params: Vec<Param>,
    /// How the list pages, for a paginated operation.
    pub pagination: Option<Pagination>,
}

impl Op {
    /// `DeviceInfoRequest`.
    pub fn struct_name(&self) -> String {
        format!("{}Request", super::names::upper_camel(&self.fn_name))
    }

    /// `DEVICE_INFO`.
    pub fn const_name(&self) -> String {
        super::names::screaming(&self.fn_name)
    }

    /// Whether any field is a secret (the struct then gets a redacting `Debug`).
    pub fn has_secret(&self) -> bool {
        self.params.iter().any(|p| p.ty == Ty::Secret)
    }

    /// Whether every field type implements `Default` and no field has a documented default
    /// (a derived `Default` would not use it).
    pub fn all_default(&self) -> bool {
        self.params.iter().all(|p| (!p.required || p.ty.is_default()) && p.default.is_none())
    }

    /// Whether some required field has a documented default.
    pub fn has_defaults(&self) -> bool {
        self.params.iter().any(|p| p.default.is_some())
    }

    /// Whether `new()` takes no argument.
    pub fn new_takes_nothing(&self) -> bool {
        self.params.iter().all(|p| !p.required || p.default.is_some())
    }
}

/// One validated parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Rust field name.
    pub name: String,
    /// Wire name.
    pub wire: String,
    /// For a path param, the `{placeholder}` it fills (its `name`, or else its `wire`); empty
    /// otherwise.
    pub placeholder: String,
    /// Where it travels.
    pub location: Location,
    /// Its type.
    pub ty: Ty,
    /// The type as written in the spec (`ParamInfo.ty`).
    pub ty_spec: String,
    /// Whether it must be given.
    pub required: bool,
    /// List style in text locations.
    pub style: Style,
    /// One line of documentation.
    pub doc: String,
    /// The documented default of a required param, as a Rust expression of its field type, and
    /// as written in the spec (for docs).
    pub default: Option<(String, String)>,
    /// The limits the client and the simulator's decoder check.
    pub limits: Limits,
}

/// The declared limits of a parameter (`min`, `max`, `min_len`, `max_len`, `closed`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    /// Integer range bounds.
    pub min: Option<i64>,
    /// Integer range bounds.
    pub max: Option<i64>,
    /// Length bounds (characters or items).
    pub min_len: Option<u32>,
    /// Length bounds (characters or items).
    pub max_len: Option<u32>,
    /// `Other(_)` refused.
    pub closed: bool,
}

impl Limits {
    /// Whether any limit is declared.
    pub fn any(&self) -> bool {
        self.min.is_some() || self.max.is_some() || self.min_len.is_some() || self.max_len.is_some() || self.closed
    }
}

impl Param {
    /// Whether `new()` takes it as an argument.
    pub fn in_new(&self) -> bool {
        self.required && self.default.is_none()
    }
}

/// A parameter type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// `String`.
    String,
    /// `String` whose value is redacted in `Debug`.
    Secret,
    /// `i64`.
    Int,
    /// `u32`.
    U32,
    /// `u64`.
    U64,
    /// `f64`.
    F64,
    /// `bool` sent as `true`/`false`.
    Bool,
    /// `bool` sent as `0`/`1`.
    Bool01,
    /// `serde_json::Value`.
    Json,
    /// `Vec<String>`.
    StringList,
    /// A serde type of the crate (resolved path).
    Model(String),
    /// A serde enum of the crate implementing `ToParam` (resolved path).
    Enum(String),
    /// `bytes::Bytes`, only as the whole body.
    Bytes,
}

impl Ty {
    /// Parses a spec type name.
    ///
    /// # Errors
    /// A message for an unknown name or a bad `model:`/`enum:` path.
    pub fn parse(s: &str) -> Result<Ty, String> {
        Ok(match s {
            "string" => Ty::String,
            "secret" => Ty::Secret,
            "int" => Ty::Int,
            "u32" => Ty::U32,
            "u64" => Ty::U64,
            "f64" => Ty::F64,
            "bool" => Ty::Bool,
            "bool01" => Ty::Bool01,
            "json" => Ty::Json,
            "string[]" => Ty::StringList,
            "bytes" => Ty::Bytes,
            other => {
                if let Some(path) = other.strip_prefix("model:") {
                    Ty::Model(super::names::resolve_type(path)?)
                } else if let Some(path) = other.strip_prefix("enum:") {
                    Ty::Enum(super::names::resolve_type(path)?)
                } else {
                    return Err(format!(
                        "unknown type `{other}` (expected string, secret, int, u32, u64, f64, bool, bool01, json, \
                         string[], bytes, model:Path or enum:Path)"
                    ));
                }
            }
        })
    }

    /// The Rust type of a required field.
    pub fn rust(&self) -> String {
        match self {
            Ty::String | Ty::Secret => "String".to_owned(),
            Ty::Int => "i64".to_owned(),
            Ty::U32 => "u32".to_owned(),
            Ty::U64 => "u64".to_owned(),
            Ty::F64 => "f64".to_owned(),
            Ty::Bool | Ty::Bool01 => "bool".to_owned(),
            Ty::Json => "serde_json::Value".to_owned(),
            Ty::StringList => "Vec<String>".to_owned(),
            Ty::Model(p) | Ty::Enum(p) => p.clone(),
            Ty::Bytes => "bytes::Bytes".to_owned(),
        }
    }

    /// Whether the Rust type is `Copy` (bound by value in `if let Some(v) = self.x`).
    pub fn is_copy(&self) -> bool {
        matches!(self, Ty::Int | Ty::U32 | Ty::U64 | Ty::F64 | Ty::Bool | Ty::Bool01)
    }

    /// Whether the Rust type is known to implement `Default`.
    pub fn is_default(&self) -> bool {
        !matches!(self, Ty::Model(_) | Ty::Enum(_))
    }
}
