//! The `[errors]` table and its `[[error_code]]` rows: validation and rendering of the code enum,
//! its extension trait on `watchpost_core::Error` and the profile's table functions.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::model::{CodeDisplay, CodeType, ErrorCode, ErrorTable};
use super::names::{doc_comment, escape, is_snake_ident, lit, resolve_type};
use super::spec::{RawErrorCode, RawErrors};

/// Appends one formatted line to a `String` (writing to a `String` cannot fail).
macro_rules! emit {
    ($out:expr, $($arg:tt)*) => {{
        let _ = writeln!($out, $($arg)*);
    }};
}

/// The `ErrorClass` variant of a spec class name.
pub fn class_variant(class: &str) -> Option<&'static str> {
    Some(match class {
        "retryable" => "Retryable",
        "rate_limited" => "RateLimited",
        "auth_expired" => "AuthExpired",
        "auth_rejected" => "AuthRejected",
        "permanent" => "Permanent",
        "unsupported" => "Unsupported",
        _ => return None,
    })
}

const CLASSES: &str = "retryable, rate_limited, auth_expired, auth_rejected, permanent or unsupported";

/// Whether `s` is an UpperCamel Rust identifier.
pub fn is_camel_ident(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Validates `[errors]` with its rows; every problem goes to `bad` (prefixed by the caller with
/// the file).
pub fn validate(table: Option<&RawErrors>, rows: &[RawErrorCode], bad: &mut dyn FnMut(String)) -> Option<ErrorTable> {
    let Some(t) = table else {
        if !rows.is_empty() {
            bad("[[error_code]]: needs an [errors] table (enum, doc, code_type, ext, ext_method)".to_owned());
        }
        return None;
    };
    let mut ok = true;
    let mut fail = |msg: String| {
        ok = false;
        bad(msg);
    };
    for (key, name) in [("enum", &t.enum_name), ("ext", &t.ext)] {
        if !is_camel_ident(name) {
            fail(format!("[errors]: {key} `{name}` is not an UpperCamel Rust identifier"));
        }
    }
    if !is_snake_ident(&t.ext_method) {
        fail(format!("[errors]: ext_method `{}` is not a snake_case Rust identifier", t.ext_method));
    }
    if t.doc.trim().is_empty() {
        fail("[errors]: doc is empty".to_owned());
    }
    let unknown_class = t.unknown_class.as_deref().unwrap_or("permanent");
    let unknown = class_variant(unknown_class).unwrap_or_else(|| {
        fail(format!("[errors]: unknown_class `{unknown_class}` is not one of {CLASSES}"));
        "Permanent"
    });
    let group_type = t.group_type.as_deref().map(|g| {
        resolve_type(g).unwrap_or_else(|e| {
            fail(format!("[errors]: group_type: {e}"));
            String::new()
        })
    });
    let group_fn = t.group_fn.clone().unwrap_or_else(|| "group".to_owned());
    match (&t.group_class, &group_type) {
        (Some(f), Some(_)) if !is_snake_ident(f) => {
            fail(format!("[errors]: group_class `{f}` is not a snake_case Rust identifier"))
        }
        (Some(_), None) => fail("[errors]: group_class needs group_type".to_owned()),
        _ => {}
    }
    if !is_snake_ident(&group_fn) {
        fail(format!("[errors]: group_fn `{group_fn}` is not a snake_case Rust identifier"));
    }
    if rows.is_empty() {
        fail("[errors]: no [[error_code]]".to_owned());
    }
    let mut texts = HashSet::new();
    let mut variants = HashSet::new();
    let mut numbers = HashSet::new();
    let mut codes = Vec::with_capacity(rows.len());
    for r in rows {
        let text = match (&r.code, t.code_type) {
            (toml::Value::String(s), CodeType::String) if !s.trim().is_empty() && s.trim() == s => s.clone(),
            (toml::Value::Integer(i), CodeType::Int) => i.to_string(),
            (other, ty) => {
                let want = if ty == CodeType::Int { "an integer" } else { "a non-empty string without spaces" };
                fail(format!("[[error_code]] `{}`: code {other} must be {want} (code_type)", r.variant));
                continue;
            }
        };
        let at = format!("[[error_code]] `{text}`");
        if !texts.insert(if t.case_insensitive { text.to_ascii_lowercase() } else { text.clone() }) {
            fail(format!("{at}: duplicate code"));
        }
        if !is_camel_ident(&r.variant) || r.variant == "Other" {
            fail(format!("{at}: variant `{}` must be an UpperCamel identifier other than `Other`", r.variant));
        }
        if !variants.insert(r.variant.clone()) {
            fail(format!("{at}: duplicate variant `{}`", r.variant));
        }
        let class = class_variant(&r.class).unwrap_or_else(|| {
            fail(format!("{at}: class `{}` is not one of {CLASSES}", r.class));
            "Permanent"
        });
        if r.max_attempts == Some(0) {
            fail(format!("{at}: max_attempts must be at least 1 (the first attempt counts)"));
        }
        if r.description.trim().is_empty() {
            fail(format!("{at}: description is empty"));
        }
        for &n in r.error_code.iter().chain(&r.error_code_aliases) {
            if !numbers.insert(n) {
                fail(format!("{at}: duplicate error_code {n:#X}"));
            }
        }
        if !r.error_code_aliases.is_empty() && r.error_code.is_none() {
            fail(format!("{at}: error_code_aliases needs an error_code"));
        }
        match (&r.group, &group_type) {
            (Some(g), Some(_)) if !is_camel_ident(g) => fail(format!("{at}: group `{g}` is not a variant name")),
            (Some(_), None) => fail(format!("{at}: group needs [errors] group_type")),
            (None, Some(_)) => fail(format!("{at}: every code needs a group when [errors] group_type is set")),
            _ => {}
        }
        for p in &r.is {
            if !is_snake_ident(p) {
                fail(format!("{at}: predicate `{p}` is not a snake_case identifier"));
            }
        }
        let description = r.description.trim().to_owned();
        let doc = r.doc.clone().unwrap_or_else(|| format!("`{text}`: {description}"));
        codes.push(ErrorCode {
            text,
            variant: r.variant.clone(),
            class: class.to_owned(),
            safe_to_retry: r.safe_to_retry,
            max_attempts: r.max_attempts,
            description,
            doc,
            http_status: r.http_status,
            error_code: r.error_code,
            group: r.group.clone(),
            is: r.is.clone(),
            success: r.success,
            error_code_aliases: r.error_code_aliases.clone(),
        });
    }
    ok.then(|| ErrorTable {
        enum_name: t.enum_name.clone(),
        doc: t.doc.trim().to_owned(),
        code_type: t.code_type,
        unknown_class: unknown.to_owned(),
        unknown_description: t.unknown_description.clone(),
        display: t.display,
        case_insensitive: t.case_insensitive,
        ext: t.ext.clone(),
        ext_method: t.ext_method.clone(),
        group_type,
        group_fn,
        group_class: t.group_class.clone(),
        codes,
    })
}

/// Renders `pub mod codes` for `t`.
pub fn render(out: &mut String, t: &ErrorTable, vendor_title: &str) {
    let e = &t.enum_name;
    emit!(out, "/// The error codes of {}: [`{e}`], [`{}`] and the profile's table.", escape(vendor_title), t.ext);
    emit!(out, "pub mod codes {{");
    emit!(out, "use watchpost_core::{{Error, ErrorClass}};\n");
    doc_comment(
        out,
        &format!(
            "{}\n\nOne variant per code of the seed's table; [`{e}::Other`] keeps any other code as sent.",
            escape(&t.doc)
        ),
    );
    emit!(out, "#[derive(Debug, Clone, PartialEq, Eq, Hash)]");
    emit!(out, "#[non_exhaustive]");
    emit!(out, "pub enum {e} {{");
    for c in &t.codes {
        doc_comment(out, &escape(&c.doc));
        emit!(out, "{},", c.variant);
    }
    emit!(out, "/// A code the seed does not document, kept as sent.");
    emit!(out, "Other(String),");
    emit!(out, "}}\n");

    emit!(out, "impl {e} {{");
    emit!(out, "/// Every documented code, in table order.");
    emit!(out, "pub const ALL: &'static [{e}] = &[");
    for c in &t.codes {
        emit!(out, "{e}::{},", c.variant);
    }
    emit!(out, "];\n");

    if t.code_type == CodeType::Int {
        emit!(out, "/// The vendor's codes are numbers; a number sent as text or as a number reads the same.");
        emit!(out, "///");
    }
    let how = if t.case_insensitive { " (exact, then ignoring ASCII case)" } else { "" };
    emit!(out, "/// The code from its text{how}, surrounding spaces ignored; unknown codes are kept in");
    emit!(out, "/// [`{e}::Other`].");
    emit!(out, "pub fn from_code(code: &str) -> Self {{");
    emit!(out, "let code = code.trim();");
    emit!(out, "match code {{");
    for c in &t.codes {
        emit!(out, "{} => {e}::{},", lit(&c.text), c.variant);
    }
    if t.case_insensitive {
        for c in &t.codes {
            emit!(out, "c if c.eq_ignore_ascii_case({}) => {e}::{},", lit(&c.text), c.variant);
        }
    }
    emit!(out, "other => {e}::Other(other.to_owned()),");
    emit!(out, "}}\n}}\n");

    match_fn(out, t, "The code as the service sends it.", "as_str(&self) -> &str", |c| lit(&c.text), "code");
    match_fn(
        out,
        t,
        "The seed's description (for an unknown code: the spec's `unknown_description`).",
        "description(&self) -> &'static str",
        |c| lit(&c.description),
        &lit(&t.unknown_description),
    );
    match_fn(
        out,
        t,
        "The seed's description (`None` for an unknown code).",
        "known_description(&self) -> Option<&'static str>",
        |c| format!("Some({})", lit(&c.description)),
        "None",
    );
    match_fn(
        out,
        t,
        "What can be done about the code, as the seed documents it (`None` for an unknown code).",
        "documented_class(&self) -> Option<ErrorClass>",
        |c| format!("Some(ErrorClass::{})", c.class),
        "None",
    );
    emit!(out, "/// What can be done about the code; an unknown code is `ErrorClass::{}`.", t.unknown_class);
    emit!(out, "pub fn class(&self) -> ErrorClass {{");
    emit!(out, "self.documented_class().unwrap_or(ErrorClass::{})", t.unknown_class);
    emit!(out, "}}\n");
    set_fn(
        out,
        t,
        "Whether the seed says a request that failed with this code had no effect, so that it may be\n/// repeated even when it is not idempotent.",
        "safe_to_retry",
        |c| c.safe_to_retry,
    );
    let capped: Vec<&ErrorCode> = t.codes.iter().filter(|c| c.max_attempts.is_some()).collect();
    emit!(out, "/// The most attempts the seed allows after this code, the first included (`None`: the client's");
    emit!(out, "/// retry policy decides).");
    emit!(out, "pub fn max_attempts(&self) -> Option<u32> {{");
    if capped.is_empty() {
        emit!(out, "None");
    } else {
        emit!(out, "match self {{");
        for c in &capped {
            emit!(out, "{e}::{} => Some({}),", c.variant, c.max_attempts.unwrap_or(1));
        }
        emit!(out, "_ => None,");
        emit!(out, "}}");
    }
    emit!(out, "}}\n");
    if t.codes.iter().any(|c| c.http_status.is_some()) {
        optional_fn(out, t, "The HTTP status the seed documents with the code.", "http_status", "u16", |c| {
            c.http_status.map(|s| s.to_string())
        });
    }
    if t.codes.iter().any(|c| c.error_code.is_some()) {
        optional_fn(out, t, "The numeric error code the seed gives with the code.", "error_code", "u64", |c| {
            c.error_code.map(|n| format!("{n:#X}"))
        });
        emit!(out, "/// The code whose numeric error code is `error_code`, if the seed defines one.");
        emit!(out, "pub fn from_error_code(error_code: u64) -> Option<Self> {{");
        emit!(out, "match error_code {{");
        for c in &t.codes {
            for n in c.error_code.iter().chain(&c.error_code_aliases) {
                emit!(out, "{n:#X} => Some({e}::{}),", c.variant);
            }
        }
        emit!(out, "_ => None,");
        emit!(out, "}}\n}}\n");
        emit!(out, "/// The code of a status body: by its text when there is one, else by its numeric error code");
        emit!(out, "/// (an unknown one kept as `0x…` text), else `Other(\"\")`.");
        emit!(out, "pub fn resolve(code: Option<&str>, error_code: Option<u64>) -> Self {{");
        emit!(out, "match (code.map(str::trim).filter(|c| !c.is_empty()), error_code) {{");
        emit!(out, "(Some(c), _) => Self::from_code(c),");
        emit!(
            out,
            "(None, Some(n)) => Self::from_error_code(n).unwrap_or_else(|| {e}::Other(format!(\"0x{{n:X}}\"))),"
        );
        emit!(out, "(None, None) => {e}::Other(String::new()),");
        emit!(out, "}}\n}}\n");
    }
    if t.codes.iter().any(|c| c.success) {
        set_fn(out, t, "Whether the code reports success (a status carrying it is not an error).", "is_success", |c| {
            c.success
        });
    }
    if let Some(group) = &t.group_type {
        match_fn(
            out,
            t,
            "The group the seed files the code under (`None` for an unknown code).",
            &format!("{}(&self) -> Option<{group}>", t.group_fn),
            |c| format!("Some({group}::{})", c.group.as_deref().unwrap_or_default()),
            "None",
        );
        if let Some(class) = &t.group_class {
            emit!(out, "/// What can be done about the code under `group`: its documented class, else the group's");
            emit!(out, "/// (`ErrorClass::{}` without either).", t.unknown_class);
            emit!(out, "pub fn class_under(&self, group: Option<{group}>) -> ErrorClass {{");
            emit!(
                out,
                "self.documented_class().unwrap_or_else(|| group.map_or(ErrorClass::{}, {group}::{class}))",
                t.unknown_class
            );
            emit!(out, "}}\n");
        }
    }
    for p in t.predicates() {
        let list: Vec<&str> = t.codes.iter().filter(|c| c.is.iter().any(|x| x == p)).map(|c| c.text.as_str()).collect();
        set_fn(out, t, &format!("Whether the code is one of {}.", list.join(", ")), &format!("is_{p}"), |c| {
            c.is.iter().any(|x| x == p)
        });
    }
    emit!(out, "}}\n");

    emit!(out, "impl std::fmt::Display for {e} {{");
    emit!(out, "fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{");
    match t.display {
        CodeDisplay::Code => emit!(out, "f.write_str(self.as_str())"),
        CodeDisplay::CodeDescription => emit!(out, "write!(f, \"{{}} ({{}})\", self.as_str(), self.description())"),
    }
    emit!(out, "}}\n}}\n");
    emit!(out, "impl serde::Serialize for {e} {{");
    emit!(out, "fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{");
    emit!(out, "serializer.serialize_str(self.as_str())");
    emit!(out, "}}\n}}\n");
    emit!(out, "impl<'de> serde::Deserialize<'de> for {e} {{");
    emit!(out, "fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{");
    emit!(
        out,
        "let code = <watchpost_core::codec::lenient::LenientCode as serde::Deserialize>::deserialize(deserializer)?;"
    );
    emit!(out, "Ok({e}::from_code(code.as_str()))");
    emit!(out, "}}\n}}\n");

    let m = &t.ext_method;
    emit!(out, "/// Typed views of a [`watchpost_core::Error`] that carries a code of this vendor.");
    emit!(out, "pub trait {} {{", t.ext);
    emit!(out, "/// The code the service answered, typed (`None` for transport, timeout, decode and input");
    emit!(out, "/// errors).");
    emit!(out, "fn {m}(&self) -> Option<{e}>;");
    for p in t.predicates() {
        emit!(out, "\n/// Whether the service answered a code for which [`{e}::is_{p}`] holds.");
        emit!(out, "fn is_{p}(&self) -> bool {{");
        emit!(out, "self.{m}().is_some_and(|c| c.is_{p}())");
        emit!(out, "}}");
    }
    emit!(out, "}}\n");
    emit!(out, "impl {} for Error {{", t.ext);
    emit!(out, "fn {m}(&self) -> Option<{e}> {{");
    emit!(out, "match self {{");
    emit!(out, "Error::Decode {{ .. }} | Error::Transport {{ .. }} | Error::Timeout {{ .. }} | Error::InvalidInput {{ .. }} => None,");
    emit!(out, "other => other.vendor_code().map({e}::from_code),");
    emit!(out, "}}\n}}\n}}\n");

    emit!(out, "/// The profile's table: whether `err` carries a code the seed documents as safe to repeat");
    emit!(out, "/// (`VendorProfile::safe_to_retry`).");
    emit!(out, "pub fn code_safe_to_retry(err: &Error) -> bool {{");
    emit!(out, "err.{m}().is_some_and(|c| c.safe_to_retry())");
    emit!(out, "}}\n");
    emit!(out, "/// The profile's table: the attempt cap the seed documents for `err`'s code");
    emit!(out, "/// (`VendorProfile::max_attempts`).");
    emit!(out, "pub fn code_max_attempts(err: &Error) -> Option<u32> {{");
    emit!(out, "err.{m}().and_then(|c| c.max_attempts())");
    emit!(out, "}}\n");
    emit!(out, "/// The profile's table: the class of a code the service answered, as text (an unknown code");
    emit!(out, "/// gets `ErrorClass::{}`).", t.unknown_class);
    emit!(out, "pub fn code_class(code: &str) -> ErrorClass {{");
    emit!(out, "{e}::from_code(code).class()");
    emit!(out, "}}");
    emit!(out, "}}\n");
}

/// `pub fn sig { match self { V => expr, ..., Other(code) => other } }`.
fn match_fn(out: &mut String, t: &ErrorTable, doc: &str, sig: &str, arm: impl Fn(&ErrorCode) -> String, other: &str) {
    let e = &t.enum_name;
    emit!(out, "/// {doc}");
    emit!(out, "pub fn {sig} {{");
    emit!(out, "match self {{");
    for c in &t.codes {
        emit!(out, "{e}::{} => {},", c.variant, arm(c));
    }
    if other == "code" {
        emit!(out, "{e}::Other(code) => code,");
    } else {
        emit!(out, "{e}::Other(_) => {other},");
    }
    emit!(out, "}}\n}}\n");
}

/// `pub fn name(&self) -> bool { matches!(self, A | B) }`.
fn set_fn(out: &mut String, t: &ErrorTable, doc: &str, name: &str, member: impl Fn(&ErrorCode) -> bool) {
    let e = &t.enum_name;
    let set: Vec<String> = t.codes.iter().filter(|c| member(c)).map(|c| format!("{e}::{}", c.variant)).collect();
    emit!(out, "/// {doc}");
    emit!(out, "pub fn {name}(&self) -> bool {{");
    if set.is_empty() {
        emit!(out, "let _ = self;");
        emit!(out, "false");
    } else {
        emit!(out, "matches!(self, {})", set.join(" | "));
    }
    emit!(out, "}}\n");
}

/// `pub fn name(&self) -> Option<ty>` from per-code values.
fn optional_fn(
    out: &mut String,
    t: &ErrorTable,
    doc: &str,
    name: &str,
    ty: &str,
    value: impl Fn(&ErrorCode) -> Option<String>,
) {
    let e = &t.enum_name;
    emit!(out, "/// {doc}");
    emit!(out, "pub fn {name}(&self) -> Option<{ty}> {{");
    emit!(out, "match self {{");
    for c in &t.codes {
        if let Some(v) = value(c) {
            emit!(out, "{e}::{} => Some({v}),", c.variant);
        }
    }
    emit!(out, "_ => None,");
    emit!(out, "}}\n}}\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::spec::RawSpec;

    fn table(text: &str) -> Result<ErrorTable, Vec<String>> {
        let raw: RawSpec = toml::from_str(&format!(
            "[vendor]\nname = \"x\"\ntitle = \"X\"\nseed = \"x.txt\"\noutput = \"src/generated.rs\"\nclient = \"crate::Client\"\n{text}"
        ))
        .map_err(|e| vec![e.to_string()])?;
        let mut errs = Vec::new();
        let t = validate(raw.errors.as_ref(), &raw.error_codes, &mut |m| errs.push(m));
        t.ok_or(errs)
    }

    const HEAD: &str = r#"
[errors]
enum = "XCode"
doc = "An X result code."
code_type = "string"
ext = "XErrorExt"
ext_method = "x_code"
"#;

    const ROWS: &str = r#"
[[error_code]]
code = "20007"
variant = "DeviceOffline"
class = "permanent"
description = "Device offline."
is = ["device_offline"]

[[error_code]]
code = "49999"
variant = "DataException"
class = "retryable"
safe_to_retry = true
max_attempts = 2
description = "Data exception."
"#;

    #[test]
    fn renders_the_enum_trait_and_table() {
        let t = table(&format!("{HEAD}{ROWS}")).unwrap();
        let mut out = String::new();
        render(&mut out, &t, "X cloud");
        for want in [
            "pub enum XCode {\n/// `20007`: Device offline.\nDeviceOffline,",
            "\"49999\" => XCode::DataException,",
            "XCode::DataException => Some(ErrorClass::Retryable),",
            "pub fn safe_to_retry(&self) -> bool {\nmatches!(self, XCode::DataException)",
            "XCode::DataException => Some(2),",
            "pub fn is_device_offline(&self) -> bool {\nmatches!(self, XCode::DeviceOffline)",
            "fn x_code(&self) -> Option<XCode>;",
            "fn is_device_offline(&self) -> bool {\nself.x_code().is_some_and(|c| c.is_device_offline())",
            "pub fn code_max_attempts(err: &Error) -> Option<u32>",
            "self.documented_class().unwrap_or(ErrorClass::Permanent)",
        ] {
            assert!(out.contains(want), "missing {want:?} in\n{out}");
        }
        assert!(!out.contains("http_status"), "{out}");
    }

    #[test]
    fn success_aliases_and_group_class_are_generated() {
        let rows = ROWS
            .replace("is = [\"device_offline\"]", "success = true\nerror_code = 0x1\ngroup = \"Ok\"")
            .replace("max_attempts = 2", "error_code = 0x2\nerror_code_aliases = [0x20]\ngroup = \"Busy\"");
        let head = format!("{HEAD}group_type = \"Status\"\ngroup_class = \"class\"\n");
        let t = table(&format!("{head}{rows}")).unwrap();
        let mut out = String::new();
        render(&mut out, &t, "X cloud");
        for want in [
            "pub fn is_success(&self) -> bool {\nmatches!(self, XCode::DeviceOffline)",
            "0x2 => Some(XCode::DataException),\n0x20 => Some(XCode::DataException),",
            "pub fn resolve(code: Option<&str>, error_code: Option<u64>) -> Self {",
            "pub fn class_under(&self, group: Option<super::Status>) -> ErrorClass {",
            "group.map_or(ErrorClass::Permanent, super::Status::class)",
        ] {
            assert!(out.contains(want), "missing {want:?} in\n{out}");
        }
        let e = table(&format!("{head}{}", rows.replace("[0x20]", "[0x1]"))).unwrap_err();
        assert!(e.join("\n").contains("duplicate error_code 0x1"), "{e:?}");
        let e = table(&format!("{HEAD}group_class = \"class\"\n{ROWS}")).unwrap_err();
        assert!(e.join("\n").contains("group_class needs group_type"), "{e:?}");
    }

    #[test]
    fn bad_tables_are_reported() {
        let e = table(ROWS).unwrap_err().join("\n");
        assert!(e.contains("needs an [errors] table"), "{e}");
        let e = table(&format!(
            "{HEAD}{}",
            ROWS.replace("class = \"permanent\"", "class = \"sometimes\"")
                .replace("max_attempts = 2", "max_attempts = 0")
                .replace("code = \"49999\"", "code = 49999")
        ))
        .unwrap_err()
        .join("\n");
        assert!(e.contains("class `sometimes` is not one of"), "{e}");
        assert!(e.contains("code 49999 must be a non-empty string"), "{e}");
        let e = table(&format!("{HEAD}{}", ROWS.replace("\"DataException\"", "\"DeviceOffline\""))).unwrap_err();
        assert!(e.join("\n").contains("duplicate variant `DeviceOffline`"), "{e:?}");
        let e = table(&format!("{HEAD}{}", ROWS.replace("max_attempts = 2", "max_attempts = 0"))).unwrap_err();
        assert!(e.join("\n").contains("max_attempts must be at least 1"), "{e:?}");
        let e = table(&format!("{}group_type = \"Status\"\n{ROWS}", HEAD)).unwrap_err();
        assert!(e.join("\n").contains("every code needs a group"), "{e:?}");
    }
}
