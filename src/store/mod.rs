//! The embedded store: cases, their data and steps, and an append-only event log in one SQLite
//! file (WAL). Every change of a case is one transaction, so a crash leaves the case as it was
//! before the step or after it, never between.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, Result};

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE cases (
    id         TEXT PRIMARY KEY,
    workflow   TEXT NOT NULL,
    version    TEXT NOT NULL,
    data       TEXT NOT NULL,          -- JSON: the case fields
    created_on TEXT NOT NULL
);
CREATE TABLE case_steps (
    case_id  TEXT NOT NULL REFERENCES cases(id),
    step     TEXT NOT NULL,
    state    TEXT NOT NULL CHECK (state IN ('open', 'done')),
    due      TEXT,                     -- YYYY-MM-DD
    done_on  TEXT,
    PRIMARY KEY (case_id, step)
);
CREATE TABLE events (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL REFERENCES cases(id),
    on_date TEXT NOT NULL,             -- the date the step took effect
    actor   TEXT NOT NULL,             -- the role that acted
    step    TEXT NOT NULL,
    inputs  TEXT NOT NULL              -- JSON
);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
"#,
    r#"
-- Sổ đăng ký văn bản đi (NĐ 30, Phụ lục IV): one row per number given out. A number is unique
-- within (issuer, period, series) and stays in the book when withdrawn.
CREATE TABLE register (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    issuer      TEXT NOT NULL,         -- the issuing body as printed, on one line
    period      TEXT NOT NULL,         -- "2026", or a Party committee's term
    series      TEXT NOT NULL,         -- "chung", a type key, "mật", "bản sao"
    number      INTEGER NOT NULL CHECK (number > 0),
    symbol      TEXT NOT NULL,         -- "05/QĐ-UBND"
    on_date     TEXT NOT NULL,         -- YYYY-MM-DD
    kind        TEXT NOT NULL,         -- type key
    trich_yeu   TEXT NOT NULL,
    signer      TEXT NOT NULL,
    recipients  TEXT NOT NULL,         -- Nơi nhận, one per line
    luu         TEXT NOT NULL,         -- who keeps the file copy
    copies      INTEGER,
    case_id     TEXT,
    doc         TEXT,
    voided_on   TEXT,
    void_reason TEXT,
    UNIQUE (issuer, period, series, number)
);
CREATE TRIGGER register_no_delete BEFORE DELETE ON register
BEGIN SELECT RAISE(ABORT, 'a number given out stays in the register'); END;
CREATE TRIGGER register_only_void BEFORE UPDATE ON register
WHEN OLD.voided_on IS NOT NULL OR NEW.voided_on IS NULL OR NEW.number IS NOT OLD.number
  OR NEW.issuer IS NOT OLD.issuer OR NEW.period IS NOT OLD.period OR NEW.series IS NOT OLD.series
  OR NEW.symbol IS NOT OLD.symbol OR NEW.on_date IS NOT OLD.on_date
BEGIN SELECT RAISE(ABORT, 'a register entry can only be withdrawn, once'); END;

-- The documents a case's steps drafted, with the data they were rendered from, so that the
-- văn thư can issue them later; `entry` is the number (an attached document shares its parent's).
CREATE TABLE documents (
    case_id    TEXT NOT NULL REFERENCES cases(id),
    doc        TEXT NOT NULL,          -- "03-quyet-dinh-thanh-lap-mo-hinh"
    step       TEXT NOT NULL,
    template   TEXT NOT NULL,
    data       TEXT NOT NULL,          -- JSON
    drafted_on TEXT NOT NULL,
    entry      INTEGER REFERENCES register(id),
    PRIMARY KEY (case_id, doc)
);

-- The files of a case's hồ sơ: issued renderings, exactly as handed out, and the user's own.
CREATE TABLE files (
    case_id  TEXT NOT NULL REFERENCES cases(id),
    name     TEXT NOT NULL,            -- path in the hồ sơ: "documents/03-….pdf"
    item     INTEGER,                  -- the hồ sơ item it belongs to
    doc      TEXT,                     -- the case document it renders
    sha256   TEXT NOT NULL,
    bytes    BLOB NOT NULL,
    added_on TEXT NOT NULL,
    PRIMARY KEY (case_id, name)
);
"#,
];

/// A case as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub id: String,
    pub workflow: String,
    pub version: String,
    pub data: serde_json::Value,
    pub created_on: String,
}

