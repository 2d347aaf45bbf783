//! Every layout constant both renderers share: page, margins, column widths, sizes and
//! emphasis by role, spacing. Chosen inside the ranges of Nghị định 30/2020, Phụ lục I, using
//! the sizes of its Phụ lục III samples (Quốc hiệu 13, tiêu ngữ 14, body 14).

use crate::document::{Inline, Line, Role, Rule, Table};

use super::fonts;

pub const PAGE_W_MM: f32 = 210.0;
pub const PAGE_H_MM: f32 = 297.0;
/// Margins: top 20–25, bottom 20–25, left 30–35, right 15–20 mm.
pub const MARGIN_TOP_MM: f32 = 20.0;
pub const MARGIN_BOTTOM_MM: f32 = 20.0;
pub const MARGIN_LEFT_MM: f32 = 30.0;
pub const MARGIN_RIGHT_MM: f32 = 15.0;
/// Distance from the page edge to the page-number line in the top margin.
pub const HEADER_DISTANCE_MM: f32 = 10.0;
pub const TEXT_W_MM: f32 = PAGE_W_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM;

/// Header columns: the bold 13 pt Quốc hiệu is 95.7 mm wide and must stay on one line.
pub const HEADER_LEFT_MM: f32 = 66.0;
pub const HEADER_RIGHT_MM: f32 = TEXT_W_MM - HEADER_LEFT_MM;
/// Closing row: Nơi nhận on the left, signature on the right.
pub const CLOSING_LEFT_MM: f32 = 72.0;
pub const CLOSING_RIGHT_MM: f32 = TEXT_W_MM - CLOSING_LEFT_MM;
/// Left and right padding inside a layout table cell.
pub const CELL_PAD_MM: f32 = 1.0;

/// Body text: 13–14 pt, justified, first-line indent 1 cm or 1.27 cm, at least 6 pt between
/// paragraphs, line spacing from single to 1.5.
pub const BODY_PT: f32 = 14.0;
pub const FIRST_LINE_INDENT_MM: f32 = 10.0;
pub const PARA_GAP_PT: f32 = 6.0;
pub const LINE_SPACING: f32 = 1.15;
/// Table text is one size smaller so that member lists fit.
pub const TABLE_PT: f32 = 13.0;
/// Narrowest table column: an order number "TT" in bold with its padding.
pub const TABLE_MIN_COL_MM: f32 = 11.0;
pub const FOOTNOTE_PT: f32 = 10.0;
pub const PAGE_NUMBER_PT: f32 = 14.0;
/// Room for signature and seal between the title lines and the name.
pub const SIGNATURE_GAP_MM: f32 = 24.0;
/// Thickness of the rules under the agency name, tiêu ngữ and trích yếu.
pub const RULE_PT: f32 = 0.5;
/// Share of a line's width that a short rule takes (the decree: 1/3 to 1/2).
pub const SHORT_RULE_SHARE: f32 = 0.4;
/// The "DỰ THẢO" mark, when asked for: a framed word at the top right, outside the decree's
/// boxes.
pub const DRAFT_MARK: &str = "DỰ THẢO";
/// Stamps (urgency, secrecy, draft mark) are framed boxes 8 mm high.
pub const STAMP_H_MM: f32 = 8.0;
/// The draft mark's text style and its frame's width (the word plus 3 mm each side).
pub const DRAFT_MARK_STYLE: TextStyle = st(13.0, true, false);

pub fn draft_mark_width_mm() -> f32 {
    fonts::text_width_mm(DRAFT_MARK, DRAFT_MARK_STYLE.size, true, false) + 6.0
}

/// Size and emphasis of a laid-out line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    pub size: f32,
    pub bold: bool,
    pub italic: bool,
}

const fn st(size: f32, bold: bool, italic: bool) -> TextStyle {
    TextStyle { size, bold, italic }
}

/// The decree's table of sizes and styles (Phụ lục I, Mục V), one choice per role.
pub fn style(role: Role) -> TextStyle {
    match role {
        Role::ParentAgency => st(13.0, false, false),
        Role::Agency => st(13.0, true, false),
        Role::NationalTitle => st(13.0, true, false),
        Role::Motto => st(14.0, true, false),
        Role::Number => st(13.0, false, false),
        Role::Vv => st(12.0, false, false),
        Role::DatePlace => st(14.0, false, true),
        Role::Secrecy | Role::Urgency => st(13.0, true, false),
        Role::TypeName => st(14.0, true, false),
        Role::TrichYeu => st(14.0, true, false),
        Role::AttachedNote => st(14.0, false, true),
        Role::KinhGui => st(14.0, false, false),
        Role::NoiNhanLabel => st(12.0, true, true),
        Role::NoiNhanItem => st(11.0, false, false),
    }
}

