//! Province reporting on the generated province (`hoso province generate`): the figures the
//! report adds up, recomputed here from the event log by other code; a pre-reform report by
//! districts and a 2026 one by the new communes; the statistics table's totals; the documents
//! and spreadsheets it writes; and what it refuses.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;
use common::{hoso_with, root};
use hoso::app::{App, Config};
use hoso::report::{Period, TongHop, dia_ban::DiaBan};
use hoso::store::Db;
use serde_json::Value;

/// The generated province, made once for this file's tests (the default size: 10 districts,
/// 100 communes, 300 models and 40 điển hình).
struct Province {
    _dir: tempfile::TempDir,
    db: PathBuf,
    dia_ban: Vec<PathBuf>,
}

fn province() -> &'static Province {
    static P: OnceLock<Province> = OnceLock::new();
    P.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("hoso.db");
        let out = dir.path().join("dia-ban");
        let o = hoso_with(&db)
            .args(["province", "generate", "--seed", "2023", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        Province {
            dia_ban: vec![out.join("kon-tum.yaml"), out.join("quang-ngai.yaml")],
            _dir: dir,
            db,
        }
    })
}

/// `hoso report …` on the generated province with both địa bàn files, written to `out`;
/// asserts it succeeded.
fn report(args: &[&str], out: &Path) -> std::process::Output {
    let p = province();
    let o = hoso_with(&p.db)
        .arg("report")
        .args(args)
        .args(
            p.dia_ban
                .iter()
                .flat_map(|f| ["--dia-ban".as_ref(), f.as_os_str()]),
        )
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// A sample data file's path as text.
fn sample(id: &str) -> String {
    common::sample(id).display().to_string()
}

fn app(db: &Path) -> App {
    App::new(Config {
        templates: None,
        workflows: None,
        db: Db::from(db),
    })
}

/// The day the figures are judged on: after everything the generator makes.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
}

fn figures(province_id: &str, period: &str) -> TongHop {
    let p = province();
    let dia_ban = DiaBan::load(&p.dia_ban).unwrap();
    app(&p.db)
        .tong_hop(
            &dia_ban,
            province_id,
            &Period::parse(period).unwrap(),
            None,
            today(),
        )
        .unwrap()
}

/// What the test knows of the địa bàn, read from the YAML as plain data: each old commune's
/// district and the new commune that took it in.
struct Map {
    district: BTreeMap<String, String>,
    became: BTreeMap<String, String>,
    names: BTreeMap<String, String>,
}

fn map() -> Map {
    let mut m = Map {
        district: BTreeMap::new(),
        became: BTreeMap::new(),
        names: BTreeMap::new(),
    };
    for f in &province().dia_ban {
        let v: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let p = v["province"].as_str().unwrap();
        for u in v["units"].as_sequence().unwrap() {
            let path = format!("{p}/{}", u["id"].as_str().unwrap());
            m.names
                .insert(path.clone(), u["name"].as_str().unwrap().into());
            if let Some(d) = u["parent"].as_str() {
                m.district.insert(path.clone(), format!("{p}/{d}"));
            }
            if let Some(b) = u["became"].as_str() {
                m.became.insert(path, b.into());
            }
        }
    }
    m
}

/// Per locality name: active models, models founded in the period, ratings by grade — counted
/// straight from each case's events.
#[derive(Debug, Default, PartialEq)]
struct Count {
    active: u32,
    new: u32,
    ended: u32,
    grades: BTreeMap<String, u32>,
}