/// A step of a case (also as an archive's `case.yaml` lists it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StepRow {
    pub step: String,
    pub open: bool,
    pub due: Option<String>,
    pub done_on: Option<String>,
}

/// An entry of the event log.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub seq: i64,
    pub on_date: String,
    pub actor: String,
    pub step: String,
    pub inputs: serde_json::Value,
}

/// What one step changes, written in one transaction.
#[derive(Debug, Clone)]
pub struct StepChange<'a> {
    pub case_id: &'a str,
    pub data: &'a serde_json::Value,
    pub on_date: &'a str,
    pub actor: &'a str,
    pub step: &'a str,
    pub inputs: &'a serde_json::Value,
    /// The step stays open when it recurs.
    pub close_step: bool,
    /// Steps opened, with their due dates.
    pub opened: &'a [(String, Option<String>)],
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
    pub drafted_on: String,
    /// Its register entry, once issued.
    pub entry: Option<i64>,
}

/// A register entry as an archive carries it.
#[derive(Debug, Clone)]
pub struct RestoredEntry {
    pub issuer: String,
    pub period: String,
    pub series: String,
    pub number: u32,
    pub symbol: String,
    pub on_date: String,
    pub kind: String,
    pub trich_yeu: String,
    pub signer: String,
    /// The document the number was taken for (an attached document carries its parent's).
    pub doc: String,
}

/// A whole case, as an archive restores it.
#[derive(Debug, Clone)]
pub struct Restore {
    pub case: CaseRow,
    pub steps: Vec<StepRow>,
    pub events: Vec<EventRow>,
    pub documents: Vec<(DocumentRow, Option<RestoredEntry>)>,
    pub files: Vec<FileRow>,
}

/// A file of a case's hồ sơ.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRow {
    pub name: String,
    pub item: Option<u32>,
    pub doc: Option<String>,
    pub sha256: String,
    pub bytes: Vec<u8>,
    pub added_on: String,
}

pub struct Store {
    conn: Connection,
    path: std::path::PathBuf,
}

fn db_err(path: &Path) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| Error::io(path, e)
}

