//! Text hygiene shared by every layer: Vietnamese text is data, so it is normalised to NFC
//! before it is stored or rendered, and control characters never reach an output file.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Characters that change how text is shown without being seen: the bidirectional controls
/// (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069), which can make "2.000.000" print
/// as "000.000.2" or hide a word, and the zero-width characters (U+200B–U+200D, U+2060,
/// U+FEFF), which split a name so that it no longer matches itself. None belongs in a
/// Vietnamese administrative document.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'
            | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// A character `clean` removes (when `newlines` holds, a line feed is kept).
fn unwanted(c: char, newlines: bool) -> bool {
    (c.is_control() && !(newlines && c == '\n')) || is_invisible(c)
}

/// True when `s` is certainly NFC and holds no character `clean` removes: most text is, and
/// is then copied instead of being recomposed.
fn already_clean(s: &str, newlines: bool) -> bool {
    is_nfc_quick(s.chars()) == IsNormalized::Yes && !s.chars().any(|c| unwanted(c, newlines))
}

/// Returns `s` in Unicode NFC with control, bidirectional and zero-width characters removed
/// (tabs and line breaks become spaces), so that decomposed input ("Tự" typed as `T` + `u` +
/// U+031B + U+0323) prints and compares exactly like precomposed input and nothing hidden
/// reorders or splits the text. Characters are removed before composing, so that a mark
/// separated from its letter by a removed character still composes with it.
pub fn clean(s: &str) -> String {
    if already_clean(s, false) {
        return s.to_string();
    }
    s.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if unwanted(c, false) => None,
            c => Some(c),
        })
        .nfc()
        .collect()
}

