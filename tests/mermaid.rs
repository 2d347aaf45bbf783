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
    let mut files: Vec<PathBuf> = ids.iter().map(|id| diagram(dir.path(), id)).collect();
    files.sort();
    files.dedup();
    // `workflow show` draws a procedure's newest version; the older ones still govern the
    // cases opened under them (mô hình 2022.1), whose pages draw them the same way.
    for w in hoso::workflow::embedded().unwrap() {
        let f = dir.path().join(format!("{}-{}.mmd", w.id, w.version));
        std::fs::write(&f, hoso::workflow::mermaid(&w)).unwrap();
        files.push(f);
    }
    let (code, out) = parse(&files);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok ")).count(),
        files.len(),
        "{out}"
    );
    assert!(
        files.iter().any(|f| f.ends_with("mo-hinh-2022.1.mmd"))
            && files.iter().any(|f| f.ends_with("mo-hinh-2026.1.mmd")),
        "{files:?}"
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

/// The diagram's edges in words: a branch's `label`, else the message of the guard its step
/// asks the same condition with, else the condition; the default branch labelled; `starts`
/// a dotted arrow to the new case's procedure, linked to its diagram.
#[test]
fn edges_are_labelled_in_words() {
    let all = hoso::workflow::embedded().unwrap();
    let show = |id: &str| hoso::workflow::mermaid(all.iter().find(|w| w.id == id).unwrap());
    let dien_hinh = show("dien-hinh");
    for want in [
        "  danh-gia -->|\"Đạt đủ các tiêu chí\"| cong-nhan\n",
        "  danh-gia -->|\"Chưa đạt đủ tiêu chí\"| ket-thuc\n",
    ] {
        assert!(dien_hinh.contains(want), "{want}\n{dien_hinh}");
    }
    let kon_tum = show("mo-hinh@kon-tum");
    for want in [
        // No label: the words of the guard of the step it leads to.
        "  gui-ket-qua -->|\"Chỉ nhân rộng mô hình xếp loại “Tốt”\"| de-xuat-nhan-rong\n",
        "  gui-ket-qua -->|\"Xếp loại “Yếu”: xem xét kết thúc mô hình\"| ket-thuc-danh-gia\n",
        "  de-xuat-nhan-rong -.->|\"mở hồ sơ mới, mỗi địa bàn một hồ sơ\"| qt_mo_hinh_kon_tum\n",
        "  qt_mo_hinh_kon_tum[[\"↗ Quy trình mo-hinh@kon-tum\"]]\n",
        "  click qt_mo_hinh_kon_tum href \"mo-hinh@kon-tum.mmd\" \"Sơ đồ quy trình mo-hinh@kon-tum\"\n",
        "  ra-mat --> so-ket\n",
    ] {
        assert!(kon_tum.contains(want), "{want}\n{kon_tum}");
    }
    assert!(
        !kon_tum.contains("case."),
        "every branch in words:\n{kon_tum}"
    );
    // A branch with neither label nor a guard that words it keeps its condition.
    let mut w = all.iter().find(|w| w.id == "dien-hinh").unwrap().clone();
    for s in &mut w.steps {
        for n in &mut s.next {
            if let hoso::workflow::Next::Branch { label, .. } = n {
                *label = None;
            }
        }
    }
    let bare = hoso::workflow::mermaid(&w);
    assert!(
        bare.contains("  danh-gia -->|\"khi case.ty_le_tieu_chi >= 100.0\"| cong-nhan\n"),
        "{bare}"
    );
    assert!(
        bare.contains("  danh-gia -->|\"trường hợp còn lại\"| ket-thuc\n"),
        "{bare}"
    );
}
