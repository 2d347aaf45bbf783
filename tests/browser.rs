//! The web application in a real headless browser: starts `hoso serve --demo` on a free
//! loopback port, drives Debian's chromium through chromedriver with Python Selenium
//! (`tests/browser/flow.py`: refusal and correction, approval, issuing, the archive
//! downloaded), then `hoso verify` checks the downloaded archive and SIGTERM stops the server
//! cleanly; a second test runs the same flow with the server on PostgreSQL when
//! `HOSO_TEST_POSTGRES` names a server (as in tests/backends.rs). Without chromium,
//! chromedriver or selenium the test says so and passes, unless `HOSO_REQUIRE_BROWSER=1` (CI)
//! makes it fail. Screenshots go to `HOSO_SCREENSHOTS` when set.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn hoso() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hoso"))
}

/// What is missing to run a browser, if anything.
fn missing() -> Option<String> {
    let chromium = std::env::var("HOSO_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let driver =
        std::env::var("HOSO_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    for p in [&chromium, &driver] {
        if !Path::new(p).exists() {
            return Some(format!("{p} (apt-get install chromium chromium-driver)"));
        }
    }
    let selenium = Command::new("python3")
        .args(["-c", "import selenium"])
        .output();
    if !selenium.is_ok_and(|o| o.status.success()) {
        return Some("python3 with selenium (pip install selenium)".into());
    }
    None
}

/// The server, stopped with SIGTERM when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(self.0.id() as i32, libc::SIGTERM);
        }
        let _ = self.0.wait();
    }
}

/// Whether a browser can run here; says why not, and fails under `HOSO_REQUIRE_BROWSER=1`.
fn browser_ready() -> bool {
    let Some(what) = missing() else { return true };
    if std::env::var("HOSO_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("HOSO_REQUIRE_BROWSER=1 but the browser test cannot run: missing {what}");
    }
    eprintln!("BỎ QUA kiểm thử trình duyệt: thiếu {what}; đặt HOSO_REQUIRE_BROWSER=1 để bắt buộc");
    false
}

#[test]
fn a_case_through_the_browser_from_refusal_to_verified_archive() {
    if browser_ready() {
        let dir = tempfile::tempdir().unwrap();
        flow(dir.path(), dir.path().join("hoso.db").into());
    }
}

/// The same flow with the server on PostgreSQL (`HOSO_TEST_POSTGRES`, as in tests/backends.rs).
#[test]
fn the_same_flow_on_postgresql() {
    let Ok(admin) = std::env::var("HOSO_TEST_POSTGRES") else {
        assert!(
            std::env::var("HOSO_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "HOSO_REQUIRE_POSTGRES=1 but HOSO_TEST_POSTGRES is not set"
        );
        eprintln!("the browser flow on PostgreSQL skipped: HOSO_TEST_POSTGRES is not set");
        return;
    };
    if !browser_ready() {
        return;
    }
    let name = format!("hoso_browser_{}", std::process::id());
    let mut c = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    let dir = tempfile::tempdir().unwrap();
    flow(dir.path(), format!("{base}/{name}").into());
    let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
}

/// `hoso serve --demo` on `db`, the browser through a case, the archive verified.
fn flow(dir: &Path, db: std::ffi::OsString) {
    let mut child = hoso()
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--db"])
        .arg(db)
        .env("HOSO_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first
        .strip_prefix("hoso serve: ")
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    // "  can-bo     đăng nhập: demo-can-bo      mật khẩu: …", one line per role.
    let mut accounts = serde_json::Map::new();
    for line in lines.by_ref().skip(1).take(5) {
        let line = line.unwrap();
        let words: Vec<&str> = line.split_whitespace().collect();
        accounts.insert(
            words[0].to_string(),
            serde_json::json!([words[3], words[6]]),
        );
    }
    assert_eq!(accounts.len(), 5, "{accounts:?}");
    let shots = std::env::var("HOSO_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| dir.join("anh"));
    let downloads = dir.join("tai-ve");
    std::fs::create_dir_all(&shots).unwrap();
    std::fs::create_dir_all(&downloads).unwrap();
    let out = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/flow.py"))
        .arg(&base)
        .arg(serde_json::Value::Object(accounts).to_string())
        .arg(&shots)
        .arg(&downloads)
        .arg("C0001")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_str(said.lines().last().unwrap()).unwrap();
    let archive = result["archive"].as_str().unwrap();
    let verify = hoso().arg("verify").arg(archive).output().unwrap();
    let report = String::from_utf8_lossy(&verify.stdout);
    // 0: intact and complete; 3: intact, the hồ sơ still open and lacking later items.
    assert!(
        matches!(verify.status.code(), Some(0 | 3)),
        "{report}\n{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    for number in result["numbers"].as_array().unwrap() {
        let n = number.as_str().unwrap();
        assert!(!n.is_empty());
    }
    // The server stops cleanly on SIGTERM.
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(server.0.id() as i32, libc::SIGTERM);
    }
    let status = server.0.wait().unwrap();
    assert!(status.success(), "{status:?}");
}
