//! Dates of the procedures: rating years, months between dates, and when an opened step is due.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate, TimeZone};

use crate::workflow::{IfDayOff, Series, Step, check::period};

/// Whole months from `from` to `to` (negative when `to` is earlier), counted as the Civil Code
/// counts a period in months (Bộ luật Dân sự 2015, Điều 147 khoản 1 and Điều 148 khoản 1): the
/// period starts the day after `from` and N months end at the end of the day of the same number
/// N months later, or of that month's last day when it has no such day. So from 31/01 ten months
/// are complete on 30/11, and from 18/11/2022 ten months on 18/09/2023.
pub fn months_between(from: NaiveDate, to: NaiveDate) -> i64 {
    let mut m = (to.year() - from.year()) as i64 * 12 + to.month() as i64 - from.month() as i64;
    let after = |m: i64| -> Option<NaiveDate> {
        if m >= 0 {
            from.checked_add_months(Months::new(m as u32))
        } else {
            from.checked_sub_months(Months::new(m.unsigned_abs() as u32))
        }
    };
    if after(m).is_some_and(|end| to < end) {
        m -= 1;
    }
    m
}

/// The 31/10 that closes the rating year a report dated `at` is for.
///
/// HD 22 (§III.2) rates a model over the year from 01/11 of the previous year to 31/10, at the
/// movement's yearly review: the report and proposal go to the deciding level before 05/11, the
/// decision before 10/11 (reference: domain.md, "Yearly rating"). A report made in November or
/// December is for the year that closed on the 31/10 just past. A report made in October, the
/// year's last month, is the year-end report of the year that closes on that 31/10 — the
/// provinces ask for the yearly report before 01/11 (Kon Tum's 2023 plan), so it is filed in
/// October; judging it against the year that ended a year earlier refused a model founded on
/// 18/11/2022 on 30/10/2023 although by 31/10/2023 it had worked 11 months (counted by
/// [`months_between`]). A report from January to September cannot close the running year; it
/// is a late report of the year that closed on the previous 31/10.
pub fn evaluation_end(at: NaiveDate) -> NaiveDate {
    let year = if at.month() >= 10 {
        at.year()
    } else {
        at.year() - 1
    };
    NaiveDate::from_ymd_opt(year, 10, 31).expect("31 October exists")
}

/// The periods a condition counts a case's steps in (`done('xep-loai', 'year')`): the calendar
/// `year`, `quarter` and `month`, and HD 22's `evaluation-year` (the one [`evaluation_end`]
/// gives).
pub const PERIODS: [&str; 4] = ["year", "quarter", "month", "evaluation-year"];

/// Whether two days fall in the same period of [`PERIODS`]; None for a period not there.
pub fn same_period(period: &str, a: NaiveDate, b: NaiveDate) -> Option<bool> {
    let key = |d: NaiveDate| -> Option<(i32, u32)> {
        Some(match period {
            "year" => (d.year(), 0),
            "quarter" => (d.year(), (d.month() - 1) / 3),
            "month" => (d.year(), d.month()),
            "evaluation-year" => (evaluation_end(d).year(), 0),
            _ => return None,
        })
    };
    Some(key(a)? == key(b)?)
}

/// The first due date on or after `from` of a series: a day its RFC 5545 rule gives, or for a
/// `before` series the day before one.
pub fn next_occurrence<'a>(series: impl Into<Series<'a>>, from: NaiveDate) -> Option<NaiveDate> {
    let series = series.into();
    let last_day = |from: NaiveDate| -> Option<NaiveDate> {
        if series.before {
            rule_next(series.rule, from.succ_opt()?)?.pred_opt()
        } else {
            rule_next(series.rule, from)
        }
    };
    // A deadline moved to the working day before can land before `from`: take the next one.
    let mut at = from;
    for _ in 0..MAX_OCCURRENCES {
        let due = settle(last_day(at)?, series.if_day_off);
        if due >= from {
            return Some(due);
        }
        at = last_day(at)?.succ_opt()?;
    }
    None
}

/// A due date moved off a day off as `policy` says.
fn settle(due: NaiveDate, policy: IfDayOff) -> NaiveDate {
    let days = super::days_off::DaysOff::national();
    match policy {
        IfDayOff::Keep => due,
        IfDayOff::Previous => days.previous_working(due),
        IfDayOff::Next => days.next_working(due),
    }
}

