//! Workflow definitions: a procedure of Hướng dẫn 22/HD-BCA-V05 (or a province's) as YAML that
//! an officer can read and change — its roles, typed case fields and steps, each step with its
//! actor, inputs, guards, documents, deadline and what comes next. See `workflows/README.md`.

pub mod check;
pub mod spans;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::{Error, Result};
use spans::Spans;

/// The type of a case field or step input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    Text,
    Date,
    Number,
    /// A share in per cent, 0–100.
    Percent,
    Bool,
    /// One of `values`.
    Enum,
    /// A list of records (members, criteria).
    List,
}

/// A typed field of a case or an input of a step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    #[serde(rename = "type")]
    pub ty: FieldType,
    #[serde(default)]
    pub title: Option<String>,
    /// The allowed values of an `enum`.
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub optional: bool,
}

/// A guard: a CEL expression over the case (`case`), the step's inputs (`inputs`) and the date
/// of the step (`at`), and the message a user gets when it is false.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guard {
    pub when: String,
    pub message: String,
}

/// A document a step produces.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentRef {
    pub template: String,
    /// Only when this CEL condition holds (a quy chế phối hợp only for a mô hình liên kết).
    #[serde(default)]
    pub when: Option<String>,
}

/// When a step is due.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    /// An RFC 5545 recurrence rule: `FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=5` is "before 05/11".
    #[serde(default)]
    pub rule: Option<String>,
    /// A step whose completion starts the period.
    #[serde(default)]
    pub after: Option<String>,
    /// An ISO 8601 period after `after`: `P1Y`, `P10M`, `P15D`.
    #[serde(default)]
    pub within: Option<String>,
}

/// Where a case goes after a step: a step id, or a branch taken when its condition holds (the
/// first that holds wins; one without `when` is the default).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Next {
    Step(String),
    Branch {
        to: String,
        #[serde(default)]
        when: Option<String>,
    },
}

impl Next {
    pub fn target(&self) -> &str {
        match self {
            Next::Step(s) => s,
            Next::Branch { to, .. } => to,
        }
    }
}

/// One step of a procedure.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: String,
    pub title: String,
    /// The role that acts.
    pub actor: String,
    #[serde(default)]
    pub inputs: BTreeMap<String, FieldSpec>,
    #[serde(default)]
    pub requires: Vec<Guard>,
    #[serde(default)]
    pub documents: Vec<DocumentRef>,
    #[serde(default)]
    pub deadline: Option<Deadline>,
    /// A step that recurs on a schedule (reports, yearly rating): an RFC 5545 rule.
    #[serde(default)]
    pub repeat: Option<String>,
    /// A linked case this step starts at a new site (nhân rộng), by workflow id.
    #[serde(default)]
    pub starts: Option<String>,
    #[serde(default)]
    pub next: Vec<Next>,
}

/// A procedure.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    pub id: String,
    pub version: String,
    pub effective_from: NaiveDate,
    pub title: String,
    #[serde(default)]
    pub legal_basis: Vec<String>,
    /// Who acts, by id, with what the role is.
    pub roles: BTreeMap<String, String>,
    #[serde(default)]
    pub fields: BTreeMap<String, FieldSpec>,
    pub steps: Vec<Step>,
}

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_workflows.rs"));
}

/// The procedures built into the binary.
pub fn embedded() -> Result<Vec<Workflow>> {
    embedded::EMBEDDED
        .iter()
        .map(|(name, text)| {
            Loaded::parse(&Path::new("workflows").join(name), text).map(|l| l.workflow)
        })
        .collect()
}

/// The procedures of a folder.
pub fn load_dir(dir: &Path) -> Result<Vec<Workflow>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let p = e.map_err(|e| Error::io(dir, e))?.path();
        if p.extension().is_some_and(|x| x == "yaml") {
            out.push(Loaded::load(&p)?.workflow);
        }
    }
    Ok(out)
}

/// A workflow read from a file, with the places of its nodes for messages.
#[derive(Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub workflow: Workflow,
    pub spans: Spans,
}

impl Loaded {
    /// Reads and deserialises a workflow file. Syntax and type errors carry line and column.
    pub fn load(path: &Path) -> Result<Loaded> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Loaded> {
        let workflow: Workflow =
            serde_yaml::from_str(text).map_err(|e| Error::yaml(path, &e, 0))?;
        Ok(Loaded {
            path: path.to_path_buf(),
            workflow,
            spans: Spans::of(text),
        })
    }
}
