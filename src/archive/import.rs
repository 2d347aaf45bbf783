//! `hoso import`: a case back into a store from its archive, only after the bag verifies and
//! everything it carries passes the rules local input passes, and all in one transaction — a
//! broken or hostile archive changes nothing.
//!
//! A bag that verifies proves only that nothing changed since it was bagged, not who bagged it:
//! anyone can write a bag with correct checksums. So every name that later becomes a path
//! (case, document, file), every key the engine looks up (procedure, step, template), every
//! date and every register entry is checked here against what hoso itself would have written,
//! before anything is written.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;

use chrono::{Datelike, NaiveDate};

use super::names::{self, MAX_NUMBER};
use super::{CaseFile, DocumentMeta, EventLine, FileMeta, Limits, Metadata, verify};
use crate::document::{DocKind, FamilyId, kind};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::fsutil::sha256_hex;
use crate::store::{BookKey, CaseRow, DocumentRow, EventRow, FileRow, NewEntry, Restore, Store};
use crate::template::{DocData, TemplateSet};
use crate::workflow::{ProcedureKey, Workflow};

const CASE: &str = "data/case.yaml";
const META: &str = "data/metadata.json";
const EVENTS: &str = "data/events.jsonl";
/// The payload files a bag holds besides the hồ sơ's own.
const GENERATED: [&str; 4] = [CASE, EVENTS, META, "data/checklist.md"];

/// The earliest date an archive may carry: the year the State whose documents hoso writes was
/// founded.
const FIRST_DAY: NaiveDate = NaiveDate::from_ymd_opt(1945, 1, 1).expect("a date");
/// The latest: far beyond any deadline, near enough to catch a year typed wrong.
const LAST_DAY: NaiveDate = NaiveDate::from_ymd_opt(2199, 12, 31).expect("a date");

