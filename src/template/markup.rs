//! The Markdown subset of template bodies, parsed with pulldown-cmark into model blocks.
//!
//! | Markdown                         | block                                         |
//! |----------------------------------|-----------------------------------------------|
//! | paragraph                        | justified paragraph, first-line indent        |
//! | paragraph opening `Điều N.`      | article, label in bold                        |
//! | `# TEXT`                         | centred bold line ("QUYẾT ĐỊNH:", "Chương I") |
//! | `## I. TEXT` / `###` / `####`    | section heading / titled khoản / titled điểm  |
//! | `> line` (one basis per line)    | căn cứ lines, italic, ";" and final "."       |
//! | `- item`, `1. item`              | list item with its marker                     |
//! | pipe table                       | table, first row as header                    |
//! | `**bold**`, `*italic*`           | emphasis                                      |
//! | `text[^1]` and `[^1]: note`      | footnote                                      |
//! | line ending in `\`               | line break                                    |
//!
//! Anything else (HTML, code, links, images) is kept as plain text: a template cannot smuggle
//! markup into an output format.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::document::body::{Block, Inline, Span, Table};

/// Parsed body: blocks and footnote texts in order of first reference.
#[derive(Debug, Default, PartialEq)]
pub struct Body {
    pub blocks: Vec<Block>,
    pub footnotes: Vec<Vec<Inline>>,
    /// What could not be read: a chart whose figures are not numbers, say.
    pub problems: Vec<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Container {
    Paragraph,
    Heading(u8),
    Item,
    Cell,
    Footnote,
}

struct State {
    body: Body,
    /// Footnote labels in order of first reference; index + 1 is the printed number.
    labels: Vec<String>,
    /// Footnote definitions by label, filled as they are met.
    definitions: Vec<(String, Vec<Inline>)>,
    inlines: Vec<Inline>,
    bold: u32,
    italic: u32,
    quote: u32,
    list_stack: Vec<Option<u64>>,
    marker: String,
    container: Vec<Container>,
    table: Option<Table>,
    row: Vec<Vec<Inline>>,
    in_head: bool,
    can_cu: Vec<Vec<Inline>>,
    /// The text of a chart (a fenced block ```` ```bieu-do ````) being read.
    chart: Option<String>,
}

/// Parses a rendered template body.
pub fn parse(src: &str) -> Body {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES;
    let mut st = State {
        body: Body::default(),
        labels: Vec::new(),
        definitions: Vec::new(),
        inlines: Vec::new(),
        bold: 0,
        italic: 0,
        quote: 0,
        list_stack: Vec::new(),
        marker: String::new(),
        container: Vec::new(),
        table: None,
        row: Vec::new(),
        in_head: false,
        can_cu: Vec::new(),
        chart: None,
    };
    for ev in Parser::new_ext(src, opts) {
        st.event(ev);
    }
    st.flush_can_cu();
    let State {
        mut body,
        labels,
        mut definitions,
        ..
    } = st;
    body.footnotes = labels
        .iter()
        .map(|l| {
            definitions
                .iter_mut()
                .find(|(d, _)| d == l)
                .map(|(_, v)| std::mem::take(v))
                .unwrap_or_else(|| vec![Inline::plain(format!("[^{l}]"))])
        })
        .collect();
    body
}

impl State {
    fn text(&mut self, t: &str) {
        let (bold, italic) = (self.bold > 0, self.italic > 0);
        if let Some(Inline::Text(last)) = self.inlines.last_mut()
            && last.bold == bold
            && last.italic == italic
        {
            last.text.push_str(t);
            return;
        }
        self.inlines.push(Inline::Text(Span {
            text: t.to_string(),
            bold,
            italic,
        }));
    }

    fn take(&mut self) -> Vec<Inline> {
        let mut v = std::mem::take(&mut self.inlines);
        trim(&mut v);
        v
    }

    fn flush_can_cu(&mut self) {
        if !self.can_cu.is_empty() {
            let lines = std::mem::take(&mut self.can_cu);
            self.body
                .blocks
                .push(Block::CanCu(crate::document::body::can_cu_lines(lines)));
        }
    }

    fn push_block(&mut self, b: Block) {
        self.flush_can_cu();
        self.body.blocks.push(b);
    }

