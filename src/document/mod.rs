//! The document model of Nghị định 30/2020/NĐ-CP: everything a ready-to-sign administrative
//! document holds, with the decree's rules applied, and nothing about DOCX, Typst, workflows or
//! storage. Renderers read the laid-out lines this module produces ([`Document::header`],
//! [`Document::title`], …) and only decide geometry, so a rule is written once.

pub mod body;
pub mod family;
pub mod glue;
pub mod kind;
pub mod ky;
pub mod numbering;
pub mod phap_ly;
pub mod profile;
pub mod so_ky_hieu;
pub mod thoi_gian;

use serde::Deserialize;

pub use body::{Block, Inline, Span, Table};
pub use family::{Family, FamilyId};
pub use kind::{DocKind, Shape};
pub use ky::{Capacity, ChuKy, NoiNhan, Signer, Signing};
pub use so_ky_hieu::SoKyHieu;
pub use thoi_gian::DocDate;

/// The issuing body (cơ quan ban hành) as the agency prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    /// Cơ quan chủ quản, printed upper case, not bold ("UBND TỈNH KON TUM"); lines split on `\n`.
    pub parent: Option<String>,
    /// Cơ quan ban hành, printed upper case, bold; lines split on `\n`.
    pub name: String,
    /// Abbreviation in the ký hiệu ("UBND", "BCĐ", "CAT").
    pub abbreviation: String,
    /// Địa danh of the date line ("Kon Tum", "Đắk Mar").
    pub place: String,
    /// Name of the collective after "TM." ("ỦY BAN NHÂN DÂN", "BAN CHỈ ĐẠO").
    pub collective: String,
    /// The head's title after "KT."/"Q."/"TL."/"TUQ." ("CHỦ TỊCH", "TRƯỞNG BAN").
    pub head: String,
    pub family: FamilyId,
    /// How its văn thư numbers what it issues.
    pub numbering: numbering::Numbering,
}

/// The head of a body named by the two: "CHỦ TỊCH" of "ỦY BAN NHÂN DÂN XÃ ĐẮK MAR" is "CHỦ
/// TỊCH ỦY BAN NHÂN DÂN XÃ ĐẮK MAR"; where the head's title ends with the body's first words,
/// they are said once ("TRƯỞNG CÔNG AN XÃ" of "CÔNG AN XÃ ĐẮK MAR" is "TRƯỞNG CÔNG AN XÃ ĐẮK
/// MAR", "Trưởng ban" of "Ban Chỉ đạo …" is "Trưởng Ban Chỉ đạo …").
pub fn head_of(head: &str, body: &str) -> String {
    let head: Vec<&str> = head.split_whitespace().collect();
    let body: Vec<&str> = body.split_whitespace().collect();
    let same = |a: &[&str], b: &[&str]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.to_lowercase() == y.to_lowercase())
    };
    let shared = (1..head.len())
        .rev()
        .find(|&n| n <= body.len() && same(&head[head.len() - n..], &body[..n]))
        .unwrap_or(0);
    let mut words = head[..head.len() - shared].to_vec();
    words.extend(&body);
    words.join(" ")
}

impl Issuer {
    /// The authority line above a decision's căn cứ (Phụ lục I, Mẫu 1.1–1.3): the head in the
    /// body's name for a decision the head issues ("HIỆU TRƯỞNG TRƯỜNG …" under a school's
    /// header, not always "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ"), the body for a collective one.
    pub fn authority(&self, by_head: bool) -> String {
        let name = self.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if by_head {
            head_of(&self.head, &name)
        } else {
            name
        }
    }
}

/// Độ khẩn: printed in a single-line frame under the number (box 10b).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Urgency {
    #[serde(rename = "KHẨN")]
    Khan,
    #[serde(rename = "THƯỢNG KHẨN")]
    ThuongKhan,
    #[serde(rename = "HỎA TỐC")]
    HoaToc,
}

impl Urgency {
    pub fn text(self) -> &'static str {
        match self {
            Urgency::Khan => "KHẨN",
            Urgency::ThuongKhan => "THƯỢNG KHẨN",
            Urgency::HoaToc => "HỎA TỐC",
        }
    }

    /// The stamp's frame width in millimetres (height 8 mm).
    pub fn frame_mm(self) -> f32 {
        match self {
            Urgency::Khan => 20.0,
            Urgency::ThuongKhan => 40.0,
            Urgency::HoaToc => 30.0,
        }
    }
}

