//! The step form, generated from the procedure: the date the step takes effect, one typed
//! widget per input of the step (text; a date as dd/mm/yyyy; a number; a percentage; yes/no
//! and enum choices as selects; a list as one row per line), and the data of each document
//! the step drafts, one typed field per template variable ([`super::docform`]), prefilled
//! from the case's last document of that template or else the template's sample with the
//! case's own facts. A refusal of the procedure is shown beside the form — or beside the
//! field it names — with everything typed kept.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde_json::Value;

use super::auth::{CSRF_FIELD, Fields, User, field};
use super::docform::{DocForm, MORE_ROWS};
use super::pages::{CaseView, case_for, csrf, date, layout, parse_date, today};
use super::{Shared, WebError};
use crate::error::Error;
use crate::template::DocData;
use crate::workflow::{FieldSpec, FieldType, Step};

const INPUT: &str = "nhap.";

/// What the form shows: the values typed (or prefilled), and messages.
struct FormState {
    values: BTreeMap<String, String>,
    /// A message for the whole form (a guard's refusal, a conflict).
    error: Option<String>,
    /// Messages by field name.
    field_errors: BTreeMap<String, String>,
}

impl FormState {
    /// A refusal that names an input (`ty_le_hoan_thanh`) is shown beside that input as well.
    fn beside_named<'k>(&mut self, inputs: impl IntoIterator<Item = &'k String>, message: &str) {
        if let Some(k) = inputs
            .into_iter()
            .find(|k| message.contains(&format!("`{k}`")))
        {
            self.field_errors
                .insert(format!("{INPUT}{k}"), message.to_string());
        }
    }
}

fn step_of<'a>(v: &'a CaseView, step: &str) -> Result<&'a Step, WebError> {
    v.procedure
        .as_ref()
        .and_then(|w| w.steps.iter().find(|s| s.id == step))
        .ok_or_else(|| {
            WebError::new(
                StatusCode::NOT_FOUND,
                format!("Quy trình của hồ sơ không có bước `{step}`."),
            )
        })
}

/// A document's data as the form starts from it.
type Data = serde_json::Map<String, Value>;

/// Each document of the step as its part of the form, with the data it starts from: the
/// case's last document of that template, otherwise the template's sample with the case's own
/// facts over the sample's (so the clerk edits rather than writes from nothing, and never
/// starts from another model's name).
fn doc_forms(state: &Shared, v: &CaseView, step: &Step) -> Result<Vec<(DocForm, Data)>, WebError> {
    let case_data = v.status.case.data.as_object().cloned().unwrap_or_default();
    let inputs: Vec<String> = step.inputs.keys().cloned().collect();
    let mut out = Vec::new();
    for d in &step.documents {
        let t = state.templates.get(&d.template).map_err(WebError::from)?;
        let stored = v
            .status
            .documents
            .iter()
            .rev()
            .find(|(doc, _)| doc.template == d.template)
            .and_then(|(doc, _)| doc.data.as_object().cloned());
        let start = stored.unwrap_or_else(|| {
            let mut sample = state
                .samples
                .as_ref()
                .map(|s| s.join("documents").join(format!("{}.yaml", d.template)))
                .and_then(|p| DocData::load(&p).ok())
                .and_then(|data| data.to_stored().as_object().cloned())
                .unwrap_or_default();
            for (k, value) in &case_data {
                sample.insert(k.clone(), value.clone());
            }
            sample
        });
        let form = DocForm::new(
            t,
            v.template_name(&d.template),
            d.when.is_some(),
            &start,
            case_data.keys().cloned().collect(),
            &inputs,
        );
        out.push((form, start));
    }
    Ok(out)
}

