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

/// Schema order of `CT_PPrGeneral` children (17.7.5.2, 17.9.23): the paragraph properties of a
/// style, a numbering level or the defaults — [`PPR`] up to `cnfStyle`. It holds no `rPr` (a
/// style's run properties are the style's own child) and no `sectPr`.
const PPR_GENERAL: &[&str] = PPR.split_at(33).0;

/// Schema order of `CT_Style` children (17.7.4.17).
const STYLE: &[&str] = &[
    "name",
    "aliases",
    "basedOn",
    "next",
    "link",
    "autoRedefine",
    "hidden",
    "uiPriority",
    "semiHidden",
    "unhideWhenUsed",
    "qFormat",
    "locked",
    "personal",
    "personalCompose",
    "personalReply",
    "rsid",
    "pPr",
    "rPr",
    "tblPr",
    "trPr",
    "tcPr",
    "tblStylePr",
];

/// Schema order of `CT_SectPr` children (17.6.17): the header and footer references come first.
const SECTPR: &[&str] = &[
    "headerReference",
    "footerReference",
    "footnotePr",
    "endnotePr",
    "type",
    "pgSz",
    "pgMar",
    "paperSrc",
    "pgBorders",
    "lnNumType",
    "pgNumType",
    "cols",
    "formProt",
    "vAlign",
    "noEndnote",
    "titlePg",
    "textDirection",
    "bidi",
    "rtlGutter",
    "docGrid",
    "printerSettings",
    "sectPrChange",
];

/// Schema order of `CT_Lvl` children (17.9.6).
const LVL: &[&str] = &[
    "start",
    "numFmt",
    "lvlRestart",
    "pStyle",
    "isLgl",
    "suff",
    "lvlText",
    "lvlPicBulletId",
    "legacy",
    "lvlJc",
    "pPr",
    "rPr",
];

/// Schema order of `CT_TcPr` children (17.4.70).
const TCPR: &[&str] = &[
    "cnfStyle",
    "tcW",
    "gridSpan",
    "hMerge",
    "vMerge",
    "tcBorders",
    "shd",
    "noWrap",
    "tcMar",
    "textDirection",
    "tcFitText",
    "vAlign",
    "hideMark",
    "headers",
    "cellIns",
    "cellDel",
    "cellMerge",
    "tcPrChange",
];

/// Schema order of the `CT_Settings` children docx-rs and hoso write (17.15.1.78), in the
/// schema's relative order; the schema's other elements are never written.
const SETTINGS: &[&str] = &[
    "writeProtection",
    "view",
    "zoom",
    "removePersonalInformation",
    "proofState",
    "attachedTemplate",
    "documentProtection",
    "defaultTabStop",
    "autoHyphenation",
    "evenAndOddHeaders",
    "characterSpacingControl",
    "updateFields",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "themeFontLang",
    "clrSchemeMapping",
    "decimalSymbol",
    "listSeparator",
];

/// The children order of an element, by its name and its parent's: `w:pPr` is `CT_PPr` in a
/// paragraph but `CT_PPrGeneral` in a style, a numbering level or the document defaults.
fn order(parent: &[u8], name: &[u8]) -> Option<&'static [&'static str]> {
    Some(match (parent, name) {
        (b"style" | b"lvl" | b"pPrDefault", b"pPr") => PPR_GENERAL,
        (_, b"pPr") => PPR,
        (_, b"rPr") => RPR,
        (_, b"tblPr") => TBLPR,
        (_, b"tcPr") => TCPR,
        (_, b"style") => STYLE,
        (_, b"sectPr") => SECTPR,
        (_, b"lvl") => LVL,
        (_, b"settings") => SETTINGS,
        _ => return None,
    })
}

/// Attributes left out of what docx-rs writes: `w:type` on a grid column, which the schema
/// does not declare (`CT_TblGridCol` has only `w:w`, 17.4.16), and a paragraph's `w14:paraId`,
/// optional, numbered by docx-rs from a per-thread counter — so that the same document gives
/// the same bytes whatever was rendered before it (Word numbers paragraphs again on saving).
const UNDECLARED: &[(&[u8], &[u8])] = &[(b"gridCol", b"w:type"), (b"p", b"w14:paraId")];