/// Độ mật: stamped under the number (box 10a); a secret document has its own number series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Secrecy {
    #[serde(rename = "MẬT")]
    Mat,
    #[serde(rename = "TỐI MẬT")]
    ToiMat,
    #[serde(rename = "TUYỆT MẬT")]
    TuyetMat,
}

impl Secrecy {
    pub fn text(self) -> &'static str {
        match self {
            Secrecy::Mat => "MẬT",
            Secrecy::ToiMat => "TỐI MẬT",
            Secrecy::TuyetMat => "TUYỆT MẬT",
        }
    }

    /// Frame width in millimetres (height 8 mm). Thông tư 24/2020/TT-BCA's exact stamp sizes
    /// were not verified; these follow the urgency stamps' proportions for words of like length.
    pub fn frame_mm(self) -> f32 {
        match self {
            Secrecy::Mat => 20.0,
            Secrecy::ToiMat => 30.0,
            Secrecy::TuyetMat => 40.0,
        }
    }
}

/// The decision a quy chế or danh sách is issued with: it prints "(Kèm theo Quyết định số
/// …)" instead of a number and date of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedTo {
    /// "Kèm theo" (the decree's sample) or "Ban hành kèm theo" (older, common practice).
    pub wording: String,
    /// Type name in running text: "Quyết định".
    pub kind_name: String,
    pub number: SoKyHieu,
    pub date: DocDate,
    /// The parent's issuer in running text: "Ủy ban nhân dân xã Đắk Mar".
    pub issuer_name: String,
}

/// What a laid-out line is, which fixes its size and emphasis in `render::layout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    ParentAgency,
    Agency,
    NationalTitle,
    Motto,
    Number,
    /// "V/v …" of a công văn.
    Vv,
    DatePlace,
    Secrecy,
    Urgency,
    TypeName,
    TrichYeu,
    /// "(Kèm theo Quyết định số …)".
    AttachedNote,
    KinhGui,
    NoiNhanLabel,
    NoiNhanItem,
}

/// What is drawn under a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A solid rule about 1/3–1/2 as long as the line, centred.
    Short,
    /// A solid rule as long as the line's text.
    Full,
    /// A centred asterisk (Party documents).
    Asterisk,
}

/// Size (pt) and emphasis of a line or a run of text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    pub size: f32,
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
}

impl TextStyle {
    /// Not underlined.
    pub const fn new(size: f32, bold: bool, italic: bool) -> Self {
        TextStyle {
            size,
            bold,
            italic,
            underline: false,
        }
    }

    pub const fn underlined(self) -> Self {
        TextStyle {
            underline: true,
            ..self
        }
    }
}

/// One laid-out line of the fixed parts of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: String,
    pub role: Role,
    pub rule: Option<Rule>,
    /// Width in mm of the single-line frame around a stamp (urgency, secrecy).
    pub frame_mm: Option<f32>,
    /// The document family's own style for the line's role (a Party document's: HD 36, HD 05),
    /// where it differs from the decree's.
    pub style: Option<TextStyle>,
}

impl Line {
    fn new(role: Role, text: impl Into<String>) -> Self {
        Line {
            text: text.into(),
            role,
            rule: None,
            frame_mm: None,
            style: None,
        }
    }

    /// The line in `family`'s own style for its role, if the family sets one.
    fn in_family(mut self, family: &Family) -> Self {
        self.style = family.style_of(self.role);
        self
    }

    fn ruled(mut self, rule: Rule) -> Self {
        self.rule = Some(rule);
        self
    }
}

/// The two-column header: row 1 holds the agency (left) and the national heading (right); row
/// 2 holds the number with V/v and stamps (left) and the date line (right), so that number and
/// date stand level as box 3 and box 4 of the decree's diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub agency: Vec<Line>,
    pub national: Vec<Line>,
    pub number: Vec<Line>,
    pub date: Vec<Line>,
}

