//! A case's hồ sơ as a BagIt bag (RFC 8493) in a ZIP: the issued documents exactly as handed
//! out, the user's attached files, the case data, the event log, per-document metadata and the
//! checklist of required items, each listed with its SHA-256. The same case gives the same bytes
//! (sorted entries, fixed timestamps, dates taken from the case, never the clock), so an
//! archivist can prove years later that nothing changed.

mod bag;
mod import;
pub mod names;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::fsutil::{sha256_hex, size_text};
use crate::store::{EventRow, FileRow, Store};
use crate::template::TemplateSet;
use crate::workflow::{ProcedureKey, ho_so};

use bag::Hashed;
pub use bag::{Limits, Report, verify};
pub use import::import;

/// Metadata of one file of the hồ sơ.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileMeta {
    /// Path inside `data/`.
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
    pub ho_so_item: Option<u32>,
    pub added_on: NaiveDate,
}

/// Metadata of one issued document (NĐ 30 Phụ lục VI, the fields hoso knows).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DocumentMeta {
    pub doc: String,
    pub template: String,
    pub step: String,
    pub drafted_on: NaiveDate,
    pub kind: String,
    pub number: u32,
    pub symbol: String,
    pub date: chrono::NaiveDate,
    pub issuer: String,
    pub signer: String,
    pub trich_yeu: String,
    /// The book's Nơi nhận, Lưu and number of copies, so that an import restores the whole
    /// entry (archives made before these were kept have none).
    #[serde(default)]
    pub recipients: Vec<String>,
    #[serde(default)]
    pub luu: Vec<String>,
    #[serde(default)]
    pub copies: Option<u32>,
    /// The register series it was numbered in: (period, series).
    pub period: String,
    pub series: String,
    /// The document the number was taken for: itself, or the decision it is attached to.
    pub numbered_with: String,
    pub ho_so_item: Option<u32>,
    pub retention: Option<String>,
    /// The data it was rendered from, so an imported case can render it again.
    pub data: serde_json::Value,
    /// The body as a person edited it in Word, when it was issued from their file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    pub files: Vec<FileMeta>,
}

/// A draft never issued: kept with its data so that it can still be issued after an import.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DraftMeta {
    pub doc: String,
    pub template: String,
    pub step: String,
    pub drafted_on: NaiveDate,
    pub data: serde_json::Value,
}

/// Whether the hồ sơ has a required item.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum Status {
    #[serde(rename = "present")]
    Present,
    #[serde(rename = "missing")]
    Missing,
    /// An item asked for only "nếu có", and there is none.
    #[serde(rename = "not applicable")]
    NotApplicable,
}

/// One required item and whether the hồ sơ has it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ChecklistItem {
    pub item: u32,
    pub title: String,
    pub status: Status,
    /// What fills it, or why it does not apply.
    pub note: String,
}

/// `data/metadata.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Metadata {
    pub case: String,
    pub workflow: String,
    pub version: String,
    pub documents: Vec<DocumentMeta>,
    /// Drafts that were never issued: recorded, not archived as documents.
    pub drafts: Vec<DraftMeta>,
    pub attachments: Vec<FileMeta>,
    pub checklist: Vec<ChecklistItem>,
}

impl Metadata {
    /// The required items the hồ sơ lacks.
    pub fn missing(&self) -> impl Iterator<Item = &ChecklistItem> {
        self.checklist
            .iter()
            .filter(|c| c.status == Status::Missing)
    }

    pub fn complete(&self) -> bool {
        self.missing().next().is_none()
    }
}

/// `data/case.yaml`: the case and its steps.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseFile {
    pub id: String,
    pub workflow: String,
    pub version: String,
    pub opened: NaiveDate,
    pub data: serde_json::Value,
    pub steps: Vec<crate::store::StepRow>,
    /// The step and date that ended the case, if it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<crate::store::Ended>,
}

/// One line of `data/events.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventLine {
    pub on: NaiveDate,
    pub actor: String,
    pub step: String,
    pub inputs: serde_json::Value,
    /// The account that recorded it, when the web application did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
}

