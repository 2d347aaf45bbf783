//! Issue #19, hardening at the edges: hostile archives are problems or refusals and never a
//! panic, no hidden entry passes a check, hidden characters never reach a document, outputs
//! replace only what is ours, inputs are read only from bounded regular files, and whatever
//! text a data file, a procedure or a province file holds, loading it gives a value or an error
//! naming the file, never a panic, and soon.
//!
//! The property tests run a few dozen cases by default, a few seconds in a debug build; set
//! `PROPTEST_CASES` (e.g. `PROPTEST_CASES=20000 cargo test --release --test hardening`) for a
//! longer run.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use hoso::archive::{Limits, verify};
use hoso::fsutil::{
    LIMIT_ARCHIVE, LIMIT_ATTACHMENT, LIMIT_DATA, read_input, read_input_text, sha256_hex,
    write_atomic,
};
use hoso::text::{clean, clean_multiline, is_invisible};
use proptest::prelude::*;
use unicode_normalization::{UnicodeNormalization, is_nfc};

// ---------------------------------------------------------------------------------------------
// Archives

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// A stored (uncompressed) ZIP written byte by byte, so that names may be anything an attacker
/// chooses, the same name twice included (the zip crate's writer refuses that).
fn raw_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let header = |central: bool| {
            let mut h = Vec::new();
            h.extend(if central { 0x0201_4b50u32 } else { 0x0403_4b50 }.to_le_bytes());
            if central {
                h.extend(0x031eu16.to_le_bytes()); // made by: Unix
            }
            h.extend(20u16.to_le_bytes());
            h.extend(0x0800u16.to_le_bytes()); // names in UTF-8
            h.extend(0u16.to_le_bytes()); // stored
            h.extend(0u16.to_le_bytes()); // time
            h.extend(0x21u16.to_le_bytes()); // 1980-01-01
            h.extend(crc32(data).to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if central {
                h.extend([0u8; 6]); // comment length, disk, internal attributes
                h.extend((0o100644u32 << 16).to_le_bytes());
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(header(false));
        out.extend(*data);
        central.extend(header(true));
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// A deflated ZIP written by the zip crate.
fn deflated_zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        z.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap().into_inner()
}

fn manifest(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    files
        .iter()
        .map(|(name, b)| format!("{}  {name}\n", sha256_hex(b)))
        .collect::<String>()
        .into_bytes()
}

/// A small bag that verifies intact, its entries under `C0001/`.
fn bag() -> Vec<(String, Vec<u8>)> {
    let metadata = br#"{"case":"C0001","workflow":"mo-hinh","version":"1","documents":[],"drafts":[],"attachments":[],"checklist":[]}"#;
    let payload: Vec<(String, Vec<u8>)> = vec![
        ("data/a.txt".into(), b"Ke hoach khao sat".to_vec()),
        ("data/documents/Tự do.pdf".into(), b"%PDF-1.7 ...".to_vec()),
        ("data/metadata.json".into(), metadata.to_vec()),
    ];
    let octets: usize = payload.iter().map(|(_, b)| b.len()).sum();
    let mut tags: Vec<(String, Vec<u8>)> = vec![
        (
            "bag-info.txt".into(),
            format!("Payload-Oxum: {octets}.{}\n", payload.len()).into_bytes(),
        ),
        (
            "bagit.txt".into(),
            b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".to_vec(),
        ),
        ("manifest-sha256.txt".into(), manifest(&payload)),
    ];
    tags.push(("tagmanifest-sha256.txt".into(), manifest(&tags)));
    tags.into_iter()
        .chain(payload)
        .map(|(k, v)| (format!("C0001/{k}"), v))
        .collect()
}

fn as_refs(entries: &[(String, Vec<u8>)]) -> Vec<(&str, &[u8])> {
    entries
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_slice()))
        .collect()
}

#[test]
fn the_test_bag_is_intact_both_ways_it_is_zipped() {
    for bytes in [deflated_zip(&bag()), raw_zip(&as_refs(&bag()))] {
        let report = verify(&bytes, Limits::default()).unwrap();
        assert!(report.intact(), "{:?}", report.problems);
        assert!(report.metadata.is_some());
        assert_eq!(report.base, "C0001");
    }
}

