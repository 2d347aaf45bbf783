//! Puts the children of `w:pPr`, `w:rPr` and `w:tblPr` in the order the WordprocessingML schema
//! prescribes. docx-rs writes some of them out of order (`w:rPr` first in `w:pPr`, `w:sz` before
//! `w:b`, `w:tblLayout` after `w:tblCellMar`); LibreOffice does not mind, a validating reader
//! such as Word may report the file as damaged. Also writes the package: its parts deflated in
//! a fixed order with fixed times, where docx-rs would store them uncompressed.

/// Schema order of `CT_PPr` children (ISO/IEC 29500-1, 17.3.1.26).
const PPR: &[&str] = &[
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
];

/// Schema order of `CT_RPr` children (17.3.2.28).
const RPR: &[&str] = &[
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
    "ins",
    "del",
    "rPrChange",
];

/// Schema order of `CT_TblPr` children (17.4.60).
const TBLPR: &[&str] = &[
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
    "tblPrChange",
];

fn order(container: &[u8]) -> Option<&'static [&'static str]> {
    match container {
        b"pPr" => Some(PPR),
        b"rPr" => Some(RPR),
        b"tblPr" => Some(TBLPR),
        _ => None,
    }
}

/// A tag at `xml[start..end]` (`end` just past `>`).
struct Tag<'a> {
    name: &'a [u8],
    closing: bool,
    empty: bool,
    end: usize,
}

