//! The seeds' rules that the procedures now encode (#13, item 7), each driven end to end through
//! the engine on a real SQLite file: the YAML comment beside each rule quotes its seed.

use chrono::NaiveDate;
use hoso::engine::Engine;
use hoso::store::{SqliteStore as Store, Store as _};
use serde_json::{Value, json};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn engine() -> Engine {
    Engine::new(hoso::workflow::embedded().unwrap())
}

fn store(dir: &tempfile::TempDir) -> Store {
    Store::open(&dir.path().join("hoso.db")).unwrap()
}

fn refusal(e: &Engine, s: &mut Store, id: &str, step: &str, inputs: Value, at: &str) -> String {
    e.advance(s, id, step, &inputs, d(at))
        .map(|_| format!("{step} was accepted"))
        .unwrap_or_else(|e| e.to_string())
}

fn open_steps(s: &Store, id: &str) -> Vec<String> {
    let rows = s.steps(id).unwrap();
    rows.into_iter()
        .filter(|r| r.open)
        .map(|r| r.step)
        .collect()
}

/// A Kon Tum mô hình launched on 31/03/2023 with `launch` as the inputs of `ra-mat`.
fn kon_tum_model(e: &Engine, s: &mut Store, launch: Value) -> String {
    let data = json!({"ten_mo_hinh": "Camera an ninh", "pham_vi": "thôn 1", "lien_ket": false});
    let id = e
        .new_case(s, "mo-hinh@kon-tum", &data, d("2023-02-06"))
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
        ("quy-che", "2023-03-25", json!({})),
        ("ra-mat", "2023-03-31", launch),
    ] {
        e.advance(s, &id, step, &inputs, d(at)).unwrap();
    }
    id
}

/// The quarters a Kon Tum case owes for its report of good models on `on`, overdue.
fn owed_quarters(e: &Engine, s: &Store, id: &str, on: &str) -> Vec<NaiveDate> {
    let (case, rows, events) = (
        s.case(id).unwrap(),
        s.steps(id).unwrap(),
        s.events(id).unwrap(),
    );
    e.standing(&case, &rows, &events, d(on))
        .unwrap()
        .pending
        .into_iter()
        .filter(|p| p.step == "bao-cao-mo-hinh-tot" && p.overdue)
        .map(|p| p.due)
        .collect()
}

/// Kon Tum reports each quarter the models that are "Tốt", replicated and still effective at
/// half their sites, or new with a good approach — not every model from its launch.
#[test]
fn kon_tum_reports_good_replicated_and_new_models_each_quarter() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let e = engine();

    // A new model with a good approach owes the quarter from its launch, unrated.
    let new = kon_tum_model(&e, &mut s, json!({"cach_lam_hay": true}));
    assert!(open_steps(&s, &new).contains(&"bao-cao-mo-hinh-tot".to_string()));
    assert_eq!(owed_quarters(&e, &s, &new, "2023-07-01"), [d("2023-06-10")]);
    e.advance(
        &mut s,
        &new,
        "bao-cao-mo-hinh-tot",
        &json!({}),
        d("2023-07-03"),
    )
    .unwrap();
    // An ordinary new model owes nothing and may not report.
    let plain = kon_tum_model(&e, &mut s, json!({}));
    assert!(!open_steps(&s, &plain).contains(&"bao-cao-mo-hinh-tot".to_string()));

    // A Tốt model replicated, then corrected to Khá: reported while its sites are effective.
    let id = kon_tum_model(&e, &mut s, json!({}));
    for (step, at, inputs) in [
        (
            "de-nghi-xep-loai",
            "2024-11-04",
            json!({"ty_le_hoan_thanh": 95}),
        ),
        ("xep-loai", "2024-11-08", json!({"xep_loai": "Tốt"})),
        ("gui-ket-qua", "2024-11-12", json!({})),
        (
            "de-xuat-nhan-rong",
            "2024-11-20",
            json!({"dia_ban_nhan_rong": ["thôn 4", "thôn 5", "thôn 6"]}),
        ),
        (
            "dieu-chinh-xep-loai",
            "2024-12-01",
            json!({"xep_loai": "Khá", "ly_do_dieu_chinh": "Sai sót", "ly_do_xep_loai": "Hồ sơ chưa đủ"}),
        ),
    ] {
        e.advance(&mut s, &id, step, &inputs, d(at)).unwrap();
    }
    // 0/0 sites is no replication at all, let alone an effective one.
    let err = refusal(
        &e,
        &mut s,
        &id,
        "danh-gia-nhan-rong",
        json!({"so_diem_nhan_rong": 0, "so_diem_hieu_qua": 0}),
        "2024-12-05",
    );
    assert!(err.contains("chưa nhân rộng ở điểm nào (0 điểm)"), "{err}");
    // 1 of 3 sites effective: Khá and not effective, nothing owed, the report refused.
    e.advance(
        &mut s,
        &id,
        "danh-gia-nhan-rong",
        &json!({"so_diem_nhan_rong": 3, "so_diem_hieu_qua": 1}),
        d("2024-12-05"),
    )
    .unwrap();
    assert_eq!(
        owed_quarters(&e, &s, &id, "2025-04-01"),
        Vec::<NaiveDate>::new()
    );
    let err = refusal(
        &e,
        &mut s,
        &id,
        "bao-cao-mo-hinh-tot",
        json!({}),
        "2025-03-05",
    );
    assert!(
        err.contains("mô hình nhân rộng còn hiệu quả ở từ 50% số điểm"),
        "{err}"
    );
    // 2 of 3: effective again, the quarters are owed and the report taken.
    e.advance(
        &mut s,
        &id,
        "danh-gia-nhan-rong",
        &json!({"so_diem_nhan_rong": 3, "so_diem_hieu_qua": 2}),
        d("2025-01-10"),
    )
    .unwrap();
    assert_eq!(
        owed_quarters(&e, &s, &id, "2025-04-01"),
        [d("2024-12-10"), d("2025-03-10")]
    );
    e.advance(
        &mut s,
        &id,
        "bao-cao-mo-hinh-tot",
        &json!({}),
        d("2025-04-02"),
    )
    .unwrap();
}

