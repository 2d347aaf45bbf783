//! The two families of administrative documents: State documents (Nghị định 30/2020) and Party
//! documents (Hướng dẫn 36-HD/VPTW). Their differences — national heading, the mark under the
//! issuer, the shape of the number line and the authority prefixes — are data here, so renderers
//! never branch on the family.

use serde::{Deserialize, Serialize};

use super::Role;

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
    /// Sizes (pt) the family's own rules set for header and title lines, where they differ
    /// from the decree's (`render::layout::style`).
    pub sizes: &'static [(Role, f32)],
}

impl Family {
    /// The family's own size for a line of `role`, if it has one.
    pub fn size_of(&self, role: Role) -> Option<f32> {
        self.sizes.iter().find(|(r, _)| *r == role).map(|(_, s)| *s)
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
    sizes: &[],
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
    // (14). The date line is 14 nghiêng in both families. Its row for Nơi nhận was not in any
    // text found (#14 item 6/10): the Party Nơi nhận keeps the decree's sizes until it is.
    sizes: &[
        (Role::NationalTitle, 15.0),
        (Role::ParentAgency, 14.0),
        (Role::Agency, 14.0),
        (Role::Number, 14.0),
        (Role::TypeName, 15.0),
        (Role::TrichYeu, 14.0),
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
