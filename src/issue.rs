//! A case's documents from draft to issue. A step drafts its documents (rendered with blank
//! number and day, recorded with the data they came from); the văn thư later issues one: the
//! register gives it the next number, the date is fixed, and the final DOCX and PDF are kept in
//! the store exactly as handed out, so the hồ sơ archives what was issued.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::engine::{Engine, Plan};
use crate::error::{Error, Result};
use crate::register::{self, Request};
use crate::render::pdf::Profile;
use crate::service::{self, Format};
use crate::store::{DocumentRow, FileRow, Store};
use crate::template::{DocData, Issuance, TemplateSet};

/// Both formats, always: the DOCX for the clerk to edit, the PDF to sign and file.
const FORMATS: [Format; 2] = [Format::Docx, Format::Pdf];

/// A document file's name in the hồ sơ: "documents/03-quyet-dinh-thanh-lap.pdf".
fn file_name(doc: &str, f: Format) -> String {
    format!("documents/{doc}.{}", f.extension())
}

/// A document a step drafted.
#[derive(Debug)]
pub struct Drafted {
    /// Its id in the case: "03-quyet-dinh-thanh-lap-mo-hinh".
    pub doc: String,
    pub template: String,
    pub files: Vec<PathBuf>,
}

/// Completes a planned step: renders its documents as drafts (before anything is recorded, so
/// a template that cannot be filled leaves the case as it was), records the step with the
/// drafts' data, then writes the drafts under `out/<case>/du-thao/`. `data_for` gives each
/// template's data.
pub fn draft_step(
    set: &TemplateSet,
    engine: &Engine,
    store: &mut Store,
    plan: &Plan,
    mut data_for: impl FnMut(&str) -> Result<DocData>,
    out: &Path,
) -> Result<Vec<Drafted>> {
    let procedure = engine.workflow(&store.case(&plan.case_id)?.workflow)?;
    let issued = van_ban(store, &plan.case_id)?;
    let draft = Issuance {
        number: None,
        date: None,
        today: plan.at,
        draft_mark: false,
    };
    let mut rendered = Vec::new();
    let mut drafts = Vec::new();
    for t in &plan.outcome.documents {
        let data = data_for(t)?
            .with_step_inputs(&plan.inputs)
            .with_case_fields(&plan.data)
            .with_case_fields(&issued);
        let data = service::with_province(set, procedure, t, data)?;
        rendered.push(service::render_formats(
            set,
            t,
            &data,
            &draft,
            &FORMATS,
            Profile::Standard,
        )?);
        drafts.push((t.clone(), data.to_stored()));
    }
    let ids = engine.commit(store, plan, &drafts)?;
    let dir = out.join(&plan.case_id).join("du-thao");
    let mut written = Vec::new();
    for ((doc, files), template) in ids.into_iter().zip(rendered).zip(&plan.outcome.documents) {
        let mut paths = Vec::new();
        for (f, bytes) in files {
            let p = dir.join(format!("{doc}.{}", f.extension()));
            crate::fsutil::write_atomic(&p, &bytes)?;
            paths.push(p);
        }
        written.push(Drafted {
            doc,
            template: template.clone(),
            files: paths,
        });
    }
    Ok(written)
}

/// `{"van_ban": {...}}`: the case's issued documents by template (hyphens as underscores,
/// the latest of each), with number, date and a ready citation — "Tờ trình số 03/TTr-CAX ngày
/// 28 tháng 02 năm 2023" — so that a later draft cites the numbers the register really gave
/// (`{{van_ban.to_trinh_de_xuat_xay_dung_mo_hinh.trich_dan}}`).
fn van_ban(store: &Store, case: &str) -> Result<serde_json::Value> {
    let mut map = serde_json::Map::new();
    for d in store.documents(case)? {
        let Some(e) = live_entry(store, &d)? else {
            continue;
        };
        // An attached document carries its parent's number: cite the parent.
        if e.doc.as_deref() != Some(d.doc.as_str()) {
            continue;
        }
        let date =
            crate::document::thoi_gian::ngay_thang_nam(crate::document::DocDate::Issued(e.on_date));
        map.insert(
            d.template.replace('-', "_"),
            serde_json::json!({
                "so": e.symbol,
                "ngay": e.on_date.format("%Y-%m-%d").to_string(),
                "trich_dan": format!("{} số {} {date}", e.kind_name(), e.symbol),
            }),
        );
    }
    Ok(serde_json::json!({ "van_ban": map }))
}

/// What issuing did.
#[derive(Debug)]
pub struct Issued {
    pub doc: String,
    pub entry: register::Entry,
    /// It had been issued before: its number and files are the ones given then.
    pub again: bool,
    /// Documents issued with it ("Ban hành kèm theo"), carrying its number.
    pub attached: Vec<String>,
    pub files: Vec<PathBuf>,
}