/// Builds the bag of a case as ZIP bytes. Long: it gathers the case, its documents and files,
/// the metadata and the bag-info in the order of the bag's layout; it is next in line to be
/// split (documents' metadata, tag files, bag-info) now that its hardening has landed.
pub fn build(set: &TemplateSet, engine: &Engine, store: &dyn Store, case: &str) -> Result<Vec<u8>> {
    build_reporting(set, engine, store, case, &|_, _| {})
}

/// Progress of long work: bytes done of bytes in all.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// [`build`], telling `progress` how many of the bag's bytes are compressed into the ZIP so
/// far (the long part of a big case), so that a person waiting sees it advance.
pub fn build_reporting(
    set: &TemplateSet,
    engine: &Engine,
    store: &dyn Store,
    case: &str,
    progress: Progress,
) -> Result<Vec<u8>> {
    let c = store.case(case)?;
    // The bag is written under the case id, each file under its name: only the shapes hoso
    // makes, so that no entry of the ZIP is absolute or climbs out with `..`.
    if !names::is_case_id(&c.id) {
        return Err(Error::corrupt(
            format!("hồ sơ `{}`", c.id.escape_debug()),
            "mã hồ sơ không phải C và chữ số; không lập hồ sơ lưu trữ",
        ));
    }
    let key = ProcedureKey::parse(&c.workflow);
    let procedure = engine.of_case(&c).ok();
    let retention = procedure.and_then(|w| w.retention.as_ref());
    let files = store.files(case, None)?;
    let events = store.events(case)?;
    // The bag's date is the case's last activity, so that archiving twice gives the same bytes.
    let last = events
        .iter()
        .map(|e| e.on_date)
        .chain(files.iter().map(|f| f.added_on))
        .max()
        .unwrap_or(c.created_on);

    let mut payload: BTreeMap<String, Hashed> = BTreeMap::new();
    let meta_of = |f: &FileRow| FileMeta {
        name: f.name.clone(),
        sha256: f.sha256.clone(),
        bytes: f.bytes.len() as u64,
        ho_so_item: f.item,
        added_on: f.added_on,
    };
    let mut documents = Vec::new();
    let mut drafts = Vec::new();
    for d in store.documents(case)? {
        let Some(entry_id) = d.entry else {
            drafts.push(DraftMeta {
                doc: d.doc.clone(),
                template: d.template.clone(),
                step: d.step.clone(),
                drafted_on: d.drafted_on,
                data: d.data.clone(),
            });
            continue;
        };
        let e = store.entry(entry_id)?;
        let item = set.get(&d.template).ok().and_then(|t| t.item_in(&key.base));
        let own: Vec<FileMeta> = files
            .iter()
            .filter(|f| f.doc.as_deref() == Some(d.doc.as_str()))
            .map(meta_of)
            .collect();
        documents.push(DocumentMeta {
            doc: d.doc.clone(),
            template: d.template.clone(),
            step: d.step.clone(),
            drafted_on: d.drafted_on,
            kind: e.kind.clone(),
            number: e.number,
            symbol: e.symbol.clone(),
            date: e.on_date,
            issuer: e.issuer.0.clone(),
            signer: e.signer.clone(),
            trich_yeu: e.trich_yeu.clone(),
            recipients: e.recipients.clone(),
            luu: e.luu.clone(),
            copies: e.copies,
            period: e.period.clone(),
            series: e.series.clone(),
            numbered_with: e.doc.clone().unwrap_or_else(|| d.doc.clone()),
            ho_so_item: item,
            retention: retention.and_then(|r| r.for_item(item)).map(str::to_string),
            data: d.data.clone(),
            body: d.body.clone(),
            files: own,
        });
    }
    let attachments: Vec<FileMeta> = files
        .iter()
        .filter(|f| f.doc.is_none())
        .map(meta_of)
        .collect();
    // Each kept file is hashed once: for the manifest, and against the hash recorded when it
    // was stored, so a copy damaged in the database is refused rather than bagged as sound.
    for f in files {
        if !names::is_stored_file(&f) {
            return Err(Error::corrupt(
                format!("hồ sơ {case}, tệp `{}`", f.name.escape_debug()),
                "tên không phải documents/<mã văn bản>.docx|pdf hay attachments/NN-<tên tệp>; \
                 không ghi vào hồ sơ lưu trữ",
            ));
        }
        let h = Hashed::new(f.bytes);
        if h.sha256 != f.sha256 {
            return Err(Error::corrupt(
                format!("hồ sơ {case}, tệp {}", f.name),
                "không còn khớp SHA-256 đã ghi khi lưu; \
                 khôi phục tệp từ bản sao lưu trước khi lập hồ sơ lưu trữ",
            ));
        }
        payload.insert(format!("data/{}", f.name), h);
    }

    let checklist = checklist(engine.ho_so(&key), &documents, &attachments);
    let metadata = Metadata {
        case: c.id.clone(),
        workflow: c.workflow.clone(),
        version: c.version.clone(),
        documents,
        drafts,
        attachments,
        checklist,
    };
    let case_file = CaseFile {
        id: c.id.clone(),
        workflow: c.workflow.clone(),
        version: c.version.clone(),
        opened: c.created_on,
        data: c.data.clone(),
        steps: store.steps(case)?,
        ended: c.ended.clone(),
    };
    let mut log = String::new();
    for e in &events {
        let line = EventLine {
            on: e.on_date,
            actor: e.actor.clone(),
            step: e.step.clone(),
            inputs: e.inputs.clone(),
            person: e.person.clone(),
        };
        let _ = writeln!(log, "{}", json(&line)?);
    }
    let generated = [
        (
            "data/case.yaml",
            serde_yaml::to_string(&case_file)
                .map_err(|e| Error::corrupt("data/case.yaml", e))?
                .into_bytes(),
        ),
        ("data/events.jsonl", log.into_bytes()),
        (
            "data/metadata.json",
            serde_json::to_vec_pretty(&metadata)
                .map_err(|e| Error::corrupt("data/metadata.json", e))?,
        ),
        (
            "data/checklist.md",
            checklist_markdown(&metadata).into_bytes(),
        ),
    ];
    for (name, bytes) in generated {
        payload.insert(name.into(), Hashed::new(bytes));
    }

    let issuer = metadata
        .documents
        .first()
        .map(|d| d.issuer.clone())
        .unwrap_or_default();
    let info = [
        ("Source-Organization", issuer),
        ("External-Identifier", c.id.clone()),
        (
            "External-Description",
            format!(
                "Hồ sơ {} — quy trình {} (phiên bản {})",
                c.id, c.workflow, c.version
            ),
        ),
        ("Bagging-Date", last.to_string()),
        ("Hoso-Workflow", c.workflow.clone()),
        ("Hoso-Workflow-Version", c.version.clone()),
        ("Hoso-Opened", c.created_on.to_string()),
        (
            "Hoso-Complete",
            if metadata.complete() { "yes" } else { "no" }.into(),
        ),
    ];
    let bag = bag::make(&c.id, payload, &info);
    fits(case, &bag, Limits::default())?;
    zip_bag(&bag, progress)
}

