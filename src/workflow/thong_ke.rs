//! The statistics form (bảng thống kê) a unit fills with each periodic report: indicators as
//! data, declared once per procedure (`thong_ke:`) and replaced whole by a province's overlay.
//! Kon Tum asks the 6-month and annual reports "kèm mẫu thống kê"; the provincial báo cáo tổng
//! kết then adds up every unit's form (`crate::report`), so each figure is typed once, by the
//! unit that knows it.
//!
//! A step takes the form through an input of type `thong-ke`; its value is a map from indicator
//! id to a number, checked here: every indicator the unit fills present, each a non-negative
//! number (a whole one unless its unit is "%"), a total equal to its parts, a part never above
//! its whole. An indicator of kind `percent` is computed from two others when figures are added
//! up, never filled.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A statistics form: its title as printed above the table, and its indicators in print order.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Form {
    pub title: String,
    pub indicators: Vec<Indicator>,
}

/// One row of the form.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// The key a unit's form uses (`so_vu_viec_phat_hien`).
    pub id: String,
    /// The label as the table prints it.
    pub label: String,
    /// What it counts: "vụ", "người", "buổi", "%".
    pub unit: String,
    #[serde(default)]
    pub aggregate: Aggregate,
    /// For `percent`: the numerator and the denominator, two other indicators.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub of: Vec<String>,
    /// A total: the unit's value must equal the sum of these indicators.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sum_of: Vec<String>,
    /// A part: the unit's value may not exceed this indicator's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<String>,
}

/// How an indicator adds up: over a unit's reports in a period, then over units.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Aggregate {
    /// Events in the period (cases found, meetings held): a unit's reports covering the period
    /// without overlap add up, and units add up.
    #[default]
    Sum,
    /// A standing figure (members, cameras): a unit's latest report in the period; units add up.
    Latest,
    /// How many units report it above zero (units with a fund, say).
    Count,
    /// 100 × the first of `of` ÷ the second, from the added-up figures; never filled.
    Percent,
}

impl Indicator {
    /// Whether a unit fills it (a percentage is computed).
    pub fn filled(&self) -> bool {
        self.aggregate != Aggregate::Percent
    }
}

