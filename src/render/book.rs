//! A register book (sổ đăng ký) as a landscape DOCX: a title, then for each book (one an issuing
//! body) its name and a table with a header row and one row per entry, for the văn thư to print
//! or hand over. Plain rows in, so the renderer knows nothing of the register.

use docx_rs::{
    AlignmentType, Docx, PageMargin, PageOrientationType, Paragraph, Run, RunFonts, Table,
    TableCell, TableRow, WidthType,
};

use super::layout as l;
use crate::error::Result;

fn twips(mm: f32) -> i32 {
    (mm / 25.4 * 1440.0).round() as i32
}

fn text(s: &str, pt: f32, bold: bool) -> Run {
    let mut r = Run::new().add_text(s).size((pt * 2.0) as usize).fonts(
        RunFonts::new()
            .ascii(super::fonts::FAMILY)
            .hi_ansi(super::fonts::FAMILY)
            .cs(super::fonts::FAMILY)
            .east_asia(super::fonts::FAMILY),
    );
    if bold {
        r = r.bold();
    }
    r
}

/// One body's book: its name and its rows.
pub type Section = (String, Vec<Vec<String>>);

/// Renders `title` over one table of `columns` (widths in millimetres) per section.
pub fn docx(title: &str, columns: &[(&str, f32)], sections: &[Section]) -> Result<Vec<u8>> {
    // A4 landscape, the decree's margins turned with the page.
    let (w, h) = (l::PAGE_H_MM, l::PAGE_W_MM);
    let mut docx = Docx::new()
        .page_size(twips(w) as u32, twips(h) as u32)
        .page_orient(PageOrientationType::Landscape)
        .page_margin(
            PageMargin::new()
                .top(twips(l::MARGIN_RIGHT_MM))
                .bottom(twips(l::MARGIN_LEFT_MM))
                .left(twips(l::MARGIN_TOP_MM))
                .right(twips(l::MARGIN_BOTTOM_MM)),
        )
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(text(title, 14.0, true)),
        )
        .add_paragraph(Paragraph::new());
    let cell = |s: &str, width: f32, head: bool| {
        let mut p = Paragraph::new();
        if head {
            p = p.align(AlignmentType::Center);
        }
        for (i, line) in s.split('\n').enumerate() {
            if i > 0 {
                p = p.add_run(Run::new().add_break(docx_rs::BreakType::TextWrapping));
            }
            p = p.add_run(text(line, if head { 10.0 } else { 11.0 }, head));
        }
        TableCell::new()
            .width(twips(width) as usize, WidthType::Dxa)
            .add_paragraph(p)
    };
    for (heading, rows) in sections {
        docx = docx.add_paragraph(
            Paragraph::new()
                .keep_next(true)
                .add_run(text(heading, 12.0, true)),
        );
        let mut table_rows = vec![
            TableRow::new(columns.iter().map(|(c, w)| cell(c, *w, true)).collect()).cant_split(),
        ];
        for r in rows {
            table_rows.push(
                TableRow::new(
                    columns
                        .iter()
                        .enumerate()
                        .map(|(i, (_, w))| {
                            cell(r.get(i).map(String::as_str).unwrap_or(""), *w, false)
                        })
                        .collect(),
                )
                .cant_split(),
            );
        }
        docx = docx
            .add_table(
                Table::new(table_rows)
                    .set_grid(columns.iter().map(|(_, w)| twips(*w) as usize).collect())
                    .layout(docx_rs::TableLayoutType::Fixed),
            )
            .add_paragraph(Paragraph::new());
    }
    // The book's keeper: the issuing body when the book is one body's.
    let author = match sections {
        [(name, _)] => name.as_str(),
        _ => "",
    };
    let properties = super::ooxml::Properties {
        title,
        author,
        date: None,
    };
    // Every table's first row names the columns: repeated on each page of a long book.
    let header_rows = vec![true; sections.len()];
    super::docx::pack(docx, &properties, &header_rows, &[], super::ooxml::BEST)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A year's book of a busy commune: 1,500 entries.
    fn big_book() -> Vec<u8> {
        let widths = [31.0, 22.0, 48.0, 28.0, 40.0, 22.0, 14.0, 15.0, 15.0, 22.0];
        let columns: Vec<(&str, f32)> = crate::register::BOOK_COLUMNS
            .iter()
            .copied()
            .zip(widths)
            .collect();
        let rows = (1..=1500)
            .map(|n| {
                vec![
                    format!("{n:02}/QĐ-UBND"),
                    format!("{:02}/{:02}/2026", n % 28 + 1, n % 12 + 1),
                    format!("Quyết định về việc kiện toàn Ban Chỉ đạo mô hình số {n}"),
                    "Nguyễn Văn Hòa".into(),
                    "Công an tỉnh; UBND huyện; các thành viên".into(),
                    "VT, CAX".into(),
                    (n % 9 + 2).to_string(),
                ]
            })
            .collect();
        let sections = vec![("ỦY BAN NHÂN DÂN XÃ ĐẮK MAR".to_string(), rows)];
        docx("SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM 2026", &columns, &sections).unwrap()
    }

    #[test]
    fn a_large_book_is_deflated_and_reproducible() {
        let bytes = big_book();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
        let mut xml = 0;
        for i in 0..z.len() {
            let f = z.by_index(i).unwrap();
            assert_eq!(
                f.compression(),
                zip::CompressionMethod::Deflated,
                "{}",
                f.name()
            );
            xml += f.size();
        }
        // Megabytes of repeated run and cell properties (stored: 5.4 MB); deflated, about 2%.
        assert!(xml > 4_000_000, "{xml}");
        assert!(bytes.len() < 150_000, "{} bytes", bytes.len());
        assert_eq!(bytes, big_book());
    }
}
