//! Checks a parsed spec and applies its defaults, collecting every problem with its place
//! (`file: operation `id`: message`) rather than stopping at the first.

use std::collections::HashSet;

use super::model::{Encoding, Limits, Location, Op, Param, Response, Spec, Style, Ty, Vendor};
use super::names::{is_snake_ident, resolve_type};
use super::spec::{RawOperation, RawParam, RawSpec};

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// Where a spec lives and where its outputs go.
#[derive(Debug, Clone)]
pub struct SpecPlace {
    /// The spec's path relative to the repository root, `/`-separated.
    pub file: String,
    /// The crate directory (the spec's parent's parent), relative to the repository root.
    pub crate_dir: String,
    /// Whether this is a vendor crate's spec (it then gets a coverage table).
    pub vendor_crate: bool,
}

/// Validates `raw` and applies defaults.
///
/// # Errors
/// Every problem found, each prefixed with the file and operation.
pub fn validate(raw: &RawSpec, place: &SpecPlace) -> Result<Spec, Vec<String>> {
    let mut errs = Errors { file: &place.file, list: Vec::new() };
    let v = &raw.vendor;
    if !v.name.starts_with(|c: char| c.is_ascii_lowercase())
        || !v.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        errs.vendor(format!("name `{}` must be lower-case letters, digits, `-` or `_`", v.name));
    }
    if v.title.trim().is_empty() {
        errs.vendor("title is empty".to_owned());
    }
    if v.seed.trim().is_empty() {
        errs.vendor("seed is empty".to_owned());
    }
    let output_ok = !v.output.is_empty()
        && !v.output.starts_with('/')
        && !v.output.contains('\\')
        && v.output.split('/').all(|s| !s.is_empty() && s != "." && s != "..")
        && v.output.ends_with(".rs");
    if !output_ok {
        errs.vendor(format!("output `{}` must be a relative `.rs` path inside the crate", v.output));
    }
    if let Some(sim) = &v.sim_output {
        let under_src = sim.starts_with("src/")
            && sim.ends_with(".rs")
            && sim.split('/').all(|s| !s.is_empty() && s != "." && s != "..");
        if !under_src || !v.output.starts_with("src/") {
            errs.vendor(format!("sim_output `{sim}` and output must be `.rs` paths under the crate's `src/`"));
        }
    }
    let client = resolve_type(&v.client).unwrap_or_else(|e| {
        errs.vendor(format!("client: {e}"));
        String::new()
    });
    let error = resolve_type(&v.error).unwrap_or_else(|e| {
        errs.vendor(format!("error: {e}"));
        String::new()
    });
    let paginated =
        v.paginated.as_ref().and_then(|t| resolve_type(t).map_err(|e| errs.vendor(format!("paginated: {e}"))).ok());
    let sim_error =
        v.sim_error.as_ref().and_then(|t| resolve_type(t).map_err(|e| errs.vendor(format!("sim_error: {e}"))).ok());
    if sim_error.is_some() && v.sim_output.is_none() {
        errs.vendor("sim_error needs sim_output".to_owned());
    }
    let sim_state =
        v.sim_state.as_ref().and_then(|t| resolve_type(t).map_err(|e| errs.vendor(format!("sim_state: {e}"))).ok());
    if v.sim_state.is_some() && v.sim_error.is_none() {
        errs.vendor("sim_state needs sim_error".to_owned());
    }
    if raw.operations.is_empty() {
        errs.vendor("no [[operation]]".to_owned());
    }

    let mut ids = HashSet::new();
    let mut fns = HashSet::new();
    let mut structs = HashSet::new();
    let mut ops = Vec::with_capacity(raw.operations.len());
    for r in &raw.operations {
        if !ids.insert(r.id.as_str()) {
            errs.op(&r.id, "duplicate operation id".to_owned());
        }
        if !fns.insert(r.fn_name.as_str()) {
            errs.op(&r.id, format!("duplicate fn `{}`", r.fn_name));
        }
        if let Some(op) = operation(r, &mut errs) {
            if !structs.insert(op.struct_name()) {
                errs.op(&r.id, format!("request struct name `{}` is taken by another fn", op.struct_name()));
            }
            ops.push(op);
        }
    }
    let file = place.file.clone();
    let errors =
        super::errors::validate(raw.errors.as_ref(), &raw.error_codes, &mut |m| errs.list.push(format!("{file}: {m}")));
    if !errs.list.is_empty() {
        return Err(errs.list);
    }
    let crate_prefix = if place.crate_dir.is_empty() { String::new() } else { format!("{}/", place.crate_dir) };
    Ok(Spec {
        file: place.file.clone(),
        vendor: Vendor {
            name: v.name.clone(),
            title: v.title.trim().to_owned(),
            seed: v.seed.trim().to_owned(),
            client,
            error,
            paginated,
            sim_error,
            sim_state,
        },
        output: format!("{crate_prefix}{}", v.output),
        sim_output: v
            .sim_output
            .as_ref()
            .map(|s| (format!("{crate_prefix}{s}"), super::render_sim::module_path(&v.output))),
        coverage: place.vendor_crate.then(|| format!("docs/coverage/{}.md", v.name)),
        operations: ops,
        errors,
    })
}

