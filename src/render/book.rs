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
    super::docx::pack(docx)
}
