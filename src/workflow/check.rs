//! Validation of a workflow: every problem with its file, line and column, so that a provincial
//! officer who edits a procedure finds each mistake at once.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fmt;
use std::path::PathBuf;

use chrono::NaiveDate;

use super::{Deadline, Loaded, Next, guards};

/// What a definition may name outside itself: the templates that exist and the procedures
/// loaded beside it (for `starts:`). The procedure layer knows templates only by id.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub templates: BTreeSet<String>,
    pub workflows: BTreeSet<String>,
}

impl Known {
    pub fn new<'a, 'b>(
        templates: impl IntoIterator<Item = &'a str>,
        workflows: impl IntoIterator<Item = &'b str>,
    ) -> Known {
        Known {
            templates: templates.into_iter().map(str::to_string).collect(),
            workflows: workflows.into_iter().map(str::to_string).collect(),
        }
    }
}

/// One problem in a workflow file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.col,
            self.message
        )
    }
}

/// Dates of the RFC 5545 rules are checked against; any fixed start does.
const RULE_START: &str = "DTSTART:20220101T000000Z\nRRULE:";

/// Checks an RFC 5545 recurrence rule.
pub fn rule_error(rule: &str) -> Option<String> {
    format!("{RULE_START}{rule}")
        .parse::<rrule::RRuleSet>()
        .err()
        .map(|e| rule_words(&e))
}

/// A rule's error in words a provincial officer can act on; the library's own for the rare
/// ones (time zones, start dates, which a deadline rule does not write).
fn rule_words(e: &rrule::RRuleError) -> String {
    use rrule::{ParseError as P, RRuleError as E};
    let list = |part: &str, v: &str, from: i32, to: i32| {
        format!(
            "`{v}` không phải giá trị {part}: cần các số từ {from} đến {to}, cách nhau bằng dấu \
             phẩy (ví dụ {part}=3,6,9,12)"
        )
    };
    match e {
        E::ParserError(p) => match p {
            P::InvalidFrequency(v) => format!(
                "`{v}` không phải tần suất lặp (FREQ): dùng DAILY, WEEKLY, MONTHLY hoặc YEARLY"
            ),
            P::InvalidWeekday(v) | P::InvalidWeekdayStart(v) => {
                format!("`{v}` không phải thứ trong tuần: dùng MO, TU, WE, TH, FR, SA hoặc SU")
            }
            P::InvalidInterval(v) => {
                format!("`{v}` không phải khoảng lặp (INTERVAL): cần một số nguyên dương")
            }
            P::InvalidCount(v) => {
                format!("`{v}` không phải số lần lặp (COUNT): cần một số nguyên dương")
            }
            P::InvalidByMonth(v) => list("BYMONTH", v, 1, 12),
            P::InvalidByMonthDay(v) => list("BYMONTHDAY", v, -31, 31),
            P::InvalidByYearDay(v) => list("BYYEARDAY", v, -366, 366),
            P::InvalidByWeekNo(v) => list("BYWEEKNO", v, -53, 53),
            P::InvalidBySetPos(v) => format!(
                "`{v}` không phải giá trị BYSETPOS: cần các số nguyên cách nhau bằng dấu phẩy"
            ),
            P::InvalidDateTimeFormat(v) | P::InvalidDateTime { value: v, .. } => {
                format!("`{v}` không phải ngày viết đúng: UNTIL=YYYYMMDD (ví dụ UNTIL=20301231)")
            }
            P::DuplicateProperty(v) => format!("`{v}` viết hai lần trong quy tắc"),
            P::InvalidParameterFormat(v) | P::UnrecognizedParameter(v) => format!(
                "`{v}` không phải phần của quy tắc RFC 5545 (FREQ=…;BYMONTH=…;BYMONTHDAY=…)"
            ),
            _ => e.to_string(),
        },
        _ => e.to_string(),
    }
}

/// Why a rule that parses still gives no deadline a case can meet: it repeats within a day
/// (a deadline is a day: the step would be due again before it opens), or it gives no date from
/// the day the procedure applies (30/02, 31/06, an UNTIL already past), so the step would
/// silently never be due.
pub fn rule_dates_error(rule: &str, from: NaiveDate) -> Option<String> {
    for part in rule.split(';') {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        let key = key.trim().to_ascii_uppercase();
        let value = value.trim().to_ascii_uppercase();
        let sub_daily = matches!(value.as_str(), "SECONDLY" | "MINUTELY" | "HOURLY");
        if (key == "FREQ" && sub_daily)
            || matches!(key.as_str(), "BYHOUR" | "BYMINUTE" | "BYSECOND")
        {
            return Some(format!(
                "quy tắc `{rule}` lặp trong ngày ({key}={value}): hạn tính theo ngày, dùng \
                 FREQ=DAILY, WEEKLY, MONTHLY hoặc YEARLY"
            ));
        }
    }
    if crate::engine::calendar::next_occurrence(rule, from).is_none() {
        return Some(format!(
            "quy tắc `{rule}` không cho ngày nào từ {} (ngày quy trình áp dụng): ngày không có \
             trong tháng (như 30/02, 31/06) hay UNTIL đã qua",
            from.format("%d/%m/%Y")
        ));
    }
    None
}

