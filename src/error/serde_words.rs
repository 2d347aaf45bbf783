//! serde's messages about a YAML file that does not fit its schema ("invalid type: …",
//! "unknown variant …, expected one of …", "missing field …"), said in Vietnamese to the
//! provincial officer who wrote the file, with the step named by its id rather than its place
//! in the list (`steps[1]` → bước `b`). What is not one of serde's messages is left as it is.

use crate::workflow::check::did_you_mean;

/// The message in Vietnamese: the path serde puts in front (`steps[1].entry: `), the step
/// named by its `id` when `text` is the file's YAML, then the message itself.
pub fn vietnamese(message: &str, text: Option<&str>) -> String {
    const PHRASES: [&str; 12] = [
        "invalid type: ",
        "invalid value: ",
        "invalid length ",
        "unknown variant ",
        "unknown field ",
        "missing field ",
        "duplicate field ",
        "data did not match any variant",
        // chrono's, reading a date
        "input contains invalid characters",
        "premature end of input",
        "trailing input",
        "input is out of range",
    ];
    let Some(at) = PHRASES.iter().filter_map(|p| message.find(p)).min() else {
        // A message of hoso's own behind serde's path: the step still named by its id.
        let key = |s: &str| !s.is_empty() && !s.contains(' ');
        return match message.split_once(": ") {
            Some((path, rest)) if key(path) => match rest.split_once(": ") {
                Some((field, said)) if key(field) => {
                    format!("{}: {said}", place(&format!("{path}.{field}"), text))
                }
                _ => format!("{}: {rest}", place(path, text)),
            },
            _ => message.to_string(),
        };
    };
    let (prefix, rest) = message.split_at(at);
    let Some(said) = sentence(rest) else {
        return message.to_string();
    };
    match prefix.strip_suffix(": ") {
        Some(path) => format!("{}: {said}", place(path, text)),
        None if prefix.is_empty() => said,
        None => message.to_string(),
    }
}

/// What chrono's "input contains invalid characters" and its like say of a date.
pub const DATE_WRONG: &str = "ngày viết sai";

/// One of serde's sentences in Vietnamese, or None when it is not one.
fn sentence(m: &str) -> Option<String> {
    if let Some(rest) = m.strip_prefix("invalid type: ") {
        let (got, want) = rest.split_once(", expected ")?;
        return Some(format!(
            "kiểu sai: cần {}, mà ghi {}",
            expected(want),
            unexpected(got)
        ));
    }
    if let Some(rest) = m.strip_prefix("invalid value: ") {
        let (got, want) = rest.split_once(", expected ")?;
        return Some(format!(
            "giá trị sai: cần {}, mà ghi {}",
            expected(want),
            unexpected(got)
        ));
    }
    if let Some(rest) = m.strip_prefix("invalid length ") {
        let (n, want) = rest.split_once(", expected ")?;
        return Some(format!("độ dài sai ({n}): cần {}", expected(want)));
    }
    if let Some(rest) = m.strip_prefix("unknown variant ") {
        let (name, known) = split_known(rest)?;
        let list = known.join(", ");
        let hint = did_you_mean(&name, known.iter().map(|k| k.trim_matches('`')));
        return Some(match known.len() {
            0 => format!("không có giá trị `{name}`: ở đây không ghi giá trị nào"),
            1 => format!("không có giá trị `{name}`: chỉ ghi được {list}{hint}"),
            _ => format!("không có giá trị `{name}`; chọn một trong: {list}{hint}"),
        });
    }
    if let Some(rest) = m.strip_prefix("unknown field ") {
        let (name, known) = split_known(rest)?;
        let hint = did_you_mean(&name, known.iter().map(|k| k.trim_matches('`')));
        return Some(match known.len() {
            0 => format!("không có khóa `{name}`: ở đây không ghi khóa nào"),
            _ => format!(
                "không có khóa `{name}`; các khóa ghi được: {}{hint}",
                known.join(", ")
            ),
        });
    }
    if let Some(rest) = m.strip_prefix("missing field ") {
        return Some(format!("thiếu khóa {rest} (bắt buộc)"));
    }
    if let Some(rest) = m.strip_prefix("duplicate field ") {
        return Some(format!("khóa {rest} ghi hai lần; giữ một lần, xóa lần kia"));
    }
    if [
        "input contains invalid characters",
        "premature end of input",
        "trailing input",
    ]
    .contains(&m)
    {
        return Some(DATE_WRONG.to_string());
    }
    if m == "input is out of range" {
        return Some("ngày không có trong lịch (như 30/02 hay 31/06)".to_string());
    }
    if m.starts_with("data did not match any variant") {
        return Some(
            "giá trị không đúng dạng nào được nhận ở đây (xem ví dụ trong workflows/README.md)"
                .to_string(),
        );
    }
    None
}

