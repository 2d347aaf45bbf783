//! `hoso import`: a case back into a store from its archive, only after the bag verifies, and
//! all in one transaction — a broken or hostile archive changes nothing.

use chrono::NaiveDate;

use super::{CaseFile, EventLine, Limits, verify};
use crate::error::{Error, Result};
use crate::store::{BookKey, CaseRow, DocumentRow, EventRow, FileRow, NewEntry, Restore, Store};

/// Restores the case of a zipped bag; returns its id.
pub fn import(store: &mut dyn Store, bytes: &[u8], limits: Limits) -> Result<String> {
    let report = verify(bytes, limits)?;
    if !report.intact() {
        return Err(Error::Invalid(format!(
            "tệp lưu trữ không toàn vẹn (does not verify), không nhập gì:\n  {}",
            report.problems.join("\n  ")
        )));
    }
    let meta = report
        .metadata
        .ok_or_else(|| Error::Invalid("tệp lưu trữ không có siêu dữ liệu của hoso".into()))?;
    let file = |name: &str| {
        report
            .files
            .get(name)
            .ok_or_else(|| Error::Invalid(format!("tệp lưu trữ thiếu {name}")))
    };
    let bad = |name: &str, e: &dyn std::fmt::Display| Error::Invalid(format!("{name}: {e}"));
    let case: CaseFile =
        serde_yaml::from_slice(file("data/case.yaml")?).map_err(|e| bad("data/case.yaml", &e))?;
    let events = String::from_utf8_lossy(file("data/events.jsonl")?)
        .lines()
        .map(|l| serde_json::from_str::<EventLine>(l).map_err(|e| bad("data/events.jsonl", &e)))
        .collect::<Result<Vec<_>>>()?;
    let row = |doc: &str, step: &str, template: &str, data: &serde_json::Value, on: NaiveDate| {
        DocumentRow {
            doc: doc.into(),
            step: step.into(),
            template: template.into(),
            data: data.clone(),
            drafted_on: on,
            entry: None,
        }
    };
    let mut documents: Vec<(DocumentRow, Option<NewEntry>)> = Vec::new();
    for d in &meta.documents {
        documents.push((
            row(&d.doc, &d.step, &d.template, &d.data, d.drafted_on),
            Some(NewEntry {
                issuer: BookKey(d.issuer.clone()),
                period: d.period.clone(),
                series: d.series.clone(),
                number: d.number,
                symbol: d.symbol.clone(),
                on_date: d.date,
                kind: d.kind.clone(),
                trich_yeu: d.trich_yeu.clone(),
                signer: d.signer.clone(),
                recipients: d.recipients.clone(),
                luu: d.luu.clone(),
                copies: d.copies,
                document: Some((case.id.clone(), d.numbered_with.clone())),
            }),
        ));
    }
    for d in &meta.drafts {
        documents.push((
            row(&d.doc, &d.step, &d.template, &d.data, d.drafted_on),
            None,
        ));
    }
    documents.sort_by_key(|a| (a.0.seq(), a.0.doc.clone()));
    let mut files = Vec::new();
    for d in &meta.documents {
        for f in &d.files {
            files.push(FileRow {
                name: f.name.clone(),
                item: f.ho_so_item,
                doc: Some(d.doc.clone()),
                sha256: f.sha256.clone(),
                bytes: file(&format!("data/{}", f.name))?.clone(),
                added_on: f.added_on,
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
            added_on: f.added_on,
        });
    }
    let mut tx = store.begin()?;
    tx.restore(&Restore {
        case: CaseRow {
            id: case.id.clone(),
            workflow: case.workflow,
            version: case.version,
            data: case.data,
            created_on: case.opened,
            ended: case.ended,
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
    tx.commit()?;
    Ok(case.id)
}