/// An evaluation of no criterion (0/0) is not "đạt đủ tiêu chí".
#[test]
fn zero_criteria_are_not_all_met() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let e = engine();
    let data = json!({"ten_don_vi": "xã Cẩm Giàng", "nam": 2023, "dat_an_toan": true, "phan_loai_nam_truoc": "Khá"});
    let id = e
        .new_case(&mut s, "don-vi-dien-hinh", &data, d("2023-03-01"))
        .unwrap();
    e.advance(&mut s, &id, "dang-ky", &json!({}), d("2023-03-15"))
        .unwrap();
    e.advance(&mut s, &id, "ke-hoach", &json!({}), d("2023-03-25"))
        .unwrap();
    let err = refusal(
        &e,
        &mut s,
        &id,
        "tu-danh-gia",
        json!({"so_tieu_chi_dat": 0, "tong_so_tieu_chi": 0}),
        "2023-09-25",
    );
    assert!(err.contains("Chưa đánh giá tiêu chí nào (0/0)"), "{err}");
    let err = refusal(
        &e,
        &mut s,
        &id,
        "tu-danh-gia",
        json!({"so_tieu_chi_dat": 3, "tong_so_tieu_chi": 4}),
        "2023-09-25",
    );
    assert!(err.contains("Đơn vị mới đạt 3/4 tiêu chí"), "{err}");
    e.advance(
        &mut s,
        &id,
        "tu-danh-gia",
        &json!({"so_tieu_chi_dat": 4, "tong_so_tieu_chi": 4}),
        d("2023-09-25"),
    )
    .unwrap();
}

/// Bắc Kạn: registration in the first quarter of the year built, not after it.
#[test]
fn bac_kan_registers_in_the_first_quarter() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let e = engine();
    let data = json!({"ten_don_vi": "xã Cẩm Giàng", "nam": 2024, "dat_an_toan": true, "phan_loai_nam_truoc": "Khá"});
    let id = e
        .new_case(&mut s, "don-vi-dien-hinh@bac-kan", &data, d("2024-03-01"))
        .unwrap();
    let err = refusal(&e, &mut s, &id, "dang-ky", json!({}), "2024-04-02");
    assert!(
        err.contains("Đăng ký xây dựng điển hình năm 2024 trong quý I (01/01–31/03 năm 2024)"),
        "{err}"
    );
    e.advance(&mut s, &id, "dang-ky", &json!({}), d("2024-03-29"))
        .unwrap();
    // The base procedure (KH 630) only dates it: a late registration elsewhere is overdue, taken.
    let id = e
        .new_case(&mut s, "don-vi-dien-hinh", &data, d("2024-03-01"))
        .unwrap();
    e.advance(&mut s, &id, "dang-ky", &json!({}), d("2024-04-02"))
        .unwrap();
}

