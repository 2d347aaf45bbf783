//! People of the web application, as use cases of [`App`]: accounts with argon2id passwords,
//! sessions known to the store only by the SHA-256 of their token, login rate limiting, the
//! agency a case belongs to, and a lãnh đạo's approval of a draft. The command line
//! (`hoso user …`) and the web application call these; neither hashes or compares anything
//! itself.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::NaiveDate;

use crate::app::App;
use crate::error::{Error, Result};
use crate::store::{Account, Approval};
use crate::workflow::ProcedureKey;

/// The roles of the web application, with what each does.
pub const ROLES: &[(&str, &str)] = &[
    ("can-bo", "Cán bộ (soạn thảo, làm các bước)"),
    ("lanh-dao", "Lãnh đạo (xem xét, duyệt dự thảo)"),
    ("van-thu", "Văn thư (cấp số, ban hành, giữ sổ)"),
    ("luu-tru", "Lưu trữ (lập hồ sơ lưu trữ, kiểm tra, nhập)"),
    ("quan-tri", "Quản trị (tài khoản)"),
];

/// The agency above every province: an account of it sees every case.
pub const CENTRAL: &str = "tw";

/// Above this many cases, a list reads every open step (or deadline) of the province at once
/// rather than each case's own.
pub(crate) const BULK_FROM: usize = 64;

/// Failed logins of one login within [`FAILURE_WINDOW`] seconds that lock it until they age.
pub const MAX_FAILURES: u32 = 5;
pub const FAILURE_WINDOW: i64 = 15 * 60;
/// How long a session lasts without logging in again: one working day.
pub const SESSION_SECONDS: i64 = 12 * 60 * 60;
/// Shorter passwords are refused.
pub const MIN_PASSWORD: usize = 10;

/// A session just opened: the token goes into the cookie and nowhere else.
#[derive(Debug)]
pub struct Session {
    pub token: String,
    pub csrf: String,
    pub account: Account,
}

/// What a login attempt came to.
#[derive(Debug)]
pub enum Login {
    Ok(Session),
    /// Wrong login or password (which of the two is not said).
    Wrong,
    /// Too many failures of this login lately.
    Locked,
}

/// Random bytes as hex, from the operating system.
pub fn random_hex(n: usize) -> Result<String> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf)
        .map_err(|e| Error::Invalid(format!("không lấy được số ngẫu nhiên: {e}")))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(Error::Invalid(format!(
            "mật khẩu: cần ít nhất {MIN_PASSWORD} ký tự"
        )));
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| Error::Invalid(format!("không lấy được số ngẫu nhiên: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Invalid(e.to_string()))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Invalid(format!("mật khẩu: {e}")))
}

/// Whether `password` matches a stored hash; a damaged hash matches nothing.
fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash to compare against when the login does not exist, so that a wrong login takes as
/// long as a wrong password and does not tell which logins exist.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("không-phải-mật-khẩu").unwrap_or_default())
}

fn check_login_name(login: &str) -> Result<()> {
    let ok = (2..=32).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "tên đăng nhập `{login}`: 2–32 ký tự a-z, 0-9, dấu chấm, gạch ngang, gạch dưới"
        )))
    }
}

/// An agency's path: segments of a-z, 0-9 and `-`, separated by `/` (`kon-tum/dak-mar`).
pub fn check_agency(agency: &str) -> Result<()> {
    let ok = !agency.is_empty()
        && agency.split('/').all(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "cơ quan `{agency}`: đường dẫn như kon-tum hoặc kon-tum/dak-mar (chữ thường không \
             dấu, số, gạch ngang; cấp dưới sau dấu /), hoặc {CENTRAL} cho cấp trung ương"
        )))
    }
}

/// Whether an account of `account` may see a case of `case`: its own agency's cases and those
/// of the agencies below it.
pub fn within(account: &str, case: &str) -> bool {
    account == CENTRAL
        || case == account
        || case
            .strip_prefix(account)
            .is_some_and(|rest| rest.starts_with('/'))
}

