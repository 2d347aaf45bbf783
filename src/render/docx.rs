//! DOCX output with docx-rs. Everything is positioned with borderless layout tables and
//! paragraph borders, the way the decree's own files are built, so Word and LibreOffice show
//! the same page. Fills two docx-rs gaps: rules are empty paragraphs carrying only a top
//! border, narrowed by indents (docx-rs has no line shapes), and footnotes get their styles.

use docx_rs::{
    AlignmentType, BorderType, Docx, Footnote, Header, LineSpacing, LineSpacingType, PageMargin,
    PageNum, Paragraph, ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, Pic, Run,
    RunFonts, SpecialIndentType, Style, StyleType, Table, TableCell, TableCellMargins, TableRow,
    VertAlignType, WidthType,
};

use super::fonts;
use super::layout::{self as l, TextStyle, mm_to_twips};
use crate::document::glue;
use crate::document::{Block, ChuKy, ClosingPart, Document, Inline, Line, Role, Rule};
use crate::error::{Error, Result};

fn half_points(pt: f32) -> usize {
    (pt * 2.0).round() as usize
}

fn font() -> RunFonts {
    RunFonts::new()
        .ascii(fonts::FAMILY)
        .hi_ansi(fonts::FAMILY)
        .east_asia(fonts::FAMILY)
        .cs(fonts::FAMILY)
}

/// A run of text. Fonts come from the document defaults (all four slots are Times New Roman),
/// so runs carry only what differs: size and emphasis.
/// Numbers and symbols and names ([`glue`]) are joined by no-break characters.
fn run(text: &str, s: TextStyle) -> Run {
    let mut r = Run::new().add_text(glue::joined(text));
    if s.size != l::BODY_PT {
        r = r.size(half_points(s.size));
    }
    if s.bold {
        r = r.bold();
    }
    if s.italic {
        r = r.italic();
    }
    if s.underline {
        r = r.underline("single");
    }
    r
}

/// Single-spaced, no space before or after: lines of the header and the closing blocks.
fn tight() -> LineSpacing {
    LineSpacing::new()
        .before(0)
        .after(0)
        .line(240)
        .line_rule(LineSpacingType::Auto)
}

/// A single-spaced paragraph with `before_pt` points above it.
fn tight_paragraph(before_pt: f32) -> Paragraph {
    let p = Paragraph::new().style(TIGHT_STYLE);
    if before_pt > 0.0 {
        p.line_spacing(LineSpacing::new().before((before_pt * 20.0).round() as u32))
    } else {
        p
    }
}

/// Body spacing: `PARA_GAP_PT` before, `LINE_SPACING` lines.
fn body_spacing() -> LineSpacing {
    LineSpacing::new()
        .before((l::PARA_GAP_PT * 20.0) as u32)
        .after(0)
        .line((240.0 * l::LINE_SPACING).round() as i32)
        .line_rule(LineSpacingType::Auto)
}

fn border(position: ParagraphBorderPosition) -> ParagraphBorder {
    ParagraphBorder::new(position)
        .val(BorderType::Single)
        .size((l::RULE_PT * 8.0).round() as usize)
        .space(1)
        .color("000000")
}

/// An empty paragraph 3 pt high: a rule's carrier, or a small gap after a table.
/// An empty paragraph exactly `pt` high: the space between blocks that Word cannot put above
/// a table.
fn spacer(pt: f32) -> Paragraph {
    Paragraph::new().line_spacing(
        LineSpacing::new()
            .before(0)
            .after(0)
            .line((pt * 20.0).round() as i32)
            .line_rule(LineSpacingType::Exact),
    )
}

