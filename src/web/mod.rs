//! `hoso serve`: the web application clerks, leaders, văn thư and archivists use in a browser.
//! Another shell over [`App`], like the command line: every page calls one use case of `App`
//! in a blocking task and shows its result in Vietnamese; no rule of the decree or of a
//! procedure lives here.
//!
//! - [`server`]: the listener, security headers, request log, graceful shutdown, `--demo`.
//! - [`auth`]: the session cookie, the CSRF token, roles and the agency a person may see.
//! - [`pages`]: the pages (my work, cases, a case, a document, the book).
//! - [`forms`]: the step form generated from the procedure, and reading it back.
//! - [`diagram`]: the procedure drawn as SVG on the server, with a case's progress.
//! - [`docform`]: the step form's part for a document's data, a typed field per variable.
//! - [`jobs`]: long work (an archive) in the background, its progress on a page.
//! - [`reports`]: the province's figures for a period, and their workbook.
//! - [`files`]: downloads — drafts, issued files, the archive, the book as CSV — and uploads.

mod auth;
mod diagram;
mod docform;
mod files;
mod forms;
mod jobs;
mod pages;
mod reports;
pub mod server;

use std::path::PathBuf;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::app::{App, Config};
use crate::engine::Engine;
use crate::error::Error;
use crate::template::TemplateSet;

pub use server::{DemoAccount, Options, router, seed_demo, serve};

/// What every request shares: the configuration and the templates and procedures, loaded once.
/// Each request opens its own store connection (SQLite opens in well under a millisecond;
/// connections are not shared across threads).
#[derive(Clone)]
pub struct Shared {
    config: Config,
    templates: Arc<TemplateSet>,
    engine: Arc<Engine>,
    /// Sample data of each template (`documents/<template>.yaml`), to prefill a step form's
    /// document data when the case has none of its own yet.
    samples: Option<PathBuf>,
    /// Cookies marked Secure (behind TLS).
    secure: bool,
    /// Rendering and archiving take a core and tens of MiB each: at most one per core at a
    /// time, so that memory stays bounded and pages stay quick while twenty people preview.
    heavy: Arc<tokio::sync::Semaphore>,
    /// Drafts rendered lately, by (case, document, extension): a recorded draft never changes
    /// (its data is stored with it), so a second preview costs nothing.
    drafts: Arc<std::sync::Mutex<DraftCache>>,
    /// Long work running or finished, by job id.
    jobs: Arc<std::sync::Mutex<jobs::Jobs>>,
    /// The provinces' units with their dates (`--dia-ban`), for the reports page.
    dia_ban: Option<Arc<crate::report::dia_ban::DiaBan>>,
}

/// A rendered draft's key: case, document, extension.
type DraftKey = (String, String, String);

/// Rendered drafts, oldest first, up to [`DraftCache::LIMIT`] bytes in all.
#[derive(Default)]
struct DraftCache {
    entries: std::collections::VecDeque<(DraftKey, Arc<Vec<u8>>)>,
    bytes: usize,
}

impl DraftCache {
    const LIMIT: usize = 32 * 1024 * 1024;

    fn get(&self, key: &DraftKey) -> Option<Arc<Vec<u8>>> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    fn put(&mut self, key: DraftKey, bytes: Arc<Vec<u8>>) {
        if self.get(&key).is_some() {
            return;
        }
        self.bytes += bytes.len();
        self.entries.push_back((key, bytes));
        while self.bytes > Self::LIMIT {
            match self.entries.pop_front() {
                Some((_, old)) => self.bytes -= old.len(),
                None => break,
            }
        }
    }
}

