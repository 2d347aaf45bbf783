//! The `hoso` command line. Errors go to stderr naming the file, field or template at fault,
//! with a non-zero exit; no panic reaches a user.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use hoso::error::{Error, Result};
use hoso::render::pdf::Profile;
use hoso::service::Format;
use hoso::template::{DocData, Issuance, TemplateSet};

#[derive(Parser)]
#[command(
    name = "hoso",
    version,
    about = "Hồ sơ: documents and workflows for Vietnamese administrative procedures"
)]
struct Cli {
    /// Templates directory to use instead of the built-in templates.
    #[arg(long, global = true, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Workflows directory to use instead of the built-in procedures.
    #[arg(long, global = true, value_name = "DIR")]
    workflows: Option<PathBuf>,
    /// The case database (SQLite).
    #[arg(long, global = true, env = "HOSO_DB", default_value = "hoso.db")]
    db: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Drive every sample case (samples/cases) through its workflow on a fresh database in
    /// DIR, writing each step's documents, then render every template's sample as a draft.
    Demo {
        #[arg(long, default_value = "demo-out")]
        out: PathBuf,
        #[arg(long, default_value = "samples")]
        samples: PathBuf,
    },
    /// Documents: templates and rendering.
    #[command(subcommand)]
    Doc(DocCommand),
    /// Workflow definitions.
    #[command(subcommand)]
    Workflow(WorkflowCommand),
    /// Cases: start one, complete its steps, see where it stands.
    #[command(subcommand)]
    Case(CaseCommand),
    /// Open steps with their deadlines, earliest first.
    Due {
        /// Only those due on or before this date.
        #[arg(long, value_parser = parse_date)]
        before: Option<NaiveDate>,
        /// text, json, or ics (an iCalendar file for a calendar application).
        #[arg(long, default_value = "text")]
        format: String,
    },
}

#[derive(Subcommand)]
enum CaseCommand {
    /// Start a case; prints its id.
    New {
        #[arg(long)]
        workflow: String,
        /// The province whose overlay applies (its agencies, deadlines and steps).
        #[arg(long)]
        province: Option<String>,
        /// YAML with the case fields the workflow declares.
        #[arg(long)]
        data: PathBuf,
        #[arg(long, value_parser = parse_date)]
        at: Option<NaiveDate>,
    },
    /// Every case.
    List {
        /// text or json.
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Open and completed steps with due dates, and the event log.
    Status {
        id: String,
        /// text or json.
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Complete a step: checks its inputs and guards, records it, opens what comes next and
    /// writes the step's documents as drafts.
    Advance {
        id: String,
        #[arg(long)]
        step: String,
        /// YAML with the step's inputs and the data of its documents (issuer, signer, …).
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long, value_parser = parse_date)]
        at: Option<NaiveDate>,
        /// Where the drafts go: DIR/<case>/<step>/<template>.docx and .pdf.
        #[arg(long, default_value = "hoso-out")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum WorkflowCommand {
    /// Check workflow files and province overlays: every problem as file:line:col: message,
    /// exit 1 if any.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print a procedure, merged with a province's overlay.
    Show {
        name: String,
        #[arg(long)]
        province: Option<String>,
        /// yaml, or mermaid for a diagram.
        #[arg(long, default_value = "yaml")]
        format: String,
    },
}

#[derive(Subcommand)]
enum DocCommand {
    /// List every template, the hồ sơ item it fills and the variables it needs.
    Templates,
    /// Render one document from a template and a YAML data file.
    Render {
        #[arg(long)]
        template: String,
        #[arg(long)]
        data: PathBuf,
        /// docx, pdf, or both: docx,pdf.
        #[arg(long, default_value = "docx")]
        format: String,
        #[arg(long)]
        out: PathBuf,
        /// The number from the register; without it the number is left blank, as in a draft.
        #[arg(long)]
        number: Option<u32>,
        /// The date of issue, YYYY-MM-DD; without it the day is left blank.
        #[arg(long, value_parser = parse_date)]
        date: Option<NaiveDate>,
        /// Print a framed "DỰ THẢO" above the header (not a decree element).
        #[arg(long)]
        draft_mark: bool,
        /// Write PDF/A-2b, for archiving.
        #[arg(long)]
        pdf_a: bool,
    },
}

fn parse_date(s: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date in the form YYYY-MM-DD"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hoso: {e}");
            ExitCode::FAILURE
        }
    }
}

