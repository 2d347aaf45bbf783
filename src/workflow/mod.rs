//! Workflow definitions: a procedure of Hướng dẫn 22/HD-BCA-V05 (or a province's) as YAML that
//! an officer can read and change — its roles, typed case fields and steps, each step with its
//! actor, inputs, guards, documents, deadline and what comes next. See `workflows/README.md`.

pub mod check;
pub mod guards;
pub mod ho_so;
pub mod key;
pub mod overlay;
pub mod spans;
pub mod thong_ke;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
pub use key::ProcedureKey;
use spans::Spans;

/// The type of a case field or step input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
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
    /// The procedure's statistics form (`thong_ke:`), filled: indicator id → number.
    #[serde(rename = "thong-ke")]
    ThongKe,
}

/// A typed field of a case or an input of a step.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    #[serde(rename = "type")]
    pub ty: FieldType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The allowed values of an `enum`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

/// A guard: a CEL expression over the case (`case`), the step's inputs (`inputs`) and the date
/// of the step (`at`), and the message a user gets when it is false.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Guard {
    pub when: String,
    pub message: String,
}

/// A document a step produces.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentRef {
    pub template: String,
    /// Only when this CEL condition holds (a quy chế phối hợp only for a mô hình liên kết).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
}

/// When a step is due.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    /// "trước ngày 01/10": an RFC 5545 rule giving the day the document names; the step is due
    /// the day before it, its last day (Bắc Kạn's commune report, due 30/09).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// "chậm nhất ngày 31/03": an RFC 5545 rule giving the last day itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// An RFC 5545 rule read as `by` (the day it gives is the last day): the files written
    /// before the wording was data say `rule`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// A step whose completion starts the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// An ISO 8601 period after `after`: `P1Y`, `P10M`, `P15D`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    /// What a due date on a day off (a weekend, a holiday of `workflows/ngay-nghi`) becomes.
    #[serde(default, skip_serializing_if = "IfDayOff::is_keep")]
    pub if_day_off: IfDayOff,
}

/// What a deadline does when it falls on a day the offices do not work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IfDayOff {
    /// It stays; where it is printed, the day off is named.
    #[default]
    Keep,
    /// The last working day before it.
    Previous,
    /// The first working day after it.
    Next,
}

impl IfDayOff {
    fn is_keep(&self) -> bool {
        *self == IfDayOff::Keep
    }
}

impl Deadline {
    /// The days it falls on, when a rule gives them (not `after` + `within`).
    pub fn series(&self) -> Option<Series<'_>> {
        let (rule, before) = match (&self.before, &self.by, &self.rule) {
            (Some(r), ..) => (r, true),
            (None, Some(r), _) | (None, None, Some(r)) => (r, false),
            (None, None, None) => return None,
        };
        Some(Series {
            rule,
            before,
            if_day_off: self.if_day_off,
        })
    }
}

/// The days a deadline falls on: an RFC 5545 rule, and whether the document says "trước ngày"
/// the days it gives (each due the day before) rather than naming the last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Series<'a> {
    pub rule: &'a str,
    pub before: bool,
    pub if_day_off: IfDayOff,
}

impl<'a> From<&'a str> for Series<'a> {
    /// A rule whose days are the last days, kept on days off (`by`, `rule`, `repeat`).
    fn from(rule: &'a str) -> Series<'a> {
        Series {
            rule,
            before: false,
            if_day_off: IfDayOff::Keep,
        }
    }
}

/// A due date as the documents say it: "trước ngày 05/11/2023" for a `before` deadline (the
/// day after its last day), else "chậm nhất ngày 04/11/2023"; a last day that is a day off is
/// named ("chậm nhất ngày 10/12/2023, ngày nghỉ: Chủ nhật"), as a deadline kept there is.
pub fn deadline_words(due: NaiveDate, before: bool) -> String {
    let day = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
    let off = crate::engine::days_off::DaysOff::national().why_off(due);
    match (before.then(|| due.succ_opt()).flatten(), off) {
        (Some(named), None) => format!("trước ngày {}", day(named)),
        (Some(named), Some(why)) => format!(
            "trước ngày {}, ngày cuối {} là ngày nghỉ: {why}",
            day(named),
            day(due)
        ),
        (None, None) => format!("chậm nhất ngày {}", day(due)),
        (None, Some(why)) => format!("chậm nhất ngày {}, ngày nghỉ: {why}", day(due)),
    }
}

