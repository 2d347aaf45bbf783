//! What each command prints: text for people, JSON, CSV and iCalendar for other programs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use hoso::app::{Advanced, CaseStatus, CaseSummary, DueItem};
use hoso::archive::Report;
use hoso::error::{Error, Result, exit};
use hoso::issue::Issued;
use hoso::register::{self, Entry};
use hoso::store::Db;
use hoso::store::copy::Tally;
use hoso::template::TemplateSet;
use hoso::workflow::check::FileCheck;

use super::Shown;
use super::args::{BookFormat, CaseListFormat, DueFormat, ListFormat};

fn d(date: chrono::NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

pub fn paths(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| format!("{}\n", p.display())).collect()
}

/// `hoso doc templates`.
pub fn templates(set: &TemplateSet) -> String {
    let mut s = String::new();
    for t in set.iter() {
        let items: Vec<String> = t
            .ho_so
            .iter()
            .map(|h| format!("{} #{}", h.procedure, h.item))
            .collect();
        let _ = writeln!(s, "{}  —  {}", t.id, t.name);
        let _ = writeln!(
            s,
            "    loại: {}   cơ quan ban hành: {}   hồ sơ: {}",
            t.kind.key,
            t.issuer_role,
            if items.is_empty() {
                "—".to_string()
            } else {
                items.join(", ")
            }
        );
        for (name, desc) in &t.variables {
            let _ = writeln!(s, "    {name}: {desc}");
        }
    }
    s
}

pub fn issued(issued: &Issued, written: &[PathBuf]) -> String {
    let mut s = format!(
        "{} {}: {} ngày {}\n",
        issued.doc,
        if issued.again {
            "đã ban hành"
        } else {
            "ban hành"
        },
        issued.entry.symbol,
        d(issued.entry.on_date)
    );
    for a in &issued.attached {
        let _ = writeln!(s, "kèm theo: {a}");
    }
    s + &paths(written)
}

pub fn advanced(a: &Advanced, written: &[(String, Vec<PathBuf>)]) -> String {
    let mut s = String::new();
    for (doc, files) in written {
        for p in files {
            let _ = writeln!(s, "dự thảo {doc}: {}", p.display());
        }
    }
    for (step, due) in &a.opened {
        let _ = writeln!(
            s,
            "mở: {step}{}",
            due.map(|x| format!(" (hạn {})", d(x))).unwrap_or_default()
        );
    }
    for (id, w) in &a.linked {
        let _ = writeln!(
            s,
            "nhân rộng: hồ sơ mới {id} theo quy trình `{w}` tại địa bàn mới"
        );
    }
    s
}

/// A file a format needs `--out` for, written; its path printed.
fn written(out: Option<&Path>, ext: &str, bytes: &[u8]) -> Result<Shown> {
    let Some(out) = out else {
        return Err(Error::Usage(format!("--format {ext} cần --out TỆP.{ext}")));
    };
    hoso::fsutil::write_atomic(out, bytes)?;
    Ok(format!("{}\n", out.display()).into())
}

/// `hoso case list`: text or JSON printed, or a spreadsheet written.
pub fn case_list(
    cases: &[CaseSummary],
    format: CaseListFormat,
    out: Option<&Path>,
) -> Result<Shown> {
    match format {
        CaseListFormat::Text => Ok(self::cases(cases, ListFormat::Text).into()),
        CaseListFormat::Json => Ok(self::cases(cases, ListFormat::Json).into()),
        CaseListFormat::Xlsx => written(out, "xlsx", &cases_xlsx(cases)?),
    }
}

