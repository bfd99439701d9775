//! `[operation.pagination]`: validation and the generated `<fn>_stream` methods, which run the
//! operation page after page through `watchpost_core::paginate::Paginator`.

use std::fmt::Write as _;

use super::model::{Member, Op, PageStyle, Pagination, Param, Response, Spec, Ty};
use super::names::{doc_comment, escape, is_snake_ident, lit, resolve_type};
use super::spec::RawPagination;

/// Appends one formatted line to a `String` (writing to a `String` cannot fail).
macro_rules! emit {
    ($out:expr, $($arg:tt)*) => {{
        let _ = writeln!($out, $($arg)*);
    }};
}

/// Whether `path` is dot-separated snake_case identifiers.
fn is_field_path(path: &str) -> bool {
    !path.is_empty() && path.split('.').all(is_snake_ident)
}

/// A request member: its first segment must be a param; a param of its own must be an integer
/// (or a string, for a cursor).
fn member(key: &str, path: &str, params: &[Param], cursor: bool, bad: &mut dyn FnMut(String)) -> Option<Member> {
    if !is_field_path(path) {
        bad(format!("pagination: {key} `{path}` is not a field path (`skip`, `body.position`)"));
        return None;
    }
    let first = path.split('.').next().unwrap_or(path);
    let Some(p) = params.iter().find(|p| p.name == first) else {
        bad(format!("pagination: {key} `{path}` does not start with a param of the operation"));
        return None;
    };
    if first != path {
        // A member of a model param: its type is the model's business (an integer field).
        return Some(Member { path: path.to_owned(), optional: false });
    }
    let ok = if cursor { p.ty == Ty::String } else { matches!(p.ty, Ty::Int | Ty::U32 | Ty::U64) };
    if !ok {
        let want = if cursor { "string" } else { "int, u32 or u64" };
        bad(format!("pagination: {key} param `{path}` must have type {want}"));
    }
    if cursor && p.required {
        bad(format!("pagination: cursor param `{path}` must be optional (the first page has none)"));
    }
    Some(Member { path: path.to_owned(), optional: !p.required })
}

/// Validates one `[operation.pagination]`.
pub fn validate(
    raw: &RawPagination,
    params: &[Param],
    response: &Response,
    handwritten: bool,
    bad: &mut dyn FnMut(String),
) -> Option<Pagination> {
    let before = std::cell::Cell::new(0u32);
    let mut fail = |msg: String| {
        before.set(before.get() + 1);
        bad(msg);
    };
    if handwritten {
        fail("pagination: a handwritten operation has no generated method to page with".to_owned());
    }
    if *response == Response::Unit {
        fail("pagination: the response is `()`; a list needs a response type".to_owned());
    }
    let (key, position, others) = match raw.style {
        PageStyle::Page => ("page", &raw.page, [("offset", &raw.offset), ("cursor", &raw.cursor)]),
        PageStyle::Offset => ("offset", &raw.offset, [("page", &raw.page), ("cursor", &raw.cursor)]),
        PageStyle::Cursor => ("cursor", &raw.cursor, [("page", &raw.page), ("offset", &raw.offset)]),
    };
    for (other, value) in others {
        if value.is_some() {
            fail(format!("pagination: {other} is not used by style = \"{key}\""));
        }
    }
    if raw.first_page.is_some() && raw.style != PageStyle::Page {
        fail("pagination: first_page is only for style = \"page\"".to_owned());
    }
    if raw.next_cursor.is_some() != (raw.style == PageStyle::Cursor) {
        fail("pagination: next_cursor is required with style = \"cursor\" and only there".to_owned());
    }
    let position = match position {
        Some(p) => member(key, p, params, raw.style == PageStyle::Cursor, &mut fail),
        None => {
            fail(format!("pagination: style = \"{key}\" needs `{key}` (the request member)"));
            None
        }
    };
    let limit = member("limit", &raw.limit, params, false, &mut fail);
    for (k, v) in [
        ("items", Some(&raw.items)),
        ("total", raw.total.as_ref()),
        ("has_more", raw.has_more.as_ref()),
        ("next_cursor", raw.next_cursor.as_ref()),
        ("page_size", raw.page_size.as_ref()),
    ] {
        if let Some(v) = v {
            if !is_field_path(v) {
                fail(format!("pagination: {k} `{v}` is not a field path of the response (`meta.total`)"));
            }
        }
    }
    let item = resolve_type(&raw.item).map_err(|e| fail(format!("pagination: item: {e}"))).ok();
    let (Some(position), Some(limit), Some(item)) = (position, limit, item) else { return None };
    (before.get() == 0).then(|| Pagination {
        style: raw.style,
        position,
        first_page: raw.first_page.unwrap_or(1),
        limit,
        items: raw.items.clone(),
        item,
        total: raw.total.clone(),
        has_more: raw.has_more.clone(),
        next_cursor: raw.next_cursor.clone(),
        page_size: raw.page_size.clone(),
    })
}

/// Renders the `<fn>_stream` method of every paginated operation (inside the client's `impl`).
pub fn render_streams(out: &mut String, spec: &Spec) {
    for op in spec.operations.iter() {
        if let Some(p) = &op.pagination {
            out.push('\n');
            render_stream(out, op, p);
        }
    }
}

