//! The application: what a clerk, a leader, a văn thư or an archivist can do, as methods that
//! return values and never print. The command line (and later the web application) parses its
//! input, calls one method, and shows the result. An [`App`] is built once from a [`Config`];
//! templates, procedures and the store are loaded the first time a use case needs them, so
//! `verify` reads no template and `doc render` opens no database.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::Value;

use crate::archive::{self, names};
use crate::document::kind;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::issue::{self, Draft, Issued};
use crate::register::{self, BookKey, Books, Entry};
use crate::render::{Format, pdf::Profile, render_all};
use crate::store::{CaseRow, Db, DocumentRow, EventRow, StepRow, Store};
use crate::template::{DocData, Issuance, TemplateSet};
use crate::workflow::{ProcedureKey, Procedures, Workflow, check};

mod batch;
mod due;
pub use batch::{DocRef, IssueDay, Selection, nothing};

/// Where an application's parts come from.
#[derive(Debug, Clone)]
pub struct Config {
    /// Templates instead of the built-in ones.
    pub templates: Option<PathBuf>,
    /// Procedures instead of the built-in ones.
    pub workflows: Option<PathBuf>,
    /// The case database.
    pub db: Db,
}

pub struct App {
    config: Config,
    /// Shared, so that a server loads templates and procedures once for every request.
    templates: OnceCell<Arc<TemplateSet>>,
    engine: OnceCell<Arc<Engine>>,
    store: Option<Box<dyn Store>>,
    /// The store opened only to read, for use cases that write nothing.
    reader: Option<Box<dyn Store>>,
    /// The account steps are recorded under (the web application's person).
    person: Option<String>,
}

/// A document's bytes in each format asked for.
pub type Rendered = Vec<(Format, Vec<u8>)>;

/// One document of a batch: a template and the data file it is rendered from.
#[derive(Debug, Clone)]
pub struct BatchItem {
    pub template: String,
    pub data: PathBuf,
}

/// A file a use case produced, and where it goes below the output folder.
#[derive(Debug, Clone)]
pub struct OutFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// A document a step drafted.
#[derive(Debug)]
pub struct Drafted {
    /// Its id in the case: "03-quyet-dinh-thanh-lap-mo-hinh".
    pub doc: String,
    pub template: String,
    /// `<case>/du-thao/<doc>.docx|pdf`.
    pub files: Vec<OutFile>,
}

/// What completing a step did.
#[derive(Debug)]
pub struct Advanced {
    pub drafted: Vec<Drafted>,
    /// Steps now open, with due dates.
    pub opened: Vec<(String, Option<NaiveDate>)>,
    /// The linked cases the step started (nhân rộng), one per site: (id, procedure).
    pub linked: Vec<(String, String)>,
}

/// A case with the steps open in it.
#[derive(Debug)]
pub struct CaseSummary {
    /// The case; as [`App::cases`] lists it, its data holds only the [`LIST_FIELDS`] it has.
    pub case: CaseRow,
    pub open_steps: Vec<String>,
}

/// The fields of a case a list of cases shows: its name.
pub const LIST_FIELDS: [&str; 3] = ["ten_mo_hinh", "ten_dien_hinh", "ten_don_vi"];

/// Where a case stands.
#[derive(Debug)]
pub struct CaseStatus {
    pub case: CaseRow,
    pub steps: Vec<StepRow>,
    pub events: Vec<EventRow>,
    /// Each document with its number, once issued.
    pub documents: Vec<(DocumentRow, Option<String>)>,
    /// Its deadlines and dropped steps on the day asked.
    pub standing: crate::engine::Standing,
    /// The day the deadlines are judged on.
    pub on: NaiveDate,
}

