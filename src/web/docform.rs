//! The part of a step form that holds a document's data: one typed field per variable the
//! template declares (text, a date as dd/mm/yyyy, a number, a percentage, yes/no, a list of
//! lines, a table of rows), so that a clerk never writes YAML. What the template does not
//! declare — issuer, signer, recipients, anything unusual — stays in a YAML box under
//! "Nâng cao", folded away.
//!
//! A table shows its rows and one blank row; "Thêm dòng" posts the form back and shows it with
//! one more (no script needed), a row ticked "Bỏ" or left blank is not recorded. Field names
//! are `mau.<template>.<variable>`, a table cell `mau.<template>.<variable>.<row>.<column>`,
//! the YAML box `mau.<template>`.

use std::collections::BTreeMap;

use maud::{Markup, html};
use serde_json::{Map, Value};

use super::pages::{date, parse_date};
use crate::template::{DocData, Template, VarKind, vars};

pub const DOC: &str = "mau.";
/// The submit button that asks for one more row of a table; its value is the table's name.
pub const MORE_ROWS: &str = "them-dong";
/// A row's "Bỏ" box.
const DROP: &str = "_bo";

/// How a field is typed and shown.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// `long`: several lines (a paragraph of a report).
    Text {
        long: bool,
    },
    Number,
    Percent,
    Date,
    Bool,
    List,
    Table(Vec<String>),
    Enum(Vec<String>),
}

/// One typed field of a document's data.
#[derive(Debug, Clone)]
struct Field {
    var: String,
    name: String,
    label: String,
    kind: Kind,
}

/// A document of the step, as its part of the form.
pub struct DocForm {
    pub template: String,
    pub title: String,
    /// Drafted only when the procedure's condition holds.
    pub conditional: bool,
    fields: Vec<Field>,
    /// Keys the form does not show because the case or the step gives them.
    given: Vec<String>,
    /// What the template needs that the case's own fields give (shown, not asked).
    from_case: Vec<String>,
}

fn is_iso_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// The field of a variable, its kind declared by the description and settled by the value the
/// form starts from (a sample's rows with a column the description forgot keep it); `None`
/// for a value no widget holds (a mapping), which stays in the YAML box.
fn field(template: &str, var: &str, desc: &str, start: Option<&Value>) -> Option<Field> {
    let declared = VarKind::of(desc);
    let kind = match (declared, start) {
        (VarKind::Table(cols), Some(Value::Array(rows))) => Kind::Table(columns(cols, rows)?),
        (_, Some(Value::Array(rows))) if !rows.is_empty() && rows.iter().all(Value::is_object) => {
            Kind::Table(columns(Vec::new(), rows)?)
        }
        (_, Some(Value::Array(items))) if items.iter().all(Value::is_string) => Kind::List,
        (_, Some(Value::Array(_) | Value::Object(_))) => return None,
        (VarKind::Table(cols), _) => Kind::Table(cols),
        (VarKind::List, _) => Kind::List,
        (VarKind::Enum(choices), _) => Kind::Enum(choices),
        (_, Some(Value::Bool(_))) | (VarKind::Bool, _) => Kind::Bool,
        (VarKind::Percent, _) => Kind::Percent,
        (_, Some(Value::Number(_))) => Kind::Number,
        (VarKind::Date, _) => Kind::Date,
        (VarKind::Text, Some(Value::String(s))) if is_iso_date(s) => Kind::Date,
        (VarKind::Text, v) => Kind::Text {
            long: v
                .and_then(Value::as_str)
                .is_some_and(|s| s.contains('\n') || s.chars().count() > 90),
        },
    };
    Some(Field {
        var: var.to_string(),
        name: format!("{DOC}{template}.{var}"),
        label: vars::label(desc),
        kind,
    })
}

/// The declared columns and any other key the rows have, in order; `None` when a row is not
/// a mapping.
fn columns(mut cols: Vec<String>, rows: &[Value]) -> Option<Vec<String>> {
    for r in rows {
        for k in r.as_object()?.keys() {
            if !cols.contains(k) {
                cols.push(k.clone());
            }
        }
    }
    Some(cols)
}

impl DocForm {
    /// The form of `template`'s data, from the data it starts with. `given` are the keys the
    /// step's inputs and the case give (they win or fill in when drafting): not asked again.
    pub fn new(
        t: &Template,
        title: &str,
        conditional: bool,
        start: &Map<String, Value>,
        given: Vec<String>,
        step_inputs: &[String],
    ) -> DocForm {
        let fields = t
            .variables
            .iter()
            .filter(|(var, _)| !step_inputs.contains(var) && !given.contains(var))
            .filter_map(|(var, desc)| field(&t.id, var, desc, start.get(var)))
            .collect();
        let from_case = t
            .variables
            .iter()
            .filter(|(var, _)| given.contains(var))
            .map(|(_, desc)| vars::label(desc))
            .collect();
        let mut given = given;
        given.extend(step_inputs.iter().cloned());
        given.push("van_ban".into());
        DocForm {
            template: t.id.clone(),
            title: title.to_string(),
            conditional,
            fields,
            given,
            from_case,
        }
    }

