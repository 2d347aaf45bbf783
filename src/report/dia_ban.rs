//! Địa bàn: a province's administrative units with the dates they existed, so that figures
//! group by the level valid on a report's dates. Until 30/06/2025 a commune sat under a district
//! (huyện, thị xã, thành phố thuộc tỉnh); from 01/07/2025 local government has two levels
//! (Nghị quyết 202/2025/QH15, Luật 72/2025/QH15), districts are gone, communes were merged and
//! provinces too. A 2023 report therefore groups by district, a 2026 report by the new communes
//! — and a model founded in an old commune counts, after the reform, in the commune that took
//! it in (`became`).
//!
//! A case's unit is its agency's path (`kon-tum/dak-mar`, the web application's): province id,
//! then unit id. One file per province:
//!
//! ```yaml
//! province: kon-tum
//! name: tỉnh Kon Tum
//! until: 2025-06-30
//! units:
//!   - {id: dak-ha, name: huyện Đăk Hà, level: huyen, until: 2025-06-30}
//!   - {id: dak-mar, name: xã Đắk Mar, level: xa, parent: dak-ha, until: 2025-06-30,
//!      became: quang-ngai/dak-mar}
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The level of an administrative unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Huyện, thị xã, thành phố thuộc tỉnh: until 30/06/2025.
    Huyen,
    /// Xã, phường, thị trấn; from 01/07/2025 xã, phường, đặc khu.
    Xa,
}

/// The largest province file read: a province's few thousand units are well under it.
const LIMIT: u64 = 4 * 1024 * 1024;

/// One unit and its dates.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub id: String,
    /// As printed in running text: "huyện Đăk Hà", "xã Đắk Mar".
    pub name: String,
    pub level: Level,
    /// The district a commune belonged to (its id in the same province).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// The unit (`province/id`) that took it in when it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub became: Option<String>,
}

impl Unit {
    fn valid_on(&self, on: NaiveDate) -> bool {
        self.from.is_none_or(|f| f <= on) && self.until.is_none_or(|u| on <= u)
    }
}

/// One province's file.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Province {
    pub province: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    pub units: Vec<Unit>,
}

/// Where a case's figures go in a report: the unit's path and printed name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    pub path: String,
    pub name: String,
}

/// Every province's units, by path.
#[derive(Debug, Clone, Default)]
pub struct DiaBan {
    provinces: BTreeMap<String, Province>,
}

impl DiaBan {
    /// Reads province files; refuses, naming the file and unit, a unit whose parent or
    /// successor is unknown, and an id given twice.
    pub fn load(files: &[impl AsRef<Path>]) -> Result<DiaBan> {
        let mut d = DiaBan::default();
        for f in files {
            let f = f.as_ref();
            let text = crate::fsutil::read_input_text(f, LIMIT)?;
            let p: Province = crate::fsutil::parse_yaml(f, &text, 0)?;
            if d.provinces.contains_key(&p.province) {
                return Err(Error::Invalid(format!(
                    "{}: tỉnh `{}` đã có ở tệp khác",
                    f.display(),
                    p.province
                )));
            }
            d.provinces.insert(p.province.clone(), p);
        }
        d.check()
            .map_err(|m| Error::Invalid(format!("địa bàn: {m}")))?;
        Ok(d)
    }

    /// From provinces already read (the generator's own).
    pub fn of(provinces: Vec<Province>) -> std::result::Result<DiaBan, String> {
        let d = DiaBan {
            provinces: provinces
                .into_iter()
                .map(|p| (p.province.clone(), p))
                .collect(),
        };
        d.check()?;
        Ok(d)
    }

    fn check(&self) -> std::result::Result<(), String> {
        for p in self.provinces.values() {
            let mut seen = std::collections::BTreeSet::new();
            for u in &p.units {
                let path = format!("{}/{}", p.province, u.id);
                if !seen.insert(&u.id) {
                    return Err(format!("`{path}` khai báo hai lần"));
                }
                if let Some(parent) = &u.parent
                    && !p
                        .units
                        .iter()
                        .any(|x| &x.id == parent && x.level == Level::Huyen)
                {
                    return Err(format!("`{path}`: không có huyện `{parent}` trong tỉnh"));
                }
                if let Some(to) = &u.became
                    && self.unit(to).is_none()
                {
                    return Err(format!("`{path}` chuyển thành `{to}`, không có đơn vị này"));
                }
            }
        }
        Ok(())
    }

    /// Every province, by id.
    pub fn provinces(&self) -> impl Iterator<Item = &Province> {
        self.provinces.values()
    }

    pub fn province(&self, id: &str) -> Option<&Province> {
        self.provinces.get(id)
    }

    /// A unit by its path (`kon-tum/dak-mar`).
    pub fn unit(&self, path: &str) -> Option<&Unit> {
        let (p, id) = path.split_once('/')?;
        self.provinces.get(p)?.units.iter().find(|u| u.id == id)
    }

