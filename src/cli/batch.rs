//! The batch commands: `doc render-all`, `doc draft-all`, `doc issue-all`, `archive-all`.
//! Each shows a progress bar on a terminal, names every item that failed with its reason,
//! writes the rest, and exits 1 when any failed.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use hoso::app::{self, App, DocRef, IssueDay, Selection};
use hoso::error::{Error, Result, exit};
use hoso::render::{Format, pdf::Profile};
use hoso::template::Issuance;

use super::{Shown, args, today};

/// The marker of a folder `doc render-all` made: only such a folder (or an empty one) is
/// written into, so a batch never overwrites files that are not its own.
const RENDER_ALL_MARKER: &str = ".hoso-render-all";
const ARCHIVE_ALL_MARKER: &str = ".hoso-archive-all";

/// A batch under way: its progress bar and what failed, each named once.
struct Tally {
    bar: indicatif::ProgressBar,
    failed: Mutex<Vec<String>>,
    files: AtomicUsize,
    start: std::time::Instant,
}

impl Tally {
    fn new(len: usize, unit: &str) -> Tally {
        let bar = indicatif::ProgressBar::new(len as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {unit}  {{elapsed}} {{msg}}"
        )) {
            bar.set_style(style);
        }
        Tally {
            bar,
            failed: Mutex::new(Vec::new()),
            files: AtomicUsize::new(0),
            start: std::time::Instant::now(),
        }
    }

    /// One item finished; a failure is kept with the item's name unless it names it already.
    fn item(&self, who: &str, outcome: Result<usize>) {
        match outcome {
            Ok(files) => {
                self.files.fetch_add(files, Ordering::Relaxed);
            }
            Err(e) => {
                let e = e.to_string();
                if let Ok(mut f) = self.failed.lock() {
                    f.push(if e.contains(who) {
                        e
                    } else {
                        format!("{who}: {e}")
                    });
                }
            }
        }
        self.bar.inc(1);
    }

    /// The summary line `said(done, files, seconds)`, the failures as notes, exit 1 if any.
    fn finish(self, total: usize, said: impl FnOnce(usize, usize, f64) -> String) -> Shown {
        self.bar.finish_and_clear();
        let failed = self.failed.into_inner().unwrap_or_default();
        let stdout = said(
            total - failed.len(),
            self.files.into_inner(),
            self.start.elapsed().as_secs_f64(),
        );
        Shown {
            stdout,
            code: if failed.is_empty() {
                exit::OK
            } else {
                exit::REFUSED_OR_INVALID
            },
            notes: failed,
        }
    }
}

