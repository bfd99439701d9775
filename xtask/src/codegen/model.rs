//! The validated spec that the renderers read: every default applied, every name checked.

pub use super::spec::{Encoding, Location, Style, Timeout};

/// A validated spec file.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The spec's path relative to the repository root, with `/` separators.
    pub file: String,
    /// The vendor settings.
    pub vendor: Vendor,
    /// Output path of the Rust file, relative to the repository root.
    pub output: String,
    /// Output path of the coverage table, relative to the repository root (vendor crates only).
    pub coverage: Option<String>,
    /// The operations, in spec order.
    pub operations: Vec<Op>,
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

    /// Whether every field type implements `Default`.
    pub fn all_default(&self) -> bool {
        self.params.iter().all(|p| !p.required || p.ty.is_default())
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
