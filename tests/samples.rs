//! Issue 14, item 10: the samples are a hồ sơ that agrees with itself — each periodic report
//! its own, a proposal that says the hồ sơ is complete only when the archive agrees, and every
//! sample's issuer one that existed on the sample's date.

mod common;

use common::*;
use hoso::store::Store;
use hoso::template::{DocData, TemplateSet};

/// The long paragraphs of a document: the ones a clerk would recognise as copied.
fn long_paragraphs(text: &str) -> std::collections::BTreeSet<String> {
    text.lines()
        .filter(|l| l.chars().count() > 60)
        .map(str::to_string)
        .collect()
}

#[test]
fn reports_are_their_own_and_a_complete_hoso_is_claimed_only_when_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = run_demo(dir.path());
    let store = hoso::store::SqliteStore::open(&out.join("hoso.db")).unwrap();
    let mut compared = 0;
    let mut claims = 0;
    for case in store.cases().unwrap() {
        let mut texts: Vec<(String, String)> = Vec::new();
        for d in store.documents(&case.id).unwrap() {
            if d.entry.is_none() {
                continue;
            }
            let Some(docx) = store
                .files(&case.id, Some(&d.doc))
                .unwrap()
                .into_iter()
                .find(|f| f.name.ends_with(".docx"))
            else {
                continue;
            };
            let text = paragraphs(&part(&docx.bytes, "word/document.xml")).join("\n");
            texts.push((d.template.clone(), text));
        }
        // Two reports of one template in a case share no long paragraph: the annual report
        // once repeated the six-month one word for word.
        for (i, (a, ta)) in texts.iter().enumerate() {
            for (b, tb) in &texts[i + 1..] {
                if a != b || !a.starts_with("bao-cao") {
                    continue;
                }
                compared += 1;
                let shared: Vec<String> = long_paragraphs(ta)
                    .intersection(&long_paragraphs(tb))
                    .cloned()
                    .collect();
                assert!(shared.is_empty(), "{} {a}: {shared:#?}", case.id);
            }
        }
        // A document that sends "the hồ sơ of the model under HD 22 section V.1" sends all of
        // it: the case's archive misses no item.
        if texts.iter().any(|(_, t)| t.contains("theo mục V.1")) {
            claims += 1;
            let bytes = std::fs::read(out.join(format!("{}.zip", case.id))).unwrap();
            let report = hoso::app::App::verify(&bytes).unwrap();
            let metadata = report.metadata.unwrap();
            let missing: Vec<u32> = metadata.missing().map(|c| c.item).collect();
            assert!(
                missing.is_empty(),
                "{}: claims the whole hồ sơ, misses {missing:?}",
                case.id
            );
        }
    }
    assert!(compared >= 3, "{compared} pairs of reports compared");
    assert!(claims >= 1, "no document claims the whole hồ sơ");
}

/// A sample is dated in its own story, and its issuer existed then: a district (HUYỆN, and a
/// thị trấn) until 30/06/2025, district police until 28/02/2025 — as `templates/phap-ly.yaml`
/// dates the levels — and a province merged in 2025 (Kon Tum, Bắc Kạn) until its overlay's
/// last day.
#[test]
fn every_sample_issuer_existed_on_the_sample_date() {
    let set = TemplateSet::embedded().unwrap();
    let phap_ly = hoso::document::phap_ly::PhapLy::built_in().unwrap();
    let merged = [("KON TUM", "kon-tum"), ("BẮC KẠN", "bac-kan")];
    let mut read = 0;
    for t in set.iter() {
        let data = DocData::load(&sample(&t.id)).unwrap();
        let on = data.fields.dated.unwrap();
        let issuer = data.fields.issuer.as_ref().unwrap();
        let names = format!(
            "{}\n{}",
            issuer.parent.as_deref().unwrap_or_default(),
            issuer.name
        )
        .to_uppercase();
        let cap = phap_ly.cap(on).unwrap();
        if names.contains("HUYỆN") || names.contains("THỊ TRẤN") {
            assert!(cap.huyen, "{}: {names} on {on}", t.id);
        }
        if names.contains("CÔNG AN HUYỆN") {
            assert!(cap.cong_an_huyen, "{}: {names} on {on}", t.id);
        }
        for (name, file) in merged {
            if names.contains(name) {
                let overlay = std::fs::read_to_string(
                    root().join(format!("workflows/provinces/{file}.yaml")),
                )
                .unwrap();
                let until = overlay
                    .lines()
                    .find_map(|l| l.strip_prefix("effective_until: "))
                    .unwrap();
                let until = chrono::NaiveDate::parse_from_str(until.trim(), "%Y-%m-%d").unwrap();
                assert!(on <= until, "{}: {name} after {until}: {on}", t.id);
            }
        }
        // A Party committee signs within one of its terms.
        let terms = &issuer.numbering.terms;
        if !terms.is_empty() {
            assert!(
                terms.iter().any(|r| r.from <= on && on <= r.until),
                "{}: outside the committee's terms: {on}",
                t.id
            );
        }
        read += 1;
    }
    assert!(read >= 40, "{read}");
}