/// Refuses a bag `verify` and `import` would refuse for its size: an archive made is an archive
/// that can be read back. (Attaching keeps a case's files within the limits; the bag's own
/// files come on top.)
fn fits(case: &str, bag: &BTreeMap<String, Vec<u8>>, limits: Limits) -> Result<()> {
    let total: u64 = bag.values().map(|b| b.len() as u64).sum();
    let biggest = bag.iter().max_by_key(|(_, b)| b.len());
    let refuse = |what: String| {
        Err(Error::Invalid(format!(
            "hồ sơ {case}: {what}; gỡ bớt tệp đính kèm (hoso case detach) rồi lập lại"
        )))
    };
    if let Some((name, b)) = biggest
        && b.len() as u64 > limits.max_entry
    {
        return refuse(format!(
            "tệp {name} có {} byte, lớn hơn giới hạn {} một tệp của hồ sơ lưu trữ",
            b.len(),
            size_text(limits.max_entry)
        ));
    }
    if total > limits.max_total || bag.len() > limits.max_entries {
        return refuse(format!(
            "hồ sơ lưu trữ sẽ có {} tệp, tổng {total} byte, vượt giới hạn {} tệp, {}",
            bag.len(),
            limits.max_entries,
            size_text(limits.max_total)
        ));
    }
    Ok(())
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::corrupt("data/events.jsonl", e))
}

