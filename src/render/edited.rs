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

use crate::document::{Block, Inline, Span, Table};
use crate::error::{Error, Result};

/// The most an edited DOCX may hold, unpacked: a quyết định is about 60 KB of XML, so this
/// leaves room for any document a clerk writes and none for a ZIP bomb.
const LIMIT_UNPACKED: u64 = 64 * 1024 * 1024;
const LIMIT_ENTRIES: usize = 1_000;

/// The body of `edited` as blocks, checked against `drafted` (hoso's DOCX of the same draft).
/// `footnotes` is the number of footnotes the document has: their references may move with
/// the text, but the notes themselves stay as drafted.
pub fn body(edited: &[u8], drafted: &[u8], footnotes: usize) -> Result<Vec<Block>> {
    let ours = read(drafted, "bản dự thảo của hoso")?;
    let theirs = read(edited, "tệp đã sửa")?;
    layout(&ours, &theirs)?;
    let (ours, theirs) = (elements(&ours), elements(&theirs));
    let start = ours
        .iter()
        .position(|e| matches!(e, DocumentChild::Paragraph(p) if is_body_style(p)))
        .ok_or_else(|| invalid("bản dự thảo không có phần nội dung để sửa".into()))?;
    let closing = closing_len(&ours);
    if theirs.len() < start + closing {
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
    let mut refs = 0;
    for (i, e) in theirs[start..theirs.len() - closing].iter().enumerate() {
        let place = || format!("đoạn thứ {} của phần nội dung", i + 1);
        match e {
            DocumentChild::Paragraph(p) => {
                if let Some(b) = paragraph_block(p, &place, &mut refs)? {
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
            DocumentChild::BookmarkStart(_) | DocumentChild::BookmarkEnd(_) => {}
            _ => {
                return Err(invalid(format!(
                    "{}: có một thành phần hoso không chuyển được sang văn bản ban hành \
                     (mục lục, trường nhập liệu hoặc ngắt phần)",
                    place()
                )));
            }
        }
    }
    if refs != footnotes {
        return Err(invalid(format!(
            "bản dự thảo có {footnotes} chú thích, tệp đã sửa tham chiếu {refs}: \
             thêm hoặc bớt chú thích hãy làm trong dữ liệu của văn bản"
        )));
    }
    if blocks.is_empty() {
        return Err(invalid("phần nội dung của tệp đã sửa trống".into()));
    }
    Ok(blocks)
}

fn invalid(message: String) -> Error {
    Error::Invalid(format!("văn bản đã sửa: {message}"))
}

/// Reads a DOCX after checking that its ZIP unpacks to a bounded size: docx-rs inflates every
/// part whole. docx-rs is not written for hostile input, so a panic inside it is caught and
/// reported as a damaged file rather than taking the process down.
fn read(bytes: &[u8], what: &str) -> Result<docx_rs::Docx> {
    let damaged = |why: String| invalid(format!("{what} không đọc được như DOCX: {why}"));
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| damaged(e.to_string()))?;
    if zip.len() > LIMIT_ENTRIES {
        return Err(damaged(format!("hơn {LIMIT_ENTRIES} phần")));
    }
    // The sizes the entries declare; the inflater stops at them.
    let mut unpacked: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| damaged(e.to_string()))?;
        unpacked = unpacked.saturating_add(entry.size());
    }
    if unpacked > LIMIT_UNPACKED {
        return Err(damaged(format!(
            "giải nén ra {} MB, quá {} MB",
            unpacked / 1_000_000,
            LIMIT_UNPACKED / 1_000_000
        )));
    }
    let bytes = with_footnote_marks(&mut zip).map_err(|e| damaged(e.to_string()))?;
    let read = std::panic::catch_unwind(|| docx_rs::read_docx(&bytes));
    match read {
        Ok(Ok(docx)) => Ok(docx),
        Ok(Err(e)) => Err(damaged(e.to_string())),
        Err(_) => Err(damaged("cấu trúc hỏng".into())),
    }
}

/// Stands for a footnote reference in the text docx-rs reads (its reader drops them).
const FOOTNOTE_MARK: char = '\u{E000}';

/// The package again with each `w:footnoteReference` in the main part turned into the text
/// [`FOOTNOTE_MARK`], so that a reference keeps its place in the paragraph it was moved to.
fn with_footnote_marks(
    zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::{Read as _, Write as _};
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i)?;
        let name = entry.name().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        if name == "word/document.xml" {
            bytes = mark_footnotes(&String::from_utf8_lossy(&bytes)).into_bytes();
        }
        out.start_file(name, options)?;
        out.write_all(&bytes)?;
    }
    Ok(out.finish()?.into_inner())
}

