//! Tables as an Excel workbook, for the provincial officer who reads the figures in a
//! spreadsheet: one sheet a table, Vietnamese headers in bold on a frozen first row with a
//! filter, dates as real dates shown dd/mm/yyyy, numbers as numbers. Written with
//! rust_xlsxwriter; the workbook claims the date it is given, not the clock, so the same table
//! gives the same bytes.

use chrono::NaiveDate;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

use crate::error::{Error, Result};

/// One cell's value, typed as the spreadsheet should hold it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Date(NaiveDate),
    Number(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s.to_string())
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::from(s.as_str())
    }
}

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Self {
        Cell::Date(d)
    }
}

/// A sheet: its name (Excel allows 31 characters, none of `[]:*?/\`), its columns with their
/// widths in characters, its rows.
pub struct Sheet {
    pub name: String,
    pub columns: Vec<(String, f64)>,
    pub rows: Vec<Vec<Cell>>,
}

/// A sheet as CSV (RFC 4180, UTF-8 with a BOM, without which Excel reads Vietnamese as another
/// code page). Dates as DD/MM/YYYY; a text that Excel would run as a formula (`=`, `+`, `-`,
/// `@` first) is prefixed with `'`, so a name someone typed never becomes one.
pub fn csv(sheet: &Sheet) -> String {
    let field = |s: &str| {
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_string()
        };
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let mut out = String::from("\u{feff}");
    let header: Vec<String> = sheet.columns.iter().map(|(c, _)| field(c)).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for row in &sheet.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Cell::Text(t) => field(t),
                Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
                Cell::Number(n) => n.to_string(),
                Cell::Empty => String::new(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The workbook's bytes. `title` and `author` go to its properties, `date` as its creation date.
pub fn workbook(sheets: &[Sheet], title: &str, author: &str, date: NaiveDate) -> Result<Vec<u8>> {
    let fail = |e: XlsxError| Error::Render {
        what: "XLSX".into(),
        message: e.to_string(),
    };
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(
        u16::try_from(chrono::Datelike::year(&date)).unwrap_or(2000),
        chrono::Datelike::month(&date) as u8,
        chrono::Datelike::day(&date) as u8,
    )
    .map_err(fail)?;
    book.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_author(author)
            .set_company(author)
            .set_creation_datetime(&created),
    );
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let text = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let day = Format::new()
        .set_num_format("dd/mm/yyyy")
        .set_align(FormatAlign::Top);
    for s in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(&s.name)).map_err(fail)?;
        for (c, (label, width)) in s.columns.iter().enumerate() {
            let c = c as u16;
            sheet.set_column_width(c, *width).map_err(fail)?;
            sheet
                .write_string_with_format(0, c, label, &header)
                .map_err(fail)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(t) => sheet.write_string_with_format(r, c, t, &text),
                    Cell::Date(d) => sheet.write_date_with_format(r, c, d, &day),
                    Cell::Number(n) => sheet.write_number(r, c, *n),
                    Cell::Empty => continue,
                }
                .map_err(fail)?;
            }
        }
        let last_col = s.columns.len().saturating_sub(1) as u16;
        sheet.set_freeze_panes(1, 0).map_err(fail)?;
        sheet
            .autofilter(0, 0, s.rows.len() as u32, last_col)
            .map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

/// A name Excel accepts: without `[]:*?/\`, not starting or ending with `'`, at most 31
/// characters.
fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect();
    let cleaned = cleaned.trim_matches('\'').trim();
    let short: String = cleaned.chars().take(31).collect();
    if short.is_empty() {
        "Bảng".into()
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_excel_accepts() {
        assert_eq!(sheet_name("Sổ [2026]: A/B"), "Sổ -2026-- A-B");
        assert_eq!(sheet_name("'x'"), "x");
        assert_eq!(sheet_name(&"Ủ".repeat(40)).chars().count(), 31);
        assert_eq!(sheet_name("[]"), "--");
        assert_eq!(sheet_name("''"), "Bảng");
    }

    #[test]
    fn the_same_table_gives_the_same_bytes() {
        let sheet = || Sheet {
            name: "Hồ sơ".into(),
            columns: vec![("Mã".into(), 10.0), ("Ngày".into(), 12.0)],
            rows: vec![vec![
                Cell::from("C0001 & <x>"),
                Cell::from(NaiveDate::from_ymd_opt(2023, 2, 6).unwrap()),
            ]],
        };
        let date = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let a = workbook(&[sheet()], "t", "a", date).unwrap();
        let b = workbook(&[sheet()], "t", "a", date).unwrap();
        assert_eq!(a, b);
        assert_eq!(&a[..2], b"PK");
    }
}