/// One side of the closing row: the Nơi nhận list or a signature block.
#[derive(Debug, Clone, PartialEq)]
pub enum ClosingPart<'a> {
    NoiNhan(Vec<Line>),
    Signature(&'a ChuKy),
    Empty,
}

/// A complete document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub kind: &'static DocKind,
    pub issuer: Issuer,
    pub so_ky_hieu: SoKyHieu,
    /// `None` for a biên bản (its time is in the body) and for an attached document.
    pub date: Option<DocDate>,
    /// Trích yếu: "Về việc thành lập …", or a công văn's summary without "V/v".
    pub trich_yeu: String,
    pub attached_to: Option<AttachedTo>,
    pub kinh_gui: Vec<String>,
    pub urgency: Option<Urgency>,
    pub secrecy: Option<Secrecy>,
    /// Prints "DỰ THẢO" above the header. Not a decree element: off unless asked for.
    pub draft_mark: bool,
    pub body: Vec<Block>,
    pub footnotes: Vec<Vec<Inline>>,
    pub signatures: Vec<ChuKy>,
    pub noi_nhan: Option<NoiNhan>,
    /// Title for document properties and file metadata.
    pub title_text: String,
}

impl Document {
    /// The body's charts, in order: what the DOCX draws as pictures and reads back.
    pub fn charts(&self) -> impl Iterator<Item = &body::Chart> {
        self.body.iter().filter_map(|b| match b {
            Block::Chart(c) => Some(c),
            _ => None,
        })
    }

