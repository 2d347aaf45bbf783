//! BagIt (RFC 8493) in a ZIP: writing the tag files, reading an archive without trusting it
//! (no path out of the bag, no link, bounded sizes), and checking every checksum.

use std::collections::BTreeMap;
use std::io::Read;

use unicode_normalization::UnicodeNormalization;

use super::Metadata;
use crate::error::{Error, Result};
use crate::fsutil::sha256_hex;

const BAGIT_TXT: &str = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

/// A manifest path: "%", CR and LF percent-encoded (RFC 8493, 2.1.3).
fn encode(path: &str) -> String {
    path.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn decode(path: &str) -> String {
    path.replace("%0A", "\n")
        .replace("%0a", "\n")
        .replace("%0D", "\r")
        .replace("%0d", "\r")
        .replace("%25", "%")
}

/// A payload file with its SHA-256, computed once.
pub struct Hashed {
    pub bytes: Vec<u8>,
    pub sha256: String,
}

impl Hashed {
    pub fn new(bytes: Vec<u8>) -> Hashed {
        let sha256 = sha256_hex(&bytes);
        Hashed { bytes, sha256 }
    }
}

fn manifest<'a>(files: impl Iterator<Item = (&'a String, &'a Hashed)>) -> String {
    files
        .map(|(name, f)| format!("{}  {}\n", f.sha256, encode(name)))
        .collect()
}

/// The bag's entries, each under the base directory `base/`: the payload (names starting
/// with `data/`) and the tag files.
pub fn make(
    base: &str,
    payload: BTreeMap<String, Hashed>,
    info: &[(&str, String)],
) -> BTreeMap<String, Vec<u8>> {
    let octets: usize = payload.values().map(|f| f.bytes.len()).sum();
    let mut bag_info = String::new();
    for (k, v) in info {
        bag_info.push_str(&format!("{k}: {}\n", v.replace(['\r', '\n'], " ")));
    }
    bag_info.push_str(&format!("Payload-Oxum: {octets}.{}\n", payload.len()));
    let mut tags: BTreeMap<String, Hashed> = BTreeMap::new();
    tags.insert(
        "bagit.txt".into(),
        Hashed::new(BAGIT_TXT.as_bytes().to_vec()),
    );
    tags.insert("bag-info.txt".into(), Hashed::new(bag_info.into_bytes()));
    tags.insert(
        "manifest-sha256.txt".into(),
        Hashed::new(manifest(payload.iter()).into_bytes()),
    );
    let tagmanifest = Hashed::new(manifest(tags.iter()).into_bytes());
    tags.insert("tagmanifest-sha256.txt".into(), tagmanifest);
    tags.into_iter()
        .chain(payload)
        .map(|(k, v)| (format!("{base}/{k}"), v.bytes))
        .collect()
}

/// How much an archive may expand to: a bound against decompression bombs.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_entries: usize,
    pub max_entry: u64,
    pub max_total: u64,
}

/// The byte limits are the ones inputs are read with ([`crate::fsutil::read_input`]): one set,
/// so that an attachment hoso accepted can always be archived and imported again.
impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 100_000,
            max_entry: crate::fsutil::LIMIT_ATTACHMENT,
            max_total: crate::fsutil::LIMIT_ARCHIVE,
        }
    }
}

/// Why an entry name is refused, if it is: absolute, with "..", a backslash or a drive letter.
fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.starts_with('/') || name.starts_with('\\') {
        return Some("đường dẫn tuyệt đối (absolute)");
    }
    if name.contains('\\') || name.contains('\0') {
        return Some("đường dẫn có dấu \\ hoặc NUL");
    }
    if name.as_bytes().get(1) == Some(&b':') {
        return Some("đường dẫn có ký tự ổ đĩa");
    }
    if name.split('/').any(|c| c == "..") {
        return Some("đường dẫn đi ra ngoài bằng `..`");
    }
    None
}

/// The central directory's entries as they lie in the archive, from where the ZIP reader found
/// the directory: each one's raw name. The reader keys entries by name and keeps only the last
/// of two with the same name, so its count alone never shows a duplicate; this walk does.
/// At most `max` + 1 are listed.
fn central_names(bytes: &[u8], start: u64, max: usize) -> Vec<&[u8]> {
    let mut names = Vec::new();
    let Ok(mut at) = usize::try_from(start) else {
        return names;
    };
    while names.len() <= max {
        let Some(h) = bytes
            .get(at..)
            .filter(|h| h.starts_with(b"PK\x01\x02") && h.len() >= 46)
        else {
            break;
        };
        let len = |i: usize| usize::from(u16::from_le_bytes([h[i], h[i + 1]]));
        let (name, extra, comment) = (len(28), len(30), len(32));
        names.push(h.get(46..46 + name).unwrap_or_default());
        at += 46 + name + extra + comment;
    }
    names
}

