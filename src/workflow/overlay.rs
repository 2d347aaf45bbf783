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
    /// The first day it issues (an agency set up by a reorganisation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    /// The last day it issues (an agency dissolved or merged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
    /// The agency of this file that takes over its role the day after `valid_until`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
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

/// What an overlay may take away from a base step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Removable {
    Deadline,
    Repeat,
    OncePer,
    DueWhile,
}

/// Changes to one step of the base.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepPatch {
    #[serde(default)]
    pub title: Option<String>,
    /// Another role acts (one of the procedure's roles, the overlay's included).
    #[serde(default)]
    pub actor: Option<String>,
    /// Replaces every guard of the step.
    #[serde(default)]
    pub requires: Option<Vec<Guard>>,
    /// Replaces guards by their `id` (a threshold, the 10 months): condition and message.
    #[serde(default)]
    pub replace_requires: BTreeMap<String, Guard>,
    /// Guards the province does not apply, by their `id`.
    #[serde(default)]
    pub remove_requires: Vec<String>,
    /// Inputs the step takes besides the base's.
    #[serde(default)]
    pub add_inputs: BTreeMap<String, super::FieldSpec>,
    /// Keys of the base step the province does without (`deadline`, `repeat`, …).
    #[serde(default)]
    pub remove: Vec<Removable>,
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
    /// Case fields the province adds.
    #[serde(default)]
    pub fields: BTreeMap<String, super::FieldSpec>,
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
    /// Whether it issues on `at`.
    pub fn valid_on(&self, at: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= at) && self.valid_until.is_none_or(|u| at <= u)
    }

    /// Refuses a number taken in its name on a day it does not issue, naming its successor.
    pub fn issues_on(&self, id: &str, at: NaiveDate) -> crate::error::Result<()> {
        if self.valid_on(at) {
            return Ok(());
        }
        let day =
            |d: Option<NaiveDate>| d.map_or("—".into(), |d| d.format("%d/%m/%Y").to_string());
        Err(crate::error::Error::Invalid(format!(
            "cơ quan `{id}` ban hành văn bản từ {} đến hết {}, không phải ngày {}{}",
            day(self.valid_from),
            day(self.valid_until),
            at.format("%d/%m/%Y"),
            self.successor
                .as_ref()
                .map(|s| format!("; sau đó là cơ quan kế thừa: --issuer {s}"))
                .unwrap_or_default()
        )))
    }

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

/// `extends: mo-hinh@2022.1`: the base procedure and the version pinned, if any.
pub fn split_extends(extends: &str) -> (&str, Option<&str>) {
    match extends.split_once('@') {
        Some((base, version)) => (base, Some(version)),
        None => (extends, None),
    }
}

impl Overlay {
    /// The base procedure it extends (`mo-hinh` of `mo-hinh@2022.1`).
    pub fn base(&self) -> &str {
        split_extends(&self.extends).0
    }

    /// The key of the procedure it makes, `<base>@<province>`, and the first day it applies.
    pub fn key(&self) -> (String, NaiveDate) {
        (
            format!("{}@{}", self.base(), self.province),
            self.effective_from,
        )
    }
}