    pub fn family(&self) -> &'static Family {
        self.issuer.family.family()
    }

    /// True when neither number nor day has been given yet.
    pub fn is_draft(&self) -> bool {
        self.so_ky_hieu.number.is_none()
    }

    pub fn header(&self) -> Header {
        let family = self.family();
        let mut agency: Vec<Line> = Vec::new();
        if let Some(parent) = &self.issuer.parent {
            agency.extend(parent.lines().map(|l| Line::new(Role::ParentAgency, l)));
        }
        agency.extend(self.issuer.name.lines().map(|l| Line::new(Role::Agency, l)));
        if let Some(last) = agency.last_mut() {
            last.rule = Some(match family.agency_mark {
                family::AgencyMark::Rule => Rule::Short,
                family::AgencyMark::Asterisk => Rule::Asterisk,
            });
        }

        let mut national = vec![Line::new(Role::NationalTitle, family.national_title)];
        match family.motto {
            Some(m) => national.push(Line::new(Role::Motto, m).ruled(Rule::Full)),
            None => national[0].rule = Some(Rule::Full),
        }

        let mut number = Vec::new();
        let mut date = Vec::new();
        if self.attached_to.is_none() {
            number.push(Line::new(
                Role::Number,
                self.so_ky_hieu.line(family.number_style),
            ));
            if self.kind.shape == Shape::CongVan {
                number.push(Line::new(Role::Vv, format!("V/v {}", self.trich_yeu)));
            }
            if let Some(d) = self.date {
                date.push(Line::new(
                    Role::DatePlace,
                    thoi_gian::dia_danh_thoi_gian(&self.issuer.place, d),
                ));
            }
        }
        if let Some(s) = self.secrecy {
            number.push(Line {
                frame_mm: Some(s.frame_mm()),
                ..Line::new(Role::Secrecy, s.text())
            });
        }
        if let Some(u) = self.urgency {
            number.push(Line {
                frame_mm: Some(u.frame_mm()),
                ..Line::new(Role::Urgency, u.text())
            });
        }
        let sized = |lines: Vec<Line>| lines.into_iter().map(|l| l.in_family(family)).collect();
        Header {
            agency: sized(agency),
            national: sized(national),
            number: sized(number),
            date: sized(date),
        }
    }

    /// Type name, trích yếu and, for an attached document, the "(Kèm theo …)" line; empty for
    /// a công văn.
    pub fn title(&self) -> Vec<Line> {
        if self.kind.shape == Shape::CongVan {
            return Vec::new();
        }
        let mut lines = vec![Line::new(Role::TypeName, self.kind.title)];
        if !self.trich_yeu.is_empty() {
            lines.push(Line::new(Role::TrichYeu, &self.trich_yeu));
        }
        if let Some(a) = &self.attached_to {
            let family = self.family();
            lines.push(Line::new(
                Role::AttachedNote,
                format!(
                    "({} {} số {} {} của {})",
                    a.wording,
                    a.kind_name,
                    a.number.citation(family.number_style),
                    thoi_gian::ngay_thang_nam(a.date),
                    a.issuer_name
                ),
            ));
        }
        if let Some(last) = lines.last_mut() {
            last.rule = Some(Rule::Short);
        }
        let family = self.family();
        lines.into_iter().map(|l| l.in_family(family)).collect()
    }

    /// The "Kính gửi:" block.
    pub fn kinh_gui_lines(&self) -> Vec<Line> {
        ky::kinh_gui(&self.kinh_gui)
            .into_iter()
            .map(|t| Line::new(Role::KinhGui, t))
            .collect()
    }

    /// The closing row, left and right: Nơi nhận beside the signature, or a biên bản's two
    /// signatures side by side; `None` for a document without either (an attached quy chế).
    pub fn closing(&self) -> Option<(ClosingPart<'_>, ClosingPart<'_>)> {
        let nn = self.noi_nhan_lines();
        match (nn.is_empty(), self.signatures.as_slice()) {
            (true, []) => None,
            (_, [a, b, ..]) => Some((ClosingPart::Signature(a), ClosingPart::Signature(b))),
            (true, [k]) => Some((ClosingPart::Empty, ClosingPart::Signature(k))),
            (false, [k, ..]) => Some((ClosingPart::NoiNhan(nn), ClosingPart::Signature(k))),
            (false, []) => Some((ClosingPart::NoiNhan(nn), ClosingPart::Empty)),
        }
    }

    /// The Nơi nhận of a biên bản, under its two signatures at the left (Phụ lục III: "- Lưu:
    /// VT, Hồ sơ."); empty for any other document, whose Nơi nhận stands beside its signature.
    pub fn closing_below(&self) -> Vec<Line> {
        if self.signatures.len() < 2 {
            return Vec::new();
        }
        self.noi_nhan_lines()
    }

    /// "Nơi nhận:" and its lines; empty when the document has no Nơi nhận.
    pub fn noi_nhan_lines(&self) -> Vec<Line> {
        let Some(n) = &self.noi_nhan else {
            return Vec::new();
        };
        let family = self.family();
        std::iter::once(Line::new(Role::NoiNhanLabel, "Nơi nhận:"))
            .chain(
                n.lines(family)
                    .into_iter()
                    .map(|t| Line::new(Role::NoiNhanItem, t)),
            )
            .map(|l| l.in_family(family))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> Document {
        Document {
            kind: kind::find("cong-van").unwrap(),
            issuer: Issuer {
                parent: Some("UBND TỈNH KON TUM".into()),
                name: "BAN CHỈ ĐẠO PCTP, TNXH\nVÀ XÂY DỰNG PHONG TRÀO\nTOÀN DÂN BVANTQ TỈNH".into(),
                abbreviation: "BCĐ".into(),
                place: "Kon Tum".into(),
                collective: "BAN CHỈ ĐẠO".into(),
                head: "TRƯỞNG BAN".into(),
                family: FamilyId::State,
                numbering: Default::default(),
            },
            so_ky_hieu: SoKyHieu {
                number: None,
                kind: None,
                issuer: "BCĐ".into(),
                unit: Some("NC".into()),
            },
            date: Some(DocDate::Draft {
                month: 12,
                year: 2022,
            }),
            trich_yeu: "xây dựng, nhân rộng mô hình".into(),
            attached_to: None,
            kinh_gui: vec!["Các thành viên Ban Chỉ đạo".into()],
            urgency: None,
            secrecy: None,
            draft_mark: false,
            body: vec![],
            footnotes: vec![],
            signatures: vec![],
            noi_nhan: Some(NoiNhan {
                recipients: vec!["Như trên (t/h)".into()],
                luu: vec!["BCĐ".into(), "NCLTD".into()],
                copies: None,
            }),
            title_text: "Công văn".into(),
        }
    }

    #[test]
    fn cong_van_header() {
        let h = sample().header();
        let texts: Vec<&str> = h.agency.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts[0], "UBND TỈNH KON TUM");
        assert_eq!(h.agency.len(), 4);
        assert_eq!(h.agency[3].rule, Some(Rule::Short));
        assert_eq!(h.national[0].text, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
        assert_eq!(h.national[1].text, "Độc lập - Tự do - Hạnh phúc");
        assert_eq!(h.national[1].rule, Some(Rule::Full));
        assert_eq!(h.number[0].text, format!("Số: {}/BCĐ-NC", thoi_gian::BLANK));
        assert_eq!(h.number[1].text, "V/v xây dựng, nhân rộng mô hình");
        assert!(h.date[0].text.starts_with("Kon Tum, ngày "));
        assert!(sample().title().is_empty());
    }

    #[test]
    fn party_header_uses_asterisk_and_party_number() {
        let mut d = sample();
        d.kind = kind::find("nghi-quyet").unwrap();
        d.issuer.family = FamilyId::Party;
        d.issuer.parent = Some("ĐẢNG BỘ TỈNH KON TUM".into());
        d.issuer.name = "ĐẢNG ỦY XÃ ĐẮK MAR".into();
        d.so_ky_hieu = SoKyHieu {
            number: Some(5),
            kind: Some("NQ".into()),
            issuer: "ĐU".into(),
            unit: None,
        };
        let h = d.header();
        assert_eq!(h.agency.last().unwrap().rule, Some(Rule::Asterisk));
        assert_eq!(h.national.len(), 1);
        assert_eq!(h.national[0].text, "ĐẢNG CỘNG SẢN VIỆT NAM");
        assert_eq!(h.number[0].text, "Số 05-NQ/ĐU");
    }

    #[test]
    fn attached_document_has_no_number_or_date() {
        let mut d = sample();
        d.kind = kind::find("quy-che").unwrap();
        d.trich_yeu = "Hoạt động của mô hình".into();
        d.attached_to = Some(AttachedTo {
            wording: "Kèm theo".into(),
            kind_name: "Quyết định".into(),
            number: SoKyHieu {
                number: Some(12),
                kind: Some("QĐ".into()),
                issuer: "UBND".into(),
                unit: None,
            },
            date: DocDate::Issued(chrono::NaiveDate::from_ymd_opt(2023, 2, 5).unwrap()),
            issuer_name: "Ủy ban nhân dân xã Đắk Mar".into(),
        });
        let h = d.header();
        assert!(h.number.is_empty() && h.date.is_empty());
        let t = d.title();
        assert_eq!(t[0].text, "QUY CHẾ");
        assert_eq!(
            t[2].text,
            "(Kèm theo Quyết định số 12/QĐ-UBND ngày 05 tháng 02 năm 2023 của Ủy ban nhân dân xã Đắk Mar)"
        );
        assert_eq!(t[2].rule, Some(Rule::Short));
    }

    #[test]
    fn noi_nhan_block() {
        let lines: Vec<String> = sample()
            .noi_nhan_lines()
            .into_iter()
            .map(|l| l.text)
            .collect();
        assert_eq!(
            lines,
            ["Nơi nhận:", "- Như trên (t/h);", "- Lưu: VT, BCĐ, NCLTD."]
        );
    }

    #[test]
    fn a_head_in_the_name_of_its_body() {
        for (head, body, both) in [
            (
                "CHỦ TỊCH",
                "ỦY BAN NHÂN DÂN XÃ ĐẮK MAR",
                "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ ĐẮK MAR",
            ),
            (
                "TRƯỞNG CÔNG AN XÃ",
                "CÔNG AN XÃ ĐẮK MAR",
                "TRƯỞNG CÔNG AN XÃ ĐẮK MAR",
            ),
            (
                "Trưởng ban",
                "Ban Chỉ đạo mô hình",
                "Trưởng Ban Chỉ đạo mô hình",
            ),
            (
                "GIÁM ĐỐC",
                "CÔNG AN TỈNH KON TUM",
                "GIÁM ĐỐC CÔNG AN TỈNH KON TUM",
            ),
        ] {
            assert_eq!(head_of(head, body), both);
        }
    }
}
