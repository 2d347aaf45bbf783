//! The data file a clerk writes for one document: the structural fields hoso reads itself
//! (issuer, signer, addressees, recipients, stamps) plus any variables the template uses.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::document::{Capacity, FamilyId, Issuer, Secrecy, Signer, Urgency};
use crate::error::{Error, Result};
use crate::text::{clean, clean_multiline};

/// The issuing body as the data file gives it.
#[derive(Debug, Clone, Deserialize)]
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
        }
    }
}

/// The signer as the data file gives it.
#[derive(Debug, Clone, Deserialize)]
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

/// Fields with a fixed meaning; everything else in the file is a template variable.
#[derive(Debug, Clone, Deserialize)]
pub struct Fields {
    pub issuer: IssuerData,
    #[serde(default)]
    pub signer: Option<SignerData>,
    /// Overrides the template's default addressees.
    #[serde(default)]
    pub kinh_gui: Option<Vec<String>>,
    /// Overrides the template's default recipients.
    #[serde(default)]
    pub noi_nhan: Option<Vec<String>>,
    /// Abbreviation of the drafting unit: the last group of a công văn's ký hiệu, and the
    /// unit on the Lưu line unless `luu` is given.
    #[serde(default)]
    pub drafting_unit: Option<String>,
    /// Also put the drafting unit in a typed document's ký hiệu ("TTr-CAT-PV05").
    #[serde(default)]
    pub unit_in_symbol: bool,
    #[serde(default)]
    pub luu: Option<Vec<String>>,
    #[serde(default)]
    pub luu_copies: Option<u32>,
    #[serde(default)]
    pub urgency: Option<Urgency>,
    #[serde(default)]
    pub secrecy: Option<Secrecy>,
}

/// A parsed data file.
#[derive(Debug, Clone)]
pub struct DocData {
    pub path: PathBuf,
    pub fields: Fields,
    /// The whole file as JSON for Handlebars, every string in NFC without control characters.
    pub value: serde_json::Value,
}

impl DocData {
    /// Reads and parses a data file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(path, &text)
    }

    /// Parses data text; `path` is used in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let raw: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|e| Error::yaml(path, &e, 0))?;
        if !raw.is_mapping() {
            return Err(Error::Yaml {
                path: path.into(),
                line: 1,
                column: 1,
                message: "a data file is a mapping of field names to values".into(),
            });
        }
        let fields: Fields = serde_yaml::from_str(text).map_err(|e| Error::yaml(path, &e, 0))?;
        let mut value = serde_json::to_value(&raw).map_err(|e| Error::Field {
            path: path.into(),
            field: "(file)".into(),
            message: e.to_string(),
        })?;
        normalise(&mut value);
        Ok(DocData {
            path: path.into(),
            fields,
            value,
        })
    }
}

/// NFC and control-character cleaning of every string in a JSON value.
fn normalise(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => *s = clean_multiline(s),
        serde_json::Value::Array(a) => a.iter_mut().for_each(normalise),
        serde_json::Value::Object(o) => o.values_mut().for_each(normalise),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: &str = "issuer:\n  name: ỦY BAN NHÂN DÂN XÃ ĐẮK MAR\n  abbreviation: UBND\n  place: Đắk Mar\n  collective: ỦY BAN NHÂN DÂN\n  head: CHỦ TỊCH\n";

    #[test]
    fn decomposed_values_become_nfc() {
        let text = format!("{ISSUER}ten: \"Tu\u{031B}\u{0323} qua\u{0309}n\"\n");
        let d = DocData::parse(Path::new("d.yaml"), &text).unwrap();
        assert_eq!(d.value["ten"], "Tự quản");
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let e = DocData::parse(Path::new("d.yaml"), "issuer: [a\n").unwrap_err();
        assert!(e.to_string().starts_with("d.yaml:"), "{e}");
        let e = DocData::parse(Path::new("d.yaml"), "ten: x\n").unwrap_err();
        assert!(e.to_string().contains("missing field `issuer`"), "{e}");
        let bad = ISSUER.replace("abbreviation", "abreviation");
        let e = DocData::parse(Path::new("d.yaml"), &bad).unwrap_err();
        assert!(e.to_string().contains("abreviation"), "{e}");
        assert!(e.to_string().starts_with("d.yaml:3:"), "{e}");
    }
}
