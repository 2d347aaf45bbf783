//! Issuer and signer as data files and province files write them (serde), turned into the
//! model's [`Issuer`] and [`Signer`] with their text cleaned. Kept with the model so that both
//! the template layer and the procedure layer can read them.

use serde::Deserialize;

use super::numbering::Numbering;
use super::{Capacity, FamilyId, Issuer, Signer};
use crate::text::{clean, clean_multiline};

/// The issuing body as the data file gives it.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerData {
    #[serde(default)]
    pub parent: Option<String>,
    pub name: String,
    pub abbreviation: String,
    pub place: String,
    pub collective: String,
    pub head: String,
    #[serde(default)]
    pub family: FamilyId,
    #[serde(default)]
    pub numbering: Numbering,
}

impl IssuerData {
    pub fn to_model(&self) -> Issuer {
        Issuer {
            parent: self.parent.as_deref().map(clean_multiline),
            name: clean_multiline(&self.name),
            abbreviation: clean(&self.abbreviation),
            place: clean(&self.place),
            collective: clean(&self.collective),
            head: clean(&self.head),
            family: self.family,
            numbering: self.numbering.clone(),
        }
    }
}

impl IssuerData {
    /// Who issued a document, in running text as a citation of it names them: the body
    /// ("Ủy ban nhân dân xã Đắk Mar"), or, with `head`, its head for a decision the head issues
    /// in their own authority ("Chủ tịch Ủy ban nhân dân xã Đắk Mar"; "TRƯỞNG BAN" of "BAN CHỈ
    /// ĐẠO …" is "Trưởng Ban Chỉ đạo …").
    pub fn in_running_text(&self, head: bool) -> String {
        let body = crate::text::running_name(&self.name);
        if !head {
            return body;
        }
        super::head_of(&crate::text::running_name(&self.head), &body)
    }
}

/// The signer as the data file gives it.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SignerData {
    pub name: String,
    pub title: String,
    #[serde(default)]
    pub capacity: Capacity,
    #[serde(default)]
    pub position: Option<String>,
    /// An officer's rank, printed before the name ("Đại tá Lê Thanh Hùng"): a police body's
    /// signer carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<String>,
}

/// The ranks of the People's Public Security officers (Luật Công an nhân dân, Điều 21).
pub const RANKS: [&str; 12] = [
    "Thiếu úy",
    "Trung úy",
    "Thượng úy",
    "Đại úy",
    "Thiếu tá",
    "Trung tá",
    "Thượng tá",
    "Đại tá",
    "Thiếu tướng",
    "Trung tướng",
    "Thượng tướng",
    "Đại tướng",
];

impl SignerData {
    pub fn to_model(&self) -> Signer {
        let name = clean(&self.name);
        Signer {
            name: match self.rank.as_deref().map(clean) {
                Some(rank) => format!("{rank} {name}"),
                None => name,
            },
            title: clean_multiline(&self.title),
            capacity: self.capacity,
            position: self.position.as_deref().map(clean),
        }
    }

    /// Why this signer's `position` cannot print for `issuer`. Nghị định 30/2020, Phụ lục I,
    /// Mục II.7 (reference/nd30-detail.md §5.1): the title written is the signer's official
    /// position only; for a Ban, Hội đồng or Tổ allowed to use its agency's seal, the title in
    /// that body and the position in the agency ("TRƯỞNG BAN", then above the name "Chủ tịch
    /// Ủy ban nhân dân tỉnh", as the Kon Tum seeds print it). Any other issuer's signer has
    /// one title, and a position line would be an extra office line above the name.
    pub fn position_problem(&self, issuer: &IssuerData) -> Option<String> {
        let position = self.position.as_deref()?;
        let name = crate::text::upper(issuer.name.trim_start());
        let advisory = ["BAN ", "HỘI ĐỒNG ", "TỔ "]
            .iter()
            .any(|b| name.starts_with(b));
        (!advisory).then(|| {
            format!(
                "chức vụ trong cơ quan (`{position}`) chỉ in trên tên người ký văn bản của Ban, \
                 Hội đồng, Tổ dùng con dấu của cơ quan (Nghị định 30/2020/NĐ-CP, Phụ lục I, \
                 Mục II.7); người ký văn bản của {} chỉ ghi chức vụ của mình ở `signer.title`: \
                 hãy bỏ `signer.position`",
                issuer.name.replace('\n', " ")
            )
        })
    }

    /// Why this signer cannot sign for `issuer`: a police body's signer without a rank (the
    /// Ministry's documents print it, "Đại tá Lê Thanh Hùng"), or a rank that is none.
    pub fn rank_problem(&self, issuer: &IssuerData) -> Option<String> {
        let police = |s: &str| {
            let s = s.trim_start();
            s.starts_with("CÔNG AN") || s.starts_with("BỘ CÔNG AN")
        };
        let is_police = police(&issuer.name) || issuer.parent.as_deref().is_some_and(police);
        let written = |r: &str| RANKS.iter().any(|k| crate::text::clean(r) == *k);
        match self.rank.as_deref() {
            Some(r) if !written(r) => Some(format!(
                "cấp bậc `{r}` không phải cấp bậc sĩ quan Công an ({})",
                RANKS.join(", ")
            )),
            None if is_police && !RANKS.iter().any(|k| self.name.starts_with(k)) => Some(format!(
                "người ký văn bản của {} là sĩ quan Công an: ghi cấp bậc (signer.rank, ví dụ \
                 Thiếu tá) để in “Thiếu tá {}”",
                issuer.name.replace('\n', " "),
                self.name
            )),
            _ => None,
        }
    }
}
