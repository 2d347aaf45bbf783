//! The batch commands (`doc draft-all`, `doc issue-all`, `archive-all`) against the single
//! document path: the same bytes, numbers in the order of drafting, one failure named without
//! stopping the others, and nothing written where it is not theirs.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{hoso_with, new_mo_hinh_case, run_demo, sample};
use hoso::app::{App, Config};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn run(db: &Path, args: &[&str]) -> Output {
    hoso_with(db).args(args).output().unwrap()
}

/// Three mô hình cases, each with its survey plan drafted on its own day (06, 07, 08/02/2023);
/// returns their ids.
fn three_drafted(db: &Path, out: &Path) -> Vec<String> {
    ["2023-02-06", "2023-02-07", "2023-02-08"]
        .iter()
        .map(|at| {
            let id = new_mo_hinh_case(db, at);
            let o = hoso_with(db)
                .args(["case", "advance", &id, "--step", "khao-sat", "--at", at])
                .arg("--data")
                .arg(sample("ke-hoach-khao-sat"))
                .arg("--out")
                .arg(out)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", text(&o.stderr));
            id
        })
        .collect()
}

/// Every file below `dir`, by its path there, with its bytes.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut all = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_path_buf();
                all.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    all.sort();
    all
}

const DOC: &str = "01-ke-hoach-khao-sat";

#[test]
fn issue_all_gives_the_bytes_and_numbers_of_issuing_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let (db, twin) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let ids = three_drafted(&db, &dir.path().join("drafts"));
    std::fs::copy(&db, &twin).unwrap();
    let (batch, single) = (dir.path().join("batch"), dir.path().join("single"));

    let o = hoso_with(&db)
        .args([
            "doc",
            "issue-all",
            "--at",
            "2023-02-10",
            "--jobs",
            "2",
            "--out",
        ])
        .arg(&batch)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("Đã ban hành 3/3 văn bản (6 tệp)"));
    for id in &ids {
        let o = hoso_with(&twin)
            .args(["doc", "issue", id, DOC, "--at", "2023-02-10", "--out"])
            .arg(&single)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let (b, s) = (files(&batch), files(&single));
    assert_eq!(b.len(), 6);
    assert!(b == s, "issue-all wrote other bytes than doc issue");
    // Numbers follow the order of drafting: the case drafted first has 01.
    let book = run(&db, &["register", "list"]);
    let book = text(&book.stdout);
    for (n, id) in ids.iter().enumerate() {
        let line = book.lines().find(|l| l.contains(&format!("Hồ sơ {id}")));
        assert!(
            line.is_some_and(|l| l.starts_with(&format!("0{}/KH-CAX", n + 1))),
            "{book}"
        );
    }
    // Nothing is left to issue, and the command says so.
    let o = hoso_with(&db)
        .args(["doc", "issue-all", "--at", "2023-02-10", "--out"])
        .arg(&batch)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("Không có văn bản nào đã soạn mà chưa ban hành"));
}

