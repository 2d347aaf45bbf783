//! The schema, as one list of migrations each written for both backends: a change to what
//! hoso keeps is made once, here, for SQLite and PostgreSQL side by side, and both count the
//! same versions. The dialects differ where the databases do: SQLite stores dates as
//! `YYYY-MM-DD` text and guards history with `RAISE(ABORT)` triggers; PostgreSQL has `DATE`,
//! `BYTEA`, plpgsql triggers (also against `TRUNCATE`), and a row per register series to lock.
//! JSON stays `TEXT` in both: `jsonb` would reorder keys, and an archive must come out of
//! either store byte for byte the same.

/// One step of the schema.
pub struct Migration {
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

/// Applied in order; SQLite's `PRAGMA user_version`, PostgreSQL's `hoso_schema` table record
/// how many ran.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        sqlite: r#"
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
        postgres: r#"
CREATE TABLE cases (
    id         TEXT PRIMARY KEY,
    workflow   TEXT NOT NULL,
    version    TEXT NOT NULL,
    data       TEXT NOT NULL,          -- JSON as written (key order kept, unlike jsonb)
    created_on DATE NOT NULL
);
CREATE TABLE case_steps (
    ord      BIGSERIAL,                -- the order steps were opened (SQLite's rowid)
    case_id  TEXT NOT NULL REFERENCES cases(id),
    step     TEXT NOT NULL,
    state    TEXT NOT NULL CHECK (state IN ('open', 'done')),
    due      DATE,
    done_on  DATE,
    PRIMARY KEY (case_id, step)
);
CREATE TABLE events (
    seq     BIGSERIAL PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    on_date DATE NOT NULL,
    actor   TEXT NOT NULL,
    step    TEXT NOT NULL,
    inputs  TEXT NOT NULL
);
CREATE INDEX events_by_case ON events (case_id, seq);
CREATE FUNCTION hoso_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END $$;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
FOR EACH ROW EXECUTE FUNCTION hoso_refuse('the event log is append-only');
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
FOR EACH STATEMENT EXECUTE FUNCTION hoso_refuse('the event log is append-only');
"#,
    },
    Migration {
        sqlite: r#"
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
        postgres: r#"
CREATE TABLE register (
    id          BIGSERIAL PRIMARY KEY, -- the row's id, never a document number
    issuer      TEXT NOT NULL,
    period      TEXT NOT NULL,
    series      TEXT NOT NULL,
    number      INTEGER NOT NULL CHECK (number > 0),
    symbol      TEXT NOT NULL,
    on_date     DATE NOT NULL,
    kind        TEXT NOT NULL,
    trich_yeu   TEXT NOT NULL,
    signer      TEXT NOT NULL,
    recipients  TEXT NOT NULL,
    luu         TEXT NOT NULL,
    copies      INTEGER,
    case_id     TEXT,
    doc         TEXT,
    voided_on   DATE,
    void_reason TEXT,
    UNIQUE (issuer, period, series, number)
);
-- One row per series of a book: the row a văn thư's transaction locks (SELECT … FOR UPDATE)
-- before reading the last number, so that two servers never give the same number. Numbers
-- are counted from the register itself, never from a sequence, which skips on rollback.
CREATE TABLE register_series (
    issuer TEXT NOT NULL,
    period TEXT NOT NULL,
    series TEXT NOT NULL,
    PRIMARY KEY (issuer, period, series)
);
CREATE TRIGGER register_no_delete BEFORE DELETE ON register
FOR EACH ROW EXECUTE FUNCTION hoso_refuse('a number given out stays in the register');
CREATE TRIGGER register_no_truncate BEFORE TRUNCATE ON register
FOR EACH STATEMENT EXECUTE FUNCTION hoso_refuse('a number given out stays in the register');
CREATE FUNCTION register_only_void() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.voided_on IS NOT NULL OR NEW.voided_on IS NULL
       OR NEW.number IS DISTINCT FROM OLD.number OR NEW.issuer IS DISTINCT FROM OLD.issuer
       OR NEW.period IS DISTINCT FROM OLD.period OR NEW.series IS DISTINCT FROM OLD.series
       OR NEW.symbol IS DISTINCT FROM OLD.symbol OR NEW.on_date IS DISTINCT FROM OLD.on_date
    THEN
        RAISE EXCEPTION 'a register entry can only be withdrawn, once';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER register_only_void BEFORE UPDATE ON register
FOR EACH ROW EXECUTE FUNCTION register_only_void();

CREATE TABLE documents (
    case_id    TEXT NOT NULL REFERENCES cases(id),
    doc        TEXT NOT NULL,
    step       TEXT NOT NULL,
    template   TEXT NOT NULL,
    data       TEXT NOT NULL,
    drafted_on DATE NOT NULL,
    entry      BIGINT REFERENCES register(id),
    PRIMARY KEY (case_id, doc)
);
CREATE INDEX documents_by_entry ON documents (entry);

CREATE TABLE files (
    case_id  TEXT NOT NULL REFERENCES cases(id),
    name     TEXT NOT NULL,
    item     INTEGER,
    doc      TEXT,
    sha256   TEXT NOT NULL,
    bytes    BYTEA NOT NULL,
    added_on DATE NOT NULL,
    PRIMARY KEY (case_id, name)
);
"#,
    },
    Migration {
        sqlite: r#"
-- A case ends with a step that ends it (a quyết định kết thúc, its thông báo): the step and its
-- date. NULL while the case is open.
ALTER TABLE cases ADD COLUMN ended_by TEXT;
ALTER TABLE cases ADD COLUMN ended_on TEXT;
"#,
        postgres: r#"
ALTER TABLE cases ADD COLUMN ended_by TEXT;
ALTER TABLE cases ADD COLUMN ended_on DATE;
"#,
    },
    Migration {
        sqlite: r#"
-- The body of a document as a person edited it in Word and hoso issued it (JSON blocks);
-- NULL when it was issued as drafted from its data.
ALTER TABLE documents ADD COLUMN body TEXT;
"#,
        postgres: r#"
ALTER TABLE documents ADD COLUMN body TEXT;
"#,
    },
    Migration {
        sqlite: r#"
-- The web application's people. `person` is the account that recorded an event (NULL from the
-- command line, which knows only the role).
ALTER TABLE events ADD COLUMN person TEXT;
CREATE TABLE accounts (
    login    TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    role     TEXT NOT NULL,            -- can-bo, lanh-dao, van-thu, luu-tru, quan-tri
    agency   TEXT NOT NULL,            -- "kon-tum/dak-mar": a province, a commune below it
    hash     TEXT NOT NULL,            -- argon2id, PHC string
    disabled INTEGER NOT NULL DEFAULT 0
);
-- A session is known by the SHA-256 of its cookie's token: the database never holds a token
-- that would open a session.
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    login        TEXT NOT NULL REFERENCES accounts(login),
    csrf         TEXT NOT NULL,
    expires_at   INTEGER NOT NULL      -- Unix seconds
);
CREATE TABLE login_failures (
    login TEXT NOT NULL,
    at    INTEGER NOT NULL             -- Unix seconds
);
CREATE INDEX login_failures_by_login ON login_failures (login, at);
-- The agency a case belongs to, when it was recorded (the unit that opened it).
CREATE TABLE case_agencies (
    case_id TEXT PRIMARY KEY REFERENCES cases(id),
    agency  TEXT NOT NULL
);
-- A lãnh đạo's approval of a draft: the văn thư issues only approved drafts (web).
CREATE TABLE approvals (
    case_id TEXT NOT NULL,
    doc     TEXT NOT NULL,
    login   TEXT NOT NULL,
    on_date TEXT NOT NULL,
    PRIMARY KEY (case_id, doc),
    FOREIGN KEY (case_id, doc) REFERENCES documents (case_id, doc)
);
"#,
        postgres: r#"
