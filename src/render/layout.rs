//! Every layout constant both renderers share: page, margins, column widths, sizes and
//! emphasis by role, spacing. Chosen inside the ranges of Nghị định 30/2020, Phụ lục I, using
//! the sizes of its Phụ lục III samples (Quốc hiệu 13, tiêu ngữ 14, body 14).

pub use crate::document::TextStyle;
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
/// Space between the last line of text and the Nơi nhận / signature block.
pub const CLOSING_GAP_PT: f32 = 12.0;
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

const fn st(size: f32, bold: bool, italic: bool) -> TextStyle {
    TextStyle::new(size, bold, italic)
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

/// A line's style: its family's own for its role where the family sets one, else the decree's.
pub fn line_style(line: &Line) -> TextStyle {
    line.style.unwrap_or_else(|| style(line.role))
}

/// `text` in `s` as runs of one style each: an underlined label's closing colon stands outside
/// the underline, which is as long as the label's words ("Nơi nhận" of a Party document, HD 05
/// Phần II, I.9.2.1). Any other text is one run.
pub fn runs(text: &str, s: TextStyle) -> Vec<(&str, TextStyle)> {
    match text.strip_suffix(':') {
        Some(words) if s.underline && !words.is_empty() => vec![
            (words, s),
            (
                &text[words.len()..],
                TextStyle {
                    underline: false,
                    ..s
                },
            ),
        ],
        _ => vec![(text, s)],
    }
}

/// The style of `line` within its block `lines`: a point smaller at a time, down to 12 pt, while
/// one line of the agency's name or its parent's would not fit the column (agency names may be
/// 12–13 pt by the decree; HD 36 sets a Party body's 14), so that a long name such as "VÀ XÂY
/// DỰNG PHONG TRÀO" keeps the line breaks the agency chose. The parent's lines and the agency's
/// keep one size, as in the decree's examples (Phụ lục I, Mục V: parent 12 and agency 12;
/// Phụ lục III: 13 and 13): "UBND TỈNH THÁI NGUYÊN" is not set larger than "PHƯỜNG PHAN ĐÌNH
/// PHÙNG" under it. (A family that sizes the two roles apart keeps them apart.)
pub fn fitted_style(line: &Line, lines: &[Line], column_mm: f32) -> TextStyle {
    let s = line_style(line);
    if !matches!(line.role, Role::ParentAgency | Role::Agency) {
        return s;
    }
    let avail = column_mm - 2.0 * CELL_PAD_MM;
    let fits = |size: f32| {
        lines
            .iter()
            .filter(|l| {
                matches!(l.role, Role::ParentAgency | Role::Agency) && line_style(l).size == s.size
            })
            .all(|l| {
                let ls = line_style(l);
                fonts::text_width_mm(&l.text, size, ls.bold, ls.italic) <= avail
            })
    };
    let mut size = s.size;
    while size > 12.0 && !fits(size) {
        size -= 1.0;
    }
    TextStyle { size, ..s }
}

/// The first line of an agency's name (or its parent's) too long for the header column even
/// at 12 pt: the renderers would break it wherever the width runs out — "TRƯỜNG TRUNG HỌC PHỔ
/// / THÔNG" — splitting a word of two syllables, so the agency must choose its breaks.
pub fn agency_line_too_long(agency: &[Line]) -> Option<&Line> {
    agency.iter().find(|l| {
        matches!(l.role, Role::ParentAgency | Role::Agency)
            && line_width_mm(l, agency, HEADER_LEFT_MM) > HEADER_LEFT_MM - 2.0 * CELL_PAD_MM
    })
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

/// A table cell's lines as plain text.
fn cell_lines(cell: &[Inline]) -> Vec<String> {
    let mut lines = vec![String::new()];
    for i in cell {
        match i {
            Inline::Text(s) => lines
                .last_mut()
                .into_iter()
                .for_each(|l| l.push_str(&s.text)),
            Inline::Break => lines.push(String::new()),
            Inline::FootnoteRef(n) => lines
                .last_mut()
                .into_iter()
                .for_each(|l| l.push_str(&n.to_string())),
        }
    }
    lines
}

/// Column widths in mm, from the text measured in the table's font (as a browser's automatic
/// table layout does). Columns of short cells — "TT", a year, a name ("Nguyễn Văn Hòa", never
/// broken), "Thôn Kon Klốc" — get their whole width when the columns of running text can still
/// have their longest word; the running text shares the rest. A table narrower than the text
/// width is widened to it.
pub fn column_widths(t: &Table, ncols: usize) -> Vec<f32> {
    // Both paddings (`CELL_PAD_MM * 1.5` a side in both renderers) and 1 mm for the
    // renderers' different rounding.
    let pad = 3.0 * CELL_PAD_MM + 1.0;
    let mut want = vec![TABLE_MIN_COL_MM; ncols];
    let mut least = vec![TABLE_MIN_COL_MM; ncols];
    for (r, row) in std::iter::once(&t.header).chain(&t.rows).enumerate() {
        let bold = r == 0 && !t.header.is_empty();
        for (i, cell) in row.iter().enumerate().take(ncols) {
            for line in cell_lines(cell) {
                let width = |text: &str| fonts::text_width_mm(text, TABLE_PT, bold, false) + pad;
                want[i] = want[i].max(width(&line));
                // A name or a symbol never breaks (`glue`): it counts as one word.
                let word = crate::document::glue::words_whole(&line)
                    .into_iter()
                    .map(width)
                    .fold(0.0, f32::max);
                least[i] = least[i].max(word);
            }
        }
    }
    let total: f32 = want.iter().sum();
    if total <= TEXT_W_MM {
        return want.iter().map(|w| w * TEXT_W_MM / total).collect();
    }
    // Short: what a line of a third of the text width holds.
    let short: Vec<bool> = want.iter().map(|w| *w <= TEXT_W_MM / 3.0).collect();
    let needed: f32 = (0..ncols)
        .map(|i| if short[i] { want[i] } else { least[i] })
        .sum();
    let least_total: f32 = least.iter().sum();
    if least_total >= TEXT_W_MM {
        // Words too long for the page (a URL, a long code): every column as narrow as its
        // longest word allows, scaled to fit; the renderer breaks inside those words.
        return least.iter().map(|w| w * TEXT_W_MM / least_total).collect();
    }
    let mut widths = vec![0.0; ncols];
    let open: Vec<usize> = if needed <= TEXT_W_MM {
        for i in (0..ncols).filter(|&i| short[i]) {
            widths[i] = want[i];
        }
        (0..ncols).filter(|&i| !short[i]).collect()
    } else {
        (0..ncols).collect()
    };
    let free = TEXT_W_MM - widths.iter().sum::<f32>();
    fill(&mut widths, &open, free, &want, &least);
    widths
}

/// Shares `free` among the columns `open` like water poured over them: every column gets the
/// same, except that one needing less gets just what it wants and one whose longest word needs
/// more gets that (when the width allows).
fn fill(widths: &mut [f32], open: &[usize], mut free: f32, want: &[f32], least: &[f32]) {
    let mut open = open.to_vec();
    while !open.is_empty() {
        let level = free / open.len() as f32;
        let settle: Vec<(usize, f32)> = open
            .iter()
            .filter_map(|&i| {
                if want[i] <= level {
                    Some((i, want[i]))
                } else if least[i] > level {
                    Some((i, least[i]))
                } else {
                    None
                }
            })
            .collect();
        if settle.is_empty()
            || settle.len() == open.len() && settle.iter().all(|(i, _)| least[*i] > level)
        {
            for &i in &open {
                widths[i] = level;
            }
            return;
        }
        for (i, w) in settle {
            widths[i] = w;
            free -= w;
            open.retain(|&o| o != i);
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

    fn text(s: &str) -> Vec<Inline> {
        vec![Inline::Text(crate::document::Span {
            text: s.into(),
            bold: false,
            italic: false,
        })]
    }

    #[test]
    fn names_and_years_stay_on_one_line() {
        let row = |cells: &[&str]| cells.iter().map(|c| text(c)).collect::<Vec<_>>();
        let t = Table {
            header: row(&[
                "TT",
                "Họ và tên",
                "Năm sinh",
                "Nơi cư trú",
                "Nhiệm vụ trong mô hình",
            ]),
            rows: vec![
                row(&[
                    "1",
                    "Nguyễn Thị Phương Thảo",
                    "1978",
                    "Thôn Kon Klốc",
                    "Tổ trưởng, quản lý camera thôn 1, trích xuất dữ liệu khi Công an xã đề nghị",
                ]),
                row(&["2", "Đinh Thị Mai", "1985", "Thôn 2", "Theo dõi"]),
            ],
        };
        let w = column_widths(&t, 5);
        assert!((w.iter().sum::<f32>() - TEXT_W_MM).abs() < 0.01, "{w:?}");
        let one_line = |s: &str, bold: bool, col: usize| {
            fonts::text_width_mm(s, TABLE_PT, bold, false) + 3.0 * CELL_PAD_MM <= w[col]
        };
        assert!(one_line("Nguyễn Thị Phương Thảo", false, 1), "{w:?}");
        assert!(one_line("Họ và tên", true, 1), "{w:?}");
        assert!(one_line("1978", false, 2), "{w:?}");
        assert!(one_line("Thôn Kon Klốc", false, 3), "{w:?}");
        assert!(one_line("TT", true, 0), "{w:?}");
        // The running text takes what is left.
        assert!(w[4] > 40.0, "{w:?}");
    }

    /// A name never breaks (`glue`), so a column of running text is at least as wide as the
    /// longest name in it, not only its longest word.
    #[test]
    fn a_column_is_as_wide_as_its_longest_name() {
        let row = |cells: &[&str]| cells.iter().map(|c| text(c)).collect::<Vec<_>>();
        let long = "Tổ trưởng phụ trách tuyên truyền, vận động Nhân dân tham gia bảo vệ an ninh";
        let names = "Phối hợp với ông Nguyễn Hoàng Phương Thảo và bà Trần Thị Mai Hương";
        let t = Table {
            header: row(&["Việc", "Người", "Nơi", "Ghi chú"]),
            rows: vec![row(&[long, names, long, long])],
        };
        let w = column_widths(&t, 4);
        let name = fonts::text_width_mm("Nguyễn Hoàng Phương Thảo", TABLE_PT, false, false);
        assert!(w[1] >= name + 3.0 * CELL_PAD_MM, "{w:?}: {name}");
    }

    #[test]
    fn words_longer_than_the_page_still_give_positive_widths() {
        let row = |cells: &[&str]| cells.iter().map(|c| text(c)).collect::<Vec<_>>();
        let url = format!("https://{}", "a".repeat(300));
        let t = Table {
            header: row(&["TT", "Địa chỉ"]),
            rows: vec![row(&["1", &url]), row(&["2", &url])],
        };
        let w = column_widths(&t, 2);
        assert!(w.iter().all(|w| *w > 0.0), "{w:?}");
        assert!((w.iter().sum::<f32>() - TEXT_W_MM).abs() < 0.01, "{w:?}");
    }

    /// A parent's line is not set larger than the agency's name under it: when "PHƯỜNG PHAN
    /// ĐÌNH PHÙNG" needs 12 pt in bold, "UBND TỈNH THÁI NGUYÊN" is 12 pt too.
    #[test]
    fn parent_and_agency_keep_one_size() {
        let line = |role, text: &str| Line {
            text: text.into(),
            role,
            rule: None,
            frame_mm: None,
            style: None,
        };
        let lines = [
            line(Role::ParentAgency, "UBND TỈNH THÁI NGUYÊN"),
            line(Role::Agency, "ỦY BAN NHÂN DÂN"),
            line(Role::Agency, "PHƯỜNG PHAN ĐÌNH PHÙNG"),
        ];
        let sizes: Vec<f32> = lines
            .iter()
            .map(|l| fitted_style(l, &lines, HEADER_LEFT_MM).size)
            .collect();
        assert_eq!(sizes, [12.0, 12.0, 12.0]);
        let short = [
            line(Role::ParentAgency, "UBND XÃ ĐẮK MAR"),
            line(Role::Agency, "CÔNG AN XÃ"),
        ];
        let sizes: Vec<f32> = short
            .iter()
            .map(|l| fitted_style(l, &short, HEADER_LEFT_MM).size)
            .collect();
        assert_eq!(sizes, [13.0, 13.0]);
    }

    #[test]
    fn margins_inside_the_decree_ranges() {
        assert!((20.0..=25.0).contains(&MARGIN_TOP_MM));
        assert!((20.0..=25.0).contains(&MARGIN_BOTTOM_MM));
        assert!((30.0..=35.0).contains(&MARGIN_LEFT_MM));
        assert!((15.0..=20.0).contains(&MARGIN_RIGHT_MM));
    }
}