/// An empty paragraph whose top border is a centred rule `width_mm` long in a column
/// `column_mm` wide.
fn rule_paragraph(width_mm: f32, column_mm: f32) -> Paragraph {
    let side = ((column_mm - 2.0 * l::CELL_PAD_MM - width_mm) / 2.0).max(0.0);
    let mut p = spacer(3.0)
        .indent(Some(mm_to_twips(side)), None, Some(mm_to_twips(side)), None)
        .line_spacing(
            LineSpacing::new()
                .before(40)
                .after(0)
                .line(60)
                .line_rule(LineSpacingType::Exact),
        )
        .add_run(Run::new().size(2));
    p.property = p
        .property
        .set_borders(ParagraphBorders::with_empty().set(border(ParagraphBorderPosition::Top)));
    p
}

/// A paragraph framed on all four sides, `width_mm` wide and centred: urgency, secrecy and
/// draft stamps.
fn stamp(
    text: &str,
    s: TextStyle,
    width_mm: f32,
    column_mm: f32,
    align: AlignmentType,
) -> Paragraph {
    let free = (column_mm - 2.0 * l::CELL_PAD_MM - width_mm).max(0.0);
    let (left, right) = match align {
        AlignmentType::Right => (free, 0.0),
        _ => (free / 2.0, free / 2.0),
    };
    let mut p = Paragraph::new()
        .align(AlignmentType::Center)
        .indent(
            Some(mm_to_twips(left)),
            None,
            Some(mm_to_twips(right)),
            None,
        )
        .line_spacing(LineSpacing::new().before(80).after(40))
        .add_run(run(text, s));
    let mut b = ParagraphBorders::with_empty();
    for pos in [
        ParagraphBorderPosition::Top,
        ParagraphBorderPosition::Bottom,
        ParagraphBorderPosition::Left,
        ParagraphBorderPosition::Right,
    ] {
        b = b.set(border(pos));
    }
    p.property = p.property.set_borders(b);
    p
}

/// Centred lines of a header or title block, with the rule of the last line.
fn centred_lines(lines: &[Line], column_mm: f32, first_gap_pt: f32) -> Vec<Paragraph> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let s = l::fitted_style(line, lines, column_mm);
        let before = match line.role {
            _ if i == 0 => first_gap_pt,
            Role::Vv | Role::Secrecy | Role::Urgency => 6.0,
            _ => 0.0,
        };
        if let Some(w) = line.frame_mm {
            out.push(stamp(&line.text, s, w, column_mm, AlignmentType::Center));
            continue;
        }
        out.push(
            tight_paragraph(before)
                .align(AlignmentType::Center)
                .add_run(run(&line.text, s)),
        );
    }
    if let Some(last) = lines.last() {
        match last.rule {
            Some(Rule::Asterisk) => out.push(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .style(TIGHT_STYLE)
                    .add_run(run("*", l::style(Role::Agency))),
            ),
            Some(_) => {
                let width = l::rule_width_mm(lines, column_mm).unwrap_or(0.0);
                out.push(rule_paragraph(width, column_mm));
            }
            None => {}
        }
    }
    out
}

fn cell(paragraphs: Vec<Paragraph>, width_mm: f32) -> TableCell {
    let mut c = TableCell::new().width(mm_to_twips(width_mm) as usize, WidthType::Dxa);
    if paragraphs.is_empty() {
        c = c.add_paragraph(Paragraph::new().style(TIGHT_STYLE));
    }
    for p in paragraphs {
        c = c.add_paragraph(p);
    }
    c
}

fn layout_table(rows: Vec<Vec<TableCell>>, widths_mm: &[f32]) -> Table {
    let pad = mm_to_twips(l::CELL_PAD_MM) as usize;
    Table::without_borders(rows.into_iter().map(TableRow::new).collect())
        .set_grid(widths_mm.iter().map(|w| mm_to_twips(*w) as usize).collect())
        .width(mm_to_twips(l::TEXT_W_MM) as usize, WidthType::Dxa)
        .layout(docx_rs::TableLayoutType::Fixed)
        .margins(TableCellMargins::new().margin(0, pad, 0, pad))
}

