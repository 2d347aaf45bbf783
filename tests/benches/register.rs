//! Register benchmark: `cargo bench --bench register`. One `take` is one durable SQLite
//! transaction (WAL, synchronous=FULL) on a file in the target directory's filesystem. Then
//! eight clients taking numbers of one series at once, each with its own connection, on SQLite
//! and — when `HOSO_TEST_POSTGRES` names a server whose role may create databases — on
//! PostgreSQL (synchronous_commit on, its default): the time reported is wall time per number,
//! so numbers per second are its inverse.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use hoso::document::{FamilyId, Issuer, kind};
use hoso::register::{Request, take};
use hoso::store::{Db, SqliteStore as Store};

/// The Kon Tum steering committee, whose công văn the benches number.
fn steering_committee() -> Issuer {
    Issuer {
        parent: Some("UBND TỈNH KON TUM".into()),
        name: "BAN CHỈ ĐẠO".into(),
        abbreviation: "BCĐ".into(),
        place: "Kon Tum".into(),
        collective: "BAN CHỈ ĐẠO".into(),
        head: "TRƯỞNG BAN".into(),
        family: FamilyId::State,
        numbering: Default::default(),
    }
}

/// A công văn of `issuer` to number: "NN/BCĐ-NC".
fn cong_van(issuer: &Issuer) -> Request<'_> {
    let mut req = Request::new(
        issuer,
        kind::find("cong-van").unwrap(),
        Some("NC".into()),
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
    );
    req.trich_yeu = "V/v báo cáo mô hình".into();
    req.signer = "Lê Ngọc Tuấn (TRƯỞNG BAN)".into();
    req.recipients = vec!["Như trên".into()];
    req.luu.push("NC".into());
    req.copies = Some(5);
    req
}

fn bench(c: &mut Criterion) {
    // Beside the build, not in /tmp: tmpfs would not measure a real disk's fsync.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let mut store = Store::open(&dir.path().join("bench.db")).unwrap();
    let issuer = steering_committee();
    let req = cong_van(&issuer);
    c.bench_function("register take (durable, WAL)", |b| {
        b.iter(|| black_box(take(&mut store, black_box(&req)).unwrap()))
    });
}

/// Eight clients, each with its own store, take `iters` numbers between them; the time is the
/// wall time of all of them.
fn eight_clients(db: &Db, req: &Request, iters: u64) -> std::time::Duration {
    const CLIENTS: u64 = 8;
    // Each client opens its own store (a store stays on its thread), then all start together.
    let ready = std::sync::Barrier::new(CLIENTS as usize + 1);
    std::thread::scope(|s| {
        for i in 0..CLIENTS {
            let n = iters / CLIENTS + u64::from(i < iters % CLIENTS);
            let ready = &ready;
            s.spawn(move || {
                let mut store = db.open().unwrap();
                ready.wait();
                for _ in 0..n {
                    black_box(take(&mut *store, req).unwrap());
                }
            });
        }
        ready.wait();
        // The scope returns this once every client has finished.
        std::time::Instant::now()
    })
    .elapsed()
}

fn concurrent(c: &mut Criterion) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let issuer = steering_committee();
    let req = cong_van(&issuer);
    let mut backends = vec![("SQLite", Db::Sqlite(dir.path().join("eight.db")))];
    match std::env::var("HOSO_TEST_POSTGRES") {
        Ok(admin) => {
            let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
            client
                .batch_execute("DROP DATABASE IF EXISTS hoso_bench_takes WITH (FORCE)")
                .unwrap();
            client
                .batch_execute("CREATE DATABASE hoso_bench_takes")
                .unwrap();
            let (base, _) = admin.rsplit_once('/').unwrap();
            backends.push((
                "PostgreSQL",
                Db::Postgres(format!("{base}/hoso_bench_takes")),
            ));
        }
        Err(_) => eprintln!("PostgreSQL skipped: HOSO_TEST_POSTGRES is not set"),
    }
    let mut group = c.benchmark_group("register take, 8 clients, one series");
    for (name, db) in &backends {
        group.bench_function(*name, |b| {
            b.iter_custom(|iters| eight_clients(db, &req, iters))
        });
    }
    group.finish();
}

criterion_group!(benches, bench, concurrent);
criterion_main!(benches);