/// The case list as a spreadsheet: a row a case, its name as its data gives it.
fn cases_xlsx(cases: &[CaseSummary]) -> Result<Vec<u8>> {
    use hoso::render::xlsx::{Cell, Sheet, workbook};
    let name = |c: &CaseSummary| {
        hoso::app::LIST_FIELDS
            .iter()
            .find_map(|k| c.case.data.get(*k).and_then(|v| v.as_str()))
            .unwrap_or("")
            .to_string()
    };
    let columns = [
        ("Mã hồ sơ", 10.0),
        ("Quy trình", 24.0),
        ("Phiên bản", 10.0),
        ("Tên mô hình, điển hình", 40.0),
        ("Ngày mở", 12.0),
        ("Trạng thái", 14.0),
        ("Bước đang mở", 40.0),
        ("Ngày kết thúc", 12.0),
    ]
    .iter()
    .map(|(c, w)| (c.to_string(), *w))
    .collect();
    let rows = cases
        .iter()
        .map(|c| {
            vec![
                Cell::from(c.case.id.as_str()),
                Cell::from(c.case.workflow.as_str()),
                Cell::from(c.case.version.as_str()),
                Cell::from(name(c)),
                Cell::Date(c.case.created_on),
                Cell::from(if c.case.ended.is_some() {
                    "đã kết thúc"
                } else {
                    "đang mở"
                }),
                Cell::from(c.open_steps.join(", ")),
                c.case
                    .ended
                    .as_ref()
                    .map_or(Cell::Empty, |e| Cell::Date(e.on)),
            ]
        })
        .collect();
    let date = cases
        .iter()
        .flat_map(|c| std::iter::once(c.case.created_on).chain(c.case.ended.as_ref().map(|e| e.on)))
        .max()
        .unwrap_or_default();
    let sheet = Sheet {
        name: "Hồ sơ".into(),
        columns,
        rows,
    };
    workbook(&[sheet], "Danh sách hồ sơ", "hoso", date)
}

pub fn cases(cases: &[CaseSummary], format: ListFormat) -> String {
    match format {
        ListFormat::Json => {
            let items: Vec<serde_json::Value> = cases
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.case.id, "workflow": c.case.workflow, "version": c.case.version,
                        "opened": c.case.created_on, "status": state(&c.case),
                        "ended": c.case.ended, "open_steps": c.open_steps,
                    })
                })
                .collect();
            format!("{}\n", serde_json::Value::Array(items))
        }
        ListFormat::Text => cases
            .iter()
            .map(|c| match &c.case.ended {
                Some(e) => format!(
                    "{}  {} {}  đã kết thúc ngày {} (bước {})\n",
                    c.case.id,
                    c.case.workflow,
                    c.case.version,
                    d(e.on),
                    e.step
                ),
                None => format!(
                    "{}  {} {}  mở: {}\n",
                    c.case.id,
                    c.case.workflow,
                    c.case.version,
                    c.open_steps.join(", ")
                ),
            })
            .collect(),
    }
}

/// "open" or "ended", as JSON shows a case's status.
fn state(c: &hoso::store::CaseRow) -> &'static str {
    if c.ended.is_some() { "ended" } else { "open" }
}

pub fn status(st: &CaseStatus, format: ListFormat) -> String {
    let c = &st.case;
    if format == ListFormat::Json {
        let steps: Vec<serde_json::Value> = st
            .steps
            .iter()
            .map(|s| serde_json::json!({"step": s.step, "open": s.open, "due": s.due, "done_on": s.done_on}))
            .collect();
        let events: Vec<serde_json::Value> = st
            .events
            .iter()
            .map(|e| serde_json::json!({"seq": e.seq, "on": e.on_date, "actor": e.actor, "step": e.step, "inputs": e.inputs}))
            .collect();
        let documents: Vec<serde_json::Value> = st
            .documents
            .iter()
            .map(|(d, symbol)| serde_json::json!({"doc": d.doc, "step": d.step, "template": d.template, "drafted_on": d.drafted_on, "number": symbol}))
            .collect();
        let deadlines: Vec<serde_json::Value> = st
            .standing
            .pending
            .iter()
            .map(|p| {
                serde_json::json!({"step": p.step, "due": p.due, "overdue": p.overdue,
                    "deadline": hoso::workflow::deadline_words(p.due, p.before)})
            })
            .collect();
        let dropped: Vec<serde_json::Value> = st
            .standing
            .dropped
            .iter()
            .map(|(step, reason)| serde_json::json!({"step": step, "reason": reason}))
            .collect();
        let v = serde_json::json!({
            "id": c.id, "workflow": c.workflow, "version": c.version, "opened": c.created_on,
            "status": state(c), "ended": c.ended, "data": c.data, "steps": steps, "events": events, "documents": documents,
            "at": st.on, "deadlines": deadlines, "dropped": dropped,
        });
        return format!("{v}\n");
    }
    let mut s = format!(
        "{} — {} (phiên bản {}), mở ngày {}\n",
        c.id,
        c.workflow,
        c.version,
        d(c.created_on)
    );
    match &c.ended {
        Some(e) => {
            let _ = writeln!(
                s,
                "  trạng thái: đã kết thúc ngày {} (bước {})",
                d(e.on),
                e.step
            );
        }
        None => s.push_str("  trạng thái: đang mở\n"),
    }
    let or_dash = |x: Option<chrono::NaiveDate>| x.map_or_else(|| "—".to_string(), d);
    for step in &st.steps {
        let _ = writeln!(
            s,
            "  {:<6} {:<24} hạn: {:<10} xong: {}",
            match (step.open, step.done_on) {
                (true, _) => "mở",
                (false, Some(_)) => "xong",
                (false, None) => "đóng",
            },
            step.step,
            or_dash(step.due),
            or_dash(step.done_on)
        );
    }
    deadlines(&mut s, st);
    for e in &st.events {
        let _ = writeln!(
            s,
            "  #{} {} {} {} {}",
            e.seq,
            d(e.on_date),
            e.actor,
            e.step,
            e.inputs
        );
    }
    for (doc, symbol) in &st.documents {
        let _ = writeln!(
            s,
            "  văn bản {:<48} {}",
            doc.doc,
            symbol.as_deref().unwrap_or("dự thảo")
        );
    }
    s
}

