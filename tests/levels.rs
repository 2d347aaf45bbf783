//! Issue 14, item 5: law and administrative levels by date. A template names no level and no
//! dated law itself; a case after the 2025 reform (Thái Nguyên, a phường) issues documents
//! without a district, a thị trấn or the 2015/2019 law, and a case before it still cites the
//! law then in force.

mod common;

use common::*;

/// What a template prints that only one period's documents may say: a level that ended or
/// began in 2025, a law or plan that changed. Returns each as (word, context).
fn hard_coded(text: &str) -> Vec<(String, String)> {
    const DATED: [&str; 7] = [
        "huyện",
        "thị trấn",
        "thị xã",
        "đặc khu",
        "chính quyền địa phương",
        "630/kh",
        "612/kh",
    ];
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    let context = |at: usize| {
        let start = lower.floor_char_boundary(at.saturating_sub(30));
        let end = lower.ceil_char_boundary((at + 30).min(lower.len()));
        lower[start..end].to_string()
    };
    for w in DATED {
        for (at, _) in lower.match_indices(w) {
            out.push((w.to_string(), context(at)));
        }
    }
    // "xã" as the commune's kind ("Ủy ban nhân dân xã"), not the level's name ("cấp xã") nor
    // "xã hội".
    for (at, _) in lower.match_indices("xã") {
        let before = lower[..at].chars().next_back();
        let after = &lower[at + "xã".len()..];
        let word = !before.is_some_and(char::is_alphanumeric)
            && !after.chars().next().is_some_and(char::is_alphanumeric);
        if word && !after.starts_with(" hội") && !lower[..at].ends_with("cấp ") {
            out.push(("xã".into(), context(at)));
        }
    }
    out
}

/// The text a template prints: its body and the front-matter strings that reach the page.
fn printed(src: &str) -> String {
    let rest = src.strip_prefix("---\n").unwrap();
    let end = rest.find("\n---\n").unwrap();
    let front: serde_yaml::Value = serde_yaml::from_str(&rest[..end]).unwrap();
    let mut out = vec![rest[end + 5..].to_string()];
    for key in ["trich_yeu", "kinh_gui", "noi_nhan", "attached_to"] {
        if let Some(v) = front.get(key) {
            out.push(serde_yaml::to_string(v).unwrap());
        }
    }
    out.join("\n")
}

#[test]
fn no_template_writes_a_level_or_a_dated_law() {
    // The check itself catches what the templates had.
    assert_eq!(hard_coded("- Công an huyện {{huyen}} (b/c)").len(), 1);
    assert_eq!(hard_coded("Ủy ban nhân dân xã {{xa}}").len(), 1);
    assert!(hard_coded("Công an cấp xã; tệ nạn xã hội").is_empty());
    let mut found = Vec::new();
    let mut read = 0;
    for e in std::fs::read_dir(root().join("templates")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "hbs") {
            read += 1;
            let src = std::fs::read_to_string(&p).unwrap();
            for (w, at) in hard_coded(&printed(&src)) {
                found.push(format!(
                    "{}: “{w}” in …{at}…",
                    p.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(read >= 40, "{read} templates read");
    assert!(found.is_empty(), "{}", found.join("\n"));
}