/// A tag at `xml[start..end]` (`end` just past `>`).
struct Tag<'a> {
    name: &'a [u8],
    closing: bool,
    /// `<… />`, or markup that has no end tag (`<?xml …?>`, a comment).
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
    let markup = matches!(name.first(), Some(b'?' | b'!'));
    let mut quote = None;
    while i < xml.len() {
        match (quote, xml[i]) {
            (None, b'"' | b'\'') if !markup => quote = Some(xml[i]),
            (Some(q), c) if c == q => quote = None,
            (None, b'>') => {
                let empty = markup || xml[i - 1] == b'/';
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

/// Copies a start tag, leaving out the attributes the schema does not declare on it.
fn start_tag(xml: &[u8], start: usize, open: &Tag, out: &mut Vec<u8>) {
    let text = &xml[start..open.end];
    let name = local(open.name);
    if !UNDECLARED.iter().any(|(element, _)| *element == name) {
        out.extend_from_slice(text);
        return;
    }
    let undeclared = |attribute: &[u8]| UNDECLARED.contains(&(name, attribute));
    // Attributes are `␠name="value"`; docx-rs writes double quotes without `"` inside.
    let mut rest = text;
    while let Some(sp) = rest.iter().position(|&c| c == b' ') {
        out.extend_from_slice(&rest[..sp]);
        rest = &rest[sp..];
        let eq = rest.iter().position(|&c| c == b'=');
        let close = eq.and_then(|eq| {
            let q = eq + 1;
            (rest.get(q) == Some(&b'"'))
                .then(|| {
                    rest[q + 1..]
                        .iter()
                        .position(|&c| c == b'"')
                        .map(|e| q + 2 + e)
                })
                .flatten()
        });
        match (eq, close) {
            (Some(eq), Some(close)) if undeclared(rest[1..eq].trim_ascii()) => {
                rest = &rest[close..];
            }
            (_, Some(close)) => {
                out.extend_from_slice(&rest[..close]);
                rest = &rest[close..];
            }
            _ => break,
        }
    }
    out.extend_from_slice(rest);
}

/// True for an element with nothing in it, no attribute and no child: `<w:rPr />` or
/// `<w:rPr></w:rPr>`.
fn is_empty_element(child: &[u8]) -> bool {
    tag(child, 0).is_some_and(|t| {
        let bare = !child[..t.end].contains(&b'=');
        bare && if t.empty {
            t.end == child.len()
        } else {
            child[t.end..].starts_with(b"</")
        }
    })
}

/// Copies the element starting at `start` (its start tag is `open`, its parent `parent`) into
/// `out` with its children, and theirs, in schema order; returns the index just past it. A
/// child the schema does not allow there is left out only when it is empty (docx-rs's
/// `<w:rPr />` inside a style's paragraph properties); one with content is kept, in last
/// place, so nothing is lost and the validator in the tests reports it.
fn element(xml: &[u8], start: usize, open: &Tag, parent: &[u8], out: &mut Vec<u8>) -> usize {
    start_tag(xml, start, open, out);
    if open.empty {
        return open.end;
    }
    let name = local(open.name);
    let ranks = order(parent, name);
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
                i = element(xml, lt, &t, name, &mut child);
                if rank < ranks.len() || !is_empty_element(&child) {
                    children.push((rank, child));
                }
            }
            None => {
                out.extend_from_slice(&xml[i..lt]);
                i = element(xml, lt, &t, name, out);
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

/// Rewrites a part of the package with every element's children in the order the
/// WordprocessingML schema prescribes and no attribute it does not declare. Text and
/// everything the schema tables do not name are copied verbatim.
pub fn conform(xml: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(xml.len());
    let mut i = 0;
    while let Some(lt) = xml[i..].iter().position(|&c| c == b'<').map(|p| i + p) {
        out.extend_from_slice(&xml[i..lt]);
        let Some(t) = tag(xml, lt) else {
            i = lt;
            break;
        };
        i = element(xml, lt, &t, b"", &mut out);
    }
    out.extend_from_slice(&xml[i..]);
    out
}

/// Numbers the document's pictures and describes each for a screen reader: docx-rs gives
/// every one `wp:docPr id="1"`, and ids of drawing objects must be unique in a document
/// (ECMA-376 Part 1, 20.4.2.5), or Word repairs the file. `titles` are the pictures' in order.
pub fn number_pictures(xml: &[u8], titles: &[String]) -> Vec<u8> {
    const DOC_PR: &[u8] = b"<wp:docPr id=\"1\" name=\"Figure\"";
    let mut out = Vec::with_capacity(xml.len());
    let mut rest = xml;
    let mut n = 0;
    while let Some(at) = rest.windows(DOC_PR.len()).position(|w| w == DOC_PR) {
        n += 1;
        out.extend_from_slice(&rest[..at]);
        let descr: String = titles
            .get(n - 1)
            .map_or("", String::as_str)
            .chars()
            .filter(|c| !c.is_control())
            .map(|c| match c {
                '&' => "&amp;".to_string(),
                '<' => "&lt;".to_string(),
                '>' => "&gt;".to_string(),
                '"' => "&quot;".to_string(),
                c => c.to_string(),
            })
            .collect();
        out.extend_from_slice(
            format!("<wp:docPr id=\"{n}\" name=\"Biểu đồ {n}\" descr=\"{descr}\"").as_bytes(),
        );
        rest = &rest[at + DOC_PR.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// Marks the first row of the `n`-th table of a document part as a header row, repeated at
/// the top of every page the table runs onto (`w:tblHeader`, 17.4.49), where `headers[n]`;
/// docx-rs has no API for it. Tables are counted in document order, nested ones too (hoso
/// writes none in cells).
pub fn repeat_header_rows(xml: &[u8], headers: &[bool]) -> Vec<u8> {
    const HEADER: &[u8] = b"<w:tblHeader />";
    let find = |from: usize, what: &[u8]| {
        xml[from..]
            .windows(what.len())
            .position(|w| w == what)
            .map(|p| from + p)
    };
    let mut out = Vec::with_capacity(xml.len() + 64);
    let mut copied = 0;
    let mut from = 0;
    for &header in headers {
        let Some(table) = find(from, b"<w:tbl>") else {
            break;
        };
        from = table + 1;
        if !header {
            continue;
        }
        let row = match (find(table, b"<w:tr>"), find(table, b"<w:tr ")) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => match a.or(b) {
                Some(r) => r,
                None => break,
            },
        };
        let Some(open_end) = find(row, b">").map(|e| e + 1) else {
            break;
        };
        out.extend_from_slice(&xml[copied..open_end]);
        let rest = &xml[open_end..];
        if rest.starts_with(b"<w:trPr>") {
            out.extend_from_slice(b"<w:trPr>");
            out.extend_from_slice(HEADER);
            copied = open_end + b"<w:trPr>".len();
        } else if rest.starts_with(b"<w:trPr />") {
            out.extend_from_slice(b"<w:trPr>");
            out.extend_from_slice(HEADER);
            out.extend_from_slice(b"</w:trPr>");
            copied = open_end + b"<w:trPr />".len();
        } else {
            out.extend_from_slice(b"<w:trPr>");
            out.extend_from_slice(HEADER);
            out.extend_from_slice(b"</w:trPr>");
            copied = open_end;
        }
        from = copied;
    }
    out.extend_from_slice(&xml[copied..]);
    out
}

/// What a package says about itself in `docProps/`: Word shows it in File ▸ Info, a file
/// manager and a records system index it. docx-rs writes "unknown" and 1970 there.
pub struct Properties<'a> {
    /// The trích yếu, or the book's title.
    pub title: &'a str,
    /// The issuing body, as author and company.
    pub author: &'a str,
    /// The document's date; a draft has none, and then the package claims none.
    pub date: Option<chrono::NaiveDate>,
}

/// The language every run is proofed in, and the theme's fonts are chosen for.
const LANGUAGE: &str = "vi-VN";

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn core_xml(p: &Properties) -> Vec<u8> {
    let (title, author) = (escape(p.title), escape(p.author));
    let dates = p.date.map_or(String::new(), |d| {
        let at = d.format("%Y-%m-%dT00:00:00Z");
        format!(
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">{at}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{at}</dcterms:modified>"#
        )
    });
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{title}</dc:title><dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy><dc:language>{LANGUAGE}</dc:language>{dates}</cp:coreProperties>"#
    )
    .into_bytes()
}

fn app_xml(p: &Properties) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>hoso</Application><Company>{}</Company></Properties>"#,
        escape(p.author)
    )
    .into_bytes()
}

/// A theme whose fonts are the decree's Times New Roman. Word writes one in every package and
/// openxml-audit requires it; without it a style that names a theme font falls back to
/// Calibri/Cambria. Colours are Office's defaults; hoso's text uses none of them.
const THEME: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="hoso"><a:themeElements><a:clrScheme name="hoso">"#,
    r#"<a:dk1><a:srgbClr val="000000"/></a:dk1><a:lt1><a:srgbClr val="FFFFFF"/></a:lt1><a:dk2><a:srgbClr val="44546A"/></a:dk2><a:lt2><a:srgbClr val="E7E6E6"/></a:lt2>"#,
    r#"<a:accent1><a:srgbClr val="4472C4"/></a:accent1><a:accent2><a:srgbClr val="ED7D31"/></a:accent2><a:accent3><a:srgbClr val="A5A5A5"/></a:accent3><a:accent4><a:srgbClr val="FFC000"/></a:accent4><a:accent5><a:srgbClr val="5B9BD5"/></a:accent5><a:accent6><a:srgbClr val="70AD47"/></a:accent6>"#,
    r#"<a:hlink><a:srgbClr val="0563C1"/></a:hlink><a:folHlink><a:srgbClr val="954F72"/></a:folHlink></a:clrScheme>"#,
    r#"<a:fontScheme name="hoso"><a:majorFont><a:latin typeface="Times New Roman"/><a:ea typeface=""/><a:cs typeface="Times New Roman"/></a:majorFont><a:minorFont><a:latin typeface="Times New Roman"/><a:ea typeface=""/><a:cs typeface="Times New Roman"/></a:minorFont></a:fontScheme>"#,
    r#"<a:fmtScheme name="hoso"><a:fillStyleLst><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:fillStyleLst>"#,
    r#"<a:lnStyleLst><a:ln w="6350"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln><a:ln w="12700"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln><a:ln w="19050"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln></a:lnStyleLst>"#,
    r#"<a:effectStyleLst><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle></a:effectStyleLst>"#,
    r#"<a:bgFillStyleLst><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:bgFillStyleLst></a:fmtScheme>"#,
    r#"</a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>"#
);

/// Inserts `what` before the first `before` in `part`: docx-rs's fixed output, so present —
/// a test renders every template and checks what each insertion adds.
fn insert(part: &mut Vec<u8>, before: &str, what: &str) {
    let at = part
        .windows(before.len())
        .position(|w| w == before.as_bytes());
    debug_assert!(at.is_some(), "docx-rs no longer writes {before}");
    if let Some(at) = at {
        part.splice(at..at, what.bytes());
    }
}

/// Completes what docx-rs builds with what it has no API for: the properties, Vietnamese as
/// the language of every run and of the theme fonts, `Normal` as the default paragraph style
/// (17.7.4.17 `w:default`), and the theme part with its relationship and content type. Then
/// puts every XML part in schema order.
pub fn complete(xml: &mut docx_rs::XMLDocx, p: &Properties) {
    xml.doc_props.core = core_xml(p);
    xml.doc_props.app = app_xml(p);
    // The defaults' run properties: empty (`<w:rPr />`) in a document without default fonts.
    let lang = format!(r#"<w:lang w:val="{LANGUAGE}" />"#);
    let empty = b"<w:rPrDefault><w:rPr />";
    match xml.styles.windows(empty.len()).position(|w| w == empty) {
        Some(at) => {
            let filled = format!("<w:rPrDefault><w:rPr>{lang}</w:rPr>");
            xml.styles.splice(at..at + empty.len(), filled.bytes());
        }
        None => insert(&mut xml.styles, "</w:rPr></w:rPrDefault>", &lang),
    }
    insert(
        &mut xml.styles,
        r#"w:styleId="Normal""#,
        r#"w:default="1" "#,
    );
    insert(
        &mut xml.settings,
        "</w:settings>",
        &format!(r#"<w:themeFontLang w:val="{LANGUAGE}" />"#),
    );
    insert(
        &mut xml.content_type,
        "</Types>",
        r#"<Override PartName="/word/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml" />"#,
    );
    insert(
        &mut xml.document_rels,
        "</Relationships>",
        r#"<Relationship Id="rIdTheme1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme" Target="theme/theme1.xml" />"#,
    );
    for part in [
        &mut xml.document,
        &mut xml.styles,
        &mut xml.numberings,
        &mut xml.settings,
        &mut xml.footnotes,
    ]
    .into_iter()
    .chain(&mut xml.headers)
    .chain(&mut xml.footers)
    {
        *part = conform(part);
    }
}

/// The package's parts as docx-rs's own writer names and orders them, `[Content_Types].xml`
/// first, and the theme [`complete`] declares. Folders get no entries of their own: a package has none (ISO/IEC 29500-2, 9.1).
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
        ("word/theme/theme1.xml".into(), THEME.as_bytes()),
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
        let got = String::from_utf8(conform(xml)).unwrap();
        assert_eq!(
            got,
            r#"<w:p><w:pPr><w:pStyle w:val="x" /><w:keepNext /><w:spacing w:before="1" /><w:ind w:left="5" /><w:jc w:val="both" /><w:rPr><w:b /><w:sz w:val="28" /></w:rPr></w:pPr><w:r><w:t xml:space="preserve">a &lt; b</w:t></w:r></w:p>"#
        );
    }

    #[test]
    fn table_properties_and_declaration() {
        let xml = br#"<?xml version="1.0"?><w:tbl><w:tblPr><w:tblW w:w="1" /><w:tblCellMar><w:top w:w="0" /></w:tblCellMar><w:tblLayout w:type="fixed" /></w:tblPr></w:tbl>"#;
        let got = String::from_utf8(conform(xml)).unwrap();
        assert_eq!(
            got,
            r#"<?xml version="1.0"?><w:tbl><w:tblPr><w:tblW w:w="1" /><w:tblLayout w:type="fixed" /><w:tblCellMar><w:top w:w="0" /></w:tblCellMar></w:tblPr></w:tbl>"#
        );
    }

    #[test]
    fn styles_sections_and_levels_in_schema_order() {
        // A style's pPr is CT_PPrGeneral: docx-rs's empty rPr there goes; a non-empty one
        // would be kept (last) rather than lost.
        let xml = br#"<w:styles><w:style w:type="paragraph" w:styleId="a"><w:name w:val="a" /><w:rPr /><w:pPr><w:jc w:val="both" /><w:rPr /></w:pPr><w:qFormat /></w:style><w:style w:styleId="b"><w:pPr><w:rPr><w:b /></w:rPr><w:spacing /></w:pPr></w:style></w:styles>"#;
        assert_eq!(
            String::from_utf8(conform(xml)).unwrap(),
            r#"<w:styles><w:style w:type="paragraph" w:styleId="a"><w:name w:val="a" /><w:qFormat /><w:pPr><w:jc w:val="both" /></w:pPr><w:rPr /></w:style><w:style w:styleId="b"><w:pPr><w:spacing /><w:rPr><w:b /></w:rPr></w:pPr></w:style></w:styles>"#
        );
        let xml = br#"<w:body><w:sectPr><w:pgSz w:w="1" /><w:pgMar w:top="1" /><w:cols /><w:headerReference r:id="h" /><w:titlePg /></w:sectPr></w:body>"#;
        assert_eq!(
            String::from_utf8(conform(xml)).unwrap(),
            r#"<w:body><w:sectPr><w:headerReference r:id="h" /><w:pgSz w:w="1" /><w:pgMar w:top="1" /><w:cols /><w:titlePg /></w:sectPr></w:body>"#
        );
        let xml = br#"<w:lvl w:ilvl="0"><w:start w:val="1" /><w:pPr><w:rPr /><w:ind w:left="420" /></w:pPr><w:rPr /></w:lvl>"#;
        assert_eq!(
            String::from_utf8(conform(xml)).unwrap(),
            r#"<w:lvl w:ilvl="0"><w:start w:val="1" /><w:pPr><w:ind w:left="420" /></w:pPr><w:rPr /></w:lvl>"#
        );
    }

    #[test]
    fn undeclared_attributes_go_and_markup_stays() {
        let xml = br#"<?xml version="1.0"?><!-- x > y --><w:tblGrid><w:gridCol w:w="2835" w:type="dxa" /><w:gridCol w:type="dxa" w:w="10" /></w:tblGrid><w:settings><w:defaultTabStop w:val="840" /><w:zoom w:percent="100" /></w:settings>"#;
        assert_eq!(
            String::from_utf8(conform(xml)).unwrap(),
            r#"<?xml version="1.0"?><!-- x > y --><w:tblGrid><w:gridCol w:w="2835" /><w:gridCol w:w="10" /></w:tblGrid><w:settings><w:zoom w:percent="100" /><w:defaultTabStop w:val="840" /></w:settings>"#
        );
    }

    #[test]
    fn header_rows_are_marked_only_where_asked() {
        let xml = br#"<w:tbl><w:tr><w:trPr><w:cantSplit /></w:trPr><w:tc/></w:tr><w:tr><w:trPr /></w:tr></w:tbl><w:tbl><w:tr><w:tc/></w:tr></w:tbl><w:tbl><w:tr><w:tc/></w:tr></w:tbl>"#;
        assert_eq!(
            String::from_utf8(repeat_header_rows(xml, &[true, false, true])).unwrap(),
            r#"<w:tbl><w:tr><w:trPr><w:tblHeader /><w:cantSplit /></w:trPr><w:tc/></w:tr><w:tr><w:trPr /></w:tr></w:tbl><w:tbl><w:tr><w:tc/></w:tr></w:tbl><w:tbl><w:tr><w:trPr><w:tblHeader /></w:trPr><w:tc/></w:tr></w:tbl>"#
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
