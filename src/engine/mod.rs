//! The engine drives a case through its workflow: it checks a step is open, its inputs have the
//! declared types and its guards hold, then records the step, opens what comes next with due
//! dates, and says which documents the step produces. It knows nothing of rendering, and works
//! over any [`Store`]: [`Engine::plan`] only reads, [`Engine::commit`] writes inside the
//! caller's transaction, so a step, its drafts and the case it starts are one write.

pub mod calendar;
pub mod days_off;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::store::{CaseRow, NewCase, StepChange, Store, StoreTx};
use crate::workflow::{FieldSpec, FieldType, Next, ProcedureKey, Starts, Step, Workflow, ho_so};

/// A checked step, ready to be recorded.
#[derive(Debug, Clone)]
pub struct Plan {
    pub case_id: String,
    pub step: String,
    pub actor: String,
    pub at: NaiveDate,
    pub inputs: Value,
    /// The case data after the step.
    pub data: Value,
    recurring: bool,
    /// The step ends the case.
    pub ends: bool,
    /// The case's procedure key and events when planned: recording is refused if the case
    /// moved on since.
    workflow: ProcedureKey,
    /// The version of that procedure the step follows.
    version: String,
    /// The procedure (id, version) the case moves to with this step: its province's file
    /// expired and the successor's applies (the 2025 mergers).
    pub moved_to: Option<(String, String)>,
    events_seen: usize,
    /// Open steps the procedure the case moves to has no longer (the district review after
    /// 01/07/2025): closed with this step.
    dropped: Vec<String>,
    pub outcome: Outcome,
}

/// A deadline of a case not met on the day asked: an open step's due date, or one occurrence of
/// a recurring step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub step: String,
    pub due: NaiveDate,
    /// The deadline is before the day asked.
    pub overdue: bool,
    /// The documents say "trước ngày" the day after `due` (see [`crate::workflow::deadline_words`]).
    pub before: bool,
}

/// Where a case's deadlines stand on a day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Standing {
    /// Earliest first.
    pub pending: Vec<Pending>,
    /// Steps the case no longer takes, with the reason (a district step after the reform).
    pub dropped: Vec<(String, String)>,
    /// The last day the same list holds for, but for which deadlines have become overdue:
    /// the next deadline of a series (the day after it the following occurrence is listed),
    /// or the last day of a procedure a successor replaces. `None`: no later day changes it.
    pub valid_through: Option<NaiveDate>,
}

/// The procedures the engine knows, by key, loaded once.
pub struct Engine {
    /// Every version of each procedure, oldest first.
    workflows: BTreeMap<String, Vec<Workflow>>,
    /// The hồ sơ each base procedure keeps.
    lists: BTreeMap<String, Vec<ho_so::Item>>,
    /// Procedure files set aside: their cases are refused with the files' problems.
    broken: Vec<crate::workflow::Broken>,
}

/// What completing a step did.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Steps now open, with due dates.
    pub opened: Vec<(String, Option<NaiveDate>)>,
    /// Templates of the documents the step produces.
    pub documents: Vec<String>,
    /// A linked case to start (nhân rộng).
    pub starts: Option<Starts>,
    /// The ids of the linked cases, once started: one per site named.
    pub linked: Vec<String>,
}

fn refused(step: &str, reason: String) -> Error {
    Error::Refused {
        step: step.to_string(),
        reason,
    }
}

/// Checks values against their declared types; errors name the field.
pub fn validate(
    specs: &BTreeMap<String, FieldSpec>,
    values: &Map<String, Value>,
    what: &str,
) -> Result<()> {
    for (name, spec) in specs {
        let Some(v) = values.get(name).filter(|v| !v.is_null()) else {
            if spec.optional {
                continue;
            }
            return Err(Error::Invalid(format!("{what}: thiếu trường `{name}`")));
        };
        let bad = |expected: &str| {
            Error::Invalid(format!(
                "{what}: trường `{name}` phải là {expected}, không phải {v}"
            ))
        };
        match spec.ty {
            FieldType::Text => v.as_str().map(|_| ()).ok_or_else(|| bad("văn bản"))?,
            FieldType::Date => v
                .as_str()
                .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                .map(|_| ())
                .ok_or_else(|| bad("ngày dạng YYYY-MM-DD"))?,
            FieldType::Number => v.as_f64().map(|_| ()).ok_or_else(|| bad("số"))?,
            FieldType::Percent => v
                .as_f64()
                .filter(|p| (0.0..=100.0).contains(p))
                .map(|_| ())
                .ok_or_else(|| bad("tỷ lệ từ 0 đến 100"))?,
            FieldType::Bool => v
                .as_bool()
                .map(|_| ())
                .ok_or_else(|| bad("true hoặc false"))?,
            FieldType::Enum => v
                .as_str()
                .filter(|s| spec.values.iter().any(|x| x == s))
                .map(|_| ())
                .ok_or_else(|| bad(&format!("một trong: {}", spec.values.join(", "))))?,
            FieldType::List => v.as_array().map(|_| ()).ok_or_else(|| bad("danh sách"))?,
            // Its indicators are checked against the procedure's form by `check_inputs`.
            FieldType::ThongKe => v
                .as_object()
                .map(|_| ())
                .ok_or_else(|| bad("bảng thống kê (chỉ tiêu: số liệu)"))?,
        }
    }
    Ok(())
}

fn date_arg(s: &str) -> std::result::Result<NaiveDate, cel::ExecutionError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        cel::ExecutionError::function_error("date", format!("`{s}` không phải ngày YYYY-MM-DD"))
    })
}

/// Evaluates a CEL condition over the case (with the step's inputs applied), the step's inputs
/// and its date. Functions offered
/// to workflow authors: `months_between(from, to)` (whole months, counted as the Civil Code
/// counts them), `evaluation_end(at)` (the 31/10 that closes the rating year, 01/11–31/10, a
/// report dated `at` is for: see [`calendar::evaluation_end`]) and `year(date)` (its year, a
/// number: `year(evaluation_end(at))` is the rating year's).
///
/// The case's past is read with `done(step)` and `times(step)` (was the step recorded, how
/// many times), or `done(step, period)` and `times(step, period)` in the [`calendar::PERIODS`]
/// period of `at` — "mỗi năm một lần", "chỉ sau bước X" — from `history`, the steps recorded
/// before this one.
pub fn holds(
    expr: &str,
    case: &Value,
    inputs: &Value,
    at: NaiveDate,
    history: &History,
) -> Result<bool> {
    Ok(holds_on(expr, case, inputs, &[at], history)?
        .first()
        .copied()
        .unwrap_or(false))
}

