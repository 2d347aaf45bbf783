//! The shared store: a PostgreSQL database a province's IT staff operate, for `hoso serve`
//! on one or several servers. It keeps the promises of [`Store`] by locking what a write
//! touches, not the whole database:
//!
//! - a number: the series' row of `register_series` (`SELECT … FOR UPDATE`) before the last
//!   number is read, so two văn thư on two servers queue for the same book and never for
//!   different ones; the number is counted from the book, never from a sequence (a sequence
//!   skips on rollback);
//! - a case: its `cases` row, before a step, a file or an event is written, so a step planned
//!   against a stale case is refused as on SQLite;
//! - a document being numbered: its `documents` row, so the second văn thư finds the first's
//!   number instead of taking another;
//! - a new case id: a transaction-level advisory lock.
//!
//! Connections come from a pool per database URL and process; the schema is migrated once per
//! process under an advisory lock, so servers started together migrate it once.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::NaiveDate;
use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Transaction};
use r2d2_postgres::PostgresConnectionManager;

use super::copy::CaseCopy;
use super::schema::MIGRATIONS;
use super::testing::fail_point;
use super::{
    Account, Approval, BookKey, Books, CaseRow, DocumentRow, DueCache, DueRow, DueState, Ended,
    Entry, EventRow, FileRow, NewCase, NewEntry, Restore, StepChange, StepRow, Store, StoreTx,
};
use crate::error::{Error, Result};

type Manager = PostgresConnectionManager<NoTls>;
type Pool = r2d2::Pool<Manager>;

/// Connections one process keeps to one database: the web server's blocking threads.
const POOL_SIZE: u32 = 16;
/// How long a writer waits for a lock another holds before giving up (SQLite's busy timeout).
const LOCK_TIMEOUT: &str = "30s";
/// Advisory lock keys ("hoso" and a purpose), for the schema and for new case ids.
const LOCK_SCHEMA: i64 = 0x686f_736f_0001;
const LOCK_CASE_IDS: i64 = 0x686f_736f_0002;

/// The triggers that keep history: a database where one is missing or disabled takes no write.
const GUARDS: [(&str, &str); 10] = [
    ("events", "events_no_update"),
    ("events", "events_no_truncate"),
    ("register", "register_no_delete"),
    ("register", "register_no_truncate"),
    ("register", "register_only_void"),
    // A case's revision, which kept deadlines are trusted by (migration 5): a trigger off
    // would serve a changed case's old deadlines.
    ("cases", "revise_on_case"),
    ("case_steps", "revise_on_step"),
    ("events", "revise_on_event"),
    ("cases", "forget_due_on_truncate"),
    ("case_steps", "forget_due_on_truncate"),
];

/// The database URL as messages show it: without its password.
pub fn redacted(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let Some(at) = rest.find('@') else {
        return url.to_string();
    };
    match rest[..at].find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &rest[..colon],
            &rest[at..]
        ),
        None => url.to_string(),
    }
}

/// A failed statement in the user's terms, naming the database.
fn pg_err(location: &str) -> impl Fn(postgres::Error) -> Error + '_ {
    move |e| {
        let path = PathBuf::from(location);
        let Some(db) = e.as_db_error() else {
            let cause = std::error::Error::source(&e)
                .map(|c| format!(": {c}"))
                .unwrap_or_default();
            return Error::storage(
                &path,
                format!("không kết nối được máy chủ PostgreSQL hoặc mất kết nối ({e}{cause})"),
            );
        };
        let code = db.code();
        if *code == SqlState::UNIQUE_VIOLATION {
            Error::Conflict(format!(
                "{location}: đã có (người khác vừa ghi cùng lúc?): {}",
                db.detail().unwrap_or(db.message())
            ))
        } else if *code == SqlState::T_R_DEADLOCK_DETECTED
            || *code == SqlState::T_R_SERIALIZATION_FAILURE
            || *code == SqlState::LOCK_NOT_AVAILABLE
        {
            Error::Conflict(format!(
                "{location}: người khác đang ghi cùng dữ liệu; không có gì được ghi, làm lại sau \
                 ít phút ({})",
                db.message()
            ))
        } else if *code == SqlState::DISK_FULL {
            Error::storage(
                &path,
                "máy chủ hết chỗ trên đĩa: không có gì được ghi; báo quản trị máy chủ",
            )
        } else if *code == SqlState::READ_ONLY_SQL_TRANSACTION {
            Error::storage(
                &path,
                "máy chủ này chỉ đọc (bản sao?): lệnh này cần ghi vào máy chủ chính",
            )
        } else if *code == SqlState::DATA_CORRUPTED || *code == SqlState::INDEX_CORRUPTED {
            Error::corrupt(location, db.message())
        } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
            Error::storage(
                &path,
                format!(
                    "vai trò PostgreSQL không đủ quyền: {} (README, mục PostgreSQL)",
                    db.message()
                ),
            )
        } else {
            Error::storage(&path, db.message())
        }
    }
}

/// A stored JSON text; damaged JSON is an error naming where it was, never `null`.
fn stored_json(what: &str, s: &str) -> Result<serde_json::Value> {
    serde_json::from_str(s).map_err(|e| Error::corrupt(what, format!("dữ liệu JSON hỏng: {e}")))
}

fn to_u32(what: &str, v: i32) -> Result<u32> {
    u32::try_from(v).map_err(|_| Error::corrupt(what, format!("số âm {v}")))
}

fn to_i32(v: u32) -> Result<i32> {
    i32::try_from(v).map_err(|_| Error::Invalid(format!("số {v} quá lớn")))
}

/// The pools of this process, by URL.
fn pools() -> &'static Mutex<HashMap<String, Arc<Pooled>>> {
    static POOLS: OnceLock<Mutex<HashMap<String, Arc<Pooled>>>> = OnceLock::new();
    POOLS.get_or_init(Default::default)
}

/// A pool, and whether its database passed the cheap check.
struct Pooled {
    pool: Pool,
    checked: std::sync::atomic::AtomicBool,
}

/// Each new connection waits for locks as long as SQLite waits for its write lock.
#[derive(Debug)]
struct Settings;

impl r2d2::CustomizeConnection<Client, postgres::Error> for Settings {
    fn on_acquire(&self, c: &mut Client) -> std::result::Result<(), postgres::Error> {
        c.batch_execute(&format!(
            "SET lock_timeout = '{LOCK_TIMEOUT}'; SET application_name = 'hoso'"
        ))
    }
}