fn header_table(doc: &Document) -> Table {
    let h = doc.header();
    let (lw, rw) = (l::HEADER_LEFT_MM, l::HEADER_RIGHT_MM);
    let mut rows = vec![vec![
        cell(centred_lines(&h.agency, lw, 0.0), lw),
        cell(centred_lines(&h.national, rw, 0.0), rw),
    ]];
    if !(h.number.is_empty() && h.date.is_empty()) {
        rows.push(vec![
            cell(centred_lines(&h.number, lw, 6.0), lw),
            cell(centred_lines(&h.date, rw, 6.0), rw),
        ]);
    }
    layout_table(rows, &[lw, rw])
}

/// Context for body paragraphs: footnote texts to attach to references, and the pictures of
/// the document's charts in order (drawn before, since drawing can fail and a block cannot).
struct Body<'a> {
    footnotes: &'a [Vec<Inline>],
    charts: std::cell::RefCell<std::vec::IntoIter<(Vec<u8>, f32, f32)>>,
}

/// EMU (the unit of a DrawingML size) in a millimetre.
const EMU_PER_MM: f32 = 36_000.0;

impl Body<'_> {
    fn runs(&self, mut p: Paragraph, inlines: &[Inline], base: TextStyle) -> Paragraph {
        for i in inlines {
            p = match i {
                Inline::Text(s) => p.add_run(run(
                    &s.text,
                    TextStyle {
                        bold: base.bold || s.bold,
                        italic: base.italic || s.italic,
                        ..base
                    },
                )),
                Inline::Break => p.add_run(Run::new().add_break(docx_rs::BreakType::TextWrapping)),
                Inline::FootnoteRef(n) => {
                    p.add_run(Run::new().add_footnote_reference(self.footnote(*n)))
                }
            };
        }
        p
    }

    fn footnote(&self, n: usize) -> Footnote {
        let s = TextStyle::new(l::FOOTNOTE_PT, false, false);
        let mut mark = run(&n.to_string(), s);
        mark.run_property = mark.run_property.vert_align(VertAlignType::SuperScript);
        let p = Paragraph::new()
            .align(AlignmentType::Both)
            .style(TIGHT_STYLE)
            .add_run(mark)
            .add_run(run(" ", s));
        let p = self.runs(
            p,
            n.checked_sub(1)
                .and_then(|i| self.footnotes.get(i))
                .map(Vec::as_slice)
                .unwrap_or(&[]),
            s,
        );
        Footnote {
            id: n,
            content: vec![p],
        }
    }

    fn indented(&self, inlines: &[Inline], s: TextStyle) -> Paragraph {
        self.runs(Paragraph::new().style(BODY_STYLE), inlines, s)
    }
    fn block(&self, b: &Block, out: &mut Vec<BodyItem>) {
        let body = TextStyle::new(l::BODY_PT, false, false);
        let bold = TextStyle { bold: true, ..body };
        match b {
            Block::Paragraph(c) => out.push(BodyItem::P(Box::new(self.indented(c, body)))),
            Block::Centered(c) => {
                let p = Paragraph::new()
                    .style(BODY_STYLE)
                    .align(AlignmentType::Center)
                    .indent(None, Some(SpecialIndentType::FirstLine(0)), None, None)
                    .keep_next(true);
                out.push(BodyItem::P(Box::new(self.runs(p, c, bold))));
            }
            Block::Heading { level, content } => {
                let s = TextStyle {
                    italic: *level >= 3,
                    ..bold
                };
                let p = Paragraph::new()
                    .style(heading_style(*level))
                    .keep_next(true);
                out.push(BodyItem::P(Box::new(self.runs(p, content, s))));
            }
            Block::Article { label, content } => {
                // An article's title line goes with its text, as a heading does.
                let mut p = self.indented(&[], body);
                if b.is_article_title() {
                    p = p.keep_next(true);
                }
                let p = p.add_run(run(label, bold));
                out.push(BodyItem::P(Box::new(self.runs(p, content, body))));
            }
            Block::CanCu(lines) => {
                let s = TextStyle {
                    italic: true,
                    ..body
                };
                for line in lines {
                    out.push(BodyItem::P(Box::new(self.indented(line, s))));
                }
            }
            Block::ListItem { marker, content } => {
                let p = self
                    .indented(&[], body)
                    .add_run(run(&format!("{marker} "), body));
                out.push(BodyItem::P(Box::new(self.runs(p, content, body))));
            }
            Block::Table(t) => {
                // A table keeps the paragraph gap below the text before it.
                if let Some(BodyItem::P(p)) = out.pop() {
                    out.push(BodyItem::P(Box::new(
                        (*p).line_spacing(body_spacing().after(120)),
                    )));
                }
                out.push(BodyItem::T(Box::new(self.table(t)), !t.header.is_empty()));
                out.push(BodyItem::P(Box::new(spacer(3.0))));
            }
            Block::Chart(_) => {
                let Some((png, w_mm, h_mm)) = self.charts.borrow_mut().next() else {
                    return;
                };
                let n = out.len();
                let (w_px, h_px) = png_size(&png);
                // The id names the picture's part: numbered by place, so the same document
                // gives the same bytes (docx-rs would count across the process).
                let pic = Pic::new_with_dimensions(png, w_px, h_px)
                    .size((w_mm * EMU_PER_MM) as u32, (h_mm * EMU_PER_MM) as u32)
                    .id(format!("rIdImage{}", n + 1));
                let p = Paragraph::new()
                    .style(BODY_STYLE)
                    .align(AlignmentType::Center)
                    .indent(None, Some(SpecialIndentType::FirstLine(0)), None, None)
                    .add_run(Run::new().add_image(pic));
                out.push(BodyItem::P(Box::new(p)));
            }
        }
    }

    fn table(&self, t: &crate::document::Table) -> Table {
        let ncols = t
            .header
            .len()
            .max(t.rows.iter().map(Vec::len).max().unwrap_or(0))
            .max(1);
        let widths = l::column_widths(t, ncols);
        let s = TextStyle::new(l::TABLE_PT, false, false);
        let make_row = |cells: &[Vec<Inline>], head: bool| {
            let cells = (0..ncols)
                .map(|i| {
                    let content = cells.get(i).map(Vec::as_slice).unwrap_or(&[]);
                    let align = if head || widths[i] < 20.0 {
                        AlignmentType::Center
                    } else {
                        AlignmentType::Left
                    };
                    let p = Paragraph::new()
                        .align(align)
                        .line_spacing(LineSpacing::new().before(40).after(40));
                    let st = TextStyle { bold: head, ..s };
                    TableCell::new()
                        .width(mm_to_twips(widths[i]) as usize, WidthType::Dxa)
                        .vertical_align(docx_rs::VAlignType::Center)
                        .add_paragraph(self.runs(p, content, st))
                })
                .collect::<Vec<_>>();
            TableRow::new(cells).cant_split()
        };
        let mut rows = Vec::new();
        if !t.header.is_empty() {
            rows.push(make_row(&t.header, true));
        }
        rows.extend(t.rows.iter().map(|r| make_row(r, false)));
        let pad = mm_to_twips(l::CELL_PAD_MM * 1.5) as usize;
        Table::new(rows)
            .set_grid(widths.iter().map(|w| mm_to_twips(*w) as usize).collect())
            .width(mm_to_twips(l::TEXT_W_MM) as usize, WidthType::Dxa)
            .layout(docx_rs::TableLayoutType::Fixed)
            .margins(TableCellMargins::new().margin(0, pad, 0, pad))
    }
}

