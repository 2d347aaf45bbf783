//! Issue 14, item 5: law and administrative levels by date. A template names no level and no
//! dated law itself; a case after the 2025 reform (Thái Nguyên, a phường) issues documents
//! without a district, a thị trấn or the 2015/2019 law, and a case before it still cites the
//! law then in force.

mod common;

use common::*;

/// What a template prints that only one period's documents, or one kind of commune's, may say:
/// a level that ended or began in 2025, a law or plan that changed, a xã's thôn. Returns each as
/// (word, context).
fn hard_coded(text: &str) -> Vec<(String, String)> {
    const DATED: [&str; 8] = [
        "huyện",
        "thị trấn",
        "thị xã",
        "đặc khu",
        "chính quyền địa phương",
        "630/kh",
        "612/kh",
        // A phường has tổ dân phố, not thôn.
        "trưởng thôn",
    ];
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    let context = |at: usize| {
        let start = lower.floor_char_boundary(at.saturating_sub(30));
        let end = lower.ceil_char_boundary((at + 30).min(lower.len()));
        lower[start..end].to_string()
    };
    for w in DATED {
        for (at, _) in lower.match_indices(w) {
            out.push((w.to_string(), context(at)));
        }
    }
    // "xã" as the commune's kind ("Ủy ban nhân dân xã"), not the level's name ("cấp xã") nor
    // "xã hội".
    for (at, _) in lower.match_indices("xã") {
        let before = lower[..at].chars().next_back();
        let after = &lower[at + "xã".len()..];
        let word = !before.is_some_and(char::is_alphanumeric)
            && !after.chars().next().is_some_and(char::is_alphanumeric);
        if word && !after.starts_with(" hội") && !lower[..at].ends_with("cấp ") {
            out.push(("xã".into(), context(at)));
        }
    }
    out
}

/// The text a template prints: its body and the front-matter strings that reach the page.
fn printed(src: &str) -> String {
    let rest = src.strip_prefix("---\n").unwrap();
    let end = rest.find("\n---\n").unwrap();
    let front: serde_yaml::Value = serde_yaml::from_str(&rest[..end]).unwrap();
    let mut out = vec![rest[end + 5..].to_string()];
    for key in ["trich_yeu", "kinh_gui", "noi_nhan", "attached_to"] {
        if let Some(v) = front.get(key) {
            out.push(serde_yaml::to_string(v).unwrap());
        }
    }
    out.join("\n")
}

