//! The procedure as a diagram, drawn on the server as SVG (no script, nothing fetched): each
//! step a box in the row of its distance from the first step, an arrow for each `next` with
//! the branch's condition as its tooltip, and the case's progress as the boxes' classes —
//! taken, open, not reached — styled by the page's own stylesheet (the CSP allows no inline
//! style). A list beside it says the same in text for screen readers and small screens.

use std::collections::{BTreeMap, VecDeque};

use maud::{Markup, html};

use crate::workflow::{Next, Workflow};

const BOX_W: u32 = 158;
const BOX_H: u32 = 60;
const GAP_X: u32 = 14;
const GAP_Y: u32 = 46;
const MARGIN: u32 = 12;
/// Characters on one line of a box, and lines at most.
const LINE: usize = 23;
const LINES: usize = 3;
/// Boxes side by side at most (the seven kinds of yearly work after ra mắt fit); more steps
/// at one distance take several lines. Lines of siblings make arrows pass under boxes, so
/// they are the exception.
const PER_ROW: usize = 8;

/// Where a step stands in the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Done,
    Open,
    Ahead,
}

impl Progress {
    fn class(self) -> &'static str {
        match self {
            Progress::Done => "node done",
            Progress::Open => "node open",
            Progress::Ahead => "node",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Progress::Done => "đã làm",
            Progress::Open => "đang mở",
            Progress::Ahead => "chưa đến",
        }
    }
}

/// Each step's row: its shortest distance from a step nothing leads to (the first), so that a
/// step reached again later (a loop) keeps its first place.
fn rows(w: &Workflow) -> BTreeMap<&str, usize> {
    let targets: Vec<&str> = w
        .steps
        .iter()
        .flat_map(|s| s.next.iter().map(Next::target))
        .collect();
    let mut row: BTreeMap<&str, usize> = BTreeMap::new();
    let mut queue: VecDeque<&str> = w
        .steps
        .iter()
        .map(|s| s.id.as_str())
        .filter(|id| !targets.contains(id))
        .collect();
    for id in &queue {
        row.insert(id, 0);
    }
    while let Some(id) = queue.pop_front() {
        let r = row[id];
        if let Some(s) = w.steps.iter().find(|s| s.id == id) {
            for n in &s.next {
                let t = n.target();
                if !row.contains_key(t) && w.steps.iter().any(|s| s.id == t) {
                    row.insert(t, r + 1);
                    queue.push_back(t);
                }
            }
        }
    }
    // Steps nothing reaches (a cycle with no entry) go last, rather than vanish.
    let last = row.values().max().map_or(0, |m| m + 1);
    for s in &w.steps {
        row.entry(s.id.as_str()).or_insert(last);
    }
    row
}

/// A title cut into lines of a box.
fn wrap(title: &str) -> Vec<String> {
    let mut lines: Vec<String> = vec![String::new()];
    for word in title.split_whitespace() {
        let cur = lines.last_mut().expect("one line at least");
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > LINE {
            lines.push(word.to_string());
        } else {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
        }
    }
    if lines.len() > LINES {
        lines.truncate(LINES);
        let last = &mut lines[LINES - 1];
        let keep: String = last.chars().take(LINE - 1).collect();
        *last = format!("{keep}…");
    }
    lines
}

/// The diagram of `w`, with `progress` giving each step's class.
pub fn svg(w: &Workflow, progress: impl Fn(&str) -> Progress) -> Markup {
    let row = rows(w);
    let mut by_distance: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for s in &w.steps {
        by_distance
            .entry(row[s.id.as_str()])
            .or_default()
            .push(&s.id);
    }
    let by_row: BTreeMap<usize, Vec<&str>> = by_distance
        .values()
        .flat_map(|ids| ids.chunks(PER_ROW).map(<[&str]>::to_vec))
        .enumerate()
        .collect();
    let widest = by_row.values().map(Vec::len).max().unwrap_or(1) as u32;
    let width = 2 * MARGIN + widest * BOX_W + (widest - 1) * GAP_X;
    let height = 2 * MARGIN + by_row.len() as u32 * (BOX_H + GAP_Y) - GAP_Y;
    // Each row centred.
    let mut at: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    for (r, ids) in &by_row {
        let n = ids.len() as u32;
        let row_w = n * BOX_W + (n - 1) * GAP_X;
        let x0 = (width - row_w) / 2;
        for (i, id) in ids.iter().enumerate() {
            let x = x0 + i as u32 * (BOX_W + GAP_X);
            let y = MARGIN + *r as u32 * (BOX_H + GAP_Y);
            at.insert(id, (x, y));
        }
    }
    html! {
        svg.diagram xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (width) " " (height) }
            width=(width) height=(height) role="img" aria-labelledby="so-do-tieu-de" {
            title #so-do-tieu-de { "Sơ đồ quy trình " (w.title) }
            defs {
                marker #mui-ten viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse" {
                    // Closed explicitly: in HTML, an SVG element written `<path>` is not void.
                    path d="M 0 0 L 10 5 L 0 10 z" class="arrow" {}
                }
            }
            @for s in &w.steps {
                @for n in &s.next {
                    @if let (Some((x1, y1)), Some((x2, y2))) = (at.get(s.id.as_str()), at.get(n.target())) {
                        @let (sx, sy) = (x1 + BOX_W / 2, y1 + BOX_H);
                        @let (tx, ty) = (x2 + BOX_W / 2, *y2);
                        // An arrow to a row above (or the same) goes round the side.
                        @let d = if ty > sy {
                            format!("M {sx} {sy} C {sx} {} {tx} {} {tx} {ty}", sy + GAP_Y / 2, ty - GAP_Y / 2)
                        } else {
                            format!("M {} {} C {} {} {} {} {} {}", x1 + BOX_W, y1 + BOX_H / 2, x1 + BOX_W + GAP_X, y1 + BOX_H / 2, x2 + BOX_W + GAP_X, y2 + BOX_H / 2, x2 + BOX_W, y2 + BOX_H / 2)
                        };
                        path.edge.branch[matches!(n, Next::Branch { when: Some(_), .. })] d=(d) marker-end="url(#mui-ten)" {
                            @if let Next::Branch { when: Some(c), .. } = n { title { "khi " (c) } }
                        }
                    }
                }
            }
            @for s in &w.steps {
                @if let Some((x, y)) = at.get(s.id.as_str()) {
                    @let p = progress(&s.id);
                    g class=(p.class()) {
                        title { (s.title) " — " (p.words()) }
                        rect x=(x) y=(y) width=(BOX_W) height=(BOX_H) rx="6" {}
                        @let lines = wrap(&s.title);
                        @let top = y + BOX_H / 2 + 4 - (lines.len() as u32 - 1) * 7;
                        text x=(x + BOX_W / 2) y=(top) text-anchor="middle" {
                            @for (i, l) in lines.iter().enumerate() {
                                tspan x=(x + BOX_W / 2) dy=(if i == 0 { 0 } else { 15 }) { (l) }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_titles_fit_three_lines() {
        let lines = wrap(
            "Báo cáo kết quả năm và đề nghị xếp loại (trước ngày 05/11) của Ban Chỉ đạo mô hình \
             camera an ninh",
        );
        assert_eq!(lines.len(), LINES);
        assert!(lines.iter().all(|l| l.chars().count() <= LINE), "{lines:?}");
        assert!(lines[2].ends_with('…'));
        assert_eq!(wrap("Khảo sát"), vec!["Khảo sát".to_string()]);
    }
}
