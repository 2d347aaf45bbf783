//! Files in and out: outputs written whole or not at all and only where they are ours, inputs
//! read only from regular files and only up to a limit, and the names of their contents.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::error::{Error, Result};

const MIB: u64 = 1 << 20;

/// The most a YAML data file (`--data`, a case's data) may hold: far above any real one, low
/// enough that a wrong path costs nothing.
pub const LIMIT_DATA: u64 = 4 * MIB;

/// The most one attached file may hold. It is also the most one entry of an archive may expand
/// to ([`crate::archive::Limits`]), so whatever is attached can be archived and imported again.
pub const LIMIT_ATTACHMENT: u64 = 256 * MIB;
/// An edited draft uploaded to be issued: a DOCX of a few pages is tens of kilobytes; room for
/// pasted pictures (which are refused, but with a message, not a size error).
pub const LIMIT_EDITED_DOCX: u64 = 16 * MIB;

/// The most an archive may hold: the ZIP read from disk, and all its entries expanded
/// ([`crate::archive::Limits`]).
pub const LIMIT_ARCHIVE: u64 = 1024 * MIB;

/// How deep the collections of a YAML input may nest. serde_yaml refuses deeper ones anyway
/// (its recursion limit is 128), but only after reading every event of the text, and for
/// collections nested in flow style (`{a: {a: …`) that reading costs time in the square of the
/// depth: 200 000 levels, 800 kB, took minutes. [`parse_yaml`] checks the depth first, in time
/// linear in the text.
pub const LIMIT_YAML_DEPTH: usize = 128;

/// Refuses YAML nested deeper than [`LIMIT_YAML_DEPTH`], naming the file, line and column where
/// it goes too deep. `line_offset` is the number of lines before `text` in its file.
///
/// The depth is read with a second YAML parser (yaml-rust2, stopped at the limit, so that its
/// own cost per token stays bounded too). Where that parser gives up on text serde_yaml may
/// still read, the rest of the text can nest no deeper than its count of `[` and `{`, which
/// is then bounded instead.
pub fn yaml_depth(path: &Path, text: &str, line_offset: usize) -> Result<()> {
    use yaml_rust2::parser::{Event, Parser};
    let too_deep = |m: &yaml_rust2::scanner::Marker| Error::Yaml {
        path: path.to_path_buf(),
        line: m.line() + line_offset,
        column: m.col() + 1,
        message: format!(
            "các bảng và danh sách lồng nhau sâu hơn {LIMIT_YAML_DEPTH} tầng (giới hạn của hoso)"
        ),
    };
    let mut parser = Parser::new_from_str(text);
    let mut depth = 0usize;
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => return Ok(()),
            Ok((Event::SequenceStart(..) | Event::MappingStart(..), m)) => {
                depth += 1;
                if depth > LIMIT_YAML_DEPTH {
                    return Err(too_deep(&m));
                }
            }
            Ok((Event::SequenceEnd | Event::MappingEnd, _)) => depth = depth.saturating_sub(1),
            // `title: !quan trọng` is not text to YAML but a tag and the word after it: the
            // value would silently lose its first word.
            Ok((Event::Scalar(_, _, _, Some(tag)), m)) if tag.handle == "!" => {
                return Err(Error::Yaml {
                    path: path.to_path_buf(),
                    line: m.line() + line_offset,
                    column: m.col() + 1,
                    message: format!(
                        "giá trị bắt đầu bằng `!{}` bị YAML đọc thành một thẻ (tag), không phải \
                         chữ: đặt cả giá trị trong ngoặc kép, ví dụ \"!{} …\"",
                        tag.suffix, tag.suffix
                    ),
                });
            }
            Ok(_) => {}
            Err(e) => {
                let opens = text
                    .chars()
                    .skip(e.marker().index())
                    .filter(|c| matches!(c, '[' | '{'))
                    .count();
                if opens > LIMIT_YAML_DEPTH {
                    return Err(too_deep(e.marker()));
                }
                return Ok(());
            }
        }
    }
}