/// `` `x`, expected one of `a`, `b` `` → ("x", ["`a`", "`b`"]); also "expected `a`",
/// "expected `a` or `b`" and "there are no variants/fields".
fn split_known(rest: &str) -> Option<(String, Vec<String>)> {
    let (name, known) = rest.split_once(", ")?;
    let name = name.trim_matches('`').to_string();
    if known.starts_with("there are no ") {
        return Some((name, Vec::new()));
    }
    let list = known
        .strip_prefix("expected one of ")
        .or_else(|| known.strip_prefix("expected "))?;
    let items = list
        .split(", ")
        .flat_map(|i| i.split(" or "))
        .map(str::to_string)
        .collect();
    Some((name, items))
}

/// What serde says was found (`string "b"`, `integer `1``, `sequence`), in words.
fn unexpected(got: &str) -> String {
    let words = [
        ("string ", "chữ "),
        ("integer ", "số "),
        ("floating point ", "số "),
        ("boolean ", "giá trị đúng/sai "),
        ("character ", "ký tự "),
    ];
    for (en, vi) in words {
        if let Some(v) = got.strip_prefix(en) {
            return format!("{vi}{v}");
        }
    }
    match got {
        "sequence" => "một danh sách".into(),
        "map" => "một bảng (mỗi dòng `khóa: giá trị`)".into(),
        "unit value" | "null" => "giá trị rỗng".into(),
        "enum" => "một giá trị có thẻ (tag) YAML".into(),
        other => other.into(),
    }
}

/// What serde says was expected (`a boolean`, `a sequence`, `struct Step`), in words.
fn expected(want: &str) -> String {
    match want {
        "a string" | "a borrowed string" | "string" => "chữ".into(),
        "a boolean" | "bool" => "true hoặc false".into(),
        "a sequence" => "một danh sách ([a, b], hoặc mỗi mục một dòng bắt đầu bằng `- `)".into(),
        "a map" | "map" => "một bảng (mỗi dòng `khóa: giá trị`)".into(),
        "a formatted date string" => "một ngày YYYY-MM-DD, ví dụ 2023-01-01".into(),
        "a character" | "char" => "một ký tự".into(),
        w if [
            "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize", "f32", "f64",
        ]
        .contains(&w) =>
        {
            "một số".into()
        }
        w if w.starts_with("struct ") || w.starts_with("a map of ") => {
            "một bảng (mỗi dòng `khóa: giá trị`)".into()
        }
        w if w.starts_with("enum ") || w.starts_with("variant identifier") => {
            "một trong các giá trị được phép".into()
        }
        other => other.into(),
    }
}

/// serde's path in words: `steps[1].entry` → "bước `b`, entry" when the file's step 1 has id
/// `b` (also `add_steps[…]`), a province file's `steps.b.remove[0]` → "bước `b`, remove[0]"; a
/// path that names no step stays as written.
fn place(path: &str, text: Option<&str>) -> String {
    for list in ["steps", "add_steps"] {
        let Some(rest) = path.strip_prefix(list).and_then(|r| r.strip_prefix('[')) else {
            continue;
        };
        let Some((n, after)) = rest.split_once(']') else {
            continue;
        };
        let Some(id) = n
            .parse::<usize>()
            .ok()
            .and_then(|n| step_id(text?, list, n))
        else {
            continue;
        };
        return match after.strip_prefix('.').or_else(|| after.strip_prefix(": ")) {
            Some(field) => format!("bước `{id}`, {field}"),
            None => format!("bước `{id}`"),
        };
    }
    // A province file's changes to base steps are keyed by the step's id already.
    if let Some((id, field)) = path
        .strip_prefix("steps.")
        .and_then(|r| r.split_once('.'))
        .filter(|(id, _)| !id.is_empty())
    {
        return format!("bước `{id}`, {field}");
    }
    path.to_string()
}