    fn yaml_name(&self) -> String {
        format!("{DOC}{}", self.template)
    }

    /// The form's values for data `start`: every field's text, and the rest as YAML.
    pub fn values(&self, start: &Map<String, Value>, out: &mut BTreeMap<String, String>) {
        for f in &self.fields {
            let v = start.get(&f.var);
            match &f.kind {
                Kind::Table(cols) => {
                    let rows = v.and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
                    for (i, r) in rows.iter().enumerate() {
                        for c in cols {
                            let cell = r.get(c).map(scalar_text).unwrap_or_default();
                            out.insert(format!("{}.{i}.{c}", f.name), cell);
                        }
                    }
                    // One blank row to type into.
                    for c in cols {
                        out.insert(format!("{}.{}.{c}", f.name, rows.len()), String::new());
                    }
                }
                Kind::List => {
                    let lines: Vec<String> = v
                        .and_then(Value::as_array)
                        .map(|a| a.iter().map(scalar_text).collect())
                        .unwrap_or_default();
                    out.insert(f.name.clone(), lines.join("\n"));
                }
                Kind::Bool => {
                    let t = match v.and_then(Value::as_bool) {
                        Some(true) => "co",
                        Some(false) => "khong",
                        None => "",
                    };
                    out.insert(f.name.clone(), t.into());
                }
                Kind::Date => {
                    let t = v.map(scalar_text).unwrap_or_default();
                    let shown = chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_or(t, date);
                    out.insert(f.name.clone(), shown);
                }
                _ => {
                    out.insert(f.name.clone(), v.map(scalar_text).unwrap_or_default());
                }
            }
        }
        let rest: Map<String, Value> = start
            .iter()
            .filter(|(k, _)| !self.fields.iter().any(|f| &f.var == *k) && !self.given.contains(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let yaml = if rest.is_empty() {
            String::new()
        } else {
            serde_yaml::to_string(&Value::Object(rest)).unwrap_or_default()
        };
        out.insert(self.yaml_name(), yaml);
    }

    /// The field a message is about: a missing variable of this template, or a name in
    /// backquotes.
    pub fn field_named(&self, message: &str) -> Option<String> {
        if !message.contains(&format!("`{}`", self.template)) {
            return None;
        }
        self.fields
            .iter()
            .find(|f| message.contains(&format!("`{}`", f.var)))
            .map(|f| f.name.clone())
    }

    /// The data as typed; errors by field name when a value is not what its field takes.
    pub fn read(
        &self,
        values: &BTreeMap<String, String>,
        errors: &mut BTreeMap<String, String>,
    ) -> Option<DocData> {
        let get = |k: &str| values.get(k).map_or("", String::as_str);
        let yaml_name = self.yaml_name();
        let mut data = match advanced(&self.template, get(&yaml_name)) {
            Ok(m) => m,
            Err(e) => {
                errors.insert(yaml_name, e);
                Map::new()
            }
        };
        for f in &self.fields {
            let text = get(&f.name);
            let t = crate::text::clean(text.trim());
            let value = match &f.kind {
                Kind::Text { long: true } => {
                    let t = crate::text::clean_multiline(text.trim());
                    (!t.is_empty()).then_some(Value::String(t))
                }
                Kind::Text { long: false } | Kind::Enum(_) => {
                    (!t.is_empty()).then_some(Value::String(t))
                }
                Kind::Number | Kind::Percent => match number(&f.label, &t) {
                    Ok(v) => v,
                    Err(e) => {
                        errors.insert(f.name.clone(), e);
                        None
                    }
                },
                Kind::Date if t.is_empty() => None,
                Kind::Date => match parse_date(&f.label, &t) {
                    Ok(d) => Some(Value::String(d.format("%Y-%m-%d").to_string())),
                    Err(e) => {
                        errors.insert(f.name.clone(), e);
                        None
                    }
                },
                Kind::Bool => match t.as_str() {
                    "co" => Some(Value::Bool(true)),
                    "khong" => Some(Value::Bool(false)),
                    _ => None,
                },
                Kind::List => Some(Value::Array(
                    crate::text::clean_multiline(text)
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(|l| Value::String(l.to_string()))
                        .collect(),
                )),
                Kind::Table(cols) => Some(Value::Array(
                    self.rows(values, &f.name)
                        .into_iter()
                        .filter(|i| get(&format!("{}.{i}.{DROP}", f.name)) != "co")
                        .filter_map(|i| {
                            let row: Map<String, Value> = cols
                                .iter()
                                .map(|c| {
                                    let cell = get(&format!("{}.{i}.{c}", f.name));
                                    (c.clone(), Value::String(crate::text::clean(cell.trim())))
                                })
                                .collect();
                            row.values()
                                .any(|v| v.as_str().is_some_and(|s| !s.is_empty()))
                                .then_some(Value::Object(row))
                        })
                        .collect(),
                )),
            };
            if let Some(v) = value {
                data.insert(f.var.clone(), v);
            }
        }
        let label = format!("dữ liệu văn bản {}", self.template);
        match DocData::from_stored(&label, Value::Object(data)) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.insert(self.yaml_name(), e.to_string());
                None
            }
        }
    }