/// HD 22 §IV.3: an điển hình no longer suited to the work is ended even at 70 % or more; one at
/// 80 % and still suited goes on.
#[test]
fn a_dien_hinh_no_longer_suited_ends_even_above_70_percent() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let e = engine();
    let recognised = |s: &mut Store| {
        let id = e
            .new_case(
                s,
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
        ] {
            e.advance(s, &id, step, &inputs, d(at)).unwrap();
        }
        id
    };
    let suited = recognised(&mut s);
    let out = e
        .advance(
            &mut s,
            &suited,
            "danh-gia-lai",
            &json!({"ty_le_tieu_chi": 80}),
            d("2024-11-15"),
        )
        .unwrap();
    assert!(
        !out.opened.iter().any(|(step, _)| step == "ket-thuc"),
        "{:?}",
        out.opened
    );
    let unsuited = recognised(&mut s);
    let out = e
        .advance(
            &mut s,
            &unsuited,
            "danh-gia-lai",
            &json!({"ty_le_tieu_chi": 80, "khong_con_phu_hop": true}),
            d("2024-11-15"),
        )
        .unwrap();
    assert!(
        out.opened.iter().any(|(step, _)| step == "ket-thuc"),
        "{:?}",
        out.opened
    );
    e.advance(&mut s, &unsuited, "ket-thuc", &json!({}), d("2024-11-25"))
        .unwrap();
    assert!(s.case(&unsuited).unwrap().ended.is_some());
}

/// Bắc Kạn: a unit the province manages is reviewed by Công an tỉnh directly, one a commune
/// manages goes to the district first.
#[test]
fn bac_kan_reviews_a_unit_at_the_level_that_manages_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let e = engine();
    let opened_after_self_evaluation = |s: &mut Store, managed: Option<&str>| {
        let mut data = json!({"ten_don_vi": "Trường THPT Bắc Kạn", "nam": 2024, "dat_an_toan": true, "phan_loai_nam_truoc": "Khá"});
        if let Some(level) = managed {
            data["cap_quan_ly"] = json!(level);
        }
        let id = e
            .new_case(s, "don-vi-dien-hinh@bac-kan", &data, d("2024-03-01"))
            .unwrap();
        e.advance(s, &id, "dang-ky", &json!({}), d("2024-03-15"))
            .unwrap();
        e.advance(s, &id, "ke-hoach", &json!({}), d("2024-03-25"))
            .unwrap();
        let out = e
            .advance(
                s,
                &id,
                "tu-danh-gia",
                &json!({"so_tieu_chi_dat": 5, "tong_so_tieu_chi": 5}),
                d("2024-09-20"),
            )
            .unwrap();
        out.opened
            .into_iter()
            .map(|(step, _)| step)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        opened_after_self_evaluation(&mut s, Some("tỉnh")),
        ["tham-dinh"]
    );
    assert_eq!(
        opened_after_self_evaluation(&mut s, Some("xã")),
        ["xet-cap-huyen"]
    );
    assert_eq!(
        opened_after_self_evaluation(&mut s, None),
        ["xet-cap-huyen"]
    );
}

/// The Bằng khen is proposed once a year: a unit already proposed in the movement that year
/// (stated with the proposal) is refused.
#[test]
fn the_bang_khen_is_proposed_once_a_year() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let e = engine();
    let recognised = |s: &mut Store| {
        let data = json!({"ten_don_vi": "xã Cẩm Giàng", "nam": 2023, "dat_an_toan": true, "phan_loai_nam_truoc": "Khá"});
        let id = e
            .new_case(s, "don-vi-dien-hinh", &data, d("2023-03-01"))
            .unwrap();
        for (step, at, inputs) in [
            ("dang-ky", "2023-03-15", json!({})),
            ("ke-hoach", "2023-03-25", json!({})),
            (
                "tu-danh-gia",
                "2023-09-25",
                json!({"so_tieu_chi_dat": 4, "tong_so_tieu_chi": 4}),
            ),
            ("xet-cap-huyen", "2023-10-05", json!({})),
            ("tham-dinh", "2023-10-12", json!({})),
            ("cong-nhan", "2023-10-20", json!({})),
        ] {
            e.advance(s, &id, step, &inputs, d(at)).unwrap();
        }
        id
    };
    let id = recognised(&mut s);
    let err = refusal(
        &e,
        &mut s,
        &id,
        "de-nghi-khen-thuong",
        json!({"da_de_nghi_trong_nam": true}),
        "2023-10-30",
    );
    assert!(
        err.contains(
            "đã được đề nghị Chủ tịch Ủy ban nhân dân tỉnh tặng Bằng khen trong phong trào năm 2023"
        ),
        "{err}"
    );
    e.advance(
        &mut s,
        &id,
        "de-nghi-khen-thuong",
        &json!({"da_de_nghi_trong_nam": false}),
        d("2023-10-30"),
    )
    .unwrap();
    assert!(s.case(&id).unwrap().ended.is_some());
}

