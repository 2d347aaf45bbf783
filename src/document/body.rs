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
    /// A bar chart of figures (a report's ratings by locality, its models by year).
    Chart(Chart),
}

impl Block {
    /// An article whose line is its title only — "**Điều 4. Trưởng mô hình và luân phiên**",
    /// its text in the paragraphs after it, as a quy chế writes its articles: a heading, kept
    /// with the text that follows it (never alone at the foot of a page).
    pub fn is_article_title(&self) -> bool {
        match self {
            Block::Article { content, .. } => content.iter().all(|i| match i {
                Inline::Text(s) => s.bold || s.text.trim().is_empty(),
                Inline::Break => true,
                Inline::FootnoteRef(_) => true,
            }),
            _ => false,
        }
    }
}

/// A bar chart: one horizontal bar a category, its series stacked in it, a legend under it.
/// Both renderers draw it from this data — the PDF as vector shapes, the DOCX as a picture of
/// the same drawing — so the two never disagree. Counts only: a report's charts count models.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Chart {
    pub title: String,
    /// The series' names, in stacking order ("Tốt", "Khá", …).
    pub series: Vec<String>,
    /// Each category with one value a series.
    pub rows: Vec<(String, Vec<u32>)>,
}

impl Chart {
    /// A chart written as a template writes it (a fenced block `bieu-do`): a title line, then
    /// a pipe table whose first row names the series and whose first column the categories;
    /// numbers as Vietnamese print writes them ("1.234"). Values a template inserted arrive
    /// Markdown-escaped (`\|`, `\.`); an escaped `|` is text, not a cell border.
    pub fn parse(text: &str) -> std::result::Result<Chart, String> {
        let mut title = String::new();
        let mut table: Vec<Vec<String>> = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if line.starts_with('|') {
                let cells = cells(line);
                if !cells
                    .iter()
                    .all(|c| !c.is_empty() && c.chars().all(|ch| "-: ".contains(ch)))
                {
                    table.push(cells);
                }
            } else if table.is_empty() {
                title = unescape(line);
            } else {
                return Err(format!(
                    "biểu đồ “{title}”: dòng `{line}` không thuộc bảng số liệu"
                ));
            }
        }
        let Some((head, body)) = table.split_first() else {
            return Err(format!("biểu đồ “{title}” không có bảng số liệu"));
        };
        let series: Vec<String> = head.iter().skip(1).cloned().collect();
        if series.is_empty() {
            return Err(format!(
                "biểu đồ “{title}”: hàng đầu phải nêu các dãy số liệu"
            ));
        }
        let mut rows = Vec::new();
        for r in body {
            let (name, values) = r.split_first().expect("a row has cells");
            if values.len() != series.len() {
                return Err(format!(
                    "biểu đồ “{title}”: dòng “{name}” có {} số, cần {}",
                    values.len(),
                    series.len()
                ));
            }
            let values = values
                .iter()
                .map(|v| {
                    v.replace('.', "").parse::<u32>().map_err(|_| {
                        format!("biểu đồ “{title}”: dòng “{name}”: `{v}` không phải số đếm")
                    })
                })
                .collect::<std::result::Result<Vec<u32>, String>>()?;
            rows.push((name.clone(), values));
        }
        Ok(Chart {
            title,
            series,
            rows,
        })
    }

    /// The longest bar's total, at least 1.
    pub fn max(&self) -> u32 {
        self.rows
            .iter()
            .map(|(_, v)| v.iter().sum::<u32>())
            .max()
            .unwrap_or(0)
            .max(1)
    }
}

/// A pipe-table line's cells, split at unescaped `|`, unescaped and trimmed.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push('\\');
                    cur.push(n);
                }
            }
            '|' => out.push(unescape(std::mem::take(&mut cur).trim())),
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(unescape(cur.trim()));
    }
    out
}

/// Drops the backslash Markdown escaping put before ASCII punctuation.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|n| n.is_ascii_punctuation()) {
            continue;
        }
        out.push(c);
    }
    out
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

    #[test]
    fn a_chart_reads_its_title_series_and_counts() {
        // As a template writes it, values Markdown-escaped by the template engine.
        let c = Chart::parse(
            "Xếp loại theo địa bàn\n| | Tốt | Khá |\n|---|---|---|\n| huyện A\\*\\|B | 1\\.234 | 0 |\n| xã C | 2 | 3 |\n",
        )
        .unwrap();
        assert_eq!(c.title, "Xếp loại theo địa bàn");
        assert_eq!(c.series, ["Tốt", "Khá"]);
        assert_eq!(c.rows[0], ("huyện A*|B".to_string(), vec![1234, 0]));
        assert_eq!(c.rows[1].1, [2, 3]);
        assert_eq!(c.max(), 1234);
    }

    #[test]
    fn a_chart_with_words_for_numbers_or_no_table_is_refused() {
        for (text, want) in [
            ("T\n| | Tốt |\n| A | nhiều |\n", "`nhiều` không phải số đếm"),
            ("T\n| | Tốt |\n| A | 1 | 2 |\n", "có 2 số, cần 1"),
            ("T\n", "không có bảng số liệu"),
            ("T\n| A |\n", "hàng đầu phải nêu các dãy số liệu"),
            ("T\n| | Tốt |\nchữ\n", "không thuộc bảng số liệu"),
            ("T\n| | Tốt |\n| A | -1 |\n", "không phải số đếm"),
        ] {
            let e = Chart::parse(text).unwrap_err();
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }

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