impl App {
    /// Adds an account.
    pub fn add_account(
        &mut self,
        login: &str,
        name: &str,
        role: &str,
        agency: &str,
        password: &str,
    ) -> Result<Account> {
        check_login_name(login)?;
        check_agency(agency)?;
        if !ROLES.iter().any(|(r, _)| *r == role) {
            let known: Vec<&str> = ROLES.iter().map(|(r, _)| *r).collect();
            return Err(Error::Invalid(format!(
                "vai trò `{role}` không có (dùng: {})",
                known.join(", ")
            )));
        }
        let account = Account {
            login: login.to_string(),
            name: crate::text::clean(name),
            role: role.to_string(),
            agency: agency.to_string(),
            hash: hash_password(password)?,
            disabled: false,
        };
        let mut tx = self.store()?.begin()?;
        tx.insert_account(&account)?;
        tx.commit()?;
        Ok(account)
    }

    /// Sets an account's password; every session of it ends.
    pub fn set_password(&mut self, login: &str, password: &str) -> Result<()> {
        let hash = hash_password(password)?;
        let mut tx = self.store()?.begin()?;
        tx.set_password(login, &hash)?;
        tx.commit()
    }

    /// A person changing their own password: the current one first.
    pub fn change_password(&mut self, login: &str, current: &str, new: &str) -> Result<()> {
        let ok = self
            .store()?
            .account(login)?
            .is_some_and(|a| password_matches(&a.hash, current));
        if !ok {
            return Err(Error::Invalid("mật khẩu hiện tại không đúng".into()));
        }
        self.set_password(login, new)
    }

    /// Disables an account; every session of it ends.
    pub fn disable_account(&mut self, login: &str) -> Result<()> {
        let mut tx = self.store()?.begin()?;
        tx.disable_account(login)?;
        tx.commit()
    }

    pub fn accounts(&mut self) -> Result<Vec<Account>> {
        self.reader()?.accounts()
    }

    pub fn account(&mut self, login: &str) -> Result<Option<Account>> {
        self.reader()?.account(login)
    }

    /// Checks a login and password at `now` (Unix seconds) and opens a session. After
    /// [`MAX_FAILURES`] failures within [`FAILURE_WINDOW`] the login is locked, whatever the
    /// password, until the oldest failure ages out.
    pub fn login(&mut self, login: &str, password: &str, now: i64) -> Result<Login> {
        let store = self.store()?;
        if store.login_failures(login, now - FAILURE_WINDOW)? >= MAX_FAILURES {
            return Ok(Login::Locked);
        }
        let account = store.account(login)?.filter(|a| !a.disabled);
        let hash = account.as_ref().map_or(decoy_hash(), |a| a.hash.as_str());
        let matches = password_matches(hash, password);
        let mut tx = store.begin()?;
        let Some(account) = account.filter(|_| matches) else {
            tx.login_failed(login, now, now - FAILURE_WINDOW)?;
            tx.commit()?;
            return Ok(Login::Wrong);
        };
        let token = random_hex(32)?;
        let csrf = random_hex(32)?;
        tx.insert_session(
            &crate::fsutil::sha256_hex(token.as_bytes()),
            login,
            &csrf,
            now,
            now + SESSION_SECONDS,
        )?;
        tx.commit()?;
        Ok(Login::Ok(Session {
            token,
            csrf,
            account,
        }))
    }

    /// The account and CSRF token of a session's token, if it is open at `now`.
    pub fn session(&mut self, token: &str, now: i64) -> Result<Option<(Account, String)>> {
        self.reader()?
            .session(&crate::fsutil::sha256_hex(token.as_bytes()), now)
    }

    pub fn logout(&mut self, token: &str) -> Result<()> {
        let mut tx = self.store()?.begin()?;
        tx.delete_session(&crate::fsutil::sha256_hex(token.as_bytes()))?;
        tx.commit()
    }

    /// The agency a case belongs to: the one recorded when it was opened; otherwise the
    /// province of its procedure (`mo-hinh@kon-tum` → `kon-tum`); otherwise [`CENTRAL`].
    pub fn case_agency(&mut self, case: &str) -> Result<String> {
        let store = self.reader()?;
        if let Some(a) = store.case_agency(case)? {
            return Ok(a);
        }
        let row = store.case(case)?;
        Ok(ProcedureKey::parse(&row.workflow)
            .province
            .unwrap_or_else(|| CENTRAL.to_string()))
    }