/// HD 22 §IV.2: a recognised điển hình is summed up (sơ kết, tổng kết) and replicated, each
/// place it is replicated to starting a điển hình case of its own at Bước 1.
#[test]
fn a_recognised_dien_hinh_is_summed_up_and_replicated() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let e = engine();
    let id = e
        .new_case(
            &mut s,
            "dien-hinh",
            &json!({"ten_dien_hinh": "Tổ tự quản thôn Kon Klốc"}),
            d("2023-03-01"),
        )
        .unwrap();
    let err = refusal(&e, &mut s, &id, "so-ket", json!({}), "2023-03-02");
    assert!(
        err.contains("chưa đến lượt"),
        "not before it is recognised: {err}"
    );
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
        ("so-ket", json!({}), "2024-06-20"),
        ("so-ket", json!({}), "2024-12-20"),
    ] {
        e.advance(&mut s, &id, step, &inputs, d(at)).unwrap();
    }
    let out = e
        .advance(
            &mut s,
            &id,
            "nhan-rong",
            &json!({"noi_nhan_rong": ["Tổ tự quản thôn 2", "Tổ tự quản thôn 3"]}),
            d("2025-01-10"),
        )
        .unwrap();
    assert_eq!(out.linked.len(), 2, "{out:?}");
    let new = s.case(&out.linked[0]).unwrap();
    assert_eq!(new.workflow, "dien-hinh");
    assert_eq!(new.data["ten_dien_hinh"], "Tổ tự quản thôn 2");
    assert!(new.data.get("ty_le_tieu_chi").is_none());
    assert_eq!(open_steps(&s, &out.linked[0]), ["khao-sat"]);
}

/// Kon Tum's spontaneous models: a case opens at `xem-xet-tu-phat` with the model's evidence,
/// and the model is recognised (then rated and reported as any other) or stopped.
#[test]
fn kon_tum_recognises_or_stops_a_spontaneous_model() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let e = engine();
    let data =
        json!({"ten_mo_hinh": "Tổ tuần tra tự quản", "pham_vi": "thôn 2", "lien_ket": false});
    let open = |s: &mut Store| {
        e.new_case_from(
            s,
            "mo-hinh@kon-tum",
            &data,
            d("2023-04-03"),
            Some("xem-xet-tu-phat"),
        )
        .unwrap()
    };
    let working = open(&mut s);
    assert_eq!(open_steps(&s, &working), ["xem-xet-tu-phat"]);
    let evidence = |effective: bool| json!({"minh_chung": "Báo cáo kết quả tuần tra 2022", "hoat_dong_hieu_qua": effective});
    e.advance(
        &mut s,
        &working,
        "xem-xet-tu-phat",
        &evidence(true),
        d("2023-04-10"),
    )
    .unwrap();
    e.advance(
        &mut s,
        &working,
        "cong-nhan-tu-phat",
        &json!({"ngay_thanh_lap": "2023-04-20"}),
        d("2023-04-20"),
    )
    .unwrap();
    for step in ["bao-cao-dinh-ky", "de-nghi-xep-loai"] {
        assert!(
            open_steps(&s, &working).contains(&step.to_string()),
            "{step}"
        );
    }
    // Recognised on 20/04/2023: the 10 months count from the recognition.
    let err = refusal(
        &e,
        &mut s,
        &working,
        "de-nghi-xep-loai",
        json!({"ty_le_hoan_thanh": 92}),
        "2023-11-03",
    );
    assert!(
        err.contains("chưa hoạt động đủ 10 tháng") && err.contains("20/04/2023"),
        "{err}"
    );

    let misused = open(&mut s);
    e.advance(
        &mut s,
        &misused,
        "xem-xet-tu-phat",
        &evidence(false),
        d("2023-04-10"),
    )
    .unwrap();
    e.advance(
        &mut s,
        &misused,
        "cham-dut-tu-phat",
        &json!({}),
        d("2023-04-20"),
    )
    .unwrap();
    assert!(s.case(&misused).unwrap().ended.is_some());

    // Only an entry step opens a case; the base procedure has none.
    let err = e
        .new_case_from(
            &mut s,
            "mo-hinh@kon-tum",
            &data,
            d("2023-04-03"),
            Some("thanh-lap"),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("--from-step: hồ sơ `mo-hinh@kon-tum` không mở từ bước `thanh-lap` (mở được từ: khao-sat, xem-xet-tu-phat)"),
        "{err}"
    );
    let err = e
        .new_case_from(
            &mut s,
            "mo-hinh",
            &data,
            d("2023-04-03"),
            Some("xem-xet-tu-phat"),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("(mở được từ: khao-sat)"), "{err}");
}