    /// The row numbers of a table in the values, in order.
    fn rows(&self, values: &BTreeMap<String, String>, name: &str) -> Vec<usize> {
        let prefix = format!("{name}.");
        let mut rows: Vec<usize> = values
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter_map(|(k, _)| k[prefix.len()..].split('.').next()?.parse().ok())
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    }

    /// Adds a blank row to the table `name` (the "Thêm dòng" button), if it is one of ours.
    pub fn add_row(&self, name: &str, values: &mut BTreeMap<String, String>) -> bool {
        let Some(Field {
            kind: Kind::Table(cols),
            ..
        }) = self.fields.iter().find(|f| f.name == name)
        else {
            return false;
        };
        let next = self.rows(values, name).last().map_or(0, |r| r + 1);
        for c in cols {
            values.insert(format!("{name}.{next}.{c}"), String::new());
        }
        true
    }

    /// The document's part of the form.
    pub fn render(
        &self,
        values: &BTreeMap<String, String>,
        errors: &BTreeMap<String, String>,
    ) -> Markup {
        let get = |k: &str| values.get(k).map_or("", String::as_str);
        let yaml_name = self.yaml_name();
        let id = |name: &str| name.replace('.', "-");
        html! {
            fieldset.doc {
                legend {
                    "Văn bản: " (self.title)
                    @if self.conditional { " (chỉ lập khi điều kiện của quy trình thỏa)" }
                }
                @if !self.from_case.is_empty() {
                    p.hint { "Lấy từ hồ sơ, không cần nhập lại: " (self.from_case.join("; ")) "." }
                }
                @for f in &self.fields {
                    @let fid = id(&f.name);
                    @match &f.kind {
                        Kind::Table(cols) => {
                            fieldset.rows id=(fid) {
                                legend { (f.label) }
                                div.scroll { table.rows {
                                    thead { tr {
                                        th scope="col" { "TT" }
                                        @for c in cols { th scope="col" { (column_title(c)) } }
                                        th scope="col" { "Bỏ" }
                                    } }
                                    tbody { @for (n, i) in self.rows(values, &f.name).into_iter().enumerate() { tr {
                                        td { (n + 1) }
                                        @for c in cols {
                                            @let cell = format!("{}.{i}.{c}", f.name);
                                            td { input id=(id(&cell)) name=(cell) value=(get(&cell))
                                                aria-label={ (column_title(c)) ", dòng " (n + 1) }; }
                                        }
                                        @let drop = format!("{}.{i}.{DROP}", f.name);
                                        td { input type="checkbox" id=(id(&drop)) name=(drop) value="co"
                                            checked[get(&drop) == "co"] aria-label={ "Bỏ dòng " (n + 1) }; }
                                    } } }
                                } }
                                button.secondary type="submit" name=(MORE_ROWS) value=(f.name) formnovalidate { "Thêm dòng" }
                                small.hint { " Dòng để trống hoặc đánh dấu “Bỏ” không được ghi." }
                            }
                        }
                        kind => {
                            label for=(fid) {
                                (f.label)
                                @match kind {
                                    Kind::Date => { " (dd/mm/yyyy)" }
                                    Kind::List => { " — mỗi dòng một mục" }
                                    _ => {}
                                }
                            }
                            @match kind {
                                Kind::Text { long: true } => {
                                    textarea id=(fid) name=(f.name) rows="4" { (get(&f.name)) }
                                }
                                Kind::List => {
                                    textarea id=(fid) name=(f.name) rows="4" { (get(&f.name)) }
                                }
                                Kind::Enum(choices) => {
                                    @let now = get(&f.name);
                                    select id=(fid) name=(f.name) {
                                        option value="" { "— chọn —" }
                                        @for c in choices { option value=(c) selected[c == now] { (c) } }
                                        // A value from older data is kept, not silently changed.
                                        @if !now.is_empty() && !choices.iter().any(|c| c == now) {
                                            option value=(now) selected { (now) }
                                        }
                                    }
                                }
                                Kind::Bool => {
                                    select id=(fid) name=(f.name) {
                                        option value="" { "— chọn —" }
                                        option value="co" selected[get(&f.name) == "co"] { "Có" }
                                        option value="khong" selected[get(&f.name) == "khong"] { "Không" }
                                    }
                                }
                                Kind::Date => {
                                    input id=(fid) name=(f.name) value=(get(&f.name)) placeholder="dd/mm/yyyy"
                                        inputmode="numeric" pattern="[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}";
                                }
                                Kind::Percent => {
                                    span.unit { input id=(fid) name=(f.name) value=(get(&f.name)) inputmode="decimal"; " %" }
                                }
                                Kind::Number => {
                                    input id=(fid) name=(f.name) value=(get(&f.name)) inputmode="decimal";
                                }
                                _ => {
                                    input id=(fid) name=(f.name) value=(get(&f.name));
                                }
                            }
                        }
                    }
                    @if let Some(e) = errors.get(&f.name) { p.field-error role="alert" { (e) } }
                }
                details.advanced open[errors.contains_key(&yaml_name)] {
                    summary { "Nâng cao: cơ quan ban hành, người ký, nơi nhận và dữ liệu khác (YAML)" }
                    label for=(id(&yaml_name)) { "Dữ liệu khác của văn bản (YAML, dạng “tên: giá trị”)" }
                    textarea.yaml id=(id(&yaml_name)) name=(yaml_name) rows="10" spellcheck="false" { (get(&yaml_name)) }
                }
                @if let Some(e) = errors.get(&yaml_name) { p.field-error role="alert" { (e) } }
            }
        }
    }
}

