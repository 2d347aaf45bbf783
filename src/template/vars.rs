//! What kind of value a template variable holds, read from how its description in the front
//! matter is written — the conventions every template follows — so that a form can offer a
//! date picker, a percentage, a yes/no choice, a list or a table of rows instead of YAML:
//!
//! - `… (YYYY-MM-DD)`: a date;
//! - `… (%)`: a percentage;
//! - `true nếu …`: yes or no;
//! - `Tổ khảo sát: ho_ten, chuc_vu, nhiem_vu`: rows with those columns (a trailing
//!   parenthesis is commentary);
//! - `Mức xếp loại đề nghị (Tốt, Khá, Trung bình, Yếu)`, `Sơ kết hoặc Tổng kết`: one of
//!   those words (choices start with a capital; `(số, ngày)` is a hint, not a choice);
//! - `Danh sách …`: a list of lines;
//! - anything else: text.

/// The kind of a template variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarKind {
    Text,
    Date,
    Percent,
    Bool,
    List,
    /// Rows of a table, by column key.
    Table(Vec<String>),
    /// One of these.
    Enum(Vec<String>),
}

impl VarKind {
    /// The kind a description declares.
    pub fn of(description: &str) -> VarKind {
        let d = description.trim();
        if d.contains("(YYYY-MM-DD)") {
            return VarKind::Date;
        }
        if d.contains("(%)") {
            return VarKind::Percent;
        }
        if d.starts_with("true nếu") {
            return VarKind::Bool;
        }
        if let Some(cols) = columns(d) {
            return VarKind::Table(cols);
        }
        if let Some(choices) = choices(d) {
            return VarKind::Enum(choices);
        }
        if d.starts_with("Danh sách") {
            return VarKind::List;
        }
        VarKind::Text
    }
}

/// `Label: a, b, c (note)` → `[a, b, c]` when every name is a key (lower case, digits, `_`).
fn columns(d: &str) -> Option<Vec<String>> {
    let (_, tail) = d.split_once(": ")?;
    let tail = match tail.find(" (") {
        Some(i) if tail.trim_end().ends_with(')') => &tail[..i],
        _ => tail,
    };
    let cols: Vec<String> = tail.split(',').map(|c| c.trim().to_string()).collect();
    let key = |c: &str| {
        c.starts_with(|ch: char| ch.is_ascii_lowercase())
            && c.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
    };
    cols.iter().all(|c| key(c)).then_some(cols)
}

/// `Label (A, B, C)` or `A hoặc B`, each choice starting with a capital letter.
fn choices(d: &str) -> Option<Vec<String>> {
    let list: Vec<String> = match d.strip_suffix(')').and_then(|x| x.rsplit_once(" (")) {
        Some((_, inner)) => inner.split(',').map(|c| c.trim().to_string()).collect(),
        None => d.split(" hoặc ").map(|c| c.trim().to_string()).collect(),
    };
    let capital = |c: &String| c.chars().next().is_some_and(char::is_uppercase);
    (list.len() >= 2 && list.iter().all(capital)).then_some(list)
}

