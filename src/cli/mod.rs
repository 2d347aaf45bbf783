//! The command line: parse, call [`App`], show the result. No rule of the decree or of a
//! procedure lives here; what a command prints is built in [`output`].

pub mod args;
mod batch;
mod output;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use hoso::app::{self, App, BookQuery, Config};
use hoso::error::{Error, Result, exit};
use hoso::fsutil::{
    LIMIT_ARCHIVE, LIMIT_ATTACHMENT, LIMIT_DATA, LIMIT_EDITED_DOCX, read_input, read_input_text,
};
use hoso::render::{Format, pdf::Profile};
use hoso::store::Db;
use hoso::template::{DocData, Issuance};
use hoso::workflow::ProcedureKey;

use args::{Cli, Command};

/// What a command shows: its standard output, notes for standard error, and its exit code.
#[derive(Default)]
pub struct Shown {
    pub stdout: String,
    pub notes: Vec<String>,
    pub code: u8,
}

impl From<String> for Shown {
    fn from(stdout: String) -> Shown {
        Shown {
            stdout,
            ..Shown::default()
        }
    }
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// A YAML file of values (case fields, step inputs) as JSON.
fn yaml_value(path: &Path) -> Result<serde_json::Value> {
    let text = read_input_text(path, LIMIT_DATA)?;
    let v: serde_yaml::Value = hoso::fsutil::parse_yaml(path, &text, 0)?;
    serde_json::to_value(v).map_err(|e| Error::io(path, e))
}

pub fn run(cli: Cli) -> Result<Shown> {
    let config = Config {
        templates: cli.templates,
        workflows: cli.workflows,
        db: Db::from(cli.db.clone().unwrap_or_else(|| PathBuf::from("hoso.db"))),
    };
    if let Command::Demo { out, samples } = cli.command {
        if cli.db.is_some() {
            return Err(Error::Usage(
                "--db: demo dùng cơ sở dữ liệu riêng của nó trong thư mục --out; bỏ --db (hoặc \
                 biến HOSO_DB)"
                    .into(),
            ));
        }
        return Ok(hoso::demo::run(&hoso::demo::Options {
            templates: config.templates,
            workflows: config.workflows,
            samples,
            out,
        })?
        .into());
    }
    if let Command::Serve {
        listen,
        demo,
        secure,
        dia_ban,
    } = cli.command
    {
        return serve(config, cli.db.is_some(), listen, demo, secure, dia_ban);
    }
    let mut app = App::new(config);
    let shown = command(&mut app, cli.command);
    // A broken procedure file stops only its own cases: every command that loaded the
    // procedures says which are set aside, so a province's mistake is not found by surprise.
    shown.map(|mut s| {
        s.notes.extend(app.broken_procedures());
        s
    })
}

fn command(app: &mut App, command: Command) -> Result<Shown> {
    match command {
        Command::Demo { .. } | Command::Serve { .. } => unreachable!("handled above"),
        Command::User(c) => user(app, c),
        Command::Doc(c) => doc(app, c),
        Command::Workflow(c) => workflow(app, c),
        Command::Case(c) => case(app, c),
        Command::Register(c) => register(app, c),
        Command::Archive { case, out } => {
            let bytes = app.archive(&case)?;
            hoso::fsutil::write_atomic(&out, &bytes)?;
            Ok(format!("{}\n", out.display()).into())
        }
        Command::ArchiveAll {
            out,
            nam,
            agency,
            jobs,
        } => batch::archive_all(app, &out, nam, agency, jobs),
        Command::Verify { file } => {
            let bytes = read_input(&file, LIMIT_ARCHIVE)?;
            let report = App::verify(&bytes)
                .map_err(|e| Error::Invalid(format!("{}: {e}", file.display())))?;
            output::verified(&file, &report)
        }
        Command::Import { file, new_id } => {
            let bytes = read_input(&file, LIMIT_ARCHIVE)?;
            let id = if new_id {
                app.import_new_id(&bytes)
            } else {
                app.import(&bytes)
            };
            Ok(format!("{}\n", id.map_err(|e| in_file(&file, e))?).into())
        }
        Command::Due {
            before,
            format,
            at,
            remind,
        } => {
            let items = app.due(before, at.unwrap_or_else(today))?;
            Ok(output::due(&items, format, Some(remind)).into())
        }
        Command::Db(args::DbCommand::Check) => {
            let problems = app.check_store()?;
            Ok(output::store_checked(&app.config().db, &problems))
        }
        Command::Report(c) => report(app, c),
        Command::Province(args::ProvinceCommand::Generate {
            out,
            seed,
            models,
            dien_hinh,
            communes,
            du_thao,
        }) => {
            let period = du_thao
                .map(|k| hoso::report::Period::parse(&k))
                .transpose()?;
            hoso::fsutil::claim_folder(&out, PROVINCE_MARKER, "hoso province generate")?;
            let size = hoso::generate::Size {
                communes_per_district: communes.clamp(1, 60),
                models,
                dien_hinh,
            };
            let drafts = match period {
                Some(p) => Some(hoso::generate::Drafts {
                    samples: hoso::demo::extract_samples(&out.join("mau"))?,
                    from: p.from,
                    to: p.to,
                }),
                None => None,
            };
            let g = app.generate_province(seed, size, drafts.as_ref())?;
            let mut text = format!(
                "Tỉnh mẫu (hạt giống {seed}): {} hồ sơ, {} bước, {} dự thảo trong {}\n",
                g.cases,
                g.steps,
                g.drafted,
                app.config().db
            );
            for (name, yaml) in hoso::generate::dia_ban_files(&g.dia_ban)? {
                let path = out.join(name);
                hoso::fsutil::write_atomic(&path, yaml.as_bytes())?;
                text.push_str(&format!("{}\n", path.display()));
            }
            Ok(text.into())
        }
        Command::Db(args::DbCommand::Copy { from, to }) => {
            let (from, to) = (Db::from(from), Db::from(to));
            let copied = hoso::store::copy::copy(&from, &to)?;
            Ok(output::store_copied(&from, &to, &copied))
        }
    }
}

/// A password from standard input: its first line, without the line end.
fn read_password() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Error::io(Path::new("(đầu vào chuẩn)"), e))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn user(app: &mut App, c: args::UserCommand) -> Result<Shown> {
    use args::UserCommand as U;
    match c {
        U::Add {
            login,
            role,
            agency,
            name,
            password_stdin: _,
        } => {
            let password = read_password()?;
            let a = app.add_account(
                &login,
                name.as_deref().unwrap_or(&login),
                &role,
                &agency,
                &password,
            )?;
            Ok(format!("{}  {}  {}\n", a.login, a.role, a.agency).into())
        }
        U::Passwd {
            login,
            password_stdin: _,
        } => {
            let password = read_password()?;
            app.set_password(&login, &password)?;
            Ok(format!("{login}: đã đổi mật khẩu; các phiên đăng nhập đã kết thúc\n").into())
        }
        U::Disable { login } => {
            app.disable_account(&login)?;
            Ok(format!("{login}: đã khóa; các phiên đăng nhập đã kết thúc\n").into())
        }
        U::List => Ok(app
            .accounts()?
            .iter()
            .map(|a| {
                format!(
                    "{}\t{}\t{}\t{}{}\n",
                    a.login,
                    a.role,
                    a.agency,
                    a.name,
                    if a.disabled { "\t(đã khóa)" } else { "" }
                )
            })
            .collect::<String>()
            .into()),
    }
}

