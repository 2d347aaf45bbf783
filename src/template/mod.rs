//! Templates: one file per document kind, `templates/<id>.hbs`, holding YAML front matter (the
//! document type, issuer role, how it is signed, trích yếu, default addressees and recipients,
//! the hồ sơ item it fills, the variables it needs) and a Handlebars body in the Markdown subset
//! of [`markup`]. Header, number, date and signature are never written in a template: they are
//! built from the front matter and the data, so every document is right by construction.

pub mod data;
pub mod markup;
pub mod uses;
pub mod vars;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

use chrono::{Datelike, NaiveDate};
use handlebars::{Handlebars, RenderErrorReason, handlebars_helper};
use serde::Deserialize;

use crate::document::{
    self, AttachedTo, DocDate, DocKind, Document, NoiNhan, Shape, Signing, SoKyHieu,
};
use crate::error::{Error, Result};
use crate::text;
pub use data::DocData;
pub use vars::VarKind;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_templates.rs"));
}

/// An item of a hồ sơ list that a template's document fills: `procedure` is the workflow id
/// (`mo-hinh`, `dien-hinh`, `don-vi-dien-hinh`) and `item` its number in HD 22 section V.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoSoItem {
    pub procedure: String,
    pub item: u32,
}

/// The decision a document is issued with ("Kèm theo Quyết định số …").
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachedSpec {
    /// Type key of the parent document, e.g. `quyet-dinh`.
    kind: String,
    /// Who issued the parent, in running text (Handlebars): "Chủ tịch Ủy ban nhân dân xã …".
    of: String,
    #[serde(default = "default_wording")]
    wording: String,
}

fn default_wording() -> String {
    "Kèm theo".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    name: String,
    kind: String,
    #[serde(default)]
    ho_so: Vec<HoSoItem>,
    issuer: String,
    #[serde(default)]
    signing: Signing,
    #[serde(default)]
    trich_yeu: String,
    #[serde(default)]
    kinh_gui: Vec<String>,
    #[serde(default)]
    noi_nhan: Vec<String>,
    #[serde(default)]
    attached_to: Option<AttachedSpec>,
    /// Approved before it is carried out (HD 22 Bước 1: the survey plan, by the Party
    /// committee, the government or the head of the unit): a "DUYỆT" block from the data's
    /// `duyet` stands left of the signature, the Nơi nhận under both.
    #[serde(default)]
    approval: bool,
    #[serde(default)]
    variables: serde_yaml::Mapping,
}

/// A loaded template.
#[derive(Debug)]
pub struct Template {
    pub id: String,
    /// Human name: "Quyết định thành lập mô hình".
    pub name: String,
    pub kind: &'static DocKind,
    pub ho_so: Vec<HoSoItem>,
    /// The role that issues it (`ubnd-xa`, `ban-chi-dao`, …), resolved by a workflow.
    pub issuer_role: String,
    pub signing: Signing,
    /// Variables the body needs, with what each holds, in the template's order.
    pub variables: Vec<(String, String)>,
    attached_to: Option<(&'static DocKind, String)>,
    approval: bool,
    n_kinh_gui: usize,
    n_noi_nhan: usize,
    /// Where it came from, for messages.
    path: PathBuf,
    /// The Handlebars body and its first line in the file.
    body: String,
    body_line: usize,
    /// Front-matter strings compiled as Handlebars: (key, source).
    plain: Vec<(String, String)>,
}

impl Template {
    /// The type of the document this one is issued with ("Kèm theo Quyết định …"): it has no
    /// number of its own and carries its parent's.
    pub fn attached_kind(&self) -> Option<&'static DocKind> {
        self.attached_to.as_ref().map(|(k, _)| *k)
    }

    /// The hồ sơ item it fills in the base procedure `base` (a province's overlay keeps its
    /// base's list).
    pub fn item_in(&self, base: &str) -> Option<u32> {
        self.ho_so
            .iter()
            .find(|h| h.procedure == base)
            .map(|h| h.item)
    }
}

/// All templates. A template's front matter is read the first time it is asked for, and its
/// Handlebars compiled the first time it renders, then both kept: a command rendering one
/// document reads one template of the forty-two built in (reading them all cost about 3 ms of
/// a 14 ms `doc render`). A folder given with `--templates` is read and checked in full when
/// loaded, so that a broken file is named before anything renders.
pub struct TemplateSet {
    sources: Arc<Sources>,
    /// Bodies: values are escaped for Markdown.
    body: RwLock<Handlebars<'static>>,
    /// Front-matter strings (trích yếu, recipients): plain text, no escaping.
    plain: RwLock<Handlebars<'static>>,
}

/// What the văn thư has fixed when a document is rendered.
#[derive(Debug, Clone, Copy)]
pub struct Issuance {
    /// `None`: the number is left blank, as in a draft.
    pub number: Option<u32>,
    /// `None`: the day is left blank and month and year are `today`'s.
    pub date: Option<NaiveDate>,
    pub today: NaiveDate,
    /// Print "DỰ THẢO" above the header.
    pub draft_mark: bool,
}

impl Issuance {
    /// As rendered from a data file on its own (`doc render`, `doc render-all`): a file that
    /// says when it was `dated` gives the month and year of its undated draft.
    pub fn dated_by(self, data: &DocData) -> Issuance {
        Issuance {
            today: data.fields.dated.unwrap_or(self.today),
            ..self
        }
    }
}

