//! `hoso db copy`: moving a pilot's SQLite file to the province's PostgreSQL server, and back
//! for an offline copy. Everything hoso keeps is copied with the ids and order it has — the
//! book's entries, each case with its steps, event log, documents, files, agency and
//! approvals, the accounts — in one write transaction on the target, which must be empty.
//! Sessions and failed logins are not copied: people sign in again on the new server. Then
//! both stores are read back through the same [`Store`] trait and compared, row counts and a
//! SHA-256 over every value, and every file on the target is checked against its SHA-256.

use sha2::{Digest, Sha256};

use super::{
    Account, Approval, Books, CaseRow, Db, DocumentRow, EventRow, FileRow, StepRow, Store,
};
use crate::error::{Error, Result};

/// One case as `db copy` writes it: every row, with the ids the source gave.
#[derive(Debug, Clone)]
pub struct CaseCopy {
    pub case: CaseRow,
    pub steps: Vec<StepRow>,
    pub events: Vec<EventRow>,
    pub documents: Vec<DocumentRow>,
    pub files: Vec<FileRow>,
    pub agency: Option<String>,
    pub approvals: Vec<Approval>,
}

/// How much a store holds, and a digest of all of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub cases: usize,
    pub steps: usize,
    pub events: usize,
    pub documents: usize,
    pub files: usize,
    pub file_bytes: u64,
    pub entries: usize,
    pub accounts: usize,
    /// SHA-256 over every value read, in a fixed order.
    pub digest: String,
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(
            f,
            "{} hồ sơ, {} bước, {} sự kiện, {} văn bản, {} tệp ({} byte), {} số trong sổ, {} tài \
             khoản",
            self.cases,
            self.steps,
            self.events,
            self.documents,
            self.files,
            self.file_bytes,
            self.entries,
            self.accounts
        )
    }
}

fn case_copy(store: &dyn Store, case: CaseRow) -> Result<CaseCopy> {
    let id = case.id.clone();
    Ok(CaseCopy {
        steps: store.steps(&id)?,
        events: store.events(&id)?,
        documents: store.documents(&id)?,
        files: store.files(&id, None)?,
        agency: store.case_agency(&id)?,
        approvals: store.approvals(&id)?,
        case,
    })
}

/// Counts and digests what a store holds, one case at a time.
pub fn tally(store: &dyn Store) -> Result<Tally> {
    let mut h = Sha256::new();
    let mut t = Tally::default();
    let put = |h: &mut Sha256, s: String| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    for e in store.book(Books::All, None)? {
        t.entries += 1;
        put(&mut h, format!("{e:?}"));
    }
    for case in store.cases()? {
        let c = case_copy(store, case)?;
        t.cases += 1;
        t.steps += c.steps.len();
        t.events += c.events.len();
        t.documents += c.documents.len();
        t.files += c.files.len();
        put(&mut h, format!("{:?}", c.case));
        put(&mut h, format!("{:?}", c.steps));
        put(&mut h, format!("{:?}", c.events));
        put(&mut h, format!("{:?}", c.documents));
        put(&mut h, format!("{:?} {:?}", c.agency, c.approvals));
        for f in &c.files {
            t.file_bytes += f.bytes.len() as u64;
            let FileRow {
                name,
                item,
                doc,
                sha256,
                bytes,
                added_on,
            } = f;
            put(
                &mut h,
                format!(
                    "{name} {item:?} {doc:?} {sha256} {} {added_on}",
                    crate::fsutil::sha256_hex(bytes)
                ),
            );
        }
    }
    for a in store.accounts()? {
        t.accounts += 1;
        let Account {
            login,
            name,
            role,
            agency,
            hash,
            disabled,
        } = a;
        put(
            &mut h,
            format!("{login} {name} {role} {agency} {hash} {disabled}"),
        );
    }
    t.digest = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(t)
}

/// Copies everything from `from` into the empty store `to`, then checks that both hold the
/// same. Returns what was copied.
pub fn copy(from: &Db, to: &Db) -> Result<Tally> {
    if from == to {
        return Err(Error::Usage(format!(
            "--from và --to cùng là {from}: chép vào chính nó thì không có gì để làm"
        )));
    }
    if let Db::Sqlite(p) = from
        && !p.exists()
    {
        return Err(Error::NotFound(format!(
            "--from {}: không có tệp này",
            p.display()
        )));
    }
    let source = from.open_read_only()?;
    let mut target = to.open()?;
    if !target.cases()?.is_empty()
        || !target.book(Books::All, None)?.is_empty()
        || !target.accounts()?.is_empty()
    {
        return Err(Error::Conflict(format!(
            "--to {to}: đã có dữ liệu; `db copy` chỉ chép vào một cơ sở dữ liệu trống, không \
             trộn hai nơi"
        )));
    }
    let mut tx = target.begin()?;
    tx.copy_entries(&source.book(Books::All, None)?)?;
    for case in source.cases()? {
        tx.copy_case(&case_copy(&*source, case)?)?;
    }
    for a in source.accounts()? {
        tx.insert_account(&a)?;
    }
    tx.commit()?;
    let (want, got) = (tally(&*source)?, tally(&*target)?);
    if want != got {
        return Err(Error::corrupt(
            to.to_string(),
            format!("bản chép không khớp bản gốc: gốc {want}; bản chép {got}"),
        ));
    }
    if let Some(p) = target.check(false, true)?.first() {
        return Err(Error::corrupt(to.to_string(), p));
    }
    Ok(got)
}
