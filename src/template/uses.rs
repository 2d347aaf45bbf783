//! What a template prints as text, read from its compiled Handlebars, and the data checked
//! against it before rendering: Handlebars itself prints a map as "[object]", a list as
//! "[a, b]" and an empty value as nothing ("huyện ."), none of which a văn thư should have to
//! find on paper. Each is refused naming the data file, line and key.

use handlebars::template::{Parameter, TemplateElement};

use super::data::{DocData, STRUCTURAL};
use crate::error::{Error, Result};

/// A value a template prints as text: its path from the data's root ("*" for each item of a
/// list walked with `#each`), and whether it stands inside a condition (`#if`, `#unless`),
/// where an empty value is the condition's business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextUse {
    pub path: Vec<String>,
    pub conditional: bool,
}

/// Helpers whose argument is printed as text.
const TEXT_HELPERS: [&str; 1] = ["upper"];

/// The path a template expression names, from `scope` (the enclosing `#each`/`#with`):
/// "xa", "this", "../xa", "a.b"; `None` for `@index` and other local variables.
fn resolve(scope: &[String], raw: &str) -> Option<Vec<String>> {
    if raw.starts_with('@') {
        return None;
    }
    let mut base = scope.to_vec();
    let mut rest = raw;
    while let Some(r) = rest.strip_prefix("../") {
        // Up one `#each` (its list and its "*") or one `#with`.
        if base.last().is_some_and(|s| s == "*") {
            base.pop();
        }
        base.pop();
        rest = r;
    }
    let rest = rest.strip_prefix("this").map_or(rest, |r| {
        r.strip_prefix('.').or(r.strip_prefix('/')).unwrap_or(r)
    });
    base.extend(
        rest.split(['.', '/'])
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    );
    Some(base)
}

fn param_path(p: &Parameter) -> Option<&str> {
    match p {
        Parameter::Path(_) => p.as_name(),
        _ => None,
    }
}

/// Every value `tpl` prints as text.
pub fn text_uses(tpl: &handlebars::Template) -> Vec<TextUse> {
    let mut out = Vec::new();
    walk(tpl, &[], false, &mut out);
    out
}

fn walk(tpl: &handlebars::Template, scope: &[String], conditional: bool, out: &mut Vec<TextUse>) {
    let push = |raw: &str, out: &mut Vec<TextUse>| {
        if let Some(path) = resolve(scope, raw) {
            out.push(TextUse { path, conditional });
        }
    };
    for e in &tpl.elements {
        match e {
            TemplateElement::Expression(h) | TemplateElement::HtmlExpression(h) => {
                let name = h.name.as_name().unwrap_or_default();
                if h.params.is_empty() && h.hash.is_empty() {
                    push(name, out);
                } else if TEXT_HELPERS.contains(&name) {
                    for raw in h.params.iter().filter_map(param_path) {
                        push(raw, out);
                    }
                }
            }
            TemplateElement::HelperBlock(h) => {
                let name = h.name.as_name().unwrap_or_default();
                let target = h
                    .params
                    .first()
                    .and_then(param_path)
                    .and_then(|raw| resolve(scope, raw));
                let (inner, cond): (Vec<String>, bool) = match (name, target) {
                    ("each", Some(mut p)) => {
                        p.push("*".into());
                        (p, conditional)
                    }
                    ("with", Some(p)) => (p, conditional),
                    _ => (scope.to_vec(), true),
                };
                if let Some(t) = &h.template {
                    walk(t, &inner, cond, out);
                }
                if let Some(t) = &h.inverse {
                    walk(t, scope, true, out);
                }
            }
            _ => {}
        }
    }
}

