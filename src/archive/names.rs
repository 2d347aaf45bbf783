//! The shapes of the names a hồ sơ uses as paths — case ids, document ids, keys, the names of
//! its files — in one place, so that what `attach` makes, what `build` writes into a bag and
//! what `import` accepts from one are the same shapes. A name of these shapes is one path
//! segment or two (`documents/…`, `attachments/…`), never absolute, never `..`.

use crate::store::FileRow;

/// The highest number the register gives out in one series: far above any office's year, low
/// enough that the next number can never overflow.
pub const MAX_NUMBER: u32 = 99_999;

/// How many digits a case id may have after its `C`: `StoreTx::next_case_id` adds one to the
/// highest stored id, so an id of twenty digits would overflow it.
const MAX_CASE_DIGITS: usize = 9;

/// The longest key (step, role, template, procedure, province, version) accepted.
const MAX_KEY: usize = 100;

/// A case id as `StoreTx::next_case_id` makes it: `C` and digits ("C0001").
pub fn is_case_id(s: &str) -> bool {
    s.strip_prefix('C').is_some_and(|digits| {
        (1..=MAX_CASE_DIGITS).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

/// A key: a step, a role, a template, a procedure or a province id — ASCII letters, digits and
/// `-`, not starting with `-`.
pub fn is_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_KEY
        && !s.starts_with('-')
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A procedure version ("2022.1-kt"): a key that may also hold dots, not first.
pub fn is_version(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_KEY
        && !s.starts_with(['-', '.'])
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// A procedure key as cases store it: `mo-hinh` or `mo-hinh@kon-tum`.
pub fn is_procedure_key(s: &str) -> bool {
    match s.split_once('@') {
        Some((base, province)) => is_key(base) && is_key(province),
        None => is_key(s),
    }
}

/// A document id as `StoreTx::record_step` makes it, `NN-<template>` with NN the number as
/// `{:02}` prints it: its number and template, if it is one.
pub fn doc_id(doc: &str) -> Option<(u32, &str)> {
    let (digits, template) = doc.split_once('-')?;
    let n: u32 = digits.parse().ok()?;
    let canonical = (1..=MAX_NUMBER).contains(&n) && format!("{n:02}") == digits;
    (canonical && is_key(template)).then_some((n, template))
}

/// The names of a document's files in the hồ sơ: `documents/<doc>.docx` and `.pdf`.
pub fn is_document_file(doc: &str, name: &str) -> bool {
    doc_id(doc).is_some()
        && name
            .strip_prefix("documents/")
            .and_then(|n| n.strip_prefix(doc))
            .is_some_and(|ext| ext == ".docx" || ext == ".pdf")
}

/// A user's file name as the hồ sơ keeps it: NFC, without hidden characters, with `/`, `\`
/// and control characters made `_`; `None` when nothing usable is left or it would start with
/// a dot (a hidden file, `.`, `..`).
pub fn safe_file_name(name: &str) -> Option<String> {
    let safe: String = crate::text::clean(name)
        .chars()
        .map(|ch| {
            if ch == '/' || ch == '\\' || ch.is_control() {
                '_'
            } else {
                ch
            }
        })
        .collect();
    (!safe.is_empty() && !safe.starts_with('.')).then_some(safe)
}

/// The name an attached file takes in hồ sơ item `item`: `attachments/NN-<safe name>`.
pub fn attachment_name(item: u32, safe: &str) -> String {
    format!("attachments/{item:02}-{safe}")
}

/// Whether `name` is what [`attachment_name`] makes for item `item` from a safe file name.
pub fn is_attachment_file(item: u32, name: &str) -> bool {
    name.strip_prefix(&format!("attachments/{item:02}-"))
        .is_some_and(|rest| safe_file_name(rest).as_deref() == Some(rest))
}

/// Whether a stored file's name is of the shapes a hồ sơ holds: a document's file named after
/// its document, or an attachment named after its item.
pub fn is_stored_file(f: &FileRow) -> bool {
    match (&f.doc, f.item) {
        (Some(doc), _) => is_document_file(doc, &f.name),
        (None, Some(item)) => is_attachment_file(item, &f.name),
        (None, None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_ids() {
        for ok in ["C0001", "C1", "C123456789"] {
            assert!(is_case_id(ok), "{ok}");
        }
        for bad in [
            "",
            "C",
            "c0001",
            "C0001/",
            "/abs/EVILCASE",
            "C1234567890",
            "C-1",
            "C0001 ",
        ] {
            assert!(!is_case_id(bad), "{bad}");
        }
    }

    #[test]
    fn document_ids_and_files() {
        assert_eq!(
            doc_id("06-quyet-dinh-thanh-lap-mo-hinh"),
            Some((6, "quyet-dinh-thanh-lap-mo-hinh"))
        );
        assert_eq!(doc_id("103-bao-cao"), Some((103, "bao-cao")));
        for bad in [
            "/abs/path",
            "zz/../../x",
            "6-bao-cao",
            "006-bao-cao",
            "00-bao-cao",
            "06-",
            "06-../x",
            "06-bao cao",
            "4294967296-x",
            "-06-x",
        ] {
            assert_eq!(doc_id(bad), None, "{bad}");
        }
        let doc = "06-quyet-dinh";
        assert!(is_document_file(doc, "documents/06-quyet-dinh.pdf"));
        assert!(is_document_file(doc, "documents/06-quyet-dinh.docx"));
        for bad in [
            "documents//abs/path/X.docx",
            "documents/06-quyet-dinh.exe",
            "documents/07-quyet-dinh.pdf",
            "documents/06-quyet-dinh.pdf/../x",
            "attachments/06-quyet-dinh.pdf",
            "/documents/06-quyet-dinh.pdf",
        ] {
            assert!(!is_document_file(doc, bad), "{bad}");
        }
    }

    #[test]
    fn attachment_names_are_what_attach_makes() {
        let safe = safe_file_name("Ảnh camera & <kết quả>.jpg").unwrap();
        let name = attachment_name(11, &safe);
        assert_eq!(name, "attachments/11-Ảnh camera & <kết quả>.jpg");
        assert!(is_attachment_file(11, &name));
        assert!(!is_attachment_file(12, &name));
        assert_eq!(
            safe_file_name("a/b\\c\u{7}.csv").as_deref(),
            Some("a_b_c.csv")
        );
        for bad in ["", ".hidden", "..", "\u{200B}"] {
            assert_eq!(safe_file_name(bad), None, "{bad:?}");
        }
        for bad in [
            "attachments/11-../../x",
            "attachments/11-.x",
            "attachments/11-",
            "attachments/1-x.csv",
            "attachments/11-a/b.csv",
            "attachments/11-Tu\u{31B}\u{323}.csv",
            "documents/11-x.csv",
        ] {
            assert!(!is_attachment_file(11, bad), "{bad}");
        }
    }

    #[test]
    fn keys() {
        assert!(is_key("mo-hinh") && is_key("C0001") && is_key("bao-cao-khao-sat"));
        for bad in ["", "-x", "a/b", "a b", "..", "đ", "a@b"] {
            assert!(!is_key(bad), "{bad}");
        }
        assert!(is_procedure_key("mo-hinh@kon-tum") && !is_procedure_key("mo-hinh@"));
        assert!(is_version("2022.1-kt") && !is_version("../x") && !is_version(".1"));
    }
}