/// Restores the case of a zipped bag; returns its id here. `set` and `engine` are the templates
/// and procedures loaded here: an archive naming others is refused. Case ids are a sequence of
/// each database, so another office's archive may carry an id taken here: it is refused saying
/// so, or with `new_id` restored under this database's next id. Long: every check of what an
/// archive carries happens here, before the one transaction, in the order of its files.
pub fn import(
    set: &TemplateSet,
    engine: &Engine,
    store: &mut dyn Store,
    bytes: &[u8],
    limits: Limits,
    new_id: bool,
) -> Result<String> {
    let report = verify(bytes, limits)?;
    if !report.intact() {
        return Err(Error::Invalid(format!(
            "tệp lưu trữ không toàn vẹn (does not verify), không nhập gì:\n  {}",
            report.problems.join("\n  ")
        )));
    }
    let meta = report
        .metadata
        .ok_or_else(|| Error::Invalid("tệp lưu trữ không có siêu dữ liệu của hoso".into()))?;
    let file = |name: &str| {
        report
            .files
            .get(name)
            .ok_or_else(|| Error::Invalid(format!("tệp lưu trữ thiếu {name}")))
    };
    let bad = |name: &str, e: &dyn std::fmt::Display| Error::Invalid(format!("{name}: {e}"));
    let case_text = std::str::from_utf8(file(CASE)?).map_err(|e| bad(CASE, &e))?;
    let case: CaseFile = crate::fsutil::parse_yaml(std::path::Path::new(CASE), case_text, 0)
        .map_err(|e| Error::Invalid(format!("tệp lưu trữ bị từ chối, không nhập gì: {e}")))?;
    let events = String::from_utf8_lossy(file(EVENTS)?)
        .lines()
        .map(|l| serde_json::from_str::<EventLine>(l).map_err(|e| bad(EVENTS, &e)))
        .collect::<Result<Vec<_>>>()?;
    Check { set, engine }.all(&report.base, &case, &events, &meta, &report.files)?;

    let row = |doc: &str, step: &str, template: &str, data: &serde_json::Value, on: NaiveDate| {
        DocumentRow {
            doc: doc.into(),
            step: step.into(),
            template: template.into(),
            data: data.clone(),
            drafted_on: on,
            entry: None,
            body: None,
        }
    };
    let mut documents: Vec<(DocumentRow, Option<NewEntry>)> = Vec::new();
    for d in &meta.documents {
        documents.push((
            DocumentRow {
                body: d.body.clone(),
                ..row(&d.doc, &d.step, &d.template, &d.data, d.drafted_on)
            },
            Some(NewEntry {
                issuer: BookKey(d.issuer.clone()),
                period: d.period.clone(),
                series: d.series.clone(),
                number: d.number,
                symbol: d.symbol.clone(),
                on_date: d.date,
                kind: d.kind.clone(),
                trich_yeu: d.trich_yeu.clone(),
                signer: d.signer.clone(),
                recipients: d.recipients.clone(),
                luu: d.luu.clone(),
                copies: d.copies,
                document: Some((case.id.clone(), d.numbered_with.clone())),
            }),
        ));
    }
    for d in &meta.drafts {
        documents.push((
            row(&d.doc, &d.step, &d.template, &d.data, d.drafted_on),
            None,
        ));
    }
    documents.sort_by_key(|a| (a.0.seq(), a.0.doc.clone()));
    let mut files = Vec::new();
    for d in &meta.documents {
        for f in &d.files {
            files.push(FileRow {
                name: f.name.clone(),
                item: f.ho_so_item,
                doc: Some(d.doc.clone()),
                sha256: f.sha256.clone(),
                bytes: file(&format!("data/{}", f.name))?.clone(),
                added_on: f.added_on,
            });
        }
    }
    for f in &meta.attachments {
        files.push(FileRow {
            name: f.name.clone(),
            item: f.ho_so_item,
            doc: None,
            sha256: f.sha256.clone(),
            bytes: file(&format!("data/{}", f.name))?.clone(),
            added_on: f.added_on,
        });
    }
    let taken = taken(store, &case, &events)?;
    let mut tx = store.begin()?;
    let id = match taken {
        None => case.id.clone(),
        Some(Taken::Other(_)) if new_id => tx.next_case_id()?,
        Some(Taken::Same(e) | Taken::Other(e)) => return Err(e),
    };
    tx.restore(&Restore {
        case: CaseRow {
            id: id.clone(),
            workflow: case.workflow,
            version: case.version,
            data: case.data,
            created_on: case.opened,
            ended: case.ended,
        },
        steps: case.steps,
        events: events
            .into_iter()
            .map(|e| EventRow {
                seq: 0,
                on_date: e.on,
                actor: e.actor,
                step: e.step,
                inputs: e.inputs,
                person: e.person.map(|p| crate::text::clean(&p)),
            })
            .collect(),
        documents,
        files,
    })?;
    tx.commit()?;
    Ok(id)
}

/// Why an archive's case id is taken here.
enum Taken {
    /// By this very hồ sơ (imported before, or the archive was made here).
    Same(Error),
    /// By another hồ sơ: two offices numbered their cases alike.
    Other(Error),
}