/// The longest condition a definition may hold.
pub const MAX_EXPRESSION: usize = 2000;

/// How deep comprehension macros (`all`, `exists`, `exists_one`, `map`, `filter`) may nest: one
/// level covers "every criterion is met"; nesting multiplies the work by each list's length
/// and a few nested ones over small lists run for minutes.
pub const MAX_MACRO_NESTING: usize = 1;

/// The deepest nesting of comprehension macros in a CEL expression, outside string literals.
pub fn macro_nesting(expr: &str) -> usize {
    const MACROS: [&str; 5] = [".all(", ".exists(", ".exists_one(", ".map(", ".filter("];
    // The parenthesis depth at which each open macro call began.
    let mut open: Vec<usize> = Vec::new();
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut chars = expr.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => {
                depth += 1;
                if MACROS.iter().any(|m| expr[..=i].ends_with(m)) {
                    open.push(depth);
                    deepest = deepest.max(open.len());
                }
            }
            (None, ')') => {
                if open.last() == Some(&depth) {
                    open.pop();
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    deepest
}

/// Checks a CEL expression compiles and is bounded; the message gives the place inside the
/// expression ("1:17: mismatched input '<EOF>'") without the parser's list of expected tokens.
pub fn expression_error(expr: &str) -> Option<String> {
    if let Some(e) = bound_error(expr) {
        return Some(e);
    }
    let e = cel::Program::compile(expr).err()?.to_string();
    let first = e.lines().next().unwrap_or("sai cú pháp");
    let first = first.strip_prefix("ERROR: <input>:").unwrap_or(first);
    let first = first.split(" expecting ").next().unwrap_or(first);
    Some(syntax_words(&first.replace(": Syntax error: ", ": ")))
}

/// The condition parser's words ("1:29: extraneous input '&&'") in Vietnamese, the position
/// kept; a message not known here stays as it is.
fn syntax_words(message: &str) -> String {
    let (at, what) = match message.split_once(": ") {
        Some((at, what)) if at.chars().all(|c| c.is_ascii_digit() || c == ':') => {
            (format!("{at}: "), what)
        }
        _ => (String::new(), message),
    };
    let said = if let Some(x) = what.strip_prefix("extraneous input ") {
        format!("thừa {x}")
    } else if let Some(x) = what.strip_prefix("mismatched input '<EOF>'") {
        format!("biểu thức dừng giữa chừng{x}")
    } else if let Some(x) = what.strip_prefix("mismatched input ") {
        format!("không đặt được {x} ở đây")
    } else if let Some(x) = what.strip_prefix("no viable alternative at input ") {
        format!("không hiểu được đoạn {x}")
    } else if let Some(x) = what.strip_prefix("token recognition error at: ") {
        format!("ký tự không dùng được trong điều kiện: {x}")
    } else if let Some(x) = what.strip_prefix("missing ") {
        format!("thiếu {}", x.replacen(" at ", " trước ", 1))
    } else {
        return message.to_string();
    };
    format!("{at}{said}")
}

/// Why a condition could run too long (its length, its nested comprehensions), read from its
/// text without compiling it: cheap enough to ask before every evaluation.
pub fn bound_error(expr: &str) -> Option<String> {
    if expr.len() > MAX_EXPRESSION {
        return Some(format!(
            "biểu thức dài {} ký tự (tối đa {MAX_EXPRESSION})",
            expr.len()
        ));
    }
    let nesting = macro_nesting(expr);
    if nesting > MAX_MACRO_NESTING {
        return Some(format!(
            "các vòng lặp (all, exists, map, filter) lồng {nesting} tầng (tối đa \
             {MAX_MACRO_NESTING}): việc tính có thể kéo dài hàng phút"
        ));
    }
    None
}

/// Parses an ISO 8601 period of years, months, weeks and days: `P1Y`, `P10M`, `P2W`, `P1Y6M`.
pub fn period(s: &str) -> Option<(u32, u32, u32)> {
    let mut rest = s.strip_prefix('P')?;
    let (mut y, mut m, mut d) = (0, 0, 0);
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let n: u32 = rest[..digits].parse().ok()?;
        match rest[digits..].chars().next()? {
            'Y' => y += n,
            'M' => m += n,
            'W' => d += 7 * n,
            'D' => d += n,
            _ => return None,
        }
        rest = &rest[digits + 1..];
    }
    Some((y, m, d))
}

/// Lower-case letters, digits and hyphens; a province's merged procedure is `<base>@<province>`.
fn valid_id(id: &str) -> bool {
    id.split('@').count() <= 2
        && id.split('@').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

/// Words Mermaid's flowchart grammar reads as its own when a node id is one of them or starts
/// with one and a hyphen (`end`, `style-x`): found by parsing each with Mermaid 11 (see
/// tests/mermaid.rs). `click`, `call` and `href` break only alone.
const MERMAID_WORDS: [&str; 7] = [
    "end",
    "graph",
    "subgraph",
    "flowchart",
    "style",
    "class",
    "interpolate",
];

/// Why a step id would break the procedure's Mermaid diagram (`hoso workflow show --format
/// mermaid`, the web's SVG), where each step id is a node id.
fn mermaid_id_error(id: &str) -> Option<String> {
    let word = MERMAID_WORDS
        .iter()
        .chain(&["click", "call", "href"])
        .find(|w| id == **w)
        .or_else(|| {
            MERMAID_WORDS
                .iter()
                .find(|w| id.strip_prefix(**w).is_some_and(|r| r.starts_with('-')))
        });
    if let Some(w) = word {
        let example = if *w == "end" { ", như `ket-thuc`" } else { "" };
        return Some(format!(
            "mã bước `{id}`: `{w}` là từ khóa của sơ đồ Mermaid (hoso workflow show --format \
             mermaid), sơ đồ sẽ hỏng; đặt mã khác{example}"
        ));
    }
    id.contains("--").then(|| {
        format!(
            "mã bước `{id}`: `--` là mũi tên trong sơ đồ Mermaid (hoso workflow show --format \
             mermaid), sơ đồ sẽ hỏng; dùng một dấu gạch nối"
        )
    })
}

/// The problems of one file given to `hoso workflow check`: its problems, or the error that
/// kept it from being read at all.
#[derive(Debug)]
pub struct FileCheck {
    pub path: PathBuf,
    pub problems: Vec<Problem>,
    pub unreadable: Option<crate::error::Error>,
}

/// The province files a `successor` may name: `<base>@<province>` with the first day each
/// applies.
pub type Provinces = BTreeMap<String, NaiveDate>;

/// Province files by key, `<base>@<province>`, each with the first day its earliest version
/// applies.
pub fn provinces(files: impl IntoIterator<Item = (String, NaiveDate)>) -> Provinces {
    let mut out = Provinces::new();
    for (key, from) in files {
        let first = out.entry(key).or_insert(from);
        *first = (*first).min(from);
    }
    out
}

/// A province file's `successor` (the province it merges into, 2025 reform) must name a province
/// file of the same base among `provinces`, taking over the day after `effective_until`.
pub fn successor(o: &super::overlay::LoadedOverlay, provinces: &Provinces) -> Option<Problem> {
    let ov = &o.overlay;
    let next = ov.successor.as_ref()?;
    let key = format!("{}@{next}", ov.base());
    let message = match (ov.effective_until, provinces.get(&key)) {
        (None, _) => format!(
            "successor `{next}`: tệp tỉnh chuyển sang tỉnh kế thừa thì phải có effective_until \
             (ngày cuối cùng áp dụng)"
        ),
        (Some(_), None) => {
            let same_base: Vec<&str> = provinces
                .keys()
                .filter_map(|k| k.strip_prefix(&format!("{}@", ov.base())))
                .filter(|p| *p != ov.province)
                .collect();
            format!(
                "successor `{next}`: không có tệp tỉnh `{next}` cho quy trình `{}` (có: {})",
                ov.base(),
                same_base.join(", ")
            )
        }
        (Some(until), Some(from)) if until.succ_opt() != Some(*from) => format!(
            "successor `{next}`: tệp tỉnh `{next}` áp dụng từ {}, phải là ngày sau effective_until \
             ({}), tức {}",
            from.format("%d/%m/%Y"),
            until.format("%d/%m/%Y"),
            until
                .succ_opt()
                .map_or_else(String::new, |d| d.format("%d/%m/%Y").to_string())
        ),
        _ => return None,
    };
    let p = o.spans.at("successor");
    Some(Problem {
        path: o.path.clone(),
        line: p.line,
        col: p.col,
        message,
    })
}

/// Checks workflow files and province overlays, each on its own, every problem of every file.
/// An overlay is merged with the base it extends: a base given among `files` (`workflow check
/// base.yaml provinces/x.yaml`) before one of `loaded` (a folder's or the built-in ones), and
/// the merged procedure checked; its `successor` is looked for among the province files of
/// `loaded` and of `files`.
pub fn check_files(files: &[PathBuf], known: &Known, loaded: &[super::Workflow]) -> Vec<FileCheck> {
    use super::overlay::{LoadedOverlay, base_of};
    let texts: Vec<(&PathBuf, Result<String, String>)> = files
        .iter()
        .map(|f| {
            let text = crate::fsutil::read_input_text(f, crate::fsutil::LIMIT_DATA);
            (f, text.map_err(|e| e.to_string()))
        })
        .collect();
    let top =
        |f: &PathBuf, text: &str| crate::fsutil::parse_yaml::<serde_yaml::Value>(f, text, 0).ok();
    let has =
        |v: &Option<serde_yaml::Value>, k: &str| v.as_ref().is_some_and(|v| v.get(k).is_some());
    // The bases given: parsed, or by the id they would have when they do not parse.
    let mut given = Vec::new();
    let mut given_broken: Vec<(String, &PathBuf)> = Vec::new();
    let mut overlay_keys = Vec::new();
    for (f, text) in &texts {
        let Ok(text) = text else { continue };
        let v = top(f, text);
        if has(&v, "extends") {
            overlay_keys.extend(LoadedOverlay::parse(f, text).ok().map(|o| o.overlay.key()));
        } else if has(&v, "steps") || !has(&v, "year") {
            match Loaded::parse(f, text) {
                Ok(w) => given.push(w.workflow),
                Err(_) => {
                    given_broken.extend(super::identity(f, Some(text), false).0.map(|id| (id, *f)))
                }
            }
        }
    }
    let shadowed =
        |id: &str| given.iter().any(|g| g.id == id) || given_broken.iter().any(|(b, _)| b == id);
    let bases: Vec<&super::Workflow> = given
        .iter()
        .chain(
            loaded
                .iter()
                .filter(|w| !w.id.contains('@') && !shadowed(&w.id)),
        )
        .collect();
    let mut known = known.clone();
    known.workflows.extend(given.iter().map(|g| g.id.clone()));
    let provinces = provinces(
        loaded
            .iter()
            .filter(|w| w.id.contains('@'))
            .map(|w| (w.id.clone(), w.effective_from))
            .chain(overlay_keys),
    );
    texts
        .into_iter()
        .map(|(f, text)| {
            let found = text.map_err(crate::error::Error::Invalid).and_then(|text| {
                let v = top(f, &text);
                // A year of days off (workflows/ngay-nghi), checked before it is built in.
                if has(&v, "year") && !has(&v, "steps") {
                    return crate::engine::days_off::DaysOff::default()
                        .add(f, &text)
                        .map(|()| Vec::new());
                }
                if !has(&v, "extends") {
                    return Loaded::parse(f, &text).map(|w| check(&w, &known));
                }
                let o = LoadedOverlay::parse(f, &text)?;
                let mut problems = match given_broken.iter().find(|(id, _)| id == o.overlay.base())
                {
                    Some((id, path)) => {
                        let p = o.spans.at("extends");
                        vec![Problem {
                            path: f.clone(),
                            line: p.line,
                            col: p.col,
                            message: format!(
                                "extends: quy trình gốc `{id}` ({}) có lỗi; sửa tệp ấy trước rồi \
                                 kiểm lại tệp tỉnh",
                                path.display()
                            ),
                        }]
                    }
                    None => match base_of(&o, bases.iter().copied()) {
                        Err(p) => vec![p],
                        Ok(base) => match o.merge(base) {
                            Ok(merged) => check(
                                &Loaded {
                                    path: f.clone(),
                                    spans: o.spans_for(&merged),
                                    workflow: merged,
                                },
                                &known,
                            ),
                            Err(p) => p,
                        },
                    },
                };
                problems.extend(successor(&o, &provinces));
                problems.sort_by_key(|p| (p.line, p.col));
                Ok(problems)
            });
            match found {
                Ok(problems) => FileCheck {
                    path: f.clone(),
                    problems,
                    unreadable: None,
                },
                Err(e) => FileCheck {
                    path: f.clone(),
                    problems: Vec::new(),
                    unreadable: Some(e),
                },
            }
        })
        .collect()
}

/// Every problem of a loaded workflow, in file order.
pub fn check(w: &Loaded, known: &Known) -> Vec<Problem> {
    let mut out = Vec::new();
    // A node, its key (`key`), or with `+N` the Nth character of a condition written on one
    // line (`steps[2].requires[0].when+5`, at `ty_le` of `case.ty_le`).
    let mut say = |node: &str, key: bool, message: String| {
        let inside = node
            .rsplit_once('+')
            .and_then(|(n, c)| Some((n, c.parse().ok()?)));
        let p = match inside {
            Some((n, chars)) => w.spans.inside(n, chars),
            None if key => w.spans.key(node),
            None => w.spans.at(node),
        };
        out.push(Problem {
            path: w.path.clone(),
            line: p.line,
            col: p.col,
            message,
        });
    };
    let wf = &w.workflow;

    if !valid_id(&wf.id) {
        say(
            "id",
            false,
            format!(
                "mã `{}` chỉ gồm chữ thường không dấu, chữ số và dấu gạch nối",
                wf.id
            ),
        );
    }
    for (name, f) in &wf.fields {
        if f.ty == super::FieldType::Enum && f.values.is_empty() {
            say(
                &format!("fields.{name}"),
                true,
                format!(
                    "trường `{name}` kiểu enum nhưng không có `values` (các giá trị được chọn)"
                ),
            );
        }
    }
    for (i, id) in wf.required_steps.iter().enumerate() {
        if !wf.steps.iter().any(|s| &s.id == id) {
            say(
                &format!("required_steps[{i}]"),
                false,
                format!(
                    "required_steps: không có bước `{id}`{}",
                    did_you_mean(id, wf.steps.iter().map(|s| s.id.as_str()))
                ),
            );
        }
    }
    if let Some(form) = &wf.thong_ke {
        for m in form.problems() {
            say("thong_ke", true, format!("bảng thống kê: {m}"));
        }
    }
    if wf.steps.is_empty() {
        say("steps", false, "quy trình cần ít nhất một bước".into());
        return out;
    }
    for (i, s) in wf.steps.iter().enumerate() {
        for (name, f) in &s.inputs {
            if f.ty == super::FieldType::ThongKe && wf.thong_ke.is_none() {
                say(
                    &format!("steps[{i}].inputs.{name}"),
                    true,
                    format!(
                        "bước `{}`: `{name}` kiểu thong-ke nhưng quy trình không khai báo \
                         bảng thống kê (thong_ke: title, indicators)",
                        s.id
                    ),
                );
            }
        }
    }

    let mut first_at: HashMap<&str, usize> = HashMap::new();
    for (i, s) in wf.steps.iter().enumerate() {
        let at = |field: &str| format!("steps[{i}].{field}");
        if !valid_id(&s.id) {
            say(
                &at("id"),
                false,
                format!(
                    "mã bước `{}` chỉ gồm chữ thường không dấu, chữ số và dấu gạch nối",
                    s.id
                ),
            );
        }
        if let Some(e) = mermaid_id_error(&s.id) {
            say(&at("id"), false, e);
        }
        if let Some(j) = first_at.get(s.id.as_str()) {
            let line = w.spans.at(&format!("steps[{j}].id")).line;
            say(
                &at("id"),
                false,
                format!("mã bước `{}` trùng (lần đầu ở dòng {line})", s.id),
            );
        } else {
            first_at.insert(&s.id, i);
        }
        check_step(i, s, wf, known, &mut say);
    }

    // A `next` naming no step is the root problem: the steps behind it would only be
    // reported again as unreachable.
    let dangling = wf
        .steps
        .iter()
        .flat_map(|s| &s.next)
        .any(|n| !wf.steps.iter().any(|x| x.id == n.target()));
    if !dangling {
        unreachable(wf, &first_at, &mut say);
    }
    out.sort_by_key(|p| (p.line, p.col));
    out
}

/// The problems of one step: its actor, guards, documents, schedule, the case it starts and
/// where it leads. One short check per key of a step, in the order a step is written; the
/// procedures issue (#13) adds type checks here and will split it by key.
fn check_step(
    i: usize,
    s: &super::Step,
    wf: &super::Workflow,
    known: &Known,
    say: &mut impl FnMut(&str, bool, String),
) {
    let at = |field: &str| format!("steps[{i}].{field}");
    if !wf.roles.contains_key(&s.actor) {
        let known: Vec<&str> = wf.roles.keys().map(String::as_str).collect();
        say(
            &at("actor"),
            false,
            format!(
                "không có vai trò `{}` (các vai trò: {})",
                s.actor,
                known.join(", ")
            ),
        );
    }
    for (name, f) in &s.inputs {
        if f.ty == super::FieldType::Enum && f.values.is_empty() {
            say(
                &at(&format!("inputs.{name}")),
                true,
                format!(
                    "dữ liệu `{name}` của bước `{}` kiểu enum nhưng không có `values` (các giá \
                     trị được chọn)",
                    s.id
                ),
            );
        }
    }
    for (k, g) in s.requires.iter().enumerate() {
        if let Some(id) = &g.id
            && s.requires[..k].iter().any(|x| x.id.as_ref() == Some(id))
        {
            say(
                &at(&format!("requires[{k}].id")),
                false,
                format!("bước `{}`: mã điều kiện `{id}` trùng", s.id),
            );
        }
        let node = at(&format!("requires[{k}].when"));
        if let Some(e) = expression_error(&g.when) {
            say(&node, false, format!("điều kiện (guard) viết sai: {e}"));
        }
        for (chars, p) in guards::problems(&g.when, wf, s) {
            say(
                &format!("{node}+{chars}"),
                false,
                format!("điều kiện (guard): {p}"),
            );
        }
        if g.message.trim().is_empty() {
            say(
                &at(&format!("requires[{k}]")),
                false,
                "điều kiện (guard) cần một thông báo cho người dùng (`message`)".into(),
            );
        }
        for p in guards::placeholders(&g.message, wf) {
            say(&at(&format!("requires[{k}].message")), false, p);
        }
    }
    if let Some(c) = &s.due_while {
        let node = at("due_while");
        if let Some(e) = expression_error(c) {
            say(&node, false, format!("điều kiện viết sai: {e}"));
        }
        for (chars, p) in guards::problems(c, wf, s) {
            say(&format!("{node}+{chars}"), false, format!("điều kiện: {p}"));
        }
    }
    for (k, d) in s.documents.iter().enumerate() {
        if !known.templates.contains(&d.template) {
            say(
                &at(&format!("documents[{k}].template")),
                false,
                format!(
                    "không có mẫu văn bản `{}`{}",
                    d.template,
                    did_you_mean(&d.template, known.templates.iter().map(String::as_str))
                ),
            );
        }
        if let Some(c) = &d.when {
            let node = at(&format!("documents[{k}].when"));
            if let Some(e) = expression_error(c) {
                say(&node, false, format!("điều kiện viết sai: {e}"));
            }
            for (chars, p) in guards::problems(c, wf, s) {
                say(&format!("{node}+{chars}"), false, format!("điều kiện: {p}"));
            }
        }
    }
    if let Some(rule) = s.schedule() {
        if let Some(e) = rule_error(rule) {
            say(
                &at("repeat"),
                false,
                format!("quy tắc lặp RFC 5545 viết sai: {e}"),
            );
        } else if let Some(e) = rule_dates_error(rule, wf.effective_from) {
            say(&at("repeat"), false, e);
        }
    }
    if let Some(c) = &s.corrected_by
        && !wf.steps.iter().any(|x| &x.id == c)
    {
        say(
            &at("corrected_by"),
            false,
            format!(
                "corrected_by: không có bước `{c}`{}",
                did_you_mean(c, wf.steps.iter().map(|x| x.id.as_str()))
            ),
        );
    }
    if let Some(k) = &s.occurrence {
        occurrence_input(s, k, &at("occurrence"), say);
    }
    if s.ends && (s.repeat.is_some() || !s.next.is_empty() || s.starts.is_some()) {
        say(
            &at("ends"),
            false,
            "bước kết thúc hồ sơ không có `next`, `repeat` hay `starts`".into(),
        );
    }
    if let Some(d) = &s.deadline {
        deadline(d, &at("deadline"), wf, say);
    }
    if let Some(st) = &s.starts {
        let base = st.workflow.split('@').next().unwrap_or_default();
        if !known.workflows.contains(base) {
            // The procedures by their base id: `starts` names a base, the province follows.
            let mut ids: Vec<&str> = known
                .workflows
                .iter()
                .filter_map(|w| w.split('@').next())
                .collect();
            ids.dedup();
            // A near miss names the one meant; otherwise every procedure there is.
            let close = did_you_mean(base, ids.iter().copied());
            let hint = if close.is_empty() {
                format!(" (có: {})", ids.join(", "))
            } else {
                close
            };
            say(
                &at("starts"),
                false,
                format!("starts: không có quy trình `{}`{hint}", st.workflow),
            );
        }
        sites(s, st, &at("starts"), wf, say);
        for f in st.clear.iter().filter(|f| !wf.fields.contains_key(*f)) {
            say(
                &at("starts"),
                false,
                format!("starts: clear nêu `{f}`, không phải trường của hồ sơ"),
            );
        }
    }
    for (k, n) in s.next.iter().enumerate() {
        let node = match n {
            Next::Step(_) => at(&format!("next[{k}]")),
            Next::Branch { .. } => at(&format!("next[{k}].to")),
        };
        if !wf.steps.iter().any(|x| x.id == n.target()) {
            say(
                &node,
                false,
                format!(
                    "next: không có bước `{}`{}",
                    n.target(),
                    did_you_mean(n.target(), wf.steps.iter().map(|x| x.id.as_str()))
                ),
            );
        }
        if let Next::Branch { when: Some(c), .. } = n {
            let node = at(&format!("next[{k}].when"));
            if let Some(e) = expression_error(c) {
                say(&node, false, format!("điều kiện viết sai: {e}"));
            }
            for (chars, p) in guards::problems(c, wf, s) {
                say(&format!("{node}+{chars}"), false, format!("điều kiện: {p}"));
            }
        }
    }
}

/// `starts.each` names a list input of the step, and `into` a text field the sites go into:
/// both or neither.
fn sites(
    s: &super::Step,
    st: &super::Starts,
    node: &str,
    wf: &super::Workflow,
    say: &mut impl FnMut(&str, bool, String),
) {
    use super::FieldType;
    let (each, into) = match (&st.each, &st.into) {
        (None, None) => return,
        (Some(e), Some(i)) => (e, i),
        _ => {
            say(
                node,
                false,
                "starts: `each` và `into` phải đi cùng nhau".into(),
            );
            return;
        }
    };
    if s.inputs.get(each).is_none_or(|f| f.ty != FieldType::List) {
        say(
            node,
            false,
            format!(
                "starts: each `{each}` phải là một dữ liệu kiểu list của bước `{}`",
                s.id
            ),
        );
    }
    if wf.fields.get(into).is_none_or(|f| f.ty != FieldType::Text) {
        say(
            node,
            false,
            format!("starts: into `{into}` phải là một trường kiểu text của hồ sơ"),
        );
    }
}

/// `occurrence` names a date input of a step that recurs on a schedule: the deadline a filing
/// is for.
fn occurrence_input(
    s: &super::Step,
    input: &str,
    node: &str,
    say: &mut impl FnMut(&str, bool, String),
) {
    if s.series().is_none() {
        say(
            node,
            false,
            format!(
                "occurrence: bước `{}` không lặp theo lịch (repeat là một quy tắc RFC 5545), không có kỳ hạn nào để chọn",
                s.id
            ),
        );
    }
    if s.inputs
        .get(input)
        .is_none_or(|f| f.ty != super::FieldType::Date)
    {
        say(
            node,
            false,
            format!(
                "occurrence: `{input}` phải là một dữ liệu kiểu date khai báo trong inputs của bước `{}`",
                s.id
            ),
        );
    }
}

/// Every step must be reachable from the first; each unreachable one is named once, at its
/// first definition.
fn unreachable(
    wf: &super::Workflow,
    first_at: &HashMap<&str, usize>,
    say: &mut impl FnMut(&str, bool, String),
) {
    let mut seen = BTreeSet::new();
    // A case opens at the first step or at one marked `entry`.
    let mut queue: VecDeque<&str> = std::iter::once(&wf.steps[0])
        .chain(wf.steps.iter().filter(|s| s.entry))
        .map(|s| s.id.as_str())
        .collect();
    while let Some(id) = queue.pop_front() {
        if !seen.insert(id) {
            continue;
        }
        if let Some(s) = wf.steps.iter().find(|s| s.id == id) {
            queue.extend(s.next.iter().map(Next::target));
        }
    }
    for (i, s) in wf.steps.iter().enumerate() {
        if !seen.contains(s.id.as_str()) && first_at.get(s.id.as_str()) == Some(&i) {
            say(
                &format!("steps[{i}].id"),
                false,
                format!(
                    "bước `{}` không thể tới được từ bước đầu `{}`",
                    s.id, wf.steps[0].id
                ),
            );
        }
    }
}

fn deadline(
    d: &Deadline,
    node: &str,
    wf: &super::Workflow,
    say: &mut impl FnMut(&str, bool, String),
) {
    let rules = [("before", &d.before), ("by", &d.by), ("rule", &d.rule)];
    let mut given = rules.iter().filter_map(|(k, r)| Some((*k, r.as_deref()?)));
    match (given.next(), given.next(), &d.after, &d.within) {
        (Some((key, rule)), None, None, None) => {
            if let Some(e) = rule_error(rule) {
                say(
                    &format!("{node}.{key}"),
                    false,
                    format!("quy tắc lặp RFC 5545 viết sai: {e}"),
                );
            } else if let Some(e) = rule_dates_error(rule, wf.effective_from) {
                say(&format!("{node}.{key}"), false, e);
            }
        }
        (None, None, Some(after), Some(within)) => {
            if !wf.steps.iter().any(|s| &s.id == after) {
                say(
                    &format!("{node}.after"),
                    false,
                    format!(
                        "deadline: after nêu bước không có `{after}`{}",
                        did_you_mean(after, wf.steps.iter().map(|x| x.id.as_str()))
                    ),
                );
            }
            if period(within).is_none() {
                say(
                    &format!("{node}.within"),
                    false,
                    format!(
                        "`{within}` không phải khoảng thời gian ISO 8601 như P1Y (1 năm), P10M (10 tháng) hay P15D (15 ngày)"
                    ),
                );
            }
        }
        _ => say(
            node,
            false,
            "deadline ghi một quy tắc (`before`: trước ngày…, `by`: chậm nhất ngày…, hay `rule`), \
             hoặc `after` cùng `within`"
                .into(),
        ),
    }
}

/// "; có phải `chu-truong`?" for a name one or two keystrokes from a known one (a typo, a
/// missing or swapped letter, `_` for `-`), nothing when none is that close.
pub fn did_you_mean<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> String {
    let limit = match name.chars().count() {
        0..=3 => 0,
        4..=6 => 1,
        _ => 2,
    };
    known
        .filter(|k| *k != name)
        .map(|k| (edits(name, k), k))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, k)| format!("; có phải `{k}`?"))
        .unwrap_or_default()
}