impl Shared {
    pub fn new(config: Config, samples: Option<PathBuf>, secure: bool) -> crate::Result<Shared> {
        let (templates, engine) = App::new(config.clone()).shared()?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Shared {
            config,
            templates,
            engine,
            samples,
            secure,
            heavy: Arc::new(tokio::sync::Semaphore::new(cores)),
            drafts: Arc::default(),
            jobs: Arc::default(),
            dia_ban: None,
        })
    }

    /// The địa bàn the reports page groups by.
    pub fn with_dia_ban(mut self, dia_ban: crate::report::dia_ban::DiaBan) -> Shared {
        self.dia_ban = Some(Arc::new(dia_ban));
        self
    }

    /// [`Shared::run`] for work that renders or archives: waits for a free core first.
    async fn run_heavy<T: Send + 'static>(
        &self,
        person: Option<&str>,
        f: impl FnOnce(&mut App) -> crate::Result<T> + Send + 'static,
    ) -> Result<T, WebError> {
        let _permit =
            self.heavy.acquire().await.map_err(|_| {
                WebError::new(StatusCode::SERVICE_UNAVAILABLE, "Máy chủ đang dừng.")
            })?;
        self.run(person, f).await
    }

    /// Runs a use case on an [`App`] of its own in a blocking task (App is synchronous), under
    /// `person` when it records steps.
    async fn run<T: Send + 'static>(
        &self,
        person: Option<&str>,
        f: impl FnOnce(&mut App) -> crate::Result<T> + Send + 'static,
    ) -> Result<T, WebError> {
        let (config, templates, engine) = (
            self.config.clone(),
            self.templates.clone(),
            self.engine.clone(),
        );
        let person = person.map(str::to_string);
        tokio::task::spawn_blocking(move || {
            let mut app = App::with_shared(config, templates, engine);
            if let Some(p) = &person {
                app.act_as(p);
            }
            f(&mut app)
        })
        .await
        .map_err(|e| {
            tracing::error!("tác vụ bị hủy: {e}");
            WebError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Máy chủ gặp lỗi; thử lại.",
            )
        })?
        .map_err(WebError::from)
    }
}

/// An answer that is not the page asked for: a status and a message in Vietnamese.
#[derive(Debug)]
pub struct WebError {
    pub status: StatusCode,
    pub message: String,
}

impl WebError {
    fn new(status: StatusCode, message: impl Into<String>) -> WebError {
        WebError {
            status,
            message: message.into(),
        }
    }

    fn forbidden(what: &str) -> WebError {
        WebError::new(
            StatusCode::FORBIDDEN,
            format!("Vai trò của tài khoản này không được {what}."),
        )
    }

    /// A case outside the person's agencies reads as one that does not exist.
    fn no_case(case: &str) -> WebError {
        WebError::new(
            StatusCode::NOT_FOUND,
            format!("Không có hồ sơ {case} trong phạm vi cơ quan của bạn."),
        )
    }
}

/// The HTTP status of an outcome of [`App`]: a refusal of the law or bad input is the
/// person's to correct (422), somebody else's earlier write a conflict (409); a failure of the
/// machine is logged and shown without its details.
impl From<Error> for WebError {
    fn from(e: Error) -> WebError {
        let status = match &e {
            Error::NotFound(_) | Error::UnknownTemplate(_) => StatusCode::NOT_FOUND,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::Usage(_) => StatusCode::BAD_REQUEST,
            Error::Refused { .. }
            | Error::Invalid(_)
            | Error::Field { .. }
            | Error::Yaml { .. }
            | Error::MissingVariable { .. }
            | Error::Template { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Io { .. }
            | Error::Corrupt { .. }
            | Error::Storage { .. }
            | Error::Render { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!("{e}");
            return WebError::new(
                status,
                "Máy chủ không làm được việc này (lỗi lưu trữ hoặc kết xuất); quản trị xem nhật \
                 ký máy chủ.",
            );
        }
        let message = match e {
            // The page names the step; the person needs the law's reason.
            Error::Refused { reason, .. } => format!("Quy trình không cho ghi bước này: {reason}"),
            e => e.to_string(),
        };
        WebError::new(status, message)
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        (self.status, pages::error_page(self.status, &self.message)).into_response()
    }
}
