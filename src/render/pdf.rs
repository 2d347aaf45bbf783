//! PDF output with Typst compiled in: the [`Document`] becomes a Typst source held in memory,
//! typeset by a [`World`] whose fonts and standard library are loaded once per process, and
//! exported by typst-pdf with the fonts embedded (subset). No temporary file and no external
//! program. Every user string enters the source as a Typst string literal, never as markup or
//! code, so `#`, `$`, `*`, `_`, `@`, `<`, `` ` ``, `\`, `//`, `[` and `]` stay text.

use std::fmt::Write as _;
use std::sync::{LazyLock, OnceLock};

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use super::fonts;
use super::layout::{self as l, TextStyle};
use crate::document::body::Chart;
use crate::document::glue;
use crate::document::{
    Block, ChuKy, ClosingPart, DocDate, Document, Inline, Line, Role, Rule, Table,
};
use crate::error::{Error, Result};

/// What the PDF is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// Plain PDF 1.7 with tagged structure.
    #[default]
    Standard,
    /// PDF/A-2b, for archiving under the law on archives.
    Archival,
}

/// Fonts and library, built once and shared by every render of the process.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let fonts: Vec<Font> = fonts::pdf_faces()
            .faces
            .iter()
            .filter_map(|(_, bytes)| Font::new(Bytes::new(*bytes), 0))
            .collect();
        Shared {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    })
}

/// The one file id every render uses: ids are a global table that panics past 65,535 paths.
static MAIN: LazyLock<FileId> = LazyLock::new(|| {
    let path = VirtualPath::new("main.typ").expect("a valid virtual path");
    FileId::new(RootedPath::new(VirtualRoot::Project, path))
});

/// A world of one in-memory source.
struct DocWorld {
    source: Source,
    shared: &'static Shared,
}

