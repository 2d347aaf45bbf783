//! The register as the văn thư uses it (numbers under concurrent clerks and killed processes are
//! in tests/backends.rs, on both stores): the year boundary, withdrawing a number, the book, and issuing a case's documents.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn hoso(db: &Path) -> Command {
    hoso_with(db)
}

/// `register take` for the Kon Tum steering committee's công văn ("NN/BCĐ-NC"), with a
/// trích yếu that needs escaping.
fn take(db: &Path, at: &str) -> Command {
    let mut c = take_cong_van(db, at);
    c.args(["--summary", "V/v báo cáo mô hình “Tốt” & <khác>"]);
    c
}

fn book(db: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let o = hoso(db)
        .args(["register", "list", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn the_new_year_starts_at_01() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    let sym = |at: &str| {
        let o = take(&db, at).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap().trim().to_string()
    };
    assert_eq!(sym("2025-12-30"), "01/BCĐ-NC");
    assert_eq!(sym("2025-12-31"), "02/BCĐ-NC");
    assert_eq!(sym("2026-01-01"), "01/BCĐ-NC");
    // A number of last year's book can still be taken, after its last date.
    assert_eq!(sym("2025-12-31"), "03/BCĐ-NC");
    let o = take(&db, "2025-12-29").output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("03/BCĐ-NC ngày 31/12/2025"), "{err}");
    assert_eq!(book(&db, &["--year", "2025"]).len(), 3);
    assert_eq!(book(&db, &["--year", "2026"]).len(), 1);
}

#[test]
fn a_withdrawn_number_stays_in_the_book() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    for _ in 0..2 {
        assert!(take(&db, "2026-03-02").output().unwrap().status.success());
    }
    let void = |number: &str| {
        hoso(&db)
            .args(["register", "void", number, "--province", "kon-tum"])
            .args(["--issuer", "bcd-tinh", "--year", "2026"])
            .args(["--reason", "Ký nhầm, thu hồi", "--at", "2026-03-03"])
            .output()
            .unwrap()
    };
    let o = void("01");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        void("01/BCĐ-NC").status.code(),
        Some(4),
        "already withdrawn: a conflict"
    );
    assert_eq!(void("07").status.code(), Some(1), "no such number");
    let o = take(&db, "2026-03-03").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "03/BCĐ-NC");

    let o = hoso(&db)
        .args(["register", "list", "--format", "csv", "--year", "2026"])
        .output()
        .unwrap();
    let csv = String::from_utf8(o.stdout).unwrap();
    // Excel reads UTF-8 only after a BOM.
    let csv = csv.strip_prefix('\u{feff}').expect("a BOM first");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].contains("\"Số, ký hiệu văn bản\""), "{csv}");
    assert!(
        lines[1].contains("Thu hồi số ngày 03/03/2026: Ký nhầm, thu hồi"),
        "{csv}"
    );
    assert!(
        lines[1].contains("V/v báo cáo mô hình “Tốt” & <khác>"),
        "{csv}"
    );

    let out = dir.path().join("so-di.docx");
    let o = hoso(&db)
        .args(["register", "list", "--format", "docx", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = paragraphs(&part(&std::fs::read(&out).unwrap(), "word/document.xml"));
    assert!(
        text.iter().any(|p| p == "SỔ ĐĂNG KÝ VĂN BẢN ĐI"),
        "{text:?}"
    );
    assert!(text.iter().any(|p| p == "Tên loại và trích yếu nội dung"));
    assert!(
        text.iter()
            .any(|p| p == "Công văn V/v báo cáo mô hình “Tốt” & <khác>")
    );
}

fn advance(db: &Path, id: &str, step: &str, at: &str, data: &Path, out: &Path) {
    let o = hoso(db)
        .args(["case", "advance", id, "--step", step, "--at", at, "--out"])
        .arg(out)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn issue(db: &Path, id: &str, doc: &str, at: &str, out: &Path) -> std::process::Output {
    hoso(db)
        .args(["doc", "issue", id, doc, "--at", at, "--out"])
        .arg(out)
        .output()
        .unwrap()
}

fn docx_text(path: PathBuf) -> Vec<String> {
    paragraphs(&part(&std::fs::read(path).unwrap(), "word/document.xml"))
}

#[test]
fn issuing_numbers_a_draft_once_and_anew_after_a_withdrawal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    let out = dir.path().join("out");
    let id = new_mo_hinh_case(&db, "2023-02-06");
    advance(
        &db,
        &id,
        "khao-sat",
        "2023-02-06",
        &sample("ke-hoach-khao-sat"),
        &out,
    );

    // The draft leaves the number blank; issuing fixes it and the date.
    let draft = docx_text(out.join(&id).join("du-thao/01-ke-hoach-khao-sat.docx"));
    assert!(
        draft
            .iter()
            .any(|p| p.starts_with("Số:") && p.contains("/KH-"))
    );
    let o = issue(&db, &id, "01-ke-hoach-khao-sat", "2023-02-05", &out);
    assert_eq!(o.status.code(), Some(1), "not before it was drafted");
    let o = issue(&db, &id, "ke-hoach-khao-sat", "2023-02-07", &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let first = String::from_utf8(o.stdout).unwrap();
    assert!(first.contains("01/KH-"), "{first}");
    let final_text = docx_text(out.join(&id).join("01-ke-hoach-khao-sat.docx"));
    assert!(
        final_text.iter().any(|p| p.starts_with("Số: 01/KH-")),
        "{final_text:?}"
    );
    assert!(
        final_text
            .iter()
            .any(|p| p.contains("ngày 07 tháng 02 năm 2023"))
    );
    let pdf_before = std::fs::read(out.join(&id).join("01-ke-hoach-khao-sat.pdf")).unwrap();

    // Issued again: the same number and the very same files.
    let o = issue(&db, &id, "01-ke-hoach-khao-sat", "2023-03-01", &out);
    let again = String::from_utf8(o.stdout).unwrap();
    assert!(again.contains("đã ban hành: 01/KH-"), "{again}");
    assert!(again.contains("07/02/2023"), "{again}");
    let pdf_after = std::fs::read(out.join(&id).join("01-ke-hoach-khao-sat.pdf")).unwrap();
    assert_eq!(pdf_before, pdf_after);
    assert_eq!(book(&db, &[]).len(), 1);

    // Withdrawn, it is issued under a new number; the old one stays in the book.
    let issuer = book(&db, &[])[0]["issuer"].as_str().unwrap().to_string();
    let mut store = hoso::store::SqliteStore::open(&db).unwrap();
    hoso::register::void(
        &mut store,
        &hoso::register::BookKey(issuer),
        &hoso::register::Numbered {
            number: "01".into(),
            year: None,
            secret: false,
        },
        "Sai phạm vi khảo sát",
        chrono::NaiveDate::from_ymd_opt(2023, 2, 8).unwrap(),
    )
    .unwrap();
    drop(store);
    let o = issue(&db, &id, "01-ke-hoach-khao-sat", "2023-02-08", &out);
    assert!(String::from_utf8_lossy(&o.stdout).contains("ban hành: 02/KH-"));
    assert_eq!(book(&db, &[]).len(), 2);
}

#[test]
fn the_quy_che_carries_its_decision_number() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = run_demo(dir.path());
    let db = out.join("hoso.db");
    let entries = book(&db, &["--issuer", "BAN CHỈ ĐẠO MÔ HÌNH"]);
    let qd = entries
        .iter()
        .find(|e| e["doc"] == "10-quyet-dinh-ban-hanh-quy-che")
        .expect("the decision is in the book");
    let symbol = qd["symbol"].as_str().unwrap();
    let quy_che = docx_text(out.join("C0001/12-quy-che-hoat-dong-mo-hinh.docx"));
    assert!(
        quy_che.iter().any(|p| p.contains(&format!(
            "Kèm theo Quyết định số {symbol} ngày 25 tháng 3 năm 2023"
        ))),
        "{quy_che:?}"
    );
    // Later drafts cite the numbers the register gave, not numbers typed in a data file.
    let qd = docx_text(out.join("C0001/06-quyet-dinh-thanh-lap-mo-hinh.docx")).join("\n");
    let nq = book(&db, &["--issuer", "ĐẢNG ỦY XÃ ĐẮK MAR"])[0]["symbol"].clone();
    assert_eq!(nq, "01-NQ/ĐU");
    assert!(
        qd.contains(
            "Căn cứ Nghị quyết số 01-NQ/ĐU ngày 10 tháng 3 năm 2023 của Đảng ủy xã Đắk Mar"
        ),
        "{qd}"
    );
    assert!(
        qd.contains("tại Tờ trình số 03/TTr-CAX ngày 28 tháng 02 năm 2023"),
        "{qd}"
    );
    // The quy chế takes no number of its own; a Party committee's resolution takes its own.
    assert!(entries.iter().all(|e| e["kind"] != "quy-che"));
    let party = book(&db, &["--issuer", "ĐẢNG ỦY XÃ ĐẮK MAR"]);
    assert_eq!(party[0]["symbol"], "01-NQ/ĐU");
    // Issuing the quy chế on its own is refused with the reason.
    let o = issue(
        &db,
        "C0001",
        "12-quy-che-hoat-dong-mo-hinh",
        "2023-03-25",
        &out,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("được ban hành kèm theo"));
}

/// Issue 14: a document citing another of its hồ sơ prints the number the register gave it.
/// Before that one is issued, the draft leaves the citation blank (the sample's stand-in
/// `van_ban_ngoai` is not used inside a case), and issuing is refused — naming the template
/// and what it cites — without taking a number.
#[test]
fn a_citation_waits_for_the_register() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    let out = dir.path().join("out");
    let id = new_mo_hinh_case(&db, "2023-02-06");
    advance(
        &db,
        &id,
        "khao-sat",
        "2023-02-06",
        &sample("ke-hoach-khao-sat"),
        &out,
    );
    let o = hoso(&db)
        .args(["case", "advance", &id, "--step", "bao-cao-khao-sat"])
        .args(["--at", "2023-02-28", "--out"])
        .arg(&out)
        .arg("--doc")
        .arg(format!(
            "bao-cao-ket-qua-khao-sat={}",
            sample("bao-cao-ket-qua-khao-sat").display()
        ))
        .arg("--doc")
        .arg(format!(
            "to-trinh-de-xuat-xay-dung-mo-hinh={}",
            sample("to-trinh-de-xuat-xay-dung-mo-hinh").display()
        ))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let draft = docx_text(
        out.join(&id)
            .join("du-thao/02-bao-cao-ket-qua-khao-sat.docx"),
    )
    .join("\n");
    assert!(draft.contains("(chưa ban hành)"), "{draft}");
    assert!(!draft.contains("03/KH-CAX"), "{draft}");

    let o = issue(&db, &id, "bao-cao-ket-qua-khao-sat", "2023-02-28", &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    for want in [
        "bao-cao-ket-qua-khao-sat",
        "trich_dan \"ke-hoach-khao-sat\"",
        "chưa ban hành",
        "van_ban_ngoai.ke-hoach-khao-sat",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }
    assert!(
        book(&db, &[]).is_empty(),
        "a refused document takes no number"
    );

    for doc in ["ke-hoach-khao-sat", "bao-cao-ket-qua-khao-sat"] {
        let o = issue(&db, &id, doc, "2023-02-28", &out);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let issued = docx_text(out.join(&id).join("02-bao-cao-ket-qua-khao-sat.docx")).join("\n");
    assert!(
        issued.contains(
            "Thực hiện Kế hoạch số 01/KH-CAX ngày 28 tháng 02 năm 2023 của Công an xã Đắk Mar về \
             khảo sát"
        ),
        "{issued}"
    );
}

/// Issue 14: an agency that starts using hoso in October opens its book at the number it has
/// reached; the book shows the opening, the next number follows it, and a series that already
/// has numbers cannot be opened again.
#[test]
fn a_book_opens_at_the_agencys_current_number() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    let open = |from: &str, at: &str| {
        hoso(&db)
            .args(["register", "open", "--from", from])
            .args(["--province", "kon-tum", "--issuer", "bcd-tinh"])
            .args(["--type", "cong-van", "--unit", "NC", "--at", at])
            .output()
            .unwrap()
    };
    let o = open("0", "2026-10-01");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--from"));

    let o = open("245", "2026-10-01");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8(o.stdout).unwrap();
    assert!(
        said.contains("245/BCĐ-NC") && said.contains("246"),
        "{said}"
    );

    let o = take(&db, "2026-10-02").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8(o.stdout).unwrap().trim(), "246/BCĐ-NC");

    let o = open("300", "2026-10-03");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("đã có số 246/BCĐ-NC"), "{err}");

    let entries = book(&db, &[]);
    let numbers: Vec<u64> = entries
        .iter()
        .map(|e| e["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [245, 246]);
    assert_eq!(entries[0]["kind"], "mo-so");
    let text = hoso(&db).args(["register", "list"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("Mở sổ: các số đến 245/BCĐ-NC đã cấp trước khi dùng hoso"),
        "{text}"
    );

    // Another year is another series: it starts at 01 unless opened too.
    let o = take(&db, "2027-01-04")
        .arg("--allow-future")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8(o.stdout).unwrap().trim(), "01/BCĐ-NC");
}