handlebars_helper!(h_upper: |s: str| text::upper(s));
handlebars_helper!(h_stt: |i: u64| (i + 1).to_string());
handlebars_helper!(h_diem: |i: u64| document::body::diem(i as usize + 1));
handlebars_helper!(h_la_ma: |n: u64| document::body::la_ma(n as u32));
handlebars_helper!(h_so: |n: u64| document::so_ky_hieu::so(n as u32));

/// `{{ngay d}}` prints a YYYY-MM-DD date as "ngày 05 tháng 3 năm 2023".
fn h_ngay(
    h: &handlebars::Helper,
    _: &Handlebars,
    _: &handlebars::Context,
    _: &mut handlebars::RenderContext,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    let v = h
        .param(0)
        .ok_or_else(|| RenderErrorReason::ParamNotFoundForIndex("ngay", 0))?;
    let s = v.value().as_str().unwrap_or_default();
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        RenderErrorReason::Other(format!(
            "`{}` là `{s}`, không phải ngày dạng YYYY-MM-DD",
            v.relative_path().map(String::as_str).unwrap_or("ngay")
        ))
    })?;
    out.write(&document::thoi_gian::ngay_thang_nam(DocDate::Issued(d)))?;
    Ok(())
}

/// `{{nam_truoc nam}}` prints the year before `nam` (2024 or "2024" → 2023): an evaluation year
/// runs from 01/11 of the year before to 31/10 (HD 22), and the document names both years.
fn h_nam_truoc(
    h: &handlebars::Helper,
    _: &Handlebars,
    _: &handlebars::Context,
    _: &mut handlebars::RenderContext,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    let v = h
        .param(0)
        .ok_or_else(|| RenderErrorReason::ParamNotFoundForIndex("nam_truoc", 0))?;
    let year = match v.value() {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|y| (1946..=9999).contains(y))
    .ok_or_else(|| {
        RenderErrorReason::Other(format!(
            "`{}` là `{}`, không phải một năm",
            v.relative_path().map(String::as_str).unwrap_or("nam"),
            v.value()
        ))
    })?;
    out.write(&(year - 1).to_string())?;
    Ok(())
}

/// The key of the data a document renders with that says it is rendered to be issued (with
/// its date): citations then must resolve. `@` keeps it apart from any variable a data file
/// can name in a template.
const ISSUING: &str = "@phat_hanh";

/// The key of the authority line in the render context, read by `{{tham_quyen}}`.
const AUTHORITY: &str = "@tham_quyen";

/// `{{tham_quyen}}`: the issuer's authority line, from the issuer, never written in a
/// template ([`crate::document::Issuer::authority`]).
fn h_tham_quyen(
    _: &handlebars::Helper,
    _: &Handlebars,
    ctx: &handlebars::Context,
    _: &mut handlebars::RenderContext,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    let line = ctx
        .data()
        .get(AUTHORITY)
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    out.write(&text::escape_markdown(line))?;
    Ok(())
}

/// The key of the document's date (YYYY-MM-DD; a draft's, the day it is drafted) in the render
/// context: the căn cứ and the levels are those in force on it.
const DATE: &str = "@ngay_van_ban";

/// What a helper of [`PhapLyHelper`] prints.
#[derive(Clone, Copy)]
enum PhapLyOut {
    /// `{{phap_ly "key"}}`: the instrument's version in force.
    CanCu,
    /// `{{cap_xa}}`: "xã", "phường", "đặc khu".
    CapXa,
    /// `{{ten_xa}}`: "phường Phan Đình Phùng".
    DonVi,
    /// `{{dia_danh}}`: "xã Đắk Mar, huyện Đắk Hà" / "phường …, tỉnh Thái Nguyên".
    DiaDanh,
    /// `{{ubnd_cap_tren}}`: "Ủy ban nhân dân huyện Đắk Hà" / "… tỉnh Thái Nguyên".
    UbndCapTren,
    /// `{{cong_an_cap_tren}}`: "Công an huyện Đắk Hà" until 28/02/2025, then "Công an tỉnh …".
    CongAnCapTren,
    /// `{{cap_uy_tren}}`: "Huyện ủy Đắk Hà" / "Tỉnh ủy Thái Nguyên".
    CapUyTren,
    /// `{{cac_loai_xa}}`: "xã, phường, thị trấn" / "xã, phường, đặc khu".
    CacLoaiXa,
    /// `{{duoi_tinh}}`: "huyện, thị xã, thành phố" / "xã, phường, đặc khu".
    DuoiTinh,
    /// `{{thon}}`: "thôn" in a xã, "tổ dân phố" in a phường.
    Thon,
}

/// The helpers that print what the document's date decides ([`document::phap_ly`]): the căn
/// cứ in force and the commune's level and the one above it, so that no template writes a
/// level or a law's date.
struct PhapLyHelper(PhapLyOut);