/// The base an overlay is merged with: the version it pins (`extends: mo-hinh@2022.1`), else
/// the newest version in effect on its `effective_from` (or the oldest there is). A base or a
/// pinned version that is not there is a problem at `extends`.
pub fn base_of<'a>(
    o: &LoadedOverlay,
    bases: impl Iterator<Item = &'a Workflow>,
) -> std::result::Result<&'a Workflow, Problem> {
    let (id, pinned) = split_extends(&o.overlay.extends);
    let mut versions: Vec<&Workflow> = bases.filter(|b| b.id == id).collect();
    versions.sort_by_key(|w| w.effective_from);
    let found = match pinned {
        Some(v) => versions.iter().find(|w| w.version == v),
        None => versions
            .iter()
            .rev()
            .find(|w| w.effective_from <= o.overlay.effective_from)
            .or(versions.first()),
    };
    found.copied().ok_or_else(|| {
        let message = match pinned {
            Some(v) if !versions.is_empty() => format!(
                "extends: quy trình `{id}` không có phiên bản `{v}` (có: {}); tệp tỉnh viết \
                 cho phiên bản nào thì ghi phiên bản ấy, hoặc sửa tệp theo phiên bản mới",
                versions
                    .iter()
                    .map(|w| w.version.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => format!("extends: không có quy trình `{id}`"),
        };
        let p = o.spans.at("extends");
        Problem {
            path: o.path.clone(),
            line: p.line,
            col: p.col,
            message,
        }
    })
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
                for name in patch.add_inputs.keys() {
                    pairs.push((
                        format!("{from}.add_inputs.{name}"),
                        format!("steps[{k}].inputs.{name}"),
                    ));
                }
                for (j, g) in step.requires.iter().enumerate() {
                    if let Some(id) =
                        g.id.as_ref()
                            .filter(|id| patch.replace_requires.contains_key(*id))
                    {
                        pairs.push((
                            format!("{from}.replace_requires.{id}"),
                            format!("steps[{k}].requires[{j}]"),
                        ));
                    }
                }
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
        pairs.push(("fields".into(), "fields".into()));
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
        if o.base() != base.id {
            say(
                "extends",
                false,
                format!("extends `{}`, không phải `{}`", o.extends, base.id),
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
        for (name, f) in &o.fields {
            if base.fields.contains_key(name) {
                say(
                    &format!("fields.{name}"),
                    true,
                    format!(
                        "quy trình gốc `{}` đã có trường `{name}`; tệp tỉnh chỉ thêm trường mới",
                        base.id
                    ),
                );
            }
            w.fields.insert(name.clone(), f.clone());
        }
        for (i, id) in o.remove_steps.iter().enumerate() {
            if !w.steps.iter().any(|s| &s.id == id) {
                say(
                    &format!("remove_steps[{i}]"),
                    false,
                    format!("quy trình gốc `{}` không có bước `{id}`", base.id),
                );
            } else if base.required_steps.contains(id) {
                say(
                    &format!("remove_steps[{i}]"),
                    false,
                    format!(
                        "bước `{id}` là bước bắt buộc toàn quốc của quy trình `{}` \
                         (required_steps): tệp tỉnh không bỏ được, chỉ đổi được hạn, người làm, \
                         điều kiện",
                        base.id
                    ),
                );
                continue;
            }
            w.steps.retain(|s| &s.id != id);
        }
        for (id, patch) in &o.steps {
            let Some(step) = w.steps.iter_mut().find(|s| &s.id == id) else {
                say(
                    &format!("steps.{id}"),
                    true,
                    format!(
                        "quy trình gốc `{}` không có bước `{id}`{}",
                        base.id,
                        super::check::did_you_mean(id, base.steps.iter().map(|s| s.id.as_str()))
                    ),
                );
                continue;
            };
            if let Some(t) = &patch.title {
                step.title = t.clone();
            }
            if let Some(a) = &patch.actor {
                step.actor = a.clone();
            }
            if let Some(r) = &patch.requires {
                step.requires = r.clone();
            }
            for (gid, g) in &patch.replace_requires {
                match step
                    .requires
                    .iter_mut()
                    .find(|x| x.id.as_ref() == Some(gid))
                {
                    Some(old) => {
                        *old = Guard {
                            id: Some(gid.clone()),
                            ..g.clone()
                        }
                    }
                    None => say(
                        &format!("steps.{id}.replace_requires.{gid}"),
                        true,
                        guard_missing(id, gid, &step.requires),
                    ),
                }
            }
            for (j, gid) in patch.remove_requires.iter().enumerate() {
                let before = step.requires.len();
                step.requires.retain(|x| x.id.as_ref() != Some(gid));
                if step.requires.len() == before {
                    say(
                        &format!("steps.{id}.remove_requires[{j}]"),
                        false,
                        guard_missing(id, gid, &step.requires),
                    );
                }
            }
            for (name, f) in &patch.add_inputs {
                if step.inputs.contains_key(name) {
                    say(
                        &format!("steps.{id}.add_inputs.{name}"),
                        true,
                        format!("bước `{id}` của quy trình gốc đã có dữ liệu `{name}`"),
                    );
                }
                step.inputs.insert(name.clone(), f.clone());
            }
            for r in &patch.remove {
                match r {
                    Removable::Deadline => step.deadline = None,
                    Removable::Repeat => step.repeat = None,
                    Removable::OncePer => step.once_per = None,
                    Removable::DueWhile => step.due_while = None,
                }
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
            let removed =
                base.steps.iter().any(|s| &s.id == id) && !base.required_steps.contains(id);
            if !leading.is_empty() && removed {
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
        for (id, a) in &o.agencies {
            if let Some(m) = agency_successor_problem(id, a, &o.agencies) {
                say(&format!("agencies.{id}.successor"), false, m);
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

/// "bước `x` không có điều kiện `muoi-thang` (có: …)": a guard an overlay names by an id the
/// step's guards do not have.
fn guard_missing(step: &str, id: &str, guards: &[Guard]) -> String {
    let ids: Vec<&str> = guards.iter().filter_map(|g| g.id.as_deref()).collect();
    format!(
        "bước `{step}` không có điều kiện mã `{id}` (các điều kiện có mã: {}){}",
        if ids.is_empty() {
            "không có".to_string()
        } else {
            ids.join(", ")
        },
        super::check::did_you_mean(id, ids.iter().copied())
    )
}

/// An agency's `successor` must be an agency of the same file taking over the day after its
/// `valid_until`.
fn agency_successor_problem(
    id: &str,
    a: &Agency,
    agencies: &BTreeMap<String, Agency>,
) -> Option<String> {
    let next = a.successor.as_ref()?;
    let Some(until) = a.valid_until else {
        return Some(format!(
            "cơ quan `{id}` có cơ quan kế thừa `{next}` thì phải có valid_until (ngày cuối cùng \
             ban hành văn bản)"
        ));
    };
    let Some(b) = agencies.get(next) else {
        return Some(format!(
            "cơ quan kế thừa `{next}` không có trong agencies của tệp này{}",
            super::check::did_you_mean(next, agencies.keys().map(String::as_str))
        ));
    };
    if b.role != a.role {
        return Some(format!(
            "cơ quan kế thừa `{next}` giữ vai trò `{}`, không phải `{}` như `{id}`",
            b.role, a.role
        ));
    }
    let day = until.succ_opt()?;
    (b.valid_from != Some(day)).then(|| {
        format!(
            "cơ quan kế thừa `{next}` phải có valid_from: {} (ngày sau valid_until của `{id}`)",
            day.format("%Y-%m-%d")
        )
    })
}
