//! Thể thức ký: the signature block (authority prefix, titles, name) and the Nơi nhận list
//! (Nghị định 30/2020, Điều 13 and Phụ lục I, II.7 and II.9).

use serde::{Deserialize, Serialize};

use super::family::Family;

/// Whose authority the document is signed under, fixed by the template: a decision of the
/// People's Committee is the collective's, a plan of its chairman is the head's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signing {
    /// On behalf of the collective body: "TM. ỦY BAN NHÂN DÂN".
    Collective,
    /// By the head, or for the head.
    #[default]
    Head,
    /// A biên bản: the secretary signs on the left, the chair on the right.
    Minutes,
}

/// In what capacity the person signs (thẩm quyền ký), given with the signer's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Capacity {
    /// The head signs in person.
    #[default]
    Head,
    /// KT. — a deputy signs for the head.
    Deputy,
    /// Q. — an acting head.
    Acting,
    /// TL. — a unit head signs by the head's order.
    ByOrder,
    /// TUQ. — a unit head signs under a written authorisation.
    Authorised,
}

/// The person who signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    pub name: String,
    /// The signer's own title, upper case ("PHÓ CHỦ TỊCH"); several lines allowed.
    pub title: String,
    pub capacity: Capacity,
    /// Position in the agency printed above the name when the signer acts for an advisory
    /// body ("Chủ tịch Ủy ban nhân dân tỉnh" under "TRƯỞNG BAN").
    pub position: Option<String>,
}

/// A laid-out signature block: upper-case bold lines, space for signature and seal, then the
/// optional position line and the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChuKy {
    pub lines: Vec<String>,
    pub position: Option<String>,
    pub name: String,
}

/// Builds the authority and title lines. `collective` is the name after "TM." and `head` the
/// head's title after "KT."/"Q."/"TL."/"TUQ.".
pub fn chu_ky(
    family: &Family,
    signing: Signing,
    collective: &str,
    head: &str,
    signer: &Signer,
) -> ChuKy {
    let mut lines = Vec::new();
    if signing == Signing::Collective {
        lines.push(format!("{} {collective}", family.tm));
    }
    let prefix = match signer.capacity {
        Capacity::Head => None,
        Capacity::Deputy => Some(family.kt),
        Capacity::Acting => Some(family.q),
        Capacity::ByOrder => Some(family.tl),
        Capacity::Authorised => Some(family.tuq),
    };
    if let Some(p) = prefix {
        lines.push(format!("{p} {head}"));
    }
    // An acting head's title is the "Q." line itself.
    if signer.capacity != Capacity::Acting {
        lines.extend(signer.title.lines().map(str::to_string));
    }
    ChuKy {
        lines,
        position: signer.position.clone(),
        name: signer.name.clone(),
    }
}

/// The approval block of a document approved before it is carried out: "DUYỆT", the
/// approver's title, space to sign, the name.
pub fn duyet(approver: &Signer) -> ChuKy {
    ChuKy {
        lines: std::iter::once("DUYỆT".to_string())
            .chain(approver.title.lines().map(str::to_string))
            .collect(),
        position: approver.position.clone(),
        name: approver.name.clone(),
    }
}

/// Signatures side by side with as many title lines each, the shorter padded below its
/// titles, so that the names stand level.
pub fn level(signatures: &mut [ChuKy]) {
    let most = signatures.iter().map(|k| k.lines.len()).max().unwrap_or(0);
    for k in signatures {
        k.lines.resize(most, "\u{a0}".to_string());
    }
}

/// The two signatures of a biên bản: "THƯ KÝ" on the left, "CHỦ TỌA" on the right.
pub fn bien_ban(secretary: &str, chair: &str) -> Vec<ChuKy> {
    [("THƯ KÝ", secretary), ("CHỦ TỌA", chair)]
        .into_iter()
        .map(|(title, name)| ChuKy {
            lines: vec![title.to_string()],
            position: None,
            name: name.to_string(),
        })
        .collect()
}

/// Strips the punctuation a user may have typed at the end of a list line, so that the rule's
/// own ";" or "." is added exactly once.
pub fn strip_end(s: &str) -> &str {
    s.trim_end().trim_end_matches([';', '.', ',']).trim_end()
}

/// Nơi nhận: the recipients and the file copy kept by the văn thư.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoiNhan {
    pub recipients: Vec<String>,
    /// Units after "VT" on the Lưu line ("BCĐ", "NCLTD").
    pub luu: Vec<String>,
    /// Copies kept, printed in parentheses.
    pub copies: Option<u32>,
}

impl NoiNhan {
    /// "- …;" per recipient, then "- Lưu: VT, …." (State) or "- Lưu …." (Party).
    pub fn lines(&self, family: &Family) -> Vec<String> {
        let mut out: Vec<String> = self
            .recipients
            .iter()
            .map(|r| format!("- {};", strip_end(r)))
            .collect();
        let units: Vec<&str> = family
            .luu_first
            .into_iter()
            .chain(self.luu.iter().map(|u| strip_end(u)))
            .collect();
        let mut luu = format!("- {} {}", family.luu_label, units.join(", "));
        if let Some(n) = self.copies {
            luu.push_str(&format!(" ({n})"));
        }
        luu.push('.');
        out.push(luu);
        out
    }
}

