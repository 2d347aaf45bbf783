//! Province overlays against the base they extend: `workflow check` with a given base or a
//! folder, a broken province file that stops only its own cases, and what an overlay can say
//! (workflows/README.md, "Province overlays").

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use common::root;
use hoso::engine::Engine;
use hoso::store::{SqliteStore as Store, Store as _};
use hoso::workflow::Workflow;
use serde_json::{Value, json};

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
        out.contains(&format!(
            "{}:8:1: không có khóa `bogus`;",
            kon_tum.display()
        )),
        "{out}"
    );
    let (code, out) = case_new(dir.path(), &wf, "mo-hinh", None);
    assert_eq!(code, 0, "{out}");
    // The command that worked says which file is set aside.
    assert!(
        out.contains(&format!(
            "quy trình `mo-hinh@kon-tum` có lỗi, hồ sơ theo nó bị từ chối cho đến khi sửa (1 lỗi; \
             đầu tiên: {}:8:1: không có khóa `bogus`;",
            kon_tum.display()
        )),
        "{out}"
    );
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
        "provinces/kon-tum.yaml:8:1: không có khóa `bogus`;",
        "provinces/bac-kan.yaml:",
        "quy trình gốc `don-vi-dien-hinh` không có bước `khong-co`",
        "dien-hinh.yaml:",
        "không có khóa `bogus`;",
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

/// Every broken province file of `tests/workflows/overlays` gives exactly the message its first
/// line expects, merged with the built-in base it extends.
#[test]
fn broken_overlays_give_their_exact_messages() {
    let dir = root().join("tests/workflows/overlays");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 16);
    let checks = hoso()
        .args(["workflow", "check"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(checks.status.code(), Some(1));
    let out = String::from_utf8(checks.stdout).unwrap();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let want = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .expect("first line: # expect: L:C: message");
        let first = out
            .lines()
            .find(|l| l.starts_with(&format!("{}:", f.display())))
            .unwrap_or_else(|| panic!("{}: no problem found\n{out}", f.display()));
        assert_eq!(first, format!("{}:{want}", f.display()));
    }
}

/// The built-in procedures with one more province file merged in, checked.
fn with_overlay(text: &str) -> Vec<Workflow> {
    use hoso::workflow::overlay::{LoadedOverlay, base_of};
    let mut all = hoso::workflow::embedded().unwrap();
    let o = LoadedOverlay::parse(Path::new("thu.yaml"), text).unwrap();
    let base = base_of(&o, all.iter()).unwrap();
    let merged = o.merge(base).unwrap();
    let set = hoso::template::TemplateSet::embedded().unwrap();
    let known = hoso::workflow::check::Known::new(
        set.iter().map(|t| t.id.as_str()),
        all.iter().map(|w| w.id.as_str()),
    );
    let loaded = hoso::workflow::Loaded {
        path: "thu.yaml".into(),
        workflow: merged.clone(),
        spans: Default::default(),
    };
    let problems = hoso::workflow::check::check(&loaded, &known);
    assert!(problems.is_empty(), "{problems:?}");
    all.push(merged);
    all
}

const HEAD: &str = "extends: mo-hinh@2022.1\nprovince: thu\nname: Thử\nversion: \"1\"\neffective_from: 2022-12-01\n";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A mô hình launched on 31/03/2023 (decision of 20/03/2023) under `key`.
fn launched(e: &Engine, s: &mut Store, key: &str, fields: Value) -> String {
    let mut data = json!({"ten_mo_hinh": "Camera an ninh", "pham_vi": "thôn 1", "lien_ket": false});
    data.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    let id = e.new_case(s, key, &data, d("2023-02-06")).unwrap();
    for (step, at, inputs) in [
        ("khao-sat", "2023-02-06", json!({})),
        ("bao-cao-khao-sat", "2023-02-28", json!({})),
        ("chu-truong", "2023-03-10", json!({})),
        ("trien-khai", "2023-03-13", json!({})),
        ("lay-y-kien", "2023-03-17", json!({})),
        (
            "thanh-lap",
            "2023-03-20",
            json!({"ngay_thanh_lap": "2023-03-20"}),
        ),
        ("quy-che", "2023-03-25", json!({})),
        ("ra-mat", "2023-03-31", json!({})),
    ] {
        e.advance(s, &id, step, &inputs, d(at)).unwrap();
    }
    id
}

fn store(dir: &Path) -> Store {
    Store::open(&dir.join("hoso.db")).unwrap()
}