/// [`holds`] on each of several days: compiled and set up once, for a list of deadlines that
/// asks a `due_while` condition of every occurrence of every case.
pub fn holds_on(
    expr: &str,
    case: &Value,
    inputs: &Value,
    days: &[NaiveDate],
    history: &History,
) -> Result<Vec<bool>> {
    // The check refuses conditions that could run long (nested comprehensions, very long
    // expressions); a definition loaded without it, or data that makes a list huge, still gets
    // no more than GUARD_TIME: the evaluation runs apart and is abandoned when it overruns.
    // Only the bounds: the program is compiled once, where it is evaluated.
    if let Some(problem) = crate::workflow::check::bound_error(expr) {
        return Err(Error::Invalid(format!("điều kiện `{expr}`: {problem}")));
    }
    let (expr_owned, case, inputs) = (expr.to_string(), case.clone(), inputs.clone());
    let history = Arc::new(history.to_vec());
    let days = days.to_vec();
    let (send, receive) = std::sync::mpsc::channel();
    let job: Job = Box::new(move || {
        let _ = send.send(evaluate(&expr_owned, &case, &inputs, &days, history));
    });
    let overrun = || {
        Error::Invalid(format!(
            "điều kiện `{expr}` chạy quá {} giây; sửa điều kiện trong quy trình",
            GUARD_TIME.as_secs()
        ))
    };
    EVALUATOR.with(|e| -> Result<()> {
        let mut e = e.borrow_mut();
        let sender = match e.take() {
            Some(s) => s,
            None => evaluator().map_err(|m| Error::Invalid(format!("điều kiện `{expr}`: {m}")))?,
        };
        // An evaluator whose thread is gone (it was abandoned) is replaced.
        let sender = match sender.send(job) {
            Ok(()) => sender,
            Err(std::sync::mpsc::SendError(job)) => {
                let fresh =
                    evaluator().map_err(|m| Error::Invalid(format!("điều kiện `{expr}`: {m}")))?;
                fresh.send(job).map_err(|_| overrun())?;
                fresh
            }
        };
        *e = Some(sender);
        Ok(())
    })?;
    receive.recv_timeout(GUARD_TIME).unwrap_or_else(|_| {
        // Still running: that thread is abandoned to it; the next condition gets a new one.
        EVALUATOR.with(|e| e.borrow_mut().take());
        Err(overrun())
    })
}

/// A condition's evaluation, sent to the thread that runs it.
type Job = Box<dyn FnOnce() + Send>;

thread_local! {
    /// Each thread's evaluator: conditions run apart, so that one that overruns is abandoned,
    /// on a thread kept for the next one — a list of a province's deadlines asks thousands,
    /// and starting a thread for each cost more than evaluating them.
    static EVALUATOR: std::cell::RefCell<Option<std::sync::mpsc::Sender<Job>>> =
        const { std::cell::RefCell::new(None) };
}

/// A new evaluator thread, taking jobs until its sender is dropped.
fn evaluator() -> std::io::Result<std::sync::mpsc::Sender<Job>> {
    let (send, receive) = std::sync::mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("cel".into())
        .spawn(move || {
            while let Ok(job) = receive.recv() {
                job();
            }
        })?;
    Ok(send)
}

/// The field a case started by nhân rộng names its source case in (a condition may read it).
pub const SOURCE_FIELD: &str = "nhan_rong_tu";

/// The longest a condition may take to evaluate.
pub const GUARD_TIME: std::time::Duration = std::time::Duration::from_secs(5);

/// The steps a case recorded, with their dates, oldest first: what `done` and `times` read.
pub type History = [(String, NaiveDate)];

/// The history of a case from its events.
pub fn history(events: &[crate::store::EventRow]) -> Vec<(String, NaiveDate)> {
    events.iter().map(|e| (e.step.clone(), e.on_date)).collect()
}

/// `times(step)` or `times(step, period)`: how many times `step` was recorded (in the period
/// of `at`).
fn times(
    history: &History,
    args: &[cel::Value],
    at: NaiveDate,
) -> std::result::Result<i64, cel::ExecutionError> {
    let (step, period) = match args {
        [cel::Value::String(s)] => (s, None),
        [cel::Value::String(s), cel::Value::String(p)] => (s, Some(p)),
        _ => {
            return Err(cel::ExecutionError::function_error(
                "times",
                "cần mã bước và (tùy chọn) kỳ: 'year', 'quarter', 'month', 'evaluation-year'",
            ));
        }
    };
    let mut n = 0;
    for (_, on) in history.iter().filter(|(s, _)| s == step.as_str()) {
        let same = match period {
            None => true,
            Some(p) => calendar::same_period(p, *on, at).ok_or_else(|| {
                cel::ExecutionError::function_error("times", format!("không có kỳ `{p}`"))
            })?,
        };
        n += i64::from(same);
    }
    Ok(n)
}

