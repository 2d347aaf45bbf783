//! The register: the văn thư's sổ đăng ký văn bản đi (Nghị định 30/2020, Điều 15 and Phụ lục
//! IV). The rules live here — which series a document belongs to, that numbers follow dates,
//! that a document keeps the number it was given — and each number is taken in one write
//! transaction of the store that also writes the book's entry and links the document, so under
//! concurrent clerks and crashes a number is given once, never twice, and never lost.

use chrono::NaiveDate;

use crate::document::{DocKind, Document, Issuer, SoKyHieu, kind};
use crate::error::{Error, Result};
use crate::store::testing::{fail_point, pause_point};
pub use crate::store::{BookKey, Books, Entry};
use crate::store::{NewEntry, Store};

/// What the văn thư registers when a number is taken.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub issuer: &'a Issuer,
    pub kind: &'static DocKind,
    /// The ký hiệu with the number still blank.
    pub so_ky_hieu: SoKyHieu,
    /// A secret document (văn bản mật) takes its own series.
    pub secret: bool,
    pub at: NaiveDate,
    pub trich_yeu: String,
    pub signer: String,
    pub recipients: Vec<String>,
    pub luu: Vec<String>,
    pub copies: Option<u32>,
    /// The case document the number is for: (case, document id).
    pub document: Option<(String, String)>,
    /// The body a person edited for that document (JSON blocks), kept with it in the
    /// transaction that gives the number — so the number and the text it was issued with are
    /// one, whoever else issues the document at that moment.
    pub body: Option<serde_json::Value>,
    /// The latest date a number may carry without the văn thư confirming it: a mistyped year
    /// would otherwise set the book's date floor for the rest of the year.
    pub not_after: Option<NaiveDate>,
    /// The account taking the number (the web application), written with the entry.
    pub person: Option<String>,
}

/// How far ahead of today a number may be dated without confirmation.
pub const DAYS_AHEAD: u64 = 30;

/// The latest date a number may carry on `today` unless confirmed.
pub fn not_after(today: NaiveDate) -> Option<NaiveDate> {
    today.checked_add_days(chrono::Days::new(DAYS_AHEAD))
}

impl<'a> Request<'a> {
    /// A request naming only issuer, type, drafting unit (a công văn's last group) and date;
    /// the file copy goes to the văn thư as the family has it.
    pub fn new(
        issuer: &'a Issuer,
        kind: &'static DocKind,
        unit: Option<String>,
        at: NaiveDate,
    ) -> Request<'a> {
        Request {
            issuer,
            kind,
            so_ky_hieu: SoKyHieu {
                number: None,
                kind: kind.abbr(issuer.family).map(str::to_string),
                issuer: issuer.abbreviation.clone(),
                unit,
            },
            secret: false,
            at,
            trich_yeu: String::new(),
            signer: String::new(),
            recipients: Vec::new(),
            luu: issuer
                .family
                .family()
                .luu_first
                .map(str::to_string)
                .into_iter()
                .collect(),
            copies: None,
            person: None,
            document: None,
            body: None,
            not_after: None,
        }
    }

    /// The request for a drafted document, as the văn thư would fill the book from it.
    pub fn for_document(doc: &'a Document, at: NaiveDate) -> Request<'a> {
        let mut r = Request::new(&doc.issuer, doc.kind, None, at);
        r.so_ky_hieu = SoKyHieu {
            number: None,
            ..doc.so_ky_hieu.clone()
        };
        r.secret = doc.secrecy.is_some();
        r.trich_yeu = doc.trich_yeu.clone();
        if let Some(s) = doc.signatures.last() {
            // The title: the last line that is not a signature's padding.
            r.signer = match s.lines.iter().rev().find(|l| !l.trim().is_empty()) {
                Some(title) => format!("{} ({title})", s.name),
                None => s.name.clone(),
            };
        }
        if let Some(n) = &doc.noi_nhan {
            r.recipients = n.recipients.clone();
            r.luu.extend(n.luu.iter().cloned());
            r.copies = n.copies;
        }
        r
    }
}

/// Which entry of a book to withdraw: "05" or "05/QĐ-UBND", in a year, in the book of secret
/// documents (their own series, Điều 15.2) or the ordinary one.
#[derive(Debug, Clone)]
pub struct Numbered {
    pub number: String,
    pub year: Option<i32>,
    pub secret: bool,
}