/// Whether the id of the archive's case is taken in `store`, and by what: the same hồ sơ when it
/// opened the same day and one log continues the other.
fn taken(store: &dyn Store, case: &CaseFile, events: &[EventLine]) -> Result<Option<Taken>> {
    let here = match store.case(&case.id) {
        Ok(c) => c,
        Err(Error::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let ours: Vec<(NaiveDate, String)> = store
        .events(&case.id)?
        .into_iter()
        .map(|e| (e.on_date, e.step))
        .collect();
    let theirs: Vec<(NaiveDate, String)> = events.iter().map(|e| (e.on, e.step.clone())).collect();
    let n = ours.len().min(theirs.len());
    let day = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
    Ok(Some(
        if here.created_on == case.opened && ours[..n] == theirs[..n] {
            Taken::Same(Error::Conflict(format!(
                "hồ sơ {} đã có trong {} (cùng hồ sơ: mở ngày {}, cùng nhật ký); không nhập lại",
                case.id,
                store.location(),
                day(case.opened)
            )))
        } else {
            Taken::Other(Error::Conflict(format!(
                "mã hồ sơ {} đã dùng trong {} cho một hồ sơ khác ({}, mở ngày {}); hồ sơ trong \
                 tệp lưu trữ ({}, mở ngày {}) là của nơi khác đánh số trùng. Nhập dưới mã mới: \
                 hoso import TỆP --new-id",
                case.id,
                store.location(),
                here.workflow,
                day(here.created_on),
                shown(&case.workflow),
                day(case.opened)
            )))
        },
    ))
}

/// A refusal naming the part of the archive and the field at fault. Values from the archive
/// are shown escaped, so that no character of theirs reaches a terminal as it is.
fn refuse(place: impl Display, field: &str, message: impl Display) -> Error {
    Error::Invalid(format!(
        "tệp lưu trữ bị từ chối, không nhập gì: {place}: trường `{field}`: {message}"
    ))
}

/// An archive's value as a message shows it.
fn shown(s: &str) -> String {
    format!("`{}`", s.escape_debug())
}

fn date(place: &impl Display, field: &str, d: NaiveDate) -> Result<()> {
    if (FIRST_DAY..=LAST_DAY).contains(&d) {
        return Ok(());
    }
    Err(refuse(
        place,
        field,
        format!("ngày {d} nằm ngoài khoảng {FIRST_DAY} – {LAST_DAY}"),
    ))
}

/// One line of text as the register keeps it: no control character.
fn line(place: &impl Display, field: &str, s: &str) -> Result<()> {
    match s.chars().find(|c| c.is_control()) {
        None => Ok(()),
        Some(c) => Err(refuse(
            place,
            field,
            format!("có ký tự điều khiển {:?}", c.escape_unicode().to_string()),
        )),
    }
}

/// What the checks need of this installation: the templates and procedures it loaded.
struct Check<'a> {
    set: &'a TemplateSet,
    engine: &'a Engine,
}

impl Check<'_> {
    fn all(
        &self,
        base: &str,
        case: &CaseFile,
        events: &[EventLine],
        meta: &Metadata,
        files: &BTreeMap<String, Vec<u8>>,
    ) -> Result<()> {
        let w = self.case(base, case, meta)?;
        for (i, e) in events.iter().enumerate() {
            let place = format!("{EVENTS}, dòng {}", i + 1);
            date(&place, "on", e.on)?;
            for (field, key) in [("actor", &e.actor), ("step", &e.step)] {
                if !names::is_key(key) {
                    return Err(refuse(
                        &place,
                        field,
                        format!("{} không phải mã", shown(key)),
                    ));
                }
            }
        }
        let mut ids = BTreeSet::new();
        let issued = meta.documents.iter().map(|d| {
            let who = ("văn bản", &d.doc, &d.template, &d.step);
            (who, d.drafted_on, &d.data, Some(d))
        });
        let drafts = meta.drafts.iter().map(|d| {
            let who = ("dự thảo", &d.doc, &d.template, &d.step);
            (who, d.drafted_on, &d.data, None)
        });
        for ((what, doc, template, step), drafted_on, data, entry) in issued.chain(drafts) {
            let place = format!("{META}, {what} {}", shown(doc));
            self.document(&place, w, doc, template, step, drafted_on, data)?;
            if !ids.insert(doc.as_str()) {
                return Err(refuse(&place, "doc", "mã văn bản có hai lần"));
            }
            if let Some(d) = entry {
                self.entry(&place, d, meta)?;
                if let Some(body) = &d.body {
                    self.body(&place, d, body)?;
                }
            }
        }
        numbers_agree(meta)?;
        self.files(case, meta, files)
    }

    /// The case: its id, its procedure (loaded here, at its version), its steps and dates.
    fn case<'w>(&'w self, base: &str, case: &CaseFile, meta: &Metadata) -> Result<&'w Workflow> {
        if !names::is_case_id(&case.id) {
            return Err(refuse(
                CASE,
                "id",
                format!(
                    "{} không phải mã hồ sơ (C và chữ số, như C0001)",
                    shown(&case.id)
                ),
            ));
        }
        for (field, theirs, ours) in [
            ("case", &meta.case, &case.id),
            ("workflow", &meta.workflow, &case.workflow),
            ("version", &meta.version, &case.version),
        ] {
            if theirs != ours {
                return Err(refuse(
                    META,
                    field,
                    format!("{} khác {CASE} ({})", shown(theirs), shown(ours)),
                ));
            }
        }
        if base != case.id {
            return Err(refuse(
                CASE,
                "id",
                format!(
                    "hồ sơ {} nằm trong thư mục bag {}",
                    shown(&case.id),
                    shown(base)
                ),
            ));
        }
        if !names::is_procedure_key(&case.workflow) {
            return Err(refuse(
                CASE,
                "workflow",
                format!("{} không phải mã quy trình", shown(&case.workflow)),
            ));
        }
        if !names::is_version(&case.version) {
            return Err(refuse(
                CASE,
                "version",
                format!("{} không phải phiên bản quy trình", shown(&case.version)),
            ));
        }
        let key = ProcedureKey::parse(&case.workflow);
        self.engine
            .newest(&key)
            .map_err(|e| refuse(CASE, "workflow", e))?;
        let w = self
            .engine
            .version(&key, &case.version)
            .map_err(|e| refuse(CASE, "version", e))?;
        date(&CASE, "opened", case.opened)?;
        if !case.data.is_object() {
            return Err(refuse(CASE, "data", "không phải bảng tên trường → giá trị"));
        }
        let mut seen = BTreeSet::new();
        for (i, s) in case.steps.iter().enumerate() {
            let place = format!("{CASE}, steps[{i}]");
            step_of(&place, w, &s.step)?;
            if !seen.insert(s.step.as_str()) {
                return Err(refuse(
                    &place,
                    "step",
                    format!("bước {} có hai lần", s.step),
                ));
            }
            for (field, d) in [("due", s.due), ("done_on", s.done_on)] {
                if let Some(d) = d {
                    date(&place, field, d)?;
                }
            }
        }
        Ok(w)
    }

    /// What a document and a draft share: an id `NN-<template>` of a template loaded here,
    /// a step of the procedure, a date, data that can be rendered again.
    #[allow(clippy::too_many_arguments)]
    fn document(
        &self,
        place: &str,
        w: &Workflow,
        doc: &str,
        template: &str,
        step: &str,
        drafted_on: NaiveDate,
        data: &serde_json::Value,
    ) -> Result<()> {
        let Some((_, of)) = names::doc_id(doc) else {
            return Err(refuse(
                place,
                "doc",
                format!(
                    "không phải mã văn bản (số thứ tự, `-`, mã mẫu: như 03-to-trinh-de-xuat-xay-dung-mo-hinh; số từ 01 đến {MAX_NUMBER})"
                ),
            ));
        };
        if of != template {
            return Err(refuse(
                place,
                "template",
                format!("{} khác mẫu trong mã văn bản ({of})", shown(template)),
            ));
        }
        if self.set.get(template).is_err() {
            return Err(refuse(
                place,
                "template",
                format!("không có mẫu {} trong các mẫu đã nạp", shown(template)),
            ));
        }
        step_of(place, w, step)?;
        date(&place, "drafted_on", drafted_on)?;
        DocData::from_stored(place, data.clone()).map_err(|e| refuse(place, "data", e))?;
        Ok(())
    }

    /// The body a person edited: blocks, each footnote of the document referenced once.
    fn body(&self, place: &str, d: &DocumentMeta, body: &serde_json::Value) -> Result<()> {
        let blocks: Vec<crate::document::Block> =
            serde_json::from_value(body.clone()).map_err(|e| refuse(place, "body", e))?;
        let data =
            DocData::from_stored(place, d.data.clone()).map_err(|e| refuse(place, "data", e))?;
        let issuance = crate::template::Issuance {
            number: None,
            date: None,
            today: d.drafted_on,
            draft_mark: false,
        };
        let model = self
            .set
            .document(&d.template, &data, &issuance)
            .map_err(|e| refuse(place, "data", e))?;
        crate::render::edited::check_references(&blocks, model.footnotes.len())
            .map_err(|e| refuse(place, "body", e))
    }

    /// A document's register entry, as the register would have written it.
    fn entry(&self, place: &str, d: &DocumentMeta, meta: &Metadata) -> Result<()> {
        if !(1..=MAX_NUMBER).contains(&d.number) {
            return Err(refuse(
                place,
                "number",
                format!("{} ngoài khoảng 1 – {MAX_NUMBER} của sổ đăng ký", d.number),
            ));
        }
        let Some(k) = kind::find(&d.kind) else {
            return Err(refuse(
                place,
                "kind",
                format!("{} không phải loại văn bản", shown(&d.kind)),
            ));
        };
        // An attached document carries the number of the document it is issued with.
        let template = self.set.get(&d.template)?;
        let expected = template.attached_kind().unwrap_or(template.kind);
        if expected.key != k.key {
            return Err(refuse(
                place,
                "kind",
                format!(
                    "{} nhưng mẫu {} mang số của loại {}",
                    shown(&d.kind),
                    d.template,
                    expected.key
                ),
            ));
        }
        date(&place, "date", d.date)?;
        if d.date < d.drafted_on {
            return Err(refuse(
                place,
                "date",
                format!("ban hành ngày {} trước ngày soạn {}", d.date, d.drafted_on),
            ));
        }
        let family = symbol(d.number, &d.symbol, k).map_err(|m| refuse(place, "symbol", m))?;
        period(family, &d.period, d.date).map_err(|m| refuse(place, "period", m))?;
        if !is_series(&d.series) {
            return Err(refuse(
                place,
                "series",
                format!("{} không phải dãy số của sổ đăng ký", shown(&d.series)),
            ));
        }
        if d.issuer.trim().is_empty() {
            return Err(refuse(place, "issuer", "trống"));
        }
        for (field, s) in [
            ("issuer", &d.issuer),
            ("signer", &d.signer),
            ("trich_yeu", &d.trich_yeu),
        ] {
            line(&place, field, s)?;
        }
        for s in &d.recipients {
            line(&place, "recipients", s)?;
        }
        for s in &d.luu {
            line(&place, "luu", s)?;
        }
        let owner = meta.documents.iter().find(|o| o.doc == d.numbered_with);
        if owner.is_none_or(|o| o.numbered_with != o.doc) {
            return Err(refuse(
                place,
                "numbered_with",
                format!(
                    "{} không phải văn bản đã ban hành của hồ sơ này",
                    shown(&d.numbered_with)
                ),
            ));
        }
        Ok(())
    }

    /// Every file: named as hoso names it, the size and hash the metadata says, listed once;
    /// and no payload file the metadata does not list.
    fn files(
        &self,
        case: &CaseFile,
        meta: &Metadata,
        files: &BTreeMap<String, Vec<u8>>,
    ) -> Result<()> {
        let mut listed: BTreeSet<String> = GENERATED.iter().map(|s| s.to_string()).collect();
        let mut one = |place: &str, f: &FileMeta| -> Result<()> {
            let path = format!("data/{}", f.name);
            if !listed.insert(path.clone()) {
                return Err(refuse(place, "name", "tệp có hai lần"));
            }
            let bytes = files
                .get(&path)
                .ok_or_else(|| refuse(place, "name", format!("không có {path} trong bag")))?;
            if f.bytes != bytes.len() as u64 {
                return Err(refuse(
                    place,
                    "bytes",
                    format!("{} byte nhưng tệp có {} byte", f.bytes, bytes.len()),
                ));
            }
            if f.sha256 != sha256_hex(bytes) {
                return Err(refuse(place, "sha256", "khác mã SHA-256 của tệp trong bag"));
            }
            date(&place, "added_on", f.added_on)
        };
        for d in &meta.documents {
            for f in &d.files {
                let place = format!("{META}, văn bản {}, tệp {}", d.doc, shown(&f.name));
                if !names::is_document_file(&d.doc, &f.name) {
                    return Err(refuse(
                        &place,
                        "name",
                        format!("phải là documents/{0}.docx hoặc documents/{0}.pdf", d.doc),
                    ));
                }
                one(&place, f)?;
            }
        }
        let list = self.engine.ho_so(&ProcedureKey::parse(&case.workflow));
        for f in &meta.attachments {
            let place = format!("{META}, tệp đính kèm {}", shown(&f.name));
            let Some(item) = f.ho_so_item else {
                return Err(refuse(
                    &place,
                    "ho_so_item",
                    "tệp đính kèm thuộc một mục hồ sơ",
                ));
            };
            if !list.is_empty() && !list.iter().any(|i| i.item == item) {
                return Err(refuse(
                    &place,
                    "ho_so_item",
                    format!(
                        "hồ sơ của `{}` không có mục {item}",
                        case.workflow.escape_debug()
                    ),
                ));
            }
            if !names::is_attachment_file(item, &f.name) {
                return Err(refuse(
                    &place,
                    "name",
                    format!(
                        "phải là attachments/{item:02}-<tên tệp>, tên tệp không có `/`, `\\`, \
                         ký tự điều khiển hay dấu chấm đầu"
                    ),
                ));
            }
            one(&place, f)?;
        }
        if let Some(extra) = files
            .keys()
            .find(|n| n.starts_with("data/") && !listed.contains(*n))
        {
            return Err(refuse(
                META,
                "documents/attachments",
                format!("không liệt kê tệp {} của bag", shown(extra)),
            ));
        }
        Ok(())
    }
}

