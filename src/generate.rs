//! A province's worth of generated data, for the reports' tests and the scale benchmarks: a
//! Kon Tum-shaped province — its ten districts as the 2022 báo cáo tổng kết names them, ten
//! generated communes in each — merged into Quảng Ngãi's new communes on 01/07/2025, with
//! mô hình and điển hình cases run through their procedures from 12/2022 to 11/2026: surveys,
//! founding decisions, 6-month and annual reports with their statistics forms, ratings,
//! replications, endings, and some reports never made.
//!
//! Every step goes through [`App::record`], so the engine's guards judge each one as they
//! would a clerk's, and the figures a report adds up come from a real event log. Seeded: the
//! same seed and size give the same database, case for case. The commune names are generated
//! (syllables of the province's place names), not the real list.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use serde_json::{Value, json};

use crate::app::App;
use crate::error::Result;
use crate::report::dia_ban::{Level, Province, Unit};
use crate::template::DocData;
use crate::workflow::ProcedureKey;

/// How big a province to make.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub communes_per_district: usize,
    pub models: usize,
    pub dien_hinh: usize,
}

impl Default for Size {
    /// As the issue asks: 10 districts × 10 communes, 300 models, 40 điển hình.
    fn default() -> Size {
        Size {
            communes_per_district: 10,
            models: 300,
            dien_hinh: 40,
        }
    }
}

/// Steps whose documents are drafted, not only recorded: those of the cases opened in a
/// period, from the case's first step on, so that a document citing an earlier one of its
/// case finds it drafted. Each template's data is its sample (`documents/<template>.yaml`).
/// A province's year of documents to issue, for the scale benchmark.
#[derive(Debug, Clone)]
pub struct Drafts {
    /// The samples folder (holding `documents/`).
    pub samples: std::path::PathBuf,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// What was made.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The two provinces' units: Kon Tum until 30/06/2025, Quảng Ngãi's new communes after.
    pub dia_ban: Vec<Province>,
    pub cases: usize,
    pub steps: usize,
    /// Documents drafted ([`Drafts`]).
    pub drafted: usize,
}

/// The first day a case opens (HD 22 is dated 18/11/2022; Kon Tum's công văn 12/2022).
const FIRST: (i32, u32, u32) = (2022, 12, 1);
/// The last day anything happens: after the 2026 ratings.
pub const LAST: (i32, u32, u32) = (2026, 11, 16);
/// The reform: districts end, communes merge, Kon Tum joins Quảng Ngãi.
const REFORM: (i32, u32, u32) = (2025, 7, 1);

fn ymd((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a fixed calendar date")
}

/// The districts of Kon Tum as the 2022 báo cáo tổng kết lists them ("10/10 huyện, thành
/// phố"), with the id hoso uses.
const DISTRICTS: [(&str, &str); 10] = [
    ("tp-kon-tum", "thành phố Kon Tum"),
    ("dak-glei", "huyện Đăk Glei"),
    ("ngoc-hoi", "huyện Ngọc Hồi"),
    ("dak-to", "huyện Đăk Tô"),
    ("tu-mo-rong", "huyện Tu Mơ Rông"),
    ("dak-ha", "huyện Đăk Hà"),
    ("kon-plong", "huyện Kon Plông"),
    ("kon-ray", "huyện Kon Rẫy"),
    ("sa-thay", "huyện Sa Thầy"),
    ("ia-hdrai", "huyện Ia H’Drai"),
];

/// Syllables of the province's place names, for generated commune names (with their ASCII
/// spelling for ids).
const SYLLABLES: [(&str, &str); 24] = [
    ("Đắk", "dak"),
    ("Ngọc", "ngoc"),
    ("Kon", "kon"),
    ("Ia", "ia"),
    ("Pờ", "po"),
    ("Măng", "mang"),
    ("Tê", "te"),
    ("Hà", "ha"),
    ("Long", "long"),
    ("Xốp", "xop"),
    ("Tơ", "to"),
    ("Rơ", "ro"),
    ("Hring", "hring"),
    ("Mar", "mar"),
    ("Pxi", "pxi"),
    ("Ui", "ui"),
    ("Tân", "tan"),
    ("Lập", "lap"),
    ("Hòa", "hoa"),
    ("Bình", "binh"),
    ("Plông", "plong"),
    ("Rẫy", "ray"),
    ("Mòn", "mon"),
    ("Bờ", "bo"),
];

/// Kinds of model in the seed's footnote 22 and the Kon Tum công văn.
const MODELS: [(&str, &str); 8] = [
    ("Camera an ninh", "An ninh trật tự khu dân cư"),
    ("Tiếng kẻng an ninh", "An ninh trật tự khu dân cư"),
    ("Tổ tự quản ANTT khu vực biên giới", "Biên giới"),
    ("Trường học an toàn về ANTT", "Trường học"),
    (
        "Zalo đảm bảo trật tự an toàn giao thông",
        "Trật tự an toàn giao thông",
    ),
    (
        "Tổ nòng cốt bảo vệ ANTT",
        "Phòng, chống tội phạm và tệ nạn xã hội",
    ),
    (
        "Nông dân tham gia phòng, chống tội phạm",
        "Phòng, chống tội phạm và tệ nạn xã hội",
    ),
    ("ANTT trong cơ quan, doanh nghiệp", "Cơ quan, doanh nghiệp"),
];

/// A small seeded generator (SplitMix64): the same seed, the same province.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// In `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    /// True with probability `p` per cent.
    fn chance(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next() as usize % items.len()]
    }
}

