//! A province's deadlines without reading every case's log each time. Each case's deadlines
//! are kept in the store once worked out, with the case's revision (which the database raises
//! in the same write as any change to the case), the rules' fingerprint and the days they
//! hold for; a list reads them and works out again only the cases where one of these no
//! longer matches — a case just recorded, a series whose next deadline passed, procedures
//! changed. Worked out or read, a case's deadlines are the same: the tests compare both.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{App, DueItem, stored_dates, subject_of};
use crate::engine::Engine;
use crate::error::Result;
use crate::store::{CaseRow, DueCache, EventRow, StepRow, Store};
use crate::workflow::{ProcedureKey, Workflow};

/// Above this many cases to work out, the log is read in one query, not one per case.
const READ_ALL_FROM: usize = 64;

/// A case's deadlines as kept, without the day's overdue marks. Step titles are the
/// procedure's, read from it again rather than kept once per deadline.
#[derive(Debug, Serialize, Deserialize)]
struct Kept {
    subject: String,
    workflow: String,
    /// The procedure and version governing the case that day, whose steps' titles are shown.
    governing: Option<(String, String)>,
    items: Vec<KeptItem>,
}

/// Step, last day, whether the documents say "trước ngày" (see [`DueItem`]); kept as a JSON
/// array, as a province's list reads tens of thousands.
#[derive(Debug, Serialize, Deserialize)]
struct KeptItem(String, NaiveDate, bool);

impl Kept {
    /// The deadlines up to `before` on `on`.
    fn items(
        self,
        engine: &Engine,
        case: &str,
        before: Option<NaiveDate>,
        on: NaiveDate,
    ) -> Vec<DueItem> {
        let w = self
            .governing
            .as_ref()
            .and_then(|(id, version)| engine.version(&ProcedureKey::parse(id), version).ok());
        let Kept {
            subject,
            workflow,
            items,
            ..
        } = self;
        items
            .into_iter()
            .filter(|KeptItem(_, due, _)| before.is_none_or(|b| *due <= b))
            .map(|KeptItem(step, due, said_before)| DueItem {
                case: case.to_string(),
                workflow: workflow.clone(),
                title: title(w, &step),
                step,
                subject: subject.clone(),
                overdue: due < on,
                due,
                before: said_before,
            })
            .collect()
    }
}

/// A step's title in its procedure, or its id where the procedure is not loaded.
fn title(w: Option<&Workflow>, step: &str) -> String {
    w.and_then(|w| w.steps.iter().find(|s| s.id == step))
        .map_or_else(|| step.to_string(), |s| s.title.clone())
}

/// One case's deadlines worked out on `on`, all of them, and whether they may be kept, with
/// the last day they hold for. A list made without its procedure (one refused, a condition
/// that overran) is shown but not kept: what failed may not fail tomorrow.
fn work_out(
    engine: &Engine,
    case: &CaseRow,
    steps: &[StepRow],
    events: &[EventRow],
    on: NaiveDate,
) -> (Kept, Option<Option<NaiveDate>>) {
    let w = engine
        .of_case(case)
        .and_then(|own| engine.governing(own, on.max(case.created_on)))
        .ok();
    let (s, keep) = match engine.standing(case, steps, events, on) {
        Ok(s) => (s, true),
        Err(_) => (stored_dates(steps, on), false),
    };
    let items = s
        .pending
        .into_iter()
        .map(|p| KeptItem(p.step, p.due, p.before))
        .collect();
    let kept = Kept {
        subject: subject_of(case),
        workflow: case.workflow.clone(),
        governing: w.map(|w| (w.id.clone(), w.version.clone())),
        items,
    };
    (kept, keep.then_some(s.valid_through))
}

