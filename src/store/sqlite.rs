//! The embedded store: one SQLite file in WAL mode. Every writer takes the write lock when it
//! begins (`BEGIN IMMEDIATE`), so concurrent clerks queue instead of failing half-way; the
//! event log and the book are guarded by triggers, so not even a hand-written statement can
//! rewrite history.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use super::copy::CaseCopy;
use super::schema::MIGRATIONS;
use super::testing::fail_point;
use super::{
    Account, Approval, BookKey, Books, CaseRow, DocumentRow, DueCache, DueRow, DueState, Ended,
    Entry, EventRow, FileRow, NewCase, NewEntry, Restore, StepChange, StepRow, Store, StoreTx,
};
use crate::error::{Error, Result};

pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// The cheap check ran and passed; a store that fails it takes no write.
    checked: bool,
}

/// What to tell a person whose database is damaged.
const RECOVER: &str = "cơ sở dữ liệu bị hỏng, không ghi gì thêm. Chạy `hoso db check` để xem \
     chỗ hỏng; khôi phục từ bản sao lưu gần nhất (hoặc `sqlite3 TỆP .recover`) rồi làm lại";

/// A failed statement, naming the database and, where SQLite's words would mislead, saying
/// what happened in the user's terms.
fn db_err(path: &Path) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DiskFull => {
            Error::storage(
                path,
                "ổ đĩa đầy (hoặc cơ sở dữ liệu đạt giới hạn kích thước): không có gì được ghi; \
                 giải phóng chỗ trống rồi làm lại",
            )
        }
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ReadOnly => {
            Error::storage(
                path,
                "cơ sở dữ liệu chỉ đọc được (ổ đĩa chỉ đọc hoặc không có quyền ghi): lệnh này \
                 cần ghi",
            )
        }
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::DatabaseCorrupt
                || f.code == rusqlite::ErrorCode::NotADatabase =>
        {
            Error::corrupt(path.display().to_string(), e)
        }
        _ => Error::storage(path, e),
    }
}

/// How a connection waits for another's write lock: a millisecond at a time, for up to 30 s.
/// SQLite's own busy timeout backs off to sleeps of up to 100 ms, which leave the lock free
/// while a waiting clerk sleeps: eight clients taking numbers of one series measured 0.89 ms a
/// number with it and 0.73–0.76 ms with this (`cargo bench --bench register`, quiet machine).
fn wait_a_moment(tries: i32) -> bool {
    const TRIES: i32 = 30_000;
    std::thread::sleep(std::time::Duration::from_millis(1));
    tries < TRIES
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// One line of a case's event log: recording a step, restoring an archive, detaching a file.
fn insert_event(
    conn: &Connection,
    case: &str,
    e: (NaiveDate, &str, &str, &serde_json::Value),
    person: Option<&str>,
) -> rusqlite::Result<usize> {
    let (on, actor, step, inputs) = e;
    conn.execute(
        "INSERT INTO events (case_id, on_date, actor, step, inputs, person)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![case, date_text(on), actor, step, inputs.to_string(), person],
    )
}

/// A whole case's own row and its steps in the order given (an archive's or another store's).
fn insert_case_row(conn: &Connection, c: &CaseRow, steps: &[StepRow]) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO cases (id, workflow, version, data, created_on, ended_by, ended_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            c.id,
            c.workflow,
            c.version,
            c.data.to_string(),
            date_text(c.created_on),
            c.ended.as_ref().map(|e| e.step.clone()),
            c.ended.as_ref().map(|e| date_text(e.on))
        ],
    )?;
    for s in steps {
        conn.execute(
            "INSERT INTO case_steps (case_id, step, state, due, done_on) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                c.id,
                s.step,
                if s.open { "open" } else { "done" },
                s.due.map(date_text),
                s.done_on.map(date_text)
            ],
        )?;
    }
    Ok(())
}

/// One document of a case: a draft with its data, and the body a person edited when an
/// archive restores one issued from their file.
fn insert_document(conn: &Connection, case: &str, d: &DocumentRow) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO documents (case_id, doc, step, template, data, drafted_on, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            case,
            d.doc,
            d.step,
            d.template,
            d.data.to_string(),
            date_text(d.drafted_on),
            d.body.as_ref().map(|b| b.to_string())
        ],
    )
}

/// One file of a case's hồ sơ. `replace`: an issued rendering written again takes its own
/// name's place; an attachment never does (the caller has checked the name is free).
fn insert_file(
    conn: &Connection,
    case: &str,
    f: &FileRow,
    replace: bool,
) -> rusqlite::Result<usize> {
    let verb = if replace {
        "INSERT OR REPLACE"
    } else {
        "INSERT"
    };
    conn.execute(
        &format!(
            "{verb} INTO files (case_id, name, item, doc, sha256, bytes, added_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        ),
        params![
            case,
            f.name,
            f.item,
            f.doc,
            f.sha256,
            f.bytes,
            date_text(f.added_on)
        ],
    )
}

/// A stored date; a damaged one is an error naming where it was, never 1970-01-01.
fn stored_date(what: impl std::fmt::Display, s: &str) -> rusqlite::Result<NaiveDate> {
    iso_date(s).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("{what}: `{s}` không phải ngày YYYY-MM-DD").into(),
        )
    })
}

/// A `YYYY-MM-DD` date, exactly as hoso stores it. Read for every row of a province's log,
/// so read by hand rather than through a format string.
fn iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

/// Stored JSON; damaged JSON is an error naming where it was, never `null`.
fn stored_json(what: impl std::fmt::Display, s: &str) -> rusqlite::Result<serde_json::Value> {
    serde_json::from_str(s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("{what}: dữ liệu JSON hỏng: {e}").into(),
        )
    })
}

const ENTRY_COLUMNS: &str =
    "id, issuer, period, series, number, symbol, on_date, kind, trich_yeu, signer,
    recipients, luu, copies, case_id, doc, voided_on, void_reason, person";

