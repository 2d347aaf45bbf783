//! `hoso import`: a case back into a store from its archive, only after the bag verifies, and
//! all in one transaction — a broken or hostile archive changes nothing.

use super::{CaseFile, EventLine, Limits, verify};
use crate::error::{Error, Result};
use crate::store::{CaseRow, DocumentRow, EventRow, FileRow, Restore, RestoredEntry, Store};

/// Restores the case of a zipped bag; returns its id.
pub fn import(store: &mut Store, bytes: &[u8], limits: Limits) -> Result<String> {
    let report = verify(bytes, limits)?;
    if !report.intact() {
        return Err(Error::Usage(format!(
            "the archive does not verify, nothing was imported:\n  {}",
            report.problems.join("\n  ")
        )));
    }
    let meta = report
        .metadata
        .ok_or_else(|| Error::Usage("the archive has no hoso metadata".into()))?;
    let file = |name: &str| {
        report
            .files
            .get(name)
            .ok_or_else(|| Error::Usage(format!("the archive has no {name}")))
    };
    let bad = |name: &str, e: &dyn std::fmt::Display| Error::Usage(format!("{name}: {e}"));
    let case: CaseFile =
        serde_yaml::from_slice(file("data/case.yaml")?).map_err(|e| bad("data/case.yaml", &e))?;
    let events = String::from_utf8_lossy(file("data/events.jsonl")?)
        .lines()
        .map(|l| serde_json::from_str::<EventLine>(l).map_err(|e| bad("data/events.jsonl", &e)))
        .collect::<Result<Vec<_>>>()?;
    let row =
        |doc: &str, step: &str, template: &str, data: &serde_json::Value, on: &str| DocumentRow {
            doc: doc.into(),
            step: step.into(),
            template: template.into(),
            data: data.clone(),
            drafted_on: on.into(),
            entry: None,
        };
    let mut documents: Vec<(DocumentRow, Option<RestoredEntry>)> = Vec::new();
    for d in &meta.documents {
        documents.push((
            row(&d.doc, &d.step, &d.template, &d.data, &d.drafted_on),
            Some(RestoredEntry {
                issuer: d.issuer.clone(),
                period: d.period.clone(),
                series: d.series.clone(),
                number: d.number,
                symbol: d.symbol.clone(),
                on_date: d.date.format("%Y-%m-%d").to_string(),
                kind: d.kind.clone(),
                trich_yeu: d.trich_yeu.clone(),
                signer: d.signer.clone(),
                doc: d.numbered_with.clone(),
            }),
        ));
    }
    for d in &meta.drafts {
        documents.push((
            row(&d.doc, &d.step, &d.template, &d.data, &d.drafted_on),
            None,
        ));
    }
    documents.sort_by(|a, b| a.0.doc.cmp(&b.0.doc));
    let mut files = Vec::new();
    for d in &meta.documents {
        for f in &d.files {
            files.push(FileRow {
                name: f.name.clone(),
                item: f.ho_so_item,
                doc: Some(d.doc.clone()),
                sha256: f.sha256.clone(),
                bytes: file(&format!("data/{}", f.name))?.clone(),
                added_on: f.added_on.clone(),
            });
        }
    }
    for f in &meta.attachments {
        files.push(FileRow {
            name: f.name.clone(),
            item: f.ho_so_item,
            doc: None,
            sha256: f.sha256.clone(),
            bytes: file(&format!("data/{}", f.name))?.clone(),
            added_on: f.added_on.clone(),
        });
    }
    store.restore(&Restore {
        case: CaseRow {
            id: case.id.clone(),
            workflow: case.workflow,
            version: case.version,
            data: case.data,
            created_on: case.opened,
        },
        steps: case.steps,
        events: events
            .into_iter()
            .map(|e| EventRow {
                seq: 0,
                on_date: e.on,
                actor: e.actor,
                step: e.step,
                inputs: e.inputs,
            })
            .collect(),
        documents,
        files,
    })?;
    Ok(case.id)
}
