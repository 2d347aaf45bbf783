//! The days public offices do not work: Saturdays and Sundays, and each year's holidays, nghỉ bù
//! and hoán đổi as announced (`workflows/ngay-nghi/<year>.yaml`, each period with its source),
//! less the Saturdays worked in exchange (làm bù). Deadlines use it to move off a day nobody is
//! at the office (a deadline's `if_day_off`), and to say when one falls on such a day.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

use crate::error::{Error, Result};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_ngay_nghi.rs"));
}

/// One year's file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    year: i32,
    #[serde(default)]
    days_off: Vec<Period>,
    /// Saturdays or Sundays worked in exchange for a weekday off.
    #[serde(default)]
    work_days: Vec<Period>,
}

/// A day (`date`) or the days `from`–`until`, with what they are.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Period {
    #[serde(default)]
    date: Option<NaiveDate>,
    #[serde(default)]
    from: Option<NaiveDate>,
    #[serde(default)]
    until: Option<NaiveDate>,
    name: String,
}

impl Period {
    /// Its days, or why it has none.
    fn days(&self) -> std::result::Result<Vec<NaiveDate>, String> {
        let (first, last) = match (self.date, self.from, self.until) {
            (Some(d), None, None) => (d, d),
            (None, Some(f), Some(u)) if f <= u && (u - f).num_days() < 31 => (f, u),
            _ => {
                return Err(format!(
                    "`{}`: ghi `date`, hoặc `from` và `until` (từ ngày đến ngày, không quá 31 ngày)",
                    self.name
                ));
            }
        };
        Ok(first.iter_days().take_while(|d| *d <= last).collect())
    }
}

/// The non-working days of the years its files cover; other years have only their weekends.
#[derive(Debug, Default, Clone)]
pub struct DaysOff {
    off: BTreeMap<NaiveDate, String>,
    worked: BTreeSet<NaiveDate>,
}

/// "thứ Bảy", "Chủ nhật": a weekend day in words.
fn weekend(d: NaiveDate) -> Option<&'static str> {
    match d.weekday() {
        Weekday::Sat => Some("thứ Bảy"),
        Weekday::Sun => Some("Chủ nhật"),
        _ => None,
    }
}

/// The days off of the built-in files, read once. They are checked by this module's tests, so
/// an error cannot reach a binary; were it to, deadlines would see weekends only.
static NATIONAL: LazyLock<DaysOff> = LazyLock::new(|| DaysOff::embedded().unwrap_or_default());

/// The built-in files as one SHA-256: deadlines kept from another set are worked out again.
pub fn digest() -> String {
    let mut all = Vec::new();
    for (name, text) in embedded::EMBEDDED {
        all.extend_from_slice(name.as_bytes());
        all.push(0);
        all.extend_from_slice(text.as_bytes());
        all.push(0);
    }
    crate::fsutil::sha256_hex(&all)
}

