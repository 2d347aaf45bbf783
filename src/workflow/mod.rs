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

use chrono::{Datelike, NaiveDate};
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
    /// A name a province's overlay replaces or removes it by (`replace_requires`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
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
    // Written by hand: a province's list prints tens of thousands.
    let day = |d: NaiveDate| format!("{:02}/{:02}/{}", d.day(), d.month(), d.year());
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
        /// The branch in words, for the diagram ("xếp loại Tốt: đề xuất nhân rộng").
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
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
        // Read as a value first, not as an untagged enum: a mistake inside the map is then
        // named ("each: invalid type …") rather than "data did not match any variant".
        use serde::de::Error as _;
        Ok(match serde_yaml::Value::deserialize(d)? {
            serde_yaml::Value::String(workflow) => Starts {
                workflow,
                clear: Vec::new(),
                each: None,
                into: None,
            },
            v @ serde_yaml::Value::Mapping(_) => {
                let f: Full = serde_yaml::from_value(v)
                    .map_err(|e| D::Error::custom(format!("starts: {e}")))?;
                Starts {
                    workflow: f.workflow,
                    clear: f.clear,
                    each: f.each,
                    into: f.into,
                }
            }
            _ => {
                return Err(D::Error::custom(
                    "starts: ghi tên quy trình (`starts: mo-hinh`) hoặc một bảng {workflow, clear, \
                     each, into}",
                ));
            }
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
    /// A condition (CEL, as `requires`) under which the step's deadlines are owed, judged on the
    /// case as it stands and each deadline's day as `at`: Kon Tum's quarterly report of "Tốt"
    /// models stays open after a lower rating, and owes nothing while the model is not "Tốt".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_while: Option<String>,
    /// A linked case this step starts at a new site (nhân rộng).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts: Option<Starts>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub next: Vec<Next>,
    /// A case may open at this step instead of the first (`case new --from-step`): a model
    /// already running that the procedure takes up with its evidence (Kon Tum's spontaneous
    /// models).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub entry: bool,
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
    /// Steps required nationally (HD 22's Bước 1–5, the rating): no province's overlay may
    /// remove them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_steps: Vec<String>,
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
    /// On `at`, the one valid that day: a dissolved agency's successor heads what is issued
    /// after its last day.
    pub fn agency_for(&self, role: &str, at: NaiveDate) -> Option<&overlay::Agency> {
        let mut playing = self.agencies.values().filter(|a| a.role == role);
        playing
            .clone()
            .find(|a| a.valid_on(at))
            .or_else(|| playing.next())
    }
}

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_workflows.rs"));
}

mod embedded_provinces {
    include!(concat!(env!("OUT_DIR"), "/embedded_provinces.rs"));
}

/// A procedure file that cannot be used: the cases it governs are refused with its problems,
/// and every other procedure goes on working (one province's mistake stops no other province).
#[derive(Debug, Clone)]
pub struct Broken {
    /// The base procedure the file is or extends, when it says so.
    pub base: Option<String>,
    /// The province of an overlay file; none for a base file, whose provinces go with it.
    pub province: Option<String>,
    /// Its problems, one per line, file:line:col first.
    pub problems: Vec<String>,
}

impl Broken {
    fn new(base: Option<String>, province: Option<String>, problems: &[check::Problem]) -> Broken {
        Broken {
            base,
            province,
            problems: problems.iter().map(ToString::to_string).collect(),
        }
    }

    /// Whether the cases of `key` fall under this file.
    pub fn covers(&self, key: &ProcedureKey) -> bool {
        self.base.as_ref().is_none_or(|b| *b == key.base)
            && (self.province.is_none() || self.province == key.province)
    }

    /// The refusal a case of `key` gets.
    pub fn refusal(&self, key: &ProcedureKey) -> Error {
        Error::Invalid(format!(
            "quy trình `{key}` có lỗi, chưa dùng được ({} lỗi):\n{}",
            self.problems.len(),
            self.problems.join("\n")
        ))
    }
}

/// What a loaded procedure is held to before it is used (`check::check` with what it may name).
pub type CheckFn<'a> = dyn Fn(&Loaded) -> Vec<check::Problem> + 'a;

/// The procedure files of a folder (or the built-in ones), each read on its own: a file that
/// cannot be read or parsed is [`Broken`], the others are parsed.
#[derive(Debug, Default)]
pub struct Catalog {
    pub bases: Vec<Loaded>,
    pub overlays: Vec<overlay::LoadedOverlay>,
    pub broken: Vec<Broken>,
}

/// Who a file says it is, read loosely from a file that does not parse as a procedure: its `id`
/// (a base), or its `extends` and `province` (an overlay); else its file name.
pub(crate) fn identity(
    path: &Path,
    text: Option<&str>,
    is_overlay: bool,
) -> (Option<String>, Option<String>) {
    let top: Option<serde_yaml::Value> =
        text.and_then(|t| serde_yaml::from_str(t.trim_start_matches('\u{feff}')).ok());
    let get = |k: &str| {
        top.as_ref()
            .and_then(|v| v.get(k))
            .and_then(serde_yaml::Value::as_str)
            .map(str::to_string)
    };
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    if is_overlay {
        let base = get("extends").map(|e| overlay::split_extends(&e).0.to_string());
        (base, get("province").or(stem))
    } else {
        (get("id").or(stem), None)
    }
}

