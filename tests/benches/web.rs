//! Load on loopback: `hoso serve`'s router on a database holding the generated province (375
//! cases, 5,760 steps; `HOSO_LOAD_PROVINCE=0` leaves it out) and the demo's sample cases, and
//! HOSO_LOAD_USERS (20) people for HOSO_LOAD_SECONDS (60) seconds, each logged in and going
//! round its pages without pause — my work, the cases, a case, a step form (cán bộ), the book
//! (văn thư) or the province's report (a province's lãnh đạo, who sees its 200-odd cases) — and
//! a draft's PDF preview. Prints p50, p95 and the slowest time per kind, and the errors (any
//! status but 200). A benchmark, not a timed test: `cargo bench --bench web`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use hoso::App;
use hoso::app::Config;
use hoso::web::{Shared, router, seed_demo};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One HTTP/1.1 request on a new connection; returns the status and the body.
fn request(addr: SocketAddr, method: &str, path: &str, cookie: &str, body: &str) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let status = std::str::from_utf8(&out[9..12])
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, out)
}

fn login(addr: SocketAddr, login: &str, password: &str) -> String {
    let (status, out) = request(
        addr,
        "POST",
        "/dang-nhap",
        "",
        &format!("dang_nhap={login}&mat_khau={password}"),
    );
    assert_eq!(status, 303);
    let text = String::from_utf8_lossy(&out);
    let line = text
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .unwrap();
    line.split_once(':')
        .unwrap()
        .1
        .trim()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// The process's resident memory, in MiB (Linux).
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let users = env_or("HOSO_LOAD_USERS", 20) as usize;
    let seconds = env_or("HOSO_LOAD_SECONDS", 60);
    let dir = tempfile::tempdir().unwrap();
    let samples = hoso::demo::extract_samples(&dir.path().join("mau")).unwrap();
    let config = Config {
        templates: None,
        workflows: None,
        db: dir.path().join("hoso.db").into(),
    };
    let province = env_or("HOSO_LOAD_PROVINCE", 1) == 1;
    let mut dia_ban = None;
    let (accounts, case) = if province {
        let mut app = App::new(config.clone());
        let g = app
            .generate_province(2023, hoso::generate::Size::default(), None)
            .unwrap();
        dia_ban = Some(hoso::report::dia_ban::DiaBan::of(g.dia_ban).unwrap());
        let ids = hoso::demo::seed(&mut app, &samples).unwrap();
        let mut accounts = Vec::new();
        for (role, agency) in [
            ("can-bo", hoso::demo::DEMO_AGENCY),
            ("van-thu", hoso::demo::DEMO_AGENCY),
            ("lanh-dao", "kon-tum"),
        ] {
            let login = format!("tai-{role}");
            app.add_account(&login, role, role, agency, "mat-khau-tai")
                .unwrap();
            accounts.push(hoso::web::DemoAccount {
                role: role.to_string(),
                login,
                password: "mat-khau-tai".into(),
            });
        }
        // The Kon Tum "Camera an ninh" case: the demo commune's mô hình.
        let case = ids
            .into_iter()
            .find(|id| {
                let s = app.status(id).unwrap();
                s.case.workflow.starts_with("mo-hinh")
                    && app.case_agency(id).unwrap() == hoso::demo::DEMO_AGENCY
            })
            .unwrap();
        (accounts, case)
    } else {
        (seed_demo(&config, &samples).unwrap(), "C0001".to_string())
    };
    let doc = App::new(config.clone()).status(&case).unwrap().documents[0]
        .0
        .doc
        .clone();
    // What each request pays for its own App: a store connection opened (the templates and
    // procedures are shared).
    let (templates, engine) = App::new(config.clone()).shared().unwrap();
    let t = Instant::now();
    let opens = 500;
    for _ in 0..opens {
        let mut app = App::with_shared(config.clone(), templates.clone(), engine.clone());
        app.store().unwrap();
    }
    let per_open = t.elapsed() / opens;
    let mut shared = Shared::new(config, Some(samples), false).unwrap();
    if let Some(d) = dia_ban {
        shared = shared.with_dia_ban(d);
    }
    let runtime = hoso::web::server::runtime().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    runtime.spawn(async move { axum::serve(listener, router(shared)).await });
    let password = |role: &str| {
        accounts
            .iter()
            .find(|a| a.role == role)
            .map(|a| (a.login.clone(), a.password.clone()))
            .unwrap()
    };
    let pdf = format!("/ho-so/{case}/van-ban/{doc}/du-thao.pdf");
    let end = Instant::now() + Duration::from_secs(seconds);
    let threads: Vec<_> = (0..users)
        .map(|i| {
            let roles: &[&str] = if province {
                &["can-bo", "van-thu", "lanh-dao"]
            } else {
                &["can-bo", "van-thu"]
            };
            let role = roles[i % roles.len()];
            let (l, p) = password(role);
            let fifth = match role {
                "can-bo" => format!("/ho-so/{case}/buoc/de-nghi-xep-loai"),
                "van-thu" => "/so-dang-ky".to_string(),
                _ => "/bao-cao?ky=2024".to_string(),
            };
            let pdf = pdf.clone();
            let case = case.clone();
            std::thread::spawn(move || {
                let cookie = login(addr, &l, &p);
                // The province's report is long work (every case's deadlines judged), run one a
                // core at a time: measured apart from the pages.
                let fifth_kind = if fifth.starts_with("/bao-cao") {
                    "bao-cao"
                } else {
                    "trang"
                };
                let routes = [
                    ("trang", "/".to_string()),
                    ("trang", "/ho-so".to_string()),
                    ("trang", format!("/ho-so/{case}")),
                    (fifth_kind, fifth),
                    ("xem-truoc", pdf),
                ];
                let mut times: Vec<(&str, String, Duration, bool)> = Vec::new();
                'run: loop {
                    for (kind, path) in &routes {
                        if Instant::now() >= end {
                            break 'run;
                        }
                        let t = Instant::now();
                        let (status, _) = request(addr, "GET", path, &cookie, "");
                        let route = format!("{role} {}", path.split('?').next().unwrap_or(path));
                        times.push((kind, route, t.elapsed(), status == 200));
                    }
                }
                times
            })
        })
        .collect();
    let rss_before = rss_mib();
    let all: Vec<(&str, String, Duration, bool)> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    println!(
        "{users} người dùng, {seconds} giây, 127.0.0.1{}",
        if province {
            ", tỉnh mẫu (375 hồ sơ) và hồ sơ mẫu"
        } else {
            ", hồ sơ mẫu"
        }
    );
    println!(
        "mở App và kết nối cơ sở dữ liệu cho một yêu cầu: {:.2} ms; bộ nhớ (RSS) lúc bắt đầu \
         {rss_before:.0} MiB, lúc kết thúc {:.0} MiB",
        per_open.as_secs_f64() * 1000.0,
        rss_mib()
    );
    let line = |name: &str, pick: &dyn Fn(&str, &str) -> bool| {
        let mut d: Vec<Duration> = all
            .iter()
            .filter(|(k, r, ..)| pick(k, r))
            .map(|(_, _, d, _)| *d)
            .collect();
        d.sort();
        let errors = all.iter().filter(|(k, r, _, ok)| pick(k, r) && !ok).count();
        println!(
            "{name:<34} {:>6} yêu cầu  p50 {:>7.1} ms  p95 {:>7.1} ms  chậm nhất {:>7.1} ms  lỗi {errors}",
            d.len(),
            percentile(&d, 0.5).as_secs_f64() * 1000.0,
            percentile(&d, 0.95).as_secs_f64() * 1000.0,
            d.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
        );
    };
    for kind in ["trang", "xem-truoc", "bao-cao"] {
        line(kind, &|k, _| k == kind);
    }
    // Each page by who asks for it: a province's lãnh đạo sees far more cases than a commune's.
    let mut routes: Vec<&String> = all.iter().map(|(_, r, ..)| r).collect();
    routes.sort();
    routes.dedup();
    for route in routes {
        line(route, &|_, r| r == route);
    }
}