struct Errors<'a> {
    file: &'a str,
    list: Vec<String>,
}

impl Errors<'_> {
    fn vendor(&mut self, msg: String) {
        self.list.push(format!("{}: [vendor]: {msg}", self.file));
    }

    fn op(&mut self, id: &str, msg: String) {
        self.list.push(format!("{}: operation `{id}`: {msg}", self.file));
    }
}

/// Validates one operation; `None` when it has errors (already recorded).
fn operation(r: &RawOperation, errs: &mut Errors<'_>) -> Option<Op> {
    let before = errs.list.len();
    let id = r.id.as_str();
    let id_ok = !id.is_empty()
        && id.split('.').all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
    if !id_ok {
        errs.op(id, "id must be dot-separated words of letters, digits, `_` or `-`".to_owned());
    }
    if !is_snake_ident(&r.fn_name) {
        errs.op(id, format!("fn `{}` is not a snake_case Rust identifier", r.fn_name));
    } else if r.fn_name == "call" {
        errs.op(id, "fn `call` is reserved for the client's hand-written `call`".to_owned());
    }
    if !METHODS.contains(&r.method.as_str()) {
        errs.op(id, format!("method `{}` is not one of {}", r.method, METHODS.join(", ")));
    }
    if r.summary.trim().is_empty() {
        errs.op(id, "summary is empty".to_owned());
    }
    if r.summary.contains('\n') {
        errs.op(id, "summary must be one line (put the rest in notes)".to_owned());
    }
    let placeholders = match placeholders(&r.path, r.handwritten) {
        Ok(p) => p,
        Err(e) => {
            errs.op(id, e);
            Vec::new()
        }
    };
    let response = match r.response.trim() {
        "()" => Response::Unit,
        other => match resolve_type(other) {
            Ok(t) => Response::Type(t),
            Err(e) => {
                errs.op(id, format!("response: {e}"));
                Response::Unit
            }
        },
    };
    if r.content_type.is_some() && r.encoding != Encoding::Bytes {
        errs.op(id, "content_type is only for encoding = \"bytes\"".to_owned());
    }

    let mut params = Vec::with_capacity(r.params.len());
    let mut names = HashSet::new();
    let mut wires = HashSet::new();
    for p in &r.params {
        if !names.insert(p.name.as_str()) {
            errs.op(id, format!("duplicate param `{}`", p.name));
        }
        if let Some(p) = param(r, p, errs) {
            let key = match p.location {
                Location::Header => (p.location, p.wire.to_ascii_lowercase()),
                _ => (p.location, p.wire.clone()),
            };
            if !wires.insert(key) {
                errs.op(id, format!("duplicate wire name `{}` in {}", p.wire, p.location.as_str()));
            }
            params.push(p);
        }
    }

    // Path placeholders and path params must match one to one; a placeholder names a param by
    // its Rust name or, failing that, by its wire name.
    for p in params.iter_mut().filter(|p| p.location == Location::Path) {
        if let Some(ph) =
            placeholders.iter().find(|ph| **ph == p.name).or_else(|| placeholders.iter().find(|ph| **ph == p.wire))
        {
            p.placeholder = ph.clone();
        } else {
            let alt = if p.wire == p.name { String::new() } else { format!(" or `{{{}}}`", p.wire) };
            errs.op(id, format!("path param `{}` has no `{{{}}}`{alt} placeholder in the path", p.name, p.name));
        }
    }
    for ph in &placeholders {
        let fills: Vec<&str> = params.iter().filter(|p| &p.placeholder == ph).map(|p| p.name.as_str()).collect();
        match fills.len() {
            0 => {
                errs.op(id, format!("path placeholder `{{{ph}}}` has no param with in = \"path\" and name = \"{ph}\""))
            }
            1 => {}
            _ => errs.op(id, format!("path placeholder `{{{ph}}}` is filled by several params: {}", fills.join(", "))),
        }
    }
    let body_params: Vec<&Param> = params.iter().filter(|p| p.location == Location::Body).collect();
    if body_params.len() > 1 {
        errs.op(id, "more than one param with in = \"body\"".to_owned());
    }
    if !body_params.is_empty() && params.iter().any(|p| matches!(p.location, Location::Form | Location::Json)) {
        errs.op(
            id,
            "a param with in = \"body\" is the whole body; it cannot be combined with form or json params".to_owned(),
        );
    }

    let pagination = r
        .pagination
        .as_ref()
        .and_then(|pg| super::pagination::validate(pg, &params, &response, r.handwritten, &mut |m| errs.op(id, m)));
    if errs.list.len() > before {
        return None;
    }
    Some(Op {
        id: r.id.clone(),
        fn_name: r.fn_name.clone(),
        section: r.section.trim().to_owned(),
        method: r.method.clone(),
        path: r.path.clone(),
        encoding: r.encoding,
        content_type: r.content_type.clone().unwrap_or_else(|| "application/octet-stream".to_owned()),
        idempotent: r.idempotent.unwrap_or(r.method == "GET"),
        timeout: r.timeout,
        summary: r.summary.trim().to_owned(),
        response,
        response_spec: r.response.trim().to_owned(),
        handwritten: r.handwritten,
        notes: r.notes.as_ref().map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
        params,
        pagination,
    })
}