fn entry_row(r: &rusqlite::Row) -> rusqlite::Result<Entry> {
    let lines = |s: String| -> Vec<String> {
        s.lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    let id: i64 = r.get(0)?;
    // The message is formatted only if a date does not read: this runs for every line of a
    // province's book.
    let date =
        |s: &str| iso_date(s).map_or_else(|| stored_date(format!("sổ đăng ký, dòng {id}"), s), Ok);
    Ok(Entry {
        id,
        issuer: BookKey(r.get(1)?),
        period: r.get(2)?,
        series: r.get(3)?,
        number: r.get(4)?,
        symbol: r.get(5)?,
        on_date: date(&r.get::<_, String>(6)?)?,
        kind: r.get(7)?,
        trich_yeu: r.get(8)?,
        signer: r.get(9)?,
        recipients: lines(r.get(10)?),
        luu: lines(r.get(11)?),
        copies: r.get(12)?,
        case_id: r.get(13)?,
        doc: r.get(14)?,
        voided_on: match r.get::<_, Option<String>>(15)? {
            Some(s) => Some(date(&s)?),
            None => None,
        },
        void_reason: r.get(16)?,
        person: r.get(17)?,
    })
}

fn entry_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Entry> {
    conn.query_row(
        &format!("SELECT {ENTRY_COLUMNS} FROM register WHERE id = ?1"),
        [id],
        entry_row,
    )
}

const CASE_COLUMNS: &str = "id, workflow, version, data, created_on, ended_by, ended_on";

fn case_by_id(conn: &Connection, id: &str) -> rusqlite::Result<Option<CaseRow>> {
    conn.query_row(
        &format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = ?1"),
        [id],
        case_row,
    )
    .optional()
}

/// A case from [`CASE_COLUMNS`].
fn case_row(r: &rusqlite::Row) -> rusqlite::Result<CaseRow> {
    let id: String = r.get(0)?;
    let what = format!("hồ sơ {id}");
    let ended = match (
        r.get::<_, Option<String>>(5)?,
        r.get::<_, Option<String>>(6)?,
    ) {
        (Some(step), Some(on)) => Some(Ended {
            step,
            on: stored_date(&what, &on)?,
        }),
        _ => None,
    };
    Ok(CaseRow {
        ended,
        workflow: r.get(1)?,
        version: r.get(2)?,
        data: stored_json(&what, &r.get::<_, String>(3)?)?,
        created_on: stored_date(&what, &r.get::<_, String>(4)?)?,
        id,
    })
}

impl SqliteStore {
    /// Opens a store only to read it: a command that only reads works on a read-only disk or
    /// from an account that may not write there, and never creates or migrates a database. A
    /// missing file reads as an empty store. When SQLite cannot make the WAL's shared-memory
    /// file beside a read-only database, the file is read as immutable: nobody can be writing
    /// it from there.
    pub fn open_read_only(path: &Path) -> Result<SqliteStore> {
        use rusqlite::OpenFlags;
        let err = db_err(path);
        if !path.exists() {
            let mut conn = Connection::open_in_memory().map_err(&err)?;
            let tx = conn.transaction().map_err(&err)?;
            for m in MIGRATIONS {
                tx.execute_batch(m.sqlite).map_err(&err)?;
            }
            tx.commit().map_err(&err)?;
            return Ok(SqliteStore {
                conn,
                path: path.to_path_buf(),
                checked: false,
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI;
        let uri = |extra: &str| {
            let mut u = String::from("file:");
            for b in path.to_string_lossy().bytes() {
                match b {
                    b'%' | b'?' | b'#' => u.push_str(&format!("%{b:02X}")),
                    _ => u.push(b as char),
                }
            }
            format!("{u}?mode=ro{extra}")
        };
        let readable = |mut c: Connection| -> rusqlite::Result<Connection> {
            c.busy_handler(Some(wait_a_moment))?;
            c.query_row("SELECT COUNT(*) FROM sqlite_schema", [], |r| {
                r.get::<_, i64>(0)
            })?;
            Ok(c)
        };
        let conn = Connection::open_with_flags(uri(""), flags)
            .and_then(readable)
            .or_else(|_| Connection::open_with_flags(uri("&immutable=1"), flags).and_then(readable))
            .map_err(&err)?;
        // A database an older hoso wrote lacks columns this one reads: it is brought up to date
        // first (the same migration any write would run), or, where it cannot be written, the
        // person is told what to do instead of "no such column".
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(&err)?;
        if (version.max(0) as usize) < MIGRATIONS.len() {
            drop(conn);
            return SqliteStore::open(path).map_err(|e| {
                Error::storage(
                    path,
                    format!(
                        "cơ sở dữ liệu do một phiên bản hoso cũ hơn ghi (lược đồ {version}, cần {}) \
                         và không nâng cấp được ở đây ({e}); chạy hoso một lần với quyền ghi \
                         vào tệp này để nâng cấp",
                        MIGRATIONS.len()
                    ),
                )
            });
        }
        Ok(SqliteStore {
            conn,
            path: path.to_path_buf(),
            checked: false,
        })
    }

    /// Opens (creating if needed) a store and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let err = db_err(path);
        let mut conn = Connection::open(path).map_err(&err)?;
        // Set first: several processes may open a new file at once.
        conn.busy_handler(Some(wait_a_moment)).map_err(&err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(&err)?;
        // FULL: a committed number survives a power cut, not only a crash of the process, so
        // it is never given out twice.
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(&err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(&err)?;
        let current = |c: &Connection| -> rusqlite::Result<i64> {
            c.pragma_query_value(None, "user_version", |r| r.get(0))
        };
        if current(&conn).map_err(&err)? as usize >= MIGRATIONS.len() {
            return Ok(SqliteStore {
                conn,
                path: path.to_path_buf(),
                checked: false,
            });
        }
        // Read again inside the write transaction, so two processes opening the same new file
        // do not both run the migrations.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        let version = current(&tx).map_err(&err)?;
        for (i, m) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            tx.execute_batch(m.sqlite).map_err(&err)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .map_err(&err)?;
        }
        tx.commit().map_err(&err)?;
        Ok(SqliteStore {
            conn,
            path: path.to_path_buf(),
            checked: false,
        })
    }

    /// SQLite's own verdict: `quick_check` (pages, records, NOT NULL and CHECK constraints)
    /// plus `integrity_check` of the register, whose index decides which number comes next —
    /// a stale index there would give a number twice. `full`: `integrity_check` of it all and
    /// the foreign keys.
    fn sqlite_problems(&self, full: bool) -> Result<Vec<String>> {
        let rows = |sql: &str| -> Result<Vec<String>> {
            let mut st = self.conn.prepare(sql).map_err(self.err())?;
            st.query_map([], |r| {
                let v: rusqlite::types::Value = r.get(0)?;
                Ok(match v {
                    rusqlite::types::Value::Text(s) => s,
                    other => format!("{other:?}"),
                })
            })
            .map_err(self.err())?
            .collect::<rusqlite::Result<Vec<String>>>()
            .map_err(self.err())
        };
        let mut found = Vec::new();
        let checks: &[&str] = if full {
            &["PRAGMA integrity_check"]
        } else {
            &["PRAGMA quick_check", "PRAGMA integrity_check(register)"]
        };
        for sql in checks {
            found.extend(rows(sql)?.into_iter().filter(|r| r != "ok"));
        }
        if full {
            let mut st = self
                .conn
                .prepare("PRAGMA foreign_key_check")
                .map_err(self.err())?;
            let fk: Vec<String> = st
                .query_map([], |r| {
                    Ok(format!(
                        "khóa ngoại hỏng: bảng {} dòng {:?} trỏ tới {}",
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<i64>>(1)?,
                        r.get::<_, String>(2)?
                    ))
                })
                .map_err(self.err())?
                .collect::<rusqlite::Result<_>>()
                .map_err(self.err())?;
            found.extend(fk);
        }
        Ok(found)
    }

    /// Once per open store, before its first write: the cheap check, or a refusal to write.
    fn check_before_writing(&mut self) -> Result<()> {
        if self.checked {
            return Ok(());
        }
        let problems = self.sqlite_problems(false)?;
        if let Some(first) = problems.first() {
            return Err(Error::corrupt(
                self.location(),
                format!("{RECOVER} ({first})"),
            ));
        }
        self.checked = true;
        Ok(())
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        db_err(&self.path)
    }

    /// The connection, for tests that damage the file on purpose.
    #[doc(hidden)]
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

impl Store for SqliteStore {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn case(&self, id: &str) -> Result<CaseRow> {
        case_by_id(&self.conn, id)
            .map_err(self.err())?
            .ok_or_else(|| {
                Error::NotFound(format!("không có hồ sơ `{id}` trong {}", self.location()))
            })
    }

    fn cases(&self) -> Result<Vec<CaseRow>> {
        let mut st = self
            .conn
            .prepare(&format!("SELECT {CASE_COLUMNS} FROM cases ORDER BY id"))
            .map_err(self.err())?;
        st.query_map([], case_row)
            .map_err(self.err())?
            .collect::<rusqlite::Result<_>>()
            .map_err(self.err())
    }

    fn case_list(&self, fields: &[&str]) -> Result<Vec<CaseRow>> {
        // Each field read by its path, the absent ones dropped (a merge patch drops nulls):
        // half the time of taking the form apart member by member.
        let pairs: Vec<String> = (1..=fields.len())
            .map(|i| format!("?{i}, data ->> ('$.\"' || ?{i} || '\"')"))
            .collect();
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT id, workflow, version, json_patch('{{}}', json_object({})),
                        created_on, ended_by, ended_on
                 FROM cases c ORDER BY id",
                pairs.join(", ")
            ))
            .map_err(self.err())?;
        st.query_map(rusqlite::params_from_iter(fields), case_row)
            .map_err(self.err())?
            .collect::<rusqlite::Result<_>>()
            .map_err(self.err())
    }

    fn steps(&self, case: &str) -> Result<Vec<StepRow>> {
        steps_of(&self.conn, case).map_err(self.err())
    }

    fn events(&self, case: &str) -> Result<Vec<EventRow>> {
        let mut st = self
            .conn
            .prepare("SELECT seq, on_date, actor, step, inputs, person FROM events WHERE case_id = ?1 ORDER BY seq")
            .map_err(self.err())?;
        st.query_map([case], |r| event_row(case, r))
            .map_err(self.err())?
            .collect::<rusqlite::Result<_>>()
            .map_err(self.err())
    }

    fn every_step(&self) -> Result<HashMap<String, Vec<StepRow>>> {
        let mut st = self
            .conn
            .prepare("SELECT case_id, step, state, due, done_on FROM case_steps ORDER BY rowid")
            .map_err(self.err())?;
        let mut rows = st.query([]).map_err(self.err())?;
        let mut by_case: HashMap<String, Vec<StepRow>> = HashMap::new();
        while let Some(r) = rows.next().map_err(self.err())? {
            let case: String = r.get(0).map_err(self.err())?;
            let step = step_row(&case, r, 1).map_err(self.err())?;
            by_case.entry(case).or_default().push(step);
        }
        Ok(by_case)
    }

    fn every_event(&self, keep: &[(String, String)]) -> Result<HashMap<String, Vec<EventRow>>> {
        // Only the input kept is read out of an event's JSON, by SQLite: a report's
        // statistics form stays unparsed.
        let mut st = self
            .conn
            .prepare(
                "SELECT e.seq, e.on_date, e.actor, e.step,
                        CASE WHEN m.value IS NULL THEN '{}' ELSE json_object(m.value ->> '$[1]',
                          e.inputs ->> ('$.\"' || (m.value ->> '$[1]') || '\"')) END,
                        e.person, e.case_id
                 FROM events e LEFT JOIN json_each(?1) m ON m.value ->> '$[0]' = e.step
                 ORDER BY e.seq",
            )
            .map_err(self.err())?;
        let keep = serde_json::to_string(keep).map_err(|e| Error::Invalid(e.to_string()))?;
        let mut rows = st.query([keep]).map_err(self.err())?;
        let mut by_case: HashMap<String, Vec<EventRow>> = HashMap::new();
        while let Some(r) = rows.next().map_err(self.err())? {
            let case: String = r.get(6).map_err(self.err())?;
            let e = event_row(&case, r).map_err(self.err())?;
            by_case.entry(case).or_default().push(e);
        }
        Ok(by_case)
    }

    fn documents(&self, case: &str) -> Result<Vec<DocumentRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT doc, step, template, data, drafted_on, entry, body FROM documents
                 WHERE case_id = ?1",
            )
            .map_err(self.err())?;
        let mut docs: Vec<DocumentRow> = st
            .query_map([case], |r| {
                let doc: String = r.get(0)?;
                let what = format!("hồ sơ {case}, văn bản {doc}");
                Ok(DocumentRow {
                    step: r.get(1)?,
                    template: r.get(2)?,
                    data: stored_json(&what, &r.get::<_, String>(3)?)?,
                    drafted_on: stored_date(&what, &r.get::<_, String>(4)?)?,
                    entry: r.get(5)?,
                    body: r
                        .get::<_, Option<String>>(6)?
                        .map(|b| stored_json(&what, &b))
                        .transpose()?,
                    doc,
                })
            })
            .map_err(self.err())?
            .collect::<rusqlite::Result<_>>()
            .map_err(self.err())?;
        docs.sort_by_key(|d| (d.seq(), d.doc.clone()));
        Ok(docs)
    }

    fn files(&self, case: &str, doc: Option<&str>) -> Result<Vec<FileRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT name, item, doc, sha256, bytes, added_on
                 FROM files WHERE case_id = ?1 AND (?2 IS NULL OR doc = ?2) ORDER BY name",
            )
            .map_err(self.err())?;
        st.query_map(params![case, doc], |r| {
            let name: String = r.get(0)?;
            let what = format!("hồ sơ {case}, tệp {name}");
            Ok(FileRow {
                item: r.get(1)?,
                doc: r.get(2)?,
                sha256: r.get(3)?,
                bytes: r.get(4)?,
                added_on: stored_date(&what, &r.get::<_, String>(5)?)?,
                name,
            })
        })
        .map_err(self.err())?
        .collect::<rusqlite::Result<_>>()
        .map_err(self.err())
    }

    fn file(&self, case: &str, name: &str) -> Result<Option<FileRow>> {
        let what = format!("hồ sơ {case}, tệp {name}");
        self.conn
            .query_row(
                "SELECT item, doc, sha256, bytes, added_on FROM files
                 WHERE case_id = ?1 AND name = ?2",
                params![case, name],
                |r| {
                    Ok(FileRow {
                        name: name.to_string(),
                        item: r.get(0)?,
                        doc: r.get(1)?,
                        sha256: r.get(2)?,
                        bytes: r.get(3)?,
                        added_on: stored_date(&what, &r.get::<_, String>(4)?)?,
                    })
                },
            )
            .optional()
            .map_err(self.err())
    }

    fn due(&self, before: Option<NaiveDate>) -> Result<Vec<DueRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT s.case_id, c.workflow, s.step, s.due FROM case_steps s JOIN cases c ON c.id = s.case_id
                 WHERE s.state = 'open' AND s.due IS NOT NULL AND (?1 IS NULL OR s.due <= ?1)
                   AND c.ended_on IS NULL
                 ORDER BY s.due, s.case_id, s.step",
            )
            .map_err(self.err())?;
        st.query_map([before.map(date_text)], |r| {
            let case: String = r.get(0)?;
            let step: String = r.get(2)?;
            let due = stored_date(
                format!("hồ sơ {case}, bước {step}"),
                &r.get::<_, String>(3)?,
            )?;
            Ok(DueRow {
                case,
                workflow: r.get(1)?,
                step,
                due,
            })
        })
        .map_err(self.err())?
        .collect::<rusqlite::Result<_>>()
        .map_err(self.err())
    }

    fn entry(&self, id: i64) -> Result<Entry> {
        entry_by_id(&self.conn, id).map_err(self.err())
    }

    fn due_states(&self, rules: &str, on: NaiveDate) -> Result<Vec<DueState>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT c.id, COALESCE(r.revision, 0),
                        CASE WHEN k.revision = COALESCE(r.revision, 0) AND k.rules = ?1
                                  AND k.from_day <= ?2 AND (k.through IS NULL OR k.through >= ?2)
                             THEN k.items END
                 FROM cases c LEFT JOIN case_revisions r ON r.case_id = c.id
                      LEFT JOIN due_kept k ON k.case_id = c.id
                 WHERE c.ended_on IS NULL ORDER BY c.id",
            )
            .map_err(self.err())?;
        st.query_map(params![rules, date_text(on)], |r| {
            Ok(DueState {
                case: r.get(0)?,
                revision: r.get(1)?,
                kept: r.get(2)?,
            })
        })
        .map_err(self.err())?
        .collect::<rusqlite::Result<_>>()
        .map_err(self.err())
    }

    fn open_steps(&self) -> Result<HashMap<String, Vec<String>>> {
        let mut st = self
            .conn
            .prepare("SELECT case_id, step FROM case_steps WHERE state = 'open' ORDER BY rowid")
            .map_err(self.err())?;
        let mut rows = st.query([]).map_err(self.err())?;
        let mut by_case: HashMap<String, Vec<String>> = HashMap::new();
        while let Some(r) = rows.next().map_err(self.err())? {
            let case: String = r.get(0).map_err(self.err())?;
            by_case
                .entry(case)
                .or_default()
                .push(r.get(1).map_err(self.err())?);
        }
        Ok(by_case)
    }

    fn case_entries(&self, case: &str) -> Result<Vec<Entry>> {
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT {ENTRY_COLUMNS} FROM register
                 WHERE id IN (SELECT entry FROM documents WHERE case_id = ?1)"
            ))
            .map_err(self.err())?;
        st.query_map([case], entry_row)
            .map_err(self.err())?
            .collect::<rusqlite::Result<_>>()
            .map_err(self.err())
    }

    fn book(&self, which: Books, year: Option<i32>) -> Result<Vec<Entry>> {
        let (exact, part) = match which {
            Books::All => (None, None),
            Books::Of(k) => (Some(k.0.as_str()), None),
            Books::NameContains(p) => (None, Some(p)),
        };
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT {ENTRY_COLUMNS} FROM register
                 WHERE (?1 IS NULL OR issuer = ?1)
                   AND (?2 IS NULL OR instr(issuer, ?2) > 0)
                   AND (?3 IS NULL OR substr(on_date, 1, 4) = ?3)"
            ))
            .map_err(self.err())?;
        let mut entries: Vec<Entry> = st
            .query_map(params![exact, part, year.map(|y| y.to_string())], entry_row)
            .map_err(self.err())?
            .collect::<rusqlite::Result<_>>()
            .map_err(self.err())?;
        // Sorted here, not by SQLite: its ORDER BY walks the unique index and sorts again in
        // a temporary B-tree, 0.13 s of a 30,000-entry book. Rust's order of strings is
        // SQLite's BINARY collation: byte by byte.
        entries.sort_by(|a, b| (&a.issuer.0, &a.period, a.id).cmp(&(&b.issuer.0, &b.period, b.id)));
        Ok(entries)
    }

    fn check(&self, full: bool, files: bool) -> Result<Vec<String>> {
        let mut problems = self.sqlite_problems(full)?;
        if !problems.is_empty() || !files {
            return Ok(problems);
        }
        let mut st = self
            .conn
            .prepare("SELECT case_id, name, sha256, bytes FROM files ORDER BY case_id, name")
            .map_err(self.err())?;
        let mut rows = st.query([]).map_err(self.err())?;
        while let Some(r) = rows.next().map_err(self.err())? {
            let (case, name, sha): (String, String, String) = (
                r.get(0).map_err(self.err())?,
                r.get(1).map_err(self.err())?,
                r.get(2).map_err(self.err())?,
            );
            let bytes = r.get_ref(3).map_err(self.err())?;
            let bytes = bytes
                .as_blob()
                .map_err(|e| Error::corrupt(format!("hồ sơ {case}, tệp {name}"), e))?;
            if crate::fsutil::sha256_hex(bytes) != sha {
                problems.push(format!(
                    "hồ sơ {case}, tệp {name}: không còn khớp SHA-256 đã ghi khi lưu"
                ));
            }
        }
        Ok(problems)
    }

    fn account(&self, login: &str) -> Result<Option<Account>> {
        self.conn
            .query_row(
                &format!("{ACCOUNT_COLUMNS} WHERE login = ?1"),
                [login],
                account_row,
            )
            .optional()
            .map_err(self.err())
    }

    fn accounts(&self) -> Result<Vec<Account>> {
        let mut st = self
            .conn
            .prepare(&format!("{ACCOUNT_COLUMNS} ORDER BY agency, login"))
            .map_err(self.err())?;
        st.query_map([], account_row)
            .map_err(self.err())?
            .collect::<rusqlite::Result<_>>()
            .map_err(self.err())
    }

    fn session(&self, token_sha256: &str, now: i64) -> Result<Option<(Account, String)>> {
        let found: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT login, csrf FROM sessions WHERE token_sha256 = ?1 AND expires_at > ?2",
                params![token_sha256, now],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(self.err())?;
        let Some((login, csrf)) = found else {
            return Ok(None);
        };
        Ok(self
            .account(&login)?
            .filter(|a| !a.disabled)
            .map(|a| (a, csrf)))
    }

    fn login_failures(&self, login: &str, since: i64) -> Result<u32> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM login_failures WHERE login = ?1 AND at >= ?2",
                params![login, since],
                |r| r.get(0),
            )
            .map_err(self.err())
    }

    fn case_agency(&self, case: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT agency FROM case_agencies WHERE case_id = ?1",
                [case],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err())
    }

    fn case_agencies(&self) -> Result<std::collections::HashMap<String, String>> {
        let mut st = self
            .conn
            .prepare("SELECT case_id, agency FROM case_agencies")
            .map_err(self.err())?;
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(self.err())
    }

    fn approvals(&self, case: &str) -> Result<Vec<Approval>> {
        let mut st = self
            .conn
            .prepare("SELECT doc, login, on_date FROM approvals WHERE case_id = ?1 ORDER BY doc")
            .map_err(self.err())?;
        st.query_map([case], |r| {
            let doc: String = r.get(0)?;
            let what = format!("hồ sơ {case}, duyệt văn bản {doc}");
            Ok(Approval {
                login: r.get(1)?,
                on: stored_date(&what, &r.get::<_, String>(2)?)?,
                doc,
            })
        })
        .map_err(self.err())?
        .collect::<rusqlite::Result<_>>()
        .map_err(self.err())
    }

    fn begin(&mut self) -> Result<Box<dyn StoreTx + '_>> {
        self.check_before_writing()?;
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err(&path))?;
        Ok(Box::new(SqliteTx {
            tx,
            path,
            person: None,
        }))
    }
}

