//! The engine drives a mô hình case end to end on a real SQLite file: guards refuse what HD 22
//! forbids, deadlines are computed, and a step that fails half-way leaves nothing behind.

mod common;

use std::process::Command;

use chrono::NaiveDate;
use common::*;
use hoso::engine::Engine;
use hoso::store::{SqliteStore as Store, Store as _};
use serde_json::json;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn engine() -> Engine {
    Engine::new(hoso::workflow::embedded().unwrap())
}

fn open_steps(store: &Store, id: &str) -> Vec<String> {
    store
        .steps(id)
        .unwrap()
        .into_iter()
        .filter(|s| s.open)
        .map(|s| s.step)
        .collect()
}

/// Bước 1–5 up to the launch, without a province's overlay.
fn launched(e: &Engine, s: &mut Store) -> String {
    launched_in(e, s, "mo-hinh")
}

#[test]
fn mo_hinh_from_survey_to_replication() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("hoso.db")).unwrap();
    let e = engine();
    let id = launched(&e, &mut s);
    let steps = s.steps(&id).unwrap();
    let due = |step: &str| steps.iter().find(|r| r.step == step).and_then(|r| r.due);
    assert_eq!(due("bao-cao-dinh-ky"), Some(d("2023-05-05")));
    assert_eq!(due("de-nghi-xep-loai"), Some(d("2023-11-05")));

    // Rating in November 2023: the model has worked 7 months by 31/10 — refused.
    let err = e
        .advance(
            &mut s,
            &id,
            "de-nghi-xep-loai",
            &json!({"ty_le_hoan_thanh": 92}),
            d("2023-11-03"),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("chưa hoạt động đủ 10 tháng") && err.contains("20/03/2023"),
        "{err}"
    );

    // A periodic report stays open for the next period.
    e.advance(
        &mut s,
        &id,
        "bao-cao-dinh-ky",
        &json!({"ky_bao_cao": "6 tháng đầu năm 2023"}),
        d("2023-05-04"),
    )
    .unwrap();
    assert!(open_steps(&s, &id).contains(&"bao-cao-dinh-ky".to_string()));

    // November 2024: 19 months — accepted; the decision is due before 10/11.
    let out = e
        .advance(
            &mut s,
            &id,
            "de-nghi-xep-loai",
            &json!({"ty_le_hoan_thanh": 92}),
            d("2024-11-03"),
        )
        .unwrap();
    assert_eq!(
        out.opened[0],
        ("xep-loai".to_string(), Some(d("2024-11-10")))
    );
    assert_eq!(
        out.opened[1],
        ("de-nghi-xep-loai".to_string(), Some(d("2025-11-05"))),
        "next year's rating"
    );
    assert_eq!(out.documents, ["to-trinh-de-nghi-xep-loai"]);

    // 92 % cannot be rated Khá.
    let err = e
        .advance(
            &mut s,
            &id,
            "xep-loai",
            &json!({"xep_loai": "Khá"}),
            d("2024-11-08"),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("không khớp tỷ lệ") && err.contains("92"),
        "{err}"
    );
    let err = e
        .advance(
            &mut s,
            &id,
            "xep-loai",
            &json!({"xep_loai": "Xuất sắc"}),
            d("2024-11-08"),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`xep_loai`") && err.contains("Tốt, Khá"),
        "{err}"
    );
    let out = e
        .advance(
            &mut s,
            &id,
            "xep-loai",
            &json!({"xep_loai": "Tốt"}),
            d("2024-11-08"),
        )
        .unwrap();
    assert_eq!(
        out.opened,
        vec![("gui-ket-qua".to_string(), Some(d("2024-11-15")))]
    );

    // "Tốt" opens nhân rộng, which starts a linked case.
    let out = e
        .advance(&mut s, &id, "gui-ket-qua", &json!({}), d("2024-11-12"))
        .unwrap();
    assert_eq!(out.opened[0].0, "de-xuat-nhan-rong");
    let out = e
        .advance(
            &mut s,
            &id,
            "de-xuat-nhan-rong",
            &json!({}),
            d("2024-12-10"),
        )
        .unwrap();
    assert_eq!(
        out.starts.as_ref().map(|s| s.workflow.as_str()),
        Some("mo-hinh")
    );
    // The linked case is started by the step itself, in the same transaction.
    assert_eq!(out.linked.len(), 1, "no site named: one linked case");
    let linked = out.linked[0].clone();
    let new_case = s.case(&linked).unwrap();
    assert_eq!(new_case.data["nhan_rong_tu"], id.as_str());
    assert_eq!(new_case.data["ten_mo_hinh"], "Camera an ninh");
    assert!(
        new_case.data.get("xep_loai").is_none(),
        "the new site starts unrated"
    );
    assert_eq!(
        open_steps(&s, &linked),
        ["khao-sat"],
        "replication runs the same five steps"
    );

    // The log holds every accepted step and no refused one.
    let log = s.events(&id).unwrap();
    assert_eq!(
        log.iter().filter(|e| e.step == "de-nghi-xep-loai").count(),
        1
    );
    assert_eq!(log.last().unwrap().step, "de-xuat-nhan-rong");
}

#[test]
fn no_replication_from_kha_and_no_step_out_of_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("hoso.db")).unwrap();
    let e = engine();
    let id = launched(&e, &mut s);
    e.advance(
        &mut s,
        &id,
        "de-nghi-xep-loai",
        &json!({"ty_le_hoan_thanh": 75}),
        d("2024-11-02"),
    )
    .unwrap();
    e.advance(
        &mut s,
        &id,
        "xep-loai",
        &json!({"xep_loai": "Khá"}),
        d("2024-11-07"),
    )
    .unwrap();
    let out = e
        .advance(&mut s, &id, "gui-ket-qua", &json!({}), d("2024-11-12"))
        .unwrap();
    assert!(
        out.opened.is_empty(),
        "neither nhân rộng nor kết thúc after Khá: {out:?}"
    );
    let err = e
        .advance(
            &mut s,
            &id,
            "de-xuat-nhan-rong",
            &json!({}),
            d("2024-12-01"),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("chưa đến lượt"), "{err}");
    let err = e
        .advance(&mut s, &id, "khao-sat", &json!({}), d("2024-12-01"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("chưa đến lượt"),
        "a completed step is not done twice: {err}"
    );
    let err = e
        .advance(&mut s, "C9999", "khao-sat", &json!({}), d("2024-12-01"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("không có hồ sơ `C9999`"), "{err}");
}

#[test]
fn a_failure_inside_the_transaction_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    let hoso = || hoso_with(&db);
    let id = new_mo_hinh_case(&db, "2023-02-06");
    let out = dir.path().join("out");
    let advance = |fail: bool| {
        let mut c = hoso();
        c.args([
            "case",
            "advance",
            &id,
            "--step",
            "khao-sat",
            "--at",
            "2023-02-06",
            "--out",
        ])
        .arg(&out)
        .arg("--data")
        .arg(sample("ke-hoach-khao-sat"));
        if fail {
            c.env("HOSO_FAIL_AT", "store.apply.before_commit");
        }
        c.output().unwrap()
    };
    let o = advance(true);
    assert_eq!(o.status.code(), Some(5), "a failure of the store");
    assert!(String::from_utf8_lossy(&o.stderr).contains("injected failure"));
    let s = Store::open(&db).unwrap();
    assert!(
        s.events(&id).unwrap().is_empty(),
        "no event for a step that failed"
    );
    assert_eq!(
        open_steps(&s, &id),
        ["khao-sat"],
        "the case is as before the step"
    );
    assert!(!out.exists(), "no document for a step that failed");
    drop(s);

    let o = advance(false);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = Store::open(&db).unwrap();
    assert_eq!(s.events(&id).unwrap().len(), 1);
    assert_eq!(open_steps(&s, &id), ["bao-cao-khao-sat"]);
    let drafts = out.join(&id).join("du-thao");
    assert!(drafts.join("01-ke-hoach-khao-sat.docx").exists());
    assert!(drafts.join("01-ke-hoach-khao-sat.pdf").exists());
    assert_eq!(s.documents(&id).unwrap()[0].doc, "01-ke-hoach-khao-sat");
}