/// The pool for `url`, made (and the schema migrated) the first time this process asks.
fn pool_for(url: &str) -> Result<Arc<Pooled>> {
    let location = redacted(url);
    let err = pg_err(&location);
    let mut all = pools()
        .lock()
        .map_err(|_| Error::storage(&PathBuf::from(&location), "pool hỏng"))?;
    if let Some(p) = all.get(url) {
        return Ok(p.clone());
    }
    let config: postgres::Config = url.parse().map_err(|e| {
        Error::Usage(format!(
            "--db {location}: địa chỉ PostgreSQL không hợp lệ ({e}); dạng \
             postgres://người_dùng@máy:cổng/tên_cơ_sở_dữ_liệu"
        ))
    })?;
    // Migrating on a connection of its own reports a wrong address or password at once,
    // instead of after the pool's connection timeout.
    let mut client = config.connect(NoTls).map_err(&err)?;
    migrate(&mut client).map_err(&err)?;
    drop(client);
    let pool = r2d2::Pool::builder()
        .max_size(POOL_SIZE)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_secs(30))
        .connection_customizer(Box::new(Settings))
        .build(PostgresConnectionManager::new(config, NoTls))
        .map_err(|e| Error::storage(&PathBuf::from(&location), e))?;
    let pooled = Arc::new(Pooled {
        pool,
        checked: false.into(),
    });
    all.insert(url.to_string(), pooled.clone());
    Ok(pooled)
}

/// Brings the schema up to date in one transaction, under an advisory lock: several servers
/// starting together run each migration once, and a failed migration leaves nothing half done
/// (PostgreSQL's DDL is transactional).
fn migrate(client: &mut Client) -> std::result::Result<(), postgres::Error> {
    // Up to date: nothing is written, so a read replica opens as well as the primary.
    let known: bool = client
        .query_one("SELECT to_regclass('hoso_schema') IS NOT NULL", &[])?
        .get(0);
    if known {
        let current: Option<i32> = client
            .query_one("SELECT max(version) FROM hoso_schema", &[])?
            .get(0);
        if current.and_then(|v| usize::try_from(v).ok()) >= Some(MIGRATIONS.len()) {
            return Ok(());
        }
    }
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_SCHEMA])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS hoso_schema (version INTEGER NOT NULL)")?;
    let version: i32 = match tx.query_opt("SELECT version FROM hoso_schema", &[])? {
        Some(r) => r.get(0),
        None => {
            tx.execute("INSERT INTO hoso_schema (version) VALUES (0)", &[])?;
            0
        }
    };
    for (i, m) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(version).unwrap_or(0))
    {
        tx.batch_execute(m.postgres)?;
        tx.execute(
            "UPDATE hoso_schema SET version = $1",
            &[&(i32::try_from(i + 1).unwrap_or(i32::MAX))],
        )?;
    }
    tx.commit()
}

pub struct PgStore {
    conn: RefCell<r2d2::PooledConnection<Manager>>,
    pooled: Arc<Pooled>,
    location: String,
}

impl PgStore {
    /// Opens a store on a PostgreSQL database (`postgres://…`), migrating its schema the first
    /// time this process opens it.
    pub fn open(url: &str) -> Result<PgStore> {
        let pooled = pool_for(url)?;
        let location = redacted(url);
        let conn = pooled.pool.get().map_err(|e| {
            Error::storage(
                &PathBuf::from(&location),
                format!("không lấy được kết nối tới máy chủ PostgreSQL: {e}"),
            )
        })?;
        Ok(PgStore {
            conn: RefCell::new(conn),
            pooled,
            location,
        })
    }

    fn err(&self) -> impl Fn(postgres::Error) -> Error + '_ {
        pg_err(&self.location)
    }

    fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        self.conn
            .borrow_mut()
            .query(sql, params)
            .map_err(self.err())
    }

    fn query_opt(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>> {
        self.conn
            .borrow_mut()
            .query_opt(sql, params)
            .map_err(self.err())
    }

    /// The cheap check: the schema this program knows, and every history guard in place.
    fn problems(&self) -> Result<Vec<String>> {
        let mut found = Vec::new();
        let version: i32 = self
            .query_opt("SELECT version FROM hoso_schema", &[])?
            .map(|r| r.get(0))
            .unwrap_or(0);
        if usize::try_from(version).ok() != Some(MIGRATIONS.len()) {
            found.push(format!(
                "lược đồ ở phiên bản {version}, chương trình này cần {}",
                MIGRATIONS.len()
            ));
        }
        for (table, name) in GUARDS {
            let enabled: Option<bool> = self
                .query_opt(
                    "SELECT t.tgenabled <> 'D' FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                     WHERE c.relname = $1 AND t.tgname = $2",
                    &[&table, &name],
                )?
                .map(|r| r.get(0));
            match enabled {
                Some(true) => {}
                Some(false) => found.push(format!("trigger {name} của bảng {table} bị tắt")),
                None => found.push(format!("thiếu trigger {name} của bảng {table}")),
            }
        }
        Ok(found)
    }
}

const ENTRY_COLUMNS: &str =
    "id, issuer, period, series, number, symbol, on_date, kind, trich_yeu, signer,
    recipients, luu, copies, case_id, doc, voided_on, void_reason, person";