fn steps_of(conn: &Connection, case: &str) -> rusqlite::Result<Vec<StepRow>> {
    let mut st = conn.prepare(
        "SELECT step, state, due, done_on FROM case_steps WHERE case_id = ?1 ORDER BY rowid",
    )?;
    st.query_map([case], |r| step_row(case, r, 0))?.collect()
}

/// A step row of `case` from columns step, state, due, done_on starting at `at`.
fn step_row(case: &str, r: &rusqlite::Row, at: usize) -> rusqlite::Result<StepRow> {
    let step: String = r.get(at)?;
    let date = |s: Option<String>| {
        s.map(|s| stored_date(format_args!("hồ sơ {case}, bước {step}"), &s))
            .transpose()
    };
    Ok(StepRow {
        open: r.get::<_, String>(at + 1)? == "open",
        due: date(r.get(at + 2)?)?,
        done_on: date(r.get(at + 3)?)?,
        step,
    })
}

/// An event of `case` from columns seq, on_date, actor, step, inputs, person.
fn event_row(case: &str, r: &rusqlite::Row) -> rusqlite::Result<EventRow> {
    let seq: i64 = r.get(0)?;
    // Named only when a value is damaged: this runs for every row of a province's log.
    Ok(EventRow {
        seq,
        on_date: stored_date(
            format_args!("hồ sơ {case}, sự kiện {seq}"),
            r.get_ref(1)?.as_str()?,
        )?,
        actor: r.get(2)?,
        step: r.get(3)?,
        inputs: stored_json(
            format_args!("hồ sơ {case}, sự kiện {seq}"),
            r.get_ref(4)?.as_str()?,
        )?,
        person: r.get(5)?,
    })
}