fn mark_footnotes(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(at) = rest.find("<w:footnoteReference") {
        out.push_str(&rest[..at]);
        let Some(end) = rest[at..].find("/>") else {
            break;
        };
        out.push_str(&format!(
            r#"<w:t xml:space="preserve">{FOOTNOTE_MARK}</w:t>"#
        ));
        rest = &rest[at + end + 2..];
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

/// hoso's closing: an empty spacer paragraph and the Nơi nhận / signature table, last.
fn closing_len(ours: &[DocumentChild]) -> usize {
    match ours {
        [.., DocumentChild::Paragraph(p), DocumentChild::Table(_)]
            if text_of(p).trim().is_empty() =>
        {
            2
        }
        _ => 0,
    }
}

fn is_body_style(p: &Paragraph) -> bool {
    p.property
        .style
        .as_ref()
        .is_some_and(|s| s.val == "hosoBody" || s.val.starts_with("hosoHeading"))
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
                    RunChild::Text(t) => s.push_str(&t.text),
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

/// A paragraph's inline content. `refs` counts footnote references met so far.
fn inlines(p: &Paragraph, place: &dyn Fn() -> String, refs: &mut usize) -> Result<Vec<Inline>> {
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
        let bold = flag(&r.run_property.bold);
        let italic = flag(&r.run_property.italic);
        for rc in &r.children {
            match rc {
                RunChild::Text(t) => {
                    for (n, piece) in t.text.split(FOOTNOTE_MARK).enumerate() {
                        if n > 0 {
                            *refs += 1;
                            out.push(Inline::FootnoteRef(*refs));
                        }
                        let text = crate::text::clean(piece);
                        if text.is_empty() {
                            continue;
                        }
                        match out.last_mut() {
                            Some(Inline::Text(s)) if s.bold == bold && s.italic == italic => {
                                s.text.push_str(&text)
                            }
                            _ => out.push(Inline::Text(Span { text, bold, italic })),
                        }
                    }
                }
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
                _ => {}
            }
        }
    }
    Ok(out)
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
    refs: &mut usize,
) -> Result<Option<Block>> {
    let content = inlines(p, place, refs)?;
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
        return n.parse().ok();
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
/// all its text is bold, as hoso drafts it.
fn table(t: &DocxTable, place: &dyn Fn() -> String) -> Result<Table> {
    let mut refs = 0;
    let mut rows: Vec<Vec<Vec<Inline>>> = Vec::new();
    for r in table_rows(t) {
        let mut cells = Vec::new();
        for c in r {
            let mut cell: Vec<Inline> = Vec::new();
            for (i, p) in c.iter().enumerate() {
                if i > 0 {
                    cell.push(Inline::Break);
                }
                cell.extend(inlines(p, place, &mut refs)?);
            }
            cells.push(cell);
        }
        rows.push(cells);
    }
    if refs > 0 {
        return Err(invalid(format!(
            "{}: chú thích trong bảng không được hỗ trợ",
            place()
        )));
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

    /// hoso's own draft, read back unchanged, renders to the same document: every sample.
    #[test]
    fn an_unedited_draft_reads_back_as_drafted() {
        let set = TemplateSet::embedded().unwrap();
        for t in set.iter() {
            let doc = draft(&t.id);
            let bytes = crate::render::docx::render(&doc).unwrap();
            let read = body(&bytes, &bytes, doc.footnotes.len())
                .unwrap_or_else(|e| panic!("{}: {e}", t.id));
            let mut again = doc.clone();
            again.body = read;
            let (a, b) = (
                crate::render::docx::render(&doc).unwrap(),
                crate::render::docx::render(&again).unwrap(),
            );
            if a != b {
                for (x, y) in doc.body.iter().zip(&again.body) {
                    let (mut one, mut other) = (doc.clone(), doc.clone());
                    one.body = vec![x.clone()];
                    other.body = vec![y.clone()];
                    if crate::render::docx::render(&one).unwrap()
                        != crate::render::docx::render(&other).unwrap()
                    {
                        panic!("{}: {x:?}\n  read back as\n{y:?}", t.id);
                    }
                }
                std::fs::write("/tmp/a.docx", &a).unwrap();
                std::fs::write("/tmp/b.docx", &b).unwrap();
                panic!(
                    "{}: {} blocks, read back {}",
                    t.id,
                    doc.body.len(),
                    again.body.len()
                );
            }
        }
    }
}
