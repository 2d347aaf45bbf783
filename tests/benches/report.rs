//! Province report benchmark: `cargo bench --bench report`. On the generated province (10
//! districts, 100 communes, 300 models and 40 điển hình over four years, about 5,800 steps):
//! adding up a year's figures from the store, and the whole báo cáo tổng kết — figures, the
//! report and its appendix with their two charts, DOCX and PDF — in-process. Target: under 1 s.

use std::hint::black_box;
use std::path::Path;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use hoso::app::{App, Config};
use hoso::render::Format;
use hoso::report::{Period, dia_ban::DiaBan};
use hoso::template::DocData;

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let db = dir.path().join("tinh.db");
    let mut app = App::new(Config {
        templates: None,
        workflows: None,
        db: db.clone().into(),
    });
    let made = std::time::Instant::now();
    let g = app
        .generate_province(2023, hoso::generate::Size::default(), None)
        .unwrap();
    eprintln!(
        "generated: {} cases, {} steps in {:.1} s",
        g.cases,
        g.steps,
        made.elapsed().as_secs_f64()
    );
    let dia_ban = DiaBan::of(g.dia_ban).unwrap();
    let period = Period::parse("2024").unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let data = root.join("samples/documents/bao-cao-tong-ket-phong-trao.yaml");
    // Templates, procedures and fonts loaded once, as a server has them.
    let t = app
        .tong_hop(&dia_ban, "kon-tum", &period, None, today)
        .unwrap();
    app.report_documents(
        "bao-cao-tong-ket-phong-trao",
        DocData::load(&data).unwrap(),
        &t,
        &[Format::Docx, Format::Pdf],
        None,
    )
    .unwrap();

    let mut g = c.benchmark_group("report");
    g.sample_size(10);
    g.bench_function("figures of a year (375 cases)", |b| {
        b.iter(|| {
            black_box(
                app.tong_hop(&dia_ban, "kon-tum", &period, None, today)
                    .unwrap(),
            )
        })
    });
    g.bench_function("báo cáo tổng kết + appendix, DOCX and PDF", |b| {
        b.iter(|| {
            let t = app
                .tong_hop(&dia_ban, "kon-tum", &period, None, today)
                .unwrap();
            let docs = app
                .report_documents(
                    "bao-cao-tong-ket-phong-trao",
                    DocData::load(&data).unwrap(),
                    &t,
                    &[Format::Docx, Format::Pdf],
                    None,
                )
                .unwrap();
            black_box(docs)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
