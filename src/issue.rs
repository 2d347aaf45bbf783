//! A case's documents from draft to issue. A step drafts its documents (rendered with blank
//! number and day, recorded with the data they came from); the văn thư later issues one: the
//! register gives it the next number, the date is fixed, and the final DOCX and PDF are kept in
//! the store exactly as handed out, so the hồ sơ archives what was issued. Nothing here writes
//! to the file system: callers get the bytes and decide where they go.

use chrono::NaiveDate;

use crate::engine::{Engine, Plan};
use crate::error::{Error, Result};
use crate::register::{self, Entry, Request};
use crate::render::{Format, pdf::Profile, render_all};
use crate::store::{CaseRow, DocumentRow, FileRow, Store};
use crate::template::{DocData, Issuance, TemplateSet};
use crate::workflow::{ProcedureKey, Workflow};

/// Both formats, always: the DOCX for the clerk to edit, the PDF to sign and file.
pub const FORMATS: [Format; 2] = [Format::Docx, Format::Pdf];

/// A document file's name in the hồ sơ: "documents/03-quyet-dinh-thanh-lap.pdf".
fn file_name(doc: &str, f: Format) -> String {
    format!("documents/{doc}.{}", f.extension())
}

/// A step's document, rendered as a draft, before the step is recorded.
#[derive(Debug)]
pub struct Draft {
    pub template: String,
    /// The data it was rendered from, as the store keeps it.
    pub data: serde_json::Value,
    pub files: Vec<(Format, Vec<u8>)>,
}

/// A step document's data, with issuer and signer taken from the procedure's province when
/// the data does not name them: the agency playing the template's issuer role on `at` (an
/// agency past its `valid_until` gives way to its successor), and its signer; and the
/// province's name as `tinh`, the level above the commune once districts are gone.
pub fn with_province(
    set: &TemplateSet,
    procedure: &Workflow,
    template: &str,
    data: DocData,
    at: NaiveDate,
) -> Result<DocData> {
    let role = &set.get(template)?.issuer_role;
    // The case's province at the step's date wins over a data file's: after a merger the
    // successor's name (Kon Tum's communes are Quảng Ngãi's).
    let data = match &procedure.province_name {
        Some(name) => data.with_step_inputs(&serde_json::json!({ "tinh": name })),
        None => data,
    };
    Ok(data.with_province(
        procedure.agency_for(role, at).map(|a| a.issuer()),
        procedure.signers.get(role).cloned(),
    ))
}

/// Renders a planned step's documents as drafts, in memory, before anything is recorded, so
/// that a template that cannot be filled leaves the case as it was. `data_for` gives each
/// template's data; the step's inputs, the case's fields and the citations of the case's
/// issued documents fill it in. Issuer and signer come from the case's own procedure version.
pub fn render_drafts(
    set: &TemplateSet,
    engine: &Engine,
    store: &dyn Store,
    plan: &Plan,
    mut data_for: impl FnMut(&str) -> Result<DocData>,
) -> Result<Vec<Draft>> {
    // The procedure of the step: after a province's merger, the successor's agencies head it.
    let procedure = engine.of_plan(plan)?;
    let issued = van_ban(set, store, &plan.case_id, plan.at, None)?;
    let draft = Issuance {
        number: None,
        date: None,
        today: plan.at,
        draft_mark: false,
    };
    let mut drafts = Vec::new();
    for t in &plan.outcome.documents {
        let data = data_for(t)?
            .with_step_inputs(&plan.inputs)
            .with_case_fields(&plan.data)
            .with_case_fields(&issued);
        let mut data = with_province(set, procedure, t, data, plan.at)?;
        register_only(set, &mut data.value);
        let doc = set.document(t, &data, &draft)?;
        drafts.push(Draft {
            template: t.clone(),
            data: data.to_stored(),
            files: render_all(&doc, &FORMATS, Profile::Standard)?,
        });
    }
    Ok(drafts)
}

