//! The data file a clerk writes for one document: the structural fields hoso reads itself
//! (issuer, signer, addressees, recipients, stamps) plus any variables the template uses.

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use crate::document::profile::{IssuerData, SignerData};
use crate::document::{Secrecy, Urgency};
use crate::error::{Error, Result};
use crate::text::clean_multiline;

/// Fields with a fixed meaning; everything else in the file is a template variable.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Fields {
    /// Other data files whose fields this one starts from (paths relative to this file), so
    /// that an agency's profile or a case's facts are written once; this file's own fields win.
    #[serde(default)]
    pub extends: Option<Extends>,
    #[serde(default)]
    pub issuer: Option<IssuerData>,
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
    /// For a biên bản: the secretary and the chair who sign it.
    #[serde(default)]
    pub secretary: Option<String>,
    #[serde(default)]
    pub chair: Option<String>,
    /// Who approves a document that is approved before it is carried out ("DUYỆT").
    #[serde(default)]
    pub duyet: Option<SignerData>,
    /// The day a document rendered on its own (a template's sample, `hoso doc render` without
    /// `--date`) is written: its draft's month and year, so that a sample of 2023 is not dated
    /// by the clock under issuers that no longer exist. A case's step dates its own.
    #[serde(default)]
    pub dated: Option<chrono::NaiveDate>,
}

/// `extends: base.yaml` or `extends: [a.yaml, b.yaml]` (later files win).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Extends {
    One(String),
    Many(Vec<String>),
}

impl Extends {
    fn paths(&self) -> Vec<&str> {
        match self {
            Extends::One(p) => vec![p.as_str()],
            Extends::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// How deep `extends` may nest: enough for a profile extending a profile, and a stop for
/// cycles.
const MAX_EXTENDS_DEPTH: usize = 8;

/// Where a top-level key of a data file was written: the file (this one or one it extends),
/// line and column, so that a value the template cannot use is reported where it was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
}

/// The names of [`Fields`]: hoso reads them itself, so no template declares them.
pub const STRUCTURAL: [&str; 16] = [
    "extends",
    "issuer",
    "signer",
    "kinh_gui",
    "noi_nhan",
    "drafting_unit",
    "unit_in_symbol",
    "luu",
    "luu_copies",
    "urgency",
    "secrecy",
    "secretary",
    "chair",
    "duyet",
    "dated",
    "van_ban_ngoai",
];

/// A parsed data file.
#[derive(Debug, Clone)]
pub struct DocData {
    pub path: PathBuf,
    pub fields: Fields,
    /// The whole file as JSON for Handlebars, every string in NFC without control characters.
    pub value: serde_json::Value,
    /// Where each top-level key was written; empty for data stored with a case's document.
    pub origins: std::collections::BTreeMap<String, Origin>,
}

impl DocData {
    /// Reads and parses a data file and the files it extends.
    pub fn load(path: &Path) -> Result<Self> {
        let text = crate::fsutil::read_input_text(path, crate::fsutil::LIMIT_DATA)?;
        Self::parse(path, &text)
    }

    /// Parses data text; `path` is used in messages and to find the files it extends.
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let mut origins = std::collections::BTreeMap::new();
        let merged = merged_mapping(path, text, 0, &mut origins)?;
        let fields: Fields = serde_yaml::from_value(serde_yaml::Value::Mapping(merged.clone()))
            .map_err(|e| Error::Field {
                path: path.into(),
                field: "(merged with extends)".into(),
                message: e.to_string(),
            })?;
        let mut value = serde_json::to_value(&merged).map_err(|e| Error::Field {
            path: path.into(),
            field: "(file)".into(),
            message: e.to_string(),
        })?;
        normalise(&mut value);
        Ok(DocData {
            path: path.into(),
            fields,
            value,
            origins,
        })
    }
}

impl DocData {
    /// The data as stored with a case's document: the file's values with the issuer and
    /// signer it was rendered with, so it renders the same later without the file.
    pub fn to_stored(&self) -> serde_json::Value {
        let mut v = self.value.clone();
        if let Some(o) = v.as_object_mut() {
            for (key, value) in [
                ("issuer", serde_json::to_value(&self.fields.issuer)),
                ("signer", serde_json::to_value(&self.fields.signer)),
            ] {
                if let Ok(value) = value
                    && !value.is_null()
                {
                    o.insert(key.into(), value);
                }
            }
        }
        v
    }

    /// Data stored with a case's document; `label` names it in messages.
    pub fn from_stored(label: &str, value: serde_json::Value) -> Result<Self> {
        let fields = serde_json::from_value(value.clone()).map_err(|e| Error::Field {
            path: label.into(),
            field: "(stored data)".into(),
            message: e.to_string(),
        })?;
        Ok(DocData {
            path: label.into(),
            fields,
            value,
            origins: Default::default(),
        })
    }

