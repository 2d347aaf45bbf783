//! Issue 14, item 3: the founding of a mô hình (HD 22 Bước 4) is one coherent set of decisions
//! — one combined decision, or a decision on the model with separate ones on its Ban Chỉ đạo
//! and its members, as the `thanh-lap` step chooses — and every decision that prints the
//! members prints the same list.

mod common;

use common::*;
use serde_json::json;

/// The Kon Tum sample case up to its founding, with `inputs` for `thanh-lap`.
fn founded(inputs: serde_json::Value) -> Vec<(String, String)> {
    issued_texts(
        "mo-hinh@kon-tum",
        json!({"ten_mo_hinh": "Camera an ninh", "pham_vi": "các thôn 1, 2, 3 và thôn Kon Klốc, xã Đắk Mar", "lien_ket": false}),
        "2023-02-06",
        &[
            ("khao-sat", "2023-02-06", json!({})),
            ("bao-cao-khao-sat", "2023-02-28", json!({})),
            ("chu-truong", "2023-03-10", json!({})),
            ("trien-khai", "2023-03-13", json!({})),
            ("lay-y-kien", "2023-03-17", json!({})),
            ("thanh-lap", "2023-03-20", inputs),
        ],
        &root().join("samples/documents"),
    )
}

/// The names in the rows of a table printed after `heading` (the first cell of a row is its
/// number, the second the name): DOCX paragraphs, one per cell.
fn names_after(text: &str, heading: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|l| l.starts_with(heading)) else {
        return Vec::new();
    };
    let mut names = Vec::new();
    let mut i = start + 1;
    // Past the header row to the first numbered row.
    while i < lines.len() && lines[i] != "1" {
        i += 1;
    }
    while i + 1 < lines.len() && lines[i] == (names.len() + 1).to_string() {
        names.push(lines[i + 1].to_string());
        // A row's cells: number, name and the rest up to the next number.
        i += 2;
        while i < lines.len() && lines[i] != (names.len() + 1).to_string() {
            if lines[i].starts_with("Điều ") || lines[i].starts_with("Ban Chỉ đạo có") {
                return names;
            }
            i += 1;
        }
    }
    names
}

/// Who creates the Ban Chỉ đạo and who lists the members, among the founding documents.
fn creators(texts: &[(String, String)]) -> (Vec<&str>, Vec<&str>) {
    let creates_bcd = texts
        .iter()
        .filter(|(_, t)| t.lines().any(|l| l.contains("Thành lập Ban Chỉ đạo")))
        .map(|(id, _)| id.as_str())
        .collect();
    let lists_members = texts
        .iter()
        .filter(|(_, t)| {
            t.lines().any(|l| {
                l.contains("danh sách")
                    && l.contains("thành viên tham gia mô hình")
                    && l.contains(':')
            })
        })
        .map(|(id, _)| id.as_str())
        .collect();
    (creates_bcd, lists_members)
}

#[test]
fn one_combined_decision_founds_model_committee_and_members() {
    // The step not choosing is the one combined decision.
    let texts = founded(json!({"ngay_thanh_lap": "2023-03-20"}));
    let ids: Vec<&str> = texts.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        ids,
        [
            "ke-hoach-khao-sat",
            "bao-cao-ket-qua-khao-sat",
            "to-trinh-de-xuat-xay-dung-mo-hinh",
            "nghi-quyet-chu-truong",
            "ke-hoach-trien-khai-xay-dung-mo-hinh",
            "quyet-dinh-thanh-lap-mo-hinh",
            "ke-hoach-ra-mat"
        ]
    );
    let (bcd, members) = creators(&texts);
    assert_eq!(bcd, ["quyet-dinh-thanh-lap-mo-hinh"]);
    assert_eq!(members, ["quyet-dinh-thanh-lap-mo-hinh"]);
    let qd = &texts[5].1;
    assert!(qd.contains("Điều 5."), "{qd}");
    assert!(qd.contains("- Như Điều 5;"), "{qd}");
}

#[test]
fn separate_decisions_found_the_committee_and_members_once_each_from_one_list() {
    // As the sample case chooses.
    {
        let inputs = json!({"ngay_thanh_lap": "2023-03-20", "quyet_dinh_rieng": true});
        let texts = founded(inputs);
        let (bcd, members) = creators(&texts);
        assert_eq!(bcd, ["quyet-dinh-thanh-lap-ban-chi-dao"], "{texts:#?}");
        assert_eq!(
            members,
            ["quyet-dinh-ban-hanh-danh-sach-thanh-vien"],
            "{texts:#?}"
        );
        let model = &texts
            .iter()
            .find(|(t, _)| t == "quyet-dinh-thanh-lap-mo-hinh")
            .unwrap()
            .1;
        assert!(
            !model.contains("Điều 5.") && model.contains("- Như Điều 4;"),
            "{model}"
        );
        // The separate decisions cite the model's, as the register numbered it.
        let bcd_text = &texts
            .iter()
            .find(|(t, _)| t == "quyet-dinh-thanh-lap-ban-chi-dao")
            .unwrap()
            .1;
        let so = model.lines().find_map(|l| l.strip_prefix("Số: ")).unwrap();
        let cited = format!("Căn cứ Quyết định số {so} ngày 20 tháng 3 năm 2023");
        assert!(bcd_text.contains(&cited), "{cited}\n{bcd_text}");
    }
}

/// The members printed by the combined decision are those of the separate ones: one list, as
/// data, read by both (today the model's decision named 4 members and the list 5).
#[test]
fn the_member_lists_agree_whichever_set_is_issued() {
    let one = founded(json!({"ngay_thanh_lap": "2023-03-20"}));
    let three = founded(json!({"ngay_thanh_lap": "2023-03-20", "quyet_dinh_rieng": true}));
    let text =
        |set: &[(String, String)], id: &str| set.iter().find(|(t, _)| t == id).unwrap().1.clone();
    let combined = text(&one, "quyet-dinh-thanh-lap-mo-hinh");
    let bcd_one = names_after(&combined, "Điều 2.");
    let members_one = names_after(&combined, "Điều 3.");
    let bcd_three = names_after(&text(&three, "quyet-dinh-thanh-lap-ban-chi-dao"), "Điều 1.");
    let members_three = names_after(
        &text(&three, "quyet-dinh-ban-hanh-danh-sach-thanh-vien"),
        "Điều 1.",
    );
    assert!(
        bcd_one.len() >= 3 && members_one.len() >= 3,
        "{bcd_one:?} {members_one:?}"
    );
    assert_eq!(bcd_one, bcd_three);
    assert_eq!(members_one, members_three);
}
