//! `hoso demo`: drives every sample case through its workflow on a fresh database, drafts each
//! step's documents (DOCX and PDF, from the template's sample data and the case's fields), issues
//! them with numbers from the register on the step's date, archives and verifies each hồ sơ,
//! renders every template's sample, and reports per case what happened — including the
//! refusals the samples expect, which must be refusals of the law and nothing else.
//!
//! The demo writes only into a folder that is new, empty, or one it made before (marked with
//! [`MARKER`]): it never touches a clerk's database or documents.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::app::{App, Config, write_files};
use crate::error::{Error, Result};
use crate::render::{Format, pdf::Profile};
use crate::template::{DocData, Issuance};
use crate::workflow::ProcedureKey;

/// The file that marks a folder as the demo's own.
pub const MARKER: &str = ".hoso-demo";

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_samples.rs"));
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseStep {
    step: String,
    at: NaiveDate,
    #[serde(default)]
    inputs: serde_json::Value,
    /// The sample expects a guard of the procedure to refuse this step.
    #[serde(default)]
    refused: bool,
    /// This occasion's data file for a template, below `documents/`, instead of
    /// `<template>.yaml`: a year's report is not the six-month one.
    #[serde(default)]
    data: std::collections::BTreeMap<String, String>,
    /// Files collected, not written (evidence, ledgers), attached to the hồ sơ on the step's
    /// day: `{file: below the samples, item: the hồ sơ item}`.
    #[serde(default)]
    attach: Vec<SampleFile>,
}

/// A file a sample case attaches to its hồ sơ.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SampleFile {
    file: String,
    item: u32,
}

impl CaseStep {
    /// The data file of `template` on this occasion.
    fn data_file(&self, docs_dir: &Path, template: &str) -> PathBuf {
        docs_dir.join(
            self.data
                .get(template)
                .cloned()
                .unwrap_or_else(|| format!("{template}.yaml")),
        )
    }