impl Entry {
    /// A secret document's entry: numbered in the separate series of văn bản mật.
    pub fn is_secret(&self) -> bool {
        self.series.starts_with("mật")
    }

    /// "Quyết định", "Công văn": the type as the book names it; "Mở sổ" for a book's opening.
    pub fn kind_name(&self) -> String {
        if self.kind == OPENING {
            return "Mở sổ:".into();
        }
        kind::find(&self.kind).map_or_else(|| self.kind.clone(), |k| k.name().to_string())
    }
}

/// "Về việc thành lập …" → "về việc thành lập …", to follow the type's name in the book; an
/// acronym ("UBND …", "V/v …") keeps its case.
pub(crate) fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match (c.next(), c.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() && b != '/' => {
            a.to_lowercase().chain(s[a.len_utf8()..].chars()).collect()
        }
        _ => s.to_string(),
    }
}

impl BookKey {
    /// The issuing body as the book names it: parent and name on one line. Two agencies print
    /// the same name only if they are the same body, so the name is the key of its series.
    pub fn of(issuer: &Issuer) -> BookKey {
        let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        BookKey(match &issuer.parent {
            Some(p) => format!("{} / {}", one_line(p), one_line(&issuer.name)),
            None => one_line(&issuer.name),
        })
    }
}

/// A date far ahead sets the book's date floor for the rest of the year: refused unless the
/// request allows it.
fn too_far_ahead(req: &Request) -> Result<()> {
    match req.not_after {
        Some(limit) if req.at > limit => Err(Error::Invalid(format!(
            "ngày {} quá xa trong tương lai (quá {DAYS_AHEAD} ngày sau hôm nay): số lấy với ngày \
             đó sẽ chặn mọi số ngày sớm hơn của sổ; nếu đúng ngày ấy, thêm --allow-future",
            req.at.format("%d/%m/%Y")
        ))),
        _ => Ok(()),
    }
}

/// Takes the next number of the request's series and writes its entry, in one write
/// transaction; with `req.document`, the case document is marked as carrying it in the same
/// transaction, and a document that already carries a live number gets that number back.
/// A date earlier than the series' last entry is refused: numbers follow dates.
pub fn take(store: &mut dyn Store, req: &Request) -> Result<Entry> {
    Ok(take_saying(store, req)?.0)
}

/// [`take`], saying whether the entry is new (`false`: the document already carried it, given
/// by a clerk who issued it at the same moment).
pub fn take_saying(store: &mut dyn Store, req: &Request) -> Result<(Entry, bool)> {
    let issuer = BookKey::of(req.issuer);
    let series = req
        .issuer
        .numbering
        .series(req.issuer.family, req.kind, req.secret, req.at)
        .map_err(|m| Error::Invalid(format!("{issuer}: {m}")))?;
    too_far_ahead(req)?;
    let mut tx = store.begin()?;
    if let Some(p) = &req.person {
        tx.act_as(p);
    }
    // Two clerks issuing the same document at once: the second finds the first's number.
    if let Some((case, doc)) = &req.document
        && let Some(e) = tx.live_entry_of(case, doc)?
    {
        return Ok((e, false));
    }
    let last = tx.last_in_series(&issuer, &series.period, &series.name)?;
    // Numbers follow dates; a withdrawn number's date does not count.
    if let Some(last) = tx.last_live_in_series(&issuer, &series.period, &series.name)?
        && last.on_date > req.at
    {
        return Err(Error::Invalid(format!(
            "{issuer}: sổ đã có số {} ngày {}; số lấy bây giờ không thể mang ngày {}",
            last.symbol,
            last.on_date.format("%d/%m/%Y"),
            req.at.format("%d/%m/%Y")
        )));
    }
    let number = last.map_or(1, |e| e.number + 1);
    let symbol = SoKyHieu {
        number: Some(number),
        ..req.so_ky_hieu.clone()
    }
    .citation(req.issuer.family.family().number_style);
    if let (Some((case, doc)), Some(body)) = (&req.document, &req.body) {
        tx.set_body(case, doc, body)?;
    }
    let entry = tx.insert_entry(&NewEntry {
        issuer,
        period: series.period,
        series: series.name,
        number,
        symbol,
        on_date: req.at,
        kind: req.kind.key.to_string(),
        trich_yeu: req.trich_yeu.clone(),
        signer: req.signer.clone(),
        recipients: req.recipients.clone(),
        luu: req.luu.clone(),
        copies: req.copies,
        document: req.document.clone(),
    })?;
    pause_point("register.take.before_commit");
    fail_point("register.take.before_commit")?;
    tx.commit()?;
    Ok((entry, true))
}