    /// The cases a person of `agency` sees, with their open steps and each case's agency: the
    /// agencies are looked at first, so a commune's page never loads the steps of the whole
    /// province.
    pub fn cases_within(&mut self, agency: &str) -> Result<Vec<(crate::app::CaseSummary, String)>> {
        let store = self.reader()?;
        let recorded = store.case_agencies()?;
        let mut theirs = Vec::new();
        for case in store.cases()? {
            // As `case_agency` has it: the one recorded, else the procedure's province.
            let agency_of = recorded.get(&case.id).cloned().unwrap_or_else(|| {
                ProcedureKey::parse(&case.workflow)
                    .province
                    .unwrap_or_else(|| CENTRAL.to_string())
            });
            if within(agency, &agency_of) {
                theirs.push((case, agency_of));
            }
        }
        // A commune's few cases read their own steps; a province's, every open step at once.
        let mut open = if theirs.len() > BULK_FROM {
            store.open_steps()?
        } else {
            let mut open = std::collections::HashMap::new();
            for (case, _) in &theirs {
                let steps = store.steps(&case.id)?.into_iter().filter(|s| s.open);
                open.insert(case.id.clone(), steps.map(|s| s.step).collect());
            }
            open
        };
        Ok(theirs
            .into_iter()
            .map(|(case, agency_of)| {
                let open_steps = open.remove(&case.id).unwrap_or_default();
                (crate::app::CaseSummary { case, open_steps }, agency_of)
            })
            .collect())
    }

    /// Opens a case of `key` for `agency`: the case and its agency in one transaction.
    pub fn new_case_for(
        &mut self,
        key: &ProcedureKey,
        data: &serde_json::Value,
        at: NaiveDate,
        agency: &str,
    ) -> Result<String> {
        check_agency(agency)?;
        let (_, engine) = self.shared()?;
        let case = engine.case_for(key, data, at)?;
        let mut tx = self.store()?.begin()?;
        let id = tx.next_case_id()?;
        tx.insert_case(&id, &case)?;
        tx.set_case_agency(&id, agency)?;
        tx.commit()?;
        Ok(id)
    }

    /// The procedures a person of `agency` may open a case under: those of its province and
    /// those of no province (every one, from the centre).
    pub fn procedures_for(&self, agency: &str) -> Result<Vec<(String, String)>> {
        let (_, engine) = self.shared()?;
        let province = agency.split('/').next().unwrap_or_default();
        let mut out = Vec::new();
        for key in engine.keys() {
            let k = ProcedureKey::parse(key);
            let ours = agency == CENTRAL || k.province.as_deref().is_none_or(|p| p == province);
            if ours {
                out.push((key.to_string(), engine.newest(&k)?.title.clone()));
            }
        }
        Ok(out)
    }

    /// Records the agency a case belongs to.
    pub fn set_case_agency(&mut self, case: &str, agency: &str) -> Result<()> {
        check_agency(agency)?;
        let mut tx = self.store()?.begin()?;
        tx.set_case_agency(case, agency)?;
        tx.commit()
    }

    /// A lãnh đạo marks a draft approved; an issued document, or one approved already, is not
    /// approved again.
    pub fn approve(&mut self, case: &str, doc: &str, login: &str, on: NaiveDate) -> Result<()> {
        let store = self.store()?;
        let docs = store.documents(case)?;
        let d = crate::issue::find(&docs, case, doc)?;
        if d.entry.is_some() {
            return Err(Error::Conflict(format!(
                "văn bản {} của hồ sơ {case} đã ban hành",
                d.doc
            )));
        }
        let approval = Approval {
            doc: d.doc.clone(),
            login: login.to_string(),
            on,
        };
        let mut tx = store.begin()?;
        tx.approve(case, &approval)?;
        tx.commit()
    }

    pub fn approvals(&mut self, case: &str) -> Result<Vec<Approval>> {
        self.reader()?.approvals(case)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agencies_below_are_within() {
        assert!(within("kon-tum", "kon-tum/dak-mar"));
        assert!(within("kon-tum/dak-mar", "kon-tum/dak-mar"));
        assert!(!within("kon-tum/dak-mar", "kon-tum/dak-ha"));
        assert!(!within("kon-tum", "kon-tum-moi/dak-mar"));
        assert!(!within("kon-tum/dak-mar", "kon-tum"));
        assert!(within(CENTRAL, "bac-kan"));
    }
}