fn recount(from: &str, to: &str, by_district: bool) -> BTreeMap<String, Count> {
    let (from, to) = (
        NaiveDate::parse_from_str(from, "%Y-%m-%d").unwrap(),
        NaiveDate::parse_from_str(to, "%Y-%m-%d").unwrap(),
    );
    let m = map();
    let store = Db::from(province().db.as_path()).open().unwrap();
    let mut out: BTreeMap<String, Count> = BTreeMap::new();
    for case in store.cases().unwrap() {
        if !case.workflow.starts_with("mo-hinh") {
            continue;
        }
        let agency = store.case_agency(&case.id).unwrap().unwrap();
        let place = if by_district {
            match m.district.get(&agency) {
                Some(d) => d.clone(),
                None => continue, // a case of a new commune: after the reform
            }
        } else {
            m.became.get(&agency).cloned().unwrap_or(agency)
        };
        let name = m.names[&place].clone();
        let events = store.events(&case.id).unwrap();
        let founded = events.iter().find(|e| e.step == "thanh-lap").map(|e| {
            NaiveDate::parse_from_str(e.inputs["ngay_thanh_lap"].as_str().unwrap(), "%Y-%m-%d")
                .unwrap()
        });
        let ended = events
            .iter()
            .find(|e| e.step == "ket-thuc-thong-bao")
            .map(|e| e.on_date);
        let c = out.entry(name).or_default();
        if founded.is_some_and(|d| d <= to) && ended.is_none_or(|d| d > to) {
            c.active += 1;
        }
        if founded.is_some_and(|d| from <= d && d <= to) {
            c.new += 1;
        }
        if founded.is_some() && ended.is_some_and(|d| from <= d && d <= to) {
            c.ended += 1;
        }
        // A rating decided in November is of the year that closed on the 31/10 before it.
        let mut last: Option<String> = None;
        for e in &events {
            let rating_year_end = NaiveDate::from_ymd_opt(
                if e.on_date.month0() >= 9 {
                    e.on_date.year()
                } else {
                    e.on_date.year() - 1
                },
                10,
                31,
            )
            .unwrap();
            if (e.step == "xep-loai" || e.step == "dieu-chinh-xep-loai")
                && from <= rating_year_end
                && rating_year_end <= to
            {
                last = e.inputs["xep_loai"].as_str().map(str::to_string);
            }
        }
        if let Some(g) = last {
            *c.grades.entry(g).or_default() += 1;
        }
    }
    out
}

use chrono::Datelike;

fn compare(t: &TongHop, recounted: &BTreeMap<String, Count>) {
    for row in &t.dong {
        let c = recounted.get(&row.dia_ban);
        let want = c.map_or(0, |c| c.active);
        assert_eq!(row.mo_hinh.dang_hoat_dong, want, "{}: active", row.dia_ban);
        assert_eq!(
            row.mo_hinh.moi,
            c.map_or(0, |c| c.new),
            "{}: new",
            row.dia_ban
        );
        assert_eq!(
            row.mo_hinh.ket_thuc,
            c.map_or(0, |c| c.ended),
            "{}: ended",
            row.dia_ban
        );
        let g = |k: &str| c.and_then(|c| c.grades.get(k)).copied().unwrap_or(0);
        assert_eq!(
            (
                row.xep_loai.tot,
                row.xep_loai.kha,
                row.xep_loai.trung_binh,
                row.xep_loai.yeu
            ),
            (g("Tốt"), g("Khá"), g("Trung bình"), g("Yếu")),
            "{}: ratings",
            row.dia_ban
        );
    }
    let total: u32 = recounted.values().map(|c| c.active).sum();
    assert_eq!(t.tong.mo_hinh.dang_hoat_dong, total);
    assert!(total > 0, "the generated province has active models");
}

#[test]
fn a_report_before_the_reform_groups_by_district_and_matches_the_event_log() {
    let t = figures("kon-tum", "2024");
    assert_eq!(t.cap, "huyện");
    let names: Vec<&str> = t.dong.iter().map(|r| r.dia_ban.as_str()).collect();
    assert_eq!(names.len(), 10, "{names:?}");
    assert!(names.contains(&"huyện Đăk Hà") && names.contains(&"thành phố Kon Tum"));
    compare(&t, &recount("2023-11-01", "2024-10-31", true));
    // The movement's first year under HD 22 (in force from 18/11/2022): 01/11/2022–31/10/2023.
    let first = figures("kon-tum", "2023");
    assert_eq!(first.dong.len(), 10);
    compare(&first, &recount("2022-11-01", "2023-10-31", true));
    // The year's ratings add up, with their shares.
    let x = &t.tong.xep_loai;
    assert_eq!(x.tong, x.tot + x.kha + x.trung_binh + x.yeu);
    assert!(x.tong > 0);
    assert_eq!(
        x.ty_le_kha_tro_len,
        hoso::report::percent(f64::from(x.tot + x.kha), f64::from(x.tong))
    );
}