/// F6: `verify` (and so `import`, which verifies first) sliced every name past the base
/// directory, so an entry that is the base, or has no name at all, panicked.
#[test]
fn an_entry_outside_the_bag_directory_is_a_problem_not_a_panic() {
    let shapes: [&[&str]; 6] = [
        &["C0001"],
        &[""],
        &["C0001", "C0001/extra.txt"],
        &["", "C0001/extra.txt"],
        &["C0001/", "C0001"],
        &["C0001//bagit.txt"],
    ];
    for names in shapes {
        let mut entries = bag();
        entries.extend(names.iter().map(|n| (n.to_string(), b"x".to_vec())));
        let report = verify(&raw_zip(&as_refs(&entries)), Limits::default())
            .unwrap_or_else(|e| panic!("{names:?}: refused as a whole: {e}"));
        assert!(!report.intact(), "{names:?}");
        for name in names.iter().filter(|n| !n.contains('/')) {
            let problem = format!("ngoài thư mục của bag: {name:?}");
            assert!(
                report.problems.contains(&problem),
                "{names:?}: {:?}",
                report.problems
            );
        }
    }
    // Alone, such an entry is no bag at all: still a report.
    for name in ["C0001", "", "a/"] {
        let report = verify(&raw_zip(&[(name, b"x")]), Limits::default()).unwrap();
        assert!(!report.intact(), "{name:?}");
    }
}

/// The zip crate keeps only the last of two entries with the same name, so `verify` reported
/// 18 files intact while the ZIP held 19: an unchecked copy that another tool would extract.
#[test]
fn a_name_twice_is_refused_naming_it() {
    let name = "C0001/data/a.txt";
    let intact = bag();
    for second in [&b"Ke hoach khao sat"[..], b"something else"] {
        let mut entries = as_refs(&intact);
        entries.insert(0, (name, second));
        let bytes = raw_zip(&entries);
        let z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
        assert_eq!(z.len(), intact.len(), "the reader hides one of them");
        let e = verify(&bytes, Limits::default()).unwrap_err().to_string();
        assert!(
            e.contains("có hai lần") && e.contains(name),
            "the error names the entry: {e}"
        );
    }
    // A directory entry twice hides nothing, but is refused as well: the check is on counts.
    let mut entries = as_refs(&intact);
    entries.push(("C0001/data/", b""));
    entries.push(("C0001/data/", b""));
    assert!(verify(&raw_zip(&entries), Limits::default()).is_err());
}

/// "Tự do.pdf" precomposed and decomposed are two byte strings but one name to a person and
/// to file systems that normalise (an extraction keeps one of them).
#[test]
fn one_name_in_two_unicode_spellings_is_refused() {
    let mut entries = bag();
    let nfd: String = "C0001/data/documents/Tự do.pdf".nfd().collect();
    entries.push((nfd, b"%PDF-1.7 other".to_vec()));
    for bytes in [deflated_zip(&entries), raw_zip(&as_refs(&entries))] {
        let e = verify(&bytes, Limits::default()).unwrap_err().to_string();
        assert!(e.contains("NFC") && e.contains("Tự do.pdf"), "{e}");
    }
}

fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig::with_cases(cases)
}

/// Small limits keep each case fast; the code paths are those of the default limits.
fn small_limits() -> Limits {
    Limits {
        max_entries: 64,
        max_entry: 1 << 20,
        max_total: 4 << 20,
    }
}