fn jobs(asked: Option<usize>) -> usize {
    asked.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

fn selection(c: &args::SelectArgs) -> Selection {
    Selection {
        agency: c.agency.clone(),
        from: c.from,
        to: c.to,
    }
}

/// `hoso doc render-all`: every `<template>.yaml` of `data` into `out`.
pub fn render_all(
    app: &App,
    data: &Path,
    formats: &[Format],
    issuance: &Issuance,
    profile: Profile,
    out: &Path,
    asked: Option<usize>,
) -> Result<Shown> {
    let mut items: Vec<app::BatchItem> = std::fs::read_dir(data)
        .map_err(|e| Error::io(data, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .filter_map(|p| {
            let template = p.file_stem()?.to_str()?.to_string();
            Some(app::BatchItem { template, data: p })
        })
        .collect();
    items.sort_by(|a, b| a.data.cmp(&b.data));
    if items.is_empty() {
        return Err(Error::Invalid(format!(
            "{}: không có tệp dữ liệu nào (MẪU.yaml, mỗi tệp mang tên mã mẫu)",
            data.display()
        )));
    }
    hoso::fsutil::claim_folder(out, RENDER_ALL_MARKER, "hoso doc render-all")?;
    let jobs = jobs(asked);
    let tally = Tally::new(items.len(), "văn bản");
    app.render_batch(&items, issuance, formats, profile, jobs, &|item, result| {
        let outcome = result.and_then(|files| {
            for (f, bytes) in &files {
                let path = out.join(format!("{}.{}", item.template, f.extension()));
                hoso::fsutil::write_atomic(&path, bytes)?;
            }
            Ok(files.len())
        });
        tally.item(&item.data.display().to_string(), outcome);
    })?;
    Ok(tally.finish(items.len(), |done, files, secs| {
        format!(
            "Đã kết xuất {done}/{} văn bản ({files} tệp) vào {} trong {secs:.1} s, {jobs} luồng\n",
            items.len(),
            out.display(),
        )
    }))
}

/// `hoso doc draft-all`: the drafts of a selection's open documents, as `doc draft` writes them.
pub fn draft_all(app: &mut App, out: &Path, chon: &args::SelectArgs) -> Result<Shown> {
    let sel = selection(chon);
    let docs = app.open_documents(&sel)?;
    if docs.is_empty() {
        return Ok(Shown::from(app::nothing(
            "văn bản nào đã soạn mà chưa ban hành",
            &sel,
        )));
    }
    let jobs = jobs(chon.jobs);
    let tally = Tally::new(docs.len(), "dự thảo");
    app.draft_all(&docs, jobs, &|d: &DocRef, drafted| {
        let outcome = drafted.and_then(|d| Ok(app::write_files(out, &d.files)?.len()));
        tally.item(&d.to_string(), outcome);
    })?;
    Ok(tally.finish(docs.len(), |done, files, secs| {
        format!(
            "Đã soạn lại {done}/{} dự thảo ({files} tệp) vào {} trong {secs:.1} s, {jobs} luồng\n",
            docs.len(),
            out.display(),
        )
    }))
}

/// `hoso doc issue-all`: a selection's open documents issued, numbered in the order they were
/// drafted, written as `doc issue` writes them.
pub fn issue_all(
    app: &mut App,
    day: IssueDay,
    allow_future: bool,
    out: &Path,
    chon: &args::SelectArgs,
) -> Result<Shown> {
    let sel = selection(chon);
    let docs = app.open_documents(&sel)?;
    if docs.is_empty() {
        return Ok(Shown::from(app::nothing(
            "văn bản nào đã soạn mà chưa ban hành",
            &sel,
        )));
    }
    let jobs = jobs(chon.jobs);
    let tally = Tally::new(docs.len(), "văn bản");
    let numbers = Mutex::new(Vec::<String>::new());
    app.issue_all(&docs, day, allow_future, jobs, &|d: &DocRef, issued| {
        let outcome = issued.and_then(|issued| {
            let written = app::write_files(out, &app::issued_files(&d.case, &issued)?)?;
            if let Ok(mut n) = numbers.lock() {
                n.push(issued.entry.symbol.clone());
            }
            Ok(written.len())
        });
        tally.item(&d.to_string(), outcome);
    })?;
    let numbers = numbers.into_inner().unwrap_or_default();
    Ok(tally.finish(docs.len(), |done, files, secs| {
        format!(
            "Đã ban hành {done}/{} văn bản ({files} tệp) vào {} trong {secs:.1} s, {jobs} \
             luồng{}\n",
            docs.len(),
            out.display(),
            match (numbers.first(), numbers.last()) {
                (Some(a), Some(b)) if numbers.len() > 1 => format!("; số {a} … {b}"),
                (Some(a), _) => format!("; số {a}"),
                _ => String::new(),
            }
        )
    }))
}

/// `hoso archive-all`: every ended case of a selection as `out/<case>.zip`.
pub fn archive_all(
    app: &mut App,
    out: &Path,
    year: Option<i32>,
    agency: Option<String>,
    asked: Option<usize>,
) -> Result<Shown> {
    let sel = Selection {
        agency,
        ..Selection::default()
    };
    let cases = app.ended_cases(&sel, year)?;
    if cases.is_empty() {
        let what = match year {
            Some(y) => format!("hồ sơ nào kết thúc trong năm {y}"),
            None => "hồ sơ nào đã kết thúc".to_string(),
        };
        return Ok(Shown::from(app::nothing(&what, &sel)));
    }
    hoso::fsutil::claim_folder(out, ARCHIVE_ALL_MARKER, "hoso archive-all")?;
    let jobs = jobs(asked);
    let tally = Tally::new(cases.len(), "hồ sơ");
    app.archive_all(&cases, jobs, &|case, bag| {
        let outcome = bag.and_then(|bytes| {
            hoso::fsutil::write_atomic(&out.join(format!("{case}.zip")), &bytes)?;
            Ok(1)
        });
        tally.item(case, outcome);
    })?;
    Ok(tally.finish(cases.len(), |done, _, secs| {
        format!(
            "Đã lập {done}/{} hồ sơ lưu trữ vào {} trong {secs:.1} s, {jobs} luồng\n",
            cases.len(),
            out.display(),
        )
    }))
}

/// The day `doc issue-all` issues on: the one given, each draft's own, or today.
pub fn issue_day(at: Option<chrono::NaiveDate>, ngay_soan: bool) -> IssueDay {
    if ngay_soan {
        IssueDay::Drafted
    } else {
        IssueDay::On(at.unwrap_or_else(today))
    }
}