impl DaysOff {
    /// The national calendar built into the binary.
    pub fn national() -> &'static DaysOff {
        &NATIONAL
    }

    pub fn embedded() -> Result<DaysOff> {
        let mut out = DaysOff::default();
        for (name, text) in embedded::EMBEDDED {
            out.add(&Path::new("workflows/ngay-nghi").join(name), text)?;
        }
        Ok(out)
    }

    /// Adds one year's file; `path` names it in errors.
    pub fn add(&mut self, path: &Path, text: &str) -> Result<()> {
        let year: YearFile = crate::fsutil::parse_yaml(path, text, 0)?;
        let bad = |m: String| Error::Invalid(format!("{}: {m}", path.display()));
        for (periods, worked) in [(&year.days_off, false), (&year.work_days, true)] {
            for p in periods {
                for d in p.days().map_err(bad)? {
                    if d.year() != year.year {
                        return Err(bad(format!(
                            "`{}`: ngày {} không thuộc năm {}",
                            p.name,
                            d.format("%d/%m/%Y"),
                            year.year
                        )));
                    }
                    if worked {
                        if weekend(d).is_none() {
                            return Err(bad(format!(
                                "`{}`: ngày làm bù {} không phải thứ Bảy hay Chủ nhật",
                                p.name,
                                d.format("%d/%m/%Y")
                            )));
                        }
                        self.worked.insert(d);
                    } else {
                        self.off.insert(d, p.name.clone());
                    }
                }
            }
        }
        Ok(())
    }

    /// Why `d` is not a working day ("Tết Nguyên đán Giáp Thìn", "Chủ nhật"); None for a
    /// working day.
    pub fn why_off(&self, d: NaiveDate) -> Option<&str> {
        if let Some(name) = self.off.get(&d) {
            return Some(name);
        }
        if self.worked.contains(&d) {
            return None;
        }
        weekend(d)
    }

    pub fn is_working(&self, d: NaiveDate) -> bool {
        self.why_off(d).is_none()
    }

    /// `d` if it is a working day, else the last working day before it.
    pub fn previous_working(&self, d: NaiveDate) -> NaiveDate {
        let mut at = d;
        // Never more than a Tết and its weekends in a row: the bound only guards the loop.
        for _ in 0..60 {
            if self.is_working(at) {
                return at;
            }
            at = at.pred_opt().unwrap_or(at);
        }
        d
    }

    /// `d` if it is a working day, else the first working day after it.
    pub fn next_working(&self, d: NaiveDate) -> NaiveDate {
        let mut at = d;
        for _ in 0..60 {
            if self.is_working(at) {
                return at;
            }
            at = at.succ_opt().unwrap_or(at);
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_built_in_files_load() {
        let all = DaysOff::embedded().unwrap();
        for year in 2023..=2026 {
            assert!(
                all.off.keys().any(|d| d.year() == year),
                "no days off in {year}"
            );
        }
    }

    /// Each named holiday of 2023–2026 as announced (see the files for the sources): the day is
    /// off, with its name; the working days around it are not.
    #[test]
    fn each_named_holiday() {
        let c = DaysOff::embedded().unwrap();
        let off = |day: &str, name: &str| {
            assert_eq!(c.why_off(d(day)), Some(name), "{day}");
        };
        // Tết Dương lịch
        off("2023-01-02", "Tết Dương lịch (nghỉ bù)");
        off("2024-01-01", "Tết Dương lịch");
        off("2025-01-01", "Tết Dương lịch");
        off("2026-01-01", "Tết Dương lịch");
        off("2026-01-02", "Nghỉ hoán đổi (làm bù thứ Bảy 10/01/2026)");
        // Tết Nguyên đán: every weekday of each break.
        for (from, until, name) in [
            ("2023-01-20", "2023-01-26", "Tết Nguyên đán Quý Mão"),
            ("2024-02-08", "2024-02-14", "Tết Nguyên đán Giáp Thìn"),
            ("2025-01-25", "2025-02-02", "Tết Nguyên đán Ất Tỵ"),
            ("2026-02-14", "2026-02-22", "Tết Nguyên đán Bính Ngọ"),
        ] {
            for day in d(from).iter_days().take_while(|x| *x <= d(until)) {
                assert_eq!(c.why_off(day), Some(name), "{day}");
            }
        }
        // Giỗ Tổ Hùng Vương (10/3 âm lịch).
        off("2023-04-29", "Giỗ Tổ Hùng Vương");
        off(
            "2023-05-02",
            "Nghỉ bù Giỗ Tổ Hùng Vương và Ngày Chiến thắng",
        );
        off("2024-04-18", "Giỗ Tổ Hùng Vương");
        off("2025-04-07", "Giỗ Tổ Hùng Vương");
        off("2026-04-27", "Giỗ Tổ Hùng Vương (nghỉ bù)");
        // 30/4 and 1/5, with the swaps.
        off("2023-05-01", "Ngày Quốc tế Lao động");
        off(
            "2023-05-03",
            "Nghỉ bù Giỗ Tổ Hùng Vương và Ngày Chiến thắng",
        );
        off("2024-04-29", "Nghỉ hoán đổi (làm bù thứ Bảy 04/05/2024)");
        off("2024-04-30", "Ngày Chiến thắng");
        off("2024-05-01", "Ngày Quốc tế Lao động");
        off("2025-04-30", "Ngày Chiến thắng");
        off("2025-05-02", "Nghỉ hoán đổi (làm bù thứ Bảy 26/04/2025)");
        off("2026-04-30", "Ngày Chiến thắng");
        off("2026-05-01", "Ngày Quốc tế Lao động");
        // Quốc khánh and its adjacent day.
        for day in [
            "2023-09-01",
            "2023-09-04",
            "2024-09-02",
            "2024-09-03",
            "2025-09-01",
            "2025-09-02",
            "2026-09-01",
            "2026-09-02",
        ] {
            off(day, "Quốc khánh");
        }
        off("2026-08-31", "Nghỉ hoán đổi (làm bù thứ Bảy 22/08/2026)");
        // The Saturdays worked in exchange are working days.
        for day in ["2024-05-04", "2025-04-26", "2026-01-10", "2026-08-22"] {
            assert!(c.is_working(d(day)), "{day}");
        }
        // Weekends are off in any year, named; an ordinary weekday is not.
        assert_eq!(c.why_off(d("2023-12-10")), Some("Chủ nhật"));
        assert_eq!(c.why_off(d("2030-06-01")), Some("thứ Bảy"));
        assert!(c.is_working(d("2024-04-17")) && c.is_working(d("2024-04-19")));
        assert!(c.is_working(d("2023-12-08")));
    }

    #[test]
    fn moving_off_a_day_off() {
        let c = DaysOff::embedded().unwrap();
        // Mùng 1 Tết Giáp Thìn: the break runs 08–14/02/2024.
        assert_eq!(c.previous_working(d("2024-02-10")), d("2024-02-07"));
        assert_eq!(c.next_working(d("2024-02-10")), d("2024-02-15"));
        // Kon Tum's 10/12/2023, a Sunday.
        assert_eq!(c.previous_working(d("2023-12-10")), d("2023-12-08"));
        assert_eq!(c.next_working(d("2023-12-10")), d("2023-12-11"));
        // A working day stays.
        assert_eq!(c.previous_working(d("2023-12-08")), d("2023-12-08"));
        // Across the 2024 swap: 27/04–01/05 off, Saturday 04/05 worked.
        assert_eq!(c.next_working(d("2024-04-27")), d("2024-05-02"));
        assert_eq!(c.next_working(d("2024-05-04")), d("2024-05-04"));
    }

    #[test]
    fn a_broken_file_is_named() {
        let mut c = DaysOff::default();
        let p = Path::new("2027.yaml");
        let e = c
            .add(
                p,
                "year: 2027\ndays_off:\n  - {from: 2027-02-10, name: Tết}\n",
            )
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("2027.yaml: `Tết`: ghi `date`, hoặc `from` và `until`"),
            "{e}"
        );
        let e = c
            .add(
                p,
                "year: 2027\nwork_days:\n  - {date: 2027-02-10, name: Làm bù}\n",
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains("không phải thứ Bảy hay Chủ nhật"), "{e}");
        let e = c
            .add(
                p,
                "year: 2027\ndays_off:\n  - {date: 2026-02-10, name: X}\n",
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains("không thuộc năm 2027"), "{e}");
    }
}
