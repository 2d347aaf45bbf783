//! Who is asking: the session cookie (HttpOnly, SameSite=Strict, Secure behind TLS) resolved
//! through the store, the CSRF token every form carries, the role a page needs, and the
//! agencies a person may see. Login, logout and the password change live here too.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::{Shared, WebError, pages};
use crate::accounts::{self, Login, SESSION_SECONDS};
use crate::store::Account;

const COOKIE: &str = "hoso_phien";

/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf";

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The session token from the request's cookies.
fn token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn cookie(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A person with an open session.
#[derive(Debug, Clone)]
pub struct User {
    pub account: Account,
    pub csrf: String,
    token: String,
}

impl User {
    pub fn login(&self) -> &str {
        &self.account.login
    }

    /// Refuses a person whose role is not `role`, saying what they tried.
    pub fn require(&self, role: &str, what: &str) -> Result<(), WebError> {
        if self.account.role == role {
            Ok(())
        } else {
            Err(WebError::forbidden(what))
        }
    }

    pub fn is(&self, role: &str) -> bool {
        self.account.role == role
    }

    /// Whether a case of `agency` is this person's to see.
    pub fn sees(&self, agency: &str) -> bool {
        accounts::within(&self.account.agency, agency)
    }

    /// Refuses a form whose CSRF token is missing or not this session's.
    pub fn check_csrf(&self, given: Option<&str>) -> Result<(), WebError> {
        let ok = given.is_some_and(|g| {
            g.len() == self.csrf.len()
                && g.bytes()
                    .zip(self.csrf.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        });
        if ok {
            Ok(())
        } else {
            Err(WebError::new(
                StatusCode::FORBIDDEN,
                "Biểu mẫu không còn hợp lệ (thiếu mã chống giả mạo hoặc phiên đã đổi); tải lại \
                 trang rồi làm lại.",
            ))
        }
    }
}

/// Anonymous requests go to the login page.
impl FromRequestParts<Shared> for User {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<User, Response> {
        let Some(token) = token(&parts.headers) else {
            return Err(Redirect::to("/dang-nhap").into_response());
        };
        let t = token.clone();
        match state.run(None, move |app| app.session(&t, now())).await {
            Ok(Some((account, csrf))) => Ok(User {
                account,
                csrf,
                token,
            }),
            Ok(None) => Err(Redirect::to("/dang-nhap").into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// A form's fields, in order (a step form's names are its inputs').
pub type Fields = Vec<(String, String)>;

pub fn field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub async fn login_page() -> Response {
    pages::login(None, "").into_response()
}

/// Logging in needs no CSRF token (there is no session yet); the cookie is SameSite=Strict, so
/// another site cannot post a session into the browser.
pub async fn login(
    State(state): State<Shared>,
    axum::Form(fields): axum::Form<Fields>,
) -> Result<Response, WebError> {
    let login = field(&fields, "dang_nhap")
        .unwrap_or_default()
        .trim()
        .to_string();
    let password = field(&fields, "mat_khau").unwrap_or_default().to_string();
    let l = login.clone();
    let outcome = state
        .run(None, move |app| app.login(&l, &password, now()))
        .await?;
    Ok(match outcome {
        Login::Ok(session) => {
            let mut r = Redirect::to("/").into_response();
            r.headers_mut().insert(
                header::SET_COOKIE,
                cookie(&session.token, SESSION_SECONDS, state.secure),
            );
            r
        }
        Login::Wrong => (
            StatusCode::UNAUTHORIZED,
            pages::login(Some("Tên đăng nhập hoặc mật khẩu không đúng."), &login),
        )
            .into_response(),
        Login::Locked => (
            StatusCode::TOO_MANY_REQUESTS,
            pages::login(
                Some(&format!(
                    "Đăng nhập sai quá {} lần trong {} phút: tài khoản tạm khóa, thử lại sau.",
                    accounts::MAX_FAILURES,
                    accounts::FAILURE_WINDOW / 60
                )),
                &login,
            ),
        )
            .into_response(),
    })
}

pub async fn logout(
    State(state): State<Shared>,
    user: User,
    axum::Form(fields): axum::Form<Fields>,
) -> Result<Response, WebError> {
    user.check_csrf(field(&fields, CSRF_FIELD))?;
    let token = user.token.clone();
    state.run(None, move |app| app.logout(&token)).await?;
    let mut r = Redirect::to("/dang-nhap").into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, cookie("", 0, state.secure));
    Ok(r)
}

pub async fn password_page(user: User) -> Response {
    pages::password(&user, None).into_response()
}

/// Changing the password ends every session of the account, this one included.
pub async fn change_password(
    State(state): State<Shared>,
    user: User,
    axum::Form(fields): axum::Form<Fields>,
) -> Result<Response, WebError> {
    user.check_csrf(field(&fields, CSRF_FIELD))?;
    let current = field(&fields, "mat_khau_cu")
        .unwrap_or_default()
        .to_string();
    let new = field(&fields, "mat_khau_moi")
        .unwrap_or_default()
        .to_string();
    let again = field(&fields, "nhap_lai").unwrap_or_default();
    if new != again {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::password(&user, Some("Mật khẩu mới nhập lại không khớp.")),
        )
            .into_response());
    }
    let login = user.login().to_string();
    match state
        .run(None, move |app| app.change_password(&login, &current, &new))
        .await
    {
        Ok(()) => {
            let mut r = Redirect::to("/dang-nhap").into_response();
            r.headers_mut()
                .insert(header::SET_COOKIE, cookie("", 0, state.secure));
            Ok(r)
        }
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            Ok((e.status, pages::password(&user, Some(&e.message))).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The accounts (quản trị): who they are, their roles and agencies.
pub async fn accounts_page(State(state): State<Shared>, user: User) -> Result<Response, WebError> {
    accounts_reply(&state, &user, None, &Vec::new(), None).await
}

async fn accounts_reply(
    state: &Shared,
    user: &User,
    error: Option<WebError>,
    typed: &Fields,
    reset: Option<(&str, &str)>,
) -> Result<Response, WebError> {
    user.require("quan-tri", "quản lý tài khoản")?;
    let mut list = state.run(None, |app| app.accounts()).await?;
    list.retain(|a| user.sees(&a.agency));
    let status = error.as_ref().map_or(StatusCode::OK, |e| e.status);
    let message = error.as_ref().map(|e| e.message.as_str());
    Ok((status, pages::accounts(user, &list, message, typed, reset)).into_response())
}

/// After a change of accounts: the list again, with the reason when it was refused.
async fn accounts_after(
    state: &Shared,
    user: &User,
    outcome: Result<(), WebError>,
    typed: &Fields,
) -> Result<Response, WebError> {
    match outcome {
        Ok(()) => Ok(Redirect::to("/tai-khoan").into_response()),
        Err(e) if e.status == StatusCode::INTERNAL_SERVER_ERROR => Err(e),
        Err(e) => accounts_reply(state, user, Some(e), typed, None).await,
    }
}

/// An account of the quản trị's agencies other than their own, or `NOT_FOUND` alike for one
/// outside them and one that does not exist.
async fn account_in_reach(
    state: &Shared,
    user: &User,
    login: &str,
) -> Result<crate::store::Account, WebError> {
    let l = login.to_string();
    match state.run(None, move |app| app.account(&l)).await? {
        Some(a) if user.sees(&a.agency) && a.login != user.account.login => Ok(a),
        _ => Err(WebError::new(
            StatusCode::NOT_FOUND,
            format!("Không có tài khoản `{login}` trong phạm vi của bạn."),
        )),
    }
}

/// A quản trị sets a new random password for an account of their agencies (a person who
/// forgot theirs): every session of the account ends, and the password is shown once, on this
/// answer only (never stored in clear, never in a URL); the person changes it after logging in.
pub async fn reset_password(
    State(state): State<Shared>,
    user: User,
    axum::Form(fields): axum::Form<Fields>,
) -> Result<Response, WebError> {
    user.check_csrf(field(&fields, CSRF_FIELD))?;
    user.require("quan-tri", "quản lý tài khoản")?;
    let login = field(&fields, "dang_nhap").unwrap_or_default().to_string();
    let outcome = match account_in_reach(&state, &user, &login).await {
        Ok(_) => {
            let l = login.clone();
            state
                .run(None, move |app| {
                    let password = accounts::random_hex(8)?;
                    app.set_password(&l, &password)?;
                    Ok(password)
                })
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(password) => {
            tracing::info!("{} đặt lại mật khẩu tài khoản {login}", user.account.login);
            accounts_reply(&state, &user, None, &Vec::new(), Some((&login, &password))).await
        }
        Err(e) if e.status == StatusCode::INTERNAL_SERVER_ERROR => Err(e),
        Err(e) => accounts_reply(&state, &user, Some(e), &Vec::new(), None).await,
    }
}

/// A quản trị adds an account in their own agency or one below it.
pub async fn add_account(
    State(state): State<Shared>,
    user: User,
    axum::Form(fields): axum::Form<Fields>,
) -> Result<Response, WebError> {
    user.check_csrf(field(&fields, CSRF_FIELD))?;
    user.require("quan-tri", "quản lý tài khoản")?;
    let get = |k: &str| field(&fields, k).unwrap_or_default().trim().to_string();
    let (login, name, role, agency) = (
        get("dang_nhap"),
        get("ho_ten"),
        get("vai_tro"),
        get("co_quan"),
    );
    let password = field(&fields, "mat_khau").unwrap_or_default().to_string();
    let outcome = if user.sees(&agency) {
        state
            .run(None, move |app| {
                app.add_account(&login, &name, &role, &agency, &password)
                    .map(|_| ())
            })
            .await
    } else {
        Err(WebError::new(
            StatusCode::FORBIDDEN,
            format!(
                "Cơ quan `{agency}` không thuộc phạm vi {} của bạn.",
                user.account.agency
            ),
        ))
    };
    // The password is never sent back into the form.
    let typed: Fields = fields
        .into_iter()
        .filter(|(k, _)| k != "mat_khau")
        .collect();
    accounts_after(&state, &user, outcome, &typed).await
}

/// A quản trị locks an account of their agencies; its sessions end.
pub async fn disable_account(
    State(state): State<Shared>,
    user: User,
    axum::Form(fields): axum::Form<Fields>,
) -> Result<Response, WebError> {
    user.check_csrf(field(&fields, CSRF_FIELD))?;
    user.require("quan-tri", "quản lý tài khoản")?;
    let login = field(&fields, "dang_nhap").unwrap_or_default().to_string();
    let outcome = match account_in_reach(&state, &user, &login).await {
        Ok(_) => {
            state
                .run(None, move |app| app.disable_account(&login))
                .await
        }
        Err(e) => Err(e),
    };
    accounts_after(&state, &user, outcome, &Vec::new()).await
}
