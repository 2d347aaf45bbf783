//! Puts the children of `w:pPr`, `w:rPr` and `w:tblPr` in the order the WordprocessingML schema
//! prescribes. docx-rs writes some of them out of order (`w:rPr` first in `w:pPr`, `w:sz` before
//! `w:b`, `w:tblLayout` after `w:tblCellMar`); LibreOffice does not mind, a validating reader
//! such as Word may report the file as damaged.

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
}