/// HD 22 §III.2: criteria the Ban Chỉ đạo sets for its model are judged at each rating; a
/// model that misses them is not "Tốt", and a rating that does not say is refused.
#[test]
fn the_ban_chi_dao_criteria_are_judged_at_the_rating() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let e = engine();
    let rated = |s: &mut Store, criteria: bool| {
        let id = kon_tum_model(&e, s, json!({}));
        if criteria {
            let set = json!({"tieu_chi_rieng": ["100% hộ lắp camera", "Không có vụ trộm cắp"]});
            e.advance(s, &id, "tieu-chi-rieng", &set, d("2023-04-15"))
                .unwrap();
        }
        e.advance(
            s,
            &id,
            "de-nghi-xep-loai",
            &json!({"ty_le_hoan_thanh": 95}),
            d("2024-11-04"),
        )
        .unwrap();
        id
    };
    let plain = rated(&mut s, false);
    e.advance(
        &mut s,
        &plain,
        "xep-loai",
        &json!({"xep_loai": "Tốt"}),
        d("2024-11-08"),
    )
    .unwrap();
    let id = rated(&mut s, true);
    for inputs in [
        json!({"xep_loai": "Tốt"}),
        json!({"xep_loai": "Tốt", "dat_tieu_chi_rieng": false}),
    ] {
        let err = refusal(&e, &mut s, &id, "xep-loai", inputs, "2024-11-08");
        assert!(
            err.contains("tiêu chí cụ thể do Ban Chỉ đạo đề ra"),
            "{err}"
        );
    }
    let missed = json!({"xep_loai": "Khá", "dat_tieu_chi_rieng": false, "ly_do_xep_loai": "Chưa đạt tiêu chí riêng"});
    e.advance(&mut s, &id, "xep-loai", &missed, d("2024-11-08"))
        .unwrap();
    let met = rated(&mut s, true);
    e.advance(
        &mut s,
        &met,
        "xep-loai",
        &json!({"xep_loai": "Tốt", "dat_tieu_chi_rieng": true}),
        d("2024-11-08"),
    )
    .unwrap();
}

/// The steps of a bare mô hình from `from` (one of the building steps) to its launch, each on
/// its day, with the inputs the version asks.
fn build(e: &Engine, s: &mut Store, id: &str, steps: &[(&str, &str, Value)]) {
    for (step, at, inputs) in steps {
        e.advance(s, id, step, inputs, d(at))
            .unwrap_or_else(|err| panic!("{step} on {at}: {err}"));
    }
}

fn model_data() -> Value {
    json!({"ten_mo_hinh": "Camera an ninh", "pham_vi": "thôn 1", "lien_ket": false})
}