#[test]
fn dien_hinh_is_evaluated_within_one_year_of_its_plan() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("hoso.db")).unwrap();
    let e = engine();
    let new = |s: &mut Store| {
        let id = e
            .new_case(
                s,
                "dien-hinh",
                &json!({"ten_dien_hinh": "Tổ tự quản thôn Kon Klốc"}),
                d("2023-03-01"),
            )
            .unwrap();
        e.advance(s, &id, "khao-sat", &json!({}), d("2023-03-20"))
            .unwrap();
        e.advance(s, &id, "tieu-chi", &json!({}), d("2023-04-05"))
            .unwrap();
        let out = e
            .advance(
                s,
                &id,
                "ke-hoach",
                &json!({"ngay_ke_hoach": "2023-04-10"}),
                d("2023-04-10"),
            )
            .unwrap();
        assert_eq!(
            out.opened,
            vec![("danh-gia".to_string(), Some(d("2024-04-10")))],
            "due one year after the plan"
        );
        id
    };
    let late = new(&mut s);
    let err = e
        .advance(
            &mut s,
            &late,
            "danh-gia",
            &json!({"ty_le_tieu_chi": 100}),
            d("2024-05-02"),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("quá 01 năm") && err.contains("10/04/2023"),
        "{err}"
    );

    let id = new(&mut s);
    let out = e
        .advance(
            &mut s,
            &id,
            "danh-gia",
            &json!({"ty_le_tieu_chi": 100}),
            d("2024-03-20"),
        )
        .unwrap();
    assert_eq!(out.opened[0].0, "cong-nhan");
    e.advance(&mut s, &id, "cong-nhan", &json!({}), d("2024-03-28"))
        .unwrap();
    // A yearly re-evaluation under 70 % ends the điển hình.
    let out = e
        .advance(
            &mut s,
            &id,
            "danh-gia-lai",
            &json!({"ty_le_tieu_chi": 60}),
            d("2024-11-15"),
        )
        .unwrap();
    assert_eq!(out.opened[0].0, "ket-thuc");
    let out = e
        .advance(&mut s, &id, "ket-thuc", &json!({}), d("2024-11-25"))
        .unwrap();
    assert_eq!(
        out.documents,
        [
            "quyet-dinh-ket-thuc-dien-hinh",
            "thong-bao-ket-thuc-dien-hinh"
        ]
    );
}

#[test]
fn don_vi_dien_hinh_needs_last_years_standing_and_every_criterion() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("hoso.db")).unwrap();
    let e = engine();
    let data = |phan_loai: &str| json!({"ten_don_vi": "xã Cẩm Giàng", "nam": 2023, "dat_an_toan": true, "phan_loai_nam_truoc": phan_loai});
    let weak = e
        .new_case(
            &mut s,
            "don-vi-dien-hinh",
            &data("Trung bình"),
            d("2023-03-01"),
        )
        .unwrap();
    let err = e
        .advance(&mut s, &weak, "dang-ky", &json!({}), d("2023-03-15"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Khá trở lên") && err.contains("Trung bình"),
        "{err}"
    );

    let id = e
        .new_case(&mut s, "don-vi-dien-hinh", &data("Khá"), d("2023-03-01"))
        .unwrap();
    assert_eq!(
        s.steps(&id).unwrap()[0].due,
        Some(d("2023-03-31")),
        "registration in the first quarter"
    );
    e.advance(&mut s, &id, "dang-ky", &json!({}), d("2023-03-15"))
        .unwrap();
    e.advance(&mut s, &id, "ke-hoach", &json!({}), d("2023-03-25"))
        .unwrap();
    let err = e
        .advance(
            &mut s,
            &id,
            "tu-danh-gia",
            &json!({"so_tieu_chi_dat": 3, "tong_so_tieu_chi": 4}),
            d("2023-09-22"),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("3/4"), "{err}");
    e.advance(
        &mut s,
        &id,
        "tu-danh-gia",
        &json!({"so_tieu_chi_dat": 4, "tong_so_tieu_chi": 4}),
        d("2023-09-25"),
    )
    .unwrap();
}

/// Bước 1–5 up to the launch under `workflow` (a base or `<base>@<province>`).
fn launched_in(e: &Engine, s: &mut Store, workflow: &str) -> String {
    let id = e
        .new_case(
            s,
            workflow,
            &json!({"ten_mo_hinh": "Camera an ninh", "pham_vi": "thôn 1", "lien_ket": false}),
            d("2023-02-06"),
        )
        .unwrap();
    for (step, at, inputs) in [
        ("khao-sat", "2023-02-06", json!({})),
        ("bao-cao-khao-sat", "2023-02-28", json!({})),
        ("chu-truong", "2023-03-10", json!({})),
        ("trien-khai", "2023-03-13", json!({})),
        ("lay-y-kien", "2023-03-17", json!({})),
        (
            "thanh-lap",
            "2023-03-20",
            json!({"ngay_thanh_lap": "2023-03-20"}),
        ),
    ] {
        e.advance(s, &id, step, &inputs, d(at)).unwrap();
    }
    let out = e
        .advance(s, &id, "quy-che", &json!({}), d("2023-03-25"))
        .unwrap();
    assert!(
        !out.documents.contains(&"quy-che-phoi-hop".to_string()),
        "only a mô hình liên kết has one"
    );
    assert!(
        out.documents
            .contains(&"quy-che-hoat-dong-mo-hinh".to_string())
    );
    e.advance(s, &id, "ra-mat", &json!({}), d("2023-03-31"))
        .unwrap();
    id
}

#[test]
fn kon_tum_reports_good_models_every_quarter() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("hoso.db")).unwrap();
    let e = engine();
    let id = launched_in(&e, &mut s, "mo-hinh@kon-tum");
    let due = |s: &Store, step: &str| {
        s.steps(&id)
            .unwrap()
            .into_iter()
            .find(|r| r.step == step)
            .and_then(|r| r.due)
    };
    assert_eq!(
        due(&s, "bao-cao-dinh-ky"),
        Some(d("2023-05-10")),
        "Kon Tum: 6-month report before 10/5"
    );
    // The quarterly report of "Tốt" models is not due before the model is rated Tốt.
    assert!(!open_steps(&s, &id).contains(&"bao-cao-mo-hinh-tot".to_string()));
    let err = e
        .advance(
            &mut s,
            &id,
            "bao-cao-mo-hinh-tot",
            &json!({}),
            d("2023-06-05"),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("chưa đến lượt"), "{err}");
    e.advance(
        &mut s,
        &id,
        "de-nghi-xep-loai",
        &json!({"ty_le_hoan_thanh": 95}),
        d("2024-11-04"),
    )
    .unwrap();
    e.advance(
        &mut s,
        &id,
        "xep-loai",
        &json!({"xep_loai": "Tốt"}),
        d("2024-11-08"),
    )
    .unwrap();
    // Once Tốt, each report moves the deadline to the next quarter: 10/3, 10/6, 10/9, 10/12.
    let mut seen = Vec::new();
    for at in ["2024-12-05", "2025-03-06", "2025-06-09", "2025-09-01"] {
        let before = due(&s, "bao-cao-mo-hinh-tot").unwrap();
        e.advance(&mut s, &id, "bao-cao-mo-hinh-tot", &json!({}), d(at))
            .unwrap();
        seen.push(before);
    }
    // Opened by the Tốt rating of 08/11/2024: each report meets one quarter's deadline and
    // opens the next.
    assert_eq!(
        seen,
        ["2024-12-10", "2025-03-10", "2025-06-10", "2025-09-10"].map(d)
    );
    assert_eq!(due(&s, "bao-cao-mo-hinh-tot"), Some(d("2025-12-10")));
}

/// Kon Tum's quarterly report is owed only while the model's latest rating is "Tốt"
/// (`due_while`): a correction to Khá leaves the step open and owing nothing, a correction back
/// to Tốt owes the quarters again. `hoso due` and the province's report read the same standing.
#[test]
fn kon_tum_owes_the_quarterly_report_only_while_the_model_is_tot() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("hoso.db")).unwrap();
    let e = engine();
    let id = launched_in(&e, &mut s, "mo-hinh@kon-tum");
    e.advance(
        &mut s,
        &id,
        "de-nghi-xep-loai",
        &json!({"ty_le_hoan_thanh": 95}),
        d("2024-11-04"),
    )
    .unwrap();
    e.advance(
        &mut s,
        &id,
        "xep-loai",
        &json!({"xep_loai": "Tốt"}),
        d("2024-11-08"),
    )
    .unwrap();
    let owed = |s: &Store, on: &str| -> Vec<NaiveDate> {
        let standing = e
            .standing(
                &s.case(&id).unwrap(),
                &s.steps(&id).unwrap(),
                &s.events(&id).unwrap(),
                d(on),
            )
            .unwrap();
        standing
            .pending
            .into_iter()
            .filter(|p| p.step == "bao-cao-mo-hinh-tot" && p.overdue)
            .map(|p| p.due)
            .collect()
    };
    assert_eq!(owed(&s, "2025-01-14"), [d("2024-12-10")]);
    let kha =
        json!({"xep_loai": "Khá", "ly_do_dieu_chinh": "Sai sót", "ly_do_xep_loai": "Chưa đều"});
    e.advance(&mut s, &id, "dieu-chinh-xep-loai", &kha, d("2025-01-15"))
        .unwrap();
    assert!(open_steps(&s, &id).contains(&"bao-cao-mo-hinh-tot".to_string()));
    assert_eq!(owed(&s, "2025-04-01"), Vec::<NaiveDate>::new());
    let tot = json!({"xep_loai": "Tốt", "ly_do_dieu_chinh": "Sửa lại"});
    e.advance(&mut s, &id, "dieu-chinh-xep-loai", &tot, d("2025-02-01"))
        .unwrap();
    assert_eq!(owed(&s, "2025-04-01"), [d("2024-12-10"), d("2025-03-10")]);
}