/// `verify` on any bytes: a report or an error, never a panic, and soon.
fn verify_in_time(bytes: &[u8]) {
    let started = Instant::now();
    let _ = verify(bytes, small_limits());
    let _ = verify(bytes, Limits::default());
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "verify took {took:?}");
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn any_bytes_are_refused_or_reported(
        prefix in prop::sample::select(vec![&b""[..], b"PK\x03\x04", b"PK\x05\x06"]),
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut all = prefix.to_vec();
        all.extend(bytes);
        verify_in_time(&all);
    }

    #[test]
    fn mutated_bags_are_refused_or_reported(
        deflated in any::<bool>(),
        // Where the central directory lies (the last part) more often than chance would.
        changes in prop::collection::vec((any::<bool>(), any::<prop::sample::Index>(), any::<u8>()), 1..12),
        cut in prop::option::weighted(0.2, any::<prop::sample::Index>()),
    ) {
        let mut bytes = if deflated { deflated_zip(&bag()) } else { raw_zip(&as_refs(&bag())) };
        let len = bytes.len();
        for (tail, at, value) in changes {
            let i = if tail { len - 1 - at.index(len / 3) } else { at.index(len) };
            bytes[i] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(len));
        }
        verify_in_time(&bytes);
    }

    #[test]
    fn renamed_entries_are_refused_or_reported(
        names in prop::collection::vec(
            prop::sample::select(vec![
                "", "C0001", "C0001/", "C0001/data", "C0001/data/a.txt", "C0001//x", "C0002/x",
                "C0001/bagit.txt", "C0001/./x", "/x", "../x", "C0001/../x", "C:x", "a\\b",
                "C0001/da\u{0300}ta", "C0001/dà", "C0001/\u{202E}txt.exe",
            ]),
            1..6,
        ),
    ) {
        let intact = bag();
        let mut entries = as_refs(&intact);
        entries.extend(names.iter().map(|n| (*n, &b"x"[..])));
        verify_in_time(&raw_zip(&entries));
    }
}

// ---------------------------------------------------------------------------------------------
// Text

/// Characters that stress `clean`: markup, quotes, combining marks, controls, bidi controls,
/// zero-width characters and line breaks, among any character at all.
fn tricky_text() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        '&', '<', '>', '*', '_', '"', '\'', '`', '#', '|', '\\', 'a', 'e', 'u', 'A', 'Đ', 'ư',
        '\u{0300}', '\u{0301}', '\u{0303}', '\u{0309}', '\u{0323}', '\u{0302}', '\u{031B}',
        '\u{0306}', '\0', '\u{7}', '\t', '\n', '\r', '\u{85}', '\u{9F}', '\u{61C}', '\u{200B}',
        '\u{200C}', '\u{200D}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}',
        '\u{202D}', '\u{202E}', '\u{2060}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        '\u{FEFF}', ' ',
    ]);
    prop::collection::vec(prop_oneof![3 => special, 1 => any::<char>()], 0..48)
        .prop_map(String::from_iter)
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn clean_text_is_nfc_visible_and_stable(s in tricky_text()) {
        let once = clean(&s);
        prop_assert!(is_nfc(&once), "{once:?}");
        prop_assert!(!once.chars().any(|c| c.is_control() || is_invisible(c)), "{once:?}");
        prop_assert_eq!(clean(&once), once.clone());
        // Text with nothing to remove loses nothing: it is only composed.
        if !s.chars().any(|c| c.is_control() || is_invisible(c)) {
            prop_assert_eq!(once, s.nfc().collect::<String>());
        }
    }

    #[test]
    fn clean_multiline_keeps_only_line_feeds(s in tricky_text()) {
        let once = clean_multiline(&s);
        prop_assert!(is_nfc(&once), "{once:?}");
        prop_assert!(
            !once.chars().any(|c| (c.is_control() && c != '\n') || is_invisible(c)),
            "{once:?}"
        );
        prop_assert_eq!(clean_multiline(&once), once.clone());
        prop_assert_eq!(once.matches('\n').count(), s.matches('\n').count());
    }
}

// ---------------------------------------------------------------------------------------------
// Outputs

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
}

/// Nothing but `keep` is left in `dir`: no temporary file survives a write or a refusal.
fn only(dir: &Path, keep: &[&str]) {
    let mut left: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    let mut keep: Vec<String> = keep.iter().map(|s| s.to_string()).collect();
    keep.sort();
    assert_eq!(left, keep);
}

fn refused(path: &Path, why: &str) {
    let e = write_atomic(path, b"new").unwrap_err().to_string();
    assert!(
        e.contains(&path.display().to_string()) && e.contains(why),
        "{}: {e}",
        path.display()
    );
}

#[test]
fn writes_a_new_file_and_replaces_a_regular_one_keeping_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("new/dir/QĐ 06.pdf");
    write_atomic(&p, b"one").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"one");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    write_atomic(&p, b"two").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"two");
    let mode = std::fs::metadata(&p).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "a private document stays private");
    only(p.parent().unwrap(), &["QĐ 06.pdf"]);
}