fn templates(cli_dir: &Option<PathBuf>) -> Result<TemplateSet> {
    match cli_dir {
        Some(d) => TemplateSet::load_dir(d),
        None => TemplateSet::embedded(),
    }
}

fn run(cli: Cli) -> Result<()> {
    let set = templates(&cli.templates)?;
    match cli.command {
        Command::Doc(DocCommand::Templates) => {
            set.check()?;
            print!("{}", hoso::service::template_listing(&set));
            Ok(())
        }
        Command::Doc(DocCommand::Render {
            template,
            data,
            format,
            out,
            number,
            date,
            draft_mark,
            pdf_a,
        }) => {
            let formats = Format::parse_list(&format)?;
            let data = DocData::load(&data)?;
            let issuance = Issuance {
                number,
                date,
                today: chrono::Local::now().date_naive(),
                draft_mark,
            };
            let profile = if pdf_a {
                Profile::Archival
            } else {
                Profile::Standard
            };
            let written = hoso::service::render_to_files(
                &set, &template, &data, &issuance, &formats, profile, &out,
            )?;
            for path in written {
                println!("{}", path.display());
            }
            Ok(())
        }
        Command::Demo { out, samples } => {
            let engine = hoso::engine::Engine::new(all_workflows(&cli.workflows)?);
            print!("{}", hoso::demo::run(&set, &engine, &samples, &out)?);
            render_samples(&set, &samples, &out)
        }
        Command::Workflow(WorkflowCommand::Check { files }) => {
            check_workflows(&set, &all_workflows(&cli.workflows)?, &files)
        }
        Command::Workflow(WorkflowCommand::Show {
            name,
            province,
            format,
        }) => {
            let key = match province {
                Some(p) => format!("{name}@{p}"),
                None => name,
            };
            let workflows = all_workflows(&cli.workflows)?;
            let engine = hoso::engine::Engine::new(workflows);
            let w = engine.workflow(&key)?;
            match format.as_str() {
                "yaml" => print!(
                    "{}",
                    serde_yaml::to_string(w).map_err(|e| Error::Usage(e.to_string()))?
                ),
                "mermaid" => print!("{}", hoso::workflow::mermaid(w)),
                other => {
                    return Err(Error::Usage(format!(
                        "--format: `{other}` is not yaml or mermaid"
                    )));
                }
            }
            Ok(())
        }
        Command::Due { before, format } => {
            let engine = hoso::engine::Engine::new(all_workflows(&cli.workflows)?);
            let store = hoso::store::Store::open(&cli.db)?;
            due(&engine, &store, before, &format)
        }
        Command::Case(c) => {
            let engine = hoso::engine::Engine::new(all_workflows(&cli.workflows)?);
            let mut store = hoso::store::Store::open(&cli.db)?;
            case_command(&engine, &mut store, &set, c)
        }
    }
}

/// Lists the deadlines of open steps as text, JSON or iCalendar.
fn due(
    engine: &hoso::engine::Engine,
    store: &hoso::store::Store,
    before: Option<NaiveDate>,
    format: &str,
) -> Result<()> {
    let before = before.map(|d| d.format("%Y-%m-%d").to_string());
    let rows = store.due(before.as_deref())?;
    let title = |workflow: &str, step: &str| {
        engine
            .workflow(workflow)
            .ok()
            .and_then(|w| w.steps.iter().find(|s| s.id == step))
            .map(|s| s.title.clone())
            .unwrap_or_else(|| step.to_string())
    };
    match format {
        "text" => {
            for (case, workflow, step, due) in &rows {
                println!("{due}  {case}  {step}  {}", title(workflow, step));
            }
        }
        "json" => {
            let items: Vec<serde_json::Value> = rows
                .iter()
                .map(|(case, workflow, step, due)| {
                    serde_json::json!({"case": case, "workflow": workflow, "step": step, "title": title(workflow, step), "due": due})
                })
                .collect();
            println!("{}", serde_json::Value::Array(items));
        }
        "ics" => {
            let entries: Vec<hoso::engine::calendar::Entry> = rows
                .iter()
                .filter_map(|(case, workflow, step, due)| {
                    Some(hoso::engine::calendar::Entry {
                        uid: format!("{case}-{step}-{due}@hoso"),
                        date: NaiveDate::parse_from_str(due, "%Y-%m-%d").ok()?,
                        summary: format!("{case}: {}", title(workflow, step)),
                    })
                })
                .collect();
            print!("{}", hoso::engine::calendar::ics(&entries));
        }
        other => {
            return Err(Error::Usage(format!(
                "--format: `{other}` is not text, json or ics"
            )));
        }
    }
    Ok(())
}