impl Catalog {
    fn add(&mut self, path: PathBuf, text: Result<String>, is_overlay: bool) {
        let parsed = match &text {
            Ok(t) if is_overlay => {
                overlay::LoadedOverlay::parse(&path, t).map(|o| self.overlays.push(o))
            }
            Ok(t) => Loaded::parse(&path, t).map(|b| self.bases.push(b)),
            Err(e) => Err(Error::Invalid(e.to_string())),
        };
        if let Err(e) = parsed {
            let (base, province) = identity(&path, text.as_deref().ok(), is_overlay);
            self.broken.push(Broken {
                base,
                province,
                problems: vec![e.to_string()],
            });
        }
    }

    /// The built-in procedures and province files.
    pub fn embedded() -> Catalog {
        let mut c = Catalog::default();
        for (name, text) in embedded::EMBEDDED {
            c.add(
                Path::new("workflows").join(name),
                Ok(text.to_string()),
                false,
            );
        }
        for (name, text) in embedded_provinces::EMBEDDED {
            let path = Path::new("workflows/provinces").join(name);
            c.add(path, Ok(text.to_string()), true);
        }
        c
    }

    /// The procedures of `dir` and of its `provinces/` subfolder.
    pub fn dir(dir: &Path) -> Result<Catalog> {
        if !dir.is_dir() {
            return Err(Error::io(dir, "không phải thư mục quy trình"));
        }
        let mut c = Catalog::default();
        for p in yaml_files(dir)? {
            let text = crate::fsutil::read_input_text(&p, crate::fsutil::LIMIT_DATA);
            c.add(p, text, false);
        }
        for p in yaml_files(&dir.join("provinces"))? {
            let text = crate::fsutil::read_input_text(&p, crate::fsutil::LIMIT_DATA);
            c.add(p, text, true);
        }
        Ok(c)
    }

    /// Every base and every province's merged procedure (`<base>@<province>`) that can be
    /// used, each with the file and places it came from; a base whose `check` (if given) finds
    /// problems, an overlay that does not merge or whose merged procedure `check` refuses, is
    /// set aside as [`Broken`] with its problems.
    pub fn merged(self, check: Option<&CheckFn>) -> (Vec<Loaded>, Vec<Broken>) {
        let mut broken = self.broken;
        let mut bases = Vec::new();
        for b in self.bases {
            match check.map(|c| c(&b)).unwrap_or_default() {
                p if p.is_empty() => bases.push(b),
                p => broken.push(Broken::new(Some(b.workflow.id.clone()), None, &p)),
            }
        }
        let provinces = check::provinces(self.overlays.iter().map(|o| o.overlay.key()));
        let mut merged = Vec::new();
        for o in self.overlays {
            let (base_id, province) = (o.overlay.base().to_string(), o.overlay.province.clone());
            let mut problems: Vec<check::Problem> =
                check::successor(&o, &provinces).into_iter().collect();
            match overlay::base_of(&o, bases.iter().map(|b| &b.workflow)) {
                Err(p) => problems.push(p),
                Ok(base) => match o.merge(base) {
                    Ok(w) => {
                        let l = Loaded {
                            path: o.path.clone(),
                            spans: o.spans_for(&w),
                            workflow: w,
                        };
                        problems.extend(check.map(|c| c(&l)).unwrap_or_default());
                        if problems.is_empty() {
                            merged.push(l);
                        }
                    }
                    Err(p) => problems.extend(p),
                },
            }
            if !problems.is_empty() {
                // A province of a broken base is refused with the base's problems.
                let base_broken = broken
                    .iter()
                    .find(|b| b.province.is_none() && b.base.as_deref() == Some(&base_id))
                    .map(|b| b.problems.clone());
                broken.push(match base_broken {
                    Some(problems) => Broken {
                        base: Some(base_id),
                        province: Some(province),
                        problems,
                    },
                    None => Broken::new(Some(base_id), Some(province), &problems),
                });
            }
        }
        (bases.into_iter().chain(merged).collect(), broken)
    }
}

/// Problems as one error: every one on its own line, file:line:col first.
fn refuse(broken: Vec<Broken>) -> Error {
    let problems: Vec<String> = broken.into_iter().flat_map(|b| b.problems).collect();
    Error::Invalid(format!(
        "quy trình có lỗi, chưa dùng được ({} lỗi):\n{}",
        problems.len(),
        problems.join("\n")
    ))
}