/// A report's documents, with the register's entry when it was numbered.
#[derive(Debug)]
pub struct ReportDocuments {
    pub entry: Option<Entry>,
    /// Each template with its renderings.
    pub files: Vec<(&'static str, Rendered)>,
}

/// A deadline of an open step.
#[derive(Debug)]
pub struct DueItem {
    pub case: String,
    pub workflow: String,
    pub step: String,
    pub title: String,
    /// What the case is about, in words: mô hình “Camera an ninh” (thôn 1).
    pub subject: String,
    pub due: NaiveDate,
    /// The deadline passed before the day the list was made for, and the step is still open.
    pub overdue: bool,
    /// The documents say "trước ngày" the day after `due` (see [`crate::workflow::deadline_words`]).
    pub before: bool,
}

/// A case in words, for a calendar or a list: the kind of case and its name from its fields.
fn subject_of(case: &CaseRow) -> String {
    let field = |k: &str| case.data.get(k).and_then(Value::as_str).map(str::trim);
    let procedure = case.workflow.split('@').next().unwrap_or_default();
    let named = match procedure {
        "mo-hinh" => field("ten_mo_hinh").map(|n| {
            let place = field("pham_vi")
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            format!("mô hình “{n}”{place}")
        }),
        "dien-hinh" => field("ten_dien_hinh").map(|n| format!("điển hình “{n}”")),
        "don-vi-dien-hinh" => field("ten_don_vi").map(|n| format!("đơn vị điển hình “{n}”")),
        "phong-trao-tinh" => case
            .data
            .get("nam")
            .and_then(Value::as_i64)
            .map(|y| format!("kế hoạch phong trào năm {y}")),
        _ => None,
    };
    named.unwrap_or_else(|| format!("hồ sơ {}", case.id))
}

/// A number for a document made outside hoso (a hand-written công văn).
#[derive(Debug, Clone)]
pub struct TakeRequest {
    pub province: String,
    /// The agency's id in the province file.
    pub issuer: String,
    /// A type key (quyet-dinh, cong-van) or its abbreviation (QĐ, TTr).
    pub kind: String,
    pub at: NaiveDate,
    pub summary: String,
    /// The drafting unit: a công văn's last group ("NC" in "2389/BCĐ-NC").
    pub unit: Option<String>,
    pub signer: String,
    pub recipients: Vec<String>,
    pub copies: Option<u32>,
    pub secret: bool,
    /// The văn thư confirms a date more than [`register::DAYS_AHEAD`] days ahead.
    pub allow_future: bool,
}

/// Whose book to read.
#[derive(Debug, Clone, Default)]
pub struct BookQuery {
    /// With `issuer`: the province file the agency id comes from.
    pub province: Option<String>,
    /// An agency id (with `province`) or part of an issuer's name.
    pub issuer: Option<String>,
    pub year: Option<i32>,
}

/// The book, and a hint when the query probably meant something else.
#[derive(Debug)]
pub struct Book {
    pub entries: Vec<Entry>,
    pub hint: Option<String>,
}

/// A name from the store used in a path: only when it has the shape hoso gives it (the same
/// rules an archive's names are held to on import), so stored data never becomes a path.
fn shaped<'a>(what: &str, s: &'a str, ok: bool) -> Result<&'a str> {
    if ok {
        Ok(s)
    } else {
        Err(Error::Invalid(format!(
            "{what} `{s}` không dùng được làm tên tệp"
        )))
    }
}

fn case_dir(case: &str) -> Result<&Path> {
    shaped("mã hồ sơ", case, names::is_case_id(case)).map(Path::new)
}

impl Drafted {
    fn new(case: &str, doc: String, d: Draft) -> Result<Drafted> {
        let dir = case_dir(case)?.join("du-thao");
        let stem = shaped("mã văn bản", &doc, names::doc_id(&doc).is_some())?;
        let files = d
            .files
            .into_iter()
            .map(|(f, bytes)| OutFile {
                path: dir.join(format!("{stem}.{}", f.extension())),
                bytes,
            })
            .collect();
        Ok(Drafted {
            doc,
            template: d.template,
            files,
        })
    }
}

/// The issued files of a case as they go out: `<case>/<doc>.docx|pdf`.
pub fn issued_files(case: &str, issued: &Issued) -> Result<Vec<OutFile>> {
    let dir = case_dir(case)?;
    issued
        .files
        .iter()
        .map(|f| {
            let doc = f.doc.as_deref().unwrap_or_default();
            let name = shaped("tên tệp", &f.name, names::is_document_file(doc, &f.name))?;
            Ok(OutFile {
                path: dir.join(name.trim_start_matches("documents/")),
                bytes: f.bytes.clone(),
            })
        })
        .collect()
}

/// A store that fails SQLite's full integrity check, as an error naming the first problem.
fn refuse_damaged(store: &dyn Store) -> Result<()> {
    match store.check(true, false)?.first() {
        Some(p) => Err(Error::corrupt(
            store.location(),
            format!("cơ sở dữ liệu bị hỏng ({p}); chạy `hoso db check`, khôi phục từ bản sao lưu"),
        )),
        None => Ok(()),
    }
}

/// A case's deadlines on `on` ([`Engine::standing`]); for a case whose procedure is not loaded
/// here (an imported case of another version), its open steps' stored due dates, so that one
/// such case does not hide every other's.
fn standing(
    engine: &Engine,
    case: &CaseRow,
    steps: &[StepRow],
    events: &[EventRow],
    on: NaiveDate,
) -> crate::engine::Standing {
    engine
        .standing(case, steps, events, on)
        .unwrap_or_else(|_| stored_dates(steps, on))
}

/// A case's deadlines from its open steps' stored due dates alone: what is known of a case
/// whose procedure is not loaded here.
fn stored_dates(steps: &[StepRow], on: NaiveDate) -> crate::engine::Standing {
    crate::engine::Standing {
        pending: steps
            .iter()
            .filter(|r| r.open)
            .filter_map(|r| {
                Some(crate::engine::Pending {
                    step: r.step.clone(),
                    due: r.due?,
                    overdue: r.due? < on,
                    // Without its procedure, the stored date is the last day.
                    before: false,
                })
            })
            .collect(),
        dropped: Vec::new(),
        valid_through: None,
    }
}

