//! The pages, in Vietnamese with the decree's words: my work, the cases with search, a case
//! (its open steps, timeline, documents, files and deadlines), a document (preview, approve,
//! issue), the register's book, the accounts. Every value shown is escaped by maud.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use super::auth::{CSRF_FIELD, Fields, User, field};
use super::{Shared, WebError};
use crate::accounts::ROLES;
use crate::app::{App, BookQuery, CaseStatus};
use crate::checklist::Have;
use crate::error::Result;
use crate::store::{Account, Approval, CaseRow, Entry};
use crate::workflow::Workflow;

pub fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

pub fn role_name(role: &str) -> &str {
    ROLES
        .iter()
        .find(|(r, _)| *r == role)
        .and_then(|(_, t)| t.split(" (").next())
        .unwrap_or(role)
}

/// A hidden field with the session's CSRF token, for every form.
pub fn csrf(user: &User) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(user.csrf); }
}

/// The page around every page's content.
pub fn layout(user: Option<&User>, title: &str, body: Markup) -> Markup {
    layout_refreshing(user, title, None, body)
}

/// [`layout`] for a page that reloads itself every `refresh` seconds (long work's progress).
pub fn layout_refreshing(
    user: Option<&User>,
    title: &str,
    refresh: Option<u32>,
    body: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(s) = refresh { meta http-equiv="refresh" content=(s); }
                title { (title) " — Hồ sơ" }
                link rel="stylesheet" href="/static/hoso.css";
            }
            body {
                // The first thing a keyboard reaches: past the header's links to the page.
                a.skip href="#noi-dung" { "Bỏ qua, đến nội dung chính" }
                header.top {
                    a.brand href="/" { "Hồ sơ" }
                    @if let Some(u) = user {
                        nav aria-label="Chính" {
                            a href="/" { "Việc của tôi" }
                            a href="/ho-so" { "Hồ sơ" }
                            @if !u.is("can-bo") { a href="/so-dang-ky" { "Sổ đăng ký" } }
                            @if !u.account.agency.contains('/') { a href="/bao-cao" { "Báo cáo" } }
                            @if u.is("luu-tru") { a href="/luu-tru" { "Lưu trữ" } }
                            @if u.is("quan-tri") { a href="/tai-khoan" { "Tài khoản" } }
                        }
                        div.who {
                            span { (u.account.name) " · " (role_name(&u.account.role)) " · " (u.account.agency) }
                            a href="/mat-khau" { "Đổi mật khẩu" }
                            form.inline method="post" action="/dang-xuat" {
                                (csrf(u))
                                button type="submit" { "Đăng xuất" }
                            }
                        }
                    }
                }
                main #noi-dung tabindex="-1" { h1 { (title) } (body) }
            }
        }
    }
}

pub fn error_page(status: StatusCode, message: &str) -> Markup {
    let title = match status {
        StatusCode::NOT_FOUND => "Không tìm thấy",
        StatusCode::FORBIDDEN => "Không được phép",
        StatusCode::CONFLICT => "Đã có người làm trước",
        StatusCode::UNPROCESSABLE_ENTITY => "Không thực hiện được",
        _ => "Có lỗi",
    };
    layout(
        None,
        title,
        html! {
            p.error role="alert" { (message) }
            p { a href="/" { "Về trang Việc của tôi" } }
        },
    )
}

pub async fn not_found() -> WebError {
    WebError::new(StatusCode::NOT_FOUND, "Không có trang này.")
}

pub fn login(error: Option<&str>, login: &str) -> Markup {
    layout(
        None,
        "Đăng nhập",
        html! {
            @if let Some(e) = error { p.error role="alert" { (e) } }
            form.card method="post" action="/dang-nhap" {
                label for="dang_nhap" { "Tên đăng nhập" }
                input #dang_nhap name="dang_nhap" value=(login) autocomplete="username" required autofocus;
                label for="mat_khau" { "Mật khẩu" }
                input #mat_khau type="password" name="mat_khau" autocomplete="current-password" required;
                button type="submit" { "Đăng nhập" }
            }
        },
    )
}

pub fn password(user: &User, error: Option<&str>) -> Markup {
    layout(
        Some(user),
        "Đổi mật khẩu",
        html! {
            @if let Some(e) = error { p.error role="alert" { (e) } }
            p { "Đổi mật khẩu kết thúc mọi phiên đăng nhập của tài khoản; đăng nhập lại bằng mật khẩu mới." }
            form.card method="post" action="/mat-khau" {
                (csrf(user))
                label for="mat_khau_cu" { "Mật khẩu hiện tại" }
                input #mat_khau_cu type="password" name="mat_khau_cu" autocomplete="current-password" required;
                label for="mat_khau_moi" { "Mật khẩu mới (ít nhất " (crate::accounts::MIN_PASSWORD) " ký tự)" }
                input #mat_khau_moi type="password" name="mat_khau_moi" autocomplete="new-password" required;
                label for="nhap_lai" { "Nhập lại mật khẩu mới" }
                input #nhap_lai type="password" name="nhap_lai" autocomplete="new-password" required;
                button type="submit" { "Đổi mật khẩu" }
            }
        },
    )
}

