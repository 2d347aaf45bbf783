//! Province overlays: a province file extends a base procedure with its agencies and its
//! changes — deadlines replaced, steps added, removed or rerouted — without forking it. The
//! merged procedure is keyed `<base>@<province>` and carries the overlay's version.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::check::Problem;
use super::spans::Spans;
use super::{Deadline, DocumentRef, Guard, Next, Step, Workflow};
use crate::error::Result;

/// An agency as it prints itself, and the role it plays in the procedures.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    /// The workflow role it fills (`ubnd-tinh`, `cong-an-tinh`, …).
    pub role: String,
    #[serde(default)]
    pub parent: Option<String>,
    pub name: String,
    pub abbreviation: String,
    pub place: String,
    #[serde(default)]
    pub collective: Option<String>,
    #[serde(default)]
    pub head: Option<String>,
    /// State (the default) or Party.
    #[serde(default)]
    pub family: crate::document::FamilyId,
    /// How its văn thư numbers: one sequence or one per type, a Party committee's terms. Every
    /// agency keeps its own book, an advisory body issuing under its own name included (NĐ 30,
    /// Phụ lục I II.3.a).
    #[serde(default)]
    pub numbering: crate::document::numbering::Numbering,
}

/// Retention periods (thời hạn bảo quản) of a procedure's hồ sơ, set by the province under the
/// archiving rules that apply to it ("Vĩnh viễn", "20 năm"): printed in an archive's metadata.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// For every item not listed.
    #[serde(default)]
    pub default: Option<String>,
    /// By hồ sơ item number.
    #[serde(default)]
    pub items: BTreeMap<u32, String>,
}

impl Retention {
    pub fn for_item(&self, item: Option<u32>) -> Option<&str> {
        item.and_then(|i| self.items.get(&i))
            .or(self.default.as_ref())
            .map(String::as_str)
    }
}

/// Changes to one step of the base.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub deadline: Option<Deadline>,
    #[serde(default)]
    pub repeat: Option<String>,
    #[serde(default)]
    pub documents: Option<Vec<DocumentRef>>,
    /// Replaces the step's `next`.
    #[serde(default)]
    pub next: Option<Vec<Next>>,
    /// Adds to the step's `next`.
    #[serde(default)]
    pub add_next: Vec<Next>,
    #[serde(default)]
    pub add_requires: Vec<Guard>,
}

/// A province file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overlay {
    pub extends: String,
    /// The id used on the command line (`--province kon-tum`).
    pub province: String,
    pub name: String,
    pub version: String,
    pub effective_from: NaiveDate,
    #[serde(default)]
    pub effective_until: Option<NaiveDate>,
    /// The province that takes over after `effective_until` (a merger of provinces): its file
    /// extends the same base.
    #[serde(default)]
    pub successor: Option<String>,
    #[serde(default)]
    pub legal_basis: Vec<String>,
    #[serde(default)]
    pub agencies: BTreeMap<String, Agency>,
    /// Who signs for a role: name, title, capacity.
    #[serde(default)]
    pub signers: BTreeMap<String, crate::document::profile::SignerData>,
    /// Role titles replaced or added.
    #[serde(default)]
    pub roles: BTreeMap<String, String>,
    #[serde(default)]
    pub steps: BTreeMap<String, StepPatch>,
    #[serde(default)]
    pub add_steps: Vec<Step>,
    #[serde(default)]
    pub remove_steps: Vec<String>,
    #[serde(default)]
    pub retention: Option<Retention>,
    /// The province's statistics form, in place of the base procedure's.
    #[serde(default)]
    pub thong_ke: Option<super::thong_ke::Form>,
}

/// An overlay read from a file, with its node positions.
#[derive(Debug)]
pub struct LoadedOverlay {
    pub path: PathBuf,
    pub overlay: Overlay,
    pub spans: Spans,
}

impl Agency {
    /// The agency as a document's issuer.
    pub fn issuer(&self) -> crate::document::profile::IssuerData {
        crate::document::profile::IssuerData {
            parent: self.parent.clone(),
            name: self.name.clone(),
            abbreviation: self.abbreviation.clone(),
            place: self.place.clone(),
            collective: self.collective.clone().unwrap_or_else(|| self.name.clone()),
            head: self.head.clone().unwrap_or_default(),
            family: self.family,
            numbering: self.numbering.clone(),
        }
    }
}

impl Overlay {
    /// The key of the procedure it makes, `<base>@<province>`, and the first day it applies.
    pub fn key(&self) -> (String, NaiveDate) {
        (
            format!("{}@{}", self.extends, self.province),
            self.effective_from,
        )
    }
}

impl LoadedOverlay {
    /// Places for a procedure merged from this overlay: a step the overlay added or changed
    /// points at the overlay's lines for it; everything else at the top of the file.
    pub fn spans_for(&self, merged: &Workflow) -> Spans {
        let mut pairs = Vec::new();
        for (k, step) in merged.steps.iter().enumerate() {
            let from = match self.overlay.add_steps.iter().position(|s| s.id == step.id) {
                Some(j) => format!("add_steps[{j}]"),
                None if self.overlay.steps.contains_key(&step.id) => format!("steps.{}", step.id),
                None => continue,
            };
            pairs.push((from.clone(), format!("steps[{k}]")));
            // What a patch adds comes after the base's own: its places are the patch's lines.
            if let Some(patch) = self.overlay.steps.get(&step.id) {
                let first = step.next.len().saturating_sub(patch.add_next.len());
                for j in 0..patch.add_next.len() {
                    pairs.push((
                        format!("{from}.add_next[{j}]"),
                        format!("steps[{k}].next[{}]", first + j),
                    ));
                }
                let first = step.requires.len().saturating_sub(patch.add_requires.len());
                for j in 0..patch.add_requires.len() {
                    pairs.push((
                        format!("{from}.add_requires[{j}]"),
                        format!("steps[{k}].requires[{}]", first + j),
                    ));
                }
            }
        }
        self.spans.remapped(&pairs)
    }