/// A step of the case's procedure.
fn step_of(place: &str, w: &Workflow, step: &str) -> Result<()> {
    if names::is_key(step) && w.steps.iter().any(|s| s.id == step) {
        return Ok(());
    }
    Err(refuse(
        place,
        "step",
        format!(
            "{} không phải bước của quy trình `{}` phiên bản {}",
            shown(step),
            w.id,
            w.version
        ),
    ))
}

/// The symbol the register prints for `number`: the number as `{:02}`, then `/` (a State
/// body's "05/QĐ-UBND") or `-` (a Party committee's "05-NQ/ĐU"), then the ký hiệu, which
/// starts with the type's abbreviation in that family where the type has one. Returns the
/// family the separator shows.
fn symbol(number: u32, symbol: &str, k: &DocKind) -> std::result::Result<FamilyId, String> {
    let n = format!("{number:02}");
    let expected = || format!("sổ in số {number} là {n}/… hoặc {n}-…");
    let rest = symbol.strip_prefix(&n).ok_or_else(|| {
        format!(
            "{} không phải ký hiệu của số {number}: {}",
            shown(symbol),
            expected()
        )
    })?;
    let (family, ky_hieu) = if let Some(r) = rest.strip_prefix('/') {
        (FamilyId::State, r)
    } else if let Some(r) = rest.strip_prefix('-') {
        (FamilyId::Party, r)
    } else {
        return Err(format!(
            "{} không phải ký hiệu của số {number}: {}",
            shown(symbol),
            expected()
        ));
    };
    if ky_hieu.is_empty() || ky_hieu.chars().any(char::is_control) {
        return Err(format!("{}: thiếu ký hiệu sau số", shown(symbol)));
    }
    if let Some(abbr) = k.abbr(family) {
        let sep = if family == FamilyId::State { '-' } else { '/' };
        if !ky_hieu.starts_with(&format!("{abbr}{sep}")) {
            return Err(format!(
                "{}: ký hiệu của {} bắt đầu bằng {abbr}{sep}",
                shown(symbol),
                k.key
            ));
        }
    }
    Ok(family)
}

