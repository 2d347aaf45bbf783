//! The store seam: what hoso keeps — cases, their steps, an append-only event log, the drafted
//! documents, the files of each hồ sơ and the register's book — behind two traits shaped by
//! hoso's operations rather than by tables. [`Store`] reads; [`Store::begin`] opens one write
//! transaction ([`StoreTx`]) in which a step, a number and its book entry, or an import is
//! written whole or not at all. The rules (which number comes next, whether a step may be
//! taken) live with the register and the engine; a backend only keeps its promises: writers
//! are serialised, a committed write survives a crash, and reads never see half a write.
//!
//! [`sqlite`] is the embedded backend. Dates cross this boundary as [`NaiveDate`], never as
//! text.

pub mod copy;
pub mod postgres;
pub mod schema;
pub mod sqlite;
pub mod testing;

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::Result;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// Where the cases are kept: a SQLite file (the embedded default), or a PostgreSQL database
/// named by its URL (`postgres://…`), for a province's shared server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Db {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Db {
    /// `--db` as typed: a `postgres://` or `postgresql://` URL, anything else a SQLite path.
    pub fn parse(s: &std::ffi::OsStr) -> Db {
        match s.to_str() {
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Db::Postgres(u.to_string())
            }
            _ => Db::Sqlite(PathBuf::from(s)),
        }
    }

    /// Opens the store, creating and migrating it when needed.
    pub fn open(&self) -> Result<Box<dyn Store>> {
        Ok(match self {
            Db::Sqlite(p) => Box::new(SqliteStore::open(p)?),
            Db::Postgres(u) => Box::new(PgStore::open(u)?),
        })
    }

    /// Opens the store to read it: a SQLite file read-only (never created); a PostgreSQL
    /// database as it is.
    pub fn open_read_only(&self) -> Result<Box<dyn Store>> {
        Ok(match self {
            Db::Sqlite(p) => Box::new(SqliteStore::open_read_only(p)?),
            Db::Postgres(u) => Box::new(PgStore::open(u)?),
        })
    }

    /// As messages name it (a URL without its password), as a path for [`crate::Error::storage`].
    pub fn shown(&self) -> PathBuf {
        match self {
            Db::Sqlite(p) => p.clone(),
            Db::Postgres(u) => PathBuf::from(postgres::redacted(u)),
        }
    }
}

impl From<PathBuf> for Db {
    fn from(p: PathBuf) -> Db {
        Db::parse(p.as_os_str())
    }
}

impl From<&std::path::Path> for Db {
    fn from(p: &std::path::Path) -> Db {
        Db::parse(p.as_os_str())
    }
}

impl std::fmt::Display for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{}", self.shown().display())
    }
}

/// A case as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub id: String,
    /// The procedure's key: `mo-hinh`, or `mo-hinh@kon-tum` under a province's overlay.
    pub workflow: String,
    pub version: String,
    pub data: serde_json::Value,
    pub created_on: NaiveDate,
    /// The step and date that ended the case; `None` while it is open.
    pub ended: Option<Ended>,
}

/// How a case ended: the step that ended it and its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ended {
    pub step: String,
    pub on: NaiveDate,
}

/// A step of a case (also as an archive's `case.yaml` lists it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRow {
    pub step: String,
    pub open: bool,
    pub due: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
}

/// An entry of the event log.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub seq: i64,
    pub on_date: NaiveDate,
    pub actor: String,
    pub step: String,
    pub inputs: serde_json::Value,
    /// The account that recorded it (the web application); `None` from the command line.
    pub person: Option<String>,
}

/// A person's account in the web application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub login: String,
    pub name: String,
    /// `can-bo`, `lanh-dao`, `van-thu`, `luu-tru`, `quan-tri`.
    pub role: String,
    /// The agency's path: a province (`kon-tum`), a commune below it (`kon-tum/dak-mar`).
    pub agency: String,
    /// The argon2id hash as a PHC string.
    pub hash: String,
    pub disabled: bool,
}

