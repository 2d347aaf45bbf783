//! Figures across every case of a province for a period: the one query layer behind the báo cáo
//! tổng kết, the bảng thống kê, the spreadsheets and charts. Read from the store and the
//! engine (never from documents), grouped by the administrative level valid at the period's end
//! ([`dia_ban`]).
//!
//! What counts, for a period `from..=to` (the movement's year runs 01/11–31/10, as its rating
//! year and the provinces' yearly reports do):
//! - a mô hình **exists** from its founding decision (step `thanh-lap`, dated by its input
//!   `ngay_thanh_lap`); an điển hình from its recognition (`cong-nhan`); it is **active** at
//!   `to` when founded by then and not ended by then; **new** when founded in the period;
//!   **ended** when an ended case that had been founded ended in the period; **being built**
//!   when opened but neither founded nor ended by `to`;
//! - **replicated**: sites started in the period from a "Tốt" model (`nhan_rong_tu`);
//! - **ratings**: of the rating years that close (31/10) in the period, each model's last
//!   decision of that year (`xep-loai`, or the `dieu-chinh-xep-loai` that corrected it);
//! - **overdue reports**: occurrences of the periodic report (and of Kon Tum's quarterly one,
//!   while the model is "Tốt") due in the period, before today, and not met;
//! - **the statistics form**: per model, the forms of its `bao-cao-dinh-ky` reports whose
//!   period ends (`den_ngay`, else the report's date) in the period, added up as each
//!   indicator says ([`Aggregate`]); then per locality.

pub mod bang;
pub mod dia_ban;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::Value;

use crate::engine::{Engine, calendar};
use crate::error::{Error, Result};
use crate::store::{CaseRow, EventRow, Store};
use crate::workflow::thong_ke::{Aggregate, Form};
use dia_ban::{DiaBan, Level};

/// A reporting period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// As printed: "năm 2023", "6 tháng đầu năm 2023".
    pub label: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// `2023` (01/11/2022–31/10/2023, the movement's year), `2023-H1` (01/11/2022–30/04/2023,
    /// the 6-month report's), or `2023-01-01..2023-12-31`.
    pub fn parse(s: &str) -> Result<Period> {
        let bad = || {
            Error::Usage(format!(
                "kỳ `{s}` không đọc được: viết 2023 (năm, 01/11/2022–31/10/2023), 2023-H1 (6 \
                 tháng đầu năm, 01/11/2022–30/04/2023) hoặc 2023-01-01..2023-12-31"
            ))
        };
        let date = |t: &str| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| bad());
        if let Some((a, b)) = s.split_once("..") {
            let (from, to) = (date(a)?, date(b)?);
            if to < from {
                return Err(bad());
            }
            return Ok(Period {
                label: format!(
                    "từ ngày {} đến ngày {}",
                    from.format("%d/%m/%Y"),
                    to.format("%d/%m/%Y")
                ),
                from,
                to,
            });
        }
        let (year, half) = match s.split_once('-') {
            Some((y, "H1")) => (y, true),
            None => (s, false),
            _ => return Err(bad()),
        };
        let year: i32 = year
            .parse()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(bad)?;
        let from = NaiveDate::from_ymd_opt(year - 1, 11, 1).ok_or_else(bad)?;
        Ok(if half {
            Period {
                label: format!("6 tháng đầu năm {year}"),
                from,
                to: NaiveDate::from_ymd_opt(year, 4, 30).ok_or_else(bad)?,
            }
        } else {
            Period {
                label: format!("năm {year}"),
                from,
                to: NaiveDate::from_ymd_opt(year, 10, 31).ok_or_else(bad)?,
            }
        })
    }

    fn holds(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

/// Models or điển hình of one locality by where they stand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Dem {
    pub dang_hoat_dong: u32,
    pub moi: u32,
    pub ket_thuc: u32,
    pub nhan_rong: u32,
    pub dang_xay_dung: u32,
}