fn evaluate(
    expr: &str,
    case: &Value,
    inputs: &Value,
    days: &[NaiveDate],
    history: Arc<Vec<(String, NaiveDate)>>,
) -> Result<Vec<bool>> {
    thread_local! {
        /// The conditions this evaluator thread compiled: the same few are asked of every case.
        static COMPILED: std::cell::RefCell<HashMap<String, std::rc::Rc<cel::Program>>> =
            std::cell::RefCell::new(HashMap::new());
    }
    let program = match COMPILED.with(|c| c.borrow().get(expr).cloned()) {
        Some(p) => p,
        None => {
            let p = std::rc::Rc::new(
                cel::Program::compile(expr)
                    .map_err(|e| Error::Invalid(format!("`{expr}`: {e}")))?,
            );
            COMPILED.with(|c| c.borrow_mut().insert(expr.to_string(), p.clone()));
            p
        }
    };
    let mut ctx = cel::Context::default();
    let to = |v: &Value| cel::to_value(v).map_err(|e| Error::Invalid(e.to_string()));
    ctx.add_variable_from_value("case", to(case)?);
    ctx.add_variable_from_value("inputs", to(inputs)?);
    // The day asked, which `done` and `times` read too.
    let today = Arc::new(std::sync::Mutex::new(NaiveDate::MIN));
    let on = {
        let today = today.clone();
        move || today.lock().map_or(NaiveDate::MIN, |d| *d)
    };
    // The names `workflow check` lets a condition call: crate::workflow::guards::FUNCTIONS.
    let _ = ctx.add_function("months_between", |a: Arc<String>, b: Arc<String>| {
        Ok::<i64, cel::ExecutionError>(calendar::months_between(date_arg(&a)?, date_arg(&b)?))
    });
    let _ = ctx.add_function("evaluation_end", |a: Arc<String>| {
        Ok::<Arc<String>, cel::ExecutionError>(Arc::new(
            calendar::evaluation_end(date_arg(&a)?)
                .format("%Y-%m-%d")
                .to_string(),
        ))
    });
    let _ = ctx.add_function("year", |a: Arc<String>| {
        Ok::<i64, cel::ExecutionError>(i64::from(date_arg(&a)?.year()))
    });
    let (past, at) = (history.clone(), on.clone());
    let _ = ctx.add_function(
        "done",
        move |cel::extractors::Arguments(args): cel::extractors::Arguments| {
            times(&past, &args, at()).map(|n| n > 0)
        },
    );
    let _ = ctx.add_function(
        "times",
        move |cel::extractors::Arguments(args): cel::extractors::Arguments| {
            times(&history, &args, on())
        },
    );
    days.iter()
        .map(|day| {
            if let Ok(mut d) = today.lock() {
                *d = *day;
            }
            ctx.add_variable_from_value("at", day.format("%Y-%m-%d").to_string());
            match program.execute(&ctx) {
                Ok(cel::Value::Bool(b)) => Ok(b),
                // A field the case does not have yet makes the condition false, not an error.
                Err(cel::ExecutionError::NoSuchKey(_)) => Ok(false),
                Ok(other) => Err(Error::Invalid(format!(
                    "điều kiện `{expr}` cho {other:?}, không phải true hay false"
                ))),
                Err(e) => Err(Error::Invalid(format!("điều kiện `{expr}`: {e}"))),
            }
        })
        .collect()
}

/// Fills `{field}` in a message from the inputs, then the case; dates print as dd/mm/yyyy.
fn interpolate(message: &str, case: &Value, inputs: &Value) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else { break };
        let name = &rest[i + 1..i + j];
        out.push_str(&rest[..i]);
        let v = inputs.get(name).or_else(|| case.get(name));
        match v {
            Some(Value::String(s)) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) => out.push_str(&d.format("%d/%m/%Y").to_string()),
                Err(_) => out.push_str(s),
            },
            Some(Value::Null) | None => out.push('—'),
            Some(other) => out.push_str(&other.to_string()),
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out
}

fn as_map(v: &Value, what: &str) -> Result<Map<String, Value>> {
    match v {
        Value::Object(m) => Ok(m.clone()),
        Value::Null => Ok(Map::new()),
        _ => Err(Error::Invalid(format!(
            "{what}: cần một bảng tên trường → giá trị"
        ))),
    }
}

impl Engine {
    /// An engine over procedures without hồ sơ lists (tests, benchmarks).
    pub fn new(workflows: impl IntoIterator<Item = Workflow>) -> Engine {
        Engine::with_lists(workflows, BTreeMap::new())
    }

    /// The engine of loaded procedures: workflows and the hồ sơ lists that come with them.
    pub fn from_procedures(p: crate::workflow::Procedures) -> Engine {
        Engine {
            broken: p.broken,
            ..Engine::with_lists(p.workflows, p.lists)
        }
    }

    /// What a case's deadlines are worked out from, as one SHA-256: every procedure version
    /// as loaded, the non-working days, and the code that works them out (a digest of its
    /// sources made at build time). Deadlines kept under another fingerprint were worked out
    /// under other rules (see [`crate::store::DueCache`]).
    pub fn fingerprint(&self) -> String {
        let procedures = serde_json::to_vec(&self.workflows).unwrap_or_default();
        let mut all = format!(
            "hoso {} {}\n{}\n",
            env!("CARGO_PKG_VERSION"),
            env!("HOSO_DEADLINE_SOURCES"),
            days_off::digest()
        )
        .into_bytes();
        all.extend_from_slice(&procedures);
        crate::fsutil::sha256_hex(&all)
    }

    /// The procedure files set aside for their problems.
    pub fn broken(&self) -> &[crate::workflow::Broken] {
        &self.broken
    }

    fn with_lists(
        workflows: impl IntoIterator<Item = Workflow>,
        lists: BTreeMap<String, Vec<ho_so::Item>>,
    ) -> Engine {
        let mut by_id: BTreeMap<String, Vec<Workflow>> = BTreeMap::new();
        for w in workflows {
            by_id.entry(w.id.clone()).or_default().push(w);
        }
        for versions in by_id.values_mut() {
            versions.sort_by_key(|w| w.effective_from);
        }
        Engine {
            workflows: by_id,
            lists,
            broken: Vec::new(),
        }
    }

    /// The inputs [`standing`](Self::standing) reads of a case's log besides each event's
    /// step and day (which `due_while` conditions count): the steps that name the occurrence
    /// they meet, with that input, in every procedure — what a province-wide list of deadlines
    /// keeps of the events' inputs ([`crate::store::Store::every_event`]).
    pub fn occurrence_inputs(&self) -> Vec<(String, String)> {
        let mut steps: Vec<(String, String)> = self
            .workflows
            .values()
            .flatten()
            .flat_map(|w| &w.steps)
            .filter_map(|s| Some((s.id.clone(), s.occurrence.clone()?)))
            .collect();
        steps.sort();
        steps.dedup();
        steps
    }