/// Where a case goes after a step: a step id, or a branch taken when its condition holds (the
/// first that holds wins; one without `when` is the default).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Next {
    Step(String),
    Branch {
        to: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
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

/// A linked case a step starts (nhân rộng: the same procedure at a new site). The new case
/// takes the source case's fields except those the procedure says belong to the source alone
/// (its rating, its founding date), and `nhan_rong_tu` names the source.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Starts {
    /// The procedure of the new case (the source's province overlay applies, if any).
    pub workflow: String,
    /// Fields the new case does not inherit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clear: Vec<String>,
    /// A list input of the step naming the sites (`dia_ban_nhan_rong`): one linked case per
    /// item, that item set as field `into` of its case. Without the input, one case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub each: Option<String>,
    /// The field of the new case a site of `each` goes into (`pham_vi`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub into: Option<String>,
}

impl<'de> Deserialize<'de> for Starts {
    /// `starts: mo-hinh`, or `starts: {workflow: mo-hinh, clear: [xep_loai], each:
    /// dia_ban_nhan_rong, into: pham_vi}`.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            workflow: String,
            #[serde(default)]
            clear: Vec<String>,
            #[serde(default)]
            each: Option<String>,
            #[serde(default)]
            into: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Def {
            Id(String),
            Full(Full),
        }
        Ok(match Def::deserialize(d)? {
            Def::Id(workflow) => Starts {
                workflow,
                clear: Vec::new(),
                each: None,
                into: None,
            },
            Def::Full(f) => Starts {
                workflow: f.workflow,
                clear: f.clear,
                each: f.each,
                into: f.into,
            },
        })
    }
}

/// One step of a procedure.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: String,
    pub title: String,
    /// The role that acts.
    pub actor: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inputs: BTreeMap<String, FieldSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<Guard>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<DocumentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Deadline>,
    /// A step that recurs on a schedule (reports, yearly rating): an RFC 5545 rule; or
    /// `when-needed` ([`WHEN_NEEDED`]): it stays open and may be taken again whenever needed
    /// (kiện toàn, sửa đổi quy chế, sơ kết), with no date due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<String>,
    /// Taken at most once in each such period: `evaluation-year` (01/11–31/10, the rating
    /// year of HD 22); a second time in the same period is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub once_per: Option<Period>,
    /// The step that corrects this one when it was taken wrongly in a period it may be taken
    /// only once (named in the refusal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrected_by: Option<String>,
    /// For a step recurring on a schedule: the input (of type `date`) that names the deadline
    /// of the occurrence a filing is for (`han_bao_cao: 2023-05-10`). Without it a filing meets
    /// the earliest occurrence not yet met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurrence: Option<String>,
    /// A linked case this step starts at a new site (nhân rộng).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts: Option<Starts>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub next: Vec<Next>,
    /// Completing this step ends the case (the quyết định or thông báo kết thúc): no step is
    /// accepted after it and nothing of the case is due any more.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ends: bool,
}

/// `repeat: when-needed`: a step taken again whenever needed, on no schedule.
pub const WHEN_NEEDED: &str = "when-needed";

/// A period in which a step is taken at most once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Period {
    /// HD 22's rating year, 01/11 to 31/10 (see `engine::calendar::evaluation_end`).
    EvaluationYear,
}

impl Step {
    /// The RFC 5545 rule the step recurs on, if it recurs on a schedule.
    pub fn schedule(&self) -> Option<&str> {
        self.repeat.as_deref().filter(|r| *r != WHEN_NEEDED)
    }

    /// The rule whose dates are a recurring step's occurrences: its deadline rule (the date a
    /// filing is due), else the rule it recurs on. None for a step without a schedule.
    pub fn series(&self) -> Option<Series<'_>> {
        let schedule = self.schedule()?;
        Some(
            self.deadline
                .as_ref()
                .and_then(Deadline::series)
                .unwrap_or_else(|| schedule.into()),
        )
    }

    /// Whether its deadline is worded "trước ngày": its due dates are the days before the
    /// dates the documents name.
    pub fn due_before(&self) -> bool {
        self.deadline
            .as_ref()
            .and_then(Deadline::series)
            .is_some_and(|s| s.before)
    }
}