/// A body element in order, boxed because docx-rs paragraphs and tables are kilobytes large.
enum BodyItem {
    P(Box<Paragraph>),
    /// A table, and whether its first row is a header to repeat on every page it runs onto.
    T(Box<Table>, bool),
}

fn signature_paragraphs(k: &ChuKy) -> Vec<Paragraph> {
    let s = l::SIGNATURE;
    let centred = |text: &str, before_pt: f32| {
        tight_paragraph(before_pt)
            .align(AlignmentType::Center)
            .add_run(run(text, s))
    };
    let mut out: Vec<Paragraph> = k.lines.iter().map(|t| centred(t, 0.0)).collect();
    let gap = l::mm_to_pt(l::SIGNATURE_GAP_MM);
    match &k.position {
        Some(pos) => {
            out.push(centred(pos, gap));
            out.push(centred(&k.name, 0.0));
        }
        None => out.push(centred(&k.name, gap)),
    }
    out
}

fn noi_nhan_paragraphs(lines: &[Line]) -> Vec<Paragraph> {
    lines
        .iter()
        .map(|line| {
            l::runs(&line.text, l::line_style(line)).into_iter().fold(
                Paragraph::new()
                    .align(AlignmentType::Left)
                    .style(TIGHT_STYLE),
                |p, (text, s)| p.add_run(run(text, s)),
            )
        })
        .collect()
}