    /// Takes issuer and signer from the procedure's province when the data file names none:
    /// the agency playing the template's issuer role and the signer for that role.
    pub fn with_province(mut self, issuer: Option<IssuerData>, signer: Option<SignerData>) -> Self {
        if self.fields.issuer.is_none() {
            self.fields.issuer = issuer;
        }
        if self.fields.signer.is_none() {
            self.fields.signer = signer;
        }
        self
    }

    /// Fills the variables this data does not give from a case's fields, so a step's document
    /// sees the case (the model's name, the date of its establishing decision) without the
    /// clerk repeating it.
    pub fn with_case_fields(mut self, fields: &serde_json::Value) -> Self {
        if let (Some(target), Some(fields)) = (self.value.as_object_mut(), fields.as_object()) {
            for (k, v) in fields {
                target.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        self
    }

    /// Sets the values a step was completed with ("ky_bao_cao: năm 2023"): they are this
    /// occasion's facts, so they win over the data file's.
    pub fn with_step_inputs(mut self, inputs: &serde_json::Value) -> Self {
        if let (Some(target), Some(inputs)) = (self.value.as_object_mut(), inputs.as_object()) {
            for (k, v) in inputs {
                target.insert(k.clone(), v.clone());
            }
        }
        self
    }
}

/// One file's mapping over those it extends. Each file is checked against [`Fields`] on its
/// own, so a wrong value is reported with its own file, line and column.
fn merged_mapping(
    path: &Path,
    text: &str,
    depth: usize,
    origins: &mut std::collections::BTreeMap<String, Origin>,
) -> Result<serde_yaml::Mapping> {
    let raw: serde_yaml::Value = crate::fsutil::parse_yaml(path, text, 0)?;
    if let Some(key) = first_null(&raw) {
        return Err(empty_value(path, text, &key));
    }
    let serde_yaml::Value::Mapping(own) = raw else {
        return Err(Error::Yaml {
            path: path.into(),
            line: 1,
            column: 1,
            message: "tệp dữ liệu là một bảng tên trường → giá trị".into(),
        });
    };
    let fields: Fields = serde_yaml::from_str(text).map_err(|e| Error::yaml(path, &e, 0))?;
    let mut merged = serde_yaml::Mapping::new();
    if let Some(ext) = &fields.extends {
        if depth >= MAX_EXTENDS_DEPTH {
            return Err(Error::Field {
                path: path.into(),
                field: "extends".into(),
                message: format!("lồng sâu hơn {MAX_EXTENDS_DEPTH} tầng (có vòng lặp?)"),
            });
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        for rel in ext.paths() {
            let base = dir.join(rel);
            let text =
                crate::fsutil::read_input_text(&base, crate::fsutil::LIMIT_DATA).map_err(|e| {
                    Error::Field {
                        path: path.into(),
                        field: "extends".into(),
                        message: e.to_string(),
                    }
                })?;
            merged.extend(merged_mapping(&base, &text, depth + 1, origins)?);
        }
    }
    for key in own.keys().filter_map(|k| k.as_str()) {
        let line = text
            .lines()
            .position(|l| {
                [key.to_string(), format!("\"{key}\""), format!("'{key}'")]
                    .iter()
                    .any(|k| {
                        l.strip_prefix(k.as_str())
                            .is_some_and(|r| r.trim_start().starts_with(':'))
                    })
            })
            .map_or(1, |n| n + 1);
        origins.insert(
            key.to_string(),
            Origin {
                path: path.into(),
                line,
                column: 1,
            },
        );
    }
    merged.extend(own);
    merged.remove("extends");
    Ok(merged)
}

/// The key of the first value left empty, depth first. A data file never means "nothing"
/// by it: it is a line left unfinished, or YAML cutting a one-line `{…}` at a comma inside a
/// value (`{tieu_chi: Khu dân cư “An toàn về an ninh, trật tự”, chi_tieu: 100%}` gives the key
/// `trật tự”` with no value, and the criterion printed as "…“An toàn về an ninh").
fn first_null(v: &serde_yaml::Value) -> Option<String> {
    let key = |k: &serde_yaml::Value| match k {
        serde_yaml::Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    };
    match v {
        serde_yaml::Value::Mapping(m) => m.iter().find_map(|(k, v)| {
            if v.is_null() {
                Some(key(k))
            } else {
                first_null(v)
            }
        }),
        serde_yaml::Value::Sequence(items) => items.iter().find_map(first_null),
        serde_yaml::Value::Tagged(t) => first_null(&t.value),
        _ => None,
    }
}

/// The error for a key without a value, at the first place the key stands as a key: after
/// the line's start, a space, `{`, `,` or `-`, and before `:`, `,`, `}` or the line's end.
fn empty_value(path: &Path, text: &str, key: &str) -> Error {
    let as_key = |l: &str, at: usize| {
        let before = l[..at].chars().next_back();
        let after = l[at + key.len()..].trim_start().chars().next();
        matches!(before, None | Some(' ' | '{' | ',' | '-'))
            && matches!(after, None | Some(':' | ',' | '}'))
    };
    let (line, column) = text
        .lines()
        .enumerate()
        .find_map(|(n, l)| {
            l.match_indices(key)
                .find(|(at, _)| as_key(l, *at))
                .map(|(at, _)| (n + 1, l[..at].chars().count() + 1))
        })
        .unwrap_or((1, 1));
    Error::Yaml {
        path: path.into(),
        line,
        column,
        message: format!(
            "`{key}` không có giá trị. Nếu đây là phần sau dấu phẩy của một giá trị viết trong \
             {{…}} trên một dòng, hãy đặt cả giá trị trong ngoặc kép (\"…\"); nếu không, \
             điền giá trị hoặc xóa dòng"
        ),
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
    fn extends_merges_and_reports_the_base_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("base.yaml"),
            format!("{ISSUER}ten: cũ\nxa: Đắk Mar\n"),
        )
        .unwrap();
        let d =
            DocData::parse(&dir.path().join("d.yaml"), "extends: base.yaml\nten: mới\n").unwrap();
        assert_eq!(d.value["ten"], "mới");
        assert_eq!(d.value["xa"], "Đắk Mar");
        assert!(d.value.get("extends").is_none());
        assert_eq!(d.fields.issuer.unwrap().abbreviation, "UBND");

        std::fs::write(dir.path().join("bad.yaml"), "issuer:\n  nme: x\n").unwrap();
        let e = DocData::parse(&dir.path().join("d.yaml"), "extends: [bad.yaml]\n").unwrap_err();
        assert!(e.to_string().contains("bad.yaml:2:"), "{e}");

        std::fs::write(dir.path().join("loop.yaml"), "extends: loop.yaml\n").unwrap();
        let e = DocData::parse(&dir.path().join("loop.yaml"), "extends: loop.yaml\n").unwrap_err();
        assert!(e.to_string().contains("tầng"), "{e}");

        let e = DocData::parse(&dir.path().join("d.yaml"), "extends: none.yaml\n").unwrap_err();
        assert!(
            e.to_string().contains("trường `extends`") && e.to_string().contains("none.yaml"),
            "{e}"
        );
    }

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
        let bad = ISSUER.replace("abbreviation", "abreviation");
        let e = DocData::parse(Path::new("d.yaml"), &bad).unwrap_err();
        assert!(e.to_string().contains("abreviation"), "{e}");
        assert!(e.to_string().starts_with("d.yaml:3:"), "{e}");
    }

    #[test]
    fn a_value_cut_at_a_comma_is_refused_where_it_was_typed() {
        let cut = format!(
            "{ISSUER}chi_tieu:\n  - {{tieu_chi: Khu dân cư “An toàn về an ninh, trật tự”, chi_tieu: 100%}}\n"
        );
        let e = DocData::parse(Path::new("d.yaml"), &cut).unwrap_err();
        let line = cut.lines().position(|l| l.contains("trật tự”")).unwrap() + 1;
        assert!(e.to_string().starts_with(&format!("d.yaml:{line}:")), "{e}");
        assert!(e.to_string().contains("`trật tự”` không có giá trị"), "{e}");
        assert!(e.to_string().contains("ngoặc kép"), "{e}");

        let quoted = cut.replace(
            "Khu dân cư “An toàn về an ninh, trật tự”",
            "\"Khu dân cư “An toàn về an ninh, trật tự”\"",
        );
        let d = DocData::parse(Path::new("d.yaml"), &quoted).unwrap();
        assert_eq!(
            d.value["chi_tieu"][0]["tieu_chi"],
            "Khu dân cư “An toàn về an ninh, trật tự”"
        );

        let text = format!("{ISSUER}ghi_chu_khac: có\nghi_chu:\n");
        let e = DocData::parse(Path::new("d.yaml"), &text).unwrap_err();
        let line = text.lines().count();
        assert!(
            e.to_string().starts_with(&format!("d.yaml:{line}:1:")),
            "{e}"
        );
        assert!(e.to_string().contains("`ghi_chu` không có giá trị"), "{e}");
    }
}