fn entry_row(r: &Row) -> Result<Entry> {
    let lines = |s: String| -> Vec<String> {
        s.lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    let id: i64 = r.get(0);
    let what = format!("sổ đăng ký, dòng {id}");
    Ok(Entry {
        id,
        issuer: BookKey(r.get(1)),
        period: r.get(2),
        series: r.get(3),
        number: to_u32(&what, r.get(4))?,
        symbol: r.get(5),
        on_date: r.get(6),
        kind: r.get(7),
        trich_yeu: r.get(8),
        signer: r.get(9),
        recipients: lines(r.get(10)),
        luu: lines(r.get(11)),
        copies: r
            .get::<_, Option<i32>>(12)
            .map(|c| to_u32(&what, c))
            .transpose()?,
        case_id: r.get(13),
        doc: r.get(14),
        voided_on: r.get(15),
        void_reason: r.get(16),
        person: r.get(17),
    })
}

fn case_row(r: &Row) -> Result<CaseRow> {
    let id: String = r.get(0);
    let what = format!("hồ sơ {id}");
    let ended = match (
        r.get::<_, Option<String>>(5),
        r.get::<_, Option<NaiveDate>>(6),
    ) {
        (Some(step), Some(on)) => Some(Ended { step, on }),
        _ => None,
    };
    Ok(CaseRow {
        ended,
        workflow: r.get(1),
        version: r.get(2),
        data: stored_json(&what, &r.get::<_, String>(3))?,
        created_on: r.get(4),
        id,
    })
}

const CASE_COLUMNS: &str = "id, workflow, version, data, created_on, ended_by, ended_on";

fn document_row(case: &str, r: &Row) -> Result<DocumentRow> {
    let doc: String = r.get(0);
    let what = format!("hồ sơ {case}, văn bản {doc}");
    Ok(DocumentRow {
        step: r.get(1),
        template: r.get(2),
        data: stored_json(&what, &r.get::<_, String>(3))?,
        drafted_on: r.get(4),
        entry: r.get(5),
        body: r
            .get::<_, Option<String>>(6)
            .map(|b| stored_json(&what, &b))
            .transpose()?,
        doc,
    })
}

fn file_row(case: &str, r: &Row) -> Result<FileRow> {
    let name: String = r.get(0);
    let what = format!("hồ sơ {case}, tệp {name}");
    Ok(FileRow {
        item: r
            .get::<_, Option<i32>>(1)
            .map(|i| to_u32(&what, i))
            .transpose()?,
        doc: r.get(2),
        sha256: r.get(3),
        bytes: r.get(4),
        added_on: r.get(5),
        name,
    })
}

fn account_row(r: &Row) -> Account {
    Account {
        login: r.get(0),
        name: r.get(1),
        role: r.get(2),
        agency: r.get(3),
        hash: r.get(4),
        disabled: r.get(5),
    }
}

const ACCOUNT_COLUMNS: &str = "SELECT login, name, role, agency, hash, disabled FROM accounts";

impl Store for PgStore {
    fn location(&self) -> String {
        self.location.clone()
    }

    fn case(&self, id: &str) -> Result<CaseRow> {
        match self.query_opt(
            &format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"),
            &[&id],
        )? {
            Some(r) => case_row(&r),
            None => Err(Error::NotFound(format!(
                "không có hồ sơ `{id}` trong {}",
                self.location
            ))),
        }
    }

    fn cases(&self) -> Result<Vec<CaseRow>> {
        self.query(
            &format!("SELECT {CASE_COLUMNS} FROM cases ORDER BY id"),
            &[],
        )?
        .iter()
        .map(case_row)
        .collect()
    }

    fn case_list(&self, fields: &[&str]) -> Result<Vec<CaseRow>> {
        self.query(
            "SELECT id, workflow, version,
                    COALESCE((SELECT jsonb_object_agg(f.key, f.value)
                              FROM jsonb_each(c.data::jsonb) f WHERE f.key = ANY($1)), '{}')::text,
                    created_on, ended_by, ended_on
             FROM cases c ORDER BY id",
            &[&fields],
        )?
        .iter()
        .map(case_row)
        .collect()
    }

    fn steps(&self, case: &str) -> Result<Vec<StepRow>> {
        Ok(self
            .query(
                "SELECT step, state, due, done_on FROM case_steps WHERE case_id = $1 ORDER BY ord",
                &[&case],
            )?
            .iter()
            .map(|r| StepRow {
                step: r.get(0),
                open: r.get::<_, String>(1) == "open",
                due: r.get(2),
                done_on: r.get(3),
            })
            .collect())
    }

    fn every_step(&self) -> Result<std::collections::HashMap<String, Vec<StepRow>>> {
        let mut by_case: std::collections::HashMap<String, Vec<StepRow>> = Default::default();
        for r in self.query(
            "SELECT case_id, step, state, due, done_on FROM case_steps ORDER BY ord",
            &[],
        )? {
            by_case.entry(r.get(0)).or_default().push(StepRow {
                step: r.get(1),
                open: r.get::<_, String>(2) == "open",
                due: r.get(3),
                done_on: r.get(4),
            });
        }
        Ok(by_case)
    }

    fn every_event(
        &self,
        keep: &[(String, String)],
    ) -> Result<std::collections::HashMap<String, Vec<EventRow>>> {
        let mut by_case: std::collections::HashMap<String, Vec<EventRow>> = Default::default();
        let (steps, names): (Vec<String>, Vec<String>) = keep.iter().cloned().unzip();
        // Only the input kept is read out of an event's JSON, by PostgreSQL.
        for r in self.query(
            "SELECT e.seq, e.on_date, e.actor, e.step,
                    CASE WHEN m.input IS NULL THEN '{}'
                         ELSE json_build_object(m.input, e.inputs::json -> m.input)::text END,
                    e.person, e.case_id
             FROM events e LEFT JOIN unnest($1::text[], $2::text[]) AS m(step, input)
               ON m.step = e.step
             ORDER BY e.seq",
            &[&steps, &names],
        )? {
            let (seq, case): (i64, String) = (r.get(0), r.get(6));
            let inputs = stored_json(
                &format!("hồ sơ {case}, sự kiện {seq}"),
                &r.get::<_, String>(4),
            )?;
            by_case.entry(case).or_default().push(EventRow {
                seq,
                on_date: r.get(1),
                actor: r.get(2),
                step: r.get(3),
                inputs,
                person: r.get(5),
            });
        }
        Ok(by_case)
    }

    fn events(&self, case: &str) -> Result<Vec<EventRow>> {
        self.query(
            "SELECT seq, on_date, actor, step, inputs, person FROM events
             WHERE case_id = $1 ORDER BY seq",
            &[&case],
        )?
        .iter()
        .map(|r| {
            let seq: i64 = r.get(0);
            Ok(EventRow {
                seq,
                on_date: r.get(1),
                actor: r.get(2),
                step: r.get(3),
                inputs: stored_json(
                    &format!("hồ sơ {case}, sự kiện {seq}"),
                    &r.get::<_, String>(4),
                )?,
                person: r.get(5),
            })
        })
        .collect()
    }

    fn documents(&self, case: &str) -> Result<Vec<DocumentRow>> {
        let mut docs = self
            .query(
                "SELECT doc, step, template, data, drafted_on, entry, body FROM documents
                 WHERE case_id = $1",
                &[&case],
            )?
            .iter()
            .map(|r| document_row(case, r))
            .collect::<Result<Vec<_>>>()?;
        docs.sort_by_key(|d| (d.seq(), d.doc.clone()));
        Ok(docs)
    }

    fn files(&self, case: &str, doc: Option<&str>) -> Result<Vec<FileRow>> {
        self.query(
            "SELECT name, item, doc, sha256, bytes, added_on FROM files
             WHERE case_id = $1 AND ($2::TEXT IS NULL OR doc = $2) ORDER BY name",
            &[&case, &doc],
        )?
        .iter()
        .map(|r| file_row(case, r))
        .collect()
    }

    fn file(&self, case: &str, name: &str) -> Result<Option<FileRow>> {
        self.query_opt(
            "SELECT name, item, doc, sha256, bytes, added_on FROM files
             WHERE case_id = $1 AND name = $2",
            &[&case, &name],
        )?
        .map(|r| file_row(case, &r))
        .transpose()
    }

    fn due(&self, before: Option<NaiveDate>) -> Result<Vec<DueRow>> {
        Ok(self
            .query(
                "SELECT s.case_id, c.workflow, s.step, s.due FROM case_steps s
                 JOIN cases c ON c.id = s.case_id
                 WHERE s.state = 'open' AND s.due IS NOT NULL
                   AND ($1::DATE IS NULL OR s.due <= $1) AND c.ended_on IS NULL
                 ORDER BY s.due, s.case_id, s.step",
                &[&before],
            )?
            .iter()
            .map(|r| DueRow {
                case: r.get(0),
                workflow: r.get(1),
                step: r.get(2),
                due: r.get(3),
            })
            .collect())
    }

    fn entry(&self, id: i64) -> Result<Entry> {
        match self.query_opt(
            &format!("SELECT {ENTRY_COLUMNS} FROM register WHERE id = $1"),
            &[&id],
        )? {
            Some(r) => entry_row(&r),
            None => Err(Error::NotFound(format!("sổ đăng ký không có dòng {id}"))),
        }
    }

    fn due_states(&self, rules: &str, on: NaiveDate) -> Result<Vec<DueState>> {
        Ok(self
            .query(
                "SELECT c.id, COALESCE(r.revision, 0),
                        CASE WHEN k.revision = COALESCE(r.revision, 0) AND k.rules = $1
                                  AND k.from_day <= $2 AND (k.through IS NULL OR k.through >= $2)
                             THEN k.items END
                 FROM cases c LEFT JOIN case_revisions r ON r.case_id = c.id
                      LEFT JOIN due_kept k ON k.case_id = c.id
                 WHERE c.ended_on IS NULL ORDER BY c.id",
                &[&rules, &on],
            )?
            .iter()
            .map(|r| DueState {
                case: r.get(0),
                revision: r.get(1),
                kept: r.get(2),
            })
            .collect())
    }

    fn open_steps(&self) -> Result<std::collections::HashMap<String, Vec<String>>> {
        let mut by_case: std::collections::HashMap<String, Vec<String>> = Default::default();
        for r in self.query(
            "SELECT case_id, step FROM case_steps WHERE state = 'open' ORDER BY ord",
            &[],
        )? {
            by_case.entry(r.get(0)).or_default().push(r.get(1));
        }
        Ok(by_case)
    }

    fn case_entries(&self, case: &str) -> Result<Vec<Entry>> {
        self.query(
            &format!(
                "SELECT {ENTRY_COLUMNS} FROM register
                 WHERE id IN (SELECT entry FROM documents WHERE case_id = $1)"
            ),
            &[&case],
        )?
        .iter()
        .map(entry_row)
        .collect()
    }

    fn book(&self, which: Books, year: Option<i32>) -> Result<Vec<Entry>> {
        let (exact, part) = match which {
            Books::All => (None, None),
            Books::Of(k) => (Some(k.0.as_str()), None),
            Books::NameContains(p) => (None, Some(p)),
        };
        let (from, to) = match year {
            Some(y) => (
                NaiveDate::from_ymd_opt(y, 1, 1),
                NaiveDate::from_ymd_opt(y + 1, 1, 1),
            ),
            None => (None, None),
        };
        self.query(
            &format!(
                "SELECT {ENTRY_COLUMNS} FROM register
                 WHERE ($1::TEXT IS NULL OR issuer = $1)
                   AND ($2::TEXT IS NULL OR strpos(issuer, $2) > 0)
                   AND ($3::DATE IS NULL OR (on_date >= $3 AND on_date < $4))
                 ORDER BY issuer, period, id"
            ),
            &[&exact, &part, &from, &to],
        )?
        .iter()
        .map(entry_row)
        .collect()
    }

    fn check(&self, full: bool, files: bool) -> Result<Vec<String>> {
        let mut problems = self.problems()?;
        if full {
            for r in self.query(
                "SELECT conrelid::regclass::text, conname FROM pg_constraint
                 WHERE NOT convalidated AND connamespace = current_schema()::regnamespace",
                &[],
            )? {
                problems.push(format!(
                    "ràng buộc {} của bảng {} chưa được kiểm",
                    r.get::<_, String>(1),
                    r.get::<_, String>(0)
                ));
            }
        }
        if !problems.is_empty() || !files {
            return Ok(problems);
        }
        // A few rows at a time: the hồ sơ's files are never all in memory at once.
        let mut conn = self.conn.borrow_mut();
        let mut tx = conn.transaction().map_err(self.err())?;
        let portal = tx
            .bind(
                "SELECT case_id, name, sha256, bytes FROM files ORDER BY case_id, name",
                &[],
            )
            .map_err(self.err())?;
        loop {
            let rows = tx.query_portal(&portal, 8).map_err(self.err())?;
            if rows.is_empty() {
                break;
            }
            for r in rows {
                let (case, name, sha): (String, String, String) = (r.get(0), r.get(1), r.get(2));
                let bytes: &[u8] = r.get(3);
                if crate::fsutil::sha256_hex(bytes) != sha {
                    problems.push(format!(
                        "hồ sơ {case}, tệp {name}: không còn khớp SHA-256 đã ghi khi lưu"
                    ));
                }
            }
        }
        tx.commit().map_err(self.err())?;
        Ok(problems)
    }

    fn account(&self, login: &str) -> Result<Option<Account>> {
        Ok(self
            .query_opt(&format!("{ACCOUNT_COLUMNS} WHERE login = $1"), &[&login])?
            .map(|r| account_row(&r)))
    }

    fn accounts(&self) -> Result<Vec<Account>> {
        Ok(self
            .query(&format!("{ACCOUNT_COLUMNS} ORDER BY agency, login"), &[])?
            .iter()
            .map(account_row)
            .collect())
    }

    fn session(&self, token_sha256: &str, now: i64) -> Result<Option<(Account, String)>> {
        let found = self.query_opt(
            "SELECT login, csrf FROM sessions WHERE token_sha256 = $1 AND expires_at > $2",
            &[&token_sha256, &now],
        )?;
        let Some(r) = found else {
            return Ok(None);
        };
        let (login, csrf): (String, String) = (r.get(0), r.get(1));
        Ok(self
            .account(&login)?
            .filter(|a| !a.disabled)
            .map(|a| (a, csrf)))
    }

    fn login_failures(&self, login: &str, since: i64) -> Result<u32> {
        let n: i64 = self
            .query_opt(
                "SELECT COUNT(*) FROM login_failures WHERE login = $1 AND at >= $2",
                &[&login, &since],
            )?
            .map(|r| r.get(0))
            .unwrap_or(0);
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn case_agency(&self, case: &str) -> Result<Option<String>> {
        Ok(self
            .query_opt(
                "SELECT agency FROM case_agencies WHERE case_id = $1",
                &[&case],
            )?
            .map(|r| r.get(0)))
    }

    fn case_agencies(&self) -> Result<std::collections::HashMap<String, String>> {
        Ok(self
            .query("SELECT case_id, agency FROM case_agencies", &[])?
            .into_iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    fn approvals(&self, case: &str) -> Result<Vec<Approval>> {
        Ok(self
            .query(
                "SELECT doc, login, on_date FROM approvals WHERE case_id = $1 ORDER BY doc",
                &[&case],
            )?
            .iter()
            .map(|r| Approval {
                doc: r.get(0),
                login: r.get(1),
                on: r.get(2),
            })
            .collect())
    }

    fn begin(&mut self) -> Result<Box<dyn StoreTx + '_>> {
        use std::sync::atomic::Ordering;
        if !self.pooled.checked.load(Ordering::Relaxed) {
            let problems = self.problems()?;
            if let Some(first) = problems.first() {
                return Err(Error::corrupt(
                    self.location.clone(),
                    format!(
                        "cơ sở dữ liệu không còn như hoso đã tạo, không ghi gì thêm ({first}); \
                         chạy `hoso db check`"
                    ),
                ));
            }
            self.pooled.checked.store(true, Ordering::Relaxed);
        }
        let location = self.location.clone();
        let tx = self
            .conn
            .get_mut()
            .transaction()
            .map_err(pg_err(&location))?;
        Ok(Box::new(PgTx {
            tx,
            location,
            person: None,
            cases: HashSet::new(),
            series: HashSet::new(),
        }))
    }
}

struct PgTx<'a> {
    tx: Transaction<'a>,
    location: String,
    /// The account the events of this transaction are recorded under.
    person: Option<String>,
    /// Cases and series this transaction holds locks on.
    cases: HashSet<String>,
    series: HashSet<(String, String, String)>,
}

impl PgTx<'_> {
    fn exec(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        let location = self.location.clone();
        self.tx.execute(sql, params).map_err(pg_err(&location))
    }

    fn query(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        let location = self.location.clone();
        self.tx.query(sql, params).map_err(pg_err(&location))
    }

    fn query_opt(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>> {
        let location = self.location.clone();
        self.tx.query_opt(sql, params).map_err(pg_err(&location))
    }

    /// Locks a case's row until commit; a case that does not exist is not an error here (the
    /// statement that needs it says so).
    fn lock_case(&mut self, case: &str) -> Result<()> {
        if self.cases.contains(case) {
            return Ok(());
        }
        self.query_opt("SELECT 1 FROM cases WHERE id = $1 FOR UPDATE", &[&case])?;
        self.cases.insert(case.to_string());
        Ok(())
    }

    /// Locks one series of a book until commit: the văn thư's turn at that book.
    fn lock_series(&mut self, issuer: &BookKey, period: &str, series: &str) -> Result<()> {
        let key = (issuer.0.clone(), period.to_string(), series.to_string());
        if self.series.contains(&key) {
            return Ok(());
        }
        self.exec(
            "INSERT INTO register_series (issuer, period, series) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            &[&issuer.0, &period, &series],
        )?;
        self.query_opt(
            "SELECT 1 FROM register_series WHERE issuer = $1 AND period = $2 AND series = $3
             FOR UPDATE",
            &[&issuer.0, &period, &series],
        )?;
        self.series.insert(key);
        Ok(())
    }

    fn entry_by_id(&mut self, id: i64) -> Result<Entry> {
        let r = self.query_opt(
            &format!("SELECT {ENTRY_COLUMNS} FROM register WHERE id = $1"),
            &[&id],
        )?;
        match r {
            Some(r) => entry_row(&r),
            None => Err(Error::NotFound(format!("sổ đăng ký không có dòng {id}"))),
        }
    }

    fn last_entry(
        &mut self,
        issuer: &BookKey,
        period: &str,
        series: &str,
        live_only: bool,
    ) -> Result<Option<Entry>> {
        self.lock_series(issuer, period, series)?;
        self.query_opt(
            &format!(
                "SELECT {ENTRY_COLUMNS} FROM register
                 WHERE issuer = $1 AND period = $2 AND series = $3
                   AND (NOT $4 OR voided_on IS NULL)
                 ORDER BY number DESC LIMIT 1"
            ),
            &[&issuer.0, &period, &series, &live_only],
        )?
        .map(|r| entry_row(&r))
        .transpose()
    }

    fn insert_event(
        &mut self,
        case: &str,
        e: (NaiveDate, &str, &str, &serde_json::Value),
        person: Option<&str>,
    ) -> Result<()> {
        let (on, actor, step, inputs) = e;
        self.exec(
            "INSERT INTO events (case_id, on_date, actor, step, inputs, person)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&case, &on, &actor, &step, &inputs.to_string(), &person],
        )?;
        Ok(())
    }

    /// A whole case's own row and its steps in the order given (an archive's or another store's),
    /// the case locked as this transaction's.
    fn insert_case_row(&mut self, c: &CaseRow, steps: &[StepRow]) -> Result<()> {
        self.exec(
            "INSERT INTO cases (id, workflow, version, data, created_on, ended_by, ended_on)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &c.id,
                &c.workflow,
                &c.version,
                &c.data.to_string(),
                &c.created_on,
                &c.ended.as_ref().map(|e| e.step.clone()),
                &c.ended.as_ref().map(|e| e.on),
            ],
        )?;
        self.cases.insert(c.id.clone());
        for s in steps {
            self.exec(
                "INSERT INTO case_steps (case_id, step, state, due, done_on)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &c.id,
                    &s.step,
                    &if s.open { "open" } else { "done" },
                    &s.due,
                    &s.done_on,
                ],
            )?;
        }
        Ok(())
    }

    fn insert_document(&mut self, case: &str, d: &DocumentRow) -> Result<()> {
        self.exec(
            "INSERT INTO documents (case_id, doc, step, template, data, drafted_on, body)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &case,
                &d.doc,
                &d.step,
                &d.template,
                &d.data.to_string(),
                &d.drafted_on,
                &d.body.as_ref().map(|b| b.to_string()),
            ],
        )?;
        Ok(())
    }

    /// One file; `replace`: an issued rendering written again takes its own name's place.
    fn insert_file(&mut self, case: &str, f: &FileRow, replace: bool) -> Result<()> {
        let on_conflict = if replace {
            "ON CONFLICT (case_id, name) DO UPDATE SET item = EXCLUDED.item, doc = EXCLUDED.doc,
                 sha256 = EXCLUDED.sha256, bytes = EXCLUDED.bytes, added_on = EXCLUDED.added_on"
        } else {
            ""
        };
        let item = f.item.map(to_i32).transpose()?;
        self.exec(
            &format!(
                "INSERT INTO files (case_id, name, item, doc, sha256, bytes, added_on)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) {on_conflict}"
            ),
            &[
                &case,
                &f.name,
                &item,
                &f.doc,
                &f.sha256,
                &f.bytes.as_slice(),
                &f.added_on,
            ],
        )?;
        Ok(())
    }

    /// Refuses a step whose plan is stale, naming who recorded the step that came first.
    fn check_still_open(&mut self, c: &StepChange) -> Result<()> {
        self.lock_case(c.case_id)?;
        let state: Option<String> = self
            .query_opt(
                "SELECT state FROM case_steps WHERE case_id = $1 AND step = $2",
                &[&c.case_id, &c.step],
            )?
            .map(|r| r.get(0));
        let events: i64 = self
            .query_opt(
                "SELECT COUNT(*) FROM events WHERE case_id = $1",
                &[&c.case_id],
            )?
            .map(|r| r.get(0))
            .unwrap_or(0);
        let in_place_of_dropped = state.is_none() && !c.dropped.is_empty();
        if (state.as_deref() == Some("open") || in_place_of_dropped)
            && usize::try_from(events).ok() == Some(c.events_seen)
        {
            return Ok(());
        }
        let last = self.query_opt(
            "SELECT step, to_char(on_date, 'YYYY-MM-DD'), actor || coalesce(', ' || person, '')
             FROM events WHERE case_id = $1 ORDER BY seq DESC LIMIT 1",
            &[&c.case_id],
        )?;
        let by = last
            .map(|r| {
                format!(
                    "; vừa ghi: bước `{}` ngày {} ({})",
                    r.get::<_, String>(0),
                    r.get::<_, String>(1),
                    r.get::<_, String>(2)
                )
            })
            .unwrap_or_default();
        Err(Error::Conflict(format!(
            "hồ sơ {} đã thay đổi trong khi bước `{}` được chuẩn bị: bước không còn mở hoặc \
             đã có người ghi trước{by}. Xem `hoso case status {}` rồi làm lại nếu cần.",
            c.case_id, c.step, c.case_id
        )))
    }

    /// Ends the sessions of an account just changed (`n` rows).
    fn end_sessions(&mut self, n: u64, login: &str) -> Result<()> {
        if n == 0 {
            return Err(Error::NotFound(format!("không có tài khoản `{login}`")));
        }
        self.exec("DELETE FROM sessions WHERE login = $1", &[&login])?;
        Ok(())
    }

    /// The id of an archive's entry in this book: the same entry when the book has it, a new
    /// one when it lacks it; another document's number is a conflict.
    fn restore_entry(&mut self, case: &str, e: &NewEntry) -> Result<i64> {
        self.lock_series(&e.issuer, &e.period, &e.series)?;
        let number = to_i32(e.number)?;
        let found = self.query_opt(
            "SELECT id, case_id, doc FROM register
             WHERE issuer = $1 AND period = $2 AND series = $3 AND number = $4",
            &[&e.issuer.0, &e.period, &e.series, &number],
        )?;
        let numbered = e.document.as_ref().map(|(_, d)| d.as_str());
        match found.map(|r| {
            (
                r.get::<_, i64>(0),
                r.get::<_, Option<String>>(1),
                r.get::<_, Option<String>>(2),
            )
        }) {
            Some((id, Some(c), d)) if c == case && d.as_deref() == numbered => Ok(id),
            Some(_) => Err(Error::Conflict(format!(
                "sổ đăng ký của {} đã cấp số {} cho một văn bản khác",
                e.issuer, e.symbol
            ))),
            None => {
                let mut e = e.clone();
                e.document = numbered.map(|d| (case.to_string(), d.to_string()));
                Ok(self.insert_entry(&e)?.id)
            }
        }
    }
}