/// A commune: its path before the reform and after.
#[derive(Debug, Clone)]
struct Commune {
    old: String,
    new: String,
    name: String,
    district: usize,
}

/// The units of both provinces.
fn units(size: Size, rng: &mut Rng) -> (Vec<Province>, Vec<Commune>, Vec<(String, String)>) {
    let reform_eve = ymd(REFORM).pred_opt().expect("a day before");
    let mut kt = Vec::new();
    let mut communes = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    for (d, (id, name)) in DISTRICTS.iter().enumerate() {
        kt.push(Unit {
            id: id.to_string(),
            name: name.to_string(),
            level: Level::Huyen,
            parent: None,
            from: None,
            until: Some(reform_eve),
            became: None,
        });
        for _ in 0..size.communes_per_district {
            let (name, slug) = loop {
                let (a, sa) = rng.pick(&SYLLABLES);
                let (b, sb) = rng.pick(&SYLLABLES);
                let slug = format!("{sa}-{sb}");
                if a != b && used.insert(slug.clone()) {
                    break (format!("{a} {b}"), slug);
                }
            };
            let kind = if d == 0 { "phường" } else { "xã" };
            communes.push(Commune {
                old: format!("kon-tum/{slug}"),
                new: String::new(),
                name: format!("{kind} {name}"),
                district: d,
            });
        }
    }
    // About three old communes make one new one, within a district, named after the first.
    let mut qn = Vec::new();
    let mut i = 0;
    while i < communes.len() {
        let d = communes[i].district;
        let mut j = i + 1;
        let take = rng.range(2, 4) as usize;
        while j < communes.len() && communes[j].district == d && j - i < take {
            j += 1;
        }
        let slug = communes[i].old.trim_start_matches("kon-tum/").to_string();
        let new = format!("quang-ngai/{slug}");
        qn.push(Unit {
            id: slug,
            name: communes[i].name.clone(),
            level: Level::Xa,
            parent: None,
            from: Some(ymd(REFORM)),
            until: None,
            became: None,
        });
        for c in &mut communes[i..j] {
            c.new = new.clone();
        }
        i = j;
    }
    for c in &communes {
        kt.push(Unit {
            id: c.old.trim_start_matches("kon-tum/").to_string(),
            name: c.name.clone(),
            level: Level::Xa,
            parent: Some(DISTRICTS[c.district].0.to_string()),
            from: None,
            until: Some(reform_eve),
            became: Some(c.new.clone()),
        });
    }
    let new_names = qn
        .iter()
        .map(|u| (format!("quang-ngai/{}", u.id), u.name.clone()))
        .collect();
    let provinces = vec![
        Province {
            province: "kon-tum".into(),
            name: "tỉnh Kon Tum".into(),
            from: None,
            until: Some(reform_eve),
            units: kt,
        },
        Province {
            province: "quang-ngai".into(),
            name: "tỉnh Quảng Ngãi".into(),
            from: Some(ymd(REFORM)),
            until: None,
            units: qn,
        },
    ];
    (provinces, communes, new_names)
}

