//! Archive benchmark: `cargo bench --bench archive`. Archiving a case of 40 issued documents
//! (80 files, DOCX and PDF) in-process, against `sha256sum` + `zip` of the same payload files
//! measured in the same run.

use std::hint::black_box;
use std::path::Path;
use std::process::Command;

use chrono::{Days, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};
use hoso::app::{App, Config};
use hoso::template::DocData;

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let out = dir.path().join("demo");
    hoso::demo::run(&hoso::demo::Options {
        templates: None,
        workflows: None,
        samples: None,
        out: out.clone(),
    })
    .unwrap();
    let mut app = App::new(Config {
        templates: None,
        workflows: None,
        db: out.join("hoso.db").into(),
    });

    // The Kon Tum case, with periodic reports issued until it holds 40 documents.
    let case = "C0001";
    let issued = |app: &mut App| {
        app.status(case)
            .unwrap()
            .documents
            .iter()
            .filter(|(_, n)| n.is_some())
            .count()
    };
    let mut at = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
    let data = root.join("samples/documents/bao-cao-ket-qua-hoat-dong.yaml");
    while issued(&mut app) < 40 {
        let inputs = serde_json::json!({"ky_bao_cao": format!("tháng {}", at.format("%m/%Y"))});
        let advanced = app
            .advance(case, "bao-cao-dinh-ky", &inputs, at, false, |_| {
                DocData::load(&data)
            })
            .unwrap();
        for d in advanced.drafted {
            app.issue(case, &d.doc, at, false).unwrap();
        }
        at = at + Days::new(7);
    }
    let zip = app.archive(case).unwrap();
    eprintln!(
        "case {case}: {} documents, archive {} bytes",
        issued(&mut app),
        zip.len()
    );

    c.bench_function("archive: case of 40 documents (in-process)", |b| {
        b.iter(|| black_box(app.archive(black_box(case)).unwrap()))
    });

    // The same payload as loose files, for the shell tools.
    let loose = dir.path().join("loose");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    z.extract(&loose).unwrap();
    let data_dir = loose.join(case).join("data");
    let files: Vec<String> = walk(&data_dir);
    let target = dir.path().join("tools.zip");
    c.bench_function("archive: sha256sum + zip of the same files", |b| {
        b.iter(|| {
            let sums = Command::new("sha256sum")
                .args(&files)
                .current_dir(&data_dir)
                .output()
                .unwrap();
            assert!(sums.status.success());
            let _ = std::fs::remove_file(&target);
            let z = Command::new("zip")
                .args(["-q", "-X", "-r"])
                .arg(&target)
                .arg(".")
                .current_dir(&data_dir)
                .status()
                .unwrap();
            assert!(z.success());
        })
    });
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

criterion_group!(benches, bench);
criterion_main!(benches);
