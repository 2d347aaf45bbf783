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
    /// The register of outgoing documents (sổ đăng ký văn bản đi): numbers and the book.
    #[command(subcommand)]
    Register(RegisterCommand),
    /// Write a case's hồ sơ as a BagIt bag in a ZIP: issued documents, attached files, case
    /// data, event log, metadata and the checklist of required items.
    Archive {
        case: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Check an archive: every checksum, every missing, changed or extra file by name (exit 1);
    /// an intact archive of an incomplete hồ sơ exits 3.
    Verify { file: PathBuf },
    /// Restore a case from its archive into the database, after verifying it.
    Import { file: PathBuf },
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
    /// Add a file of your own (evidence, the fund ledger, a scan) to hồ sơ item N.
    Attach {
        id: String,
        file: PathBuf,
        #[arg(long)]
        item: u32,
        #[arg(long, value_parser = parse_date)]
        at: Option<NaiveDate>,
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
enum RegisterCommand {
    /// Take the next number for a document made outside hoso (a hand-written công văn);
    /// prints its number and symbol.
    Take {
        #[arg(long)]
        province: String,
        /// The agency's id in the province file.
        #[arg(long)]
        issuer: String,
        /// Document type: a key (quyet-dinh, cong-van, …) or its abbreviation (QĐ, TTr).
        #[arg(long = "type")]
        kind: String,
        #[arg(long, value_parser = parse_date)]
        at: Option<NaiveDate>,
        /// Trích yếu.
        #[arg(long, default_value = "")]
        summary: String,
        /// Drafting unit's abbreviation: a công văn's last group ("NC" in "2389/BCĐ-NC").
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, default_value = "")]
        signer: String,
        /// A recipient (Nơi nhận); repeat for each.
        #[arg(long = "recipient")]
        recipients: Vec<String>,
        /// Number of copies.
        #[arg(long)]
        copies: Option<u32>,
        /// A secret document (văn bản mật): its own series.
        #[arg(long)]
        secret: bool,
    },
    /// Withdraw a number: it stays in the book, marked, and is never given again.
    Void {
        /// "05", or the full symbol "05/QĐ-UBND" when several series have a 05.
        number: String,
        #[arg(long)]
        province: String,
        #[arg(long)]
        issuer: String,
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        reason: String,
        #[arg(long, value_parser = parse_date)]
        at: Option<NaiveDate>,
    },
    /// The book: the columns of Phụ lục IV.
    List {
        /// With --issuer: the province file the agency id comes from.
        #[arg(long)]
        province: Option<String>,
        /// An agency id (with --province) or part of an issuer's name.
        #[arg(long)]
        issuer: Option<String>,
        #[arg(long)]
        year: Option<i32>,
        /// text, csv, json or docx (docx needs --out).
        #[arg(long, default_value = "text")]
        format: String,
        #[arg(long)]
        out: Option<PathBuf>,
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
    /// Issue a case's drafted document: the next number from the issuer's register, the date
    /// fixed, the final DOCX and PDF (with any document attached to it) written to DIR/<case>/.
    /// Issuing it again gives back the same number and files.
    Issue {
        case: String,
        /// The document's id (`hoso case status` lists them) or its template.
        doc: String,
        #[arg(long, value_parser = parse_date)]
        at: Option<NaiveDate>,
        #[arg(long, default_value = "hoso-out")]
        out: PathBuf,
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
        Command::Doc(DocCommand::Issue { case, doc, at, out }) => {
            let mut store = hoso::store::Store::open(&cli.db)?;
            let issued = hoso::issue::issue(
                &set,
                &mut store,
                &case,
                &doc,
                at.unwrap_or_else(today),
                &out,
            )?;
            println!(
                "{} {}: {} ngày {}",
                issued.doc,
                if issued.again {
                    "đã ban hành"
                } else {
                    "ban hành"
                },
                issued.entry.symbol,
                issued.entry.on_date.format("%d/%m/%Y")
            );
            for a in &issued.attached {
                println!("kèm theo: {a}");
            }
            for f in &issued.files {
                println!("{}", f.display());
            }
            Ok(())
        }
        Command::Register(r) => {
            let engine = hoso::engine::Engine::new(all_workflows(&cli.workflows)?);
            let mut store = hoso::store::Store::open(&cli.db)?;
            register_command(&engine, &mut store, r)
        }
        Command::Archive { case, out } => {
            let engine = hoso::engine::Engine::new(all_workflows(&cli.workflows)?);
            let store = hoso::store::Store::open(&cli.db)?;
            let bytes = hoso::archive::build(&set, &engine, &store, &case)?;
            hoso::fsutil::write_atomic(&out, &bytes)?;
            println!("{}", out.display());
            Ok(())
        }
        Command::Verify { file } => {
            let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, e))?;
            let report = hoso::archive::verify(&bytes, Default::default())
                .map_err(|e| Error::Usage(format!("{}: {e}", file.display())))?;
            for p in &report.problems {
                println!("{p}");
            }
            if !report.intact() {
                return Err(Error::Usage(format!(
                    "{}: {} problem(s): the archive is not as it was bagged",
                    file.display(),
                    report.problems.len()
                )));
            }
            let meta = report.metadata.as_ref().ok_or_else(|| {
                Error::Usage(format!("{}: no hoso metadata in the bag", file.display()))
            })?;
            println!("{}: toàn vẹn ({} tệp)", file.display(), report.files.len());
            if meta.complete() {
                println!("hồ sơ {} đầy đủ", meta.case);
                Ok(())
            } else {
                let missing: Vec<String> = meta
                    .missing()
                    .map(|c| format!("mục {}: {}", c.item, c.title))
                    .collect();
                println!(
                    "hồ sơ {} chưa đầy đủ, thiếu:\n  {}",
                    meta.case,
                    missing.join("\n  ")
                );
                std::process::exit(3);
            }
        }
        Command::Import { file } => {
            let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, e))?;
            let mut store = hoso::store::Store::open(&cli.db)?;
            let id = hoso::archive::import(&mut store, &bytes, Default::default())
                .map_err(|e| Error::Usage(format!("{}: {e}", file.display())))?;
            println!("{id}");
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
            let mut documents = Vec::new();
            for d in store.documents(&id)? {
                let symbol = match d.entry {
                    Some(e) => Some(hoso::register::entry(store, e)?.symbol),
                    None => None,
                };
                documents.push((d, symbol));
            }
            if format == "json" {
                let steps: Vec<serde_json::Value> = steps
                    .iter()
                    .map(|s| serde_json::json!({"step": s.step, "open": s.open, "due": s.due, "done_on": s.done_on}))
                    .collect();
                let events: Vec<serde_json::Value> = events
                    .iter()
                    .map(|e| serde_json::json!({"seq": e.seq, "on": e.on_date, "actor": e.actor, "step": e.step, "inputs": e.inputs}))
                    .collect();
                let documents: Vec<serde_json::Value> = documents
                    .iter()
                    .map(|(d, symbol)| serde_json::json!({"doc": d.doc, "step": d.step, "template": d.template, "drafted_on": d.drafted_on, "number": symbol}))
                    .collect();
                let v = serde_json::json!({
                    "id": c.id, "workflow": c.workflow, "version": c.version, "opened": c.created_on,
                    "data": c.data, "steps": steps, "events": events, "documents": documents,
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
            for (d, symbol) in documents {
                println!(
                    "  văn bản {:<48} {}",
                    d.doc,
                    symbol.unwrap_or_else(|| "dự thảo".into())
                );
            }
        }
        CaseCommand::Attach { id, file, item, at } => {
            let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, e))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let stored =
                hoso::archive::attach(store, &id, &name, bytes, item, at.unwrap_or_else(today))?;
            println!("{stored}");
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
            if !plan.outcome.documents.is_empty() && data.is_none() {
                return Err(Error::Usage(format!(
                    "bước `{step}` tạo văn bản ({}): cần --data với dữ liệu văn bản (issuer, signer, …)",
                    plan.outcome.documents.join(", ")
                )));
            }
            let drafted = hoso::issue::draft_step(
                set,
                engine,
                store,
                &plan,
                |_| match &data {
                    Some(p) => DocData::load(p),
                    None => Err(Error::Usage("no --data".into())),
                },
                &out,
            )?;
            for d in &drafted {
                for p in &d.files {
                    println!("dự thảo {}: {}", d.doc, p.display());
                }
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

fn register_command(
    engine: &hoso::engine::Engine,
    store: &mut hoso::store::Store,
    r: RegisterCommand,
) -> Result<()> {
    use hoso::document::kind;
    use hoso::register;
    match r {
        RegisterCommand::Take {
            province,
            issuer,
            kind: type_name,
            at,
            summary,
            unit,
            signer,
            recipients,
            copies,
            secret,
        } => {
            let agency = engine.agency(&province, &issuer)?;
            let issuer = agency.issuer().to_model();
            let k = kind::lookup(&type_name).ok_or_else(|| {
                Error::Usage(format!(
                    "--type: `{type_name}` is not a document type (quyet-dinh, cong-van, QĐ, TTr, …)"
                ))
            })?;
            if k.abbr(issuer.family).is_none() && unit.is_none() {
                return Err(Error::Usage(
                    "--unit: a công văn's ký hiệu ends with the drafting unit (e.g. NC)".into(),
                ));
            }
            let unit = unit.map(|u| hoso::text::clean(&u));
            let mut req = register::Request::new(&issuer, k, unit, at.unwrap_or_else(today));
            req.secret = secret;
            req.trich_yeu = hoso::text::clean(&summary);
            req.signer = hoso::text::clean(&signer);
            req.recipients = recipients.iter().map(|r| hoso::text::clean(r)).collect();
            req.copies = copies;
            let entry = register::take(store, &req)?;
            println!("{}", entry.symbol);
        }
        RegisterCommand::Void {
            number,
            province,
            issuer,
            year,
            reason,
            at,
        } => {
            let key = register::issuer_key(&engine.agency(&province, &issuer)?.issuer().to_model());
            let e = register::void(
                store,
                &key,
                &number,
                year,
                &reason,
                at.unwrap_or_else(today),
            )?;
            println!(
                "{} thu hồi ngày {}: {}",
                e.symbol,
                e.voided_on.unwrap_or_default().format("%d/%m/%Y"),
                e.void_reason.unwrap_or_default()
            );
        }
        RegisterCommand::List {
            province,
            issuer,
            year,
            format,
            out,
        } => {
            let key = match (&province, &issuer) {
                (Some(p), Some(i)) => Some(register::issuer_key(
                    &engine.agency(p, i)?.issuer().to_model(),
                )),
                _ => None,
            };
            let books = match (&key, &issuer) {
                (Some(k), _) => register::Books::Of(k),
                (None, Some(part)) => register::Books::NameContains(part),
                (None, None) => register::Books::All,
            };
            let entries = register::list(store, books, year)?;
            if let (None, Some(i), true) = (&province, &issuer, entries.is_empty())
                && i.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                eprintln!(
                    "hoso: no issuer's name contains `{i}`; for an agency id, add --province"
                );
            }
            match format.as_str() {
                "text" => {
                    for e in &entries {
                        let row = e.book_row();
                        println!(
                            "{:<18} {}  {}  [{}]  {}",
                            row[0], row[1], row[2], e.issuer, row[9]
                        );
                    }
                }
                "csv" => print!("{}", register::csv(&entries)),
                "json" => println!(
                    "{}",
                    serde_json::to_string(&entries).map_err(|e| Error::Usage(e.to_string()))?
                ),
                "docx" => {
                    let Some(out) = out else {
                        return Err(Error::Usage("--format docx needs --out FILE.docx".into()));
                    };
                    let title = format!(
                        "SỔ ĐĂNG KÝ VĂN BẢN ĐI{}",
                        year.map(|y| format!(" NĂM {y}")).unwrap_or_default()
                    );
                    let widths = [31.0, 22.0, 48.0, 28.0, 40.0, 22.0, 14.0, 15.0, 15.0, 22.0];
                    let columns: Vec<(&str, f32)> =
                        register::BOOK_COLUMNS.iter().copied().zip(widths).collect();
                    // One book an issuing body; the list is ordered by issuer.
                    let mut sections: Vec<hoso::render::book::Section> = Vec::new();
                    for e in &entries {
                        if sections.last().is_none_or(|(name, _)| *name != e.issuer) {
                            sections.push((e.issuer.clone(), Vec::new()));
                        }
                        if let Some((_, rows)) = sections.last_mut() {
                            rows.push(e.book_row().to_vec());
                        }
                    }
                    let bytes = hoso::render::book::docx(&title, &columns, &sections)?;
                    hoso::fsutil::write_atomic(&out, &bytes)?;
                    println!("{}", out.display());
                }
                other => {
                    return Err(Error::Usage(format!(
                        "--format: `{other}` is not text, csv, json or docx"
                    )));
                }
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
                            spans: o.spans_for(&merged),
                            workflow: merged,
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
