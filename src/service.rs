//! The document service: template + data + issuance → Document → files. The one place the CLI
//! (and later the engine's document requests) go through to produce documents.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fsutil::write_atomic;
use crate::render;
use crate::template::{DocData, Issuance, TemplateSet};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Docx,
    Pdf,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Pdf => "pdf",
        }
    }

    /// Parses "docx" or a comma-separated list.
    pub fn parse_list(s: &str) -> Result<Vec<Format>> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim) {
            let f = match part {
                "docx" => Format::Docx,
                "pdf" => Format::Pdf,
                other => {
                    return Err(Error::Usage(format!(
                        "--format: `{other}` is not a format hoso writes (docx, pdf, docx,pdf)"
                    )));
                }
            };
            if !out.contains(&f) {
                out.push(f);
            }
        }
        Ok(out)
    }
}

/// A step document's data, with issuer and signer taken from the procedure's province when
/// the data does not name them: the agency playing the template's issuer role, and its signer.
pub fn with_province(
    set: &TemplateSet,
    procedure: &crate::workflow::Workflow,
    template: &str,
    data: DocData,
) -> Result<DocData> {
    let role = &set.get(template)?.issuer_role;
    Ok(data.with_province(
        procedure.agency_for(role).map(|a| a.issuer()),
        procedure.signers.get(role).cloned(),
    ))
}

/// Renders one document in each format from one model, in memory: nothing is written until
/// every format has rendered.
pub fn render_formats(
    set: &TemplateSet,
    template: &str,
    data: &DocData,
    issuance: &Issuance,
    formats: &[Format],
    pdf: render::pdf::Profile,
) -> Result<Vec<(Format, Vec<u8>)>> {
    let doc = set.document(template, data, issuance)?;
    formats
        .iter()
        .map(|f| {
            Ok((
                *f,
                match f {
                    Format::Docx => render::docx::render(&doc)?,
                    Format::Pdf => render::pdf::render(&doc, pdf)?,
                },
            ))
        })
        .collect()
}

/// Renders one document in each format from one model. With one format `out` is the file
/// written; with several, each file is `out` with the format's extension.
pub fn render_to_files(
    set: &TemplateSet,
    template: &str,
    data: &DocData,
    issuance: &Issuance,
    formats: &[Format],
    pdf: render::pdf::Profile,
    out: &Path,
) -> Result<Vec<PathBuf>> {
    let outputs: Vec<(PathBuf, Vec<u8>)> =
        render_formats(set, template, data, issuance, formats, pdf)?
            .into_iter()
            .map(|(f, bytes)| {
                let path = if formats.len() == 1 {
                    out.to_path_buf()
                } else {
                    out.with_extension(f.extension())
                };
                (path, bytes)
            })
            .collect();
    // Render everything before writing anything: a failure leaves no partial set of files.
    let mut written = Vec::new();
    for (path, bytes) in outputs {
        write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// The listing of `hoso doc templates`.
pub fn template_listing(set: &TemplateSet) -> String {
    let mut s = String::new();
    for t in set.iter() {
        let items: Vec<String> = t
            .ho_so
            .iter()
            .map(|h| format!("{} #{}", h.procedure, h.item))
            .collect();
        let _ = writeln!(s, "{}  —  {}", t.id, t.name);
        let _ = writeln!(
            s,
            "    type: {}   issuer: {}   hồ sơ: {}",
            t.kind.key,
            t.issuer_role,
            if items.is_empty() {
                "—".to_string()
            } else {
                items.join(", ")
            }
        );
        for (name, desc) in &t.variables {
            let _ = writeln!(s, "    {name}: {desc}");
        }
    }
    s
}
