//! Pháp lý: what a document's date decides about the law it cites and the levels it names.
//! Luật Tổ chức chính quyền địa phương had three versions between 2015 and 2026; Kế hoạch 630
//! gave way to 612; districts (huyện) and thị trấn ended on 01/07/2025, district police on
//! 01/03/2025. A template written once must print the căn cứ and the levels of its own day, so
//! both are data (`templates/phap-ly.yaml`, with its sources) read here by date.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::{Error, Result};

/// The registry as built into the binary.
const SOURCE: &str = include_str!("../../templates/phap-ly.yaml");

/// One version of an instrument as cited, with the days it is cited on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Version {
    #[serde(default)]
    pub from: Option<NaiveDate>,
    #[serde(default)]
    pub until: Option<NaiveDate>,
    pub text: String,
}

/// The levels of local government over a span of days.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapHanhChinh {
    #[serde(default)]
    pub from: Option<NaiveDate>,
    #[serde(default)]
    pub until: Option<NaiveDate>,
    /// Whether a district level (huyện, thị xã, thành phố thuộc tỉnh) stands between the
    /// province and the commune.
    pub huyen: bool,
    /// Whether the district had its own police (Công an huyện).
    pub cong_an_huyen: bool,
    /// The kinds of commune-level unit, as running text writes them ("xã", "phường", …).
    pub loai_xa: Vec<String>,
    /// The kinds of unit right under the province ("huyện, thị xã, thành phố"; after the
    /// reform the communes).
    pub duoi_tinh: Vec<String>,
}

fn valid(from: Option<NaiveDate>, until: Option<NaiveDate>, on: NaiveDate) -> bool {
    from.is_none_or(|f| f <= on) && until.is_none_or(|u| on <= u)
}

/// The registry: instruments by key, each with its versions, and the levels by date.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhapLy {
    pub van_ban: BTreeMap<String, Vec<Version>>,
    pub cap_hanh_chinh: Vec<CapHanhChinh>,
    /// The unit below a commune of each kind ("thôn", "tổ dân phố").
    pub duoi_xa: BTreeMap<String, String>,
}

fn date(on: NaiveDate) -> String {
    on.format("%d/%m/%Y").to_string()
}

impl PhapLy {
    /// Reads a registry, refusing one where two versions of an instrument, or two spans of
    /// levels, would both hold on a day (a document could then cite either).
    pub fn parse(path: &Path, text: &str) -> Result<PhapLy> {
        let p: PhapLy = crate::fsutil::parse_yaml(path, text, 0)?;
        let overlap = |what: &str, spans: Vec<(Option<NaiveDate>, Option<NaiveDate>)>| {
            for (i, a) in spans.iter().enumerate() {
                for b in &spans[i + 1..] {
                    let a_before_b = a.1.zip(b.0).is_some_and(|(u, f)| u < f);
                    let b_before_a = b.1.zip(a.0).is_some_and(|(u, f)| u < f);
                    if !a_before_b && !b_before_a {
                        return Err(Error::Field {
                            path: path.into(),
                            field: what.into(),
                            message: "hai phiên bản cùng có hiệu lực trong một ngày".into(),
                        });
                    }
                }
            }
            Ok(())
        };
        for (key, versions) in &p.van_ban {
            overlap(
                &format!("van_ban.{key}"),
                versions.iter().map(|v| (v.from, v.until)).collect(),
            )?;
        }
        overlap(
            "cap_hanh_chinh",
            p.cap_hanh_chinh.iter().map(|c| (c.from, c.until)).collect(),
        )?;
        Ok(p)
    }

    /// The registry built into the binary.
    pub fn built_in() -> Result<&'static PhapLy> {
        static P: OnceLock<std::result::Result<PhapLy, String>> = OnceLock::new();
        P.get_or_init(|| {
            PhapLy::parse(Path::new("templates/phap-ly.yaml"), SOURCE).map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| Error::Invalid(e.clone()))
    }