    fn event(&mut self, ev: Event) {
        match ev {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) if self.chart.is_some() => {
                if let Some(c) = &mut self.chart {
                    c.push_str(&t);
                }
            }
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                self.text(&t)
            }
            Event::SoftBreak => {
                if self.quote > 0 {
                    self.end_can_cu_line();
                } else {
                    self.text(" ");
                }
            }
            Event::HardBreak => {
                if self.quote > 0 {
                    self.end_can_cu_line();
                } else {
                    self.inlines.push(Inline::Break);
                }
            }
            Event::FootnoteReference(label) => {
                let label = label.to_string();
                let n = match self.labels.iter().position(|l| *l == label) {
                    Some(i) => i + 1,
                    None => {
                        self.labels.push(label);
                        self.labels.len()
                    }
                };
                self.inlines.push(Inline::FootnoteRef(n));
            }
            Event::Rule | Event::TaskListMarker(_) => {}
            _ => {}
        }
    }

    fn end_can_cu_line(&mut self) {
        let line = self.take();
        if !line.is_empty() {
            self.can_cu.push(line);
        }
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Paragraph => self.container.push(Container::Paragraph),
            Tag::Heading { level, .. } => {
                let l = match level {
                    HeadingLevel::H1 => 1,
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    _ => 4,
                };
                self.container.push(Container::Heading(l));
            }
            Tag::BlockQuote(_) => self.quote += 1,
            Tag::List(start) => self.list_stack.push(start),
            Tag::Item => {
                let marker = match self.list_stack.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}.");
                        *n += 1;
                        m
                    }
                    _ => "-".to_string(),
                };
                // A nested list's item ends the text gathered so far for its parent item.
                if self.container.last() == Some(&Container::Item) && !self.inlines.is_empty() {
                    let content = self.take();
                    let parent = std::mem::take(&mut self.marker);
                    self.push_block(Block::ListItem {
                        marker: parent,
                        content,
                    });
                }
                self.marker = marker;
                self.container.push(Container::Item);
            }
            Tag::Table(_) => {
                self.table = Some(Table {
                    header: Vec::new(),
                    rows: Vec::new(),
                })
            }
            Tag::TableHead => self.in_head = true,
            Tag::TableRow => self.row.clear(),
            Tag::TableCell => self.container.push(Container::Cell),
            Tag::FootnoteDefinition(label) => {
                self.container.push(Container::Footnote);
                self.definitions.push((label.to_string(), Vec::new()));
            }
            Tag::Emphasis => self.italic += 1,
            Tag::Strong => self.bold += 1,
            Tag::CodeBlock(CodeBlockKind::Fenced(info)) if info.trim() == "bieu-do" => {
                self.chart = Some(String::new());
            }
            _ => {}
        }
    }

    /// One arm per Markdown element the subset knows; the arms are short and independent.
    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.container.pop();
                match self.container.last() {
                    Some(Container::Item) | Some(Container::Footnote) => {
                        // Paragraphs inside an item or a footnote join with a space.
                        self.text(" ");
                    }
                    _ if self.quote > 0 => self.end_can_cu_line(),
                    _ => {
                        let content = self.take();
                        if !content.is_empty() {
                            let block = article(content);
                            self.push_block(block);
                        }
                    }
                }
            }
            TagEnd::Heading(_) => {
                let Some(Container::Heading(level)) = self.container.pop() else {
                    return;
                };
                let content = self.take();
                self.push_block(if level == 1 {
                    Block::Centered(content)
                } else {
                    Block::Heading {
                        level: level - 1,
                        content,
                    }
                });
            }
            TagEnd::BlockQuote(_) => {
                self.quote = self.quote.saturating_sub(1);
                if self.quote == 0 {
                    self.end_can_cu_line();
                    self.flush_can_cu();
                }
            }
            TagEnd::List(_) => {
                self.list_stack.pop();
            }
            TagEnd::Item => {
                self.container.pop();
                let content = self.take();
                let marker = std::mem::take(&mut self.marker);
                if !content.is_empty() {
                    self.push_block(Block::ListItem { marker, content });
                }
            }
            TagEnd::TableCell => {
                self.container.pop();
                let cell = self.take();
                self.row.push(cell);
            }
            TagEnd::TableHead => {
                self.in_head = false;
                if let Some(t) = &mut self.table {
                    t.header = std::mem::take(&mut self.row);
                }
            }
            TagEnd::TableRow => {
                if let Some(t) = &mut self.table {
                    t.rows.push(std::mem::take(&mut self.row));
                }
            }
            TagEnd::Table => {
                if let Some(t) = self.table.take() {
                    self.push_block(Block::Table(t));
                }
            }
            TagEnd::FootnoteDefinition => {
                self.container.pop();
                let content = self.take();
                if let Some((_, v)) = self.definitions.last_mut() {
                    *v = content;
                }
            }
            TagEnd::CodeBlock => {
                if let Some(text) = self.chart.take() {
                    match crate::document::body::Chart::parse(&text) {
                        Ok(c) => self.push_block(Block::Chart(c)),
                        Err(e) => self.body.problems.push(e),
                    }
                }
            }
            TagEnd::Emphasis => self.italic = self.italic.saturating_sub(1),
            TagEnd::Strong => self.bold = self.bold.saturating_sub(1),
            _ => {}
        }
    }
}

