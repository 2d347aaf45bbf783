//! Archives as the archivist receives them: reproducible bags, tampering found by name, hostile
//! ZIPs refused, and a case restored from its archive.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn hoso(db: &Path) -> Command {
    hoso_with(db)
}

/// The demo's database and outputs, made once per test.
fn demo(dir: &Path) -> PathBuf {
    run_demo(dir).0
}

fn archive(db: &Path, case: &str, out: &Path) {
    let o = hoso(db)
        .args(["archive", case, "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn verify(zip: &Path) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_hoso"))
        .arg("verify")
        .arg(zip)
        .output()
        .unwrap();
    (
        o.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

/// A ZIP's entries by name.
type Entries = BTreeMap<String, Vec<u8>>;

fn entries(zip: &Path) -> Entries {
    let mut z = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().to_string(), b)
        })
        .collect()
}

fn write_zip(path: &Path, entries: &Entries) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in entries {
        z.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

#[test]
fn same_case_same_bytes_and_tampering_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = demo(dir.path());
    let db = out.join("hoso.db");
    let (a, b) = (dir.path().join("a.zip"), dir.path().join("b.zip"));
    // The sample attaches the evidence of item 11; without it the hồ sơ is intact, not complete.
    let o = hoso(&db)
        .args(["case", "detach", "C0001"])
        .arg("attachments/11-camera-an-ninh-vu-viec-lam-ro-2023-2024.csv")
        .args([
            "--reason",
            "Thay bằng bản có xác nhận",
            "--at",
            "2024-12-30",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    archive(&db, "C0001", &a);
    archive(&db, "C0001", &b);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let (code, text) = verify(&a);
    assert_eq!(code, Some(3), "intact but item 11 is missing: {text}");
    assert!(
        text.contains("toàn vẹn") && text.contains("mục 11"),
        "{text}"
    );

    let bag = entries(&a);
    let doc = "C0001/data/documents/06-quyet-dinh-thanh-lap-mo-hinh.pdf";
    assert!(bag.contains_key(doc), "{:?}", bag.keys());
    let tamper = |name: &str, change: &dyn Fn(&mut Entries)| {
        let mut e = bag.clone();
        change(&mut e);
        let p = dir.path().join(format!("{name}.zip"));
        write_zip(&p, &e);
        verify(&p)
    };
    let (code, text) = tamper("flip", &|e| {
        let b = e.get_mut(doc).unwrap();
        let i = b.len() / 2;
        b[i] ^= 1;
    });
    assert_eq!(code, Some(1));
    assert!(text.contains(&format!("bị sửa: {}", &doc[6..])), "{text}");
    let (code, text) = tamper("delete", &|e| {
        e.remove("C0001/data/events.jsonl");
    });
    assert_eq!(code, Some(1));
    assert!(text.contains("thiếu: data/events.jsonl"), "{text}");
    let (code, text) = tamper("add", &|e| {
        e.insert(
            "C0001/data/documents/99-them.pdf".into(),
            b"%PDF-1.7".to_vec(),
        );
    });
    assert_eq!(code, Some(1));
    assert!(text.contains("thừa: data/documents/99-them.pdf"), "{text}");
    let (code, text) = tamper("manifest", &|e| {
        let m = e.get_mut("C0001/manifest-sha256.txt").unwrap();
        let s = String::from_utf8(m.clone()).unwrap();
        let first = s.lines().next().unwrap().to_string();
        let forged = format!("{}{}", "0".repeat(64), &first[64..]);
        *m = s.replacen(&first, &forged, 1).into_bytes();
    });
    assert_eq!(code, Some(1));
    assert!(text.contains("bị sửa: manifest-sha256.txt"), "{text}");
    assert!(text.contains("bị sửa: data/"), "{text}");
}

#[test]
fn attached_evidence_completes_the_ho_so_and_the_case_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let out = demo(dir.path());
    let db = out.join("hoso.db");
    let evidence = dir.path().join("Ảnh camera & <kết quả>.jpg");
    std::fs::write(&evidence, b"\xff\xd8\xff\xe0 not really a photo").unwrap();
    let o = hoso(&db)
        .args(["case", "attach", "C0001"])
        .arg(&evidence)
        .args(["--item", "11", "--at", "2024-12-27"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = hoso(&db)
        .args(["case", "attach", "C0001"])
        .arg(&evidence)
        .args(["--item", "40"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "no item 40");

    let zip = dir.path().join("C0001.zip");
    archive(&db, "C0001", &zip);
    let (code, text) = verify(&zip);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("hồ sơ C0001 đầy đủ"), "{text}");
    let bag = entries(&zip);
    assert!(bag.contains_key("C0001/data/attachments/11-Ảnh camera & <kết quả>.jpg"));
    let checklist = String::from_utf8(bag["C0001/data/checklist.md"].clone()).unwrap();
    assert!(
        checklist.contains("| 11 | Tài liệu chứng minh hiệu quả hoạt động của mô hình | Có |"),
        "{checklist}"
    );
    assert!(
        checklist.contains("Ảnh camera \\& \\<kết quả\\>.jpg"),
        "{checklist}"
    );

    // Into a fresh store, and out again: the very same archive.
    let db2 = dir.path().join("restored.db");
    let o = hoso(&db2).arg("import").arg(&zip).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "C0001");
    let zip2 = dir.path().join("again.zip");
    archive(&db2, "C0001", &zip2);
    assert_eq!(std::fs::read(&zip).unwrap(), std::fs::read(&zip2).unwrap());
    // Its numbers came with it: issuing again hands back the same number.
    let o = hoso(&db2)
        .args([
            "doc",
            "issue",
            "C0001",
            "06-quyet-dinh-thanh-lap-mo-hinh",
            "--out",
        ])
        .arg(dir.path().join("x"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(said.contains("đã ban hành: 02/QĐ-UBND"), "{said}");
    // A second import of the same case changes nothing.
    let o = hoso(&db2).arg("import").arg(&zip).output().unwrap();
    assert_eq!(o.status.code(), Some(4), "a conflict");
    assert!(String::from_utf8_lossy(&o.stderr).contains("đã có trong"));
}

/// A deflate stream of `n` zero bytes (fixed Huffman: one literal, then matches of 258 at
/// distance 1), built bit by bit so the test needs no compressor.
fn zeros_deflate(n: u64) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        len: u32,
    }
    impl Bits {
        fn put(&mut self, v: u64, n: u32) {
            self.acc |= v << self.len;
            self.len += n;
            while self.len >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.len -= 8;
            }
        }
        /// Huffman codes go most significant bit first.
        fn code(&mut self, v: u64, n: u32) {
            let rev = (0..n).fold(0, |r, i| r | (((v >> i) & 1) << (n - 1 - i)));
            self.put(rev, n);
        }
    }
    let mut b = Bits {
        out: Vec::new(),
        acc: 0,
        len: 0,
    };
    b.put(1, 1); // final block
    b.put(1, 2); // fixed Huffman
    b.code(0x30, 8); // literal 0
    for _ in 0..(n - 1) / 258 {
        b.code(0b1100_0101, 8); // length 258 (code 285)
        b.code(0, 5); // distance 1
    }
    for _ in 0..(n - 1) % 258 {
        b.code(0x30, 8);
    }
    b.code(0, 7); // end of block
    b.put(0, 7);
    b.out
}

/// A ZIP written by hand, so that names and sizes can be what an attacker chooses.
fn crafted_zip(entries: &[(&str, Vec<u8>, u64, u16, u32)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data, size, method, mode) in entries {
        let offset = out.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central {
                h.extend(0x031eu16.to_le_bytes()); // made by: Unix
            }
            h.extend(20u16.to_le_bytes());
            h.extend(0u16.to_le_bytes());
            h.extend(method.to_le_bytes());
            h.extend([0u8; 4]); // time, date
            h.extend(0u32.to_le_bytes()); // CRC (wrong on purpose; never reached)
            h.extend((data.len() as u32).to_le_bytes());
            h.extend((*size as u32).to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if central {
                h.extend([0u8; 6]); // comment len, disk, internal attrs
                h.extend((mode << 16).to_le_bytes());
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(header(0x04034b50, false));
        out.extend(data);
        central.extend(header(0x02014b50, true));
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x06054b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

#[test]
fn hostile_archives_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target");
    std::fs::create_dir(&target).unwrap();
    let db = target.join("hoso.db");
    let file = 0o100644;
    let bomb = zeros_deflate(1 << 30);
    assert!(bomb.len() < 8 << 20, "the bomb is small: {}", bomb.len());
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "dotdot",
            crafted_zip(&[("C0001/../../escaped.txt", b"x".to_vec(), 1, 0, file)]),
            "đi ra ngoài bằng `..`",
        ),
        (
            "tuyệt đối",
            crafted_zip(&[("/tmp/escaped.txt", b"x".to_vec(), 1, 0, file)]),
            "đường dẫn tuyệt đối",
        ),
        (
            "link",
            crafted_zip(&[("C0001/data/link", b"/etc/passwd".to_vec(), 11, 0, 0o120777)]),
            "liên kết tượng trưng",
        ),
        (
            "bomb",
            crafted_zip(&[("C0001/data/bomb.bin", bomb.clone(), 1 << 30, 8, file)]),
            "giải nén ra 1073741824 byte",
        ),
        (
            "lying-bomb",
            crafted_zip(&[("C0001/data/bomb.bin", bomb, 100, 8, file)]),
            "giải nén vượt",
        ),
        (
            "not-a-zip",
            b"PK\x03\x04 broken".to_vec(),
            "không đọc được như tệp ZIP",
        ),
    ];
    for (name, bytes, why) in cases {
        let p = dir.path().join(format!("{name}.zip"));
        std::fs::write(&p, bytes).unwrap();
        let o = hoso(&db).arg("import").arg(&p).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(why), "{name}: {err}");
        let (code, text) = verify(&p);
        assert_eq!(code, Some(1), "{name}: {text}");
    }
    assert!(!dir.path().join("escaped.txt").exists());
    assert!(!Path::new("/tmp/escaped.txt").exists());
    use hoso::store::Store as _;
    let store = hoso::store::SqliteStore::open(&db).unwrap();
    assert!(store.cases().unwrap().is_empty(), "nothing was imported");
    let left: Vec<_> = std::fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        left.iter()
            .all(|n| n.to_string_lossy().starts_with("hoso.db")),
        "{left:?}"
    );
}