#[test]
fn no_template_writes_a_level_or_a_dated_law() {
    // The check itself catches what the templates had.
    assert_eq!(hard_coded("- Công an huyện {{huyen}} (b/c)").len(), 1);
    assert_eq!(hard_coded("Ủy ban nhân dân xã {{xa}}").len(), 1);
    assert!(hard_coded("Công an cấp xã; tệ nạn xã hội").is_empty());
    let mut found = Vec::new();
    let mut read = 0;
    for e in std::fs::read_dir(root().join("templates")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "hbs") {
            read += 1;
            let src = std::fs::read_to_string(&p).unwrap();
            for (w, at) in hard_coded(&printed(&src)) {
                found.push(format!(
                    "{}: “{w}” in …{at}…",
                    p.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(read >= 40, "{read} templates read");
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// After the reform: a phường of Thái Nguyên builds an điển hình unit in 2026. No document it
/// issues names a district, a thị trấn, the 2015/2019 law or Kế hoạch 630, or leaves a blank.
#[test]
fn a_thai_nguyen_phuong_in_2026_issues_documents_of_two_levels() {
    let docs = root().join("samples/documents/phan-dinh-phung");
    let texts = issued_texts(
        "don-vi-dien-hinh@thai-nguyen",
        serde_json::json!({"ten_don_vi": "phường Phan Đình Phùng", "nam": 2026, "dat_an_toan": true, "phan_loai_nam_truoc": "Khá"}),
        "2026-02-02",
        &[
            ("dang-ky", "2026-03-10", serde_json::json!({})),
            ("ke-hoach", "2026-03-20", serde_json::json!({})),
            (
                "tu-danh-gia",
                "2026-09-25",
                serde_json::json!({"so_tieu_chi_dat": 3, "tong_so_tieu_chi": 3}),
            ),
            ("tham-dinh", "2026-10-12", serde_json::json!({})),
            ("cong-nhan", "2026-10-20", serde_json::json!({})),
        ],
        &docs,
    );
    assert!(texts.len() >= 6, "{} documents issued", texts.len());
    for (t, text) in &texts {
        let lower = text.to_lowercase();
        for word in [
            "huyện",
            "thị trấn",
            "năm 2015",
            "năm 2019",
            "630/kh",
            "chưa ban hành",
        ] {
            assert!(!lower.contains(word), "{t}: “{word}” in\n{text}");
        }
        // A blank where a value was missing: "huyện ." or "xã , …".
        for blank in [" .", " ,", "( )", "  "] {
            assert!(!text.contains(blank), "{t}: blank “{blank}” in\n{text}");
        }
        assert!(!lower.contains("ủy ban nhân dân xã"), "{t}:\n{text}");
        assert!(!lower.contains("trưởng thôn"), "{t}:\n{text}");
    }
    let qd = &texts
        .iter()
        .find(|(t, _)| t == "quyet-dinh-cong-nhan-don-vi-dien-hinh")
        .unwrap()
        .1;
    assert!(
        qd.contains("Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025"),
        "{qd}"
    );
    assert!(qd.contains("Kế hoạch số 612/KH-BCA-V05"), "{qd}");
    let dang_ky = &texts[0].1;
    assert!(dang_ky.contains("Công an tỉnh Thái Nguyên"), "{dang_ky}");
    assert!(
        dang_ky.contains("Ủy ban nhân dân phường Phan Đình Phùng"),
        "{dang_ky}"
    );
}

/// Before the reform: the Bắc Kạn sample case of 2023 still cites the law of 2015/2019 and
/// Kế hoạch 630, and reports through its district.
#[test]
fn a_bac_kan_xa_in_2023_cites_the_law_then_in_force() {
    let texts = issued_texts(
        "don-vi-dien-hinh@bac-kan",
        serde_json::json!({"ten_don_vi": "xã Cẩm Giàng", "nam": 2023, "dat_an_toan": true, "phan_loai_nam_truoc": "Khá"}),
        "2023-03-01",
        &[
            ("dang-ky", "2023-03-15", serde_json::json!({})),
            ("ke-hoach", "2023-03-25", serde_json::json!({})),
            (
                "tu-danh-gia",
                "2023-09-25",
                serde_json::json!({"so_tieu_chi_dat": 4, "tong_so_tieu_chi": 4}),
            ),
            ("xet-cap-huyen", "2023-10-10", serde_json::json!({})),
            ("tham-dinh", "2023-10-18", serde_json::json!({})),
            ("cong-nhan", "2023-10-24", serde_json::json!({})),
        ],
        &root().join("samples/documents"),
    );
    let qd = &texts
        .iter()
        .find(|(t, _)| t == "quyet-dinh-cong-nhan-don-vi-dien-hinh")
        .unwrap()
        .1;
    assert!(qd.contains("ngày 19 tháng 6 năm 2015"), "{qd}");
    assert!(qd.contains("Kế hoạch số 630/KH-BCA-V05"), "{qd}");
    assert!(!qd.contains("16 tháng 6 năm 2025"), "{qd}");
    let dang_ky = &texts[0].1;
    assert!(
        dang_ky.contains("Ủy ban nhân dân huyện Bạch Thông"),
        "{dang_ky}"
    );
    assert!(dang_ky.contains("Công an huyện Bạch Thông"), "{dang_ky}");
}

/// A căn cứ naming no instrument of the registry is refused when the templates are loaded,
/// naming the file, line and key — not when a clerk drafts the document.
#[test]
fn a_cancu_outside_the_registry_is_refused_at_load() {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("templates")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "hbs") {
            let src = std::fs::read_to_string(&p).unwrap().replace(
                "{{phap_ly \"nghi-dinh-06-2014\"}}",
                "{{phap_ly \"nghi-dinh-06-2041\"}}",
            );
            std::fs::write(dir.path().join(p.file_name().unwrap()), src).unwrap();
        }
    }
    let e = hoso::template::TemplateSet::load_dir(dir.path())
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains(".hbs:") && e.contains("`phap_ly \"nghi-dinh-06-2041\"`"),
        "{e}"
    );
}
