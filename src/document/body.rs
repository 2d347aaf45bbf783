//! The body of a document as typed blocks, independent of any output format.

/// A run of text with its emphasis.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
}

/// Inline content of a block.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Inline {
    Text(Span),
    /// A forced line break inside the block.
    Break,
    /// A reference to `Document::footnotes[n - 1]`, printed as a superscript `n`.
    FootnoteRef(usize),
}

impl Inline {
    pub fn plain(text: impl Into<String>) -> Self {
        Inline::Text(Span {
            text: text.into(),
            bold: false,
            italic: false,
        })
    }

    pub fn bold(text: impl Into<String>) -> Self {
        Inline::Text(Span {
            text: text.into(),
            bold: true,
            italic: false,
        })
    }
}

/// A table; the first row is the header, printed bold and centred.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Table {
    pub header: Vec<Vec<Inline>>,
    pub rows: Vec<Vec<Vec<Inline>>>,
}

/// One block of the body. Serialised to keep a body edited in Word with its document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Block {
    /// Justified text with a first-line indent.
    Paragraph(Vec<Inline>),
    /// A centred bold line: "QUYẾT ĐỊNH:", "Chương I", a chapter title.
    Centered(Vec<Inline>),
    /// A bold heading of a section ("I. MỤC ĐÍCH, YÊU CẦU", level 1), a titled khoản
    /// ("1. Mục đích", level 2) or a titled điểm (level 3, bold italic).
    Heading {
        level: u8,
        content: Vec<Inline>,
    },
    /// An article: the label "Điều 1." in bold, then its text.
    Article {
        label: String,
        content: Vec<Inline>,
    },
    /// The căn cứ lines of a decision, italic; punctuation is fixed by [`can_cu_lines`].
    CanCu(Vec<Vec<Inline>>),
    /// A list item with its marker ("-", "1.", "a)").
    ListItem {
        marker: String,
        content: Vec<Inline>,
    },
    Table(Table),
}

/// Ends each căn cứ line with ";" and the last with ".", whatever the author typed.
pub fn can_cu_lines(mut lines: Vec<Vec<Inline>>) -> Vec<Vec<Inline>> {
    let n = lines.len();
    for (i, line) in lines.iter_mut().enumerate() {
        let end = if i + 1 == n { "." } else { ";" };
        if let Some(Inline::Text(span)) =
            line.iter_mut().rev().find(|x| matches!(x, Inline::Text(_)))
        {
            let kept = super::ky::strip_end(&span.text).len();
            span.text.truncate(kept);
            span.text.push_str(end);
        }
    }
    lines
}

/// The closing mark "./." that ends the content of every sample of the decree's Phụ lục III:
/// appended to the last text block unless the author wrote it.
pub fn close(blocks: &mut [Block]) {
    let content = match blocks.last_mut() {
        Some(
            Block::Paragraph(c)
            | Block::Article { content: c, .. }
            | Block::ListItem { content: c, .. },
        ) => c,
        _ => return,
    };
    if let Some(Inline::Text(span)) = content
        .iter_mut()
        .rev()
        .find(|x| matches!(x, Inline::Text(_)))
    {
        if span.text.ends_with("./.") {
            return;
        }
        let kept = span.text.trim_end().trim_end_matches(['.', ';', ',']).len();
        span.text.truncate(kept);
        span.text.push_str("./.");
    }
}

/// Điểm labels of the decree: Vietnamese letters without f, j, w, z, with đ after d:
/// a), b), c), d), đ), e), g), h), i), k) …; past the alphabet the letters double.
pub fn diem(n: usize) -> String {
    const LETTERS: [&str; 22] = [
        "a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o", "p", "q", "r", "s",
        "t", "u", "v", "x",
    ];
    let i = n.saturating_sub(1);
    let letter = LETTERS[i % LETTERS.len()];
    format!("{}{})", letter, letter.repeat(i / LETTERS.len()))
}

/// Roman numerals for Phần, Chương and numbered appendices.
pub fn la_ma(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut s = String::new();
    for (v, r) in TABLE {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &[Inline]) -> String {
        line.iter()
            .map(|i| match i {
                Inline::Text(s) => s.text.as_str(),
                _ => "",
            })
            .collect()
    }

    #[test]
    fn diem_labels() {
        let got: Vec<String> = (1..=10).map(diem).collect();
        assert_eq!(
            got,
            ["a)", "b)", "c)", "d)", "đ)", "e)", "g)", "h)", "i)", "k)"]
        );
        assert_eq!(diem(23), "aa)");
    }

    #[test]
    fn roman() {
        assert_eq!(la_ma(1), "I");
        assert_eq!(la_ma(2), "II");
        assert_eq!(la_ma(4), "IV");
        assert_eq!(la_ma(14), "XIV");
    }

    #[test]
    fn can_cu_punctuation() {
        let lines = vec![
            vec![Inline::plain("Căn cứ A")],
            vec![Inline::plain("Căn cứ B.")],
            vec![Inline::plain("Theo đề nghị của C;")],
        ];
        let got: Vec<String> = can_cu_lines(lines).iter().map(|l| text(l)).collect();
        assert_eq!(got, ["Căn cứ A;", "Căn cứ B;", "Theo đề nghị của C."]);
    }
}