/// Refuses an archive whose central directory holds more entries than the ZIP reader shows,
/// naming an entry that is there twice if the names say which.
fn refuse_hidden_entries(bytes: &[u8], start: u64, shown: usize, max: usize) -> Result<()> {
    let names = central_names(bytes, start, max);
    if names.len() == shown {
        return Ok(());
    }
    let mut seen = std::collections::BTreeSet::new();
    let message = match names.iter().find(|n| !seen.insert(**n)) {
        Some(twice) => format!(
            "mục {:?} có hai lần trong tệp ZIP: mỗi trình đọc thấy một bản khác nhau, \
             nên không thể kiểm tra đúng bản sẽ được dùng",
            String::from_utf8_lossy(twice)
        ),
        None => format!(
            "danh mục của tệp ZIP có {} mục nhưng trình đọc ZIP chỉ thấy {shown}: \
             có mục trùng tên hoặc nằm ngoài danh mục",
            names.len()
        ),
    };
    Err(refused(message))
}

/// An archive refused as a whole.
fn refused(message: String) -> Error {
    Error::Invalid(format!("tệp lưu trữ bị từ chối: {message}"))
}

/// Reads every file of a ZIP into memory, refusing (before reading on) any entry that could
/// escape the bag or exceed the limits, and any name that is there twice, also after NFC
/// normalisation (two spellings of one Vietnamese name are one file to a person and to some
/// file systems). Directory entries are skipped.
pub fn read_entries(bytes: &[u8], limits: Limits) -> Result<BTreeMap<String, Vec<u8>>> {
    let broken = |m: String| Error::Invalid(format!("tệp lưu trữ bị từ chối: {m}"));
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| broken(format!("không đọc được như tệp ZIP ({e})")))?;
    if z.len() > limits.max_entries {
        return Err(broken(format!(
            "{} entries (at most {})",
            z.len(),
            limits.max_entries
        )));
    }
    refuse_hidden_entries(
        bytes,
        z.central_directory_start(),
        z.len(),
        limits.max_entries,
    )?;
    let mut out = BTreeMap::new();
    let mut spelled: BTreeMap<String, String> = BTreeMap::new();
    let mut total = 0u64;
    for i in 0..z.len() {
        let mut f = z
            .by_index(i)
            .map_err(|e| broken(format!("mục thứ {i}: {e}")))?;
        let name = f.name().to_string();
        if let Some(why) = unsafe_name(&name) {
            return Err(broken(format!("mục `{name}`: {why}")));
        }
        if f.unix_mode().is_some_and(|m| m & 0o170000 == 0o120000) {
            return Err(broken(format!(
                "mục `{name}`: liên kết tượng trưng (symbolic link)"
            )));
        }
        if f.is_dir() {
            continue;
        }
        let nfc: String = name.nfc().collect();
        if let Some(other) = spelled.insert(nfc, name.clone()) {
            return Err(refused(if other == name {
                format!("mục {name:?} có hai lần trong tệp ZIP")
            } else {
                format!(
                    "mục {other:?} và {name:?} là một tên viết theo hai cách \
                     (chuẩn hoá Unicode NFC)"
                )
            }));
        }
        if f.size() > limits.max_entry || total + f.size() > limits.max_total {
            return Err(broken(format!(
                "mục `{name}` giải nén ra {} byte (tối đa {} một mục, {} tất cả)",
                f.size(),
                limits.max_entry,
                limits.max_total
            )));
        }
        // The declared size may lie: read at most one byte past the limit.
        let mut data = Vec::new();
        (&mut f)
            .take(limits.max_entry.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| broken(format!("mục `{name}`: {e}")))?;
        if data.len() as u64 > limits.max_entry || total + data.len() as u64 > limits.max_total {
            return Err(broken(format!(
                "mục `{name}` giải nén vượt kích thước đã khai và giới hạn"
            )));
        }
        total += data.len() as u64;
        out.insert(name, data);
    }
    Ok(out)
}

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Report {
    /// The bag's base directory.
    pub base: String,
    /// Every missing, changed or extra file and every malformed tag file, by name.
    pub problems: Vec<String>,
    /// The hồ sơ's metadata, when it is intact.
    pub metadata: Option<Metadata>,
    /// The bag's files, by path below the base directory.
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Report {
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

fn parse_manifest(text: &str) -> std::result::Result<Vec<(String, String)>, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (hash, path) = l
                .split_once(char::is_whitespace)
                .ok_or_else(|| format!("dòng sai dạng `{l}`"))?;
            Ok((hash.to_lowercase(), decode(path.trim_start())))
        })
        .collect()
}