impl handlebars::HelperDef for PhapLyHelper {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &handlebars::Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc handlebars::Context,
        _: &mut handlebars::RenderContext<'reg, 'rc>,
        out: &mut dyn handlebars::Output,
    ) -> handlebars::HelperResult {
        let other = |m: String| RenderErrorReason::Other(format!("`{}`: {m}", h.name()));
        let root = ctx.data();
        let on = root
            .get(DATE)
            .and_then(|v| v.as_str())
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .ok_or_else(|| other("không biết ngày của văn bản".into()))?;
        let p = document::phap_ly::PhapLy::built_in().map_err(|e| other(e.to_string()))?;
        let cap = p.cap(on).map_err(other)?;
        let don_vi = document::phap_ly::DonVi::of(root);
        let text = match self.0 {
            PhapLyOut::CanCu => {
                let key = h.param(0).and_then(|v| v.value().as_str()).ok_or_else(|| {
                    other("cần tên văn bản trong danh mục, trong ngoặc kép".into())
                })?;
                p.can_cu(key, on).map_err(other)?.to_string()
            }
            PhapLyOut::CapXa => don_vi.loai(cap, on).map_err(other)?,
            PhapLyOut::DonVi => don_vi.ten(cap, on).map_err(other)?,
            PhapLyOut::DiaDanh => don_vi.dia_danh(cap, on).map_err(other)?,
            PhapLyOut::UbndCapTren => {
                format!(
                    "Ủy ban nhân dân {}",
                    don_vi.cap_tren(cap, on, false).map_err(other)?
                )
            }
            PhapLyOut::CongAnCapTren => {
                format!("Công an {}", don_vi.cap_tren(cap, on, true).map_err(other)?)
            }
            PhapLyOut::CapUyTren => don_vi.cap_uy_tren(cap, on).map_err(other)?,
            PhapLyOut::CacLoaiXa => cap.loai_xa.join(", "),
            PhapLyOut::DuoiTinh => cap.duoi_tinh.join(", "),
            PhapLyOut::Thon => p.thon(&don_vi, on).map_err(other)?.to_string(),
        };
        // Escaped as the registry escapes: a body's Markdown, front matter's plain text.
        out.write(&r.get_escape_fn()(&text))?;
        Ok(())
    }
}

/// What a draft prints after the blanks of a citation the register cannot give yet.
pub const NOT_ISSUED: &str = "(chưa ban hành)";

/// `{{trich_dan "quyet-dinh-thanh-lap-mo-hinh"}}` cites another document of the hồ sơ as the
/// register gave it (`van_ban`, see [`crate::issue`]): "Quyết định số 02/QĐ-UBND ngày 20
/// tháng 3 năm 2023 của Chủ tịch Ủy ban nhân dân xã Đắk Mar về việc thành lập mô hình …".
/// With several templates, the one issued last ("the decision this one replaces": the last
/// kiện toàn, else the thành lập). A document from outside the hồ sơ is declared in the data
/// as `van_ban_ngoai: {<name>: "Quyết định số … của … về …"}` and cited by its name. A
/// document not issued yet and not declared prints as blanks in a draft and is refused when
/// the document is issued: a number the register never gave is never printed.
struct TrichDan {
    /// The set's templates, whose names a draft's blanks and messages print.
    sources: Arc<Sources>,
}

impl handlebars::HelperDef for TrichDan {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &handlebars::Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc handlebars::Context,
        _: &mut handlebars::RenderContext<'reg, 'rc>,
    ) -> std::result::Result<handlebars::ScopedJson<'rc>, handlebars::RenderError> {
        let ids: Vec<&str> = h
            .params()
            .iter()
            .filter_map(|p| p.value().as_str())
            .collect();
        if ids.is_empty() || ids.len() != h.params().len() {
            return Err(RenderErrorReason::Other(
                "`trich_dan` cần tên mẫu của văn bản được trích dẫn, trong ngoặc kép".into(),
            )
            .into());
        }
        let root = ctx.data();
        let issued = ids
            .iter()
            .filter_map(|id| root.get("van_ban")?.get(id.replace('-', "_")))
            .max_by_key(|v| {
                let ngay = v.get("ngay").and_then(|n| n.as_str()).map(str::to_string);
                (ngay, v.get("thu_tu").and_then(|n| n.as_i64()))
            });
        let external = || {
            ids.iter()
                .find_map(|id| root.get("van_ban_ngoai")?.get(*id)?.as_str())
        };
        let text = match (issued, external()) {
            (Some(v), _) => v
                .get("day_du")
                .and_then(|d| d.as_str())
                .unwrap_or_default()
                .to_string(),
            (None, Some(s)) => s.to_string(),
            (None, None) => {
                let issuing = root.get(ISSUING).and_then(|v| v.as_bool()) == Some(true);
                let known = ids
                    .iter()
                    .find_map(|id| self.sources.get(id).ok().map(|t| &t.name));
                match known {
                    Some(name) if !issuing => format!(
                        "{name} số {b} ngày {b} {NOT_ISSUED}",
                        b = document::thoi_gian::BLANK
                    ),
                    _ => {
                        let which = ids.join("\", \"");
                        return Err(RenderErrorReason::Other(format!(
                            "`{{{{trich_dan \"{which}\"}}}}`: {} chưa ban hành trong hồ sơ này, \
                             và dữ liệu không khai báo văn bản ngoài hồ sơ `van_ban_ngoai.{}`; \
                             hãy ban hành văn bản đó trước, hoặc ghi số, ngày, cơ quan, trích yếu \
                             của văn bản ngoài hồ sơ vào `van_ban_ngoai`",
                            known.map_or_else(
                                || format!("văn bản `{}`", ids[0]),
                                |n| n.to_lowercase()
                            ),
                            ids[0]
                        ))
                        .into());
                    }
                }
            }
        };
        Ok(handlebars::ScopedJson::Derived(serde_json::Value::String(
            text,
        )))
    }
}

