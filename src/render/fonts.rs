//! Fonts. The decree requires Times New Roman; hoso carries Tinos, a face with the same metrics
//! and full Vietnamese coverage (SIL OFL, see `fonts/OFL.txt`), so that text widths, and with
//! them the rules under the agency name and the tiêu ngữ, come out the same on every machine.
//! PDFs embed Times New Roman itself when the machine has it with every Vietnamese letter, and
//! Tinos otherwise. Faces are read and parsed once per process.

use std::sync::OnceLock;

/// The four faces of the body font.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Face {
    Regular,
    Bold,
    Italic,
    BoldItalic,
}

impl Face {
    pub fn of(bold: bool, italic: bool) -> Face {
        match (bold, italic) {
            (false, false) => Face::Regular,
            (true, false) => Face::Bold,
            (false, true) => Face::Italic,
            (true, true) => Face::BoldItalic,
        }
    }
}

/// Family name written into documents; office suites map it to Liberation Serif or Tinos
/// where Times New Roman is not installed, with identical metrics.
pub const FAMILY: &str = "Times New Roman";

/// The embedded faces' bytes.
pub static EMBEDDED: [(Face, &[u8]); 4] = [
    (Face::Regular, include_bytes!("fonts/Tinos-Regular.ttf")),
    (Face::Bold, include_bytes!("fonts/Tinos-Bold.ttf")),
    (Face::Italic, include_bytes!("fonts/Tinos-Italic.ttf")),
    (
        Face::BoldItalic,
        include_bytes!("fonts/Tinos-BoldItalic.ttf"),
    ),
];

struct Metrics {
    units_per_em: f32,
    face: ttf_parser::Face<'static>,
}

fn metrics(face: Face) -> &'static Metrics {
    static CELLS: [OnceLock<Metrics>; 4] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let i = EMBEDDED.iter().position(|(f, _)| *f == face).unwrap_or(0);
    CELLS[i].get_or_init(|| {
        let face = ttf_parser::Face::parse(EMBEDDED[i].1, 0)
            .expect("the embedded Tinos faces are valid TrueType");
        Metrics {
            units_per_em: f32::from(face.units_per_em()),
            face,
        }
    })
}

/// Width of `text` set in `size_pt` points, in millimetres.
pub fn text_width_mm(text: &str, size_pt: f32, bold: bool, italic: bool) -> f32 {
    let m = metrics(Face::of(bold, italic));
    let units: f32 = text
        .chars()
        .map(|c| {
            m.face
                .glyph_index(c)
                .and_then(|g| m.face.glyph_hor_advance(g))
                .map(f32::from)
                .unwrap_or(m.units_per_em / 2.0)
        })
        .sum();
    units / m.units_per_em * size_pt * 25.4 / 72.0
}

/// True when every char of `text` has a glyph in the face: the test that catches a font
/// without Vietnamese (old Liberation 1.x prints "Tụ" for "Tự" silently).
pub fn covers(face: Face, text: &str) -> bool {
    let m = metrics(face);
    text.chars()
        .filter(|c| !c.is_whitespace())
        .all(|c| m.face.glyph_index(c).is_some())
}

/// Where a machine keeps the real Times New Roman (Debian's ttf-mscorefonts-installer, and the
/// usual names elsewhere), per face.
const TIMES_NEW_ROMAN: [(Face, &[&str]); 4] = [
    (
        Face::Regular,
        &[
            "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman.ttf",
            "/usr/share/fonts/truetype/msttcorefonts/times.ttf",
            "/usr/share/fonts/TTF/times.ttf",
        ],
    ),
    (
        Face::Bold,
        &[
            "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman_Bold.ttf",
            "/usr/share/fonts/truetype/msttcorefonts/timesbd.ttf",
            "/usr/share/fonts/TTF/timesbd.ttf",
        ],
    ),
    (
        Face::Italic,
        &[
            "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman_Italic.ttf",
            "/usr/share/fonts/truetype/msttcorefonts/timesi.ttf",
            "/usr/share/fonts/TTF/timesi.ttf",
        ],
    ),
    (
        Face::BoldItalic,
        &[
            "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman_Bold_Italic.ttf",
            "/usr/share/fonts/truetype/msttcorefonts/timesbi.ttf",
            "/usr/share/fonts/TTF/timesbi.ttf",
        ],
    ),
];