/// Levenshtein distance, counting `_`/`-` as the same and a swap of neighbours as one edit.
fn edits(a: &str, b: &str) -> usize {
    let norm =
        |s: &str| -> Vec<char> { s.chars().map(|c| if c == '_' { '-' } else { c }).collect() };
    let (a, b) = (norm(a), norm(b));
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        assert_eq!(period("P1Y"), Some((1, 0, 0)));
        assert_eq!(period("P10M"), Some((0, 10, 0)));
        assert_eq!(period("P1Y6M15D"), Some((1, 6, 15)));
        assert_eq!(period("P2W"), Some((0, 0, 14)));
        assert_eq!(period("10M"), None);
        assert_eq!(period("P"), None);
        assert_eq!(period("P1H"), None);
    }

    #[test]
    fn kon_tum_quarterly_rule_is_valid() {
        assert_eq!(
            rule_error("FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=10"),
            None
        );
        assert!(rule_error("FREQ=SOMETIMES").is_some());
    }

    #[test]
    fn rules_that_give_no_day() {
        let from = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
        for ok in [
            "FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=5",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=10",
            "FREQ=DAILY",
        ] {
            assert_eq!(rule_dates_error(ok, from), None, "{ok}");
        }
        for never in [
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=31",
            "FREQ=MONTHLY;BYMONTH=4,6,9,11;BYMONTHDAY=31",
            "FREQ=YEARLY;UNTIL=20201231T000000Z;BYMONTH=11;BYMONTHDAY=5",
        ] {
            // Answered, not searched for ever (the search is bounded in rule_dates_error;
            // how long it takes is a benchmark's business, not a test's).
            let e = rule_dates_error(never, from).expect(never);
            assert!(e.contains("không cho ngày nào từ 01/01/2023"), "{e}");
        }
        for within_a_day in [
            "FREQ=SECONDLY",
            "FREQ=minutely",
            "FREQ=HOURLY",
            "FREQ=DAILY;BYHOUR=9",
        ] {
            let e = rule_dates_error(within_a_day, from).expect(within_a_day);
            assert!(e.contains("lặp trong ngày"), "{e}");
        }
    }

    #[test]
    fn ids_that_break_mermaid() {
        for bad in [
            "end", "graph", "subgraph", "style", "class", "click", "call", "end-x", "style-a",
            "a--b",
        ] {
            assert!(mermaid_id_error(bad).is_some(), "{bad}");
        }
        for ok in [
            "ket-thuc",
            "x-end",
            "endx",
            "click-x",
            "classdef",
            "direction",
            "a-b",
        ] {
            assert_eq!(mermaid_id_error(ok), None, "{ok}");
        }
    }

    #[test]
    fn nested_comprehensions_are_refused() {
        assert_eq!(macro_nesting("inputs.tieu_chi.all(t, t.dat)"), 1);
        assert_eq!(
            macro_nesting("[1,2].all(a, [3].exists(b, a < b)) && [4].all(c, c > 0)"),
            2
        );
        assert_eq!(macro_nesting("'x.all(' == case.a"), 0, "inside a string");
        let bomb = "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, \
                    [1,2,3,4,5,6,7,8,9,10].all(c, a + b + c > 0)))";
        assert!(expression_error(bomb).unwrap().contains("lồng 3 tầng"));
        assert!(
            expression_error(&"1 + ".repeat(600))
                .unwrap()
                .contains("ký tự")
        );
    }

    #[test]
    fn expressions() {
        assert_eq!(expression_error("inputs.xep_loai == 'Tốt'"), None);
        for bad in [
            "inputs.xep_loai == ",
            "(",
            ")",
            "a.",
            "1 +",
            "[",
            "'unterminated",
            "a ? b",
            "f(",
            "!!",
            "in",
            "a == = b",
        ] {
            assert!(expression_error(bad).is_some(), "{bad}");
        }
    }
}
