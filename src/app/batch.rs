//! A province's work in one process: drafting again, issuing and archiving many cases'
//! documents at once, on every core. Each item goes through the same functions as the
//! single-document path, so its bytes are the same; one item's failure is that item's
//! result and the others go on.
//!
//! Threads share the loaded templates and procedures; each opens its own store connection,
//! as a server's requests do. Issuing takes numbers on one connection, in the order of
//! drafting, so that each register book's numbers follow its dates and a document citing an
//! earlier one of its case finds it numbered; the rendering of the final files, the costly
//! part, runs on the other threads as numbers come.

use std::sync::{Mutex, mpsc};

use chrono::{Datelike, NaiveDate};

use super::{App, Drafted, limit_ahead, refuse_damaged};
use crate::archive;
use crate::error::Result;
use crate::issue::{self, Issued};
use crate::store::{CaseRow, DocumentRow};

/// Which cases a batch takes.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Cases recorded for this unit or one under it (`kon-tum`, `kon-tum/dak-mar`); every
    /// case when `None`. A case made outside the web application has no unit and is taken
    /// only when no unit is asked.
    pub agency: Option<String>,
    /// Documents drafted on or after this day.
    pub from: Option<NaiveDate>,
    /// Documents drafted on or before this day.
    pub to: Option<NaiveDate>,
}

/// The day each document of a batch is issued.
#[derive(Debug, Clone, Copy)]
pub enum IssueDay {
    /// One day for all, as a văn thư issuing today.
    On(NaiveDate),
    /// Each on the day it was drafted: a back catalogue entered after the fact.
    Drafted,
}

/// A document of a batch: its case and its id there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocRef {
    pub case: String,
    pub doc: String,
}

impl std::fmt::Display for DocRef {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{} {}", self.case, self.doc)
    }
}

fn under(agency: &str, unit: &str) -> bool {
    agency == unit
        || agency
            .strip_prefix(unit)
            .is_some_and(|rest| rest.starts_with('/'))
}

impl App {
    /// Makes, inside each of a batch's threads (a store connection stays in its thread), the
    /// application it works with: the same templates, procedures, database and person, its
    /// own connection.
    fn worker(&self) -> Result<impl Fn() -> App + Sync + use<>> {
        let (templates, engine) = self.shared()?;
        let (config, person) = (self.config.clone(), self.person.clone());
        Ok(move || {
            let mut app = App::with_shared(config.clone(), templates.clone(), engine.clone());
            app.person = person.clone();
            app
        })
    }

    /// The cases a selection takes, in id order.
    fn selected_cases(&mut self, sel: &Selection) -> Result<Vec<CaseRow>> {
        let store = self.reader()?;
        let agencies = match &sel.agency {
            Some(_) => store.case_agencies()?,
            None => Default::default(),
        };
        let mut cases: Vec<CaseRow> = store
            .cases()?
            .into_iter()
            .filter(|c| match &sel.agency {
                Some(unit) => agencies.get(&c.id).is_some_and(|a| under(a, unit)),
                None => true,
            })
            .collect();
        cases.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(cases)
    }

    /// The documents of open cases drafted and not yet issued, in the order they were drafted
    /// (day, then case, then the case's own order). Documents issued with another ("kèm
    /// theo") are left to it; an ended case's drafts are not issued in bulk.
    pub fn open_documents(&mut self, sel: &Selection) -> Result<Vec<DocRef>> {
        let cases = self.selected_cases(sel)?;
        let attached: std::collections::HashSet<String> = self
            .templates()?
            .iter()
            .filter(|t| t.attached_kind().is_some())
            .map(|t| t.id.clone())
            .collect();
        let in_period = |d: &DocumentRow| {
            sel.from.is_none_or(|f| d.drafted_on >= f) && sel.to.is_none_or(|t| d.drafted_on <= t)
        };
        let mut docs: Vec<(NaiveDate, String, u32, String)> = Vec::new();
        let store = self.reader()?;
        for c in cases.iter().filter(|c| c.ended.is_none()) {
            for d in store.documents(&c.id)? {
                if d.entry.is_none() && in_period(&d) && !attached.contains(&d.template) {
                    docs.push((d.drafted_on, c.id.clone(), d.seq(), d.doc));
                }
            }
        }
        docs.sort();
        Ok(docs
            .into_iter()
            .map(|(_, case, _, doc)| DocRef { case, doc })
            .collect())
    }

    /// Each document's draft rendered again ([`App::draft`]) on `jobs` threads; `done` gets
    /// each as it is ready.
    pub fn draft_all(
        &mut self,
        docs: &[DocRef],
        jobs: usize,
        done: &(dyn Fn(&DocRef, Result<Drafted>) + Sync),
    ) -> Result<()> {
        self.each_on_threads(docs, jobs, &|app, d| done(d, app.draft(&d.case, &d.doc)))
    }

