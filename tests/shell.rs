//! The command line as a shell over `App`: an exit code for each kind of outcome, formats that
//! refuse what they do not know, a closed pipe that ends quietly, procedures refused at load,
//! and a demo that only writes where it may and expects the very refusals its samples name.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::*;

fn code(o: &std::process::Output) -> Option<i32> {
    o.status.code()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn each_outcome_has_its_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    // 0: done.
    let id = new_mo_hinh_case(&db, "2023-02-06");
    // 1: refused by the procedure — a step that is not open yet.
    let o = hoso_with(&db)
        .args([
            "case",
            "advance",
            &id,
            "--step",
            "ra-mat",
            "--at",
            "2023-02-07",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("bước `ra-mat` bị từ chối"),
        "{}",
        stderr(&o)
    );
    // 1: not found.
    let o = hoso_with(&db)
        .args(["case", "status", "C0404"])
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(1));
    assert!(
        stderr(&o).contains("không có hồ sơ `C0404`"),
        "{}",
        stderr(&o)
    );
    // 2: wrong arguments, on every format flag.
    for args in [
        vec!["case", "list", "--format", "xml"],
        vec!["case", "status", &id, "--format", "xml"],
        vec!["due", "--format", "xml"],
        vec!["register", "list", "--format", "xml"],
        vec!["workflow", "show", "mo-hinh", "--format", "xml"],
        vec![
            "doc",
            "render",
            "--template",
            "t",
            "--data",
            "d",
            "--out",
            "o",
            "--format",
            "xml",
        ],
        vec![
            "case",
            "new",
            "--workflow",
            "mo-hinh",
            "--data",
            "d",
            "--at",
            "6/2/2023",
        ],
    ] {
        let o = hoso_with(&db).args(&args).output().unwrap();
        assert_eq!(code(&o), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).starts_with("hoso: "), "{}", stderr(&o));
    }
    // 4: a conflict — a number withdrawn twice.
    assert!(
        take_cong_van(&db, "2026-03-02")
            .output()
            .unwrap()
            .status
            .success()
    );
    let void = || {
        hoso_with(&db)
            .args([
                "register",
                "void",
                "01",
                "--province",
                "kon-tum",
                "--issuer",
                "bcd-tinh",
            ])
            .args(["--reason", "Ký nhầm", "--at", "2026-03-03"])
            .output()
            .unwrap()
    };
    assert_eq!(code(&void()), Some(0));
    let o = void();
    assert_eq!(code(&o), Some(4), "{}", stderr(&o));
    // 5: a damaged store.
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, vec![0x5a; 8192]).unwrap();
    let o = hoso_with(&garbage).args(["case", "list"]).output().unwrap();
    assert_eq!(code(&o), Some(5), "{}", stderr(&o));
    // Help is Vietnamese and exits 0.
    let o = hoso_with(&db)
        .args(["case", "advance", "--help"])
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(0));
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(
        help.contains("Cách dùng") && help.contains("du-thao"),
        "{help}"
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    new_mo_hinh_case(&db, "2023-02-06");
    // The reader is gone before hoso writes: the write fails with EPIPE.
    let mut child = hoso_with(&db)
        .args(["case", "list", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert_eq!(code(&o), Some(0));
    // As a user types it.
    let o = Command::new("bash")
        .args([
            "-c",
            "\"$0\" --db \"$1\" case list --format json | head -c 10",
        ])
        .arg(env!("CARGO_BIN_EXE_hoso"))
        .arg(&db)
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_eq!(o.stdout.len(), 10);
    assert!(!stderr(&o).contains("panicked"));
}

/// A copy of the built-in procedures, changed by `edit`, for `--workflows`.
fn workflows_with(dir: &Path, edit: impl Fn(&Path)) -> std::path::PathBuf {
    let w = dir.join("workflows");
    for sub in ["", "provinces", "ho-so"] {
        std::fs::create_dir_all(w.join(sub)).unwrap();
        for e in std::fs::read_dir(root().join("workflows").join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yaml") {
                std::fs::copy(&p, w.join(sub).join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    edit(&w);
    w
}

/// A broken procedure stops its own cases, not the others: every command that loads the
/// procedures names it, a command about another procedure works, one about it is refused with
/// its problem (a broken base takes its provinces with it).
#[test]
fn a_broken_procedure_stops_its_own_cases_and_every_command_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    let data = dir.path().join("case.yaml");
    std::fs::write(&data, "ten_mo_hinh: X\npham_vi: thôn 1\nlien_ket: false\n").unwrap();
    let empty = workflows_with(&dir.path().join("a"), |w| {
        std::fs::write(
            w.join("trong.yaml"),
            "id: trong\nversion: \"1\"\neffective_from: 2022-01-01\ntitle: Trống\nroles: {x: X}\nsteps: []\n",
        )
        .unwrap();
    });
    let bad_starts = workflows_with(&dir.path().join("b"), |w| {
        let p = w.join("mo-hinh.yaml");
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(
            &p,
            text.replace("starts: {workflow: mo-hinh", "starts: {workflow: mo-hin"),
        )
        .unwrap();
    });
    let new_case = |workflow: &str| {
        [
            "case",
            "new",
            "--workflow",
            workflow,
            "--data",
            data.to_str().unwrap(),
            "--at",
            "2023-02-06",
        ]
        .map(str::to_string)
        .to_vec()
    };
    let take = [
        "register",
        "take",
        "--province",
        "kon-tum",
        "--issuer",
        "bcd-tinh",
        "--type",
        "QĐ",
    ]
    .map(str::to_string)
    .to_vec();
    let show = ["workflow", "show", "mo-hinh"].map(str::to_string).to_vec();
    let due = vec!["due".to_string()];
    let run = |w: &Path, args: &[String]| {
        let o = hoso_with(&db)
            .arg("--workflows")
            .arg(w)
            .args(args)
            .output()
            .unwrap();
        (code(&o), stderr(&o))
    };
    // A broken base of its own: the others work and name it; its cases are refused.
    let named =
        "quy trình `trong` có lỗi, hồ sơ theo nó bị từ chối cho đến khi sửa (1 lỗi; đầu tiên: ";
    for args in [new_case("mo-hinh"), show.clone(), due.clone()] {
        let (code, err) = run(&empty, &args);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert!(
            err.contains(named) && err.contains("trong.yaml:6:8: quy trình cần ít nhất một bước"),
            "{args:?}: {err}"
        );
    }
    let (code, err) = run(&empty, &new_case("trong"));
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("trong.yaml:6:8: quy trình cần ít nhất một bước"),
        "{err}"
    );
    // mô hình broken: its cases, its provinces' agencies and its diagram are refused; `due`
    // lists the others and names it.
    for args in [new_case("mo-hinh"), show.clone(), take] {
        let (code, err) = run(&bad_starts, &args);
        assert_eq!(code, Some(1), "{args:?}: {err}");
        assert!(
            err.contains("starts: không có quy trình `mo-hin`"),
            "{args:?}: {err}"
        );
    }
    let (code, err) = run(&bad_starts, &new_case("dien-hinh"));
    assert_eq!(code, Some(1), "a mô hình's data is no điển hình's: {err}");
    assert!(err.contains("dữ liệu hồ sơ"), "{err}");
    let (code, err) = run(&bad_starts, &due);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("quy trình `mo-hinh` có lỗi"), "{err}");
}

#[test]
fn the_demo_writes_only_where_it_may() {
    let dir = tempfile::tempdir().unwrap();
    // A clerk's folder: their database and a document.
    let clerk = dir.path().join("van-phong");
    std::fs::create_dir(&clerk).unwrap();
    let db = clerk.join("hoso.db");
    new_mo_hinh_case(&db, "2023-02-06");
    let before = std::fs::read(&db).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_hoso"))
        .current_dir(&clerk)
        .env_remove("HOSO_DB")
        .args(["demo", "--out", "."])
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("không do `hoso demo` tạo"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the clerk's database is untouched"
    );
    // --db is refused rather than ignored.
    let o = hoso_with(&db)
        .args(["demo", "--out"])
        .arg(dir.path().join("x"))
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(!dir.path().join("x").exists());
}

#[test]
fn the_demo_fails_when_an_expected_refusal_is_another_error() {
    let dir = tempfile::tempdir().unwrap();
    let samples = dir.path().join("mau");
    let cp = |from: &Path, to: &Path| {
        let o = Command::new("cp")
            .arg("-r")
            .arg(from)
            .arg(to)
            .status()
            .unwrap();
        assert!(o.success());
    };
    cp(&root().join("samples"), &samples);
    // The Bắc Kạn sample expects its self-assessment at 3 of 4 criteria to be refused; a step
    // that does not exist is not that refusal.
    let case = samples.join("cases/bac-kan-cam-giang.yaml");
    let text = std::fs::read_to_string(&case).unwrap();
    let broken = text.replace(
        "{step: tu-danh-gia, at: 2023-09-22,",
        "{step: tu-danh-gia-sai, at: 2023-09-22,",
    );
    assert_ne!(text, broken);
    std::fs::write(&case, broken).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_hoso"))
        .current_dir(dir.path())
        .env_remove("HOSO_DB")
        .args(["demo", "--out", "demo", "--samples", "mau"])
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("tu-danh-gia-sai"), "{}", stderr(&o));
}