/// The `{name}` placeholders of a path template, in order. Only a hand-written operation may
/// have a path that is entirely given at run time (`{url}`).
fn placeholders(path: &str, handwritten: bool) -> Result<Vec<String>, String> {
    let runtime_path = handwritten && path.starts_with('{');
    if !(path.starts_with('/') || runtime_path) {
        return Err(format!("path `{path}` must start with `/` (or with a placeholder, for a hand-written operation)"));
    }
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find(['{', '}']) {
        let after = rest.get(open + 1..).unwrap_or("");
        if rest[open..].starts_with('}') {
            return Err(format!("unmatched `}}` in path `{path}`"));
        }
        let Some(close) = after.find('}') else {
            return Err(format!("unterminated `{{` in path `{path}`"));
        };
        let name = &after[..close];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(format!("bad placeholder `{{{name}}}` in path `{path}`"));
        }
        if out.iter().any(|n| n == name) {
            return Err(format!("placeholder `{{{name}}}` appears twice in path `{path}`"));
        }
        out.push(name.to_owned());
        rest = &after[close + 1..];
    }
    Ok(out)
}

/// Whether `s` is a valid HTTP header name (RFC 9110 token).
fn is_header_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Validates one parameter; `None` when it has errors (already recorded).
fn param(op: &RawOperation, p: &RawParam, errs: &mut Errors<'_>) -> Option<Param> {
    let before = errs.list.len();
    let id = op.id.as_str();
    let mut bad = |msg: String| errs.op(id, format!("param `{}`: {msg}", p.name));
    if !is_snake_ident(&p.name) {
        bad("name is not a snake_case Rust identifier".to_owned());
    }
    let wire = p.wire.clone().unwrap_or_else(|| p.name.clone());
    if wire.is_empty() {
        bad("wire is empty".to_owned());
    }
    let ty = Ty::parse(&p.ty).map_err(&mut bad).ok();
    let location = match (p.location, op.encoding) {
        (Some(l), _) => Some(l),
        (None, Encoding::Form) => Some(Location::Form),
        (None, Encoding::Json) => Some(Location::Json),
        (None, Encoding::Query) => Some(Location::Query),
        (None, Encoding::Xml | Encoding::Text | Encoding::Bytes) => Some(Location::Body),
        (None, Encoding::None) => {
            bad("the operation has encoding = \"none\": say where the param goes (in = path, query or header)"
                .to_owned());
            None
        }
    };
    let (Some(ty), Some(location)) = (ty, location) else {
        return None;
    };
    let enc = op.encoding;
    match location {
        Location::Form if enc != Encoding::Form => {
            bad(format!("in = \"form\" needs encoding = \"form\", not \"{}\"", enc.as_str()))
        }
        Location::Json if enc != Encoding::Json => {
            bad(format!("in = \"json\" needs encoding = \"json\", not \"{}\"", enc.as_str()))
        }
        Location::Body if matches!(enc, Encoding::None | Encoding::Query) => {
            bad(format!("in = \"body\" needs a body encoding, not \"{}\"", enc.as_str()));
        }
        _ => {}
    }
    if ty == Ty::Bytes && location != Location::Body {
        bad("type bytes is only allowed with in = \"body\"".to_owned());
    }
    match location {
        Location::Path => {
            if !p.required {
                bad("a path param must be required".to_owned());
            }
            if matches!(ty, Ty::Json | Ty::Model(_) | Ty::Secret) {
                bad(format!("type `{}` cannot go in the path", p.ty));
            }
        }
        Location::Header if !is_header_name(&wire) => bad(format!("`{wire}` is not a valid header name")),
        Location::Body => {
            let ok = match enc {
                Encoding::Json => !matches!(ty, Ty::Bytes | Ty::Bool01),
                Encoding::Form => matches!(ty, Ty::Model(_) | Ty::Json),
                Encoding::Xml => matches!(ty, Ty::String | Ty::Bytes),
                Encoding::Text => matches!(ty, Ty::String | Ty::Secret),
                Encoding::Bytes => ty == Ty::Bytes,
                Encoding::None | Encoding::Query => true,
            };
            if !ok {
                bad(format!("type `{}` cannot be the whole body of a \"{}\" request", p.ty, enc.as_str()));
            }
        }
        _ => {}
    }
    if p.style.is_some() && (ty != Ty::StringList || matches!(location, Location::Json | Location::Body)) {
        bad("style is only for string[] params sent as text (path, query, form, header)".to_owned());
    }
    if p.doc.trim().is_empty() {
        bad("doc is empty".to_owned());
    }
    let default = p.default.as_ref().and_then(|v| match default_expr(&ty, v, p.required) {
        Ok(expr) => Some((expr, v.to_string())),
        Err(e) => {
            bad(e);
            None
        }
    });
    let limits = Limits { min: p.min, max: p.max, min_len: p.min_len, max_len: p.max_len, closed: p.closed };
    let numeric = matches!(ty, Ty::Int | Ty::U32 | Ty::U64);
    if (limits.min.is_some() || limits.max.is_some()) && !numeric {
        bad("min and max are for int, u32 and u64 params".to_owned());
    }
    let unsigned = matches!(ty, Ty::U32 | Ty::U64);
    if unsigned && limits.min.is_some_and(|m| m < 0)
        || ty == Ty::U32 && limits.max.is_some_and(|m| m > i64::from(u32::MAX))
    {
        bad("min or max does not fit the param's type".to_owned());
    }
    if (limits.min_len.is_some() || limits.max_len.is_some()) && !matches!(ty, Ty::String | Ty::StringList) {
        bad("min_len and max_len are for string and string[] params".to_owned());
    }
    if limits.closed && !matches!(ty, Ty::Enum(_)) {
        bad("closed is for enum params (with an `Other(_)` variant)".to_owned());
    }
    let ordered = |lo: Option<i64>, hi: Option<i64>| lo.zip(hi).is_none_or(|(lo, hi)| lo <= hi);
    if !ordered(limits.min, limits.max) || !ordered(limits.min_len.map(i64::from), limits.max_len.map(i64::from)) {
        bad("a lower limit is above its upper limit".to_owned());
    }
    if errs.list.len() > before {
        return None;
    }
    Some(Param {
        name: p.name.clone(),
        wire,
        placeholder: String::new(),
        location,
        ty,
        ty_spec: p.ty.clone(),
        required: p.required,
        style: p.style.unwrap_or(Style::Comma),
        doc: p.doc.trim().to_owned(),
        default,
        limits,
    })
}

