//! The `hoso` binary as a clerk uses it: outputs, exit codes and messages.

mod common;

use std::process::Command;

use common::*;

fn hoso() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hoso"))
}

#[test]
fn render_writes_a_final_docx() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("qd.docx");
    let o = hoso()
        .args([
            "doc",
            "render",
            "--template",
            "quyet-dinh-thanh-lap-mo-hinh",
            "--format",
            "docx",
        ])
        .arg("--data")
        .arg(sample("quyet-dinh-thanh-lap-mo-hinh"))
        .arg("--out")
        .arg(&out)
        .args(["--number", "5", "--date", "2023-03-20"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&out).unwrap();
    let body = paragraphs(&part(&bytes, "word/document.xml"));
    assert!(body.contains(&"Số: 05/QĐ-UBND".to_string()));
    assert!(body.contains(&"Đắk Mar, ngày 20 tháng 3 năm 2023".to_string()));
    // Nothing but the output is left in the directory (no temporary file).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn bad_input_fails_cleanly_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.docx");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "issuer:\n  name: [unclosed\n").unwrap();
    let cases: Vec<(Vec<String>, &str, i32)> = vec![
        (
            vec![
                "--template".into(),
                "quyet-dinh-thanh-lap-mo-hinh".into(),
                "--data".into(),
                bad.display().to_string(),
            ],
            "bad.yaml:",
            1,
        ),
        (
            vec![
                "--template".into(),
                "khong-co".into(),
                "--data".into(),
                sample("ke-hoach-khao-sat").display().to_string(),
            ],
            "không có mẫu `khong-co`",
            1,
        ),
        (
            vec![
                "--template".into(),
                "ke-hoach-khao-sat".into(),
                "--data".into(),
                dir.path().join("none.yaml").display().to_string(),
            ],
            "none.yaml",
            1,
        ),
        (
            vec![
                "--template".into(),
                "ke-hoach-khao-sat".into(),
                "--data".into(),
                sample("ke-hoach-khao-sat").display().to_string(),
                "--format".into(),
                "odt".into(),
            ],
            "`odt`",
            2,
        ),
    ];
    // A wrong file or template is bad input (1); a format hoso does not write is a bad
    // argument (2).
    for (args, want, code) in cases {
        let o = hoso()
            .args(["doc", "render", "--out"])
            .arg(&out)
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out.exists());
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "only bad.yaml"
    );
}