#[test]
fn never_writes_through_or_over_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target.txt");
    std::fs::write(&target, b"precious").unwrap();
    let link = dir.path().join("out.pdf");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    refused(&link, "liên kết");
    assert_eq!(std::fs::read(&target).unwrap(), b"precious");
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    // A dangling link: the file it names is not created either.
    let dangling = dir.path().join("dangling.pdf");
    std::os::unix::fs::symlink(dir.path().join("created.txt"), &dangling).unwrap();
    refused(&dangling, "liên kết");
    only(dir.path(), &["target.txt", "out.pdf", "dangling.pdf"]);
}

#[test]
fn never_replaces_a_fifo_a_directory_or_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    refused(&fifo, "không phải tệp thường");
    assert!(fifo.metadata().unwrap().file_type().is_fifo());
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    refused(&sub, "thư mục");
    if is_root() {
        // A copy of /dev/null made here, so that a regression cannot damage the real one.
        let null = dir.path().join("null");
        let c = std::ffi::CString::new(null.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; 1:3 is the null device.
        let made = unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) };
        assert_eq!(made, 0);
        refused(&null, "thiết bị");
        assert!(null.metadata().unwrap().file_type().is_char_device());
        only(dir.path(), &["fifo", "sub", "null"]);
    } else {
        refused(Path::new("/dev/null"), "thiết bị");
        only(dir.path(), &["fifo", "sub"]);
    }
    assert!(
        Path::new("/dev/null")
            .metadata()
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

/// Root may write any file, so the mode bits decide: a read-only file stays as it is.
#[test]
fn never_replaces_a_read_only_file_even_as_root() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("so-dang-ky.pdf");
    std::fs::write(&p, b"old").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
    refused(&p, "chỉ đọc");
    assert_eq!(std::fs::read(&p).unwrap(), b"old");
    only(dir.path(), &["so-dang-ky.pdf"]);
}

/// As root, another user's file is ours to replace only if its mode lets others write it.
#[test]
fn another_users_file_is_replaced_only_if_others_may_write_it() {
    use std::os::unix::fs::PermissionsExt;
    if !is_root() {
        return; // only root can give a file to another user
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("cua-nguoi-khac.pdf");
    std::fs::write(&p, b"old").unwrap();
    std::os::unix::fs::chown(&p, Some(54321), Some(54321)).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    refused(&p, "người dùng khác");
    assert_eq!(std::fs::read(&p).unwrap(), b"old");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o666)).unwrap();
    write_atomic(&p, b"new").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"new");
    only(dir.path(), &["cua-nguoi-khac.pdf"]);
}

// ---------------------------------------------------------------------------------------------
// Inputs

#[test]
fn the_input_limits_are_the_archive_limits() {
    assert_eq!(LIMIT_ATTACHMENT, Limits::default().max_entry);
    assert_eq!(LIMIT_ARCHIVE, Limits::default().max_total);
    assert_eq!(LIMIT_DATA, 4 << 20);
}

#[test]
fn reads_a_regular_file_up_to_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("data.yaml");
    std::fs::write(&p, "tên: Tự do\n").unwrap();
    let n = "tên: Tự do\n".len() as u64;
    assert_eq!(read_input_text(&p, n).unwrap(), "tên: Tự do\n");
    let e = read_input(&p, n - 1).unwrap_err().to_string();
    assert!(
        e.contains("data.yaml") && e.contains("lớn hơn giới hạn"),
        "{e}"
    );
    assert!(read_input(&p, LIMIT_DATA).is_ok());
    let e = read_input(&dir.path().join("big"), LIMIT_DATA)
        .unwrap_err()
        .to_string();
    assert!(e.contains("big") && e.contains("không có tệp"), "{e}");
    // Over the limit by size: the message gives the limit in MiB.
    let big = dir.path().join("big.yaml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(LIMIT_DATA + 1)
        .unwrap();
    let e = read_input(&big, LIMIT_DATA).unwrap_err().to_string();
    assert!(e.contains("lớn hơn giới hạn 4 MiB"), "{e}");
    // A link is read as what it points to.
    let link = dir.path().join("link.yaml");
    std::os::unix::fs::symlink(&p, &link).unwrap();
    assert_eq!(read_input(&link, n).unwrap(), std::fs::read(&p).unwrap());
    // Not UTF-8.
    std::fs::write(&p, b"t\xean").unwrap();
    let e = read_input_text(&p, n).unwrap_err().to_string();
    assert!(e.contains("UTF-8"), "{e}");
}

