//! Reads back the body of a DOCX that hoso drafted and a person then edited in Word or
//! LibreOffice, so that the document issued carries their text.
//!
//! The edited file is laid beside hoso's own DOCX of the same draft. What precedes the body
//! there (quốc hiệu, agency, number, date, tên loại, trích yếu, Kính gửi) and what follows it
//! (Nơi nhận, signature) are hoso's: the edited file must hold them unchanged, or it is
//! refused naming the place — they come from the register and the procedure, and a number
//! typed by hand would be a number the register never gave. Between them, paragraphs and
//! tables become the body's blocks: emphasis, line breaks, added or removed paragraphs and
//! rows. What cannot be carried into both DOCX and PDF faithfully — pictures, comments,
//! tracked changes not yet accepted or rejected, a changed page layout — is refused with the
//! paragraph named, and nothing is issued.

use docx_rs::{
    DocumentChild, Paragraph, ParagraphChild, RunChild, Table as DocxTable, TableCellContent,
    TableChild, TableRowChild,
};

use crate::document::body::Chart;
use crate::document::{Block, Inline, Span, Table};
use crate::error::{Error, Result};

/// The most an edited DOCX may hold, unpacked: a quyết định is about 60 KB of XML, so this
/// leaves room for any document a clerk writes and none for a ZIP bomb.
const LIMIT_UNPACKED: u64 = 64 * 1024 * 1024;
const LIMIT_ENTRIES: usize = 1_000;

/// The body of `edited` as blocks, checked against `drafted` (hoso's DOCX of the same draft).
/// `frame` is how many top-level paragraphs and tables hoso writes before the body and after it
/// ([`super::docx::frame`]); `footnotes` how many notes the document has: their references
/// may move with the text, the notes themselves stay as drafted. `charts` are the draft's
/// charts in order: a chart's picture left as hoso drew it (moved, or deleted) reads back as
/// that chart; a picture changed or added is refused, since a chart's figures are changed in
/// hoso's data, not in its picture.
pub fn body(
    edited: &[u8],
    drafted: &[u8],
    frame: (usize, usize),
    footnotes: usize,
    charts: &[Chart],
) -> Result<Vec<Block>> {
    let ours = read(drafted, "bản dự thảo của hoso")?;
    let package = read(edited, "tệp đã sửa")?;
    let theirs = &package;
    let pictures = Pictures::of(&ours, charts);
    layout(&ours, theirs)?;
    let (ours, theirs) = (elements(&ours), elements(theirs));
    let (start, closing) = frame;
    if ours.len() < start + closing || theirs.len() < start + closing {
        return Err(invalid(format!(
            "tệp đã sửa chỉ có {} đoạn/bảng; phần đầu và phần cuối văn bản của hoso có {}",
            theirs.len(),
            start + closing
        )));
    }
    compare(
        &ours[..start],
        &theirs[..start],
        "phần đầu văn bản (quốc hiệu, cơ quan, số, ngày, tên loại, trích yếu, Kính gửi)",
    )?;
    compare(
        &ours[ours.len() - closing..],
        &theirs[theirs.len() - closing..],
        "phần cuối văn bản (Nơi nhận, chữ ký)",
    )?;
    let mut blocks = Vec::new();
    let mut notes = Notes::default();
    for (i, e) in theirs[start..theirs.len() - closing].iter().enumerate() {
        let place = || format!("đoạn thứ {} của phần nội dung", i + 1);
        match e {
            DocumentChild::Paragraph(p) => {
                if let Some(c) = pictures.chart(p, &package) {
                    blocks.push(Block::Chart(c));
                } else if let Some(b) = paragraph_block(p, &place, &mut notes)? {
                    blocks.push(b);
                }
            }
            DocumentChild::Table(t) => blocks.push(Block::Table(table(t, &place)?)),
            DocumentChild::CommentStart(_) | DocumentChild::CommentEnd(_) => {
                return Err(invalid(format!(
                    "{}: có ghi chú (comment); hãy xử lý và xóa ghi chú rồi tải lên lại",
                    place()
                )));
            }
            _ => {
                return Err(invalid(format!(
                    "{}: có một thành phần hoso không chuyển được sang văn bản ban hành \
                     (mục lục, trường nhập liệu hoặc ngắt phần)",
                    place()
                )));
            }
        }
    }
    notes.number(&mut blocks, footnotes)?;
    if blocks.is_empty() {
        return Err(invalid("phần nội dung của tệp đã sửa trống".into()));
    }
    Ok(blocks)
}

/// The footnote references met in the body, by the id the file gives each. hoso numbers its
/// notes in order, so the note with the k-th smallest id is note k wherever its reference
/// was moved (ids themselves depend on what else the drafting process rendered).
#[derive(Default)]
struct Notes {
    ids: Vec<usize>,
}

