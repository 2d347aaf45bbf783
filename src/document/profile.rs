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
        let head = crate::text::running_name(&self.head);
        let mut words: Vec<&str> = head.split_whitespace().collect();
        let first_of_body = body.split_whitespace().next().unwrap_or_default();
        if words.len() > 1
            && words
                .last()
                .is_some_and(|w| w.to_lowercase() == first_of_body.to_lowercase())
        {
            words.pop();
        }
        format!("{} {body}", words.join(" "))
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
}

impl SignerData {
    pub fn to_model(&self) -> Signer {
        Signer {
            name: clean(&self.name),
            title: clean_multiline(&self.title),
            capacity: self.capacity,
            position: self.position.as_deref().map(clean),
        }
    }
}
