//! hoso — documents and workflows for Vietnamese administrative procedures.
//!
//! Layers, each using only those to its right: `template` → `document` ◀ `render`.
//! The document model holds the rules of Nghị định 30/2020; templates fill it from data;
//! renderers turn it into bytes.

pub mod archive;
pub mod demo;
pub mod document;
pub mod engine;
pub mod error;
pub mod fsutil;
pub mod issue;
pub mod register;
pub mod render;
pub mod service;
pub mod store;
pub mod template;
pub mod text;
pub mod workflow;

pub use error::{Error, Result};
