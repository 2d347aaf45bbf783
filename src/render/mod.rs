//! Renderers: a [`Document`](crate::document::Document) in, bytes out. Both formats read the
//! same model and the same [`layout`] constants; no document type has renderer-specific code.

pub mod book;
pub mod docx;
pub mod fonts;
pub mod layout;
mod ooxml;
pub mod pdf;