/// A lãnh đạo's approval of a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub doc: String,
    pub login: String,
    pub on: NaiveDate,
}

/// An open step with a deadline.
#[derive(Debug, Clone, PartialEq)]
pub struct DueRow {
    pub case: String,
    pub workflow: String,
    pub step: String,
    pub due: NaiveDate,
}

/// A case to create, with its first step open.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub workflow: String,
    pub version: String,
    pub data: serde_json::Value,
    pub opened: NaiveDate,
    pub first_step: String,
    pub first_due: Option<NaiveDate>,
}

/// What one step changes, written in one transaction.
#[derive(Debug, Clone)]
pub struct StepChange<'a> {
    pub case_id: &'a str,
    pub data: &'a serde_json::Value,
    pub on_date: NaiveDate,
    pub actor: &'a str,
    pub step: &'a str,
    pub inputs: &'a serde_json::Value,
    /// The step stays open when it recurs.
    pub close_step: bool,
    /// The step ends the case: it is marked ended and every step still open is closed.
    pub ends: bool,
    /// The procedure (id, version) the case follows from this step on, when it changes (its
    /// province's file expired and the successor's applies).
    pub procedure: Option<(&'a str, &'a str)>,
    /// How many events the case had when the step was planned: if another step was recorded
    /// since, the plan is stale and recording it is a conflict, not a lost update.
    pub events_seen: usize,
    /// Open steps the case drops with this step: the procedure it moves to has them no longer
    /// (a district step after 01/07/2025). They are closed, never done; the step recorded may
    /// be one opened in their place, without a row of its own yet.
    pub dropped: &'a [String],
    /// Steps opened, with their due dates.
    pub opened: &'a [(String, Option<NaiveDate>)],
    /// Documents the step drafted: (template, data).
    pub drafts: &'a [(String, serde_json::Value)],
}

/// A document a case drafted.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRow {
    /// "03-quyet-dinh-thanh-lap-mo-hinh": order of drafting in the case, then the template.
    pub doc: String,
    pub step: String,
    pub template: String,
    pub data: serde_json::Value,
    pub drafted_on: NaiveDate,
    /// Its register entry, once issued.
    pub entry: Option<i64>,
    /// The body as a person edited it in Word, when it was issued from their file
    /// (`document::Block`s as JSON); `None`: the body comes from the template and data.
    pub body: Option<serde_json::Value>,
}

impl DocumentRow {
    /// Its place in the case's order of drafting (the number before the template's name).
    pub fn seq(&self) -> u32 {
        doc_seq(&self.doc)
    }
}

/// The number a document id begins with ("103-…" → 103), so that the 100th document sorts
/// after the 99th.
pub fn doc_seq(doc: &str) -> u32 {
    doc.split('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(u32::MAX)
}

/// A file of a case's hồ sơ.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRow {
    pub name: String,
    pub item: Option<u32>,
    pub doc: Option<String>,
    pub sha256: String,
    pub bytes: Vec<u8>,
    pub added_on: NaiveDate,
}

/// The key of one issuing body's book: the body as it prints itself, parent and name on one
/// line (`register::BookKey::of` builds it from an issuer).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BookKey(pub String);

impl std::fmt::Display for BookKey {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One line of the register's book (sổ đăng ký văn bản đi).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub id: i64,
    pub issuer: BookKey,
    pub period: String,
    pub series: String,
    pub number: u32,
    /// "05/QĐ-UBND".
    pub symbol: String,
    pub on_date: NaiveDate,
    /// Type key ("quyet-dinh").
    pub kind: String,
    pub trich_yeu: String,
    pub signer: String,
    pub recipients: Vec<String>,
    pub luu: Vec<String>,
    pub copies: Option<u32>,
    pub case_id: Option<String>,
    pub doc: Option<String>,
    pub voided_on: Option<NaiveDate>,
    pub void_reason: Option<String>,
    /// The account that took the number (the web application), so that a second văn thư is
    /// told who issued the document; `None` from the command line, which knows no person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
}