impl Dem {
    fn add(&mut self, o: &Dem) {
        self.dang_hoat_dong += o.dang_hoat_dong;
        self.moi += o.moi;
        self.ket_thuc += o.ket_thuc;
        self.nhan_rong += o.nhan_rong;
        self.dang_xay_dung += o.dang_xay_dung;
    }
}

/// Ratings of one locality: how many of each grade, and the shares in per cent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct XepLoai {
    pub tot: u32,
    pub kha: u32,
    pub trung_binh: u32,
    pub yeu: u32,
    pub tong: u32,
    pub ty_le_tot: f64,
    pub ty_le_kha: f64,
    pub ty_le_trung_binh: f64,
    pub ty_le_yeu: f64,
    /// Khá or better, the plans' usual target.
    pub ty_le_kha_tro_len: f64,
}

impl XepLoai {
    fn count(&mut self, grade: &str) {
        match grade {
            "Tốt" => self.tot += 1,
            "Khá" => self.kha += 1,
            "Trung bình" => self.trung_binh += 1,
            "Yếu" => self.yeu += 1,
            _ => return,
        }
        self.tong += 1;
    }

    fn add(&mut self, o: &XepLoai) {
        self.tot += o.tot;
        self.kha += o.kha;
        self.trung_binh += o.trung_binh;
        self.yeu += o.yeu;
        self.tong += o.tong;
    }

    fn shares(&mut self) {
        let p = |n: u32| percent(n as f64, self.tong as f64);
        self.ty_le_tot = p(self.tot);
        self.ty_le_kha = p(self.kha);
        self.ty_le_trung_binh = p(self.trung_binh);
        self.ty_le_yeu = p(self.yeu);
        self.ty_le_kha_tro_len = p(self.tot + self.kha);
    }
}

/// 100 × n ÷ of, to one decimal; 0 when there is nothing to divide by (0/0 is never "all").
pub fn percent(n: f64, of: f64) -> f64 {
    if of <= 0.0 {
        0.0
    } else {
        (1000.0 * n / of).round() / 10.0
    }
}

/// One row: a locality's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Dong {
    /// The locality's path (`kon-tum/dak-ha`); empty for cases of no known locality.
    pub ma: String,
    /// As printed: "huyện Đăk Hà".
    pub dia_ban: String,
    pub mo_hinh: Dem,
    pub dien_hinh: Dem,
    pub xep_loai: XepLoai,
    /// Report occurrences overdue.
    pub bao_cao_tre_han: u32,
    /// Models whose statistics form counts in the period.
    pub don_vi_bao_cao: u32,
    /// Each indicator of the form, added up (percentages computed).
    pub thong_ke: BTreeMap<String, f64>,
}

/// An active model, for the list the báo cáo tổng kết attaches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoHinh {
    pub ho_so: String,
    pub ten: String,
    pub dia_ban: String,
    pub linh_vuc: String,
    /// DD/MM/YYYY.
    pub thanh_lap: String,
    pub xep_loai: String,
}

/// An overdue report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreHan {
    pub ho_so: String,
    pub ten: String,
    pub dia_ban: String,
    pub buoc: String,
    /// DD/MM/YYYY.
    pub han: String,
}

/// The figures of a province for a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TongHop {
    pub tinh: String,
    pub ma_tinh: String,
    pub ky: Period,
    /// "huyện" or "xã": the level the rows are.
    pub cap: String,
    pub dong: Vec<Dong>,
    pub tong: Dong,
    /// Localities with at least one active model or điển hình, and all of them ("10/10 huyện").
    pub dia_ban_co_mo_hinh: u32,
    pub so_dia_ban: u32,
    /// Active models by field (`linh_vuc`), largest first.
    pub theo_linh_vuc: Vec<(String, u32)>,
    /// Models founded each calendar year up to the period's end, and those of the year rated.
    pub theo_nam: Vec<(i32, u32)>,
    pub mo_hinh: Vec<MoHinh>,
    pub tre_han: Vec<TreHan>,
    /// The form the indicators come from.
    pub bang: Option<Form>,
}