/// Makes the province in `app`'s store: its cases and their steps. Returns the units to write
/// beside it as the địa bàn files.
pub fn province(
    app: &mut App,
    seed: u64,
    size: Size,
    drafts: Option<&Drafts>,
) -> Result<Generated> {
    let mut rng = Rng(seed);
    let (dia_ban, communes, new_communes) = units(size, &mut rng);
    let mut g = Gen {
        app,
        rng,
        communes,
        new_communes,
        cases: 0,
        steps: 0,
        queue: Vec::new(),
        drafts,
        drafting: Default::default(),
        samples: Default::default(),
        drafted: 0,
    };
    let (first, last) = (ymd(FIRST), ymd(LAST));
    let span = (ymd((2026, 5, 31)) - first).num_days() as u64;
    let mut starts: Vec<NaiveDate> = (0..size.models)
        .map(|_| first + Days::new(g.rng.range(0, span)))
        .collect();
    starts.sort();
    for start in starts {
        let site = g.site(start, None);
        let (name, field) = *g.rng.pick(&MODELS);
        let data = json!({
            "ten_mo_hinh": name,
            "pham_vi": site.1,
            "lien_ket": g.rng.chance(10),
            "linh_vuc": field,
        });
        g.model(&site.0, &data, start, last, None)?;
    }
    // Sites started by replication, in the order they were proposed.
    while let Some((id, start, site)) = g.queue.pop() {
        g.model(&site, &Value::Null, start, last, Some(id))?;
    }
    let span = (ymd((2025, 12, 31)) - first).num_days() as u64;
    for _ in 0..size.dien_hinh {
        let start = first + Days::new(g.rng.range(0, span));
        g.dien_hinh(start, last)?;
    }
    Ok(Generated {
        dia_ban,
        cases: g.cases,
        steps: g.steps,
        drafted: g.drafted,
    })
}

struct Gen<'a> {
    app: &'a mut App,
    rng: Rng,
    communes: Vec<Commune>,
    new_communes: Vec<(String, String)>,
    cases: usize,
    steps: usize,
    /// Replicated sites to run: the linked case, the day it starts, its agency.
    queue: Vec<(String, NaiveDate, String)>,
    drafts: Option<&'a Drafts>,
    /// The cases whose steps are drafted (opened within `drafts`' period).
    drafting: std::collections::HashSet<String>,
    /// Each template's sample data, read once.
    samples: BTreeMap<String, DocData>,
    drafted: usize,
}