/// The latest date a number may carry without confirmation, counted from the machine's today.
fn limit_ahead(allow_future: bool) -> Option<NaiveDate> {
    if allow_future {
        None
    } else {
        register::not_after(chrono::Local::now().date_naive())
    }
}

/// Writes use-case files below `out`, each atomically.
pub fn write_files(out: &Path, files: &[OutFile]) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for f in files {
        let p = out.join(&f.path);
        crate::fsutil::write_atomic(&p, &f.bytes)?;
        written.push(p);
    }
    Ok(written)
}

impl App {
    pub fn new(config: Config) -> App {
        App {
            config,
            templates: OnceCell::new(),
            engine: OnceCell::new(),
            store: None,
            reader: None,
            person: None,
        }
    }

    /// An application using templates and procedures already loaded by another (a server's
    /// requests share one copy).
    pub fn with_shared(config: Config, templates: Arc<TemplateSet>, engine: Arc<Engine>) -> App {
        let app = App::new(config);
        let _ = app.templates.set(templates);
        let _ = app.engine.set(engine);
        app
    }

    /// The loaded templates and procedures, to share with [`App::with_shared`].
    pub fn shared(&self) -> Result<(Arc<TemplateSet>, Arc<Engine>)> {
        self.templates()?;
        self.engine()?;
        match (self.templates.get(), self.engine.get()) {
            (Some(t), Some(e)) => Ok((t.clone(), e.clone())),
            _ => Err(Error::Invalid("mẫu và quy trình chưa nạp được".into())),
        }
    }