    /// Every procedure key, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.workflows.keys().map(String::as_str)
    }

    /// The hồ sơ a procedure must keep (a province's overlay keeps its base's list).
    pub fn ho_so(&self, key: &ProcedureKey) -> &[ho_so::Item] {
        self.lists.get(&key.base).map(Vec::as_slice).unwrap_or(&[])
    }

    fn versions(&self, key: &ProcedureKey) -> Result<&[Workflow]> {
        if let Some(b) = self.broken.iter().find(|b| b.covers(key)) {
            return Err(b.refusal(key));
        }
        let id = key.to_string();
        self.workflows.get(&id).map(Vec::as_slice).ok_or_else(|| {
            Error::NotFound(format!(
                "không có quy trình `{id}` (có: {})",
                self.workflows
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }

    /// The newest version of a procedure (what `workflow show` prints).
    pub fn newest(&self, key: &ProcedureKey) -> Result<&Workflow> {
        self.versions(key)?
            .last()
            .ok_or_else(|| Error::NotFound(format!("không có quy trình `{key}`")))
    }

    /// An agency of a province's file, by its id there (`--province kon-tum --issuer bcd-tinh`).
    pub fn agency(&self, province: &str, id: &str) -> Result<&crate::workflow::overlay::Agency> {
        let mut known = Vec::new();
        for versions in self.workflows.values() {
            let Some(newest) = versions.last() else {
                continue;
            };
            if ProcedureKey::parse(&newest.id).province.as_deref() != Some(province) {
                continue;
            }
            for w in versions.iter().rev() {
                if let Some(a) = w.agencies.get(id) {
                    return Ok(a);
                }
                known.extend(w.agencies.keys().cloned());
            }
        }
        if known.is_empty() {
            if let Some(b) = self
                .broken
                .iter()
                .find(|b| b.province.as_deref() == Some(province))
            {
                let base = b.base.as_deref().unwrap_or("?");
                return Err(b.refusal(&ProcedureKey::new(base, Some(province))));
            }
            return Err(Error::NotFound(format!(
                "không có tệp tỉnh `{province}` (--province)"
            )));
        }
        known.sort();
        known.dedup();
        Err(Error::NotFound(format!(
            "tỉnh `{province}` không có cơ quan `{id}` (có: {})",
            known.join(", ")
        )))
    }

    /// The version in effect on `at`: the latest whose `effective_from` is not after it.
    pub fn in_effect(&self, key: &ProcedureKey, at: NaiveDate) -> Result<&Workflow> {
        self.versions(key)?
            .iter()
            .rev()
            .find(|w| w.effective_from <= at)
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "ngày {} chưa có phiên bản nào của `{key}` có hiệu lực",
                    at.format("%d/%m/%Y")
                ))
            })
    }

    /// The version a case started with: a case keeps it for life.
    pub fn version(&self, key: &ProcedureKey, version: &str) -> Result<&Workflow> {
        self.versions(key)?
            .iter()
            .find(|w| w.version == version)
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "`{key}` phiên bản {version} chưa được nạp: đặt tệp của phiên bản đó bên cạnh \
                     phiên bản mới"
                ))
            })
    }

    /// Checks a step's inputs before anything else is done: only the inputs the step declares,
    /// each of its type (a caller names the file they came from).
    pub fn check_inputs(&self, case: &CaseRow, step_id: &str, inputs: &Value) -> Result<()> {
        let w = self.of_case(case)?;
        check_inputs(w, step_of(w, step_id)?, inputs).map(|_| ())
    }

    /// The templates a step of a case may produce (a conditional one included).
    pub fn step_documents(&self, case: &CaseRow, step_id: &str) -> Result<Vec<String>> {
        let w = self.of_case(case)?;
        Ok(step_of(w, step_id)?
            .documents
            .iter()
            .map(|d| d.template.clone())
            .collect())
    }

    /// The procedure a planned step follows: the case's own, or its successor's.
    pub fn of_plan(&self, plan: &Plan) -> Result<&Workflow> {
        self.version(&plan.workflow, &plan.version)
    }

    /// The procedure that governs a step on `at` of a case following `w`: `w` itself, or, once
    /// `w`'s province file has expired, the file of its successor in effect on `at` (Bắc Kạn →
    /// Thái Nguyên, Kon Tum → Quảng Ngãi from 01/07/2025).
    pub fn governing<'a>(&'a self, mut w: &'a Workflow, at: NaiveDate) -> Result<&'a Workflow> {
        for _ in 0..8 {
            let (Some(until), Some(next)) = (w.effective_until, &w.successor) else {
                break;
            };
            if at <= until {
                break;
            }
            let key = ProcedureKey::new(&ProcedureKey::parse(&w.id).base, Some(next));
            w = self.in_effect(&key, at)?;
        }
        Ok(w)
    }

    /// The procedure a stored case follows, at its own version.
    pub fn of_case(&self, case: &CaseRow) -> Result<&Workflow> {
        self.version(&ProcedureKey::parse(&case.workflow), &case.version)
    }

    /// A case of procedure `key` with its fields, checked, with its first step open: what
    /// [`StoreTx::insert_case`] writes.
    pub fn case_for(&self, key: &ProcedureKey, data: &Value, at: NaiveDate) -> Result<NewCase> {
        self.case_from(key, data, at, None)
    }

    /// A case opening at `from`, a step the procedure marks `entry` (a model already running
    /// that the procedure takes up, with its evidence), or at the first step.
    pub fn case_from(
        &self,
        key: &ProcedureKey,
        data: &Value,
        at: NaiveDate,
        from: Option<&str>,
    ) -> Result<NewCase> {
        let w = self.in_effect(key, at)?;
        if let Some(until) = w.effective_until
            && at > until
        {
            return Err(Error::Invalid(format!(
                "`{key}` chỉ áp dụng đến hết ngày {}; hồ sơ mở ngày {} {}",
                until.format("%d/%m/%Y"),
                at.format("%d/%m/%Y"),
                match &w.successor {
                    Some(s) => format!(
                        "theo tỉnh kế thừa: --province {s} ({})",
                        ProcedureKey::new(&key.base, Some(s))
                    ),
                    None => "theo một tệp tỉnh còn hiệu lực".to_string(),
                }
            )));
        }
        let fields = as_map(data, "dữ liệu hồ sơ")?;
        validate(&w.fields, &fields, "dữ liệu hồ sơ")?;
        let first = match from {
            None => w
                .steps
                .first()
                .ok_or_else(|| Error::Invalid(format!("quy trình `{}` không có bước nào", w.id)))?,
            Some(id) => {
                let entries: Vec<&str> = w
                    .steps
                    .iter()
                    .filter(|s| s.entry)
                    .map(|s| s.id.as_str())
                    .collect();
                w.steps
                    .iter()
                    .find(|s| s.id == id && (s.entry || std::ptr::eq(*s, &w.steps[0])))
                    .ok_or_else(|| {
                        Error::Invalid(format!(
                            "--from-step: hồ sơ `{key}` không mở từ bước `{id}` (mở được từ: {})",
                            std::iter::once(w.steps[0].id.as_str())
                                .chain(entries)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    })?
            }
        };
        Ok(NewCase {
            workflow: w.id.clone(),
            version: w.version.clone(),
            data: Value::Object(fields),
            opened: at,
            first_step: first.id.clone(),
            first_due: calendar::due(first, store_steps_none(), at),
        })
    }

    /// Starts a case of procedure `key` with its fields; the first step opens. Returns its id.
    pub fn new_case(
        &self,
        store: &mut dyn Store,
        key: impl Into<ProcedureKey>,
        data: &Value,
        at: NaiveDate,
    ) -> Result<String> {
        self.new_case_from(store, key, data, at, None)
    }

    /// Starts a case at `from`, an `entry` step (see [`case_from`](Self::case_from)).
    pub fn new_case_from(
        &self,
        store: &mut dyn Store,
        key: impl Into<ProcedureKey>,
        data: &Value,
        at: NaiveDate,
        from: Option<&str>,
    ) -> Result<String> {
        let case = self.case_from(&key.into(), data, at, from)?;
        let mut tx = store.begin()?;
        let id = tx.next_case_id()?;
        tx.insert_case(&id, &case)?;
        tx.commit()?;
        Ok(id)
    }

    /// Completes `step` of a case with `inputs` on date `at`, drafting nothing; a case the
    /// step starts is created in the same transaction. Returns what it did and the new case.
    pub fn advance(
        &self,
        store: &mut dyn Store,
        case_id: &str,
        step_id: &str,
        inputs: &Value,
        at: NaiveDate,
    ) -> Result<Outcome> {
        let mut plan = self.plan(store, case_id, step_id, inputs, at)?;
        let linked = self.linked_cases(&plan)?;
        let mut tx = store.begin()?;
        self.commit(tx.as_mut(), &plan, &[])?;
        for c in &linked {
            let id = tx.next_case_id()?;
            tx.insert_case(&id, c)?;
            plan.outcome.linked.push(id);
        }
        tx.commit()?;
        Ok(plan.outcome)
    }

    /// The linked cases a planned step starts (nhân rộng: the same procedure at new sites):
    /// one per site its `each` input names (each site in field `into`), or one when it names
    /// none; each with the source case's fields less those the procedure clears, and
    /// `nhan_rong_tu` naming the source. Worked out before the step is recorded, so that a
    /// case that cannot start stops the step too.
    pub fn linked_cases(&self, plan: &Plan) -> Result<Vec<NewCase>> {
        let Some(starts) = &plan.outcome.starts else {
            return Ok(Vec::new());
        };
        let key = plan.workflow.sibling(&starts.workflow);
        let w = self.in_effect(&key, plan.at)?;
        let mut data = Map::new();
        for name in w.fields.keys() {
            if let Some(v) = plan.data.get(name).filter(|_| !starts.clear.contains(name)) {
                data.insert(name.clone(), v.clone());
            }
        }
        data.insert(SOURCE_FIELD.into(), Value::String(plan.case_id.clone()));
        let sites = sites(starts, &plan.step, &plan.inputs)?;
        if sites.is_empty() {
            return Ok(vec![self.case_for(&key, &Value::Object(data), plan.at)?]);
        }
        let field = starts.into.clone().unwrap_or_default();
        sites
            .into_iter()
            .map(|site| {
                let mut data = data.clone();
                data.insert(field.clone(), Value::String(site));
                self.case_for(&key, &Value::Object(data), plan.at)
            })
            .collect()
    }

    /// Records a planned step inside the caller's transaction: the case, its steps, the log and
    /// the documents it drafted (template and data); returns the documents' ids. Fails with
    /// [`Error::Conflict`] when the case moved on since the plan (another clerk was first).
    pub fn commit(
        &self,
        tx: &mut dyn StoreTx,
        plan: &Plan,
        drafts: &[(String, Value)],
    ) -> Result<Vec<String>> {
        tx.record_step(&StepChange {
            case_id: &plan.case_id,
            data: &plan.data,
            on_date: plan.at,
            actor: &plan.actor,
            step: &plan.step,
            inputs: &plan.inputs,
            close_step: !plan.recurring,
            procedure: plan
                .moved_to
                .as_ref()
                .map(|(id, v)| (id.as_str(), v.as_str())),
            ends: plan.ends,
            events_seen: plan.events_seen,
            dropped: &plan.dropped,
            opened: &plan.outcome.opened,
            drafts,
        })
    }

    /// A case's deadlines on `on`: of each open step its due date, and of a step recurring on a
    /// schedule every occurrence not met before `on` (overdue) and the next one; nothing of an
    /// ended case. Steps the procedure governing the case on `on` has no longer drop out, with
    /// the reason.
    pub fn standing(
        &self,
        case: &CaseRow,
        rows: &[crate::store::StepRow],
        events: &[crate::store::EventRow],
        on: NaiveDate,
    ) -> Result<Standing> {
        if case.ended.is_some() {
            return Ok(Standing::default());
        }
        let own = self.of_case(case)?;
        let w = self.governing(own, on.max(case.created_on))?;
        let open = OpenSteps::on(own, w, rows);
        let mut pending = Vec::new();
        let mut valid_through = w.successor.as_ref().and(w.effective_until);
        // A successor governs in the version in effect that day (`in_effect`): its next
        // version takes over on its first day.
        if !std::ptr::eq(own, w)
            && let Some(next) = self.workflows.get(&w.id).and_then(|versions| {
                versions
                    .iter()
                    .map(|v| v.effective_from)
                    .find(|from| *from > w.effective_from)
            })
        {
            let last = next.pred_opt().unwrap_or(next);
            valid_through = Some(valid_through.map_or(last, |t| t.min(last)));
        }
        for row in rows.iter().filter(|r| open.open.contains(&r.step)) {
            let (Some(due), Ok(step)) = (row.due, step_of(w, &row.step)) else {
                continue;
            };
            let mut dates = match step.series() {
                Some(rule) => calendar::unmet(rule, due, &named_occurrences(step, events), on),
                None => vec![due],
            };
            // A series lists its occurrences before `on` and the first on or after it: the
            // same until that one passes.
            if step.series().is_some()
                && let Some(&next) = dates.last().filter(|d| **d >= on)
            {
                valid_through = Some(valid_through.map_or(next, |t| t.min(next)));
            }
            if let Some(c) = &step.due_while
                && !dates.is_empty()
            {
                let owed = holds_on(c, &case.data, &Value::Null, &dates, &history(events))?;
                dates = dates
                    .into_iter()
                    .zip(owed)
                    .filter_map(|(d, owed)| owed.then_some(d))
                    .collect();
            }
            pending.extend(dates.into_iter().map(|due| Pending {
                step: row.step.clone(),
                due,
                overdue: due < on,
                before: step.due_before(),
            }));
        }
        pending.sort_by(|a, b| (a.due, &a.step).cmp(&(b.due, &b.step)));
        // Dropped now, or closed when the case moved on without being done.
        let dropped = rows
            .iter()
            .filter(|r| r.open || r.done_on.is_none())
            .filter(|r| !w.steps.iter().any(|s| s.id == r.step))
            .map(|r| (r.step.clone(), dropped_reason(w)))
            .collect();
        Ok(Standing {
            pending,
            dropped,
            valid_through,
        })
    }

    /// Checks a step and works out what completing it does, writing nothing: the caller can
    /// render the step's documents first and [`commit`](Self::commit) only when they are ready.
    pub fn plan(
        &self,
        store: &dyn Store,
        case_id: &str,
        step_id: &str,
        inputs: &Value,
        at: NaiveDate,
    ) -> Result<Plan> {
        let case = store.case(case_id)?;
        let own = self.of_case(&case)?;
        let w = self.governing(own, at)?;
        let moved_to = (!std::ptr::eq(own, w)).then(|| (w.id.clone(), w.version.clone()));
        let rows = store.steps(case_id)?;
        let open = OpenSteps::on(own, w, &rows);
        // A step of the case the governing procedure has no longer: dropped now, or before.
        if rows.iter().any(|r| r.step == step_id) && !w.steps.iter().any(|s| s.id == step_id) {
            return Err(refused(step_id, dropped_reason(w)));
        }
        let step = step_of(w, step_id)?;
        let events = store.events(case_id)?;
        in_turn(&case, step, &events, &open.open, at)?;
        let inputs_map = check_inputs(w, step, inputs)?;
        let inputs = Value::Object(inputs_map.clone());
        // Inputs become case data (the last rating, the date of the establishing decision):
        // only those the step declares, so a case field changes only through a step that
        // takes it. Guards see the case as the step would leave it.
        let mut data = as_map(&case.data, "dữ liệu hồ sơ")?;
        data.extend(inputs_map);
        let data = Value::Object(data);
        let past = history(&events);
        for g in &step.requires {
            if !holds(&g.when, &data, &inputs, at, &past)? {
                return Err(refused(step_id, interpolate(&g.message, &data, &inputs)));
            }
        }
        let done: BTreeMap<String, NaiveDate> = rows
            .iter()
            .filter_map(|r| Some((r.step.clone(), r.done_on?)))
            .chain(std::iter::once((step_id.to_string(), at)))
            .collect();
        let row_due = rows.iter().find(|r| r.step == step_id).and_then(|r| r.due);
        let (met, again) = occurrence(step, row_due, &events, &inputs, at)?;
        let next = self.next_steps(w, step, &data, &inputs, at, &past)?;
        let mut opened = due_dates(&next, &rows, &done, met.map_or(at, |m| m.min(at)));
        if step.repeat.is_some() {
            opened.push((step_id.to_string(), again));
        }
        let documents = documents_of(step, &data, &inputs, at, &past)?;
        Ok(Plan {
            case_id: case_id.to_string(),
            step: step_id.to_string(),
            actor: step.actor.clone(),
            at,
            inputs,
            data,
            recurring: step.repeat.is_some(),
            ends: step.ends,
            workflow: ProcedureKey::parse(&w.id),
            version: w.version.clone(),
            moved_to,
            events_seen: events.len(),
            dropped: open.dropped,
            outcome: Outcome {
                opened,
                documents,
                starts: step.starts.clone(),
                linked: Vec::new(),
            },
        })
    }

    /// The steps a completed step opens: its `next` (the first branch that holds).
    fn next_steps<'w>(
        &self,
        w: &'w Workflow,
        step: &Step,
        data: &Value,
        inputs: &Value,
        at: NaiveDate,
        past: &History,
    ) -> Result<Vec<&'w Step>> {
        let mut ids = Vec::new();
        let mut branched = false;
        for n in &step.next {
            match n {
                Next::Step(id) => ids.push(id.clone()),
                Next::Branch { to, when, .. } if !branched => {
                    let take = match when {
                        Some(c) => holds(c, data, inputs, at, past)?,
                        None => true,
                    };
                    if take {
                        ids.push(to.clone());
                        branched = true;
                    }
                }
                Next::Branch { .. } => {}
            }
        }
        let mut opened = Vec::new();
        for id in ids {
            // The check refuses a `next` naming no step; a definition that still does is not
            // one to go on with silently.
            let s = w.steps.iter().find(|s| s.id == id).ok_or_else(|| {
                Error::Invalid(format!(
                    "quy trình {}: bước tiếp theo `{id}` không có",
                    w.id
                ))
            })?;
            opened.push(s);
        }
        Ok(opened)
    }
}