fn closing_table(doc: &Document) -> Option<Table> {
    let (lw, rw) = (l::CLOSING_LEFT_MM, l::CLOSING_RIGHT_MM);
    let part = |p: &ClosingPart| match p {
        ClosingPart::NoiNhan(lines) => noi_nhan_paragraphs(lines),
        ClosingPart::Signature(k) => signature_paragraphs(k),
        ClosingPart::Empty => Vec::new(),
    };
    let (left, right) = doc.closing()?;
    let (mut left, mut right) = (part(&left), part(&right));
    let below = doc.closing_below();
    if !below.is_empty() {
        // The signatures' row goes with the Nơi nhận under it, as the PDF's unbreakable
        // closing block: LibreOffice put a biên bản's Nơi nhận alone on a page of its own.
        for p in left.iter_mut().chain(right.iter_mut()) {
            *p = p.clone().keep_next(true);
        }
    }
    let mut rows = vec![TableRow::new(vec![cell(left, lw), cell(right, rw)]).cant_split()];
    if !below.is_empty() {
        // Apart from the names above it, as the closing is from the body.
        let mut nn = noi_nhan_paragraphs(&below);
        if let Some(first) = nn.first_mut() {
            *first = first
                .clone()
                .line_spacing(LineSpacing::new().before((l::CLOSING_GAP_PT * 20.0).round() as u32));
        }
        rows.push(TableRow::new(vec![cell(nn, lw), cell(Vec::new(), rw)]).cant_split());
    }
    let pad = mm_to_twips(l::CELL_PAD_MM) as usize;
    Some(
        Table::without_borders(rows)
            .set_grid(vec![mm_to_twips(lw) as usize, mm_to_twips(rw) as usize])
            .width(mm_to_twips(l::TEXT_W_MM) as usize, WidthType::Dxa)
            .layout(docx_rs::TableLayoutType::Fixed)
            .margins(TableCellMargins::new().margin(0, pad, 0, pad)),
    )
}

fn kinh_gui_paragraphs(doc: &Document) -> Vec<Paragraph> {
    let lines = doc.kinh_gui_lines();
    let s = l::style(Role::KinhGui);
    let gap = l::PARA_GAP_PT * 2.0;
    match lines.as_slice() {
        [] => Vec::new(),
        [one] => vec![
            tight_paragraph(gap)
                .align(AlignmentType::Center)
                .add_run(run(&one.text, s)),
        ],
        [label, items @ ..] => {
            // "Kính gửi:" stands a little left of centre; the dashes align under its colon.
            let left = l::TEXT_W_MM * 0.18;
            let dash = left + fonts::text_width_mm("Kính gửi", s.size, s.bold, s.italic);
            let mut out = vec![
                tight_paragraph(gap)
                    .indent(Some(mm_to_twips(left)), None, None, None)
                    .add_run(run(&label.text, s)),
            ];
            let hang = mm_to_twips(fonts::text_width_mm("- ", s.size, false, false));
            out.extend(items.iter().map(|it| {
                Paragraph::new()
                    .align(AlignmentType::Both)
                    .indent(
                        Some(mm_to_twips(dash) + hang),
                        Some(SpecialIndentType::Hanging(hang)),
                        None,
                        None,
                    )
                    .style(TIGHT_STYLE)
                    .add_run(run(&it.text, s))
            }));
            out
        }
    }
}