/// Reads the tag starting at `xml[start] == b'<'`, quote-aware.
fn tag(xml: &[u8], start: usize) -> Option<Tag<'_>> {
    let closing = xml.get(start + 1) == Some(&b'/');
    let name_start = start + if closing { 2 } else { 1 };
    let mut i = name_start;
    while i < xml.len() && !matches!(xml[i], b' ' | b'>' | b'/' | b'\n' | b'\t' | b'\r') {
        i += 1;
    }
    let name = &xml[name_start..i];
    let mut quote = None;
    while i < xml.len() {
        match (quote, xml[i]) {
            (None, b'"' | b'\'') => quote = Some(xml[i]),
            (Some(q), c) if c == q => quote = None,
            (None, b'>') => {
                let empty = xml[i - 1] == b'/';
                return Some(Tag {
                    name,
                    closing,
                    empty,
                    end: i + 1,
                });
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn local(name: &[u8]) -> &[u8] {
    name.iter()
        .position(|&c| c == b':')
        .map_or(name, |i| &name[i + 1..])
}

/// Copies the element starting at `start` (its start tag is `open`) into `out`, reordering it
/// and its descendants; returns the index just past it. Only the children of a property
/// container are buffered; everything else streams straight through.
fn element(xml: &[u8], start: usize, open: &Tag, out: &mut Vec<u8>) -> usize {
    out.extend_from_slice(&xml[start..open.end]);
    if open.empty {
        return open.end;
    }
    let ranks = order(local(open.name));
    let mut children: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut i = open.end;
    while let Some(lt) = xml[i..].iter().position(|&c| c == b'<').map(|p| i + p) {
        let Some(t) = tag(xml, lt) else { break };
        if t.closing {
            // Text before the end tag (a w:t's content) is copied as it is.
            out.extend_from_slice(&xml[i..lt]);
            children.sort_by_key(|(rank, _)| *rank);
            for (_, c) in children {
                out.extend_from_slice(&c);
            }
            out.extend_from_slice(&xml[lt..t.end]);
            return t.end;
        }
        match ranks {
            Some(ranks) => {
                let rank = ranks
                    .iter()
                    .position(|n| n.as_bytes() == local(t.name))
                    .unwrap_or(ranks.len());
                let mut child = Vec::new();
                i = element(xml, lt, &t, &mut child);
                children.push((rank, child));
            }
            None => {
                out.extend_from_slice(&xml[i..lt]);
                i = element(xml, lt, &t, out);
            }
        }
    }
    // Unterminated element: keep the rest as it is.
    for (_, c) in children {
        out.extend_from_slice(&c);
    }
    out.extend_from_slice(&xml[i..]);
    xml.len()
}

/// True when a start tag of a property container begins at `xml[lt]`.
fn container_at(xml: &[u8], lt: usize) -> bool {
    let rest = &xml[lt + 1..];
    [&b"w:pPr"[..], b"w:rPr", b"w:tblPr"].iter().any(|name| {
        rest.starts_with(name) && matches!(rest.get(name.len()), Some(b'>' | b' ' | b'/'))
    })
}

/// Rewrites a part with its property elements in schema order. Everything outside the
/// property containers is copied verbatim, so the pass costs little more than a copy.
pub fn reorder(xml: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(xml.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(lt) = xml[i..].iter().position(|&c| c == b'<').map(|p| i + p) {
        if !container_at(xml, lt) {
            i = lt + 1;
            continue;
        }
        let Some(t) = tag(xml, lt) else { break };
        out.extend_from_slice(&xml[copied..lt]);
        i = element(xml, lt, &t, &mut out);
        copied = i;
    }
    out.extend_from_slice(&xml[copied..]);
    out
}

/// The package's parts as docx-rs's own writer names and orders them, `[Content_Types].xml`
/// first. Folders get no entries of their own: a package has none (ISO/IEC 29500-2, 9.1).
pub fn parts(xml: &docx_rs::XMLDocx) -> Vec<(String, &[u8])> {
    let mut parts: Vec<(String, &[u8])> = vec![
        ("[Content_Types].xml".into(), &xml.content_type),
        ("_rels/.rels".into(), &xml.rels),
        ("docProps/app.xml".into(), &xml.doc_props.app),
        ("docProps/core.xml".into(), &xml.doc_props.core),
        ("docProps/custom.xml".into(), &xml.doc_props.custom),
        ("word/_rels/document.xml.rels".into(), &xml.document_rels),
        ("word/document.xml".into(), &xml.document),
        ("word/styles.xml".into(), &xml.styles),
        ("word/settings.xml".into(), &xml.settings),
        ("word/fontTable.xml".into(), &xml.font_table),
        ("word/comments.xml".into(), &xml.comments),
        ("word/numbering.xml".into(), &xml.numberings),
        ("word/commentsExtended.xml".into(), &xml.comments_extended),
        ("word/footnotes.xml".into(), &xml.footnotes),
    ];
    for (kind, parts_of, rels_of) in [
        ("header", &xml.headers, &xml.header_rels),
        ("footer", &xml.footers, &xml.footer_rels),
    ] {
        for (i, part) in parts_of.iter().enumerate() {
            parts.push((format!("word/{kind}{}.xml", i + 1), part));
            if let Some(rels) = rels_of.get(i) {
                parts.push((format!("word/_rels/{kind}{}.xml.rels", i + 1), rels));
            }
        }
    }
    for (id, png) in &xml.media {
        parts.push((format!("word/media/{id}.png"), png));
    }
    if let Some(taskpanes) = &xml.taskpanes {
        parts.push(("word/webextensions/taskpanes.xml".into(), taskpanes));
        parts.push((
            "word/webextensions/_rels/taskpanes.xml.rels".into(),
            &xml.taskpanes_rels,
        ));
        for (i, ext) in xml.web_extensions.iter().enumerate() {
            parts.push((format!("word/webextensions/webextension{}.xml", i + 1), ext));
        }
    }
    for (i, item) in xml.custom_items.iter().enumerate() {
        let n = i + 1;
        parts.push((
            format!("customXml/_rels/item{n}.xml.rels"),
            &xml.custom_item_rels[i],
        ));
        parts.push((format!("customXml/item{n}.xml"), item));
        parts.push((
            format!("customXml/itemProps{n}.xml"),
            &xml.custom_item_props[i],
        ));
    }
    parts
}

/// Deflate level of a document, rendered while someone waits: zlib-rs's fastest takes a
/// quyết định from 53 KB to 14 KB for 0.2 ms; level 6 would save 3 KB more for 0.5 ms, as much
/// as the rest of the DOCX render.
pub const FAST: i64 = 1;
/// Deflate level of a register book: building its megabytes of XML takes a fifth of a second,
/// beside which the best level costs nothing (1,500 entries: 97 KB instead of 162 KB).
pub const BEST: i64 = 9;

/// A ZIP of `parts` in the order given, each deflated at `level`, with the DOS epoch
/// (1980-01-01) as every entry's time and fixed permissions: the same parts give the same
/// bytes.
pub fn zip(parts: &[(String, &[u8])], level: i64) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::Write as _;
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(level))
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let size: usize = parts.iter().map(|(_, b)| b.len()).sum();
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(size / 4)));
    for (name, bytes) in parts {
        z.start_file(name.as_str(), options)?;
        z.write_all(bytes)?;
    }
    Ok(z.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraph_and_run_properties_in_schema_order() {
        let xml = br#"<w:p><w:pPr><w:rPr><w:sz w:val="28" /><w:b /></w:rPr><w:pStyle w:val="x" /><w:jc w:val="both" /><w:ind w:left="5" /><w:spacing w:before="1" /><w:keepNext /></w:pPr><w:r><w:t xml:space="preserve">a &lt; b</w:t></w:r></w:p>"#;
        let got = String::from_utf8(reorder(xml)).unwrap();
        assert_eq!(
            got,
            r#"<w:p><w:pPr><w:pStyle w:val="x" /><w:keepNext /><w:spacing w:before="1" /><w:ind w:left="5" /><w:jc w:val="both" /><w:rPr><w:b /><w:sz w:val="28" /></w:rPr></w:pPr><w:r><w:t xml:space="preserve">a &lt; b</w:t></w:r></w:p>"#
        );
    }

    #[test]
    fn table_properties_and_declaration() {
        let xml = br#"<?xml version="1.0"?><w:tbl><w:tblPr><w:tblW w:w="1" /><w:tblCellMar><w:top w:w="0" /></w:tblCellMar><w:tblLayout w:type="fixed" /></w:tblPr></w:tbl>"#;
        let got = String::from_utf8(reorder(xml)).unwrap();
        assert_eq!(
            got,
            r#"<?xml version="1.0"?><w:tbl><w:tblPr><w:tblW w:w="1" /><w:tblLayout w:type="fixed" /><w:tblCellMar><w:top w:w="0" /></w:tblCellMar></w:tblPr></w:tbl>"#
        );
    }

    #[test]
    fn parts_are_deflated_in_order_with_fixed_times() {
        let parts: Vec<(String, &[u8])> = vec![
            ("[Content_Types].xml".into(), b"<Types/>"),
            ("word/document.xml".into(), &[b'x'; 4096]),
        ];
        let bytes = zip(&parts, FAST).unwrap();
        assert_eq!(bytes, zip(&parts, FAST).unwrap());
        let mut z = ::zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
        assert_eq!(
            z.file_names().collect::<Vec<_>>(),
            ["[Content_Types].xml", "word/document.xml"]
        );
        let f = z.by_index(1).unwrap();
        assert_eq!(f.compression(), ::zip::CompressionMethod::Deflated);
        assert!(f.compressed_size() < 100);
        assert_eq!(f.last_modified(), Some(::zip::DateTime::default()));
    }
}