/// The due dates of the steps a completed step opens. A deadline rule counts from `from`: the
/// step's date, or the deadline it met when it was late, so that the steps after a late one
/// stay in its cycle (Bắc Kạn's district review after a commune report made late on 20/10 is
/// due the 14/10 of that year, overdue, not a year later). A step already open keeps its
/// earliest unmet occurrence: opening it again (the quarterly report of "Tốt" models, after
/// the next "Tốt" rating) removes none.
fn due_dates(
    next: &[&Step],
    rows: &[crate::store::StepRow],
    done: &BTreeMap<String, NaiveDate>,
    from: NaiveDate,
) -> Vec<(String, Option<NaiveDate>)> {
    next.iter()
        .map(|s| match rows.iter().find(|r| r.step == s.id && r.open) {
            Some(open) => (s.id.clone(), open.due),
            None => (s.id.clone(), calendar::due(s, done, from)),
        })
        .collect()
}

/// The sites a step starting linked cases names in its `each` input: none when it gives no
/// such input; each a text naming a place.
fn sites(starts: &Starts, step: &str, inputs: &Value) -> Result<Vec<String>> {
    let Some(list) = starts.each.as_ref().and_then(|k| Some((k, inputs.get(k)?))) else {
        return Ok(Vec::new());
    };
    let (key, Value::Array(items)) = list else {
        return Ok(Vec::new());
    };
    if items.is_empty() {
        return Err(refused(
            step,
            format!("`{key}` không nêu địa bàn nào; nêu ít nhất một địa bàn nhân rộng"),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, v)| match v.as_str().map(str::trim) {
            Some(site) if !site.is_empty() => Ok(site.to_string()),
            _ => Err(Error::Invalid(format!(
                "bước `{step}`: `{key}` mục {}: cần tên một địa bàn, không phải {v}",
                i + 1
            ))),
        })
        .collect()
}

/// The occurrences of a recurring step its earlier filings named (met out of turn).
fn named_occurrences(step: &Step, events: &[crate::store::EventRow]) -> Vec<NaiveDate> {
    let Some(input) = &step.occurrence else {
        return Vec::new();
    };
    events
        .iter()
        .filter(|e| e.step == step.id)
        .filter_map(|e| e.inputs.get(input)?.as_str())
        .filter_map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .collect()
}

/// The deadline a filing of `step` on `at` meets, and, for a step recurring on a schedule, the
/// occurrence it is due for next. A recurring step's deadlines are a series: a filing meets the
/// occurrence its `occurrence` input names, or for a step taken once per evaluation year the
/// occurrence of the year its date is for, or else the earliest one not met (`earliest`, the
/// step's due date). Meeting one never removes another: a late 6-month report leaves the
/// annual one due. Only a once-a-year step moves past unmet years: its earlier years can no
/// longer be filed. A step without a schedule meets its own due date.
fn occurrence(
    step: &Step,
    earliest: Option<NaiveDate>,
    events: &[crate::store::EventRow],
    inputs: &Value,
    at: NaiveDate,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>)> {
    let Some(rule) = step.series() else {
        return Ok((earliest, calendar::due(step, store_steps_none(), at)));
    };
    let Some(earliest) = earliest.or_else(|| calendar::next_occurrence(rule, at)) else {
        return Ok((None, None));
    };
    let mut met = named_occurrences(step, events);
    let named = step
        .occurrence
        .as_ref()
        .and_then(|k| Some((k, inputs.get(k)?.as_str()?)))
        .and_then(|(k, v)| Some((k, NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()?)));
    let this = match named {
        Some((key, n)) => {
            named_open(step, rule, key, n, earliest, &met)?;
            n
        }
        None if step.once_per == Some(crate::workflow::Period::EvaluationYear) => {
            calendar::next_occurrence(rule, calendar::evaluation_end(at)).unwrap_or(earliest)
        }
        None => earliest,
    };
    met.push(this);
    let from = if this == earliest || step.once_per.is_some() {
        this.succ_opt().unwrap_or(this)
    } else {
        earliest
    };
    Ok((Some(this), calendar::first_unmet(rule, from, &met)))
}

/// Refuses a named occurrence `n` (input `key`) that is not one of the step's deadlines under
/// `rule`, or is met already (before `earliest`, the first unmet, or named by an earlier
/// filing in `met`).
fn named_open(
    step: &Step,
    rule: crate::workflow::Series<'_>,
    key: &str,
    n: NaiveDate,
    earliest: NaiveDate,
    met: &[NaiveDate],
) -> Result<()> {
    let day = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
    let next = calendar::next_occurrence(rule, n);
    if next != Some(n) {
        return Err(refused(
            &step.id,
            format!(
                "`{key}` {} không phải một hạn của bước này (hạn kế tiếp: {})",
                day(n),
                next.map_or_else(|| "—".into(), day)
            ),
        ));
    }
    if n < earliest || met.contains(&n) {
        return Err(refused(
            &step.id,
            format!(
                "kỳ hạn {} (`{key}`) đã báo cáo rồi hoặc có trước khi bước mở; kỳ sớm nhất chưa \
                 báo cáo là hạn {}",
                day(n),
                day(earliest)
            ),
        ));
    }
    Ok(())
}

/// The templates of the documents a step produces with these data (a conditional one only when
/// its condition holds).
fn documents_of(
    step: &Step,
    data: &Value,
    inputs: &Value,
    at: NaiveDate,
    past: &History,
) -> Result<Vec<String>> {
    let mut documents = Vec::new();
    for d in &step.documents {
        let wanted = match &d.when {
            Some(c) => holds(c, data, inputs, at, past)?,
            None => true,
        };
        if wanted {
            documents.push(d.template.clone());
        }
    }
    Ok(documents)
}

/// The open steps of a case as the procedure governing it on a day sees them.
struct OpenSteps {
    /// Steps that may be taken.
    open: Vec<String>,
    /// Steps opened under the case's own procedure that the governing one (its province's
    /// successor after a merger) has no longer: a step of the district level, abolished on
    /// 01/07/2025, drops out — not due, not taken.
    dropped: Vec<String>,
}

impl OpenSteps {
    /// Under `own`, the procedure the case follows, and `w`, the one governing it on the day:
    /// a dropped step's `next` that `w` has are open in its place, so that the case goes on
    /// (the commune's report goes straight to the province's review).
    fn on(own: &Workflow, w: &Workflow, rows: &[crate::store::StepRow]) -> OpenSteps {
        let has = |id: &str| w.steps.iter().any(|s| s.id == id);
        let (mut open, dropped): (Vec<String>, Vec<String>) = rows
            .iter()
            .filter(|r| r.open)
            .map(|r| r.step.clone())
            .partition(|id| has(id));
        for d in own.steps.iter().filter(|s| dropped.contains(&s.id)) {
            for t in d.next.iter().map(Next::target) {
                if has(t) && !open.iter().any(|o| o == t) {
                    open.push(t.to_string());
                }
            }
        }
        OpenSteps { open, dropped }
    }
}

/// Why a step the case has open is not taken under `w`, the procedure governing it now.
fn dropped_reason(w: &Workflow) -> String {
    format!(
        "bước này không còn trong quy trình `{}` áp dụng cho hồ sơ từ ngày {} (cấp hành chính của \
         bước đã bỏ khi sắp xếp đơn vị hành chính); bước bị bỏ, không còn hạn",
        w.id,
        w.effective_from.format("%d/%m/%Y")
    )
}

fn step_of<'w>(w: &'w Workflow, step_id: &str) -> Result<&'w Step> {
    w.steps
        .iter()
        .find(|s| s.id == step_id)
        .ok_or_else(|| Error::NotFound(format!("quy trình {} không có bước `{step_id}`", w.id)))
}