fn registry(escape: bool) -> Handlebars<'static> {
    let mut h = Handlebars::new();
    h.set_strict_mode(true);
    if escape {
        h.register_escape_fn(text::escape_markdown);
    } else {
        h.register_escape_fn(handlebars::no_escape);
    }
    h.register_helper("upper", Box::new(h_upper));
    h.register_helper("stt", Box::new(h_stt));
    h.register_helper("diem", Box::new(h_diem));
    h.register_helper("la_ma", Box::new(h_la_ma));
    h.register_helper("so", Box::new(h_so));
    h.register_helper("ngay", Box::new(h_ngay));
    h.register_helper("nam_truoc", Box::new(h_nam_truoc));
    h.register_helper("tham_quyen", Box::new(h_tham_quyen));
    for (name, which) in [
        ("phap_ly", PhapLyOut::CanCu),
        ("cap_xa", PhapLyOut::CapXa),
        ("ten_xa", PhapLyOut::DonVi),
        ("dia_danh", PhapLyOut::DiaDanh),
        ("ubnd_cap_tren", PhapLyOut::UbndCapTren),
        ("cong_an_cap_tren", PhapLyOut::CongAnCapTren),
        ("cap_uy_tren", PhapLyOut::CapUyTren),
        ("cac_loai_xa", PhapLyOut::CacLoaiXa),
        ("duoi_tinh", PhapLyOut::DuoiTinh),
        ("thon", PhapLyOut::Thon),
    ] {
        h.register_helper(name, Box::new(PhapLyHelper(which)));
    }
    h
}

/// Splits "---\nfront matter\n---\nbody" and returns (front, body, body's first line number).
fn split_front_matter<'a>(path: &Path, src: &'a str) -> Result<(&'a str, &'a str, usize)> {
    let bad = || Error::Yaml {
        path: path.into(),
        line: 1,
        column: 1,
        message: "mẫu bắt đầu bằng `---`, phần khai báo, rồi một dòng `---`".into(),
    };
    let rest = src.strip_prefix("---\n").ok_or_else(bad)?;
    let end = rest.find("\n---\n").ok_or_else(bad)?;
    let front = &rest[..end + 1];
    let body = &rest[end + 5..];
    let body_line = 1 + front.lines().count() + 2;
    Ok((front, body, body_line))
}

/// The ids of the templates built in, or of `dir`'s: their file names, without reading them —
/// what a procedure's check needs, so that a command judging deadlines or listing the book
/// never parses the templates.
pub fn ids(dir: Option<&Path>) -> Result<Vec<String>> {
    let stem = |p: &Path| p.file_stem().map(|s| s.to_string_lossy().into_owned());
    let mut ids: Vec<String> = match dir {
        None => embedded::EMBEDDED
            .iter()
            .filter_map(|(name, _)| stem(Path::new(name)))
            .collect(),
        Some(dir) => {
            let mut ids = Vec::new();
            for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
                let p = entry.map_err(|e| Error::io(dir, e))?.path();
                if p.extension().is_some_and(|x| x == "hbs") {
                    ids.extend(stem(&p));
                }
            }
            ids
        }
    };
    ids.sort();
    Ok(ids)
}

/// The template files of a set, sorted by id, each parsed on first use.
struct Sources(Vec<Source>);

struct Source {
    id: String,
    /// Where it came from, for messages.
    path: PathBuf,
    text: Cow<'static, str>,
    /// The parsed template, or why it is not one.
    template: OnceLock<std::result::Result<Template, String>>,
}

impl Sources {
    fn source(&self, id: &str) -> Option<&Source> {
        self.0
            .binary_search_by(|s| s.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.0[i])
    }

    /// Template `id`, read now if it was not yet.
    fn get(&self, id: &str) -> Result<&Template> {
        let s = self
            .source(id)
            .ok_or_else(|| Error::UnknownTemplate(id.to_string()))?;
        match s
            .template
            .get_or_init(|| self.parse(s).map_err(|e| e.to_string()))
        {
            Ok(t) => Ok(t),
            Err(message) => Err(Error::Template {
                template: id.to_string(),
                message: message.clone(),
            }),
        }
    }

    /// Reads one template's front matter and checks what it cites.
    fn parse(&self, s: &Source) -> Result<Template> {
        let src = text::clean_multiline(&s.text.replace("\r\n", "\n"));
        let t = parse(&s.id, &s.path, &src)?;
        self.check_citations(&t)?;
        Ok(t)
    }