    /// The citation of instrument `key` in force on `on` ("Luật Tổ chức chính quyền địa phương
    /// ngày 16 tháng 6 năm 2025"), or why there is none, in Vietnamese.
    pub fn can_cu(&self, key: &str, on: NaiveDate) -> std::result::Result<&str, String> {
        let versions = self.van_ban.get(key).ok_or_else(|| {
            format!(
                "không có văn bản `{key}` trong danh mục căn cứ (templates/phap-ly.yaml); có: {}",
                self.van_ban.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        })?;
        versions
            .iter()
            .find(|v| valid(v.from, v.until, on))
            .map(|v| v.text.as_str())
            .ok_or_else(|| {
                format!(
                    "văn bản `{key}` không có phiên bản nào có hiệu lực ngày {}",
                    date(on)
                )
            })
    }

    /// The unit below commune `don_vi` on `on`: "thôn" in a xã, "tổ dân phố" in a phường.
    pub fn thon(&self, don_vi: &DonVi, on: NaiveDate) -> std::result::Result<&str, String> {
        let loai = don_vi.loai(self.cap(on)?, on)?;
        self.duoi_xa
            .get(&loai)
            .map(String::as_str)
            .ok_or_else(|| format!("danh mục không ghi đơn vị dưới cấp xã của “{loai}”"))
    }

    /// The levels of local government on `on`.
    pub fn cap(&self, on: NaiveDate) -> std::result::Result<&CapHanhChinh, String> {
        self.cap_hanh_chinh
            .iter()
            .find(|c| valid(c.from, c.until, on))
            .ok_or_else(|| format!("danh mục không có cấp hành chính ngày {}", date(on)))
    }
}

/// The commune a document speaks for, as its data names it: `xa` (the name), `loai_xa` ("xã"
/// unless given: "phường", "thị trấn", "đặc khu"), `huyen` (its district, while there were
/// districts) and `tinh` (its province, which after the district level takes its place).
#[derive(Debug, Clone, Default)]
pub struct DonVi {
    pub xa: Option<String>,
    pub loai_xa: Option<String>,
    pub huyen: Option<String>,
    pub tinh: Option<String>,
}

/// The data keys [`DonVi`] is read from, with what each holds: a template that names the
/// commune through a helper asks for them (`hoso doc templates`, the web form) without
/// declaring them.
pub const VARIABLES: [(&str, &str); 4] = [
    (
        "xa",
        "Tên đơn vị hành chính cấp xã, không kèm chữ chỉ cấp, ví dụ Đắk Mar",
    ),
    (
        "loai_xa",
        "Loại đơn vị hành chính cấp xã: xã, phường, đặc khu (trước 01/7/2025 cả thị trấn); để trống là xã",
    ),
    ("huyen", "Tên huyện (văn bản trước ngày 01/7/2025)"),
    (
        "tinh",
        "Tên tỉnh (văn bản từ ngày 01/3/2025, khi cấp trên là tỉnh)",
    ),
];

/// The names of [`VARIABLES`].
pub const KEYS: [&str; 4] = [
    VARIABLES[0].0,
    VARIABLES[1].0,
    VARIABLES[2].0,
    VARIABLES[3].0,
];

/// The helpers that read [`VARIABLES`] (`templates/README.md`).
pub const HELPERS: [&str; 7] = [
    "thon",
    "ten_xa",
    "cap_xa",
    "dia_danh",
    "ubnd_cap_tren",
    "cong_an_cap_tren",
    "cap_uy_tren",
];

impl DonVi {
    /// From a document's data.
    pub fn of(data: &serde_json::Value) -> DonVi {
        let get = |k: &str| {
            data.get(k)
                .and_then(|v| v.as_str())
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        DonVi {
            xa: get("xa"),
            loai_xa: get("loai_xa"),
            huyen: get("huyen"),
            tinh: get("tinh"),
        }
    }

    fn need<'a>(
        v: &'a Option<String>,
        key: &str,
        why: &str,
    ) -> std::result::Result<&'a str, String> {
        v.as_deref()
            .ok_or_else(|| format!("dữ liệu thiếu `{key}` ({why})"))
    }

    /// The kind of the commune on `on`: "xã", "phường", … — refused when that kind did not
    /// exist then (a "thị trấn" after 01/07/2025, a "đặc khu" before).
    pub fn loai(&self, cap: &CapHanhChinh, on: NaiveDate) -> std::result::Result<String, String> {
        let loai = self.loai_xa.as_deref().unwrap_or("xã").to_lowercase();
        if cap.loai_xa.contains(&loai) {
            Ok(loai)
        } else {
            Err(format!(
                "`loai_xa`: ngày {} đơn vị hành chính cấp xã là {}, không có “{loai}”",
                date(on),
                cap.loai_xa.join(", ")
            ))
        }
    }

    /// "xã Đắk Mar", "phường Phan Đình Phùng".
    pub fn ten(&self, cap: &CapHanhChinh, on: NaiveDate) -> std::result::Result<String, String> {
        let xa = Self::need(&self.xa, "xa", "tên đơn vị hành chính cấp xã")?;
        Ok(format!("{} {xa}", self.loai(cap, on)?))
    }

    /// "xã Đắk Mar, huyện Đắk Hà" while there were districts; "phường Phan Đình Phùng, tỉnh
    /// Thái Nguyên" after.
    pub fn dia_danh(
        &self,
        cap: &CapHanhChinh,
        on: NaiveDate,
    ) -> std::result::Result<String, String> {
        let ten = self.ten(cap, on)?;
        Ok(format!("{ten}, {}", self.cap_tren(cap, on, false)?))
    }