#[test]
fn bac_kan_dates_and_the_two_level_province() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("hoso.db")).unwrap();
    let e = engine();
    let data = json!({"ten_don_vi": "xã Cẩm Giàng", "nam": 2023, "dat_an_toan": true, "phan_loai_nam_truoc": "Khá"});
    let id = e
        .new_case(&mut s, "don-vi-dien-hinh@bac-kan", &data, d("2023-03-01"))
        .unwrap();
    e.advance(&mut s, &id, "dang-ky", &json!({}), d("2023-03-15"))
        .unwrap();
    let out = e
        .advance(&mut s, &id, "ke-hoach", &json!({}), d("2023-03-25"))
        .unwrap();
    assert_eq!(
        out.opened,
        vec![("tu-danh-gia".to_string(), Some(d("2023-09-30")))],
        "commune before 01/10"
    );
    let out = e
        .advance(
            &mut s,
            &id,
            "tu-danh-gia",
            &json!({"so_tieu_chi_dat": 4, "tong_so_tieu_chi": 4}),
            d("2023-09-25"),
        )
        .unwrap();
    assert_eq!(
        out.opened,
        vec![("xet-cap-huyen".to_string(), Some(d("2023-10-14")))],
        "district before 15/10"
    );
    e.advance(&mut s, &id, "xet-cap-huyen", &json!({}), d("2023-10-10"))
        .unwrap();
    let out = e
        .advance(&mut s, &id, "tham-dinh", &json!({}), d("2023-10-18"))
        .unwrap();
    assert_eq!(
        out.opened,
        vec![("cong-nhan".to_string(), Some(d("2023-10-24")))],
        "province before 25/10"
    );

    // After 01/07/2025 there is no district: the commune reports straight to the province.
    let id = e
        .new_case(
            &mut s,
            "don-vi-dien-hinh@thai-nguyen",
            &data,
            d("2026-02-01"),
        )
        .unwrap();
    e.advance(&mut s, &id, "dang-ky", &json!({}), d("2026-03-10"))
        .unwrap();
    e.advance(&mut s, &id, "ke-hoach", &json!({}), d("2026-03-20"))
        .unwrap();
    let out = e
        .advance(
            &mut s,
            &id,
            "tu-danh-gia",
            &json!({"so_tieu_chi_dat": 4, "tong_so_tieu_chi": 4}),
            d("2026-09-20"),
        )
        .unwrap();
    assert_eq!(out.opened[0].0, "tham-dinh");
    assert_eq!(
        s.case(&id).unwrap().version,
        "2025.1-tn",
        "the case keeps its version"
    );
}

#[test]
fn due_lists_deadlines_as_text_json_and_ics() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    let data = dir.path().join("case.yaml");
    std::fs::write(
        &data,
        "ten_don_vi: xã Cẩm Giàng\nnam: 2023\ndat_an_toan: true\nphan_loai_nam_truoc: Khá\n",
    )
    .unwrap();
    let hoso = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_hoso"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    };
    let id = hoso(&[
        "case",
        "new",
        "--workflow",
        "don-vi-dien-hinh",
        "--province",
        "bac-kan",
        "--at",
        "2023-03-01",
        "--data",
        data.to_str().unwrap(),
    ]);
    let id = id.trim();
    let json: serde_json::Value =
        serde_json::from_str(&hoso(&["due", "--format", "json"])).unwrap();
    assert_eq!(json[0]["case"], id);
    // Judged today, the 2023 deadline is long past; judged on 15/03/2023, it is not yet.
    assert_eq!(json[0]["overdue"], true);
    let on_time: serde_json::Value =
        serde_json::from_str(&hoso(&["due", "--format", "json", "--at", "2023-03-15"])).unwrap();
    assert_eq!(on_time[0]["overdue"], false);
    assert!(hoso(&["due"]).contains("QUÁ HẠN"));
    assert!(!hoso(&["due", "--at", "2023-03-15"]).contains("QUÁ HẠN"));
    assert_eq!(json[0]["step"], "dang-ky");
    assert_eq!(json[0]["due"], "2023-03-31");
    // Registration in the first quarter: `by:` 31/03, the last day itself.
    assert_eq!(json[0]["deadline"], "chậm nhất ngày 31/03/2023");
    assert!(hoso(&["due"]).contains(" — hạn: chậm nhất ngày 31/03/2023  QUÁ HẠN\n"));
    let ics = hoso(&["due", "--format", "ics"]);
    assert!(
        ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.contains("DTSTART;VALUE=DATE:20230331\r\n"),
        "{ics}"
    );
    let unfolded = ics.replace("\r\n ", "");
    // The step and the case in words, marked overdue; the same UID for the same occurrence;
    // a reminder three working days before (Friday 31/03/2023 → Tuesday 28/03).
    assert!(
        unfolded.contains("SUMMARY:[QUÁ HẠN] ")
            && unfolded.contains("đơn vị điển hình “xã Cẩm Giàng”"),
        "{unfolded}"
    );
    assert!(unfolded.contains(&format!("UID:{id}-dang-ky-2023-03-31@hoso")));
    assert!(unfolded.contains("BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-P3D\r\n"));
    assert!(!hoso(&["due", "--format", "ics", "--remind", "0"]).contains("VALARM"));
    // Nothing due: still a calendar.
    let empty = hoso(&["due", "--format", "ics", "--before", "2023-03-30"]);
    assert!(empty.starts_with("BEGIN:VCALENDAR\r\n") && empty.ends_with("END:VCALENDAR\r\n"));
    assert!(!empty.contains("VEVENT"));
    assert!(hoso(&["due", "--before", "2023-03-30"]).is_empty());
}

#[test]
fn a_document_that_cannot_be_filled_leaves_the_step_unrecorded() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    let data = dir.path().join("case.yaml");
    std::fs::write(
        &data,
        "ten_mo_hinh: Camera an ninh\npham_vi: thôn 1\nlien_ket: false\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hoso"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&[
        "case",
        "new",
        "--workflow",
        "mo-hinh",
        "--at",
        "2023-02-06",
        "--data",
        data.to_str().unwrap(),
    ]);
    let id = String::from_utf8(o.stdout).unwrap().trim().to_string();
    // The survey plan's data without the variables its template needs.
    let thin = dir.path().join("thin.yaml");
    let text = std::fs::read_to_string(sample("ke-hoach-khao-sat")).unwrap();
    std::fs::write(&thin, text.replace("tu_ngay: 2023-02-13\n", "")).unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "case",
        "advance",
        &id,
        "--step",
        "khao-sat",
        "--at",
        "2023-02-06",
        "--data",
        thin.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("tu_ngay"));
    let s = Store::open(&db).unwrap();
    assert!(s.events(&id).unwrap().is_empty());
    assert_eq!(open_steps(&s, &id), ["khao-sat"]);
    assert!(!out.exists());
}

/// A step's document takes its issuer and signer from the province when its data names none.
#[test]
fn province_agencies_sign_the_provinces_documents() {
    let set = hoso::template::TemplateSet::embedded().unwrap();
    let e = engine();
    let procedure = e.newest(&"don-vi-dien-hinh@bac-kan".into()).unwrap();
    let id = "quyet-dinh-cong-nhan-don-vi-dien-hinh";
    // The province's decision with no issuer and no signer in its data.
    let text = std::fs::read_to_string(sample(id)).unwrap();
    let body = &text[text.find("tinh: Bắc Kạn").unwrap()..];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.yaml");
    std::fs::write(&path, body).unwrap();
    let data = hoso::template::DocData::load(&path).unwrap();
    assert!(
        set.document(id, &data, &draft()).is_err(),
        "without the province there is no issuer"
    );
    let data = hoso::issue::with_province(&set, procedure, id, data, d("2023-10-24")).unwrap();
    let doc = set.document(id, &data, &issued(112, 2023, 10, 24)).unwrap();
    let body = paragraphs(&part(
        &hoso::render::docx::render(&doc).unwrap(),
        "word/document.xml",
    ));
    for want in [
        "ỦY BAN NHÂN DÂN",
        "TỈNH BẮC KẠN",
        "Số: 112/QĐ-UBND",
        "Bắc Kạn, ngày 24 tháng 10 năm 2023",
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Đinh Quang Tuyên",
    ] {
        assert!(
            body.iter().any(|p| p == want),
            "missing {want:?} in {body:?}"
        );
    }
}