ALTER TABLE events ADD COLUMN person TEXT;
CREATE TABLE accounts (
    login    TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    role     TEXT NOT NULL,
    agency   TEXT NOT NULL,
    hash     TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT false
);
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    login        TEXT NOT NULL REFERENCES accounts(login),
    csrf         TEXT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE TABLE login_failures (
    login TEXT NOT NULL,
    at    BIGINT NOT NULL
);
CREATE INDEX login_failures_by_login ON login_failures (login, at);
CREATE TABLE case_agencies (
    case_id TEXT PRIMARY KEY REFERENCES cases(id),
    agency  TEXT NOT NULL
);
CREATE TABLE approvals (
    case_id TEXT NOT NULL,
    doc     TEXT NOT NULL,
    login   TEXT NOT NULL,
    on_date DATE NOT NULL,
    PRIMARY KEY (case_id, doc),
    FOREIGN KEY (case_id, doc) REFERENCES documents (case_id, doc)
);
"#,
    },
    Migration {
        sqlite: r#"
-- The account that took a number (the web application), so that a second văn thư issuing the
-- same draft is told who did; NULL from the command line and for numbers taken before.
ALTER TABLE register ADD COLUMN person TEXT;
"#,
        postgres: r#"
ALTER TABLE register ADD COLUMN person TEXT;
"#,
    },
    Migration {
        sqlite: r#"
-- A case's log read by its id: without it every case's status, deadline or archive read the
-- whole province's log (hoso due took 34 s at 3,900 cases).
CREATE INDEX events_by_case ON events (case_id, seq);
"#,
        // PostgreSQL's first migration made it; the versions count alike.
        postgres: r#"
CREATE INDEX IF NOT EXISTS events_by_case ON events (case_id, seq);
"#,
    },
    Migration {
        sqlite: r#"
-- Each case's revision, raised in the same write as any change to the case, its steps or its
-- log; and its deadlines as last worked out, with the revision they came from. `hoso due`
-- reads these for a province instead of every case's whole log (0.9 s at 10,000 cases), and
-- works out again only the cases whose revision, rules or day no longer match.
CREATE TABLE case_revisions (
    case_id  TEXT PRIMARY KEY,
    revision INTEGER NOT NULL
);
CREATE TABLE due_kept (
    case_id  TEXT PRIMARY KEY,
    revision INTEGER NOT NULL,
    rules    TEXT NOT NULL,
    from_day TEXT NOT NULL,
    through  TEXT,
    items    TEXT NOT NULL
);
CREATE TRIGGER revise_on_event AFTER INSERT ON events BEGIN
    INSERT INTO case_revisions VALUES (NEW.case_id, 1)
        ON CONFLICT (case_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER revise_on_case_insert AFTER INSERT ON cases BEGIN
    INSERT INTO case_revisions VALUES (NEW.id, 1)
        ON CONFLICT (case_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER revise_on_case_update AFTER UPDATE ON cases BEGIN
    INSERT INTO case_revisions VALUES (NEW.id, 1)
        ON CONFLICT (case_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER revise_on_case_delete AFTER DELETE ON cases BEGIN
    INSERT INTO case_revisions VALUES (OLD.id, 1)
        ON CONFLICT (case_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER revise_on_step_insert AFTER INSERT ON case_steps BEGIN
    INSERT INTO case_revisions VALUES (NEW.case_id, 1)
        ON CONFLICT (case_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER revise_on_step_update AFTER UPDATE ON case_steps BEGIN
    INSERT INTO case_revisions VALUES (NEW.case_id, 1)
        ON CONFLICT (case_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER revise_on_step_delete AFTER DELETE ON case_steps BEGIN
    INSERT INTO case_revisions VALUES (OLD.case_id, 1)
        ON CONFLICT (case_id) DO UPDATE SET revision = revision + 1;
END;
"#,
        postgres: r#"
CREATE TABLE case_revisions (
    case_id  TEXT PRIMARY KEY,
    revision BIGINT NOT NULL
);
CREATE TABLE due_kept (
    case_id  TEXT PRIMARY KEY,
    revision BIGINT NOT NULL,
    rules    TEXT NOT NULL,
    from_day DATE NOT NULL,
    through  DATE,
    items    TEXT NOT NULL
);
-- One function per key column: a PL/pgSQL row has only its own table's fields.
CREATE FUNCTION hoso_revise_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO case_revisions VALUES (OLD.id, 1)
            ON CONFLICT (case_id) DO UPDATE SET revision = case_revisions.revision + 1;
    ELSE
        INSERT INTO case_revisions VALUES (NEW.id, 1)
            ON CONFLICT (case_id) DO UPDATE SET revision = case_revisions.revision + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION hoso_revise_of_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO case_revisions VALUES (OLD.case_id, 1)
            ON CONFLICT (case_id) DO UPDATE SET revision = case_revisions.revision + 1;
    ELSE
        INSERT INTO case_revisions VALUES (NEW.case_id, 1)
            ON CONFLICT (case_id) DO UPDATE SET revision = case_revisions.revision + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER revise_on_case AFTER INSERT OR UPDATE OR DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION hoso_revise_case();
CREATE TRIGGER revise_on_event AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION hoso_revise_of_case();
CREATE TRIGGER revise_on_step AFTER INSERT OR UPDATE OR DELETE ON case_steps
    FOR EACH ROW EXECUTE FUNCTION hoso_revise_of_case();
-- TRUNCATE fires no row trigger: every kept list is forgotten instead.
CREATE FUNCTION hoso_forget_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM due_kept;
    RETURN NULL;
END $$;
CREATE TRIGGER forget_due_on_truncate AFTER TRUNCATE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION hoso_forget_due();
CREATE TRIGGER forget_due_on_truncate AFTER TRUNCATE ON case_steps
    FOR EACH STATEMENT EXECUTE FUNCTION hoso_forget_due();
"#,
    },
];