struct SqliteTx<'a> {
    tx: Transaction<'a>,
    path: PathBuf,
    /// The account the events of this transaction are recorded under.
    person: Option<String>,
}

impl SqliteTx<'_> {
    fn err(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        db_err(&self.path)
    }

    /// Refuses a step whose plan is stale: the step closed, or the case moved on, since it was
    /// planned. Names who recorded the step that came first.
    fn check_still_open(&self, c: &StepChange) -> Result<()> {
        let state: Option<String> = self
            .tx
            .query_row(
                "SELECT state FROM case_steps WHERE case_id = ?1 AND step = ?2",
                params![c.case_id, c.step],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err())?;
        let events: i64 = self
            .tx
            .query_row(
                "SELECT COUNT(*) FROM events WHERE case_id = ?1",
                [c.case_id],
                |r| r.get(0),
            )
            .map_err(self.err())?;
        let in_place_of_dropped = state.is_none() && !c.dropped.is_empty();
        if (state.as_deref() == Some("open") || in_place_of_dropped)
            && events as usize == c.events_seen
        {
            return Ok(());
        }
        let last: Option<(String, String, String)> = self
            .tx
            .query_row(
                "SELECT step, on_date, actor || coalesce(', ' || person, '') FROM events
                 WHERE case_id = ?1 ORDER BY seq DESC LIMIT 1",
                [c.case_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(self.err())?;
        let by = last
            .map(|(step, on, actor)| format!("; vừa ghi: bước `{step}` ngày {on} ({actor})"))
            .unwrap_or_default();
        Err(Error::Conflict(format!(
            "hồ sơ {} đã thay đổi trong khi bước `{}` được chuẩn bị: bước không còn mở hoặc \
             đã có người ghi trước{by}. Xem `hoso case status {}` rồi làm lại nếu cần.",
            c.case_id, c.step, c.case_id
        )))
    }
}

impl StoreTx for SqliteTx<'_> {
    fn next_case_id(&mut self) -> Result<String> {
        let highest: Option<i64> = self
            .tx
            .query_row(
                "SELECT MAX(CAST(substr(id, 2) AS INTEGER)) FROM cases WHERE id GLOB 'C[0-9]*'",
                [],
                |r| r.get(0),
            )
            .map_err(self.err())?;
        Ok(format!("C{:04}", highest.unwrap_or(0) + 1))
    }

    fn insert_case(&mut self, id: &str, c: &NewCase) -> Result<()> {
        let err = db_err(&self.path);
        self.tx
            .execute(
                "INSERT INTO cases (id, workflow, version, data, created_on) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, c.workflow, c.version, c.data.to_string(), date_text(c.opened)],
            )
            .map_err(&err)?;
        self.tx
            .execute(
                "INSERT INTO case_steps (case_id, step, state, due) VALUES (?1, ?2, 'open', ?3)",
                params![id, c.first_step, c.first_due.map(date_text)],
            )
            .map_err(&err)?;
        Ok(())
    }

    fn record_step(&mut self, c: &StepChange) -> Result<Vec<String>> {
        self.check_still_open(c)?;
        let err = db_err(&self.path);
        let tx = &self.tx;
        tx.execute(
            "UPDATE cases SET data = ?2 WHERE id = ?1",
            params![c.case_id, c.data.to_string()],
        )
        .map_err(&err)?;
        if let Some((workflow, version)) = c.procedure {
            tx.execute(
                "UPDATE cases SET workflow = ?2, version = ?3 WHERE id = ?1",
                params![c.case_id, workflow, version],
            )
            .map_err(&err)?;
        }
        let state = if c.close_step || c.ends {
            "done"
        } else {
            "open"
        };
        tx.execute(
            "INSERT INTO case_steps (case_id, step, state, done_on) VALUES (?1, ?2, ?4, ?3)
             ON CONFLICT (case_id, step) DO UPDATE SET state = ?4, done_on = ?3",
            params![c.case_id, c.step, date_text(c.on_date), state],
        )
        .map_err(&err)?;
        for step in c.dropped {
            tx.execute(
                "UPDATE case_steps SET state = 'done' WHERE case_id = ?1 AND step = ?2",
                params![c.case_id, step],
            )
            .map_err(&err)?;
        }
        if c.ends {
            tx.execute(
                "UPDATE cases SET ended_by = ?2, ended_on = ?3 WHERE id = ?1",
                params![c.case_id, c.step, date_text(c.on_date)],
            )
            .map_err(&err)?;
            // Nothing stays open in an ended case: what was still open was never done.
            tx.execute(
                "UPDATE case_steps SET state = 'done' WHERE case_id = ?1 AND state = 'open'",
                params![c.case_id],
            )
            .map_err(&err)?;
        }
        for (step, due) in c.opened {
            tx.execute(
                "INSERT INTO case_steps (case_id, step, state, due) VALUES (?1, ?2, 'open', ?3)
                 ON CONFLICT (case_id, step) DO UPDATE SET state = 'open', due = excluded.due",
                params![c.case_id, step, due.map(date_text)],
            )
            .map_err(&err)?;
        }
        insert_event(
            tx,
            c.case_id,
            (c.on_date, c.actor, c.step, c.inputs),
            self.person.as_deref(),
        )
        .map_err(&err)?;
        let highest: Option<i64> = tx
            .query_row(
                "SELECT MAX(CAST(substr(doc, 1, instr(doc, '-') - 1) AS INTEGER)) FROM documents
                 WHERE case_id = ?1",
                [c.case_id],
                |r| r.get(0),
            )
            .map_err(&err)?;
        let mut ids = Vec::new();
        for (i, (template, data)) in c.drafts.iter().enumerate() {
            let id = format!("{:02}-{template}", highest.unwrap_or(0) + i as i64 + 1);
            let draft = DocumentRow {
                doc: id.clone(),
                step: c.step.to_string(),
                template: template.to_string(),
                data: data.clone(),
                drafted_on: c.on_date,
                entry: None,
                body: None,
            };
            insert_document(tx, c.case_id, &draft).map_err(&err)?;
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
        let id: Option<i64> = self
            .tx
            .query_row(
                "SELECT r.id FROM documents d JOIN register r ON r.id = d.entry
                 WHERE d.case_id = ?1 AND d.doc = ?2 AND r.voided_on IS NULL",
                params![case, doc],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err())?;
        id.map(|id| entry_by_id(&self.tx, id).map_err(self.err()))
            .transpose()
    }

    fn insert_entry(&mut self, e: &NewEntry) -> Result<Entry> {
        let (case_id, doc) = match &e.document {
            Some((c, d)) => (Some(c.as_str()), Some(d.as_str())),
            None => (None, None),
        };
        self.tx
            .execute(
                "INSERT INTO register (issuer, period, series, number, symbol, on_date, kind, trich_yeu,
                     signer, recipients, luu, copies, case_id, doc, person)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                params![
                    e.issuer.0,
                    e.period,
                    e.series,
                    e.number,
                    e.symbol,
                    date_text(e.on_date),
                    e.kind,
                    e.trich_yeu,
                    e.signer,
                    e.recipients.join("\n"),
                    e.luu.join("\n"),
                    e.copies,
                    case_id,
                    doc,
                    self.person.as_deref(),
                ],
            )
            .map_err(self.err())?;
        let id = self.tx.last_insert_rowid();
        if let (Some(c), Some(d)) = (case_id, doc) {
            self.link(c, d, id)?;
        }
        entry_by_id(&self.tx, id).map_err(self.err())
    }

    fn void_entry(&mut self, id: i64, on: NaiveDate, reason: &str) -> Result<Entry> {
        self.tx
            .execute(
                "UPDATE register SET voided_on = ?2, void_reason = ?3 WHERE id = ?1",
                params![id, date_text(on), reason],
            )
            .map_err(self.err())?;
        entry_by_id(&self.tx, id).map_err(self.err())
    }

    fn link(&mut self, case: &str, doc: &str, entry: i64) -> Result<()> {
        self.tx
            .execute(
                "UPDATE documents SET entry = ?3 WHERE case_id = ?1 AND doc = ?2",
                params![case, doc, entry],
            )
            .map_err(self.err())?;
        Ok(())
    }

    fn set_body(&mut self, case: &str, doc: &str, body: &serde_json::Value) -> Result<()> {
        self.tx
            .execute(
                "UPDATE documents SET body = ?3 WHERE case_id = ?1 AND doc = ?2",
                params![case, doc, body.to_string()],
            )
            .map_err(self.err())?;
        Ok(())
    }

    fn put_files(&mut self, case: &str, files: &[FileRow]) -> Result<()> {
        for f in files {
            insert_file(&self.tx, case, f, true).map_err(self.err())?;
        }
        Ok(())
    }

    fn restore(&mut self, r: &Restore) -> Result<()> {
        let c = &r.case;
        if case_by_id(&self.tx, &c.id).map_err(self.err())?.is_some() {
            return Err(Error::Conflict(format!(
                "hồ sơ {} đã có trong {}; không nhập lại",
                c.id,
                self.path.display()
            )));
        }
        let path = self.path.clone();
        let err = db_err(&path);
        insert_case_row(&self.tx, c, &r.steps).map_err(&err)?;
        for e in &r.events {
            insert_event(
                &self.tx,
                &c.id,
                (e.on_date, &e.actor, &e.step, &e.inputs),
                e.person.as_deref(),
            )
            .map_err(&err)?;
        }
        for (d, entry) in &r.documents {
            insert_document(&self.tx, &c.id, d).map_err(&err)?;
            if let Some(e) = entry {
                let id = self.restore_entry(&c.id, e)?;
                self.link(&c.id, &d.doc, id)?;
            }
        }
        self.put_files(&c.id, &r.files)
    }

    fn file_sizes(&mut self, case: &str) -> Result<Vec<(String, u64)>> {
        let mut st = self
            .tx
            .prepare("SELECT name, length(bytes) FROM files WHERE case_id = ?1 ORDER BY name")
            .map_err(self.err())?;
        st.query_map([case], |r| {
            Ok((r.get(0)?, u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0)))
        })
        .map_err(self.err())?
        .collect::<rusqlite::Result<_>>()
        .map_err(self.err())
    }

    fn add_file(&mut self, case: &str, f: &FileRow) -> Result<()> {
        let taken: Option<i64> = self
            .tx
            .query_row(
                "SELECT 1 FROM files WHERE case_id = ?1 AND name = ?2",
                params![case, f.name],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err())?;
        if taken.is_some() {
            return Err(Error::Conflict(format!(
                "hồ sơ {case} đã có tệp `{}`; tệp đã lưu không bị ghi đè",
                f.name
            )));
        }
        insert_file(&self.tx, case, f, false).map_err(self.err())?;
        Ok(())
    }

    fn remove_file(&mut self, case: &str, name: &str) -> Result<Option<FileRow>> {
        let what = format!("hồ sơ {case}, tệp {name}");
        let found = self
            .tx
            .query_row(
                "SELECT item, doc, sha256, bytes, added_on FROM files
                 WHERE case_id = ?1 AND name = ?2",
                params![case, name],
                |r| {
                    Ok(FileRow {
                        name: name.to_string(),
                        item: r.get(0)?,
                        doc: r.get(1)?,
                        sha256: r.get(2)?,
                        bytes: r.get(3)?,
                        added_on: stored_date(&what, &r.get::<_, String>(4)?)?,
                    })
                },
            )
            .optional()
            .map_err(self.err())?;
        if found.is_some() {
            self.tx
                .execute(
                    "DELETE FROM files WHERE case_id = ?1 AND name = ?2",
                    params![case, name],
                )
                .map_err(self.err())?;
        }
        Ok(found)
    }

    fn append_event(&mut self, case: &str, e: &EventRow) -> Result<()> {
        let person = e.person.as_deref().or(self.person.as_deref());
        insert_event(
            &self.tx,
            case,
            (e.on_date, &e.actor, &e.step, &e.inputs),
            person,
        )
        .map_err(self.err())?;
        Ok(())
    }

    fn keep_due(&mut self, kept: &[DueCache]) -> Result<()> {
        let mut st = self
            .tx
            .prepare_cached(
                "INSERT INTO due_kept (case_id, revision, rules, from_day, through, items)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (case_id) DO UPDATE SET revision = excluded.revision,
                   rules = excluded.rules, from_day = excluded.from_day,
                   through = excluded.through, items = excluded.items",
            )
            .map_err(self.err())?;
        for k in kept {
            st.execute(params![
                k.case,
                k.revision,
                k.rules,
                date_text(k.from),
                k.through.map(date_text),
                k.items
            ])
            .map_err(self.err())?;
        }
        Ok(())
    }

    fn act_as(&mut self, login: &str) {
        self.person = Some(login.to_string());
    }

    fn insert_account(&mut self, a: &Account) -> Result<()> {
        let taken: bool = self
            .tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM accounts WHERE login = ?1)",
                [&a.login],
                |r| r.get(0),
            )
            .map_err(self.err())?;
        if taken {
            return Err(Error::Conflict(format!(
                "tài khoản `{}` đã có; đổi mật khẩu bằng `hoso user passwd`",
                a.login
            )));
        }
        self.tx
            .execute(
                "INSERT INTO accounts (login, name, role, agency, hash, disabled)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![a.login, a.name, a.role, a.agency, a.hash, a.disabled],
            )
            .map_err(self.err())?;
        Ok(())
    }

    fn set_password(&mut self, login: &str, hash: &str) -> Result<()> {
        let n = self
            .tx
            .execute(
                "UPDATE accounts SET hash = ?2 WHERE login = ?1",
                params![login, hash],
            )
            .map_err(self.err())?;
        self.end_sessions(n, login)
    }

    fn disable_account(&mut self, login: &str) -> Result<()> {
        let n = self
            .tx
            .execute("UPDATE accounts SET disabled = 1 WHERE login = ?1", [login])
            .map_err(self.err())?;
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
        self.tx
            .execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])
            .map_err(self.err())?;
        self.tx
            .execute(
                "INSERT INTO sessions (token_sha256, login, csrf, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![token_sha256, login, csrf, expires_at],
            )
            .map_err(self.err())?;
        Ok(())
    }

    fn delete_session(&mut self, token_sha256: &str) -> Result<()> {
        self.tx
            .execute(
                "DELETE FROM sessions WHERE token_sha256 = ?1",
                [token_sha256],
            )
            .map_err(self.err())?;
        Ok(())
    }

    fn login_failed(&mut self, login: &str, at: i64, forget_before: i64) -> Result<()> {
        self.tx
            .execute("DELETE FROM login_failures WHERE at < ?1", [forget_before])
            .map_err(self.err())?;
        self.tx
            .execute(
                "INSERT INTO login_failures (login, at) VALUES (?1, ?2)",
                params![login, at],
            )
            .map_err(self.err())?;
        Ok(())
    }

    fn set_case_agency(&mut self, case: &str, agency: &str) -> Result<()> {
        self.tx
            .execute(
                "INSERT INTO case_agencies (case_id, agency) VALUES (?1, ?2)
                 ON CONFLICT (case_id) DO UPDATE SET agency = excluded.agency",
                params![case, agency],
            )
            .map_err(self.err())?;
        Ok(())
    }

    fn approve(&mut self, case: &str, a: &Approval) -> Result<()> {
        let before: Option<(String, String)> = self
            .tx
            .query_row(
                "SELECT login, on_date FROM approvals WHERE case_id = ?1 AND doc = ?2",
                params![case, a.doc],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(self.err())?;
        if let Some((login, on)) = before {
            return Err(Error::Conflict(format!(
                "văn bản {} của hồ sơ {case} đã được {login} duyệt ngày {on}",
                a.doc
            )));
        }
        self.tx
            .execute(
                "INSERT INTO approvals (case_id, doc, login, on_date) VALUES (?1, ?2, ?3, ?4)",
                params![case, a.doc, a.login, date_text(a.on)],
            )
            .map_err(self.err())?;
        Ok(())
    }

    fn copy_entries(&mut self, entries: &[Entry]) -> Result<()> {
        for e in entries {
            self.tx
                .execute(
                    &format!(
                        "INSERT INTO register ({ENTRY_COLUMNS})
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,
                                 ?15, ?16, ?17, ?18)"
                    ),
                    params![
                        e.id,
                        e.issuer.0,
                        e.period,
                        e.series,
                        e.number,
                        e.symbol,
                        date_text(e.on_date),
                        e.kind,
                        e.trich_yeu,
                        e.signer,
                        e.recipients.join("\n"),
                        e.luu.join("\n"),
                        e.copies,
                        e.case_id,
                        e.doc,
                        e.voided_on.map(date_text),
                        e.void_reason,
                        e.person
                    ],
                )
                .map_err(self.err())?;
        }
        Ok(())
    }

    fn copy_case(&mut self, c: &CaseCopy) -> Result<()> {
        let path = self.path.clone();
        let err = db_err(&path);
        let k = &c.case;
        insert_case_row(&self.tx, k, &c.steps).map_err(&err)?;
        for e in &c.events {
            self.tx
                .execute(
                    "INSERT INTO events (seq, case_id, on_date, actor, step, inputs, person)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        e.seq,
                        k.id,
                        date_text(e.on_date),
                        e.actor,
                        e.step,
                        e.inputs.to_string(),
                        e.person
                    ],
                )
                .map_err(&err)?;
        }
        for d in &c.documents {
            insert_document(&self.tx, &k.id, d).map_err(&err)?;
            if let Some(entry) = d.entry {
                self.link(&k.id, &d.doc, entry)?;
            }
        }
        for f in &c.files {
            insert_file(&self.tx, &k.id, f, false).map_err(&err)?;
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
        let path = self.path.clone();
        self.tx.commit().map_err(db_err(&path))
    }
}