/// The kind of the entry that opens a series at a number given before hoso was used.
pub const OPENING: &str = "mo-so";

/// Opens the request's series at `from`, the last number an agency gave before it used hoso
/// (a commune starting in October at 245): an entry of the book numbered `from` says so, and
/// the next number taken is `from + 1`. Only a series with no number yet is opened, so the
/// book never holds two histories; its date, like any entry's, is a floor for later numbers.
pub fn open(store: &mut dyn Store, req: &Request, from: u32) -> Result<Entry> {
    if from == 0 {
        return Err(Error::Usage(
            "--from: số cuối cùng đã cấp trước khi dùng hoso, từ 1 trở lên".into(),
        ));
    }
    let issuer = BookKey::of(req.issuer);
    let series = req
        .issuer
        .numbering
        .series(req.issuer.family, req.kind, req.secret, req.at)
        .map_err(|m| Error::Invalid(format!("{issuer}: {m}")))?;
    too_far_ahead(req)?;
    let mut tx = store.begin()?;
    if let Some(last) = tx.last_in_series(&issuer, &series.period, &series.name)? {
        return Err(Error::Conflict(format!(
            "{issuer}: dãy số {} ({}) đã có số {} ngày {}; chỉ mở sổ tại một số khi dãy số \
             chưa có số nào",
            series.name,
            series.period,
            last.symbol,
            last.on_date.format("%d/%m/%Y")
        )));
    }
    let symbol = SoKyHieu {
        number: Some(from),
        ..req.so_ky_hieu.clone()
    }
    .citation(req.issuer.family.family().number_style);
    let entry = tx.insert_entry(&NewEntry {
        issuer,
        period: series.period,
        series: series.name,
        number: from,
        symbol: symbol.clone(),
        on_date: req.at,
        kind: OPENING.to_string(),
        trich_yeu: format!(
            "các số đến {symbol} đã cấp trước khi dùng hoso; số tiếp theo là {}",
            crate::document::so_ky_hieu::so(from + 1)
        ),
        signer: String::new(),
        recipients: Vec::new(),
        luu: Vec::new(),
        copies: None,
        document: None,
    })?;
    tx.commit()?;
    Ok(entry)
}

/// Withdraws a number of `issuer`'s book: the entry stays in the book, marked with the date
/// and reason, and the number is never given again. `number` is "05" or the full symbol
/// "05/QĐ-UBND" (needed when several series of the issuer have a 05).
pub fn void(
    store: &mut dyn Store,
    issuer: &BookKey,
    number: &Numbered,
    reason: &str,
    on: NaiveDate,
) -> Result<Entry> {
    let Numbered {
        number,
        year,
        secret,
    } = number;
    let (number, year) = (number.as_str(), *year);
    if reason.trim().is_empty() {
        return Err(Error::Usage("--reason: cần nói lý do thu hồi số".into()));
    }
    let candidates: Vec<Entry> = store
        .book(Books::Of(issuer), year)?
        .into_iter()
        .filter(|e| e.is_secret() == *secret)
        .filter(|e| e.symbol == number || number.parse::<u32>().is_ok_and(|n| n == e.number))
        .collect();
    let e = match candidates.as_slice() {
        [e] => e,
        [] => {
            return Err(Error::NotFound(format!(
                "sổ {} của `{issuer}` không có số `{number}`{}",
                if *secret {
                    "văn bản mật"
                } else {
                    "văn bản thường"
                },
                year.map(|y| format!(" năm {y}")).unwrap_or_default()
            )));
        }
        many => {
            let which: Vec<String> = many
                .iter()
                .map(|e| format!("{} ({})", e.symbol, e.on_date.format("%d/%m/%Y")))
                .collect();
            return Err(Error::Usage(format!(
                "`{number}` chỉ nhiều số: {}; ghi đủ số và ký hiệu hoặc thêm --year",
                which.join(", ")
            )));
        }
    };
    if let Some(d) = e.voided_on {
        return Err(Error::Conflict(format!(
            "{} đã bị thu hồi ngày {}",
            e.symbol,
            d.format("%d/%m/%Y")
        )));
    }
    let mut tx = store.begin()?;
    let voided = tx.void_entry(e.id, on, reason.trim())?;
    tx.commit()?;
    Ok(voided)
}

