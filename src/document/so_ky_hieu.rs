//! Số và ký hiệu: the number line (Nghị định 30/2020, Điều 15 and Phụ lục I, II.3; Party
//! documents: Hướng dẫn 36-HD/VPTW).

use super::family::NumberStyle;
use super::thoi_gian::BLANK;

/// A document's number and symbol. The number is `None` in a draft: the văn thư gives it after
/// signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoKyHieu {
    pub number: Option<u32>,
    /// Type abbreviation ("QĐ", "TTr"); `None` for a State công văn.
    pub kind: Option<String>,
    /// Issuing body's abbreviation ("UBND", "BCĐ", "ĐU").
    pub issuer: String,
    /// Drafting unit or field ("PV05", "NC"), the optional last group.
    pub unit: Option<String>,
}

/// "05" for 5, "1259" for 1259: leading zero below 10 only.
pub fn so(n: u32) -> String {
    format!("{n:02}")
}

impl SoKyHieu {
    /// The ký hiệu alone: "QĐ-UBND", "TTr-CAT-PV05", "BCĐ-NC" (State), "NQ/ĐU" (Party).
    /// Abbreviations are kept exactly as defined, never upper-cased.
    pub fn ky_hieu(&self, style: NumberStyle) -> String {
        let tail: Vec<&str> = std::iter::once(self.issuer.as_str())
            .chain(self.unit.as_deref())
            .collect();
        match style {
            NumberStyle::Slash => self
                .kind
                .iter()
                .map(String::as_str)
                .chain(tail)
                .collect::<Vec<_>>()
                .join("-"),
            NumberStyle::Party => match &self.kind {
                Some(k) => format!("{k}/{}", tail.join("-")),
                None => tail.join("-"),
            },
        }
    }

    /// The number line as printed: "Số: 05/QĐ-UBND", "Số:       /BCĐ-NC", "Số 05-NQ/ĐU".
    pub fn line(&self, style: NumberStyle) -> String {
        let n = self.number.map(so).unwrap_or_else(|| BLANK.to_string());
        let k = self.ky_hieu(style);
        match style {
            NumberStyle::Slash => format!("Số: {n}/{k}"),
            NumberStyle::Party => format!("Số {n}-{k}"),
        }
    }

    /// The number and symbol without the word "Số", as cited in other documents and in the
    /// register: "05/QĐ-UBND", "05-NQ/ĐU"; blank number in a draft.
    pub fn citation(&self, style: NumberStyle) -> String {
        let line = self.line(style);
        match style {
            NumberStyle::Slash => line["Số: ".len()..].to_string(),
            NumberStyle::Party => line["Số ".len()..].to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skh(n: Option<u32>, kind: Option<&str>, issuer: &str, unit: Option<&str>) -> SoKyHieu {
        SoKyHieu {
            number: n,
            kind: kind.map(Into::into),
            issuer: issuer.into(),
            unit: unit.map(Into::into),
        }
    }

    #[test]
    fn nd30_number_vectors() {
        let s = NumberStyle::Slash;
        let cases = [
            (skh(Some(5), Some("QĐ"), "UBND", None), "Số: 05/QĐ-UBND"),
            (skh(Some(15), Some("QĐ"), "BNV", None), "Số: 15/QĐ-BNV"),
            (
                skh(Some(1259), Some("KH"), "UBND", None),
                "Số: 1259/KH-UBND",
            ),
            (
                skh(Some(3759), Some("TTr"), "CAT", Some("PV05")),
                "Số: 3759/TTr-CAT-PV05",
            ),
            (skh(Some(2389), None, "BCĐ", Some("NC")), "Số: 2389/BCĐ-NC"),
            (skh(Some(5), None, "BNV", Some("VP")), "Số: 05/BNV-VP"),
            (skh(Some(12), None, "UBND", Some("VX")), "Số: 12/UBND-VX"),
            (skh(Some(508), None, "UBND", Some("NC")), "Số: 508/UBND-NC"),
            (skh(Some(9), Some("TB"), "UBND", None), "Số: 09/TB-UBND"),
            (skh(Some(10), Some("TB"), "UBND", None), "Số: 10/TB-UBND"),
            (skh(Some(5), Some("SY"), "UBND", None), "Số: 05/SY-UBND"),
        ];
        for (v, want) in cases {
            assert_eq!(v.line(s), want);
        }
    }

    #[test]
    fn draft_number_is_blank() {
        let v = skh(None, None, "BCĐ", Some("NC"));
        assert_eq!(v.line(NumberStyle::Slash), format!("Số: {BLANK}/BCĐ-NC"));
        let v = skh(None, Some("QĐ"), "UBND", None);
        assert_eq!(v.line(NumberStyle::Slash), format!("Số: {BLANK}/QĐ-UBND"));
    }

    #[test]
    fn party_number() {
        let v = skh(Some(5), Some("NQ"), "ĐU", None);
        assert_eq!(v.line(NumberStyle::Party), "Số 05-NQ/ĐU");
        assert_eq!(v.citation(NumberStyle::Party), "05-NQ/ĐU");
    }

    #[test]
    fn citation_drops_the_word_so() {
        let v = skh(Some(12), Some("QĐ"), "UBND", None);
        assert_eq!(v.citation(NumberStyle::Slash), "12/QĐ-UBND");
    }
}
