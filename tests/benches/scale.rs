//! A province's year in one process: `cargo bench --bench scale`. HOSO_SCALE_DOCS (10,000)
//! varied documents — the 42 templates in turn, each with other members, signer, number and
//! date — are issued on two threads: each takes its number from the register (a durable
//! SQLite transaction, one book per thread so that numbers follow dates), then renders the
//! DOCX and the PDF with that number. Prints the wall time, documents per second and peak RSS at
//! 1,000, 5,000 and 10,000 documents, and, as a yardstick in the same run, LibreOffice
//! converting one of the DOCX to PDF. Not a criterion bench: one long run is the measure.

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

fn main() {
    let total: usize = std::env::var("HOSO_SCALE_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
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
