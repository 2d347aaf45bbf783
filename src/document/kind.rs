//! The document types of Nghị định 30/2020 (Điều 7, Phụ lục III) and of Hướng dẫn 36-HD/VPTW,
//! as data: the key used in template front matter, the printed type name and the abbreviation
//! each family uses in the ký hiệu.

use super::FamilyId;

/// How the first page of a type is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Type name and trích yếu centred under the header (QUYẾT ĐỊNH, KẾ HOẠCH, …).
    Typed,
    /// No type name: "V/v …" under the number and a "Kính gửi:" block (công văn).
    CongVan,
    /// Typed, but without a date line in the header: the time is in the body (biên bản).
    BienBan,
}

/// One document type.
#[derive(Debug, PartialEq, Eq)]
pub struct DocKind {
    /// Key used in templates, e.g. `quyet-dinh`.
    pub key: &'static str,
    /// The type name as printed above the trích yếu, upper case.
    pub title: &'static str,
    /// Abbreviation in a State document's ký hiệu (Phụ lục III); `None` for công văn.
    pub state_abbr: Option<&'static str>,
    /// Abbreviation in a Party document's ký hiệu (Hướng dẫn 36-HD/VPTW).
    pub party_abbr: Option<&'static str>,
    pub shape: Shape,
}

const fn kind(
    key: &'static str,
    title: &'static str,
    state_abbr: Option<&'static str>,
    party_abbr: Option<&'static str>,
    shape: Shape,
) -> DocKind {
    DocKind {
        key,
        title,
        state_abbr,
        party_abbr,
        shape,
    }
}

use Shape::*;

/// Every type hoso knows. Abbreviations keep the decree's mixed case exactly (TTr, QyĐ, TrS).
pub static KINDS: &[DocKind] = &[
    kind("nghi-quyet", "NGHỊ QUYẾT", Some("NQ"), Some("NQ"), Typed),
    kind("quyet-dinh", "QUYẾT ĐỊNH", Some("QĐ"), Some("QĐ"), Typed),
    kind("chi-thi", "CHỈ THỊ", Some("CT"), Some("CT"), Typed),
    kind("quy-che", "QUY CHẾ", Some("QC"), Some("QC"), Typed),
    kind("quy-dinh", "QUY ĐỊNH", Some("QyĐ"), Some("QĐi"), Typed),
    kind("thong-cao", "THÔNG CÁO", Some("TC"), None, Typed),
    kind("thong-bao", "THÔNG BÁO", Some("TB"), Some("TB"), Typed),
    kind("huong-dan", "HƯỚNG DẪN", Some("HD"), Some("HD"), Typed),
    kind(
        "chuong-trinh",
        "CHƯƠNG TRÌNH",
        Some("CTr"),
        Some("CTr"),
        Typed,
    ),
    kind("ke-hoach", "KẾ HOẠCH", Some("KH"), Some("KH"), Typed),
    kind("phuong-an", "PHƯƠNG ÁN", Some("PA"), None, Typed),
    kind("de-an", "ĐỀ ÁN", Some("ĐA"), Some("ĐA"), Typed),
    kind("du-an", "DỰ ÁN", Some("DA"), None, Typed),
    kind("bao-cao", "BÁO CÁO", Some("BC"), Some("BC"), Typed),
    kind("bien-ban", "BIÊN BẢN", Some("BB"), Some("BB"), BienBan),
    kind("to-trinh", "TỜ TRÌNH", Some("TTr"), Some("TTr"), Typed),
    kind("hop-dong", "HỢP ĐỒNG", Some("HĐ"), None, Typed),
    kind("cong-dien", "CÔNG ĐIỆN", Some("CĐ"), None, Typed),
    kind("ban-ghi-nho", "BẢN GHI NHỚ", Some("BGN"), None, Typed),
    kind("ban-thoa-thuan", "BẢN THỎA THUẬN", Some("BTT"), None, Typed),
    kind("giay-uy-quyen", "GIẤY ỦY QUYỀN", Some("GUQ"), None, Typed),
    kind("giay-moi", "GIẤY MỜI", Some("GM"), None, Typed),
    kind(
        "giay-gioi-thieu",
        "GIẤY GIỚI THIỆU",
        Some("GGT"),
        Some("GGT"),
        Typed,
    ),
    kind("giay-nghi-phep", "GIẤY NGHỈ PHÉP", Some("GNP"), None, Typed),
    kind("phieu-gui", "PHIẾU GỬI", Some("PG"), None, Typed),
    kind("phieu-chuyen", "PHIẾU CHUYỂN", Some("PC"), None, Typed),
    kind("phieu-bao", "PHIẾU BÁO", Some("PB"), None, Typed),
    kind("ket-luan", "KẾT LUẬN", None, Some("KL"), Typed),
    kind("cong-van", "", None, Some("CV"), CongVan),
    kind("ban-sao-y", "BẢN SAO Y", Some("SY"), None, Typed),
    kind("ban-trich-sao", "BẢN TRÍCH SAO", Some("TrS"), None, Typed),
    kind("ban-sao-luc", "BẢN SAO LỤC", Some("SL"), None, Typed),
    // A document's appendix (NĐ 30, Phụ lục I, phần I mục II: "PHỤ LỤC" in bold, its title
    // in capitals, "(Kèm theo …)"): part of the document it is attached to, never numbered.
    kind("phu-luc", "PHỤ LỤC", None, None, Typed),
];