/// HD 22 Bước 1: the survey plan is approved by the cấp ủy or chính quyền before the survey.
/// A case opened from 01/12/2026 follows mô hình 2026.1, whose survey is refused until the
/// approval (who, which day) is recorded; a case opened before keeps 2022.1 and its path.
#[test]
fn the_survey_waits_for_its_plan_to_be_approved() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let e = engine();

    let old = e
        .new_case(&mut s, "mo-hinh", &model_data(), d("2023-02-06"))
        .unwrap();
    assert_eq!(s.case(&old).unwrap().version, "2022.1");
    assert_eq!(open_steps(&s, &old), ["khao-sat"]);
    build(&e, &mut s, &old, &[("khao-sat", "2023-02-06", json!({}))]);

    let id = e
        .new_case(&mut s, "mo-hinh", &model_data(), d("2026-12-02"))
        .unwrap();
    assert_eq!(s.case(&id).unwrap().version, "2026.1");
    assert_eq!(open_steps(&s, &id), ["ke-hoach-khao-sat"]);
    let err = refusal(&e, &mut s, &id, "khao-sat", json!({}), "2026-12-02");
    assert!(err.contains("các bước đang mở: ke-hoach-khao-sat"), "{err}");
    build(
        &e,
        &mut s,
        &id,
        &[("ke-hoach-khao-sat", "2026-12-02", json!({}))],
    );

    let unapproved = "Kế hoạch khảo sát chưa được phê duyệt: Hướng dẫn 22 (Bước 1) yêu cầu kế \
        hoạch khảo sát được cấp ủy, chính quyền cùng cấp (thủ trưởng cơ quan, doanh nghiệp, cơ sở \
        giáo dục) phê duyệt trước khi khảo sát; ghi người duyệt và ngày duyệt ở bước \
        duyet-ke-hoach-khao-sat";
    let err = refusal(&e, &mut s, &id, "khao-sat", json!({}), "2026-12-03");
    assert!(err.contains(unapproved), "{err}");

    let approval = json!({"nguoi_duyet_khao_sat": "Phó Chủ tịch UBND xã Nguyễn Văn Hòa", "ngay_duyet_khao_sat": "2026-12-05"});
    let err = refusal(
        &e,
        &mut s,
        &id,
        "duyet-ke-hoach-khao-sat",
        approval.clone(),
        "2026-12-04",
    );
    assert!(
        err.contains("Ngày phê duyệt kế hoạch khảo sát (05/12/2026) sau ngày ghi bước này"),
        "{err}"
    );
    build(
        &e,
        &mut s,
        &id,
        &[("duyet-ke-hoach-khao-sat", "2026-12-05", approval)],
    );
    build(&e, &mut s, &id, &[("khao-sat", "2026-12-07", json!({}))]);
    assert_eq!(open_steps(&s, &id), ["bao-cao-khao-sat"]);
    let case = s.case(&id).unwrap();
    assert_eq!(case.data["ngay_duyet_khao_sat"], "2026-12-05");
    assert_eq!(
        case.data["nguoi_duyet_khao_sat"],
        "Phó Chủ tịch UBND xã Nguyễn Văn Hòa"
    );
}

/// The activity plans a mô hình 2026.1 case owes on `on`, by deadline (overdue or next).
fn owed_plans(e: &Engine, s: &Store, id: &str, on: &str) -> Vec<(NaiveDate, bool)> {
    let (case, rows, events) = (
        s.case(id).unwrap(),
        s.steps(id).unwrap(),
        s.events(id).unwrap(),
    );
    e.standing(&case, &rows, &events, d(on))
        .unwrap()
        .pending
        .into_iter()
        .filter(|p| p.step == "ke-hoach-hoat-dong")
        .map(|p| (p.due, p.overdue))
        .collect()
}