/// A procedure.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    pub id: String,
    pub version: String,
    pub effective_from: NaiveDate,
    /// The last day it applies (a province file before a merger): no case opens under it
    /// after that day, and a running case continues under `successor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_until: Option<NaiveDate>,
    /// The province whose file takes over after `effective_until`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
    /// The province's name ("Thái Nguyên", from its overlay): the level above a commune once
    /// districts are gone, which a case's documents name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province_name: Option<String>,
    pub title: String,
    #[serde(default)]
    pub legal_basis: Vec<String>,
    /// Who acts, by id, with what the role is.
    pub roles: BTreeMap<String, String>,
    #[serde(default)]
    pub fields: BTreeMap<String, FieldSpec>,
    pub steps: Vec<Step>,
    /// The province's agencies by id (from its overlay): who issues for a role.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub agencies: BTreeMap<String, overlay::Agency>,
    /// Who signs for a role (from the overlay).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub signers: BTreeMap<String, crate::document::profile::SignerData>,
    /// Thời hạn bảo quản of the hồ sơ's items, as the province sets them (from the overlay).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<overlay::Retention>,
    /// The statistics form units fill with their periodic reports (a province's overlay may
    /// replace it): see [`thong_ke`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thong_ke: Option<thong_ke::Form>,
}

impl Workflow {
    /// The agency that fills `role` in this procedure, if the province names one.
    pub fn agency_for(&self, role: &str) -> Option<&overlay::Agency> {
        self.agencies.values().find(|a| a.role == role)
    }
}

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_workflows.rs"));
}

mod embedded_provinces {
    include!(concat!(env!("OUT_DIR"), "/embedded_provinces.rs"));
}

