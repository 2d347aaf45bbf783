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