fn widget(key: &str, spec: &FieldSpec, value: &str) -> Markup {
    let name = format!("{INPUT}{key}");
    let id = format!("nhap-{key}");
    match spec.ty {
        FieldType::Enum | FieldType::Bool => {
            let choices: Vec<(String, String)> = if spec.ty == FieldType::Bool {
                vec![("co".into(), "Có".into()), ("khong".into(), "Không".into())]
            } else {
                spec.values.iter().map(|v| (v.clone(), v.clone())).collect()
            };
            html! {
                select id=(id) name=(name) required[!spec.optional] {
                    option value="" { "— chọn —" }
                    @for (v, label) in &choices { option value=(v) selected[v == value] { (label) } }
                }
            }
        }
        FieldType::Date => html! {
            input id=(id) name=(name) value=(value) placeholder="dd/mm/yyyy" inputmode="numeric"
                pattern="[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}" required[!spec.optional];
        },
        FieldType::Number => html! {
            input id=(id) name=(name) value=(value) inputmode="decimal" required[!spec.optional];
        },
        FieldType::Percent => html! {
            span.unit {
                input id=(id) name=(name) value=(value) inputmode="decimal" required[!spec.optional];
                " %"
            }
        },
        FieldType::List => html! {
            textarea id=(id) name=(name) rows="4" required[!spec.optional] { (value) }
        },
        FieldType::Text => html! {
            input id=(id) name=(name) value=(value) required[!spec.optional];
        },
        // Drawn by `thong_ke_widget`, which knows the procedure's form.
        FieldType::ThongKe => html! {},
    }
}

/// The statistics form as a table of number boxes, one an indicator the unit fills (named
/// `<input>.<indicator>`); a percentage is computed, so it is not asked. The boxes of an
/// optional form may all stay empty: the report is then made without it.
fn thong_ke_widget(
    key: &str,
    spec: &FieldSpec,
    form: Option<&crate::workflow::thong_ke::Form>,
    values: &BTreeMap<String, String>,
) -> Markup {
    let Some(form) = form else {
        return html! { p.error { "Quy trình không khai báo bảng thống kê." } };
    };
    html! {
        table.thong-ke id={ "nhap-" (key) } {
            caption { (form.title) }
            thead { tr { th { "Chỉ tiêu" } th { "Đơn vị" } th { "Số liệu" } } }
            tbody {
                @for i in form.indicators.iter().filter(|i| i.filled()) {
                    @let name = format!("{INPUT}{key}.{}", i.id);
                    tr {
                        td { label for=(name) { (i.label) } }
                        td { (i.unit) }
                        td { input id=(name) name=(name) inputmode="numeric"
                            value=(values.get(&name).map_or("", String::as_str)) required[!spec.optional]; }
                    }
                }
            }
        }
    }
}

/// A filled statistics form from its boxes: each indicator's number (an empty box is 0);
/// `None` when every box is empty. Numbers as Vietnamese write them: "1.234", "86,5".
fn thong_ke_values(
    key: &str,
    form: Option<&crate::workflow::thong_ke::Form>,
    values: &BTreeMap<String, String>,
) -> Result<Option<Value>, String> {
    let indicators: Vec<&crate::workflow::thong_ke::Indicator> = form
        .iter()
        .flat_map(|f| &f.indicators)
        .filter(|i| i.filled())
        .collect();
    let boxed = |i: &crate::workflow::thong_ke::Indicator| {
        values
            .get(&format!("{INPUT}{key}.{}", i.id))
            .map_or("", |t| t.trim())
            .to_string()
    };
    if indicators.iter().all(|i| boxed(i).is_empty()) {
        return Ok(None);
    }
    let mut out = serde_json::Map::new();
    for i in indicators {
        let t = boxed(i);
        let n: f64 = if t.is_empty() {
            0.0
        } else {
            t.replace(['.', ' '], "")
                .replace(',', ".")
                .parse()
                .map_err(|_| format!("{}: `{t}` không phải số", i.label))?
        };
        let n = serde_json::Number::from_f64(n)
            .ok_or_else(|| format!("{}: `{t}` không phải số", i.label))?;
        out.insert(i.id.clone(), Value::Number(n));
    }
    Ok(Some(Value::Object(out)))
}