/// A file whose size says 0 but that holds more (as /proc files do) is still bounded: at most
/// limit + 1 bytes are read.
#[test]
fn a_file_that_lies_about_its_size_is_still_bounded() {
    let maps = Path::new("/proc/self/maps");
    if !maps.exists() {
        return;
    }
    assert_eq!(maps.metadata().unwrap().len(), 0);
    let e = read_input(maps, 10).unwrap_err().to_string();
    assert!(e.contains("lớn hơn giới hạn 10 byte"), "{e}");
    assert!(!read_input(maps, LIMIT_DATA).unwrap().is_empty());
}

/// Runs `f` on another thread and fails if it has not returned within a few seconds, so that a
/// blocking open fails the test instead of hanging it.
fn within_seconds<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(f()));
    rx.recv_timeout(Duration::from_secs(5))
        .expect("returned at once, without blocking")
}

#[test]
fn devices_fifos_and_directories_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("data.yaml");
    mkfifo(&fifo);
    let cases = [
        (fifo, "không phải tệp thường (một ống FIFO)"),
        ("/dev/zero".into(), "không phải tệp thường (một thiết bị)"),
        ("/dev/null".into(), "không phải tệp thường (một thiết bị)"),
        (
            dir.path().to_path_buf(),
            "không phải tệp thường (một thư mục)",
        ),
    ];
    for (path, why) in cases {
        let e = within_seconds({
            let path = path.clone();
            move || read_input(&path, LIMIT_ARCHIVE)
        })
        .unwrap_err()
        .to_string();
        assert!(
            e.contains(&path.display().to_string()) && e.contains(why),
            "{e}"
        );
    }
    // A link to a device is the device.
    let link = dir.path().join("zero.yaml");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    let e = read_input(&link, LIMIT_DATA).unwrap_err().to_string();
    assert!(e.contains("thiết bị"), "{e}");
}

/// Issue #19, item 9: one set of limits. A 300 MB file attached through `App` (a front end
/// other than the command line, which reads at most the limit) was stored, archived with exit
/// 0, and then refused by `verify` and `import`. `App::attach` itself now refuses a file over
/// the per-file limit of archives, naming both sizes, and stores nothing.
#[test]
fn app_attach_refuses_a_file_no_archive_could_hold() {
    use hoso::app::{App, Config};
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::new(Config {
        templates: None,
        workflows: None,
        db: dir.path().join("hoso.db").into(),
    });
    let at = chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
    let case = app
        .new_case(
            &hoso::workflow::ProcedureKey::new("dien-hinh", None),
            &serde_json::json!({"ten_dien_hinh": "Tổ tự quản thôn Kon Klốc"}),
            at,
        )
        .unwrap();
    let over = LIMIT_ATTACHMENT as usize + 1;
    let e = app
        .attach(&case, "ban-quet.pdf", vec![0; over], 1, at)
        .unwrap_err();
    assert_eq!(e.exit_code(), 1);
    let e = e.to_string();
    assert!(
        e.contains("ban-quet.pdf") && e.contains(&format!("{over} byte")) && e.contains("256 MiB"),
        "{e}"
    );
    assert!(app.store().unwrap().files(&case, None).unwrap().is_empty());
    // A file within the limit is kept.
    let name = app
        .attach(&case, "ban-quet.pdf", b"%PDF".to_vec(), 1, at)
        .unwrap();
    assert_eq!(name, "attachments/01-ban-quet.pdf");
}

// ---------------------------------------------------------------------------------------------
// Loaders (issue #19, item 11): what a user feeds hoso — a document's data YAML, a procedure,
// a province file — whatever its text, gives a value or an error naming the file, never a
// panic, and soon.

use hoso::template::DocData;
use hoso::workflow::Loaded;
use hoso::workflow::overlay::LoadedOverlay;

