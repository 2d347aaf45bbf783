//! Mermaid's own parser is the judge of `hoso workflow show --format mermaid`: the diagram of
//! every procedure, base and province, parses; a diagram with a step id Mermaid reads as a
//! keyword does not, and `workflow check` refuses that id.
//!
//! Needs node and the npm packages `mermaid` and `jsdom` under `HOSO_MERMAID_DIR` (an npm
//! prefix); `.ci/run` installs them and runs `cargo test --test mermaid -- --ignored`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// Runs tests/mermaid/parse.mjs on `files`: its exit code and one line per file.
fn parse(files: &[PathBuf]) -> (Option<i32>, String) {
    let prefix = std::env::var("HOSO_MERMAID_DIR").expect(
        "HOSO_MERMAID_DIR: an npm prefix with mermaid and jsdom (npm install --prefix DIR \
         mermaid jsdom), as .ci/run makes",
    );
    let o = Command::new("node")
        .arg(root().join("tests/mermaid/parse.mjs"))
        .args(files)
        .env("HOSO_MERMAID_DIR", prefix)
        .output()
        .expect("node");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.trim().is_empty(), "{stderr}");
    (o.status.code(), String::from_utf8(o.stdout).unwrap())
}

/// `hoso workflow show ID [--province P] --format mermaid`, written to `dir/ID.mmd`.
fn diagram(dir: &Path, id: &str) -> PathBuf {
    let (name, province) = id.split_once('@').map_or((id, None), |(n, p)| (n, Some(p)));
    let mut c = hoso_with(&dir.join("hoso.db"));
    c.args(["workflow", "show", name, "--format", "mermaid"]);
    if let Some(p) = province {
        c.args(["--province", p]);
    }
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let f = dir.join(format!("{id}.mmd"));
    std::fs::write(&f, &o.stdout).unwrap();
    f
}

#[test]
#[ignore = "needs node with npm mermaid and jsdom; run by .ci/run"]
fn every_procedure_diagram_parses() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = hoso::workflow::embedded()
        .unwrap()
        .into_iter()
        .map(|w| w.id)
        .collect();
    assert!(
        ids.iter().filter(|i| i.contains('@')).count() >= 4,
        "the province files are among them: {ids:?}"
    );
    let files: Vec<PathBuf> = ids.iter().map(|id| diagram(dir.path(), id)).collect();
    let (code, out) = parse(&files);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok ")).count(),
        ids.len(),
        "{out}"
    );
}

/// The judge can fail: a step id `end` (which the check refuses) breaks the diagram, while
/// titles and conditions full of Mermaid's punctuation, quoted by `mermaid`, do not.
#[test]
#[ignore = "needs node with npm mermaid and jsdom; run by .ci/run"]
fn a_diagram_mermaid_cannot_read_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let definition = |last: &str| {
        format!(
            "id: thu\nversion: \"1\"\neffective_from: 2023-01-01\ntitle: Thử\nroles: {{ca: CA}}\n\
             fields:\n  xep_loai: {{type: enum, values: [Tốt, Khá]}}\n\
             steps:\n  - id: a\n    title: 'Báo cáo #1; <b> [x] {{y}} (z) | w & \"Tốt\" — “Tốt”'\n    \
             actor: ca\n    next:\n      - to: {last}\n        \
             when: \"case.xep_loai == 'Tốt' || has(case.xep_loai) && [1][0] > 0\"\n  \
             - id: {last}\n    title: Kết thúc\n    actor: ca\n"
        )
    };
    let mut files = Vec::new();
    for last in ["ket-thuc", "end"] {
        let f = dir.path().join(format!("{last}.yaml"));
        std::fs::write(&f, definition(last)).unwrap();
        let w = hoso::workflow::Loaded::load(&f).unwrap();
        let mmd = dir.path().join(format!("{last}.mmd"));
        std::fs::write(&mmd, hoso::workflow::mermaid(&w.workflow)).unwrap();
        files.push(mmd);
        let o = hoso_with(&dir.path().join("hoso.db"))
            .args(["workflow", "check"])
            .arg(&f)
            .output()
            .unwrap();
        assert_eq!(o.status.success(), last != "end", "{last}");
    }
    let (code, out) = parse(&files);
    assert_eq!(code, Some(1), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("ok "), "{out}");
    assert!(
        lines[1].starts_with("FAIL ") && lines[1].contains("got 'end'"),
        "{out}"
    );
}
