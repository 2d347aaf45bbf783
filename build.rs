//! Embeds `templates/*.hbs`, `workflows/*.yaml`, `workflows/provinces/*.yaml`, the hồ sơ lists,
//! the days off (`workflows/ngay-nghi`)
//! and the samples so that the `hoso` binary carries its default templates, procedures and demo
//! data and works from any directory.

use std::fmt::Write;
use std::path::Path;

fn main() {
    embed("templates", "hbs", "embedded_templates.rs");
    embed("workflows", "yaml", "embedded_workflows.rs");
    embed("workflows/provinces", "yaml", "embedded_provinces.rs");
    embed("workflows/ho-so", "yaml", "embedded_ho_so.rs");
    embed("workflows/ngay-nghi", "yaml", "embedded_ngay_nghi.rs");
    embed_tree("samples", "embedded_samples.rs");
    deadline_sources();
}

/// Sets `HOSO_DEADLINE_SOURCES` to a digest of the code that works out deadlines, so that
/// deadlines a store keeps from another build of it are worked out again (see
/// `Engine::fingerprint`).
fn deadline_sources() {
    use std::hash::{Hash, Hasher};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    // Cargo.lock: the crates that expand rules (rrule), run conditions (cel) and count days
    // (chrono) work deadlines out too.
    let mut files = vec![
        root.join("app.rs"),
        root.join("app/due.rs"),
        root.join("../Cargo.lock"),
    ];
    for dir in ["engine", "workflow"] {
        for e in std::fs::read_dir(root.join(dir))
            .expect("the folder exists")
            .flatten()
        {
            files.push(e.path());
        }
    }
    files.sort();
    // SipHash with fixed keys: the same sources give the same digest in every build by the
    // same toolchain (another toolchain may give another, which only works lists out again).
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        std::fs::read(f).unwrap_or_default().hash(&mut h);
    }
    println!("cargo:rustc-env=HOSO_DEADLINE_SOURCES={:016x}", h.finish());
}

/// Writes `OUT_DIR/<out_file>`: a static `EMBEDDED` table of `(path below dir, text)` of every
/// file under `dir`, in path order.
fn embed_tree(dir: &str, out_file: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        println!("cargo:rerun-if-changed={}", d.display());
        for e in std::fs::read_dir(&d).expect("the folder exists").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut out = String::from("/// Files embedded at build time: (path, text).\n");
    out.push_str("pub static EMBEDDED: &[(&str, &str)] = &[\n");
    for p in files {
        println!("cargo:rerun-if-changed={}", p.display());
        let rel = p
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            out,
            "    ({rel:?}, include_str!({:?})),",
            p.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join(out_file);
    std::fs::write(dest, out).unwrap();
}

/// Writes `OUT_DIR/<out_file>`: a static `EMBEDDED` table of `(file name, text)` of
/// `<dir>/*.<ext>`.
fn embed(dir: &str, ext: &str, out_file: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("the folder exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    entries.sort();
    let mut out = String::from("/// Files embedded at build time: (file name, text).\n");
    out.push_str("pub static EMBEDDED: &[(&str, &str)] = &[\n");
    for p in entries {
        println!("cargo:rerun-if-changed={}", p.display());
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            p.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join(out_file);
    std::fs::write(dest, out).unwrap();
}
