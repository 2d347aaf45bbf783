//! Guards and conditions held against the procedure they run in: the fields and inputs they
//! read, the functions they call, the values they compare with. At run time CEL reads a field
//! the case lacks as false and a number compared with a string as no match (or an error on the
//! day a case reaches the step), so such a guard is a rule silently dropped: the check names it.

use cel::common::ast::{EntryExpr, Expr, IdedExpr, LiteralValue};

use super::{FieldSpec, FieldType, Step, Workflow, check::did_you_mean};

/// The functions hoso adds to CEL's standard ones (registered in `engine::evaluate`).
pub const FUNCTIONS: [&str; 5] = ["months_between", "evaluation_end", "year", "done", "times"];

/// The functions that read the case's history: a step id, then optionally a period.
const HISTORY: [&str; 2] = ["done", "times"];

/// The variables a condition reads: the case, the step's inputs, the step's date.
const VARIABLES: [&str; 3] = ["case", "inputs", "at"];

/// CEL's type names, which are identifiers too (`type(x) == int`).
const TYPES: [&str; 10] = [
    "int",
    "uint",
    "double",
    "bool",
    "string",
    "bytes",
    "list",
    "map",
    "null_type",
    "type",
];

/// CEL's standard library, built once: every condition checked asks it.
static STDLIB: std::sync::LazyLock<std::sync::Arc<cel::Env>> =
    std::sync::LazyLock::new(|| std::sync::Arc::new(cel::Env::stdlib()));

/// Whether CEL's standard library has a function or method of this name: a context refuses to
/// add a function under a name its library already declares, the only public way to ask.
fn standard(name: &str) -> bool {
    cel::Context::with_env(STDLIB.clone())
        .add_function(name, |a: i64| a)
        .is_err()
}

/// A field of the case or an input of the step: where `case.x` and `inputs.x` point.
fn case_field<'a>(wf: &'a Workflow, step: &'a Step, name: &str) -> Option<&'a FieldSpec> {
    wf.fields
        .get(name)
        .or_else(|| step.inputs.get(name))
        .or_else(|| wf.steps.iter().find_map(|s| s.inputs.get(name)))
}

/// Every name `case.x` may take: the fields, the inputs of every step (the case keeps them),
/// and the source of a case started by nhân rộng, which the engine sets.
fn case_names(wf: &Workflow) -> impl Iterator<Item = &str> {
    wf.fields
        .keys()
        .chain(wf.steps.iter().flat_map(|s| s.inputs.keys()))
        .map(String::as_str)
        .chain([crate::engine::SOURCE_FIELD])
}

/// The problems of a condition of `step`, each once, in the order they are written, with the
/// character of the condition it is at (`case.ty_le` at its `ty_le`, a value at its quote);
/// nothing for a condition that does not compile (its syntax error is reported apart).
pub fn problems(expr: &str, wf: &Workflow, step: &Step) -> Vec<(usize, String)> {
    let Ok(program) = cel::Program::compile(expr) else {
        return Vec::new();
    };
    let mut walk = Walk {
        wf,
        step,
        info: program.source_info(),
        here: 0,
        bound: Vec::new(),
        out: Vec::new(),
    };
    walk.expr(program.expression());
    let mut seen = std::collections::HashSet::new();
    walk.out.retain(|(_, m)| seen.insert(m.clone()));
    walk.out
        .into_iter()
        .map(|(byte, m)| (expr.get(..byte).map_or(0, |p| p.chars().count()), m))
        .collect()
}

/// The `{name}` placeholders of a guard's message that name neither a field of the case nor an
/// input of any step: at run time they print as "—".
pub fn placeholders(message: &str, wf: &Workflow) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = message;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else { break };
        let name = &rest[i + 1..i + j];
        if !case_names(wf).any(|k| k == name) {
            out.push(format!(
                "thông báo nêu `{{{name}}}` nhưng hồ sơ không có trường hay dữ liệu `{name}`{}",
                did_you_mean(name, case_names(wf))
            ));
        }
        rest = &rest[i + j + 1..];
    }
    out
}