/// Makes `out` a folder of `command`'s own before it writes there: a new or empty folder, or
/// one it made before (it carries `marker`); a folder holding anything else is refused, so a
/// command never overwrites what is not its own. Returns whether the folder was already its own.
pub fn claim_folder(out: &Path, marker: &str, command: &str) -> Result<bool> {
    let mut ours = false;
    if out.exists() {
        if !out.is_dir() {
            return Err(Error::io(out, "--out phải là một thư mục"));
        }
        ours = out.join(marker).is_file();
        let empty = std::fs::read_dir(out)
            .map_err(|e| Error::io(out, e))?
            .next()
            .is_none();
        if !ours && !empty {
            return Err(Error::Invalid(format!(
                "{}: thư mục không rỗng và không do `{command}` tạo; không ghi vào đó (chọn một \
                 thư mục mới)",
                out.display()
            )));
        }
    }
    write_atomic(
        &out.join(marker),
        format!("Thư mục do `{command}` tạo; chạy lại sẽ ghi đè các tệp cùng tên.\n").as_bytes(),
    )?;
    Ok(ours)
}

/// YAML text as `T`, after [`yaml_depth`]; errors name the file, line and column.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    line_offset: usize,
) -> Result<T> {
    yaml_depth(path, text, line_offset)?;
    serde_yaml::from_str(text).map_err(|e| Error::yaml_in(path, &e, line_offset, Some(text)))
}

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
pub fn size_text(n: u64) -> String {
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

/// What is at `path` if it may be replaced: nothing, or a regular file (its metadata). A
/// symbolic link is refused rather than followed or replaced, and so is anything that is not a
/// regular file (a device, a FIFO, a socket, a directory).
fn replaceable(path: &Path) -> Result<Option<Metadata>> {
    let m = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path, e)),
    };
    if m.file_type().is_symlink() {
        return Err(Error::io(
            path,
            "là một liên kết tượng trưng: hoso không ghi qua hay ghi đè liên kết, \
             hãy chỉ thẳng đường dẫn của tệp",
        ));
    }
    if !m.is_file() {
        return Err(Error::io(
            path,
            format!(
                "{}: hoso chỉ ghi vào một tệp mới hoặc ghi đè một tệp thường",
                not_regular_message(&m)
            ),
        ));
    }
    Ok(Some(m))
}

/// Refuses a regular file that is not ours to write. The mode bits decide, even for root (for
/// whom access checks always succeed): our own file needs its owner's write bit; someone
/// else's needs a group or other write bit, and then the kernel says whether we are among
/// those it lets write. `me` is our effective user id, as the owner of a file we created.
fn writable(path: &Path, m: &Metadata, me: Option<u32>) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
        let mode = m.permissions().mode() & 0o7777;
        if Some(m.uid()) == me {
            if mode & 0o200 == 0 {
                return Err(Error::io(
                    path,
                    format!("là tệp chỉ đọc (quyền {mode:o}): hoso không ghi đè"),
                ));
            }
            return Ok(());
        }
        let kernel_lets_us = || {
            // Opened, never truncated or written: only the permission check counts.
            OpenOptions::new()
                .write(true)
                .custom_flags(O_NONBLOCK)
                .open(path)
                .is_ok()
        };
        if mode & 0o022 == 0 || !kernel_lets_us() {
            return Err(Error::io(
                path,
                format!(
                    "là tệp của người dùng khác (uid {}, quyền {mode:o}) không cho hoso ghi: \
                     hoso không ghi đè",
                    m.uid()
                ),
            ));
        }
    }
    #[cfg(not(unix))]
    {
        let _ = me;
        if m.permissions().readonly() {
            return Err(Error::io(path, "là tệp chỉ đọc: hoso không ghi đè"));
        }
    }
    Ok(())
}