/// The procedures of `--workflows DIR`, or the built-in ones, with their province overlays.
fn all_workflows(dir: &Option<PathBuf>) -> Result<Vec<hoso::workflow::Workflow>> {
    match dir {
        Some(d) => hoso::workflow::load_dir(d),
        None => hoso::workflow::embedded(),
    }
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn yaml_value(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let v: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| Error::yaml(path, &e, 0))?;
    serde_json::to_value(v).map_err(|e| Error::io(path, e))
}

fn case_command(
    engine: &hoso::engine::Engine,
    store: &mut hoso::store::Store,
    set: &TemplateSet,
    c: CaseCommand,
) -> Result<()> {
    match c {
        CaseCommand::New {
            workflow,
            province,
            data,
            at,
        } => {
            let key = match province {
                Some(p) => format!("{workflow}@{p}"),
                None => workflow,
            };
            let id = engine.new_case(store, &key, &yaml_value(&data)?, at.unwrap_or_else(today))?;
            println!("{id}");
        }
        CaseCommand::List { format } => {
            let mut items = Vec::new();
            for c in store.cases()? {
                let open: Vec<String> = store
                    .steps(&c.id)?
                    .into_iter()
                    .filter(|s| s.open)
                    .map(|s| s.step)
                    .collect();
                if format == "json" {
                    items.push(serde_json::json!({
                        "id": c.id, "workflow": c.workflow, "version": c.version,
                        "opened": c.created_on, "open_steps": open,
                    }));
                } else {
                    println!(
                        "{}  {} {}  mở: {}",
                        c.id,
                        c.workflow,
                        c.version,
                        open.join(", ")
                    );
                }
            }
            if format == "json" {
                println!("{}", serde_json::Value::Array(items));
            }
        }
        CaseCommand::Status { id, format } => {
            let c = store.case(&id)?;
            let steps = store.steps(&id)?;
            let events = store.events(&id)?;
            if format == "json" {
                let steps: Vec<serde_json::Value> = steps
                    .iter()
                    .map(|s| serde_json::json!({"step": s.step, "open": s.open, "due": s.due, "done_on": s.done_on}))
                    .collect();
                let events: Vec<serde_json::Value> = events
                    .iter()
                    .map(|e| serde_json::json!({"seq": e.seq, "on": e.on_date, "actor": e.actor, "step": e.step, "inputs": e.inputs}))
                    .collect();
                let v = serde_json::json!({
                    "id": c.id, "workflow": c.workflow, "version": c.version, "opened": c.created_on,
                    "data": c.data, "steps": steps, "events": events,
                });
                println!("{v}");
                return Ok(());
            }
            println!(
                "{} — {} (phiên bản {}), mở ngày {}",
                c.id, c.workflow, c.version, c.created_on
            );
            for s in steps {
                println!(
                    "  {:<6} {:<24} hạn: {:<10} xong: {}",
                    if s.open { "mở" } else { "xong" },
                    s.step,
                    s.due.unwrap_or_else(|| "—".into()),
                    s.done_on.unwrap_or_else(|| "—".into())
                );
            }
            for e in events {
                println!(
                    "  #{} {} {} {} {}",
                    e.seq, e.on_date, e.actor, e.step, e.inputs
                );
            }
        }
        CaseCommand::Advance {
            id,
            step,
            data,
            at,
            out,
        } => {
            let at = at.unwrap_or_else(today);
            let inputs = match &data {
                Some(p) => yaml_value(p)?,
                None => serde_json::Value::Null,
            };
            let plan = engine.plan(store, &id, &step, &inputs, at)?;
            // Render every document before anything is recorded: a template that cannot be
            // filled leaves the case as it was.
            let mut rendered = Vec::new();
            if !plan.outcome.documents.is_empty() {
                let Some(path) = &data else {
                    return Err(Error::Usage(format!(
                        "bước `{step}` tạo văn bản ({}): cần --data với dữ liệu văn bản (issuer, signer, …)",
                        plan.outcome.documents.join(", ")
                    )));
                };
                let doc_data = DocData::load(path)?.with_case_fields(&plan.data);
                let procedure = engine.workflow(&store.case(&id)?.workflow)?;
                let issuance = Issuance {
                    number: None,
                    date: None,
                    today: at,
                    draft_mark: false,
                };
                for t in &plan.outcome.documents {
                    let base = out.join(&id).join(&step).join(t);
                    let data = hoso::service::with_province(set, procedure, t, doc_data.clone())?;
                    for (f, bytes) in hoso::service::render_formats(
                        set,
                        t,
                        &data,
                        &issuance,
                        &[Format::Docx, Format::Pdf],
                        Profile::Standard,
                    )? {
                        rendered.push((base.with_extension(f.extension()), bytes));
                    }
                }
            }
            engine.commit(store, &plan)?;
            for (p, bytes) in &rendered {
                hoso::fsutil::write_atomic(p, bytes)?;
                println!("văn bản: {}", p.display());
            }
            for (s, due) in &plan.outcome.opened {
                println!(
                    "mở: {s}{}",
                    due.map(|d| format!(" (hạn {})", d.format("%d/%m/%Y")))
                        .unwrap_or_default()
                );
            }
            if let Some(w) = &plan.outcome.starts {
                let linked = engine.start_linked(store, &id, w, at)?;
                println!("nhân rộng: hồ sơ mới {linked} theo quy trình `{w}` tại địa bàn mới");
            }
        }
    }
    Ok(())
}

