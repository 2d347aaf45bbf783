//! `hoso demo`: drives every sample case through its workflow on a fresh database, renders each
//! step's documents (DOCX and PDF, from the template's sample data and the case's fields), and
//! reports per case what happened — including the refusals the samples expect.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::render;
use crate::service::{self, Format};
use crate::store::Store;
use crate::template::{DocData, Issuance, TemplateSet};

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
    let mut report = String::new();
    let mut documents = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| Error::io(f, e))?;
        let case: SampleCase = serde_yaml::from_str(&text).map_err(|e| Error::yaml(f, &e, 0))?;
        let key = match &case.province {
            Some(p) => format!("{}@{p}", case.workflow),
            None => case.workflow.clone(),
        };
        let id = engine.new_case(&mut store, &key, &case.data, case.opened)?;
        let name = f
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let _ = writeln!(report, "\n{id}  {name}  ({key})");
        for s in &case.steps {
            let plan = match engine.plan(&store, &id, &s.step, &s.inputs, s.at) {
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
            let mut files_out = Vec::new();
            for t in &plan.outcome.documents {
                let data = DocData::load(&samples.join("documents").join(format!("{t}.yaml")))?
                    .with_case_fields(&plan.data);
                let data = service::with_province(set, engine.workflow(&key)?, t, data)?;
                let issuance = Issuance {
                    number: None,
                    date: None,
                    today: s.at,
                    draft_mark: false,
                };
                let base = out.join(&id).join(&s.step).join(t);
                for (f, bytes) in service::render_formats(
                    set,
                    t,
                    &data,
                    &issuance,
                    &[Format::Docx, Format::Pdf],
                    render::pdf::Profile::Standard,
                )? {
                    files_out.push((base.with_extension(f.extension()), bytes));
                }
            }
            engine.commit(&mut store, &plan)?;
            for (p, bytes) in &files_out {
                crate::fsutil::write_atomic(p, bytes)?;
            }
            documents += files_out.len();
            let linked = match &plan.outcome.starts {
                Some(w) => Some(engine.start_linked(&mut store, &id, w, s.at)?),
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
                "  {}  {:<22} văn bản: {:<2} mở: {}{}",
                s.at,
                s.step,
                plan.outcome.documents.len(),
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
    }
    let _ = writeln!(
        report,
        "\n{} hồ sơ, {documents} tệp văn bản trong {}",
        files.len(),
        out.display()
    );
    Ok(report)
}