/// Looks a type up by its key.
pub fn find(key: &str) -> Option<&'static DocKind> {
    KINDS.iter().find(|k| k.key == key)
}

/// Looks a type up by its key or by either family's abbreviation ("quyet-dinh", "QĐ", "TTr"),
/// as a văn thư types it.
pub fn lookup(s: &str) -> Option<&'static DocKind> {
    find(s).or_else(|| {
        KINDS
            .iter()
            .find(|k| k.state_abbr == Some(s) || k.party_abbr == Some(s))
    })
}

impl DocKind {
    /// The abbreviation `family` uses in the ký hiệu; `None` for a State công văn.
    pub fn abbr(&self, family: FamilyId) -> Option<&'static str> {
        match family {
            FamilyId::State => self.state_abbr,
            FamilyId::Party => self.party_abbr,
        }
    }

    /// The type as running text and the register name it: "Quyết định", "Công văn". Worked
    /// out once a type: a province's book prints it on every one of its lines.
    pub fn name(&self) -> std::borrow::Cow<'static, str> {
        static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        let worked_out = |k: &DocKind| match k.shape {
            Shape::CongVan => "Công văn".to_string(),
            _ => crate::text::sentence_start(&k.title.to_lowercase()),
        };
        let names = NAMES.get_or_init(|| KINDS.iter().map(worked_out).collect());
        match KINDS.iter().position(|k| k == self) {
            Some(i) => names[i].as_str().into(),
            None => worked_out(self).into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phu_luc_iii_abbreviations() {
        let abbr = |k: &str| find(k).unwrap().state_abbr;
        assert_eq!(abbr("quyet-dinh"), Some("QĐ"));
        assert_eq!(abbr("quy-dinh"), Some("QyĐ"));
        assert_eq!(abbr("ban-ghi-nho"), Some("BGN"));
        assert_eq!(abbr("ban-thoa-thuan"), Some("BTT"));
        assert_eq!(abbr("ban-trich-sao"), Some("TrS"));
        assert_eq!(abbr("to-trinh"), Some("TTr"));
        assert_eq!(abbr("cong-van"), None);
        assert_eq!(find("cong-van").unwrap().shape, Shape::CongVan);
    }

    #[test]
    fn names_and_lookup() {
        assert_eq!(find("quyet-dinh").unwrap().name(), "Quyết định");
        assert_eq!(find("cong-van").unwrap().name(), "Công văn");
        assert_eq!(lookup("TTr").unwrap().key, "to-trinh");
        assert_eq!(lookup("bao-cao").unwrap().abbr(FamilyId::Party), Some("BC"));
        assert_eq!(lookup("cong-van").unwrap().abbr(FamilyId::State), None);
        assert!(lookup("XX").is_none());
    }

    #[test]
    fn keys_are_unique() {
        for (i, a) in KINDS.iter().enumerate() {
            assert!(KINDS[i + 1..].iter().all(|b| b.key != a.key), "{}", a.key);
        }
    }
}
