//! Register benchmark: `cargo bench --bench register`. One `take` is one durable SQLite
//! transaction (WAL, synchronous=FULL) on a file in the target directory's filesystem.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use hoso::document::{FamilyId, Issuer, kind};
use hoso::register::{Request, take};
use hoso::store::SqliteStore as Store;

fn bench(c: &mut Criterion) {
    // Beside the build, not in /tmp: tmpfs would not measure a real disk's fsync.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let mut store = Store::open(&dir.path().join("bench.db")).unwrap();
    let issuer = Issuer {
        parent: Some("UBND TỈNH KON TUM".into()),
        name: "BAN CHỈ ĐẠO".into(),
        abbreviation: "BCĐ".into(),
        place: "Kon Tum".into(),
        collective: "BAN CHỈ ĐẠO".into(),
        head: "TRƯỞNG BAN".into(),
        family: FamilyId::State,
        numbering: Default::default(),
    };
    let mut req = Request::new(
        &issuer,
        kind::find("cong-van").unwrap(),
        Some("NC".into()),
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
    );
    req.trich_yeu = "V/v báo cáo mô hình".into();
    req.signer = "Lê Ngọc Tuấn (TRƯỞNG BAN)".into();
    req.recipients = vec!["Như trên".into()];
    req.luu.push("NC".into());
    req.copies = Some(5);
    c.bench_function("register take (durable, WAL)", |b| {
        b.iter(|| black_box(take(&mut store, black_box(&req)).unwrap()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