/// Prints every problem of the given workflow files and overlays; fails when there is one.
fn check_workflows(
    set: &TemplateSet,
    known: &[hoso::workflow::Workflow],
    files: &[PathBuf],
) -> Result<()> {
    use hoso::workflow::{Loaded, check, overlay::LoadedOverlay};
    let mut problems = 0;
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| Error::io(f, e))?;
        let is_overlay = serde_yaml::from_str::<serde_yaml::Value>(&text)
            .ok()
            .is_some_and(|v| v.get("extends").is_some());
        let found = if is_overlay {
            LoadedOverlay::parse(f, &text).and_then(|o| {
                let base = known
                    .iter()
                    .find(|w| w.id == o.overlay.extends)
                    .ok_or_else(|| {
                        Error::Usage(format!(
                            "{}: extends unknown workflow `{}`",
                            f.display(),
                            o.overlay.extends
                        ))
                    })?;
                Ok(match o.merge(base) {
                    Ok(merged) => check::check(
                        &Loaded {
                            path: f.clone(),
                            workflow: merged,
                            spans: Default::default(),
                        },
                        set,
                    ),
                    Err(p) => p,
                })
            })
        } else {
            Loaded::parse(f, &text).map(|w| check::check(&w, set))
        };
        match found {
            Ok(found) => {
                if found.is_empty() {
                    println!("{}: ok", f.display());
                }
                for p in &found {
                    println!("{p}");
                }
                problems += found.len();
            }
            Err(e) => {
                println!("{e}");
                problems += 1;
            }
        }
    }
    if problems > 0 {
        return Err(Error::Usage(format!(
            "{problems} problem(s) in workflow definitions"
        )));
    }
    Ok(())
}

/// Renders every template's sample (samples/documents) as a draft, DOCX and PDF.
fn render_samples(set: &TemplateSet, samples: &Path, out: &Path) -> Result<()> {
    let dir = samples.join("documents");
    let today = chrono::Local::now().date_naive();
    let mut written = 0;
    for t in set.iter() {
        let data_path = dir.join(format!("{}.yaml", t.id));
        if !data_path.exists() {
            return Err(Error::Io {
                path: data_path,
                message: format!("no sample data for template `{}`", t.id),
            });
        }
        let data = DocData::load(&data_path)?;
        let issuance = Issuance {
            number: None,
            date: None,
            today,
            draft_mark: false,
        };
        written += hoso::service::render_to_files(
            set,
            &t.id,
            &data,
            &issuance,
            &[Format::Docx, Format::Pdf],
            Profile::Standard,
            &out.join("documents").join(&t.id),
        )?
        .len();
    }
    println!(
        "{} mẫu văn bản, {written} tệp trong {}",
        set.iter().count(),
        out.join("documents").display()
    );
    Ok(())
}