/// A step's inputs as a map: only the keys it declares (a document's data — issuer, signer,
/// `extends` — is not an input and never reaches the case), each of its declared type, a
/// statistics form against the procedure's.
fn check_inputs(w: &Workflow, step: &Step, inputs: &Value) -> Result<Map<String, Value>> {
    let map = as_map(inputs, "dữ liệu của bước")?;
    if let Some(k) = map.keys().find(|k| !step.inputs.contains_key(*k)) {
        let takes = if step.inputs.is_empty() {
            "bước này không nhận dữ liệu nào".to_string()
        } else {
            format!(
                "bước này chỉ nhận: {}",
                step.inputs.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        };
        return Err(Error::Invalid(format!(
            "bước `{}`: `{k}` không phải dữ liệu khai báo của bước ({takes}); dữ liệu văn bản \
             đưa bằng --data hoặc --doc MẪU=TỆP",
            step.id
        )));
    }
    let what = format!("bước `{}`", step.id);
    validate(&step.inputs, &map, &what)?;
    for (name, spec) in &step.inputs {
        if spec.ty == FieldType::ThongKe
            && let Some(v) = map.get(name)
        {
            let form = w.thong_ke.as_ref().ok_or_else(|| {
                Error::Invalid(format!(
                    "{what}: quy trình {} không khai báo bảng thống kê (thong_ke)",
                    w.id
                ))
            })?;
            form.check(v, &format!("{what}, `{name}`"))?;
        }
    }
    Ok(map)
}

/// Whether a step may be taken now, before its inputs and guards are looked at: the case has
/// not ended, the date follows the case's last step, the step is open, and a step taken once
/// per evaluation year has not been taken in this one.
fn in_turn(
    case: &CaseRow,
    step: &Step,
    events: &[crate::store::EventRow],
    open: &[String],
    at: NaiveDate,
) -> Result<()> {
    let (case_id, step_id) = (case.id.as_str(), step.id.as_str());
    if let Some(end) = &case.ended {
        return Err(refused(
            step_id,
            format!(
                "hồ sơ {case_id} đã kết thúc ngày {} (bước `{}`); không nhận thêm bước nào",
                end.on.format("%d/%m/%Y"),
                end.step
            ),
        ));
    }
    // Steps follow one another in time: none before the case opened, none before the last
    // recorded step (the book and the deadlines count from those dates).
    if at < case.created_on {
        return Err(refused(
            step_id,
            format!(
                "ngày {} trước ngày mở hồ sơ {case_id} ({})",
                at.format("%d/%m/%Y"),
                case.created_on.format("%d/%m/%Y")
            ),
        ));
    }
    if let Some(last) = events.iter().max_by_key(|e| e.on_date)
        && at < last.on_date
    {
        return Err(refused(
            step_id,
            format!(
                "ngày {} trước bước đã ghi gần nhất (`{}` ngày {}); các bước ghi theo thứ tự ngày",
                at.format("%d/%m/%Y"),
                last.step,
                last.on_date.format("%d/%m/%Y")
            ),
        ));
    }
    if !open.iter().any(|o| o == step_id) {
        return Err(refused(
            step_id,
            format!(
                "bước này chưa đến lượt hoặc đã xong; các bước đang mở: {}",
                open.join(", ")
            ),
        ));
    }
    if step.once_per == Some(crate::workflow::Period::EvaluationYear) {
        let year = calendar::evaluation_end(at);
        if let Some(prev) = events
            .iter()
            .find(|e| e.step == step_id && calendar::evaluation_end(e.on_date) == year)
        {
            let start = year
                .checked_sub_months(chrono::Months::new(12))
                .and_then(|d| d.succ_opt())
                .unwrap_or(year);
            return Err(refused(
                step_id,
                format!(
                    "bước này đã làm ngày {} cho năm đánh giá {}–{}; mỗi năm đánh giá chỉ một \
                     lần{}",
                    prev.on_date.format("%d/%m/%Y"),
                    start.format("%d/%m/%Y"),
                    year.format("%d/%m/%Y"),
                    step.corrected_by
                        .as_ref()
                        .map(|c| format!(", sửa kết quả bằng bước `{c}`"))
                        .unwrap_or_default()
                ),
            ));
        }
    }
    Ok(())
}

/// No step done yet (a new case).
fn store_steps_none() -> &'static BTreeMap<String, NaiveDate> {
    static EMPTY: BTreeMap<String, NaiveDate> = BTreeMap::new();
    &EMPTY
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn guards_with_dates() {
        let case = serde_json::json!({"ngay_thanh_lap": "2023-03-20", "xep_loai": "Khá"});
        let inputs = serde_json::json!({});
        let ten = "has(case.ngay_thanh_lap) && months_between(case.ngay_thanh_lap, evaluation_end(at)) >= 10";
        assert!(
            !holds(ten, &case, &inputs, d("2023-11-03"), &[]).unwrap(),
            "7 months in the 2023 rating year"
        );
        assert!(
            holds(ten, &case, &inputs, d("2024-11-03"), &[]).unwrap(),
            "19 months by 31/10/2024"
        );
        assert!(
            !holds(
                "case.xep_loai == 'Tốt'",
                &case,
                &inputs,
                d("2024-11-03"),
                &[]
            )
            .unwrap()
        );
        assert!(!holds("case.khong_co == 'x'", &case, &inputs, d("2024-11-03"), &[]).unwrap());
    }

    /// Every function the check lets a condition call is one `evaluate` registers.
    #[test]
    fn the_checked_functions_are_registered() {
        let (case, inputs) = (serde_json::json!({}), serde_json::json!({}));
        let calls = [
            "months_between(at, at) == 0",
            "evaluation_end(at) != ''",
            "year(evaluation_end(at)) == 2024 && year(at) == 2024",
            "done('x') == false",
            "times('x', 'year') == 0",
        ];
        for f in crate::workflow::guards::FUNCTIONS {
            let call = calls.iter().find(|c| c.starts_with(f)).expect(f);
            assert!(
                holds(call, &case, &inputs, d("2024-11-03"), &[]).unwrap(),
                "{call}"
            );
        }
    }

    #[test]
    fn messages_are_filled() {
        let case = serde_json::json!({"ngay_thanh_lap": "2023-02-05"});
        let m = interpolate(
            "chưa đủ 10 tháng ({ngay_thanh_lap}), {khong}",
            &case,
            &serde_json::json!({}),
        );
        assert_eq!(m, "chưa đủ 10 tháng (05/02/2023), —");
    }
}