/// The columns of the sổ đăng ký văn bản đi (Phụ lục IV), in order.
pub const BOOK_COLUMNS: [&str; 10] = [
    "Số, ký hiệu văn bản",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung",
    "Người ký",
    "Nơi nhận văn bản",
    "Đơn vị, người nhận bản lưu",
    "Số lượng bản",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
];

/// The book as a spreadsheet: one sheet, the issuing body then the ten Phụ lục IV columns, the
/// date a real date; for the officer who filters and counts in Excel.
pub fn xlsx(entries: &[Entry], year: Option<i32>) -> Result<Vec<u8>> {
    use crate::render::xlsx::{Cell, Sheet, workbook};
    const WIDTHS: [f64; 10] = [18.0, 12.0, 50.0, 24.0, 36.0, 16.0, 8.0, 10.0, 10.0, 24.0];
    let mut columns = vec![("Cơ quan ban hành".to_string(), 30.0)];
    columns.extend(BOOK_COLUMNS.iter().map(|c| c.to_string()).zip(WIDTHS));
    let rows = entries
        .iter()
        .map(|e| {
            let row = e.book_row();
            let mut cells = vec![Cell::from(e.issuer.to_string())];
            for (i, text) in row.into_iter().enumerate() {
                cells.push(match i {
                    1 => Cell::Date(e.on_date),
                    6 => e.copies.map_or(Cell::Empty, |c| Cell::Number(f64::from(c))),
                    _ => Cell::from(text),
                });
            }
            cells
        })
        .collect();
    let title = format!(
        "Sổ đăng ký văn bản đi{}",
        year.map(|y| format!(" năm {y}")).unwrap_or_default()
    );
    let sheet = Sheet {
        name: "Sổ đăng ký".into(),
        columns,
        rows,
    };
    // The book's own latest date, not the clock: the same book, the same bytes.
    let date = entries.iter().map(|e| e.on_date).max().unwrap_or_default();
    workbook(&[sheet], &title, "hoso", date)
}

impl Entry {
    /// The entry as the book's ten columns.
    pub fn book_row(&self) -> [String; 10] {
        [
            self.symbol.clone(),
            self.on_date.format("%d/%m/%Y").to_string(),
            self.content(),
            self.signer.clone(),
            self.recipients.join("; "),
            self.luu.join(", "),
            self.copies.map(|c| c.to_string()).unwrap_or_default(),
            String::new(),
            String::new(),
            self.note(),
        ]
    }

    /// Column 3, "Tên loại và trích yếu nội dung".
    pub fn content(&self) -> String {
        format!("{} {}", self.kind_name(), lower_first(&self.trich_yeu))
            .trim()
            .to_string()
    }

    /// Column 10, "Ghi chú": a withdrawn number and why, the case, a secret document.
    pub fn note(&self) -> String {
        let note = match (&self.voided_on, &self.void_reason) {
            (Some(d), r) => format!(
                "Thu hồi số ngày {}: {}",
                d.format("%d/%m/%Y"),
                r.as_deref().unwrap_or("")
            ),
            _ => self
                .case_id
                .as_ref()
                .map(|c| format!("Hồ sơ {c}"))
                .unwrap_or_default(),
        };
        match (self.is_secret(), note.is_empty()) {
            (true, true) => "Văn bản mật".to_string(),
            (true, false) => format!("Văn bản mật; {note}"),
            (false, _) => note,
        }
    }
}