#[test]
fn a_report_after_the_reform_groups_by_the_new_communes_and_counts_kon_tum_models_in_them() {
    let t = figures("quang-ngai", "2026");
    assert_eq!(t.cap, "xã");
    assert!(t.tinh.contains("Quảng Ngãi"));
    let m = map();
    let new_communes: Vec<&String> = m
        .names
        .iter()
        .filter(|(p, _)| p.starts_with("quang-ngai/"))
        .map(|(_, n)| n)
        .collect();
    assert_eq!(t.dong.len(), new_communes.len());
    assert!(t.dong.iter().all(|r| new_communes.contains(&&r.dia_ban)));
    compare(&t, &recount("2025-11-01", "2026-10-31", false));
    // Kon Tum has no figures of its own after 30/06/2025: its communes are Quảng Ngãi's.
    let dia_ban = DiaBan::load(&province().dia_ban).unwrap();
    let kt = app(&province().db)
        .tong_hop(
            &dia_ban,
            "kon-tum",
            &Period::parse("2026").unwrap(),
            None,
            today(),
        )
        .unwrap();
    assert_eq!(kt.tong.mo_hinh.dang_hoat_dong, 0);
}

/// The statistics table: each locality's figure is the sum of its models' forms (read here from
/// the events: the last report of the period, and for a sum the earlier reports that end before
/// it begins), and the total is the sum of the rows.
#[test]
fn the_statistics_totals_are_the_sum_of_the_units_forms() {
    let t = figures("kon-tum", "2024");
    let form = t.bang.clone().expect("the procedure's form");
    let m = map();
    let store = Db::from(province().db.as_path()).open().unwrap();
    let (from, to) = ("2023-11-01", "2024-10-31");
    let mut by_place: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for case in store.cases().unwrap() {
        let Some(agency) = store.case_agency(&case.id).unwrap() else {
            continue;
        };
        let Some(district) = m.district.get(&agency) else {
            continue;
        };
        let forms: Vec<Value> = store
            .events(&case.id)
            .unwrap()
            .into_iter()
            .filter(|e| e.step == "bao-cao-dinh-ky")
            .filter(|e| {
                let end = e.inputs["den_ngay"].as_str().unwrap();
                from <= end && end <= to
            })
            .map(|e| e.inputs)
            .collect();
        let Some(last) = forms.last() else { continue };
        let row = by_place.entry(m.names[district].clone()).or_default();
        for i in form.indicators.iter().filter(|i| i.filled()) {
            let v = |f: &Value| f["thong_ke"][&i.id].as_f64().unwrap();
            let n = match i.aggregate {
                hoso::workflow::thong_ke::Aggregate::Sum => {
                    // The annual report (tu_ngay 01/11) holds the half-year's: only a report
                    // that ends before the last one begins adds.
                    let begins = last["tu_ngay"].as_str().unwrap();
                    v(last)
                        + forms[..forms.len() - 1]
                            .iter()
                            .filter(|f| f["den_ngay"].as_str().unwrap() < begins)
                            .map(v)
                            .sum::<f64>()
                }
                hoso::workflow::thong_ke::Aggregate::Latest => v(last),
                hoso::workflow::thong_ke::Aggregate::Count => f64::from(u8::from(v(last) > 0.0)),
                hoso::workflow::thong_ke::Aggregate::Percent => continue,
            };
            *row.entry(i.id.clone()).or_default() += n;
        }
    }
    let mut summed: BTreeMap<String, f64> = BTreeMap::new();
    for r in &t.dong {
        for i in form.indicators.iter().filter(|i| i.filled()) {
            let want = by_place
                .get(&r.dia_ban)
                .and_then(|p| p.get(&i.id))
                .copied()
                .unwrap_or(0.0);
            assert_eq!(r.thong_ke[&i.id], want, "{} {}", r.dia_ban, i.id);
            *summed.entry(i.id.clone()).or_default() += r.thong_ke[&i.id];
        }
    }
    for (id, n) in &summed {
        assert_eq!(t.tong.thong_ke[id], *n, "total of {id}");
    }
    assert!(summed["vu_viec"] > 0.0);
    assert_eq!(
        summed["vu_viec"],
        summed["vu_hinh_su"] + summed["vu_vi_pham_khac"]
    );
    assert_eq!(
        t.tong.thong_ke["ty_le_lam_ro"],
        hoso::report::percent(summed["vu_lam_ro"], summed["vu_viec"])
    );
}