    /// The unit a path stood for on `on`: itself while it existed, then what took it in.
    pub fn on(&self, path: &str, on: NaiveDate) -> Option<(String, &Unit)> {
        let mut path = path.to_string();
        for _ in 0..8 {
            let u = self.unit(&path)?;
            match &u.became {
                Some(next) if u.until.is_some_and(|until| until < on) => path = next.clone(),
                _ => return Some((path, u)),
            }
        }
        None
    }

    /// Whether `province` had districts on `on`: a report of that day groups by them.
    pub fn has_districts(&self, province: &str, on: NaiveDate) -> bool {
        self.provinces.get(province).is_some_and(|p| {
            p.units
                .iter()
                .any(|u| u.level == Level::Huyen && u.valid_on(on))
        })
    }

    /// Where a case of the unit at `path` counts in a report dated `on`: its district while
    /// districts existed and `by` is the district, else its commune as of that day.
    pub fn place(&self, path: &str, on: NaiveDate, by: Level) -> Option<Place> {
        let (path, u) = self.on(path, on)?;
        let province = path.split('/').next()?;
        if by == Level::Huyen
            && let Some(parent) = &u.parent
        {
            let p = format!("{province}/{parent}");
            let d = self.unit(&p)?;
            if d.valid_on(on) {
                return Some(Place {
                    path: p,
                    name: d.name.clone(),
                });
            }
        }
        Some(Place {
            path,
            name: u.name.clone(),
        })
    }

    /// The province a unit belongs to on `on` (Kon Tum's communes are Quảng Ngãi's after the
    /// merger).
    pub fn province_on(&self, path: &str, on: NaiveDate) -> Option<&str> {
        let (p, _) = self.on(path, on)?;
        let id = p.split('/').next()?;
        self.provinces.get(id).map(|p| p.province.as_str())
    }

    /// The units of `level` of a province valid on `on`, in file order: the rows a report has
    /// even where nothing was built.
    pub fn units_on(&self, province: &str, on: NaiveDate, level: Level) -> Vec<Place> {
        self.provinces
            .get(province)
            .map(|p| {
                p.units
                    .iter()
                    .filter(|u| u.level == level && u.valid_on(on))
                    .map(|u| Place {
                        path: format!("{}/{}", p.province, u.id),
                        name: u.name.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn dia_ban() -> DiaBan {
        let kt: Province = serde_yaml::from_str(
            r#"
province: kon-tum
name: tỉnh Kon Tum
until: 2025-06-30
units:
  - {id: dak-ha, name: huyện Đăk Hà, level: huyen, until: 2025-06-30}
  - {id: dak-mar, name: xã Đắk Mar, level: xa, parent: dak-ha, until: 2025-06-30, became: quang-ngai/dak-mar}
  - {id: ha-mon, name: xã Hà Mòn, level: xa, parent: dak-ha, until: 2025-06-30, became: quang-ngai/dak-mar}
"#,
        )
        .unwrap();
        let qn: Province = serde_yaml::from_str(
            r#"
province: quang-ngai
name: tỉnh Quảng Ngãi
units:
  - {id: dak-mar, name: xã Đắk Mar, level: xa, from: 2025-07-01}
"#,
        )
        .unwrap();
        DiaBan::of(vec![kt, qn]).unwrap()
    }

    #[test]
    fn before_the_reform_a_commune_counts_in_its_district_after_it_in_the_new_commune() {
        let d0 = dia_ban();
        let p = d0
            .place("kon-tum/ha-mon", d("2024-10-31"), Level::Huyen)
            .unwrap();
        assert_eq!(p.name, "huyện Đăk Hà");
        let p = d0
            .place("kon-tum/ha-mon", d("2026-10-31"), Level::Huyen)
            .unwrap();
        assert_eq!(
            (p.path.as_str(), p.name.as_str()),
            ("quang-ngai/dak-mar", "xã Đắk Mar")
        );
        assert_eq!(
            d0.province_on("kon-tum/ha-mon", d("2026-01-01")),
            Some("quang-ngai")
        );
        assert!(d0.has_districts("kon-tum", d("2025-06-30")));
        assert!(!d0.has_districts("quang-ngai", d("2025-07-01")));
        assert_eq!(
            d0.units_on("quang-ngai", d("2026-01-01"), Level::Xa).len(),
            1
        );
    }

    #[test]
    fn a_successor_or_parent_that_does_not_exist_is_refused() {
        let p: Province = serde_yaml::from_str(
            "province: x\nname: X\nunits:\n  - {id: a, name: xã A, level: xa, parent: h}\n",
        )
        .unwrap();
        assert!(
            DiaBan::of(vec![p])
                .unwrap_err()
                .contains("không có huyện `h`")
        );
    }
}