/// `hoso serve`: with `--demo` and no `--db`, a new database in a folder of its own under the
/// temporary directory; a given `--db` must not hold cases yet.
fn serve(
    mut config: Config,
    db_given: bool,
    listen: std::net::SocketAddr,
    demo: bool,
    secure: bool,
    dia_ban: Vec<PathBuf>,
) -> Result<Shown> {
    let mut samples = None;
    if demo {
        let dir = std::env::temp_dir().join(format!(
            "hoso-serve-demo-{}-{}",
            std::process::id(),
            hoso::accounts::random_hex(4)?
        ));
        if !db_given {
            config.db = Db::Sqlite(dir.join("hoso.db"));
        }
        samples = Some(hoso::demo::extract_samples(&dir.join("mau"))?);
    }
    let opts = hoso::web::Options {
        config,
        listen,
        demo,
        secure,
        samples,
        dia_ban,
    };
    let db = opts.config.db.clone();
    hoso::web::serve(opts, |addr, accounts| {
        let mut s = format!("hoso serve: http://{addr}/\n");
        if !accounts.is_empty() {
            s.push_str("Tài khoản thử (chỉ cho bản demo):\n");
            for a in accounts {
                s.push_str(&format!(
                    "  {:<10} đăng nhập: {:<16} mật khẩu: {}\n",
                    a.role, a.login, a.password
                ));
            }
            s.push_str(&format!("Cơ sở dữ liệu demo: {db}\n"));
        }
        let mut out = std::io::stdout().lock();
        let _ = std::io::Write::write_all(&mut out, s.as_bytes());
        let _ = std::io::Write::flush(&mut out);
    })?;
    Ok(Shown::default())
}