struct Walk<'a> {
    wf: &'a Workflow,
    step: &'a Step,
    /// Where each node was written (byte offsets into the condition).
    info: &'a cel::common::ast::SourceInfo,
    /// The byte the next problem is at.
    here: usize,
    /// The variables of the comprehensions (`t` in `inputs.tieu_chi.all(t, t.dat)`) in scope.
    bound: Vec<String>,
    out: Vec<(usize, String)>,
}

/// `at`, the step's date, as the check sees it: a date.
static AT: FieldSpec = FieldSpec {
    ty: FieldType::Date,
    title: None,
    values: Vec::new(),
    optional: false,
};

/// What one side of a comparison is, when the check can tell.
enum Side<'a> {
    /// `case.x`, `inputs.x` or `at`, as written, with its declaration.
    Field(String, &'a FieldSpec),
    Literal(&'a LiteralValue),
}

/// How CEL sees a value: the check compares kinds, not the procedure's finer types.
#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Number,
    Text,
    Bool,
    List,
}

/// How CEL sees a field of type `t`; lists and any structured type are `List`, which the check
/// does not compare.
fn kind(t: FieldType) -> Kind {
    match t {
        FieldType::Number | FieldType::Percent => Kind::Number,
        FieldType::Text | FieldType::Date | FieldType::Enum => Kind::Text,
        FieldType::Bool => Kind::Bool,
        _ => Kind::List,
    }
}

/// The type as a definition writes it (`percent`).
fn type_name(t: FieldType) -> String {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// "là số (percent)": what a field is, in words.
fn field_words(t: FieldType) -> String {
    let what = match kind(t) {
        Kind::Number => "số",
        Kind::Text if t == FieldType::Date => "ngày",
        Kind::Text => "chuỗi",
        Kind::Bool => "true/false",
        Kind::List => "danh sách",
    };
    format!("là {what} ({})", type_name(t))
}

/// A literal as written, with what it is: "chuỗi '90'", "số 90", "true"; None for those the
/// check does not judge (null, bytes).
fn literal_words(l: &LiteralValue) -> Option<(Kind, String)> {
    Some(match l {
        LiteralValue::String(s) => (Kind::Text, format!("chuỗi '{}'", s.inner())),
        LiteralValue::Int(i) => (Kind::Number, format!("số {}", i.inner())),
        LiteralValue::UInt(u) => (Kind::Number, format!("số {}", u.inner())),
        LiteralValue::Double(d) => (Kind::Number, format!("số {}", d.inner())),
        LiteralValue::Boolean(b) => (Kind::Bool, b.inner().to_string()),
        LiteralValue::Null | LiteralValue::Bytes(_) => return None,
    })
}

/// Lower case without Vietnamese tone and vowel marks: 'Yeu' and 'Yếu' meet.
fn fold(s: &str) -> String {
    const GROUPS: [(&str, char); 6] = [
        ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
        ("èéẻẽẹêềếểễệ", 'e'),
        ("ìíỉĩị", 'i'),
        ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
        ("ùúủũụưừứửữự", 'u'),
        ("ỳýỷỹỵ", 'y'),
    ];
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'đ' => 'd',
            c => GROUPS
                .iter()
                .find(|(g, _)| g.contains(c))
                .map_or(c, |(_, base)| *base),
        })
        .collect()
}

impl<'a> Walk<'a> {
    fn say(&mut self, m: String) {
        self.out.push((self.here, m));
    }

    /// The byte where a node starts; a call's is its `(`, a selection's its `.`.
    fn start(&self, e: &IdedExpr) -> usize {
        self.info.offset_for(e.id).map_or(0, |(a, _)| a as usize)
    }

    /// The byte where `case.x` or `inputs.x` names its `x`.
    fn field_start(&self, operand: &IdedExpr, root: &str) -> usize {
        self.start(operand) + root.len() + 1
    }

    fn is_bound(&self, name: &str) -> bool {
        self.bound.iter().any(|b| b == name)
    }