/// Works out the deadlines of `cases` (id, revision) on `on`, each with what to keep of it
/// under `rules`, if anything.
fn work_out_cases(
    engine: &Engine,
    store: &dyn Store,
    cases: &[(String, i64)],
    on: NaiveDate,
    rules: &str,
) -> Result<Vec<(String, Kept, Option<DueCache>)>> {
    let mut out = Vec::new();
    let mut keep = |case: &CaseRow, revision: i64, steps: &[StepRow], events: &[EventRow]| {
        let (kept, through) = work_out(engine, case, steps, events, on);
        let cache = through.map(|through| DueCache {
            case: case.id.clone(),
            revision,
            rules: rules.to_string(),
            from: on,
            through,
            items: serde_json::to_string(&kept).unwrap_or_default(),
        });
        out.push((case.id.clone(), kept, cache));
    };
    if cases.len() < READ_ALL_FROM {
        for (id, revision) in cases {
            let case = store.case(id)?;
            keep(&case, *revision, &store.steps(id)?, &store.events(id)?);
        }
    } else {
        let revisions: std::collections::HashMap<&str, i64> =
            cases.iter().map(|(c, r)| (c.as_str(), *r)).collect();
        let mut steps = store.every_step()?;
        let mut events = store.every_event(&engine.occurrence_inputs())?;
        for case in store.cases()? {
            if let Some(&revision) = revisions.get(case.id.as_str()) {
                let steps = steps.remove(&case.id).unwrap_or_default();
                let events = events.remove(&case.id).unwrap_or_default();
                keep(&case, revision, &steps, &events);
            }
        }
    }
    Ok(out)
}

impl App {
    /// Deadlines of open steps, earliest first, each with its step's title: every occurrence
    /// of a recurring step not met (see [`Engine::standing`]). `on` is the day the list is
    /// for: deadlines before it are overdue.
    pub fn due(&mut self, before: Option<NaiveDate>, on: NaiveDate) -> Result<Vec<DueItem>> {
        let (mut items, fresh) = {
            let (engine, store) = self.judge_parts()?;
            let rules = engine.fingerprint();
            let mut items = Vec::new();
            let mut stale = Vec::new();
            for state in store.due_states(&rules, on)? {
                let kept = state
                    .kept
                    .and_then(|k| serde_json::from_str::<Kept>(&k).ok());
                match kept {
                    Some(kept) => items.extend(kept.items(engine, &state.case, before, on)),
                    None => stale.push((state.case, state.revision)),
                }
            }
            let mut fresh = Vec::new();
            for (case, kept, cache) in work_out_cases(engine, store, &stale, on, &rules)? {
                items.extend(kept.items(engine, &case, before, on));
                fresh.extend(cache);
            }
            (items, fresh)
        };
        if !fresh.is_empty() {
            self.keep_due(&fresh);
        }
        // A case lists a step's occurrence once, so no two items compare equal.
        items.sort_unstable_by(|a, b| (a.due, &a.case, &a.step).cmp(&(b.due, &b.case, &b.step)));
        Ok(items)
    }

    /// One case's deadlines on `on`, as [`due`](Self::due) lists them, worked out from its
    /// own rows: for a page that shows a person's few cases without judging the province's.
    pub fn due_of_case(&mut self, id: &str, on: NaiveDate) -> Result<Vec<DueItem>> {
        let (engine, store) = self.judge_parts()?;
        let case = store.case(id)?;
        let (steps, events) = (store.steps(id)?, store.events(id)?);
        let (kept, _) = work_out(engine, &case, &steps, &events, on);
        Ok(kept.items(engine, id, None, on))
    }

    /// Keeps deadlines just worked out. They are a copy of what the cases say: where the
    /// store cannot be written (a read-only disk, a lock held too long) they are worked out
    /// again next time, and the list is no less right.
    fn keep_due(&mut self, fresh: &[DueCache]) {
        let Ok(store) = self.store() else {
            return;
        };
        let Ok(mut tx) = store.begin() else {
            return;
        };
        if tx.keep_due(fresh).is_ok() {
            let _ = tx.commit();
        }
    }
}