/// What an input is called: its own title, else the case field of the same name's, else its
/// key.
fn input_label<'a>(v: &'a CaseView, key: &'a str, spec: &'a FieldSpec) -> &'a str {
    spec.title
        .as_deref()
        .or_else(|| {
            v.procedure
                .as_ref()
                .and_then(|w| w.fields.get(key))
                .and_then(|f| f.title.as_deref())
        })
        .unwrap_or(key)
}

fn render(user: &User, v: &CaseView, step: &Step, docs: &[DocForm], f: &FormState) -> Markup {
    let id = &v.status.case.id;
    let action = format!("/ho-so/{id}/buoc/{}", step.id);
    let value = |k: &str| f.values.get(k).map_or("", String::as_str);
    layout(
        Some(user),
        &step.title,
        html! {
            p { a href={ "/ho-so/" (id) } { "← Hồ sơ " (id) " — " (v.name()) } }
            @if let Some(e) = &f.error { p.error id="loi" role="alert" { (e) } }
            form.card.step method="post" action=(action) enctype="multipart/form-data" {
                (csrf(user))
                label for="ngay" { "Ngày thực hiện (dd/mm/yyyy)" }
                input #ngay name="ngay" value=(value("ngay")) placeholder="dd/mm/yyyy" inputmode="numeric"
                    pattern="[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}" required;
                @if let Some(e) = f.field_errors.get("ngay") { p.field-error role="alert" { (e) } }
                @for (key, spec) in &step.inputs {
                    @let name = format!("{INPUT}{key}");
                    label for={ "nhap-" (key) } {
                        (input_label(v, key, spec))
                        @if spec.optional { " (không bắt buộc)" }
                        @if spec.ty == FieldType::List { " — mỗi dòng một mục" }
                    }
                    @if spec.ty == FieldType::ThongKe {
                        (thong_ke_widget(key, spec, v.procedure.as_ref().and_then(|w| w.thong_ke.as_ref()), &f.values))
                    } @else {
                        (widget(key, spec, value(&name)))
                    }
                    @if let Some(e) = f.field_errors.get(&name) { p.field-error role="alert" { (e) } }
                }
                @for d in docs { (d.render(&f.values, &f.field_errors)) }
                fieldset.doc #dinh-kem {
                    legend { "Tệp đính kèm (không bắt buộc)" }
                    label for=(FILES) { "Tệp của bước: biên bản, ảnh, tài liệu chứng minh (PDF, ảnh, Word, Excel; tối đa "
                        (super::server::LIMIT_UPLOAD / 1024 / 1024) " MB cả lần gửi)" }
                    input id=(FILES) type="file" name=(FILES) multiple;
                    @if let Some(e) = f.field_errors.get(FILES) { p.field-error role="alert" { (e) } }
                    label for=(FILES_ITEM) { "Thuộc mục của hồ sơ" }
                    select id=(FILES_ITEM) name=(FILES_ITEM) {
                        @for l in &v.checklist {
                            option value=(l.item) selected[value(FILES_ITEM) == l.item.to_string()] { (l.item) ". " (l.title) }
                        }
                    }
                    @if let Some(e) = f.field_errors.get(FILES_ITEM) { p.field-error role="alert" { (e) } }
                }
                button type="submit" { "Ghi bước và lập dự thảo" }
            }
        },
    )
}

pub async fn step_form(
    State(state): State<Shared>,
    user: User,
    Path((id, step)): Path<(String, String)>,
) -> Result<Response, WebError> {
    user.require("can-bo", "làm các bước của hồ sơ")?;
    let v = case_for(&state, &user, &id).await?;
    let s = step_of(&v, &step)?;
    let docs = doc_forms(&state, &v, s)?;
    let mut values = BTreeMap::new();
    for (d, start) in &docs {
        d.values(start, &mut values);
    }
    values.insert("ngay".into(), date(today()));
    if let Some(item) = default_item(&state, &v, s) {
        values.insert(FILES_ITEM.into(), item.to_string());
    }
    let f = FormState {
        values,
        error: None,
        field_errors: BTreeMap::new(),
    };
    let docs: Vec<DocForm> = docs.into_iter().map(|(d, _)| d).collect();
    Ok(render(&user, &v, s, &docs, &f).into_response())
}