#[test]
fn one_document_that_cannot_be_issued_is_named_and_the_others_are() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let ids = three_drafted(&db, &dir.path().join("drafts"));
    let out = dir.path().join("out");
    // 07/02: the third plan was drafted on 08/02 and cannot be issued before.
    let o = hoso_with(&db)
        .args(["doc", "issue-all", "--at", "2023-02-07", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("Đã ban hành 2/3 văn bản"));
    let err = text(&o.stderr);
    assert!(
        err.contains(&format!("{} {DOC}", ids[2])) && err.contains("được soạn ngày 08/02/2023"),
        "{err}"
    );
    assert!(out.join(&ids[0]).join(format!("{DOC}.pdf")).is_file());
    assert!(!out.join(&ids[2]).exists());
    // Each on its own draft's day: the third is issued now, after the others in its book.
    let o = hoso_with(&db)
        .args(["doc", "issue-all", "--ngay-soan", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("số 03/KH-CAX"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn draft_all_renders_what_doc_draft_renders_for_the_period_and_unit_asked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let ids = three_drafted(&db, &dir.path().join("drafts"));
    // The web application records each case's unit; two here, one left without.
    {
        let mut app = App::new(Config {
            templates: None,
            workflows: None,
            db: db.as_path().into(),
        });
        app.set_case_agency(&ids[0], "kon-tum/dak-ha/dak-mar")
            .unwrap();
        app.set_case_agency(&ids[1], "kon-tum/dak-to").unwrap();
    }
    let all = dir.path().join("all");
    let o = hoso_with(&db)
        .args(["doc", "draft-all", "--don-vi", "kon-tum", "--out"])
        .arg(&all)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let written = files(&all);
    assert_eq!(written.len(), 4, "{written:?}");
    let one = dir.path().join("one");
    let o = hoso_with(&db)
        .args(["doc", "draft", &ids[0], DOC, "--out"])
        .arg(&one)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let docx = format!("{}/du-thao/{DOC}.docx", ids[0]);
    assert_eq!(
        std::fs::read(all.join(&docx)).unwrap(),
        std::fs::read(one.join(&docx)).unwrap()
    );
    // A unit's own cases and those under it, not a unit whose name only begins the same.
    let o = hoso_with(&db)
        .args(["doc", "draft-all", "--don-vi", "kon-tum/dak-h", "--out"])
        .arg(dir.path().join("none"))
        .output()
        .unwrap();
    assert!(
        text(&o.stdout).contains("(đơn vị kon-tum/dak-h): không ghi gì"),
        "{}",
        text(&o.stdout)
    );
    assert!(!dir.path().join("none").exists());
    // The period is the day drafted.
    let period = dir.path().join("period");
    let o = hoso_with(&db)
        .args(["doc", "draft-all", "--tu-ngay", "2023-02-07"])
        .args(["--den-ngay", "2023-02-07", "--out"])
        .arg(&period)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let names: Vec<_> = files(&period).into_iter().map(|(p, _)| p).collect();
    assert!(
        names.iter().all(|p| p.starts_with(&ids[1])) && names.len() == 2,
        "{names:?}"
    );
}

#[test]
fn archive_all_writes_each_ended_case_as_archive_would_and_only_in_its_own_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (demo, _) = run_demo(dir.path());
    let db = demo.join("hoso.db");
    let out = dir.path().join("luu-tru");
    let o = hoso_with(&db)
        .args(["archive-all", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    // The demo ends its điển hình cases (2023, 2024); its mô hình cases are open.
    let mut zips: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".zip"))
        .collect();
    zips.sort();
    assert_eq!(zips, ["C0002.zip", "C0003.zip"]);
    let single = dir.path().join("C0003.zip");
    let o = hoso_with(&db)
        .args(["archive", "C0003", "--out"])
        .arg(&single)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        std::fs::read(&single).unwrap(),
        std::fs::read(out.join("C0003.zip")).unwrap()
    );
    for z in &zips {
        let o = hoso_with(&db)
            .arg("verify")
            .arg(out.join(z))
            .output()
            .unwrap();
        assert!(o.status.success(), "{z}: {}", text(&o.stdout));
    }
    // Its year: only the case ended in 2023. Again into its own folder is allowed.
    let o = hoso_with(&db)
        .args(["archive-all", "--nam", "2023", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("1/1 hồ sơ"), "{}", text(&o.stdout));
    // A folder holding other files is not written into.
    let foreign = dir.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("C0002.zip"), b"not ours").unwrap();
    let o = hoso_with(&db)
        .args(["archive-all", "--out"])
        .arg(&foreign)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_eq!(
        std::fs::read(foreign.join("C0002.zip")).unwrap(),
        b"not ours"
    );
    let o = hoso_with(&db)
        .args(["archive-all", "--nam", "2021", "--out"])
        .arg(dir.path().join("empty"))
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(text(&o.stdout).contains("Không có hồ sơ nào kết thúc trong năm 2021"));
}

#[test]
fn a_generated_provinces_year_is_drafted_issued_and_archived_in_bulk_without_a_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tinh.db");
    let o = hoso_with(&db)
        .args(["province", "generate", "--models", "12", "--dien-hinh", "2"])
        .args(["--communes", "2", "--du-thao", "2024", "--out"])
        .arg(dir.path().join("dia-ban"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let said = text(&o.stdout);
    let drafted: usize = said
        .split(" dự thảo")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{said}"));
    assert!(drafted > 10, "{said}");
    // Every draft of the year issues, each on its own day, numbers in the order drafted:
    // what a case cites was drafted (and so issued) before it.
    let out = dir.path().join("ban-hanh");
    let o = hoso_with(&db)
        .args(["doc", "issue-all", "--ngay-soan", "--allow-future"])
        .args([
            "--tu-ngay",
            "2023-11-01",
            "--den-ngay",
            "2024-10-31",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let said = text(&o.stdout);
    assert!(said.starts_with("Đã ban hành "), "{said}");
    let (done, of) = said["Đã ban hành ".len()..]
        .split(' ')
        .next()
        .and_then(|f| f.split_once('/'))
        .unwrap();
    assert_eq!(done, of, "{said}");
    // Each book's numbers follow its dates.
    let o = run(&db, &["register", "list", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(entries.len() >= done.parse::<usize>().unwrap());
    let mut books: std::collections::BTreeMap<String, Vec<(u64, String)>> = Default::default();
    for e in &entries {
        let book = format!("{} {} {}", e["issuer"], e["period"], e["series"]);
        let (number, on) = (e["number"].as_u64().unwrap(), e["on_date"].to_string());
        books.entry(book).or_default().push((number, on));
    }
    for (book, mut numbers) in books {
        numbers.sort();
        assert!(
            numbers.windows(2).all(|w| w[0].1 <= w[1].1),
            "{book}: {numbers:?}"
        );
    }
}