/// The paragraph style of body text, so that a clerk who edits the draft keeps the decree's
/// layout by typing in "Nội dung"; paragraphs refer to it instead of repeating it.
const BODY_STYLE: &str = "hosoBody";
/// Section headings ("I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", a titled điểm): body layout, bold,
/// with an outline level, so Word's navigation pane and LibreOffice's navigator list the
/// document's structure and a clerk can move a section by its heading.
const HEADING_STYLES: [&str; 3] = ["hosoHeading1", "hosoHeading2", "hosoHeading3"];

fn heading_style(level: u8) -> &'static str {
    HEADING_STYLES[usize::from(level.clamp(1, 3)) - 1]
}
/// Single-spaced lines without gaps: header cells, title, signature and Nơi nhận.
const TIGHT_STYLE: &str = "hosoTight";

fn styles(mut docx: Docx) -> Docx {
    let body = Style::new(BODY_STYLE, StyleType::Paragraph)
        .name("Nội dung")
        .align(AlignmentType::Both)
        .indent(
            None,
            Some(SpecialIndentType::FirstLine(mm_to_twips(
                l::FIRST_LINE_INDENT_MM,
            ))),
            None,
            None,
        )
        .line_spacing(body_spacing());
    let tight_style = Style::new(TIGHT_STYLE, StyleType::Paragraph)
        .name("Dòng đơn")
        .line_spacing(tight());
    docx = docx.add_style(body).add_style(tight_style);
    for (level, id) in HEADING_STYLES.iter().enumerate() {
        let mut heading = Style::new(*id, StyleType::Paragraph)
            .name(format!("Đề mục {}", level + 1))
            .based_on(BODY_STYLE)
            .next(BODY_STYLE)
            .outline_lvl(level)
            .bold();
        if level == 2 {
            heading = heading.italic();
        }
        docx = docx.add_style(heading);
    }
    let mut reference =
        Style::new("FootnoteReference", StyleType::Character).name("footnote reference");
    reference.run_property = reference
        .run_property
        .vert_align(VertAlignType::SuperScript);
    let text = Style::new("FootnoteText", StyleType::Paragraph)
        .name("footnote text")
        .size(half_points(l::FOOTNOTE_PT))
        .fonts(font());
    docx = docx.add_style(reference).add_style(text);
    docx
}

/// What precedes the body, hoso's own: the draft mark, the header table (agency, number,
/// national heading, date), the title lines, Kính gửi.
fn front(doc: &Document) -> Vec<BodyItem> {
    let mut out = Vec::new();
    if doc.draft_mark {
        let (s, w) = (l::DRAFT_MARK_STYLE, l::draft_mark_width_mm());
        out.push(BodyItem::P(Box::new(stamp(
            l::DRAFT_MARK,
            s,
            w,
            l::TEXT_W_MM,
            AlignmentType::Right,
        ))));
    }
    out.push(BodyItem::T(Box::new(header_table(doc)), false));
    for p in centred_lines(&doc.title(), l::TEXT_W_MM, 18.0)
        .into_iter()
        .chain(kinh_gui_paragraphs(doc))
    {
        out.push(BodyItem::P(Box::new(p)));
    }
    out
}