#[derive(serde::Deserialize)]
pub struct NewCaseQuery {
    #[serde(default, rename = "quy-trinh")]
    procedure: String,
}

/// The form that opens a case: the procedure first, then its case fields.
fn new_case_page(
    user: &User,
    procedures: &[(String, String)],
    chosen: Option<&crate::workflow::Workflow>,
    key: &str,
    f: &FormState,
) -> Markup {
    let value = |k: &str| f.values.get(k).map_or("", String::as_str);
    layout(
        Some(user),
        "Mở hồ sơ mới",
        html! {
            @if let Some(e) = &f.error { p.error id="loi" role="alert" { (e) } }
            form.search method="get" action="/ho-so/moi" {
                div {
                    label for="quy-trinh" { "Quy trình" }
                    select #quy-trinh name="quy-trinh" {
                        @for (k, title) in procedures { option value=(k) selected[k == key] { (title) " (" (k) ")" } }
                    }
                }
                button type="submit" { "Chọn" }
            }
            @if let Some(w) = chosen {
                form.card.step method="post" action="/ho-so/moi" {
                    (csrf(user))
                    input type="hidden" name="quy-trinh" value=(key);
                    label for="ngay" { "Ngày mở hồ sơ (dd/mm/yyyy)" }
                    input #ngay name="ngay" value=(value("ngay")) placeholder="dd/mm/yyyy" inputmode="numeric"
                        pattern="[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}" required;
                    @if let Some(e) = f.field_errors.get("ngay") { p.field-error role="alert" { (e) } }
                    @for (k, spec) in &w.fields {
                        @let name = format!("{INPUT}{k}");
                        label for={ "nhap-" (k) } {
                            (spec.title.as_deref().unwrap_or(k))
                            @if spec.optional { " (không bắt buộc)" }
                        }
                        (widget(k, spec, value(&name)))
                        @if let Some(e) = f.field_errors.get(&name) { p.field-error role="alert" { (e) } }
                    }
                    button type="submit" { "Mở hồ sơ" }
                }
            }
        },
    )
}

async fn new_case_reply(
    state: &Shared,
    user: &User,
    key: String,
    f: FormState,
) -> Result<Response, WebError> {
    let agency = user.account.agency.clone();
    let k = key.clone();
    let (procedures, chosen) = state
        .run(None, move |app| {
            let list = app.procedures_for(&agency)?;
            let chosen = if list.iter().any(|(p, _)| *p == k) {
                Some(
                    app.workflow(&crate::workflow::ProcedureKey::parse(&k))?
                        .clone(),
                )
            } else {
                None
            };
            Ok((list, chosen))
        })
        .await?;
    let status = if f.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        new_case_page(user, &procedures, chosen.as_ref(), &key, &f),
    )
        .into_response())
}

pub async fn new_case_form(
    State(state): State<Shared>,
    user: User,
    axum::extract::Query(q): axum::extract::Query<NewCaseQuery>,
) -> Result<Response, WebError> {
    user.require("can-bo", "mở hồ sơ")?;
    let mut values = BTreeMap::new();
    values.insert("ngay".to_string(), date(today()));
    let f = FormState {
        values,
        error: None,
        field_errors: BTreeMap::new(),
    };
    new_case_reply(&state, &user, q.procedure, f).await
}