/// The Library of Congress validator (PyPI `bagit`) accepts the unzipped bag.
#[test]
#[ignore = "needs the bagit validator (pip install bagit); .ci/run runs it"]
fn library_of_congress_validator_accepts_the_bag() {
    let dir = tempfile::tempdir().unwrap();
    let out = demo(dir.path());
    for case in ["C0001", "C0002", "C0003"] {
        let unzipped = dir.path().join(format!("unzipped-{case}"));
        for (name, bytes) in entries(&out.join(format!("{case}.zip"))) {
            let p = unzipped.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        let o = Command::new("python3")
            .args(["-m", "bagit", "--validate"])
            .arg(unzipped.join(case))
            .output()
            .expect("python3 with bagit");
        let log = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{case}: {log}");
        assert!(log.contains(&format!("{case} is valid")), "{log}");
    }
}

/// A province file's retention periods reach each document's metadata in the archive.
#[test]
fn retention_from_the_province_file() {
    let dir = tempfile::tempdir().unwrap();
    let workflows = dir.path().join("workflows");
    std::fs::create_dir_all(workflows.join("provinces")).unwrap();
    for sub in ["", "provinces"] {
        for e in std::fs::read_dir(root().join("workflows").join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yaml") {
                let mut text = std::fs::read_to_string(&p).unwrap();
                if p.ends_with("provinces/kon-tum.yaml") {
                    text.push_str("retention:\n  default: 20 năm\n  items: {6: Vĩnh viễn}\n");
                }
                std::fs::write(workflows.join(sub).join(p.file_name().unwrap()), text).unwrap();
            }
        }
    }
    let out = dir.path().join("demo");
    let o = Command::new(env!("CARGO_BIN_EXE_hoso"))
        .current_dir(root())
        .arg("--workflows")
        .arg(&workflows)
        .args(["demo", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bag = entries(&out.join("C0001.zip"));
    let meta: hoso::archive::Metadata =
        serde_json::from_slice(&bag["C0001/data/metadata.json"]).unwrap();
    let of = |doc: &str| {
        meta.documents
            .iter()
            .find(|d| d.doc == doc)
            .unwrap()
            .retention
            .clone()
    };
    assert_eq!(
        of("06-quyet-dinh-thanh-lap-mo-hinh").as_deref(),
        Some("Vĩnh viễn")
    );
    assert_eq!(of("01-ke-hoach-khao-sat").as_deref(), Some("20 năm"));
    // A case without a province setting has none.
    let bag = entries(&out.join("C0003.zip"));
    let meta: hoso::archive::Metadata =
        serde_json::from_slice(&bag["C0003/data/metadata.json"]).unwrap();
    assert!(meta.documents.iter().all(|d| d.retention.is_none()));
}

/// A file damaged in the database after it was issued is refused, not bagged as sound.
#[test]
fn a_file_damaged_in_the_store_is_not_archived() {
    let dir = tempfile::tempdir().unwrap();
    let out = demo(dir.path());
    let db = out.join("hoso.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let changed = conn
        .execute(
            "UPDATE files SET bytes = CAST('%PDF-1.7 damaged' AS BLOB)
             WHERE case_id = 'C0001' AND name = 'documents/06-quyet-dinh-thanh-lap-mo-hinh.pdf'",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(conn);
    let zip = dir.path().join("C0001.zip");
    let o = hoso(&db)
        .args(["archive", "C0001", "--out"])
        .arg(&zip)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5), "a damaged store");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("tệp documents/06-quyet-dinh-thanh-lap-mo-hinh.pdf: không còn khớp"),
        "{err}"
    );
    assert!(!zip.exists());
}

// ---------------------------------------------------------------------------------------------
// Archives that verify but carry what hoso never writes (issue #19, item 1). A bag's checksums
// prove only that nothing changed since it was bagged: anyone can bag anything. Each archive
// below is a real one edited as a forger would, its manifests made again so that `verify`
// finds it intact; `import` must refuse it, naming what is wrong, and write nothing.

/// The demo's C0003 with a file attached to item 1, archived once for all the tests here.
fn real_bag() -> &'static Entries {
    static BAG: std::sync::OnceLock<Entries> = std::sync::OnceLock::new();
    BAG.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = demo(dir.path()).join("hoso.db");
        let csv = dir.path().join("so-quy.csv");
        std::fs::write(&csv, "ngày,thu,chi\n2024-06-01,100000,0\n").unwrap();
        let o = hoso(&db)
            .args(["case", "attach", "C0003"])
            .arg(&csv)
            .args(["--item", "1", "--at", "2024-06-01"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let zip = dir.path().join("C0003.zip");
        archive(&db, "C0003", &zip);
        entries(&zip)
    })
}

