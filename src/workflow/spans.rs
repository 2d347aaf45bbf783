//! Where each node of a YAML file stands: an index from paths such as `steps[2].next[0]` to
//! line and column, so that a problem found after deserialising still names its place.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Line and column, both from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

enum Frame {
    Map {
        key: Option<String>,
        expect_key: bool,
    },
    Seq {
        index: usize,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    path: Vec<String>,
    spans: HashMap<String, Pos>,
    /// Scalars that may be written on one line: where their text starts, and the text.
    texts: HashMap<String, (usize, String)>,
}

/// How many columns after a scalar's place its text starts, when each of its characters then
/// stands in one column on that line: a one-line plain scalar (0), or a quoted one without
/// escapes (1). None for block scalars and anything else.
fn text_start(value: &str, style: TScalarStyle) -> Option<usize> {
    if value.contains('\n') {
        return None;
    }
    match style {
        TScalarStyle::Plain => Some(0),
        TScalarStyle::SingleQuoted if !value.contains('\'') => Some(1),
        TScalarStyle::DoubleQuoted if !value.contains(['"', '\\']) => Some(1),
        _ => None,
    }
}

fn pos(m: Marker) -> Pos {
    Pos {
        line: m.line(),
        col: m.col() + 1,
    }
}

impl Builder {
    /// The path of the node that starts now, and moves the parent to its next slot.
    fn enter_value(&mut self) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { index }) => {
                let p = format!("{}[{index}]", self.path.last().cloned().unwrap_or_default());
                *index += 1;
                Some(p)
            }
            Some(Frame::Map { key, expect_key }) => {
                if *expect_key {
                    return None;
                }
                *expect_key = true;
                let parent = self.path.last().cloned().unwrap_or_default();
                let k = key.take().unwrap_or_default();
                Some(if parent.is_empty() {
                    k
                } else {
                    format!("{parent}.{k}")
                })
            }
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(value, style, ..) => {
                if let Some(Frame::Map { key, expect_key }) = self.stack.last_mut()
                    && *expect_key
                {
                    *expect_key = false;
                    let parent = self.path.last().cloned().unwrap_or_default();
                    let p = if parent.is_empty() {
                        value.clone()
                    } else {
                        format!("{parent}.{value}")
                    };
                    // A key's own place, for "unknown field" style messages.
                    self.spans.entry(format!("{p}#key")).or_insert(pos(mark));
                    *key = Some(value);
                    return;
                }
                if let Some(p) = self.enter_value() {
                    if let Some(start) = text_start(&value, style) {
                        self.texts.entry(p.clone()).or_insert((start, value));
                    }
                    self.spans.entry(p).or_insert(pos(mark));
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let p = self.enter_value().unwrap_or_default();
                self.spans.entry(p.clone()).or_insert(pos(mark));
                self.path.push(p);
                self.stack.push(if matches!(ev, Event::MappingStart(..)) {
                    Frame::Map {
                        key: None,
                        expect_key: true,
                    }
                } else {
                    Frame::Seq { index: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.path.pop();
            }
            Event::Alias(_) => {
                self.enter_value();
            }
            _ => {}
        }
    }
}

/// Positions of every node of a YAML text (empty if the text does not parse: serde_yaml then
/// reports the syntax error with its own position), and for one-line scalars where their text
/// starts, so that a place inside a condition can be named.
#[derive(Debug, Default)]
pub struct Spans(HashMap<String, Pos>, HashMap<String, usize>);

impl Spans {
    pub fn of(text: &str) -> Spans {
        // A BOM (Notepad writes one) is not content: the YAML parser would stop at it and
        // every position would fall back to the file's start.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut b = Builder::default();
        let _ = Parser::new_from_str(text).load(&mut b, false);
        // A plain scalar folded over several lines has no line break in its value: keep only
        // the texts their line holds whole.
        let lines: Vec<&str> = text.lines().collect();
        let mut texts = HashMap::new();
        for (path, (start, value)) in b.texts {
            let Some(pos) = b.spans.get(&path) else {
                continue;
            };
            let on_line: String = lines
                .get(pos.line.saturating_sub(1))
                .map(|l| l.chars().skip(pos.col - 1 + start).collect())
                .unwrap_or_default();
            if on_line.starts_with(&value) {
                texts.insert(path, start);
            }
        }
        Spans(b.spans, texts)
    }

    /// The places of another document's nodes: each `(from, to)` copies the node `from` and
    /// everything below it to `to`. A merged procedure uses it to point its steps at the
    /// overlay lines they came from.
    pub fn remapped(&self, pairs: &[(String, String)]) -> Spans {
        fn moved<T: Copy>(
            map: &HashMap<String, T>,
            pairs: &[(String, String)],
        ) -> HashMap<String, T> {
            let mut out = HashMap::new();
            if let Some(root) = map.get("") {
                out.insert(String::new(), *root);
            }
            for (from, to) in pairs {
                for (k, v) in map {
                    if let Some(rest) = k.strip_prefix(from.as_str())
                        && (rest.is_empty() || rest.starts_with(['.', '[']))
                    {
                        out.insert(format!("{to}{rest}"), *v);
                    }
                }
            }
            out
        }
        Spans(moved(&self.0, pairs), moved(&self.1, pairs))
    }

    /// The place of the character `chars` characters into the text of the scalar at `path`
    /// (a condition's `case.x`), when it is one line written as is; else the scalar's place.
    pub fn inside(&self, path: &str, chars: usize) -> Pos {
        let at = self.at(path);
        match (self.0.get(path), self.1.get(path)) {
            (Some(_), Some(start)) => Pos {
                line: at.line,
                col: at.col + start + chars,
            },
            _ => at,
        }
    }

    /// The place of `path`, or of its nearest ancestor that has one.
    pub fn at(&self, path: &str) -> Pos {
        let mut p = path.to_string();
        loop {
            if let Some(pos) = self.0.get(&p) {
                return *pos;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p.truncate(i),
                None => return self.0.get("").copied().unwrap_or(Pos { line: 1, col: 1 }),
            }
        }
    }

    /// The place of a mapping key (falls back to its value's place).
    pub fn key(&self, path: &str) -> Pos {
        self.0
            .get(&format!("{path}#key"))
            .copied()
            .unwrap_or_else(|| self.at(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_to_positions() {
        let text = "id: x\nsteps:\n  - id: a\n    next: [b, c]\n  - id: b\n";
        let s = Spans::of(text);
        assert_eq!(s.at("id"), Pos { line: 1, col: 5 });
        assert_eq!(s.at("steps[0].id"), Pos { line: 3, col: 9 });
        assert_eq!(s.at("steps[0].next[1]"), Pos { line: 4, col: 15 });
        assert_eq!(s.at("steps[1].id"), Pos { line: 5, col: 9 });
        assert_eq!(s.key("steps[0].next"), Pos { line: 4, col: 5 });
        assert_eq!(s.at("steps[1].missing"), s.at("steps[1]"));
    }

    #[test]
    fn places_inside_one_line_scalars() {
        let text = "a: case.x > 1\nb: 'case.x'\nc: \"it's\"\nd: >-\n  case.x\ne: 'it''s'\n\
                    f: case.x &&\n  case.y\n";
        let s = Spans::of(text);
        assert_eq!(s.inside("a", 5), Pos { line: 1, col: 9 });
        assert_eq!(s.inside("b", 5), Pos { line: 2, col: 10 });
        assert_eq!(s.inside("c", 2), Pos { line: 3, col: 7 });
        // A block scalar and an escaped quote: the scalar's own place.
        assert_eq!(s.inside("d", 5), s.at("d"));
        assert_eq!(s.inside("e", 3), s.at("e"));
        // A plain scalar folded over two lines.
        assert_eq!(s.inside("f", 12), s.at("f"));
    }
}
