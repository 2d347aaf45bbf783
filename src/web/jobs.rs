//! Long work in the background, with its progress on a page: archiving a big case compresses
//! every file of the hồ sơ, which can take a while. The request that asks for it answers at
//! once with a page that shows a progress bar and reloads itself each second (a meta refresh:
//! no script) until the file is ready to download. The work runs as any heavy work does (at
//! most one per core), so pages stay quick meanwhile. A job is its owner's only, and is
//! forgotten [`KEEP`] after it ends.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use super::auth::{CSRF_FIELD, Fields, User, field};
use super::pages::{case_for, layout_refreshing};
use super::{Shared, WebError};

/// How long a finished job's file is kept for its owner to download.
pub const KEEP: Duration = Duration::from_secs(10 * 60);
/// Jobs kept at once (running or finished); the oldest finished goes first.
const MAX_JOBS: usize = 16;

/// One piece of long work.
pub struct Job {
    owner: String,
    case: String,
    started: Instant,
    done: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
    /// When it ended, and how; `None` while it runs.
    outcome: Option<(Instant, Outcome)>,
}

/// The file long work made, or what went wrong.
type Outcome = Result<Arc<Vec<u8>>, String>;

#[derive(Default)]
pub struct Jobs(HashMap<String, Job>);

impl Jobs {
    /// Forgets jobs finished longer than [`KEEP`] ago, and the oldest finished ones beyond
    /// [`MAX_JOBS`]; refuses a new one when that many still run.
    fn make_room(&mut self) -> Result<(), WebError> {
        self.0
            .retain(|_, j| j.outcome.as_ref().is_none_or(|(t, _)| t.elapsed() < KEEP));
        while self.0.len() >= MAX_JOBS {
            let oldest = self
                .0
                .iter()
                .filter_map(|(id, j)| j.outcome.as_ref().map(|(t, _)| (*t, id.clone())))
                .min();
            match oldest {
                Some((_, id)) => {
                    self.0.remove(&id);
                }
                None => {
                    return Err(WebError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "Máy chủ đang lập nhiều hồ sơ lưu trữ; thử lại sau ít phút.",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The lưu trữ asks for a case's archive: the work starts, the answer is its progress page.
pub async fn start_archive(
    State(state): State<Shared>,
    user: User,
    Path(id): Path<String>,
    axum::Form(fields): axum::Form<Fields>,
) -> Result<Response, WebError> {
    user.check_csrf(field(&fields, CSRF_FIELD))?;
    user.require("luu-tru", "lập hồ sơ lưu trữ")?;
    case_for(&state, &user, &id).await?;
    let job = crate::accounts::random_hex(16).map_err(WebError::from)?;
    let (done, total) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    {
        let mut jobs = state.jobs.lock().map_err(|_| poisoned())?;
        jobs.make_room()?;
        jobs.0.insert(
            job.clone(),
            Job {
                owner: user.login().to_string(),
                case: id.clone(),
                started: Instant::now(),
                done: done.clone(),
                total: total.clone(),
                outcome: None,
            },
        );
    }
    let (s, j) = (state.clone(), job.clone());
    tokio::spawn(async move {
        let report = move |d: u64, t: u64| {
            total.store(t, Ordering::Relaxed);
            done.store(d, Ordering::Relaxed);
        };
        let outcome = s
            .run_heavy(None, move |app| app.archive_reporting(&id, &report))
            .await
            .map(Arc::new)
            .map_err(|e| e.message);
        if let Ok(mut jobs) = s.jobs.lock()
            && let Some(job) = jobs.0.get_mut(&j)
        {
            job.outcome = Some((Instant::now(), outcome));
        }
    });
    Ok(Redirect::to(&format!("/viec/{job}")).into_response())
}

/// A size in MB with one decimal, written the Vietnamese way ("0,9 MB").
fn mb(n: u64) -> String {
    format!("{:.1} MB", n as f64 / 1_000_000.0).replace('.', ",")
}

fn poisoned() -> WebError {
    WebError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Máy chủ gặp lỗi; thử lại.",
    )
}

/// What a job's page needs, read under the lock.
enum Seen {
    Running {
        case: String,
        done: u64,
        total: u64,
        secs: u64,
    },
    Ready {
        case: String,
        bytes: usize,
    },
    Failed {
        case: String,
        message: String,
    },
}

fn look(state: &Shared, user: &User, job: &str) -> Result<Seen, WebError> {
    let jobs = state.jobs.lock().map_err(|_| poisoned())?;
    let j = jobs
        .0
        .get(job)
        .filter(|j| j.owner == user.account.login)
        .ok_or_else(|| {
            WebError::new(
                StatusCode::NOT_FOUND,
                "Không có việc này (đã quá 10 phút, hoặc không phải của bạn).",
            )
        })?;
    Ok(match &j.outcome {
        None => Seen::Running {
            case: j.case.clone(),
            done: j.done.load(Ordering::Relaxed),
            total: j.total.load(Ordering::Relaxed),
            secs: j.started.elapsed().as_secs(),
        },
        Some((_, Ok(b))) => Seen::Ready {
            case: j.case.clone(),
            bytes: b.len(),
        },
        Some((_, Err(m))) => Seen::Failed {
            case: j.case.clone(),
            message: m.clone(),
        },
    })
}

/// A job's page: its progress while it runs (reloading itself), then the download.
pub async fn job_page(
    State(state): State<Shared>,
    user: User,
    Path(job): Path<String>,
) -> Result<Response, WebError> {
    let seen = look(&state, &user, &job)?;
    let title = "Lập hồ sơ lưu trữ";
    let back = |case: &str| html! { p { a href={ "/ho-so/" (case) } { "← Hồ sơ " (case) } } };
    let page = match seen {
        Seen::Running {
            case,
            done,
            total,
            secs,
        } => {
            let percent = (done * 100).checked_div(total).unwrap_or(0);
            layout_refreshing(
                Some(&user),
                title,
                Some(1),
                html! {
                    (back(&case))
                    p id="tien-do" role="status" {
                        "Đang lập hồ sơ lưu trữ " (case) ": " (percent) "% ("
                        (mb(done)) " / " (mb(total))
                        ", " (secs) " giây). Trang tự tải lại; bạn có thể làm việc khác và quay lại đây."
                    }
                    progress max=(total.max(1)) value=(done) aria-labelledby="tien-do" { (percent) "%" }
                },
            )
        }
        Seen::Ready { case, bytes } => layout_refreshing(
            Some(&user),
            title,
            None,
            html! {
                (back(&case))
                p id="tien-do" role="status" { "Đã lập xong hồ sơ lưu trữ " (case) " (" (mb(bytes as u64)) ")." }
                progress max="1" value="1" aria-labelledby="tien-do" { "100%" }
                p { a.button href={ "/viec/" (job) "/tep" } { "Tải hồ sơ lưu trữ (BagIt, ZIP)" } }
                p { small { "Tệp được giữ 10 phút." } }
            },
        ),
        Seen::Failed { case, message } => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                layout_refreshing(
                    Some(&user),
                    title,
                    None,
                    html! {
                        (back(&case))
                        p.error id="loi" role="alert" { "Không lập được hồ sơ lưu trữ " (case) ": " (message) }
                    },
                ),
            )
                .into_response());
        }
    };
    Ok(page.into_response())
}

/// The file a finished job made.
pub async fn job_file(
    State(state): State<Shared>,
    user: User,
    Path(job): Path<String>,
) -> Result<Response, WebError> {
    look(&state, &user, &job)?;
    let (case, bytes) = {
        let jobs = state.jobs.lock().map_err(|_| poisoned())?;
        match jobs
            .0
            .get(&job)
            .and_then(|j| Some((j, j.outcome.as_ref()?)))
        {
            Some((j, (_, Ok(b)))) => (j.case.clone(), b.clone()),
            _ => {
                return Err(WebError::new(
                    StatusCode::CONFLICT,
                    "Hồ sơ lưu trữ chưa lập xong.",
                ));
            }
        }
    };
    Ok(super::files::download(
        bytes.to_vec(),
        "application/zip",
        &format!("{case}-luu-tru.zip"),
        false,
    ))
}
