//! The store contract on both backends, from the same test code: many processes taking
//! numbers, a process killed inside its transaction, clerks racing for one step or one draft,
//! cases opened at once — each test runs on a new SQLite file and on a new PostgreSQL
//! database. PostgreSQL needs a server: `HOSO_TEST_POSTGRES` names one (a URL whose role may
//! create databases, as `.ci/postgres` prints); without it the PostgreSQL half of each test
//! says it skipped, unless `HOSO_REQUIRE_POSTGRES=1` (CI), where it fails.

mod common;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{root, sample};

/// A database of its own for one test, and a folder for its files.
struct TestDb {
    /// What `--db` is given.
    db: OsString,
    dir: tempfile::TempDir,
    /// The PostgreSQL database to drop afterwards: (admin URL, name).
    drop: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.drop
            && let Ok(mut c) = postgres::Client::connect(admin, postgres::NoTls)
        {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A new database on `backend`, or `None` (said on stderr) when no PostgreSQL server is given.
fn fresh(backend: Backend, test: &str) -> Option<TestDb> {
    let dir = tempfile::tempdir().unwrap();
    match backend {
        Backend::Sqlite => Some(TestDb {
            db: dir.path().join("hoso.db").into(),
            dir,
            drop: None,
        }),
        Backend::Postgres => {
            let Ok(admin) = std::env::var("HOSO_TEST_POSTGRES") else {
                assert!(
                    std::env::var("HOSO_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                    "HOSO_REQUIRE_POSTGRES=1 but HOSO_TEST_POSTGRES is not set: the PostgreSQL \
                     suite must run here"
                );
                say_skipped();
                eprintln!("{test}: skipped on PostgreSQL (HOSO_TEST_POSTGRES is not set)");
                return None;
            };
            let name = format!("hoso_{test}_{}", std::process::id());
            let mut c = postgres::Client::connect(&admin, postgres::NoTls)
                .unwrap_or_else(|e| panic!("HOSO_TEST_POSTGRES={admin}: {e}"));
            c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .unwrap();
            c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
            let (base, _) = admin.rsplit_once('/').expect("a URL ending in /database");
            Some(TestDb {
                db: format!("{base}/{name}").into(),
                dir,
                drop: Some((admin, name)),
            })
        }
    }
}

/// Says once, past the test harness's capture (which takes only `eprintln!`), that the
/// PostgreSQL half did not run, so that a green `cargo test` does not pass for it.
fn say_skipped() {
    static SAID: std::sync::Once = std::sync::Once::new();
    SAID.call_once(|| {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"\ntests/backends.rs: the PostgreSQL suite is SKIPPED: HOSO_TEST_POSTGRES is not \
              set (HOSO_TEST_POSTGRES=$(.ci/postgres) cargo test --test backends)\n",
        );
    });
}

/// Runs `$body(backend)` as two tests, `<name>_sqlite` and `<name>_postgres`.
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[test]
            fn sqlite() {
                ($body)(Backend::Sqlite, stringify!($name))
            }
            #[test]
            fn postgres() {
                ($body)(Backend::Postgres, stringify!($name))
            }
        }
    };
}