/// What the figures need of one case, read once.
struct Facts {
    case: CaseRow,
    base: String,
    agency: Option<String>,
    events: Vec<EventRow>,
    overdue: Vec<(String, NaiveDate)>,
}

/// Reads every case and adds up a province's figures for a period, rows at `by` (None: the
/// district while the province had districts at the period's end, else the commune).
pub fn tong_hop(
    engine: &Engine,
    store: &dyn Store,
    dia_ban: &DiaBan,
    province: &str,
    period: &Period,
    by: Option<Level>,
    today: NaiveDate,
) -> Result<TongHop> {
    let p = dia_ban.province(province).ok_or_else(|| {
        Error::NotFound(format!(
            "không có địa bàn của tỉnh `{province}` (tệp địa bàn khai báo province: {province})"
        ))
    })?;
    let on = period.to;
    let level = by.unwrap_or(if dia_ban.has_districts(province, on) {
        Level::Huyen
    } else {
        Level::Xa
    });
    let judged = on.min(today);
    let mut facts = Vec::new();
    let agencies = store.case_agencies()?;
    for case in store.cases()? {
        let key = crate::workflow::ProcedureKey::parse(&case.workflow);
        let agency = agencies.get(&case.id).cloned();
        let belongs = match &agency {
            Some(a) => dia_ban.province_on(a, on) == Some(province),
            None => key.province.as_deref() == Some(province),
        };
        if !belongs || case.created_on > on {
            continue;
        }
        let events = store.events(&case.id)?;
        let steps = store.steps(&case.id)?;
        let overdue = engine
            .standing(&case, &steps, &events, judged)
            .map(|s| {
                s.pending
                    .into_iter()
                    .filter(|p| p.overdue && period.holds(p.due) && p.due <= judged)
                    .filter(|p| REPORT_STEPS.contains(&p.step.as_str()))
                    .map(|p| (p.step, p.due))
                    .collect()
            })
            .unwrap_or_default();
        facts.push(Facts {
            base: key.base,
            agency,
            case,
            events,
            overdue,
        });
    }
    // The province's form: the one its procedure declares now (the successor's after a merger).
    let form = engine
        .newest(&crate::workflow::ProcedureKey::new(
            "mo-hinh",
            Some(province),
        ))
        .or_else(|_| engine.newest(&crate::workflow::ProcedureKey::new("mo-hinh", None)))
        .ok()
        .and_then(|w| w.thong_ke.clone());

    let mut rows: BTreeMap<String, Dong> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for place in dia_ban.units_on(province, on, level) {
        order.push(place.path.clone());
        rows.insert(
            place.path.clone(),
            Dong {
                ma: place.path,
                dia_ban: place.name,
                ..Dong::default()
            },
        );
    }
    let so_dia_ban = order.len() as u32;
    let mut fields: BTreeMap<String, u32> = BTreeMap::new();
    let mut by_year: BTreeMap<i32, u32> = BTreeMap::new();
    let mut models = Vec::new();
    let mut late = Vec::new();
    for f in &facts {
        let place = f
            .agency
            .as_deref()
            .and_then(|a| dia_ban.place(a, on, level));
        let (ma, name) = match place {
            Some(p) => (p.path, p.name),
            None => (String::new(), "Chưa rõ địa bàn".to_string()),
        };
        if !rows.contains_key(&ma) {
            order.push(ma.clone());
        }
        let row = rows.entry(ma.clone()).or_insert_with(|| Dong {
            ma: ma.clone(),
            dia_ban: name.clone(),
            ..Dong::default()
        });
        let name_of = |k: &str| {
            f.case
                .data
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let (founding_step, dem, title) = match f.base.as_str() {
            "mo-hinh" => ("thanh-lap", &mut row.mo_hinh, name_of("ten_mo_hinh")),
            "dien-hinh" => ("cong-nhan", &mut row.dien_hinh, name_of("ten_dien_hinh")),
            "don-vi-dien-hinh" => ("cong-nhan", &mut row.dien_hinh, name_of("ten_don_vi")),
            _ => continue,
        };
        let founded = founded_on(&f.events, founding_step);
        let ended = f.case.ended.as_ref().map(|e| e.on).filter(|d| *d <= on);
        let active = founded.is_some_and(|d| d <= on) && ended.is_none();
        if active {
            dem.dang_hoat_dong += 1;
        }
        if founded.is_some_and(|d| period.holds(d)) {
            dem.moi += 1;
        }
        if founded.is_some() && ended.is_some_and(|d| period.holds(d)) {
            dem.ket_thuc += 1;
        }
        if founded.is_none_or(|d| d > on) && ended.is_none() {
            dem.dang_xay_dung += 1;
        }
        if f.case.data.get("nhan_rong_tu").is_some() && period.holds(f.case.created_on) {
            dem.nhan_rong += 1;
        }
        if f.base == "mo-hinh" {
            if let Some(d) = founded.filter(|d| *d <= on) {
                *by_year.entry(d.year()).or_default() += 1;
            }
            for grade in ratings(&f.events, period) {
                row.xep_loai.count(&grade);
            }
            if let Some(form) = &form {
                let filed = forms_in(&f.events, period);
                if !filed.is_empty() {
                    row.don_vi_bao_cao += 1;
                    for (id, n) in unit_figures(form, &filed) {
                        *row.thong_ke.entry(id).or_default() += n;
                    }
                }
            }
        }
        if active && f.base == "mo-hinh" {
            let mut field = name_of("linh_vuc");
            if field.is_empty() {
                field = "Chưa phân loại".into();
            }
            *fields.entry(field.clone()).or_default() += 1;
            models.push(MoHinh {
                ho_so: f.case.id.clone(),
                ten: title.clone(),
                dia_ban: row.dia_ban.clone(),
                linh_vuc: field,
                thanh_lap: founded.map(fmt).unwrap_or_default(),
                xep_loai: last_rating(&f.events, on).unwrap_or_else(|| "Chưa xếp loại".into()),
            });
        }
        for (step, due) in &f.overdue {
            row.bao_cao_tre_han += 1;
            late.push(TreHan {
                ho_so: f.case.id.clone(),
                ten: title.clone(),
                dia_ban: row.dia_ban.clone(),
                buoc: step.clone(),
                han: fmt(*due),
            });
        }
    }
    let mut tong = Dong {
        dia_ban: "Tổng cộng".into(),
        ..Dong::default()
    };
    let mut dong = Vec::new();
    for ma in order {
        let Some(mut r) = rows.remove(&ma) else {
            continue;
        };
        tong.mo_hinh.add(&r.mo_hinh);
        tong.dien_hinh.add(&r.dien_hinh);
        tong.xep_loai.add(&r.xep_loai);
        tong.bao_cao_tre_han += r.bao_cao_tre_han;
        tong.don_vi_bao_cao += r.don_vi_bao_cao;
        for (k, v) in &r.thong_ke {
            *tong.thong_ke.entry(k.clone()).or_default() += v;
        }
        r.xep_loai.shares();
        if let Some(form) = &form {
            complete(form, &mut r.thong_ke);
        }
        dong.push(r);
    }
    tong.xep_loai.shares();
    if let Some(form) = &form {
        complete(form, &mut tong.thong_ke);
    }
    let dia_ban_co_mo_hinh = dong
        .iter()
        .filter(|r| !r.ma.is_empty() && r.mo_hinh.dang_hoat_dong + r.dien_hinh.dang_hoat_dong > 0)
        .count() as u32;
    let mut theo_linh_vuc: Vec<(String, u32)> = fields.into_iter().collect();
    theo_linh_vuc.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    models.sort_by(|a, b| (&a.dia_ban, &a.ten, &a.ho_so).cmp(&(&b.dia_ban, &b.ten, &b.ho_so)));
    late.sort_by(|a, b| (&a.dia_ban, &a.ho_so, &a.han).cmp(&(&b.dia_ban, &b.ho_so, &b.han)));
    Ok(TongHop {
        tinh: p.name.clone(),
        ma_tinh: p.province.clone(),
        ky: period.clone(),
        cap: match level {
            Level::Huyen => "huyện".into(),
            Level::Xa => "xã".into(),
        },
        dong,
        tong,
        dia_ban_co_mo_hinh,
        so_dia_ban,
        theo_linh_vuc,
        theo_nam: by_year.into_iter().collect(),
        mo_hinh: models,
        tre_han: late,
        bang: form,
    })
}

/// The plan's targets (chỉ tiêu) against the results: each `chi_tieu` of a report's data that
/// names a measure (`do_bang`) gets `ket_qua` (the share reached, "96,7") and `dat` ("Đạt" or
/// "Chưa đạt"). Measures: `dia_ban_co_mo_hinh` (localities with an active model or điển hình),
/// `kha_tro_len` (models rated Khá or better), `bao_cao_day_du` (models that filed their
/// statistics form in the period, of those active).
pub fn chi_tieu(data: &mut Value, t: &TongHop) {
    let Some(items) = data.get_mut("chi_tieu").and_then(Value::as_array_mut) else {
        return;
    };
    for item in items {
        let Some(obj) = item.as_object_mut() else {
            continue;
        };
        let reached = match obj.get("do_bang").and_then(Value::as_str) {
            Some("dia_ban_co_mo_hinh") => {
                percent(f64::from(t.dia_ban_co_mo_hinh), f64::from(t.so_dia_ban))
            }
            Some("kha_tro_len") => t.tong.xep_loai.ty_le_kha_tro_len,
            Some("bao_cao_day_du") => percent(
                f64::from(t.tong.don_vi_bao_cao),
                f64::from(t.tong.mo_hinh.dang_hoat_dong),
            ),
            _ => continue,
        };
        let target = obj.get("muc").and_then(Value::as_f64).unwrap_or(100.0);
        obj.insert("ket_qua".into(), bang::so(reached).into());
        obj.insert(
            "dat".into(),
            if reached >= target {
                "Đạt"
            } else {
                "Chưa đạt"
            }
            .into(),
        );
    }
}

/// The steps whose overdue occurrences the report counts as reports not made: the periodic
/// report and Kon Tum's quarterly one (which its procedure owes only while the model is "Tốt",
/// `due_while`, so the engine's standing already leaves the other quarters out).
const REPORT_STEPS: [&str; 2] = ["bao-cao-dinh-ky", "bao-cao-mo-hinh-tot"];

fn fmt(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn date_input(e: &EventRow, key: &str) -> Option<NaiveDate> {
    e.inputs
        .get(key)
        .and_then(Value::as_str)
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

/// The day a model was founded (its decision's date) or an điển hình recognised.
fn founded_on(events: &[EventRow], step: &str) -> Option<NaiveDate> {
    events
        .iter()
        .find(|e| e.step == step)
        .map(|e| date_input(e, "ngay_thanh_lap").unwrap_or(e.on_date))
}

/// The grade of each rating year closing in the period: its last decision.
fn ratings(events: &[EventRow], period: &Period) -> Vec<String> {
    let mut by_year: BTreeMap<NaiveDate, String> = BTreeMap::new();
    for e in events {
        if e.step != "xep-loai" && e.step != "dieu-chinh-xep-loai" {
            continue;
        }
        let year_end = calendar::evaluation_end(e.on_date);
        if let Some(g) = e.inputs.get("xep_loai").and_then(Value::as_str)
            && period.holds(year_end)
        {
            by_year.insert(year_end, g.to_string());
        }
    }
    by_year.into_values().collect()
}

/// The model's grade in force on `on`.
fn last_rating(events: &[EventRow], on: NaiveDate) -> Option<String> {
    events
        .iter()
        .filter(|e| (e.step == "xep-loai" || e.step == "dieu-chinh-xep-loai") && e.on_date <= on)
        .filter_map(|e| e.inputs.get("xep_loai").and_then(Value::as_str))
        .next_back()
        .map(str::to_string)
}

/// A periodic report's form with the days it covers.
struct Filed<'a> {
    from: Option<NaiveDate>,
    to: NaiveDate,
    values: &'a Value,
}

/// The model's forms whose report period ends in `period`, latest last.
fn forms_in<'a>(events: &'a [EventRow], period: &Period) -> Vec<Filed<'a>> {
    let mut out: Vec<Filed> = events
        .iter()
        .filter(|e| e.step == "bao-cao-dinh-ky")
        .filter_map(|e| {
            let values = e.inputs.get("thong_ke").filter(|v| v.is_object())?;
            let to = date_input(e, "den_ngay").unwrap_or(e.on_date);
            period.holds(to).then_some(Filed {
                from: date_input(e, "tu_ngay"),
                to,
                values,
            })
        })
        .collect();
    out.sort_by_key(|f| f.to);
    out
}