/// A case keeps the version of the procedure it started with; new cases take the version in
/// effect on their opening date.
#[test]
fn a_case_keeps_its_version() {
    let mut workflows = hoso::workflow::embedded().unwrap();
    let mut v2 = workflows
        .iter()
        .find(|w| w.id == "dien-hinh")
        .unwrap()
        .clone();
    v2.version = "2026.1".into();
    v2.effective_from = d("2026-01-01");
    // The newer version gives two years to evaluate instead of one.
    let danh_gia = v2.steps.iter_mut().find(|s| s.id == "danh-gia").unwrap();
    danh_gia.requires[0].when = "months_between(case.ngay_ke_hoach, at) < 24".into();
    workflows.push(v2);
    let e = Engine::new(workflows);
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("hoso.db")).unwrap();
    let start = |s: &mut Store, opened: &str, plan: &str| {
        let id = e
            .new_case(
                s,
                "dien-hinh",
                &json!({"ten_dien_hinh": "Tổ tự quản"}),
                d(opened),
            )
            .unwrap();
        e.advance(s, &id, "khao-sat", &json!({}), d(plan)).unwrap();
        e.advance(s, &id, "tieu-chi", &json!({}), d(plan)).unwrap();
        e.advance(s, &id, "ke-hoach", &json!({"ngay_ke_hoach": plan}), d(plan))
            .unwrap();
        id
    };
    let old = start(&mut s, "2025-03-01", "2025-04-01");
    let new = start(&mut s, "2026-02-01", "2026-03-01");
    assert_eq!(s.case(&old).unwrap().version, "2022.1");
    assert_eq!(s.case(&new).unwrap().version, "2026.1");
    // 18 months after the plan: too late under 2022.1, in time under 2026.1.
    let late = e.advance(
        &mut s,
        &old,
        "danh-gia",
        &json!({"ty_le_tieu_chi": 100}),
        d("2026-10-01"),
    );
    assert!(late.unwrap_err().to_string().contains("quá 01 năm"));
    e.advance(
        &mut s,
        &new,
        "danh-gia",
        &json!({"ty_le_tieu_chi": 100}),
        d("2027-09-01"),
    )
    .unwrap();
}