/// Implements the vendor's `paginated` trait for every paginated request: its item type, and its
/// `<fn>_stream` with `limit` set to the page size when one is given.
pub fn render_paginated(out: &mut String, spec: &Spec) {
    let Some(t) = &spec.vendor.paginated else { return };
    for op in spec.operations.iter() {
        let Some(p) = &op.pagination else { continue };
        emit!(out, "impl {t} for {} {{", op.struct_name());
        emit!(out, "type Item = {};\n", p.item);
        emit!(out, "#[allow(clippy::useless_conversion)] // the page size member may be wider than `u32`");
        emit!(
            out,
            "fn stream(&self, client: &{}, page_size: Option<u32>) -> watchpost_core::paginate::ItemStream<Self::Item> {{",
            spec.vendor.client
        );
        emit!(out, "let mut req = self.clone();");
        emit!(out, "if let Some(n) = page_size {{");
        let value = if p.limit.optional { "Some(n.into())" } else { "n.into()" };
        emit!(out, "req.{} = {value};", p.limit.path);
        emit!(out, "}}");
        emit!(out, "client.{}_stream(&req)", op.fn_name);
        emit!(out, "}}");
        emit!(out, "}}\n");
    }
}

fn render_stream(out: &mut String, op: &Op, p: &Pagination) {
    let (what, start_doc) = match p.style {
        PageStyle::Page => ("page number", format!("page `{}` (default {})", p.position.path, p.first_page)),
        PageStyle::Offset => ("offset", format!("offset `{}` (default 0)", p.position.path)),
        PageStyle::Cursor => ("cursor", format!("cursor `{}` (default none)", p.position.path)),
    };
    let limit_default = if p.limit.optional { ", else the client's `page_size()`".to_owned() } else { String::new() };
    let mut doc = format!(
        "{}: every item, page after page, as a lazy stream.\n\n\
         Calls [`{}`](Self::{}) for each page, starting at the request's {start_doc} with `{}` items per \
         page (the request's{limit_default}), and fetches the next page only when the previous one is \
         consumed. The stream ends after the last page ",
        escape(&op.summary),
        op.fn_name,
        op.fn_name,
        p.limit.path,
    );
    let mut ends = vec!["an empty page".to_owned()];
    if let Some(t) = &p.total {
        ends.push(format!("the {what} reaching `{t}`"));
    }
    if let Some(h) = &p.has_more {
        ends.push(format!("`{h}` false"));
    }
    if p.style == PageStyle::Cursor {
        ends.push("no next cursor".to_owned());
    } else {
        ends.push("a short page".to_owned());
    }
    doc.push_str(&format!(
        "({}). A failed page ends it with its error; a page that repeats the one before it ends it with a \
         decode error, never an endless loop.",
        ends.join(", ")
    ));
    doc_comment(out, &doc);
    emit!(
        out,
        "pub fn {}_stream(&self, req: &{}) -> watchpost_core::paginate::ItemStream<{}> {{",
        op.fn_name,
        op.struct_name(),
        p.item
    );
    emit!(out, "use watchpost_core::paginate::{{fit, Count as _, Page, PageStyle, Paginator, Position}};");
    if p.has_more.is_some() {
        emit!(out, "use watchpost_core::paginate::Flag as _;");
    }
    emit!(out, "let op = &ops::{};", op.const_name());
    if p.limit.optional {
        emit!(out, "let limit = req.{}.count().unwrap_or_else(|| u64::from(self.page_size()));", p.limit.path);
    } else {
        emit!(out, "let limit = req.{}.count().unwrap_or(1);", p.limit.path);
    }
    emit!(out, "let mut start = Position::first(limit);");
    match p.style {
        PageStyle::Page => emit!(out, "start.page = req.{}.count().unwrap_or({});", p.position.path, p.first_page),
        PageStyle::Offset => emit!(out, "start.offset = req.{}.count().unwrap_or(0);", p.position.path),
        PageStyle::Cursor => emit!(out, "start.cursor = req.{}.clone();", p.position.path),
    }
    emit!(out, "let client = self.clone();");
    emit!(out, "let base = req.clone();");
    emit!(out, "Paginator::new(op.id, PageStyle::{}, start).stream(move |pos: Position| {{", p.style.variant());
    emit!(out, "let client = client.clone();");
    emit!(out, "let mut req = base.clone();");
    emit!(out, "async move {{");
    let set = |out: &mut String, m: &Member, value: &str| {
        if m.optional {
            emit!(out, "req.{} = Some({value});", m.path);
        } else {
            emit!(out, "req.{} = {value};", m.path);
        }
    };
    match p.style {
        PageStyle::Page => set(out, &p.position, &format!("fit(op.id, {}, pos.page)?", lit("page"))),
        PageStyle::Offset => set(out, &p.position, &format!("fit(op.id, {}, pos.offset)?", lit("offset"))),
        PageStyle::Cursor => emit!(out, "req.{} = pos.cursor.clone();", p.position.path),
    }
    set(out, &p.limit, &format!("fit(op.id, {}, pos.limit)?", lit("limit")));
    emit!(out, "let resp = client.{}(&req).await?;", op.fn_name);
    let mut chain = String::new();
    if let Some(t) = &p.total {
        emit!(out, "let total = resp.{t}.count();");
        chain.push_str(".total(total)");
    }
    if let Some(h) = &p.has_more {
        emit!(out, "let has_more = resp.{h}.flag();");
        chain.push_str(".has_more(has_more)");
    }
    if let Some(c) = &p.next_cursor {
        emit!(out, "let next_cursor = resp.{c}.clone();");
        chain.push_str(".next_cursor(next_cursor)");
    }
    if let Some(s) = &p.page_size {
        emit!(out, "let page_size = resp.{s}.count();");
        chain.push_str(".page_size(page_size)");
    }
    emit!(out, "Ok(Page::new(resp.{}){chain})", p.items);
    emit!(out, "}}");
    emit!(out, "}})");
    emit!(out, "}}");
}
