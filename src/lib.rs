//! hoso — documents and workflows for Vietnamese administrative procedures.
//!
//! Layers, top to bottom; a module uses only modules below it (or on its own row, where
//! noted), never one above:
//!
//! ```text
//! web               the web application (`hoso serve`): HTTP over App, nothing below it
//! app, accounts,    the use cases (App; people, sessions and approvals in accounts; the hồ
//! checklist, demo,  sơ checklist of a running case), the sample run and the generated
//! generate          province; the command line and the web call App and nothing below it
//! report            figures across a province's cases for a period (the báo cáo tổng kết,
//!                   the bảng thống kê), grouped by the địa bàn valid on the period's dates
//! archive, issue    a case's hồ sơ: drafts and issuing; the BagIt archive, verify, import
//! engine            cases through their procedures, over any Store
//! register          the sổ đăng ký's rules (series, dates, withdrawing), over any Store
//! workflow          procedures as data: model, province overlays, load and check
//! store             the Store / StoreTx seam and its SQLite backend
//! template          templates and data files → the document model
//! render            the document model → DOCX and PDF bytes, and back from an edited DOCX;
//!                   tables → XLSX
//! document          the NĐ 30/2020 model and its rules, independent of any format
//! text, fsutil, error   leaves
//! ```
//!
//! `workflow` knows templates only by id ([`workflow::check::Known`]); `store` knows no rule,
//! only its promises (one writer at a time, all or nothing, committed means kept).

pub mod accounts;
pub mod app;
pub mod archive;
pub mod checklist;
pub mod demo;
pub mod document;
pub mod engine;
pub mod error;
pub mod fsutil;
pub mod generate;
pub mod issue;
pub mod register;
pub mod render;
pub mod report;
pub mod store;
pub mod template;
pub mod text;
pub mod web;
pub mod workflow;

pub use app::App;
pub use error::{Error, Result};
