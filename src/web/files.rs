//! Files in and out: a draft rendered again for preview (PDF inline) or editing (DOCX), an
//! issued file exactly as stored, a case's archive (lưu trữ), the book as CSV, and an
//! attachment uploaded into the hồ sơ. Every download is of a case the person may see, with a
//! file name hoso gave it.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::auth::{CSRF_FIELD, User};
use super::pages::{self, BookSearch, book_entries, case_for, date, today};
use super::{Shared, WebError};
use crate::app::App;
use crate::render::Format;

/// A download: its bytes, type, and whether the browser shows it or saves it.
pub(super) fn download(bytes: Vec<u8>, mime: &'static str, name: &str, inline: bool) -> Response {
    let how = if inline { "inline" } else { "attachment" };
    // Names are hoso's own (ASCII ids); anything else is replaced, never passed through.
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut r = (StatusCode::OK, bytes).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("{how}; filename=\"{safe}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    r
}

fn mime_of(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("pdf") => "application/pdf",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("zip") => "application/zip",
        _ => "application/octet-stream",
    }
}

async fn draft(
    state: &Shared,
    user: &User,
    id: &str,
    doc: &str,
    format: Format,
) -> Result<Response, WebError> {
    case_for(state, user, id).await?;
    let ext = format.extension().to_string();
    let key = (id.to_string(), doc.to_string(), ext.clone());
    let cached = state.drafts.lock().ok().and_then(|c| c.get(&key));
    let bytes = match cached {
        Some(b) => b,
        None => {
            let (c, d) = (id.to_string(), doc.to_string());
            let drafted = state.run_heavy(None, move |app| app.draft(&c, &d)).await?;
            let mut found = None;
            for f in drafted.files {
                let e = f.path.extension().map(|e| e.to_string_lossy().to_string());
                let bytes = std::sync::Arc::new(f.bytes);
                if let (Some(e), Ok(mut cache)) = (e.clone(), state.drafts.lock()) {
                    cache.put((id.to_string(), doc.to_string(), e), bytes.clone());
                }
                if e.as_deref() == Some(ext.as_str()) {
                    found = Some(bytes);
                }
            }
            found
                .ok_or_else(|| WebError::new(StatusCode::NOT_FOUND, "Không có tệp dự thảo này."))?
        }
    };
    let name = format!("{doc}-du-thao.{ext}");
    let inline = format == Format::Pdf;
    Ok(download(bytes.to_vec(), mime_of(&name), &name, inline))
}

pub async fn draft_pdf(
    State(state): State<Shared>,
    user: User,
    Path((id, doc)): Path<(String, String)>,
) -> Result<Response, WebError> {
    draft(&state, &user, &id, &doc, Format::Pdf).await
}

pub async fn draft_docx(
    State(state): State<Shared>,
    user: User,
    Path((id, doc)): Path<(String, String)>,
) -> Result<Response, WebError> {
    draft(&state, &user, &id, &doc, Format::Docx).await
}

#[derive(Deserialize)]
pub struct FileName {
    ten: String,
}

/// A file of the hồ sơ, exactly as stored.
pub async fn case_file(
    State(state): State<Shared>,
    user: User,
    Path(id): Path<String>,
    Query(q): Query<FileName>,
) -> Result<Response, WebError> {
    case_for(&state, &user, &id).await?;
    let (c, name) = (id.clone(), q.ten.clone());
    let f = state.run(None, move |app| app.file(&c, &name)).await?;
    let base = f.name.rsplit('/').next().unwrap_or(&f.name).to_string();
    let inline = mime_of(&base) == "application/pdf";
    Ok(download(f.bytes, mime_of(&base), &base, inline))
}

/// The case's hồ sơ as a BagIt ZIP (lưu trữ).
pub async fn archive(
    State(state): State<Shared>,
    user: User,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    user.require("luu-tru", "lập hồ sơ lưu trữ")?;
    case_for(&state, &user, &id).await?;
    let c = id.clone();
    let bytes = state.run_heavy(None, move |app| app.archive(&c)).await?;
    Ok(download(
        bytes,
        "application/zip",
        &format!("{id}-luu-tru.zip"),
        false,
    ))
}