/// The formats asked for, each once, in the order given.
fn formats_of(format: Vec<args::DocFormat>) -> Vec<Format> {
    let mut formats: Vec<Format> = Vec::new();
    for f in format {
        let f = match f {
            args::DocFormat::Docx => Format::Docx,
            args::DocFormat::Pdf => Format::Pdf,
        };
        if !formats.contains(&f) {
            formats.push(f);
        }
    }
    formats
}

const PROVINCE_MARKER: &str = ".hoso-province";
const REPORT_MARKER: &str = ".hoso-report";

/// `hoso report thong-ke|tong-ket|v05`: the figures of a province for a period, as tables
/// (XLSX, CSV — one a table — and JSON) and, for a report document, the report and its
/// appendix.
fn report(app: &mut App, c: args::ReportCommand) -> Result<Shown> {
    use args::{ReportCommand as R, ReportFormat as F};
    // A report document: its template, the clerk's data file, the day it is numbered.
    let doc_report = |d: args::ReportDocArgs, template: &'static str| {
        let issue_on = d.issue.then(|| d.at.unwrap_or_else(today));
        (d.args, d.format, Some((template, d.data, issue_on)))
    };
    let (args, formats, document) = match c {
        R::ThongKe { args, format } => {
            if format.iter().any(|f| matches!(f, F::Docx | F::Pdf)) {
                return Err(Error::Usage(
                    "report thong-ke: --format xlsx, csv, json; văn bản DOCX, PDF (báo cáo và \
                     bảng thống kê kèm theo) do `report tong-ket` hoặc `report v05` với --data TỆP làm"
                        .into(),
                ));
            }
            (args, format, None)
        }
        R::TongKet(d) => doc_report(d, "bao-cao-tong-ket-phong-trao"),
        R::V05(d) => doc_report(d, "bao-cao-cong-an-tinh-v05"),
    };
    let period = hoso::report::Period::parse(&args.period)?;
    let dia_ban = hoso::report::dia_ban::DiaBan::load(&args.dia_ban)?;
    let by = args.by.map(|b| match b {
        args::ReportLevel::Huyen => hoso::report::dia_ban::Level::Huyen,
        args::ReportLevel::Xa => hoso::report::dia_ban::Level::Xa,
    });
    let t = app.tong_hop(&dia_ban, &args.province, &period, by, today())?;
    let stem = format!("{}-{}", args.province, args.period.replace("..", "_"));
    let mut files: Vec<app::OutFile> = Vec::new();
    let sheets = hoso::report::bang::sheets(&t);
    for f in &formats {
        match f {
            F::Xlsx => files.push(app::OutFile {
                path: PathBuf::from(format!("bang-thong-ke-{stem}.xlsx")),
                bytes: hoso::render::xlsx::workbook(
                    &sheets,
                    &format!("Bảng thống kê {} {}", t.tinh, t.ky.label),
                    "hoso",
                    period.to,
                )?,
            }),
            F::Csv => {
                for (i, s) in sheets.iter().enumerate() {
                    files.push(app::OutFile {
                        path: PathBuf::from(format!("bang-thong-ke-{stem}-{}.csv", i + 1)),
                        bytes: hoso::render::xlsx::csv(s).into_bytes(),
                    });
                }
            }
            F::Json => files.push(app::OutFile {
                path: PathBuf::from(format!("so-lieu-{stem}.json")),
                bytes: serde_json::to_vec_pretty(&t)
                    .map_err(|e| Error::Invalid(format!("JSON: {e}")))?,
            }),
            F::Docx | F::Pdf => {}
        }
    }
    let mut entry = None;
    if let Some((template, data, issue_on)) = document {
        let docs: Vec<Format> = formats
            .iter()
            .filter_map(|f| match f {
                F::Docx => Some(Format::Docx),
                F::Pdf => Some(Format::Pdf),
                _ => None,
            })
            .collect();
        let made = app.report_documents(template, DocData::load(&data)?, &t, &docs, issue_on)?;
        // The appendix is named after its report: the two reports' appendices differ.
        for (i, (_, rendered)) in made.files.into_iter().enumerate() {
            let name = if i == 0 {
                format!("{template}-{stem}")
            } else {
                format!("{template}-phu-luc-{stem}")
            };
            for (format, bytes) in rendered {
                files.push(app::OutFile {
                    path: PathBuf::from(format!("{name}.{}", format.extension())),
                    bytes,
                });
            }
        }
        entry = made.entry;
    }
    hoso::fsutil::claim_folder(&args.out, REPORT_MARKER, "hoso report")?;
    let written = app::write_files(&args.out, &files)?;
    let mut text = format!(
        "{} {}: {} {}, {} mô hình và {} điển hình đang hoạt động, {} kỳ báo cáo trễ hạn\n",
        t.tinh,
        t.ky.label,
        t.so_dia_ban,
        t.cap,
        t.tong.mo_hinh.dang_hoat_dong,
        t.tong.dien_hinh.dang_hoat_dong,
        t.tong.bao_cao_tre_han
    );
    if let Some(e) = entry {
        text.push_str(&format!(
            "Báo cáo số {} ngày {} ({})\n",
            e.symbol,
            e.on_date.format("%d/%m/%Y"),
            e.issuer
        ));
    }
    for p in written {
        text.push_str(&format!("{}\n", p.display()));
    }
    Ok(text.into())
}