/// A column key as a heading: `ho_ten` → "Họ tên" for the usual ones, else the key spaced.
fn column_title(c: &str) -> String {
    let known = [
        ("ho_ten", "Họ và tên"),
        ("chuc_vu", "Chức vụ"),
        ("nhiem_vu", "Nhiệm vụ"),
        ("nam_sinh", "Năm sinh"),
        ("noi_cu_tru", "Nơi cư trú"),
        ("noi_dung", "Nội dung"),
        ("ket_qua", "Kết quả"),
        ("dat", "Đạt"),
        ("tieu_chi", "Tiêu chí"),
        ("chi_tieu", "Chỉ tiêu"),
        ("ke_hoach", "Kế hoạch"),
        ("thuc_hien", "Thực hiện"),
        ("nam", "Năm"),
        ("ty_le", "Tỷ lệ"),
        ("xep_loai", "Xếp loại"),
        ("don_vi", "Đơn vị"),
        ("ten", "Tên"),
        ("dia_ban", "Địa bàn"),
        ("thuoc", "Thuộc"),
        ("cong_viec", "Công việc"),
        ("thoi_han", "Thời hạn"),
        ("chu_tri", "Chủ trì"),
        ("thoi_gian", "Thời gian"),
        ("muc", "Mức"),
        ("muc_dat", "Mức đạt"),
        ("dieu", "Điều"),
        ("y_kien", "Ý kiến"),
    ];
    known
        .iter()
        .find(|(k, _)| *k == c)
        .map_or_else(|| c.replace('_', " "), |(_, t)| t.to_string())
}

/// A value as the text of a field.
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Value::Bool(true) => "true".into(),
        Value::Bool(false) => "false".into(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A number typed with a comma or a point; empty is absent.
pub fn number(label: &str, t: &str) -> Result<Option<Value>, String> {
    let t = t.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let n: f64 = t
        .trim_end_matches('%')
        .trim()
        .replace(',', ".")
        .parse()
        .map_err(|_| format!("{label}: `{t}` không phải số"))?;
    let v = if n.fract() == 0.0 && n.abs() < 1e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(Value::Number)
            .ok_or_else(|| format!("{label}: `{t}` không phải số"))?
    };
    Ok(Some(v))
}

/// The YAML box: a mapping (or nothing), with no `extends` (a file on the server is not the
/// form's to name).
fn advanced(template: &str, text: &str) -> Result<Map<String, Value>, String> {
    let label = format!("dữ liệu khác của văn bản {template}");
    let text = crate::text::clean_multiline(text);
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    let yaml: serde_yaml::Value = crate::fsutil::parse_yaml(std::path::Path::new(&label), &text, 0)
        .map_err(|e| e.to_string())?;
    if yaml.is_null() {
        return Ok(Map::new());
    }
    if !yaml.is_mapping() {
        return Err(format!("{label}: cần các dòng `tên: giá trị`"));
    }
    if yaml.get("extends").is_some() {
        return Err(format!(
            "{label}: `extends` không dùng được trong biểu mẫu; chép dữ liệu vào đây"
        ));
    }
    match serde_json::to_value(yaml).map_err(|e| format!("{label}: {e}"))? {
        Value::Object(m) => Ok(m),
        _ => Err(format!("{label}: cần các dòng `tên: giá trị`")),
    }
}