    /// Records the steps this application takes under an account (the event log names the
    /// person, not only the role).
    pub fn act_as(&mut self, login: &str) {
        self.person = Some(login.to_string());
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The templates, loaded once.
    pub fn templates(&self) -> Result<&TemplateSet> {
        if let Some(t) = self.templates.get() {
            return Ok(&**t);
        }
        let set = match &self.config.templates {
            Some(d) => TemplateSet::load_dir(d)?,
            None => TemplateSet::embedded()?,
        };
        Ok(&**self.templates.get_or_init(|| Arc::new(set)))
    }

    /// The procedures, loaded, merged and checked once: a broken definition is refused here,
    /// before any case uses it.
    pub fn engine(&self) -> Result<&Engine> {
        if let Some(e) = self.engine.get() {
            return Ok(&**e);
        }
        // Templates by name only: deadlines and the register need no template parsed.
        let templates = crate::template::ids(self.config.templates.as_deref())?;
        let procedures = Procedures::load(
            self.config.workflows.as_deref(),
            templates.iter().map(String::as_str),
        )?;
        Ok(&**self
            .engine
            .get_or_init(|| Arc::new(Engine::from_procedures(procedures))))
    }

    fn open_store(&mut self) -> Result<()> {
        if self.store.is_none() {
            // A PostgreSQL reader is already a read-write connection: one per App, so a server's
            // threads never hold two pooled connections each and wait on each other for a third.
            self.store = match (&self.config.db, self.reader.take()) {
                (Db::Postgres(_), Some(reader)) => Some(reader),
                (_, reader) => {
                    self.reader = reader;
                    Some(self.config.db.open()?)
                }
            };
        }
        Ok(())
    }

    /// The store, opened once.
    pub fn store(&mut self) -> Result<&mut dyn Store> {
        self.open_store()?;
        match self.store.as_deref_mut() {
            Some(s) => Ok(s),
            None => Err(Error::storage(&self.config.db.shown(), "không mở được")),
        }
    }

    /// The store for reading: the writable one if it is open, otherwise one opened read-only
    /// (a read works on a read-only disk and never creates a database).
    pub fn reader(&mut self) -> Result<&dyn Store> {
        if self.store.is_none() && self.reader.is_none() {
            self.reader = Some(self.config.db.open_read_only()?);
        }
        self.opened_reader()
    }

    /// Templates, procedures and the store for reading.
    fn read_parts(&mut self) -> Result<(&TemplateSet, &Engine, &dyn Store)> {
        self.templates()?;
        self.engine()?;
        self.reader()?;
        match (self.templates.get(), self.engine.get()) {
            (Some(set), Some(engine)) => Ok((&**set, &**engine, self.opened_reader()?)),
            _ => Err(Error::storage(&self.config.db.shown(), "không mở được")),
        }
    }

    /// Procedures and the store for reading, for use cases that judge cases without
    /// rendering (deadlines, status, figures): no template is parsed.
    fn judge_parts(&mut self) -> Result<(&Engine, &dyn Store)> {
        self.engine()?;
        self.reader()?;
        match self.engine.get() {
            Some(engine) => Ok((&**engine, self.opened_reader()?)),
            None => Err(Error::storage(&self.config.db.shown(), "không mở được")),
        }
    }

    /// The store [`reader`](Self::reader) opened.
    fn opened_reader(&self) -> Result<&dyn Store> {
        match (self.store.as_deref(), self.reader.as_deref()) {
            (Some(s), _) | (None, Some(s)) => Ok(s),
            (None, None) => Err(Error::storage(&self.config.db.shown(), "không mở được")),
        }
    }

    /// Templates, procedures and the store at once, for use cases that need all three.
    fn parts(&mut self) -> Result<(&TemplateSet, &Engine, &mut dyn Store)> {
        self.templates()?;
        self.engine()?;
        self.open_store()?;
        let (Some(set), Some(engine), Some(store)) = (
            self.templates.get(),
            self.engine.get(),
            self.store.as_deref_mut(),
        ) else {
            return Err(Error::storage(&self.config.db.shown(), "không mở được"));
        };
        Ok((&**set, &**engine, store))
    }

    /// One document in each format from a template and its data, in memory.
    pub fn render(
        &self,
        template: &str,
        data: &DocData,
        issuance: &Issuance,
        formats: &[Format],
        pdf: Profile,
    ) -> Result<Vec<(Format, Vec<u8>)>> {
        let doc = self.templates()?.document(template, data, issuance)?;
        render_all(&doc, formats, pdf)
    }

    /// Renders many documents in this process, on `jobs` threads sharing the loaded
    /// templates: each item's data file is read, rendered and handed to `done` (from the
    /// thread that rendered it) as soon as it is ready, so a batch of thousands never holds
    /// more than `jobs` documents in memory. One item's failure is that item's result; the
    /// others go on. The bytes are those [`render`](Self::render) gives for the same item.
    pub fn render_batch(
        &self,
        items: &[BatchItem],
        issuance: &Issuance,
        formats: &[Format],
        pdf: Profile,
        jobs: usize,
        done: &(dyn Fn(&BatchItem, Result<Rendered>) + Sync),
    ) -> Result<()> {
        let set = self.templates()?;
        let next = std::sync::atomic::AtomicUsize::new(0);
        let one = |item: &BatchItem| -> Result<Rendered> {
            let data = DocData::load(&item.data)?;
            let doc = set.document(&item.template, &data, &issuance.dated_by(&data))?;
            render_all(&doc, formats, pdf)
        };
        std::thread::scope(|s| {
            for _ in 0..jobs.clamp(1, items.len().max(1)) {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done(item, one(item));
                    }
                });
            }
        });
        Ok(())
    }

    /// A procedure as it stands today (its newest version).
    pub fn workflow(&self, key: &ProcedureKey) -> Result<&Workflow> {
        self.engine()?.newest(key)
    }

    /// The procedure files set aside for their problems, once the procedures are loaded (a
    /// command that never needed them says nothing): one line each, naming the file's first
    /// problem.
    pub fn broken_procedures(&self) -> Vec<String> {
        let Some(engine) = self.engine.get() else {
            return Vec::new();
        };
        engine
            .broken()
            .iter()
            .map(|b| {
                let key = match (&b.base, &b.province) {
                    (Some(base), Some(p)) => format!("{base}@{p}"),
                    (Some(base), None) => base.clone(),
                    (None, Some(p)) => format!("…@{p}"),
                    (None, None) => "?".into(),
                };
                format!(
                    "quy trình `{key}` có lỗi, hồ sơ theo nó bị từ chối cho đến khi sửa ({} lỗi; \
                     đầu tiên: {})",
                    b.problems.len(),
                    b.problems.first().map_or("", String::as_str)
                )
            })
            .collect()
    }

    /// Checks definition files as `hoso workflow check` does, each on its own: an overlay
    /// against the base given with it, else the loaded base it extends. Without files, every
    /// file of the `--workflows` folder.
    pub fn check_workflows(&self, files: &[PathBuf]) -> Result<Vec<check::FileCheck>> {
        let set = self.templates()?;
        let dir = self.config.workflows.as_deref();
        let catalog = match dir {
            Some(d) => crate::workflow::Catalog::dir(d)?,
            None => crate::workflow::Catalog::embedded(),
        };
        let files = match (files.is_empty(), dir) {
            (false, _) => files.to_vec(),
            (true, Some(d)) => crate::workflow::files_of(d)?,
            (true, None) => {
                return Err(Error::Usage(
                    "workflow check: nêu các tệp cần kiểm, hoặc --workflows THƯ_MỤC để kiểm mọi \
                     tệp của thư mục"
                        .into(),
                ));
            }
        };
        let broken_bases: Vec<String> = catalog
            .broken
            .iter()
            .filter(|b| b.province.is_none())
            .filter_map(|b| b.base.clone())
            .collect();
        let (loaded, _) = catalog.merged(None);
        let loaded: Vec<Workflow> = loaded.into_iter().map(|l| l.workflow).collect();
        let known = check::Known::new(
            set.iter().map(|t| t.id.as_str()),
            loaded
                .iter()
                .map(|w| w.id.as_str())
                .chain(broken_bases.iter().map(String::as_str)),
        );
        Ok(check::check_files(&files, &known, &loaded))
    }

    /// Opens a case of `key` with its fields on `at`; returns its id.
    pub fn new_case(&mut self, key: &ProcedureKey, data: &Value, at: NaiveDate) -> Result<String> {
        self.new_case_from(key, data, at, None)
    }

    /// Opens a case at `from`, a step its procedure marks `entry`, or at the first step.
    pub fn new_case_from(
        &mut self,
        key: &ProcedureKey,
        data: &Value,
        at: NaiveDate,
        from: Option<&str>,
    ) -> Result<String> {
        let (_, engine, store) = self.parts()?;
        engine.new_case_from(store, key.clone(), data, at, from)
    }

    /// Checks a step's inputs alone (the command line names their file when they are wrong).
    pub fn check_inputs(&mut self, case: &str, step: &str, inputs: &Value) -> Result<()> {
        let (engine, store) = self.judge_parts()?;
        engine.check_inputs(&store.case(case)?, step, inputs)
    }

    /// The templates a step of a case may produce.
    pub fn step_documents(&mut self, case: &str, step: &str) -> Result<Vec<String>> {
        let (engine, store) = self.judge_parts()?;
        engine.step_documents(&store.case(case)?, step)
    }

    /// Completes a step: checks it, renders its documents as drafts (from `data_for`, per
    /// template), and records the step, its drafts and any case it starts in one transaction.
    /// Nothing is recorded when a guard refuses, a document cannot be filled, or another clerk
    /// recorded the case first. A date more than [`register::DAYS_AHEAD`] days after today is
    /// taken only with `allow_future` (a mistyped year would block every earlier step).
    pub fn advance(
        &mut self,
        case: &str,
        step: &str,
        inputs: &Value,
        at: NaiveDate,
        allow_future: bool,
        data_for: impl FnMut(&str) -> Result<DocData>,
    ) -> Result<Advanced> {
        if let Some(limit) = limit_ahead(allow_future)
            && at > limit
        {
            return Err(Error::Invalid(format!(
                "bước `{step}`: ngày {} quá xa trong tương lai (quá {} ngày sau hôm nay); nếu đúng \
                 ngày ấy, thêm --allow-future",
                at.format("%d/%m/%Y"),
                register::DAYS_AHEAD
            )));
        }
        let person = self.person.clone();
        let (set, engine, store) = self.parts()?;
        let plan = engine.plan(store, case, step, inputs, at)?;
        let drafts = issue::render_drafts(set, engine, store, &plan, data_for)?;
        let linked = engine.linked_cases(&plan)?;
        let rows: Vec<(String, Value)> = drafts
            .iter()
            .map(|d| (d.template.clone(), d.data.clone()))
            .collect();
        let mut tx = store.begin()?;
        if let Some(p) = &person {
            tx.act_as(p);
        }
        let ids = engine.commit(tx.as_mut(), &plan, &rows)?;
        let mut started = Vec::new();
        for c in linked {
            let id = tx.next_case_id()?;
            tx.insert_case(&id, &c)?;
            started.push((id, c.workflow));
        }
        tx.commit()?;
        let drafted = ids
            .into_iter()
            .zip(drafts)
            .map(|(doc, d)| Drafted::new(case, doc, d))
            .collect::<Result<_>>()?;
        Ok(Advanced {
            drafted,
            opened: plan.outcome.opened,
            linked: started,
        })
    }

    /// Records a step done on paper before the case came into hoso (a model founded years
    /// ago, a province's back catalogue, the generated province): checked like any step —
    /// order, inputs, guards, deadlines met — but nothing is drafted, since its documents
    /// exist on paper. Returns the linked cases it started, with their procedures.
    pub fn record(
        &mut self,
        case: &str,
        step: &str,
        inputs: &Value,
        at: NaiveDate,
    ) -> Result<Vec<(String, String)>> {
        if let Some(limit) = limit_ahead(false)
            && at > limit
        {
            return Err(Error::Invalid(format!(
                "bước `{step}`: ngày {} quá xa trong tương lai",
                at.format("%d/%m/%Y")
            )));
        }
        let person = self.person.clone();
        let (_, engine, store) = self.parts()?;
        let plan = engine.plan(store, case, step, inputs, at)?;
        let linked = engine.linked_cases(&plan)?;
        let mut tx = store.begin()?;
        if let Some(p) = &person {
            tx.act_as(p);
        }
        engine.commit(tx.as_mut(), &plan, &[])?;
        let mut started = Vec::new();
        for c in linked {
            let id = tx.next_case_id()?;
            tx.insert_case(&id, &c)?;
            started.push((id, c.workflow));
        }
        tx.commit()?;
        Ok(started)
    }

    /// Makes the generated province ([`crate::generate`]) in this store, which must hold no
    /// case yet: generated cases are never mixed with real ones.
    pub fn generate_province(
        &mut self,
        seed: u64,
        size: crate::generate::Size,
        drafts: Option<&crate::generate::Drafts>,
    ) -> Result<crate::generate::Generated> {
        if !self.reader()?.cases()?.is_empty() {
            return Err(Error::Invalid(format!(
                "{}: đã có hồ sơ; tỉnh mẫu chỉ sinh vào cơ sở dữ liệu chưa có hồ sơ nào (dùng \
                 --db với một tệp mới)",
                self.config.db.shown().display()
            )));
        }
        crate::generate::province(self, seed, size, drafts)
    }

    /// A province's figures for a period, from every case in the store (see
    /// [`crate::report`]); `today` bounds what counts as overdue.
    pub fn tong_hop(
        &mut self,
        dia_ban: &crate::report::dia_ban::DiaBan,
        province: &str,
        period: &crate::report::Period,
        by: Option<crate::report::dia_ban::Level>,
        today: NaiveDate,
    ) -> Result<crate::report::TongHop> {
        let (engine, store) = self.judge_parts()?;
        crate::report::tong_hop(engine, store, dia_ban, province, period, by, today)
    }

    /// A report on the figures — the steering committee's báo cáo tổng kết
    /// (`bao-cao-tong-ket-phong-trao`) or Công an tỉnh's report to Cục V05
    /// (`bao-cao-cong-an-tinh-v05`) — and its appendix (the statistics table, "Kèm theo Báo cáo
    /// số …") from the clerk's data file and the figures (`so_lieu`, numbers written out; the plan's
    /// targets against results). With `issue_on`, the report takes the next number of its
    /// issuer's register on that day, as the văn thư would, and both print it; without, both
    /// are drafts. Returns the entry and each template's files.
    pub fn report_documents(
        &mut self,
        template: &'static str,
        data: DocData,
        figures: &crate::report::TongHop,
        formats: &[Format],
        issue_on: Option<NaiveDate>,
    ) -> Result<ReportDocuments> {
        const APPENDIX: &str = "bang-thong-ke-phong-trao";
        let mut report = data.with_step_inputs(&serde_json::json!({
            "so_lieu": crate::report::bang::view(figures),
        }));
        crate::report::chi_tieu(&mut report.value, figures);
        // The appendix is issued with the report, from the report's data (issuer, signer): the
        // report's own text is not the appendix's misspelt keys.
        let appendix =
            DocData::from_stored(&report.path.display().to_string(), report.to_stored())?;
        let draft = Issuance {
            number: None,
            date: None,
            today: chrono::Local::now().date_naive(),
            draft_mark: false,
        }
        .dated_by(&report);
        let mut issuance = draft;
        let mut entry = None;
        if let Some(at) = issue_on {
            let doc = self.templates()?.document(template, &report, &draft)?;
            let mut req = register::Request::for_document(&doc, at);
            req.not_after = register::not_after(chrono::Local::now().date_naive());
            req.person = self.person.clone();
            let e = register::take(self.store()?, &req)?;
            issuance = Issuance {
                number: Some(e.number),
                date: Some(at),
                today: at,
                draft_mark: false,
            };
            entry = Some(e);
        }
        let set = self.templates()?;
        let mut files = Vec::new();
        for (template, data) in [(template, &report), (APPENDIX, &appendix)] {
            let doc = set.document(template, data, &issuance)?;
            files.push((template, render_all(&doc, formats, Profile::Standard)?));
        }
        Ok(ReportDocuments { entry, files })
    }

    /// A recorded draft rendered again from the data it was recorded with (when its files were
    /// lost, or could not be written after the step was recorded), citing the documents of
    /// the case issued since it was drafted.
    pub fn draft(&mut self, case: &str, doc: &str) -> Result<Drafted> {
        let (set, _, store) = self.read_parts()?;
        let docs = store.documents(case)?;
        let d = issue::find(&docs, case, doc)?;
        let data = issue::stored_data(set, store, case, d, NaiveDate::MAX)?;
        let issuance = Issuance {
            number: None,
            date: None,
            today: d.drafted_on,
            draft_mark: false,
        };
        let model = set.document(&d.template, &data, &issuance)?;
        let draft = Draft {
            template: d.template.clone(),
            data: d.data.clone(),
            files: render_all(&model, &issue::FORMATS, Profile::Standard)?,
        };
        Drafted::new(case, d.doc.clone(), draft)
    }

    /// Issues a case's document: its number from the register, date fixed, final files kept.
    /// A date far ahead of today needs `allow_future`.
    pub fn issue(
        &mut self,
        case: &str,
        doc: &str,
        at: NaiveDate,
        allow_future: bool,
    ) -> Result<Issued> {
        let person = self.person.clone();
        let (set, _, store) = self.parts()?;
        let how = issue::How {
            not_after: limit_ahead(allow_future),
            edited: None,
            person: person.as_deref(),
        };
        issue::issue(set, store, case, doc, at, how)
    }

    /// Issues a document with the body a person corrected in `edited`, the draft's DOCX
    /// edited in Word or LibreOffice (see [`crate::render::edited`]).
    pub fn issue_edited(
        &mut self,
        case: &str,
        doc: &str,
        at: NaiveDate,
        allow_future: bool,
        edited: &[u8],
    ) -> Result<Issued> {
        let person = self.person.clone();
        let (set, _, store) = self.parts()?;
        let how = issue::How {
            not_after: limit_ahead(allow_future),
            edited: Some(edited),
            person: person.as_deref(),
        };
        issue::issue(set, store, case, doc, at, how)
    }

    /// Keeps a user's file in hồ sơ item `item`, beside any file of the same name, never over
    /// it; returns its name in the hồ sơ. A file over [`crate::fsutil::LIMIT_ATTACHMENT`], or
    /// one that would bring the case's files over [`crate::fsutil::LIMIT_ARCHIVE`], is refused:
    /// the archive could not be verified or imported.
    pub fn attach(
        &mut self,
        case: &str,
        name: &str,
        bytes: Vec<u8>,
        item: u32,
        at: NaiveDate,
    ) -> Result<String> {
        let (_, engine, store) = self.parts()?;
        archive::attach(
            engine,
            store,
            case,
            name,
            bytes,
            item,
            at,
            Default::default(),
        )
    }

    /// Removes a user's file from a case's hồ sơ, logging its name, SHA-256 and `reason` in
    /// the case's events; returns the file removed.
    pub fn detach(
        &mut self,
        case: &str,
        name: &str,
        reason: &str,
        at: NaiveDate,
    ) -> Result<crate::store::FileRow> {
        archive::detach(self.store()?, case, name, reason, at)
    }

    /// A case's hồ sơ as a BagIt ZIP, from a store that passes its full check: an archive is
    /// the copy that outlives the database, so it is never made from a damaged one.
    pub fn archive(&mut self, case: &str) -> Result<Vec<u8>> {
        self.archive_reporting(case, &|_, _| {})
    }

    /// [`App::archive`], telling `progress` the bytes compressed so far of all.
    pub fn archive_reporting(
        &mut self,
        case: &str,
        progress: archive::Progress,
    ) -> Result<Vec<u8>> {
        let (set, engine, store) = self.read_parts()?;
        refuse_damaged(store)?;
        archive::build_reporting(set, engine, store, case, progress)
    }

    /// Every problem of the store: SQLite's full integrity check, the foreign keys, and every
    /// stored file against its SHA-256 (`hoso db check`).
    pub fn check_store(&mut self) -> Result<Vec<String>> {
        self.reader()?.check(true, true)
    }

    /// Checks an archive; needs neither templates nor the store.
    pub fn verify(bytes: &[u8]) -> Result<archive::Report> {
        archive::verify(bytes, Default::default())
    }

    /// Restores a case from its archive, after it verifies and everything in it passes the
    /// rules of local input against the templates and procedures loaded here; the store is
    /// checked in full afterwards. An archive whose id is taken here by another hồ sơ (another
    /// office's numbering) is refused saying so; see [`import_new_id`](Self::import_new_id).
    pub fn import(&mut self, bytes: &[u8]) -> Result<String> {
        self.import_with(bytes, false)
    }

    /// As [`import`](Self::import), but a case whose id is taken here by another hồ sơ is
    /// restored under this database's next id, returned.
    pub fn import_new_id(&mut self, bytes: &[u8]) -> Result<String> {
        self.import_with(bytes, true)
    }

    fn import_with(&mut self, bytes: &[u8], new_id: bool) -> Result<String> {
        let (set, engine, store) = self.parts()?;
        let id = archive::import(set, engine, store, bytes, Default::default(), new_id)?;
        refuse_damaged(store)?;
        Ok(id)
    }

    /// Every case with its open steps.
    pub fn cases(&mut self) -> Result<Vec<CaseSummary>> {
        let store = self.reader()?;
        let mut open = store.open_steps()?;
        Ok(store
            .case_list(&LIST_FIELDS)?
            .into_iter()
            .map(|case| CaseSummary {
                open_steps: open.remove(&case.id).unwrap_or_default(),
                case,
            })
            .collect())
    }

    /// The procedure a case follows (the version it was opened or moved under).
    pub fn procedure_of(&self, case: &CaseRow) -> Result<&Workflow> {
        self.engine()?.of_case(case)
    }

    /// One entry of the book (a document's number, with its date).
    pub fn entry(&mut self, id: i64) -> Result<Entry> {
        self.reader()?.entry(id)
    }

    /// The files of a case's hồ sơ: issued renderings and the user's own.
    pub fn files(&mut self, case: &str) -> Result<Vec<crate::store::FileRow>> {
        let store = self.reader()?;
        store.case(case)?;
        store.files(case, None)
    }

    /// One file of a case's hồ sơ, checked against the SHA-256 recorded when it was stored: a
    /// copy damaged in the database is refused, never handed out as sound.
    pub fn file(&mut self, case: &str, name: &str) -> Result<crate::store::FileRow> {
        let store = self.reader()?;
        store.case(case)?;
        let f = store
            .file(case, name)?
            .ok_or_else(|| Error::NotFound(format!("hồ sơ {case} không có tệp {name}")))?;
        if crate::fsutil::sha256_hex(&f.bytes) != f.sha256 {
            return Err(Error::corrupt(
                format!("hồ sơ {case}, tệp {name}"),
                "không còn khớp SHA-256 đã ghi khi lưu; khôi phục từ bản sao lưu",
            ));
        }
        Ok(f)
    }

    /// Where a case stands today: see [`status_on`](Self::status_on).
    pub fn status(&mut self, id: &str) -> Result<CaseStatus> {
        self.status_on(id, chrono::Local::now().date_naive())
    }

    /// Where a case stands on `on`: steps, log, documents with their numbers, and its
    /// deadlines, those before `on` overdue.
    pub fn status_on(&mut self, id: &str, on: NaiveDate) -> Result<CaseStatus> {
        let documents = self.documents_of(id)?;
        let (engine, store) = self.judge_parts()?;
        let case = store.case(id)?;
        let (steps, events) = (store.steps(id)?, store.events(id)?);
        Ok(CaseStatus {
            standing: standing(engine, &case, &steps, &events, on),
            on,
            steps,
            events,
            case,
            documents,
        })
    }

    /// A case's documents, each with its number once issued: what a leader's or a văn thư's
    /// list needs, without judging the case's deadlines.
    pub fn documents_of(&mut self, id: &str) -> Result<Vec<(DocumentRow, Option<String>)>> {
        let store = self.reader()?;
        let mut documents = Vec::new();
        for d in store.documents(id)? {
            let symbol = match d.entry {
                Some(e) => Some(store.entry(e)?.symbol),
                None => None,
            };
            documents.push((d, symbol));
        }
        Ok(documents)
    }

    /// The book key of a province's agency.
    fn book_key(&self, province: &str, issuer: &str) -> Result<BookKey> {
        let agency = self.engine()?.agency(province, issuer)?;
        Ok(BookKey::of(&agency.issuer().to_model()))
    }

    /// Takes a number for a document made outside hoso; returns its entry.
    pub fn take(&mut self, r: &TakeRequest) -> Result<Entry> {
        let agency = self.engine()?.agency(&r.province, &r.issuer)?;
        agency.issues_on(&r.issuer, r.at)?;
        let issuer = agency.issuer().to_model();
        let k = kind::lookup(&r.kind).ok_or_else(|| {
            Error::Usage(format!(
                "--type: `{}` không phải loại văn bản (quyet-dinh, cong-van, QĐ, TTr, …)",
                r.kind
            ))
        })?;
        if k.abbr(issuer.family).is_none() && r.unit.is_none() {
            return Err(Error::Usage(
                "--unit: ký hiệu công văn kết thúc bằng đơn vị soạn thảo (ví dụ NC)".into(),
            ));
        }
        let clean = crate::text::clean;
        let mut req = register::Request::new(&issuer, k, r.unit.as_deref().map(clean), r.at);
        req.secret = r.secret;
        req.trich_yeu = clean(&r.summary);
        req.signer = clean(&r.signer);
        req.recipients = r.recipients.iter().map(|x| clean(x)).collect();
        req.copies = r.copies;
        req.not_after = limit_ahead(r.allow_future);
        register::take(self.store()?, &req)
    }

    /// Opens a province agency's series at the last number it gave before using hoso
    /// ([`register::open`]); the request's type, unit and secrecy choose the series.
    pub fn open_book(&mut self, r: &TakeRequest, from: u32) -> Result<Entry> {
        let issuer = self
            .engine()?
            .agency(&r.province, &r.issuer)?
            .issuer()
            .to_model();
        let k = kind::lookup(&r.kind).ok_or_else(|| {
            Error::Usage(format!(
                "--type: `{}` không phải loại văn bản (quyet-dinh, cong-van, QĐ, TTr, …)",
                r.kind
            ))
        })?;
        let unit = r.unit.as_deref().map(crate::text::clean);
        let mut req = register::Request::new(&issuer, k, unit, r.at);
        req.secret = r.secret;
        req.not_after = limit_ahead(r.allow_future);
        register::open(self.store()?, &req, from)
    }

    /// Withdraws a number of a province agency's book.
    pub fn void(
        &mut self,
        province: &str,
        issuer: &str,
        number: &register::Numbered,
        reason: &str,
        at: NaiveDate,
    ) -> Result<Entry> {
        let key = self.book_key(province, issuer)?;
        register::void(self.store()?, &key, number, reason, at)
    }

    /// The book, by agency id, by part of a name, or all of it.
    pub fn book(&mut self, q: &BookQuery) -> Result<Book> {
        let key = match (&q.province, &q.issuer) {
            (Some(p), Some(i)) => Some(self.book_key(p, i)?),
            _ => None,
        };
        let books = match (&key, &q.issuer) {
            (Some(k), _) => Books::Of(k),
            (None, Some(part)) => Books::NameContains(part),
            (None, None) => Books::All,
        };
        let entries = self.reader()?.book(books, q.year)?;
        let hint = match (&q.province, &q.issuer) {
            (None, Some(i))
                if entries.is_empty()
                    && i.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') =>
            {
                Some(format!(
                    "không có cơ quan nào có tên chứa `{i}`; nếu đó là mã cơ quan, thêm --province"
                ))
            }
            _ => None,
        };
        Ok(Book { entries, hint })
    }
}