/// An error about an input file, naming it, of the same kind.
fn in_file(file: &Path, e: Error) -> Error {
    let say = |m: String| format!("{}: {m}", file.display());
    match e {
        Error::Invalid(m) => Error::Invalid(say(m)),
        Error::Conflict(m) => Error::Conflict(say(m)),
        other => other,
    }
}

fn doc(app: &mut App, c: args::DocCommand) -> Result<Shown> {
    use args::DocCommand as D;
    match c {
        D::Templates => Ok(output::templates(app.templates()?).into()),
        D::Render {
            template,
            data,
            format,
            out,
            number,
            date,
            draft_mark,
            pdf_a,
        } => {
            let formats = formats_of(format);
            let data = DocData::load(&data)?;
            let issuance = Issuance {
                number,
                date,
                today: today(),
                draft_mark,
            }
            .dated_by(&data);
            let profile = if pdf_a {
                Profile::Archival
            } else {
                Profile::Standard
            };
            let rendered = app.render(&template, &data, &issuance, &formats, profile)?;
            let files: Vec<app::OutFile> = rendered
                .into_iter()
                .map(|(f, bytes)| app::OutFile {
                    path: if formats.len() == 1 {
                        out.clone()
                    } else {
                        out.with_extension(f.extension())
                    },
                    bytes,
                })
                .collect();
            Ok(output::paths(&app::write_files(Path::new(""), &files)?).into())
        }
        D::RenderAll {
            data,
            format,
            out,
            jobs,
            draft_mark,
            pdf_a,
        } => {
            let issuance = Issuance {
                number: None,
                date: None,
                today: today(),
                draft_mark,
            };
            let profile = if pdf_a {
                Profile::Archival
            } else {
                Profile::Standard
            };
            batch::render_all(
                app,
                &data,
                &formats_of(format),
                &issuance,
                profile,
                &out,
                jobs,
            )
        }
        D::Draft { case, doc, out } => {
            let d = app.draft(&case, &doc)?;
            let written = app::write_files(&out, &d.files)?;
            Ok(output::advanced(
                &app::Advanced {
                    drafted: Vec::new(),
                    opened: Vec::new(),
                    linked: Vec::new(),
                },
                &[(d.doc, written)],
            )
            .into())
        }
        D::DraftAll { out, chon } => batch::draft_all(app, &out, &chon),
        D::IssueAll {
            at,
            ngay_soan,
            out,
            allow_future,
            chon,
        } => batch::issue_all(
            app,
            batch::issue_day(at, ngay_soan),
            allow_future,
            &out,
            &chon,
        ),
        D::Issue {
            case,
            doc,
            at,
            out,
            allow_future,
            from,
        } => {
            let at = at.unwrap_or_else(today);
            let issued = match from {
                Some(path) => {
                    let bytes = read_input(&path, LIMIT_EDITED_DOCX)?;
                    app.issue_edited(&case, &doc, at, allow_future, &bytes)?
                }
                None => app.issue(&case, &doc, at, allow_future)?,
            };
            let written = app::write_files(&out, &app::issued_files(&case, &issued)?)?;
            Ok(output::issued(&issued, &written).into())
        }
    }
}

