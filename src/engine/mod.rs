//! The engine drives a case through its workflow: it checks a step is open, its inputs have the
//! declared types and its guards hold, then records the step, opens what comes next with due
//! dates, and says which documents the step produces. It knows nothing of rendering.

pub mod calendar;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::store::{StepChange, Store};
use crate::workflow::{FieldSpec, FieldType, Next, Step, Workflow};

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
    pub outcome: Outcome,
}

/// The procedures the engine knows, by id, loaded once.
pub struct Engine {
    /// Every version of each procedure, oldest first.
    workflows: BTreeMap<String, Vec<Workflow>>,
}

/// What completing a step did.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Steps now open, with due dates.
    pub opened: Vec<(String, Option<NaiveDate>)>,
    /// Templates of the documents the step produces.
    pub documents: Vec<String>,
    /// A linked case to start (nhân rộng), by workflow id.
    pub starts: Option<String>,
}

fn refused(step: &str, message: String) -> Error {
    Error::Usage(format!("bước `{step}` bị từ chối: {message}"))
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
            return Err(Error::Usage(format!("{what}: thiếu trường `{name}`")));
        };
        let bad = |expected: &str| {
            Error::Usage(format!(
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
        }
    }
    Ok(())
}

fn date_arg(s: &str) -> std::result::Result<NaiveDate, cel::ExecutionError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        cel::ExecutionError::function_error("date", format!("`{s}` is not YYYY-MM-DD"))
    })
}

/// Evaluates a CEL condition over the case (with the step's inputs applied), the step's inputs
/// and its date. Functions offered
/// to workflow authors: `months_between(from, to)` (whole months) and `evaluation_end(at)` (the
/// 31/10 that closes the rating year HD 22 counts from 01/11).
pub fn holds(expr: &str, case: &Value, inputs: &Value, at: NaiveDate) -> Result<bool> {
    let program =
        cel::Program::compile(expr).map_err(|e| Error::Usage(format!("`{expr}`: {e}")))?;
    let mut ctx = cel::Context::default();
    let to = |v: &Value| cel::to_value(v).map_err(|e| Error::Usage(e.to_string()));
    ctx.add_variable_from_value("case", to(case)?);
    ctx.add_variable_from_value("inputs", to(inputs)?);
    ctx.add_variable_from_value("at", at.format("%Y-%m-%d").to_string());
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
    match program.execute(&ctx) {
        Ok(cel::Value::Bool(b)) => Ok(b),
        // A field the case does not have yet makes the condition false, not an error.
        Err(cel::ExecutionError::NoSuchKey(_)) => Ok(false),
        Ok(other) => Err(Error::Usage(format!(
            "`{expr}` gives {other:?}, not true or false"
        ))),
        Err(e) => Err(Error::Usage(format!("`{expr}`: {e}"))),
    }
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
        _ => Err(Error::Usage(format!(
            "{what}: cần một bảng tên trường → giá trị"
        ))),
    }
}

impl Engine {
    pub fn new(workflows: impl IntoIterator<Item = Workflow>) -> Engine {
        let mut by_id: BTreeMap<String, Vec<Workflow>> = BTreeMap::new();
        for w in workflows {
            by_id.entry(w.id.clone()).or_default().push(w);
        }
        for versions in by_id.values_mut() {
            versions.sort_by_key(|w| w.effective_from);
        }
        Engine { workflows: by_id }
    }