/// Opens a case for the person's agency.
pub async fn new_case_submit(
    State(state): State<Shared>,
    user: User,
    axum::Form(fields): axum::Form<Fields>,
) -> Result<Response, WebError> {
    user.check_csrf(field(&fields, CSRF_FIELD))?;
    user.require("can-bo", "mở hồ sơ")?;
    let key = field(&fields, "quy-trinh").unwrap_or_default().to_string();
    let mut f = FormState {
        values: fields
            .iter()
            .filter(|(k, _)| k != CSRF_FIELD)
            .cloned()
            .collect(),
        error: None,
        field_errors: BTreeMap::new(),
    };
    let (agency, k) = (user.account.agency.clone(), key.clone());
    let w = state
        .run(None, move |app| {
            if !app.procedures_for(&agency)?.iter().any(|(p, _)| *p == k) {
                return Err(Error::NotFound(format!(
                    "không có quy trình `{k}` cho cơ quan {agency}"
                )));
            }
            Ok(app
                .workflow(&crate::workflow::ProcedureKey::parse(&k))?
                .clone())
        })
        .await?;
    let at = parse_date(
        "Ngày mở hồ sơ",
        f.values.get("ngay").map_or("", String::as_str),
    )
    .map_err(|e| f.field_errors.insert("ngay".into(), e))
    .ok();
    let mut data = serde_json::Map::new();
    for (k, spec) in &w.fields {
        let name = format!("{INPUT}{k}");
        let label = spec.title.as_deref().unwrap_or(k);
        match typed(spec, label, f.values.get(&name).map_or("", String::as_str)) {
            Ok(Some(v)) => {
                data.insert(k.clone(), v);
            }
            Ok(None) => {}
            Err(e) => {
                f.field_errors.insert(name, e);
            }
        }
    }
    let Some(at) = at.filter(|_| f.field_errors.is_empty()) else {
        f.error = Some("Biểu mẫu có chỗ chưa đúng; xem thông báo bên cạnh từng ô.".into());
        return new_case_reply(&state, &user, key, f).await;
    };
    let (agency, k) = (user.account.agency.clone(), key.clone());
    let outcome = state
        .run(Some(user.login()), move |app| {
            app.new_case_for(
                &crate::workflow::ProcedureKey::parse(&k),
                &Value::Object(data),
                at,
                &agency,
            )
        })
        .await;
    match outcome {
        Ok(id) => Ok(Redirect::to(&format!("/ho-so/{id}")).into_response()),
        Err(e) if e.status == StatusCode::INTERNAL_SERVER_ERROR => Err(e),
        Err(e) => {
            f.beside_named(w.fields.keys(), &e.message);
            f.error = Some(e.message);
            new_case_reply(&state, &user, key, f).await
        }
    }
}

/// One input's text as the value its type needs; empty is absent.
fn typed(spec: &FieldSpec, label: &str, text: &str) -> Result<Option<Value>, String> {
    let t = crate::text::clean(text.trim());
    if t.is_empty() {
        return Ok(None);
    }
    Ok(Some(match spec.ty {
        FieldType::Text | FieldType::Enum => Value::String(t),
        FieldType::Bool => Value::Bool(t == "co"),
        FieldType::Date => Value::String(parse_date(label, &t)?.format("%Y-%m-%d").to_string()),
        FieldType::Number | FieldType::Percent => {
            let n: f64 = t
                .trim_end_matches('%')
                .trim()
                .replace(',', ".")
                .parse()
                .map_err(|_| format!("{label}: `{t}` không phải số"))?;
            serde_json::Number::from_f64(n)
                .map(Value::Number)
                .ok_or_else(|| format!("{label}: `{t}` không phải số"))?
        }
        FieldType::ThongKe => return Err(format!("{label}: bảng thống kê không nhập ở đây")),
        FieldType::List => Value::Array(
            crate::text::clean_multiline(text)
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| Value::String(l.to_string()))
                .collect(),
        ),
    }))
}