    /// Every `{{trich_dan "…"}}` names a template, or a document from outside the hồ sơ that
    /// the template lists under `variables: van_ban_ngoai`: a misspelt name would otherwise
    /// only show when a document citing it is issued. Every `{{phap_ly "…"}}` names an
    /// instrument of the registry.
    fn check_citations(&self, t: &Template) -> Result<()> {
        let outside = t
            .variables
            .iter()
            .find(|(k, _)| k == "van_ban_ngoai")
            .map(|(_, d)| d.as_str())
            .unwrap_or_default();
        let at_line = |at: usize| t.body_line + t.body[..at].matches('\n').count();
        for (at, _) in t.body.match_indices("{{trich_dan") {
            let call = &t.body[at..];
            let call = &call[..call.find("}}").unwrap_or(call.len())];
            for id in call.split('"').skip(1).step_by(2) {
                if self.source(id).is_none() && !outside.contains(&format!("{id}:")) {
                    return Err(Error::Template {
                        template: t.id.clone(),
                        message: format!(
                            "{}:{}: `trich_dan \"{id}\"` không phải mẫu văn bản nào, \
                             cũng không được khai trong variables: van_ban_ngoai \
                             (\"{id}: …\")",
                            t.path.display(),
                            at_line(at)
                        ),
                    });
                }
            }
        }
        // A căn cứ names an instrument of the registry: a misspelt key would only show
        // when a document is drafted.
        let registry = document::phap_ly::PhapLy::built_in()?;
        for (at, _) in t.body.match_indices("{{phap_ly") {
            let call = &t.body[at..];
            let call = &call[..call.find("}}").unwrap_or(call.len())];
            for key in call.split('"').skip(1).step_by(2) {
                if !registry.van_ban.contains_key(key) {
                    return Err(Error::Template {
                        template: t.id.clone(),
                        message: format!(
                            "{}:{}: `phap_ly \"{key}\"` không có trong danh mục căn cứ \
                             (templates/phap-ly.yaml); có: {}",
                            t.path.display(),
                            at_line(at),
                            registry
                                .van_ban
                                .keys()
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    });
                }
            }
        }
        Ok(())
    }
}

/// One template file: its front matter read and its body kept for compiling.
fn parse(id: &str, path: &Path, src: &str) -> Result<Template> {
    let (front, body, body_line) = split_front_matter(path, src)?;
    let fm: FrontMatter = crate::fsutil::parse_yaml(path, front, 1)?;
    let field = |field: &str, message: String| Error::Field {
        path: path.into(),
        field: field.into(),
        message,
    };
    let kind = document::kind::find(&fm.kind)
        .ok_or_else(|| field("kind", format!("không có loại văn bản `{}`", fm.kind)))?;
    let attached_to = match &fm.attached_to {
        Some(a) => Some((
            document::kind::find(&a.kind).ok_or_else(|| {
                field(
                    "attached_to.kind",
                    format!("không có loại văn bản `{}`", a.kind),
                )
            })?,
            a.wording.clone(),
        )),
        None => None,
    };
    let mut plain = vec![("trich_yeu".to_string(), fm.trich_yeu.clone())];
    plain.extend(
        fm.kinh_gui
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("kinh_gui.{i}"), s.clone())),
    );
    plain.extend(
        fm.noi_nhan
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("noi_nhan.{i}"), s.clone())),
    );
    if let Some(a) = &fm.attached_to {
        plain.push(("attached_to.of".into(), a.of.clone()));
    }
    let mut variables: Vec<(String, String)> = fm
        .variables
        .iter()
        .map(|(k, v)| {
            let name = k.as_str().unwrap_or_default().to_string();
            let desc = v.as_str().unwrap_or_default().to_string();
            (name, desc)
        })
        .collect();
    // A template naming the commune through a helper needs what the helper reads.
    let names_commune = document::phap_ly::HELPERS.iter().any(|h| {
        std::iter::once(body)
            .chain(plain.iter().map(|(_, s)| s.as_str()))
            .any(|s| s.contains(&format!("{{{{{h}")) || s.contains(&format!("({h})")))
    });
    if names_commune {
        for (key, desc) in document::phap_ly::VARIABLES {
            if !variables.iter().any(|(k, _)| k == key) {
                variables.push((key.to_string(), desc.to_string()));
            }
        }
    }
    Ok(Template {
        id: id.to_string(),
        name: fm.name,
        kind,
        ho_so: fm.ho_so,
        issuer_role: fm.issuer,
        signing: fm.signing,
        variables,
        attached_to,
        approval: fm.approval,
        n_kinh_gui: fm.kinh_gui.len(),
        n_noi_nhan: fm.noi_nhan.len(),
        path: path.to_path_buf(),
        body: body.to_string(),
        body_line,
        plain,
    })
}

impl TemplateSet {
    /// The templates built into the binary, each read when first asked for (the test suite
    /// reads and checks them all: [`TemplateSet::check`]).
    pub fn embedded() -> Result<Self> {
        Ok(Self::from_sources(embedded::EMBEDDED.iter().map(
            |(name, text)| (PathBuf::from("templates").join(name), Cow::Borrowed(*text)),
        )))
    }