/// Like [`clean`] but keeps line breaks, for multi-line values such as an agency name printed
/// on two lines.
pub fn clean_multiline(s: &str) -> String {
    if already_clean(s, true) {
        return s.to_string();
    }
    s.split('\n')
        .map(|line| clean(line.trim_end_matches('\r')))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Escapes a user value for the Markdown subset of template bodies: every ASCII punctuation
/// character is backslash-escaped (CommonMark allows that for all of them), so a name such as
/// `Tổ *an ninh* #1 <A&B>` stays literal text and can never open emphasis, a heading, a list,
/// a table cell, raw HTML or an entity reference.
pub fn escape_markdown(s: &str) -> String {
    let cleaned = clean(s);
    let mut out = String::with_capacity(cleaned.len() + 8);
    for c in cleaned.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The text starting a sentence: its first letter upper-cased ("huyện Đăk Hà" → "Huyện Đăk
/// Hà"), in NFC.
pub fn sentence_start(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| {
            f.to_uppercase()
                .chain(c)
                .collect::<String>()
                .nfc()
                .collect()
        })
        .unwrap_or_default()
}

/// Upper-cases Vietnamese text (Rust's Unicode case mapping handles every letter with its
/// tone mark) and keeps the result in NFC.
pub fn upper(s: &str) -> String {
    s.to_uppercase().nfc().collect()
}

/// The last word of the administrative units whose proper name follows it: "xã Đắk Mar",
/// "thị trấn Đắk Hà", "thành phố Kon Tum", "đặc khu Phú Quốc".
const UNIT_WORDS: [&str; 8] = [
    "xã",
    "phường",
    "huyện",
    "quận",
    "tỉnh",
    "trấn",
    "phố",
    "khu",
];

/// Names whose capitals running text keeps after the first word.
const KEPT_CAPITALS: [(&str, &str); 3] = [
    ("ban chỉ đạo", "Ban Chỉ đạo"),
    ("mặt trận tổ quốc", "Mặt trận Tổ quốc"),
    ("việt nam", "Việt Nam"),
];

fn is_vowel(c: char) -> bool {
    c.to_lowercase()
        .flat_map(|l| std::iter::once(l).nfd().next())
        .any(|b| "aeiouy".contains(b))
}

/// "UBND", "MTTQ", "CAX": no vowel, or after its vowels letters no syllable ends with (a
/// Vietnamese syllable, or a Tây Nguyên name as "Đắk Mar", ends in at most two of c h m n g p
/// t k r l).
fn is_acronym(w: &str) -> bool {
    let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
    let Some(last_vowel) = letters.iter().rposition(|&c| is_vowel(c)) else {
        return !letters.is_empty();
    };
    let tail = &letters[last_vowel + 1..];
    tail.len() > 2
        || tail
            .iter()
            .any(|c| !"chmngptkrl".contains(c.to_lowercase().next().unwrap_or(*c)))
}

fn capitalised(word: &str) -> String {
    match word.char_indices().find(|(_, c)| c.is_alphabetic()) {
        Some((at, c)) => format!(
            "{}{}{}",
            &word[..at],
            upper(&c.to_string()),
            &word[at + c.len_utf8()..]
        ),
        None => word.to_string(),
    }
}

/// An agency's name as its header prints it in capitals ("ỦY BAN NHÂN DÂN\nXÃ ĐẮK MAR") in
/// running text, as a citation names the issuer ("Ủy ban nhân dân xã Đắk Mar"): lower case but
/// the first word, the place after an administrative unit, a quoted name's first word, and
/// acronyms (a word without a vowel: UBND, MTTQ, THCS).
pub fn running_name(s: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut place = false;
    for w in s.split_whitespace() {
        let lower: String = w.to_lowercase().nfc().collect();
        let acronym = is_acronym(w);
        words.push(if acronym {
            w.to_string()
        } else if words.is_empty() || place || lower.starts_with('“') {
            capitalised(&lower)
        } else {
            lower.clone()
        });
        place |= UNIT_WORDS.contains(&lower.trim_matches(|c: char| !c.is_alphabetic()));
    }
    let mut out = words.join(" ");
    for (from, to) in KEPT_CAPITALS {
        out = out.replace(from, to).replace(&capitalised(from), to);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_input_becomes_nfc() {
        let nfd = "Tu\u{031B}\u{0323} do";
        assert_eq!(clean(nfd), "Tự do");
        assert_eq!(clean(nfd).chars().count(), 5);
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(clean("A\u{0007}B\tC\nD"), "AB C D");
        assert_eq!(
            clean_multiline("BAN CHỈ ĐẠO\nTỈNH\u{0000}"),
            "BAN CHỈ ĐẠO\nTỈNH"
        );
    }

    #[test]
    fn bidi_and_zero_width_characters_are_dropped() {
        // U+202E would print the amount reversed; U+202C ends the override.
        assert_eq!(
            clean("Số tiền: \u{202E}000.000.2\u{202C} đồng"),
            "Số tiền: 000.000.2 đồng"
        );
        assert_eq!(
            clean("\u{FEFF}Nguyễn\u{200B} Văn\u{2060} A\u{200D}"),
            "Nguyễn Văn A"
        );
        assert_eq!(
            clean("\u{2067}Tổ\u{2069} \u{200E}an\u{200F} ninh\u{061C}\u{202A}\u{202B}\u{202D}"),
            "Tổ an ninh"
        );
        assert_eq!(
            clean_multiline("BAN CHỈ ĐẠO\u{2066}\r\nTỈNH\u{200C}"),
            "BAN CHỈ ĐẠO\nTỈNH"
        );
    }

    #[test]
    fn a_mark_composes_across_a_dropped_character() {
        assert_eq!(clean("Nguye\u{0302}\u{200B}\u{0303}n"), "Nguyễn");
        assert_eq!(clean("e\u{0007}\u{0301}"), "é");
        assert_eq!(clean("Tu\u{031B}\u{FEFF}\u{0323}"), "Tự");
    }

    #[test]
    fn markup_characters_are_text_to_clean() {
        let s = "Tổ \"an ninh\" & <b>*A*</b> 'x' #1";
        assert_eq!(clean(s), s);
        assert_eq!(
            escape_markdown("\u{202E}Tổ & <b>*\"x\"*"),
            r#"Tổ \& \<b\>\*\"x\"\*"#
        );
    }

    #[test]
    fn markdown_specials_are_escaped() {
        assert_eq!(escape_markdown("a*b_c#<d>&e|f"), r"a\*b\_c\#\<d\>\&e\|f");
        assert_eq!(escape_markdown("1. Tổ"), r"1\. Tổ");
    }

    #[test]
    fn upper_keeps_tone_marks() {
        assert_eq!(
            upper("ủy ban nhân dân xã đắk mar"),
            "ỦY BAN NHÂN DÂN XÃ ĐẮK MAR"
        );
    }
    #[test]
    fn agency_names_in_running_text() {
        for (caps, running) in [
            ("ỦY BAN NHÂN DÂN\nXÃ ĐẮK MAR", "Ủy ban nhân dân xã Đắk Mar"),
            ("CÔNG AN XÃ ĐẮK MAR", "Công an xã Đắk Mar"),
            ("ĐẢNG ỦY XÃ ĐẮK MAR", "Đảng ủy xã Đắk Mar"),
            (
                "ỦY BAN NHÂN DÂN THỊ TRẤN ĐẮK HÀ",
                "Ủy ban nhân dân thị trấn Đắk Hà",
            ),
            (
                "BAN CHỈ ĐẠO MÔ HÌNH\n“CAMERA AN NINH”",
                "Ban Chỉ đạo mô hình “Camera an ninh”",
            ),
            ("UBND TỈNH BẮC KẠN", "UBND tỉnh Bắc Kạn"),
            ("ỦY BAN MTTQ VIỆT NAM XÃ", "Ủy ban MTTQ Việt Nam xã"),
        ] {
            assert_eq!(running_name(caps), running, "{caps}");
        }
    }
}