/// How long one parse may take, even in a debug build on a busy machine.
const PARSE_TIME: Duration = Duration::from_secs(5);

/// Parses `text` as `path` with `parse`; fails on a slow parse, and on an error whose text does
/// not name `path` (or, for a data file, a file it extends below `extended`).
fn parses_or_names_the_file<T>(
    path: &Path,
    text: &str,
    extended: Option<&Path>,
    parse: impl FnOnce(&Path, &str) -> hoso::Result<T>,
) -> Result<(), TestCaseError> {
    let started = Instant::now();
    let result = parse(path, text);
    let took = started.elapsed();
    prop_assert!(took < PARSE_TIME, "{} took {took:?}", path.display());
    if let Err(e) = result {
        let e = e.to_string();
        let names = e.contains(&path.display().to_string())
            || extended.is_some_and(|d| e.contains(&d.display().to_string()));
        prop_assert!(names, "the error does not name {}: {e}", path.display());
    }
    Ok(())
}

/// Pieces of YAML and of hoso's schemas, so that arbitrary text reaches past the first
/// syntax error: indentation, flow and block collections, anchors and aliases, tags, block
/// scalars, documents, odd numbers and dates, and the keys the loaders look for.
const YAML_PIECES: &[&str] = &[
    "\n",
    "  ",
    "    ",
    ": ",
    "- ",
    "-",
    "{",
    "}",
    "[",
    "]",
    ", ",
    "&a ",
    "*a",
    "<<: *a",
    "? ",
    "!!str ",
    "!!int ",
    "!!map ",
    "!!binary ",
    "!custom ",
    "'",
    "\"",
    "# x",
    "|\n",
    ">-\n",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "~",
    "null",
    "true",
    "no",
    "0x1F",
    "1e999",
    "-.inf",
    ".nan",
    "2023-02-30",
    "2023-02-06",
    "99999999999999999999",
    "-1",
    "\t",
    "\u{FEFF}",
    "\u{0}",
    "\r",
    "\u{85}",
    "\u{2028}",
    "\u{202E}",
    "Đắk Mar",
    "e\u{0301}",
    "\\u0000",
    "x",
    "id",
    "mo-hinh",
    "extends",
    "issuer",
    "name",
    "abbreviation",
    "family",
    "party",
    "signer",
    "capacity",
    "numbering",
    "terms",
    "from",
    "until",
    "noi_nhan",
    "luu",
    "steps",
    "next",
    "to",
    "when",
    "documents",
    "template",
    "deadline",
    "days",
    "rule",
    "repeat",
    "FREQ=YEARLY;BYMONTH=13",
    "requires",
    "fields",
    "type",
    "roles",
    "actor",
    "version",
    "effective_from",
    "province",
    "add_steps",
    "remove_steps",
    "agencies",
    "signers",
    "retention",
    "items",
    "starts",
];

/// Text of YAML pieces and any characters, with now and then one piece many times over (deep
/// nesting, long runs).
fn yaml_like() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            40 => prop::sample::select(YAML_PIECES).prop_map(str::to_string),
            10 => any::<char>().prop_map(String::from),
            1 => (prop::sample::select(YAML_PIECES), 1..1500usize).prop_map(|(s, n)| s.repeat(n)),
        ],
        0..64,
    )
    .prop_map(|v| v.concat())
}

