//! The web application at the HTTP level, in process (the axum router driven with
//! `tower::ServiceExt::oneshot`) on a database seeded as `hoso serve --demo` seeds it: each
//! route for anonymous, wrong-role and right-role people; agency scoping by URL; CSRF; sessions
//! ending at logout, password change and a quản trị's reset; the login rate limit; headers;
//! bounded uploads; the step form's typed fields, refusal and correction, and attachments;
//! approve then issue; two clerks on one step, two văn thư on one draft; the hồ sơ checklist;
//! the procedure's diagram; the skip link; archiving in the background.

mod common;

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use hoso::App;
use hoso::app::Config;
use hoso::web::{Shared, router, seed_demo};

/// The Kon Tum "Camera an ninh" case (the samples' first opened), agency kon-tum/dak-mar.
const CASE: &str = "C0001";

struct Site {
    router: Router,
    passwords: HashMap<String, String>,
    config: Config,
    _dir: tempfile::TempDir,
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

/// A logged-in browser: its cookie and the CSRF token of its session.
struct Session {
    cookie: String,
    csrf: String,
}

fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let samples = hoso::demo::extract_samples(&dir.path().join("mau")).unwrap();
    let config = Config {
        templates: None,
        workflows: None,
        db: dir.path().join("hoso.db").into(),
    };
    let accounts = seed_demo(&config, &samples).unwrap();
    let mut app = App::new(config.clone());
    app.add_account(
        "can-bo-dak-ha",
        "Cán bộ xã Đắk Hà",
        "can-bo",
        "kon-tum/dak-ha",
        "mat-khau-dak-ha",
    )
    .unwrap();
    let mut passwords: HashMap<String, String> = accounts
        .into_iter()
        .map(|a| (a.login, a.password))
        .collect();
    passwords.insert("can-bo-dak-ha".into(), "mat-khau-dak-ha".into());
    // A province's leader, who reads the province's reports.
    app.add_account(
        "lanh-dao-tinh",
        "Lãnh đạo Công an tỉnh",
        "lanh-dao",
        "kon-tum",
        "mat-khau-tinh",
    )
    .unwrap();
    passwords.insert("lanh-dao-tinh".into(), "mat-khau-tinh".into());
    let dia_ban = dir.path().join("kon-tum.yaml");
    std::fs::write(
        &dia_ban,
        "province: kon-tum\nname: tỉnh Kon Tum\nunits:\n  \
         - {id: dak-ha, name: huyện Đăk Hà, level: huyen, until: 2025-06-30}\n  \
         - {id: ngoc-hoi, name: huyện Ngọc Hồi, level: huyen, until: 2025-06-30}\n  \
         - {id: dak-mar, name: xã Đắk Mar, level: xa, parent: dak-ha, until: 2025-06-30}\n",
    )
    .unwrap();
    let shared = Shared::new(config.clone(), Some(samples), false)
        .unwrap()
        .with_dia_ban(hoso::report::dia_ban::DiaBan::load(&[dia_ban]).unwrap());
    Site {
        router: router(shared),
        passwords,
        config,
        _dir: dir,
    }
}

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Site {
    async fn send(&self, req: Request<Body>) -> Reply {
        let r = self.router.clone().oneshot(req).await.unwrap();
        let status = r.status();
        let headers = r.headers().clone();
        let bytes = r.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// The raw bytes of a download.
    async fn get_bytes(&self, path: &str, s: Option<&Session>) -> Vec<u8> {
        let mut b = Request::get(path);
        if let Some(s) = s {
            b = b.header(header::COOKIE, &s.cookie);
        }
        let r = self
            .router
            .clone()
            .oneshot(b.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.into_body().collect().await.unwrap().to_bytes().to_vec()
    }

    async fn get(&self, path: &str, s: Option<&Session>) -> Reply {
        let mut b = Request::get(path);
        if let Some(s) = s {
            b = b.header(header::COOKIE, &s.cookie);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    async fn post(&self, path: &str, s: Option<&Session>, body: String) -> Reply {
        let mut b =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(s) = s {
            b = b.header(header::COOKIE, &s.cookie);
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    /// Posts a form with the session's CSRF token.
    async fn submit(&self, path: &str, s: &Session, fields: &[(&str, &str)]) -> Reply {
        let mut all = vec![("csrf", s.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(path, Some(s), form(&all)).await
    }

    async fn try_login(&self, login: &str, password: &str) -> Reply {
        self.post(
            "/dang-nhap",
            None,
            form(&[("dang_nhap", login), ("mat_khau", password)]),
        )
        .await
    }

    async fn login(&self, login: &str) -> Session {
        let r = self.try_login(login, &self.passwords[login]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let set = r.headers[header::SET_COOKIE].to_str().unwrap();
        for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(set.contains(part), "{set}");
        }
        let cookie = set.split(';').next().unwrap().to_string();
        let page = self
            .get(
                "/",
                Some(&Session {
                    cookie: cookie.clone(),
                    csrf: String::new(),
                }),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let csrf = page
            .body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_string();
        Session { cookie, csrf }
    }
}

/// Text of an HTML attribute or element, unescaped.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// An attribute of a tag's text (`<input name="x" value="y"`).
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let rest = tag.split(&key).nth(1)?;
    Some(unescape(rest.split('"').next()?))
}

/// Every field a browser would post from the page's forms (text inputs, ticked boxes,
/// textareas, the selected option of each select), in order; buttons are left out.
fn form_values(body: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let tag = rest.split('>').next().unwrap_or_default();
        let tag = format!(" {tag}");
        if rest.starts_with("input ") {
            let ty = attr(&tag, "type").unwrap_or_default();
            let Some(name) = attr(&tag, "name") else {
                continue;
            };
            if ty == "checkbox" && !tag.contains(" checked") {
                continue;
            }
            if ty == "file" || ty == "submit" {
                continue;
            }
            out.push((name, attr(&tag, "value").unwrap_or_default()));
        } else if rest.starts_with("textarea ") {
            let name = attr(&tag, "name").unwrap();
            let text = rest
                .split_once('>')
                .unwrap()
                .1
                .split("</textarea>")
                .next()
                .unwrap();
            out.push((name, unescape(text)));
        } else if rest.starts_with("select ") {
            let name = attr(&tag, "name").unwrap();
            let options = rest.split("</select>").next().unwrap();
            let chosen = options
                .split("<option ")
                .skip(1)
                .find(|o| o.split('>').next().unwrap().contains(" selected"))
                .or_else(|| options.split("<option ").nth(1))
                .and_then(|o| attr(&format!(" {o}"), "value"))
                .unwrap_or_default();
            out.push((name, chosen));
        }
    }
    out
}

/// The document data of a step's form as prefilled (everything but the date, the step's own
/// inputs and the CSRF token, which each test gives).
async fn step_fields(site: &Site, s: &Session, step: &str) -> Vec<(String, String)> {
    let page = site
        .get(&format!("/ho-so/{CASE}/buoc/{step}"), Some(s))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let form = page.body.split("<form class=\"card step\"").nth(1).unwrap();
    form_values(form.split("</form>").next().unwrap())
        .into_iter()
        .filter(|(k, _)| k != "csrf" && k != "ngay" && !k.starts_with("nhap."))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_assets_and_security_headers() {
    let site = site();
    let r = site.get("/healthz", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let css = site.get("/static/hoso.css", None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let s = site.login("demo-can-bo").await;
    for r in [
        site.get("/", Some(&s)).await,
        site.get("/dang-nhap", None).await,
    ] {
        let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(r.headers.contains_key(header::REFERRER_POLICY));
        assert!(!r.body.contains("<script"), "no inline script");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_people_are_sent_to_login() {
    let site = site();
    for path in [
        "/",
        "/ho-so",
        &format!("/ho-so/{CASE}"),
        &format!("/ho-so/{CASE}/buoc/de-nghi-xep-loai"),
        &format!("/ho-so/{CASE}/luu-tru.zip"),
        &format!("/ho-so/{CASE}/tep?ten=x"),
        "/so-dang-ky",
        "/so-dang-ky.csv",
        "/tai-khoan",
        "/mat-khau",
    ] {
        let r = site.get(path, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.headers[header::LOCATION], "/dang-nhap", "{path}");
    }
    for path in [
        &format!("/ho-so/{CASE}/buoc/de-nghi-xep-loai"),
        "/dang-xuat",
        &format!("/ho-so/{CASE}/van-ban/x/ban-hanh"),
    ] {
        let r = site.post(path, None, String::new()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
    }
    let r = site.get("/khong-co", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A forged cookie is no session.
    let forged = Session {
        cookie: format!("hoso_phien={}", "a".repeat(64)),
        csrf: String::new(),
    };
    assert_eq!(
        site.get("/", Some(&forged)).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_reaches_its_own_pages_only() {
    let site = site();
    let can_bo = site.login("demo-can-bo").await;
    let lanh_dao = site.login("demo-lanh-dao").await;
    let van_thu = site.login("demo-van-thu").await;
    let luu_tru = site.login("demo-luu-tru").await;
    let quan_tri = site.login("demo-quan-tri").await;
    let step = format!("/ho-so/{CASE}/buoc/de-nghi-xep-loai");
    let archive = format!("/ho-so/{CASE}/luu-tru.zip");
    let cases: [(&Session, &str, StatusCode); 16] = [
        (&can_bo, "/", StatusCode::OK),
        (&can_bo, "/ho-so", StatusCode::OK),
        (&can_bo, &format!("/ho-so/{CASE}"), StatusCode::OK),
        (&can_bo, &step, StatusCode::OK),
        (&lanh_dao, &step, StatusCode::FORBIDDEN),
        (&van_thu, &step, StatusCode::FORBIDDEN),
        (&can_bo, "/so-dang-ky", StatusCode::FORBIDDEN),
        (&van_thu, "/so-dang-ky", StatusCode::OK),
        (&van_thu, "/so-dang-ky.csv", StatusCode::OK),
        (&lanh_dao, "/so-dang-ky", StatusCode::OK),
        (&can_bo, &archive, StatusCode::FORBIDDEN),
        (&van_thu, &archive, StatusCode::FORBIDDEN),
        (&luu_tru, &archive, StatusCode::OK),
        (&can_bo, "/tai-khoan", StatusCode::FORBIDDEN),
        (&quan_tri, "/tai-khoan", StatusCode::OK),
        (&quan_tri, "/mat-khau", StatusCode::OK),
    ];
    for (s, path, want) in cases {
        let r = site.get(path, Some(s)).await;
        assert_eq!(
            r.status,
            want,
            "{path}: {}",
            &r.body[..r.body.len().min(400)]
        );
    }
    let zip = site.get(&archive, Some(&luu_tru)).await;
    assert_eq!(zip.headers[header::CONTENT_TYPE], "application/zip");
    let csv = site.get("/so-dang-ky.csv?nam=2023", Some(&van_thu)).await;
    assert!(csv.body.contains("QĐ-UBND"), "{}", csv.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_communes_case_is_out_of_reach_by_url() {
    let site = site();
    let other = site.login("can-bo-dak-ha").await;
    let own = site.login("demo-can-bo").await;
    let page = site.get(&format!("/ho-so/{CASE}"), Some(&own)).await;
    let doc = page
        .body
        .split(&format!("/ho-so/{CASE}/van-ban/"))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let file = page
        .body
        .split(&format!("/ho-so/{CASE}/tep?ten="))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    for path in [
        format!("/ho-so/{CASE}"),
        format!("/ho-so/{CASE}/buoc/de-nghi-xep-loai"),
        format!("/ho-so/{CASE}/van-ban/{doc}"),
        format!("/ho-so/{CASE}/van-ban/{doc}/du-thao.pdf"),
        format!("/ho-so/{CASE}/van-ban/{doc}/du-thao.docx"),
        format!("/ho-so/{CASE}/tep?ten={file}"),
    ] {
        assert_eq!(
            site.get(&path, Some(&own)).await.status,
            StatusCode::OK,
            "{path}"
        );
        let r = site.get(&path, Some(&other)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!r.body.contains("Camera an ninh"), "{path}");
    }
    let r = site
        .submit(
            &format!("/ho-so/{CASE}/buoc/de-nghi-xep-loai"),
            &other,
            &[("ngay", "03/11/2024"), ("nhap.ty_le_hoan_thanh", "92")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let list = site.get("/ho-so", Some(&other)).await;
    assert!(!list.body.contains(CASE), "{}", list.body);
    assert!(site.get("/ho-so", Some(&own)).await.body.contains(CASE));
    // Nor can a path-shaped id reach anything.
    let r = site
        .get("/ho-so/..%2F..%2Fetc/tep?ten=passwd", Some(&own))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_without_their_csrf_token_are_refused() {
    let site = site();
    let s = site.login("demo-can-bo").await;
    let step = format!("/ho-so/{CASE}/buoc/de-nghi-xep-loai");
    let fields = [("ngay", "03/11/2024"), ("nhap.ty_le_hoan_thanh", "92")];
    let r = site.post(&step, Some(&s), form(&fields)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut wrong = fields.to_vec();
    wrong.push(("csrf", "0000"));
    let r = site.post(&step, Some(&s), form(&wrong)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Another session's token is not this one's.
    let other = site.login("demo-can-bo").await;
    let mut foreign = fields.to_vec();
    foreign.push(("csrf", &other.csrf));
    let r = site.post(&step, Some(&s), form(&foreign)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        site.post("/dang-xuat", Some(&s), String::new())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Nothing was recorded: the case page shows no new draft.
    let page = site.get(&format!("/ho-so/{CASE}"), Some(&s)).await;
    assert!(!page.body.contains("to-trinh-de-nghi-xep-loai"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_at_logout_and_password_change() {
    let site = site();
    let s = site.login("demo-lanh-dao").await;
    assert_eq!(
        site.submit("/dang-xuat", &s, &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(site.get("/", Some(&s)).await.status, StatusCode::SEE_OTHER);

    let a = site.login("demo-van-thu").await;
    let b = site.login("demo-van-thu").await;
    let old = site.passwords["demo-van-thu"].clone();
    let r = site
        .submit(
            "/mat-khau",
            &a,
            &[
                ("mat_khau_cu", "sai-mat-khau"),
                ("mat_khau_moi", "mot-mat-khau-moi"),
                ("nhap_lai", "mot-mat-khau-moi"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("mật khẩu hiện tại không đúng"));
    let r = site
        .submit(
            "/mat-khau",
            &a,
            &[
                ("mat_khau_cu", &old),
                ("mat_khau_moi", "mot-mat-khau-moi"),
                ("nhap_lai", "mot-mat-khau-moi"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(site.get("/", Some(&a)).await.status, StatusCode::SEE_OTHER);
    assert_eq!(site.get("/", Some(&b)).await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        site.try_login("demo-van-thu", &old).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        site.try_login("demo-van-thu", "mot-mat-khau-moi")
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    // A disabled account's sessions end too.
    let c = site.login("demo-luu-tru").await;
    App::new(site.config.clone())
        .disable_account("demo-luu-tru")
        .unwrap();
    assert_eq!(site.get("/", Some(&c)).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_keeps_password_hashes_and_token_digests_only() {
    let site = site();
    let s = site.login("demo-can-bo").await;
    let token = s.cookie.strip_prefix("hoso_phien=").unwrap();
    let db = rusqlite::Connection::open(site.config.db.shown()).unwrap();
    let stored: Vec<String> = db
        .prepare("SELECT token_sha256 FROM sessions")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!stored.iter().any(|t| t == token));
    assert!(stored.contains(&hoso::fsutil::sha256_hex(token.as_bytes())));
    let hash: String = db
        .query_row(
            "SELECT hash FROM accounts WHERE login = 'demo-can-bo'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(&site.passwords["demo-can-bo"]));
}

/// A stored file damaged in the database is refused, not handed out as the hồ sơ's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_stored_file_is_not_downloaded() {
    let site = site();
    let own = site.login("demo-can-bo").await;
    let db = rusqlite::Connection::open(site.config.db.shown()).unwrap();
    let name: String = db
        .query_row(
            "SELECT name FROM files WHERE case_id = ?1 ORDER BY name LIMIT 1",
            [CASE],
            |r| r.get(0),
        )
        .unwrap();
    let path = format!("/ho-so/{CASE}/tep?ten={}", enc(&name));
    let sound = site.get_bytes(&path, Some(&own)).await;
    assert!(!sound.is_empty());
    db.execute(
        "UPDATE files SET bytes = CAST(X'00' || bytes AS BLOB) WHERE case_id = ?1 AND name = ?2",
        [CASE, &name],
    )
    .unwrap();
    let r = site.get(&path, Some(&own)).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!r.body.as_bytes().starts_with(b"%PDF"));
    let r = site
        .get(&format!("/ho-so/{CASE}/tep?ten=khong-co.pdf"), Some(&own))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_are_rate_limited() {
    let site = site();
    for _ in 0..5 {
        let r = site.try_login("demo-can-bo", "khong-dung-mat-khau").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.body.contains("không đúng"));
    }
    let right = site.passwords["demo-can-bo"].clone();
    let r = site.try_login("demo-can-bo", &right).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("tạm khóa"), "{}", r.body);
    // Another login is not locked by them.
    let r = site
        .try_login("demo-lanh-dao", &site.passwords["demo-lanh-dao"])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // A login that does not exist is answered like a wrong password.
    let r = site.try_login("khong-ai", "khong-dung-mat-khau").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_bounded() {
    let site = site();
    let s = site.login("demo-can-bo").await;
    let upload = |name: &str, size: usize| {
        let mut file = b"%PDF-1.7\n".to_vec();
        file.resize(size, b'x');
        multipart(
            &format!("/ho-so/{CASE}/dinh-kem"),
            &s,
            &[("muc", "3")],
            (name, &file),
        )
    };
    let r = site
        .send(upload(
            "bien-ban.pdf",
            hoso::web::server::LIMIT_UPLOAD + 1024,
        ))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    // A type the hồ sơ does not take, or a name that lies about its content, is refused.
    for name in ["trang.html", "chuong-trinh.exe", "bien-ban.docx"] {
        let r = site.send(upload(name, 2048)).await;
        assert_eq!(
            r.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{name}: {}",
            r.body
        );
    }
    let r = site.send(upload("bien-ban.pdf", 2048)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = site.get(&format!("/ho-so/{CASE}"), Some(&s)).await;
    assert!(page.body.contains("bien-ban.pdf"), "{}", page.body);
    // An ordinary form is bounded far lower.
    let big = "x".repeat(hoso::web::server::LIMIT_FORM + 1);
    let r = site
        .submit(
            &format!("/ho-so/{CASE}/buoc/de-nghi-xep-loai"),
            &s,
            &[("ngay", &big)],
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_refused_then_corrected_approved_and_issued() {
    let site = site();
    let can_bo = site.login("demo-can-bo").await;
    let step = format!("/ho-so/{CASE}/buoc/de-nghi-xep-loai");
    let docs = step_fields(&site, &can_bo, "de-nghi-xep-loai").await;
    assert!(
        docs.contains(&(
            "mau.to-trinh-de-nghi-xep-loai.de_nghi_xep_loai".into(),
            "Tốt".into()
        )),
        "{docs:?}"
    );
    let fill = |date: &'static str, rate: &'static str| {
        let mut f: Vec<(&str, &str)> = vec![("ngay", date), ("nhap.ty_le_hoan_thanh", rate)];
        f.extend(docs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        f
    };
    // A wrong number is named beside its field, and nothing typed is lost.
    let r = site
        .submit(&step, &can_bo, &fill("03/11/2023", "chín mươi"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("không phải số"), "{}", r.body);
    assert!(r.body.contains("value=\"chín mươi\""));
    // Before 10 months of activity the guard refuses, in Vietnamese, keeping the form.
    let r = site.submit(&step, &can_bo, &fill("03/11/2023", "92")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("chưa hoạt động đủ 10 tháng"), "{}", r.body);
    // The guard reads the step's date: its reason is beside the date, which corrects it.
    let beside = r.body.split("id=\"ngay\"").nth(1).unwrap();
    assert!(
        beside.split("<label").next().unwrap().contains("10 tháng"),
        "{beside}"
    );
    assert!(r.body.contains("value=\"03/11/2023\""));
    assert!(r.body.contains("value=\"92\""));
    assert!(r.body.contains("Camera an ninh"));
    let r = site.submit(&step, &can_bo, &fill("03/11/2024", "92")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let page = site.get(&format!("/ho-so/{CASE}"), Some(&can_bo)).await;
    let doc = page
        .body
        .split(&format!("/ho-so/{CASE}/van-ban/"))
        .filter_map(|s| s.split('"').next())
        .find(|d| d.ends_with("to-trinh-de-nghi-xep-loai"))
        .unwrap()
        .to_string();
    assert!(
        page.body.contains("demo-can-bo"),
        "the timeline names the person"
    );
    let base = format!("/ho-so/{CASE}/van-ban/{doc}");
    let pdf = site
        .get(&format!("{base}/du-thao.pdf"), Some(&can_bo))
        .await;
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(
        pdf.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'self'")
    );

    // Nobody issues before approval; a cán bộ never issues, nor approves.
    let van_thu = site.login("demo-van-thu").await;
    let issue = format!("{base}/ban-hanh");
    let r = site
        .submit(&issue, &van_thu, &[("ngay", "04/11/2024")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("chưa được lãnh đạo duyệt"));
    assert_eq!(
        site.submit(&issue, &can_bo, &[("ngay", "04/11/2024")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        site.submit(&format!("{base}/duyet"), &can_bo, &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let lanh_dao = site.login("demo-lanh-dao").await;
    assert!(
        site.get("/", Some(&lanh_dao)).await.body.contains(&doc),
        "my work lists the draft"
    );
    let r = site.submit(&format!("{base}/duyet"), &lanh_dao, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = site.submit(&format!("{base}/duyet"), &lanh_dao, &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        site.get("/", Some(&van_thu)).await.body.contains(&doc),
        "my work lists it to issue"
    );
    // The leader's corrections in Word: a changed number is refused on the page, naming the
    // place; the corrected body is issued.
    let draft = site
        .get_bytes(&format!("{base}/du-thao.docx"), Some(&van_thu))
        .await;
    let anchor = "Căn cứ Hướng dẫn số 22/HD-BCA-V05";
    let with = |from: &str, to: &str| docx_with(&draft, from, to);
    let from_file = format!("{base}/ban-hanh-tu-tep");
    let bad = with("Số:", "Số: 99");
    let r = site
        .send(edited_upload(&from_file, &van_thu, "04/11/2024", &bad))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("phần đầu văn bản"), "{}", r.body);
    let good = with(
        anchor,
        &format!("Theo ý kiến lãnh đạo &amp; Ban Chỉ đạo. {anchor}"),
    );
    assert_eq!(
        site.send(edited_upload(&from_file, &can_bo, "04/11/2024", &good))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = site
        .send(edited_upload(&from_file, &van_thu, "04/11/2024", &good))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Issuing again (the plain form) hands back what was issued.
    let r = site
        .submit(&issue, &van_thu, &[("ngay", "04/11/2024")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = site.get(&base, Some(&van_thu)).await;
    assert!(page.body.contains("/TTr-BCĐ"), "{}", page.body);
    let issued = page
        .body
        .split(&format!("/ho-so/{CASE}/tep?ten="))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let f = site
        .get(&format!("/ho-so/{CASE}/tep?ten={issued}"), Some(&van_thu))
        .await;
    assert_eq!(f.status, StatusCode::OK);
    // The issued DOCX carries the leader's sentence, escaped once.
    let docx_name = page
        .body
        .split(&format!("/ho-so/{CASE}/tep?ten="))
        .filter_map(|s| s.split('"').next())
        .find(|n| n.ends_with(".docx"))
        .unwrap()
        .to_string();
    let issued_docx = site
        .get_bytes(
            &format!("/ho-so/{CASE}/tep?ten={docx_name}"),
            Some(&van_thu),
        )
        .await;
    let mut main = String::new();
    {
        use std::io::Read as _;
        zip::ZipArchive::new(std::io::Cursor::new(&issued_docx))
            .unwrap()
            .by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut main)
            .unwrap();
    }
    assert!(
        hoso::document::glue::plain(&main).contains("Theo ý kiến lãnh đạo &amp; Ban Chỉ đạo."),
        "the edited body was not issued"
    );

    // The archive's log names the person who took the step.
    let luu_tru = site.login("demo-luu-tru").await;
    let bytes = site
        .get_bytes(&format!("/ho-so/{CASE}/luu-tru.zip"), Some(&luu_tru))
        .await;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let name = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().to_string())
        .find(|n| n.ends_with("data/events.jsonl"))
        .unwrap();
    let mut log = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(&name).unwrap(), &mut log).unwrap();
    assert!(log.contains("\"person\":\"demo-can-bo\""), "{log}");
}

/// The step form asks for each variable of each template with a field of its kind, labelled,
/// prefilled; the case's own facts are not asked again; a wrong date is named beside its field
/// with everything typed kept; a table grows by a row without a script; the recorded draft
/// carries the typed values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_step_form_has_a_typed_field_per_template_variable() {
    let site = site();
    let s = site.login("demo-can-bo").await;
    let step = format!("/ho-so/{CASE}/buoc/kien-toan");
    let page = site.get(&step, Some(&s)).await;
    assert_eq!(page.status, StatusCode::OK);
    let b = &page.body;
    // No YAML to write: the data of the decision is typed fields, the rest folded away.
    let ly_do = "mau.quyet-dinh-kien-toan-ban-chi-dao.ly_do";
    assert!(
        b.contains(&format!("<label for=\"{}\"", ly_do.replace('.', "-"))),
        "{b}"
    );
    assert!(b.contains("<details class=\"advanced\""));
    // The members are a table of rows, one per member of the sample plus a blank one.
    let table = "mau.quyet-dinh-kien-toan-ban-chi-dao.ban_chi_dao";
    assert!(b.contains("Họ và tên"), "{b}");
    let fields = step_fields(&site, &s, "kien-toan").await;
    let rows = |fields: &[(String, String)]| {
        fields
            .iter()
            .filter(|(k, _)| k.starts_with(table) && k.ends_with(".ho_ten"))
            .count()
    };
    let sample_rows = rows(&fields);
    assert!(sample_rows >= 3, "{fields:?}");
    assert!(
        fields.contains(&(format!("{table}.{}.ho_ten", sample_rows - 1), String::new())),
        "a blank row to type into"
    );
    // The model's name is the case's: shown as given, not asked.
    assert!(b.contains("Lấy từ hồ sơ"), "{b}");
    assert!(!fields.iter().any(|(k, _)| k.ends_with(".ten_mo_hinh")));
    assert!(
        !fields
            .iter()
            .any(|(k, v)| k == "mau.quyet-dinh-kien-toan-ban-chi-dao" && v.contains("ten_mo_hinh")),
        "nor hidden in the YAML"
    );

    // "Thêm dòng" gives one more blank row and records nothing; what was typed stays.
    let mut typed: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| {
            let v = if k == &format!("{table}.{}.ho_ten", sample_rows - 1) {
                "Hồ Thị Mới <b>".to_string()
            } else if k == &format!("{table}.{}.chuc_vu", sample_rows - 1) {
                "Phó Chủ tịch Hội Phụ nữ xã".to_string()
            } else if k == &format!("{table}.{}.nhiem_vu", sample_rows - 1) {
                "Thành viên".to_string()
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect();
    let post = |typed: &[(String, String)], extra: Vec<(String, String)>| {
        let mut all = vec![
            ("csrf".to_string(), s.csrf.clone()),
            ("ngay".to_string(), "20/02/2025".to_string()),
        ];
        all.extend(typed.iter().cloned());
        all.extend(extra);
        all.iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&")
    };
    let drafts_before = App::new(site.config.clone())
        .status(CASE)
        .unwrap()
        .documents
        .len();
    let r = site
        .post(
            &step,
            Some(&s),
            post(&typed, vec![("them-dong".into(), table.into())]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let again = form_values(&r.body);
    assert_eq!(rows(&again), sample_rows + 1);
    assert!(
        r.body.contains("value=\"Hồ Thị Mới &lt;b&gt;\""),
        "escaped and kept"
    );
    let drafts = || async {
        App::new(site.config.clone())
            .status(CASE)
            .unwrap()
            .documents
            .len()
    };
    assert_eq!(drafts().await, drafts_before, "nothing recorded");

    // A wrong date of the step is named beside it; nothing typed is lost.
    let ly_do_value = "Thay đổi nhân sự do luân chuyển công tác";
    typed.retain(|(k, _)| k != ly_do);
    typed.push((ly_do.to_string(), ly_do_value.to_string()));
    let r = site
        .post(
            &step,
            Some(&s),
            post(&typed, vec![("ngay".into(), "31/02/2025".into())]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("không phải ngày"), "{}", r.body);
    assert!(r.body.contains(ly_do_value));
    assert!(r.body.contains("value=\"Hồ Thị Mới &lt;b&gt;\""));

    // A variable the decision needs, left empty: the template's refusal is beside its field.
    let blank: Vec<(String, String)> = typed
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                if k == ly_do { String::new() } else { v.clone() },
            )
        })
        .collect();
    let r = site.post(&step, Some(&s), post(&blank, vec![])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let beside = r
        .body
        .split(&format!("id=\"{}\"", ly_do.replace('.', "-")))
        .nth(1)
        .unwrap();
    assert!(
        beside.split("<label").next().unwrap().contains("`ly_do`"),
        "{beside}"
    );
    assert_eq!(drafts().await, drafts_before, "nothing recorded");

    // Recorded: the draft's data has the typed row and reason, and the case's name.
    let r = site.post(&step, Some(&s), post(&typed, vec![])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut app = App::new(site.config.clone());
    let docs = app.status(CASE).unwrap().documents;
    let (d, _) = docs
        .iter()
        .rev()
        .find(|(d, _)| d.template == "quyet-dinh-kien-toan-ban-chi-dao")
        .unwrap();
    assert_eq!(d.data["ly_do"], ly_do_value);
    let members = d.data["ban_chi_dao"].as_array().unwrap();
    assert_eq!(
        members.len(),
        sample_rows,
        "the sample's rows and the typed one"
    );
    assert_eq!(members.last().unwrap()["ho_ten"], "Hồ Thị Mới <b>");
    assert_eq!(d.data["ten_mo_hinh"], "Camera an ninh");

    // A report's period is the step's two date inputs in dd/mm/yyyy (the step gives them to
    // the report, so the report's own fields for them are not asked again); a wrong one is
    // named beside it.
    let step = format!("/ho-so/{CASE}/buoc/bao-cao-dinh-ky");
    let typed = step_fields(&site, &s, "bao-cao-dinh-ky").await;
    let page = site.get(&step, Some(&s)).await.body;
    assert!(page.contains("id=\"nhap-tu_ngay\""), "{page}");
    assert!(!page.contains("id=\"mau-bao-cao-ket-qua-hoat-dong-tu_ngay\""));
    let period = |from: &str| {
        vec![
            ("nhap.ky_bao_cao".to_string(), "năm 2024".to_string()),
            ("nhap.tu_ngay".to_string(), from.to_string()),
            ("nhap.den_ngay".to_string(), "30/04/2024".to_string()),
        ]
    };
    let r = site
        .post(&step, Some(&s), post(&typed, period("32/13/2024")))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let beside = r.body.split("id=\"nhap-tu_ngay\"").nth(1).unwrap();
    assert!(
        beside
            .split("</label>")
            .next()
            .unwrap()
            .contains("32/13/2024"),
        "the message is beside the field: {beside}"
    );
    assert!(r.body.contains("value=\"năm 2024\""));
    let r = site
        .post(&step, Some(&s), post(&typed, period("01/11/2023")))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let docs = app.status(CASE).unwrap().documents;
    let (d, _) = docs
        .iter()
        .rev()
        .find(|(d, _)| d.template == "bao-cao-ket-qua-hoat-dong")
        .unwrap();
    assert_eq!(d.data["tu_ngay"], "2023-11-01");
}

/// Files sent with a step: checked before anything is recorded (a wrong kind is named beside
/// the file input, what was typed kept, the step not taken), kept in the hồ sơ item chosen
/// once the step is recorded, and filling that item of the checklist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_carries_its_attachments() {
    let site = site();
    let s = site.login("demo-can-bo").await;
    let step = format!("/ho-so/{CASE}/buoc/bao-cao-dinh-ky");
    let page = site.get(&step, Some(&s)).await.body;
    assert!(page.contains("enctype=\"multipart/form-data\""));
    assert!(page.contains("<label for=\"tep\""));
    // The report fills item 10: the files go there unless the person says otherwise.
    assert!(page.contains("<option value=\"10\" selected"), "{page}");
    let mut typed = step_fields(&site, &s, "bao-cao-dinh-ky").await;
    typed.retain(|(k, _)| k != "muc-tep");
    let mut fields: Vec<(&str, &str)> = vec![
        ("ngay", "08/11/2024"),
        ("nhap.ky_bao_cao", "năm 2024"),
        ("muc-tep", "11"),
    ];
    fields.extend(typed.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let documents = || {
        App::new(site.config.clone())
            .status(CASE)
            .unwrap()
            .documents
            .len()
    };
    let before = documents();
    let r = site
        .send(multipart(
            &step,
            &s,
            &fields,
            ("chuong-trinh.exe", b"MZ\x90\x00"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let beside = r.body.split("id=\"tep\"").nth(1).unwrap();
    assert!(
        beside
            .split("<label")
            .next()
            .unwrap()
            .contains("chuong-trinh.exe"),
        "{beside}"
    );
    assert!(
        r.body.contains("value=\"năm 2024\""),
        "what was typed stays"
    );
    assert_eq!(documents(), before, "nothing recorded");
    let r = site
        .send(multipart(
            &step,
            &s,
            &fields,
            ("hinh-anh-camera.pdf", b"%PDF-1.7\n%%EOF\n"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(documents(), before + 1);
    let page = site.get(&format!("/ho-so/{CASE}"), Some(&s)).await.body;
    assert!(page.contains("hinh-anh-camera.pdf"), "{page}");
    assert!(checklist_row(&page, 11).contains("hinh-anh-camera.pdf"));
}

/// Two văn thư issue the same approved draft at the same moment: the book gets one number; the
/// one who came second stays on the document's page and is told who issued it, with what
/// number. The one who issued it, sending the form again, simply sees it issued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_van_thu_issuing_one_draft_take_one_number() {
    let mut site = site();
    App::new(site.config.clone())
        .add_account(
            "van-thu-2",
            "Lê Thị Văn Thư",
            "van-thu",
            "kon-tum/dak-mar",
            "mat-khau-van-thu-2",
        )
        .unwrap();
    site.passwords
        .insert("van-thu-2".into(), "mat-khau-van-thu-2".into());
    let can_bo = site.login("demo-can-bo").await;
    let mut fields: Vec<(String, String)> = vec![
        ("ngay".into(), "03/11/2024".into()),
        ("nhap.ty_le_hoan_thanh".into(), "92".into()),
    ];
    fields.extend(step_fields(&site, &can_bo, "de-nghi-xep-loai").await);
    let as_ref: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = site
        .submit(
            &format!("/ho-so/{CASE}/buoc/de-nghi-xep-loai"),
            &can_bo,
            &as_ref,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let doc = App::new(site.config.clone())
        .status(CASE)
        .unwrap()
        .documents
        .into_iter()
        .rev()
        .find(|(d, _)| d.template == "to-trinh-de-nghi-xep-loai")
        .unwrap()
        .0
        .doc;
    let base = format!("/ho-so/{CASE}/van-ban/{doc}");
    let lanh_dao = site.login("demo-lanh-dao").await;
    let r = site.submit(&format!("{base}/duyet"), &lanh_dao, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let a = site.login("demo-van-thu").await;
    let b = site.login("van-thu-2").await;
    let issue = format!("{base}/ban-hanh");
    let day = [("ngay", "04/11/2024")];
    let (ra, rb) = tokio::join!(site.submit(&issue, &a, &day), site.submit(&issue, &b, &day));
    let numbers_of = |doc: &str| {
        App::new(site.config.clone())
            .book(&hoso::app::BookQuery {
                province: None,
                issuer: None,
                year: None,
            })
            .unwrap()
            .entries
            .into_iter()
            .filter(|e| e.case_id.as_deref() == Some(CASE) && e.doc.as_deref() == Some(doc))
            .collect::<Vec<_>>()
    };
    let book = numbers_of(&doc);
    assert_eq!(book.len(), 1, "one number: {book:?}");
    let (first, second, loser) = match (ra.status, rb.status) {
        (StatusCode::SEE_OTHER, StatusCode::CONFLICT) => ("demo-van-thu", &rb, &b),
        (StatusCode::CONFLICT, StatusCode::SEE_OTHER) => ("van-thu-2", &ra, &a),
        other => panic!("{other:?}: {} / {}", ra.body, rb.body),
    };
    assert_eq!(book[0].person.as_deref(), Some(first));
    // The second is told who issued it, and the number, on the document's page.
    assert!(second.body.contains(first), "{}", second.body);
    assert!(second.body.contains(&book[0].symbol), "{}", second.body);
    assert!(
        second.body.contains("id=\"so\""),
        "the page shows the number"
    );
    // Sending the form again later tells them again; the book still has one number.
    let r = site.submit(&issue, loser, &day).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let winner = if first == "demo-van-thu" { &a } else { &b };
    let r = site.submit(&issue, winner, &day).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(numbers_of(&doc).len(), 1);
}

/// The case's procedure is drawn on the server as SVG: one box per step, one arrow per way on,
/// the steps taken and the open ones marked; the same in a list; only for those who may see
/// the case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_procedure_is_drawn_with_the_cases_progress() {
    let site = site();
    let s = site.login("demo-can-bo").await;
    let case_page = site.get(&format!("/ho-so/{CASE}"), Some(&s)).await.body;
    assert!(case_page.contains(&format!("href=\"/ho-so/{CASE}/so-do\"")));
    let r = site.get(&format!("/ho-so/{CASE}/so-do"), Some(&s)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let b = &r.body;
    assert!(b.contains("<svg class=\"diagram\""), "{b}");
    let mut app = App::new(site.config.clone());
    let case = app.status(CASE).unwrap().case;
    let w = app.procedure_of(&case).unwrap().clone();
    let svg = b.split("</svg>").next().unwrap();
    assert_eq!(svg.matches("<g class=\"node").count(), w.steps.len());
    let ways: usize = w.steps.iter().map(|s| s.next.len()).sum();
    assert_eq!(svg.matches("<path class=\"edge").count(), ways);
    let node = |title: &str| {
        svg.split("<g class=\"")
            .find(|g| g.contains(&format!("<title>{title} — ")))
            .unwrap_or_else(|| panic!("no box for {title}"))
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    let title = |id: &str| w.steps.iter().find(|s| s.id == id).unwrap().title.clone();
    assert_eq!(node(&title("khao-sat")), "node done");
    assert_eq!(node(&title("bao-cao-dinh-ky")), "node open");
    assert_eq!(node(&title("ket-thuc-thong-bao")), "node");
    // The same in words.
    assert!(b.contains(&format!("<strong>{}</strong> — đã làm", title("khao-sat"))));
    // Not for another commune's clerk.
    let other = site.login("can-bo-dak-ha").await;
    let r = site
        .get(&format!("/ho-so/{CASE}/so-do"), Some(&other))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// Every page opens with a link past the header to its content, the first thing the keyboard
/// reaches, and the content can take the focus it moves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_starts_with_a_skip_link() {
    let site = site();
    let s = site.login("demo-can-bo").await;
    let login = site.get("/dang-nhap", None).await.body;
    let pages = [
        login,
        site.get("/", Some(&s)).await.body,
        site.get(&format!("/ho-so/{CASE}"), Some(&s)).await.body,
        site.get(&format!("/ho-so/{CASE}/buoc/kien-toan"), Some(&s))
            .await
            .body,
        site.get("/khong-co-trang-nay", Some(&s)).await.body,
    ];
    for page in pages {
        let body = page.split("<body>").nth(1).unwrap();
        assert!(
            body.starts_with("<a class=\"skip\" href=\"#noi-dung\">"),
            "{body}"
        );
        assert!(body.contains("<main id=\"noi-dung\" tabindex=\"-1\">"));
    }
    let css = site.get("/static/hoso.css", None).await.body;
    assert!(css.contains(".skip:focus") && css.contains(":focus-visible"));
}

/// Archiving runs in the background: the request answers at once with a page that shows the
/// progress and reloads itself, then offers the file — the same bytes as archiving directly.
/// The job is its owner's only; only a lưu trữ starts one, with the form's token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archiving_shows_its_progress_then_the_file() {
    let site = site();
    let s = site.login("demo-luu-tru").await;
    let page = site.get(&format!("/ho-so/{CASE}"), Some(&s)).await.body;
    let start = format!("/ho-so/{CASE}/luu-tru");
    assert!(page.contains(&format!("action=\"{start}\"")), "{page}");
    assert_eq!(
        site.submit(&start, &site.login("demo-can-bo").await, &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        site.post(&start, Some(&s), String::new()).await.status,
        StatusCode::FORBIDDEN
    );
    let r = site.submit(&start, &s, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let job = r.headers[header::LOCATION].to_str().unwrap().to_string();
    assert!(job.starts_with("/viec/"), "{job}");
    let mut seen_running = false;
    let ready = loop {
        let p = site.get(&job, Some(&s)).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert!(p.body.contains("<progress"), "{}", p.body);
        if p.body.contains(&format!("href=\"{job}/tep\"")) {
            assert!(!p.body.contains("http-equiv=\"refresh\""));
            break p.body;
        }
        assert!(
            p.body
                .contains("<meta http-equiv=\"refresh\" content=\"1\">")
        );
        seen_running = true;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(
        ready.contains("Đã lập xong"),
        "{ready} (running seen: {seen_running})"
    );
    let bytes = site.get_bytes(&format!("{job}/tep"), Some(&s)).await;
    let direct = site
        .get_bytes(&format!("/ho-so/{CASE}/luu-tru.zip"), Some(&s))
        .await;
    assert_eq!(bytes, direct, "the same archive");
    // Another person cannot see or take it.
    let mut site2 = site;
    App::new(site2.config.clone())
        .add_account(
            "luu-tru-2",
            "Lưu trữ 2",
            "luu-tru",
            "kon-tum/dak-mar",
            "mat-khau-luu-tru-2",
        )
        .unwrap();
    site2
        .passwords
        .insert("luu-tru-2".into(), "mat-khau-luu-tru-2".into());
    let other = site2.login("luu-tru-2").await;
    assert_eq!(
        site2.get(&job, Some(&other)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        site2.get(&format!("{job}/tep"), Some(&other)).await.status,
        StatusCode::NOT_FOUND
    );

    // The core reports the bytes compressed, rising to the whole.
    let seen = std::sync::Mutex::new(Vec::new());
    let zip = App::new(site2.config.clone())
        .archive_reporting(CASE, &|d, t| seen.lock().unwrap().push((d, t)))
        .unwrap();
    assert_eq!(zip, direct);
    let seen = seen.into_inner().unwrap();
    let (last, total) = *seen.last().unwrap();
    assert!(total > 0 && last == total, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0));
    assert!(seen.len() > 3);
}

/// Every open step of every demo case, its form posted back as prefilled: the typed fields
/// carry each template's data through unchanged, so the step is recorded or refused by the
/// procedure — never by a field the form itself filled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_prefilled_step_form_posts_back() {
    let mut site = site();
    App::new(site.config.clone())
        .add_account(
            "can-bo-tw",
            "Cán bộ trung ương",
            "can-bo",
            "tw",
            "mat-khau-can-bo-tw",
        )
        .unwrap();
    site.passwords
        .insert("can-bo-tw".into(), "mat-khau-can-bo-tw".into());
    let s = site.login("can-bo-tw").await;
    let (mut tried, mut recorded) = (0, 0);
    let mut seen = std::collections::HashSet::new();
    // A step recorded opens the next (the rating after the proposal): three rounds.
    for _ in 0..3 {
        for c in App::new(site.config.clone()).cases().unwrap() {
            for step in &c.open_steps {
                let path = format!("/ho-so/{}/buoc/{step}", c.case.id);
                if !seen.insert(path.clone()) {
                    continue;
                }
                let page = site.get(&path, Some(&s)).await;
                assert_eq!(page.status, StatusCode::OK, "{path}");
                let form = page.body.split("<form class=\"card step\"").nth(1).unwrap();
                let fields = form_values(form.split("</form>").next().unwrap());
                let body = fields
                    .iter()
                    .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                    .collect::<Vec<_>>()
                    .join("&");
                let r = site.post(&path, Some(&s), body).await;
                tried += 1;
                if r.status == StatusCode::SEE_OTHER {
                    recorded += 1;
                    continue;
                }
                assert!(
                    !r.body.contains("Biểu mẫu có chỗ chưa đúng") && !r.body.contains("cần biến"),
                    "{path}: {}",
                    r.body.split("id=\"loi\"").nth(1).unwrap_or(&r.body)
                );
            }
        }
    }
    eprintln!("{tried} forms, {recorded} recorded");
    assert!(
        tried >= 8 && recorded >= 4,
        "{tried} forms, {recorded} recorded"
    );
}

/// The row of hồ sơ item `item` in the case page's checklist.
fn checklist_row(page: &str, item: u32) -> String {
    let table = page
        .split("<table class=\"checklist\">")
        .nth(1)
        .expect("the case page has the hồ sơ checklist")
        .split("</table>")
        .next()
        .unwrap();
    table
        .split("<tr")
        .find(|r| r.contains(&format!("<td>{item}</td>")))
        .unwrap_or_else(|| panic!("no item {item} in {table}"))
        .to_string()
}

/// The case page lists the hồ sơ's items (HD 22 section V): issued documents by number, drafts,
/// what is missing by now and what is not due yet; attaching a file to an item fills it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_case_page_shows_the_ho_so_checklist() {
    let site = site();
    let s = site.login("demo-can-bo").await;
    let page = site.get(&format!("/ho-so/{CASE}"), Some(&s)).await.body;
    assert!(page.contains("Thành phần hồ sơ"), "{page}");
    let first = checklist_row(&page, 1);
    assert!(first.contains("class=\"present\""), "{first}");
    assert!(
        first.contains("Kế hoạch khảo sát") && first.contains("/KH-"),
        "{first}"
    );
    // Evidence of the model's effect is collected, not written: not due while nothing after
    // it is there.
    let evidence = checklist_row(&page, 11);
    assert!(evidence.contains("Chưa đến bước"), "{evidence}");
    assert!(evidence.contains("đính kèm tệp vào mục 11"), "{evidence}");
    assert!(checklist_row(&page, 12).contains("Nếu có"));
    let attach = |item: &'static str, name: &'static str| {
        multipart(
            &format!("/ho-so/{CASE}/dinh-kem"),
            &s,
            &[("muc", item)],
            (name, b"%PDF-1.7\n%%EOF\n"),
        )
    };
    // Once a later item is there (the sơ kết report, item 15), 11 and 13 are missing.
    let r = site.send(attach("15", "bao-cao-so-ket.pdf")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = site.get(&format!("/ho-so/{CASE}"), Some(&s)).await.body;
    assert!(page.contains("Còn thiếu 2 thành phần"), "{page}");
    // The case page's attach form offers the items by name, the first missing one chosen.
    assert!(page.contains("<option value=\"11\" selected>11. Tài liệu chứng minh"));
    assert!(checklist_row(&page, 11).contains("Thiếu"));
    assert!(checklist_row(&page, 13).contains("Thiếu"));
    assert!(checklist_row(&page, 15).contains("bao-cao-so-ket.pdf"));
    let r = site.send(attach("11", "anh-camera.pdf")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = site.get(&format!("/ho-so/{CASE}"), Some(&s)).await.body;
    let evidence = checklist_row(&page, 11);
    assert!(
        evidence.contains("Có") && evidence.contains("anh-camera.pdf"),
        "{evidence}"
    );
    assert!(page.contains("Còn thiếu 1 thành phần"), "{page}");

    // A case just opened: nothing is missing yet, the survey plan is not due.
    let mut app = App::new(site.config.clone());
    let id = app
        .new_case(
            &hoso::workflow::ProcedureKey::new("mo-hinh", Some("kon-tum")),
            &serde_json::json!({"ten_mo_hinh": "Đèn đường", "pham_vi": "thôn 2", "lien_ket": false}),
            chrono::NaiveDate::from_ymd_opt(2025, 1, 10).unwrap(),
        )
        .unwrap();
    app.set_case_agency(&id, "kon-tum/dak-mar").unwrap();
    let page = site.get(&format!("/ho-so/{id}"), Some(&s)).await.body;
    assert!(page.contains("Chưa thiếu thành phần nào"), "{page}");
    assert!(checklist_row(&page, 1).contains("Chưa đến bước"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clerks_submitting_one_step_record_it_once() {
    let site = site();
    let a = site.login("demo-can-bo").await;
    let b = site.login("demo-can-bo").await;
    let docs = step_fields(&site, &a, "de-nghi-xep-loai").await;
    let step = format!("/ho-so/{CASE}/buoc/de-nghi-xep-loai");
    let fields = |s: &Session| {
        let mut f = vec![
            ("csrf".to_string(), s.csrf.clone()),
            ("ngay".into(), "03/11/2024".into()),
            ("nhap.ty_le_hoan_thanh".into(), "92".into()),
        ];
        f.extend(docs.iter().cloned());
        f.iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&")
    };
    let (ra, rb) = tokio::join!(
        site.post(&step, Some(&a), fields(&a)),
        site.post(&step, Some(&b), fields(&b))
    );
    let mut statuses = [ra.status, rb.status];
    statuses.sort();
    assert_eq!(
        statuses[0],
        StatusCode::SEE_OTHER,
        "{} / {}",
        ra.body,
        rb.body
    );
    let loser = if ra.status == StatusCode::SEE_OTHER {
        &rb
    } else {
        &ra
    };
    // The second sees who came first (a conflict) or that the step is no longer to be taken.
    assert!(
        loser.status == StatusCode::CONFLICT || loser.status == StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        loser.body
    );
    if loser.status == StatusCode::CONFLICT {
        assert!(loser.body.contains("demo-can-bo"), "{}", loser.body);
    }
    let drafts = App::new(site.config.clone())
        .status(CASE)
        .unwrap()
        .documents
        .into_iter()
        .filter(|(d, _)| d.template == "to-trinh-de-nghi-xep-loai")
        .count();
    assert_eq!(drafts, 1, "one draft");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vietnamese_names_are_data_escaped_and_normalised() {
    let site = site();
    let mut app = App::new(site.config.clone());
    // "Đắk" with its marks as combining characters (NFD), and markup characters.
    let name = "Camera & <an ninh> \"Đa\u{306}\u{301}k\" 'Mar'";
    let id = app
        .new_case(
            &hoso::workflow::ProcedureKey::new("mo-hinh", Some("kon-tum")),
            &serde_json::json!({"ten_mo_hinh": name, "pham_vi": "thôn <b>1</b>", "lien_ket": false}),
            chrono::NaiveDate::from_ymd_opt(2024, 1, 10).unwrap(),
        )
        .unwrap();
    app.set_case_agency(&id, "kon-tum/dak-mar").unwrap();
    let s = site.login("demo-can-bo").await;
    let list = site.get("/ho-so?q=%C4%90%E1%BA%AFk", Some(&s)).await;
    assert!(list.body.contains(&id), "an NFC search finds the NFD name");
    assert!(
        list.body
            .contains("Camera &amp; &lt;an ninh&gt; &quot;\u{110}\u{1eaf}k&quot; 'Mar'"),
        "{}",
        list.body
    );
    assert!(list.body.contains("thôn &lt;b&gt;1&lt;/b&gt;"));
    assert!(!list.body.contains("<an ninh>"));
    let page = site.get(&format!("/ho-so/{id}"), Some(&s)).await;
    assert!(page.body.contains("Camera &amp; &lt;an ninh&gt;"));
    assert!(site.config.db.shown().exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quan_tri_manages_the_accounts_of_their_agencies_only() {
    let mut site = site();
    App::new(site.config.clone())
        .add_account(
            "quan-tri-kon-tum",
            "Quản trị Kon Tum",
            "quan-tri",
            "kon-tum",
            "mat-khau-kon-tum",
        )
        .unwrap();
    site.passwords
        .insert("quan-tri-kon-tum".into(), "mat-khau-kon-tum".into());
    let admin = site.login("quan-tri-kon-tum").await;
    let add = |login: &'static str, agency: &'static str| {
        vec![
            ("dang_nhap", login),
            ("ho_ten", "Trần Thị <B>"),
            ("vai_tro", "can-bo"),
            ("co_quan", agency),
            ("mat_khau", "mat-khau-moi-dai"),
        ]
    };
    let r = site
        .submit("/tai-khoan", &admin, &add("tran-b", "kon-tum/dak-mar"))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = site.get("/tai-khoan", Some(&admin)).await;
    assert!(page.body.contains("Trần Thị &lt;B&gt;"));
    assert!(
        !page.body.contains("demo-quan-tri"),
        "the centre's account is above Kon Tum"
    );
    // Outside Kon Tum: refused, and what was typed (but the password) stays.
    let r = site
        .submit("/tai-khoan", &admin, &add("le-c", "bac-kan/cam-giang"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("value=\"le-c\""));
    assert!(!r.body.contains("mat-khau-moi-dai"));
    let r = site
        .submit("/tai-khoan", &admin, &add("tran-b", "kon-tum/dak-mar"))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "the login is taken");
    site.passwords
        .insert("tran-b".into(), "mat-khau-moi-dai".into());
    let b = site.login("tran-b").await;
    let r = site
        .submit("/tai-khoan/khoa", &admin, &[("dang_nhap", "tran-b")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(site.get("/", Some(&b)).await.status, StatusCode::SEE_OTHER);
    let r = site
        .submit("/tai-khoan/khoa", &admin, &[("dang_nhap", "demo-quan-tri")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let can_bo = site.login("demo-can-bo").await;
    let r = site
        .submit("/tai-khoan", &can_bo, &add("x-y", "kon-tum/dak-mar"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// A person who forgot their password: the quản trị of their agency resets it on the accounts
/// page; the new one is shown once, the old one and every session of the account stop
/// working. Nobody else may: another role gets 403, an account outside the agency is not found,
/// a form without its token is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quan_tri_resets_a_password_and_its_sessions_end() {
    let mut site = site();
    App::new(site.config.clone())
        .add_account(
            "quan-tri-kon-tum",
            "Quản trị Kon Tum",
            "quan-tri",
            "kon-tum",
            "mat-khau-kon-tum",
        )
        .unwrap();
    site.passwords
        .insert("quan-tri-kon-tum".into(), "mat-khau-kon-tum".into());
    let admin = site.login("quan-tri-kon-tum").await;
    let clerk = site.login("demo-can-bo").await;
    let clerk_elsewhere = site.login("demo-can-bo").await;
    let page = site.get("/tai-khoan", Some(&admin)).await.body;
    assert!(
        page.contains("action=\"/tai-khoan/dat-lai-mat-khau\""),
        "{page}"
    );
    let reset = "/tai-khoan/dat-lai-mat-khau";
    // Nobody but a quản trị, and never without the form's token.
    for who in [&clerk, &site.login("demo-van-thu").await] {
        let r = site
            .submit(reset, who, &[("dang_nhap", "demo-can-bo")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    let r = site
        .post(reset, Some(&admin), form(&[("dang_nhap", "demo-can-bo")]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Outside Kon Tum (the centre's own quản trị), or unknown: not found alike.
    for login in ["demo-quan-tri", "khong-co-ai"] {
        let r = site.submit(reset, &admin, &[("dang_nhap", login)]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{login}");
    }
    assert_eq!(site.get("/", Some(&clerk)).await.status, StatusCode::OK);

    let r = site
        .submit(reset, &admin, &[("dang_nhap", "demo-can-bo")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    let password = r
        .body
        .split("<code class=\"secret\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_string();
    assert!(password.len() >= hoso::accounts::MIN_PASSWORD, "{password}");
    // Shown once: the accounts page does not show it again.
    assert!(
        !site
            .get("/tai-khoan", Some(&admin))
            .await
            .body
            .contains(&password)
    );
    // Every session of the account has ended; the old password no longer opens one.
    for s in [&clerk, &clerk_elsewhere] {
        assert_eq!(site.get("/", Some(s)).await.status, StatusCode::SEE_OTHER);
    }
    let old = site.passwords["demo-can-bo"].clone();
    assert_eq!(
        site.try_login("demo-can-bo", &old).await.status,
        StatusCode::UNAUTHORIZED
    );
    site.passwords.insert("demo-can-bo".into(), password);
    let again = site.login("demo-can-bo").await;
    assert_eq!(site.get("/", Some(&again)).await.status, StatusCode::OK);
    // The admin's own session goes on.
    assert_eq!(
        site.get("/tai-khoan", Some(&admin)).await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_can_bo_opens_a_case_for_their_agency() {
    let site = site();
    let s = site.login("demo-can-bo").await;
    let r = site.get("/ho-so/moi?quy-trinh=dien-hinh", Some(&s)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("for=\"nhap-ten_dien_hinh\""),
        "a label per field"
    );
    let lanh_dao = site.login("demo-lanh-dao").await;
    assert_eq!(
        site.get("/ho-so/moi", Some(&lanh_dao)).await.status,
        StatusCode::FORBIDDEN
    );
    // A required field left empty is named; what was typed stays.
    let r = site
        .submit(
            "/ho-so/moi",
            &s,
            &[
                ("quy-trinh", "dien-hinh"),
                ("ngay", "01/09/2025"),
                ("nhap.ty_le_tieu_chi", "80"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("ten_dien_hinh"), "{}", r.body);
    assert!(r.body.contains("value=\"80\""));
    // A procedure of another province is not offered, nor taken.
    let r = site
        .submit(
            "/ho-so/moi",
            &s,
            &[
                ("quy-trinh", "don-vi-dien-hinh@bac-kan"),
                ("ngay", "01/09/2025"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = site
        .submit(
            "/ho-so/moi",
            &s,
            &[
                ("quy-trinh", "dien-hinh"),
                ("ngay", "01/09/2025"),
                ("nhap.ten_dien_hinh", "Tổ tự quản <thôn 5>"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = r.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .trim_start_matches("/ho-so/")
        .to_string();
    let page = site.get(&format!("/ho-so/{id}"), Some(&s)).await;
    assert!(page.body.contains("Tổ tự quản &lt;thôn 5&gt;"));
    assert!(page.body.contains("kon-tum/dak-mar"));
    let other = site.login("can-bo-dak-ha").await;
    assert_eq!(
        site.get(&format!("/ho-so/{id}"), Some(&other)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_luu_tru_checks_an_uploaded_archive() {
    let site = site();
    let s = site.login("demo-luu-tru").await;
    let zip = site
        .get_bytes(&format!("/ho-so/{CASE}/luu-tru.zip"), Some(&s))
        .await;
    let upload = |bytes: &[u8], import: bool, who: &Session| {
        let fields: &[(&str, &str)] = if import { &[("nhap", "co")] } else { &[] };
        multipart("/luu-tru", who, fields, ("C0001.zip", bytes))
    };
    let r = site.send(upload(&zip, false, &s)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Toàn vẹn"), "{}", r.body);
    assert!(r.body.contains("Hồ sơ C0001"));
    // A changed byte in a stored (uncompressed or not) file is named.
    let mut bad = zip.clone();
    let at = bad.len() / 2;
    bad[at] ^= 0x55;
    let r = site.send(upload(&bad, false, &s)).await;
    assert!(!r.body.contains("<strong>Toàn vẹn</strong>"), "{}", r.body);
    // The case is already in this database: importing it again is a conflict.
    let r = site.send(upload(&zip, true, &s)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let can_bo = site.login("demo-can-bo").await;
    assert_eq!(
        site.send(upload(&zip, false, &can_bo)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(site.get("/luu-tru", Some(&s)).await.status, StatusCode::OK);
}

/// `docx` with `from` replaced by `to` (XML-escaped text) in its main part; `from` as hoso
/// writes it, names and numbers joined by no-break characters.
fn docx_with(docx: &[u8], from: &str, to: &str) -> Vec<u8> {
    let from = hoso::document::glue::joined(from);
    common::with_main_part(docx, |xml| {
        assert!(xml.contains(&from), "{from:?} not in the draft");
        xml.replacen(&from, to, 1)
    })
}

/// A multipart form as a browser posts it: the session's CSRF token, `fields`, and one file
/// `tep` (its name and bytes).
fn multipart(
    path: &str,
    who: &Session,
    fields: &[(&str, &str)],
    file: (&str, &[u8]),
) -> Request<Body> {
    let boundary = "ranh-gioi";
    let part = |name: &str, extra: &str, body: &[u8]| {
        let mut v = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{extra}\r\n\r\n"
        )
        .into_bytes();
        v.extend_from_slice(body);
        v.extend_from_slice(b"\r\n");
        v
    };
    let mut body = part("csrf", "", who.csrf.as_bytes());
    for (name, value) in fields {
        body.extend(part(name, "", value.as_bytes()));
    }
    body.extend(part("tep", &format!("; filename=\"{}\"", file.0), file.1));
    body.extend(format!("--{boundary}--\r\n").into_bytes());
    Request::post(path)
        .header(header::COOKIE, &who.cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

/// The form of "issue from the edited file".
fn edited_upload(path: &str, who: &Session, day: &str, docx: &[u8]) -> Request<Body> {
    multipart(path, who, &[("ngay", day)], ("da-sua.docx", docx))
}

/// The province's figures: for the province's and the centre's accounts, never a commune's;
/// the demo's Kon Tum model counted in its district, new in the year it was founded; the
/// workbook.
#[tokio::test]
async fn the_reports_page_shows_the_provinces_figures_to_the_province() {
    let site = site();
    let commune = site.login("demo-lanh-dao").await;
    let r = site.get("/bao-cao?ky=2024", Some(&commune)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("tài khoản cấp tỉnh"));

    let province = site.login("lanh-dao-tinh").await;
    let home = site.get("/", Some(&province)).await;
    assert!(home.body.contains(r#"href="/bao-cao""#));
    let r = site.get("/bao-cao?ky=2024", Some(&province)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let table = r.body.split(r#"id="theo-dia-ban""#).nth(1).unwrap();
    let row = table
        .split("<tr")
        .find(|t| t.contains("huyện Đăk Hà"))
        .unwrap();
    let cells: Vec<&str> = row
        .split("<td class=\"num\">")
        .skip(1)
        .map(|c| c.split('<').next().unwrap())
        .collect();
    assert_eq!(
        cells[..2],
        ["1", "0"],
        "the Camera an ninh model is active, founded in 2023: {row}"
    );
    let r = site.get("/bao-cao?ky=2023", Some(&province)).await;
    let table = r.body.split(r#"id="theo-dia-ban""#).nth(1).unwrap();
    let row = table
        .split("<tr")
        .find(|t| t.contains("huyện Đăk Hà"))
        .unwrap();
    assert!(
        row.contains(r#"<td class="num">1</td><td class="num">1</td>"#),
        "new in 2023: {row}"
    );
    let row = table
        .split("<tr")
        .find(|t| t.contains("huyện Ngọc Hồi"))
        .unwrap();
    assert!(
        !row.contains(r#"<td class="num">1</td>"#),
        "nothing in Ngọc Hồi: {row}"
    );
    let other = site
        .get("/bao-cao?tinh=quang-ngai&ky=2024", Some(&province))
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let bad = site
        .get("/bao-cao?ky=n%C4%83m%202024", Some(&province))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.contains("không đọc được"));

    let centre = site.login("demo-quan-tri").await;
    let x = site
        .get_bytes("/bao-cao.xlsx?tinh=kon-tum&ky=2024", Some(&centre))
        .await;
    assert!(x.starts_with(b"PK"), "a workbook");
}

/// The statistics form in the step form: a number box an indicator; a total that is not the sum
/// of its parts is refused with the indicator named and nothing recorded; the corrected form is
/// recorded with the report, as numbers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_statistics_form_is_typed_checked_and_recorded_with_the_report() {
    let site = site();
    let s = site.login("demo-can-bo").await;
    let step = format!("/ho-so/{CASE}/buoc/bao-cao-dinh-ky");
    let page = site.get(&step, Some(&s)).await;
    assert!(
        page.body.contains(r#"<table class="thong-ke""#),
        "{}",
        page.body
    );
    assert!(page.body.contains("Trong đó: vụ có dấu hiệu tội phạm"));
    let mut fields: Vec<(String, String)> = step_fields(&site, &s, "bao-cao-dinh-ky").await;
    fields.retain(|(k, _)| !k.starts_with("nhap."));
    let base = [
        ("ngay", "08/11/2023"),
        ("nhap.ky_bao_cao", "năm 2023"),
        ("nhap.thong_ke.thanh_vien", "24"),
        ("nhap.thong_ke.luot_nguoi", "1.250"),
        ("nhap.thong_ke.vu_hinh_su", "2"),
        ("nhap.thong_ke.vu_vi_pham_khac", "3"),
        ("nhap.thong_ke.vu_lam_ro", "4"),
    ];
    let post = |vu_viec: &'static str| {
        let mut all: Vec<(String, String)> = fields.clone();
        all.extend(base.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        all.push(("nhap.thong_ke.vu_viec".into(), vu_viec.into()));
        all.push(("csrf".into(), s.csrf.clone()));
        let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        form(&pairs)
    };
    let r = site.post(&step, Some(&s), post("6")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains("vu_hinh_su + vu_vi_pham_khac cộng lại được 5"),
        "{}",
        r.body
    );
    let r = site.post(&step, Some(&s), post("5")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut app = App::new(site.config.clone());
    let events = app.status(CASE).unwrap().events;
    let last = events.last().unwrap();
    assert_eq!(last.step, "bao-cao-dinh-ky");
    let form = &last.inputs["thong_ke"];
    assert_eq!(form["vu_viec"], 5.0);
    assert_eq!(form["luot_nguoi"], 1250.0, "1.250 as Vietnamese write it");
    assert_eq!(form["nguon_tin"], 0.0, "an empty box is 0");
}

/// A province officer's task list (more cases than a commune's) reads the province's deadlines
/// at once, as the store keeps them: it counts the overdue steps as each case's own deadlines
/// do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_province_officers_tasks_count_what_each_case_owes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hoso.db");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_hoso"))
        .arg("--db")
        .arg(&db)
        .args(["province", "generate", "--models", "80", "--dien-hinh", "4"])
        .args(["--communes", "2", "--out"])
        .arg(dir.path().join("dia-ban"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let config = Config {
        templates: None,
        workflows: None,
        db: db.into(),
    };
    let mut app = App::new(config.clone());
    app.add_account(
        "can-bo-tinh",
        "Cán bộ tỉnh",
        "can-bo",
        "tw",
        "mat-khau-tinh",
    )
    .unwrap();
    let today = chrono::Local::now().date_naive();
    let cases = app.cases_within("tw").unwrap();
    let mut overdue = 0;
    for (s, _) in &cases {
        let due = app.due_of_case(&s.case.id, today).unwrap();
        overdue += s
            .open_steps
            .iter()
            .filter(|step| {
                due.iter()
                    .find(|d| &d.step == *step)
                    .is_some_and(|d| d.overdue)
            })
            .count();
    }
    assert!(cases.len() > 64 && overdue > 0, "{} {overdue}", cases.len());
    drop(app);
    let site = Site {
        router: router(Shared::new(config.clone(), None, false).unwrap()),
        passwords: [("can-bo-tinh".to_string(), "mat-khau-tinh".to_string())].into(),
        config,
        _dir: dir,
    };
    let s = site.login("can-bo-tinh").await;
    let page = site.get("/", Some(&s)).await;
    assert_eq!(page.status, StatusCode::OK);
    let said = format!("{overdue} việc QUÁ HẠN");
    assert!(page.body.contains(&said), "{said}");
}