/// A case's deadlines not met as of the day asked, overdue ones marked, and the steps it
/// dropped with the reason.
fn deadlines(s: &mut String, st: &CaseStatus) {
    if !st.standing.pending.is_empty() {
        let _ = writeln!(s, "  hạn chưa đáp ứng (xét ngày {}):", d(st.on));
    }
    for p in &st.standing.pending {
        let mark = if p.overdue { "  QUÁ HẠN" } else { "" };
        let words = hoso::workflow::deadline_words(p.due, p.before);
        let _ = writeln!(s, "    hạn: {words}  {}{mark}", p.step);
    }
    for (step, reason) in &st.standing.dropped {
        let _ = writeln!(s, "  bỏ: {step} — {reason}");
    }
}

/// `hoso due`: a line per deadline, JSON, or an iCalendar file with a reminder `remind`
/// working days before each deadline.
pub fn due(items: &[DueItem], format: DueFormat, remind: Option<u32>) -> String {
    match format {
        DueFormat::Text => {
            use std::fmt::Write;
            let mut out = String::with_capacity(items.len() * 120);
            for i in items {
                let mark = if i.overdue { "  QUÁ HẠN" } else { "" };
                let words = hoso::workflow::deadline_words(i.due, i.before);
                let _ = writeln!(
                    out,
                    "{}  {}  {}  {} — hạn: {words}{mark}",
                    i.due, i.case, i.step, i.title
                );
            }
            out
        }
        DueFormat::Json => {
            let v: Vec<serde_json::Value> = items
                .iter()
                .map(|i| {
                    serde_json::json!({"case": i.case, "workflow": i.workflow, "step": i.step,
                        "title": i.title, "subject": i.subject, "due": i.due,
                        "deadline": hoso::workflow::deadline_words(i.due, i.before),
                        "overdue": i.overdue})
                })
                .collect();
            format!("{}\n", serde_json::Value::Array(v))
        }
        DueFormat::Ics => {
            let entries: Vec<hoso::engine::calendar::Entry> = items
                .iter()
                .map(|i| hoso::engine::calendar::Entry {
                    uid: format!("{}-{}-{}@hoso", i.case, i.step, i.due),
                    date: i.due,
                    summary: format!(
                        "{}{} — {}",
                        if i.overdue { "[QUÁ HẠN] " } else { "" },
                        i.title,
                        i.subject
                    ),
                    description: format!(
                        "Hồ sơ {}, bước {} ({}); hạn: {}",
                        i.case,
                        i.step,
                        i.workflow,
                        hoso::workflow::deadline_words(i.due, i.before)
                    ),
                })
                .collect();
            hoso::engine::calendar::ics(&entries, chrono::Utc::now().naive_utc(), remind)
        }
    }
}

pub fn voided(e: &Entry) -> String {
    format!(
        "{} thu hồi ngày {}: {}\n",
        e.symbol,
        e.voided_on.map(d).unwrap_or_default(),
        e.void_reason.as_deref().unwrap_or_default()
    )
}