    pub fn load(path: &Path) -> Result<LoadedOverlay> {
        let text = crate::fsutil::read_input_text(path, crate::fsutil::LIMIT_DATA)?;
        Self::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<LoadedOverlay> {
        let overlay = crate::fsutil::parse_yaml(path, text, 0)?;
        Ok(LoadedOverlay {
            path: path.to_path_buf(),
            overlay,
            spans: Spans::of(text),
        })
    }

    /// The merged procedure, or every place where the overlay names what the base lacks.
    ///
    /// One pass over the overlay's keys in the order a reader meets them (roles, step patches,
    /// removed steps, added steps), so that every problem is reported with its place; the
    /// procedures issue (#13) reworks what an overlay can say.
    pub fn merge(&self, base: &Workflow) -> std::result::Result<Workflow, Vec<Problem>> {
        let o = &self.overlay;
        let mut problems = Vec::new();
        let mut say = |node: &str, key: bool, message: String| {
            let p = if key {
                self.spans.key(node)
            } else {
                self.spans.at(node)
            };
            problems.push(Problem {
                path: self.path.clone(),
                line: p.line,
                col: p.col,
                message,
            });
        };
        if o.extends != base.id {
            say(
                "extends",
                false,
                format!("extends `{}`, not `{}`", o.extends, base.id),
            );
        }
        let mut w = base.clone();
        w.id = format!("{}@{}", base.id, o.province);
        w.version = o.version.clone();
        w.effective_from = o.effective_from;
        w.effective_until = o.effective_until;
        w.successor = o.successor.clone();
        w.province_name = Some(o.name.clone());
        w.title = format!("{} ({})", base.title, o.name);
        w.legal_basis.extend(o.legal_basis.iter().cloned());
        w.roles.extend(o.roles.clone());
        if o.retention.is_some() {
            w.retention = o.retention.clone();
        }
        if o.thong_ke.is_some() {
            w.thong_ke = o.thong_ke.clone();
        }
        for (i, id) in o.remove_steps.iter().enumerate() {
            if !w.steps.iter().any(|s| &s.id == id) {
                say(
                    &format!("remove_steps[{i}]"),
                    false,
                    format!("quy trình gốc `{}` không có bước `{id}`", base.id),
                );
            }
            w.steps.retain(|s| &s.id != id);
        }
        for (id, patch) in &o.steps {
            let Some(step) = w.steps.iter_mut().find(|s| &s.id == id) else {
                say(
                    &format!("steps.{id}"),
                    true,
                    format!("quy trình gốc `{}` không có bước `{id}`", base.id),
                );
                continue;
            };
            if let Some(t) = &patch.title {
                step.title = t.clone();
            }
            if let Some(d) = &patch.deadline {
                step.deadline = Some(d.clone());
            }
            if let Some(r) = &patch.repeat {
                step.repeat = Some(r.clone());
            }
            if let Some(d) = &patch.documents {
                step.documents = d.clone();
            }
            if let Some(n) = &patch.next {
                step.next = n.clone();
            }
            step.next.extend(patch.add_next.iter().cloned());
            step.requires.extend(patch.add_requires.iter().cloned());
        }
        for (i, s) in o.add_steps.iter().enumerate() {
            if base.steps.iter().any(|b| b.id == s.id) {
                say(
                    &format!("add_steps[{i}].id"),
                    false,
                    format!("quy trình gốc `{}` đã có bước `{}`", base.id, s.id),
                );
            }
            w.steps.push(s.clone());
        }
        // A removed step that a remaining one still leads to: said once, where it is removed,
        // naming the steps to change, rather than as a dangling `next` far from its cause.
        for (i, id) in o.remove_steps.iter().enumerate() {
            let leading: Vec<String> = w
                .steps
                .iter()
                .filter(|s| {
                    s.next.iter().any(|n| n.target() == id)
                        || s.corrected_by.as_deref() == Some(id.as_str())
                        || s.deadline.as_ref().and_then(|d| d.after.as_deref()) == Some(id)
                })
                .map(|s| format!("`{}`", s.id))
                .collect();
            if !leading.is_empty() && base.steps.iter().any(|s| &s.id == id) {
                say(
                    &format!("remove_steps[{i}]"),
                    false,
                    format!(
                        "bỏ bước `{id}` nhưng {} vẫn dẫn tới nó (next, corrected_by hoặc \
                         deadline.after): đổi `next` của các bước ấy trong tệp này (steps.<bước>.next)",
                        leading.join(", ")
                    ),
                );
            }
        }
        for (id, a) in &o.agencies {
            if !w.roles.contains_key(&a.role) {
                say(
                    &format!("agencies.{id}.role"),
                    false,
                    format!("không có vai trò `{}`", a.role),
                );
            }
        }
        for role in o.signers.keys() {
            if !w.roles.contains_key(role) {
                say(
                    &format!("signers.{role}"),
                    true,
                    format!("không có vai trò `{role}`"),
                );
            }
        }
        w.agencies.extend(o.agencies.clone());
        w.signers.extend(o.signers.clone());
        if problems.is_empty() {
            Ok(w)
        } else {
            Err(problems)
        }
    }
}