/// `replace_requires` relaxes the 10 months to 6, with its own message; `actor` changes who
/// rates. The base still refuses the same proposal.
#[test]
fn an_overlay_relaxes_a_guard_and_changes_an_actor() {
    let text = format!(
        "{HEAD}steps:\n  de-nghi-xep-loai:\n    actor: cong-an-xa\n    replace_requires:\n      \
         muoi-thang:\n        when: months_between(case.ngay_thanh_lap, evaluation_end(at)) >= 6\n        \
         message: Mô hình chưa hoạt động đủ 6 tháng (từ {{ngay_thanh_lap}})\n"
    );
    let e = Engine::new(with_overlay(&text));
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let proposal = json!({"ty_le_hoan_thanh": 92});
    let base = launched(&e, &mut s, "mo-hinh", json!({}));
    let err = e
        .advance(
            &mut s,
            &base,
            "de-nghi-xep-loai",
            &proposal,
            d("2023-11-03"),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("chưa hoạt động đủ 10 tháng"), "{err}");
    let thu = launched(&e, &mut s, "mo-hinh@thu", json!({}));
    e.advance(&mut s, &thu, "de-nghi-xep-loai", &proposal, d("2023-11-03"))
        .unwrap();
    let events = s.events(&thu).unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        (last.step.as_str(), last.actor.as_str()),
        ("de-nghi-xep-loai", "cong-an-xa")
    );

    // The replaced guard speaks its own message: 7 months by 31/10/2023 are not 8.
    let text = text
        .replace(">= 6", ">= 8")
        .replace("đủ 6 tháng", "đủ 8 tháng");
    let e = Engine::new(with_overlay(&text));
    let thu = launched(&e, &mut s, "mo-hinh@thu", json!({}));
    let err = e
        .advance(&mut s, &thu, "de-nghi-xep-loai", &proposal, d("2023-11-03"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Mô hình chưa hoạt động đủ 8 tháng (từ 20/03/2023)"),
        "{err}"
    );
}

/// `remove_requires` drops a guard by its id; `requires` replaces all of a step's guards.
#[test]
fn an_overlay_removes_or_replaces_guards() {
    let ids = |ws: &[Workflow], step: &str| -> Vec<String> {
        let w = ws.iter().find(|w| w.id == "mo-hinh@thu").unwrap();
        let s = w.steps.iter().find(|s| s.id == step).unwrap();
        s.requires
            .iter()
            .map(|g| g.id.clone().unwrap_or(g.when.clone()))
            .collect()
    };
    let ws = with_overlay(&format!(
        "{HEAD}steps:\n  xep-loai:\n    remove_requires: [muc-ty-le]\n"
    ));
    let left = ids(&ws, "xep-loai");
    assert_eq!(left.len(), 3, "{left:?}");
    assert!(!left.contains(&"muc-ty-le".to_string()));
    let ws = with_overlay(&format!(
        "{HEAD}steps:\n  xep-loai:\n    requires:\n      - when: inputs.xep_loai != 'Yếu'\n        \
         message: Tỉnh không xếp loại Yếu mà kết thúc mô hình\n"
    ));
    assert_eq!(ids(&ws, "xep-loai"), ["inputs.xep_loai != 'Yếu'"]);
}

