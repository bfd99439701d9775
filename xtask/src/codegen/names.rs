//! Identifiers, type paths, string literals and doc text for generated code.

/// Rust keywords (strict and reserved), which cannot be field or method names.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self",
    "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become",
    "box", "do", "final", "gen", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Whether `s` is a snake_case Rust identifier that is not a keyword (`device_info`, `channel_no2`).
pub fn is_snake_ident(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else { return false };
    (first.is_ascii_lowercase() || first == '_')
        && s != "_"
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !KEYWORDS.contains(&s)
}

/// `device_info` → `DeviceInfo`.
pub fn upper_camel(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for part in s.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    out
}

/// `device_info` → `DEVICE_INFO`.
pub fn screaming(s: &str) -> String {
    s.to_ascii_uppercase()
}

/// A Rust string literal for `s` (escaped as `{:?}` does, which is valid Rust).
pub fn lit(s: &str) -> String {
    format!("{s:?}")
}

/// Roots that are used verbatim in a type path: everything else is resolved relative to the
/// parent of the generated module by prefixing `super::`.
const ABSOLUTE_ROOTS: &[&str] =
    &["crate", "super", "self", "std", "core", "alloc", "serde", "serde_json", "watchpost_core", "bytes"];

/// Prelude types and primitives used verbatim when they appear as a one-segment path.
const PRELUDE: &[&str] = &[
    "Vec", "Option", "String", "Box", "bool", "char", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32",
    "u64", "u128", "usize", "f32", "f64",
];

/// One-segment names that are expanded to a full path.
const EXPANDED: &[(&str, &str)] =
    &[("HashMap", "std::collections::HashMap"), ("BTreeMap", "std::collections::BTreeMap")];

/// Resolves a spec type expression (`models::DeviceInfo`, `Vec<models::Event>`, `()`,
/// `serde_json::Value`) into Rust code usable inside the generated module.
///
/// A path whose first segment is a crate-relative root (`crate`, `super`, `std`,
/// `serde_json`, `watchpost_core`, ...) or starts with `::` is kept; a prelude type (`Vec`,
/// `Option`, `String`, integers) is kept; anything else is relative to the module that declares
/// the generated module (the crate root for `src/generated.rs`) and gets a `super::` prefix.
///
/// # Errors
/// A message when the expression is not a path with optional generic arguments, or `()`.
pub fn resolve_type(expr: &str) -> Result<String, String> {
    let tokens = tokenize(expr)?;
    let mut p = Parser { tokens: &tokens, pos: 0 };
    let out = p.ty()?;
    if p.pos != tokens.len() {
        return Err(format!("unexpected `{}` in type `{expr}`", tokens.get(p.pos).map_or("", |t| t.as_str())));
    }
    Ok(out)
}

fn tokenize(expr: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut chars = expr.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            ' ' | '\t' => {}
            '<' | '>' | ',' | '(' | ')' => tokens.push(c.to_string()),
            ':' => {
                if chars.next_if(|&(_, c)| c == ':').is_none() {
                    return Err(format!("single `:` in type `{expr}`"));
                }
                tokens.push("::".to_owned());
            }
            c if c.is_ascii_alphanumeric() || c == '_' => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_ascii_alphanumeric() || d == '_' {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let word = &expr[i..end];
                if word.starts_with(|d: char| d.is_ascii_digit()) {
                    return Err(format!("`{word}` is not an identifier in type `{expr}`"));
                }
                tokens.push(word.to_owned());
            }
            other => return Err(format!("unexpected `{other}` in type `{expr}`")),
        }
    }
    if tokens.is_empty() {
        return Err("empty type".to_owned());
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: &'a [String],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.pos).map(String::as_str)
    }

    fn eat(&mut self, t: &str) -> bool {
        if self.peek() == Some(t) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Result<String, String> {
        match self.peek() {
            Some(t) if t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') => {
                let t = t.to_owned();
                self.pos += 1;
                Ok(t)
            }
            other => Err(format!("expected a name, found `{}`", other.unwrap_or("end"))),
        }
    }

    fn ty(&mut self) -> Result<String, String> {
        if self.eat("(") {
            if self.eat(")") {
                return Ok("()".to_owned());
            }
            return Err("only the unit type `()` may be written in parentheses".to_owned());
        }
        let leading = self.eat("::");
        let mut segments = vec![self.ident()?];
        while self.eat("::") {
            segments.push(self.ident()?);
        }
        let path = segments.join("::");
        let mut out = if leading {
            format!("::{path}")
        } else if segments.len() == 1 && PRELUDE.contains(&path.as_str()) {
            path
        } else if let (1, Some((_, full))) = (segments.len(), EXPANDED.iter().find(|(n, _)| *n == path)) {
            (*full).to_owned()
        } else if segments.first().is_some_and(|s| ABSOLUTE_ROOTS.contains(&s.as_str())) {
            path
        } else {
            format!("super::{path}")
        };
        if self.eat("<") {
            let mut args = vec![self.ty()?];
            while self.eat(",") {
                args.push(self.ty()?);
            }
            if !self.eat(">") {
                return Err("unclosed `<` in type".to_owned());
            }
            out = format!("{out}<{}>", args.join(", "));
        }
        Ok(out)
    }
}

