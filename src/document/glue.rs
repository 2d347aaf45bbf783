//! Where a line may not break: inside a number and symbol ("201/QĐ-UBND", "01-NQ/ĐU",
//! "9745/QĐ-BCA-V05", a date "21/3/2023") and inside a name ("Kon Klốc", "Đắk Hà", "Nguyễn Văn
//! Hòa", "Tổ quốc"). A văn thư fixes "huyện Đắk / Hà" or "Số 201/QĐ- / UBND" by hand; the
//! renderers keep these runs whole instead — the PDF a name with no-break spaces (stretched in
//! a justified line like other spaces; poppler extracts them as spaces) and a symbol as an
//! unbreakable box (its text as written), the DOCX with no-break spaces (U+00A0), no-break
//! hyphens (U+2011, which LibreOffice saves back as `w:noBreakHyphen`) and a word joiner
//! (U+2060) after a slash; reading a DOCX back ([`plain`]) gives the text as written.
//!
//! Values arrive in running text already substituted by the templates, so the runs are found
//! by their form: a symbol is a word of capitals and digits joined by "/" or "-", or of single
//! letters joined by "/" ("(b/c)" in a Nơi nhận line); a name is
//! two to five consecutive capitalised words (Vietnamese writes proper names so, and common
//! words in lower case: "thôn Kon Klốc", "Ủy ban nhân dân xã Đắk Mar"), plus "Tổ quốc".
//! Words in capitals only (an agency's header, "MTTQ") are not names here: header lines keep
//! the agency's own breaks and are refused when too long.

use std::ops::Range;

/// Names of more words than this stay breakable: a line must still be able to end somewhere.
const MAX_NAME_WORDS: usize = 5;
/// Longer symbols (a web address) stay breakable.
const MAX_SYMBOL_CHARS: usize = 32;

/// Leading and trailing punctuation around a word's core.
fn is_edge_punct(c: char) -> bool {
    matches!(
        c,
        '“' | '”'
            | '"'
            | '\''
            | '‘'
            | '’'
            | '('
            | ')'
            | '['
            | ']'
            | ','
            | '.'
            | ';'
            | ':'
            | '!'
            | '?'
            | '…'
    )
}

struct Word {
    /// Byte range of the whole word, with its punctuation, in the text.
    whole: Range<usize>,
    /// Byte range of the word's core (without edge punctuation) in the text.
    core: Range<usize>,
    /// Punctuation before or after the core.
    lead: bool,
    trail: bool,
}

fn words(s: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        if c == ' ' {
            if let Some(b) = start.take() {
                let w: &str = &s[b..i];
                let core_start = b + (w.len() - w.trim_start_matches(is_edge_punct).len());
                let core_end = b + w.trim_end_matches(is_edge_punct).len();
                if core_start < core_end {
                    out.push(Word {
                        whole: b..i,
                        core: core_start..core_end,
                        lead: core_start > b,
                        trail: core_end < i,
                    });
                }
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    out
}

/// "201/QĐ-UBND", "01-NQ/ĐU", "21/3/2023", "/QĐ-UBND" of a draft: capitals and digits joined by
/// "/" or "-", no lower-case letter.
fn is_symbol(w: &str) -> bool {
    w.chars().count() <= MAX_SYMBOL_CHARS
        && w.chars().any(|c| c == '/' || c == '-')
        && w.chars().any(|c| c.is_alphanumeric())
        && w.chars()
            .all(|c| c == '/' || c == '-' || c == '.' || c.is_numeric() || c.is_uppercase())
}

/// "b/c" (báo cáo), "đ/c", "t/h": single letters joined by "/", as recipient lines abbreviate
/// what a copy is sent for.
fn is_letter_abbreviation(w: &str) -> bool {
    let mut parts = w.split('/');
    let one_letter = |p: &str| {
        let mut cs = p.chars();
        cs.next().is_some_and(char::is_alphabetic) && cs.next().is_none()
    };
    w.contains('/') && parts.all(one_letter)
}

/// A capitalised word: "Kon", "Đắk", "Nguyễn" (not "MTTQ", not "xã").
fn is_capitalised(w: &str) -> bool {
    let mut cs = w.chars();
    cs.next().is_some_and(char::is_uppercase)
        && cs.clone().any(char::is_lowercase)
        && cs.all(char::is_alphabetic)
}

/// Whether `b` continues the name `a` begins or continues.
fn continues(s: &str, a: &Word, b: &Word) -> bool {
    if a.trail || b.lead || s[a.core.end..b.core.start] != *" " {
        return false;
    }
    let (x, y) = (&s[a.core.clone()], &s[b.core.clone()]);
    (is_capitalised(x) && is_capitalised(y)) || (x == "Tổ" && y == "quốc")
}

/// The byte ranges of `s` that must not break across lines, in order, disjoint; each holds a
/// place where a line could otherwise break (a space, "/" or "-"). A range runs from space to
/// space: the punctuation around a name or symbol ("“Kon Klốc”,") is inside it, so that a
/// renderer setting it apart adds no break or gap before a comma.
pub fn unbreakable(s: &str) -> Vec<Range<usize>> {
    let ws = words(s);
    let mut out = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        let mut j = i;
        while j + 1 < ws.len() && continues(s, &ws[j], &ws[j + 1]) {
            j += 1;
        }
        if j > i {
            if j - i < MAX_NAME_WORDS {
                out.push(ws[i].whole.start..ws[j].whole.end);
            }
            i = j + 1;
            continue;
        }
        let core = &s[ws[i].core.clone()];
        if is_symbol(core) || is_letter_abbreviation(core) {
            out.push(ws[i].whole.clone());
        }
        i += 1;
    }
    out
}

/// `s` split into (piece, must stay whole) in order.
pub fn pieces(s: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut at = 0;
    for r in unbreakable(s) {
        if r.start > at {
            out.push((&s[at..r.start], false));
        }
        out.push((&s[r.clone()], true));
        at = r.end;
    }
    if at < s.len() {
        out.push((&s[at..], false));
    }
    out
}

/// The pieces of `s` a line may break between: its words, a name or a symbol counting as one
/// ("Nguyễn Thị Phương Thảo"). What the narrowest column holding `s` must fit.
pub fn words_whole(s: &str) -> Vec<&str> {
    let runs = unbreakable(s);
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        let inside = runs.iter().any(|r| r.start < i && i < r.end);
        if c == ' ' && !inside {
            if let Some(b) = start.take() {
                out.push(&s[b..i]);
            }
        } else if start.is_none() && c != ' ' {
            start = Some(i);
        }
    }
    out
}

