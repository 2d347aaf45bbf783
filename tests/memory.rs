//! A long-running process (a province's văn thư issuing all day) renders thousands of
//! different PDFs with flat memory. Typst memoizes every layout it computes in a global cache;
//! without eviction that cache grows with every new document (about 0.4 MB a PDF).
//!
//! `Varied` is also used by the render benchmark, so both measure the same kind of stream.

use std::path::Path;

use chrono::{Days, NaiveDate};
use hoso::document::Document;
use hoso::template::{DocData, Issuance, TemplateSet};

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
];
const MIDDLE: &[&str] = &["Văn", "Thị", "Đình", "Minh", "Quốc", "Thu", "Ngọc"];
const GIVEN: &[&str] = &[
    "An", "Bình", "Cường", "Dung", "Hằng", "Khoa", "Lan", "Minh", "Nga", "Phúc", "Quân", "Sơn",
    "Tâm", "Uyên", "Vinh", "Xuân", "Yến",
];

/// A Vietnamese name that differs between neighbouring `k`.
fn name(k: usize) -> String {
    format!(
        "{} {} {}",
        FAMILY[k % FAMILY.len()],
        MIDDLE[(k / 3) % MIDDLE.len()],
        GIVEN[(k * 7) % GIVEN.len()]
    )
}

/// Gives every member list another order and every `ho_ten` another name.
fn vary(v: &mut serde_json::Value, k: usize) {
    match v {
        serde_json::Value::Array(items) => {
            if !items.is_empty() && items.iter().all(|x| x.is_object()) {
                let n = items.len();
                items.rotate_left(k % n);
            }
            for (j, x) in items.iter_mut().enumerate() {
                vary(x, k + j);
            }
        }
        serde_json::Value::Object(map) => {
            for (key, x) in map.iter_mut() {
                if key == "ho_ten" && x.is_string() {
                    *x = name(k).into();
                } else {
                    vary(x, k);
                }
            }
        }
        _ => {}
    }
}

/// An endless stream of different documents: each of the templates in turn, with the number,
/// the date, the signer, the members and the draft mark changing from one to the next.
pub struct Varied {
    set: TemplateSet,
    data: Vec<(String, DocData)>,
    i: usize,
}

impl Default for Varied {
    fn default() -> Self {
        let set = TemplateSet::embedded().unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/documents");
        let data = set
            .iter()
            .map(|t| {
                let d = DocData::load(&root.join(format!("{}.yaml", t.id))).unwrap();
                (t.id.clone(), d)
            })
            .collect();
        Varied { set, data, i: 0 }
    }
}

impl Varied {
    /// The same stream of one template only.
    pub fn only(mut self, id: &str) -> Self {
        self.data.retain(|(t, _)| t == id);
        assert!(!self.data.is_empty(), "no template {id}");
        self
    }

    pub fn templates(&self) -> usize {
        self.data.len()
    }

    pub fn next_document(&mut self) -> Document {
        let i = self.i;
        let date = NaiveDate::from_ymd_opt(2023, 1, 2).unwrap() + Days::new((i % 700) as u64);
        // Every eleventh a draft: no number, no day.
        let issued = !i.is_multiple_of(11);
        self.next_with(Issuance {
            number: issued.then_some(1 + i as u32),
            date: issued.then_some(date),
            today: date,
            draft_mark: i.is_multiple_of(5),
        })
    }

    /// The next template in turn, its data varied, with the number and date given (a number
    /// the register gave).
    pub fn next_with(&mut self, issuance: Issuance) -> Document {
        let i = self.i;
        self.i += 1;
        let (id, base) = &self.data[i % self.data.len()];
        let round = i / self.data.len();
        let mut data = base.clone();
        vary(&mut data.value, round);
        if let Some(s) = data.fields.signer.as_mut() {
            s.name = name(round + 5);
        }
        self.set.document(id, &data, &issuance).unwrap()
    }
}

/// A `kB` figure of /proc/self/status.
pub fn status_kb(key: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    s.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{key} in /proc/self/status"))
}

/// PDFs rendered. The debug build CI runs takes 0.1–0.2 s for each, so a few hundred there;
/// `cargo test --release --test memory` renders a few thousand.
const DOCS: usize = if cfg!(debug_assertions) { 250 } else { 4000 };

/// How far the peak may rise once every template has rendered. From then on the cache holds
/// the layouts of the last few renders and nothing older, so the peak stays where it is
/// (measured: +1.3 MB over 208 debug renders, +2.5 MB over 3,958 release ones); the margin is
/// allocator slack. Without eviction the peak rises about 0.6 MB a PDF and passes this within
/// some 40 (measured: +139 MB over the 208 debug renders).
const GROWTH_KB: u64 = 24 * 1024;

#[test]
#[cfg(target_os = "linux")]
fn peak_memory_stays_flat_over_many_different_pdfs() {
    use hoso::render::pdf::{Profile, render};
    let mut docs = Varied::default();
    let warm = docs.templates();
    {
        // The stream does vary: a template's next turn has another signer and other members.
        let mut other = Varied::default();
        // Names are set with no-break spaces (`hoso::document::glue`).
        let mut source =
            || hoso::render::pdf::typst_source(&other.next_document()).replace('\u{a0}', " ");
        let first: Vec<String> = (0..warm).map(|_| source()).collect();
        let second: Vec<String> = (0..warm).map(|_| source()).collect();
        let with = |n: &str| second.iter().filter(|s| s.contains(n)).count();
        assert!(first.iter().zip(&second).all(|(a, b)| a != b));
        assert!(with(&name(6)) > warm / 2 && with(&name(1)) > 0);
    }
    for _ in 0..warm {
        render(&docs.next_document(), Profile::Standard).unwrap();
    }
    let base = status_kb("VmHWM");
    for _ in warm..DOCS {
        render(&docs.next_document(), Profile::Standard).unwrap();
    }
    let peak = status_kb("VmHWM");
    eprintln!("peak RSS after {warm} PDFs: {base} kB; after {DOCS}: {peak} kB");
    assert!(
        peak.saturating_sub(base) <= GROWTH_KB,
        "peak RSS rose from {base} kB to {peak} kB over {} different PDFs",
        DOCS - warm
    );
}