/// The `id` of item `n` of the list `list` at the top of the YAML `text`; read line by line
/// when the file does not parse as YAML at all (a key written twice).
fn step_id(text: &str, list: &str, n: usize) -> Option<String> {
    let text = text.trim_start_matches('\u{feff}');
    let Ok(top) = serde_yaml::from_str::<serde_yaml::Value>(text) else {
        return step_id_by_lines(text, list, n);
    };
    top.get(list)?
        .get(n)?
        .get("id")?
        .as_str()
        .map(str::to_string)
}

/// `step_id` of a list written an item per `- ` line, each with `id: x` as a key of its own.
fn step_id_by_lines(text: &str, list: &str, n: usize) -> Option<String> {
    let head = format!("{list}:");
    let mut lines = text.lines().skip_while(|l| l.trim_end() != head);
    lines.next()?;
    let (mut items, mut indent) = (0usize, None);
    for line in lines {
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let at = line.len() - body.len();
        if at == 0 && !body.starts_with("- ") {
            break;
        }
        let key = match body.strip_prefix("- ") {
            Some(rest) if indent.is_none_or(|i| i == at) => {
                indent = Some(at);
                items += 1;
                rest
            }
            _ => body,
        };
        if items == n + 1
            && let Some(id) = key.strip_prefix("id:")
        {
            return Some(id.trim().trim_matches(['"', '\'']).to_string());
        }
    }
    None
}

/// Where a key serde calls a "duplicate field" is written the second time, in a map written a
/// line per key that starts on `from` (1-based): the line and column of the second key at the
/// column of the first. None for another message, or a key not found so.
pub fn duplicate_at(message: &str, text: &str, from: usize) -> Option<(usize, usize)> {
    let key = message
        .rsplit("duplicate field `")
        .next()
        .filter(|_| message.contains("duplicate field `"))?
        .strip_suffix('`')?;
    let text = text.trim_start_matches('\u{feff}');
    let mut first = None;
    for (i, line) in text.lines().enumerate().skip(from.saturating_sub(1)) {
        let body = line.trim_start_matches([' ', '-']);
        let col = line.len() - body.len();
        if !body.starts_with(&format!("{key}:")) {
            continue;
        }
        let col = line[..col].chars().count() + 1;
        match first {
            None => first = Some(col),
            Some(c) if c == col => return Some((i + 1, col)),
            Some(_) => {}
        }
    }
    None
}