pub fn book(
    entries: &[Entry],
    year: Option<i32>,
    format: BookFormat,
    out: Option<&Path>,
) -> Result<Shown> {
    Ok(match format {
        BookFormat::Text => {
            // One buffer for the whole book, only the columns shown: a province's book is
            // tens of thousands of lines.
            let mut s = String::with_capacity(entries.len() * 160);
            for e in entries {
                let _ = writeln!(
                    s,
                    "{:<18} {}  {}  [{}]  {}",
                    e.symbol,
                    e.on_date.format("%d/%m/%Y"),
                    e.content(),
                    e.issuer,
                    e.note()
                );
            }
            s.into()
        }
        BookFormat::Csv => register::csv(entries).into(),
        BookFormat::Json => format!(
            "{}\n",
            serde_json::to_string(entries).map_err(|e| Error::Invalid(e.to_string()))?
        )
        .into(),
        BookFormat::Docx => written(out, "docx", &register::docx(entries, year)?)?,
        BookFormat::Xlsx => written(out, "xlsx", &register::xlsx(entries, year)?)?,
    })
}

/// `hoso db check`: sound, or every problem and exit 5.
pub fn store_checked(db: &Db, problems: &[String]) -> Shown {
    if problems.is_empty() {
        return format!("{db}: toàn vẹn\n").into();
    }
    let recover = match db {
        Db::Sqlite(_) => "khôi phục từ bản sao lưu gần nhất (hoặc `sqlite3 TỆP .recover`)",
        Db::Postgres(_) => {
            "khôi phục từ bản sao lưu gần nhất (`pg_restore`, README mục PostgreSQL)"
        }
    };
    Shown {
        stdout: problems.iter().map(|p| format!("{p}\n")).collect(),
        notes: vec![format!("{db}: {} chỗ hỏng; {recover}", problems.len())],
        code: exit::STORAGE,
    }
}

/// `hoso db copy`: what was copied, checked.
pub fn store_copied(from: &Db, to: &Db, copied: &Tally) -> Shown {
    format!(
        "Đã chép {from} → {to}: {copied}\nĐã kiểm: số dòng và mã SHA-256 của toàn bộ dữ liệu hai \
         bên khớp nhau ({}…), mọi tệp khớp SHA-256 đã ghi.\n",
        &copied.digest[..16]
    )
    .into()
}

/// `hoso workflow check`: the text, and how many problems it lists.
pub fn checked(checks: &[FileCheck]) -> (String, usize) {
    let mut s = String::new();
    let mut problems = 0;
    for c in checks {
        if let Some(e) = &c.unreadable {
            let _ = writeln!(s, "{e}");
            problems += 1;
            continue;
        }
        if c.problems.is_empty() {
            let _ = writeln!(s, "{}: ok", c.path.display());
        }
        for p in &c.problems {
            let _ = writeln!(s, "{p}");
        }
        problems += c.problems.len();
    }
    (s, problems)
}

/// `hoso verify`: every problem, then whether the hồ sơ is whole and complete.
pub fn verified(file: &Path, report: &Report) -> Result<Shown> {
    let mut s: String = report.problems.iter().map(|p| format!("{p}\n")).collect();
    if !report.intact() {
        return Ok(Shown {
            stdout: s,
            notes: vec![format!(
                "{}: {} vấn đề: tệp lưu trữ không còn như lúc lập",
                file.display(),
                report.problems.len()
            )],
            code: exit::REFUSED_OR_INVALID,
        });
    }
    let Some(meta) = &report.metadata else {
        return Err(Error::Invalid(format!(
            "{}: túi lưu trữ không có siêu dữ liệu của hoso",
            file.display()
        )));
    };
    let _ = writeln!(
        s,
        "{}: toàn vẹn ({} tệp)",
        file.display(),
        report.files.len()
    );
    if meta.complete() {
        let _ = writeln!(s, "hồ sơ {} đầy đủ", meta.case);
        return Ok(s.into());
    }
    let missing: Vec<String> = meta
        .missing()
        .map(|c| format!("mục {}: {}", c.item, c.title))
        .collect();
    let _ = writeln!(
        s,
        "hồ sơ {} chưa đầy đủ, thiếu:\n  {}",
        meta.case,
        missing.join("\n  ")
    );
    Ok(Shown {
        stdout: s,
        notes: Vec::new(),
        code: exit::INCOMPLETE,
    })
}