/// A điển hình taken to its end: the case is ended by `ket-thuc` on its date, takes no step
/// after it, and has nothing due; `case list` and `case status` say so.
#[test]
fn an_ended_case_takes_no_step_and_drops_from_due() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    let mut s = Store::open(&db).unwrap();
    let e = engine();
    let id = e
        .new_case(
            &mut s,
            "dien-hinh",
            &json!({"ten_dien_hinh": "Tổ tự quản thôn Kon Klốc"}),
            d("2023-03-01"),
        )
        .unwrap();
    for (step, inputs, at) in [
        ("khao-sat", json!({}), "2023-03-20"),
        ("tieu-chi", json!({}), "2023-04-05"),
        (
            "ke-hoach",
            json!({"ngay_ke_hoach": "2023-04-10"}),
            "2023-04-10",
        ),
        ("danh-gia", json!({"ty_le_tieu_chi": 100}), "2024-03-20"),
        ("cong-nhan", json!({}), "2024-03-28"),
        ("danh-gia-lai", json!({"ty_le_tieu_chi": 60}), "2024-11-15"),
    ] {
        e.advance(&mut s, &id, step, &inputs, d(at)).unwrap();
    }
    let due_of = |s: &Store| -> Vec<String> {
        s.due(None)
            .unwrap()
            .into_iter()
            .filter(|r| r.case == id)
            .map(|r| r.step)
            .collect()
    };
    assert!(due_of(&s).contains(&"danh-gia-lai".to_string()));
    assert_eq!(s.case(&id).unwrap().ended, None);

    e.advance(&mut s, &id, "ket-thuc", &json!({}), d("2024-11-25"))
        .unwrap();
    let ended = s.case(&id).unwrap().ended.expect("ended");
    assert_eq!(
        (ended.step.as_str(), ended.on),
        ("ket-thuc", d("2024-11-25"))
    );
    assert!(due_of(&s).is_empty(), "{:?}", due_of(&s));
    assert!(open_steps(&s, &id).is_empty());

    let err = e
        .advance(
            &mut s,
            &id,
            "danh-gia-lai",
            &json!({"ty_le_tieu_chi": 80}),
            d("2025-11-10"),
        )
        .unwrap_err();
    assert!(matches!(err, hoso::Error::Refused { .. }), "{err:?}");
    let err = err.to_string();
    assert!(
        err.contains("đã kết thúc ngày 25/11/2024") && err.contains("ket-thuc"),
        "{err}"
    );
    drop(s);

    let run = |args: &[&str]| {
        let o = hoso_with(&db).args(args).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let list = run(&["case", "list"]);
    assert!(
        list.contains(&format!(
            "{id}  dien-hinh 2022.1  đã kết thúc ngày 25/11/2024 (bước ket-thuc)"
        )),
        "{list}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&run(&["case", "list", "--format", "json"])).unwrap();
    assert_eq!(json[0]["status"], "ended");
    assert_eq!(json[0]["ended"]["on"], "2024-11-25");
    let status = run(&["case", "status", &id]);
    assert!(
        status.contains("trạng thái: đã kết thúc ngày 25/11/2024 (bước ket-thuc)"),
        "{status}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&run(&["case", "status", &id, "--format", "json"])).unwrap();
    assert_eq!(json["status"], "ended");
    assert_eq!(json["ended"]["step"], "ket-thuc");
    assert!(run(&["due"]).is_empty());
}

/// Steps follow one another in time: none before the case opened or before the last recorded
/// step; a date more than 30 days ahead needs `--allow-future`.
#[test]
fn steps_are_dated_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    let mut s = Store::open(&db).unwrap();
    let e = engine();
    let id = e
        .new_case(
            &mut s,
            "dien-hinh",
            &json!({"ten_dien_hinh": "Tổ tự quản thôn Kon Klốc"}),
            d("2023-03-01"),
        )
        .unwrap();
    let err = e
        .advance(&mut s, &id, "khao-sat", &json!({}), d("2023-02-27"))
        .unwrap_err();
    assert!(matches!(err, hoso::Error::Refused { .. }), "{err:?}");
    assert!(
        err.to_string().contains("trước ngày mở hồ sơ") && err.to_string().contains("01/03/2023"),
        "{err}"
    );
    e.advance(&mut s, &id, "khao-sat", &json!({}), d("2023-03-20"))
        .unwrap();
    let err = e
        .advance(&mut s, &id, "tieu-chi", &json!({}), d("2023-03-19"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("trước bước đã ghi gần nhất") && err.contains("`khao-sat` ngày 20/03/2023"),
        "{err}"
    );
    // The same day as the last step is in order.
    e.advance(&mut s, &id, "tieu-chi", &json!({}), d("2023-03-20"))
        .unwrap();
    drop(s);

    let far = (chrono::Local::now().date_naive() + chrono::Days::new(45))
        .format("%Y-%m-%d")
        .to_string();
    let f = dir.path().join("inputs.yaml");
    std::fs::write(&f, format!("ngay_ke_hoach: {far}\n")).unwrap();
    let advance = |extra: &[&str]| {
        hoso_with(&db)
            .args(["case", "advance", &id, "--step", "ke-hoach", "--at", &far])
            .arg("--inputs")
            .arg(&f)
            .arg("--data")
            .arg(sample("ke-hoach-xay-dung-dien-hinh"))
            .arg("--out")
            .arg(dir.path().join("out"))
            .args(extra)
            .output()
            .unwrap()
    };
    let o = advance(&[]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--allow-future"), "{err}");
    let o = advance(&["--allow-future"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// A model founded on 18/11/2022 that reports on 30/10/2023 is rated for the year 01/11/2022 –
/// 31/10/2023, in which it worked 11 months (Civil Code counting): accepted. A model founded on
/// 05/01/2024 has worked 9 months by 31/10/2024 and is refused.
#[test]
fn a_late_october_report_is_for_the_year_ending_that_october() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("hoso.db")).unwrap();
    let e = engine();
    let founded = |s: &mut Store, on: &str| {
        let id = e
            .new_case(
                s,
                "mo-hinh",
                &json!({"ten_mo_hinh": "Camera an ninh", "pham_vi": "thôn 1", "lien_ket": false}),
                d(on),
            )
            .unwrap();
        for step in [
            "khao-sat",
            "bao-cao-khao-sat",
            "chu-truong",
            "trien-khai",
            "lay-y-kien",
        ] {
            e.advance(s, &id, step, &json!({}), d(on)).unwrap();
        }
        e.advance(s, &id, "thanh-lap", &json!({"ngay_thanh_lap": on}), d(on))
            .unwrap();
        e.advance(s, &id, "quy-che", &json!({}), d(on)).unwrap();
        e.advance(s, &id, "ra-mat", &json!({}), d(on)).unwrap();
        id
    };
    let id = founded(&mut s, "2022-11-18");
    let out = e
        .advance(
            &mut s,
            &id,
            "de-nghi-xep-loai",
            &json!({"ty_le_hoan_thanh": 92}),
            d("2023-10-30"),
        )
        .unwrap();
    assert_eq!(out.opened[0].0, "xep-loai");

    let young = founded(&mut s, "2024-01-05");
    let err = e
        .advance(
            &mut s,
            &young,
            "de-nghi-xep-loai",
            &json!({"ty_le_hoan_thanh": 92}),
            d("2024-10-30"),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("chưa hoạt động đủ 10 tháng") && err.contains("05/01/2024"),
        "{err}"
    );
}

/// A step changes exactly the inputs it declares: `so-ket` declares none, so a file giving it
/// `xep_loai` and `ngay_thanh_lap` is refused naming the key and the file, and the case keeps
/// its rating and founding date (which the 10-month rule counts from).
#[test]
fn a_step_takes_only_its_declared_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    let mut s = Store::open(&db).unwrap();
    let e = engine();
    let id = launched(&e, &mut s);
    let err = e
        .advance(
            &mut s,
            &id,
            "so-ket",
            &json!({"xep_loai": "Tốt", "ngay_thanh_lap": "2020-01-01"}),
            d("2023-06-01"),
        )
        .unwrap_err();
    assert!(matches!(err, hoso::Error::Invalid(_)), "{err:?}");
    assert!(err.to_string().contains("`ngay_thanh_lap`"), "{err}");
    let case = s.case(&id).unwrap();
    assert_eq!(case.data["ngay_thanh_lap"], "2023-03-20");
    assert!(case.data.get("xep_loai").is_none());
    drop(s);

    let inputs = dir.path().join("so-ket.yaml");
    std::fs::write(&inputs, "xep_loai: Tốt\n").unwrap();
    let o = hoso_with(&db)
        .args([
            "case",
            "advance",
            &id,
            "--step",
            "so-ket",
            "--at",
            "2023-06-01",
        ])
        .arg("--inputs")
        .arg(&inputs)
        .arg("--data")
        .arg(sample("ke-hoach-so-ket-tong-ket"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("so-ket.yaml") && err.contains("`xep_loai` không phải dữ liệu khai báo"),
        "{err}"
    );
    let s = Store::open(&db).unwrap();
    assert!(s.case(&id).unwrap().data.get("xep_loai").is_none());
    assert!(s.events(&id).unwrap().iter().all(|e| e.step != "so-ket"));
}

/// `tu-danh-gia` drafts three documents whose data differ (the báo cáo's `ket_qua` is a table,
/// the tờ trình's a sentence): each gets its own file with `--doc`, the step its inputs with
/// `--inputs`, and both render as they should.
#[test]
fn each_document_of_a_step_gets_its_own_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    let out = dir.path().join("out");
    let case = dir.path().join("case.yaml");
    std::fs::write(
        &case,
        "ten_don_vi: xã Cẩm Giàng\nnam: 2023\ndat_an_toan: true\nphan_loai_nam_truoc: Khá\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let o = hoso_with(&db).args(args).output().unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    };
    let id = run(&[
        "case",
        "new",
        "--workflow",
        "don-vi-dien-hinh",
        "--province",
        "bac-kan",
        "--at",
        "2023-03-01",
        "--data",
        case.to_str().unwrap(),
    ]);
    let id = id.trim();
    let out_s = out.to_str().unwrap();
    for (step, at, t) in [
        ("dang-ky", "2023-03-15", "cong-van-dang-ky-don-vi-dien-hinh"),
        (
            "ke-hoach",
            "2023-03-25",
            "ke-hoach-xay-dung-don-vi-dien-hinh",
        ),
    ] {
        let data = sample(t);
        run(&[
            "case",
            "advance",
            id,
            "--step",
            step,
            "--at",
            at,
            "--data",
            data.to_str().unwrap(),
            "--out",
            out_s,
        ]);
    }
    let inputs = dir.path().join("inputs.yaml");
    std::fs::write(&inputs, "so_tieu_chi_dat: 4\ntong_so_tieu_chi: 4\n").unwrap();
    let doc = |t: &str| format!("{t}={}", sample(t).display());
    run(&[
        "case",
        "advance",
        id,
        "--step",
        "tu-danh-gia",
        "--at",
        "2023-09-25",
        "--inputs",
        inputs.to_str().unwrap(),
        "--doc",
        &doc("bao-cao-ket-qua-xay-dung-don-vi"),
        "--doc",
        &doc("bien-ban-hop-xet-don-vi-dien-hinh"),
        "--doc",
        &doc("to-trinh-de-nghi-cong-nhan-don-vi"),
        "--out",
        out_s,
    ]);
    let text = |name: &str| {
        paragraphs(&part(
            &std::fs::read(out.join(id).join("du-thao").join(name)).unwrap(),
            "word/document.xml",
        ))
        .join("\n")
    };
    let to_trinh = text("05-to-trinh-de-nghi-cong-nhan-don-vi.docx");
    assert!(!to_trinh.contains("[object"), "{to_trinh}");
    assert!(to_trinh.contains("đã đạt 4/4 tiêu chí"), "{to_trinh}");
    let bao_cao = text("03-bao-cao-ket-qua-xay-dung-don-vi.docx");
    assert!(bao_cao.contains("Tỷ lệ hòa giải thành"), "{bao_cao}");
    assert!(bao_cao.contains("14/15 vụ (93%)"), "{bao_cao}");

    // --doc naming a template the step does not make is a usage error.
    let o = hoso_with(&db)
        .args([
            "case",
            "advance",
            id,
            "--step",
            "xet-cap-huyen",
            "--at",
            "2023-10-10",
        ])
        .arg("--doc")
        .arg(doc("quyet-dinh-cong-nhan-xep-loai"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// HD 22's grades: the share of targets met sets the highest grade (92 % reaches Tốt, 75 %
/// Khá); a lower grade is accepted with its reason, which the QĐ công nhận xếp loại prints; a
/// higher one never.
#[test]
fn the_rate_caps_the_grade_and_a_lower_grade_needs_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    let mut s = Store::open(&db).unwrap();
    let e = engine();
    let id = launched(&e, &mut s);
    e.advance(
        &mut s,
        &id,
        "de-nghi-xep-loai",
        &json!({"ty_le_hoan_thanh": 75}),
        d("2024-11-02"),
    )
    .unwrap();
    let err = e
        .advance(
            &mut s,
            &id,
            "xep-loai",
            &json!({"xep_loai": "Tốt", "ly_do_xep_loai": "x"}),
            d("2024-11-07"),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("mức cao nhất") && err.contains("75"), "{err}");
    let err = e
        .advance(
            &mut s,
            &id,
            "xep-loai",
            &json!({"xep_loai": "Trung bình"}),
            d("2024-11-07"),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("ghi lý do"), "{err}");
    drop(s);

    let inputs = dir.path().join("xep-loai.yaml");
    std::fs::write(
        &inputs,
        "xep_loai: Trung bình\nly_do_xep_loai: chế độ báo cáo không kịp thời, hồ sơ chưa đầy đủ\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = hoso_with(&db)
        .args([
            "case",
            "advance",
            &id,
            "--step",
            "xep-loai",
            "--at",
            "2024-11-07",
        ])
        .arg("--inputs")
        .arg(&inputs)
        .arg("--data")
        .arg(sample("quyet-dinh-cong-nhan-xep-loai"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let docx = std::fs::read_dir(out.join(&id).join("du-thao"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "docx"))
        .unwrap();
    let text = paragraphs(&part(&std::fs::read(docx).unwrap(), "word/document.xml")).join("\n");
    assert!(text.contains("đạt loại Trung bình"), "{text}");
    assert!(
        text.contains("vì: chế độ báo cáo không kịp thời, hồ sơ chưa đầy đủ."),
        "{text}"
    );
    let s = Store::open(&db).unwrap();
    assert_eq!(s.case(&id).unwrap().data["xep_loai"], "Trung bình");
}

/// Kiện toàn, sửa đổi quy chế and sơ kết are taken whenever needed; the rating once per
/// evaluation year (01/11–31/10): a second proposal in the same year is refused naming the
/// correction step, which corrects the rating instead.
#[test]
fn steps_when_needed_and_the_rating_once_a_year() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("hoso.db")).unwrap();
    let e = engine();
    let id = launched(&e, &mut s);
    for (step, at) in [
        ("kien-toan", "2023-06-01"),
        ("kien-toan", "2023-09-01"),
        ("sua-doi-quy-che", "2023-09-02"),
        ("sua-doi-quy-che", "2023-12-02"),
        ("so-ket", "2023-12-20"),
        ("so-ket", "2024-06-20"),
    ] {
        e.advance(&mut s, &id, step, &json!({}), d(at))
            .unwrap_or_else(|err| panic!("{step} {at}: {err}"));
    }
    assert!(open_steps(&s, &id).contains(&"so-ket".to_string()));
    assert!(
        s.due(None).unwrap().iter().all(|r| r.step != "so-ket"),
        "a step taken when needed has no date due"
    );

    e.advance(
        &mut s,
        &id,
        "de-nghi-xep-loai",
        &json!({"ty_le_hoan_thanh": 92}),
        d("2024-11-03"),
    )
    .unwrap();
    e.advance(
        &mut s,
        &id,
        "xep-loai",
        &json!({"xep_loai": "Tốt"}),
        d("2024-11-08"),
    )
    .unwrap();
    let err = e
        .advance(
            &mut s,
            &id,
            "de-nghi-xep-loai",
            &json!({"ty_le_hoan_thanh": 75}),
            d("2024-11-20"),
        )
        .unwrap_err();
    assert!(matches!(err, hoso::Error::Refused { .. }), "{err:?}");
    let err = err.to_string();
    assert!(
        err.contains("đã làm ngày 03/11/2024 cho năm đánh giá 01/11/2023–31/10/2024")
            && err.contains("dieu-chinh-xep-loai"),
        "{err}"
    );
    e.advance(
        &mut s,
        &id,
        "dieu-chinh-xep-loai",
        &json!({"xep_loai": "Khá", "ly_do_dieu_chinh": "hồ sơ chưa đầy đủ", "ly_do_xep_loai": "hồ sơ chưa đầy đủ"}),
        d("2024-11-25"),
    )
    .unwrap();
    assert_eq!(s.case(&id).unwrap().data["xep_loai"], "Khá");
    // The next evaluation year takes its proposal.
    e.advance(
        &mut s,
        &id,
        "de-nghi-xep-loai",
        &json!({"ty_le_hoan_thanh": 92}),
        d("2025-11-03"),
    )
    .unwrap();
}

/// The 2025 reform: a Kon Tum case cannot open after its file expired (30/06/2025), and the
/// refusal names the successor, Quảng Ngãi.
#[test]
fn no_case_opens_under_an_expired_province_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("hoso.db")).unwrap();
    let e = Engine::from_procedures(
        hoso::workflow::Procedures::load(
            None,
            hoso::template::TemplateSet::embedded()
                .unwrap()
                .iter()
                .map(|t| t.id.as_str()),
        )
        .unwrap(),
    );
    let data = json!({"ten_mo_hinh": "Camera an ninh", "pham_vi": "thôn 1", "lien_ket": false});
    let err = e
        .new_case(&mut s, "mo-hinh@kon-tum", &data, d("2025-08-01"))
        .unwrap_err();
    assert!(matches!(err, hoso::Error::Invalid(_)), "{err:?}");
    let err = err.to_string();
    assert!(
        err.contains("30/06/2025") && err.contains("--province quang-ngai"),
        "{err}"
    );
    assert!(s.cases().unwrap().is_empty());
    // The last day of the file still opens one; the successor's opens from 01/07/2025.
    e.new_case(&mut s, "mo-hinh@kon-tum", &data, d("2025-06-30"))
        .unwrap();
    e.new_case(&mut s, "mo-hinh@quang-ngai", &data, d("2025-08-01"))
        .unwrap();
}

/// A Bắc Kạn đơn vị điển hình case running across 01/07/2025 continues under Thái Nguyên: its
/// self-evaluation of September goes straight to the province's review (the district level is
/// abolished: no `xet-cap-huyen`), and its decision is headed by Thái Nguyên's People's
/// Committee.
#[test]
fn a_bac_kan_case_crossing_the_reform_continues_under_thai_nguyen() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    let mut s = Store::open(&db).unwrap();
    let e = engine();
    let data = json!({"ten_don_vi": "xã Cẩm Giàng", "nam": 2025, "dat_an_toan": true, "phan_loai_nam_truoc": "Khá"});
    let id = e
        .new_case(&mut s, "don-vi-dien-hinh@bac-kan", &data, d("2025-03-01"))
        .unwrap();
    e.advance(&mut s, &id, "dang-ky", &json!({}), d("2025-03-15"))
        .unwrap();
    e.advance(&mut s, &id, "ke-hoach", &json!({}), d("2025-03-25"))
        .unwrap();
    assert_eq!(s.case(&id).unwrap().workflow, "don-vi-dien-hinh@bac-kan");
    let out = e
        .advance(
            &mut s,
            &id,
            "tu-danh-gia",
            &json!({"so_tieu_chi_dat": 4, "tong_so_tieu_chi": 4}),
            d("2025-09-25"),
        )
        .unwrap();
    assert_eq!(out.opened, vec![("tham-dinh".to_string(), None)]);
    let case = s.case(&id).unwrap();
    assert_eq!(
        (case.workflow.as_str(), case.version.as_str()),
        ("don-vi-dien-hinh@thai-nguyen", "2025.1-tn")
    );
    e.advance(&mut s, &id, "tham-dinh", &json!({}), d("2025-10-10"))
        .unwrap();
    assert!(
        s.steps(&id)
            .unwrap()
            .iter()
            .all(|r| r.step != "xet-cap-huyen"),
        "no district step after 01/07/2025"
    );
    drop(s);

    // The decision's data names no issuer: the case's province now is Thái Nguyên.
    let text = std::fs::read_to_string(sample("quyet-dinh-cong-nhan-don-vi-dien-hinh")).unwrap();
    let body = &text[text.find("signer:").unwrap()..];
    let f = dir.path().join("cong-nhan.yaml");
    std::fs::write(&f, body.replace("Bắc Kạn", "Thái Nguyên")).unwrap();
    let out = dir.path().join("out");
    let o = hoso_with(&db)
        .args([
            "case",
            "advance",
            &id,
            "--step",
            "cong-nhan",
            "--at",
            "2025-10-20",
        ])
        .arg("--data")
        .arg(&f)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let docx = std::fs::read_dir(out.join(&id).join("du-thao"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "docx"))
        .unwrap();
    let xml = part(&std::fs::read(docx).unwrap(), "word/document.xml");
    let text = paragraphs(&xml).join("\n");
    assert!(text.contains("TỈNH THÁI NGUYÊN"), "{text}");
    assert!(!text.contains("BẮC KẠN"), "{text}");
}

/// A late report is the late report of the deadline it missed, not an early one of the next:
/// Kon Tum's 6-month report made on 11/05/2023 leaves the annual report of 10/11/2023 due, and
/// a quarterly report of "Tốt" models made on 11/03/2025 leaves Q2's 10/06/2025 due.
#[test]
fn a_late_report_keeps_the_next_occurrence() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("hoso.db")).unwrap();
    let e = engine();
    let id = launched_in(&e, &mut s, "mo-hinh@kon-tum");
    let opened = |out: &hoso::engine::Outcome, step: &str| {
        out.opened
            .iter()
            .find(|(s, _)| s == step)
            .and_then(|(_, d)| *d)
    };
    let out = e
        .advance(
            &mut s,
            &id,
            "bao-cao-dinh-ky",
            &json!({"ky_bao_cao": "6 tháng đầu năm 2023"}),
            d("2023-05-11"),
        )
        .unwrap();
    assert_eq!(opened(&out, "bao-cao-dinh-ky"), Some(d("2023-11-10")));
    // Made early, a report meets the coming deadline as before.
    let out = e
        .advance(
            &mut s,
            &id,
            "bao-cao-dinh-ky",
            &json!({"ky_bao_cao": "năm 2023"}),
            d("2023-11-08"),
        )
        .unwrap();
    assert_eq!(opened(&out, "bao-cao-dinh-ky"), Some(d("2024-05-10")));

    e.advance(
        &mut s,
        &id,
        "de-nghi-xep-loai",
        &json!({"ty_le_hoan_thanh": 95}),
        d("2024-11-04"),
    )
    .unwrap();
    e.advance(
        &mut s,
        &id,
        "xep-loai",
        &json!({"xep_loai": "Tốt"}),
        d("2024-11-08"),
    )
    .unwrap();
    let out = e
        .advance(
            &mut s,
            &id,
            "bao-cao-mo-hinh-tot",
            &json!({}),
            d("2024-12-05"),
        )
        .unwrap();
    assert_eq!(opened(&out, "bao-cao-mo-hinh-tot"), Some(d("2025-03-10")));
    let out = e
        .advance(
            &mut s,
            &id,
            "bao-cao-mo-hinh-tot",
            &json!({}),
            d("2025-03-11"),
        )
        .unwrap();
    assert_eq!(opened(&out, "bao-cao-mo-hinh-tot"), Some(d("2025-06-10")));
}

/// A fresh database in a temporary folder, with the engine of the built-in procedures.
fn fresh() -> (tempfile::TempDir, Store, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("hoso.db")).unwrap();
    (dir, s, engine())
}

/// Takes a step that must be accepted.
fn take(
    e: &Engine,
    s: &mut Store,
    id: &str,
    step: &str,
    at: &str,
    inputs: serde_json::Value,
) -> hoso::engine::Outcome {
    e.advance(s, id, step, &inputs, d(at))
        .unwrap_or_else(|err| panic!("{step} {at}: {err}"))
}

/// The due date a step taken opened for `step`.
fn opened_due(out: &hoso::engine::Outcome, step: &str) -> Option<NaiveDate> {
    out.opened
        .iter()
        .find(|(s, _)| s == step)
        .and_then(|(_, d)| *d)
}

/// The deadlines of a case on `on`, as (step, due, overdue).
fn standing(e: &Engine, s: &Store, id: &str, on: &str) -> Vec<(String, NaiveDate, bool)> {
    let case = s.case(id).unwrap();
    e.standing(&case, &s.steps(id).unwrap(), &s.events(id).unwrap(), d(on))
        .unwrap()
        .pending
        .into_iter()
        .map(|p| (p.step, p.due, p.overdue))
        .collect()
}

/// A Kon Tum mô hình founded on 20/12/2022 and launched on 28/12/2022, so that it can be rated
/// for the evaluation year ending 31/10/2023.
fn launched_in_2022(e: &Engine, s: &mut Store) -> String {
    let id = e
        .new_case(
            s,
            "mo-hinh@kon-tum",
            &json!({"ten_mo_hinh": "Camera an ninh", "pham_vi": "thôn 1", "lien_ket": false}),
            d("2022-12-01"),
        )
        .unwrap();
    for (step, at) in [
        ("khao-sat", "2022-12-01"),
        ("bao-cao-khao-sat", "2022-12-05"),
        ("chu-truong", "2022-12-08"),
        ("trien-khai", "2022-12-10"),
        ("lay-y-kien", "2022-12-15"),
    ] {
        take(e, s, &id, step, at, json!({}));
    }
    let founded = json!({"ngay_thanh_lap": "2022-12-20"});
    take(e, s, &id, "thanh-lap", "2022-12-20", founded);
    take(e, s, &id, "quy-che", "2022-12-22", json!({}));
    take(e, s, &id, "ra-mat", "2022-12-28", json!({}));
    id
}

/// A recurring step's deadlines are a series of occurrences: a report meets the one it names
/// (`han_bao_cao`) or the earliest not met, and never removes another; unmet past ones are
/// overdue. A rating report filed late on 06/11/2023 leaves next year's 05/11/2024 due and the
/// decision due this year; a Q1 report of 11/03/2024 leaves Q2's.
#[test]
fn occurrences_are_a_series() {
    let (_dir, mut s, e) = fresh();
    let id = launched_in_2022(&e, &mut s);
    // The rating report one day late: next year's stays due, and the decision's deadline is
    // this year's 10/11.
    let rate = json!({"ty_le_hoan_thanh": 95});
    let out = take(&e, &mut s, &id, "de-nghi-xep-loai", "2023-11-06", rate);
    assert_eq!(opened_due(&out, "de-nghi-xep-loai"), Some(d("2024-11-05")));
    assert_eq!(opened_due(&out, "xep-loai"), Some(d("2023-11-10")));
    let out = take(
        &e,
        &mut s,
        &id,
        "xep-loai",
        "2023-11-08",
        json!({"xep_loai": "Tốt"}),
    );
    assert_eq!(
        opened_due(&out, "bao-cao-mo-hinh-tot"),
        Some(d("2023-12-10"))
    );

    let reports = |s: &Store, on: &str| -> Vec<(NaiveDate, bool)> {
        standing(&e, s, &id, on)
            .into_iter()
            .filter(|(step, ..)| step == "bao-cao-dinh-ky")
            .map(|(_, due, overdue)| (due, overdue))
            .collect()
    };
    // No report by 01/12/2023: two occurrences overdue, the next one due.
    assert_eq!(
        reports(&s, "2023-12-01"),
        [
            (d("2023-05-10"), true),
            (d("2023-11-10"), true),
            (d("2024-05-10"), false)
        ]
    );
    // The annual report of 2023, named: the 6-month one stays overdue.
    let annual = json!({"ky_bao_cao": "năm 2023", "han_bao_cao": "2023-11-10"});
    let out = take(
        &e,
        &mut s,
        &id,
        "bao-cao-dinh-ky",
        "2023-12-01",
        annual.clone(),
    );
    assert_eq!(opened_due(&out, "bao-cao-dinh-ky"), Some(d("2023-05-10")));
    assert_eq!(
        reports(&s, "2023-12-01"),
        [(d("2023-05-10"), true), (d("2024-05-10"), false)]
    );
    for (inputs, says) in [
        (annual, "đã báo cáo rồi"),
        (
            json!({"ky_bao_cao": "6 tháng", "han_bao_cao": "2023-05-11"}),
            "không phải một hạn của bước này",
        ),
    ] {
        let err = e
            .advance(&mut s, &id, "bao-cao-dinh-ky", &inputs, d("2023-12-01"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(says) && err.contains("han_bao_cao"), "{err}");
    }
    // Unnamed, a report meets the earliest unmet one; the next skips the one already met.
    let six_months = json!({"ky_bao_cao": "6 tháng đầu năm 2023"});
    let out = take(&e, &mut s, &id, "bao-cao-dinh-ky", "2023-12-02", six_months);
    assert_eq!(opened_due(&out, "bao-cao-dinh-ky"), Some(d("2024-05-10")));

    let out = take(
        &e,
        &mut s,
        &id,
        "bao-cao-mo-hinh-tot",
        "2023-12-05",
        json!({}),
    );
    assert_eq!(
        opened_due(&out, "bao-cao-mo-hinh-tot"),
        Some(d("2024-03-10"))
    );
    // Q1 one day late: Q2 stays due.
    let out = take(
        &e,
        &mut s,
        &id,
        "bao-cao-mo-hinh-tot",
        "2024-03-11",
        json!({}),
    );
    assert_eq!(
        opened_due(&out, "bao-cao-mo-hinh-tot"),
        Some(d("2024-06-10"))
    );
}

/// A step after a late one stays in the same cycle: Bắc Kạn's commune report made on 20/10/2023,
/// after its 30/09 deadline, opens the district review due 14/10/2023 — overdue — and not
/// silently 14/10/2024.
#[test]
fn a_late_step_does_not_move_the_next_deadline_to_next_year() {
    let (_dir, mut s, e) = fresh();
    let data = json!({"ten_don_vi": "xã Cẩm Giàng", "nam": 2023, "dat_an_toan": true, "phan_loai_nam_truoc": "Khá"});
    let id = e
        .new_case(&mut s, "don-vi-dien-hinh@bac-kan", &data, d("2023-03-01"))
        .unwrap();
    take(&e, &mut s, &id, "dang-ky", "2023-03-15", json!({}));
    take(&e, &mut s, &id, "ke-hoach", "2023-03-25", json!({}));
    let criteria = json!({"so_tieu_chi_dat": 4, "tong_so_tieu_chi": 4});
    let out = take(&e, &mut s, &id, "tu-danh-gia", "2023-10-20", criteria);
    assert_eq!(opened_due(&out, "xet-cap-huyen"), Some(d("2023-10-14")));
    assert_eq!(
        standing(&e, &s, &id, "2023-10-20"),
        [("xet-cap-huyen".to_string(), d("2023-10-14"), true)]
    );
}

/// A deadline the documents word "trước ngày 01/10" (`before:`) is due on 30/09 and printed as
/// the seed says it, by `due` (text, JSON, calendar) and `case status`.
#[test]
fn a_before_deadline_is_printed_as_the_document_says_it() {
    let (dir, mut s, e) = fresh();
    let data = json!({"ten_don_vi": "xã Cẩm Giàng", "nam": 2023, "dat_an_toan": true, "phan_loai_nam_truoc": "Khá"});
    let id = e
        .new_case(&mut s, "don-vi-dien-hinh@bac-kan", &data, d("2023-03-01"))
        .unwrap();
    take(&e, &mut s, &id, "dang-ky", "2023-03-15", json!({}));
    let out = take(&e, &mut s, &id, "ke-hoach", "2023-03-25", json!({}));
    assert_eq!(opened_due(&out, "tu-danh-gia"), Some(d("2023-09-30")));
    drop(s);
    let db = dir.path().join("hoso.db");
    let run = |args: &[&str]| {
        let o = hoso_with(&db).args(args).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let due = run(&["due", "--at", "2023-09-01"]);
    assert!(
        due.starts_with(&format!("2023-09-30  {id}  tu-danh-gia  "))
            && due.contains(
                " — hạn: trước ngày 01/10/2023, ngày cuối 30/09/2023 là ngày nghỉ: thứ Bảy\n"
            ),
        "{due}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&run(&["due", "--format", "json", "--at", "2023-10-01"])).unwrap();
    assert_eq!(
        (&json[0]["due"], &json[0]["deadline"], &json[0]["overdue"]),
        (
            &json!("2023-09-30"),
            &json!("trước ngày 01/10/2023, ngày cuối 30/09/2023 là ngày nghỉ: thứ Bảy"),
            &json!(true)
        )
    );
    let ics = run(&["due", "--format", "ics", "--at", "2023-09-01"]).replace("\r\n ", "");
    assert!(
        ics.contains("DTSTART;VALUE=DATE:20230930\r\n")
            && ics.contains("hạn: trước ngày 01/10/2023"),
        "{ics}"
    );
    let status = run(&["case", "status", &id, "--at", "2023-10-02"]);
    assert!(
        status.contains(
            "    hạn: trước ngày 01/10/2023, ngày cuối 30/09/2023 là ngày nghỉ: thứ Bảy  \
             tu-danh-gia  QUÁ HẠN\n"
        ),
        "{status}"
    );
}

/// `case status` shows the deadlines not met, overdue ones marked, judged on `--at` (text and
/// JSON), as `due` does: the 6-month report of 10/05/2023 unmet on 01/06/2023.
#[test]
fn case_status_marks_overdue_occurrences() {
    let (dir, mut s, e) = fresh();
    let id = launched_in(&e, &mut s, "mo-hinh@kon-tum");
    drop(s);
    let db = dir.path().join("hoso.db");
    let status = |args: &[&str]| {
        let o = hoso_with(&db)
            .args(["case", "status", &id])
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let text = status(&["--at", "2023-06-01"]);
    assert!(
        text.contains("10/05/2023  bao-cao-dinh-ky  QUÁ HẠN"),
        "{text}"
    );
    assert!(
        text.contains("hạn: chậm nhất ngày 10/11/2023  bao-cao-dinh-ky\n"),
        "{text}"
    );
    assert!(!status(&["--at", "2023-05-01"]).contains("QUÁ HẠN"));
    let json: serde_json::Value =
        serde_json::from_str(&status(&["--at", "2023-06-01", "--format", "json"])).unwrap();
    let first = &json["deadlines"][0];
    assert_eq!(
        (&first["step"], &first["due"], &first["overdue"]),
        (
            &json!("bao-cao-dinh-ky"),
            &json!("2023-05-10"),
            &json!(true)
        )
    );
}

/// A Bắc Kạn case whose district review was open when the case crossed into Thái Nguyên on
/// 01/07/2025: the review drops out (not due, not taken, status says why) and the province's
/// review, which the district's led to, is taken in its place.
#[test]
fn a_district_step_open_at_the_reform_drops_out() {
    let (dir, mut s, e) = fresh();
    let data = json!({"ten_don_vi": "xã Cẩm Giàng", "nam": 2025, "dat_an_toan": true, "phan_loai_nam_truoc": "Khá"});
    let id = e
        .new_case(&mut s, "don-vi-dien-hinh@bac-kan", &data, d("2025-03-01"))
        .unwrap();
    take(&e, &mut s, &id, "dang-ky", "2025-03-15", json!({}));
    take(&e, &mut s, &id, "ke-hoach", "2025-03-25", json!({}));
    let criteria = json!({"so_tieu_chi_dat": 4, "tong_so_tieu_chi": 4});
    let out = take(&e, &mut s, &id, "tu-danh-gia", "2025-06-25", criteria);
    assert_eq!(opened_due(&out, "xet-cap-huyen"), Some(d("2025-10-14")));
    // Before the reform the district review is due; after it, it is not.
    assert_eq!(standing(&e, &s, &id, "2025-06-30").len(), 1);
    assert!(standing(&e, &s, &id, "2025-07-15").is_empty());
    let err = e
        .advance(&mut s, &id, "xet-cap-huyen", &json!({}), d("2025-07-15"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("xet-cap-huyen") && err.contains("don-vi-dien-hinh@thai-nguyen"),
        "{err}"
    );
    let why = |s: &Store, on: &str| {
        let case = s.case(&id).unwrap();
        e.standing(
            &case,
            &s.steps(&id).unwrap(),
            &s.events(&id).unwrap(),
            d(on),
        )
        .unwrap()
        .dropped
    };
    assert_eq!(why(&s, "2025-07-15")[0].0, "xet-cap-huyen");
    take(&e, &mut s, &id, "tham-dinh", "2025-07-20", json!({}));
    assert_eq!(open_steps(&s, &id), ["cong-nhan"]);
    let err = e
        .advance(&mut s, &id, "xet-cap-huyen", &json!({}), d("2025-07-21"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("không còn trong quy trình"), "{err}");
    assert_eq!(
        s.case(&id).unwrap().workflow,
        "don-vi-dien-hinh@thai-nguyen"
    );
    drop(s);
    let o = hoso_with(&dir.path().join("hoso.db"))
        .args(["case", "status", &id, "--at", "2025-07-20"])
        .output()
        .unwrap();
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("bỏ: xet-cap-huyen — bước này không còn trong quy trình"),
        "{text}"
    );
}

/// A proposal naming two sites starts two linked cases, each with its site as its địa bàn, in
/// the one transaction that records the proposal: a site that is not a name stops the step
/// and starts no case.
#[test]
fn nhan_rong_starts_one_case_per_site() {
    let (_dir, mut s, e) = fresh();
    let id = launched(&e, &mut s);
    take(
        &e,
        &mut s,
        &id,
        "de-nghi-xep-loai",
        "2024-11-04",
        json!({"ty_le_hoan_thanh": 95}),
    );
    take(
        &e,
        &mut s,
        &id,
        "xep-loai",
        "2024-11-08",
        json!({"xep_loai": "Tốt"}),
    );
    take(&e, &mut s, &id, "gui-ket-qua", "2024-11-12", json!({}));
    let cases = s.cases().unwrap().len();
    let bad = json!({"dia_ban_nhan_rong": ["Xã Đắk Hring", 7]});
    let err = e
        .advance(&mut s, &id, "de-xuat-nhan-rong", &bad, d("2024-12-10"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("dia_ban_nhan_rong") && err.contains("mục 2"),
        "{err}"
    );
    assert_eq!(s.cases().unwrap().len(), cases);
    assert!(open_steps(&s, &id).contains(&"de-xuat-nhan-rong".to_string()));

    let sites = ["Các thôn 4, 5 và Kon Stiu, xã Đắk Mar", "Xã Đắk Hring"];
    let out = take(
        &e,
        &mut s,
        &id,
        "de-xuat-nhan-rong",
        "2024-12-10",
        json!({ "dia_ban_nhan_rong": sites }),
    );
    assert_eq!(out.linked.len(), 2);
    for (linked, site) in out.linked.iter().zip(sites) {
        let c = s.case(linked).unwrap();
        assert_eq!(c.data["pham_vi"], site);
        assert_eq!(c.data["nhan_rong_tu"], id.as_str());
        assert_eq!(open_steps(&s, linked), ["khao-sat"]);
    }
    assert_eq!(s.cases().unwrap().len(), cases + 2);
}

/// Kept deadlines are trusted only under the fingerprint they were worked out with: the same
/// procedures loaded twice give the same one (nothing in it depends on a map's order in
/// memory), and a procedure changed by one deadline gives another.
#[test]
fn the_rules_fingerprint_follows_the_procedures_and_nothing_else() {
    assert_eq!(engine().fingerprint(), engine().fingerprint());
    let mut changed = hoso::workflow::embedded().unwrap();
    let step = changed
        .iter_mut()
        .flat_map(|w| w.steps.iter_mut())
        .find(|s| s.deadline.is_some())
        .expect("a step with a deadline");
    step.deadline = None;
    assert_ne!(engine().fingerprint(), Engine::new(changed).fingerprint());
}

/// A case its province's file handed on to a successor (Kon Tum → Quảng Ngãi, 01/07/2025)
/// follows the successor's version in effect on the day, so deadlines worked out before a
/// later version of it takes effect hold only until the day before: kept longer, they would
/// be the old version's.
#[test]
fn a_successors_next_version_ends_the_span_deadlines_hold_for() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("hoso.db")).unwrap();
    let mut all = hoso::workflow::embedded().unwrap();
    let mut later = all
        .iter()
        .find(|w| w.id == "mo-hinh@quang-ngai")
        .expect("the Quảng Ngãi file")
        .clone();
    later.version = "2026.3-qn".into();
    later.effective_from = d("2026-03-01");
    let today = Engine::new(all.clone());
    all.push(later);
    let revised = Engine::new(all);
    let data = json!({"ten_mo_hinh": "Camera an ninh", "pham_vi": "thôn 1", "lien_ket": false});
    let id = today
        .new_case(&mut s, "mo-hinh@kon-tum", &data, d("2024-01-10"))
        .unwrap();
    let case = s.case(&id).unwrap();
    let (steps, events) = (s.steps(&id).unwrap(), s.events(&id).unwrap());
    let through = |e: &Engine| {
        e.standing(&case, &steps, &events, d("2026-02-20"))
            .unwrap()
            .valid_through
    };
    assert!(through(&today).is_none_or(|t| t > d("2026-02-28")));
    assert_eq!(through(&revised), Some(d("2026-02-28")));
}