/// `fields` adds a case field, `add_inputs` an input a guard of the province reads.
#[test]
fn an_overlay_adds_case_fields_and_step_inputs() {
    let text = format!(
        "{HEAD}fields:\n  so_thanh_vien: {{type: number, title: Số thành viên}}\nsteps:\n  ra-mat:\n    \
         add_inputs:\n      so_ho_tham_gia: {{type: number}}\n    add_requires:\n      - when: \
         case.so_ho_tham_gia >= 10.0\n        message: Ra mắt khi có từ 10 hộ tham gia (mới có {{so_ho_tham_gia}})\n"
    );
    let e = Engine::new(with_overlay(&text));
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    // The field is required of a new case of the province, not of the base.
    let data = json!({"ten_mo_hinh": "Camera an ninh", "pham_vi": "thôn 1", "lien_ket": false});
    let err = e
        .new_case(&mut s, "mo-hinh@thu", &data, d("2023-02-06"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("thiếu trường `so_thanh_vien`"), "{err}");
    e.new_case(&mut s, "mo-hinh", &data, d("2023-02-06"))
        .unwrap();
    let id = {
        let mut data = data.clone();
        data["so_thanh_vien"] = json!(12);
        let id = e
            .new_case(&mut s, "mo-hinh@thu", &data, d("2023-02-06"))
            .unwrap();
        for (step, at, inputs) in [
            ("khao-sat", "2023-02-06", json!({})),
            ("bao-cao-khao-sat", "2023-02-28", json!({})),
            ("chu-truong", "2023-03-10", json!({})),
            ("trien-khai", "2023-03-13", json!({})),
            ("lay-y-kien", "2023-03-17", json!({})),
            (
                "thanh-lap",
                "2023-03-20",
                json!({"ngay_thanh_lap": "2023-03-20"}),
            ),
            ("quy-che", "2023-03-25", json!({})),
        ] {
            e.advance(&mut s, &id, step, &inputs, d(at)).unwrap();
        }
        id
    };
    let err = e
        .advance(
            &mut s,
            &id,
            "ra-mat",
            &json!({"so_ho_tham_gia": 6}),
            d("2023-03-31"),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Ra mắt khi có từ 10 hộ tham gia (mới có 6)"),
        "{err}"
    );
    e.advance(
        &mut s,
        &id,
        "ra-mat",
        &json!({"so_ho_tham_gia": 14}),
        d("2023-03-31"),
    )
    .unwrap();
}

/// `remove: [deadline, repeat, once_per]` takes a base step's deadline and repetition away:
/// the province's proposal for a rating is due on no date and made once.
#[test]
fn an_overlay_removes_a_deadline_and_a_repetition() {
    let text =
        format!("{HEAD}steps:\n  de-nghi-xep-loai:\n    remove: [deadline, repeat, once_per]\n");
    let e = Engine::new(with_overlay(&text));
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let pending = |s: &Store, id: &str| {
        let (case, steps, events) = (
            s.case(id).unwrap(),
            s.steps(id).unwrap(),
            s.events(id).unwrap(),
        );
        e.standing(&case, &steps, &events, d("2024-01-01"))
            .unwrap()
            .pending
            .into_iter()
            .filter(|p| p.step == "de-nghi-xep-loai")
            .count()
    };
    let base = launched(&e, &mut s, "mo-hinh", json!({}));
    assert_eq!(pending(&s, &base), 2, "05/11/2023 overdue, 05/11/2024 next");
    let thu = launched(&e, &mut s, "mo-hinh@thu", json!({}));
    assert_eq!(pending(&s, &thu), 0);
    let proposal = json!({"ty_le_hoan_thanh": 92});
    e.advance(&mut s, &thu, "de-nghi-xep-loai", &proposal, d("2024-11-03"))
        .unwrap();
    let err = e
        .advance(&mut s, &thu, "de-nghi-xep-loai", &proposal, d("2024-11-04"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("chưa đến lượt hoặc đã xong"), "{err}");
}

/// A guard that reads the case's history: the province holds a sơ kết once a year.
#[test]
fn an_overlay_guard_reads_the_case_history() {
    let text = format!(
        "{HEAD}steps:\n  so-ket:\n    add_requires:\n      - when: \"!done('so-ket', 'year')\"\n        \
         message: Mỗi năm sơ kết một lần\n      - when: done('ra-mat')\n        message: Sơ kết sau khi ra mắt\n"
    );
    let e = Engine::new(with_overlay(&text));
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let id = launched(&e, &mut s, "mo-hinh@thu", json!({}));
    e.advance(&mut s, &id, "so-ket", &json!({}), d("2023-06-15"))
        .unwrap();
    let err = e
        .advance(&mut s, &id, "so-ket", &json!({}), d("2023-12-15"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("Mỗi năm sơ kết một lần"), "{err}");
    e.advance(&mut s, &id, "so-ket", &json!({}), d("2024-01-10"))
        .unwrap();
}

/// `extends: mo-hinh@2022.1` pins the base's version; a base of another version is not merged
/// (tests/workflows/overlays/02 has the message).
#[test]
fn an_overlay_pins_the_base_version() {
    let ws = with_overlay(HEAD);
    let thu = ws.iter().find(|w| w.id == "mo-hinh@thu").unwrap();
    assert_eq!(thu.version, "1");
    let mut base = ws.iter().find(|w| w.id == "mo-hinh").unwrap().clone();
    base.version = "2026.1".into();
    let o = hoso::workflow::overlay::LoadedOverlay::parse(Path::new("thu.yaml"), HEAD).unwrap();
    let err = hoso::workflow::overlay::base_of(&o, [&base].into_iter()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "thu.yaml:1:10: extends: quy trình `mo-hinh` không có phiên bản `2022.1` (có: 2026.1); \
         tệp tỉnh viết cho phiên bản nào thì ghi phiên bản ấy, hoặc sửa tệp theo phiên bản mới"
    );
}

/// An agency with validity dates gives way to its successor: documents after its last day are
/// headed by the successor, and a number in its name after that day is refused naming it.
#[test]
fn agencies_have_validity_dates_and_a_successor() {
    let text = format!(
        "{HEAD}agencies:\n  ca-huyen:\n    role: cong-an-xa\n    name: CÔNG AN HUYỆN THỬ\n    \
         abbreviation: CAH\n    place: Thử\n    valid_until: 2025-06-30\n    successor: ca-xa\n  \
         ca-xa:\n    role: cong-an-xa\n    name: CÔNG AN XÃ THỬ\n    abbreviation: CAX\n    \
         place: Thử\n    valid_from: 2025-07-01\n"
    );
    let ws = with_overlay(&text);
    let thu = ws.iter().find(|w| w.id == "mo-hinh@thu").unwrap();
    let name = |at: &str| thu.agency_for("cong-an-xa", d(at)).map(|a| a.name.clone());
    assert_eq!(name("2025-06-30").as_deref(), Some("CÔNG AN HUYỆN THỬ"));
    assert_eq!(name("2025-07-01").as_deref(), Some("CÔNG AN XÃ THỬ"));
    let err = thu.agencies["ca-huyen"]
        .issues_on("ca-huyen", d("2025-07-02"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "cơ quan `ca-huyen` ban hành văn bản từ — đến hết 30/06/2025, không phải ngày \
             02/07/2025; sau đó là cơ quan kế thừa: --issuer ca-xa"
        ),
        "{err}"
    );
    assert!(
        thu.agencies["ca-huyen"]
            .issues_on("ca-huyen", d("2025-06-30"))
            .is_ok()
    );
}