/// `{"van_ban": {...}}`: the case's documents issued by `on`, by template (hyphens as
/// underscores, the latest of each), as the register numbered them: `so` ("03/TTr-CAX"),
/// `ngay` (YYYY-MM-DD), `thu_tu` (the entry's place in the book), `trich_dan` ("Tờ trình số
/// 03/TTr-CAX ngày 28 tháng 02 năm 2023"),
/// `cua` (the issuer in running text), `trich_yeu` ("về việc …") and `day_du`, the whole
/// citation that `{{trich_dan "template"}}` prints — so that a document cites the numbers the
/// register really gave, never ones typed into its data.
fn van_ban(
    set: &TemplateSet,
    store: &dyn Store,
    case: &str,
    on: NaiveDate,
    except: Option<&str>,
) -> Result<serde_json::Value> {
    let entries: std::collections::HashMap<i64, Entry> = store
        .case_entries(case)?
        .into_iter()
        .filter(|e| e.voided_on.is_none() && e.on_date <= on)
        .map(|e| (e.id, e))
        .collect();
    let mut docs = store.documents(case)?;
    // The latest of a template is the one issued last.
    docs.sort_by_key(|d| {
        d.entry
            .and_then(|id| entries.get(&id))
            .map(|e| (e.on_date, e.id))
    });
    let mut map = serde_json::Map::new();
    for d in docs {
        let Some(e) = d.entry.and_then(|id| entries.get(&id)) else {
            continue;
        };
        // A document never cites itself, though its number is taken before its final render.
        if except == Some(d.doc.as_str()) {
            continue;
        }
        // An attached document carries its parent's number: cite the parent.
        if e.doc.as_deref() != Some(d.doc.as_str()) {
            continue;
        }
        let date =
            crate::document::thoi_gian::ngay_thang_nam(crate::document::DocDate::Issued(e.on_date));
        let trich_dan = format!("{} số {} {date}", e.kind_name(), e.symbol);
        let t = set.get(&d.template)?;
        // A decision its head signs is the head's ("của Chủ tịch Ủy ban nhân dân xã …").
        let by_head = t.kind.key == "quyet-dinh" && t.signing == crate::document::Signing::Head;
        let cua = match d.data.get("issuer").cloned().map(serde_json::from_value) {
            Some(Ok(issuer)) => {
                crate::template::data::IssuerData::in_running_text(&issuer, by_head)
            }
            _ => crate::text::running_name(&e.issuer.0),
        };
        let trich_yeu = register::lower_first(&e.trich_yeu);
        let trich_yeu = if trich_yeu.is_empty() || trich_yeu.starts_with("về ") {
            trich_yeu
        } else {
            format!("về {trich_yeu}")
        };
        map.insert(
            d.template.replace('-', "_"),
            serde_json::json!({
                "so": e.symbol,
                "ngay": e.on_date.format("%Y-%m-%d").to_string(),
                // The book's order, for "the one issued last" on one day.
                "thu_tu": e.id,
                "day_du": format!("{trich_dan} của {cua} {trich_yeu}").trim().to_string(),
                "trich_dan": trich_dan,
                "cua": cua,
                "trich_yeu": trich_yeu,
            }),
        );
    }
    Ok(serde_json::json!({ "van_ban": map }))
}

/// A case document's stored data with `van_ban` as the register stands on `on`: a document
/// is issued citing what was issued before it, even when it was drafted before those were.
pub(crate) fn stored_data(
    set: &TemplateSet,
    store: &dyn Store,
    case: &str,
    d: &DocumentRow,
    on: NaiveDate,
) -> Result<DocData> {
    let mut value = d.data.clone();
    if let (Some(o), serde_json::Value::Object(mut v)) = (
        value.as_object_mut(),
        van_ban(set, store, case, on, Some(&d.doc))?,
    ) {
        o.insert("van_ban".into(), v.remove("van_ban").unwrap_or_default());
    }
    register_only(set, &mut value);
    DocData::from_stored(&label(case, d), value)
}

/// In a case, a document that hoso makes is cited from the register only: what a data file
/// declares under `van_ban_ngoai` for one of the templates (a stand-alone sample's stand-in)
/// is dropped, so a case prints the register's number, blanks in a draft, or refuses.
fn register_only(set: &TemplateSet, value: &mut serde_json::Value) {
    if let Some(declared) = value
        .get_mut("van_ban_ngoai")
        .and_then(|v| v.as_object_mut())
    {
        declared.retain(|key, _| set.get(key).is_err());
    }
}

