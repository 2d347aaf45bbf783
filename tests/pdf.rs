//! PDF output: A4, embedded fonts, exact Vietnamese text, page numbers from page 2, escaping.

mod common;

use common::*;
use hoso::render::pdf::{self, Profile};
use hoso::template::{DocData, TemplateSet};

fn render(
    set: &TemplateSet,
    id: &str,
    data: &std::path::Path,
    issuance: &hoso::template::Issuance,
) -> Vec<u8> {
    let data = DocData::load(data).unwrap();
    let doc = set.document(id, &data, issuance).unwrap();
    pdf::render(&doc, Profile::Standard).unwrap()
}

fn pages_text(bytes: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(bytes).expect("a PDF lopdf can read");
    let n = doc.get_pages().len() as u32;
    (1..=n).map(|p| doc.extract_text(&[p]).unwrap()).collect()
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_sample_renders_to_a4_with_exact_header_text() {
    let set = TemplateSet::embedded().unwrap();
    for t in set.iter() {
        let issuance = issued(5, 2023, 3, 20);
        let data = DocData::load(&sample(&t.id)).unwrap();
        let model = set.document(&t.id, &data, &issuance).unwrap();
        let bytes = pdf::render(&model, Profile::Standard).unwrap();
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        for (_, page) in doc.get_pages() {
            let dict = doc.get_dictionary(page).unwrap();
            let mb: Vec<f32> = dict
                .get(b"MediaBox")
                .and_then(|o| o.as_array())
                .unwrap()
                .iter()
                .map(|x| x.as_float().unwrap())
                .collect();
            assert!(
                (mb[2] - 595.28).abs() < 0.1 && (mb[3] - 841.89).abs() < 0.1,
                "{}: {mb:?}",
                t.id
            );
        }
        let text = squeeze(&pages_text(&bytes).join("\n"));
        assert!(unicode_normalization::is_nfc(&text), "{}", t.id);
        let h = model.header();
        for line in h
            .national
            .iter()
            .chain(&h.number)
            .chain(&h.date)
            .chain(&model.title())
        {
            if line.role == hoso::document::Role::Vv {
                continue;
            }
            assert!(
                text.contains(&squeeze(&line.text)),
                "{}: {:?} not in {text}",
                t.id,
                line.text
            );
        }
    }
}

#[test]
fn fonts_are_embedded() {
    let set = TemplateSet::embedded().unwrap();
    let id = "quyet-dinh-thanh-lap-mo-hinh";
    let doc = lopdf::Document::load_mem(&render(&set, id, &sample(id), &draft())).unwrap();
    let mut fonts = 0;
    for obj in doc.objects.values() {
        if let Ok(d) = obj.as_dict()
            && d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor".as_slice())
        {
            fonts += 1;
            assert!(
                d.has(b"FontFile2") || d.has(b"FontFile3") || d.has(b"FontFile"),
                "font not embedded: {d:?}"
            );
        }
    }
    assert!(fonts >= 2, "regular, bold (and italic) faces");
}

#[test]
fn page_numbers_start_on_page_two() {
    let set = TemplateSet::embedded().unwrap();
    let id = "quyet-dinh-thanh-lap-mo-hinh";
    let pages = pages_text(&render(&set, id, &sample(id), &draft()));
    assert!(pages.len() >= 2);
    let first_line = |p: &str| {
        p.lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(first_line(&pages[1]), "2", "page 2 opens with its number");
    assert!(
        first_line(&pages[0]).starts_with("UBND"),
        "page 1 has no number: {}",
        first_line(&pages[0])
    );
}

/// Every Vietnamese letter goes through font, layout, subsetting and ToUnicode and comes back.
#[test]
fn every_vietnamese_letter_survives() {
    let set = TemplateSet::embedded().unwrap();
    let id = "bao-cao-ket-qua-hoat-dong";
    let text = std::fs::read_to_string(sample(id)).unwrap();
    let letters = hoso::render::fonts::VIETNAMESE;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.yaml");
    std::fs::write(
        &path,
        text.replace(
            "de_xuat: >-",
            &format!("de_xuat: >-\n  {letters} {}", letters.to_lowercase()),
        ),
    )
    .unwrap();
    let out = squeeze(&pages_text(&render(&set, id, &path, &draft())).join(" "));
    assert!(out.contains(letters), "{out}");
}

/// Typst's markup and code characters in values stay text.
#[test]
fn typst_specials_stay_text() {
    let set = TemplateSet::embedded().unwrap();
    let id = "quyet-dinh-thanh-lap-mo-hinh";
    let text = std::fs::read_to_string(sample(id)).unwrap();
    let hostile = r#"#set $x$ *b* _i_ @ref <lbl> `raw` \ // [c] ]"#;
    let yaml = hostile.replace('\\', "\\\\").replace('"', "\\\"");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.yaml");
    std::fs::write(
        &path,
        text.replace(
            "ten_mo_hinh: Camera an ninh",
            &format!("ten_mo_hinh: \"{yaml}\""),
        ),
    )
    .unwrap();
    let out = squeeze(&pages_text(&render(&set, id, &path, &draft())).join(" "));
    assert!(out.contains(&squeeze(hostile)), "{out}");
}

#[test]
fn pdf_a_is_marked() {
    let set = TemplateSet::embedded().unwrap();
    let id = "ke-hoach-khao-sat";
    let data = DocData::load(&sample(id)).unwrap();
    let doc = set.document(id, &data, &issued(3, 2023, 2, 6)).unwrap();
    let bytes = pdf::render(&doc, Profile::Archival).unwrap();
    let s = String::from_utf8_lossy(&bytes);
    assert!(
        s.contains("<pdfaid:part>2</pdfaid:part>")
            && s.contains("<pdfaid:conformance>B</pdfaid:conformance>")
    );
}

#[test]
fn same_document_same_bytes() {
    let set = TemplateSet::embedded().unwrap();
    let id = "cong-van-de-nghi-bao-cao";
    let a = render(&set, id, &sample(id), &issued(2389, 2022, 12, 12));
    let b = render(&set, id, &sample(id), &issued(2389, 2022, 12, 12));
    assert_eq!(a, b);
}

/// The PDF is tagged (its structure readable by a screen reader) and says it is Vietnamese.
#[test]
fn tagged_and_in_vietnamese() {
    let set = TemplateSet::embedded().unwrap();
    let id = "quyet-dinh-thanh-lap-mo-hinh";
    let bytes = render(&set, id, &sample(id), &issued(5, 2023, 3, 20));
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let catalog = doc.catalog().unwrap();
    let mark = catalog.get(b"MarkInfo").unwrap();
    let mark = match mark {
        lopdf::Object::Reference(r) => doc.get_dictionary(*r).unwrap(),
        other => other.as_dict().unwrap(),
    };
    assert!(mark.get(b"Marked").unwrap().as_bool().unwrap());
    // Absent means false (ISO 32000-1 Table 321); poppler < 25.12 calls `false` an error.
    assert!(mark.get(b"Suspects").is_err(), "{mark:?}");
    assert!(catalog.get(b"StructTreeRoot").is_ok());
    let lang = catalog.get(b"Lang").unwrap().as_str().unwrap();
    assert_eq!(lang, b"vi");
}

/// A name ("Kon Klốc", "Đắk Mar") and a number and symbol ("09/KH-CAX") never break across
/// lines: the PDF joins a name's words by no-break spaces and sets a symbol in an unbreakable
/// box, its text unchanged; the DOCX joins both with no-break characters, which read back as
/// the plain text. (Layout checked on every
/// page of the demo by `conformance::names_and_numbers_are_never_broken_across_lines`.)
#[test]
fn names_and_numbers_are_set_unbreakable() {
    let set = TemplateSet::embedded().unwrap();
    let id = "bao-cao-danh-gia-dien-hinh";
    let data = DocData::load(&sample(id)).unwrap();
    let doc = set.document(id, &data, &issued(5, 2023, 3, 20)).unwrap();
    let source = pdf::typst_source(&doc);
    for name in ["Kon Klốc", "Đắk Mar"] {
        assert!(
            source.contains(&name.replace(' ', "\u{a0}")),
            "{name} not joined by a no-break space"
        );
    }
    assert!(
        source.contains(
            "#box(text(overhang: false, size: 14pt, weight: \"regular\", style: \"normal\", \"09/KH-CAX\"))"
        ),
        "09/KH-CAX not boxed"
    );
    let text = squeeze(&pages_text(&pdf::render(&doc, Profile::Standard).unwrap()).join("\n"));
    assert!(text.contains("thôn Kon Klốc"), "{text}");
    let xml = part(
        &hoso::render::docx::render(&doc).unwrap(),
        "word/document.xml",
    );
    assert!(xml.contains("thôn Kon\u{a0}Klốc"));
    assert!(xml.contains("09/\u{2060}KH\u{2011}CAX"));
    assert!(
        paragraphs(&xml)
            .iter()
            .any(|p| p.contains("Kế hoạch số 09/KH-CAX"))
    );
}
