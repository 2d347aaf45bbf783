//! Text hygiene shared by every layer: Vietnamese text is data, so it is normalised to NFC
//! before it is stored or rendered, and control characters never reach an output file.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// True when `s` is certainly NFC and holds no control character (but line breaks, when
/// `newlines` allows them): most text is, and is then copied instead of being recomposed.
fn already_clean(s: &str, newlines: bool) -> bool {
    is_nfc_quick(s.chars()) == IsNormalized::Yes
        && !s
            .chars()
            .any(|c| c.is_control() && !(newlines && c == '\n'))
}

/// Returns `s` in Unicode NFC with control characters removed (tabs and line breaks become
/// spaces), so that decomposed input ("Tự" typed as `T` + `u` + U+031B + U+0323) prints and
/// compares exactly like precomposed input.
pub fn clean(s: &str) -> String {
    if already_clean(s, false) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.nfc() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
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

/// Upper-cases Vietnamese text (Rust's Unicode case mapping handles every letter with its
/// tone mark) and keeps the result in NFC.
pub fn upper(s: &str) -> String {
    s.to_uppercase().nfc().collect()
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
}