impl Notes {
    /// A placeholder for the reference with `id`, numbered by [`Notes::number`].
    fn reference(&mut self, id: usize) -> Inline {
        self.ids.push(id);
        Inline::FootnoteRef(id)
    }

    /// Turns ids into the notes' numbers 1..=`count`; each note referenced exactly once.
    fn number(&self, blocks: &mut [Block], count: usize) -> Result<()> {
        let mut sorted = self.ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != self.ids.len() || sorted.len() != count {
            return Err(invalid(format!(
                "bản dự thảo có {count} chú thích, tệp đã sửa tham chiếu {} lần ({} chú thích \
                 khác nhau): thêm, bớt hoặc nhân đôi chú thích hãy làm trong dữ liệu của văn bản",
                self.ids.len(),
                sorted.len()
            )));
        }
        let renumber = |i: &mut Inline| {
            if let Inline::FootnoteRef(id) = i
                && let Ok(k) = sorted.binary_search(id)
            {
                *id = k + 1;
            }
        };
        for b in blocks {
            match b {
                Block::Paragraph(c) | Block::Centered(c) => c.iter_mut().for_each(renumber),
                Block::Heading { content, .. }
                | Block::Article { content, .. }
                | Block::ListItem { content, .. } => content.iter_mut().for_each(renumber),
                Block::CanCu(lines) => lines.iter_mut().flatten().for_each(renumber),
                Block::Table(_) | Block::Chart(_) => {}
            }
        }
        Ok(())
    }
}

/// Every footnote reference of `blocks` names one of the document's `footnotes` notes, and
/// each note is referenced once: what a stored or imported body must hold.
pub fn check_references(blocks: &[Block], footnotes: usize) -> std::result::Result<(), String> {
    let mut seen = vec![false; footnotes];
    let mut check = |i: &Inline| match i {
        Inline::FootnoteRef(n) => match n.checked_sub(1).and_then(|k| seen.get_mut(k)) {
            Some(s) if !*s => {
                *s = true;
                Ok(())
            }
            Some(_) => Err(format!("chú thích {n} được tham chiếu hai lần")),
            None => Err(format!("không có chú thích {n} (văn bản có {footnotes})")),
        },
        _ => Ok(()),
    };
    for b in blocks {
        let inlines: Vec<&Inline> = match b {
            Block::Paragraph(c) | Block::Centered(c) => c.iter().collect(),
            Block::Heading { content, .. }
            | Block::Article { content, .. }
            | Block::ListItem { content, .. } => content.iter().collect(),
            Block::CanCu(lines) => lines.iter().flatten().collect(),
            Block::Table(t) => t
                .header
                .iter()
                .chain(t.rows.iter().flatten())
                .flatten()
                .collect(),
            Block::Chart(_) => Vec::new(),
        };
        inlines.into_iter().try_for_each(&mut check)?;
    }
    match seen.iter().position(|s| !s) {
        Some(k) => Err(format!("chú thích {} không được tham chiếu", k + 1)),
        None => Ok(()),
    }
}

fn invalid(message: String) -> Error {
    Error::Invalid(format!("văn bản đã sửa: {message}"))
}

/// The most the main part (`word/document.xml`) may hold: a hundred-page document is well
/// under a megabyte.
const LIMIT_MAIN_PART: u64 = 8 * 1024 * 1024;
/// Deepest element nesting and most paragraphs the main part may have: docx-rs reads tables in
/// cells by recursion and holds every paragraph whole, so these bound its stack and memory.
const LIMIT_DEPTH: usize = 64;
const LIMIT_PARAGRAPHS: usize = 20_000;

/// Reads a DOCX: its parts unpacked with a bound on the bytes actually inflated (an entry's
/// declared size may lie), the main part's size, nesting and paragraph count checked, the
/// package rebuilt from what was read and only then handed to docx-rs. docx-rs is not written
/// for hostile input, so a panic inside it is caught and reported as a damaged file.
/// hoso's chart pictures in a draft, known by the SHA-256 of their PNG: Word and LibreOffice
/// keep a picture's bytes when they save, and renumber its relationship.
struct Pictures {
    charts: Vec<(String, Chart)>,
}

impl Pictures {
    fn of(drafted: &docx_rs::Docx, charts: &[Chart]) -> Pictures {
        let ids = drafted.document.children.iter().filter_map(|c| match c {
            DocumentChild::Paragraph(p) => picture_of(p),
            _ => None,
        });
        let hashes: Vec<String> = ids.filter_map(|id| image(drafted, &id)).collect();
        Pictures {
            charts: if hashes.len() == charts.len() {
                hashes.into_iter().zip(charts.iter().cloned()).collect()
            } else {
                Vec::new()
            },
        }
    }