    /// Attaches the step's files to case `id`.
    fn attach_files(&self, app: &mut App, samples: &Path, id: &str) -> Result<()> {
        for a in &self.attach {
            let path = samples.join(&a.file);
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            app.attach(id, &name, bytes, a.item, self.at)?;
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SampleCase {
    workflow: String,
    #[serde(default)]
    province: Option<String>,
    /// The agency the case belongs to in the web application ([`DEMO_AGENCY`] when absent).
    #[serde(default)]
    agency: Option<String>,
    opened: NaiveDate,
    data: serde_json::Value,
    steps: Vec<CaseStep>,
}

/// What the demo runs on and where it writes.
#[derive(Debug, Clone)]
pub struct Options {
    pub templates: Option<PathBuf>,
    pub workflows: Option<PathBuf>,
    /// Samples instead of the built-in ones (`cases/`, `documents/`).
    pub samples: Option<PathBuf>,
    pub out: PathBuf,
}

/// Makes `out` the demo's own: a new or empty folder, or one the demo made before, whose
/// database (the demo's) is removed for a fresh run.
fn prepare_out(out: &Path) -> Result<()> {
    if crate::fsutil::claim_folder(out, MARKER, "hoso demo")? {
        for suffix in ["", "-wal", "-shm"] {
            let db = PathBuf::from(format!("{}{suffix}", out.join("hoso.db").display()));
            if db.exists() {
                std::fs::remove_file(&db).map_err(|e| Error::io(&db, e))?;
            }
        }
    }
    Ok(())
}

/// The agency of the demo's cases and accounts when a sample names none.
pub const DEMO_AGENCY: &str = "kon-tum/dak-mar";

/// The built-in samples, written below `dir` so that a clerk can read and change them.
pub fn extract_samples(dir: &Path) -> Result<PathBuf> {
    for (rel, text) in embedded::EMBEDDED {
        crate::fsutil::write_atomic(&dir.join(rel), text.as_bytes())?;
    }
    Ok(dir.to_path_buf())
}

fn load_cases(samples: &Path) -> Result<Vec<(String, SampleCase)>> {
    let dir = samples.join("cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| Error::io(&dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let text = crate::fsutil::read_input_text(f, crate::fsutil::LIMIT_DATA)?;
            let case: SampleCase =
                serde_yaml::from_str(&text).map_err(|e| Error::yaml(f, &e, 0))?;
            let name = f
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            Ok((name, case))
        })
        .collect()
}

/// Runs every sample case; returns the report printed by the command.
pub fn run(opts: &Options) -> Result<String> {
    prepare_out(&opts.out)?;
    let samples = match &opts.samples {
        Some(d) => d.clone(),
        None => extract_samples(&opts.out.join("mau"))?,
    };
    let mut app = App::new(Config {
        templates: opts.templates.clone(),
        workflows: opts.workflows.clone(),
        db: crate::store::Db::Sqlite(opts.out.join("hoso.db")),
    });
    let cases = load_cases(&samples)?;
    let mut demo = Demo {
        app: &mut app,
        samples: &samples,
        out: &opts.out,
        ids: vec![String::new(); cases.len()],
        lines: vec![String::new(); cases.len()],
        last: cases.iter().map(|(_, c)| c.opened).collect(),
        documents: 0,
    };
    for (i, j) in timeline(&cases) {
        let (name, case) = &cases[i];
        match j {
            None => demo.open(i, name, case)?,
            Some(j) => demo.step(i, name, &case.steps[j])?,
        }
    }
    demo.archive_all()?;
    let mut by_id: Vec<(String, String)> = demo.ids.into_iter().zip(demo.lines).collect();
    by_id.sort();
    let mut report: String = by_id.into_iter().map(|(_, l)| l).collect();
    let _ = writeln!(
        report,
        "\n{} hồ sơ, {} tệp văn bản trong {}",
        cases.len(),
        demo.documents,
        opts.out.display()
    );
    report.push_str(&render_samples(&app, &samples, &opts.out)?);
    Ok(report)
}

/// Every case's opening and steps in the order of their dates, as they happened across the
/// offices: agencies share registers, and a register's numbers follow its dates. Each is (the
/// case, its step or `None` for its opening).
fn timeline(cases: &[(String, SampleCase)]) -> Vec<(usize, Option<usize>)> {
    let mut t: Vec<(NaiveDate, usize, Option<usize>)> = Vec::new();
    for (i, (_, c)) in cases.iter().enumerate() {
        t.push((c.opened, i, None));
        t.extend(c.steps.iter().enumerate().map(|(j, s)| (s.at, i, Some(j))));
    }
    t.sort_by_key(|(d, i, j)| (*d, j.is_some(), *i, *j));
    t.into_iter().map(|(_, i, j)| (i, j)).collect()
}

/// Issues the documents a step drafted on the step's day, except those issued with another
/// (which carry its number).
fn issue_drafted(
    app: &mut App,
    case: &str,
    advanced: &crate::app::Advanced,
    at: NaiveDate,
) -> Result<Vec<crate::issue::Issued>> {
    let set = app.templates()?;
    let mut to_issue = Vec::new();
    for d in &advanced.drafted {
        if set.get(&d.template)?.attached_kind().is_none() {
            to_issue.push(d.doc.clone());
        }
    }
    to_issue
        .iter()
        .map(|doc| app.issue(case, doc, at, false))
        .collect()
}

/// Seeds the sample cases into `app`'s store for the web application (`hoso serve --demo`):
/// each case up to the step its sample expects refused, so that a person can take that step
/// in the browser and meet the refusal; the documents of the steps taken issued on their
/// days, and each case's agency recorded. Returns the cases' ids in the samples' order.
pub fn seed(app: &mut App, samples: &Path) -> Result<Vec<String>> {
    let cases = load_cases(samples)?;
    let docs_dir = samples.join("documents");
    let mut ids = vec![String::new(); cases.len()];
    let mut stopped = vec![false; cases.len()];
    for (i, j) in timeline(&cases) {
        let (_, case) = &cases[i];
        let Some(j) = j else {
            let key = ProcedureKey::new(&case.workflow, case.province.as_deref());
            ids[i] = app.new_case(&key, &case.data, case.opened)?;
            app.set_case_agency(&ids[i], case.agency.as_deref().unwrap_or(DEMO_AGENCY))?;
            continue;
        };
        let s = &case.steps[j];
        stopped[i] |= s.refused;
        if stopped[i] {
            continue;
        }
        let advanced = app.advance(&ids[i], &s.step, &s.inputs, s.at, false, |t| {
            DocData::load(&s.data_file(&docs_dir, t))
        })?;
        issue_drafted(app, &ids[i], &advanced, s.at)?;
        s.attach_files(app, samples, &ids[i])?;
    }
    Ok(ids)
}

/// The run in progress: each case's id and report lines.
struct Demo<'a> {
    app: &'a mut App,
    samples: &'a Path,
    out: &'a Path,
    ids: Vec<String>,
    lines: Vec<String>,
    /// Each case's last step date: its deadlines are judged on that day, the sample's today.
    last: Vec<NaiveDate>,
    documents: usize,
}

impl Demo<'_> {
    fn open(&mut self, i: usize, name: &str, case: &SampleCase) -> Result<()> {
        let key = ProcedureKey::new(&case.workflow, case.province.as_deref());
        let id = self.app.new_case(&key, &case.data, case.opened)?;
        let _ = writeln!(self.lines[i], "\n{id}  {name}  ({key})");
        self.ids[i] = id;
        Ok(())
    }