/// Every required item: present (with what fills it), not applicable (an "if any" item with
/// nothing), or missing.
fn checklist(
    list: &[ho_so::Item],
    documents: &[DocumentMeta],
    attachments: &[FileMeta],
) -> Vec<ChecklistItem> {
    list.iter()
        .cloned()
        .map(|it| {
            let mut have: Vec<String> = documents
                .iter()
                .filter(|d| d.ho_so_item == Some(it.item))
                .map(|d| d.symbol.clone())
                .collect();
            have.extend(
                attachments
                    .iter()
                    .filter(|a| a.ho_so_item == Some(it.item))
                    .map(|a| a.name.clone()),
            );
            have.dedup();
            let (status, note) = match (&have[..], &it.optional) {
                ([], Some(why)) => (Status::NotApplicable, why.clone()),
                ([], None) => (Status::Missing, String::new()),
                (h, _) => (Status::Present, h.join(", ")),
            };
            ChecklistItem {
                item: it.item,
                title: it.title,
                status,
                note,
            }
        })
        .collect()
}

fn checklist_markdown(m: &Metadata) -> String {
    let mut s = format!(
        "# Danh mục hồ sơ {} ({} {})\n\n| Mục | Tài liệu | Tình trạng | Ghi chú |\n|---|---|---|---|\n",
        m.case, m.workflow, m.version
    );
    for c in &m.checklist {
        let status = match c.status {
            Status::Present => "Có",
            Status::Missing => "Thiếu",
            Status::NotApplicable => "Không áp dụng",
        };
        let _ = writeln!(
            s,
            "| {} | {} | {status} | {} |",
            c.item,
            cell(&c.title),
            cell(&c.note)
        );
    }
    let _ = writeln!(
        s,
        "\n{}",
        if m.complete() {
            "Hồ sơ đầy đủ."
        } else {
            "Hồ sơ chưa đầy đủ."
        }
    );
    s
}

/// Text for a Markdown table cell: the characters that would end the cell or start markup
/// are escaped, the rest (Vietnamese, "/", "-") stays readable.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(
            ch,
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '&' | '#'
        ) {
            out.push('\\');
        }
        out.push(if ch == '\n' { ' ' } else { ch });
    }
    out
}

/// Writes entries in name order with fixed timestamps and permissions: the same bag, the same
/// bytes.
fn zip_bag(entries: &BTreeMap<String, Vec<u8>>, progress: Progress) -> Result<Vec<u8>> {
    let total: u64 = entries.values().map(|b| b.len() as u64).sum();
    let mut done = 0u64;
    progress(done, total);
    use zip::write::SimpleFileOptions;
    let err = |e: zip::result::ZipError| Error::Render {
        what: "ZIP".into(),
        message: e.to_string(),
    };
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        z.start_file(name.as_str(), options).map_err(err)?;
        z.write_all(bytes).map_err(|e| Error::Render {
            what: "ZIP".into(),
            message: e.to_string(),
        })?;
        done += bytes.len() as u64;
        progress(done, total);
    }
    Ok(z.finish().map_err(err)?.into_inner())
}

