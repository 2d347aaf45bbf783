//! A province's year in one process: `cargo bench --bench scale`. HOSO_SCALE_DOCS (10,000)
//! varied documents — the 42 templates in turn, each with other members, signer, number and
//! date — are issued on two threads: each takes its number from the register (a durable
//! SQLite transaction, one book per thread so that numbers follow dates), then renders the
//! DOCX and the PDF with that number. Prints the wall time, documents per second and peak RSS at
//! 1,000, 5,000 and 10,000 documents, and, as a yardstick in the same run, LibreOffice
//! converting one of the DOCX to PDF.
//!
//! Then a generated province (seeded, HOSO_SCALE_MODELS mô hình, a tenth as many điển hình)
//! runs its years, the cases opened in the 2024 rating year drafting their documents from the
//! samples; the year's documents are issued with `issue_all` (numbers in the order drafted,
//! rendering on two threads, each on the day it was drafted), the year's ended cases archived
//! with `archive_all`, and `hoso case list`, `due` and `register list` timed as whole processes
//! on that database, with the typst CLI (when installed) compiling one document's source as a
//! yardstick. HOSO_SCALE_PART=varied|province runs one part. Not a criterion bench: one long
//! run is the measure.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use hoso::document::{FamilyId, Issuer, kind};
use hoso::register::{Request, take};
use hoso::render::pdf::{self, Profile};
use hoso::store::{SqliteStore, Store};
use hoso::template::Issuance;

#[allow(dead_code)]
#[path = "../memory.rs"]
mod memory;

fn peak_rss_mb() -> f64 {
    memory::status_kb("VmHWM") as f64 / 1024.0
}

fn issuer(name: &str) -> Issuer {
    Issuer {
        parent: Some("UBND TỈNH KON TUM".into()),
        name: name.into(),
        abbreviation: "BCĐ".into(),
        place: "Kon Tum".into(),
        collective: name.into(),
        head: "TRƯỞNG BAN".into(),
        family: FamilyId::State,
        numbering: Default::default(),
    }
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let part = std::env::var("HOSO_SCALE_PART").unwrap_or_default();
    if part != "province" {
        varied();
    }
    if part != "varied" {
        province();
    }
}

/// Documents issued straight through the register and the renderers, two threads.
fn varied() {
    let total = env_or("HOSO_SCALE_DOCS", 10_000);
    let threads = 2;
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let db = dir.path().join("scale.db");
    drop(SqliteStore::open(&db).unwrap());
    let checkpoints = [1_000, 5_000, 10_000, total];
    let done = AtomicUsize::new(0);
    let bytes = AtomicUsize::new(0);
    let start = Instant::now();
    let marks = std::sync::Mutex::new(Vec::<(usize, Duration, f64)>::new());
    let sample_docx = std::sync::Mutex::new(None::<Vec<u8>>);
    pdf::warm_up();
    std::thread::scope(|s| {
        for t in 0..threads {
            let (db, done, bytes, marks, sample_docx) = (&db, &done, &bytes, &marks, &sample_docx);
            s.spawn(move || {
                let mut store = SqliteStore::open(db).unwrap();
                let mut docs = memory::Varied::default();
                let book = issuer(&format!("BAN CHỈ ĐẠO SỐ {}", t + 1));
                let first = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
                let share = total / threads + usize::from(t < total % threads);
                for i in 0..share {
                    // A year's documents, dates rising through it.
                    let at = first + Days::new((i * 360 / share.max(1)) as u64);
                    let mut req = Request::new(
                        &book,
                        kind::find("cong-van").unwrap(),
                        Some("NC".into()),
                        at,
                    );
                    req.trich_yeu = "V/v báo cáo mô hình".into();
                    req.signer = "Lê Ngọc Tuấn (TRƯỞNG BAN)".into();
                    req.recipients = vec!["Như trên".into()];
                    req.luu.push("NC".into());
                    let entry = take(&mut store as &mut dyn Store, &req).unwrap();
                    let doc = docs.next_with(Issuance {
                        number: Some(entry.number),
                        date: Some(at),
                        today: at,
                        draft_mark: false,
                    });
                    let docx = hoso::render::docx::render(&doc).unwrap();
                    let pdf = pdf::render(&doc, Profile::Standard).unwrap();
                    bytes.fetch_add(docx.len() + pdf.len(), Ordering::Relaxed);
                    if i == 0 && t == 0 {
                        *sample_docx.lock().unwrap() = Some(docx);
                    }
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if checkpoints.contains(&n) {
                        marks
                            .lock()
                            .unwrap()
                            .push((n, start.elapsed(), peak_rss_mb()));
                    }
                }
            });
        }
    });
    let mut marks = marks.into_inner().unwrap();
    marks.dedup_by_key(|m| m.0);
    println!(
        "scale: {total} varied documents issued (register take + DOCX + PDF) on {threads} threads"
    );
    for (n, t, rss) in &marks {
        println!(
            "  {n:>6} documents: {:>7.1} s wall, {:>6.1} documents/s, peak RSS {rss:.0} MB",
            t.as_secs_f64(),
            *n as f64 / t.as_secs_f64()
        );
    }
    println!(
        "  output: {:.0} MB of DOCX and PDF",
        bytes.load(Ordering::Relaxed) as f64 / 1e6
    );
    // Yardsticks on one of the same documents, in the same run.
    if let Some(docx) = sample_docx.into_inner().unwrap() {
        let f = dir.path().join("mot.docx");
        std::fs::write(&f, docx).unwrap();
        let t = Instant::now();
        let lo = std::process::Command::new("soffice")
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(dir.path())
            .arg(&f)
            .output();
        match lo {
            Ok(o) if o.status.success() => println!(
                "  yardstick: LibreOffice DOCX → PDF of one document, whole process: {:.0} ms",
                t.elapsed().as_secs_f64() * 1000.0
            ),
            _ => println!("  yardstick: LibreOffice not installed (soffice)"),
        }
    }
}