/// The label a form shows: the description without the notation meant for YAML writers.
pub fn label(description: &str) -> String {
    let d = description.replace(" (YYYY-MM-DD)", "").replace(" (%)", "");
    match VarKind::of(description) {
        VarKind::Table(_) => d
            .split_once(": ")
            .map_or(d.clone(), |(head, _)| head.to_string()),
        VarKind::Bool => crate::text::sentence_start(d.trim_start_matches("true nếu").trim()),
        VarKind::Enum(_) => d
            .strip_suffix(')')
            .and_then(|x| x.rsplit_once(" ("))
            .map_or(d.clone(), |(head, _)| head.to_string()),
        _ => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_declare_their_kinds() {
        assert_eq!(VarKind::of("Ngày họp (YYYY-MM-DD)"), VarKind::Date);
        assert_eq!(
            VarKind::of("Tỷ lệ chỉ tiêu hoàn thành (%)"),
            VarKind::Percent
        );
        assert_eq!(VarKind::of("true nếu là mô hình liên kết"), VarKind::Bool);
        assert_eq!(
            VarKind::of("Tổ khảo sát: ho_ten, chuc_vu, nhiem_vu"),
            VarKind::Table(vec!["ho_ten".into(), "chuc_vu".into(), "nhiem_vu".into()])
        );
        assert_eq!(
            VarKind::of("Chỉ tiêu: noi_dung, muc (đây là căn cứ đánh giá, xếp loại)"),
            VarKind::Table(vec!["noi_dung".into(), "muc".into()])
        );
        assert_eq!(VarKind::of("Danh sách nhiệm vụ của mô hình"), VarKind::List);
        assert_eq!(
            VarKind::of("Mức xếp loại đề nghị (Tốt, Khá, Trung bình, Yếu)"),
            VarKind::Enum(vec![
                "Tốt".into(),
                "Khá".into(),
                "Trung bình".into(),
                "Yếu".into()
            ])
        );
        assert_eq!(
            VarKind::of("Sơ kết hoặc Tổng kết"),
            VarKind::Enum(vec!["Sơ kết".into(), "Tổng kết".into()])
        );
        // A hint in parentheses is not a choice.
        assert_eq!(VarKind::of("Kế hoạch xây dựng (số, ngày)"), VarKind::Text);
        assert_eq!(
            VarKind::of("xã hoặc cơ quan, doanh nghiệp, cơ sở giáo dục"),
            VarKind::Text
        );
        assert_eq!(
            label("Mức xếp loại đề nghị (Tốt, Khá, Trung bình, Yếu)"),
            "Mức xếp loại đề nghị"
        );
        // A colon before prose is an example, not columns.
        assert_eq!(
            VarKind::of("Kỳ báo cáo, ví dụ: 6 tháng đầu năm 2023"),
            VarKind::Text
        );
        assert_eq!(VarKind::of("Tên xã"), VarKind::Text);
        assert_eq!(
            label("Tổ khảo sát: ho_ten, chuc_vu, nhiem_vu"),
            "Tổ khảo sát"
        );
        assert_eq!(label("Ngày họp (YYYY-MM-DD)"), "Ngày họp");
        assert_eq!(label("true nếu là mô hình liên kết"), "Là mô hình liên kết");
    }

    /// Every template's sample data has the shape its descriptions declare, so a form built
    /// from the descriptions can hold the samples.
    #[test]
    fn the_samples_have_the_declared_shapes() {
        let set = crate::template::TemplateSet::embedded().unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/documents");
        let mut checked = 0;
        for t in set.iter() {
            let path = dir.join(format!("{}.yaml", t.id));
            let Ok(data) = crate::template::DocData::load(&path) else {
                continue;
            };
            let data = data.to_stored();
            for (var, desc) in &t.variables {
                let Some(v) = data.get(var) else { continue };
                // A mapping (the outside documents a template cites, `van_ban_ngoai`) has no
                // widget: the form keeps it in the YAML box.
                if v.is_object() {
                    continue;
                }
                let ok = match VarKind::of(desc) {
                    VarKind::Date => v
                        .as_str()
                        .is_some_and(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()),
                    VarKind::Percent => v.is_number(),
                    VarKind::Bool => v.is_boolean(),
                    VarKind::List => v
                        .as_array()
                        .is_some_and(|a| a.iter().all(serde_json::Value::is_string)),
                    VarKind::Table(cols) => v.as_array().is_some_and(|rows| {
                        rows.iter().all(|r| {
                            r.as_object()
                                .is_some_and(|o| o.keys().all(|k| cols.contains(k)))
                        })
                    }),
                    VarKind::Enum(choices) => {
                        v.as_str().is_some_and(|s| choices.iter().any(|c| c == s))
                    }
                    VarKind::Text => v.is_string() || v.is_number(),
                };
                assert!(ok, "{}: `{var}` ({desc}) is {v}", t.id);
                checked += 1;
            }
        }
        assert!(checked > 150, "only {checked} variables checked");
    }
}
