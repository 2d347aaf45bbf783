//! A store that notices damage, a book that one mistake does not block, secret and ordinary
//! series told apart, writers that queue instead of failing, reads that need no write access,
//! drafts that can be written again, and conditions that cannot run for ever.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn take(db: &Path, at: &str, extra: &[&str]) -> Output {
    take_cong_van(db, at).args(extra).output().unwrap()
}

fn symbol(o: &Output) -> String {
    assert!(o.status.success(), "{}", stderr(o));
    stdout(o).trim().to_string()
}

fn book(db: &Path) -> Vec<serde_json::Value> {
    let o = hoso_with(db)
        .args(["register", "list", "--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The bytes of one page of a database file.
fn page(db: &Path, n: u64) -> Vec<u8> {
    let bytes = std::fs::read(db).unwrap();
    let size = 4096;
    bytes[((n - 1) * size) as usize..(n * size) as usize].to_vec()
}

#[test]
fn a_stale_register_index_is_noticed_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    for _ in 0..3 {
        symbol(&take(&db, "2026-03-02", &[]));
    }
    let root: u64 = {
        let c = rusqlite::Connection::open(&db).unwrap();
        assert_eq!(
            c.pragma_query_value(None, "page_size", |r| r.get::<_, i64>(0))
                .unwrap(),
            4096
        );
        c.query_row(
            "SELECT rootpage FROM sqlite_schema WHERE name = 'sqlite_autoindex_register_1'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap() as u64
    };
    // The index as it was with three numbers; then three more are taken.
    let old = page(&db, root);
    for _ in 0..3 {
        symbol(&take(&db, "2026-03-02", &[]));
    }
    // Put the old index page back: the book holds 01…06, its index only 01…03.
    let mut bytes = std::fs::read(&db).unwrap();
    let at = ((root - 1) * 4096) as usize;
    bytes[at..at + 4096].copy_from_slice(&old);
    std::fs::write(&db, &bytes).unwrap();

    let o = take(&db, "2026-03-02", &[]);
    assert_eq!(o.status.code(), Some(5), "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("hoso db check"), "{}", stderr(&o));
    assert!(!stdout(&o).contains("04/BCĐ-NC"), "no number given twice");
    assert_eq!(std::fs::read(&db).unwrap(), bytes, "nothing was written");
    let o = hoso_with(&db).args(["db", "check"]).output().unwrap();
    assert_eq!(o.status.code(), Some(5));
    assert!(
        stdout(&o).contains("sqlite_autoindex_register_1"),
        "{}",
        stdout(&o)
    );
    // A sound database checks clean, files and all.
    let (out, _) = run_demo(dir.path());
    let o = hoso_with(&out.join("hoso.db"))
        .args(["db", "check"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("toàn vẹn"));
}

#[test]
fn a_withdrawn_mistake_does_not_block_the_book_and_far_dates_need_confirming() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    assert_eq!(symbol(&take(&db, "2025-03-02", &[])), "01/BCĐ-NC");
    // A mistyped date: 30/12 instead of 03/03.
    assert_eq!(symbol(&take(&db, "2025-12-30", &[])), "02/BCĐ-NC");
    assert_eq!(take(&db, "2025-03-04", &[]).status.code(), Some(1));
    let o = hoso_with(&db)
        .args([
            "register",
            "void",
            "02",
            "--province",
            "kon-tum",
            "--issuer",
            "bcd-tinh",
        ])
        .args([
            "--year",
            "2025",
            "--reason",
            "Nhầm ngày",
            "--at",
            "2025-03-04",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    // The withdrawn entry no longer sets the floor; its number is still not given again.
    assert_eq!(symbol(&take(&db, "2025-03-04", &[])), "03/BCĐ-NC");

    let today = chrono::Local::now().date_naive();
    let far = (today + chrono::Days::new(200))
        .format("%Y-%m-%d")
        .to_string();
    let o = take(&db, &far, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("--allow-future"), "{}", stderr(&o));
    assert!(take(&db, &far, &["--allow-future"]).status.success());
}

#[test]
fn secret_and_ordinary_books_are_told_apart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    assert_eq!(symbol(&take(&db, "2026-03-02", &[])), "01/BCĐ-NC");
    assert_eq!(symbol(&take(&db, "2026-03-02", &["--secret"])), "01/BCĐ-NC");
    let void = |extra: &[&str]| {
        hoso_with(&db)
            .args(["register", "void", "01/BCĐ-NC", "--province", "kon-tum"])
            .args(["--issuer", "bcd-tinh", "--year", "2026", "--reason", "Thử"])
            .args(["--at", "2026-03-03"])
            .args(extra)
            .output()
            .unwrap()
    };
    assert!(void(&[]).status.success());
    assert!(void(&["--secret"]).status.success());
    let entries = book(&db);
    assert_eq!(entries.len(), 2);
    assert!(
        entries.iter().all(|e| !e["voided_on"].is_null()),
        "{entries:?}"
    );
    let o = hoso_with(&db).args(["register", "list"]).output().unwrap();
    assert_eq!(
        stdout(&o).matches("Văn bản mật").count(),
        1,
        "{}",
        stdout(&o)
    );
}

#[test]
fn reading_needs_no_write_access() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("chung");
    std::fs::create_dir(&shared).unwrap();
    let db = shared.join("hoso.db");
    new_mo_hinh_case(&db, "2023-02-06");
    // Another account, which may read the folder but not write in it.
    let as_nobody = |args: &[&str]| {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_hoso"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .current_dir("/")
            .output()
            .unwrap()
    };
    if !as_nobody(&["--version"]).status.success() {
        eprintln!("skipped: cannot run as another account here");
        return;
    }
    for p in [dir.path(), &shared] {
        let mut perm = std::fs::metadata(p).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
        std::fs::set_permissions(p, perm).unwrap();
    }
    let o = as_nobody(&["case", "list", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("C0001"));
    assert!(as_nobody(&["case", "status", "C0001"]).status.success());
    assert!(as_nobody(&["due"]).status.success());
    assert!(as_nobody(&["register", "list"]).status.success());
    // A write says why it cannot.
    let o = as_nobody(&[
        "register",
        "take",
        "--province",
        "kon-tum",
        "--issuer",
        "bcd-tinh",
        "--type",
        "QĐ",
        "--at",
        "2026-03-02",
    ]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    // A folder without a database reads as empty and creates none.
    let none = dir.path().join("none.db");
    let o = hoso_with(&none).args(["case", "list"]).output().unwrap();
    assert!(o.status.success() && stdout(&o).is_empty());
    assert!(!none.exists());
}

#[test]
fn a_recorded_draft_can_be_written_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    let id = new_mo_hinh_case(&db, "2023-02-06");
    // The drafts' folder cannot be made: a file stands where it would go.
    let out = dir.path().join("ra");
    std::fs::write(&out, "not a folder").unwrap();
    let o = hoso_with(&db)
        .args([
            "case",
            "advance",
            &id,
            "--step",
            "khao-sat",
            "--at",
            "2023-02-06",
            "--data",
        ])
        .arg(sample("ke-hoach-khao-sat"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("hoso doc draft"), "{}", stderr(&o));
    std::fs::remove_file(&out).unwrap();
    let o = hoso_with(&db)
        .args(["doc", "draft", &id, "01-ke-hoach-khao-sat", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let docx = out.join(&id).join("du-thao/01-ke-hoach-khao-sat.docx");
    let body = paragraphs(&part(&std::fs::read(docx).unwrap(), "word/document.xml"));
    assert!(body.iter().any(|p| p.starts_with("Số:")), "{body:?}");
    assert!(
        out.join(&id)
            .join("du-thao/01-ke-hoach-khao-sat.pdf")
            .is_file()
    );
}

#[test]
fn a_condition_that_would_run_for_minutes_is_refused_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("workflows");
    std::fs::create_dir_all(&w).unwrap();
    let ten = "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]";
    std::fs::write(
        w.join("bom.yaml"),
        format!(
            "id: bom\nversion: \"1\"\neffective_from: 2022-01-01\ntitle: Bom\nroles: {{x: X}}\n\
             steps:\n  - id: a\n    title: A\n    actor: x\n    requires:\n      - when: \
             \"{ten}.all(a, {ten}.all(b, {ten}.all(c, {ten}.all(d, a + b + c + d > 0))))\"\n        \
             message: M\n"
        ),
    )
    .unwrap();
    let o = hoso_with(&dir.path().join("hoso.db"))
        .arg("--workflows")
        .arg(&w)
        .args(["workflow", "show", "bom"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("bom.yaml:11:"), "{}", stderr(&o));
    assert!(stderr(&o).contains("lồng 4 tầng"), "{}", stderr(&o));
}

/// A database an older hoso wrote (one migration behind) is brought up to date when this one
/// first reads it: `register list` works on it instead of failing on a column it lacks.
#[test]
fn an_older_database_is_upgraded_when_first_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cu.db");
    let all = hoso::store::schema::MIGRATIONS;
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        for m in &all[..all.len() - 1] {
            c.execute_batch(m.sqlite).unwrap();
        }
        c.pragma_update(None, "user_version", (all.len() - 1) as i64)
            .unwrap();
        c.execute(
            "INSERT INTO register (issuer, period, series, number, symbol, on_date, kind,
                 trich_yeu, signer, recipients, luu)
             VALUES ('UBND XÃ ĐẮK MAR', '2024', 'chung', 7, '07/QĐ-UBND', '2024-05-02',
                 'quyet-dinh', 'Về việc thử', 'Nguyễn Văn Hòa', '', '')",
            [],
        )
        .unwrap();
    }
    let o = hoso_with(&db)
        .args(["register", "list", "--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("07/QĐ-UBND"), "{}", stdout(&o));
    let c = rusqlite::Connection::open(&db).unwrap();
    let v: i64 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v as usize, all.len());
}