impl World for DocWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.shared.book
    }

    fn main(&self) -> FileId {
        *MAIN
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == *MAIN {
            Ok(self.source.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == *MAIN {
            Ok(Bytes::from_string(self.source.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.get(index).cloned()
    }

    fn today(&self, _: Option<Duration>) -> Option<Datetime> {
        // Documents never print "today": their dates come from the model, so output is
        // reproducible.
        None
    }
}

/// Loads fonts and the standard library now instead of at the first render.
pub fn warm_up() {
    shared();
}

/// How many renders a memoized Typst result survives unused. Typst caches every layout in a
/// global cache (comemo) and never drops one by itself: a process rendering different
/// documents grew 0.4 MB a PDF, to 1 GB after 2,500. Evicting after each render (the typst
/// CLI's policy and age) holds it near 50 MB and keeps warm what neighbouring documents share:
/// header, signer, recipients, a batch of one template. Longer ages cost memory in proportion.
const CACHE_AGE: usize = 10;

/// Renders a document to PDF bytes.
pub fn render(doc: &Document, profile: Profile) -> Result<Vec<u8>> {
    let pdf = compile(typst_source(doc), doc, profile);
    typst::comemo::evict(CACHE_AGE);
    pdf
}

fn compile(text: String, doc: &Document, profile: Profile) -> Result<Vec<u8>> {
    let source = Source::new(*MAIN, text);
    let world = DocWorld {
        source,
        shared: shared(),
    };
    let fail = |what: &str, diags: &[SourceDiagnostic]| Error::Render {
        what: "PDF".into(),
        message: format!(
            "{what}: {}",
            diags
                .iter()
                .map(|d| d.message.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ),
    };
    let paged: PagedDocument = typst::compile(&world)
        .output
        .map_err(|d| fail("typesetting", &d))?;
    let date = pdf_date(doc);
    let standards = match profile {
        Profile::Standard => PdfStandards::default(),
        Profile::Archival => {
            PdfStandards::new(&[PdfStandard::A_2b]).map_err(|e| Error::Render {
                what: "PDF".into(),
                message: e.message().to_string(),
            })?
        }
    };
    let options = PdfOptions {
        ident: typst::foundations::Smart::Custom(doc.title_text.clone()),
        creator: typst::foundations::Smart::Custom(Some(format!(
            "hoso {}",
            env!("CARGO_PKG_VERSION")
        ))),
        timestamp: Some(Timestamp::new_utc(date)),
        standards,
        // Tagged: a screen reader and a records system read the structure, in the document's
        // language (`/Lang vi`).
        tagged: true,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&paged, &options)
        .map(without_suspects)
        .map_err(|d| fail("export", &d))
}

/// The catalog's `/MarkInfo` as typst-pdf writes it.
const MARK_INFO: &[u8] = b"/MarkInfo<</Marked true/Suspects false>>";

/// `pdf` without the `/Suspects false` typst-pdf writes into the catalog's `/MarkInfo`.
/// Poppler before 25.12 (Debian 12 has 22.12) prints "Syntax Error: Suspects object is wrong
/// type (boolean)" for it on every `pdfinfo`/`pdftotext` — its Catalog.cc accepts only `true`
/// there, while ISO 32000-1 Table 321 makes Suspects a boolean, default false. The entry says
/// what its absence says, so it is blanked with as many spaces (white space in a dictionary):
/// every byte offset of the cross-reference table stays right. Only that exact, uncompressed
/// catalog entry, once; a PDF written otherwise is returned as it is.
fn without_suspects(mut pdf: Vec<u8>) -> Vec<u8> {
    if let Some(at) = pdf.windows(MARK_INFO.len()).position(|w| w == MARK_INFO) {
        let s = at + b"/MarkInfo<</Marked true".len();
        let n = b"/Suspects false".len();
        pdf[s..s + n].fill(b' ');
    }
    pdf
}

/// The document's own date (for a draft, the first of its month), so that the same document
/// gives the same PDF.
fn pdf_date(doc: &Document) -> Datetime {
    use chrono::Datelike;
    let (y, m, d) = match doc.date.or(doc.attached_to.as_ref().map(|a| a.date)) {
        Some(DocDate::Issued(d)) => (d.year(), d.month(), d.day()),
        Some(DocDate::Draft { month, year }) => (year, month, 1),
        None => (2000, 1, 1),
    };
    Datetime::from_ymd(y, m as u8, d as u8)
        .unwrap_or_else(|| Datetime::from_ymd(2000, 1, 1).unwrap())
}

/// A Typst string literal: the only way user text enters the source.
fn lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text in a style, as a Typst expression, where a line never breaks inside a name or a number
/// and symbol ([`glue`]): a name's spaces are no-break spaces, which Typst still stretches in a
/// justified line as it does other spaces; a symbol ("201/QĐ-UBND") stands in an unbreakable
/// box, its text unchanged. In a box, punctuation at its end must not hang as at a line's end
/// (`overhang`): in a centred line the box's text would shift right and the space after it
/// shrink by the comma's overhang.
fn styled(text: &str, s: TextStyle) -> String {
    let one = |t: &str, boxed: bool| {
        format!(
            "text({}size: {}pt, weight: {}, style: {}, {})",
            if boxed { "overhang: false, " } else { "" },
            s.size,
            if s.bold { "\"bold\"" } else { "\"regular\"" },
            if s.italic { "\"italic\"" } else { "\"normal\"" },
            lit(t)
        )
    };
    let mut parts: Vec<String> = Vec::new();
    let mut run = String::new();
    for (piece, whole) in glue::pieces(text) {
        if whole && piece.contains(['/', '-']) {
            if !run.is_empty() {
                parts.push(one(&std::mem::take(&mut run), false));
            }
            parts.push(format!("box({})", one(piece, true)));
        } else if whole {
            run.push_str(&piece.replace(' ', "\u{a0}"));
        } else {
            run.push_str(piece);
        }
    }
    if !run.is_empty() || parts.is_empty() {
        parts.push(one(&run, false));
    }
    let set = match parts.as_slice() {
        [one] => one.clone(),
        _ => format!("[#{}]", parts.join("#")),
    };
    if s.underline {
        // A solid rule ("nét liền", HD 05), not broken where it meets a dot below ("ậ").
        format!("underline(evade: false, {set})")
    } else {
        set
    }
}

/// Typst leadings (single-spaced blocks, body) that reproduce the line pitch Word and
/// LibreOffice give the same text in the DOCX.
fn leadings() -> (f32, f32) {
    let m = fonts::pdf_line_metrics();
    (
        m.single - m.typst_line,
        m.single * l::LINE_SPACING - m.typst_line,
    )
}

/// Page, fonts, paragraph rules and the helpers the generated body calls. Every number comes
/// from `render::layout`, shared with the DOCX renderer.
fn preamble(doc: &Document) -> String {
    let family = fonts::pdf_faces().family;
    let (single, leading) = leadings();
    format!(
        r#"#set document(title: {title}, author: {author})
#set page(width: {pw}mm, height: {ph}mm, margin: (top: {mt}mm, bottom: {mb}mm, left: {ml}mm, right: {mr}mm),
  header-ascent: {ha}mm,
  header: context {{ if here().page() > 1 {{ align(center, text(size: {pn}pt, counter(page).display())) }} }})
#set text(font: {font}, size: {body}pt, lang: "vi", top-edge: "ascender", bottom-edge: "descender", hyphenate: false)
#let parsep = {leading}em + {gap}pt
#set par(justify: true, leading: {leading}em, spacing: parsep, first-line-indent: (amount: {indent}mm, all: true))
#set footnote.entry(separator: line(length: 30%, stroke: 0.5pt), indent: 0pt, gap: 0.4em)
#show footnote.entry: set text(size: {fnpt}pt)
#show footnote.entry: set par(first-line-indent: 0pt, leading: {single}em)
#let fixed(body) = block(width: 100%, spacing: 0pt, {{
  set par(first-line-indent: 0pt, justify: false, leading: {single}em, spacing: {single}em)
  body
}})
#let centred(..lines) = fixed(align(center, lines.pos().join(linebreak())))
#let rule(len) = align(center, pad(top: 3pt, line(length: len * 1mm, stroke: {rule}pt)))
#let stamp(w, body) = align(center, pad(top: 6pt, box(width: w * 1mm, height: {stamp_h}mm, stroke: {rule}pt, align(center + horizon, body))))
"#,
        title = lit(&doc.title_text),
        author = lit(&crate::text::clean(&doc.issuer.name)),
        pw = l::PAGE_W_MM,
        ph = l::PAGE_H_MM,
        mt = l::MARGIN_TOP_MM,
        mb = l::MARGIN_BOTTOM_MM,
        ml = l::MARGIN_LEFT_MM,
        mr = l::MARGIN_RIGHT_MM,
        ha = l::MARGIN_TOP_MM - l::HEADER_DISTANCE_MM - 5.0,
        pn = l::PAGE_NUMBER_PT,
        font = lit(family),
        body = l::BODY_PT,
        gap = l::PARA_GAP_PT,
        indent = l::FIRST_LINE_INDENT_MM,
        fnpt = l::FOOTNOTE_PT,
        rule = l::RULE_PT,
        stamp_h = l::STAMP_H_MM,
    )
}

/// A centred block of header or title lines with the rule, asterisk or frame they carry.
fn line_block(out: &mut String, lines: &[Line], column_mm: f32) {
    let mut plain: Vec<String> = Vec::new();
    let flush = |out: &mut String, plain: &mut Vec<String>| {
        if !plain.is_empty() {
            let _ = writeln!(out, "  centred({}),", plain.join(", "));
            plain.clear();
        }
    };
    for (i, line) in lines.iter().enumerate() {
        let s = l::fitted_style(line, lines, column_mm);
        if let Some(w) = line.frame_mm {
            flush(out, &mut plain);
            let _ = writeln!(out, "  stamp({w}, {}),", styled(&line.text, s));
            continue;
        }
        if matches!(line.role, Role::Vv) && i > 0 {
            flush(out, &mut plain);
            out.push_str("  v(6pt),\n");
        }
        plain.push(styled(&line.text, s));
    }
    flush(out, &mut plain);
    if let Some(last) = lines.last() {
        match last.rule {
            Some(Rule::Asterisk) => {
                let _ = writeln!(
                    out,
                    "  pad(top: 3pt, centred({})),",
                    styled("*", l::style(Role::Agency))
                );
            }
            Some(_) => {
                let w = l::rule_width_mm(lines, column_mm).unwrap_or(0.0);
                let _ = writeln!(out, "  rule({w}),");
            }
            None => {}
        }
    }
}

fn cell(lines: &[Line], column_mm: f32) -> String {
    let mut s = String::from("stack(\n");
    line_block(&mut s, lines, column_mm);
    s.push(')');
    s
}

fn header(out: &mut String, doc: &Document) {
    let h = doc.header();
    let (lw, rw) = (l::HEADER_LEFT_MM, l::HEADER_RIGHT_MM);
    let _ = writeln!(
        out,
        "#grid(columns: ({lw}mm, {rw}mm), row-gutter: 8pt, inset: (x: {pad}mm),\n{},\n{},",
        cell(&h.agency, lw),
        cell(&h.national, rw),
        pad = l::CELL_PAD_MM
    );
    if !(h.number.is_empty() && h.date.is_empty()) {
        let _ = writeln!(out, "{},\n{},", cell(&h.number, lw), cell(&h.date, rw));
    }
    out.push_str(")\n");
}

/// Inline content as a Typst content block.
fn inlines(v: &[Inline], base: TextStyle, footnotes: &[Vec<Inline>]) -> String {
    let mut s = String::from("[");
    for i in v {
        match i {
            Inline::Text(span) => {
                let st = TextStyle {
                    bold: base.bold || span.bold,
                    italic: base.italic || span.italic,
                    ..base
                };
                let _ = write!(s, "#{}", styled(&span.text, st));
            }
            Inline::Break => s.push_str("#linebreak()"),
            Inline::FootnoteRef(n) => {
                let note = n
                    .checked_sub(1)
                    .and_then(|i| footnotes.get(i))
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                let st = TextStyle::new(l::FOOTNOTE_PT, false, false);
                let _ = write!(s, "#footnote({})", inlines(note, st, &[]));
            }
        }
    }
    s.push(']');
    s
}

fn body_style(bold: bool, italic: bool) -> TextStyle {
    TextStyle::new(l::BODY_PT, bold, italic)
}

fn table(out: &mut String, t: &Table, footnotes: &[Vec<Inline>]) {
    let ncols = t
        .header
        .len()
        .max(t.rows.iter().map(Vec::len).max().unwrap_or(0))
        .max(1);
    let widths = l::column_widths(t, ncols);
    let cols: Vec<String> = widths.iter().map(|w| format!("{w}mm")).collect();
    let _ = writeln!(
        out,
        "#block(above: 8pt, below: 8pt, {{\nset par(first-line-indent: 0pt, justify: false, leading: {}em)\ntable(columns: ({},), stroke: {}pt, inset: (x: {}mm, y: 3pt), align: (x, y) => if y == 0 or {} {{ center + horizon }} else {{ left + horizon }},",
        leadings().0,
        cols.join(", "),
        l::RULE_PT,
        l::CELL_PAD_MM * 1.5,
        widths
            .iter()
            .enumerate()
            .filter(|(_, w)| **w < 20.0)
            .map(|(i, _)| format!("x == {i}"))
            .chain(std::iter::once("false".to_string()))
            .collect::<Vec<_>>()
            .join(" or ")
    );
    let row = |out: &mut String, cells: &[Vec<Inline>], bold: bool| {
        for i in 0..ncols {
            let c = cells.get(i).map(Vec::as_slice).unwrap_or(&[]);
            let st = TextStyle::new(l::TABLE_PT, bold, false);
            let _ = writeln!(out, "  {},", inlines(c, st, footnotes));
        }
    };
    if !t.header.is_empty() {
        out.push_str("  table.header(\n");
        row(out, &t.header, true);
        out.push_str("  ),\n");
    }
    for r in &t.rows {
        row(out, r, false);
    }
    out.push_str(")})\n");
}

fn block(out: &mut String, b: &Block, footnotes: &[Vec<Inline>]) {
    match b {
        Block::Paragraph(c) => {
            let _ = writeln!(
                out,
                "#par({})\n",
                inlines(c, body_style(false, false), footnotes)
            );
        }
        Block::Centered(c) => {
            let _ = writeln!(
                out,
                "#block(sticky: true, above: parsep, below: parsep, fixed(align(center, {})))\n",
                inlines(c, body_style(true, false), footnotes),
            );
        }
        // Never alone at the foot of a page (the DOCX's keep-with-next): a sticky block spaced
        // as a paragraph.
        Block::Heading { level, content } => {
            let _ = writeln!(
                out,
                "#block(sticky: true, above: parsep, below: parsep, par({}))\n",
                inlines(content, body_style(true, *level >= 3), footnotes)
            );
        }
        Block::Article { label, content } => {
            // An article's title line goes with its text, as a heading does.
            let (open, close) = if b.is_article_title() {
                (
                    "#block(sticky: true, above: parsep, below: parsep, par([#",
                    "]))",
                )
            } else {
                ("#par([#", "])")
            };
            let _ = writeln!(
                out,
                "{open}{}{}{close}\n",
                styled(label, body_style(true, false)),
                &inlines(content, body_style(false, false), footnotes)
                    .strip_prefix('[')
                    .and_then(|s| s.strip_suffix(']'))
                    .unwrap_or_default()
            );
        }
        Block::CanCu(lines) => {
            for line in lines {
                let _ = writeln!(
                    out,
                    "#par({})\n",
                    inlines(line, body_style(false, true), footnotes)
                );
            }
        }
        Block::ListItem { marker, content } => {
            let _ = writeln!(
                out,
                "#par([#{}{}])\n",
                lit(&format!("{marker} ")),
                &inlines(content, body_style(false, false), footnotes)
                    .strip_prefix('[')
                    .and_then(|s| s.strip_suffix(']'))
                    .unwrap_or_default()
            );
        }
        Block::Table(t) => table(out, t, footnotes),
        Block::Chart(c) => {
            let _ = writeln!(out, "#{}", chart(c));
        }
    }
}

/// Colours of a chart's series, in order: told apart in grey print too (dark, light,
/// middle, darkest), then others.
const SERIES_FILL: [&str; 6] = [
    "#1b5e20", "#a5d6a7", "#f9a825", "#b71c1c", "#1565c0", "#6d4c41",
];
/// The size of a chart's labels.
const CHART_PT: f32 = 11.0;

/// A chart as a Typst expression: its title, one row a category — the name right-aligned,
/// then the bar, each series a segment in proportion to the longest bar, and the total —
/// and the legend. The DOCX draws the same expression as a picture ([`chart_png`]).
fn chart(c: &Chart) -> String {
    let max = c.max();
    let label_mm = c
        .rows
        .iter()
        .map(|(n, _)| fonts::text_width_mm(n, CHART_PT, false, false))
        .fold(15.0_f32, f32::max)
        .min(l::TEXT_W_MM * 0.4)
        + 1.0;
    let mut cells = Vec::new();
    for (name, values) in &c.rows {
        cells.push(format!("text(size: {CHART_PT}pt, {})", lit(name)));
        let mut bar: Vec<String> = values
            .iter()
            .zip(SERIES_FILL.iter().cycle())
            .filter(|(v, _)| **v > 0)
            .map(|(v, fill)| {
                format!(
                    "rect(width: {:.3}%, height: 3.6mm, fill: rgb(\"{fill}\"), stroke: 0.3pt + white)",
                    85.0 * f64::from(*v) / f64::from(max)
                )
            })
            .collect();
        bar.push(format!(
            "pad(left: 1mm, text(size: {}pt, {}))",
            CHART_PT - 1.0,
            lit(&values.iter().sum::<u32>().to_string())
        ));
        cells.push(format!("stack(dir: ltr, {})", bar.join(", ")));
    }
    let legend: Vec<String> = c
        .series
        .iter()
        .zip(SERIES_FILL.iter().cycle())
        .map(|(name, fill)| {
            format!(
                "stack(dir: ltr, spacing: 1.2mm, rect(width: 3.2mm, height: 3.2mm, fill: rgb(\"{fill}\")), text(size: {CHART_PT}pt, {}))",
                lit(name)
            )
        })
        .collect();
    format!(
        "block(width: 100%, breakable: false, above: 10pt, below: 10pt, {{ set par(first-line-indent: 0pt, justify: false, leading: 0.3em)\n\
         align(center, text(size: {CHART_PT}pt, weight: \"bold\", {title}))\n\
         v(2mm)\n\
         grid(columns: ({label_mm:.1}mm, 1fr), column-gutter: 2mm, row-gutter: 1.4mm, align: (right + horizon, left + horizon), {cells})\n\
         v(2mm)\n\
         align(center, stack(dir: ltr, spacing: 5mm, {legend}))\n}})",
        title = lit(&c.title),
        cells = cells.join(", "),
        legend = legend.join(", "),
    )
}

/// Pixels a point in a chart's picture: 200 dpi, sharp in print.
const CHART_PX_PER_PT: f64 = 200.0 / 72.0;

/// A chart as a PNG the width of the text, drawn by Typst from the same expression the PDF
/// sets: the picture a DOCX carries. Returns the bytes and the size in mm.
pub fn chart_png(c: &Chart) -> Result<(Vec<u8>, f32, f32)> {
    let family = fonts::pdf_faces().family;
    let text = format!(
        "#set page(width: {w}mm, height: auto, margin: 1mm, fill: white)\n\
         #set text(font: {font}, size: {CHART_PT}pt, lang: \"vi\")\n#{chart}\n",
        w = l::TEXT_W_MM,
        font = lit(family),
        chart = chart(c),
    );
    let world = DocWorld {
        source: Source::new(*MAIN, text),
        shared: shared(),
    };
    let fail = |m: String| Error::Render {
        what: "biểu đồ".into(),
        message: m,
    };
    let paged: PagedDocument = typst::compile(&world).output.map_err(|d| {
        fail(
            d.iter()
                .map(|d| d.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let page = paged
        .pages()
        .first()
        .ok_or_else(|| fail("không có trang".into()))?;
    let size = page.frame.size();
    let options = typst_render::RenderOptions {
        pixel_per_pt: typst::utils::Scalar::new(CHART_PX_PER_PT),
        ..Default::default()
    };
    let png = typst_render::render(page, &options)
        .encode_png()
        .map_err(|e| fail(e.to_string()))?;
    typst::comemo::evict(CACHE_AGE);
    Ok((png, size.x.to_mm() as f32, size.y.to_mm() as f32))
}

fn kinh_gui(out: &mut String, doc: &Document) {
    let lines = doc.kinh_gui_lines();
    let s = l::style(Role::KinhGui);
    match lines.as_slice() {
        [] => {}
        [one] => {
            let _ = writeln!(
                out,
                "#v({}pt)\n#block(above: 0pt, below: {}pt, centred({}))",
                l::PARA_GAP_PT * 2.0,
                l::PARA_GAP_PT,
                styled(&one.text, s)
            );
        }
        [label, items @ ..] => {
            let left = l::TEXT_W_MM * 0.18;
            let dash = left + fonts::text_width_mm("Kính gửi", s.size, s.bold, s.italic);
            let hang = fonts::text_width_mm("- ", s.size, false, false);
            let _ = writeln!(
                out,
                "#v({}pt)\n#fixed(pad(left: {left}mm, {}))",
                l::PARA_GAP_PT * 2.0,
                styled(&label.text, s)
            );
            let (single, _) = leadings();
            let pars: Vec<String> = items
                .iter()
                .map(|it| {
                    format!(
                        "par(first-line-indent: 0pt, hanging-indent: {hang}mm, leading: {single}em, {})",
                        styled(&it.text, s)
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "#block(above: {single}em, below: {}pt, pad(left: {dash}mm, stack(spacing: {single}em, {})))",
                l::PARA_GAP_PT,
                pars.join(", ")
            );
        }
    }
}

fn signature(k: &ChuKy) -> String {
    let s = l::SIGNATURE;
    let top: Vec<String> = k.lines.iter().map(|t| styled(t, s)).collect();
    let mut bottom = Vec::new();
    if let Some(p) = &k.position {
        bottom.push(styled(p, s));
    }
    bottom.push(styled(&k.name, s));
    format!(
        "stack(centred({}), v({}mm), centred({}))",
        top.join(", "),
        l::SIGNATURE_GAP_MM,
        bottom.join(", ")
    )
}

fn noi_nhan(lines: &[Line]) -> String {
    let items: Vec<String> = lines
        .iter()
        .map(|x| {
            let runs: Vec<String> = l::runs(&x.text, l::line_style(x))
                .into_iter()
                .map(|(text, s)| styled(text, s))
                .collect();
            runs.join(" + ")
        })
        .collect();
    format!("fixed({})", items.join(" + linebreak() + "))
}

fn closing(out: &mut String, doc: &Document) {
    let part = |p: &ClosingPart| match p {
        ClosingPart::NoiNhan(lines) => noi_nhan(lines),
        ClosingPart::Signature(k) => signature(k),
        ClosingPart::Empty => "[]".to_string(),
    };
    let Some((left, right)) = doc.closing() else {
        return;
    };
    let (left, right) = (part(&left), part(&right));
    // A biên bản's Nơi nhận: a second row, under the secretary's signature.
    let below = doc.closing_below();
    let below = if below.is_empty() {
        String::new()
    } else {
        format!(", {}, []", noi_nhan(&below))
    };
    let _ = writeln!(
        out,
        "#block(breakable: false, above: {}pt, grid(columns: ({}mm, {}mm), row-gutter: {}pt, inset: (x: {}mm), {left}, {right}{below}))",
        l::CLOSING_GAP_PT,
        l::CLOSING_LEFT_MM,
        l::CLOSING_RIGHT_MM,
        l::CLOSING_GAP_PT,
        l::CELL_PAD_MM
    );
}

/// The whole Typst source of a document.
pub fn typst_source(doc: &Document) -> String {
    let mut out = preamble(doc);
    if doc.draft_mark {
        let (s, w) = (l::DRAFT_MARK_STYLE, l::draft_mark_width_mm());
        let _ = writeln!(
            out,
            "#place(top + right, dy: -12mm, box(width: {w}mm, height: {}mm, stroke: {}pt, align(center + horizon, {})))",
            l::STAMP_H_MM,
            l::RULE_PT,
            styled(l::DRAFT_MARK, s)
        );
    }
    header(&mut out, doc);
    let title = doc.title();
    if !title.is_empty() {
        out.push_str("#v(18pt)\n#stack(\n");
        line_block(&mut out, &title, l::TEXT_W_MM);
        out.push_str(")\n");
    }
    kinh_gui(&mut out, doc);
    // The closing block never stands alone on a page: the last text block goes with it.
    let (last, rest) = match doc.body.split_last() {
        Some((
            b @ (Block::Paragraph(_) | Block::Article { .. } | Block::ListItem { .. }),
            rest,
        )) => (Some(b), rest),
        _ => (None, doc.body.as_slice()),
    };
    for b in rest {
        block(&mut out, b, &doc.footnotes);
    }
    let mut end = String::new();
    if let Some(b) = last {
        block(&mut end, b, &doc.footnotes);
    }
    closing(&mut end, doc);
    // A block's own spacing replaces the paragraphs' between it and the text before: the same
    // gap as between two paragraphs, or the last one sits a line's height under its neighbour.
    let _ = writeln!(
        out,
        "#block(breakable: false, above: parsep, below: 0pt)[\n{end}]"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart_of(rows: &[(&str, &[u32])]) -> Chart {
        Chart {
            title: "Kết quả xếp loại".into(),
            series: vec![
                "Tốt".into(),
                "Khá".into(),
                "Trung bình".into(),
                "Yếu".into(),
            ],
            rows: rows
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_vec()))
                .collect(),
        }
    }

    /// One segment a non-zero value, scaled to the longest bar; the total after it; a legend
    /// entry a series; user text only as string literals.
    #[test]
    fn a_chart_draws_a_segment_a_value() {
        let c = chart_of(&[("huyện #A", &[4, 0, 2, 0]), ("xã B", &[1, 1, 1, 1])]);
        let t = chart(&c);
        assert_eq!(t.matches("rect(width: ").count(), 2 + 4 + 4, "{t}");
        assert!(t.contains("rect(width: 56.667%"), "4 of 6 at 85 %: {t}");
        assert!(t.contains(r#""huyện #A""#));
        assert!(t.contains(r#"text(size: 10pt, "6")"#), "the total: {t}");
    }

    /// The DOCX's picture of a chart: a PNG as wide as the text at 200 dpi.
    #[test]
    fn a_chart_becomes_a_png_the_width_of_the_text() {
        let (png, w_mm, h_mm) = chart_png(&chart_of(&[("xã B", &[1, 2, 3, 4])])).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!((w_mm - l::TEXT_W_MM).abs() < 0.5, "{w_mm}");
        assert!(h_mm > 10.0 && h_mm < 60.0, "{h_mm}");
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let want = (w_mm / 25.4 * 200.0).round() as u32;
        assert!(width.abs_diff(want) <= 2, "{width} px, want {want}");
    }

    #[test]
    fn literals_escape_everything() {
        assert_eq!(lit(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(lit("x\ny"), r#""x\ny""#);
        assert_eq!(lit("#$*_@<`//[]"), "\"#$*_@<`//[]\"");
    }
}