/// The style of `line` within its block `lines`: one point smaller for every line of its role
/// when one of them would not fit the column and the decree's range allows it (agency names
/// may be 12–13 pt), so that a long name such as "VÀ XÂY DỰNG PHONG TRÀO" keeps the line
/// breaks the agency chose and all lines of the name keep one size.
pub fn fitted_style(line: &Line, lines: &[Line], column_mm: f32) -> TextStyle {
    let s = style(line.role);
    if !matches!(line.role, Role::ParentAgency | Role::Agency) {
        return s;
    }
    let avail = column_mm - 2.0 * CELL_PAD_MM;
    let overflows = lines
        .iter()
        .filter(|l| l.role == line.role)
        .any(|l| fonts::text_width_mm(&l.text, s.size, s.bold, s.italic) > avail);
    if overflows {
        TextStyle { size: 12.0, ..s }
    } else {
        s
    }
}

/// Signature lines (authority, titles, name): 14 pt bold.
pub const SIGNATURE: TextStyle = st(14.0, true, false);

/// Width in mm of a line as set in its block.
pub fn line_width_mm(line: &Line, lines: &[Line], column_mm: f32) -> f32 {
    let s = fitted_style(line, lines, column_mm);
    fonts::text_width_mm(&line.text, s.size, s.bold, s.italic)
}

/// Length in mm of the rule drawn under `lines` (the rule hangs on the last one) in a column
/// `column_mm` wide: a short rule is a share of the widest line, a full rule as long as the
/// ruled line's text.
pub fn rule_width_mm(lines: &[Line], column_mm: f32) -> Option<f32> {
    let last = lines.last()?;
    let avail = column_mm - 2.0 * CELL_PAD_MM;
    match last.rule? {
        Rule::Short => {
            let widest = lines
                .iter()
                .filter(|l| l.role == last.role)
                .map(|l| line_width_mm(l, lines, column_mm))
                .fold(0.0, f32::max)
                .min(avail);
            Some(widest * SHORT_RULE_SHARE)
        }
        Rule::Full => Some(line_width_mm(last, lines, column_mm).min(avail)),
        Rule::Asterisk => None,
    }
}

/// Column widths in mm, shared out by each column's longest cell, so that "TT" stays narrow
/// and names get room.
pub fn column_widths(t: &Table, ncols: usize) -> Vec<f32> {
    let len = |c: &Vec<Inline>| -> f32 {
        c.iter()
            .map(|i| match i {
                Inline::Text(s) => s.text.chars().count(),
                _ => 1,
            })
            .sum::<usize>() as f32
    };
    let weights: Vec<f32> = (0..ncols)
        .map(|i| {
            std::iter::once(&t.header)
                .chain(t.rows.iter())
                .filter_map(|r| r.get(i))
                .map(len)
                .fold(2.0, f32::max)
                .min(45.0)
        })
        .collect();
    // Shares by weight, but no column narrower than `TABLE_MIN_COL_MM`: "TT" must not wrap.
    let mut widths: Vec<f32> = vec![0.0; ncols];
    let mut fixed = vec![false; ncols];
    loop {
        let free: f32 = TEXT_W_MM
            - widths
                .iter()
                .zip(&fixed)
                .filter(|(_, f)| **f)
                .map(|(w, _)| w)
                .sum::<f32>();
        let total: f32 = weights
            .iter()
            .zip(&fixed)
            .filter(|(_, f)| !**f)
            .map(|(w, _)| w)
            .sum();
        let mut changed = false;
        for i in 0..ncols {
            if !fixed[i] {
                widths[i] = weights[i] / total * free;
                if widths[i] < TABLE_MIN_COL_MM {
                    widths[i] = TABLE_MIN_COL_MM;
                    fixed[i] = true;
                    changed = true;
                }
            }
        }
        if !changed || fixed.iter().all(|f| *f) {
            return widths;
        }
    }
}

pub fn mm_to_pt(mm: f32) -> f32 {
    mm * 72.0 / 25.4
}

pub fn mm_to_twips(mm: f32) -> i32 {
    (mm * 1440.0 / 25.4).round() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoc_hieu_fits_its_column() {
        let s = style(Role::NationalTitle);
        let w = fonts::text_width_mm("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", s.size, s.bold, false);
        assert!(w < HEADER_RIGHT_MM - 2.0 * CELL_PAD_MM, "{w}");
    }

    #[test]
    fn margins_inside_the_decree_ranges() {
        assert!((20.0..=25.0).contains(&MARGIN_TOP_MM));
        assert!((20.0..=25.0).contains(&MARGIN_BOTTOM_MM));
        assert!((30.0..=35.0).contains(&MARGIN_LEFT_MM));
        assert!((15.0..=20.0).contains(&MARGIN_RIGHT_MM));
    }
}