/// The accounts of the quản trị's agencies, a form to add one, and buttons to reset the
/// password of each and to lock it; `reset` is a password just set, shown this once.
pub fn accounts(
    user: &User,
    list: &[Account],
    error: Option<&str>,
    typed: &Fields,
    reset: Option<(&str, &str)>,
) -> Markup {
    let value = |k: &str| field(typed, k).unwrap_or_default();
    layout(
        Some(user),
        "Tài khoản",
        html! {
            @if let Some(e) = error { p.error id="loi" role="alert" { (e) } }
            @if let Some((login, password)) = reset {
                div.notice id="mat-khau-moi" role="status" {
                    p { "Đã đặt lại mật khẩu tài khoản " strong { (login) } "; mọi phiên đăng nhập của tài khoản đã kết thúc." }
                    p { "Mật khẩu mới: " code.secret { (password) } }
                    p { small { "Mật khẩu chỉ hiện một lần, trên trang này. Trao tận tay người dùng; họ đổi mật khẩu sau khi đăng nhập." } }
                }
            }
            div.scroll { table {
                thead { tr { th { "Tên đăng nhập" } th { "Họ tên" } th { "Vai trò" } th { "Cơ quan" } th { "Tình trạng, thao tác" } } }
                tbody { @for a in list { tr {
                    td { (a.login) } td { (a.name) } td { (role_name(&a.role)) } td { (a.agency) }
                    td.account-actions {
                        @if a.login == user.account.login { "Đang dùng" }
                        @else {
                            @if a.disabled { "Đã khóa " }
                            form.inline method="post" action="/tai-khoan/dat-lai-mat-khau" {
                                (csrf(user))
                                input type="hidden" name="dang_nhap" value=(a.login);
                                button.secondary type="submit" aria-label={ "Đặt lại mật khẩu tài khoản " (a.login) } { "Đặt lại mật khẩu" }
                            }
                            @if !a.disabled {
                                " "
                                form.inline method="post" action="/tai-khoan/khoa" {
                                    (csrf(user))
                                    input type="hidden" name="dang_nhap" value=(a.login);
                                    button type="submit" aria-label={ "Khóa tài khoản " (a.login) } { "Khóa" }
                                }
                            }
                        }
                    }
                } } }
            } }
            h2 { "Thêm tài khoản" }
            form.card method="post" action="/tai-khoan" {
                (csrf(user))
                label for="dang_nhap" { "Tên đăng nhập (a-z, 0-9, . _ -)" }
                input #dang_nhap name="dang_nhap" value=(value("dang_nhap")) required autocomplete="off";
                label for="ho_ten" { "Họ tên" }
                input #ho_ten name="ho_ten" value=(value("ho_ten")) required;
                label for="vai_tro" { "Vai trò" }
                select #vai_tro name="vai_tro" required {
                    @for (r, title) in ROLES { option value=(r) selected[*r == value("vai_tro")] { (title) } }
                }
                label for="co_quan" { "Cơ quan (trong phạm vi " (user.account.agency) ", ví dụ kon-tum/dak-mar)" }
                input #co_quan name="co_quan" value=(value("co_quan")) required;
                label for="mat_khau" { "Mật khẩu ban đầu (ít nhất " (crate::accounts::MIN_PASSWORD) " ký tự)" }
                input #mat_khau type="password" name="mat_khau" autocomplete="new-password" required;
                button type="submit" { "Thêm tài khoản" }
            }
        },
    )
}

/// The lưu trữ's page: check an archive, import it.
pub fn archives(
    user: &User,
    checked: Option<&super::files::Checked>,
    error: Option<&str>,
) -> Markup {
    layout(
        Some(user),
        "Kiểm tra, nhập hồ sơ lưu trữ",
        html! {
            @if let Some(e) = error { p.error id="loi" role="alert" { (e) } }
            @if let Some(c) = checked {
                section #ket-qua {
                    h2 { "Kết quả kiểm tra " (c.file) }
                    @if c.problems.is_empty() {
                        p { strong { "Toàn vẹn" } ": mọi tệp khớp mã kiểm tra." }
                    } @else {
                        p.error { "Hồ sơ lưu trữ bị hỏng hoặc bị sửa:" }
                        ul { @for p in &c.problems { li { (p) } } }
                    }
                    @if let Some((case, missing)) = &c.case {
                        p { "Hồ sơ " (case) }
                        @if missing.is_empty() { p { "Hồ sơ đầy đủ." } }
                        @else { p { "Hồ sơ còn thiếu:" } ul { @for m in missing { li { (m) } } } }
                    }
                    @if let Some(id) = &c.imported {
                        p { "Đã nhập thành hồ sơ " a href={ "/ho-so/" (id) } { (id) } "." }
                    }
                }
            }
            form.card method="post" action="/luu-tru" enctype="multipart/form-data" {
                (csrf(user))
                label for="tep" { "Tệp lưu trữ (ZIP, tối đa " (super::server::LIMIT_UPLOAD / 1024 / 1024) " MB)" }
                input #tep type="file" name="tep" accept=".zip" required;
                label { input type="checkbox" name="nhap" value="co"; " Nhập vào cơ sở dữ liệu nếu toàn vẹn" }
                button type="submit" { "Kiểm tra" }
            }
        },
    )
}

/// The name a case goes by: its first `ten_…` field (tên mô hình, tên điển hình, tên đơn vị).
pub fn case_name(c: &CaseRow) -> String {
    c.data
        .as_object()
        .and_then(|o| {
            o.iter()
                .find(|(k, v)| k.starts_with("ten_") && v.is_string())
        })
        .and_then(|(_, v)| v.as_str())
        .map_or_else(|| c.id.clone(), crate::text::clean)
}