/// Doc-comment lines for `text`: markdown-escaped outside backticks so that seed text with
/// brackets, angle brackets or bare URLs does not trip rustdoc lints. Blank input lines are kept
/// as paragraph breaks; trailing spaces are dropped.
pub fn doc_lines(text: &str) -> Vec<String> {
    text.trim().lines().map(|l| escape_doc(l.trim_end())).collect()
}

fn escape_doc(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for (i, part) in line.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(part);
            continue;
        }
        let mut words = part.split(' ').peekable();
        while let Some(word) = words.next() {
            if word.starts_with("http://") || word.starts_with("https://") {
                let url = word.trim_end_matches(['.', ',', ';', ')']);
                out.push('<');
                out.push_str(url);
                out.push('>');
                out.push_str(&escape_md(&word[url.len()..]));
            } else {
                out.push_str(&escape_md(word));
            }
            if words.peek().is_some() {
                out.push(' ');
            }
        }
    }
    out
}

fn escape_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '[' | ']' | '*' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Markdown-escapes spec text for a doc comment (see [`doc_lines`]), keeping line breaks.
pub fn escape(text: &str) -> String {
    doc_lines(text).join("\n")
}

/// Adds a full stop to spec text that does not end a sentence.
pub fn sentence(text: &str) -> String {
    let t = text.trim_end();
    if t.ends_with(['.', '!', '?', ':']) {
        t.to_owned()
    } else {
        format!("{t}.")
    }
}

/// Renders `text`, already escaped where it came from a spec, as `///` lines.
pub fn doc_comment(out: &mut String, text: &str) {
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            out.push_str("///\n");
        } else {
            out.push_str("/// ");
            out.push_str(line);
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert!(is_snake_ident("device_info"));
        assert!(is_snake_ident("channel_no2"));
        assert!(!is_snake_ident("DeviceInfo"));
        assert!(!is_snake_ident("2fa"));
        assert!(!is_snake_ident("type"));
        assert!(!is_snake_ident("_"));
        assert!(!is_snake_ident(""));
        assert!(!is_snake_ident("a-b"));
        assert_eq!(upper_camel("device_info"), "DeviceInfo");
        assert_eq!(upper_camel("get_v2_status"), "GetV2Status");
        assert_eq!(screaming("device_info"), "DEVICE_INFO");
    }

    #[test]
    fn literals_are_escaped() {
        assert_eq!(lit(r#"a "b" \ c"#), r#""a \"b\" \\ c""#);
        assert_eq!(lit("line\nnext"), r#""line\nnext""#);
    }

    #[test]
    fn types_resolve_relative_to_the_parent_module() {
        assert_eq!(resolve_type("models::DeviceInfo").unwrap(), "super::models::DeviceInfo");
        assert_eq!(resolve_type("()").unwrap(), "()");
        assert_eq!(resolve_type("serde_json::Value").unwrap(), "serde_json::Value");
        assert_eq!(resolve_type("crate::Client").unwrap(), "crate::Client");
        assert_eq!(resolve_type("Client").unwrap(), "super::Client");
        assert_eq!(resolve_type("Vec< models::Event >").unwrap(), "Vec<super::models::Event>");
        assert_eq!(
            resolve_type("HashMap<String, Option<models::X>>").unwrap(),
            "std::collections::HashMap<String, Option<super::models::X>>"
        );
        assert_eq!(resolve_type("::other::T").unwrap(), "::other::T");
        for bad in ["", "models:X", "Vec<X", "(X)", "a b", "models::", "X>", "&str", "9x"] {
            assert!(resolve_type(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn doc_text_is_escaped_outside_code() {
        assert_eq!(
            doc_lines("Set [a] <b> see https://x.y/z. Keep `a[0] <b>`"),
            vec!["Set \\[a\\] &lt;b&gt; see <https://x.y/z>. Keep `a[0] <b>`"]
        );
        assert_eq!(doc_lines("one\n\ntwo  "), vec!["one", "", "two"]);
        assert_eq!(doc_lines("snake_case *x*"), vec!["snake_case \\*x\\*"]);
        assert_eq!(escape("a [b]\n\nc"), "a \\[b\\]\n\nc");
        assert_eq!(sentence("Get a device"), "Get a device.");
        assert_eq!(sentence("Done! "), "Done!");
    }
}
