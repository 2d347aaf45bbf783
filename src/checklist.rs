//! The hồ sơ checklist of a case today: each item the procedure's list (HD 22 section V, the
//! Bắc Kạn list) requires, with the issued documents and attached files that fill it, the
//! drafts on their way, and whether an empty item is missing by now or not due yet. The
//! archive states the same list at the end (present, missing, not applicable); this is the
//! view while the case runs.

use chrono::NaiveDate;

use crate::app::{App, CaseStatus};
use crate::error::Result;
use crate::template::TemplateSet;
use crate::workflow::ho_so::Item;

/// Where an item of the hồ sơ stands today.
#[derive(Debug, PartialEq)]
pub enum Have {
    /// Issued documents (their numbers) and attached files (their names).
    Present(Vec<String>),
    /// Only drafts so far (their template names).
    Drafted(Vec<String>),
    /// Due by now: a later item is there, or the case has ended.
    Missing,
    /// Not reached yet.
    Later,
    /// Asked for "nếu có"; the reason an archive gives when there is none.
    IfAny(String),
}

/// One required item of the hồ sơ (HD 22 section V) on the case page.
#[derive(Debug)]
pub struct Line {
    pub item: u32,
    pub title: String,
    /// Somebody writes it (a step drafts it); otherwise it is evidence to attach.
    pub written: bool,
    pub have: Have,
}

/// The hồ sơ's items with what fills each: issued documents of a template that fills it, files
/// attached to it, drafts. The items follow the procedure's order, so an empty item before
/// one that is filled — or any, once the case has ended — is missing rather than not yet due.
pub fn standing(
    list: &[Item],
    base: &str,
    set: &TemplateSet,
    status: &CaseStatus,
    files: &[(String, Option<u32>, usize, NaiveDate)],
) -> Vec<Line> {
    let item_of = |template: &str| set.get(template).ok().and_then(|t| t.item_in(base));
    let found: Vec<(u32, Vec<String>, Vec<String>)> = list
        .iter()
        .map(|it| {
            let mut present = Vec::new();
            let mut drafted = Vec::new();
            for (d, number) in &status.documents {
                if item_of(&d.template) != Some(it.item) {
                    continue;
                }
                let name = set
                    .get(&d.template)
                    .map_or(d.template.clone(), |t| t.name.clone());
                match number {
                    Some(n) => present.push(format!("{name} số {n}")),
                    None if d.entry.is_some() => present.push(name),
                    None => drafted.push(name),
                }
            }
            present.extend(
                files
                    .iter()
                    .filter(|(n, item, ..)| *item == Some(it.item) && n.starts_with("attachments/"))
                    .map(|(n, ..)| n.trim_start_matches("attachments/").to_string()),
            );
            present.dedup();
            drafted.dedup();
            (it.item, present, drafted)
        })
        .collect();
    let ended = status.case.ended.is_some();
    let reached = |item: u32| {
        ended
            || found
                .iter()
                .any(|(i, p, d)| *i > item && (!p.is_empty() || !d.is_empty()))
    };
    list.iter()
        .zip(found.iter())
        .map(|(it, (_, present, drafted))| Line {
            item: it.item,
            title: it.title.clone(),
            written: it.written,
            have: if !present.is_empty() {
                Have::Present(present.clone())
            } else if !drafted.is_empty() {
                Have::Drafted(drafted.clone())
            } else if let Some(why) = &it.optional {
                Have::IfAny(why.clone())
            } else if reached(it.item) {
                Have::Missing
            } else {
                Have::Later
            },
        })
        .collect()
}

impl App {
    /// The checklist of a case whose status and files (name, item, size, date) are at hand.
    pub fn checklist_of(
        &mut self,
        status: &CaseStatus,
        files: &[(String, Option<u32>, usize, NaiveDate)],
    ) -> Result<Vec<Line>> {
        let key = crate::workflow::ProcedureKey::parse(&status.case.workflow);
        Ok(standing(
            self.engine()?.ho_so(&key),
            &key.base,
            self.templates()?,
            status,
            files,
        ))
    }
}