    /// The chart a paragraph of the edited file holds: a picture alone, one of hoso's.
    fn chart(&self, p: &docx_rs::Paragraph, edited: &docx_rs::Docx) -> Option<Chart> {
        let hash = image(edited, &picture_of(p)?)?;
        self.charts
            .iter()
            .find(|(h, _)| *h == hash)
            .map(|(_, c)| c.clone())
    }
}

/// The relationship id of the picture a paragraph holds alone (no text beside it).
fn picture_of(p: &docx_rs::Paragraph) -> Option<String> {
    let mut id = None;
    for c in &p.children {
        let ParagraphChild::Run(r) = c else { continue };
        for rc in &r.children {
            match rc {
                RunChild::Drawing(d) => match (&d.data, &id) {
                    (Some(docx_rs::DrawingData::Pic(pic)), None) => id = Some(pic.id.clone()),
                    _ => return None,
                },
                RunChild::Text(t) if t.text.trim().is_empty() => {}
                RunChild::Text(_) | RunChild::Shape(_) => return None,
                _ => {}
            }
        }
    }
    id
}

/// The SHA-256 of the image a relationship id names in a package.
fn image(docx: &docx_rs::Docx, id: &str) -> Option<String> {
    docx.images
        .iter()
        .find(|(i, ..)| i == id)
        .map(|(_, _, img, _)| crate::fsutil::sha256_hex(&img.0))
}

fn read(bytes: &[u8], what: &str) -> Result<docx_rs::Docx> {
    let damaged = |why: String| invalid(format!("{what} không đọc được như DOCX: {why}"));
    let bytes = unpacked_with_marks(bytes).map_err(damaged)?;
    let read = std::panic::catch_unwind(|| docx_rs::read_docx(&bytes));
    match read {
        Ok(Ok(docx)) => Ok(docx),
        Ok(Err(e)) => Err(damaged(e.to_string())),
        Err(_) => Err(damaged("cấu trúc hỏng".into())),
    }
}

/// Stands for a footnote reference in the text docx-rs reads (its reader drops them): the mark,
/// the reference's id in digits, [`FOOTNOTE_END`].
const FOOTNOTE_MARK: char = '\u{E000}';
const FOOTNOTE_END: char = '\u{E001}';

/// The package again, stored, from entries read with a bound; in the main part each
/// `w:footnoteReference` becomes the text [`FOOTNOTE_MARK`] id [`FOOTNOTE_END`], so that a
/// reference keeps its place in the paragraph it was moved to.
fn unpacked_with_marks(bytes: &[u8]) -> std::result::Result<Vec<u8>, String> {
    use std::io::{Read as _, Write as _};
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    if zip.len() > LIMIT_ENTRIES {
        return Err(format!("hơn {LIMIT_ENTRIES} phần"));
    }
    let too_big = || format!("giải nén ra quá {} MB", LIMIT_UNPACKED / 1_000_000);
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut left = LIMIT_UNPACKED;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| e.to_string())?;
        let name = entry.name().to_string();
        let mut part = Vec::new();
        // Never more than what is left, whatever the entry declares.
        entry
            .take(left + 1)
            .read_to_end(&mut part)
            .map_err(|e| e.to_string())?;
        if part.len() as u64 > left {
            return Err(too_big());
        }
        left -= part.len() as u64;
        if name == "word/document.xml" {
            if part.len() as u64 > LIMIT_MAIN_PART {
                return Err(format!(
                    "phần nội dung quá {} MB",
                    LIMIT_MAIN_PART / 1_000_000
                ));
            }
            let xml = String::from_utf8(part).map_err(|_| "phần nội dung không phải UTF-8")?;
            shape_within_limits(&xml)?;
            part = no_break_hyphens(&mark_footnotes(&xml)).into_bytes();
        }
        out.start_file(name, options).map_err(|e| e.to_string())?;
        out.write_all(&part).map_err(|e| e.to_string())?;
    }
    Ok(out.finish().map_err(|e| e.to_string())?.into_inner())
}

/// The main part's nesting depth and paragraph count within the limits, in one pass over
/// its tags.
fn shape_within_limits(xml: &str) -> std::result::Result<(), String> {
    let (mut depth, mut paragraphs) = (0usize, 0usize);
    let b = xml.as_bytes();
    let mut i = 0;
    while let Some(lt) = b[i..].iter().position(|&c| c == b'<').map(|p| i + p) {
        let Some(gt) = b[lt..].iter().position(|&c| c == b'>').map(|p| lt + p) else {
            break;
        };
        let tag = &b[lt + 1..gt];
        match tag.first() {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(b'?' | b'!') => {}
            _ if tag.ends_with(b"/") => {}
            _ => {
                depth += 1;
                if depth > LIMIT_DEPTH {
                    return Err(format!("lồng sâu hơn {LIMIT_DEPTH} tầng"));
                }
            }
        }
        if tag.starts_with(b"w:p>") || tag.starts_with(b"w:p ") || tag == b"w:p/" {
            paragraphs += 1;
            if paragraphs > LIMIT_PARAGRAPHS {
                return Err(format!("hơn {LIMIT_PARAGRAPHS} đoạn"));
            }
        }
        i = gt + 1;
    }
    Ok(())
}