fn step_title<'a>(w: Option<&'a Workflow>, step: &'a str) -> &'a str {
    w.and_then(|w| w.steps.iter().find(|s| s.id == step))
        .map_or(step, |s| s.title.as_str())
}

/// A case the person may see, with what its page shows.
pub struct CaseView {
    pub status: CaseStatus,
    pub agency: String,
    pub approvals: Vec<Approval>,
    /// (name, item, size in bytes, added on).
    pub files: Vec<(String, Option<u32>, usize, NaiveDate)>,
    pub procedure: Option<Workflow>,
    /// Templates issued with another document (no number of their own).
    pub attached: Vec<String>,
    /// Template names by id.
    pub template_names: Vec<(String, String)>,
    /// The hồ sơ's required items and where each stands.
    pub checklist: Vec<crate::checklist::Line>,
}

impl CaseView {
    pub fn name(&self) -> String {
        case_name(&self.status.case)
    }

    pub(super) fn template_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.template_names
            .iter()
            .find(|(t, _)| t == id)
            .map_or(id, |(_, n)| n.as_str())
    }

    pub(super) fn approval(&self, doc: &str) -> Option<&Approval> {
        self.approvals.iter().find(|a| a.doc == doc)
    }
}

/// Whether a person of `agency` may see case `case`; a case that does not exist and one
/// outside the person's agencies are answered alike.
pub fn visible(app: &mut App, agency: &str, case: &str) -> Result<bool> {
    match app.case_agency(case) {
        Ok(a) => Ok(crate::accounts::within(agency, &a)),
        Err(crate::Error::NotFound(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Templates issued with another document: they have no number of their own.
fn attached_templates(app: &App) -> Result<Vec<String>> {
    Ok(app
        .templates()?
        .iter()
        .filter(|t| t.attached_kind().is_some())
        .map(|t| t.id.clone())
        .collect())
}

/// Loads a case for a person of `agency`; `None` when it is not theirs to see.
pub fn load_case(app: &mut App, agency: &str, case: &str) -> Result<Option<CaseView>> {
    if !crate::archive::names::is_case_id(case) || !visible(app, agency, case)? {
        return Ok(None);
    }
    let status = app.status(case)?;
    let procedure = app.procedure_of(&status.case).ok().cloned();
    let set = app.templates()?;
    let template_names = set.iter().map(|t| (t.id.clone(), t.name.clone())).collect();
    let attached = attached_templates(app)?;
    let files: Vec<_> = app
        .files(case)?
        .into_iter()
        .map(|f| (f.name, f.item, f.bytes.len(), f.added_on))
        .collect();
    let checklist = app.checklist_of(&status, &files)?;
    Ok(Some(CaseView {
        checklist,
        agency: app.case_agency(case)?,
        approvals: app.approvals(case)?,
        status,
        files,
        procedure,
        attached,
        template_names,
    }))
}

/// One line of my work.
struct Task {
    case: String,
    case_name: String,
    what: String,
    link: String,
    due: Option<NaiveDate>,
    /// The deadline is worded "trước ngày" the day after `due`.
    before: bool,
    overdue: bool,
}

/// What waits for a person: open steps (cán bộ) with their deadlines, drafts to approve (lãnh
/// đạo), approved drafts to issue (văn thư), ended cases to archive (lưu trữ).
fn my_tasks(app: &mut App, user: &Account) -> Result<Vec<Task>> {
    let today = today();
    let attached = attached_templates(app)?;
    let mut tasks = Vec::new();
    let cases = app.cases_within(&user.agency)?;
    // A province's officer: every deadline at once, as the store keeps them (see `App::due`);
    // a commune's few cases, each its own.
    let mut due_by_case = None;
    if user.role == "can-bo" && cases.len() > crate::accounts::BULK_FROM {
        let mut by_case: std::collections::HashMap<String, Vec<crate::app::DueItem>> =
            Default::default();
        for d in app.due(None, today)? {
            by_case.entry(d.case.clone()).or_default().push(d);
        }
        due_by_case = Some(by_case);
    }
    for (s, _) in cases {
        let id = s.case.id.clone();
        let name = case_name(&s.case);
        match user.role.as_str() {
            "can-bo" => {
                let due = match &mut due_by_case {
                    Some(by_case) => by_case.remove(&id).unwrap_or_default(),
                    None => app.due_of_case(&id, today)?,
                };
                let w = app.procedure_of(&s.case).ok().cloned();
                for step in &s.open_steps {
                    let d = due.iter().find(|d| d.case == id && &d.step == step);
                    tasks.push(Task {
                        case: id.clone(),
                        case_name: name.clone(),
                        what: step_title(w.as_ref(), step).to_string(),
                        link: format!("/ho-so/{id}/buoc/{step}"),
                        due: d.map(|d| d.due),
                        before: d.is_some_and(|d| d.before),
                        overdue: d.is_some_and(|d| d.overdue),
                    });
                }
            }
            "lanh-dao" => {
                let approvals = app.approvals(&id)?;
                for (d, number) in app.documents_of(&id)? {
                    if number.is_none()
                        && !attached.contains(&d.template)
                        && !approvals.iter().any(|a| a.doc == d.doc)
                    {
                        tasks.push(Task {
                            case: id.clone(),
                            case_name: name.clone(),
                            what: format!("Duyệt dự thảo {}", d.doc),
                            link: format!("/ho-so/{id}/van-ban/{}", d.doc),
                            due: None,
                            before: false,
                            overdue: false,
                        });
                    }
                }
            }
            "van-thu" => {
                let approvals = app.approvals(&id)?;
                for (d, number) in app.documents_of(&id)? {
                    if number.is_none() && approvals.iter().any(|a| a.doc == d.doc) {
                        tasks.push(Task {
                            case: id.clone(),
                            case_name: name.clone(),
                            what: format!("Cấp số, ban hành {}", d.doc),
                            link: format!("/ho-so/{id}/van-ban/{}", d.doc),
                            due: None,
                            before: false,
                            overdue: false,
                        });
                    }
                }
            }
            "luu-tru" => {
                if let Some(e) = &s.case.ended {
                    tasks.push(Task {
                        case: id.clone(),
                        case_name: name.clone(),
                        what: format!("Lập hồ sơ lưu trữ (kết thúc ngày {})", date(e.on)),
                        link: format!("/ho-so/{id}"),
                        due: None,
                        before: false,
                        overdue: false,
                    });
                }
            }
            _ => {}
        }
    }
    tasks.sort_by_key(|t| (!t.overdue, t.due.is_none(), t.due));
    Ok(tasks)
}

pub async fn my_work(State(state): State<Shared>, user: User) -> Result<Response, WebError> {
    let account = user.account.clone();
    let tasks = state.run(None, move |app| my_tasks(app, &account)).await?;
    let overdue = tasks.iter().filter(|t| t.overdue).count();
    Ok(layout(
        Some(&user),
        "Việc của tôi",
        html! {
            p {
                (tasks.len()) " việc"
                @if overdue > 0 { ", " strong.overdue { (overdue) " việc QUÁ HẠN" } }
                " · hôm nay " (date(today()))
            }
            @if tasks.is_empty() { p { "Không có việc nào đang chờ." } }
            @else {
                div.scroll { table {
                    thead { tr { th { "Hồ sơ" } th { "Việc" } th { "Hạn" } } }
                    tbody { @for t in &tasks {
                        tr.overdue[t.overdue] {
                            td { a href={ "/ho-so/" (t.case) } { (t.case) } " " (t.case_name) }
                            td { a href=(t.link) { (t.what) } }
                            td {
                                @if let Some(d) = t.due { (crate::workflow::deadline_words(d, t.before)) }
                                @if t.overdue { " " strong { "QUÁ HẠN" } }
                            }
                        }
                    } }
                } }
            }
        },
    )
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct CaseSearch {
    #[serde(default)]
    q: String,
    #[serde(default, rename = "quy-trinh")]
    procedure: String,
    #[serde(default, rename = "trang-thai")]
    status: String,
}

/// Search text as compared: lower case, NFC.
fn folded(s: &str) -> String {
    crate::text::clean(s).to_lowercase()
}

pub async fn cases(
    State(state): State<Shared>,
    user: User,
    Query(q): Query<CaseSearch>,
) -> Result<Response, WebError> {
    let agency = user.account.agency.clone();
    let rows = state
        .run(None, move |app| {
            let mut out = Vec::new();
            for (s, a) in app.cases_within(&agency)? {
                let title = app.procedure_of(&s.case).map(|w| w.title.clone()).ok();
                out.push((s, a, title));
            }
            Ok(out)
        })
        .await?;
    let needle = folded(&q.q);
    let mut procedures: Vec<&str> = rows
        .iter()
        .map(|(s, _, _)| s.case.workflow.as_str())
        .collect();
    procedures.sort();
    procedures.dedup();
    let shown: Vec<_> = rows
        .iter()
        .filter(|(s, a, _)| {
            let c = &s.case;
            let text = folded(&format!(
                "{} {} {} {}",
                case_name(c),
                c.data
                    .get("pham_vi")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default(),
                a,
                c.workflow
            ));
            (needle.is_empty() || text.contains(&needle))
                && (q.procedure.is_empty() || c.workflow == q.procedure)
                && match q.status.as_str() {
                    "mo" => c.ended.is_none(),
                    "ket-thuc" => c.ended.is_some(),
                    _ => true,
                }
        })
        .collect();
    Ok(layout(
        Some(&user),
        "Hồ sơ",
        html! {
            form.search method="get" action="/ho-so" role="search" {
                div {
                    label for="q" { "Tên mô hình, địa bàn" }
                    input #q type="search" name="q" value=(q.q);
                }
                div {
                    label for="quy-trinh" { "Quy trình" }
                    select #quy-trinh name="quy-trinh" {
                        option value="" { "Tất cả" }
                        @for p in &procedures { option value=(p) selected[*p == q.procedure] { (p) } }
                    }
                }
                div {
                    label for="trang-thai" { "Tình trạng" }
                    select #trang-thai name="trang-thai" {
                        option value="" { "Tất cả" }
                        option value="mo" selected[q.status == "mo"] { "Đang mở" }
                        option value="ket-thuc" selected[q.status == "ket-thuc"] { "Đã kết thúc" }
                    }
                }
                button type="submit" { "Tìm" }
            }
            p {
                (shown.len()) " hồ sơ"
                @if user.is("can-bo") { " · " a href="/ho-so/moi" { "Mở hồ sơ mới" } }
            }
            div.scroll { table {
                thead { tr { th { "Mã" } th { "Tên" } th.wide { "Địa bàn" } th.wide { "Quy trình" } th { "Tình trạng" } } }
                tbody { @for (s, a, title) in &shown { tr {
                    td { a href={ "/ho-so/" (s.case.id) } { (s.case.id) } }
                    td { a href={ "/ho-so/" (s.case.id) } { (case_name(&s.case)) } }
                    td.wide { (s.case.data.get("pham_vi").and_then(|v| v.as_str()).unwrap_or(a)) }
                    td.wide { (title.as_deref().unwrap_or(&s.case.workflow)) }
                    td { @match &s.case.ended {
                        Some(e) => { "Đã kết thúc " (date(e.on)) }
                        None => { "Đang mở (" (s.open_steps.len()) " bước)" }
                    } }
                } } }
            } }
        },
    )
    .into_response())
}

/// Loads a case for `user` or answers 404.
pub async fn case_for(state: &Shared, user: &User, case: &str) -> Result<CaseView, WebError> {
    let (agency, id) = (user.account.agency.clone(), case.to_string());
    state
        .run(None, move |app| load_case(app, &agency, &id))
        .await?
        .ok_or_else(|| WebError::no_case(case))
}

pub async fn case(
    State(state): State<Shared>,
    user: User,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let v = case_for(&state, &user, &id).await?;
    Ok(layout(
        Some(&user),
        &format!("{} — {}", id, v.name()),
        case_body(&user, &v),
    )
    .into_response())
}

/// The case's procedure as a diagram, with the steps taken, the open ones and those ahead; the
/// same as a list for screen readers and narrow screens.
pub async fn diagram(
    State(state): State<Shared>,
    user: User,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    use super::diagram::Progress;
    let v = case_for(&state, &user, &id).await?;
    let Some(w) = v.procedure.as_ref() else {
        return Err(WebError::new(
            StatusCode::NOT_FOUND,
            format!("Không có quy trình `{}`.", v.status.case.workflow),
        ));
    };
    let progress = |step: &str| {
        if v.status.steps.iter().any(|s| s.step == step && s.open) {
            Progress::Open
        } else if v.status.events.iter().any(|e| e.step == step) {
            Progress::Done
        } else {
            Progress::Ahead
        }
    };
    Ok(layout(
        Some(&user),
        &format!("Sơ đồ quy trình — {id}"),
        html! {
            p { a href={ "/ho-so/" (id) } { "← Hồ sơ " (id) " — " (v.name()) } }
            p { (w.title) " (" (v.status.case.workflow) ")" }
            p.legend aria-hidden="true" {
                span.key.done { "Đã làm" } " " span.key.open { "Đang mở" } " " span.key { "Chưa đến" }
                " · mũi tên đứt: chỉ khi điều kiện thỏa"
            }
            div.scroll.diagram-box { (super::diagram::svg(w, progress)) }
            h2 { "Các bước" }
            ol.steps-text { @for s in &w.steps { li {
                strong { (s.title) } " — " (progress(&s.id).words())
                @if !s.next.is_empty() {
                    br; small { "Tiếp theo: "
                        @for (i, n) in s.next.iter().enumerate() {
                            @if i > 0 { "; " }
                            (step_title(Some(w), n.target()))
                            @if let crate::workflow::Next::Branch { when: Some(c), .. } = n { " (khi " (c) ")" }
                        }
                    }
                }
                @if s.ends { br; small { "Bước này kết thúc hồ sơ." } }
            } } }
        },
    )
    .into_response())
}

fn case_body(user: &User, v: &CaseView) -> Markup {
    let c = &v.status.case;
    let w = v.procedure.as_ref();
    let open: Vec<_> = v.status.steps.iter().filter(|s| s.open).collect();
    html! {
        dl.facts {
            dt { "Quy trình" } dd {
                (w.map_or(c.workflow.as_str(), |w| w.title.as_str())) " (" (c.workflow) ") · "
                a href={ "/ho-so/" (c.id) "/so-do" } { "Xem sơ đồ quy trình" }
            }
            dt { "Cơ quan" } dd { (v.agency) }
            dt { "Mở ngày" } dd { (date(c.created_on)) }
            dt { "Tình trạng" } dd { @match &c.ended {
                Some(e) => { "Đã kết thúc ngày " (date(e.on)) " (" (step_title(w, &e.step)) ")" }
                None => { "Đang mở" }
            } }
        }
        section {
            h2 { "Bước đang mở và hạn" }
            @if open.is_empty() { p { "Không còn bước nào mở." } }
            ul.steps { @for s in &open { li {
                @if user.is("can-bo") { a href={ "/ho-so/" (c.id) "/buoc/" (s.step) } { (step_title(w, &s.step)) } }
                @else { (step_title(w, &s.step)) }
                @if let Some(d) = s.due {
                    @let before = w.and_then(|w| w.steps.iter().find(|x| x.id == s.step)).is_some_and(|x| x.due_before());
                    " — hạn: " (crate::workflow::deadline_words(d, before))
                    @if d < today() { " " strong.overdue { "QUÁ HẠN" } }
                }
            } } }
        }
        section {
            h2 { "Văn bản" }
            @if v.status.documents.is_empty() { p { "Chưa có văn bản nào." } }
            @else { div.scroll { table {
                thead { tr { th { "Văn bản" } th { "Bước" } th { "Ngày dự thảo" } th { "Tình trạng" } } }
                tbody { @for (d, number) in &v.status.documents { tr {
                    td { a href={ "/ho-so/" (c.id) "/van-ban/" (d.doc) } { (v.template_name(&d.template)) } br; small { (d.doc) } }
                    td { (step_title(w, &d.step)) }
                    td { (date(d.drafted_on)) }
                    td { @match (number, v.approval(&d.doc)) {
                        (Some(n), _) => { "Đã ban hành, số " strong { (n) } }
                        (None, Some(a)) => { "Đã duyệt (" (a.login) ", " (date(a.on)) ")" }
                        (None, None) if v.attached.contains(&d.template) => { "Dự thảo, ban hành kèm văn bản chính" }
                        (None, None) => { "Dự thảo, chờ duyệt" }
                    } }
                } } }
            } } }
        }
        @if !v.checklist.is_empty() {
            section #thanh-phan {
                h2 { "Thành phần hồ sơ" }
                @let missing = v.checklist.iter().filter(|l| l.have == Have::Missing).count();
                p {
                    @if missing == 0 { "Chưa thiếu thành phần nào đến hạn." }
                    @else { strong.overdue { "Còn thiếu " (missing) " thành phần" } " đến hạn theo Hướng dẫn 22/HD-BCA-V05." }
                }
                div.scroll { table.checklist {
                    thead { tr { th scope="col" { "Mục" } th scope="col" { "Thành phần" } th scope="col" { "Tình trạng" } } }
                    tbody { @for l in &v.checklist {
                        tr class=(match l.have { Have::Missing => "missing", Have::Present(_) => "present", _ => "" }) {
                            td { (l.item) }
                            td { (l.title) @if !l.written { br; small { "Tài liệu thu thập: đính kèm tệp vào mục " (l.item) } } }
                            td { @match &l.have {
                                Have::Present(what) => { strong { "Có" } ": " (what.join("; ")) }
                                Have::Drafted(what) => { "Đang dự thảo: " (what.join("; ")) }
                                Have::Missing => { strong.overdue { "Thiếu" } }
                                Have::Later => { "Chưa đến bước" }
                                Have::IfAny(why) => {
                                    @if c.ended.is_some() { "Không có: " (why) } @else { "Nếu có" }
                                }
                            } }
                        }
                    } }
                } }
            }
        }
        section {
            h2 { "Tệp của hồ sơ" }
            @if v.files.is_empty() { p { "Chưa có tệp nào." } }
            ul.files { @for (name, item, size, on) in &v.files { li {
                a href={ "/ho-so/" (c.id) "/tep?ten=" (urlencode(name)) } { (name) }
                " — " (crate::fsutil::size_text(*size as u64)) ", " (date(*on))
                @if let Some(i) = item { ", mục " (i) }
            } } }
            @if user.is("can-bo") || user.is("luu-tru") {
                form.card method="post" action={ "/ho-so/" (c.id) "/dinh-kem" } enctype="multipart/form-data" {
                    (csrf(user))
                    label for="tep" { "Đính kèm tệp (tối đa " (super::server::LIMIT_UPLOAD / 1024 / 1024) " MB)" }
                    input #tep type="file" name="tep" required;
                    label for="muc" { "Thuộc mục của hồ sơ" }
                    @if v.checklist.is_empty() {
                        input #muc name="muc" inputmode="numeric" required;
                    } @else {
                        // The first item missing by now, else the first of evidence to collect.
                        @let first = v.checklist.iter().find(|l| l.have == Have::Missing)
                            .or_else(|| v.checklist.iter().find(|l| !l.written))
                            .map(|l| l.item);
                        select #muc name="muc" required {
                            @for l in &v.checklist {
                                option value=(l.item) selected[Some(l.item) == first] { (l.item) ". " (l.title) }
                            }
                        }
                    }
                    button type="submit" { "Đính kèm" }
                }
            }
            @if user.is("luu-tru") {
                form.inline method="post" action={ "/ho-so/" (c.id) "/luu-tru" } {
                    (csrf(user))
                    button type="submit" { "Lập hồ sơ lưu trữ (BagIt, ZIP)" }
                }
            }
        }
        section {
            h2 { "Tiến trình" }
            ol.timeline { @for e in &v.status.events { li {
                time { (date(e.on_date)) } " " (step_title(w, &e.step))
                small { " — " (e.actor) @if let Some(p) = &e.person { ", " (p) } }
            } } }
        }
    }
}

/// A query value, percent-encoded.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn document(
    State(state): State<Shared>,
    user: User,
    Path((id, doc)): Path<(String, String)>,
) -> Result<Response, WebError> {
    document_page(&state, &user, &id, &doc, None).await
}

/// A document's page, with what went wrong when approving or issuing it failed: the person
/// stays where they can correct it (another date) or see who came first.
async fn document_page(
    state: &Shared,
    user: &User,
    id: &str,
    doc: &str,
    error: Option<WebError>,
) -> Result<Response, WebError> {
    let v = case_for(state, user, id).await?;
    let Some((d, number)) = v.status.documents.iter().find(|(d, _)| d.doc == doc) else {
        return Err(WebError::new(
            StatusCode::NOT_FOUND,
            format!("Hồ sơ {id} không có văn bản {doc}."),
        ));
    };
    let approval = v.approval(&d.doc);
    let attached = v.attached.contains(&d.template);
    let status = error.as_ref().map_or(StatusCode::OK, |e| e.status);
    let issued_on = match d.entry {
        Some(e) => Some(state.run(None, move |app| app.entry(e)).await?.on_date),
        None => None,
    };
    let base = format!("/ho-so/{id}/van-ban/{}", d.doc);
    let issued_files: Vec<_> = v
        .files
        .iter()
        .filter(|(n, ..)| n.starts_with(&format!("documents/{}.", d.doc)))
        .collect();
    let page = layout(
        Some(user),
        v.template_name(&d.template),
        html! {
            p { a href={ "/ho-so/" (id) } { "← Hồ sơ " (id) " — " (v.name()) } }
            @if let Some(e) = &error { p.error id="loi" role="alert" { (e.message) } }
            dl.facts {
                dt { "Mã văn bản" } dd { (d.doc) }
                dt { "Ngày dự thảo" } dd { (date(d.drafted_on)) }
                dt { "Tình trạng" } dd {
                    @match (number, approval) {
                        (Some(n), _) => {
                            "Đã ban hành, số " strong id="so" { (n) }
                            @if let Some(on) = issued_on { " ngày " strong id="ngay-ban-hanh" { (date(on)) } }
                        }
                        (None, Some(a)) => { "Đã duyệt bởi " (a.login) " ngày " (date(a.on)) }
                        (None, None) => { "Dự thảo, chưa duyệt" }
                    }
                }
            }
            @if number.is_some() {
                h2 { "Văn bản đã ban hành" }
                ul.files { @for (name, ..) in &issued_files { li {
                    a href={ "/ho-so/" (id) "/tep?ten=" (urlencode(name)) } { (name) }
                } } }
            } @else {
                p.actions {
                    a.button href={ (base) "/du-thao.pdf" } { "Xem dự thảo (PDF)" }
                    a.button href={ (base) "/du-thao.docx" } { "Tải dự thảo (DOCX)" }
                }
                @if user.is("lanh-dao") && approval.is_none() && !attached {
                    form.card method="post" action={ (base) "/duyet" } {
                        (csrf(user))
                        p { "Duyệt dự thảo để văn thư cấp số và ban hành." }
                        button type="submit" { "Duyệt dự thảo" }
                    }
                }
                @if user.is("van-thu") && approval.is_some() {
                    form.card method="post" action={ (base) "/ban-hanh" } {
                        (csrf(user))
                        label for="ngay" { "Ngày ban hành (dd/mm/yyyy)" }
                        input #ngay name="ngay" value=(date(d.drafted_on)) inputmode="numeric" pattern="[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}" required;
                        button type="submit" { "Cấp số và ban hành" }
                    }
                    form.card method="post" action={ (base) "/ban-hanh-tu-tep" } enctype="multipart/form-data" {
                        (csrf(user))
                        p { "Lãnh đạo đã sửa dự thảo trong Word? Ban hành với phần nội dung của tệp đã sửa; số, ngày, Nơi nhận và chữ ký vẫn do hoso ghi." }
                        label for="ngay-tep" { "Ngày ban hành (dd/mm/yyyy)" }
                        input #ngay-tep name="ngay" value=(date(d.drafted_on)) inputmode="numeric" pattern="[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}" required;
                        label for="tep-da-sua" { "Dự thảo đã sửa (DOCX)" }
                        input #tep-da-sua type="file" name="tep" accept=".docx" required;
                        button type="submit" { "Cấp số và ban hành từ tệp đã sửa" }
                    }
                }
                @if user.is("van-thu") && approval.is_none() && !attached {
                    p { "Dự thảo chưa được lãnh đạo duyệt: chưa ban hành được." }
                }
                object.preview data={ (base) "/du-thao.pdf" } type="application/pdf" aria-label="Dự thảo" {
                    p { a href={ (base) "/du-thao.pdf" } { "Mở dự thảo PDF" } }
                }
            }
        },
    );
    Ok((status, page).into_response())
}

/// The document's page again after a failed approval or issue, unless the failure is the
/// machine's or the person may not see the case at all.
pub(super) async fn after(
    state: &Shared,
    user: &User,
    id: &str,
    doc: &str,
    outcome: Result<(), WebError>,
) -> Result<Response, WebError> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/ho-so/{id}/van-ban/{doc}")).into_response()),
        Err(e)
            if matches!(
                e.status,
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT
            ) =>
        {
            document_page(state, user, id, doc, Some(e)).await
        }
        Err(e) => Err(e),
    }
}