/// The book as a landscape DOCX: one table an issuing body, the ten columns of Phụ lục IV
/// at widths that fit A4 turned (millimetres, summing to the text width).
pub fn docx(entries: &[Entry], year: Option<i32>) -> Result<Vec<u8>> {
    const WIDTHS: [f32; 10] = [31.0, 22.0, 48.0, 28.0, 40.0, 22.0, 14.0, 15.0, 15.0, 22.0];
    let title = format!(
        "SỔ ĐĂNG KÝ VĂN BẢN ĐI{}",
        year.map(|y| format!(" NĂM {y}")).unwrap_or_default()
    );
    let columns: Vec<(&str, f32)> = BOOK_COLUMNS.iter().copied().zip(WIDTHS).collect();
    // One book an issuing body, its secret documents in a book of their own.
    let mut sections: Vec<crate::render::book::Section> = Vec::new();
    let mut ordered: Vec<&Entry> = entries.iter().collect();
    ordered.sort_by_key(|e| (e.issuer.clone(), e.is_secret()));
    for e in ordered {
        let name = if e.is_secret() {
            format!("{} — văn bản mật", e.issuer)
        } else {
            e.issuer.0.clone()
        };
        if sections.last().is_none_or(|(n, _)| *n != name) {
            sections.push((name, Vec::new()));
        }
        if let Some((_, rows)) = sections.last_mut() {
            rows.push(e.book_row().to_vec());
        }
    }
    crate::render::book::docx(&title, &columns, &sections)
}