/// Replaces each no-break hyphen element by the hyphen it shows: hoso writes "QĐ‑UBND" with
/// U+2011 inside the text, which LibreOffice saves back as `<w:noBreakHyphen/>` (as Word writes
/// its own), an element the reader would drop ("/KHCAX").
fn no_break_hyphens(xml: &str) -> String {
    const HYPHEN: &str = r#"<w:t xml:space="preserve">-</w:t>"#;
    xml.replace("<w:noBreakHyphen/>", HYPHEN)
        .replace("<w:noBreakHyphen />", HYPHEN)
}

/// Replaces each footnote reference element, self-closing or not, by its text mark.
fn mark_footnotes(xml: &str) -> String {
    const OPEN: &str = "<w:footnoteReference";
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let tag_end = match rest[at..].find('>') {
            Some(e) => at + e,
            None => break,
        };
        let tag = &rest[at..tag_end];
        let id: String = tag
            .split("w:id=\"")
            .nth(1)
            .and_then(|v| v.split('"').next())
            .unwrap_or("")
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let end = if tag.ends_with('/') {
            tag_end + 1
        } else {
            match rest[tag_end..].find("</w:footnoteReference>") {
                Some(e) => tag_end + e + "</w:footnoteReference>".len(),
                None => tag_end + 1,
            }
        };
        out.push_str(&format!(
            r#"<w:t xml:space="preserve">{FOOTNOTE_MARK}{id}{FOOTNOTE_END}</w:t>"#
        ));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The page: size and margins as drafted (a changed layout would not be the decree's).
fn layout(ours: &docx_rs::Docx, theirs: &docx_rs::Docx) -> Result<()> {
    let json = |d: &docx_rs::Docx| {
        let s = &d.document.section_property;
        (
            serde_json::to_value(&s.page_size).unwrap_or_default(),
            serde_json::to_value(&s.page_margin).unwrap_or_default(),
        )
    };
    // The paper and the four margins, in twips; a writer may round a millimetre value
    // differently, and header and footer distances are the writer's (LibreOffice drops an
    // empty footer's).
    let near = |a: &serde_json::Value, b: &serde_json::Value| {
        ["w", "h", "top", "bottom", "left", "right"]
            .iter()
            .all(|k| {
                match (
                    a.get(k).and_then(serde_json::Value::as_f64),
                    b.get(k).and_then(serde_json::Value::as_f64),
                ) {
                    (Some(x), Some(y)) => (x - y).abs() <= 20.0,
                    (None, None) => true,
                    _ => false,
                }
            })
    };
    let (a, b) = (json(ours), json(theirs));
    if near(&a.0, &b.0) && near(&a.1, &b.1) {
        Ok(())
    } else {
        Err(invalid(
            "khổ giấy hoặc lề trang đã đổi; văn bản ban hành giữ khổ A4 và lề theo \
             Nghị định 30/2020/NĐ-CP"
                .into(),
        ))
    }
}

/// The body's children without the empty paragraphs that close a document (Word and
/// LibreOffice add one after a final table).
fn elements(d: &docx_rs::Docx) -> Vec<DocumentChild> {
    let mut v: Vec<DocumentChild> = d
        .document
        .children
        .iter()
        .filter(|c| {
            !matches!(
                c,
                DocumentChild::BookmarkStart(_) | DocumentChild::BookmarkEnd(_)
            )
        })
        .cloned()
        .collect();
    while let Some(DocumentChild::Paragraph(p)) = v.last() {
        if text_of(p).trim().is_empty() {
            v.pop();
        } else {
            break;
        }
    }
    v
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn element_text(e: &DocumentChild) -> String {
    match e {
        DocumentChild::Paragraph(p) => text_of(p),
        DocumentChild::Table(t) => table_rows(t)
            .iter()
            .flat_map(|r| {
                r.iter()
                    .map(|c| c.iter().map(|p| text_of(p)).collect::<Vec<_>>().join(" "))
            })
            .collect::<Vec<_>>()
            .join(" | "),
        _ => String::new(),
    }
}

/// The parts hoso keeps, word for word (spaces aside).
fn compare(ours: &[DocumentChild], theirs: &[DocumentChild], part: &str) -> Result<()> {
    for (a, b) in ours.iter().zip(theirs) {
        let (a, b) = (squeeze(&element_text(a)), squeeze(&element_text(b)));
        if a != b {
            return Err(invalid(format!(
                "{part} do hoso giữ theo sổ đăng ký và quy trình, không sửa trong tệp: \
                 «{a}» đã thành «{b}». Hãy sửa trong dữ liệu của văn bản, hoặc tải lên tệp \
                 chỉ sửa phần nội dung"
            )));
        }
    }
    Ok(())
}

fn text_of(p: &Paragraph) -> String {
    let mut s = String::new();
    for c in &p.children {
        let runs: Vec<&docx_rs::Run> = match c {
            ParagraphChild::Run(r) => vec![r],
            ParagraphChild::Hyperlink(h) => h
                .children
                .iter()
                .filter_map(|c| match c {
                    ParagraphChild::Run(r) => Some(r.as_ref()),
                    _ => None,
                })
                .collect(),
            _ => vec![],
        };
        for r in runs {
            for rc in &r.children {
                match rc {
                    RunChild::Text(t) => s.push_str(&crate::document::glue::plain(&t.text)),
                    RunChild::Tab(_) => s.push(' '),
                    RunChild::Break(_) | RunChild::CarriageReturn(_) => s.push('\n'),
                    _ => {}
                }
            }
        }
    }
    s
}

fn flag(v: &Option<impl serde::Serialize>) -> bool {
    v.as_ref()
        .and_then(|b| serde_json::to_value(b).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// A paragraph's inline content; footnote references are registered in `notes`.
fn inlines(p: &Paragraph, place: &dyn Fn() -> String, notes: &mut Notes) -> Result<Vec<Inline>> {
    let mut out: Vec<Inline> = Vec::new();
    let refused = |what: &str| {
        Err(invalid(format!(
            "{}: {what}; hãy xử lý trong Word/LibreOffice rồi tải lên lại",
            place()
        )))
    };
    let mut runs: Vec<&docx_rs::Run> = Vec::new();
    for c in &p.children {
        match c {
            ParagraphChild::Run(r) => runs.push(r),
            ParagraphChild::Hyperlink(h) => {
                runs.extend(h.children.iter().filter_map(|c| match c {
                    ParagraphChild::Run(r) => Some(r.as_ref()),
                    _ => None,
                }))
            }
            ParagraphChild::Insert(_)
            | ParagraphChild::Delete(_)
            | ParagraphChild::MoveFrom(_)
            | ParagraphChild::MoveTo(_) => {
                return refused(
                    "còn thay đổi được theo dõi (track changes) chưa chấp nhận hoặc từ chối",
                );
            }
            ParagraphChild::CommentStart(_) | ParagraphChild::CommentEnd(_) => {
                return refused("có ghi chú (comment)");
            }
            ParagraphChild::BookmarkStart(_) | ParagraphChild::BookmarkEnd(_) => {}
            _ => return refused("có trường tự động hoặc thành phần không phải chữ"),
        }
    }
    for r in runs {
        let rp = &r.run_property;
        let bold = flag(&rp.bold);
        let italic = flag(&rp.italic);
        let text: String = r
            .children
            .iter()
            .filter_map(|c| match c {
                RunChild::Text(t) => Some(t.text.as_str()),
                _ => None,
            })
            .collect();
        let only_notes = text.starts_with(FOOTNOTE_MARK) && text.ends_with(FOOTNOTE_END);
        if !text.trim().is_empty() {
            // What a reader sees differently from what would be issued: refused, not lost.
            if rp.vanish.is_some() || rp.spec_vanish.is_some() {
                return refused("có chữ ẩn (hidden text)");
            }
            if flag(&rp.strike) || flag(&rp.dstrike) {
                return refused("có chữ gạch ngang (strikethrough); hãy xóa hẳn phần muốn bỏ");
            }
            let shifted = rp
                .vert_align
                .as_ref()
                .and_then(|v| serde_json::to_value(v).ok())
                .and_then(|v| v.as_str().map(str::to_string))
                .is_some_and(|v| v != "baseline");
            if shifted && !only_notes {
                return refused("có chữ chỉ số trên/dưới (superscript/subscript)");
            }
        }
        for rc in &r.children {
            match rc {
                RunChild::Text(t) => text_inlines(&t.text, bold, italic, notes, &mut out),
                RunChild::Tab(_) => out.push(Inline::plain(" ")),
                RunChild::Break(_) | RunChild::CarriageReturn(_) => out.push(Inline::Break),
                RunChild::Drawing(_) | RunChild::Shape(_) => return refused("có hình ảnh"),
                RunChild::CommentStart(_) | RunChild::CommentEnd(_) => {
                    return refused("có ghi chú (comment)");
                }
                RunChild::DeleteText(_) | RunChild::DeleteInstrText(_) => {
                    return refused(
                        "còn thay đổi được theo dõi (track changes) chưa chấp nhận hoặc từ chối",
                    );
                }
                RunChild::Sym(_) => return refused("có ký hiệu chèn từ phông Symbol"),
                _ => {}
            }
        }
    }
    Ok(out)
}

/// A run's text as inlines: footnote marks become references, the rest text in the run's
/// emphasis, joined to the previous text of the same emphasis.
fn text_inlines(text: &str, bold: bool, italic: bool, notes: &mut Notes, out: &mut Vec<Inline>) {
    let mut rest = text;
    loop {
        let (piece, after) = match rest.split_once(FOOTNOTE_MARK) {
            Some((piece, after)) => (piece, Some(after)),
            None => (rest, None),
        };
        // The no-break characters hoso writes into names and numbers (`glue::joined`) are
        // layout, not text.
        let piece = crate::text::clean(&crate::document::glue::plain(piece));
        if !piece.is_empty() {
            match out.last_mut() {
                Some(Inline::Text(s)) if s.bold == bold && s.italic == italic => {
                    s.text.push_str(&piece)
                }
                _ => out.push(Inline::Text(Span {
                    text: piece,
                    bold,
                    italic,
                })),
            }
        }
        let Some(after) = after else {
            return;
        };
        let (id, tail) = after.split_once(FOOTNOTE_END).unwrap_or((after, ""));
        out.push(notes.reference(id.parse().unwrap_or(0)));
        rest = tail;
    }
}

/// `inlines` without the emphasis their block prints anyway.
fn plain(inlines: Vec<Inline>, bold: bool, italic: bool) -> Vec<Inline> {
    inlines
        .into_iter()
        .map(|i| match i {
            Inline::Text(s) => Inline::Text(Span {
                bold: s.bold && !bold,
                italic: s.italic && !italic,
                ..s
            }),
            other => other,
        })
        .collect()
}

fn plain_text(inlines: &[Inline]) -> String {
    inlines
        .iter()
        .map(|i| match i {
            Inline::Text(s) => s.text.as_str(),
            _ => " ",
        })
        .collect()
}

/// A body paragraph as a block: a heading by its style's outline level, a centred bold line,
/// an article ("Điều 3." in bold first), or a paragraph; empty ones are dropped.
fn paragraph_block(
    p: &Paragraph,
    place: &dyn Fn() -> String,
    notes: &mut Notes,
) -> Result<Option<Block>> {
    let content = inlines(p, place, notes)?;
    if plain_text(&content).trim().is_empty() {
        return Ok(None);
    }
    if let Some(level) = heading_level(p) {
        // A heading prints bold (a titled điểm bold italic) by its kind.
        let content = plain(content, true, level >= 3);
        return Ok(Some(Block::Heading { level, content }));
    }
    let all_bold = content.iter().all(|i| match i {
        Inline::Text(s) => s.bold || s.text.trim().is_empty(),
        _ => true,
    });
    let centred = p
        .property
        .alignment
        .as_ref()
        .is_some_and(|j| j.val == "center");
    if centred && all_bold {
        return Ok(Some(Block::Centered(plain(content, true, false))));
    }
    if let Some(label) = first_run_text(p).filter(|t| is_article_label(t))
        && let Some(Inline::Text(first)) = content.first()
        && first.bold
        && first.text.starts_with(&label)
    {
        let mut content = content;
        if let Some(Inline::Text(first)) = content.first_mut() {
            first.text = first.text[label.len()..].to_string();
            if first.text.is_empty() {
                content.remove(0);
            }
        }
        return Ok(Some(Block::Article { label, content }));
    }
    if let Some(marker) = list_marker(p)
        && let Some(Inline::Text(first)) = content.first()
        && !first.bold
        && first.text.starts_with(&format!("{marker} "))
    {
        let mut content = content;
        if let Some(Inline::Text(first)) = content.first_mut() {
            first.text = first.text[marker.len() + 1..].to_string();
        }
        return Ok(Some(Block::ListItem { marker, content }));
    }
    Ok(Some(Block::Paragraph(content)))
}

/// The text of a paragraph's first run: hoso writes an article's label and a list item's
/// marker as runs of their own.
fn first_run_text(p: &Paragraph) -> Option<String> {
    let ParagraphChild::Run(r) = p.children.first()? else {
        return None;
    };
    Some(
        r.children
            .iter()
            .filter_map(|c| match c {
                RunChild::Text(t) => Some(t.text.as_str()),
                _ => None,
            })
            .collect(),
    )
}

/// The marker of a list item as hoso writes it: "- ", "+ ", "2. " or "b) ".
fn list_marker(p: &Paragraph) -> Option<String> {
    let text = first_run_text(p)?;
    let marker = text.strip_suffix(' ')?;
    let numbered = |m: &str, end: char| {
        m.strip_suffix(end).is_some_and(|n| {
            !n.is_empty() && (n.chars().all(|c| c.is_ascii_digit()) || n.chars().count() == 1)
        })
    };
    (marker == "-" || marker == "+" || numbered(marker, '.') || numbered(marker, ')'))
        .then(|| marker.to_string())
}

/// "Điều 3." — the label hoso prints in bold before an article's text.
fn is_article_label(s: &str) -> bool {
    s.strip_prefix("Điều ")
        .and_then(|n| n.strip_suffix('.'))
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// hoso's heading styles by id; an edited file's headings by a paragraph outline level.
fn heading_level(p: &Paragraph) -> Option<u8> {
    if let Some(s) = &p.property.style
        && let Some(n) = s.val.strip_prefix("hosoHeading")
    {
        return n.parse::<u8>().ok().map(|n| n.clamp(1, 3));
    }
    p.property
        .outline_lvl
        .as_ref()
        .filter(|o| o.v < 3)
        .map(|o| o.v as u8 + 1)
}

fn table_rows(t: &DocxTable) -> Vec<Vec<Vec<&Paragraph>>> {
    t.rows
        .iter()
        .map(|TableChild::TableRow(r)| {
            r.cells
                .iter()
                .map(|TableRowChild::TableCell(c)| {
                    c.children
                        .iter()
                        .filter_map(|x| match x {
                            TableCellContent::Paragraph(p) => Some(p.as_ref()),
                            _ => None,
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// A table: each cell's paragraphs joined by line breaks; the first row is the header when
/// all its text is bold, as hoso drafts it. Merged cells, a table in a cell and footnotes in
/// cells are refused: the body's tables have none of them.
fn table(t: &DocxTable, place: &dyn Fn() -> String) -> Result<Table> {
    let refused = |what: &str| Err(invalid(format!("{}: {what}", place())));
    let mut notes = Notes::default();
    let mut rows: Vec<Vec<Vec<Inline>>> = Vec::new();
    for TableChild::TableRow(r) in &t.rows {
        let mut cells = Vec::new();
        for TableRowChild::TableCell(c) in &r.cells {
            let props = serde_json::to_value(&c.property).unwrap_or_default();
            let merged = ["gridSpan", "verticalMerge"]
                .iter()
                .any(|k| props.get(k).is_some_and(|v| !v.is_null()));
            if merged {
                return refused("bảng có ô gộp (merge cells); hãy tách ô rồi tải lên lại");
            }
            let mut cell: Vec<Inline> = Vec::new();
            for (i, x) in c.children.iter().enumerate() {
                let TableCellContent::Paragraph(p) = x else {
                    return refused("bảng có bảng lồng hoặc thành phần khác chữ trong ô");
                };
                if i > 0 {
                    cell.push(Inline::Break);
                }
                cell.extend(inlines(p, place, &mut notes)?);
            }
            cells.push(cell);
        }
        rows.push(cells);
    }
    if !notes.ids.is_empty() {
        return refused("chú thích trong bảng không được hỗ trợ");
    }
    let header_bold = rows.first().is_some_and(|r| {
        r.iter().flatten().all(|i| match i {
            Inline::Text(s) => s.bold || s.text.trim().is_empty(),
            _ => true,
        })
    });
    let header = if header_bold && rows.len() > 1 {
        // The header prints bold by its place.
        rows.remove(0)
            .into_iter()
            .map(|c| plain(c, true, false))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Table { header, rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{DocData, Issuance, TemplateSet};

    fn draft(id: &str) -> crate::document::Document {
        let set = TemplateSet::embedded().unwrap();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("samples/documents/{id}.yaml"));
        let issuance = Issuance {
            number: None,
            date: None,
            today: chrono::NaiveDate::from_ymd_opt(2023, 3, 20).unwrap(),
            draft_mark: false,
        };
        set.document(id, &DocData::load(&path).unwrap(), &issuance)
            .unwrap()
    }

    fn read_back(doc: &crate::document::Document, edited: &[u8]) -> Result<Vec<Block>> {
        let ours = crate::render::docx::render(doc).unwrap();
        let charts: Vec<Chart> = doc.charts().cloned().collect();
        body(
            edited,
            &ours,
            crate::render::docx::frame(doc),
            doc.footnotes.len(),
            &charts,
        )
    }

    /// The DOCX with its main part changed by `edit`.
    fn with_main_part(docx: &[u8], edit: impl Fn(&str) -> String) -> Vec<u8> {
        use std::io::{Read as _, Write as _};
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).unwrap();
            let name = f.name().to_string();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            if name == "word/document.xml" {
                bytes = edit(std::str::from_utf8(&bytes).unwrap()).into_bytes();
            }
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&bytes).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    /// hoso's own draft, read back unchanged, renders to the same document: every sample.
    #[test]
    fn an_unedited_draft_reads_back_as_drafted() {
        let set = TemplateSet::embedded().unwrap();
        for t in set.iter() {
            let doc = draft(&t.id);
            let bytes = crate::render::docx::render(&doc).unwrap();
            let read = read_back(&doc, &bytes).unwrap_or_else(|e| panic!("{}: {e}", t.id));
            let mut again = doc.clone();
            again.body = read;
            assert!(
                crate::render::docx::render(&doc).unwrap()
                    == crate::render::docx::render(&again).unwrap(),
                "{}: the body read back renders differently",
                t.id
            );
        }
    }

    /// The two footnote references moved past each other in Word (here: their places
    /// swapped): each note stays with its reference, wherever it now stands.
    #[test]
    fn footnotes_follow_their_references() {
        let doc = draft("cong-van-de-nghi-bao-cao");
        assert_eq!(doc.footnotes.len(), 2);
        let bytes = crate::render::docx::render(&doc).unwrap();
        let swapped = with_main_part(&bytes, |xml| {
            let tags: Vec<(usize, usize)> = xml
                .match_indices("<w:footnoteReference")
                .map(|(at, _)| (at, at + xml[at..].find("/>").unwrap() + 2))
                .collect();
            let [(a0, a1), (b0, b1)] = tags[..] else {
                panic!("{tags:?}")
            };
            format!(
                "{}{}{}{}{}",
                &xml[..a0],
                &xml[b0..b1],
                &xml[a1..b0],
                &xml[a0..a1],
                &xml[b1..]
            )
        });
        let refs = |blocks: &[Block]| -> Vec<usize> {
            blocks
                .iter()
                .flat_map(|b| match b {
                    Block::Paragraph(c) | Block::Article { content: c, .. } => c.clone(),
                    Block::ListItem { content, .. } => content.clone(),
                    _ => Vec::new(),
                })
                .filter_map(|i| match i {
                    Inline::FootnoteRef(n) => Some(n),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(refs(&read_back(&doc, &bytes).unwrap()), [1, 2]);
        assert_eq!(refs(&read_back(&doc, &swapped).unwrap()), [2, 1]);
    }

    /// A 1 MB file whose entry inflates past the limit is refused without being held whole:
    /// the bound counts the bytes read, so an entry's declared size cannot lift it.
    #[test]
    fn an_entry_inflating_past_the_limit_is_refused() {
        use std::io::Write as _;
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        out.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .large_file(true),
        )
        .unwrap();
        let zeros = vec![b' '; 1024 * 1024];
        for _ in 0..(LIMIT_UNPACKED / zeros.len() as u64 + 2) {
            out.write_all(&zeros).unwrap();
        }
        let bomb = out.finish().unwrap().into_inner();
        assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
        let e = read(&bomb, "tệp").unwrap_err().to_string();
        assert!(e.contains("quá"), "{e}");
    }

    #[test]
    fn deep_nesting_and_hidden_or_struck_text_are_refused() {
        let doc = draft("ke-hoach-khao-sat");
        let bytes = crate::render::docx::render(&doc).unwrap();
        let deep = with_main_part(&bytes, |xml| {
            let nest = "<w:tbl><w:tr><w:tc>".repeat(100);
            xml.replacen("<w:body>", &format!("<w:body>{nest}"), 1)
        });
        let e = read_back(&doc, &deep).unwrap_err().to_string();
        assert!(e.contains("lồng sâu"), "{e}");
        for (mark, said) in [("<w:vanish />", "chữ ẩn"), ("<w:strike />", "gạch ngang")] {
            let edited = with_main_part(&bytes, |xml| {
                let at = xml.find("Đánh giá đúng thực trạng").unwrap();
                let run = xml[..at].rfind("<w:rPr>").unwrap() + "<w:rPr>".len();
                format!("{}{mark}{}", &xml[..run], &xml[run..])
            });
            let e = read_back(&doc, &edited).unwrap_err().to_string();
            assert!(e.contains(said), "{e}");
        }
    }

    #[test]
    fn no_break_hyphens_read_as_hyphens() {
        let xml =
            r#"<w:r><w:t>Số: 01/KH</w:t><w:noBreakHyphen/><w:t>CAX</w:t><w:noBreakHyphen /></w:r>"#;
        assert_eq!(
            no_break_hyphens(xml),
            r#"<w:r><w:t>Số: 01/KH</w:t><w:t xml:space="preserve">-</w:t><w:t>CAX</w:t><w:t xml:space="preserve">-</w:t></w:r>"#
        );
    }

    #[test]
    fn footnote_references_keep_their_ids_in_either_form() {
        let xml = r#"<w:r><w:footnoteReference w:id="7" /></w:r><w:r><w:footnoteReference w:id="12"></w:footnoteReference><w:t>x</w:t></w:r>"#;
        assert_eq!(
            mark_footnotes(xml),
            format!(
                r#"<w:r><w:t xml:space="preserve">{FOOTNOTE_MARK}7{FOOTNOTE_END}</w:t></w:r><w:r><w:t xml:space="preserve">{FOOTNOTE_MARK}12{FOOTNOTE_END}</w:t><w:t>x</w:t></w:r>"#
            )
        );
    }
}
