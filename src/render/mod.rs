//! Renderers: a [`Document`](crate::document::Document) in, bytes out. Both formats read the
//! same model and the same [`layout`] constants; no document type has renderer-specific code.

pub mod book;
pub mod docx;
pub mod edited;
pub mod fonts;
pub mod layout;
mod ooxml;
pub mod pdf;
pub mod xlsx;

use crate::document::Document;
use crate::error::Result;

/// An output format of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
}

/// Renders one model in each format, in memory: nothing is written until every format has
/// rendered, so a failure leaves no partial set of files.
pub fn render_all(
    doc: &Document,
    formats: &[Format],
    pdf: pdf::Profile,
) -> Result<Vec<(Format, Vec<u8>)>> {
    if let Some(line) = layout::agency_line_too_long(&doc.header().agency) {
        let key = match line.role {
            crate::document::Role::ParentAgency => "issuer.parent",
            _ => "issuer.name",
        };
        return Err(crate::error::Error::Invalid(format!(
            "`{key}`: dòng “{}” dài hơn cột tiêu đề ({} mm) ngay cả ở cỡ chữ 12, sẽ bị ngắt giữa              một từ; hãy xuống dòng trong `{key}` ở chỗ tách nghĩa (viết tên nhiều dòng bằng `|-`)",
            line.text,
            layout::HEADER_LEFT_MM
        )));
    }
    formats
        .iter()
        .map(|f| {
            Ok((
                *f,
                match f {
                    Format::Docx => docx::render(doc)?,
                    Format::Pdf => pdf::render(doc, pdf)?,
                },
            ))
        })
        .collect()
}