    fn expr(&mut self, e: &'a IdedExpr) {
        match &e.expr {
            Expr::Ident(name) => {
                self.here = self.start(e);
                self.ident(name)
            }
            Expr::Select(s) => match &s.operand.expr {
                Expr::Ident(root) if root == "case" && !self.is_bound(root) => {
                    self.here = self.field_start(&s.operand, root);
                    self.case_field(&s.field)
                }
                Expr::Ident(root) if root == "inputs" && !self.is_bound(root) => {
                    self.here = self.field_start(&s.operand, root);
                    self.input(&s.field)
                }
                _ => self.expr(&s.operand),
            },
            Expr::Call(c) => {
                self.here = self.start(e).saturating_sub(c.func_name.len());
                self.function(&c.func_name);
                if HISTORY.contains(&c.func_name.as_str()) && c.target.is_none() {
                    self.history(&c.func_name, &c.args);
                }
                if let [l, r] = c.args.as_slice() {
                    match c.func_name.as_str() {
                        "_==_" | "_!=_" | "_<_" | "_<=_" | "_>_" | "_>=_" => self.compare(l, r),
                        "@in" => self.member(l, r),
                        _ => {}
                    }
                }
                if let Some(t) = &c.target {
                    self.expr(t);
                }
                for a in &c.args {
                    self.expr(a);
                }
            }
            Expr::Comprehension(c) => {
                self.expr(&c.iter_range);
                self.expr(&c.accu_init);
                let names = [Some(&c.iter_var), c.iter_var2.as_ref(), Some(&c.accu_var)];
                let before = self.bound.len();
                self.bound.extend(names.into_iter().flatten().cloned());
                self.expr(&c.loop_cond);
                self.expr(&c.loop_step);
                self.expr(&c.result);
                self.bound.truncate(before);
            }
            Expr::List(l) => l.elements.iter().for_each(|x| self.expr(x)),
            Expr::Map(m) => m.entries.iter().for_each(|x| self.entry(&x.expr)),
            Expr::Struct(s) => s.entries.iter().for_each(|x| self.entry(&x.expr)),
            Expr::Literal(_) | Expr::Unspecified => {}
        }
    }

    fn entry(&mut self, e: &'a EntryExpr) {
        match e {
            EntryExpr::MapEntry(m) => {
                self.expr(&m.key);
                self.expr(&m.value);
            }
            EntryExpr::StructField(f) => self.expr(&f.value),
        }
    }

    fn ident(&mut self, name: &str) {
        if self.is_bound(name) || VARIABLES.contains(&name) || TYPES.contains(&name) {
            return;
        }
        let hint = if case_names(self.wf).any(|k| k == name) {
            format!("; có phải `case.{name}`?")
        } else {
            String::new()
        };
        self.say(format!(
            "không có biến `{name}`: điều kiện đọc `case` (hồ sơ), `inputs` (dữ liệu của bước) \
             và `at` (ngày của bước){hint}"
        ));
    }

    fn case_field(&mut self, name: &str) {
        if case_names(self.wf).any(|k| k == name) {
            return;
        }
        let m = format!(
            "`case.{name}`: hồ sơ không có trường `{name}` (không có trong fields hay inputs \
             của bước nào){}",
            did_you_mean(name, case_names(self.wf))
        );
        self.say(m);
    }

    fn input(&mut self, name: &str) {
        if self.step.inputs.contains_key(name) {
            return;
        }
        let hint = if case_names(self.wf).any(|k| k == name) {
            format!("; trường của hồ sơ thì viết `case.{name}`")
        } else {
            did_you_mean(name, self.step.inputs.keys().map(String::as_str))
        };
        let m = format!(
            "`inputs.{name}`: bước `{}` không có dữ liệu `{name}` trong inputs{hint}",
            self.step.id
        );
        self.say(m);
    }

    fn function(&mut self, name: &str) {
        // Operators (`_==_`, `!_`, `@in`, …) are calls in CEL's tree, not functions one writes.
        let operator = name.starts_with(['_', '@', '!', '-']);
        if operator || FUNCTIONS.contains(&name) || standard(name) {
            return;
        }
        self.say(format!(
            "không có hàm `{name}` (hoso có {} và các hàm chuẩn của CEL){}",
            FUNCTIONS.join(", "),
            did_you_mean(name, FUNCTIONS.into_iter())
        ));
    }

