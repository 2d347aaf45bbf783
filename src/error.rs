//! Errors a user can act on: each names the file, line, field, template or variable at fault.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
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
    #[error("{}: field `{field}`: {message}", path.display())]
    Field {
        path: PathBuf,
        field: String,
        message: String,
    },

    #[error("template `{template}`: {message}")]
    Template { template: String, message: String },

    #[error(
        "template `{template}` needs the variable `{variable}`{}, which {} does not give",
        line.map(|l| format!(" (template line {l})")).unwrap_or_default(),
        data.display()
    )]
    MissingVariable {
        template: String,
        variable: String,
        line: Option<usize>,
        data: PathBuf,
    },

    #[error("unknown template `{0}` (`hoso doc templates` lists them)")]
    UnknownTemplate(String),

    #[error("{0}")]
    Usage(String),

    #[error("rendering {what}: {message}")]
    Render { what: String, message: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(path: &Path, e: impl std::fmt::Display) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }

    /// A serde_yaml error with its position, if it has one. `line_offset` is the number of
    /// lines before the parsed text in its file (a template's front matter starts on line 2).
    pub fn yaml(path: &Path, e: &serde_yaml::Error, line_offset: usize) -> Self {
        let (line, column) = e
            .location()
            .map(|l| (l.line() + line_offset, l.column()))
            .unwrap_or((1 + line_offset, 1));
        // serde_yaml appends " at line L column C"; the position is already in front.
        let mut message = e.to_string();
        if let Some(i) = message.find(" at line ") {
            message.truncate(i);
        }
        Error::Yaml {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    }
}