    /// Issues documents as [`App::issue`] would one by one: numbers are taken here in the
    /// order given (that of [`App::open_documents`]), and each numbered document's final
    /// files are rendered and kept on one of `jobs` threads; `done` gets each as it is ready.
    /// A document that cannot be numbered (a citation not issued, a day before its draft)
    /// is reported and the next goes on.
    pub fn issue_all(
        &mut self,
        docs: &[DocRef],
        day: IssueDay,
        allow_future: bool,
        jobs: usize,
        done: &(dyn Fn(&DocRef, Result<Issued>) + Sync),
    ) -> Result<()> {
        let (set, _) = self.shared()?;
        let worker = self.worker()?;
        let workers = jobs.clamp(1, docs.len().max(1));
        let person = self.person.clone();
        let store = self.store()?;
        let (send, receive) = mpsc::sync_channel::<(DocRef, issue::Numbered)>(2 * workers);
        let receive = Mutex::new(receive);
        std::thread::scope(|s| {
            for _ in 0..workers {
                let (receive, set, worker) = (&receive, &set, &worker);
                s.spawn(move || {
                    let mut app = worker();
                    loop {
                        let next = match receive.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => break,
                        };
                        let Ok((d, numbered)) = next else { break };
                        let issued = app.store().and_then(|st| issue::files(set, st, numbered));
                        done(&d, issued);
                    }
                });
            }
            for d in docs {
                let numbered = (|| {
                    let at = match day {
                        IssueDay::On(at) => at,
                        IssueDay::Drafted => {
                            issue::find(&store.documents(&d.case)?, &d.case, &d.doc)?.drafted_on
                        }
                    };
                    let how = issue::How {
                        not_after: limit_ahead(allow_future),
                        edited: None,
                        person: person.as_deref(),
                    };
                    issue::number(&set, store, &d.case, &d.doc, at, how)
                })();
                match numbered {
                    Ok(n) => {
                        if send.send((d.clone(), n)).is_err() {
                            break;
                        }
                    }
                    Err(e) => done(d, Err(e)),
                }
            }
            drop(send);
        });
        Ok(())
    }

    /// The cases to archive: those ended (in `year`, when given) among the selection's; an
    /// open case's hồ sơ is not complete, and is archived on its own (`hoso archive`).
    pub fn ended_cases(&mut self, sel: &Selection, year: Option<i32>) -> Result<Vec<String>> {
        Ok(self
            .selected_cases(sel)?
            .into_iter()
            .filter(|c| {
                c.ended
                    .as_ref()
                    .is_some_and(|e| year.is_none_or(|y| e.on.year() == y))
            })
            .map(|c| c.id)
            .collect())
    }

    /// Each case's hồ sơ as a BagIt ZIP ([`App::archive`]), on `jobs` threads; the store's
    /// integrity is checked once for all, as a single archive checks it.
    pub fn archive_all(
        &mut self,
        cases: &[String],
        jobs: usize,
        done: &(dyn Fn(&str, Result<Vec<u8>>) + Sync),
    ) -> Result<()> {
        refuse_damaged(self.reader()?)?;
        self.each_on_threads(cases, jobs, &|app, case| {
            let bag = app.read_parts().and_then(|(set, engine, store)| {
                archive::build_reporting(set, engine, store, case, &|_, _| {})
            });
            done(case, bag)
        })
    }

    /// `each` for every item, on up to `jobs` threads each taking the next item left, with
    /// its own application ([`App::worker`]).
    fn each_on_threads<T: Sync>(
        &self,
        items: &[T],
        jobs: usize,
        each: &(dyn Fn(&mut App, &T) + Sync),
    ) -> Result<()> {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let worker = self.worker()?;
        std::thread::scope(|s| {
            for _ in 0..jobs.clamp(1, items.len().max(1)) {
                let (next, worker) = (&next, &worker);
                s.spawn(move || {
                    let mut app = worker();
                    while let Some(item) =
                        items.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                    {
                        each(&mut app, item);
                    }
                });
            }
        });
        Ok(())
    }
}

/// What a batch says when its selection takes nothing: a batch run on a schedule finds
/// nothing to do some days, which is no error, but it says why rather than nothing.
pub fn nothing(what: &str, sel: &Selection) -> String {
    let mut why = Vec::new();
    if let Some(a) = &sel.agency {
        why.push(format!("đơn vị {a}"));
    }
    if let Some(f) = sel.from {
        why.push(format!("từ ngày {}", f.format("%d/%m/%Y")));
    }
    if let Some(t) = sel.to {
        why.push(format!("đến ngày {}", t.format("%d/%m/%Y")));
    }
    let why = if why.is_empty() {
        String::new()
    } else {
        format!(" ({})", why.join(", "))
    };
    format!("Không có {what}{why}: không ghi gì.\n")
}