/// The item a step's files most likely belong to: that of the step's first document, else the
/// first item of evidence (collected, not written).
fn default_item(state: &Shared, v: &CaseView, step: &Step) -> Option<u32> {
    let base = crate::workflow::ProcedureKey::parse(&v.status.case.workflow).base;
    step.documents
        .iter()
        .find_map(|d| state.templates.get(&d.template).ok()?.item_in(&base))
        .or_else(|| v.checklist.iter().find(|l| !l.written).map(|l| l.item))
}

/// Whether the refusal came from a guard whose condition reads the step's date (`at`): a
/// rating before ten months of activity is corrected by the date, so it is said beside it.
fn judges_the_date(step: &Step, message: &str) -> bool {
    let reads_at = |when: &str| {
        when.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .any(|w| w == "at")
    };
    step.requires.iter().any(|g| {
        let fixed = g.message.split('{').next().unwrap_or_default().trim();
        reads_at(&g.when) && !fixed.is_empty() && message.contains(fixed)
    })
}

/// The file input of the step form, and the hồ sơ item its files go to.
const FILES: &str = "tep";
const FILES_ITEM: &str = "muc-tep";

/// The hồ sơ item the step's files go to, when files came: a number, else a message beside
/// the field; each file's kind is checked here too, before anything is recorded.
fn attachments_item(
    values: &BTreeMap<String, String>,
    uploads: &[super::files::Upload],
    errors: &mut BTreeMap<String, String>,
) -> Option<u32> {
    if uploads.is_empty() {
        return None;
    }
    for (name, bytes) in uploads {
        if let Err(e) = super::files::check_type(name, bytes) {
            errors.insert(FILES.into(), format!("{} Chọn lại tệp.", e.message));
        }
    }
    match values.get(FILES_ITEM).map(|s| s.trim().parse::<u32>()) {
        Some(Ok(n)) => Some(n),
        _ => {
            errors.insert(
                FILES_ITEM.into(),
                "Mục của hồ sơ: chọn mục mà tệp đính kèm thuộc về.".into(),
            );
            None
        }
    }
}

/// Keeps the step's files in the hồ sơ once the step is recorded. A file the hồ sơ still
/// refuses (its limits) is reported with the step already recorded, so the person attaches it
/// again from the case page rather than taking the step twice.
async fn attach_after_step(
    state: &Shared,
    user: &User,
    id: &str,
    uploads: Vec<super::files::Upload>,
    item: u32,
) -> Result<(), WebError> {
    for (name, bytes) in uploads {
        let (c, n) = (id.to_string(), name.clone());
        if let Err(e) = state
            .run(Some(user.login()), move |app| {
                app.attach(&c, &n, bytes, item, today())
            })
            .await
        {
            return Err(WebError::new(
                e.status,
                format!(
                    "Bước đã được ghi, nhưng tệp `{name}` chưa đính kèm được: {} Đính kèm lại \
                     ở trang hồ sơ {id}.",
                    e.message
                ),
            ));
        }
    }
    Ok(())
}

