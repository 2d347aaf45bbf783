//! Rendering benchmarks: `cargo bench --bench render`.
//!
//! Typst memoizes layout, so rendering the identical document again measures mostly cache
//! hits. The PDF figures that matter are over varied documents (another template, number,
//! date, signer and members each time), as a văn thư's day produces them.

use std::hint::black_box;
use std::path::Path;

use chrono::NaiveDate;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use hoso::render::pdf::{self, Profile};
use hoso::template::{DocData, Issuance, TemplateSet};

/// The varied documents of the memory test; its test and bounds are unused here.
#[allow(dead_code)]
#[path = "../memory.rs"]
mod memory;

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
    pdf::warm_up();
    eprintln!("one-time PDF fonts and library load: {:?}", t.elapsed());
    // Warm the font metrics used for rules, as a long-running process would have them.
    let doc = set.document(id, &data, &issuance).unwrap();
    hoso::render::docx::render(&doc).unwrap();
    let t = std::time::Instant::now();
    pdf::render(&doc, Profile::Standard).unwrap();
    eprintln!(
        "first PDF render of the process (cold caches): {:?}",
        t.elapsed()
    );

    // Varied documents: the model is built outside the timed routine.
    let mut docs = memory::Varied::default();
    let mut firsts = Vec::new();
    for _ in 0..docs.templates() {
        let d = docs.next_document();
        let t = std::time::Instant::now();
        pdf::render(&d, Profile::Standard).unwrap();
        firsts.push(t.elapsed());
    }
    firsts.sort();
    eprintln!(
        "first render of each of the {} templates: median {:?}, max {:?}",
        firsts.len(),
        firsts[firsts.len() / 2],
        firsts[firsts.len() - 1]
    );
    c.bench_function(
        "PDF, varied documents, cold: Typst cache emptied first",
        |b| {
            b.iter_batched(
                || {
                    typst::comemo::evict(0);
                    docs.next_document()
                },
                |d| black_box(pdf::render(&d, Profile::Standard).unwrap()),
                BatchSize::PerIteration,
            )
        },
    );
    // A few hundred renders first, so that the cache holds what a long run keeps.
    for _ in 0..300 {
        pdf::render(&docs.next_document(), Profile::Standard).unwrap();
    }
    c.bench_function(
        "PDF, varied documents, templates in turn, steady state",
        |b| {
            b.iter_batched(
                || docs.next_document(),
                |d| black_box(pdf::render(&d, Profile::Standard).unwrap()),
                BatchSize::SmallInput,
            )
        },
    );
    // What eviction keeps warm: the same template again with another number, date, signer
    // and members, as when a batch of one kind is issued.
    let mut batch = memory::Varied::default().only(id);
    c.bench_function("PDF, one template, varied data, steady state", |b| {
        b.iter_batched(
            || batch.next_document(),
            |d| black_box(pdf::render(&d, Profile::Standard).unwrap()),
            BatchSize::SmallInput,
        )
    });
    c.bench_function("DOCX, varied documents, bytes from the model", |b| {
        b.iter_batched(
            || docs.next_document(),
            |d| black_box(hoso::render::docx::render(&d).unwrap()),
            BatchSize::SmallInput,
        )
    });

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
    c.bench_function(
        "quyet-dinh: PDF bytes, identical document again (Typst cache hits)",
        |b| b.iter(|| black_box(pdf::render(black_box(&doc), Profile::Standard).unwrap())),
    );
    c.bench_function("quyet-dinh: data file parse", |b| {
        b.iter(|| black_box(DocData::load(&sample(id)).unwrap()))
    });
    c.bench_function("templates: read all front matter (a listing)", |b| {
        b.iter(|| black_box(TemplateSet::embedded().unwrap().iter().count()))
    });
    c.bench_function("templates: read the one a render needs", |b| {
        b.iter(|| {
            let set = TemplateSet::embedded().unwrap();
            black_box(set.get(id).unwrap().name.len())
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
