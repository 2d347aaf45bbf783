//! Points where tests break in: a failure injected inside a transaction (`HOSO_FAIL_AT=<name>`)
//! shows that a write that fails half-way leaves nothing behind; a pause (`HOSO_PAUSE_AT=<name>`
//! for `HOSO_PAUSE_MS`, default 30 s) lets a test kill the process there, or line several
//! processes up, and show that nothing is lost or given twice. They read the environment, so the
//! tests can drive the real binary; unset, each costs one lookup.

use crate::error::{Error, Result};

pub fn fail_point(name: &str) -> Result<()> {
    if std::env::var("HOSO_FAIL_AT").is_ok_and(|v| v == name) {
        return Err(Error::Storage {
            path: name.into(),
            message: format!("lỗi giả lập tại {name} (injected failure)"),
        });
    }
    Ok(())
}

pub fn pause_point(name: &str) {
    if std::env::var("HOSO_PAUSE_AT").is_ok_and(|v| v == name) {
        let ms = std::env::var("HOSO_PAUSE_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(30_000);
        eprintln!("paused at {name}");
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}