/// Parses a date typed as dd/mm/yyyy (or yyyy-mm-dd), naming the field when it is wrong.
pub fn parse_date(label: &str, s: &str) -> std::result::Result<NaiveDate, String> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .map_err(|_| format!("{label}: `{s}` không phải ngày dạng dd/mm/yyyy"))
}

pub async fn approve(
    State(state): State<Shared>,
    user: User,
    Path((id, doc)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> Result<Response, WebError> {
    user.check_csrf(field(&fields, CSRF_FIELD))?;
    user.require("lanh-dao", "duyệt dự thảo")?;
    case_for(&state, &user, &id).await?;
    let (c, d, login) = (id.clone(), doc.clone(), user.login().to_string());
    let outcome = state
        .run(Some(user.login()), move |app| {
            app.approve(&c, &d, &login, today())
        })
        .await;
    after(&state, &user, &id, &doc, outcome).await
}

pub async fn issue(
    State(state): State<Shared>,
    user: User,
    Path((id, doc)): Path<(String, String)>,
    axum::Form(fields): axum::Form<Fields>,
) -> Result<Response, WebError> {
    user.check_csrf(field(&fields, CSRF_FIELD))?;
    user.require("van-thu", "cấp số, ban hành văn bản")?;
    let v = case_for(&state, &user, &id).await?;
    let refuse = |m: String| Err(WebError::new(StatusCode::UNPROCESSABLE_ENTITY, m));
    let outcome = if v.approval(&doc).is_none() {
        refuse(format!(
            "Văn bản {doc} chưa được lãnh đạo duyệt: chưa ban hành được."
        ))
    } else {
        match parse_date("Ngày ban hành", field(&fields, "ngay").unwrap_or_default()) {
            Err(m) => refuse(m),
            Ok(at) => {
                let (c, d) = (id.clone(), doc.clone());
                state
                    .run_heavy(Some(user.login()), move |app| app.issue(&c, &d, at, false))
                    .await
                    .and_then(|issued| first_came(user.login(), &issued))
            }
        }
    };
    after(&state, &user, &id, &doc, outcome).await
}

/// A document another person issued first — at the same moment, or since the page was
/// loaded — is not issued again: the person is told who did, with the number and date.
/// Their own issue sent twice (a reload) simply shows the document.
fn first_came(login: &str, issued: &crate::issue::Issued) -> Result<(), WebError> {
    let e = &issued.entry;
    match &e.person {
        Some(p) if issued.again && p != login => Err(WebError::new(
            StatusCode::CONFLICT,
            format!(
                "Văn bản này đã được {p} cấp số {} ngày {} trước bạn; không cấp số lần nữa.",
                e.symbol,
                date(e.on_date)
            ),
        )),
        None if issued.again => Err(WebError::new(
            StatusCode::CONFLICT,
            format!(
                "Văn bản này đã được cấp số {} ngày {} (từ dòng lệnh); không cấp số lần nữa.",
                e.symbol,
                date(e.on_date)
            ),
        )),
        _ => Ok(()),
    }
}

#[derive(Deserialize, Default)]
pub struct BookSearch {
    #[serde(default, rename = "co-quan")]
    pub issuer: String,
    #[serde(default)]
    pub nam: String,
}

/// The book's entries a person may see: those of cases within their agencies (a number taken
/// by hand belongs to no case and is seen from the centre only).
pub async fn book_entries(
    state: &Shared,
    user: &User,
    q: &BookSearch,
) -> Result<Vec<Entry>, WebError> {
    if user.is("can-bo") {
        return Err(WebError::forbidden("xem sổ đăng ký văn bản"));
    }
    let year = match q.nam.trim() {
        "" => None,
        y => Some(y.parse::<i32>().map_err(|_| {
            WebError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("Năm: `{y}` không phải một năm"),
            )
        })?),
    };
    let query = BookQuery {
        province: None,
        issuer: Some(q.issuer.trim().to_string()).filter(|s| !s.is_empty()),
        year,
    };
    let agency = user.account.agency.clone();
    state
        .run(None, move |app| {
            let mut out = Vec::new();
            for e in app.book(&query)?.entries {
                let ok = match &e.case_id {
                    Some(c) => visible(app, &agency, c)?,
                    None => agency == crate::accounts::CENTRAL,
                };
                if ok {
                    out.push(e);
                }
            }
            Ok(out)
        })
        .await
}

pub async fn book(
    State(state): State<Shared>,
    user: User,
    Query(q): Query<BookSearch>,
) -> Result<Response, WebError> {
    let entries = book_entries(&state, &user, &q).await?;
    let csv = format!(
        "/so-dang-ky.csv?co-quan={}&nam={}",
        urlencode(&q.issuer),
        urlencode(&q.nam)
    );
    Ok(layout(
        Some(&user),
        "Sổ đăng ký văn bản đi",
        html! {
            form.search method="get" action="/so-dang-ky" {
                div { label for="co-quan" { "Cơ quan ban hành (một phần tên)" } input #co-quan name="co-quan" value=(q.issuer); }
                div { label for="nam" { "Năm" } input #nam name="nam" value=(q.nam) inputmode="numeric"; }
                button type="submit" { "Lọc" }
            }
            p { (entries.len()) " số · " a href=(csv) { "Tải CSV" } }
            div.scroll { table {
                thead { tr { th { "Số, ký hiệu" } th { "Ngày" } th { "Trích yếu" } th { "Người ký" } th { "Cơ quan" } th { "Hồ sơ" } } }
                tbody { @for e in &entries { tr.voided[e.voided_on.is_some()] {
                    td { (e.symbol) @if e.voided_on.is_some() { " (đã thu hồi)" } }
                    td { (date(e.on_date)) }
                    td { (e.trich_yeu) }
                    td { (e.signer) }
                    td { (e.issuer) }
                    td { @if let Some(c) = &e.case_id { a href={ "/ho-so/" (c) } { (c) } } }
                } } }
            } }
        },
    )
    .into_response())
}