    fn versions(&self, id: &str) -> Result<&[Workflow]> {
        self.workflows.get(id).map(Vec::as_slice).ok_or_else(|| {
            Error::Usage(format!(
                "unknown workflow `{id}` (known: {})",
                self.workflows
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }

    /// The newest version of a procedure.
    pub fn workflow(&self, id: &str) -> Result<&Workflow> {
        self.versions(id)?
            .last()
            .ok_or_else(|| Error::Usage(format!("unknown workflow `{id}`")))
    }

    /// An agency of a province's file, by its id there (`--province kon-tum --issuer bcd-tinh`).
    pub fn agency(&self, province: &str, id: &str) -> Result<&crate::workflow::overlay::Agency> {
        let suffix = format!("@{province}");
        let mut known = Vec::new();
        for (key, versions) in &self.workflows {
            if !key.ends_with(&suffix) {
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
            return Err(Error::Usage(format!(
                "no province file for `{province}` is loaded"
            )));
        }
        known.sort();
        known.dedup();
        Err(Error::Usage(format!(
            "province `{province}` has no agency `{id}` (it has: {})",
            known.join(", ")
        )))
    }

    /// The version in effect on `at`: the latest whose `effective_from` is not after it.
    pub fn in_effect(&self, id: &str, at: NaiveDate) -> Result<&Workflow> {
        self.versions(id)?
            .iter()
            .rev()
            .find(|w| w.effective_from <= at)
            .ok_or_else(|| Error::Usage(format!("no version of `{id}` is in effect on {at}")))
    }

    /// The version a case started with: a case keeps it for life.
    pub fn version(&self, id: &str, version: &str) -> Result<&Workflow> {
        self.versions(id)?.iter().find(|w| w.version == version).ok_or_else(|| {
            Error::Usage(format!(
                "`{id}` version {version} is not loaded: load the file of that version beside the newer one"
            ))
        })
    }

    /// Starts a case of `workflow` with its fields; the first step opens.
    pub fn new_case(
        &self,
        store: &mut Store,
        workflow: &str,
        data: &Value,
        at: NaiveDate,
    ) -> Result<String> {
        let w = self.in_effect(workflow, at)?;
        let fields = as_map(data, "case data")?;
        validate(&w.fields, &fields, "dữ liệu hồ sơ")?;
        let first = &w.steps[0];
        let due = calendar::due(first, store_steps_none(), at);
        store.create_case(
            &w.id,
            &w.version,
            &Value::Object(fields),
            &at.format("%Y-%m-%d").to_string(),
            (
                &first.id,
                due.map(|d| d.format("%Y-%m-%d").to_string()).as_deref(),
            ),
        )
    }

    /// Completes `step` of a case with `inputs` on date `at`.
    pub fn advance(
        &self,
        store: &mut Store,
        case_id: &str,
        step_id: &str,
        inputs: &Value,
        at: NaiveDate,
    ) -> Result<Outcome> {
        let plan = self.plan(store, case_id, step_id, inputs, at)?;
        self.commit(store, &plan, &[])?;
        Ok(plan.outcome)
    }

    /// Starts the linked case a step asks for (nhân rộng: the same procedure at a new site): a
    /// new case of `workflow` with the source case's fields, its rating cleared, and
    /// `nhan_rong_tu` naming the source. Returns the new case's id.
    pub fn start_linked(
        &self,
        store: &mut Store,
        from: &str,
        workflow: &str,
        at: NaiveDate,
    ) -> Result<String> {
        let source = store.case(from)?;
        // The province's variant of the procedure when the source follows one.
        let key = match source.workflow.split_once('@') {
            Some((_, province)) => format!("{workflow}@{province}"),
            None => workflow.to_string(),
        };
        let w = self.in_effect(&key, at)?;
        let mut data = Map::new();
        for name in w.fields.keys() {
            let inherited = source.data.get(name).filter(|_| {
                !matches!(
                    name.as_str(),
                    "xep_loai" | "ty_le_hoan_thanh" | "ngay_thanh_lap"
                )
            });
            if let Some(v) = inherited {
                data.insert(name.clone(), v.clone());
            }
        }
        data.insert("nhan_rong_tu".into(), Value::String(from.to_string()));
        self.new_case(store, &key, &Value::Object(data), at)
    }

    /// Records a planned step: the case, its steps, the log and the documents it drafted
    /// (template and data), in one transaction; returns the documents' ids.
    pub fn commit(
        &self,
        store: &mut Store,
        plan: &Plan,
        drafts: &[(String, Value)],
    ) -> Result<Vec<String>> {
        let opened_rows: Vec<(String, Option<String>)> = plan
            .outcome
            .opened
            .iter()
            .map(|(s, d)| (s.clone(), d.map(|d| d.format("%Y-%m-%d").to_string())))
            .collect();
        store.apply(&StepChange {
            case_id: &plan.case_id,
            data: &plan.data,
            on_date: &plan.at.format("%Y-%m-%d").to_string(),
            actor: &plan.actor,
            step: &plan.step,
            inputs: &plan.inputs,
            close_step: !plan.recurring,
            opened: &opened_rows,
            drafts,
        })
    }

    /// Checks a step and works out what completing it does, writing nothing: the caller can
    /// render the step's documents first and [`commit`](Self::commit) only when they are ready.
    pub fn plan(
        &self,
        store: &Store,
        case_id: &str,
        step_id: &str,
        inputs: &Value,
        at: NaiveDate,
    ) -> Result<Plan> {
        let case = store.case(case_id)?;
        let w = self.version(&case.workflow, &case.version)?;
        let step: &Step = w
            .steps
            .iter()
            .find(|s| s.id == step_id)
            .ok_or_else(|| Error::Usage(format!("{} has no step `{step_id}`", w.id)))?;
        let rows = store.steps(case_id)?;
        let open: Vec<&str> = rows
            .iter()
            .filter(|r| r.open)
            .map(|r| r.step.as_str())
            .collect();
        if !open.contains(&step_id) {
            return Err(refused(
                step_id,
                format!(
                    "bước này chưa đến lượt hoặc đã xong; các bước đang mở: {}",
                    open.join(", ")
                ),
            ));
        }
        let inputs_map = as_map(inputs, "inputs")?;
        validate(&step.inputs, &inputs_map, &format!("bước `{step_id}`"))?;
        let inputs = Value::Object(inputs_map.clone());
        // Inputs become case data (the last rating, the date of the establishing decision);
        // guards see the case as the step would leave it.
        let mut data = as_map(&case.data, "case data")?;
        data.extend(inputs_map);
        let data = Value::Object(data);
        for g in &step.requires {
            if !holds(&g.when, &data, &inputs, at)? {
                return Err(refused(step_id, interpolate(&g.message, &data, &inputs)));
            }
        }

        let mut opened = Vec::new();
        let mut branched = false;
        for n in &step.next {
            match n {
                Next::Step(id) => opened.push(id.clone()),
                Next::Branch { to, when } if !branched => {
                    let take = match when {
                        Some(c) => holds(c, &data, &inputs, at)?,
                        None => true,
                    };
                    if take {
                        opened.push(to.clone());
                        branched = true;
                    }
                }
                Next::Branch { .. } => {}
            }
        }
        let done: BTreeMap<String, NaiveDate> = rows
            .iter()
            .filter_map(|r| {
                Some((
                    r.step.clone(),
                    NaiveDate::parse_from_str(r.done_on.as_deref()?, "%Y-%m-%d").ok()?,
                ))
            })
            .chain(std::iter::once((step_id.to_string(), at)))
            .collect();
        let mut opened: Vec<(String, Option<NaiveDate>)> = opened
            .into_iter()
            .filter_map(|id| w.steps.iter().find(|s| s.id == id))
            .map(|s| (s.id.clone(), calendar::due(s, &done, at)))
            .collect();
        // A recurring step stays open, due at the occurrence after the one it just satisfied
        // (a quarterly report made on 05/12 meets the 10/12 deadline; the next is 10/03).
        if step.repeat.is_some() {
            let satisfied = calendar::due(step, &done, at).unwrap_or(at);
            let after = satisfied.succ_opt().unwrap_or(satisfied);
            opened.push((step.id.clone(), calendar::due(step, &done, after)));
        }
        let mut documents = Vec::new();
        for d in &step.documents {
            let wanted = match &d.when {
                Some(c) => holds(c, &data, &inputs, at)?,
                None => true,
            };
            if wanted {
                documents.push(d.template.clone());
            }
        }
        Ok(Plan {
            case_id: case_id.to_string(),
            step: step_id.to_string(),
            actor: step.actor.clone(),
            at,
            inputs,
            data,
            recurring: step.repeat.is_some(),
            outcome: Outcome {
                opened,
                documents,
                starts: step.starts.clone(),
            },
        })
    }
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
            !holds(ten, &case, &inputs, d("2023-11-03")).unwrap(),
            "7 months in the 2023 rating year"
        );
        assert!(
            holds(ten, &case, &inputs, d("2024-11-03")).unwrap(),
            "19 months by 31/10/2024"
        );
        assert!(!holds("case.xep_loai == 'Tốt'", &case, &inputs, d("2024-11-03")).unwrap());
        assert!(!holds("case.khong_co == 'x'", &case, &inputs, d("2024-11-03")).unwrap());
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