/// What the lưu trữ page shows after an archive was checked (and perhaps imported).
pub struct Checked {
    pub file: String,
    pub problems: Vec<String>,
    /// The case, and the required items it lacks, when the archive is intact.
    pub case: Option<(String, Vec<String>)>,
    pub imported: Option<String>,
}

pub async fn archives_page(user: User) -> Result<Response, WebError> {
    user.require("luu-tru", "kiểm tra, nhập hồ sơ lưu trữ")?;
    Ok(pages::archives(&user, None, None).into_response())
}

/// Checks an uploaded archive (lưu trữ) and, when asked and it is intact, imports it into the
/// database; the case imported belongs to the importing person's agency.
pub async fn check_archive(
    State(state): State<Shared>,
    user: User,
    mut form: Multipart,
) -> Result<Response, WebError> {
    user.require("luu-tru", "kiểm tra, nhập hồ sơ lưu trữ")?;
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        WebError::new(
            e.status(),
            format!("Tệp tải lên không đọc được: {}", e.body_text()),
        )
    };
    let (mut token, mut import, mut file) = (None, false, None);
    while let Some(part) = form.next_field().await.map_err(unreadable)? {
        match part.name() {
            Some(CSRF_FIELD) => token = Some(part.text().await.map_err(unreadable)?),
            Some("nhap") => import = true,
            Some("tep") => {
                let name = part.file_name().unwrap_or_default().to_string();
                file = Some((name, part.bytes().await.map_err(unreadable)?.to_vec()));
            }
            _ => {}
        }
    }
    user.check_csrf(token.as_deref())?;
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() && b.starts_with(b"PK")) else {
        let e = WebError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Chọn một tệp ZIP lưu trữ do hoso lập.",
        );
        return Ok((e.status, pages::archives(&user, None, Some(&e.message))).into_response());
    };
    let agency = user.account.agency.clone();
    let checked = state
        .run_heavy(Some(user.login()), move |app| {
            let report = App::verify(&bytes)?;
            let case = report.metadata.as_ref().map(|m| {
                let missing = m
                    .missing()
                    .map(|c| format!("{}. {}", c.item, c.title))
                    .collect();
                (m.case.clone(), missing)
            });
            let imported = if import && report.intact() {
                let id = app.import(&bytes)?;
                app.set_case_agency(&id, &agency)?;
                Some(id)
            } else {
                None
            };
            Ok(Checked {
                file: name,
                problems: report.problems,
                case,
                imported,
            })
        })
        .await;
    match checked {
        Ok(c) => Ok(pages::archives(&user, Some(&c), None).into_response()),
        Err(e) if e.status == StatusCode::INTERNAL_SERVER_ERROR => Err(e),
        Err(e) => Ok((e.status, pages::archives(&user, None, Some(&e.message))).into_response()),
    }
}