/// Each value at `path` in `v`, with its printed path ("ban_chi_dao[2].ho_ten").
fn values_at<'a>(
    v: &'a serde_json::Value,
    path: &[String],
    shown: String,
    out: &mut Vec<(String, &'a serde_json::Value)>,
) {
    let Some((first, rest)) = path.split_first() else {
        out.push((shown, v));
        return;
    };
    if first == "*" {
        for (i, item) in v.as_array().into_iter().flatten().enumerate() {
            values_at(item, rest, format!("{shown}[{i}]"), out);
        }
    } else if let Some(next) = v.get(first) {
        let shown = if shown.is_empty() {
            first.clone()
        } else {
            format!("{shown}.{first}")
        };
        values_at(next, rest, shown, out);
    }
}

/// The error for `key` of `data`, at the place its top-level key was written.
pub(crate) fn at_key(data: &DocData, key: &str, message: String) -> Error {
    let top = key.split(['.', '[']).next().unwrap_or(key);
    match data.origins.get(top) {
        Some(o) => Error::Yaml {
            path: o.path.clone(),
            line: o.line,
            column: o.column,
            message: format!("`{key}`: {message}"),
        },
        None => Error::Field {
            path: data.path.clone(),
            field: key.into(),
            message,
        },
    }
}

/// Refuses data that would print wrong: a key of the file itself that the template neither
/// declares nor uses (a misspelt name fills nothing), a map or list where the template prints
/// text, and an empty value the template prints outside a condition.
pub fn check(
    template: &str,
    declared: &[(String, String)],
    uses: &[TextUse],
    data: &DocData,
) -> Result<()> {
    for (key, origin) in &data.origins {
        let known = STRUCTURAL.contains(&key.as_str())
            || crate::document::phap_ly::KEYS.contains(&key.as_str())
            || declared.iter().any(|(d, _)| d == key)
            || uses.iter().any(|u| u.path.first() == Some(key));
        if !known && origin.path == data.path {
            let names: Vec<&str> = declared.iter().map(|(d, _)| d.as_str()).collect();
            return Err(at_key(
                data,
                key,
                format!(
                    "mẫu `{template}` không dùng trường này (viết sai tên?); các trường của mẫu: {}",
                    names.join(", ")
                ),
            ));
        }
    }
    // The commune's name and levels are printed through helpers (`{{ten_xa}}`, …), which
    // read them from the data: checked as text the template prints.
    let dia_ban: Vec<TextUse> = crate::document::phap_ly::KEYS
        .iter()
        .map(|k| TextUse {
            path: vec![k.to_string()],
            conditional: false,
        })
        .collect();
    for u in uses.iter().chain(&dia_ban) {
        let mut found = Vec::new();
        values_at(&data.value, &u.path, String::new(), &mut found);
        for (key, v) in found {
            let wrong = match v {
                serde_json::Value::Object(_) => Some("là một bảng (tên: giá trị)"),
                serde_json::Value::Array(_) => Some("là một danh sách"),
                serde_json::Value::String(s) if s.trim().is_empty() && !u.conditional => {
                    Some("để trống")
                }
                _ => None,
            };
            if let Some(what) = wrong {
                return Err(at_key(
                    data,
                    &key,
                    format!(
                        "{what}, nhưng mẫu `{template}` in giá trị này thành chữ; \
                         hãy ghi một giá trị chữ"
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(src: &str) -> Vec<(String, bool)> {
        let t = handlebars::Template::compile(src).unwrap();
        text_uses(&t)
            .into_iter()
            .map(|u| (u.path.join("."), u.conditional))
            .collect()
    }

    #[test]
    fn paths_through_each_if_and_parents() {
        assert_eq!(
            uses(
                "{{xa}} {{upper huyen}} {{ngay d}} {{stt @index}}\
                 {{#each ds}}{{ho_ten}} {{../xa}} {{this}}{{/each}}\
                 {{#if co}}{{thay_the}}{{else}}{{khac}}{{/if}}"
            ),
            [
                ("xa".into(), false),
                ("huyen".into(), false),
                ("ds.*.ho_ten".into(), false),
                ("xa".into(), false),
                ("ds.*".into(), false),
                ("thay_the".into(), true),
                ("khac".into(), true),
            ]
        );
    }
}