/// HD 22 hồ sơ mục 9, "Kế hoạch hoạt động của mô hình hằng năm", the basis of the yearly
/// percentage: the first plan comes with the quy chế, each later year's is due (before 28/02)
/// until recorded, and a year's rating is refused without that year's plan.
#[test]
fn each_year_is_rated_against_its_own_activity_plan() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let e = engine();
    let id = e
        .new_case(&mut s, "mo-hinh", &model_data(), d("2026-12-02"))
        .unwrap();
    let approval =
        json!({"nguoi_duyet_khao_sat": "Chủ tịch UBND xã", "ngay_duyet_khao_sat": "2026-12-03"});
    build(
        &e,
        &mut s,
        &id,
        &[
            ("ke-hoach-khao-sat", "2026-12-02", json!({})),
            ("duyet-ke-hoach-khao-sat", "2026-12-03", approval),
            ("khao-sat", "2026-12-04", json!({})),
            ("bao-cao-khao-sat", "2026-12-10", json!({})),
            ("chu-truong", "2026-12-14", json!({})),
            ("trien-khai", "2026-12-15", json!({})),
            ("lay-y-kien", "2026-12-17", json!({})),
            (
                "thanh-lap",
                "2026-12-21",
                json!({"ngay_thanh_lap": "2026-12-21"}),
            ),
        ],
    );
    // The quy chế comes with the model's first plan: the year it sets the targets of.
    let err = refusal(&e, &mut s, &id, "quy-che", json!({}), "2026-12-24");
    assert!(
        err.contains("bước `quy-che`: thiếu trường `nam_ke_hoach`"),
        "{err}"
    );
    build(
        &e,
        &mut s,
        &id,
        &[
            ("quy-che", "2026-12-24", json!({"nam_ke_hoach": 2027})),
            ("ra-mat", "2026-12-28", json!({})),
        ],
    );
    // 2027's plan came with the quy chế: its deadline (before 28/02/2027) is not owed; 2028's is.
    assert_eq!(
        owed_plans(&e, &s, &id, "2027-03-01"),
        [(d("2028-02-27"), false)]
    );
    build(
        &e,
        &mut s,
        &id,
        &[
            (
                "de-nghi-xep-loai",
                "2027-11-03",
                json!({"ty_le_hoan_thanh": 92}),
            ),
            ("xep-loai", "2027-11-08", json!({"xep_loai": "Tốt"})),
            ("gui-ket-qua", "2027-11-12", json!({})),
        ],
    );
    // A site replicated to has its own survey approval and plans to come.
    let out = e
        .advance(
            &mut s,
            &id,
            "de-xuat-nhan-rong",
            &json!({"dia_ban_nhan_rong": ["thôn 2"]}),
            d("2027-11-20"),
        )
        .unwrap();
    let site = s.case(&out.linked[0]).unwrap();
    for field in [
        "nguoi_duyet_khao_sat",
        "ngay_duyet_khao_sat",
        "nam_ke_hoach",
    ] {
        assert!(site.data.get(field).is_none(), "{field}: {}", site.data);
    }
    assert_eq!(site.data["ten_mo_hinh"], "Camera an ninh");
    // No plan for 2028: overdue after 27/02/2028 (2029's is next), and the 2028 rating is
    // refused.
    assert_eq!(
        owed_plans(&e, &s, &id, "2028-03-01"),
        [(d("2028-02-27"), true), (d("2029-02-27"), false)]
    );
    let no_plan = "Chưa có kế hoạch hoạt động của mô hình cho năm đánh giá này (hồ sơ mục 9; kế \
        hoạch gần nhất: năm 2027): tỷ lệ hoàn thành là tỷ lệ chỉ tiêu đề ra trong kế hoạch hoạt \
        động của mô hình trong năm; ghi kế hoạch năm ở bước ke-hoach-hoat-dong trước khi đề nghị \
        xếp loại";
    let proposal = json!({"ty_le_hoan_thanh": 91});
    let err = refusal(
        &e,
        &mut s,
        &id,
        "de-nghi-xep-loai",
        proposal.clone(),
        "2028-11-03",
    );
    assert!(err.contains(no_plan), "{err}");
    // A plan for a year far from the day is a typo, refused.
    let err = refusal(
        &e,
        &mut s,
        &id,
        "ke-hoach-hoat-dong",
        json!({"nam_ke_hoach": 2082}),
        "2028-11-03",
    );
    assert!(
        err.contains("Kế hoạch hoạt động năm 2082: chỉ ghi kế hoạch của năm đánh giá đang diễn ra"),
        "{err}"
    );
    build(
        &e,
        &mut s,
        &id,
        &[
            (
                "ke-hoach-hoat-dong",
                "2028-11-03",
                json!({"nam_ke_hoach": 2028}),
            ),
            ("de-nghi-xep-loai", "2028-11-03", proposal),
        ],
    );
    assert_eq!(
        owed_plans(&e, &s, &id, "2028-11-04"),
        [(d("2029-02-27"), false)]
    );
}

/// A case's pending deadlines on `on`: (step, last day, overdue).
fn pending(e: &Engine, s: &Store, id: &str, on: &str) -> Vec<(String, NaiveDate, bool)> {
    let (case, rows, events) = (
        s.case(id).unwrap(),
        s.steps(id).unwrap(),
        s.events(id).unwrap(),
    );
    e.standing(&case, &rows, &events, d(on))
        .unwrap()
        .pending
        .into_iter()
        .map(|p| (p.step, p.due, p.overdue))
        .collect()
}

