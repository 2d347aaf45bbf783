//! The hồ sơ each procedure must keep (HD 22 section V; KH 630 and the Bắc Kạn công văn), from
//! `workflows/ho-so/lists.yaml`: what an archive's checklist is checked against.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::{Error, Result};

/// One required item.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub item: u32,
    pub title: String,
    /// Somebody writes it (a template exists), as opposed to evidence that is collected.
    pub written: bool,
    /// Asked for only "nếu có": the reason given when the hồ sơ has none.
    #[serde(default)]
    pub optional: Option<String>,
}

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_ho_so.rs"));
}

/// The lists of every procedure, by procedure id, as built into the binary.
pub fn lists() -> Result<BTreeMap<String, Vec<Item>>> {
    let (name, text) = embedded::EMBEDDED
        .iter()
        .find(|(n, _)| *n == "lists.yaml")
        .ok_or_else(|| Error::NotFound("danh mục hồ sơ không có trong chương trình".into()))?;
    parse(std::path::Path::new(name), text)
}

/// The lists of a `--workflows` folder; a folder without them has none.
pub fn load(path: &std::path::Path) -> Result<BTreeMap<String, Vec<Item>>> {
    if !path.exists() {
        return Ok(BTreeMap::new());
    }
    let text = crate::fsutil::read_input_text(path, crate::fsutil::LIMIT_DATA)?;
    parse(path, &text)
}

fn parse(path: &std::path::Path, text: &str) -> Result<BTreeMap<String, Vec<Item>>> {
    crate::fsutil::parse_yaml(path, text, 0)
}