/// One edit of a valid file.
#[derive(Debug, Clone)]
enum Edit {
    Delete(prop::sample::Index, usize),
    Insert(prop::sample::Index, &'static str),
    Replace(prop::sample::Index, char),
    DuplicateLine(prop::sample::Index),
    SwapLines(prop::sample::Index, prop::sample::Index),
    Truncate(prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = any::<prop::sample::Index>;
    prop_oneof![
        (at(), 1..40usize).prop_map(|(i, n)| Edit::Delete(i, n)),
        (at(), prop::sample::select(YAML_PIECES)).prop_map(|(i, s)| Edit::Insert(i, s)),
        (at(), any::<char>()).prop_map(|(i, c)| Edit::Replace(i, c)),
        at().prop_map(Edit::DuplicateLine),
        (at(), at()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        at().prop_map(Edit::Truncate),
    ]
}

/// `text` with the edits applied, each at a character boundary.
fn edited(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        let len = chars.len().max(1);
        match e {
            Edit::Delete(i, n) => {
                let from = i.index(len).min(chars.len());
                let to = (from + n).min(chars.len());
                chars.drain(from..to);
            }
            Edit::Insert(i, s) => {
                let at = i.index(len + 1).min(chars.len());
                chars.splice(at..at, s.chars());
            }
            Edit::Replace(i, c) => {
                if !chars.is_empty() {
                    let at = i.index(chars.len());
                    chars[at] = *c;
                }
            }
            Edit::DuplicateLine(i) | Edit::SwapLines(i, _) => {
                let text: String = chars.iter().collect();
                let mut lines: Vec<&str> = text.split('\n').collect();
                let a = i.index(lines.len());
                match e {
                    Edit::SwapLines(_, j) => {
                        let b = j.index(lines.len());
                        lines.swap(a, b);
                    }
                    _ => lines.insert(a, lines[a]),
                }
                chars = lines.join("\n").chars().collect();
            }
            Edit::Truncate(i) => chars.truncate(i.index(len)),
        }
    }
    chars.into_iter().collect()
}

/// The valid files of a folder of the repository, by path.
fn valid_files(dir: &str) -> Vec<(std::path::PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}", dir.display());
    files
}

#[test]
fn the_valid_files_the_properties_start_from_parse() {
    for (p, text) in valid_files("samples/documents") {
        DocData::parse(&p, &text).unwrap_or_else(|e| panic!("{e}"));
    }
    for (p, text) in valid_files("workflows") {
        Loaded::parse(&p, &text).unwrap_or_else(|e| panic!("{e}"));
    }
    for (p, text) in valid_files("workflows/provinces") {
        LoadedOverlay::parse(&p, &text).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Aliases that expand to billions of nodes, and collections nested deeper than serde_yaml
/// reads (block, flow sequences, flow mappings): refused in time, naming the file. Flow
/// mappings nested 50 000 deep (200 kB) took serde_yaml minutes in a debug build, its time
/// growing with the square of the depth, before it refused them for their depth.
#[test]
fn expanding_and_deeply_nested_yaml_is_refused_in_time() {
    let mut laughs = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (i, c) in "bcdefghi".chars().enumerate() {
        let p = (b'a' + i as u8) as char;
        laughs.push_str(&format!(
            "{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        ));
    }
    let texts = [
        laughs,
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        "{a: ".repeat(50_000),
        "issuer: {name: ".repeat(20_000),
        (0..2000)
            .map(|i| format!("{}a:\n", " ".repeat(i)))
            .collect(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("du-lieu.yaml");
    for text in &texts {
        parses_or_names_the_file(&path, text, None, DocData::parse).unwrap();
        parses_or_names_the_file(&path, text, None, Loaded::parse).unwrap();
        parses_or_names_the_file(&path, text, None, LoadedOverlay::parse).unwrap();
    }
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn any_text_is_a_value_or_an_error_naming_the_file(text in yaml_like()) {
        // An empty folder: whatever `extends` names is not there.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dữ liệu.yaml");
        parses_or_names_the_file(&path, &text, None, DocData::parse)?;
        parses_or_names_the_file(&path, &text, None, Loaded::parse)?;
        parses_or_names_the_file(&path, &text, None, LoadedOverlay::parse)?;
    }

    #[test]
    fn an_edited_data_file_is_a_value_or_an_error_naming_it(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let files = valid_files("samples/documents");
        let (path, text) = &files[which.index(files.len())];
        let extended = path.parent().unwrap().join("_common");
        parses_or_names_the_file(path, &edited(text, &edits), Some(&extended), DocData::parse)?;
    }

    #[test]
    fn an_edited_procedure_is_a_value_or_an_error_naming_it(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let files = valid_files("workflows");
        let (path, text) = &files[which.index(files.len())];
        parses_or_names_the_file(path, &edited(text, &edits), None, Loaded::parse)?;
    }

    #[test]
    fn an_edited_province_file_is_a_value_or_an_error_naming_it(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let files = valid_files("workflows/provinces");
        let (path, text) = &files[which.index(files.len())];
        parses_or_names_the_file(path, &edited(text, &edits), None, LoadedOverlay::parse)?;
    }
}
