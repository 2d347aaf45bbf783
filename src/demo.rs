//! `hoso demo`: drives every sample case through its workflow on a fresh database, drafts each
//! step's documents (DOCX and PDF, from the template's sample data and the case's fields), issues
//! them with numbers from the register on the step's date, and reports per case what happened —
//! including the refusals the samples expect.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::archive;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::issue;
use crate::store::Store;
use crate::template::{DocData, TemplateSet};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseStep {
    step: String,
    at: NaiveDate,
    #[serde(default)]
    inputs: serde_json::Value,
    /// The sample expects a guard to refuse this step.
    #[serde(default)]
    refused: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SampleCase {
    workflow: String,
    #[serde(default)]
    province: Option<String>,
    opened: NaiveDate,
    data: serde_json::Value,
    steps: Vec<CaseStep>,
}

/// Runs every `samples/cases/*.yaml`; returns the report printed by the command.
pub fn run(set: &TemplateSet, engine: &Engine, samples: &Path, out: &Path) -> Result<String> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let db = out.join("hoso.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(PathBuf::from(format!("{}{suffix}", db.display())));
    }
    let mut store = Store::open(&db)?;
    let dir = samples.join("cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| Error::io(&dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| Error::io(f, e))?;
        let case: SampleCase = serde_yaml::from_str(&text).map_err(|e| Error::yaml(f, &e, 0))?;
        cases.push((f, case));
    }
    // Every case's steps in the order of their dates, as they happened across the offices:
    // agencies share registers, and a register's numbers follow its dates.
    let mut timeline: Vec<(NaiveDate, usize, Option<usize>)> = Vec::new();
    for (i, (_, c)) in cases.iter().enumerate() {
        timeline.push((c.opened, i, None));
        timeline.extend(c.steps.iter().enumerate().map(|(j, s)| (s.at, i, Some(j))));
    }
    timeline.sort_by_key(|(d, i, j)| (*d, j.is_some(), *i, *j));
    let mut ids: Vec<String> = vec![String::new(); cases.len()];
    let mut lines: Vec<String> = vec![String::new(); cases.len()];
    let mut documents = 0;
    for (_, i, j) in timeline {
        let (f, case) = &cases[i];
        let key = match &case.province {
            Some(p) => format!("{}@{p}", case.workflow),
            None => case.workflow.clone(),
        };
        let report = &mut lines[i];
        let Some(j) = j else {
            let id = engine.new_case(&mut store, &key, &case.data, case.opened)?;
            let name = f
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            let _ = writeln!(report, "\n{id}  {name}  ({key})");
            ids[i] = id;
            continue;
        };
        let id = &ids[i];
        let s = &case.steps[j];
        let plan = match engine.plan(&store, id, &s.step, &s.inputs, s.at) {
            Ok(plan) if !s.refused => plan,
            Ok(_) => {
                return Err(Error::Usage(format!(
                    "{}: step `{}` on {} was expected to be refused",
                    f.display(),
                    s.step,
                    s.at
                )));
            }
            Err(e) if s.refused => {
                let _ = writeln!(
                    report,
                    "  {}  {:<22} từ chối (như mong đợi): {e}",
                    s.at, s.step
                );
                continue;
            }
            Err(e) => return Err(Error::Usage(format!("{}: {e}", f.display()))),
        };
        let docs_dir = samples.join("documents");
        let drafted = issue::draft_step(
            set,
            engine,
            &mut store,
            &plan,
            |t| DocData::load(&docs_dir.join(format!("{t}.yaml"))),
            out,
        )?;
        documents += drafted.iter().map(|d| d.files.len()).sum::<usize>();
        // The văn thư issues what the step drafted on the day it was completed; a document
        // attached to another is issued with it.
        let mut numbers = Vec::new();
        for d in &drafted {
            if set.get(&d.template)?.attached_kind().is_some() {
                continue;
            }
            let issued = issue::issue(set, &mut store, id, &d.doc, s.at, out)?;
            documents += issued.files.len();
            numbers.push(issued.entry.symbol);
        }
        let linked = match &plan.outcome.starts {
            Some(w) => Some(engine.start_linked(&mut store, id, w, s.at)?),
            None => None,
        };
        let opened: Vec<String> = plan
            .outcome
            .opened
            .iter()
            .map(|(step, due)| match due {
                Some(d) => format!("{step} (hạn {})", d.format("%d/%m/%Y")),
                None => step.clone(),
            })
            .collect();
        let _ = writeln!(
            report,
            "  {}  {:<22} văn bản: {:<2} số: {:<24} mở: {}{}",
            s.at,
            s.step,
            plan.outcome.documents.len(),
            if numbers.is_empty() {
                "—".to_string()
            } else {
                numbers.join(", ")
            },
            if opened.is_empty() {
                "—".to_string()
            } else {
                opened.join(", ")
            },
            linked
                .map(|l| format!("; nhân rộng → hồ sơ {l}"))
                .unwrap_or_default()
        );
    }
    // Each case's hồ sơ archived and verified, as the archivist receives it.
    for (id, report) in ids.iter().zip(lines.iter_mut()) {
        let bytes = archive::build(set, engine, &store, id)?;
        let path = out.join(format!("{id}.zip"));
        crate::fsutil::write_atomic(&path, &bytes)?;
        let check = archive::verify(&bytes, Default::default())?;
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
                return Err(Error::Usage(format!(
                    "{}: {:?}",
                    path.display(),
                    check.problems
                )));
            }
        };
        let _ = writeln!(report, "  lưu trữ: {} — {status}", path.display());
    }
    let mut by_id: Vec<(String, String)> = ids.into_iter().zip(lines).collect();
    by_id.sort();
    let mut report: String = by_id.into_iter().map(|(_, l)| l).collect();
    let _ = writeln!(
        report,
        "\n{} hồ sơ, {documents} tệp văn bản trong {}",
        files.len(),
        out.display()
    );
    Ok(report)
}
