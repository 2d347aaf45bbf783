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
    assert!(report.contains("3 hồ sơ"), "{report}");
    assert!(report.contains("từ chối (như mong đợi)"), "{report}");
    // An ended case, and one overdue occurrence judged on its case's last step: Kon Tum's
    // annual report of 2024, not made by 27/12/2024. The proposal named two sites.
    assert!(
        report.contains("trạng thái: đã kết thúc ngày 25/11/2024 (bước ket-thuc)"),
        "{report}"
    );
    assert_eq!(report.matches("quá hạn ngày").count(), 1, "{report}");
    assert!(
        report.contains("quá hạn ngày 27/12/2024: bao-cao-dinh-ky (hạn 10/11/2024)"),
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