    /// `done('xep-loai', 'year')`: a step of the procedure, written as a string, and a period
    /// the engine counts in; anything else would count nothing, or fail on the day it runs.
    fn history(&mut self, name: &str, args: &'a [IdedExpr]) {
        let usage = format!(
            "`{name}(bước)` hoặc `{name}(bước, kỳ)`, kỳ là {}",
            crate::engine::calendar::PERIODS
                .map(|p| format!("'{p}'"))
                .join(", ")
        );
        if args.is_empty() || args.len() > 2 {
            return self.say(format!("`{name}` cần mã bước và (tùy chọn) kỳ: {usage}"));
        }
        let literal = |e: &IdedExpr| match &e.expr {
            Expr::Literal(LiteralValue::String(s)) => Some(s.inner().to_string()),
            _ => None,
        };
        let ids = || self.wf.steps.iter().map(|s| s.id.as_str());
        self.here = self.start(&args[0]);
        match literal(&args[0]) {
            None => self.say(format!("`{name}`: mã bước viết trong dấu nháy: {usage}")),
            Some(step) if !ids().any(|s| s == step) => {
                let hint = did_you_mean(&step, ids());
                self.say(format!("`{name}`: quy trình không có bước `{step}`{hint}"))
            }
            Some(_) => {}
        }
        if let Some(p) = args.get(1) {
            self.here = self.start(p);
            let known = crate::engine::calendar::PERIODS;
            match literal(p) {
                Some(period) if known.contains(&period.as_str()) => {}
                Some(period) => {
                    let hint = did_you_mean(&period, known.into_iter());
                    self.say(format!("`{name}`: không có kỳ '{period}' ({usage}){hint}"))
                }
                None => self.say(format!("`{name}`: kỳ viết trong dấu nháy: {usage}")),
            }
        }
    }