impl StoreTx for PgTx<'_> {
    fn next_case_id(&mut self) -> Result<String> {
        self.exec("SELECT pg_advisory_xact_lock($1)", &[&LOCK_CASE_IDS])?;
        let highest: Option<i64> = self
            .query_opt(
                "SELECT MAX(CAST(substring(id FROM 2) AS BIGINT)) FROM cases WHERE id ~ '^C[0-9]{1,18}$'",
                &[],
            )?
            .and_then(|r| r.get(0));
        Ok(format!("C{:04}", highest.unwrap_or(0) + 1))
    }

    fn insert_case(&mut self, id: &str, c: &NewCase) -> Result<()> {
        self.exec(
            "INSERT INTO cases (id, workflow, version, data, created_on) VALUES ($1, $2, $3, $4, $5)",
            &[&id, &c.workflow, &c.version, &c.data.to_string(), &c.opened],
        )?;
        self.exec(
            "INSERT INTO case_steps (case_id, step, state, due) VALUES ($1, $2, 'open', $3)",
            &[&id, &c.first_step, &c.first_due],
        )?;
        Ok(())
    }

    fn record_step(&mut self, c: &StepChange) -> Result<Vec<String>> {
        self.check_still_open(c)?;
        self.exec(
            "UPDATE cases SET data = $2 WHERE id = $1",
            &[&c.case_id, &c.data.to_string()],
        )?;
        if let Some((workflow, version)) = c.procedure {
            self.exec(
                "UPDATE cases SET workflow = $2, version = $3 WHERE id = $1",
                &[&c.case_id, &workflow, &version],
            )?;
        }
        let state = if c.close_step || c.ends {
            "done"
        } else {
            "open"
        };
        self.exec(
            "INSERT INTO case_steps (case_id, step, state, done_on) VALUES ($1, $2, $4, $3)
             ON CONFLICT (case_id, step) DO UPDATE SET state = $4, done_on = $3",
            &[&c.case_id, &c.step, &c.on_date, &state],
        )?;
        for step in c.dropped {
            self.exec(
                "UPDATE case_steps SET state = 'done' WHERE case_id = $1 AND step = $2",
                &[&c.case_id, step],
            )?;
        }
        if c.ends {
            self.exec(
                "UPDATE cases SET ended_by = $2, ended_on = $3 WHERE id = $1",
                &[&c.case_id, &c.step, &c.on_date],
            )?;
            self.exec(
                "UPDATE case_steps SET state = 'done' WHERE case_id = $1 AND state = 'open'",
                &[&c.case_id],
            )?;
        }
        for (step, due) in c.opened {
            self.exec(
                "INSERT INTO case_steps (case_id, step, state, due) VALUES ($1, $2, 'open', $3)
                 ON CONFLICT (case_id, step) DO UPDATE SET state = 'open', due = EXCLUDED.due",
                &[&c.case_id, step, due],
            )?;
        }
        let person = self.person.clone();
        self.insert_event(
            c.case_id,
            (c.on_date, c.actor, c.step, c.inputs),
            person.as_deref(),
        )?;
        let highest: Option<i32> = self
            .query_opt(
                "SELECT MAX(CAST(substring(doc FROM '^[0-9]{1,9}') AS INTEGER)) FROM documents
                 WHERE case_id = $1",
                &[&c.case_id],
            )?
            .and_then(|r| r.get(0));
        let mut ids = Vec::new();
        for (i, (template, data)) in c.drafts.iter().enumerate() {
            let id = format!(
                "{:02}-{template}",
                i64::from(highest.unwrap_or(0)) + i as i64 + 1
            );
            let draft = DocumentRow {
                doc: id.clone(),
                step: c.step.to_string(),
                template: template.to_string(),
                data: data.clone(),
                drafted_on: c.on_date,
                entry: None,
                body: None,
            };
            self.insert_document(c.case_id, &draft)?;
            ids.push(id);
        }
        fail_point("store.apply.before_commit")?;
        Ok(ids)
    }

    fn last_in_series(
        &mut self,
        issuer: &BookKey,
        period: &str,
        series: &str,
    ) -> Result<Option<Entry>> {
        self.last_entry(issuer, period, series, false)
    }

    fn last_live_in_series(
        &mut self,
        issuer: &BookKey,
        period: &str,
        series: &str,
    ) -> Result<Option<Entry>> {
        self.last_entry(issuer, period, series, true)
    }

    fn live_entry_of(&mut self, case: &str, doc: &str) -> Result<Option<Entry>> {
        // The document's row is locked first: a second văn thư issuing it waits here, then
        // reads the number the first one gave.
        let entry: Option<i64> = self
            .query_opt(
                "SELECT entry FROM documents WHERE case_id = $1 AND doc = $2 FOR UPDATE",
                &[&case, &doc],
            )?
            .and_then(|r| r.get(0));
        match entry {
            Some(id) => {
                let e = self.entry_by_id(id)?;
                Ok(e.voided_on.is_none().then_some(e))
            }
            None => Ok(None),
        }
    }

    fn insert_entry(&mut self, e: &NewEntry) -> Result<Entry> {
        let (case_id, doc) = match &e.document {
            Some((c, d)) => (Some(c.as_str()), Some(d.as_str())),
            None => (None, None),
        };
        let number = to_i32(e.number)?;
        let copies = e.copies.map(to_i32).transpose()?;
        let person = self.person.clone();
        let r = self.query_opt(
            "INSERT INTO register (issuer, period, series, number, symbol, on_date, kind,
                 trich_yeu, signer, recipients, luu, copies, case_id, doc, person)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
             RETURNING id",
            &[
                &e.issuer.0,
                &e.period,
                &e.series,
                &number,
                &e.symbol,
                &e.on_date,
                &e.kind,
                &e.trich_yeu,
                &e.signer,
                &e.recipients.join("\n"),
                &e.luu.join("\n"),
                &copies,
                &case_id,
                &doc,
                &person,
            ],
        )?;
        let id: i64 = r.map(|r| r.get(0)).unwrap_or_default();
        if let (Some(c), Some(d)) = (case_id, doc) {
            self.link(c, d, id)?;
        }
        self.entry_by_id(id)
    }

    fn void_entry(&mut self, id: i64, on: NaiveDate, reason: &str) -> Result<Entry> {
        self.exec(
            "UPDATE register SET voided_on = $2, void_reason = $3 WHERE id = $1",
            &[&id, &on, &reason],
        )?;
        self.entry_by_id(id)
    }

    fn link(&mut self, case: &str, doc: &str, entry: i64) -> Result<()> {
        self.exec(
            "UPDATE documents SET entry = $3 WHERE case_id = $1 AND doc = $2",
            &[&case, &doc, &entry],
        )?;
        Ok(())
    }

    fn set_body(&mut self, case: &str, doc: &str, body: &serde_json::Value) -> Result<()> {
        self.exec(
            "UPDATE documents SET body = $3 WHERE case_id = $1 AND doc = $2",
            &[&case, &doc, &body.to_string()],
        )?;
        Ok(())
    }

    fn put_files(&mut self, case: &str, files: &[FileRow]) -> Result<()> {
        for f in files {
            self.insert_file(case, f, true)?;
        }
        Ok(())
    }

    fn restore(&mut self, r: &Restore) -> Result<()> {
        let c = &r.case;
        if self
            .query_opt("SELECT 1 FROM cases WHERE id = $1", &[&c.id])?
            .is_some()
        {
            return Err(Error::Conflict(format!(
                "hồ sơ {} đã có trong {}; không nhập lại",
                c.id, self.location
            )));
        }
        self.insert_case_row(c, &r.steps)?;
        for e in &r.events {
            self.insert_event(
                &c.id,
                (e.on_date, &e.actor, &e.step, &e.inputs),
                e.person.as_deref(),
            )?;
        }
        for (d, entry) in &r.documents {
            self.insert_document(&c.id, d)?;
            if let Some(e) = entry {
                let id = self.restore_entry(&c.id, e)?;
                self.link(&c.id, &d.doc, id)?;
            }
        }
        self.put_files(&c.id, &r.files)
    }

    fn file_sizes(&mut self, case: &str) -> Result<Vec<(String, u64)>> {
        Ok(self
            .query(
                "SELECT name, octet_length(bytes)::BIGINT FROM files WHERE case_id = $1 ORDER BY name",
                &[&case],
            )?
            .iter()
            .map(|r| (r.get(0), u64::try_from(r.get::<_, i64>(1)).unwrap_or(0)))
            .collect())
    }

    fn add_file(&mut self, case: &str, f: &FileRow) -> Result<()> {
        self.lock_case(case)?;
        if self
            .query_opt(
                "SELECT 1 FROM files WHERE case_id = $1 AND name = $2",
                &[&case, &f.name],
            )?
            .is_some()
        {
            return Err(Error::Conflict(format!(
                "hồ sơ {case} đã có tệp `{}`; tệp đã lưu không bị ghi đè",
                f.name
            )));
        }
        self.insert_file(case, f, false)
    }

    fn remove_file(&mut self, case: &str, name: &str) -> Result<Option<FileRow>> {
        self.lock_case(case)?;
        let found = self
            .query_opt(
                "SELECT name, item, doc, sha256, bytes, added_on FROM files
                 WHERE case_id = $1 AND name = $2",
                &[&case, &name],
            )?
            .map(|r| file_row(case, &r))
            .transpose()?;
        if found.is_some() {
            self.exec(
                "DELETE FROM files WHERE case_id = $1 AND name = $2",
                &[&case, &name],
            )?;
        }
        Ok(found)
    }

    fn append_event(&mut self, case: &str, e: &EventRow) -> Result<()> {
        self.lock_case(case)?;
        let person = e.person.clone().or_else(|| self.person.clone());
        self.insert_event(
            case,
            (e.on_date, &e.actor, &e.step, &e.inputs),
            person.as_deref(),
        )
    }

    fn keep_due(&mut self, kept: &[DueCache]) -> Result<()> {
        // One statement for all: a province's deadlines are thousands of rows.
        let cases: Vec<&str> = kept.iter().map(|k| k.case.as_str()).collect();
        let revisions: Vec<i64> = kept.iter().map(|k| k.revision).collect();
        let rules: Vec<&str> = kept.iter().map(|k| k.rules.as_str()).collect();
        let from: Vec<NaiveDate> = kept.iter().map(|k| k.from).collect();
        let through: Vec<Option<NaiveDate>> = kept.iter().map(|k| k.through).collect();
        let items: Vec<&str> = kept.iter().map(|k| k.items.as_str()).collect();
        self.exec(
            "INSERT INTO due_kept (case_id, revision, rules, from_day, through, items)
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::date[], $5::date[],
                                  $6::text[])
             ON CONFLICT (case_id) DO UPDATE SET revision = excluded.revision,
               rules = excluded.rules, from_day = excluded.from_day,
               through = excluded.through, items = excluded.items",
            &[&cases, &revisions, &rules, &from, &through, &items],
        )?;
        Ok(())
    }

    fn act_as(&mut self, login: &str) {
        self.person = Some(login.to_string());
    }

    fn insert_account(&mut self, a: &Account) -> Result<()> {
        let n = self.exec(
            "INSERT INTO accounts (login, name, role, agency, hash, disabled)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (login) DO NOTHING",
            &[&a.login, &a.name, &a.role, &a.agency, &a.hash, &a.disabled],
        )?;
        if n == 0 {
            return Err(Error::Conflict(format!(
                "tài khoản `{}` đã có; đổi mật khẩu bằng `hoso user passwd`",
                a.login
            )));
        }
        Ok(())
    }

    fn set_password(&mut self, login: &str, hash: &str) -> Result<()> {
        let n = self.exec(
            "UPDATE accounts SET hash = $2 WHERE login = $1",
            &[&login, &hash],
        )?;
        self.end_sessions(n, login)
    }

    fn disable_account(&mut self, login: &str) -> Result<()> {
        let n = self.exec(
            "UPDATE accounts SET disabled = true WHERE login = $1",
            &[&login],
        )?;
        self.end_sessions(n, login)
    }

    fn insert_session(
        &mut self,
        token_sha256: &str,
        login: &str,
        csrf: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        self.exec("DELETE FROM sessions WHERE expires_at <= $1", &[&now])?;
        self.exec(
            "INSERT INTO sessions (token_sha256, login, csrf, expires_at) VALUES ($1, $2, $3, $4)",
            &[&token_sha256, &login, &csrf, &expires_at],
        )?;
        Ok(())
    }

    fn delete_session(&mut self, token_sha256: &str) -> Result<()> {
        self.exec(
            "DELETE FROM sessions WHERE token_sha256 = $1",
            &[&token_sha256],
        )?;
        Ok(())
    }

    fn login_failed(&mut self, login: &str, at: i64, forget_before: i64) -> Result<()> {
        self.exec(
            "DELETE FROM login_failures WHERE at < $1",
            &[&forget_before],
        )?;
        self.exec(
            "INSERT INTO login_failures (login, at) VALUES ($1, $2)",
            &[&login, &at],
        )?;
        Ok(())
    }

    fn set_case_agency(&mut self, case: &str, agency: &str) -> Result<()> {
        self.exec(
            "INSERT INTO case_agencies (case_id, agency) VALUES ($1, $2)
             ON CONFLICT (case_id) DO UPDATE SET agency = EXCLUDED.agency",
            &[&case, &agency],
        )?;
        Ok(())
    }

    fn approve(&mut self, case: &str, a: &Approval) -> Result<()> {
        let n = self.exec(
            "INSERT INTO approvals (case_id, doc, login, on_date) VALUES ($1, $2, $3, $4)
             ON CONFLICT (case_id, doc) DO NOTHING",
            &[&case, &a.doc, &a.login, &a.on],
        )?;
        if n == 0 {
            let before = self.query_opt(
                "SELECT login, on_date FROM approvals WHERE case_id = $1 AND doc = $2",
                &[&case, &a.doc],
            )?;
            let (login, on): (String, NaiveDate) = match before {
                Some(r) => (r.get(0), r.get(1)),
                None => (String::new(), a.on),
            };
            return Err(Error::Conflict(format!(
                "văn bản {} của hồ sơ {case} đã được {login} duyệt ngày {}",
                a.doc,
                on.format("%Y-%m-%d")
            )));
        }
        Ok(())
    }

    fn copy_entries(&mut self, entries: &[Entry]) -> Result<()> {
        for e in entries {
            let number = to_i32(e.number)?;
            let copies = e.copies.map(to_i32).transpose()?;
            self.exec(
                &format!(
                    "INSERT INTO register ({ENTRY_COLUMNS})
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                             $16, $17, $18)"
                ),
                &[
                    &e.id,
                    &e.issuer.0,
                    &e.period,
                    &e.series,
                    &number,
                    &e.symbol,
                    &e.on_date,
                    &e.kind,
                    &e.trich_yeu,
                    &e.signer,
                    &e.recipients.join("\n"),
                    &e.luu.join("\n"),
                    &copies,
                    &e.case_id,
                    &e.doc,
                    &e.voided_on,
                    &e.void_reason,
                    &e.person,
                ],
            )?;
            self.exec(
                "INSERT INTO register_series (issuer, period, series) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&e.issuer.0, &e.period, &e.series],
            )?;
        }
        // Rows written with their own ids: the next row's id comes after them.
        self.exec(
            "SELECT setval(pg_get_serial_sequence('register', 'id'), MAX(id)) FROM register
             HAVING MAX(id) IS NOT NULL",
            &[],
        )?;
        Ok(())
    }

    fn copy_case(&mut self, c: &CaseCopy) -> Result<()> {
        let k = &c.case;
        self.insert_case_row(k, &c.steps)?;
        for e in &c.events {
            self.exec(
                "INSERT INTO events (seq, case_id, on_date, actor, step, inputs, person)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &e.seq,
                    &k.id,
                    &e.on_date,
                    &e.actor,
                    &e.step,
                    &e.inputs.to_string(),
                    &e.person,
                ],
            )?;
        }
        self.exec(
            "SELECT setval(pg_get_serial_sequence('events', 'seq'), MAX(seq)) FROM events
             HAVING MAX(seq) IS NOT NULL",
            &[],
        )?;
        for d in &c.documents {
            self.insert_document(&k.id, d)?;
            if let Some(entry) = d.entry {
                self.link(&k.id, &d.doc, entry)?;
            }
        }
        for f in &c.files {
            self.insert_file(&k.id, f, false)?;
        }
        if let Some(a) = &c.agency {
            self.set_case_agency(&k.id, a)?;
        }
        for a in &c.approvals {
            self.approve(&k.id, a)?;
        }
        Ok(())
    }

    fn commit(self: Box<Self>) -> Result<()> {
        let location = self.location.clone();
        self.tx.commit().map_err(pg_err(&location))
    }
}