    /// Every `*.hbs` file of a directory, read and checked now.
    pub fn load_dir(dir: &Path) -> Result<Self> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let p = entry.map_err(|e| Error::io(dir, e))?.path();
            if p.extension().is_some_and(|x| x == "hbs") {
                let text = crate::fsutil::read_input_text(&p, crate::fsutil::LIMIT_DATA)?;
                files.push((p, Cow::Owned(text)));
            }
        }
        let set = Self::from_sources(files);
        for s in &set.sources.0 {
            let t = set.sources.parse(s)?;
            let _ = s.template.set(Ok(t));
        }
        Ok(set)
    }

    fn from_sources(files: impl IntoIterator<Item = (PathBuf, Cow<'static, str>)>) -> Self {
        let mut files: Vec<Source> = files
            .into_iter()
            .map(|(path, text)| Source {
                id: path
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default(),
                path,
                text,
                template: OnceLock::new(),
            })
            .collect();
        files.sort_by(|a, b| a.id.cmp(&b.id));
        let sources = Arc::new(Sources(files));
        let set = TemplateSet {
            sources: sources.clone(),
            body: RwLock::new(registry(true)),
            plain: RwLock::new(registry(false)),
        };
        for registry in [&set.body, &set.plain] {
            write(registry).register_helper(
                "trich_dan",
                Box::new(TrichDan {
                    sources: sources.clone(),
                }),
            );
        }
        set
    }

    /// Compiles a template's Handlebars into the registries unless that was done already.
    fn compile(&self, t: &Template) -> Result<()> {
        if read(&self.body).has_template(&t.id) {
            return Ok(());
        }
        let compile_err =
            |what: &str, e: handlebars::TemplateError, offset: usize| Error::Template {
                template: t.id.clone(),
                message: format!(
                    "{}{what}: {}",
                    e.pos()
                        .map(|(l, c)| format!("{}:{}:{c}: ", t.path.display(), l + offset))
                        .unwrap_or_default(),
                    e.reason()
                ),
            };
        let mut plain = write(&self.plain);
        for (key, src) in &t.plain {
            plain
                .register_template_string(&format!("{}#{key}", t.id), src)
                .map_err(|e| compile_err(key, e, 1))?;
        }
        write(&self.body)
            .register_template_string(&t.id, &t.body)
            .map_err(|e| compile_err("body", e, t.body_line - 1))
    }

    /// Reads and compiles every template: how a set is checked in full (tests, `hoso doc
    /// templates`).
    pub fn check(&self) -> Result<()> {
        self.sources
            .0
            .iter()
            .try_for_each(|s| self.compile(self.get(&s.id)?))
    }

    /// Every template that reads, in the order of their ids (reading them all).
    pub fn iter(&self) -> impl Iterator<Item = &Template> {
        self.sources
            .0
            .iter()
            .filter_map(|s| self.sources.get(&s.id).ok())
    }

    pub fn get(&self, id: &str) -> Result<&Template> {
        self.sources.get(id)
    }

    /// The data against what the template prints ([`uses::check`]): its body and its
    /// front-matter strings.
    fn check_data(&self, t: &Template, data: &DocData) -> Result<()> {
        let mut all = Vec::new();
        for (h, name) in [(&self.body, t.id.clone())].into_iter().chain(
            t.plain
                .iter()
                .map(|(k, _)| (&self.plain, format!("{}#{k}", t.id))),
        ) {
            if let Some(tpl) = read(h).get_template(&name) {
                all.extend(uses::text_uses(tpl));
            }
        }
        uses::check(&t.id, &t.variables, &all, data)
    }

    fn render_plain(
        &self,
        t: &Template,
        key: &str,
        data: &DocData,
        value: &serde_json::Value,
    ) -> Result<String> {
        let name = format!("{}#{key}", t.id);
        read(&self.plain)
            .render(&name, value)
            .map(|s| text::clean(&s))
            .map_err(|e| render_error(&t.id, key, data, e))
    }

    /// Builds the document of template `id` from `data`.
    ///
    /// Long on purpose: it fills the decree's elements in the order Phụ lục I lays them out
    /// (issuer, number, place and date, type and trích yếu, căn cứ, body, signature, Nơi nhận),
    /// each a few lines reading the data; splitting it would scatter that order. The documents
    /// issue (#14) moves the NĐ 30 rules in it into `document::`.
    pub fn document(&self, id: &str, data: &DocData, issuance: &Issuance) -> Result<Document> {
        let t = self.get(id)?;
        let f = &data.fields;
        let field = |name: &str, message: String| Error::Field {
            path: data.path.clone(),
            field: name.into(),
            message,
        };
        let issuer_data = f.issuer.as_ref().ok_or_else(|| {
            field(
                "issuer",
                "thiếu cơ quan ban hành (tên, chữ viết tắt, địa danh, …)".into(),
            )
        })?;
        if let Some(problem) = f.signer.as_ref().and_then(|s| s.rank_problem(issuer_data)) {
            return Err(uses::at_key(data, "signer.rank", problem));
        }
        if let Some(problem) = f
            .signer
            .as_ref()
            .and_then(|s| s.position_problem(issuer_data))
        {
            return Err(uses::at_key(data, "signer.position", problem));
        }
        let issuer = issuer_data.to_model();
        let family = issuer.family.family();

        self.compile(t)?;
        self.check_data(t, data)?;
        // What the helpers read besides the data: whether it is rendered to be issued (then
        // `trich_dan` refuses a citation the register cannot give) and the issuer's authority.
        let mut context = data.value.clone();
        if let Some(o) = context.as_object_mut() {
            o.insert(ISSUING.into(), issuance.date.is_some().into());
            let on = issuance.date.unwrap_or(issuance.today);
            o.insert(DATE.into(), on.format("%Y-%m-%d").to_string().into());
            o.insert(
                AUTHORITY.into(),
                issuer.authority(t.signing == Signing::Head).into(),
            );
        }
        let value = &context;
        let md = read(&self.body)
            .render(&t.id, value)
            .map_err(|e| render_error(&t.id, "body", data, e))?;
        let mut body = markup::parse(&md);
        if let Some(p) = body.problems.first() {
            return Err(Error::Template {
                template: t.id.clone(),
                message: p.clone(),
            });
        }
        document::body::close(&mut body.blocks);

        let kind_abbr = t.kind.abbr(family.id);
        // A document issued with another (an appendix) has no number of its own.
        if kind_abbr.is_none() && t.kind.shape != Shape::CongVan && t.attached_to.is_none() {
            return Err(Error::Template {
                template: t.id.clone(),
                message: format!(
                    "loại `{}` không có chữ viết tắt trong hệ thống văn bản của cơ quan này",
                    t.kind.key
                ),
            });
        }
        let unit = match (t.kind.shape, &f.drafting_unit) {
            (Shape::CongVan, None) if kind_abbr.is_none() => {
                return Err(field(
                    "drafting_unit",
                    "ký hiệu công văn cần chữ viết tắt của đơn vị soạn thảo (ví dụ NC)".into(),
                ));
            }
            (Shape::CongVan, Some(u)) => Some(text::clean(u)),
            (_, Some(u)) if f.unit_in_symbol => Some(text::clean(u)),
            _ => None,
        };
        let so_ky_hieu = SoKyHieu {
            number: issuance.number,
            kind: kind_abbr.map(str::to_string),
            issuer: issuer.abbreviation.clone(),
            unit,
        };
        let date = match issuance.date {
            Some(d) => DocDate::Issued(d),
            None => DocDate::Draft {
                month: issuance.today.month(),
                year: issuance.today.year(),
            },
        };

        let trich_yeu = self.render_plain(t, "trich_yeu", data, value)?;
        let kinh_gui = match &f.kinh_gui {
            Some(v) => v.iter().map(|s| text::clean(s)).collect(),
            None => (0..t.n_kinh_gui)
                .map(|i| self.render_plain(t, &format!("kinh_gui.{i}"), data, value))
                .collect::<Result<Vec<_>>>()?,
        };

        let (attached_to, date, signatures, noi_nhan) = if let Some((kind, wording)) =
            &t.attached_to
        {
            // A document issued with a decision (a quy chế, a bộ tiêu chí, a danh sách) is
            // signed, sealed and sent as that decision: Nghị định 30/2020, Phụ lục III, the
            // sample of a document "ban hành, phê duyệt kèm theo quyết định" has no signature
            // block and no Nơi nhận of its own; the seal stands on its first page, over the
            // agency's name (Phụ lục I, Mục IV) — see reference/nd30-detail.md §4. A signer
            // or recipients written in the document's own file would silently not print: refused.
            // (Given in a shared file it `extends`, they are the other documents'.)
            for key in ["signer", "noi_nhan", "luu"] {
                if data.origins.get(key).is_some_and(|o| o.path == data.path) {
                    return Err(uses::at_key(
                        data,
                        key,
                        format!(
                            "{} kèm theo {parent} không có chữ ký và nơi nhận riêng (Nghị \
                             định 30/2020/NĐ-CP, Phụ lục III): người ký ký {parent}, nơi nhận \
                             ghi ở {parent}; hãy bỏ trường này",
                            t.kind.name(),
                            parent = kind.name().to_lowercase(),
                        ),
                    ));
                }
            }
            let parent = AttachedTo {
                wording: wording.clone(),
                kind_name: kind.name().to_string(),
                number: SoKyHieu {
                    number: issuance.number,
                    kind: kind.abbr(family.id).map(str::to_string),
                    issuer: issuer.abbreviation.clone(),
                    unit: None,
                },
                date,
                issuer_name: self.render_plain(t, "attached_to.of", data, value)?,
            };
            (Some(parent), None, Vec::new(), None)
        } else if t.signing == Signing::Minutes {
            let who = |name: &str, v: &Option<String>| {
                v.as_deref().map(text::clean).ok_or_else(|| {
                    field(
                        name,
                        "thiếu người ký: biên bản do thư ký và chủ trì ký".into(),
                    )
                })
            };
            let signatures =
                document::ky::bien_ban(&who("secretary", &f.secretary)?, &who("chair", &f.chair)?);
            // Phụ lục III: a biên bản is filed too, "- Lưu: VT, Hồ sơ.", after any recipients.
            let noi_nhan = NoiNhan {
                recipients: match &f.noi_nhan {
                    Some(v) => v.iter().map(|s| text::clean(s)).collect(),
                    None => (0..t.n_noi_nhan)
                        .map(|i| self.render_plain(t, &format!("noi_nhan.{i}"), data, value))
                        .collect::<Result<Vec<_>>>()?,
                },
                luu: match &f.luu {
                    Some(v) => v.iter().map(|s| text::clean(s)).collect(),
                    None => vec!["Hồ sơ".to_string()],
                },
                copies: f.luu_copies,
            };
            (None, None, signatures, Some(noi_nhan))
        } else {
            let signer = f
                .signer
                .as_ref()
                .ok_or_else(|| {
                    field(
                        "signer",
                        "thiếu người ký (tên, chức vụ, thẩm quyền ký)".into(),
                    )
                })?
                .to_model();
            let chu_ky =
                document::ky::chu_ky(family, t.signing, &issuer.collective, &issuer.head, &signer);
            let recipients = match &f.noi_nhan {
                Some(v) => v.iter().map(|s| text::clean(s)).collect(),
                None => (0..t.n_noi_nhan)
                    .map(|i| self.render_plain(t, &format!("noi_nhan.{i}"), data, value))
                    .collect::<Result<Vec<_>>>()?,
            };
            let luu = match (&f.luu, &f.drafting_unit) {
                (Some(v), _) => v.iter().map(|s| text::clean(s)).collect(),
                (None, Some(u)) => vec![text::clean(u)],
                (None, None) => Vec::new(),
            };
            let noi_nhan = NoiNhan {
                recipients,
                luu,
                copies: f.luu_copies,
            };
            let date = (t.kind.shape != Shape::BienBan).then_some(date);
            let mut signatures = vec![chu_ky];
            if t.approval {
                let approver = f.duyet.as_ref().ok_or_else(|| {
                    uses::at_key(
                        data,
                        "duyet",
                        format!(
                            "mẫu `{}` được duyệt trước khi thực hiện: ghi người duyệt \
                             (duyet: {{title: CHỦ TỊCH UBND XÃ, name: …}})",
                            t.id
                        ),
                    )
                })?;
                signatures.insert(0, document::ky::duyet(&approver.to_model()));
                document::ky::level(&mut signatures);
            }
            (None, date, signatures, Some(noi_nhan))
        };

        Ok(Document {
            kind: t.kind,
            so_ky_hieu,
            date,
            title_text: format!("{} {}", t.kind.name(), trich_yeu)
                .trim()
                .to_string(),
            trich_yeu,
            attached_to,
            kinh_gui,
            urgency: f.urgency,
            secrecy: f.secrecy,
            draft_mark: issuance.draft_mark,
            body: body.blocks,
            footnotes: body.footnotes,
            signatures,
            noi_nhan,
            issuer,
        })
    }
}