/// `s` with its unbreakable runs joined by characters a word processor does not break at: a
/// no-break space (U+00A0), a no-break hyphen (U+2011; LibreOffice and Word draw it as "-"),
/// a word joiner (U+2060) after a slash. Reading a DOCX back turns them into plain text again
/// ([`plain`]).
pub fn joined(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for (piece, whole) in pieces(s) {
        if !whole {
            out.push_str(piece);
            continue;
        }
        let mut cs = piece.chars().peekable();
        while let Some(c) = cs.next() {
            match c {
                ' ' => out.push('\u{a0}'),
                '-' => out.push('\u{2011}'),
                '/' => {
                    out.push('/');
                    if cs.peek().is_some() {
                        out.push('\u{2060}');
                    }
                }
                c => out.push(c),
            }
        }
    }
    out
}

/// The inverse of [`joined`]: no-break spaces and hyphens as plain ones, word joiners dropped.
pub fn plain(s: &str) -> String {
    s.chars()
        .filter(|&c| c != '\u{2060}')
        .map(|c| match c {
            '\u{a0}' => ' ',
            '\u{2011}' => '-',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(s: &str) -> Vec<&str> {
        unbreakable(s).into_iter().map(|r| &s[r]).collect()
    }

    #[test]
    fn symbols_and_names_stay_whole() {
        assert_eq!(
            runs("ban hành kèm theo Quyết định số 9745/QĐ-BCA-V05 ngày 21/3/2023,"),
            ["9745/QĐ-BCA-V05", "21/3/2023,"]
        );
        assert_eq!(
            runs("an ninh Tổ quốc tại thôn Kon Klốc, xã Đắk Mar, huyện Đắk Hà"),
            ["Tổ quốc", "Kon Klốc,", "Đắk Mar,", "Đắk Hà"]
        );
        assert_eq!(
            runs("Nghị quyết số 01-NQ/ĐU của Đảng ủy; Số:      /QĐ-UBND"),
            ["01-NQ/ĐU", "/QĐ-UBND"]
        );
        assert_eq!(runs("“Tổ tự quản” Đại tá Lê Thanh Hùng"), ["Lê Thanh Hùng"]);
        assert_eq!(
            runs("- Ban Thường vụ Huyện ủy (b/c); đ/c Hà và/hoặc"),
            ["Ban Thường", "(b/c);", "đ/c"]
        );
        // Capitals only, lower case only, punctuation between: breakable.
        assert!(runs("ỦY BAN NHÂN DÂN XÃ ĐẮK MAR, MTTQ Việt, Nam").is_empty());
        assert!(runs("an ninh, trật tự - xã hội").is_empty());
    }

    #[test]
    fn a_name_is_one_word_for_the_narrowest_column() {
        assert_eq!(
            words_whole("Ông Nguyễn Thị Phương Thảo, thôn Kon Klốc"),
            ["Ông Nguyễn Thị Phương Thảo,", "thôn", "Kon Klốc"]
        );
    }

    #[test]
    fn joined_text_reads_back_as_written() {
        let s = "Quyết định số 201/QĐ-UBND của xã Đắk Hà";
        let j = joined(s);
        assert_eq!(
            j,
            "Quyết định số 201/\u{2060}QĐ\u{2011}UBND của xã Đắk\u{a0}Hà"
        );
        assert_eq!(plain(&j), s);
    }
}