pub async fn step_submit(
    State(state): State<Shared>,
    user: User,
    Path((id, step)): Path<(String, String)>,
    req: axum::extract::Request,
) -> Result<Response, WebError> {
    let (fields, uploads) = super::files::read_form(&state, req).await?;
    user.check_csrf(field(&fields, CSRF_FIELD))?;
    user.require("can-bo", "làm các bước của hồ sơ")?;
    let v = case_for(&state, &user, &id).await?;
    let s = step_of(&v, &step)?.clone();
    let mut f = FormState {
        values: fields
            .iter()
            .filter(|(k, _)| k != CSRF_FIELD)
            .cloned()
            .collect(),
        error: None,
        field_errors: BTreeMap::new(),
    };
    let at = parse_date(
        "Ngày thực hiện",
        f.values.get("ngay").map_or("", String::as_str),
    )
    .map_err(|e| f.field_errors.insert("ngay".into(), e))
    .ok();
    let mut inputs = serde_json::Map::new();
    for (key, spec) in &s.inputs {
        let name = format!("{INPUT}{key}");
        let label = input_label(&v, key, spec);
        let value = if spec.ty == FieldType::ThongKe {
            let form = v.procedure.as_ref().and_then(|w| w.thong_ke.as_ref());
            thong_ke_values(key, form, &f.values)
        } else {
            typed(spec, label, f.values.get(&name).map_or("", String::as_str))
        };
        match value {
            Ok(Some(value)) => {
                inputs.insert(key.clone(), value);
            }
            Ok(None) => {}
            Err(e) => {
                f.field_errors.insert(name, e);
            }
        }
    }
    let docs: Vec<DocForm> = doc_forms(&state, &v, &s)?
        .into_iter()
        .map(|(d, _)| d)
        .collect();
    // "Thêm dòng": the same form with one more row in that table; nothing is recorded.
    if let Some(table) = f.values.remove(MORE_ROWS) {
        f.field_errors.clear();
        if !uploads.is_empty() {
            f.field_errors.insert(
                FILES.into(),
                "Tệp đã chọn chưa được lưu: chọn lại trước khi gửi.".into(),
            );
        }
        for d in &docs {
            if d.add_row(&table, &mut f.values) {
                break;
            }
        }
        return Ok(render(&user, &v, &s, &docs, &f).into_response());
    }
    let mut data = BTreeMap::new();
    for d in &docs {
        if let Some(dd) = d.read(&f.values, &mut f.field_errors) {
            data.insert(d.template.clone(), dd);
        }
    }
    let item = attachments_item(&f.values, &uploads, &mut f.field_errors);
    // A browser cannot put a file back into the form: say so whenever the form comes back.
    let reselect = |f: &mut FormState| {
        if !uploads.is_empty() && !f.field_errors.contains_key(FILES) {
            let names: Vec<&str> = uploads.iter().map(|(n, _)| n.as_str()).collect();
            f.field_errors.insert(
                FILES.into(),
                format!(
                    "Tệp đã chọn ({}) chưa được lưu: chọn lại trước khi gửi.",
                    names.join(", ")
                ),
            );
        }
    };
    let Some(at) = at.filter(|_| f.field_errors.is_empty()) else {
        f.error = Some("Biểu mẫu có chỗ chưa đúng; xem thông báo bên cạnh từng ô.".into());
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&user, &v, &s, &docs, &f),
        )
            .into_response());
    };
    let (c, st) = (id.clone(), step.clone());
    let outcome = state
        .run_heavy(Some(user.login()), move |app| {
            app.advance(&c, &st, &Value::Object(inputs), at, false, |t| {
                data.get(t).cloned().ok_or_else(|| {
                    Error::Invalid(format!("thiếu dữ liệu văn bản {t} trong biểu mẫu"))
                })
            })
        })
        .await;
    match outcome {
        Ok(_) => {
            attach_after_step(&state, &user, &id, uploads, item.unwrap_or_default()).await?;
            Ok(Redirect::to(&format!("/ho-so/{id}")).into_response())
        }
        Err(e) if e.status == StatusCode::INTERNAL_SERVER_ERROR => Err(e),
        Err(e) => {
            reselect(&mut f);
            f.beside_named(s.inputs.keys(), &e.message);
            if judges_the_date(&s, &e.message) {
                // Beside the field, the reason alone; the heading above says who refused.
                let reason = e.message.split_once(": ").map_or(&*e.message, |(_, r)| r);
                f.field_errors.insert("ngay".into(), reason.to_string());
            }
            for d in &docs {
                if let Some(name) = d.field_named(&e.message) {
                    f.field_errors.insert(name, e.message.clone());
                }
            }
            let prefix = if e.status == StatusCode::CONFLICT {
                "Đã có người ghi trước: "
            } else {
                ""
            };
            f.error = Some(format!("{prefix}{}", e.message));
            // The page must stay the form: the case page would lose what was typed.
            let v = case_for(&state, &user, &id).await.unwrap_or(v);
            Ok((e.status, render(&user, &v, &s, &docs, &f)).into_response())
        }
    }
}
