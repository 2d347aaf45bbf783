//! Errors a user can act on: each names the file, line, field, template, step or variable at
//! fault, and says what kind of failure it is, so that a front end can answer it rightly — a
//! refusal of the law is not a failure of the machine. [`Error::exit_code`] is the one place
//! the command line turns them into exit codes.

use std::path::{Path, PathBuf};

mod serde_words;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file that cannot be read or written.
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },

    /// YAML that does not parse or does not fit its schema.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Yaml {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    /// A field whose value is present but wrong.
    #[error("{}: trường `{field}`: {message}", path.display())]
    Field {
        path: PathBuf,
        field: String,
        message: String,
    },

    #[error("mẫu `{template}`: {message}")]
    Template { template: String, message: String },

    #[error(
        "mẫu `{template}` cần biến `{variable}`{}, mà {} không có",
        line.map(|l| format!(" (dòng {l} của mẫu)")).unwrap_or_default(),
        data.display()
    )]
    MissingVariable {
        template: String,
        variable: String,
        line: Option<usize>,
        data: PathBuf,
    },

    #[error("không có mẫu `{0}` (`hoso doc templates` liệt kê các mẫu)")]
    UnknownTemplate(String),

    /// A guard of the procedure says no: the law refuses the step, with its reason.
    #[error("bước `{step}` bị từ chối: {reason}")]
    Refused { step: String, reason: String },

    /// What was asked for does not exist: a case, a document, a step, a number.
    #[error("{0}")]
    NotFound(String),

    /// Input that is well-formed but wrong: a value out of range, a date before another.
    #[error("{0}")]
    Invalid(String),

    /// Somebody else did it first, or it is already there: a step recorded, a case imported.
    #[error("{0}")]
    Conflict(String),

    /// Stored data that is no longer what was written: a damaged row or file.
    #[error("{what}: {message}")]
    Corrupt { what: String, message: String },

    /// The database failed (locked, full, unreadable).
    #[error("{}: {message}", path.display())]
    Storage { path: PathBuf, message: String },

    /// Command-line arguments that do not fit the command.
    #[error("{0}")]
    Usage(String),

    #[error("kết xuất {what}: {message}")]
    Render { what: String, message: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Exit codes, documented in the README.
pub mod exit {
    pub const OK: u8 = 0;
    /// Refused by the procedure, bad input, or not found.
    pub const REFUSED_OR_INVALID: u8 = 1;
    /// Bad command-line arguments.
    pub const USAGE: u8 = 2;
    /// `verify`: the archive is intact but the hồ sơ lacks required items.
    pub const INCOMPLETE: u8 = 3;
    /// Somebody else did it first, or it is already there.
    pub const CONFLICT: u8 = 4;
    /// The store or a stored file is damaged, or the machine failed.
    pub const STORAGE: u8 = 5;
}

impl Error {
    pub fn io(path: &Path, e: impl std::fmt::Display) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }

    pub fn storage(path: &Path, e: impl std::fmt::Display) -> Self {
        Error::Storage {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }

    pub fn corrupt(what: impl Into<String>, e: impl std::fmt::Display) -> Self {
        Error::Corrupt {
            what: what.into(),
            message: e.to_string(),
        }
    }

    /// The exit code of the command that failed with this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => exit::USAGE,
            Error::Conflict(_) => exit::CONFLICT,
            Error::Corrupt { .. } | Error::Storage { .. } | Error::Render { .. } => exit::STORAGE,
            Error::Io { .. }
            | Error::Yaml { .. }
            | Error::Field { .. }
            | Error::Template { .. }
            | Error::MissingVariable { .. }
            | Error::UnknownTemplate(_)
            | Error::Refused { .. }
            | Error::NotFound(_)
            | Error::Invalid(_) => exit::REFUSED_OR_INVALID,
        }
    }

    /// A serde_yaml error with its position, if it has one. `line_offset` is the number of
    /// lines before the parsed text in its file (a template's front matter starts on line 2).
    pub fn yaml(path: &Path, e: &serde_yaml::Error, line_offset: usize) -> Self {
        Error::yaml_in(path, e, line_offset, None)
    }

    /// [`Error::yaml`] of a file whose YAML is `text`: serde's messages in Vietnamese, a step
    /// named by its id (`bước `b``) where serde says `steps[1]`.
    pub fn yaml_in(
        path: &Path,
        e: &serde_yaml::Error,
        line_offset: usize,
        text: Option<&str>,
    ) -> Self {
        let (mut line, mut column) = e
            .location()
            .map(|l| (l.line() + line_offset, l.column()))
            .unwrap_or((1 + line_offset, 1));
        // serde_yaml appends " at line L column C"; the position is already in front.
        let mut message = e.to_string();
        if let Some(i) = message.find(" at line ") {
            message.truncate(i);
        }
        // serde places a key written twice at its map's start: the second one is the place.
        if let Some((l, c)) =
            text.and_then(|t| serde_words::duplicate_at(&message, t, line - line_offset))
        {
            (line, column) = (l + line_offset, c);
        }
        // A quote left open runs the scanner to the end of the file: the place is the quote.
        if message.contains("found unexpected end of stream")
            && let Some((l, c, q)) = text.and_then(serde_words::open_quote)
        {
            (line, column) = (l + line_offset, c);
            message = format!(
                "giá trị mở dấu `{q}` ở đây mà không đóng, YAML đọc tiếp đến hết tệp: \
                     thêm `{q}` ở cuối giá trị"
            );
        }
        let message = serde_words::vietnamese(&message, text);
        let hint = yaml_hint(&message);
        let mut message = scanner_words(&message);
        message.push_str(hint);
        Error::Yaml {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    }
}