    fn side(&self, e: &'a IdedExpr) -> Option<Side<'a>> {
        match &e.expr {
            Expr::Select(s) if !s.test => match &s.operand.expr {
                Expr::Ident(root) if root == "case" && !self.is_bound(root) => {
                    case_field(self.wf, self.step, &s.field)
                        .map(|f| Side::Field(format!("case.{}", s.field), f))
                }
                Expr::Ident(root) if root == "inputs" && !self.is_bound(root) => self
                    .step
                    .inputs
                    .get(&s.field)
                    .map(|f| Side::Field(format!("inputs.{}", s.field), f)),
                _ => None,
            },
            Expr::Ident(n) if n == "at" && !self.is_bound(n) => {
                Some(Side::Field("at".to_string(), &AT))
            }
            Expr::Literal(l) => Some(Side::Literal(l)),
            _ => None,
        }
    }

    /// A comparison of a field (or `at`) with a literal of another kind, an enum with a value
    /// it does not have, a date with a string that is not one, or two fields of different kinds.
    fn compare(&mut self, l: &'a IdedExpr, r: &'a IdedExpr) {
        match (self.side(l), self.side(r)) {
            (Some(Side::Field(a, fa)), Some(Side::Field(b, fb))) if kind(fa.ty) != kind(fb.ty) => {
                self.here = self.side_start(l);
                self.say(format!(
                    "`{a}` {} mà so với `{b}` {}",
                    field_words(fa.ty),
                    field_words(fb.ty)
                ))
            }
            (Some(Side::Field(name, f)), Some(Side::Literal(lit))) => {
                self.here = self.start(r);
                self.literal(&name, f, lit)
            }
            (Some(Side::Literal(lit)), Some(Side::Field(name, f))) => {
                self.here = self.start(l);
                self.literal(&name, f, lit)
            }
            _ => {}
        }
    }

    /// Where a side of a comparison starts: `case` of `case.x`, or the node itself.
    fn side_start(&self, e: &IdedExpr) -> usize {
        match &e.expr {
            Expr::Select(s) => self.start(&s.operand),
            _ => self.start(e),
        }
    }

    /// `case.xep_loai in ['Tốt', 'Khá']`: each literal of the list against the field.
    fn member(&mut self, l: &'a IdedExpr, r: &'a IdedExpr) {
        let (Some(Side::Field(name, f)), Expr::List(list)) = (self.side(l), &r.expr) else {
            return;
        };
        for e in &list.elements {
            if let Expr::Literal(lit) = &e.expr {
                self.here = self.start(e);
                self.literal(&name, f, lit);
            }
        }
    }

    fn literal(&mut self, name: &str, f: &FieldSpec, lit: &LiteralValue) {
        let Some((lit_kind, words)) = literal_words(lit) else {
            return;
        };
        let field_kind = kind(f.ty);
        if field_kind == Kind::List {
            return;
        }
        if field_kind != lit_kind {
            let hint = match lit {
                LiteralValue::String(s)
                    if field_kind == Kind::Number && s.inner().trim().parse::<f64>().is_ok() =>
                {
                    format!(": bỏ dấu nháy, viết {}", s.inner().trim())
                }
                _ if f.ty == FieldType::Enum => {
                    format!(" (các giá trị: {})", f.values.join(", "))
                }
                _ => String::new(),
            };
            self.say(format!(
                "`{name}` {} mà so với {words}{hint}",
                field_words(f.ty)
            ));
            return;
        }
        let LiteralValue::String(s) = lit else { return };
        let s = s.inner();
        if f.ty == FieldType::Enum && !f.values.iter().any(|v| v == s) {
            let close = f
                .values
                .iter()
                .find(|v| fold(v) == fold(s))
                .map(|v| format!("; có phải '{v}'?"))
                .unwrap_or_else(|| {
                    did_you_mean(s, f.values.iter().map(String::as_str)).replace('`', "'")
                });
            self.say(format!(
                "`{name}` không có giá trị '{s}' (các giá trị: {}){close}",
                f.values.join(", ")
            ));
        }
        if f.ty == FieldType::Date && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_err() {
            self.say(format!(
                "`{name}` là ngày mà so với '{s}': ngày viết 'YYYY-MM-DD', ví dụ '2023-11-05'"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wf() -> Workflow {
        serde_yaml::from_str(
            "id: thu\nversion: '1'\neffective_from: 2023-01-01\ntitle: T\nroles: {ca: CA}\n\
             fields:\n  ty_le: {type: percent}\n  xep_loai: {type: enum, values: [Tốt, Khá, Yếu]}\n  \
             ngay: {type: date}\n  ten: {type: text}\n\
             steps:\n  - id: a\n    title: A\n    actor: ca\n    inputs:\n      \
             tieu_chi: {type: list}\n      lien_ket: {type: bool}\n",
        )
        .unwrap()
    }

    fn check(expr: &str) -> Vec<String> {
        let w = wf();
        problems(expr, &w, &w.steps[0])
            .into_iter()
            .map(|(_, m)| m)
            .collect()
    }

    fn at(expr: &str) -> Vec<usize> {
        let w = wf();
        problems(expr, &w, &w.steps[0])
            .into_iter()
            .map(|(at, _)| at)
            .collect()
    }

    /// Each problem at the character it is about, counted in characters ('Tốt' is three).
    #[test]
    fn where_each_problem_is() {
        assert_eq!(at("case.ty_le >= '90'"), [14]);
        assert_eq!(at("case.xep_loai == 'Tốt' && case.ty_lee > 1.0"), [31]);
        assert_eq!(at("has(case.ty_lee)"), [9]);
        assert_eq!(at("inputs.lien_ket && inputs.khong"), [26]);
        assert_eq!(at("case.ty_le > 1.0 && month_between(at, at) > 1"), [20]);
        assert_eq!(at("xep_loai == 'Tốt'"), [0]);
        assert_eq!(at("'Tot' == case.xep_loai"), [0]);
        assert_eq!(at("case.xep_loai in ['Tốt', 'Kha']"), [25]);
        assert_eq!(at("case.ten > case.ty_le"), [0]);
        assert_eq!(at("inputs.tieu_chi.exists(t, t.x) && case.zz"), [39]);
    }

    #[test]
    fn sound_conditions_pass() {
        for ok in [
            "case.ty_le >= 90.0 && case.xep_loai == 'Tốt'",
            "has(case.ngay) && months_between(case.ngay, evaluation_end(at)) >= 10",
            "inputs.tieu_chi.all(t, t.dat) && size(inputs.tieu_chi) > 0",
            "double(case.ty_le) * 2.0 >= 90.0 && case.ten.startsWith('x')",
            "case.xep_loai in ['Tốt', 'Khá'] && at >= '2023-01-01' && inputs.lien_ket",
            "case.nhan_rong_tu != '' && type(case.ten) == string",
        ] {
            assert_eq!(check(ok), Vec::<String>::new(), "{ok}");
        }
    }

    #[test]
    fn what_the_check_names() {
        assert_eq!(
            check("case.ty_le >= '90'"),
            ["`case.ty_le` là số (percent) mà so với chuỗi '90': bỏ dấu nháy, viết 90"]
        );
        assert_eq!(
            check("case.xep_loai == 'Yeu' || 'Tot' == case.xep_loai"),
            [
                "`case.xep_loai` không có giá trị 'Yeu' (các giá trị: Tốt, Khá, Yếu); có phải 'Yếu'?",
                "`case.xep_loai` không có giá trị 'Tot' (các giá trị: Tốt, Khá, Yếu); có phải 'Tốt'?"
            ]
        );
        assert_eq!(
            check("case.xep_loai in ['Tốt', 'Kha']").len(),
            1,
            "each value of an `in` list"
        );
        assert_eq!(
            check("at > '01/01/2023'"),
            ["`at` là ngày mà so với '01/01/2023': ngày viết 'YYYY-MM-DD', ví dụ '2023-11-05'"]
        );
        assert_eq!(
            check("case.ty_lee > 1.0 && case.ty_lee < 5.0"),
            [
                "`case.ty_lee`: hồ sơ không có trường `ty_lee` (không có trong fields hay inputs của bước nào); có phải `ty_le`?"
            ],
            "once"
        );
        assert_eq!(
            check("inputs.ten == 'x'"),
            [
                "`inputs.ten`: bước `a` không có dữ liệu `ten` trong inputs; trường của hồ sơ thì viết `case.ten`"
            ]
        );
        assert_eq!(
            check("month_between(case.ngay, at) > 1"),
            [
                "không có hàm `month_between` (hoso có months_between, evaluation_end, year, done, times và các hàm chuẩn của CEL); có phải `months_between`?"
            ]
        );
        assert_eq!(
            check("xep_loai == 'Tốt'"),
            [
                "không có biến `xep_loai`: điều kiện đọc `case` (hồ sơ), `inputs` (dữ liệu của bước) và `at` (ngày của bước); có phải `case.xep_loai`?"
            ]
        );
        assert_eq!(
            check("inputs.lien_ket == 'true' || case.ten > case.ty_le"),
            [
                "`inputs.lien_ket` là true/false (bool) mà so với chuỗi 'true'",
                "`case.ten` là chuỗi (text) mà so với `case.ty_le` là số (percent)"
            ]
        );
        assert_eq!(
            check("case.xep_loai == 1"),
            ["`case.xep_loai` là chuỗi (enum) mà so với số 1 (các giá trị: Tốt, Khá, Yếu)"]
        );
    }

    #[test]
    fn placeholders_name_fields() {
        let w = wf();
        assert!(placeholders("Tỷ lệ {ty_le}, {lien_ket}", &w).is_empty());
        assert_eq!(
            placeholders("Tỷ lệ {ty_lee}", &w),
            [
                "thông báo nêu `{ty_lee}` nhưng hồ sơ không có trường hay dữ liệu `ty_lee`; có phải `ty_le`?"
            ]
        );
    }

    #[test]
    fn folding() {
        assert_eq!(fold("Trung Bình"), "trung binh");
        assert_eq!(fold("Yếu"), fold("Yeu"));
        assert_eq!(fold("Đạt"), "dat");
    }
}