/// A CSV cell, quoted; a cell a spreadsheet would read as a formula is prefixed with `'`.
fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub async fn book_csv(
    State(state): State<Shared>,
    user: User,
    Query(q): Query<BookSearch>,
) -> Result<Response, WebError> {
    let entries = book_entries(&state, &user, &q).await?;
    // A BOM so that spreadsheet programs read the Vietnamese as UTF-8.
    let mut out = String::from(
        "\u{feff}Số,Ký hiệu,Ngày,Loại,Trích yếu,Người ký,Nơi nhận,Cơ quan,Hồ sơ,Văn bản,Thu hồi\r\n",
    );
    for e in &entries {
        let row = [
            e.number.to_string(),
            e.symbol.clone(),
            date(e.on_date),
            e.kind.clone(),
            e.trich_yeu.clone(),
            e.signer.clone(),
            e.recipients.join("; "),
            e.issuer.to_string(),
            e.case_id.clone().unwrap_or_default(),
            e.doc.clone().unwrap_or_default(),
            e.voided_on.map(date).unwrap_or_default(),
        ];
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    let mut r = download(out.into_bytes(), "text/csv", "so-dang-ky.csv", false);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    Ok(r)
}

/// The kinds of file a hồ sơ takes from a browser, by extension, each with the bytes it must
/// begin with: scans and photos, PDF, and office files (ZIP containers). Anything else — a
/// program, a page with script — is refused before it is stored.
const UPLOAD_TYPES: &[(&str, &[u8])] = &[
    ("pdf", b"%PDF-"),
    ("png", b"\x89PNG\r\n\x1a\n"),
    ("jpg", b"\xff\xd8\xff"),
    ("jpeg", b"\xff\xd8\xff"),
    ("docx", b"PK\x03\x04"),
    ("xlsx", b"PK\x03\x04"),
    ("odt", b"PK\x03\x04"),
    ("ods", b"PK\x03\x04"),
];

/// A file sent with a form: its name as the person's computer gave it, and its bytes.
pub type Upload = (String, Vec<u8>);

/// At most this many files come with one step.
pub const MAX_STEP_FILES: usize = 10;

/// A form posted either as `application/x-www-form-urlencoded` (no file) or as
/// `multipart/form-data` (the step form with attachments): its text fields in order, bounded
/// by [`super::server::LIMIT_FORM`] together, and its files (the `tep` parts that carry one),
/// each checked against the kinds the hồ sơ takes.
pub async fn read_form(
    state: &Shared,
    req: axum::extract::Request,
) -> Result<(super::auth::Fields, Vec<Upload>), WebError> {
    use axum::extract::FromRequest;
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let too_big = || {
        WebError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Biểu mẫu quá lớn: phần chữ của một biểu mẫu tối đa 1 MB.",
        )
    };
    if !multipart {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, super::server::LIMIT_FORM)
            .await
            .map_err(|_| too_big())?;
        let req = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
        let axum::Form(fields) = axum::Form::<super::auth::Fields>::from_request(req, state)
            .await
            .map_err(|e| WebError::new(e.status(), e.body_text()))?;
        return Ok((fields, Vec::new()));
    }
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        WebError::new(
            e.status(),
            format!("Tệp tải lên không đọc được: {}", e.body_text()),
        )
    };
    let mut form = Multipart::from_request(req, state)
        .await
        .map_err(|e| WebError::new(e.status(), e.body_text()))?;
    let (mut fields, mut files, mut text) = (Vec::new(), Vec::new(), 0usize);
    while let Some(part) = form.next_field().await.map_err(unreadable)? {
        let name = part.name().unwrap_or_default().to_string();
        if part.file_name().is_some() {
            let file = part.file_name().unwrap_or_default().to_string();
            let bytes = part.bytes().await.map_err(unreadable)?.to_vec();
            // A file input left empty still sends a part, with no name and no bytes.
            if file.is_empty() && bytes.is_empty() {
                continue;
            }
            if files.len() == MAX_STEP_FILES {
                return Err(WebError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("Mỗi lần gửi tối đa {MAX_STEP_FILES} tệp."),
                ));
            }
            files.push((file, bytes));
        } else {
            let value = part.text().await.map_err(unreadable)?;
            text += name.len() + value.len();
            if text > super::server::LIMIT_FORM {
                return Err(too_big());
            }
            fields.push((name, value));
        }
    }
    Ok((fields, files))
}

/// Refuses an upload whose name or first bytes are not of a kind the hồ sơ takes.
pub fn check_type(name: &str, bytes: &[u8]) -> Result<(), WebError> {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let ok = UPLOAD_TYPES
        .iter()
        .any(|(e, magic)| ext.as_deref() == Some(*e) && bytes.starts_with(magic));
    if ok {
        return Ok(());
    }
    let kinds: Vec<&str> = UPLOAD_TYPES.iter().map(|(e, _)| *e).collect();
    Err(WebError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        format!(
            "`{name}`: hồ sơ chỉ nhận tệp {} (đúng với nội dung tệp)",
            kinds.join(", ")
        ),
    ))
}