/// The first date on or after `from` that an RFC 5545 rule gives, the rule starting on 1
/// January of the year before `from`'s.
///
/// A province's deadlines are the same few rules asked again and again (every case, every
/// occurrence, every list), so each rule's days of two years, counted from that start, are
/// worked out once per process and kept ([`year_of_rule`]); a day beyond them (a rule that
/// skips a whole year) is asked of the rule itself.
fn rule_next(rule: &str, from: NaiveDate) -> Option<NaiveDate> {
    if let Some(days) = year_of_rule(rule, from.year())
        && let Some(&day) = days.iter().find(|d| **d >= from)
    {
        return Some(day);
    }
    rule_after(rule, from.year() - 1, from, 1).first().copied()
}

/// Up to `count` days the rule gives on or after `from`, started on 1 January of `start`.
fn rule_after(rule: &str, start: i32, from: NaiveDate, count: u16) -> Vec<NaiveDate> {
    let parsed: Option<rrule::RRuleSet> = format!("DTSTART:{start}0101T000000Z\nRRULE:{rule}")
        .parse()
        .ok();
    let after = rrule::Tz::UTC
        .with_ymd_and_hms(from.year(), from.month(), from.day(), 0, 0, 0)
        .single()
        .map(|t| t - chrono::Duration::seconds(1));
    match (parsed, after) {
        (Some(set), Some(after)) => set
            .after(after)
            .all(count)
            .dates
            .iter()
            .map(|d| d.date_naive())
            .collect(),
        _ => Vec::new(),
    }
}

/// The days `rule` (started on 1 January of `year - 1`) gives in `year` and the next, so that
/// a day late in `year` finds its next occurrence there too; kept for the process:
/// a few dozen rules × the years asked, so the memory stays small. `None` for a rule giving
/// more days a year than are kept (a daily rule), which is asked of the rule each time.
fn year_of_rule(rule: &str, year: i32) -> Option<std::sync::Arc<Vec<NaiveDate>>> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    /// More than a weekly rule's days in two years; a rule giving more is not kept.
    const KEPT: u16 = 120;
    type Years = HashMap<(String, i32), Option<Arc<Vec<NaiveDate>>>>;
    static KNOWN: OnceLock<Mutex<Years>> = OnceLock::new();
    let known = KNOWN.get_or_init(Default::default);
    let key = (rule.to_string(), year);
    if let Some(days) = known.lock().ok()?.get(&key) {
        return days.clone();
    }
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1)?;
    let mut days = rule_after(rule, year - 1, jan1, KEPT + 1);
    days.retain(|d| d.year() <= year + 1);
    let days = (days.len() <= usize::from(KEPT)).then(|| Arc::new(days));
    known.lock().ok()?.insert(key, days.clone());
    days
}

/// How many occurrences of a series are looked at, at most: 25 years of a quarterly report.
const MAX_OCCURRENCES: usize = 100;

/// The first occurrence of `rule` on or after `from` that is not in `met`.
pub fn first_unmet<'a>(
    rule: impl Into<Series<'a>>,
    from: NaiveDate,
    met: &[NaiveDate],
) -> Option<NaiveDate> {
    let rule = rule.into();
    let mut at = next_occurrence(rule, from)?;
    for _ in 0..MAX_OCCURRENCES {
        if !met.contains(&at) {
            return Some(at);
        }
        at = next_occurrence(rule, at.succ_opt()?)?;
    }
    None
}

/// The occurrences of a series not yet met that a list made on `on` shows, from `earliest`
/// (the step's earliest unmet occurrence): every one before `on`, which is overdue, and the
/// first one on or after it, which is the next deadline.
pub fn unmet<'a>(
    rule: impl Into<Series<'a>>,
    earliest: NaiveDate,
    met: &[NaiveDate],
    on: NaiveDate,
) -> Vec<NaiveDate> {
    let rule = rule.into();
    let mut out = Vec::new();
    let mut from = earliest;
    while out.len() < MAX_OCCURRENCES
        && let Some(at) = first_unmet(rule, from, met)
    {
        out.push(at);
        match at.succ_opt() {
            Some(next) if at < on => from = next,
            _ => break,
        }
    }
    out
}

/// Adds an ISO 8601 period to a date.
pub fn add_period(date: NaiveDate, p: &str) -> Option<NaiveDate> {
    let (y, m, d) = period(p)?;
    date.checked_add_months(Months::new(y * 12 + m))?
        .checked_add_days(chrono::Days::new(d.into()))
}