#[test]
fn bad_date_is_a_usage_error() {
    let o = hoso()
        .args([
            "doc",
            "render",
            "--template",
            "t",
            "--data",
            "d",
            "--out",
            "o",
            "--date",
            "20/3/2023",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn templates_lists_items_and_variables() {
    let o = hoso().args(["doc", "templates"]).output().unwrap();
    assert!(o.status.success());
    let s = String::from_utf8(o.stdout).unwrap();
    assert!(s.contains("quyet-dinh-thanh-lap-mo-hinh"));
    assert!(s.contains("mo-hinh #6"));
    assert!(s.contains("ten_mo_hinh:"));
}

#[test]
fn demo_drives_every_sample_case() {
    let dir = tempfile::tempdir().unwrap();
    let (out, report) = run_demo(dir.path());
    assert!(report.contains("4 hồ sơ"), "{report}");
    assert!(report.contains("từ chối (như mong đợi)"), "{report}");
    // An ended case, and one overdue occurrence judged on its case's last step: Kon Tum's
    // annual report of 2024, not made by 27/12/2024. The proposal named two sites.
    assert!(
        report.contains("trạng thái: đã kết thúc ngày 25/11/2024 (bước ket-thuc)"),
        "{report}"
    );
    assert_eq!(report.matches("quá hạn ngày").count(), 1, "{report}");
    assert!(
        report
            .contains("quá hạn ngày 27/12/2024: bao-cao-dinh-ky (hạn: chậm nhất ngày 10/11/2024, ngày nghỉ: Chủ nhật)"),
        "{report}"
    );
    assert!(
        report.contains("nhân rộng → hồ sơ C0004, C0005"),
        "{report}"
    );
    assert!(out.join("hoso.db").exists());
    // Every case document is issued: drafts kept apart, finals numbered from the register.
    assert!(
        out.join("C0001/du-thao/06-quyet-dinh-thanh-lap-mo-hinh.docx")
            .exists()
    );
    assert!(
        out.join("C0001/06-quyet-dinh-thanh-lap-mo-hinh.pdf")
            .exists()
    );
    assert!(report.contains("01-NQ/ĐU"), "{report}");
    assert!(out.join("documents/nghi-quyet-chu-truong.docx").exists());
}

/// `doc render-all` renders a folder of data files on both cores: the bytes are those of `doc
/// render` for each file, whatever the number of threads; a broken file is named and the others
/// are written; a folder that is not its own is never written into.
#[test]
fn render_all_matches_render_and_names_what_failed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("du-lieu");
    std::fs::create_dir(&data).unwrap();
    let copy_dir = |from: &std::path::Path, to: &std::path::Path| {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
            }
        }
    };
    copy_dir(
        &root().join("samples/documents/_common"),
        &data.join("_common"),
    );
    let templates = [
        "quyet-dinh-thanh-lap-mo-hinh",
        "bien-ban-lay-y-kien-thanh-vien",
        "ke-hoach-khao-sat",
        "to-trinh-de-nghi-xep-loai",
    ];
    for t in templates {
        std::fs::copy(sample(t), data.join(format!("{t}.yaml"))).unwrap();
    }
    std::fs::write(data.join("bao-cao-so-ket.yaml"), "tieu_de: [chưa đóng\n").unwrap();

    let run = |out: &std::path::Path, jobs: &str| {
        hoso()
            .args(["doc", "render-all", "--jobs", jobs, "--data"])
            .arg(&data)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap()
    };
    let (two, one) = (dir.path().join("hai"), dir.path().join("mot"));
    let o = run(&two, "2");
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(said.contains("4/5 văn bản (8 tệp)"), "{said}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bao-cao-so-ket.yaml:2:1"), "{err}");
    assert!(!two.join("bao-cao-so-ket.docx").exists());
    assert_eq!(run(&one, "1").status.code(), Some(1));

    for t in templates {
        let single = dir.path().join(format!("{t}.x"));
        let o = hoso()
            .args(["doc", "render", "--template", t, "--format", "docx,pdf"])
            .arg("--data")
            .arg(data.join(format!("{t}.yaml")))
            .arg("--out")
            .arg(&single)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        for ext in ["docx", "pdf"] {
            let want = std::fs::read(single.with_extension(ext)).unwrap();
            let name = format!("{t}.{ext}");
            assert!(
                want == std::fs::read(two.join(&name)).unwrap(),
                "{name}, 2 threads"
            );
            assert!(
                want == std::fs::read(one.join(&name)).unwrap(),
                "{name}, 1 thread"
            );
        }
    }
    // Run again into its own folder: allowed; into a folder of someone else's: refused.
    assert_eq!(run(&two, "2").status.code(), Some(1));
    let theirs = dir.path().join("cua-nguoi-khac");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("ghi-chu.txt"), "của tôi").unwrap();
    let o = run(&theirs, "2");
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("không do `hoso doc render-all` tạo"));
    assert_eq!(std::fs::read_dir(&theirs).unwrap().count(), 1);
}

/// Commands that judge deadlines or read the book load templates by name only: a template
/// file that does not parse stops rendering, not `due`, `case list` or `register list`.
#[test]
fn due_and_the_book_never_parse_templates() {
    let dir = tempfile::tempdir().unwrap();
    let (demo, _) = run_demo(dir.path());
    let templates = dir.path().join("mau");
    std::fs::create_dir(&templates).unwrap();
    for e in std::fs::read_dir(root().join("templates")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "hbs") {
            std::fs::copy(&p, templates.join(p.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(
        templates.join("ke-hoach-khao-sat.hbs"),
        "---\nkind: [khong dong\n---\n",
    )
    .unwrap();
    let db = demo.join("hoso.db");
    for args in [
        &["due", "--at", "2024-11-30"][..],
        &["case", "list"],
        &["register", "list"],
        &["case", "status", "C0001"],
    ] {
        let o = hoso_with(&db)
            .arg("--templates")
            .arg(&templates)
            .args(args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // Rendering does parse them, and names the file.
    let o = hoso_with(&db)
        .arg("--templates")
        .arg(&templates)
        .args(["doc", "draft", "C0001", "01-ke-hoach-khao-sat", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("ke-hoach-khao-sat.hbs"));
}