/// The period of a number: a State body's calendar year, a Party committee's term
/// ("2020-07-01..2025-06-30") holding the date.
fn period(family: FamilyId, period: &str, on: NaiveDate) -> std::result::Result<(), String> {
    let ok = match family {
        FamilyId::State => period == on.year().to_string(),
        FamilyId::Party => period.split_once("..").is_some_and(|(a, b)| {
            let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
            matches!((d(a), d(b)), (Some(a), Some(b)) if a <= on && on <= b)
        }),
    };
    if ok {
        return Ok(());
    }
    Err(match family {
        FamilyId::State => format!(
            "{}: số của cơ quan nhà nước đánh theo năm, ở đây là {}",
            shown(period),
            on.year()
        ),
        FamilyId::Party => format!(
            "{}: số của cấp ủy Đảng đánh theo nhiệm kỳ (từ..đến) gồm ngày {on}",
            shown(period)
        ),
    })
}

/// The series the register numbers in: "chung", a type, "mật" (alone or per type), "bản sao".
fn is_series(s: &str) -> bool {
    match s {
        "chung" | "mật" | "bản sao" => true,
        _ => kind::find(s.strip_prefix("mật/").unwrap_or(s)).is_some(),
    }
}

/// Documents numbered together carry one entry, and two numbers never share a place in a
/// book: what the local book would refuse or mislink.
fn numbers_agree(meta: &Metadata) -> Result<()> {
    let entry = |d: &DocumentMeta| {
        (
            d.issuer.clone(),
            d.period.clone(),
            d.series.clone(),
            d.number,
            d.symbol.clone(),
            d.date,
            d.kind.clone(),
        )
    };
    let mut owners: BTreeMap<(String, String, String, u32), &str> = BTreeMap::new();
    for d in &meta.documents {
        let place = format!("{META}, văn bản {}", shown(&d.doc));
        if let Some(owner) = meta.documents.iter().find(|o| o.doc == d.numbered_with)
            && entry(owner) != entry(d)
        {
            return Err(refuse(
                &place,
                "symbol",
                format!(
                    "mang số của {} nhưng số, ngày hoặc dãy số khác của văn bản đó",
                    owner.doc
                ),
            ));
        }
        let at = (
            d.issuer.clone(),
            d.period.clone(),
            d.series.clone(),
            d.number,
        );
        if let Some(other) = owners.insert(at, &d.numbered_with)
            && other != d.numbered_with
        {
            return Err(refuse(
                &place,
                "number",
                format!("số {} đã là số của văn bản {other} trong cùng sổ", d.symbol),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_are_what_the_register_prints() {
        let qd = kind::find("quyet-dinh").unwrap();
        let nq = kind::find("nghi-quyet").unwrap();
        let cv = kind::find("cong-van").unwrap();
        assert_eq!(symbol(5, "05/QĐ-UBND", qd), Ok(FamilyId::State));
        assert_eq!(symbol(1259, "1259/QĐ-UBND", qd), Ok(FamilyId::State));
        assert_eq!(symbol(1, "01-NQ/ĐU", nq), Ok(FamilyId::Party));
        assert_eq!(symbol(1, "01/UBND-CAX", cv), Ok(FamilyId::State));
        for (n, bad) in [
            (3, "999/QĐ-TTg"),
            (5, "5/QĐ-UBND"),
            (5, "05QĐ-UBND"),
            (5, "05/"),
            (5, "05/CT-UBND"),
            (5, "005/QĐ-UBND"),
            (5, "05/QĐ-\u{1b}[2J"),
        ] {
            assert!(symbol(n, bad, qd).is_err(), "{bad}");
        }
    }

    #[test]
    fn periods_and_series() {
        let d = NaiveDate::from_ymd_opt(2023, 3, 10).unwrap();
        assert!(period(FamilyId::State, "2023", d).is_ok());
        assert!(period(FamilyId::State, "2024", d).is_err());
        assert!(period(FamilyId::Party, "2020-07-01..2025-06-30", d).is_ok());
        assert!(period(FamilyId::Party, "2024-07-01..2025-06-30", d).is_err());
        assert!(period(FamilyId::Party, "2023", d).is_err());
        for ok in ["chung", "mật", "bản sao", "quyet-dinh", "mật/nghi-quyet"] {
            assert!(is_series(ok), "{ok}");
        }
        for bad in ["", "x", "mật/x", "../chung"] {
            assert!(!is_series(bad), "{bad}");
        }
    }
}
