//! Number series (Nghị định 30/2020 Điều 15 and Phụ lục I II.3; Hướng dẫn 36-HD/VPTW): which
//! sequence a document's number is taken from, and over which period that sequence runs. The
//! register keeps the sequences; the rules choosing one are the decree's, so they live here.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::FamilyId;
use super::kind::DocKind;

/// An issuer's numbering settings, from its agency profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Numbering {
    /// How a State body's administrative documents share sequences: the decree leaves it to the
    /// head of the body (Điều 15.1.c). Party committees always number each type apart.
    #[serde(default)]
    pub sequence: Sequence,
    /// A Party committee's terms of office (nhiệm kỳ): it numbers from 01 over a term, not a
    /// calendar year.
    #[serde(default)]
    pub terms: Vec<Term>,
}

/// One sequence for all types, or one per type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sequence {
    #[default]
    Shared,
    PerType,
}

/// A term of office, both days included.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub from: NaiveDate,
    pub until: NaiveDate,
}

/// The sequence a number comes from: numbers are unique and consecutive within
/// (issuer, period, series).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// "2026" for a calendar year; "2020-10-15..2025-10-14" for a term of office.
    pub period: String,
    /// "chung" (all types), a type key ("quyet-dinh"), "mật" or "bản sao".
    pub name: String,
}

/// Copies (sao y, trích sao, sao lục) share one series of their own (Phụ lục I, Phần II, II.1.c).
fn is_copy(kind: &DocKind) -> bool {
    matches!(kind.state_abbr, Some("SY" | "TrS" | "SL"))
}

impl Numbering {
    /// The series of a document of `kind` dated `at`; an error (in words for the văn thư) when
    /// a Party committee has no term covering the date.
    pub fn series(
        &self,
        family: FamilyId,
        kind: &DocKind,
        secret: bool,
        at: NaiveDate,
    ) -> Result<Series, String> {
        let period = match family {
            FamilyId::State => at.year().to_string(),
            FamilyId::Party => {
                let term = self
                    .terms
                    .iter()
                    .find(|t| t.from <= at && at <= t.until)
                    .ok_or_else(|| {
                        format!(
                            "cấp ủy Đảng đánh số theo nhiệm kỳ, và không nhiệm kỳ nào \
                             trong `numbering.terms` gồm ngày {}",
                            at.format("%d/%m/%Y")
                        )
                    })?;
                format!("{}..{}", term.from, term.until)
            }
        };
        let per_type = family == FamilyId::Party || self.sequence == Sequence::PerType;
        // Secret documents take a separate series (Điều 15.2), kept per type where the others are.
        let name = match (secret, is_copy(kind), per_type) {
            (true, _, true) => format!("mật/{}", kind.key),
            (true, _, false) => "mật".to_string(),
            (false, true, _) => "bản sao".to_string(),
            (false, false, true) => kind.key.to_string(),
            (false, false, false) => "chung".to_string(),
        };
        Ok(Series { period, name })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::kind::find;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn state_series_follow_the_setting_and_the_year() {
        let qd = find("quyet-dinh").unwrap();
        let kh = find("ke-hoach").unwrap();
        let shared = Numbering::default();
        let s = shared
            .series(FamilyId::State, qd, false, d("2026-12-31"))
            .unwrap();
        assert_eq!((s.period.as_str(), s.name.as_str()), ("2026", "chung"));
        assert_eq!(
            shared
                .series(FamilyId::State, kh, false, d("2027-01-01"))
                .unwrap(),
            Series {
                period: "2027".into(),
                name: "chung".into()
            }
        );
        let per_type = Numbering {
            sequence: Sequence::PerType,
            terms: vec![],
        };
        assert_eq!(
            per_type
                .series(FamilyId::State, kh, false, d("2026-05-01"))
                .unwrap()
                .name,
            "ke-hoach"
        );
        assert_eq!(
            shared
                .series(FamilyId::State, qd, true, d("2026-05-01"))
                .unwrap()
                .name,
            "mật"
        );
        let sy = find("ban-sao-y").unwrap();
        assert_eq!(
            per_type
                .series(FamilyId::State, sy, false, d("2026-05-01"))
                .unwrap()
                .name,
            "bản sao"
        );
    }

    #[test]
    fn party_series_run_over_the_term() {
        let nq = find("nghi-quyet").unwrap();
        let n = Numbering {
            sequence: Sequence::Shared,
            terms: vec![Term {
                from: d("2020-10-15"),
                until: d("2025-10-14"),
            }],
        };
        let a = n
            .series(FamilyId::Party, nq, false, d("2023-12-31"))
            .unwrap();
        let b = n
            .series(FamilyId::Party, nq, false, d("2024-01-01"))
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.name, "nghi-quyet");
        let e = n
            .series(FamilyId::Party, nq, false, d("2025-11-01"))
            .unwrap_err();
        assert!(e.contains("01/11/2025"), "{e}");
    }
}