/// The procedures built into the binary, with their province overlays, parsed and merged but
/// not checked against templates (see [`Procedures::load`] for what a command uses); any
/// problem is an error.
pub fn embedded() -> Result<Vec<Workflow>> {
    let (loaded, broken) = Catalog::embedded().merged(None);
    if !broken.is_empty() {
        return Err(refuse(broken));
    }
    Ok(loaded.into_iter().map(|l| l.workflow).collect())
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

/// The files `hoso workflow check` reads when given a folder: its procedures, its province
/// files and its years of days off.
pub fn files_of(dir: &Path) -> Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Err(Error::io(dir, "không phải thư mục quy trình"));
    }
    let mut out = yaml_files(dir)?;
    out.extend(yaml_files(&dir.join("provinces"))?);
    out.extend(yaml_files(&dir.join("ngay-nghi"))?);
    Ok(out)
}

/// The procedures a command works with: parsed, merged with their province overlays and
/// checked — a definition `hoso workflow check` would refuse is not run: its cases are refused
/// with its problems ([`Broken`]), while every other procedure works — with the hồ sơ lists
/// that come with them.
#[derive(Debug, Clone)]
pub struct Procedures {
    pub workflows: Vec<Workflow>,
    /// The hồ sơ each base procedure must keep, by procedure id.
    pub lists: BTreeMap<String, Vec<ho_so::Item>>,
    /// The files set aside, with their problems.
    pub broken: Vec<Broken>,
}

impl Procedures {
    /// From `dir` (and `dir/provinces`, `dir/ho-so/lists.yaml`), or the built-in ones.
    /// `templates` are the ids of the templates the steps may name.
    pub fn load<'a>(
        dir: Option<&Path>,
        templates: impl IntoIterator<Item = &'a str>,
    ) -> Result<Procedures> {
        let catalog = match dir {
            Some(d) => Catalog::dir(d)?,
            None => Catalog::embedded(),
        };
        let ids = catalog.bases.iter().map(|b| b.workflow.id.as_str());
        let known = check::Known::new(templates, ids);
        let (loaded, broken) = catalog.merged(Some(&|l: &Loaded| check::check(l, &known)));
        let lists = match dir {
            Some(d) => ho_so::load(&d.join("ho-so/lists.yaml"))?,
            None => ho_so::lists()?,
        };
        Ok(Procedures {
            workflows: loaded.into_iter().map(|l| l.workflow).collect(),
            lists,
            broken,
        })
    }
}

/// A Mermaid flowchart of a procedure: steps as boxes, recurring ones marked ↻; `next` as
/// arrows, a branch labelled in words — its `label`, else the message of the guard of the
/// step it leads to that asks the same condition, else the condition — and the default branch
/// "trường hợp còn lại"; a step that `starts` a linked case as a dotted arrow to the new case's
/// procedure, linked to its own diagram (`KEY.mmd` beside this one).
pub fn mermaid(w: &Workflow) -> String {
    let text = |s: &str| s.replace('"', "'");
    let mut out = String::from("flowchart TD\n");
    for s in &w.steps {
        let mark = if s.repeat.is_some() { " ↻" } else { "" };
        out.push_str(&format!("  {}[\"{}{mark}\"]\n", s.id, text(&s.title)));
    }
    let mut linked = Vec::new();
    for s in &w.steps {
        let branches = s.next.iter().any(|n| matches!(n, Next::Branch { .. }));
        for n in &s.next {
            let words = match n {
                Next::Branch { label: Some(l), .. } => Some(l.clone()),
                Next::Branch {
                    when: Some(c), to, ..
                } => Some(branch_words(w, to, c)),
                Next::Branch { when: None, .. } if branches => Some("trường hợp còn lại".into()),
                _ => None,
            };
            match words {
                Some(l) => out.push_str(&format!(
                    "  {} -->|\"{}\"| {}\n",
                    s.id,
                    text(&l),
                    n.target()
                )),
                None => out.push_str(&format!("  {} --> {}\n", s.id, n.target())),
            }
        }
        if let Some(st) = &s.starts {
            let key = ProcedureKey::parse(&w.id).sibling(&st.workflow).to_string();
            let node = format!(
                "qt_{}",
                key.chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect::<String>()
            );
            let each = if st.each.is_some() {
                ", mỗi địa bàn một hồ sơ"
            } else {
                ""
            };
            out.push_str(&format!("  {} -.->|\"mở hồ sơ mới{each}\"| {node}\n", s.id));
            if !linked.contains(&node) {
                out.push_str(&format!(
                    "  {node}[[\"↗ Quy trình {key}\"]]\n  click {node} href \"{key}.mmd\" \"Sơ đồ quy trình {key}\"\n"
                ));
                linked.push(node);
            }
        }
    }
    out
}

/// A branch in words without a `label`: the message of a guard of the step it leads to that
/// asks the same condition, up to its details ("Chỉ nhân rộng mô hình xếp loại “Tốt”"), else
/// "khi" and the condition.
fn branch_words(w: &Workflow, to: &str, when: &str) -> String {
    let guard = w
        .steps
        .iter()
        .find(|s| s.id == to)
        .and_then(|s| s.requires.iter().find(|g| g.when.trim() == when.trim()));
    match guard {
        Some(g) => g
            .message
            .split([';', '(', '{'])
            .next()
            .unwrap_or_default()
            .trim()
            .to_string(),
        None => format!("khi {when}"),
    }
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
