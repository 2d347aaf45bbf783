//! Files in and out: outputs written whole or not at all and only where they are ours, inputs
//! read only from regular files and only up to a limit, and the names of their contents.

use std::fs::{Metadata, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::Path;

use crate::error::{Error, Result};

const MIB: u64 = 1 << 20;

/// The most a YAML data file (`--data`, a case's data) may hold: far above any real one, low
/// enough that a wrong path costs nothing.
pub const LIMIT_DATA: u64 = 4 * MIB;

/// The most one attached file may hold. It is also the most one entry of an archive may expand
/// to ([`crate::archive::Limits`]), so whatever is attached can be archived and imported again.
pub const LIMIT_ATTACHMENT: u64 = 256 * MIB;

/// The most an archive may hold: the ZIP read from disk, and all its entries expanded
/// ([`crate::archive::Limits`]).
pub const LIMIT_ARCHIVE: u64 = 1024 * MIB;

/// `O_NONBLOCK`, which std does not name: opening a FIFO with it returns at once instead of
/// waiting for the other end. Zero where its value is not known here; the file-type check made
/// before opening still stands there. A unit test compares it with the `libc` crate's.
#[cfg_attr(not(unix), allow(dead_code))]
const O_NONBLOCK: i32 = if cfg!(any(target_os = "linux", target_os = "android")) {
    if cfg!(any(target_arch = "mips", target_arch = "mips64")) {
        0x80
    } else if cfg!(any(target_arch = "sparc", target_arch = "sparc64")) {
        0x4000
    } else {
        0o4000
    }
} else if cfg!(any(
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
)) {
    0x4
} else {
    0
};

/// An OS error in Vietnamese where it is a common one, else as the OS words it.
fn describe(e: &std::io::Error) -> String {
    match e.kind() {
        ErrorKind::NotFound => "không có tệp hay thư mục này".into(),
        ErrorKind::PermissionDenied => format!("không có quyền truy cập ({e})"),
        _ => e.to_string(),
    }
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::io(path, describe(&e))
}

/// A size as people read a limit: whole MiB when it is, else bytes.
fn size_text(n: u64) -> String {
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else {
        format!("{n} byte")
    }
}

/// What a file that is not a regular file is, for the message that refuses it.
fn kind(m: &Metadata) -> Option<&'static str> {
    let t = m.file_type();
    if t.is_dir() {
        return Some("một thư mục");
    }
    if t.is_symlink() {
        return Some("một liên kết tượng trưng");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_char_device() || t.is_block_device() {
            return Some("một thiết bị");
        }
        if t.is_fifo() {
            return Some("một ống FIFO");
        }
        if t.is_socket() {
            return Some("một socket");
        }
    }
    None
}

/// "không phải tệp thường (một thiết bị)" and the like.
fn not_regular_message(m: &Metadata) -> String {
    match kind(m) {
        Some(what) => format!("không phải tệp thường ({what})"),
        None => "không phải tệp thường".into(),
    }
}

fn not_regular(path: &Path, m: &Metadata) -> Error {
    Error::io(path, not_regular_message(m))
}

fn too_big(path: &Path, size: Option<u64>, limit: u64) -> Error {
    let size = size.map(|s| format!(" ({s} byte)")).unwrap_or_default();
    Error::io(
        path,
        format!("tệp{size} lớn hơn giới hạn {}", size_text(limit)),
    )
}

/// Reads an input file whole, refusing anything but a regular file (a device, a FIFO, a
/// directory; a symbolic link counts as what it points to) and anything over `limit` bytes.
/// The type is checked before opening and the file is opened non-blocking, so a FIFO never
/// hangs the run; at most `limit + 1` bytes are read, so `/dev/zero` or a file that grows while
/// read costs no more than the limit.
pub fn read_input(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let m = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
    if !m.is_file() {
        return Err(not_regular(path, &m));
    }
    if m.len() > limit {
        return Err(too_big(path, Some(m.len()), limit));
    }
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(O_NONBLOCK);
    }
    let f = options.open(path).map_err(|e| io_error(path, e))?;
    // The path may have been replaced between the check and the open: check what was opened.
    let m = f.metadata().map_err(|e| io_error(path, e))?;
    if !m.is_file() {
        return Err(not_regular(path, &m));
    }
    if m.len() > limit {
        return Err(too_big(path, Some(m.len()), limit));
    }
    let mut bytes = Vec::with_capacity(m.len() as usize);
    f.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(too_big(path, None, limit));
    }
    Ok(bytes)
}

/// [`read_input`] for UTF-8 text (YAML, Markdown).
pub fn read_input_text(path: &Path, limit: u64) -> Result<String> {
    String::from_utf8(read_input(path, limit)?).map_err(|e| {
        Error::io(
            path,
            format!(
                "không phải văn bản UTF-8 (byte thứ {} sai)",
                e.utf8_error().valid_up_to() + 1
            ),
        )
    })
}

/// Writes `bytes` to a temporary file beside `path`, syncs it and renames it over `path`: an
/// interrupted run leaves the old file or none, never a truncated document.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = path
        .file_name()
        .ok_or_else(|| Error::io(path, "not a file name"))?
        .to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// The SHA-256 of `bytes` in lower-case hex, as manifests and metadata record it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn o_nonblock_is_the_platform_value() {
        if O_NONBLOCK != 0 {
            assert_eq!(O_NONBLOCK, libc::O_NONBLOCK);
        }
    }

    #[test]
    fn sizes_read_as_limits() {
        assert_eq!(size_text(LIMIT_DATA), "4 MiB");
        assert_eq!(size_text(LIMIT_ARCHIVE), "1024 MiB");
        assert_eq!(size_text(10), "10 byte");
    }
}