/// A generated province's year: drafted by its cases, issued, archived, and listed.
fn province() {
    use hoso::app::{App, Config, IssueDay, Selection};
    let models = env_or("HOSO_SCALE_MODELS", 2_000);
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let db = dir.path().join("tinh.db");
    let samples = hoso::demo::extract_samples(&dir.path().join("mau")).unwrap();
    let year = hoso::report::Period::parse("2024").unwrap();
    let config = Config {
        templates: None,
        workflows: None,
        db: db.as_path().into(),
    };
    let mut app = App::new(config);
    let size = hoso::generate::Size {
        communes_per_district: 10,
        models,
        dien_hinh: models / 10,
    };
    let drafts = hoso::generate::Drafts {
        samples,
        from: year.from,
        to: year.to,
    };
    let t = Instant::now();
    let g = app.generate_province(2023, size, Some(&drafts)).unwrap();
    let generated = t.elapsed();
    println!(
        "province: {} cases, {} steps, {} documents drafted in the 2024 rating year (seed 2023)",
        g.cases, g.steps, g.drafted
    );
    println!(
        "  generate (steps checked, drafts rendered, one thread): {:.1} s, peak RSS {:.0} MB",
        generated.as_secs_f64(),
        peak_rss_mb()
    );
    let sel = Selection {
        agency: None,
        from: Some(year.from),
        to: Some(year.to),
    };
    let docs = app.open_documents(&sel).unwrap();
    let failed = AtomicUsize::new(0);
    let t = Instant::now();
    app.issue_all(&docs, IssueDay::Drafted, true, 2, &|d, r| {
        if let Err(e) = r {
            failed.fetch_add(1, Ordering::Relaxed);
            eprintln!("{d}: {e}");
        }
    })
    .unwrap();
    let issued = t.elapsed();
    println!(
        "  issue_all: {} documents ({} failed) in {:.1} s on 2 threads, {:.0} documents/s, peak \
         RSS {:.0} MB",
        docs.len(),
        failed.load(Ordering::Relaxed),
        issued.as_secs_f64(),
        docs.len() as f64 / issued.as_secs_f64(),
        peak_rss_mb()
    );
    let ended = app.ended_cases(&Selection::default(), Some(2024)).unwrap();
    let t = Instant::now();
    app.archive_all(&ended, 2, &|_, r| {
        r.unwrap();
    })
    .unwrap();
    println!(
        "  archive_all: {} cases ended in 2024 in {:.1} s on 2 threads",
        ended.len(),
        t.elapsed().as_secs_f64()
    );
    drop(app);
    // Whole processes on the province's database, as a clerk's commands run.
    let bin = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("release/hoso");
    if bin.is_file() {
        for args in [
            &["case", "list"][..],
            &["due", "--at", "2024-11-30"],
            &["register", "list", "--year", "2024"],
        ] {
            let mut times: Vec<f64> = (0..7)
                .map(|_| {
                    let t = Instant::now();
                    let o = std::process::Command::new(&bin)
                        .arg("--db")
                        .arg(&db)
                        .args(args)
                        .output()
                        .unwrap();
                    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
                    t.elapsed().as_secs_f64() * 1000.0
                })
                .collect();
            // The first `due` works out every case's deadlines and keeps them; later ones
            // read them back.
            let first = times.remove(0);
            times.sort_by(f64::total_cmp);
            println!(
                "  hoso {}: median {:.0} ms whole process, first run {first:.0} ms ({} cases)",
                args.join(" "),
                times[times.len() / 2],
                g.cases
            );
        }
    } else {
        println!("  (build the release binary, cargo build --release, to time the commands)");
    }
    // The typst CLI on the source hoso gives Typst for one of the documents.
    let quyet_dinh = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples/documents/quyet-dinh-thanh-lap-mo-hinh.yaml");
    let set = hoso::template::TemplateSet::embedded().unwrap();
    let data = hoso::template::DocData::load(&quyet_dinh).unwrap();
    let issuance = Issuance {
        number: Some(2),
        date: NaiveDate::from_ymd_opt(2024, 3, 20),
        today: NaiveDate::from_ymd_opt(2024, 3, 20).unwrap(),
        draft_mark: false,
    };
    let doc = set
        .document("quyet-dinh-thanh-lap-mo-hinh", &data, &issuance)
        .unwrap();
    let source = dir.path().join("mot.typ");
    std::fs::write(&source, pdf::typst_source(&doc)).unwrap();
    let t = Instant::now();
    match std::process::Command::new("typst")
        .arg("compile")
        .arg(&source)
        .output()
    {
        Ok(o) if o.status.success() => println!(
            "  yardstick: typst CLI compiling hoso's source of one quyết định: {:.0} ms",
            t.elapsed().as_secs_f64() * 1000.0
        ),
        _ => println!("  yardstick: the typst CLI is not installed"),
    }
}
