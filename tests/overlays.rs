//! Province overlays against the base they extend: `workflow check` with a given base or a
//! folder, a broken province file that stops only its own cases, and what an overlay can say
//! (workflows/README.md, "Province overlays").

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::root;

fn hoso() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hoso"));
    c.env_remove("HOSO_DB");
    c
}

/// A copy of the repository's procedures to break.
fn workflows_copy(dir: &Path) -> PathBuf {
    let to = dir.join("workflows");
    let o = Command::new("cp")
        .arg("-r")
        .arg(root().join("workflows"))
        .arg(&to)
        .output()
        .unwrap();
    assert!(o.status.success());
    to
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{}: no `{from}`", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// `case new` with `--workflows dir` on a fresh database: exit code and all it printed.
fn case_new(dir: &Path, wf: &Path, workflow: &str, province: Option<&str>) -> (i32, String) {
    let data = dir.join("case.yaml");
    std::fs::write(
        &data,
        "ten_mo_hinh: Camera an ninh\npham_vi: thôn 1\nlien_ket: false\n",
    )
    .unwrap();
    let mut c = hoso();
    c.arg("--db")
        .arg(dir.join("hoso.db"))
        .arg("--workflows")
        .arg(wf)
        .args([
            "case",
            "new",
            "--workflow",
            workflow,
            "--at",
            "2024-03-01",
            "--data",
        ])
        .arg(&data);
    if let Some(p) = province {
        c.args(["--province", p]);
    }
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

/// One broken province file refuses its own cases with its problem; the base procedure's and
/// another province's cases go on. A broken base takes its provinces with it, no other base.
#[test]
fn a_broken_province_file_stops_only_its_own_cases() {
    let dir = tempfile::tempdir().unwrap();
    let wf = workflows_copy(dir.path());
    let kon_tum = wf.join("provinces/kon-tum.yaml");
    replace_in(&kon_tum, "name: Kon Tum\n", "name: Kon Tum\nbogus: 1\n");
    let (code, out) = case_new(dir.path(), &wf, "mo-hinh", Some("kon-tum"));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("quy trình `mo-hinh@kon-tum` có lỗi, chưa dùng được (1 lỗi)"),
        "{out}"
    );
    assert!(
        out.contains(&format!("{}:8:1: unknown field `bogus`", kon_tum.display())),
        "{out}"
    );
    let (code, out) = case_new(dir.path(), &wf, "mo-hinh", None);
    assert_eq!(code, 0, "{out}");
    let (code, out) = case_new(dir.path(), &wf, "mo-hinh", Some("quang-ngai"));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("chỉ áp dụng") || out.contains("chưa có phiên bản"),
        "{out}"
    );

    // A province file that parses but does not merge: the same, at its own line.
    let bac_kan = wf.join("provinces/bac-kan.yaml");
    replace_in(
        &bac_kan,
        "\nsteps:\n",
        "\nsteps:\n  khong-co:\n    title: X\n",
    );
    let (code, out) = case_new(dir.path(), &wf, "don-vi-dien-hinh", Some("bac-kan"));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("quy trình gốc `don-vi-dien-hinh` không có bước `khong-co`"),
        "{out}"
    );
    let (code, out) = case_new(dir.path(), &wf, "mo-hinh", None);
    assert_eq!(code, 0, "{out}");

    // A broken base: its cases and its provinces' are refused, the other bases work.
    replace_in(
        &wf.join("dien-hinh.yaml"),
        "steps:\n",
        "steps:\n  - khong-phai-buoc\n",
    );
    let (code, out) = case_new(dir.path(), &wf, "dien-hinh", None);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("quy trình `dien-hinh` có lỗi"), "{out}");
    let (code, out) = case_new(dir.path(), &wf, "mo-hinh", None);
    assert_eq!(code, 0, "{out}");
}

/// `workflow check base.yaml provinces/x.yaml` merges the overlay with the base given, not the
/// built-in one: a step only the given base has is found, and a step it lacks is named.
#[test]
fn check_merges_an_overlay_with_the_base_given() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("mo-hinh.yaml");
    let text = std::fs::read_to_string(root().join("workflows/mo-hinh.yaml")).unwrap();
    std::fs::write(
        &base,
        text.replace("- id: so-ket\n", "- id: so-ket-nam\n")
            .replace(" so-ket,", " so-ket-nam,"),
    )
    .unwrap();
    let overlay = dir.path().join("thu.yaml");
    std::fs::write(
        &overlay,
        "extends: mo-hinh\nprovince: thu\nname: Thử\nversion: \"1\"\neffective_from: 2025-07-01\n\
         steps:\n  so-ket-nam:\n    title: Sơ kết năm\n",
    )
    .unwrap();
    let given = hoso()
        .args(["workflow", "check"])
        .arg(&base)
        .arg(&overlay)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&given.stdout);
    assert!(given.status.success(), "{out}");
    assert!(out.contains(&format!("{}: ok", overlay.display())), "{out}");
    let built_in = hoso()
        .args(["workflow", "check"])
        .arg(&overlay)
        .output()
        .unwrap();
    assert_eq!(built_in.status.code(), Some(1));
    let out = String::from_utf8_lossy(&built_in.stdout);
    assert!(
        out.contains(&format!(
            "{}:7:3: quy trình gốc `mo-hinh` không có bước `so-ket-nam`",
            overlay.display()
        )),
        "{out}"
    );
    // A given base that does not parse is named, not replaced by the built-in one.
    std::fs::write(&base, "id: mo-hinh\nsteps: [\n").unwrap();
    let o = hoso()
        .args(["workflow", "check"])
        .arg(&base)
        .arg(&overlay)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(&format!(
            "{}:1:10: extends: quy trình gốc `mo-hinh` ({}) có lỗi; sửa tệp ấy trước rồi kiểm lại \
             tệp tỉnh",
            overlay.display(),
            base.display()
        )),
        "{out}"
    );
}

/// `--workflows DIR workflow check` checks every file of the folder and lists every problem of
/// each, one broken file stopping none of the others.
#[test]
fn check_of_a_folder_lists_every_problem_of_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let wf = workflows_copy(dir.path());
    replace_in(
        &wf.join("provinces/kon-tum.yaml"),
        "name: Kon Tum\n",
        "name: Kon Tum\nbogus: 1\n",
    );
    replace_in(
        &wf.join("provinces/bac-kan.yaml"),
        "\nsteps:\n",
        "\nsteps:\n  khong-co:\n    title: X\n",
    );
    replace_in(
        &wf.join("dien-hinh.yaml"),
        "\nsteps:\n",
        "\nbogus: 2\nsteps:\n",
    );
    let o = hoso()
        .arg("--workflows")
        .arg(&wf)
        .args(["workflow", "check"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    for want in [
        "provinces/kon-tum.yaml:8:1: unknown field `bogus`",
        "provinces/bac-kan.yaml:",
        "quy trình gốc `don-vi-dien-hinh` không có bước `khong-co`",
        "dien-hinh.yaml:",
        "unknown field `bogus`",
        "mo-hinh.yaml: ok",
        "provinces/thai-nguyen.yaml: ok",
        "provinces/quang-ngai.yaml: ok",
        "ngay-nghi/2024.yaml: ok",
    ] {
        assert!(out.contains(want), "{want}\n{out}");
    }
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("3 lỗi"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Without a folder there is nothing to check: say so.
    let o = hoso().args(["workflow", "check"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}