fn workflow(app: &App, c: args::WorkflowCommand) -> Result<Shown> {
    use args::WorkflowCommand as W;
    match c {
        W::Check { files } => {
            let checks = app.check_workflows(&files)?;
            let (text, problems) = output::checked(&checks);
            if problems > 0 {
                return Ok(Shown {
                    stdout: text,
                    notes: vec![format!("{problems} lỗi trong định nghĩa quy trình")],
                    code: exit::REFUSED_OR_INVALID,
                });
            }
            Ok(text.into())
        }
        W::Show {
            name,
            province,
            format,
        } => {
            let w = app.workflow(&ProcedureKey::new(&name, province.as_deref()))?;
            Ok(match format {
                args::ShowFormat::Yaml => {
                    serde_yaml::to_string(w).map_err(|e| Error::Invalid(e.to_string()))?
                }
                args::ShowFormat::Mermaid => hoso::workflow::mermaid(w),
            }
            .into())
        }
    }
}

fn case(app: &mut App, c: args::CaseCommand) -> Result<Shown> {
    use args::CaseCommand as C;
    match c {
        C::New {
            workflow,
            province,
            data,
            at,
            from_step,
        } => {
            let key = ProcedureKey::new(&workflow, province.as_deref());
            let at = at.unwrap_or_else(today);
            let id = app.new_case_from(&key, &yaml_value(&data)?, at, from_step.as_deref())?;
            Ok(format!("{id}\n").into())
        }
        C::List { format, out } => output::case_list(&app.cases()?, format, out.as_deref()),
        C::Status { id, format, at } => {
            Ok(output::status(&app.status_on(&id, at.unwrap_or_else(today))?, format).into())
        }
        C::Attach { id, file, item, at } => {
            let bytes = read_input(&file, LIMIT_ATTACHMENT)?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let stored = app.attach(&id, &name, bytes, item, at.unwrap_or_else(today))?;
            Ok(format!("{stored}\n").into())
        }
        C::Detach {
            id,
            name,
            reason,
            at,
        } => {
            let f = app.detach(&id, &name, &reason, at.unwrap_or_else(today))?;
            Ok(format!("đã gỡ: {} (SHA-256 {})\n", f.name, f.sha256).into())
        }
        C::Advance {
            id,
            step,
            inputs,
            data,
            docs,
            at,
            out,
            allow_future,
        } => {
            let values = match &inputs {
                Some(p) => yaml_value(p)?,
                None => serde_json::Value::Null,
            };
            if let Some(p) = &inputs {
                app.check_inputs(&id, &step, &values)
                    .map_err(|e| in_file(p, e))?;
            }
            check_docs(app, &id, &step, &docs)?;
            let advanced = app.advance(
                &id,
                &step,
                &values,
                at.unwrap_or_else(today),
                allow_future,
                |t| match docs.iter().find(|(d, _)| d == t) {
                    Some((_, p)) => DocData::load(p),
                    None => match &data {
                        Some(p) => DocData::load(p),
                        None => Err(Error::Usage(format!(
                            "bước `{step}` tạo văn bản ({t}): cần --data (dữ liệu văn bản: \
                             issuer, signer, …) hoặc --doc {t}=TỆP"
                        ))),
                    },
                },
            )?;
            let written = write_drafts(&out, &id, &step, &advanced)?;
            Ok(output::advanced(&advanced, &written).into())
        }
    }
}