/// What follows the body, hoso's own: a spacer and the Nơi nhận / signature table.
fn closing(doc: &Document) -> Vec<BodyItem> {
    let Some(t) = closing_table(doc) else {
        return Vec::new();
    };
    vec![
        // Word sets the table's first line a body line's leading (6 pt) lower than Typst
        // does: the spacer is the gap less that, so both put Nơi nhận at the same height.
        BodyItem::P(Box::new(spacer(l::CLOSING_GAP_PT - 6.0).keep_next(true))),
        BodyItem::T(Box::new(t), false),
    ]
}

/// How many top-level paragraphs and tables of a document's DOCX come before its body and
/// after it: the parts hoso keeps when a person edits the body ([`super::edited`]).
pub fn frame(doc: &Document) -> (usize, usize) {
    (front(doc).len(), closing(doc).len())
}

/// Renders a document to DOCX bytes.
pub fn render(doc: &Document) -> Result<Vec<u8>> {
    let mut docx = Docx::new()
        .page_size(
            mm_to_twips(l::PAGE_W_MM) as u32,
            mm_to_twips(l::PAGE_H_MM) as u32,
        )
        .page_margin(
            PageMargin::new()
                .top(mm_to_twips(l::MARGIN_TOP_MM))
                .bottom(mm_to_twips(l::MARGIN_BOTTOM_MM))
                .left(mm_to_twips(l::MARGIN_LEFT_MM))
                .right(mm_to_twips(l::MARGIN_RIGHT_MM))
                .header(mm_to_twips(l::HEADER_DISTANCE_MM))
                .footer(mm_to_twips(l::HEADER_DISTANCE_MM)),
        )
        .default_fonts(font())
        .default_size(half_points(l::BODY_PT));
    docx = styles(docx);

    // Page numbers: top centre, from page 2 on; page 1 has an empty first-page header.
    let number = Paragraph::new()
        .align(AlignmentType::Center)
        .size(half_points(l::PAGE_NUMBER_PT))
        .add_page_num(PageNum::new());
    docx = docx
        .header(Header::new().add_paragraph(number))
        .first_header(Header::new().add_paragraph(Paragraph::new()));

    // Per table of the document, in order: is its first row a header?
    let mut header_rows = Vec::new();
    for it in front(doc) {
        docx = match it {
            BodyItem::P(p) => docx.add_paragraph(*p),
            BodyItem::T(t, header) => {
                header_rows.push(header);
                docx.add_table(*t)
            }
        };
    }
    let charts = doc
        .charts()
        .map(super::pdf::chart_png)
        .collect::<Result<Vec<_>>>()?;
    let body = Body {
        footnotes: &doc.footnotes,
        charts: std::cell::RefCell::new(charts.into_iter()),
    };
    let mut items = Vec::new();
    for b in &doc.body {
        body.block(b, &mut items);
    }
    // The closing block never stands alone on a page: the last text goes with it.
    if let Some(BodyItem::P(p)) = items.pop() {
        items.push(BodyItem::P(Box::new((*p).keep_next(true))));
    }
    for it in items {
        docx = match it {
            BodyItem::P(p) => docx.add_paragraph(*p),
            BodyItem::T(t, header) => {
                header_rows.push(header);
                docx.add_table(*t)
            }
        };
    }
    for it in closing(doc) {
        docx = match it {
            BodyItem::P(p) => docx.add_paragraph(*p),
            BodyItem::T(t, header) => {
                header_rows.push(header);
                docx.add_table(*t)
            }
        };
    }

    let issuer = doc.issuer.name.replace('\n', " ");
    let properties = super::ooxml::Properties {
        title: &doc.title_text,
        author: &issuer,
        date: match doc.date {
            Some(crate::document::DocDate::Issued(d)) => Some(d),
            _ => None,
        },
    };
    let titles: Vec<String> = doc.charts().map(|c| c.title.clone()).collect();
    pack(docx, &properties, &header_rows, &titles, super::ooxml::FAST)
}

/// A PNG's width and height in pixels, from its IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    let be = |at: usize| {
        png.get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map_or(1, u32::from_be_bytes)
    };
    (be(16), be(20))
}

