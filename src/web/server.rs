//! The listener and what every response carries: the routes, security headers (a CSP with no
//! inline script, no-sniff, no framing by other sites), request logging with tracing, bounded
//! request bodies, and a shutdown that lets running requests finish on Ctrl-C or SIGTERM.
//! `--demo` seeds the sample cases and one account per role.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::{Shared, auth, files, forms, jobs, pages, reports};
use crate::accounts::ROLES;
use crate::app::{App, Config};
use crate::error::{Error, Result};

/// How `hoso serve` runs.
#[derive(Debug, Clone)]
pub struct Options {
    pub config: Config,
    pub listen: SocketAddr,
    /// Seed the sample cases and demo accounts into the (new) database.
    pub demo: bool,
    /// Mark cookies Secure: the server is reached over TLS (a reverse proxy).
    pub secure: bool,
    /// Where the sample data is (extracted from the binary when `None`).
    pub samples: Option<PathBuf>,
    /// The provinces' địa bàn files, for the reports page.
    pub dia_ban: Vec<PathBuf>,
}

/// A form's body: a step's inputs and document data stay far below this.
pub const LIMIT_FORM: usize = 1024 * 1024;
/// An uploaded attachment (the web's bound; the hồ sơ's own limits apply after it).
pub const LIMIT_UPLOAD: usize = 20 * 1024 * 1024;

const CSS: &str = include_str!("hoso.css");

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Headers every response carries. A PDF may be shown inside our own pages (the draft
/// preview); nothing else may be framed at all.
async fn security_headers(mut r: Response) -> Response {
    let pdf = r
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/pdf"));
    let frame = if pdf { "'self'" } else { "'none'" };
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         object-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors {frame}"
    )) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !pdf {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}

/// Every route of the application.
pub fn router(shared: Shared) -> Router {
    let upload = Router::new()
        .route("/ho-so/{case}/dinh-kem", post(files::attach))
        .route(
            "/ho-so/{case}/van-ban/{doc}/ban-hanh-tu-tep",
            post(files::issue_from_file),
        )
        .route(
            "/luu-tru",
            get(files::archives_page).post(files::check_archive),
        )
        .layer(DefaultBodyLimit::max(LIMIT_UPLOAD));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/static/hoso.css", get(css))
        .route("/dang-nhap", get(auth::login_page).post(auth::login))
        .route("/dang-xuat", post(auth::logout))
        .route(
            "/mat-khau",
            get(auth::password_page).post(auth::change_password),
        )
        .route(
            "/tai-khoan",
            get(auth::accounts_page).post(auth::add_account),
        )
        .route("/tai-khoan/khoa", post(auth::disable_account))
        .route("/tai-khoan/dat-lai-mat-khau", post(auth::reset_password))
        .route("/", get(pages::my_work))
        .route("/ho-so", get(pages::cases))
        .route(
            "/ho-so/moi",
            get(forms::new_case_form).post(forms::new_case_submit),
        )
        .route("/ho-so/{case}", get(pages::case))
        .route("/ho-so/{case}/so-do", get(pages::diagram))
        // The step form may carry attachments: its body is bounded as an upload, its text
        // as a form (files::read_form).
        .route(
            "/ho-so/{case}/buoc/{step}",
            get(forms::step_form)
                .post(forms::step_submit)
                .layer(DefaultBodyLimit::max(LIMIT_UPLOAD)),
        )
        .route("/ho-so/{case}/van-ban/{doc}", get(pages::document))
        .route(
            "/ho-so/{case}/van-ban/{doc}/du-thao.pdf",
            get(files::draft_pdf),
        )
        .route(
            "/ho-so/{case}/van-ban/{doc}/du-thao.docx",
            get(files::draft_docx),
        )
        .route("/ho-so/{case}/van-ban/{doc}/duyet", post(pages::approve))
        .route("/ho-so/{case}/van-ban/{doc}/ban-hanh", post(pages::issue))
        .route("/ho-so/{case}/tep", get(files::case_file))
        .route("/ho-so/{case}/luu-tru.zip", get(files::archive))
        .route("/ho-so/{case}/luu-tru", post(jobs::start_archive))
        .route("/viec/{job}", get(jobs::job_page))
        .route("/viec/{job}/tep", get(jobs::job_file))
        .route("/so-dang-ky", get(pages::book))
        .route("/bao-cao", get(reports::page))
        .route("/bao-cao.xlsx", get(reports::xlsx))
        .route("/so-dang-ky.csv", get(files::book_csv))
        .layer(DefaultBodyLimit::max(LIMIT_FORM))
        .merge(upload)
        .fallback(pages::not_found)
        .layer(axum::middleware::map_response(security_headers))
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(
                    tower_http::trace::DefaultMakeSpan::new().level(tracing::Level::INFO),
                )
                .on_response(
                    tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO),
                ),
        )
        .with_state(shared)
}