/// The YAML scanner's own words (libyaml's, through serde_yaml) in Vietnamese; a message not
/// known here stays as it is.
fn scanner_words(message: &str) -> String {
    const WORDS: [(&str, &str); 13] = [
        (
            "mapping values are not allowed in this context",
            "dấu `:` không đứng được ở đây",
        ),
        ("did not find expected ',' or ']'", "không thấy `,` hay `]`"),
        ("did not find expected ',' or '}'", "không thấy `,` hay `}`"),
        (
            "did not find expected key",
            "không thấy khóa ở chỗ cần có (thụt lề lệch?)",
        ),
        (
            "did not find expected '-' indicator",
            "không thấy dấu `-` của mục danh sách (thụt lề lệch?)",
        ),
        ("did not find expected node content", "thiếu giá trị"),
        ("could not find expected ':'", "không thấy dấu `:` sau khóa"),
        (
            "found character that cannot start any token",
            "gặp ký tự không mở đầu được giá trị",
        ),
        ("found unexpected end of stream", "tệp hết giữa chừng"),
        (
            "block sequence entries are not allowed in this context",
            "mục danh sách `- ` không đứng được ở đây",
        ),
        (
            "found a tab character that violates indentation",
            "có ký tự tab ở chỗ thụt lề: YAML chỉ thụt lề bằng dấu cách",
        ),
        (
            "found a tab character where an indentation space is expected",
            "có ký tự tab ở chỗ thụt lề: YAML chỉ thụt lề bằng dấu cách",
        ),
        (
            "found undefined tag handle",
            "giá trị bắt đầu bằng `!` là thẻ YAML: đặt cả giá trị trong ngoặc kép",
        ),
    ];
    for (english, words) in WORDS {
        if let Some(i) = message.find(english) {
            // libyaml says what it was reading first ("while parsing a block mapping, …").
            let lead = message[..i]
                .rfind("while ")
                .map_or(&message[..i], |w| &message[..w]);
            return format!("{lead}{words}");
        }
    }
    message.to_string()
}

/// What a person most likely wrote when YAML (or a date inside it) says this, in their terms.
fn yaml_hint(message: &str) -> &'static str {
    if message.contains("mapping values are not allowed") {
        " — có dấu `:` theo sau là khoảng trắng trong một giá trị: đặt cả giá trị trong ngoặc \
         kép, ví dụ title: \"Bước 1: khảo sát\""
    } else if message.contains("did not find expected ',' or ']'")
        || message.contains("did not find expected ',' or '}'")
    {
        " — một danh sách […] hoặc bảng {…} viết trên một dòng chưa đóng, hoặc một giá trị trong \
         đó có dấu phẩy: đặt giá trị ấy trong ngoặc kép"
    } else if message.contains("found character that cannot start any token") {
        " — giá trị bắt đầu bằng một ký tự YAML dành riêng (@, `, %, tab): đặt cả giá trị trong \
         ngoặc kép"
    } else if message.ends_with(serde_words::DATE_WRONG) {
        " — ngày viết theo dạng YYYY-MM-DD, ví dụ 2023-01-01 (không phải 01/01/2023)"
    } else {
        ""
    }
}