    /// One step of a sample case: refused as the sample expects, or drafted and issued on its
    /// day (a document attached to another is issued with it).
    fn step(&mut self, i: usize, name: &str, s: &CaseStep) -> Result<()> {
        let id = self.ids[i].clone();
        self.last[i] = s.at;
        let docs_dir = self.samples.join("documents");
        let result = self.app.advance(&id, &s.step, &s.inputs, s.at, false, |t| {
            DocData::load(&s.data_file(&docs_dir, t))
        });
        let advanced = match (result, s.refused) {
            (Ok(a), false) => a,
            (Ok(_), true) => {
                return Err(Error::Invalid(format!(
                    "mẫu {name}: bước `{}` ngày {} lẽ ra bị từ chối",
                    s.step, s.at
                )));
            }
            (Err(Error::Refused { step, reason }), true) if step == s.step => {
                let _ = writeln!(
                    self.lines[i],
                    "  {}  {:<22} từ chối (như mong đợi): {reason}",
                    s.at, s.step
                );
                return Ok(());
            }
            (Err(e), _) => return Err(Error::Invalid(format!("mẫu {name}: {e}"))),
        };
        for d in &advanced.drafted {
            self.documents += write_files(self.out, &d.files)?.len();
        }
        let mut numbers = Vec::new();
        for issued in issue_drafted(self.app, &id, &advanced, s.at)? {
            let files = crate::app::issued_files(&id, &issued)?;
            self.documents += write_files(self.out, &files)?.len();
            numbers.push(issued.entry.symbol);
        }
        s.attach_files(self.app, self.samples, &id)?;
        let opened: Vec<String> = advanced
            .opened
            .iter()
            .map(|(step, due)| match due {
                Some(d) => format!("{step} (hạn {})", d.format("%d/%m/%Y")),
                None => step.clone(),
            })
            .collect();
        let or_dash = |v: Vec<String>, sep: &str| {
            if v.is_empty() {
                "—".to_string()
            } else {
                v.join(sep)
            }
        };
        let _ = writeln!(
            self.lines[i],
            "  {}  {:<22} văn bản: {:<2} số: {:<24} mở: {}{}",
            s.at,
            s.step,
            advanced.drafted.len(),
            or_dash(numbers, ", "),
            or_dash(opened, ", "),
            if advanced.linked.is_empty() {
                String::new()
            } else {
                let ids: Vec<&str> = advanced.linked.iter().map(|(l, _)| l.as_str()).collect();
                format!("; nhân rộng → hồ sơ {}", ids.join(", "))
            }
        );
        Ok(())
    }

    /// Each case's hồ sơ archived and verified, as the archivist receives it.
    fn archive_all(&mut self) -> Result<()> {
        let cases = self.ids.iter().zip(&self.last).zip(self.lines.iter_mut());
        for ((id, &last), report) in cases {
            let status = self.app.status_on(id, last)?;
            let _ = match status.case.ended {
                Some(e) => writeln!(
                    report,
                    "  trạng thái: đã kết thúc ngày {} (bước {})",
                    e.on.format("%d/%m/%Y"),
                    e.step
                ),
                None => writeln!(report, "  trạng thái: đang mở"),
            };
            for p in status.standing.pending.iter().filter(|p| p.overdue) {
                let _ = writeln!(
                    report,
                    "  quá hạn ngày {}: {} (hạn: {})",
                    last.format("%d/%m/%Y"),
                    p.step,
                    crate::workflow::deadline_words(p.due, p.before)
                );
            }
            let bytes = self.app.archive(id)?;
            let path = self.out.join(format!("{id}.zip"));
            crate::fsutil::write_atomic(&path, &bytes)?;
            let check = App::verify(&bytes)?;
            let status = match &check.metadata {
                Some(m) if check.intact() => {
                    let missing: Vec<String> = m.missing().map(|c| c.item.to_string()).collect();
                    if missing.is_empty() {
                        "toàn vẹn, hồ sơ đầy đủ".to_string()
                    } else {
                        format!(
                            "toàn vẹn, hồ sơ chưa đầy đủ (thiếu mục {})",
                            missing.join(", ")
                        )
                    }
                }
                _ => {
                    return Err(Error::corrupt(
                        path.display().to_string(),
                        check.problems.join("; "),
                    ));
                }
            };
            let _ = writeln!(report, "  lưu trữ: {} — {status}", path.display());
        }
        Ok(())
    }
}

/// Renders every template's sample (`documents/<template>.yaml`) as a draft, DOCX and PDF,
/// under `out/documents/`, dated in its own story (`dated`) rather than by the clock.
fn render_samples(app: &App, samples: &Path, out: &Path) -> Result<String> {
    let dir = samples.join("documents");
    let today = chrono::Local::now().date_naive();
    let set = app.templates()?;
    let mut written = 0;
    for t in set.iter() {
        let data_path = dir.join(format!("{}.yaml", t.id));
        if !data_path.exists() {
            return Err(Error::io(
                &data_path,
                format!("không có dữ liệu mẫu cho mẫu `{}`", t.id),
            ));
        }
        let data = DocData::load(&data_path)?;
        let issuance = Issuance {
            number: None,
            date: None,
            today: data.fields.dated.unwrap_or(today),
            draft_mark: false,
        };
        let files = app.render(
            &t.id,
            &data,
            &issuance,
            &[Format::Docx, Format::Pdf],
            Profile::Standard,
        )?;
        let base = out.join("documents").join(&t.id);
        for (f, bytes) in files {
            crate::fsutil::write_atomic(&base.with_extension(f.extension()), &bytes)?;
            written += 1;
        }
    }
    Ok(format!(
        "{} mẫu văn bản, {written} tệp trong {}\n",
        set.iter().count(),
        out.join("documents").display()
    ))
}