/// An entry to write: everything but its id and withdrawal.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub issuer: BookKey,
    pub period: String,
    pub series: String,
    pub number: u32,
    pub symbol: String,
    pub on_date: NaiveDate,
    pub kind: String,
    pub trich_yeu: String,
    pub signer: String,
    pub recipients: Vec<String>,
    pub luu: Vec<String>,
    pub copies: Option<u32>,
    /// The case document the number is for: (case, document id).
    pub document: Option<(String, String)>,
}

/// Whose book to read.
#[derive(Debug, Clone, Copy)]
pub enum Books<'a> {
    All,
    /// One issuer's book.
    Of(&'a BookKey),
    /// Every issuer whose name contains this text, as a clerk searches.
    NameContains(&'a str),
}

/// A whole case, as an archive restores it.
#[derive(Debug, Clone)]
pub struct Restore {
    pub case: CaseRow,
    pub steps: Vec<StepRow>,
    pub events: Vec<EventRow>,
    /// Each document with the entry that numbers it, if it was issued.
    pub documents: Vec<(DocumentRow, Option<NewEntry>)>,
    pub files: Vec<FileRow>,
}

/// A case's deadlines as last worked out, kept so that a province's list is read, not worked
/// out again from every case's log. Trusted only while nothing of the case changed (its
/// revision, which the database raises with every change to the case, its steps or its log),
/// under the same rules (the [`Engine::fingerprint`](crate::engine::Engine::fingerprint)), and
/// for a day from `from` to `through`.
#[derive(Debug, Clone, PartialEq)]
pub struct DueCache {
    pub case: String,
    /// The case's revision the deadlines were worked out from.
    pub revision: i64,
    pub rules: String,
    /// The day they were worked out for.
    pub from: NaiveDate,
    /// The last day they hold for; `None`: every later day.
    pub through: Option<NaiveDate>,
    /// The deadlines, as JSON: the application's to read.
    pub items: String,
}

/// An open case's revision, with its kept deadlines when they still hold.
#[derive(Debug, Clone)]
pub struct DueState {
    pub case: String,
    pub revision: i64,
    /// [`DueCache::items`] kept from this revision under the rules and for the day asked.
    pub kept: Option<String>,
}

/// Reading what is stored. Every read is of committed data.
pub trait Store {
    /// Where the store is, for messages ("hoso.db").
    fn location(&self) -> String;
    fn case(&self, id: &str) -> Result<CaseRow>;
    fn cases(&self) -> Result<Vec<CaseRow>>;
    /// Every case, by id, its data reduced to the `fields` a list shows (those it has): a
    /// province's list without reading every case's whole form.
    fn case_list(&self, fields: &[&str]) -> Result<Vec<CaseRow>>;
    /// A case's steps in the order they were opened.
    fn steps(&self, case: &str) -> Result<Vec<StepRow>>;
    fn events(&self, case: &str) -> Result<Vec<EventRow>>;
    /// Every case's steps, by case, in one read: a province's list or deadlines without a
    /// query per case.
    fn every_step(&self) -> Result<std::collections::HashMap<String, Vec<StepRow>>>;
    /// Every case's events, by case, in one read, each keeping of its inputs only the one
    /// `keep` names for its step (step, input), none for other steps: what judging deadlines
    /// reads of a province's log, without parsing every report's form.
    fn every_event(
        &self,
        keep: &[(String, String)],
    ) -> Result<std::collections::HashMap<String, Vec<EventRow>>>;
    /// A case's documents in the order they were drafted.
    fn documents(&self, case: &str) -> Result<Vec<DocumentRow>>;
    /// A case's files by name: all of them, or those rendering one document.
    fn files(&self, case: &str, doc: Option<&str>) -> Result<Vec<FileRow>>;
    /// One file of a case by name, bytes and all; the others stay in the database.
    fn file(&self, case: &str, name: &str) -> Result<Option<FileRow>>;
    /// Open steps of open cases with a deadline on or before `before` (all when `None`),
    /// earliest first; an ended case has none.
    fn due(&self, before: Option<NaiveDate>) -> Result<Vec<DueRow>>;
    /// Every open case's revision and, where they still hold — kept from that revision,
    /// under `rules`, for a span of days that includes `on` — its kept deadlines; by case id.
    fn due_states(&self, rules: &str, on: NaiveDate) -> Result<Vec<DueState>>;
    /// Every case's open steps in the order they were opened, by case: a province's case
    /// list.
    fn open_steps(&self) -> Result<std::collections::HashMap<String, Vec<String>>>;
    /// One entry of the book by its id.
    fn entry(&self, id: i64) -> Result<Entry>;
    /// The entries a case's documents carry, in one query: what later drafts cite.
    fn case_entries(&self, case: &str) -> Result<Vec<Entry>>;
    /// The books, in the order numbers were given; `year` is the year of the entry's date.
    fn book(&self, which: Books, year: Option<i32>) -> Result<Vec<Entry>>;
    /// Problems of the stored data: the database's own structure (`full`: every page, index
    /// and constraint; otherwise the cheap checks) and, with `files`, every stored file against
    /// the SHA-256 recorded with it. Empty when all is sound.
    fn check(&self, full: bool, files: bool) -> Result<Vec<String>>;

    // The web application's people and their work.

    fn account(&self, login: &str) -> Result<Option<Account>>;
    fn accounts(&self) -> Result<Vec<Account>>;
    /// The account and CSRF token of a session not expired at `now` (Unix seconds), by the
    /// SHA-256 of its token; a disabled account has no session.
    fn session(&self, token_sha256: &str, now: i64) -> Result<Option<(Account, String)>>;
    /// Failed logins of `login` since `since` (Unix seconds).
    fn login_failures(&self, login: &str, since: i64) -> Result<u32>;
    /// The agency recorded for a case, if one was.
    fn case_agency(&self, case: &str) -> Result<Option<String>>;
    /// Every agency recorded, by case: one read for a page that lists a person's cases.
    fn case_agencies(&self) -> Result<std::collections::HashMap<String, String>>;
    /// A case's approved drafts.
    fn approvals(&self, case: &str) -> Result<Vec<Approval>>;

    /// Starts a write transaction. Writers are serialised: a second one waits for the first
    /// (up to the backend's timeout) instead of failing. Dropping it without
    /// [`StoreTx::commit`] writes nothing.
    fn begin(&mut self) -> Result<Box<dyn StoreTx + '_>>;
}

/// One write transaction: all of it or nothing.
pub trait StoreTx {
    /// The next case id ("C0001", …): one more than the highest stored, never a count, so an
    /// imported case does not block later ones.
    fn next_case_id(&mut self) -> Result<String>;
    fn insert_case(&mut self, id: &str, c: &NewCase) -> Result<()>;
    /// Records one step — case data, the step closed or kept open, next steps opened, the
    /// event, the drafts — and returns the drafts' document ids. Fails with
    /// [`Conflict`](crate::Error::Conflict) when the step is no longer open or the case
    /// changed since the step was planned.
    fn record_step(&mut self, c: &StepChange) -> Result<Vec<String>>;
    /// The highest-numbered entry of one series.
    fn last_in_series(
        &mut self,
        issuer: &BookKey,
        period: &str,
        series: &str,
    ) -> Result<Option<Entry>>;
    /// The highest-numbered entry of one series that is not withdrawn: the date later numbers
    /// must not precede (a withdrawn mistake does not block the book).
    fn last_live_in_series(
        &mut self,
        issuer: &BookKey,
        period: &str,
        series: &str,
    ) -> Result<Option<Entry>>;
    /// The live (not withdrawn) entry a case document carries.
    fn live_entry_of(&mut self, case: &str, doc: &str) -> Result<Option<Entry>>;
    /// Writes an entry; with `document`, the document is linked to it in the same write.
    fn insert_entry(&mut self, e: &NewEntry) -> Result<Entry>;
    /// Marks an entry withdrawn; it stays in the book.
    fn void_entry(&mut self, id: i64, on: NaiveDate, reason: &str) -> Result<Entry>;
    /// Records that a case document carries entry `entry` (a document attached to a decision
    /// carries the decision's).
    fn link(&mut self, case: &str, doc: &str, entry: i64) -> Result<()>;
    /// Keeps the body a person edited for a document about to be issued.
    fn set_body(&mut self, case: &str, doc: &str, body: &serde_json::Value) -> Result<()>;
    /// Stores files of a case; a name already stored is replaced.
    fn put_files(&mut self, case: &str, files: &[FileRow]) -> Result<()>;
    /// Restores a whole case. A document's number joins the book when the book lacks it; a
    /// number the book already gives to another document is a conflict.
    fn restore(&mut self, r: &Restore) -> Result<()>;

    // A hồ sơ's own files: each added beside the others, never over one, and removed only in
    // the transaction that logs the removal.

    /// The names and sizes of a case's files, without their bytes, by name.
    fn file_sizes(&mut self, case: &str) -> Result<Vec<(String, u64)>>;
    /// Adds one file; a name the case already has is a [`Conflict`](crate::Error::Conflict),
    /// and the stored file stays as it is.
    fn add_file(&mut self, case: &str, f: &FileRow) -> Result<()>;
    /// Removes a file and returns it, or `None` when the case has no file of that name.
    fn remove_file(&mut self, case: &str, name: &str) -> Result<Option<FileRow>>;
    /// Appends an event to a case's log (its `seq` is the store's to give).
    fn append_event(&mut self, case: &str, e: &EventRow) -> Result<()>;
    /// Keeps cases' deadlines as worked out, each replacing the case's earlier ones.
    fn keep_due(&mut self, kept: &[DueCache]) -> Result<()>;

    /// The account the events this transaction appends are recorded under.
    fn act_as(&mut self, login: &str);
    /// Adds an account; a login already taken is a [`Conflict`](crate::Error::Conflict).
    fn insert_account(&mut self, a: &Account) -> Result<()>;
    /// Changes an account's password hash and ends all its sessions.
    fn set_password(&mut self, login: &str, hash: &str) -> Result<()>;
    /// Disables an account and ends all its sessions.
    fn disable_account(&mut self, login: &str) -> Result<()>;
    /// Opens a session, and forgets every session expired at `now`.
    fn insert_session(
        &mut self,
        token_sha256: &str,
        login: &str,
        csrf: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()>;
    fn delete_session(&mut self, token_sha256: &str) -> Result<()>;
    /// Records a failed login (and forgets those older than `forget_before`).
    fn login_failed(&mut self, login: &str, at: i64, forget_before: i64) -> Result<()>;
    fn set_case_agency(&mut self, case: &str, agency: &str) -> Result<()>;
    /// Marks a draft approved; approving it twice is a [`Conflict`](crate::Error::Conflict).
    fn approve(&mut self, case: &str, a: &Approval) -> Result<()>;

    // `hoso db copy`: rows written with the ids the source store gave them.

    /// Writes the book's entries as they are, withdrawn ones included.
    fn copy_entries(&mut self, entries: &[Entry]) -> Result<()>;
    /// Writes one case with all its rows as they are.
    fn copy_case(&mut self, c: &copy::CaseCopy) -> Result<()>;

    fn commit(self: Box<Self>) -> Result<()>;
}