/// The Rust expression of a param's documented `default` (a value of its field type).
fn default_expr(ty: &Ty, v: &toml::Value, required: bool) -> Result<String, String> {
    if !required {
        return Err("default is only for a required param (an optional one is simply left out)".to_owned());
    }
    let mismatch = || format!("default {v} does not fit the param's type");
    Ok(match (ty, v) {
        (Ty::String, toml::Value::String(s)) => format!("{}.to_owned()", super::names::lit(s)),
        (Ty::Int, toml::Value::Integer(i)) => i.to_string(),
        (Ty::U32, toml::Value::Integer(i)) => u32::try_from(*i).map_err(|_| mismatch())?.to_string(),
        (Ty::U64, toml::Value::Integer(i)) => u64::try_from(*i).map_err(|_| mismatch())?.to_string(),
        (Ty::F64, toml::Value::Float(f)) if f.is_finite() => format!("{f:?}"),
        (Ty::F64, toml::Value::Integer(i)) => format!("{i}.0"),
        (Ty::Bool | Ty::Bool01, toml::Value::Boolean(b)) => b.to_string(),
        (Ty::Enum(path), toml::Value::String(variant)) if super::errors::is_camel_ident(variant) => {
            format!("{path}::{variant}")
        }
        (Ty::String | Ty::Int | Ty::U32 | Ty::U64 | Ty::F64 | Ty::Bool | Ty::Bool01 | Ty::Enum(_), _) => {
            return Err(mismatch())
        }
        _ => return Err("default is only for string, int, u32, u64, f64, bool, bool01 and enum params".to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place() -> SpecPlace {
        SpecPlace { file: "crates/x/spec/x.toml".into(), crate_dir: "crates/x".into(), vendor_crate: true }
    }

    const HEAD: &str = r#"
[vendor]
name = "x"
title = "X cloud"
seed = "x.txt"
output = "src/generated.rs"
client = "crate::Client"
"#;

    fn check(ops: &str) -> Result<Spec, Vec<String>> {
        let raw: RawSpec = toml::from_str(&format!("{HEAD}{ops}")).map_err(|e| vec![e.to_string()])?;
        validate(&raw, &place())
    }

    fn errors(ops: &str) -> String {
        match check(ops) {
            Ok(_) => panic!("expected errors for {ops}"),
            Err(e) => e.join("\n"),
        }
    }

    const GOOD: &str = r#"
[[operation]]
id = "device.get"
fn = "device_get"
section = "1.1"
method = "GET"
path = "/v1/devices/{deviceId}"
encoding = "query"
summary = "Get a device"
response = "models::Device"
  [[operation.param]]
  name = "device_id"
  wire = "deviceId"
  in = "path"
  type = "u64"
  required = true
  doc = "Device id"
  [[operation.param]]
  name = "detail"
  type = "int"
  doc = "Detail level"
"#;

    #[test]
    fn limits_must_fit_the_param_type() {
        let limited = GOOD.replace("  type = \"int\"\n", "  type = \"int\"\n  min = -1\n  max = 9\n");
        let spec = check(&limited).unwrap();
        let want = Limits { min: Some(-1), max: Some(9), ..Limits::default() };
        assert_eq!(spec.operations[0].params[1].limits, want);
        for (key, msg) in [
            ("min_len = 1", "min_len and max_len are for string and string[] params"),
            ("closed = true", "closed is for enum params"),
            ("min = 5\n  max = 4", "a lower limit is above its upper limit"),
        ] {
            let bad = GOOD.replace("  type = \"int\"\n", &format!("  type = \"int\"\n  {key}\n"));
            assert!(errors(&bad).contains(msg), "{key}: {}", errors(&bad));
        }
        let bad = GOOD.replace("  type = \"u64\"\n", "  type = \"u64\"\n  min = -1\n");
        assert!(errors(&bad).contains("min or max does not fit the param's type"), "{}", errors(&bad));
        let bad = GOOD.replace("  type = \"u64\"\n", "  type = \"u64\"\n  max_len = 3\n");
        assert!(errors(&bad).contains("min_len and max_len are for string"), "{}", errors(&bad));
    }

    #[test]
    fn sim_error_and_sim_state_need_their_prerequisites() {
        let head = |extra: &str| format!("{HEAD}{extra}\n{GOOD}");
        let raw: RawSpec = toml::from_str(&head("sim_error = \"crate::E\"")).unwrap();
        assert!(validate(&raw, &place()).unwrap_err().join("\n").contains("sim_error needs sim_output"));
        let raw: RawSpec =
            toml::from_str(&head("sim_output = \"src/sim/generated.rs\"\nsim_state = \"crate::S\"")).unwrap();
        assert!(validate(&raw, &place()).unwrap_err().join("\n").contains("sim_state needs sim_error"));
        let raw: RawSpec =
            toml::from_str(&head("sim_output = \"src/g.rs\"\nsim_error = \"crate::E\"\nsim_state = \"crate::S\""))
                .unwrap();
        let spec = validate(&raw, &place()).unwrap();
        assert_eq!(
            (spec.vendor.sim_error.as_deref(), spec.vendor.sim_state.as_deref()),
            (Some("crate::E"), Some("crate::S"))
        );
    }

    #[test]
    fn a_good_spec_gets_its_defaults() {
        let spec = check(GOOD).unwrap();
        assert_eq!(spec.output, "crates/x/src/generated.rs");
        assert_eq!(spec.coverage.as_deref(), Some("docs/coverage/x.md"));
        assert_eq!(spec.vendor.error, "watchpost_core::Error");
        let op = &spec.operations[0];
        assert!(op.idempotent, "GET defaults to idempotent");
        assert!(!op.handwritten);
        assert_eq!(op.response, Response::Type("super::models::Device".into()));
        assert_eq!(op.params[1].location, Location::Query);
        assert_eq!(op.params[1].wire, "detail");
        assert!(!op.params[1].required);
        assert_eq!(op.struct_name(), "DeviceGetRequest");
        assert_eq!(op.const_name(), "DEVICE_GET");
    }

    #[test]
    fn post_defaults_to_not_idempotent() {
        let spec = check(&GOOD.replace("\"GET\"", "\"POST\"")).unwrap();
        assert!(!spec.operations[0].idempotent);
    }

    #[test]
    fn duplicates_are_reported_with_their_place() {
        let e = errors(&format!("{GOOD}{GOOD}"));
        assert!(e.contains("crates/x/spec/x.toml: operation `device.get`: duplicate operation id"), "{e}");
        assert!(e.contains("duplicate fn `device_get`"), "{e}");
    }

    #[test]
    fn placeholders_and_path_params_must_match() {
        let e = errors(&GOOD.replace("/v1/devices/{deviceId}", "/v1/devices/{id}"));
        assert!(e.contains("placeholder `{id}` has no param"), "{e}");
        assert!(e.contains("path param `device_id` has no `{device_id}` or `{deviceId}` placeholder"), "{e}");
        // A placeholder may name the param by its Rust name too.
        let spec = check(&GOOD.replace("/v1/devices/{deviceId}", "/v1/devices/{device_id}?format=json")).unwrap();
        assert_eq!(spec.operations[0].params[0].placeholder, "device_id");
        assert_eq!(check(GOOD).unwrap().operations[0].params[0].placeholder, "deviceId");
        let e = errors(&GOOD.replace("/v1/devices/{deviceId}", "/v1/devices/{device_id}/{deviceId}"));
        assert!(e.contains("placeholder `{deviceId}` has no param"), "{e}");
        // Only a hand-written operation may take its whole path at run time.
        let e = errors(&GOOD.replace("/v1/devices/{deviceId}", "{deviceId}"));
        assert!(e.contains("must start with `/`"), "{e}");
        assert!(check(
            &GOOD
                .replace("/v1/devices/{deviceId}", "{deviceId}")
                .replace("response =", "handwritten = true\nresponse =")
        )
        .is_ok());
        let e = errors(&GOOD.replace("/v1/devices/{deviceId}", "/v1/devices/{deviceId"));
        assert!(e.contains("unterminated"), "{e}");
        let e = errors(&GOOD.replace("/v1/devices/{deviceId}", "v1/{deviceId}"));
        assert!(e.contains("must start with `/`"), "{e}");
    }

    #[test]
    fn unknown_types_encodings_and_keys_are_rejected() {
        let e = errors(&GOOD.replace("type = \"int\"", "type = \"integer\""));
        assert!(e.contains("param `detail`: unknown type `integer`"), "{e}");
        let e = errors(&GOOD.replace("encoding = \"query\"", "encoding = \"yaml\""));
        assert!(e.contains("unknown variant `yaml`"), "{e}");
        let e = errors(&GOOD.replace("summary =", "sumary = \"x\"\nsummary ="));
        assert!(e.contains("unknown field `sumary`"), "{e}");
        let e = errors(&GOOD.replace("\"GET\"", "\"get\""));
        assert!(e.contains("method `get`"), "{e}");
        let e = errors(&GOOD.replace("models::Device", "models:Device"));
        assert!(e.contains("response:"), "{e}");
    }

    #[test]
    fn body_params_cannot_mix() {
        let ops = r#"
[[operation]]
id = "a.set"
fn = "a_set"
section = "2"
method = "POST"
path = "/a"
encoding = "json"
summary = "Set"
response = "()"
  [[operation.param]]
  name = "whole"
  in = "body"
  type = "model:models::A"
  required = true
  doc = "All of it"
  [[operation.param]]
  name = "extra"
  type = "string"
  doc = "A member"
"#;
        let e = errors(ops);
        assert!(e.contains("cannot be combined with form or json params"), "{e}");
        let e = errors(&ops.replace("type = \"string\"", "in = \"body\"\n  type = \"string\""));
        assert!(e.contains("more than one param with in = \"body\""), "{e}");
    }

    #[test]
    fn locations_must_fit_the_encoding() {
        let e = errors(&GOOD.replace("type = \"int\"", "in = \"form\"\n  type = \"int\""));
        assert!(e.contains("in = \"form\" needs encoding = \"form\""), "{e}");
        let e = errors(&GOOD.replace("encoding = \"query\"\n", ""));
        assert!(e.contains("say where the param goes"), "{e}");
        let e = errors(&GOOD.replace("type = \"int\"", "type = \"bytes\""));
        assert!(e.contains("only allowed with in = \"body\""), "{e}");
        let e = errors(&GOOD.replace("type = \"u64\"\n  required = true", "type = \"u64\""));
        assert!(e.contains("a path param must be required"), "{e}");
        let e = errors(&GOOD.replace("type = \"int\"", "in = \"header\"\n  wire = \"X Bad\"\n  type = \"int\""));
        assert!(e.contains("not a valid header name"), "{e}");
        let e = errors(&GOOD.replace("type = \"int\"", "type = \"int\"\n  style = \"json\""));
        assert!(e.contains("style is only for string[]"), "{e}");
        let e = errors(&GOOD.replace("encoding = \"query\"", "encoding = \"query\"\ncontent_type = \"a/b\""));
        assert!(e.contains("content_type is only for encoding = \"bytes\""), "{e}");
    }

    #[test]
    fn names_must_be_rust_identifiers() {
        let e = errors(&GOOD.replace("fn = \"device_get\"", "fn = \"deviceGet\""));
        assert!(e.contains("fn `deviceGet` is not a snake_case"), "{e}");
        let e = errors(&GOOD.replace("name = \"detail\"", "name = \"type\""));
        assert!(e.contains("param `type`: name is not a snake_case"), "{e}");
        let e = errors(&GOOD.replace("fn = \"device_get\"", "fn = \"call\""));
        assert!(e.contains("reserved"), "{e}");
    }

    #[test]
    fn vendor_settings_are_checked() {
        let raw: RawSpec = toml::from_str(
            &(HEAD.replace("src/generated.rs", "../elsewhere.rs").replace("name = \"x\"", "name = \"X Y\"") + GOOD),
        )
        .unwrap();
        let e = validate(&raw, &place()).unwrap_err().join("\n");
        assert!(e.contains("[vendor]: output `../elsewhere.rs`"), "{e}");
        assert!(e.contains("[vendor]: name `X Y`"), "{e}");
        let raw: RawSpec = toml::from_str(HEAD).unwrap();
        assert!(validate(&raw, &place()).unwrap_err().join("").contains("no [[operation]]"));
    }

    const LIST: &str = r#"
[[operation]]
id = "device.list"
fn = "device_list"
section = "1.2"
method = "GET"
path = "/v1/devices"
encoding = "query"
summary = "List devices"
response = "models::Page"
  [[operation.param]]
  name = "skip"
  type = "u32"
  doc = "Skipped"
  [[operation.param]]
  name = "limit"
  type = "u32"
  doc = "Page size"
  [[operation.param]]
  name = "lang"
  type = "string"
  required = true
  default = "en"
  doc = "Language"
  [operation.pagination]
  style = "offset"
  offset = "skip"
  limit = "limit"
  items = "objects"
  item = "models::Device"
  total = "meta.total"
"#;

    #[test]
    fn pagination_and_defaults_are_read() {
        let spec = check(LIST).unwrap();
        let op = &spec.operations[0];
        let p = op.pagination.as_ref().unwrap();
        assert_eq!((p.position.path.as_str(), p.position.optional), ("skip", true));
        assert_eq!(p.item, "super::models::Device");
        assert_eq!(op.params[2].default, Some(("\"en\".to_owned()".to_owned(), "\"en\"".to_owned())));
        assert!(!op.params[2].in_new() && op.new_takes_nothing() && !op.all_default());
    }

    #[test]
    fn bad_pagination_is_reported() {
        let e = errors(&LIST.replace("offset = \"skip\"", "page = \"skip\""));
        assert!(e.contains("pagination: page is not used by style = \"offset\""), "{e}");
        assert!(e.contains("style = \"offset\" needs `offset`"), "{e}");
        let e = errors(&LIST.replace("offset = \"skip\"", "offset = \"lang\""));
        assert!(e.contains("offset param `lang` must have type int, u32 or u64"), "{e}");
        let e = errors(&LIST.replace("limit = \"limit\"", "limit = \"size\""));
        assert!(e.contains("limit `size` does not start with a param"), "{e}");
        let e = errors(&LIST.replace("total = \"meta.total\"", "total = \"meta..total\""));
        assert!(e.contains("total `meta..total` is not a field path"), "{e}");
        let e = errors(&LIST.replace("style = \"offset\"", "style = \"cursor\""));
        assert!(e.contains("next_cursor is required with style = \"cursor\""), "{e}");
        let e = errors(&LIST.replace("response = \"models::Page\"", "response = \"()\""));
        assert!(e.contains("the response is `()`"), "{e}");
        let e = errors(&LIST.replace("  total = ", "  totl = "));
        assert!(e.contains("unknown field `totl`"), "{e}");
    }

    #[test]
    fn bad_defaults_are_reported() {
        let e = errors(&LIST.replace("default = \"en\"", "default = 3"));
        assert!(e.contains("param `lang`: default 3 does not fit the param's type"), "{e}");
        let e = errors(&LIST.replace("  required = true\n  default", "  default"));
        assert!(e.contains("default is only for a required param"), "{e}");
        let e = errors(
            &LIST
                .replace("type = \"string\"\n  required = true", "type = \"u32\"\n  required = true")
                .replace("default = \"en\"", "default = -1"),
        );
        assert!(e.contains("default -1 does not fit"), "{e}");
        let e = errors(&LIST.replace("type = \"string\"\n  required = true", "type = \"json\"\n  required = true"));
        assert!(e.contains("default is only for string, int"), "{e}");
    }
}