/// The four faces a PDF embeds: `(family name, bytes per face)`.
pub struct FaceSet {
    pub family: &'static str,
    pub faces: Vec<(Face, &'static [u8])>,
}

/// The faces for PDF output, chosen once: the machine's Times New Roman when all four faces are
/// there and each has a glyph for every Vietnamese letter (a face that lacks one would print "Tụ"
/// for "Tự" without a word), else the embedded Tinos. `HOSO_EMBEDDED_FONTS=1` forces Tinos,
/// for output that is the same on every machine.
pub fn pdf_faces() -> &'static FaceSet {
    static SET: OnceLock<FaceSet> = OnceLock::new();
    SET.get_or_init(|| {
        let forced = std::env::var_os("HOSO_EMBEDDED_FONTS").is_some_and(|v| v == "1");
        if !forced && let Some(faces) = system_times_new_roman() {
            return FaceSet {
                family: FAMILY,
                faces,
            };
        }
        FaceSet {
            family: "Tinos",
            faces: EMBEDDED.to_vec(),
        }
    })
}

fn system_times_new_roman() -> Option<Vec<(Face, &'static [u8])>> {
    let mut faces = Vec::new();
    for (face, paths) in TIMES_NEW_ROMAN {
        let bytes = paths.iter().find_map(|p| std::fs::read(p).ok())?;
        let parsed = ttf_parser::Face::parse(&bytes, 0).ok()?;
        let covered = VIETNAMESE.chars().all(|c| parsed.glyph_index(c).is_some());
        if !covered {
            return None;
        }
        // Read once per process and kept for its lifetime, like the embedded faces.
        faces.push((face, &*Box::leak(bytes.into_boxed_slice())));
    }
    Some(faces)
}

/// Vertical metrics of the PDF's regular face, in em.
#[derive(Debug, Clone, Copy)]
pub struct LineMetrics {
    /// Pitch of a single-spaced line as Word and LibreOffice set it: the hhea ascender,
    /// descender and line gap (1.149 em for Times New Roman and its clones).
    pub single: f32,
    /// Height Typst gives a line with `top-edge: "ascender"` and `bottom-edge: "descender"`:
    /// the OS/2 typographic ascender and descender (0.909 em for Tinos).
    pub typst_line: f32,
}

/// The PDF face's line metrics, so that Typst's leading reproduces the DOCX line pitch.
pub fn pdf_line_metrics() -> LineMetrics {
    static M: OnceLock<LineMetrics> = OnceLock::new();
    *M.get_or_init(|| {
        let regular = pdf_faces()
            .faces
            .iter()
            .find(|(f, _)| *f == Face::Regular)
            .map(|(_, b)| *b)
            .unwrap_or(EMBEDDED[0].1);
        let face = ttf_parser::Face::parse(regular, 0).expect("PDF faces were parsed when chosen");
        let upem = f32::from(face.units_per_em());
        let hhea = face.tables().hhea;
        let single = f32::from(hhea.ascender - hhea.descender + hhea.line_gap) / upem;
        let typst_line = face
            .tables()
            .os2
            .map(|o| f32::from(o.typographic_ascender() - o.typographic_descender()) / upem)
            .unwrap_or(f32::from(hhea.ascender - hhea.descender) / upem);
        LineMetrics { single, typst_line }
    })
}

/// Every letter of Vietnamese, both cases, with all five tone marks.
pub const VIETNAMESE: &str = "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ\
AÀẢÃÁẠĂẰẲẴẮẶÂẦẨẪẤẬBCDĐEÈẺẼÉẸÊỀỂỄẾỆGHIÌỈĨÍỊKLMNOÒỎÕÓỌÔỒỔỖỐỘƠỜỞỠỚỢPQRSTUÙỦŨÚỤƯỪỬỮỨỰVXYỲỶỸÝỴ";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_face_covers_vietnamese() {
        for (face, _) in EMBEDDED {
            assert!(covers(face, VIETNAMESE), "{face:?}");
        }
    }

    #[test]
    fn quoc_hieu_width_matches_times_new_roman() {
        // nd30-detail.md: bold TNR, 13 pt, ≈ 95.7 mm; 12 pt ≈ 88.3 mm.
        let w = text_width_mm("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 13.0, true, false);
        assert!((w - 95.7).abs() < 0.5, "{w}");
        let w = text_width_mm("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12.0, true, false);
        assert!((w - 88.3).abs() < 0.5, "{w}");
    }
}