/// The "Kính gửi:" block: one addressee on the same line, several as "- …;" lines with the
/// last ending in ".".
pub fn kinh_gui(addressees: &[String]) -> Vec<String> {
    match addressees {
        [] => Vec::new(),
        [one] => vec![format!("Kính gửi: {}", strip_end(one))],
        many => std::iter::once("Kính gửi:".to_string())
            .chain(many.iter().enumerate().map(|(i, a)| {
                let end = if i + 1 == many.len() { '.' } else { ';' };
                format!("- {}{end}", strip_end(a))
            }))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::family::{PARTY, STATE};
    use super::*;

    fn signer(title: &str, capacity: Capacity) -> Signer {
        Signer {
            name: "Nguyễn Văn A".into(),
            title: title.into(),
            capacity,
            position: None,
        }
    }

    #[test]
    fn collective_head() {
        let k = chu_ky(
            &STATE,
            Signing::Collective,
            "ỦY BAN NHÂN DÂN",
            "CHỦ TỊCH",
            &signer("CHỦ TỊCH", Capacity::Head),
        );
        assert_eq!(k.lines, ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]);
    }

    #[test]
    fn deputy_for_minister() {
        let k = chu_ky(
            &STATE,
            Signing::Head,
            "BỘ",
            "BỘ TRƯỞNG",
            &signer("THỨ TRƯỞNG", Capacity::Deputy),
        );
        assert_eq!(k.lines, ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"]);
    }

    #[test]
    fn collective_and_deputy() {
        let k = chu_ky(
            &STATE,
            Signing::Collective,
            "ỦY BAN NHÂN DÂN",
            "CHỦ TỊCH",
            &signer("PHÓ CHỦ TỊCH", Capacity::Deputy),
        );
        assert_eq!(
            k.lines,
            ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
        );
    }

    #[test]
    fn acting_by_order_authorised() {
        let k = chu_ky(
            &STATE,
            Signing::Head,
            "",
            "GIÁM ĐỐC",
            &signer("PHÓ GIÁM ĐỐC", Capacity::Acting),
        );
        assert_eq!(k.lines, ["Q. GIÁM ĐỐC"]);
        let k = chu_ky(
            &STATE,
            Signing::Head,
            "",
            "GIÁM ĐỐC",
            &signer("CHÁNH VĂN PHÒNG", Capacity::ByOrder),
        );
        assert_eq!(k.lines, ["TL. GIÁM ĐỐC", "CHÁNH VĂN PHÒNG"]);
        let k = chu_ky(
            &STATE,
            Signing::Head,
            "",
            "GIÁM ĐỐC",
            &signer("TRƯỞNG PHÒNG NỘI VỤ", Capacity::Authorised),
        );
        assert_eq!(k.lines, ["TUQ. GIÁM ĐỐC", "TRƯỞNG PHÒNG NỘI VỤ"]);
        let k = chu_ky(
            &STATE,
            Signing::Head,
            "",
            "BỘ TRƯỞNG",
            &signer("KT. VỤ TRƯỞNG\nPHÓ VỤ TRƯỞNG", Capacity::ByOrder),
        );
        assert_eq!(k.lines, ["TL. BỘ TRƯỞNG", "KT. VỤ TRƯỞNG", "PHÓ VỤ TRƯỞNG"]);
    }

    #[test]
    fn party_prefixes() {
        let k = chu_ky(
            &PARTY,
            Signing::Collective,
            "BAN THƯỜNG VỤ",
            "BÍ THƯ",
            &signer("PHÓ BÍ THƯ", Capacity::Deputy),
        );
        assert_eq!(k.lines, ["T/M BAN THƯỜNG VỤ", "K/T BÍ THƯ", "PHÓ BÍ THƯ"]);
    }

    #[test]
    fn noi_nhan_lines() {
        let n = NoiNhan {
            recipients: vec!["Như trên".into()],
            luu: vec!["PV05".into()],
            copies: None,
        };
        assert_eq!(n.lines(&STATE), ["- Như trên;", "- Lưu: VT, PV05."]);
        let n = NoiNhan {
            recipients: vec![],
            luu: vec!["HC".into()],
            copies: Some(2),
        };
        assert_eq!(n.lines(&STATE), ["- Lưu: VT, HC (2)."]);
        let n = NoiNhan {
            recipients: vec!["Bộ Công an (b/c);".into()],
            luu: vec!["TCCB".into()],
            copies: None,
        };
        assert_eq!(n.lines(&STATE), ["- Bộ Công an (b/c);", "- Lưu: VT, TCCB."]);
        let n = NoiNhan {
            recipients: vec!["Ban Thường vụ Huyện ủy".into()],
            luu: vec!["Văn phòng Đảng ủy".into()],
            copies: None,
        };
        assert_eq!(
            n.lines(&PARTY),
            ["- Ban Thường vụ Huyện ủy;", "- Lưu Văn phòng Đảng ủy."]
        );
        let n = NoiNhan {
            recipients: vec![],
            luu: vec![],
            copies: None,
        };
        assert_eq!(n.lines(&STATE), ["- Lưu: VT."]);
    }

    #[test]
    fn kinh_gui_one_and_many() {
        assert_eq!(kinh_gui(&["Bộ Nội vụ".into()]), ["Kính gửi: Bộ Nội vụ"]);
        let many: Vec<String> = ["Bộ Nội vụ", "Bộ Kế hoạch và Đầu tư", "Bộ Tài chính"]
            .map(Into::into)
            .into();
        assert_eq!(
            kinh_gui(&many),
            [
                "Kính gửi:",
                "- Bộ Nội vụ;",
                "- Bộ Kế hoạch và Đầu tư;",
                "- Bộ Tài chính."
            ]
        );
    }
}