#[test]
fn the_same_seed_makes_the_same_province() {
    let dir = tempfile::tempdir().unwrap();
    let mut listed = Vec::new();
    for n in ["a", "b"] {
        let db = dir.path().join(format!("{n}.db"));
        let o = hoso_with(&db)
            .args([
                "province",
                "generate",
                "--seed",
                "7",
                "--models",
                "12",
                "--dien-hinh",
                "3",
                "--communes",
                "2",
                "--out",
            ])
            .arg(dir.path().join(n))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let store = Db::from(db.as_path()).open().unwrap();
        let mut all = Vec::new();
        for c in store.cases().unwrap() {
            let events: Vec<(String, String, String)> = store
                .events(&c.id)
                .unwrap()
                .into_iter()
                .map(|e| (e.on_date.to_string(), e.step, e.inputs.to_string()))
                .collect();
            all.push((
                c.id.clone(),
                c.workflow,
                store.case_agency(&c.id).unwrap(),
                events,
            ));
        }
        listed.push(all);
        assert_eq!(
            std::fs::read(dir.path().join(n).join("kon-tum.yaml")).unwrap(),
            std::fs::read(dir.path().join("a").join("kon-tum.yaml")).unwrap()
        );
    }
    assert_eq!(listed[0], listed[1]);
    assert!(listed[0].len() >= 15);
    // Into a database that already has cases, never.
    let o = hoso_with(&dir.path().join("a.db"))
        .args(["province", "generate", "--out"])
        .arg(dir.path().join("c"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("đã có hồ sơ"));
}

/// `hoso report tong-ket --issue`: the báo cáo numbered from its issuer's register and its
/// appendix citing that number, in DOCX and PDF with their charts, and the workbook; the figures
/// printed are the report's.
#[test]
fn the_bao_cao_tong_ket_and_its_appendix_are_written_with_the_figures() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bao-cao");
    let o = report(
        &[
            "tong-ket",
            "--province",
            "kon-tum",
            "--period",
            "2024",
            "--issue",
            "--at",
            "2024-11-20",
            "--data",
            &sample("bao-cao-tong-ket-phong-trao"),
        ],
        &out,
    );
    let t = figures("kon-tum", "2024");
    let docx = std::fs::read(out.join("bao-cao-tong-ket-phong-trao-kon-tum-2024.docx")).unwrap();
    let text = common::paragraphs(&common::part(&docx, "word/document.xml")).join("\n");
    let active = format!("gồm {} mô hình", t.tong.mo_hinh.dang_hoat_dong);
    assert!(text.contains(&active), "{active} not in the report");
    assert!(text.contains("10/10 huyện"), "every district built a model");
    let notes = hoso::document::glue::plain(&common::part(&docx, "word/footnotes.xml"));
    assert!(
        notes.contains("Huyện Đăk Hà") || notes.contains("huyện Đăk Hà"),
        "figures by district in footnotes"
    );
    // The charts: in the DOCX a picture each, described by its title.
    let document = common::part(&docx, "word/document.xml");
    assert!(document.contains(r#"descr="Kết quả xếp loại mô hình theo địa bàn""#));
    assert!(document.contains(r#"descr="Số mô hình được thành lập theo năm"#));
    let media = zip::ZipArchive::new(std::io::Cursor::new(&docx))
        .unwrap()
        .file_names()
        .filter(|n| n.starts_with("word/media/") && n.ends_with(".png"))
        .count();
    assert_eq!(media, 2);
    // In the PDF, drawn from the same figures: the chart the model holds, bar for bar.
    let data = hoso::template::DocData::load(
        &root().join("samples/documents/bao-cao-tong-ket-phong-trao.yaml"),
    )
    .unwrap()
    .with_step_inputs(&serde_json::json!({"so_lieu": hoso::report::bang::view(&t)}));
    let set = hoso::template::TemplateSet::embedded().unwrap();
    let doc = set
        .document("bao-cao-tong-ket-phong-trao", &data, &common::draft())
        .unwrap();
    let charts: Vec<_> = doc.charts().collect();
    assert_eq!(charts.len(), 2);
    let rated: Vec<&hoso::report::Dong> = t.dong.iter().filter(|r| r.xep_loai.tong > 0).collect();
    assert_eq!(charts[1].rows.len(), rated.len());
    for ((name, v), r) in charts[1].rows.iter().zip(rated) {
        assert_eq!(name, &r.dia_ban);
        assert_eq!(
            v,
            &vec![
                r.xep_loai.tot,
                r.xep_loai.kha,
                r.xep_loai.trung_binh,
                r.xep_loai.yeu
            ]
        );
    }
    let source = hoso::render::pdf::typst_source(&doc);
    assert!(source.contains(r#""Kết quả xếp loại mô hình theo địa bàn""#));
    let appendix =
        std::fs::read(out.join("bao-cao-tong-ket-phong-trao-phu-luc-kon-tum-2024.docx")).unwrap();
    let a = common::paragraphs(&common::part(&appendix, "word/document.xml")).join("\n");
    assert!(a.contains("PHỤ LỤC"));
    // Numbered from the steering committee's register: the appendix cites the number.
    assert!(
        a.contains("Kèm theo Báo cáo số 01/BC-BCĐ ngày 20 tháng 11 năm 2024"),
        "{a}"
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("Báo cáo số 01/BC-BCĐ ngày 20/11/2024"));
    for f in [
        "bao-cao-tong-ket-phong-trao-kon-tum-2024.pdf",
        "bao-cao-tong-ket-phong-trao-phu-luc-kon-tum-2024.pdf",
        "bang-thong-ke-kon-tum-2024.xlsx",
    ] {
        assert!(std::fs::metadata(out.join(f)).unwrap().len() > 1000, "{f}");
    }
}

#[test]
fn bad_report_requests_are_refused_with_the_reason() {
    let p = province();
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut c = hoso_with(&p.db);
        c.args(["report", "thong-ke"])
            .args(args)
            .arg("--out")
            .arg(dir.path().join("x"));
        c.output().unwrap()
    };
    let kt = p.dia_ban[0].to_str().unwrap();
    let qn = p.dia_ban[1].to_str().unwrap();
    let cases = [
        (
            vec![
                "--province",
                "kon-tum",
                "--period",
                "năm 2023",
                "--dia-ban",
                kt,
            ],
            "kỳ `năm 2023` không đọc được",
            2,
        ),
        (
            vec![
                "--province",
                "ha-noi",
                "--period",
                "2023",
                "--dia-ban",
                kt,
                "--dia-ban",
                qn,
            ],
            "không có địa bàn của tỉnh `ha-noi`",
            1,
        ),
        // Kon Tum's communes name Quảng Ngãi's as their successors: without its file, refused.
        (
            vec![
                "--province",
                "kon-tum",
                "--period",
                "2023",
                "--dia-ban",
                kt,
                "--format",
                "xlsx",
            ],
            "không có đơn vị này",
            1,
        ),
        (
            vec![
                "--province",
                "kon-tum",
                "--period",
                "2023",
                "--dia-ban",
                kt,
                "--format",
                "docx",
            ],
            "`report tong-ket` hoặc `report v05` với --data",
            2,
        ),
    ];
    for (args, want, code) in cases {
        let o = run(&args);
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(want), "{args:?}: {e}");
        assert_eq!(o.status.code(), Some(code), "{args:?}: {e}");
    }
}

/// The spreadsheet as offices read it (openpyxl; `.ci/run` installs it): one sheet a table,
/// a frozen header row, the totals row the report's.
#[test]
#[ignore = "needs openpyxl; run by .ci/run"]
fn openpyxl_reads_the_statistics_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bang");
    report(
        &[
            "thong-ke",
            "--province",
            "kon-tum",
            "--period",
            "2024",
            "--format",
            "xlsx",
        ],
        &out,
    );
    let script = r#"
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
print(json.dumps({ws.title: {"freeze": ws.freeze_panes,
    "rows": [[c.value for c in r] for r in ws.iter_rows()]} for ws in wb.worksheets}, default=str))
"#;
    let o = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(out.join("bang-thong-ke-kon-tum-2024.xlsx"))
        .output()
        .expect("python3 runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let read: Value = serde_json::from_slice(&o.stdout).unwrap();
    let t = figures("kon-tum", "2024");
    let sheet = &read["Mô hình theo địa bàn"];
    assert_eq!(sheet["freeze"], "A2");
    let rows = sheet["rows"].as_array().unwrap();
    assert_eq!(rows[0][1], "Địa bàn (huyện)");
    assert_eq!(rows.len(), t.dong.len() + 2);
    let total = rows.last().unwrap();
    assert_eq!(total[1], "Tổng cộng");
    assert_eq!(
        total[2].as_f64(),
        Some(f64::from(t.tong.mo_hinh.dang_hoat_dong))
    );
    for (row, r) in rows[1..].iter().zip(&t.dong) {
        assert_eq!(row[1], r.dia_ban.as_str());
        assert_eq!(row[2].as_f64(), Some(f64::from(r.mo_hinh.dang_hoat_dong)));
    }
    let stats = &read["Chỉ tiêu thống kê"]["rows"];
    let header = stats[0].as_array().unwrap();
    let col = header
        .iter()
        .position(|h| {
            h.as_str()
                .is_some_and(|h| h.starts_with("Số vụ việc phát hiện"))
        })
        .unwrap();
    let last = stats.as_array().unwrap().last().unwrap();
    assert_eq!(last[col].as_f64(), Some(t.tong.thong_ke["vu_viec"]));
    for name in ["Xếp loại", "Mô hình đang hoạt động", "Báo cáo trễ hạn"] {
        assert_eq!(read[name]["freeze"], "A2", "{name}");
    }
}

/// The steering committee's year as a procedure: its kế hoạch opens the units' plans (before
/// 28/02), their reports with the statistics table (01/6, 01/11) and Công an tỉnh's reports to
/// V05 (20/5, 20/11), each a deadline `due` lists with the year in words.
#[test]
fn the_yearly_plan_opens_the_provinces_deadlines() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    let fields = dir.path().join("nam.yaml");
    std::fs::write(&fields, "nam: 2023\n").unwrap();
    let run = |args: &[&str]| {
        let o = hoso_with(&db).args(args).output().unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    };
    let id = run(&[
        "case",
        "new",
        "--workflow",
        "phong-trao-tinh",
        "--at",
        "2023-01-10",
        "--data",
        fields.to_str().unwrap(),
    ]);
    let plan = root().join("samples/documents/ke-hoach-phong-trao-nam.yaml");
    let out = dir.path().join("out");
    run(&[
        "case",
        "advance",
        id.trim(),
        "--step",
        "ban-hanh-ke-hoach",
        "--at",
        "2023-01-16",
        "--data",
        plan.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let due: Vec<Value> =
        serde_json::from_str(&run(&["due", "--at", "2023-01-20", "--format", "json"])).unwrap();
    let got: Vec<(&str, &str)> = due
        .iter()
        .map(|d| (d["step"].as_str().unwrap(), d["due"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("ke-hoach-don-vi", "2023-02-28"),
            ("bao-cao-v05-6-thang", "2023-05-20"),
            ("bao-cao-6-thang", "2023-06-01"),
            ("bao-cao-nam", "2023-11-01"),
            ("bao-cao-v05-nam", "2023-11-20"),
        ]
    );
    assert!(
        due.iter()
            .all(|d| d["subject"] == "kế hoạch phong trào năm 2023"),
        "{due:?}"
    );
}

/// Công an tỉnh's report to Cục V05 for the half-year, from the same figures: addressed to the
/// Cục, signed by the Giám đốc with his rank, its appendix citing it.
#[test]
fn the_report_to_v05_is_made_from_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("v05");
    report(
        &[
            "v05",
            "--province",
            "kon-tum",
            "--period",
            "2024-H1",
            "--format",
            "docx",
            "--data",
            &sample("bao-cao-cong-an-tinh-v05"),
        ],
        &out,
    );
    let docx = std::fs::read(out.join("bao-cao-cong-an-tinh-v05-kon-tum-2024-H1.docx")).unwrap();
    let text = common::paragraphs(&common::part(&docx, "word/document.xml")).join("\n");
    let t = figures("kon-tum", "2024-H1");
    for want in [
        "Kính gửi: Cục Xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc".to_string(),
        "6 tháng đầu năm 2024".to_string(),
        format!("có {} mô hình", t.tong.mo_hinh.dang_hoat_dong),
        "Đại tá Lê Văn Bảy".to_string(),
    ] {
        assert!(text.contains(&want), "{want}: {text}");
    }
    let appendix =
        std::fs::read(out.join("bao-cao-cong-an-tinh-v05-phu-luc-kon-tum-2024-H1.docx")).unwrap();
    let a = common::paragraphs(&common::part(&appendix, "word/document.xml")).join("\n");
    assert!(a.contains("của Công an tỉnh Kon Tum"), "{a}");
}

/// The province's deadlines, read in three queries for all cases, are each case's deadlines
/// judged from its own steps and whole log, on several days (reports met by occurrence,
/// ratings, overdue series).
#[test]
fn the_provinces_deadlines_read_at_once_are_each_cases_own() {
    let p = province();
    let mut app = app(&p.db);
    // Later days take the following occurrences; an earlier one is worked out again.
    for on in ["2023-06-30", "2024-11-30", "2026-11-30", "2024-02-29"] {
        let on: NaiveDate = on.parse().unwrap();
        let (all, one_by_one) = common::due_at_once_and_one_by_one(&mut app, on);
        assert!(all.len() > 100, "{on}: {}", all.len());
        assert_eq!(all, one_by_one, "{on}");
    }
}

/// The web's list of a province's cases reads every open step at once, a commune's each of its
/// few cases' own: both show each case's open steps as the command line's list does.
#[test]
fn the_webs_list_of_a_provinces_cases_shows_their_open_steps() {
    let p = province();
    let mut app = app(&p.db);
    let listed: BTreeMap<String, Vec<String>> = app
        .cases()
        .unwrap()
        .into_iter()
        .map(|s| (s.case.id, s.open_steps))
        .collect();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let everyone = app.cases_within(hoso::accounts::CENTRAL).unwrap();
    assert_eq!(everyone.len(), listed.len());
    for (s, agency) in &everyone {
        assert_eq!(listed[&s.case.id], s.open_steps, "{}", s.case.id);
        *counts.entry(agency.clone()).or_default() += 1;
    }
    assert!(listed.values().any(|open| !open.is_empty()));
    // The smallest agency's list goes case by case.
    let (small, n) = counts.iter().min_by_key(|(_, n)| **n).unwrap();
    let theirs = app.cases_within(small).unwrap();
    assert_eq!(theirs.len(), *n);
    for (s, _) in &theirs {
        assert_eq!(listed[&s.case.id], s.open_steps, "{}", s.case.id);
    }
}

/// Deadlines worked out without their procedure (Quảng Ngãi's file missing here, which Kon
/// Tum's cases also moved to) are listed from the steps' stored dates but never kept: the file
/// may be back tomorrow. The other cases' are kept as usual.
#[test]
fn deadlines_worked_out_without_their_procedure_are_not_kept() {
    let p = province();
    let dir = tempfile::tempdir().unwrap();
    let workflows = dir.path().join("workflows");
    let from = root().join("workflows");
    for sub in ["", "provinces", "ho-so", "ngay-nghi"] {
        std::fs::create_dir_all(workflows.join(sub)).unwrap();
        for e in std::fs::read_dir(from.join(sub)).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() && e.file_name() != "quang-ngai.yaml" {
                std::fs::copy(e.path(), workflows.join(sub).join(e.file_name())).unwrap();
            }
        }
    }
    let mut app = App::new(Config {
        templates: None,
        workflows: Some(workflows),
        db: Db::from(p.db.as_path()),
    });
    let rules = app.engine().unwrap().fingerprint();
    let on: NaiveDate = "2024-11-30".parse().unwrap();
    let provinces: std::collections::BTreeSet<String> = app
        .cases()
        .unwrap()
        .into_iter()
        .filter(|s| s.case.workflow.contains('@'))
        .map(|s| s.case.id)
        .collect();
    let due = app.due(None, on).unwrap();
    assert!(
        due.iter().any(|d| provinces.contains(&d.case)),
        "the provinces' cases listed"
    );
    assert_eq!(due.len(), app.due(None, on).unwrap().len());
    let c = rusqlite::Connection::open(&p.db).unwrap();
    let kept: Vec<String> = c
        .prepare("SELECT case_id FROM due_kept WHERE rules = ?1")
        .unwrap()
        .query_map([&rules], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!kept.is_empty(), "the other cases' are kept");
    assert!(
        kept.iter().all(|case| !provinces.contains(case)),
        "{kept:?}"
    );
}