    /// The level above the commune in running text: "huyện Đắk Hà" while there were districts
    /// (for the police, `cong_an`, while district police existed), else "tỉnh Thái Nguyên".
    pub fn cap_tren(
        &self,
        cap: &CapHanhChinh,
        on: NaiveDate,
        cong_an: bool,
    ) -> std::result::Result<String, String> {
        let huyen = if cong_an {
            cap.cong_an_huyen
        } else {
            cap.huyen
        };
        if huyen {
            let why = format!("ngày {} còn cấp huyện", date(on));
            Ok(format!("huyện {}", Self::need(&self.huyen, "huyen", &why)?))
        } else {
            let why = format!("ngày {} không còn cấp huyện, cấp trên là tỉnh", date(on));
            Ok(format!("tỉnh {}", Self::need(&self.tinh, "tinh", &why)?))
        }
    }

    /// The Party committee above the commune's: "Huyện ủy Đắk Hà", "Tỉnh ủy Thái Nguyên".
    pub fn cap_uy_tren(
        &self,
        cap: &CapHanhChinh,
        on: NaiveDate,
    ) -> std::result::Result<String, String> {
        let tren = self.cap_tren(cap, on, false)?;
        Ok(match tren.split_once(' ') {
            Some(("huyện", name)) => format!("Huyện ủy {name}"),
            Some((_, name)) => format!("Tỉnh ủy {name}"),
            None => tren,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_law_and_levels_follow_the_date() {
        let p = PhapLy::built_in().unwrap();
        let law = "luat-to-chuc-chinh-quyen-dia-phuong";
        assert!(p.can_cu(law, d("2023-03-20")).unwrap().contains("2015"));
        assert!(
            p.can_cu(law, d("2025-04-01"))
                .unwrap()
                .contains("19 tháng 02 năm 2025")
        );
        assert!(
            p.can_cu(law, d("2026-10-01"))
                .unwrap()
                .contains("16 tháng 6 năm 2025")
        );
        assert!(
            p.can_cu("ke-hoach-dien-hinh", d("2025-10-09"))
                .unwrap()
                .contains("630")
        );
        assert!(
            p.can_cu("ke-hoach-dien-hinh", d("2025-10-10"))
                .unwrap()
                .contains("612")
        );
        assert!(p.can_cu("khong-co", d("2025-10-10")).is_err());
        assert!(p.can_cu("huong-dan-22", d("2021-01-01")).is_err());

        let tn = DonVi {
            xa: Some("Phan Đình Phùng".into()),
            loai_xa: Some("phường".into()),
            huyen: None,
            tinh: Some("Thái Nguyên".into()),
        };
        let on = d("2026-03-02");
        let cap = p.cap(on).unwrap();
        assert_eq!(
            tn.dia_danh(cap, on).unwrap(),
            "phường Phan Đình Phùng, tỉnh Thái Nguyên"
        );
        assert_eq!(tn.cap_uy_tren(cap, on).unwrap(), "Tỉnh ủy Thái Nguyên");
        assert_eq!(p.thon(&tn, on).unwrap(), "tổ dân phố");
        let kt = DonVi {
            xa: Some("Đắk Mar".into()),
            huyen: Some("Đắk Hà".into()),
            tinh: Some("Kon Tum".into()),
            ..DonVi::default()
        };
        let on = d("2023-03-20");
        let cap = p.cap(on).unwrap();
        assert_eq!(kt.dia_danh(cap, on).unwrap(), "xã Đắk Mar, huyện Đắk Hà");
        assert_eq!(kt.cap_uy_tren(cap, on).unwrap(), "Huyện ủy Đắk Hà");
        // Between the end of district police and the end of districts.
        let on = d("2025-04-01");
        let cap = p.cap(on).unwrap();
        assert_eq!(kt.cap_tren(cap, on, true).unwrap(), "tỉnh Kon Tum");
        assert_eq!(kt.cap_tren(cap, on, false).unwrap(), "huyện Đắk Hà");
        // A thị trấn after the reform, a district missing before it.
        let tt = DonVi {
            loai_xa: Some("thị trấn".into()),
            ..kt.clone()
        };
        let on = d("2025-07-01");
        assert!(
            tt.ten(p.cap(on).unwrap(), on)
                .unwrap_err()
                .contains("thị trấn")
        );
        let no_district = DonVi { huyen: None, ..kt };
        let on = d("2024-01-01");
        assert!(
            no_district
                .dia_danh(p.cap(on).unwrap(), on)
                .unwrap_err()
                .contains("`huyen`")
        );
    }

    #[test]
    fn overlapping_versions_are_refused() {
        let y = "van_ban:\n  a:\n    - {until: 2025-06-30, text: A}\n    - {from: 2025-06-30, text: B}\ncap_hanh_chinh: []\nduoi_xa: {}\n";
        let e = PhapLy::parse(Path::new("p.yaml"), y)
            .unwrap_err()
            .to_string();
        assert!(e.contains("van_ban.a"), "{e}");
    }
}