impl TestDb {
    fn hoso(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hoso"));
        c.env_remove("HOSO_DB")
            .arg("--db")
            .arg(&self.db)
            .current_dir(root());
        c
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn take(&self, at: &str) -> Command {
        let mut c = self.hoso();
        c.args(["register", "take", "--province", "kon-tum", "--issuer"])
            .args(["bcd-tinh", "--type", "cong-van", "--unit", "NC", "--at", at])
            .args(["--summary", "V/v báo cáo mô hình “Tốt” & <khác>"]);
        c
    }

    fn book(&self) -> Vec<serde_json::Value> {
        let o = self
            .hoso()
            .args(["register", "list", "--format", "json"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    }

    fn numbers(&self) -> Vec<u64> {
        self.book()
            .iter()
            .map(|e| e["number"].as_u64().unwrap())
            .collect()
    }

    /// Opens a mô hình case on `at`; returns its id.
    fn new_case(&self, at: &str) -> String {
        let data = self.path("case.yaml");
        std::fs::write(
            &data,
            "ten_mo_hinh: Camera an ninh & <khu> “số 1”\npham_vi: thôn 1\nlien_ket: false\n",
        )
        .unwrap();
        let o = self
            .hoso()
            .args(["case", "new", "--workflow", "mo-hinh", "--at", at, "--data"])
            .arg(&data)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o.stderr));
        text(&o.stdout).trim().to_string()
    }

    fn survey(&self, id: &str, at: &str, out: &Path) -> Command {
        let mut c = self.hoso();
        c.args(["case", "advance", id, "--step", "khao-sat", "--at", at])
            .arg("--data")
            .arg(sample("ke-hoach-khao-sat"))
            .arg("--out")
            .arg(out);
        c
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

on_both!(eight_processes_take_800_numbers_each_once, |b, name| {
    let Some(t) = fresh(b, name) else { return };
    let t = std::sync::Arc::new(t);
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let t = t.clone();
            std::thread::spawn(move || {
                (0..100)
                    .map(|_| {
                        let o = t.take("2026-03-02").output().unwrap();
                        assert!(o.status.success(), "{}", text(&o.stderr));
                        text(&o.stdout).trim().to_string()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let printed: Vec<String> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let unique: BTreeSet<&String> = printed.iter().collect();
    assert_eq!(printed.len(), 800);
    assert_eq!(unique.len(), 800, "a number was given twice");
    let want: BTreeSet<String> = (1..=800).map(|n| format!("{n:02}/BCĐ-NC")).collect();
    assert_eq!(unique, want.iter().collect());
    assert_eq!(t.numbers(), (1..=800).collect::<Vec<_>>());
});

on_both!(
    a_killed_take_loses_nothing_and_duplicates_nothing,
    |b, name| {
        let Some(t) = fresh(b, name) else { return };
        for _ in 0..3 {
            assert!(t.take("2026-03-02").output().unwrap().status.success());
        }
        // Killed (SIGKILL) while it holds the series inside its transaction.
        let mut child = t
            .take("2026-03-02")
            .env("HOSO_PAUSE_AT", "register.take.before_commit")
            .stderr(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let mut seen = [0u8; 9];
        stderr.read_exact(&mut seen).unwrap();
        assert_eq!(&seen, b"paused at");
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(t.numbers(), [1, 2, 3]);
        let o = t.take("2026-03-02").output().unwrap();
        assert_eq!(text(&o.stdout).trim(), "04/BCĐ-NC", "{}", text(&o.stderr));

        // Killed at random moments: the book stays 01…N and holds every number printed.
        let mut printed = BTreeSet::new();
        for i in 0..24u64 {
            let mut child = t
                .take("2026-03-02")
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis((i * 7) % 40));
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            let s = text(&o.stdout).trim().to_string();
            if !s.is_empty() {
                printed.insert(s);
            }
        }
        let entries = t.book();
        let n = entries.len() as u64;
        assert_eq!(t.numbers(), (1..=n).collect::<Vec<_>>());
        let symbols: BTreeSet<String> = entries
            .iter()
            .map(|e| e["symbol"].as_str().unwrap().to_string())
            .collect();
        assert!(printed.is_subset(&symbols), "a printed number is missing");
        let o = t.take("2026-03-02").output().unwrap();
        assert_eq!(text(&o.stdout).trim(), format!("{:02}/BCĐ-NC", n + 1));
    }
);

on_both!(fifty_clerks_recording_one_step_record_it_once, |b, name| {
    let Some(t) = fresh(b, name) else { return };
    let id = t.new_case("2023-02-06");
    let children: Vec<_> = (0..50)
        .map(|i| {
            t.survey(&id, "2023-02-06", &t.path(&format!("out{i}")))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let won = outputs.iter().filter(|o| o.status.success()).count();
    assert_eq!(won, 1, "exactly one clerk records the step");
    for o in outputs.iter().filter(|o| !o.status.success()) {
        let err = text(&o.stderr);
        match o.status.code() {
            Some(4) => assert!(err.contains("vừa ghi: bước `khao-sat`"), "{err}"),
            Some(1) => assert!(err.contains("bước `khao-sat` bị từ chối"), "{err}"),
            other => panic!("{other:?}: {err}"),
        }
    }
    let status = t
        .hoso()
        .args(["case", "status", &id, "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(v["events"].as_array().unwrap().len(), 1);
    assert_eq!(v["documents"].as_array().unwrap().len(), 1);
});

on_both!(forty_clerks_open_cases_at_once, |b, name| {
    let Some(t) = fresh(b, name) else { return };
    let data = t.path("case.yaml");
    std::fs::write(&data, "ten_mo_hinh: X\npham_vi: thôn 1\nlien_ket: false\n").unwrap();
    let children: Vec<_> = (0..40)
        .map(|_| {
            t.hoso()
                .args(["case", "new", "--workflow", "mo-hinh", "--at", "2023-02-06"])
                .arg("--data")
                .arg(&data)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut ids: Vec<String> = children
        .into_iter()
        .map(|c| {
            let o = c.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", text(&o.stderr));
            text(&o.stdout).trim().to_string()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids,
        (1..=40).map(|n| format!("C{n:04}")).collect::<Vec<_>>()
    );
});

on_both!(eight_clerks_issuing_one_draft_give_one_number, |b, name| {
    let Some(t) = fresh(b, name) else { return };
    let out = t.path("out");
    // A number of the same series first, so the draft's is not simply the first.
    let id = t.new_case("2023-03-01");
    let o = t.survey(&id, "2023-03-01", &out).output().unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let racers: Vec<std::process::Child> = (0..8)
        .map(|_| {
            t.hoso()
                .args(["doc", "issue", &id, "01-ke-hoach-khao-sat"])
                .args(["--at", "2023-03-01", "--out"])
                .arg(&out)
                // All pass the "not issued yet" check before any takes a number.
                .env("HOSO_PAUSE_AT", "issue.before_take")
                .env("HOSO_PAUSE_MS", "1500")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let said: BTreeSet<String> = racers
        .into_iter()
        .map(|c| {
            let o = c.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", text(&o.stderr));
            let line = text(&o.stdout);
            line.lines()
                .next()
                .unwrap()
                .split(": ")
                .nth(1)
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(said.len(), 1, "{said:?}");
    assert_eq!(t.numbers(), [1]);
});

on_both!(history_cannot_be_rewritten_even_by_hand, |b, name| {
    let Some(t) = fresh(b, name) else { return };
    let id = t.new_case("2023-02-06");
    let o = t
        .survey(&id, "2023-02-06", &t.path("out"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(t.take("2026-03-02").output().unwrap().status.success());
    let statements = [
        "UPDATE events SET step = 'khac'",
        "DELETE FROM events",
        "DELETE FROM register",
        "UPDATE register SET number = 7",
    ];
    for sql in statements {
        let refused = match b {
            Backend::Sqlite => rusqlite::Connection::open(&t.db)
                .unwrap()
                .execute(sql, [])
                .is_err(),
            Backend::Postgres => postgres::Client::connect(t.db.to_str().unwrap(), postgres::NoTls)
                .unwrap()
                .execute(sql, &[])
                .is_err(),
        };
        assert!(refused, "{sql} was allowed");
    }
    if let Backend::Postgres = b {
        let mut c = postgres::Client::connect(t.db.to_str().unwrap(), postgres::NoTls).unwrap();
        assert!(c.batch_execute("TRUNCATE events CASCADE").is_err());
        assert!(c.batch_execute("TRUNCATE register CASCADE").is_err());
        // A guard switched off is found, and the store then takes no write.
        c.batch_execute("ALTER TABLE register DISABLE TRIGGER register_no_delete")
            .unwrap();
        let o = t.hoso().args(["db", "check"]).output().unwrap();
        assert_eq!(o.status.code(), Some(5), "{}", text(&o.stdout));
        assert!(text(&o.stdout).contains("register_no_delete"));
        let o = t.take("2026-03-03").output().unwrap();
        assert_eq!(o.status.code(), Some(5), "{}", text(&o.stderr));
    }
    assert_eq!(t.numbers(), [1]);
});

/// A province generated into the test's database (`models` mô hình, `dien_hinh` điển hình in
/// two communes), and the application over it.
fn generated(t: &TestDb, models: u32, dien_hinh: u32) -> hoso::App {
    let o = t
        .hoso()
        .args(["province", "generate", "--communes", "2"])
        .args([
            "--models",
            &models.to_string(),
            "--dien-hinh",
            &dien_hinh.to_string(),
        ])
        .arg("--out")
        .arg(t.path("dia-ban"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    hoso::App::new(hoso::app::Config {
        templates: None,
        workflows: None,
        db: hoso::store::Db::parse(&t.db),
    })
}

/// Runs one statement on the test's database, past hoso: what another program, or a damaged
/// disk, could do.
fn sql(b: Backend, t: &TestDb, statement: &str) {
    match b {
        Backend::Sqlite => {
            rusqlite::Connection::open(&t.db)
                .unwrap()
                .execute_batch(statement)
                .unwrap();
        }
        Backend::Postgres => {
            postgres::Client::connect(t.db.to_str().unwrap(), postgres::NoTls)
                .unwrap()
                .batch_execute(statement)
                .unwrap();
        }
    }
}

// `hoso due` keeps each case's deadlines and reads them back while they hold: a kept list is
// trusted for the case as it was (any write to the case, its steps or its log raises its
// revision, in the database), under the same rules, and up to its next deadline.
on_both!(
    kept_deadlines_hold_only_while_the_case_and_the_day_do,
    |b, name| {
        let Some(t) = fresh(b, name) else { return };
        let mut app = generated(&t, 8, 2);
        let on = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let (all, one_by_one) = common::due_at_once_and_one_by_one(&mut app, on);
        assert_eq!(all, one_by_one);
        let case = app.due(None, on).unwrap()[0].case.clone();
        let forged = |through: &str| {
            format!(
                "UPDATE due_kept SET items = '{{\"subject\":\"x\",\"workflow\":\"w\",\
             \"governing\":null,\"items\":[[\"gia-mao\",\"2026-01-01\",false]]}}', \
             through = '{through}' WHERE case_id = '{case}'"
            )
        };
        let forged_in = |app: &mut hoso::App, on| {
            app.due(None, on)
                .unwrap()
                .iter()
                .any(|d| d.step == "gia-mao" && d.case == case)
        };
        // What is kept is what is read…
        sql(b, &t, &forged("2026-12-31"));
        assert!(forged_in(&mut app, on), "the kept list is read");
        // …until the case changes, even by a write that changes nothing,
        sql(
            b,
            &t,
            &format!("UPDATE cases SET data = data WHERE id = '{case}'"),
        );
        assert!(
            !forged_in(&mut app, on),
            "a changed case is worked out again"
        );
        let (all, one_by_one) = common::due_at_once_and_one_by_one(&mut app, on);
        assert_eq!(all, one_by_one);
        // …or a step of it is closed,
        sql(b, &t, &forged("2026-12-31"));
        sql(
            b,
            &t,
            &format!("UPDATE case_steps SET state = state WHERE case_id = '{case}'"),
        );
        assert!(
            !forged_in(&mut app, on),
            "a changed step is worked out again"
        );
        // …or the day passes the last one the list holds for, or comes before the one it was
        // worked out for.
        sql(b, &t, &forged("2026-11-30"));
        assert!(forged_in(&mut app, on));
        assert!(!forged_in(&mut app, on.succ_opt().unwrap()), "a later day");
        sql(b, &t, &forged("2026-12-31"));
        assert!(
            !forged_in(&mut app, on.pred_opt().unwrap()),
            "an earlier day"
        );
        // Nor is a list kept under other rules (other procedures, another build of hoso).
        sql(b, &t, &forged("2026-12-31"));
        sql(
            b,
            &t,
            &format!("UPDATE due_kept SET rules = 'khac' WHERE case_id = '{case}'"),
        );
        assert!(!forged_in(&mut app, on.pred_opt().unwrap()), "other rules");
    }
);

/// SQLite → PostgreSQL → SQLite: every case's archive comes out byte for byte as from the
/// original; a non-empty target is refused.
#[test]
fn db_copy_round_trip_gives_the_same_archives() {
    let Some(pg) = fresh(Backend::Postgres, "db_copy_round_trip") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (demo, _) = common::run_demo(dir.path());
    let original = demo.join("hoso.db");
    let back = dir.path().join("back.db");
    let hoso = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hoso"));
        c.env_remove("HOSO_DB").current_dir(dir.path());
        c
    };
    // Accounts travel too.
    let mut add = hoso()
        .arg("--db")
        .arg(&original)
        .args([
            "user",
            "add",
            "vt1",
            "--name",
            "Văn thư Một",
            "--role",
            "van-thu",
        ])
        .args(["--agency", "kon-tum"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(add.stdin.as_mut().unwrap(), b"mat-khau-dai-du-12\n").unwrap();
    assert!(add.wait().unwrap().success());
    let copy = |from: &OsString, to: &OsString| {
        hoso()
            .args(["db", "copy", "--from"])
            .arg(from)
            .arg("--to")
            .arg(to)
            .output()
            .unwrap()
    };
    let o = copy(&original.clone().into(), &pg.db);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("6 hồ sơ"), "{}", text(&o.stdout));
    assert!(
        text(&o.stdout).contains("1 tài khoản"),
        "{}",
        text(&o.stdout)
    );
    let again = copy(&original.clone().into(), &pg.db);
    assert_eq!(again.status.code(), Some(4), "{}", text(&again.stderr));
    assert!(text(&again.stderr).contains("đã có dữ liệu"));
    let o = copy(&pg.db, &back.clone().into());
    assert!(o.status.success(), "{}", text(&o.stderr));

    let cases = hoso()
        .arg("--db")
        .arg(&original)
        .args(["case", "list", "--format", "json"])
        .output()
        .unwrap();
    let cases: Vec<serde_json::Value> = serde_json::from_slice(&cases.stdout).unwrap();
    assert_eq!(cases.len(), 6);
    for c in cases {
        let id = c["id"].as_str().unwrap();
        let archive = |db: &OsString| {
            let out = dir.path().join(format!("{id}.zip"));
            let o = hoso()
                .arg("--db")
                .arg(db)
                .args(["archive", id, "--out"])
                .arg(&out)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", text(&o.stderr));
            std::fs::read(&out).unwrap()
        };
        let want = archive(&original.clone().into());
        assert!(
            want == archive(&pg.db),
            "{id}: the archive from PostgreSQL differs"
        );
        assert!(
            want == archive(&back.clone().into()),
            "{id}: the archive after the round trip differs"
        );
    }
    // The copied accounts log in with their passwords: the hashes came across intact.
    let o = hoso()
        .arg("--db")
        .arg(&back)
        .args(["user", "list"])
        .output()
        .unwrap();
    assert!(text(&o.stdout).contains("vt1"), "{}", text(&o.stdout));
}

/// One HTTP/1.1 request on a new connection: the status and the whole response.
fn http(addr: &str, method: &str, path: &str, cookie: &str, body: &str) -> (u16, String) {
    use std::io::Write;
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let out = text(&out);
    (out[9..12].parse().unwrap_or(0), out)
}

/// Logs in; returns the session cookie and the CSRF token.
fn log_in(addr: &str, login: &str, password: &str) -> (String, String) {
    let (status, out) = http(
        addr,
        "POST",
        "/dang-nhap",
        "",
        &format!("dang_nhap={login}&mat_khau={password}"),
    );
    assert_eq!(status, 303, "{out}");
    let cookie = out
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("set-cookie")
                .then(|| v.trim().split(';').next().unwrap().to_string())
        })
        .unwrap();
    let (_, page) = http(addr, "GET", "/", &cookie, "");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    (cookie, csrf)
}

/// A `hoso serve` process, stopped when dropped.
struct Server(std::process::Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl TestDb {
    fn serve(&self) -> Server {
        let mut child = self
            .hoso()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("HOSO_LOG", "warn")
            // Each issue waits after finding the draft not yet issued, so that two văn thư
            // on the same draft both get past that check and meet at the register.
            .env("HOSO_PAUSE_AT", "issue.before_take")
            .env("HOSO_PAUSE_MS", "300")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        std::io::BufRead::read_line(&mut out, &mut first).unwrap();
        let addr = first
            .trim()
            .strip_prefix("hoso serve: http://")
            .and_then(|a| a.strip_suffix('/'))
            .unwrap_or_else(|| panic!("{first}"))
            .to_string();
        Server(child, addr)
    }

    fn add_user(&self, login: &str, role: &str) {
        let mut c = self
            .hoso()
            .args(["user", "add", login, "--role", role, "--agency", "tw"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(c.stdin.as_mut().unwrap(), b"mat-khau-dai-du-12\n").unwrap();
        assert!(c.wait().unwrap().success());
    }
}

on_both!(
    two_servers_on_one_database_give_each_draft_one_number,
    |b, name| {
        let Some(t) = fresh(b, name) else { return };
        let out = t.path("out");
        let cases: Vec<String> = (0..6)
            .map(|_| {
                let id = t.new_case("2023-02-06");
                let o = t.survey(&id, "2023-02-06", &out).output().unwrap();
                assert!(o.status.success(), "{}", text(&o.stderr));
                id
            })
            .collect();
        for (login, role) in [("ld", "lanh-dao"), ("vt1", "van-thu"), ("vt2", "van-thu")] {
            t.add_user(login, role);
        }
        let (a, b2) = (t.serve(), t.serve());
        let doc = |id: &str| format!("/ho-so/{id}/van-ban/01-ke-hoach-khao-sat");
        let (ld, csrf) = log_in(&a.1, "ld", "mat-khau-dai-du-12");
        for id in &cases {
            let (status, page) = http(
                &a.1,
                "POST",
                &format!("{}/duyet", doc(id)),
                &ld,
                &format!("csrf={csrf}"),
            );
            assert_eq!(status, 303, "{page}");
        }
        // Two văn thư, one on each server, issue every draft at the same moment: each is told
        // it is issued, or that the other has just issued it, by name.
        let start = std::sync::Arc::new(std::sync::Barrier::new(2));
        let issuers: Vec<_> = [(&a.1, "vt1"), (&b2.1, "vt2")]
            .into_iter()
            .map(|(addr, login)| {
                let (addr, cases, start) = (addr.clone(), cases.clone(), start.clone());
                std::thread::spawn(move || {
                    let (cookie, csrf) = log_in(&addr, login, "mat-khau-dai-du-12");
                    start.wait();
                    let mut statuses = Vec::new();
                    for id in cases {
                        let path = format!("/ho-so/{id}/van-ban/01-ke-hoach-khao-sat/ban-hanh");
                        let (status, page) = http(
                            &addr,
                            "POST",
                            &path,
                            &cookie,
                            &format!("csrf={csrf}&ngay=10%2F02%2F2023"),
                        );
                        assert!(
                            status == 303
                                || (status == 409
                                    && page.contains("đã được")
                                    && page.contains("cấp số")),
                            "{login} {id}: {status} {page}"
                        );
                        statuses.push(status);
                    }
                    statuses
                })
            })
            .collect();
        let mut statuses: Vec<u16> = issuers
            .into_iter()
            .flat_map(|i| i.join().unwrap())
            .collect();
        statuses.sort();
        // Each draft issued once; the other văn thư told so.
        assert_eq!(statuses, [[303; 6], [409; 6]].concat());
        drop((a, b2));
        let book = t.book();
        assert_eq!(
            t.numbers(),
            (1..=6).collect::<Vec<_>>(),
            "no gap, no repeat"
        );
        let documents: BTreeSet<(String, String)> = book
            .iter()
            .map(|e| {
                (
                    e["case_id"].as_str().unwrap().to_string(),
                    e["doc"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            documents.len(),
            6,
            "each draft carries one number: {book:?}"
        );
    }
);

on_both!(
    a_provinces_deadlines_read_at_once_are_each_cases_own,
    |b, name| {
        let Some(t) = fresh(b, name) else { return };
        let mut app = generated(&t, 12, 3);
        let on = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let (all, one_by_one) = common::due_at_once_and_one_by_one(&mut app, on);
        assert!(all.len() > 10, "{all:?}");
        assert_eq!(all, one_by_one);
        // The case list reads of each case's data only its name, as the whole data has it.
        let names = |data: &serde_json::Value| -> serde_json::Map<String, serde_json::Value> {
            hoso::app::LIST_FIELDS
                .iter()
                .filter_map(|k| Some((k.to_string(), data.get(*k)?.clone())))
                .collect()
        };
        let whole: Vec<_> = app
            .reader()
            .unwrap()
            .cases()
            .unwrap()
            .into_iter()
            .map(|c| (c.id, names(&c.data)))
            .collect();
        let listed: Vec<_> = app
            .cases()
            .unwrap()
            .into_iter()
            .map(|s| (s.case.id, s.case.data.as_object().unwrap().clone()))
            .collect();
        assert!(listed.iter().all(|(_, d)| d.len() == 1), "{listed:?}");
        assert_eq!(whole, listed);
    }
);