/// What issuing did.
#[derive(Debug)]
pub struct Issued {
    pub doc: String,
    pub entry: Entry,
    /// It had been issued before: its number and files are the ones given then.
    pub again: bool,
    /// Documents issued with it ("Ban hành kèm theo"), carrying its number.
    pub attached: Vec<String>,
    /// The issued files, as stored ("documents/06-….pdf").
    pub files: Vec<FileRow>,
}

/// Finds a case's document by id ("03-quyet-dinh-thanh-lap-mo-hinh") or by template (its
/// latest draft).
pub fn find<'a>(docs: &'a [DocumentRow], case: &str, doc: &str) -> Result<&'a DocumentRow> {
    docs.iter()
        .find(|d| d.doc == doc)
        .or_else(|| docs.iter().rev().find(|d| d.template == doc))
        .ok_or_else(|| {
            let known: Vec<&str> = docs.iter().map(|d| d.doc.as_str()).collect();
            Error::NotFound(format!(
                "hồ sơ {case} không có văn bản `{doc}`; có: {}",
                if known.is_empty() {
                    "chưa có văn bản nào".to_string()
                } else {
                    known.join(", ")
                }
            ))
        })
}

/// The documents issued with `parent`: those attached to its type, drafted in its step, or
/// in an earlier step that drafted no document of that type (a bộ tiêu chí drafted before the
/// kế hoạch it goes with), and not yet carrying a live number.
fn attached_to<'a>(
    set: &TemplateSet,
    store: &dyn Store,
    docs: &'a [DocumentRow],
    parent: &DocumentRow,
) -> Result<Vec<&'a DocumentRow>> {
    let kind = set.get(&parent.template)?.kind.key;
    let step_has_kind = |step: &str| -> Result<bool> {
        for d in docs.iter().filter(|d| d.step == step) {
            let t = set.get(&d.template)?;
            if t.attached_kind().is_none() && t.kind.key == kind {
                return Ok(true);
            }
        }
        Ok(false)
    };
    let mut out = Vec::new();
    for d in docs {
        let t = set.get(&d.template)?;
        if t.attached_kind().map(|k| k.key) != Some(kind) || live_entry(store, d)?.is_some() {
            continue;
        }
        if d.step == parent.step || (d.seq() < parent.seq() && !step_has_kind(&d.step)?) {
            out.push(d);
        }
    }
    Ok(out)
}

/// The document's register entry, unless it has none or it was withdrawn.
fn live_entry(store: &dyn Store, d: &DocumentRow) -> Result<Option<Entry>> {
    match d.entry {
        Some(id) => {
            let e = store.entry(id)?;
            Ok(e.voided_on.is_none().then_some(e))
        }
        None => Ok(None),
    }
}

fn label(case: &str, d: &DocumentRow) -> String {
    format!("hồ sơ {case}, văn bản {}", d.doc)
}

/// How a document is issued, besides its date.
#[derive(Debug, Clone, Copy, Default)]
pub struct How<'a> {
    /// The latest date the number may carry without confirmation.
    pub not_after: Option<NaiveDate>,
    /// The draft's DOCX as a person corrected it in Word or LibreOffice: its body (checked by
    /// [`crate::render::edited`]) replaces the one the template gives, and is kept with the
    /// document.
    pub edited: Option<&'a [u8]>,
    /// The account issuing it (the web application), written with its number.
    pub person: Option<&'a str>,
}

/// Issues a case's document on `at`: takes its number from the register (or finds the one
/// it already has), renders the final DOCX and PDF — with the documents attached to it, which
/// carry its number and date — and keeps them in the store: [`number`], then [`files`].
///
/// A document already issued keeps what it was issued with.
pub fn issue(
    set: &TemplateSet,
    store: &mut dyn Store,
    case: &str,
    doc: &str,
    at: NaiveDate,
    how: How,
) -> Result<Issued> {
    let numbered = number(set, store, case, doc, at, how)?;
    files(set, store, numbered)
}

/// A document with its number taken (or found, if it was issued before), its files not yet
/// rendered: the part of issuing that must follow the register's order. A batch numbers in
/// order on one connection and hands these to threads that render ([`files`]).
#[derive(Debug, Clone)]
pub struct Numbered {
    case: CaseRow,
    target: DocumentRow,
    attached: Vec<DocumentRow>,
    entry: Entry,
    again: bool,
}

impl Numbered {
    /// The case and document it numbers.
    pub fn doc(&self) -> (&str, &str) {
        (&self.case.id, &self.target.doc)
    }
}

