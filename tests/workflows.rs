//! Workflow definitions: the repository's own pass `hoso workflow check`, and every broken
//! definition of the corpus gives exactly the message its first line expects.

mod common;

use std::path::Path;

use common::root;
use hoso::template::TemplateSet;
use hoso::workflow::check::Known;
use hoso::workflow::{Loaded, check};

/// What the built-in definitions may name: the built-in templates and procedures.
fn known() -> Known {
    let set = TemplateSet::embedded().unwrap();
    let bases = hoso::workflow::embedded().unwrap();
    Known::new(
        set.iter().map(|t| t.id.as_str()),
        bases.iter().map(|w| w.id.as_str()),
    )
}

/// The first problem of a file as "line:col: message".
fn first_problem(path: &Path, set: &Known) -> Option<String> {
    match Loaded::load(path) {
        Err(e) => {
            let s = e.to_string();
            Some(s[path.display().to_string().len() + 1..].to_string())
        }
        Ok(w) => check::check(&w, set)
            .first()
            .map(|p| format!("{}:{}: {}", p.line, p.col, p.message)),
    }
}

#[test]
fn broken_definitions_give_their_exact_messages() {
    let set = known();
    let dir = root().join("tests/workflows/broken");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 82, "the corpus has at least 82 definitions");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let want = text
            .trim_start_matches('\u{feff}')
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .expect("first line: # expect: L:C: message");
        let got =
            first_problem(&f, &set).unwrap_or_else(|| panic!("{}: no problem found", f.display()));
        assert_eq!(got, want, "{}", f.display());
    }
}

#[test]
fn repository_workflows_pass_the_check() {
    let set = known();
    for f in std::fs::read_dir(root().join("workflows")).unwrap() {
        let f = f.unwrap().path();
        if f.extension().is_some_and(|x| x == "yaml") {
            let w = Loaded::load(&f).unwrap();
            let problems = check::check(&w, &set);
            assert!(problems.is_empty(), "{problems:#?}");
        }
    }
}

#[test]
fn check_command_exit_codes() {
    let bin = env!("CARGO_BIN_EXE_hoso");
    let ok = std::process::Command::new(bin)
        .args(["workflow", "check"])
        .arg(root().join("workflows/mo-hinh.yaml"))
        .output()
        .unwrap();
    assert!(ok.status.success());
    let bad = root().join("tests/workflows/broken/06-next-unknown.yaml");
    let out = std::process::Command::new(bin)
        .args(["workflow", "check"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!("{}:13:12: next: không có bước `c`", bad.display())),
        "{stdout}"
    );
    // The root problem once: the step behind the broken `next` is not reported again as
    // unreachable.
    assert!(!stdout.contains("không thể tới được"), "{stdout}");
}

#[test]
fn overlays_merge_and_name_what_the_base_lacks() {
    use hoso::workflow::overlay::LoadedOverlay;
    let bases = hoso::workflow::embedded().unwrap();
    let mo_hinh = bases.iter().find(|w| w.id == "mo-hinh").unwrap();
    let text = "extends: mo-hinh\nprovince: thu\nname: Thử\nversion: \"1\"\neffective_from: 2025-07-01\nsteps:\n  xep-loai-quy:\n    title: X\nremove_steps: [khong-co]\n";
    let o = LoadedOverlay::parse(Path::new("thu.yaml"), text).unwrap();
    let problems: Vec<String> = o
        .merge(mo_hinh)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        problems.contains(
            &"thu.yaml:7:3: quy trình gốc `mo-hinh` không có bước `xep-loai-quy`".to_string()
        ),
        "{problems:?}"
    );
    assert!(
        problems.contains(
            &"thu.yaml:9:16: quy trình gốc `mo-hinh` không có bước `khong-co`".to_string()
        ),
        "{problems:?}"
    );

    // A removed step that another still leads to is named where it is removed, with the steps
    // to change.
    let text = "extends: mo-hinh\nprovince: thu\nname: Thử\nversion: \"1\"\neffective_from: 2025-07-01\nremove_steps: [gui-ket-qua]\n";
    let o = LoadedOverlay::parse(Path::new("thu.yaml"), text).unwrap();
    let problems: Vec<String> = o
        .merge(mo_hinh)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "thu.yaml:6:16: bỏ bước `gui-ket-qua` nhưng `xep-loai` vẫn dẫn tới nó (next, \
          corrected_by hoặc deadline.after): đổi `next` của các bước ấy trong tệp này \
          (steps.<bước>.next)"
        ]
    );

    // The repository's overlays merge into procedures that pass the check.
    let set = known();
    for w in bases.iter().filter(|w| w.id.contains('@')) {
        let loaded = Loaded {
            path: w.id.clone().into(),
            workflow: w.clone(),
            spans: Default::default(),
        };
        assert!(check::check(&loaded, &set).is_empty(), "{}", w.id);
    }
    let ids: Vec<&str> = bases.iter().map(|w| w.id.as_str()).collect();
    for want in [
        "mo-hinh@kon-tum",
        "don-vi-dien-hinh@bac-kan",
        "don-vi-dien-hinh@thai-nguyen",
    ] {
        assert!(ids.contains(&want), "{ids:?}");
    }
}