/// A new temporary file beside `name` in `dir`, created exclusively so that nothing already
/// there (a link planted under the expected name, a leftover of a crashed run) is written.
fn create_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, File)> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let pid = std::process::id();
    for _ in 0..100 {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{pid}.{n}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        ErrorKind::AlreadyExists,
        "không tạo được tệp tạm: mọi tên đã có",
    ))
}

/// Writes `bytes` to a temporary file beside `path`, syncs it and renames it over `path`: an
/// interrupted run leaves the old file or none, never a truncated document. Only a new path or
/// an existing regular file that is ours to write is replaced, never a symbolic link, a device,
/// a FIFO or a read-only file (even for root); a replaced file keeps its permission bits. On
/// failure no temporary file is left behind.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::io(path, "không phải đường dẫn của một tệp"))?
        .to_string_lossy()
        .into_owned();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // A link or a device is refused before anything is created beside it.
    replaceable(path)?;
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    let (tmp, mut f) = create_temp(dir, &name).map_err(|e| io_error(dir, e))?;
    let result = (|| {
        let me = temp_owner(&f);
        if let Some(m) = replaceable(path)? {
            writable(path, &m, me)?;
            keep_mode(&f, &m).map_err(|e| io_error(path, e))?;
        }
        f.write_all(bytes)
            .and_then(|()| f.sync_all())
            .map_err(|e| io_error(path, e))?;
        drop(f);
        // Checked again just before the rename (which replaces the name, never writes through
        // it), so that what appeared at the path meanwhile is refused too.
        if let Some(m) = replaceable(path)? {
            writable(path, &m, me)?;
        }
        std::fs::rename(&tmp, path).map_err(|e| io_error(path, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Gives the new file the permission bits of the one it replaces (a document kept private stays
/// private), without set-id bits.
fn keep_mode(f: &File, m: &Metadata) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = m.permissions().mode() & 0o777;
        f.set_permissions(std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (f, m);
        Ok(())
    }
}

/// The owner of a file we created: our effective user id.
fn temp_owner(f: &File) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        f.metadata().ok().map(|m| m.uid())
    }
    #[cfg(not(unix))]
    {
        let _ = f;
        None
    }
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
    fn yaml_nesting_is_bounded_as_serde_yaml_bounds_it() {
        let p = Path::new("d.yaml");
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(yaml_depth(p, &nested(LIMIT_YAML_DEPTH), 0).is_ok());
        assert!(parse_yaml::<serde_yaml::Value>(p, &nested(LIMIT_YAML_DEPTH), 0).is_ok());
        // One more is what serde_yaml refuses too, after reading it all.
        assert!(serde_yaml::from_str::<serde_yaml::Value>(&nested(LIMIT_YAML_DEPTH + 1)).is_err());
        let e = yaml_depth(p, &nested(LIMIT_YAML_DEPTH + 1), 2).unwrap_err();
        assert!(e.to_string().starts_with("d.yaml:3:"), "{e}");
        let block: String = (0..=LIMIT_YAML_DEPTH)
            .map(|i| format!("{}a:\n", " ".repeat(i)))
            .collect();
        let e = yaml_depth(p, &block, 0).unwrap_err().to_string();
        assert!(
            e.starts_with("d.yaml:129:") && e.contains("128 tầng"),
            "{e}"
        );
        // Past what the depth reader can read (a tab), the brackets that follow are counted.
        let after_tab = |n: usize| format!("a: b\n\tc: {}", "{a: ".repeat(n));
        assert!(yaml_depth(p, &after_tab(LIMIT_YAML_DEPTH), 0).is_ok());
        assert!(yaml_depth(p, &after_tab(LIMIT_YAML_DEPTH + 1), 0).is_err());
    }

    #[test]
    fn sizes_read_as_limits() {
        assert_eq!(size_text(LIMIT_DATA), "4 MiB");
        assert_eq!(size_text(LIMIT_ARCHIVE), "1024 MiB");
        assert_eq!(size_text(10), "10 byte");
    }
}
