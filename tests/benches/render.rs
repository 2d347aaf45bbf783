//! Rendering benchmarks: `cargo bench --bench render`.

use std::hint::black_box;
use std::path::Path;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use hoso::template::{DocData, Issuance, TemplateSet};

fn sample(id: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("samples/documents/{id}.yaml"))
}

fn bench(c: &mut Criterion) {
    let set = TemplateSet::embedded().unwrap();
    let id = "quyet-dinh-thanh-lap-mo-hinh";
    let data = DocData::load(&sample(id)).unwrap();
    let issuance = Issuance {
        number: Some(5),
        date: NaiveDate::from_ymd_opt(2023, 3, 20),
        today: NaiveDate::from_ymd_opt(2023, 3, 20).unwrap(),
        draft_mark: false,
    };
    // One-time costs of a process, measured once (criterion cannot repeat a OnceLock).
    let t = std::time::Instant::now();
    hoso::render::pdf::warm_up();
    eprintln!("one-time PDF fonts and library load: {:?}", t.elapsed());
    // Warm the font metrics used for rules, as a long-running process would have them.
    let doc = set.document(id, &data, &issuance).unwrap();
    hoso::render::docx::render(&doc).unwrap();
    let t = std::time::Instant::now();
    hoso::render::pdf::render(&doc, hoso::render::pdf::Profile::Standard).unwrap();
    eprintln!("first PDF render (cold caches): {:?}", t.elapsed());

    c.bench_function("quyet-dinh: template + model + DOCX bytes", |b| {
        b.iter(|| {
            let doc = set
                .document(black_box(id), black_box(&data), &issuance)
                .unwrap();
            black_box(hoso::render::docx::render(&doc).unwrap())
        })
    });
    c.bench_function("quyet-dinh: template + model only", |b| {
        b.iter(|| {
            black_box(
                set.document(black_box(id), black_box(&data), &issuance)
                    .unwrap(),
            )
        })
    });
    c.bench_function("quyet-dinh: DOCX bytes from the model", |b| {
        b.iter(|| black_box(hoso::render::docx::render(black_box(&doc)).unwrap()))
    });
    c.bench_function("quyet-dinh: PDF bytes from the model, warm World", |b| {
        b.iter(|| {
            black_box(
                hoso::render::pdf::render(black_box(&doc), hoso::render::pdf::Profile::Standard)
                    .unwrap(),
            )
        })
    });
    c.bench_function("quyet-dinh: data file parse", |b| {
        b.iter(|| black_box(DocData::load(&sample(id)).unwrap()))
    });
    c.bench_function("templates: load and compile all", |b| {
        b.iter(|| black_box(TemplateSet::embedded().unwrap()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