/// The quote that opens a value and is not closed on its line, where YAML that ran to the end
/// of the file looking for it ("found unexpected end of stream") most likely lost it: its line
/// and column (1-based) and the quote.
pub fn open_quote(text: &str) -> Option<(usize, usize, char)> {
    for (i, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let chars: Vec<char> = line.chars().collect();
        // A quote opens a value when only a key's `:`, a list's `-`, `[`, `{` or `,` is before
        // it (spaces aside); inside a value it is a letter like any other.
        let opens = |j: usize| {
            let before: String = chars[..j].iter().collect();
            let b = before.trim_end();
            b.is_empty() || b.ends_with([':', '-', ',', '[', '{'])
        };
        let mut j = 0;
        while j < chars.len() {
            let q = chars[j];
            if q == '#' && (j == 0 || chars[j - 1] == ' ') {
                break;
            }
            if !matches!(q, '"' | '\'') || !opens(j) {
                j += 1;
                continue;
            }
            let start = j;
            j += 1;
            loop {
                match chars.get(j) {
                    None => return Some((i + 1, start + 1, q)),
                    Some('\\') if q == '"' => j += 2,
                    Some('\'') if q == '\'' && chars.get(j + 1) == Some(&'\'') => j += 2,
                    Some(c) if *c == q => {
                        j += 1;
                        break;
                    }
                    Some(_) => j += 1,
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{duplicate_at, open_quote, vietnamese};

    #[test]
    fn an_open_quote_is_found_on_its_line() {
        let text =
            "id: a\ntitle: \"Bước 1: khảo sát\"\nx: {a: \"b\", c: 'it''s'}\nname: \"Thử\nrest: 1\n";
        assert_eq!(open_quote(text), Some((4, 7, '"')));
        assert_eq!(open_quote("a: 'x\nb: 1\n"), Some((1, 4, '\'')));
        assert_eq!(open_quote("a: it's fine\nb: \"ok\" # a \"comment\n"), None);
    }

    #[test]
    fn a_key_written_twice_is_placed_at_its_second_line() {
        let text = "id: a\ntitle: X\nsteps:\n  - id: b\n    title: B\ntitle: Y\n";
        assert_eq!(
            duplicate_at("duplicate field `title`", text, 1),
            Some((6, 1))
        );
        assert_eq!(duplicate_at("missing field `title`", text, 1), None);
        let twice = "steps:\n  - id: a\n  - id: b\n    actor: x\n    actor: y\n";
        assert_eq!(
            vietnamese("steps[1]: duplicate field `actor`", Some(twice)),
            "bước `b`: khóa `actor` ghi hai lần; giữ một lần, xóa lần kia"
        );
    }

    const FILE: &str = "steps:\n  - id: a\n  - id: b\n";

    #[test]
    fn says_serde_in_vietnamese() {
        for (en, vi) in [
            (
                "steps[1].entry: invalid type: integer `1`, expected a boolean",
                "bước `b`, entry: kiểu sai: cần true hoặc false, mà ghi số `1`",
            ),
            (
                "steps[0].next: invalid type: string \"b\", expected a sequence",
                "bước `a`, next: kiểu sai: cần một danh sách ([a, b], hoặc mỗi mục một dòng bắt \
                 đầu bằng `- `), mà ghi chữ \"b\"",
            ),
            (
                "steps[1].once_per: unknown variant `year`, expected `evaluation-year`",
                "bước `b`, once_per: không có giá trị `year`: chỉ ghi được `evaluation-year`",
            ),
            (
                "steps[1]: unknown field `nextt`, expected one of `id`, `next`",
                "bước `b`: không có khóa `nextt`; các khóa ghi được: `id`, `next`; có phải `next`?",
            ),
            ("missing field `steps`", "thiếu khóa `steps` (bắt buộc)"),
            (
                "unknown variant `x`, expected `a` or `b`",
                "không có giá trị `x`; chọn một trong: `a`, `b`",
            ),
            (
                "fields.x: unknown field `y`, there are no fields",
                "fields.x: không có khóa `y`: ở đây không ghi khóa nào",
            ),
            (
                "steps.bao-cao.remove[0]: unknown variant `dealine`, expected `deadline`",
                "bước `bao-cao`, remove[0]: không có giá trị `dealine`: chỉ ghi được \
                 `deadline`; có phải `deadline`?",
            ),
            (
                "roles: invalid type: sequence, expected a map",
                "roles: kiểu sai: cần một bảng (mỗi dòng `khóa: giá trị`), mà ghi một danh sách",
            ),
            (
                "steps[1]: starts: invalid type: integer `3`, expected a string",
                "bước `b`, starts: kiểu sai: cần chữ, mà ghi số `3`",
            ),
            (
                "steps[0]: starts: ghi tên quy trình",
                "bước `a`, starts: ghi tên quy trình",
            ),
            // A step the file does not have keeps serde's place; other messages stay.
            (
                "steps[7]: missing field `id`",
                "steps[7]: thiếu khóa `id` (bắt buộc)",
            ),
            (
                "found unexpected end of stream",
                "found unexpected end of stream",
            ),
        ] {
            assert_eq!(vietnamese(en, Some(FILE)), vi, "{en}");
        }
    }
}
