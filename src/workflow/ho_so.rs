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

/// The lists of every procedure, by procedure id.
pub fn lists() -> Result<BTreeMap<String, Vec<Item>>> {
    let (name, text) = embedded::EMBEDDED
        .iter()
        .find(|(n, _)| *n == "lists.yaml")
        .ok_or_else(|| Error::Usage("the hồ sơ lists are not built in".into()))?;
    serde_yaml::from_str(text).map_err(|e| Error::yaml(std::path::Path::new(name), &e, 0))
}

/// The list of a procedure; a merged procedure "mo-hinh@kon-tum" keeps its base's.
pub fn list_for(procedure: &str) -> Result<Vec<Item>> {
    let base = procedure.split('@').next().unwrap_or(procedure);
    Ok(lists()?.remove(base).unwrap_or_default())
}