/// When `step`, opened on `at`, is due: its deadline rule's next date, or its period after the
/// step it counts from, or for a recurring step its next occurrence.
pub fn due(step: &Step, done: &BTreeMap<String, NaiveDate>, at: NaiveDate) -> Option<NaiveDate> {
    match &step.deadline {
        Some(d) => match (d.series(), &d.after, &d.within) {
            (Some(series), _, _) => next_occurrence(series, at),
            (None, Some(after), Some(within)) => {
                add_period(*done.get(after)?, within).map(|due| settle(due, d.if_day_off))
            }
            _ => None,
        },
        None => step.schedule().and_then(|r| next_occurrence(r, at)),
    }
}

/// A deadline as a calendar entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Stable identity, so a calendar updates the entry instead of duplicating it.
    pub uid: String,
    pub date: NaiveDate,
    pub summary: String,
    pub description: String,
}

/// Escapes a TEXT value (RFC 5545, 3.3.11).
fn ics_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets without splitting a UTF-8 character (RFC 5545, 3.1).
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut len = 0;
    for c in line.chars() {
        if len + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(c);
        len += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

/// `n` working days before `date`: weekends and the days off of `workflows/ngay-nghi` are not
/// counted, the Saturdays worked in exchange are.
pub fn working_days_before(date: NaiveDate, n: u32) -> NaiveDate {
    let days = super::days_off::DaysOff::national();
    let mut d = date;
    let mut left = n;
    while left > 0 {
        d = d.pred_opt().unwrap_or(d);
        if days.is_working(d) {
            left -= 1;
        }
    }
    d
}

/// An iCalendar file of all-day entries, one per deadline, for an officer's calendar:
/// `stamp` (when it was made, UTC) is each entry's DTSTAMP; with `remind`, a reminder that
/// many working days before. An empty list is a calendar with no entries.
pub fn ics(entries: &[Entry], stamp: chrono::NaiveDateTime, remind: Option<u32>) -> String {
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hoso//deadlines//VI\r\nCALSCALE:GREGORIAN\r\n\
         METHOD:PUBLISH\r\n",
    );
    out.push_str(&fold("X-WR-CALNAME:Hạn hồ sơ (hoso)"));
    let stamp = stamp.format("%Y%m%dT%H%M%SZ");
    for e in entries {
        let day = e.date.format("%Y%m%d");
        let next = e.date.succ_opt().unwrap_or(e.date).format("%Y%m%d");
        out.push_str("BEGIN:VEVENT\r\n");
        out.push_str(&fold(&format!("UID:{}", e.uid)));
        out.push_str(&format!("DTSTAMP:{stamp}\r\n"));
        out.push_str(&format!("DTSTART;VALUE=DATE:{day}\r\n"));
        out.push_str(&format!("DTEND;VALUE=DATE:{next}\r\n"));
        out.push_str(&fold(&format!("SUMMARY:{}", ics_text(&e.summary))));
        out.push_str(&fold(&format!("DESCRIPTION:{}", ics_text(&e.description))));
        out.push_str("TRANSP:TRANSPARENT\r\n");
        if let Some(n) = remind.filter(|n| *n > 0) {
            let days = (e.date - working_days_before(e.date, n)).num_days();
            out.push_str("BEGIN:VALARM\r\nACTION:DISPLAY\r\n");
            out.push_str(&format!("TRIGGER:-P{days}D\r\n"));
            out.push_str(&fold(&format!(
                "DESCRIPTION:Còn {n} ngày làm việc: {}",
                ics_text(&e.summary)
            )));
            out.push_str("END:VALARM\r\n");
        }
        out.push_str("END:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn ics_escapes_and_folds() {
        let e = Entry {
            uid: "C0001-xep-loai@hoso".into(),
            date: d("2024-11-10"),
            summary: "Hạn: Quyết định công nhận xếp loại; mô hình “Camera an ninh”, xã Đắk Mar — trước ngày 10/11".into(),
            description: "Hồ sơ C0001".into(),
        };
        let stamp = d("2024-11-01").and_hms_opt(8, 30, 0).unwrap();
        let s = ics(&[e], stamp, Some(3));
        assert!(s.contains("DTSTAMP:20241101T083000Z\r\n"));
        // 10/11/2024 is a Sunday: three working days before is Wednesday 06/11.
        assert!(s.contains("TRIGGER:-P4D\r\n"), "{s}");
        assert!(s.contains("DTSTART;VALUE=DATE:20241110\r\n"));
        assert!(s.lines().all(|l| l.len() <= 75), "{s}");
        let unfolded = s.replace("\r\n ", "");
        assert!(
            unfolded
                .contains("xếp loại\\; mô hình “Camera an ninh”\\, xã Đắk Mar — trước ngày 10/11"),
            "{unfolded}"
        );
    }

    #[test]
    fn reminders_count_working_days() {
        // Before Friday 16/02/2024, Tết Giáp Thìn (08–14/02) is not counted: Thursday 15/02,
        // then Wednesday 07/02.
        assert_eq!(working_days_before(d("2024-02-16"), 2), d("2024-02-07"));
        // The Saturday worked in exchange counts: 04/05/2024.
        assert_eq!(working_days_before(d("2024-05-06"), 1), d("2024-05-04"));
        // Monday 18/11/2024: three working days before is Wednesday 13/11.
        assert_eq!(working_days_before(d("2024-11-18"), 3), d("2024-11-13"));
        assert_eq!(working_days_before(d("2024-11-15"), 1), d("2024-11-14"));
        assert_eq!(working_days_before(d("2024-11-15"), 0), d("2024-11-15"));
    }

    #[test]
    fn months() {
        assert_eq!(months_between(d("2023-03-20"), d("2023-10-31")), 7);
        assert_eq!(months_between(d("2023-03-20"), d("2024-10-31")), 19);
        // Civil Code counting: ten months from 31/01 end with 30/11, the month's last day.
        assert_eq!(months_between(d("2023-01-31"), d("2023-11-29")), 9);
        assert_eq!(months_between(d("2023-01-31"), d("2023-11-30")), 10);
        assert_eq!(months_between(d("2023-01-31"), d("2023-12-01")), 10);
        assert_eq!(months_between(d("2022-11-18"), d("2023-09-17")), 9);
        assert_eq!(months_between(d("2022-11-18"), d("2023-09-18")), 10);
        assert_eq!(months_between(d("2022-11-18"), d("2023-10-31")), 11);
        assert_eq!(months_between(d("2023-03-20"), d("2023-01-31")), -2);
    }

    #[test]
    fn rating_year() {
        assert_eq!(evaluation_end(d("2024-11-03")), d("2024-10-31"));
        assert_eq!(evaluation_end(d("2024-06-01")), d("2023-10-31"));
        assert_eq!(evaluation_end(d("2024-09-30")), d("2023-10-31"));
        // A report of late October closes the year that ends that 31/10.
        assert_eq!(evaluation_end(d("2023-10-25")), d("2023-10-31"));
        assert_eq!(evaluation_end(d("2023-10-30")), d("2023-10-31"));
        assert_eq!(evaluation_end(d("2023-10-31")), d("2023-10-31"));
        assert_eq!(evaluation_end(d("2023-11-01")), d("2023-10-31"));
    }

    #[test]
    fn kon_tum_quarterly_and_yearly_rules() {
        let q = "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=10";
        assert_eq!(next_occurrence(q, d("2023-01-15")), Some(d("2023-03-10")));
        assert_eq!(next_occurrence(q, d("2023-03-10")), Some(d("2023-03-10")));
        assert_eq!(next_occurrence(q, d("2023-03-11")), Some(d("2023-06-10")));
        assert_eq!(next_occurrence(q, d("2023-10-01")), Some(d("2023-12-10")));
        assert_eq!(next_occurrence(q, d("2023-12-11")), Some(d("2024-03-10")));
        let y = "FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=5";
        assert_eq!(next_occurrence(y, d("2023-03-20")), Some(d("2023-11-05")));
        assert_eq!(add_period(d("2023-04-10"), "P1Y"), Some(d("2024-04-10")));
    }

    /// "trước ngày 01/10" (`before:`): due the day before, 30/09, on and from every day up to
    /// it; a filing met on 30/09 leaves next year's.
    #[test]
    fn a_before_series_is_due_the_day_before() {
        let before = Series {
            rule: "FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=1",
            before: true,
            if_day_off: IfDayOff::Keep,
        };
        assert_eq!(
            next_occurrence(before, d("2023-03-01")),
            Some(d("2023-09-30"))
        );
        assert_eq!(
            next_occurrence(before, d("2023-09-30")),
            Some(d("2023-09-30"))
        );
        assert_eq!(
            next_occurrence(before, d("2023-10-01")),
            Some(d("2024-09-30"))
        );
        let met = [d("2023-09-30")];
        assert_eq!(
            first_unmet(before, d("2023-09-30"), &met),
            Some(d("2024-09-30"))
        );
        assert_eq!(
            unmet(before, d("2023-09-30"), &[], d("2024-10-02")),
            ["2023-09-30", "2024-09-30", "2025-09-30"].map(d)
        );
        // "trước ngày 01/03": the last day of February, in leap years too.
        let march = Series {
            rule: "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1",
            before: true,
            if_day_off: IfDayOff::Keep,
        };
        assert_eq!(
            next_occurrence(march, d("2024-01-10")),
            Some(d("2024-02-29"))
        );
        assert_eq!(
            crate::workflow::deadline_words(d("2024-09-30"), true),
            "trước ngày 01/10/2024"
        );
        assert_eq!(
            crate::workflow::deadline_words(d("2023-03-31"), false),
            "chậm nhất ngày 31/03/2023"
        );
    }

    /// Kon Tum's quarterly deadline of 10/12/2023 and 10/03/2024 are Sundays: moved to the
    /// Friday before, or the Monday after, or kept; a series moved earlier still never gives a
    /// day before the one asked from.
    #[test]
    fn a_deadline_on_a_day_off_moves_as_its_policy_says() {
        let q = "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=10";
        let series = |if_day_off| Series {
            rule: q,
            before: false,
            if_day_off,
        };
        let (keep, previous, next) = (
            series(IfDayOff::Keep),
            series(IfDayOff::Previous),
            series(IfDayOff::Next),
        );
        assert_eq!(
            next_occurrence(keep, d("2023-11-01")),
            Some(d("2023-12-10"))
        );
        assert_eq!(
            next_occurrence(previous, d("2023-11-01")),
            Some(d("2023-12-08"))
        );
        assert_eq!(
            next_occurrence(next, d("2023-11-01")),
            Some(d("2023-12-11"))
        );
        assert_eq!(
            next_occurrence(previous, d("2023-12-09")),
            Some(d("2024-03-08"))
        );
        assert_eq!(
            next_occurrence(next, d("2024-01-01")),
            Some(d("2024-03-11"))
        );
        assert_eq!(
            unmet(previous, d("2023-12-08"), &[], d("2024-04-01")),
            ["2023-12-08", "2024-03-08", "2024-06-10"].map(d)
        );
        // The điển hình year after a plan of 10/02/2023 ends on Mùng 1 Tết Giáp Thìn, in the
        // 08–14/02/2024 break.
        let mut step: Step = serde_yaml::from_str(
            "{id: danh-gia, title: Đánh giá, actor: x, deadline: {after: ke-hoach, within: P1Y}}",
        )
        .unwrap();
        let done = BTreeMap::from([("ke-hoach".to_string(), d("2023-02-10"))]);
        assert_eq!(due(&step, &done, d("2023-02-10")), Some(d("2024-02-10")));
        assert_eq!(
            crate::workflow::deadline_words(d("2024-02-10"), false),
            "chậm nhất ngày 10/02/2024, ngày nghỉ: Tết Nguyên đán Giáp Thìn"
        );
        for (policy, want) in [
            (IfDayOff::Previous, "2024-02-07"),
            (IfDayOff::Next, "2024-02-15"),
        ] {
            step.deadline.as_mut().unwrap().if_day_off = policy;
            assert_eq!(due(&step, &done, d("2023-02-10")), Some(d(want)));
        }
        // "trước ngày 01/10/2023": the last day, 30/09, is a Saturday.
        assert_eq!(
            crate::workflow::deadline_words(d("2023-09-30"), true),
            "trước ngày 01/10/2023, ngày cuối 30/09/2023 là ngày nghỉ: thứ Bảy"
        );
    }

    #[test]
    fn a_series_keeps_every_unmet_occurrence() {
        let q = "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=10";
        // Q2 met out of turn: Q1 stays unmet, Q3 is the next after it.
        let met = [d("2024-06-10")];
        assert_eq!(first_unmet(q, d("2024-03-10"), &met), Some(d("2024-03-10")));
        assert_eq!(first_unmet(q, d("2024-03-11"), &met), Some(d("2024-09-10")));
        assert_eq!(
            unmet(q, d("2024-03-10"), &met, d("2024-09-11")),
            ["2024-03-10", "2024-09-10", "2024-12-10"].map(d)
        );
        // Nothing overdue: only the next deadline.
        assert_eq!(
            unmet(q, d("2024-03-10"), &[], d("2024-03-01")),
            [d("2024-03-10")]
        );
    }
}