impl Store {
    /// Opens (creating if needed) a store and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        let err = db_err(path);
        let mut conn = Connection::open(path).map_err(&err)?;
        // Set first: several processes may open a new file at once.
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(&err)?;
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
            return Ok(Store {
                conn,
                path: path.to_path_buf(),
            });
        }
        // Read again inside the write transaction, so two processes opening the same new file
        // do not both run the migrations.
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(&err)?;
        let version = current(&tx).map_err(&err)?;
        for (i, m) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            tx.execute_batch(m).map_err(&err)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .map_err(&err)?;
        }
        tx.commit().map_err(&err)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        db_err(&self.path)
    }

    /// Creates a case with its first step open; returns its id ("C0001", "C0002", …).
    pub fn create_case(
        &mut self,
        workflow: &str,
        version: &str,
        data: &serde_json::Value,
        on_date: &str,
        first: (&str, Option<&str>),
    ) -> Result<String> {
        let path = self.path.clone();
        let err = db_err(&path);
        let tx = self.conn.transaction().map_err(&err)?;
        let n: i64 = tx
            .query_row("SELECT COUNT(*) FROM cases", [], |r| r.get(0))
            .map_err(&err)?;
        let id = format!("C{:04}", n + 1);
        tx.execute(
            "INSERT INTO cases (id, workflow, version, data, created_on) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, workflow, version, data.to_string(), on_date],
        )
        .map_err(&err)?;
        tx.execute(
            "INSERT INTO case_steps (case_id, step, state, due) VALUES (?1, ?2, 'open', ?3)",
            params![id, first.0, first.1],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)?;
        Ok(id)
    }

    pub fn case(&self, id: &str) -> Result<CaseRow> {
        self.conn
            .query_row(
                "SELECT id, workflow, version, data, created_on FROM cases WHERE id = ?1",
                [id],
                |r| {
                    Ok(CaseRow {
                        id: r.get(0)?,
                        workflow: r.get(1)?,
                        version: r.get(2)?,
                        data: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
                        created_on: r.get(4)?,
                    })
                },
            )
            .optional()
            .map_err(self.err())?
            .ok_or_else(|| Error::Usage(format!("no case `{id}` in {}", self.path.display())))
    }

    pub fn cases(&self) -> Result<Vec<CaseRow>> {
        let mut st = self
            .conn
            .prepare("SELECT id FROM cases ORDER BY id")
            .map_err(self.err())?;
        let ids: Vec<String> = st
            .query_map([], |r| r.get(0))
            .map_err(self.err())?
            .collect::<rusqlite::Result<_>>()
            .map_err(self.err())?;
        ids.iter().map(|id| self.case(id)).collect()
    }

    pub fn steps(&self, case_id: &str) -> Result<Vec<StepRow>> {
        let mut st = self
            .conn
            .prepare("SELECT step, state, due, done_on FROM case_steps WHERE case_id = ?1 ORDER BY rowid")
            .map_err(self.err())?;
        st.query_map([case_id], |r| {
            Ok(StepRow {
                step: r.get(0)?,
                open: r.get::<_, String>(1)? == "open",
                due: r.get(2)?,
                done_on: r.get(3)?,
            })
        })
        .map_err(self.err())?
        .collect::<rusqlite::Result<_>>()
        .map_err(self.err())
    }

    pub fn events(&self, case_id: &str) -> Result<Vec<EventRow>> {
        let mut st = self
            .conn
            .prepare("SELECT seq, on_date, actor, step, inputs FROM events WHERE case_id = ?1 ORDER BY seq")
            .map_err(self.err())?;
        st.query_map([case_id], |r| {
            Ok(EventRow {
                seq: r.get(0)?,
                on_date: r.get(1)?,
                actor: r.get(2)?,
                step: r.get(3)?,
                inputs: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or_default(),
            })
        })
        .map_err(self.err())?
        .collect::<rusqlite::Result<_>>()
        .map_err(self.err())
    }

    /// Every open step with a due date on or before `before` (all when `None`), earliest
    /// first: (case, workflow, step, due).
    pub fn due(&self, before: Option<&str>) -> Result<Vec<(String, String, String, String)>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT s.case_id, c.workflow, s.step, s.due FROM case_steps s JOIN cases c ON c.id = s.case_id
                 WHERE s.state = 'open' AND s.due IS NOT NULL AND (?1 IS NULL OR s.due <= ?1)
                 ORDER BY s.due, s.case_id, s.step",
            )
            .map_err(self.err())?;
        st.query_map([before], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .map_err(self.err())?
        .collect::<rusqlite::Result<_>>()
        .map_err(self.err())
    }

    /// Applies one step: new case data, the step closed (or kept open), next steps opened with
    /// their due dates, the event appended and the drafts recorded — all or nothing. Returns
    /// the drafts' document ids.
    pub fn apply(&mut self, c: &StepChange) -> Result<Vec<String>> {
        let path = self.path.clone();
        let err = db_err(&path);
        let tx = self.conn.transaction().map_err(&err)?;
        tx.execute(
            "UPDATE cases SET data = ?2 WHERE id = ?1",
            params![c.case_id, c.data.to_string()],
        )
        .map_err(&err)?;
        if c.close_step {
            tx.execute(
                "UPDATE case_steps SET state = 'done', done_on = ?3 WHERE case_id = ?1 AND step = ?2",
                params![c.case_id, c.step, c.on_date],
            )
            .map_err(&err)?;
        } else {
            tx.execute(
                "UPDATE case_steps SET done_on = ?3 WHERE case_id = ?1 AND step = ?2",
                params![c.case_id, c.step, c.on_date],
            )
            .map_err(&err)?;
        }
        for (step, due) in c.opened {
            tx.execute(
                "INSERT INTO case_steps (case_id, step, state, due) VALUES (?1, ?2, 'open', ?3)
                 ON CONFLICT (case_id, step) DO UPDATE SET state = 'open', due = excluded.due",
                params![c.case_id, step, due],
            )
            .map_err(&err)?;
        }
        tx.execute(
            "INSERT INTO events (case_id, on_date, actor, step, inputs) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![c.case_id, c.on_date, c.actor, c.step, c.inputs.to_string()],
        )
        .map_err(&err)?;
        let drafted: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM documents WHERE case_id = ?1",
                [c.case_id],
                |r| r.get(0),
            )
            .map_err(&err)?;
        let mut ids = Vec::new();
        for (i, (template, data)) in c.drafts.iter().enumerate() {
            let id = format!("{:02}-{template}", drafted + i as i64 + 1);
            tx.execute(
                "INSERT INTO documents (case_id, doc, step, template, data, drafted_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![c.case_id, id, c.step, template, data.to_string(), c.on_date],
            )
            .map_err(&err)?;
            ids.push(id);
        }
        fail_point("store.apply.before_commit")?;
        tx.commit().map_err(&err)?;
        Ok(ids)
    }

    /// The documents a case drafted, in order.
    pub fn documents(&self, case_id: &str) -> Result<Vec<DocumentRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT doc, step, template, data, drafted_on, entry FROM documents
                 WHERE case_id = ?1 ORDER BY doc",
            )
            .map_err(self.err())?;
        st.query_map([case_id], |r| {
            Ok(DocumentRow {
                doc: r.get(0)?,
                step: r.get(1)?,
                template: r.get(2)?,
                data: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
                drafted_on: r.get(4)?,
                entry: r.get(5)?,
            })
        })
        .map_err(self.err())?
        .collect::<rusqlite::Result<_>>()
        .map_err(self.err())
    }

    /// A case's files by name: all of them, or those rendering one document.
    pub fn files(&self, case_id: &str, doc: Option<&str>) -> Result<Vec<FileRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT name, item, doc, sha256, bytes, added_on
                 FROM files WHERE case_id = ?1 AND (?2 IS NULL OR doc = ?2) ORDER BY name",
            )
            .map_err(self.err())?;
        st.query_map(params![case_id, doc], |r| {
            Ok(FileRow {
                name: r.get(0)?,
                item: r.get(1)?,
                doc: r.get(2)?,
                sha256: r.get(3)?,
                bytes: r.get(4)?,
                added_on: r.get(5)?,
            })
        })
        .map_err(self.err())?
        .collect::<rusqlite::Result<_>>()
        .map_err(self.err())
    }

    /// Stores files of a case in one transaction, replacing those of the same name; with
    /// `issued`, also records that these documents carry register entry `entry`.
    pub fn put_files(
        &mut self,
        case_id: &str,
        files: &[FileRow],
        issued: &[(String, i64)],
    ) -> Result<()> {
        let path = self.path.clone();
        let err = db_err(&path);
        let tx = self.conn.transaction().map_err(&err)?;
        for f in files {
            tx.execute(
                "INSERT OR REPLACE INTO files (case_id, name, item, doc, sha256, bytes, added_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    case_id, f.name, f.item, f.doc, f.sha256, f.bytes, f.added_on
                ],
            )
            .map_err(&err)?;
        }
        for (doc, entry) in issued {
            tx.execute(
                "UPDATE documents SET entry = ?3 WHERE case_id = ?1 AND doc = ?2",
                params![case_id, doc, entry],
            )
            .map_err(&err)?;
        }
        tx.commit().map_err(&err)
    }

    /// Restores a case from an archive in one transaction: nothing is written unless all of
    /// it is. A document's number joins the register when the book lacks it; a number the book
    /// already gives to another document is a conflict.
    pub fn restore(&mut self, r: &Restore) -> Result<()> {
        let path = self.path.clone();
        let err = db_err(&path);
        let tx = self.conn.transaction().map_err(&err)?;
        let exists: bool = tx
            .query_row(
                "SELECT COUNT(*) FROM cases WHERE id = ?1",
                [&r.case.id],
                |x| x.get::<_, i64>(0),
            )
            .map_err(&err)?
            > 0;
        if exists {
            return Err(Error::Usage(format!(
                "case {} is already in {}",
                r.case.id,
                path.display()
            )));
        }
        let c = &r.case;
        tx.execute(
            "INSERT INTO cases (id, workflow, version, data, created_on) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![c.id, c.workflow, c.version, c.data.to_string(), c.created_on],
        )
        .map_err(&err)?;
        for s in &r.steps {
            tx.execute(
                "INSERT INTO case_steps (case_id, step, state, due, done_on) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![c.id, s.step, if s.open { "open" } else { "done" }, s.due, s.done_on],
            )
            .map_err(&err)?;
        }
        for e in &r.events {
            tx.execute(
                "INSERT INTO events (case_id, on_date, actor, step, inputs) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![c.id, e.on_date, e.actor, e.step, e.inputs.to_string()],
            )
            .map_err(&err)?;
        }
        for (d, entry) in &r.documents {
            let id = match entry {
                None => None,
                Some(e) => {
                    let found: Option<(i64, Option<String>, Option<String>)> = tx
                        .query_row(
                            "SELECT id, case_id, doc FROM register
                             WHERE issuer = ?1 AND period = ?2 AND series = ?3 AND number = ?4",
                            params![e.issuer, e.period, e.series, e.number],
                            |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)),
                        )
                        .optional()
                        .map_err(&err)?;
                    Some(match found {
                        Some((id, Some(case), Some(doc))) if case == c.id && doc == e.doc => id,
                        Some(_) => {
                            return Err(Error::Usage(format!(
                                "the register already gives {} of {} to another document",
                                e.symbol, e.issuer
                            )));
                        }
                        None => {
                            tx.execute(
                                "INSERT INTO register (issuer, period, series, number, symbol, on_date,
                                     kind, trich_yeu, signer, recipients, luu, case_id, doc)
                                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '', '', ?10, ?11)",
                                params![
                                    e.issuer, e.period, e.series, e.number, e.symbol, e.on_date,
                                    e.kind, e.trich_yeu, e.signer, c.id, e.doc
                                ],
                            )
                            .map_err(&err)?;
                            tx.last_insert_rowid()
                        }
                    })
                }
            };
            tx.execute(
                "INSERT INTO documents (case_id, doc, step, template, data, drafted_on, entry)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    c.id,
                    d.doc,
                    d.step,
                    d.template,
                    d.data.to_string(),
                    d.drafted_on,
                    id
                ],
            )
            .map_err(&err)?;
        }
        for f in &r.files {
            tx.execute(
                "INSERT INTO files (case_id, name, item, doc, sha256, bytes, added_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![c.id, f.name, f.item, f.doc, f.sha256, f.bytes, f.added_on],
            )
            .map_err(&err)?;
        }
        tx.commit().map_err(&err)
    }

    /// The connection, for the register's own statements.
    pub(crate) fn conn_mut(&mut self) -> (&mut Connection, &Path) {
        (&mut self.conn, &self.path)
    }

    pub(crate) fn conn(&self) -> (&Connection, &Path) {
        (&self.conn, &self.path)
    }
}