/// One model's figure of each indicator for the period, from its forms (latest last): a
/// `sum` adds the latest report and the earlier ones that end before it begins (an annual
/// report already holds its first half); `latest` and `count` read the latest.
fn unit_figures(form: &Form, filed: &[Filed]) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    let Some(last) = filed.last() else {
        return out;
    };
    let mut taken = vec![last];
    let mut start = last.from;
    for f in filed.iter().rev().skip(1) {
        if start.is_some_and(|s| f.to < s) {
            taken.push(f);
            start = f.from;
        }
    }
    let num = |f: &Filed, id: &str| f.values.get(id).and_then(Value::as_f64).unwrap_or(0.0);
    for i in form.indicators.iter().filter(|i| i.filled()) {
        let n = match i.aggregate {
            Aggregate::Sum => taken.iter().map(|f| num(f, &i.id)).sum(),
            Aggregate::Latest => num(last, &i.id),
            Aggregate::Count => f64::from(u8::from(num(last, &i.id) > 0.0)),
            Aggregate::Percent => continue,
        };
        out.insert(i.id.clone(), n);
    }
    out
}

/// Every filled indicator present (zero where no unit reported) and each percentage computed.
fn complete(form: &Form, figures: &mut BTreeMap<String, f64>) {
    for i in &form.indicators {
        if i.filled() {
            figures.entry(i.id.clone()).or_insert(0.0);
        }
    }
    for i in form.indicators.iter().filter(|i| !i.filled()) {
        let get = |k: &String| figures.get(k).copied().unwrap_or(0.0);
        let v = percent(get(&i.of[0]), get(&i.of[1]));
        figures.insert(i.id.clone(), v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_follow_the_movements_year() {
        let p = Period::parse("2023").unwrap();
        assert_eq!(
            (p.from.to_string(), p.to.to_string()),
            ("2022-11-01".into(), "2023-10-31".into())
        );
        assert_eq!(p.label, "năm 2023");
        let h = Period::parse("2026-H1").unwrap();
        assert_eq!(h.to.to_string(), "2026-04-30");
        assert_eq!(h.label, "6 tháng đầu năm 2026");
        assert!(Period::parse("2023-01-01..2023-12-31").is_ok());
        for bad in ["23", "2023-H3", "2023-12-31..2023-01-01", "năm 2023"] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn zero_over_zero_is_never_all() {
        assert_eq!(percent(0.0, 0.0), 0.0);
        assert_eq!(percent(2.0, 3.0), 66.7);
    }
}