/// The columns of an account, in [`account_row`]'s order.
const ACCOUNT_COLUMNS: &str = "SELECT login, name, role, agency, hash, disabled FROM accounts";

fn account_row(r: &rusqlite::Row) -> rusqlite::Result<Account> {
    Ok(Account {
        login: r.get(0)?,
        name: r.get(1)?,
        role: r.get(2)?,
        agency: r.get(3)?,
        hash: r.get(4)?,
        disabled: r.get(5)?,
    })
}

impl SqliteTx<'_> {
    /// Ends the sessions of an account that was just changed (`n` rows): a changed password
    /// or a disabled account leaves no session open.
    fn end_sessions(&mut self, n: usize, login: &str) -> Result<()> {
        if n == 0 {
            return Err(Error::NotFound(format!("không có tài khoản `{login}`")));
        }
        self.tx
            .execute("DELETE FROM sessions WHERE login = ?1", [login])
            .map_err(self.err())?;
        Ok(())
    }
}

impl SqliteTx<'_> {
    /// The highest-numbered entry of a series, or of its live entries.
    fn last_entry(
        &self,
        issuer: &BookKey,
        period: &str,
        series: &str,
        live_only: bool,
    ) -> Result<Option<Entry>> {
        self.tx
            .query_row(
                &format!(
                    "SELECT {ENTRY_COLUMNS} FROM register
                     WHERE issuer = ?1 AND period = ?2 AND series = ?3
                       AND (?4 = 0 OR voided_on IS NULL)
                     ORDER BY number DESC LIMIT 1"
                ),
                params![issuer.0, period, series, live_only],
                entry_row,
            )
            .optional()
            .map_err(self.err())
    }

    /// The id of an archive's entry in the local book: the same entry when the book has it,
    /// a new one when it lacks it; another document's number is a conflict.
    fn restore_entry(&mut self, case: &str, e: &NewEntry) -> Result<i64> {
        let found: Option<(i64, Option<String>, Option<String>)> = self
            .tx
            .query_row(
                "SELECT id, case_id, doc FROM register
                 WHERE issuer = ?1 AND period = ?2 AND series = ?3 AND number = ?4",
                params![e.issuer.0, e.period, e.series, e.number],
                |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)),
            )
            .optional()
            .map_err(self.err())?;
        let numbered = e.document.as_ref().map(|(_, d)| d.as_str());
        match found {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_and_append_only_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut s = SqliteStore::open(&path).unwrap();
        let data = serde_json::json!({"ten_mo_hinh": "Camera an ninh"});
        let d = NaiveDate::from_ymd_opt(2023, 2, 6).unwrap();
        let mut tx = s.begin().unwrap();
        let id = tx.next_case_id().unwrap();
        tx.insert_case(
            &id,
            &NewCase {
                workflow: "mo-hinh".into(),
                version: "2022.1".into(),
                data: data.clone(),
                opened: d,
                first_step: "khao-sat".into(),
                first_due: None,
            },
        )
        .unwrap();
        tx.commit().unwrap();
        assert_eq!(id, "C0001");
        let change = StepChange {
            case_id: &id,
            data: &data,
            on_date: d,
            actor: "cong-an-xa",
            step: "khao-sat",
            inputs: &serde_json::json!({}),
            close_step: true,
            ends: false,
            procedure: None,
            events_seen: 0,
            dropped: &[],
            opened: &[("bao-cao-khao-sat".into(), None)],
            drafts: &[(
                "ke-hoach-khao-sat".into(),
                serde_json::json!({"xa": "Đắk Mar"}),
            )],
        };
        let mut tx = s.begin().unwrap();
        tx.record_step(&change).unwrap();
        tx.commit().unwrap();
        // The same plan again is stale: the step is done.
        let mut tx = s.begin().unwrap();
        assert!(matches!(tx.record_step(&change), Err(Error::Conflict(_))));
        drop(tx);
        drop(s);
        // Reopening runs no migration twice and finds everything.
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.events(&id).unwrap().len(), 1);
        let steps = s.steps(&id).unwrap();
        assert!(!steps[0].open && steps[1].open);
        let docs = s.documents(&id).unwrap();
        assert_eq!(docs[0].doc, "01-ke-hoach-khao-sat");
        assert_eq!(docs[0].data["xa"], "Đắk Mar");
        let e = s.conn.execute("DELETE FROM events", []).unwrap_err();
        assert!(e.to_string().contains("append-only"));
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2023, 2, 6).unwrap()
    }

    /// A case with no fields, opened on [`day`].
    fn bare_case() -> NewCase {
        NewCase {
            workflow: "mo-hinh".into(),
            version: "1".into(),
            data: serde_json::json!({}),
            opened: day(),
            first_step: "khao-sat".into(),
            first_due: None,
        }
    }

    #[test]
    fn case_ids_follow_the_highest_not_the_count() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let c = bare_case();
        let mut tx = s.begin().unwrap();
        // An imported C0002 in an empty database: the next case is C0003, not a second C0002.
        tx.insert_case("C0002", &c).unwrap();
        assert_eq!(tx.next_case_id().unwrap(), "C0003");
        tx.commit().unwrap();
    }

    #[test]
    fn a_full_disk_says_so_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let (d, c) = (day(), bare_case());
        let mut tx = s.begin().unwrap();
        tx.insert_case("C0001", &c).unwrap();
        tx.commit().unwrap();
        // The database may not grow: as on a full disk, SQLite answers SQLITE_FULL.
        let pages: i64 = s
            .conn
            .pragma_query_value(None, "page_count", |r| r.get(0))
            .unwrap();
        s.conn
            .pragma_update(None, "max_page_count", pages + 1)
            .unwrap();
        let file = FileRow {
            name: "attachments/12-so-quy.csv".into(),
            item: Some(12),
            doc: None,
            sha256: String::new(),
            bytes: vec![7; 1 << 20],
            added_on: d,
        };
        let mut tx = s.begin().unwrap();
        let e = tx.put_files("C0001", &[file]).unwrap_err();
        drop(tx);
        assert!(matches!(e, Error::Storage { .. }), "{e:?}");
        assert!(e.to_string().contains("ổ đĩa đầy"), "{e}");
        assert!(s.files("C0001", None).unwrap().is_empty());
    }
    /// The book is in the order SQLite's ORDER BY issuer, period, id gave, though sorted in
    /// Rust: entries of two issuers and two years, taken in turn, come back book by book.
    #[test]
    fn the_book_lists_each_issuers_year_in_the_order_numbers_were_given() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        for (i, (issuer, period)) in [("B", "2026"), ("A", "2026"), ("B", "2025"), ("A", "2026")]
            .iter()
            .cycle()
            .take(12)
            .enumerate()
        {
            s.conn
                .execute(
                    "INSERT INTO register (issuer, period, series, number, symbol, on_date, kind,
                     trich_yeu, signer, recipients, luu) VALUES (?1, ?2, 'chung', ?3, 'x',
                     '2026-01-05', 'cong-van', '', '', '', '')",
                    params![issuer, period, i as i64 + 1],
                )
                .unwrap();
        }
        let book = s.book(Books::All, None).unwrap();
        let order: Vec<(String, String, i64)> = book
            .iter()
            .map(|e| (e.issuer.0.clone(), e.period.clone(), e.id))
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted);
        assert_eq!(order.len(), 12);
        assert_eq!(order[0].0, "A");
        assert_eq!((order[6].0.as_str(), order[6].1.as_str()), ("B", "2025"));
    }
}