/// A failure injected by tests inside a transaction (`HOSO_FAIL_AT=<name>`), to show that a
/// step that fails half-way leaves nothing behind.
pub(crate) fn fail_point(name: &str) -> Result<()> {
    if std::env::var("HOSO_FAIL_AT").is_ok_and(|v| v == name) {
        return Err(Error::Usage(format!("injected failure at {name}")));
    }
    Ok(())
}

/// A pause injected by tests (`HOSO_PAUSE_AT=<name>`, for `HOSO_PAUSE_MS`, default 30 s), so
/// that a test can kill the process at that point, or line several processes up there, and show
/// that nothing is lost or given twice.
pub(crate) fn pause_point(name: &str) {
    if std::env::var("HOSO_PAUSE_AT").is_ok_and(|v| v == name) {
        let ms = std::env::var("HOSO_PAUSE_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(30_000);
        eprintln!("paused at {name}");
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_and_append_only_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut s = Store::open(&path).unwrap();
        let data = serde_json::json!({"ten_mo_hinh": "Camera an ninh"});
        let id = s
            .create_case("mo-hinh", "2022.1", &data, "2023-02-06", ("khao-sat", None))
            .unwrap();
        assert_eq!(id, "C0001");
        let change = StepChange {
            case_id: &id,
            data: &data,
            on_date: "2023-02-06",
            actor: "cong-an-xa",
            step: "khao-sat",
            inputs: &serde_json::json!({}),
            close_step: true,
            opened: &[("bao-cao-khao-sat".into(), None)],
            drafts: &[(
                "ke-hoach-khao-sat".into(),
                serde_json::json!({"xa": "Đắk Mar"}),
            )],
        };
        s.apply(&change).unwrap();
        drop(s);
        // Reopening runs no migration twice and finds everything.
        let s = Store::open(&path).unwrap();
        assert_eq!(s.events(&id).unwrap().len(), 1);
        let steps = s.steps(&id).unwrap();
        assert!(!steps[0].open && steps[1].open);
        let docs = s.documents(&id).unwrap();
        assert_eq!(docs[0].doc, "01-ke-hoach-khao-sat");
        assert_eq!(docs[0].data["xa"], "Đắk Mar");
        let e = s.conn.execute("DELETE FROM events", []).unwrap_err();
        assert!(e.to_string().contains("append-only"));
    }
}