/// Takes a case's document's number from its issuer's register — or finds the number it was
/// given before — after checking it renders with that day.
pub fn number(
    set: &TemplateSet,
    store: &mut dyn Store,
    case: &str,
    doc: &str,
    at: NaiveDate,
    how: How,
) -> Result<Numbered> {
    let How {
        not_after,
        edited,
        person,
    } = how;
    let c = store.case(case)?;
    let docs = store.documents(case)?;
    let mut target = find(&docs, case, doc)?.clone();
    if let Some(bytes) = edited {
        if let Some(e) = live_entry(store, &target)? {
            return Err(already_issued(&target.doc, &e));
        }
        target.body = Some(edited_body(set, case, &target, bytes)?);
    }
    let template = set.get(&target.template)?;
    if let Some(k) = template.attached_kind() {
        return Err(Error::Invalid(format!(
            "{} được ban hành kèm theo {} và mang số, ngày của văn bản đó: \
             hãy ban hành văn bản đó",
            target.doc,
            k.title.to_lowercase()
        )));
    }
    let attached: Vec<DocumentRow> = attached_to(set, store, &docs, &target)?
        .into_iter()
        .cloned()
        .collect();
    let attached_refs: Vec<&DocumentRow> = attached.iter().collect();
    let (entry, again) = match live_entry(store, &target)? {
        Some(e) => (e, true),
        None => {
            let (e, new) = take_number(
                set,
                store,
                (case, &target, &attached_refs),
                at,
                not_after,
                person,
            )?;
            if !new {
                // Issued by someone else at this very moment: theirs stands, with the body
                // kept with their number.
                if edited.is_some() {
                    return Err(already_issued(&target.doc, &e));
                }
                target = find(&store.documents(case)?, case, doc)?.clone();
            }
            (e, !new)
        }
    };
    Ok(Numbered {
        case: c,
        target,
        attached,
        entry,
        again,
    })
}

/// Renders a numbered document's final files (and those of the documents attached to it)
/// and keeps them in the store; files kept when it was issued before are returned as they are.
pub fn files(set: &TemplateSet, store: &mut dyn Store, n: Numbered) -> Result<Issued> {
    let attached: Vec<&DocumentRow> = n.attached.iter().collect();
    let files = final_files(set, store, &n.case, &n.target, &attached, &n.entry, n.again)?;
    Ok(Issued {
        doc: n.target.doc,
        entry: n.entry,
        again: n.again,
        attached: n.attached.into_iter().map(|a| a.doc).collect(),
        files,
    })
}

fn already_issued(doc: &str, e: &Entry) -> Error {
    let by = e
        .person
        .as_deref()
        .map(|p| format!(" (do {p} cấp số)"))
        .unwrap_or_default();
    Error::Conflict(format!(
        "{doc} đã ban hành số {} ngày {}{by}: nội dung đã ban hành không thay được; \
         sửa đổi, bổ sung bằng một văn bản khác",
        e.symbol,
        e.on_date.format("%d/%m/%Y")
    ))
}

/// The body of a person's edited DOCX of `target`, as JSON to keep with the document: read
/// against hoso's own DOCX of the draft (its header and closing must be unchanged), and
/// proved to render in both formats before any number is taken.
fn edited_body(
    set: &TemplateSet,
    case: &str,
    target: &DocumentRow,
    bytes: &[u8],
) -> Result<serde_json::Value> {
    let data = DocData::from_stored(&label(case, target), target.data.clone())?;
    let draft = Issuance {
        number: None,
        date: None,
        today: target.drafted_on,
        draft_mark: false,
    };
    let mut model = set.document(&target.template, &data, &draft)?;
    let ours = crate::render::docx::render(&model)?;
    let frame = crate::render::docx::frame(&model);
    let charts: Vec<_> = model.charts().cloned().collect();
    model.body = crate::render::edited::body(bytes, &ours, frame, model.footnotes.len(), &charts)?;
    render_all(&model, &FORMATS, Profile::Standard)?;
    serde_json::to_value(&model.body).map_err(|e| Error::Invalid(e.to_string()))
}