/// The package's bytes: docx-rs's parts completed and in schema order ([`super::ooxml::complete`]),
/// deflated at `level` (docx-rs would store them: a quyết định 53 KB instead of 14 KB).
/// `header_rows` says, per table in document order, whether its first row is a header to
/// repeat (docx-rs cannot mark one).
pub(super) fn pack(
    docx: Docx,
    properties: &super::ooxml::Properties,
    header_rows: &[bool],
    chart_titles: &[String],
    level: i64,
) -> Result<Vec<u8>> {
    let mut xml = docx.build();
    xml.document = super::ooxml::repeat_header_rows(&xml.document, header_rows);
    xml.document = super::ooxml::number_pictures(&xml.document, chart_titles);
    super::ooxml::complete(&mut xml, properties);
    super::ooxml::zip(&super::ooxml::parts(&xml), level).map_err(|e| Error::Render {
        what: "DOCX".into(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use crate::template::{DocData, Issuance, TemplateSet};

    /// The sample quyết định thành lập mô hình, numbered 05 on 20/03/2023, or as a draft.
    fn sample(number: Option<u32>) -> crate::document::Document {
        let set = TemplateSet::embedded().unwrap();
        let id = "quyet-dinh-thanh-lap-mo-hinh";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("samples/documents/{id}.yaml"));
        let date = chrono::NaiveDate::from_ymd_opt(2023, 3, 20).unwrap();
        let issuance = Issuance {
            number,
            date: number.map(|_| date),
            today: date,
            draft_mark: false,
        };
        set.document(id, &DocData::load(&path).unwrap(), &issuance)
            .unwrap()
    }

    #[test]
    fn every_part_is_deflated() {
        let doc = sample(Some(5));
        let bytes = super::render(&doc).unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
        for i in 0..z.len() {
            let f = z.by_index(i).unwrap();
            assert_eq!(
                f.compression(),
                zip::CompressionMethod::Deflated,
                "{}",
                f.name()
            );
        }
        // 53 KB stored.
        assert!(bytes.len() < 20_000, "{} bytes", bytes.len());
    }

    fn part(bytes: &[u8], name: &str) -> String {
        use std::io::Read as _;
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn the_package_names_its_document_in_vietnamese() {
        let doc = sample(Some(5));
        let bytes = super::render(&doc).unwrap();
        let core = part(&bytes, "docProps/core.xml");
        assert!(core.contains(&format!("<dc:title>{}</dc:title>", doc.title_text)));
        assert!(core.contains(&format!(
            "<dc:creator>{}</dc:creator>",
            doc.issuer.name.replace('\n', " ")
        )));
        assert!(core.contains("<dc:language>vi-VN</dc:language>"));
        assert!(core.contains(">2023-03-20T00:00:00Z</dcterms:created>"));
        assert!(
            !core.contains("1970") && !core.contains("unknown"),
            "{core}"
        );
        let styles = part(&bytes, "word/styles.xml");
        assert!(styles.contains(r#"<w:lang w:val="vi-VN" />"#), "{styles}");
        assert!(
            styles.contains(r#"w:default="1" w:styleId="Normal""#),
            "{styles}"
        );
        assert!(part(&bytes, "word/settings.xml").contains(r#"<w:themeFontLang w:val="vi-VN" />"#));
        assert!(
            part(&bytes, "word/_rels/document.xml.rels").contains(r#"Target="theme/theme1.xml""#)
        );
        assert!(
            part(&bytes, "[Content_Types].xml").contains(r#"PartName="/word/theme/theme1.xml""#)
        );
        assert!(
            part(&bytes, "word/theme/theme1.xml")
                .contains(r#"<a:latin typeface="Times New Roman"/>"#)
        );

        // A draft claims no date it does not have.
        let core = part(&super::render(&sample(None)).unwrap(), "docProps/core.xml");
        assert!(!core.contains("dcterms:created"), "{core}");
    }
}
