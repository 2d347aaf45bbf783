//! Địa danh và thời gian: the place and date line of Nghị định 30/2020, Phụ lục I, II.4.

use chrono::{Datelike, NaiveDate};

/// The date a document carries: fixed when issued, or only month and year in a draft, where
/// the văn thư writes the day in after signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocDate {
    Issued(NaiveDate),
    Draft { month: u32, year: i32 },
}

/// Blank left for a number or a day the văn thư fills in by hand, as in the Kon Tum drafts.
pub const BLANK: &str = "      ";

/// Day with a leading zero below 10.
fn day(d: u32) -> String {
    format!("{d:02}")
}

/// Months 1 and 2 take a leading zero, 3–12 do not ("tháng 02", "tháng 3").
fn month(m: u32) -> String {
    if m <= 2 {
        format!("{m:02}")
    } else {
        m.to_string()
    }
}

/// "ngày 05 tháng 02 năm 2023", or "ngày       tháng 12 năm 2022" for a draft.
pub fn ngay_thang_nam(date: DocDate) -> String {
    match date {
        DocDate::Issued(d) => format!(
            "ngày {} tháng {} năm {}",
            day(d.day()),
            month(d.month()),
            d.year()
        ),
        DocDate::Draft { month: m, year } => {
            format!("ngày {BLANK} tháng {} năm {year}", month(m))
        }
    }
}

/// "Kon Tum, ngày 05 tháng 02 năm 2023". The place name is the issuer's data, never derived.
pub fn dia_danh_thoi_gian(place: &str, date: DocDate) -> String {
    format!("{place}, {}", ngay_thang_nam(date))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> DocDate {
        DocDate::Issued(NaiveDate::from_ymd_opt(y, m, dd).unwrap())
    }

    #[test]
    fn nd30_date_vectors() {
        let cases = [
            (d(2023, 2, 5), "ngày 05 tháng 02 năm 2023"),
            (d(2022, 3, 4), "ngày 04 tháng 3 năm 2022"),
            (d(2022, 11, 18), "ngày 18 tháng 11 năm 2022"),
            (d(2024, 1, 1), "ngày 01 tháng 01 năm 2024"),
            (d(2019, 9, 9), "ngày 09 tháng 9 năm 2019"),
            (d(2020, 10, 10), "ngày 10 tháng 10 năm 2020"),
            (d(2021, 12, 28), "ngày 28 tháng 12 năm 2021"),
            (d(2022, 1, 20), "ngày 20 tháng 01 năm 2022"),
        ];
        for (date, want) in cases {
            assert_eq!(ngay_thang_nam(date), want);
        }
    }

    #[test]
    fn place_and_date() {
        assert_eq!(
            dia_danh_thoi_gian("Hà Nội", d(2020, 3, 5)),
            "Hà Nội, ngày 05 tháng 3 năm 2020"
        );
        assert_eq!(
            dia_danh_thoi_gian("Thành phố Hồ Chí Minh", d(2019, 6, 29)),
            "Thành phố Hồ Chí Minh, ngày 29 tháng 6 năm 2019"
        );
    }

    #[test]
    fn draft_leaves_the_day_blank() {
        let s = dia_danh_thoi_gian(
            "Kon Tum",
            DocDate::Draft {
                month: 12,
                year: 2022,
            },
        );
        assert_eq!(s, format!("Kon Tum, ngày {BLANK} tháng 12 năm 2022"));
        let s = ngay_thang_nam(DocDate::Draft {
            month: 2,
            year: 2023,
        });
        assert!(s.ends_with("tháng 02 năm 2023"));
    }
}