/// A registry for reading; a panic elsewhere while one was held leaves it usable, since
/// registering a template is all-or-nothing.
fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

fn render_error(template: &str, part: &str, data: &DocData, e: handlebars::RenderError) -> Error {
    match e.reason() {
        RenderErrorReason::MissingVariable(Some(var)) => Error::MissingVariable {
            template: template.into(),
            variable: var.clone(),
            line: e.line_no,
            data: data.path.clone(),
        },
        reason => Error::Template {
            template: template.into(),
            message: format!(
                "{part}{}: {reason} (dữ liệu: {})",
                e.line_no.map(|l| format!(" dòng {l}")).unwrap_or_default(),
                data.path.display()
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cite(src: &str, context: serde_json::Value) -> std::result::Result<String, String> {
        let mut h = registry(false);
        let set = TemplateSet::from_sources(["a", "b"].map(|id| {
            let text = format!(
                "---\nname: Quyết định {}\nkind: quyet-dinh\nissuer: ubnd-xa\n---\n.\n",
                id.to_uppercase()
            );
            (PathBuf::from(format!("{id}.hbs")), Cow::Owned(text))
        }));
        h.register_helper(
            "trich_dan",
            Box::new(TrichDan {
                sources: set.sources.clone(),
            }),
        );
        h.render_template(src, &context).map_err(|e| e.to_string())
    }

    #[test]
    fn a_citation_is_the_register_s_latest_else_declared_else_blank_or_refused() {
        let entry = |day: &str, n: i64, text: &str| serde_json::json!({"ngay": day, "thu_tu": n, "day_du": text});
        // Of the two templates, the one issued last; on one day, the later in the book.
        let both = serde_json::json!({"van_ban": {
            "a": entry("2024-02-15", 7, "QĐ 01"),
            "b": entry("2024-02-15", 3, "QĐ 03"),
        }});
        assert_eq!(cite(r#"{{trich_dan "a" "b"}}"#, both).unwrap(), "QĐ 01");
        let older = serde_json::json!({"van_ban": {
            "a": entry("2023-03-20", 2, "QĐ 02"),
            "b": entry("2024-02-15", 9, "QĐ 05"),
        }});
        assert_eq!(cite(r#"{{trich_dan "a" "b"}}"#, older).unwrap(), "QĐ 05");
        // Not issued: the declaration outside the hồ sơ, else blanks in a draft …
        let declared = serde_json::json!({"van_ban_ngoai": {"a": "QĐ 112 (ngoài)"}});
        assert_eq!(
            cite(r#"{{trich_dan "a"}}"#, declared).unwrap(),
            "QĐ 112 (ngoài)"
        );
        let draft = cite(r#"{{trich_dan "a"}}"#, serde_json::json!({})).unwrap();
        assert!(draft.starts_with("Quyết định A số") && draft.ends_with(NOT_ISSUED));
        // … and a refusal naming the citation when it is issued.
        let issuing = serde_json::json!({ ISSUING: true });
        let e = cite(r#"{{trich_dan "a"}}"#, issuing).unwrap_err();
        assert!(
            e.contains("trich_dan \"a\"") && e.contains("van_ban_ngoai.a"),
            "{e}"
        );
    }
}