/// Issuing a draft with the body of the DOCX the leader corrected (văn thư, an approved draft):
/// the file is read back by the core (`App::issue_edited`), which refuses, naming the place,
/// what it cannot carry; the page shows that refusal beside the forms.
pub async fn issue_from_file(
    State(state): State<Shared>,
    user: User,
    Path((id, doc)): Path<(String, String)>,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        WebError::new(
            e.status(),
            format!("Tệp tải lên không đọc được: {}", e.body_text()),
        )
    };
    let (mut token, mut day, mut file) = (None, None, None);
    while let Some(part) = form.next_field().await.map_err(unreadable)? {
        match part.name() {
            Some(CSRF_FIELD) => token = Some(part.text().await.map_err(unreadable)?),
            Some("ngay") => day = Some(part.text().await.map_err(unreadable)?),
            Some("tep") => {
                let name = part.file_name().unwrap_or_default().to_string();
                file = Some((name, part.bytes().await.map_err(unreadable)?.to_vec()));
            }
            _ => {}
        }
    }
    user.check_csrf(token.as_deref())?;
    user.require("van-thu", "cấp số, ban hành văn bản")?;
    let v = case_for(&state, &user, &id).await?;
    let refuse = |m: String| Err(WebError::new(StatusCode::UNPROCESSABLE_ENTITY, m));
    let outcome = if v.approval(&doc).is_none() {
        refuse(format!(
            "Văn bản {doc} chưa được lãnh đạo duyệt: chưa ban hành được."
        ))
    } else {
        match (
            pages::parse_date("Ngày ban hành", day.as_deref().unwrap_or_default()),
            file.filter(|(n, _)| !n.is_empty()),
        ) {
            (Err(m), _) => refuse(m),
            (_, None) => refuse("Chưa chọn tệp dự thảo đã sửa (DOCX).".into()),
            (Ok(at), Some((name, bytes))) => match check_type(&name, &bytes) {
                Err(e) => Err(e),
                Ok(()) if !name.to_ascii_lowercase().ends_with(".docx") => {
                    refuse(format!("`{name}`: cần tệp DOCX của dự thảo"))
                }
                Ok(()) => {
                    let (c, d) = (id.clone(), doc.clone());
                    state
                        .run_heavy(Some(user.login()), move |app| {
                            app.issue_edited(&c, &d, at, false, &bytes).map(|_| ())
                        })
                        .await
                }
            },
        }
    };
    pages::after(&state, &user, &id, &doc, outcome).await
}

/// An attachment into the hồ sơ (cán bộ, lưu trữ). The body is bounded by the route; the
/// hồ sơ's own rules (name, size of the case's files) are App's.
pub async fn attach(
    State(state): State<Shared>,
    user: User,
    Path(id): Path<String>,
    mut form: Multipart,
) -> Result<Response, WebError> {
    if !(user.is("can-bo") || user.is("luu-tru")) {
        return Err(WebError::forbidden("đính kèm tệp vào hồ sơ"));
    }
    let bad = |m: String| WebError::new(StatusCode::UNPROCESSABLE_ENTITY, m);
    let too_big = |e: axum::extract::multipart::MultipartError| {
        WebError::new(
            e.status(),
            format!("Tệp tải lên không đọc được: {}", e.body_text()),
        )
    };
    let (mut token, mut item, mut file) = (None, None, None);
    while let Some(part) = form.next_field().await.map_err(too_big)? {
        match part.name() {
            Some(CSRF_FIELD) => token = Some(part.text().await.map_err(too_big)?),
            Some("muc") => item = Some(part.text().await.map_err(too_big)?),
            Some("tep") => {
                let name = part.file_name().unwrap_or_default().to_string();
                file = Some((name, part.bytes().await.map_err(too_big)?.to_vec()));
            }
            _ => {}
        }
    }
    user.check_csrf(token.as_deref())?;
    case_for(&state, &user, &id).await?;
    let item: u32 = item
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .parse()
        .map_err(|_| bad("Mục của hồ sơ: cần một số (ví dụ 3)".into()))?;
    let Some((name, bytes)) = file.filter(|(n, _)| !n.is_empty()) else {
        return Err(bad("Chưa chọn tệp để đính kèm.".into()));
    };
    check_type(&name, &bytes)?;
    let c = id.clone();
    state
        .run(Some(user.login()), move |app| {
            app.attach(&c, &name, bytes, item, today())
        })
        .await?;
    Ok(Redirect::to(&format!("/ho-so/{id}")).into_response())
}