/// The book as CSV (RFC 4180, UTF-8 with a BOM, without which Excel reads the Vietnamese as
/// another code page): the issuer, then the ten columns.
pub fn csv(entries: &[Entry]) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = String::from("\u{feff}");
    let header: Vec<String> = std::iter::once("Cơ quan ban hành")
        .chain(BOOK_COLUMNS)
        .map(field)
        .collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for e in entries {
        let cells: Vec<String> = std::iter::once(e.issuer.0.clone())
            .chain(e.book_row())
            .map(|c| field(&c))
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::FamilyId;
    use crate::document::numbering::{Numbering, Sequence, Term};
    use crate::store::SqliteStore;

    fn issuer(name: &str, abbr: &str) -> Issuer {
        Issuer {
            parent: None,
            name: name.into(),
            abbreviation: abbr.into(),
            place: "Kon Tum".into(),
            collective: name.into(),
            head: "CHỦ TỊCH".into(),
            family: FamilyId::State,
            numbering: Numbering::default(),
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn n(number: &str, year: Option<i32>) -> Numbered {
        Numbered {
            number: number.into(),
            year,
            secret: false,
        }
    }

    fn req<'a>(i: &'a Issuer, kind: &str, at: &str) -> Request<'a> {
        let k = kind::find(kind).unwrap();
        let unit = k.abbr(i.family).is_none().then(|| "NC".to_string());
        let mut r = Request::new(i, k, unit, d(at));
        r.trich_yeu = "Về việc thử".into();
        r
    }

    fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(&dir.path().join("r.db")).unwrap();
        (dir, s)
    }

    #[test]
    fn the_year_starts_at_01_and_numbers_follow_dates() {
        let (_d, mut s) = store();
        let ub = issuer("ỦY BAN NHÂN DÂN\nTỈNH KON TUM", "UBND");
        let a = take(&mut s, &req(&ub, "quyet-dinh", "2025-12-30")).unwrap();
        let b = take(&mut s, &req(&ub, "ke-hoach", "2025-12-31")).unwrap();
        assert_eq!(
            (a.symbol.as_str(), b.symbol.as_str()),
            ("01/QĐ-UBND", "02/KH-UBND")
        );
        let c = take(&mut s, &req(&ub, "quyet-dinh", "2026-01-01")).unwrap();
        assert_eq!(c.symbol, "01/QĐ-UBND");
        assert_eq!(c.issuer.0, "ỦY BAN NHÂN DÂN TỈNH KON TUM");
        let e = take(&mut s, &req(&ub, "quyet-dinh", "2025-12-30")).unwrap_err();
        assert!(e.to_string().contains("02/KH-UBND ngày 31/12/2025"), "{e}");
    }

    #[test]
    fn series_apart() {
        let (_d, mut s) = store();
        let ub = issuer("ỦY BAN NHÂN DÂN\nTỈNH KON TUM", "UBND");
        let mut bcd = issuer("BAN CHỈ ĐẠO", "BCĐ");
        bcd.parent = Some("UBND TỈNH KON TUM".into());
        let mut ca = issuer("CÔNG AN TỈNH KON TUM", "CAT");
        ca.numbering.sequence = Sequence::PerType;
        for _ in 0..3 {
            take(&mut s, &req(&ub, "quyet-dinh", "2026-03-01")).unwrap();
        }
        // A Ban Chỉ đạo issuing under its own name keeps its own book.
        let b = take(&mut s, &req(&bcd, "cong-van", "2026-03-01")).unwrap();
        assert_eq!(b.symbol, "01/BCĐ-NC");
        // A per-type issuer: each type from 01.
        take(&mut s, &req(&ca, "to-trinh", "2026-03-01")).unwrap();
        let kh = take(&mut s, &req(&ca, "ke-hoach", "2026-03-02")).unwrap();
        let tt = take(&mut s, &req(&ca, "to-trinh", "2026-03-02")).unwrap();
        assert_eq!(
            (kh.symbol.as_str(), tt.symbol.as_str()),
            ("01/KH-CAT", "02/TTr-CAT")
        );
        // A secret document: its own series beside the shared one.
        let mut secret = req(&ub, "bao-cao", "2026-03-02");
        secret.secret = true;
        let m = take(&mut s, &secret).unwrap();
        assert_eq!(
            (m.symbol.as_str(), m.series.as_str()),
            ("01/BC-UBND", "mật")
        );
        let next = take(&mut s, &req(&ub, "bao-cao", "2026-03-02")).unwrap();
        assert_eq!(next.symbol, "04/BC-UBND");
    }

    #[test]
    fn party_terms_cross_the_year() {
        let (_d, mut s) = store();
        let mut du = issuer("ĐẢNG ỦY XÃ ĐẮK MAR", "ĐU");
        du.family = FamilyId::Party;
        du.numbering.terms = vec![
            Term {
                from: d("2020-07-01"),
                until: d("2025-06-30"),
            },
            Term {
                from: d("2025-07-01"),
                until: d("2030-06-30"),
            },
        ];
        take(&mut s, &req(&du, "nghi-quyet", "2023-12-20")).unwrap();
        let b = take(&mut s, &req(&du, "nghi-quyet", "2024-01-05")).unwrap();
        assert_eq!(b.symbol, "02-NQ/ĐU");
        let bc = take(&mut s, &req(&du, "bao-cao", "2024-01-05")).unwrap();
        assert_eq!(bc.symbol, "01-BC/ĐU");
        let new_term = take(&mut s, &req(&du, "nghi-quyet", "2025-07-01")).unwrap();
        assert_eq!(new_term.symbol, "01-NQ/ĐU");
        du.numbering.terms.clear();
        let e = take(&mut s, &req(&du, "nghi-quyet", "2025-08-01")).unwrap_err();
        assert!(e.to_string().contains("nhiệm kỳ"), "{e}");
    }

    #[test]
    fn a_withdrawn_number_stays_and_is_not_reused() {
        let (_d, mut s) = store();
        let ub = issuer("ỦY BAN NHÂN DÂN XÃ ĐẮK MAR", "UBND");
        take(&mut s, &req(&ub, "quyet-dinh", "2026-03-01")).unwrap();
        // A book whose issuer's name contains this one's is another book.
        let mut bcd = issuer("BAN CHỈ ĐẠO", "BCĐ");
        bcd.parent = Some("ỦY BAN NHÂN DÂN XÃ ĐẮK MAR".into());
        take(&mut s, &req(&bcd, "quyet-dinh", "2026-03-01")).unwrap();
        let key = BookKey::of(&ub);
        let part = BookKey("ĐẮK MAR".into());
        assert!(void(&mut s, &part, &n("01", None), "x", d("2026-03-02")).is_err());
        let v = void(
            &mut s,
            &key,
            &n("01", Some(2026)),
            "ký nhầm",
            d("2026-03-02"),
        )
        .unwrap();
        assert_eq!(
            (v.void_reason.as_deref(), &v.issuer),
            (Some("ký nhầm"), &key)
        );
        let again = void(&mut s, &key, &n("01/QĐ-UBND", None), "x", d("2026-03-02"));
        assert!(again.unwrap_err().to_string().contains("đã bị thu hồi"));
        let n = take(&mut s, &req(&ub, "quyet-dinh", "2026-03-02")).unwrap();
        assert_eq!(n.number, 2);
        let conn = s.connection();
        let e = conn.execute("DELETE FROM register", []).unwrap_err();
        assert!(e.to_string().contains("stays in the register"), "{e}");
        let e = conn
            .execute("UPDATE register SET number = 9 WHERE number = 2", [])
            .unwrap_err();
        assert!(e.to_string().contains("withdrawn"), "{e}");
        let book = csv(&s.book(Books::Of(&key), Some(2026)).unwrap());
        assert!(
            book.contains("Thu hồi số ngày 02/03/2026: ký nhầm"),
            "{book}"
        );
    }
}