/// Finds a case's document by id ("03-quyet-dinh-thanh-lap-mo-hinh") or by template (its
/// latest draft).
fn find<'a>(docs: &'a [DocumentRow], case: &str, doc: &str) -> Result<&'a DocumentRow> {
    docs.iter()
        .find(|d| d.doc == doc)
        .or_else(|| docs.iter().rev().find(|d| d.template == doc))
        .ok_or_else(|| {
            let known: Vec<&str> = docs.iter().map(|d| d.doc.as_str()).collect();
            Error::Usage(format!(
                "case {case} has no document `{doc}`; it has: {}",
                if known.is_empty() {
                    "none yet".to_string()
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
    store: &Store,
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
        if d.step == parent.step || (d.doc < parent.doc && !step_has_kind(&d.step)?) {
            out.push(d);
        }
    }
    Ok(out)
}

/// The document's register entry, unless it has none or it was withdrawn.
fn live_entry(store: &Store, d: &DocumentRow) -> Result<Option<register::Entry>> {
    match d.entry {
        Some(id) => {
            let e = register::entry(store, id)?;
            Ok(e.voided_on.is_none().then_some(e))
        }
        None => Ok(None),
    }
}

/// Issues a case's document on `at`: takes its number from the register (or finds the one
/// it already has), renders the final DOCX and PDF — with the documents attached to it, which
/// carry its number and date — keeps them in the store and writes them under `out/<case>/`.
pub fn issue(
    set: &TemplateSet,
    store: &mut Store,
    case: &str,
    doc: &str,
    at: NaiveDate,
    out: &Path,
) -> Result<Issued> {
    let workflow = store.case(case)?.workflow;
    let docs = store.documents(case)?;
    let target = find(&docs, case, doc)?;
    let template = set.get(&target.template)?;
    if let Some(k) = template.attached_kind() {
        return Err(Error::Usage(format!(
            "{} is issued with the {} it is attached to, whose number and date it carries: \
             issue that document",
            target.doc,
            k.title.to_lowercase()
        )));
    }
    let label = |d: &DocumentRow| format!("case {case}, document {}", d.doc);
    let data = DocData::from_stored(&label(target), target.data.clone())?;
    let attached = attached_to(set, store, &docs, target)?;

    let (entry, again) = match live_entry(store, target)? {
        Some(e) => (e, true),
        None => {
            let drafted = NaiveDate::parse_from_str(&target.drafted_on, "%Y-%m-%d")
                .map_err(|e| Error::Usage(format!("{}: {e}", label(target))))?;
            if at < drafted {
                return Err(Error::Usage(format!(
                    "{} was drafted on {}; it cannot be issued on {}",
                    target.doc,
                    drafted.format("%d/%m/%Y"),
                    at.format("%d/%m/%Y")
                )));
            }
            // Build the model first: data that cannot fill the template takes no number.
            let provisional = Issuance {
                number: None,
                date: Some(at),
                today: at,
                draft_mark: false,
            };
            let model = set.document(&target.template, &data, &provisional)?;
            for a in &attached {
                set.document(
                    &a.template,
                    &DocData::from_stored(&label(a), a.data.clone())?,
                    &provisional,
                )?;
            }
            crate::store::pause_point("issue.before_take");
            let mut req = Request::for_document(&model, at);
            req.document = Some((case.to_string(), target.doc.clone()));
            (register::take(store, &req)?, false)
        }
    };

    let final_issue = Issuance {
        number: Some(entry.number),
        date: Some(entry.on_date),
        today: entry.on_date,
        draft_mark: false,
    };
    let mut files: Vec<FileRow> = Vec::new();
    // A document issued again is handed out as it was the first time (unless a crash left its
    // files unwritten).
    if again {
        files = store.files(case, Some(&target.doc))?;
        if files.len() != FORMATS.len() {
            files.clear();
        }
    }
    let mut missing: Vec<FileRow> = Vec::new();
    let to_render = std::iter::once(target).filter(|_| files.is_empty());
    for d in to_render.chain(attached.iter().copied()) {
        let data = DocData::from_stored(&label(d), d.data.clone())?;
        let item = set.get(&d.template)?.item_in(&workflow);
        for (f, bytes) in service::render_formats(
            set,
            &d.template,
            &data,
            &final_issue,
            &FORMATS,
            Profile::Archival,
        )? {
            missing.push(FileRow {
                name: file_name(&d.doc, f),
                item,
                doc: Some(d.doc.clone()),
                sha256: crate::fsutil::sha256_hex(&bytes),
                bytes,
                added_on: entry.on_date.format("%Y-%m-%d").to_string(),
            });
        }
    }
    let issued: Vec<(String, i64)> = attached.iter().map(|a| (a.doc.clone(), entry.id)).collect();
    store.put_files(case, &missing, &issued)?;
    files.extend(missing);

    let dir = out.join(case);
    let mut written = Vec::new();
    for f in &files {
        let p = dir.join(f.name.trim_start_matches("documents/"));
        crate::fsutil::write_atomic(&p, &f.bytes)?;
        written.push(p);
    }
    Ok(Issued {
        doc: target.doc.clone(),
        entry,
        again,
        attached: attached.iter().map(|a| a.doc.clone()).collect(),
        files: written,
    })
}