/// Checks a zipped bag: the archive is read safely, then every payload and tag file is
/// compared with its manifest. Problems are reported by file name; an archive that cannot be
/// read safely is an error. Long because it walks RFC 8493's checks in the RFC's order
/// (serialisation, declaration, manifests, tag manifest, Payload-Oxum, metadata), each short.
pub fn verify(bytes: &[u8], limits: Limits) -> Result<Report> {
    let entries = read_entries(bytes, limits)?;
    let mut report = Report::default();
    // A bag is one directory: every entry is `base/path`, neither part empty. Anything else
    // (a file named like the base, an empty name) is a problem to report, never to slice.
    let mut bases = std::collections::BTreeSet::new();
    for name in entries.keys() {
        match name.split_once('/') {
            Some((base, path)) if !base.is_empty() && !path.is_empty() => {
                bases.insert(base.to_string());
            }
            _ => report
                .problems
                .push(format!("ngoài thư mục của bag: {name:?}")),
        }
    }
    let base = match bases.into_iter().collect::<Vec<_>>()[..] {
        [ref b] => b.clone(),
        _ => {
            report
                .problems
                .push("tệp lưu trữ không phải một thư mục bag (RFC 8493)".into());
            return Ok(report);
        }
    };
    let files: BTreeMap<String, Vec<u8>> = entries
        .into_iter()
        .filter_map(|(name, bytes)| {
            let path = name.strip_prefix(base.as_str())?.strip_prefix('/')?;
            (!path.is_empty()).then(|| (path.to_string(), bytes))
        })
        .collect();
    let problems = &mut report.problems;
    match files.get("bagit.txt").map(|b| String::from_utf8_lossy(b)) {
        Some(t)
            if t.contains("BagIt-Version:") && t.contains("Tag-File-Character-Encoding: UTF-8") => {
        }
        Some(_) => problems.push("bị sửa: bagit.txt (không có khai báo BagIt)".into()),
        None => problems.push("thiếu: bagit.txt".into()),
    }
    let mut check = |manifest_name: &str, in_scope: &dyn Fn(&str) -> bool| {
        let Some(text) = files.get(manifest_name) else {
            problems.push(format!("thiếu: {manifest_name}"));
            return;
        };
        let listed = match parse_manifest(&String::from_utf8_lossy(text)) {
            Ok(l) => l,
            Err(e) => {
                problems.push(format!("bị sửa: {manifest_name} ({e})"));
                return;
            }
        };
        for (hash, path) in &listed {
            match files.get(path) {
                None => problems.push(format!("thiếu: {path}")),
                Some(b) if sha256_hex(b) != *hash => problems.push(format!("bị sửa: {path}")),
                Some(_) => {}
            }
        }
        for name in files.keys().filter(|n| in_scope(n)) {
            if !listed.iter().any(|(_, p)| p == name) {
                problems.push(format!("thừa: {name}"));
            }
        }
    };
    check("manifest-sha256.txt", &|n: &str| n.starts_with("data/"));
    check("tagmanifest-sha256.txt", &|n: &str| {
        !n.starts_with("data/") && n != "tagmanifest-sha256.txt"
    });
    // Payload-Oxum: octets and count of the payload as bagged.
    if let Some(info) = files.get("bag-info.txt") {
        let info = String::from_utf8_lossy(info);
        let payload: Vec<&Vec<u8>> = files
            .iter()
            .filter(|(n, _)| n.starts_with("data/"))
            .map(|(_, b)| b)
            .collect();
        let actual = format!(
            "{}.{}",
            payload.iter().map(|b| b.len()).sum::<usize>(),
            payload.len()
        );
        if let Some(oxum) = info.lines().find_map(|l| l.strip_prefix("Payload-Oxum:"))
            && oxum.trim() != actual
        {
            problems.push(format!(
                "bag-info.txt: Payload-Oxum {} nhưng nội dung là {actual}",
                oxum.trim()
            ));
        }
    } else {
        problems.push("thiếu: bag-info.txt".into());
    }
    problems.sort();
    problems.dedup();
    if report.problems.is_empty() {
        report.metadata = files
            .get("data/metadata.json")
            .and_then(|b| serde_json::from_slice(b).ok());
        if report.metadata.is_none() {
            report
                .problems
                .push("data/metadata.json: không phải siêu dữ liệu của hoso".into());
        }
    }
    report.base = base;
    report.files = files;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names() {
        assert!(unsafe_name("../x").is_some());
        assert!(unsafe_name("a/../../x").is_some());
        assert!(unsafe_name("/etc/passwd").is_some());
        assert!(unsafe_name("C:/x").is_some());
        assert!(unsafe_name("a\\..\\x").is_some());
        assert!(unsafe_name("C0001/data/documents/01-ke-hoach.pdf").is_none());
        assert!(unsafe_name("C0001/data/a..b.pdf").is_none());
    }

    #[test]
    fn manifest_paths_are_percent_encoded() {
        assert_eq!(encode("data/a%b\nc"), "data/a%25b%0Ac");
        assert_eq!(decode(&encode("data/a%b\nc\r")), "data/a%b\nc\r");
    }
}