/// `--doc TEMPLATE=FILE` only for templates the step drafts.
fn check_docs(app: &mut App, id: &str, step: &str, docs: &[(String, PathBuf)]) -> Result<()> {
    if docs.is_empty() {
        return Ok(());
    }
    let templates = app.step_documents(id, step)?;
    match docs.iter().find(|(t, _)| !templates.contains(t)) {
        Some((t, _)) => Err(Error::Usage(format!(
            "--doc {t}=…: bước `{step}` không tạo văn bản theo mẫu `{t}` (bước tạo: {})",
            if templates.is_empty() {
                "không có văn bản nào".to_string()
            } else {
                templates.join(", ")
            }
        ))),
        None => Ok(()),
    }
}

/// Writes a recorded step's drafts; one that cannot be written now can be later, and the
/// error says how.
fn write_drafts(
    out: &Path,
    id: &str,
    step: &str,
    advanced: &app::Advanced,
) -> Result<Vec<(String, Vec<PathBuf>)>> {
    let mut written = Vec::new();
    for d in &advanced.drafted {
        let files = app::write_files(out, &d.files).map_err(|e| Error::Io {
            path: out.to_path_buf(),
            message: format!(
                "{e}. Bước `{step}` đã được ghi; ghi lại dự thảo bằng \
                 `hoso doc draft {id} {} --out {}`",
                d.doc,
                out.display()
            ),
        })?;
        written.push((d.doc.clone(), files));
    }
    Ok(written)
}

fn register(app: &mut App, c: args::RegisterCommand) -> Result<Shown> {
    use args::RegisterCommand as R;
    match c {
        R::Take(t) => {
            let entry = app.take(&t.request(today()))?;
            Ok(format!("{}\n", entry.symbol).into())
        }
        R::Open { from, series } => {
            let entry = app.open_book(&series.request(today()), from)?;
            Ok(format!(
                "đã mở sổ {}: {} {}\n",
                entry.issuer,
                entry.kind_name(),
                entry.trich_yeu
            )
            .into())
        }
        R::Void {
            number,
            province,
            issuer,
            year,
            secret,
            reason,
            at,
        } => {
            let which = hoso::register::Numbered {
                number,
                year,
                secret,
            };
            let e = app.void(
                &province,
                &issuer,
                &which,
                &reason,
                at.unwrap_or_else(today),
            )?;
            Ok(output::voided(&e).into())
        }
        R::List {
            province,
            issuer,
            year,
            format,
            out,
        } => {
            let book = app.book(&BookQuery {
                province,
                issuer,
                year,
            })?;
            let mut shown = output::book(&book.entries, year, format, out.as_deref())?;
            shown.notes.extend(book.hint);
            Ok(shown)
        }
    }
}
