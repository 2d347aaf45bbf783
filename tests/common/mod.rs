//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use hoso::template::{DocData, Issuance, TemplateSet};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn sample(id: &str) -> PathBuf {
    root().join("samples/documents").join(format!("{id}.yaml"))
}

pub fn draft() -> Issuance {
    Issuance {
        number: None,
        date: None,
        today: NaiveDate::from_ymd_opt(2023, 3, 14).unwrap(),
        draft_mark: false,
    }
}

pub fn issued(number: u32, y: i32, m: u32, d: u32) -> Issuance {
    Issuance {
        number: Some(number),
        date: NaiveDate::from_ymd_opt(y, m, d),
        ..draft()
    }
}

/// Renders a template with a data file to DOCX bytes in-process.
pub fn docx(set: &TemplateSet, id: &str, data: &Path, issuance: &Issuance) -> Vec<u8> {
    let data = DocData::load(data).unwrap();
    let doc = set.document(id, &data, issuance).unwrap();
    hoso::render::docx::render(&doc).unwrap()
}

/// One part of a DOCX package as text.
pub fn part(docx: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The text of each paragraph of an XML part (w:t runs joined), parsed with a real XML parser
/// so that a malformed part fails the test; the no-break characters hoso joins names and
/// numbers with read as plain spaces and hyphens (`hoso::document::glue::plain`).
pub fn paragraphs(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("p"))
        .map(|p| {
            p.descendants()
                .filter(|n| n.has_tag_name("t"))
                .filter_map(|n| n.text())
                .collect::<String>()
        })
        .map(|p| hoso::document::glue::plain(&p))
        .collect()
}

/// Runs `hoso demo` into `dir/demo`, from `dir` (not the repository: the samples are built
/// in); returns that folder and the report it printed.
pub fn run_demo(dir: &Path) -> (PathBuf, String) {
    let out = dir.join("demo");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_hoso"))
        .current_dir(dir)
        .env_remove("HOSO_DB")
        .args(["demo", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (out, String::from_utf8(o.stdout).unwrap())
}

/// `hoso --db DB`, run from the repository root.
pub fn hoso_with(db: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_hoso"));
    c.arg("--db").arg(db).current_dir(root());
    c
}

/// Opens a "Camera an ninh" mô hình case on `at` in `db`; returns its id.
pub fn new_mo_hinh_case(db: &Path, at: &str) -> String {
    let data = db.with_file_name("case.yaml");
    std::fs::write(
        &data,
        "ten_mo_hinh: Camera an ninh\npham_vi: thôn 1\nlien_ket: false\n",
    )
    .unwrap();
    let o = hoso_with(db)
        .args(["case", "new", "--workflow", "mo-hinh", "--at", at, "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

/// `hoso register take` of a công văn of the Kon Tum steering committee ("NN/BCĐ-NC") on `at`.
pub fn take_cong_van(db: &Path, at: &str) -> std::process::Command {
    let mut c = hoso_with(db);
    c.args([
        "register",
        "take",
        "--province",
        "kon-tum",
        "--issuer",
        "bcd-tinh",
    ])
    .args(["--type", "cong-van", "--unit", "NC", "--at", at]);
    c
}

/// A DOCX with its main part (`word/document.xml`) changed by `edit`, as a person's editor
/// would leave it; the other parts as they were.
pub fn with_main_part(docx: &[u8], edit: impl Fn(String) -> String) -> Vec<u8> {
    use std::io::Write as _;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if name == "word/document.xml" {
            bytes = edit(String::from_utf8(bytes).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

pub fn d(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Runs a case of `procedure` through `steps` (step, day, inputs), each step's documents
/// rendered from `docs/<template>.yaml` and issued on the step's day; returns each issued
/// document's template and DOCX text.
pub fn issued_texts(
    procedure: &str,
    data: serde_json::Value,
    opened: &str,
    steps: &[(&str, &str, serde_json::Value)],
    docs: &std::path::Path,
) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let mut app = hoso::app::App::new(hoso::app::Config {
        templates: None,
        workflows: None,
        db: hoso::store::Db::from(dir.path().join("hoso.db").as_path()),
    });
    let (workflow, province) = procedure.split_once('@').unwrap();
    let key = hoso::workflow::ProcedureKey::new(workflow, Some(province));
    let id = app.new_case(&key, &data, d(opened)).unwrap();
    let mut out = Vec::new();
    for (step, at, inputs) in steps {
        let advanced = app
            .advance(&id, step, inputs, d(at), true, |t| {
                hoso::template::DocData::load(&docs.join(format!("{t}.yaml")))
            })
            .unwrap_or_else(|e| panic!("{step}: {e}"));
        for doc in advanced.drafted {
            if app
                .templates()
                .unwrap()
                .get(&doc.template)
                .unwrap()
                .attached_kind()
                .is_some()
            {
                continue;
            }
            let issued = app
                .issue(&id, &doc.doc, d(at), false)
                .unwrap_or_else(|e| panic!("{}: {e}", doc.doc));
            let docx = issued
                .files
                .iter()
                .find(|f| f.name.ends_with(".docx"))
                .unwrap();
            let text = paragraphs(&part(&docx.bytes, "word/document.xml")).join("\n");
            out.push((doc.template, text));
        }
    }
    out
}

/// A province's deadlines on `on` as `hoso due` reads them (all cases at once, worked out
/// where the store keeps none that hold, then read back as kept), and as each case's own, one
/// line per deadline: the three must agree.
pub fn due_at_once_and_one_by_one(
    app: &mut hoso::App,
    on: chrono::NaiveDate,
) -> (Vec<String>, Vec<String>) {
    let show = |v: &[hoso::app::DueItem]| -> Vec<String> {
        v.iter()
            .map(|d| {
                format!(
                    "{} {} {} {} {} {}",
                    d.case, d.step, d.due, d.overdue, d.title, d.subject
                )
            })
            .collect()
    };
    let all = show(&app.due(None, on).unwrap());
    assert_eq!(all, show(&app.due(None, on).unwrap()), "read back as kept");
    let mut one_by_one = Vec::new();
    let ids: Vec<String> = app
        .cases()
        .unwrap()
        .into_iter()
        .map(|c| c.case.id)
        .collect();
    for id in ids {
        one_by_one.extend(app.due_of_case(&id, on).unwrap());
    }
    one_by_one.sort_by(|a, b| (a.due, &a.case, &a.step).cmp(&(b.due, &b.case, &b.step)));
    (all, show(&one_by_one))
}