/// A problem in a step an overlay adds is reported at the overlay's own line, not 1:1.
#[test]
fn merged_overlay_problems_name_the_overlay_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("thu.yaml");
    std::fs::write(
        &f,
        "extends: mo-hinh\nprovince: thu\nname: Thử\nversion: \"1\"\neffective_from: 2025-07-01\n\
         steps:\n  ra-mat:\n    add_next: [bao-cao-them]\n\
         add_steps:\n  - id: bao-cao-them\n    title: Báo cáo thêm\n    actor: ubnd-xa\n    next: [khong-co]\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hoso"))
        .args(["workflow", "check"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!(
            "{}:13:12: next: không có bước `khong-co`",
            f.display()
        )),
        "{stdout}"
    );
}

/// `workflow check` holds a province file's `successor` to a province file of the same base
/// that takes over the day after its `effective_until`, with file:line:col, in Vietnamese.
#[test]
fn a_successor_must_exist_and_follow() {
    let dir = tempfile::tempdir().unwrap();
    let check = |name: &str, until: &str, successor: &str| {
        let f = dir.path().join(name);
        std::fs::write(
            &f,
            format!(
                "extends: mo-hinh\nprovince: thu\nname: Thử\nversion: \"1\"\n\
                 effective_from: 2023-01-01\neffective_until: {until}\nsuccessor: {successor}\n"
            ),
        )
        .unwrap();
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_hoso"))
            .args(["workflow", "check"])
            .arg(&f)
            .output()
            .unwrap();
        let out = String::from_utf8(o.stdout).unwrap();
        (o.status.code(), out.replace(&f.display().to_string(), name))
    };
    let (code, out) = check("khong-co.yaml", "2025-06-30", "khong-co");
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(
            "khong-co.yaml:7:12: successor `khong-co`: không có tệp tỉnh `khong-co` cho quy \
             trình `mo-hinh` (có: kon-tum, quang-ngai)"
        ),
        "{out}"
    );
    let (code, out) = check("lech.yaml", "2025-06-29", "quang-ngai");
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(
            "lech.yaml:7:12: successor `quang-ngai`: tệp tỉnh `quang-ngai` áp dụng từ \
             01/07/2025, phải là ngày sau effective_until (29/06/2025), tức 30/06/2025"
        ),
        "{out}"
    );
    assert_eq!(check("dung.yaml", "2025-06-30", "quang-ngai").0, Some(0));
    // The repository's province files pass, successors and all.
    let provinces: Vec<_> = std::fs::read_dir(root().join("workflows/provinces"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_hoso"))
        .args(["workflow", "check"])
        .args(&provinces)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}

/// A province's conditions and rules are held to the merged procedure, at the overlay's lines:
/// an enum value the base lacks, a deadline on 31 June.
#[test]
fn overlay_conditions_and_rules_are_type_checked() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("thu.yaml");
    std::fs::write(
        &f,
        "extends: mo-hinh\nprovince: thu\nname: Thử\nversion: \"1\"\neffective_from: 2025-07-01\n\
         steps:\n  xep-loai:\n    add_next:\n      - to: gui-ket-qua\n        when: case.xep_loai == 'Tot'\n  \
         bao-cao-dinh-ky:\n    deadline: {rule: \"FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=31\"}\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hoso"))
        .args(["workflow", "check"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout)
        .unwrap()
        .replace(&f.display().to_string(), "thu.yaml");
    assert!(
        stdout.contains(
            "thu.yaml:10:32: điều kiện: `case.xep_loai` không có giá trị 'Tot' (các giá trị: Tốt, \
             Khá, Trung bình, Yếu); có phải 'Tốt'?"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "thu.yaml:12:22: quy tắc `FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=31` không cho ngày nào từ \
             01/07/2025"
        ),
        "{stdout}"
    );
}

/// `workflow check` reads a year of days off too: the shipped ones pass, a làm bù day that is
/// not a weekend is named, so next year's file is checked before it is built in.
#[test]
fn days_off_files_are_checked() {
    let shipped: Vec<_> = std::fs::read_dir(root().join("workflows/ngay-nghi"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(shipped.len() >= 4);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_hoso"))
        .args(["workflow", "check"])
        .args(&shipped)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("2027.yaml");
    std::fs::write(
        &f,
        "year: 2027\nwork_days:\n  - {date: 2027-02-10, name: Làm bù}\n",
    )
    .unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_hoso"))
        .args(["workflow", "check"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(&format!(
            "{}: `Làm bù`: ngày làm bù 10/02/2027 không phải thứ Bảy hay Chủ nhật",
            f.display()
        )),
        "{out}"
    );
}