/// A demo account: its role, login and password (printed once).
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub role: String,
    pub login: String,
    pub password: String,
}

/// Seeds the sample cases into a new database and makes one account per role in the samples'
/// agency; returns the accounts with their passwords.
pub fn seed_demo(config: &Config, samples: &std::path::Path) -> Result<Vec<DemoAccount>> {
    let mut app = App::new(config.clone());
    if !app.cases()?.is_empty() {
        return Err(Error::Invalid(format!(
            "{}: --demo gieo hồ sơ mẫu vào một cơ sở dữ liệu mới; cơ sở dữ liệu này đã có hồ sơ",
            config.db
        )));
    }
    crate::demo::seed(&mut app, samples)?;
    let mut out = Vec::new();
    for (role, title) in ROLES {
        let login = format!("demo-{role}");
        let password = crate::accounts::random_hex(8)?;
        let agency = if *role == "quan-tri" {
            crate::accounts::CENTRAL
        } else {
            crate::demo::DEMO_AGENCY
        };
        let name = title.split(" (").next().unwrap_or(role);
        app.add_account(&login, &format!("{name} (demo)"), role, agency, &password)?;
        out.push(DemoAccount {
            role: role.to_string(),
            login,
            password,
        });
    }
    Ok(out)
}

/// The server's runtime. Every App call runs on a blocking thread; their number is bounded
/// so that a crowd of requests queues rather than growing the process (each thread keeps its
/// own allocator arena).
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(MAX_BLOCKING)
        .build()
        .map_err(|e| Error::Invalid(format!("không khởi động được máy chủ: {e}")))
}

/// Blocking threads for App calls at once.
const MAX_BLOCKING: usize = 16;

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("đang dừng: chờ các yêu cầu đang chạy xong");
}

/// Runs the server until Ctrl-C or SIGTERM. `ready` is told the address it listens on (and,
/// with `--demo`, the demo accounts) once it accepts connections.
pub fn serve(opts: Options, ready: impl FnOnce(SocketAddr, &[DemoAccount])) -> Result<()> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HOSO_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    // The samples prefill document data; extracted for this run when none were given, and
    // removed when it ends.
    let (samples, extracted) = match &opts.samples {
        Some(s) => (s.clone(), None),
        None => {
            let dir = std::env::temp_dir().join(format!(
                "hoso-mau-{}-{}",
                std::process::id(),
                crate::accounts::random_hex(4)?
            ));
            (crate::demo::extract_samples(&dir)?, Some(dir))
        }
    };
    let demo_accounts = if opts.demo {
        seed_demo(&opts.config, &samples)?
    } else {
        Vec::new()
    };
    let mut shared = Shared::new(opts.config.clone(), Some(samples), opts.secure)?;
    if !opts.dia_ban.is_empty() {
        shared = shared.with_dia_ban(crate::report::dia_ban::DiaBan::load(&opts.dia_ban)?);
    }
    let runtime = runtime()?;
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.listen)
            .await
            .map_err(|e| Error::Invalid(format!("--listen {}: {e}", opts.listen)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Invalid(format!("--listen {}: {e}", opts.listen)))?;
        ready(addr, &demo_accounts);
        axum::serve(listener, router(shared))
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(|e| Error::Invalid(format!("máy chủ dừng vì lỗi: {e}")))
    });
    if let Some(dir) = extracted {
        let _ = std::fs::remove_dir_all(dir);
    }
    served
}