/// `hoso case attach`: stores a user's file as part of hồ sơ item `item`, under
/// `attachments/NN-<file name>`, beside any file already there: a second file of the same name
/// becomes `attachments/NN-<name>-2.<ext>`, never a replacement. The file and the case's files
/// together stay within `limits`, the limits `verify` and `import` read an archive with, so
/// whatever is attached can be archived and imported again.
#[allow(clippy::too_many_arguments)]
pub fn attach(
    engine: &Engine,
    store: &mut dyn Store,
    case: &str,
    name: &str,
    bytes: Vec<u8>,
    item: u32,
    on: NaiveDate,
    limits: Limits,
) -> Result<String> {
    let c = store.case(case)?;
    let list = engine.ho_so(&ProcedureKey::parse(&c.workflow));
    if !list.is_empty() && !list.iter().any(|i| i.item == item) {
        return Err(Error::Invalid(format!(
            "--item {item}: hồ sơ của `{}` có các mục 1–{}",
            c.workflow,
            list.len()
        )));
    }
    let Some(safe) = names::safe_file_name(name) else {
        return Err(Error::Invalid(format!(
            "`{name}` không phải tên tệp để lưu"
        )));
    };
    let size = bytes.len() as u64;
    if size > limits.max_entry {
        return Err(Error::Invalid(format!(
            "`{name}`: tệp có {size} byte, lớn hơn giới hạn {} của một tệp đính kèm \
             (hồ sơ lưu trữ không nhận tệp lớn hơn)",
            size_text(limits.max_entry)
        )));
    }
    let mut tx = store.begin()?;
    let stored = tx.file_sizes(case)?;
    let total = stored.iter().map(|(_, n)| n).sum::<u64>() + size;
    if total > limits.max_total {
        return Err(Error::Invalid(format!(
            "`{name}` ({size} byte): các tệp của hồ sơ {case} sẽ có tổng {total} byte, lớn hơn \
             giới hạn {} của một hồ sơ lưu trữ",
            size_text(limits.max_total)
        )));
    }
    let taken = |n: &str| stored.iter().any(|(s, _)| s == n);
    let name = free_name(item, &safe, taken);
    tx.add_file(
        case,
        &FileRow {
            name: name.clone(),
            item: Some(item),
            doc: None,
            sha256: sha256_hex(&bytes),
            bytes,
            added_on: on,
        },
    )?;
    tx.commit()?;
    Ok(name)
}

/// The first of `attachments/NN-<name>`, `…-2`, `…-3`, … (before the extension) not taken.
fn free_name(item: u32, safe: &str, taken: impl Fn(&str) -> bool) -> String {
    let first = names::attachment_name(item, safe);
    if !taken(&first) {
        return first;
    }
    let (stem, ext) = match safe.rfind('.') {
        Some(i) if i > 0 => safe.split_at(i),
        _ => (safe, ""),
    };
    (2u32..)
        .map(|n| names::attachment_name(item, &format!("{stem}-{n}{ext}")))
        .find(|n| !taken(n))
        .unwrap_or(first)
}

/// The step and actor the case's log records a removal under.
pub const DETACH_STEP: &str = "go-tep-dinh-kem";
pub const DETACH_ACTOR: &str = "nguoi-dung";