/// Writes the manifests and the Payload-Oxum of an edited bag again, as a forger would.
fn rebag(e: &mut Entries) {
    let base = e
        .keys()
        .next()
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let encode = |p: &str| {
        p.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prefix = format!("{base}/");
    let payload: Vec<(String, usize, String)> = e
        .iter()
        .filter_map(|(k, v)| {
            let p = k.strip_prefix(&prefix)?;
            p.starts_with("data/")
                .then(|| (p.to_string(), v.len(), hoso::fsutil::sha256_hex(v)))
        })
        .collect();
    let manifest: String = payload
        .iter()
        .map(|(p, _, h)| format!("{h}  {}\n", encode(p)))
        .collect();
    let octets: usize = payload.iter().map(|(_, n, _)| n).sum();
    let info_name = format!("{prefix}bag-info.txt");
    let info: String = String::from_utf8(e[&info_name].clone())
        .unwrap()
        .lines()
        .map(|l| match l.starts_with("Payload-Oxum:") {
            true => format!("Payload-Oxum: {octets}.{}\n", payload.len()),
            false => format!("{l}\n"),
        })
        .collect();
    e.insert(info_name, info.into_bytes());
    e.insert(
        format!("{prefix}manifest-sha256.txt"),
        manifest.into_bytes(),
    );
    let tags: String = ["bag-info.txt", "bagit.txt", "manifest-sha256.txt"]
        .iter()
        .map(|t| {
            let h = hoso::fsutil::sha256_hex(&e[&format!("{prefix}{t}")]);
            format!("{h}  {t}\n")
        })
        .collect();
    e.insert(format!("{prefix}tagmanifest-sha256.txt"), tags.into_bytes());
}

/// The real bag with its metadata.json and case.yaml edited (as JSON values) and the payload
/// then edited as a whole (files renamed or added), manifests made again.
fn forged(
    edit: impl FnOnce(&mut serde_json::Value, &mut serde_json::Value),
    payload: impl FnOnce(&mut Entries),
) -> Entries {
    let mut e = real_bag().clone();
    let (m, c) = ("C0003/data/metadata.json", "C0003/data/case.yaml");
    let mut meta: serde_json::Value = serde_json::from_slice(&e[m]).unwrap();
    let mut case: serde_json::Value = serde_yaml::from_slice(&e[c]).unwrap();
    edit(&mut meta, &mut case);
    e.insert(m.into(), serde_json::to_vec_pretty(&meta).unwrap());
    e.insert(c.into(), serde_yaml::to_string(&case).unwrap().into_bytes());
    payload(&mut e);
    rebag(&mut e);
    e
}

/// Moves a payload file to another name inside the bag.
fn rename(e: &mut Entries, from: &str, to: &str) {
    let bytes = e.remove(&format!("C0003/data/{from}")).expect(from);
    e.insert(format!("C0003/data/{to}"), bytes);
}

/// Every row of every table, to show that a refused import wrote nothing.
fn dump(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut out = String::new();
    for table in [
        "cases",
        "case_steps",
        "events",
        "documents",
        "files",
        "register",
    ] {
        let mut st = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
            .unwrap();
        let n = st.column_count();
        let rows = st
            .query_map([], |r| {
                (0..n)
                    .map(|i| r.get::<_, rusqlite::types::Value>(i))
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .unwrap();
        for row in rows {
            out.push_str(&format!("{table}: {:?}\n", row.unwrap()));
        }
    }
    out
}

/// `verify` finds the forged bag intact and complete (exit 0); `import` refuses it (exit 1)
/// with a message holding every part of `why`, into a database that already holds a number,
/// and leaves every table as it was.
fn refused_on_import(name: &str, bag: &Entries, why: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join(format!("{name}.zip"));
    write_zip(&zip, bag);
    let (code, text) = verify(&zip);
    assert_eq!(code, Some(0), "{name}: verify: {text}");
    let db = dir.path().join("hoso.db");
    let o = hoso(&db)
        .args([
            "register",
            "take",
            "--province",
            "kon-tum",
            "--issuer",
            "bcd-tinh",
            "--type",
            "cong-van",
            "--unit",
            "NC",
            "--at",
            "2023-01-05",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before = dump(&db);
    let o = hoso(&db).arg("import").arg(&zip).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{name}: {err}");
    for w in why {
        assert!(err.contains(w), "{name}: `{w}` not in: {err}");
    }
    assert!(err.contains("không nhập gì"), "{name}: {err}");
    assert_eq!(dump(&db), before, "{name}: the database changed");
}

const DOC: &str = "05-quyet-dinh-cong-nhan-dien-hinh";

/// The index of a document in metadata.json.
fn doc_index(meta: &serde_json::Value, doc: &str) -> usize {
    meta["documents"]
        .as_array()
        .unwrap()
        .iter()
        .position(|d| d["doc"] == doc)
        .expect(doc)
}

#[test]
fn the_real_bag_imports_and_its_rebagged_copy_too() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("same.zip");
    write_zip(&zip, &forged(|_, _| {}, |_| {}));
    assert_eq!(verify(&zip).0, Some(0));
    let o = hoso(&dir.path().join("hoso.db"))
        .arg("import")
        .arg(&zip)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_file_name_that_is_a_path_is_refused() {
    let real = format!("documents/{DOC}.docx");
    for (name, to) in [
        ("absolute", "documents//abs/path/X.docx"),
        (
            "other-doc",
            "documents/06-quyet-dinh-cong-nhan-dien-hinh.docx",
        ),
        ("not-documents", "x.docx"),
    ] {
        let bag = forged(
            |meta, _| {
                let i = doc_index(meta, DOC);
                let files = meta["documents"][i]["files"].as_array_mut().unwrap();
                let f = files
                    .iter_mut()
                    .find(|f| f["name"] == real.as_str())
                    .unwrap();
                f["name"] = to.into();
            },
            |e| rename(e, &real, to),
        );
        refused_on_import(
            name,
            &bag,
            &[&format!("văn bản {DOC}, tệp `{to}`"), "trường `name`"],
        );
    }
    // An attachment: its item's number, then a plain file name.
    for (name, to) in [
        ("attachment-folder", "attachments/01-a/b.csv"),
        ("attachment-absolute", "attachments//abs/x.csv"),
        ("attachment-item", "attachments/02-so-quy.csv"),
        ("attachment-hidden", "attachments/01-.so-quy.csv"),
    ] {
        let bag = forged(
            |meta, _| meta["attachments"][0]["name"] = to.into(),
            |e| rename(e, "attachments/01-so-quy.csv", to),
        );
        refused_on_import(
            name,
            &bag,
            &[&format!("tệp đính kèm `{to}`"), "attachments/01-<tên tệp>"],
        );
    }
}

#[test]
fn a_document_or_draft_id_that_is_a_path_is_refused() {
    for (name, id) in [
        ("absolute", "/abs/path"),
        ("dotdot", "zz/../../quyet-dinh-cong-nhan-dien-hinh"),
        ("no-number", "quyet-dinh-cong-nhan-dien-hinh"),
    ] {
        let bag = forged(
            |meta, _| {
                let i = doc_index(meta, DOC);
                meta["documents"][i]["doc"] = id.into();
                meta["documents"][i]["numbered_with"] = id.into();
            },
            |_| {},
        );
        refused_on_import(name, &bag, &[&format!("văn bản `{id}`"), "trường `doc`"]);
    }
    // A draft: recorded only in metadata.json, issued later under its id.
    for (name, id) in [
        ("draft-absolute", "/abs/path"),
        ("draft-dotdot", "zz/../../quyet-dinh-cong-nhan-dien-hinh"),
    ] {
        let bag = forged(
            |meta, _| {
                let mut draft = meta["documents"][0].clone();
                draft["doc"] = id.into();
                draft["template"] = "quyet-dinh-cong-nhan-dien-hinh".into();
                meta["drafts"].as_array_mut().unwrap().push(draft);
            },
            |_| {},
        );
        refused_on_import(name, &bag, &[&format!("dự thảo `{id}`"), "trường `doc`"]);
    }
    // A template this installation does not have.
    let bag = forged(
        |meta, _| {
            let mut draft = meta["documents"][0].clone();
            draft["doc"] = "06-mau-la".into();
            draft["template"] = "mau-la".into();
            meta["drafts"].as_array_mut().unwrap().push(draft);
        },
        |_| {},
    );
    refused_on_import(
        "unknown-template",
        &bag,
        &["dự thảo `06-mau-la`", "không có mẫu `mau-la`"],
    );
}

#[test]
fn the_same_document_id_twice_is_refused() {
    let bag = forged(
        |meta, _| {
            let mut draft = meta["documents"][doc_index(meta, DOC)].clone();
            draft.as_object_mut().unwrap().retain(|k, _| {
                ["doc", "template", "step", "drafted_on", "data"].contains(&k.as_str())
            });
            meta["drafts"].as_array_mut().unwrap().push(draft);
        },
        |_| {},
    );
    refused_on_import("twice", &bag, &[&format!("dự thảo `{DOC}`"), "hai lần"]);
}

#[test]
fn a_case_id_that_is_not_hosos_is_refused() {
    for (name, id) in [
        ("absolute", "/abs/EVILCASE"),
        ("dotdot", "../C0003"),
        ("overflow", "C99999999999999999999"),
    ] {
        let bag = forged(
            |meta, case| {
                meta["case"] = id.into();
                case["id"] = id.into();
            },
            |_| {},
        );
        refused_on_import(
            name,
            &bag,
            &["data/case.yaml", "trường `id`", &format!("`{id}`")],
        );
    }
}

#[test]
fn steps_and_procedures_not_loaded_here_are_refused() {
    let bag = forged(
        |_, case| case["steps"][1]["step"] = "../../x".into(),
        |_| {},
    );
    refused_on_import(
        "step",
        &bag,
        &["data/case.yaml, steps[1]", "trường `step`", "`../../x`"],
    );
    let bag = forged(
        |meta, _| {
            let i = doc_index(meta, DOC);
            meta["documents"][i]["step"] = "khong-co".into();
        },
        |_| {},
    );
    refused_on_import("document-step", &bag, &["trường `step`", "`khong-co`"]);
    let bag = forged(
        |meta, case| {
            meta["workflow"] = "khong-co".into();
            case["workflow"] = "khong-co".into();
        },
        |_| {},
    );
    refused_on_import(
        "workflow",
        &bag,
        &["trường `workflow`", "không có quy trình `khong-co`"],
    );
    let bag = forged(
        |meta, case| {
            meta["workflow"] = "dien-hinh/../x".into();
            case["workflow"] = "dien-hinh/../x".into();
        },
        |_| {},
    );
    refused_on_import(
        "workflow-path",
        &bag,
        &["trường `workflow`", "không phải mã"],
    );
    let events = |e: &mut Entries| {
        let log = String::from_utf8(e["C0003/data/events.jsonl"].clone()).unwrap();
        let log = log.replacen("\"actor\":\"cong-an-xa\"", "\"actor\":\"a\\nb\"", 1);
        e.insert("C0003/data/events.jsonl".into(), log.into_bytes());
    };
    let bag = forged(|_, _| {}, events);
    refused_on_import(
        "actor",
        &bag,
        &["data/events.jsonl, dòng 1", "trường `actor`"],
    );
}

#[test]
fn dates_out_of_any_office_are_refused() {
    let bag = forged(|_, case| case["opened"] = "1900-01-01".into(), |_| {});
    refused_on_import("opened", &bag, &["trường `opened`", "1900-01-01"]);
    let bag = forged(
        |meta, _| {
            let i = doc_index(meta, DOC);
            meta["documents"][i]["files"][0]["added_on"] = "9999-12-31".into();
        },
        |_| {},
    );
    refused_on_import("added_on", &bag, &["trường `added_on`", "9999-12-31"]);
    let bag = forged(
        |_, case| case["steps"][0]["due"] = "3000-01-01".into(),
        |_| {},
    );
    refused_on_import("due", &bag, &["steps[0]", "trường `due`"]);
}

#[test]
fn register_numbers_out_of_range_are_refused() {
    for (name, n) in [("max", 4_294_967_295u64), ("zero", 0), ("above", 100_000)] {
        let bag = forged(
            |meta, _| {
                let i = doc_index(meta, DOC);
                meta["documents"][i]["number"] = n.into();
                meta["documents"][i]["symbol"] = format!("{n:02}/QĐ-UBND").into();
            },
            |_| {},
        );
        refused_on_import(
            name,
            &bag,
            &[
                &format!("văn bản `{DOC}`"),
                "trường `number`",
                &n.to_string(),
            ],
        );
    }
}

#[test]
fn a_symbol_the_register_would_not_print_is_refused() {
    for (name, symbol, why) in [
        ("another-body", "999/QĐ-TTg", "không phải ký hiệu của số 3"),
        ("unpadded", "3/QĐ-UBND", "không phải ký hiệu của số 3"),
        ("another-type", "03/CT-UBND", "bắt đầu bằng QĐ-"),
        ("party-period", "03-QĐ/UBND", "nhiệm kỳ"),
    ] {
        let bag = forged(
            |meta, _| {
                let i = doc_index(meta, DOC);
                assert_eq!(meta["documents"][i]["number"], 3);
                meta["documents"][i]["symbol"] = symbol.into();
            },
            |_| {},
        );
        refused_on_import(name, &bag, &[&format!("văn bản `{DOC}`"), why]);
    }
    // The number of another document of the case's book, under another id.
    let bag = forged(
        |meta, _| {
            let i = doc_index(meta, DOC);
            meta["documents"][i]["number"] = 1.into();
            meta["documents"][i]["symbol"] = "01/QĐ-UBND".into();
            let j = doc_index(meta, "04-bao-cao-danh-gia-dien-hinh");
            let mut k = meta["documents"][j].clone();
            k["number"] = 1.into();
            k["symbol"] = "01/QĐ-UBND".into();
            k["kind"] = "quyet-dinh".into();
            k["issuer"] = meta["documents"][i]["issuer"].clone();
            k["date"] = meta["documents"][i]["date"].clone();
            meta["documents"][j] = k;
        },
        |_| {},
    );
    refused_on_import(
        "kind-of-template",
        &bag,
        &["04-bao-cao-danh-gia-dien-hinh", "trường `kind`"],
    );
}

#[test]
fn sizes_and_hashes_that_are_not_the_files_are_refused() {
    let bag = forged(|meta, _| meta["attachments"][0]["bytes"] = 5.into(), |_| {});
    refused_on_import(
        "bytes",
        &bag,
        &[
            "tệp đính kèm `attachments/01-so-quy.csv`",
            "trường `bytes`",
            "5 byte",
        ],
    );
    let bag = forged(
        |meta, _| meta["attachments"][0]["sha256"] = "0".repeat(64).into(),
        |_| {},
    );
    refused_on_import("sha256", &bag, &["trường `sha256`"]);
    // A payload file no entry of metadata.json lists.
    let bag = forged(
        |_, _| {},
        |e| {
            e.insert("C0003/data/attachments/01-them.csv".into(), b"x".to_vec());
        },
    );
    refused_on_import("unlisted", &bag, &["`data/attachments/01-them.csv`"]);
}

/// A case or file name stored before imports were checked is refused when archived (a damaged
/// store, exit 5), never written into the ZIP as a path.
#[test]
fn an_archive_never_holds_a_path_out_of_the_bag() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("real.zip");
    write_zip(&zip, real_bag());
    let db = dir.path().join("hoso.db");
    let o = hoso(&db).arg("import").arg(&zip).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE files SET name = 'documents/../../../etc/x.pdf' WHERE name = ?1",
        [format!("documents/{DOC}.pdf")],
    )
    .unwrap();
    let out = dir.path().join("out.zip");
    let o = hoso(&db)
        .args(["archive", "C0003", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(5), "{err}");
    assert!(err.contains("tệp `documents/../../../etc/x.pdf`"), "{err}");
    assert!(!out.exists());
    conn.execute(
        "UPDATE files SET name = ?1 WHERE name = 'documents/../../../etc/x.pdf'",
        [format!("documents/{DOC}.pdf")],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO cases (id, workflow, version, data, created_on)
         VALUES ('/abs/EVILCASE', 'dien-hinh', '2022.1', '{}', '2023-01-01')",
        [],
    )
    .unwrap();
    let o = hoso(&db)
        .args(["archive", "/abs/EVILCASE", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(5), "{err}");
    assert!(err.contains("hồ sơ `/abs/EVILCASE`"), "{err}");
    assert!(!out.exists());
}

/// Issue #19, item 4: a second file of the same name is kept beside the first, never over it;
/// a file leaves the hồ sơ only with `case detach`, which the case's log records, and an
/// issued document's files never leave it.
#[test]
fn attachments_are_never_replaced_and_leave_only_with_a_logged_reason() {
    use hoso::store::Store as _;
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("real.zip");
    write_zip(&zip, real_bag());
    let db = dir.path().join("hoso.db");
    let o = hoso(&db).arg("import").arg(&zip).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let store = || hoso::store::SqliteStore::open(&db).unwrap();
    let first = real_bag()["C0003/data/attachments/01-so-quy.csv"].clone();

    let csv = dir.path().join("so-quy.csv");
    std::fs::write(&csv, "ngày,thu,chi\n2024-07-01,0,50000\n").unwrap();
    for expected in ["attachments/01-so-quy-2.csv", "attachments/01-so-quy-3.csv"] {
        let o = hoso(&db)
            .args(["case", "attach", "C0003"])
            .arg(&csv)
            .args(["--item", "1", "--at", "2024-07-01"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), expected);
    }
    let files = store().files("C0003", None).unwrap();
    let bytes = |name: &str| {
        files
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.bytes.clone())
    };
    assert_eq!(bytes("attachments/01-so-quy.csv"), Some(first), "kept");
    assert_eq!(
        bytes("attachments/01-so-quy-2.csv"),
        Some(std::fs::read(&csv).unwrap())
    );
    let events = store().events("C0003").unwrap().len();

    let o = hoso(&db)
        .args(["case", "detach", "C0003", "attachments/01-so-quy-2.csv"])
        .args(["--reason", "Gửi trùng", "--at", "2024-07-02"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains("đã gỡ: attachments/01-so-quy-2.csv"),
        "{said}"
    );
    let s = store();
    let names: Vec<String> = s
        .files("C0003", None)
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert!(!names.contains(&"attachments/01-so-quy-2.csv".to_string()));
    assert!(names.contains(&"attachments/01-so-quy-3.csv".to_string()));
    let log = s.events("C0003").unwrap();
    assert_eq!(log.len(), events + 1);
    let last = log.last().unwrap();
    assert_eq!(
        (last.step.as_str(), last.actor.as_str()),
        ("go-tep-dinh-kem", "nguoi-dung")
    );
    assert_eq!(last.on_date.to_string(), "2024-07-02");
    assert_eq!(last.inputs["name"], "attachments/01-so-quy-2.csv");
    assert_eq!(last.inputs["reason"], "Gửi trùng");
    assert_eq!(
        last.inputs["sha256"],
        hoso::fsutil::sha256_hex(&std::fs::read(&csv).unwrap())
    );
    drop(s);

    // Refused, changing nothing: an issued document's file, a name the case lacks, no reason.
    let before = dump(&db);
    for (args, code, why) in [
        (
            vec![&*format!("documents/{DOC}.pdf"), "--reason", "Nhầm"],
            1,
            "đã ban hành",
        ),
        (
            vec!["attachments/01-khong-co.csv", "--reason", "Nhầm"],
            1,
            "attachments/01-so-quy-3.csv, attachments/01-so-quy.csv",
        ),
        (
            vec!["attachments/01-so-quy-3.csv", "--reason", " "],
            2,
            "--reason",
        ),
    ] {
        let o = hoso(&db)
            .args(["case", "detach", "C0003"])
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
        assert!(err.contains(why), "{args:?}: {err}");
    }
    assert_eq!(dump(&db), before);

    // The removal travels with the case: archived, verified, imported elsewhere.
    let again = dir.path().join("again.zip");
    archive(&db, "C0003", &again);
    assert_eq!(verify(&again).0, Some(0));
    let db2 = dir.path().join("other.db");
    let o = hoso(&db2).arg("import").arg(&again).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let log = hoso::store::SqliteStore::open(&db2)
        .unwrap()
        .events("C0003")
        .unwrap();
    assert_eq!(log.last().unwrap().inputs["reason"], "Gửi trùng");
}

/// A case.yaml nested deeper than any case (flow mappings, whose reading took time in the
/// square of their depth) is refused at once, naming it.
#[test]
fn a_case_file_nested_too_deep_is_refused_in_time() {
    let bag = forged(
        |_, _| {},
        |e| {
            e.insert(
                "C0003/data/case.yaml".into(),
                "{a: ".repeat(50_000).into_bytes(),
            );
        },
    );
    let started = std::time::Instant::now();
    refused_on_import("deep", &bag, &["data/case.yaml:", "128 tầng"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

/// Case ids are each database's sequence, so two offices' archives can carry the same id.
/// Importing never blocks the cases made after it (`case new` follows the highest id); the same
/// hồ sơ twice is refused as already here; another office's hồ sơ with an id taken here is
/// refused saying so, and `--new-id` restores it under this database's next id.
#[test]
fn imported_ids_never_collide() {
    let dir = tempfile::tempdir().unwrap();
    let office = |name: &str, opened: &str| {
        let db = dir.path().join(name).join("hoso.db");
        std::fs::create_dir_all(db.parent().unwrap()).unwrap();
        assert_eq!(new_mo_hinh_case(&db, opened), "C0001");
        assert_eq!(new_mo_hinh_case(&db, opened), "C0002");
        let zip = dir.path().join(format!("{name}-C0002.zip"));
        archive(&db, "C0002", &zip);
        zip
    };
    let ours = office("dak-mar", "2023-02-06");
    let theirs = office("dak-hring", "2023-05-01");
    let db = dir.path().join("merged.db");
    let import = |zip: &Path, extra: &[&str]| {
        let o = hoso(&db)
            .arg("import")
            .arg(zip)
            .args(extra)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).trim().to_string(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    assert_eq!(import(&ours, &[]).1, "C0002");
    assert_eq!(new_mo_hinh_case(&db, "2024-01-10"), "C0003");
    let (code, _, err) = import(&ours, &[]);
    assert_eq!(code, Some(4), "{err}");
    assert!(
        err.contains("cùng hồ sơ") && err.contains("không nhập lại"),
        "{err}"
    );
    let (code, _, err) = import(&theirs, &[]);
    assert_eq!(code, Some(4), "{err}");
    assert!(
        err.contains("cho một hồ sơ khác") && err.contains("--new-id"),
        "{err}"
    );
    let (code, id, err) = import(&theirs, &["--new-id"]);
    assert_eq!((code, id.as_str()), (Some(0), "C0004"), "{err}");
    let o = hoso(&db)
        .args(["case", "status", "C0004"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("mở ngày 01/05/2023"));
    // The same hồ sơ is never taken in twice, even under a new id.
    assert_eq!(import(&ours, &["--new-id"]).0, Some(4));
}