/// The model of a stored document: its template and data, with the body a person edited
/// when it was issued from their file.
fn model_of(
    set: &TemplateSet,
    store: &dyn Store,
    case: &str,
    d: &DocumentRow,
    issuance: &Issuance,
) -> Result<crate::document::Document> {
    let on = issuance.date.unwrap_or(issuance.today);
    let data = stored_data(set, store, case, d, on)?;
    let mut model = set.document(&d.template, &data, issuance)?;
    if let Some(body) = &d.body {
        model.body = serde_json::from_value(body.clone()).map_err(|e| Error::Corrupt {
            what: label(case, d),
            message: format!("nội dung đã sửa không đọc được: {e}"),
        })?;
    }
    Ok(model)
}

/// Takes a number for a document not issued yet, after proving its data (and its attached
/// documents') fills the template: data that cannot take no number.
fn take_number(
    set: &TemplateSet,
    store: &mut dyn Store,
    (case, target, attached): (&str, &DocumentRow, &[&DocumentRow]),
    at: NaiveDate,
    not_after: Option<NaiveDate>,
    person: Option<&str>,
) -> Result<(Entry, bool)> {
    // A body edited from a draft keeps the draft's blank citations: the template's citation
    // is not rendered again, so the edit must be made once the cited document is issued.
    if let Some(body) = &target.body
        && body.to_string().contains(crate::template::NOT_ISSUED)
    {
        return Err(Error::Invalid(format!(
            "{}: nội dung đã sửa còn trích dẫn văn bản {}; hãy ban hành văn bản được trích dẫn, \
             rồi sửa lại từ dự thảo mới",
            target.doc,
            crate::template::NOT_ISSUED
        )));
    }
    if at < target.drafted_on {
        return Err(Error::Invalid(format!(
            "{} được soạn ngày {}; không thể ban hành ngày {}",
            target.doc,
            target.drafted_on.format("%d/%m/%Y"),
            at.format("%d/%m/%Y")
        )));
    }
    let provisional = Issuance {
        number: None,
        date: Some(at),
        today: at,
        draft_mark: false,
    };
    let data = stored_data(set, store, case, target, at)?;
    let model = set.document(&target.template, &data, &provisional)?;
    for a in attached {
        let data = stored_data(set, store, case, a, at)?;
        set.document(&a.template, &data, &provisional)?;
    }
    crate::store::testing::pause_point("issue.before_take");
    let mut req = Request::for_document(&model, at);
    req.document = Some((case.to_string(), target.doc.clone()));
    req.not_after = not_after;
    req.person = person.map(str::to_string);
    // The body it is issued with (edited now, or before a withdrawn number) goes with the
    // number, in its transaction.
    req.body = target.body.clone();
    register::take_saying(store, &req)
}

/// The issued files of a document and those attached to it: as handed out before when it was
/// issued before (unless a crash left them unwritten), otherwise rendered with the number and
/// date and kept in the store, linked to the entry, in one transaction.
fn final_files(
    set: &TemplateSet,
    store: &mut dyn Store,
    c: &CaseRow,
    target: &DocumentRow,
    attached: &[&DocumentRow],
    entry: &Entry,
    again: bool,
) -> Result<Vec<FileRow>> {
    let mut files: Vec<FileRow> = Vec::new();
    if again {
        files = store.files(&c.id, Some(&target.doc))?;
        if files.len() != FORMATS.len() {
            files.clear();
        }
    }
    let final_issue = Issuance {
        number: Some(entry.number),
        date: Some(entry.on_date),
        today: entry.on_date,
        draft_mark: false,
    };
    let base = ProcedureKey::parse(&c.workflow).base;
    let mut missing: Vec<FileRow> = Vec::new();
    let to_render = std::iter::once(target).filter(|_| files.is_empty());
    for d in to_render.chain(attached.iter().copied()) {
        let item = set.get(&d.template)?.item_in(&base);
        let model = model_of(set, store, &c.id, d, &final_issue)?;
        for (f, bytes) in render_all(&model, &FORMATS, Profile::Archival)? {
            missing.push(FileRow {
                name: file_name(&d.doc, f),
                item,
                doc: Some(d.doc.clone()),
                sha256: crate::fsutil::sha256_hex(&bytes),
                bytes,
                added_on: entry.on_date,
            });
        }
    }
    let mut tx = store.begin()?;
    tx.put_files(&c.id, &missing)?;
    for a in attached {
        tx.link(&c.id, &a.doc, entry.id)?;
    }
    tx.commit()?;
    files.extend(missing);
    Ok(files)
}