impl Gen<'_> {
    /// A commune for a case opened on `on` (near `near` for a replicated site): its agency path
    /// and its name.
    fn site(&mut self, on: NaiveDate, near: Option<&str>) -> (String, String) {
        if on >= ymd(REFORM) {
            let (p, n) = self.rng.pick(&self.new_communes).clone();
            return (p, n);
        }
        let district = near
            .and_then(|a| self.communes.iter().find(|c| c.old == a))
            .map(|c| c.district);
        let pool: Vec<&Commune> = self
            .communes
            .iter()
            .filter(|c| district.is_none_or(|d| c.district == d))
            .collect();
        let c = *self.rng.pick(&pool);
        (c.old.clone(), c.name.clone())
    }

    /// A case opened on `on`: its steps are drafted when `on` is in the drafts' period.
    fn opened(&mut self, id: &str, on: NaiveDate) {
        if self.drafts.is_some_and(|d| d.from <= on && on <= d.to) {
            self.drafting.insert(id.to_string());
        }
    }

    /// A step's documents drafted from the samples; false when the step is only recorded.
    fn draft(&mut self, case: &str, step: &str, inputs: &Value, at: NaiveDate) -> Result<bool> {
        let Some(d) = self
            .drafts
            .filter(|d| at <= d.to && self.drafting.contains(case))
        else {
            return Ok(false);
        };
        for t in self.app.step_documents(case, step)? {
            if let std::collections::btree_map::Entry::Vacant(e) = self.samples.entry(t) {
                let file = d
                    .samples
                    .join("documents")
                    .join(format!("{}.yaml", e.key()));
                e.insert(DocData::load(&file)?);
            }
        }
        let samples = &self.samples;
        let done = self.app.advance(case, step, inputs, at, true, |t| {
            samples
                .get(t)
                .cloned()
                .ok_or_else(|| crate::Error::Invalid(format!("mẫu {t}: không có dữ liệu mẫu")))
        })?;
        self.drafted += done.drafted.len();
        self.after(case, at, done.linked)?;
        Ok(true)
    }

    /// One step on `at`; false when the window has closed.
    fn step(&mut self, case: &str, step: &str, inputs: Value, at: NaiveDate) -> Result<bool> {
        if at > ymd(LAST) {
            return Ok(false);
        }
        self.steps += 1;
        if !self.draft(case, step, &inputs, at)? {
            let started = self.app.record(case, step, &inputs, at)?;
            self.after(case, at, started)?;
        }
        Ok(true)
    }

    /// The replicated sites a step started on `at`: each placed near its model, and queued.
    fn after(&mut self, case: &str, at: NaiveDate, started: Vec<(String, String)>) -> Result<()> {
        for (id, _) in started {
            self.cases += 1;
            let start = at + Days::new(self.rng.range(10, 40));
            self.opened(&id, start);
            let (agency, _) = {
                let from = self.app.reader()?.case_agency(case)?;
                self.site(start, from.as_deref())
            };
            self.app.set_case_agency(&id, &agency)?;
            self.queue.insert(0, (id, start, agency));
        }
        Ok(())
    }

    fn later(&mut self, at: NaiveDate, lo: u64, hi: u64) -> NaiveDate {
        at + Days::new(self.rng.range(lo, hi))
    }

    /// A mô hình from survey on: founded, reported on, rated, replicated or ended, as chance
    /// has it, until `last`. `linked` is a replicated site's case, already open.
    fn model(
        &mut self,
        agency: &str,
        data: &Value,
        start: NaiveDate,
        last: NaiveDate,
        linked: Option<String>,
    ) -> Result<()> {
        let province = agency.split('/').next().unwrap_or_default().to_string();
        let id = match linked {
            Some(id) => id,
            None => {
                let key = ProcedureKey::new("mo-hinh", Some(&province));
                self.cases += 1;
                let id = self.app.new_case_for(&key, data, start, agency)?;
                self.opened(&id, start);
                id
            }
        };
        let mut at = start;
        let stall = self.rng.chance(8).then(|| self.rng.range(1, 6) as usize);
        let building = [
            ("khao-sat", 0, 0),
            ("bao-cao-khao-sat", 10, 25),
            ("chu-truong", 5, 15),
            ("trien-khai", 3, 7),
            ("lay-y-kien", 3, 10),
            ("thanh-lap", 3, 10),
            ("quy-che", 2, 7),
            ("ra-mat", 3, 10),
        ];
        let mut founded = None;
        for (n, (step, lo, hi)) in building.iter().enumerate() {
            if stall == Some(n) {
                return Ok(());
            }
            at = self.later(at, *lo, *hi);
            let inputs = if *step == "thanh-lap" {
                founded = Some(at);
                json!({"ngay_thanh_lap": at.to_string()})
            } else {
                json!({})
            };
            if !self.step(&id, step, inputs, at)? {
                return Ok(());
            }
        }
        let founded = founded.expect("founded with thanh-lap");
        let launched = at;
        let mut grade: Option<&str> = None;
        let mut members = self.rng.range(8, 40);
        let mut replicated = false;
        for year in launched.year()..=last.year() {
            at = self.quarterly(&id, grade, year, 3, at)?;
            // The 6-month report, due 10/05 (Kon Tum's date, which Quảng Ngãi keeps).
            let may = NaiveDate::from_ymd_opt(year, 5, 10).expect("10/05");
            if may > launched && self.rng.chance(92) {
                let day = may - Days::new(self.rng.range(1, 8));
                if day > at {
                    let from =
                        founded.max(NaiveDate::from_ymd_opt(year - 1, 11, 1).expect("01/11"));
                    let inputs = self.report(
                        &format!("6 tháng đầu năm {year}"),
                        may,
                        from,
                        NaiveDate::from_ymd_opt(year, 4, 30).expect("30/04"),
                        &mut members,
                    );
                    if !self.step(&id, "bao-cao-dinh-ky", inputs, day)? {
                        return Ok(());
                    }
                    at = day;
                }
            }
            at = self.quarterly(&id, grade, year, 6, at)?;
            at = self.quarterly(&id, grade, year, 9, at)?;
            // The annual report, due 10/11, then the rating of the year closing on 31/10.
            let nov = NaiveDate::from_ymd_opt(year, 11, 10).expect("10/11");
            let year_end = NaiveDate::from_ymd_opt(year, 10, 31).expect("31/10");
            if nov > launched && at < nov - Days::new(9) {
                if self.rng.chance(90) {
                    let day = NaiveDate::from_ymd_opt(year, 11, 1).expect("01/11");
                    let from =
                        founded.max(NaiveDate::from_ymd_opt(year - 1, 11, 1).expect("01/11"));
                    let inputs =
                        self.report(&format!("năm {year}"), nov, from, year_end, &mut members);
                    if !self.step(&id, "bao-cao-dinh-ky", inputs, day)? {
                        return Ok(());
                    }
                    at = day;
                }
                if crate::engine::calendar::months_between(founded, year_end) >= 10 {
                    let rate = match self.rng.range(0, 99) {
                        0..=39 => self.rng.range(90, 100),
                        40..=74 => self.rng.range(70, 89),
                        75..=92 => self.rng.range(50, 69),
                        _ => self.rng.range(20, 49),
                    };
                    let g = match rate {
                        90.. => "Tốt",
                        70..=89 => "Khá",
                        50..=69 => "Trung bình",
                        _ => "Yếu",
                    };
                    let day = NaiveDate::from_ymd_opt(year, 11, 3).expect("03/11");
                    if !self.step(
                        &id,
                        "de-nghi-xep-loai",
                        json!({"ty_le_hoan_thanh": rate}),
                        day,
                    )? {
                        return Ok(());
                    }
                    let day = NaiveDate::from_ymd_opt(year, 11, self.rng.range(5, 9) as u32)
                        .expect("a day of November");
                    if !self.step(&id, "xep-loai", json!({"xep_loai": g}), day)? {
                        return Ok(());
                    }
                    grade = Some(g);
                    let day = NaiveDate::from_ymd_opt(year, 11, 12).expect("12/11");
                    if !self.step(&id, "gui-ket-qua", json!({}), day)? {
                        return Ok(());
                    }
                    at = day;
                    if g == "Yếu" {
                        return self.end(&id, at);
                    }
                    if g == "Tốt" && !replicated && self.rng.chance(30) {
                        replicated = true;
                        let n = self.rng.range(1, 2);
                        let sites: Vec<String> = (0..n)
                            .map(|k| format!("Điểm nhân rộng {} của hồ sơ {id}", k + 1))
                            .collect();
                        let day = at + Days::new(self.rng.range(8, 20));
                        if !self.step(
                            &id,
                            "de-xuat-nhan-rong",
                            json!({"dia_ban_nhan_rong": sites}),
                            day,
                        )? {
                            return Ok(());
                        }
                        at = day;
                    }
                }
            }
            at = self.quarterly(&id, grade, year, 12, at)?;
            // A model no longer suited to its place ends, now and then, in the new year.
            if self.rng.chance(2) {
                let day = NaiveDate::from_ymd_opt(year + 1, 1, self.rng.range(10, 25) as u32)
                    .expect("a day of January");
                if day > at {
                    return self.end(&id, day);
                }
            }
        }
        Ok(())
    }

    /// Kon Tum's quarterly report of a "Tốt" model, made before the 10th of month `m` (almost
    /// always); returns the day of the case's last step.
    fn quarterly(
        &mut self,
        id: &str,
        grade: Option<&str>,
        year: i32,
        m: u32,
        at: NaiveDate,
    ) -> Result<NaiveDate> {
        let day = NaiveDate::from_ymd_opt(year, m, self.rng.range(2, 9) as u32)
            .expect("a day of the month");
        if grade == Some("Tốt")
            && day > at
            && self.rng.chance(95)
            && self.step(id, "bao-cao-mo-hinh-tot", json!({}), day)?
        {
            return Ok(day);
        }
        Ok(at)
    }

    /// A periodic report's inputs: its period and its statistics form.
    fn report(
        &mut self,
        ky: &str,
        due: NaiveDate,
        from: NaiveDate,
        to: NaiveDate,
        members: &mut u64,
    ) -> Value {
        *members = (*members + self.rng.range(0, 4)).saturating_sub(self.rng.range(0, 3));
        let hs = self.rng.range(0, 5);
        let khac = self.rng.range(0, 10);
        let lam_ro = self.rng.range(0, hs + khac);
        json!({
            "ky_bao_cao": ky,
            "han_bao_cao": due.to_string(),
            "tu_ngay": from.to_string(),
            "den_ngay": to.to_string(),
            "thong_ke": {
                "thanh_vien": *members,
                "buoi_tuyen_truyen": self.rng.range(1, 12),
                "luot_nguoi": self.rng.range(30, 800),
                "nguon_tin": self.rng.range(0, 15),
                "vu_viec": hs + khac,
                "vu_hinh_su": hs,
                "vu_vi_pham_khac": khac,
                "vu_lam_ro": lam_ro,
                "hoa_giai": self.rng.range(0, 8),
                "co_quy": u64::from(self.rng.chance(40)),
            }
        })
    }

    /// The four steps that end a model (HD 22: report, members consulted, decision, notice).
    fn end(&mut self, id: &str, from: NaiveDate) -> Result<()> {
        let mut at = from;
        for step in [
            "ket-thuc-danh-gia",
            "ket-thuc-lay-y-kien",
            "ket-thuc-quyet-dinh",
            "ket-thuc-thong-bao",
        ] {
            at = self.later(at, 3, 10);
            if !self.step(id, step, json!({}), at)? {
                break;
            }
        }
        Ok(())
    }

    /// An điển hình: surveyed, planned, evaluated within the year, recognised or ended, then
    /// re-evaluated each November.
    fn dien_hinh(&mut self, start: NaiveDate, last: NaiveDate) -> Result<()> {
        let (agency, name) = self.site(start, None);
        let key = ProcedureKey::new("dien-hinh", None);
        let data = json!({"ten_dien_hinh": format!("Tổ tự quản ANTT {}", name)});
        self.cases += 1;
        let id = self.app.new_case_for(&key, &data, start, &agency)?;
        self.opened(&id, start);
        let mut at = start;
        for step in ["khao-sat", "tieu-chi"] {
            if !self.step(&id, step, json!({}), at)? {
                return Ok(());
            }
            at = self.later(at, 7, 20);
        }
        if !self.step(
            &id,
            "ke-hoach",
            json!({"ngay_ke_hoach": at.to_string()}),
            at,
        )? {
            return Ok(());
        }
        at = self.later(at, 150, 330);
        let met = if self.rng.chance(85) {
            100
        } else {
            self.rng.range(60, 95)
        };
        if !self.step(&id, "danh-gia", json!({"ty_le_tieu_chi": met}), at)? {
            return Ok(());
        }
        at = self.later(at, 5, 20);
        if met < 100 {
            self.step(&id, "ket-thuc", json!({}), at)?;
            return Ok(());
        }
        if !self.step(&id, "cong-nhan", json!({}), at)? {
            return Ok(());
        }
        for year in at.year()..=last.year() {
            let day = NaiveDate::from_ymd_opt(year, 11, self.rng.range(10, 14) as u32)
                .expect("a day of November");
            if day <= at {
                continue;
            }
            let met = if self.rng.chance(90) {
                self.rng.range(70, 100)
            } else {
                self.rng.range(40, 69)
            };
            if !self.step(&id, "danh-gia-lai", json!({"ty_le_tieu_chi": met}), day)? {
                return Ok(());
            }
            at = day;
            if met < 70 {
                let day = self.later(at, 10, 30);
                self.step(&id, "ket-thuc", json!({}), day)?;
                return Ok(());
            }
        }
        Ok(())
    }
}

/// The địa bàn files as YAML, by file name.
pub fn dia_ban_files(provinces: &[Province]) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for p in provinces {
        let yaml = serde_yaml::to_string(p)
            .map_err(|e| crate::Error::Invalid(format!("địa bàn {}: {e}", p.province)))?;
        out.insert(
            format!("{}.yaml", p.province),
            format!(
                "# Địa bàn {} do `hoso province generate` sinh ra: tên xã là tên sinh ngẫu nhiên, \
                 không phải danh sách thật.\n{yaml}",
                p.name
            ),
        );
    }
    Ok(out)
}