/// Trims white space at both ends of a block's inlines and drops empty runs.
fn trim(v: &mut Vec<Inline>) {
    if let Some(Inline::Text(s)) = v.first_mut() {
        s.text = s.text.trim_start().to_string();
    }
    if let Some(Inline::Text(s)) = v.last_mut() {
        s.text = s.text.trim_end().to_string();
    }
    v.retain(|i| !matches!(i, Inline::Text(s) if s.text.is_empty()));
}

/// Turns a paragraph that opens with "Điều N." into an article with that label.
fn article(mut content: Vec<Inline>) -> Block {
    let Some(Inline::Text(first)) = content.first_mut() else {
        return Block::Paragraph(content);
    };
    let Some(label_len) = article_label_len(&first.text) else {
        return Block::Paragraph(content);
    };
    let label = first.text[..label_len].to_string();
    first.text = first.text[label_len..].trim_start().to_string();
    if first.text.is_empty() {
        content.remove(0);
    } else {
        // The label and the article's text are separated by one space.
        first.text.insert(0, ' ');
    }
    Block::Article { label, content }
}

/// Length in bytes of a leading "Điều 12." label.
fn article_label_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix("Điều ")?;
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || !rest[digits..].starts_with('.') {
        return None;
    }
    Some("Điều ".len() + digits + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(v: &[Inline]) -> String {
        v.iter()
            .map(|i| match i {
                Inline::Text(s) => s.text.clone(),
                Inline::Break => "\n".into(),
                Inline::FootnoteRef(n) => format!("^{n}"),
            })
            .collect()
    }

    #[test]
    fn blocks_of_a_decision() {
        let b = parse(
            "# QUYẾT ĐỊNH:\n\n> Căn cứ Luật A\n> Căn cứ Nghị định B;\n> Theo đề nghị của C\n\n\
             Điều 1. Thành lập mô hình.\n\n## I. MỤC ĐÍCH\n\n- Một\n- Hai\n\n1. Ba\n",
        );
        assert_eq!(b.blocks.len(), 7, "{:#?}", b.blocks);
        assert!(matches!(&b.blocks[0], Block::Centered(c) if texts(c) == "QUYẾT ĐỊNH:"));
        match &b.blocks[1] {
            Block::CanCu(lines) => {
                let l: Vec<String> = lines.iter().map(|l| texts(l)).collect();
                assert_eq!(
                    l,
                    [
                        "Căn cứ Luật A;",
                        "Căn cứ Nghị định B;",
                        "Theo đề nghị của C."
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(&b.blocks[2], Block::Article { label, content } if label == "Điều 1." && texts(content) == " Thành lập mô hình.")
        );
        assert!(matches!(&b.blocks[3], Block::Heading { level: 1, .. }));
        assert!(matches!(&b.blocks[4], Block::ListItem { marker, .. } if marker == "-"));
        assert!(matches!(&b.blocks[6], Block::ListItem { marker, .. } if marker == "1."));
    }

    #[test]
    fn escaped_specials_stay_text() {
        let v = crate::text::escape_markdown("Tổ *an ninh* #1 <b>&amp; | 1. _x_");
        let b = parse(&format!("Tên: {v}\n"));
        match &b.blocks[0] {
            Block::Paragraph(c) => {
                assert_eq!(texts(c), "Tên: Tổ *an ninh* #1 <b>&amp; | 1. _x_");
                assert!(
                    c.iter()
                        .all(|i| matches!(i, Inline::Text(s) if !s.bold && !s.italic))
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn table_and_footnote() {
        let b = parse(
            "Xem bảng[^a].\n\n| TT | Họ tên |\n|---|---|\n| 1 | An |\n| 2 | Bình |\n\n[^a]: Ghi chú.\n",
        );
        assert_eq!(b.footnotes.len(), 1);
        assert_eq!(texts(&b.footnotes[0]), "Ghi chú.");
        match &b.blocks[1] {
            Block::Table(t) => {
                assert_eq!(t.header.len(), 2);
                assert_eq!(t.rows.len(), 2);
                assert_eq!(texts(&t.rows[1][1]), "Bình");
            }
            other => panic!("{other:?}"),
        }
    }
}