/// `hoso case detach`: removes a user's file from the hồ sơ and records the removal in the
/// case's log (name, reason, SHA-256), in one transaction. An issued document's files are kept
/// as they were handed out and cannot be removed.
pub fn detach(
    store: &mut dyn Store,
    case: &str,
    name: &str,
    reason: &str,
    on: NaiveDate,
) -> Result<FileRow> {
    store.case(case)?;
    let reason = crate::text::clean(reason).trim().to_string();
    if reason.is_empty() {
        return Err(Error::Usage("--reason: cần nói lý do gỡ tệp".into()));
    }
    let mut tx = store.begin()?;
    let Some(f) = tx.remove_file(case, name)? else {
        let attached: Vec<String> = tx
            .file_sizes(case)?
            .into_iter()
            .map(|(n, _)| n)
            .filter(|n| n.starts_with("attachments/"))
            .collect();
        return Err(Error::NotFound(format!(
            "hồ sơ {case} không có tệp `{name}`; tệp đính kèm: {}",
            if attached.is_empty() {
                "chưa có".to_string()
            } else {
                attached.join(", ")
            }
        )));
    };
    if let Some(doc) = &f.doc {
        // Dropping the transaction puts the file back.
        return Err(Error::Invalid(format!(
            "`{name}` là tệp của văn bản {doc} đã ban hành: giữ nguyên như đã phát hành, \
             không gỡ được"
        )));
    }
    tx.append_event(
        case,
        &EventRow {
            seq: 0,
            on_date: on,
            actor: DETACH_ACTOR.into(),
            step: DETACH_STEP.into(),
            inputs: serde_json::json!({"name": f.name, "reason": reason, "sha256": f.sha256}),
            person: None,
        },
    )?;
    tx.commit()?;
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{NewCase, SqliteStore};

    fn small() -> Limits {
        Limits {
            max_entries: 10,
            max_entry: 100,
            max_total: 250,
        }
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
    }

    fn store_with_case(dir: &std::path::Path) -> SqliteStore {
        let mut s = SqliteStore::open(&dir.join("t.db")).unwrap();
        let mut tx = s.begin().unwrap();
        let c = NewCase {
            workflow: "dien-hinh".into(),
            version: "1".into(),
            data: serde_json::json!({}),
            opened: day(),
            first_step: "khao-sat".into(),
            first_due: None,
        };
        tx.insert_case("C0001", &c).unwrap();
        tx.commit().unwrap();
        s
    }

    /// One set of limits: a file or a case's files that an archive could not hold are refused
    /// when attached, naming both sizes, and nothing is stored.
    #[test]
    fn attach_keeps_a_case_within_the_archive_limits() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = store_with_case(dir.path());
        let engine = Engine::new(Vec::new());
        let mut attach = |name: &str, n: usize| {
            attach(
                &engine,
                &mut s,
                "C0001",
                name,
                vec![b'x'; n],
                1,
                day(),
                small(),
            )
        };
        let e = attach("lon.bin", 101).unwrap_err();
        assert_eq!(e.exit_code(), 1);
        let e = e.to_string();
        assert!(
            e.contains("lon.bin") && e.contains("101 byte") && e.contains("100 byte"),
            "{e}"
        );
        assert_eq!(attach("a.bin", 100).unwrap(), "attachments/01-a.bin");
        assert_eq!(attach("a.bin", 100).unwrap(), "attachments/01-a-2.bin");
        let e = attach("b.bin", 51).unwrap_err().to_string();
        assert!(e.contains("251 byte") && e.contains("250 byte"), "{e}");
        assert_eq!(attach("b.bin", 50).unwrap(), "attachments/01-b.bin");
        let names: Vec<String> = s
            .files("C0001", None)
            .unwrap()
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(
            names,
            [
                "attachments/01-a-2.bin",
                "attachments/01-a.bin",
                "attachments/01-b.bin"
            ]
        );
    }

    #[test]
    fn a_second_name_goes_before_the_extension() {
        let taken = ["attachments/12-so-quy.csv", "attachments/12-so-quy-2.csv"];
        let free = |safe: &str| free_name(12, safe, |n| taken.contains(&n));
        assert_eq!(free("so-quy.csv"), "attachments/12-so-quy-3.csv");
        assert_eq!(free("khac.csv"), "attachments/12-khac.csv");
        let taken = ["attachments/01-README"];
        assert_eq!(
            free_name(1, "README", |n| taken.contains(&n)),
            "attachments/01-README-2"
        );
    }

    #[test]
    fn a_bag_too_big_to_read_back_is_not_made() {
        let bag = |sizes: &[usize]| -> BTreeMap<String, Vec<u8>> {
            sizes
                .iter()
                .enumerate()
                .map(|(i, n)| (format!("C0001/data/{i}"), vec![0; *n]))
                .collect()
        };
        assert!(fits("C0001", &bag(&[100, 100, 50]), small()).is_ok());
        let e = fits("C0001", &bag(&[101]), small())
            .unwrap_err()
            .to_string();
        assert!(e.contains("C0001/data/0") && e.contains("101 byte"), "{e}");
        let e = fits("C0001", &bag(&[100, 100, 51]), small())
            .unwrap_err()
            .to_string();
        assert!(e.contains("251 byte") && e.contains("250 byte"), "{e}");
        assert!(fits("C0001", &bag(&[1; 11]), small()).is_err());
    }
}