/// HD 22 §VI: Công an tỉnh reports to the Ministry (qua V05) "trước ngày 20/5 và 20/11": in a
/// province's year (`phong-trao-tinh`) both reports are owed from the kế hoạch, the 6-month one
/// is overdue after 20/05 until made, and the year is closed (tổng kết) only after the annual one.
#[test]
fn cong_an_tinh_reports_to_v05_before_20_may_and_20_november() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let e = engine();
    let id = e
        .new_case(
            &mut s,
            "phong-trao-tinh",
            &json!({"nam": 2023}),
            d("2023-01-10"),
        )
        .unwrap();
    build(
        &e,
        &mut s,
        &id,
        &[("ban-hanh-ke-hoach", "2023-01-16", json!({}))],
    );
    let v05 = |p: Vec<(String, NaiveDate, bool)>| -> Vec<(String, NaiveDate, bool)> {
        p.into_iter()
            .filter(|p| p.0.starts_with("bao-cao-v05"))
            .collect()
    };
    assert_eq!(
        v05(pending(&e, &s, &id, "2023-05-21")),
        [
            ("bao-cao-v05-6-thang".to_string(), d("2023-05-20"), true),
            ("bao-cao-v05-nam".to_string(), d("2023-11-20"), false),
        ]
    );
    // The year cannot be closed before Công an tỉnh's annual report.
    let err = refusal(&e, &mut s, &id, "tong-ket", json!({}), "2023-05-22");
    assert!(
        err.contains("bước `tong-ket` bị từ chối: bước này chưa đến lượt hoặc đã xong"),
        "{err}"
    );
    build(
        &e,
        &mut s,
        &id,
        &[("bao-cao-v05-6-thang", "2023-05-22", json!({}))],
    );
    assert_eq!(
        v05(pending(&e, &s, &id, "2023-11-21")),
        [("bao-cao-v05-nam".to_string(), d("2023-11-20"), true)]
    );
    build(
        &e,
        &mut s,
        &id,
        &[
            ("bao-cao-v05-nam", "2023-11-17", json!({})),
            ("tong-ket", "2023-12-20", json!({})),
        ],
    );
    assert!(pending(&e, &s, &id, "2023-12-21").is_empty());
    assert!(s.case(&id).unwrap().ended.is_some());
}

/// A case opened the day before mô hình 2026.1 took effect keeps 2022.1 for life: its survey
/// needs no approval and its ratings of 2027 no yearly plan. A site it replicates to in 2027 is a
/// new case, under the version in effect that day.
#[test]
fn a_case_opened_under_2022_1_keeps_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let e = engine();
    let id = e
        .new_case(&mut s, "mo-hinh", &model_data(), d("2026-11-30"))
        .unwrap();
    assert_eq!(s.case(&id).unwrap().version, "2022.1");
    build(
        &e,
        &mut s,
        &id,
        &[
            ("khao-sat", "2026-12-02", json!({})),
            ("bao-cao-khao-sat", "2026-12-10", json!({})),
            ("chu-truong", "2026-12-14", json!({})),
            ("trien-khai", "2026-12-15", json!({})),
            ("lay-y-kien", "2026-12-17", json!({})),
            (
                "thanh-lap",
                "2026-12-21",
                json!({"ngay_thanh_lap": "2026-12-21"}),
            ),
            ("quy-che", "2026-12-24", json!({})),
            ("ra-mat", "2026-12-28", json!({})),
            (
                "de-nghi-xep-loai",
                "2027-11-03",
                json!({"ty_le_hoan_thanh": 92}),
            ),
            ("xep-loai", "2027-11-08", json!({"xep_loai": "Tốt"})),
            ("gui-ket-qua", "2027-11-12", json!({})),
        ],
    );
    assert!(!open_steps(&s, &id).contains(&"ke-hoach-hoat-dong".to_string()));
    let out = e
        .advance(
            &mut s,
            &id,
            "de-xuat-nhan-rong",
            &json!({"dia_ban_nhan_rong": ["thôn 2"]}),
            d("2027-11-20"),
        )
        .unwrap();
    let [site] = out.linked.as_slice() else {
        panic!("one site: {:?}", out.linked)
    };
    let linked = s.case(site).unwrap();
    assert_eq!(linked.version, "2026.1");
    assert_eq!(linked.data["pham_vi"], "thôn 2");
    assert_eq!(open_steps(&s, site), ["ke-hoach-khao-sat"]);
    assert_eq!(s.case(&id).unwrap().version, "2022.1");
}