/// The base procedures and every province's merged procedure (`<base>@<province>`), each with
/// the file and places it came from.
fn with_overlays(
    bases: Vec<Loaded>,
    overlays: Vec<overlay::LoadedOverlay>,
) -> std::result::Result<Vec<Loaded>, Vec<check::Problem>> {
    let provinces = check::provinces(overlays.iter().map(|o| o.overlay.key()));
    let mut problems: Vec<check::Problem> = overlays
        .iter()
        .filter_map(|o| check::successor(o, &provinces))
        .collect();
    let mut merged = Vec::new();
    for o in overlays {
        let Some(base) = bases.iter().find(|b| b.workflow.id == o.overlay.extends) else {
            let p = o.spans.at("extends");
            problems.push(check::Problem {
                path: o.path.clone(),
                line: p.line,
                col: p.col,
                message: format!("extends: không có quy trình `{}`", o.overlay.extends),
            });
            continue;
        };
        match o.merge(&base.workflow) {
            Ok(w) => merged.push(Loaded {
                path: o.path.clone(),
                spans: o.spans_for(&w),
                workflow: w,
            }),
            Err(p) => problems.extend(p),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(bases.into_iter().chain(merged).collect())
}

/// Problems as one error: every one on its own line, file:line:col first.
fn refuse(problems: Vec<check::Problem>) -> Error {
    Error::Invalid(format!(
        "quy trình có lỗi, chưa dùng được ({} lỗi):\n{}",
        problems.len(),
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    ))
}

fn embedded_loaded() -> Result<(Vec<Loaded>, Vec<overlay::LoadedOverlay>)> {
    let bases = embedded::EMBEDDED
        .iter()
        .map(|(name, text)| Loaded::parse(&Path::new("workflows").join(name), text))
        .collect::<Result<Vec<_>>>()?;
    let overlays = embedded_provinces::EMBEDDED
        .iter()
        .map(|(name, text)| {
            overlay::LoadedOverlay::parse(&Path::new("workflows/provinces").join(name), text)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((bases, overlays))
}

fn dir_loaded(dir: &Path) -> Result<(Vec<Loaded>, Vec<overlay::LoadedOverlay>)> {
    if !dir.is_dir() {
        return Err(Error::io(dir, "không phải thư mục quy trình"));
    }
    let bases = yaml_files(dir)?
        .iter()
        .map(|p| Loaded::load(p))
        .collect::<Result<Vec<_>>>()?;
    let overlays = yaml_files(&dir.join("provinces"))?
        .iter()
        .map(|p| overlay::LoadedOverlay::load(p))
        .collect::<Result<Vec<_>>>()?;
    Ok((bases, overlays))
}

/// The procedures built into the binary, with their province overlays, parsed and merged but
/// not checked against templates (see [`Procedures::load`] for what a command uses).
pub fn embedded() -> Result<Vec<Workflow>> {
    let (bases, overlays) = embedded_loaded()?;
    Ok(with_overlays(bases, overlays)
        .map_err(refuse)?
        .into_iter()
        .map(|l| l.workflow)
        .collect())
}

fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let p = e.map_err(|e| Error::io(dir, e))?.path();
        if p.extension().is_some_and(|x| x == "yaml") {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// The procedures of a folder and of its `provinces/` subfolder, parsed and merged.
pub fn load_dir(dir: &Path) -> Result<Vec<Workflow>> {
    let (bases, overlays) = dir_loaded(dir)?;
    Ok(with_overlays(bases, overlays)
        .map_err(refuse)?
        .into_iter()
        .map(|l| l.workflow)
        .collect())
}

/// The procedures a command works with: parsed, merged with their province overlays and
/// checked — a definition `hoso workflow check` would refuse is refused here, before any case
/// uses it — with the hồ sơ lists that come with them.
#[derive(Debug, Clone)]
pub struct Procedures {
    pub workflows: Vec<Workflow>,
    /// The hồ sơ each base procedure must keep, by procedure id.
    pub lists: BTreeMap<String, Vec<ho_so::Item>>,
}

impl Procedures {
    /// From `dir` (and `dir/provinces`, `dir/ho-so/lists.yaml`), or the built-in ones.
    /// `templates` are the ids of the templates the steps may name.
    pub fn load<'a>(
        dir: Option<&Path>,
        templates: impl IntoIterator<Item = &'a str>,
    ) -> Result<Procedures> {
        let (bases, overlays) = match dir {
            Some(d) => dir_loaded(d)?,
            None => embedded_loaded()?,
        };
        let known = check::Known::new(templates, bases.iter().map(|b| b.workflow.id.as_str()));
        let mut problems: Vec<check::Problem> =
            bases.iter().flat_map(|b| check::check(b, &known)).collect();
        if !problems.is_empty() {
            return Err(refuse(problems));
        }
        let loaded = with_overlays(bases, overlays).map_err(refuse)?;
        problems.extend(loaded.iter().flat_map(|l| check::check(l, &known)));
        if !problems.is_empty() {
            return Err(refuse(problems));
        }
        let lists = match dir {
            Some(d) => ho_so::load(&d.join("ho-so/lists.yaml"))?,
            None => ho_so::lists()?,
        };
        Ok(Procedures {
            workflows: loaded.into_iter().map(|l| l.workflow).collect(),
            lists,
        })
    }
}

/// A Mermaid flowchart of a procedure: steps as boxes, `next` as arrows labelled with their
/// conditions, recurring steps marked ↻.
pub fn mermaid(w: &Workflow) -> String {
    let label = |s: &str| s.replace('"', "'");
    let mut out = String::from("flowchart TD\n");
    for s in &w.steps {
        let mark = if s.repeat.is_some() { " ↻" } else { "" };
        out.push_str(&format!("  {}[\"{}{mark}\"]\n", s.id, label(&s.title)));
    }
    for s in &w.steps {
        for n in &s.next {
            match n {
                Next::Branch { to, when: Some(c) } => {
                    out.push_str(&format!("  {} -->|\"{}\"| {to}\n", s.id, label(c)))
                }
                other => out.push_str(&format!("  {} --> {}\n", s.id, other.target())),
            }
        }
    }
    out
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
        let text = crate::fsutil::read_input_text(path, crate::fsutil::LIMIT_DATA)?;
        Self::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Loaded> {
        let workflow: Workflow = crate::fsutil::parse_yaml(path, text, 0)?;
        Ok(Loaded {
            path: path.to_path_buf(),
            workflow,
            spans: Spans::of(text),
        })
    }
}
