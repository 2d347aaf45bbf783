//! The two families of administrative documents: State documents (Nghị định 30/2020) and Party
//! documents (Hướng dẫn 36-HD/VPTW, replaced by Hướng dẫn 05-HD/VPTW of 27/5/2026). Their
//! differences — national heading, the mark under the issuer, the shape of the number line, the
//! authority prefixes and the type of some lines — are data here, so renderers never branch on
//! the family.

use serde::{Deserialize, Serialize};

use super::{Role, TextStyle};

/// Which family an issuer belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FamilyId {
    #[default]
    State,
    Party,
}

/// What is drawn under the issuing body's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgencyMark {
    /// A solid rule, 1/3 to 1/2 of the name's width (State).
    Rule,
    /// An asterisk "*" (Party).
    Asterisk,
}

/// How number and ký hiệu are joined on the number line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberStyle {
    /// "Số: 05/QĐ-UBND": colon, slash, groups joined by hyphens.
    Slash,
    /// "Số 05-NQ/ĐU": no colon, hyphen before the type, slash before the body.
    Party,
}

/// A family's fixed texts and conventions.
#[derive(Debug)]
pub struct Family {
    pub id: FamilyId,
    /// Upper line of the right-hand heading, bold.
    pub national_title: &'static str,
    /// Second line with a rule under it (the tiêu ngữ), if the family has one.
    pub motto: Option<&'static str>,
    pub agency_mark: AgencyMark,
    pub number_style: NumberStyle,
    /// Prefix for signing on behalf of a collective ("TM." / "T/M").
    pub tm: &'static str,
    /// Prefix for a deputy signing for the head ("KT." / "K/T").
    pub kt: &'static str,
    /// Prefix for an acting head ("Q.").
    pub q: &'static str,
    /// Prefix for signing by order ("TL." / "T/L").
    pub tl: &'static str,
    /// Prefix for signing under written authorisation ("TUQ.").
    pub tuq: &'static str,
    /// The file-copy line's label: "Lưu:" (State), "Lưu" (Party: "- Lưu Văn phòng Đảng ủy.").
    pub luu_label: &'static str,
    /// What the file-copy line always names first: the văn thư ("VT") of a State body.
    pub luu_first: Option<&'static str>,
    /// Size and emphasis the family's own rules set for a role's lines, where they differ from
    /// the decree's (`render::layout::style`).
    pub styles: &'static [(Role, TextStyle)],
}

impl Family {
    /// The family's own style for a line of `role`, if it has one.
    pub fn style_of(&self, role: Role) -> Option<TextStyle> {
        self.styles
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, s)| *s)
    }
}

/// Quốc hiệu and tiêu ngữ, in NFC ("HÒA" with U+00D2, as the decree spells it).
pub static STATE: Family = Family {
    id: FamilyId::State,
    national_title: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    motto: Some("Độc lập - Tự do - Hạnh phúc"),
    agency_mark: AgencyMark::Rule,
    number_style: NumberStyle::Slash,
    tm: "TM.",
    kt: "KT.",
    q: "Q.",
    tl: "TL.",
    tuq: "TUQ.",
    luu_label: "Lưu:",
    luu_first: Some("VT"),
    styles: &[],
};

pub static PARTY: Family = Family {
    id: FamilyId::Party,
    national_title: "ĐẢNG CỘNG SẢN VIỆT NAM",
    motto: None,
    agency_mark: AgencyMark::Asterisk,
    number_style: NumberStyle::Party,
    tm: "T/M",
    kt: "K/T",
    q: "Q.",
    tl: "T/L",
    tuq: "T/UQ",
    luu_label: "Lưu",
    luu_first: None,
    // Hướng dẫn 36-HD/VPTW (03/4/2018), the table "Mẫu trình bày thể thức văn bản và bản sao
    // văn bản của Đảng" (its Phụ lục 3 as thuvienphapluat.vn quotes it:
    // https://thuvienphapluat.vn/hoi-dap-phap-luat/iframe/40E84-hd-mau-trinh-bay-the-thuc-van-ban-va-ban-sao-van-ban-cua-dang.html):
    // tiêu đề "ĐẢNG CỘNG SẢN VIỆT NAM" in hoa 15 đứng đậm; tên cơ quan cấp trên trực tiếp 14
    // đứng ("ĐẢNG BỘ TỈNH THÁI NGUYÊN"), cơ quan ban hành 14 đứng đậm; số và ký hiệu 14 đứng
    // ("Số 127-QĐ/TW"); tên loại văn bản 15–16 đứng đậm (15 taken); trích yếu 14–15 đứng đậm
    // (14). The date line is 14 nghiêng in both families.
    //
    // Hướng dẫn 05-HD/VPTW (27/5/2026), which replaces HD 36 from the day it was signed, keeps
    // those sizes in its Phụ lục 2 and sets the Nơi nhận (row 9): Từ "Nơi nhận" in thường 14
    // "Đứng, có gạch chân"; the names after it in thường 12 đứng ("- Lưu Văn phòng Tỉnh uỷ.").
    // Phần II, I.9.2.1: "Cụm từ "Nơi nhận" trình bày một dòng riêng, dưới cụm từ này có đường
    // kẻ ngang nét liền, tương ứng với chiều dài của cụm từ này" — so the words are underlined,
    // not the colon after them (9.2.5), which the renderers leave out of the underline
    // (`render::layout::runs`). Read in a third-party transcription (GitHub
    // newstar94/Chuan-Hoa@7ead195, shared/docs/extracted_text/HD05.txt and HD05_tables.txt);
    // the official copy was not seen. A Hội Nông dân guide that follows the Party's style sets
    // the Nơi nhận the same way, so HD 36 very likely had the same row (#14 item 6).
    styles: &[
        (Role::NationalTitle, TextStyle::new(15.0, true, false)),
        (Role::ParentAgency, TextStyle::new(14.0, false, false)),
        (Role::Agency, TextStyle::new(14.0, true, false)),
        (Role::Number, TextStyle::new(14.0, false, false)),
        (Role::TypeName, TextStyle::new(15.0, true, false)),
        (Role::TrichYeu, TextStyle::new(14.0, true, false)),
        (
            Role::NoiNhanLabel,
            TextStyle::new(14.0, false, false).underlined(),
        ),
        (Role::NoiNhanItem, TextStyle::new(12.0, false, false)),
    ],
};

impl FamilyId {
    pub fn family(self) -> &'static Family {
        match self {
            FamilyId::State => &STATE,
            FamilyId::Party => &PARTY,
        }
    }
}