impl Form {
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// The form's own mistakes, each a message naming the indicator: ids repeated or not
    /// usable as keys, references to no indicator, a percentage without its two figures, a
    /// total that counts itself or a percentage.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for i in &self.indicators {
            if !seen.insert(i.id.as_str()) {
                out.push(format!("chỉ tiêu `{}` khai báo hai lần", i.id));
            }
            if i.id.is_empty()
                || !i
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                out.push(format!(
                    "mã chỉ tiêu `{}` chỉ gồm chữ thường không dấu, chữ số và dấu `_`",
                    i.id
                ));
            }
            let names = i.of.iter().chain(&i.sum_of).chain(i.at_most.iter());
            for r in names {
                match self.indicator(r) {
                    None => out.push(format!(
                        "chỉ tiêu `{}` nhắc tới `{r}`, không có trong bảng thống kê{}",
                        i.id,
                        super::check::did_you_mean(
                            r,
                            self.indicators.iter().map(|x| x.id.as_str())
                        )
                    )),
                    Some(x) if !x.filled() && !i.of.contains(r) => out.push(format!(
                        "chỉ tiêu `{}` cộng hoặc so với `{r}`, một tỷ lệ tính ra chứ không điền",
                        i.id
                    )),
                    Some(_) if r == &i.id => {
                        out.push(format!("chỉ tiêu `{}` nhắc tới chính nó", i.id))
                    }
                    Some(_) => {}
                }
            }
            match (i.aggregate, i.of.len()) {
                (Aggregate::Percent, 2) => {}
                (Aggregate::Percent, _) => out.push(format!(
                    "chỉ tiêu `{}` là tỷ lệ: `of` phải nêu đúng hai chỉ tiêu (tử số, mẫu số)",
                    i.id
                )),
                (_, 0) => {}
                (_, _) => out.push(format!(
                    "chỉ tiêu `{}`: `of` chỉ dùng với aggregate: percent",
                    i.id
                )),
            }
            if !i.filled() && (!i.sum_of.is_empty() || i.at_most.is_some()) {
                out.push(format!(
                    "chỉ tiêu `{}` là tỷ lệ tính ra: không có sum_of hay at_most",
                    i.id
                ));
            }
        }
        out
    }

    /// Checks one unit's filled form; `what` names the step for the message.
    pub fn check(&self, value: &Value, what: &str) -> crate::Result<()> {
        let bad = |m: String| crate::Error::Invalid(format!("{what}: bảng thống kê: {m}"));
        let Some(map) = value.as_object() else {
            return Err(bad(
                "phải là bảng chỉ tiêu: số liệu (ví dụ so_vu_viec_phat_hien: 3)".into(),
            ));
        };
        for k in map.keys() {
            match self.indicator(k) {
                None => {
                    return Err(bad(format!(
                        "`{k}` không phải chỉ tiêu của “{}”{}",
                        self.title,
                        super::check::did_you_mean(
                            k,
                            self.indicators.iter().map(|x| x.id.as_str())
                        )
                    )));
                }
                Some(i) if !i.filled() => {
                    return Err(bad(format!(
                        "`{k}` ({}) là tỷ lệ hoso tính từ các chỉ tiêu khác, không điền",
                        i.label
                    )));
                }
                Some(_) => {}
            }
        }
        for i in self.indicators.iter().filter(|i| i.filled()) {
            let Some(v) = map.get(&i.id) else {
                return Err(bad(format!(
                    "thiếu chỉ tiêu `{}` ({}); không có thì ghi 0",
                    i.id, i.label
                )));
            };
            let n = v.as_f64().ok_or_else(|| {
                bad(format!(
                    "`{}` ({}) phải là số, không phải {v}",
                    i.id, i.label
                ))
            })?;
            if n < 0.0 || !n.is_finite() {
                return Err(bad(format!("`{}` ({}) không thể âm: {n}", i.id, i.label)));
            }
            if i.unit != "%" && n.fract() != 0.0 {
                return Err(bad(format!(
                    "`{}` ({}) đếm bằng {}: phải là số nguyên, không phải {n}",
                    i.id, i.label, i.unit
                )));
            }
            if i.unit == "%" && n > 100.0 {
                return Err(bad(format!(
                    "`{}` ({}) là tỷ lệ từ 0 đến 100, không phải {n}",
                    i.id, i.label
                )));
            }
        }
        let num = |id: &str| map.get(id).and_then(Value::as_f64).unwrap_or(0.0);
        for i in &self.indicators {
            if !i.sum_of.is_empty() {
                let parts: f64 = i.sum_of.iter().map(|p| num(p)).sum();
                if (parts - num(&i.id)).abs() > 1e-9 {
                    return Err(bad(format!(
                        "`{}` ({}) là {}, nhưng {} cộng lại được {}",
                        i.id,
                        i.label,
                        num(&i.id),
                        i.sum_of.join(" + "),
                        parts
                    )));
                }
            }
            if let Some(whole) = &i.at_most
                && num(&i.id) > num(whole)
            {
                return Err(bad(format!(
                    "`{}` ({}) là {}, vượt `{whole}` ({})",
                    i.id,
                    i.label,
                    num(&i.id),
                    num(whole)
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form() -> Form {
        serde_yaml::from_str(
            r#"
title: Bảng thống kê
indicators:
  - {id: vu_viec, label: Vụ việc phát hiện, unit: vụ, sum_of: [vu_hinh_su, vu_khac]}
  - {id: vu_hinh_su, label: Vụ hình sự, unit: vụ}
  - {id: vu_khac, label: Vụ khác, unit: vụ}
  - {id: thanh_vien, label: Thành viên, unit: người, aggregate: latest}
  - {id: nu, label: Thành viên nữ, unit: người, aggregate: latest, at_most: thanh_vien}
  - {id: ty_le_nu, label: Tỷ lệ nữ, unit: "%", aggregate: percent, of: [nu, thanh_vien]}
"#,
        )
        .unwrap()
    }

    #[test]
    fn a_sound_form_passes() {
        let f = form();
        assert!(f.problems().is_empty(), "{:?}", f.problems());
        let ok = json!({"vu_viec": 5, "vu_hinh_su": 2, "vu_khac": 3, "thanh_vien": 12, "nu": 4});
        f.check(&ok, "bước `x`").unwrap();
    }

    #[test]
    fn unit_forms_are_refused_with_the_indicator_named() {
        let f = form();
        let cases = [
            (
                json!({"vu_viec": 5, "vu_hinh_su": 2, "vu_khac": 2, "thanh_vien": 1, "nu": 0}),
                "vu_hinh_su + vu_khac cộng lại được 4",
            ),
            (
                json!({"vu_viec": 0, "vu_hinh_su": 0, "vu_khac": 0, "thanh_vien": 3, "nu": 4}),
                "vượt `thanh_vien`",
            ),
            (
                json!({"vu_viec": -1, "vu_hinh_su": 0, "vu_khac": 0, "thanh_vien": 3, "nu": 0}),
                "không thể âm",
            ),
            (
                json!({"vu_viec": 0.5, "vu_hinh_su": 0, "vu_khac": 0, "thanh_vien": 3, "nu": 0}),
                "số nguyên",
            ),
            (
                json!({"vu_viec": "3", "vu_hinh_su": 0, "vu_khac": 0, "thanh_vien": 3, "nu": 0}),
                "phải là số",
            ),
            (
                json!({"vu_hinh_su": 0, "vu_khac": 0, "thanh_vien": 3, "nu": 0}),
                "thiếu chỉ tiêu `vu_viec`",
            ),
            (
                json!({"vu_viec": 0, "vu_hinh_su": 0, "vu_khac": 0, "thanh_vien": 3, "nu": 0, "ty_le_nu": 5}),
                "không điền",
            ),
            (json!({"vu_vie": 0}), "có phải `vu_viec`"),
            (json!([1, 2]), "phải là bảng chỉ tiêu"),
        ];
        for (v, want) in cases {
            let e = f
                .check(&v, "bước `bao-cao-dinh-ky`")
                .unwrap_err()
                .to_string();
            assert!(e.contains(want), "{v}: {e}");
            assert!(e.contains("bước `bao-cao-dinh-ky`"), "{e}");
        }
    }

    #[test]
    fn the_forms_own_mistakes_are_named() {
        let f: Form = serde_yaml::from_str(
            r#"
title: T
indicators:
  - {id: a, label: A, unit: vụ, sum_of: [b, c]}
  - {id: b, label: B, unit: vụ}
  - {id: b, label: B2, unit: vụ}
  - {id: p, label: P, unit: "%", aggregate: percent, of: [a]}
  - {id: Hoa, label: H, unit: vụ, at_most: p}
"#,
        )
        .unwrap();
        let p = f.problems().join("\n");
        for want in [
            "`b` khai báo hai lần",
            "nhắc tới `c`",
            "đúng hai chỉ tiêu",
            "`Hoa` chỉ gồm chữ thường",
            "một tỷ lệ tính ra",
        ] {
            assert!(p.contains(want), "{want}: {p}");
        }
    }
}
